/*
 * Unit tests for the net decoders (src/decode/net.c, sockaddr.c).
 *
 * Each call is really made in this process on loopback sockets or
 * socketpairs: decoded at entry, made with syscall(2), decoded at exit,
 * and the line rendered as strace prints it.
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
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "result_text.h"

static decoder_fn *decoders;
static const struct scry_syscall_table *table;

struct call {
	struct scry_values in, out;
	struct dctx d;
	struct strbuf text;
	uint64_t args[6];
};

/* Decode name(args) around the real call; c->text is strace's line. */
static int64_t trace(struct call *c, const char *name, uint64_t a0, uint64_t a1,
		     uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long nr = scry_syscall_lookup(table, name);
	assert_true(nr >= 0);
	memset(c, 0, sizeof(*c));
	c->in = (struct scry_values)SCRY_VALUES_INIT;
	c->out = (struct scry_values)SCRY_VALUES_INIT;
	strbuf_init(&c->text, 0);
	uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	memcpy(c->args, args, sizeof(args));
	struct dctx *d = &c->d;
	d->pid = d->tid = getpid();
	d->nr = nr;
	d->info = scry_syscall_get(table, nr);
	d->args = c->args;
	d->limit = 32;
	d->out = &c->in;
	int more = decoders[nr](d) == DEC_MORE;
	long r = syscall(nr, a0, a1, a2, a3, a4, a5);
	d->exiting = 1;
	d->failed = r < 0;
	d->ret = r < 0 ? -errno : r;
	d->out = &c->out;
	if (more)
		decoders[nr](d);
	strbuf_addf(&c->text, "%s(", name);
	render_text_list(&c->text, &c->in, 0, 1);
	render_text_list(&c->text, &c->out, 0, c->in.n == 0);
	strbuf_addstr(&c->text, ") = ");
	render_result(&c->text, d);
	return d->ret;
}

static void release(struct call *c)
{
	scry_values_release(&c->in);
	scry_values_release(&c->out);
	strbuf_release(&c->text);
}

static void expect(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect(struct call *c, const char *fmt, ...)
{
	char want[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	assert_string_equal(c->text.buf, want);
	release(c);
}

#define U(p) ((uint64_t)(uintptr_t)(p))

static int setup(void **state)
{
	table = scry_native_table();
	decoders = decoders_build(table);
	return decoders ? 0 : -1;
}

static int teardown(void **state)
{
	free(decoders);
	return 0;
}

static void test_socket(void **state)
{
	struct call c;
	int fd = (int)trace(&c, "socket", AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0);
	expect(&c, "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) = %d", fd);
	close(fd);
	fd = (int)trace(&c, "socket", AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP, 0, 0, 0);
	expect(&c, "socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_UDP) = %d", fd);
	close(fd);
	fd = (int)trace(&c, "socket", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, 0, 0, 0);
	expect(&c, "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) = %d", fd);
	close(fd);
	trace(&c, "socket", 250, 77, 99, 0, 0, 0);
	assert_int_equal(c.d.rfmt, R_FD);
	/* The errno depends on the kernel: compare up to it. */
	const char *want = "socket(0xfa /* AF_??? */, 0x4d /* SOCK_??? */, 99) = -1 E";
	assert_int_equal(strncmp(c.text.buf, want, strlen(want)), 0);
	release(&c);
}

static void test_socketpair_send_recv(void **state)
{
	struct call c;
	int sv[2];
	trace(&c, "socketpair", AF_UNIX, SOCK_STREAM, 0, U(sv), 0, 0);
	expect(&c, "socketpair(AF_UNIX, SOCK_STREAM, 0, [%d, %d]) = 0", sv[0], sv[1]);
	/* The typed form: an array of two fds. */
	trace(&c, "socketpair", AF_UNIX, SOCK_DGRAM, 0, U(sv), 0, 0);
	assert_int_equal(c.out.v[0].type, SCRY_V_ARRAY);
	assert_int_equal(c.out.v[0].count, 2);
	assert_int_equal(c.out.v[1].type, SCRY_V_FD);
	assert_int_equal(c.out.v[1].i, sv[0]);
	release(&c);

	trace(&c, "sendto", sv[0], U("hello\n\1"), 7, MSG_DONTWAIT, 0, 0);
	expect(&c, "sendto(%d, \"hello\\n\\1\", 7, MSG_DONTWAIT, NULL, 0) = 7", sv[0]);
	char buf[64];
	trace(&c, "recvfrom", sv[1], U(buf), sizeof(buf), 0, 0, 0);
	expect(&c, "recvfrom(%d, \"hello\\n\\1\", 64, 0, NULL, NULL) = 7", sv[1]);
	trace(&c, "recvfrom", sv[1], U(buf), sizeof(buf), MSG_DONTWAIT, 0, 0);
	char want[256];
	snprintf(want, sizeof(want), "recvfrom(%d, %p, 64, MSG_DONTWAIT, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)", sv[1], (void *)buf);
	expect(&c, "%s", want);

	/* -s 32 cuts the buffer. */
	char big[100];
	memset(big, 'x', sizeof(big));
	trace(&c, "sendto", sv[0], U(big), sizeof(big), 0, 0, 0);
	expect(&c, "sendto(%d, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 100, 0, NULL, 0) = 100", sv[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_inet_bind_listen_accept(void **state)
{
	struct call c;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(0) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	trace(&c, "bind", s, U(&a), sizeof(a), 0, 0, 0);
	/* Typed: a SOCKADDR with its short form. */
	assert_int_equal(c.in.v[1].type, SCRY_V_SOCKADDR);
	assert_string_equal(c.in.v[1].name, "umyaddr");
	assert_int_equal(c.in.v[1].count, 3);
	assert_int_equal(c.in.v[1].str_len, strlen("127.0.0.1:0"));
	assert_memory_equal(scry_value_str(&c.in, &c.in.v[1]), "127.0.0.1:0", c.in.v[1].str_len);
	assert_string_equal(c.in.v[2].name, "sa_family");
	assert_int_equal(c.in.v[2].type, SCRY_V_ENUM);
	assert_int_equal(c.in.v[2].i, AF_INET);
	assert_string_equal(c.in.v[3].name, "sin_port");
	expect(&c, "bind(%d, {sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0", s);

	trace(&c, "listen", s, 5, 0, 0, 0, 0);
	expect(&c, "listen(%d, 5) = 0", s);

	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	trace(&c, "getsockname", s, U(&ss), U(&sl), 0, 0, 0);
	unsigned port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	expect(&c, "getsockname(%d, {sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 0", s, port);

	int cl = socket(AF_INET, SOCK_STREAM, 0);
	trace(&c, "connect", cl, U(&ss), 16, 0, 0, 0);
	expect(&c, "connect(%d, {sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0", cl, port);

	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	int fd = (int)trace(&c, "accept4", s, U(&peer), U(&pl), SOCK_NONBLOCK | SOCK_CLOEXEC, 0, 0);
	assert_true(fd >= 0);
	expect(&c, "accept4(%d, {sa_family=AF_INET, sin_port=htons(%u), sin_addr=inet_addr(\"127.0.0.1\")}, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = %d",
	       s, ntohs(peer.sin_port), fd);
	close(fd);

	/* Nothing pending: EAGAIN, the output pointers as addresses. */
	int f = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, f | O_NONBLOCK);
	pl = sizeof(peer);
	trace(&c, "accept", s, U(&peer), U(&pl), 0, 0, 0);
	char want[256];
	snprintf(want, sizeof(want), "accept(%d, %p, [16]) = -1 EAGAIN (Resource temporarily unavailable)", s, (void *)&peer);
	expect(&c, "%s", want);
	trace(&c, "accept", s, 0, 0, 0, 0, 0);
	expect(&c, "accept(%d, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)", s);

	trace(&c, "shutdown", cl, SHUT_WR, 0, 0, 0, 0);
	expect(&c, "shutdown(%d, SHUT_WR) = 0", cl);
	trace(&c, "shutdown", cl, 7, 0, 0, 0, 0);
	expect(&c, "shutdown(%d, 0x7 /* SHUT_??? */) = -1 EINVAL (Invalid argument)", cl);
	close(cl);
	close(s);
}

static void test_inet6(void **state)
{
	struct call c;
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	trace(&c, "bind", s, U(&a), sizeof(a), 0, 0, 0);
	assert_memory_equal(scry_value_str(&c.in, &c.in.v[1]), "[::1]:0", 7);
	expect(&c, "bind(%d, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0", s);
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	unsigned port = ntohs(a.sin6_port);
	trace(&c, "sendto", s, U("x"), 1, 0, U(&a), sizeof(a));
	expect(&c, "sendto(%d, \"x\", 1, 0, {sa_family=AF_INET6, sin6_port=htons(%u), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 1", s, port);
	char buf[16];
	struct sockaddr_in6 from;
	socklen_t fl = sizeof(from);
	trace(&c, "recvfrom", s, U(buf), sizeof(buf), 0, U(&from), U(&fl));
	expect(&c, "recvfrom(%d, \"x\", 16, 0, {sa_family=AF_INET6, sin6_port=htons(%u), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, [28]) = 1", s, port);
	close(s);
}

/* Render one sockaddr from bytes; returns the short form. */
static void sockaddr_text(const void *sa, size_t len, const char *text, const char *shortform)
{
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	memset(&d, 0, sizeof(d));
	d.pid = d.tid = getpid();
	d.limit = 32;
	d.out = &vs;
	size_t i = v_sockaddr_bytes(&d, "addr", sa, len);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	render_text_value(&sb, &vs, i);
	assert_string_equal(sb.buf, text);
	assert_int_equal(vs.v[i].type, SCRY_V_SOCKADDR);
	assert_int_equal(vs.v[i].str_len, strlen(shortform));
	assert_memory_equal(scry_value_str(&vs, &vs.v[i]), shortform, strlen(shortform));
	strbuf_release(&sb);
	scry_values_release(&vs);
}

static void test_sockaddr_forms(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(5432) };
	inet_pton(AF_INET, "10.0.1.50", &in.sin_addr);
	sockaddr_text(&in, sizeof(in), "{sa_family=AF_INET, sin_port=htons(5432), sin_addr=inet_addr(\"10.0.1.50\")}", "10.0.1.50:5432");
	/* Too short for its family: the bytes after the family. */
	sockaddr_text(&in, 4, "{sa_family=AF_INET, sa_data=\"\\258\"}", "AF_INET");

	struct sockaddr_un un = { .sun_family = AF_UNIX };
	strcpy(un.sun_path, "/run/x.sock");
	sockaddr_text(&un, sizeof(un), "{sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}", "/run/x.sock");
	sockaddr_text(&un, 2, "{sa_family=AF_UNIX}", "");
	memset(un.sun_path, 0, sizeof(un.sun_path));
	memcpy(un.sun_path, "\0name", 5);
	sockaddr_text(&un, offsetof(struct sockaddr_un, sun_path) + 5, "{sa_family=AF_UNIX, sun_path=@\"name\"}", "@name");

	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	sockaddr_text(&nl, sizeof(nl), "{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}", "netlink:pid=0,groups=0");

	struct sockaddr sx = { .sa_family = 250 };
	memcpy(sx.sa_data, "\1\2", 2);
	sockaddr_text(&sx, 6, "{sa_family=0xfa /* AF_??? */, sa_data=\"\\1\\2\\0\\0\"}", "250");
	sx.sa_family = AF_APPLETALK;
	sockaddr_text(&sx, 4, "{sa_family=AF_APPLETALK, sa_data=\"\\1\\2\"}", "AF_APPLETALK");
}

static void test_unix_abstract_bind(void **state)
{
	struct call c;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	char name[32];
	int n = snprintf(name, sizeof(name), "scry-test-%d", (int)getpid());
	memcpy(un.sun_path + 1, name, (size_t)n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	trace(&c, "bind", s, U(&un), len, 0, 0, 0);
	expect(&c, "bind(%d, {sa_family=AF_UNIX, sun_path=@\"%s\"}, %u) = 0", s, name, len);
	close(s);
}

static void test_msg(void **state)
{
	struct call c;
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct iovec iov[2] = { { "abc", 3 }, { "defgh", 5 } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	trace(&c, "sendmsg", sv[0], U(&m), MSG_DONTWAIT, 0, 0, 0);
	expect(&c, "sendmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abc\", iov_len=3}, {iov_base=\"defgh\", iov_len=5}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_DONTWAIT) = 8", sv[0]);

	char b1[4], b2[20];
	struct iovec riov[2] = { { b1, sizeof(b1) }, { b2, sizeof(b2) } };
	struct msghdr rm = { .msg_iov = riov, .msg_iovlen = 2 };
	trace(&c, "recvmsg", sv[1], U(&rm), 0, 0, 0, 0);
	expect(&c, "recvmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abcd\", iov_len=4}, {iov_base=\"efgh\", iov_len=20}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, 0) = 8", sv[1]);
	trace(&c, "recvmsg", sv[1], U(&rm), MSG_DONTWAIT, 0, 0, 0);
	expect(&c, "recvmsg(%d, {msg_namelen=0}, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)", sv[1]);

	/* SCM_RIGHTS */
	union { char buf[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr align; } cb;
	memset(&cb, 0, sizeof(cb));
	struct msghdr cm = { .msg_iov = iov, .msg_iovlen = 1, .msg_control = cb.buf, .msg_controllen = sizeof(cb.buf) };
	struct cmsghdr *h = CMSG_FIRSTHDR(&cm);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(2 * sizeof(int));
	int fds[2] = { 0, 1 };
	memcpy(CMSG_DATA(h), fds, sizeof(fds));
	trace(&c, "sendmsg", sv[0], U(&cm), 0, 0, 0, 0);
	expect(&c, "sendmsg(%d, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abc\", iov_len=3}], msg_iovlen=1, msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1]}], msg_controllen=24, msg_flags=0}, 0) = 3", sv[0]);
	char rb[8];
	recv(sv[1], rb, sizeof(rb), 0);

	/* mmsg */
	struct mmsghdr mm[2];
	memset(mm, 0, sizeof(mm));
	struct iovec i1 = { "one", 3 }, i2 = { "two!", 4 };
	mm[0].msg_hdr.msg_iov = &i1;
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &i2;
	mm[1].msg_hdr.msg_iovlen = 1;
	trace(&c, "sendmmsg", sv[0], U(mm), 2, 0, 0, 0);
	expect(&c, "sendmmsg(%d, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", iov_len=3}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, {msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"two!\", iov_len=4}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=4}], 2, 0) = 2", sv[0]);
	char r1[10], r2[10];
	struct iovec ri1 = { r1, 10 }, ri2 = { r2, 10 };
	memset(mm, 0, sizeof(mm));
	mm[0].msg_hdr.msg_iov = &ri1;
	mm[0].msg_hdr.msg_iovlen = 1;
	mm[1].msg_hdr.msg_iov = &ri2;
	mm[1].msg_hdr.msg_iovlen = 1;
	struct timespec ts = { 1, 500 };
	trace(&c, "recvmmsg", sv[1], U(mm), 2, MSG_DONTWAIT, U(&ts), 0);
	expect(&c, "recvmmsg(%d, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"one\", iov_len=10}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=3}, {msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"two!\", iov_len=10}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=4}], 2, MSG_DONTWAIT, {tv_sec=1, tv_nsec=500}) = 2", sv[1]);
	close(sv[0]);
	close(sv[1]);
}

static void test_sockopt(void **state)
{
	struct call c;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	trace(&c, "setsockopt", s, SOL_SOCKET, SO_REUSEADDR, U(&one), sizeof(one), 0);
	expect(&c, "setsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", s);
	trace(&c, "setsockopt", s, IPPROTO_TCP, 1 /* TCP_NODELAY */, U(&one), sizeof(one), 0);
	expect(&c, "setsockopt(%d, SOL_TCP, TCP_NODELAY, [1], 4) = 0", s);
	int v = -1;
	socklen_t vl = sizeof(v);
	trace(&c, "getsockopt", s, SOL_SOCKET, SO_REUSEADDR, U(&v), U(&vl), 0);
	expect(&c, "getsockopt(%d, SOL_SOCKET, SO_REUSEADDR, [1], [4]) = 0", s);
	vl = 8;
	trace(&c, "getsockopt", s, SOL_SOCKET, SO_TYPE, U(&v), U(&vl), 0);
	expect(&c, "getsockopt(%d, SOL_SOCKET, SO_TYPE, [1], [8 => 4]) = 0", s);
	struct linger lg = { 1, 5 };
	trace(&c, "setsockopt", s, SOL_SOCKET, SO_LINGER, U(&lg), sizeof(lg), 0);
	expect(&c, "setsockopt(%d, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0", s);
	vl = 4;
	trace(&c, "getsockopt", s, SOL_SOCKET, 1234, U(&v), U(&vl), 0);
	char want[256];
	snprintf(want, sizeof(want), "getsockopt(%d, SOL_SOCKET, 0x4d2 /* SO_??? */, %p, [4]) = -1 ENOPROTOOPT (Protocol not available)", s, (void *)&v);
	expect(&c, "%s", want);
	/* Unreadable value: the address. */
	trace(&c, "setsockopt", s, SOL_SOCKET, SO_SNDBUF, 1, 4, 0);
	expect(&c, "setsockopt(%d, SOL_SOCKET, SO_SNDBUF, 0x1, 4) = -1 EFAULT (Bad address)", s);
	close(s);
}

static void test_unreadable(void **state)
{
	struct call c;
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	trace(&c, "connect", s, 1, 16, 0, 0, 0);
	assert_int_equal(c.in.v[1].type, SCRY_V_UNREAD);
	expect(&c, "connect(%d, 0x1, 16) = -1 EFAULT (Bad address)", s);
	trace(&c, "sendmsg", s, 1, 0, 0, 0, 0);
	expect(&c, "sendmsg(%d, 0x1, 0) = -1 EFAULT (Bad address)", s);
	trace(&c, "recvmsg", s, 1, MSG_DONTWAIT, 0, 0, 0);
	expect(&c, "recvmsg(%d, 0x1, MSG_DONTWAIT) = -1 EFAULT (Bad address)", s);
	struct sockaddr_storage ss;
	trace(&c, "getsockname", s, U(&ss), 1, 0, 0, 0);
	char want[256];
	snprintf(want, sizeof(want), "getsockname(%d, %p, 0x1) = -1 EFAULT (Bad address)", s, (void *)&ss);
	expect(&c, "%s", want);
	trace(&c, "socketpair", AF_UNIX, SOCK_STREAM, 0, 1, 0, 0);
	expect(&c, "socketpair(AF_UNIX, SOCK_STREAM, 0, 0x1) = -1 EFAULT (Bad address)");
	trace(&c, "sendmmsg", s, 1, 1, 0, 0, 0);
	expect(&c, "sendmmsg(%d, 0x1, 1, 0) = -1 EFAULT (Bad address)", s);
	close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_socketpair_send_recv),
		cmocka_unit_test(test_inet_bind_listen_accept),
		cmocka_unit_test(test_inet6),
		cmocka_unit_test(test_sockaddr_forms),
		cmocka_unit_test(test_unix_abstract_bind),
		cmocka_unit_test(test_msg),
		cmocka_unit_test(test_sockopt),
		cmocka_unit_test(test_unreadable),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
