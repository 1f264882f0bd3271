/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmalab importer: user-space interface of /dev/dmalab_imp.
 *
 * The importer imports any dma-buf as a handle, attaches it to a DMA device
 * (a QEMU edu PCI device or a simulated device with chosen limits), maps it
 * and reports the resulting sg_table, gives kernel CPU access through
 * dma_buf_vmap(), and runs DMA jobs (copy, fill, checksum) that publish a
 * dma_fence in the buffer's dma_resv.
 *
 * UAPI 1.0. Conventions of every ioctl below, the same in <linux/dmalab_exp.h>
 * (Documentation/process/botching-up-ioctls.rst):
 * - every struct starts with __u32 @size, sizeof() the struct as user space
 *   was built with, then __u32 @flags, and ends with __u64 @reserved[2].
 *   The command's size bits (_IOC_SIZE) must equal @size (-EINVAL), so that
 *   generic ioctl tooling (strace, valgrind) sees what is copied; the kernel
 *   dispatches on the command's number and checks its direction (-ENOTTY).
 *   A @size smaller than the struct's 1.0 size gives -EINVAL; a larger one
 *   whose extra bytes are not all zero, or above 4096, gives -E2BIG
 *   (copy_struct_from_user rules), so structs grow at their end both ways.
 *   Output is written back up to min(@size, the kernel's size), and only
 *   when the call succeeds.
 * - @flags takes only the flags documented for that ioctl; unknown flags,
 *   unknown operations, non-zero @pad and @reserved fields and non-zero
 *   output fields give -EINVAL.
 * - pointers are passed as __u64; an array of structs the kernel fills
 *   comes with its capacity and the element size user space knows (at least
 *   the 1.0 size): the kernel writes each element at that stride,
 *   zero-filling what it does not know, so elements can grow too.
 * - no ioctl blocks beyond its own deadline, and each can be restarted
 *   after a signal: a DMA job is submitted by %DMALAB_IMP_IOC_JOB, which
 *   does not wait for it, and waited for by %DMALAB_IMP_IOC_WAIT against an
 *   absolute deadline (libdmalab's dmalab_imp_run_job() does both).
 * - %DMALAB_IMP_IOC_VERSION tells which version of this interface the module
 *   speaks; later 1.x versions only add.
 * - the ioctl magic 0xD3 is shared with the exporter: 0x00-0x3F there,
 *   0x40-0x7F here (docs/ioctl-number.rst).
 * - Handles, attachment ids and job ids are local to the open file of
 *   /dev/dmalab_imp that created them; closing it releases all of them.
 * - Device ids name edu devices (shared) and the caller's simulated devices.
 *   An edu device can be removed (PCI remove, hot unplug) at any time: its
 *   jobs end with -ENODEV and its attachments are revoked (unmapped and
 *   detached): every ioctl naming one fails with -ENODEV, except DETACH,
 *   which frees its id.
 * - An edu device whose engine cannot be stopped after a timeout is wedged
 *   until it is removed: the timed-out job's mappings stay busy (UNMAP,
 *   DETACH: -EBUSY) and new jobs fail with -EIO.
 */
#ifndef _UAPI_LINUX_DMALAB_IMP_H
#define _UAPI_LINUX_DMALAB_IMP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define DMALAB_IMP_NAME_LEN	32

/* Device kinds (dmalab_imp_dev_info.kind). */
#define DMALAB_IMP_KIND_EDU	1	/* QEMU edu PCI device, real DMA */
#define DMALAB_IMP_KIND_SIM	2	/* simulated device, CPU-performed DMA */

/* Device flags (dmalab_imp_dev_info.dev_flags). */
#define DMALAB_IMP_DEV_IOMMU	(1U << 0)	/* DMA goes through an IOMMU */
#define DMALAB_IMP_DEV_WINDOW	(1U << 1)	/* window/bus offset applies */
#define DMALAB_IMP_DEV_STALL	(1U << 2)	/* jobs never complete */

/* Simulated device creation flags (dmalab_imp_sim_create.flags). */
#define DMALAB_IMP_SIM_WINDOW	(1U << 0)	/* use the win_* fields */
#define DMALAB_IMP_SIM_STALL	(1U << 1)	/* never complete a job */
#define DMALAB_IMP_SIM_FLAGS	(DMALAB_IMP_SIM_WINDOW | DMALAB_IMP_SIM_STALL)

/* Mapping directions (dmalab_imp_map.dir), as enum dma_data_direction. */
#define DMALAB_IMP_DIR_BIDIR		0
#define DMALAB_IMP_DIR_TO_DEVICE	1	/* device reads the buffer */
#define DMALAB_IMP_DIR_FROM_DEVICE	2	/* device writes the buffer */

/* Limit violations found in a mapping (dmalab_imp_sg_info.violation_kinds). */
#define DMALAB_IMP_VIOL_MASK		(1U << 0)	/* beyond the DMA mask */
#define DMALAB_IMP_VIOL_SEG_SIZE	(1U << 1)	/* longer than max seg */
#define DMALAB_IMP_VIOL_BOUNDARY	(1U << 2)	/* crosses seg boundary */
#define DMALAB_IMP_VIOL_WINDOW		(1U << 3)	/* outside the window */

/* Output flag of struct dmalab_imp_sg_info. */
#define DMALAB_IMP_SG_ADDR_HIDDEN	(1U << 0)

/* CPU operations (dmalab_imp_cpu.op). */
#define DMALAB_IMP_CPU_READ	1	/* buffer -> user_ptr */
#define DMALAB_IMP_CPU_WRITE	2	/* user_ptr -> buffer */
#define DMALAB_IMP_CPU_FILL	3	/* every byte := pattern */
#define DMALAB_IMP_CPU_CHECKSUM	4	/* checksum := FNV-1a 64 of range */

/* Device job operations (dmalab_imp_job.op). */
#define DMALAB_IMP_JOB_COPY	1	/* src range -> dst range */
#define DMALAB_IMP_JOB_FILL	2	/* dst range := pattern byte */
#define DMALAB_IMP_JOB_CHECKSUM	3	/* checksum := FNV-1a 64 of src */

/*
 * Checksums are 64-bit FNV-1a over the bytes of the range:
 * h = 0xcbf29ce484222325; for each byte b: h ^= b; h *= 0x100000001b3.
 */
#define DMALAB_IMP_FNV_OFFSET	0xcbf29ce484222325ULL
#define DMALAB_IMP_FNV_PRIME	0x100000001b3ULL

/* The version of this interface, in &struct dmalab_imp_version. */
#define DMALAB_IMP_VERSION_MAJOR	1
#define DMALAB_IMP_VERSION_MINOR	0

/**
 * struct dmalab_imp_version - interface version (DMALAB_IMP_IOC_VERSION)
 * @size: sizeof(struct dmalab_imp_version)
 * @flags: must be 0
 * @major: out: %DMALAB_IMP_VERSION_MAJOR of the module; a different major is
 *	a different interface
 * @minor: out: %DMALAB_IMP_VERSION_MINOR of the module; a higher minor only
 *	adds to what a lower one has
 * @features: out: optional features present (none are defined in 1.0)
 * @reserved: must be 0
 */
struct dmalab_imp_version {
	__u32 size;
	__u32 flags;
	__u32 major;
	__u32 minor;
	__u64 features;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_import - import a dma-buf (DMALAB_IMP_IOC_IMPORT)
 * @size: sizeof(struct dmalab_imp_import)
 * @flags: must be 0
 * @fd: in: dma-buf file descriptor; the handle takes its own reference
 * @handle: out: handle of the imported buffer
 * @buf_size: out: size of the dma-buf in bytes
 * @reserved: must be 0
 *
 * A dma-buf whose file is not open for writing (exported without O_RDWR;
 * every fd of a dma-buf shares its one file) is imported read-only: the
 * importer reads it (CPU READ and CHECKSUM, TO_DEVICE mappings, jobs that
 * read it) and refuses with -EACCES everything that would write it: CPU
 * WRITE and FILL, FROM_DEVICE and BIDIR mappings, jobs whose destination
 * it is.
 */
struct dmalab_imp_import {
	__u32 size;
	__u32 flags;
	__s32 fd;
	__u32 handle;
	__u64 buf_size;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_id - name one object (RELEASE, DETACH, UNMAP, SIM_DESTROY)
 * @size: sizeof(struct dmalab_imp_id)
 * @flags: must be 0
 * @id: handle, attachment id or device id, as the ioctl says
 * @pad: must be 0
 * @reserved: must be 0
 */
struct dmalab_imp_id {
	__u32 size;
	__u32 flags;
	__u32 id;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_dev_list - list device ids (DMALAB_IMP_IOC_DEV_LIST)
 * @size: sizeof(struct dmalab_imp_dev_list)
 * @flags: must be 0
 * @ids_ptr: in: user pointer to an array of __u32, or 0 to only count (ids
 *	are __u32 for good: this array has no element size)
 * @count: in: capacity of @ids_ptr; out: number of devices visible
 * @pad: must be 0
 * @reserved: must be 0
 *
 * Edu devices come first, in PCI address order (a device removed and found
 * again by a rescan keeps its place, under a new id), then the caller's
 * simulated devices in creation order.
 */
struct dmalab_imp_dev_list {
	__u32 size;
	__u32 flags;
	__u64 ids_ptr;
	__u32 count;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_dev_info - describe a device (DMALAB_IMP_IOC_DEV_INFO)
 * @size: sizeof(struct dmalab_imp_dev_info)
 * @flags: must be 0
 * @dev_id: in: device id
 * @kind: out: DMALAB_IMP_KIND_*
 * @name: out: NUL-terminated device name (dev_name())
 * @dma_mask: out: streaming DMA mask
 * @coherent_dma_mask: out: coherent DMA mask
 * @seg_boundary_mask: out: segment boundary mask (dma_get_seg_boundary())
 * @max_seg_size: out: maximum segment size (dma_get_max_seg_size())
 * @dev_flags: out: DMALAB_IMP_DEV_*
 * @win_phys_start: out: first CPU physical address the device reaches
 * @win_dma_start: out: bus address at which @win_phys_start appears
 * @win_size: out: window size in bytes (0 when there is no window)
 * @max_xfer: out: bytes one engine programming moves at most (0: no limit)
 * @dma_mask_bits: out: number of bits in @dma_mask
 * @reserved: must be 0
 */
struct dmalab_imp_dev_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 kind;
	char name[DMALAB_IMP_NAME_LEN];
	__u64 dma_mask;
	__u64 coherent_dma_mask;
	__u64 seg_boundary_mask;
	__u32 max_seg_size;
	__u32 dev_flags;
	__u64 win_phys_start;
	__u64 win_dma_start;
	__u64 win_size;
	__u32 max_xfer;
	__u32 dma_mask_bits;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_sim_create - create a simulated device (SIM_CREATE)
 * @size: sizeof(struct dmalab_imp_sim_create)
 * @flags: DMALAB_IMP_SIM_*
 * @dma_bits: DMA mask width, 24..64
 * @max_seg_size: maximum segment size, 0 for no limit (UINT_MAX); at
 *	least 4096 when given
 * @seg_boundary_mask: segment boundary mask (2^n - 1, at least 4095), 0 for
 *	none
 * @win_phys_start: with DMALAB_IMP_SIM_WINDOW: first reachable CPU physical
 *	address (page aligned)
 * @win_dma_start: with DMALAB_IMP_SIM_WINDOW: bus address of
 *	@win_phys_start (page aligned); bus offset = @win_dma_start -
 *	@win_phys_start
 * @win_size: with DMALAB_IMP_SIM_WINDOW: window size (page aligned, > 0)
 * @dev_id: out: id of the new device
 * @pad: must be 0
 * @reserved: must be 0
 *
 * The device lives until SIM_DESTROY or until the creating file is closed,
 * and is visible only through that file.
 *
 * A device that does not reach all memory (%DMALAB_IMP_SIM_WINDOW, or
 * @dma_bits below 64) needs CAP_SYS_ADMIN (-EPERM): which buffers it can
 * attach would tell where their pages are, and attaching moves a MIGRATE
 * buffer into its reach. Segment limits reveal no placement and need no
 * privilege.
 */
struct dmalab_imp_sim_create {
	__u32 size;
	__u32 flags;
	__u32 dma_bits;
	__u32 max_seg_size;
	__u64 seg_boundary_mask;
	__u64 win_phys_start;
	__u64 win_dma_start;
	__u64 win_size;
	__u32 dev_id;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_attach - attach a handle to a device (DMALAB_IMP_IOC_ATTACH)
 * @size: sizeof(struct dmalab_imp_attach)
 * @flags: must be 0
 * @handle: in: handle from DMALAB_IMP_IOC_IMPORT
 * @dev_id: in: device id
 * @attach_id: out: attachment id (for MAP, UNMAP, SG_INFO, DETACH, jobs)
 * @pad: must be 0
 * @reserved: must be 0
 */
struct dmalab_imp_attach {
	__u32 size;
	__u32 flags;
	__u32 handle;
	__u32 dev_id;
	__u32 attach_id;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_map - map an attachment (DMALAB_IMP_IOC_MAP)
 * @size: sizeof(struct dmalab_imp_map)
 * @flags: must be 0
 * @attach_id: in: attachment id; one mapping per attachment
 * @dir: in: DMALAB_IMP_DIR_*; FROM_DEVICE and BIDIR (the device may write)
 *	of a read-only buffer give -EACCES
 * @reserved: must be 0
 *
 * Before mapping a buffer of another exporter, the importer reads where its
 * pages are and refuses, instead of letting the DMA API warn, with -ERANGE
 * when a page is beyond the reach of a device without IOMMU (mask or
 * window), and with -EMSGSIZE when an entry of the exporter's table is
 * longer than the device's max segment or crosses its segment boundary.
 */
struct dmalab_imp_map {
	__u32 size;
	__u32 flags;
	__u32 attach_id;
	__u32 dir;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_sg_entry - one DMA-mapped sg entry
 * @dma_addr: sg_dma_address()
 * @dma_len: sg_dma_len()
 */
struct dmalab_imp_sg_entry {
	__u64 dma_addr;
	__u64 dma_len;
};

/**
 * struct dmalab_imp_sg_info - report a mapping (DMALAB_IMP_IOC_SG_INFO)
 * @size: sizeof(struct dmalab_imp_sg_info)
 * @flags: in: must be 0; out: DMALAB_IMP_SG_ADDR_HIDDEN when @dma_min and
 *	@dma_max were withheld (caller without CAP_SYS_ADMIN, device outside an
 *	IOMMU, where DMA addresses reveal physical ones)
 * @attach_id: in: a mapped attachment
 * @nents: out: number of DMA-mapped entries
 * @total_len: out: sum of the entries' lengths
 * @dma_min: out: lowest DMA address of any entry
 * @dma_max: out: highest DMA address of any entry's last byte
 * @longest: out: length of the longest entry
 * @runs: out: number of DMA-contiguous runs (consecutive entries that
 *	continue each other's DMA address range merge into one run)
 * @violations: out: number of entries breaking the device's limits
 * @violation_kinds: out: DMALAB_IMP_VIOL_* seen in any entry
 * @progs_entries: out: engine programmings needed when the engine is
 *	programmed per entry, in chunks of at most max_xfer (no IOMMU view)
 * @progs_runs: out: engine programmings needed when contiguous runs are
 *	programmed as one range, in chunks of at most max_xfer (IOMMU view)
 * @dir: out: DMALAB_IMP_DIR_* of the mapping
 * @entries_ptr: in: user pointer to an array of struct
 *	dmalab_imp_sg_entry, or 0; non-zero requires CAP_SYS_ADMIN (-EPERM)
 * @entries_cap: in: capacity of @entries_ptr in entries (0 with no array)
 * @entries_count: out: number of entries written to @entries_ptr
 * @entries_elem_size: in: sizeof(struct dmalab_imp_sg_entry) as user space
 *	knows it, at least its 1.0 size (16), at most 4096; 0 with no array
 * @pad: must be 0
 * @reserved: must be 0
 */
struct dmalab_imp_sg_info {
	__u32 size;
	__u32 flags;
	__u32 attach_id;
	__u32 nents;
	__u64 total_len;
	__u64 dma_min;
	__u64 dma_max;
	__u64 longest;
	__u32 runs;
	__u32 violations;
	__u32 violation_kinds;
	__u32 progs_entries;
	__u32 progs_runs;
	__u32 dir;
	__u64 entries_ptr;
	__u32 entries_cap;
	__u32 entries_count;
	__u32 entries_elem_size;
	__u32 pad;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_cpu - CPU access to a buffer (DMALAB_IMP_IOC_CPU)
 * @size: sizeof(struct dmalab_imp_cpu)
 * @flags: must be 0
 * @handle: in: handle
 * @op: in: DMALAB_IMP_CPU_*; WRITE and FILL of a read-only buffer give
 *	-EACCES
 * @offset: in: first byte of the range
 * @len: in: length of the range (> 0, within the buffer)
 * @user_ptr: in: user buffer of @len bytes for READ and WRITE, else 0
 * @pattern: in: byte value (0..255) for FILL, else 0
 * @pad: must be 0
 * @checksum: out: FNV-1a 64 of the range for CHECKSUM
 * @reserved: must be 0
 *
 * The access goes through dma_buf_vmap() and is bracketed by
 * dma_buf_begin_cpu_access() / dma_buf_end_cpu_access(), which also waits
 * for the buffer's pending fences.
 */
struct dmalab_imp_cpu {
	__u32 size;
	__u32 flags;
	__u32 handle;
	__u32 op;
	__u64 offset;
	__u64 len;
	__u64 user_ptr;
	__u32 pattern;
	__u32 pad;
	__u64 checksum;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_job - submit a DMA job to a device (DMALAB_IMP_IOC_JOB)
 * @size: sizeof(struct dmalab_imp_job)
 * @flags: must be 0
 * @op: in: DMALAB_IMP_JOB_*
 * @timeout_ms: in: time allowed to dependencies and device, 0 for 5000
 * @src_attach: in: mapped attachment read by COPY and CHECKSUM, else 0
 * @dst_attach: in: mapped attachment written by COPY and FILL, else 0;
 *	both attachments must be to the same device; -EACCES when it is of a
 *	read-only buffer
 * @src_offset: in: offset in the source buffer
 * @dst_offset: in: offset in the destination buffer
 * @len: in: bytes to move (> 0, within both buffers); a COPY whose two
 *	ranges overlap in one dma-buf is refused with -EINVAL
 * @pattern: in: byte value (0..255) for FILL, else 0
 * @job_id: out: id for DMALAB_IMP_IOC_WAIT
 * @reserved: must be 0
 *
 * The job adds a fence to each buffer's dma_resv (write usage for the
 * buffer it writes, read usage for the one it reads) after collecting the
 * fences already there, which it waits for before starting. The call
 * returns once the job is queued; a file holds at most 64 jobs not yet
 * waited for (-EAGAIN). A job that does not finish within @timeout_ms fails
 * with -ETIMEDOUT and its fence signals with that error. A job one of whose
 * collected fences signals with an error does not run: it fails with
 * -ECANCELED, its buffers untouched.
 */
struct dmalab_imp_job {
	__u32 size;
	__u32 flags;
	__u32 op;
	__u32 timeout_ms;
	__u32 src_attach;
	__u32 dst_attach;
	__u64 src_offset;
	__u64 dst_offset;
	__u64 len;
	__u32 pattern;
	__u32 job_id;
	__u64 reserved[2];
};

/**
 * struct dmalab_imp_wait - wait for a job (DMALAB_IMP_IOC_WAIT)
 * @size: sizeof(struct dmalab_imp_wait)
 * @flags: must be 0
 * @job_id: in: id from DMALAB_IMP_IOC_JOB; freed once its end is reported
 * @status: out: 0, or the job's negative errno (e.g. -ETIMEDOUT, or
 *	-ECANCELED when a fence it depended on failed)
 * @deadline_ns: in: CLOCK_MONOTONIC time to give up at, in nanoseconds;
 *	0 waits until the job ends, which its own timeout bounds
 * @checksum: out: for CHECKSUM jobs, FNV-1a 64 of the source range
 * @reserved: must be 0
 *
 * Waits interruptibly: a signal restarts the call, or fails it with -EINTR
 * when the handler does not restart calls; the job is still there to wait
 * for. At @deadline_ns the call fails with -ETIME and the job stays too.
 */
struct dmalab_imp_wait {
	__u32 size;
	__u32 flags;
	__u32 job_id;
	__s32 status;
	__u64 deadline_ns;
	__u64 checksum;
	__u64 reserved[2];
};

#define DMALAB_IMP_IOC_MAGIC	0xD3

#define DMALAB_IMP_IOC_VERSION	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x40, struct dmalab_imp_version)
#define DMALAB_IMP_IOC_IMPORT	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x41, struct dmalab_imp_import)
#define DMALAB_IMP_IOC_RELEASE	_IOW(DMALAB_IMP_IOC_MAGIC, 0x42, struct dmalab_imp_id)
#define DMALAB_IMP_IOC_DEV_LIST	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x43, struct dmalab_imp_dev_list)
#define DMALAB_IMP_IOC_DEV_INFO	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x44, struct dmalab_imp_dev_info)
#define DMALAB_IMP_IOC_SIM_CREATE _IOWR(DMALAB_IMP_IOC_MAGIC, 0x45, struct dmalab_imp_sim_create)
#define DMALAB_IMP_IOC_SIM_DESTROY _IOW(DMALAB_IMP_IOC_MAGIC, 0x46, struct dmalab_imp_id)
#define DMALAB_IMP_IOC_ATTACH	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x47, struct dmalab_imp_attach)
#define DMALAB_IMP_IOC_DETACH	_IOW(DMALAB_IMP_IOC_MAGIC, 0x48, struct dmalab_imp_id)
#define DMALAB_IMP_IOC_MAP	_IOW(DMALAB_IMP_IOC_MAGIC, 0x49, struct dmalab_imp_map)
#define DMALAB_IMP_IOC_UNMAP	_IOW(DMALAB_IMP_IOC_MAGIC, 0x4a, struct dmalab_imp_id)
#define DMALAB_IMP_IOC_SG_INFO	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x4b, struct dmalab_imp_sg_info)
#define DMALAB_IMP_IOC_CPU	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x4c, struct dmalab_imp_cpu)
#define DMALAB_IMP_IOC_JOB	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x4d, struct dmalab_imp_job)
#define DMALAB_IMP_IOC_WAIT	_IOWR(DMALAB_IMP_IOC_MAGIC, 0x4e, struct dmalab_imp_wait)

#endif /* _UAPI_LINUX_DMALAB_IMP_H */
