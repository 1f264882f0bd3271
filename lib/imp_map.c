// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: importer attachments, mappings and their sg_tables. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

int dmalab_imp_attach_dev(int imp_fd, uint32_t handle, uint32_t dev_id,
			  uint32_t *attach_id, struct dmalab_err *err)
{
	struct dmalab_imp_attach a = { .size = sizeof(a) };

	a.handle = handle;
	a.dev_id = dev_id;
	if (ioctl(imp_fd, DMALAB_IMP_IOC_ATTACH, &a))
		return dmalab_err_set(err, errno,
				   "attaching handle %u to device %u%s", handle,
				   dev_id, errno == ERANGE ?
				   " (the exporter cannot place memory this device reaches)" :
				   errno == EBUSY ?
				   " (the buffer is mapped and cannot move)" : "");
	*attach_id = a.attach_id;
	return 0;
}

static int dmalab_imp_attach_id(int imp_fd, unsigned long cmd, uint32_t id,
				const char *what, struct dmalab_err *err)
{
	struct dmalab_imp_id a = { .size = sizeof(a) };

	a.id = id;
	if (ioctl(imp_fd, cmd, &a))
		return dmalab_err_set(err, errno, "%s attachment %u", what, id);
	return 0;
}

int dmalab_imp_detach(int imp_fd, uint32_t attach_id, struct dmalab_err *err)
{
	return dmalab_imp_attach_id(imp_fd, DMALAB_IMP_IOC_DETACH, attach_id,
				    "detaching", err);
}

int dmalab_imp_map_attach(int imp_fd, uint32_t attach_id, uint32_t dir,
			  struct dmalab_err *err)
{
	struct dmalab_imp_map a = { .size = sizeof(a) };

	a.attach_id = attach_id;
	a.dir = dir;
	if (ioctl(imp_fd, DMALAB_IMP_IOC_MAP, &a))
		return dmalab_err_set(err, errno, "mapping attachment %u%s", attach_id,
				   errno == ERANGE ?
				   " (pages beyond the device's reach)" :
				   errno == EMSGSIZE ?
				   " (an sg entry breaks the device's segment limits)" :
				   "");
	return 0;
}

int dmalab_imp_unmap_attach(int imp_fd, uint32_t attach_id,
			    struct dmalab_err *err)
{
	return dmalab_imp_attach_id(imp_fd, DMALAB_IMP_IOC_UNMAP, attach_id,
				    "unmapping", err);
}

int dmalab_imp_get_sg_info(int imp_fd, uint32_t attach_id,
			   struct dmalab_imp_sg_info *info,
			   struct dmalab_imp_sg_entry *ents, uint32_t cap,
			   struct dmalab_err *err)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->attach_id = attach_id;
	if (ents && cap) {
		info->entries_ptr = (uintptr_t)ents;
		info->entries_cap = cap;
		info->entries_elem_size = sizeof(*ents);
	}
	if (ioctl(imp_fd, DMALAB_IMP_IOC_SG_INFO, info))
		return dmalab_err_set(err, errno, "sg_table of attachment %u%s",
				   attach_id, errno == EPERM ?
				   " (entries need CAP_SYS_ADMIN)" : "");
	return 0;
}

int dmalab_imp_map_fd(int imp_fd, int buf_fd, uint32_t dev_id, uint32_t dir,
		      struct dmalab_imp_mapping *m, struct dmalab_err *err)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->dev_id = dev_id;
	ret = dmalab_imp_import_fd(imp_fd, buf_fd, &m->handle, &m->size, err);
	if (ret)
		return ret;
	ret = dmalab_imp_attach_dev(imp_fd, m->handle, dev_id, &m->attach_id,
				    err);
	if (ret)
		goto release;
	ret = dmalab_imp_map_attach(imp_fd, m->attach_id, dir, err);
	if (ret)
		goto detach;
	return 0;

detach:
	dmalab_imp_detach(imp_fd, m->attach_id, NULL);
release:
	dmalab_imp_release(imp_fd, m->handle, NULL);
	return ret;
}

int dmalab_imp_unmap_fd(int imp_fd, const struct dmalab_imp_mapping *m)
{
	int r1 = dmalab_imp_unmap_attach(imp_fd, m->attach_id, NULL);
	int r2 = dmalab_imp_detach(imp_fd, m->attach_id, NULL);
	int r3 = dmalab_imp_release(imp_fd, m->handle, NULL);

	return r1 ? r1 : r2 ? r2 : r3;
}
