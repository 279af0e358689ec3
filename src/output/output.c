/*
 * The base of every structured output (struct output, encode.h): errors
 * reported once, the sink interface, finishing and replay (formats.h).
 */
#include "output/encode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "filter/filter.h"

static uint64_t now_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int output_open(struct output **out, enum output_format fmt, const struct output_opts *opts,
		char *err, size_t errlen)
{
	int r;
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	switch (fmt) {
	case FMT_JSON:
	case FMT_JSONL:
		r = json_output_new(out, fmt, opts, err, errlen);
		break;
	case FMT_CSV:
		r = csv_output_new(out, opts, err, errlen);
		break;
	case FMT_CHROME:
		r = chrome_output_new(out, opts, err, errlen);
		break;
	case FMT_SQLITE:
		r = sqlite_output_new(out, opts, err, errlen);
		break;
	default:
		snprintf(err, errlen, "the text format is not a structured output");
		return -EINVAL;
	}
	if (r < 0) {
		if (errlen && !err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		*out = NULL;
	}
	return r;
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

static int wanted(const struct output *o, const struct scry_event *ev)
{
	const struct scry_filter *f = o->o.filter;
	if (!f)
		return 1;
	switch (ev->type) {
	case SCRY_EV_CALL_ENTER:
		return scry_filter_traced(f, ev->u.call.nr);
	case SCRY_EV_CALL_EXIT:
		return scry_filter_traced(f, ev->u.call.nr) &&
		       scry_filter_status_ok(f, ev->u.call.is_error, ev->u.call.t_exit_ns == 0);
	case SCRY_EV_SIGNAL:
		return scry_filter_signal_ok(f, ev->u.signal.signo);
	default:
		return 1;
	}
}

static int sink_event(void *ctx, const struct scry_event *ev)
{
	struct output *o = ctx;
	if (o->err || o->finished)
		return report_once(o);
	if (!wanted(o, ev))
		return 0;
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

void output_as_sink(struct output *o, struct scry_sink *sink)
{
	sink->event = sink_event;
	sink->flush = sink_flush;
	sink->ctx = o;
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

void output_base_init(struct output *o, enum output_format fmt, const struct output_ops *ops,
		      const struct output_opts *opts)
{
	o->fmt = fmt;
	o->ops = ops;
	o->o = *opts;
	o->start_ns = opts->start_ns ? opts->start_ns : now_real_ns();
}
