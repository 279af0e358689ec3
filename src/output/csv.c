/*
 * CSV (RFC 4180 quoting, lines ending in \n): one row per call, and one per
 * process event, under the header
 *
 *	ts,pid,tid,syscall,arguments,result,errno,duration_us
 *
 * then source (-k, --source) and injected (-e inject=), each only when
 * asked for, so that the columns of a plain trace never change.
 * With -c the file holds the summary instead (scry_stats_print_csv's
 * columns).  Text cells follow the rules of encode.h (formula prefix,
 * base64 for bytes that are not UTF-8); numeric cells are never altered.
 * Rows are written whole: a buffer ends at a row, and a failed write is cut
 * back to the last whole row.
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

struct csv_out {
	struct output base;
	struct obuf w;
	struct strbuf t;
};

static void cell_str(struct strbuf *b, const char *s)
{
	csv_add_cell(b, s, strlen(s));
}

/* ts,pid,tid, */
static void row_start(struct strbuf *b, uint64_t ts, const struct scry_event *ev)
{
	strbuf_addf(b, "%" PRIu64 ",%d,%d,", ts, (int)ev->pid, (int)ev->tid);
}

/* -k, --source: the last column, the call site as the text's --source
 * names it ("file:line in function"; "" without a stack) */
static void add_source(struct csv_out *c, const struct scry_call *call)
{
	if (!c->base.o.stacks)
		return;
	struct strbuf *b = &c->w.b;
	strbuf_addch(b, ',');
	if (!call->stack)
		return;
	struct strbuf l = STRBUF_INIT;
	stack_add_source_label(&l, call->stack);
	csv_add_cell(b, l.buf, l.len);
	strbuf_release(&l);
}

/* -e inject=: the column after them all, what was done to the call as
 * JSON's "injected" words joined by commas ("" when nothing was) */
static void add_injected(struct csv_out *c, const struct scry_call *call)
{
	static const char *const words[] = { "result", "args", "delay", "signal" };
	if (!c->base.o.inject)
		return;
	struct strbuf *b = &c->w.b;
	strbuf_addch(b, ',');
	if (!call || !call->injected)
		return;
	struct strbuf l = STRBUF_INIT;
	for (unsigned i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (call->injected & (1u << i))
			strbuf_addf(&l, "%s%s", l.len ? "," : "", words[i]);
	csv_add_cell(b, l.buf, l.len);
	strbuf_release(&l);
}

static void add_call(struct csv_out *c, const struct scry_event *ev)
{
	struct strbuf *b = &c->w.b;
	const struct scry_call *call = &ev->u.call;
	char nb[32];
	row_start(b, call->t_enter_ns, ev);
	cell_str(b, call_name(call, nb));
	strbuf_addch(b, ',');
	strbuf_reset(&c->t);
	output_args_text(&c->base, &c->t, call);
	csv_add_cell(b, c->t.buf, c->t.len);
	if (!call->t_exit_ns) {
		strbuf_addstr(b, ",?,,");
		add_source(c, call);
		add_injected(c, call);
		strbuf_addch(b, '\n');
		return;
	}
	strbuf_addf(b, ",%" PRId64 ",", call->ret);
	if (call->is_error) {
		int e = call->ret < 0 ? (int)-call->ret : (int)call->ret;
		const char *en = scry_errno_name(e);
		if (en)
			strbuf_addstr(b, en);
		else
			strbuf_addf(b, "%d", e);
	}
	strbuf_addf(b, ",%" PRIu64 ".%03" PRIu64, call->duration_ns / 1000, call->duration_ns % 1000);
	add_source(c, call);
	add_injected(c, call);
	strbuf_addch(b, '\n');
}

static void add_event(struct csv_out *c, const struct scry_event *ev)
{
	struct strbuf *b = &c->w.b;
	struct strbuf *t = &c->t;
	char sb[16];
	const char *type;
	strbuf_reset(t);
	const char *result = "";
	char num[32] = "";
	switch (ev->type) {
	case SCRY_EV_SIGNAL:
		type = "<signal>";
		strbuf_addf(t, "%s %s", sig_name(ev->u.signal.signo, sb), ev->u.signal.text ? ev->u.signal.text : "");
		break;
	case SCRY_EV_STOPPED:
		type = "<stopped>";
		strbuf_addstr(t, sig_name(ev->u.signal.signo, sb));
		break;
	case SCRY_EV_EXITED:
		type = "<exit>";
		snprintf(num, sizeof(num), "%d", ev->u.exit.status);
		result = num;
		break;
	case SCRY_EV_KILLED:
		type = "<killed>";
		strbuf_addf(t, "%s%s", sig_name(ev->u.exit.signo, sb), ev->u.exit.core ? " (core dumped)" : "");
		break;
	case SCRY_EV_NEW_TASK:
		type = ev->u.task.is_thread ? "<thread>" : "<fork>";
		strbuf_addf(t, "parent=%d", (int)ev->u.task.parent);
		break;
	case SCRY_EV_EXEC: {
		type = "<exec>";
		char exe[4096] = "";
		const char *fn = ev->u.exec.filename;
		if (!fn && !c->base.o.replay) {
			proc_exe(ev->pid, exe, sizeof(exe));
			fn = exe;
		}
		strbuf_addstr(t, fn ? fn : "");
		break;
	}
	case SCRY_EV_DETACHED:
		type = "<detached>";
		break;
	default:
		return;
	}
	row_start(b, ev->ts_ns, ev);
	strbuf_addstr(b, type);
	strbuf_addch(b, ',');
	csv_add_cell(b, t->buf, t->len);
	strbuf_addf(b, ",%s,,%s%s\n", result, c->base.o.stacks ? "," : "", c->base.o.inject ? "," : "");
}

static int csv_event(struct output *o, const struct scry_event *ev)
{
	struct csv_out *c = (struct csv_out *)o;
	if (!output_wants_calls(o) || ev->type == SCRY_EV_CALL_ENTER)
		return 0;
	if (ev->type == SCRY_EV_CALL_EXIT)
		add_call(c, ev);
	else
		add_event(c, ev);
	if (c->w.b.len >= FLUSH_AT)
		return obuf_flush(&c->w);
	return 0;
}

static int csv_flush(struct output *o)
{
	struct csv_out *c = (struct csv_out *)o;
	return obuf_flush(&c->w);
}

static int csv_finish(struct output *o, const struct scry_stats *summary,
		      const struct scry_summary_opts *sopts, uint64_t lost)
{
	struct csv_out *c = (struct csv_out *)o;
	int err = obuf_flush(&c->w);
	if (err)
		return err;
	/* -c: the summary is the whole file; -C keeps the file one table
	 * (the caller shows the summary as text) */
	if (summary && o->o.summary == 1) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		if (!f)
			return -ENOMEM;
		struct scry_summary_opts def;
		memset(&def, 0, sizeof(def));
		int r = scry_stats_print_csv(summary, f, sopts ? sopts : &def);
		fclose(f);
		if (r == 0)
			strbuf_add(&c->w.b, buf, len);
		free(buf);
		if (r < 0)
			return r;
	}
	if (lost && o->o.summary != 1)
		strbuf_addf(&c->w.b, "%" PRIu64 ",0,0,<lost>,,%" PRIu64 ",,%s%s\n", o->start_ns, lost,
			    o->o.stacks ? "," : "", o->o.inject ? "," : "");
	return obuf_flush(&c->w);
}

static void csv_free(struct output *o)
{
	struct csv_out *c = (struct csv_out *)o;
	obuf_release(&c->w);
	strbuf_release(&c->t);
	free(c);
}

static const struct output_ops csv_ops = { csv_event, csv_flush, csv_finish, csv_free };

int csv_format_open(struct scry_sink *sink, const struct output_format *fmt, const struct output_opts *opts,
		  char *err, size_t errlen)
{
	if (opts->fd < 0) {
		snprintf(err, errlen, "the csv format needs a file descriptor");
		return -EINVAL;
	}
	struct csv_out *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	output_base_init(&c->base, fmt, &csv_ops, opts);
	obuf_init(&c->w, opts->fd);
	strbuf_init(&c->t, 256);
	if (output_wants_calls(&c->base)) {
		strbuf_addstr(&c->w.b, "ts,pid,tid,syscall,arguments,result,errno,duration_us");
		strbuf_addstr(&c->w.b, opts->stacks ? ",source" : "");
		strbuf_addstr(&c->w.b, opts->inject ? ",injected\n" : "\n");
		int r = obuf_flush(&c->w);
		if (r < 0) {
			snprintf(err, errlen, "%s", strerror(-r));
			csv_free(&c->base);
			return r;
		}
	}
	output_as_sink(&c->base, sink);
	return 0;
}
