// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libdmalab: every dma-buf on the machine, as /proc shows it (no module
 * needed): the fds of each process (/proc/PID/fd and fdinfo) and its
 * mappings (/proc/PID/maps), joined by the buffer's inode number. And
 * pidfd_getfd(2), to take one of them from its process.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* Headers older than Linux 5.6's lack them; the numbers are x86-64's. */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif

/* A dma-buf file's path, as its d_dname gives it: "/dmabuf:NAME". */
#define PS_DNAME		"/dmabuf:"
/* Kernels before 5.3 made dma-bufs anonymous inodes. */
#define PS_DNAME_OLD		"anon_inode:dmabuf"

static int ps_is_dmabuf_path(const char *p)
{
	return !strncmp(p, PS_DNAME, strlen(PS_DNAME)) ||
	       !strncmp(p, PS_DNAME_OLD, strlen(PS_DNAME_OLD));
}

/* Grow *@arr of *@cap elements of @size bytes to hold @n + 1. */
static int ps_grow(void **arr, unsigned int *cap, unsigned int n, size_t size)
{
	unsigned int ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	p = realloc(*arr, (size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* What a scan carries beside the caller's struct: array capacities. */
struct ps_scan {
	struct dmalab_ps *ps;
	unsigned int cap_bufs, cap_procs, cap_refs;
};

static struct dmalab_ps_buf *ps_buf_of(struct ps_scan *s, uint64_t ino,
				       unsigned int *idx)
{
	struct dmalab_ps *ps = s->ps;
	struct dmalab_ps_buf *b;
	unsigned int i;

	for (i = 0; i < ps->nr_bufs; i++) {
		if (ps->bufs[i].ino == ino) {
			*idx = i;
			return &ps->bufs[i];
		}
	}
	if (ps_grow((void **)&ps->bufs, &s->cap_bufs, ps->nr_bufs,
		    sizeof(*ps->bufs)))
		return NULL;
	*idx = ps->nr_bufs;
	b = &ps->bufs[ps->nr_bufs++];
	memset(b, 0, sizeof(*b));
	b->ino = ino;
	return b;
}

static struct dmalab_ps_ref *ps_ref_add(struct ps_scan *s, unsigned int proc,
					uint64_t ino)
{
	struct dmalab_ps *ps = s->ps;
	struct dmalab_ps_ref *r;
	unsigned int buf;

	if (!ps_buf_of(s, ino, &buf) ||
	    ps_grow((void **)&ps->refs, &s->cap_refs, ps->nr_refs,
		    sizeof(*ps->refs)))
		return NULL;
	r = &ps->refs[ps->nr_refs++];
	memset(r, 0, sizeof(*r));
	r->ino = ino;
	r->pid = ps->procs[proc].pid;
	r->fd = -1;
	r->buf = buf;
	r->proc = proc;
	return r;
}

/*
 * The dma-buf fields of an fdinfo file: size, count, exp_name, name, ino
 * (every file's fdinfo has ino since Linux 5.14). 1 for a dma-buf, 0 for
 * any other file, -errno when it could not be read.
 */
static int ps_read_fdinfo(const char *path, struct dmalab_ps_buf *b,
			  uint64_t *ino, long *count)
{
	char line[160];
	int is_buf = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "exp_name")) {
			snprintf(b->exporter, sizeof(b->exporter), "%s", v);
			is_buf = 1;
		} else if (!strcmp(line, "size")) {
			b->size = strtoull(v, NULL, 10);
		} else if (!strcmp(line, "name")) {
			snprintf(b->name, sizeof(b->name), "%s", v);
		} else if (!strcmp(line, "ino")) {
			*ino = strtoull(v, NULL, 10);
		} else if (!strcmp(line, "count") && count) {
			*count = strtol(v, NULL, 10);
		}
	}
	fclose(f);
	return is_buf;
}

/* Fill a buffer's fields from one fd's fdinfo, the first time it is seen. */
static void ps_buf_fill(struct dmalab_ps_buf *b, const struct dmalab_ps_buf *f)
{
	if (b->exporter[0])
		return;
	snprintf(b->exporter, sizeof(b->exporter), "%s", f->exporter);
	snprintf(b->name, sizeof(b->name), "%s", f->name);
	b->size = f->size;
}

/* The fds of process @proc that are dma-bufs. 0 or -errno. */
static int ps_scan_fds(struct ps_scan *s, unsigned int proc)
{
	struct dmalab_ps *ps = s->ps;
	char dir[64], path[96], link[128];
	int pid = ps->procs[proc].pid;
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct dmalab_ps_buf info = { 0 };
		struct dmalab_ps_ref *r;
		struct stat st;
		uint64_t ino = 0;
		ssize_t n;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		fd = atoi(de->d_name);
		/* The link names dma-bufs cheaply; fdinfo tells for sure. */
		snprintf(path, sizeof(path), "%s/%d", dir, fd);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;	/* closed meanwhile */
		link[n] = '\0';
		if (!ps_is_dmabuf_path(link))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
		if (ps_read_fdinfo(path, &info, &ino, NULL) != 1)
			continue;
		/* fdinfo before Linux 5.14 has no ino: the link's target has. */
		if (!ino) {
			snprintf(path, sizeof(path), "%s/%d", dir, fd);
			if (stat(path, &st))
				continue;
			ino = st.st_ino;
		}
		r = ps_ref_add(s, proc, ino);
		if (!r) {
			ret = -ENOMEM;
			break;
		}
		r->via = DMALAB_PS_VIA_FD;
		r->fd = fd;
		ps_buf_fill(&ps->bufs[r->buf], &info);
	}
	closedir(d);
	return ret;
}

/*
 * A buffer seen only in mappings: its exporter and size from sysfs where
 * the kernel has CONFIG_DMABUF_SYSFS_STATS. The mapped file cannot be
 * opened again (/proc/PID/map_files): a dma-buf's inode has no open.
 */
static void ps_buf_from_sysfs(struct dmalab_ps_buf *b)
{
	char path[96], v[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/dmabuf/buffers/%" PRIu64
		 "/exporter_name", b->ino);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(v, sizeof(v), f)) {
		v[strcspn(v, "\n")] = '\0';
		snprintf(b->exporter, sizeof(b->exporter), "%s", v);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/sys/kernel/dmabuf/buffers/%" PRIu64 "/size",
		 b->ino);
	f = fopen(path, "re");
	if (f && fgets(v, sizeof(v), f))
		b->size = strtoull(v, NULL, 10);
	if (f)
		fclose(f);
}

/* The mappings of process @proc that are dma-bufs. 0 or -errno. */
static int ps_scan_maps(struct ps_scan *s, unsigned int proc)
{
	struct dmalab_ps *ps = s->ps;
	int pid = ps->procs[proc].pid;
	char path[64], line[512];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* "lo-hi perms offset dev inode path": the path from column 6. */
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, ino;
		struct dmalab_ps_ref *r;
		struct dmalab_ps_buf *b;
		int off = 0;

		if (sscanf(line, "%llx-%llx %*s %*s %*s %llu %n", &lo, &hi,
			   &ino, &off) < 3 || !off)
			continue;
		if (!ps_is_dmabuf_path(line + off))
			continue;
		r = ps_ref_add(s, proc, ino);
		if (!r) {
			ret = -ENOMEM;
			break;
		}
		r->via = DMALAB_PS_VIA_MAP;
		r->map_start = lo;
		r->map_end = hi;
		b = &ps->bufs[r->buf];
		/* A name set on the buffer follows the colon. */
		if (!b->name[0] && !strncmp(line + off, PS_DNAME,
					    strlen(PS_DNAME))) {
			char *nm = line + off + strlen(PS_DNAME);

			nm[strcspn(nm, "\n")] = '\0';
			snprintf(b->name, sizeof(b->name), "%s", nm);
		}
	}
	if (ferror(f) && !ret)
		ret = -errno;
	fclose(f);
	return ret;
}

static int ps_proc_add(struct ps_scan *s, int pid)
{
	struct dmalab_ps *ps = s->ps;
	struct dmalab_ps_proc *p;
	char path[64];
	struct stat st;
	FILE *f;

	if (ps_grow((void **)&ps->procs, &s->cap_procs, ps->nr_procs,
		    sizeof(*ps->procs)))
		return -ENOMEM;
	p = &ps->procs[ps->nr_procs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &st))
		return -errno;	/* gone */
	p->uid = st.st_uid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(p->comm, sizeof(p->comm), f))
			p->comm[strcspn(p->comm, "\n")] = '\0';
		fclose(f);
	}
	ps->nr_procs++;
	return 0;
}

/*
 * Whether reference @i is its process's first to its buffer. A process's
 * references are contiguous: they were added while scanning it.
 */
static int ps_first_in_proc(const struct dmalab_ps *ps, unsigned int i)
{
	unsigned int j;

	for (j = i; j-- > 0 && ps->refs[j].proc == ps->refs[i].proc;)
		if (ps->refs[j].buf == ps->refs[i].buf)
			return 0;
	return 1;
}

/* Per buffer and per process: how many hold it, totals, proportional share. */
static void ps_count(struct dmalab_ps *ps)
{
	unsigned int i;

	for (i = 0; i < ps->nr_refs; i++) {
		const struct dmalab_ps_ref *r = &ps->refs[i];
		struct dmalab_ps_buf *b = &ps->bufs[r->buf];
		struct dmalab_ps_proc *p = &ps->procs[r->proc];
		uint64_t len = r->map_end - r->map_start;

		if (r->via == DMALAB_PS_VIA_FD) {
			b->nr_fds++;
			p->nr_fds++;
		} else {
			b->nr_maps++;
			p->nr_maps++;
			if (!b->size_known && len > b->size)
				b->size = len;	/* at least what is mapped */
		}
		/* Its first reference in this process counts the process. */
		if (ps_first_in_proc(ps, i)) {
			b->nr_procs++;
			p->nr_bufs++;
		}
	}
	for (i = 0; i < ps->nr_refs; i++) {
		const struct dmalab_ps_ref *r = &ps->refs[i];
		const struct dmalab_ps_buf *b = &ps->bufs[r->buf];
		struct dmalab_ps_proc *p = &ps->procs[r->proc];

		if (!ps_first_in_proc(ps, i))
			continue;
		p->bytes += b->size;
		p->pss += b->size / b->nr_procs;
	}
}

/* Drop processes that hold nothing and were read in full. */
static void ps_compact(struct dmalab_ps *ps)
{
	unsigned int i, j, k, *map;

	map = calloc(ps->nr_procs ? ps->nr_procs : 1, sizeof(*map));
	if (!map)
		return;		/* keep them all: still correct */
	for (i = 0, j = 0; i < ps->nr_procs; i++) {
		if (!ps->procs[i].nr_bufs && !ps->procs[i].error)
			continue;
		map[i] = j;
		ps->procs[j++] = ps->procs[i];
	}
	ps->nr_procs = j;
	for (k = 0; k < ps->nr_refs; k++)
		ps->refs[k].proc = map[ps->refs[k].proc];
	free(map);
}

int dmalab_ps_scan(struct dmalab_ps *ps, struct dmalab_err *err)
{
	struct ps_scan s = { .ps = ps };
	struct dirent *de;
	unsigned int i;
	int ret = 0;
	DIR *d;

	memset(ps, 0, sizeof(*ps));
	d = opendir("/proc");
	if (!d)
		return dmalab_err_set(err, errno, "open /proc");
	while ((de = readdir(d))) {
		struct dmalab_ps_proc *p;
		unsigned int idx;
		int pid, r;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		r = ps_proc_add(&s, pid);
		if (r == -ENOMEM) {
			ret = r;
			break;
		}
		if (r)
			continue;
		idx = ps->nr_procs - 1;
		ps->nr_scanned++;
		r = ps_scan_fds(&s, idx);
		if (r == -ENOMEM) {
			ret = r;
			break;
		}
		p = &ps->procs[idx];
		if (r == -ENOENT) {	/* it exited meanwhile */
			ps->nr_procs--;
			ps->nr_scanned--;
			continue;
		}
		p->error = r;
		r = ps_scan_maps(&s, idx);
		if (r == -ENOMEM) {
			ret = r;
			break;
		}
		p = &ps->procs[idx];
		if (r && r != -ENOENT && !p->error)
			p->error = r;
		if (p->error)
			ps->nr_unreadable++;
	}
	closedir(d);
	if (ret) {
		dmalab_ps_free(ps);
		return dmalab_err_set(err, -ret, "scanning /proc for dma-bufs");
	}
	/* Buffers only mapped: exporter and size from sysfs, if it has them. */
	for (i = 0; i < ps->nr_bufs; i++) {
		struct dmalab_ps_buf *b = &ps->bufs[i];

		if (!b->exporter[0])
			ps_buf_from_sysfs(b);
		b->size_known = b->exporter[0] != '\0';
	}
	ps_count(ps);
	ps_compact(ps);
	return 0;
}

void dmalab_ps_free(struct dmalab_ps *ps)
{
	free(ps->bufs);
	free(ps->procs);
	free(ps->refs);
	memset(ps, 0, sizeof(*ps));
}

int dmalab_pidfd_getfd(int pid, int fd, struct dmalab_err *err)
{
	int pidfd, nfd, e;

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return dmalab_err_set(err, errno, "pidfd_open of pid %d", pid);
	nfd = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	e = errno;
	close(pidfd);
	if (nfd < 0)
		return dmalab_err_set(err, e, "pidfd_getfd of fd %d of pid %d%s",
				      fd, pid, e == EPERM ?
				      " (needs CAP_SYS_PTRACE over it)" : "");
	return nfd;
}
