/*
 * The HTML report (html.h): the trace database aggregated into one JSON
 * block, put in a page with the embedded script and style and a
 * Content-Security-Policy that names their hashes.  Also the "html"
 * output format for live runs, which records into a temporary database
 * and writes the page from it at the end.
 */
#include "output/html.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/formats.h"
#include "output/tracedb.h"
#include "stats/hist.h"
#include "stats/stats.h"
#include "syscalls/syscalls.h"
#include "util/escape.h"
#include "util/sha256.h"
#include "util/strbuf.h"

/* Generated at build time by scripts/embed-asset (Makefile). */
#include "html_assets.h"

#ifndef SCRY_HAVE_SQLITE
#pragma weak sqlite3_bind_int64
#pragma weak sqlite3_close
#pragma weak sqlite3_column_blob
#pragma weak sqlite3_column_bytes
#pragma weak sqlite3_column_int
#pragma weak sqlite3_column_int64
#pragma weak sqlite3_column_text
#pragma weak sqlite3_column_type
#pragma weak sqlite3_errmsg
#pragma weak sqlite3_exec
#pragma weak sqlite3_finalize
#pragma weak sqlite3_get_autocommit
#pragma weak sqlite3_open_v2
#pragma weak sqlite3_prepare_v2
#pragma weak sqlite3_reset
#pragma weak sqlite3_step
#define HAVE_SQLITE_LINKED() (sqlite3_open_v2 != NULL)
#else
#define HAVE_SQLITE_LINKED() 1
#endif

/* The timeline's classes (the page's colours follow this order). */
enum { CL_FILE, CL_DESC, CL_NET, CL_PROCESS, CL_MEMORY, CL_SIGNAL, CL_IPC, CL_CLOCK, CL_OTHER };
static const char *const class_names[] = { "file", "io", "network", "process", "memory", "signal", "ipc",
					   "time", "other" };

#define MAX_TEXT 400           /* bytes of a call's arguments shipped */
#define MAX_PROCS 5000
#define MAX_ERROR_GROUPS 1000
#define MAX_FLAME_NODES 50000
#define MAX_SOURCES 500

struct cell {
	uint32_t count;
	uint8_t cls;            /* the class of the longest call in it */
	uint64_t busy_ns;
	uint64_t longest_ns;
};

struct lane {
	int64_t tid, pid;
	uint64_t calls;
	struct cell *cells;     /* HTML_TIME_BUCKETS, or NULL before its first call */
};

/* An open-addressing map from int64 keys (tids, pids) to two values. */
struct slot {
	int64_t key, a;
	uint64_t b;
	int used;
};

struct i64map {
	struct slot *s;
	size_t cap, len;        /* cap: 0 or a power of two */
};

static struct slot *map_get(struct i64map *m, int64_t key, int *fresh)
{
	if (m->len * 2 >= m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct slot *n = calloc(cap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->s[i].used)
				continue;
			size_t j = ((uint64_t)m->s[i].key * 0x9e3779b97f4a7c15ull) >> 20 & (cap - 1);
			while (n[j].used)
				j = (j + 1) & (cap - 1);
			n[j] = m->s[i];
		}
		free(m->s);
		m->s = n;
		m->cap = cap;
	}
	size_t j = ((uint64_t)key * 0x9e3779b97f4a7c15ull) >> 20 & (m->cap - 1);
	while (m->s[j].used && m->s[j].key != key)
		j = (j + 1) & (m->cap - 1);
	*fresh = !m->s[j].used;
	if (*fresh) {
		m->s[j] = (struct slot){ key, 0, 0, 1 };
		m->len++;
	}
	return &m->s[j];
}

static struct slot *map_find(const struct i64map *m, int64_t key)
{
	if (!m->cap)
		return NULL;
	size_t j = ((uint64_t)key * 0x9e3779b97f4a7c15ull) >> 20 & (m->cap - 1);
	while (m->s[j].used) {
		if (m->s[j].key == key)
			return &m->s[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

/* The failing calls' groups (add_error). */
struct egroup {
	char *key;
	size_t len;
	uint64_t hash, count;
	int64_t ns;
};

struct errgroups {
	struct egroup *g;
	size_t n, alloc;
	uint32_t *slot;         /* open addressing: group index + 1 */
	size_t cap;
	struct strbuf key;
};

/* A call's place in ORDER BY ts_ns, id (a NULL ts_ns first). */
struct key {
	int has_ts;
	int64_t ts, id;
};

static int key_less(const struct key *x, const struct key *y)
{
	if (x->has_ts != y->has_ts)
		return x->has_ts < y->has_ts;
	if (x->ts != y->ts)
		return x->ts < y->ts;
	return x->id < y->id;
}

static int key_cmp(const void *a, const void *b)
{
	return key_less(a, b) ? -1 : key_less(b, a);
}

struct gen {
	sqlite3 *db;
	struct strbuf *b;
	char **names;           /* syscall names by nr, as the database has them */
	int nnames;
	int rc;                 /* the first SQLite error */
	char errmsg[256];       /* its message (copied: later calls reuse SQLite's) */
	uint64_t t0, t1;        /* the trace's span */
	int cpu;                /* the summary's latency is CPU time */
	struct lane *lanes;
	size_t nlanes;
	int has_stacks;
	/* what the one scan of syscalls (scan_calls) found */
	uint64_t ncalls, nerrors, nunfinished, nthreads;
	int stack_calls;        /* some call has a stack */
	struct scry_stats stats;
	struct i64map tids;     /* tid -> min(pid) (a), lane index + 1 (b) */
	struct i64map pids;     /* pid -> calls (b) */
	struct key *first;      /* the first calls by (ts_ns, id): a max-heap */
	size_t nfirst;
	struct errgroups errs;
};

static int sql_fail(struct gen *g, int rc)
{
	if (!g->rc) {
		g->rc = rc ? rc : SQLITE_ERROR;
		snprintf(g->errmsg, sizeof(g->errmsg), "%s", sqlite3_errmsg(g->db));
	}
	return -EIO;
}

static sqlite3_stmt *prep(struct gen *g, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(g->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		sql_fail(g, rc);
		return NULL;
	}
	return st;
}

/* SQLITE_ROW or SQLITE_DONE; anything else is recorded. */
static int step(struct gen *g, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sql_fail(g, rc);
	return rc;
}

/*
 * A JSON string for any bytes: valid UTF-8 as it is (escaped by
 * util/escape.h's rule, safe inside <script>); each byte of an invalid
 * sequence as the four characters \xNN, so that the page shows it as text.
 */
static void json_text(struct strbuf *b, const void *data, size_t n)
{
	const unsigned char *p = data;
	if (!p) {
		strbuf_addstr(b, "null");
		return;
	}
	if (utf8_valid(p, n)) {
		json_add_bytes(b, p, n);
		return;
	}
	struct strbuf t = STRBUF_INIT;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (len && i + len <= n && utf8_valid(p + i, len)) {
			strbuf_add(&t, p + i, len);
			i += len;
		} else {
			strbuf_addf(&t, "\\x%02x", c);
			i++;
		}
	}
	json_add_bytes(b, t.buf, t.len);
	strbuf_release(&t);
}

static void json_col(struct strbuf *b, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		strbuf_addstr(b, "null");
		return;
	}
	const void *p = sqlite3_column_blob(st, i);
	json_text(b, p ? p : "", p ? (size_t)sqlite3_column_bytes(st, i) : 0);
}

static void json_col_int(struct strbuf *b, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		strbuf_addstr(b, "null");
	else
		strbuf_addf(b, "%lld", (long long)sqlite3_column_int64(st, i));
}

/* The metadata, read as scry report reads it (output/tracedb.h) */
static char *meta(struct gen *g, const char *key)
{
	char *v;
	int rc = tracedb_meta(g->db, key, &v);
	if (rc != SQLITE_OK)
		sql_fail(g, rc);
	return v;
}

static uint64_t meta_u64(struct gen *g, const char *key)
{
	uint64_t n;
	int rc = tracedb_meta_u64(g->db, key, &n);
	if (rc != SQLITE_OK)
		sql_fail(g, rc);
	return n;
}

static void json_meta(struct gen *g, const char *key)
{
	char *v = meta(g, key);
	strbuf_addf(g->b, "\"%s\":", key);
	if (v)
		json_text(g->b, v, strlen(v));
	else
		strbuf_addstr(g->b, "null");
	free(v);
}

static int64_t scalar(struct gen *g, const char *sql)
{
	sqlite3_stmt *st = prep(g, sql);
	int64_t v = 0;
	if (st && step(g, st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_finalize(st);
	return v;
}

static const char *name_of(int nr, void *ctx)
{
	struct gen *g = ctx;
	if (nr >= 0 && nr < g->nnames && g->names[nr])
		return g->names[nr];
	const struct scry_syscall_info *i = scry_syscall_get(scry_native_table(), nr);
	return i ? i->name : NULL;
}

/* The name the database gives nr (the first one, by id), kept. */
static void set_name(struct gen *g, int nr, const char *name)
{
	if (nr >= g->nnames) {
		char **p = realloc(g->names, (size_t)(nr + 1) * sizeof(*p));
		if (!p)
			return;
		memset(p + g->nnames, 0, (size_t)(nr + 1 - g->nnames) * sizeof(*p));
		g->names = p;
		g->nnames = nr + 1;
	}
	g->names[nr] = strdup(name);
}

static int class_of(int nr)
{
	const struct scry_syscall_info *i = scry_syscall_get(scry_native_table(), nr);
	unsigned c = i ? i->classes : 0;
	if (c & SCRY_CLASS_NETWORK)
		return CL_NET;
	if (c & (SCRY_CLASS_FILE | SCRY_CLASS_STAT_LIKE | SCRY_CLASS_STATFS_LIKE))
		return CL_FILE;
	if (c & SCRY_CLASS_DESC)
		return CL_DESC;
	if (c & SCRY_CLASS_MEMORY)
		return CL_MEMORY;
	if (c & SCRY_CLASS_PROCESS)
		return CL_PROCESS;
	if (c & SCRY_CLASS_SIGNAL)
		return CL_SIGNAL;
	if (c & SCRY_CLASS_IPC)
		return CL_IPC;
	if (c & SCRY_CLASS_CLOCK)
		return CL_CLOCK;
	return CL_OTHER;
}

/* ---- header ---- */

static void add_header(struct gen *g)
{
	struct strbuf *b = g->b;
	strbuf_addstr(b, "\"header\":{");
	json_meta(g, "command");
	strbuf_addch(b, ',');
	json_meta(g, "pids");
	strbuf_addch(b, ',');
	json_meta(g, "backend");
	strbuf_addch(b, ',');
	json_meta(g, "host");
	strbuf_addch(b, ',');
	json_meta(g, "kernel");
	strbuf_addch(b, ',');
	json_meta(g, "start_time");
	strbuf_addch(b, ',');
	json_meta(g, "scry_version");
	strbuf_addch(b, ',');
	json_meta(g, "summary_note");
	strbuf_addf(b, ",\"latency\":\"%s\"", g->cpu ? "cpu" : "wall");
	strbuf_addf(b, ",\"start_ns\":%llu,\"duration_ns\":%llu", (unsigned long long)g->t0,
		    (unsigned long long)(g->t1 - g->t0));
	strbuf_addf(b, ",\"calls\":%lld", (long long)g->ncalls);
	strbuf_addf(b, ",\"errors\":%lld", (long long)g->nerrors);
	strbuf_addf(b, ",\"unfinished\":%lld", (long long)g->nunfinished);
	strbuf_addf(b, ",\"processes\":%lld", (long long)scalar(g, "SELECT count(*) FROM processes"));
	strbuf_addf(b, ",\"threads\":%lld", (long long)scalar(g, "SELECT count(*) FROM threads"));
	strbuf_addf(b, ",\"lost_events\":%llu}", (unsigned long long)meta_u64(g, "lost_events"));
}

/* ---- summary and histograms ---- */

static int by_total(const void *a, const void *b)
{
	const struct scry_stats_row *x = *(const struct scry_stats_row *const *)a;
	const struct scry_stats_row *y = *(const struct scry_stats_row *const *)b;
	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return (x->nr > y->nr) - (x->nr < y->nr);
}

static void add_cell(struct strbuf *b, uint64_t ns)
{
	char buf[40];
	scry_summary_format_ns(buf, sizeof(buf), ns);
	strbuf_addch(b, ',');
	json_add_key(b, buf);
}

static void add_row(struct gen *g, const struct scry_stats_row *r, uint64_t all_ns, const char *name)
{
	struct strbuf *b = g->b;
	uint64_t avg = scry_stats_row_avg(r), p50 = scry_stats_row_percentile(r, 50),
		 p90 = scry_stats_row_percentile(r, 90), p99 = scry_stats_row_percentile(r, 99),
		 max = r->calls ? r->max_ns : 0;
	double pct = all_ns ? 100.0 * (double)r->total_ns / (double)all_ns : 0.0;
	strbuf_addstr(b, "{\"name\":");
	json_add_str(b, name);
	strbuf_addf(b, ",\"nr\":%d,\"calls\":%llu,\"errors\":%llu,\"total_ns\":%llu,\"avg_ns\":%llu,"
		    "\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,\"max_ns\":%llu,\"percent\":%.2f,\"cells\":[",
		    r->nr, (unsigned long long)r->calls, (unsigned long long)r->errors,
		    (unsigned long long)r->total_ns, (unsigned long long)avg, (unsigned long long)p50,
		    (unsigned long long)p90, (unsigned long long)p99, (unsigned long long)max, pct);
	/* the text table's cells, formatted as scry report -c formats them */
	strbuf_addf(b, "\"%llu\",\"%llu\"", (unsigned long long)r->calls, (unsigned long long)r->errors);
	add_cell(b, r->total_ns);
	add_cell(b, avg);
	add_cell(b, p50);
	add_cell(b, p90);
	add_cell(b, p99);
	add_cell(b, max);
	strbuf_addf(b, ",\"%.2f\"]", pct);
	if (r->hist) {
		/* the non-empty log-linear buckets: [lowest ns, count] */
		strbuf_addstr(b, ",\"hist\":[");
		int first = 1;
		for (unsigned i = 0; i < SCRY_HIST_BUCKETS; i++) {
			if (!r->hist->buckets[i])
				continue;
			strbuf_addf(b, "%s[%llu,%llu]", first ? "" : ",", scry_hist_bucket_lo(i),
				    (unsigned long long)r->hist->buckets[i]);
			first = 0;
		}
		strbuf_addch(b, ']');
	}
	strbuf_addch(b, '}');
}

/* The same rows, from the same calls, as scry report -c. */
static int add_summary(struct gen *g)
{
	struct scry_stats *stats = &g->stats;
	int r = 0;
	size_t n = scry_stats_nr_rows(stats);
	const struct scry_stats_row **rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		r = -ENOMEM;
	struct scry_stats_row total;
	memset(&total, 0, sizeof(total));
	for (size_t i = 0; r == 0 && i < n; i++) {
		rows[i] = scry_stats_row_at(stats, i);
		total.calls += rows[i]->calls;
		total.errors += rows[i]->errors;
		total.total_ns += rows[i]->total_ns;
		if (rows[i]->max_ns > total.max_ns)
			total.max_ns = rows[i]->max_ns;
	}
	if (r == 0) {
		qsort(rows, n, sizeof(*rows), by_total);
		strbuf_addstr(g->b, ",\"summary\":{\"rows\":[");
		for (size_t i = 0; i < n; i++) {
			char buf[32];
			const char *name = name_of(rows[i]->nr, g);
			if (!name) {
				snprintf(buf, sizeof(buf), "syscall_%d", rows[i]->nr);
				name = buf;
			}
			if (i)
				strbuf_addch(g->b, ',');
			add_row(g, rows[i], total.total_ns, name);
		}
		strbuf_addf(g->b, "],\"total\":{\"calls\":%llu,\"errors\":%llu,\"total_ns\":%llu}}",
			    (unsigned long long)total.calls, (unsigned long long)total.errors,
			    (unsigned long long)total.total_ns);
	}
	free(rows);
	return r;
}

/* ---- timeline ---- */

static int by_tid(const void *a, const void *b)
{
	const struct lane *x = a, *y = b;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static int by_pid_tid(const void *a, const void *b)
{
	const struct lane *x = a, *y = b;
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static struct lane *lane_of(struct gen *g, int64_t tid)
{
	struct slot *t = map_find(&g->tids, tid);
	return t && t->b >> 1 ? &g->lanes[(t->b >> 1) - 1] : NULL;
}

static void heap_down(struct key *h, size_t n, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && key_less(&h[c], &h[c + 1]))
			c++;
		if (!key_less(&h[i], &h[c]))
			return;
		struct key t = h[i];
		h[i] = h[c];
		h[c] = t;
		i = c;
	}
}

/* k among the first max calls by (ts_ns, id): g->first is a max-heap. */
static void keep_first(struct gen *g, const struct key *k, size_t max)
{
	struct key *h = g->first;
	if (g->nfirst < max) {
		size_t i = g->nfirst++;
		h[i] = *k;
		while (i && key_less(&h[(i - 1) / 2], &h[i])) {
			struct key t = h[i];
			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (max && key_less(k, &h[0])) {
		h[0] = *k;
		heap_down(h, g->nfirst, 0);
	}
}

/* A thread and one of its pids (the lane's pid is the smallest). */
static int add_tid(struct gen *g, int64_t tid, int has_pid, int64_t pid)
{
	int fresh;
	struct slot *t = map_get(&g->tids, tid, &fresh);
	if (!t)
		return -ENOMEM;
	if (has_pid && (!(t->b & 1) || pid < t->a)) {
		t->a = pid;
		t->b |= 1;
	}
	return 0;
}

static int add_error(struct gen *g, sqlite3_stmt *st, int64_t dur);

/*
 * The one scan of every call (in id order, the order scry report -c adds
 * them in): the trace's span, the header's counts, the summary's
 * statistics, the syscall names the database gives, the threads and their
 * pids, calls per process, whether any call has a stack, the failing
 * calls' groups, and the keys of the first max calls by time (read one by
 * one later, by id).  Only
 * numbers are read, and a name only the first time its number is seen.
 */
static int scan_calls(struct gen *g, size_t max, int64_t *lo, int64_t *hi)
{
	sqlite3_stmt *st = prep(g, "SELECT id, ts_ns, duration_ns, cpu_ns, nr, tid, pid, errno IS NOT NULL,"
				   " unfinished, stack_id IS NOT NULL, name,"
				   " CASE WHEN errno IS NOT NULL THEN errno_name END,"
				   " CASE WHEN errno IS NOT NULL THEN args_text END FROM syscalls ORDER BY id");
	if (!st)
		return -EIO;
	g->first = malloc((max ? max : 1) * sizeof(*g->first));
	int r = g->first ? 0 : -ENOMEM;
	int have_lo = 0, have_hi = 0;
	while (r == 0 && step(g, st) == SQLITE_ROW) {
		struct key k = { sqlite3_column_type(st, 1) != SQLITE_NULL, sqlite3_column_int64(st, 1),
				 sqlite3_column_int64(st, 0) };
		int64_t dur = sqlite3_column_int64(st, 2);
		int64_t nr = sqlite3_column_int64(st, 4);
		int err = sqlite3_column_int(st, 7), unfinished = sqlite3_column_int(st, 8);
		g->ncalls++;
		g->nerrors += err != 0;
		g->nunfinished += unfinished != 0;
		g->stack_calls |= sqlite3_column_int(st, 9);
		if (k.has_ts) {
			/* min(ts_ns), max(ts_ns + coalesce(duration_ns, 0)) */
			int64_t end = (int64_t)((uint64_t)k.ts + (uint64_t)dur);
			if (!have_lo || k.ts < *lo)
				*lo = k.ts;
			if (!have_hi || end > *hi)
				*hi = end;
			have_lo = have_hi = 1;
		}
		if (!unfinished) {
			uint64_t ns = g->cpu ? (uint64_t)sqlite3_column_int64(st, 3) : (uint64_t)dur;
			r = scry_stats_add(&g->stats, 0, sqlite3_column_int(st, 4), ns, err);
		}
		if (nr >= 0 && nr < 4096 && (nr >= g->nnames || !g->names[nr])) {
			const char *name = (const char *)sqlite3_column_text(st, 10);
			if (name)
				set_name(g, (int)nr, name);
		}
		int has_pid = sqlite3_column_type(st, 6) != SQLITE_NULL;
		int64_t pid = sqlite3_column_int64(st, 6);
		if (r == 0)
			r = add_tid(g, sqlite3_column_int64(st, 5), has_pid, pid);
		if (r == 0 && has_pid) {
			int fresh;
			struct slot *p = map_get(&g->pids, pid, &fresh);
			if (p)
				p->b++;
			else
				r = -ENOMEM;
		}
		keep_first(g, &k, max);
		if (r == 0 && err)
			r = add_error(g, st, dur);
	}
	sqlite3_finalize(st);
	return g->rc ? -EIO : r;
}

static int by_key(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The threads table's threads too; then the lanes: the first
 * HTML_MAX_LANES threads by tid. */
static int load_lanes(struct gen *g)
{
	sqlite3_stmt *st = prep(g, "SELECT tid, pid FROM threads");
	int r = st ? 0 : -EIO;
	while (r == 0 && step(g, st) == SQLITE_ROW)
		r = add_tid(g, sqlite3_column_int64(st, 0), sqlite3_column_type(st, 1) != SQLITE_NULL,
			    sqlite3_column_int64(st, 1));
	if (st)
		sqlite3_finalize(st);
	if (r < 0 || g->rc)
		return g->rc ? -EIO : r;
	g->nthreads = g->tids.len;
	int64_t *tids = malloc((g->tids.len ? g->tids.len : 1) * sizeof(*tids));
	g->lanes = calloc(HTML_MAX_LANES, sizeof(*g->lanes));
	if (!tids || !g->lanes) {
		free(tids);
		return -ENOMEM;
	}
	size_t n = 0;
	for (size_t i = 0; i < g->tids.cap; i++)
		if (g->tids.s[i].used)
			tids[n++] = g->tids.s[i].key;
	qsort(tids, n, sizeof(*tids), by_key);
	for (size_t i = 0; i < n && g->nlanes < HTML_MAX_LANES; i++) {
		struct slot *t = map_find(&g->tids, tids[i]);
		struct lane *l = &g->lanes[g->nlanes++];
		l->tid = tids[i];
		l->pid = t->b & 1 ? t->a : 0;
		t->b |= (uint64_t)g->nlanes << 1;
	}
	free(tids);
	return 0;
}

/* Every call into its thread's time buckets: count, busy time, and the
 * class of the longest call (the colour of the bucket). */
static int fill_cells(struct gen *g)
{
	sqlite3_stmt *st = prep(g, "SELECT tid, ts_ns, duration_ns, nr, unfinished FROM syscalls");
	if (!st)
		return -EIO;
	uint64_t span = g->t1 > g->t0 ? g->t1 - g->t0 : 1;
	double width = (double)span / HTML_TIME_BUCKETS;
	int r = 0;
	while (r == 0 && step(g, st) == SQLITE_ROW) {
		struct lane *l = lane_of(g, sqlite3_column_int64(st, 0));
		if (!l)
			continue;
		if (!l->cells && !(l->cells = calloc(HTML_TIME_BUCKETS, sizeof(struct cell)))) {
			r = -ENOMEM;
			break;
		}
		uint64_t ts = (uint64_t)sqlite3_column_int64(st, 1);
		uint64_t dur = sqlite3_column_int(st, 4) ? (ts < g->t1 ? g->t1 - ts : 0)
							 : (uint64_t)sqlite3_column_int64(st, 2);
		uint64_t a = ts > g->t0 ? ts - g->t0 : 0, e = a + dur;
		if (e > span)
			e = span;
		if (a > span)
			a = span;
		size_t i0 = (size_t)((double)a / width), i1 = (size_t)((double)e / width);
		if (i0 >= HTML_TIME_BUCKETS)
			i0 = HTML_TIME_BUCKETS - 1;
		if (i1 >= HTML_TIME_BUCKETS)
			i1 = HTML_TIME_BUCKETS - 1;
		int cls = class_of(sqlite3_column_int(st, 3));
		l->calls++;
		l->cells[i0].count++;
		for (size_t i = i0; i <= i1; i++) {
			struct cell *c = &l->cells[i];
			double lo = (double)i * width, hi = lo + width;
			double part = ((double)e < hi ? (double)e : hi) - ((double)a > lo ? (double)a : lo);
			c->busy_ns += part > 0 ? (uint64_t)part : 0;
			if (dur >= c->longest_ns) {
				c->longest_ns = dur;
				c->cls = (uint8_t)cls;
			}
		}
	}
	sqlite3_finalize(st);
	return g->rc ? -EIO : r;
}

static void add_lanes(struct gen *g, uint64_t nthreads)
{
	struct strbuf *b = g->b;
	/* lanes grouped by process (then looked up by tid again) */
	qsort(g->lanes, g->nlanes, sizeof(*g->lanes), by_pid_tid);
	strbuf_addf(b, ",\"timeline\":{\"buckets\":%d,\"bucket_ns\":%.3f,\"threads\":%llu,\"classes\":[",
		    HTML_TIME_BUCKETS, (double)(g->t1 > g->t0 ? g->t1 - g->t0 : 1) / HTML_TIME_BUCKETS,
		    (unsigned long long)nthreads);
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		strbuf_addf(b, "%s\"%s\"", i ? "," : "", class_names[i]);
	strbuf_addstr(b, "],\"lanes\":[");
	for (size_t i = 0; i < g->nlanes; i++) {
		struct lane *l = &g->lanes[i];
		strbuf_addf(b, "%s{\"pid\":%lld,\"tid\":%lld,\"calls\":%llu,\"cells\":[", i ? "," : "",
			    (long long)l->pid, (long long)l->tid, (unsigned long long)l->calls);
		int first = 1;
		for (size_t j = 0; l->cells && j < HTML_TIME_BUCKETS; j++) {
			struct cell *c = &l->cells[j];
			if (!c->count && !c->busy_ns)
				continue;
			strbuf_addf(b, "%s[%zu,%u,%llu,%u]", first ? "" : ",", j, c->count,
				    (unsigned long long)c->busy_ns, c->cls);
			first = 0;
		}
		strbuf_addstr(b, "]}");
	}
	strbuf_addstr(b, "]}");
	qsort(g->lanes, g->nlanes, sizeof(*g->lanes), by_tid);
}

/* The first max calls by time (ORDER BY ts_ns, id, as the scan chose
 * them), one by one: [tid, start (ns since t0), duration, class, error,
 * unfinished, "name(args) = ret"]. */
static void add_calls(struct gen *g, unsigned max)
{
	struct strbuf *b = g->b;
	sqlite3_stmt *st = prep(g, "SELECT tid, ts_ns, duration_ns, nr, errno IS NOT NULL, unfinished, name,"
				   " substr(CAST(args_text AS BLOB), 1, ?), length(CAST(args_text AS BLOB)), ret_text"
				   " FROM syscalls WHERE id = ?");
	strbuf_addf(b, ",\"calls\":{\"cap\":%u,\"total\":%llu,\"rows\":[", max, (unsigned long long)g->ncalls);
	if (st)
		sqlite3_bind_int64(st, 1, MAX_TEXT);
	qsort(g->first, g->nfirst, sizeof(*g->first), key_cmp);
	int first = 1;
	struct strbuf t = STRBUF_INIT;
	for (size_t k = 0; st && k < g->nfirst; k++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 2, g->first[k].id);
		if (step(g, st) != SQLITE_ROW)
			continue;
		uint64_t ts = (uint64_t)sqlite3_column_int64(st, 1);
		strbuf_addf(b, "%s[%lld,%llu,", first ? "" : ",", (long long)sqlite3_column_int64(st, 0),
			    (unsigned long long)(ts > g->t0 ? ts - g->t0 : 0));
		json_col_int(b, st, 2);
		strbuf_addf(b, ",%d,%d,%d,", class_of(sqlite3_column_int(st, 3)), sqlite3_column_int(st, 4),
			    sqlite3_column_int(st, 5));
		strbuf_reset(&t);
		const void *name = sqlite3_column_blob(st, 6);
		strbuf_add(&t, name ? name : "?", name ? (size_t)sqlite3_column_bytes(st, 6) : 1);
		strbuf_addch(&t, '(');
		const void *args = sqlite3_column_blob(st, 7);
		if (args)
			strbuf_add(&t, args, (size_t)sqlite3_column_bytes(st, 7));
		if (sqlite3_column_int64(st, 8) > MAX_TEXT)
			strbuf_addstr(&t, "...");
		strbuf_addstr(&t, ") = ");
		const void *ret = sqlite3_column_blob(st, 9);
		strbuf_add(&t, ret ? ret : "?", ret ? (size_t)sqlite3_column_bytes(st, 9) : 1);
		json_text(b, t.buf, t.len);
		strbuf_addch(b, ']');
		first = 0;
	}
	strbuf_release(&t);
	if (st)
		sqlite3_finalize(st);
	strbuf_addstr(b, "]}");
}

/* ---- processes ---- */

static void add_processes(struct gen *g)
{
	struct strbuf *b = g->b;
	sqlite3_stmt *st = prep(g, "SELECT p.pid, p.parent, p.command, p.start_ns, p.end_ns, p.exit_status, p.killed_by,"
				   " coalesce(t.n, 0) FROM processes p"
				   " LEFT JOIN (SELECT pid, count(*) AS n FROM threads GROUP BY pid) t ON t.pid = p.pid"
				   " ORDER BY p.start_ns, p.pid LIMIT ?");
	strbuf_addstr(b, ",\"processes\":[");
	if (st)
		sqlite3_bind_int64(st, 1, MAX_PROCS);
	for (int first = 1; st && step(g, st) == SQLITE_ROW; first = 0) {
		strbuf_addstr(b, first ? "[" : ",[");
		for (int i = 0; i < 8; i++) {
			if (i)
				strbuf_addch(b, ',');
			if (i == 2 || i == 6)
				json_col(b, st, i);
			else
				json_col_int(b, st, i);
		}
		/* its calls, counted by the scan */
		const struct slot *c = sqlite3_column_type(st, 0) == SQLITE_NULL
					       ? NULL : map_find(&g->pids, sqlite3_column_int64(st, 0));
		strbuf_addf(b, ",%llu]", (unsigned long long)(c ? c->b : 0));
	}
	if (st)
		sqlite3_finalize(st);
	st = prep(g, "SELECT pid, ts_ns, detail FROM events WHERE type = 'exec' ORDER BY ts_ns LIMIT ?");
	strbuf_addstr(b, "],\"execs\":[");
	if (st)
		sqlite3_bind_int64(st, 1, MAX_PROCS);
	for (int first = 1; st && step(g, st) == SQLITE_ROW; first = 0) {
		strbuf_addf(b, "%s[%lld,%lld,", first ? "" : ",", (long long)sqlite3_column_int64(st, 0),
			    (long long)sqlite3_column_int64(st, 1));
		json_col(b, st, 2);
		strbuf_addch(b, ']');
	}
	if (st)
		sqlite3_finalize(st);
	strbuf_addch(b, ']');
}

/* ---- errors ---- */

/* The first quoted string of strace's text (the file name of openat,
 * stat, connect's sun_path, ...): 1 and the string in *s, *len, or 0. */
static int path_of(const char *p, size_t n, const char **s, size_t *len)
{
	const char *q = p ? memchr(p, '"', n) : NULL;
	if (!q)
		return 0;
	const char *end = p + n;
	*s = ++q;
	while (q < end && *q != '"')
		q += *q == '\\' && q + 1 < end ? 2 : 1;
	*len = (size_t)(q - *s);
	return 1;
}

/* A group's key: name, errno_name, path, each as 1 byte (0: NULL), its
 * length (4 bytes) and its bytes. */
static void key_field(struct strbuf *k, int present, const void *p, size_t n)
{
	uint32_t len = (uint32_t)n;
	strbuf_addch(k, present ? 1 : 0);
	strbuf_add(k, &len, sizeof(len));
	if (present && n)
		strbuf_add(k, p, n);
}

static const char *key_next(const char *k, int *present, const char **p, uint32_t *n)
{
	*present = k[0];
	memcpy(n, k + 1, sizeof(*n));
	*p = k + 1 + sizeof(*n);
	return *p + (*present ? *n : 0);
}

/* One failing call into its group (GROUP BY name, errno_name,
 * scry_path-as-was(args_text)): the scan's columns 10, 11, 12. */
static int add_error(struct gen *g, sqlite3_stmt *st, int64_t dur)
{
	struct errgroups *e = &g->errs;
	struct strbuf *k = &e->key;
	strbuf_reset(k);
	for (int c = 10; c <= 11; c++) {
		const void *p = sqlite3_column_blob(st, c);
		key_field(k, sqlite3_column_type(st, c) != SQLITE_NULL, p, p ? (size_t)sqlite3_column_bytes(st, c) : 0);
	}
	const char *s = NULL;
	size_t len = 0;
	const void *a = sqlite3_column_blob(st, 12);
	int has = a && path_of(a, (size_t)sqlite3_column_bytes(st, 12), &s, &len);
	key_field(k, has, s, len);
	if (e->n * 2 >= e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 256;
		uint32_t *slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		for (size_t i = 0; i < e->n; i++) {
			size_t j = e->g[i].hash & (cap - 1);
			while (slot[j])
				j = (j + 1) & (cap - 1);
			slot[j] = (uint32_t)i + 1;
		}
		free(e->slot);
		e->slot = slot;
		e->cap = cap;
	}
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < k->len; i++)
		h = (h ^ (unsigned char)k->buf[i]) * 0x100000001b3ull;
	size_t j = h & (e->cap - 1);
	for (; e->slot[j]; j = (j + 1) & (e->cap - 1)) {
		struct egroup *x = &e->g[e->slot[j] - 1];
		if (x->hash == h && x->len == k->len && !memcmp(x->key, k->buf, k->len)) {
			x->count++;
			x->ns += dur;
			return 0;
		}
	}
	if (e->n == e->alloc) {
		size_t n = e->alloc ? e->alloc * 2 : 64;
		struct egroup *p = realloc(e->g, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		e->g = p;
		e->alloc = n;
	}
	char *key = malloc(k->len);
	if (!key)
		return -ENOMEM;
	memcpy(key, k->buf, k->len);
	e->g[e->n] = (struct egroup){ key, k->len, h, 1, dur };
	e->slot[j] = (uint32_t)++e->n;
	return 0;
}

/* ORDER BY count DESC, name, errno_name, path (NULL first, then bytes). */
static int by_count(const void *a, const void *b)
{
	const struct egroup *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	const char *p = x->key, *q = y->key;
	for (int f = 0; f < 3; f++) {
		int hp, hq;
		const char *sp, *sq;
		uint32_t np, nq;
		p = key_next(p, &hp, &sp, &np);
		q = key_next(q, &hq, &sq, &nq);
		if (hp != hq)
			return hp - hq;
		int c = hp ? memcmp(sp, sq, np < nq ? np : nq) : 0;
		if (c)
			return c;
		if (hp && np != nq)
			return np < nq ? -1 : 1;
	}
	return 0;
}

static void add_errors(struct gen *g)
{
	struct errgroups *e = &g->errs;
	struct strbuf *b = g->b;
	qsort(e->g, e->n, sizeof(*e->g), by_count);
	strbuf_addf(b, ",\"error_groups\":%zu,\"errors\":[", e->n);
	for (size_t i = 0; i < e->n && i < MAX_ERROR_GROUPS; i++) {
		const char *k = e->g[i].key;
		strbuf_addstr(b, i ? ",[" : "[");
		for (int f = 0; f < 3; f++) {
			int has;
			const char *p;
			uint32_t n;
			k = key_next(k, &has, &p, &n);
			if (has)
				json_text(b, p, n);
			else
				strbuf_addstr(b, "null");
			strbuf_addch(b, ',');
		}
		strbuf_addf(b, "%lld,%lld]", (long long)e->g[i].count, (long long)e->g[i].ns);
	}
	strbuf_addch(b, ']');
}

/* ---- stacks: the flame graph's tree and the table by source line ---- */

struct fnode {
	char *name;
	uint32_t child, next;   /* first child, next sibling (0: none; node 0 is the root) */
	uint64_t calls, ns;
};

struct flame {
	struct fnode *n;
	size_t len, alloc;
	uint64_t dropped;       /* calls whose stacks did not fit (added at the deepest node that did) */
};

static uint32_t flame_child(struct flame *f, uint32_t parent, const char *name)
{
	for (uint32_t c = f->n[parent].child; c; c = f->n[c].next)
		if (!strcmp(f->n[c].name, name))
			return c;
	if (f->len >= MAX_FLAME_NODES)
		return 0;
	if (f->len == f->alloc) {
		size_t a = f->alloc ? f->alloc * 2 : 256;
		struct fnode *p = realloc(f->n, a * sizeof(*p));
		if (!p)
			return 0;
		f->n = p;
		f->alloc = a;
	}
	char *s = strdup(name);
	if (!s)
		return 0;
	uint32_t id = (uint32_t)f->len++;
	f->n[id] = (struct fnode){ s, 0, f->n[parent].child, 0, 0 };
	f->n[parent].child = id;
	return id;
}

static void flame_json(struct gen *g, const struct flame *f, uint32_t id)
{
	struct strbuf *b = g->b;
	strbuf_addstr(b, "{\"n\":");
	json_text(b, f->n[id].name, strlen(f->n[id].name));
	strbuf_addf(b, ",\"v\":%llu,\"t\":%llu", (unsigned long long)f->n[id].calls, (unsigned long long)f->n[id].ns);
	if (f->n[id].child) {
		strbuf_addstr(b, ",\"c\":[");
		for (uint32_t c = f->n[id].child; c; c = f->n[c].next) {
			flame_json(g, f, c);
			if (f->n[c].next)
				strbuf_addch(b, ',');
		}
		strbuf_addch(b, ']');
	}
	strbuf_addch(b, '}');
}

static void frame_label(struct strbuf *t, sqlite3_stmt *fs)
{
	const char *fn = (const char *)sqlite3_column_text(fs, 0);
	const char *obj = (const char *)sqlite3_column_text(fs, 1);
	if (fn && *fn) {
		strbuf_addstr(t, fn);
	} else if (obj && *obj) {
		const char *base = strrchr(obj, '/');
		strbuf_addf(t, "%s+0x%llx", base ? base + 1 : obj, (unsigned long long)sqlite3_column_int64(fs, 2));
	} else {
		strbuf_addstr(t, "?");
	}
}

/*
 * A flame graph as JSON member "key" (and "key_cut"): stacks_sql gives
 * (stack id, leaf name, count, ns) per stack, frames_sql the frames of
 * stack ? root first; with leaf_name, the leaf name (the syscall's; "?"
 * when NULL) is one more node under the innermost frame.
 */
static int flame_from(struct gen *g, const char *stacks_sql, const char *frames_sql, int leaf_name,
		      const char *key)
{
	struct flame f = { 0 };
	int r = 0;
	/* node 0, the root */
	f.alloc = 256;
	f.n = malloc(f.alloc * sizeof(*f.n));
	char *all = strdup("all");
	if (!f.n || !all) {
		free(f.n);
		free(all);
		return -ENOMEM;
	}
	f.n[0] = (struct fnode){ all, 0, 0, 0, 0 };
	f.len = 1;
	sqlite3_stmt *st = prep(g, stacks_sql);
	sqlite3_stmt *fs = prep(g, frames_sql);
	struct strbuf t = STRBUF_INIT;
	while (st && fs && step(g, st) == SQLITE_ROW) {
		uint64_t calls = (uint64_t)sqlite3_column_int64(st, 2), ns = (uint64_t)sqlite3_column_int64(st, 3);
		uint32_t node = 0;
		int full = 1;
		f.n[0].calls += calls;
		f.n[0].ns += ns;
		sqlite3_reset(fs);
		sqlite3_bind_int64(fs, 1, sqlite3_column_int64(st, 0));
		while (step(g, fs) == SQLITE_ROW) {
			if (!full)
				continue;
			strbuf_reset(&t);
			frame_label(&t, fs);
			uint32_t c = flame_child(&f, node, t.buf);
			if (!c) {
				full = 0;
				continue;
			}
			node = c;
			f.n[node].calls += calls;
			f.n[node].ns += ns;
		}
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (full && !leaf_name)
			continue;	/* (samples: the innermost frame is the leaf) */
		uint32_t c = full ? flame_child(&f, node, name ? name : "?") : 0;
		if (c) {
			f.n[c].calls += calls;
			f.n[c].ns += ns;
		} else {
			f.dropped += calls;
		}
	}
	strbuf_release(&t);
	if (st)
		sqlite3_finalize(st);
	if (fs)
		sqlite3_finalize(fs);
	if (!g->rc) {
		strbuf_addf(g->b, ",\"%s_cut\":%llu,\"%s\":", key, (unsigned long long)f.dropped, key);
		flame_json(g, &f, 0);
	}
	for (size_t i = 0; i < f.len; i++)
		free(f.n[i].name);
	free(f.n);
	return g->rc ? -EIO : r;
}

/* The calls by stack (-k, --source). */
static int add_flame(struct gen *g)
{
	return flame_from(g, "SELECT stack_id, name, count(*), sum(duration_ns) FROM syscalls"
			     " WHERE stack_id IS NOT NULL AND unfinished = 0 GROUP BY stack_id, name",
			  "SELECT f.function, f.object, f.object_offset FROM stack_frames sf"
			  " JOIN frames f ON f.id = sf.frame_id WHERE sf.stack_id = ? ORDER BY sf.depth DESC",
			  1, "flame");
}

/* The CPU samples by stack (scry --profile): the profile's stacks, each
 * sample counted once, with the CPU time it stands for. */
static int add_samples_flame(struct gen *g)
{
	return flame_from(g, "SELECT prof_stack_id, NULL, count(*), sum(period_ns) FROM samples"
			     " GROUP BY prof_stack_id",
			  "SELECT f.function, f.object, f.offset FROM prof_stack_frames sf"
			  " JOIN prof_frames f ON f.id = sf.frame_id WHERE sf.stack_id = ? ORDER BY sf.depth DESC",
			  0, "samples");
}

static void add_sources(struct gen *g)
{
	struct strbuf *b = g->b;
	sqlite3_stmt *st = prep(g, "SELECT name, file, line, function, object, calls, errors, total_ns, max_ns"
				   " FROM summary_by_source LIMIT ?");
	strbuf_addstr(b, ",\"sources\":[");
	if (st)
		sqlite3_bind_int64(st, 1, MAX_SOURCES);
	for (int first = 1; st && step(g, st) == SQLITE_ROW; first = 0) {
		strbuf_addstr(b, first ? "[" : ",[");
		for (int i = 0; i < 9; i++) {
			if (i)
				strbuf_addch(b, ',');
			if (i == 2 || i >= 5)
				json_col_int(b, st, i);
			else
				json_col(b, st, i);
		}
		strbuf_addch(b, ']');
	}
	if (st)
		sqlite3_finalize(st);
	strbuf_addch(b, ']');
}

static int probe_stacks(struct gen *g)
{
	if (scalar(g, "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view')"
		      " AND name IN ('frames','stacks','stack_frames','summary_by_source')") != 4)
		return 0;
	return g->stack_calls;
}

/* ---- the page ---- */

static void add_hash(struct strbuf *b, const char *what, const char *p, size_t n)
{
	uint8_t d[SHA256_LEN];
	sha256(p, n, d);
	strbuf_addf(b, "%s 'sha256-", what);
	base64_add(b, d, sizeof(d));
	strbuf_addch(b, '\'');
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int build_data(struct gen *g, const struct html_report_opts *opts)
{
	struct strbuf *b = g->b;
	char *lat = meta(g, "summary_latency");
	g->cpu = lat && !strcmp(lat, "cpu");
	free(lat);
	uint64_t s = meta_u64(g, "start_ns"), e = meta_u64(g, "end_ns");
	unsigned max = opts->max_calls ? opts->max_calls : HTML_MAX_CALLS_DEFAULT;
	int64_t slo = 0, shi = 0;
	int r = scan_calls(g, max, &slo, &shi);
	if (r < 0)
		return r;
	uint64_t lo = (uint64_t)slo, hi = (uint64_t)shi;
	uint64_t ehi = (uint64_t)scalar(g, "SELECT max(ts_ns) FROM events");
	g->t0 = s ? s : lo;
	if (lo && lo < g->t0)
		g->t0 = lo;
	g->t1 = e > hi ? e : hi;
	if (ehi > g->t1)
		g->t1 = ehi;
	if (g->t1 < g->t0)
		g->t1 = g->t0;
	g->has_stacks = probe_stacks(g);
	r = load_lanes(g);
	if (r < 0)
		return r;
	if (g->rc)
		return -EIO;
	strbuf_addstr(b, "{\"source\":");
	json_text(b, opts->source ? opts->source : "", opts->source ? strlen(opts->source) : 0);
	strbuf_addch(b, ',');
	add_header(g);
	r = add_summary(g);
	if (r == 0)
		r = fill_cells(g);
	if (r == 0) {
		add_lanes(g, g->nthreads);
		add_calls(g, max);
		add_processes(g);
		add_errors(g);
		if (g->has_stacks) {
			r = add_flame(g);
			add_sources(g);
		} else {
			strbuf_addstr(b, ",\"flame\":null,\"sources\":null");
		}
		/* CPU samples: in a trace recorded with --profile; the page
		 * says when there are none */
		if (r == 0 && scalar(g, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='samples'") > 0 &&
		    scalar(g, "SELECT count(*) FROM samples") > 0)
			r = add_samples_flame(g);
		else
			strbuf_addstr(b, ",\"samples\":null");
		strbuf_addch(b, '}');
	}
	return g->rc ? -EIO : r;
}

int html_report_page(sqlite3 *db, struct strbuf *page, const struct html_report_opts *opts, int *db_rc,
		     char *err, size_t errlen)
{
	static const struct html_report_opts defaults = { NULL, 0 };
	struct strbuf data = STRBUF_INIT;
	struct gen g;
	memset(&g, 0, sizeof(g));
	g.db = db;
	g.b = &data;
	scry_stats_init(&g.stats, 0);
	if (!opts)
		opts = &defaults;
	/* one read transaction for every query: one snapshot, and no lock,
	 * journal check and page cache reload before each of the point
	 * lookups of add_calls */
	int txn = sqlite3_get_autocommit(db) && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	int r = build_data(&g, opts);
	if (txn)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (r == 0) {
		strbuf_addstr(page, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
				     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ");
		add_hash(page, "script-src", scry_html_js, scry_html_js_LEN);
		strbuf_addstr(page, "; ");
		add_hash(page, "style-src", scry_html_css, scry_html_css_LEN);
		strbuf_addstr(page, "; img-src data:; base-uri 'none'; form-action 'none'\">\n"
				     "<meta name=\"generator\" content=\"scry ");
		strbuf_addstr(page, scry_version());
		strbuf_addstr(page, "\">\n<title>scry report</title>\n<style>");
		strbuf_add(page, scry_html_css, scry_html_css_LEN);
		strbuf_addstr(page, "</style>\n</head><body>\n<noscript>This report draws itself with its own "
				     "inline script: allow JavaScript for this file.</noscript>\n<div id=\"app\"></div>\n"
				     "<script type=\"application/json\" id=\"scry-data\">");
		strbuf_add(page, data.buf, data.len);
		strbuf_addstr(page, "</script>\n<script>");
		strbuf_add(page, scry_html_js, scry_html_js_LEN);
		strbuf_addstr(page, "</script>\n</body></html>\n");
	} else if (g.rc) {
		snprintf(err, errlen, "%s", g.errmsg[0] ? g.errmsg : "database error");
		if (db_rc)
			*db_rc = g.rc;
	} else {
		snprintf(err, errlen, "%s", strerror(-r));
	}
	for (size_t i = 0; i < g.nlanes; i++)
		free(g.lanes[i].cells);
	free(g.lanes);
	for (int i = 0; i < g.nnames; i++)
		free(g.names[i]);
	free(g.names);
	scry_stats_release(&g.stats);
	free(g.tids.s);
	free(g.pids.s);
	free(g.first);
	for (size_t i = 0; i < g.errs.n; i++)
		free(g.errs.g[i].key);
	free(g.errs.g);
	free(g.errs.slot);
	strbuf_release(&g.errs.key);
	strbuf_release(&data);
	return r;
}

int html_report_write(sqlite3 *db, int fd, const struct html_report_opts *opts, char *err, size_t errlen)
{
	struct strbuf page = STRBUF_INIT;
	int r = html_report_page(db, &page, opts, NULL, err, errlen);
	if (r == 0) {
		r = write_all(fd, page.buf, page.len);
		if (r < 0)
			snprintf(err, errlen, "%s", strerror(-r));
	}
	strbuf_release(&page);
	return r;
}

int html_open_path(const char *path, int *fd, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		goto not_regular;
	*fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (*fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		goto not_regular;
	}
	if (ftruncate(*fd, 0) < 0) {
		int e = errno;
		close(*fd);
		*fd = -1;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	int fl = fcntl(*fd, F_GETFL);
	if (fl >= 0)
		fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK);
	return 0;
not_regular:
	snprintf(err, errlen, "it is %s; the html format writes a page: give a regular file or a new path",
		 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
		 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "not a regular file");
	return -EINVAL;
}

/* ---- the "html" output format: a temporary database, then the page ---- */

int sqlite_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);

struct html_sink {
	struct scry_sink db;    /* the sqlite format's sink, into tmp */
	int fd;
	int finished;
	int err;
	char tmp[PATH_MAX];
};

static void remove_tmp(struct html_sink *h)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[PATH_MAX + 16];
	for (size_t i = 0; h->tmp[0] && i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", h->tmp, suffixes[i]);
		unlink(p);
	}
	h->tmp[0] = '\0';
}

static int hs_event(void *ctx, const struct scry_event *ev)
{
	struct html_sink *h = ctx;
	return h->db.event(h->db.ctx, ev);
}

static int hs_flush(void *ctx)
{
	struct html_sink *h = ctx;
	return h->db.flush ? h->db.flush(h->db.ctx) : 0;
}

static int hs_finish(void *ctx, const struct scry_sink_end *end)
{
	struct html_sink *h = ctx;
	if (h->finished)
		return h->err;
	h->finished = 1;
	int r = scry_sink_finish(&h->db, end);
	scry_sink_free(&h->db);
	sqlite3 *db = NULL;
	if (r == 0 && sqlite3_open_v2(h->tmp, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		r = -EIO;
	if (r == 0) {
		char err[256];
		r = html_report_write(db, h->fd, NULL, err, sizeof(err));
	}
	if (db)
		sqlite3_close(db);
	remove_tmp(h);
	h->err = r;
	return r;
}

static void hs_free(void *ctx)
{
	struct html_sink *h = ctx;
	if (!h->finished)
		hs_finish(h, NULL);
	if (h->fd >= 0)
		close(h->fd);
	free(h);
}

int html_format_open(struct scry_sink *sink, const struct output_format *fmt, const struct output_opts *opts,
		     char *err, size_t errlen)
{
	(void)fmt;
	if (!opts->path || !opts->path[0]) {
		snprintf(err, errlen, "the html format writes a file: give one with -o FILE.html");
		return -EINVAL;
	}
	if (!HAVE_SQLITE_LINKED()) {
		snprintf(err, errlen, "this scry was built without SQLite, which the html format records into");
		return -ENOTSUP;
	}
	struct html_sink *h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	int r = html_open_path(opts->path, &h->fd, err, errlen);
	if (r < 0) {
		free(h);
		return r;
	}
	const char *dir = getenv("TMPDIR");
	snprintf(h->tmp, sizeof(h->tmp), "%s/scry-html-XXXXXX", dir && *dir ? dir : "/tmp");
	int tfd = mkstemp(h->tmp);
	if (tfd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot make its temporary database in %s: %s", dir && *dir ? dir : "/tmp",
			 strerror(errno));
		h->tmp[0] = '\0';
		goto fail;
	}
	close(tfd);
	struct output_opts io = *opts;
	io.path = h->tmp;
	io.fd = -1;
	r = sqlite_format_open(&h->db, output_format_find("sqlite"), &io, err, errlen);
	if (r < 0)
		goto fail;
	*sink = (struct scry_sink){ hs_event, hs_flush, h, hs_finish, hs_free };
	return 0;
fail:
	remove_tmp(h);
	close(h->fd);
	free(h);
	return r;
}
