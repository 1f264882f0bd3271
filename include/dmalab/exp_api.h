/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What dmalab_exp offers other kernel modules: making a buffer as its ALLOC
 * ioctl does. Its users are the DMA-BUF heap module (heap/), which finds it
 * with symbol_get() so that the exporter stays unloadable, and the KUnit
 * suite (kunit/).
 */
#ifndef _DMALAB_EXP_API_H
#define _DMALAB_EXP_API_H

struct dma_buf;
struct dmalab_exp_alloc;

struct dma_buf *dmalab_exp_create(const struct dmalab_exp_alloc *args);

#endif /* _DMALAB_EXP_API_H */
