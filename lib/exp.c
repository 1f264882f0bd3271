// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: the dmalab exporter, /dev/dmalab_exp. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

int dmalab_exp_open(struct dmalab_err *err)
{
	int fd = open(DMALAB_EXP_DEVICE, O_RDWR | O_CLOEXEC);
	int code = errno;

	if (fd < 0)
		return dmalab_err_set(err, code, "open %s%s", DMALAB_EXP_DEVICE,
				      dmalab_open_hint(code, "dmalab_exp"));
	return fd;
}

static const char *dmalab_alloc_hint(int code)
{
	switch (code) {
	case EINVAL:
		return " (length must be a non-zero multiple of the page size)";
	case E2BIG:
		return " (larger than the exporter accepts: see 'dmalab stats')";
	case ENOMEM:
		return " (no memory fits the placement)";
	default:
		return "";
	}
}

int dmalab_alloc(int exp_fd, const struct dmalab_alloc_opts *o,
		 struct dmalab_err *err)
{
	struct dmalab_exp_alloc a = { .size = sizeof(a) };
	int own, ret, code;

	ret = dmalab_fd_or_open(&exp_fd, &own, dmalab_exp_open, err);
	if (ret)
		return ret;
	a.flags = o->flags;
	a.len = o->len;
	a.placement = o->placement;
	a.addr_bits = o->addr_bits;
	a.timing = o->timing;
	a.fd_flags = (o->read_only ? 0 : O_RDWR) | (o->cloexec ? O_CLOEXEC : 0);
	/* a.fd is an output: it goes in as 0, or the call fails (EINVAL). */
	ret = ioctl(exp_fd, DMALAB_EXP_IOC_ALLOC, &a);
	code = errno;
	if (own >= 0)
		close(own);
	if (ret)
		return dmalab_err_set(err, code, "allocating %llu bytes%s",
				   (unsigned long long)o->len,
				   dmalab_alloc_hint(code));
	if (o->name && *o->name) {
		ret = dmalab_buf_set_name(a.fd, o->name, err);
		if (ret) {
			close(a.fd);
			return ret;
		}
	}
	return a.fd;
}

int dmalab_exp_get_info(int exp_fd, int buf_fd, struct dmalab_exp_info *info,
			struct dmalab_exp_attach_info *att, unsigned int att_cap,
			struct dmalab_err *err)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->fd = buf_fd;
	if (att && att_cap) {
		info->attach_ptr = (uintptr_t)att;
		info->attach_cap = att_cap;
		info->attach_elem_size = sizeof(*att);
	}
	if (ioctl(exp_fd, DMALAB_EXP_IOC_INFO, info))
		return dmalab_err_set(err, errno, "exporter info on fd %d%s", buf_fd,
				   errno == EXDEV ?
				   " (a dma-buf of another exporter)" : "");
	return 0;
}

int dmalab_exp_get_stats(int exp_fd, struct dmalab_exp_stats *st,
			 struct dmalab_err *err)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	if (ioctl(exp_fd, DMALAB_EXP_IOC_STATS, st))
		return dmalab_err_set(err, errno, "exporter stats");
	return 0;
}

int dmalab_exp_bind(int exp_fd, int buf_fd, struct dmalab_err *err)
{
	struct dmalab_exp_bind b = { .size = sizeof(b) };

	b.fd = buf_fd;
	if (ioctl(exp_fd, DMALAB_EXP_IOC_BIND, &b))
		return dmalab_err_set(err, errno, "binding fd %d to %s", buf_fd,
				   DMALAB_EXP_DEVICE);
	return 0;
}

int dmalab_exp_get_version(int exp_fd, struct dmalab_exp_version *v,
			   struct dmalab_err *err)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	if (ioctl(exp_fd, DMALAB_EXP_IOC_VERSION, v))
		return dmalab_err_set(err, errno, "exporter interface version%s",
				   errno == ENOTTY || errno == EINVAL ?
				   " (a module older than UAPI 1.0?)" : "");
	return 0;
}
