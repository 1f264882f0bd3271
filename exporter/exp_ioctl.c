// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_exp ioctls of /dev/dmalab_exp, and mmap of the device itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/dmalab_exp.h>

#include <dmalab/compat.h>

#include "exp.h"

/* Bounds the kernel copy of the attachment list an INFO call returns. */
#define DMALAB_EXP_INFO_MAX_ATTACH	64
/* sizeof(struct dmalab_exp_attach_info) in UAPI 1.0: the smallest stride. */
#define DMALAB_EXP_ATTACH_INFO_SIZE_V1	80

/* What an open file of the device holds: the buffer its mmap maps. */
struct dmalab_exp_file {
	/* Protects @bound against concurrent BIND and mmap. */
	struct mutex lock;
	struct dma_buf *bound;
};

/*
 * Copy in an ioctl struct of @usize bytes (its @size field, checked against
 * the command by dmalab_exp_ioctl()); @min is the struct's 1.0 size.
 */
static int dmalab_exp_uarg_in(void *karg, size_t ksize, size_t min,
			      void __user *uarg, u32 usize)
{
	if (usize < min)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(karg, ksize, uarg, usize);
}

static int dmalab_exp_uarg_out(void __user *uarg, const void *karg,
			       size_t ksize, u32 usize)
{
	return copy_to_user(uarg, karg, min_t(size_t, ksize, usize)) ?
	       -EFAULT : 0;
}

static bool dmalab_exp_zeroed(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static int dmalab_exp_alloc_ioctl(struct file *file, void __user *uarg,
				  u32 usize)
{
	struct dmalab_exp_alloc args;
	struct dma_buf *dmabuf;
	int ret, fd;

	ret = dmalab_exp_uarg_in(&args, sizeof(args), sizeof(args), uarg,
				 usize);
	if (ret)
		return ret;
	/* Heaps may ask for other access modes; ALLOC for O_RDWR only. */
	if (args.fd_flags & ~(O_CLOEXEC | O_RDWR))
		return -EINVAL;
	dmabuf = dmalab_exp_create(&args);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	/* Install the fd only once user space has it: no fd leaks on -EFAULT. */
	fd = get_unused_fd_flags(args.fd_flags & O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto put_dmabuf;
	}
	args.fd = fd;
	ret = dmalab_exp_uarg_out(uarg, &args, sizeof(args), usize);
	if (ret)
		goto put_fd;
	fd_install(fd, dmabuf->file);
	return 0;

put_fd:
	put_unused_fd(fd);
put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

static void dmalab_exp_attach_info(struct dmalab_exp_attach *a,
				   struct dmalab_exp_attach_info *ai)
{
	strscpy(ai->dev_name, dev_name(a->dev), sizeof(ai->dev_name));
	ai->dma_mask = dma_get_mask(a->dev);
	ai->range_lo = a->reach.lo;
	ai->range_hi = a->reach.hi;
	ai->seg_boundary = dma_get_seg_boundary(a->dev);
	ai->max_seg_size = dma_get_max_seg_size(a->dev);
	ai->flags = (a->mapped ? DMALAB_EXP_ATTACH_MAPPED : 0) |
		    (a->copy ? DMALAB_EXP_ATTACH_COPY : 0) |
		    (a->translated ? DMALAB_EXP_ATTACH_IOMMU : 0);
	if (a->mapped) {
		ai->dir = a->dir;
		ai->nr_sg = a->sgt->nents;
	}
}

/* Fill @info from the buffer; @ai holds room for @room entries. */
static void dmalab_exp_fill_info(struct dmalab_exp_buf *buf,
				 struct dmalab_exp_info *info,
				 struct dmalab_exp_attach_info *ai, u32 room)
{
	struct dmalab_exp_attach *a;
	struct dmalab_exp_range range;
	u32 n = 0;

	mutex_lock(&buf->lock);
	info->len = buf->len;
	info->placement = buf->placement;
	info->addr_bits = buf->addr_bits;
	info->timing = buf->timing;
	info->alloc_flags = buf->flags;
	info->nr_mmaps = buf->nr_mmaps;
	info->vmap_count = buf->vmap_count;
	info->nr_migrations = buf->nr_migrations;
	info->nr_copy_in = buf->nr_copy_in;
	info->nr_copy_out = buf->nr_copy_out;
	dmalab_exp_direct_range(buf, &range);
	info->range_lo = range.lo;
	info->range_hi = range.hi;
	if (buf->mem.pages) {
		info->state |= DMALAB_EXP_STATE_ALLOCATED;
		info->nr_segments = buf->mem.nr_segments;
		if (buf->mem.nr_segments == 1)
			info->state |= DMALAB_EXP_STATE_CONTIGUOUS;
		info->phys_lo = buf->mem.lo;
		info->phys_hi = buf->mem.hi;
	}
	list_for_each_entry(a, &buf->attachments, node) {
		info->nr_attachments++;
		info->nr_mapped += a->mapped;
		info->nr_copy_attach += a->copy;
		if (n < room)
			dmalab_exp_attach_info(a, &ai[n++]);
	}
	mutex_unlock(&buf->lock);

	if (info->nr_copy_attach)
		info->state |= DMALAB_EXP_STATE_COPIES;
	info->attach_count = n;
	spin_lock(&buf->dmabuf->name_lock);
	strscpy(info->name, buf->dmabuf->name ?: "", sizeof(info->name));
	spin_unlock(&buf->dmabuf->name_lock);
	if (!capable(CAP_SYS_ADMIN)) {
		info->state |= DMALAB_EXP_STATE_PHYS_HIDDEN;
		info->phys_lo = 0;
		info->phys_hi = 0;
	}
}

static int dmalab_exp_check_info(const struct dmalab_exp_info *info)
{
	if (info->flags || info->pad || info->pad2 ||
	    !dmalab_exp_zeroed(info->reserved, sizeof(info->reserved)))
		return -EINVAL;
	/* The array: a pointer, a capacity and an element size, or none. */
	if (!info->attach_ptr)
		return info->attach_cap || info->attach_elem_size ? -EINVAL : 0;
	if (info->attach_elem_size < DMALAB_EXP_ATTACH_INFO_SIZE_V1 ||
	    info->attach_elem_size > PAGE_SIZE)
		return -EINVAL;
	return 0;
}

/* Whether every output field of INFO is zero, as the caller must send it. */
static bool dmalab_exp_info_outputs_zero(const struct dmalab_exp_info *in)
{
	struct dmalab_exp_info out = {
		.size = in->size, .fd = in->fd, .attach_ptr = in->attach_ptr,
		.attach_cap = in->attach_cap,
		.attach_elem_size = in->attach_elem_size,
	};

	return !memcmp(in, &out, sizeof(out));
}

/*
 * Write @n entries at the caller's stride: what the caller's element has
 * beyond ours reads as zero.
 */
static int dmalab_exp_copy_attach(const struct dmalab_exp_info *info,
				  const struct dmalab_exp_attach_info *ai,
				  u32 n)
{
	char __user *p = u64_to_user_ptr(info->attach_ptr);
	size_t stride = info->attach_elem_size;
	size_t len = min_t(size_t, stride, sizeof(*ai));
	u32 i;

	for (i = 0; i < n; i++, p += stride) {
		if (copy_to_user(p, &ai[i], len) ||
		    clear_user(p + len, stride - len))
			return -EFAULT;
	}
	return 0;
}

static int dmalab_exp_info_ioctl(struct file *file, void __user *uarg,
				 u32 usize)
{
	struct dmalab_exp_attach_info *ai = NULL;
	struct dmalab_exp_info info;
	struct dma_buf *dmabuf;
	u32 room;
	int ret;

	ret = dmalab_exp_uarg_in(&info, sizeof(info), sizeof(info), uarg,
				 usize);
	if (ret)
		return ret;
	ret = dmalab_exp_check_info(&info);
	if (ret)
		return ret;
	if (!dmalab_exp_info_outputs_zero(&info))
		return -EINVAL;
	room = min_t(u32, info.attach_cap, DMALAB_EXP_INFO_MAX_ATTACH);

	dmabuf = dma_buf_get(info.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (dmabuf->ops != &dmalab_exp_dmabuf_ops) {
		ret = -EXDEV;
		goto put_dmabuf;
	}
	if (room) {
		ai = kcalloc(room, sizeof(*ai), GFP_KERNEL);
		if (!ai) {
			ret = -ENOMEM;
			goto put_dmabuf;
		}
	}
	dmalab_exp_fill_info(dmabuf->priv, &info, ai, room);
	ret = dmalab_exp_copy_attach(&info, ai, info.attach_count) ?:
	      dmalab_exp_uarg_out(uarg, &info, sizeof(info), usize);

	kfree(ai);
put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

static int dmalab_exp_bind_ioctl(struct file *file, void __user *uarg,
				 u32 usize)
{
	struct dmalab_exp_file *ef = file->private_data;
	struct dma_buf *dmabuf = NULL, *old;
	struct dmalab_exp_bind args;
	int ret;

	ret = dmalab_exp_uarg_in(&args, sizeof(args), sizeof(args), uarg,
				 usize);
	if (ret)
		return ret;
	if (args.flags || args.pad ||
	    !dmalab_exp_zeroed(args.reserved, sizeof(args.reserved)))
		return -EINVAL;
	if (args.fd != -1) {
		dmabuf = dma_buf_get(args.fd);
		if (IS_ERR(dmabuf))
			return PTR_ERR(dmabuf);
	}
	mutex_lock(&ef->lock);
	old = ef->bound;
	ef->bound = dmabuf;
	mutex_unlock(&ef->lock);
	if (old)
		dma_buf_put(old);
	return 0;
}

static int dmalab_exp_stats_ioctl(struct file *file, void __user *uarg,
				  u32 usize)
{
	struct dmalab_exp_counters *c = &dmalab_exp_counters;
	struct dmalab_exp_stats st;
	int ret;

	ret = dmalab_exp_uarg_in(&st, sizeof(st), sizeof(st), uarg, usize);
	if (ret)
		return ret;
	/* After @size come flags, outputs and reserved: all zero on input. */
	if (!dmalab_exp_zeroed(&st.flags, sizeof(st) - sizeof(st.size)))
		return -EINVAL;
	st.live_buffers = atomic64_read(&c->live_buffers);
	st.live_bytes = atomic64_read(&c->live_bytes);
	st.live_attachments = atomic64_read(&c->live_attachments);
	st.live_mappings = atomic64_read(&c->live_mappings);
	st.live_vmaps = atomic64_read(&c->live_vmaps);
	st.live_mmaps = atomic64_read(&c->live_mmaps);
	st.total_buffers = atomic64_read(&c->total_buffers);
	st.max_len = dmalab_exp_max_len();
	st.max_contig_len = dmalab_exp_max_contig_len();
	st.aside_bytes = atomic64_read(&c->aside_pages) << PAGE_SHIFT;
	st.aside_peak_bytes = atomic64_read(&c->aside_peak_pages) << PAGE_SHIFT;
	return dmalab_exp_uarg_out(uarg, &st, sizeof(st), usize);
}

static int dmalab_exp_version_ioctl(struct file *file, void __user *uarg,
				    u32 usize)
{
	struct dmalab_exp_version v;
	int ret;

	ret = dmalab_exp_uarg_in(&v, sizeof(v), sizeof(v), uarg, usize);
	if (ret)
		return ret;
	/* As for STATS: flags, outputs and reserved all come in as zero. */
	if (!dmalab_exp_zeroed(&v.flags, sizeof(v) - sizeof(v.size)))
		return -EINVAL;
	v.major = DMALAB_EXP_VERSION_MAJOR;
	v.minor = DMALAB_EXP_VERSION_MINOR;
	return dmalab_exp_uarg_out(uarg, &v, sizeof(v), usize);
}

/*
 * The ioctls, by number. Each handler copies its struct in and out itself:
 * ALLOC must install its fd only once user space holds the struct.
 */
struct dmalab_exp_ioctl_desc {
	unsigned int cmd;
	int (*fn)(struct file *file, void __user *uarg, u32 usize);
};

#define DMALAB_EXP_IOCTL(name, func)				\
	[_IOC_NR(DMALAB_EXP_IOC_##name)] = {			\
		.cmd = DMALAB_EXP_IOC_##name,			\
		.fn = func,					\
	}

static const struct dmalab_exp_ioctl_desc dmalab_exp_ioctls[] = {
	DMALAB_EXP_IOCTL(VERSION, dmalab_exp_version_ioctl),
	DMALAB_EXP_IOCTL(ALLOC, dmalab_exp_alloc_ioctl),
	DMALAB_EXP_IOCTL(INFO, dmalab_exp_info_ioctl),
	DMALAB_EXP_IOCTL(BIND, dmalab_exp_bind_ioctl),
	DMALAB_EXP_IOCTL(STATS, dmalab_exp_stats_ioctl),
};

/**
 * dmalab_exp_ioctl() - ioctl of /dev/dmalab_exp
 * @file: the open device
 * @cmd: a DMALAB_EXP_IOC_* command; its size bits must equal the struct's
 *	@size field, its direction bits the command's
 * @arg: user pointer to the command's struct
 *
 * Return: 0 or a negative errno, -ENOTTY for an unknown command.
 */
long dmalab_exp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct dmalab_exp_ioctl_desc *d;
	void __user *uarg = (void __user *)arg;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;

	if (_IOC_TYPE(cmd) != DMALAB_EXP_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(dmalab_exp_ioctls))
		return -ENOTTY;
	d = &dmalab_exp_ioctls[array_index_nospec(nr,
						  ARRAY_SIZE(dmalab_exp_ioctls))];
	if (!d->fn || _IOC_DIR(cmd) != _IOC_DIR(d->cmd))
		return -ENOTTY;
	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize != _IOC_SIZE(cmd))
		return -EINVAL;
	return d->fn(file, uarg, usize);
}

/**
 * dmalab_exp_dev_mmap() - mmap of /dev/dmalab_exp maps the bound dma-buf
 * @file: the open device
 * @vma: the new mapping; its offset is the offset into the buffer
 *
 * Return: 0, -ENXIO when no dma-buf is bound, -EINVAL for a private
 * mapping, -EACCES for a writable mapping of a dma-buf opened read-only,
 * or dma_buf_mmap()'s error.
 */
int dmalab_exp_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct dmalab_exp_file *ef = file->private_data;
	struct dma_buf *dmabuf;
	int ret = 0;

	mutex_lock(&ef->lock);
	dmabuf = ef->bound;
	if (dmabuf)
		get_dma_buf(dmabuf);
	mutex_unlock(&ef->lock);
	if (!dmabuf)
		return -ENXIO;
	/* Foreign exporters may accept a private mapping; we promise not to. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		ret = -EINVAL;
	/*
	 * mmap() checked the device file's mode: the dma-buf's counts, or a
	 * read-only buffer would be writable through a device opened O_RDWR.
	 */
	else if (!(dmabuf->file->f_mode & FMODE_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			ret = -EACCES;
		else
			dmalab_exp_vm_flags_clear(vma, VM_MAYWRITE);
	}
	if (!ret)
		ret = dma_buf_mmap(dmabuf, vma, vma->vm_pgoff);
	dma_buf_put(dmabuf);
	return ret;
}

/**
 * dmalab_exp_dev_open() - open of /dev/dmalab_exp
 * @inode: the device inode
 * @file: the new file
 *
 * Return: 0 or -ENOMEM.
 */
int dmalab_exp_dev_open(struct inode *inode, struct file *file)
{
	struct dmalab_exp_file *ef;

	ef = kzalloc(sizeof(*ef), GFP_KERNEL_ACCOUNT);
	if (!ef)
		return -ENOMEM;
	mutex_init(&ef->lock);
	file->private_data = ef;
	return nonseekable_open(inode, file);
}

/**
 * dmalab_exp_dev_release() - last close of an open /dev/dmalab_exp
 * @inode: the device inode
 * @file: the file; its bound dma-buf is released
 *
 * Return: 0.
 */
int dmalab_exp_dev_release(struct inode *inode, struct file *file)
{
	struct dmalab_exp_file *ef = file->private_data;

	if (ef->bound)
		dma_buf_put(ef->bound);
	mutex_destroy(&ef->lock);
	kfree(ef);
	return 0;
}
