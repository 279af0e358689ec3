/*
 * forker MODE [PROGRESS_FILE] [LIFETIME_S]: process and thread creation cases
 * for the tracer's follow logic.  Every mode exits 0 when everything went as
 * expected and non-zero otherwise, by itself, within a few seconds (stopcont
 * and sigusr1: within LIFETIME_S, default 30).
 *
 *   fork            fork; the child calls getppid and exits 0; parent waits
 *   vfork           vfork; the child _exits 0 at once; parent waits
 *   thread          one thread calls getppid; main joins it
 *   many            20 children at once, each sleeps 100 ms and exits i;
 *                   parent waits for all and checks their statuses
 *   quickchild      10 times: fork, the child _exits 0 immediately
 *   threads N       N threads (64 KiB stacks) made one after another, all
 *                   alive together; each calls getppid; main joins them all
 *   nonleader_exec  a thread that is not the leader execs this program
 *                   again as "forker exec-done", which prints "exec ok"
 *   sigusr1         prints its pid, waits for SIGUSR1 (counting deliveries
 *                   in a handler), waits 300 ms more, prints "count=N";
 *                   exits 0 if N == 1
 *   stopcont        prints its pid, rewrites a counter in PROGRESS_FILE
 *                   every 20 ms (so SIGSTOP/SIGCONT can be observed)
 */
#include "common.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static int wait_ok(pid_t pid, int want)
{
	int st;
	pid_t r;
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r != pid) {
		perror("waitpid");
		return 0;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != want) {
		fprintf(stderr, "child %d: status 0x%x, wanted exit %d\n",
			(int)pid, st, want);
		return 0;
	}
	return 1;
}

static int do_fork(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		getppid();
		_exit(0);
	}
	return !wait_ok(pid, 0);
}

static int do_vfork(void)
{
	pid_t pid = vfork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(0);
	return !wait_ok(pid, 0);
}

static void *thread_getppid(void *arg)
{
	(void)arg;
	getppid();
	return NULL;
}

static int do_thread(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, thread_getppid, NULL) != 0)
		return 1;
	return pthread_join(th, NULL) != 0;
}

static int do_threads(int n)
{
	pthread_t *th = calloc((size_t)n, sizeof(*th));
	pthread_attr_t attr;
	int bad = 0, made = 0;
	if (!th || pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, 64 * 1024))
		return 1;
	for (; made < n; made++)
		if (pthread_create(&th[made], &attr, thread_getppid, NULL) != 0) {
			bad = 1;
			break;
		}
	for (int i = 0; i < made; i++)
		bad |= pthread_join(th[i], NULL) != 0;
	pthread_attr_destroy(&attr);
	free(th);
	return bad;
}

static int do_many(void)
{
	enum { N = 20 };
	pid_t pids[N];
	int bad = 0;
	for (int i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return 1;
		if (pids[i] == 0) {
			sleep_ms(100);
			_exit(i);
		}
	}
	for (int i = 0; i < N; i++)
		bad += !wait_ok(pids[i], i);
	return bad != 0;
}

static int do_quickchild(void)
{
	for (int i = 0; i < 10; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		if (!wait_ok(pid, 0))
			return 1;
	}
	return 0;
}

static void *thread_exec(void *arg)
{
	(void)arg;
	char *args[] = { "forker", "exec-done", NULL };
	execv("/proc/self/exe", args);
	perror("execv");
	_exit(1);
}

static int do_nonleader_exec(void)
{
	pthread_t th;
	if (pthread_create(&th, NULL, thread_exec, NULL) != 0)
		return 1;
	/* The exec replaces this whole process; give up after 10 s. */
	sleep_ms(10000);
	fprintf(stderr, "exec did not happen\n");
	return 1;
}

static volatile sig_atomic_t usr1_count;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static int do_sigusr1(double lifetime)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return 1;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	double end = now_sec() + lifetime;
	while (usr1_count == 0 && now_sec() < end)
		sleep_ms(10);
	sleep_ms(300);	/* a duplicate delivery would land here */
	printf("count=%d\n", (int)usr1_count);
	fflush(stdout);
	return usr1_count != 1;
}

static int do_stopcont(int fd, double lifetime)
{
	double end = now_sec() + lifetime;
	long n = 0;
	printf("%d\n", (int)getpid());
	fflush(stdout);
	progress_write(fd, n);
	while (now_sec() < end) {
		sleep_ms(20);
		progress_write(fd, ++n);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (!strcmp(mode, "fork"))
		return do_fork();
	if (!strcmp(mode, "vfork"))
		return do_vfork();
	if (!strcmp(mode, "thread"))
		return do_thread();
	if (!strcmp(mode, "threads") && argc > 2)
		return do_threads(atoi(argv[2]));
	if (!strcmp(mode, "many"))
		return do_many();
	if (!strcmp(mode, "quickchild"))
		return do_quickchild();
	if (!strcmp(mode, "nonleader_exec"))
		return do_nonleader_exec();
	if (!strcmp(mode, "exec-done")) {
		printf("exec ok\n");
		return 0;
	}
	if (!strcmp(mode, "sigusr1"))
		return do_sigusr1(lifetime_arg(argc, argv, 2));
	if (!strcmp(mode, "stopcont"))
		return do_stopcont(progress_open(argc > 2 ? argv[2] : NULL),
				   lifetime_arg(argc, argv, 3));
	fprintf(stderr, "usage: forker fork|vfork|thread|threads N|many|quickchild|"
		"nonleader_exec|sigusr1 [LIFETIME]|stopcont PROGRESS [LIFETIME]\n");
	return 2;
}
