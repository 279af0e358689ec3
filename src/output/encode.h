/*
 * What the structured outputs share (internal to src/output): the escaping
 * of hostile bytes into JSON, CSV and SQL values, the rendering of typed
 * values as JSON, a buffered writer that never leaves half a row, and the
 * base of every struct output.
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
#ifndef SCRY_OUTPUT_ENCODE_H
#define SCRY_OUTPUT_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/strbuf.h"
#include "output/formats.h"
#include "scry/scry.h"

/* ---- escaping ---- */

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

/*
 * A call's arguments as one JSON object keyed by argument name (a
 * sockaddr argument always as "addr"; an fd with a known path adds
 * "NAME_path"; a cut string or array adds "NAME_truncated": true).
 * Either list may be NULL.
 */
void json_add_args(struct strbuf *sb, const struct scry_values *entry,
		   const struct scry_values *exit);
/* ["O_RDWR","O_CLOEXEC"]: the names of a FLAGS value's bits that have one
 * (a flags value is {"value":N,"names":[...]} in JSON). */
void json_add_flag_names(struct strbuf *sb, const struct scry_value *v);
/* The strace text of the arguments, as the text output writes them. */
void call_args_text(struct strbuf *sb, const struct scry_call *c);
/* The strace text of the result ("3", "-1 ENOENT (...)"; "?" unfinished). */
void call_ret_text(struct strbuf *sb, const struct scry_call *c);
/* "openat", or "syscall_0x1b6" for an unknown number; buf holds 32 bytes. */
const char *call_name(const struct scry_call *c, char *buf);

/* ---- a set of ids (pids, tids) seen: open addressing ---- */

struct idset {
	int *v;
	size_t size, n;
};
/* 1 if id was new (and is now in), 0 if it was there or is <= 0. */
int idset_add(struct idset *s, int id);
void idset_release(struct idset *s);

/* ---- a buffered writer ---- */

struct obuf {
	int fd;
	int seekable;            /* a regular file: truncate back on a failed write */
	int err;                 /* first write error (negative errno) or 0 */
	struct strbuf b;
};

void obuf_init(struct obuf *w, int fd);
/*
 * Writes b out.  b must end at a whole row (or element): if the write
 * fails part-way on a regular file, the file is cut back to where this
 * write began, so that it ends with whole rows.  Returns w->err.
 */
int obuf_flush(struct obuf *w);
/* The same even after an error: one last try, for the end of a document. */
int obuf_flush_final(struct obuf *w);
void obuf_release(struct obuf *w);

/* ---- the base of every output ---- */

struct output_ops {
	int (*event)(struct output *o, const struct scry_event *ev);
	int (*flush)(struct output *o);          /* may be NULL */
	int (*finish)(struct output *o, const struct scry_stats *summary,
		      const struct scry_summary_opts *sopts, uint64_t lost);
	void (*free)(struct output *o);
};

struct output {
	enum output_format fmt;
	const struct output_ops *ops;
	struct output_opts o;
	uint64_t start_ns;
	int err;                 /* the first error */
	int err_returned;        /* event()/flush() have returned it */
	int finished;
	/* output_replay_call(): the stored text and JSON of the call being fed */
	const char *rp_text, *rp_json;
	size_t rp_text_len, rp_json_len;
};

/* For the formats' constructors: fills the base. */
void output_base_init(struct output *o, enum output_format fmt, const struct output_ops *ops,
		      const struct output_opts *opts);

/* Every format records the calls, also with -c (the seeds' `-c --format
 * json` is queried with jq '.syscalls[]'), except CSV, whose -c file is the
 * summary table alone (one CSV file stays one table). */
static inline int output_wants_calls(const struct output *o)
{
	return o->o.summary != 1 || o->fmt != FMT_CSV;
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
/* "ts","pid","tid","type",...; returns 0 (adding nothing) for calls */
int json_add_event_fields(struct strbuf *b, const struct output *o, const struct scry_event *ev);

/* Things every format shows the same way. */
const char *sig_name(int sig, char *buf);            /* buf: 16 bytes */
/* The current name of a process or thread from /proc (comm), or "". */
void proc_comm(pid_t pid, pid_t tid, char *buf, size_t len);
/* /proc/PID/exe, or "". */
void proc_exe(pid_t pid, char *buf, size_t len);

/* The formats (json.c, csv.c, chrome.c, sqlite.c). */
int json_output_new(struct output **out, enum output_format fmt, const struct output_opts *opts,
		    char *err, size_t errlen);
int csv_output_new(struct output **out, const struct output_opts *opts, char *err, size_t errlen);
int chrome_output_new(struct output **out, const struct output_opts *opts, char *err, size_t errlen);
int sqlite_output_new(struct output **out, const struct output_opts *opts, char *err, size_t errlen);

#endif
