// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: the dmalab importer's handles and devices, /dev/dmalab_imp. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

#define DMALAB_IMP_DEVICE	"/dev/dmalab_imp"
#define DMALAB_MAX_DEVS		64

int dmalab_imp_open(struct dmalab_err *err)
{
	int fd = open(DMALAB_IMP_DEVICE, O_RDWR | O_CLOEXEC);
	int code = errno;

	if (fd < 0)
		return dmalab_err_set(err, code, "open %s%s", DMALAB_IMP_DEVICE,
				      dmalab_open_hint(code, "dmalab_imp"));
	return fd;
}

int dmalab_imp_import_fd(int imp_fd, int buf_fd, uint32_t *handle,
			 uint64_t *size, struct dmalab_err *err)
{
	struct dmalab_imp_import a = { .size = sizeof(a) };

	a.fd = buf_fd;
	if (ioctl(imp_fd, DMALAB_IMP_IOC_IMPORT, &a))
		return dmalab_err_set(err, errno, "importing fd %d%s", buf_fd,
				   errno == EBADF ? " (not an open fd)" :
				   errno == EINVAL ? " (not a dma-buf?)" : "");
	*handle = a.handle;
	if (size)
		*size = a.buf_size;
	return 0;
}

static int dmalab_imp_id_ioctl(int imp_fd, unsigned long cmd, uint32_t id,
			       const char *what, struct dmalab_err *err)
{
	struct dmalab_imp_id a = { .size = sizeof(a) };

	a.id = id;
	if (ioctl(imp_fd, cmd, &a))
		return dmalab_err_set(err, errno, "%s %u", what, id);
	return 0;
}

int dmalab_imp_release(int imp_fd, uint32_t handle, struct dmalab_err *err)
{
	return dmalab_imp_id_ioctl(imp_fd, DMALAB_IMP_IOC_RELEASE, handle,
				   "releasing handle", err);
}

int dmalab_imp_list_devs(int imp_fd, uint32_t *ids, uint32_t cap,
			 struct dmalab_err *err)
{
	struct dmalab_imp_dev_list a = { .size = sizeof(a) };

	a.ids_ptr = (uintptr_t)ids;
	a.count = ids ? cap : 0;
	if (ioctl(imp_fd, DMALAB_IMP_IOC_DEV_LIST, &a))
		return dmalab_err_set(err, errno, "listing the importer's devices");
	return (int)a.count;
}

int dmalab_imp_get_dev_info(int imp_fd, uint32_t dev_id,
			    struct dmalab_imp_dev_info *info,
			    struct dmalab_err *err)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->dev_id = dev_id;
	if (ioctl(imp_fd, DMALAB_IMP_IOC_DEV_INFO, info))
		return dmalab_err_set(err, errno, "device %u", dev_id);
	return 0;
}

/* Whether @name names @info, the @nth edu device, as dmalab_imp_find_dev says. */
static int dmalab_dev_matches(const char *name,
			      const struct dmalab_imp_dev_info *info,
			      int nth_edu)
{
	size_t n = strlen(name), m = strlen(info->name);
	char edu[16];

	if (info->kind == DMALAB_IMP_KIND_EDU) {
		snprintf(edu, sizeof(edu), "edu%d", nth_edu);
		if (!strcmp(name, edu))
			return 1;
		if (nth_edu < 2 && !name[1] && name[0] == "AB"[nth_edu])
			return 1;
	}
	return n <= m && !strcmp(info->name + m - n, name);
}

int dmalab_imp_find_dev(int imp_fd, const char *name, uint32_t *dev_id,
			struct dmalab_err *err)
{
	uint32_t ids[DMALAB_MAX_DEVS];
	struct dmalab_imp_dev_info info;
	int n, i, edu = 0, ret;
	char *end;
	unsigned long v;

	if (!*name)
		return dmalab_err_set(err, EINVAL, "empty device name");
	n = dmalab_imp_list_devs(imp_fd, ids, DMALAB_MAX_DEVS, err);
	if (n < 0)
		return n;
	if (n > DMALAB_MAX_DEVS)
		n = DMALAB_MAX_DEVS;
	v = strtoul(name, &end, 10);
	for (i = 0; i < n; i++) {
		if (!*end && ids[i] == v) {
			*dev_id = ids[i];
			return 0;
		}
		ret = dmalab_imp_get_dev_info(imp_fd, ids[i], &info, err);
		if (ret)
			return ret;
		if (dmalab_dev_matches(name, &info, edu)) {
			*dev_id = ids[i];
			return 0;
		}
		edu += info.kind == DMALAB_IMP_KIND_EDU;
	}
	return dmalab_err_set(err, ENODEV,
			   "no importer device '%s' (see 'dmalab devices')",
			   name);
}

int dmalab_imp_sim_create(int imp_fd, struct dmalab_imp_sim_create *args,
			  struct dmalab_err *err)
{
	args->size = sizeof(*args);
	args->dev_id = 0;	/* an output: non-zero is refused */
	if (ioctl(imp_fd, DMALAB_IMP_IOC_SIM_CREATE, args))
		return dmalab_err_set(err, errno,
				   "creating a simulated %u-bit device",
				   args->dma_bits);
	return 0;
}

int dmalab_imp_sim_destroy(int imp_fd, uint32_t dev_id, struct dmalab_err *err)
{
	return dmalab_imp_id_ioctl(imp_fd, DMALAB_IMP_IOC_SIM_DESTROY, dev_id,
				   "destroying simulated device", err);
}

int dmalab_imp_get_version(int imp_fd, struct dmalab_imp_version *v,
			   struct dmalab_err *err)
{
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	if (ioctl(imp_fd, DMALAB_IMP_IOC_VERSION, v))
		return dmalab_err_set(err, errno, "importer interface version%s",
				   errno == ENOTTY ?
				   " (a module older than UAPI 1.0?)" : "");
	return 0;
}
