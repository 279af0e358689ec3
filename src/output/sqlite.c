/*
 * SQLite: a database anyone can query (schema in docs/FORMATS.md, and in
 * SCHEMA below, which is the reference).
 *
 * Speed: rows go in through prepared statements inside large transactions
 * (a commit every COMMIT_ROWS rows, at least once a second while calls
 * come, and at the end), with journal_mode=WAL and synchronous=OFF: a
 * commit survives scry being killed (not the machine crashing), and a
 * million calls take seconds.  At the end the WAL is checkpointed and the
 * database left in one file (journal_mode=DELETE).
 *
 * Bytes: a text column is bound as TEXT when its bytes are valid UTF-8
 * without NUL, and as a BLOB otherwise: the bytes are exact either way,
 * and typeof() tells which.  args_json is always valid UTF-8.
 */
#include "output/encode.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "output/tracedb.h"
#include "profile/prof_sqlite.h"
#include "profile/profile.h"
#include "syscalls/syscalls.h"

/*
 * Built with SCRY_HAVE_SQLITE (and -lsqlite3), the calls are plain.
 * Without it they are weak references, so that scry still links: the
 * sqlite format and scry report then say SQLite is missing and stop.
 */
#ifndef SCRY_HAVE_SQLITE
#pragma weak sqlite3_bind_blob
#pragma weak sqlite3_bind_int
#pragma weak sqlite3_bind_int64
#pragma weak sqlite3_bind_null
#pragma weak sqlite3_bind_text
#pragma weak sqlite3_clear_bindings
#pragma weak sqlite3_close
#pragma weak sqlite3_column_text
#pragma weak sqlite3_column_type
#pragma weak sqlite3_errmsg
#pragma weak sqlite3_errstr
#pragma weak sqlite3_exec
#pragma weak sqlite3_finalize
#pragma weak sqlite3_open_v2
#pragma weak sqlite3_prepare_v2
#pragma weak sqlite3_prepare_v3
#pragma weak sqlite3_reset
#pragma weak sqlite3_step
#define HAVE_SQLITE_LINKED() (sqlite3_open_v2 != NULL)
#else
#define HAVE_SQLITE_LINKED() 1
#endif


#define COMMIT_ROWS 50000

static const char SCHEMA[] =
	"CREATE TABLE metadata(key TEXT PRIMARY KEY, value);\n"
	"CREATE TABLE processes(pid INTEGER PRIMARY KEY, parent INTEGER, command TEXT,\n"
	"  start_ns INTEGER, end_ns INTEGER, exit_status INTEGER, killed_by TEXT);\n"
	"CREATE TABLE threads(tid INTEGER PRIMARY KEY, pid INTEGER, start_ns INTEGER, end_ns INTEGER);\n"
	"CREATE TABLE syscalls(id INTEGER PRIMARY KEY, ts_ns INTEGER, pid INTEGER, tid INTEGER,\n"
	"  nr INTEGER, name TEXT, ret INTEGER, errno INTEGER, errno_name TEXT,\n"
	"  duration_ns INTEGER, cpu_ns INTEGER, args_json TEXT, args_text TEXT, ret_text TEXT,\n"
	"  unfinished INTEGER NOT NULL DEFAULT 0, injected TEXT, stack_id INTEGER);\n"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, ts_ns INTEGER, pid INTEGER, tid INTEGER,\n"
	"  type TEXT, value INTEGER, detail TEXT);\n"
	"CREATE VIEW summary_by_syscall AS\n"
	"  SELECT name, nr, count(*) AS calls, count(errno) AS errors,\n"
	"         sum(duration_ns) AS total_ns, avg(duration_ns) AS avg_ns,\n"
	"         min(duration_ns) AS min_ns, max(duration_ns) AS max_ns\n"
	"  FROM syscalls WHERE unfinished = 0 GROUP BY nr ORDER BY total_ns DESC;\n"
	"CREATE VIEW summary_by_process AS\n"
	"  SELECT s.pid, p.command, count(*) AS calls, count(s.errno) AS errors,\n"
	"         sum(s.duration_ns) AS total_ns, avg(s.duration_ns) AS avg_ns,\n"
	"         max(s.duration_ns) AS max_ns\n"
	"  FROM syscalls s LEFT JOIN processes p ON p.pid = s.pid\n"
	"  WHERE s.unfinished = 0 GROUP BY s.pid ORDER BY total_ns DESC;\n"
	/* -k, --source (issue 13): each distinct frame once, each distinct
	 * stack once; a call names its stack (syscalls.stack_id, NULL
	 * without one) */
	"CREATE TABLE frames(id INTEGER PRIMARY KEY, addr INTEGER, object TEXT, object_offset INTEGER,\n"
	"  function TEXT, offset INTEGER, file TEXT, line INTEGER, flags INTEGER);\n"
	"CREATE TABLE stacks(id INTEGER PRIMARY KEY, nframes INTEGER, source_depth INTEGER, truncated INTEGER);\n"
	"CREATE TABLE stack_frames(stack_id INTEGER, depth INTEGER, frame_id INTEGER,\n"
	"  PRIMARY KEY(stack_id, depth)) WITHOUT ROWID;\n"
	"CREATE VIEW syscall_sources AS\n"
	"  SELECT s.id AS syscall_id, s.name, s.nr, s.duration_ns, s.errno, s.unfinished,\n"
	"         f.file, f.line, f.function, f.object, f.object_offset\n"
	"  FROM syscalls s JOIN stacks k ON k.id = s.stack_id\n"
	"  LEFT JOIN stack_frames sf ON sf.stack_id = k.id AND sf.depth = k.source_depth\n"
	"  LEFT JOIN frames f ON f.id = sf.frame_id;\n"
	"CREATE VIEW summary_by_source AS\n"
	"  SELECT name, nr, file, line, function, object, count(*) AS calls, count(errno) AS errors,\n"
	"         sum(duration_ns) AS total_ns, avg(duration_ns) AS avg_ns, max(duration_ns) AS max_ns\n"
	"  FROM syscall_sources WHERE unfinished = 0\n"
	"  GROUP BY nr, file, line, function, object ORDER BY total_ns DESC;\n";

enum {
	ST_CALL, ST_EVENT, ST_PROC, ST_THREAD, ST_PARENT, ST_COMMAND, ST_PROC_END, ST_THREAD_END,
	ST_META, ST_FRAME, ST_STACK, ST_STACK_FRAME, ST__COUNT
};

static const char *const STMTS[ST__COUNT] = {
	[ST_CALL] = "INSERT INTO syscalls(ts_ns,pid,tid,nr,name,ret,errno,errno_name,duration_ns,cpu_ns,"
		    "args_json,args_text,ret_text,unfinished,injected,stack_id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_EVENT] = "INSERT INTO events(ts_ns,pid,tid,type,value,detail) VALUES(?,?,?,?,?,?)",
	[ST_PROC] = "INSERT OR IGNORE INTO processes(pid,command,start_ns) VALUES(?,?,?)",
	[ST_THREAD] = "INSERT OR IGNORE INTO threads(tid,pid,start_ns) VALUES(?,?,?)",
	[ST_PARENT] = "UPDATE processes SET parent=? WHERE pid=?",
	[ST_COMMAND] = "UPDATE processes SET command=? WHERE pid=?",
	[ST_PROC_END] = "UPDATE processes SET end_ns=?, exit_status=?, killed_by=? WHERE pid=?",
	[ST_THREAD_END] = "UPDATE threads SET end_ns=? WHERE tid=?",
	[ST_META] = "INSERT OR REPLACE INTO metadata(key,value) VALUES(?,?)",
	[ST_FRAME] = "INSERT INTO frames(id,addr,object,object_offset,function,offset,file,line,flags)"
		     " VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_STACK] = "INSERT INTO stacks(id,nframes,source_depth,truncated) VALUES(?,?,?,?)",
	[ST_STACK_FRAME] = "INSERT INTO stack_frames(stack_id,depth,frame_id) VALUES(?,?,?)",
};

/*
 * The frames and stacks already written, by their bytes, so that each is
 * written once (memory grows with distinct frames and stacks, never with
 * calls).
 */
struct dedup {
	struct dedup_ent { char *key; size_t len; int64_t id; } *e;
	size_t size, n;          /* size: a power of two, or 0 */
};

static uint64_t dedup_hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h ^ (h >> 31);
}

/* The id of key, or 0 when it is new. */
static int64_t dedup_find(const struct dedup *d, const char *k, size_t len)
{
	if (!d->size)
		return 0;
	for (size_t j = dedup_hash(k, len) & (d->size - 1); d->e[j].key; j = (j + 1) & (d->size - 1))
		if (d->e[j].len == len && !memcmp(d->e[j].key, k, len))
			return d->e[j].id;
	return 0;
}

static int dedup_add(struct dedup *d, const char *k, size_t len, int64_t id)
{
	if ((d->n + 1) * 2 > d->size) {
		size_t size = d->size ? d->size * 2 : 256;
		struct dedup_ent *e = calloc(size, sizeof(*e));
		if (!e)
			return -ENOMEM;
		for (size_t i = 0; i < d->size; i++) {
			if (!d->e[i].key)
				continue;
			size_t j = dedup_hash(d->e[i].key, d->e[i].len) & (size - 1);
			while (e[j].key)
				j = (j + 1) & (size - 1);
			e[j] = d->e[i];
		}
		free(d->e);
		d->e = e;
		d->size = size;
	}
	char *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, k, len);
	size_t j = dedup_hash(k, len) & (d->size - 1);
	while (d->e[j].key)
		j = (j + 1) & (d->size - 1);
	d->e[j] = (struct dedup_ent){ copy, len, id };
	d->n++;
	return 0;
}

static void dedup_release(struct dedup *d)
{
	for (size_t i = 0; i < d->size; i++)
		free(d->e[i].key);
	free(d->e);
	memset(d, 0, sizeof(*d));
}

struct sqlite_out {
	struct output base;
	sqlite3 *db;
	sqlite3_stmt *st[ST__COUNT];
	int in_tx;
	uint64_t rows;           /* since the last commit */
	uint64_t last_commit;    /* CLOCK_MONOTONIC ns */
	struct idset procs, threads;
	struct strbuf a, b, r;   /* a call's JSON, text and result text */
	struct dedup frames, stacks;
	/* scry --profile: the samples counted as a profile (written as
	 * scry profile's tables at the end) and one row each in samples */
	struct prof *prof;
	sqlite3_stmt *sample_st;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int sql_err(int rc)
{
	switch (rc) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_PERM:
	case SQLITE_READONLY:
	case SQLITE_AUTH: return -EACCES;
	case SQLITE_CANTOPEN: return -ENOENT;
	default: return -EIO;
	}
}

static int exec_sql(struct sqlite_out *s, const char *sql)
{
	return sql_err(sqlite3_exec(s->db, sql, NULL, NULL, NULL) & 0xff);
}

/*
 * TEXT when valid UTF-8 without NUL, else a BLOB: exact bytes either way.
 * Bound in place (SQLITE_STATIC), not copied: a copy allocates, and a
 * bind that fails is not seen (the column became NULL).  So the bytes
 * must stay as they are until step(), which every caller runs next and
 * which clears the bindings.
 */
static void bind_bytes(sqlite3_stmt *st, int i, const void *p, size_t n)
{
	if (!p)
		sqlite3_bind_null(st, i);
	else if (utf8_valid(p, n) && !memchr(p, 0, n))
		sqlite3_bind_text(st, i, p, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_blob(st, i, p, (int)n, SQLITE_STATIC);
}

static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	bind_bytes(st, i, s, s ? strlen(s) : 0);
}

static int step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : sql_err(rc & 0xff);
}

static int commit(struct sqlite_out *s)
{
	if (!s->in_tx)
		return 0;
	s->in_tx = 0;
	s->rows = 0;
	s->last_commit = mono_ns();
	return exec_sql(s, "COMMIT");
}

static int begin_tx(struct sqlite_out *s)
{
	if (s->in_tx)
		return 0;
	int r = exec_sql(s, "BEGIN");
	if (r == 0)
		s->in_tx = 1;
	return r;
}

static int meta(struct sqlite_out *s, const char *key, const char *value)
{
	sqlite3_stmt *st = s->st[ST_META];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	bind_str(st, 2, value);
	return step(st);
}

static int meta_u64(struct sqlite_out *s, const char *key, uint64_t v)
{
	sqlite3_stmt *st = s->st[ST_META];
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)v);
	return step(st);
}

static int write_metadata(struct sqlite_out *s)
{
	const struct output_opts *o = &s->base.o;
	char buf[512];
	int r = 0;
	struct strbuf cmd = STRBUF_INIT;
	for (int i = 0; o->argv && o->argv[i]; i++) {
		snprintf(buf, sizeof(buf), "argv[%d]", i);
		r |= meta(s, buf, o->argv[i]);
		if (i)
			strbuf_addch(&cmd, ' ');
		strbuf_addstr(&cmd, o->argv[i]);
	}
	r |= meta(s, "command", cmd.len ? cmd.buf : NULL);
	strbuf_reset(&cmd);
	for (int i = 0; i < o->npids; i++)
		strbuf_addf(&cmd, "%s%d", i ? " " : "", (int)o->pids[i]);
	r |= meta(s, "pids", cmd.len ? cmd.buf : NULL);
	strbuf_reset(&cmd);
	for (int i = 0; o->scry_argv && o->scry_argv[i]; i++) {
		if (i)
			strbuf_addch(&cmd, ' ');
		strbuf_addstr(&cmd, o->scry_argv[i]);
	}
	if (cmd.len)
		r |= meta(s, "scry_command", cmd.buf);
	int nomem = cmd.failed;
	strbuf_release(&cmd);
	if (gethostname(buf, sizeof(buf)) == 0) {
		buf[sizeof(buf) - 1] = '\0';
		r |= meta(s, "host", buf);
	}
	struct utsname u;
	if (uname(&u) == 0) {
		r |= meta(s, "kernel", u.release);
		r |= meta(s, "arch", u.machine);
	}
	r |= meta(s, "scry_version", scry_version());
	if (o->backend)
		r |= meta(s, "backend", o->backend);
	r |= meta(s, "format_version", "2");   /* 2: frames, stacks, stack_id */
	r |= meta_u64(s, "start_ns", s->base.start_ns);
	time_t t = (time_t)(s->base.start_ns / 1000000000u);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	r |= meta(s, "start_time", buf);
	r |= meta_u64(s, "string_limit", (uint64_t)o->string_limit);
	r |= meta(s, "summary_only", o->summary == 1 ? "1" : "0");
	return nomem ? -ENOMEM : r ? -EIO : 0;
}

static int see(struct sqlite_out *s, const struct scry_event *ev)
{
	int r = idset_add(&s->procs, ev->pid);
	if (r < 0)
		return r;
	if (r) {
		char comm[64] = "";
		if (!s->base.o.replay)
			proc_comm(ev->pid, 0, comm, sizeof(comm));
		sqlite3_stmt *st = s->st[ST_PROC];
		sqlite3_bind_int(st, 1, ev->pid);
		bind_str(st, 2, comm[0] ? comm : NULL);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)ev->ts_ns);
		r = step(st);
	}
	if (r)
		return r;
	r = idset_add(&s->threads, ev->tid);
	if (r < 0)
		return r;
	if (r) {
		sqlite3_stmt *st = s->st[ST_THREAD];
		sqlite3_bind_int(st, 1, ev->tid);
		sqlite3_bind_int(st, 2, ev->pid);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)ev->ts_ns);
		r = step(st);
	}
	return r;
}

/* A string's bytes in a dedup key, NUL ended (NULL: a lone 0xff) */
static void key_str(struct strbuf *k, const char *str)
{
	if (str)
		strbuf_add(k, str, strlen(str) + 1);
	else
		strbuf_addch(k, 0xff);
}

/* The id of the frame's row, written now if it is new; 0 on error (*r). */
static int64_t frame_id(struct sqlite_out *s, const struct scry_frame *f, int *r)
{
	struct strbuf k = STRBUF_INIT;
	strbuf_add(&k, &f->addr, sizeof(f->addr));
	strbuf_add(&k, &f->object_offset, sizeof(f->object_offset));
	strbuf_add(&k, &f->offset, sizeof(f->offset));
	strbuf_add(&k, &f->line, sizeof(f->line));
	strbuf_add(&k, &f->flags, sizeof(f->flags));
	key_str(&k, f->object);
	key_str(&k, f->function);
	key_str(&k, f->file);
	if (k.failed) {           /* a key cut short would match another frame */
		strbuf_release(&k);
		*r = -ENOMEM;
		return 0;
	}
	int64_t id = dedup_find(&s->frames, k.buf, k.len);
	if (!id) {
		id = (int64_t)s->frames.n + 1;
		sqlite3_stmt *st = s->st[ST_FRAME];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)f->addr);
		bind_str(st, 3, f->object);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)f->object_offset);
		bind_str(st, 5, f->function);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)f->offset);
		bind_str(st, 7, f->file);
		if (f->line > 0)
			sqlite3_bind_int(st, 8, f->line);
		sqlite3_bind_int64(st, 9, f->flags);
		*r = step(st);
		if (!*r)
			*r = dedup_add(&s->frames, k.buf, k.len, id);
	}
	strbuf_release(&k);
	return *r ? 0 : id;
}

/* The id of the stack's row (0: none, or an error in *r). */
static int64_t stack_id(struct sqlite_out *s, const struct scry_stack *stk, int *r)
{
	*r = 0;
	if (!stk)
		return 0;
	struct strbuf k = STRBUF_INIT;
	strbuf_add(&k, &stk->source, sizeof(stk->source));
	strbuf_add(&k, &stk->truncated, sizeof(stk->truncated));
	for (unsigned i = 0; stk->frames && i < stk->nframes && !*r; i++) {
		int64_t fid = frame_id(s, &stk->frames[i], r);
		strbuf_add(&k, &fid, sizeof(fid));
	}
	if (!*r && k.failed)
		*r = -ENOMEM;
	int64_t id = *r ? 0 : dedup_find(&s->stacks, k.buf, k.len);
	if (!*r && !id) {
		id = (int64_t)s->stacks.n + 1;
		sqlite3_stmt *st = s->st[ST_STACK];
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)stk->nframes);
		if (stk->source >= 0)
			sqlite3_bind_int(st, 3, stk->source);
		sqlite3_bind_int(st, 4, stk->truncated);
		*r = step(st);
		const int64_t *fids = (const int64_t *)(k.buf + sizeof(stk->source) + sizeof(stk->truncated));
		for (unsigned i = 0; stk->frames && i < stk->nframes && !*r; i++) {
			int64_t fid;
			memcpy(&fid, &fids[i], sizeof(fid));
			st = s->st[ST_STACK_FRAME];
			sqlite3_bind_int64(st, 1, id);
			sqlite3_bind_int(st, 2, (int)i);
			sqlite3_bind_int64(st, 3, fid);
			*r = step(st);
		}
		if (!*r)
			*r = dedup_add(&s->stacks, k.buf, k.len, id);
	}
	strbuf_release(&k);
	return *r ? 0 : id;
}

static int add_call(struct sqlite_out *s, const struct scry_event *ev)
{
	const struct scry_call *c = &ev->u.call;
	int r;
	int64_t sid = stack_id(s, c->stack, &r);
	if (r)
		return r;
	sqlite3_stmt *st = s->st[ST_CALL];
	char nb[32];
	sqlite3_bind_int64(st, 1, (sqlite3_int64)c->t_enter_ns);
	sqlite3_bind_int(st, 2, ev->pid);
	sqlite3_bind_int(st, 3, ev->tid);
	sqlite3_bind_int64(st, 4, c->nr);
	bind_str(st, 5, call_name(c, nb));
	if (c->t_exit_ns) {
		sqlite3_bind_int64(st, 6, c->ret);
		if (c->is_error) {
			int e = c->ret < 0 ? (int)-c->ret : (int)c->ret;
			sqlite3_bind_int(st, 7, e);
			bind_str(st, 8, scry_errno_name(e));
		}
		sqlite3_bind_int64(st, 9, (sqlite3_int64)c->duration_ns);
		if (c->cpu_ns)
			sqlite3_bind_int64(st, 10, (sqlite3_int64)c->cpu_ns);
	}
	/* (each bound buffer stays as it is until step(): bind_bytes()) */
	strbuf_reset(&s->a);
	output_args_json(&s->base, &s->a, c);
	bind_bytes(st, 11, s->a.buf, s->a.len);
	strbuf_reset(&s->b);
	output_args_text(&s->base, &s->b, c);
	bind_bytes(st, 12, s->b.buf, s->b.len);
	strbuf_reset(&s->r);
	call_ret_text(&s->r, c);
	if (!c->ret_text)    /* (a replayed ret_text has the marks already) */
		call_injected_text(&s->r, c->injected);   /* scry report shows it */
	bind_bytes(st, 13, s->r.buf, s->r.len);
	sqlite3_bind_int(st, 14, c->t_exit_ns == 0);
	char inj[40] = "";
	if (c->injected) {
		/* -e inject=: what was done to the call, as JSON's "injected" */
		static const char *const words[] = { "result", "args", "delay", "signal" };
		size_t n = 0;
		for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (c->injected & (1u << i))
				n += (size_t)snprintf(inj + n, sizeof(inj) - n, "%s%s", n ? "," : "", words[i]);
		bind_bytes(st, 15, inj, n);
	}
	if (sid)
		sqlite3_bind_int64(st, 16, sid);
	if (s->a.failed || s->b.failed || s->r.failed) {
		/* a text cut short by a failed allocation is not stored */
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return -ENOMEM;
	}
	return step(st);
}

static int add_event(struct sqlite_out *s, const struct scry_event *ev)
{
	const char *type;
	int64_t value = 0;
	int has_value = 1;
	const char *detail = NULL;
	char exe[4096];
	int r = 0;
	switch (ev->type) {
	case SCRY_EV_SIGNAL:
		type = "signal";
		value = ev->u.signal.signo;
		detail = ev->u.signal.text;
		break;
	case SCRY_EV_STOPPED:
		type = "stopped";
		value = ev->u.signal.signo;
		break;
	case SCRY_EV_EXITED:
	case SCRY_EV_KILLED: {
		char sb[16];
		int killed = ev->type == SCRY_EV_KILLED;
		type = killed ? "killed" : "exit";
		value = killed ? ev->u.exit.signo : ev->u.exit.status;
		detail = killed && ev->u.exit.core ? "core dumped" : NULL;
		sqlite3_stmt *st = s->st[ST_THREAD_END];
		sqlite3_bind_int64(st, 1, (sqlite3_int64)ev->ts_ns);
		sqlite3_bind_int(st, 2, ev->tid);
		r = step(st);
		if (!r && ev->tid == ev->pid) {
			st = s->st[ST_PROC_END];
			sqlite3_bind_int64(st, 1, (sqlite3_int64)ev->ts_ns);
			if (!killed)
				sqlite3_bind_int(st, 2, ev->u.exit.status);
			else
				bind_str(st, 3, sig_name(ev->u.exit.signo, sb));
			sqlite3_bind_int(st, 4, ev->pid);
			r = step(st);
		}
		break;
	}
	case SCRY_EV_NEW_TASK:
		type = ev->u.task.is_thread ? "thread" : "fork";
		value = ev->u.task.parent;
		if (!ev->u.task.is_thread) {
			sqlite3_stmt *st = s->st[ST_PARENT];
			sqlite3_bind_int(st, 1, ev->u.task.parent);
			sqlite3_bind_int(st, 2, ev->pid);
			r = step(st);
		}
		break;
	case SCRY_EV_EXEC: {
		type = "exec";
		value = ev->u.exec.old_tid;
		detail = ev->u.exec.filename;
		if (!detail && !s->base.o.replay) {
			proc_exe(ev->pid, exe, sizeof(exe));
			detail = exe[0] ? exe : NULL;
		}
		sqlite3_stmt *st = s->st[ST_COMMAND];
		bind_str(st, 1, detail);
		sqlite3_bind_int(st, 2, ev->pid);
		r = step(st);
		break;
	}
	case SCRY_EV_DETACHED:
		type = "detached";
		has_value = 0;
		break;
	default:
		return 0;
	}
	if (r)
		return r;
	sqlite3_stmt *st = s->st[ST_EVENT];
	sqlite3_bind_int64(st, 1, (sqlite3_int64)ev->ts_ns);
	sqlite3_bind_int(st, 2, ev->pid);
	sqlite3_bind_int(st, 3, ev->tid);
	sqlite3_bind_text(st, 4, type, -1, SQLITE_STATIC);
	if (has_value)
		sqlite3_bind_int64(st, 5, value);
	bind_str(st, 6, detail);
	return step(st);
}

/*
 * A CPU sample (scry --profile): its frames, stack and thread counted in
 * the profile (deduplicated there), and a row in samples that names the
 * profile's stack (prof_stacks.id), for the timeline.
 */
static int add_sample(struct sqlite_out *s, const struct scry_event *ev)
{
	if (!s->prof) {
		int r = prof_new(&s->prof);
		if (r < 0)
			return r;
		r = exec_sql(s, "CREATE TABLE samples(ts_ns INTEGER, pid INTEGER, tid INTEGER, cpu INTEGER,\n"
				"  prof_stack_id INTEGER, period_ns INTEGER)");
		if (!r && sqlite3_prepare_v3(s->db, "INSERT INTO samples VALUES(?,?,?,?,?,?)", -1,
					     SQLITE_PREPARE_PERSISTENT, &s->sample_st, NULL) != SQLITE_OK)
			r = -EIO;
		if (r < 0)
			return r;
	}
	const struct scry_stack *st = ev->u.sample.stack;
	uint32_t ids[256];
	uint32_t n = 0;
	for (unsigned i = 0; st && st->frames && i < st->nframes && n < 256; i++) {
		const struct scry_frame *f = &st->frames[i];
		uint32_t id = prof_frame_id(s->prof, f, (f->flags & SCRY_FRAME_KERNEL) ? PROF_FRAME_KERNEL : 0);
		if (id == PROF_NONE)
			return -ENOMEM;
		ids[n++] = id;
	}
	int user = 0;
	for (unsigned i = 0; st && st->frames && i < st->nframes; i++)
		user |= !(st->frames[i].flags & SCRY_FRAME_KERNEL);
	uint32_t flags = !user ? PROF_STACK_NOUSER : st->truncated == 1 ? PROF_STACK_TRUNCATED :
			 !st->truncated ? PROF_STACK_COMPLETE : 0;
	uint32_t stack = prof_stack_id(s->prof, ids, n, flags);
	if (prof_thread_find(s->prof, ev->pid, ev->tid) == PROF_NONE) {
		char comm[64] = "";
		if (!s->base.o.replay)
			proc_comm(ev->pid, ev->tid, comm, sizeof(comm));
		prof_thread_id(s->prof, ev->pid, ev->tid, comm[0] ? comm : NULL);
	}
	uint32_t th = prof_thread_find(s->prof, ev->pid, ev->tid);
	if (stack == PROF_NONE || th == PROF_NONE || prof_add(s->prof, th, stack, PROF_CPU, 1) < 0)
		return -ENOMEM;
	struct prof_stats *ps = prof_stats(s->prof);
	ps->samples++;
	ps->user_stacks += user;
	ps->complete += user && !st->truncated;
	if (!ps->start_ns || ev->ts_ns < ps->start_ns)
		ps->start_ns = ev->ts_ns;
	sqlite3_stmt *q = s->sample_st;
	sqlite3_bind_int64(q, 1, (sqlite3_int64)ev->ts_ns);
	sqlite3_bind_int(q, 2, ev->pid);
	sqlite3_bind_int(q, 3, ev->tid);
	sqlite3_bind_int64(q, 4, ev->u.sample.cpu);
	sqlite3_bind_int64(q, 5, stack);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)ev->u.sample.period_ns);
	return step(q);
}

/* The profile's tables (prof_sqlite.h), its keys "profile.*" in metadata. */
static int write_profile(struct sqlite_out *s)
{
	const struct scry_sink_end *e = s->base.end;
	if (!s->prof && !(e && e->sample_hz))
		return 0;
	if (!s->prof && prof_new(&s->prof) < 0)
		return -ENOMEM;
	struct prof_stats *ps = prof_stats(s->prof);
	if (e) {
		ps->freq = ps->freq_asked = e->sample_hz;
		ps->lost = e->lost_samples;
	}
	char why[256];
	return prof_sqlite_add(s->db, s->prof, NULL, NULL, "profile.", why, sizeof(why));
}

static int sqlite_event(struct output *o, const struct scry_event *ev)
{
	struct sqlite_out *s = (struct sqlite_out *)o;
	if (ev->type == SCRY_EV_CALL_ENTER)
		return 0;
	int r = begin_tx(s);
	if (!r)
		r = see(s, ev);
	if (!r)
		r = ev->type == SCRY_EV_CALL_EXIT ? add_call(s, ev) :
		    ev->type == SCRY_EV_SAMPLE ? add_sample(s, ev) : add_event(s, ev);
	if (!r && ++s->rows >= COMMIT_ROWS)
		r = commit(s);
	return r;
}

/* Between batches: commit at least once a second, so that an interrupted
 * or live trace can be queried. */
static int sqlite_flush(struct output *o)
{
	struct sqlite_out *s = (struct sqlite_out *)o;
	if (s->in_tx && mono_ns() - s->last_commit >= 1000000000u)
		return commit(s);
	return 0;
}

static void finalize_all(struct sqlite_out *s)
{
	if (s->sample_st)
		sqlite3_finalize(s->sample_st);
	s->sample_st = NULL;
	for (int i = 0; i < ST__COUNT; i++) {
		if (s->st[i])
			sqlite3_finalize(s->st[i]);
		s->st[i] = NULL;
	}
}

static int sqlite_finish(struct output *o, const struct scry_stats *summary,
			 const struct scry_summary_opts *sopts, uint64_t lost)
{
	struct sqlite_out *s = (struct sqlite_out *)o;
	/* The rows are the summary (the views, scry report -c); what it
	 * cannot tell is how the live one was taken. */
	(void)summary;
	int r = 0;
	if (!s->db)
		return 0;
	/* after an error, what was inserted is still committed if it can be */
	if (!s->in_tx)
		r = begin_tx(s);
	if (!r && sopts) {
		char buf[64];
		if (sopts->note)
			r = meta(s, "summary_note", sopts->note);
		if (!r)
			r = meta(s, "summary_latency", sopts->latency == SCRY_LATENCY_CPU ? "cpu" : "wall");
		snprintf(buf, sizeof(buf), "%.6f", sopts->seconds);
		if (!r && sopts->seconds >= 0)
			r = meta(s, "summary_seconds", buf);
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (!r)
		r = meta_u64(s, "end_ns", (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	if (!r)
		r = meta_u64(s, "lost_events", lost);
	if (!r)
		r = write_profile(s);
	int rc = commit(s);
	if (!r)
		r = rc;
	finalize_all(s);
	exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)");
	exec_sql(s, "PRAGMA journal_mode=DELETE");
	rc = sql_err(sqlite3_close(s->db));
	s->db = NULL;
	return r ? r : rc;
}

static void sqlite_free(struct output *o)
{
	struct sqlite_out *s = (struct sqlite_out *)o;
	if (s->db) {
		finalize_all(s);
		sqlite3_close(s->db);
	}
	idset_release(&s->procs);
	idset_release(&s->threads);
	strbuf_release(&s->a);
	strbuf_release(&s->b);
	strbuf_release(&s->r);
	dedup_release(&s->frames);
	dedup_release(&s->stacks);
	prof_free(s->prof);
	free(s);
}

static const struct output_ops sqlite_ops = { sqlite_event, sqlite_flush, sqlite_finish, sqlite_free };

/* A journal or WAL left by an earlier database would be replayed into the
 * new one: remove them, but only where they are plain files. */
static void remove_sidecars(const char *path)
{
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };
	char p[PATH_MAX + 16];
	struct stat st;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			unlink(p);
	}
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO" :
	       S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/*
 * Makes path an empty regular file for the database.  Only a regular file
 * (or nothing) is ever written there: a device, FIFO, directory or socket
 * is refused, never unlinked or replaced.  A symlink is written through, as
 * open() does for the other formats: its target is emptied, the link kept.
 * A new file gets mode 0600, since a trace holds what the process read and
 * wrote.  The file is emptied with ftruncate() only once fstat() has shown
 * it is regular, so that nothing else is ever truncated.
 */
static int prepare_path(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		goto not_regular;
	int fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		goto not_regular;
	}
	if (ftruncate(fd, 0) < 0) {
		int e = errno;
		close(fd);
		snprintf(err, errlen, "%s", strerror(e));
		return -e;
	}
	close(fd);
	remove_sidecars(path);
	/* SQLite names its journal after the link's target */
	char real[PATH_MAX];
	if (realpath(path, real) && strcmp(real, path))
		remove_sidecars(real);
	return 0;
not_regular:
	snprintf(err, errlen, "it is %s; the sqlite format writes a database: give a regular file or a new path",
		 file_kind(st.st_mode));
	return -EINVAL;
}

int sqlite_format_open(struct scry_sink *sink, const struct output_format *fmt, const struct output_opts *opts,
		     char *err, size_t errlen)
{
	if (!opts->path || !opts->path[0]) {
		snprintf(err, errlen, "the sqlite format writes a file: give one with -o FILE.db");
		return -EINVAL;
	}
	if (!HAVE_SQLITE_LINKED()) {
		snprintf(err, errlen, "this scry was built without SQLite (link it with -lsqlite3)");
		return -ENOTSUP;
	}
	struct sqlite_out *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	output_base_init(&s->base, fmt, &sqlite_ops, opts);
	strbuf_init(&s->a, 256);
	strbuf_init(&s->b, 256);
	strbuf_init(&s->r, 64);
	int r = prepare_path(opts->path, err, errlen);
	if (r < 0)
		goto fail;
	int rc = sqlite3_open_v2(opts->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		r = sql_err(rc);
		goto fail;
	}
	if ((r = exec_sql(s, "PRAGMA journal_mode=WAL")) < 0 ||
	    (r = exec_sql(s, "PRAGMA synchronous=OFF")) < 0 ||
	    (r = exec_sql(s, SCHEMA)) < 0) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		goto fail;
	}
	for (int i = 0; i < ST__COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, STMTS[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
			r = sql_err(rc);
			goto fail;
		}
	}
	if ((r = begin_tx(s)) < 0 || (r = write_metadata(s)) < 0 || (r = commit(s)) < 0) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(s->db));
		goto fail;
	}
	output_as_sink(&s->base, sink);
	return 0;
fail:
	if (!r)
		r = -EIO;
	s->base.finished = 1;
	sqlite_free(&s->base);
	return r;
}

/* ---- reading the metadata back (tracedb.h) ---- */

int tracedb_meta(sqlite3 *db, const char *key, char **value)
{
	*value = NULL;
	if (!HAVE_SQLITE_LINKED())
		return SQLITE_ERROR;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "SELECT value FROM metadata WHERE key=?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*value = strdup((const char *)sqlite3_column_text(st, 0));
		rc = *value ? SQLITE_OK : SQLITE_NOMEM;
	} else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

int tracedb_meta_u64(sqlite3 *db, const char *key, uint64_t *value)
{
	char *v;
	int rc = tracedb_meta(db, key, &v);
	*value = v ? strtoull(v, NULL, 10) : 0;
	free(v);
	return rc;
}
