/*
 * strbuf: one owned, growable byte string, used everywhere (after git's).
 *
 * Invariants: buf is never NULL (it points at a static "" until the first
 * growth), buf[len] == '\0', len < alloc unless alloc == 0.  Memory is owned
 * by the strbuf; strbuf_release() frees it and leaves an empty strbuf.
 * Allocation failure never aborts (the library never does): the strbuf keeps
 * what it had, drops what did not fit, and sets failed, which stays set
 * until strbuf_release(); its owner checks it where it hands the text on
 * (a sink returns -ENOMEM), so that every add needs no check of its own.
 */
#ifndef SCRY_STRBUF_H
#define SCRY_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
	int failed;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf, 0 }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Room for extra more bytes: 0, or -1 (failed set) when there is none. */
int strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_addch(struct strbuf *sb, int c);
/*
 * Numbers without printf (the text sink's hot path: vfprintf cost a
 * traced storm ~15 % of the tracer's time).  The same bytes as
 * "%" PRIu64 / "%" PRId64 / "%#" PRIx64 ("0" for 0, as printf has it);
 * strbuf_add_u64_pad: at least width digits, padded with pad ('0' or ' ')
 * on the left ("%06llu", "%5d" of a non-negative number).
 */
void strbuf_add_u64(struct strbuf *sb, unsigned long long v);
void strbuf_add_i64(struct strbuf *sb, long long v);
void strbuf_add_hex(struct strbuf *sb, unsigned long long v);
void strbuf_add_u64_pad(struct strbuf *sb, unsigned long long v, int width, char pad);
void strbuf_addspaces(struct strbuf *sb, size_t n);
void strbuf_setlen(struct strbuf *sb, size_t len);
static inline void strbuf_reset(struct strbuf *sb) { strbuf_setlen(sb, 0); }

#endif
