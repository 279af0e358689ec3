/* Summaries by call site and by function (sites.h). */
#include "stats/sites.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/callname.h"
#include "util/escape.h"
#include "util/strbuf.h"

void scry_sites_init(struct scry_sites *s, enum scry_sites_kind kind, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->cap = cap ? cap : SCRY_SITES_CAP_DEFAULT;
}

void scry_sites_reset(struct scry_sites *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->rows[i].label);
		free(s->rows[i].extra);
		free(s->rows[i].r.hist);
	}
	free(s->rows);
	free(s->index);
	scry_sites_init(s, s->kind, s->cap);
}

void scry_sites_release(struct scry_sites *s)
{
	scry_sites_reset(s);
}

static uint64_t hash_key(int nr, const char *label, const char *extra)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uint32_t)nr;
	for (const unsigned char *p = (const unsigned char *)label; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const unsigned char *p = (const unsigned char *)(extra ? extra : ""); *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h ^ (h >> 29);
}

static int same_key(const struct scry_site_row *row, int nr, const char *label, const char *extra)
{
	return !row->overflow && row->r.nr == nr && !strcmp(row->label, label) &&
	       !strcmp(row->extra ? row->extra : "", extra ? extra : "");
}

static int grow_index(struct scry_sites *s)
{
	size_t size = s->index_size ? s->index_size * 2 : 64;
	uint32_t *idx = calloc(size, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct scry_site_row *row = &s->rows[i];
		if (row->overflow)
			continue;
		size_t j = hash_key(row->r.nr, row->label, row->extra) & (size - 1);
		while (idx[j])
			j = (j + 1) & (size - 1);
		idx[j] = (uint32_t)i + 1;
	}
	free(s->index);
	s->index = idx;
	s->index_size = size;
	return 0;
}

static struct scry_site_row *new_row(struct scry_sites *s, int nr, const char *label, const char *extra,
				     int overflow)
{
	if (s->n == s->alloc) {
		size_t n = s->alloc ? s->alloc * 2 : 16;
		struct scry_site_row *p = realloc(s->rows, n * sizeof(*p));
		if (!p)
			return NULL;
		s->rows = p;
		s->alloc = n;
	}
	struct scry_site_row *row = &s->rows[s->n];
	memset(row, 0, sizeof(*row));
	row->r.nr = nr;
	row->r.min_ns = UINT64_MAX;
	row->label = strdup(label);
	row->extra = extra ? strdup(extra) : NULL;
	row->r.hist = calloc(1, sizeof(*row->r.hist));
	row->overflow = overflow;
	if (!row->label || (extra && !row->extra) || !row->r.hist) {
		free(row->label);
		free(row->extra);
		free(row->r.hist);
		return NULL;
	}
	s->n++;
	return row;
}

static struct scry_site_row *overflow_row(struct scry_sites *s)
{
	s->overflow = 1;
	for (size_t i = s->n; i-- > 0;)
		if (s->rows[i].overflow)
			return &s->rows[i];
	return new_row(s, -1, s->kind == SCRY_SITES_FUNCTIONS ? "(other functions)" : "(other call sites)",
		       NULL, 1);
}

static struct scry_site_row *find_or_add(struct scry_sites *s, int nr, const char *label, const char *extra)
{
	if ((s->n + 1) * 2 > s->index_size && grow_index(s) < 0)
		return NULL;
	size_t mask = s->index_size - 1;
	size_t j = hash_key(nr, label, extra) & mask;
	for (; s->index[j]; j = (j + 1) & mask) {
		struct scry_site_row *row = &s->rows[s->index[j] - 1];
		if (same_key(row, nr, label, extra))
			return row;
	}
	/* (the overflow row takes one of the cap's places) */
	size_t keyed = s->n;
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].overflow)
			keyed--;
	if (keyed + 1 >= s->cap)
		return overflow_row(s);
	struct scry_site_row *row = new_row(s, nr, label, extra, 0);
	if (row)
		s->index[j] = (uint32_t)(row - s->rows) + 1;
	return row;
}

static void row_add(struct scry_stats_row *r, uint64_t ns, int is_error)
{
	r->calls++;
	r->errors += is_error != 0;
	r->total_ns = r->total_ns + ns < r->total_ns ? UINT64_MAX : r->total_ns + ns;
	if (ns < r->min_ns)
		r->min_ns = ns;
	if (ns > r->max_ns)
		r->max_ns = ns;
	scry_hist_add(r->hist, ns);
}

int scry_sites_add(struct scry_sites *s, int nr, const char *label, const char *extra,
		   uint64_t ns, int is_error)
{
	if (s->kind == SCRY_SITES_FUNCTIONS)
		nr = -1;
	struct scry_site_row *row = find_or_add(s, nr, label ? label : "?", extra);
	if (!row)
		return -ENOMEM;
	row_add(&row->r, ns, is_error);
	return 0;
}

int scry_sites_add_row(struct scry_sites *s, const char *label, const char *extra,
		       const struct scry_stats_row *src)
{
	if (!src->calls)
		return 0;
	int nr = s->kind == SCRY_SITES_FUNCTIONS ? -1 : src->nr;
	struct scry_site_row *row = find_or_add(s, nr, label ? label : "?", extra);
	if (!row)
		return -ENOMEM;
	struct scry_stats_row *r = &row->r;
	r->calls += src->calls;
	r->errors += src->errors;
	r->total_ns = r->total_ns + src->total_ns < r->total_ns ? UINT64_MAX : r->total_ns + src->total_ns;
	if (src->min_ns < r->min_ns)
		r->min_ns = src->min_ns;
	if (src->max_ns > r->max_ns)
		r->max_ns = src->max_ns;
	scry_hist_merge(r->hist, src->hist);
	s->calls += src->calls;
	s->errors += src->errors;
	s->total_ns = s->total_ns + src->total_ns < s->total_ns ? UINT64_MAX : s->total_ns + src->total_ns;
	return 0;
}

void scry_sites_count_call(struct scry_sites *s, uint64_t ns, int is_error)
{
	s->calls++;
	s->errors += is_error != 0;
	s->total_ns = s->total_ns + ns < s->total_ns ? UINT64_MAX : s->total_ns + ns;
}

/* ---- the table ---- */

struct sorted {
	const struct scry_site_row *row;
	uint64_t key;
};

static int compare_sorted(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	if (x->row->overflow != y->row->overflow)
		return x->row->overflow ? 1 : -1;   /* the overflow row last */
	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	int c = strcmp(x->row->label, y->row->label);
	if (c)
		return c;
	return (x->row->r.nr > y->row->r.nr) - (x->row->r.nr < y->row->r.nr);
}

static uint64_t sort_key(const struct scry_stats_row *r, enum scry_sort_key k)
{
	switch (k) {
	case SCRY_SORT_CALLS: return r->calls;
	case SCRY_SORT_AVG: return scry_stats_row_avg(r);
	case SCRY_SORT_P99: return scry_stats_row_percentile(r, 99);
	case SCRY_SORT_ERRORS: return r->errors;
	case SCRY_SORT_NAME: return 0;
	case SCRY_SORT_TIME:
	default: return r->total_ns;
	}
}

/* As the syscall table writes durations (summary.c). */
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

static unsigned width_of(const char *s)
{
	unsigned w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

#define NCOLS 9
#define CELL 48

/* The cells of one row; the last column is written as it is. */
static void cells(char c[NCOLS][CELL], const struct scry_sites *s, const struct scry_stats_row *r,
		  const char *first, const struct scry_summary_opts *opts)
{
	snprintf(c[0], CELL, "%s", first);
	snprintf(c[1], CELL, "%llu", (unsigned long long)r->calls);
	snprintf(c[2], CELL, "%llu", (unsigned long long)r->errors);
	format_ns(c[3], CELL, r->total_ns);
	if (s->kind == SCRY_SITES_FUNCTIONS)
		snprintf(c[4], CELL, "%.2f", s->total_ns ? 100.0 * (double)r->total_ns / (double)s->total_ns : 0.0);
	else
		format_ns(c[4], CELL, scry_stats_row_avg(r));
	format_ns(c[5], CELL, scry_stats_row_percentile(r, 50));
	format_ns(c[6], CELL, scry_stats_row_percentile(r, 90));
	format_ns(c[7], CELL, scry_stats_row_percentile(r, 99));
	format_ns(c[8], CELL, r->calls ? r->max_ns : 0);
}

static void put_line(FILE *out, char c[NCOLS][CELL], const unsigned *w, const char *last)
{
	for (int i = 0; i < NCOLS; i++) {
		unsigned cw = width_of(c[i]);
		if (i == 0) {
			fputs(c[i], out);
			for (unsigned k = cw; k < w[i]; k++)
				putc(' ', out);
		} else {
			for (unsigned k = cw; k < w[i]; k++)
				putc(' ', out);
			fputs(c[i], out);
		}
	}
	if (last && *last)
		fprintf(out, "  %s", last);
	putc('\n', out);
}

int scry_sites_print_text(const struct scry_sites *s, FILE *out, const struct scry_summary_opts *opts)
{
	int funcs = s->kind == SCRY_SITES_FUNCTIONS;
	struct sorted *v = calloc(s->n ? s->n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	struct scry_stats_row total = { .nr = -1, .min_ns = UINT64_MAX };
	total.hist = calloc(1, sizeof(*total.hist));
	if (!total.hist) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		v[i].row = &s->rows[i];
		v[i].key = sort_key(&s->rows[i].r, opts->sort);
		if (!funcs) {
			const struct scry_stats_row *r = &s->rows[i].r;
			total.calls += r->calls;
			total.errors += r->errors;
			total.total_ns += r->total_ns;
			if (r->min_ns < total.min_ns)
				total.min_ns = r->min_ns;
			if (r->max_ns > total.max_ns)
				total.max_ns = r->max_ns;
			scry_hist_merge(total.hist, r->hist);
		}
	}
	qsort(v, s->n, sizeof(*v), compare_sorted);

	static const char *const head_calls[NCOLS] = { "Syscall", "Calls", "Errors", "Total Time", "Avg Time",
						      "p50", "p90", "p99", "Max" };
	static const char *const head_funcs[NCOLS] = { "Function", "Calls", "Errors", "Total Time", "% Time",
						      "p50", "p90", "p99", "Max" };
	const char *const *head = funcs ? head_funcs : head_calls;
	static const unsigned minw[NCOLS] = { 16, 8, 8, 13, 12, 10, 10, 10, 10 };
	unsigned w[NCOLS];
	char c[NCOLS][CELL];
	for (int i = 0; i < NCOLS; i++) {
		w[i] = minw[i];
		if (width_of(head[i]) + 2 > w[i])
			w[i] = width_of(head[i]) + 2;
	}
	char namebuf[SCRY_CALL_NAME_MAX];
	for (size_t i = 0; i < s->n; i++) {
		const struct scry_site_row *row = v[i].row;
		const char *first = funcs || row->overflow ? row->label : NULL;
		if (!first) {
			first = opts->name ? opts->name(row->r.nr, opts->ctx) : NULL;
			if (!first)
				first = scry_call_name(NULL, row->r.nr, namebuf);
		}
		cells(c, s, &row->r, first, opts);
		for (int k = 0; k < NCOLS; k++)
			if (width_of(c[k]) + (k ? 1 : 2) > w[k])
				w[k] = width_of(c[k]) + (k ? 1 : 2);
	}
	unsigned tw = 0;
	for (int i = 0; i < NCOLS; i++)
		tw += w[i];

	fprintf(out, "\n%s (", funcs ? "Time in System Calls by Function, inclusive over the stack"
				       : "System Calls by Call Site");
	if (opts->seconds >= 0)
		fprintf(out, opts->seconds >= 10 ? "%.1f seconds, " : "%.3f seconds, ", opts->seconds);
	fprintf(out, "%s):\n", opts->latency == SCRY_LATENCY_CPU ? "system CPU time" : "wall-clock latency");
	if (opts->note && *opts->note)
		fprintf(out, "%s\n", opts->note);
	for (unsigned i = 0; i < tw + 12; i++)
		putc('=', out);
	putc('\n', out);
	for (int i = 0; i < NCOLS; i++)
		snprintf(c[i], CELL, "%s", head[i]);
	put_line(out, c, w, funcs ? "Object" : "Call Site");
	for (size_t i = 0; i < s->n; i++) {
		const struct scry_site_row *row = v[i].row;
		const char *first = funcs || row->overflow ? row->label : NULL;
		if (!first) {
			first = opts->name ? opts->name(row->r.nr, opts->ctx) : NULL;
			if (!first)
				first = scry_call_name(NULL, row->r.nr, namebuf);
		}
		cells(c, s, &row->r, first, opts);
		put_line(out, c, w, row->overflow ? "" : funcs ? (row->extra ? row->extra : "?") : row->label);
	}
	for (unsigned i = 0; i < tw + 12; i++)
		putc('-', out);
	putc('\n', out);
	if (funcs) {
		/* each call once: the function rows overlap */
		snprintf(c[0], CELL, "total");
		snprintf(c[1], CELL, "%llu", (unsigned long long)s->calls);
		snprintf(c[2], CELL, "%llu", (unsigned long long)s->errors);
		format_ns(c[3], CELL, s->total_ns);
		for (int k = 4; k < NCOLS; k++)
			snprintf(c[k], CELL, "%s", k == 4 ? "100.00" : "");
		put_line(out, c, w, "(each call once)");
	} else {
		cells(c, s, &total, "total", opts);
		put_line(out, c, w, "");
	}
	if (s->overflow)
		fprintf(out, "(more than %zu %s: the calls of the others are counted in the row \"%s\")\n",
			s->cap - 1, funcs ? "functions" : "call sites",
			funcs ? "(other functions)" : "(other call sites)");
	free(total.hist);
	free(v);
	if (fflush(out) == EOF || ferror(out))
		return -EIO;
	return 0;
}

/* ---- JSON and CSV ---- */

/* The rows sorted as the text table; NULL without memory. */
static struct sorted *sort_rows(const struct scry_sites *s, const struct scry_summary_opts *opts)
{
	struct sorted *v = calloc(s->n ? s->n : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < s->n; i++) {
		v[i].row = &s->rows[i];
		v[i].key = sort_key(&s->rows[i].r, opts->sort);
	}
	qsort(v, s->n, sizeof(*v), compare_sorted);
	return v;
}

/* The time of all the table's calls, each once (percentages are of it). */
static uint64_t table_ns(const struct scry_sites *s)
{
	if (s->kind == SCRY_SITES_FUNCTIONS)
		return s->total_ns;
	uint64_t t = 0;
	for (size_t i = 0; i < s->n; i++)
		t += s->rows[i].r.total_ns;
	return t;
}

static const char *row_syscall(const struct scry_site_row *row, const struct scry_summary_opts *opts,
			       char namebuf[SCRY_CALL_NAME_MAX])
{
	const char *n = opts->name ? opts->name(row->r.nr, opts->ctx) : NULL;
	return n ? n : scry_call_name(NULL, row->r.nr, namebuf);
}

static int finish_out(FILE *out)
{
	return fflush(out) == EOF || ferror(out) ? -EIO : 0;
}

int scry_sites_print_json(const struct scry_sites *s, FILE *out, const struct scry_summary_opts *opts)
{
	struct sorted *v = sort_rows(s, opts);
	if (!v)
		return -ENOMEM;
	int funcs = s->kind == SCRY_SITES_FUNCTIONS;
	uint64_t all = table_ns(s);
	struct strbuf b = STRBUF_INIT;
	char namebuf[SCRY_CALL_NAME_MAX];
	strbuf_addch(&b, '[');
	for (size_t i = 0; i < s->n; i++) {
		const struct scry_site_row *row = v[i].row;
		const struct scry_stats_row *r = &row->r;
		strbuf_addstr(&b, i ? ",{" : "{");
		if (funcs) {
			strbuf_addstr(&b, "\"function\":");
			json_add_str(&b, row->label);
			strbuf_addstr(&b, ",\"object\":");
			if (row->extra)
				json_add_str(&b, row->extra);
			else
				strbuf_addstr(&b, "null");
		} else {
			strbuf_addstr(&b, "\"syscall\":");
			if (row->overflow)
				strbuf_addstr(&b, "null");
			else
				json_add_str(&b, row_syscall(row, opts, namebuf));
			strbuf_addf(&b, ",\"nr\":%d,\"call_site\":", row->r.nr);
			json_add_str(&b, row->label);
		}
		strbuf_addf(&b, ",\"calls\":%llu,\"errors\":%llu,\"total_ns\":%llu,\"avg_ns\":%llu,"
			    "\"min_ns\":%llu,\"max_ns\":%llu,\"p50_ns\":%llu,\"p90_ns\":%llu,"
			    "\"p99_ns\":%llu,\"percent\":%.2f",
			    (unsigned long long)r->calls, (unsigned long long)r->errors,
			    (unsigned long long)r->total_ns, (unsigned long long)scry_stats_row_avg(r),
			    (unsigned long long)(r->calls ? r->min_ns : 0), (unsigned long long)r->max_ns,
			    (unsigned long long)scry_stats_row_percentile(r, 50),
			    (unsigned long long)scry_stats_row_percentile(r, 90),
			    (unsigned long long)scry_stats_row_percentile(r, 99),
			    all ? 100.0 * (double)r->total_ns / (double)all : 0.0);
		if (row->overflow)
			strbuf_addstr(&b, ",\"other\":true");
		strbuf_addch(&b, '}');
	}
	strbuf_addch(&b, ']');
	fwrite(b.buf, 1, b.len, out);
	strbuf_release(&b);
	free(v);
	return finish_out(out);
}

static void csv_cell(struct strbuf *b, const char *txt)
{
	csv_add_cell(b, txt, strlen(txt));
}

int scry_sites_print_csv(const struct scry_sites *s, FILE *out, const struct scry_summary_opts *opts)
{
	struct sorted *v = sort_rows(s, opts);
	if (!v)
		return -ENOMEM;
	int funcs = s->kind == SCRY_SITES_FUNCTIONS;
	uint64_t all = table_ns(s);
	struct strbuf b = STRBUF_INIT;
	char namebuf[SCRY_CALL_NAME_MAX];
	for (size_t i = 0; i < s->n; i++) {
		const struct scry_site_row *row = v[i].row;
		const struct scry_stats_row *r = &row->r;
		strbuf_addstr(&b, funcs ? "function," : "call_site,");
		if (funcs) {
			csv_cell(&b, row->label);
			strbuf_addch(&b, ',');
			csv_cell(&b, row->extra ? row->extra : "");
		} else {
			csv_cell(&b, row->overflow ? "" : row_syscall(row, opts, namebuf));
			strbuf_addch(&b, ',');
			csv_cell(&b, row->label);
		}
		strbuf_addf(&b, ",%llu,%llu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.2f\n",
			    (unsigned long long)r->calls, (unsigned long long)r->errors,
			    (double)r->total_ns / 1e3, (double)scry_stats_row_avg(r) / 1e3,
			    (double)scry_stats_row_percentile(r, 50) / 1e3,
			    (double)scry_stats_row_percentile(r, 90) / 1e3,
			    (double)scry_stats_row_percentile(r, 99) / 1e3,
			    (double)r->max_ns / 1e3,
			    all ? 100.0 * (double)r->total_ns / (double)all : 0.0);
	}
	fwrite(b.buf, 1, b.len, out);
	strbuf_release(&b);
	free(v);
	return finish_out(out);
}
