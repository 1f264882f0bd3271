// SPDX-License-Identifier: GPL-2.0
/*
 * File operations of /dev/dmalab_imp: per-file state and ioctl dispatch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "imp.h"

union dmalab_imp_ioc_arg {
	struct dmalab_imp_import import;
	struct dmalab_imp_id id;
	struct dmalab_imp_dev_list list;
	struct dmalab_imp_dev_info info;
	struct dmalab_imp_sim_create sim;
	struct dmalab_imp_attach attach;
	struct dmalab_imp_map map;
	struct dmalab_imp_sg_info sg;
	struct dmalab_imp_cpu cpu;
	struct dmalab_imp_job job;
	struct dmalab_imp_wait wait;
};

static bool dmalab_imp_is_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

static int dmalab_imp_open(struct inode *inode, struct file *file)
{
	struct dmalab_imp_file *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	xa_init_flags(&f->handles, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->atts, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->jobs, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->sims, XA_FLAGS_ALLOC1);
	atomic_set(&f->inflight, 0);
	file->private_data = f;
	return 0;
}

/* Jobs first (they use mappings), then unmap, detach, put, then devices. */
static int dmalab_imp_release_file(struct inode *inode, struct file *file)
{
	struct dmalab_imp_file *f = file->private_data;

	dmalab_imp_job_drain(f);
	mutex_lock(&f->lock);
	dmalab_imp_release_all(f);
	dmalab_imp_sim_destroy_all(f);
	mutex_unlock(&f->lock);
	xa_destroy(&f->handles);
	xa_destroy(&f->atts);
	xa_destroy(&f->jobs);
	xa_destroy(&f->sims);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

/* Common header checks: size, flags allowed, reserved tail zero. */
static int dmalab_imp_check(u32 size, size_t want, u32 flags, u32 allowed,
			    const void *rsv, size_t rsv_len)
{
	if (size != want)
		return -EINVAL;
	if (flags & ~allowed)
		return -EINVAL;
	if (rsv && !dmalab_imp_is_zero(rsv, rsv_len))
		return -EINVAL;
	return 0;
}

#define DMALAB_IMP_CHECK(a, allowed) ({					\
	typeof(a) _a = (a);						\
	dmalab_imp_check(_a->size, sizeof(*_a), _a->flags, (allowed),	\
			 _a->reserved, sizeof(_a->reserved));		\
})

static int dmalab_imp_check_id(struct dmalab_imp_id *a)
{
	return DMALAB_IMP_CHECK(a, 0) ?: (a->pad ? -EINVAL : 0);
}

static long dmalab_imp_dispatch(struct dmalab_imp_file *f, unsigned int cmd,
				union dmalab_imp_ioc_arg *a)
{
	long ret;

	switch (cmd) {
	case DMALAB_IMP_IOC_IMPORT:
		ret = DMALAB_IMP_CHECK(&a->import, 0);
		if (ret || a->import.handle || a->import.buf_size)
			return ret ?: -EINVAL;
		mutex_lock(&f->lock);
		ret = dmalab_imp_import(f, &a->import);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_RELEASE:
		ret = dmalab_imp_check_id(&a->id);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = dmalab_imp_release(f, a->id.id);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_DEV_LIST:
		ret = DMALAB_IMP_CHECK(&a->list, 0);
		if (ret || a->list.pad)
			return ret ?: -EINVAL;
		mutex_lock(&f->lock);
		ret = dmalab_imp_dev_list(f, &a->list);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_DEV_INFO:
		ret = DMALAB_IMP_CHECK(&a->info, 0);
		if (ret || a->info.pad)
			return ret ?: -EINVAL;
		mutex_lock(&f->lock);
		ret = dmalab_imp_dev_info(f, &a->info);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_SIM_CREATE:
		ret = DMALAB_IMP_CHECK(&a->sim, DMALAB_IMP_SIM_FLAGS);
		if (ret || a->sim.pad || a->sim.dev_id)
			return ret ?: -EINVAL;
		mutex_lock(&f->lock);
		ret = dmalab_imp_sim_create(f, &a->sim);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_SIM_DESTROY:
		ret = dmalab_imp_check_id(&a->id);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = dmalab_imp_sim_destroy(f, a->id.id);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_ATTACH:
		ret = DMALAB_IMP_CHECK(&a->attach, 0);
		if (ret || a->attach.pad || a->attach.attach_id)
			return ret ?: -EINVAL;
		mutex_lock(&f->lock);
		ret = dmalab_imp_attach(f, &a->attach);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_DETACH:
		ret = dmalab_imp_check_id(&a->id);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = dmalab_imp_detach(f, a->id.id);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_MAP:
		ret = DMALAB_IMP_CHECK(&a->map, 0);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = dmalab_imp_map(f, &a->map);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_UNMAP:
		ret = dmalab_imp_check_id(&a->id);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = dmalab_imp_unmap(f, a->id.id);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_SG_INFO:
		ret = DMALAB_IMP_CHECK(&a->sg, 0);
		if (ret)
			return ret;
		mutex_lock(&f->lock);
		ret = dmalab_imp_sg_info(f, &a->sg);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_CPU:
		ret = DMALAB_IMP_CHECK(&a->cpu, 0);
		if (ret || a->cpu.pad || a->cpu.checksum)
			return ret ?: -EINVAL;
		mutex_lock(&f->lock);
		ret = dmalab_imp_cpu(f, &a->cpu);
		mutex_unlock(&f->lock);
		return ret;
	case DMALAB_IMP_IOC_JOB:
		ret = DMALAB_IMP_CHECK(&a->job, DMALAB_IMP_JOB_FLAGS);
		if (ret || a->job.job_id || a->job.checksum)
			return ret ?: -EINVAL;
		return dmalab_imp_job_submit(f, &a->job);
	case DMALAB_IMP_IOC_WAIT:
		ret = DMALAB_IMP_CHECK(&a->wait, 0);
		if (ret || a->wait.status || a->wait.checksum)
			return ret ?: -EINVAL;
		return dmalab_imp_job_wait(f, &a->wait);
	}
	return -ENOTTY;
}

static long dmalab_imp_ioctl(struct file *file, unsigned int cmd,
			     unsigned long uarg)
{
	struct dmalab_imp_file *f = file->private_data;
	void __user *up = (void __user *)uarg;
	union dmalab_imp_ioc_arg a;
	size_t size = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != DMALAB_IMP_IOC_MAGIC || size > sizeof(a))
		return -ENOTTY;
	memset(&a, 0, sizeof(a));
	if (copy_from_user(&a, up, size))
		return -EFAULT;
	ret = dmalab_imp_dispatch(f, cmd, &a);
	/* Results go back to user space only on success. */
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(up, &a, size))
		return -EFAULT;
	return ret;
}

const struct file_operations dmalab_imp_fops = {
	.owner = THIS_MODULE,
	.open = dmalab_imp_open,
	.release = dmalab_imp_release_file,
	.unlocked_ioctl = dmalab_imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
