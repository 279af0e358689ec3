/*
 * sockinfo: socket details for -yy (see sockinfo.h).
 *
 * Two sources, same output:
 *   1. NETLINK_SOCK_DIAG, when the traced process shares scry's network
 *      namespace (a diag socket only sees its own namespace).  Unix sockets
 *      are looked up exactly by inode (unix_diag_get_exact); inet sockets
 *      have no lookup by inode, so the family/protocol table is dumped and
 *      scanned; netlink sockets likewise.
 *   2. /proc/PID/net/<table>, otherwise or when sock_diag fails (module
 *      absent, seccomp, ...).  Those files lack a unix socket's peer.
 */
#include "decode/sockinfo.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif

/* ---- bounded output ---------------------------------------------------- */

struct out {
	char *p;
	size_t len;  /* capacity, > 0 */
	size_t n;    /* bytes wanted so far (may exceed len) */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t room = o->n < o->len ? o->len - o->n : 0;
	int r = vsnprintf(room ? o->p + o->n : NULL, room, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->n += (size_t)r;
}

static void putc_(struct out *o, char c)
{
	if (o->n + 1 < o->len) {
		o->p[o->n] = c;
		o->p[o->n + 1] = '\0';
	}
	o->n++;
}

static int finish(struct out *o)
{
	if (o->n >= o->len) {
		o->p[o->len - 1] = '\0';
		return -ERANGE;
	}
	o->p[o->n] = '\0';
	return 0;
}

/*
 * strace's string_quote(..., QUOTE_0_TERMINATED) in its default style:
 * stops at the first NUL; C escapes for \" \\ \f \n \r \t \v; printable
 * ASCII as is; other bytes as octal, three digits when an octal digit
 * follows.
 */
static void put_quoted(struct out *o, const unsigned char *s, size_t n)
{
	putc_(o, '"');
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned c = s[i];
		switch (c) {
		case '"': case '\\': putc_(o, '\\'); putc_(o, (char)c); continue;
		case '\f': put(o, "\\f"); continue;
		case '\n': put(o, "\\n"); continue;
		case '\r': put(o, "\\r"); continue;
		case '\t': put(o, "\\t"); continue;
		case '\v': put(o, "\\v"); continue;
		}
		if (c >= ' ' && c < 0x7f) {
			putc_(o, (char)c);
			continue;
		}
		putc_(o, '\\');
		if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
			putc_(o, (char)('0' + (c >> 6)));
			putc_(o, (char)('0' + ((c >> 3) & 7)));
		} else if (c >> 3) {
			if (c >> 6)
				putc_(o, (char)('0' + (c >> 6)));
			putc_(o, (char)('0' + ((c >> 3) & 7)));
		}
		putc_(o, (char)('0' + (c & 7)));
	}
	putc_(o, '"');
}

/* ---- protocols --------------------------------------------------------- */

struct proto {
	const char *name;  /* the kernel's proto name, printed */
	int family;        /* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK */
	int ipproto;       /* inet: the sock_diag protocol */
	const char *file;  /* /proc/PID/net/<file> */
	int diag;          /* sock_diag usable */
};

/* Order matters for sockinfo_describe (no protocol known): most likely first. */
static const struct proto protos[] = {
	{ "UNIX-STREAM", AF_UNIX,    0,               "unix",     1 },
	{ "TCP",         AF_INET,    IPPROTO_TCP,     "tcp",      1 },
	{ "TCPv6",       AF_INET6,   IPPROTO_TCP,     "tcp6",     1 },
	{ "UDP",         AF_INET,    IPPROTO_UDP,     "udp",      1 },
	{ "UDPv6",       AF_INET6,   IPPROTO_UDP,     "udp6",     1 },
	{ "NETLINK",     AF_NETLINK, 0,               "netlink",  1 },
	{ "UDP-Lite",    AF_INET,    IPPROTO_UDPLITE, "udplite",  1 },
	{ "UDPLITEv6",   AF_INET6,   IPPROTO_UDPLITE, "udplite6", 1 },
	{ "RAW",         AF_INET,    IPPROTO_RAW,     "raw",      0 },
	{ "RAWv6",       AF_INET6,   IPPROTO_RAW,     "raw6",     0 },
	{ "PING",        AF_INET,    IPPROTO_ICMP,    "icmp",     0 },
	{ "PINGv6",      AF_INET6,   IPPROTO_ICMPV6,  "icmp6",    0 },
	{ "UNIX",        AF_UNIX,    0,               "unix",     1 },  /* dgram, seqpacket */
};
#define NPROTOS (sizeof(protos) / sizeof(protos[0]))

static const struct proto *find_proto(const char *name)
{
	for (size_t i = 0; i < NPROTOS; i++)
		if (strcmp(protos[i].name, name) == 0)
			return &protos[i];
	return NULL;
}

static const char *const netlink_names[] = {
	[0] = "ROUTE", [1] = "UNUSED", [2] = "USERSOCK", [3] = "FIREWALL",
	[4] = "SOCK_DIAG", [5] = "NFLOG", [6] = "XFRM", [7] = "SELINUX",
	[8] = "ISCSI", [9] = "AUDIT", [10] = "FIB_LOOKUP", [11] = "CONNECTOR",
	[12] = "NETFILTER", [13] = "IP6_FW", [14] = "DNRTMSG",
	[15] = "KOBJECT_UEVENT", [16] = "GENERIC", [18] = "SCSITRANSPORT",
	[19] = "ECRYPTFS", [20] = "RDMA", [21] = "CRYPTO", [22] = "SMC",
};

/* ---- formatting (shared by both sources) ------------------------------ */

static void put_addr(struct out *o, int family, const void *addr, unsigned port)
{
	char buf[INET6_ADDRSTRLEN];
	if (!inet_ntop(family, addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	if (family == AF_INET6)
		put(o, "[%s]:%u", buf, port);
	else
		put(o, "%s:%u", buf, port);
}

static int fmt_inet(struct out *o, const char *name, int family,
		    const void *src, unsigned sport, const void *dst, unsigned dport)
{
	static const unsigned char zero[16];
	size_t alen = family == AF_INET6 ? 16 : 4;
	put(o, "%s:[", name);
	put_addr(o, family, src, sport);
	if (dport || memcmp(dst, zero, alen) != 0) {
		put(o, "->");
		put_addr(o, family, dst, dport);
	}
	put(o, "]");
	return finish(o);
}

/* PATH: N bytes; an abstract name starts with a NUL (printed as @"..."). */
static int fmt_unix(struct out *o, int type, unsigned long inode, unsigned long peer,
		    const unsigned char *path, size_t n)
{
	put(o, "%s:[%lu", type == SOCK_STREAM ? "UNIX-STREAM" : "UNIX", inode);
	if (peer)
		put(o, "->%lu", peer);
	if (n) {
		putc_(o, ',');
		if (path[0] == '\0') {
			putc_(o, '@');
			put_quoted(o, path + 1, n - 1);
		} else {
			put_quoted(o, path, n);
		}
	}
	put(o, "]");
	return finish(o);
}

static int fmt_netlink(struct out *o, unsigned protocol, unsigned portid)
{
	if (protocol < sizeof(netlink_names) / sizeof(netlink_names[0]) && netlink_names[protocol])
		put(o, "NETLINK:[%s:%u]", netlink_names[protocol], portid);
	else
		put(o, "NETLINK:[%u]", protocol);
	return finish(o);
}

/* ---- sock_diag --------------------------------------------------------- */

#define DIAG_BUF 32768

static int diag_open(void)
{
	int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	return s < 0 ? -errno : s;
}

static int diag_send(int s, const void *req, size_t reqlen, int dump)
{
	struct {
		struct nlmsghdr nlh;
		union {
			struct inet_diag_req_v2 inet;
			struct unix_diag_req unx;
			struct netlink_diag_req nl;
		} u;
	} msg;
	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = (uint32_t)NLMSG_LENGTH(reqlen);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0));
	msg.nlh.nlmsg_seq = 1;
	memcpy(&msg.u, req, reqlen);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t r;
	do
		r = sendto(s, &msg, msg.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return 0;
}

/*
 * Read replies until DONE; MATCH is called on each SOCK_DIAG_BY_FAMILY
 * payload and returns 1 when it found (and formatted) the socket, 0 to go
 * on, or -errno.  Returns 0 found, -ENOENT not found, or -errno.
 */
typedef int match_fn(const struct nlmsghdr *h, unsigned long inode, struct out *o,
		     const char *name);

static int diag_recv(int s, unsigned long inode, struct out *o, const char *name, match_fn *match)
{
	char *buf = malloc(DIAG_BUF);
	if (!buf)
		return -ENOMEM;
	int ret = -ENOENT;
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { buf, DIAG_BUF };
		struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(s, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (n == 0 || (mh.msg_flags & MSG_TRUNC)) {
			ret = -EIO;
			break;
		}
		size_t left = (size_t)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_seq != 1)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				goto out;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)))
					ret = e->error ? e->error : -ENOENT;
				else
					ret = -EIO;
				goto out;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
				continue;
			int m = match(h, inode, o, name);
			if (m) {
				ret = m > 0 ? 0 : m;
				goto out;
			}
		}
	}
out:
	free(buf);
	return ret;
}

static int match_inet(const struct nlmsghdr *h, unsigned long inode, struct out *o,
		      const char *name)
{
	const struct inet_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->idiag_inode != inode)
		return 0;
	int fam = m->idiag_family;
	if (fam != AF_INET && fam != AF_INET6)
		return 0;
	int r = fmt_inet(o, name, fam, m->id.idiag_src, ntohs(m->id.idiag_sport),
			 m->id.idiag_dst, ntohs(m->id.idiag_dport));
	return r < 0 ? r : 1;
}

static int match_unix(const struct nlmsghdr *h, unsigned long inode, struct out *o,
		      const char *name)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->udiag_family != AF_UNIX ||
	    m->udiag_ino != inode)
		return 0;
	unsigned long peer = 0;
	const unsigned char *path = NULL;
	size_t plen = 0;
	size_t left = h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));
	const struct nlattr *a = (const struct nlattr *)((const char *)m + NLMSG_ALIGN(sizeof(*m)));
	while (left >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= left) {
		size_t dlen = a->nla_len - NLA_HDRLEN;
		const unsigned char *data = (const unsigned char *)a + NLA_HDRLEN;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case UNIX_DIAG_PEER:
			if (dlen >= sizeof(uint32_t)) {
				uint32_t p;
				memcpy(&p, data, sizeof(p));
				peer = p;
			}
			break;
		case UNIX_DIAG_NAME:
			path = data;
			plen = dlen;
			break;
		}
		size_t step = NLA_ALIGN(a->nla_len);
		if (step >= left)
			break;
		left -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	int r = fmt_unix(o, m->udiag_type, inode, peer, path, plen);
	return r < 0 ? r : 1;
}

static int match_netlink(const struct nlmsghdr *h, unsigned long inode, struct out *o,
			 const char *name)
{
	const struct netlink_diag_msg *m = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)) || m->ndiag_family != AF_NETLINK ||
	    m->ndiag_ino != inode)
		return 0;
	int r = fmt_netlink(o, m->ndiag_protocol, m->ndiag_portid);
	return r < 0 ? r : 1;
}

static int diag_lookup(const struct proto *p, unsigned long inode, struct out *o)
{
	if (inode > UINT32_MAX)
		return -ENOENT;
	int s = diag_open();
	if (s < 0)
		return s;
	int r;
	match_fn *match;
	if (p->family == AF_UNIX) {
		struct unix_diag_req req = {
			.sdiag_family = AF_UNIX,
			.udiag_states = ~0u,
			.udiag_ino = (uint32_t)inode,
			.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER,
			.udiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
		};
		r = diag_send(s, &req, sizeof(req), 0);
		match = match_unix;
	} else if (p->family == AF_NETLINK) {
		struct netlink_diag_req req = {
			.sdiag_family = AF_NETLINK,
			.sdiag_protocol = NDIAG_PROTO_ALL,
			.ndiag_ino = (uint32_t)inode,
			.ndiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE },
		};
		r = diag_send(s, &req, sizeof(req), 1);
		match = match_netlink;
	} else {
		struct inet_diag_req_v2 req = {
			.sdiag_family = (uint8_t)p->family,
			.sdiag_protocol = (uint8_t)p->ipproto,
			.idiag_states = ~0u,
		};
		r = diag_send(s, &req, sizeof(req), 1);
		match = match_inet;
	}
	if (r == 0)
		r = diag_recv(s, inode, o, p->name, match);
	close(s);
	return r;
}

/* ---- /proc/PID/net files ----------------------------------------------- */

static FILE *open_table(pid_t pid, const char *file)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, file);
	return fopen(path, "re");
}

/* 8 hex digits per 32-bit word, each word in host byte order. */
static int parse_hexaddr(const char *hex, unsigned char *addr, int *family)
{
	size_t n = strlen(hex);
	if (n != 8 && n != 32)
		return -1;
	for (size_t w = 0; w < n / 8; w++) {
		char word[9];
		memcpy(word, hex + 8 * w, 8);
		word[8] = '\0';
		char *end;
		uint32_t v = (uint32_t)strtoul(word, &end, 16);
		if (*end)
			return -1;
		memcpy(addr + 4 * w, &v, 4);
	}
	*family = n == 8 ? AF_INET : AF_INET6;
	return 0;
}

static int file_inet(pid_t pid, const struct proto *p, unsigned long inode, struct out *o)
{
	FILE *f = open_table(pid, p->file);
	if (!f)
		return -errno;
	char line[512];
	int ret = -ENOENT;
	if (!fgets(line, sizeof(line), f))  /* header */
		goto out;
	while (fgets(line, sizeof(line), f)) {
		char la[33], ra[33];
		unsigned lp, rp, st;
		unsigned long ino;
		if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
			   la, &lp, ra, &rp, &st, &ino) != 6 || ino != inode)
			continue;
		unsigned char src[16] = { 0 }, dst[16] = { 0 };
		int f1, f2;
		if (parse_hexaddr(la, src, &f1) < 0 || parse_hexaddr(ra, dst, &f2) < 0 || f1 != f2) {
			ret = -EINVAL;
			goto out;
		}
		ret = fmt_inet(o, p->name, f1, src, lp, dst, rp);
		goto out;
	}
out:
	fclose(f);
	return ret;
}

static int file_unix(pid_t pid, unsigned long inode, struct out *o)
{
	FILE *f = open_table(pid, "unix");
	if (!f)
		return -errno;
	char line[512];
	int ret = -ENOENT;
	if (!fgets(line, sizeof(line), f))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		unsigned type;
		unsigned long ino;
		int pos = 0;
		if (sscanf(line, "%*s %*x %*x %*x %x %*x %lu%n", &type, &ino, &pos) != 2 || ino != inode)
			continue;
		char *path = line + pos;
		path += strspn(path, " ");
		size_t n = strcspn(path, "\n");
		unsigned char name[sizeof(line)];
		size_t nl = 0;
		if (n && path[0] == '@') {  /* abstract: leading NUL shown as '@' */
			name[nl++] = '\0';
			path++;
			n--;
		}
		memcpy(name + nl, path, n);
		nl += n;
		ret = fmt_unix(o, (int)type, inode, 0, name, nl);
		goto out;
	}
out:
	fclose(f);
	return ret;
}

static int file_netlink(pid_t pid, unsigned long inode, struct out *o)
{
	FILE *f = open_table(pid, "netlink");
	if (!f)
		return -errno;
	char line[512];
	int ret = -ENOENT;
	if (!fgets(line, sizeof(line), f))
		goto out;
	while (fgets(line, sizeof(line), f)) {
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode: inode is last */
		unsigned proto, portid;
		if (sscanf(line, "%*s %u %u", &proto, &portid) != 2)
			continue;
		char *end = line + strcspn(line, "\n");
		while (end > line && end[-1] == ' ')
			end--;
		char *q = end;
		while (q > line && q[-1] >= '0' && q[-1] <= '9')
			q--;
		if (q == end || strtoul(q, NULL, 10) != inode)
			continue;
		ret = fmt_netlink(o, proto, portid);
		goto out;
	}
out:
	fclose(f);
	return ret;
}

static int file_lookup(pid_t pid, const struct proto *p, unsigned long inode, struct out *o)
{
	if (p->family == AF_UNIX)
		return file_unix(pid, inode, o);
	if (p->family == AF_NETLINK)
		return file_netlink(pid, inode, o);
	return file_inet(pid, p, inode, o);
}

/* ---- entry points ------------------------------------------------------ */

/* 1 when PID is (as far as can be told) in our network namespace. */
static int same_netns(pid_t pid)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
		return 1;  /* unknown: sock_diag finds only unique inodes anyway */
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int lookup(pid_t pid, const struct proto *p, unsigned long inode, int diag,
		  char *out, size_t len)
{
	struct out o = { out, len, 0 };
	if (diag && p->diag) {
		int r = diag_lookup(p, inode, &o);
		if (r == 0 || r == -ENOENT || r == -ERANGE)
			return r;
		o.n = 0;  /* sock_diag failed: the files */
		out[0] = '\0';
	}
	return file_lookup(pid, p, inode, &o);
}

/*
 * What a socket was first found to be, by inode, as strace keeps it: -yy
 * names a socket by its first successful lookup for as long as it lives
 * (a TCP socket bound and then connected stays "TCP:[127.0.0.1:P]"; the
 * surviving end of a socketpair keeps "->PEER" after the peer closed, which
 * the kernel no longer reports).  sockfs inode numbers are not reused
 * before the counter wraps.  One table for the process, behind a lock: a
 * slot is the inode's low bits; a collision replaces the older entry.
 */
#define SOCK_CACHE_SLOTS 256
static struct {
	unsigned long inode;	/* 0: empty */
	char text[160];
} sock_cache[SOCK_CACHE_SLOTS];
static pthread_mutex_t sock_cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* 1 and the text in out when inode is known (and fits), else 0 */
static int cache_get(unsigned long inode, char *out, size_t len)
{
	int hit = 0;
	pthread_mutex_lock(&sock_cache_lock);
	unsigned slot = (unsigned)(inode % SOCK_CACHE_SLOTS);
	if (inode && sock_cache[slot].inode == inode && strlen(sock_cache[slot].text) < len) {
		memcpy(out, sock_cache[slot].text, strlen(sock_cache[slot].text) + 1);
		hit = 1;
	}
	pthread_mutex_unlock(&sock_cache_lock);
	return hit;
}

static void cache_put(unsigned long inode, const char *text)
{
	if (!inode || strlen(text) >= sizeof(sock_cache[0].text))
		return;
	pthread_mutex_lock(&sock_cache_lock);
	unsigned slot = (unsigned)(inode % SOCK_CACHE_SLOTS);
	sock_cache[slot].inode = inode;
	memcpy(sock_cache[slot].text, text, strlen(text) + 1);
	pthread_mutex_unlock(&sock_cache_lock);
}

static int describe_proto(pid_t pid, unsigned long inode, const char *proto,
			  char *out, size_t len);

int sockinfo_describe_proto(pid_t pid, unsigned long inode, const char *proto,
			    char *out, size_t len)
{
	if (!out || !len)
		return -EINVAL;
	if (cache_get(inode, out, len))
		return 0;
	int r = describe_proto(pid, inode, proto, out, len);
	if (r == 0)
		cache_put(inode, out);
	return r;
}

static int describe_proto(pid_t pid, unsigned long inode, const char *proto,
			  char *out, size_t len)
{
	out[0] = '\0';
	int diag = same_netns(pid);
	if (proto) {
		const struct proto *p = find_proto(proto);
		if (!p)
			return -ENOENT;
		return lookup(pid, p, inode, diag, out, len);
	}
	for (size_t i = 0; i < NPROTOS; i++) {
		if (strcmp(protos[i].name, "UNIX") == 0)  /* "UNIX-STREAM" covered both */
			continue;
		int r = lookup(pid, &protos[i], inode, diag, out, len);
		if (r == 0 || r == -ERANGE)
			return r;
		/* other errors (a table absent: module not loaded) mean only
		 * that this table does not hold the inode */
	}
	out[0] = '\0';
	return -ENOENT;
}

int sockinfo_describe(pid_t pid, unsigned long inode, char *out, size_t len)
{
	return sockinfo_describe_proto(pid, inode, NULL, out, len);
}

int sockinfo_proto(pid_t pid, int fd, char *out, size_t len)
{
	if (!out || !len)
		return -EINVAL;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	ssize_t n = getxattr(path, "system.sockprotoname", out, len - 1);
	if (n < 0) {
		out[0] = '\0';
		return -errno;
	}
	out[n] = '\0';
	/* the attribute may carry its terminating NUL */
	return out[0] ? 0 : -ENOENT;
}

int sockinfo_describe_fd(pid_t pid, int fd, unsigned long inode, char *out, size_t len)
{
	if (!out || !len)
		return -EINVAL;
	char proto[64];
	int r = sockinfo_proto(pid, fd, proto, sizeof(proto));
	if (r < 0)
		return sockinfo_describe(pid, inode, out, len);
	r = sockinfo_describe_proto(pid, inode, proto, out, len);
	if (r != -ENOENT || !find_proto(proto))
		return r;
	/* known protocol, socket not in its table (not bound yet) */
	struct out o = { out, len, 0 };
	put(&o, "%s:[%lu]", proto, inode);
	return finish(&o);
}
