/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmalab_exp: a constraint-aware dma-buf exporter.
 *
 * /dev/dmalab_exp hands out dma-bufs. Each buffer has a placement (where its
 * pages may live) and a timing (when they are allocated and whether they may
 * move). Devices that attach later tell the exporter what they can reach;
 * the exporter keeps every attached device served or refuses the attach.
 *
 * UAPI 1.0. Conventions of every ioctl below, the same in <linux/dmalab_imp.h>
 * (Documentation/process/botching-up-ioctls.rst):
 *  - every struct starts with __u32 @size, sizeof() the struct as user space
 *    was built with, then __u32 @flags, and ends with __u64 @reserved[2].
 *    The command's size bits (_IOC_SIZE) must equal @size (-EINVAL), so that
 *    generic ioctl tooling (strace, valgrind) sees what is copied; the
 *    kernel dispatches on the command's number and checks its direction
 *    (-ENOTTY). A @size smaller than the struct's 1.0 size gives -EINVAL; a
 *    larger one whose extra bytes are not all zero, or above 4096, gives
 *    -E2BIG (copy_struct_from_user rules), so structs grow at their end
 *    both ways. Output is written back up to min(@size, the kernel's size),
 *    and only when the call succeeds.
 *  - unknown flags, unknown enum values, non-zero @pad and @reserved fields
 *    and non-zero output fields give -EINVAL.
 *  - pointers are passed as __u64; an array the kernel fills comes with its
 *    capacity and the element size user space knows (at least the 1.0
 *    size): the kernel writes each element at that stride, zero-filling
 *    what it does not know, so elements can grow too.
 *  - %DMALAB_EXP_IOC_VERSION tells which version of this interface the
 *    module speaks; later 1.x versions only add.
 *  - the ioctl magic 0xD3 is shared with the importer: 0x00-0x3F here,
 *    0x40-0x7F in <linux/dmalab_imp.h> (docs/ioctl-number.rst).
 */
#ifndef _UAPI_LINUX_DMALAB_EXP_H
#define _UAPI_LINUX_DMALAB_EXP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DMALAB_EXP_DEVICE	"/dev/dmalab_exp"

/* Length of the names below; DMA_BUF_NAME_LEN of <linux/dma-buf.h>. */
#define DMALAB_EXP_NAME_LEN	32

/**
 * enum dmalab_exp_placement - where the pages of a buffer may come from
 * @DMALAB_EXP_PLACE_SCATTER: any pages, largest orders first (1 MiB, 64 KiB,
 *	4 KiB) so that scatter-gather tables stay short.
 * @DMALAB_EXP_PLACE_CONTIG: one physically contiguous block. Without CMA the
 *	page allocator's largest order is the limit (4 MiB on x86-64);
 *	larger requests fail with -E2BIG, see &dmalab_exp_stats.max_contig_len.
 *
 * Either placement may be combined with an address limit,
 * &dmalab_exp_alloc.addr_bits.
 */
enum dmalab_exp_placement {
	DMALAB_EXP_PLACE_SCATTER = 0,
	DMALAB_EXP_PLACE_CONTIG = 1,
};

/**
 * enum dmalab_exp_timing - when the pages of a buffer are allocated
 * @DMALAB_EXP_TIMING_EAGER: at allocation (export) time.
 * @DMALAB_EXP_TIMING_DEFERRED: at the first use: the first map_dma_buf (inside
 *	the physical range every device attached at that moment reaches), or
 *	the first CPU access (vmap, mmap fault, begin_cpu_access) if that comes
 *	first.
 */
enum dmalab_exp_timing {
	DMALAB_EXP_TIMING_EAGER = 0,
	DMALAB_EXP_TIMING_DEFERRED = 1,
};

/*
 * Strategy flags of &dmalab_exp_alloc.flags, used when a device attaches
 * whose reachable physical range does not hold the buffer's pages:
 *  - MIGRATE: move the contents to pages every attached device reaches, if
 *    no device mapping and no vmap is active (user mmaps follow the move:
 *    they fault the new pages in). With a mapping active, the attach fails
 *    with -EBUSY (unless COPY is also set: then the device gets a copy).
 *  - COPY: when the device's range does not meet the others' (or migration is
 *    impossible), give that device its own copy of the contents in its
 *    range: copied in at map_dma_buf and at end_cpu_access of a CPU write,
 *    copied back at unmap_dma_buf and begin_cpu_access when the device may
 *    have written. A device served by a copy and a second mapping of the
 *    buffer cannot be mapped at once if either of them may write (-EBUSY
 *    at map): the copy would go stale or overwrite the other's writes.
 *    exporter/README.md states the rules.
 * Without a strategy that fits, the attach fails with -ERANGE.
 */
#define DMALAB_EXP_ALLOC_MIGRATE	(1U << 0)
#define DMALAB_EXP_ALLOC_COPY		(1U << 1)
#define DMALAB_EXP_ALLOC_FLAGS		(DMALAB_EXP_ALLOC_MIGRATE | \
					 DMALAB_EXP_ALLOC_COPY)

/* Address limit bounds for &dmalab_exp_alloc.addr_bits (0 means none). */
#define DMALAB_EXP_ADDR_BITS_MIN	24
#define DMALAB_EXP_ADDR_BITS_MAX	64

/* The version of this interface, in &struct dmalab_exp_version. */
#define DMALAB_EXP_VERSION_MAJOR	1
#define DMALAB_EXP_VERSION_MINOR	0

/**
 * struct dmalab_exp_version - argument of %DMALAB_EXP_IOC_VERSION
 * @size: sizeof(struct dmalab_exp_version), see the conventions above.
 * @flags: must be zero.
 * @major: out: %DMALAB_EXP_VERSION_MAJOR of the module; a different major
 *	is a different interface.
 * @minor: out: %DMALAB_EXP_VERSION_MINOR of the module; a higher minor only
 *	adds to what a lower one has.
 * @features: out: optional features present (none are defined in 1.0).
 * @reserved: must be zero.
 */
struct dmalab_exp_version {
	__u32 size;
	__u32 flags;
	__u32 major;
	__u32 minor;
	__u64 features;
	__u64 reserved[2];
};

/**
 * struct dmalab_exp_alloc - argument of %DMALAB_EXP_IOC_ALLOC
 * @size: sizeof(struct dmalab_exp_alloc), see the conventions above.
 * @flags: %DMALAB_EXP_ALLOC_* strategy flags.
 * @len: buffer length in bytes: a non-zero multiple of the page size, at most
 *	&dmalab_exp_stats.max_len. -EINVAL when zero or unaligned, -E2BIG when
 *	larger than the cap (module parameter max_buffer_mb, and half of RAM).
 * @placement: an &enum dmalab_exp_placement.
 * @addr_bits: 0 for no limit, else every page lies below 2^@addr_bits
 *	physically (a DMA mask width), %DMALAB_EXP_ADDR_BITS_MIN ..
 *	%DMALAB_EXP_ADDR_BITS_MAX.
 * @timing: an &enum dmalab_exp_timing.
 * @fd_flags: flags of the returned fd: O_CLOEXEC and O_RDWR only (without
 *	O_RDWR the dma-buf file is read-only: shared writable mmaps fail).
 * @fd: out: the new dma-buf file descriptor.
 * @pad: must be zero.
 * @reserved: must be zero.
 */
struct dmalab_exp_alloc {
	__u32 size;
	__u32 flags;
	__u64 len;
	__u32 placement;
	__u32 addr_bits;
	__u32 timing;
	__u32 fd_flags;
	__s32 fd;
	__u32 pad;
	__u64 reserved[2];
};

/* Bits of &dmalab_exp_info.state. */
#define DMALAB_EXP_STATE_ALLOCATED	(1U << 0) /* pages exist */
#define DMALAB_EXP_STATE_PHYS_HIDDEN	(1U << 1) /* caller lacks CAP_SYS_ADMIN */
#define DMALAB_EXP_STATE_CONTIGUOUS	(1U << 2) /* one physical segment */
#define DMALAB_EXP_STATE_COPIES		(1U << 3) /* some device uses a copy */

/* Bits of &dmalab_exp_attach_info.flags. */
#define DMALAB_EXP_ATTACH_MAPPED	(1U << 0) /* a device mapping is live */
#define DMALAB_EXP_ATTACH_COPY		(1U << 1) /* served by its own copy */
#define DMALAB_EXP_ATTACH_IOMMU		(1U << 2) /* behind a translating IOMMU */

/**
 * struct dmalab_exp_attach_info - one attached device, in %DMALAB_EXP_IOC_INFO
 * @dev_name: dev_name() of the device, NUL-terminated, truncated.
 * @dma_mask: the device's DMA mask.
 * @range_lo: lowest physical address the device reaches.
 * @range_hi: highest physical address the device reaches (inclusive).
 * @seg_boundary: the device's DMA segment boundary mask.
 * @max_seg_size: the device's largest DMA segment.
 * @flags: %DMALAB_EXP_ATTACH_* bits.
 * @dir: enum dma_data_direction of the live mapping (0..3), when mapped.
 * @nr_sg: number of entries of the live mapping's sg_table, when mapped.
 */
struct dmalab_exp_attach_info {
	char dev_name[DMALAB_EXP_NAME_LEN];
	__u64 dma_mask;
	__u64 range_lo;
	__u64 range_hi;
	__u64 seg_boundary;
	__u32 max_seg_size;
	__u32 flags;
	__u32 dir;
	__u32 nr_sg;
};

/**
 * struct dmalab_exp_info - argument of %DMALAB_EXP_IOC_INFO
 * @size: sizeof(struct dmalab_exp_info), see the conventions above.
 * @flags: in: must be zero.
 * @fd: in: a dma-buf fd exported by this device. -EBADF for a bad fd,
 *	-EINVAL for a file that is not a dma-buf, -EXDEV for a dma-buf of
 *	another exporter.
 * @state: %DMALAB_EXP_STATE_* bits.
 * @len: buffer length in bytes.
 * @placement: the &enum dmalab_exp_placement asked for.
 * @addr_bits: the address limit asked for (0: none).
 * @timing: the &enum dmalab_exp_timing asked for.
 * @alloc_flags: the %DMALAB_EXP_ALLOC_* flags asked for.
 * @nr_segments: physically contiguous runs of the pages (0 if unallocated).
 * @nr_attachments: attached devices.
 * @nr_mapped: attachments with a live device mapping.
 * @nr_mmaps: live user mappings (VMAs) of the buffer.
 * @vmap_count: live kernel vmaps of the buffer (0 or 1 mapping, refcounted).
 * @nr_migrations: times the contents moved to other pages.
 * @nr_copy_attach: attachments served by a per-device copy.
 * @nr_copy_in: copies from the buffer into a device copy.
 * @nr_copy_out: copies from a device copy back into the buffer.
 * @phys_lo: lowest physical address of the pages; 0 without CAP_SYS_ADMIN
 *	(then %DMALAB_EXP_STATE_PHYS_HIDDEN is set) or when unallocated.
 * @phys_hi: highest physical address (inclusive), same rules.
 * @range_lo: low end of the physical range the pages must lie in (the
 *	address limit intersected with every directly served device's range).
 * @range_hi: high end (inclusive) of that range.
 * @name: the name set by DMA_BUF_SET_NAME, NUL-terminated, empty if none.
 * @attach_ptr: in: user pointer to an array of &struct dmalab_exp_attach_info,
 *	or 0.
 * @attach_cap: in: capacity of that array in elements (0 with no array).
 * @attach_count: out: elements written, min(@attach_cap,
 *	@nr_attachments, 64).
 * @attach_elem_size: in: sizeof(struct dmalab_exp_attach_info) as user space
 *	knows it, at least its 1.0 size (80), at most 4096; 0 with no array.
 * @pad: must be zero.
 * @pad2: must be zero.
 * @reserved: must be zero.
 */
struct dmalab_exp_info {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 state;
	__u64 len;
	__u32 placement;
	__u32 addr_bits;
	__u32 timing;
	__u32 alloc_flags;
	__u32 nr_segments;
	__u32 nr_attachments;
	__u32 nr_mapped;
	__u32 nr_mmaps;
	__u32 vmap_count;
	__u32 nr_migrations;
	__u32 nr_copy_attach;
	__u32 pad;
	__u64 nr_copy_in;
	__u64 nr_copy_out;
	__u64 phys_lo;
	__u64 phys_hi;
	__u64 range_lo;
	__u64 range_hi;
	char name[DMALAB_EXP_NAME_LEN];
	__u64 attach_ptr;
	__u32 attach_cap;
	__u32 attach_count;
	__u32 attach_elem_size;
	__u32 pad2;
	__u64 reserved[2];
};

/**
 * struct dmalab_exp_bind - argument of %DMALAB_EXP_IOC_BIND
 * @size: sizeof(struct dmalab_exp_bind), see the conventions above.
 * @flags: must be zero.
 * @fd: a dma-buf fd (of any exporter that supports mmap), or -1 to unbind.
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * How mmap() of /dev/dmalab_exp selects its buffer: each open file of the
 * device holds at most one bound dma-buf (a reference, dropped on unbind,
 * rebind or close). mmap() of that file maps the bound buffer through
 * dma_buf_mmap(): the mmap offset is the offset into the buffer, MAP_SHARED
 * is required (-EINVAL), a writable mapping needs a dma-buf fd opened
 * O_RDWR (-EACCES), and the VMA then refers to the dma-buf file itself (so it
 * keeps the buffer alive after unbind). mmap() with nothing bound fails with
 * -ENXIO.
 */
struct dmalab_exp_bind {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmalab_exp_stats - argument of %DMALAB_EXP_IOC_STATS
 * @size: sizeof(struct dmalab_exp_stats), see the conventions above.
 * @flags: must be zero.
 * @live_buffers: dma-bufs of this module not yet released.
 * @live_bytes: bytes of pages held (buffers and device copies).
 * @live_attachments: attachments not yet detached.
 * @live_mappings: device mappings not yet unmapped.
 * @live_vmaps: buffers with a live kernel vmap.
 * @live_mmaps: live user VMAs of the buffers.
 * @total_buffers: buffers created since the module loaded.
 * @max_len: largest length %DMALAB_EXP_IOC_ALLOC accepts now.
 * @max_contig_len: largest length of a %DMALAB_EXP_PLACE_CONTIG buffer.
 * @aside_bytes: bytes of out-of-range pages held aside now by allocations
 *	in progress (all together bounded by module parameter aside_limit_mb).
 * @aside_peak_bytes: the most @aside_bytes has been since the module loaded.
 * @reserved: must be zero.
 */
struct dmalab_exp_stats {
	__u32 size;
	__u32 flags;
	__u64 live_buffers;
	__u64 live_bytes;
	__u64 live_attachments;
	__u64 live_mappings;
	__u64 live_vmaps;
	__u64 live_mmaps;
	__u64 total_buffers;
	__u64 max_len;
	__u64 max_contig_len;
	__u64 aside_bytes;
	__u64 aside_peak_bytes;
	__u64 reserved[2];
};

#define DMALAB_EXP_IOC_MAGIC	0xD3

#define DMALAB_EXP_IOC_VERSION	_IOWR(DMALAB_EXP_IOC_MAGIC, 0x00, struct dmalab_exp_version)
#define DMALAB_EXP_IOC_ALLOC	_IOWR(DMALAB_EXP_IOC_MAGIC, 0x01, struct dmalab_exp_alloc)
#define DMALAB_EXP_IOC_INFO	_IOWR(DMALAB_EXP_IOC_MAGIC, 0x02, struct dmalab_exp_info)
#define DMALAB_EXP_IOC_BIND	_IOW(DMALAB_EXP_IOC_MAGIC, 0x03, struct dmalab_exp_bind)
#define DMALAB_EXP_IOC_STATS	_IOWR(DMALAB_EXP_IOC_MAGIC, 0x04, struct dmalab_exp_stats)

#endif /* _UAPI_LINUX_DMALAB_EXP_H */
