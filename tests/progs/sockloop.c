/*
 * Sends on sockets in a loop, for measuring what decoding socket data
 * costs the tracer (tests/e2e/test_longtail_d.py):
 *   sockloop N
 * N sendto of 4 bytes on one end of an AF_UNIX datagram socketpair (each
 * read back with recvfrom), then N sendto of an NLMSG_NOOP message (which
 * the kernel ignores) on a NETLINK_ROUTE socket.  Then it closes the
 * netlink socket, puts the socketpair's end on its fd number with dup2
 * and sends once more on that number: the decoder must see the new socket
 * there, not the one it remembered.
 */
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 1;
	char buf[16];
	for (long i = 0; i < n; i++) {
		sendto(sv[0], "ping", 4, 0, NULL, 0);
		recvfrom(sv[1], buf, sizeof(buf), 0, NULL, NULL);
	}
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl < 0)
		return 1;
	struct nlmsghdr h;
	memset(&h, 0, sizeof(h));
	h.nlmsg_len = sizeof(h);
	h.nlmsg_type = NLMSG_NOOP;
	for (long i = 0; i < n; i++) {
		h.nlmsg_seq = (unsigned)i;
		sendto(nl, &h, sizeof(h), 0, NULL, 0);
	}
	/* the netlink fd number now holds the AF_UNIX socket */
	dup2(sv[0], nl);
	h.nlmsg_seq = 0;
	sendto(nl, &h, sizeof(h), 0, NULL, 0);
	recvfrom(sv[1], buf, sizeof(buf), 0, NULL, NULL);
	/* and a new netlink socket on it again */
	close(nl);
	int nl2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (nl2 >= 0) {
		if (nl2 != nl) {
			dup2(nl2, nl);
			close(nl2);
		}
		sendto(nl, &h, sizeof(h), 0, NULL, 0);
	}
	return 0;
}
