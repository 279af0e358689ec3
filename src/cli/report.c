/*
 * scry report: a recorded database (--format sqlite) back as text, as a
 * summary, or converted to another format (report.h, docs/FORMATS.md).
 *
 * Text is rebuilt from the stored strace text of each call (args_text and
 * ret_text), one line per call, in the order the calls began, with the
 * live output's "[pid N] " prefix when the trace has more than one thread,
 * and strace's lines for signals and exits.  Calls are never split into
 * "<unfinished ...>" / "<... resumed>" pairs.
 */
#include "cli/report.h"
#include "cli/profile_extra.h"


#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/formats.h"
#include "output/html.h"
#include "output/tracedb.h"
#include "output/stackfmt.h"
#include "stats/sites.h"
#include "stats/stats.h"
#include "syscalls/syscalls.h"

/*
 * Built with SCRY_HAVE_SQLITE (and -lsqlite3), the calls are plain.
 * Without it they are weak references, so that scry still links: the
 * sqlite format and scry report then say SQLite is missing and stop.
 */
#ifndef SCRY_HAVE_SQLITE
#pragma weak sqlite3_bind_int64
#pragma weak sqlite3_bind_text
#pragma weak sqlite3_reset
#pragma weak sqlite3_close
#pragma weak sqlite3_column_blob
#pragma weak sqlite3_column_bytes
#pragma weak sqlite3_column_int
#pragma weak sqlite3_column_int64
#pragma weak sqlite3_column_text
#pragma weak sqlite3_column_type
#pragma weak sqlite3_errmsg
#pragma weak sqlite3_errstr
#pragma weak sqlite3_finalize
#pragma weak sqlite3_open_v2
#pragma weak sqlite3_prepare_v2
#pragma weak sqlite3_step
#define HAVE_SQLITE_LINKED() (sqlite3_open_v2 != NULL)
#else
#define HAVE_SQLITE_LINKED() 1
#endif

static const char USAGE[] =
	"usage: scry report [--format FMT] [-o FILE] [-c] TRACE.db\n"
	"       scry report --html -o report.html TRACE.db\n"
	"  reads a trace recorded with --format sqlite:\n"
	"  (no option)      the strace text of the calls\n"
	"  -c, --summary-only  the summary of the calls\n"
	"  --format FMT     convert to text, json, jsonl, csv, chrome, sqlite or html;\n"
	"                   folded, speedscope or pprof: the CPU samples of a trace\n"
	"                   recorded with --profile (or of scry profile's database)\n"
	"  --html           one self-contained HTML page (--format html; needs -o)\n"
	"  -o FILE          write there instead of stdout (sqlite needs it)\n"
	"  -k, --stack-trace   the recorded frames after each call (text)\n"
	"  --source         [FILE:LINE in FUNCTION] after each call; with -c: by call site\n";

struct report {
	sqlite3 *db;
	const char *path;
	/* syscall numbers to names, as the database has them */
	char **names;
	int nnames;
	/* The first error SQLite gave while reading (SQLITE_CORRUPT for a
	 * damaged file): a query that stops early must not pass for a shorter
	 * trace, so every prepare and step goes through db_prepare() and
	 * db_step(), and report_main() ends with one line and exit 1. */
	int db_err;
	char db_errmsg[256];
	/* issue 13: the database has stacks (format_version 2), and the one
	 * load_stack() read last */
	int has_stacks;
	int has_injected;        /* a call was tampered with (-e inject=) */
	char merged_sql[640];
	sqlite3_stmt *stack_st;
	struct scry_stack stack;
	struct scry_frame *frames;
	size_t alloc_frames;
};

static void db_failed(struct report *r, int rc)
{
	if (r->db_err)
		return;
	r->db_err = rc ? rc : SQLITE_ERROR;
	const char *m = sqlite3_errmsg(r->db);
	snprintf(r->db_errmsg, sizeof(r->db_errmsg), "%s", m && *m ? m : sqlite3_errstr(rc));
}

static int db_prepare(struct report *r, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(r->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		db_failed(r, rc);
		*st = NULL;
		return -EIO;
	}
	return 0;
}

/* SQLITE_ROW or SQLITE_DONE; anything else is recorded (and ends loops). */
static int db_step(struct report *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_failed(r, rc);
	return rc;
}

/* PRAGMA quick_check: any answer but "ok" makes r damaged. */
static void quick_check(struct report *r)
{
	sqlite3_stmt *st;
	if (db_prepare(r, "PRAGMA quick_check(1)", &st) < 0)
		return;
	if (db_step(r, st) == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		if (res && strcmp(res, "ok")) {
			r->db_err = SQLITE_CORRUPT;
			snprintf(r->db_errmsg, sizeof(r->db_errmsg), "%s", res);
		}
	}
	sqlite3_finalize(st);
}

/* The one line for r->db_err. */
static void db_report(const struct report *r)
{
	int primary = r->db_err & 0xff;
	if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_FORMAT)
		fprintf(stderr, "scry report: '%s' is damaged: %s (sqlite3's .recover can save what is left)\n",
			r->path, r->db_errmsg);
	else
		fprintf(stderr, "scry report: cannot read '%s': %s\n", r->path, r->db_errmsg);
}

/* The metadata, read as the HTML page reads it (output/tracedb.h) */
static char *meta_get(struct report *r, const char *key)
{
	char *v;
	int rc = tracedb_meta(r->db, key, &v);
	if (rc != SQLITE_OK)
		db_failed(r, rc);
	return v;
}

static uint64_t meta_u64(struct report *r, const char *key)
{
	uint64_t n;
	int rc = tracedb_meta_u64(r->db, key, &n);
	if (rc != SQLITE_OK)
		db_failed(r, rc);
	return n;
}

static const char *name_of(int nr, void *ctx)
{
	struct report *r = ctx;
	if (nr >= 0 && nr < r->nnames && r->names[nr])
		return r->names[nr];
	const struct scry_syscall_info *i = scry_syscall_get(scry_native_table(), nr);
	return i ? i->name : NULL;
}

static void load_names(struct report *r)
{
	sqlite3_stmt *st;
	if (db_prepare(r, "SELECT DISTINCT nr, name FROM syscalls WHERE nr >= 0 AND nr < 4096", &st) < 0)
		return;
	while (db_step(r, st) == SQLITE_ROW) {
		int nr = sqlite3_column_int(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (!name)
			continue;
		if (nr >= r->nnames) {
			char **p = realloc(r->names, (size_t)(nr + 1) * sizeof(*p));
			if (!p)
				break;
			memset(p + r->nnames, 0, (size_t)(nr + 1 - r->nnames) * sizeof(*p));
			r->names = p;
			r->nnames = nr + 1;
		}
		if (!r->names[nr])
			r->names[nr] = strdup(name);
	}
	sqlite3_finalize(st);
}

/* The calls and the events, in time order (column 15: the call's stack,
 * in a database that has them; column 16: what -e inject= did to it, in
 * one that has that column). */
static const char *merged(struct report *r)
{
	snprintf(r->merged_sql, sizeof(r->merged_sql),
		 "SELECT 0, ts_ns, id, pid, tid, name, args_text, ret_text, duration_ns, unfinished,"
		 "       nr, ret, errno, cpu_ns, args_json, %s, %s FROM syscalls"
		 " UNION ALL "
		 "SELECT 1, ts_ns, id, pid, tid, type, detail, NULL, NULL, 0, value, NULL, NULL, NULL, NULL, NULL,"
		 "       NULL FROM events ORDER BY 2, 1, 3",
		 r->has_stacks ? "stack_id" : "NULL", r->has_injected ? "injected" : "NULL");
	return r->merged_sql;
}

/* Whether a call was tampered with (-e inject=; the injected column is
 * newer than the first databases). */
static int probe_injected(struct report *r)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM syscalls WHERE injected IS NOT NULL LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK)
		return 0;
	int yes = db_step(r, st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

/* JSON's "injected" words, joined by commas, back into enum scry_injected */
static unsigned injected_bits(const char *words)
{
	static const char *const names[] = { "result", "args", "delay", "signal" };
	unsigned bits = 0;
	for (const char *p = words; p && *p;) {
		size_t n = strcspn(p, ",");
		for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == n && !strncmp(p, names[i], n))
				bits |= 1u << i;
		p += n + (p[n] == ',');
	}
	return bits;
}

/* Whether the database has the tables of stacks (older ones do not). */
static int probe_stacks(struct report *r)
{
	sqlite3_stmt *st;
	int yes = 0;
	if (db_prepare(r, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('frames','stacks','stack_frames')",
		       &st) < 0)
		return 0;
	if (db_step(r, st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0) == 3;
	sqlite3_finalize(st);
	if (!yes)
		return 0;
	/* and the column that names them, and a stack recorded (-k, --source) */
	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM syscalls WHERE stack_id IS NOT NULL LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK)
		return 0;
	yes = db_step(r, st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static void release_stack(struct report *r)
{
	for (unsigned i = 0; i < r->stack.nframes; i++) {
		free((char *)r->frames[i].object);
		free((char *)r->frames[i].function);
		free((char *)r->frames[i].file);
	}
	r->stack.nframes = 0;
}

static char *column_strdup(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	return p ? strndup(p, (size_t)n) : strdup("");
}

/* The recorded stack id as a struct scry_stack (r->stack), or NULL. */
static const struct scry_stack *load_stack(struct report *r, int64_t id)
{
	release_stack(r);
	if (!id || !r->has_stacks)
		return NULL;
	if (!r->stack_st &&
	    db_prepare(r, "SELECT f.addr, f.object, f.object_offset, f.function, f.offset, f.file, f.line, f.flags,"
			  " k.source_depth, k.truncated FROM stacks k"
			  " LEFT JOIN stack_frames sf ON sf.stack_id = k.id LEFT JOIN frames f ON f.id = sf.frame_id"
			  " WHERE k.id = ? ORDER BY sf.depth", &r->stack_st) < 0)
		return NULL;
	sqlite3_stmt *st = r->stack_st;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	int found = 0;
	r->stack.source = -1;
	r->stack.truncated = 0;
	while (db_step(r, st) == SQLITE_ROW) {
		found = 1;
		r->stack.source = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 8);
		r->stack.truncated = sqlite3_column_int(st, 9);
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;     /* a stack of no frames */
		if (r->stack.nframes == r->alloc_frames) {
			size_t n = r->alloc_frames ? r->alloc_frames * 2 : 32;
			struct scry_frame *f = realloc(r->frames, n * sizeof(*f));
			if (!f)
				break;
			r->frames = f;
			r->alloc_frames = n;
		}
		struct scry_frame *f = &r->frames[r->stack.nframes++];
		f->addr = (uint64_t)sqlite3_column_int64(st, 0);
		f->object = column_strdup(st, 1);
		f->object_offset = (uint64_t)sqlite3_column_int64(st, 2);
		f->function = column_strdup(st, 3);
		f->offset = (uint64_t)sqlite3_column_int64(st, 4);
		f->file = column_strdup(st, 5);
		f->line = sqlite3_column_int(st, 6);
		f->flags = (uint32_t)sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	r->stack.frames = r->frames;
	if (r->stack.source >= (int)r->stack.nframes)
		r->stack.source = -1;
	return found ? &r->stack : NULL;
}

static const char *sig(int n, char *buf)
{
	const char *s = scry_signal_name(n);
	if (s)
		return s;
	snprintf(buf, 16, "SIG%d", n);
	return buf;
}

static int print_text(struct report *r, FILE *out, int stack_trace, int source)
{
	sqlite3_stmt *st;
	int multi = 0;
	if (db_prepare(r, "SELECT count(DISTINCT tid) FROM (SELECT tid FROM syscalls UNION SELECT tid FROM events)",
		       &st) < 0)
		return 1;
	if (db_step(r, st) == SQLITE_ROW)
		multi = sqlite3_column_int(st, 0) > 1;
	sqlite3_finalize(st);
	if (r->db_err || db_prepare(r, merged(r), &st) < 0)
		return 1;
	char sb[16];
	while (db_step(r, st) == SQLITE_ROW) {
		int is_event = sqlite3_column_int(st, 0);
		int tid = sqlite3_column_int(st, 4);
		const char *name = (const char *)sqlite3_column_text(st, 5);
		const void *text = sqlite3_column_blob(st, 6);
		int tlen = sqlite3_column_bytes(st, 6);
		char prefix[32] = "";
		if (multi)
			snprintf(prefix, sizeof(prefix), "[pid %5d] ", tid);
		if (!name)
			name = "?";
		if (!is_event) {
			const char *ret = (const char *)sqlite3_column_text(st, 7);
			int col = fprintf(out, "%s%s(", prefix, name);
			if (tlen > 0)
				col += (int)fwrite(text, 1, (size_t)tlen, out);
			col += fprintf(out, ")");
			fprintf(out, "%*s = %s", col < 40 ? 40 - col : 0, "", ret ? ret : "?");
			const struct scry_stack *stk = stack_trace || source ? load_stack(r, sqlite3_column_int64(st, 15))
									   : NULL;
			struct strbuf b = STRBUF_INIT;
			if (source) {
				strbuf_addstr(&b, "   [");
				stack_add_source_label(&b, stk);
				strbuf_addch(&b, ']');
			}
			strbuf_addch(&b, '\n');
			if (stack_trace)
				stack_add_frames_text(&b, stk);
			fwrite(b.buf, 1, b.len, out);
			strbuf_release(&b);
			continue;
		}
		int value = sqlite3_column_int(st, 10);
		if (!strcmp(name, "exit"))
			fprintf(out, "%s+++ exited with %d +++\n", prefix, value);
		else if (!strcmp(name, "killed"))
			fprintf(out, "%s+++ killed by %s%s +++\n", prefix, sig(value, sb), tlen ? " (core dumped)" : "");
		else if (!strcmp(name, "signal"))
			fprintf(out, "%s--- %s %.*s ---\n", prefix, sig(value, sb), tlen, text ? (const char *)text : "");
		else if (!strcmp(name, "stopped"))
			fprintf(out, "%s--- stopped by %s ---\n", prefix, sig(value, sb));
	}
	sqlite3_finalize(st);
	return r->db_err || ferror(out) ? 1 : 0;
}

static int load_stats(struct report *r, struct scry_stats *stats, int cpu)
{
	sqlite3_stmt *st;
	const char *sql = cpu ? "SELECT pid, nr, coalesce(cpu_ns, 0), errno IS NOT NULL FROM syscalls WHERE unfinished = 0 ORDER BY id"
			      : "SELECT pid, nr, duration_ns, errno IS NOT NULL FROM syscalls WHERE unfinished = 0 ORDER BY id";
	if (db_prepare(r, sql, &st) < 0)
		return -EIO;
	int rc = 0;
	while (rc == 0 && db_step(r, st) == SQLITE_ROW)
		rc = scry_stats_add(stats, sqlite3_column_int(st, 0), sqlite3_column_int(st, 1),
				    (uint64_t)sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3));
	sqlite3_finalize(st);
	return r->db_err ? -EIO : rc;
}

/* --source -c: the rows by call site, from each call's recorded stack */
static int load_sites(struct report *r, struct scry_sites *sites)
{
	sqlite3_stmt *st;
	if (db_prepare(r, r->has_stacks ? "SELECT nr, duration_ns, errno IS NOT NULL, stack_id FROM syscalls"
					  " WHERE unfinished = 0 ORDER BY id"
					: "SELECT nr, duration_ns, errno IS NOT NULL, NULL FROM syscalls"
					  " WHERE unfinished = 0 ORDER BY id", &st) < 0)
		return -EIO;
	int rc = 0;
	struct strbuf label = STRBUF_INIT;
	while (rc == 0 && db_step(r, st) == SQLITE_ROW) {
		uint64_t ns = (uint64_t)sqlite3_column_int64(st, 1);
		int err = sqlite3_column_int(st, 2);
		strbuf_reset(&label);
		stack_add_source_label(&label, load_stack(r, sqlite3_column_int64(st, 3)));
		scry_sites_count_call(sites, ns, err);
		rc = scry_sites_add(sites, sqlite3_column_int(st, 0), label.buf, NULL, ns, err);
	}
	strbuf_release(&label);
	sqlite3_finalize(st);
	return r->db_err ? -EIO : rc;
}

static void summary_opts(struct report *r, struct scry_summary_opts *so, char **note)
{
	memset(so, 0, sizeof(*so));
	so->name = name_of;
	so->ctx = r;
	char *secs = meta_get(r, "summary_seconds");
	if (secs) {
		so->seconds = strtod(secs, NULL);
	} else {
		uint64_t a = meta_u64(r, "start_ns"), b = meta_u64(r, "end_ns");
		so->seconds = b > a ? (double)(b - a) / 1e9 : -1;
	}
	free(secs);
	char *lat = meta_get(r, "summary_latency");
	so->latency = lat && !strcmp(lat, "cpu") ? SCRY_LATENCY_CPU : SCRY_LATENCY_WALL;
	free(lat);
	*note = meta_get(r, "summary_note");
	so->note = *note;
}

/* argv[i] from the metadata, NULL-terminated; pids likewise. */
static char **load_argv(struct report *r)
{
	char **argv = calloc(1, sizeof(char *));
	int n = 0;
	char key[32];
	for (;;) {
		snprintf(key, sizeof(key), "argv[%d]", n);
		char *v = meta_get(r, key);
		if (!v)
			break;
		char **p = realloc(argv, (size_t)(n + 2) * sizeof(char *));
		if (!p) {
			free(v);
			break;
		}
		argv = p;
		argv[n++] = v;
		argv[n] = NULL;
	}
	return argv;
}

static int load_pids(struct report *r, pid_t *pids, int max)
{
	char *v = meta_get(r, "pids");
	int n = 0;
	for (char *p = v, *end; p && *p && n < max; p = end) {
		long x = strtol(p, &end, 10);
		if (end == p)
			break;
		pids[n++] = (pid_t)x;
	}
	free(v);
	return n;
}

static int replay(struct report *r, struct output *o, struct tracedb_samples *samples)
{
	sqlite3_stmt *st;
	if (db_prepare(r, merged(r), &st) < 0)
		return -EIO;
	int rc = 0;
	struct scry_sink out;      /* (the CPU samples go in among the rows, by time) */
	output_as_sink(o, &out);
	while (rc == 0 && db_step(r, st) == SQLITE_ROW) {
		struct scry_event ev;
		memset(&ev, 0, sizeof(ev));
		uint64_t ts = (uint64_t)sqlite3_column_int64(st, 1);
		if ((rc = tracedb_samples_until(samples, ts, &out)) < 0)
			break;
		ev.pid = sqlite3_column_int(st, 3);
		ev.tid = sqlite3_column_int(st, 4);
		ev.ts_ns = ts;
		ev.ntracees = 1;
		const char *name = (const char *)sqlite3_column_text(st, 5);
		if (!name)
			name = "";
		const char *text = sqlite3_column_blob(st, 6);
		int tlen = sqlite3_column_bytes(st, 6);
		int64_t value = sqlite3_column_int64(st, 10);
		if (sqlite3_column_int(st, 0) == 0) {
			struct scry_call *c = &ev.u.call;
			ev.type = SCRY_EV_CALL_EXIT;
			c->nr = (long)value;
			c->name = name;
			c->t_enter_ns = ts;
			if (!sqlite3_column_int(st, 9)) {
				c->duration_ns = (uint64_t)sqlite3_column_int64(st, 8);
				c->t_exit_ns = ts + (c->duration_ns ? c->duration_ns : 1);
				c->ret = sqlite3_column_int64(st, 11);
				c->is_error = sqlite3_column_type(st, 12) != SQLITE_NULL;
				c->cpu_ns = (uint64_t)sqlite3_column_int64(st, 13);
				ev.ts_ns = c->t_exit_ns;
			}
			c->ret_text = (const char *)sqlite3_column_text(st, 7);
			if (!c->ret_text)
				c->ret_text = "?";
			c->stack = load_stack(r, sqlite3_column_int64(st, 15));
			c->injected = injected_bits((const char *)sqlite3_column_text(st, 16));
			const char *json = (const char *)sqlite3_column_text(st, 14);
			int jlen = sqlite3_column_bytes(st, 14);
			rc = output_replay_call(o, &ev, text ? text : "", text ? (size_t)tlen : 0, json,
						json ? (size_t)jlen : 0);
			continue;
		}
		/* text must be NUL-terminated for the event's strings */
		char *detail = text ? strndup(text, (size_t)tlen) : NULL;
		if (!strcmp(name, "exit")) {
			ev.type = SCRY_EV_EXITED;
			ev.u.exit.status = (int)value;
		} else if (!strcmp(name, "killed")) {
			ev.type = SCRY_EV_KILLED;
			ev.u.exit.signo = (int)value;
			ev.u.exit.core = detail != NULL;
		} else if (!strcmp(name, "signal")) {
			ev.type = SCRY_EV_SIGNAL;
			ev.u.signal.signo = (int)value;
			ev.u.signal.text = detail ? detail : "";
		} else if (!strcmp(name, "stopped")) {
			ev.type = SCRY_EV_STOPPED;
			ev.u.signal.signo = (int)value;
		} else if (!strcmp(name, "fork") || !strcmp(name, "thread")) {
			ev.type = SCRY_EV_NEW_TASK;
			ev.u.task.parent = (pid_t)value;
			ev.u.task.is_thread = name[0] == 't';
		} else if (!strcmp(name, "exec")) {
			ev.type = SCRY_EV_EXEC;
			ev.u.exec.old_tid = (pid_t)value;
			ev.u.exec.filename = detail ? detail : "";
		} else if (!strcmp(name, "detached")) {
			ev.type = SCRY_EV_DETACHED;
		} else {
			free(detail);
			continue;
		}
		struct scry_sink sink;
		output_as_sink(o, &sink);
		rc = sink.event(sink.ctx, &ev);
		free(detail);
	}
	sqlite3_finalize(st);
	if (!rc)
		rc = tracedb_samples_until(samples, UINT64_MAX, &out);
	return r->db_err ? -EIO : rc;
}

static int convert(struct report *r, const struct output_format *fmt, const char *outfile, int summary_only,
		   const struct scry_stats *stats, const struct scry_summary_opts *so)
{
	int fd = 1;
	if (r->db_err)
		return 1;        /* (report_main() says why; FILE untouched) */
	if (outfile && !(fmt->flags & OUTPUT_FMT_OWN_FILE)) {
		fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, strerror(errno));
			return 1;
		}
	}
	char **argv = load_argv(r);
	pid_t pids[256];
	struct output_opts oo = OUTPUT_OPTS_INIT;
	oo.fd = fd;
	oo.path = outfile;
	oo.argv = argv;
	oo.pids = pids;
	oo.npids = load_pids(r, pids, 256);
	oo.summary = summary_only;
	oo.replay = 1;
	oo.stacks = r->has_stacks;
	oo.inject = r->has_injected;
	oo.start_ns = meta_u64(r, "start_ns");
	oo.string_limit = (int)meta_u64(r, "string_limit");
	struct output *o;
	char err[512];
	int status = 0;
	if (r->db_err) {
		status = 1;      /* (report_main() says why) */
	} else if (output_open(&o, fmt, &oo, err, sizeof(err)) < 0) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile ? outfile : "stdout", err);
		status = 1;
	} else {
		struct tracedb_samples *samples = NULL;
		int rc = tracedb_samples_open(r->db, &samples) == SQLITE_OK ? replay(r, o, samples) : -EIO;
		/* (finished as a sink, for the end's sample counts) */
		struct scry_sink sink;
		output_as_sink(o, &sink);
		struct scry_sink_end end = { .summary = stats, .summary_opts = so,
					     .lost_events = meta_u64(r, "lost_events") };
		tracedb_samples_end(samples, r->db, &end);
		tracedb_samples_close(samples);
		int werr = sink.finish(sink.ctx, &end);
		output_free(o);
		if (r->db_err) {
			status = 1;
		} else if (rc < 0 || werr < 0) {
			fprintf(stderr, "scry report: cannot write the trace%s%s: %s\n", outfile ? " to " : "",
				outfile ? outfile : "", strerror(-(rc < 0 ? rc : werr)));
			status = 1;
		}
	}
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
	if (fd > 2)
		close(fd);
	return status;
}

/* --html: the page, made from the database as it is (output/html.h), in
 * memory first: outfile is opened, and so emptied, only once the page is
 * made, so that a database found damaged costs the user nothing (and
 * needs no quick_check, a read of the whole file, first). */
static int write_html(struct report *r, const char *outfile)
{
	char err[512];
	struct stat sb;
	int fd = -1;
	/* a path that is not a regular file is refused before any work */
	if (stat(outfile, &sb) == 0 && !S_ISREG(sb.st_mode) && html_open_path(outfile, &fd, err, sizeof(err)) < 0) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, err);
		return 1;
	}
	if (fd >= 0)
		close(fd);
	struct html_report_opts ho = { r->path, 0 };
	const char *base = strrchr(r->path, '/');
	ho.source = base ? base + 1 : r->path;
	struct strbuf page = STRBUF_INIT;
	int db_rc = 0;
	int rc = html_report_page(r->db, &page, &ho, &db_rc, err, sizeof(err));
	if (rc == -EIO && !r->db_err) {
		/* a database error: one line, as for the other formats */
		r->db_err = db_rc ? db_rc : SQLITE_ERROR;
		snprintf(r->db_errmsg, sizeof(r->db_errmsg), "%.200s", err);
		strbuf_release(&page);
		return 1;
	}
	if (rc == 0 && html_open_path(outfile, &fd, err, sizeof(err)) < 0) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, err);
		strbuf_release(&page);
		return 1;
	}
	for (size_t off = 0; rc == 0 && off < page.len;) {
		ssize_t w = write(fd, page.buf + off, page.len - off);
		if (w > 0) {
			off += (size_t)w;
		} else if (w == 0 || errno != EINTR) {
			rc = w ? -errno : -ENOSPC;
			snprintf(err, sizeof(err), "%s", strerror(-rc));
		}
	}
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "%s", strerror(errno));
	}
	strbuf_release(&page);
	if (rc < 0) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, err);
		return 1;
	}
	return 0;
}

int report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "summary-only", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "stack-trace", no_argument, NULL, 'k' },
		{ "stack-traces", no_argument, NULL, 'k' },
		{ "source", no_argument, NULL, 'O' },
		{ "html", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fmtname = NULL, *outfile = NULL;
	int summary_only = 0, stack_trace = 0, source = 0;
	int ch;
	optind = 1;
	opterr = 0;
	/* (options also after the file, as getopt permutes: report t.db -c) */
	while ((ch = getopt_long(argc, argv, ":co:hk", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F': fmtname = optarg; break;
		case 'o': outfile = optarg; break;
		case 'c': summary_only = 1; break;
		case 'k': stack_trace = 1; break;
		case 'O': source = 1; break;
		case 'H': fmtname = "html"; break;
		case 'h': fputs(USAGE, stdout); return 0;
		case ':':
			fprintf(stderr, "scry report: option '%s' needs an argument\n%s", argv[optind - 1], USAGE);
			return 2;
		default:
			if (optopt)
				fprintf(stderr, "scry report: unknown option '-%c'\n%s", optopt, USAGE);
			else
				fprintf(stderr, "scry report: unknown option '%s'\n%s", argv[optind - 1], USAGE);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "scry report: give one TRACE.db (recorded with --format sqlite -o TRACE.db)\n%s", USAGE);
		return 2;
	}
	/* a profile (scry profile --format sqlite): its own report */
	if (access(argv[optind], R_OK) == 0 && px_is_profile_db(argv[optind]))
		return px_report(argv[optind], fmtname, outfile);
	/* a trace recorded with --profile: its samples in a profile's formats */
	if (px_is_profile_format(fmtname) && access(argv[optind], R_OK) == 0) {
		if (px_trace_has_profile(argv[optind]))
			return px_report(argv[optind], fmtname, outfile);
		fprintf(stderr, "scry report: '%s' has no CPU samples: --format %s needs a profile (scry profile "
			"--format sqlite, or a trace recorded with --profile)\n", argv[optind], fmtname);
		return 2;
	}
	const struct output_format *fmt = output_format_from_path(NULL);   /* text */
	if (fmtname && !(fmt = output_format_find(fmtname))) {
		char names[256];
		output_format_names(names, sizeof(names));
		fprintf(stderr, "scry report: unknown format '%s' (%s)\n", fmtname, names);
		return 2;
	}
	if ((fmt->flags & OUTPUT_FMT_OWN_FILE) && !outfile) {
		fprintf(stderr, "scry report: --format %s writes a file: give one with -o FILE.%s\n", fmt->name,
			strcmp(fmt->name, "html") ? "db" : "html");
		return 2;
	}
	if (!HAVE_SQLITE_LINKED()) {
		fprintf(stderr, "scry report: this scry was built without SQLite (link it with -lsqlite3)\n");
		return 1;
	}
	struct report r;
	memset(&r, 0, sizeof(r));
	r.path = argv[optind];
	if (access(r.path, R_OK) < 0) {
		fprintf(stderr, "scry report: cannot read '%s': %s\n", r.path, strerror(errno));
		return 1;
	}
	sqlite3_stmt *probe = NULL;
	int rc = sqlite3_open_v2(r.path, &r.db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r.db, "SELECT value FROM metadata WHERE key='format_version'", -1, &probe, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(probe);
	if (rc != SQLITE_ROW) {
		/* a file that is no database (also one whose first page is
		 * gone) or has no metadata is not ours; a damaged one is */
		if ((rc & 0xff) == SQLITE_CORRUPT) {
			db_failed(&r, rc);
			db_report(&r);
		} else {
			const char *m = rc == SQLITE_DONE ? "" : sqlite3_errmsg(r.db);
			fprintf(stderr, "scry report: '%s' is not a trace recorded by scry --format sqlite%s%s%s\n",
				r.path, m && *m ? " (" : "", m ? m : "", m && *m ? ")" : "");
		}
		sqlite3_finalize(probe);
		sqlite3_close(r.db);
		return 1;
	}
	sqlite3_finalize(probe);
	/* the page reads what it needs in its own one pass */
	int html = !strcmp(fmt->name, "html");
	if (!html)
		load_names(&r);
	r.has_stacks = !html || stack_trace || source ? probe_stacks(&r) : 0;
	r.has_injected = html ? 0 : probe_injected(&r);
	if ((stack_trace || source) && !r.has_stacks && !r.db_err)
		fprintf(stderr, "scry report: '%s' has no stacks (record with -k or --source): calls show [?]\n",
			r.path);
	/* -o FILE is emptied when it is opened: a database found damaged
	 * half-way would cost the user that file's old contents for nothing.
	 * Check the whole database first (reads are checked anyway). */
	if (outfile && !r.db_err && !html)
		quick_check(&r);

	int status = 0;
	struct scry_stats stats;
	struct scry_summary_opts so;
	char *note = NULL;
	summary_opts(&r, &so, &note);
	scry_stats_init(&stats, 0);
	if (r.db_err) {
		status = 1;
	} else if (summary_only && (rc = load_stats(&r, &stats, so.latency == SCRY_LATENCY_CPU)) < 0) {
		if (!r.db_err)
			fprintf(stderr, "scry report: cannot count the calls of '%s': %s\n", r.path, strerror(-rc));
		status = 1;
	} else if (!strcmp(fmt->name, "html")) {
		status = write_html(&r, outfile);
	} else if (fmt->flags & OUTPUT_FMT_TEXT) {
		FILE *out = stdout;
		int ofd = outfile ? open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
		if (outfile && (ofd < 0 || !(out = fdopen(ofd, "w")))) {
			if (ofd >= 0)
				close(ofd);
			fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, strerror(errno));
			status = 1;
		} else {
			if (summary_only && (source || stack_trace)) {
				struct scry_sites sites;
				scry_sites_init(&sites, SCRY_SITES_CALLS, SCRY_SITES_CAP_DEFAULT);
				status = load_sites(&r, &sites) < 0 || scry_sites_print_text(&sites, out, &so) < 0;
				scry_sites_release(&sites);
			} else {
				status = summary_only ? (scry_stats_print_text(&stats, out, &so) < 0)
						      : print_text(&r, out, stack_trace, source);
			}
			if (fflush(out) != 0)
				status = 1;
			if (out != stdout)
				fclose(out);
		}
	} else {
		/* -c --source / -c -k: the structured summary's call_sites too */
		struct scry_sites sites;
		scry_sites_init(&sites, SCRY_SITES_CALLS, SCRY_SITES_CAP_DEFAULT);
		if (summary_only && (source || stack_trace)) {
			if (load_sites(&r, &sites) < 0)
				status = 1;
			else
				so.sites = &sites;
		}
		if (!status)
			status = convert(&r, fmt, outfile, summary_only, summary_only ? &stats : NULL, &so);
		scry_sites_release(&sites);
	}
	if (r.db_err) {
		db_report(&r);
		status = 1;
	}
	scry_stats_release(&stats);
	release_stack(&r);
	free(r.frames);
	if (r.stack_st)
		sqlite3_finalize(r.stack_st);
	free(note);
	for (int i = 0; i < r.nnames; i++)
		free(r.names[i]);
	free(r.names);
	sqlite3_close(r.db);
	return status;
}
