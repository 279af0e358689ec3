/*
 * Per-syscall (or per process and syscall) counters and histograms.
 *
 * Rows live in one growable array in order of first appearance; an
 * open-addressing index of row numbers finds a key in O(1).  Each row's
 * histogram is its own allocation, so growing the array never moves a
 * histogram.  mem_bytes counts every byte this struct holds, which is how
 * tests/unit/test_stats.c shows that memory does not grow with calls.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

void scry_stats_init(struct scry_stats *st, int per_process)
{
	memset(st, 0, sizeof(*st));
	st->per_process = !!per_process;
}

void scry_stats_release(struct scry_stats *st)
{
	for (size_t i = 0; i < st->nr_rows; i++)
		free(st->rows[i].hist);
	free(st->rows);
	free(st->index);
	scry_stats_init(st, st->per_process);
}

void scry_stats_reset(struct scry_stats *st)
{
	scry_stats_release(st);
}

static uint64_t key_of(int pid, int nr)
{
	return ((uint64_t)(uint32_t)pid << 32) | (uint32_t)nr;
}

static size_t slot_of(uint64_t key, size_t size)
{
	/* Fibonacci hashing; size is a power of two */
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & (size - 1);
}

static long find_row(const struct scry_stats *st, int pid, int nr)
{
	uint64_t key = key_of(pid, nr);

	if (!st->index_size)
		return -1;
	for (size_t s = slot_of(key, st->index_size);; s = (s + 1) & (st->index_size - 1)) {
		uint32_t r = st->index[s];

		if (!r)
			return -1;
		if (st->rows[r - 1].pid == pid && st->rows[r - 1].nr == nr)
			return (long)r - 1;
	}
}

static int grow_index(struct scry_stats *st)
{
	size_t size = st->index_size ? st->index_size * 2 : 64;
	uint32_t *index = calloc(size, sizeof(*index));

	if (!index)
		return -ENOMEM;
	for (size_t i = 0; i < st->nr_rows; i++) {
		size_t s = slot_of(key_of(st->rows[i].pid, st->rows[i].nr), size);

		while (index[s])
			s = (s + 1) & (size - 1);
		index[s] = (uint32_t)(i + 1);
	}
	free(st->index);
	st->mem_bytes += (size - st->index_size) * sizeof(*index);
	st->index = index;
	st->index_size = size;
	return 0;
}

/* Creates the row of (pid, nr), which must not exist; returns its index. */
static long new_row(struct scry_stats *st, int pid, int nr)
{
	struct scry_stats_row *row;
	struct scry_hist *hist;
	size_t s;

	if (st->nr_rows >= UINT32_MAX - 1)
		return -ENOMEM;
	/* keep the index at most half full */
	if ((st->nr_rows + 1) * 2 > st->index_size && grow_index(st))
		return -ENOMEM;
	if (st->nr_rows == st->alloc_rows) {
		size_t n = st->alloc_rows ? st->alloc_rows * 2 : 16;
		struct scry_stats_row *rows = realloc(st->rows, n * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		st->mem_bytes += (n - st->alloc_rows) * sizeof(*rows);
		st->rows = rows;
		st->alloc_rows = n;
	}
	hist = calloc(1, sizeof(*hist));
	if (!hist)
		return -ENOMEM;
	st->mem_bytes += sizeof(*hist);

	row = &st->rows[st->nr_rows];
	memset(row, 0, sizeof(*row));
	row->pid = pid;
	row->nr = nr;
	row->min_ns = UINT64_MAX;
	row->hist = hist;

	s = slot_of(key_of(pid, nr), st->index_size);
	while (st->index[s])
		s = (s + 1) & (st->index_size - 1);
	st->index[s] = (uint32_t)(st->nr_rows + 1);
	return (long)st->nr_rows++;
}

static struct scry_stats_row *get_row(struct scry_stats *st, int pid, int nr, int *err)
{
	long r;

	if (!st->per_process)
		pid = 0;
	r = find_row(st, pid, nr);
	if (r < 0)
		r = new_row(st, pid, nr);
	if (r < 0) {
		*err = (int)r;
		return NULL;
	}
	return &st->rows[r];
}

int scry_stats_add(struct scry_stats *st, int pid, int nr, uint64_t ns, int is_error)
{
	int err = 0;
	struct scry_stats_row *row = get_row(st, pid, nr, &err);

	if (!row)
		return err;
	row->calls++;
	row->errors += !!is_error;
	/* saturate rather than wrap: a total is never smaller than a part */
	row->total_ns = row->total_ns + ns < row->total_ns ? UINT64_MAX : row->total_ns + ns;
	if (ns < row->min_ns)
		row->min_ns = ns;
	if (ns > row->max_ns)
		row->max_ns = ns;
	scry_hist_add(row->hist, ns);
	return 0;
}

int scry_stats_add_row(struct scry_stats *dst, const struct scry_stats_row *s)
{
	struct scry_stats_row *d;
	int err = 0;

	if (!s->calls)
		return 0;
	d = get_row(dst, s->pid, s->nr, &err);
	if (!d)
		return err;
	d->calls += s->calls;
	d->errors += s->errors;
	d->total_ns = d->total_ns + s->total_ns < d->total_ns ?
		UINT64_MAX : d->total_ns + s->total_ns;
	if (s->min_ns < d->min_ns)
		d->min_ns = s->min_ns;
	if (s->max_ns > d->max_ns)
		d->max_ns = s->max_ns;
	d->untimed += s->untimed;
	d->weight_sq += s->weight_sq;
	scry_hist_merge(d->hist, s->hist);
	return 0;
}

int scry_stats_row_sampled(const struct scry_stats_row *row)
{
	return row->untimed || row->weight_sq;
}

void scry_stats_row_unsample(struct scry_stats_row *row)
{
	uint64_t w = row->hist ? row->hist->count : 0;

	if (!scry_stats_row_sampled(row) || w == row->calls)
		return;
	if (!w) {
		row->total_ns = 0;
		return;
	}
	row->total_ns = (uint64_t)((long double)row->total_ns * (long double)row->calls / (long double)w);
}

double scry_stats_row_rank_bound(const struct scry_stats_row *row)
{
	uint64_t w = row->hist ? row->hist->count : 0;
	double t, off;

	if (!scry_stats_row_sampled(row) || !row->calls)
		return 0;
	off = w > row->calls ? (double)(w - row->calls) : (double)(row->calls - w);
	t = sqrt((double)row->weight_sq * log(2.0 / 0.001) / 2.0) + off;
	t = 100.0 * t / (double)row->calls;
	return t > 100.0 ? 100.0 : t;
}

int scry_stats_merge(struct scry_stats *dst, const struct scry_stats *src)
{
	for (size_t i = 0; i < src->nr_rows; i++) {
		int err = scry_stats_add_row(dst, &src->rows[i]);
		if (err)
			return err;
	}
	return 0;
}

size_t scry_stats_nr_rows(const struct scry_stats *st)
{
	return st->nr_rows;
}

const struct scry_stats_row *scry_stats_row_at(const struct scry_stats *st, size_t i)
{
	return i < st->nr_rows ? &st->rows[i] : NULL;
}

const struct scry_stats_row *scry_stats_lookup(const struct scry_stats *st, int pid, int nr)
{
	long r = find_row(st, st->per_process ? pid : 0, nr);

	return r < 0 ? NULL : &st->rows[r];
}

size_t scry_stats_memory(const struct scry_stats *st)
{
	return st->mem_bytes;
}

uint64_t scry_stats_row_avg(const struct scry_stats_row *row)
{
	return row->calls ? row->total_ns / row->calls : 0;
}

uint64_t scry_stats_row_percentile(const struct scry_stats_row *row, double p)
{
	/* (a sampled row ranks among its weights) */
	uint64_t n = scry_stats_row_sampled(row) ? row->hist->count : row->calls;
	uint64_t rank = scry_hist_rank(n, p), v;

	if (!rank || row->untimed >= row->calls)
		return 0;	/* (no call timed: nothing known) */
	/* the extremes are known exactly; the histogram only brackets them */
	if (rank == 1)
		return row->min_ns;
	if (rank == n)
		return row->max_ns;
	v = scry_hist_percentile(row->hist, p);
	if (v < row->min_ns)
		v = row->min_ns;
	if (v > row->max_ns)
		v = row->max_ns;
	return v;
}
