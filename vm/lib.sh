# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the VM bench scripts; sourced, never run.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/.." && pwd)
BUILD=${DMALAB_BUILD:-$TOP/build}

note() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# Series named in kernels.conf, in order ("newest" included).
kernel_series() {
	awk '!/^#/ && NF == 2 { print $1 }' "$VM_DIR/kernels.conf"
}

# Suites of suites.conf, and the release whose toolchain builds for one.
suite_names() { awk '!/^#/ && NF == 2 { print $1 }' "$VM_DIR/suites.conf"; }
suite_release() {
	awk -v s="$1" '!/^#/ && $1 == s { print $2 }' "$VM_DIR/suites.conf"
}

# The archive the host's apt reads its own release from: the private apt
# configuration reads the other suites from the same place.
archive_uri() {
	local codename
	codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 'Identifier: Packages' 2>/dev/null |
		awk -v r="$codename" '$2 == r { print $1; exit }'
}

# apt_private apt-get|apt-cache ARG...: apt with its own sources, lists and
# cache under build/apt, for the suites of suites.conf that are not the
# host's. The lists are fetched on first use and refreshed after six hours.
# Signatures are checked, expiry dates not: the archive may serve a suite
# frozen at a date (sid's Release was found past its Valid-Until).
APT_DIR=$BUILD/apt
apt_private() {
	local tool=$1
	shift
	"$tool" -o Dir::Etc::SourceList="$APT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null \
		-o Dir::Etc::PreferencesParts=/dev/null -o Dir::State="$APT_DIR/state" \
		-o Dir::State::Lists="$APT_DIR/lists" -o Dir::State::status="$APT_DIR/status" \
		-o Dir::Cache="$APT_DIR/cache" -o APT::Architecture=amd64 \
		-o APT::Architectures=amd64 -o APT::Sandbox::User=root \
		-o Acquire::Check-Valid-Until=false "$@"
}
apt_private_update() {
	local uri s rel list=$APT_DIR/sources.list.new
	if [ -f "$APT_DIR/updated" ] && [ -z "$(find "$APT_DIR/updated" -mmin +360)" ]; then
		return 0
	fi
	uri=$(archive_uri)
	[ -n "$uri" ] || die "cannot tell which package archive the host's apt uses"
	mkdir -p "$APT_DIR"/{lists/partial,cache/archives/partial,state}
	: >"$list"
	for s in $(suite_names); do
		rel=$(suite_release "$s")
		[ "$rel" = host ] && continue
		echo "deb $uri $s main" >>"$list"
		[ "$rel" = "$s" ] || echo "deb $uri $rel main" >>"$list"
	done
	sort -u "$list" >"$APT_DIR/sources.list" && rm -f "$list"
	touch "$APT_DIR/status"
	apt_private apt-get update >"$APT_DIR/update.log" 2>&1 ||
		die "apt-get update of the private suites failed (log: $APT_DIR/update.log)"
	touch "$APT_DIR/updated"
}

# Where the packages of ABI come from: "host" (the host's apt), or the suite
# of suites.conf that holds its headers.
kernel_suite() {
	local abi=$1 s
	if [ -f "$(kernel_dir "$abi")/suite" ]; then
		cat "$(kernel_dir "$abi")/suite"
		return
	fi
	# a kernel built by vm/build-kernel
	if [ -f "$(kernel_dir "$abi")/.unpacked" ]; then
		echo "a local build"
		return
	fi
	if apt-cache show "linux-headers-$abi" >/dev/null 2>&1; then
		echo host
		return
	fi
	apt_private_update
	s=$(apt_private apt-cache madison "linux-headers-$abi" 2>/dev/null |
		awk -F'|' '{ split($3, a, " "); sub("/.*", "", a[2]); print a[2]; exit }')
	[ -n "$s" ] || return 1
	echo "$s"
}

# The release whose toolchain builds modules for ABI ("host" or a chroot's).
kernel_release() {
	local s dir
	dir=$(kernel_dir "$1")
	if [ -f "$dir/.unpacked" ]; then
		# written by fetch-kernel and vm/build-kernel
		cat "$dir/release" 2>/dev/null || echo host
		return
	fi
	s=$(kernel_suite "$1") || die "no headers for kernel $1 in the host's apt or in the suites of vm/suites.conf"
	[ "$s" = host ] && { echo host; return; }
	suite_release "$s"
}

# apt-get or apt-cache for ABI's packages: the host's or the private one.
kernel_apt() {
	local abi=$1 tool=$2
	shift 2
	if [ "$(kernel_suite "$abi")" = host ]; then
		"$tool" "$@"
	else
		apt_private "$tool" "$@"
	fi
}

# Newest ABI of a series that the package archive holds with headers, built
# for the same Debian release as the series' pin (6.12 has +deb12 and +deb13
# builds). "newest": the newest kernel of the private suites.
kernel_latest_abi() {
	local series=$1 pin pattern deb
	pin=$(awk -v s="$series" '!/^#/ && $1 == s { print $2 }' "$VM_DIR/kernels.conf")
	deb=$(echo "$pin" | sed -n 's/.*+\(deb[0-9]*\)-amd64$/\1/p')
	case $series in
	newest) pattern='^linux-headers-[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-amd64$' ;;
	*) if [ -n "$deb" ]; then
		pattern="^linux-headers-${series//./\\.}\\.[0-9]+\\+$deb-amd64\$"
	   else
		pattern="^linux-headers-${series//./\\.}\\.0-[0-9]+-amd64\$"
	   fi ;;
	esac
	{
		apt-cache pkgnames linux-headers- 2>/dev/null
		if [ "$series" != 6.1 ]; then
			apt_private_update
			apt_private apt-cache pkgnames linux-headers- 2>/dev/null
		fi
	} | grep -E "$pattern" | sed 's/^linux-headers-//' | sort -uV | tail -n 1
}

# ABI to use for a series: the pin when the archive still holds it, else the
# newest of the series. DMALAB_KERNEL_<series> (dots as underscores) overrides.
kernel_abi() {
	local series=$1 var pin latest
	# An ABI already, or a kernel laid out under build/ (the debug lane's).
	if [ -f "$(kernel_dir "$series")/.unpacked" ] || [[ $series == *-amd64 ]]; then
		echo "$series"
		return
	fi
	var=DMALAB_KERNEL_${series//./_}
	if [ -n "${!var:-}" ]; then
		echo "${!var}"
		return
	fi
	pin=$(awk -v s="$series" '!/^#/ && $1 == s { print $2 }' "$VM_DIR/kernels.conf")
	[ -n "$pin" ] || die "kernel series '$series' is not in vm/kernels.conf"
	if [ "$series" = newest ]; then
		latest=$(kernel_latest_abi newest)
		[ -n "$latest" ] || die "no kernel headers in the suites of vm/suites.conf"
		note "note: newest resolves to $latest"
		echo "$latest"
		return
	fi
	if [ -d "$BUILD/kernels/$pin/root" ] || kernel_suite "$pin" >/dev/null; then
		echo "$pin"
		return
	fi
	latest=$(kernel_latest_abi "$series")
	[ -n "$latest" ] || die "no linux-headers of series $series in the package archive (run apt-get update?)"
	note "note: pinned kernel $pin is gone from the archive; using $latest (move the pin in vm/kernels.conf)"
	echo "$latest"
}

# kernel_matrix [SERIES...]: "SERIES ABI" per kernel to run, each ABI once
# ("newest" drops out when it is the ABI of a pinned series, and says so).
# Without arguments, every series of kernels.conf.
kernel_matrix() {
	local series abi seen=" "
	[ $# -gt 0 ] || set -- $(kernel_series)
	for series; do
		abi=$(kernel_abi "$series") || exit
		if [[ $seen == *" $abi "* ]]; then
			note "note: $series is $abi, already in the matrix"
			continue
		fi
		seen+="$abi "
		echo "$series $abi"
	done
}

# check_built BUILDER [SERIES...] [vm/check option...]: the suite on the
# kernels vm/BUILDER makes (debug-kernel, wsl-kernel) of each SERIES,
# 6.1 and newest by default.
check_built() {
	local builder=$1 series=() kernels=() s
	shift
	while [ $# -gt 0 ] && [[ $1 != -* ]]; do
		series+=("$1")
		shift
	done
	[ ${#series[@]} -gt 0 ] || series=(6.1 newest)
	for s in "${series[@]}"; do
		kernels+=(--kernel "$("$VM_DIR/$builder" "$s")")
	done
	exec "$VM_DIR/check" "${kernels[@]}" --no-selftest "$@"
}

kernel_dir() { echo "$BUILD/kernels/$1"; }
kernel_kdir() { echo "$BUILD/kernels/$1/root/usr/src/linux-headers-$1"; }

# kernel_exec ABI COMMAND...: run a build command for ABI's modules where its
# kbuild tools and compiler run: on the host, or in the chroot of the
# kernel's release (vm/chroot), with the checkout and build/ at their paths.
kernel_exec() {
	local abi=$1 rel args
	args=$(kernel_dir "$abi")/make.args
	shift
	# the compiler a kernel built here was built with (vm/build-kernel)
	if [ "$1" = make ] && [ -f "$args" ]; then
		set -- "$@" $(cat "$args")
	fi
	rel=$(kernel_release "$abi")
	if [ "$rel" = host ]; then
		"$@"
	else
		# a kernel built here lives outside build/, in vm/build-kernel's
		# cache: its folder there, with the other builds of the same kind
		"$VM_DIR/chroot" --bind "$(dirname "$(realpath "$(kernel_dir "$abi")")")" \
			"$rel" "$(kernel_dir "$abi")/toolchain" -- "$@"
	fi
}

# Where vm/build-modules puts the modules of ABI built without FEATUREs.
modules_dir() {
	local d=$BUILD/modules/$1 f
	shift
	for f; do d+=-without-${f#DMALAB_HAVE_}; done
	echo "$d"
}

# The guest's two edu DMA engines: the seed's device A and device B, by the
# width of the DMA mask QEMU gives each (slots 0x10 and 0x11, probed in order).
EDU_DMA_BITS=(28 36)

# edu_devices ARRAY: append QEMU's -device arguments of those engines to
# the array named ARRAY.
edu_devices() {
	local -n to=$1
	local slot=16 b
	for b in "${EDU_DMA_BITS[@]}"; do
		to+=(-device "edu,addr=$(printf '0x%x' $slot),dma_mask=$(printf '0x%x' $(((1 << b) - 1)))")
		slot=$((slot + 1))
	done
}

# Accelerator: KVM only when a quick boot under it finishes, else TCG.
# DMALAB_ACCEL=tcg|kvm forces one. The probe's verdict is cached in build/.
vm_accel() {
	local kernel=$1 cache=$BUILD/accel
	if [ -n "${DMALAB_ACCEL:-}" ]; then
		echo "$DMALAB_ACCEL"
		return
	fi
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	if [ ! -f "$cache" ]; then
		# No initramfs: the kernel panics at once and QEMU exits (-no-reboot).
		if timeout 20 qemu-system-x86_64 -accel kvm -M q35 -m 256 -display none \
			-monitor none -serial none -no-reboot -kernel "$kernel" \
			-append "panic=-1" >/dev/null 2>&1; then
			echo kvm >"$cache"
		else
			echo tcg >"$cache"
		fi
	fi
	cat "$cache"
}

# Quote each argument for the guest's shell.
shell_quote() {
	local a out=
	for a in "$@"; do
		out+="'${a//\'/\'\\\'\'}' "
	done
	echo "$out"
}

# Lines of a kernel log that make a run fail, whatever the tests said.
SPLAT_PATTERN='Oops|BUG:|WARNING:|Call Trace|kernel BUG|DEBUG_LOCKS_WARN_ON|locking correctness validator|possible recursive locking|possible circular locking|KASAN|UBSAN|DMA-API: [^:]+: |general protection fault|Kernel panic|suspected memory leak|unreferenced object|soft lockup|hard LOCKUP|rcu.*stall|INFO: task .* blocked|inconsistent lock state|list_add corruption|list_del corruption|refcount_t:|Bad page'
