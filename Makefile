# scry: build, test, install.  See README.md.
#
#   make                 build/scry, build/libscry.a, build/libscry.so
#   make check           unit tests (cmocka) + end-to-end tests
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan (build-asan/)
#   make install PREFIX=/usr/local DESTDIR=
#   make stress          the bounded stress suite (tests/stress/run, a few minutes)
#   make bench           overhead benchmarks (bench/run)
#   make text-stable REV=GITREV   text output identical to GITREV's (tests/text-stable)

CC      ?= cc
.DEFAULT_GOAL := all
PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

ifeq ($(SANITIZE),1)
B       ?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B       ?= build
SANFLAGS :=
endif

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Isrc -DSCRY_VERSION='"$(VERSION)"' -DSCRY_HAVE_SQLITE
ALLCFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -fPIC -MMD -MP
LDLIBS  += -lm -lpthread -lsqlite3
# Stacks (-k, --source): elfutils libdw unwinds and symbolizes; libiberty
# (libiberty-dev) demangles C++ and Rust names when it is installed.
LDLIBS  += -ldw -lelf
# scry profile --format pprof: zlib gzips the profile.proto
LDLIBS  += -lz
ifneq ($(wildcard /usr/include/libiberty/demangle.h),)
CPPFLAGS += -DSCRY_HAVE_IBERTY
LDLIBS  += -liberty
endif

LIB_SRC  := $(sort $(shell find src -name '*.c' ! -path 'src/cli/*' ! -name '*.bpf.c'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
PROG_SRC := $(sort $(wildcard tests/progs/*.c))
BENCH_SRC:= $(sort $(wildcard bench/*.c))
DEMO_SRC := $(sort $(wildcard demo/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
# The library exports what include/scry/ declares (SCRY_API) and nothing
# else, not even what static libraries it links bring (--exclude-libs);
# its soname changes with an incompatible ABI (SOVERSION).
SOVERSION := 0
$(LIB_OBJ): ALLCFLAGS += -fvisibility=hidden

# The bpf backend needs clang, bpftool, libbpf and the kernel's BTF at build
# time (tools/gen-vmlinux.sh --check says which is missing); without them
# scry is built with a bpf backend that says why it is unavailable.
BPF ?= $(shell tools/gen-vmlinux.sh --check >/dev/null 2>&1 && echo 1 || echo 0)
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ifeq ($(BPF),1)
BPF_SKEL := $(B)/bpf/syscount.skel.h
LDLIBS   += -lbpf -lelf -lz
$(B)/obj/src/bpf/bpf_backend.o: CPPFLAGS += -I$(B)/bpf
$(B)/obj/src/bpf/bpf_backend.o: $(BPF_SKEL)
$(B)/obj/src/bpf/bpf_trace.o: CPPFLAGS += -I$(B)/bpf
$(B)/obj/src/bpf/bpf_trace.o: $(B)/bpf/systrace.skel.h
$(B)/obj/src/profile/offcpu.o: CPPFLAGS += -I$(B)/bpf
$(B)/obj/src/profile/offcpu.o: $(B)/bpf/offcpu.skel.h
else
$(B)/obj/src/profile/offcpu.o: CPPFLAGS += -DSCRY_NO_BPF
$(B)/obj/src/bpf/bpf_backend.o: CPPFLAGS += -DSCRY_NO_BPF
$(B)/obj/src/bpf/bpf_trace.o: CPPFLAGS += -DSCRY_NO_BPF
$(B)/obj/src/bpf/bpf_common.o: CPPFLAGS += -DSCRY_NO_BPF
endif
# The HTML report's script and style, embedded at build time (output/html.h)
$(B)/gen/html_assets.h: src/output/html/report.js src/output/html/report.css scripts/embed-asset
	@mkdir -p $(dir $@)
	{ scripts/embed-asset scry_html_js src/output/html/report.js && \
	  scripts/embed-asset scry_html_css src/output/html/report.css; } > $@.tmp && mv $@.tmp $@
$(B)/obj/src/output/html.o: $(B)/gen/html_assets.h
$(B)/obj/src/output/html.o: CPPFLAGS += -I$(B)/gen
$(B)/bpf/vmlinux.h: tools/gen-vmlinux.sh
	@mkdir -p $(dir $@)
	tools/gen-vmlinux.sh $@
# -mcpu=v3: atomic fetch-and-add and compare-and-swap (kernel 5.12+)
$(B)/bpf/syscount.bpf.o: src/bpf/syscount.bpf.c src/bpf/syscount.h src/bpf/pidns.bpf.h src/stats/hist.h $(B)/bpf/vmlinux.h
	clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror -I$(B)/bpf -Isrc -c $< -o $@
$(B)/bpf/syscount.skel.h: $(B)/bpf/syscount.bpf.o
	bpftool gen skeleton $< name syscount > $@.tmp && mv $@.tmp $@
$(B)/bpf/systrace.bpf.o: src/bpf/systrace.bpf.c src/bpf/systrace.h src/bpf/pidns.bpf.h $(B)/bpf/vmlinux.h
	clang -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror -I$(B)/bpf -Isrc -c $< -o $@
$(B)/bpf/systrace.skel.h: $(B)/bpf/systrace.bpf.o
	bpftool gen skeleton $< name systrace > $@.tmp && mv $@.tmp $@
# scry profile --off-cpu (src/profile/offcpu.c)
$(B)/bpf/offcpu.bpf.o: src/profile/offcpu.bpf.c src/profile/offcpu_bpf.h $(B)/bpf/vmlinux.h
	clang -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_ARCH) -Wall -Werror -I$(B)/bpf -Isrc/profile -Isrc -c $< -o $@
$(B)/bpf/offcpu.skel.h: $(B)/bpf/offcpu.bpf.o
	bpftool gen skeleton $< name offcpu_bpf > $@.tmp && mv $@.tmp $@
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/obj/%.o)
# The command is built on the public API alone (docs/LIBRARY.md, "What
# the scry command uses"): every file of src/cli sees include/ and its own
# directory, no src/ header, so an internal include fails the build (and
# make check).
CLI_PUBLIC := $(CLI_SRC)
$(CLI_PUBLIC:%.c=$(B)/obj/%.o): CPPFLAGS := -D_GNU_SOURCE -Iinclude -DSCRY_VERSION='"$(VERSION)"'
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
PROG_BIN := $(PROG_SRC:tests/progs/%.c=$(B)/progs/%)
STACK_PROGS := $(B)/progs/libstacklib.so $(B)/progs/libstackplugin.so $(B)/progs/stack_main_nopie \
	       $(B)/progs/stack_main_nodebug $(B)/progs/stack_main_stripped $(B)/progs/stack_cxx \
	       $(B)/progs/stack_fp_nofp
BENCH_BIN:= $(BENCH_SRC:bench/%.c=$(B)/bench/%)
BENCH_BIN += $(B)/bench/stackcalls_fp
DEMO_BIN := $(DEMO_SRC:demo/%.c=$(B)/demo/%)

# Everything is rebuilt when the flags change: objects do not otherwise
# depend on them, and a tree built before -fvisibility=hidden kept exporting
# 29 private symbols until `make clean`.  $(B)/build-flags holds the flags
# of the last build (and a checksum of the Makefile's flag lines, for flags
# set per target); it is rewritten only when they differ.
FLAGS_FILE := $(B)/build-flags
FLAGS_NOW := $(CC) $(CPPFLAGS) $(ALLCFLAGS) $(LDLIBS) $(BPF) $(shell grep -E '(CFLAGS|CPPFLAGS|LDLIBS|FLAGS) *[:+?]?=' Makefile | cksum)
ifneq ($(file < $(FLAGS_FILE)),$(FLAGS_NOW))
$(shell mkdir -p $(B))
$(file > $(FLAGS_FILE),$(FLAGS_NOW))
endif
$(LIB_OBJ) $(CLI_OBJ) $(UNIT_BIN) $(PROG_BIN) $(STACK_PROGS) $(BENCH_BIN) $(DEMO_BIN): $(FLAGS_FILE)

all: $(B)/scry $(B)/libscry.a $(B)/libscry.so $(B)/scry.pc $(PROG_BIN) $(STACK_PROGS) $(BENCH_BIN) $(DEMO_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c -o $@ $<

$(B)/libscry.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(B)/libscry.so.$(VERSION): $(LIB_OBJ)
	$(CC) -shared $(SANFLAGS) -Wl,-soname,libscry.so.$(SOVERSION) -Wl,--exclude-libs,ALL -o $@ $^ $(LDLIBS)
$(B)/libscry.so: $(B)/libscry.so.$(VERSION)
	ln -sf libscry.so.$(VERSION) $(B)/libscry.so.$(SOVERSION)
	ln -sf libscry.so.$(VERSION) $@

# scry.pc, for pkg-config; a static link needs its .private lines.
PC_REQUIRES := sqlite3 libdw libelf$(if $(filter 1,$(BPF)), libbpf zlib)
PC_LINES = 'prefix=$(PREFIX)' 'includedir=$${prefix}/include' 'libdir=$${prefix}/lib' '' \
	  'Name: scry' 'Description: trace the system calls of running or launched processes (libscry)' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lscry' \
	  'Requires.private: $(PC_REQUIRES)' 'Libs.private: $(LDLIBS)'
$(B)/scry.pc: Makefile
	@mkdir -p $(dir $@)
	printf '%s\n' $(PC_LINES) > $@

# The command's own libraries, never the library's: scry top (src/cli/top.c)
# draws with ncurses (libncurses-dev); scry serve's HTTP server is libmicrohttpd,
# opened with dlopen when it starts (src/cli/mhd_lazy.c): linked, it would load
# gnutls and a dozen more libraries into every scry process.
$(B)/scry: $(CLI_OBJ) $(B)/libscry.a
	$(CC) $(SANFLAGS) -o $@ $(CLI_OBJ) $(B)/libscry.a $(LDLIBS) -lncurses -ldl

$(B)/tests/%: tests/unit/%.c $(B)/libscry.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -o $@ $< $(B)/libscry.a -lcmocka $(LDLIBS)

# The public API as an embedding program sees it: the installed headers only
# (a rule of its own: a target-specific CPPFLAGS would reach the library's
# objects too, built as its prerequisites)
$(B)/tests/test_public_api: tests/unit/test_public_api.c $(B)/libscry.a
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -Iinclude $(ALLCFLAGS) -o $@ $< $(B)/libscry.a -lcmocka $(LDLIBS)

# strace_qualifier() is the command's (src/cli/), not the library's
$(B)/tests/test_strace_compat: tests/unit/test_strace_compat.c $(B)/obj/src/cli/strace_compat.o $(B)/libscry.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -o $@ $< $(B)/obj/src/cli/strace_compat.o $(B)/libscry.a -lcmocka $(LDLIBS)

# Target programs are built plainly (no sanitizers): they are what gets traced.
$(B)/progs/%: tests/progs/%.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O1 -g -o $@ $< -pthread

# The profiler's targets (tests/e2e/test_profile.py): -O2 without frame
# pointers, as most code is built, so only DWARF unwinding finds their stacks.
$(B)/progs/prof_%: tests/progs/prof_%.c tests/progs/common.h
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O2 -fomit-frame-pointer -g -o $@ $< -pthread

# scry serve's workload: static, so that no loader call blurs its counts
$(B)/progs/serve_work: tests/progs/serve_work.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O1 -g -static -o $@ $<

# An ia32 process (tests/e2e/test_ia32.py): 32-bit and static, so that it
# needs no 32-bit libraries at run time (gcc-multilib at build time)
$(B)/progs/ia32_calls: tests/progs/ia32_calls.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O1 -m32 -static -o $@ $<

# The unwinder's targets (tests/unit/test_unwind.c): one program built PIE
# and not, with and without -g, stripped; a library of its own and one it
# dlopens (tests/progs/stack_libs/).
STACK_CC := $(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O1
$(B)/progs/lib%.so: tests/progs/stack_libs/%.c
	@mkdir -p $(dir $@)
	$(STACK_CC) -g -fPIC -shared -o $@ $<
$(B)/progs/stack_main: tests/progs/stack_main.c $(B)/progs/libstacklib.so
	$(STACK_CC) -g -fPIE -pie -o $@ $< -L$(B)/progs -lstacklib -Wl,-rpath,'$$ORIGIN' -ldl -pthread
$(B)/progs/stack_main_nopie: tests/progs/stack_main.c $(B)/progs/libstacklib.so
	$(STACK_CC) -g -fno-pie -no-pie -o $@ $< -L$(B)/progs -lstacklib -Wl,-rpath,'$$ORIGIN' -ldl -pthread
$(B)/progs/stack_main_nodebug: tests/progs/stack_main.c $(B)/progs/libstacklib.so
	$(STACK_CC) -fPIE -pie -o $@ $< -L$(B)/progs -lstacklib -Wl,-rpath,'$$ORIGIN' -ldl -pthread
# -rdynamic: outer_global is in .dynsym, the static functions are not
$(B)/progs/stack_main_stripped: tests/progs/stack_main.c $(B)/progs/libstacklib.so
	$(STACK_CC) -fPIE -pie -rdynamic -o $@ $< -L$(B)/progs -lstacklib -Wl,-rpath,'$$ORIGIN' -ldl -pthread
	strip --strip-all $@
# bpf --stack-mode fp (tests/e2e/test_stack_bpf.py): with frame pointers,
# and without them (where fp mode finds what it can)
$(B)/progs/stack_fp: tests/progs/stack_fp.c
	$(STACK_CC) -g -fno-omit-frame-pointer -o $@ $<
$(B)/progs/stack_fp_nofp: tests/progs/stack_fp.c
	$(STACK_CC) -O2 -g -fomit-frame-pointer -o $@ $<
# (no -g: a frame without line information, see stackpad.c)
$(B)/progs/libstackpad.so: tests/progs/stack_libs/stackpad.c
	@mkdir -p $(dir $@)
	$(STACK_CC) -fPIC -shared -o $@ $<
$(B)/progs/stack_mid: tests/progs/stack_mid.c $(B)/progs/libstackpad.so
	$(STACK_CC) -g -fPIE -pie -o $@ $< -L$(B)/progs -lstackpad -Wl,-rpath,'$$ORIGIN'
$(B)/progs/stack_cxx: tests/progs/stack_libs/stack_cxx.cc
	$(CXX) -Wall -Wextra -Werror -O1 -g -o $@ $<

$(B)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O2 -g -o $@ $< -pthread
# bench/stack_bpf's --stack-mode fp rows: the same workload with frame pointers
$(B)/bench/stackcalls_fp: bench/stackcalls.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O2 -g -fno-omit-frame-pointer -o $@ $< -pthread

$(B)/demo/%: demo/%.c
	@mkdir -p $(dir $@)
	$(CC) -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -O2 -g -o $@ $< -pthread

demo: all
	SCRY_BUILD=$(B) demo/run

# libFuzzer targets on the encoders (value -> JSON/CSV/SQL); make check runs
# each for a short while so that they keep building and keep passing.
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_OUT := src/output/encode.c src/util/escape.c src/output/writer.c src/output/procinfo.c \
	    src/output/output.c src/output/formats.c src/output/json.c src/output/jsonl.c \
	    src/output/text.c src/output/csv.c src/output/chrome.c \
	    src/output/sqlite.c src/decode/render.c src/decode/value.c src/util/strbuf.c
$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_OUT) $(B)/libscry.a
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -std=gnu11 -o $@ $< $(FUZZ_OUT) $(FUZZ_EXTRA) $(B)/libscry.a $(LDLIBS)
# the unwinder's target instruments the unwinder itself
$(B)/fuzz/fuzz_unwind: FUZZ_EXTRA := src/unwind/unwind.c
$(B)/fuzz/fuzz_unwind: src/unwind/unwind.c

fuzz: $(FUZZ_BIN)
	@set -e; for t in $(FUZZ_BIN); do echo "== $$t"; $$t -runs=20000 2>&1 | tail -1; done

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

# (The fuzzers carry their own sanitizers: the SANITIZE=1 run leaves them out.)
check: all unit $(if $(filter 1,$(SANITIZE)),,fuzz)
	tools/check-layers
	SCRY_BUILD=$(B) python3 tests/e2e/run.py

# Attach/detach cycles, storms, interrupted documents, damaged databases
# (tests/stress/run says what and how long); .ci/run runs it after check.
stress: all
	SCRY_BUILD=$(B) tests/stress/run

bench: all
	bench/run

# Text stability (issue 11): scry's strace-syntax output of the fidelity
# corpus, byte for byte, between git revision REV (built in a temporary
# worktree) and this build; exit 1 on any difference.  make check runs the
# golden form of it, tests/e2e/test_golden.py.
text-stable: all
	@test -n "$(REV)" || { echo "make text-stable: say which revision: make text-stable REV=GITREV" >&2; exit 2; }
	SCRY_BUILD=$(B) tests/text-stable --rev $(REV)

install: $(B)/scry $(B)/libscry.a $(B)/libscry.so $(B)/scry.pc
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/scry $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(B)/scry $(DESTDIR)$(PREFIX)/bin/scry
	install -m 644 $(B)/libscry.a $(DESTDIR)$(PREFIX)/lib/libscry.a
	install -m 755 $(B)/libscry.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libscry.so.$(VERSION)
	ln -sf libscry.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libscry.so.$(SOVERSION)
	ln -sf libscry.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libscry.so
	printf '%s\n' $(PC_LINES) > $(DESTDIR)$(PREFIX)/lib/pkgconfig/scry.pc
	install -m 644 include/scry/*.h $(DESTDIR)$(PREFIX)/include/scry/
	install -m 644 docs/scry.1 $(DESTDIR)$(PREFIX)/share/man/man1/scry.1

clean:
	rm -rf build build-asan

.PHONY: all unit fuzz check stress bench text-stable demo install clean
-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
