/*
 * JSON Lines: one JSON object per line, written as it happens, so that
 * `scry --format jsonl -p PID | jq` is live.  Schema: docs/FORMATS.md.
 *
 * Built on the recipe of docs/ARCHITECTURE.md ("Add an output format"):
 * this file and one row in formats.c.  The lines are the members that the
 * JSON document writes (json_add_*_fields, json.c), each with a "type".
 * Every write ends at a whole line, so a failed write of a regular file
 * is cut back to the last whole line (struct obuf).
 */
#include "output/encode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (64 * 1024)

struct jsonl_out {
	struct output base;      /* first: the struct output it is */
	struct obuf w;
};

static int jsonl_event(struct output *o, const struct scry_event *ev)
{
	struct jsonl_out *j = (struct jsonl_out *)o;
	struct strbuf *b = &j->w.b;
	if (ev->type == SCRY_EV_CALL_ENTER)
		return 0;
	if (ev->type == SCRY_EV_CALL_EXIT) {
		if (!output_wants_calls(o))
			return 0;
		strbuf_addstr(b, "{\"type\":\"syscall\",");
		json_add_call_fields(b, o, ev);
	} else {
		size_t mark = b->len;
		strbuf_addch(b, '{');
		if (!json_add_event_fields(b, o, ev)) {
			strbuf_setlen(b, mark);
			return 0;
		}
	}
	strbuf_addstr(b, "}\n");
	return b->len >= FLUSH_AT ? obuf_flush(&j->w) : j->w.err;
}

/* Before the loop waits: every line out at once (live). */
static int jsonl_flush(struct output *o)
{
	struct jsonl_out *j = (struct jsonl_out *)o;
	return obuf_flush(&j->w);
}

static int jsonl_finish(struct output *o, const struct scry_stats *summary,
			const struct scry_summary_opts *sopts, uint64_t lost)
{
	struct jsonl_out *j = (struct jsonl_out *)o;
	struct strbuf *b = &j->w.b;
	int err = obuf_flush(&j->w);
	if (err)
		return err;
	if (summary) {
		struct strbuf s = STRBUF_INIT;
		summary_json(&s, summary, sopts);
		if (s.len > 2 && s.buf[0] == '{') {
			strbuf_addstr(b, "{\"type\":\"summary\",");
			strbuf_add(b, s.buf + 1, s.len - 1);
			strbuf_addch(b, '\n');
		}
		strbuf_release(&s);
	}
	strbuf_addf(b, "{\"type\":\"end\",\"lost_events\":%" PRIu64, lost);
	json_add_sample_totals(b, o);
	strbuf_addstr(b, "}\n");
	return obuf_flush(&j->w);
}

static void jsonl_free(struct output *o)
{
	struct jsonl_out *j = (struct jsonl_out *)o;
	obuf_release(&j->w);
	free(j);
}

static const struct output_ops jsonl_ops = { jsonl_event, jsonl_flush, jsonl_finish, jsonl_free };

/* The constructor named in the format's row (formats.c). */
int jsonl_format_open(struct scry_sink *sink, const struct output_format *fmt, const struct output_opts *opts,
		      char *err, size_t errlen)
{
	if (opts->fd < 0) {
		snprintf(err, errlen, "the %s format needs a file descriptor", fmt->name);
		return -EINVAL;
	}
	struct jsonl_out *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	output_base_init(&j->base, fmt, &jsonl_ops, opts);
	obuf_init(&j->w, opts->fd);
	strbuf_addstr(&j->w.b, "{\"type\":\"header\",");
	json_add_header_fields(&j->w.b, &j->base);
	strbuf_addstr(&j->w.b, "}\n");
	int r = obuf_flush(&j->w);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		jsonl_free(&j->base);
		return r;
	}
	output_as_sink(&j->base, sink);
	return 0;
}
