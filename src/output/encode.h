/*
 * What the structured outputs share (internal to src/output), each in a
 * file of its own: the escaping of hostile bytes into JSON and CSV values
 * (util/escape.h, where the rules are), the rendering of typed values as
 * JSON (encode.c), a buffered writer that never leaves half a row
 * (writer.h), /proc readers (procinfo.h), and the base of every struct
 * output (output.c).
 */
#ifndef SCRY_OUTPUT_ENCODE_H
#define SCRY_OUTPUT_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/escape.h"
#include "util/strbuf.h"
#include "output/procinfo.h"
#include "output/writer.h"
#include "output/formats.h"
#include "scry/scry.h"

/*
 * A call's arguments as one JSON object keyed by argument name (a
 * sockaddr argument always as "addr"; an fd with a known path adds
 * "NAME_path"; a cut string or array adds "NAME_truncated": true).
 * Either list may be NULL.
 */
/* The value at the root of vs (its node 0) as JSON; null when empty. */
void json_add_value(struct strbuf *sb, const struct scry_values *vs);
void json_add_args(struct strbuf *sb, const struct scry_values *entry,
		   const struct scry_values *exit);
/* ["O_RDWR","O_CLOEXEC"]: the names of a FLAGS value's bits that have one
 * (a flags value is {"value":N,"names":[...]} in JSON). */
void json_add_flag_names(struct strbuf *sb, const struct scry_value *v);
/* The strace text of the arguments, as the text output writes them. */
void call_args_text(struct strbuf *sb, const struct scry_call *c);
/* The strace text of the result ("3", "-1 ENOENT (...)"; "?" unfinished). */
void call_ret_text(struct strbuf *sb, const struct scry_call *c);
/* What -e inject= did, as strace marks it after the result: " (INJECTED)",
 * " (INJECTED: args)", " (INJECTED: args, retval)", " (DELAYED)";
 * nothing for 0.  injected: enum scry_injected bits. */
void call_injected_text(struct strbuf *sb, unsigned injected);
/* "openat", or "syscall_0x1b6" for an unknown number (scry_call_name(),
 * syscalls/callname.h); buf holds SCRY_CALL_NAME_MAX (32) bytes. */
const char *call_name(const struct scry_call *c, char *buf);

/* ---- the base of every output ---- */

struct output_ops {
	int (*event)(struct output *o, const struct scry_event *ev);
	int (*flush)(struct output *o);          /* may be NULL */
	int (*finish)(struct output *o, const struct scry_stats *summary,
		      const struct scry_summary_opts *sopts, uint64_t lost);
	void (*free)(struct output *o);
};

struct output {
	const struct output_format *fmt;   /* its row in formats.c */
	const struct output_ops *ops;
	struct output_opts o;
	uint64_t start_ns;
	int err;                 /* the first error */
	int err_returned;        /* event()/flush() have returned it */
	int finished;
	/* during finish(): what the sink was told (samples taken, ...) */
	const struct scry_sink_end *end;
	/* output_replay_call(): the stored text and JSON of the call being fed */
	const char *rp_text, *rp_json;
	size_t rp_text_len, rp_json_len;
};

/* For the formats' constructors: fills the base. */
void output_base_init(struct output *o, const struct output_format *fmt, const struct output_ops *ops,
		      const struct output_opts *opts);

/* Every format records the calls, also with -c (the seeds' `-c --format
 * json` is queried with jq '.syscalls[]'), except CSV, whose -c file is the
 * summary table alone (one CSV file stays one table). */
static inline int output_wants_calls(const struct output *o)
{
	return o->o.summary != 1 || !(o->fmt->flags & OUTPUT_FMT_SUMMARY_TABLE);
}

/* args_text / args of a call: from the values, or from a replayed row. */
void output_args_text(const struct output *o, struct strbuf *sb, const struct scry_call *c);
void output_args_json(const struct output *o, struct strbuf *sb, const struct scry_call *c);

/* The summary object of scry_stats_print_json(), without its newline. */
int summary_json(struct strbuf *sb, const struct scry_stats *st, const struct scry_summary_opts *so);

/* JSON members (without braces), shared by json.c and chrome.c:
 * "scry_version","command","pids","start_ns" */
void json_add_header_fields(struct strbuf *b, const struct output *o);
/* "ts","pid","tid","name","nr","args","args_text","return","duration_ns" */
void json_add_call_fields(struct strbuf *b, const struct output *o, const struct scry_event *ev);
/* scry --profile, in a document's end: ,"samples":N,"lost_samples":N,"sample_hz":N */
void json_add_sample_totals(struct strbuf *b, const struct output *o);
/* "ts","pid","tid","type",...; returns 0 (adding nothing) for calls */
int json_add_event_fields(struct strbuf *b, const struct output *o, const struct scry_event *ev);

#endif
