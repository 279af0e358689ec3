/*
 * Unit tests of the bpf backend's statistics mode (src/bpf/bpf_backend.c,
 * src/bpf/syscount.bpf.c).  They need root (or CAP_BPF + CAP_PERFMON) and
 * kernel BTF; elsewhere, or in a build without bpf, every test is skipped
 * with the reason.
 *
 * Workloads are children forked from this test that wait on a pipe until
 * their pid is traced, so the exact number of getppid/openat/nanosleep
 * calls they make is known; the pipe read itself may or may not be
 * counted, and no test looks at read.  The launch test re-executes this
 * binary (/proc/self/exe --child ...) through scry_bpf_launch().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "bpf/bpf_backend.h"

enum { N_GETPPID = 1000, M_OPENAT = 7, K_SLEEPS = 20, K_GRANDCHILD = 333 };

static char skip_reason[256];

/* ---- workloads (run in children) ---- */

static void work(long n, long m, long k)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < m; i++)
		syscall(SYS_openat, AT_FDCWD, "/nonexistent/scry-test-bpf", O_RDONLY);
	for (long i = 0; i < k; i++)
		syscall(SYS_nanosleep, &ts, NULL);
}

/* A child that does fn(arg) once released through the returned pipe fd. */
static pid_t fork_waiting(int *release_fd, void (*fn)(long), long arg)
{
	int p[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 0)
			_exit(3);
		fn(arg);
		_exit(0);
	}
	close(p[0]);
	*release_fd = p[1];
	return pid;
}

static void known_calls(long unused)
{
	work(N_GETPPID, M_OPENAT, 0);
}

static void sleeps(long unused)
{
	work(0, 0, K_SLEEPS);
}

/* Forks a grandchild whose first call is a getppid; reports its pid. */
static void forks_grandchild(long report_fd)
{
	pid_t g = fork();
	int status;

	if (g == 0) {
		work(K_GRANDCHILD, 0, 0);
		_exit(0);
	}
	if (write((int)report_fd, &g, sizeof(g)) != sizeof(g))
		_exit(4);
	waitpid(g, &status, 0);
}

/* Adds a forked child, releases it, waits for every traced process. */
static void run_traced(struct scry_bpf *b, void (*fn)(long), long arg)
{
	int rel, status;
	pid_t pid = fork_waiting(&rel, fn, arg);

	assert_int_equal(scry_bpf_add_pid(b, pid), 0);
	close(rel);
	assert_int_equal(scry_bpf_wait(b, 30000), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static struct scry_bpf *open_or_fail(const struct scry_bpf_opts *o)
{
	struct scry_bpf *b = NULL;
	char why[256] = "";
	int r = scry_bpf_open(&b, o, why, sizeof(why));

	if (r)
		fail_msg("scry_bpf_open: %s (%s)", strerror(-r), why);
	return b;
}

/* ---- tests ---- */

/*
 * Every row's histogram holds all its calls, whether the buckets went to a
 * whole-histogram slot (the default), to the hash (no slots), or both (one
 * slot: the first syscall takes it, the others hash).
 */
static void exact_counts(int hist_slots)
{
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	struct scry_bpf *b;
	const struct scry_stats_row *row;
	struct scry_stats st;

	o.hist_slots = hist_slots;
	b = open_or_fail(&o);
	run_traced(b, known_calls, 0);
	scry_stats_init(&st, 0);
	assert_int_equal(scry_bpf_read(b, &st), 0);
	row = scry_stats_lookup(&st, 0, SYS_getppid);
	assert_non_null(row);
	assert_int_equal(row->calls, N_GETPPID);
	assert_int_equal(row->errors, 0);
	assert_int_equal(row->hist->count, N_GETPPID);
	assert_true(row->min_ns <= row->max_ns);
	assert_true(row->total_ns >= row->min_ns * N_GETPPID);
	row = scry_stats_lookup(&st, 0, SYS_openat);
	assert_non_null(row);
	assert_int_equal(row->calls, M_OPENAT);
	assert_int_equal(row->errors, M_OPENAT);
	assert_int_equal(row->hist->count, M_OPENAT);
	/* nothing of this process (the tracer) was counted */
	assert_null(scry_stats_lookup(&st, 0, SYS_bpf));
	assert_int_equal(scry_bpf_lost(b), 0);

	/* reset empties the kernel's counts, histograms included */
	assert_int_equal(scry_bpf_reset(b), 0);
	scry_stats_release(&st);
	assert_int_equal(scry_bpf_read(b, &st), 0);
	assert_int_equal(scry_stats_nr_rows(&st), 0);
	scry_stats_release(&st);
	run_traced(b, known_calls, 0);
	scry_stats_init(&st, 0);
	assert_int_equal(scry_bpf_read(b, &st), 0);
	row = scry_stats_lookup(&st, 0, SYS_getppid);
	assert_non_null(row);
	assert_int_equal(row->calls, N_GETPPID);
	assert_int_equal(row->hist->count, N_GETPPID);
	row = scry_stats_lookup(&st, 0, SYS_openat);
	assert_non_null(row);
	assert_int_equal(row->hist->count, M_OPENAT);
	scry_stats_release(&st);
	scry_bpf_close(b);
}

static void test_exact_counts(void **state)
{
	exact_counts(0);
}

static void test_exact_counts_one_hist_slot(void **state)
{
	exact_counts(1);
}

static void test_exact_counts_no_hist_slots(void **state)
{
	exact_counts(-1);
}

static void test_launch(void **state)
{
	struct scry_bpf_opts o = { .per_process = 1 };
	struct scry_bpf *b = open_or_fail(&o);
	char *argv[] = { "/proc/self/exe", "--child", NULL };
	char *bad[] = { "scry-no-such-program-here", NULL };
	const struct scry_stats_row *row;
	struct scry_stats st;
	pid_t pid = 0;
	int status;

	assert_int_equal(scry_bpf_launch(b, bad, &pid), -ENOENT);
	assert_int_equal(scry_bpf_launch(b, argv, &pid), 0);
	assert_true(pid > 0);
	assert_int_equal(scry_bpf_wait(b, 30000), 0);
	status = scry_bpf_launched_status(b);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	scry_stats_init(&st, 1);
	assert_int_equal(scry_bpf_read(b, &st), 0);
	row = scry_stats_lookup(&st, pid, SYS_getppid);
	assert_non_null(row);
	assert_int_equal(row->calls, N_GETPPID);
	/* the dynamic loader's openat calls come on top of ours */
	row = scry_stats_lookup(&st, pid, SYS_openat);
	assert_non_null(row);
	assert_true(row->errors >= M_OPENAT);
	/* counted from the exec on: one execve, none of scry's read */
	row = scry_stats_lookup(&st, pid, SYS_execve);
	assert_non_null(row);
	assert_int_equal(row->calls, 1);
	scry_stats_release(&st);
	scry_bpf_close(b);
}

static void test_follow_forks(void **state)
{
	for (int follow = 1; follow >= 0; follow--) {
		struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
		struct scry_bpf *b;
		const struct scry_stats_row *row;
		struct scry_stats st;
		int rep[2];
		pid_t g = 0;

		o.follow_forks = follow;
		o.per_process = 1;
		b = open_or_fail(&o);
		assert_int_equal(pipe(rep), 0);
		run_traced(b, forks_grandchild, rep[1]);
		assert_int_equal(read(rep[0], &g, sizeof(g)), (ssize_t)sizeof(g));
		close(rep[0]);
		close(rep[1]);

		scry_stats_init(&st, 1);
		assert_int_equal(scry_bpf_read(b, &st), 0);
		row = scry_stats_lookup(&st, g, SYS_getppid);
		if (follow) {
			/* its first call (a getppid) was counted too */
			assert_non_null(row);
			assert_int_equal(row->calls, K_GRANDCHILD);
		} else {
			assert_null(row);
		}
		scry_stats_release(&st);
		scry_bpf_close(b);
	}
}

static void test_sleep_percentiles(void **state)
{
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	struct scry_bpf *b = open_or_fail(&o);
	const struct scry_stats_row *row;
	struct scry_stats st;
	const double ps[] = { 0, 50, 90 };

	run_traced(b, sleeps, 0);
	scry_stats_init(&st, 0);
	assert_int_equal(scry_bpf_read(b, &st), 0);
	row = scry_stats_lookup(&st, 0, SYS_nanosleep);
	assert_non_null(row);
	assert_int_equal(row->calls, K_SLEEPS);
	/*
	 * A sleep never ends early, and the percentiles sit between the
	 * smallest and the largest latency, in order.  How late a sleep ends
	 * is the machine's business (no upper bound but the unit's: seconds
	 * would mean microseconds were taken for nanoseconds).
	 */
	uint64_t prev = 0;
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t v = scry_stats_row_percentile(row, ps[i]);

		if (v < 10000000 || v > 1000000000 || v < prev)
			fail_msg("nanosleep(10 ms) p%g = %llu ns", ps[i], (unsigned long long)v);
		prev = v;
	}
	assert_true(row->min_ns >= 10000000);
	assert_true(scry_stats_row_percentile(row, 99) >= prev);
	assert_true(row->max_ns >= scry_stats_row_percentile(row, 99));
	scry_stats_release(&st);
	scry_bpf_close(b);
}

static void test_filter(void **state)
{
	uint64_t nrs[16];
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	struct scry_bpf *b;
	struct scry_stats st;
	const struct scry_stats_row *row;

	memset(nrs, 0xff, sizeof(nrs));
	nrs[SYS_getppid / 64] &= ~(1ULL << (SYS_getppid % 64));
	o.nrs = nrs;
	o.nr_words = sizeof(nrs) / sizeof(nrs[0]);
	b = open_or_fail(&o);
	run_traced(b, known_calls, 0);
	scry_stats_init(&st, 0);
	assert_int_equal(scry_bpf_read(b, &st), 0);
	assert_null(scry_stats_lookup(&st, 0, SYS_getppid));
	row = scry_stats_lookup(&st, 0, SYS_openat);
	assert_non_null(row);
	assert_int_equal(row->errors, M_OPENAT);
	scry_stats_release(&st);
	scry_bpf_close(b);
}

static void test_add_missing_pid(void **state)
{
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	struct scry_bpf *b = open_or_fail(&o);
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(scry_bpf_add_pid(b, pid), -ESRCH);
	assert_int_equal(scry_bpf_add_pid(b, -5), -ESRCH);
	scry_bpf_close(b);
}

/* "id:name" lines of bpftool's listing of kind ("prog" or "map") that
 * belong to scry, as one string. */
static void scry_objects(const char *kind, char *out, size_t len)
{
	char cmd[128], line[512];
	size_t used = 0;
	FILE *f;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "bpftool %s show 2>/dev/null", kind);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *id_end = strchr(line, ':');

		if (!id_end || line[0] < '0' || line[0] > '9')
			continue;
		if (strstr(line, "name scry_") || strstr(line, "name traced_pids") ||
		    strstr(line, "name traced_nrs") || strstr(line, "name syscount.")) {
			int n = snprintf(out + used, len - used, "[%.*s]", (int)(id_end - line), line);

			if (n > 0 && (size_t)n < len - used)
				used += (size_t)n;
		}
	}
	pclose(f);
}

/*
 * The kernel frees a detached program after an RCU grace period, so it can
 * show in bpftool's listing for a moment after close: poll for a while.
 */
static int still_listed(const char *kind, const char *before, const char *during, char *which, size_t len)
{
	char after[4096];

	for (int tries = 0; tries < 100; tries++) {
		int found = 0;

		scry_objects(kind, after, sizeof(after));
		/* ours: listed while open and not before (another scry may run) */
		for (const char *p = during; (p = strchr(p, '[')); p++) {
			char id[32];
			size_t n = strcspn(p, "]") + 1;

			if (n >= sizeof(id))
				continue;
			memcpy(id, p, n);
			id[n] = '\0';
			if (!strstr(before, id) && strstr(after, id)) {
				snprintf(which, len, "%s", id);
				found = 1;
			}
		}
		if (!found)
			return 0;
		usleep(20000);
	}
	return 1;
}

static void test_close_unloads(void **state)
{
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	char before[4096], during[4096], which[32], why[256];
	const char *kinds[] = { "prog", "map" };
	struct scry_bpf *b;

	if (system("bpftool version >/dev/null 2>&1") != 0)
		skip();
	for (int k = 0; k < 2; k++) {
		scry_objects(kinds[k], before, sizeof(before));
		b = open_or_fail(&o);
		scry_objects(kinds[k], during, sizeof(during));
		assert_string_not_equal(during, before);
		scry_bpf_close(b);
		if (still_listed(kinds[k], before, during, which, sizeof(which)))
			fail_msg("bpftool %s show still lists %s 2 s after close", kinds[k], which);
	}
	/* probing loads and unloads too: nothing new may stay */
	scry_objects("prog", before, sizeof(before));
	assert_int_equal(scry_bpf_probe(why, sizeof(why)), 0);
	/* what the probe loaded is not known; anything new but ours counts */
	usleep(100000);
	scry_objects("prog", during, sizeof(during));
	if (strcmp(before, during) && still_listed("prog", before, during, which, sizeof(which)))
		fail_msg("scry_bpf_probe left program %s loaded", which);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_counts),
		cmocka_unit_test(test_exact_counts_one_hist_slot),
		cmocka_unit_test(test_exact_counts_no_hist_slots),
		cmocka_unit_test(test_launch),
		cmocka_unit_test(test_follow_forks),
		cmocka_unit_test(test_sleep_percentiles),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_add_missing_pid),
		cmocka_unit_test(test_close_unloads),
	};

	/* the launch test's child: this binary again */
	if (argc > 1 && !strcmp(argv[1], "--child")) {
		work(N_GETPPID, M_OPENAT, 0);
		return 0;
	}
	if (scry_bpf_probe(skip_reason, sizeof(skip_reason)) < 0) {
		printf("test_bpf: SKIPPED (%zu tests): %s\n",
		       sizeof(tests) / sizeof(tests[0]), skip_reason);
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
