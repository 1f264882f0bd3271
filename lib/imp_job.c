// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: importer CPU access (vmap) and DMA jobs (submit, wait). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

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
	c->checksum = 0;	/* an output: non-zero is refused */
	if (ioctl(imp_fd, DMALAB_IMP_IOC_CPU, c))
		return dmalab_err_set(err, errno,
				   "kernel CPU %s of handle %u, %llu bytes at %llu",
				   dmalab_cpu_op_name(c->op), c->handle,
				   (unsigned long long)c->len,
				   (unsigned long long)c->offset);
	return 0;
}

int dmalab_imp_submit_job(int imp_fd, struct dmalab_imp_job *job,
			  struct dmalab_err *err)
{
	job->size = sizeof(*job);
	job->job_id = 0;	/* an output: non-zero is refused */
	if (ioctl(imp_fd, DMALAB_IMP_IOC_JOB, job))
		return dmalab_err_set(err, errno,
				   "submitting a DMA %s job of %llu bytes%s",
				   dmalab_job_op_name(job->op),
				   (unsigned long long)job->len,
				   errno == EAGAIN ?
				   " (64 jobs not yet waited for)" : "");
	return 0;
}

/*
 * WAIT for @job_id until @deadline_ns (CLOCK_MONOTONIC, 0: until the job
 * ends), again after each signal; @what names the job in messages.
 */
static int dmalab_imp_wait_until(int imp_fd, uint32_t job_id,
				 uint64_t deadline_ns, uint64_t *checksum,
				 const char *what, struct dmalab_err *err)
{
	struct dmalab_imp_wait w;
	int ret;

	do {
		memset(&w, 0, sizeof(w));
		w.size = sizeof(w);
		w.job_id = job_id;
		w.deadline_ns = deadline_ns;
		ret = ioctl(imp_fd, DMALAB_IMP_IOC_WAIT, &w);
	} while (ret && errno == EINTR);
	if (ret)
		return dmalab_err_set(err, errno, "waiting for %s%s", what,
				   errno == ETIME ?
				   " (still running at the deadline)" : "");
	if (w.status)
		return dmalab_err_set(err, -w.status, "%s%s", what,
				   w.status == -ETIMEDOUT ?
				   " (the device did not finish in time)" : "");
	if (checksum)
		*checksum = w.checksum;
	return 0;
}

int dmalab_imp_wait_job(int imp_fd, uint32_t job_id, int timeout_ms,
			uint64_t *checksum, struct dmalab_err *err)
{
	uint64_t deadline_ns = 0;
	struct timespec now;
	char what[32];

	if (timeout_ms >= 0) {
		if (clock_gettime(CLOCK_MONOTONIC, &now))
			return dmalab_err_set(err, errno,
					   "reading CLOCK_MONOTONIC");
		deadline_ns = (uint64_t)now.tv_sec * 1000000000ULL +
			      (uint64_t)now.tv_nsec +
			      (uint64_t)timeout_ms * 1000000ULL;
	}
	snprintf(what, sizeof(what), "DMA job %u", job_id);
	return dmalab_imp_wait_until(imp_fd, job_id, deadline_ns, checksum,
				     what, err);
}

int dmalab_imp_run_job(int imp_fd, struct dmalab_imp_job *job,
		       uint64_t *checksum, struct dmalab_err *err)
{
	char what[64];
	int ret;

	ret = dmalab_imp_submit_job(imp_fd, job, err);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "DMA %s job of %llu bytes",
		 dmalab_job_op_name(job->op), (unsigned long long)job->len);
	return dmalab_imp_wait_until(imp_fd, job->job_id, 0, checksum, what,
				     err);
}
