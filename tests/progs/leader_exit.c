/*
 * leader_exit PROGRESS_FILE [LIFETIME_S]: prints its pid, starts a thread
 * and ends its main thread (pthread_exit): the leader stays a zombie while
 * the process lives on in the thread, which rewrites a counter in
 * PROGRESS_FILE every 50 ms and ends the process with status 0 after
 * LIFETIME_S (default 30) seconds.
 */
#include "common.h"
#include <pthread.h>

static int fd;
static double end;

static void *worker(void *arg)
{
	long n = 0;

	(void)arg;
	while (now_sec() < end) {
		progress_write(fd, ++n);
		sleep_ms(50);
	}
	exit(0);
}

int main(int argc, char **argv)
{
	pthread_t th;

	fd = progress_open(argc > 1 ? argv[1] : NULL);
	end = now_sec() + lifetime_arg(argc, argv, 2);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (pthread_create(&th, NULL, worker, NULL) != 0)
		return 2;
	pthread_exit(NULL);
}
