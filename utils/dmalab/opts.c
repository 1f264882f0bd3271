// SPDX-License-Identifier: GPL-2.0
/* dmalab tool: reading a command's options, errors on one line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct cli_opt *cli_opt(struct cli *c, const char *name)
{
	struct cli_opt *o;

	for (o = c->cmd->opts; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* The last value given, or @def. */
const char *cli_str(struct cli *c, const char *name, const char *def)
{
	struct cli_opt *o = cli_opt(c, name);

	return o && o->n ? o->vals[o->n - 1] : def;
}

int cli_flag(struct cli *c, const char *name)
{
	struct cli_opt *o = cli_opt(c, name);

	return o && o->n;
}

int cli_u64(struct cli *c, const char *name, uint64_t def, uint64_t *out)
{
	const char *s = cli_str(c, name, NULL);
	unsigned long long v;
	char *end;

	*out = def;
	if (!s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *s == '-' || *end || errno)
		return cli_usage(c, "--%s: '%s' is not a number", name, s);
	*out = v;
	return 0;
}

int cli_size(struct cli *c, const char *name, uint64_t def, uint64_t *out)
{
	const char *s = cli_str(c, name, NULL);

	*out = def;
	if (!s)
		return 0;
	if (dmalab_parse_size(s, out, &c->err))
		return cli_usage(c, "--%s: %s", name, c->err.msg);
	return 0;
}

/* A number that must fit a byte, such as a fill pattern. */
int cli_byte(struct cli *c, const char *name, uint8_t def, uint8_t *out)
{
	uint64_t v;
	int ret = cli_u64(c, name, def, &v);

	if (ret)
		return ret;
	if (v > 255)
		return cli_usage(c, "--%s: %llu is not a byte", name,
				 (unsigned long long)v);
	*out = v;
	return 0;
}

/*
 * With --pid PID: the buffer is fd N of that process, taken with
 * pidfd_getfd(2); the local duplicate is returned. -1 after a message.
 */
static int cli_owner_fd(struct cli *c, const char *pid_s, int fd)
{
	char *end;
	long pid;
	int nfd;

	errno = 0;
	pid = strtol(pid_s, &end, 10);
	if (!*pid_s || *end || errno || pid <= 0 || pid > 1 << 22) {
		cli_usage(c, "--pid: '%s' is not a process id", pid_s);
		return -1;
	}
	nfd = dmalab_pidfd_getfd((int)pid, fd, &c->err);
	if (nfd < 0) {
		c->owner_failed = 1;
		cli_lib_fail(c);
		return -1;
	}
	c->owner_pid = (int)pid;
	c->owner_fd = fd;
	return nfd;
}

/* The buffer fd: --NAME N, else $DMABUF_FD; of process --pid if given. */
int cli_buf_fd(struct cli *c, const char *name)
{
	const char *pid_s = cli_str(c, "pid", NULL);

	const char *s = cli_str(c, name, NULL);
	const char *what = s ? name : "DMABUF_FD";
	long v;
	char *end;

	if (pid_s && !s) {
		cli_usage(c, "--pid needs --%s N: the buffer's fd number in that process (see dmalab ps)",
			  name);
		return -1;
	}
	if (!s)
		s = getenv("DMABUF_FD");
	if (!s || !*s) {
		cli_usage(c, "no buffer: give --%s N or set DMABUF_FD "
			  "(see 'dmalab alloc --exec')", name);
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < 0 || v > 1 << 20) {
		cli_usage(c, "%s%s: '%s' is not a file descriptor number",
			  s == getenv("DMABUF_FD") ? "" : "--", what, s);
		return -1;
	}
	return pid_s ? cli_owner_fd(c, pid_s, (int)v) : (int)v;
}

int cli_choice(struct cli *c, const char *name, const char *const *choices,
	       int def)
{
	const char *s = cli_str(c, name, NULL);
	char list[256] = "";
	int i;

	if (!s)
		return def;
	for (i = 0; choices[i]; i++) {
		if (!strcmp(s, choices[i]))
			return i;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", choices[i]);
	}
	cli_usage(c, "--%s: '%s' is not one of %s", name, s, list);
	return -1;
}

/* --pattern BYTE or seq[:SEED]; 0 or the exit status. */
int cli_pattern(struct cli *c, const char *name, int *seq, uint32_t *val)
{
	const char *s = cli_str(c, name, "seq");
	unsigned long v = 0;
	char *end;

	*seq = !strncmp(s, "seq", 3);
	if (*seq) {
		if (s[3] && s[3] != ':')
			goto bad;
		if (s[3]) {
			v = strtoul(s + 4, &end, 0);
			if (!s[4] || *end)
				goto bad;
		}
		*val = (uint32_t)v;
		return 0;
	}
	v = strtoul(s, &end, 0);
	if (!*s || *end || v > 255)
		goto bad;
	*val = (uint32_t)v;
	return 0;
bad:
	return cli_usage(c, "--%s: '%s' is neither a byte (0..255) nor seq[:SEED]",
			 name, s);
}

static void cli_vmsg(struct cli *c, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "dmalab %s: ", c->cmd ? c->cmd->name : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A failure of the operation: exit status 1. */
int cli_fail(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg(c, fmt, ap);
	va_end(ap);
	return 1;
}

/* Wrong input: exit status 2. */
int cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmsg(c, fmt, ap);
	va_end(ap);
	return 2;
}

/* For commands that take options only: 0, or 2 after a usage error. */
int cli_no_args(struct cli *c)
{
	if (!c->argc)
		return 0;
	return cli_usage(c, "unexpected argument '%s'", c->argv[0]);
}

int cli_lib_fail(struct cli *c)
{
	return cli_fail(c, "%s", c->err.msg);
}

/* Percent done on stderr, for long operations on a terminal only. */
void cli_progress(uint64_t done, uint64_t total)
{
	if (total >= (64ULL << 20) && isatty(2))
		fprintf(stderr, "\r%3llu%%%s",
			(unsigned long long)(done * 100 / total),
			done == total ? "\n" : "");
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

const char *placement_name(uint32_t p)
{
	return p == DMALAB_EXP_PLACE_CONTIG ? "contig" : "scatter";
}

const char *timing_name(uint32_t t)
{
	return t == DMALAB_EXP_TIMING_DEFERRED ? "deferred" : "eager";
}

const char *dir_name(uint32_t d)
{
	static const char *const names[] = { "bidir", "to-device", "from-device" };

	return d < 3 ? names[d] : "none";
}

int open_exp(struct cli *c)
{
	return dmalab_exp_open(&c->err);
}

int open_imp(struct cli *c)
{
	return dmalab_imp_open(&c->err);
}
