/*
 * Stacks under the bpf backend (issue 13): each call carries its registers
 * and a copy of its stack from the kernel and is unwound in user space by
 * the same code as under ptrace.  tests/progs/stack_hold makes its calls
 * from lines marked STACK:<call> and stays alive until the sink has seen
 * them (the unwinder reads the live process's maps); launched and attached,
 * the source frame of each call must be the marked line, and the frames the
 * same as ptrace's.  Needs root (or CAP_BPF + CAP_PERFMON) and kernel BTF;
 * skipped with the reason elsewhere.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "scry/scry.h"

#define MAXF 16

struct seen_call {
	int seen;
	unsigned nframes;
	int source, truncated;
	char fn[MAXF][64];	/* "" when unknown */
	char file[256];
	int line;
};

struct rec {
	struct seen_call getppid, umask;
	int release_fd;		/* closed once umask's exit is seen */
	int without_stack;
};

static int rec_event(void *ctx, const struct scry_event *ev)
{
	struct rec *rc = ctx;
	const struct scry_call *c = &ev->u.call;
	struct seen_call *sc;

	if ((ev->type != SCRY_EV_CALL_ENTER && ev->type != SCRY_EV_CALL_EXIT) || !c->name)
		return 0;
	sc = !strcmp(c->name, "getppid") ? &rc->getppid : !strcmp(c->name, "umask") ? &rc->umask : NULL;
	if (!sc)
		return 0;
	if (ev->type == SCRY_EV_CALL_EXIT) {
		if (sc == &rc->umask && rc->release_fd >= 0) {
			close(rc->release_fd);
			rc->release_fd = -1;
		}
		return 0;
	}
	if (!c->stack) {
		rc->without_stack++;
		return 0;
	}
	sc->seen = 1;
	sc->nframes = c->stack->nframes;
	sc->source = c->stack->source;
	sc->truncated = c->stack->truncated;
	for (unsigned i = 0; i < c->stack->nframes && i < MAXF; i++) {
		const char *fn = c->stack->frames[i].function;
		snprintf(sc->fn[i], sizeof(sc->fn[i]), "%s", fn ? fn : "");
	}
	if (sc->source >= 0) {
		const struct scry_frame *f = &c->stack->frames[sc->source];
		snprintf(sc->file, sizeof(sc->file), "%s", f->file ? f->file : "");
		sc->line = f->line;
	}
	return 0;
}

static char builddir[PATH_MAX], rootdir[PATH_MAX];
static char skip_reason[256];

/* The line of tests/progs/stack_hold.c with the marker of call. */
static int marker_line(const char *call)
{
	char path[PATH_MAX * 2], mark[64], line[512];
	int no = 0, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/progs/stack_hold.c", rootdir);
	snprintf(mark, sizeof(mark), "STACK:%s */", call);
	f = fopen(path, "r");
	assert_non_null(f);
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

static void set_bit(uint64_t *bm, long nr)
{
	bm[nr / 64] |= 1ull << (nr % 64);
}

/*
 * Runs stack_hold under backend, launched or attached, stdin a pipe: one
 * byte once traced, EOF once umask returned.  0, or -1 (with the reason in
 * skip_reason) when bpf cannot run here.
 */
static int run(int backend, int attach, size_t stack_bytes, struct rec *rc)
{
	static uint64_t bm[8];
	char prog[PATH_MAX * 2], why[256] = "";
	char *argv[] = { prog, NULL };
	struct scry_config cfg = SCRY_CONFIG_INIT;
	struct scry_session *s;
	struct scry_sink sink = { .event = rec_event, .ctx = rc };
	int p[2], st;
	pid_t pid = -1;

	memset(bm, 0, sizeof(bm));
	set_bit(bm, SYS_getppid);
	set_bit(bm, SYS_umask);
	snprintf(prog, sizeof(prog), "%s/progs/stack_hold", builddir);
	memset(rc, 0, sizeof(*rc));
	cfg.backend = backend;
	cfg.stack_depth = 64;
	cfg.stack_lines = 1;
	cfg.bpf_stack_bytes = stack_bytes;
	cfg.syscall_bitmap = bm;
	cfg.syscall_bitmap_words = 8;
	cfg.why = why;
	cfg.why_len = sizeof(why);
	if (scry_session_new(&s, &cfg) < 0) {
		snprintf(skip_reason, sizeof(skip_reason), "%s", why);
		return -1;
	}
	assert_int_equal(scry_session_add_sink(s, &sink), 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	rc->release_fd = p[1];
	if (attach) {
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(p[0], 0);
			close(p[0]);
			close(p[1]);
			execv(prog, argv);
			_exit(127);
		}
		struct scry_attach_error ae;
		memset(&ae, 0, sizeof(ae));
		assert_int_equal(scry_session_attach(s, pid, &ae), 0);
	} else {
		/* the launched command inherits our stdin: the pipe, for now */
		int saved = dup(0);
		assert_true(saved >= 0);
		dup2(p[0], 0);
		assert_int_equal(scry_session_launch(s, argv, &pid), 0);
		dup2(saved, 0);
		close(saved);
	}
	close(p[0]);
	assert_int_equal(write(p[1], "g", 1), 1);
	assert_int_equal(scry_session_run(s), 0);
	if (rc->release_fd >= 0)
		close(rc->release_fd);
	if (attach) {
		/* our child: the session may have reaped it already */
		if (waitpid(pid, &st, 0) == pid)
			assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		else
			assert_int_equal(errno, ECHILD);
	} else {
		st = scry_session_launched_status(s);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	scry_session_free(s);
	return 0;
}

static void assert_marked(const struct seen_call *sc, const char *call, const char *fn)
{
	size_t n = strlen(sc->file), t = strlen("tests/progs/stack_hold.c");

	if (!sc->seen)
		fail_msg("%s: no stack", call);
	assert_true(sc->source >= 0);
	if (strcmp(sc->fn[sc->source], fn))
		fail_msg("%s: source frame %s, expected %s", call, sc->fn[sc->source], fn);
	assert_true(n >= t && !strcmp(sc->file + n - t, "tests/progs/stack_hold.c"));
	assert_int_equal(sc->line, marker_line(call));
	assert_int_equal(sc->truncated, 0);
}

/* bpf's frames are ptrace's, frame for frame. */
static void assert_same(const struct seen_call *b, const struct seen_call *p, const char *call)
{
	assert_int_equal(b->nframes, p->nframes);
	for (unsigned i = 0; i < b->nframes && i < MAXF; i++)
		if (strcmp(b->fn[i], p->fn[i]))
			fail_msg("%s: frame %u is %s under bpf, %s under ptrace", call, i, b->fn[i], p->fn[i]);
	assert_string_equal(b->file, p->file);
	assert_int_equal(b->line, p->line);
}

static void check(int attach)
{
	struct rec b, p;

	if (run(SCRY_BACKEND_BPF, attach, 0, &b) < 0)
		skip();
	assert_int_equal(b.without_stack, 0);
	assert_marked(&b.getppid, "getppid", "hold_inner");
	assert_marked(&b.umask, "umask", "hold_umask");
	/* the callers above the source frame, up to main */
	assert_string_equal(b.getppid.fn[b.getppid.source + 1], "hold_outer");
	assert_string_equal(b.getppid.fn[b.getppid.source + 2], "main");
	assert_int_equal(run(SCRY_BACKEND_PTRACE, attach, 0, &p), 0);
	assert_same(&b.getppid, &p.getppid, "getppid");
	assert_same(&b.umask, &p.umask, "umask");
}

static void test_launched(void **state)
{
	check(0);
}

static void test_attached(void **state)
{
	check(1);
}

/* The smallest copy still reaches the program's frames here (they are
 * near the top of the stack), and names the same lines. */
static void test_small_copy(void **state)
{
	struct rec b;

	if (run(SCRY_BACKEND_BPF, 0, 512, &b) < 0)
		skip();
	assert_marked(&b.getppid, "getppid", "hold_inner");
	assert_marked(&b.umask, "umask", "hold_umask");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_launched),
		cmocka_unit_test(test_attached),
		cmocka_unit_test(test_small_copy),
	};
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int r;

	if (n <= 0)
		return 1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';            /* build/tests */
	*strrchr(self, '/') = '\0';            /* build */
	snprintf(builddir, sizeof(builddir), "%s", self);
	*strrchr(self, '/') = '\0';            /* the root */
	snprintf(rootdir, sizeof(rootdir), "%s", self);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (skip_reason[0])
		fprintf(stderr, "test_stack_bpf: skipped: %s\n", skip_reason);
	return r;
}
