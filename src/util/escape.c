/*
 * Escaping of hostile bytes (util/escape.h): UTF-8 validity, base64, JSON
 * strings, the JSON validator, CSV cells.
 */
#include "util/escape.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- UTF-8, base64 ---- */

int utf8_valid(const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

void base64_add(struct strbuf *sb, const void *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	strbuf_grow(sb, (n + 2) / 3 * 4);
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63] };
		strbuf_add(sb, q, 4);
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=', '=' };
		strbuf_add(sb, q, 4);
	}
}

/* ---- JSON ---- */

static void json_escape(struct strbuf *sb, const unsigned char *p, size_t n)
{
	strbuf_addch(sb, '"');
	size_t run = 0;   /* bytes copied as they are, added in one go */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char u[8];
		if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == 0x7f) {
			switch (c) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\n': esc = "\\n"; break;
			case '\t': esc = "\\t"; break;
			case '\r': esc = "\\r"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			default:
				snprintf(u, sizeof(u), "\\u%04x", c);
				esc = u;
			}
		} else if (c == 0xe2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			/* U+2028, U+2029: line breaks to JavaScript */
			snprintf(u, sizeof(u), "\\u%04x", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			strbuf_add(sb, p + i - run, run);
			run = 0;
			strbuf_addstr(sb, u);
			i += 2;
			continue;
		}
		if (!esc) {
			run++;
			continue;
		}
		strbuf_add(sb, p + i - run, run);
		run = 0;
		strbuf_addstr(sb, esc);
	}
	strbuf_add(sb, p + n - run, run);
	strbuf_addch(sb, '"');
}

void json_add_bytes(struct strbuf *sb, const void *p, size_t n)
{
	if (utf8_valid(p, n)) {
		json_escape(sb, p, n);
		return;
	}
	strbuf_addstr(sb, "{\"base64\":\"");
	base64_add(sb, p, n);
	strbuf_addstr(sb, "\"}");
}

void json_add_str(struct strbuf *sb, const char *s)
{
	if (!s)
		strbuf_addstr(sb, "null");
	else
		json_add_bytes(sb, s, strlen(s));
}

void json_add_key(struct strbuf *sb, const char *s)
{
	json_escape(sb, (const unsigned char *)s, strlen(s));
}

/* A small recursive-descent validator: for replayed args_json, tests and
 * the fuzz targets. */
struct jv {
	const char *p, *end;
	int depth;
};

static void jv_ws(struct jv *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jv_lit(struct jv *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return 0;
	j->p += n;
	return 1;
}

static int jv_string(struct jv *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	const char *start = ++j->p;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			int ok = utf8_valid(start, (size_t)(j->p - start));
			j->p++;
			return ok;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
			char e = *j->p;
			if (e == 'u') {
				for (int k = 1; k <= 4; k++) {
					char h = j->p + k < j->end ? j->p[k] : 0;
					if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
						return 0;
				}
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", e) || !e) {
				return 0;
			}
		}
		j->p++;
	}
	return 0;
}

/* Skips a run of digits; how many. */
static size_t jv_digits(struct jv *j)
{
	const char *d = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return (size_t)(j->p - d);
}

static int jv_number(struct jv *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return 0;
	if (*j->p == '0')
		j->p++;
	else if (*j->p < '1' || *j->p > '9' || !jv_digits(j))
		return 0;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!jv_digits(j))
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!jv_digits(j))
			return 0;
	}
	return j->p > s;
}

static int jv_value(struct jv *j)
{
	jv_ws(j);
	if (j->p >= j->end)
		return 0;
	char c = *j->p;
	if (c == '{' || c == '[') {
		if (++j->depth > 256)
			return 0;
		char close = c == '{' ? '}' : ']';
		j->p++;
		jv_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 1;
		}
		for (;;) {
			if (c == '{') {
				jv_ws(j);
				if (!jv_string(j))
					return 0;
				jv_ws(j);
				if (j->p >= j->end || *j->p != ':')
					return 0;
				j->p++;
			}
			if (!jv_value(j))
				return 0;
			jv_ws(j);
			if (j->p >= j->end)
				return 0;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p != close)
				return 0;
			j->p++;
			j->depth--;
			return 1;
		}
	}
	if (c == '"')
		return jv_string(j);
	if (c == 't')
		return jv_lit(j, "true");
	if (c == 'f')
		return jv_lit(j, "false");
	if (c == 'n')
		return jv_lit(j, "null");
	return jv_number(j);
}

int json_valid(const char *p, size_t n)
{
	struct jv j = { p, p + n, 0 };
	if (!jv_value(&j))
		return 0;
	jv_ws(&j);
	return j.p == j.end;
}

/* ---- CSV ---- */

void csv_add_cell(struct strbuf *sb, const void *data, size_t n)
{
	const unsigned char *p = data;
	struct strbuf tmp = STRBUF_INIT;
	if (!utf8_valid(p, n) || (n >= 4 && !memcmp(p, "b64:", 4))) {
		strbuf_addstr(&tmp, "b64:");
		base64_add(&tmp, p, n);
		p = (const unsigned char *)tmp.buf;
		n = tmp.len;
	}
	int formula = n && strchr("=+-@\t\r'", p[0]) && p[0];
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
	if (quote)
		strbuf_addch(sb, '"');
	if (formula)
		strbuf_addch(sb, '\'');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"') {
			strbuf_add(sb, p + i - run, run + 1);
			strbuf_addch(sb, '"');
			run = 0;
		} else {
			run++;
		}
	}
	strbuf_add(sb, p + n - run, run);
	if (quote)
		strbuf_addch(sb, '"');
	strbuf_release(&tmp);
}
