/*
 * A log-linear latency histogram over nanoseconds: fixed memory, bounded
 * relative error, mergeable.  The layout is HdrHistogram's:
 *
 *   - values 0 .. 2*SUB-1 (SUB = 2^SCRY_HIST_SUB_BITS = 64) each have a
 *     bucket of their own: exact;
 *   - every further power of two [2^e, 2^(e+1)) is cut into SUB linear
 *     buckets of width 2^(e - SCRY_HIST_SUB_BITS);
 *   - values >= SCRY_HIST_MAX_NS (2^42 ns, about 73 minutes) clamp into the
 *     top bucket.  (The exact maximum is kept by the caller: struct
 *     scry_stats keeps min and max beside the histogram.)
 *
 * A bucket's width is at most 1/SUB of its lower bound, and a bucket is
 * reported by its midpoint, so any value read back is within
 * 1/(2*SUB) = 0.78 % of every value that fell in that bucket.  A percentile
 * is the midpoint of the bucket that holds the nearest-rank sample, so it
 * is within 0.78 % of the exact nearest-rank percentile (tests/unit/
 * test_hist.c checks this on several distributions).
 *
 * Memory: SCRY_HIST_BUCKETS (2368) 64-bit counters, 18.5 KiB, whatever the
 * number of samples.
 *
 * The layout part of this header (the SCRY_HIST_* constants,
 * scry_hist_bucket() and scry_hist_bucket_lo()/_width()/_value()) has no
 * includes, no loops, no floats and no data-dependent branches beyond one
 * clamp, so a bpf program can include it and fill a map of
 * SCRY_HIST_BUCKETS counters that user space merges bucket for bucket.
 */
#ifndef SCRY_STATS_HIST_H
#define SCRY_STATS_HIST_H

#define SCRY_HIST_SUB_BITS   6
#define SCRY_HIST_SUB        (1u << SCRY_HIST_SUB_BITS)	/* 64 buckets per power of two */
#define SCRY_HIST_TOP_BITS   42				/* values < 2^42 ns are not clamped */
#define SCRY_HIST_MAX_NS     ((1ULL << SCRY_HIST_TOP_BITS) - 1)
#define SCRY_HIST_BUCKETS    ((SCRY_HIST_TOP_BITS - SCRY_HIST_SUB_BITS + 1) << SCRY_HIST_SUB_BITS)

/*
 * floor(log2(v)) for v > 0, branch free (the shape of libbpf-tools'
 * bits.bpf.h log2()): five compare-and-shift steps, then the last bit.
 */
static inline unsigned int scry_hist_ilog2(unsigned long long v)
{
	unsigned int r, shift;

	r = (unsigned int)(v > 0xFFFFFFFFULL) << 5; v >>= r;
	shift = (unsigned int)(v > 0xFFFFULL) << 4; v >>= shift; r |= shift;
	shift = (unsigned int)(v > 0xFFULL) << 3; v >>= shift; r |= shift;
	shift = (unsigned int)(v > 0xFULL) << 2; v >>= shift; r |= shift;
	shift = (unsigned int)(v > 0x3ULL) << 1; v >>= shift; r |= shift;
	r |= (unsigned int)(v >> 1);
	return r;
}

/*
 * The bucket of a value in nanoseconds.  OR-ing in SUB makes the exponent
 * at least SUB_BITS, so small values need no branch: for v < 2*SUB the
 * shift is 0 and the index is v itself.
 */
static inline unsigned int scry_hist_bucket(unsigned long long ns)
{
	unsigned int shift;

	if (ns > SCRY_HIST_MAX_NS)
		ns = SCRY_HIST_MAX_NS;
	shift = scry_hist_ilog2(ns | SCRY_HIST_SUB) - SCRY_HIST_SUB_BITS;
	return (shift << SCRY_HIST_SUB_BITS) + (unsigned int)(ns >> shift);
}

/* Smallest value in bucket idx (idx < SCRY_HIST_BUCKETS). */
static inline unsigned long long scry_hist_bucket_lo(unsigned int idx)
{
	unsigned int group = idx >> SCRY_HIST_SUB_BITS;
	/* groups 0 and 1 both have width 1 */
	unsigned int shift = group - (group > 0);
	unsigned long long mantissa = (idx & (SCRY_HIST_SUB - 1)) + ((group > 0) << SCRY_HIST_SUB_BITS);

	return mantissa << shift;
}

/* Number of distinct nanosecond values in bucket idx. */
static inline unsigned long long scry_hist_bucket_width(unsigned int idx)
{
	unsigned int group = idx >> SCRY_HIST_SUB_BITS;

	return 1ULL << (group - (group > 0));
}

/* The value a bucket stands for: its midpoint (exact for width 1). */
static inline unsigned long long scry_hist_bucket_value(unsigned int idx)
{
	return scry_hist_bucket_lo(idx) + (scry_hist_bucket_width(idx) - 1) / 2;
}

#ifndef __bpf__
#include <stdint.h>

struct scry_hist {
	uint64_t count;				/* sum of buckets[] */
	uint64_t buckets[SCRY_HIST_BUCKETS];
};

/* Empties the histogram.  A zeroed struct is also an empty histogram. */
void scry_hist_init(struct scry_hist *h);

/* Records one value; values above SCRY_HIST_MAX_NS count in the top bucket. */
void scry_hist_add(struct scry_hist *h, uint64_t ns);

/* Records n equal values at once (n may be 0). */
void scry_hist_add_n(struct scry_hist *h, uint64_t ns, uint64_t n);

/* dst += src, bucket for bucket: the same as adding src's values to dst. */
void scry_hist_merge(struct scry_hist *dst, const struct scry_hist *src);

uint64_t scry_hist_count(const struct scry_hist *h);

/*
 * The 1-based nearest rank of the p-th percentile among count values:
 * ceil(p/100 * count), at least 1 and at most count (0 when count is 0).
 */
uint64_t scry_hist_rank(uint64_t count, double p);

/*
 * The p-th percentile (p in 0..100, clamped) by nearest rank: the midpoint
 * of the bucket holding the ceil(p/100 * count)-th smallest value (the
 * smallest for p = 0).  0 for an empty histogram.
 */
uint64_t scry_hist_percentile(const struct scry_hist *h, double p);
#endif /* __bpf__ */

#endif /* SCRY_STATS_HIST_H */
