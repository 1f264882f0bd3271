# SPDX-License-Identifier: GPL-2.0
#
# make modules KDIR=...  build both modules against a kernel build tree
# make userspace         build the user-space programs into build/bin
# make check             run the whole test suite in QEMU guests (vm/check)
# make check-debug       the same on a 6.1 debug kernel (KASAN, lockdep, ...)
# make demo              run the demo in a QEMU guest (vm/demo)
# make lint              checkpatch --strict, sparse, W=1 and kernel-doc
#
# The VM bench never builds against or loads into the host's kernel: it
# fetches stock Debian kernels and passes their KDIR itself.

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= $(CURDIR)/build

USER_CC ?= gcc
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -static -pthread \
	-I include/uapi -I tests

UAPI_HEADERS := $(wildcard include/uapi/linux/*.h)
TEST_SRCS := $(wildcard tests/*/*.c)
TEST_HDRS := $(wildcard tests/*.h tests/*/*.h)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/bin/tests/%,$(TEST_SRCS))
TEST_SCRIPTS := $(patsubst tests/%.sh,$(BUILD)/bin/tests/%,$(wildcard tests/*/*.sh))
SCRIPTS := $(patsubst utils/%,$(BUILD)/bin/%,$(wildcard utils/dmalab-*))

.PHONY: all modules userspace check check-debug demo lint clean

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace: $(TEST_BINS) $(TEST_SCRIPTS) $(SCRIPTS)

$(BUILD)/bin/dmalab-%: utils/dmalab-%
	@mkdir -p $(@D)
	cp $< $@

$(BUILD)/bin/tests/%: tests/%.c $(TEST_HDRS) $(UAPI_HEADERS)
	@mkdir -p $(@D)
	$(USER_CC) $(USER_CFLAGS) -o $@ $<

# Shell tests print TAP too; they run in the guest's busybox sh.
$(BUILD)/bin/tests/%: tests/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@

check:
	vm/check

check-debug:
	vm/check-debug

demo:
	vm/demo

lint:
	scripts/lint

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	rm -rf $(BUILD)/bin $(BUILD)/modules $(BUILD)/runs
