/*
 * stress_sigcount PROGRESS COUNTS LIFETIME_S NTHREADS: a target that counts
 * every signal it receives, for the stress suite's attach/detach cycles
 * (tests/stress/test_detach.py): a tracer that loses or adds a signal shows
 * up as a count that differs from what the test sent.
 *
 * Prints its pid, starts NTHREADS threads that make system calls all the
 * time (getppid, a 1 ms sleep), and every 5 ms rewrites
 *
 *   PROGRESS   a counter (common.h), so the test sees it running
 *   COUNTS     "USR1 RT\n": deliveries of SIGUSR1 and of SIGRTMIN+1
 *
 * with one pwrite each.  SIGUSR1 is a standard signal (two sent while one is
 * pending merge into one delivery, so the test waits for each to arrive
 * before sending the next); SIGRTMIN+1 is queued (every one sent is one
 * delivery), so the test sends those in bursts at the moments a tracer is
 * most likely to drop one: during attach and during detach.
 */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>

static volatile long usr1_count, rt_count;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		__atomic_add_fetch(&usr1_count, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&rt_count, 1, __ATOMIC_RELAXED);
}

static double end_time;

static void *worker(void *arg)
{
	(void)arg;
	while (now_sec() < end_time) {
		syscall(SYS_getppid);
		sleep_ms(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: stress_sigcount PROGRESS COUNTS LIFETIME_S NTHREADS\n");
		return 2;
	}
	int pfd = progress_open(argv[1]);
	int cfd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (cfd < 0) {
		perror(argv[2]);
		return 2;
	}
	end_time = now_sec() + atof(argv[3]);
	int nthreads = atoi(argv[4]);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGRTMIN + 1, &sa, NULL)) {
		perror("sigaction");
		return 2;
	}
	pthread_t th[64];
	if (nthreads > 64)
		nthreads = 64;
	for (int i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, worker, NULL)) {
			fprintf(stderr, "pthread_create failed\n");
			return 2;
		}
	/* the counts file exists and holds "0 0" before the pid is printed */
	char buf[64];
	int len = snprintf(buf, sizeof(buf), "%20ld %20ld\n", 0L, 0L);
	if (pwrite(cfd, buf, len, 0) != len)
		return 3;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	long n = 0;
	while (now_sec() < end_time) {
		progress_write(pfd, ++n);
		len = snprintf(buf, sizeof(buf), "%20ld %20ld\n",
			       __atomic_load_n(&usr1_count, __ATOMIC_RELAXED),
			       __atomic_load_n(&rt_count, __ATOMIC_RELAXED));
		if (pwrite(cfd, buf, len, 0) != len)
			return 3;
		sleep_ms(5);
	}
	for (int i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	return 0;
}
