// SPDX-License-Identifier: GPL-2.0
/*
 * Bad-input fuzzer: a bounded, seeded stream of random ioctls on both
 * devices (real commands with mutated structs of the UAPI 1.0 layouts,
 * neighbouring and far command numbers, wrong direction bits, size bits
 * that differ from the struct's @size or follow it to a grown struct, wrong
 * sizes, flags, reserved and output fields, element sizes of returned
 * arrays, fd numbers of every kind, bad argument pointers), random mmaps of
 * dma-bufs and of the exporter's device, double closes, and use of buffers
 * and handles across processes. A call that succeeds where the UAPI says it
 * must fail, a call broken only in its command or size that fails with
 * another errno than the UAPI gives, a valid mmap that is refused, or a
 * failed call that leaves a buffer alive fails the run; the bench fails it
 * on any splat. Replay with DMALAB_SEED=<seed>.
 *
 * The fuzzed ioctls are malformed on purpose: test_malformed(), a raw
 * ioctl. Everything else (setup, the cross-process checks) goes through
 * libdmalab.
 *
 * The fuzz run is one test, which also checks that the run reached the
 * size rules and left nothing behind; the cross-process checks and an
 * impossible deferred buffer (its first fault, its CPU access) are tests of
 * their own. Every test ends with the drivers as its setup found them.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/eventfd.h>
#include <signal.h>

#include "reliability/rel_util.h"

#define FZ_DEFAULT_CALLS	20000	/* $DMALAB_FUZZ_CALLS */
#define FZ_SECS			10.0
#define FZ_TIMEOUT		60	/* the fuzz run's test */
#define FZ_BUF_LEN		(64 * KiB)
#define FZ_ARG_MAX		512	/* templates and mutations stay below */
#define FZ_ARG_BUF		8192	/* what a grown @size may make the kernel read */
#define FZ_UAPI_MAX		4096	/* largest @size the UAPI accepts */

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
	unsigned int size;		/* sizeof() in UAPI 1.0 */
	int flags_off;			/* -1: none */
	unsigned int allowed_flags;
	int fd_off;			/* -1: no fd argument */
	struct fz_range zero[3];	/* pad and reserved: must be zero */
	struct fz_range out[3];		/* output fields: must go in as zero */
};

#define R(type, field) { offsetof(struct type, field), \
			 sizeof(((struct type *)0)->field) }
/* The fields from @from up to (not including) @to. */
#define SPAN(type, from, to) { offsetof(struct type, from), \
			       offsetof(struct type, to) - \
			       offsetof(struct type, from) }
#define FLAGS(type) offsetof(struct type, flags)

static struct fz_cmd fz_cmds[] = {
	{ "exp_version", 0, DMALAB_EXP_IOC_VERSION, sizeof(struct dmalab_exp_version),
	  FLAGS(dmalab_exp_version), 0, -1,
	  { R(dmalab_exp_version, reserved) },
	  { SPAN(dmalab_exp_version, major, reserved) } },
	{ "exp_alloc", 0, DMALAB_EXP_IOC_ALLOC, sizeof(struct dmalab_exp_alloc),
	  FLAGS(dmalab_exp_alloc), DMALAB_EXP_ALLOC_FLAGS, -1,
	  { R(dmalab_exp_alloc, pad), R(dmalab_exp_alloc, reserved) },
	  { R(dmalab_exp_alloc, fd) } },
	{ "exp_info", 0, DMALAB_EXP_IOC_INFO, sizeof(struct dmalab_exp_info),
	  FLAGS(dmalab_exp_info), 0, offsetof(struct dmalab_exp_info, fd),
	  { R(dmalab_exp_info, pad), R(dmalab_exp_info, pad2),
	    R(dmalab_exp_info, reserved) },
	  { SPAN(dmalab_exp_info, state, pad),
	    SPAN(dmalab_exp_info, nr_copy_in, attach_ptr),
	    R(dmalab_exp_info, attach_count) } },
	{ "exp_bind", 0, DMALAB_EXP_IOC_BIND, sizeof(struct dmalab_exp_bind),
	  FLAGS(dmalab_exp_bind), 0, offsetof(struct dmalab_exp_bind, fd),
	  { R(dmalab_exp_bind, pad), R(dmalab_exp_bind, reserved) }, { } },
	{ "exp_stats", 0, DMALAB_EXP_IOC_STATS, sizeof(struct dmalab_exp_stats),
	  FLAGS(dmalab_exp_stats), 0, -1,
	  { R(dmalab_exp_stats, reserved) },
	  { SPAN(dmalab_exp_stats, live_buffers, reserved) } },
	{ "imp_version", 1, DMALAB_IMP_IOC_VERSION, sizeof(struct dmalab_imp_version),
	  FLAGS(dmalab_imp_version), 0, -1,
	  { R(dmalab_imp_version, reserved) },
	  { SPAN(dmalab_imp_version, major, reserved) } },
	{ "imp_import", 1, DMALAB_IMP_IOC_IMPORT, sizeof(struct dmalab_imp_import),
	  FLAGS(dmalab_imp_import), 0, offsetof(struct dmalab_imp_import, fd),
	  { R(dmalab_imp_import, reserved) },
	  { SPAN(dmalab_imp_import, handle, reserved) } },
	{ "imp_release", 1, DMALAB_IMP_IOC_RELEASE, sizeof(struct dmalab_imp_id),
	  FLAGS(dmalab_imp_id), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) }, { } },
	{ "imp_dev_list", 1, DMALAB_IMP_IOC_DEV_LIST, sizeof(struct dmalab_imp_dev_list),
	  FLAGS(dmalab_imp_dev_list), 0, -1,
	  { R(dmalab_imp_dev_list, pad), R(dmalab_imp_dev_list, reserved) }, { } },
	{ "imp_dev_info", 1, DMALAB_IMP_IOC_DEV_INFO, sizeof(struct dmalab_imp_dev_info),
	  FLAGS(dmalab_imp_dev_info), 0, -1,
	  { R(dmalab_imp_dev_info, reserved) },
	  { SPAN(dmalab_imp_dev_info, kind, reserved) } },
	{ "imp_sim_create", 1, DMALAB_IMP_IOC_SIM_CREATE, sizeof(struct dmalab_imp_sim_create),
	  FLAGS(dmalab_imp_sim_create), DMALAB_IMP_SIM_FLAGS, -1,
	  { R(dmalab_imp_sim_create, pad), R(dmalab_imp_sim_create, reserved) },
	  { R(dmalab_imp_sim_create, dev_id) } },
	{ "imp_sim_destroy", 1, DMALAB_IMP_IOC_SIM_DESTROY, sizeof(struct dmalab_imp_id),
	  FLAGS(dmalab_imp_id), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) }, { } },
	{ "imp_attach", 1, DMALAB_IMP_IOC_ATTACH, sizeof(struct dmalab_imp_attach),
	  FLAGS(dmalab_imp_attach), 0, -1,
	  { R(dmalab_imp_attach, pad), R(dmalab_imp_attach, reserved) },
	  { R(dmalab_imp_attach, attach_id) } },
	{ "imp_detach", 1, DMALAB_IMP_IOC_DETACH, sizeof(struct dmalab_imp_id),
	  FLAGS(dmalab_imp_id), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) }, { } },
	{ "imp_map", 1, DMALAB_IMP_IOC_MAP, sizeof(struct dmalab_imp_map),
	  FLAGS(dmalab_imp_map), 0, -1,
	  { R(dmalab_imp_map, reserved) }, { } },
	{ "imp_unmap", 1, DMALAB_IMP_IOC_UNMAP, sizeof(struct dmalab_imp_id),
	  FLAGS(dmalab_imp_id), 0, -1,
	  { R(dmalab_imp_id, pad), R(dmalab_imp_id, reserved) }, { } },
	{ "imp_sg_info", 1, DMALAB_IMP_IOC_SG_INFO, sizeof(struct dmalab_imp_sg_info),
	  FLAGS(dmalab_imp_sg_info), 0, -1,
	  { R(dmalab_imp_sg_info, pad), R(dmalab_imp_sg_info, reserved) },
	  { SPAN(dmalab_imp_sg_info, nents, entries_ptr),
	    R(dmalab_imp_sg_info, entries_count) } },
	{ "imp_cpu", 1, DMALAB_IMP_IOC_CPU, sizeof(struct dmalab_imp_cpu),
	  FLAGS(dmalab_imp_cpu), 0, -1,
	  { R(dmalab_imp_cpu, pad), R(dmalab_imp_cpu, reserved) },
	  { R(dmalab_imp_cpu, checksum) } },
	{ "imp_job", 1, DMALAB_IMP_IOC_JOB, sizeof(struct dmalab_imp_job),
	  FLAGS(dmalab_imp_job), 0, -1,
	  { R(dmalab_imp_job, reserved) },
	  { R(dmalab_imp_job, job_id) } },
	{ "imp_wait", 1, DMALAB_IMP_IOC_WAIT, sizeof(struct dmalab_imp_wait),
	  FLAGS(dmalab_imp_wait), 0, -1,
	  { R(dmalab_imp_wait, reserved) },
	  { R(dmalab_imp_wait, status), R(dmalab_imp_wait, checksum) } },
};

#define FZ_NCMDS (sizeof(fz_cmds) / sizeof(fz_cmds[0]))

static unsigned long fz_cmd_calls[FZ_NCMDS], fz_cmd_ok[FZ_NCMDS];

static uint64_t fz_seed, fz_seed0;	/* the generator's state, its start */
static struct __test_metadata *fz_md;	/* the test that fuzzes */
static int fz_exp, fz_imp, fz_exp2;
static struct fz_fd fz_fds[16];
static int fz_nfds;
static uint64_t fz_max_len, fz_max_contig;
static unsigned long fz_errno_hist[256], fz_calls, fz_unexpected;
/* Calls whose errno the size rules predicted; grown structs accepted. */
static unsigned long fz_size_checked, fz_grown_ok;
static unsigned char *fz_scratch;	/* 1 MiB of user memory for CPU ops */
static unsigned char *fz_ro_page;	/* read-only page */
static unsigned char *fz_none_page;	/* PROT_NONE page after a RW page */

/*
 * A call against the UAPI: counted, and the first few logged in the running
 * test (fz_md) with what replays them.
 */
static void fz_bad(const char *fmt, ...)
{
	struct __test_metadata *_metadata = fz_md;
	char msg[512];
	va_list ap;

	if (++fz_unexpected > 10)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	TH_LOG("UNEXPECTED (call %lu of seed %#llx): %s", fz_calls,
	       (unsigned long long)fz_seed0, msg);
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

static uint64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* An element size for a returned array: the 1.0 one, grown, or any. */
static uint32_t fz_elem_size(uint32_t v1)
{
	switch (fz_r() % 4) {
	case 0:
		return v1;
	case 1:
		return v1 + 8 * (1 + fz_r() % 8);
	case 2:
		return fz_r() % (2 * v1 + 1);
	default:
		return (uint32_t)fz_special_u64();
	}
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
	} else if (c->cmd == DMALAB_EXP_IOC_INFO) {
		struct dmalab_exp_info *x = (void *)a;

		if (fz_r() % 2) {
			x->attach_ptr = (uintptr_t)fz_scratch;
			x->attach_cap = fz_r() % 8;
			x->attach_elem_size = fz_elem_size(sizeof(struct dmalab_exp_attach_info));
		}
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
			x->entries_elem_size = fz_elem_size(sizeof(struct dmalab_imp_sg_entry));
		}
	} else if (c->cmd == DMALAB_IMP_IOC_WAIT) {
		struct dmalab_imp_wait *x = (void *)a;

		x->job_id = 1 + fz_r() % 8;
		/* 0: until the job ends (its own timeout is at most 200 ms). */
		x->deadline_ns = fz_r() % 2 ? 0 : fz_now_ns() + fz_r() % 50000000;
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

/*
 * An array the kernel fills: into our scratch memory, whole (@cap elements
 * of @elem bytes fit in 1 MiB, else the pointer becomes a plainly bad one),
 * or a plainly bad address; never a mutated pointer that could land in our
 * own heap or stack.
 */
static void fz_fix_array(__u64 *p, __u32 *cap, uint64_t elem)
{
	fz_fix_ptr(p);
	if (*p != (uintptr_t)fz_scratch)
		return;
	if (*cap > MiB)
		*cap = fz_r() % 64;
	if ((uint64_t)*cap * elem > MiB)
		*p = 8;
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

		switch (fz_r() % 7) {
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
		case 5: {	/* an output field */
			const struct fz_range *o = &c->out[fz_r() % 3];

			if (o->len)
				a[o->off + fz_r() % o->len] = 1 + fz_r() % 255;
			break;
		}
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

		fz_fix_array(&x->entries_ptr, &x->entries_cap,
			     x->entries_elem_size);
	}
	if (c->cmd == DMALAB_IMP_IOC_DEV_LIST) {
		struct dmalab_imp_dev_list *x = (void *)a;

		fz_fix_ptr(&x->ids_ptr);
		if (x->count > MiB / 4)
			x->count = fz_r() % 32;
	}
	if (c->cmd == DMALAB_EXP_IOC_INFO) {
		struct dmalab_exp_info *x = (void *)a;

		fz_fix_array(&x->attach_ptr, &x->attach_cap,
			     x->attach_elem_size);
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

static int fz_ranges_zero(const struct fz_range *r, const unsigned char *a)
{
	unsigned int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < r[i].len; j++)
			if (a[r[i].off + j])
				return 0;
	return 1;
}

/* Errnos the command-and-size rules give, as a set. */
#define FZ_E_ENOTTY	(1U << 0)
#define FZ_E_EINVAL	(1U << 1)
#define FZ_E_E2BIG	(1U << 2)

static unsigned int fz_eset(int e)
{
	return e == ENOTTY ? FZ_E_ENOTTY : e == EINVAL ? FZ_E_EINVAL :
	       e == E2BIG ? FZ_E_E2BIG : 0;
}

static const char *fz_eset_names(unsigned int set)
{
	static char buf[40];

	snprintf(buf, sizeof(buf), "%s%s%s",
		 set & FZ_E_ENOTTY ? " ENOTTY" : "",
		 set & FZ_E_EINVAL ? " EINVAL" : "",
		 set & FZ_E_E2BIG ? " E2BIG" : "");
	return buf;
}

/*
 * The command-level and size rules of UAPI 1.0, checked before the kernel
 * reads any field: wrong direction bits (-ENOTTY), _IOC_SIZE other than
 * @size (-EINVAL), @size below the 1.0 size (-EINVAL), above 4096 or grown
 * with a non-zero tail (-E2BIG). Returns the first reason, or NULL, and in
 * *@eset every errno the broken rules allow (the order in which the kernel
 * checks them is its own).
 */
static const char *fz_size_rules(const struct fz_cmd *c, unsigned long cmd,
				 const unsigned char *a, unsigned int *eset)
{
	uint32_t size = *(const uint32_t *)a;
	const char *why = NULL;
	unsigned int i;

	*eset = 0;
	if (_IOC_DIR(cmd) != _IOC_DIR(c->cmd)) {
		why = "wrong direction bits";
		*eset |= FZ_E_ENOTTY;
	}
	if (_IOC_SIZE(cmd) != size) {
		why = why ?: "command size bits other than @size";
		*eset |= FZ_E_EINVAL;
	}
	if (size < c->size) {
		why = why ?: "@size below the 1.0 size";
		*eset |= FZ_E_EINVAL;
	} else if (size > FZ_UAPI_MAX) {
		why = why ?: "@size above 4096";
		*eset |= FZ_E_E2BIG;
	} else {
		for (i = c->size; i < size; i++)
			if (a[i]) {
				why = why ?: "non-zero bytes past the 1.0 struct";
				*eset |= FZ_E_E2BIG;
				break;
			}
	}
	return why;
}

/*
 * Whether an array the kernel fills is described against the rules: with a
 * pointer, an element size from the 1.0 one (@v1) to 4096; without one, no
 * capacity and no element size either.
 */
static int fz_bad_array(__u64 ptr, __u32 cap, __u32 elem, __u32 v1)
{
	return ptr ? elem < v1 || elem > FZ_UAPI_MAX : cap || elem;
}

/* The reason this call must fail, or NULL when it may succeed. */
static const char *fz_must_fail(const struct fz_cmd *c, const unsigned char *a,
				const struct fz_fd *fd)
{
	if (c->flags_off >= 0 &&
	    (*(const uint32_t *)(a + c->flags_off) & ~c->allowed_flags))
		return "unknown flags";
	if (!fz_ranges_zero(c->zero, a))
		return "non-zero pad or reserved field";
	if (!fz_ranges_zero(c->out, a))
		return "non-zero output field";
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
	if (c->cmd == DMALAB_EXP_IOC_INFO) {
		const struct dmalab_exp_info *x = (const void *)a;

		if (fd->kind != FD_OURS)
			return "info of a file that is not our dma-buf";
		if (fz_bad_array(x->attach_ptr, x->attach_cap, x->attach_elem_size,
				 sizeof(struct dmalab_exp_attach_info)))
			return "attach array: element size out of 80..4096, or no pointer";
	}
	if (c->cmd == DMALAB_IMP_IOC_SG_INFO) {
		const struct dmalab_imp_sg_info *x = (const void *)a;

		if (fz_bad_array(x->entries_ptr, x->entries_cap,
				 x->entries_elem_size,
				 sizeof(struct dmalab_imp_sg_entry)))
			return "entries array: element size out of 16..4096, or no pointer";
	}
	if (c->cmd == DMALAB_EXP_IOC_BIND && fd->kind != FD_OURS &&
	    fd->kind != FD_FOREIGN && fd->kind != FD_NEG1)
		return "bind of a file that is not a dma-buf";
	if (c->cmd == DMALAB_IMP_IOC_IMPORT && fd->kind != FD_OURS &&
	    fd->kind != FD_FOREIGN)
		return "import of a file that is not a dma-buf";
	return NULL;
}

/* Whether @cmd's type and number name a command of the device @dev. */
static int fz_real(int dev, unsigned long cmd)
{
	if (_IOC_TYPE(cmd) != DMALAB_EXP_IOC_MAGIC)
		return 0;
	if (dev == fz_exp)
		return _IOC_NR(cmd) <= _IOC_NR(DMALAB_EXP_IOC_STATS);
	return _IOC_NR(cmd) >= _IOC_NR(DMALAB_IMP_IOC_VERSION) &&
	       _IOC_NR(cmd) <= _IOC_NR(DMALAB_IMP_IOC_WAIT);
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

/* @cmd with its size bits set to @size (as far as they reach). */
static unsigned long fz_with_size(unsigned long cmd, uint32_t size)
{
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)(size & _IOC_SIZEMASK) << _IOC_SIZESHIFT);
}

/* One ioctl: a real command (mostly) or a neighbour / stranger of one. */
static void fz_ioctl(void)
{
	/* Beyond FZ_ARG_MAX always zero: the tail a grown @size reads. */
	static unsigned char arg[FZ_ARG_BUF] __attribute__((aligned(4096)));
	struct fz_cmd *c = &fz_cmds[fz_r() % FZ_NCMDS];
	int dev = c->imp ? fz_imp : fz_exp;
	unsigned long cmd = c->cmd;
	const char *must = NULL;
	const struct fz_fd *fd;
	uint64_t r = fz_r();
	void *p = arg;
	unsigned long live0 = 0;
	struct dmalab_exp_stats st;
	unsigned int eset = 0;
	int ret, e, known = 1, bad_ptr = 0;

	fz_template(c, arg);
	fz_mutate(c, arg, &fd);
	switch (r % 18) {
	case 0:		/* neighbouring command number */
		cmd = (cmd & ~0xffUL) | ((_IOC_NR(cmd) + 1 + fz_r() % 24) & 0xff);
		known = 0;
		break;
	case 1:		/* another size in the command */
		cmd = fz_with_size(cmd, fz_r() % 512);
		break;
	case 2:		/* another direction */
		cmd = (cmd & ~((unsigned long)_IOC_DIRMASK << _IOC_DIRSHIFT)) |
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
		bad_ptr = 1;
		break;
	case 6:		/* a read-only copy: the output cannot be written */
		mprotect(fz_ro_page, 4096, PROT_READ | PROT_WRITE);
		memcpy(fz_ro_page, arg, FZ_ARG_MAX);
		mprotect(fz_ro_page, 4096, PROT_READ);
		p = fz_ro_page;
		break;
	case 7:		/* the command's size bits follow @size, whatever it is */
		cmd = fz_with_size(cmd, *(uint32_t *)arg);
		break;
	case 8:		/* a grown struct, as a newer user space sends it */
		{
			uint32_t size = fz_r() % 4 ? c->size + 8 * (1 + fz_r() % 8) :
					fz_r() % 2 ? FZ_UAPI_MAX : FZ_UAPI_MAX + 8;

			*(uint32_t *)arg = size;
			cmd = fz_with_size(cmd, size);
		}
		break;
	}
	if (known) {
		must = must ?: fz_size_rules(c, cmd, arg, &eset);
		must = must ?: fz_must_fail(c, arg, fd);
	}
	if (!known && !fz_real(dev, cmd)) {
		must = "unknown command";
		eset = FZ_E_ENOTTY;
	}
	if (bad_ptr)
		eset = 0;	/* the kernel may not get as far as the rules */
	if (c->cmd == DMALAB_EXP_IOC_ALLOC && !exp_stats(fz_exp2, &st))
		live0 = st.live_buffers;

	fz_calls++;
	fz_cmd_calls[c - fz_cmds]++;
	ret = test_malformed(dev, cmd, p);
	e = -ret;
	fz_errno(e);
	if (!ret) {
		fz_cmd_ok[c - fz_cmds]++;
		if (must)
			fz_bad("%s (cmd %#lx on %s) succeeded despite: %s",
			       c->name, cmd, dev == fz_exp ? "exp" : "imp", must);
		else if (known && *(uint32_t *)arg > c->size)
			fz_grown_ok++;
		if (p == arg)
			fz_after_success(dev, cmd, arg);
		else if (p == fz_ro_page && (_IOC_DIR(c->cmd) & _IOC_READ))
			fz_bad("%s succeeded with a read-only argument", c->name);
	} else if (eset) {
		fz_size_checked++;
		if (!(fz_eset(e) & eset))
			fz_bad("%s (cmd %#lx, @size %u on %s) failed with %s, not%s: %s",
			       c->name, cmd, *(uint32_t *)arg,
			       dev == fz_exp ? "exp" : "imp", rel_errname(e),
			       fz_eset_names(eset), must);
	}
	if (ret && c->cmd == DMALAB_EXP_IOC_ALLOC && !exp_stats(fz_exp2, &st) &&
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
	uint32_t h, dev = 0, att;
	int i;

	if (fz_imp >= 0)
		close(fz_imp);
	fz_imp = dmalab_imp_open(NULL);
	test_sim(fz_imp, 64, 0, 0, 0, 0, 0, 0, &dev);
	for (i = 0; i < fz_nfds; i++) {
		if (fz_fds[i].kind != FD_OURS && fz_fds[i].kind != FD_FOREIGN)
			continue;
		if (exp_import(fz_imp, fz_fds[i].fd, &h) ||
		    exp_attach(fz_imp, h, dev, &att))
			continue;
		dmalab_imp_map_attach(fz_imp, att, DMALAB_IMP_DIR_BIDIR, NULL);
	}
	for (i = 0; i < fz_nfds; i++)
		if (fz_fds[i].kind == FD_DEV_IMP)
			fz_fds[i].fd = fz_imp;
}

/* The exporter and an importer file, and what the drivers held then. */
FIXTURE(fz) {
	int exp, imp;
	struct rel_state base;
};

FIXTURE_SETUP(fz)
{
	self->imp = -1;
	self->exp = exp_open();
	ASSERT_LE(0, self->exp) TH_LOG("cannot open %s: %s",
				       DMALAB_EXP_DEVICE, strerror(-self->exp));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("cannot open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	ASSERT_EQ(0, rel_state_get(self->exp, &self->base));
}

FIXTURE_TEARDOWN(fz)
{
	EXPECT_TRUE(rel_state_settled(_metadata, self->exp, &self->base, 3.0))
		TH_LOG("%s left buffers, attachments or module references behind",
		       _metadata->name);
	close(self->imp);
	close(self->exp);
}

/* Log what the run did: calls per command, errnos. */
static void fz_report(struct __test_metadata *_metadata)
{
	int i;

	TH_LOG("calls made: %lu", fz_calls);
	for (i = 0; i < (int)FZ_NCMDS; i++)
		TH_LOG("  %-16s %6lu calls %5lu succeeded", fz_cmds[i].name,
		       fz_cmd_calls[i], fz_cmd_ok[i]);
	for (i = 0; i < 256; i++)
		if (fz_errno_hist[i])
			TH_LOG("  errno %3d %-10s %lu", i,
			       i == 255 ? ">255" : rel_errname(i),
			       fz_errno_hist[i]);
}

/*
 * The fuzz run: FZ_SECS seconds or $DMALAB_FUZZ_CALLS calls, whichever
 * ends first. Checked with it: the fuzzer made calls
 * (fuzzer_made_calls), reached the size rules
 * (fuzzer_checked_the_size_rules) and left nothing behind
 * (fuzzer_left_nothing_behind).
 */
TEST_F_TIMEOUT(fz, fuzzer_saw_no_unexpected_success_or_refusal, FZ_TIMEOUT)
{
	const char *e = getenv("DMALAB_FUZZ_CALLS");
	unsigned long max_calls = e ? strtoul(e, NULL, 0) : FZ_DEFAULT_CALLS;
	int i, our, foreign, closed_fd;
	struct dmalab_exp_stats st;
	struct rel_state base;
	const char *src = NULL;
	double end;

	fz_md = _metadata;
	fz_seed = fz_seed0 = rel_seed();
	TH_LOG("seed %#llx (DMALAB_SEED=%#llx replays it)",
	       (unsigned long long)fz_seed, (unsigned long long)fz_seed);
	fz_exp = self->exp;
	fz_exp2 = exp_open();
	ASSERT_LE(0, fz_exp2) TH_LOG("cannot open %s twice: %s",
				     DMALAB_EXP_DEVICE, strerror(-fz_exp2));
	ASSERT_EQ(0, exp_stats(fz_exp, &st));
	fz_max_len = st.max_len;
	fz_max_contig = st.max_contig_len;
	ASSERT_EQ(0, rel_state_get(fz_exp, &base));
	fz_scratch = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fz_ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	fz_none_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fz_scratch);
	ASSERT_NE(MAP_FAILED, fz_ro_page);
	ASSERT_NE(MAP_FAILED, fz_none_page);
	mprotect(fz_none_page + 4096, 4096, PROT_NONE);
	fz_none_page += 4096;

	our = exp_alloc(fz_exp, FZ_BUF_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, our) TH_LOG("alloc: %s", strerror(-our));
	fz_add_fd(our, FD_OURS);
	fz_add_fd(exp_alloc(fz_exp, FZ_BUF_LEN, 0, 1, 0, 32), FD_OURS);
	foreign = src_any(FZ_BUF_LEN, &src);
	if (foreign >= 0)
		TH_LOG("foreign dma-buf: %s", src);
	else
		TH_LOG("no foreign dma-buf source in this guest (system heap, udmabuf, vgem)");
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
	fz_imp = -1;
	fz_imp_setup();
	dmalab_exp_bind(fz_exp2, our, NULL);

	end = test_now() + FZ_SECS;
	while (fz_calls < max_calls && test_now() < end) {
		uint64_t r = fz_r() % 100;

		if (r < 90) {
			fz_ioctl();
		} else if (r < 94) {
			fz_mmap(our, 0, 1);
		} else if (r < 97) {
			fz_mmap(fz_exp2, 1, 1);
		} else if (r < 98) {
			fz_calls++;
			fz_errno(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fz_imp,
				      0) == MAP_FAILED ? errno : 0);
		} else {
			fz_imp_setup();
		}
	}
	fz_report(_metadata);
	EXPECT_LT(1000UL, fz_calls)
		TH_LOG("fuzzer_made_calls: only %lu calls", fz_calls);
	EXPECT_EQ(0UL, fz_unexpected)
		TH_LOG("%lu calls against the UAPI; DMALAB_SEED=%#llx replays the run",
		       fz_unexpected, (unsigned long long)fz_seed0);
	EXPECT_LT(0UL, fz_size_checked)
		TH_LOG("fuzzer_checked_the_size_rules: no errno of the size rules checked");
	EXPECT_LT(0UL, fz_grown_ok)
		TH_LOG("fuzzer_checked_the_size_rules: no grown struct accepted");
	TH_LOG("size rules: %lu errnos checked, %lu grown structs accepted",
	       fz_size_checked, fz_grown_ok);

	close(fz_imp);
	fz_imp = -1;
	dmalab_exp_bind(fz_exp, -1, NULL);	/* the fuzzer may have bound one */
	for (i = 0; i < fz_nfds; i++)
		if (fz_fds[i].kind == FD_OURS || fz_fds[i].kind == FD_FOREIGN ||
		    fz_fds[i].kind == FD_NOTBUF)
			close(fz_fds[i].fd);
	dmalab_exp_bind(fz_exp2, -1, NULL);
	EXPECT_TRUE(rel_state_settled(_metadata, fz_exp, &base, 3.0))
		TH_LOG("fuzzer_left_nothing_behind: the run left state behind");
	close(fz_exp2);
}

/* Another process's handle ids mean nothing to our importer file. */
TEST_F(fz, another_process_handle_ids_are_enoent)
{
	int up[2], down[2], fd, status = 0, imp2;
	uint32_t their = 0;
	pid_t pid;

	fd = exp_alloc(self->exp, FZ_BUF_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	ASSERT_EQ(0, pipe(up));
	ASSERT_EQ(0, pipe(down));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int imp = dmalab_imp_open(NULL);
		uint32_t h;
		char c;

		close(up[0]);
		close(down[1]);
		if (exp_import(imp, fd, &h) ||
		    test_cpu(imp, h, DMALAB_IMP_CPU_FILL, 0, FZ_BUF_LEN, NULL,
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
	ASSERT_EQ((ssize_t)sizeof(their), read(up[0], &their, sizeof(their)))
		TH_LOG("the child could not import and fill the buffer");
	imp2 = dmalab_imp_open(NULL);
	ASSERT_LE(0, imp2);
	EXPECT_EQ(-ENOENT, test_cpu(imp2, their, DMALAB_IMP_CPU_CHECKSUM, 0,
				    4096, NULL, 0, NULL))
		TH_LOG("CPU checksum through the child's handle %u", their);
	EXPECT_EQ(-ENOENT, exp_attach(imp2, their, 1, NULL))
		TH_LOG("attach of the child's handle %u", their);
	EXPECT_EQ(-ENOENT, dmalab_imp_release(imp2, their, NULL))
		TH_LOG("release of the child's handle %u", their);
	close(imp2);
	close(down[1]);
	close(up[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child failed (status %#x)", status);
	close(fd);
}

/*
 * A buffer outlives the other process: our fd and mmap work after a child
 * that imported and filled it exited; a child's mmap works after we closed
 * and unmapped.
 */
TEST_F(fz, buffer_usable_after_the_other_process_closed)
{
	unsigned char *m;
	int fd, status = 0;
	pid_t pid;

	fd = exp_alloc(self->exp, FZ_BUF_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	m = mmap(NULL, FZ_BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("mmap: %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int imp = dmalab_imp_open(NULL);
		uint32_t h;

		_exit(exp_import(imp, fd, &h) ||
		      test_cpu(imp, h, DMALAB_IMP_CPU_FILL, 0, FZ_BUF_LEN,
			       NULL, 0x6b, NULL));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child could not import and fill the buffer");
	EXPECT_TRUE(exp_all_bytes(m, FZ_BUF_LEN, 0x6b))
		TH_LOG("our mmap after the child closed everything");
	munmap(m, FZ_BUF_LEN);
	close(fd);

	/* We close and unmap while the child still uses its copy. */
	fd = exp_alloc(self->exp, FZ_BUF_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	m = mmap(NULL, FZ_BUF_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("mmap: %s", strerror(errno));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(200000);
		memset(m, 0x22, FZ_BUF_LEN);
		_exit(exp_all_bytes(m, FZ_BUF_LEN, 0x22) ? 0 : 1);
	}
	close(fd);
	munmap(m, FZ_BUF_LEN);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child's mmap after we closed and unmapped (status %#x)",
		       status);
}

TEST_F(fz, double_close_is_ebadf)
{
	int fd = exp_alloc(self->exp, FZ_BUF_LEN, 0, 0, 0, 0);
	void *m;
	int r, e;

	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	m = mmap(NULL, FZ_BUF_LEN, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("mmap: %s", strerror(errno));
	munmap(m, FZ_BUF_LEN);
	ASSERT_EQ(0, close(fd));
	r = close(fd);
	e = errno;
	EXPECT_EQ(-1, r);
	EXPECT_EQ(EBADF, e) TH_LOG("second close: %s", strerror(e));
}

/*
 * A deferred buffer whose pages cannot exist (16 MiB below 16 MiB, where
 * ZONE_DMA is smaller) is accepted at allocation; its first CPU fault must
 * then fail with SIGBUS. VM_FAULT_OOM instead makes the kernel retry the
 * fault forever ("VM_FAULT_OOM leaked out to the #PF handler"): the child
 * gets 60 s.
 */
TEST_F_TIMEOUT(fz, impossible_deferred_buffer_first_fault_is_sigbus_not_an_endless_retry,
	       90)
{
	int fd = exp_alloc(self->exp, 16 * MiB, 0, DMALAB_EXP_TIMING_DEFERRED,
			   0, 24);
	int status = 0, ended = 0;
	volatile unsigned char *m;
	double end;
	pid_t pid;
	void *p;

	if (fd < 0) {
		TH_LOG("impossible deferred buffer refused at allocation: %s",
		       rel_errname(-fd));
		EXPECT_TRUE(fd == -ENOMEM || fd == -E2BIG || fd == -ERANGE);
		return;
	}
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, p) TH_LOG("mmap: %s", strerror(errno));
	m = p;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		(void)m[0];
		_exit(0);
	}
	for (end = test_now() + 60; !ended && test_now() < end; usleep(50000))
		ended = waitpid(pid, &status, WNOHANG) == pid;
	if (!ended) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	munmap(p, 4096);
	ASSERT_TRUE(ended)
		TH_LOG("the child still loops in its first page fault after 60 s");
	TH_LOG("first fault of the impossible buffer: %s",
	       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no signal");
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
}

/*
 * Kernel CPU access to the same impossible buffer must fail cleanly. On 6.1
 * dma_buf_vmap() WARNs when the exporter's vmap fails, so the exporter must
 * not fail there (allocate in begin_cpu_access, or refuse earlier).
 */
TEST_F_TIMEOUT(fz, impossible_deferred_buffer_cpu_access_fails_cleanly, 60)
{
	int fd = exp_alloc(self->exp, 16 * MiB, 0, DMALAB_EXP_TIMING_DEFERRED,
			   0, 24);
	uint64_t sum;
	uint32_t h;
	int r;

	if (fd < 0) {
		TH_LOG("impossible deferred buffer refused at allocation: %s",
		       rel_errname(-fd));
		EXPECT_TRUE(fd == -ENOMEM || fd == -E2BIG || fd == -ERANGE);
		return;
	}
	ASSERT_EQ(0, exp_import(self->imp, fd, &h));
	r = test_cpu(self->imp, h, DMALAB_IMP_CPU_CHECKSUM, 0, 4096, NULL, 0,
		     &sum);
	TH_LOG("CPU access to the impossible deferred buffer: %s",
	       rel_errname(-r));
	EXPECT_TRUE(r == -ENOMEM || r == -ERANGE || r == -ENOSPC);
	dmalab_imp_release(self->imp, h, NULL);
	close(fd);
}

TEST_HARNESS_MAIN
