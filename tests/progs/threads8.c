/*
 * threads8 PROGRESS_FILE [LIFETIME_S]: starts 8 threads that each loop on
 * getppid + a 10 ms nanosleep.  Prints "pid P" and then "tid T" for each
 * thread once all are running, then "ready".  The main thread rewrites the
 * total loop count in PROGRESS_FILE every 50 ms.  Exits 0 after LIFETIME_S
 * (default 30) seconds.
 */
#include "common.h"
#include <pthread.h>
#include <stdatomic.h>

#define NTHREADS 8

static atomic_long loops;
static atomic_int started;
static atomic_int stop;
static pid_t tids[NTHREADS];

static void *worker(void *arg)
{
	pid_t *slot = arg;
	*slot = gettid();
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&stop)) {
		getppid();
		sleep_ms(10);
		atomic_fetch_add(&loops, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int fd = progress_open(argc > 1 ? argv[1] : NULL);
	double end = now_sec() + lifetime_arg(argc, argv, 2);
	pthread_t th[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&th[i], NULL, worker, &tids[i]) != 0)
			return 2;
	while (atomic_load(&started) < NTHREADS)
		sleep_ms(1);
	printf("pid %d\n", (int)getpid());
	for (int i = 0; i < NTHREADS; i++)
		printf("tid %d\n", (int)tids[i]);
	printf("ready\n");
	fflush(stdout);
	while (now_sec() < end) {
		progress_write(fd, atomic_load(&loops));
		sleep_ms(50);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	return 0;
}
