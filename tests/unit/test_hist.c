/*
 * Unit tests of the log-linear histogram (src/stats/hist.[ch]): the layout
 * is monotonic and contiguous, every value reads back within the bound
 * documented in hist.h, and percentiles of known distributions match the
 * exact nearest-rank percentiles within that bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "stats/hist.h"

/*
 * The documented bound: a value read back is within 1/(2*SUB) of the
 * value, i.e. |got - v| * 2 * SUB <= v.  (The exact bound is
 * (width - 1) / 2 / lo <= 1/(2*SUB), checked in integers.)
 */
static int within_bound(uint64_t got, uint64_t v)
{
	uint64_t diff = got > v ? got - v : v - got;

	return (unsigned __int128)diff * (2 * SCRY_HIST_SUB) <= v;
}

/* splitmix64: a fixed-seed PRNG, so failures reproduce */
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* uniform in (0, 1] */
static double rng_unit(void)
{
	return ((double)(rng() >> 11) + 1.0) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double worst_error;	/* largest relative error seen, for the report */

/*
 * Adds v[0..n) to a histogram and compares each percentile with the exact
 * nearest-rank percentile of the sorted values.  Percentiles are given in
 * per mille so that the exact rank is integer arithmetic.
 */
static void check_distribution(uint64_t *v, size_t n, const char *what)
{
	static const unsigned int permille[] = {
		0, 1, 10, 100, 250, 500, 750, 900, 950, 990, 999, 1000
	};
	struct scry_hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	scry_hist_init(h);
	for (size_t i = 0; i < n; i++)
		scry_hist_add(h, v[i]);
	assert_int_equal(scry_hist_count(h), n);
	qsort(v, n, sizeof(*v), cmp_u64);

	for (size_t i = 0; i < sizeof(permille) / sizeof(permille[0]); i++) {
		uint64_t rank = ((uint64_t)permille[i] * n + 999) / 1000;
		uint64_t exact, got;

		if (rank < 1)
			rank = 1;
		exact = v[rank - 1];
		got = scry_hist_percentile(h, permille[i] / 10.0);
		if (!within_bound(got, exact))
			fail_msg("%s: p%.1f = %llu, exact %llu", what, permille[i] / 10.0,
				 (unsigned long long)got, (unsigned long long)exact);
		if (exact) {
			double e = fabs((double)got - (double)exact) / (double)exact;

			if (e > worst_error)
				worst_error = e;
		}
	}
	free(h);
}

#define N 200000

static void test_uniform(void **state)
{
	uint64_t *v = malloc(N * sizeof(*v));

	rng_state = 1;
	for (size_t i = 0; i < N; i++)
		v[i] = 1000 + rng() % 999000;		/* 1 µs .. 1 ms */
	check_distribution(v, N, "uniform");
	free(v);
}

static void test_exponential(void **state)
{
	uint64_t *v = malloc(N * sizeof(*v));

	rng_state = 2;
	for (size_t i = 0; i < N; i++)
		v[i] = (uint64_t)(-log(rng_unit()) * 50000.0);	/* mean 50 µs */
	check_distribution(v, N, "exponential");
	free(v);
}

static void test_constant(void **state)
{
	uint64_t *v = malloc(1000 * sizeof(*v));
	struct scry_hist *h = malloc(sizeof(*h));

	for (size_t i = 0; i < 1000; i++)
		v[i] = 10000000;			/* 10 ms */
	check_distribution(v, 1000, "constant");

	/* small values are exact */
	scry_hist_init(h);
	for (int i = 0; i < 10; i++)
		scry_hist_add(h, 37);
	assert_int_equal(scry_hist_percentile(h, 0), 37);
	assert_int_equal(scry_hist_percentile(h, 50), 37);
	assert_int_equal(scry_hist_percentile(h, 100), 37);
	free(h);
	free(v);
}

static void test_bimodal(void **state)
{
	uint64_t *v = malloc(N * sizeof(*v));

	rng_state = 3;
	for (size_t i = 0; i < N; i++) {
		if (rng() % 10)		/* 90 %: cached, around 2 µs */
			v[i] = 1500 + rng() % 1000;
		else			/* 10 %: disk, around 10 ms */
			v[i] = 8000000 + rng() % 4000000;
	}
	check_distribution(v, N, "bimodal");
	free(v);
}

static void test_wide_range(void **state)
{
	/* log-uniform from 1 ns to 100 s */
	uint64_t *v = malloc(N * sizeof(*v));

	rng_state = 4;
	for (size_t i = 0; i < N; i++)
		v[i] = (uint64_t)exp(rng_unit() * log(100e9));
	check_distribution(v, N, "1ns..100s");
	print_message("worst relative percentile error seen: %.4f %% (bound %.4f %%)\n",
		      worst_error * 100, 100.0 / (2 * SCRY_HIST_SUB));
	free(v);
}

static void test_exact_ranks(void **state)
{
	/* 1..100: pN is N exactly (values < 2*SUB are exact buckets) */
	struct scry_hist *h = malloc(sizeof(*h));

	scry_hist_init(h);
	for (uint64_t i = 1; i <= 100; i++)
		scry_hist_add(h, i);
	assert_int_equal(scry_hist_percentile(h, 0), 1);
	assert_int_equal(scry_hist_percentile(h, 1), 1);
	assert_int_equal(scry_hist_percentile(h, 50), 50);
	assert_int_equal(scry_hist_percentile(h, 90), 90);
	assert_int_equal(scry_hist_percentile(h, 99), 99);
	assert_int_equal(scry_hist_percentile(h, 99.5), 100);
	assert_int_equal(scry_hist_percentile(h, 100), 100);
	/* out of range p clamps */
	assert_int_equal(scry_hist_percentile(h, -5), 1);
	assert_int_equal(scry_hist_percentile(h, 250), 100);
	assert_int_equal(scry_hist_percentile(h, NAN), 1);
	free(h);
}

static void test_empty(void **state)
{
	struct scry_hist *h = calloc(1, sizeof(*h));	/* zeroed = empty */

	assert_int_equal(scry_hist_count(h), 0);
	assert_int_equal(scry_hist_percentile(h, 50), 0);
	assert_int_equal(scry_hist_percentile(h, 100), 0);
	free(h);
}

static void test_merge(void **state)
{
	struct scry_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct scry_hist *both = malloc(sizeof(*both));

	scry_hist_init(a);
	scry_hist_init(b);
	scry_hist_init(both);
	rng_state = 5;
	for (int i = 0; i < 50000; i++) {
		uint64_t x = rng() % 5000000, y = rng() >> (rng() % 64);

		scry_hist_add(a, x);
		scry_hist_add(b, y);
		scry_hist_add(both, x);
		scry_hist_add(both, y);
	}
	scry_hist_merge(a, b);
	assert_memory_equal(a, both, sizeof(*a));
	assert_int_equal(scry_hist_count(a), 100000);
	for (double p = 0; p <= 100; p += 0.5)
		assert_int_equal(scry_hist_percentile(a, p), scry_hist_percentile(both, p));

	/* add_n is n adds */
	scry_hist_init(a);
	scry_hist_init(b);
	for (int i = 0; i < 7; i++)
		scry_hist_add(a, 123456);
	scry_hist_add_n(b, 123456, 7);
	scry_hist_add_n(b, 999, 0);
	assert_memory_equal(a, b, sizeof(*a));
	free(a);
	free(b);
	free(both);
}

static void test_clamp(void **state)
{
	struct scry_hist *h = malloc(sizeof(*h));
	unsigned int top = SCRY_HIST_BUCKETS - 1;

	assert_int_equal(scry_hist_bucket(SCRY_HIST_MAX_NS), top);
	assert_int_equal(scry_hist_bucket(SCRY_HIST_MAX_NS + 1), top);
	assert_int_equal(scry_hist_bucket(1ULL << 50), top);
	assert_int_equal(scry_hist_bucket(UINT64_MAX), top);
	assert_true(scry_hist_bucket(SCRY_HIST_MAX_NS >> 1) < top);
	/* the top bucket ends exactly at the largest unclamped value */
	assert_int_equal(scry_hist_bucket_lo(top) + scry_hist_bucket_width(top) - 1,
			 SCRY_HIST_MAX_NS);

	scry_hist_init(h);
	scry_hist_add(h, UINT64_MAX);
	scry_hist_add(h, 1ULL << 60);
	assert_int_equal(h->buckets[top], 2);
	assert_int_equal(scry_hist_percentile(h, 50), scry_hist_bucket_value(top));
	assert_true(within_bound(scry_hist_percentile(h, 50), SCRY_HIST_MAX_NS));
	free(h);
}

static void check_value(uint64_t v)
{
	unsigned int b = scry_hist_bucket(v);

	assert_true(b < SCRY_HIST_BUCKETS);
	assert_true(scry_hist_bucket_lo(b) <= v);
	assert_true(v - scry_hist_bucket_lo(b) < scry_hist_bucket_width(b));
	if (!within_bound(scry_hist_bucket_value(b), v))
		fail_msg("value %llu reads back as %llu", (unsigned long long)v,
			 (unsigned long long)scry_hist_bucket_value(b));
}

static void test_layout(void **state)
{
	unsigned int prev = 0;

	assert_int_equal(SCRY_HIST_BUCKETS, 2368);

	/* every bucket: lo maps back to it, and it abuts the next one */
	for (unsigned int i = 0; i < SCRY_HIST_BUCKETS; i++) {
		uint64_t lo = scry_hist_bucket_lo(i), w = scry_hist_bucket_width(i);

		assert_int_equal(scry_hist_bucket(lo), i);
		assert_int_equal(scry_hist_bucket(lo + w - 1), i);
		if (i + 1 < SCRY_HIST_BUCKETS)
			assert_int_equal(scry_hist_bucket_lo(i + 1), lo + w);
		/* width is at most lo / SUB once buckets are wider than 1 */
		if (w > 1)
			assert_true(w * SCRY_HIST_SUB <= lo);
	}
	assert_int_equal(scry_hist_bucket(0), 0);

	/* monotonic, no gaps: every value 0 .. 2^21 */
	for (uint64_t v = 0; v < (1u << 21); v++) {
		unsigned int b = scry_hist_bucket(v);

		assert_true(b == prev || b == prev + 1);
		prev = b;
		check_value(v);
	}
	/* around every power of two, and random values everywhere */
	for (unsigned int e = 1; e < 64; e++) {
		uint64_t p = 1ULL << e;

		if (p <= SCRY_HIST_MAX_NS) {
			check_value(p - 1);
			check_value(p);
			check_value(p + 1);
		}
		assert_true(scry_hist_bucket(p - 1) <= scry_hist_bucket(p));
	}
	rng_state = 6;
	for (int i = 0; i < 1000000; i++) {
		uint64_t v = rng() >> (rng() % 64), u = rng() >> (rng() % 64);
		uint64_t lo = v < u ? v : u, hi = v < u ? u : v;

		assert_true(scry_hist_bucket(lo) <= scry_hist_bucket(hi));
		if (v <= SCRY_HIST_MAX_NS)
			check_value(v);
		if (v)
			assert_int_equal(scry_hist_ilog2(v), 63 - __builtin_clzll(v));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_clamp),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact_ranks),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_exponential),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_bimodal),
		cmocka_unit_test(test_wide_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
