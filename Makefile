# SPDX-License-Identifier: GPL-2.0
#
# make modules KDIR=...  build both modules against a kernel build tree
# make userspace         build the user-space programs into build/bin
# make lib               libdmalab (.a, .so, header, dmalab.pc) into build/lib
# make tool              the dmalab tool into build/bin/dmalab
# make check             run the whole test suite in QEMU guests (vm/check)
# make check-debug       the same on debug kernels of 6.1 and newest (KASAN, lockdep, ...)
# make check-wsl         the same on kernels configured as WSL2's (6.1 and newest)
# make demo              run the demo in a QEMU guest (vm/demo)
# make bench             benchmarks against mainline's exporters (bench/run)
# make lint              checkpatch --strict, sparse, W=1 and kernel-doc
# make install           install tool, library, headers, man pages, udev rule,
#                        group and bash completion (PREFIX, DESTDIR, ...)
# make uninstall         remove what install installed
# make modules_install   install the modules into KDIR's kernel
# make dkms-src          the modules' sources and dkms.conf, for /usr/src
# make dkms-install      dkms-src, then dkms add/build/install (root)
# make debs              Debian packages into build/debs, checked by lintian
# make check-install     the packages installed in a Debian system under QEMU
# make help              this list
#
# The VM bench never builds against or loads into the host's kernel: it
# fetches stock Debian kernels and passes their KDIR itself.

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= $(CURDIR)/build

# Without a kernel build tree (WSL2, containers, no headers package) say
# what to do, in one line, instead of kbuild's bare error.
ifneq ($(filter all modules modules_install,$(or $(MAKECMDGOALS),all)),)
ifeq ($(wildcard $(KDIR)/Makefile),)
$(error no kernel build tree at $(KDIR): install linux-headers-$(shell uname -r), or pass KDIR=<kernel build tree> (README: Install on your machine, From source))
endif
endif

USER_CC ?= gcc
# Tests and the bench link libdmalab (lib/) statically.
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -static -pthread \
	-I lib -I include/uapi -I tests

# The kselftest harness's TEST macros pass arguments a test may not use.
TEST_CFLAGS := -Wno-unused-parameter

UAPI_HEADERS := $(wildcard include/uapi/linux/*.h)
TEST_SRCS := $(wildcard tests/*/*.c)
TEST_HDRS := $(wildcard tests/*.h tests/*/*.h) lib/dmalab.h
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/bin/tests/%,$(TEST_SRCS))
TEST_SCRIPTS := $(patsubst tests/%.sh,$(BUILD)/bin/tests/%,$(wildcard tests/*/*.sh))
SCRIPTS := $(patsubst utils/%,$(BUILD)/bin/%,$(wildcard utils/dmalab-*))
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BIN := $(if $(BENCH_SRCS),$(BUILD)/bin/dmalab-bench)

# libdmalab (lib/): static and shared, with its header and pkg-config file
# under $(BUILD)/lib and $(BUILD)/include.
LIB_CFLAGS := -O2 -g -Wall -Wextra -Werror -fPIC -I lib -I include/uapi
LIB_SRCS := $(wildcard lib/*.c)
LIB_HDRS := $(wildcard lib/*.h)
LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/obj/lib/%.o,$(LIB_SRCS))
# One version source (VERSION) for the modules, the library and the tool;
# the soname's number changes when the library's ABI does.
VERSION := $(shell cat VERSION)
LIB_VERSION := $(VERSION)
LIB_SOVERSION := 1
LIB_OUT := $(BUILD)/lib/libdmalab.a $(BUILD)/lib/libdmalab.so \
	$(BUILD)/lib/pkgconfig/dmalab.pc $(BUILD)/include/dmalab.h

# libdmalab-conform (conform/): the conformance checker, on top of
# libdmalab's public API; static only, linked by the tool.
CONFORM_SRCS := $(wildcard conform/*.c)
CONFORM_HDRS := $(wildcard conform/*.h)
CONFORM_OBJS := $(patsubst conform/%.c,$(BUILD)/obj/conform/%.o,$(CONFORM_SRCS))
CONFORM_LIB := $(BUILD)/lib/libdmalab-conform.a

# The dmalab tool (utils/dmalab/): one static binary on the guest's PATH;
# TOOL_LINK=shared links it against libdmalab.so (the Debian packages).
TOOL_LINK ?= static
TOOL_CFLAGS := -O2 -g -Wall -Wextra -Werror -I lib -I conform -I include/uapi \
	-DDMALAB_VERSION=\"$(VERSION)\"
ifeq ($(TOOL_LINK),shared)
TOOL_LIBS := -L$(BUILD)/lib -ldmalab
TOOL_LIB_DEP := $(BUILD)/lib/libdmalab.so
else
TOOL_CFLAGS += -static
TOOL_LIBS := $(BUILD)/lib/libdmalab.a
TOOL_LIB_DEP := $(BUILD)/lib/libdmalab.a
endif
TOOL_SRCS := $(wildcard utils/dmalab/*.c)
TOOL_HDRS := $(wildcard utils/dmalab/*.h)

.PHONY: all modules userspace lib tool check check-debug check-wsl demo bench lint clean \
	help install uninstall modules_install dkms-src dkms-install man completion debs \
	check-install

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

help:
	@sed -n '3,/^$$/s/^# \{0,1\}//p' Makefile

userspace: lib tool $(TEST_BINS) $(TEST_SCRIPTS) $(SCRIPTS) $(BENCH_BIN)

lib: $(LIB_OUT) $(CONFORM_LIB)

tool: $(BUILD)/bin/dmalab

$(BUILD)/obj/lib/%.o: lib/%.c $(LIB_HDRS) $(UAPI_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(LIB_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib/libdmalab.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libdmalab.so: $(LIB_OBJS)
	@mkdir -p $(@D)
	$(USER_CC) -shared $(LDFLAGS) -Wl,-soname,libdmalab.so.$(LIB_SOVERSION) \
		-o $@.$(LIB_VERSION) $^
	ln -sf libdmalab.so.$(LIB_VERSION) $@.$(LIB_SOVERSION)
	ln -sf libdmalab.so.$(LIB_SOVERSION) $@

$(BUILD)/lib/pkgconfig/dmalab.pc: lib/dmalab.pc.in
	@mkdir -p $(@D)
	sed 's|@PREFIX@|$(BUILD)|; s|@VERSION@|$(LIB_VERSION)|' $< >$@

$(BUILD)/include/dmalab.h: lib/dmalab.h $(CONFORM_HDRS) $(UAPI_HEADERS)
	@mkdir -p $(@D)/linux
	cp $(UAPI_HEADERS) $(@D)/linux/
	cp $< $(CONFORM_HDRS) $(@D)/

$(BUILD)/obj/conform/%.o: conform/%.c $(CONFORM_HDRS) lib/dmalab.h $(UAPI_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(LIB_CFLAGS) $(CPPFLAGS) $(CFLAGS) -I conform -c -o $@ $<

$(CONFORM_LIB): $(CONFORM_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/dmalab: $(TOOL_SRCS) $(TOOL_HDRS) $(CONFORM_LIB) $(TOOL_LIB_DEP)
	@mkdir -p $(@D)
	$(USER_CC) $(TOOL_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRCS) $(CONFORM_LIB) \
		$(TOOL_LIBS)

$(BUILD)/bin/dmalab-%: utils/dmalab-%
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/bin/tests/%: tests/%.c $(TEST_HDRS) $(UAPI_HEADERS) \
		$(BUILD)/lib/libdmalab.a
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(BUILD)/lib/libdmalab.a

# One program from every bench/*.c; bench/run runs it in a 6.12 guest.
$(BUILD)/bin/dmalab-bench: $(BENCH_SRCS) bench/bench.h lib/dmalab.h \
		$(UAPI_HEADERS) $(BUILD)/lib/libdmalab.a
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $(BENCH_SRCS) $(BUILD)/lib/libdmalab.a

# Shell tests print TAP too; they run in the guest's busybox sh.
$(BUILD)/bin/tests/%: tests/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

check:
	vm/check

check-debug:
	vm/check-debug

check-wsl:
	vm/check-wsl

demo:
	vm/demo

bench:
	bench/run

lint:
	scripts/lint

debs:
	scripts/build-debs

check-install:
	vm/check-install

# ---- Installing (make install, DKMS) ----
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# udev and systemd read only their own directories, not PREFIX's.
UDEVRULESDIR ?= /etc/udev/rules.d
SYSUSERSDIR ?= /etc/sysusers.d
# The sources DKMS builds from: the modules and what their build reads.
DKMS_DIR ?= /usr/src/dmalab-$(VERSION)
DKMS_SRCS := Kbuild Makefile VERSION \
	$(wildcard exporter/Kbuild exporter/*.[ch] importer/Kbuild importer/*.[ch] \
		heap/Kbuild heap/*.[ch] kunit/Kbuild kunit/*.[ch]) \
	$(wildcard include/dmalab/* include/uapi/linux/*.h)

man: $(BUILD)/man/dmalab.1
completion: $(BUILD)/completion/dmalab

$(BUILD)/man/dmalab.1: $(BUILD)/bin/dmalab scripts/mkman
	@mkdir -p $(@D)
	LD_LIBRARY_PATH=$(BUILD)/lib scripts/mkman $(BUILD)/bin/dmalab $@

$(BUILD)/completion/dmalab: $(BUILD)/bin/dmalab scripts/mkcompletion
	@mkdir -p $(@D)
	LD_LIBRARY_PATH=$(BUILD)/lib scripts/mkcompletion $(BUILD)/bin/dmalab $@

$(BUILD)/install/dmalab.pc: lib/dmalab.pc.in
	@mkdir -p $(@D)
	sed 's|@PREFIX@|$(PREFIX)|; s|@VERSION@|$(LIB_VERSION)|; s|^includedir=.*|includedir=$(INCLUDEDIR)|; s|^libdir=.*|libdir=$(LIBDIR)|' $< >$@

install: lib tool man completion $(BUILD)/install/dmalab.pc
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR)/linux $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSUSERSDIR)
	install -m 755 $(BUILD)/bin/dmalab utils/dmalab-demo $(DESTDIR)$(BINDIR)/
	install -m 644 $(BUILD)/lib/libdmalab.so.$(LIB_VERSION) $(BUILD)/lib/libdmalab.a \
		$(DESTDIR)$(LIBDIR)/
	ln -sf libdmalab.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libdmalab.so.$(LIB_SOVERSION)
	ln -sf libdmalab.so.$(LIB_SOVERSION) $(DESTDIR)$(LIBDIR)/libdmalab.so
	install -m 644 $(BUILD)/install/dmalab.pc $(DESTDIR)$(LIBDIR)/pkgconfig/
	install -m 644 lib/dmalab.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 $(UAPI_HEADERS) $(DESTDIR)$(INCLUDEDIR)/linux/
	install -m 644 $(BUILD)/man/dmalab.1 docs/man/dmalab-demo.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man/libdmalab.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(BUILD)/completion/dmalab $(DESTDIR)$(BASHCOMPDIR)/dmalab
	install -m 644 udev/60-dmalab.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 644 udev/dmalab.sysusers $(DESTDIR)$(SYSUSERSDIR)/dmalab.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/dmalab $(DESTDIR)$(BINDIR)/dmalab-demo \
		$(DESTDIR)$(LIBDIR)/libdmalab.so* $(DESTDIR)$(LIBDIR)/libdmalab.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/dmalab.pc \
		$(DESTDIR)$(INCLUDEDIR)/dmalab.h \
		$(patsubst include/uapi/linux/%,$(DESTDIR)$(INCLUDEDIR)/linux/%,$(UAPI_HEADERS)) \
		$(DESTDIR)$(MANDIR)/man1/dmalab.1 $(DESTDIR)$(MANDIR)/man1/dmalab-demo.1 \
		$(DESTDIR)$(MANDIR)/man3/libdmalab.3 $(DESTDIR)$(BASHCOMPDIR)/dmalab \
		$(DESTDIR)$(UDEVRULESDIR)/60-dmalab.rules $(DESTDIR)$(SYSUSERSDIR)/dmalab.conf

dkms-src:
	install -d $(DESTDIR)$(DKMS_DIR)
	tar -cf - $(DKMS_SRCS) | tar -xf - -C $(DESTDIR)$(DKMS_DIR)
	sed 's/@VERSION@/$(VERSION)/' dkms.conf >$(DESTDIR)$(DKMS_DIR)/dkms.conf

# Another version registered with DKMS is removed first: the upgrade path.
dkms-install: dkms-src
	for v in $$(dkms status -m dmalab 2>/dev/null | sed -n 's|^dmalab/\([^,:]*\).*|\1|p' | sort -u); do \
		[ "$$v" = "$(VERSION)" ] || dkms remove dmalab/$$v --all; \
	done
	dkms status -m dmalab -v $(VERSION) | grep -q . || dkms add dmalab/$(VERSION)
	dkms install dmalab/$(VERSION)

# Kbuild's clean of M=DIR deletes every *.ko under DIR: given the checkout
# it would take the VM bench's unpacked kernels in build/ with it. Clean
# each module's folder instead.
clean:
	for m in exporter importer kunit heap; do \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/$$m clean 2>/dev/null || true; \
	done
	rm -f Module.symvers modules.order .Module.symvers.cmd .modules.order.cmd
	rm -rf $(BUILD)/bin $(BUILD)/modules $(BUILD)/runs $(BUILD)/obj $(BUILD)/lib $(BUILD)/include \
		$(BUILD)/man $(BUILD)/completion $(BUILD)/install
