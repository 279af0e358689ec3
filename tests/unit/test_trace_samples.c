/*
 * Unit tests of scry --profile's sampler beside a trace
 * (src/profile/trace_samples.c), on a real process: a forked child that
 * burns CPU, sampled at 999 Hz.
 *
 * - The window's cut: samples taken after the trace's end (end_ns, e.g.
 *   between the detach and the sampler's stop) reach no sink and are
 *   taken out of the profile too, which the text report and the
 *   statistics are written from (they stayed in it).
 * - The samples reach the sink from trace_samples_poll() on the caller's
 *   thread, though a thread of the sampler's own unwinds them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "profile/trace_samples.h"

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static pid_t burner(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		volatile unsigned long x = 0;
		alarm(60);              /* never outlives the test */
		for (;;)
			x = x * 6364136223846793005ul + 1;
	}
	return pid;
}

struct seen {
	uint64_t n, after, max_ts;
	uint64_t end_ns;
	pthread_t caller;
	int other_thread;
};

static int seen_event(void *ctx, const struct scry_event *ev)
{
	struct seen *s = ctx;
	if (ev->type != SCRY_EV_SAMPLE)
		return 0;
	s->n++;
	if (s->end_ns && ev->ts_ns > s->end_ns)
		s->after++;
	if (ev->ts_ns > s->max_ts)
		s->max_ts = ev->ts_ns;
	if (!pthread_equal(pthread_self(), s->caller))
		s->other_thread = 1;
	return 0;
}

static uint64_t profile_total(const struct prof *p)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < prof_nthreads(p); i++)
		sum += prof_thread(p, i)->total[PROF_CPU];
	return sum;
}

static struct trace_samples *sampling(pid_t child)
{
	struct trace_samples_config c = { .freq = 999, .follow = 0, .kernel = 0 };
	struct trace_samples *t = NULL;
	int e = trace_samples_new(&t, &c, NULL, NULL);
	if (e == -EACCES || e == -EPERM || e == -ENOENT || e == -ENOSYS)
		return NULL;
	assert_int_equal(e, 0);
	e = trace_samples_add(t, child);
	if (e == -EACCES || e == -EPERM) {
		trace_samples_free(t);
		return NULL;
	}
	assert_int_equal(e, 0);
	assert_int_equal(trace_samples_start(t), 0);
	return t;
}

static void end_child(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void test_cut_leaves_the_profile_too(void **state)
{
	(void)state;
	pid_t child = burner();
	assert_true(child > 0);
	struct trace_samples *t = sampling(child);
	if (!t) {
		end_child(child);
		skip();
	}
	struct seen s = { .caller = pthread_self() };
	struct scry_sink sink = { .ctx = &s, .event = seen_event };
	pause_ms(200);
	s.end_ns = realtime_ns();          /* "the trace's last event" */
	pause_ms(300);                     /* the child burns on, sampled */
	assert_int_equal(trace_samples_stop(t, &sink, s.end_ns), 0);
	end_child(child);
	const struct prof *p = trace_samples_profile(t);
	assert_true(s.n > 0);
	assert_int_equal(s.after, 0);
	assert_true(trace_samples_after(t) > 0);
	assert_int_equal(trace_samples_delivered(t), s.n);
	/* the profile holds what the sinks got, not what came after */
	assert_int_equal(prof_stats_const(p)->samples, s.n);
	assert_int_equal(profile_total(p), s.n);
	trace_samples_free(t);
}

static void test_polled_on_the_callers_thread(void **state)
{
	(void)state;
	pid_t child = burner();
	assert_true(child > 0);
	struct trace_samples *t = sampling(child);
	if (!t) {
		end_child(child);
		skip();
	}
	struct seen s = { .caller = pthread_self() };
	struct scry_sink sink = { .ctx = &s, .event = seen_event };
	/* until some have come through a poll (the thread unwinds them) */
	for (int i = 0; i < 600 && !s.n; i++) {
		pause_ms(50);
		assert_int_equal(trace_samples_poll(t, &sink), 0);
	}
	uint64_t polled = s.n;
	assert_true(polled > 0);
	assert_int_equal(trace_samples_stop(t, &sink, 0), 0);
	end_child(child);
	assert_int_equal(s.other_thread, 0);
	assert_int_equal(trace_samples_delivered(t), s.n);
	assert_int_equal(prof_stats_const(trace_samples_profile(t))->samples, s.n);
	trace_samples_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_leaves_the_profile_too),
		cmocka_unit_test(test_polled_on_the_callers_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
