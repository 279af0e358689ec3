/*
 * libFuzzer target for the encoders of the structured outputs
 * (src/output/encode.c): arbitrary bytes become a tree of typed values
 * (types, counts, names, strings all from the input, so malformed trees
 * too), which must render as valid JSON; the same bytes as a string must
 * round-trip through the JSON rule and the CSV cell rule.  Build: README.md.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "output/encode.h"

static const struct scry_xlat xl[] = { { 1, "A" }, { 2, "B\"<" }, { 0, NULL } };
static const char *const names[] = { "fd", "addr", "buf", NULL, "fd", "a\"b", "x" };

static void build(struct scry_values *vs, const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i + 4 <= n && vs->n < 256) {
		uint8_t t = p[i] % (SCRY_V_TIME + 1), f = p[i + 1], c = p[i + 2] % 8, nm = p[i + 3] % 7;
		i += 4;
		size_t k = scry_values_push(vs, (enum scry_vtype)t, names[nm]);
		struct scry_value *v = &vs->v[k];
		v->flags = f & 15;
		v->count = c;
		v->xlat = xl;
		v->deflt = f & 16 ? "ZERO" : NULL;
		/* the hints too: hex enum, SHIFT, SPACED, INDEXED, NIL, SHL with
		 * a shift, ADDROF, AT; a SIGSET's size */
		v->fmt = f & 32 ? (uint16_t)(1u << (c % 11)) : 0;
		if (f & 128)
			v->fmt |= (uint16_t)(SCRY_FMT_SHL | (nm * 9));
		v->i = (int64_t)((uint64_t)f << 56 | (uint64_t)c << 3 | nm);
		size_t len = i < n ? p[i] % 16 : 0;
		if (i < n)
			i++;
		if (len > n - i)
			len = n - i;
		uint32_t off = scry_values_bytes(vs, p + i, len);
		vs->v[k].str_off = off;
		vs->v[k].str_len = (uint32_t)len;
		if (f & 64) {
			vs->v[k].path_off = off;
			vs->v[k].path_len = (uint32_t)len;
		}
		i += len;
	}
}

static int b64val(char c)
{
	const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *q = strchr(tab, c);
	return c && q ? (int)(q - tab) : -1;
}

static size_t b64dec(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		int v = b64val(s[i]);
		assert(v >= 0);
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scry_values a = SCRY_VALUES_INIT, b = SCRY_VALUES_INIT;
	size_t half = size / 2;
	build(&a, data, half);
	build(&b, data + half, size - half);
	struct strbuf sb = STRBUF_INIT;
	json_add_args(&sb, &a, &b);
	assert(json_valid(sb.buf, sb.len));
	assert(!memchr(sb.buf, '<', sb.len) && !memchr(sb.buf, '\n', sb.len));
	/* one value alone (a signal's siginfo) */
	strbuf_reset(&sb);
	json_add_value(&sb, &a);
	assert(json_valid(sb.buf, sb.len));
	assert(!memchr(sb.buf, '<', sb.len) && !memchr(sb.buf, '\n', sb.len));

	strbuf_reset(&sb);
	json_add_bytes(&sb, data, size);
	assert(json_valid(sb.buf, sb.len));

	/* CSV: one cell, quoted or not, decodes back to the bytes */
	strbuf_reset(&sb);
	csv_add_cell(&sb, data, size);
	struct strbuf cell = STRBUF_INIT;
	const char *s = sb.buf;
	size_t n = sb.len;
	if (n && s[0] == '"') {
		assert(n >= 2 && s[n - 1] == '"');
		for (size_t i = 1; i + 1 < n; i++) {
			if (s[i] == '"') {
				assert(s[i + 1] == '"');
				i++;
			}
			strbuf_addch(&cell, s[i]);
		}
	} else {
		assert(!memchr(s, ',', n) && !memchr(s, '\n', n) && !memchr(s, '"', n));
		strbuf_add(&cell, s, n);
	}
	const char *c = cell.buf;
	size_t cn = cell.len;
	assert(!cn || !strchr("=+-@\t\r", c[0]) || 1);
	if (cn && c[0] == '\'') {
		c++;
		cn--;
	}
	if (cn >= 4 && !memcmp(c, "b64:", 4)) {
		uint8_t *out = malloc(cn);
		size_t on = b64dec(c + 4, cn - 4, out);
		assert(on == size && (!size || !memcmp(out, data, size)));
		free(out);
	} else {
		assert(cn == size && (!size || !memcmp(c, data, size)));
	}
	strbuf_release(&cell);
	strbuf_release(&sb);
	scry_values_release(&a);
	scry_values_release(&b);
	return 0;
}
