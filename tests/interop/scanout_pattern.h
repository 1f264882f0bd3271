/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The picture tests/interop/scanout.c draws into our buffer, as XRGB8888.
 * vm/scanout-compare computes the same formula on the host and compares
 * QEMU's screendump with it pixel by pixel: change both together.
 */
#ifndef SCANOUT_PATTERN_H
#define SCANOUT_PATTERN_H

#include <stdint.h>

#define SCANOUT_W	640
#define SCANOUT_H	480

/*
 * A white frame one pixel wide (an offset or a cut edge shows), eight
 * colour bars in the top quarter, and below them red rising to the right,
 * green rising downwards and blue as x XOR y: every pixel differs from its
 * neighbours in some channel, so a shift by one pixel shows too.
 */
static inline uint32_t scanout_pattern(int x, int y)
{
	static const uint32_t bars[8] = {
		0xffffff, 0xffff00, 0x00ffff, 0x00ff00,
		0xff00ff, 0xff0000, 0x0000ff, 0x000000,
	};
	uint32_t r, g, b;

	if (x == 0 || y == 0 || x == SCANOUT_W - 1 || y == SCANOUT_H - 1)
		return 0xffffff;
	if (y < SCANOUT_H / 4)
		return bars[x * 8 / SCANOUT_W];
	r = x * 255 / (SCANOUT_W - 1);
	g = y * 255 / (SCANOUT_H - 1);
	b = (x ^ y) & 0xff;
	return r << 16 | g << 8 | b;
}

#endif
