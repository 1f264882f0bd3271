// SPDX-License-Identifier: GPL-2.0
/*
 * A real display driver scans out one of our buffers. QEMU's cirrus-vga is
 * driven by the kernel's cirrus DRM driver (cirrus-qemu from 7.x), whose
 * drm_gem_shmem helpers import a PRIME buffer and read it through
 * dma_buf_vmap() to copy it into the card's VRAM. The test imports our
 * dma-buf, puts a framebuffer on it, sets a mode, draws a pattern through
 * our mmap and tells the driver (DIRTYFB); then it asks the host for a
 * screendump through the fourth serial port and waits until it is taken.
 * The host (vm/scanout-compare) compares the screendump with the pattern
 * pixel by pixel: this program only proves the driver took the buffer.
 *
 * Without a cirrus-vga (every guest but vm/run --display cirrus) it skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "dmalab.h"
#include "kselftest_harness.h"
#include "scanout_pattern.h"

/*
 * The KMS ioctls of drm.h and drm_mode.h that libdmalab does not wrap,
 * with the kernel's layouts: being what this test is about, called raw.
 */
struct t_mode_card_res {
	__u64 fb_id_ptr, crtc_id_ptr, connector_id_ptr, encoder_id_ptr;
	__u32 count_fbs, count_crtcs, count_connectors, count_encoders;
	__u32 min_width, max_width, min_height, max_height;
};

struct t_mode_modeinfo {
	__u32 clock;
	__u16 hdisplay, hsync_start, hsync_end, htotal, hskew;
	__u16 vdisplay, vsync_start, vsync_end, vtotal, vscan;
	__u32 vrefresh, flags, type;
	char name[32];
};

struct t_mode_get_connector {
	__u64 encoders_ptr, modes_ptr, props_ptr, prop_values_ptr;
	__u32 count_modes, count_props, count_encoders;
	__u32 encoder_id, connector_id, connector_type, connector_type_id;
	__u32 connection, mm_width, mm_height, subpixel, pad;
};

struct t_mode_get_encoder {
	__u32 encoder_id, encoder_type, crtc_id, possible_crtcs, possible_clones;
};

struct t_mode_crtc {
	__u64 set_connectors_ptr;
	__u32 count_connectors, crtc_id, fb_id, x, y, gamma_size, mode_valid;
	struct t_mode_modeinfo mode;
};

struct t_mode_fb_cmd2 {
	__u32 fb_id, width, height, pixel_format, flags;
	__u32 handles[4], pitches[4], offsets[4];
	__u64 modifier[4];
};

struct t_mode_fb_dirty_cmd {
	__u32 fb_id, flags, color, num_clips;
	__u64 clips_ptr;
};

#define T_IOCTL_MODE_GETRESOURCES _IOWR('d', 0xA0, struct t_mode_card_res)
#define T_IOCTL_MODE_SETCRTC	_IOWR('d', 0xA2, struct t_mode_crtc)
#define T_IOCTL_MODE_GETENCODER	_IOWR('d', 0xA6, struct t_mode_get_encoder)
#define T_IOCTL_MODE_GETCONNECTOR _IOWR('d', 0xA7, struct t_mode_get_connector)
#define T_IOCTL_MODE_RMFB	_IOWR('d', 0xAF, unsigned int)
#define T_IOCTL_MODE_DIRTYFB	_IOWR('d', 0xB1, struct t_mode_fb_dirty_cmd)
#define T_IOCTL_MODE_ADDFB2	_IOWR('d', 0xB8, struct t_mode_fb_cmd2)
#define T_FORMAT_XRGB8888	0x34325258 /* fourcc 'X', 'R', '2', '4' */
#define T_CONNECTED		1

/* The host's side of the screendump: the fourth serial port (vm/run). */
#define HOST_PORT	"/dev/ttyS3"
#define ACK_SECS	120
#define LEN		(SCANOUT_W * SCANOUT_H * 4)

/* The cirrus card: its DRM name was "cirrus" until 7.x renamed it. */
static int open_cirrus(char *path, size_t len, struct dmalab_err *err)
{
	int fd = dmalab_drm_open("cirrus", path, len, err);

	if (fd == -ENODEV)
		fd = dmalab_drm_open("cirrus-qemu", path, len, err);
	return fd;
}

/* A connected connector, a CRTC its encoder can drive, and its 640x480 mode. */
struct pipe {
	__u32 connector, crtc;
	struct t_mode_modeinfo mode;
};

static int find_pipe(int drm, struct pipe *p, char *why, size_t why_len)
{
	__u32 crtcs[8], conns[8];
	struct t_mode_card_res res = { 0 };
	struct t_mode_get_connector c;
	struct t_mode_get_encoder e;
	struct t_mode_modeinfo *modes;
	unsigned int i, k;

	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.count_crtcs = 8;
	res.count_connectors = 8;
	if (ioctl(drm, T_IOCTL_MODE_GETRESOURCES, &res)) {
		snprintf(why, why_len, "GETRESOURCES: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < res.count_connectors && i < 8; i++) {
		memset(&c, 0, sizeof(c));
		c.connector_id = conns[i];
		/* the first call probes the modes and counts them */
		if (ioctl(drm, T_IOCTL_MODE_GETCONNECTOR, &c) ||
		    c.connection != T_CONNECTED || !c.count_modes)
			continue;
		modes = calloc(c.count_modes, sizeof(*modes));
		if (!modes)
			return -1;
		c.modes_ptr = (uintptr_t)modes;
		c.count_props = 0;
		c.count_encoders = 0;
		if (ioctl(drm, T_IOCTL_MODE_GETCONNECTOR, &c)) {
			free(modes);
			continue;
		}
		for (k = 0; k < c.count_modes; k++)
			if (modes[k].hdisplay == SCANOUT_W &&
			    modes[k].vdisplay == SCANOUT_H)
				break;
		if (k == c.count_modes) {
			free(modes);
			snprintf(why, why_len, "connector %u has no %dx%d mode",
				 conns[i], SCANOUT_W, SCANOUT_H);
			continue;
		}
		p->mode = modes[k];
		free(modes);
		memset(&e, 0, sizeof(e));
		e.encoder_id = c.encoder_id;
		if (!c.encoder_id || ioctl(drm, T_IOCTL_MODE_GETENCODER, &e)) {
			snprintf(why, why_len, "connector %u: no encoder", conns[i]);
			continue;
		}
		for (k = 0; k < res.count_crtcs && k < 8; k++) {
			if (e.possible_crtcs & (1U << k)) {
				p->connector = conns[i];
				p->crtc = crtcs[k];
				return 0;
			}
		}
	}
	if (!why[0])
		snprintf(why, why_len, "no connected connector");
	return -1;
}

/*
 * Ask the host for a screendump of what the virtual screen shows, and wait
 * until it answers. Returns 0, or -1 with the reason in @why.
 */
static int host_screendump(const char *name, char *why, size_t why_len)
{
	char line[256], want[64];
	struct termios t;
	size_t got = 0;
	time_t end;
	int fd, n;

	fd = open(HOST_PORT, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || tcgetattr(fd, &t)) {
		snprintf(why, why_len, "%s: %s (no host agent: vm/run --display cirrus)",
			 HOST_PORT, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* raw: the host's answer must not be echoed back to it */
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
	tcflush(fd, TCIFLUSH);
	dprintf(fd, "DMALAB-SCREENDUMP %s %dx%d\n", name, SCANOUT_W, SCANOUT_H);
	snprintf(want, sizeof(want), "DMALAB-SCREENDUMP-DONE %s ", name);
	end = time(NULL) + ACK_SECS;
	while (time(NULL) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(fd, line + got, sizeof(line) - 1 - got);
		if (n <= 0)
			continue;
		got += n;
		line[got] = '\0';
		if (!strchr(line, '\n') && got < sizeof(line) - 1)
			continue;
		if (strchr(line, '\n'))
			*strchr(line, '\n') = '\0';
		close(fd);
		if (!strncmp(line, want, strlen(want)) &&
		    !strcmp(line + strlen(want), "ok"))
			return 0;
		snprintf(why, why_len, "host answered: %.100s", line);
		return -1;
	}
	close(fd);
	snprintf(why, why_len, "no answer from the host in %d s", ACK_SECS);
	return -1;
}

FIXTURE(scanout) {
	int drm, exp, fd;
	__u32 handle, fb;
	char card[32];
	struct pipe pipe;
	__u32 *px;
	struct dmalab_err err;
};

FIXTURE_SETUP(scanout)
{
	/*
	 * cirrus never sets a DMA mask: its PCI function keeps the default
	 * 32 bits, and the exporter refuses (-ERANGE) to attach a device that
	 * cannot reach the pages. The guest has 5 GiB, so ask for pages below
	 * 4 GiB (behind an IOMMU any page would do).
	 */
	struct dmalab_alloc_opts o = { .len = LEN, .addr_bits = 32, .cloexec = 1 };

	self->fd = -1;
	self->exp = -1;
	self->drm = open_cirrus(self->card, sizeof(self->card), &self->err);
	if (self->drm == -ENODEV)
		SKIP(return, "no cirrus DRM card: this guest has no cirrus-vga (vm/check's display lane, vm/run --display cirrus)");
	ASSERT_LE(0, self->drm) TH_LOG("%s", self->err.msg);
	self->exp = dmalab_exp_open(&self->err);
	ASSERT_LE(0, self->exp) TH_LOG("%s", self->err.msg);
	self->fd = dmalab_alloc(self->exp, &o, &self->err);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", self->err.msg);
}

FIXTURE_TEARDOWN(scanout)
{
	if (self->px)
		munmap(self->px, LEN);
	/* removing the framebuffer turns the CRTC off; fbdev takes it back */
	if (self->fb)
		ioctl(self->drm, T_IOCTL_MODE_RMFB, &self->fb);
	if (self->handle)
		dmalab_drm_gem_close(self->drm, self->handle, NULL);
	if (self->fd >= 0)
		close(self->fd);
	if (self->exp >= 0)
		close(self->exp);
	if (self->drm >= 0)
		close(self->drm);
}

/* Our buffer imported by PRIME, with an XRGB8888 framebuffer on it. */
static void framebuffer(struct __test_metadata *_metadata,
			FIXTURE_DATA(scanout) *self)
{
	struct t_mode_fb_cmd2 f = {
		.width = SCANOUT_W, .height = SCANOUT_H,
		.pixel_format = T_FORMAT_XRGB8888,
		.pitches = { SCANOUT_W * 4 },
	};

	ASSERT_EQ(0, dmalab_drm_prime_import(self->drm, self->fd,
					     &self->handle, &self->err))
		TH_LOG("%s: %s", self->card, self->err.msg);
	f.handles[0] = self->handle;
	ASSERT_EQ(0, ioctl(self->drm, T_IOCTL_MODE_ADDFB2, &f))
		TH_LOG("ADDFB2 %dx%d XR24: %s", SCANOUT_W, SCANOUT_H, strerror(errno));
	self->fb = f.fb_id;
}

/*
 * How many times kernel code vmapped the buffer of dma-buf inode @ino so
 * far (the exporter's debugfs), or -1: the live count alone says nothing
 * once the display helpers have let go of their vmap again.
 */
static long vmaps_taken(unsigned long ino)
{
	char line[512], head[40];
	const char *p;
	long n = -1;
	FILE *f;

	f = fopen("/sys/kernel/debug/dmalab_exp/buffers", "r");
	if (!f)
		return -1;
	snprintf(head, sizeof(head), "buf ino %lu ", ino);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, head, strlen(head)))
			continue;
		p = strstr(line, " vmaps-taken ");
		if (p)
			n = strtol(p + strlen(" vmaps-taken "), NULL, 10);
	}
	fclose(f);
	return n;
}

/* The exporter's view of the buffer: its one attachment, the card's. */
static void exp_info(struct __test_metadata *_metadata,
		     FIXTURE_DATA(scanout) *self, struct dmalab_exp_info *info,
		     struct dmalab_exp_attach_info *att)
{
	ASSERT_EQ(0, dmalab_exp_get_info(self->exp, self->fd, info, att, 1,
					 &self->err))
		TH_LOG("%s", self->err.msg);
}

TEST_F(scanout, cirrus_imports_our_dmabuf_and_attaches_its_pci_device)
{
	struct dmalab_exp_attach_info att = { 0 };
	char sysfs[64], link[256];
	struct dmalab_exp_info info;
	ssize_t n;

	framebuffer(_metadata, self);
	exp_info(_metadata, self, &info, &att);
	ASSERT_EQ(1U, info.nr_attachments);
	/* the attached device is the card's PCI function */
	snprintf(sysfs, sizeof(sysfs), "/sys/class/drm/%s/device",
		 strrchr(self->card, '/') + 1);
	n = readlink(sysfs, link, sizeof(link) - 1);
	ASSERT_LT(0, n) TH_LOG("%s: %s", sysfs, strerror(errno));
	link[n] = '\0';
	EXPECT_STREQ(strrchr(link, '/') + 1, att.dev_name);
	/* 6.1 maps the attachment at import; 7.x imports without a mapping */
	TH_LOG("%s attached %s (DMA mask %#llx%s): %u mapped",
	       self->card, att.dev_name, (unsigned long long)att.dma_mask,
	       att.flags & DMALAB_EXP_ATTACH_IOMMU ? ", behind an IOMMU" : "",
	       info.nr_mapped);
}

TEST_F(scanout, cirrus_scans_out_what_we_draw_through_our_mmap)
{
	struct t_mode_fb_dirty_cmd d = { 0 };
	struct dmalab_exp_info info;
	struct t_mode_crtc c = { 0 };
	char why[160] = "";
	struct stat st;
	long taken;
	int x, y;

	framebuffer(_metadata, self);
	ASSERT_EQ(0, find_pipe(self->drm, &self->pipe, why, sizeof(why)))
		TH_LOG("%s: %s", self->card, why);

	c.crtc_id = self->pipe.crtc;
	c.fb_id = self->fb;
	c.set_connectors_ptr = (uintptr_t)&self->pipe.connector;
	c.count_connectors = 1;
	c.mode = self->pipe.mode;
	c.mode_valid = 1;
	ASSERT_EQ(0, ioctl(self->drm, T_IOCTL_MODE_SETCRTC, &c))
		TH_LOG("SETCRTC %s: %s", self->pipe.mode.name, strerror(errno));
	/*
	 * 6.1 keeps the shown plane's buffer vmapped; from 6.2 the shadow
	 * plane helpers vmap it only around each commit's copy.
	 */
	exp_info(_metadata, self, &info, NULL);
	TH_LOG("after the mode set: %u vmap(s) of our buffer", info.vmap_count);

	ASSERT_EQ(0, dmalab_buf_mmap(self->fd, 0, LEN, PROT_READ | PROT_WRITE,
				     (void **)&self->px, &self->err))
		TH_LOG("%s", self->err.msg);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_START |
				     DMA_BUF_SYNC_WRITE, &self->err));
	for (y = 0; y < SCANOUT_H; y++)
		for (x = 0; x < SCANOUT_W; x++)
			self->px[y * SCANOUT_W + x] = scanout_pattern(x, y);
	ASSERT_EQ(0, dmalab_buf_sync(self->fd, DMA_BUF_SYNC_END |
				     DMA_BUF_SYNC_WRITE, &self->err));
	/* no clips: the whole framebuffer is damaged and copied again */
	d.fb_id = self->fb;
	ASSERT_EQ(0, ioctl(self->drm, T_IOCTL_MODE_DIRTYFB, &d))
		TH_LOG("DIRTYFB: %s", strerror(errno));

	/* cirrus copied our pixels through dma_buf_vmap() */
	ASSERT_EQ(0, fstat(self->fd, &st));
	taken = vmaps_taken(st.st_ino);
	ASSERT_LE(1, taken)
		TH_LOG("the exporter saw %ld vmap(s) of our buffer", taken);
	TH_LOG("cirrus vmapped our buffer %ld time(s) to copy it to the screen",
	       taken);

	ASSERT_EQ(0, host_screendump("scanout", why, sizeof(why)))
		TH_LOG("%s", why);
	TH_LOG("%s showed our buffer at %s on CRTC %u; the host took its screendump",
	       self->card, self->pipe.mode.name, self->pipe.crtc);
}

TEST_HARNESS_MAIN
