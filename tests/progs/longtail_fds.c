/*
 * longtail_fds: the file descriptor kinds of issue 21's second corpus that
 * bench/fidelity's first did not make (its real commands used them through
 * systemd tools, tail -f and python), each used the way programs use them,
 * with known arguments, so that bench/fidelity compares scry's lines with
 * strace's under every option pass (-y and -yy name these fds):
 *
 *   timerfd   timerfd_create, timerfd_settime (relative, then absolute with
 *             TFD_TIMER_ABSTIME), timerfd_gettime, a read of its expiry count
 *   eventfd   eventfd2 with EFD_SEMAPHORE, a write and two reads
 *   signalfd  SIGALRM blocked, signalfd4, a 1 ms setitimer, the signal read
 *             (sent by the kernel: no pid in the bytes read)
 *   inotify   inotify_init1, inotify_add_watch on a directory, a file made
 *             in it, the event read, inotify_rm_watch
 *   epoll     all of the above in one epoll set, waited on once
 *   pselect6  the inotify and eventfd fds, one ready
 *
 * It waits for nothing it has not caused, so each run makes the same calls.
 *
 *   longtail_fds [DIR]   DIR (made and removed) for inotify's directory;
 *                        by default a new /tmp/scry-fds-XXXXXX
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/scry-fds-XXXXXX", path[64];
	char ev[sizeof(struct inotify_event) + 64] __attribute__((aligned(8)));
	struct itimerspec its = { { 0, 0 }, { 0, 1000000 } }, old;
	struct signalfd_siginfo si;
	struct epoll_event e, got[8];
	uint64_t n;
	sigset_t set;
	int tfd, efd, sfd, ifd, ep, wd, fd;

	const char *d = dir;
	if (argc > 1) {
		d = argv[1];
		if (mkdir(d, 0700) < 0)
			die(d);
	} else if (!mkdtemp(dir)) {
		die("mkdtemp");
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/new", d) >= sizeof(path))
		die("directory name too long");

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0 || timerfd_settime(tfd, 0, &its, &old) < 0)
		die("timerfd");
	if (read(tfd, &n, sizeof(n)) != sizeof(n))	/* blocks until it fires */
		die("read timerfd");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	its.it_value.tv_sec = 4000000000LL;	/* far away: never fires */
	its.it_value.tv_nsec = 0;
	its.it_interval.tv_sec = 1;
	if (rt < 0 || timerfd_settime(rt, TFD_TIMER_ABSTIME, &its, NULL) < 0 ||
	    timerfd_gettime(tfd, &old) < 0)
		die("timerfd abstime");
	(void)!read(rt, &n, sizeof(n));	/* EAGAIN */

	efd = eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE);
	n = 2;
	if (efd < 0 || write(efd, &n, sizeof(n)) != sizeof(n) ||
	    read(efd, &n, sizeof(n)) != sizeof(n) || read(efd, &n, sizeof(n)) != sizeof(n))
		die("eventfd");

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask");
	struct itimerval alarm_in = { { 0, 0 }, { 0, 1000 } };
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0 || setitimer(ITIMER_REAL, &alarm_in, NULL) < 0 ||
	    read(sfd, &si, sizeof(si)) != sizeof(si))	/* blocks until it comes */
		die("signalfd");

	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	wd = ifd < 0 ? -1 : inotify_add_watch(ifd, d, IN_CREATE | IN_DELETE | IN_ONLYDIR);
	if (wd < 0)
		die("inotify");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || close(fd) < 0)
		die("open in the watched directory");

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	int fds[] = { tfd, efd, sfd, ifd };
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.events = EPOLLIN;
		e.data.fd = fds[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e) < 0)
			die("epoll_ctl");
	}
	/* only the inotify event is pending: one ready fd, returned at once */
	if (epoll_wait(ep, got, 8, 0) != 1)
		die("epoll_wait");
	/* and as select sees it: the set it is given names its fds under -y,
	 * the set it returns does not */
	fd_set rd;
	struct timespec zero = { 0, 0 };
	FD_ZERO(&rd);
	FD_SET(ifd, &rd);
	FD_SET(efd, &rd);
	if (pselect((ifd > efd ? ifd : efd) + 1, &rd, NULL, NULL, &zero, NULL) != 1)
		die("pselect");
	if (read(ifd, ev, sizeof(ev)) <= 0)
		die("read inotify");
	if (inotify_rm_watch(ifd, wd) < 0 || unlink(path) < 0 || rmdir(d) < 0)
		die("clean up");
	close(ep);
	close(ifd);
	close(sfd);
	close(efd);
	close(rt);
	close(tfd);
	return 0;
}
