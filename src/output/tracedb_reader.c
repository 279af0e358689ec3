/*
 * Reading a trace database back (scry/tracedb.h): what scry report does
 * with one, as library functions.  The metadata reads themselves
 * (tracedb_meta()) are in sqlite.c, beside the code that writes them.
 */
#include "output/tracedb.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/encode.h"
#include "output/formats.h"
#include "output/html.h"
#include "output/stackfmt.h"
#include "output/summary_sink.h"
#include "stats/sites.h"
#include "syscalls/syscalls.h"
#include "util/strbuf.h"

/*
 * Built with SCRY_HAVE_SQLITE (and -lsqlite3), the calls are plain.
 * Without it they are weak references, so that scry still links:
 * scry_tracedb_open() then says SQLite is missing.
 */
#ifndef SCRY_HAVE_SQLITE
#pragma weak sqlite3_bind_int64
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

#define MAX_PIDS 256

struct scry_tracedb {
	sqlite3 *db;
	char *path;
	/* The first error SQLite gave while reading (SQLITE_CORRUPT for a
	 * damaged file): a query that stops early must not pass for a shorter
	 * trace, so every prepare and step goes through db_prepare() and
	 * db_step(). */
	int db_err;
	char db_errmsg[256];
	/* syscall numbers to names, as the database has them */
	char **names;
	int nnames;
	int names_loaded;
	/* -1: not asked yet */
	int has_stacks;
	int has_injected;
	char merged_sql[640];
	/* the stack load_stack() read last */
	sqlite3_stmt *stack_st;
	struct scry_stack stack;
	struct scry_frame *frames;
	size_t alloc_frames;
	/* scry_tracedb_output_opts(), scry_tracedb_summary_opts() */
	char **argv;
	pid_t pids[MAX_PIDS];
	char *note;
	/* the call being replayed (scry_tracedb_replay_args()) */
	int in_call;
	const char *rp_text, *rp_json;
	size_t rp_text_len, rp_json_len;
	/* the last replay's samples (SCRY_TRACEDB_REPLAY_SAMPLES) */
	struct tracedb_samples *samples;
};

static void db_failed(struct scry_tracedb *r, int rc)
{
	if (r->db_err)
		return;
	r->db_err = rc ? rc : SQLITE_ERROR;
	const char *m = rc == SQLITE_NOMEM ? NULL : sqlite3_errmsg(r->db);
	snprintf(r->db_errmsg, sizeof(r->db_errmsg), "%s", m && *m ? m : sqlite3_errstr(rc));
}

/* The kept error as a negative errno (0: none). */
static int db_errno(const struct scry_tracedb *r)
{
	int primary = r->db_err & 0xff;
	if (!r->db_err)
		return 0;
	if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_FORMAT)
		return -EBADMSG;
	return primary == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

static int db_prepare(struct scry_tracedb *r, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(r->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		db_failed(r, rc);
		*st = NULL;
		return db_errno(r);
	}
	return 0;
}

/* SQLITE_ROW or SQLITE_DONE; anything else is recorded (and ends loops). */
static int db_step(struct scry_tracedb *r, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		db_failed(r, rc);
	return rc;
}

int scry_tracedb_error(const struct scry_tracedb *db, const char **msg)
{
	if (msg)
		*msg = db->db_err ? db->db_errmsg : "";
	return db_errno(db);
}

int scry_tracedb_open(struct scry_tracedb **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!HAVE_SQLITE_LINKED()) {
		snprintf(err, errlen, "libscry was built without SQLite (link it with -lsqlite3)");
		return -ENOTSUP;
	}
	if (access(path, R_OK) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	struct scry_tracedb *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	r->has_stacks = r->has_injected = -1;
	sqlite3_stmt *probe = NULL;
	int rc = sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(r->db, "SELECT value FROM metadata WHERE key='format_version'", -1, &probe, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(probe);
	if (rc == SQLITE_ROW) {
		sqlite3_finalize(probe);
		*out = r;
		return 0;
	}
	/* a file that is no database (also one whose first page is gone) or
	 * has no metadata is not ours; a damaged one is */
	int ret;
	if ((rc & 0xff) == SQLITE_CORRUPT) {
		db_failed(r, rc);
		snprintf(err, errlen, "%s", r->db_errmsg);
		ret = -EBADMSG;
	} else if ((rc & 0xff) == SQLITE_NOMEM) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		ret = -ENOMEM;
	} else {
		const char *m = rc == SQLITE_DONE ? "" : sqlite3_errmsg(r->db);
		snprintf(err, errlen, "not a trace recorded by scry --format sqlite%s%s%s", m && *m ? " (" : "",
			 m ? m : "", m && *m ? ")" : "");
		ret = -EINVAL;
	}
	sqlite3_finalize(probe);
	sqlite3_close(r->db);
	free(r->path);
	free(r);
	return ret;
}

static void release_stack(struct scry_tracedb *r)
{
	for (unsigned i = 0; i < r->stack.nframes; i++) {
		free((char *)r->frames[i].object);
		free((char *)r->frames[i].function);
		free((char *)r->frames[i].file);
	}
	r->stack.nframes = 0;
}

void scry_tracedb_close(struct scry_tracedb *db)
{
	if (!db)
		return;
	release_stack(db);
	tracedb_samples_close(db->samples);
	free(db->frames);
	if (db->stack_st)
		sqlite3_finalize(db->stack_st);
	for (int i = 0; i < db->nnames; i++)
		free(db->names[i]);
	free(db->names);
	for (int i = 0; db->argv && db->argv[i]; i++)
		free(db->argv[i]);
	free(db->argv);
	free(db->note);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

/* PRAGMA quick_check: any answer but "ok" makes r damaged. */
int scry_tracedb_check(struct scry_tracedb *r)
{
	sqlite3_stmt *st;
	if (r->db_err || db_prepare(r, "PRAGMA quick_check(1)", &st) < 0)
		return db_errno(r);
	if (db_step(r, st) == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(st, 0);
		if (res && strcmp(res, "ok") && !r->db_err) {
			r->db_err = SQLITE_CORRUPT;
			snprintf(r->db_errmsg, sizeof(r->db_errmsg), "%s", res);
		}
	}
	sqlite3_finalize(st);
	return db_errno(r);
}

int scry_tracedb_meta(struct scry_tracedb *r, const char *key, char **value)
{
	int rc = tracedb_meta(r->db, key, value);
	if (rc != SQLITE_OK)
		db_failed(r, rc);
	return db_errno(r);
}

int scry_tracedb_meta_u64(struct scry_tracedb *r, const char *key, uint64_t *value)
{
	int rc = tracedb_meta_u64(r->db, key, value);
	if (rc != SQLITE_OK)
		db_failed(r, rc);
	return db_errno(r);
}

static void load_names(struct scry_tracedb *r)
{
	sqlite3_stmt *st;
	r->names_loaded = 1;
	if (db_prepare(r, "SELECT DISTINCT nr, name FROM syscalls WHERE nr >= 0 AND nr < 4096", &st) < 0)
		return;
	while (db_step(r, st) == SQLITE_ROW) {
		int nr = sqlite3_column_int(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if (!name)
			continue;
		if (nr >= r->nnames) {
			char **p = realloc(r->names, (size_t)(nr + 1) * sizeof(*p));
			if (!p) {
				db_failed(r, SQLITE_NOMEM);
				break;
			}
			memset(p + r->nnames, 0, (size_t)(nr + 1 - r->nnames) * sizeof(*p));
			r->names = p;
			r->nnames = nr + 1;
		}
		if (!r->names[nr] && !(r->names[nr] = strdup(name))) {
			db_failed(r, SQLITE_NOMEM);
			break;
		}
	}
	sqlite3_finalize(st);
}

const char *scry_tracedb_syscall_name(struct scry_tracedb *r, long nr)
{
	if (!r->names_loaded)
		load_names(r);
	if (nr >= 0 && nr < r->nnames && r->names[nr])
		return r->names[nr];
	const struct scry_syscall_info *i = scry_syscall_get(scry_native_table(), nr);
	return i ? i->name : NULL;
}

static const char *name_of(int nr, void *ctx)
{
	return scry_tracedb_syscall_name(ctx, nr);
}

/* Whether the database has the tables of stacks (older ones do not). */
static int probe_stacks(struct scry_tracedb *r)
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

/* Whether a call was tampered with (-e inject=; the injected column is
 * newer than the first databases). */
static int probe_injected(struct scry_tracedb *r)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(r->db, "SELECT 1 FROM syscalls WHERE injected IS NOT NULL LIMIT 1", -1, &st, NULL)
	    != SQLITE_OK)
		return 0;
	int yes = db_step(r, st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

int scry_tracedb_has(struct scry_tracedb *r, int part)
{
	if (part == SCRY_TRACEDB_STACKS) {
		if (r->has_stacks < 0)
			r->has_stacks = probe_stacks(r);
		return r->has_stacks;
	}
	if (part == SCRY_TRACEDB_INJECTED) {
		if (r->has_injected < 0)
			r->has_injected = probe_injected(r);
		return r->has_injected;
	}
	return 0;
}

/* The calls and the events, in time order (column 15: the call's stack,
 * in a database that has them; column 16: what -e inject= did to it, in
 * one that has that column). */
static const char *merged(struct scry_tracedb *r, int stacks)
{
	snprintf(r->merged_sql, sizeof(r->merged_sql),
		 "SELECT 0, ts_ns, id, pid, tid, name, args_text, ret_text, duration_ns, unfinished,"
		 "       nr, ret, errno, cpu_ns, args_json, %s, %s FROM syscalls"
		 " UNION ALL "
		 "SELECT 1, ts_ns, id, pid, tid, type, detail, NULL, NULL, 0, value, NULL, NULL, NULL, NULL, NULL,"
		 "       NULL FROM events ORDER BY 2, 1, 3",
		 stacks && scry_tracedb_has(r, SCRY_TRACEDB_STACKS) ? "stack_id" : "NULL",
		 scry_tracedb_has(r, SCRY_TRACEDB_INJECTED) ? "injected" : "NULL");
	return r->merged_sql;
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

static char *column_strdup(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	const void *p = sqlite3_column_blob(st, i);
	int n = sqlite3_column_bytes(st, i);
	return p ? strndup(p, (size_t)n) : strdup("");
}

/* The recorded stack id as a struct scry_stack (r->stack), or NULL. */
static const struct scry_stack *load_stack(struct scry_tracedb *r, int64_t id)
{
	release_stack(r);
	if (!id || !scry_tracedb_has(r, SCRY_TRACEDB_STACKS))
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
			if (!f) {
				db_failed(r, SQLITE_NOMEM);
				break;
			}
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

int scry_tracedb_replay(struct scry_tracedb *r, const struct scry_sink *sink, unsigned flags)
{
	sqlite3_stmt *st;
	if (r->db_err)
		return db_errno(r);
	if (db_prepare(r, merged(r, flags & SCRY_TRACEDB_REPLAY_STACKS), &st) < 0)
		return db_errno(r);
	/* the built-in formats take the stored text and JSON with the call */
	struct output *o = output_of_sink(sink);
	int rc = 0;
	tracedb_samples_close(r->samples);
	r->samples = NULL;
	if ((flags & SCRY_TRACEDB_REPLAY_SAMPLES) && (rc = tracedb_samples_open(r->db, &r->samples)) != SQLITE_OK) {
		db_failed(r, rc);
		sqlite3_finalize(st);
		return db_errno(r);
	}
	while (rc == 0 && db_step(r, st) == SQLITE_ROW) {
		struct scry_event ev;
		memset(&ev, 0, sizeof(ev));
		uint64_t ts = (uint64_t)sqlite3_column_int64(st, 1);
		/* (the CPU samples go in among the rows, by time) */
		if ((rc = tracedb_samples_until(r->samples, ts, sink)) < 0)
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
			if (o) {
				rc = output_replay_call(o, &ev, text ? text : "", text ? (size_t)tlen : 0, json,
							json ? (size_t)jlen : 0);
				continue;
			}
			r->in_call = 1;
			r->rp_text = text ? text : "";
			r->rp_text_len = text ? (size_t)tlen : 0;
			r->rp_json = json;
			r->rp_json_len = json ? (size_t)jlen : 0;
			rc = sink->event(sink->ctx, &ev);
			r->in_call = 0;
			r->rp_text = r->rp_json = NULL;
			continue;
		}
		/* text must be NUL-terminated for the event's strings */
		char *detail = text ? strndup(text, (size_t)tlen) : NULL;
		if (text && !detail) {
			rc = -ENOMEM;
			break;
		}
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
		rc = sink->event(sink->ctx, &ev);
		free(detail);
	}
	sqlite3_finalize(st);
	release_stack(r);
	if (!rc)
		rc = tracedb_samples_until(r->samples, UINT64_MAX, sink);
	return r->db_err ? db_errno(r) : rc;
}

void scry_tracedb_sample_end(const struct scry_tracedb *r, struct scry_sink_end *end)
{
	if (r && r->samples)
		tracedb_samples_end(r->samples, r->db, end);
}

int scry_tracedb_replay_args(const struct scry_tracedb *r, const char **text, size_t *text_len,
			     const char **json, size_t *json_len)
{
	if (!r->in_call)
		return -EINVAL;
	if (text)
		*text = r->rp_text;
	if (text_len)
		*text_len = r->rp_text_len;
	if (json)
		*json = r->rp_json;
	if (json_len)
		*json_len = r->rp_json_len;
	return 0;
}

/* argv[i] from the metadata, NULL-terminated */
static int load_argv(struct scry_tracedb *r)
{
	if (r->argv)
		return 0;
	if (!(r->argv = calloc(1, sizeof(char *))))
		return -ENOMEM;
	int n = 0;
	char key[32];
	for (;;) {
		snprintf(key, sizeof(key), "argv[%d]", n);
		char *v;
		int rc = scry_tracedb_meta(r, key, &v);
		if (rc < 0)
			return rc;
		if (!v)
			break;
		char **p = realloc(r->argv, (size_t)(n + 2) * sizeof(char *));
		if (!p) {
			free(v);
			return -ENOMEM;
		}
		r->argv = p;
		r->argv[n++] = v;
		r->argv[n] = NULL;
	}
	return 0;
}

static int load_pids(struct scry_tracedb *r)
{
	char *v;
	int rc = scry_tracedb_meta(r, "pids", &v);
	int n = 0;
	for (char *p = v, *end; p && *p && n < MAX_PIDS; p = end) {
		long x = strtol(p, &end, 10);
		if (end == p)
			break;
		r->pids[n++] = (pid_t)x;
	}
	free(v);
	return rc < 0 ? rc : n;
}

int scry_tracedb_output_opts(struct scry_tracedb *r, struct scry_output_opts *oo)
{
	int rc = load_argv(r);
	if (rc < 0)
		return rc;
	int npids = load_pids(r);
	if (npids < 0)
		return npids;
	uint64_t start = 0, limit = 0;
	scry_tracedb_meta_u64(r, "start_ns", &start);
	scry_tracedb_meta_u64(r, "string_limit", &limit);
	oo->argv = r->argv;
	oo->pids = r->pids;
	oo->npids = npids;
	oo->replay = 1;
	oo->stacks = scry_tracedb_has(r, SCRY_TRACEDB_STACKS);
	oo->inject = scry_tracedb_has(r, SCRY_TRACEDB_INJECTED);
	oo->start_ns = start;
	oo->string_limit = (int)limit;
	return db_errno(r);
}

int scry_tracedb_summary_opts(struct scry_tracedb *r, struct scry_summary_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->name = name_of;
	so->ctx = r;
	char *secs = NULL;
	scry_tracedb_meta(r, "summary_seconds", &secs);
	if (secs) {
		so->seconds = strtod(secs, NULL);
	} else {
		uint64_t a = 0, b = 0;
		scry_tracedb_meta_u64(r, "start_ns", &a);
		scry_tracedb_meta_u64(r, "end_ns", &b);
		so->seconds = b > a ? (double)(b - a) / 1e9 : -1;
	}
	free(secs);
	char *lat = NULL;
	scry_tracedb_meta(r, "summary_latency", &lat);
	so->latency = lat && !strcmp(lat, "cpu") ? SCRY_LATENCY_CPU : SCRY_LATENCY_WALL;
	free(lat);
	free(r->note);
	r->note = NULL;
	scry_tracedb_meta(r, "summary_note", &r->note);
	so->note = r->note;
	return db_errno(r);
}

int scry_tracedb_summarize(struct scry_tracedb *r, struct scry_summary_sink *ss)
{
	sqlite3_stmt *st;
	if (r->db_err)
		return db_errno(r);
	int stacks = ss->sites && scry_tracedb_has(r, SCRY_TRACEDB_STACKS);
	const char *sql = ss->cpu_time
		? (stacks ? "SELECT pid, nr, coalesce(cpu_ns, 0), errno IS NOT NULL, stack_id FROM syscalls"
			    " WHERE unfinished = 0 ORDER BY id"
			  : "SELECT pid, nr, coalesce(cpu_ns, 0), errno IS NOT NULL, NULL FROM syscalls"
			    " WHERE unfinished = 0 ORDER BY id")
		: (stacks ? "SELECT pid, nr, duration_ns, errno IS NOT NULL, stack_id FROM syscalls"
			    " WHERE unfinished = 0 ORDER BY id"
			  : "SELECT pid, nr, duration_ns, errno IS NOT NULL, NULL FROM syscalls"
			    " WHERE unfinished = 0 ORDER BY id");
	if (db_prepare(r, sql, &st) < 0)
		return db_errno(r);
	int rc = 0;
	struct strbuf label = STRBUF_INIT;
	while (rc == 0 && db_step(r, st) == SQLITE_ROW) {
		int nr = sqlite3_column_int(st, 1);
		uint64_t ns = (uint64_t)sqlite3_column_int64(st, 2);
		int err = sqlite3_column_int(st, 3);
		rc = scry_stats_add(&ss->stats, sqlite3_column_int(st, 0), nr, ns, err);
		if (rc >= 0 && ss->sites) {
			strbuf_reset(&label);
			stack_add_source_label(&label, load_stack(r, sqlite3_column_int64(st, 4)));
			scry_sites_count_call(ss->sites, ns, err);
			rc = scry_sites_add(ss->sites, nr, label.buf, NULL, ns, err);
		}
		if (rc > 0)
			rc = 0;
	}
	strbuf_release(&label);
	sqlite3_finalize(st);
	release_stack(r);
	return r->db_err ? db_errno(r) : rc;
}

static const char *sig(int n, char *buf)
{
	const char *s = scry_signal_name(n);
	if (s)
		return s;
	snprintf(buf, 16, "SIG%d", n);
	return buf;
}

int scry_tracedb_print_text(struct scry_tracedb *r, FILE *out, unsigned flags)
{
	sqlite3_stmt *st;
	int stack_trace = !!(flags & SCRY_TRACEDB_TEXT_STACKS), source = !!(flags & SCRY_TRACEDB_TEXT_SOURCE);
	int multi = 0;
	if (r->db_err)
		return db_errno(r);
	if (db_prepare(r, "SELECT count(DISTINCT tid) FROM (SELECT tid FROM syscalls UNION SELECT tid FROM events)",
		       &st) < 0)
		return db_errno(r);
	if (db_step(r, st) == SQLITE_ROW)
		multi = sqlite3_column_int(st, 0) > 1;
	sqlite3_finalize(st);
	if (r->db_err || db_prepare(r, merged(r, stack_trace || source), &st) < 0)
		return db_errno(r);
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
	release_stack(r);
	if (r->db_err)
		return db_errno(r);
	return ferror(out) ? -EIO : 0;
}

int scry_tracedb_write_html(struct scry_tracedb *r, const char *path, char *err, size_t errlen)
{
	char e[512];
	struct stat sb;
	int fd = -1;
	if (errlen)
		err[0] = '\0';
	if (r->db_err)
		return db_errno(r);
	/* a path that is not a regular file is refused before any work */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		int rc = html_open_path(path, &fd, e, sizeof(e));
		if (rc < 0) {
			snprintf(err, errlen, "%s", e);
			return rc;
		}
	}
	if (fd >= 0)
		close(fd);
	fd = -1;
	struct html_report_opts ho = { r->path, 0 };
	const char *base = strrchr(r->path, '/');
	ho.source = base ? base + 1 : r->path;
	struct strbuf page = STRBUF_INIT;
	int db_rc = 0;
	int rc = html_report_page(r->db, &page, &ho, &db_rc, e, sizeof(e));
	if (rc == -EIO) {
		/* a database error: kept, as the other reads' */
		if (!r->db_err) {
			r->db_err = db_rc ? db_rc : SQLITE_ERROR;
			snprintf(r->db_errmsg, sizeof(r->db_errmsg), "%.200s", e);
		}
		strbuf_release(&page);
		return db_errno(r);
	}
	if (rc == 0)
		rc = html_open_path(path, &fd, e, sizeof(e));
	for (size_t off = 0; rc == 0 && off < page.len;) {
		ssize_t w = write(fd, page.buf + off, page.len - off);
		if (w > 0) {
			off += (size_t)w;
		} else if (w == 0 || errno != EINTR) {
			rc = w ? -errno : -ENOSPC;
			snprintf(e, sizeof(e), "%s", strerror(-rc));
		}
	}
	if (fd >= 0 && close(fd) < 0 && rc == 0) {
		rc = -errno;
		snprintf(e, sizeof(e), "%s", strerror(errno));
	}
	strbuf_release(&page);
	if (rc < 0)
		snprintf(err, errlen, "%s", e);
	return rc;
}
