/*
 * scry profile --format sqlite: the profile as a database (deduplicated:
 * each frame, stack and thread once; one row per (thread, stack) with
 * its CPU samples and off-CPU nanoseconds), the thread states and the
 * run's statistics; read back by `scry report FILE` (prof_read_sqlite).
 * docs/FORMATS.md gives the schema.
 */
#ifndef SCRY_PROFILE_PROF_SQLITE_H
#define SCRY_PROFILE_PROF_SQLITE_H

#include "profile/profile.h"
#include "profile/states.h"

/* Writes a new database at path (which must not exist: the caller writes
 * to a temporary name and renames).  ts may be NULL.  0 or -errno; why:
 * SQLite's message. */
int prof_write_sqlite(const struct prof *p, const struct tstates *ts, const char *title, const char *path,
		      char *why, size_t len);

/* The profile's tables into an open database db (a trace's: scry
 * --profile --format sqlite), inside the caller's transaction; the
 * metadata keys get prefix (e.g. "profile.": the trace has keys of its
 * own; "" for a profile's own database, which also gets kind=profile).
 * 0 or -errno with why. */
struct sqlite3;
int prof_sqlite_add(struct sqlite3 *db, const struct prof *p, const struct tstates *ts, const char *title,
		    const char *prefix, char *why, size_t len);

/* 1 when the database at path is a profile (has prof_samples), 2 when it
 * is a trace with a profile (also syscalls: scry --profile), 0 when it
 * has none, -errno when it cannot be opened. */
int prof_sqlite_is_profile(const char *path);

/* Reads a profile database back: *out (prof_free), ts (tstates_release),
 * title (a copy in buf).  0 or -errno with why. */
int prof_read_sqlite(const char *path, struct prof **out, struct tstates *ts, char *title, size_t tlen,
		     char *why, size_t len);

#endif
