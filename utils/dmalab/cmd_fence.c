// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab fence: wait for a buffer's fences. With --dev, first submit a DMA
 * fill whose fence the importer publishes in the buffer's dma_resv, then
 * wait for it the way asked: poll() on the dma-buf fd, a sync_file exported
 * from it (DMA_BUF_IOCTL_EXPORT_SYNC_FILE), or the importer's own WAIT
 * ioctl (against a deadline of --timeout).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "devspec.h"

static struct cli_opt fence_opts[] = {
	OPT_FD,
	OPT("dev", "DEV", "first start an async DMA fill of the buffer on DEV"),
	OPT("pattern", "BYTE", "the fill's byte (default 0xa5)"),
	OPT("len", "BYTES", "bytes to fill (default: the whole buffer)"),
	OPT("wait", "poll|sync-file|ioctl", "how to wait (default poll)"),
	OPT("timeout", "MS", "give up after MS milliseconds (default 10000)"),
	OPT_END,
};

static const char *const waits[] = { "poll", "sync-file", "ioctl", NULL };

struct fence_run {
	int fd;
	int imp;
	int how;
	int timeout;
	uint32_t job_id;
	int busy_before;	/* fences pending right after the submit */
	int signalled;
	double wait_ms;
	int status;
};

/* Wait by poll() or a sync_file; 0 or -1 with c->err set. */
static int fence_wait(struct cli *c, struct fence_run *r)
{
	double t0 = now_ms();
	int ret, sf;

	/* POLLOUT: every fence, readers' and writers'. */
	r->busy_before = dmalab_buf_poll(r->fd, POLLOUT, 0, NULL) == 0;
	if (r->how == 0) {
		ret = dmalab_buf_poll(r->fd, POLLOUT, r->timeout, &c->err);
	} else if (r->how == 1) {
		sf = dmalab_buf_export_sync_file(r->fd, DMA_BUF_SYNC_WRITE, &c->err);
		if (sf < 0)
			return -1;
		ret = dmalab_sync_file_wait(sf, r->timeout, &c->err);
		close(sf);
	} else {
		ret = 1;
	}
	if (ret < 0)
		return -1;
	r->signalled = ret;
	r->wait_ms = now_ms() - t0;
	return 0;
}

static int fence_run(struct cli *c)
{
	struct fence_run r = { .imp = -1 };
	struct dmalab_imp_mapping m;
	struct devspecs ds = { .n = 0 };
	struct dmalab_imp_job job;
	struct devspec *d = NULL;
	uint64_t timeout, len;
	uint8_t pattern;
	double t0;
	int ret;

	r.fd = cli_buf_fd(c, "fd");
	if (r.fd < 0)
		return 2;
	r.how = cli_choice(c, "wait", waits, 0);
	if (r.how < 0)
		return 2;
	ret = cli_byte(c, "pattern", 0xa5, &pattern);
	if (!ret)
		ret = cli_u64(c, "timeout", 10000, &timeout);
	if (ret)
		return ret;
	if (timeout > 600000)
		return cli_usage(c, "--timeout: at most 600000");
	r.timeout = timeout;
	if (!cli_str(c, "dev", NULL) && r.how == 2)
		return cli_usage(c, "--wait ioctl needs --dev (a job of ours to wait for)");
	if (cli_str(c, "dev", NULL)) {
		r.imp = open_imp(c);
		if (r.imp < 0)
			return cli_lib_fail(c);
		if (devspec_resolve(c, r.imp, &ds, cli_str(c, "dev", NULL), &d))
			goto fail;
		if (dmalab_imp_map_fd(r.imp, r.fd, d->dev_id,
				      DMALAB_IMP_DIR_FROM_DEVICE, &m, &c->err))
			goto fail;
		ret = cli_size(c, "len", m.size, &len);
		if (ret)
			goto out;
		if (!len || len > m.size) {
			ret = cli_usage(c, "--len must be 1..%llu", (unsigned long long)m.size);
			goto out;
		}
		memset(&job, 0, sizeof(job));
		job.op = DMALAB_IMP_JOB_FILL;
		job.dst_attach = m.attach_id;
		job.len = len;
		job.pattern = pattern;
		job.timeout_ms = timeout;
		if (dmalab_imp_submit_job(r.imp, &job, &c->err))
			goto fail;
		r.job_id = job.job_id;
	}
	t0 = now_ms();
	if (fence_wait(c, &r))
		goto fail;
	if (r.imp >= 0) {
		/* --wait ioctl gives up at --timeout; the others are done. */
		r.status = dmalab_imp_wait_job(r.imp, r.job_id,
					       r.how == 2 ? r.timeout : -1,
					       NULL, &c->err);
		if (r.how == 2) {
			r.wait_ms = now_ms() - t0;
			r.signalled = r.status != -ETIME;
			/* -ETIME: still running, which is not a failure. */
			if (!r.signalled)
				r.status = 0;
		}
	}
	out_begin(c);
	out_i64(c, "fd", r.fd);
	if (d) {
		out_str(c, "job", "fill");
		out_str(c, "dev", d->info.name);
		out_u64(c, "job_id", r.job_id);
		out_u64(c, "len", job.len);
	}
	out_str(c, "wait", waits[r.how]);
	out_bool(c, "busy_after_submit", r.busy_before);
	out_bool(c, "signalled", r.signalled);
	out_ms(c, "wait_ms", r.wait_ms);
	if (d)
		out_i64(c, "job_status", r.status);
	out_end(c);
	ret = 0;
	if (!r.signalled)
		ret = cli_fail(c, "the fences did not signal within %d ms", r.timeout);
	else if (r.status)
		ret = cli_fail(c, "%s", c->err.msg);
out:
	if (r.imp >= 0)
		close(r.imp);
	return ret;
fail:
	ret = cli_lib_fail(c);
	goto out;
}

const struct cli_cmd cmd_fence = {
	.name = "fence",
	.usage = "[--fd N] [--dev DEV] [--wait poll|sync-file|ioctl]",
	.summary = "wait for a buffer's fences (optionally after starting an async DMA fill)",
	.details = "Shows whether the buffer was busy right after the submit, whether its\n"
		   "fences signalled and how long the wait took.",
	.opts = fence_opts,
	.run = fence_run,
};
