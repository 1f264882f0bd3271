#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The exporter's KUnit suites (kunit/): load dmalab_kunit, which runs them
# as it loads, and report each case of each suite from its KTAP results in
# debugfs, then unload it. The module is built only for kernels with KUnit
# (the debug lane's); on a kernel without KUnit the one test is skipped with
# that reason, on a kernel with KUnit a missing module fails.
ko=/lib/dmalab/dmalab_kunit.ko
suites="dmalab_exp_sgt dmalab_exp_reach dmalab_exp_place dmalab_exp_import"
dir=/sys/kernel/debug/kunit

if [ ! -e "$ko" ]; then
	echo "1..1"
	if [ -d "$dir" ] || [ -d /sys/module/kunit ]; then
		echo "not ok 1 - kunit_suites: the kernel has KUnit but $ko was not built"
	else
		echo "ok 1 - kunit_suites # SKIP the kernel has no KUnit (CONFIG_KUNIT: stock Debian kernels have none; the debug lane's have it)"
	fi
	exit 0
fi

out=$(insmod "$ko" 2>&1)
rc=$?
[ -n "$out" ] && echo "$out" | sed 's/^/# insmod: /'
n=0
for s in $suites; do
	if [ $rc != 0 ] || [ ! -r "$dir/$s/results" ]; then
		n=$((n + 1))
		echo "not ok $n - $s: no results (insmod status $rc)"
		continue
	fi
	# Cases are the results one level in; everything else is a comment.
	awk -v suite="$s" -v n="$n" '
		/^    (not )?ok [0-9]+ / {
			verdict = ($1 == "not") ? "not ok" : "ok"
			line = $0
			sub(/^    (not )?ok [0-9]+ (- )?/, "", line)
			print verdict " " ++n " - " suite "." line
			next
		}
		{ print "# " suite ": " $0 }
		END { print n > "/tmp/kunit.n" }' "$dir/$s/results"
	n=$(cat /tmp/kunit.n)
done
if [ $rc = 0 ]; then
	n=$((n + 1))
	if rmmod dmalab_kunit; then
		echo "ok $n - kunit_module_unloads"
	else
		echo "not ok $n - kunit_module_unloads"
	fi
fi
rm -f /tmp/kunit.n
echo "1..$n"
