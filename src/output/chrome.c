/*
 * The Chrome Trace Event Format (JSON object form), which Perfetto UI and
 * chrome://tracing open: every call an "X" (complete) event on its pid/tid
 * track, process and thread names as "M" events, fork/exec/exit/signals as
 * "i" (instant) events, CPU samples (scry --profile) as "i" events of
 * "cat":"sample" on their thread's track.  Times are µs since the start of the trace (the
 * epoch time of the start is otherData.start_ns): µs since the epoch with
 * ns decimals would need more digits than a double keeps.
 *
 * Calls that never returned are kept until the end and written as X events
 * that last until the last event of the trace, with args.unfinished.
 */
#include "output/encode.h"
#include "output/stackfmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls/syscalls.h"

#define FLUSH_AT (64 * 1024)

struct pending {
	uint64_t ts;
	int pid, tid;
	char *body;              /* "name":...,"cat":...,"args":{...} */
};

struct chrome_out {
	struct output base;
	struct obuf w;
	uint64_t nev;
	uint64_t last_ts;
	struct idset procs, threads;
	struct pending *pend;
	size_t npend, allocpend;
	struct strbuf t;
	int nomem;               /* a call kept open was lost: -ENOMEM */
};

static void add_ts(struct strbuf *b, const struct chrome_out *c, const char *key, uint64_t ns)
{
	int64_t d = (int64_t)(ns - c->base.start_ns);
	uint64_t a = d < 0 ? (uint64_t)-d : (uint64_t)d;
	strbuf_addf(b, ",\"%s\":%s%" PRIu64 ".%03" PRIu64, key, d < 0 ? "-" : "", a / 1000, a % 1000);
}

static void begin(struct chrome_out *c, const char *ph, int pid, int tid)
{
	struct strbuf *b = &c->w.b;
	strbuf_addstr(b, c->nev++ ? ",\n{" : "\n{");
	strbuf_addf(b, "\"ph\":\"%s\",\"pid\":%d,\"tid\":%d", ph, pid, tid);
}

static void meta_name(struct chrome_out *c, const char *what, int pid, int tid, const char *name)
{
	struct strbuf *b = &c->w.b;
	begin(c, "M", pid, tid);
	strbuf_addf(b, ",\"name\":\"%s\",\"args\":{\"name\":", what);
	json_add_str(b, name);
	strbuf_addstr(b, "}}");
}

/* Names of a process and a thread the first time they appear; 0 or
 * -ENOMEM. */
static int see(struct chrome_out *c, const struct scry_event *ev)
{
	char comm[64];
	if (ev->ts_ns > c->last_ts)
		c->last_ts = ev->ts_ns;
	int r = idset_add(&c->procs, ev->pid);
	if (r < 0)
		return r;
	if (r) {
		comm[0] = '\0';
		if (!c->base.o.replay)
			proc_comm(ev->pid, 0, comm, sizeof(comm));
		if (!comm[0])
			snprintf(comm, sizeof(comm), "pid %d", (int)ev->pid);
		meta_name(c, "process_name", ev->pid, ev->pid, comm);
	}
	r = idset_add(&c->threads, ev->tid);
	if (r < 0)
		return r;
	if (r) {
		comm[0] = '\0';
		if (!c->base.o.replay)
			proc_comm(ev->pid, ev->tid, comm, sizeof(comm));
		if (!comm[0])
			snprintf(comm, sizeof(comm), "tid %d", (int)ev->tid);
		meta_name(c, "thread_name", ev->pid, ev->tid, comm);
	}
	return 0;
}

/* "name":...,"cat":"syscall","args":{...} of a call */
static void call_body(struct chrome_out *c, struct strbuf *b, const struct scry_event *ev)
{
	const struct scry_call *call = &ev->u.call;
	char nb[32];
	strbuf_addstr(b, ",\"name\":");
	json_add_str(b, call_name(call, nb));
	strbuf_addstr(b, ",\"cat\":\"syscall\",\"args\":{\"args_text\":");
	strbuf_reset(&c->t);
	output_args_text(&c->base, &c->t, call);
	json_add_bytes(b, c->t.buf, c->t.len);
	/* -k, --source: the call site as the text shows it, and the frames
	 * as strings (the viewers show args as text) */
	if (call->stack) {
		strbuf_reset(&c->t);
		stack_add_source_label(&c->t, call->stack);
		strbuf_addstr(b, ",\"source\":");
		json_add_bytes(b, c->t.buf, c->t.len);
		strbuf_addstr(b, ",\"stack\":[");
		for (unsigned i = 0; call->stack->frames && i < call->stack->nframes; i++) {
			strbuf_reset(&c->t);
			stack_add_frame_text(&c->t, &call->stack->frames[i]);
			if (i)
				strbuf_addch(b, ',');
			json_add_bytes(b, c->t.buf, c->t.len);
		}
		strbuf_addch(b, ']');
	}
	if (!call->t_exit_ns) {
		strbuf_addstr(b, ",\"return\":null,\"unfinished\":true}");
		return;
	}
	strbuf_addf(b, ",\"return\":%" PRId64, call->ret);
	if (call->is_error) {
		int e = call->ret < 0 ? (int)-call->ret : (int)call->ret;
		const char *en = scry_errno_name(e);
		if (en)
			strbuf_addf(b, ",\"errno\":\"%s\"", en);
		else
			strbuf_addf(b, ",\"errno\":%d", e);
	}
	strbuf_addch(b, '}');
}

static void add_call(struct chrome_out *c, const struct scry_event *ev)
{
	const struct scry_call *call = &ev->u.call;
	struct strbuf *b = &c->w.b;
	if (call->t_exit_ns > c->last_ts)
		c->last_ts = call->t_exit_ns;
	if (!call->t_exit_ns) {
		/* the end of the trace is not known yet */
		if (c->npend == c->allocpend) {
			size_t n = c->allocpend ? c->allocpend * 2 : 16;
			struct pending *p = realloc(c->pend, n * sizeof(*p));
			if (!p) {
				c->nomem = 1;
				return;
			}
			c->pend = p;
			c->allocpend = n;
		}
		struct strbuf body = STRBUF_INIT;
		call_body(c, &body, ev);
		struct pending *p = &c->pend[c->npend++];
		p->ts = call->t_enter_ns;
		p->pid = ev->pid;
		p->tid = ev->tid;
		p->body = body.failed ? NULL : strdup(body.buf);
		strbuf_release(&body);
		if (!p->body) {
			c->npend--;
			c->nomem = 1;
		}
		return;
	}
	begin(c, "X", ev->pid, ev->tid);
	add_ts(b, c, "ts", call->t_enter_ns);
	/* the wall-clock span, so that calls line up on the timeline; the
	 * corrected duration is in args.duration_ns */
	uint64_t span = call->t_exit_ns > call->t_enter_ns ? call->t_exit_ns - call->t_enter_ns : 0;
	strbuf_addf(b, ",\"dur\":%" PRIu64 ".%03" PRIu64, span / 1000, span % 1000);
	call_body(c, b, ev);
	strbuf_setlen(b, b->len - 1);
	strbuf_addf(b, ",\"duration_ns\":%" PRIu64 "}}", call->duration_ns);
}

static void add_event(struct chrome_out *c, const struct scry_event *ev)
{
	struct strbuf *b = &c->w.b;
	struct strbuf ev_json = STRBUF_INIT;
	if (!json_add_event_fields(&ev_json, &c->base, ev)) {
		strbuf_release(&ev_json);
		return;
	}
	if (ev->type == SCRY_EV_EXEC) {
		char exe[4096] = "";
		const char *fn = ev->u.exec.filename;
		if (!fn && !c->base.o.replay) {
			proc_exe(ev->pid, exe, sizeof(exe));
			fn = exe;
		}
		if (fn && fn[0]) {
			const char *slash = strrchr(fn, '/');
			meta_name(c, "process_name", ev->pid, ev->pid, slash && slash[1] ? slash + 1 : fn);
		}
	}
	const char *name;
	char sb[16];
	char nbuf[48];
	switch (ev->type) {
	case SCRY_EV_SIGNAL:
		snprintf(nbuf, sizeof(nbuf), "--- %s", sig_name(ev->u.signal.signo, sb));
		name = nbuf;
		break;
	case SCRY_EV_KILLED:
		snprintf(nbuf, sizeof(nbuf), "killed by %s", sig_name(ev->u.exit.signo, sb));
		name = nbuf;
		break;
	case SCRY_EV_EXITED:
		snprintf(nbuf, sizeof(nbuf), "exit %d", ev->u.exit.status);
		name = nbuf;
		break;
	case SCRY_EV_NEW_TASK: name = ev->u.task.is_thread ? "thread" : "fork"; break;
	case SCRY_EV_EXEC: name = "exec"; break;
	case SCRY_EV_DETACHED: name = "detached"; break;
	case SCRY_EV_STOPPED: name = "stopped"; break;
	default: name = "event"; break;
	}
	begin(c, "i", ev->pid, ev->tid);
	add_ts(b, c, "ts", ev->ts_ns);
	strbuf_addstr(b, ",\"s\":\"t\",\"cat\":\"process\",\"name\":");
	json_add_str(b, name);
	strbuf_addstr(b, ",\"args\":{");
	strbuf_add(b, ev_json.buf, ev_json.len);
	strbuf_addstr(b, "}}");
	strbuf_release(&ev_json);
}

/*
 * scry --profile: a CPU sample is an instant event on its thread's track
 * ("cat":"sample"), named after its innermost user function, with its
 * frames as text (leaf first) in args.stack, so that the samples sit
 * between the calls' slices of the same thread.
 */
static void add_sample(struct chrome_out *c, const struct scry_event *ev)
{
	struct strbuf *b = &c->w.b;
	const struct scry_stack *st = ev->u.sample.stack;
	const char *name = NULL;
	for (unsigned i = 0; st && st->frames && i < st->nframes && !name; i++)
		if (!(st->frames[i].flags & SCRY_FRAME_KERNEL))
			name = st->frames[i].function;
	char nbuf[64];
	if (!name && st && st->nframes && st->frames[0].function)
		name = st->frames[0].function;
	if (!name) {
		snprintf(nbuf, sizeof(nbuf), "0x%" PRIx64, ev->ip);
		name = nbuf;
	}
	begin(c, "i", ev->pid, ev->tid);
	add_ts(b, c, "ts", ev->ts_ns);
	strbuf_addstr(b, ",\"s\":\"t\",\"cat\":\"sample\",\"name\":");
	json_add_str(b, name);
	strbuf_addf(b, ",\"args\":{\"cpu\":%u,\"period_ns\":%" PRIu64 ",\"stack\":[", ev->u.sample.cpu,
		    ev->u.sample.period_ns);
	for (unsigned i = 0; st && st->frames && i < st->nframes; i++) {
		strbuf_reset(&c->t);
		stack_add_frame_text(&c->t, &st->frames[i]);
		if (i)
			strbuf_addch(b, ',');
		json_add_bytes(b, c->t.buf, c->t.len);
	}
	strbuf_addstr(b, "]}}");
}

static int chrome_event(struct output *o, const struct scry_event *ev)
{
	struct chrome_out *c = (struct chrome_out *)o;
	if (ev->type == SCRY_EV_CALL_ENTER)
		return 0;
	if (ev->type == SCRY_EV_CALL_EXIT && !output_wants_calls(o))
		return 0;
	if (see(c, ev) < 0)
		return -ENOMEM;
	if (ev->type == SCRY_EV_CALL_EXIT)
		add_call(c, ev);
	else if (ev->type == SCRY_EV_SAMPLE)
		add_sample(c, ev);
	else
		add_event(c, ev);
	if (c->nomem || c->w.b.failed)
		return -ENOMEM;
	if (c->w.b.len >= FLUSH_AT)
		return obuf_flush(&c->w);
	return 0;
}

static int chrome_finish(struct output *o, const struct scry_stats *summary,
			 const struct scry_summary_opts *sopts, uint64_t lost)
{
	struct chrome_out *c = (struct chrome_out *)o;
	struct strbuf *b = &c->w.b;
	int err = obuf_flush(&c->w);
	for (size_t i = 0; i < c->npend; i++) {
		struct pending *p = &c->pend[i];
		if (!err) {
			begin(c, "X", p->pid, p->tid);
			add_ts(b, c, "ts", p->ts);
			uint64_t dur = c->last_ts > p->ts ? c->last_ts - p->ts : 0;
			strbuf_addf(b, ",\"dur\":%" PRIu64 ".%03" PRIu64 "%s}", dur / 1000, dur % 1000, p->body);
		}
		free(p->body);
	}
	c->npend = 0;
	if (!err)
		err = obuf_flush(&c->w);
	strbuf_reset(b);
	strbuf_addstr(b, "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{");
	json_add_header_fields(b, o);
	if (summary) {
		strbuf_addstr(b, ",\"summary\":");
		summary_json(b, summary, sopts);
	}
	strbuf_addf(b, ",\"lost_events\":%" PRIu64, lost);
	json_add_sample_totals(b, o);
	strbuf_addstr(b, "}}\n");
	return obuf_flush_final(&c->w);
}

static void chrome_free(struct output *o)
{
	struct chrome_out *c = (struct chrome_out *)o;
	for (size_t i = 0; i < c->npend; i++)
		free(c->pend[i].body);
	free(c->pend);
	idset_release(&c->procs);
	idset_release(&c->threads);
	strbuf_release(&c->t);
	obuf_release(&c->w);
	free(c);
}

static int chrome_flush(struct output *o)
{
	struct chrome_out *c = (struct chrome_out *)o;
	return c->w.b.len >= FLUSH_AT ? obuf_flush(&c->w) : c->w.err;
}

static const struct output_ops chrome_ops = { chrome_event, chrome_flush, chrome_finish, chrome_free };

int chrome_format_open(struct scry_sink *sink, const struct output_format *fmt, const struct output_opts *opts,
		     char *err, size_t errlen)
{
	if (opts->fd < 0) {
		snprintf(err, errlen, "the chrome format needs a file descriptor");
		return -EINVAL;
	}
	struct chrome_out *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	output_base_init(&c->base, fmt, &chrome_ops, opts);
	obuf_init(&c->w, opts->fd);
	strbuf_init(&c->t, 256);
	c->last_ts = c->base.start_ns;
	strbuf_addstr(&c->w.b, "{\"traceEvents\":[");
	int r = obuf_flush(&c->w);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		chrome_free(&c->base);
		return r;
	}
	output_as_sink(&c->base, sink);
	return 0;
}
