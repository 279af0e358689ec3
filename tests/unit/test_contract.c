/*
 * libscry's promises to the program that embeds it (include/scry/scry.h,
 * "What is process-wide"), each tried by a host program as a user would
 * write it:
 *
 *   - the host's own children keep their exit statuses: the session waits
 *     for its own tasks only (it used to reap everything with
 *     waitpid(-1, __WALL));
 *   - alarm() plus the host's own SIGALRM handler calling
 *     scry_session_request_detach() ends the run (the session used to take
 *     SIGALRM and ITIMER_REAL for itself, and never detached);
 *   - an allocation that fails during a run ends it with -ENOMEM, every
 *     tracee detached and running (the library used to abort()).  The
 *     allocator is replaced in this program (malloc, calloc, realloc are
 *     defined here and fail the Nth call once armed).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "scry/scry.h"

/* ---- the allocator: fail the Nth allocation from arming, once ---- */

#include "failalloc.h"

/* ---- helpers ---- */

static int count_events(void *ctx, const struct scry_event *ev)
{
	(void)ev;
	(*(long *)ctx)++;
	return 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* "State" letter and TracerPid of a task, from /proc. */
static void task_status(pid_t pid, pid_t tid, char *state, int *tracer)
{
	char path[96], line[256];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)pid, (int)tid);
	*state = '?';
	*tracer = -1;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "State:", 6))
			sscanf(line + 6, " %c", state);
		else if (!strncmp(line, "TracerPid:", 10))
			*tracer = atoi(line + 10);
	}
	fclose(f);
}

/* Every thread of pid is free: not traced, not stopped (a moment allowed). */
static void assert_free(pid_t pid)
{
	for (int tries = 0; tries < 500; tries++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		int bad = 0;
		FILE *p;
		char cmd[96];
		snprintf(cmd, sizeof(cmd), "ls %s", path);
		p = popen(cmd, "r");
		assert_non_null(p);
		char tidbuf[32];
		while (fgets(tidbuf, sizeof(tidbuf), p)) {
			char st;
			int tracer;
			task_status(pid, (pid_t)atoi(tidbuf), &st, &tracer);
			if (st == 't' || st == 'T' || tracer > 0)
				bad++;
		}
		pclose(p);
		if (!bad)
			return;
		sleep_ms(10);
	}
	fail_msg("process %d left traced or stopped", (int)pid);
}

/* A child that runs until killed (or for lifetime_ms), doing calls. */
static pid_t spawn_idle(int lifetime_ms)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < lifetime_ms / 10; i++) {
			(void)getppid();
			sleep_ms(10);
		}
		_exit(0);
	}
	return pid;
}

/* ---- the host's children keep their statuses ---- */

static void test_host_children_keep_status(void **state)
{
	(void)state;
	/* one ends before the run (a zombie), one during it */
	pid_t before = fork();
	assert_true(before >= 0);
	if (before == 0)
		_exit(42);
	pid_t during = fork();
	assert_true(during >= 0);
	if (during == 0) {
		sleep_ms(200);
		_exit(43);
	}
	sleep_ms(50);

	struct scry_config cfg = SCRY_CONFIG_INIT;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	long n = 0;
	struct scry_sink sink = { count_events, NULL, &n, NULL, NULL };
	assert_int_equal(scry_session_add_sink(s, &sink), 0);
	char *argv[] = { "sh", "-c", "sleep 0.6; echo done >/dev/null", NULL };
	pid_t launched;
	assert_int_equal(scry_session_launch(s, argv, &launched), 0);
	assert_int_equal(scry_session_run(s), 0);
	assert_true(n > 0);
	assert_int_equal(WEXITSTATUS(scry_session_launched_status(s)), 0);
	scry_session_free(s);

	int status;
	assert_int_equal(waitpid(before, &status, 0), before);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
	assert_int_equal(waitpid(during, &status, 0), during);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 43);
}

/* ---- alarm() and the host's own handler ---- */

static struct scry_session *alarm_session;
static volatile sig_atomic_t alarm_seen;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_seen = 1;
	scry_session_request_detach(alarm_session, 0);
}

static void test_alarm_handler_detaches(void **state)
{
	(void)state;
	pid_t target = spawn_idle(8000);   /* ends by itself: no hang if broken */
	struct scry_config cfg = SCRY_CONFIG_INIT;
	assert_int_equal(scry_session_new(&alarm_session, &cfg), 0);
	/* signal(): BSD semantics, SA_RESTART, as most programs set it */
	signal(SIGALRM, on_alarm);
	assert_int_equal(scry_session_attach(alarm_session, target, NULL), 0);
	alarm(1);
	assert_int_equal(scry_session_run(alarm_session), 0);
	alarm(0);
	assert_true(alarm_seen);
	assert_int_equal(scry_session_detached(alarm_session), 1);
	/* the handler is still ours */
	struct sigaction now;
	sigaction(SIGALRM, NULL, &now);
	assert_ptr_equal(now.sa_handler, on_alarm);
	scry_session_free(alarm_session);
	assert_free(target);
	assert_int_equal(kill(target, 0), 0);      /* running on */
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	signal(SIGALRM, SIG_DFL);
}

/* request_detach from another thread, while the tracees are all asleep */
static void *detach_later(void *arg)
{
	sleep_ms(300);
	scry_session_request_detach(arg, 0);
	return NULL;
}

static void test_detach_from_thread(void **state)
{
	(void)state;
	pid_t target = spawn_idle(8000);
	struct scry_config cfg = SCRY_CONFIG_INIT;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	assert_int_equal(scry_session_attach(s, target, NULL), 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, detach_later, s), 0);
	assert_int_equal(scry_session_run(s), 0);
	pthread_join(th, NULL);
	assert_int_equal(scry_session_detached(s), 1);
	scry_session_free(s);
	assert_free(target);
	assert_int_equal(kill(target, 0), 0);
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
}

/* ---- allocation failure ---- */

#ifdef HAVE_FAILER
static void *thread_idle(void *arg)
{
	(void)arg;
	(void)getppid();
	return NULL;
}

/* A target that keeps making threads (each a new tracee to allocate for),
 * until the test kills it: 40 sessions of 8 ticks outlast any fixed count
 * on a quiet machine. */
static pid_t spawn_threader(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;) {
			pthread_t th;
			if (pthread_create(&th, NULL, thread_idle, NULL) == 0)
				pthread_join(th, NULL);
			sleep_ms(1);
		}
	}
	return pid;
}

struct stopper { struct scry_session *s; int ticks; };

static void stop_after(void *ctx)
{
	struct stopper *st = ctx;
	if (++st->ticks == 8)
		scry_session_request_detach(st->s, 0);
}

static void test_enomem_detaches(void **state)
{
	(void)state;
	pid_t target = spawn_threader();
	int enomem = 0;
	for (long nth = 1; nth <= 40; nth++) {
		struct stopper st = { NULL, 0 };
		struct scry_config cfg = SCRY_CONFIG_INIT;
		cfg.tick_ns = 50000000;
		cfg.tick = stop_after;
		cfg.tick_ctx = &st;
		struct scry_session *s;
		assert_int_equal(scry_session_new(&s, &cfg), 0);
		st.s = s;
		long n = 0;
		struct scry_sink sink = { count_events, NULL, &n, NULL, NULL };
		assert_int_equal(scry_session_add_sink(s, &sink), 0);
		int r = scry_session_attach(s, target, NULL);
		if (r == 0) {
			fail_countdown = nth;
			r = scry_session_run(s);
			fail_countdown = 0;
			if (r != 0)
				assert_int_equal(r, -ENOMEM);
			enomem += r == -ENOMEM;
		}
		scry_session_free(s);
		assert_free(target);
		assert_int_equal(kill(target, 0), 0);
	}
	kill(target, SIGKILL);
	waitpid(target, NULL, 0);
	/* the failures did reach the library, and it said so */
	assert_true(enomem > 0);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_children_keep_status),
		cmocka_unit_test(test_alarm_handler_detaches),
		cmocka_unit_test(test_detach_from_thread),
#ifdef HAVE_FAILER
		cmocka_unit_test(test_enomem_detaches),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
