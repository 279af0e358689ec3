/*
 * nl_getlink FAMILY: an RTM_GETLINK dump of one address family on a
 * NETLINK_ROUTE socket, read to its NLMSG_DONE (test_longtail_e: the
 * AF_INET6 dump is how the kernel answers with IFLA_PROTINFO of AF_INET6,
 * which no ip command asks for).  FAMILY is a number (10: AF_INET6).
 * Exit 0 when the dump ended, 1 on an error.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int family = argc > 1 ? atoi(argv[1]) : 10;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bind");
		return 1;
	}
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.ifi.ifi_family = (unsigned char)family;
	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req)) {
		perror("send");
		return 1;
	}
	static char buf[65536] __attribute__((aligned(4)));
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			perror("recv");
			return 1;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return 1;
		}
	}
}
