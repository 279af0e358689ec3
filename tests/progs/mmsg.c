/*
 * mmsg: recvmmsg with a timeout, which the kernel writes back with what is
 * left of it (strace: "= 2 (left {tv_sec=0, tv_nsec=...})"), and sendmmsg.
 */
#include <string.h>
#include <sys/socket.h>
#include <time.h>

int main(void)
{
	int sv[2];
	char b1[8], b2[8];
	struct iovec v1 = { b1, sizeof(b1) }, v2 = { b2, sizeof(b2) };
	struct iovec s1 = { "abc", 3 }, s2 = { "de", 2 };
	struct mmsghdr m[2], s[2];
	struct timespec t = { 1, 0 };

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		return 1;
	memset(s, 0, sizeof(s));
	s[0].msg_hdr.msg_iov = &s1;
	s[0].msg_hdr.msg_iovlen = 1;
	s[1].msg_hdr.msg_iov = &s2;
	s[1].msg_hdr.msg_iovlen = 1;
	if (sendmmsg(sv[0], s, 2, 0) != 2)
		return 1;
	memset(m, 0, sizeof(m));
	m[0].msg_hdr.msg_iov = &v1;
	m[0].msg_hdr.msg_iovlen = 1;
	m[1].msg_hdr.msg_iov = &v2;
	m[1].msg_hdr.msg_iovlen = 1;
	return recvmmsg(sv[1], m, 2, 0, &t) == 2 ? 0 : 1;
}
