#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = strbuf_slopbuf;
	sb->failed = 0;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

int strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return 0;
	size_t n = sb->alloc ? sb->alloc : 64;
	while (n < need)
		n *= 2;
	char *p = realloc(sb->alloc ? sb->buf : NULL, n);
	if (!p) {
		sb->failed = 1;
		return -1;
	}
	if (!sb->alloc)
		p[0] = '\0';
	sb->buf = p;
	sb->alloc = n;
	return 0;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc)
		return;
	sb->len = len;
	sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (strbuf_grow(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	if (strbuf_grow(sb, 1))
		return;
	sb->buf[sb->len] = (char)c;
	strbuf_setlen(sb, sb->len + 1);
}

/* v's decimal digits, written backwards ending at end; returns the first */
static char *digits_u64(char *end, unsigned long long v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void strbuf_add_u64_pad(struct strbuf *sb, unsigned long long v, int width, char pad)
{
	char buf[24];
	char *p = digits_u64(buf + sizeof(buf), v);
	size_t n = (size_t)(buf + sizeof(buf) - p);
	if (width > 0 && (size_t)width > n) {
		if (strbuf_grow(sb, (size_t)width - n))
			return;
		memset(sb->buf + sb->len, pad, (size_t)width - n);
		strbuf_setlen(sb, sb->len + (size_t)width - n);
	}
	strbuf_add(sb, p, n);
}

void strbuf_add_u64(struct strbuf *sb, unsigned long long v)
{
	strbuf_add_u64_pad(sb, v, 0, ' ');
}

void strbuf_add_i64(struct strbuf *sb, long long v)
{
	char buf[24];
	/* (the negation in unsigned: LLONG_MIN has no positive twin) */
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
	char *p = digits_u64(buf + sizeof(buf), u);
	if (v < 0)
		*--p = '-';
	strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void strbuf_add_hex(struct strbuf *sb, unsigned long long v)
{
	char buf[24];
	char *p = buf + sizeof(buf);
	if (!v) {
		strbuf_addch(sb, '0');
		return;
	}
	while (v) {
		*--p = "0123456789abcdef"[v & 15];
		v >>= 4;
	}
	*--p = 'x';
	*--p = '0';
	strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void strbuf_addspaces(struct strbuf *sb, size_t n)
{
	if (strbuf_grow(sb, n))
		return;
	memset(sb->buf + sb->len, ' ', n);
	strbuf_setlen(sb, sb->len + n);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	if (strbuf_grow(sb, 64))
		return;
	va_copy(cp, ap);
	int n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->alloc - sb->len) {
		if (strbuf_grow(sb, (size_t)n))
			return;
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	strbuf_setlen(sb, sb->len + (size_t)n);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}
