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
#
# The VM bench never builds against or loads into the host's kernel: it
# fetches stock Debian kernels and passes their KDIR itself.

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= $(CURDIR)/build

# Without a kernel build tree (WSL2, containers, no headers package) say
# what to do, in one line, instead of kbuild's bare error.
ifneq ($(filter all modules,$(or $(MAKECMDGOALS),all)),)
ifeq ($(wildcard $(KDIR)/Makefile),)
$(error no kernel build tree at $(KDIR): install linux-headers-$(shell uname -r), or pass KDIR=<kernel build tree> (README: Building the modules for your own kernel))
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

# The dmalab tool (utils/dmalab/): one static binary on the guest's PATH.
TOOL_CFLAGS := -O2 -g -Wall -Wextra -Werror -static -I lib -I conform -I include/uapi \
	-DDMALAB_VERSION=\"$(VERSION)\"
TOOL_SRCS := $(wildcard utils/dmalab/*.c)
TOOL_HDRS := $(wildcard utils/dmalab/*.h)

.PHONY: all modules userspace lib tool check check-debug check-wsl demo bench lint clean

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: lib tool $(TEST_BINS) $(TEST_SCRIPTS) $(SCRIPTS) $(BENCH_BIN)

lib: $(LIB_OUT) $(CONFORM_LIB)

tool: $(BUILD)/bin/dmalab

$(BUILD)/obj/lib/%.o: lib/%.c $(LIB_HDRS) $(UAPI_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(LIB_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libdmalab.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/lib/libdmalab.so: $(LIB_OBJS)
	@mkdir -p $(@D)
	$(USER_CC) -shared -Wl,-soname,libdmalab.so.$(LIB_SOVERSION) \
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
	$(USER_CC) $(LIB_CFLAGS) -I conform -c -o $@ $<

$(CONFORM_LIB): $(CONFORM_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/dmalab: $(TOOL_SRCS) $(TOOL_HDRS) $(CONFORM_LIB) \
		$(BUILD)/lib/libdmalab.a
	@mkdir -p $(@D)
	$(USER_CC) $(TOOL_CFLAGS) -o $@ $(TOOL_SRCS) $(CONFORM_LIB) \
		$(BUILD)/lib/libdmalab.a

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

# Kbuild's clean of M=DIR deletes every *.ko under DIR: given the checkout
# it would take the VM bench's unpacked kernels in build/ with it. Clean
# each module's folder instead.
clean:
	for m in exporter importer kunit heap; do \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/$$m clean 2>/dev/null || true; \
	done
	rm -f Module.symvers modules.order .Module.symvers.cmd .modules.order.cmd
	rm -rf $(BUILD)/bin $(BUILD)/modules $(BUILD)/runs $(BUILD)/obj $(BUILD)/lib $(BUILD)/include
