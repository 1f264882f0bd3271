#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# checker-valid.sh CHECK [FLAGS...]: print 1 when the checker (sparse) parses
# the C of kernels from 6.14 on (__typeof_unqual__), else 0. Their Makefile
# runs scripts/checker-valid.sh before C=1/C=2, but Debian's kbuild packages
# do not ship it; vm/fetch-kernel puts this one in its place.
command -v "$1" >/dev/null 2>&1 || { echo 0; exit 0; }
src=$(mktemp --suffix=.c) || exit 1
trap 'rm -f "$src"' EXIT
printf 'static int f(const int *p) { __typeof_unqual__(*p) v = *p; return v; }\n' >"$src"
# sparse exits 0 on errors: judge by what it prints
if "$@" "$src" 2>&1 | grep -q error; then echo 0; else echo 1; fi
