/*
 * The table of output formats (formats.h): one row per format, naming it,
 * its aliases and its file extensions, and the function that makes its
 * sink.  A new format is its own file and one row here
 * (docs/ARCHITECTURE.md, "Add an output format").
 */
#include "output/formats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The formats' constructors (each in its own file). */
int text_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);
int json_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);
int jsonl_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);
int csv_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);
int chrome_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);
int sqlite_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);
int html_format_open(struct scry_sink *, const struct output_format *, const struct output_opts *, char *, size_t);

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The first row is the default.  Extensions are matched in row order. */
static const struct output_format formats[] = {
	{ "text", LIST("strace"), NULL, OUTPUT_FMT_TEXT, text_format_open },
	{ "json", NULL, LIST(".json"), 0, json_format_open },
	{ "jsonl", LIST("json-lines", "ndjson"), LIST(".jsonl", ".ndjson"), 0, jsonl_format_open },
	{ "csv", NULL, LIST(".csv"), OUTPUT_FMT_SUMMARY_TABLE, csv_format_open },
	{ "chrome", LIST("perfetto"), NULL, 0, chrome_format_open },
	{ "sqlite", LIST("db"), LIST(".db", ".sqlite", ".sqlite3"), OUTPUT_FMT_OWN_FILE, sqlite_format_open },
	{ "html", NULL, LIST(".html", ".htm"), OUTPUT_FMT_OWN_FILE, html_format_open },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

const struct output_format *output_format_find(const char *name)
{
	for (size_t i = 0; name && i < NFORMATS; i++) {
		if (!strcasecmp(name, formats[i].name))
			return &formats[i];
		for (const char *const *a = formats[i].aliases; a && *a; a++)
			if (!strcasecmp(name, *a))
				return &formats[i];
	}
	return NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && !strcasecmp(s + a - b, suffix);
}

const struct output_format *output_format_from_path(const char *path)
{
	for (size_t i = 0; path && i < NFORMATS; i++)
		for (const char *const *e = formats[i].extensions; e && *e; e++)
			if (ends_with(path, *e))
				return &formats[i];
	return &formats[0];
}

void output_format_names(char *buf, size_t len)
{
	size_t n = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < NFORMATS && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", formats[i].name,
				      i + 2 < NFORMATS ? ", " : i + 2 == NFORMATS ? " or " : "");
}

int output_format_open(const struct output_format *fmt, struct scry_sink *sink,
		       const struct output_opts *opts, char *err, size_t errlen)
{
	memset(sink, 0, sizeof(*sink));
	if (errlen)
		err[0] = '\0';
	int r = fmt->open(sink, fmt, opts, err, errlen);
	if (r < 0) {
		if (errlen && !err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		memset(sink, 0, sizeof(*sink));
	}
	return r;
}
