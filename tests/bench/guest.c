// SPDX-License-Identifier: GPL-2.0
/*
 * The guest is what the bench promises: both modules loaded with their
 * device nodes, two edu DMA engines, memory above 4 GiB, and an IOMMU
 * exactly when the kernel command line asked for one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"

/* 0 when @path opens read-write, or -errno. */
static int device_opens(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static int read_hex(const char *path, unsigned int *val)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%x", val) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

/* Count edu devices (1234:11e8); count those in an IOMMU group too. */
static void count_edu(int *edu, int *grouped)
{
	char path[512];
	struct dirent *de;
	unsigned int vendor, device;
	DIR *d = opendir("/sys/bus/pci/devices");

	*edu = 0;
	*grouped = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (read_hex(path, &vendor))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (read_hex(path, &device) || vendor != 0x1234 ||
		    device != 0x11e8)
			continue;
		(*edu)++;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/iommu_group", de->d_name);
		if (access(path, F_OK) == 0)
			(*grouped)++;
	}
	closedir(d);
}

/* Highest end of a "System RAM" range in /proc/iomem (needs root). */
static uint64_t highest_ram(void)
{
	char line[256];
	uint64_t start, end, top = 0;
	FILE *f = fopen("/proc/iomem", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, ": System RAM") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64, &start, &end) == 2 &&
		    end > top)
			top = end;
	fclose(f);
	return top;
}

static bool cmdline_has(const char *word)
{
	char buf[4096] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, word) != NULL;
}

TEST(exporter_device_node_opens)
{
	int r = device_opens("/dev/dmalab_exp");

	EXPECT_EQ(0, r) TH_LOG("%s", strerror(-r));
}

TEST(importer_device_node_opens)
{
	int r = device_opens("/dev/dmalab_imp");

	EXPECT_EQ(0, r) TH_LOG("%s", strerror(-r));
}

TEST(two_edu_dma_engines_present)
{
	int edu, grouped;

	count_edu(&edu, &grouped);
	TH_LOG("found %d edu devices", edu);
	EXPECT_EQ(2, edu);
}

TEST(memory_above_4GiB_exists)
{
	uint64_t top = highest_ram();

	TH_LOG("top of RAM %#" PRIx64, top);
	EXPECT_LE(0x100000000ULL, top);
}

TEST(edu_behind_iommu_iff_requested)
{
	bool iommu = cmdline_has("intel_iommu=on");
	int edu, grouped;

	count_edu(&edu, &grouped);
	TH_LOG("iommu %s, %d of %d edu devices in an IOMMU group",
	       iommu ? "on" : "off", grouped, edu);
	EXPECT_EQ(iommu ? edu : 0, grouped);
}

TEST_HARNESS_MAIN
