/*
 * The profile as SQLite.  See profile/prof_sqlite.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "profile/prof_sqlite.h"

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS metadata(key TEXT PRIMARY KEY, value);\n"
	"CREATE TABLE prof_frames(id INTEGER PRIMARY KEY, function TEXT, object TEXT, build_id TEXT,\n"
	"  offset INTEGER, addr INTEGER, fstart_offset INTEGER, flags INTEGER, kernel INTEGER);\n"
	"CREATE TABLE prof_stacks(id INTEGER PRIMARY KEY, nframes INTEGER, flags INTEGER);\n"
	"CREATE TABLE prof_stack_frames(stack_id INTEGER, depth INTEGER, frame_id INTEGER,\n"
	"  PRIMARY KEY(stack_id, depth)) WITHOUT ROWID;\n"
	"CREATE TABLE prof_threads(id INTEGER PRIMARY KEY, pid INTEGER, tid INTEGER, comm TEXT,\n"
	"  running_ns INTEGER, runnable_ns INTEGER, sleeping_ns INTEGER, disk_ns INTEGER,\n"
	"  other_ns INTEGER, switches INTEGER, exited INTEGER);\n"
	"CREATE TABLE prof_samples(thread_id INTEGER, stack_id INTEGER, cpu_samples INTEGER,\n"
	"  off_cpu_sleep_ns INTEGER, off_cpu_disk_ns INTEGER, off_cpu_runq_ns INTEGER,\n"
	"  off_cpu_other_ns INTEGER, PRIMARY KEY(thread_id, stack_id)) WITHOUT ROWID;\n"
	"CREATE TABLE prof_waits(thread_id INTEGER, syscall INTEGER, kernel_function TEXT,\n"
	"  ns INTEGER, count INTEGER);\n"
	/* the leaf function of every sample, summed */
	"CREATE VIEW prof_functions AS\n"
	"  SELECT f.function, f.object, sum(s.cpu_samples) AS self_samples,\n"
	"         sum(s.off_cpu_sleep_ns + s.off_cpu_disk_ns) AS self_blocked_ns\n"
	"  FROM prof_samples s JOIN prof_stack_frames sf ON sf.stack_id = s.stack_id AND sf.depth = 0\n"
	"  JOIN prof_frames f ON f.id = sf.frame_id\n"
	"  GROUP BY f.function, f.object ORDER BY self_samples DESC;\n";

static int fail(sqlite3 *db, int rc, char *why, size_t len)
{
	const char *m = db ? sqlite3_errmsg(db) : NULL;
	if (why && len)
		snprintf(why, len, "%s", m && *m ? m : sqlite3_errstr(rc));
	return rc == SQLITE_NOMEM ? -ENOMEM : rc == SQLITE_FULL ? -ENOSPC : -EIO;
}

static int run(sqlite3 *db, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int meta(sqlite3 *db, sqlite3_stmt *st, const char *key, int64_t v, const char *s)
{
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (s)
		sqlite3_bind_text(st, 2, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_int64(st, 2, v);
	return run(db, st);
}

static int meta_key(sqlite3 *db, sqlite3_stmt *st, const char *prefix, const char *key, int64_t v, const char *s)
{
	char k[96];
	snprintf(k, sizeof(k), "%s%s", prefix, key);
	return meta(db, st, k, v, s);
}

/* The tables and rows of p into db, inside the caller's transaction;
 * SQLite's result code. */
static int add_tables(sqlite3 *db, const struct prof *p, const struct tstates *ts, const char *title,
		      const char *prefix)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_exec(db, SCHEMA, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto out;

	const struct prof_stats *s = prof_stats_const(p);
	rc = sqlite3_prepare_v2(db, "INSERT INTO metadata VALUES(?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto out;
	const struct { const char *k; int64_t v; } M[] = {
		{ "samples", (int64_t)s->samples }, { "lost", (int64_t)s->lost },
		{ "throttled", (int64_t)s->throttled }, { "other", (int64_t)s->other },
		{ "user_stacks", (int64_t)s->user_stacks }, { "complete", (int64_t)s->complete },
		{ "unwind_errors", (int64_t)s->unwind_errors }, { "freq", s->freq },
		{ "freq_asked", s->freq_asked }, { "stack_size", s->stack_size },
		{ "call_graph", s->call_graph }, { "kernel", s->kernel },
		{ "duration_ns", (int64_t)s->duration_ns }, { "start_ns", (int64_t)s->start_ns },
		{ "states_duration_ns", ts ? (int64_t)ts->duration_ns : 0 },
	};
	/* a profile of its own says so; one inside a trace has its keys
	 * apart from the trace's (prefix) */
	rc = prefix[0] ? SQLITE_OK : meta(db, st, "kind", 0, "profile");
	for (size_t i = 0; rc == SQLITE_OK && i < sizeof(M) / sizeof(M[0]); i++)
		rc = meta_key(db, st, prefix, M[i].k, M[i].v, NULL);
	if (rc == SQLITE_OK && title)
		rc = meta_key(db, st, prefix, "title", 0, title);
	if (rc == SQLITE_OK && ts && ts->source)
		rc = meta_key(db, st, prefix, "states_source", 0, ts->source);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto out;

	rc = sqlite3_prepare_v2(db, "INSERT INTO prof_frames VALUES(?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
	for (uint32_t i = 0; rc == SQLITE_OK && i < prof_nframes(p); i++) {
		const struct prof_frame *f = prof_frame(p, i);
		sqlite3_bind_int64(st, 1, i);
		bind_text(st, 2, f->function);
		bind_text(st, 3, f->object);
		bind_text(st, 4, f->build_id);
		sqlite3_bind_int64(st, 5, (int64_t)f->offset);
		sqlite3_bind_int64(st, 6, (int64_t)f->addr);
		sqlite3_bind_int64(st, 7, (int64_t)f->fstart_offset);
		sqlite3_bind_int64(st, 8, f->flags);
		sqlite3_bind_int(st, 9, !!(f->flags & PROF_FRAME_KERNEL));
		rc = run(db, st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto out;

	sqlite3_stmt *sf = NULL;
	rc = sqlite3_prepare_v2(db, "INSERT INTO prof_stacks VALUES(?,?,?)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO prof_stack_frames VALUES(?,?,?)", -1, &sf, NULL);
	for (uint32_t i = 0; rc == SQLITE_OK && i < prof_nstacks(p); i++) {
		const struct prof_stack *k = prof_stack(p, i);
		sqlite3_bind_int64(st, 1, i);
		sqlite3_bind_int64(st, 2, k->n);
		sqlite3_bind_int64(st, 3, k->flags);
		rc = run(db, st);
		for (uint32_t d = 0; rc == SQLITE_OK && d < k->n; d++) {
			sqlite3_bind_int64(sf, 1, i);
			sqlite3_bind_int64(sf, 2, d);
			sqlite3_bind_int64(sf, 3, k->frames[d]);
			rc = run(db, sf);
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(sf);
	st = NULL;
	if (rc != SQLITE_OK)
		goto out;

	/* threads: the profile's, with their states; then the state rows of
	 * threads the profile has no value for */
	rc = sqlite3_prepare_v2(db, "INSERT INTO prof_threads VALUES(?,?,?,?,?,?,?,?,?,?,?)", -1, &st, NULL);
	uint32_t nth = prof_nthreads(p);
	for (uint32_t i = 0; rc == SQLITE_OK && i < nth + (ts ? ts->n : 0); i++) {
		const struct tstate *row = NULL;
		pid_t pid, tid;
		const char *comm;
		if (i < nth) {
			const struct prof_thread *t = prof_thread(p, i);
			pid = t->pid;
			tid = t->tid;
			comm = t->comm;
			for (size_t j = 0; ts && j < ts->n; j++)
				if (ts->t[j].tid == tid)
					row = &ts->t[j];
		} else {
			row = &ts->t[i - nth];
			if (prof_thread_find(p, row->pid, row->tid) != PROF_NONE)
				continue;
			pid = row->pid;
			tid = row->tid;
			comm = row->comm;
		}
		sqlite3_bind_int64(st, 1, i);
		sqlite3_bind_int64(st, 2, pid);
		sqlite3_bind_int64(st, 3, tid);
		bind_text(st, 4, comm);
		for (int k = 0; k < TS_NKINDS; k++)
			if (row)
				sqlite3_bind_int64(st, 5 + k, (int64_t)row->ns[k]);
		if (row) {
			sqlite3_bind_int64(st, 10, (int64_t)row->switches);
			sqlite3_bind_int(st, 11, row->gone);
		}
		rc = run(db, st);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto out;

	rc = sqlite3_prepare_v2(db, "INSERT INTO prof_waits VALUES((SELECT id FROM prof_threads WHERE tid=?),?,?,?,?)",
				-1, &st, NULL);
	for (size_t j = 0; rc == SQLITE_OK && ts && j < ts->n; j++)
		for (unsigned w = 0; rc == SQLITE_OK && w < ts->t[j].nwaits; w++) {
			const struct tstate_wait *wt = &ts->t[j].waits[w];
			sqlite3_bind_int64(st, 1, ts->t[j].tid);
			sqlite3_bind_int64(st, 2, wt->nr);
			bind_text(st, 3, wt->where[0] ? wt->where : NULL);
			sqlite3_bind_int64(st, 4, (int64_t)wt->ns);
			sqlite3_bind_int64(st, 5, (int64_t)wt->count);
			rc = run(db, st);
		}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto out;

	rc = sqlite3_prepare_v2(db, "INSERT INTO prof_samples VALUES(?,?,?,?,?,?,?)", -1, &st, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < prof_nentries(p); i++) {
		const struct prof_entry *e = prof_entry(p, i);
		sqlite3_bind_int64(st, 1, e->thread);
		sqlite3_bind_int64(st, 2, e->stack);
		for (int k = 0; k < PROF_NMETRICS; k++)
			sqlite3_bind_int64(st, 3 + k, (int64_t)e->v[k]);
		rc = run(db, st);
	}
out:
	sqlite3_finalize(st);
	return rc;
}

int prof_sqlite_add(struct sqlite3 *db, const struct prof *p, const struct tstates *ts, const char *title,
		    const char *prefix, char *why, size_t len)
{
	int rc = add_tables(db, p, ts, title, prefix ? prefix : "");
	return rc == SQLITE_OK ? 0 : fail(db, rc, why, len);
}

int prof_write_sqlite(const struct prof *p, const struct tstates *ts, const char *title, const char *path,
		      char *why, size_t len)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = add_tables(db, p, ts, title, "");
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL);
	int err = rc == SQLITE_OK ? 0 : fail(db, rc, why, len);
	if (db && sqlite3_close(db) != SQLITE_OK && !err)
		err = fail(NULL, SQLITE_IOERR, why, len);
	return err;
}

int prof_sqlite_is_profile(const char *path)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -EIO;
	}
	sqlite3_stmt *st = NULL;
	int r = 0;
	/* (a trace recorded with --profile has both) */
	if (sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE type='table' AND "
			       "name='prof_samples'), (SELECT count(*) FROM sqlite_master WHERE type='table' AND "
			       "name='syscalls')", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		r = !sqlite3_column_int(st, 0) ? 0 : sqlite3_column_int(st, 1) ? 2 : 1;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int prof_read_sqlite(const char *path, struct prof **out, struct tstates *ts, char *title, size_t tlen,
		     char *why, size_t len)
{
	*out = NULL;
	tstates_init(ts);
	if (title && tlen)
		title[0] = 0;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct prof *p = NULL;
	uint32_t *fmap = NULL, *smap = NULL, *tmap = NULL;
	int err = prof_new(&p);
	if (err)
		return err;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	/* metadata */
	struct prof_stats *s = prof_stats(p);
	/* a trace's profile has its keys as "profile.KEY" */
	const char *q = prof_sqlite_is_profile(path) == 2 ?
		"SELECT substr(key, 9), value FROM metadata WHERE substr(key, 1, 8) = 'profile.'" :
		"SELECT key, value FROM metadata";
	rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *k = col_text(st, 0);
		int64_t v = sqlite3_column_int64(st, 1);
		if (!k)
			continue;
#define M(name) if (!strcmp(k, #name)) s->name = (__typeof__(s->name))v;
		M(samples) M(lost) M(throttled) M(other) M(user_stacks) M(complete) M(unwind_errors)
		M(freq) M(freq_asked) M(stack_size) M(call_graph) M(kernel) M(duration_ns) M(start_ns)
#undef M
		if (!strcmp(k, "states_duration_ns"))
			ts->duration_ns = (uint64_t)v;
		if (!strcmp(k, "title") && title && col_text(st, 1))
			snprintf(title, tlen, "%s", col_text(st, 1));
		if (!strcmp(k, "states_source") && col_text(st, 1)) {
			snprintf(ts->source_buf, sizeof(ts->source_buf), "%s", col_text(st, 1));
			ts->source = ts->source_buf;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;

	/* frames, stacks, threads: ids in the database -> ids here */
	int64_t nf = 0, ns = 0, nt = 0;
	rc = sqlite3_prepare_v2(db, "SELECT (SELECT coalesce(max(id),-1)+1 FROM prof_frames), "
				"(SELECT coalesce(max(id),-1)+1 FROM prof_stacks), "
				"(SELECT coalesce(max(id),-1)+1 FROM prof_threads)", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		nf = sqlite3_column_int64(st, 0);
		ns = sqlite3_column_int64(st, 1);
		nt = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;
	if (nf < 0 || ns < 0 || nt < 0 || nf > (1 << 26) || ns > (1 << 26) || nt > (1 << 24)) {
		rc = SQLITE_CORRUPT;
		goto fail;
	}
	fmap = malloc(((size_t)nf + 1) * sizeof(*fmap));
	smap = malloc(((size_t)ns + 1) * sizeof(*smap));
	tmap = malloc(((size_t)nt + 1) * sizeof(*tmap));
	if (!fmap || !smap || !tmap) {
		rc = SQLITE_NOMEM;
		goto fail;
	}
	memset(fmap, 0xff, ((size_t)nf + 1) * sizeof(*fmap));
	memset(smap, 0xff, ((size_t)ns + 1) * sizeof(*smap));
	memset(tmap, 0xff, ((size_t)nt + 1) * sizeof(*tmap));

	rc = sqlite3_prepare_v2(db, "SELECT id, function, object, offset, addr, fstart_offset, flags, kernel "
				"FROM prof_frames", -1, &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int kernel = sqlite3_column_int(st, 7);
		uint64_t off = (uint64_t)sqlite3_column_int64(st, 3);
		struct scry_frame f = {
			.addr = kernel ? off : (uint64_t)sqlite3_column_int64(st, 4),
			.object = col_text(st, 2), .object_offset = off, .function = col_text(st, 1),
			.offset = (uint64_t)sqlite3_column_int64(st, 5),
			.flags = (uint32_t)sqlite3_column_int64(st, 6) & 0xffffu,
		};
		if (id >= 0 && id < nf)
			fmap[id] = prof_frame_id(p, &f, kernel ? PROF_FRAME_KERNEL : 0);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;

	rc = sqlite3_prepare_v2(db, "SELECT k.id, k.flags, sf.frame_id FROM prof_stacks k "
				"LEFT JOIN prof_stack_frames sf ON sf.stack_id = k.id ORDER BY k.id, sf.depth",
				-1, &st, NULL);
	{
		uint32_t ids[512];
		uint32_t n = 0, flags = 0;
		int64_t cur = -1;
		int step;
		while (rc == SQLITE_OK) {
			step = sqlite3_step(st);
			int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -2;
			if (id != cur && cur >= 0 && cur < ns)
				smap[cur] = prof_stack_id(p, ids, n, flags);
			if (step != SQLITE_ROW)
				break;
			if (id != cur) {
				cur = id;
				n = 0;
				flags = (uint32_t)sqlite3_column_int64(st, 1);
			}
			if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
				int64_t fid = sqlite3_column_int64(st, 2);
				if (n < 512 && fid >= 0 && fid < nf && fmap[fid] != PROF_NONE)
					ids[n++] = fmap[fid];
			}
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;

	rc = sqlite3_prepare_v2(db, "SELECT id, pid, tid, comm, running_ns, runnable_ns, sleeping_ns, disk_ns, "
				"other_ns, switches, exited FROM prof_threads ORDER BY id", -1, &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		pid_t pid = (pid_t)sqlite3_column_int64(st, 1), tid = (pid_t)sqlite3_column_int64(st, 2);
		if (id >= 0 && id < nt)
			tmap[id] = prof_thread_id(p, pid, tid, col_text(st, 3));
		if (sqlite3_column_type(st, 4) == SQLITE_NULL)
			continue;	/* no states recorded for it */
		struct tstate *t = tstates_get(ts, pid, tid);
		if (!t) {
			rc = SQLITE_NOMEM;
			break;
		}
		snprintf(t->comm, sizeof(t->comm), "%s", col_text(st, 3) ? col_text(st, 3) : "");
		for (int k = 0; k < TS_NKINDS; k++)
			t->ns[k] = (uint64_t)sqlite3_column_int64(st, 4 + k);
		t->switches = (uint64_t)sqlite3_column_int64(st, 9);
		t->gone = sqlite3_column_int(st, 10);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;

	rc = sqlite3_prepare_v2(db, "SELECT t.pid, t.tid, w.syscall, w.kernel_function, w.ns, w.count "
				"FROM prof_waits w JOIN prof_threads t ON t.id = w.thread_id", -1, &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct tstate *t = tstates_get(ts, (pid_t)sqlite3_column_int64(st, 0),
					       (pid_t)sqlite3_column_int64(st, 1));
		if (t)
			tstate_add_wait(t, (long)sqlite3_column_int64(st, 2), col_text(st, 3),
					(uint64_t)sqlite3_column_int64(st, 4), (uint64_t)sqlite3_column_int64(st, 5));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;

	rc = sqlite3_prepare_v2(db, "SELECT thread_id, stack_id, cpu_samples, off_cpu_sleep_ns, off_cpu_disk_ns, "
				"off_cpu_runq_ns, off_cpu_other_ns FROM prof_samples", -1, &st, NULL);
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		int64_t th = sqlite3_column_int64(st, 0), sk = sqlite3_column_int64(st, 1);
		if (th < 0 || th >= nt || sk < 0 || sk >= ns || tmap[th] == PROF_NONE || smap[sk] == PROF_NONE)
			continue;
		for (int k = 0; k < PROF_NMETRICS; k++) {
			int64_t v = sqlite3_column_int64(st, 2 + k);
			if (v > 0 && prof_add(p, tmap[th], smap[sk], (enum prof_metric)k, (uint64_t)v) < 0)
				rc = SQLITE_NOMEM;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_OK)
		goto fail;
	free(fmap);
	free(smap);
	free(tmap);
	sqlite3_close(db);
	*out = p;
	return 0;
fail:
	err = fail(db, rc, why, len);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(fmap);
	free(smap);
	free(tmap);
	prof_free(p);
	tstates_release(ts);
	return err;
}
