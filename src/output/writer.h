/*
 * The buffered writer of the structured outputs, which never leaves half a
 * row, and a set of ids (pids, tids) seen.
 */
#ifndef SCRY_OUTPUT_WRITER_H
#define SCRY_OUTPUT_WRITER_H

#include <stddef.h>

#include "util/strbuf.h"

/* ---- a set of ids (pids, tids) seen: open addressing ---- */

struct idset {
	int *v;
	size_t size, n;
};
/* 1 if id was new (and is now in), 0 if it was there or is <= 0,
 * -ENOMEM when it could not be kept (the set is as it was). */
int idset_add(struct idset *s, int id);
void idset_release(struct idset *s);

/* ---- a buffered writer ---- */

struct obuf {
	int fd;
	int seekable;            /* a regular file: truncate back on a failed write */
	int err;                 /* first write error (negative errno) or 0 */
	struct strbuf b;
};

void obuf_init(struct obuf *w, int fd);
/*
 * Writes b out.  b must end at a whole row (or element): if the write
 * fails part-way on a regular file, the file is cut back to where this
 * write began, so that it ends with whole rows.  Returns w->err.
 */
int obuf_flush(struct obuf *w);
/* The same even after an error: one last try, for the end of a document. */
int obuf_flush_final(struct obuf *w);
void obuf_release(struct obuf *w);

#endif
