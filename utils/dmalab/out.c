// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab tool: output as text ("key: value" lines; array items one row of
 * key=value each) or, with --json, as one JSON object on one line.
 */
#include <stdio.h>

#include "cli.h"

static void out_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* Start a field: separator and key. */
static void out_key(struct cli *c, const char *key)
{
	if (c->json) {
		if (!c->first[c->depth])
			putchar(',');
		c->first[c->depth] = 0;
		if (key) {
			out_json_str(key);
			putchar(':');
		}
		return;
	}
	if (c->in_row) {
		printf("%s%s=", c->first[c->depth] ? "" : " ", key);
		c->first[c->depth] = 0;
	} else {
		printf("%-16s ", key);
		c->first[c->depth] = 0;
	}
}

static void out_eol(struct cli *c)
{
	if (!c->json && !c->in_row)
		putchar('\n');
}

static void out_push(struct cli *c, char open)
{
	if (c->json)
		putchar(open);
	c->depth++;
	c->first[c->depth] = 1;
}

static void out_pop(struct cli *c, char close)
{
	c->depth--;
	if (c->json)
		putchar(close);
}

void out_begin(struct cli *c)
{
	c->depth = 0;
	c->first[0] = 1;
	out_push(c, '{');
}

void out_end(struct cli *c)
{
	out_pop(c, '}');
	if (c->json)
		putchar('\n');
	fflush(stdout);
}

void out_u64(struct cli *c, const char *key, uint64_t v)
{
	out_key(c, key);
	printf("%llu", (unsigned long long)v);
	out_eol(c);
}

void out_i64(struct cli *c, const char *key, int64_t v)
{
	out_key(c, key);
	printf("%lld", (long long)v);
	out_eol(c);
}

/* JSON has no hex: addresses are strings there, so both forms read alike. */
void out_hex(struct cli *c, const char *key, uint64_t v)
{
	out_key(c, key);
	printf(c->json ? "\"0x%llx\"" : "0x%llx", (unsigned long long)v);
	out_eol(c);
}

void out_str(struct cli *c, const char *key, const char *v)
{
	out_key(c, key);
	if (c->json)
		out_json_str(v);
	else
		fputs(v, stdout);
	out_eol(c);
}

void out_bool(struct cli *c, const char *key, int v)
{
	out_key(c, key);
	fputs(v ? (c->json ? "true" : "yes") : (c->json ? "false" : "no"),
	      stdout);
	out_eol(c);
}

void out_ms(struct cli *c, const char *key, double ms)
{
	out_key(c, key);
	printf("%.3f", ms);
	out_eol(c);
}

void out_array_begin(struct cli *c, const char *key)
{
	out_key(c, key);
	if (!c->json)
		fputs(c->in_row ? "[" : "\n", stdout);
	out_push(c, '[');
}

void out_array_end(struct cli *c)
{
	out_pop(c, ']');
	if (!c->json && c->in_row)
		putchar(']');
}

void out_obj_begin(struct cli *c)
{
	if (c->json) {
		if (!c->first[c->depth])
			putchar(',');
		c->first[c->depth] = 0;
	}
	out_push(c, '{');
	if (!c->json)
		fputs(c->in_row++ ? "{ " : "  ", stdout);
}

void out_obj_end(struct cli *c)
{
	out_pop(c, '}');
	if (!c->json) {
		if (c->in_row > 1)
			fputs(" }", stdout);
		c->in_row--;
		if (!c->in_row)
			putchar('\n');
	}
}

/* A named nested object: in text, its fields print as one indented row. */
void out_obj_key_begin(struct cli *c, const char *key)
{
	out_key(c, key);
	out_push(c, '{');
	if (!c->json)
		fputs(c->in_row++ ? "{ " : "", stdout);
}
