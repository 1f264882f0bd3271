// SPDX-License-Identifier: GPL-2.0
/* libdmalab: importer CPU access (vmap) and DMA jobs. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

static const char *dmalab_cpu_op_name(uint32_t op)
{
	switch (op) {
	case DMALAB_IMP_CPU_READ: return "read";
	case DMALAB_IMP_CPU_WRITE: return "write";
	case DMALAB_IMP_CPU_FILL: return "fill";
	case DMALAB_IMP_CPU_CHECKSUM: return "checksum";
	default: return "unknown op";
	}
}

static const char *dmalab_job_op_name(uint32_t op)
{
	switch (op) {
	case DMALAB_IMP_JOB_COPY: return "copy";
	case DMALAB_IMP_JOB_FILL: return "fill";
	case DMALAB_IMP_JOB_CHECKSUM: return "checksum";
	default: return "unknown";
	}
}

int dmalab_imp_cpu_op(int imp_fd, struct dmalab_imp_cpu *c,
		      struct dmalab_err *err)
{
	c->size = sizeof(*c);
	if (ioctl(imp_fd, DMALAB_IMP_IOC_CPU, c))
		return dmalab_fail(err, errno,
				   "kernel CPU %s of handle %u, %llu bytes at %llu",
				   dmalab_cpu_op_name(c->op), c->handle,
				   (unsigned long long)c->len,
				   (unsigned long long)c->offset);
	return 0;
}

int dmalab_imp_run_job(int imp_fd, struct dmalab_imp_job *job,
		       struct dmalab_err *err)
{
	job->size = sizeof(*job);
	if (ioctl(imp_fd, DMALAB_IMP_IOC_JOB, job))
		return dmalab_fail(err, errno, "DMA %s job of %llu bytes%s",
				   dmalab_job_op_name(job->op),
				   (unsigned long long)job->len,
				   errno == ETIMEDOUT ?
				   " (the device did not finish in time)" : "");
	return 0;
}

int dmalab_imp_wait_job(int imp_fd, uint32_t job_id, uint64_t *checksum,
			struct dmalab_err *err)
{
	struct dmalab_imp_wait w = { .size = sizeof(w) };

	w.job_id = job_id;
	if (ioctl(imp_fd, DMALAB_IMP_IOC_WAIT, &w))
		return dmalab_fail(err, errno, "waiting for job %u", job_id);
	if (w.status)
		return dmalab_fail(err, -w.status, "job %u", job_id);
	if (checksum)
		*checksum = w.checksum;
	return 0;
}
