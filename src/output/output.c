/*
 * The base of every structured output (struct output, encode.h): errors
 * reported once, the sink interface, finishing and replay (formats.h).
 */
#include "output/encode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64_t now_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sets by the formats' constructors; keeps the first error. */
static int report_once(struct output *o)
{
	if (o->err && !o->err_returned) {
		o->err_returned = 1;
		return o->err;
	}
	return 0;
}

static int sink_event(void *ctx, const struct scry_event *ev)
{
	struct output *o = ctx;
	if (o->err || o->finished)
		return report_once(o);
	int r = o->ops->event(o, ev);
	if (r < 0 && !o->err)
		o->err = r;
	return report_once(o);
}

static int sink_flush(void *ctx)
{
	struct output *o = ctx;
	if (o->err || o->finished || !o->ops->flush)
		return report_once(o);
	int r = o->ops->flush(o);
	if (r < 0 && !o->err)
		o->err = r;
	return report_once(o);
}

static int sink_finish(void *ctx, const struct scry_sink_end *end)
{
	struct output *o = ctx;
	o->end = end;
	int r = output_finish(ctx, end->summary, end->summary_opts, end->lost_events);
	o->end = NULL;
	return r;
}

static void sink_free(void *ctx)
{
	output_free(ctx);
}

void output_as_sink(struct output *o, struct scry_sink *sink)
{
	sink->event = sink_event;
	sink->flush = sink_flush;
	sink->ctx = o;
	sink->finish = sink_finish;
	sink->free = sink_free;
}

struct output *output_of_sink(const struct scry_sink *sink)
{
	return sink->event == sink_event ? sink->ctx : NULL;
}

int output_open(struct output **out, const struct output_format *fmt, const struct output_opts *opts,
		char *err, size_t errlen)
{
	*out = NULL;
	if (fmt->flags & OUTPUT_FMT_TEXT) {
		snprintf(err, errlen, "the %s format is not a structured output", fmt->name);
		return -EINVAL;
	}
	struct scry_sink sink;
	int r = output_format_open(fmt, &sink, opts, err, errlen);
	if (r < 0)
		return r;
	*out = output_of_sink(&sink);
	return 0;
}

int output_replay_call(struct output *o, const struct scry_event *ev,
		       const char *args_text, size_t text_len,
		       const char *args_json, size_t json_len)
{
	o->rp_text = args_text ? args_text : "";
	o->rp_text_len = args_text ? text_len : 0;
	o->rp_json = args_json;
	o->rp_json_len = args_json ? json_len : 0;
	int r = sink_event(o, ev);
	o->rp_text = o->rp_json = NULL;
	return r;
}

int output_finish(struct output *o, const struct scry_stats *summary,
		  const struct scry_summary_opts *sopts, uint64_t lost_events)
{
	if (!o)
		return 0;
	if (o->finished)
		return o->err;
	o->finished = 1;
	int r = o->ops->finish(o, o->o.summary ? summary : NULL, sopts, lost_events);
	if (r < 0 && !o->err)
		o->err = r;
	return o->err;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	output_finish(o, NULL, NULL, 0);
	o->ops->free(o);
}

void output_base_init(struct output *o, const struct output_format *fmt, const struct output_ops *ops,
		      const struct output_opts *opts)
{
	o->fmt = fmt;
	o->ops = ops;
	o->o = *opts;
	o->start_ns = opts->start_ns ? opts->start_ns : now_real_ns();
}
