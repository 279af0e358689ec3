/*
 * Escaping of hostile bytes into JSON and CSV values: every output that
 * writes JSON or CSV (the structured formats, the summaries) escapes
 * through here, so that there is one rule for each.
 *
 * The rules (docs/FORMATS.md, "Hostile bytes") are:
 *  - JSON: bytes that are valid UTF-8 become a JSON string, with ", \,
 *    control characters, DEL, <, >, &, U+2028 and U+2029 escaped as \uXXXX
 *    (or \n \t \r \b \f \" \\), so the string decodes to exactly those bytes
 *    and is safe inside HTML <script>.  Bytes that are not valid UTF-8 become
 *    {"base64":"..."} (RFC 4648, padded): the object decodes to the bytes.
 *  - CSV: a text cell whose bytes are not valid UTF-8, or that begins with
 *    "b64:", is written as "b64:" and the base64 of its bytes; a text cell
 *    that begins with = + - @ TAB CR or ' gets one more ' in front (read
 *    back: drop one leading '); then RFC 4180 quoting.  Numeric columns are
 *    never altered.
 */
#ifndef SCRY_CORE_ESCAPE_H
#define SCRY_CORE_ESCAPE_H

#include <stddef.h>

#include "util/strbuf.h"

/* Whether p[0..n) is well-formed UTF-8 (no overlongs, surrogates, > U+10FFFF). */
int utf8_valid(const void *p, size_t n);
void base64_add(struct strbuf *sb, const void *p, size_t n);
/* A JSON value for the bytes: a string, or {"base64":...} (rule above). */
void json_add_bytes(struct strbuf *sb, const void *p, size_t n);
void json_add_str(struct strbuf *sb, const char *s);   /* NULL: null */
/* A JSON string of bytes that are valid UTF-8 (names, keys); escaped as above. */
void json_add_key(struct strbuf *sb, const char *s);
/* Whether p[0..n) is one well-formed JSON value (RFC 8259, depth <= 256). */
int json_valid(const char *p, size_t n);

/* One CSV text cell (rule above), without the separator. */
void csv_add_cell(struct strbuf *sb, const void *p, size_t n);

#endif
