/*
 * longtail_b: one call of each kind issue 21 (part B) found scry decoding
 * differently from strace, with known arguments, so that
 * tests/e2e/test_longtail_b.py and bench/fidelity compare scry's line with
 * strace's for each:
 *
 *   SysV IPC       shmget shmat shmctl(IPC_STAT) shmdt shmctl(IPC_RMID)
 *                  semget semctl(SETVAL, GETVAL, IPC_STAT) semop semtimedop
 *                  msgget msgsnd msgrcv msgctl(IPC_STAT, IPC_RMID)
 *   POSIX mq       mq_open mq_getsetattr mq_timedsend mq_timedreceive
 *                  mq_notify mq_unlink
 *   ioctls         FIONREAD on a pipe, TIOCSWINSZ/TIOCGWINSZ on a pty,
 *                  SIOCGIFINDEX/SIOCGIFNAME/SIOCGIFFLAGS/SIOCGIFMTU/SIOCGIFADDR
 *                  on lo, BLKSSZGET/BLKGETSIZE64 on /dev/loop0 and a file
 *   cmsg           sendmsg/recvmsg with SCM_RIGHTS and SCM_CREDENTIALS
 *   decorations    fcntl(F_GETFL), rt_sigaction with SA_INTERRUPT,
 *                  getsockopt(SO_ERROR) after a refused connect,
 *                  epoll_ctl(EPOLL_CTL_DEL), SOL_NETLINK options
 *
 * Every object it makes is private (IPC_PRIVATE) or removed before it exits.
 */

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <linux/fs.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef SA_INTERRUPT
#define SA_INTERRUPT 0x20000000
#endif

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static void sysv_shm(void)
{
	struct shmid_ds ds;
	int id = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	if (id < 0)
		return;
	void *p = shmat(id, NULL, SHM_RDONLY);
	shmctl(id, IPC_STAT, &ds);
	if (p != (void *)-1)
		shmdt(p);
	shmctl(id, IPC_RMID, NULL);
	id = shmget(IPC_PRIVATE, 4096, 0600);               /* no flag bits */
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
}

static void sysv_sem(void)
{
	struct semid_ds ds;
	union semun arg;
	int id = semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0)
		return;
	arg.val = 3;
	semctl(id, 0, SETVAL, arg);
	semctl(id, 0, GETVAL);
	arg.buf = &ds;
	semctl(id, 0, IPC_STAT, arg);
	struct sembuf ops[2] = { { 0, -1, SEM_UNDO }, { 1, 1, IPC_NOWAIT } };
	semop(id, ops, 2);                   /* glibc: semtimedop */
	syscall(SYS_semop, id, ops, 1);
	struct timespec ts = { 0, 1000 };
	struct sembuf wait0 = { 1, -5, 0 };
	semtimedop(id, &wait0, 1, &ts);      /* times out: EAGAIN */
	semctl(id, 0, IPC_RMID);
}

static void sysv_msg(void)
{
	struct { long mtype; char mtext[16]; } m = { 7, "hello" }, r;
	struct msqid_ds ds;
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		return;
	msgsnd(id, &m, 5, 0);
	msgrcv(id, &r, sizeof(r.mtext), 0, IPC_NOWAIT);
	msgrcv(id, &r, sizeof(r.mtext), 0, IPC_NOWAIT);   /* empty: ENOMSG */
	msgctl(id, IPC_STAT, &ds);
	msgctl(id, IPC_RMID, NULL);
	id = msgget(IPC_PRIVATE, 0600);                     /* no flag bits */
	if (id >= 0)
		msgctl(id, IPC_RMID, NULL);
}

static void posix_mq(void)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 32 }, old;
	char name[64], buf[32];
	unsigned prio;
	struct timespec ts = { 0, 0 };
	snprintf(name, sizeof(name), "/scry-longtail-%d", (int)getpid());
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	if (q == (mqd_t)-1)
		return;
	mq_getattr(q, &old);
	mq_timedsend(q, "ping", 4, 3, &ts);
	mq_timedreceive(q, buf, sizeof(buf), &prio, &ts);
	mq_timedreceive(q, buf, sizeof(buf), &prio, &ts);   /* empty: ETIMEDOUT */
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
	mq_notify(q, &sev);
	mq_notify(q, NULL);                                 /* unregisters */
	close(q);
	mq_unlink(name);
}

static void ioctls(void)
{
	int p[2];
	int n = 0;
	if (pipe(p) == 0) {
		if (write(p[1], "abc", 3) != 3)
			return;
		ioctl(p[0], FIONREAD, &n);
		close(p[0]);
		close(p[1]);
	}
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0) {
		struct winsize ws = { .ws_row = 24, .ws_col = 80 };
		ioctl(m, TIOCSWINSZ, &ws);
		ioctl(m, TIOCGWINSZ, &ws);
		close(m);
	}
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s >= 0) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, "lo");
		ioctl(s, SIOCGIFINDEX, &ifr);
		ioctl(s, SIOCGIFNAME, &ifr);
		ioctl(s, SIOCGIFFLAGS, &ifr);
		ioctl(s, SIOCGIFMTU, &ifr);
		ioctl(s, SIOCGIFADDR, &ifr);
		strcpy(ifr.ifr_name, "nosuchif0");
		ioctl(s, SIOCGIFINDEX, &ifr);                /* ENODEV */
		close(s);
	}
	/* block device requests: a loop device when we may open one, and a
	 * regular file, which refuses them */
	int b = open("/dev/loop0", O_RDONLY | O_CLOEXEC);
	if (b >= 0) {
		int ssz = 0;
		unsigned long long size = 0;
		ioctl(b, BLKSSZGET, &ssz);
		ioctl(b, BLKGETSIZE64, &size);
		close(b);
	}
	b = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (b >= 0) {
		unsigned long long size = 0;
		ioctl(b, BLKGETSIZE64, &size);               /* ENOTTY */
		close(b);
	}
}

static void cmsgs(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return;
	int one = 1;
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));

	/* SCM_RIGHTS: fd 0 travels, arrives as a new fd */
	char data = 'x';
	struct iovec iov = { &data, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	memset(&u, 0, sizeof(u));
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	int fd0 = 0;
	memcpy(CMSG_DATA(c), &fd0, sizeof(int));
	sendmsg(sv[0], &mh, 0);

	union { char buf[256]; struct cmsghdr align; } r;
	char got;
	struct iovec riov = { &got, 1 };
	struct msghdr rh = { .msg_iov = &riov, .msg_iovlen = 1,
			     .msg_control = r.buf, .msg_controllen = sizeof(r.buf) };
	if (recvmsg(sv[1], &rh, 0) > 0) {
		for (c = CMSG_FIRSTHDR(&rh); c; c = CMSG_NXTHDR(&rh, c))
			if (c->cmsg_type == SCM_RIGHTS) {
				int nfd;
				memcpy(&nfd, CMSG_DATA(c), sizeof(int));
				close(nfd);
			}
	}

	/* SCM_CREDENTIALS: our own, checked by the kernel */
	union { char buf[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } cu;
	memset(&cu, 0, sizeof(cu));
	mh.msg_control = cu.buf;
	mh.msg_controllen = sizeof(cu.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred cr = { getpid(), getuid(), getgid() };
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	sendmsg(sv[0], &mh, 0);
	rh.msg_controllen = sizeof(r.buf);
	recvmsg(sv[1], &rh, 0);
	close(sv[0]);
	close(sv[1]);
}

static void decorations(void)
{
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		fcntl(fd, F_GETFL);
		close(fd);
	}
	int pfd[2];
	if (pipe(pfd) == 0) {		/* the read end's flags are 0: "= 0 (flags O_RDONLY)" */
		fcntl(pfd[0], F_GETFL);
		close(pfd[0]);
		close(pfd[1]);
	}

	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = SA_INTERRUPT;
	sigaction(SIGUSR2, &sa, &old);

	/* a refused connect: the error is read with SO_ERROR */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s >= 0) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1),
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		struct pollfd pfd = { s, POLLOUT, 0 };
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == EINPROGRESS)
			poll(&pfd, 1, 1000);
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
		close(s);
	}

	/* netlink socket options by name */
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl >= 0) {
		int one = 1, val = 0;
		socklen_t len = sizeof(val);
		setsockopt(nl, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
		getsockopt(nl, SOL_NETLINK, NETLINK_EXT_ACK, &val, &len);
		close(nl);
	}

	int ep = epoll_create1(EPOLL_CLOEXEC);
	int p[2];
	if (ep >= 0 && pipe(p) == 0) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 5 };
		epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
		epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev);
		close(p[0]);
		close(p[1]);
		close(ep);
	}
}

int main(void)
{
	sysv_shm();
	sysv_sem();
	sysv_msg();
	posix_mq();
	ioctls();
	cmsgs();
	decorations();
	return 0;
}
