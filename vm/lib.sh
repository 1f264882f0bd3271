# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the VM bench scripts; sourced, never run.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$VM_DIR/.." && pwd)
BUILD=${DMALAB_BUILD:-$TOP/build}

note() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

# Series named in kernels.conf, in order.
kernel_series() {
	awk '!/^#/ && NF == 2 { print $1 }' "$VM_DIR/kernels.conf"
}

# Newest ABI of a series that the package archive holds.
kernel_latest_abi() {
	local series=$1 pattern
	case $series in
	6.1) pattern='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	*) pattern="^linux-image-${series//./\\.}\\.[0-9]+\\+deb12-amd64\$" ;;
	esac
	apt-cache pkgnames linux-image- 2>/dev/null | grep -E "$pattern" |
		sed 's/^linux-image-//' | sort -V | tail -n 1
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
	if [ -d "$BUILD/kernels/$pin/root" ] ||
	   apt-cache show "linux-image-$pin" >/dev/null 2>&1; then
		echo "$pin"
		return
	fi
	latest=$(kernel_latest_abi "$series")
	[ -n "$latest" ] || die "no linux-image of series $series in the package archive (run apt-get update?)"
	note "note: pinned kernel $pin is gone from the archive; using $latest (move the pin in vm/kernels.conf)"
	echo "$latest"
}

kernel_dir() { echo "$BUILD/kernels/$1"; }
kernel_kdir() { echo "$BUILD/kernels/$1/root/usr/src/linux-headers-$1"; }

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
