/*
 * Summaries of struct scry_stats: the text table(s) of -c, JSON and CSV.
 *
 * Every renderer first builds "tables" (sorted rows and a total row) and
 * only then writes, so a failed allocation never leaves half a table.
 * Writes go to the caller's FILE *; a write error is reported as -EIO.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"
#include "stats/stats.h"
#include "stats/sites.h"
#include "syscalls/callname.h"

#define ALL_PIDS (-1)

struct entry {
	const struct scry_stats_row *row;
	const char *name;
	uint64_t key;		/* sort key, larger first */
	char fallback[SCRY_CALL_NAME_MAX];	/* "syscall_0x1b6" when there is no name */
};

struct table {
	int pid;		/* ALL_PIDS for the total table */
	struct entry *e;
	size_t n;
	struct scry_stats_row total;	/* total.hist owned */
};

struct tables {
	struct scry_stats agg;	/* per-process stats folded, when needed */
	const struct scry_stats *all;	/* agg or the caller's stats */
	struct table *t;	/* per-process tables, then the total one */
	size_t n;
};

/* ---- options ---------------------------------------------------------- */

static const struct {
	const char *name;
	enum scry_column col;
} column_names[] = {
	{ "name", SCRY_COL_NAME }, { "syscall", SCRY_COL_NAME },
	{ "syscall-name", SCRY_COL_NAME },
	{ "calls", SCRY_COL_CALLS }, { "count", SCRY_COL_CALLS },
	{ "errors", SCRY_COL_ERRORS }, { "error", SCRY_COL_ERRORS },
	{ "total", SCRY_COL_TOTAL }, { "total-time", SCRY_COL_TOTAL },
	{ "time-total", SCRY_COL_TOTAL },
	{ "avg", SCRY_COL_AVG }, { "avg-time", SCRY_COL_AVG },
	{ "time-avg", SCRY_COL_AVG },
	{ "p50", SCRY_COL_P50 }, { "p90", SCRY_COL_P90 }, { "p99", SCRY_COL_P99 },
	{ "max", SCRY_COL_MAX }, { "max-time", SCRY_COL_MAX },
	{ "time-max", SCRY_COL_MAX },
	{ "min", SCRY_COL_MIN }, { "min-time", SCRY_COL_MIN },
	{ "time-min", SCRY_COL_MIN },
	{ "percent", SCRY_COL_PERCENT }, { "time-percent", SCRY_COL_PERCENT },
	{ "percent-time", SCRY_COL_PERCENT },
};

static const unsigned char default_columns[] = {
	SCRY_COL_NAME, SCRY_COL_CALLS, SCRY_COL_ERRORS, SCRY_COL_TOTAL,
	SCRY_COL_AVG, SCRY_COL_P50, SCRY_COL_P90, SCRY_COL_P99, SCRY_COL_MAX,
	SCRY_COL_PERCENT,
};

int scry_summary_parse_columns(const char *spec, struct scry_columns *out,
			       char *bad, size_t badsz)
{
	struct scry_columns cols = { 0 };
	const char *p = spec;

	for (;;) {
		const char *end = strchrnul(p, ',');
		size_t len = (size_t)(end - p), i;
		int found = -1;

		for (i = 0; i < sizeof(column_names) / sizeof(column_names[0]); i++) {
			if (strlen(column_names[i].name) == len &&
			    !strncasecmp(column_names[i].name, p, len)) {
				found = (int)column_names[i].col;
				break;
			}
		}
		if (found < 0) {
			if (bad && badsz) {
				size_t n = len < badsz - 1 ? len : badsz - 1;

				memcpy(bad, p, n);
				bad[n] = '\0';
			}
			return -EINVAL;
		}
		if (!memchr(cols.col, found, cols.n))
			cols.col[cols.n++] = (unsigned char)found;
		if (!*end)
			break;
		p = end + 1;
	}
	*out = cols;
	return 0;
}

int scry_summary_parse_sort(const char *s, enum scry_sort_key *out)
{
	static const struct {
		const char *name;
		enum scry_sort_key key;
	} keys[] = {
		{ "time", SCRY_SORT_TIME }, { "total", SCRY_SORT_TIME },
		{ "total-time", SCRY_SORT_TIME }, { "time-total", SCRY_SORT_TIME },
		{ "calls", SCRY_SORT_CALLS }, { "count", SCRY_SORT_CALLS },
		{ "avg", SCRY_SORT_AVG }, { "avg-time", SCRY_SORT_AVG },
		{ "time-avg", SCRY_SORT_AVG },
		{ "p99", SCRY_SORT_P99 },
		{ "errors", SCRY_SORT_ERRORS }, { "error", SCRY_SORT_ERRORS },
		{ "name", SCRY_SORT_NAME }, { "syscall", SCRY_SORT_NAME },
		{ "syscall-name", SCRY_SORT_NAME },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strcasecmp(s, keys[i].name)) {
			*out = keys[i].key;
			return 0;
		}
	}
	return -EINVAL;
}

/* ---- building tables -------------------------------------------------- */

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t sort_key(const struct scry_stats_row *row, enum scry_sort_key sort)
{
	switch (sort) {
	case SCRY_SORT_CALLS:	return row->calls;
	case SCRY_SORT_AVG:	return scry_stats_row_avg(row);
	case SCRY_SORT_P99:	return scry_stats_row_percentile(row, 99);
	case SCRY_SORT_ERRORS:	return row->errors;
	case SCRY_SORT_NAME:	return 0;
	case SCRY_SORT_TIME:
	default:		return row->total_ns;
	}
}

/*
 * An entry's name.  While qsort() moves entries, a name pointing into an
 * entry's own fallback[] would go stale, so until sorting is done a
 * fallback name is marked by name == NULL.
 */
static const char *name_of(const struct entry *e)
{
	return e->name ? e->name : e->fallback;
}

static int compare_entries(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	c = strcmp(name_of(x), name_of(y));
	if (c)
		return c;
	return (x->row->nr > y->row->nr) - (x->row->nr < y->row->nr);
}

static void release_table(struct table *t)
{
	free(t->e);
	free(t->total.hist);
}

/*
 * Which calls a table holds: every one, those made in the native ABI, or
 * those made in 32-bit (ia32) mode, counted by their i386 numbers
 * (SCRY_NR_I386 + n: summary_sink.c), as strace keeps a table per
 * personality.
 */
enum abi_mode { ABI_ALL = -1, ABI_NATIVE = 0, ABI_32 = 1 };

static int row_in_mode(const struct scry_stats_row *row, enum abi_mode mode)
{
	return mode == ABI_ALL || (row->nr >= SCRY_NR_I386) == (mode == ABI_32);
}

/* Rows of st with this pid (any pid for ALL_PIDS) in mode, sorted, with a
 * total. */
static int build_table(struct table *t, const struct scry_stats *st, int pid,
		       const struct scry_summary_opts *opts, enum abi_mode mode)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->total.pid = pid;
	t->total.nr = -1;
	t->total.min_ns = UINT64_MAX;
	t->total.hist = calloc(1, sizeof(*t->total.hist));
	t->e = calloc(st->nr_rows ? st->nr_rows : 1, sizeof(*t->e));
	if (!t->total.hist || !t->e) {
		release_table(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < st->nr_rows; i++) {
		const struct scry_stats_row *row = &st->rows[i];
		struct entry *e;

		if (!row->calls || (pid != ALL_PIDS && row->pid != pid) || !row_in_mode(row, mode))
			continue;
		e = &t->e[t->n++];
		e->row = row;
		e->name = opts->name ? opts->name(row->nr, opts->ctx) : NULL;
		if (!e->name)   /* (name stays NULL until sorted: see name_of()) */
			scry_call_name(NULL, row->nr, e->fallback);
		e->key = sort_key(row, opts->sort);

		t->total.calls += row->calls;
		t->total.errors += row->errors;
		t->total.total_ns = sat_add(t->total.total_ns, row->total_ns);
		if (row->min_ns < t->total.min_ns)
			t->total.min_ns = row->min_ns;
		if (row->max_ns > t->total.max_ns)
			t->total.max_ns = row->max_ns;
		t->total.untimed += row->untimed;
		t->total.weight_sq += row->weight_sq;
		scry_hist_merge(t->total.hist, row->hist);
	}
	qsort(t->e, t->n, sizeof(*t->e), compare_entries);
	for (size_t i = 0; i < t->n; i++)
		t->e[i].name = name_of(&t->e[i]);
	return 0;
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void release_tables(struct tables *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		release_table(&ts->t[i]);
	free(ts->t);
	scry_stats_release(&ts->agg);
}

/*
 * One table per pid (when asked for and available) and, last, the table
 * of every process together.
 */
static int build_tables(struct tables *ts, const struct scry_stats *st,
			const struct scry_summary_opts *opts, enum abi_mode mode)
{
	int *pids = NULL;
	size_t npids = 0;
	int err;

	memset(ts, 0, sizeof(*ts));
	scry_stats_init(&ts->agg, 0);
	ts->all = st;
	if (st->per_process) {
		err = scry_stats_merge(&ts->agg, st);
		if (err)
			goto fail;
		ts->all = &ts->agg;
	}
	if (st->per_process && opts->per_process && st->nr_rows) {
		pids = malloc(st->nr_rows * sizeof(*pids));
		if (!pids) {
			err = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < st->nr_rows; i++)
			if (st->rows[i].calls && row_in_mode(&st->rows[i], mode))
				pids[npids++] = st->rows[i].pid;
		qsort(pids, npids, sizeof(*pids), compare_ints);
		/* unique */
		size_t u = 0;
		for (size_t i = 0; i < npids; i++)
			if (!u || pids[u - 1] != pids[i])
				pids[u++] = pids[i];
		npids = u;
	}
	ts->t = calloc(npids + 1, sizeof(*ts->t));
	if (!ts->t) {
		err = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < npids; i++) {
		err = build_table(&ts->t[ts->n], st, pids[i], opts, mode);
		if (err)
			goto fail;
		ts->n++;
	}
	err = build_table(&ts->t[ts->n], ts->all, ALL_PIDS, opts, mode);
	if (err)
		goto fail;
	ts->n++;
	free(pids);
	return 0;
fail:
	free(pids);
	release_tables(ts);
	return err;
}

static int finish(FILE *out)
{
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

static double percent_of(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* ---- text ------------------------------------------------------------- */

/*
 * A duration with a unit that reads well: 123ns, 4.56µs, 12.3µs, 1.234ms,
 * 12.345s.  Unit boundaries follow the rounded value, so 999.96µs reads
 * 1.000ms, not 1000.0µs.
 */
static void format_ns(char *buf, size_t sz, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, sz, "%lluns", (unsigned long long)ns);
	else if (ns < 9995)
		snprintf(buf, sz, "%.2fµs", (double)ns / 1e3);
	else if (ns < 999950)
		snprintf(buf, sz, "%.1fµs", (double)ns / 1e3);
	else if (ns < 999999500)
		snprintf(buf, sz, "%.3fms", (double)ns / 1e6);
	else
		snprintf(buf, sz, "%.3fs", (double)ns / 1e9);
}

void scry_summary_format_ns(char *buf, size_t sz, uint64_t ns)
{
	format_ns(buf, sz, ns);
}

#define CELL 40

static const struct {
	const char *heading;
	unsigned int width;	/* the least width, spaces included */
} column_info[SCRY_COL__COUNT] = {
	[SCRY_COL_NAME]    = { "Syscall", 16 },
	[SCRY_COL_CALLS]   = { "Calls", 8 },
	[SCRY_COL_ERRORS]  = { "Errors", 8 },
	[SCRY_COL_TOTAL]   = { "Total Time", 13 },
	[SCRY_COL_AVG]     = { "Avg Time", 12 },
	[SCRY_COL_P50]     = { "p50", 10 },
	[SCRY_COL_P90]     = { "p90", 10 },
	[SCRY_COL_P99]     = { "p99", 10 },
	[SCRY_COL_MAX]     = { "Max", 10 },
	[SCRY_COL_MIN]     = { "Min", 10 },
	[SCRY_COL_PERCENT] = { "% Time", 9 },
};

static void format_cell(char *buf, enum scry_column col, const struct scry_stats_row *row,
			const char *name, uint64_t table_total_ns)
{
	switch (col) {
	case SCRY_COL_NAME:
		snprintf(buf, CELL, "%s", name);
		break;
	case SCRY_COL_CALLS:
		snprintf(buf, CELL, "%llu", (unsigned long long)row->calls);
		break;
	case SCRY_COL_ERRORS:
		snprintf(buf, CELL, "%llu", (unsigned long long)row->errors);
		break;
	case SCRY_COL_TOTAL:
		format_ns(buf, CELL, row->total_ns);
		break;
	case SCRY_COL_AVG:
		format_ns(buf, CELL, scry_stats_row_avg(row));
		break;
	case SCRY_COL_P50:
		format_ns(buf, CELL, scry_stats_row_percentile(row, 50));
		break;
	case SCRY_COL_P90:
		format_ns(buf, CELL, scry_stats_row_percentile(row, 90));
		break;
	case SCRY_COL_P99:
		format_ns(buf, CELL, scry_stats_row_percentile(row, 99));
		break;
	case SCRY_COL_MAX:
		format_ns(buf, CELL, row->calls ? row->max_ns : 0);
		break;
	case SCRY_COL_MIN:
		format_ns(buf, CELL, row->calls > row->untimed ? row->min_ns : 0);
		break;
	case SCRY_COL_PERCENT:
		snprintf(buf, CELL, "%.2f", percent_of(row->total_ns, table_total_ns));
		break;
	default:
		buf[0] = '\0';
	}
}

/* Display width of UTF-8 text: µ is two bytes but one column. */
static unsigned int display_width(const char *s)
{
	unsigned int w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/*
 * Right-aligned cells carry their separating blank on the left.  A
 * left-aligned one (the name) carries it on its right, and on its left
 * too unless it is the first column; as the last it has no trailing
 * blanks.
 */
static void put_padded(FILE *out, const char *s, unsigned int width, int left,
		       int first, int last)
{
	unsigned int w = display_width(s), pad;

	if (left && !first && width) {
		putc(' ', out);
		width--;
	}
	pad = w < width ? width - w : 0;
	if (left) {
		fputs(s, out);
		if (last)
			return;
	}
	for (unsigned int i = 0; i < pad; i++)
		putc(' ', out);
	if (!left)
		fputs(s, out);
}

static void put_rule(FILE *out, int c, unsigned int width)
{
	for (unsigned int i = 0; i < width; i++)
		putc(c, out);
	putc('\n', out);
}

struct layout {
	const unsigned char *col;
	unsigned int n;
	unsigned int width[SCRY_COL__COUNT];	/* per position */
	unsigned int total_width;
};

static void widen(struct layout *l, unsigned int pos, const char *cell, int is_name)
{
	/* one space between columns; the name column pads on its right */
	unsigned int w = display_width(cell) + (is_name ? 2 : 1);

	if (w > l->width[pos])
		l->width[pos] = w;
}

/* Column widths wide enough for every cell of every table. */
static void plan_layout(struct layout *l, const struct tables *ts,
			const struct scry_summary_opts *opts)
{
	char buf[CELL];

	memset(l, 0, sizeof(*l));
	if (opts->columns.n) {
		l->col = opts->columns.col;
		l->n = opts->columns.n;
	} else {
		l->col = default_columns;
		l->n = sizeof(default_columns);
	}
	for (unsigned int i = 0; i < l->n; i++) {
		unsigned int c = l->col[i];

		l->width[i] = column_info[c].width;
		widen(l, i, column_info[c].heading, c == SCRY_COL_NAME);
		for (size_t t = 0; t < ts->n; t++) {
			const struct table *tb = &ts->t[t];

			for (size_t r = 0; r < tb->n; r++) {
				format_cell(buf, c, tb->e[r].row, tb->e[r].name, tb->total.total_ns);
				widen(l, i, buf, c == SCRY_COL_NAME);
			}
			format_cell(buf, c, &tb->total, "total", tb->total.total_ns);
			widen(l, i, buf, c == SCRY_COL_NAME);
		}
	}
	/* the last column needs no trailing room; the name column's is kept */
	for (unsigned int i = 0; i < l->n; i++)
		l->total_width += l->width[i];
}

static void put_row(FILE *out, const struct layout *l, const struct scry_stats_row *row,
		    const char *name, uint64_t table_total_ns)
{
	char buf[CELL];

	for (unsigned int i = 0; i < l->n; i++) {
		format_cell(buf, l->col[i], row, name, table_total_ns);
		put_padded(out, buf, l->width[i], l->col[i] == SCRY_COL_NAME,
			   i == 0, i + 1 == l->n);
	}
	putc('\n', out);
}

static void put_table(FILE *out, const struct layout *l, const struct table *t)
{
	for (unsigned int i = 0; i < l->n; i++)
		put_padded(out, column_info[l->col[i]].heading, l->width[i],
			   l->col[i] == SCRY_COL_NAME, i == 0, i + 1 == l->n);
	putc('\n', out);
	for (size_t r = 0; r < t->n; r++)
		put_row(out, l, t->e[r].row, t->e[r].name, t->total.total_ns);
	put_rule(out, '-', l->total_width);
	put_row(out, l, &t->total, "total", t->total.total_ns);
}

/* Over every row of st: calls, calls timed, and the largest rank bound of
 * a sampled row.  0 when no row is sampled. */
static int sampling_of(const struct scry_stats *st, uint64_t *calls, uint64_t *timed, double *bound)
{
	int any = 0;

	*calls = *timed = 0;
	*bound = 0;
	for (size_t i = 0; i < st->nr_rows; i++) {
		const struct scry_stats_row *row = &st->rows[i];
		double b = scry_stats_row_rank_bound(row);

		*calls += row->calls;
		*timed += row->calls - row->untimed;
		any |= scry_stats_row_sampled(row);
		if (b > *bound)
			*bound = b;
	}
	return any;
}

/* The heading's line about sampling (docs/FORMATS.md, "Sampled latency"). */
static void sampling_text(FILE *out, const struct scry_stats *st, const struct scry_summary_opts *opts)
{
	uint64_t calls, timed;
	double bound;

	if (!opts->sample_max_n)
		return;
	if (!sampling_of(st, &calls, &timed, &bound)) {
		fputs("latency: every call timed (none was frequent enough to sample)\n", out);
		return;
	}
	fprintf(out, "latency sampled 1 in up to %u per thread and syscall (%llu of %llu calls timed, "
		"each weighing the calls it stands for; counts exact, seconds and percentiles "
		"estimated): percentiles within ±%.2f %% of the exact ones at a rank at most "
		"±%.2f %% away (99.9 %% confidence)\n",
		opts->sample_max_n, (unsigned long long)timed, (unsigned long long)calls,
		100.0 / (2.0 * SCRY_HIST_SUB), bound);
}

static const char *latency_text(enum scry_latency latency)
{
	return latency == SCRY_LATENCY_CPU ? "system CPU time" : "wall-clock latency";
}

/* The tables of one mode's calls, one per pid or one for all. */
static void put_tables(FILE *out, const struct tables *ts, const struct layout *l)
{
	if (ts->n == 1) {
		put_rule(out, '=', l->total_width);
		put_table(out, l, &ts->t[0]);
		return;
	}
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->t[i].pid == ALL_PIDS)
			fputs("\nAll processes:\n", out);
		else
			fprintf(out, "\nProcess %d:\n", ts->t[i].pid);
		put_rule(out, '=', l->total_width);
		put_table(out, l, &ts->t[i]);
	}
}

int scry_stats_print_text(const struct scry_stats *st, FILE *out,
			  const struct scry_summary_opts *opts)
{
	struct tables ts;
	struct layout l;
	int have[2] = { 0, 0 };

	for (size_t i = 0; i < st->nr_rows; i++)
		if (st->rows[i].calls)
			have[st->rows[i].nr >= SCRY_NR_I386] = 1;

	fputs("System Call Summary (", out);
	if (opts->seconds >= 0 && isfinite(opts->seconds))
		fprintf(out, opts->seconds >= 10 ? "%.1f seconds, " : "%.3f seconds, ",
			opts->seconds);
	fprintf(out, "%s):\n", latency_text(opts->latency));
	if (opts->note && *opts->note)
		fprintf(out, "%s\n", opts->note);
	sampling_text(out, st, opts);

	/* the native calls' table(s) (also when there is no call at all),
	 * then those made in 32-bit mode under strace's heading */
	for (int mode = ABI_NATIVE; mode <= ABI_32; mode++) {
		if (mode == ABI_NATIVE ? !have[0] && have[1] : !have[1])
			continue;
		int err = build_tables(&ts, st, opts, (enum abi_mode)mode);
		if (err)
			return err;
		plan_layout(&l, &ts, opts);
		if (mode == ABI_32)
			fprintf(out, "%sSystem call usage summary for 32 bit mode:\n", have[0] ? "\n" : "");
		put_tables(out, &ts, &l);
		release_tables(&ts);
	}
	return finish(out);
}

/* ---- JSON ------------------------------------------------------------- */

/* One JSON string, escaped as every JSON output escapes (util/escape.h). */
static void json_string(FILE *out, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	json_add_str(&b, s);
	fwrite(b.buf, 1, b.len, out);
	strbuf_release(&b);
}

/* The numeric fields shared by a syscall row and a total. */
static void json_fields(FILE *out, const struct scry_stats_row *row, uint64_t table_total_ns,
			int sampling)
{
	if (sampling)
		fprintf(out, "\"timed\":%llu,\"rank_bound_pct\":%.3f,",
			(unsigned long long)(row->calls - row->untimed), scry_stats_row_rank_bound(row));
	fprintf(out, "\"calls\":%llu,\"errors\":%llu,\"total_ns\":%llu,\"avg_ns\":%llu,"
		"\"min_ns\":%llu,\"max_ns\":%llu,\"p50_ns\":%llu,\"p90_ns\":%llu,"
		"\"p99_ns\":%llu,\"percent\":%.2f",
		(unsigned long long)row->calls, (unsigned long long)row->errors,
		(unsigned long long)row->total_ns,
		(unsigned long long)scry_stats_row_avg(row),
		(unsigned long long)(row->calls > row->untimed ? row->min_ns : 0),
		(unsigned long long)row->max_ns,
		(unsigned long long)scry_stats_row_percentile(row, 50),
		(unsigned long long)scry_stats_row_percentile(row, 90),
		(unsigned long long)scry_stats_row_percentile(row, 99),
		row->calls ? percent_of(row->total_ns, table_total_ns) : 0.0);
}

static void json_table(FILE *out, const struct table *t, int sampling)
{
	fputs("\"syscalls\":[", out);
	for (size_t r = 0; r < t->n; r++) {
		fputs(r ? ",{\"name\":" : "{\"name\":", out);
		json_string(out, t->e[r].name);
		fprintf(out, ",\"nr\":%d,", t->e[r].row->nr);
		json_fields(out, t->e[r].row, t->total.total_ns, sampling);
		putc('}', out);
	}
	fputs("],\"total\":{", out);
	json_fields(out, &t->total, t->total.total_ns, sampling);
	putc('}', out);
}

int scry_stats_print_json(const struct scry_stats *st, FILE *out,
			  const struct scry_summary_opts *opts)
{
	struct tables ts;
	int err = build_tables(&ts, st, opts, ABI_ALL);

	if (err)
		return err;
	fputs("{\"seconds\":", out);
	if (opts->seconds >= 0 && isfinite(opts->seconds))
		fprintf(out, "%.6f", opts->seconds);
	else
		fputs("null", out);
	fprintf(out, ",\"latency\":\"%s\",",
		opts->latency == SCRY_LATENCY_CPU ? "cpu" : "wall");
	if (opts->note && *opts->note) {
		fputs("\"note\":", out);
		json_string(out, opts->note);
		putc(',', out);
	}
	if (opts->sample_max_n) {
		uint64_t calls, timed;
		double bound;
		int any = sampling_of(st, &calls, &timed, &bound);

		fprintf(out, "\"latency_sampling\":{\"sampled\":%s,\"max_one_in\":%u,\"calls\":%llu,"
			"\"timed\":%llu,\"bucket_pct\":%.2f,\"rank_bound_pct\":%.3f,\"confidence\":0.999},",
			any ? "true" : "false", opts->sample_max_n, (unsigned long long)calls,
			(unsigned long long)timed, 100.0 / (2.0 * SCRY_HIST_SUB), bound);
	}
	json_table(out, &ts.t[ts.n - 1], !!opts->sample_max_n);
	if (st->per_process && opts->per_process) {
		fputs(",\"processes\":[", out);
		for (size_t i = 0; i + 1 < ts.n; i++) {
			fprintf(out, "%s{\"pid\":%d,", i ? "," : "", ts.t[i].pid);
			json_table(out, &ts.t[i], !!opts->sample_max_n);
			putc('}', out);
		}
		putc(']', out);
	}
	/* --source -c, -k -c, --by-function (issue 13) */
	if (opts->sites) {
		fputs(",\"call_sites\":", out);
		err = scry_sites_print_json(opts->sites, out, opts);
	}
	if (opts->functions && !err) {
		fputs(",\"functions\":", out);
		err = scry_sites_print_json(opts->functions, out, opts);
	}
	fputs("}\n", out);
	release_tables(&ts);
	return err ? err : finish(out);
}

/* ---- CSV -------------------------------------------------------------- */

/* One CSV text cell, as every CSV output writes it (util/escape.h). */
static void csv_field(FILE *out, const char *s)
{
	struct strbuf b = STRBUF_INIT;
	csv_add_cell(&b, s, strlen(s));
	fwrite(b.buf, 1, b.len, out);
	strbuf_release(&b);
}

static void csv_table(FILE *out, const struct table *t, int with_pid, int sampling)
{
	for (size_t r = 0; r < t->n; r++) {
		const struct scry_stats_row *row = t->e[r].row;

		if (with_pid)
			fprintf(out, "%d,", t->pid);
		csv_field(out, t->e[r].name);
		fprintf(out, ",%llu,%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f",
			(unsigned long long)row->calls, (unsigned long long)row->errors,
			(double)row->total_ns / 1e3,
			(double)scry_stats_row_avg(row) / 1e3,
			(double)scry_stats_row_percentile(row, 50) / 1e3,
			(double)scry_stats_row_percentile(row, 90) / 1e3,
			(double)scry_stats_row_percentile(row, 99) / 1e3,
			(double)row->max_ns / 1e3,
			percent_of(row->total_ns, t->total.total_ns));
		if (sampling)
			fprintf(out, ",%llu,%.3f\n", (unsigned long long)(row->calls - row->untimed),
				scry_stats_row_rank_bound(row));
		else
			putc('\n', out);
	}
}

int scry_stats_print_csv(const struct scry_stats *st, FILE *out,
			 const struct scry_summary_opts *opts)
{
	struct tables ts;
	int with_pid = st->per_process && opts->per_process;
	int err = build_tables(&ts, st, opts, ABI_ALL);

	if (err)
		return err;
	/* by call site and by function (issue 13): their rows instead */
	if (opts->sites || opts->functions) {
		release_tables(&ts);
		fputs(SCRY_SITES_CSV_HEADER, out);
		if (opts->sites)
			err = scry_sites_print_csv(opts->sites, out, opts);
		if (opts->functions && !err)
			err = scry_sites_print_csv(opts->functions, out, opts);
		return err ? err : finish(out);
	}
	if (with_pid)
		fputs("pid,", out);
	fputs("syscall,calls,errors,total_us,avg_us,p50_us,p90_us,p99_us,max_us,percent", out);
	fputs(opts->sample_max_n ? ",timed,rank_bound_pct\n" : "\n", out);
	if (with_pid) {
		for (size_t i = 0; i + 1 < ts.n; i++)
			csv_table(out, &ts.t[i], 1, !!opts->sample_max_n);
	} else {
		csv_table(out, &ts.t[ts.n - 1], 0, !!opts->sample_max_n);
	}
	release_tables(&ts);
	return finish(out);
}
