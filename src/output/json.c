/*
 * JSON: one document.  Schema: docs/FORMATS.md.  (JSON Lines, one object
 * per line, is jsonl.c; both use the members written here.)
 *
 * The document streams: its header is written at open, each call is
 * written when it returns, and process events (few, next to the calls) are
 * kept aside in a temporary file until the end, where the "events" array,
 * the summary and the count of lost events close the document.  Every
 * write ends at a whole element, so a failed write can be cut back and the
 * document still closed.
 */
#include "output/encode.h"
#include "output/stackfmt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "syscalls/syscalls.h"

#define FLUSH_AT (64 * 1024)

struct json_out {
	struct output base;
	struct obuf w;
	uint64_t nsys;           /* syscall objects written */
	uint64_t nev;            /* event objects kept */
	FILE *events;            /* the events array, until the end */
	struct strbuf mem_events; /* ... or here when no temporary file can be made */
	struct strbuf tmp;
	uint64_t last_flush;     /* CLOCK_MONOTONIC ns */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "command":[...],"pids":[...],"start_ns":N  (shared with chrome.c's otherData) */
void json_add_header_fields(struct strbuf *b, const struct output *o)
{
	strbuf_addf(b, "\"scry_version\":");
	json_add_str(b, scry_version());
	strbuf_addstr(b, ",\"command\":[");
	for (int i = 0; o->o.argv && o->o.argv[i]; i++) {
		if (i)
			strbuf_addch(b, ',');
		json_add_str(b, o->o.argv[i]);
	}
	strbuf_addstr(b, "],\"pids\":[");
	for (int i = 0; i < o->o.npids; i++)
		strbuf_addf(b, "%s%d", i ? "," : "", (int)o->o.pids[i]);
	strbuf_addf(b, "],\"start_ns\":%" PRIu64, o->start_ns);
}

/* What the typed result adds to "return" beside "value" and "errno": the
 * path of a new fd (-y), the names of flags, the name of an enum. */
static void json_add_result_fields(struct strbuf *b, const struct scry_values *r)
{
	if (!r || !r->n)
		return;
	const struct scry_value *v = &r->v[0];
	switch (v->type) {
	case SCRY_V_FD:
		if (v->path_len && r->arena && (uint64_t)v->path_off + v->path_len <= r->arena_len) {
			strbuf_addstr(b, ",\"path\":");
			json_add_bytes(b, r->arena + v->path_off, v->path_len);
		}
		break;
	case SCRY_V_FLAGS:
		strbuf_addstr(b, ",\"names\":");
		json_add_flag_names(b, v);
		break;
	case SCRY_V_ENUM: {
		const char *name = scry_enum_name(v);
		if (name) {
			strbuf_addstr(b, ",\"name\":");
			json_add_key(b, name);
		}
		break;
	}
	default:
		break;
	}
}

/* The members of one call (without braces). */
void json_add_call_fields(struct strbuf *b, const struct output *o, const struct scry_event *ev)
{
	const struct scry_call *c = &ev->u.call;
	char nb[32];
	strbuf_addf(b, "\"ts\":%" PRIu64 ",\"pid\":%d,\"tid\":%d,\"name\":", c->t_enter_ns, (int)ev->pid,
		    (int)ev->tid);
	json_add_str(b, call_name(c, nb));
	strbuf_addf(b, ",\"nr\":%ld,\"args\":", c->nr);
	output_args_json(o, b, c);
	strbuf_addstr(b, ",\"args_text\":");
	struct strbuf t = STRBUF_INIT;
	output_args_text(o, &t, c);
	json_add_bytes(b, t.buf, t.len);
	strbuf_release(&t);
	/* -k, --source: "stack" and "source" (stackfmt.h) */
	json_add_stack(b, c->stack);
	if (!c->t_exit_ns) {
		strbuf_addstr(b, ",\"return\":null,\"unfinished\":true,\"duration_ns\":null");
		return;
	}
	strbuf_addf(b, ",\"return\":{\"value\":%" PRId64, c->ret);
	if (c->is_error) {
		int e = c->ret < 0 ? (int)-c->ret : (int)c->ret;
		const char *en = scry_errno_name(e);
		if (en)
			strbuf_addf(b, ",\"errno\":\"%s\"", en);
		else
			strbuf_addf(b, ",\"errno\":%d", e);
	}
	json_add_result_fields(b, c->result);
	strbuf_addf(b, "},\"duration_ns\":%" PRIu64, c->duration_ns);
	if (c->cpu_ns)
		strbuf_addf(b, ",\"cpu_ns\":%" PRIu64, c->cpu_ns);
	if (c->injected) {
		/* -e inject=: what was done to the call (enum scry_injected) */
		static const char *const words[] = { "result", "args", "delay", "signal" };
		strbuf_addstr(b, ",\"injected\":[");
		for (unsigned i = 0, n = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (c->injected & (1u << i))
				strbuf_addf(b, "%s\"%s\"", n++ ? "," : "", words[i]);
		strbuf_addch(b, ']');
	}
}

/* scry --profile: ,"samples":N,"lost_samples":N,"sample_hz":N at the end
 * (nothing when no samples were taken) */
void json_add_sample_totals(struct strbuf *b, const struct output *o)
{
	const struct scry_sink_end *e = o->end;
	if (!e || !e->sample_hz)
		return;
	strbuf_addf(b, ",\"samples\":%" PRIu64 ",\"lost_samples\":%" PRIu64 ",\"sample_hz\":%u", e->samples,
		    e->lost_samples, e->sample_hz);
}

/* The members of a process event (without braces); 0 if ev is not one. */
int json_add_event_fields(struct strbuf *b, const struct output *o, const struct scry_event *ev)
{
	char sb[16];
	const char *type;
	switch (ev->type) {
	case SCRY_EV_SIGNAL: type = "signal"; break;
	case SCRY_EV_EXITED: type = "exit"; break;
	case SCRY_EV_KILLED: type = "killed"; break;
	case SCRY_EV_NEW_TASK: type = ev->u.task.is_thread ? "thread" : "fork"; break;
	case SCRY_EV_EXEC: type = "exec"; break;
	case SCRY_EV_DETACHED: type = "detached"; break;
	case SCRY_EV_STOPPED: type = "stopped"; break;
	case SCRY_EV_SAMPLE: type = "sample"; break;
	default: return 0;
	}
	strbuf_addf(b, "\"ts\":%" PRIu64 ",\"pid\":%d,\"tid\":%d,\"type\":\"%s\"", ev->ts_ns, (int)ev->pid,
		    (int)ev->tid, type);
	switch (ev->type) {
	case SCRY_EV_SIGNAL:
		strbuf_addf(b, ",\"signal\":\"%s\",\"signo\":%d,\"info\":", sig_name(ev->u.signal.signo, sb),
			    ev->u.signal.signo);
		if (ev->u.signal.values && ev->u.signal.values->n)
			json_add_value(b, ev->u.signal.values);
		else
			json_add_str(b, ev->u.signal.text);
		break;
	case SCRY_EV_STOPPED:
		strbuf_addf(b, ",\"signal\":\"%s\",\"signo\":%d", sig_name(ev->u.signal.signo, sb),
			    ev->u.signal.signo);
		break;
	case SCRY_EV_EXITED:
		strbuf_addf(b, ",\"status\":%d", ev->u.exit.status);
		break;
	case SCRY_EV_SAMPLE:
		/* scry --profile: "stack" leaf first, as a call's (-k) */
		strbuf_addf(b, ",\"cpu\":%u,\"period_ns\":%" PRIu64, ev->u.sample.cpu, ev->u.sample.period_ns);
		if (ev->u.sample.stack)
			json_add_stack(b, ev->u.sample.stack);
		else
			strbuf_addstr(b, ",\"stack\":[]");
		break;
	case SCRY_EV_KILLED:
		strbuf_addf(b, ",\"signal\":\"%s\",\"signo\":%d,\"core_dumped\":%s", sig_name(ev->u.exit.signo, sb),
			    ev->u.exit.signo, ev->u.exit.core ? "true" : "false");
		break;
	case SCRY_EV_NEW_TASK:
		strbuf_addf(b, ",\"parent\":%d", (int)ev->u.task.parent);
		break;
	case SCRY_EV_EXEC: {
		strbuf_addstr(b, ",\"filename\":");
		char exe[4096];
		const char *fn = ev->u.exec.filename;
		if (!fn && !o->o.replay) {
			proc_exe(ev->pid, exe, sizeof(exe));
			fn = exe[0] ? exe : NULL;
		}
		json_add_str(b, fn);
		if (ev->u.exec.old_tid && ev->u.exec.old_tid != ev->tid)
			strbuf_addf(b, ",\"old_tid\":%d", (int)ev->u.exec.old_tid);
		break;
	}
	default:
		break;
	}
	return 1;
}

static int json_flush_if(struct json_out *j, size_t at)
{
	if (j->w.b.len >= at) {
		j->last_flush = mono_ns();
		return obuf_flush(&j->w);
	}
	return j->w.err;
}

static int json_event(struct output *o, const struct scry_event *ev)
{
	struct json_out *j = (struct json_out *)o;
	struct strbuf *b = &j->w.b;
	if (ev->type == SCRY_EV_CALL_ENTER || ev->type == SCRY_EV_CALL_EXIT) {
		if (ev->type == SCRY_EV_CALL_ENTER || !output_wants_calls(o))
			return 0;
		strbuf_addstr(b, j->nsys ? ",\n{" : "\n{");
		json_add_call_fields(b, o, ev);
		strbuf_addch(b, '}');
		j->nsys++;
		return json_flush_if(j, FLUSH_AT);
	}
	struct strbuf *t = &j->tmp;
	strbuf_reset(t);
	strbuf_addstr(t, j->nev ? ",\n{" : "\n{");
	if (!json_add_event_fields(t, o, ev))
		return 0;
	strbuf_addch(t, '}');
	j->nev++;
	if (j->events) {
		if (fwrite(t->buf, 1, t->len, j->events) != t->len)
			return errno ? -errno : -EIO;
	} else {
		strbuf_add(&j->mem_events, t->buf, t->len);
	}
	return 0;
}

static int json_flush(struct output *o)
{
	struct json_out *j = (struct json_out *)o;
	/* a document: large writes, but never older than 100 ms */
	if (mono_ns() - j->last_flush >= 100000000u)
		return json_flush_if(j, 1);
	return j->w.err;
}

static int copy_events(struct json_out *j)
{
	if (!j->events) {
		strbuf_add(&j->w.b, j->mem_events.buf, j->mem_events.len);
		return obuf_flush(&j->w);
	}
	if (fflush(j->events) != 0 || fseek(j->events, 0, SEEK_SET) != 0)
		return -EIO;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), j->events)) > 0) {
		strbuf_add(&j->w.b, buf, n);
		if (j->w.b.len >= FLUSH_AT && obuf_flush(&j->w) < 0)
			return j->w.err;
	}
	return 0;
}

static int json_finish(struct output *o, const struct scry_stats *summary,
		       const struct scry_summary_opts *sopts, uint64_t lost)
{
	struct json_out *j = (struct json_out *)o;
	struct strbuf *b = &j->w.b;
	int err = obuf_flush(&j->w);
	strbuf_addstr(b, "\n],\"events\":[");
	/* after an error, the events are left out: the document is closed
	 * with what fits */
	if (!err && obuf_flush(&j->w) == 0)
		copy_events(j);
	if (j->w.err)
		strbuf_reset(b);
	strbuf_addstr(b, "\n]");
	if (summary) {
		strbuf_addstr(b, ",\"summary\":");
		summary_json(b, summary, sopts);
	}
	strbuf_addf(b, ",\"lost_events\":%" PRIu64, lost);
	json_add_sample_totals(b, o);
	strbuf_addstr(b, "}\n");
	return obuf_flush_final(&j->w);
}

static void json_free(struct output *o)
{
	struct json_out *j = (struct json_out *)o;
	if (j->events)
		fclose(j->events);
	strbuf_release(&j->mem_events);
	strbuf_release(&j->tmp);
	obuf_release(&j->w);
	free(j);
}

static const struct output_ops json_ops = { json_event, json_flush, json_finish, json_free };

int json_format_open(struct scry_sink *sink, const struct output_format *fmt, const struct output_opts *opts,
		     char *err, size_t errlen)
{
	if (opts->fd < 0) {
		snprintf(err, errlen, "the %s format needs a file descriptor", fmt->name);
		return -EINVAL;
	}
	struct json_out *j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	output_base_init(&j->base, fmt, &json_ops, opts);
	obuf_init(&j->w, opts->fd);
	strbuf_init(&j->mem_events, 0);
	strbuf_init(&j->tmp, 256);
	j->events = tmpfile();
	j->last_flush = mono_ns();
	struct strbuf *b = &j->w.b;
	strbuf_addch(b, '{');
	json_add_header_fields(b, &j->base);
	strbuf_addstr(b, ",\"syscalls\":[");
	int r = obuf_flush(&j->w);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		json_free(&j->base);
		return r;
	}
	output_as_sink(&j->base, sink);
	return 0;
}
