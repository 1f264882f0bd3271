// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab tool: draw a buffer as SVG, by hand (no library). Each panel has
 *  - one row per attached device: the physical range it reaches, as a band
 *    on the physical address axis, with marks where its DMA addresses point
 *    when no IOMMU translates them (a device's copy lies elsewhere);
 *  - the physical address axis, on a log scale so that 16 MiB, 256 MiB,
 *    4 GiB and 64 GiB are all visible, with the buffer's segments marked;
 *  - the buffer by offset (linear), one block per physical segment, each
 *    tied to its place on the axis;
 *  - per mapped device, its sg entries by offset, with their DMA addresses;
 *    behind an IOMMU these are I/O virtual addresses, and each contiguous
 *    IOVA range is drawn under them.
 * Elements carry classes (segment, device, sg-row, sg-entry, ...) that
 * tests/tool/svg.sh counts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "svg.h"

#define SVG_W		1000
#define SVG_X0		240	/* left end of the plots; labels before it */
#define SVG_X1		960
#define SVG_AXIS_TOP	40	/* the physical axis ends at 2^40, 1 TiB */
#define SVG_MAX_FANS	64	/* segments tied to the axis by a line */

struct svg {
	FILE *body;
	char *buf;
	size_t len;
	int y;
};

static const char *const dev_colors[] = {
	"#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#9c755f", "#76b7b2",
};

/* log2(v) for v >= 1, to a pixel's precision: the tool links no libm. */
static double log2_of(double v)
{
	double r = 0, bit = 1;
	int i;

	while (v >= 2) {
		v /= 2;
		r += 1;
	}
	/* The fraction bit by bit: squaring doubles the exponent. */
	for (i = 0; i < 16; i++) {
		v *= v;
		bit /= 2;
		if (v >= 2) {
			v /= 2;
			r += bit;
		}
	}
	return r;
}

/* x of a physical address: equal room for each doubling above 1 MiB. */
static double phys_x(uint64_t a)
{
	double u = log2_of((double)a / (1 << 20) + 1) / (SVG_AXIS_TOP - 20);

	if (u > 1)
		u = 1;
	return SVG_X0 + u * (SVG_X1 - SVG_X0);
}

/* x of an offset into a buffer of @len bytes. */
static double off_x(uint64_t off, uint64_t len)
{
	return SVG_X0 + (double)off / (double)len * (SVG_X1 - SVG_X0);
}

/* Text as XML character data or an attribute value. */
static void esc(FILE *f, const char *s)
{
	static const char *const ents[] = {
		['<'] = "&lt;", ['>'] = "&gt;", ['&'] = "&amp;", ['"'] = "&quot;",
	};
	unsigned char ch;

	for (; *s; s++) {
		ch = (unsigned char)*s;
		if (ch < sizeof(ents) / sizeof(ents[0]) && ents[ch])
			fputs(ents[ch], f);
		else if (ch >= 0x20 || ch == '\t')
			fputc(ch, f);
	}
}

/* <text> at x, y: size in px, anchor start/middle/end, optional class. */
static void __attribute__((format(printf, 7, 8)))
text(struct svg *s, double x, double y, int size, const char *anchor,
     const char *cls, const char *fmt, ...)
{
	char t[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	fprintf(s->body, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\"%s%s%s>",
		x, y, size, anchor, cls ? " class=\"" : "", cls ? cls : "",
		cls ? "\"" : "");
	esc(s->body, t);
	fputs("</text>\n", s->body);
}

/*
 * Text broken at spaces into lines of at most @width characters (a longer
 * word stands alone), @size + 4 px apart; returns the number of lines.
 */
static int text_lines(struct svg *s, double x, double y, int size, int width,
		      const char *cls, const char *str)
{
	int lines = 0, n, len = (int)strlen(str);

	while (len > 0) {
		n = len;
		if (n > width) {
			for (n = width; n > 0 && str[n] != ' '; n--)
				;
			if (!n)
				for (n = width; n < len && str[n] != ' '; n++)
					;
		}
		text(s, x, y + lines * (size + 4), size, "start", cls, "%.*s",
		     n, str);
		lines++;
		str += n;
		len -= n;
		while (*str == ' ') {
			str++;
			len--;
		}
	}
	return lines;
}

/* <rect> with a tooltip (its <title>) when @tip is not NULL. */
static void rect(struct svg *s, const char *cls, double x, double y, double w,
		 double h, const char *fill, const char *tip)
{
	fprintf(s->body, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"",
		cls, x, y, w, h, fill);
	if (!tip) {
		fputs("/>\n", s->body);
		return;
	}
	fputs("><title>", s->body);
	esc(s->body, tip);
	fputs("</title></rect>\n", s->body);
}

static void line(struct svg *s, double x1, double y1, double x2, double y2,
		 const char *stroke, double width)
{
	fprintf(s->body, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n",
		x1, y1, x2, y2, stroke, width);
}

/* "1 MiB", "2300 KiB", "512 B": sizes as a learner reads them. */
static const char *size_str(uint64_t v, char *b, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (u < 4 && v >= 1024 && !(v % 1024)) {
		v /= 1024;
		u++;
	}
	snprintf(b, n, "%llu %s", (unsigned long long)v, units[u]);
	return b;
}

/* A mark of at least 2 px over [a, a + len) on the physical axis. */
static void phys_mark(struct svg *s, const char *cls, uint64_t a, uint64_t len,
		      double y, double h, const char *fill, const char *tip)
{
	double x = phys_x(a), w = phys_x(a + len) - x;

	rect(s, cls, w < 2 ? x - 1 : x, y, w < 2 ? 2 : w, h, fill, tip);
}

static void draw_reach(struct svg *s, const struct svg_dev *d, int i)
{
	const char *color = dev_colors[i % 6];
	double x = phys_x(d->reach_lo), w = phys_x(d->reach_hi) - x;
	char tip[160], how[64] = "";
	unsigned int k;
	int y = s->y;

	fprintf(s->body, "<g class=\"device\">\n");
	text(s, 10, y + 20, 11, "start", "device-label", "%s", d->label);
	if (d->iommu)
		snprintf(how, sizeof(how), ", through the IOMMU");
	else if (d->copy)
		snprintf(how, sizeof(how), ", served by its own copy");
	if (d->mapped && !d->ents)
		snprintf(how + strlen(how), sizeof(how) - strlen(how),
			 ", mapped: %u sg entr%s", d->nents,
			 d->nents == 1 ? "y" : "ies");
	snprintf(tip, sizeof(tip), "%s reaches physical 0x%llx-0x%llx",
		 d->label, (unsigned long long)d->reach_lo,
		 (unsigned long long)d->reach_hi);
	fprintf(s->body, "<rect class=\"reach\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\" fill-opacity=\"0.3\" stroke=\"%s\"><title>",
		x, y + 12, w < 2 ? 2 : w, color, color);
	esc(s->body, tip);
	fputs("</title></rect>\n", s->body);
	text(s, x + 2, y + 9, 10, "start", "reach-label", "reach 0x%llx-0x%llx%s",
	     (unsigned long long)d->reach_lo, (unsigned long long)d->reach_hi,
	     how);
	/* Without an IOMMU a DMA address is a physical one: show where. */
	for (k = 0; d->ents && !d->iommu && k < d->nr_ents; k++) {
		snprintf(tip, sizeof(tip), "%s: sg entry %u points at physical 0x%llx, %llu bytes",
			 d->label, k, (unsigned long long)d->ents[k].addr,
			 (unsigned long long)d->ents[k].len);
		phys_mark(s, "dma-mark", d->ents[k].addr, d->ents[k].len,
			  y + 10, 16, color, tip);
	}
	fputs("</g>\n", s->body);
	s->y += 30;
}

static void draw_axis(struct svg *s, const struct svg_panel *p)
{
	static const struct { uint64_t a; const char *l; } ticks[] = {
		{ 0, "0" }, { 1ULL << 20, "1M" }, { 16ULL << 20, "16M" },
		{ 256ULL << 20, "256M" }, { 1ULL << 30, "1G" },
		{ 4ULL << 30, "4G" }, { 64ULL << 30, "64G" },
		{ 1ULL << 40, "1T" },
	};
	static const struct { uint64_t lo, hi; const char *l, *fill; } zones[] = {
		{ 0, 16ULL << 20, "ZONE_DMA", "#d9d9d9" },
		{ 16ULL << 20, 4ULL << 30, "ZONE_DMA32", "#ececec" },
		{ 4ULL << 30, 1ULL << 40, "ZONE_NORMAL", "#f7f7f7" },
	};
	unsigned int i;
	int y = s->y;
	char tip[160];

	for (i = 0; i < 3; i++) {
		double x = phys_x(zones[i].lo);

		rect(s, "zone", x, y, phys_x(zones[i].hi) - x, 16,
		     zones[i].fill, NULL);
		text(s, x + 3, y + 12, 10, "start", NULL, "%s", zones[i].l);
	}
	text(s, 10, y + 34, 12, "start", NULL, "physical address");
	line(s, SVG_X0, y + 30, SVG_X1, y + 30, "#333", 1);
	for (i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		double x = phys_x(ticks[i].a);

		line(s, x, y + 30, x, y + 36, "#333", 1);
		text(s, x, y + 47, 10, "middle", "tick", "%s", ticks[i].l);
	}
	for (i = 0; p->segs && i < p->nr_segs; i++) {
		snprintf(tip, sizeof(tip), "segment %u: physical 0x%llx, %llu bytes",
			 i, (unsigned long long)p->segs[i].addr,
			 (unsigned long long)p->segs[i].len);
		phys_mark(s, "phys-mark", p->segs[i].addr, p->segs[i].len,
			  y + 22, 16, "#1f4e79", tip);
	}
	if (!p->segs && (p->info.state & DMALAB_EXP_STATE_ALLOCATED) &&
	    !(p->info.state & DMALAB_EXP_STATE_PHYS_HIDDEN))
		phys_mark(s, "phys-extent", p->info.phys_lo,
			  p->info.phys_hi - p->info.phys_lo + 1, y + 22, 16,
			  "#1f4e79", "the buffer's physical extent");
	s->y += 52;
}

/*
 * Where the buffer's segments are tied from: the log axis, or a linear
 * zoom of the pages' extent when the log axis crowds them into a few
 * pixels (a scattered buffer whose pages all lie within some MiB).
 */
struct svg_fan {
	int y;
	uint64_t zlo, zhi;	/* zoomed range, zhi > zlo; 0, 0 for none */
};

static double fan_x(const struct svg_fan *f, uint64_t a)
{
	if (f->zhi <= f->zlo)
		return phys_x(a);
	return SVG_X0 + (double)(a - f->zlo) / (double)(f->zhi - f->zlo) *
	       (SVG_X1 - SVG_X0);
}

static void draw_zoom(struct svg *s, const struct svg_panel *p, int axis_y,
		      struct svg_fan *f)
{
	uint64_t lo = p->segs[0].addr, hi = 0;
	unsigned int i;
	char tip[160];
	int y = s->y;

	f->y = axis_y + 38;
	for (i = 0; i < p->nr_segs; i++) {
		if (p->segs[i].addr < lo)
			lo = p->segs[i].addr;
		if (p->segs[i].addr + p->segs[i].len > hi)
			hi = p->segs[i].addr + p->segs[i].len;
	}
	if (p->nr_segs < 2 || phys_x(hi) - phys_x(lo) >= 60)
		return;
	f->zlo = lo & ~((1ULL << 20) - 1);
	f->zhi = (hi + (1ULL << 20) - 1) & ~((1ULL << 20) - 1);
	fprintf(s->body, "<g class=\"zoom\">\n");
	fprintf(s->body, "<path d=\"M%.1f %d L%d %d M%.1f %d L%d %d\" stroke=\"#999\" stroke-dasharray=\"4 3\" fill=\"none\"/>\n",
		phys_x(f->zlo), axis_y + 38, SVG_X0, y + 14, phys_x(f->zhi),
		axis_y + 38, SVG_X1, y + 14);
	text(s, 10, y + 26, 11, "start", NULL, "the same, zoomed");
	line(s, SVG_X0, y + 28, SVG_X1, y + 28, "#333", 1);
	for (i = 0; i < p->nr_segs; i++) {
		double x = fan_x(f, p->segs[i].addr);
		double w = fan_x(f, p->segs[i].addr + p->segs[i].len) - x;

		snprintf(tip, sizeof(tip), "segment %u at physical 0x%llx",
			 i, (unsigned long long)p->segs[i].addr);
		rect(s, "zoom-mark", x, y + 14, w < 1 ? 1 : w, 14, "#1f4e79",
		     tip);
	}
	text(s, SVG_X0, y + 40, 10, "start", "tick", "0x%llx",
	     (unsigned long long)f->zlo);
	text(s, SVG_X1, y + 40, 10, "end", "tick", "0x%llx (linear scale)",
	     (unsigned long long)f->zhi);
	fputs("</g>\n", s->body);
	f->y = y + 28;
	s->y += 46;
}

/* The buffer by offset, each segment a block tied to its place above. */
static void draw_buffer(struct svg *s, const struct svg_panel *p,
			const struct svg_fan *f)
{
	uint64_t len = p->info.len, off = 0;
	char tip[160], b[32];
	unsigned int i;
	int y = s->y + 48;

	text(s, 10, y + 16, 12, "start", NULL, "buffer, by offset");
	if (!p->segs) {
		rect(s, "extent", SVG_X0, y, SVG_X1 - SVG_X0, 24, "#bbbbbb",
		     NULL);
		text(s, SVG_X0 + 6, y + 16, 11, "start", "note", "%s",
		     p->segs_note);
	}
	for (i = 0; p->segs && i < p->nr_segs; i++) {
		const struct svg_range *g = &p->segs[i];
		double x = off_x(off, len), w = off_x(off + g->len, len) - x;

		if (p->nr_segs <= SVG_MAX_FANS)
			line(s, fan_x(f, g->addr + g->len / 2), f->y,
			     x + w / 2, y, "#7f9fbf", 0.8);
		snprintf(tip, sizeof(tip), "segment %u: offset %llu, physical 0x%llx, %llu bytes",
			 i, (unsigned long long)off, (unsigned long long)g->addr,
			 (unsigned long long)g->len);
		fprintf(s->body, "<g>\n");
		rect(s, "segment", x, y, w < 1 ? 1 : w, 24,
		     i % 2 ? "#6f9fd8" : "#1f4e79", tip);
		if (w >= 84)
			text(s, x + w / 2, y + 16, 10, "middle", "segment-label",
			     "0x%llx", (unsigned long long)g->addr);
		fprintf(s->body, "</g>\n");
		off += g->len;
	}
	if (p->segs && p->nr_segs > SVG_MAX_FANS)
		text(s, SVG_X1, y - 6, 10, "end", NULL,
		     "(%u segments: lines to the axis not drawn)", p->nr_segs);
	text(s, SVG_X0, y + 36, 10, "start", NULL, "offset 0");
	text(s, SVG_X1, y + 36, 10, "end", NULL, "%s",
	     size_str(len, b, sizeof(b)));
	s->y = y + 46;
}

/* DMA-contiguous runs of entries: behind an IOMMU, the IOVA ranges. */
static void draw_runs(struct svg *s, const struct svg_dev *d, uint64_t len,
		      int y, const char *color)
{
	unsigned int k = 0, j;
	uint64_t off = 0, roff;

	while (k < d->nr_ents) {
		uint64_t lo = d->ents[k].addr, end = lo + d->ents[k].len;

		roff = off;
		off += d->ents[k].len;
		for (j = k + 1; j < d->nr_ents && d->ents[j].addr == end; j++) {
			end += d->ents[j].len;
			off += d->ents[j].len;
		}
		fprintf(s->body, "<g class=\"iova-range\">\n");
		line(s, off_x(roff, len) + 1, y, off_x(off, len) - 1, y, color, 3);
		if (off_x(off, len) - off_x(roff, len) >= 200)
			text(s, (off_x(roff, len) + off_x(off, len)) / 2, y + 12,
			     10, "middle", NULL, "IOVA 0x%llx-0x%llx",
			     (unsigned long long)lo,
			     (unsigned long long)(end - 1));
		fputs("</g>\n", s->body);
		k = j;
	}
}

static void draw_sg(struct svg *s, const struct svg_dev *d, int i,
		    uint64_t len)
{
	const char *color = dev_colors[i % 6];
	uint64_t off = 0, total = 0;
	unsigned int k;
	char tip[160];
	int y = s->y;

	for (k = 0; k < d->nr_ents; k++)
		total += d->ents[k].len;
	if (total > len)
		len = total;
	fprintf(s->body, "<g class=\"sg-row\">\n");
	text(s, 10, y + 12, 11, "start", "sg-row-label", "%s", d->label);
	text(s, 10, y + 26, 10, "start", NULL, "%u sg entr%s, DMA = %s",
	     d->nr_ents, d->nr_ents == 1 ? "y" : "ies",
	     d->iommu ? "IOVA" : d->copy ? "its copy" : "physical");
	for (k = 0; k < d->nr_ents; k++) {
		double x = off_x(off, len), w = off_x(off + d->ents[k].len, len) - x;

		snprintf(tip, sizeof(tip), "%s sg entry %u: DMA 0x%llx, %llu bytes",
			 d->label, k, (unsigned long long)d->ents[k].addr,
			 (unsigned long long)d->ents[k].len);
		fprintf(s->body, "<g>\n");
		fprintf(s->body, "<rect class=\"sg-entry\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\" fill-opacity=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\"><title>",
			x, y, w < 1 ? 1 : w, color, k % 2 ? "0.55" : "0.9");
		esc(s->body, tip);
		fputs("</title></rect>\n", s->body);
		if (w >= 84)
			text(s, x + w / 2, y + 14, 10, "middle", "sg-label",
			     "0x%llx", (unsigned long long)d->ents[k].addr);
		fputs("</g>\n", s->body);
		off += d->ents[k].len;
	}
	if (d->iommu)
		draw_runs(s, d, len, y + 26, color);
	fputs("</g>\n", s->body);
	s->y += d->iommu ? 48 : 34;
}

/**
 * svg_new() - a new, empty picture
 * @title: its heading
 *
 * Return: the picture, or NULL when out of memory.
 */
struct svg *svg_new(const char *title)
{
	struct svg *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->body = open_memstream(&s->buf, &s->len);
	if (!s->body) {
		free(s);
		return NULL;
	}
	s->y = 20 + text_lines(s, 10, 24, 17, 95, "heading", title) * 21;
	return s;
}

/**
 * svg_panel() - draw the buffer at one moment, below what is drawn
 * @s: the picture
 * @p: what to draw
 */
void svg_panel(struct svg *s, const struct svg_panel *p)
{
	const struct dmalab_exp_info *in = &p->info;
	char b[32];
	unsigned int i;
	struct svg_fan fan = { 0 };
	int axis_y;

	fprintf(s->body, "<g class=\"panel\">\n");
	line(s, 10, s->y, SVG_W - 10, s->y, "#999", 1);
	s->y += (text_lines(s, 10, s->y + 20, 14, 115, "panel-title",
			    p->title) - 1) * 18;
	if (!(in->state & DMALAB_EXP_STATE_ALLOCATED))
		text(s, 10, s->y + 38, 11, "start", "summary",
		     "%s, %s, %s: no pages yet (deferred until the first use)",
		     size_str(in->len, b, sizeof(b)),
		     placement_name(in->placement), timing_name(in->timing));
	else if (in->state & DMALAB_EXP_STATE_PHYS_HIDDEN)
		text(s, 10, s->y + 38, 11, "start", "summary",
		     "%s, %s, %s: %u physical segments (addresses need root)",
		     size_str(in->len, b, sizeof(b)),
		     placement_name(in->placement), timing_name(in->timing),
		     in->nr_segments);
	else
		text(s, 10, s->y + 38, 11, "start", "summary",
		     "%s, %s, %s: %u physical segment%s, phys 0x%llx-0x%llx",
		     size_str(in->len, b, sizeof(b)),
		     placement_name(in->placement), timing_name(in->timing),
		     in->nr_segments, in->nr_segments == 1 ? "" : "s",
		     (unsigned long long)in->phys_lo,
		     (unsigned long long)in->phys_hi);
	text(s, 10, s->y + 54, 11, "start", "summary",
	     "pages must lie in 0x%llx-0x%llx; %u migration%s; %u device cop%s, %llu copied in, %llu back",
	     (unsigned long long)in->range_lo, (unsigned long long)in->range_hi,
	     in->nr_migrations, in->nr_migrations == 1 ? "" : "s",
	     in->nr_copy_attach, in->nr_copy_attach == 1 ? "y" : "ies",
	     (unsigned long long)in->nr_copy_in,
	     (unsigned long long)in->nr_copy_out);
	s->y += 64;
	for (i = 0; i < p->nr_devs; i++)
		draw_reach(s, &p->devs[i], i);
	axis_y = s->y;
	draw_axis(s, p);
	if (p->segs)
		draw_zoom(s, p, axis_y, &fan);
	draw_buffer(s, p, &fan);
	for (i = 0; i < p->nr_devs; i++)
		if (p->devs[i].ents)
			draw_sg(s, &p->devs[i], i, in->len);
	fputs("</g>\n", s->body);
	s->y += 8;
}

static void legend(struct svg *s)
{
	static const struct { const char *fill, *l; } keys[] = {
		{ "#1f4e79", "a physical segment of the buffer" },
		{ "#e15759", "a device's reach (mask, window); marks: its DMA addresses without IOMMU" },
		{ "#59a14f", "a device's sg entries by buffer offset; thick line under: one IOVA range" },
	};
	struct utsname u;
	unsigned int i;
	int y = s->y + 8;

	line(s, 10, s->y, SVG_W - 10, s->y, "#999", 1);
	for (i = 0; i < 3; i++) {
		rect(s, "legend", 10, y + i * 18, 14, 12, keys[i].fill, NULL);
		text(s, 30, y + i * 18 + 10, 11, "start", NULL, "%s", keys[i].l);
	}
	uname(&u);
	text(s, 10, y + 66, 10, "start", NULL,
	     "Physical axis: log scale, each doubling of the address above 1 MiB the same width. Buffer rows: linear, by offset. Drawn by dmalab on Linux %s.",
	     u.release);
	s->y = y + 76;
}

/**
 * svg_save() - finish the picture, write it to a file and free it
 * @s: the picture
 * @path: the file
 *
 * Return: 0 or -errno.
 */
int svg_save(struct svg *s, const char *path)
{
	FILE *f;
	int ret = 0;

	legend(s);
	if (fclose(s->body))
		ret = -ENOMEM;
	f = ret ? NULL : fopen(path, "w");
	if (!ret && !f)
		ret = -errno;
	if (f) {
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
			SVG_W, s->y, SVG_W, s->y);
		fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n");
		fwrite(s->buf, 1, s->len, f);
		fputs("</svg>\n", f);
		if (fclose(f))
			ret = -errno;
	}
	free(s->buf);
	free(s);
	return ret;
}
