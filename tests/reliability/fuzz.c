// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input fuzzer: a bounded, seeded stream of random ioctls on both
 * devices (real commands with mutated structs, neighbouring and far command
 * numbers, wrong sizes, flags, reserved fields, fd numbers of every kind,
 * bad argument pointers), random mmaps of dma-bufs and of the exporter's
 * device, double closes, and use of buffers and handles across processes.
 * A call that succeeds where the UAPI says it must fail, a valid mmap that
 * is refused, or a failed call that leaves a buffer alive fails the run;
 * the bench fails it on any splat. Replay with DMALAB_SEED=<seed>.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/eventfd.h>
#include <signal.h>

#include "reliability/rel_util.h"

#define FZ_DEFAULT_CALLS	20000
#define FZ_SECS			10.0
#define FZ_BUF_LEN		(64 * KiB)
#define FZ_ARG_MAX		512

enum fz_kind { FD_OURS, FD_FOREIGN, FD_NOTBUF, FD_DEV_EXP, FD_DEV_IMP,
	       FD_CLOSED, FD_NEG1, FD_BAD, FD_NKIND };

struct fz_fd {
	int fd;
	enum fz_kind kind;
};

struct fz_range {
	unsigned short off, len;
};

/* What the UAPI promises about one command. */
struct fz_cmd {
	const char *name;
	int imp;			/* 0: /dev/dmalab_exp, 1: /dev/dmalab_imp */
	unsigned long cmd;
	unsigned int size;
	int flags_off;			/* -1: none */
	unsigned int allowed_flags;
	int fd_off;			/* -1: no fd argument */
	struct fz_range zero[3];	/* pad and reserved: must be zero */
};

#define R(type, field) { offsetof(struct type, field), \
			 sizeof(((struct type *)0)->field) }

static struct fz_cmd fz_cmds[] = {
	{ "exp_alloc", 0, DMALAB_EXP_IOC_ALLOC, sizeof(struct dmalab_exp_alloc),
	  offsetof(struct dmalab_exp_alloc, flags), DMALAB_EXP_ALLOC_FLAGS, -1,
	  { R(dmalab_exp_alloc, pad), R(dmalab_exp_alloc, reserved) } },
	{ "exp_info", 0, DMALAB_EXP_IOC_INFO, sizeof(struct dmalab_exp_info),
	  offsetof(struct dmalab_exp_info, flags), 0,
	  offsetof(struct dmalab_exp_info, fd),
	  { R(dmalab_exp_info, pad), R(dmalab_exp_info, pad2),
	    R(dmalab_exp_info, reserved) } },
	{ "exp_bind", 0, DMALAB_EXP_IOC_BIND, sizeof(struct dmalab_exp_bind),
	  offsetof(struct dmalab_exp_bind, flags), 0,
	  offsetof(struct dmalab_exp_bind, fd),
	  { R(dmalab_exp_bind, pad), R(dmalab_exp_bind, reserved) } },
	{ "exp_stats", 0, DMALAB_EXP_IOC_STATS, sizeof(struct dmalab_exp_stats),
	  offsetof(struct dmalab_exp_stats, flags), 0, -1,
	  { R(dmalab_exp_stats, reserved) } },
	{ "imp_import", 1, DMALAB_IMP_IOC_IMPORT, sizeof(struct dmalab_imp_import),
	  offsetof(struct dmalab_imp_import, flags), 0,
	  offsetof(struct dmalab_imp_import, fd),
	  { R(dmalab_imp_import, reserved) } },
	{ "imp_release", 1, DMALAB_IMP_IOC_RELEASE, sizeof(struct dmalab_imp_id),
	  offsetof(struct dmalab_imp_id, flags), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) } },
	{ "imp_dev_list", 1, DMALAB_IMP_IOC_DEV_LIST, sizeof(struct dmalab_imp_dev_list),
	  offsetof(struct dmalab_imp_dev_list, flags), 0, -1,
	  { R(dmalab_imp_dev_list, pad), R(dmalab_imp_dev_list, reserved) } },
	{ "imp_dev_info", 1, DMALAB_IMP_IOC_DEV_INFO, sizeof(struct dmalab_imp_dev_info),
	  offsetof(struct dmalab_imp_dev_info, flags), 0, -1,
	  { R(dmalab_imp_dev_info, pad), R(dmalab_imp_dev_info, reserved) } },
	{ "imp_sim_create", 1, DMALAB_IMP_IOC_SIM_CREATE, sizeof(struct dmalab_imp_sim_create),
	  offsetof(struct dmalab_imp_sim_create, flags), DMALAB_IMP_SIM_FLAGS, -1,
	  { R(dmalab_imp_sim_create, pad), R(dmalab_imp_sim_create, reserved) } },
	{ "imp_sim_destroy", 1, DMALAB_IMP_IOC_SIM_DESTROY, sizeof(struct dmalab_imp_id),
	  offsetof(struct dmalab_imp_id, flags), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) } },
	{ "imp_attach", 1, DMALAB_IMP_IOC_ATTACH, sizeof(struct dmalab_imp_attach),
	  offsetof(struct dmalab_imp_attach, flags), 0, -1,
	  { R(dmalab_imp_attach, pad), R(dmalab_imp_attach, reserved) } },
	{ "imp_detach", 1, DMALAB_IMP_IOC_DETACH, sizeof(struct dmalab_imp_id),
	  offsetof(struct dmalab_imp_id, flags), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) } },
	{ "imp_map", 1, DMALAB_IMP_IOC_MAP, sizeof(struct dmalab_imp_map),
	  offsetof(struct dmalab_imp_map, flags), 0, -1,
	  { R(dmalab_imp_map, reserved) } },
	{ "imp_unmap", 1, DMALAB_IMP_IOC_UNMAP, sizeof(struct dmalab_imp_id),
	  offsetof(struct dmalab_imp_id, flags), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) } },
	{ "imp_sg_info", 1, DMALAB_IMP_IOC_SG_INFO, sizeof(struct dmalab_imp_sg_info),
	  offsetof(struct dmalab_imp_sg_info, flags), 0, -1,
	  { R(dmalab_imp_sg_info, reserved) } },
	{ "imp_cpu", 1, DMALAB_IMP_IOC_CPU, sizeof(struct dmalab_imp_cpu),
	  offsetof(struct dmalab_imp_cpu, flags), 0, -1,
	  { R(dmalab_imp_cpu, pad), R(dmalab_imp_cpu, reserved) } },
	{ "imp_job", 1, DMALAB_IMP_IOC_JOB, sizeof(struct dmalab_imp_job),
	  offsetof(struct dmalab_imp_job, flags), DMALAB_IMP_JOB_FLAGS, -1,
	  { R(dmalab_imp_job, reserved) } },
	{ "imp_wait", 1, DMALAB_IMP_IOC_WAIT, sizeof(struct dmalab_imp_wait),
	  offsetof(struct dmalab_imp_wait, flags), 0, -1,
	  { R(dmalab_imp_wait, reserved) } },
};

#define FZ_NCMDS (sizeof(fz_cmds) / sizeof(fz_cmds[0]))

static unsigned long fz_cmd_calls[FZ_NCMDS], fz_cmd_ok[FZ_NCMDS];

static uint64_t fz_seed;
static int fz_exp, fz_imp, fz_exp2;
static struct fz_fd fz_fds[16];
static int fz_nfds;
static uint64_t fz_max_len, fz_max_contig;
static unsigned long fz_errno_hist[256], fz_calls, fz_unexpected;
static unsigned char *fz_scratch;	/* 1 MiB of user memory for CPU ops */
static unsigned char *fz_ro_page;	/* read-only page */
static unsigned char *fz_none_page;	/* PROT_NONE page after a RW page */

static void fz_bad(const char *fmt, ...)
{
	va_list ap;

	if (++fz_unexpected > 10)
		return;
	printf("# UNEXPECTED (seed %#llx, call %lu): ",
	       (unsigned long long)fz_seed, fz_calls);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static uint64_t fz_r(void)
{
	return rel_rand(&fz_seed);
}

static void fz_errno(int e)
{
	fz_errno_hist[e < 256 ? e : 255]++;
}

static void fz_add_fd(int fd, enum fz_kind kind)
{
	if (fd >= 0 || kind == FD_CLOSED || kind == FD_NEG1 || kind == FD_BAD) {
		fz_fds[fz_nfds].fd = fd;
		fz_fds[fz_nfds++].kind = kind;
	}
}

static const struct fz_fd *fz_pick_fd(void)
{
	return &fz_fds[fz_r() % fz_nfds];
}

/*
 * What a mutated fd number really names: a byte or field mutation may turn
 * the picked fd into any other number, open or not, so the expectation
 * follows the number in the struct, read from the kernel's fdinfo.
 */
static const struct fz_fd *fz_classify_fd(int fd)
{
	static struct fz_fd f;
	char exp[64];
	int r;

	f.fd = fd;
	if (fd < 0) {
		f.kind = fd == -1 ? FD_NEG1 : FD_BAD;
		return &f;
	}
	r = dmalab_buf_fdinfo(fd, "exp_name", exp, sizeof(exp), NULL);
	f.kind = r == -EBADF ? FD_CLOSED : r ? FD_NOTBUF :
		 !strcmp(exp, "dmalab_exp") ? FD_OURS : FD_FOREIGN;
	return &f;
}

static uint64_t fz_special_u64(void)
{
	static const uint64_t v[] = {
		0, 1, 4095, 4096, 4097, 8192, 65536, 65536 + 1, 1ULL << 20,
		1ULL << 32, (1ULL << 32) - 4096, 1ULL << 63, ~0ULL,
		~0ULL - 4095, 0x7fffffff, 0x80000000,
	};
	uint64_t r = fz_r();

	if (r % 4 == 0)
		return fz_r();
	if (r % 4 == 1)
		return (fz_r() % 64 + 1) * 4096;
	return v[(r >> 8) % (sizeof(v) / sizeof(v[0]))];
}

/* A valid-looking starting point for @c, so that mutations reach deep. */
static void fz_template(const struct fz_cmd *c, unsigned char *a)
{
	memset(a, 0, FZ_ARG_MAX);
	*(uint32_t *)a = c->size;
	if (c->cmd == DMALAB_EXP_IOC_ALLOC) {
		struct dmalab_exp_alloc *x = (void *)a;

		x->len = (fz_r() % 16 + 1) * 4096;
		x->fd_flags = O_RDWR | O_CLOEXEC;
		x->placement = fz_r() % 2;
		x->timing = fz_r() % 2;
	} else if (c->cmd == DMALAB_IMP_IOC_SIM_CREATE) {
		struct dmalab_imp_sim_create *x = (void *)a;

		x->dma_bits = 24 + fz_r() % 41;
	} else if (c->cmd == DMALAB_IMP_IOC_CPU) {
		struct dmalab_imp_cpu *x = (void *)a;

		x->handle = 1 + fz_r() % 3;
		x->op = 1 + fz_r() % 4;
		x->len = 1 + fz_r() % 8192;
		if (x->op <= DMALAB_IMP_CPU_WRITE)
			x->user_ptr = (uintptr_t)fz_scratch;
	} else if (c->cmd == DMALAB_IMP_IOC_JOB) {
		struct dmalab_imp_job *x = (void *)a;

		x->op = 1 + fz_r() % 3;
		x->src_attach = 1 + fz_r() % 3;
		x->dst_attach = 1 + fz_r() % 3;
		x->len = 1 + fz_r() % 8192;
	} else if (c->cmd == DMALAB_IMP_IOC_ATTACH) {
		struct dmalab_imp_attach *x = (void *)a;

		x->handle = 1 + fz_r() % 3;
		x->dev_id = 1 + fz_r() % 6;
	} else if (c->imp && c->size == sizeof(struct dmalab_imp_id)) {
		((struct dmalab_imp_id *)a)->id = 1 + fz_r() % 4;
	} else if (c->cmd == DMALAB_IMP_IOC_DEV_INFO) {
		((struct dmalab_imp_dev_info *)a)->dev_id = 1 + fz_r() % 6;
	} else if (c->cmd == DMALAB_IMP_IOC_SG_INFO) {
		struct dmalab_imp_sg_info *x = (void *)a;

		x->attach_id = 1 + fz_r() % 3;
		if (fz_r() % 2) {
			x->entries_ptr = (uintptr_t)fz_scratch;
			x->entries_cap = fz_r() % 64;
		}
	} else if (c->cmd == DMALAB_IMP_IOC_WAIT) {
		((struct dmalab_imp_wait *)a)->job_id = 1 + fz_r() % 8;
	} else if (c->cmd == DMALAB_IMP_IOC_DEV_LIST) {
		struct dmalab_imp_dev_list *x = (void *)a;

		x->ids_ptr = fz_r() % 2 ? (uintptr_t)fz_scratch : 0;
		x->count = fz_r() % 32;
	} else if (c->cmd == DMALAB_IMP_IOC_MAP) {
		struct dmalab_imp_map *x = (void *)a;

		x->attach_id = 1 + fz_r() % 3;
		x->dir = fz_r() % 4;
	}
}

static void fz_fix_ptr(__u64 *p)
{
	if (*p && *p != (uintptr_t)fz_scratch)
		*p = fz_r() % 2 ? (uintptr_t)fz_scratch : 8;
}

/* Mutate and remember what must make the call fail. */
static const char *fz_mutate(const struct fz_cmd *c, unsigned char *a,
			     const struct fz_fd **fdp)
{
	unsigned int n = fz_r() % 4, i;

	*fdp = NULL;
	if (c->fd_off >= 0) {
		*fdp = fz_pick_fd();
		*(int32_t *)(a + c->fd_off) = (*fdp)->fd;
	}
	for (i = 0; i < n; i++) {
		unsigned int off;

		switch (fz_r() % 6) {
		case 0: {	/* the size field */
			static const uint32_t sz[] = { 0, 4, 8, 16, 4096, 4097,
						       65536, 0xffffffff };
			uint32_t v = fz_r() % 3 ? c->size + (int)(fz_r() % 17) - 8 :
				     sz[fz_r() % 8];

			*(uint32_t *)a = v;
			break;
		}
		case 1:
			if (c->flags_off >= 0)
				*(uint32_t *)(a + c->flags_off) = 1U << (fz_r() % 32);
			break;
		case 2: {
			const struct fz_range *z = &c->zero[fz_r() % 3];

			if (z->len)
				a[z->off + fz_r() % z->len] = 1 + fz_r() % 255;
			break;
		}
		case 3:		/* a u64-aligned field gets a special value */
			off = 8 + 8 * (fz_r() % ((c->size - 8) / 8));
			*(uint64_t *)(a + off) = fz_special_u64();
			break;
		case 4:		/* any byte */
			a[4 + fz_r() % (c->size - 4)] = fz_r();
			break;
		default:	/* bytes past the struct (growth) */
			a[c->size + fz_r() % 16] = 1 + fz_r() % 255;
			break;
		}
	}
	if (*fdp && *(int32_t *)(a + c->fd_off) != (*fdp)->fd)
		*fdp = fz_classify_fd(*(int32_t *)(a + c->fd_off));
	if (c->cmd == DMALAB_IMP_IOC_JOB) {
		struct dmalab_imp_job *x = (void *)a;

		/* Stalled simulated devices must not hold the run up. */
		x->timeout_ms = 1 + x->timeout_ms % 200;
	}
	/*
	 * Output pointers the kernel writes through: our scratch memory (with
	 * a capacity that fits) or a plainly bad address, never a mutated
	 * pointer that could land in our own heap or stack.
	 */
	if (c->cmd == DMALAB_IMP_IOC_SG_INFO) {
		struct dmalab_imp_sg_info *x = (void *)a;

		fz_fix_ptr(&x->entries_ptr);
		if (x->entries_cap > MiB / sizeof(struct dmalab_imp_sg_entry))
			x->entries_cap = fz_r() % 64;
	}
	if (c->cmd == DMALAB_IMP_IOC_DEV_LIST) {
		struct dmalab_imp_dev_list *x = (void *)a;

		fz_fix_ptr(&x->ids_ptr);
		if (x->count > MiB / 4)
			x->count = fz_r() % 32;
	}
	if (c->cmd == DMALAB_EXP_IOC_INFO) {
		struct dmalab_exp_info *x = (void *)a;

		fz_fix_ptr(&x->attach_ptr);
		if (x->attach_count > MiB / sizeof(struct dmalab_exp_attach_info))
			x->attach_count = fz_r() % 8;
	}
	if (c->cmd == DMALAB_IMP_IOC_CPU) {
		struct dmalab_imp_cpu *x = (void *)a;

		/* Only ever into our scratch memory, or a plainly bad pointer. */
		if (x->user_ptr && x->user_ptr != (uintptr_t)fz_scratch)
			x->user_ptr = fz_r() % 2 ? (uintptr_t)fz_scratch : 8;
		if (x->len > MiB && x->user_ptr)
			x->len = fz_r() % MiB;
	}
	return NULL;
}

static int fz_zero_ok(const struct fz_cmd *c, const unsigned char *a)
{
	unsigned int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < c->zero[i].len; j++)
			if (a[c->zero[i].off + j])
				return 0;
	return 1;
}

/* The reason this call must fail, or NULL when it may succeed. */
static const char *fz_must_fail(const struct fz_cmd *c, const unsigned char *a,
				const struct fz_fd *fd)
{
	uint32_t size = *(const uint32_t *)a;
	unsigned int i;

	if (c->imp && size != c->size)
		return "importer struct size not its sizeof";
	if (!c->imp && size < c->size)
		return "exporter struct size below its first version";
	if (!c->imp && size > c->size) {
		if (size > 4096)
			return "exporter struct size above a page";
		for (i = c->size; i < size && i < FZ_ARG_MAX; i++)
			if (a[i])
				return "non-zero bytes past the exporter's struct";
	}
	if (c->flags_off >= 0 &&
	    (*(const uint32_t *)(a + c->flags_off) & ~c->allowed_flags))
		return "unknown flags";
	if (!fz_zero_ok(c, a))
		return "non-zero pad or reserved field";
	if (c->cmd == DMALAB_EXP_IOC_ALLOC) {
		const struct dmalab_exp_alloc *x = (const void *)a;

		if (!x->len || x->len % 4096)
			return "zero or unaligned length";
		if (x->len > fz_max_len)
			return "length above the cap";
		if (x->placement > 1 || x->timing > 1)
			return "unknown placement or timing";
		if (x->fd_flags & ~(O_RDWR | O_CLOEXEC))
			return "unknown fd flags";
		if (x->addr_bits && (x->addr_bits < 24 || x->addr_bits > 64))
			return "address limit out of range";
		if (x->placement == 1 && x->len > fz_max_contig)
			return "contiguous length above the limit";
	}
	if (c->cmd == DMALAB_EXP_IOC_INFO && fd->kind != FD_OURS)
		return "info of a file that is not our dma-buf";
	if (c->cmd == DMALAB_EXP_IOC_BIND && fd->kind != FD_OURS &&
	    fd->kind != FD_FOREIGN && fd->kind != FD_NEG1)
		return "bind of a file that is not a dma-buf";
	if (c->cmd == DMALAB_IMP_IOC_IMPORT && fd->kind != FD_OURS &&
	    fd->kind != FD_FOREIGN)
		return "import of a file that is not a dma-buf";
	return NULL;
}

/* Whether @cmd names a real command of the device @dev. */
static int fz_real(int dev, unsigned long cmd)
{
	unsigned int i;

	if (dev == fz_exp)
		return _IOC_TYPE(cmd) == DMALAB_EXP_IOC_MAGIC &&
		       _IOC_NR(cmd) <= _IOC_NR(DMALAB_EXP_IOC_STATS);
	for (i = 0; i < FZ_NCMDS; i++)
		if (fz_cmds[i].imp && fz_cmds[i].cmd == cmd)
			return 1;
	return 0;
}

/* Close what a successful allocation returned, whatever struct it used. */
static void fz_after_success(int dev, unsigned long cmd, unsigned char *a)
{
	if (dev == fz_exp && _IOC_TYPE(cmd) == DMALAB_EXP_IOC_MAGIC &&
	    _IOC_NR(cmd) == _IOC_NR(DMALAB_EXP_IOC_ALLOC)) {
		int fd = ((struct dmalab_exp_alloc *)a)->fd;

		if (fd > 2)
			close(fd);
	}
}

/* One ioctl: a real command (mostly) or a neighbour / stranger of one. */
static void fz_ioctl(void)
{
	static unsigned char arg[FZ_ARG_MAX + 64] __attribute__((aligned(64)));
	struct fz_cmd *c = &fz_cmds[fz_r() % FZ_NCMDS];
	int dev = c->imp ? fz_imp : fz_exp;
	unsigned long cmd = c->cmd;
	const char *must = NULL;
	const struct fz_fd *fd;
	uint64_t r = fz_r();
	void *p = arg;
	unsigned long live0 = 0;
	struct dmalab_exp_stats st;
	int ret, e, known = 1;

	fz_template(c, arg);
	fz_mutate(c, arg, &fd);
	switch (r % 16) {
	case 0:		/* neighbouring command number */
		cmd = (cmd & ~0xffUL) | ((_IOC_NR(cmd) + 1 + fz_r() % 24) & 0xff);
		known = 0;
		break;
	case 1:		/* another size in the command */
		cmd = (cmd & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      ((fz_r() % 512) << _IOC_SIZESHIFT);
		break;
	case 2:		/* another direction */
		cmd = (cmd & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		      ((fz_r() % 4) << _IOC_DIRSHIFT);
		break;
	case 3:		/* a stranger */
		cmd = (unsigned int)fz_r();
		known = 0;
		break;
	case 4:		/* the other device */
		dev = c->imp ? fz_exp : fz_imp;
		known = 0;
		break;
	case 5:		/* a bad pointer */
		{
			void *bad[] = { NULL, (void *)8,
					(void *)0xffff888000000000UL,
					fz_none_page, fz_none_page - 8 };

			p = bad[fz_r() % 5];
		}
		must = "bad argument pointer";
		break;
	case 6:		/* a read-only copy: the output cannot be written */
		mprotect(fz_ro_page, 4096, PROT_READ | PROT_WRITE);
		memcpy(fz_ro_page, arg, FZ_ARG_MAX);
		mprotect(fz_ro_page, 4096, PROT_READ);
		p = fz_ro_page;
		break;
	}
	if (c->imp && known && cmd != c->cmd)
		known = 0;	/* the importer dispatches on the full number */
	if (!must && known)
		must = fz_must_fail(c, arg, fd);
	if (!known && !fz_real(dev, cmd))
		must = "unknown command";
	if (c->cmd == DMALAB_EXP_IOC_ALLOC && !exp_stats(fz_exp2, &st))
		live0 = st.live_buffers;

	fz_calls++;
	fz_cmd_calls[c - fz_cmds]++;
	ret = ioctl(dev, cmd, p);
	e = ret ? errno : 0;
	fz_errno(e);
	if (!ret) {
		fz_cmd_ok[c - fz_cmds]++;
		if (must)
			fz_bad("%s (cmd %#lx on %s) succeeded despite: %s",
			       c->name, cmd, dev == fz_exp ? "exp" : "imp", must);
		if (p == arg)
			fz_after_success(dev, cmd, arg);
		else if (p == fz_ro_page && (_IOC_DIR(c->cmd) & _IOC_READ))
			fz_bad("%s succeeded with a read-only argument", c->name);
	} else if (c->cmd == DMALAB_EXP_IOC_ALLOC && !exp_stats(fz_exp2, &st) &&
		   st.live_buffers != live0) {
		fz_bad("%s failed (%s) but left %llu buffer(s) alive%s", c->name,
		       rel_errname(e), (unsigned long long)(st.live_buffers - live0),
		       p == fz_ro_page ? " (read-only argument: the fd was installed but not reported)" : "");
	}
}

/* Random mmaps of a dma-buf of FZ_BUF_LEN and of the bound device. */
static void fz_mmap(int fd, int is_dev, int writable)
{
	static const int64_t lens[] = { 0, 4096, FZ_BUF_LEN, FZ_BUF_LEN + 4096,
					1LL << 40, FZ_BUF_LEN - 4096 };
	static const int64_t offs[] = { 0, 4096, FZ_BUF_LEN, FZ_BUF_LEN - 4096,
					1, 1LL << 40, -4096 };
	size_t len = lens[fz_r() % 6];
	off_t off = offs[fz_r() % 7];
	int priv = fz_r() % 3 == 0, rw = fz_r() % 2;
	int expect = !priv && len && off >= 0 && off % 4096 == 0 &&
		     off + len <= FZ_BUF_LEN && (!rw || writable);
	void *p;

	fz_calls++;
	p = mmap(NULL, len, PROT_READ | (rw ? PROT_WRITE : 0),
		 priv ? MAP_PRIVATE : MAP_SHARED, fd, off);
	fz_errno(p == MAP_FAILED ? errno : 0);
	if (p != MAP_FAILED && !expect)
		fz_bad("mmap of %s len %zu off %lld %s %s succeeded",
		       is_dev ? "the device" : "a dma-buf", len, (long long)off,
		       priv ? "MAP_PRIVATE" : "MAP_SHARED", rw ? "rw" : "ro");
	if (p == MAP_FAILED && expect)
		fz_bad("valid mmap of %s len %zu off %lld refused: %s",
		       is_dev ? "the device" : "a dma-buf", len, (long long)off,
		       strerror(errno));
	if (p != MAP_FAILED && expect) {
		volatile unsigned char *b = p;

		(void)b[0];
		(void)b[len - 1];
	}
	if (p != MAP_FAILED)
		munmap(p, len);
}

/* Handles of the importer set up so that random ids hit real objects. */
static void fz_imp_setup(void)
{
	__u32 h, dev = 0, att;
	int i;

	if (fz_imp >= 0)
		close(fz_imp);
	fz_imp = imp_open();
	imp_sim(fz_imp, 64, 0, 0, 0, 0, 0, 0, &dev);
	for (i = 0; i < fz_nfds; i++) {
		if (fz_fds[i].kind != FD_OURS && fz_fds[i].kind != FD_FOREIGN)
			continue;
		if (imp_import(fz_imp, fz_fds[i].fd, &h) ||
		    imp_attach(fz_imp, h, dev, &att))
			continue;
		imp_map(fz_imp, att, DMALAB_IMP_DIR_BIDIR);
	}
	for (i = 0; i < fz_nfds; i++)
		if (fz_fds[i].kind == FD_DEV_IMP)
			fz_fds[i].fd = fz_imp;
}

/*
 * Another process's handle ids mean nothing to our importer file; a buffer
 * outlives the other process's close; a double close is EBADF.
 */
static void fz_cross_process(int *ok_handles, int *ok_after_close,
			     int *ok_double_close)
{
	int up[2], down[2], fd, status, imp2;
	__u32 their = 0;
	unsigned char *m;
	pid_t pid;
	char c;

	fd = exp_alloc(fz_exp, FZ_BUF_LEN, 0, 0, 0, 0);
	if (fd < 0 || pipe(up) || pipe(down))
		return;
	m = mmap(NULL, FZ_BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pid = fork();
	if (!pid) {
		int imp = imp_open();
		__u32 h;

		close(up[0]);
		close(down[1]);
		if (imp_import(imp, fd, &h) ||
		    imp_cpu(imp, h, DMALAB_IMP_CPU_FILL, 0, FZ_BUF_LEN, NULL,
			    0x6b, NULL))
			_exit(1);
		if (write(up[1], &h, sizeof(h)) != sizeof(h))
			_exit(1);
		/* Hold the handle until the parent has tried it. */
		if (read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	if (read(up[0], &their, sizeof(their)) != sizeof(their))
		their = 0;
	imp2 = imp_open();
	*ok_handles = their &&
		imp_cpu(imp2, their, DMALAB_IMP_CPU_CHECKSUM, 0, 4096, NULL, 0,
			NULL) == -ENOENT &&
		imp_attach(imp2, their, 1, NULL) == -ENOENT &&
		imp_id(imp2, DMALAB_IMP_IOC_RELEASE, their) == -ENOENT;
	close(imp2);
	close(down[1]);
	close(up[0]);
	waitpid(pid, &status, 0);
	/* The child closed everything; our fd and mmap still work. */
	*ok_after_close = m != MAP_FAILED && WIFEXITED(status) &&
			  !WEXITSTATUS(status) &&
			  exp_all_bytes(m, FZ_BUF_LEN, 0x6b);
	if (m != MAP_FAILED)
		munmap(m, FZ_BUF_LEN);
	close(fd);
	*ok_double_close = close(fd) == -1 && errno == EBADF;
	/* The parent closes and unmaps while the child still uses its copy. */
	fd = exp_alloc(fz_exp, FZ_BUF_LEN, 0, 0, 0, 0);
	m = mmap(NULL, FZ_BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (fd < 0 || m == MAP_FAILED) {
		*ok_after_close = 0;
		return;
	}
	pid = fork();
	if (!pid) {
		usleep(200000);
		memset(m, 0x22, FZ_BUF_LEN);
		_exit(exp_all_bytes(m, FZ_BUF_LEN, 0x22) ? 0 : 1);
	}
	close(fd);
	munmap(m, FZ_BUF_LEN);
	*ok_after_close = *ok_after_close && waitpid(pid, &status, 0) == pid &&
			  WIFEXITED(status) && !WEXITSTATUS(status);
}

/*
 * A deferred buffer whose pages cannot exist (16 MiB below 16 MiB, where
 * ZONE_DMA is smaller) is accepted at allocation; its first CPU fault must
 * then fail with SIGBUS. VM_FAULT_OOM instead makes the kernel retry the
 * fault forever ("VM_FAULT_OOM leaked out to the #PF handler").
 */
static int fz_impossible_fault(void)
{
	int fd = exp_alloc(fz_exp, 16 * MiB, 0, DMALAB_EXP_TIMING_DEFERRED, 0, 24);
	volatile unsigned char *m;
	double end;
	int status = 0, ended = 0;
	pid_t pid;

	if (fd < 0) {
		tap_diag("impossible deferred buffer refused at allocation: %s",
			 rel_errname(-fd));
		return fd == -ENOMEM || fd == -E2BIG || fd == -ERANGE;
	}
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	pid = fork();
	if (!pid) {
		(void)m[0];
		_exit(0);
	}
	for (end = test_now() + 60; !ended && test_now() < end; usleep(50000))
		ended = waitpid(pid, &status, WNOHANG) == pid;
	if (!ended) {
		tap_diag("the child still loops in its first page fault after 60 s");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	} else {
		tap_diag("first fault of the impossible buffer: %s",
			 WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no signal");
	}
	munmap((void *)m, 4096);
	return ended && WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS;
}

/*
 * Kernel CPU access to the same impossible buffer must fail cleanly. On 6.1
 * dma_buf_vmap() WARNs when the exporter's vmap fails, so the exporter must
 * not fail there (allocate in begin_cpu_access, or refuse earlier).
 */
static int fz_impossible_cpu(void)
{
	int fd = exp_alloc(fz_exp, 16 * MiB, 0, DMALAB_EXP_TIMING_DEFERRED, 0, 24);
	int imp = imp_open(), r = -1;
	__u64 sum;
	__u32 h;

	if (fd < 0 || imp < 0)
		return fd == -ENOMEM || fd == -E2BIG || fd == -ERANGE;
	if (!imp_import(imp, fd, &h))
		r = imp_cpu(imp, h, DMALAB_IMP_CPU_CHECKSUM, 0, 4096, NULL, 0, &sum);
	tap_diag("CPU access to the impossible deferred buffer: %s", rel_errname(-r));
	close(imp);
	close(fd);
	return r == -ENOMEM || r == -ERANGE || r == -ENOSPC;
}

int main(void)
{
	const char *e = getenv("DMALAB_FUZZ_CALLS");
	unsigned long max_calls = e ? strtoul(e, NULL, 0) : FZ_DEFAULT_CALLS;
	int ok_handles = 0, ok_after = 0, ok_dclose = 0, i, our, foreign, closed_fd;
	struct rel_state base, now;
	struct dmalab_exp_stats st;
	struct dmalab_exp_bind b = { .size = sizeof(b) };
	const char *src = NULL;
	double end;
	int ok, ok_fault, ok_cpu;

	fz_seed = rel_seed();
	tap_plan(8);
	tap_diag("seed %#llx (DMALAB_SEED=%#llx replays it)",
		 (unsigned long long)fz_seed, (unsigned long long)fz_seed);
	fz_exp = exp_open();
	fz_exp2 = exp_open();
	fz_imp = -1;
	if (fz_exp < 0 || fz_exp2 < 0 || exp_stats(fz_exp, &st)) {
		tap_diag("cannot open %s: %s", DMALAB_EXP_DEVICE, strerror(errno));
		return 1;
	}
	fz_max_len = st.max_len;
	fz_max_contig = st.max_contig_len;
	rel_state_get(fz_exp, &base);
	fz_scratch = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fz_ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fz_none_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz_scratch == MAP_FAILED || fz_ro_page == MAP_FAILED ||
	    fz_none_page == MAP_FAILED)
		return 1;
	mprotect(fz_none_page + 4096, 4096, PROT_NONE);
	fz_none_page += 4096;

	our = exp_alloc(fz_exp, FZ_BUF_LEN, 0, 0, 0, 0);
	fz_add_fd(our, FD_OURS);
	fz_add_fd(exp_alloc(fz_exp, FZ_BUF_LEN, 0, 1, 0, 32), FD_OURS);
	foreign = src_any(FZ_BUF_LEN, &src);
	if (foreign >= 0)
		tap_diag("foreign dma-buf: %s", src);
	else
		tap_diag("no foreign dma-buf source in this guest (system heap, udmabuf, vgem)");
	fz_add_fd(foreign, FD_FOREIGN);
	fz_add_fd(open("/dev/null", O_RDWR | O_CLOEXEC), FD_NOTBUF);
	fz_add_fd(eventfd(0, EFD_CLOEXEC), FD_NOTBUF);
	fz_add_fd(fz_exp, FD_DEV_EXP);
	fz_add_fd(0, FD_DEV_IMP);	/* set by fz_imp_setup */
	/* A closed number far above the ones open() hands out next. */
	i = open("/dev/null", O_RDONLY | O_CLOEXEC);
	closed_fd = fcntl(i, F_DUPFD_CLOEXEC, 900);
	close(i);
	close(closed_fd);
	fz_add_fd(closed_fd, FD_CLOSED);
	fz_add_fd(-1, FD_NEG1);
	fz_add_fd(-2, FD_BAD);
	fz_add_fd(1 << 20, FD_BAD);
	fz_imp_setup();
	b.fd = our;
	ioctl(fz_exp2, DMALAB_EXP_IOC_BIND, &b);

	end = test_now() + FZ_SECS;
	while (fz_calls < max_calls && test_now() < end) {
		uint64_t r = fz_r() % 100;

		if (r < 90)
			fz_ioctl();
		else if (r < 94)
			fz_mmap(our, 0, 1);
		else if (r < 97)
			fz_mmap(fz_exp2, 1, 1);
		else if (r < 98) {
			fz_calls++;
			fz_errno(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fz_imp, 0) ==
				 MAP_FAILED ? errno : 0);
		} else {
			fz_imp_setup();
		}
	}
	fz_cross_process(&ok_handles, &ok_after, &ok_dclose);
	ok_fault = fz_impossible_fault();
	ok_cpu = fz_impossible_cpu();

	tap_diag("calls made: %lu", fz_calls);
	for (i = 0; i < (int)FZ_NCMDS; i++)
		tap_diag("  %-16s %6lu calls %5lu succeeded", fz_cmds[i].name,
			 fz_cmd_calls[i], fz_cmd_ok[i]);
	for (i = 0; i < 256; i++)
		if (fz_errno_hist[i])
			tap_diag("  errno %3d %-10s %lu", i, i == 255 ? ">255" :
				 rel_errname(i), fz_errno_hist[i]);
	tap_result(fz_calls > 1000, "fuzzer_made_calls");
	tap_result(!fz_unexpected, "fuzzer_saw_no_unexpected_success_or_refusal (%lu unexpected)",
		   fz_unexpected);
	tap_result(ok_handles, "another_process_handle_ids_are_enoent");
	tap_result(ok_after, "buffer_usable_after_the_other_process_closed");
	tap_result(ok_dclose, "double_close_is_ebadf");
	tap_result(ok_fault, "impossible_deferred_buffer_first_fault_is_sigbus_not_an_endless_retry");
	tap_result(ok_cpu, "impossible_deferred_buffer_cpu_access_fails_cleanly");

	close(fz_imp);
	b.fd = -1;
	ioctl(fz_exp, DMALAB_EXP_IOC_BIND, &b);	/* the fuzzer may have bound one */
	for (i = 0; i < fz_nfds; i++)
		if (fz_fds[i].kind == FD_OURS || fz_fds[i].kind == FD_FOREIGN ||
		    fz_fds[i].kind == FD_NOTBUF)
			close(fz_fds[i].fd);
	b.fd = -1;
	ioctl(fz_exp2, DMALAB_EXP_IOC_BIND, &b);
	fz_imp = -1;
	ok = rel_state_settle(fz_exp, &base, &now, 3.0);
	if (!ok) {
		rel_state_diag("baseline", &base);
		rel_state_diag("after", &now);
	}
	tap_result(ok, "fuzzer_left_nothing_behind");
	close(fz_exp2);
	close(fz_exp);
	return tap_exit();
}
