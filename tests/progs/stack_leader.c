/*
 * A process whose main thread leaves first (tests/e2e/test_stack_bpf.py,
 * issue 13): main makes one getppid() (LEADER:main), so that the process's
 * mappings are sent while it still runs, starts a thread and calls
 * pthread_exit(); the thread
 * waits until the main thread is a zombie (its process keeps running), then
 * makes N getppid() calls from a known line (LEADER:getppid) and returns,
 * which ends the process.
 *
 *   stack_leader N
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

volatile int sink;
static int n_calls;

/* the main thread's state letter in /proc/self/task/PID/stat, or 0 */
static char leader_state(void)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)getpid());
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

__attribute__((noinline)) static void after_leader(void)
{
	sink += getppid();   /* LEADER:getppid */
}

static void *worker(void *arg)
{
	(void)arg;
	struct timespec ts = {0, 1000000};
	for (int i = 0; i < 10000 && leader_state() != 'Z'; i++)
		nanosleep(&ts, NULL);
	for (int i = 0; i < n_calls; i++)
		after_leader();
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;

	n_calls = argc > 1 ? atoi(argv[1]) : 10;
	sink += getppid();   /* LEADER:main */
	if (pthread_create(&th, NULL, worker, NULL))
		return 1;
	pthread_exit(NULL);
}
