/*
 * Calls from known lines, for tests/e2e/test_stack.py (-k, --source, the
 * summaries by call site and by function).  Every traced call is on a line
 * marked SITE:<name>, which the tests find in this file; the functions are
 * not inlined so that each line belongs to the function the tests name.
 *
 *   stack_sites N            N rounds, then exit
 *   stack_sites N loop SECS  print the pid, then rounds every 20 ms for SECS
 *
 * A round: fsync() from flush_logs() (line SITE:fsync_a) twice and from
 * rotate_logs() (SITE:fsync_b) once; getppid() from depth() recursing
 * three deep (SITE:getppid); umask() from a thread (SITE:umask).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

volatile int sink;

__attribute__((noinline)) static void flush_logs(int fd)
{
	fsync(fd);   /* SITE:fsync_a */
	sink++;
}

__attribute__((noinline)) static void rotate_logs(int fd)
{
	fsync(fd);   /* SITE:fsync_b */
	sink++;
}

__attribute__((noinline)) static void depth(int n)
{
	if (n > 0) {
		depth(n - 1);
		sink++;
		return;
	}
	sink += getppid();   /* SITE:getppid */
}

__attribute__((noinline)) static void *thread_fn(void *arg)
{
	sink += (int)umask(022);   /* SITE:umask */
	return arg;
}

__attribute__((noinline)) static void round_once(int fd)
{
	flush_logs(fd);
	flush_logs(fd);
	rotate_logs(fd);
	depth(2);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_fn, NULL) == 0)
		pthread_join(th, NULL);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	char path[] = "/tmp/scry-stack-sites-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	unlink(path);
	if (argc > 3 && !strcmp(argv[2], "loop")) {
		double end = now_sec() + atof(argv[3]);
		printf("%d\n", (int)getpid());
		fflush(stdout);
		while (now_sec() < end) {
			round_once(fd);
			sleep_ms(20);
		}
		return 0;
	}
	for (int i = 0; i < n; i++)
		round_once(fd);
	return 0;
}
