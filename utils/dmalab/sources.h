/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-bufs of other exporters, for checking them and for using them with
 * our importer, by name: vgem (DRM PRIME), the system dma-heap (or any heap:
 * heap:NAME) and udmabuf (a memfd) from libdmalab, vivid (V4L2
 * VIDIOC_EXPBUF) from here.
 */
#ifndef DMALAB_SOURCES_H
#define DMALAB_SOURCES_H

#include <stdint.h>

/**
 * struct source - a foreign dma-buf and what keeps it alive
 * @fd: the dma-buf
 * @keep: the device fd it came from (vivid), -1 when none
 * @size: its size in bytes
 */
struct source {
	int fd;
	int keep;
	uint64_t size;
};

/* Names accepted by source_open(), NULL-terminated, besides heap:NAME. */
extern const char *const source_names[];

/* Whether source_open() takes @name: one of source_names or heap:NAME. */
int source_known(const char *name);

/*
 * Open a dma-buf of exporter @name ("vgem", "vivid", "heap" (the system
 * heap), "heap:NAME" (/dev/dma_heap/NAME), "udmabuf") of
 * about @size bytes (vivid: one frame of its current format). 0 or -errno;
 * -ENOENT/-ENODEV when this kernel lacks the exporter.
 */
int source_open(const char *name, uint64_t size, struct source *s);
void source_close(struct source *s);

#endif /* DMALAB_SOURCES_H */
