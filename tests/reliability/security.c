// SPDX-License-Identifier: GPL-2.0
/*
 * Security: the device nodes carry the modes of udev/60-dmalab.rules
 * (0660, group dmalab); an unprivileged member of that group can allocate
 * within the cap but never sees physical addresses nor another process's
 * buffers by handle, and cannot learn or choose placement through
 * simulated devices; buffers never carry old data; the cap holds and the
 * memory is charged to the caller's memory cgroup; a read-only dma-buf is
 * only read through the importer; no test leaves anything of the drivers
 * behind.
 *
 * The unprivileged checks run in a child of the test that drops to uid/gid
 * 65534 with the dmalab group as its only supplementary group, opening
 * private nodes made with the rule's mode, so that they test the drivers
 * whatever the guest's /dev looks like (the node mode tests check that
 * separately). The test's own process stays root, so nothing of the
 * dropped privileges reaches its teardown or the next test.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "reliability/rel_util.h"

#define SEC_UID		65534
#define SEC_GID_FALLBACK 990	/* when /etc/group has no dmalab group */
#define SEC_DIR		"/tmp/dmalab-security"
#define SEC_EXP		SEC_DIR "/dmalab_exp"
#define SEC_IMP		SEC_DIR "/dmalab_imp"
#define SEC_CG		"/sys/fs/cgroup/dmalab-security"
#define SEC_ROUNDS	32
#define SEC_LEN		(256 * KiB)

/* What the drivers held when the program started, for its last test. */
static struct rel_state sec_start;
static int sec_start_ok;

static void __attribute__((constructor)) sec_baseline(void)
{
	int exp = exp_open();

	if (exp >= 0) {
		sec_start_ok = !rel_state_get(exp, &sec_start);
		close(exp);
	}
}

/* The gid of group @name from /etc/group, parsed by hand (static binary). */
static int sec_group(const char *name, gid_t *gid)
{
	char line[256];
	size_t n = strlen(name);
	FILE *f = fopen("/etc/group", "re");
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (p && (size_t)(p - line) == n && !strncmp(line, name, n)) {
			p = strchr(p + 1, ':');
			if (p) {
				*gid = strtoul(p + 1, NULL, 10);
				found = 1;
			}
		}
	}
	fclose(f);
	return found;
}

/* Both devices, their limits, and the dmalab group. */
FIXTURE(sec) {
	int exp, imp;
	struct dmalab_exp_stats st;
	struct rel_state base;
	gid_t gid;
	int have_group;
};

FIXTURE_SETUP(sec)
{
	self->imp = -1;
	self->exp = exp_open();
	ASSERT_LE(0, self->exp) TH_LOG("cannot open %s: %s",
				       DMALAB_EXP_DEVICE, strerror(-self->exp));
	ASSERT_EQ(0, exp_stats(self->exp, &self->st));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("cannot open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	ASSERT_EQ(0, rel_state_get(self->exp, &self->base));
	self->have_group = sec_group("dmalab", &self->gid);
	if (!self->have_group)
		self->gid = SEC_GID_FALLBACK;
}

FIXTURE_TEARDOWN(sec)
{
	unlink(SEC_EXP);
	unlink(SEC_IMP);
	rmdir(SEC_DIR);
	rmdir(SEC_CG);
	EXPECT_TRUE(rel_state_settled(_metadata, self->exp, &self->base, 3.0))
		TH_LOG("%s left buffers, attachments or module references behind",
		       _metadata->name);
	close(self->imp);
	close(self->exp);
}

static void sec_node_mode(struct __test_metadata *_metadata,
			  FIXTURE_DATA(sec) *self, const char *path)
{
	struct stat s;

	ASSERT_EQ(0, stat(path, &s)) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_TRUE(S_ISCHR(s.st_mode)) TH_LOG("%s: not a character device",
					       path);
	TH_LOG("%s: mode %04o uid %u gid %u", path,
	       (unsigned int)(s.st_mode & 07777), (unsigned int)s.st_uid,
	       (unsigned int)s.st_gid);
	EXPECT_EQ(0660U, s.st_mode & 07777);
	EXPECT_EQ(0U, s.st_uid);
	EXPECT_TRUE(self->have_group)
		TH_LOG("no group dmalab in /etc/group: the guest does not apply udev/60-dmalab.rules");
	if (self->have_group) {
		EXPECT_EQ(self->gid, s.st_gid);
	}
}

TEST_F(sec, node_dmalab_exp_is_0660_root_group_dmalab_as_the_udev_rule_says)
{
	sec_node_mode(_metadata, self, DMALAB_EXP_DEVICE);
}

TEST_F(sec, node_dmalab_imp_is_0660_root_group_dmalab_as_the_udev_rule_says)
{
	sec_node_mode(_metadata, self, "/dev/dmalab_imp");
}

/* A private node of @dev, mode 0660, owner root, group @gid. */
static int sec_mknod(gid_t gid, const char *dev, const char *node)
{
	struct stat s;

	if (stat(dev, &s))
		return -1;
	unlink(node);
	if (mknod(node, S_IFCHR | 0660, s.st_rdev) || chown(node, 0, gid) ||
	    chmod(node, 0660))
		return -1;
	return 0;
}

/* Become uid/gid 65534, with group @gid when @in_group. */
static int sec_drop(gid_t gid, int in_group)
{
	if (setgroups(in_group ? 1 : 0, &gid) ||
	    setresgid(SEC_UID, SEC_UID, SEC_UID) ||
	    setresuid(SEC_UID, SEC_UID, SEC_UID))
		return -1;
	/* Make sure nothing of root is left. */
	return setresuid(0, 0, 0) == 0 ? -1 : 0;
}

/* Who the child of sec_child() is. */
enum sec_who {
	SEC_NOBODY,		/* uid 65534, no supplementary group */
	SEC_NOBODY_IN_GROUP,	/* uid 65534, group dmalab */
	SEC_ROOT_IN_CGROUP,	/* root, in the memory cgroup SEC_CG */
};

/* Checks that run in the child, with EXPECT and ASSERT as in a test. */
typedef void (*sec_fn)(struct __test_metadata *_metadata,
		       FIXTURE_DATA(sec) *self, const void *arg);

/*
 * Run @fn in a child that is @who (the unprivileged ones open the private
 * nodes SEC_EXP and SEC_IMP). The test fails when a check of the child
 * failed: an ASSERT in @fn ends the child, the harness's jump landing at
 * the setjmp() here, in the child, rather than in the test's wrapper.
 */
static void sec_child(struct __test_metadata *_metadata,
		      FIXTURE_DATA(sec) *self, enum sec_who who, sec_fn fn,
		      const void *arg)
{
	int status = 0;
	pid_t pid;

	if (who != SEC_ROOT_IN_CGROUP) {
		mkdir(SEC_DIR, 0755);
		ASSERT_EQ(0, sec_mknod(self->gid, DMALAB_EXP_DEVICE, SEC_EXP))
			TH_LOG("cannot make %s: %s", SEC_EXP, strerror(errno));
		ASSERT_EQ(0, sec_mknod(self->gid, "/dev/dmalab_imp", SEC_IMP))
			TH_LOG("cannot make %s: %s", SEC_IMP, strerror(errno));
	}
	pid = fork();
	ASSERT_LE(0, pid) TH_LOG("fork: %s", strerror(errno));
	if (!pid) {
		_metadata->passed = 1;
		if (!setjmp(_metadata->env)) {
			char me[16];

			if (who == SEC_ROOT_IN_CGROUP) {
				snprintf(me, sizeof(me), "%d", getpid());
				ASSERT_EQ(0, test_write_str(SEC_CG "/cgroup.procs",
							    me))
					TH_LOG("cannot join %s", SEC_CG);
			} else {
				ASSERT_EQ(0, sec_drop(self->gid,
						      who == SEC_NOBODY_IN_GROUP))
					TH_LOG("could not drop to uid %d",
					       SEC_UID);
			}
			fn(_metadata, self, arg);
		}
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
		TH_LOG("the child's checks failed (status %#x)", status);
}

/* Open @path as the child is: must be refused with EACCES. */
static void sec_open_eacces(struct __test_metadata *_metadata,
			    const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int e = fd < 0 ? errno : 0;

	if (fd >= 0)
		close(fd);
	EXPECT_EQ(EACCES, e) TH_LOG("open %s: %s", path,
				    e ? strerror(e) : "opened");
}

static void sec_open_refused(struct __test_metadata *_metadata,
			     FIXTURE_DATA(sec) *self, const void *arg)
{
	sec_open_eacces(_metadata, SEC_EXP);
	sec_open_eacces(_metadata, SEC_IMP);
}

TEST_F(sec, nobody_outside_group_dmalab_cannot_open_the_devices)
{
	sec_child(_metadata, self, SEC_NOBODY, sec_open_refused, NULL);
}

static void sec_alloc_cap(struct __test_metadata *_metadata,
			  FIXTURE_DATA(sec) *self, const void *arg)
{
	struct dmalab_exp_info in;
	int exp = open(SEC_EXP, O_RDWR | O_CLOEXEC), fd;

	ASSERT_LE(0, exp) TH_LOG("open %s: %s", SEC_EXP, strerror(errno));
	fd = exp_alloc(exp, MiB, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("1 MiB: %s", strerror(-fd));
	ASSERT_EQ(0, exp_info(exp, fd, &in));
	EXPECT_EQ(MiB, in.len);
	EXPECT_EQ(-E2BIG, exp_alloc(exp, self->st.max_len + 4096, 0, 0, 0, 0))
		TH_LOG("max_len %llu + 4 KiB",
		       (unsigned long long)self->st.max_len);
	EXPECT_EQ(-E2BIG, exp_alloc(exp, self->st.max_contig_len + 4096,
				    DMALAB_EXP_PLACE_CONTIG, 0, 0, 0))
		TH_LOG("contiguous, max_contig_len %llu + 4 KiB",
		       (unsigned long long)self->st.max_contig_len);
	EXPECT_GT(0, exp_alloc(exp, 1ULL << 63, 0, 0, 0, 0))
		TH_LOG("2^63 bytes allocated");
}

TEST_F(sec, unprivileged_user_allocates_within_the_cap_and_not_beyond)
{
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_alloc_cap, NULL);
}

/* Physical addresses: none in the exporter's info, none in sg reports. */
static void sec_no_phys(struct __test_metadata *_metadata,
			FIXTURE_DATA(sec) *self, const void *arg)
{
	struct dmalab_exp_attach_info ai[2];
	struct dmalab_imp_sg_entry e[4];
	struct dmalab_imp_sg_info si;
	struct dmalab_exp_info in;
	int exp = open(SEC_EXP, O_RDWR | O_CLOEXEC);
	int imp = open(SEC_IMP, O_RDWR | O_CLOEXEC), fd;
	uint32_t h, dev, att;

	ASSERT_LE(0, exp) TH_LOG("open %s: %s", SEC_EXP, strerror(errno));
	ASSERT_LE(0, imp) TH_LOG("open %s: %s", SEC_IMP, strerror(errno));
	fd = exp_alloc(exp, SEC_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	ASSERT_EQ(0, exp_info(exp, fd, &in));
	EXPECT_TRUE(!!(in.state & DMALAB_EXP_STATE_ALLOCATED));
	EXPECT_TRUE(!!(in.state & DMALAB_EXP_STATE_PHYS_HIDDEN));
	EXPECT_EQ(0ULL, in.phys_lo) TH_LOG("info before attaching");
	EXPECT_EQ(0ULL, in.phys_hi) TH_LOG("info before attaching");
	ASSERT_EQ(0, exp_import(imp, fd, &h));
	ASSERT_EQ(0, test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &dev));
	ASSERT_EQ(0, exp_attach(imp, h, dev, &att));
	ASSERT_EQ(0, dmalab_imp_map_attach(imp, att, DMALAB_IMP_DIR_BIDIR,
					   NULL));
	ASSERT_EQ(0, exp_info_attach(exp, fd, &in, ai, 2));
	EXPECT_EQ(0ULL, in.phys_lo) TH_LOG("info of a mapped buffer");
	EXPECT_EQ(0ULL, in.phys_hi) TH_LOG("info of a mapped buffer");
	EXPECT_EQ(-EPERM, dmalab_imp_get_sg_info(imp, att, &si, e, 4, NULL))
		TH_LOG("sg entries");
	/* Without an IOMMU or window a device address is the physical one. */
	ASSERT_EQ(0, dmalab_imp_get_sg_info(imp, att, &si, NULL, 0, NULL))
		TH_LOG("sg summary without entries");
	EXPECT_EQ(0ULL, si.dma_min);
	EXPECT_EQ(0ULL, si.dma_max);
}

TEST_F(sec, unprivileged_user_sees_no_physical_addresses)
{
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_no_phys, NULL);
}

/* A handle of the parent's importer file, passed as a plain number. */
static void sec_other_handle(struct __test_metadata *_metadata,
			     FIXTURE_DATA(sec) *self, const void *arg)
{
	uint32_t h = *(const uint32_t *)arg, dev, att;
	int imp = open(SEC_IMP, O_RDWR | O_CLOEXEC);
	uint64_t sum;

	ASSERT_LE(0, imp) TH_LOG("open %s: %s", SEC_IMP, strerror(errno));
	EXPECT_EQ(-ENOENT, test_cpu(imp, h, DMALAB_IMP_CPU_CHECKSUM, 0, 4096,
				    NULL, 0, &sum)) TH_LOG("CPU checksum");
	ASSERT_EQ(0, test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &dev));
	EXPECT_EQ(-ENOENT, exp_attach(imp, h, dev, &att)) TH_LOG("attach");
	EXPECT_EQ(-ENOENT, dmalab_imp_release(imp, h, NULL)) TH_LOG("release");
}

TEST_F(sec, unprivileged_user_cannot_use_another_process_handle)
{
	int fd = exp_alloc(self->exp, SEC_LEN, 0, 0, 0, 0);
	uint32_t h = 0;

	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	ASSERT_EQ(0, exp_import(self->imp, fd, &h));
	ASSERT_EQ(0, test_cpu(self->imp, h, DMALAB_IMP_CPU_FILL, 0, SEC_LEN,
			      NULL, 0x5e, NULL));
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_other_handle, &h);
	EXPECT_EQ(0, dmalab_imp_release(self->imp, h, NULL))
		TH_LOG("the owner's release of its handle");
	close(fd);
}

/* Fill, free, reallocate: every new buffer reads as zeros, in every view. */
static void sec_no_old_data(struct __test_metadata *_metadata,
			    FIXTURE_DATA(sec) *self, const void *arg)
{
	int exp = open(SEC_EXP, O_RDWR | O_CLOEXEC);
	int imp = open(SEC_IMP, O_RDWR | O_CLOEXEC), i;
	unsigned char *zero = calloc(1, SEC_LEN);
	uint64_t zsum;

	ASSERT_LE(0, exp) TH_LOG("open %s: %s", SEC_EXP, strerror(errno));
	ASSERT_LE(0, imp) TH_LOG("open %s: %s", SEC_IMP, strerror(errno));
	ASSERT_NE(NULL, zero);
	zsum = exp_fnv(zero, SEC_LEN);
	for (i = 0; i < SEC_ROUNDS; i++) {
		uint32_t place = i % 3 == 1 ? DMALAB_EXP_PLACE_CONTIG :
				 DMALAB_EXP_PLACE_SCATTER;
		uint32_t timing = i % 3 == 2 ? DMALAB_EXP_TIMING_DEFERRED :
				  DMALAB_EXP_TIMING_EAGER;
		const char *how = i % 3 == 0 ? "scatter, eager" :
				  i % 3 == 1 ? "contiguous, eager" :
				  "scatter, deferred";
		int fd = exp_alloc(exp, SEC_LEN, place, timing, 0, 0);
		unsigned char *m;
		uint64_t sum = 1;
		uint32_t h;

		ASSERT_LE(0, fd) TH_LOG("round %d (%s): alloc: %s", i, how,
					strerror(-fd));
		/* Kernel view first (vmap), so deferred pages come from there. */
		ASSERT_EQ(0, exp_import(imp, fd, &h));
		ASSERT_EQ(0, test_cpu(imp, h, DMALAB_IMP_CPU_CHECKSUM, 0,
				      SEC_LEN, NULL, 0, &sum));
		ASSERT_EQ(zsum, sum) TH_LOG("round %d (%s): kernel view not zero",
					    i, how);
		m = mmap(NULL, SEC_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			 0);
		ASSERT_NE(MAP_FAILED, m) TH_LOG("round %d (%s): mmap: %s", i,
						how, strerror(errno));
		ASSERT_TRUE(exp_all_bytes(m, SEC_LEN, 0))
			TH_LOG("round %d (%s): mmap not zero", i, how);
		memset(m, 0xa5, SEC_LEN);
		munmap(m, SEC_LEN);
		dmalab_imp_release(imp, h, NULL);
		close(fd);
	}
	free(zero);
}

TEST_F(sec, reallocated_buffers_never_carry_old_data_32_rounds)
{
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_no_old_data, NULL);
}

TEST_F(sec, allocation_cap_holds_for_root_too)
{
	int fd = exp_alloc(self->exp, self->st.max_len + 4096, 0, 0, 0, 0);

	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-E2BIG, fd) TH_LOG("max_len %llu + 4 KiB",
				     (unsigned long long)self->st.max_len);
}

/* The memory cgroup SEC_CG, limited to 32 MiB: 0, or -1 without memcg. */
static int sec_memcg(void)
{
	if (access("/sys/fs/cgroup/cgroup.controllers", R_OK))
		mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	rmdir(SEC_CG);
	if (test_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    mkdir(SEC_CG, 0755))
		return -1;
	test_write_str(SEC_CG "/memory.max", "33554432");
	return 0;
}

/* __GFP_ACCOUNT: buffers count against the caller's memory cgroup. */
static void sec_charged(struct __test_metadata *_metadata,
			FIXTURE_DATA(sec) *self, const void *arg)
{
	long before, after;
	int fd;

	before = rel_read_long(SEC_CG "/memory.current");
	fd = exp_alloc(self->exp, 8 * MiB, 0, 0, 0, 0);
	after = rel_read_long(SEC_CG "/memory.current");
	TH_LOG("memory.current %ld -> %ld after an 8 MiB buffer", before,
	       after);
	ASSERT_LE(0, fd) TH_LOG("8 MiB buffer: %s", strerror(-fd));
	EXPECT_LE((long)(8 * MiB), after - before);
}

TEST_F(sec, buffers_are_charged_to_the_callers_memory_cgroup)
{
	if (sec_memcg())
		SKIP(return, "no cgroup2 memory controller in this kernel");
	sec_child(_metadata, self, SEC_ROOT_IN_CGROUP, sec_charged, NULL);
}

static void sec_limited(struct __test_metadata *_metadata,
			FIXTURE_DATA(sec) *self, const void *arg)
{
	int fd = exp_alloc(self->exp, 64 * MiB, 0, 0, 0, 0);

	TH_LOG("a 64 MiB buffer in a 32 MiB cgroup: %s",
	       fd < 0 ? rel_errname(-fd) : "allocated");
	EXPECT_EQ(-ENOMEM, fd);
}

TEST_F(sec, memory_cgroup_limit_stops_allocations)
{
	if (sec_memcg())
		SKIP(return, "no cgroup2 memory controller in this kernel");
	sec_child(_metadata, self, SEC_ROOT_IN_CGROUP, sec_limited, NULL);
}

/*
 * The exporter's sg_tables are sized by the device (A10 of the review): a
 * device with 4 KiB segments makes a 64 MiB buffer's table 16384 entries,
 * 512 KiB of scatterlists, which are charged to the caller's cgroup too.
 * (memcg charges in batches of 64 pages per CPU: the bound leaves room.)
 */
static void sec_sgt_charged(struct __test_metadata *_metadata,
			    FIXTURE_DATA(sec) *self, const void *arg)
{
	uint32_t h, dev, att;
	long before, after;
	int imp, fd, r;

	ASSERT_EQ(0, test_write_str(SEC_CG "/memory.max", "max"));
	fd = exp_alloc(self->exp, 64 * MiB, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("64 MiB buffer: %s", strerror(-fd));
	imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, imp);
	ASSERT_EQ(0, exp_import(imp, fd, &h));
	ASSERT_EQ(0, test_sim(imp, 64, 4096, 0, 0, 0, 0, 0, &dev));
	ASSERT_EQ(0, exp_attach(imp, h, dev, &att));
	before = rel_read_long(SEC_CG "/memory.current");
	r = dmalab_imp_map_attach(imp, att, DMALAB_IMP_DIR_TO_DEVICE, NULL);
	after = rel_read_long(SEC_CG "/memory.current");
	ASSERT_EQ(0, r) TH_LOG("map: %s", strerror(-r));
	TH_LOG("memory.current %ld -> %ld after mapping 16384 segments",
	       before, after);
	EXPECT_LE((long)(384 * KiB), after - before);
	close(imp);
	close(fd);
}

TEST_F(sec, sg_tables_are_charged_to_the_callers_memory_cgroup)
{
	if (sec_memcg())
		SKIP(return, "no cgroup2 memory controller in this kernel");
	sec_child(_metadata, self, SEC_ROOT_IN_CGROUP, sec_sgt_charged, NULL);
}

/*
 * Placement (A5 of the review): a simulated device whose reach is not
 * "everything" (a bus window, fewer than 64 address bits) would let an
 * unprivileged caller learn where a buffer's pages are (ATTACH gives 0 or
 * -ERANGE) and choose where they go (a MIGRATE buffer moves into its reach).
 * Without CAP_SYS_ADMIN SIM_CREATE refuses it; segment limits reveal no
 * placement and stay allowed.
 */
#define SEC_PHYS_BITS	40	/* beyond any guest's RAM */

/* Root's view of a 1-page buffer: the physical address of its page. */
struct sec_page {
	int fd;
	uint64_t phys;
};

/*
 * The review's oracle: the least window [0, X) that reaches the page, by
 * binary search over sims with that window. Returns 0 with the page's
 * physical address in *@phys, or the first SIM_CREATE error.
 */
static int sec_oracle(int imp, uint32_t h, uint64_t *phys)
{
	uint64_t lo = 4096, hi = 1ULL << SEC_PHYS_BITS;
	uint32_t dev, att;
	int r;

	while (lo < hi) {
		uint64_t mid = (lo + (hi - lo) / 2) & ~4095ULL;

		r = test_sim(imp, 64, 0, 0, DMALAB_IMP_SIM_WINDOW, 0, 0, mid,
			     &dev);
		if (r)
			return r;
		r = exp_attach(imp, h, dev, &att);
		if (!r)
			dmalab_imp_detach(imp, att, NULL);
		dmalab_imp_sim_destroy(imp, dev, NULL);
		if (!r)
			hi = mid;
		else
			lo = mid + 4096;
	}
	*phys = lo - 4096;
	return 0;
}

static void sec_no_oracle(struct __test_metadata *_metadata,
			  FIXTURE_DATA(sec) *self, const void *arg)
{
	const struct sec_page *pg = arg;
	int imp = open(SEC_IMP, O_RDWR | O_CLOEXEC), r;
	uint64_t phys = 0;
	uint32_t h;

	ASSERT_LE(0, imp) TH_LOG("open %s: %s", SEC_IMP, strerror(errno));
	ASSERT_EQ(0, exp_import(imp, pg->fd, &h));
	r = sec_oracle(imp, h, &phys);
	if (!r)
		TH_LOG("the oracle found the page at %#llx; root's INFO says %#llx",
		       (unsigned long long)phys, (unsigned long long)pg->phys);
	EXPECT_EQ(-EPERM, r) TH_LOG("SIM_CREATE with a window: %s",
				    r ? strerror(-r) : "created");
	close(imp);
}

TEST_F(sec, unprivileged_user_cannot_binary_search_a_page_with_sim_windows)
{
	struct dmalab_exp_info in;
	struct sec_page pg;

	pg.fd = exp_alloc(self->exp, 4096, 0, DMALAB_EXP_TIMING_EAGER, 0, 0);
	ASSERT_LE(0, pg.fd) TH_LOG("alloc: %s", strerror(-pg.fd));
	ASSERT_EQ(0, exp_info(self->exp, pg.fd, &in));
	pg.phys = in.phys_lo;
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_no_oracle, &pg);
	close(pg.fd);
}

static void sec_no_narrow_sims(struct __test_metadata *_metadata,
			       FIXTURE_DATA(sec) *self, const void *arg)
{
	int imp = open(SEC_IMP, O_RDWR | O_CLOEXEC);
	uint32_t bits;

	ASSERT_LE(0, imp) TH_LOG("open %s: %s", SEC_IMP, strerror(errno));
	for (bits = 24; bits < 64; bits += bits < 60 ? 12 : 3)
		EXPECT_EQ(-EPERM, test_sim(imp, bits, 0, 0, 0, 0, 0, 0, NULL))
			TH_LOG("a %u-bit sim", bits);
	EXPECT_EQ(-EPERM, test_sim(imp, 64, 0, 0, DMALAB_IMP_SIM_WINDOW,
				   0, 0, 1ULL << 40, NULL))
		TH_LOG("a 64-bit sim with a window of the first TiB");
	EXPECT_EQ(-EPERM, test_sim(imp, 64, 0, 0, DMALAB_IMP_SIM_WINDOW,
				   0, 1ULL << 32, 1ULL << 30, NULL))
		TH_LOG("a 64-bit sim with a bus offset");
	close(imp);
}

TEST_F(sec, unprivileged_user_cannot_create_sims_with_less_than_full_reach)
{
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_no_narrow_sims,
		  NULL);
}

/* Full reach, segment limits: a working device, mapped and filled. */
static void sec_limits_ok(struct __test_metadata *_metadata,
			  FIXTURE_DATA(sec) *self, const void *arg)
{
	int exp = open(SEC_EXP, O_RDWR | O_CLOEXEC);
	int imp = open(SEC_IMP, O_RDWR | O_CLOEXEC), fd, r;
	unsigned char *want = malloc(SEC_LEN);
	struct dmalab_imp_sg_info si;
	uint32_t h, dev, att;
	uint64_t sum = 0;

	ASSERT_LE(0, exp) TH_LOG("open %s: %s", SEC_EXP, strerror(errno));
	ASSERT_LE(0, imp) TH_LOG("open %s: %s", SEC_IMP, strerror(errno));
	ASSERT_NE(NULL, want);
	fd = exp_alloc(exp, SEC_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	ASSERT_EQ(0, exp_import(imp, fd, &h));
	r = test_sim(imp, 64, 8192, 0xffff, 0, 0, 0, 0, &dev);
	ASSERT_EQ(0, r) TH_LOG("a 64-bit sim with 8 KiB segments and a 64 KiB boundary: %s",
			       strerror(-r));
	ASSERT_EQ(0, exp_attach(imp, h, dev, &att));
	ASSERT_EQ(0, dmalab_imp_map_attach(imp, att, DMALAB_IMP_DIR_BIDIR,
					   NULL));
	ASSERT_EQ(0, dmalab_imp_get_sg_info(imp, att, &si, NULL, 0, NULL));
	EXPECT_GE(8192ULL, si.longest);
	EXPECT_EQ(0U, si.violations);
	r = exp_job(imp, DMALAB_IMP_JOB_FILL, 0, att, 0, 0, SEC_LEN, 0x5a, 0,
		    NULL);
	ASSERT_EQ(0, r) TH_LOG("fill job: %s", strerror(-r));
	memset(want, 0x5a, SEC_LEN);
	ASSERT_EQ(0, test_cpu_checksum(imp, h, 0, SEC_LEN, &sum));
	EXPECT_EQ(exp_fnv(want, SEC_LEN), sum);
	free(want);
	close(imp);
	close(fd);
	close(exp);
}

TEST_F(sec, unprivileged_user_gets_full_reach_sims_with_segment_limits)
{
	sec_child(_metadata, self, SEC_NOBODY_IN_GROUP, sec_limits_ok, NULL);
}

/* Root still has windows: one around the page attaches, one beside fails. */
TEST_F(sec, root_still_creates_sims_with_windows)
{
	int fd = exp_alloc(self->exp, 4096, 0, DMALAB_EXP_TIMING_EAGER, 0, 0);
	struct dmalab_exp_info in;
	uint32_t h, in_win, beside, att = 0;
	uint64_t p;

	ASSERT_LE(0, fd) TH_LOG("alloc: %s", strerror(-fd));
	ASSERT_EQ(0, exp_info(self->exp, fd, &in));
	p = in.phys_lo;
	ASSERT_NE(0ULL, p) TH_LOG("root's INFO gives no physical address");
	ASSERT_EQ(0, exp_import(self->imp, fd, &h));
	ASSERT_EQ(0, test_sim(self->imp, 64, 0, 0, DMALAB_IMP_SIM_WINDOW,
			      p, p, 4096, &in_win));
	ASSERT_EQ(0, test_sim(self->imp, 64, 0, 0, DMALAB_IMP_SIM_WINDOW,
			      p + 4096, p + 4096, 4096, &beside));
	ASSERT_EQ(0, test_sim(self->imp, 32, 0, 0, 0, 0, 0, 0, NULL))
		TH_LOG("a 32-bit sim");
	EXPECT_EQ(0, exp_attach(self->imp, h, in_win, &att))
		TH_LOG("window of the page %#llx", (unsigned long long)p);
	EXPECT_EQ(-ERANGE, exp_attach(self->imp, h, beside, NULL))
		TH_LOG("window of the page after it");
	EXPECT_EQ(0, dmalab_imp_detach(self->imp, att, NULL));
	EXPECT_EQ(0, dmalab_imp_release(self->imp, h, NULL));
	close(fd);
}

/*
 * Read-only dma-bufs (A6 of the review): a dma-buf whose file was opened
 * without O_RDWR may be read through the importer, by the CPU and by
 * devices, but never written: CPU WRITE and FILL, maps that let the device
 * write (FROM_DEVICE, BIDIR) and jobs writing into it get -EACCES, and the
 * buffer keeps its contents (zeros: it cannot be written before either).
 */
#define RO_LEN	(64 * KiB)

FIXTURE(ro) {
	int exp, imp, fd, wfd;
	uint32_t h, wh, dev;
	uint64_t zsum;
	struct rel_state base;
};

FIXTURE_SETUP(ro)
{
	struct dmalab_alloc_opts o = {
		.len = RO_LEN, .cloexec = 1, .read_only = 1,
	};
	unsigned char *zero = calloc(1, RO_LEN);
	int r;

	self->imp = self->fd = self->wfd = -1;
	self->exp = exp_open();
	ASSERT_LE(0, self->exp) TH_LOG("cannot open %s: %s",
				       DMALAB_EXP_DEVICE, strerror(-self->exp));
	ASSERT_EQ(0, rel_state_get(self->exp, &self->base));
	self->imp = dmalab_imp_open(NULL);
	ASSERT_LE(0, self->imp) TH_LOG("cannot open /dev/dmalab_imp: %s",
				       strerror(-self->imp));
	ASSERT_NE(NULL, zero);
	self->zsum = exp_fnv(zero, RO_LEN);
	free(zero);
	self->fd = dmalab_alloc(self->exp, &o, NULL);
	ASSERT_LE(0, self->fd) TH_LOG("read-only alloc: %s",
				      strerror(-self->fd));
	ASSERT_EQ(O_RDONLY, fcntl(self->fd, F_GETFL) & O_ACCMODE);
	ASSERT_EQ(0, exp_import(self->imp, self->fd, &self->h));
	self->wfd = exp_alloc(self->exp, RO_LEN, 0, 0, 0, 0);
	ASSERT_LE(0, self->wfd) TH_LOG("alloc: %s", strerror(-self->wfd));
	ASSERT_EQ(0, exp_import(self->imp, self->wfd, &self->wh));
	ASSERT_EQ(0, test_cpu_fill(self->imp, self->wh, 0, RO_LEN, 0x3c));
	r = test_sim(self->imp, 64, 0, 0, 0, 0, 0, 0, &self->dev);
	ASSERT_EQ(0, r) TH_LOG("sim: %s", strerror(-r));
}

FIXTURE_TEARDOWN(ro)
{
	if (self->imp >= 0)
		close(self->imp);
	if (self->fd >= 0)
		close(self->fd);
	if (self->wfd >= 0)
		close(self->wfd);
	EXPECT_TRUE(rel_state_settled(_metadata, self->exp, &self->base, 3.0))
		TH_LOG("%s left buffers, attachments or module references behind",
		       _metadata->name);
	close(self->exp);
}

/* The read-only buffer still holds zeros, by the kernel's view and mmap. */
static void ro_unchanged(struct __test_metadata *_metadata,
			 FIXTURE_DATA(ro) *self)
{
	uint64_t sum = 0;
	void *m;

	ASSERT_EQ(0, test_cpu_checksum(self->imp, self->h, 0, RO_LEN, &sum));
	EXPECT_EQ(self->zsum, sum) TH_LOG("the read-only buffer was written");
	m = mmap(NULL, RO_LEN, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("read mmap: %s", strerror(errno));
	EXPECT_TRUE(exp_all_bytes(m, RO_LEN, 0))
		TH_LOG("the read-only buffer's mmap shows a write");
	munmap(m, RO_LEN);
}

/* An attachment of handle @h to the sim: its id. */
static uint32_t ro_attach(struct __test_metadata *_metadata,
			  FIXTURE_DATA(ro) *self, uint32_t h)
{
	uint32_t att = 0;

	EXPECT_EQ(0, exp_attach(self->imp, h, self->dev, &att));
	return att;
}

TEST_F(ro, cpu_write_into_read_only_dmabuf_is_eacces)
{
	unsigned char buf[256];

	memset(buf, 0xc3, sizeof(buf));
	EXPECT_EQ(-EACCES, test_cpu_write(self->imp, self->h, 4000,
					  sizeof(buf), buf));
	ro_unchanged(_metadata, self);
}

TEST_F(ro, cpu_fill_of_read_only_dmabuf_is_eacces)
{
	EXPECT_EQ(-EACCES, test_cpu_fill(self->imp, self->h, 0, RO_LEN, 0xc3));
	ro_unchanged(_metadata, self);
}

/* A refused map leaves the attachment unmapped and usable for reading. */
static void ro_map_refused(struct __test_metadata *_metadata,
			   FIXTURE_DATA(ro) *self, uint32_t dir)
{
	struct dmalab_imp_sg_info si;
	uint32_t att = ro_attach(_metadata, self, self->h);

	EXPECT_EQ(-EACCES, dmalab_imp_map_attach(self->imp, att, dir, NULL));
	EXPECT_EQ(-EBADFD, dmalab_imp_get_sg_info(self->imp, att, &si, NULL, 0,
						  NULL)) TH_LOG("left mapped");
	EXPECT_EQ(0, dmalab_imp_map_attach(self->imp, att,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	ro_unchanged(_metadata, self);
}

TEST_F(ro, map_from_device_of_read_only_dmabuf_is_eacces)
{
	ro_map_refused(_metadata, self, DMALAB_IMP_DIR_FROM_DEVICE);
}

TEST_F(ro, map_bidir_of_read_only_dmabuf_is_eacces)
{
	ro_map_refused(_metadata, self, DMALAB_IMP_DIR_BIDIR);
}

/*
 * The most the importer grants a device on the read-only buffer: a
 * BIDIR mapping if it allows one, else TO_DEVICE. Its attachment id.
 */
static uint32_t ro_map_best(struct __test_metadata *_metadata,
			    FIXTURE_DATA(ro) *self)
{
	uint32_t att = ro_attach(_metadata, self, self->h);

	if (dmalab_imp_map_attach(self->imp, att, DMALAB_IMP_DIR_BIDIR, NULL))
		EXPECT_EQ(0, dmalab_imp_map_attach(self->imp, att,
						   DMALAB_IMP_DIR_TO_DEVICE,
						   NULL));
	return att;
}

TEST_F(ro, job_fill_into_read_only_dmabuf_is_eacces)
{
	uint32_t att = ro_map_best(_metadata, self);

	EXPECT_EQ(-EACCES, exp_job(self->imp, DMALAB_IMP_JOB_FILL, 0, att, 0,
				   0, RO_LEN, 0xc3, 0, NULL));
	ro_unchanged(_metadata, self);
}

TEST_F(ro, job_copy_into_read_only_dmabuf_is_eacces)
{
	uint32_t att = ro_map_best(_metadata, self);
	uint32_t src = ro_attach(_metadata, self, self->wh);

	ASSERT_EQ(0, dmalab_imp_map_attach(self->imp, src,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	EXPECT_EQ(-EACCES, exp_job(self->imp, DMALAB_IMP_JOB_COPY, src, att,
				   0, 0, RO_LEN, 0, 0, NULL));
	ro_unchanged(_metadata, self);
}

TEST_F(ro, read_only_dmabuf_is_read_by_cpu_read_and_checksum)
{
	unsigned char *got = malloc(RO_LEN);

	ASSERT_NE(NULL, got);
	memset(got, 0xff, RO_LEN);
	EXPECT_EQ(0, test_cpu_read(self->imp, self->h, 0, RO_LEN, got));
	EXPECT_TRUE(exp_all_bytes(got, RO_LEN, 0));
	free(got);
	ro_unchanged(_metadata, self);
}

/* Devices read it: a TO_DEVICE map, a CHECKSUM job, a COPY out of it. */
TEST_F(ro, read_only_dmabuf_is_read_by_device_jobs)
{
	uint32_t att = ro_attach(_metadata, self, self->h);
	uint32_t dst = ro_attach(_metadata, self, self->wh);
	uint64_t sum = 0;

	ASSERT_EQ(0, dmalab_imp_map_attach(self->imp, att,
					   DMALAB_IMP_DIR_TO_DEVICE, NULL));
	ASSERT_EQ(0, dmalab_imp_map_attach(self->imp, dst,
					   DMALAB_IMP_DIR_FROM_DEVICE, NULL));
	EXPECT_EQ(0, exp_job(self->imp, DMALAB_IMP_JOB_CHECKSUM, att, 0, 0, 0,
			     RO_LEN, 0, 0, &sum));
	EXPECT_EQ(self->zsum, sum);
	EXPECT_EQ(0, exp_job(self->imp, DMALAB_IMP_JOB_COPY, att, dst, 0, 0,
			     RO_LEN, 0, 0, NULL));
	sum = 0;
	ASSERT_EQ(0, test_cpu_checksum(self->imp, self->wh, 0, RO_LEN, &sum));
	EXPECT_EQ(self->zsum, sum) TH_LOG("the copy out of the read-only buffer");
	ro_unchanged(_metadata, self);
}

/* After the tests of sec: the exporter alone, as at the program's start. */
FIXTURE(sec_end) {
	int exp;
};

FIXTURE_SETUP(sec_end)
{
	ASSERT_TRUE(sec_start_ok)
		TH_LOG("no baseline: %s did not open at the program's start",
		       DMALAB_EXP_DEVICE);
	self->exp = exp_open();
	ASSERT_LE(0, self->exp) TH_LOG("cannot open %s: %s",
				       DMALAB_EXP_DEVICE, strerror(-self->exp));
}

FIXTURE_TEARDOWN(sec_end)
{
	close(self->exp);
}

TEST_F(sec_end, security_checks_left_nothing_behind)
{
	EXPECT_TRUE(rel_state_settled(_metadata, self->exp, &sec_start, 3.0));
}

TEST_HARNESS_MAIN
