// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab ps: every dma-buf on the machine (libdmalab's dmalab_ps_scan(),
 * from /proc; no module needed), by buffer, by process and by exporter,
 * and the processes that could not be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static struct cli_opt ps_opts[] = {
	OPT("pid", "PID", "only buffers this process holds (repeatable)"),
	OPT("exporter", "NAME", "only buffers of this exporter (repeatable)"),
	OPT("sort", "size|pss|pid|inode|exporter", "order (default size, largest first)"),
	OPT_END,
};

static const char *const sort_keys[] = {
	"size", "pss", "pid", "inode", "exporter", NULL,
};

enum { SORT_SIZE, SORT_PSS, SORT_PID, SORT_INODE, SORT_EXPORTER };

/* What is shown: a selection of the scan, and per-process totals over it. */
struct ps_view {
	struct dmalab_ps ps;
	int pids[CLI_MAX_VALS];
	int nr_pids;
	struct cli_opt *exporters;
	char *sel_buf;			/* per buffer: shown */
	char *sel_proc;			/* per process: shown */
	int *min_pid;			/* per buffer: its lowest holder */
	struct dmalab_ps_proc *tot;	/* per process: totals over shown buffers */
	unsigned int *buf_order, *proc_order;
	int sort;
};

static int pid_wanted(const struct ps_view *v, int pid)
{
	int i;

	for (i = 0; i < v->nr_pids; i++)
		if (v->pids[i] == pid)
			return 1;
	return !v->nr_pids;
}

static int exporter_wanted(const struct ps_view *v, const char *exp)
{
	int i;

	for (i = 0; i < v->exporters->n; i++)
		if (!strcmp(v->exporters->vals[i], exp))
			return 1;
	return !v->exporters->n;
}

/* Whether reference @i is its process's first to its buffer. */
static int first_in_proc(const struct dmalab_ps *ps, unsigned int i)
{
	unsigned int j;

	for (j = i; j-- > 0 && ps->refs[j].proc == ps->refs[i].proc;)
		if (ps->refs[j].buf == ps->refs[i].buf)
			return 0;
	return 1;
}

static void ps_select(struct ps_view *v)
{
	struct dmalab_ps *ps = &v->ps;
	unsigned int i;

	for (i = 0; i < ps->nr_bufs; i++) {
		v->sel_buf[i] = exporter_wanted(v, ps->bufs[i].exporter) &&
				!v->nr_pids;
		v->min_pid[i] = -1;
	}
	for (i = 0; i < ps->nr_refs; i++) {
		const struct dmalab_ps_ref *r = &ps->refs[i];

		if (v->nr_pids && pid_wanted(v, r->pid) &&
		    exporter_wanted(v, ps->bufs[r->buf].exporter))
			v->sel_buf[r->buf] = 1;
		if (v->min_pid[r->buf] < 0 || r->pid < v->min_pid[r->buf])
			v->min_pid[r->buf] = r->pid;
	}
	for (i = 0; i < ps->nr_procs; i++) {
		v->tot[i] = ps->procs[i];
		v->tot[i].nr_bufs = v->tot[i].nr_fds = v->tot[i].nr_maps = 0;
		v->tot[i].bytes = v->tot[i].pss = 0;
	}
	for (i = 0; i < ps->nr_refs; i++) {
		const struct dmalab_ps_ref *r = &ps->refs[i];
		const struct dmalab_ps_buf *b = &ps->bufs[r->buf];
		struct dmalab_ps_proc *t = &v->tot[r->proc];

		if (!v->sel_buf[r->buf])
			continue;
		if (r->via == DMALAB_PS_VIA_FD)
			t->nr_fds++;
		else
			t->nr_maps++;
		if (!first_in_proc(ps, i))
			continue;
		t->nr_bufs++;
		t->bytes += b->size;
		t->pss += b->size / b->nr_procs;
	}
	for (i = 0; i < ps->nr_procs; i++)
		v->sel_proc[i] = pid_wanted(v, ps->procs[i].pid) &&
				 (v->tot[i].nr_bufs || ps->procs[i].error);
}

/* qsort has no context argument: the view being sorted. */
static const struct ps_view *sorting;

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_buf(const void *pa, const void *pb)
{
	const struct ps_view *v = sorting;
	unsigned int ia = *(const unsigned int *)pa, ib = *(const unsigned int *)pb;
	const struct dmalab_ps_buf *a = &v->ps.bufs[ia], *b = &v->ps.bufs[ib];
	int r = 0;

	if (v->sort == SORT_PID)
		r = v->min_pid[ia] - v->min_pid[ib];
	else if (v->sort == SORT_EXPORTER)
		r = strcmp(a->exporter, b->exporter);
	if (!r && v->sort != SORT_INODE)
		r = cmp_u64_desc(a->size, b->size);
	return r ? r : a->ino < b->ino ? -1 : a->ino > b->ino;
}

static int cmp_proc(const void *pa, const void *pb)
{
	const struct ps_view *v = sorting;
	const struct dmalab_ps_proc *a = &v->tot[*(const unsigned int *)pa];
	const struct dmalab_ps_proc *b = &v->tot[*(const unsigned int *)pb];
	int r = 0;

	if (v->sort == SORT_SIZE)
		r = cmp_u64_desc(a->bytes, b->bytes);
	if (!r && v->sort != SORT_PID && v->sort != SORT_INODE)
		r = cmp_u64_desc(a->pss, b->pss);
	return r ? r : a->pid - b->pid;
}

static void ps_sort(struct ps_view *v)
{
	unsigned int i;

	for (i = 0; i < v->ps.nr_bufs; i++)
		v->buf_order[i] = i;
	for (i = 0; i < v->ps.nr_procs; i++)
		v->proc_order[i] = i;
	sorting = v;
	qsort(v->buf_order, v->ps.nr_bufs, sizeof(*v->buf_order), cmp_buf);
	qsort(v->proc_order, v->ps.nr_procs, sizeof(*v->proc_order), cmp_proc);
}

/* Sizes for people: 4096 -> "4K", 1572864 -> "1.5M". */
static const char *human(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	double d = n;
	int u = -1;

	while (d >= 1024 && u < 3) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (d == (uint64_t)d)
		snprintf(buf, len, "%llu%c", (unsigned long long)d, units[u]);
	else
		snprintf(buf, len, "%.1f%c", d, units[u]);
	return buf;
}

/* One buffer's holders, in text: "412 sh (fd 3, map), 413 cat (map)". */
static void text_holders(const struct dmalab_ps *ps, unsigned int buf)
{
	unsigned int i;
	int last = -1;

	for (i = 0; i < ps->nr_refs; i++) {
		const struct dmalab_ps_ref *r = &ps->refs[i];

		if (r->buf != buf)
			continue;
		if ((int)r->proc != last)
			printf("%s%d %s (", last < 0 ? "" : "), ", r->pid,
			       ps->procs[r->proc].comm);
		else
			printf(", ");
		if (r->via == DMALAB_PS_VIA_FD)
			printf("fd %d", r->fd);
		else
			printf("map");
		last = r->proc;
	}
	if (last >= 0)
		putchar(')');
}

/* Totals per exporter, over the shown buffers, in order of first sight. */
struct exp_total {
	const char *name;
	unsigned int bufs;
	uint64_t bytes;
};

static unsigned int exp_totals(const struct ps_view *v, struct exp_total *t,
			       uint64_t *bytes, unsigned int *bufs)
{
	unsigned int i, j, n = 0;

	*bytes = 0;
	*bufs = 0;
	for (i = 0; i < v->ps.nr_bufs; i++) {
		const struct dmalab_ps_buf *b = &v->ps.bufs[v->buf_order[i]];
		const char *name = b->exporter[0] ? b->exporter : "?";

		if (!v->sel_buf[v->buf_order[i]])
			continue;
		for (j = 0; j < n && strcmp(t[j].name, name); j++)
			;
		if (j == n)
			t[n++] = (struct exp_total){ .name = name };
		t[j].bufs++;
		t[j].bytes += b->size;
		(*bufs)++;
		*bytes += b->size;
	}
	return n;
}

static void ps_text(const struct ps_view *v, const struct exp_total *et,
		    unsigned int n_exp, uint64_t bytes, unsigned int bufs)
{
	const struct dmalab_ps *ps = &v->ps;
	unsigned int i, k, n, shown = 0;
	char h1[16], h2[16];

	if (!bufs) {
		n = ps->nr_scanned - ps->nr_unreadable;
		printf("no dma-buf %sin the %u process%s read\n",
		       v->nr_pids || v->exporters->n ? "of that selection " : "",
		       n, n == 1 ? "" : "es");
		goto unreadable;
	}
	printf("%-10s %7s  %-16s %-16s %5s  %s\n", "INODE", "SIZE", "EXPORTER",
	       "NAME", "PROCS", "HOLDERS (pid command: fd N or map)");
	for (k = 0; k < ps->nr_bufs; k++) {
		const struct dmalab_ps_buf *b = &ps->bufs[v->buf_order[k]];

		if (!v->sel_buf[v->buf_order[k]])
			continue;
		printf("%-10llu %6s%c  %-16s %-16s %5u  ",
		       (unsigned long long)b->ino, human(b->size, h1, sizeof(h1)),
		       b->size_known ? ' ' : '+',
		       b->exporter[0] ? b->exporter : "?",
		       b->name[0] ? b->name : "-", b->nr_procs);
		text_holders(ps, v->buf_order[k]);
		putchar('\n');
	}
	printf("\n%-8s %-16s %5s %4s %4s %9s %9s\n", "PID", "COMMAND", "BUFS",
	       "FDS", "MAPS", "BYTES", "PSS");
	for (k = 0; k < ps->nr_procs; k++) {
		const struct dmalab_ps_proc *t = &v->tot[v->proc_order[k]];

		if (!v->sel_proc[v->proc_order[k]] || !t->nr_bufs)
			continue;
		printf("%-8d %-16s %5u %4u %4u %9s %9s\n", t->pid, t->comm,
		       t->nr_bufs, t->nr_fds, t->nr_maps,
		       human(t->bytes, h1, sizeof(h1)),
		       human(t->pss, h2, sizeof(h2)));
	}
	printf("\n%-16s %5s %9s\n", "EXPORTER", "BUFS", "BYTES");
	for (i = 0; i < n_exp; i++)
		printf("%-16s %5u %9s\n", et[i].name, et[i].bufs,
		       human(et[i].bytes, h1, sizeof(h1)));
	printf("%-16s %5u %9s\n", "total", bufs, human(bytes, h1, sizeof(h1)));
	for (k = 0; k < ps->nr_bufs; k++) {
		if (v->sel_buf[k] && !ps->bufs[k].size_known) {
			printf("(+: only mapped, no fd anywhere: exporter unknown, size as mapped)\n");
			break;
		}
	}
unreadable:
	for (k = 0; k < ps->nr_procs; k++)
		shown += v->sel_proc[k] && ps->procs[k].error;
	if (!shown)
		return;
	printf("\ncould not read %u of %u processes (%s):\n", shown,
	       ps->nr_scanned, geteuid() ?
	       "another user's: run as root to see their dma-bufs" :
	       "no ptrace rights over them even as root: a container or a security module");
	for (k = 0, i = 0; k < ps->nr_procs; k++) {
		const struct dmalab_ps_proc *p = &ps->procs[v->proc_order[k]];

		if (!v->sel_proc[v->proc_order[k]] || !p->error)
			continue;
		printf("  %d %s: %s\n", p->pid, p->comm, strerror(-p->error));
		if (++i == 20 && shown > 20) {
			printf("  ... and %u more (--json lists them all)\n",
			       shown - 20);
			break;
		}
	}
}

static void ps_json(struct cli *c, const struct ps_view *v,
		    const struct exp_total *et, unsigned int n_exp,
		    uint64_t bytes, unsigned int bufs)
{
	const struct dmalab_ps *ps = &v->ps;
	unsigned int i, k, unreadable = 0;

	out_begin(c);
	out_array_begin(c, "buffers");
	for (k = 0; k < ps->nr_bufs; k++) {
		unsigned int bi = v->buf_order[k];
		const struct dmalab_ps_buf *b = &ps->bufs[bi];

		if (!v->sel_buf[bi])
			continue;
		out_obj_begin(c);
		out_u64(c, "inode", b->ino);
		out_u64(c, "size", b->size);
		out_bool(c, "size_known", b->size_known);
		out_str(c, "exporter", b->exporter);
		out_str(c, "name", b->name);
		out_u64(c, "processes", b->nr_procs);
		out_u64(c, "fds", b->nr_fds);
		out_u64(c, "maps", b->nr_maps);
		out_array_begin(c, "holders");
		for (i = 0; i < ps->nr_refs; i++) {
			const struct dmalab_ps_ref *r = &ps->refs[i];

			if (r->buf != bi)
				continue;
			out_obj_begin(c);
			out_i64(c, "pid", r->pid);
			out_str(c, "command", ps->procs[r->proc].comm);
			if (r->via == DMALAB_PS_VIA_FD) {
				out_str(c, "via", "fd");
				out_i64(c, "fd", r->fd);
			} else {
				out_str(c, "via", "map");
				out_hex(c, "map_start", r->map_start);
				out_hex(c, "map_end", r->map_end);
			}
			out_obj_end(c);
		}
		out_array_end(c);
		out_obj_end(c);
	}
	out_array_end(c);
	out_array_begin(c, "processes");
	for (k = 0; k < ps->nr_procs; k++) {
		const struct dmalab_ps_proc *t = &v->tot[v->proc_order[k]];

		if (!v->sel_proc[v->proc_order[k]] || !t->nr_bufs)
			continue;
		out_obj_begin(c);
		out_i64(c, "pid", t->pid);
		out_str(c, "command", t->comm);
		out_u64(c, "uid", t->uid);
		out_u64(c, "buffers", t->nr_bufs);
		out_u64(c, "fds", t->nr_fds);
		out_u64(c, "maps", t->nr_maps);
		out_u64(c, "bytes", t->bytes);
		out_u64(c, "pss", t->pss);
		out_obj_end(c);
	}
	out_array_end(c);
	out_array_begin(c, "exporters");
	for (i = 0; i < n_exp; i++) {
		out_obj_begin(c);
		out_str(c, "exporter", et[i].name);
		out_u64(c, "buffers", et[i].bufs);
		out_u64(c, "bytes", et[i].bytes);
		out_obj_end(c);
	}
	out_array_end(c);
	out_u64(c, "buffer_count", bufs);
	out_u64(c, "total_bytes", bytes);
	out_u64(c, "scanned", ps->nr_scanned);
	out_array_begin(c, "unreadable");
	for (k = 0; k < ps->nr_procs; k++) {
		const struct dmalab_ps_proc *p = &ps->procs[v->proc_order[k]];

		if (!v->sel_proc[v->proc_order[k]] || !p->error)
			continue;
		unreadable++;
		out_obj_begin(c);
		out_i64(c, "pid", p->pid);
		out_str(c, "command", p->comm);
		out_str(c, "error", strerror(-p->error));
		out_obj_end(c);
	}
	out_array_end(c);
	out_u64(c, "unreadable_count", unreadable);
	out_end(c);
}

static int ps_parse_pids(struct cli *c, struct ps_view *v)
{
	struct cli_opt *o = cli_opt(c, "pid");
	int i;

	for (i = 0; i < o->n; i++) {
		char *end;
		long p = strtol(o->vals[i], &end, 10);

		if (!*o->vals[i] || *end || p <= 0 || p > 1 << 22)
			return cli_usage(c, "--pid: '%s' is not a process id",
					 o->vals[i]);
		v->pids[v->nr_pids++] = (int)p;
	}
	return 0;
}

static int ps_run(struct cli *c)
{
	struct exp_total *et = NULL;
	struct ps_view v = { 0 };
	unsigned int n_exp, bufs, n;
	uint64_t bytes;
	int ret;

	if (cli_no_args(c))
		return 2;
	ret = ps_parse_pids(c, &v);
	if (ret)
		return ret;
	v.sort = cli_choice(c, "sort", sort_keys, SORT_SIZE);
	if (v.sort < 0)
		return 2;
	v.exporters = cli_opt(c, "exporter");
	if (dmalab_ps_scan(&v.ps, &c->err))
		return cli_lib_fail(c);
	n = (v.ps.nr_bufs > v.ps.nr_procs ? v.ps.nr_bufs : v.ps.nr_procs) + 1;
	v.sel_buf = calloc(n, 1);
	v.sel_proc = calloc(n, 1);
	v.min_pid = calloc(n, sizeof(*v.min_pid));
	v.tot = calloc(n, sizeof(*v.tot));
	v.buf_order = calloc(n, sizeof(*v.buf_order));
	v.proc_order = calloc(n, sizeof(*v.proc_order));
	et = calloc(n, sizeof(*et));
	if (!v.sel_buf || !v.sel_proc || !v.min_pid || !v.tot ||
	    !v.buf_order || !v.proc_order || !et) {
		ret = cli_fail(c, "out of memory");
		goto out;
	}
	ps_select(&v);
	ps_sort(&v);
	n_exp = exp_totals(&v, et, &bytes, &bufs);
	if (c->json)
		ps_json(c, &v, et, n_exp, bytes, bufs);
	else
		ps_text(&v, et, n_exp, bytes, bufs);
	fflush(stdout);
	ret = 0;
out:
	free(et);
	free(v.sel_buf);
	free(v.sel_proc);
	free(v.min_pid);
	free(v.tot);
	free(v.buf_order);
	free(v.proc_order);
	dmalab_ps_free(&v.ps);
	return ret;
}

const struct cli_cmd cmd_ps = {
	.name = "ps",
	.usage = "[--pid PID]... [--exporter NAME]... [--sort KEY]",
	.summary = "every dma-buf on the machine: holders, exporter, size, sharing (no module needed)",
	.details = "Reads /proc/PID/fd, fdinfo and maps of every process: a buffer held by an fd,\n"
		   "by a mapping only, or both, shared or not. Per buffer: inode, size, exporter,\n"
		   "name, the processes holding it; per process: buffers, bytes and its\n"
		   "proportional share (PSS: each buffer's size divided by its holders); per\n"
		   "exporter: buffers and bytes. As root it sees every process; otherwise its\n"
		   "own, and it lists the processes it could not read. Take a buffer from its\n"
		   "process with 'dmalab info|dump|verify|conform --pid PID --fd N'.",
	.opts = ps_opts,
	.run = ps_run,
};
