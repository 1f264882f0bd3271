/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libdmalab: user-space access to the dmalab exporter (/dev/dmalab_exp), the
 * dmalab importer (/dev/dmalab_imp) and the standard dma-buf ioctls.
 *
 * Conventions of every function:
 *  - it returns 0 (or a file descriptor, a count) on success and -errno on
 *    failure; errno is left as the failing call set it;
 *  - its last argument is a &struct dmalab_err, which may be NULL; on failure
 *    it receives the code and a one-line message naming what failed;
 *  - it keeps no state of its own: everything lives in the caller's file
 *    descriptors and structs, so the library is safe in threads as long as
 *    each thread uses its own &struct dmalab_err.
 *
 * Importer handles, attachments and jobs belong to the open file of
 * /dev/dmalab_imp that made them: keep that fd open while using them.
 */
#ifndef DMALAB_H
#define DMALAB_H

#include <stddef.h>
#include <stdint.h>

#include <linux/dma-buf.h>
#include <linux/dmalab_exp.h>
#include <linux/dmalab_imp.h>

#ifdef __cplusplus
extern "C" {
#endif

/* linux-libc-dev before 6.0 lacks the sync_file ioctls (added in 6.0). */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;
	__s32 fd;
};

struct dma_buf_import_sync_file {
	__u32 flags;
	__s32 fd;
};

#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE \
	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE \
	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

#define DMALAB_ERR_LEN	256

/**
 * struct dmalab_err - the error of the last failing call that was given it
 * @code: negative errno, 0 when nothing failed
 * @msg: NUL-terminated one-line message: what was attempted and why it failed
 */
struct dmalab_err {
	int code;
	char msg[DMALAB_ERR_LEN];
};

/**
 * dmalab_err_set() - report a failure as the library's calls do
 * @err: error report, may be NULL
 * @code: a positive errno (0 or less counts as EIO)
 * @fmt: printf format of what was attempted; ": strerror(@code)" follows
 *
 * For code built on the library (the conformance checker, applications)
 * to report its own failures the same way.
 *
 * Return: -@code, so that callers can write `return dmalab_err_set(...)`.
 */
int dmalab_err_set(struct dmalab_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- helpers (util.c) ---- */

/**
 * dmalab_parse_size() - parse a byte count with an optional K, M or G suffix
 * @s: text such as "4096", "64K", "2M", "1G" or "0x1000" (suffixes are
 *	binary: K = 1024; "KiB" and "KB" are accepted too)
 * @out: receives the value
 * @err: error report, may be NULL
 *
 * Return: 0, or -EINVAL for malformed text, -ERANGE on overflow.
 */
int dmalab_parse_size(const char *s, uint64_t *out, struct dmalab_err *err);

/**
 * dmalab_fnv1a64() - continue a 64-bit FNV-1a hash, as the importer computes
 * @h: the hash so far, %DMALAB_IMP_FNV_OFFSET to start
 * @p: bytes to add
 * @len: their number
 *
 * Return: the new hash.
 */
uint64_t dmalab_fnv1a64(uint64_t h, const void *p, size_t len);

/**
 * dmalab_pattern_byte() - byte at offset @off of the tool's test pattern
 * @seed: pattern seed; different seeds give different contents
 * @off: byte offset in the buffer
 *
 * The pattern differs from page to page so that misplaced pages show.
 *
 * Return: the byte.
 */
static inline uint8_t dmalab_pattern_byte(uint32_t seed, uint64_t off)
{
	return (uint8_t)((off * 131) ^ (off >> 12) ^ (off >> 20) ^ seed);
}

/* ---- any dma-buf (buf.c, sync_file.c) ---- */

/**
 * dmalab_buf_size() - size of a dma-buf, through lseek(SEEK_END)
 * @fd: dma-buf file descriptor
 * @size: receives the size in bytes
 * @err: error report, may be NULL
 *
 * The file offset is put back to 0.
 *
 * Return: 0 or -errno (-ESPIPE: @fd is not a dma-buf).
 */
int dmalab_buf_size(int fd, uint64_t *size, struct dmalab_err *err);

/**
 * dmalab_buf_fdinfo() - one field of a file's /proc/self/fdinfo entry
 * @fd: file descriptor (a dma-buf's has "exp_name", "size", "name", ...)
 * @key: the field, without its colon
 * @buf: receives the value, leading blanks and the newline left out
 * @len: size of @buf
 * @err: error report, may be NULL
 *
 * Only dma-bufs have "exp_name": it tells a dma-buf, and its exporter, from
 * any other file.
 *
 * Return: 0, -EBADF when @fd is not open, -ENOENT when it has no @key.
 */
int dmalab_buf_fdinfo(int fd, const char *key, char *buf, size_t len,
		      struct dmalab_err *err);

/**
 * dmalab_buf_sync() - DMA_BUF_IOCTL_SYNC around CPU access
 * @fd: dma-buf file descriptor
 * @flags: DMA_BUF_SYNC_START or DMA_BUF_SYNC_END, ORed with
 *	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE or DMA_BUF_SYNC_RW
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_buf_sync(int fd, uint64_t flags, struct dmalab_err *err);

/**
 * dmalab_buf_set_name() - DMA_BUF_SET_NAME
 * @fd: dma-buf file descriptor
 * @name: at most %DMA_BUF_NAME_LEN - 1 bytes
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno (-EINVAL for a name too long).
 */
int dmalab_buf_set_name(int fd, const char *name, struct dmalab_err *err);

/**
 * dmalab_buf_mmap() - map a range of a dma-buf (or of a bound exporter fd)
 * @fd: file descriptor to map
 * @offset: page-aligned offset
 * @len: bytes to map
 * @prot: PROT_READ and/or PROT_WRITE
 * @addr: receives the address (MAP_SHARED mapping), to munmap() later
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_buf_mmap(int fd, uint64_t offset, uint64_t len, int prot,
		    void **addr, struct dmalab_err *err);

/**
 * dmalab_buf_poll() - wait for a dma-buf's fences through poll()
 * @fd: dma-buf file descriptor
 * @events: POLLIN waits for writers (the CPU may read), POLLOUT for every
 *	fence (the CPU may write)
 * @timeout_ms: poll() timeout, -1 for none
 * @err: error report, may be NULL
 *
 * Return: 1 when ready, 0 on timeout, or -errno.
 */
int dmalab_buf_poll(int fd, short events, int timeout_ms,
		    struct dmalab_err *err);

/**
 * dmalab_buf_export_sync_file() - DMA_BUF_IOCTL_EXPORT_SYNC_FILE
 * @fd: dma-buf file descriptor
 * @flags: DMA_BUF_SYNC_READ (the fences a reader waits for: writers) or
 *	DMA_BUF_SYNC_WRITE (every fence) or both
 * @err: error report, may be NULL
 *
 * Return: a new sync_file fd (close it) or -errno.
 */
int dmalab_buf_export_sync_file(int fd, uint32_t flags,
				struct dmalab_err *err);

/**
 * dmalab_buf_import_sync_file() - DMA_BUF_IOCTL_IMPORT_SYNC_FILE
 * @fd: dma-buf file descriptor
 * @flags: DMA_BUF_SYNC_READ (add as a reader) or DMA_BUF_SYNC_WRITE
 * @sync_fd: the sync_file whose fence to add
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_buf_import_sync_file(int fd, uint32_t flags, int sync_fd,
				struct dmalab_err *err);

/**
 * dmalab_sync_file_wait() - wait for a sync_file to signal
 * @sync_fd: sync_file fd
 * @timeout_ms: poll() timeout, -1 for none
 * @err: error report, may be NULL
 *
 * Return: 1 signalled, 0 timeout, or -errno.
 */
int dmalab_sync_file_wait(int sync_fd, int timeout_ms, struct dmalab_err *err);

/* ---- the exporter (exp.c) ---- */

/**
 * struct dmalab_alloc_opts - what dmalab_alloc() asks the exporter for
 * @len: bytes, a multiple of the page size
 * @placement: an &enum dmalab_exp_placement
 * @timing: an &enum dmalab_exp_timing
 * @flags: %DMALAB_EXP_ALLOC_* strategy flags
 * @addr_bits: 0, or the physical address limit in bits
 * @cloexec: non-zero to make the fd close-on-exec
 * @name: NULL, or a name to set with DMA_BUF_SET_NAME
 * @read_only: non-zero for a dma-buf file opened without O_RDWR: it cannot
 *	be mapped writable, and its importers may only read it
 */
struct dmalab_alloc_opts {
	uint64_t len;
	uint32_t placement;
	uint32_t timing;
	uint32_t flags;
	uint32_t addr_bits;
	int cloexec;
	const char *name;
	int read_only;
};

/**
 * dmalab_exp_open() - open /dev/dmalab_exp
 * @err: error report, may be NULL
 *
 * Return: the fd (close-on-exec) or -errno.
 */
int dmalab_exp_open(struct dmalab_err *err);

/**
 * dmalab_alloc() - allocate a dma-buf from the exporter
 * @exp_fd: fd of /dev/dmalab_exp, or -1 to open it for this call only
 * @opts: what to allocate
 * @err: error report, may be NULL
 *
 * Return: the new dma-buf fd (read-write unless @opts->read_only) or -errno.
 */
int dmalab_alloc(int exp_fd, const struct dmalab_alloc_opts *opts,
		 struct dmalab_err *err);

/**
 * dmalab_exp_get_info() - DMALAB_EXP_IOC_INFO on one of the exporter's buffers
 * @exp_fd: fd of /dev/dmalab_exp
 * @buf_fd: the dma-buf
 * @info: receives the buffer's state
 * @att: NULL, or an array receiving the attached devices
 * @att_cap: capacity of @att; @info->attach_count gives entries written
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno (-EXDEV: a dma-buf of another exporter).
 */
int dmalab_exp_get_info(int exp_fd, int buf_fd, struct dmalab_exp_info *info,
			struct dmalab_exp_attach_info *att, unsigned int att_cap,
			struct dmalab_err *err);

/**
 * dmalab_exp_get_stats() - DMALAB_EXP_IOC_STATS
 * @exp_fd: fd of /dev/dmalab_exp
 * @st: receives the module's counters
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_exp_get_stats(int exp_fd, struct dmalab_exp_stats *st,
			 struct dmalab_err *err);

/**
 * dmalab_exp_bind() - choose the buffer mmap() of @exp_fd maps
 * @exp_fd: fd of /dev/dmalab_exp
 * @buf_fd: a dma-buf fd, or -1 to unbind
 * @err: error report, may be NULL
 *
 * After this, dmalab_buf_mmap(@exp_fd, ...) maps the buffer through the
 * exporter's device and dma_buf_mmap() (the study note's example 2).
 *
 * Return: 0 or -errno.
 */
int dmalab_exp_bind(int exp_fd, int buf_fd, struct dmalab_err *err);

/**
 * dmalab_exp_get_version() - DMALAB_EXP_IOC_VERSION
 * @exp_fd: fd of /dev/dmalab_exp
 * @v: receives the interface version the module speaks
 * @err: error report, may be NULL
 *
 * A module older than UAPI 1.0 has no VERSION: it takes the command for
 * its ALLOC (same type and number) and refuses the short struct.
 *
 * Return: 0 or -errno (-EINVAL: a module older than UAPI 1.0).
 */
int dmalab_exp_get_version(int exp_fd, struct dmalab_exp_version *v,
			   struct dmalab_err *err);

/* ---- the importer (imp.c, imp_map.c, imp_job.c) ---- */

/**
 * dmalab_imp_open() - open /dev/dmalab_imp
 * @err: error report, may be NULL
 *
 * Return: the fd (close-on-exec) or -errno.
 */
int dmalab_imp_open(struct dmalab_err *err);

/**
 * dmalab_imp_import_fd() - import a dma-buf into the importer
 * @imp_fd: fd of /dev/dmalab_imp
 * @buf_fd: any dma-buf fd
 * @handle: receives the handle
 * @size: receives the buffer's size, may be NULL
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_import_fd(int imp_fd, int buf_fd, uint32_t *handle,
			 uint64_t *size, struct dmalab_err *err);

/**
 * dmalab_imp_release() - drop a handle
 * @imp_fd: fd of /dev/dmalab_imp
 * @handle: the handle
 * @err: error report, may be NULL
 *
 * Detach its attachments first: they do not go with the handle.
 *
 * Return: 0 or -errno (-EBUSY while the handle has attachments).
 */
int dmalab_imp_release(int imp_fd, uint32_t handle, struct dmalab_err *err);

/**
 * dmalab_imp_list_devs() - ids of the devices the importer can use
 * @imp_fd: fd of /dev/dmalab_imp
 * @ids: array receiving ids, may be NULL to count only
 * @cap: capacity of @ids
 * @err: error report, may be NULL
 *
 * Return: number of devices (may exceed @cap) or -errno.
 */
int dmalab_imp_list_devs(int imp_fd, uint32_t *ids, uint32_t cap,
			 struct dmalab_err *err);

/**
 * dmalab_imp_get_dev_info() - describe a device
 * @imp_fd: fd of /dev/dmalab_imp
 * @dev_id: device id
 * @info: receives the description
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_get_dev_info(int imp_fd, uint32_t dev_id,
			    struct dmalab_imp_dev_info *info,
			    struct dmalab_err *err);

/**
 * dmalab_imp_find_dev() - resolve a device name as users write it
 * @imp_fd: fd of /dev/dmalab_imp
 * @name: a device id ("3"), "eduN" (the Nth edu device, from 0), "A" or "B"
 *	(edu0, edu1: the study note's devices), a full device name or its tail
 *	("00:10.0")
 * @dev_id: receives the id
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno (-ENODEV when nothing matches).
 */
int dmalab_imp_find_dev(int imp_fd, const char *name, uint32_t *dev_id,
			struct dmalab_err *err);

/**
 * dmalab_imp_sim_create() - create a simulated device
 * @imp_fd: fd of /dev/dmalab_imp
 * @args: the device's limits (size is filled in, dev_id cleared first)
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno; @args->dev_id holds the new id.
 */
int dmalab_imp_sim_create(int imp_fd, struct dmalab_imp_sim_create *args,
			  struct dmalab_err *err);

/**
 * dmalab_imp_sim_destroy() - destroy a simulated device
 * @imp_fd: fd of /dev/dmalab_imp
 * @dev_id: its id
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_sim_destroy(int imp_fd, uint32_t dev_id, struct dmalab_err *err);

/**
 * dmalab_imp_attach_dev() - attach a handle to a device
 * @imp_fd: fd of /dev/dmalab_imp
 * @handle: the handle
 * @dev_id: the device
 * @attach_id: receives the attachment id
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno (-ERANGE: the exporter cannot serve this device).
 */
int dmalab_imp_attach_dev(int imp_fd, uint32_t handle, uint32_t dev_id,
			  uint32_t *attach_id, struct dmalab_err *err);

/**
 * dmalab_imp_detach() - detach an attachment
 * @imp_fd: fd of /dev/dmalab_imp
 * @attach_id: the attachment
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_detach(int imp_fd, uint32_t attach_id, struct dmalab_err *err);

/**
 * dmalab_imp_map_attach() - map an attachment (dma_buf_map_attachment)
 * @imp_fd: fd of /dev/dmalab_imp
 * @attach_id: the attachment
 * @dir: DMALAB_IMP_DIR_*
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_map_attach(int imp_fd, uint32_t attach_id, uint32_t dir,
			  struct dmalab_err *err);

/**
 * dmalab_imp_unmap_attach() - unmap an attachment
 * @imp_fd: fd of /dev/dmalab_imp
 * @attach_id: the attachment
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_unmap_attach(int imp_fd, uint32_t attach_id,
			    struct dmalab_err *err);

/**
 * dmalab_imp_get_sg_info() - describe a mapping's sg_table
 * @imp_fd: fd of /dev/dmalab_imp
 * @attach_id: a mapped attachment
 * @info: receives the summary
 * @ents: NULL, or an array receiving the entries (needs CAP_SYS_ADMIN)
 * @cap: capacity of @ents; @info->entries_count gives entries written
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_get_sg_info(int imp_fd, uint32_t attach_id,
			   struct dmalab_imp_sg_info *info,
			   struct dmalab_imp_sg_entry *ents, uint32_t cap,
			   struct dmalab_err *err);

/**
 * struct dmalab_imp_mapping - a dma-buf imported, attached and mapped
 * @handle: the import handle
 * @attach_id: the attachment
 * @dev_id: the device
 * @size: the buffer's size
 */
struct dmalab_imp_mapping {
	uint32_t handle;
	uint32_t attach_id;
	uint32_t dev_id;
	uint64_t size;
};

/**
 * dmalab_imp_map_fd() - import @buf_fd, attach it to @dev_id and map it
 * @imp_fd: fd of /dev/dmalab_imp
 * @buf_fd: any dma-buf fd
 * @dev_id: the device
 * @dir: DMALAB_IMP_DIR_*
 * @m: receives the handle and attachment
 * @err: error report, may be NULL
 *
 * On failure nothing stays imported.
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_map_fd(int imp_fd, int buf_fd, uint32_t dev_id, uint32_t dir,
		      struct dmalab_imp_mapping *m, struct dmalab_err *err);

/**
 * dmalab_imp_unmap_fd() - undo dmalab_imp_map_fd()
 * @imp_fd: fd of /dev/dmalab_imp
 * @m: the mapping
 *
 * Return: 0 or the first -errno met (every step is still tried).
 */
int dmalab_imp_unmap_fd(int imp_fd, const struct dmalab_imp_mapping *m);

/**
 * dmalab_imp_cpu_op() - kernel CPU access through dma_buf_vmap()
 * @imp_fd: fd of /dev/dmalab_imp
 * @c: the operation (size is filled in, checksum cleared first);
 *	@c->checksum receives the result of %DMALAB_IMP_CPU_CHECKSUM
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_cpu_op(int imp_fd, struct dmalab_imp_cpu *c,
		      struct dmalab_err *err);

/**
 * dmalab_imp_submit_job() - queue a DMA job (copy, fill, checksum) on a device
 * @imp_fd: fd of /dev/dmalab_imp
 * @job: the job (size is filled in, job_id cleared first: an output
 *	that must be zero going in); @job->job_id receives its id
 * @err: error report, may be NULL
 *
 * Returns once the job is queued: wait for it with dmalab_imp_wait_job()
 * (a file holds at most 64 jobs not yet waited for: -EAGAIN).
 *
 * Return: 0 or -errno.
 */
int dmalab_imp_submit_job(int imp_fd, struct dmalab_imp_job *job,
			  struct dmalab_err *err);

/**
 * dmalab_imp_wait_job() - wait for a job and collect its result
 * @imp_fd: fd of /dev/dmalab_imp
 * @job_id: the id dmalab_imp_submit_job() returned
 * @timeout_ms: how long to wait, or -1 until the job ends (its own timeout
 *	bounds that); the deadline is computed once, so signals that
 *	interrupt the wait do not extend it
 * @checksum: receives a checksum job's result, may be NULL
 * @err: error report, may be NULL
 *
 * Return: 0, the job's -errno (the job is then gone), or the wait's -errno
 * (-ETIME at the deadline: the job is still there to wait for).
 */
int dmalab_imp_wait_job(int imp_fd, uint32_t job_id, int timeout_ms,
			uint64_t *checksum, struct dmalab_err *err);

/**
 * dmalab_imp_run_job() - run a DMA job to its end: submit, then wait
 * @imp_fd: fd of /dev/dmalab_imp
 * @job: the job (size is filled in)
 * @checksum: receives a checksum job's result, may be NULL
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno (the job's own error, or the submission's).
 */
int dmalab_imp_run_job(int imp_fd, struct dmalab_imp_job *job,
		       uint64_t *checksum, struct dmalab_err *err);

/**
 * dmalab_imp_get_version() - DMALAB_IMP_IOC_VERSION
 * @imp_fd: fd of /dev/dmalab_imp
 * @v: receives the interface version the module speaks
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno (-ENOTTY: a module older than UAPI 1.0).
 */
int dmalab_imp_get_version(int imp_fd, struct dmalab_imp_version *v,
			   struct dmalab_err *err);

/* ---- other exporters' dma-bufs (drm.c, sources.c) ---- */

/**
 * dmalab_drm_open() - open the first DRM card whose driver is @driver
 * @driver: the driver's name, such as "vgem"
 * @path: NULL, or receives the card's path ("/dev/dri/card0")
 * @path_len: size of @path
 * @err: error report, may be NULL
 *
 * Return: the card's fd (close-on-exec) or -errno (-ENODEV: no such card).
 */
int dmalab_drm_open(const char *driver, char *path, size_t path_len,
		    struct dmalab_err *err);

/**
 * dmalab_drm_prime_export() - DRM_IOCTL_PRIME_HANDLE_TO_FD
 * @drm_fd: the DRM card's fd
 * @handle: a GEM handle of @drm_fd
 * @flags: O_RDWR and/or O_CLOEXEC for the new fd
 * @err: error report, may be NULL
 *
 * Return: the dma-buf fd or -errno.
 */
int dmalab_drm_prime_export(int drm_fd, uint32_t handle, int flags,
			    struct dmalab_err *err);

/**
 * dmalab_drm_prime_import() - DRM_IOCTL_PRIME_FD_TO_HANDLE
 * @drm_fd: the DRM card's fd
 * @buf_fd: any dma-buf fd
 * @handle: receives the GEM handle, to close with dmalab_drm_gem_close()
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_drm_prime_import(int drm_fd, int buf_fd, uint32_t *handle,
			    struct dmalab_err *err);

/**
 * dmalab_drm_gem_close() - DRM_IOCTL_GEM_CLOSE
 * @drm_fd: the DRM card's fd
 * @handle: the GEM handle to drop
 * @err: error report, may be NULL
 *
 * Return: 0 or -errno.
 */
int dmalab_drm_gem_close(int drm_fd, uint32_t handle, struct dmalab_err *err);

/**
 * dmalab_vgem_alloc() - a vgem dumb buffer, exported by PRIME
 * @vgem_fd: fd of the vgem card (dmalab_drm_open("vgem", ...)), or -1 to
 *	open it for this call only
 * @len: bytes, rounded up to the page size
 * @handle: NULL, or receives the GEM handle, to close with
 *	dmalab_drm_gem_close() after the fd; 0 when the card was opened for
 *	this call (the dma-buf alone holds the object then)
 * @err: error report, may be NULL
 *
 * vgem allocates the pages when the buffer is first pinned (mapped,
 * attached), not here.
 *
 * Return: the read-write dma-buf fd (close-on-exec) or -errno (-ENODEV: no
 * vgem).
 */
int dmalab_vgem_alloc(int vgem_fd, uint64_t len, uint32_t *handle,
		      struct dmalab_err *err);

/**
 * dmalab_heap_open() - open a dma-buf heap
 * @heap: its name in /dev/dma_heap, NULL for "system"
 * @err: error report, may be NULL
 *
 * Return: the heap's fd (close-on-exec) or -errno.
 */
int dmalab_heap_open(const char *heap, struct dmalab_err *err);

/**
 * dmalab_heap_alloc() - DMA_HEAP_IOCTL_ALLOC
 * @heap_fd: fd of a heap, or -1 to open the system heap for this call only
 * @len: bytes
 * @err: error report, may be NULL
 *
 * Return: the read-write dma-buf fd (close-on-exec) or -errno.
 */
int dmalab_heap_alloc(int heap_fd, uint64_t len, struct dmalab_err *err);

/**
 * dmalab_heap_alloc_from() - a buffer from the dma-buf heap of that name
 * @heap: its name in /dev/dma_heap ("system", "dmalab-dma32", ...)
 * @len: bytes (the heap rounds up to pages)
 * @fd_flags: the dma-buf fd's flags, O_CLOEXEC and an access mode; 0 for
 *	O_RDWR | O_CLOEXEC
 * @err: error report, may be NULL
 *
 * Return: the dma-buf fd or -errno (-ENOENT: no such heap on this kernel).
 */
int dmalab_heap_alloc_from(const char *heap, uint64_t len, uint32_t fd_flags,
			   struct dmalab_err *err);

/**
 * dmalab_udmabuf_open() - open /dev/udmabuf
 * @err: error report, may be NULL
 *
 * Return: the fd (close-on-exec) or -errno.
 */
int dmalab_udmabuf_open(struct dmalab_err *err);

/**
 * dmalab_udmabuf_alloc() - a udmabuf on a new sealed memfd
 * @udmabuf_fd: fd of /dev/udmabuf, or -1 to open it for this call only
 * @len: bytes, a multiple of the page size
 * @err: error report, may be NULL
 *
 * The udmabuf pins the memfd's pages, allocating (zeroed) the missing ones.
 *
 * Return: the dma-buf fd (close-on-exec) or -errno.
 */
int dmalab_udmabuf_alloc(int udmabuf_fd, uint64_t len, struct dmalab_err *err);

/* ---- every dma-buf on the machine (ps.c) ---- */

#define DMALAB_PS_COMM_LEN	16	/* TASK_COMM_LEN */
#define DMALAB_PS_EXP_LEN	64

/**
 * enum dmalab_ps_via - how a process holds a dma-buf
 * @DMALAB_PS_VIA_FD: an open file descriptor (/proc/PID/fd)
 * @DMALAB_PS_VIA_MAP: a mapping (/proc/PID/maps), with or without an fd
 */
enum dmalab_ps_via {
	DMALAB_PS_VIA_FD,
	DMALAB_PS_VIA_MAP,
};

/**
 * struct dmalab_ps_buf - one dma-buf, as the processes holding it show it
 * @ino: its inode number: one per buffer, whichever process shows it
 * @size: bytes; for a buffer no process holds an fd of (only mappings),
 *	the longest mapping of it (the size when mapped whole; @size_known 0)
 * @size_known: @size and @exporter come from the buffer itself (an fd's
 *	fdinfo, or /sys/kernel/dmabuf where the kernel has it); a mapping
 *	alone shows only its length, inode and name
 * @exporter: the exporter's name (exp_name), "" when unknown
 * @name: the name set with DMA_BUF_SET_NAME, "" when none
 * @nr_procs: processes holding it (by fd, mapping or both)
 * @nr_fds: file descriptors on it, over every process
 * @nr_maps: mappings of it, over every process
 */
struct dmalab_ps_buf {
	uint64_t ino;
	uint64_t size;
	int size_known;
	char exporter[DMALAB_PS_EXP_LEN];
	char name[DMA_BUF_NAME_LEN];
	unsigned int nr_procs;
	unsigned int nr_fds;
	unsigned int nr_maps;
};

/**
 * struct dmalab_ps_proc - one process holding dma-bufs, or not readable
 * @pid: its pid
 * @uid: its owner (of /proc/PID)
 * @comm: its command (/proc/PID/comm)
 * @error: 0, or the -errno that kept its fds or maps from being read
 *	(-EACCES: another user's process and no CAP_SYS_PTRACE); what could
 *	be read is listed all the same
 * @nr_bufs: distinct buffers it holds
 * @nr_fds: its fds on dma-bufs
 * @nr_maps: its mappings of dma-bufs
 * @bytes: the sizes of its distinct buffers, added up
 * @pss: its proportional share: each buffer's size divided by the number
 *	of processes holding it, added up
 */
struct dmalab_ps_proc {
	int pid;
	unsigned int uid;
	char comm[DMALAB_PS_COMM_LEN];
	int error;
	unsigned int nr_bufs;
	unsigned int nr_fds;
	unsigned int nr_maps;
	uint64_t bytes;
	uint64_t pss;
};

/**
 * struct dmalab_ps_ref - one holder's reference to one buffer
 * @ino: the buffer's inode number
 * @pid: the holder
 * @via: an &enum dmalab_ps_via
 * @fd: the fd number (%DMALAB_PS_VIA_FD), else -1
 * @map_start: first address of the mapping (%DMALAB_PS_VIA_MAP)
 * @map_end: the address after it
 * @buf: index of the buffer in &dmalab_ps.bufs
 * @proc: index of the holder in &dmalab_ps.procs
 */
struct dmalab_ps_ref {
	uint64_t ino;
	int pid;
	int via;
	int fd;
	uint64_t map_start;
	uint64_t map_end;
	unsigned int buf;
	unsigned int proc;
};

/**
 * struct dmalab_ps - what dmalab_ps_scan() found; free with dmalab_ps_free()
 * @bufs: every buffer seen, @nr_bufs of them
 * @nr_bufs: entries in @bufs
 * @procs: the processes holding a buffer, and those that could not be
 *	read (&dmalab_ps_proc.error), @nr_procs of them
 * @nr_procs: entries in @procs
 * @refs: every (buffer, holder) reference, @nr_refs of them, grouped by
 *	process
 * @nr_refs: entries in @refs
 * @nr_scanned: processes looked at
 * @nr_unreadable: processes of @procs whose fds or maps could not be read
 */
struct dmalab_ps {
	struct dmalab_ps_buf *bufs;
	unsigned int nr_bufs;
	struct dmalab_ps_proc *procs;
	unsigned int nr_procs;
	struct dmalab_ps_ref *refs;
	unsigned int nr_refs;
	unsigned int nr_scanned;
	unsigned int nr_unreadable;
};

/**
 * dmalab_ps_scan() - every dma-buf of every process the caller may inspect
 * @ps: receives the buffers, holders and references (the arrays are
 *	allocated here: free them with dmalab_ps_free())
 * @err: error report, may be NULL
 *
 * Reads /proc/PID/fd and fdinfo (exp_name, size, name, ino) and
 * /proc/PID/maps (dma-buf mappings, with or without an fd) of every
 * process, and joins them by the buffer's inode number: Android's
 * dmabuf_dump for any Linux, with no module loaded. As root every process
 * is read; otherwise those the caller may ptrace (its own), and the others
 * are listed with their &dmalab_ps_proc.error. Processes come and go
 * during the scan: it is a snapshot, not an atomic one.
 *
 * Return: 0 or -errno (-ENOMEM; /proc not mounted).
 */
int dmalab_ps_scan(struct dmalab_ps *ps, struct dmalab_err *err);

/**
 * dmalab_ps_free() - free what dmalab_ps_scan() allocated
 * @ps: the scan; zeroed
 */
void dmalab_ps_free(struct dmalab_ps *ps);

/**
 * dmalab_pidfd_getfd() - a duplicate of another process's fd
 * @pid: the process
 * @fd: its fd number (dmalab_ps_scan() lists them)
 * @err: error report, may be NULL
 *
 * pidfd_open(2) and pidfd_getfd(2) (Linux 5.6): the new fd refers to the
 * same open file, here a dma-buf the caller may then inspect or check in
 * place. Needs the rights of ptrace over @pid (CAP_SYS_PTRACE, or the same
 * user where the Yama LSM allows it).
 *
 * Return: the new fd (close-on-exec) or -errno (-EPERM: no ptrace rights,
 * -ESRCH: no such process, -EBADF: no such fd, -ENOSYS: kernel before 5.6).
 */
int dmalab_pidfd_getfd(int pid, int fd, struct dmalab_err *err);

#ifdef __cplusplus
}
#endif

#endif /* DMALAB_H */
