/*
 * stress_threads NTHREADS CALLS [FIFO]: a process with many threads and an
 * exact number of calls, for the stress suite (tests/stress/test_storms.py).
 *
 * Starts NTHREADS threads (small stacks), which all wait at a gate.  Once
 * every thread is running, prints its pid; with FIFO, it then waits until
 * something writes a byte to FIFO (so that a tracer can attach to every
 * thread first).  Then it opens the gate: each thread calls getppid CALLS
 * times and ends; the main thread joins them all and exits 0.  So exactly
 * NTHREADS * CALLS getppid calls are made after the gate opens (the main
 * thread makes none).
 */
#include "common.h"
#include <pthread.h>
#include <sys/syscall.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready, open_gate, calls;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	ready++;
	pthread_cond_broadcast(&cond);
	while (!open_gate)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < calls; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: stress_threads NTHREADS CALLS [FIFO]\n");
		return 2;
	}
	int n = atoi(argv[1]);
	calls = atoi(argv[2]);
	pthread_t *th = calloc(n, sizeof(*th));
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (!th)
		return 2;
	for (int i = 0; i < n; i++)
		if (pthread_create(&th[i], &attr, worker, NULL)) {
			fprintf(stderr, "pthread_create %d failed\n", i);
			return 2;
		}
	pthread_mutex_lock(&lock);
	while (ready < n)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	if (argc > 3) {
		int fd = open(argv[3], O_RDONLY);
		char c;
		if (fd < 0 || read(fd, &c, 1) != 1) {
			perror(argv[3]);
			return 2;
		}
		close(fd);
	}
	pthread_mutex_lock(&lock);
	open_gate = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("done %d\n", n);
	return 0;
}
