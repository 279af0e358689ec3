/*
 * manythreads PROGRESS_FILE NTHREADS [LIFETIME_S]: starts NTHREADS threads
 * (small stacks) that sleep until the process ends, prints "pid P" once all
 * are running, then rewrites a loop counter in PROGRESS_FILE every 20 ms.
 * Attaching to it takes one PTRACE_SEIZE per thread, so a few thousand
 * threads make an attach that lasts long enough to be interrupted.  Exits
 * 0 after LIFETIME_S (default 30) seconds.
 */
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>

static atomic_int started;

static void *idle(void *arg)
{
	(void)arg;
	atomic_fetch_add(&started, 1);
	for (;;)
		sleep_ms(1000);
	return NULL;
}

int main(int argc, char **argv)
{
	int fd = progress_open(argc > 1 ? argv[1] : NULL);
	int n = argc > 2 ? atoi(argv[2]) : 1000;
	double end = now_sec() + lifetime_arg(argc, argv, 3);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < n; i++) {
		pthread_t th;
		if (pthread_create(&th, &attr, idle, NULL) != 0) {
			fprintf(stderr, "manythreads: only %d threads\n", i);
			return 2;
		}
	}
	while (atomic_load(&started) < n)
		sleep_ms(1);
	printf("pid %d\n", (int)getpid());
	fflush(stdout);
	for (long i = 0; now_sec() < end; i++) {
		progress_write(fd, i);
		sleep_ms(20);
	}
	_exit(0);   /* the sleeping threads end with the process */
}
