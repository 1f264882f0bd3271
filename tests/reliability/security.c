// SPDX-License-Identifier: GPL-2.0
/*
 * Security: the device nodes carry the modes of udev/60-dmalab.rules
 * (0660, group dmalab); an unprivileged member of that group can allocate
 * within the cap but never sees physical addresses nor another process's
 * buffers by handle; buffers never carry old data; the cap holds and the
 * memory is charged to the caller's memory cgroup.
 *
 * The unprivileged parts run in children that drop to uid/gid 65534 with
 * the dmalab group as their only supplementary group, opening private
 * nodes made with the rule's mode, so that they test the drivers whatever
 * the guest's /dev looks like (the node mode tests check that separately).
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
#define SEC_ROUNDS	32
#define SEC_LEN		(256 * KiB)

static gid_t sec_gid;
static int sec_have_group;
static struct dmalab_exp_stats sec_st;

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

static void sec_node_mode(const char *path)
{
	struct stat s;
	int ok = !stat(path, &s) && S_ISCHR(s.st_mode);

	if (ok)
		tap_diag("%s: mode %04o uid %u gid %u", path,
			 (unsigned int)(s.st_mode & 07777),
			 (unsigned int)s.st_uid, (unsigned int)s.st_gid);
	if (!sec_have_group)
		tap_diag("no group dmalab in /etc/group: the guest does not apply udev/60-dmalab.rules");
	tap_result(ok && (s.st_mode & 07777) == 0660 && s.st_uid == 0 &&
		   sec_have_group && s.st_gid == sec_gid,
		   "node_%s_is_0660_root_group_dmalab_as_the_udev_rule_says",
		   strrchr(path, '/') + 1);
}

static int sec_mknod(const char *dev, const char *node)
{
	struct stat s;

	if (stat(dev, &s))
		return -1;
	unlink(node);
	if (mknod(node, S_IFCHR | 0660, s.st_rdev) || chown(node, 0, sec_gid) ||
	    chmod(node, 0660))
		return -1;
	return 0;
}

/* Become uid/gid 65534, with the dmalab group when @in_group. */
static int sec_drop(int in_group)
{
	if (setgroups(in_group ? 1 : 0, &sec_gid) ||
	    setresgid(SEC_UID, SEC_UID, SEC_UID) ||
	    setresuid(SEC_UID, SEC_UID, SEC_UID))
		return -1;
	/* Make sure nothing of root is left. */
	return setresuid(0, 0, 0) == 0 ? -1 : 0;
}

/*
 * Run @fn in an unprivileged child; its exit status is the number of the
 * first check that failed (0: all passed, 100: could not drop privileges).
 */
static int sec_as_nobody(int in_group, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (sec_drop(in_group))
			_exit(100);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 101;
	if (!WIFEXITED(status))
		return 102;
	return WEXITSTATUS(status);
}

static int sec_open_refused(void *arg)
{
	(void)arg;
	if (open(SEC_EXP, O_RDWR) >= 0 || errno != EACCES)
		return 1;
	if (open(SEC_IMP, O_RDWR) >= 0 || errno != EACCES)
		return 2;
	return 0;
}

static int sec_alloc_cap(void *arg)
{
	struct dmalab_exp_info in;
	int exp = open(SEC_EXP, O_RDWR), fd;

	(void)arg;
	if (exp < 0)
		return 1;
	fd = exp_alloc(exp, MiB, 0, 0, 0, 0);
	if (fd < 0)
		return 2;
	if (exp_info(exp, fd, &in) || in.len != MiB)
		return 3;
	if (exp_alloc(exp, sec_st.max_len + 4096, 0, 0, 0, 0) != -E2BIG)
		return 4;
	if (exp_alloc(exp, sec_st.max_contig_len + 4096,
		      DMALAB_EXP_PLACE_CONTIG, 0, 0, 0) != -E2BIG)
		return 5;
	if (exp_alloc(exp, 1ULL << 63, 0, 0, 0, 0) >= 0)
		return 6;
	return 0;
}

/* Physical addresses: none in the exporter's info, none in sg reports. */
static int sec_no_phys(void *arg)
{
	struct dmalab_exp_attach_info ai[2];
	struct dmalab_imp_sg_entry e[4];
	struct dmalab_imp_sg_info si;
	struct dmalab_exp_info in;
	int exp = open(SEC_EXP, O_RDWR), imp = open(SEC_IMP, O_RDWR), fd;
	uint32_t h, dev, att;

	(void)arg;
	if (exp < 0 || imp < 0)
		return 1;
	fd = exp_alloc(exp, SEC_LEN, 0, 0, 0, 0);
	if (fd < 0 || exp_info(exp, fd, &in))
		return 2;
	if (!(in.state & DMALAB_EXP_STATE_ALLOCATED) ||
	    !(in.state & DMALAB_EXP_STATE_PHYS_HIDDEN) || in.phys_lo ||
	    in.phys_hi)
		return 3;
	if (exp_import(imp, fd, &h) || test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &dev) ||
	    exp_attach(imp, h, dev, &att) ||
	    dmalab_imp_map_attach(imp, att, DMALAB_IMP_DIR_BIDIR, NULL))
		return 4;
	if (exp_info_attach(exp, fd, &in, ai, 2) || in.phys_lo || in.phys_hi)
		return 5;
	if (dmalab_imp_get_sg_info(imp, att, &si, e, 4, NULL) != -EPERM)
		return 6;
	/* Without an IOMMU or window a device address is the physical one. */
	if (dmalab_imp_get_sg_info(imp, att, &si, NULL, 0, NULL))
		return 7;
	if (si.dma_min || si.dma_max)
		return 8;
	return 0;
}

/* A handle of the parent's importer file, passed as a plain number. */
static int sec_other_handle(void *arg)
{
	uint32_t h = *(uint32_t *)arg;
	int imp = open(SEC_IMP, O_RDWR);
	uint32_t dev, att;
	uint64_t sum;

	if (imp < 0)
		return 1;
	if (test_cpu(imp, h, DMALAB_IMP_CPU_CHECKSUM, 0, 4096, NULL, 0, &sum) != -ENOENT)
		return 2;
	if (test_sim(imp, 64, 0, 0, 0, 0, 0, 0, &dev) ||
	    exp_attach(imp, h, dev, &att) != -ENOENT)
		return 3;
	if (dmalab_imp_release(imp, h, NULL) != -ENOENT)
		return 4;
	return 0;
}

/* Fill, free, reallocate: every new buffer reads as zeros, in every view. */
static int sec_no_old_data(void *arg)
{
	int exp = open(SEC_EXP, O_RDWR), imp = open(SEC_IMP, O_RDWR), i;
	unsigned char *zero = calloc(1, SEC_LEN);
	uint64_t zsum = exp_fnv(zero, SEC_LEN);

	(void)arg;
	if (exp < 0 || imp < 0 || !zero)
		return 1;
	for (i = 0; i < SEC_ROUNDS; i++) {
		uint32_t place = i % 3 == 1 ? DMALAB_EXP_PLACE_CONTIG :
				 DMALAB_EXP_PLACE_SCATTER;
		uint32_t timing = i % 3 == 2 ? DMALAB_EXP_TIMING_DEFERRED :
				  DMALAB_EXP_TIMING_EAGER;
		int fd = exp_alloc(exp, SEC_LEN, place, timing, 0, 0);
		unsigned char *m;
		uint64_t sum = 1;
		uint32_t h;

		if (fd < 0)
			return 2;
		/* Kernel view first (vmap), so deferred pages come from there. */
		if (exp_import(imp, fd, &h) ||
		    test_cpu(imp, h, DMALAB_IMP_CPU_CHECKSUM, 0, SEC_LEN, NULL,
			     0, &sum) || sum != zsum)
			return 3;
		m = mmap(NULL, SEC_LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED || !exp_all_bytes(m, SEC_LEN, 0))
			return 4;
		memset(m, 0xa5, SEC_LEN);
		munmap(m, SEC_LEN);
		dmalab_imp_release(imp, h, NULL);
		close(fd);
	}
	return 0;
}

static const char *sec_why(int rc)
{
	switch (rc) {
	case 100: return "could not drop to uid 65534";
	case 101: return "fork/wait failed";
	case 102: return "the child was killed";
	default: return NULL;
	}
}

static void sec_report(int rc, const char *name)
{
	if (rc)
		tap_diag("%s: %s (check %d)", name, sec_why(rc) ?: "failed", rc);
	tap_result(rc == 0, "%s", name);
}

/* __GFP_ACCOUNT: buffers count against the caller's memory cgroup. */
static void sec_memcg(int exp)
{
	const char *cg = "/sys/fs/cgroup/dmalab-security";
	char path[128], buf[32];
	long before, after;
	int status, ok;
	pid_t pid;

	if (access("/sys/fs/cgroup/cgroup.controllers", R_OK))
		mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL);
	rmdir(cg);
	if (test_write_str("/sys/fs/cgroup/cgroup.subtree_control", "+memory") ||
	    mkdir(cg, 0755)) {
		tap_skip("buffers_are_charged_to_the_callers_memory_cgroup",
			 "no cgroup2 memory controller in this kernel");
		tap_skip("memory_cgroup_limit_stops_allocations",
			 "no cgroup2 memory controller in this kernel");
		return;
	}
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	test_write_str(path, "33554432");
	pid = fork();
	if (!pid) {
		int fd1, fd2;

		snprintf(buf, sizeof(buf), "%d", getpid());
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		if (test_write_str(path, buf))
			_exit(1);
		snprintf(path, sizeof(path), "%s/memory.current", cg);
		before = rel_read_long(path);
		fd1 = exp_alloc(exp, 8 * MiB, 0, 0, 0, 0);
		after = rel_read_long(path);
		printf("# memory.current %ld -> %ld after an 8 MiB buffer\n",
		       before, after);
		if (fd1 < 0 || after - before < (long)(8 * MiB))
			_exit(2);
		fd2 = exp_alloc(exp, 64 * MiB, 0, 0, 0, 0);
		printf("# a 64 MiB buffer in a 32 MiB cgroup: %s\n",
		       fd2 < 0 ? rel_errname(-fd2) : "allocated");
		_exit(fd2 == -ENOMEM ? 0 : 3);
	}
	ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status);
	status = ok ? WEXITSTATUS(status) : 102;
	tap_result(ok && status != 1 && status != 2,
		   "buffers_are_charged_to_the_callers_memory_cgroup");
	tap_result(ok && status == 0, "memory_cgroup_limit_stops_allocations");
	rmdir(cg);
}

int main(void)
{
	struct rel_state base, now;
	uint32_t h = 0;
	int exp, imp, fd, rc, nodes;

	tap_plan(11);
	exp = exp_open();
	if (exp < 0 || exp_stats(exp, &sec_st)) {
		tap_diag("cannot open %s: %s", DMALAB_EXP_DEVICE, strerror(errno));
		return 1;
	}
	rel_state_get(exp, &base);
	imp = dmalab_imp_open(NULL);
	if (imp < 0) {
		tap_diag("cannot open /dev/dmalab_imp: %s", strerror(errno));
		return 1;
	}
	sec_have_group = sec_group("dmalab", &sec_gid);
	if (!sec_have_group)
		sec_gid = SEC_GID_FALLBACK;
	sec_node_mode(DMALAB_EXP_DEVICE);
	sec_node_mode("/dev/dmalab_imp");

	mkdir(SEC_DIR, 0755);
	nodes = !sec_mknod(DMALAB_EXP_DEVICE, SEC_EXP) &&
		!sec_mknod("/dev/dmalab_imp", SEC_IMP);
	if (!nodes)
		tap_diag("cannot make private device nodes in %s: %s", SEC_DIR,
			 strerror(errno));

	rc = nodes ? sec_as_nobody(0, sec_open_refused, NULL) : 103;
	sec_report(rc, "nobody_outside_group_dmalab_cannot_open_the_devices");
	rc = nodes ? sec_as_nobody(1, sec_alloc_cap, NULL) : 103;
	sec_report(rc, "unprivileged_user_allocates_within_the_cap_and_not_beyond");
	rc = nodes ? sec_as_nobody(1, sec_no_phys, NULL) : 103;
	sec_report(rc, "unprivileged_user_sees_no_physical_addresses");

	fd = exp_alloc(exp, SEC_LEN, 0, 0, 0, 0);
	if (fd >= 0 && !exp_import(imp, fd, &h))
		test_cpu(imp, h, DMALAB_IMP_CPU_FILL, 0, SEC_LEN, NULL, 0x5e, NULL);
	rc = nodes && h ? sec_as_nobody(1, sec_other_handle, &h) : 103;
	sec_report(rc, "unprivileged_user_cannot_use_another_process_handle");
	if (fd >= 0)
		close(fd);

	rc = nodes ? sec_as_nobody(1, sec_no_old_data, NULL) : 103;
	sec_report(rc, "reallocated_buffers_never_carry_old_data_32_rounds");
	tap_result(exp_alloc(exp, sec_st.max_len + 4096, 0, 0, 0, 0) == -E2BIG,
		   "allocation_cap_holds_for_root_too");
	sec_memcg(exp);

	close(imp);
	rc = rel_state_settle(exp, &base, &now, 3.0);
	if (!rc) {
		rel_state_diag("baseline", &base);
		rel_state_diag("after", &now);
	}
	tap_result(rc, "security_checks_left_nothing_behind");
	unlink(SEC_EXP);
	unlink(SEC_IMP);
	rmdir(SEC_DIR);
	close(exp);
	return tap_exit();
}
