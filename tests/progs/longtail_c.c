/*
 * Issue 21's option remainders (tests/e2e/test_longtail_c.py): a memfd
 * (-y shows "</memfd:x>(deleted)"), a directory entry longer than -s
 * (getdents64's d_name is shown in full under -v).
 *
 * "longtail_c signals": siginfo as strace prints it: sigqueue with and
 * without a value, one with si_errno, a timer's, SIGSEGV at NULL (and
 * SI_KERNEL from a privileged instruction), a child's CPU time in SIGCHLD,
 * a seccomp SIGSYS.
 * "longtail_c pidfd": a pidfd (-yy: "<pid:N>" while the child lives).
 * "longtail_c groupexit": calls that never return (killed, group exit).
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf jump;
static void back(int sig) { (void)sig; siglongjmp(jump, 1); }
static void quiet(int sig) { (void)sig; }

static int signals(void)
{
	struct sigaction sa = { .sa_handler = quiet };
	sigaction(SIGUSR1, &sa, NULL);
	union sigval v = { .sival_ptr = NULL };
	sigqueue(getpid(), SIGUSR1, v);              /* no si_int, si_ptr */
	v.sival_ptr = (void *)0x1234;
	sigqueue(getpid(), SIGUSR1, v);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_errno = ENOENT;
	si.si_pid = getpid();
	si.si_ptr = (void *)0x10;
	syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si);

	/* a timer's signal: timer id 0, si_int 0 and si_ptr NULL shown */
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	timer_t t;
	if (timer_create(CLOCK_MONOTONIC, &ev, &t) == 0) {
		struct itimerspec it = { .it_value = { 0, 1000 } };
		sigset_t m, none;
		sigemptyset(&m);
		sigemptyset(&none);
		sigaddset(&m, SIGUSR1);
		sigprocmask(SIG_BLOCK, &m, NULL);
		timer_settime(t, 0, &it, NULL);
		sigsuspend(&none);                       /* delivered here */
		sigprocmask(SIG_UNBLOCK, &m, NULL);
		timer_delete(t);
	}

	sa.sa_handler = back;
	sigaction(SIGSEGV, &sa, NULL);
	if (!sigsetjmp(jump, 1))
		*(volatile int *)0 = 1;                  /* SEGV_MAPERR at NULL */
	if (!sigsetjmp(jump, 1))
		__asm__ volatile("hlt");                 /* SI_KERNEL */

	pid_t p = fork();
	if (p == 0) {                                    /* CPU time: si_utime */
		struct tms tm;
		volatile unsigned long x = 0;
		do {
			for (int i = 0; i < 10000000; i++)   /* in user space */
				x += (unsigned long)i;
			times(&tm);
		} while (tm.tms_utime < 2);
		_exit(0);
	}
	waitpid(p, NULL, 0);

	p = fork();
	if (p == 0) {                                    /* SIGSYS of a filter */
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { 4, f };
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
		syscall(SYS_getppid);
		_exit(0);
	}
	waitpid(p, NULL, 0);
	return 0;
}

/* Until task tid sleeps (state S: in a blocking call, its entry seen by
 * any tracer); the state read with open and pread, and the fd left open
 * (a close would be a traced call). */
static void wait_asleep(pid_t tid)
{
	char path[64], st[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	int sfd = open(path, O_RDONLY);
	for (;;) {
		ssize_t n = pread(sfd, st, sizeof(st) - 1, 0);
		if (n <= 0)
			break;
		st[n] = 0;
		const char *rp = strrchr(st, ')');
		if (rp && rp[1] == ' ' && rp[2] == 'S')
			break;
		usleep(1000);
	}
}

static int block_fds[2];
static volatile pid_t blocked_tid[2];

static void *blocker(void *arg)
{
	char c;
	blocked_tid[(long)arg] = (pid_t)syscall(SYS_gettid);
	read(block_fds[0], &c, 1);       /* never returns: the group exits */
	return NULL;
}

/*
 * Calls that never return: a child killed in read(), then two threads in
 * read() when the group exits.  strace 6.1 shows "read(3,  <unfinished
 * ...>) = ?" and "<... read resumed> <unfinished ...>) = ?" (read shows
 * its buffer at exit, which never came).  Each waits asleep before the
 * next step, and the parent's read of a ready byte ends the threads'
 * lines, so that the text does not depend on who runs first.
 */
static int groupexit(void)
{
	int fds[2];
	pipe(fds);
	pid_t p = fork();
	if (p == 0) {
		char c;
		read(fds[0], &c, 1);
		_exit(0);
	}
	wait_asleep(p);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);

	pipe(block_fds);
	pthread_t t[2];
	for (long i = 0; i < 2; i++) {
		pthread_create(&t[i], NULL, blocker, (void *)i);
		while (!blocked_tid[i])
			usleep(1000);
		wait_asleep(blocked_tid[i]);
	}
	char c;
	write(fds[1], "x", 1);
	read(fds[0], &c, 1);
	syscall(SYS_exit_group, 0);
	return 0;
}

static int pidfd(void)
{
	pid_t p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	/* The child asleep in pause() before its pidfd is opened: a tracer
	 * has then seen its first stop and its pause's entry, so strace -f
	 * prefixes the parent's lines with "[pid N]" every time (it did not
	 * when the child's first stop came after them, one run in ten, and
	 * showed "???(" when the kill met the child entering pause).  Its
	 * state read with pread on one fd, which is never closed: no calls
	 * of the traced set but the four below. */
	wait_asleep(p);
	int fd = (int)syscall(SYS_pidfd_open, p, 0);
	syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
	waitpid(p, NULL, 0);
	close(fd);                      /* reaped: anon_inode:[pidfd] again */
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: longtail_c DIR | signals | pidfd | groupexit\n");
		return 2;
	}
	if (strcmp(argv[1], "signals") == 0)
		return signals();
	if (strcmp(argv[1], "pidfd") == 0)
		return pidfd();
	if (strcmp(argv[1], "groupexit") == 0)
		return groupexit();
	const char *dir = argv[1];

	int fd = memfd_create("x", 0);
	write(fd, "a", 1);
	close(fd);

	char path[4096];
	snprintf(path, sizeof(path), "%s/a_directory_entry_name_longer_than_the_limit", dir);
	int f = open(path, O_CREAT | O_WRONLY, 0600);
	close(f);
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	char buf[4096];
	syscall(SYS_getdents64, d, buf, sizeof(buf));
	close(d);

	return 0;
}
