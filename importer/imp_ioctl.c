// SPDX-License-Identifier: GPL-2.0
/*
 * File operations of /dev/dmalab_imp: per-file state and ioctl dispatch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "imp.h"

/* The UAPI's limit on @size (-E2BIG above it). */
#define DMALAB_IMP_MAX_ARG_SIZE	SZ_4K
/* The importer's numbers: 0x40-0x7F of the magic it shares. */
#define DMALAB_IMP_IOC_BASE	_IOC_NR(DMALAB_IMP_IOC_VERSION)

union dmalab_imp_ioc_arg {
	struct dmalab_imp_version version;
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
	kref_init(&f->ref);
	mutex_init(&f->lock);
	xa_init_flags(&f->handles, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->atts, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->jobs, XA_FLAGS_ALLOC1);
	xa_init_flags(&f->sims, XA_FLAGS_ALLOC1);
	atomic_set(&f->inflight, 0);
	file->private_data = f;
	return 0;
}

static void dmalab_imp_file_free(struct kref *ref)
{
	struct dmalab_imp_file *f = container_of(ref, struct dmalab_imp_file,
						 ref);

	mutex_destroy(&f->lock);
	kfree(f);
}

/**
 * dmalab_imp_file_get() - keep a file's state while its device is removed
 * @f: file, found through one of its attachments
 */
void dmalab_imp_file_get(struct dmalab_imp_file *f)
{
	kref_get(&f->ref);
}

/**
 * dmalab_imp_file_put() - drop a reference from dmalab_imp_file_get()
 * @f: file
 */
void dmalab_imp_file_put(struct dmalab_imp_file *f)
{
	kref_put(&f->ref, dmalab_imp_file_free);
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
	dmalab_imp_file_put(f);
	return 0;
}

/* 1.0 structs end with @reserved: what a later version adds comes after it. */
#define DMALAB_IMP_SIZE_1_0(type)	offsetofend(struct type, reserved)

/* Output fields from @from up to @to (excluded): all zero on input? */
static bool dmalab_imp_zero_span(const void *from, const void *to)
{
	return dmalab_imp_is_zero(from, to - from);
}

/* Flags beyond @allowed or a non-zero @reserved[2]: -EINVAL for every ioctl. */
static bool dmalab_imp_bad_hdr(u32 flags, u32 allowed, const __u64 *rsv)
{
	return (flags & ~allowed) || rsv[0] || rsv[1];
}

static bool dmalab_imp_bad_id(const struct dmalab_imp_id *arg)
{
	return dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) || arg->pad;
}

static int dmalab_imp_version_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_version *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) ||
	    arg->major || arg->minor || arg->features)
		return -EINVAL;
	arg->major = DMALAB_IMP_VERSION_MAJOR;
	arg->minor = DMALAB_IMP_VERSION_MINOR;
	return 0;
}

static int dmalab_imp_import_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_import *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) ||
	    arg->handle || arg->buf_size)
		return -EINVAL;
	return dmalab_imp_import(f, arg);
}

static int dmalab_imp_release_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_id *arg = data;

	return dmalab_imp_bad_id(arg) ? -EINVAL :
	       dmalab_imp_release(f, arg->id);
}

static int dmalab_imp_dev_list_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_dev_list *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) || arg->pad)
		return -EINVAL;
	return dmalab_imp_dev_list(f, arg);
}

static int dmalab_imp_dev_info_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_dev_info *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) ||
	    !dmalab_imp_zero_span(&arg->kind, &arg->reserved))
		return -EINVAL;
	return dmalab_imp_dev_info(f, arg);
}

static int dmalab_imp_sim_create_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_sim_create *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, DMALAB_IMP_SIM_FLAGS, arg->reserved) ||
	    arg->pad || arg->dev_id)
		return -EINVAL;
	return dmalab_imp_sim_create(f, arg);
}

static int dmalab_imp_sim_destroy_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_id *arg = data;

	return dmalab_imp_bad_id(arg) ? -EINVAL :
	       dmalab_imp_sim_destroy(f, arg->id);
}

static int dmalab_imp_attach_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_attach *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) ||
	    arg->pad || arg->attach_id)
		return -EINVAL;
	return dmalab_imp_attach(f, arg);
}

static int dmalab_imp_detach_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_id *arg = data;

	return dmalab_imp_bad_id(arg) ? -EINVAL :
	       dmalab_imp_detach(f, arg->id);
}

static int dmalab_imp_map_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_map *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved))
		return -EINVAL;
	return dmalab_imp_map(f, arg);
}

static int dmalab_imp_unmap_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_id *arg = data;

	return dmalab_imp_bad_id(arg) ? -EINVAL :
	       dmalab_imp_unmap(f, arg->id);
}

static int dmalab_imp_sg_info_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_sg_info *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) || arg->pad ||
	    !dmalab_imp_zero_span(&arg->nents, &arg->entries_ptr) ||
	    arg->entries_count)
		return -EINVAL;
	return dmalab_imp_sg_info(f, arg);
}

static int dmalab_imp_cpu_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_cpu *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) ||
	    arg->pad || arg->checksum)
		return -EINVAL;
	return dmalab_imp_cpu(f, arg);
}

static int dmalab_imp_job_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_job *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) || arg->job_id)
		return -EINVAL;
	return dmalab_imp_job_submit(f, arg);
}

static int dmalab_imp_wait_ioctl(struct dmalab_imp_file *f, void *data)
{
	struct dmalab_imp_wait *arg = data;

	if (dmalab_imp_bad_hdr(arg->flags, 0, arg->reserved) ||
	    arg->status || arg->checksum)
		return -EINVAL;
	return dmalab_imp_job_wait(f, arg);
}

/* The handler takes f->lock itself, or needs none. */
#define DMALAB_IMP_IOCTL_UNLOCKED	BIT(0)

/**
 * struct dmalab_imp_ioctl_desc - one ioctl of /dev/dmalab_imp
 * @cmd: the command as this module was built with
 * @func: handler; validates its own fields
 * @flags: DMALAB_IMP_IOCTL_*
 * @min_size: 1.0 size of the argument, the least @size accepted
 * @name: for debug messages
 */
struct dmalab_imp_ioctl_desc {
	unsigned int cmd;
	int (*func)(struct dmalab_imp_file *f, void *data);
	u32 flags;
	u32 min_size;
	const char *name;
};

/* Indexed by number from DMALAB_IMP_IOC_BASE; the union holds every type. */
#define DMALAB_IMP_IOCTL_DEF(ioctl, type, _func, _flags)		\
	[_IOC_NR(DMALAB_IMP_IOC_##ioctl) - DMALAB_IMP_IOC_BASE] = {	\
		.cmd = DMALAB_IMP_IOC_##ioctl,				\
		.func = _func,						\
		.flags = _flags,					\
		.min_size = DMALAB_IMP_SIZE_1_0(type) +			\
			    BUILD_BUG_ON_ZERO(sizeof(struct type) >	\
					      sizeof(union dmalab_imp_ioc_arg)), \
		.name = #ioctl,						\
	}

static const struct dmalab_imp_ioctl_desc dmalab_imp_ioctls[] = {
	DMALAB_IMP_IOCTL_DEF(VERSION, dmalab_imp_version,
			     dmalab_imp_version_ioctl, DMALAB_IMP_IOCTL_UNLOCKED),
	DMALAB_IMP_IOCTL_DEF(IMPORT, dmalab_imp_import,
			     dmalab_imp_import_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(RELEASE, dmalab_imp_id,
			     dmalab_imp_release_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(DEV_LIST, dmalab_imp_dev_list,
			     dmalab_imp_dev_list_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(DEV_INFO, dmalab_imp_dev_info,
			     dmalab_imp_dev_info_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(SIM_CREATE, dmalab_imp_sim_create,
			     dmalab_imp_sim_create_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(SIM_DESTROY, dmalab_imp_id,
			     dmalab_imp_sim_destroy_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(ATTACH, dmalab_imp_attach,
			     dmalab_imp_attach_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(DETACH, dmalab_imp_id,
			     dmalab_imp_detach_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(MAP, dmalab_imp_map,
			     dmalab_imp_map_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(UNMAP, dmalab_imp_id,
			     dmalab_imp_unmap_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(SG_INFO, dmalab_imp_sg_info,
			     dmalab_imp_sg_info_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(CPU, dmalab_imp_cpu,
			     dmalab_imp_cpu_ioctl, 0),
	DMALAB_IMP_IOCTL_DEF(JOB, dmalab_imp_job,
			     dmalab_imp_job_ioctl, DMALAB_IMP_IOCTL_UNLOCKED),
	DMALAB_IMP_IOCTL_DEF(WAIT, dmalab_imp_wait,
			     dmalab_imp_wait_ioctl, DMALAB_IMP_IOCTL_UNLOCKED),
};

/*
 * Copy the argument in by the rules of the UAPI header: @size first, equal
 * to the command's size bits, at least the 1.0 size and at most
 * DMALAB_IMP_MAX_ARG_SIZE; bytes beyond the kernel's struct must be zero.
 */
static int dmalab_imp_copy_in(const struct dmalab_imp_ioctl_desc *d,
			      unsigned int cmd, void *karg,
			      const void __user *uarg, u32 *usize)
{
	u32 size;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size != _IOC_SIZE(cmd) || size < d->min_size)
		return -EINVAL;
	if (size > DMALAB_IMP_MAX_ARG_SIZE)
		return -E2BIG;
	*usize = size;
	return copy_struct_from_user(karg, _IOC_SIZE(d->cmd), uarg, size);
}

static int dmalab_imp_call(struct dmalab_imp_file *f,
			   const struct dmalab_imp_ioctl_desc *d, void *karg)
{
	int ret;

	if (d->flags & DMALAB_IMP_IOCTL_UNLOCKED)
		return d->func(f, karg);
	mutex_lock(&f->lock);
	ret = d->func(f, karg);
	mutex_unlock(&f->lock);
	return ret;
}

static long dmalab_imp_ioctl(struct file *file, unsigned int cmd,
			     unsigned long uarg)
{
	unsigned int nr = _IOC_NR(cmd) - DMALAB_IMP_IOC_BASE;
	const size_t n = ARRAY_SIZE(dmalab_imp_ioctls);
	void __user *up = (void __user *)uarg;
	const struct dmalab_imp_ioctl_desc *d;
	union dmalab_imp_ioc_arg a;
	u32 usize;
	int ret;

	if (_IOC_TYPE(cmd) != DMALAB_IMP_IOC_MAGIC || nr >= n)
		return -ENOTTY;
	d = &dmalab_imp_ioctls[array_index_nospec(nr, n)];
	if (!d->func || _IOC_DIR(cmd) != _IOC_DIR(d->cmd))
		return -ENOTTY;
	ret = dmalab_imp_copy_in(d, cmd, &a, up, &usize) ?:
	      dmalab_imp_call(file->private_data, d, &a);
	if (ret) {
		pr_debug_ratelimited("%s: %s: %d\n", current->comm, d->name,
				     ret);
		return ret;
	}
	/* Results go back to user space only on success. */
	if ((_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(up, &a, min_t(u32, usize, _IOC_SIZE(d->cmd))))
		return -EFAULT;
	return 0;
}

const struct file_operations dmalab_imp_fops = {
	.owner = THIS_MODULE,
	.open = dmalab_imp_open,
	.release = dmalab_imp_release_file,
	.unlocked_ioctl = dmalab_imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
