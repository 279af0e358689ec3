/*
 * Stacks from the ptrace backend (issue 13, the producer): the target
 * programs tests/progs/stack_main.c (built PIE and not, with and without
 * -g, stripped), its library, the library it dlopens and the image it
 * execs into make their calls from lines marked STACK:<call>; launched
 * through the public API with cfg.stack_depth, each call's stack must name
 * the exact function, file and line of its source frame and the callers
 * above it.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "scry/scry.h"
#include "unwind/unwind.h"

#define MAXREC 16
#define MAXF 32

struct frame_copy {
	uint64_t addr, object_offset, offset;
	char *object, *function, *file;
	int line;
	unsigned flags;
};

struct stack_rec {
	char call[32];
	pid_t tid;
	unsigned nframes;
	int source, truncated;
	struct frame_copy f[MAXF];
	const struct scry_stack *enter_ptr;
	int exit_seen, exit_same;
};

struct rec {
	struct stack_rec r[MAXREC];
	int n;
	int enters_without_stack;
	char *nodebug[16];
	int nnodebug;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int rec_event(void *ctx, const struct scry_event *ev)
{
	struct rec *rc = ctx;
	if (ev->type != SCRY_EV_CALL_ENTER && ev->type != SCRY_EV_CALL_EXIT)
		return 0;
	const struct scry_call *c = &ev->u.call;
	if (!c->name)
		return 0;
	if (ev->type == SCRY_EV_CALL_EXIT) {
		for (int i = rc->n - 1; i >= 0; i--)
			if (rc->r[i].tid == ev->tid && !rc->r[i].exit_seen && !strcmp(rc->r[i].call, c->name)) {
				rc->r[i].exit_seen = 1;
				rc->r[i].exit_same = c->stack == rc->r[i].enter_ptr;
				break;
			}
		return 0;
	}
	if (!c->stack) {
		rc->enters_without_stack++;
		return 0;
	}
	if (rc->n >= MAXREC)
		return 0;
	struct stack_rec *r = &rc->r[rc->n++];
	snprintf(r->call, sizeof(r->call), "%s", c->name);
	r->tid = ev->tid;
	r->enter_ptr = c->stack;
	r->nframes = c->stack->nframes;
	r->source = c->stack->source;
	r->truncated = c->stack->truncated;
	for (unsigned i = 0; i < c->stack->nframes && i < MAXF; i++) {
		const struct scry_frame *f = &c->stack->frames[i];
		r->f[i].addr = f->addr;
		r->f[i].object_offset = f->object_offset;
		r->f[i].offset = f->offset;
		r->f[i].object = dup_or_null(f->object);
		r->f[i].function = dup_or_null(f->function);
		r->f[i].file = dup_or_null(f->file);
		r->f[i].line = f->line;
		r->f[i].flags = f->flags;
	}
	return 0;
}

static void rec_nodebug(void *ctx, const char *object, unsigned flags)
{
	struct rec *rc = ctx;
	if (rc->nnodebug < 16)
		rc->nodebug[rc->nnodebug++] = strdup(object);
}

static void rec_free(struct rec *rc)
{
	for (int i = 0; i < rc->n; i++)
		for (unsigned k = 0; k < rc->r[i].nframes && k < MAXF; k++) {
			free(rc->r[i].f[k].object);
			free(rc->r[i].f[k].function);
			free(rc->r[i].f[k].file);
		}
	for (int i = 0; i < rc->nnodebug; i++)
		free(rc->nodebug[i]);
	free(rc);
}

/* build/tests/test_unwind -> build/ and the repository root */
static char builddir[PATH_MAX], rootdir[PATH_MAX];

static int group_setup(void **state)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';            /* build/tests */
	*strrchr(self, '/') = '\0';            /* build */
	snprintf(builddir, sizeof(builddir), "%s", self);
	*strrchr(self, '/') = '\0';            /* the root */
	snprintf(rootdir, sizeof(rootdir), "%s", self);
	return 0;
}

/* The line of source file rel (from the root) with the marker of call. */
static int marker_line(const char *rel, const char *call)
{
	char path[PATH_MAX * 2], mark[64], line[512];
	snprintf(path, sizeof(path), "%s/%s", rootdir, rel);
	snprintf(mark, sizeof(mark), "STACK:%s */", call);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int no = 0, found = 0;
	while (fgets(line, sizeof(line), f)) {
		no++;
		if (strstr(line, mark)) {
			found = no;
			break;
		}
	}
	fclose(f);
	assert_true(found > 0);
	return found;
}

static int ends_with(const char *s, const char *tail)
{
	if (!s)
		return 0;
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && !strcmp(s + a - b, tail);
}

static void set_bit(uint64_t *bm, long nr)
{
	bm[nr / 64] |= 1ull << (nr % 64);
}

/* Runs argv under a session with stacks; returns what the sink saw. */
static struct rec *trace(char *const argv[], int depth, int lines)
{
	static uint64_t bm[8];
	memset(bm, 0, sizeof(bm));
	set_bit(bm, SYS_getppid);
	set_bit(bm, SYS_getpgrp);
	set_bit(bm, SYS_getsid);
	set_bit(bm, SYS_umask);
	set_bit(bm, SYS_getuid);
	set_bit(bm, SYS_getpgid);
	struct rec *rc = calloc(1, sizeof(*rc));
	assert_non_null(rc);
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.follow_forks = 1;
	cfg.stack_depth = depth;
	cfg.stack_lines = lines;
	cfg.syscall_bitmap = bm;
	cfg.syscall_bitmap_words = 8;
	cfg.stack_nodebug = rec_nodebug;
	cfg.stack_nodebug_ctx = rc;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	struct scry_sink sink = { .event = rec_event, .ctx = rc };
	assert_int_equal(scry_session_add_sink(s, &sink), 0);
	pid_t pid;
	assert_int_equal(scry_session_launch(s, argv, &pid), 0);
	assert_int_equal(scry_session_run(s), 0);
	int st = scry_session_launched_status(s);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	scry_session_free(s);
	return rc;
}

static const struct stack_rec *find(const struct rec *rc, const char *call)
{
	for (int i = 0; i < rc->n; i++)
		if (!strcmp(rc->r[i].call, call))
			return &rc->r[i];
	fail_msg("no stack for %s", call);
	return NULL;
}

/* The non-runtime frames of r, innermost first, must be named fns...
 * (NULL-terminated; "" = a frame whose function is unknown). */
static void assert_callers(const struct stack_rec *r, const char *const *fns)
{
	unsigned i = 0;
	for (int k = 0; fns[k]; k++) {
		while (i < r->nframes && (r->f[i].flags & SCRY_FRAME_RUNTIME))
			i++;
		if (i >= r->nframes)
			fail_msg("%s: %u frames, caller %d (%s) missing", r->call, r->nframes, k, fns[k]);
		const char *got = r->f[i].function ? r->f[i].function : "";
		if (strcmp(got, fns[k]))
			fail_msg("%s: frame %u is %s, expected %s", r->call, i, got, fns[k]);
		i++;
	}
}

/* The source frame names file:line in function, marked in file src. */
static void assert_source(const struct stack_rec *r, const char *fn, const char *src)
{
	assert_true(r->source >= 0 && (unsigned)r->source < r->nframes);
	const struct frame_copy *f = &r->f[r->source];
	assert_non_null(f->function);
	assert_string_equal(f->function, fn);
	if (!ends_with(f->file, src))
		fail_msg("%s: source file %s, expected .../%s", r->call, f->file ? f->file : "(null)", src);
	assert_int_equal(f->line, marker_line(src, r->call));
	assert_false(f->flags & (SCRY_FRAME_RUNTIME | SCRY_FRAME_NO_DEBUGINFO | SCRY_FRAME_UNKNOWN));
	assert_true(r->exit_seen && r->exit_same);
}

static void check_debug_build(const char *prog, int with_exec)
{
	char path[PATH_MAX * 2], execpath[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/progs/%s", builddir, prog);
	snprintf(execpath, sizeof(execpath), "%s/progs/stack_exec", builddir);
	char *argv_exec[] = { path, "exec", execpath, NULL };
	char *argv_plain[] = { path, NULL };
	struct rec *rc = trace(with_exec ? argv_exec : argv_plain, 64, 1);
	assert_int_equal(rc->enters_without_stack, 0);

	const struct stack_rec *r = find(rc, "getppid");
	assert_true(r->f[0].flags & SCRY_FRAME_RUNTIME);   /* libc's getppid */
	assert_source(r, "inner_static", "tests/progs/stack_main.c");
	assert_callers(r, (const char *const[]){ "inner_static", "outer_global", "main", NULL });
	assert_true(ends_with(r->f[r->source].object, prog));
	assert_int_equal(r->truncated, 0);

	/* inlined twice: the source names the innermost inlined function's
	 * line; each inlined function is a frame of its own (INLINED, same
	 * address) at the line it made the next call from, then the
	 * physical frame at the line the outermost was inlined from */
	r = find(rc, "getpgid");
	assert_source(r, "inl_leaf", "tests/progs/stack_main.c");
	assert_callers(r, (const char *const[]){ "inl_leaf", "inl_mid", "inl_outer", "main", NULL });
	{
		int s0 = r->source;
		assert_true(r->f[s0].flags & SCRY_FRAME_INLINED);
		assert_true(r->f[s0 + 1].flags & SCRY_FRAME_INLINED);
		assert_false(r->f[s0 + 2].flags & SCRY_FRAME_INLINED);
		assert_int_equal(r->f[s0 + 1].line, marker_line("tests/progs/stack_main.c", "inl_leaf"));
		assert_int_equal(r->f[s0 + 2].line, marker_line("tests/progs/stack_main.c", "inl_mid"));
		assert_true(r->f[s0].addr == r->f[s0 + 2].addr && r->f[s0 + 1].addr == r->f[s0 + 2].addr);
		assert_true(r->f[s0 + 2].offset > 0);
	}

	r = find(rc, "getpgrp");
	assert_source(r, "stacklib_call", "tests/progs/stack_libs/stacklib.c");
	assert_true(ends_with(r->f[r->source].object, "/libstacklib.so"));
	assert_callers(r, (const char *const[]){ "stacklib_call", "main", NULL });

	r = find(rc, "umask");
	assert_source(r, "thread_fn", "tests/progs/stack_main.c");
	assert_true(r->tid != 0);

	/* dlopen'ed after the process's modules were first read */
	r = find(rc, "getsid");
	assert_source(r, "plugin_inner", "tests/progs/stack_libs/stackplugin.c");
	assert_true(ends_with(r->f[r->source].object, "/libstackplugin.so"));
	assert_callers(r, (const char *const[]){ "plugin_inner", "stackplugin_call", "call_plugin", "main", NULL });

	if (with_exec) {
		/* a new image: its own modules, not the old ones */
		r = find(rc, "getuid");
		assert_source(r, "after_exec", "tests/progs/stack_exec.c");
		assert_true(ends_with(r->f[r->source].object, "/stack_exec"));
		assert_callers(r, (const char *const[]){ "after_exec", "main", NULL });
	}
	/* the program has debug info: it is not said to lack it */
	for (int i = 0; i < rc->nnodebug; i++)
		assert_false(ends_with(rc->nodebug[i], prog));
	rec_free(rc);
}

static void test_pie_debug(void **state)
{
	check_debug_build("stack_main", 1);
}

static void test_nopie_debug(void **state)
{
	check_debug_build("stack_main_nopie", 0);
}

/* Without -g: names from .symtab, no lines; "no debug info" said once. */
static void test_nodebug(void **state)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/progs/stack_main_nodebug", builddir);
	char *argv[] = { path, NULL };
	struct rec *rc = trace(argv, 64, 1);
	const struct stack_rec *r = find(rc, "getppid");
	assert_callers(r, (const char *const[]){ "inner_static", "outer_global", "main", NULL });
	/* no frame of the program has a line: the source frame is the first
	 * that is not the C library's */
	assert_true(r->source >= 0);
	const struct frame_copy *f = &r->f[r->source];
	assert_string_equal(f->function, "inner_static");
	assert_null(f->file);
	assert_int_equal(f->line, 0);
	assert_true(f->flags & SCRY_FRAME_NO_DEBUGINFO);
	assert_true(f->offset > 0 && f->offset < 256);
	/* the library has lines though */
	r = find(rc, "getpgrp");
	assert_source(r, "stacklib_call", "tests/progs/stack_libs/stacklib.c");
	int said = 0;
	for (int i = 0; i < rc->nnodebug; i++)
		said += ends_with(rc->nodebug[i], "/stack_main_nodebug");
	assert_int_equal(said, 1);
	rec_free(rc);
}

/* Stripped: .dynsym names where there are some (outer_global, exported
 * with -rdynamic), else the object and an offset. */
static void test_stripped(void **state)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/progs/stack_main_stripped", builddir);
	char *argv[] = { path, NULL };
	struct rec *rc = trace(argv, 64, 1);
	const struct stack_rec *r = find(rc, "getppid");
	/* main is exported too */
	assert_callers(r, (const char *const[]){ "", "outer_global", "main", NULL });
	assert_true(r->source >= 0);
	const struct frame_copy *f = &r->f[r->source];
	assert_null(f->function);
	assert_true(ends_with(f->object, "/stack_main_stripped"));
	assert_true(f->flags & SCRY_FRAME_NO_DEBUGINFO);
	assert_true(f->object_offset > 0);
	assert_int_equal(f->line, 0);
	rec_free(rc);
}

/* stack_lines = 0: names, no lines; the depth limit truncates (1). */
static void test_no_lines_and_depth(void **state)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/progs/stack_main", builddir);
	char *argv[] = { path, NULL };
	struct rec *rc = trace(argv, 64, 0);
	const struct stack_rec *r = find(rc, "getppid");
	assert_callers(r, (const char *const[]){ "inner_static", "outer_global", "main", NULL });
	for (unsigned i = 0; i < r->nframes; i++) {
		assert_null(r->f[i].file);
		assert_int_equal(r->f[i].line, 0);
	}
	rec_free(rc);

	rc = trace(argv, 2, 1);
	r = find(rc, "getppid");
	assert_int_equal(r->nframes, 2);
	assert_int_equal(r->truncated, 1);
	assert_string_equal(r->f[1].function, "inner_static");
	assert_int_equal(r->source, 1);
	rec_free(rc);
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return -1;
	}
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out);
}

/* An executable deleted before its first traced call: its frames named
 * from the pages still mapped (once UNKNOWN, without names or lines). */
static void test_deleted_executable(void **state)
{
	char dir[] = "/tmp/scry-unwind-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char from[PATH_MAX * 2], to[PATH_MAX * 2];
	const char *files[] = { "stack_main", "libstacklib.so", "libstackplugin.so" };
	for (int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s/progs/%s", builddir, files[i]);
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		assert_int_equal(copy_file(from, to), 0);
	}
	snprintf(to, sizeof(to), "%s/stack_main", dir);
	assert_int_equal(chmod(to, 0755), 0);
	char *argv[] = { to, "unlink", NULL };
	struct rec *rc = trace(argv, 64, 1);
	const struct stack_rec *r = find(rc, "getppid");
	assert_true(r->nframes >= 2);
	assert_true(r->f[0].flags & SCRY_FRAME_RUNTIME);
	/* its symbols and lines read through /proc/PID/map_files or
	 * /proc/PID/exe: the object keeps the name the maps give it */
	assert_non_null(r->f[1].object);
	assert_non_null(strstr(r->f[1].object, "(deleted)"));
	assert_false(r->f[1].flags & SCRY_FRAME_UNKNOWN);
	assert_source(r, "inner_static", "tests/progs/stack_main.c");
	assert_callers(r, (const char *const[]){ "inner_static", "outer_global", "main", NULL });
	assert_int_equal(r->truncated, 0);
	/* the library beside it is still whole */
	r = find(rc, "getpgrp");
	assert_source(r, "stacklib_call", "tests/progs/stack_libs/stacklib.c");
	rec_free(rc);
	for (int i = 1; i < 3; i++) {
		snprintf(to, sizeof(to), "%s/%s", dir, files[i]);
		unlink(to);
	}
	rmdir(dir);
}

/* C++: the name demangled (libiberty), when scry was built with it. */
static void test_cxx_demangled(void **state)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/progs/stack_cxx", builddir);
	char *argv[] = { path, NULL };
	struct rec *rc = trace(argv, 64, 1);
	const struct stack_rec *r = find(rc, "getppid");
#ifdef SCRY_HAVE_IBERTY
	assert_source(r, "shop::Ledger::flush(int)", "tests/progs/stack_libs/stack_cxx.cc");
#else
	assert_source(r, "_ZN4shop6Ledger5flushEi", "tests/progs/stack_libs/stack_cxx.cc");
#endif
	assert_callers(r, (const char *const[]){ r->f[r->source].function, "main", NULL });
	rec_free(rc);
}

static void check_demangled(const char *mangled, const char *want)
{
	char *d = unwind_demangle(mangled);
	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
}

/* Names as frames show them: versions dropped; C++ and Rust (legacy, its
 * hash left out, and v0) demangled by libiberty when scry has it. */
static void test_demangle_names(void **state)
{
	check_demangled("__libc_start_main@@GLIBC_2.34", "__libc_start_main");
	check_demangled("plain_c", "plain_c");
	check_demangled("_Rnot_really", "_Rnot_really");
#ifdef SCRY_HAVE_IBERTY
	check_demangled("_ZN4shop6Ledger5flushEi", "shop::Ledger::flush(int)");
	check_demangled("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write");
	check_demangled("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h7f1f3b6a2b3c4d5eE",
			"std::rt::lang_start::{{closure}}");
	check_demangled("_RNvCs15kBYyAo9fc_7mycrate7example", "mycrate::example");
	check_demangled("_RNvNtCs1234_7mycrate3foo3bar", "mycrate::foo::bar");
	check_demangled("_ZN4shop6Ledger5flushEi@@V_1", "shop::Ledger::flush(int)");
#else
	check_demangled("_ZN4shop6Ledger5flushEi", "_ZN4shop6Ledger5flushEi");
#endif
}

__attribute__((noinline)) static int self_marker(int x)
{
	return x * 7 + 3;
}

/* This thread's registers, more or less: a pc in self_marker and the
 * current stack (enough to make the unwinder build this process's Dwfl). */
static void self_regs(uint64_t *have, uint64_t regs[UNWIND_NREGS], uint64_t pc)
{
	memset(regs, 0, sizeof(uint64_t) * UNWIND_NREGS);
#if defined(__x86_64__)
	regs[16] = pc;
	regs[7] = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	*have = (1ull << 17) - 1;
#elif defined(__aarch64__)
	regs[32] = pc;
	regs[31] = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	*have = (1ull << 33) - 1;
#endif
}

/*
 * The Dwfl is refreshed when a pc lies outside every module (JIT code) and
 * the maps changed: a library dlclose'd in between is removed then.  (The
 * removal callback once freed the module's userdata slot instead of the
 * userdata: a crash at the first refresh that removed a module.)  The pc
 * in anonymous code is UNKNOWN, with no object and no function.
 */
static void test_refresh_jit_and_removed_module(void **state)
{
	struct unwinder *u;
	assert_int_equal(unwinder_new(&u), 0);
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/progs/libstackplugin.so", builddir);
	void *h = dlopen(path, RTLD_NOW);
	assert_non_null(h);
	uint64_t have, regs[UNWIND_NREGS];
	struct scry_frame frames[8];
	struct scry_stack st;
	pid_t pid = getpid(), tid = (pid_t)syscall(SYS_gettid);
	self_regs(&have, regs, (uint64_t)(uintptr_t)&self_marker + 1);
	assert_int_equal(unwinder_unwind(u, pid, tid, have, regs, NULL, NULL, 1, frames, 8, &st), 0);
	assert_true(st.nframes >= 1);
	assert_non_null(frames[0].function);
	assert_string_equal(frames[0].function, "self_marker");
	assert_int_equal(frames[0].offset, 1);
	assert_true(ends_with(frames[0].object, "/test_unwind"));

	/* mapped while the library still is, so not where it was */
	void *jit = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(jit != MAP_FAILED);
	assert_int_equal(dlclose(h), 0);
	self_regs(&have, regs, (uint64_t)(uintptr_t)jit + 16);
	assert_int_equal(unwinder_unwind(u, pid, tid, have, regs, NULL, NULL, 1, frames, 8, &st), 0);
	assert_true(st.nframes >= 1);
	assert_true(frames[0].flags & SCRY_FRAME_UNKNOWN);
	assert_null(frames[0].function);
	assert_null(frames[0].object);
	assert_int_equal(frames[0].addr, (uint64_t)(uintptr_t)jit + 16);

	/* and the program's own code still resolves after the refresh */
	self_regs(&have, regs, (uint64_t)(uintptr_t)&self_marker + 2);
	assert_int_equal(unwinder_unwind(u, pid, tid, have, regs, NULL, NULL, 1, frames, 8, &st), 0);
	assert_string_equal(frames[0].function, "self_marker");
	munmap(jit, 4096);
	unwinder_free(u);
	assert_int_equal(self_marker(1), 10);
}

/* This process's /proc/self/maps, without the lines that name drop (or
 * whole with NULL); malloc'd. */
static char *own_maps(const char *drop, size_t *len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	assert_non_null(f);
	size_t cap = 1 << 20, n = 0;
	char *out = malloc(cap), line[4096];
	assert_non_null(out);
	while (fgets(line, sizeof(line), f)) {
		if (drop && strstr(line, drop))
			continue;
		size_t l = strlen(line);
		assert_true(n + l < cap);
		memcpy(out + n, line, l);
		n += l;
	}
	fclose(f);
	*len = n;
	return out;
}

/*
 * unwinder_set_maps() (the bpf backend: mappings the kernel sent): a
 * process that is gone is still symbolized from the mappings given for it,
 * and for a live one the given mappings are used, not /proc/PID/maps; after
 * unwinder_forget() nothing is left of them.
 */
static void test_given_maps(void **state)
{
	struct unwinder *u;
	assert_int_equal(unwinder_new(&u), 0);
	struct scry_frame f;
	uint64_t pc = (uint64_t)(uintptr_t)&self_marker + 1;

	/* a child that has exited and been reaped: its maps were ours */
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitpid(child, NULL, 0), child);
	assert_int_equal(unwinder_resolve(u, child, pc, 0, &f), 0);
	assert_null(f.function);
	unwinder_forget(u, child);
	size_t len;
	char *maps = own_maps(NULL, &len);
	assert_int_equal(unwinder_set_maps(u, child, maps, len), 0);
	assert_int_equal(unwinder_resolve(u, child, pc, 0, &f), 0);
	assert_non_null(f.function);
	assert_string_equal(f.function, "self_marker");
	assert_true(ends_with(f.object, "/test_unwind"));
	unwinder_forget(u, child);
	assert_int_equal(unwinder_resolve(u, child, pc, 0, &f), 0);
	assert_null(f.function);
	free(maps);

	/* a live process: what was given, not /proc (here without this
	 * program's own lines, so its code is known to none) */
	pid_t pid = getpid();
	maps = own_maps("/test_unwind", &len);
	assert_int_equal(unwinder_set_maps(u, pid, maps, len), 0);
	assert_int_equal(unwinder_resolve(u, pid, pc, 0, &f), 0);
	assert_null(f.function);
	free(maps);
	/* given again, whole: the module is back at once */
	maps = own_maps(NULL, &len);
	assert_int_equal(unwinder_set_maps(u, pid, maps, len), 0);
	assert_int_equal(unwinder_resolve(u, pid, pc, 0, &f), 0);
	assert_non_null(f.function);
	assert_string_equal(f.function, "self_marker");
	free(maps);
	unwinder_free(u);
}

/* A return address in the function that calls this one. */
__attribute__((noinline)) static uint64_t return_address(void)
{
	return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

/*
 * unwinder_symbolize(), bpf's --stack-mode fp: addresses the kernel walked
 * named as an unwind names its frames: the first as the pc, the others as
 * return addresses (their call's line); a 0 ends the chain; max frames at
 * most, truncated = 1 beyond.
 */
static void test_symbolize(void **state)
{
	struct unwinder *u;
	struct scry_frame fr[8];
	struct scry_stack st;
	uint64_t pcs[4] = { (uint64_t)(uintptr_t)&self_marker + 1, return_address(), 0, 0x1234 };

	assert_int_equal(unwinder_new(&u), 0);
	assert_int_equal(unwinder_symbolize(u, getpid(), pcs, 4, 1, fr, 8, &st), 0);
	assert_int_equal(st.nframes, 2);
	assert_ptr_equal(st.frames, fr);
	assert_string_equal(fr[0].function, "self_marker");
	assert_int_equal(fr[0].offset, 1);
	assert_string_equal(fr[1].function, "test_symbolize");
	assert_true(ends_with(fr[1].object, "/test_unwind"));
	assert_non_null(fr[1].file);
	assert_true(ends_with(fr[1].file, "test_unwind.c"));
	assert_true(fr[1].line > 0);
	assert_int_equal(st.source, 0);
	assert_int_equal(st.truncated, 0);
	/* without lines, and cut at max */
	assert_int_equal(unwinder_symbolize(u, getpid(), pcs, 2, 0, fr, 1, &st), 0);
	assert_int_equal(st.nframes, 1);
	assert_int_equal(st.truncated, 1);
	assert_string_equal(fr[0].function, "self_marker");
	unwinder_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pie_debug),
		cmocka_unit_test(test_nopie_debug),
		cmocka_unit_test(test_nodebug),
		cmocka_unit_test(test_stripped),
		cmocka_unit_test(test_no_lines_and_depth),
		cmocka_unit_test(test_deleted_executable),
		cmocka_unit_test(test_refresh_jit_and_removed_module),
		cmocka_unit_test(test_given_maps),
		cmocka_unit_test(test_symbolize),
		cmocka_unit_test(test_cxx_demangled),
		cmocka_unit_test(test_demangle_names),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
