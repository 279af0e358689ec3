/*
 * The CPU samples of a trace database, read back as events.  See
 * output/tracedb.h.
 *
 * Each samples row names the profile's stack (prof_stacks.id); its frames
 * are prof_stack_frames x prof_frames, leaf first, made back into
 * scry_frames as trace_samples.c made them from the profile.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scry/scry.h"
#include "output/tracedb.h"
#include "profile/profile.h"

#ifndef SCRY_HAVE_SQLITE
#pragma weak sqlite3_bind_int64
#pragma weak sqlite3_bind_text
#pragma weak sqlite3_column_int
#pragma weak sqlite3_column_int64
#pragma weak sqlite3_column_text
#pragma weak sqlite3_column_type
#pragma weak sqlite3_finalize
#pragma weak sqlite3_prepare_v2
#pragma weak sqlite3_reset
#pragma weak sqlite3_step
#endif

#define MAXFRAMES 256

struct tracedb_samples {
	sqlite3 *db;
	sqlite3_stmt *rows, *frames, *flags;
	int have;                 /* rows holds a sample not handed over yet */
	int done;
	uint64_t count;
	struct scry_frame fr[MAXFRAMES];
	char *strs[MAXFRAMES * 2];  /* the frames' strings, owned */
};

static int has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st, NULL)
	    != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

void tracedb_samples_close(struct tracedb_samples *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->rows);
	sqlite3_finalize(it->frames);
	sqlite3_finalize(it->flags);
	for (size_t i = 0; i < MAXFRAMES * 2; i++)
		free(it->strs[i]);
	free(it);
}

int tracedb_samples_open(sqlite3 *db, struct tracedb_samples **out)
{
	*out = NULL;
	if (!has_table(db, "samples") || !has_table(db, "prof_frames"))
		return SQLITE_OK;
	struct tracedb_samples *it = calloc(1, sizeof(*it));
	if (!it)
		return SQLITE_NOMEM;
	it->db = db;
	int rc = sqlite3_prepare_v2(db, "SELECT ts_ns, pid, tid, cpu, prof_stack_id, period_ns FROM samples "
				    "ORDER BY ts_ns, rowid", -1, &it->rows, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT f.function, f.object, f.offset, f.addr, f.fstart_offset, f.flags, "
					"f.kernel FROM prof_stack_frames sf JOIN prof_frames f ON f.id = sf.frame_id "
					"WHERE sf.stack_id = ? ORDER BY sf.depth", -1, &it->frames, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT flags FROM prof_stacks WHERE id = ?", -1, &it->flags, NULL);
	if (rc != SQLITE_OK) {
		tracedb_samples_close(it);
		return rc;
	}
	*out = it;
	return SQLITE_OK;
}

static char *own(struct tracedb_samples *it, size_t slot, const unsigned char *s)
{
	free(it->strs[slot]);
	it->strs[slot] = s ? strdup((const char *)s) : NULL;
	return it->strs[slot];
}

/* The stack of profile stack id into it->fr and *st.  0 or -EIO/-ENOMEM. */
static int load_stack(struct tracedb_samples *it, int64_t id, struct scry_stack *st)
{
	unsigned n = 0;
	sqlite3_reset(it->frames);
	sqlite3_bind_int64(it->frames, 1, id);
	int rc;
	while ((rc = sqlite3_step(it->frames)) == SQLITE_ROW && n < MAXFRAMES) {
		sqlite3_stmt *q = it->frames;
		struct scry_frame *f = &it->fr[n];
		memset(f, 0, sizeof(*f));
		int kernel = sqlite3_column_int(q, 6) != 0;
		f->function = own(it, 2 * n, sqlite3_column_text(q, 0));
		f->object = own(it, 2 * n + 1, sqlite3_column_text(q, 1));
		if ((sqlite3_column_type(q, 0) != SQLITE_NULL && !f->function) ||
		    (sqlite3_column_type(q, 1) != SQLITE_NULL && !f->object))
			return -ENOMEM;
		f->addr = (uint64_t)sqlite3_column_int64(q, 3);
		f->object_offset = kernel || !f->object ? 0 : (uint64_t)sqlite3_column_int64(q, 2);
		f->offset = (uint64_t)sqlite3_column_int64(q, 4);
		f->flags = ((uint32_t)sqlite3_column_int64(q, 5) & 0xffffu) | (kernel ? SCRY_FRAME_KERNEL : 0);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	uint32_t flags = 0;
	sqlite3_reset(it->flags);
	sqlite3_bind_int64(it->flags, 1, id);
	if ((rc = sqlite3_step(it->flags)) == SQLITE_ROW)
		flags = (uint32_t)sqlite3_column_int64(it->flags, 0);
	else if (rc != SQLITE_DONE)
		return -EIO;
	/* as the live sample had it (trace_samples.c) */
	int user = !(flags & PROF_STACK_NOUSER);
	st->nframes = n;
	st->frames = it->fr;
	st->truncated = !user ? 0 : (flags & PROF_STACK_TRUNCATED) ? 1 : (flags & PROF_STACK_COMPLETE) ? 0 : 2;
	st->source = -1;
	for (unsigned i = 0; i < n; i++)
		if (!(it->fr[i].flags & (SCRY_FRAME_KERNEL | SCRY_FRAME_RUNTIME))) {
			st->source = (int)i;
			break;
		}
	return 0;
}

int tracedb_samples_until(struct tracedb_samples *it, uint64_t ts_ns, const struct scry_sink *sink)
{
	while (it && !it->done) {
		if (!it->have) {
			int rc = sqlite3_step(it->rows);
			if (rc == SQLITE_DONE) {
				it->done = 1;
				break;
			}
			if (rc != SQLITE_ROW)
				return -EIO;
			it->have = 1;
		}
		sqlite3_stmt *q = it->rows;
		uint64_t ts = (uint64_t)sqlite3_column_int64(q, 0);
		if (ts > ts_ns)
			break;
		it->have = 0;
		struct scry_stack st;
		int r = load_stack(it, sqlite3_column_int64(q, 4), &st);
		if (r < 0)
			return r;
		struct scry_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.type = SCRY_EV_SAMPLE;
		ev.pid = sqlite3_column_int(q, 1);
		ev.tid = sqlite3_column_int(q, 2);
		ev.ts_ns = ts;
		ev.ntracees = 1;
		ev.last_nr = -1;
		ev.ip = st.nframes ? st.frames[0].addr : 0;
		ev.u.sample.cpu = (uint32_t)sqlite3_column_int64(q, 3);
		ev.u.sample.period_ns = (uint64_t)sqlite3_column_int64(q, 5);
		ev.u.sample.stack = st.nframes ? &st : NULL;
		r = sink->event(sink->ctx, &ev);
		if (r < 0)
			return r;
		it->count++;
	}
	return 0;
}

uint64_t tracedb_samples_count(const struct tracedb_samples *it) { return it ? it->count : 0; }

void tracedb_samples_end(const struct tracedb_samples *it, sqlite3 *db, struct scry_sink_end *end)
{
	if (!it)
		return;
	uint64_t hz = 0, lost = 0;
	tracedb_meta_u64(db, "profile.freq", &hz);
	tracedb_meta_u64(db, "profile.lost", &lost);
	end->sample_hz = hz ? (unsigned)hz : 1;
	end->samples = it->count;
	end->lost_samples = lost;
}
