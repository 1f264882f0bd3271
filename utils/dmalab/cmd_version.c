// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab version (and dmalab --version): the tool's version, the UAPI its
 * headers define and the UAPI each loaded module speaks.
 */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

#ifndef DMALAB_VERSION
#define DMALAB_VERSION	"unknown"
#endif

static struct cli_opt version_opts[] = {
	OPT_END,
};

/*
 * "MAJOR.MINOR" of the module behind @fd (from @get), or why there is none:
 * the module is not loaded, or older than UAPI 1.0 (no VERSION ioctl).
 */
static void version_module(struct cli *c, const char *key, int fd,
			   int (*get)(int fd, uint32_t *major, uint32_t *minor,
				      struct dmalab_err *err))
{
	char v[DMALAB_ERR_LEN + 16];
	uint32_t major, minor;

	if (fd < 0)
		snprintf(v, sizeof(v), "unavailable (%s)", c->err.msg);
	else if (get(fd, &major, &minor, &c->err))
		snprintf(v, sizeof(v), "unknown (%s)", c->err.msg);
	else
		snprintf(v, sizeof(v), "%u.%u", major, minor);
	out_str(c, key, v);
}

static int version_exp(int fd, uint32_t *major, uint32_t *minor,
		       struct dmalab_err *err)
{
	struct dmalab_exp_version v;
	int ret = dmalab_exp_get_version(fd, &v, err);

	*major = v.major;
	*minor = v.minor;
	return ret;
}

static int version_imp(int fd, uint32_t *major, uint32_t *minor,
		       struct dmalab_err *err)
{
	struct dmalab_imp_version v;
	int ret = dmalab_imp_get_version(fd, &v, err);

	*major = v.major;
	*minor = v.minor;
	return ret;
}

static int version_run(struct cli *c)
{
	char uapi[24];
	int exp, imp;

	if (cli_no_args(c))
		return 2;
	snprintf(uapi, sizeof(uapi), "%u.%u", DMALAB_EXP_VERSION_MAJOR,
		 DMALAB_EXP_VERSION_MINOR);
	out_begin(c);
	out_str(c, "dmalab", DMALAB_VERSION);
	out_str(c, "uapi", uapi);
	exp = open_exp(c);
	version_module(c, "dmalab_exp_uapi", exp, version_exp);
	if (exp >= 0)
		close(exp);
	imp = open_imp(c);
	version_module(c, "dmalab_imp_uapi", imp, version_imp);
	if (imp >= 0)
		close(imp);
	out_end(c);
	return 0;
}

const struct cli_cmd cmd_version = {
	.name = "version",
	.usage = "",
	.summary = "the tool's version and the UAPI version of each module",
	.details = "uapi is the interface the tool was built for; each module\n"
		   "says which one it speaks (DMALAB_*_IOC_VERSION).\n"
		   "Also: dmalab --version.",
	.opts = version_opts,
	.run = version_run,
};
