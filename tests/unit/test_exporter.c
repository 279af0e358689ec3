/*
 * Unit tests of scry serve's conversion of scry's log-linear histogram into
 * Prometheus `le` buckets (src/serve/exporter.c): for every buckets-per-
 * octave setting the count under each bound is exactly the number of values
 * <= that bound, for values on, just below and just above every bound and
 * for a spread of random ones; bad settings are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "serve/exporter.h"
#include "stats/hist.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le_exact),
		cmocka_unit_test(test_le_bad_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
