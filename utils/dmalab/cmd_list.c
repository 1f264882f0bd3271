// SPDX-License-Identifier: GPL-2.0
/*
 * dmalab list: the exporter's live buffers (its debugfs file), dmalab
 * devices: the importer's DMA devices and their limits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LIST_FILE	"/sys/kernel/debug/dmalab_exp/buffers"
#define LIST_MAX_DEVS	32

static struct cli_opt list_opts[] = {
	OPT_END,
};

/* "key value key value ..." after the leading word, as fields of a row. */
static void list_fields(struct cli *c, char *line)
{
	char *save, *tok, *key = NULL;

	tok = strtok_r(line, " \n", &save);	/* "buf" or "attach" */
	if (tok && !strcmp(tok, "attach"))
		out_str(c, "dev", strtok_r(NULL, " \n", &save) ?: "");
	while ((tok = strtok_r(NULL, " \n", &save))) {
		if (!key && (!strcmp(tok, "scatter") || !strcmp(tok, "contig"))) {
			out_str(c, "placement", tok);
		} else if (!key && (!strcmp(tok, "eager") || !strcmp(tok, "deferred"))) {
			out_str(c, "timing", tok);
		} else if (!key && (!strcmp(tok, "unallocated") ||
				    !strcmp(tok, "iommu") || !strcmp(tok, "copy"))) {
			out_bool(c, tok, 1);
		} else if (!key && !strcmp(tok, "mapped")) {
			out_str(c, "mapped", strtok_r(NULL, " \n", &save) ?: "");
		} else if (!key) {
			key = tok;
		} else {
			if (*tok == '\'') {
				size_t n = strlen(tok);

				tok[n - 1 > 0 && tok[n - 1] == '\'' ? n - 1 : n] = '\0';
				tok++;
			}
			out_str(c, key, tok);
			key = NULL;
		}
	}
}

static int list_run(struct cli *c)
{
	char line[512];
	int nbuf = 0, in_buf = 0;
	FILE *f;

	if (cli_no_args(c))
		return 2;
	f = fopen(LIST_FILE, "r");
	if (!f)
		return cli_fail(c, "open %s: %s (is debugfs mounted, are you root?)",
				LIST_FILE, strerror(errno));
	out_begin(c);
	out_array_begin(c, "buffers");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "buf ", 4)) {
			if (in_buf) {
				out_array_end(c);
				out_obj_end(c);
			}
			out_obj_begin(c);
			list_fields(c, line);
			out_array_begin(c, "attachments");
			in_buf = 1;
			nbuf++;
		} else if (!strncmp(line, "  attach ", 9) && in_buf) {
			out_obj_begin(c);
			list_fields(c, line + 2);
			out_obj_end(c);
		}
	}
	if (in_buf) {
		out_array_end(c);
		out_obj_end(c);
	}
	out_array_end(c);
	out_u64(c, "count", nbuf);
	out_end(c);
	fclose(f);
	return 0;
}

const struct cli_cmd cmd_list = {
	.name = "list",
	.usage = "",
	.summary = "list the exporter's live buffers (from its debugfs file)",
	.opts = list_opts,
	.run = list_run,
};

static struct cli_opt devices_opts[] = {
	OPT_END,
};

static int devices_run(struct cli *c)
{
	uint32_t ids[LIST_MAX_DEVS];
	struct dmalab_imp_dev_info info;
	struct dmalab_imp_version v;
	int imp, n, i, edu = 0;
	char alias[16], uapi[24] = "";

	if (cli_no_args(c))
		return 2;
	imp = open_imp(c);
	if (imp < 0)
		return cli_lib_fail(c);
	n = dmalab_imp_list_devs(imp, ids, LIST_MAX_DEVS, &c->err);
	if (n < 0)
		goto fail;
	/* The interface the module speaks; modules before 1.0 cannot say. */
	if (!dmalab_imp_get_version(imp, &v, NULL))
		snprintf(uapi, sizeof(uapi), "%u.%u", v.major, v.minor);
	out_begin(c);
	out_array_begin(c, "devices");
	for (i = 0; i < n && i < LIST_MAX_DEVS; i++) {
		if (dmalab_imp_get_dev_info(imp, ids[i], &info, &c->err))
			goto fail;
		out_obj_begin(c);
		out_u64(c, "id", ids[i]);
		if (info.kind == DMALAB_IMP_KIND_EDU) {
			snprintf(alias, sizeof(alias), "edu%d%s", edu,
				 edu < 2 ? (edu ? "/B" : "/A") : "");
			edu++;
			out_str(c, "alias", alias);
		}
		out_str(c, "name", info.name);
		out_str(c, "kind", info.kind == DMALAB_IMP_KIND_EDU ? "edu" : "sim");
		out_u64(c, "dma_bits", info.dma_mask_bits);
		out_hex(c, "dma_mask", info.dma_mask);
		out_u64(c, "max_seg", info.max_seg_size);
		out_hex(c, "seg_boundary", info.seg_boundary_mask);
		out_u64(c, "max_xfer", info.max_xfer);
		out_bool(c, "iommu", info.dev_flags & DMALAB_IMP_DEV_IOMMU);
		if (info.dev_flags & DMALAB_IMP_DEV_WINDOW) {
			out_hex(c, "win_phys", info.win_phys_start);
			out_hex(c, "win_size", info.win_size);
		}
		out_obj_end(c);
	}
	out_array_end(c);
	out_u64(c, "count", n);
	if (*uapi)
		out_str(c, "uapi_version", uapi);
	out_end(c);
	close(imp);
	return 0;
fail:
	close(imp);
	return cli_lib_fail(c);
}

const struct cli_cmd cmd_devices = {
	.name = "devices",
	.usage = "",
	.summary = "list the importer's DMA devices and their limits",
	.opts = devices_opts,
	.run = devices_run,
};
