/*
 * Log-linear latency histogram; the layout and its error bound are
 * described in hist.h.
 */
#include <math.h>
#include <string.h>

#include "stats/hist.h"

void scry_hist_init(struct scry_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void scry_hist_add(struct scry_hist *h, uint64_t ns)
{
	h->buckets[scry_hist_bucket(ns)]++;
	h->count++;
}

void scry_hist_add_n(struct scry_hist *h, uint64_t ns, uint64_t n)
{
	h->buckets[scry_hist_bucket(ns)] += n;
	h->count += n;
}

void scry_hist_merge(struct scry_hist *dst, const struct scry_hist *src)
{
	for (unsigned int i = 0; i < SCRY_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
}

uint64_t scry_hist_count(const struct scry_hist *h)
{
	return h->count;
}

uint64_t scry_hist_rank(uint64_t count, double p)
{
	double r;

	if (!count)
		return 0;
	if (!(p > 0))		/* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
	/*
	 * p * count is exact for the integers people pass (p = 99,
	 * count = 100 gives 99, where p / 100 * count gives
	 * 99.00000000000001); the small slack absorbs the rounding of
	 * fractional p such as 99.9.
	 */
	r = ceil(p * (double)count / 100.0 - 1e-9);
	return r < 1 ? 1 : (r >= (double)count ? count : (uint64_t)r);
}

uint64_t scry_hist_percentile(const struct scry_hist *h, double p)
{
	uint64_t rank = scry_hist_rank(h->count, p), seen = 0;

	if (!rank)
		return 0;
	for (unsigned int i = 0; i < SCRY_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			return scry_hist_bucket_value(i);
	}
	/* count disagrees with the buckets (filled by hand from bpf?) */
	return scry_hist_bucket_value(SCRY_HIST_BUCKETS - 1);
}
