/*
 * The one sink interface (scry.h) and the filter stage (filter/stage.h):
 * the stage judges -e trace=, status= and signal= once, for every sink
 * behind it, and passes finish() and free() on.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "filter/stage.h"
#include "syscalls/syscalls.h"

struct rec {
	int events, enters, exits, signals, others, flushes, finishes, frees;
	uint64_t lost;
	int fail_with;          /* event() returns this (once) */
};

static int rec_event(void *ctx, const struct scry_event *ev)
{
	struct rec *r = ctx;
	r->events++;
	switch (ev->type) {
	case SCRY_EV_CALL_ENTER: r->enters++; break;
	case SCRY_EV_CALL_EXIT: r->exits++; break;
	case SCRY_EV_SIGNAL: r->signals++; break;
	default: r->others++; break;
	}
	int f = r->fail_with;
	r->fail_with = 0;
	return f;
}

static int rec_flush(void *ctx)
{
	((struct rec *)ctx)->flushes++;
	return 0;
}

static int rec_finish(void *ctx, const struct scry_sink_end *end)
{
	struct rec *r = ctx;
	r->finishes++;
	r->lost = end->lost_events;
	return 0;
}

static void rec_free(void *ctx)
{
	((struct rec *)ctx)->frees++;
}

static struct scry_sink rec_sink(struct rec *r)
{
	struct scry_sink s = { rec_event, rec_flush, r, rec_finish, rec_free };
	return s;
}

static struct scry_event call(enum scry_event_type type, long nr, int64_t ret, int unfinished)
{
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.pid = ev.tid = 100;
	ev.u.call.nr = nr;
	ev.u.call.ret = ret;
	ev.u.call.is_error = ret < 0;
	ev.u.call.t_enter_ns = 1;
	ev.u.call.t_exit_ns = type == SCRY_EV_CALL_EXIT && !unfinished ? 2 : 0;
	return ev;
}

static struct scry_event signal_ev(int sig)
{
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_SIGNAL;
	ev.pid = ev.tid = 100;
	ev.u.signal.signo = sig;
	ev.u.signal.text = "{}";
	return ev;
}

static void parse(struct scry_filter *f, const char *expr)
{
	char err[256];
	assert_int_equal(scry_filter_parse(f, expr, err, sizeof(err)), 0);
}

/* Feeds the same events to a stage with two sinks behind it; both see
 * exactly what the filter shows. */
static void feed(const struct scry_filter *f, struct rec *a, struct rec *b)
{
	const struct scry_syscall_table *t = scry_native_table();
	long openat = scry_syscall_lookup(t, "openat"), close_nr = scry_syscall_lookup(t, "close");
	struct scry_filter_stage st;
	scry_filter_stage_init(&st, f);
	struct scry_sink sa = rec_sink(a), sb = rec_sink(b), sink;
	assert_int_equal(scry_filter_stage_add(&st, &sa), 0);
	assert_int_equal(scry_filter_stage_add(&st, &sb), 0);
	scry_filter_stage_as_sink(&st, &sink);
	struct scry_event evs[] = {
		call(SCRY_EV_CALL_ENTER, openat, 0, 0), call(SCRY_EV_CALL_EXIT, openat, 3, 0),
		call(SCRY_EV_CALL_ENTER, openat, 0, 0), call(SCRY_EV_CALL_EXIT, openat, -2, 0),
		call(SCRY_EV_CALL_ENTER, close_nr, 0, 0), call(SCRY_EV_CALL_EXIT, close_nr, 0, 0),
		call(SCRY_EV_CALL_ENTER, openat, 0, 0), call(SCRY_EV_CALL_EXIT, openat, 0, 1),
		/* beyond the engine's bitmap: only the stage judges it */
		call(SCRY_EV_CALL_ENTER, 5000, 0, 0), call(SCRY_EV_CALL_EXIT, 5000, -38, 0),
		signal_ev(SIGCHLD), signal_ev(SIGUSR1),
	};
	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		assert_int_equal(sink.event(sink.ctx, &evs[i]), 0);
	struct scry_event ex;
	memset(&ex, 0, sizeof(ex));
	ex.type = SCRY_EV_EXITED;
	assert_int_equal(sink.event(sink.ctx, &ex), 0);
	assert_int_equal(sink.flush(sink.ctx), 0);
	struct scry_sink_end end = { .lost_events = 7 };
	assert_int_equal(scry_sink_finish(&sink, &end), 0);
	scry_sink_free(&sink);
	assert_null(sink.event);
	assert_int_equal(a->events, b->events);
	assert_int_equal(a->flushes, 1);
	assert_int_equal(b->finishes, 1);
	assert_int_equal(b->lost, 7);
	assert_int_equal(a->frees, 1);
	assert_int_equal(a->others, 1);       /* the exit always passes */
}

static void test_no_filter(void **state)
{
	struct rec a = { 0 }, b = { 0 };
	feed(NULL, &a, &b);
	assert_int_equal(a.enters, 5);
	assert_int_equal(a.exits, 5);
	assert_int_equal(a.signals, 2);
}

static void test_trace(void **state)
{
	struct scry_filter f;
	scry_filter_init(&f, scry_native_table());
	parse(&f, "trace=openat");
	struct rec a = { 0 }, b = { 0 };
	feed(&f, &a, &b);
	assert_int_equal(a.enters, 3);
	assert_int_equal(a.exits, 3);       /* also the unfinished one */
	assert_int_equal(a.signals, 2);
}

/* status=: the entries are withheld (they cannot be judged), the exits
 * judged by their result. */
static void test_status(void **state)
{
	struct scry_filter f;
	scry_filter_init(&f, scry_native_table());
	parse(&f, "status=failed");
	struct rec a = { 0 }, b = { 0 };
	feed(&f, &a, &b);
	assert_int_equal(a.enters, 0);
	assert_int_equal(a.exits, 2);       /* openat = -2, 5000 = -38 */
	parse(&f, "status=unfinished,successful");
	struct rec c = { 0 }, d = { 0 };
	feed(&f, &c, &d);
	assert_int_equal(c.enters, 0);
	assert_int_equal(c.exits, 3);
}

static void test_signal(void **state)
{
	struct scry_filter f;
	scry_filter_init(&f, scry_native_table());
	parse(&f, "signal=SIGUSR1");
	struct rec a = { 0 }, b = { 0 };
	feed(&f, &a, &b);
	assert_int_equal(a.signals, 1);
	assert_int_equal(a.exits, 5);
}

/* A sink's error reaches the session once; the other sinks still get every
 * event. */
static void test_error(void **state)
{
	struct rec a = { 0 }, b = { 0 };
	a.fail_with = -ENOSPC;
	struct scry_filter_stage st;
	scry_filter_stage_init(&st, NULL);
	struct scry_sink sa = rec_sink(&a), sb = rec_sink(&b), sink;
	scry_filter_stage_add(&st, &sa);
	scry_filter_stage_add(&st, &sb);
	scry_filter_stage_as_sink(&st, &sink);
	struct scry_event ev = call(SCRY_EV_CALL_EXIT, 1, 0, 0);
	assert_int_equal(sink.event(sink.ctx, &ev), -ENOSPC);
	assert_int_equal(sink.event(sink.ctx, &ev), 0);
	assert_int_equal(b.exits, 2);
	for (int i = 0; i < SCRY_FILTER_STAGE_MAX - 2; i++)
		assert_int_equal(scry_filter_stage_add(&st, &sb), 0);
	assert_int_equal(scry_filter_stage_add(&st, &sb), -ENOSPC);
	/* a sink without finish or free is fine */
	struct scry_sink bare = { rec_event, NULL, &a, NULL, NULL };
	assert_int_equal(scry_sink_finish(&bare, NULL), 0);
	scry_sink_free(&bare);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
