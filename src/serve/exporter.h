/*
 * The Prometheus exporter behind `scry serve`.  Its API is public:
 * scry/exporter.h says what it counts, its targets, labels and buckets,
 * and its ownership, threads and errors.  Here: what the exporter's own
 * tests use besides (the `le` bucket arithmetic).
 *
 * Exact counting: each tick and each render moves the kernel's counts into
 * the exporter's own counters with scry_bpf_read_reset_errnos() (the two
 * epochs of --interval: no call is lost or counted twice between reads).
 */
#ifndef SCRY_SERVE_EXPORTER_H
#define SCRY_SERVE_EXPORTER_H

#include <stddef.h>
#include <stdint.h>

#include "scry/exporter.h"

/*
 * The `le` buckets of buckets_per_octave n (1, 2, 4, ... 64; else
 * -EINVAL): their inclusive upper bounds in ns into le[] (at most
 * SCRY_EXPORTER_MAX_LE), and how many there are.
 */
#define SCRY_EXPORTER_MAX_LE (27 * 64 + 1)
int scry_exporter_le_bounds(unsigned int n, uint64_t *le);

/*
 * Adds histogram h's counts to counts[j], j the `le` bucket (of bounds le,
 * nle of them) each of scry's buckets falls into whole; values above the
 * last bound go to counts[nle] (only +Inf holds them).  Exact, because
 * each bound + 1 is where one of scry's buckets begins.
 */
struct scry_hist;
void scry_exporter_le_counts(const struct scry_hist *h, const uint64_t *le, size_t nle,
			     uint64_t *counts);

#endif
