/*
 * Decoders of the net family: socket, bind, connect, accept, send and
 * receive, socket options.  The text follows strace 6.1.
 *
 * Calls whose arguments the kernel fills in (accept's address, recvmsg's
 * msghdr, getsockopt's value) print them at exit; the in/out lengths are
 * saved in d->state at entry so that "[128 => 16]" can be shown.
 */
#include "decode/decode.h"
#include "decode/netlink.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/if_ether.h>

extern const struct scry_xlat xlat_af[];

/* ---- tables ---- */

static const struct scry_xlat xlat_sock_type[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" }, { 4, "SOCK_RDM" },
	{ 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" }, { 10, "SOCK_PACKET" },
	{ 0, NULL },
};

/* SOCK_CLOEXEC and SOCK_NONBLOCK, in strace's order. */
static const struct scry_xlat xlat_sock_flags[] = {
	XLAT(SOCK_CLOEXEC), XLAT(SOCK_NONBLOCK),
	{ 0, NULL },
};

static const struct scry_xlat xlat_ipproto[] = {
	{ 0, "IPPROTO_IP" }, { 1, "IPPROTO_ICMP" }, { 2, "IPPROTO_IGMP" }, { 4, "IPPROTO_IPIP" },
	{ 6, "IPPROTO_TCP" }, { 8, "IPPROTO_EGP" }, { 12, "IPPROTO_PUP" }, { 17, "IPPROTO_UDP" },
	{ 22, "IPPROTO_IDP" }, { 29, "IPPROTO_TP" }, { 33, "IPPROTO_DCCP" }, { 41, "IPPROTO_IPV6" },
	{ 43, "IPPROTO_ROUTING" }, { 44, "IPPROTO_FRAGMENT" }, { 46, "IPPROTO_RSVP" },
	{ 47, "IPPROTO_GRE" }, { 50, "IPPROTO_ESP" }, { 51, "IPPROTO_AH" }, { 58, "IPPROTO_ICMPV6" },
	{ 59, "IPPROTO_NONE" }, { 60, "IPPROTO_DSTOPTS" }, { 92, "IPPROTO_MTP" },
	{ 94, "IPPROTO_BEETPH" }, { 98, "IPPROTO_ENCAP" }, { 103, "IPPROTO_PIM" },
	{ 108, "IPPROTO_COMP" }, { 115, "IPPROTO_L2TP" }, { 132, "IPPROTO_SCTP" },
	{ 135, "IPPROTO_MH" }, { 136, "IPPROTO_UDPLITE" }, { 137, "IPPROTO_MPLS" },
	{ 143, "IPPROTO_ETHERNET" }, { 255, "IPPROTO_RAW" }, { 262, "IPPROTO_MPTCP" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_netlink_proto[] = {
	{ 0, "NETLINK_ROUTE" }, { 1, "NETLINK_UNUSED" }, { 2, "NETLINK_USERSOCK" },
	{ 3, "NETLINK_FIREWALL" }, { 4, "NETLINK_SOCK_DIAG" }, { 5, "NETLINK_NFLOG" },
	{ 6, "NETLINK_XFRM" }, { 7, "NETLINK_SELINUX" }, { 8, "NETLINK_ISCSI" },
	{ 9, "NETLINK_AUDIT" }, { 10, "NETLINK_FIB_LOOKUP" }, { 11, "NETLINK_CONNECTOR" },
	{ 12, "NETLINK_NETFILTER" }, { 13, "NETLINK_IP6_FW" }, { 14, "NETLINK_DNRTMSG" },
	{ 15, "NETLINK_KOBJECT_UEVENT" }, { 16, "NETLINK_GENERIC" }, { 18, "NETLINK_SCSITRANSPORT" },
	{ 19, "NETLINK_ECRYPTFS" }, { 20, "NETLINK_RDMA" }, { 21, "NETLINK_CRYPTO" },
	{ 22, "NETLINK_SMC" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_eth_p[] = {
	{ 0x0003, "ETH_P_ALL" }, { 0x0800, "ETH_P_IP" }, { 0x0806, "ETH_P_ARP" },
	{ 0x86DD, "ETH_P_IPV6" }, { 0x8100, "ETH_P_8021Q" }, { 0x88CC, "ETH_P_LLDP" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_msg_flags[] = {
	{ 0x1, "MSG_OOB" }, { 0x2, "MSG_PEEK" }, { 0x4, "MSG_DONTROUTE" }, { 0x8, "MSG_CTRUNC" },
	{ 0x10, "MSG_PROBE" }, { 0x20, "MSG_TRUNC" }, { 0x40, "MSG_DONTWAIT" }, { 0x80, "MSG_EOR" },
	{ 0x100, "MSG_WAITALL" }, { 0x200, "MSG_FIN" }, { 0x400, "MSG_SYN" }, { 0x800, "MSG_CONFIRM" },
	{ 0x1000, "MSG_RST" }, { 0x2000, "MSG_ERRQUEUE" }, { 0x4000, "MSG_NOSIGNAL" },
	{ 0x8000, "MSG_MORE" }, { 0x10000, "MSG_WAITFORONE" }, { 0x40000, "MSG_BATCH" },
	{ 0x4000000, "MSG_ZEROCOPY" }, { 0x20000000, "MSG_FASTOPEN" },
	{ 0x40000000, "MSG_CMSG_CLOEXEC" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_shut[] = {
	XLAT(SHUT_RD), XLAT(SHUT_WR), XLAT(SHUT_RDWR),
	{ 0, NULL },
};

static const struct scry_xlat xlat_sol[] = {
	{ 0, "SOL_IP" }, { 1, "SOL_SOCKET" }, { 6, "SOL_TCP" }, { 17, "SOL_UDP" },
	{ 41, "SOL_IPV6" }, { 58, "SOL_ICMPV6" }, { 132, "SOL_SCTP" }, { 136, "SOL_UDPLITE" },
	{ 255, "SOL_RAW" }, { 256, "SOL_IPX" }, { 257, "SOL_AX25" }, { 258, "SOL_ATALK" },
	{ 259, "SOL_NETROM" }, { 260, "SOL_ROSE" }, { 261, "SOL_DECNET" }, { 262, "SOL_X25" },
	{ 263, "SOL_PACKET" }, { 264, "SOL_ATM" }, { 265, "SOL_AAL" }, { 266, "SOL_IRDA" },
	{ 267, "SOL_NETBEUI" }, { 268, "SOL_LLC" }, { 269, "SOL_DCCP" }, { 270, "SOL_NETLINK" },
	{ 271, "SOL_TIPC" }, { 272, "SOL_RXRPC" }, { 273, "SOL_PPPOL2TP" }, { 274, "SOL_BLUETOOTH" },
	{ 275, "SOL_PNPIPE" }, { 276, "SOL_RDS" }, { 277, "SOL_IUCV" }, { 278, "SOL_CAIF" },
	{ 279, "SOL_ALG" }, { 280, "SOL_NFC" }, { 281, "SOL_KCM" }, { 282, "SOL_TLS" },
	{ 283, "SOL_XDP" }, { 284, "SOL_MPTCP" }, { 285, "SOL_MCTP" }, { 286, "SOL_SMC" },
	{ 0, NULL },
};

/* asm-generic/socket.h: x86_64 and aarch64 share these numbers. */
static const struct scry_xlat xlat_so[] = {
	{ 1, "SO_DEBUG" }, { 2, "SO_REUSEADDR" }, { 3, "SO_TYPE" }, { 4, "SO_ERROR" },
	{ 5, "SO_DONTROUTE" }, { 6, "SO_BROADCAST" }, { 7, "SO_SNDBUF" }, { 8, "SO_RCVBUF" },
	{ 9, "SO_KEEPALIVE" }, { 10, "SO_OOBINLINE" }, { 11, "SO_NO_CHECK" }, { 12, "SO_PRIORITY" },
	{ 13, "SO_LINGER" }, { 14, "SO_BSDCOMPAT" }, { 15, "SO_REUSEPORT" }, { 16, "SO_PASSCRED" },
	{ 17, "SO_PEERCRED" }, { 18, "SO_RCVLOWAT" }, { 19, "SO_SNDLOWAT" },
	{ 20, "SO_RCVTIMEO_OLD" }, { 21, "SO_SNDTIMEO_OLD" },
	{ 22, "SO_SECURITY_AUTHENTICATION" }, { 23, "SO_SECURITY_ENCRYPTION_TRANSPORT" },
	{ 24, "SO_SECURITY_ENCRYPTION_NETWORK" }, { 25, "SO_BINDTODEVICE" },
	{ 26, "SO_ATTACH_FILTER" }, { 27, "SO_DETACH_FILTER" }, { 28, "SO_PEERNAME" },
	{ 29, "SO_TIMESTAMP_OLD" }, { 30, "SO_ACCEPTCONN" }, { 31, "SO_PEERSEC" },
	{ 32, "SO_SNDBUFFORCE" }, { 33, "SO_RCVBUFFORCE" }, { 34, "SO_PASSSEC" },
	{ 35, "SO_TIMESTAMPNS_OLD" }, { 36, "SO_MARK" }, { 37, "SO_TIMESTAMPING_OLD" },
	{ 38, "SO_PROTOCOL" }, { 39, "SO_DOMAIN" }, { 40, "SO_RXQ_OVFL" }, { 41, "SO_WIFI_STATUS" },
	{ 42, "SO_PEEK_OFF" }, { 43, "SO_NOFCS" }, { 44, "SO_LOCK_FILTER" },
	{ 45, "SO_SELECT_ERR_QUEUE" }, { 46, "SO_BUSY_POLL" }, { 47, "SO_MAX_PACING_RATE" },
	{ 48, "SO_BPF_EXTENSIONS" }, { 49, "SO_INCOMING_CPU" }, { 50, "SO_ATTACH_BPF" },
	{ 51, "SO_ATTACH_REUSEPORT_CBPF" }, { 52, "SO_ATTACH_REUSEPORT_EBPF" },
	{ 53, "SO_CNX_ADVICE" }, { 55, "SO_MEMINFO" }, { 56, "SO_INCOMING_NAPI_ID" },
	{ 57, "SO_COOKIE" }, { 59, "SO_PEERGROUPS" }, { 60, "SO_ZEROCOPY" }, { 61, "SO_TXTIME" },
	{ 62, "SO_BINDTOIFINDEX" }, { 63, "SO_TIMESTAMP_NEW" }, { 64, "SO_TIMESTAMPNS_NEW" },
	{ 65, "SO_TIMESTAMPING_NEW" }, { 66, "SO_RCVTIMEO_NEW" }, { 67, "SO_SNDTIMEO_NEW" },
	{ 68, "SO_DETACH_REUSEPORT_BPF" }, { 69, "SO_PREFER_BUSY_POLL" },
	{ 70, "SO_BUSY_POLL_BUDGET" }, { 71, "SO_NETNS_COOKIE" }, { 72, "SO_BUF_LOCK" },
	{ 73, "SO_RESERVE_MEM" }, { 74, "SO_TXREHASH" }, { 75, "SO_RCVMARK" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_tcp_opt[] = {
	{ 1, "TCP_NODELAY" }, { 2, "TCP_MAXSEG" }, { 3, "TCP_CORK" }, { 4, "TCP_KEEPIDLE" },
	{ 5, "TCP_KEEPINTVL" }, { 6, "TCP_KEEPCNT" }, { 7, "TCP_SYNCNT" }, { 8, "TCP_LINGER2" },
	{ 9, "TCP_DEFER_ACCEPT" }, { 10, "TCP_WINDOW_CLAMP" }, { 11, "TCP_INFO" },
	{ 12, "TCP_QUICKACK" }, { 13, "TCP_CONGESTION" }, { 14, "TCP_MD5SIG" },
	{ 16, "TCP_THIN_LINEAR_TIMEOUTS" }, { 17, "TCP_THIN_DUPACK" }, { 18, "TCP_USER_TIMEOUT" },
	{ 19, "TCP_REPAIR" }, { 20, "TCP_REPAIR_QUEUE" }, { 21, "TCP_QUEUE_SEQ" },
	{ 22, "TCP_REPAIR_OPTIONS" }, { 23, "TCP_FASTOPEN" }, { 24, "TCP_TIMESTAMP" },
	{ 25, "TCP_NOTSENT_LOWAT" }, { 26, "TCP_CC_INFO" }, { 27, "TCP_SAVE_SYN" },
	{ 28, "TCP_SAVED_SYN" }, { 29, "TCP_REPAIR_WINDOW" }, { 30, "TCP_FASTOPEN_CONNECT" },
	{ 31, "TCP_ULP" }, { 32, "TCP_MD5SIG_EXT" }, { 33, "TCP_FASTOPEN_KEY" },
	{ 34, "TCP_FASTOPEN_NO_COOKIE" }, { 35, "TCP_ZEROCOPY_RECEIVE" }, { 36, "TCP_INQ" },
	{ 37, "TCP_TX_DELAY" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_ip_opt[] = {
	{ 1, "IP_TOS" }, { 2, "IP_TTL" }, { 3, "IP_HDRINCL" }, { 4, "IP_OPTIONS" },
	{ 5, "IP_ROUTER_ALERT" }, { 6, "IP_RECVOPTS" }, { 7, "IP_RETOPTS" }, { 8, "IP_PKTINFO" },
	{ 9, "IP_PKTOPTIONS" }, { 10, "IP_MTU_DISCOVER" }, { 11, "IP_RECVERR" },
	{ 12, "IP_RECVTTL" }, { 13, "IP_RECVTOS" }, { 14, "IP_MTU" }, { 15, "IP_FREEBIND" },
	{ 16, "IP_IPSEC_POLICY" }, { 17, "IP_XFRM_POLICY" }, { 18, "IP_PASSSEC" },
	{ 19, "IP_TRANSPARENT" }, { 20, "IP_ORIGDSTADDR" }, { 21, "IP_MINTTL" },
	{ 22, "IP_NODEFRAG" }, { 23, "IP_CHECKSUM" }, { 24, "IP_BIND_ADDRESS_NO_PORT" },
	{ 25, "IP_RECVFRAGSIZE" }, { 26, "IP_RECVERR_RFC4884" },
	{ 32, "IP_MULTICAST_IF" }, { 33, "IP_MULTICAST_TTL" }, { 34, "IP_MULTICAST_LOOP" },
	{ 35, "IP_ADD_MEMBERSHIP" }, { 36, "IP_DROP_MEMBERSHIP" }, { 37, "IP_UNBLOCK_SOURCE" },
	{ 38, "IP_BLOCK_SOURCE" }, { 39, "IP_ADD_SOURCE_MEMBERSHIP" },
	{ 40, "IP_DROP_SOURCE_MEMBERSHIP" }, { 41, "IP_MSFILTER" }, { 42, "MCAST_JOIN_GROUP" },
	{ 43, "MCAST_BLOCK_SOURCE" }, { 44, "MCAST_UNBLOCK_SOURCE" }, { 45, "MCAST_LEAVE_GROUP" },
	{ 46, "MCAST_JOIN_SOURCE_GROUP" }, { 47, "MCAST_LEAVE_SOURCE_GROUP" },
	{ 48, "MCAST_MSFILTER" }, { 49, "IP_MULTICAST_ALL" }, { 50, "IP_UNICAST_IF" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_ipv6_opt[] = {
	{ 1, "IPV6_ADDRFORM" }, { 2, "IPV6_2292PKTINFO" }, { 3, "IPV6_2292HOPOPTS" },
	{ 4, "IPV6_2292DSTOPTS" }, { 5, "IPV6_2292RTHDR" }, { 6, "IPV6_2292PKTOPTIONS" },
	{ 7, "IPV6_CHECKSUM" }, { 8, "IPV6_2292HOPLIMIT" }, { 9, "IPV6_NEXTHOP" },
	{ 10, "IPV6_AUTHHDR" }, { 11, "IPV6_FLOWINFO" }, { 16, "IPV6_UNICAST_HOPS" },
	{ 17, "IPV6_MULTICAST_IF" }, { 18, "IPV6_MULTICAST_HOPS" }, { 19, "IPV6_MULTICAST_LOOP" },
	{ 20, "IPV6_ADD_MEMBERSHIP" }, { 21, "IPV6_DROP_MEMBERSHIP" }, { 22, "IPV6_ROUTER_ALERT" },
	{ 23, "IPV6_MTU_DISCOVER" }, { 24, "IPV6_MTU" }, { 25, "IPV6_RECVERR" },
	{ 26, "IPV6_V6ONLY" }, { 27, "IPV6_JOIN_ANYCAST" }, { 28, "IPV6_LEAVE_ANYCAST" },
	{ 29, "IPV6_MULTICAST_ALL" }, { 30, "IPV6_ROUTER_ALERT_ISOLATE" },
	{ 31, "IPV6_RECVERR_RFC4884" }, { 32, "IPV6_FLOWLABEL_MGR" }, { 33, "IPV6_FLOWINFO_SEND" },
	{ 34, "IPV6_IPSEC_POLICY" }, { 35, "IPV6_XFRM_POLICY" }, { 36, "IPV6_HDRINCL" },
	{ 42, "MCAST_JOIN_GROUP" }, { 43, "MCAST_BLOCK_SOURCE" }, { 44, "MCAST_UNBLOCK_SOURCE" },
	{ 45, "MCAST_LEAVE_GROUP" }, { 46, "MCAST_JOIN_SOURCE_GROUP" },
	{ 47, "MCAST_LEAVE_SOURCE_GROUP" }, { 48, "MCAST_MSFILTER" },
	{ 49, "IPV6_RECVPKTINFO" }, { 50, "IPV6_PKTINFO" }, { 51, "IPV6_RECVHOPLIMIT" },
	{ 52, "IPV6_HOPLIMIT" }, { 53, "IPV6_RECVHOPOPTS" }, { 54, "IPV6_HOPOPTS" },
	{ 55, "IPV6_RTHDRDSTOPTS" }, { 56, "IPV6_RECVRTHDR" }, { 57, "IPV6_RTHDR" },
	{ 58, "IPV6_RECVDSTOPTS" }, { 59, "IPV6_DSTOPTS" }, { 60, "IPV6_RECVPATHMTU" },
	{ 61, "IPV6_PATHMTU" }, { 62, "IPV6_DONTFRAG" }, { 66, "IPV6_RECVTCLASS" },
	{ 67, "IPV6_TCLASS" }, { 70, "IPV6_AUTOFLOWLABEL" }, { 72, "IPV6_ADDR_PREFERENCES" },
	{ 73, "IPV6_MINHOPCOUNT" }, { 74, "IPV6_ORIGDSTADDR" }, { 75, "IPV6_TRANSPARENT" },
	{ 76, "IPV6_UNICAST_IF" }, { 77, "IPV6_RECVFRAGSIZE" }, { 78, "IPV6_FREEBIND" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_scm[] = {
	{ 1, "SCM_RIGHTS" }, { 2, "SCM_CREDENTIALS" }, { 3, "SCM_SECURITY" },
	{ 29, "SO_TIMESTAMP_OLD" }, { 35, "SO_TIMESTAMPNS_OLD" }, { 37, "SO_TIMESTAMPING_OLD" },
	{ 0, NULL },
};

/* ---- helpers ---- */

static int xlat_has(const struct scry_xlat *x, uint64_t val)
{
	for (; x && x->name; x++)
		if (x->val == val)
			return 1;
	return 0;
}

/* An enum; unknown values as strace: "0x7 / * SHUT_??? * /". */
static void enum_or_unknown(struct dctx *d, const char *name, int64_t val,
			    const struct scry_xlat *x, const char *unknown)
{
	v_enum(d, name, val, x);
	if (!xlat_has(x, (uint64_t)val)) {
		v_last(d)->fmt = 1;
		v_comment(d, NULL, "%s", unknown);
	}
}

static void msg_flags(struct dctx *d, const char *name, uint64_t flags)
{
	v_flags(d, name, (unsigned)flags, xlat_msg_flags, "0");
}

static void sock_flags(struct dctx *d, const char *name, uint64_t flags)
{
	v_flags(d, name, (unsigned)flags, xlat_sock_flags, "0");
}

/* SOCK_STREAM|SOCK_CLOEXEC: the type and the flags in one number. */
static void sock_type(struct dctx *d, const char *name, unsigned type)
{
	size_t o = v_or_begin(d, name, type);
	unsigned base = type & ~(unsigned)(SOCK_CLOEXEC | SOCK_NONBLOCK);
	v_enum(d, "type", base, xlat_sock_type);
	if (!scry_enum_name(v_last(d))) {
		v_last(d)->fmt = 1;
		v_comment(d, NULL, "SOCK_???");
	}
	unsigned rest = type & (unsigned)(SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (rest)
		v_flags(d, NULL, rest, xlat_sock_flags, NULL);
	v_end(d, o);
}

static void sock_proto(struct dctx *d, const char *name, unsigned domain, unsigned proto)
{
	switch (domain) {
	case AF_INET:
	case AF_INET6:
		if (xlat_has(xlat_ipproto, proto)) {
			v_enum(d, name, proto, xlat_ipproto);
			return;
		}
		break;
	case AF_NETLINK:
		if (xlat_has(xlat_netlink_proto, proto)) {
			v_enum(d, name, proto, xlat_netlink_proto);
			return;
		}
		break;
	case AF_PACKET: {
		/* The protocol is in network order. */
		unsigned p = ((proto & 0xff) << 8) | ((proto >> 8) & 0xff);
		for (const struct scry_xlat *x = xlat_eth_p; x->name; x++)
			if (x->val == p && !(proto >> 16)) {
				size_t f = v_func_begin(d, name, "htons");
				v_enum(d, NULL, (int64_t)p, xlat_eth_p);
				v_end(d, f);
				return;
			}
		break;
	}
	}
	v_int(d, name, (int)proto);
}

/* Saved at entry: a length read from a socklen_t pointer. */
#define ST_VALID (1ull << 32)

static uint64_t save_len(struct dctx *d, uint64_t addr)
{
	uint32_t len;
	if (addr && d_read_exact(d, addr, &len, sizeof(len)) == 0)
		return ST_VALID | len;
	return 0;
}

/* "[16]" or "[128 => 16]" at exit; the address if unreadable. */
static void len_inout(struct dctx *d, const char *name, uint64_t addr, uint64_t saved, int show_out)
{
	uint32_t out;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (!show_out) {
		if (saved & ST_VALID) {
			size_t a = v_array_begin(d, name);
			v_uint(d, NULL, (uint32_t)saved);
			v_end(d, a);
		} else {
			v_ptr(d, name, addr);
		}
		return;
	}
	if (d_read_exact(d, addr, &out, sizeof(out)) < 0) {
		v_unread(d, name, addr);
		return;
	}
	/* the pointed-to length: [16], or what went in and came out [128 => 16] */
	size_t a = v_array_begin(d, name);
	if ((saved & ST_VALID) && (uint32_t)saved != out)
		v_inout_uint(d, NULL, (uint32_t)saved, out);
	else
		v_uint(d, NULL, out);
	v_end(d, a);
}

/* The address and length of accept, recvfrom, getsockname at exit. */
static void sockaddr_out(struct dctx *d, const char *aname, uint64_t addr,
			 const char *lname, uint64_t lenaddr)
{
	uint64_t saved = d->state;
	if (d->failed || !addr || !lenaddr) {
		v_ptr(d, aname, addr);
		len_inout(d, lname, lenaddr, saved, 0);
		return;
	}
	uint32_t out;
	if (d_read_exact(d, lenaddr, &out, sizeof(out)) < 0) {
		v_ptr(d, aname, addr);
		v_unread(d, lname, lenaddr);
		return;
	}
	uint32_t in = (saved & ST_VALID) ? (uint32_t)saved : out;
	v_sockaddr(d, aname, addr, in < out ? in : out);
	len_inout(d, lname, lenaddr, saved, 1);
}

/* ---- socket, socketpair, bind, connect, listen, shutdown ---- */

static int dec_socket(struct dctx *d)
{
	enum_or_unknown(d, "family", (int)d->args[0], xlat_af, "AF_???");
	sock_type(d, "type", (unsigned)d->args[1]);
	sock_proto(d, "protocol", (unsigned)d->args[0], (unsigned)d->args[2]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_socketpair(struct dctx *d)
{
	if (!d->exiting) {
		enum_or_unknown(d, "family", (int)d->args[0], xlat_af, "AF_???");
		sock_type(d, "type", (unsigned)d->args[1]);
		v_int(d, "protocol", (int)d->args[2]);
		return DEC_MORE;
	}
	int sv[2];
	if (d->failed) {
		v_ptr(d, "usockvec", d->args[3]);
	} else if (d_read_exact(d, d->args[3], sv, sizeof(sv)) < 0) {
		v_unread(d, "usockvec", d->args[3]);
	} else {
		v_fd_pair(d, "usockvec", sv);
	}
	return DEC_DONE;
}

static int dec_bind(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_sockaddr(d, "umyaddr", d->args[1], (int)d->args[2]);
	v_int(d, "addrlen", (int)d->args[2]);
	return DEC_DONE;
}

static int dec_listen(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_int(d, "backlog", (int)d->args[1]);
	return DEC_DONE;
}

static int dec_shutdown(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	enum_or_unknown(d, "how", (int)d->args[1], xlat_shut, "SHUT_???");
	return DEC_DONE;
}

/* accept, accept4, getsockname, getpeername. */
static int dec_sockname(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		d->state = save_len(d, d->args[2]);
		return DEC_MORE;
	}
	sockaddr_out(d, "addr", d->args[1], "addrlen", d->args[2]);
	return DEC_DONE;
}

static int dec_accept(struct dctx *d)
{
	int r = dec_sockname(d);
	if (d->exiting && d->info && d->info->nargs == 4)
		sock_flags(d, "flags", d->args[3]);
	d->rfmt = R_FD;
	return r;
}

/* ---- sendto, recvfrom ---- */

/* The data of a socket call (whose fd is the first argument): netlink
 * messages decoded (netlink.c), other data as bytes. */
static void sock_data(struct dctx *d, const char *name, uint64_t addr, int64_t len)
{
	int proto = addr && len > 0 ? netlink_protocol(d, (int)d->args[0]) : -1;
	if (proto != -1)
		v_netlink(d, name, addr, len, proto);
	else
		v_buf(d, name, addr, len);
}

static int dec_sendto(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	sock_data(d, "buff", d->args[1], (int64_t)d->args[2]);
	v_uint(d, "len", d->args[2]);
	msg_flags(d, "flags", d->args[3]);
	v_sockaddr(d, "addr", d->args[4], (int)d->args[5]);
	v_int(d, "addr_len", (int)d->args[5]);
	return DEC_DONE;
}

static int dec_recvfrom(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		d->state = save_len(d, d->args[5]);
		return DEC_MORE;
	}
	if (d->failed) {
		v_ptr(d, "ubuf", d->args[1]);
	} else {
		/* MSG_TRUNC returns the datagram's size, maybe more than fit. */
		int64_t n = d->ret < (int64_t)d->args[2] ? d->ret : (int64_t)d->args[2];
		sock_data(d, "ubuf", d->args[1], n);
	}
	v_uint(d, "size", d->args[2]);
	msg_flags(d, "flags", d->args[3]);
	sockaddr_out(d, "addr", d->args[4], "addr_len", d->args[5]);
	return DEC_DONE;
}

/* ---- msghdr ---- */

/* An iovec array; data limited to `data` bytes in all (-1: each iov_len). */
static void iov_array(struct dctx *d, const char *name, uint64_t addr, uint64_t n, int64_t data)
{
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	/* strace shows -s elements, all of them (up to IOV_MAX) under -v. */
	uint64_t cap = d->verbose ? 1024 : (uint64_t)d->limit;
	size_t show = n < cap ? (size_t)n : (size_t)cap;
	struct iovec iov[64];
	size_t a = v_array_begin(d, name);
	for (size_t k = 0; k < show; k++) {
		size_t j = k % 64;
		if (j == 0) {
			size_t chunk = show - k < 64 ? show - k : 64;
			if (d_read_exact(d, addr + k * sizeof(iov[0]), iov, chunk * sizeof(iov[0])) < 0) {
				if (k == 0) {
					d->out->n = a;
					v_unread(d, name, addr);
					return;
				}
				v_unread(d, NULL, addr + k * sizeof(iov[0]));
				break;
			}
		}
		size_t s = v_struct_begin(d, NULL);
		int64_t len = (int64_t)iov[j].iov_len;
		if (data >= 0) {
			if (len > data)
				len = data;
			data -= len;
		}
		sock_data(d, "iov_base", (uint64_t)(uintptr_t)iov[j].iov_base, len);
		v_uint(d, "iov_len", iov[j].iov_len);
		v_end(d, s);
	}
	v_end(d, a);
	if (show < n)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

/* A time in a control message, from its bytes: {tv_sec=, tv_usec=} or
 * {tv_sec=, tv_nsec=} (64-bit fields: the _OLD layouts on a 64-bit ABI). */
static void cmsg_time(struct dctx *d, const char *name, const unsigned char *p, const char *sub)
{
	int64_t t[2];
	memcpy(t, p, sizeof(t));
	size_t st = v_struct_begin(d, name);
	v_int(d, "tv_sec", t[0]);
	v_int(d, sub, t[1]);
	v_end(d, st);
}

static void in_addr_field(struct dctx *d, const char *name, const unsigned char *p)
{
	char ip[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, p, ip, sizeof(ip));
	size_t f = v_func_begin(d, name, "inet_addr");
	v_bytes(d, NULL, ip, strlen(ip), 0);
	v_end(d, f);
}

/* The data strace 6.1 decodes of the SO_TIMESTAMP* and IP_* control
 * messages (its print_cmsg_type_data); 0 when it shows none. */
static int cmsg_data_more(struct dctx *d, int level, int type, const unsigned char *p, size_t dlen)
{
	if (level == SOL_SOCKET) {
		switch (type) {
		case 29: /* SO_TIMESTAMP_OLD */
			if (dlen < 16)
				return 0;
			cmsg_time(d, "cmsg_data", p, "tv_usec");
			return 1;
		case 35: /* SO_TIMESTAMPNS_OLD */
			if (dlen < 16)
				return 0;
			cmsg_time(d, "cmsg_data", p, "tv_nsec");
			return 1;
		case 37: { /* SO_TIMESTAMPING_OLD: three timespecs */
			if (dlen < 48)
				return 0;
			size_t arr = v_array_begin(d, "cmsg_data");
			for (int i = 0; i < 3; i++)
				cmsg_time(d, NULL, p + 16 * i, "tv_nsec");
			v_end(d, arr);
			return 1;
		}
		}
		return 0;
	}
	if (level != IPPROTO_IP)
		return 0;
	switch (type) {
	case IP_PKTINFO: {
		struct in_pktinfo pi;
		char ifname[IF_NAMESIZE];
		if (dlen < sizeof(pi))
			return 0;
		memcpy(&pi, p, sizeof(pi));
		size_t st = v_struct_begin(d, "cmsg_data");
		if (pi.ipi_ifindex > 0 && if_indextoname((unsigned)pi.ipi_ifindex, ifname)) {
			size_t f = v_func_begin(d, "ipi_ifindex", "if_nametoindex");
			v_bytes(d, NULL, ifname, strlen(ifname), 0);
			v_end(d, f);
		} else
			v_uint(d, "ipi_ifindex", (unsigned)pi.ipi_ifindex);
		in_addr_field(d, "ipi_spec_dst", (const unsigned char *)&pi.ipi_spec_dst);
		in_addr_field(d, "ipi_addr", (const unsigned char *)&pi.ipi_addr);
		v_end(d, st);
		return 1;
	}
	case IP_TTL: case 23 /* IP_CHECKSUM */: {
		unsigned v;
		if (dlen != sizeof(v))
			return 0;
		memcpy(&v, p, sizeof(v));
		/* an array of one, cut at -s as the bytes below */
		size_t arr = v_array_begin(d, "cmsg_data");
		if (!d->verbose && d->limit < 1)
			d->out->v[arr].flags |= SCRY_VF_TRUNC;
		else
			v_uint(d, NULL, v);
		v_end(d, arr);
		return 1;
	}
	case IP_TOS: case IP_RECVOPTS: case IP_RETOPTS: {
		/* bytes, each in hex ([0x10, 0, 0, 0]), cut at -s but under -v */
		size_t arr = v_array_begin(d, "cmsg_data");
		for (size_t i = 0; i < dlen; i++) {
			if (!d->verbose && i >= (size_t)d->limit) {
				d->out->v[arr].flags |= SCRY_VF_TRUNC;
				break;
			}
			v_hex(d, NULL, p[i]);
		}
		v_end(d, arr);
		return 1;
	}
	case 20: /* IP_ORIGDSTADDR */
		v_sockaddr_bytes(d, "cmsg_data", p, dlen);
		return 1;
	}
	return 0;
}

/* Control messages: SCM_RIGHTS, SCM_CREDENTIALS, the SO_TIMESTAMP* and
 * IP_* ones decoded as strace decodes them, others named. */
static void cmsgs(struct dctx *d, const char *name, uint64_t addr, uint64_t len)
{
	unsigned char buf[4096];
	size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
	if (d_read_exact(d, addr, buf, n) < 0) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	size_t off = 0;
	while (off + sizeof(struct cmsghdr) <= n) {
		struct cmsghdr h;
		memcpy(&h, buf + off, sizeof(h));
		/* (strace 6.1 shows every message whatever -s says) */
		size_t s = v_struct_begin(d, NULL);
		v_uint(d, "cmsg_len", h.cmsg_len);
		enum_or_unknown(d, "cmsg_level", (int)h.cmsg_level, xlat_sol, "SOL_??");
		if (h.cmsg_level == SOL_SOCKET)
			enum_or_unknown(d, "cmsg_type", h.cmsg_type, xlat_scm, "SCM_???");
		else if (h.cmsg_level == IPPROTO_IP)
			enum_or_unknown(d, "cmsg_type", h.cmsg_type, xlat_ip_opt, "IP_???");
		else
			v_hex(d, "cmsg_type", (unsigned)h.cmsg_type);
		size_t dlen = h.cmsg_len > sizeof(h) ? h.cmsg_len - sizeof(h) : 0;
		if (dlen > n - off - sizeof(h))
			dlen = n - off - sizeof(h);
		const unsigned char *p = buf + off + sizeof(h);
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			size_t arr = v_array_begin(d, "cmsg_data");
			for (size_t k = 0; k + sizeof(int) <= dlen; k += sizeof(int)) {
				int fd;
				memcpy(&fd, p + k, sizeof(fd));
				v_fd(d, NULL, fd);
			}
			v_end(d, arr);
		} else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS &&
			   dlen >= sizeof(struct ucred)) {
			struct ucred uc;
			memcpy(&uc, p, sizeof(uc));
			size_t st = v_struct_begin(d, "cmsg_data");
			v_int(d, "pid", uc.pid);
			v_int(d, "uid", (int)uc.uid);
			v_int(d, "gid", (int)uc.gid);
			v_end(d, st);
		} else {
			cmsg_data_more(d, h.cmsg_level, h.cmsg_type, p, dlen);
		}
		v_end(d, s);
		if (h.cmsg_len < sizeof(h))
			break;
		off += CMSG_ALIGN(h.cmsg_len);
	}
	v_end(d, a);
}

/*
 * A msghdr.  data: bytes the iovecs hold (-1 when sending: each iov_len).
 * namelen_in: recvmsg's msg_namelen before the call (ST_VALID | n), or 0.
 */
static void msghdr_fields(struct dctx *d, const struct msghdr *m, int64_t data, uint64_t namelen_in)
{
	uint64_t name = (uint64_t)(uintptr_t)m->msg_name;
	if (name && m->msg_namelen)
		v_sockaddr(d, "msg_name", name, m->msg_namelen);
	else
		v_ptr(d, "msg_name", name);
	if ((namelen_in & ST_VALID) && (uint32_t)namelen_in != m->msg_namelen)
		v_inout_uint(d, "msg_namelen", (uint32_t)namelen_in, m->msg_namelen);
	else
		v_uint(d, "msg_namelen", m->msg_namelen);
	iov_array(d, "msg_iov", (uint64_t)(uintptr_t)m->msg_iov, m->msg_iovlen, data);
	v_uint(d, "msg_iovlen", m->msg_iovlen);
	if (m->msg_control && m->msg_controllen)
		cmsgs(d, "msg_control", (uint64_t)(uintptr_t)m->msg_control, m->msg_controllen);
	else if (m->msg_controllen)
		v_ptr(d, "msg_control", (uint64_t)(uintptr_t)m->msg_control);
	v_uint(d, "msg_controllen", m->msg_controllen);
	msg_flags(d, "msg_flags", (unsigned)m->msg_flags);
}

static void msghdr_at(struct dctx *d, const char *name, uint64_t addr, int64_t data, uint64_t namelen_in)
{
	struct msghdr m;
	if (d_read_exact(d, addr, &m, sizeof(m)) < 0) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	msghdr_fields(d, &m, data, namelen_in);
	v_end(d, s);
}

static int dec_sendmsg(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	msghdr_at(d, "msg", d->args[1], -1, 0);
	msg_flags(d, "flags", d->args[2]);
	return DEC_DONE;
}

static int dec_recvmsg(struct dctx *d)
{
	struct msghdr m;
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		if (d_read_exact(d, d->args[1], &m, sizeof(m)) == 0)
			d->state = ST_VALID | m.msg_namelen;
		return DEC_MORE;
	}
	if (d->failed) {
		/* strace shows what was known before the call. */
		if (d->state & ST_VALID) {
			size_t s = v_struct_begin(d, "msg");
			v_uint(d, "msg_namelen", (uint32_t)d->state);
			v_end(d, s);
		} else {
			v_ptr(d, "msg", d->args[1]);
		}
	} else {
		msghdr_at(d, "msg", d->args[1], d->ret, d->state);
	}
	msg_flags(d, "flags", d->args[2]);
	return DEC_DONE;
}

/* ---- sendmmsg, recvmmsg ---- */

/* The first n struct mmsghdr at addr, msg_len shown. */
static void mmsg_array(struct dctx *d, const char *name, uint64_t addr, uint64_t n, int recv)
{
	struct mmsghdr mm;
	uint64_t cap = d->verbose ? 1024 : (uint64_t)d->limit;
	size_t show = n < cap ? (size_t)n : (size_t)cap;
	size_t a = v_array_begin(d, name);
	for (size_t k = 0; k < show; k++) {
		uint64_t at = addr + k * sizeof(mm);
		if (d_read_exact(d, at, &mm, sizeof(mm)) < 0) {
			if (k == 0) {
				/* Nothing readable: the address instead of the array. */
				d->out->n = a;
				v_unread(d, name, addr);
				return;
			}
			v_unread(d, NULL, at);
			break;
		}
		size_t s = v_struct_begin(d, NULL);
		size_t h = v_struct_begin(d, "msg_hdr");
		msghdr_fields(d, &mm.msg_hdr, recv ? (int64_t)mm.msg_len : -1, 0);
		v_end(d, h);
		v_uint(d, "msg_len", mm.msg_len);
		v_end(d, s);
	}
	v_end(d, a);
	if (show < n)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

static int dec_sendmmsg(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "mmsg", d->args[1]);
	else
		mmsg_array(d, "mmsg", d->args[1], (uint64_t)d->ret, 0);
	v_uint(d, "vlen", (unsigned)d->args[2]);
	msg_flags(d, "flags", d->args[3]);
	return DEC_DONE;
}

/* recvmmsg's timeout is read at entry (the kernel rewrites it): packed in
 * d->state as valid bit, 33 bits of seconds, 30 of nanoseconds. */
#define TS_VALID (1ull << 63)

static int dec_recvmmsg(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		struct { int64_t sec, nsec; } ts;
		if (d->args[4] && d_read_exact(d, d->args[4], &ts, sizeof(ts)) == 0 &&
		    ts.sec >= 0 && ts.sec < (1ll << 33) && ts.nsec >= 0 && ts.nsec < (1ll << 30))
			d->state = TS_VALID | ((uint64_t)ts.sec << 30) | (uint64_t)ts.nsec;
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "mmsg", d->args[1]);
	else
		mmsg_array(d, "mmsg", d->args[1], (uint64_t)d->ret, 1);
	v_uint(d, "vlen", (unsigned)d->args[2]);
	msg_flags(d, "flags", d->args[3]);
	if (d->state & TS_VALID) {
		size_t s = v_struct_begin(d, "timeout");
		v_int(d, "tv_sec", (int64_t)((d->state >> 30) & ((1ull << 33) - 1)));
		v_int(d, "tv_nsec", (int64_t)(d->state & ((1ull << 30) - 1)));
		v_end(d, s);
	} else if (d->args[4]) {
		v_unread(d, "timeout", d->args[4]);
	} else {
		v_ptr(d, "timeout", 0);
	}
	/* the kernel wrote back what was left of the timeout: strace shows
	 * it after the result, " = 2 (left {tv_sec=0, tv_nsec=999992609})" */
	if (!d->failed && (d->state & TS_VALID)) {
		size_t left = v_timespec(d, "left", d->args[4]);

		d->out->v[left].flags |= SCRY_VF_AFTER | SCRY_VF_NAMED;
	}
	return DEC_DONE;
}

/* ---- setsockopt, getsockopt ---- */

/* linux/netlink.h, as strace's xlat/sock_netlink_options.in */
static const struct scry_xlat xlat_netlink_opt[] = {
	{ 1, "NETLINK_ADD_MEMBERSHIP" }, { 2, "NETLINK_DROP_MEMBERSHIP" },
	{ 3, "NETLINK_PKTINFO" }, { 4, "NETLINK_BROADCAST_ERROR" },
	{ 5, "NETLINK_NO_ENOBUFS" }, { 6, "NETLINK_RX_RING" }, { 7, "NETLINK_TX_RING" },
	{ 8, "NETLINK_LISTEN_ALL_NSID" }, { 9, "NETLINK_LIST_MEMBERSHIPS" },
	{ 10, "NETLINK_CAP_ACK" }, { 11, "NETLINK_EXT_ACK" }, { 12, "NETLINK_GET_STRICT_CHK" },
	{ 0, NULL },
};
#define K_SOL_NETLINK 270
#define K_SO_ERROR 4

static const struct scry_xlat *opt_table(unsigned level, const char **unknown)
{
	switch (level) {
	case K_SOL_NETLINK: *unknown = "NETLINK_???"; return xlat_netlink_opt;
	case SOL_SOCKET: *unknown = "SO_???"; return xlat_so;
	case IPPROTO_TCP: *unknown = "TCP_???"; return xlat_tcp_opt;
	case IPPROTO_IP: *unknown = "IP_???"; return xlat_ip_opt;
	case IPPROTO_IPV6: *unknown = "IPV6_???"; return xlat_ipv6_opt;
	}
	return NULL;
}

static void sockopt_level_name(struct dctx *d)
{
	unsigned level = (unsigned)d->args[1], opt = (unsigned)d->args[2];
	enum_or_unknown(d, "level", (int)level, xlat_sol, "SOL_??");
	const char *unknown = NULL;
	const struct scry_xlat *x = opt_table(level, &unknown);
	if (x)
		enum_or_unknown(d, "optname", (int)opt, x, unknown);
	else
		v_uint(d, "optname", opt);
}

enum optkind { OPT_INT, OPT_LINGER, OPT_PEERCRED, OPT_OTHER, OPT_ERROR, OPT_NLINT };

/* How strace shows an option's value: most are ints. */
static enum optkind opt_kind(unsigned level, unsigned opt)
{
	switch (level) {
	case SOL_SOCKET:
		switch (opt) {
		case 13: return OPT_LINGER;
		case 17: return OPT_PEERCRED;
		case K_SO_ERROR: return OPT_ERROR;
		case 20: case 21: case 25: case 26: case 28: case 31: case 50: case 51:
		case 52: case 55: case 59: case 61: case 66: case 67:
			return OPT_OTHER;
		}
		return xlat_has(xlat_so, opt) ? OPT_INT : OPT_OTHER;
	case IPPROTO_TCP:
		switch (opt) {
		case 11: case 13: case 14: case 22: case 26: case 28: case 29: case 31:
		case 32: case 33: case 35:
			return OPT_OTHER;
		}
		return xlat_has(xlat_tcp_opt, opt) ? OPT_INT : OPT_OTHER;
	case K_SOL_NETLINK:
		return OPT_NLINT;
	}
	return OPT_OTHER;
}

/* The option's value of len bytes at addr. */
static void sockopt_value(struct dctx *d, uint64_t addr, uint32_t len, int getter)
{
	unsigned level = (unsigned)d->args[1], opt = (unsigned)d->args[2];
	enum optkind k = opt_kind(level, opt);
	if (!addr) {
		v_ptr(d, "optval", 0);
		return;
	}
	if (k == OPT_LINGER && len >= 8) {
		int lg[2];
		if (d_read_exact(d, addr, lg, sizeof(lg)) < 0) {
			v_unread(d, "optval", addr);
			return;
		}
		size_t s = v_struct_begin(d, "optval");
		v_int(d, "l_onoff", lg[0]);
		v_int(d, "l_linger", lg[1]);
		v_end(d, s);
		return;
	}
	if (k == OPT_PEERCRED && len >= sizeof(struct ucred)) {
		struct ucred uc;
		if (d_read_exact(d, addr, &uc, sizeof(uc)) < 0) {
			v_unread(d, "optval", addr);
			return;
		}
		size_t s = v_struct_begin(d, "optval");
		v_int(d, "pid", uc.pid);
		v_int(d, "uid", (int)uc.uid);
		v_int(d, "gid", (int)uc.gid);
		v_end(d, s);
		return;
	}
	if (k == OPT_ERROR && getter && len >= sizeof(int)) {
		/* the pending error, by name: [ECONNREFUSED] (0 stays 0) */
		int err;
		if (d_read_exact(d, addr, &err, sizeof(err)) < 0) {
			v_unread(d, "optval", addr);
			return;
		}
		size_t a = v_array_begin(d, "optval");
		v_enum(d, NULL, err, scry_errno_xlat);
		v_end(d, a);
		return;
	}
	if (k == OPT_ERROR)
		k = OPT_INT;
	if (k == OPT_NLINT) {
		/* strace: an int whatever getsockopt's length; setsockopt's
		 * address when shorter than one */
		if (!getter && len < sizeof(int)) {
			v_ptr(d, "optval", addr);
			return;
		}
		len = sizeof(int);
		k = OPT_INT;
		getter = 0;
	}
	int is_int = k == OPT_INT ? len >= sizeof(int) : len == sizeof(int);
	if (k == OPT_INT && getter && len != sizeof(int))
		is_int = 0;
	if (is_int) {
		int val;
		if (d_read_exact(d, addr, &val, sizeof(val)) < 0) {
			v_unread(d, "optval", addr);
			return;
		}
		size_t a = v_array_begin(d, "optval");
		v_int(d, NULL, val);
		v_end(d, a);
		return;
	}
	if (k == OPT_INT && !getter) {
		/* Too short for an int: strace shows the address. */
		v_ptr(d, "optval", addr);
		return;
	}
	v_buf(d, "optval", addr, len);
	/* A short int option of getsockopt: strace prints its bytes in hex. */
	if (k == OPT_INT && v_last(d)->type == SCRY_V_STR)
		v_last(d)->fmt = 2;
}

static int dec_setsockopt(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	sockopt_level_name(d);
	sockopt_value(d, d->args[3], (uint32_t)d->args[4], 0);
	v_int(d, "optlen", (int)d->args[4]);
	return DEC_DONE;
}

static int dec_getsockopt(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		sockopt_level_name(d);
		d->state = save_len(d, d->args[4]);
		return DEC_MORE;
	}
	uint32_t out;
	if (d->failed || !d->args[4] || d_read_exact(d, d->args[4], &out, sizeof(out)) < 0) {
		v_ptr(d, "optval", d->args[3]);
		len_inout(d, "optlen", d->args[4], d->state, 0);
		return DEC_DONE;
	}
	sockopt_value(d, d->args[3], out, 1);
	len_inout(d, "optlen", d->args[4], d->state, 1);
	return DEC_DONE;
}

const struct decoder_entry decoders_net[] = {
	{ "socket", dec_socket, { CAP_FULL } },
	{ "socketpair", dec_socketpair, { CAP_OUT(4, 2 * sizeof(int)), CAP_FULL } },
	{ "bind", dec_bind, { CAP_ADDR_IN(2, 3), CAP_FULL } },
	{ "connect", dec_bind, { CAP_ADDR_IN(2, 3), CAP_FULL } },
	{ "listen", dec_listen, { CAP_FULL } },
	{ "shutdown", dec_shutdown, { CAP_FULL } },
	{ "accept", dec_accept, { CAP_ADDR_OUT(2, 3), CAP_FULL } },
	{ "accept4", dec_accept, { CAP_ADDR_OUT(2, 3), CAP_FULL } },
	{ "getsockname", dec_sockname, { CAP_ADDR_OUT(2, 3) } },
	{ "getpeername", dec_sockname, { CAP_ADDR_OUT(2, 3) } },
	{ "sendto", dec_sendto, { CAP_BUF_IN(2, 3), CAP_ADDR_IN(5, 6), CAP_FULL } },
	{ "recvfrom", dec_recvfrom, { CAP_BUF_OUT(2), CAP_ADDR_OUT(5, 6), CAP_FULL } },
	{ "sendmsg", dec_sendmsg, { 0 } },
	{ "recvmsg", dec_recvmsg, { 0 } },
	{ "sendmmsg", dec_sendmmsg, { 0 } },
	{ "recvmmsg", dec_recvmmsg, { 0 } },
	{ "setsockopt", dec_setsockopt, { 0 } },
	{ "getsockopt", dec_getsockopt, { 0 } },
	{ NULL, NULL, { 0 } },
};
