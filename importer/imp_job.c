// SPDX-License-Identifier: GPL-2.0
/*
 * DMA jobs: each job publishes a dma_fence in the dma_resv of the buffers it
 * touches and waits, by callbacks, for the fences that were there before
 * it; once they have signalled it runs on its device's ordered workqueue
 * and is signalled from the device's completion (interrupt) path, or with
 * -ETIMEDOUT when its deadline passes first, or with -ECANCELED without
 * running when a dependency failed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-resv.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include <dmalab/compat.h>

#include "imp.h"

static const char *dmalab_imp_fence_driver(struct dma_fence *fence)
{
	return KBUILD_MODNAME;
}

/* A fixed name: the fence may outlive the simulated device that ran it. */
static const char *dmalab_imp_fence_timeline(struct dma_fence *fence)
{
	return "dmalab_imp-dma";
}

/*
 * Frees the job, whose first member is the fence, after a grace period as
 * dma_fence_free() would. module_put() is the last thing this module's
 * code does for the fence: the module's exit waits, with rcu_barrier(),
 * for this callback to have returned.
 */
static void dmalab_imp_fence_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct dma_fence, rcu));
	module_put(THIS_MODULE);
}

/*
 * A fence outlives its file and device in the buffers' dma_resv, and its
 * ops are this module's code: each fence holds a module reference, dropped
 * from an RCU callback rather than here, where returning would still run
 * this module's code after the reference is gone.
 */
static void dmalab_imp_fence_release(struct dma_fence *fence)
{
	call_rcu(&fence->rcu, dmalab_imp_fence_free_rcu);
}

static const struct dma_fence_ops dmalab_imp_fence_ops = {
	.get_driver_name = dmalab_imp_fence_driver,
	.get_timeline_name = dmalab_imp_fence_timeline,
	.release = dmalab_imp_fence_release,
};

/**
 * dmalab_imp_cursor_seek() - place a cursor at a byte offset of a mapping
 * @c: cursor
 * @sgt: mapped table
 * @off: byte offset in DMA order
 *
 * Return: false when @off is beyond the mapping.
 */
bool dmalab_imp_cursor_seek(struct dmalab_imp_cursor *c, struct sg_table *sgt,
			    u64 off)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (off < sg_dma_len(sg)) {
			c->sg = sg;
			c->off = off;
			c->left = sgt->nents - i;
			return true;
		}
		off -= sg_dma_len(sg);
	}
	return false;
}

/**
 * dmalab_imp_cursor_span() - bytes left in the cursor's entry
 * @c: cursor
 *
 * Return: contiguous DMA bytes from the cursor.
 */
u64 dmalab_imp_cursor_span(const struct dmalab_imp_cursor *c)
{
	return sg_dma_len(c->sg) - c->off;
}

/**
 * dmalab_imp_cursor_advance() - move a cursor forward
 * @c: cursor
 * @n: bytes, at most dmalab_imp_cursor_span()
 */
void dmalab_imp_cursor_advance(struct dmalab_imp_cursor *c, u64 n)
{
	c->off += n;
	while (c->left > 1 && c->off >= sg_dma_len(c->sg)) {
		c->off -= sg_dma_len(c->sg);
		c->sg = sg_next(c->sg);
		c->left--;
	}
}

/**
 * dmalab_imp_cursor_dma() - DMA address at the cursor
 * @c: cursor
 *
 * Return: the bus address the device must use.
 */
dma_addr_t dmalab_imp_cursor_dma(const struct dmalab_imp_cursor *c)
{
	return sg_dma_address(c->sg) + c->off;
}

/* Publish the status through the fence. No allocation, no resv. */
static void dmalab_imp_job_fence_signal(struct dmalab_imp_dma_job *job,
					int status)
{
	job->status = status;
	if (status)
		dma_fence_set_error(&job->fence, status);
	dma_fence_signal(&job->fence);
}

/*
 * The device is done with the job's mappings (they may be unmapped from
 * now on); publish the status through the fence.
 */
static void dmalab_imp_job_signal(struct dmalab_imp_dma_job *job, int status)
{
	if (job->src)
		atomic_dec(&job->src->busy);
	if (job->dst)
		atomic_dec(&job->dst->busy);
	dmalab_imp_job_fence_signal(job, status);
}

/**
 * dmalab_imp_job_hw_done() - completion path: the device finished a job
 * @idev: device
 * @job: job the device was running
 * @status: 0 or negative errno
 *
 * Called from interrupt context; allocates nothing and takes no resv lock.
 * Only the first of completion and timeout signals the fence.
 */
void dmalab_imp_job_hw_done(struct dmalab_imp_dev *idev,
			    struct dmalab_imp_dma_job *job, int status)
{
	unsigned long flags;
	bool cookie;

	spin_lock_irqsave(&idev->lock, flags);
	if (idev->cur_job != job) {
		spin_unlock_irqrestore(&idev->lock, flags);
		return;
	}
	idev->cur_job = NULL;
	spin_unlock_irqrestore(&idev->lock, flags);

	cookie = dma_fence_begin_signalling();
	dmalab_imp_job_signal(job, status);
	dma_fence_end_signalling(cookie);
	complete(&job->hw_done);
	/* The worker also wakes for a removal: it waits on the global queue. */
	wake_up_all(&dmalab_imp_idle_wq);
}

static long dmalab_imp_job_remaining(struct dmalab_imp_dma_job *job)
{
	long left = (long)(job->deadline - jiffies);

	return left > 0 ? left : 0;
}

/*
 * The engine may still be writing the job's buffers: its mappings stay busy
 * (leaked rather than freed under it, until the device's removal has
 * stopped its DMA) and the device takes no more jobs. Said once: only the
 * device's worker gets here.
 */
static void dmalab_imp_job_wedge(struct dmalab_imp_dev *idev)
{
	if (idev->wedged)
		return;
	WRITE_ONCE(idev->wedged, true);
	dev_err(idev->dev,
		"DMA engine stuck: device wedged until removed; UNMAP and DETACH of its last job's mappings fail with -EBUSY, new jobs with -EIO\n");
}

static void dmalab_imp_job_run(struct dmalab_imp_dma_job *job)
{
	struct dmalab_imp_dev *idev = job->idev;
	bool mine = false, dead;
	int ret;

	spin_lock_irq(&idev->lock);
	ret = idev->dead ? -ENODEV : idev->wedged ? -EIO : 0;
	if (!ret)
		idev->cur_job = job;
	spin_unlock_irq(&idev->lock);
	if (ret) {
		dmalab_imp_job_signal(job, ret);
		return;
	}

	ret = idev->ops->start(idev, job);
	if (ret) {
		dmalab_imp_job_hw_done(idev, job, ret);
		return;
	}
	/* Until the device finishes, the deadline, or the device's removal. */
	wait_event_timeout(dmalab_imp_idle_wq,
			   completion_done(&job->hw_done) ||
			   READ_ONCE(idev->dead),
			   dmalab_imp_job_remaining(job));

	spin_lock_irq(&idev->lock);
	if (idev->cur_job == job) {
		idev->cur_job = NULL;
		mine = true;
	}
	dead = idev->dead;
	spin_unlock_irq(&idev->lock);
	if (!mine) {
		/* The completion path won the race and is signalling. */
		wait_for_completion(&job->hw_done);
		return;
	}
	if (!dead)
		dev_warn_ratelimited(idev->dev, "job timed out\n");
	ret = dead ? -ENODEV : -ETIMEDOUT;
	if (idev->ops->abort && idev->ops->abort(idev, job)) {
		dmalab_imp_job_wedge(idev);
		/* A fence must signal; the busy mappings keep the pages. */
		dmalab_imp_job_fence_signal(job, ret);
		return;
	}
	dmalab_imp_job_signal(job, ret);
}

/* The job's dependencies are met, failed, or out of time: run it (once). */
static void dmalab_imp_job_ready(struct dmalab_imp_dma_job *job)
{
	if (!test_and_set_bit(DMALAB_IMP_JOB_QUEUED, &job->flags))
		queue_work(job->idev->wq, &job->work);
}

/*
 * A dependency signalled: the last one makes the job ready, and so does a
 * failed one, which cancels the job. Runs in the signaller's context, with
 * that fence's lock held: it only queues.
 */
static void dmalab_imp_job_dep_cb(struct dma_fence *fence,
				  struct dma_fence_cb *cb)
{
	struct dmalab_imp_dep *dep = container_of(cb, struct dmalab_imp_dep, cb);
	struct dmalab_imp_dma_job *job = dep->job;

	if (atomic_dec_and_test(&job->pending) || fence->error)
		dmalab_imp_job_ready(job);
}

static enum hrtimer_restart dmalab_imp_job_expire(struct hrtimer *t)
{
	dmalab_imp_job_ready(container_of(t, struct dmalab_imp_dma_job,
					  dep_timer));
	return HRTIMER_NORESTART;
}

/*
 * Wait for the dependencies without blocking the device's queue: a
 * callback on each (drm_sched style), and a timer for the deadline.
 */
static void dmalab_imp_job_arm(struct dmalab_imp_dma_job *job)
{
	unsigned int i;

	atomic_set(&job->pending, job->n_deps + 1);
	dmalab_imp_hrtimer_setup(&job->dep_timer, dmalab_imp_job_expire);
	hrtimer_start(&job->dep_timer,
		      ns_to_ktime(jiffies_to_nsecs(dmalab_imp_job_remaining(job))),
		      HRTIMER_MODE_REL);
	for (i = 0; i < job->n_deps; i++) {
		job->deps[i].job = job;
		if (dma_fence_add_callback(job->deps[i].fence, &job->deps[i].cb,
					   dmalab_imp_job_dep_cb)) {
			/* Signalled already: a failure is seen by the worker. */
			atomic_dec(&job->pending);
		}
	}
	if (atomic_dec_and_test(&job->pending))
		dmalab_imp_job_ready(job);
}

static void dmalab_imp_job_put_deps(struct dmalab_imp_dma_job *job)
{
	unsigned int i;

	for (i = 0; i < job->n_deps; i++)
		dma_fence_put(job->deps[i].fence);
	kfree(job->deps);
	job->deps = NULL;
	job->n_deps = 0;
}

/*
 * Stop the timer and the callbacks, then judge the dependencies: one that
 * failed cancels the job (-ECANCELED: its input or the order it relied on
 * is gone), one still pending means the deadline passed (-ETIMEDOUT).
 */
static int dmalab_imp_job_deps_status(struct dmalab_imp_dma_job *job)
{
	int ret = 0, st;
	unsigned int i;

	hrtimer_cancel(&job->dep_timer);
	for (i = 0; i < job->n_deps; i++) {
		/* Under the fence's lock, so no callback runs after this. */
		dma_fence_remove_callback(job->deps[i].fence, &job->deps[i].cb);
		st = dma_fence_get_status(job->deps[i].fence);
		if (st < 0)
			ret = -ECANCELED;
		else if (!st && !ret)
			ret = -ETIMEDOUT;
	}
	dmalab_imp_job_put_deps(job);
	return ret;
}

static void dmalab_imp_job_work(struct work_struct *work)
{
	struct dmalab_imp_dma_job *job = container_of(work, struct dmalab_imp_dma_job,
						   work);
	struct dmalab_imp_file *f = job->file;
	bool cookie;
	int ret;

	ret = dmalab_imp_job_deps_status(job);
	if (READ_ONCE(job->idev->dead))
		ret = -ENODEV;
	/* From here to the signal: no allocation, no resv, no fence wait. */
	cookie = dma_fence_begin_signalling();
	if (!ret)
		dmalab_imp_job_run(job);
	else
		dmalab_imp_job_signal(job, ret);
	dma_fence_end_signalling(cookie);

	spin_lock_irq(&job->idev->lock);
	list_del(&job->dev_node);
	spin_unlock_irq(&job->idev->lock);
	/* After this the file may be gone: only the global queue is touched. */
	atomic_dec(&f->inflight);
	wake_up_all(&dmalab_imp_idle_wq);
	dma_fence_put(&job->fence);
}

/* Lock up to two reservation objects with the ww protocol. */
static int dmalab_imp_lock_resvs(struct dma_resv **r, int n,
				 struct ww_acquire_ctx *ctx)
{
	struct dma_resv *contended = NULL;
	int i, j, ret;

	ww_acquire_init(ctx, &reservation_ww_class);
retry:
	if (contended) {
		ret = dma_resv_lock_slow_interruptible(contended, ctx);
		if (ret)
			goto fini_ctx;
	}
	for (i = 0; i < n; i++) {
		if (r[i] == contended)
			continue;
		ret = dma_resv_lock_interruptible(r[i], ctx);
		if (!ret)
			continue;
		for (j = 0; j < i; j++)
			if (r[j] != contended)
				dma_resv_unlock(r[j]);
		if (contended)
			dma_resv_unlock(contended);
		if (ret != -EDEADLK)
			goto fini_ctx;
		contended = r[i];
		goto retry;
	}
	ww_acquire_done(ctx);
	return 0;

fini_ctx:
	ww_acquire_fini(ctx);
	return ret;
}

static void dmalab_imp_unlock_resvs(struct dma_resv **r, int n,
				    struct ww_acquire_ctx *ctx)
{
	int i;

	for (i = 0; i < n; i++)
		dma_resv_unlock(r[i]);
	ww_acquire_fini(ctx);
}

/* Append the unsignalled fences @job must wait for in @resv to job->deps. */
static int dmalab_imp_job_collect(struct dmalab_imp_dma_job *job,
				  struct dma_resv *resv, bool write)
{
	struct dma_fence **fences;
	struct dmalab_imp_dep *all;
	unsigned int n, i;
	int ret;

	ret = dma_resv_get_fences(resv, dma_resv_usage_rw(write), &n, &fences);
	if (ret)
		return ret;
	if (!n)
		return 0;
	all = krealloc_array(job->deps, job->n_deps + n, sizeof(*all),
			     GFP_KERNEL_ACCOUNT);
	if (!all) {
		for (i = 0; i < n; i++)
			dma_fence_put(fences[i]);
		kfree(fences);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		all[job->n_deps + i].fence = fences[i];
	job->deps = all;
	job->n_deps += n;
	kfree(fences);
	return 0;
}

/*
 * Publish the job's fence and arm its dependencies. Jobs of one device
 * start in the order their dependencies are met, not in submission order,
 * so each job's fence has a context of its own: dma_resv_add_fence()
 * replaces a fence by a later one of the same context, which is only
 * right if the later one cannot signal first.
 */
static int dmalab_imp_job_publish(struct dmalab_imp_dma_job *job)
{
	struct dmalab_imp_dev *idev = job->idev;
	struct dma_resv *resv[2];
	bool write[2];
	struct ww_acquire_ctx ctx;
	int n = 0, i, ret;

	if (job->dst) {
		resv[n] = job->dst->buf->dmabuf->resv;
		write[n++] = true;
	}
	if (job->src && (!n || job->src->buf->dmabuf->resv != resv[0])) {
		resv[n] = job->src->buf->dmabuf->resv;
		write[n++] = false;
	}

	mutex_lock(&idev->submit_lock);
	ret = -ENODEV;
	if (idev->dead)
		goto unlock_submit;
	ret = -EIO;
	if (READ_ONCE(idev->wedged))
		goto unlock_submit;
	ret = dmalab_imp_lock_resvs(resv, n, &ctx);
	if (ret)
		goto unlock_submit;
	for (i = 0; i < n; i++) {
		ret = dma_resv_reserve_fences(resv[i], 1);
		if (ret)
			goto unlock_resvs;
		ret = dmalab_imp_job_collect(job, resv[i], write[i]);
		if (ret)
			goto unlock_resvs;
	}
	dma_fence_init(&job->fence, &dmalab_imp_fence_ops, &job->fence_lock,
		       dma_fence_context_alloc(1), ++idev->seqno);
	__module_get(THIS_MODULE);	/* dropped by the fence's release */
	for (i = 0; i < n; i++)
		dma_resv_add_fence(resv[i], &job->fence,
				   write[i] ? DMA_RESV_USAGE_WRITE :
					      DMA_RESV_USAGE_READ);
	dmalab_imp_unlock_resvs(resv, n, &ctx);

	/* One reference for the worker; the caller keeps the initial one. */
	dma_fence_get(&job->fence);
	/* Listed and armed before a removal can look (submit_lock). */
	spin_lock_irq(&idev->lock);
	list_add_tail(&job->dev_node, &idev->jobs);
	spin_unlock_irq(&idev->lock);
	dmalab_imp_job_arm(job);
	mutex_unlock(&idev->submit_lock);
	return 0;

unlock_resvs:
	dmalab_imp_unlock_resvs(resv, n, &ctx);
unlock_submit:
	mutex_unlock(&idev->submit_lock);
	dmalab_imp_job_put_deps(job);
	return ret;
}

static struct dmalab_imp_att *
dmalab_imp_job_att(struct dmalab_imp_file *f, u32 id, u64 off, u64 len,
		   bool write, int *err)
{
	struct dmalab_imp_att *att = xa_load(&f->atts, id);

	*err = -ENOENT;
	if (!att)
		return NULL;
	*err = -ENODEV;
	if (att->revoked)
		return NULL;
	*err = -EBADFD;
	if (!att->sgt)
		return NULL;
	/* MAP refuses such mappings already; say why, whatever the direction. */
	*err = -EACCES;
	if (write && !att->buf->writable)
		return NULL;
	*err = -EINVAL;
	if (att->dir != DMA_BIDIRECTIONAL &&
	    att->dir != (write ? DMA_FROM_DEVICE : DMA_TO_DEVICE))
		return NULL;
	if (off > att->dma_len || len > att->dma_len - off)
		return NULL;
	*err = 0;
	return att;
}

static int dmalab_imp_job_check(struct dmalab_imp_job *arg)
{
	bool src = arg->op != DMALAB_IMP_JOB_FILL;
	bool dst = arg->op != DMALAB_IMP_JOB_CHECKSUM;

	if (arg->op < DMALAB_IMP_JOB_COPY || arg->op > DMALAB_IMP_JOB_CHECKSUM)
		return -EINVAL;
	if (!arg->len || arg->pattern > 0xff ||
	    (arg->pattern && arg->op != DMALAB_IMP_JOB_FILL))
		return -EINVAL;
	if (arg->timeout_ms > DMALAB_IMP_MAX_TIMEOUT_MS)
		return -EINVAL;
	if (src != !!arg->src_attach || dst != !!arg->dst_attach)
		return -EINVAL;
	if ((!src && arg->src_offset) || (!dst && arg->dst_offset))
		return -EINVAL;
	return 0;
}

static struct dmalab_imp_dma_job *
dmalab_imp_job_prepare(struct dmalab_imp_file *f, struct dmalab_imp_job *arg)
{
	struct dmalab_imp_att *src = NULL, *dst = NULL;
	struct dmalab_imp_dma_job *job;
	int ret;

	ret = dmalab_imp_job_check(arg);
	if (ret)
		return ERR_PTR(ret);
	if (arg->src_attach) {
		src = dmalab_imp_job_att(f, arg->src_attach, arg->src_offset,
					 arg->len, false, &ret);
		if (!src)
			return ERR_PTR(ret);
	}
	if (arg->dst_attach) {
		dst = dmalab_imp_job_att(f, arg->dst_attach, arg->dst_offset,
					 arg->len, true, &ret);
		if (!dst)
			return ERR_PTR(ret);
	}
	if (src && dst && src->idev != dst->idev)
		return ERR_PTR(-EXDEV);
	/* Engines copy in chunks: overlapping ranges would give any result. */
	if (src && dst && src->buf->dmabuf == dst->buf->dmabuf &&
	    arg->src_offset < arg->dst_offset + arg->len &&
	    arg->dst_offset < arg->src_offset + arg->len)
		return ERR_PTR(-EINVAL);

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&job->fence_lock);
	INIT_WORK(&job->work, dmalab_imp_job_work);
	init_completion(&job->hw_done);
	job->file = f;
	job->idev = src ? src->idev : dst->idev;
	job->src = src;
	job->dst = dst;
	job->op = arg->op;
	job->pattern = arg->pattern;
	job->src_off = arg->src_offset;
	job->dst_off = arg->dst_offset;
	job->len = arg->len;
	job->checksum = DMALAB_IMP_FNV_OFFSET;
	job->deadline = jiffies + msecs_to_jiffies(arg->timeout_ms ?:
						   DMALAB_IMP_DEF_TIMEOUT_MS);
	if (src)
		dmalab_imp_cursor_seek(&job->scur, src->sgt, job->src_off);
	if (dst)
		dmalab_imp_cursor_seek(&job->dcur, dst->sgt, job->dst_off);
	return job;
}

/**
 * dmalab_imp_job_submit() - DMALAB_IMP_IOC_JOB: queue a job, do not wait
 * @f: calling file, not locked
 * @arg: ioctl argument; @arg->job_id receives the job's id
 *
 * The job's id holds a fence reference until DMALAB_IMP_IOC_WAIT has
 * reported the job's end, or until the file is closed.
 *
 * Return: 0, -EAGAIN with DMALAB_IMP_MAX_JOBS ids held, or another
 * negative errno.
 */
int dmalab_imp_job_submit(struct dmalab_imp_file *f, struct dmalab_imp_job *arg)
{
	struct dmalab_imp_dma_job *job;
	u32 id;
	int ret;

	mutex_lock(&f->lock);
	job = dmalab_imp_job_prepare(f, arg);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto unlock;
	}
	ret = -EAGAIN;
	if (f->n_jobs >= DMALAB_IMP_MAX_JOBS)
		goto free_job;
	/* Not found by WAIT before it is published: f->lock is held. */
	ret = xa_alloc(&f->jobs, &id, job, xa_limit_31b, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto free_job;
	job->id = id;
	/* Counted before the worker can run and drop them. */
	if (job->src)
		atomic_inc(&job->src->busy);
	if (job->dst)
		atomic_inc(&job->dst->busy);
	atomic_inc(&f->inflight);
	ret = dmalab_imp_job_publish(job);
	if (ret)
		goto uncount;
	f->n_jobs++;
	mutex_unlock(&f->lock);
	arg->job_id = id;
	return 0;

uncount:
	atomic_dec(&f->inflight);
	if (job->src)
		atomic_dec(&job->src->busy);
	if (job->dst)
		atomic_dec(&job->dst->busy);
	xa_erase(&f->jobs, id);
free_job:
	kfree(job);
unlock:
	mutex_unlock(&f->lock);
	return ret;
}

/*
 * Wait for @job until @deadline_ns (CLOCK_MONOTONIC, 0: until it ends),
 * rounding up as drm_timeout_abs_to_jiffies() does so as not to give up
 * before the deadline. Return: 0 once the job has ended, -ETIME at the
 * deadline, -ERESTARTSYS on a signal.
 */
static int dmalab_imp_job_wait_until(struct dmalab_imp_dma_job *job,
				     u64 deadline_ns)
{
	long timeout = MAX_SCHEDULE_TIMEOUT;
	u64 now;
	long ret;

	if (deadline_ns) {
		now = ktime_get_ns();
		/* Past it: look under the fence's lock, pending signal or not. */
		if (deadline_ns <= now)
			return dma_fence_wait_timeout(&job->fence, false, 0) ?
			       0 : -ETIME;
		timeout = min_t(u64, nsecs_to_jiffies64(deadline_ns - now),
				MAX_SCHEDULE_TIMEOUT - 2) + 1;
	}
	ret = dma_fence_wait_timeout(&job->fence, true, timeout);
	if (ret < 0)
		return ret;
	return ret ? 0 : -ETIME;
}

/**
 * dmalab_imp_job_wait() - DMALAB_IMP_IOC_WAIT
 * @f: calling file, not locked
 * @arg: ioctl argument
 *
 * Waits interruptibly, without f->lock, until the job ends or
 * @arg->deadline_ns passes. A job that has ended is reported even when the
 * deadline has passed, and its id is freed then; otherwise the job stays,
 * and a restarted call finds it again (the deadline is absolute).
 *
 * Return: 0 (the job's status is in @arg->status), -ENOENT, -ETIME at the
 * deadline, or -ERESTARTSYS on a signal.
 */
int dmalab_imp_job_wait(struct dmalab_imp_file *f, struct dmalab_imp_wait *arg)
{
	struct dmalab_imp_dma_job *job;
	int ret;

	mutex_lock(&f->lock);
	job = xa_load(&f->jobs, arg->job_id);
	if (job)
		dma_fence_get(&job->fence);
	mutex_unlock(&f->lock);
	if (!job)
		return -ENOENT;

	ret = dmalab_imp_job_wait_until(job, arg->deadline_ns);
	if (ret)
		goto put_fence;
	arg->status = job->status;
	if (job->op == DMALAB_IMP_JOB_CHECKSUM && !job->status)
		arg->checksum = job->checksum;

	/* Another WAIT on the same id may have reported and freed it. */
	mutex_lock(&f->lock);
	if (xa_load(&f->jobs, arg->job_id) == job) {
		xa_erase(&f->jobs, arg->job_id);
		f->n_jobs--;
		dma_fence_put(&job->fence);
	}
	mutex_unlock(&f->lock);
put_fence:
	dma_fence_put(&job->fence);
	return ret;
}

/**
 * dmalab_imp_job_drain() - wait for a closing file's jobs, drop their ids
 * @f: file being released
 *
 * Every job not yet reported by DMALAB_IMP_IOC_WAIT holds an id and, with
 * it, a fence reference, dropped here once no job of the file runs.
 * Bounded: every job signals by its deadline.
 */
void dmalab_imp_job_drain(struct dmalab_imp_file *f)
{
	struct dmalab_imp_dma_job *job;
	unsigned long id;

	wait_event(dmalab_imp_idle_wq, !atomic_read(&f->inflight));
	xa_for_each(&f->jobs, id, job) {
		xa_erase(&f->jobs, id);
		dma_fence_put(&job->fence);
	}
	f->n_jobs = 0;
}

/**
 * dmalab_imp_dev_init_engine() - set up job execution for a device
 * @idev: device
 * @name: workqueue name
 *
 * Return: 0 or -ENOMEM.
 */
int dmalab_imp_dev_init_engine(struct dmalab_imp_dev *idev, const char *name)
{
	/* Fences wait on this queue: it must run under memory pressure. */
	idev->wq = alloc_ordered_workqueue("%s", WQ_MEM_RECLAIM, name);
	if (!idev->wq)
		return -ENOMEM;
	mutex_init(&idev->submit_lock);
	spin_lock_init(&idev->lock);
	idev->seqno = 0;
	idev->cur_job = NULL;
	INIT_LIST_HEAD(&idev->jobs);
	idev->dead = false;
	idev->wedged = false;
	mutex_init(&idev->att_lock);
	INIT_LIST_HEAD(&idev->atts);
	atomic_set(&idev->n_users, 0);
	return 0;
}

/**
 * dmalab_imp_dev_fini_engine() - tear down job execution of a device
 * @idev: device without jobs in flight
 */
void dmalab_imp_dev_fini_engine(struct dmalab_imp_dev *idev)
{
	destroy_workqueue(idev->wq);
	mutex_destroy(&idev->submit_lock);
	mutex_destroy(&idev->att_lock);
}

/**
 * dmalab_imp_dev_kill_jobs() - end every job of a device being removed
 * @idev: device, already off the registry
 *
 * No job is published after this; jobs waiting for their dependencies run
 * now, and with the job on the engine end with -ENODEV (the engine aborted)
 * without waiting for their deadlines. Returns once every worker is done.
 */
void dmalab_imp_dev_kill_jobs(struct dmalab_imp_dev *idev)
{
	struct dmalab_imp_dma_job *job;

	mutex_lock(&idev->submit_lock);
	spin_lock_irq(&idev->lock);
	WRITE_ONCE(idev->dead, true);
	list_for_each_entry(job, &idev->jobs, dev_node)
		dmalab_imp_job_ready(job);
	spin_unlock_irq(&idev->lock);
	mutex_unlock(&idev->submit_lock);
	wake_up_all(&dmalab_imp_idle_wq);	/* the worker of the job running */
	flush_workqueue(idev->wq);
}
