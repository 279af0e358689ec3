/*
 * struct sockaddr as strace shows it, and the short form JSON uses.
 *
 * The node is a SCRY_V_SOCKADDR whose children are the fields in strace's
 * order (sa_family first); its bytes (str_off/str_len) hold the short
 * address: "10.0.1.50:5432", "[::1]:80", "/run/x.sock", "@name",
 * "netlink:pid=0,groups=0", or the family's name for the others.
 */
#include "decode/decode.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/netlink.h>

/* Address families by number (the kernel's linux/socket.h). */
const struct scry_xlat xlat_af[] = {
	{ 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" }, { 3, "AF_AX25" },
	{ 4, "AF_IPX" }, { 5, "AF_APPLETALK" }, { 6, "AF_NETROM" }, { 7, "AF_BRIDGE" },
	{ 8, "AF_ATMPVC" }, { 9, "AF_X25" }, { 10, "AF_INET6" }, { 11, "AF_ROSE" },
	{ 12, "AF_DECnet" }, { 13, "AF_NETBEUI" }, { 14, "AF_SECURITY" }, { 15, "AF_KEY" },
	{ 16, "AF_NETLINK" }, { 17, "AF_PACKET" }, { 18, "AF_ASH" }, { 19, "AF_ECONET" },
	{ 20, "AF_ATMSVC" }, { 21, "AF_RDS" }, { 22, "AF_SNA" }, { 23, "AF_IRDA" },
	{ 24, "AF_PPPOX" }, { 25, "AF_WANPIPE" }, { 26, "AF_LLC" }, { 27, "AF_IB" },
	{ 28, "AF_MPLS" }, { 29, "AF_CAN" }, { 30, "AF_TIPC" }, { 31, "AF_BLUETOOTH" },
	{ 32, "AF_IUCV" }, { 33, "AF_RXRPC" }, { 34, "AF_ISDN" }, { 35, "AF_PHONET" },
	{ 36, "AF_IEEE802154" }, { 37, "AF_CAIF" }, { 38, "AF_ALG" }, { 39, "AF_NFC" },
	{ 40, "AF_VSOCK" }, { 41, "AF_KCM" }, { 42, "AF_QIPCRTR" }, { 43, "AF_SMC" },
	{ 44, "AF_XDP" }, { 45, "AF_MCTP" },
	{ 0, NULL },
};

static const char *af_name(unsigned fam)
{
	for (const struct scry_xlat *x = xlat_af; x->name; x++)
		if (x->val == fam)
			return x->name;
	return NULL;
}


static void family_node(struct dctx *d, unsigned fam)
{
	v_enum(d, "sa_family", fam, xlat_af);
	if (!af_name(fam)) {
		/* strace: sa_family=0xfa  AF_??? */
		v_last(d)->fmt = 1;
		v_comment(d, NULL, "AF_???");
	}
}

static void set_short(struct dctx *d, size_t node, const void *s, size_t n)
{
	uint32_t off = scry_values_bytes(d->out, s, n);
	d->out->v[node].str_off = off;
	d->out->v[node].str_len = (uint32_t)n;
}

/* Fields strace does not know: the bytes after the family. */
static void sa_data(struct dctx *d, const unsigned char *p, size_t len)
{
	if (len > 2)
		v_bytes(d, "sa_data", p + 2, len - 2, 0);
}

static int inet(struct dctx *d, size_t node, const unsigned char *p, size_t len)
{
	struct sockaddr_in sin;
	char ip[INET_ADDRSTRLEN], s[64];
	if (len < sizeof(sin))
		return 0;
	memcpy(&sin, p, sizeof(sin));
	inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
	v_func_uint(d, "sin_port", "htons", ntohs(sin.sin_port));
	size_t f = v_func_begin(d, "sin_addr", "inet_addr");
	v_bytes(d, NULL, ip, strlen(ip), 0);
	v_end(d, f);
	int n = snprintf(s, sizeof(s), "%s:%u", ip, ntohs(sin.sin_port));
	set_short(d, node, s, (size_t)n);
	return 1;
}

/* The size of struct sockaddr_in6 before sin6_scope_id (RFC 2133). */
#define SIN6_MIN_LEN 24

static int inet6(struct dctx *d, size_t node, const unsigned char *p, size_t len)
{
	struct sockaddr_in6 sin6;
	char ip[INET6_ADDRSTRLEN], s[96];
	if (len < SIN6_MIN_LEN)
		return 0;
	memset(&sin6, 0, sizeof(sin6));
	memcpy(&sin6, p, len < sizeof(sin6) ? len : sizeof(sin6));
	inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof(ip));
	v_func_uint(d, "sin6_port", "htons", ntohs(sin6.sin6_port));
	v_func_uint(d, "sin6_flowinfo", "htonl", ntohl(sin6.sin6_flowinfo));
	/* inet_pton(AF_INET6, "::1", &sin6_addr) */
	size_t f = v_func_begin(d, "sin6_addr", "inet_pton");
	v_enum(d, "af", AF_INET6, xlat_af);
	v_bytes(d, "addr", ip, strlen(ip), 0);
	v_end(d, f);
	d->out->v[f].fmt = SCRY_FMT_ADDROF;
	if (len >= sizeof(sin6)) {
		char ifname[IF_NAMESIZE];
		/* strace names the interface of link-local addresses. */
		if (sin6.sin6_scope_id &&
		    (IN6_IS_ADDR_LINKLOCAL(&sin6.sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&sin6.sin6_addr)) &&
		    if_indextoname(sin6.sin6_scope_id, ifname)) {
			f = v_func_begin(d, "sin6_scope_id", "if_nametoindex");
			v_bytes(d, NULL, ifname, strlen(ifname), 0);
			v_end(d, f);
		} else
			v_uint(d, "sin6_scope_id", sin6.sin6_scope_id);
	}
	int n = snprintf(s, sizeof(s), "[%s]:%u", ip, ntohs(sin6.sin6_port));
	set_short(d, node, s, (size_t)n);
	return 1;
}

static int unix_(struct dctx *d, size_t node, const unsigned char *p, size_t len)
{
	const size_t off = offsetof(struct sockaddr_un, sun_path);
	const size_t max = sizeof(((struct sockaddr_un *)0)->sun_path);
	if (len <= off) {
		set_short(d, node, "", 0);
		return 1;
	}
	size_t n = len - off < max ? len - off : max;
	const unsigned char *path = p + off;
	if (path[0] == '\0' && n > 1) {
		/* Abstract: every byte after the NUL is the name (@"name"). */
		v_bytes(d, "sun_path", path + 1, n - 1, 0);
		v_last(d)->fmt |= SCRY_FMT_AT;
		struct strbuf sb;
		strbuf_init(&sb, 0);
		strbuf_addch(&sb, '@');
		strbuf_add(&sb, path + 1, n - 1);
		set_short(d, node, sb.buf, sb.len);
		strbuf_release(&sb);
		return 1;
	}
	const unsigned char *z = memchr(path, 0, n);
	if (z)
		n = (size_t)(z - path);
	v_bytes(d, "sun_path", path, n, 0);
	set_short(d, node, path, n);
	return 1;
}

static int netlink(struct dctx *d, size_t node, const unsigned char *p, size_t len)
{
	struct sockaddr_nl nl;
	char s[64];
	if (len < sizeof(nl))
		return 0;
	memcpy(&nl, p, sizeof(nl));
	v_int(d, "nl_pid", (int32_t)nl.nl_pid);   /* strace: signed */
	v_hex(d, "nl_groups", nl.nl_groups);
	v_last(d)->fmt = SCRY_FMT_HEX08;
	int n = snprintf(s, sizeof(s), "netlink:pid=%u,groups=%u", nl.nl_pid, nl.nl_groups);
	set_short(d, node, s, (size_t)n);
	return 1;
}

size_t v_sockaddr_bytes(struct dctx *d, const char *name, const void *sa, size_t len)
{
	const unsigned char *p = sa;
	size_t node = scry_values_push(d->out, SCRY_V_SOCKADDR, name);
	if (len < sizeof(sa_family_t)) {
		/* Too short for even the family: strace prints the bytes' address;
		 * we have no address here, so an empty struct. */
		v_end(d, node);
		return node;
	}
	sa_family_t fam;
	memcpy(&fam, p, sizeof(fam));
	family_node(d, fam);
	int done = 0;
	switch (fam) {
	case AF_INET: done = inet(d, node, p, len); break;
	case AF_INET6: done = inet6(d, node, p, len); break;
	case AF_UNIX: done = unix_(d, node, p, len); break;
	case AF_NETLINK: done = netlink(d, node, p, len); break;
	}
	if (!done) {
		sa_data(d, p, len);
		const char *fn = af_name(fam);
		char s[32];
		int n = fn ? snprintf(s, sizeof(s), "%s", fn) : snprintf(s, sizeof(s), "%u", fam);
		set_short(d, node, s, (size_t)n);
	}
	v_end(d, node);
	return node;
}

size_t v_sockaddr(struct dctx *d, const char *name, uint64_t addr, int64_t len)
{
	if (!addr)
		return v_ptr(d, name, 0);
	if (len < (int64_t)sizeof(sa_family_t))
		return v_ptr(d, name, addr);
	struct sockaddr_storage ss;
	size_t want = (uint64_t)len < sizeof(ss) ? (size_t)len : sizeof(ss);
	if (d_read_exact(d, addr, &ss, want) < 0)
		return v_unread(d, name, addr);
	return v_sockaddr_bytes(d, name, &ss, want);
}
