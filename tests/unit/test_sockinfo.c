/*
 * Unit tests for src/decode/sockinfo.c: what -yy prints for a socket fd.
 *
 * Real loopback sockets, socketpairs, unix path sockets and netlink
 * sockets are made in this process; each fd's inode (fstat st_ino) is
 * described and compared with the form strace 6.1 -yy prints.
 *
 * The implementation file is included so that the /proc/PID/net parsers
 * (the fallback when sock_diag is unusable or the tracee is in another
 * network namespace) are tested too, on the same sockets.  Its public
 * functions are then defined here, so sockinfo.o is not taken from
 * libscry.a.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include <cmocka.h>

#include "decode/sockinfo.c"

static unsigned long ino_of(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return (unsigned long)st.st_ino;
}

/* describe FD through the public API and check it reads WANT */
static void expect(int fd, const char *want)
{
	char buf[256];
	unsigned long ino = ino_of(fd);
	int r = sockinfo_describe(getpid(), ino, buf, sizeof(buf));
	assert_int_equal(r, 0);
	assert_string_equal(buf, want);

	/* the same with the protocol known (what the fd path does) */
	char proto[32];
	assert_int_equal(sockinfo_proto(getpid(), fd, proto, sizeof(proto)), 0);
	r = sockinfo_describe_proto(getpid(), ino, proto, buf, sizeof(buf));
	assert_int_equal(r, 0);
	assert_string_equal(buf, want);
	r = sockinfo_describe_fd(getpid(), fd, ino, buf, sizeof(buf));
	assert_int_equal(r, 0);
	assert_string_equal(buf, want);
}

/* the /proc/PID/net file for FD's protocol must give WANT */
static void expect_file(int fd, const char *want)
{
	char buf[256], proto[32];
	assert_int_equal(sockinfo_proto(getpid(), fd, proto, sizeof(proto)), 0);
	const struct proto *p = find_proto(proto);
	assert_non_null(p);
	struct out o = { buf, sizeof(buf), 0 };
	assert_int_equal(file_lookup(getpid(), p, ino_of(fd), &o), 0);
	assert_string_equal(buf, want);
}

static int have_sock_diag(void)
{
	int s = diag_open();
	if (s < 0)
		return 0;
	close(s);
	return 1;
}

static unsigned port4(int fd)
{
	struct sockaddr_in sa;
	socklen_t l = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
	return ntohs(sa.sin_port);
}

static unsigned port6(int fd)
{
	struct sockaddr_in6 sa;
	socklen_t l = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &l), 0);
	return ntohs(sa.sin6_port);
}

static void test_tcp4(void **state)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(l >= 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	unsigned lp = port4(l);
	sa.sin_port = htons((uint16_t)lp);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	unsigned cp = port4(c);

	char want[128];
	snprintf(want, sizeof(want), "TCP:[127.0.0.1:%u]", lp);
	expect(l, want);
	expect_file(l, want);
	snprintf(want, sizeof(want), "TCP:[127.0.0.1:%u->127.0.0.1:%u]", cp, lp);
	expect(c, want);
	expect_file(c, want);
	snprintf(want, sizeof(want), "TCP:[127.0.0.1:%u->127.0.0.1:%u]", lp, cp);
	expect(a, want);
	expect_file(a, want);
	close(a);
	close(c);
	close(l);
}

static void test_tcp_any_and_unbound(void **state)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	char want[128];
	snprintf(want, sizeof(want), "TCP:[0.0.0.0:%u]", port4(l));
	expect(l, want);
	expect_file(l, want);
	close(l);

	/* not bound: in no table; strace prints the protocol and inode */
	int u = socket(AF_INET, SOCK_STREAM, 0);
	char buf[64];
	unsigned long ino = ino_of(u);
	assert_int_equal(sockinfo_describe_proto(getpid(), ino, "TCP", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sockinfo_describe_fd(getpid(), u, ino, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "TCP:[%lu]", ino);
	assert_string_equal(buf, want);
	close(u);
}

static void test_tcp6(void **state)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (l >= 0)
			close(l);
		skip();  /* no IPv6 here */
	}
	assert_int_equal(listen(l, 4), 0);
	unsigned lp = port6(l);
	sa.sin6_port = htons((uint16_t)lp);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	unsigned cp = port6(c);

	char want[128];
	snprintf(want, sizeof(want), "TCPv6:[[::1]:%u]", lp);
	expect(l, want);
	expect_file(l, want);
	snprintf(want, sizeof(want), "TCPv6:[[::1]:%u->[::1]:%u]", cp, lp);
	expect(c, want);
	expect_file(c, want);
	snprintf(want, sizeof(want), "TCPv6:[[::1]:%u->[::1]:%u]", lp, cp);
	expect(a, want);
	expect_file(a, want);
	close(a);
	close(c);
	close(l);
}

/* a v6 listener on :: accepting a v4 client: IPv4-mapped addresses */
static void test_tcp6_mapped(void **state)
{
	int l = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	int off = 0;
	if (l < 0 || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (l >= 0)
			close(l);
		skip();
	}
	assert_int_equal(listen(l, 4), 0);
	unsigned lp = port6(l);
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons((uint16_t)lp),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int c = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&s4, sizeof(s4)), 0);
	int a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	unsigned cp = port4(c);

	char want[128];
	snprintf(want, sizeof(want), "TCPv6:[[::]:%u]", lp);
	expect(l, want);
	expect_file(l, want);
	snprintf(want, sizeof(want), "TCPv6:[[::ffff:127.0.0.1]:%u->[::ffff:127.0.0.1]:%u]", lp, cp);
	expect(a, want);
	expect_file(a, want);
	snprintf(want, sizeof(want), "TCP:[127.0.0.1:%u->127.0.0.1:%u]", cp, lp);
	expect(c, want);
	close(a);
	close(c);
	close(l);
}

static void test_udp(void **state)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(u, (struct sockaddr *)&sa, sizeof(sa)), 0);
	unsigned up = port4(u);
	char want[128];
	snprintf(want, sizeof(want), "UDP:[127.0.0.1:%u]", up);
	expect(u, want);
	expect_file(u, want);

	int c = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_port = htons((uint16_t)up);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(want, sizeof(want), "UDP:[127.0.0.1:%u->127.0.0.1:%u]", port4(c), up);
	expect(c, want);
	expect_file(c, want);
	close(c);
	close(u);

	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (u6 >= 0 && bind(u6, (struct sockaddr *)&s6, sizeof(s6)) == 0) {
		snprintf(want, sizeof(want), "UDPv6:[[::1]:%u]", port6(u6));
		expect(u6, want);
		expect_file(u6, want);
	}
	if (u6 >= 0)
		close(u6);
}

static void test_socketpair(void **state)
{
	int sv[2];
	char want[128];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	unsigned long a = ino_of(sv[0]), b = ino_of(sv[1]);
	if (have_sock_diag()) {
		snprintf(want, sizeof(want), "UNIX-STREAM:[%lu->%lu]", a, b);
		expect(sv[0], want);
		snprintf(want, sizeof(want), "UNIX-STREAM:[%lu->%lu]", b, a);
		expect(sv[1], want);
	}
	/* the file has no peer */
	snprintf(want, sizeof(want), "UNIX-STREAM:[%lu]", a);
	expect_file(sv[0], want);
	close(sv[0]);
	close(sv[1]);

	/* datagram and seqpacket sockets are "UNIX" */
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	a = ino_of(sv[0]);
	b = ino_of(sv[1]);
	if (have_sock_diag()) {
		snprintf(want, sizeof(want), "UNIX:[%lu->%lu]", a, b);
		expect(sv[0], want);
	}
	snprintf(want, sizeof(want), "UNIX:[%lu]", b);
	expect_file(sv[1], want);
	close(sv[0]);
	close(sv[1]);
}

static void test_unix_path(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/scry-sockinfo-%d.sock", (int)getpid());
	unlink(sa.sun_path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	unsigned long li = ino_of(l), ci = ino_of(c), ai = ino_of(a);

	char want[256];
	snprintf(want, sizeof(want), "UNIX-STREAM:[%lu,\"%s\"]", li, sa.sun_path);
	expect(l, want);
	expect_file(l, want);
	if (have_sock_diag()) {
		snprintf(want, sizeof(want), "UNIX-STREAM:[%lu->%lu]", ci, ai);
		expect(c, want);
		snprintf(want, sizeof(want), "UNIX-STREAM:[%lu->%lu,\"%s\"]", ai, ci, sa.sun_path);
		expect(a, want);
	}
	snprintf(want, sizeof(want), "UNIX-STREAM:[%lu,\"%s\"]", ai, sa.sun_path);
	expect_file(a, want);
	close(a);
	close(c);
	close(l);
	unlink(sa.sun_path);
}

static void test_unix_abstract_and_quoting(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "scry-abs-%d", (int)getpid());
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(l, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)), 0);
	char want[256];
	snprintf(want, sizeof(want), "UNIX-STREAM:[%lu,@\"%s\"]", ino_of(l), sa.sun_path + 1);
	expect(l, want);
	expect_file(l, want);
	close(l);

	/* strace's quoting of a path: escapes and octal */
	struct sockaddr_un sq = { .sun_family = AF_UNIX };
	snprintf(sq.sun_path, sizeof(sq.sun_path), "/tmp/scry-q\"\\\n\t\0011\001-%d", (int)getpid());
	unlink(sq.sun_path);
	int q = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_int_equal(bind(q, (struct sockaddr *)&sq, sizeof(sq)), 0);
	snprintf(want, sizeof(want), "UNIX:[%lu,\"/tmp/scry-q\\\"\\\\\\n\\t\\0011\\1-%d\"]",
		 ino_of(q), (int)getpid());
	if (have_sock_diag())
		expect(q, want);
	close(q);
	unlink(sq.sun_path);
}

static void test_netlink(void **state)
{
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	assert_true(s >= 0);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t l = sizeof(sa);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &l), 0);
	char want[64];
	snprintf(want, sizeof(want), "NETLINK:[ROUTE:%u]", sa.nl_pid);
	expect(s, want);
	expect_file(s, want);
	close(s);

	s = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_SOCK_DIAG);
	if (s >= 0) {
		struct sockaddr_nl sd = { .nl_family = AF_NETLINK };
		assert_int_equal(bind(s, (struct sockaddr *)&sd, sizeof(sd)), 0);
		l = sizeof(sd);
		assert_int_equal(getsockname(s, (struct sockaddr *)&sd, &l), 0);
		snprintf(want, sizeof(want), "NETLINK:[SOCK_DIAG:%u]", sd.nl_pid);
		expect(s, want);
		close(s);
	}
}

static void test_not_found(void **state)
{
	char buf[64];
	/* a socket that is gone */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 1), 0);
	unsigned long ino = ino_of(s);
	close(s);
	assert_int_equal(sockinfo_describe(getpid(), ino, buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
	assert_int_equal(sockinfo_describe(getpid(), ULONG_MAX - 1, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sockinfo_describe_proto(getpid(), ino, "PACKET", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(sockinfo_describe(getpid(), ino, NULL, 0), -EINVAL);
}

static void test_small_buffer(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	char buf[8];
	assert_int_equal(sockinfo_describe(getpid(), ino_of(sv[0]), buf, sizeof(buf)), -ERANGE);
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp_any_and_unbound),
		cmocka_unit_test(test_tcp6),
		cmocka_unit_test(test_tcp6_mapped),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_socketpair),
		cmocka_unit_test(test_unix_path),
		cmocka_unit_test(test_unix_abstract_and_quoting),
		cmocka_unit_test(test_netlink),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_small_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
