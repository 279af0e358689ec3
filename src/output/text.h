/*
 * The text sink: strace's output format, the "text" row of the table of
 * formats (formats.h; its layout is struct text_layout there).
 *
 * Lines of different threads interleave as in strace: a call whose exit is
 * not the next event is closed with "<unfinished ...>" and completed later
 * with "<... NAME resumed>".
 */
#ifndef SCRY_OUTPUT_TEXT_H
#define SCRY_OUTPUT_TEXT_H

#include "output/formats.h"

/* The text row's constructor: writes to opts->fd (or, with
 * opts->text.per_process, a file per thread). */
int text_format_open(struct scry_sink *sink, const struct output_format *fmt,
		     const struct output_opts *opts, char *err, size_t errlen);

#endif
