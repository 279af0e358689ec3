/*
 * structs: calls whose decoding shows structs the call reads or fills, for
 * checking that the bpf backend captures them as ptrace reads them:
 *
 *   fstat, newfstatat, statx, fstatfs       (filled: stat, statx, statfs)
 *   clock_gettime, gettimeofday             (filled: timespec, timeval)
 *   nanosleep                               (read: timespec)
 *   pipe2, socketpair                       (filled: two fds)
 *   prlimit64 (getrlimit), sysinfo          (filled)
 *   rt_sigprocmask, rt_sigaction            (read: sigset, sigaction)
 *   poll, epoll_ctl, epoll_wait             (pollfds both ways, epoll_event)
 *   wait4                                   (filled: the status)
 *
 * Calls go through libc, except the time calls, which would not reach the
 * kernel through the vDSO.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct stat st;
	struct statx sx;
	struct statfs sf;
	struct timespec ts, req = { 0, 1000000 };
	struct timeval tv;
	struct rlimit rl;
	struct sysinfo si;
	int p[2], sv[2], status;
	int fd = open("/etc/hostname", O_RDONLY);

	if (fd < 0)
		return 1;
	fstat(fd, &st);
	fstatat(AT_FDCWD, "/etc/hostname", &st, 0);
	statx(AT_FDCWD, "/etc/hostname", 0, STATX_BASIC_STATS, &sx);
	fstatfs(fd, &sf);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	syscall(SYS_gettimeofday, &tv, NULL);
	nanosleep(&req, NULL);
	if (pipe2(p, O_CLOEXEC) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	getrlimit(RLIMIT_NOFILE, &rl);
	sysinfo(&si);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigaction(SIGUSR2, &sa, NULL);

	if (write(p[1], "x", 1) != 1)
		return 1;
	struct pollfd pf[2] = { { p[0], POLLIN, 0 }, { sv[0], POLLIN, 0 } };
	poll(pf, 2, 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = p[0] }, out[4];
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	epoll_wait(ep, out, 4, 0);

	pid_t c = fork();
	if (!c)
		_exit(3);
	wait4(c, &status, 0, NULL);
	return 0;
}
