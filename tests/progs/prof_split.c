/*
 * The profiler's accuracy target (tests/e2e/test_profile.py), built -O2
 * WITHOUT frame pointers (Makefile: prof_% rule): threads whose CPU time is
 * split in known proportions across known functions, measured on the
 * thread's own CPU clock, so the truth holds whatever the scheduler does.
 *
 *   thread "cpu_abc": work_a 60 %, work_b 30 %, work_c 10 % of its CPU time
 *   thread "cpu_de":  work_d 50 %, work_e 50 %
 *   thread "reader":  blocked in read() on a pipe nobody writes
 *   thread "locker":  blocked on a mutex the main thread holds
 *
 * usage: prof_split PROGRESS|- [LIFETIME_SECONDS]
 * Prints its pid, then runs until the lifetime ends (exit 0).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common.h"

static volatile uint64_t sink;
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int pipefd[2];

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Each spins until the thread has used ns more CPU time; the constants
 * differ so that the compiler cannot fold them into one function. */
#define WORK(name, k)                                                   \
	__attribute__((noinline, noclone)) static void name(uint64_t ns) \
	{                                                               \
		uint64_t end = thread_cpu_ns() + ns, x = sink;          \
		do {                                                    \
			for (int i = 0; i < 20000; i++)                 \
				x = x * (k) + (uint64_t)i;              \
			sink = x;                                       \
		} while (thread_cpu_ns() < end);                        \
	}

WORK(work_a, 6364136223846793005ull)
WORK(work_b, 2862933555777941757ull)
WORK(work_c, 3935559000370003845ull)
WORK(work_d, 1442695040888963407ull)
WORK(work_e, 7046029254386353131ull)

static void *cpu_abc(void *arg)
{
	pthread_setname_np(pthread_self(), "cpu_abc");
	for (;;) {
		work_a(6000000);
		work_b(3000000);
		work_c(1000000);
	}
	return arg;
}

static void *cpu_de(void *arg)
{
	pthread_setname_np(pthread_self(), "cpu_de");
	for (;;) {
		work_d(5000000);
		work_e(5000000);
	}
	return arg;
}

static void *reader(void *arg)
{
	pthread_setname_np(pthread_self(), "reader");
	char c;
	while (read(pipefd[0], &c, 1) != 0)
		;
	return arg;
}

static void *locker(void *arg)
{
	pthread_setname_np(pthread_self(), "locker");
	pthread_mutex_lock(&held);
	pthread_mutex_unlock(&held);
	return arg;
}

int main(int argc, char **argv)
{
	int progress = progress_open(argc > 1 ? argv[1] : NULL);
	double lifetime = lifetime_arg(argc, argv, 2), t0 = now_sec();
	if (pipe(pipefd) < 0)
		return 1;
	pthread_mutex_lock(&held);
	pthread_t t[4];
	void *(*fn[4])(void *) = { cpu_abc, cpu_de, reader, locker };
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, fn[i], NULL))
			return 1;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	for (long n = 1; now_sec() - t0 < lifetime; n++) {
		progress_write(progress, n);
		sleep_ms(50);
	}
	return 0;
}
