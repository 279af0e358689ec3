/*
 * prof_wait: threads that wait in known places, for the off-CPU view and
 * the counters of `scry profile` (tests/e2e/test_profile_offcpu.py).
 *
 *   prof_wait [SECONDS]        prints its pid, then runs SECONDS (30):
 *       reader   blocked in read(2) on a pipe in wait_in_read(); fed a
 *                byte every 20 ms by
 *       feeder   which sleeps in nanosleep(2) in between
 *       holder   holds a mutex, sleeping 50 ms at a time in hold_lock()
 *       locker   waits for that mutex in wait_for_lock() (futex(2))
 *       spinner  spins in spin_work() (on the CPU, never blocks)
 *   prof_wait pages N [SECONDS]   touches N fresh pages (one write each) in
 *       touch_pages(), then sleeps SECONDS (0) in the main thread
 *
 * The functions are noinline so that they are frames of their own.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long sink;

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

__attribute__((noinline)) static void wait_in_read(void)
{
	char c;
	if (read(pipefd[0], &c, 1) < 0)
		_exit(3);
}

static void *reader(void *arg)
{
	pthread_setname_np(pthread_self(), "reader");
	for (;;)
		wait_in_read();
	return arg;
}

static void *feeder(void *arg)
{
	pthread_setname_np(pthread_self(), "feeder");
	for (;;) {
		nap_ms(20);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(3);
	}
	return arg;
}

__attribute__((noinline)) static void hold_lock(void)
{
	pthread_mutex_lock(&lock);
	nap_ms(50);
	pthread_mutex_unlock(&lock);
}

static void *holder(void *arg)
{
	pthread_setname_np(pthread_self(), "holder");
	for (;;) {
		hold_lock();
		sched_yield();
	}
	return arg;
}

__attribute__((noinline)) static void wait_for_lock(void)
{
	pthread_mutex_lock(&lock);
	sink++;
	pthread_mutex_unlock(&lock);
}

static void *locker(void *arg)
{
	pthread_setname_np(pthread_self(), "locker");
	nap_ms(5);	/* let the holder take it first */
	for (;;)
		wait_for_lock();
	return arg;
}

__attribute__((noinline)) static void spin_work(void)
{
	for (unsigned long i = 0; i < 1000000; i++)
		sink += i;
}

static void *spinner(void *arg)
{
	pthread_setname_np(pthread_self(), "spinner");
	for (;;)
		spin_work();
	return arg;
}

__attribute__((noinline)) static void touch_pages(long n)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)(n * pg), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (long i = 0; i < n; i++)
		m[i * pg] = 1;
	munmap(m, (size_t)(n * pg));
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "pages")) {
		touch_pages(atol(argv[2]));
		if (argc > 3)
			nap_ms(atol(argv[3]) * 1000);
		return 0;
	}
	int secs = argc > 1 ? atoi(argv[1]) : 30;
	if (pipe(pipefd))
		return 1;
	pthread_t t;
	void *(*fns[])(void *) = { reader, feeder, holder, locker, spinner };
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (pthread_create(&t, NULL, fns[i], NULL))
			return 1;
	printf("%d\n", getpid());
	fflush(stdout);
	nap_ms(secs * 1000L);
	return 0;
}
