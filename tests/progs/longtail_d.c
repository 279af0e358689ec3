/*
 * Issue 21's remainders, part D (tests/e2e/test_longtail_d.py compares
 * each mode line by line with strace):
 *   longtail_d termios      TCGETS/TCSETS on a pty: the usual words, then
 *                           raw mode (cfmakeraw), then every word 0
 *   longtail_d pidfd_getfd  pidfd_getfd of its own fd, and a failing one
 *   longtail_d fiemap FILE  FS_IOC_FIEMAP on FILE (written here), once
 *                           counting extents, once filling them
 *   longtail_d cmsg         recvmsg with SO_TIMESTAMP, SO_TIMESTAMPNS,
 *                           SO_TIMESTAMPING, IP_TTL, IP_TOS, IP_PKTINFO,
 *                           IP_RECVORIGDSTADDR control messages on UDP over
 *                           loopback; sendmsg with IP_TTL and IP_TOS ones
 *   longtail_d siginfo      queues itself (rt_tgsigqueueinfo, allowed to
 *                           oneself with any si_code) SIGTRAP TRAP_PERF,
 *                           SIGSEGV SEGV_PKUERR and SEGV_BNDERR, SIGBUS BUS_MCEERR_AR and
 *                           BUS_MCEERR_AO, SIGTRAP TRAP_HWBKPT, SIGILL
 *                           ILL_ILLOPC, each caught by a handler
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/net_tstamp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static int termios_mode(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return 1;
	int s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0)
		return 1;
	struct termios t;
	tcgetattr(s, &t);
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	tcgetattr(s, &t);
	t.c_iflag = t.c_oflag = t.c_lflag = 0;
	t.c_cflag = CS8;
	tcsetattr(s, TCSANOW, &t);
	tcgetattr(s, &t);
	close(s);
	close(m);
	return 0;
}

static int pidfd_getfd_mode(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return 1;
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, 0, 0);
	if (fd >= 0)
		close(fd);
	syscall(SYS_pidfd_getfd, pidfd, 999, 0);     /* EBADF */
	syscall(SYS_pidfd_getfd, pidfd, 0, 1);       /* EINVAL */
	syscall(SYS_pidfd_getfd, -1, 0, 0);          /* EBADF */
	close(pidfd);
	return 0;
}

static int fiemap_mode(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	char buf[8192];
	memset(buf, 'x', sizeof(buf));
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		return 1;
	fsync(fd);
	struct {
		struct fiemap fm;
		struct fiemap_extent ext[4];
	} f;
	memset(&f, 0, sizeof(f));
	f.fm.fm_length = FIEMAP_MAX_OFFSET;
	f.fm.fm_flags = FIEMAP_FLAG_SYNC;
	ioctl(fd, FS_IOC_FIEMAP, &f);            /* counts (fm_extent_count 0) */
	memset(&f, 0, sizeof(f));
	f.fm.fm_length = FIEMAP_MAX_OFFSET;
	f.fm.fm_extent_count = 4;
	ioctl(fd, FS_IOC_FIEMAP, &f);            /* fills */
	f.fm.fm_flags = 0x80;                    /* an unknown flag */
	ioctl(fd, FS_IOC_FIEMAP, &f);
	close(fd);
	unlink(path);
	return 0;
}

static int cmsg_mode(void)
{
	int r = socket(AF_INET, SOCK_DGRAM, 0), w = socket(AF_INET, SOCK_DGRAM, 0);
	if (r < 0 || w < 0)
		return 1;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	if (bind(r, (struct sockaddr *)&a, sizeof(a)) < 0 || getsockname(r, (struct sockaddr *)&a, &alen) < 0)
		return 1;
	int one = 1;
	int opts[][2] = {
		{ SOL_SOCKET, SO_TIMESTAMP }, { SOL_SOCKET, SO_TIMESTAMPNS },
		{ IPPROTO_IP, IP_RECVTTL }, { IPPROTO_IP, IP_RECVTOS },
		{ IPPROTO_IP, IP_PKTINFO }, { IPPROTO_IP, IP_RECVORIGDSTADDR },
	};
	char data[4] = "ping", cbuf[512];
	for (size_t i = 0; i <= sizeof(opts) / sizeof(opts[0]); i++) {
		if (i < sizeof(opts) / sizeof(opts[0]))
			setsockopt(r, opts[i][0], opts[i][1], &one, sizeof(one));
		else {
			/* (with SO_TIMESTAMPNS still on: the kernel's receive
			 * timestamps stay enabled, so SO_TIMESTAMPING_OLD comes
			 * in every run) */
			int ts = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
			setsockopt(r, SOL_SOCKET, SO_TIMESTAMPING, &ts, sizeof(ts));
		}
		sendto(w, data, sizeof(data), 0, (struct sockaddr *)&a, sizeof(a));
		struct iovec iov = { data, sizeof(data) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		recvmsg(r, &mh, 0);
	}
	/* sendmsg with IP_TTL and IP_TOS */
	union { char b[CMSG_SPACE(sizeof(int)) * 2]; struct cmsghdr align; } u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &(int){ 7 }, sizeof(int));
	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &(int){ 0x10 }, sizeof(int));
	sendmsg(w, &mh, 0);
	close(r);
	close(w);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

static void queue_self(int sig, int code, void (*fill)(siginfo_t *))
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)0x1000;
	if (fill)
		fill(&si);
	syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), sig, &si);
}

/* the fields after si_addr (the kernel's union __sifields._sigfault) */
struct sigfault_tail {
	int signo, errno_, code, pad;
	void *addr;
	union {
		short addr_lsb;
		struct { char pad[8]; void *lower, *upper; } bnd;   /* _addr_bnd */
		struct { char pad[8]; unsigned pkey; } pkey;        /* _addr_pkey */
		struct { unsigned long data; unsigned type, flags; } perf;
	} u;
};

static void fill_pkey(siginfo_t *si) { ((struct sigfault_tail *)si)->u.pkey.pkey = 5; }
static void fill_bnd(siginfo_t *si)
{
	((struct sigfault_tail *)si)->u.bnd.lower = (void *)0x2000;
	((struct sigfault_tail *)si)->u.bnd.upper = (void *)0x3000;
}
static void fill_lsb(siginfo_t *si) { ((struct sigfault_tail *)si)->u.addr_lsb = 12; }
static void fill_perf(siginfo_t *si)
{
	struct sigfault_tail *t = (struct sigfault_tail *)si;
	t->u.perf.data = 0x1234;
	t->u.perf.type = 2;
	t->u.perf.flags = 1;
}

static int siginfo_mode(void)
{
	int sigs[] = { SIGTRAP, SIGSEGV, SIGBUS, SIGILL };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_signal);
	queue_self(SIGTRAP, 6 /* TRAP_PERF */, fill_perf);
	queue_self(SIGSEGV, 4 /* SEGV_PKUERR */, fill_pkey);
	queue_self(SIGSEGV, 3 /* SEGV_BNDERR */, fill_bnd);
	queue_self(SIGBUS, 4 /* BUS_MCEERR_AR */, fill_lsb);
	queue_self(SIGBUS, 5 /* BUS_MCEERR_AO */, fill_lsb);
	queue_self(SIGTRAP, 4 /* TRAP_HWBKPT */, NULL);
	queue_self(SIGILL, 1 /* ILL_ILLOPC */, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "termios"))
		return termios_mode();
	if (!strcmp(argv[1], "pidfd_getfd"))
		return pidfd_getfd_mode();
	if (!strcmp(argv[1], "fiemap") && argc > 2)
		return fiemap_mode(argv[2]);
	if (!strcmp(argv[1], "cmsg"))
		return cmsg_mode();
	if (!strcmp(argv[1], "siginfo"))
		return siginfo_mode();
	return 2;
}
