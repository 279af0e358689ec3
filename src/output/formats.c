/*
 * The table of output formats (formats.h).
 */
#include "output/formats.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* ---- formats and the common interface ---- */

static const struct {
	const char *name;
	enum output_format fmt;
} format_names[] = {
	{ "text", FMT_TEXT }, { "strace", FMT_TEXT },
	{ "json", FMT_JSON },
	{ "jsonl", FMT_JSONL }, { "json-lines", FMT_JSONL }, { "ndjson", FMT_JSONL },
	{ "csv", FMT_CSV },
	{ "chrome", FMT_CHROME }, { "perfetto", FMT_CHROME },
	{ "sqlite", FMT_SQLITE }, { "db", FMT_SQLITE },
};

int output_format_parse(const char *name, enum output_format *out)
{
	for (size_t i = 0; name && i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcasecmp(name, format_names[i].name)) {
			*out = format_names[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

const char *output_format_name(enum output_format fmt)
{
	switch (fmt) {
	case FMT_JSON: return "json";
	case FMT_JSONL: return "jsonl";
	case FMT_CSV: return "csv";
	case FMT_CHROME: return "chrome";
	case FMT_SQLITE: return "sqlite";
	default: return "text";
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && !strcasecmp(s + a - b, suffix);
}

enum output_format output_format_from_path(const char *path)
{
	if (!path)
		return FMT_TEXT;
	if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson"))
		return FMT_JSONL;
	if (ends_with(path, ".json"))
		return FMT_JSON;
	if (ends_with(path, ".csv"))
		return FMT_CSV;
	if (ends_with(path, ".db") || ends_with(path, ".sqlite") || ends_with(path, ".sqlite3"))
		return FMT_SQLITE;
	return FMT_TEXT;
}
