// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab_ps_scan() against a set-up it must list exactly: children of the
 * test hold buffers of ours, vgem's, the system heap's and udmabuf's by
 * fd, by a mapping only, by both, and shared between processes; every
 * count, size, holder and total is checked against what was set up. An
 * unprivileged scan sees its own user's processes and names the others
 * it could not read; dmalab_pidfd_getfd() takes a holder's buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmalab.h"
#include "kselftest_harness.h"

#define MAX_ITEMS	4
#define NOBODY		65534

enum how { HOLD_FD, HOLD_MAP, HOLD_FD_AND_MAP };

/* What one holder keeps: buffers (fds of the test) by fd, map or both. */
struct spec {
	int fd[MAX_ITEMS];
	enum how how[MAX_ITEMS];
	int n;
	int nobody;		/* become uid 65534 (dumpable) first */
};

struct holder {
	pid_t pid;
	int ctl;		/* closing it ends the holder */
};

/* A buffer the test made: what the listing must show for it. */
struct want {
	int fd;
	uint64_t ino;
	uint64_t size;
	char exporter[DMALAB_PS_EXP_LEN];
	char name[DMA_BUF_NAME_LEN];
};

static int drop_to_nobody(void)
{
	gid_t g = NOBODY;

	if (setgroups(0, &g) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	/* A process that changed its uid is not dumpable: its /proc is root's. */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static int kept(const struct spec *s, int fd, int ctl)
{
	int i;

	if (fd == ctl)
		return 1;
	for (i = 0; i < s->n; i++)
		if (s->fd[i] == fd && s->how[i] != HOLD_MAP)
			return 1;
	return 0;
}

/* The holder's life: map, close every other fd, say ready, wait for EOF. */
static void hold(const struct spec *s, int ctl, int ready)
{
	int i, fd;
	char c = 1;

	if (s->nobody && drop_to_nobody())
		_exit(3);
	for (i = 0; i < s->n; i++) {
		off_t len = lseek(s->fd[i], 0, SEEK_END);

		if (s->how[i] != HOLD_FD &&
		    (len <= 0 || mmap(NULL, len, PROT_READ, MAP_SHARED,
				      s->fd[i], 0) == MAP_FAILED))
			_exit(4);
	}
	for (fd = 3; fd < 1024; fd++)
		if (fd != ready && !kept(s, fd, ctl))
			close(fd);
	if (write(ready, &c, 1) != 1)
		_exit(5);
	close(ready);
	while (read(ctl, &c, 1) > 0)
		;
	_exit(0);
}

static int spawn(const struct spec *s, struct holder *h)
{
	int ctl[2], rdy[2];
	char c;

	if (pipe(ctl) || pipe(rdy))
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (!h->pid) {
		close(ctl[1]);
		close(rdy[0]);
		hold(s, ctl[0], rdy[1]);
	}
	close(ctl[0]);
	close(rdy[1]);
	h->ctl = ctl[1];
	c = 0;
	if (read(rdy[0], &c, 1) != 1)
		c = 0;
	close(rdy[0]);
	return c == 1 ? 0 : -1;
}

static void end(struct holder *h)
{
	if (h->pid <= 0)
		return;
	close(h->ctl);
	waitpid(h->pid, NULL, 0);
	h->pid = 0;
}

/* What the test knows of a buffer it made, from the fd itself. */
static int known(int fd, uint64_t size, const char *name, struct want *w)
{
	struct stat st;

	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->size = size;
	if (fd < 0 || fstat(fd, &st))
		return -1;
	w->ino = st.st_ino;
	if (name && dmalab_buf_set_name(fd, name, NULL))
		return -1;
	snprintf(w->name, sizeof(w->name), "%s", name ? name : "");
	return dmalab_buf_fdinfo(fd, "exp_name", w->exporter,
				 sizeof(w->exporter), NULL);
}

static const struct dmalab_ps_buf *buf_of(const struct dmalab_ps *ps,
					  uint64_t ino)
{
	unsigned int i;

	for (i = 0; i < ps->nr_bufs; i++)
		if (ps->bufs[i].ino == ino)
			return &ps->bufs[i];
	return NULL;
}

static const struct dmalab_ps_proc *proc_of(const struct dmalab_ps *ps,
					    int pid)
{
	unsigned int i;

	for (i = 0; i < ps->nr_procs; i++)
		if (ps->procs[i].pid == pid)
			return &ps->procs[i];
	return NULL;
}

/* References of @pid to @ino: by fd (the fd's number in *@fd) and by map. */
static void refs_of(const struct dmalab_ps *ps, int pid, uint64_t ino,
		    int *fds, int *maps, int *fd)
{
	unsigned int i;

	*fds = *maps = 0;
	*fd = -1;
	for (i = 0; i < ps->nr_refs; i++) {
		const struct dmalab_ps_ref *r = &ps->refs[i];

		if (r->pid != pid || r->ino != ino)
			continue;
		if (r->via == DMALAB_PS_VIA_FD) {
			(*fds)++;
			*fd = r->fd;
		} else {
			(*maps)++;
		}
	}
}

/* Buffers the processes @pids hold, counted once each. */
static unsigned int bufs_of(const struct dmalab_ps *ps, const pid_t *pids,
			    int n)
{
	unsigned int i, k, count = 0;
	int j;

	for (i = 0; i < ps->nr_bufs; i++) {
		int held = 0;

		for (k = 0; k < ps->nr_refs && !held; k++)
			for (j = 0; j < n; j++)
				held |= ps->refs[k].buf == i &&
					ps->refs[k].pid == pids[j];
		count += held;
	}
	return count;
}

/* A buffer as listed: size, exporter, name, processes, fds, maps. */
#define EXPECT_BUF(ps, w, known_size, procs, nfds, nmaps) do {		\
	const struct dmalab_ps_buf *_b = buf_of(ps, (w)->ino);		\
	ASSERT_NE(NULL, _b) TH_LOG("inode %llu not listed",		\
				   (unsigned long long)(w)->ino);	\
	EXPECT_EQ((w)->size, _b->size);					\
	EXPECT_EQ(known_size, _b->size_known);				\
	EXPECT_STREQ(known_size ? (w)->exporter : "", _b->exporter);	\
	EXPECT_STREQ((w)->name, _b->name);				\
	EXPECT_EQ((unsigned int)(procs), _b->nr_procs);					\
	EXPECT_EQ((unsigned int)(nfds), _b->nr_fds);					\
	EXPECT_EQ((unsigned int)(nmaps), _b->nr_maps);					\
} while (0)

/* A process as listed: buffers, fds, maps, bytes, proportional share. */
#define EXPECT_PROC(ps, pid, nb, nfds, nmaps, total, share) do {		\
	const struct dmalab_ps_proc *_p = proc_of(ps, pid);		\
	ASSERT_NE(NULL, _p) TH_LOG("pid %d not listed", pid);		\
	EXPECT_EQ(0, _p->error);					\
	EXPECT_EQ((unsigned int)(nb), _p->nr_bufs);					\
	EXPECT_EQ((unsigned int)(nfds), _p->nr_fds);					\
	EXPECT_EQ((unsigned int)(nmaps), _p->nr_maps);					\
	EXPECT_EQ((uint64_t)(total), _p->bytes);			\
	EXPECT_EQ((uint64_t)(share), _p->pss);				\
} while (0)

/* Holder @pid's reference to @w: @nfds by fd (its number @w->fd), @nmaps. */
#define EXPECT_REFS(ps, pid, w, nfds, nmaps) do {			\
	int _f, _m, _fd;						\
	refs_of(ps, pid, (w)->ino, &_f, &_m, &_fd);			\
	EXPECT_EQ(nfds, _f);						\
	EXPECT_EQ(nmaps, _m);						\
	if (nfds)							\
		EXPECT_EQ((w)->fd, _fd);				\
} while (0)

FIXTURE(ps) {
	struct holder h[3];
	struct want w[3];
	struct dmalab_ps ps;
	struct dmalab_err err;
};

FIXTURE_SETUP(ps)
{
	int i;

	memset(self, 0, sizeof(*self));
	for (i = 0; i < 3; i++)
		self->w[i].fd = -1;
}

FIXTURE_TEARDOWN(ps)
{
	int i;

	for (i = 0; i < 3; i++) {
		end(&self->h[i]);
		if (self->w[i].fd >= 0)
			close(self->w[i].fd);
	}
	dmalab_ps_free(&self->ps);
}

static int ours(uint64_t len)
{
	struct dmalab_alloc_opts o = { .len = len, .cloexec = 1 };

	return dmalab_alloc(-1, &o, NULL);
}

#define SPAWN(i, ...) do {						\
	struct spec _s = { __VA_ARGS__ };				\
	ASSERT_EQ(0, spawn(&_s, &self->h[i]))				\
		TH_LOG("holder %d did not start", i);			\
} while (0)

#define SCAN() ASSERT_EQ(0, dmalab_ps_scan(&self->ps, &self->err))	\
		TH_LOG("%s", self->err.msg)

/*
 * Ours (64 KiB) by fd in two processes, vgem (128 KiB) by fd in one: two
 * buffers, the shared one counted in both with half its size as share.
 */
TEST_F(ps, fds_in_two_processes_listed_exactly)
{
	pid_t pids[2];

	ASSERT_EQ(0, known(ours(64 << 10), 64 << 10, "ps-ours", &self->w[0]));
	if (known(dmalab_vgem_alloc(-1, 128 << 10, NULL, NULL), 128 << 10,
		  "ps-vgem", &self->w[1]))
		SKIP(return, "no vgem buffer on this kernel");
	SPAWN(0, .fd = { self->w[0].fd }, .how = { HOLD_FD }, .n = 1);
	SPAWN(1, .fd = { self->w[0].fd, self->w[1].fd },
	      .how = { HOLD_FD, HOLD_FD }, .n = 2);
	for (int i = 0; i < 2; i++) {
		close(self->w[i].fd);
		pids[i] = self->h[i].pid;
	}
	SCAN();
	EXPECT_EQ(2U, bufs_of(&self->ps, pids, 2));
	EXPECT_BUF(&self->ps, &self->w[0], 1, 2, 2, 0);
	EXPECT_BUF(&self->ps, &self->w[1], 1, 1, 1, 0);
	EXPECT_PROC(&self->ps, pids[0], 1, 1, 0, 64 << 10, 32 << 10);
	EXPECT_PROC(&self->ps, pids[1], 2, 2, 0, 192 << 10,
		    (32 << 10) + (128 << 10));
	EXPECT_REFS(&self->ps, pids[0], &self->w[0], 1, 0);
	EXPECT_REFS(&self->ps, pids[1], &self->w[0], 1, 0);
	EXPECT_REFS(&self->ps, pids[1], &self->w[1], 1, 0);
	/* The test closed its fds: it holds none of them. */
	EXPECT_EQ(0U, bufs_of(&self->ps, (pid_t[]){ getpid() }, 1));
	self->w[0].fd = self->w[1].fd = -1;
}

/*
 * Buffers held by mappings only: ours (64 KiB) and vgem's (64 KiB), no fd
 * left anywhere, show their inode, name and mapped length, exporter
 * unknown; ours of 128 KiB held by fd and map in one process and by a
 * mapping in another shows its size and exporter from the fd.
 */
TEST_F(ps, mappings_without_fds_listed_by_inode_and_length)
{
	pid_t pids[3];

	ASSERT_EQ(0, known(ours(64 << 10), 64 << 10, "ps-map", &self->w[0]));
	ASSERT_EQ(0, known(ours(128 << 10), 128 << 10, "ps-both", &self->w[2]));
	if (known(dmalab_vgem_alloc(-1, 64 << 10, NULL, NULL), 64 << 10,
		  "ps-vgem-map", &self->w[1]))
		SKIP(return, "no vgem buffer on this kernel");
	SPAWN(0, .fd = { self->w[0].fd, self->w[2].fd },
	      .how = { HOLD_MAP, HOLD_MAP }, .n = 2);
	SPAWN(1, .fd = { self->w[1].fd }, .how = { HOLD_MAP }, .n = 1);
	SPAWN(2, .fd = { self->w[2].fd }, .how = { HOLD_FD_AND_MAP }, .n = 1);
	for (int i = 0; i < 3; i++) {
		close(self->w[i].fd);
		pids[i] = self->h[i].pid;
	}
	SCAN();
	EXPECT_EQ(3U, bufs_of(&self->ps, pids, 3));
	EXPECT_BUF(&self->ps, &self->w[0], 0, 1, 0, 1);
	EXPECT_BUF(&self->ps, &self->w[1], 0, 1, 0, 1);
	EXPECT_BUF(&self->ps, &self->w[2], 1, 2, 1, 2);
	EXPECT_PROC(&self->ps, pids[0], 2, 0, 2, 192 << 10,
		    (64 << 10) + (64 << 10));
	EXPECT_PROC(&self->ps, pids[1], 1, 0, 1, 64 << 10, 64 << 10);
	EXPECT_PROC(&self->ps, pids[2], 1, 1, 1, 128 << 10, 64 << 10);
	EXPECT_REFS(&self->ps, pids[0], &self->w[0], 0, 1);
	EXPECT_REFS(&self->ps, pids[2], &self->w[2], 1, 1);
	self->w[0].fd = self->w[1].fd = self->w[2].fd = -1;
}

/*
 * A mainline exporter's buffer (@fd, @len) by fd and map in one process,
 * by a mapping only in another: one buffer, two processes.
 */
static void fd_map_and_map(struct __test_metadata *_metadata,
			   FIXTURE_DATA(ps) *self, int fd, uint64_t len,
			   const char *name)
{
	pid_t pids[2];

	ASSERT_EQ(0, known(fd, len, name, &self->w[0]));
	SPAWN(0, .fd = { fd }, .how = { HOLD_FD_AND_MAP }, .n = 1);
	SPAWN(1, .fd = { fd }, .how = { HOLD_MAP }, .n = 1);
	close(fd);	/* w[0].fd keeps the number the holder has it under */
	pids[0] = self->h[0].pid;
	pids[1] = self->h[1].pid;
	SCAN();
	EXPECT_EQ(1U, bufs_of(&self->ps, pids, 2));
	EXPECT_BUF(&self->ps, &self->w[0], 1, 2, 1, 2);
	EXPECT_PROC(&self->ps, pids[0], 1, 1, 1, len, len / 2);
	EXPECT_PROC(&self->ps, pids[1], 1, 0, 1, len, len / 2);
	EXPECT_REFS(&self->ps, pids[0], &self->w[0], 1, 1);
	self->w[0].fd = -1;
}

TEST_F(ps, system_heap_buffer_by_fd_and_by_mapping)
{
	int fd = dmalab_heap_alloc(-1, 256 << 10, &self->err);

	if (fd < 0)
		SKIP(return, "no system heap on this kernel (%s)", self->err.msg);
	fd_map_and_map(_metadata, self, fd, 256 << 10, "ps-heap");
}

TEST_F(ps, udmabuf_buffer_by_fd_and_by_mapping)
{
	int fd = dmalab_udmabuf_alloc(-1, 192 << 10, &self->err);

	if (fd < 0)
		SKIP(return, "no udmabuf on this kernel (%s)", self->err.msg);
	fd_map_and_map(_metadata, self, fd, 192 << 10, "ps-udmabuf");
}

/*
 * What a scan as uid 65534 must show: the buffer of a holder of its own
 * user, not the root holder's, and the root processes as unreadable.
 * Returns a failure's description or NULL.
 */
static const char *scan_as_nobody(const struct want *mine,
				  const struct want *roots, pid_t holder,
				  pid_t root_holder, pid_t test)
{
	const struct dmalab_ps_proc *p;
	const struct dmalab_ps_buf *b;
	struct dmalab_ps ps;
	const char *bad = NULL;

	if (drop_to_nobody())
		return "could not become uid 65534";
	if (dmalab_ps_scan(&ps, NULL))
		return "the scan failed";
	b = buf_of(&ps, mine->ino);
	p = proc_of(&ps, holder);
	if (!b || b->nr_procs != 1 || b->nr_fds != 1 || b->size != mine->size)
		bad = "the own user's holder's buffer is not listed as set up";
	else if (!p || p->error || p->nr_bufs != 1 || p->bytes != mine->size)
		bad = "the own user's holder is not listed as set up";
	else if (buf_of(&ps, roots->ino))
		bad = "root's buffer is listed to uid 65534";
	else if (!(p = proc_of(&ps, root_holder)) || p->error != -EACCES)
		bad = "the root holder is not named unreadable (EACCES)";
	else if (!(p = proc_of(&ps, test)) || p->error != -EACCES)
		bad = "the test process is not named unreadable (EACCES)";
	else if (!ps.nr_unreadable)
		bad = "no process counted unreadable";
	dmalab_ps_free(&ps);
	return bad;
}

TEST_F(ps, unprivileged_scan_sees_its_own_and_names_the_rest)
{
	const char *bad;
	int st = 0, msg[2];
	char line[128] = "";
	pid_t pid;
	ssize_t n;

	ASSERT_EQ(0, known(ours(64 << 10), 64 << 10, "ps-nobody", &self->w[0]));
	ASSERT_EQ(0, known(ours(64 << 10), 64 << 10, "ps-root", &self->w[1]));
	SPAWN(0, .fd = { self->w[0].fd }, .how = { HOLD_FD }, .n = 1,
	      .nobody = 1);
	SPAWN(1, .fd = { self->w[1].fd }, .how = { HOLD_FD }, .n = 1);
	close(self->w[0].fd);
	close(self->w[1].fd);
	self->w[0].fd = self->w[1].fd = -1;
	ASSERT_EQ(0, pipe(msg));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(msg[0]);
		bad = scan_as_nobody(&self->w[0], &self->w[1], self->h[0].pid,
				     self->h[1].pid, getppid());
		if (bad && write(msg[1], bad, strlen(bad)) < 0)
			_exit(2);
		_exit(bad ? 1 : 0);
	}
	close(msg[1]);
	n = read(msg[0], line, sizeof(line) - 1);
	line[n > 0 ? n : 0] = '\0';
	close(msg[0]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st)) TH_LOG("%s", line);
}

/* The holder's fd, taken by pidfd_getfd, is the same buffer. */
TEST_F(ps, pidfd_getfd_takes_the_holders_buffer)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, known(ours(64 << 10), 64 << 10, "ps-getfd", &self->w[0]));
	SPAWN(0, .fd = { self->w[0].fd }, .how = { HOLD_FD }, .n = 1);
	fd = self->w[0].fd;
	close(fd);
	self->w[0].fd = -1;
	fd = dmalab_pidfd_getfd(self->h[0].pid, fd, &self->err);
	if (fd == -ENOSYS)
		SKIP(return, "no pidfd_getfd in this kernel (before 5.6)");
	ASSERT_LE(0, fd) TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(self->w[0].ino, st.st_ino);
	close(fd);
	/* A number the holder has not open. */
	EXPECT_EQ(-EBADF, dmalab_pidfd_getfd(self->h[0].pid, 1000, NULL));
}

TEST_HARNESS_MAIN
