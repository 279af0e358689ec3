/*
 * Reading back a trace database that the sqlite format wrote: its
 * metadata table, for everything that reads one (scry report and the HTML
 * page).  The functions are in sqlite.c, beside the code that writes it.
 */
#ifndef SCRY_OUTPUT_TRACEDB_H
#define SCRY_OUTPUT_TRACEDB_H

#include <stdint.h>

/* The reader as the library's users see it: scry/tracedb.h (tracedb_reader.c) */
#include "scry/tracedb.h"

struct sqlite3;

/*
 * The value of key in db's metadata table, malloc'ed into *value (the
 * caller frees it), or NULL when the key is absent or NULL.  Returns
 * SQLITE_OK, or the SQLite error code of the query (sqlite3_errmsg(db)
 * says more; SQLITE_NOMEM when the copy could not be made), *value NULL.
 */
int tracedb_meta(struct sqlite3 *db, const char *key, char **value);

/* The same read as a decimal number into *value (0 when absent). */
int tracedb_meta_u64(struct sqlite3 *db, const char *key, uint64_t *value);

/* ---- the CPU samples of a trace recorded with --profile ----
 * (src/output/tracedb_samples.c)  Read back in time order as the
 * SCRY_EV_SAMPLE events the trace's sinks got, with their stacks from the
 * profile's tables, so that scry report's conversions (JSON Lines, JSON,
 * Chrome, SQLite) carry them where they were among the calls. */

struct scry_sink;
struct tracedb_samples;

/* The samples of db: 0 and *out (NULL when the trace has none), or the
 * SQLite error code of the query. */
int tracedb_samples_open(struct sqlite3 *db, struct tracedb_samples **out);
/* Hands every sample not handed yet whose time is at most ts_ns to sink
 * (UINT64_MAX: all that are left).  0, the sink's first error, or -EIO
 * (the database; sqlite3_errmsg(db) says more), -ENOMEM. */
int tracedb_samples_until(struct tracedb_samples *it, uint64_t ts_ns, const struct scry_sink *sink);
/* Samples handed over so far. */
uint64_t tracedb_samples_count(const struct tracedb_samples *it);
/* The end's sample fields as the recording's had them (the rate, the
 * samples handed over, the samples the kernel lost); none when it is NULL. */
struct scry_sink_end;
void tracedb_samples_end(const struct tracedb_samples *it, struct sqlite3 *db, struct scry_sink_end *end);
void tracedb_samples_close(struct tracedb_samples *it);

#endif
