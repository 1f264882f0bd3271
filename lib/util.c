// SPDX-License-Identifier: LGPL-2.1-or-later
/* libdmalab: parsing sizes, hashing like the importer does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static int dmalab_suffix_shift(const char *s)
{
	static const char * const units[] = { "", "K", "M", "G", "T" };
	unsigned int i;

	for (i = 0; i < DMALAB_ARRAY_SIZE(units); i++) {
		size_t n = strlen(units[i]);

		if (strncasecmp(s, units[i], n))
			continue;
		if (!s[n] || (n && (!strcasecmp(s + n, "iB") ||
				    !strcasecmp(s + n, "B"))))
			return 10 * i;
	}
	return -1;
}

int dmalab_parse_size(const char *s, uint64_t *out, struct dmalab_err *err)
{
	unsigned long long v;
	char *end;
	int shift;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return dmalab_err_set(err, EINVAL, "size '%s' is not a number",
				   s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s)
		return dmalab_err_set(err, EINVAL, "size '%s' is not a number", s);
	if (errno)
		return dmalab_err_set(err, ERANGE, "size '%s'", s);
	shift = dmalab_suffix_shift(end);
	if (shift < 0)
		return dmalab_err_set(err, EINVAL,
				   "size '%s': unknown suffix '%s' (use K, M or G)",
				   s, end);
	if (shift && v > (UINT64_MAX >> shift))
		return dmalab_err_set(err, ERANGE, "size '%s'", s);
	*out = (uint64_t)v << shift;
	return 0;
}

uint64_t dmalab_fnv1a64(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;

	while (len--) {
		h ^= *b++;
		h *= DMALAB_IMP_FNV_PRIME;
	}
	return h;
}
