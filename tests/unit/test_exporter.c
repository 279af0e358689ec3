/*
 * Unit tests of scry serve's conversion of scry's log-linear histogram into
 * Prometheus `le` buckets (src/serve/exporter.c): for every buckets-per-
 * octave setting the count under each bound is exactly the number of values
 * <= that bound, for values on, just below and just above every bound and
 * for a spread of random ones; bad settings are refused.  And the exporter
 * fed by the caller (scry serve --backend ptrace): the calls fed are what it
 * renders, exactly; it takes -p targets only.  And a render under
 * allocation failure is whole or -ENOMEM: scry serve used to answer a
 * scrape with 200 and whatever text the buffer had kept when one of its
 * growths failed (the exporter rendered into a strbuf and never looked at
 * its failed flag), a page of metrics with lines missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include <unistd.h>

#include "serve/exporter.h"
#include "stats/hist.h"

#include "failalloc.h"

static uint64_t rng_state = 0x5eed;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void check_exact(unsigned int n)
{
	static uint64_t le[SCRY_EXPORTER_MAX_LE], counts[SCRY_EXPORTER_MAX_LE + 1];
	static uint64_t values[20000];
	struct scry_hist *h = calloc(1, sizeof(*h));
	size_t nv = 0;
	int nle = scry_exporter_le_bounds(n, le);

	assert_non_null(h);
	assert_true(nle > 0);
	assert_int_equal(nle, 27 * n + 1);
	/* every bound + 1 is where a bucket of scry's begins: exactness */
	for (int j = 0; j < nle; j++) {
		assert_int_equal(scry_hist_bucket_lo(scry_hist_bucket(le[j] + 1)), le[j] + 1);
		if (j)
			assert_true(le[j] > le[j - 1]);
	}
	for (int j = 0; j < nle && nv + 3 <= 6000; j++) {
		values[nv++] = le[j];
		values[nv++] = le[j] - 1;
		values[nv++] = le[j] + 1;
	}
	values[nv++] = 0;
	values[nv++] = 1ULL << 40;	/* above every bound: +Inf only */
	while (nv < sizeof(values) / sizeof(values[0]))
		values[nv++] = rnd() >> (24 + rnd() % 30);
	for (size_t i = 0; i < nv; i++)
		scry_hist_add(h, values[i]);
	memset(counts, 0, sizeof(counts));
	scry_exporter_le_counts(h, le, (size_t)nle, counts);
	uint64_t cum = 0;
	for (int j = 0; j < nle; j++) {
		uint64_t want = 0;

		cum += counts[j];
		for (size_t i = 0; i < nv; i++)
			want += values[i] <= le[j];
		assert_int_equal(cum, want);
	}
	assert_int_equal(cum + counts[nle], nv);
	free(h);
}

static void test_le_exact(void **state)
{
	for (unsigned int n = 1; n <= 64; n *= 2)
		check_exact(n);
}

static void test_le_bad_settings(void **state)
{
	uint64_t le[SCRY_EXPORTER_MAX_LE];

	assert_int_equal(scry_exporter_le_bounds(0, le), -EINVAL);
	assert_int_equal(scry_exporter_le_bounds(3, le), -EINVAL);
	assert_int_equal(scry_exporter_le_bounds(128, le), -EINVAL);
	/* the first bound: 127 ns; the last: 2^34 - 1 ns */
	assert_int_equal(scry_exporter_le_bounds(1, le), 28);
	assert_int_equal(le[0], 127);
	assert_int_equal(le[27], (1ULL << 34) - 1);
}

/* The value of the line that begins with prefix (then a space), or -1. */
static double line_value(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static void test_fed_renders_what_was_fed(void **state)
{
	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
	struct scry_exporter *e;
	char *text;
	size_t len;
	int pid = (int)getppid();	/* (not scry itself: refused) */
	char why[256];

	o.pids = &pid;
	o.npids = 1;
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), 0);
	assert_int_equal(scry_exporter_feed_process(e, pid, 1), 0);
	assert_int_equal(scry_exporter_targets(e), 1);
	/* openat (257): 3 calls, of 100 ns, 1000 ns and 5 s; one ENOENT */
	assert_int_equal(scry_exporter_feed_call(e, pid, 257, 100, 0), 0);
	assert_int_equal(scry_exporter_feed_call(e, pid, 257, 1000, 2), 0);
	assert_int_equal(scry_exporter_feed_call(e, pid, 257, 5000000000ULL, 0), 0);
	assert_int_equal(scry_exporter_render(e, 0, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_true(line_value(text, "scry_syscalls_total{syscall=\"openat\"}") == 3);
	assert_true(line_value(text, "scry_syscall_errors_total{syscall=\"openat\",errno=\"ENOENT\"}") == 1);
	assert_true(line_value(text, "scry_syscall_duration_seconds_bucket{syscall=\"openat\",le=\"0.000000127\"}") == 1);
	assert_true(line_value(text, "scry_syscall_duration_seconds_bucket{syscall=\"openat\",le=\"0.000001023\"}") == 2);
	assert_true(line_value(text, "scry_syscall_duration_seconds_bucket{syscall=\"openat\",le=\"4.294967295\"}") == 2);
	assert_true(line_value(text, "scry_syscall_duration_seconds_bucket{syscall=\"openat\",le=\"+Inf\"}") == 3);
	assert_true(line_value(text, "scry_syscall_duration_seconds_sum{syscall=\"openat\"}") == 5.0000011);
	assert_true(line_value(text, "scry_targets") == 1);
	/* counters only grow: a second render after more calls */
	free(text);
	assert_int_equal(scry_exporter_feed_call(e, pid, 257, 100, 2), 0);
	assert_int_equal(scry_exporter_tick(e, why, sizeof(why)), 0);
	assert_int_equal(scry_exporter_render(e, 0, &text, &len), 0);
	assert_true(line_value(text, "scry_syscalls_total{syscall=\"openat\"}") == 4);
	assert_true(line_value(text, "scry_syscall_errors_total{syscall=\"openat\",errno=\"ENOENT\"}") == 2);
	assert_int_equal(scry_exporter_feed_process(e, pid, 0), 0);
	assert_int_equal(scry_exporter_targets(e), 0);
	free(text);
	scry_exporter_close(e);
}

static void test_fed_takes_pids_only(void **state)
{
	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
	struct scry_exporter *e = (void *)1;
	int pid = 1, self = (int)getpid();
	char why[256];

	o.comm = "x";
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), -EINVAL);
	assert_null(e);
	assert_non_null(strstr(why, "--comm"));
	o.comm = NULL;
	/* no pid: the caller launches its command after (it feeds the
	 * processes in) */
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), 0);
	assert_int_equal(scry_exporter_targets(e), 0);
	scry_exporter_close(e);
	o.pids = &self;
	o.npids = 1;
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "scry itself"));
	o.pids = &pid;
	o.buckets_per_octave = 3;
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), -EINVAL);
	assert_null(e);
}

#ifdef HAVE_FAILER
/* Each line of a render up to its last space (its value), a comment line
 * whole: what two renders of the same counters share. */
static char *keys_of(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p), *sp = end;

		if (*p != '#')
			while (sp > p && sp[-1] != ' ')
				sp--;
		memcpy(o, p, (size_t)(sp - p));
		o += sp - p;
		*o++ = '\n';
		p = nl ? nl + 1 : end;
	}
	*o = '\0';
	return out;
}
#endif

static void test_render_whole_or_enomem(void **state)
{
#ifndef HAVE_FAILER
	skip();
#else
	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
	struct scry_exporter *e;
	char *text, *want;
	size_t len;
	int pid = (int)getppid(), saw_enomem = 0;
	char why[256];

	o.pids = &pid;
	o.npids = 1;
	o.buckets_per_octave = 4;	/* (a long page: many growths) */
	assert_int_equal(scry_exporter_open_fed(&e, &o, why, sizeof(why)), 0);
	assert_int_equal(scry_exporter_feed_process(e, pid, 1), 0);
	for (int nr = 0; nr < 40; nr++)
		assert_int_equal(scry_exporter_feed_call(e, pid, nr, 1000u * (unsigned)nr, nr % 3 ? 0 : 2), 0);
	/* (the calls move over in this first render; the later ones have
	 * nothing to collect, only text to make) */
	assert_int_equal(scry_exporter_render(e, 0, &text, &len), 0);
	want = keys_of(text);
	free(text);
	for (long nth = 1;; nth++) {
		long before = failed_count;
		int r, failed;

		text = (char *)1;
		fail_countdown = nth;
		r = scry_exporter_render(e, 0, &text, &len);
		failed = failed_count != before;
		fail_countdown = 0;
		if (r == 0) {
			char *have = keys_of(text);

			assert_int_equal(strlen(text), len);
			assert_string_equal(have, want);
			free(have);
			free(text);
		} else {
			assert_int_equal(r, -ENOMEM);
			assert_null(text);
			assert_true(failed);
			saw_enomem = 1;
		}
		if (!failed)
			break;
	}
	assert_true(saw_enomem);
	free(want);
	scry_exporter_close(e);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le_exact),
		cmocka_unit_test(test_le_bad_settings),
		cmocka_unit_test(test_fed_renders_what_was_fed),
		cmocka_unit_test(test_fed_takes_pids_only),
		cmocka_unit_test(test_render_whole_or_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
