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

#endif
