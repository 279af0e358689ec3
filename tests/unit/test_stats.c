/*
 * Unit tests of the statistics engine and its summaries
 * (src/stats/stats.c, src/stats/summary.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "stats/stats.h"
#include "syscalls/syscalls.h"

enum { NR_READ = 0, NR_WRITE = 1, NR_OPENAT = 257, NR_FSYNC = 74, NR_ODD = 500 };

static const char *test_name(int nr, void *ctx)
{
	switch (nr) {
	case NR_READ:	return "read";
	case NR_WRITE:	return "write";
	case NR_OPENAT:	return "openat";
	case NR_FSYNC:	return "fsync";
	case NR_ODD:	return ctx ? (const char *)ctx : NULL;
	default:	return NULL;
	}
}

/*
 * Four syscalls whose order differs for every sort key:
 *   time:   openat 30.09ms, fsync 20ms, write 5ms, read 1ms
 *   calls:  read 1000, write 100, openat 10, fsync 2
 *   avg:    fsync 10ms, openat 3.009ms, write 50µs, read 1µs
 *   p99:    openat 30ms, fsync 10ms, write 50µs, read 1µs
 *   errors: read 5, openat 3, fsync 1, write 0
 *   name:   fsync, openat, read, write
 */
static void fill(struct scry_stats *st, int pid)
{
	for (int i = 0; i < 1000; i++)
		assert_int_equal(scry_stats_add(st, pid, NR_READ, 1000, i < 5), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(scry_stats_add(st, pid, NR_WRITE, 50000, 0), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(scry_stats_add(st, pid, NR_FSYNC, 10000000, i == 0), 0);
	for (int i = 0; i < 9; i++)
		assert_int_equal(scry_stats_add(st, pid, NR_OPENAT, 10000, i < 3), 0);
	assert_int_equal(scry_stats_add(st, pid, NR_OPENAT, 30000000, 0), 0);
}

/* Renders into a string the caller frees. */
static char *render(int (*print)(const struct scry_stats *, FILE *,
				 const struct scry_summary_opts *),
		    const struct scry_stats *st, const struct scry_summary_opts *opts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(print(st, f, opts), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static struct scry_summary_opts default_opts(void)
{
	struct scry_summary_opts o = {
		.name = test_name,
		.seconds = 60.0,
		.note = "ptrace stop overhead of 12.3 µs per call subtracted",
	};
	return o;
}

static int starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Position of the line that starts with word followed by a space. */
static const char *line_of(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, word, n) && p[n] == ' ')
			return p;
	}
	return NULL;
}

static void assert_order(const char *text, const char *a, const char *b,
			 const char *c, const char *d)
{
	const char *pa = line_of(text, a), *pb = line_of(text, b);
	const char *pc = line_of(text, c), *pd = line_of(text, d);
	const char *pt = line_of(text, "total");

	if (!pa || !pb || !pc || !pd || !pt || !(pa < pb && pb < pc && pc < pd && pd < pt))
		fail_msg("expected %s, %s, %s, %s, total in:\n%s", a, b, c, d, text);
}

/* ---- engine ----------------------------------------------------------- */

static void test_counts_exact(void **state)
{
	struct scry_stats st;
	const struct scry_stats_row *r;

	scry_stats_init(&st, 0);
	assert_int_equal(scry_stats_nr_rows(&st), 0);
	assert_null(scry_stats_lookup(&st, 0, NR_READ));
	fill(&st, 42);

	assert_int_equal(scry_stats_nr_rows(&st), 4);
	r = scry_stats_lookup(&st, 42, NR_READ);
	assert_non_null(r);
	assert_ptr_equal(r, scry_stats_lookup(&st, 7, NR_READ));	/* pid ignored */
	assert_int_equal(r->pid, 0);
	assert_int_equal(r->calls, 1000);
	assert_int_equal(r->errors, 5);
	assert_int_equal(r->total_ns, 1000000);
	assert_int_equal(r->min_ns, 1000);
	assert_int_equal(r->max_ns, 1000);
	assert_int_equal(scry_stats_row_avg(r), 1000);
	assert_int_equal(scry_stats_row_percentile(r, 50), 1000);	/* clamped: exact */

	r = scry_stats_lookup(&st, 0, NR_OPENAT);
	assert_int_equal(r->calls, 10);
	assert_int_equal(r->errors, 3);
	assert_int_equal(r->total_ns, 9 * 10000 + 30000000);
	assert_int_equal(r->min_ns, 10000);
	assert_int_equal(r->max_ns, 30000000);
	assert_int_equal(scry_stats_row_percentile(r, 0), 10000);
	assert_int_equal(scry_stats_row_percentile(r, 99), 30000000);
	assert_int_equal(scry_stats_row_percentile(r, 100), 30000000);
	{
		uint64_t p50 = scry_stats_row_percentile(r, 50);

		assert_true(p50 >= 9922 && p50 <= 10078);	/* within 0.78 % */
	}

	/* row order is first appearance */
	assert_int_equal(scry_stats_row_at(&st, 0)->nr, NR_READ);
	assert_int_equal(scry_stats_row_at(&st, 3)->nr, NR_OPENAT);
	assert_null(scry_stats_row_at(&st, 4));

	/* a zero-latency call and a huge one */
	assert_int_equal(scry_stats_add(&st, 0, NR_ODD, 0, 0), 0);
	assert_int_equal(scry_stats_add(&st, 0, NR_ODD, UINT64_MAX, 1), 0);
	r = scry_stats_lookup(&st, 0, NR_ODD);
	assert_int_equal(r->min_ns, 0);
	assert_int_equal(r->max_ns, UINT64_MAX);
	assert_int_equal(r->total_ns, UINT64_MAX);	/* saturates */
	/* first and last ranks are the exact min and max, even past the clamp */
	assert_int_equal(scry_stats_row_percentile(r, 50), 0);
	assert_int_equal(scry_stats_row_percentile(r, 100), UINT64_MAX);

	scry_stats_release(&st);
	assert_int_equal(scry_stats_memory(&st), 0);
}

/* ---- sampled rows (the bpf backend's -c, src/bpf/syscount.h) ---------- */

/* A latency with a known shape, period 100 as in tests/progs/latmix.c:
 * 70 cheap calls, 28 of about 25 us, 2 of about 400 us. */
static uint64_t shaped(size_t i)
{
	size_t k = i % 100;

	if (k < 70)
		return 200 + (i * 7919) % 300;
	if (k < 98)
		return 25000 + (i * 104729) % 5000;
	return 400000 + (i * 1299709) % 100000;
}

/*
 * What the kernel builds from a stream of calls: the first warm calls
 * each timed, then windows of n calls of which one, drawn at random, is
 * timed and weighs n (syscount.bpf.c's sample_enter() and on_exit()).
 */
static void sample_stream(size_t m, size_t warm, unsigned n, unsigned seed,
			  struct scry_stats_row *s, struct scry_hist *h)
{
	memset(s, 0, sizeof(*s));
	scry_hist_init(h);
	s->hist = h;
	s->min_ns = UINT64_MAX;
	for (size_t i = 0; i < m;) {
		unsigned w = i < warm ? 1 : n;
		size_t len = m - i < w ? m - i : w;
		unsigned pick = w > 1 ? (unsigned)rand_r(&seed) % w : 0;

		s->calls += len;
		if (pick < len) {
			uint64_t v = shaped(i + pick);

			s->untimed += len - 1;
			s->total_ns += v * w;
			if (w > 1)
				s->weight_sq += (uint64_t)w * w;
			if (v < s->min_ns)
				s->min_ns = v;
			if (v > s->max_ns)
				s->max_ns = v;
			scry_hist_add_n(h, v, w);
		} else {
			s->untimed += len;	/* its drawn call not made yet */
		}
		i += len;
	}
}

static void test_sampled_rows(void **state)
{
	struct scry_stats_row row, ex;
	struct scry_hist *h = calloc(1, sizeof(*h));
	struct scry_stats st;
	const size_t m = 100003;	/* the last window is open */
	const double ps[] = { 10, 25, 50, 75, 90, 95, 99 };
	int misses = 0;

	assert_non_null(h);
	scry_stats_init(&st, 0);
	for (size_t i = 0; i < m; i++)
		assert_int_equal(scry_stats_add(&st, 0, NR_READ, shaped(i), 0), 0);
	ex = *scry_stats_lookup(&st, 0, NR_READ);
	assert_false(scry_stats_row_sampled(&ex));
	assert_true(scry_stats_row_rank_bound(&ex) == 0.0);

	/* the stated bound holds for every percentile of every draw: a
	 * sampled percentile lies between the exact (p - R)-th and
	 * (p + R)-th, within the histogram's 0.78 % of each side's */
	for (unsigned seed = 1; seed <= 100; seed++) {
		double r;

		sample_stream(m, 256, 64, seed, &row, h);
		assert_true(scry_stats_row_sampled(&row));
		assert_int_equal(row.calls, m);
		assert_true(row.untimed > m - m / 32);
		scry_stats_row_unsample(&row);
		r = scry_stats_row_rank_bound(&row);
		assert_true(r > 0.5 && r < 10.0);
		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			double lo_p = ps[k] - r < 0 ? 0 : ps[k] - r, hi_p = ps[k] + r > 100 ? 100 : ps[k] + r;
			double v = (double)scry_stats_row_percentile(&row, ps[k]);
			double lo = (double)scry_stats_row_percentile(&ex, lo_p) * (1 - 0.0157);
			double hi = (double)scry_stats_row_percentile(&ex, hi_p) * (1 + 0.0157);

			if (v < lo || v > hi) {
				print_message("seed %u p%g: %.0f not in [%.0f, %.0f] (R %.2f %%)\n",
					      seed, ps[k], v, lo, hi, r);
				misses++;
			}
		}
	}
	assert_int_equal(misses, 0);

	/* a sampler that always timed the first call of a window (no draw)
	 * would see only cheap calls: the draw is what makes p90 right */
	{
		struct scry_stats_row b = { .calls = m, .min_ns = UINT64_MAX };
		struct scry_hist *bh = calloc(1, sizeof(*bh));

		assert_non_null(bh);
		b.hist = bh;
		for (size_t i = 0; i < m; i += 100) {	/* (n = 100 for the point) */
			scry_hist_add_n(bh, shaped(i), 100);
			b.weight_sq += 100 * 100;
		}
		b.untimed = m - (m + 99) / 100;
		b.min_ns = 200;
		b.max_ns = shaped(0);
		assert_true(scry_stats_row_percentile(&b, 90) < 1000);
		assert_true(scry_stats_row_percentile(&ex, 90) > 20000);
		free(bh);
	}

	/* the total is scaled from the weights to the exact count */
	sample_stream(1000, 0, 8, 7, &row, h);
	row.calls = 1000;
	row.total_ns = 1000 * 800;	/* (as if the weights summed to 800) */
	h->count = 800;
	scry_stats_row_unsample(&row);
	assert_int_equal(row.total_ns, 1000 * 1000);
	assert_int_equal(scry_stats_row_avg(&row), 1000);

	/* no call timed yet (an --interval's few calls): nothing to say */
	memset(&row, 0, sizeof(row));
	scry_hist_init(h);
	row.hist = h;
	row.calls = 5;
	row.untimed = 5;
	row.min_ns = UINT64_MAX;
	row.total_ns = 0;
	scry_stats_row_unsample(&row);
	assert_int_equal(row.total_ns, 0);
	assert_int_equal(scry_stats_row_percentile(&row, 50), 0);
	assert_true(scry_stats_row_rank_bound(&row) == 100.0);

	/* rows merge their sample counters */
	sample_stream(5000, 256, 16, 3, &row, h);
	assert_int_equal(scry_stats_add_row(&st, &row), 0);
	ex = *scry_stats_lookup(&st, 0, NR_READ);
	assert_int_equal(ex.calls, m + 5000);
	assert_int_equal(ex.untimed, row.untimed);
	assert_int_equal(ex.weight_sq, row.weight_sq);
	assert_true(scry_stats_row_sampled(&ex));

	free(h);
	scry_stats_release(&st);
}

/* The summaries say when latencies were sampled, and only then. */
static void test_sampled_summaries(void **state)
{
	struct scry_stats st;
	struct scry_stats_row row;
	struct scry_hist *h = calloc(1, sizeof(*h));
	struct scry_summary_opts o = default_opts();
	char *text, *json, *csv;

	assert_non_null(h);
	scry_stats_init(&st, 0);
	fill(&st, 0);
	sample_stream(20000, 256, 64, 5, &row, h);
	row.nr = NR_ODD;
	scry_stats_row_unsample(&row);
	assert_int_equal(scry_stats_add_row(&st, &row), 0);

	/* not asked (ptrace, --exact-latency, serve): the old outputs */
	text = render(scry_stats_print_text, &st, &o);
	json = render(scry_stats_print_json, &st, &o);
	csv = render(scry_stats_print_csv, &st, &o);
	assert_null(strstr(text, "latency sampled"));
	assert_null(strstr(json, "latency_sampling"));
	assert_null(strstr(json, "\"timed\""));
	assert_true(starts_with(csv, "syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent\n"));
	free(text);
	free(json);
	free(csv);

	o.sample_max_n = 64;
	text = render(scry_stats_print_text, &st, &o);
	json = render(scry_stats_print_json, &st, &o);
	csv = render(scry_stats_print_csv, &st, &o);
	{
		char want[512];
		uint64_t calls = 0, timed = 0;

		for (size_t i = 0; i < scry_stats_nr_rows(&st); i++) {
			calls += scry_stats_row_at(&st, i)->calls;
			timed += scry_stats_row_at(&st, i)->calls - scry_stats_row_at(&st, i)->untimed;
		}
		snprintf(want, sizeof(want), "latency sampled 1 in up to 64 per thread and syscall (%llu of %llu calls timed",
			 (unsigned long long)timed, (unsigned long long)calls);
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof(want), "at a rank at most ±%.2f %% away (99.9 %% confidence)\n",
			 scry_stats_row_rank_bound(scry_stats_lookup(&st, 0, NR_ODD)));
		assert_non_null(strstr(text, want));
		snprintf(want, sizeof(want), "\"latency_sampling\":{\"sampled\":true,\"max_one_in\":64,"
			 "\"calls\":%llu,\"timed\":%llu,\"bucket_pct\":0.78,",
			 (unsigned long long)calls, (unsigned long long)timed);
		assert_non_null(strstr(json, want));
		snprintf(want, sizeof(want), "\"timed\":%llu,\"rank_bound_pct\":%.3f,",
			 (unsigned long long)(row.calls - row.untimed), scry_stats_row_rank_bound(&row));
		assert_non_null(strstr(json, want));
		assert_true(starts_with(csv, "syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent,timed,rank_bound_pct\n"));
		snprintf(want, sizeof(want), ",%llu,%.3f\n", (unsigned long long)(row.calls - row.untimed),
			 scry_stats_row_rank_bound(&row));
		assert_non_null(strstr(csv, want));
		assert_non_null(strstr(csv, ",0.000\n"));	/* the unsampled rows */
	}
	free(text);
	free(json);
	free(csv);
	free(h);
	scry_stats_release(&st);
}

static void test_many_keys(void **state)
{
	struct scry_stats st;

	/* enough keys to grow the index several times; each found again */
	scry_stats_init(&st, 1);
	for (int pid = 1; pid <= 50; pid++)
		for (int nr = 0; nr < 20; nr++)
			assert_int_equal(scry_stats_add(&st, pid * 1000, nr, (uint64_t)pid * nr, 0), 0);
	for (int pid = 1; pid <= 50; pid++)
		for (int nr = 0; nr < 20; nr++)
			assert_int_equal(scry_stats_add(&st, pid * 1000, nr, 1, 1), 0);
	assert_int_equal(scry_stats_nr_rows(&st), 1000);
	for (int pid = 1; pid <= 50; pid++) {
		for (int nr = 0; nr < 20; nr++) {
			const struct scry_stats_row *r = scry_stats_lookup(&st, pid * 1000, nr);

			assert_non_null(r);
			assert_int_equal(r->pid, pid * 1000);
			assert_int_equal(r->nr, nr);
			assert_int_equal(r->calls, 2);
			assert_int_equal(r->errors, 1);
		}
	}
	assert_null(scry_stats_lookup(&st, 51000, 0));
	assert_null(scry_stats_lookup(&st, 1000, 20));
	scry_stats_release(&st);
}

static void test_per_process_adds_up(void **state)
{
	struct scry_stats pp, agg, folded;

	scry_stats_init(&pp, 1);
	scry_stats_init(&agg, 0);
	scry_stats_init(&folded, 0);
	for (int i = 0; i < 3000; i++) {
		int pid = 100 + i % 3, nr = i % 7;
		uint64_t ns = (uint64_t)(i * 7919) % 100000;

		assert_int_equal(scry_stats_add(&pp, pid, nr, ns, i % 11 == 0), 0);
		assert_int_equal(scry_stats_add(&agg, pid, nr, ns, i % 11 == 0), 0);
	}
	assert_int_equal(scry_stats_nr_rows(&pp), 21);
	assert_int_equal(scry_stats_nr_rows(&agg), 7);

	assert_int_equal(scry_stats_merge(&folded, &pp), 0);
	assert_int_equal(scry_stats_nr_rows(&folded), 7);
	for (int nr = 0; nr < 7; nr++) {
		const struct scry_stats_row *a = scry_stats_lookup(&agg, 0, nr);
		const struct scry_stats_row *f = scry_stats_lookup(&folded, 0, nr);
		uint64_t calls = 0, errors = 0, total = 0;

		for (int pid = 100; pid < 103; pid++) {
			const struct scry_stats_row *r = scry_stats_lookup(&pp, pid, nr);

			calls += r->calls;
			errors += r->errors;
			total += r->total_ns;
		}
		assert_int_equal(calls, a->calls);
		assert_int_equal(errors, a->errors);
		assert_int_equal(total, a->total_ns);
		assert_int_equal(f->calls, a->calls);
		assert_int_equal(f->errors, a->errors);
		assert_int_equal(f->total_ns, a->total_ns);
		assert_int_equal(f->min_ns, a->min_ns);
		assert_int_equal(f->max_ns, a->max_ns);
		assert_memory_equal(f->hist, a->hist, sizeof(*f->hist));
	}

	/* merging twice doubles */
	assert_int_equal(scry_stats_merge(&folded, &agg), 0);
	assert_int_equal(scry_stats_lookup(&folded, 0, 3)->calls,
			 2 * scry_stats_lookup(&agg, 0, 3)->calls);

	scry_stats_release(&pp);
	scry_stats_release(&agg);
	scry_stats_release(&folded);
}

static void test_reset(void **state)
{
	struct scry_stats st;

	scry_stats_init(&st, 1);
	fill(&st, 1);
	assert_true(scry_stats_memory(&st) > 0);
	scry_stats_reset(&st);
	assert_int_equal(scry_stats_nr_rows(&st), 0);
	assert_int_equal(scry_stats_memory(&st), 0);
	assert_int_equal(st.per_process, 1);
	assert_null(scry_stats_lookup(&st, 1, NR_READ));
	assert_int_equal(scry_stats_add(&st, 1, NR_READ, 5, 0), 0);
	assert_int_equal(scry_stats_lookup(&st, 1, NR_READ)->calls, 1);
	scry_stats_release(&st);
}

static void test_memory_flat(void **state)
{
	struct scry_stats st;
	size_t after_10, after_million;

	scry_stats_init(&st, 1);
	for (int i = 0; i < 10; i++)
		assert_int_equal(scry_stats_add(&st, 1 + i % 2, i % 5, 1000 + i, 0), 0);
	after_10 = scry_stats_memory(&st);
	assert_true(after_10 > 0);
	/* one histogram per (pid, syscall) and a little more */
	assert_true(after_10 < 10 * (sizeof(struct scry_hist) + 512));

	for (int i = 0; i < 1000000; i++)
		assert_int_equal(scry_stats_add(&st, 1 + i % 2, i % 5, (uint64_t)i * 997, i & 1), 0);
	after_million = scry_stats_memory(&st);
	assert_int_equal(after_million, after_10);
	scry_stats_release(&st);
}

/* ---- options ---------------------------------------------------------- */

static void test_parse_columns(void **state)
{
	struct scry_columns c = { 0 };
	char bad[16];

	assert_int_equal(scry_summary_parse_columns("name,calls,p99", &c, bad, sizeof(bad)), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.col[0], SCRY_COL_NAME);
	assert_int_equal(c.col[1], SCRY_COL_CALLS);
	assert_int_equal(c.col[2], SCRY_COL_P99);

	/* strace's spellings, repeats ignored */
	assert_int_equal(scry_summary_parse_columns(
		"time-percent,total-time,count,error,syscall,avg-time,min-time,max-time,calls",
		&c, NULL, 0), 0);
	assert_int_equal(c.n, 8);
	assert_int_equal(c.col[0], SCRY_COL_PERCENT);
	assert_int_equal(c.col[7], SCRY_COL_MAX);

	strcpy(bad, "unchanged");
	assert_int_equal(scry_summary_parse_columns("calls,bogus,avg", &c, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "bogus");
	assert_int_equal(c.n, 8);	/* out untouched on error */
	assert_int_equal(scry_summary_parse_columns("", &c, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "");
	assert_int_equal(scry_summary_parse_columns("calls,,avg", &c, bad, sizeof(bad)), -EINVAL);
	assert_string_equal(bad, "");
	assert_int_equal(scry_summary_parse_columns("calls,", &c, NULL, 0), -EINVAL);
	/* a long bad name is truncated, not overflowed */
	assert_int_equal(scry_summary_parse_columns("averyveryverylongcolumnname", &c, bad, 8), -EINVAL);
	assert_string_equal(bad, "averyve");
}

static void test_parse_sort(void **state)
{
	enum scry_sort_key k;

	assert_int_equal(scry_summary_parse_sort("calls", &k), 0);
	assert_int_equal(k, SCRY_SORT_CALLS);
	assert_int_equal(scry_summary_parse_sort("time", &k), 0);
	assert_int_equal(k, SCRY_SORT_TIME);
	assert_int_equal(scry_summary_parse_sort("avg", &k), 0);
	assert_int_equal(k, SCRY_SORT_AVG);
	assert_int_equal(scry_summary_parse_sort("p99", &k), 0);
	assert_int_equal(k, SCRY_SORT_P99);
	assert_int_equal(scry_summary_parse_sort("errors", &k), 0);
	assert_int_equal(k, SCRY_SORT_ERRORS);
	assert_int_equal(scry_summary_parse_sort("name", &k), 0);
	assert_int_equal(k, SCRY_SORT_NAME);
	assert_int_equal(scry_summary_parse_sort("total-time", &k), 0);
	assert_int_equal(k, SCRY_SORT_TIME);
	assert_int_equal(scry_summary_parse_sort("p42", &k), -EINVAL);
}

/* ---- text ------------------------------------------------------------- */

static void test_text_layout(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	char *s;

	scry_stats_init(&st, 0);
	fill(&st, 1);
	s = render(scry_stats_print_text, &st, &o);

	assert_true(starts_with(s, "System Call Summary (60.0 seconds, wall-clock latency):\n"
				"ptrace stop overhead of 12.3 µs per call subtracted\n"
				"====="));
	assert_non_null(strstr(s, "\nSyscall            Calls  Errors   Total Time    Avg Time"
			       "       p50       p90       p99       Max   % Time\n"));
	/* exact rows: units per value, widths as the seed */
	assert_non_null(strstr(s, "\nread                1000       5      1.000ms      1.00µs"
			       "    1.00µs    1.00µs    1.00µs    1.00µs     1.78\n"));
	assert_non_null(strstr(s, "\nfsync                  2       1     20.000ms    10.000ms"));
	assert_non_null(strstr(s, "\nwrite                100       0      5.000ms      50.0µs"));
	assert_non_null(strstr(s, "\ntotal               1112       9     56.090ms"));
	assert_non_null(strstr(s, "100.00\n"));
	assert_order(s, "openat", "fsync", "write", "read");
	/* the rule under the heading is as wide as the table */
	{
		const char *rule = strstr(s, "\n=");
		const char *hdr = strstr(s, "\nSyscall");

		assert_int_equal(strchr(rule + 1, '\n') - rule, strchr(hdr + 1, '\n') - hdr);
	}
	free(s);

	/* cpu time, unknown duration, no note */
	o.latency = SCRY_LATENCY_CPU;
	o.seconds = -1;
	o.note = NULL;
	s = render(scry_stats_print_text, &st, &o);
	assert_true(starts_with(s, "System Call Summary (system CPU time):\n====="));
	free(s);

	o.seconds = 1.5;
	s = render(scry_stats_print_text, &st, &o);
	assert_true(starts_with(s, "System Call Summary (1.500 seconds, system CPU time):\n"));
	free(s);
	scry_stats_release(&st);
}

static const char *table_name(int nr, void *ctx)
{
	return scry_syscall_name(ctx, nr);
}

/* Issue 21: an ia32 process's calls in -c.  Its close (i386 6) is counted
 * as close (x86_64 3), not as lstat (x86_64 6); its _llseek (i386 140,
 * SCRY_NR_I386 + 140) has a row of its own, not getpriority's (x86_64 140). */
static void test_text_ia32_rows(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	char *s;

	o.name = table_name;
	o.ctx = (void *)&scry_table_x86_64;
	scry_stats_init(&st, 0);
	assert_int_equal(scry_stats_add(&st, 1, (int)scry_compat_nr(SCRY_AUDIT_ARCH_I386, 6), 1000, 0), 0);
	assert_int_equal(scry_stats_add(&st, 1, 3, 1000, 0), 0);            /* a 64-bit close */
	assert_int_equal(scry_stats_add(&st, 1, (int)scry_compat_nr(SCRY_AUDIT_ARCH_I386, 140), 1000, 0), 0);
	assert_int_equal(scry_stats_add(&st, 1, 140, 1000, 0), 0);          /* getpriority */
	s = render(scry_stats_print_text, &st, &o);
	assert_non_null(strstr(s, "\nclose                  2       0"));
	assert_non_null(strstr(s, "\n_llseek                1       0"));
	assert_non_null(strstr(s, "\ngetpriority            1       0"));
	assert_null(strstr(s, "lstat"));
	assert_null(strstr(s, "syscall_"));
	free(s);
	scry_stats_release(&st);
}

static void test_text_sort_keys(void **state)
{
	static const struct {
		enum scry_sort_key key;
		const char *order[4];
	} cases[] = {
		{ SCRY_SORT_TIME,   { "openat", "fsync", "write", "read" } },
		{ SCRY_SORT_CALLS,  { "read", "write", "openat", "fsync" } },
		{ SCRY_SORT_AVG,    { "fsync", "openat", "write", "read" } },
		{ SCRY_SORT_P99,    { "openat", "fsync", "write", "read" } },
		{ SCRY_SORT_ERRORS, { "read", "openat", "fsync", "write" } },
		{ SCRY_SORT_NAME,   { "fsync", "openat", "read", "write" } },
	};
	struct scry_stats st;

	scry_stats_init(&st, 0);
	fill(&st, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scry_summary_opts o = default_opts();
		char *s;

		o.sort = cases[i].key;
		s = render(scry_stats_print_text, &st, &o);
		assert_order(s, cases[i].order[0], cases[i].order[1],
			     cases[i].order[2], cases[i].order[3]);
		free(s);
	}
	scry_stats_release(&st);
}

static void test_text_columns_and_names(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	char *s;

	scry_stats_init(&st, 0);
	fill(&st, 1);
	assert_int_equal(scry_stats_add(&st, 1, 999, 5, 0), 0);		/* no name */
	assert_int_equal(scry_stats_add(&st, 1, NR_ODD, 5, 0), 0);
	o.ctx = "a_rather_long_syscall_name";
	assert_int_equal(scry_summary_parse_columns("name,calls,p99,min", &o.columns, NULL, 0), 0);
	s = render(scry_stats_print_text, &st, &o);
	assert_non_null(strstr(s, "\nSyscall                        Calls       p99       Min\n"));
	assert_null(strstr(s, "Errors"));
	assert_null(strstr(s, "% Time"));
	/* no name: strace's form, as every output names it */
	assert_non_null(strstr(s, "\nsyscall_0x3e7                      1       5ns       5ns\n"));
	assert_non_null(strstr(s, "\na_rather_long_syscall_name         1       5ns       5ns\n"));
	assert_non_null(strstr(s, "\nopenat                            10  30.000ms    10.0µs\n"));
	free(s);

	/* a column order of the user's choosing */
	assert_int_equal(scry_summary_parse_columns("calls,name", &o.columns, NULL, 0), 0);
	s = render(scry_stats_print_text, &st, &o);
	assert_non_null(strstr(s, "\n   Calls Syscall\n"));
	assert_non_null(strstr(s, "\n    1000 read"));
	free(s);
	scry_stats_release(&st);
}

static void test_text_per_process(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	char *s;
	const char *p200, *p100, *all;

	scry_stats_init(&st, 1);
	fill(&st, 200);
	fill(&st, 100);
	assert_int_equal(scry_stats_add(&st, 100, NR_READ, 1000, 0), 0);
	o.per_process = 1;
	s = render(scry_stats_print_text, &st, &o);
	p100 = strstr(s, "\nProcess 100:\n====");
	p200 = strstr(s, "\nProcess 200:\n====");
	all = strstr(s, "\nAll processes:\n====");
	assert_non_null(p100);
	assert_non_null(p200);
	assert_non_null(all);
	assert_true(p100 < p200 && p200 < all);
	assert_non_null(strstr(p100, "\nread                1001       5"));
	assert_non_null(strstr(p100, "\ntotal               1113       9"));
	assert_non_null(strstr(p200, "\nread                1000       5"));
	assert_non_null(strstr(p200, "\ntotal               1112       9"));
	assert_non_null(strstr(all, "\nread                2001      10"));
	assert_non_null(strstr(all, "\ntotal               2225      18"));
	free(s);

	/* without --per-process the same stats print one table of all */
	o.per_process = 0;
	s = render(scry_stats_print_text, &st, &o);
	assert_null(strstr(s, "Process"));
	assert_non_null(strstr(s, "\ntotal               2225      18"));
	free(s);
	scry_stats_release(&st);
}

static void test_text_empty(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = { .seconds = 0 };
	char *s;

	scry_stats_init(&st, 1);
	o.per_process = 1;
	s = render(scry_stats_print_text, &st, &o);
	assert_non_null(strstr(s, "System Call Summary (0.000 seconds, wall-clock latency):\n"));
	assert_non_null(strstr(s, "\ntotal                  0       0          0ns"));
	free(s);
	s = render(scry_stats_print_json, &st, &o);
	assert_non_null(strstr(s, "\"syscalls\":[],\"total\":{\"calls\":0,"));
	assert_non_null(strstr(s, "\"processes\":[]}"));
	free(s);
	s = render(scry_stats_print_csv, &st, &o);
	assert_string_equal(s, "pid,syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent\n");
	free(s);
	scry_stats_release(&st);
}

static void test_write_error(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	scry_stats_init(&st, 0);
	fill(&st, 1);
	assert_int_equal(scry_stats_print_text(&st, f, &o), -EIO);
	clearerr(f);
	assert_int_equal(scry_stats_print_json(&st, f, &o), -EIO);
	clearerr(f);
	assert_int_equal(scry_stats_print_csv(&st, f, &o), -EIO);
	fclose(f);
	scry_stats_release(&st);
}

/* ---- JSON ------------------------------------------------------------- */

/* Brackets balance outside strings, and the document is one object. */
static void assert_json_shape(const char *s)
{
	int depth = 0, in_string = 0;
	const char *p;

	assert_int_equal(s[0], '{');
	for (p = s; *p; p++) {
		if (in_string) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_string = 0;
			continue;
		}
		switch (*p) {
		case '"': in_string = 1; break;
		case '{': case '[': depth++; break;
		case '}': case ']':
			depth--;
			assert_true(depth >= 0);
			if (!depth)
				assert_string_equal(p, "}\n");
			break;
		}
	}
	assert_int_equal(depth, 0);
	assert_false(in_string);
	assert_null(strstr(s, ",}"));
	assert_null(strstr(s, ",]"));
}

static void test_json(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	char *s;

	scry_stats_init(&st, 1);
	fill(&st, 100);
	fill(&st, 200);
	assert_int_equal(scry_stats_add(&st, 200, NR_ODD, 7, 0), 0);
	o.ctx = "we\"ird\\name\n";
	o.per_process = 1;
	s = render(scry_stats_print_json, &st, &o);
	assert_json_shape(s);
	assert_true(starts_with(s, "{\"seconds\":60.000000,\"latency\":\"wall\",\"note\":\"ptrace stop"));
	/* sorted by time, openat first */
	assert_non_null(strstr(s, ",\"syscalls\":[{\"name\":\"openat\",\"nr\":257,\"calls\":20,"
			       "\"errors\":6,\"total_ns\":60180000,\"avg_ns\":3009000,"
			       "\"min_ns\":10000,\"max_ns\":30000000,"));
	assert_non_null(strstr(s, "{\"name\":\"read\",\"nr\":0,\"calls\":2000,\"errors\":10,"
			       "\"total_ns\":2000000,\"avg_ns\":1000,\"min_ns\":1000,\"max_ns\":1000,"
			       "\"p50_ns\":1000,\"p90_ns\":1000,\"p99_ns\":1000,\"percent\":1.78}"));
	/* escaped as every JSON output escapes (util/escape.h) */
	assert_non_null(strstr(s, "\"name\":\"we\\\"ird\\\\name\\n\""));
	assert_non_null(strstr(s, "],\"total\":{\"calls\":2225,\"errors\":18,\"total_ns\":112180007,"));
	assert_non_null(strstr(s, "\"percent\":100.00},\"processes\":[{\"pid\":100,\"syscalls\":[{\"name\":\"openat\""));
	assert_non_null(strstr(s, "},{\"pid\":200,\"syscalls\":["));
	assert_non_null(strstr(s, "\"total\":{\"calls\":1113,"));
	free(s);

	/* not per process: no "processes"; cpu latency */
	o.per_process = 0;
	o.latency = SCRY_LATENCY_CPU;
	o.note = NULL;
	o.seconds = -1;
	s = render(scry_stats_print_json, &st, &o);
	assert_json_shape(s);
	assert_true(starts_with(s, "{\"seconds\":null,\"latency\":\"cpu\",\"syscalls\":["));
	assert_null(strstr(s, "processes"));
	free(s);
	scry_stats_release(&st);
}

/* ---- CSV -------------------------------------------------------------- */

static void test_csv(void **state)
{
	struct scry_stats st;
	struct scry_summary_opts o = default_opts();
	char *s;

	scry_stats_init(&st, 1);
	fill(&st, 100);
	fill(&st, 200);
	o.sort = SCRY_SORT_NAME;
	s = render(scry_stats_print_csv, &st, &o);
	assert_string_equal(s,
		"syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent\n"
		"fsync,4,2,40000.000,10000.000,10000.000,10000.000,10000.000,10000.000,35.66\n"
		"openat,20,6,60180.000,3009.000,10.047,10.047,30000.000,30000.000,53.65\n"
		"read,2000,10,2000.000,1.000,1.000,1.000,1.000,1.000,1.78\n"
		"write,200,0,10000.000,50.000,50.000,50.000,50.000,50.000,8.91\n");
	free(s);

	o.per_process = 1;
	o.sort = SCRY_SORT_CALLS;
	assert_int_equal(scry_stats_add(&st, 200, NR_ODD, 2500, 0), 0);
	o.ctx = "a,\"b\"";
	s = render(scry_stats_print_csv, &st, &o);
	assert_true(starts_with(s, "pid,syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent\n"
				"100,read,1000,5,1000.000,1.000,1.000,1.000,1.000,1.000,1.78\n"
				"100,write,100,0,"));
	assert_non_null(strstr(s, "\n200,read,1000,5,"));
	assert_non_null(strstr(s, "\n200,\"a,\"\"b\"\"\",1,0,2.500,2.500,2.500,2.500,2.500,2.500,0.00\n"));
	/* whole rows: 1 header + 4 + 5 */
	{
		int lines = 0;

		for (const char *p = s; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, 10);
	}
	free(s);
	scry_stats_release(&st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_exact),
		cmocka_unit_test(test_sampled_rows),
		cmocka_unit_test(test_sampled_summaries),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_per_process_adds_up),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_memory_flat),
		cmocka_unit_test(test_parse_columns),
		cmocka_unit_test(test_parse_sort),
		cmocka_unit_test(test_text_layout),
		cmocka_unit_test(test_text_ia32_rows),
		cmocka_unit_test(test_text_sort_keys),
		cmocka_unit_test(test_text_columns_and_names),
		cmocka_unit_test(test_text_per_process),
		cmocka_unit_test(test_text_empty),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
