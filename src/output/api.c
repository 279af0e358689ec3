/*
 * The formats' public entry points (scry/output.h): struct scry_format is
 * a row of the table of formats (formats.c), struct output_format.  Used
 * when a sink is made, never per event.
 */
#include "output/formats.h"

#include <errno.h>

static const struct output_format *row(const struct scry_format *f)
{
	return (const struct output_format *)f;
}

const struct scry_format *scry_format_find(const char *name)
{
	return (const struct scry_format *)output_format_find(name);
}

const struct scry_format *scry_format_from_path(const char *path)
{
	return (const struct scry_format *)output_format_from_path(path);
}

const char *scry_format_name(const struct scry_format *f)
{
	return f ? row(f)->name : NULL;
}

unsigned scry_format_flags(const struct scry_format *f)
{
	return f ? row(f)->flags : 0;
}

void scry_format_names(char *buf, size_t len)
{
	output_format_names(buf, len);
}

int scry_format_open(const struct scry_format *f, struct scry_sink *sink,
		     const struct scry_output_opts *opts, char *err, size_t errlen)
{
	if (!f || !sink || !opts) {
		if (err && errlen)
			err[0] = '\0';
		return -EINVAL;
	}
	return output_format_open(row(f), sink, opts, err, errlen);
}
