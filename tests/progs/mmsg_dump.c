/* Known data through sendmmsg and recvmmsg, which strace's -e write= /
 * -e read= dump message by message (" = N buffers in vector I"): a message
 * over two iovecs and longer than a dump line, with bytes that are not
 * ASCII; a one-byte one; one whose first iovec is empty (where strace stops
 * that message's dump).  Used by test_strace_flags.py. */
#include <string.h>
#include <sys/socket.h>

int main(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	static char m0a[] = "first part, ", m0b[] = "then \x01\x02\x7f\xff and the rest of message 0";
	struct iovec s0[2] = { { m0a, sizeof(m0a) - 1 }, { m0b, sizeof(m0b) - 1 } };
	struct iovec s1[1] = { { (void *)"x", 1 } };
	struct iovec s2[2] = { { (void *)"", 0 }, { (void *)"after", 5 } };
	struct mmsghdr s[3];
	memset(s, 0, sizeof(s));
	s[0].msg_hdr.msg_iov = s0;
	s[0].msg_hdr.msg_iovlen = 2;
	s[1].msg_hdr.msg_iov = s1;
	s[1].msg_hdr.msg_iovlen = 1;
	s[2].msg_hdr.msg_iov = s2;
	s[2].msg_hdr.msg_iovlen = 2;
	if (sendmmsg(sv[0], s, 3, 0) != 3)
		return 1;
	char b[3][2][24];
	struct iovec r[3][2];
	struct mmsghdr m[3];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		r[i][0].iov_base = b[i][0];
		r[i][0].iov_len = 8;
		r[i][1].iov_base = b[i][1];
		r[i][1].iov_len = sizeof(b[i][1]);
		m[i].msg_hdr.msg_iov = r[i];
		m[i].msg_hdr.msg_iovlen = 2;
	}
	/* 2 of the 3: the third is read by the next call */
	if (recvmmsg(sv[1], m, 2, 0, NULL) != 2 || recvmmsg(sv[1], m, 3, MSG_DONTWAIT, NULL) != 1)
		return 1;
	/* a failed one: nothing is dumped */
	if (recvmmsg(sv[1], m, 3, MSG_DONTWAIT, NULL) != -1)
		return 1;
	return 0;
}
