#include "output/text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "output/encode.h"
#include "output/stackfmt.h"
#include "syscalls/callname.h"
#include "syscalls/syscalls.h"

#define FLUSH_AT (64 * 1024)

/* One output stream with its own half-written line. */
struct stream {
	int fd;
	pid_t owner;             /* -ff: the tid it belongs to */
	pid_t open_tid;          /* tid whose call line is open, or 0 */
	long open_start;         /* where that line began in buf (<0: flushed) */
	int whole_lines;         /* a file: write only whole lines */
	int seekable;            /* a regular file, not O_APPEND: can be cut back */
	int failed;              /* a write failed: nothing more is written */
	struct strbuf buf;
};

struct text_sink {
	struct text_layout o;
	struct stream main;
	struct stream *per;      /* -ff streams */
	size_t nper, allocper;
	uint64_t last_ts;        /* -r */
	uint64_t last_flush;     /* CLOCK_MONOTONIC ns */
	int err;
	/* -Y: the last comm read of each tid (by tid % 256), for the lines
	 * of a thread /proc no longer shows (its exit) */
	struct { pid_t tid; char comm[16]; } comms[256];
};

static void stream_kind(struct stream *st, int whole_lines)
{
	struct stat sb;
	st->whole_lines = whole_lines;
	st->seekable = st->fd >= 0 && fstat(st->fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		       !(fcntl(st->fd, F_GETFL) & O_APPEND);
}

/*
 * A write that failed part-way (ENOSPC) left half a line: cut the file back
 * to the last line end that write put there.  Only when the file's offset
 * shows that nobody else (the traced command sharing stderr) wrote in
 * between, so that nothing but scry's own bytes is ever cut.
 */
static void cut_back(struct stream *st, off_t start, size_t written)
{
	if (start < 0 || !written || lseek(st->fd, 0, SEEK_CUR) != start + (off_t)written)
		return;
	const char *nl = memrchr(st->buf.buf, '\n', written);
	off_t end = start + (nl ? (off_t)(nl - st->buf.buf) + 1 : 0);
	if (ftruncate(st->fd, end) == 0)
		lseek(st->fd, end, SEEK_SET);
}

/*
 * Writes what is buffered.  A file gets whole lines only, the open one is
 * kept for later (all: at the end, everything), so that a file that fills
 * up ends with a whole line, as FORMATS.md promises; a terminal or pipe
 * gets the half-written line at once too ("read(3, " while it waits).
 * After a failed write the stream writes nothing more.
 */
static int stream_flush(struct text_sink *ts, struct stream *st, int all)
{
	size_t len = st->buf.len;
	if (!len)
		return ts->err;
	if (st->whole_lines && !all && !st->failed) {
		const char *nl = memrchr(st->buf.buf, '\n', len);
		len = nl ? (size_t)(nl - st->buf.buf) + 1 : 0;
	}
	off_t start = st->seekable && len && !st->failed ? lseek(st->fd, 0, SEEK_CUR) : -1;
	size_t off = 0;
	while (off < len && !st->failed) {
		ssize_t n = write(st->fd, st->buf.buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!ts->err)
				ts->err = n < 0 ? -errno : -EIO;
			st->failed = 1;
			cut_back(st, start, off);
			break;
		}
		off += (size_t)n;
	}
	if (st->failed)
		len = st->buf.len;      /* what could not be written is dropped */
	memmove(st->buf.buf, st->buf.buf + len, st->buf.len - len);
	strbuf_setlen(&st->buf, st->buf.len - len);
	st->open_start -= (long)len;
	return ts->err;
}

static void stream_close(struct text_sink *ts, struct stream *st)
{
	stream_flush(ts, st, 1);
	if (st != &ts->main && st->fd >= 0)
		close(st->fd);
	strbuf_release(&st->buf);
}

/* Writes what is buffered; the first write error or 0. */
static int text_finish(void *ctx, const struct scry_sink_end *end)
{
	struct text_sink *ts = ctx;
	for (size_t i = 0; i < ts->nper; i++)
		stream_flush(ts, &ts->per[i], 1);
	stream_flush(ts, &ts->main, 1);
	return ts->err;
}

static void text_free(void *ctx)
{
	struct text_sink *ts = ctx;
	for (size_t i = 0; i < ts->nper; i++)
		stream_close(ts, &ts->per[i]);
	free(ts->per);
	stream_close(ts, &ts->main);
	free(ts);
}

static struct stream *stream_for(struct text_sink *ts, pid_t tid)
{
	if (!ts->o.per_process)
		return &ts->main;
	for (size_t i = 0; i < ts->nper; i++)
		if (ts->per[i].owner == tid)
			return &ts->per[i];
	if (ts->nper == ts->allocper) {
		size_t n = ts->allocper ? ts->allocper * 2 : 16;
		struct stream *p = realloc(ts->per, n * sizeof(*p));
		if (!p)
			return NULL;
		ts->per = p;
		ts->allocper = n;
	}
	struct stream *st = &ts->per[ts->nper++];
	memset(st, 0, sizeof(*st));
	st->owner = tid;
	strbuf_init(&st->buf, 4096);
	char path[4096];
	snprintf(path, sizeof(path), "%s.%d", ts->o.per_process, (int)tid);
	/* 0600: a trace holds what the process read and wrote */
	st->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (ts->o.append ? O_APPEND : O_TRUNC), 0600);
	if (st->fd < 0 && !ts->err)
		ts->err = -errno;
	stream_kind(st, 1);
	return st;
}

static void drop_stream(struct text_sink *ts, struct stream *st)
{
	if (st == &ts->main)
		return;
	stream_close(ts, st);
	*st = ts->per[--ts->nper];
}

/* -Y: "<comm>" of tid, as /proc shows it now or showed it last. */
static const char *comm_of(struct text_sink *ts, pid_t tid, pid_t pid)
{
	char path[64], buf[32];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	unsigned slot = (unsigned)tid % 256;
	if (n > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		ts->comms[slot].tid = tid;
		snprintf(ts->comms[slot].comm, sizeof(ts->comms[slot].comm), "%.15s", buf);
	}
	return ts->comms[slot].tid == tid ? ts->comms[slot].comm : "";
}

static void add_prefix(struct text_sink *ts, struct stream *st, const struct scry_event *ev)
{
	struct strbuf *b = &st->buf;
	if (!ts->o.per_process) {
		char pid[48];
		int show = (ts->o.to_file && (ts->o.follow || ev->ntracees > 1)) ||
			   (!ts->o.to_file && ev->ntracees > 1);
		if (show && ts->o.pid_comm)
			snprintf(pid, sizeof(pid), ts->o.to_file ? "%d<%s>" : "%5d<%s>", (int)ev->tid,
				 comm_of(ts, ev->tid, ev->pid));
		if (show && !ts->o.pid_comm && ev->tid >= 0) {
			/* "%-5d " or "[pid %5d] ", without printf (every line) */
			size_t at = b->len;
			if (!ts->o.to_file)
				strbuf_addstr(b, "[pid ");
			strbuf_add_u64_pad(b, (unsigned long long)ev->tid, ts->o.to_file ? 0 : 5, ' ');
			if (ts->o.to_file && b->len - at < 5)
				strbuf_addspaces(b, 5 - (b->len - at));
			strbuf_addstr(b, ts->o.to_file ? " " : "] ");
			show = 0;
		} else if (show && !ts->o.pid_comm) {
			snprintf(pid, sizeof(pid), ts->o.to_file ? "%-5d" : "%5d", (int)ev->tid);
		}
		if (show && ts->o.to_file)
			strbuf_addf(b, "%s ", pid);
		else if (show)
			strbuf_addf(b, "[pid %s] ", pid);
	}
	uint64_t t = ev->ts_ns;
	if (ts->o.relative) {
		uint64_t d = ts->last_ts && t > ts->last_ts ? t - ts->last_ts : 0;
		ts->last_ts = t;
		strbuf_addf(b, "%6llu.%06llu ", (unsigned long long)(d / 1000000000u),
			    (unsigned long long)(d % 1000000000u / 1000));
	}
	if (ts->o.timestamps == TS_EPOCH) {
		strbuf_addf(b, "%llu.%06llu ", (unsigned long long)(t / 1000000000u),
			    (unsigned long long)(t % 1000000000u / 1000));
	} else if (ts->o.timestamps != TS_NONE) {
		time_t sec = (time_t)(t / 1000000000u);
		struct tm tm;
		localtime_r(&sec, &tm);
		strbuf_addf(b, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (ts->o.timestamps == TS_USEC)
			strbuf_addf(b, ".%06llu", (unsigned long long)(t % 1000000000u / 1000));
		strbuf_addch(b, ' ');
	}
	if (ts->o.syscall_numbers)   /* (an i386-only call: its i386 number, as strace) */
		strbuf_addf(b, "[%4ld] ", ev->last_nr >= SCRY_NR_I386 ? ev->last_nr - SCRY_NR_I386
								       : ev->last_nr);
	if (ts->o.instruction_pointer && !ev->ip &&
	    (ev->type == SCRY_EV_EXITED || ev->type == SCRY_EV_KILLED))
		strbuf_addstr(b, "[????????????????] ");
	else if (ts->o.instruction_pointer)
		strbuf_addf(b, "[%016llx] ", (unsigned long long)ev->ip);
}

/* strace's dumpstr(): 16 bytes a line, " | 00000  68 65 ...  he... |". */
static void add_hexdump(struct strbuf *b, const unsigned char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 16) {
		char ascii[17];
		strbuf_addf(b, " | %05zx  ", off);
		for (size_t i = 0; i < 16; i++) {
			if (off + i < len) {
				strbuf_addf(b, "%02x ", p[off + i]);
				ascii[i] = p[off + i] >= ' ' && p[off + i] < 0x7f ? (char)p[off + i] : '.';
			} else {
				strbuf_addstr(b, "   ");
				ascii[i] = ' ';
			}
			if (i == 7)
				strbuf_addch(b, ' ');
		}
		ascii[16] = '\0';
		strbuf_addf(b, " %s |\n", ascii);
	}
}

/* -e read= / write=: the call's data after its line. */
static void add_io(struct strbuf *b, const struct scry_io *io)
{
	if (io->nmsgs) {
		/* sendmmsg/recvmmsg: each message's buffers under its own head */
		for (size_t m = 0, i = 0; m < io->nmsgs; m++) {
			strbuf_addf(b, " = %" PRIu64 " buffers in vector %zu\n", io->msgs[m].iovlen, m);
			for (size_t j = 0; j < io->msgs[m].nbufs && i < io->n; j++, i++) {
				strbuf_addf(b, " * %zu bytes in buffer %zu\n", io->bufs[i].len, j);
				add_hexdump(b, io->bufs[i].data, io->bufs[i].len);
			}
		}
		return;
	}
	for (size_t i = 0; i < io->n; i++) {
		if (io->vectored)
			strbuf_addf(b, " * %zu bytes in buffer %zu\n", io->bufs[i].len, i);
		add_hexdump(b, io->bufs[i].data, io->bufs[i].len);
	}
}

/* Close a call line left open by another thread. */
static void close_open_line(struct stream *st, pid_t tid)
{
	if (st->open_tid && st->open_tid != tid) {
		strbuf_addstr(&st->buf, " <unfinished ...>\n");
		st->open_tid = 0;
	}
}

static void add_result(struct text_sink *ts, struct stream *st, const struct scry_call *c, long start)
{
	struct strbuf *b = &st->buf;
	/* strace: ") ", then pad to the column, then "= " */
	strbuf_addstr(b, ") ");
	long col = (long)b->len - start;
	if (col < ts->o.align)
		strbuf_addspaces(b, (size_t)(ts->o.align - col));
	strbuf_addstr(b, "= ");
	if (c->ret_text)
		strbuf_addstr(b, c->ret_text);
	else
		render_text_result(b, c->t_exit_ns ? c->result : NULL);
	if (c->exit_args && c->t_exit_ns)
		render_text_after(b, c->exit_args);
	if (!c->ret_text)    /* (a replayed ret_text has the marks already) */
		call_injected_text(b, c->injected);    /* -e inject=, as strace marks it */
	if (ts->o.show_time && c->t_exit_ns) {
		strbuf_addstr(b, " <");
		strbuf_add_u64(b, c->duration_ns / 1000000000u);
		strbuf_addch(b, '.');
		strbuf_add_u64_pad(b, c->duration_ns % 1000000000u / 1000, 6, '0');
		strbuf_addch(b, '>');
	}
	/* the seeds' "fsync(3) = 0   [logger.c:89 in flush_logs]" */
	if (ts->o.source) {
		strbuf_addstr(b, "   [");
		stack_add_source_label(b, c->stack);
		strbuf_addch(b, ']');
	}
	strbuf_addch(b, '\n');
	/* strace -k: the frames follow the line that completes the call
	 * (the "resumed" one when it was unfinished) */
	if (ts->o.stack_trace)
		stack_add_frames_text(b, c->stack);
}

static void add_args(struct strbuf *b, const struct scry_values *vs, int first)
{
	if (vs && vs->n)
		render_text_list(b, vs, 0, first);
}

/* A call that never returned (its thread died in it) whose decoder had
 * more to show at exit: strace 6.1 marks what it could not show,
 * "<... read resumed> <unfinished ...>) = ?". */
static void add_unfinished(struct strbuf *b, const struct scry_call *c)
{
	if (!c->t_exit_ns && c->more_at_exit)
		strbuf_addstr(b, " <unfinished ...>");
}

static int text_event(void *ctx, const struct scry_event *ev)
{
	struct text_sink *ts = ctx;
	struct stream *st = stream_for(ts, ev->tid);
	if (!st)
		return -ENOMEM;
	struct strbuf *b = &st->buf;
	const struct scry_call *c = &ev->u.call;
	char num[SCRY_CALL_NAME_MAX];
	const char *name = c->name;
	if (ev->type == SCRY_EV_CALL_ENTER || ev->type == SCRY_EV_CALL_EXIT)
		name = scry_call_name(c->name, c->nr, num);
	/* With a status filter, the line can only be judged at exit; strace
	 * then prints entry and exit together. */
	int defer = ts->o.entries_at_exit;

	switch (ev->type) {
	case SCRY_EV_CALL_ENTER:
		if (defer)
			break;
		close_open_line(st, ev->tid);
		st->open_start = (long)b->len;
		add_prefix(ts, st, ev);
		strbuf_addstr(b, name);
		strbuf_addch(b, '(');
		add_args(b, c->entry_args, 1);
		/* strace shows "read(3, " at entry: the rest comes at exit */
		if (render_text_entry_comma(c->entry_args, c->more_at_exit))
			strbuf_addstr(b, ", ");
		st->open_tid = ev->tid;
		break;
	case SCRY_EV_CALL_EXIT: {
		if (defer) {
			close_open_line(st, ev->tid);
			struct scry_event e2 = *ev;
			e2.ts_ns = c->t_enter_ns;
			st->open_start = (long)b->len;
			add_prefix(ts, st, &e2);
			strbuf_addstr(b, name);
			strbuf_addch(b, '(');
			add_args(b, c->entry_args, 1);
			if (render_text_entry_comma(c->entry_args, c->more_at_exit))
				strbuf_addstr(b, ", ");
			st->open_tid = ev->tid;
		}
		if (st->open_tid == ev->tid) {
			/* after "read(3, " (or "clone3({...}", whose exit part
			 * begins with " => {...}", or after no argument) */
			add_args(b, c->exit_args, !(c->entry_args && c->entry_args->n) ||
					render_text_entry_comma(c->entry_args, c->more_at_exit));
			add_unfinished(b, c);
			add_result(ts, st, c, st->open_start);
			st->open_tid = 0;
		} else {
			close_open_line(st, ev->tid);
			long start = (long)b->len;
			add_prefix(ts, st, ev);
			strbuf_addf(b, "<... %s resumed>", name);
			add_args(b, c->exit_args, 1);
			add_unfinished(b, c);
			add_result(ts, st, c, start);
		}
		if (c->io)
			add_io(b, c->io);
		break;
	}
	case SCRY_EV_SIGNAL:
		close_open_line(st, 0);
		add_prefix(ts, st, ev);
		strbuf_addstr(b, "--- ");
		strbuf_addstr(b, scry_signal_name(ev->u.signal.signo) ? scry_signal_name(ev->u.signal.signo) : "SIG?");
		strbuf_addch(b, ' ');
		if (ev->u.signal.values && ev->u.signal.values->n)
			render_text_value(b, ev->u.signal.values, 0);
		else if (ev->u.signal.text)
			strbuf_addstr(b, ev->u.signal.text);
		strbuf_addstr(b, " ---\n");
		break;
	case SCRY_EV_STOPPED:
		close_open_line(st, 0);
		add_prefix(ts, st, ev);
		strbuf_addf(b, "--- stopped by %s ---\n",
			    scry_signal_name(ev->u.signal.signo) ? scry_signal_name(ev->u.signal.signo) : "SIG?");
		break;
	case SCRY_EV_EXITED:
	case SCRY_EV_KILLED:
		close_open_line(st, 0);
		/* -qq (-e quiet=exit) hides exits, as strace's does; deaths by a
		 * signal stay */
		if (ev->type == SCRY_EV_EXITED) {
			if (!ts->o.quiet_exit) {
				add_prefix(ts, st, ev);
				strbuf_addf(b, "+++ exited with %d +++\n", ev->u.exit.status);
			}
		} else {
			add_prefix(ts, st, ev);
			strbuf_addf(b, "+++ killed by %s%s +++\n",
				    scry_signal_name(ev->u.exit.signo) ? scry_signal_name(ev->u.exit.signo) : "SIG?",
				    ev->u.exit.core ? " (core dumped)" : "");
		}
		if (st != &ts->main)
			drop_stream(ts, st);
		break;
	case SCRY_EV_DETACHED:
		if (st->open_tid == ev->tid) {
			strbuf_addstr(b, " <detached ...>\n");
			st->open_tid = 0;
		}
		if (st != &ts->main)
			drop_stream(ts, st);
		break;
	default:
		break;
	}
	if (st->buf.len >= FLUSH_AT && !st->open_tid)
		stream_flush(ts, st, 0);
	return ts->err;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The loop calls this before it waits.  A terminal or a pipe gets every
 * line at once, even a half-written one: a process hung in read() must show
 * "read(3, " while it waits.  A file gets large writes, but never older than
 * 100 ms, so that `tail -f` on a quiet service is live too.
 */
static int text_flush(void *ctx)
{
	struct text_sink *ts = ctx;
	if (!ts->o.interactive) {
		uint64_t now = mono_ns();
		if (now - ts->last_flush < 100000000u)
			return ts->err;
		ts->last_flush = now;
		for (size_t i = 0; i < ts->nper; i++)
			stream_flush(ts, &ts->per[i], 0);
	}
	stream_flush(ts, &ts->main, 0);
	return ts->err;
}

int text_format_open(struct scry_sink *sink, const struct output_format *fmt,
		     const struct output_opts *opts, char *err, size_t errlen)
{
	struct text_sink *ts = calloc(1, sizeof(*ts));
	if (!ts)
		return -ENOMEM;
	ts->o = opts->text;
	if (ts->o.align <= 0)
		ts->o.align = 40;
	ts->main.fd = opts->fd;
	stream_kind(&ts->main, !ts->o.interactive);
	strbuf_init(&ts->main.buf, FLUSH_AT + 4096);
	sink->event = text_event;
	sink->flush = text_flush;
	sink->ctx = ts;
	sink->finish = text_finish;
	sink->free = text_free;
	return 0;
}
