/* threads: 8 threads making cheap system calls at the same time, to show
 * how a tracer copes with many tracees stopping at once.
 *
 *   threads [N]   each of the 8 threads makes N getppid() calls
 *                 (default 20000): 8*N calls in all. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NTHREADS 8

static long n_calls;

static void *worker(void *arg)
{
	(void)arg;
	for (long i = 0; i < n_calls; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	n_calls = argc > 1 ? atol(argv[1]) : 20000;
	for (int i = 0; i < NTHREADS; i++) {
		int err = pthread_create(&t[i], NULL, worker, NULL);
		if (err) {
			fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	return 0;
}
