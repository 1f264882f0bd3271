/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmalab_imp internal interfaces, shared by the importer's files.
 */
#ifndef DMALAB_IMP_H
#define DMALAB_IMP_H

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <uapi/linux/dmalab_imp.h>

/* Per-file caps so that one user cannot pin unbounded kernel memory. */
#define DMALAB_IMP_MAX_HANDLES	256
#define DMALAB_IMP_MAX_ATTACH	256
#define DMALAB_IMP_MAX_JOBS	64
#define DMALAB_IMP_MAX_SIMS	8
/* More device ids than DEV_LIST can ever have to report. */
#define DMALAB_IMP_MAX_DEV_IDS	1024U

#define DMALAB_IMP_DEF_TIMEOUT_MS	5000
#define DMALAB_IMP_MAX_TIMEOUT_MS	60000

struct dmalab_imp_dev;
struct dmalab_imp_dma_job;
struct dmalab_imp_file;

/**
 * struct dmalab_imp_engine_ops - how a device kind runs a job
 * @start: start @job on the device; called from the device's ordered
 *	workqueue; completion is reported through dmalab_imp_job_hw_done()
 *	from interrupt context. Returns 0 or a negative errno if the job could
 *	not start.
 * @abort: the job timed out: make the device forget it. Returns 0 once the
 *	engine is idle, or -EIO when it cannot be shown to be: the device is
 *	then wedged.
 * @quiesce: the device is being removed: stop its DMA for good (may be NULL)
 */
struct dmalab_imp_engine_ops {
	int (*start)(struct dmalab_imp_dev *idev, struct dmalab_imp_dma_job *job);
	int (*abort)(struct dmalab_imp_dev *idev, struct dmalab_imp_dma_job *job);
	void (*quiesce)(struct dmalab_imp_dev *idev);
};

/**
 * struct dmalab_imp_dev - a device buffers can be imported for
 * @dev: the struct device handed to dma_buf_attach()
 * @id: id seen by user space
 * @kind: DMALAB_IMP_KIND_*
 * @max_xfer: bytes per engine programming, 0 for no limit
 * @stall: jobs never complete (timeout testing)
 * @has_window: @win_* describe a bus window
 * @win_phys: first CPU physical address of the window
 * @win_dma: bus address of @win_phys
 * @win_size: size of the window
 * @owner: creating file for simulated devices, NULL for edu devices
 * @n_users: attachments to this device and lookups in progress
 *	(dmalab_imp_dev_get()); the device goes only once it is zero
 * @node: entry in the global device list
 * @ops: engine operations
 * @wq: ordered workqueue running this device's jobs, one at a time, in the
 *	order their dependencies were met
 * @submit_lock: orders seqno assignment and dma_resv updates
 * @seqno: last seqno handed out (each job has its own fence context)
 * @lock: protects @cur_job against the completion path, and @jobs
 * @cur_job: job on the engine, NULL when idle
 * @jobs: jobs published and not yet through their worker
 * @dead: being removed: no new job, no new attachment; set under
 *	@submit_lock and @lock
 * @wedged: an abort could not stop the engine: it takes no more jobs, and
 *	the mappings of the job it may still run stay busy until removal;
 *	set by the device's worker
 * @att_lock: protects @atts
 * @atts: attachments to this device (struct dmalab_imp_att.dev_node)
 * @priv: the kind's private data
 */
struct dmalab_imp_dev {
	struct device *dev;
	u32 id;
	u32 kind;
	u32 max_xfer;
	bool stall;
	bool has_window;
	u64 win_phys;
	u64 win_dma;
	u64 win_size;
	struct dmalab_imp_file *owner;
	atomic_t n_users;
	struct list_head node;
	const struct dmalab_imp_engine_ops *ops;
	struct workqueue_struct *wq;
	struct mutex submit_lock;	/* see @submit_lock above */
	u64 seqno;
	spinlock_t lock;		/* protects @cur_job and @jobs */
	struct dmalab_imp_dma_job *cur_job;
	struct list_head jobs;
	bool dead;
	bool wedged;
	struct mutex att_lock;		/* protects @atts */
	struct list_head atts;
	void *priv;
};

/**
 * struct dmalab_imp_buf - an imported dma-buf
 * @dmabuf: the reference this handle holds
 * @id: handle
 * @n_attach: live attachments of this handle
 * @writable: the dma-buf's file is open for writing (FMODE_WRITE); without
 *	it the importer only reads the buffer, by CPU and by device
 */
struct dmalab_imp_buf {
	struct dma_buf *dmabuf;
	u32 id;
	unsigned int n_attach;
	bool writable;
};

/**
 * struct dmalab_imp_att - an attachment of a handle to a device
 * @buf: the handle
 * @idev: the device
 * @attach: dma-buf attachment
 * @sgt: mapping, NULL when not mapped
 * @dir: direction of @sgt
 * @id: attachment id
 * @busy: jobs in flight using @sgt
 * @dma_len: total DMA length of @sgt
 * @file: the file whose id names it; NULL once that file is closed while
 *	a wedged engine may still use the mapping (an orphan, freed by the
 *	device's removal)
 * @dev_node: entry in the device's @atts
 * @revoked: the device went: unmapped and detached, only the id is left
 *	(@idev and @attach are NULL)
 */
struct dmalab_imp_att {
	struct dmalab_imp_buf *buf;
	struct dmalab_imp_dev *idev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	u32 id;
	atomic_t busy;
	u64 dma_len;
	struct dmalab_imp_file *file;
	struct list_head dev_node;
	bool revoked;
};

/**
 * struct dmalab_imp_file - state of one open file of /dev/dmalab_imp
 * @ref: the open file's reference, and a removal's revoking its attachments
 * @lock: serialises ioctls on this file
 * @handles: id -> struct dmalab_imp_buf
 * @atts: id -> struct dmalab_imp_att
 * @jobs: id -> struct dmalab_imp_dma_job (jobs whose end WAIT has not
 *	reported yet; each id holds a fence reference)
 * @sims: id -> struct dmalab_imp_dev (simulated devices owned)
 * @n_handles: entries in @handles
 * @n_atts: entries in @atts
 * @n_jobs: entries in @jobs, at most DMALAB_IMP_MAX_JOBS
 * @n_sims: entries in @sims
 * @inflight: jobs submitted from this file and not finished
 */
struct dmalab_imp_file {
	struct kref ref;
	struct mutex lock;	/* serialises this file's ioctls */
	struct xarray handles;
	struct xarray atts;
	struct xarray jobs;
	struct xarray sims;
	unsigned int n_handles;
	unsigned int n_atts;
	unsigned int n_jobs;
	unsigned int n_sims;
	atomic_t inflight;
};

/* Cursor over the DMA side of an sg_table. */
struct dmalab_imp_cursor {
	struct scatterlist *sg;
	u64 off;		/* offset inside the current entry */
	unsigned int left;	/* DMA entries from @sg to the end */
};

/**
 * struct dmalab_imp_dep - a fence a job waits for
 * @cb: callback on @fence
 * @fence: the fence, referenced
 * @job: the waiting job
 */
struct dmalab_imp_dep {
	struct dma_fence_cb cb;
	struct dma_fence *fence;
	struct dmalab_imp_dma_job *job;
};

/* Bits of dmalab_imp_dma_job.flags */
#define DMALAB_IMP_JOB_QUEUED	0	/* @work queued: happens once */

/**
 * struct dmalab_imp_dma_job - one DMA job; lives as long as its fence
 * @fence: published in the buffers' dma_resv; must stay first (freed by
 *	dma_fence_free())
 * @fence_lock: lock of @fence
 * @dev_node: entry in the device's @jobs
 * @work: runs the job on the device's workqueue
 * @hw_done: completed by the completion path
 * @dep_timer: queues @work at the deadline if dependencies are still pending
 * @pending: dependencies not yet signalled, plus one until armed
 * @flags: DMALAB_IMP_JOB_* bits
 * @file: submitting file (for @inflight accounting)
 * @idev: device running the job
 * @src: attachment read, or NULL
 * @dst: attachment written, or NULL
 * @deps: fences that were unsignalled in the resv before this job
 * @n_deps: number of @deps
 * @op: DMALAB_IMP_JOB_*
 * @pattern: FILL byte
 * @src_off: offset in @src
 * @dst_off: offset in @dst
 * @len: bytes to process
 * @deadline: jiffies by which the job must be done
 * @checksum: result of CHECKSUM
 * @status: 0 or negative errno, valid once @fence is signalled
 * @id: job id in the submitting file's @jobs
 * @scur: engine cursor in @src
 * @dcur: engine cursor in @dst
 * @done: bytes finished by the engine
 * @chunk: bytes of the transfer in progress
 * @phase: engine-specific step of the current chunk
 */
struct dmalab_imp_dma_job {
	struct dma_fence fence;
	spinlock_t fence_lock;	/* lock of @fence */
	struct list_head dev_node;
	struct work_struct work;
	struct completion hw_done;
	struct hrtimer dep_timer;
	atomic_t pending;
	unsigned long flags;
	struct dmalab_imp_file *file;
	struct dmalab_imp_dev *idev;
	struct dmalab_imp_att *src;
	struct dmalab_imp_att *dst;
	struct dmalab_imp_dep *deps;
	unsigned int n_deps;
	u32 op;
	u8 pattern;
	u64 src_off;
	u64 dst_off;
	u64 len;
	unsigned long deadline;
	u64 checksum;
	int status;
	u32 id;
	struct dmalab_imp_cursor scur;
	struct dmalab_imp_cursor dcur;
	u64 done;
	u32 chunk;
	u32 phase;
};

/* imp_main.c */
extern struct device *dmalab_imp_probe_dev;
extern wait_queue_head_t dmalab_imp_idle_wq;
extern const struct file_operations dmalab_imp_fops;
struct device *dmalab_imp_node(void);

/* imp_ioctl.c */
void dmalab_imp_file_get(struct dmalab_imp_file *f);
void dmalab_imp_file_put(struct dmalab_imp_file *f);

/* imp_dev.c: the device registry */
int dmalab_imp_dev_register(struct dmalab_imp_dev *idev);
void dmalab_imp_dev_unregister(struct dmalab_imp_dev *idev);
struct dmalab_imp_dev *dmalab_imp_dev_get(struct dmalab_imp_file *f, u32 id);
void dmalab_imp_dev_put(struct dmalab_imp_dev *idev);
int dmalab_imp_dev_add_att(struct dmalab_imp_dev *idev,
			   struct dmalab_imp_att *att);
void dmalab_imp_dev_del_att(struct dmalab_imp_dev *idev,
			    struct dmalab_imp_att *att);
void dmalab_imp_dev_orphan_att(struct dmalab_imp_dev *idev,
			       struct dmalab_imp_att *att);
int dmalab_imp_dev_list(struct dmalab_imp_file *f,
			struct dmalab_imp_dev_list *arg);
int dmalab_imp_dev_info(struct dmalab_imp_file *f,
			struct dmalab_imp_dev_info *arg);
bool dmalab_imp_dev_translated(struct device *dev);

/* imp_edu.c */
int dmalab_imp_edu_init(void);
void dmalab_imp_edu_exit(void);

/* imp_sim.c */
int dmalab_imp_sim_create(struct dmalab_imp_file *f,
			  struct dmalab_imp_sim_create *arg);
int dmalab_imp_sim_destroy(struct dmalab_imp_file *f, u32 id);
void dmalab_imp_sim_destroy_all(struct dmalab_imp_file *f);
struct device *dmalab_imp_probe_create(void);
void dmalab_imp_probe_destroy(struct device *dev);

/* imp_buf.c */
int dmalab_imp_import(struct dmalab_imp_file *f, struct dmalab_imp_import *arg);
int dmalab_imp_release(struct dmalab_imp_file *f, u32 id);
int dmalab_imp_attach(struct dmalab_imp_file *f, struct dmalab_imp_attach *arg);
int dmalab_imp_detach(struct dmalab_imp_file *f, u32 id);
int dmalab_imp_map(struct dmalab_imp_file *f, struct dmalab_imp_map *arg);
int dmalab_imp_unmap(struct dmalab_imp_file *f, u32 id);
int dmalab_imp_sg_info(struct dmalab_imp_file *f,
		       struct dmalab_imp_sg_info *arg);
void dmalab_imp_release_all(struct dmalab_imp_file *f);
void dmalab_imp_att_revoke(struct dmalab_imp_att *att);
void dmalab_imp_att_free_orphan(struct dmalab_imp_att *att);

/* imp_cpu.c */
int dmalab_imp_cpu(struct dmalab_imp_file *f, struct dmalab_imp_cpu *arg);
u64 dmalab_imp_fnv(u64 h, const u8 *p, size_t len);

/* imp_job.c */
int dmalab_imp_job_submit(struct dmalab_imp_file *f,
			  struct dmalab_imp_job *arg);
int dmalab_imp_job_wait(struct dmalab_imp_file *f,
			struct dmalab_imp_wait *arg);
void dmalab_imp_job_drain(struct dmalab_imp_file *f);
void dmalab_imp_job_hw_done(struct dmalab_imp_dev *idev,
			    struct dmalab_imp_dma_job *job, int status);
int dmalab_imp_dev_init_engine(struct dmalab_imp_dev *idev, const char *name);
void dmalab_imp_dev_fini_engine(struct dmalab_imp_dev *idev);
void dmalab_imp_dev_kill_jobs(struct dmalab_imp_dev *idev);
bool dmalab_imp_cursor_seek(struct dmalab_imp_cursor *c, struct sg_table *sgt,
			    u64 off);
u64 dmalab_imp_cursor_span(const struct dmalab_imp_cursor *c);
void dmalab_imp_cursor_advance(struct dmalab_imp_cursor *c, u64 n);
dma_addr_t dmalab_imp_cursor_dma(const struct dmalab_imp_cursor *c);

#endif /* DMALAB_IMP_H */
