/* Known data through every kind of call strace's -e read= / -e write=
 * dump: write, pwrite64, writev (with an empty iovec, where strace stops),
 * sendmsg; read, pread64, readv, recvmsg.  Used by test_strace_flags.py. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	int p[2], sv[2];
	char buf[64], a[5], b[40];
	if (pipe(p) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	static const char text[] = "hello, dump\n\x01\x02\x7f\xff binary and a line longer than 16";
	if (write(p[1], text, sizeof(text) - 1) < 0 || read(p[0], buf, sizeof(buf)) < 0)
		return 1;
	struct iov_pair { struct iovec v[3]; } w = { { { (void *)"abc", 3 }, { (void *)"", 0 }, { (void *)"def", 3 } } };
	if (writev(p[1], w.v, 3) < 0)
		return 1;
	struct iovec r[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	if (readv(p[0], r, 2) < 0)
		return 1;
	struct iovec sv_iov[2] = { { (void *)"sent by ", 8 }, { (void *)"sendmsg", 7 } };
	struct msghdr mh = { .msg_iov = sv_iov, .msg_iovlen = 2 };
	if (sendmsg(sv[0], &mh, 0) < 0)
		return 1;
	struct iovec rv_iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr rh = { .msg_iov = rv_iov, .msg_iovlen = 2 };
	if (recvmsg(sv[1], &rh, 0) < 0)
		return 1;
	FILE *f = tmpfile();
	if (!f || pwrite(fileno(f), "positioned", 10, 4) != 10 || pread(fileno(f), buf, 14, 0) != 14)
		return 1;
	if (write(-1, "x", 1) != -1 || write(p[1], NULL, 0) != 0)
		return 1;
	return 0;
}
