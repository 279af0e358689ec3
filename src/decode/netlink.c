/*
 * Netlink messages (issue 21, part A): what sendto, recvfrom, sendmsg and
 * recvmsg carry on an AF_NETLINK socket, decoded as strace 6.1 decodes
 * them instead of shown as bytes.
 *
 * A message is [{nlmsghdr}, payload] ({nlmsghdr} alone when it has none);
 * several are an array of those.  The payload of NETLINK_ROUTE's link,
 * address and route messages is their struct (ifinfomsg, ifaddrmsg,
 * rtmsg) then their attributes; NETLINK_SOCK_DIAG's is inet_diag_req_v2 /
 * inet_diag_msg or unix_diag_req / unix_diag_msg; NLMSG_ERROR's an
 * nlmsgerr with the message it answers, NLMSG_DONE's an int.  An attribute
 * is [{nla_len, nla_type}, value]; one strace does not decode, or we do
 * not, shows its bytes in hex, as strace shows them.  A list of one
 * message or one attribute is shown bare, as strace shows it.
 *
 * The whole buffer is read once (bounded) and parsed in our memory.  The
 * constant tables come from the kernel's headers (netlink_xlat.h, made by
 * tools/gen-netlink-xlat.py).
 */
#include "decode/decode.h"
#include "decode/netlink.h"
#include "decode/sockinfo.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/if_addrlabel.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/inet_diag.h>
#include <linux/lwtunnel.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/netconf.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "decode/netlink_xlat.h"

/* The most of a buffer decoded; the rest shows as "...". */
enum { NL_MAX_READ = 256 * 1024 };

/*
 * What netlink_protocol() learnt of a socket, by (process, fd, inode): the
 * fd's readlink gives its inode at every call (an fd closed, dup2'd over
 * or replaced across an exec shows another inode, so nothing needs telling
 * of those), and a socket seen before costs nothing more; without it every
 * send or receive with data cost a getxattr too, and a netlink socket's a
 * read of /proc/PID/net/netlink.  Per tracer thread, so sessions on other
 * threads share nothing; a slot is overwritten by the next socket hashed
 * to it.
 */
enum { NL_CACHE_SLOTS = 64 };
struct nl_cache_slot {
	pid_t pid;
	int fd;
	unsigned long inode;  /* 0: empty */
	int proto;            /* netlink_protocol()'s answer */
};
static __thread struct nl_cache_slot nl_cache[NL_CACHE_SLOTS];

static struct nl_cache_slot *nl_cache_slot(pid_t pid, int fd)
{
	unsigned h = (unsigned)pid * 2654435761u ^ (unsigned)fd * 40503u;
	return &nl_cache[(h >> 8) % NL_CACHE_SLOTS];
}

static int netlink_protocol_uncached(const struct dctx *d, int fd, unsigned long inode)
{
	char link[64], proto[32];
	if (sockinfo_proto(d->tid, fd, proto, sizeof(proto)) < 0 || strcmp(proto, "NETLINK"))
		return -1;
	/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode: Eth is the
	 * protocol.  A socket not bound yet may not be listed: strace does not
	 * know its protocol either and decodes only what all share. */
	snprintf(link, sizeof(link), "/proc/%d/net/netlink", (int)d->tid);
	FILE *f = fopen(link, "re");
	if (!f)
		return NETLINK_PROTO_UNKNOWN;
	char line[256];
	int found = NETLINK_PROTO_UNKNOWN;
	while (found == NETLINK_PROTO_UNKNOWN && fgets(line, sizeof(line), f)) {
		unsigned eth;
		unsigned long ino;
		if (sscanf(line, "%*x %u %*d %*x %*d %*d %*d %*d %*d %lu", &eth, &ino) == 2 && ino == inode)
			found = (int)eth;
	}
	fclose(f);
	return found;
}

int netlink_protocol(const struct dctx *d, int fd)
{
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)d->tid, fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return -1;
	target[n] = 0;
	unsigned long inode;
	if (sscanf(target, "socket:[%lu]", &inode) != 1 || !inode)
		return -1;
	struct nl_cache_slot *c = nl_cache_slot(d->pid, fd);
	if (c->inode == inode && c->pid == d->pid && c->fd == fd)
		return c->proto;
	int proto = netlink_protocol_uncached(d, fd, inode);
	/* a netlink socket not listed yet (not bound) may be listed at the
	 * next call: asked again then */
	if (proto != NETLINK_PROTO_UNKNOWN)
		*c = (struct nl_cache_slot){ d->pid, fd, inode, proto };
	return proto;
}

/* ---- tables ---- */

static const struct scry_xlat xlat_nlmsg_types[] = {
	XLAT(NLMSG_NOOP), XLAT(NLMSG_ERROR), XLAT(NLMSG_DONE), XLAT(NLMSG_OVERRUN), XLAT_END,
};

static const struct scry_xlat xlat_sock_diag_types[] = {
	{ 18, "TCPDIAG_GETSOCK" }, { 19, "DCCPDIAG_GETSOCK" }, XLAT(SOCK_DIAG_BY_FAMILY),
	{ 21, "SOCK_DESTROY" }, XLAT_END,
};

/* The flags common to every message, then those of its kind (strace's
 * netlink_flags and netlink_{get,new,delete,ack}_flags, printed in that
 * order). */
#define NLF_COMMON XLAT(NLM_F_REQUEST), XLAT(NLM_F_MULTI), XLAT(NLM_F_ACK), XLAT(NLM_F_ECHO), \
	XLAT(NLM_F_DUMP_INTR), XLAT(NLM_F_DUMP_FILTERED)
static const struct scry_xlat xlat_nlf[] = { NLF_COMMON, XLAT_END };
static const struct scry_xlat xlat_nlf_get[] = {
	NLF_COMMON, XLAT(NLM_F_DUMP), XLAT(NLM_F_ROOT), XLAT(NLM_F_MATCH), XLAT(NLM_F_ATOMIC), XLAT_END,
};
static const struct scry_xlat xlat_nlf_new[] = {
	NLF_COMMON, XLAT(NLM_F_REPLACE), XLAT(NLM_F_EXCL), XLAT(NLM_F_CREATE), XLAT(NLM_F_APPEND), XLAT_END,
};
static const struct scry_xlat xlat_nlf_del[] = {
	NLF_COMMON, { 0x100, "NLM_F_NONREC" }, XLAT_END,
};
static const struct scry_xlat xlat_nlf_ack[] = {
	NLF_COMMON, { 0x100, "NLM_F_CAPPED" }, { 0x200, "NLM_F_ACK_TLVS" }, XLAT_END,
};

/* every address family, as strace's addrfams names them */
static const struct scry_xlat xlat_af[] = {
	XLAT(AF_UNSPEC), XLAT(AF_UNIX), XLAT(AF_INET), XLAT(AF_AX25), XLAT(AF_IPX),
	XLAT(AF_APPLETALK), XLAT(AF_NETROM), XLAT(AF_BRIDGE), XLAT(AF_ATMPVC), XLAT(AF_X25),
	XLAT(AF_INET6), XLAT(AF_ROSE), XLAT(AF_DECnet), XLAT(AF_NETBEUI), XLAT(AF_SECURITY),
	XLAT(AF_KEY), XLAT(AF_NETLINK), XLAT(AF_PACKET), XLAT(AF_ASH), XLAT(AF_ECONET),
	XLAT(AF_ATMSVC), XLAT(AF_RDS), XLAT(AF_SNA), XLAT(AF_IRDA), XLAT(AF_PPPOX),
	XLAT(AF_WANPIPE), XLAT(AF_LLC), XLAT(AF_IB), XLAT(AF_MPLS), XLAT(AF_CAN), XLAT(AF_TIPC),
	XLAT(AF_BLUETOOTH), XLAT(AF_IUCV), XLAT(AF_RXRPC), XLAT(AF_ISDN), XLAT(AF_PHONET),
	XLAT(AF_IEEE802154), XLAT(AF_CAIF), XLAT(AF_ALG), XLAT(AF_NFC), XLAT(AF_VSOCK),
	XLAT(AF_KCM), XLAT(AF_QIPCRTR), XLAT(AF_SMC), XLAT(AF_XDP), XLAT(AF_MCTP), XLAT_END,
};

/* strace's inet_protocols */
static const struct scry_xlat xlat_ipproto[] = {
	XLAT(IPPROTO_IP), XLAT(IPPROTO_ICMP), XLAT(IPPROTO_IGMP), XLAT(IPPROTO_IPIP),
	XLAT(IPPROTO_TCP), XLAT(IPPROTO_EGP), XLAT(IPPROTO_PUP), XLAT(IPPROTO_UDP),
	XLAT(IPPROTO_IDP), XLAT(IPPROTO_TP), XLAT(IPPROTO_DCCP), XLAT(IPPROTO_IPV6),
	XLAT(IPPROTO_ROUTING), XLAT(IPPROTO_FRAGMENT), XLAT(IPPROTO_RSVP), XLAT(IPPROTO_GRE),
	XLAT(IPPROTO_ESP), XLAT(IPPROTO_AH), XLAT(IPPROTO_ICMPV6), XLAT(IPPROTO_NONE),
	XLAT(IPPROTO_DSTOPTS), XLAT(IPPROTO_MTP), XLAT(IPPROTO_BEETPH), XLAT(IPPROTO_ENCAP),
	XLAT(IPPROTO_PIM), XLAT(IPPROTO_COMP), { 115, "IPPROTO_L2TP" }, XLAT(IPPROTO_SCTP),
	XLAT(IPPROTO_MH), XLAT(IPPROTO_UDPLITE), XLAT(IPPROTO_MPLS), XLAT(IPPROTO_ETHERNET),
	XLAT(IPPROTO_RAW), XLAT(IPPROTO_MPTCP), XLAT_END,
};

static const struct scry_xlat xlat_arphrd[] = {
	{ 0, "ARPHRD_NETROM" }, { 1, "ARPHRD_ETHER" }, { 768, "ARPHRD_TUNNEL" },
	{ 769, "ARPHRD_TUNNEL6" }, { 772, "ARPHRD_LOOPBACK" }, { 776, "ARPHRD_SIT" },
	{ 778, "ARPHRD_IPGRE" }, { 823, "ARPHRD_IP6GRE" }, { 65534, "ARPHRD_NONE" },
	{ 65535, "ARPHRD_VOID" }, XLAT_END,
};

/* TCP states; a set of them is "1<<TCP_LISTEN|..." */
static const struct scry_xlat xlat_tcp_states[] = {
	{ 1, "TCP_ESTABLISHED" }, { 2, "TCP_SYN_SENT" }, { 3, "TCP_SYN_RECV" },
	{ 4, "TCP_FIN_WAIT1" }, { 5, "TCP_FIN_WAIT2" }, { 6, "TCP_TIME_WAIT" },
	{ 7, "TCP_CLOSE" }, { 8, "TCP_CLOSE_WAIT" }, { 9, "TCP_LAST_ACK" },
	{ 10, "TCP_LISTEN" }, { 11, "TCP_CLOSING" }, { 12, "TCP_NEW_SYN_RECV" }, XLAT_END,
};

static const struct scry_xlat xlat_sock_type[] = {
	XLAT(SOCK_STREAM), XLAT(SOCK_DGRAM), XLAT(SOCK_RAW), XLAT(SOCK_RDM), XLAT(SOCK_SEQPACKET),
	XLAT_END,
};

/* a netlink socket's protocol (strace's netlink_protocols) */
static const struct scry_xlat xlat_netlink_protocols[] = {
	XLAT(NETLINK_ROUTE), XLAT(NETLINK_UNUSED), XLAT(NETLINK_USERSOCK), XLAT(NETLINK_FIREWALL),
	XLAT(NETLINK_SOCK_DIAG), XLAT(NETLINK_NFLOG), XLAT(NETLINK_XFRM), XLAT(NETLINK_SELINUX),
	XLAT(NETLINK_ISCSI), XLAT(NETLINK_AUDIT), XLAT(NETLINK_FIB_LOOKUP), XLAT(NETLINK_CONNECTOR),
	XLAT(NETLINK_NETFILTER), XLAT(NETLINK_IP6_FW), XLAT(NETLINK_DNRTMSG),
	XLAT(NETLINK_KOBJECT_UEVENT), XLAT(NETLINK_GENERIC), XLAT(NETLINK_SCSITRANSPORT),
	XLAT(NETLINK_ECRYPTFS), XLAT(NETLINK_RDMA), XLAT(NETLINK_CRYPTO), XLAT(NETLINK_SMC),
	XLAT_END,
};

/* a netlink socket's state in its diag reply (strace's netlink_states:
 * the state a socket starts with is TCP_CLOSE) */
static const struct scry_xlat xlat_netlink_states[] = {
	{ 0, "NETLINK_UNCONNECTED" }, { 1, "NETLINK_CONNECTED" }, { 7, "TCP_CLOSE" }, XLAT_END,
};

static const struct scry_xlat xlat_unix_diag_show[] = {
	XLAT(UDIAG_SHOW_NAME), XLAT(UDIAG_SHOW_VFS), XLAT(UDIAG_SHOW_PEER),
	XLAT(UDIAG_SHOW_ICONS), XLAT(UDIAG_SHOW_RQLEN), XLAT(UDIAG_SHOW_MEMINFO), XLAT_END,
};

/* ---- small values ---- */

/* Bytes as strace's QUOTE_FORCE_HEX shows them: "\x01\x02", cut at -s. */
static void hex_bytes(struct dctx *d, const char *name, const unsigned char *p, size_t n)
{
	size_t show = n < (size_t)d->limit ? n : (size_t)d->limit;
	v_bytes(d, name, p, show, show < n);
	v_last(d)->fmt = 2;
}

/* An unknown value of a table: 0x10 with a comment "NLMSG_???". */
static void enum_q(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x,
		   const char *unknown)
{
	v_enum(d, name, val, x);
	for (; x->name; x++)
		if ((int64_t)x->val == val)
			return;
	v_last(d)->fmt = 1;
	v_comment(d, NULL, "%s", unknown);
}

/* if_nametoindex("lo") when the index names an interface here, else the number. */
static void ifindex(struct dctx *d, const char *name, unsigned idx)
{
	char ifname[IF_NAMESIZE];
	if (idx && if_indextoname(idx, ifname)) {
		size_t f = v_func_begin(d, name, "if_nametoindex");
		v_bytes(d, NULL, ifname, strlen(ifname), 0);
		v_end(d, f);
	} else {
		v_uint(d, name, idx);
	}
}

/* inet_addr("127.0.0.1"), inet_pton(AF_INET6, "::1"); field: the struct
 * field strace writes after the address ("&idiag_src"), or NULL. */
static int inet_address(struct dctx *d, const char *name, int family, const unsigned char *p,
			size_t n, const char *field)
{
	char ip[INET6_ADDRSTRLEN];
	if (family == AF_INET && n >= 4) {
		inet_ntop(AF_INET, p, ip, sizeof(ip));
		size_t f = v_func_begin(d, name, "inet_addr");
		v_bytes(d, NULL, ip, strlen(ip), 0);
		v_end(d, f);
		return 1;
	}
	if (family == AF_INET6 && n >= 16) {
		inet_ntop(AF_INET6, p, ip, sizeof(ip));
		size_t f = v_func_begin(d, field ? NULL : name, "inet_pton");
		v_enum(d, "family", AF_INET6, xlat_af);
		v_bytes(d, "addr", ip, strlen(ip), 0);
		if (field)
			v_text(d, NULL, "&%s", field);
		v_end(d, f);
		return 1;
	}
	return 0;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* ---- attributes ---- */

enum nla_kind {
	NLA_HEX = 0, NLA_U8, NLA_U16, NLA_U32, NLA_U64, NLA_STR, NLA_IFINDEX,
	NLA_INADDR, NLA_HWADDR, NLA_IFA_FLAGS, NLA_IFA_CACHEINFO, NLA_RT_TABLE,
	NLA_STATS32, NLA_STATS64, NLA_RTEXT_FILTER, NLA_DIAG_SOCKOPT, NLA_UNIX_RQLEN,
	NLA_UNIX_VFS, NLA_S32, NLA_FD, NLA_IFMAP, NLA_XDP_ATTACHED, NLA_XDP_FLAGS,
	NLA_INET6_FLAGS, NLA_INET6_CACHEINFO, NLA_IN6_ADDR, NLA_ADDR_GEN_MODE,
	NLA_DEVCONF4, NLA_DEVCONF6, NLA_IPSTATS, NLA_ICMP6STATS, NLA_STRZ,
	NLA_DIAG_MEMINFO, NLA_SKMEMINFO, NLA_BBRINFO, NLA_UNIX_NAME, NLA_UID, NLA_TUN_TYPE,
	NLA_CLOCK_T, NLA_X16, NLA_X32, NLA_ETHER_PROTO, NLA_BRIDGE_ID, NLA_HWADDR_ANY,
	NLA_BR_BOOLOPT, NLA_IFLA_EVENT, NLA_IN4_ADDR, NLA_BRIDGE_FLAGS, NLA_BRIDGE_MODE,
	NLA_BRIDGE_VLAN_INFO, NLA_BRIDGE_VLAN_FLAGS, NLA_CAN_XSTATS, NLA_RTA_CACHEINFO,
	NLA_BE16, NLA_IP_PROTO, NLA_NDA_CACHEINFO, NLA_FDB_NOTIFY, NLA_NTF_EXT, NLA_NUD_MASK,
	NLA_NTF_MASK, NLA_NEST_FDB_EXT, NLA_NDIAG_GROUPS, NLA_NDIAG_RING, NLA_NDIAG_FLAGS,
	NLA_BE64, NLA_RT_PROTO, NLA_UID_RANGE, NLA_PORT_RANGE, NLA_TC_STATS, NLA_TC_ESTIMATOR,
	NLA_GNET_BASIC, NLA_GNET_RATE_EST, NLA_GNET_QUEUE, NLA_GNET_RATE_EST64, NLA_TC_SIZESPEC,
	NLA_TC_STAB_DATA, NLA_NEST_TC_STATS2, NLA_NEST_TC_STAB, NLA_LWT_ENCAP, NLA_NH_GROUP,
	NLA_NH_GROUP_TYPE, NLA_NEST_NH_RES_GROUP, NLA_NEST_NH_RES_BUCKET,
	/* nested: the value is the attributes of another set (nlattrs()) */
	NLA_NEST_XDP, NLA_NEST_LINKINFO, NLA_NEST_AF_SPEC, NLA_NEST_AF,
	NLA_NEST_PROP_LIST, NLA_NEST_INFO_DATA, NLA_NEST_INFO_XSTATS, NLA_NEST_SLAVE_DATA,
	NLA_NEST_PROTINFO, NLA_NEST_PROTO_DOWN_REASON, NLA_NEST_BR_QSTATE, NLA_NEST_VLAN_TUNNEL,
};

/* How to show the value of attribute type t of a table. */
typedef enum nla_kind (*nla_kind_fn)(unsigned t);

/*
 * A set of attributes: the names of its types, the word for an unknown
 * one, and how each value shows: by a function of the type, or a table
 * indexed by type (a type past its end, or 0 in it, shows as bytes).
 */
struct nla_set {
	const struct scry_xlat *types;
	const char *unknown;
	nla_kind_fn kind;
	const unsigned char *kinds;
	size_t nkinds;
};

static enum nla_kind nla_kind_of(const struct nla_set *set, unsigned t)
{
	if (set->kind)
		return set->kind(t);
	return t < set->nkinds ? (enum nla_kind)set->kinds[t] : NLA_HEX;
}

#define NLA_TABLE(types, unknown, kinds) \
	{ types, unknown, NULL, kinds, sizeof(kinds) / sizeof(kinds[0]) }

static enum nla_kind kind_ifla(unsigned t)
{
	switch (t) {
	case IFLA_IFNAME: case IFLA_QDISC: case IFLA_IFALIAS: case IFLA_PHYS_PORT_NAME:
		return NLA_STR;
	case IFLA_MTU: case IFLA_TXQLEN: case IFLA_WEIGHT: case IFLA_GROUP: case IFLA_PROMISCUITY:
	case IFLA_NUM_TX_QUEUES: case IFLA_NUM_RX_QUEUES: case IFLA_GSO_MAX_SEGS:
	case IFLA_GSO_MAX_SIZE: case IFLA_CARRIER_CHANGES:
	case IFLA_MIN_MTU: case IFLA_MAX_MTU: case IFLA_CARRIER_UP_COUNT:
	case IFLA_CARRIER_DOWN_COUNT: case IFLA_GRO_MAX_SIZE:
	case IFLA_TSO_MAX_SIZE: case IFLA_TSO_MAX_SEGS: case IFLA_ALLMULTI:
	case IFLA_NET_NS_PID: case IFLA_NUM_VF:
		return NLA_U32;
	case IFLA_ALT_IFNAME: case IFLA_PARENT_DEV_NAME: case IFLA_PARENT_DEV_BUS_NAME:
		return NLA_STR;
	case IFLA_LINK_NETNSID: case IFLA_NEW_NETNSID: case IFLA_IF_NETNSID:
		return NLA_S32;
	case IFLA_NEW_IFINDEX:
		return NLA_IFINDEX;
	case IFLA_NET_NS_FD:
		return NLA_FD;
	case IFLA_MAP:
		return NLA_IFMAP;
	case IFLA_XDP:
		return NLA_NEST_XDP;
	case IFLA_LINKINFO:
		return NLA_NEST_LINKINFO;
	case IFLA_AF_SPEC:
		return NLA_NEST_AF_SPEC;
	case IFLA_PROP_LIST:
		return NLA_NEST_PROP_LIST;
	case IFLA_PROTINFO:
		return NLA_NEST_PROTINFO;
	case IFLA_PROTO_DOWN_REASON:
		return NLA_NEST_PROTO_DOWN_REASON;
	case IFLA_EVENT:
		return NLA_IFLA_EVENT;
	case IFLA_EXT_MASK:
		return NLA_RTEXT_FILTER;
	case IFLA_OPERSTATE: case IFLA_LINKMODE: case IFLA_CARRIER: case IFLA_PROTO_DOWN:
		return NLA_U8;
	case IFLA_LINK: case IFLA_MASTER:
		return NLA_U32;
	case IFLA_ADDRESS: case IFLA_BROADCAST: case IFLA_PERM_ADDRESS:
		return NLA_HWADDR;
	case IFLA_STATS:
		return NLA_STATS32;
	case IFLA_STATS64:
		return NLA_STATS64;
	default:
		return NLA_HEX;
	}
}

static enum nla_kind kind_ifa(unsigned t)
{
	switch (t) {
	case IFA_ADDRESS: case IFA_LOCAL: case IFA_BROADCAST: case IFA_ANYCAST: case IFA_MULTICAST:
		return NLA_INADDR;
	case IFA_LABEL:
		return NLA_STR;
	case IFA_FLAGS:
		return NLA_IFA_FLAGS;
	case IFA_CACHEINFO:
		return NLA_IFA_CACHEINFO;
	case IFA_RT_PRIORITY:
		return NLA_U32;
	default:
		return NLA_HEX;
	}
}

static enum nla_kind kind_rta(unsigned t)
{
	switch (t) {
	case RTA_DST: case RTA_SRC: case RTA_GATEWAY: case RTA_PREFSRC: case RTA_NEWDST:
		return NLA_INADDR;
	case RTA_IIF: case RTA_OIF:
		return NLA_IFINDEX;
	case RTA_PRIORITY: case RTA_FLOW: case RTA_MARK: case RTA_UID: case RTA_PROTOINFO:
	case RTA_MP_ALGO:
		return NLA_U32;
	case RTA_EXPIRES:
		return NLA_U64;
	case RTA_ENCAP_TYPE:
		return NLA_LWT_ENCAP;
	case RTA_CACHEINFO:
		return NLA_RTA_CACHEINFO;
	case RTA_TABLE:
		return NLA_RT_TABLE;
	case RTA_PREF: case RTA_TTL_PROPAGATE: case RTA_IP_PROTO:
		return NLA_U8;
	case RTA_SPORT: case RTA_DPORT:
		return NLA_U16;
	default:
		return NLA_HEX;
	}
}

static enum nla_kind kind_inet_diag(unsigned t)
{
	switch (t) {
	case INET_DIAG_SHUTDOWN: case INET_DIAG_TOS: case INET_DIAG_TCLASS:
	case INET_DIAG_SKV6ONLY: case INET_DIAG_PROTOCOL:
		return NLA_U8;
	case INET_DIAG_MARK: case INET_DIAG_CLASS_ID:
		return NLA_U32;
	case INET_DIAG_CGROUP_ID:
		return NLA_U64;
	case INET_DIAG_SOCKOPT:
		return NLA_DIAG_SOCKOPT;
	case INET_DIAG_CONG:
		return NLA_STR;
	case INET_DIAG_MEMINFO:
		return NLA_DIAG_MEMINFO;
	case INET_DIAG_SKMEMINFO:
		return NLA_SKMEMINFO;
	case INET_DIAG_BBRINFO:
		return NLA_BBRINFO;
	default:
		return NLA_HEX;
	}
}

static enum nla_kind kind_unix_diag(unsigned t)
{
	switch (t) {
	case UNIX_DIAG_NAME:
		return NLA_UNIX_NAME;
	case UNIX_DIAG_PEER: case UNIX_DIAG_UID:
		return NLA_U32;
	case UNIX_DIAG_SHUTDOWN:
		return NLA_U8;
	case UNIX_DIAG_RQLEN:
		return NLA_UNIX_RQLEN;
	case UNIX_DIAG_VFS:
		return NLA_UNIX_VFS;
	default:
		return NLA_HEX;
	}
}

/* The sets nested in a link message's attributes, as strace 6.1 decodes
 * them (IFLA_INFO_DATA of the bridge and tun kinds, IFLA_INFO_XSTATS of
 * the can kind, IFLA_INFO_SLAVE_DATA of a bridge's port: other kinds'
 * stay bytes, as strace shows them). */
static const unsigned char kinds_xdp[] = {
	[IFLA_XDP_FD] = NLA_FD, [IFLA_XDP_ATTACHED] = NLA_XDP_ATTACHED,
	[IFLA_XDP_FLAGS] = NLA_XDP_FLAGS, [IFLA_XDP_PROG_ID] = NLA_U32,
	[IFLA_XDP_DRV_PROG_ID] = NLA_U32, [IFLA_XDP_SKB_PROG_ID] = NLA_U32,
	[IFLA_XDP_HW_PROG_ID] = NLA_U32, [IFLA_XDP_EXPECTED_FD] = NLA_FD,
};
static const unsigned char kinds_linkinfo[] = {
	[IFLA_INFO_KIND] = NLA_STRZ, [IFLA_INFO_DATA] = NLA_NEST_INFO_DATA,
	[IFLA_INFO_XSTATS] = NLA_NEST_INFO_XSTATS, [IFLA_INFO_SLAVE_KIND] = NLA_STRZ,
	[IFLA_INFO_SLAVE_DATA] = NLA_NEST_SLAVE_DATA,
};
/* IFLA_INFO_DATA of the "bridge" kind */
static const unsigned char kinds_br[] = {
	[IFLA_BR_FORWARD_DELAY] = NLA_CLOCK_T, [IFLA_BR_HELLO_TIME] = NLA_CLOCK_T,
	[IFLA_BR_MAX_AGE] = NLA_CLOCK_T, [IFLA_BR_AGEING_TIME] = NLA_CLOCK_T,
	[IFLA_BR_STP_STATE] = NLA_U32, [IFLA_BR_PRIORITY] = NLA_U16,
	[IFLA_BR_VLAN_FILTERING] = NLA_U8, [IFLA_BR_VLAN_PROTOCOL] = NLA_ETHER_PROTO,
	[IFLA_BR_GROUP_FWD_MASK] = NLA_X16, [IFLA_BR_ROOT_ID] = NLA_BRIDGE_ID,
	[IFLA_BR_BRIDGE_ID] = NLA_BRIDGE_ID, [IFLA_BR_ROOT_PORT] = NLA_U16,
	[IFLA_BR_ROOT_PATH_COST] = NLA_U32, [IFLA_BR_TOPOLOGY_CHANGE] = NLA_U8,
	[IFLA_BR_TOPOLOGY_CHANGE_DETECTED] = NLA_U8, [IFLA_BR_HELLO_TIMER] = NLA_CLOCK_T,
	[IFLA_BR_TCN_TIMER] = NLA_CLOCK_T, [IFLA_BR_TOPOLOGY_CHANGE_TIMER] = NLA_CLOCK_T,
	[IFLA_BR_GC_TIMER] = NLA_CLOCK_T, [IFLA_BR_GROUP_ADDR] = NLA_HWADDR_ANY,
	[IFLA_BR_MCAST_ROUTER] = NLA_U8, [IFLA_BR_MCAST_SNOOPING] = NLA_U8,
	[IFLA_BR_MCAST_QUERY_USE_IFADDR] = NLA_U8, [IFLA_BR_MCAST_QUERIER] = NLA_U8,
	[IFLA_BR_MCAST_HASH_ELASTICITY] = NLA_U32, [IFLA_BR_MCAST_HASH_MAX] = NLA_U32,
	[IFLA_BR_MCAST_LAST_MEMBER_CNT] = NLA_U32, [IFLA_BR_MCAST_STARTUP_QUERY_CNT] = NLA_U32,
	[IFLA_BR_MCAST_LAST_MEMBER_INTVL] = NLA_CLOCK_T,
	[IFLA_BR_MCAST_MEMBERSHIP_INTVL] = NLA_CLOCK_T,
	[IFLA_BR_MCAST_QUERIER_INTVL] = NLA_CLOCK_T, [IFLA_BR_MCAST_QUERY_INTVL] = NLA_CLOCK_T,
	[IFLA_BR_MCAST_QUERY_RESPONSE_INTVL] = NLA_CLOCK_T,
	[IFLA_BR_MCAST_STARTUP_QUERY_INTVL] = NLA_CLOCK_T,
	[IFLA_BR_NF_CALL_IPTABLES] = NLA_U8, [IFLA_BR_NF_CALL_IP6TABLES] = NLA_U8,
	[IFLA_BR_NF_CALL_ARPTABLES] = NLA_U8, [IFLA_BR_VLAN_DEFAULT_PVID] = NLA_U16,
	[IFLA_BR_VLAN_STATS_ENABLED] = NLA_U8, [IFLA_BR_MCAST_STATS_ENABLED] = NLA_U8,
	[IFLA_BR_MCAST_IGMP_VERSION] = NLA_U8, [IFLA_BR_MCAST_MLD_VERSION] = NLA_U8,
	[IFLA_BR_VLAN_STATS_PER_PORT] = NLA_U8, [IFLA_BR_MULTI_BOOLOPT] = NLA_BR_BOOLOPT,
	[IFLA_BR_MCAST_QUERIER_STATE] = NLA_NEST_BR_QSTATE,
};
/* IFLA_BR_MCAST_QUERIER_STATE's */
static const unsigned char kinds_br_qstate[] = {
	[BRIDGE_QUERIER_IP_ADDRESS] = NLA_IN4_ADDR, [BRIDGE_QUERIER_IP_PORT] = NLA_IFINDEX,
	[BRIDGE_QUERIER_IP_OTHER_TIMER] = NLA_CLOCK_T, [BRIDGE_QUERIER_IPV6_ADDRESS] = NLA_IN6_ADDR,
	[BRIDGE_QUERIER_IPV6_PORT] = NLA_IFINDEX, [BRIDGE_QUERIER_IPV6_OTHER_TIMER] = NLA_CLOCK_T,
};
/* a bridge port's: IFLA_PROTINFO of AF_BRIDGE, IFLA_INFO_SLAVE_DATA of
 * the "bridge" slave kind */
static const unsigned char kinds_brport[] = {
	[IFLA_BRPORT_STATE] = NLA_U8, [IFLA_BRPORT_PRIORITY] = NLA_U16,
	[IFLA_BRPORT_COST] = NLA_U32, [IFLA_BRPORT_MODE] = NLA_U8, [IFLA_BRPORT_GUARD] = NLA_U8,
	[IFLA_BRPORT_PROTECT] = NLA_U8, [IFLA_BRPORT_FAST_LEAVE] = NLA_U8,
	[IFLA_BRPORT_LEARNING] = NLA_U8, [IFLA_BRPORT_UNICAST_FLOOD] = NLA_U8,
	[IFLA_BRPORT_PROXYARP] = NLA_U8, [IFLA_BRPORT_LEARNING_SYNC] = NLA_U8,
	[IFLA_BRPORT_PROXYARP_WIFI] = NLA_U8, [IFLA_BRPORT_ROOT_ID] = NLA_BRIDGE_ID,
	[IFLA_BRPORT_BRIDGE_ID] = NLA_BRIDGE_ID, [IFLA_BRPORT_DESIGNATED_PORT] = NLA_U16,
	[IFLA_BRPORT_DESIGNATED_COST] = NLA_U16, [IFLA_BRPORT_ID] = NLA_U16,
	[IFLA_BRPORT_NO] = NLA_U16, [IFLA_BRPORT_TOPOLOGY_CHANGE_ACK] = NLA_U8,
	[IFLA_BRPORT_CONFIG_PENDING] = NLA_U8, [IFLA_BRPORT_MESSAGE_AGE_TIMER] = NLA_CLOCK_T,
	[IFLA_BRPORT_FORWARD_DELAY_TIMER] = NLA_CLOCK_T, [IFLA_BRPORT_HOLD_TIMER] = NLA_CLOCK_T,
	[IFLA_BRPORT_MULTICAST_ROUTER] = NLA_U8, [IFLA_BRPORT_MCAST_FLOOD] = NLA_U8,
	[IFLA_BRPORT_MCAST_TO_UCAST] = NLA_U8, [IFLA_BRPORT_VLAN_TUNNEL] = NLA_U8,
	[IFLA_BRPORT_BCAST_FLOOD] = NLA_U8, [IFLA_BRPORT_GROUP_FWD_MASK] = NLA_X16,
	[IFLA_BRPORT_NEIGH_SUPPRESS] = NLA_U8, [IFLA_BRPORT_ISOLATED] = NLA_U8,
	[IFLA_BRPORT_BACKUP_PORT] = NLA_IFINDEX, [IFLA_BRPORT_MRP_RING_OPEN] = NLA_U8,
	[IFLA_BRPORT_MRP_IN_OPEN] = NLA_U8, [IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT] = NLA_U32,
	[IFLA_BRPORT_MCAST_EHT_HOSTS_CNT] = NLA_U32, [IFLA_BRPORT_LOCKED] = NLA_U8,
};
/* IFLA_AF_SPEC of an AF_BRIDGE message (not by family, as strace 6.1
 * decodes it); MRP, CFM and MST stay bytes */
static const unsigned char kinds_af_spec_bridge[] = {
	[IFLA_BRIDGE_FLAGS] = NLA_BRIDGE_FLAGS, [IFLA_BRIDGE_MODE] = NLA_BRIDGE_MODE,
	[IFLA_BRIDGE_VLAN_INFO] = NLA_BRIDGE_VLAN_INFO,
	[IFLA_BRIDGE_VLAN_TUNNEL_INFO] = NLA_NEST_VLAN_TUNNEL,
};
static const unsigned char kinds_vlan_tunnel[] = {
	[IFLA_BRIDGE_VLAN_TUNNEL_ID] = NLA_U32, [IFLA_BRIDGE_VLAN_TUNNEL_VID] = NLA_U16,
	[IFLA_BRIDGE_VLAN_TUNNEL_FLAGS] = NLA_BRIDGE_VLAN_FLAGS,
};
static const unsigned char kinds_mctp[] = {
	[IFLA_MCTP_NET] = NLA_U32,
};
static const unsigned char kinds_proto_down_reason[] = {
	[IFLA_PROTO_DOWN_REASON_MASK] = NLA_X32, [IFLA_PROTO_DOWN_REASON_VALUE] = NLA_X32,
};
/* IFLA_INFO_DATA of the "tun" kind */
static const unsigned char kinds_tun[] = {
	[IFLA_TUN_OWNER] = NLA_UID, [IFLA_TUN_GROUP] = NLA_UID, [IFLA_TUN_TYPE] = NLA_TUN_TYPE,
	[IFLA_TUN_PI] = NLA_U8, [IFLA_TUN_VNET_HDR] = NLA_U8, [IFLA_TUN_PERSIST] = NLA_U8,
	[IFLA_TUN_MULTI_QUEUE] = NLA_U8, [IFLA_TUN_NUM_QUEUES] = NLA_U32,
	[IFLA_TUN_NUM_DISABLED_QUEUES] = NLA_U32,
};
static const unsigned char kinds_inet[] = {
	[IFLA_INET_CONF] = NLA_DEVCONF4,
};
static const unsigned char kinds_inet6[] = {
	[IFLA_INET6_FLAGS] = NLA_INET6_FLAGS, [IFLA_INET6_CONF] = NLA_DEVCONF6,
	[IFLA_INET6_STATS] = NLA_IPSTATS, [IFLA_INET6_CACHEINFO] = NLA_INET6_CACHEINFO,
	[IFLA_INET6_ICMP6STATS] = NLA_ICMP6STATS, [IFLA_INET6_TOKEN] = NLA_IN6_ADDR,
	[IFLA_INET6_ADDR_GEN_MODE] = NLA_ADDR_GEN_MODE,
};
static const unsigned char kinds_af_spec[] = {
	[AF_INET] = NLA_NEST_AF, [AF_INET6] = NLA_NEST_AF, [AF_MCTP] = NLA_NEST_AF,
};
static const unsigned char kinds_prop_list[] = {
	[IFLA_ALT_IFNAME] = NLA_STR,
};
static const struct nla_set set_xdp = NLA_TABLE(xlat_ifla_xdp, "IFLA_XDP_???", kinds_xdp);
static const struct nla_set set_linkinfo = NLA_TABLE(xlat_ifla_info, "IFLA_INFO_???", kinds_linkinfo);
static const struct nla_set set_tun = NLA_TABLE(xlat_ifla_tun, "IFLA_TUN_???", kinds_tun);
static const struct nla_set set_inet = NLA_TABLE(xlat_ifla_inet, "IFLA_INET_???", kinds_inet);
static const struct nla_set set_inet6 = NLA_TABLE(xlat_ifla_inet6, "IFLA_INET6_???", kinds_inet6);
static const struct nla_set set_af_spec = NLA_TABLE(xlat_af, "AF_???", kinds_af_spec);
static const struct nla_set set_prop_list = NLA_TABLE(xlat_ifla, "IFLA_???", kinds_prop_list);
static const struct nla_set set_br = NLA_TABLE(xlat_ifla_br, "IFLA_BR_???", kinds_br);
static const struct nla_set set_br_qstate =
	NLA_TABLE(xlat_bridge_querier, "BRIDGE_QUERIER_???", kinds_br_qstate);
static const struct nla_set set_brport = NLA_TABLE(xlat_ifla_brport, "IFLA_BRPORT_???", kinds_brport);
static const struct nla_set set_af_spec_bridge =
	NLA_TABLE(xlat_ifla_bridge, "IFLA_BRIDGE_???", kinds_af_spec_bridge);
static const struct nla_set set_vlan_tunnel =
	NLA_TABLE(xlat_ifla_bridge_vlan_tunnel, "IFLA_BRIDGE_VLAN_TUNNEL_???", kinds_vlan_tunnel);
static const struct nla_set set_mctp = NLA_TABLE(xlat_ifla_mctp, "IFLA_MCTP_???", kinds_mctp);
static const unsigned char kinds_nda[] = {
	[NDA_DST] = NLA_INADDR, [NDA_LLADDR] = NLA_HWADDR_ANY, [NDA_CACHEINFO] = NLA_NDA_CACHEINFO,
	[NDA_PROBES] = NLA_U32, [NDA_VLAN] = NLA_U16, [NDA_PORT] = NLA_BE16, [NDA_VNI] = NLA_U32,
	[NDA_IFINDEX] = NLA_IFINDEX, [NDA_MASTER] = NLA_IFINDEX, [NDA_LINK_NETNSID] = NLA_U32,
	[NDA_SRC_VNI] = NLA_U32, [NDA_PROTOCOL] = NLA_IP_PROTO, [NDA_NH_ID] = NLA_U32,
	[NDA_FDB_EXT_ATTRS] = NLA_NEST_FDB_EXT, [NDA_FLAGS_EXT] = NLA_NTF_EXT,
	[NDA_NDM_STATE_MASK] = NLA_NUD_MASK, [NDA_NDM_FLAGS_MASK] = NLA_NTF_MASK,
};
static const unsigned char kinds_nfea[] = {
	[NFEA_ACTIVITY_NOTIFY] = NLA_FDB_NOTIFY,
};
static const struct nla_set set_nda = NLA_TABLE(xlat_nda, "NDA_???", kinds_nda);
static const unsigned char kinds_fra[] = {
	[FRA_DST] = NLA_INADDR, [FRA_SRC] = NLA_INADDR, [FRA_IIFNAME] = NLA_STR,
	[FRA_GOTO] = NLA_U32, [FRA_PRIORITY] = NLA_U32, [FRA_FWMARK] = NLA_U32,
	[FRA_FLOW] = NLA_U32, [FRA_TUN_ID] = NLA_BE64, [FRA_SUPPRESS_IFGROUP] = NLA_U32,
	[FRA_SUPPRESS_PREFIXLEN] = NLA_U32, [FRA_TABLE] = NLA_RT_TABLE, [FRA_FWMASK] = NLA_U32,
	[FRA_OIFNAME] = NLA_STR, [FRA_L3MDEV] = NLA_U8, [FRA_UID_RANGE] = NLA_UID_RANGE,
	[FRA_PROTOCOL] = NLA_RT_PROTO, [FRA_IP_PROTO] = NLA_IP_PROTO,
	[FRA_SPORT_RANGE] = NLA_PORT_RANGE, [FRA_DPORT_RANGE] = NLA_PORT_RANGE,
};
static const struct nla_set set_fra = NLA_TABLE(xlat_fra, "FRA_???", kinds_fra);
static const unsigned char kinds_nha[] = {
	[NHA_ID] = NLA_U32, [NHA_GROUP] = NLA_NH_GROUP, [NHA_GROUP_TYPE] = NLA_NH_GROUP_TYPE,
	[NHA_BLACKHOLE] = NLA_U32, [NHA_OIF] = NLA_IFINDEX, [NHA_GATEWAY] = NLA_INADDR,
	[NHA_ENCAP_TYPE] = NLA_LWT_ENCAP, [NHA_GROUPS] = NLA_U32, [NHA_MASTER] = NLA_IFINDEX,
	[NHA_FDB] = NLA_U32, [NHA_RES_GROUP] = NLA_NEST_NH_RES_GROUP,
	[NHA_RES_BUCKET] = NLA_NEST_NH_RES_BUCKET,
};
static const struct nla_set set_nha = NLA_TABLE(xlat_nha, "NHA_???", kinds_nha);
static const unsigned char kinds_nha_res_group[] = {
	[NHA_RES_GROUP_BUCKETS] = NLA_U16, [NHA_RES_GROUP_IDLE_TIMER] = NLA_CLOCK_T,
	[NHA_RES_GROUP_UNBALANCED_TIMER] = NLA_CLOCK_T, [NHA_RES_GROUP_UNBALANCED_TIME] = NLA_CLOCK_T,
};
static const struct nla_set set_nha_res_group =
	NLA_TABLE(xlat_nha_res_group, "NHA_RES_GROUP_???", kinds_nha_res_group);
static const unsigned char kinds_nha_res_bucket[] = {
	[NHA_RES_BUCKET_INDEX] = NLA_U16, [NHA_RES_BUCKET_IDLE_TIME] = NLA_CLOCK_T,
	[NHA_RES_BUCKET_NH_ID] = NLA_U32,
};
static const struct nla_set set_nha_res_bucket =
	NLA_TABLE(xlat_nha_res_bucket, "NHA_RES_BUCKET_???", kinds_nha_res_bucket);
static const unsigned char kinds_tca[] = {
	[TCA_KIND] = NLA_STR, [TCA_STATS] = NLA_TC_STATS, [TCA_RATE] = NLA_TC_ESTIMATOR,
	[TCA_FCNT] = NLA_U32, [TCA_STATS2] = NLA_NEST_TC_STATS2, [TCA_STAB] = NLA_NEST_TC_STAB,
	[TCA_CHAIN] = NLA_U32, [TCA_HW_OFFLOAD] = NLA_U8, [TCA_INGRESS_BLOCK] = NLA_U32,
	[TCA_EGRESS_BLOCK] = NLA_U32, [TCA_DUMP_FLAGS] = NLA_U32,
};
static const struct nla_set set_tca = NLA_TABLE(xlat_tca, "TCA_???", kinds_tca);
static const unsigned char kinds_tca_stats[] = {
	[TCA_STATS_BASIC] = NLA_GNET_BASIC, [TCA_STATS_RATE_EST] = NLA_GNET_RATE_EST,
	[TCA_STATS_QUEUE] = NLA_GNET_QUEUE, [TCA_STATS_RATE_EST64] = NLA_GNET_RATE_EST64,
	[TCA_STATS_BASIC_HW] = NLA_GNET_BASIC, [TCA_STATS_PKT64] = NLA_U64,
};
static const struct nla_set set_tca_stats = NLA_TABLE(xlat_tca_stats, "TCA_STATS_???", kinds_tca_stats);
static const unsigned char kinds_tca_stab[] = {
	[TCA_STAB_BASE] = NLA_TC_SIZESPEC, [TCA_STAB_DATA] = NLA_TC_STAB_DATA,
};
static const struct nla_set set_tca_stab = NLA_TABLE(xlat_tca_stab, "TCA_STAB_???", kinds_tca_stab);
static const unsigned char kinds_netconfa[] = {
	[NETCONFA_IFINDEX] = NLA_IFINDEX, [NETCONFA_FORWARDING] = NLA_S32,
	[NETCONFA_RP_FILTER] = NLA_S32, [NETCONFA_MC_FORWARDING] = NLA_S32,
	[NETCONFA_PROXY_NEIGH] = NLA_S32, [NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN] = NLA_S32,
	[NETCONFA_INPUT] = NLA_S32, [NETCONFA_BC_FORWARDING] = NLA_S32,
};
static const struct nla_set set_netconfa = NLA_TABLE(xlat_netconfa, "NETCONFA_???", kinds_netconfa);
static const unsigned char kinds_ifal[] = {
	[IFAL_ADDRESS] = NLA_INADDR, [IFAL_LABEL] = NLA_U32,
};
static const struct nla_set set_ifal = NLA_TABLE(xlat_ifal, "IFAL_???", kinds_ifal);

/* a rule's tos (strace's ip_type_of_services) */
static const struct scry_xlat xlat_iptos[] = {
	{ 0x10, "IPTOS_LOWDELAY" }, { 0x08, "IPTOS_THROUGHPUT" }, { 0x04, "IPTOS_RELIABILITY" },
	{ 0x02, "IPTOS_MINCOST" }, XLAT_END,
};
static const struct nla_set set_nfea = NLA_TABLE(xlat_nfea, "NFEA_???", kinds_nfea);
static const struct nla_set set_proto_down_reason =
	NLA_TABLE(xlat_ifla_proto_down_reason, "IFLA_PROTO_DOWN_REASON_???", kinds_proto_down_reason);

static const struct scry_xlat xlat_tun_type[] = {
	{ 1, "IFF_TUN" }, { 2, "IFF_TAP" }, XLAT_END,
};

/* IF_* of an IPv6 interface (the kernel's net/if_inet6.h, not in UAPI). */
static const struct scry_xlat xlat_inet6_if_flags[] = {
	{ 0x10, "IF_RS_SENT" }, { 0x20, "IF_RA_RCVD" }, { 0x40, "IF_RA_MANAGED" },
	{ 0x80, "IF_RA_OTHERCONF" }, { 0x80000000, "IF_READY" }, XLAT_END,
};

static void nlattrs(struct dctx *d, const unsigned char *p, size_t n, const struct nla_set *set,
		    int family);

/*
 * An array of n bytes of width-byte numbers, each shown with its index:
 * [[IPV4_DEVCONF_FORWARDING-1]=0, ..., [58 (unknown)]=0], at
 * most -s of them (all with -v).  0 when not one fits.
 */
static int indexed_array(struct dctx *d, const unsigned char *p, size_t n, size_t width,
			 int is_signed, const struct scry_xlat *x, const char *unknown)
{
	size_t cnt = n / width;
	if (!cnt)
		return 0;
	size_t a = v_array_begin(d, NULL);
	for (size_t i = 0; i < cnt; i++) {
		if (!d->verbose && i == (size_t)d->limit) {
			d->out->v[a].flags |= SCRY_VF_TRUNC;
			break;
		}
		const char *name = NULL;
		for (const struct scry_xlat *e = x; e->name && !name; e++)
			if (e->val == i)
				name = e->name;
		uint64_t u = width == 8 ? get64(p + i * 8) : get32(p + i * 4);
		int64_t v = width == 8 ? (int64_t)u : (int32_t)u;
		if (name && !is_signed)
			v_uint(d, name, u);
		else if (name)
			v_int(d, name, v);
		else if (!is_signed)
			v_text(d, NULL, "[%zu /* %s */]=%" PRIu64, i, unknown, u);
		else
			v_text(d, NULL, "[%zu /* %s */]=%" PRId64, i, unknown, v);
	}
	v_end(d, a);
	d->out->v[a].fmt = SCRY_FMT_INDEXED;
	return 1;
}

static const char *const stats_fields[] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors",
	"rx_dropped", "tx_dropped", "multicast", "collisions", "rx_length_errors",
	"rx_over_errors", "rx_crc_errors", "rx_frame_errors", "rx_fifo_errors",
	"rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
	"tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed",
	"rx_nohandler", "rx_otherhost_dropped",
};

/* struct rtnl_link_stats (u32 fields) or rtnl_link_stats64: the fields
 * that fit in n bytes. */
static int link_stats(struct dctx *d, const unsigned char *p, size_t n, size_t width)
{
	size_t nf = sizeof(stats_fields) / sizeof(stats_fields[0]);
	if (n < 23 * width)
		return 0;
	size_t s = v_struct_begin(d, NULL);
	for (size_t i = 0; i < nf && (i + 1) * width <= n; i++)
		v_uint(d, stats_fields[i], width == 8 ? get64(p + i * 8) : get32(p + i * 4));
	v_end(d, s);
	return 1;
}

/*
 * strace's decode_nla_xval/decode_nla_flags reading: a value of 1 to 8
 * bytes, little-endian, at least size of them and only the first size
 * when more; 0 when the attribute shows as bytes instead.
 */
static int nla_sized(const unsigned char *p, size_t n, size_t size, uint64_t *v)
{
	if (n > 8 || n < size)
		return 0;
	if (size && n > size)
		n = size;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)p[i] << (8 * i);
	return 1;
}

/* Flags as strace's printflags: named bits and the rest in hex; when no
 * bit has a name, the hex with the unknown word as a comment. */
static void nl_flags0(struct dctx *d, const char *name, uint64_t val, const struct scry_xlat *x,
		      const char *zero, const char *unknown)
{
	int named = 0;
	for (const struct scry_xlat *e = x; e->name && !named; e++)
		named = e->val && (val & e->val) == e->val;
	v_flags(d, name, val, x, zero);
	if (val && !named)
		v_comment(d, NULL, "%s", unknown);
}

static void nl_flags(struct dctx *d, const char *name, uint64_t val, const struct scry_xlat *x,
		     const char *unknown)
{
	int named = 0;
	for (const struct scry_xlat *e = x; e->name && !named; e++)
		named = e->val && (val & e->val) == e->val;
	v_flags(d, name, val, x, "0");
	if (val && !named)
		v_comment(d, NULL, "%s", unknown);
}


/*
 * How many bytes of a link-layer address strace 6.1 shows for a link
 * message of family f: it looks the family up as if it were an ARPHRD_*
 * type (so an AF_BRIDGE message's IFLA_ADDRESS shows one byte, "02", as
 * strace shows it); the types below AF_MAX that have a size.
 */
static size_t hwaddr_size(int f)
{
	switch (f) {
	case 0: case 3: return 7;      /* ARPHRD_NETROM, ARPHRD_AX25 */
	case 1: case 6: return 6;      /* ARPHRD_ETHER, ARPHRD_IEEE802 */
	case 7: return 1;              /* ARPHRD_ARCNET */
	case 15: return 2;             /* ARPHRD_DLCI */
	case 24: return 16;            /* ARPHRD_IEEE1394 */
	case 27: return 8;             /* ARPHRD_EUI64 */
	case 32: return 20;            /* ARPHRD_INFINIBAND */
	default: return 255;
	}
}

/* 00:00:00:00:00:00, the first size of n bytes (strace's MAX_ADDR_LEN,
 * 32, at most: 0 past it). */
static int hwaddr(struct dctx *d, const char *name, const unsigned char *p, size_t n, size_t size)
{
	char mac[3 * 32];
	size_t m = 0;
	if (!n || n > 32)
		return 0;
	if (size > n)
		size = n;
	mac[0] = 0;
	for (size_t i = 0; i < size; i++)
		m += (size_t)snprintf(mac + m, sizeof(mac) - m, "%s%02x", i ? ":" : "", p[i]);
	v_text(d, name, "%s", mac);
	return 1;
}

/* A field of a struct shown from its bytes: its offset and width (1, 2,
 * 4 or 8), signed or not. */
struct nl_field {
	const char *name;
	unsigned char off, width, is_signed;
};

/* The struct of the fields f (need bytes of it at least); 0 when shorter. */
static int nl_fields(struct dctx *d, const unsigned char *p, size_t n, size_t need,
		     const struct nl_field *f, size_t count)
{
	if (n < need)
		return 0;
	size_t s = v_struct_begin(d, NULL);
	for (size_t i = 0; i < count; i++) {
		uint64_t u = 0;
		memcpy(&u, p + f[i].off, f[i].width);
		if (f[i].is_signed) {
			int64_t v = f[i].width == 1 ? (int8_t)u : f[i].width == 2 ? (int16_t)u
				  : f[i].width == 4 ? (int32_t)u : (int64_t)u;
			v_int(d, f[i].name, v);
		} else {
			v_uint(d, f[i].name, u);
		}
	}
	v_end(d, s);
	return 1;
}

#define NLF(type, field, sgn) \
	{ #field, offsetof(struct type, field), sizeof(((struct type *)0)->field), sgn }

/* The value of an attribute; 0 when it is shown as bytes instead. */
static int nla_value(struct dctx *d, enum nla_kind k, int family, const unsigned char *p, size_t n)
{
	switch (k) {
	case NLA_U8:
		if (n < 1)
			return 0;
		v_uint(d, NULL, p[0]);
		return 1;
	case NLA_U16:
		if (n < 2)
			return 0;
		v_uint(d, NULL, (uint16_t)(p[0] | p[1] << 8));
		return 1;
	case NLA_U32:
		if (n < 4)
			return 0;
		v_uint(d, NULL, get32(p));
		return 1;
	case NLA_U64:
		if (n < 8)
			return 0;
		v_uint(d, NULL, get64(p));
		return 1;
	case NLA_UNIX_NAME:
		/* an abstract name (a NUL first, none at the end): strace
		 * shows all its bytes, "\0a6fa6"..., cut at -s */
		if (n && !p[0] && !d->xflag) {
			v_bytes(d, NULL, p, n < (size_t)d->limit ? n : (size_t)d->limit, 1);
			return 1;
		}
		/* fall through */
	case NLA_STR: {
		/* strace 6.1's QUOTE_0_TERMINATED: up to the NUL within -s bytes,
		 * else -s bytes and "..."; in hex (-xx, or -x with a byte that
		 * needs it, the NUL included) all -s bytes and "..." */
		size_t size = n < (size_t)d->limit ? n : (size_t)d->limit;
		const unsigned char *z = memchr(p, 0, size);
		int hex = d->xflag > 1;
		for (size_t i = 0; d->xflag == 1 && !hex && i < size; i++)
			hex = p[i] > 0x7e || (p[i] < ' ' && (unsigned)(p[i] - 9) >= 5);
		if (hex) {
			v_bytes(d, NULL, p, size, 1);
			v_last(d)->fmt = 2;
		} else {
			v_bytes(d, NULL, p, z ? (size_t)(z - p) : size, !z);
		}
		return 1;
	}
	case NLA_IFINDEX:
		if (n < 4)
			return 0;
		ifindex(d, NULL, get32(p));
		return 1;
	case NLA_INADDR:
		return inet_address(d, NULL, family, p, n, NULL);
	case NLA_HWADDR:
		return hwaddr(d, NULL, p, n, hwaddr_size(family));
	case NLA_HWADDR_ANY:
		return hwaddr(d, NULL, p, n, n);
	case NLA_IFA_FLAGS:
		if (n < 4)
			return 0;
		v_flags(d, NULL, get32(p), xlat_ifa_flags, "0");
		return 1;
	case NLA_IFA_CACHEINFO: {
		static const char *const f[] = { "ifa_prefered", "ifa_valid", "cstamp", "tstamp" };
		if (n < 16)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 4; i++)
			v_uint(d, f[i], get32(p + 4 * i));
		v_end(d, s);
		return 1;
	}
	case NLA_RT_TABLE:
		/* a table without a name in hex, as strace prints it */
		if (n < 4)
			return 0;
		v_enum(d, NULL, get32(p), xlat_rt_table);
		v_last(d)->fmt = 1;
		return 1;
	case NLA_RTEXT_FILTER:
		if (n < 4)
			return 0;
		v_flags(d, NULL, get32(p), xlat_rtext_filter, "0");
		return 1;
	case NLA_DIAG_SOCKOPT: {
		/* struct inet_diag_sockopt: one-bit fields, the set ones shown */
		static const char *const bits[] = {
			"recverr", "is_icsk", "freebind", "hdrincl", "mc_loop", "transparent",
			"mc_all", "nodefrag", "bind_address_no_port", "recverr_rfc4884",
			"defer_connect",
		};
		if (n < 2)
			return 0;
		unsigned w = p[0] | p[1] << 8;
		size_t s = v_struct_begin(d, NULL);
		/* the set ones; under -v all, and the unused bits with where
		 * they are, as strace 6.1 prints them */
		for (unsigned b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
			if (d->verbose || w >> b & 1)
				v_uint(d, bits[b], w >> b & 1);
		if (d->verbose) {
			v_uint(d, "unused", w >> 11);
			v_comment(d, NULL, "bits 3..8");
		} else if (w >> 11) {
			v_uint(d, "unused", w >> 11);
		}
		v_end(d, s);
		return 1;
	}
	case NLA_UNIX_RQLEN:
	case NLA_UNIX_VFS: {
		int rq = k == NLA_UNIX_RQLEN;
		if (n < 8)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		v_uint(d, rq ? "udiag_rqueue" : "udiag_vfs_ino", get32(p));
		v_uint(d, rq ? "udiag_wqueue" : "udiag_vfs_dev", get32(p + 4));
		v_end(d, s);
		return 1;
	}
	case NLA_STATS32:
		return link_stats(d, p, n, 4);
	case NLA_STATS64:
		return link_stats(d, p, n, 8);
	case NLA_STRZ: {
		/* plain QUOTE_0_TERMINATED (strace's IFLA_INFO_KIND): up to the
		 * NUL within -s bytes, in hex too, else -s bytes and "..." (not
		 * when the NUL is the byte just past them: strace looks one
		 * byte ahead) */
		size_t size = n < (size_t)d->limit ? n : (size_t)d->limit;
		const unsigned char *z = memchr(p, 0, size);
		size_t show = z ? (size_t)(z - p) : size;
		int hex = d->xflag > 1;
		for (size_t i = 0; d->xflag == 1 && !hex && i < show; i++)
			hex = p[i] > 0x7e || (p[i] < ' ' && (unsigned)(p[i] - 9) >= 5);
		v_bytes(d, NULL, p, show, !z && !(n > size && !p[size]));
		if (hex)
			v_last(d)->fmt = 2;
		return 1;
	}
	case NLA_UID:
		if (n < 4)
			return 0;
		if (get32(p) == UINT32_MAX)
			v_int(d, NULL, -1);
		else
			v_uint(d, NULL, get32(p));
		return 1;
	case NLA_TUN_TYPE:
		if (n < 1)
			return 0;
		enum_q(d, NULL, p[0], xlat_tun_type, "IFF_???");
		return 1;
	case NLA_S32:
		if (n < 4)
			return 0;
		v_int(d, NULL, (int32_t)get32(p));
		return 1;
	case NLA_FD:
		if (n < 4)
			return 0;
		v_fd(d, NULL, (int32_t)get32(p));
		return 1;
	case NLA_IFMAP: {
		/* struct rtnl_link_ifmap, up to its last field */
		struct rtnl_link_ifmap m;
		if (n < offsetof(struct rtnl_link_ifmap, port) + 1)
			return 0;
		memset(&m, 0, sizeof(m));
		memcpy(&m, p, n < sizeof(m) ? n : sizeof(m));
		size_t s = v_struct_begin(d, NULL);
		v_hex(d, "mem_start", m.mem_start);
		v_hex(d, "mem_end", m.mem_end);
		v_hex(d, "base_addr", m.base_addr);
		v_uint(d, "irq", m.irq);
		v_uint(d, "dma", m.dma);
		v_uint(d, "port", m.port);
		v_end(d, s);
		return 1;
	}
	case NLA_XDP_ATTACHED:
		if (n < 1)
			return 0;
		enum_q(d, NULL, p[0], xlat_xdp_attached, "XDP_ATTACHED_???");
		return 1;
	case NLA_ADDR_GEN_MODE:
		if (n < 1)
			return 0;
		enum_q(d, NULL, p[0], xlat_in6_addr_gen_mode, "IN6_ADDR_GEN_MODE_???");
		return 1;
	case NLA_XDP_FLAGS:
		if (n < 4)
			return 0;
		v_flags(d, NULL, get32(p), xlat_xdp_flags, "0");
		return 1;
	case NLA_INET6_FLAGS:
		if (n < 4)
			return 0;
		v_flags(d, NULL, get32(p), xlat_inet6_if_flags, "0");
		return 1;
	case NLA_INET6_CACHEINFO: {
		static const char *const f[] = {
			"max_reasm_len", "tstamp", "reachable_time", "retrans_time",
		};
		if (n < 16)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 4; i++)
			v_uint(d, f[i], get32(p + 4 * i));
		v_end(d, s);
		return 1;
	}
	case NLA_IN6_ADDR:
		return inet_address(d, NULL, AF_INET6, p, n, NULL);
	case NLA_DEVCONF4:
		return indexed_array(d, p, n, 4, 1, xlat_ipv4_devconf, "IPV4_DEVCONF_???");
	case NLA_DEVCONF6:
		return indexed_array(d, p, n, 4, 1, xlat_ipv6_devconf, "DEVCONF_???");
	case NLA_IPSTATS:
		return indexed_array(d, p, n, 8, 0, xlat_ipstats_mib, "IPSTATS_MIB_???");
	case NLA_ICMP6STATS:
		return indexed_array(d, p, n, 8, 0, xlat_icmp6_mib, "ICMP6_MIB_???");
	case NLA_SKMEMINFO:
		return indexed_array(d, p, n, 4, 0, xlat_sk_meminfo, "SK_MEMINFO_???");
	case NLA_DIAG_MEMINFO: {
		static const char *const f[] = { "idiag_rmem", "idiag_wmem", "idiag_fmem", "idiag_tmem" };
		if (n < 16)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 4; i++)
			v_uint(d, f[i], get32(p + 4 * i));
		v_end(d, s);
		return 1;
	}
	case NLA_BBRINFO: {
		/* struct tcp_bbr_info: the bandwidth's halves in hex */
		if (n < 20)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		v_hex(d, "bbr_bw_lo", get32(p));
		v_hex(d, "bbr_bw_hi", get32(p + 4));
		v_uint(d, "bbr_min_rtt", get32(p + 8));
		v_uint(d, "bbr_pacing_gain", get32(p + 12));
		v_uint(d, "bbr_cwnd_gain", get32(p + 16));
		v_end(d, s);
		return 1;
	}
	case NLA_CLOCK_T: {
		uint64_t v;
		if (!nla_sized(p, n, 0, &v))
			return 0;
		v_clock_t(d, NULL, v, 0);
		return 1;
	}
	case NLA_X16:
		if (n < 2)
			return 0;
		v_hex(d, NULL, (uint16_t)(p[0] | p[1] << 8));
		return 1;
	case NLA_X32:
		if (n < 4)
			return 0;
		v_hex(d, NULL, get32(p));
		return 1;
	case NLA_ETHER_PROTO: {
		/* htons(ETH_P_8021Q) */
		uint64_t v;
		if (!nla_sized(p, n, 2, &v))
			return 0;
		size_t f = v_func_begin(d, NULL, "htons");
		enum_q(d, NULL, ntohs((uint16_t)v), xlat_ether_proto, "ETHER_P_???");
		v_end(d, f);
		return 1;
	}
	case NLA_BRIDGE_ID: {
		/* struct ifla_bridge_id: {prio=[128, 0], addr=02:00:00:00:00:01} */
		struct ifla_bridge_id id;
		if (n < sizeof(id))
			return 0;
		memcpy(&id, p, sizeof(id));
		size_t s = v_struct_begin(d, NULL);
		size_t a = v_array_begin(d, "prio");
		for (size_t i = 0; i < sizeof(id.prio); i++) {
			if (!d->verbose && i == (size_t)d->limit) {
				d->out->v[a].flags |= SCRY_VF_TRUNC;
				break;
			}
			v_uint(d, NULL, id.prio[i]);
		}
		v_end(d, a);
		hwaddr(d, "addr", id.addr, sizeof(id.addr), sizeof(id.addr));
		v_end(d, s);
		return 1;
	}
	case NLA_BR_BOOLOPT: {
		struct br_boolopt_multi bm;
		if (n < sizeof(bm))
			return 0;
		memcpy(&bm, p, sizeof(bm));
		size_t s = v_struct_begin(d, NULL);
		nl_flags(d, "optval", bm.optval, xlat_br_boolopt_flags, "1<<BR_BOOLOPT_???");
		nl_flags(d, "optmask", bm.optmask, xlat_br_boolopt_flags, "1<<BR_BOOLOPT_???");
		v_end(d, s);
		return 1;
	}
	case NLA_IFLA_EVENT:
		if (n < 4)
			return 0;
		enum_q(d, NULL, get32(p), xlat_ifla_events, "IFLA_EVENT_???");
		return 1;
	case NLA_IN4_ADDR:
		return inet_address(d, NULL, AF_INET, p, n, NULL);
	case NLA_BRIDGE_FLAGS:
	case NLA_BRIDGE_VLAN_FLAGS: {
		uint64_t v;
		if (!nla_sized(p, n, 2, &v))
			return 0;
		if (k == NLA_BRIDGE_FLAGS)
			nl_flags(d, NULL, v, xlat_bridge_flags, "BRIDGE_FLAGS_???");
		else
			nl_flags(d, NULL, v, xlat_bridge_vlan_info_flags, "BRIDGE_VLAN_INFO_???");
		return 1;
	}
	case NLA_BRIDGE_MODE: {
		uint64_t v;
		if (!nla_sized(p, n, 2, &v))
			return 0;
		enum_q(d, NULL, (int64_t)v, xlat_bridge_modes, "BRIDGE_MODE_???");
		return 1;
	}
	case NLA_BRIDGE_VLAN_INFO: {
		/* {flags=BRIDGE_VLAN_INFO_PVID|..., vid=1}, then any more bytes */
		struct bridge_vlan_info bvi;
		if (n < sizeof(bvi))
			return 0;
		memcpy(&bvi, p, sizeof(bvi));
		size_t s = v_struct_begin(d, NULL);
		nl_flags(d, "flags", bvi.flags, xlat_bridge_vlan_info_flags, "BRIDGE_VLAN_INFO_???");
		v_uint(d, "vid", bvi.vid);
		v_end(d, s);
		if (n > sizeof(bvi))
			hex_bytes(d, NULL, p + sizeof(bvi), n - sizeof(bvi));
		return 1;
	}
	case NLA_RTA_CACHEINFO: {
		/* struct rta_cacheinfo, rta_id in hex */
		static const char *const f[] = {
			"rta_clntref", "rta_lastuse", "rta_expires", "rta_error", "rta_used",
			"rta_id", "rta_ts", "rta_tsage",
		};
		if (n < 32)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 8; i++) {
			if (i == 5)
				v_hex(d, f[i], get32(p + 4 * i));
			else   /* rta_expires too, as strace prints it */
				v_uint(d, f[i], get32(p + 4 * i));
		}
		v_end(d, s);
		return 1;
	}
	case NLA_BE16:
		/* htons(4789) */
		if (n < 2)
			return 0;
		v_func_uint(d, NULL, "htons", (unsigned)(p[0] << 8 | p[1]));
		return 1;
	case NLA_IP_PROTO: {
		uint64_t v;
		if (!nla_sized(p, n, 0, &v))
			return 0;
		enum_q(d, NULL, (int64_t)v, xlat_ipproto, "IPPROTO_???");
		return 1;
	}
	case NLA_NDA_CACHEINFO: {
		static const char *const f[] = {
			"ndm_confirmed", "ndm_used", "ndm_updated", "ndm_refcnt",
		};
		if (n < 16)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 4; i++)
			v_uint(d, f[i], get32(p + 4 * i));
		v_end(d, s);
		return 1;
	}
	case NLA_FDB_NOTIFY:
	case NLA_NTF_EXT:
	case NLA_NUD_MASK:
	case NLA_NTF_MASK: {
		/* flags of 1, 4, 2 and 1 bytes (strace's decode_nla_flags) */
		uint64_t v;
		size_t size = k == NLA_NTF_EXT ? 4 : k == NLA_NUD_MASK ? 2 : 1;
		if (!nla_sized(p, n, size, &v))
			return 0;
		if (k == NLA_FDB_NOTIFY)
			nl_flags(d, NULL, v, xlat_fdb_notify, "FDB_NOTIFY_???");
		else if (k == NLA_NTF_EXT)
			nl_flags(d, NULL, v, xlat_ntf_ext, "NTF_EXT_???");
		else if (k == NLA_NUD_MASK)
			nl_flags0(d, NULL, v, xlat_nud, "NUD_NONE", "NUD_???");
		else
			nl_flags(d, NULL, v, xlat_ntf, "NTF_???");
		return 1;
	}
	case NLA_NDIAG_GROUPS: {
		/* the groups' bitmap in words, each in hex, at most -s of them */
		size_t cnt = n / 8;
		if (!cnt)
			return 0;
		size_t a = v_array_begin(d, NULL);
		for (size_t i = 0; i < cnt; i++) {
			if (!d->verbose && i == (size_t)d->limit) {
				d->out->v[a].flags |= SCRY_VF_TRUNC;
				break;
			}
			/* strace's PRINT_VAL_0X: "%#0*llx" of the word's
			 * width, so 0x0000000000000011 and 0000000000000000 */
			v_text(d, NULL, "%#0*" PRIx64, 16, get64(p + 8 * i));
		}
		v_end(d, a);
		return 1;
	}
	case NLA_NDIAG_RING: {
		static const char *const f[] = {
			"ndr_block_size", "ndr_block_nr", "ndr_frame_size", "ndr_frame_nr",
		};
		if (n < 16)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 4; i++)
			v_uint(d, f[i], get32(p + 4 * i));
		v_end(d, s);
		return 1;
	}
	case NLA_NDIAG_FLAGS:
		if (n < 4)
			return 0;
		nl_flags(d, NULL, get32(p), xlat_ndiag_flags, "NDIAG_FLAG_???");
		return 1;
	case NLA_BE64:
		/* htobe64(N) */
		if (n < 8) {
			return 0;
		} else {
			uint64_t v = 0;
			for (int i = 0; i < 8; i++)
				v = v << 8 | p[i];
			v_func_uint(d, NULL, "htobe64", v);
		}
		return 1;
	case NLA_RT_PROTO:
		if (n < 1)
			return 0;
		enum_q(d, NULL, p[0], xlat_rtprot, "RTPROT_???");
		return 1;
	case NLA_UID_RANGE:
	case NLA_PORT_RANGE: {
		/* {start=0, end=4294967295}: two u32s, or two u16s */
		size_t w = k == NLA_UID_RANGE ? 4 : 2;
		if (n < 2 * w)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		v_uint(d, "start", w == 4 ? get32(p) : (unsigned)(p[0] | p[1] << 8));
		v_uint(d, "end", w == 4 ? get32(p + 4) : (unsigned)(p[2] | p[3] << 8));
		v_end(d, s);
		return 1;
	}
	case NLA_TC_STATS: {
		static const struct nl_field f[] = {
			NLF(tc_stats, bytes, 0), NLF(tc_stats, packets, 0), NLF(tc_stats, drops, 0),
			NLF(tc_stats, overlimits, 0), NLF(tc_stats, bps, 0), NLF(tc_stats, pps, 0),
			NLF(tc_stats, qlen, 0), NLF(tc_stats, backlog, 0),
		};
		return nl_fields(d, p, n, offsetof(struct tc_stats, backlog) + 4, f, 8);
	}
	case NLA_TC_ESTIMATOR: {
		static const struct nl_field f[] = {
			NLF(tc_estimator, interval, 1), NLF(tc_estimator, ewma_log, 0),
		};
		return nl_fields(d, p, n, sizeof(struct tc_estimator), f, 2);
	}
	case NLA_GNET_BASIC: {
		static const struct nl_field f[] = {
			NLF(gnet_stats_basic, bytes, 0), NLF(gnet_stats_basic, packets, 0),
		};
		return nl_fields(d, p, n, offsetof(struct gnet_stats_basic, packets) + 4, f, 2);
	}
	case NLA_GNET_RATE_EST: {
		static const struct nl_field f[] = {
			NLF(gnet_stats_rate_est, bps, 0), NLF(gnet_stats_rate_est, pps, 0),
		};
		return nl_fields(d, p, n, sizeof(struct gnet_stats_rate_est), f, 2);
	}
	case NLA_GNET_QUEUE: {
		static const struct nl_field f[] = {
			NLF(gnet_stats_queue, qlen, 0), NLF(gnet_stats_queue, backlog, 0),
			NLF(gnet_stats_queue, drops, 0), NLF(gnet_stats_queue, requeues, 0),
			NLF(gnet_stats_queue, overlimits, 0),
		};
		return nl_fields(d, p, n, sizeof(struct gnet_stats_queue), f, 5);
	}
	case NLA_GNET_RATE_EST64: {
		static const struct nl_field f[] = {
			NLF(gnet_stats_rate_est64, bps, 0), NLF(gnet_stats_rate_est64, pps, 0),
		};
		return nl_fields(d, p, n, sizeof(struct gnet_stats_rate_est64), f, 2);
	}
	case NLA_TC_SIZESPEC: {
		static const struct nl_field f[] = {
			NLF(tc_sizespec, cell_log, 0), NLF(tc_sizespec, size_log, 0),
			NLF(tc_sizespec, cell_align, 1), NLF(tc_sizespec, overhead, 1),
			NLF(tc_sizespec, linklayer, 0), NLF(tc_sizespec, mpu, 0),
			NLF(tc_sizespec, mtu, 0), NLF(tc_sizespec, tsize, 0),
		};
		return nl_fields(d, p, n, sizeof(struct tc_sizespec), f, 8);
	}
	case NLA_TC_STAB_DATA: {
		/* u16s, at most -s of them */
		size_t cnt = n / 2;
		if (!cnt)
			return 0;
		size_t a = v_array_begin(d, NULL);
		for (size_t i = 0; i < cnt; i++) {
			if (!d->verbose && i == (size_t)d->limit) {
				d->out->v[a].flags |= SCRY_VF_TRUNC;
				break;
			}
			v_uint(d, NULL, (unsigned)(p[2 * i] | p[2 * i + 1] << 8));
		}
		v_end(d, a);
		return 1;
	}
	case NLA_LWT_ENCAP:
		if (n < 2)
			return 0;
		enum_q(d, NULL, p[0] | p[1] << 8, xlat_lwt_encap, "LWTUNNEL_ENCAP_???");
		return 1;
	case NLA_NH_GROUP_TYPE: {
		uint64_t v;
		if (!nla_sized(p, n, 2, &v))
			return 0;
		enum_q(d, NULL, (int64_t)v, xlat_nexthop_grp_type, "NEXTHOP_GRP_TYPE_???");
		return 1;
	}
	case NLA_NH_GROUP: {
		/* [{id=1, weight=0}, ...]: struct nexthop_grp, the reserved
		 * fields only when not 0; at most -s of them */
		size_t cnt = n / sizeof(struct nexthop_grp);
		if (!cnt)
			return 0;
		size_t a = v_array_begin(d, NULL);
		for (size_t i = 0; i < cnt; i++) {
			if (!d->verbose && i == (size_t)d->limit) {
				d->out->v[a].flags |= SCRY_VF_TRUNC;
				break;
			}
			/* id u32, weight u8, resvd1 u8 (newer headers'
			 * weight_high), resvd2 u16 */
			const unsigned char *e = p + i * sizeof(struct nexthop_grp);
			size_t s = v_struct_begin(d, NULL);
			v_uint(d, "id", get32(e));
			v_uint(d, "weight", e[4]);
			if (e[5])
				v_hex(d, "resvd1", e[5]);
			if (e[6] | e[7])
				v_hex(d, "resvd2", (unsigned)(e[6] | e[7] << 8));
			v_end(d, s);
		}
		v_end(d, a);
		return 1;
	}
	case NLA_NEST_NH_RES_GROUP:
		nlattrs(d, p, n, &set_nha_res_group, family);
		return 1;
	case NLA_NEST_NH_RES_BUCKET:
		nlattrs(d, p, n, &set_nha_res_bucket, family);
		return 1;
	case NLA_NEST_TC_STATS2:
		nlattrs(d, p, n, &set_tca_stats, family);
		return 1;
	case NLA_NEST_TC_STAB:
		nlattrs(d, p, n, &set_tca_stab, family);
		return 1;
	case NLA_NEST_FDB_EXT:
		nlattrs(d, p, n, &set_nfea, family);
		return 1;
	case NLA_CAN_XSTATS: {
		/* struct can_device_stats */
		static const char *const f[] = {
			"bus_error", "error_warning", "error_passive", "bus_off",
			"arbitration_lost", "restarts",
		};
		if (n < 24)
			return 0;
		size_t s = v_struct_begin(d, NULL);
		for (int i = 0; i < 6; i++)
			v_uint(d, f[i], get32(p + 4 * i));
		v_end(d, s);
		return 1;
	}
	case NLA_NEST_PROTINFO:
		/* by the message's family: a bridge port's, or AF_INET6's as
		 * in IFLA_AF_SPEC */
		if (family == AF_BRIDGE)
			nlattrs(d, p, n, &set_brport, family);
		else if (family == AF_INET6)
			nlattrs(d, p, n, &set_inet6, family);
		else
			return 0;
		return 1;
	case NLA_NEST_PROTO_DOWN_REASON:
		nlattrs(d, p, n, &set_proto_down_reason, family);
		return 1;
	case NLA_NEST_BR_QSTATE:
		nlattrs(d, p, n, &set_br_qstate, family);
		return 1;
	case NLA_NEST_VLAN_TUNNEL:
		nlattrs(d, p, n, &set_vlan_tunnel, family);
		return 1;
	case NLA_NEST_XDP:
		nlattrs(d, p, n, &set_xdp, family);
		return 1;
	case NLA_NEST_LINKINFO:
		nlattrs(d, p, n, &set_linkinfo, family);
		return 1;
	case NLA_NEST_AF_SPEC:
		/* an AF_BRIDGE message's is the bridge's set, not by family */
		nlattrs(d, p, n, family == AF_BRIDGE ? &set_af_spec_bridge : &set_af_spec, family);
		return 1;
	case NLA_NEST_PROP_LIST:
		nlattrs(d, p, n, &set_prop_list, family);
		return 1;
	default:
		return 0;
	}
}

/*
 * The attributes in n bytes at p: [{nla_len=8, nla_type=IFA_LOCAL},
 * inet_addr("127.0.0.1")], one bare or several in an array, at most -s of
 * them (all with -v).
 */
/* A link's kind as strace 6.1 keeps it (update_ctx_str): its bytes up
 * to a NUL when there are fewer than 16, else "". */
static void link_kind(char out[16], const unsigned char *p, size_t n)
{
	out[0] = 0;
	if (n >= 16)
		return;
	memcpy(out, p, n);
	out[n] = 0;
}

static void nlattrs(struct dctx *d, const unsigned char *p, size_t n, const struct nla_set *set,
		    int family)
{
	const struct scry_xlat *types = set->types;
	const char *unknown = set->unknown;
	/* IFLA_INFO_KIND's and IFLA_INFO_SLAVE_KIND's, for IFLA_INFO_DATA,
	 * IFLA_INFO_XSTATS and IFLA_INFO_SLAVE_DATA */
	char kind[16] = "", slave_kind[16] = "";
	size_t arr = (size_t)-1;
	unsigned elt = 0;
	while (n) {
		if (n < NLA_HDRLEN) {
			hex_bytes(d, NULL, p, n);
			break;
		}
		if (!d->verbose && elt == (unsigned)d->limit) {
			if (arr != (size_t)-1)
				d->out->v[arr].flags |= SCRY_VF_TRUNC;
			else   /* -s 0: strace shows only that there is more */
				v_text(d, NULL, "...");
			break;
		}
		struct nlattr nla;
		memcpy(&nla, p, sizeof(nla));
		size_t alen = NLA_ALIGN(nla.nla_len);
		size_t next = 0;
		if (nla.nla_len >= NLA_HDRLEN && n > alen)
			next = n - alen;
		if (arr == (size_t)-1 && next)
			arr = v_array_begin(d, NULL);
		size_t len = nla.nla_len < n ? nla.nla_len : n;
		size_t a = len > NLA_HDRLEN ? v_array_begin(d, NULL) : (size_t)-1;
		size_t s = v_struct_begin(d, NULL);
		v_uint(d, "nla_len", nla.nla_len);
		unsigned t = nla.nla_type & NLA_TYPE_MASK;
		unsigned fl = nla.nla_type & (NLA_F_NESTED | NLA_F_NET_BYTEORDER);
		if (fl) {
			static const struct scry_xlat xlat_nla_f[] = {
				XLAT(NLA_F_NESTED), XLAT(NLA_F_NET_BYTEORDER), XLAT_END,
			};
			size_t o = v_or_begin(d, "nla_type", nla.nla_type);
			v_flags(d, NULL, fl, xlat_nla_f, NULL);
			enum_q(d, NULL, t, types, unknown);
			v_end(d, o);
		} else {
			enum_q(d, "nla_type", t, types, unknown);
		}
		v_end(d, s);
		if (a != (size_t)-1) {
			const unsigned char *val = p + NLA_HDRLEN;
			size_t vlen = len - NLA_HDRLEN;
			enum nla_kind k = nla_kind_of(set, t);
			int shown;
			const struct nla_set *sub = NULL;
			if (set == &set_linkinfo && (t == IFLA_INFO_KIND || t == IFLA_INFO_SLAVE_KIND))
				link_kind(t == IFLA_INFO_KIND ? kind : slave_kind, val, vlen);
			if (k == NLA_NEST_AF)   /* IFLA_AF_SPEC's: by the family */
				sub = t == AF_INET ? &set_inet : t == AF_INET6 ? &set_inet6
				    : t == AF_MCTP ? &set_mctp : NULL;
			else if (k == NLA_NEST_INFO_DATA)   /* by the kind */
				sub = !strcmp(kind, "tun") ? &set_tun
				    : !strcmp(kind, "bridge") ? &set_br : NULL;
			else if (k == NLA_NEST_SLAVE_DATA)
				sub = !strcmp(slave_kind, "bridge") ? &set_brport : NULL;
			if (sub) {
				nlattrs(d, val, vlen, sub, family);
				shown = 1;
			} else if (k == NLA_NEST_AF || k == NLA_NEST_INFO_DATA || k == NLA_NEST_SLAVE_DATA) {
				shown = 0;
			} else if (k == NLA_NEST_INFO_XSTATS) {
				shown = !strcmp(kind, "can") && nla_value(d, NLA_CAN_XSTATS, family, val, vlen);
			} else {
				shown = nla_value(d, k, family, val, vlen);
			}
			if (!shown)
				hex_bytes(d, NULL, val, vlen);
			v_end(d, a);
		}
		elt++;
		if (!next)
			break;
		p += alen;
		n = next;
	}
	if (arr != (size_t)-1)
		v_end(d, arr);
}

static const struct nla_set set_ifla = { xlat_ifla, "IFLA_???", kind_ifla, NULL, 0 };
static const struct nla_set set_ifa = { xlat_ifa, "IFA_???", kind_ifa, NULL, 0 };
static const struct nla_set set_rta = { xlat_rta, "RTA_???", kind_rta, NULL, 0 };
static const struct nla_set set_inet_diag = {
	xlat_inet_diag_attrs, "INET_DIAG_???", kind_inet_diag, NULL, 0,
};
static const struct nla_set set_unix_diag = {
	xlat_unix_diag_attrs, "UNIX_DIAG_???", kind_unix_diag, NULL, 0,
};
static const unsigned char kinds_netlink_diag[] = {
	[NETLINK_DIAG_MEMINFO] = NLA_SKMEMINFO, [NETLINK_DIAG_GROUPS] = NLA_NDIAG_GROUPS,
	[NETLINK_DIAG_RX_RING] = NLA_NDIAG_RING, [NETLINK_DIAG_TX_RING] = NLA_NDIAG_RING,
	[NETLINK_DIAG_FLAGS] = NLA_NDIAG_FLAGS,
};
static const struct nla_set set_netlink_diag =
	NLA_TABLE(xlat_netlink_diag_attrs, "NETLINK_DIAG_???", kinds_netlink_diag);

/* ---- NETLINK_ROUTE ---- */

/* The struct of a message is cut short: its family, then "...". */
static void family_only(struct dctx *d, const char *field, int family)
{
	size_t s = v_struct_begin(d, NULL);
	enum_q(d, field, family, xlat_af, "AF_???");
	v_end(d, s);
	d->out->v[s].flags |= SCRY_VF_ABBREV;
}

static int route_payload(struct dctx *d, unsigned type, const unsigned char *p, size_t n)
{
	if (n < 1)
		return 0;
	int family = p[0];
	unsigned kind = (type - RTM_BASE) / 4;   /* LINK, ADDR, ROUTE, NEIGH, ... */
	if (kind == 3 && type <= RTM_GETNEIGH && !(type == RTM_GETNEIGH && family == AF_BRIDGE)) {
		/* a neighbour: ndmsg and its attributes (bridge fdb's
		 * AF_BRIDGE RTM_GETNEIGH carries an ifinfomsg, decoded so) */
		struct ndmsg nd;
		if (n < sizeof(nd)) {
			family_only(d, "ndm_family", family);
			return 1;
		}
		memcpy(&nd, p, sizeof(nd));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "ndm_family", nd.ndm_family, xlat_af, "AF_???");
		ifindex(d, "ndm_ifindex", (unsigned)nd.ndm_ifindex);
		nl_flags0(d, "ndm_state", nd.ndm_state, xlat_nud, "NUD_NONE", "NUD_???");
		nl_flags(d, "ndm_flags", nd.ndm_flags, xlat_ntf, "NTF_???");
		enum_q(d, "ndm_type", nd.ndm_type, xlat_rtn_types, "RTN_???");
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(nd));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_nda, family);
		return 1;
	}
	if (kind == (RTM_NEWNETCONF - RTM_BASE) / 4 && type <= RTM_GETNETCONF) {
		/* netconfmsg is its family alone, the attributes after 4 bytes */
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "ncm_family", family, xlat_af, "AF_???");
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(struct netconfmsg));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_netconfa, family);
		return 1;
	}
	if (kind == (RTM_NEWADDRLABEL - RTM_BASE) / 4 && type <= RTM_GETADDRLABEL) {
		struct ifaddrlblmsg al;
		if (n < sizeof(al)) {
			family_only(d, "ifal_family", family);
			return 1;
		}
		memcpy(&al, p, sizeof(al));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "ifal_family", al.ifal_family, xlat_af, "AF_???");
		v_uint(d, "ifal_prefixlen", al.ifal_prefixlen);
		v_uint(d, "ifal_flags", al.ifal_flags);
		ifindex(d, "ifal_index", al.ifal_index);
		v_uint(d, "ifal_seq", al.ifal_seq);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(al));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_ifal, family);
		return 1;
	}
	if (((kind == 5 || kind == 6 || kind == 7) && (type & 3) != 3) ||
	    (type >= RTM_NEWCHAIN && type <= RTM_GETCHAIN)) {
		/* traffic control: a qdisc, class, filter or chain */
		struct tcmsg tc;
		if (n < sizeof(tc)) {
			family_only(d, "tcm_family", family);
			return 1;
		}
		memcpy(&tc, p, sizeof(tc));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "tcm_family", tc.tcm_family, xlat_af, "AF_???");
		ifindex(d, "tcm_ifindex", (unsigned)tc.tcm_ifindex);
		v_uint(d, "tcm_handle", tc.tcm_handle);
		v_uint(d, "tcm_parent", tc.tcm_parent);
		v_uint(d, "tcm_info", tc.tcm_info);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(tc));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_tca, family);
		return 1;
	}
	if (type >= RTM_NEWNEXTHOP && type <= RTM_GETNEXTHOP) {
		/* a nexthop: nhmsg (resvd only when not 0) and NHA_* */
		struct nhmsg nh;
		if (n < sizeof(nh)) {
			family_only(d, "nh_family", family);
			return 1;
		}
		memcpy(&nh, p, sizeof(nh));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "nh_family", nh.nh_family, xlat_af, "AF_???");
		v_enum(d, "nh_scope", nh.nh_scope, xlat_rt_scope);
		v_last(d)->fmt = 1;   /* unnamed: hex, no comment */
		enum_q(d, "nh_protocol", nh.nh_protocol, xlat_rtprot, "RTPROT_???");
		if (nh.resvd)
			v_hex(d, "resvd", nh.resvd);
		nl_flags(d, "nh_flags", nh.nh_flags, xlat_rtnh_flags, "RTNH_F_???");
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(nh));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_nha, family);
		return 1;
	}
	if (kind == 4 && type <= RTM_GETRULE) {
		/* a rule: fib_rule_hdr and its FRA_* attributes */
		struct fib_rule_hdr fr;
		if (n < sizeof(fr)) {
			family_only(d, "family", family);
			return 1;
		}
		memcpy(&fr, p, sizeof(fr));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "family", fr.family, xlat_af, "AF_???");
		v_uint(d, "dst_len", fr.dst_len);
		v_uint(d, "src_len", fr.src_len);
		nl_flags(d, "tos", fr.tos, xlat_iptos, "IPTOS_TOS_???");
		enum_q(d, "table", fr.table, xlat_rt_table, "RT_TABLE_???");
		enum_q(d, "action", fr.action, xlat_fr_act, "FR_ACT_???");
		nl_flags(d, "flags", fr.flags, xlat_fib_rule_flags, "FIB_RULE_???");
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(fr));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_fra, family);
		return 1;
	}
	if ((type >= RTM_NEWLINK && type <= RTM_SETLINK) || type == RTM_GETNEIGH) {
		struct ifinfomsg ifi;
		if (n < sizeof(ifi)) {
			family_only(d, "ifi_family", family);
			return 1;
		}
		memcpy(&ifi, p, sizeof(ifi));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "ifi_family", ifi.ifi_family, xlat_af, "AF_???");
		enum_q(d, "ifi_type", ifi.ifi_type, xlat_arphrd, "ARPHRD_???");
		ifindex(d, "ifi_index", (unsigned)ifi.ifi_index);
		v_flags(d, "ifi_flags", ifi.ifi_flags, xlat_iff, "0");
		v_hex(d, "ifi_change", ifi.ifi_change);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(ifi));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_ifla, family);
		return 1;
	}
	if ((kind == 1 && type <= RTM_GETADDR) || type == RTM_GETMULTICAST || type == RTM_GETANYCAST) {
		struct ifaddrmsg ifa;
		if (n < sizeof(ifa)) {
			family_only(d, "ifa_family", family);
			return 1;
		}
		memcpy(&ifa, p, sizeof(ifa));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "ifa_family", ifa.ifa_family, xlat_af, "AF_???");
		v_uint(d, "ifa_prefixlen", ifa.ifa_prefixlen);
		v_flags(d, "ifa_flags", ifa.ifa_flags, xlat_ifa_flags, "0");
		enum_q(d, "ifa_scope", ifa.ifa_scope, xlat_rt_scope, "RT_SCOPE_???");
		ifindex(d, "ifa_index", ifa.ifa_index);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(ifa));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_ifa, family);
		return 1;
	}
	if (kind == 2 && type <= RTM_GETROUTE) {
		struct rtmsg rt;
		if (n < sizeof(rt)) {
			family_only(d, "rtm_family", family);
			return 1;
		}
		memcpy(&rt, p, sizeof(rt));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "rtm_family", rt.rtm_family, xlat_af, "AF_???");
		v_uint(d, "rtm_dst_len", rt.rtm_dst_len);
		v_uint(d, "rtm_src_len", rt.rtm_src_len);
		v_hex(d, "rtm_tos", rt.rtm_tos);
		enum_q(d, "rtm_table", rt.rtm_table, xlat_rt_table, "RT_TABLE_???");
		enum_q(d, "rtm_protocol", rt.rtm_protocol, xlat_rtprot, "RTPROT_???");
		enum_q(d, "rtm_scope", rt.rtm_scope, xlat_rt_scope, "RT_SCOPE_???");
		enum_q(d, "rtm_type", rt.rtm_type, xlat_rtn_types, "RTN_???");
		v_flags(d, "rtm_flags", rt.rtm_flags, xlat_rtm_flags, "0");
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(rt));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_rta, family);
		return 1;
	}
	switch (type) {
	case RTM_NEWACTION: case RTM_DELACTION: case RTM_GETACTION:
	case RTM_NEWNEIGHTBL: case RTM_GETNEIGHTBL: case RTM_SETNEIGHTBL:
	case RTM_GETDCB: case RTM_SETDCB: case RTM_NEWMDB: case RTM_DELMDB: case RTM_GETMDB:
	case RTM_NEWNSID: case RTM_DELNSID: case RTM_GETNSID: case RTM_NEWSTATS: case RTM_GETSTATS:
	case RTM_NEWCACHEREPORT:
		/* strace decodes these, scry does not yet: bytes */
		return 0;
	default:
		break;
	}
	/* a type strace has no decoder for: {family=AF_UNSPEC, data="..."} */
	size_t s = v_struct_begin(d, NULL);
	enum_q(d, "family", family, xlat_af, "AF_???");
	if (n > 1)
		hex_bytes(d, "data", p + 1, n - 1);
	v_end(d, s);
	return 1;
}

/* ---- NETLINK_SOCK_DIAG ---- */

/* 1<<TCP_LISTEN|...: each state a part of the set (JSON "TCP_LISTEN":1). */
static void tcp_states(struct dctx *d, const char *name, uint32_t states)
{
	uint32_t rest = 0;
	if (!states) {
		v_uint(d, name, 0);
		return;
	}
	size_t o = v_or_begin(d, name, states);
	for (unsigned b = 0; b < 32; b++) {
		if (!(states >> b & 1))
			continue;
		const char *sn = NULL;
		for (const struct scry_xlat *x = xlat_tcp_states; x->name; x++)
			if (x->val == b)
				sn = x->name;
		if (!sn) {
			rest |= 1u << b;
			continue;
		}
		v_uint(d, sn, 1);
		v_last(d)->fmt = SCRY_FMT_SHIFT;
	}
	if (rest)
		v_hex(d, NULL, rest);
	v_end(d, o);
}

/* idiag_ext: bit N-1 asks for attribute N, "1<<(INET_DIAG_INFO-1)|...",
 * as strace prints it (the part's name is that text: JSON
 * "(INET_DIAG_INFO-1)":1); bits without a name in hex, 0 as 0. */
#define DIAG_EXT(x) "(" #x "-1)"
static const char *const diag_ext_names[] = {
	DIAG_EXT(INET_DIAG_MEMINFO), DIAG_EXT(INET_DIAG_INFO), DIAG_EXT(INET_DIAG_VEGASINFO),
	DIAG_EXT(INET_DIAG_CONG), DIAG_EXT(INET_DIAG_TOS), DIAG_EXT(INET_DIAG_TCLASS),
	DIAG_EXT(INET_DIAG_SKMEMINFO), DIAG_EXT(INET_DIAG_SHUTDOWN),
};
#undef DIAG_EXT

static void diag_ext(struct dctx *d, const char *name, uint8_t ext)
{
	if (!ext) {
		v_hex(d, name, 0);
		return;
	}
	uint32_t rest = 0;
	size_t o = v_or_begin(d, name, ext);
	for (unsigned b = 0; b < 8; b++) {
		if (!(ext >> b & 1))
			continue;
		if (b >= sizeof(diag_ext_names) / sizeof(diag_ext_names[0])) {
			rest |= 1u << b;
			continue;
		}
		v_uint(d, diag_ext_names[b], 1);
		v_last(d)->fmt = SCRY_FMT_SHIFT;
	}
	if (rest)
		v_hex(d, NULL, rest);
	v_end(d, o);
}

static void diag_sockid(struct dctx *d, int family, const struct inet_diag_sockid *id)
{
	size_t s = v_struct_begin(d, "id");
	v_func_uint(d, "idiag_sport", "htons", ntohs(id->idiag_sport));
	v_func_uint(d, "idiag_dport", "htons", ntohs(id->idiag_dport));
	if (!inet_address(d, "idiag_src", family, (const unsigned char *)id->idiag_src, 16, "idiag_src"))
		hex_bytes(d, "idiag_src", (const unsigned char *)id->idiag_src, 16);
	if (!inet_address(d, "idiag_dst", family, (const unsigned char *)id->idiag_dst, 16, "idiag_dst"))
		hex_bytes(d, "idiag_dst", (const unsigned char *)id->idiag_dst, 16);
	ifindex(d, "idiag_if", id->idiag_if);
	size_t a = v_array_begin(d, "idiag_cookie");
	v_uint(d, NULL, id->idiag_cookie[0]);
	v_uint(d, NULL, id->idiag_cookie[1]);
	v_end(d, a);
	v_end(d, s);
}

static int sock_diag_payload(struct dctx *d, unsigned type, unsigned flags, const unsigned char *p,
			     size_t n)
{
	if (n < 1)
		return 0;
	int family = p[0];
	int request = flags & NLM_F_REQUEST;
	if (n == 1 || (family != AF_UNIX && family != AF_INET && family != AF_INET6 &&
		       family != AF_NETLINK && family != AF_PACKET && family != AF_SMC)) {
		/* a family strace has no decoder for: {family=AF_VSOCK,
		 * data="\x00..."} */
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "family", family, xlat_af, "AF_???");
		if (n > 1)
			hex_bytes(d, "data", p + 1, n - 1);
		v_end(d, s);
		return 1;
	}
	if ((family == AF_INET || family == AF_INET6) && request &&
	    (type == TCPDIAG_GETSOCK || type == DCCPDIAG_GETSOCK)) {
		/* the old request, struct inet_diag_req */
		struct inet_diag_req r;
		if (n < sizeof(r)) {
			family_only(d, "idiag_family", family);
			return 1;
		}
		memcpy(&r, p, sizeof(r));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "idiag_family", r.idiag_family, xlat_af, "AF_???");
		v_uint(d, "idiag_src_len", r.idiag_src_len);
		v_uint(d, "idiag_dst_len", r.idiag_dst_len);
		diag_ext(d, "idiag_ext", r.idiag_ext);
		diag_sockid(d, family, &r.id);
		tcp_states(d, "idiag_states", r.idiag_states);
		v_uint(d, "idiag_dbs", r.idiag_dbs);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(r));
		if (n > off)
			hex_bytes(d, NULL, p + off, n - off);
		return 1;
	}
	if ((family == AF_INET || family == AF_INET6) && request) {
		struct inet_diag_req_v2 r;
		if (n < sizeof(r)) {
			family_only(d, "sdiag_family", family);
			return 1;
		}
		memcpy(&r, p, sizeof(r));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "sdiag_family", r.sdiag_family, xlat_af, "AF_???");
		enum_q(d, "sdiag_protocol", r.sdiag_protocol, xlat_ipproto, "IPPROTO_???");
		diag_ext(d, "idiag_ext", r.idiag_ext);
		tcp_states(d, "idiag_states", r.idiag_states);
		diag_sockid(d, family, &r.id);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(r));
		if (n > off)
			hex_bytes(d, NULL, p + off, n - off);
		return 1;
	}
	if (family == AF_INET || family == AF_INET6) {
		struct inet_diag_msg m;
		if (n < sizeof(m)) {
			family_only(d, "idiag_family", family);
			return 1;
		}
		memcpy(&m, p, sizeof(m));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "idiag_family", m.idiag_family, xlat_af, "AF_???");
		enum_q(d, "idiag_state", m.idiag_state, xlat_tcp_states, "TCP_???");
		v_uint(d, "idiag_timer", m.idiag_timer);
		v_uint(d, "idiag_retrans", m.idiag_retrans);
		diag_sockid(d, family, &m.id);
		v_uint(d, "idiag_expires", m.idiag_expires);
		v_uint(d, "idiag_rqueue", m.idiag_rqueue);
		v_uint(d, "idiag_wqueue", m.idiag_wqueue);
		v_uint(d, "idiag_uid", m.idiag_uid);
		v_uint(d, "idiag_inode", m.idiag_inode);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(m));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_inet_diag, family);
		return 1;
	}
	if (family == AF_UNIX && !request) {
		struct unix_diag_msg m;
		if (n < sizeof(m)) {
			family_only(d, "udiag_family", family);
			return 1;
		}
		memcpy(&m, p, sizeof(m));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "udiag_family", m.udiag_family, xlat_af, "AF_???");
		enum_q(d, "udiag_type", m.udiag_type, xlat_sock_type, "SOCK_???");
		enum_q(d, "udiag_state", m.udiag_state, xlat_tcp_states, "TCP_???");
		v_uint(d, "udiag_ino", m.udiag_ino);
		size_t a = v_array_begin(d, "udiag_cookie");
		v_uint(d, NULL, m.udiag_cookie[0]);
		v_uint(d, NULL, m.udiag_cookie[1]);
		v_end(d, a);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(m));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_unix_diag, family);
		return 1;
	}
	if (family == AF_NETLINK && request) {
		struct netlink_diag_req r;
		if (n < sizeof(r)) {
			family_only(d, "sdiag_family", family);
			return 1;
		}
		memcpy(&r, p, sizeof(r));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "sdiag_family", r.sdiag_family, xlat_af, "AF_???");
		if (r.sdiag_protocol == NDIAG_PROTO_ALL) {
			static const struct scry_xlat all[] = { XLAT(NDIAG_PROTO_ALL), XLAT_END };
			v_enum(d, "sdiag_protocol", r.sdiag_protocol, all);
		} else {
			enum_q(d, "sdiag_protocol", r.sdiag_protocol, xlat_netlink_protocols,
			       "NETLINK_???");
		}
		v_uint(d, "ndiag_ino", r.ndiag_ino);
		nl_flags(d, "ndiag_show", r.ndiag_show, xlat_ndiag_show, "NDIAG_SHOW_???");
		size_t a = v_array_begin(d, "ndiag_cookie");
		v_uint(d, NULL, r.ndiag_cookie[0]);
		v_uint(d, NULL, r.ndiag_cookie[1]);
		v_end(d, a);
		v_end(d, s);
		return 1;
	}
	if (family == AF_NETLINK) {
		struct netlink_diag_msg m;
		if (n < sizeof(m)) {
			family_only(d, "ndiag_family", family);
			return 1;
		}
		memcpy(&m, p, sizeof(m));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "ndiag_family", m.ndiag_family, xlat_af, "AF_???");
		enum_q(d, "ndiag_type", m.ndiag_type, xlat_sock_type, "SOCK_???");
		enum_q(d, "ndiag_protocol", m.ndiag_protocol, xlat_netlink_protocols, "NETLINK_???");
		enum_q(d, "ndiag_state", m.ndiag_state, xlat_netlink_states, "NETLINK_???");
		v_uint(d, "ndiag_portid", m.ndiag_portid);
		v_uint(d, "ndiag_dst_portid", m.ndiag_dst_portid);
		v_uint(d, "ndiag_dst_group", m.ndiag_dst_group);
		v_uint(d, "ndiag_ino", m.ndiag_ino);
		size_t a = v_array_begin(d, "ndiag_cookie");
		v_uint(d, NULL, m.ndiag_cookie[0]);
		v_uint(d, NULL, m.ndiag_cookie[1]);
		v_end(d, a);
		v_end(d, s);
		size_t off = NLMSG_ALIGN(sizeof(m));
		if (n > off)
			nlattrs(d, p + off, n - off, &set_netlink_diag, family);
		return 1;
	}
	if (family == AF_PACKET && request) {
		struct packet_diag_req r;
		if (n < sizeof(r)) {
			family_only(d, "sdiag_family", family);
			return 1;
		}
		memcpy(&r, p, sizeof(r));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "sdiag_family", r.sdiag_family, xlat_af, "AF_???");
		v_hex(d, "sdiag_protocol", r.sdiag_protocol);
		v_uint(d, "pdiag_ino", r.pdiag_ino);
		nl_flags(d, "pdiag_show", r.pdiag_show, xlat_packet_show, "PACKET_SHOW_???");
		size_t a = v_array_begin(d, "pdiag_cookie");
		v_uint(d, NULL, r.pdiag_cookie[0]);
		v_uint(d, NULL, r.pdiag_cookie[1]);
		v_end(d, a);
		v_end(d, s);
		return 1;
	}
	if (family == AF_UNIX && request) {
		struct unix_diag_req r;
		if (n < sizeof(r)) {
			family_only(d, "sdiag_family", family);
			return 1;
		}
		memcpy(&r, p, sizeof(r));
		size_t s = v_struct_begin(d, NULL);
		enum_q(d, "sdiag_family", r.sdiag_family, xlat_af, "AF_???");
		v_uint(d, "sdiag_protocol", r.sdiag_protocol);
		tcp_states(d, "udiag_states", r.udiag_states);
		v_uint(d, "udiag_ino", r.udiag_ino);
		v_flags(d, "udiag_show", r.udiag_show, xlat_unix_diag_show, "0");
		size_t a = v_array_begin(d, "udiag_cookie");
		v_uint(d, NULL, r.udiag_cookie[0]);
		v_uint(d, NULL, r.udiag_cookie[1]);
		v_end(d, a);
		v_end(d, s);
		return 1;
	}
	return 0;
}

/* ---- messages ---- */

static const struct scry_xlat *nl_flag_table(int proto, unsigned type)
{
	if (type < NLMSG_MIN_TYPE)
		return type == NLMSG_ERROR ? xlat_nlf_ack : xlat_nlf;
	if (proto == NETLINK_ROUTE) {
		switch (type & 3) {
		case 0: return xlat_nlf_new;
		case 1: return xlat_nlf_del;
		case 2: return xlat_nlf_get;
		default: return xlat_nlf;
		}
	}
	if (proto == NETLINK_SOCK_DIAG)
		return xlat_nlf_get;
	return xlat_nlf;
}

static void nlmsghdr_value(struct dctx *d, int proto, const struct nlmsghdr *h)
{
	size_t s = v_struct_begin(d, NULL);
	v_uint(d, "nlmsg_len", h->nlmsg_len);
	if (h->nlmsg_type < NLMSG_MIN_TYPE)
		enum_q(d, "nlmsg_type", h->nlmsg_type, xlat_nlmsg_types, "NLMSG_???");
	else if (proto == NETLINK_ROUTE)
		enum_q(d, "nlmsg_type", h->nlmsg_type, xlat_rtm_types, "RTM_???");
	else if (proto == NETLINK_SOCK_DIAG)
		enum_q(d, "nlmsg_type", h->nlmsg_type, xlat_sock_diag_types, "SOCK_DIAG_???");
	else
		enum_q(d, "nlmsg_type", h->nlmsg_type, xlat_nlmsg_types, "NLMSG_???");
	const struct scry_xlat *ft = nl_flag_table(proto, h->nlmsg_type);
	v_flags(d, "nlmsg_flags", h->nlmsg_flags, ft, "0");
	v_uint(d, "nlmsg_seq", h->nlmsg_seq);
	v_int(d, "nlmsg_pid", (int32_t)h->nlmsg_pid);
	v_end(d, s);
}

static void nlmsgs(struct dctx *d, int proto, const unsigned char *p, size_t n, int depth);

/* {error=-EPERM, msg={...}}: the error and the start of the message it answers. */
static void nlmsgerr(struct dctx *d, int proto, const unsigned char *p, size_t n, int capped, int depth)
{
	int32_t err;
	if (n < sizeof(err)) {
		hex_bytes(d, NULL, p, n);
		return;
	}
	memcpy(&err, p, sizeof(err));
	size_t s = v_struct_begin(d, NULL);
	if (err < 0 && scry_errno_name(-err)) {
		v_text(d, "error", "-%s", scry_errno_name(-err));
	} else {
		v_int(d, "error", err);
	}
	p += sizeof(err);
	n -= sizeof(err);
	if (n) {
		size_t m = d->out->n;
		/* the message answered: its header (all of it unless capped) */
		size_t shown = capped && n > NLMSG_HDRLEN ? NLMSG_HDRLEN : n;
		if (depth < 2)
			nlmsgs(d, proto, p, shown, depth + 1);
		else
			hex_bytes(d, NULL, p, shown);
		if (m < d->out->n)
			d->out->v[m].name = "msg";
	}
	v_end(d, s);
}

/* One message: {hdr} or [{hdr}, payload]. */
static void nlmsg(struct dctx *d, int proto, const struct nlmsghdr *h, const unsigned char *p,
		  size_t n, int depth)
{
	size_t len = h->nlmsg_len < n ? h->nlmsg_len : n;
	size_t a = len > NLMSG_HDRLEN ? v_array_begin(d, NULL) : (size_t)-1;
	nlmsghdr_value(d, proto, h);
	if (a == (size_t)-1)
		return;
	const unsigned char *pl = p + NLMSG_HDRLEN;
	size_t pn = len - NLMSG_HDRLEN;
	int done = 0;
	if (h->nlmsg_type == NLMSG_ERROR) {
		nlmsgerr(d, proto, pl, pn, h->nlmsg_flags & 0x100, depth);
		done = 1;
	} else if (h->nlmsg_type == NLMSG_DONE && pn == sizeof(int)) {
		int32_t v;
		memcpy(&v, pl, sizeof(v));
		v_int(d, NULL, v);
		done = 1;
	} else if (h->nlmsg_type >= NLMSG_MIN_TYPE && proto == NETLINK_ROUTE) {
		done = route_payload(d, h->nlmsg_type, pl, pn);
	} else if (h->nlmsg_type >= NLMSG_MIN_TYPE && proto == NETLINK_SOCK_DIAG) {
		done = sock_diag_payload(d, h->nlmsg_type, h->nlmsg_flags, pl, pn);
	}
	if (!done)
		hex_bytes(d, NULL, pl, pn);
	v_end(d, a);
}

/* The messages in n bytes: one bare, several in an array, -s at most. */
static void nlmsgs(struct dctx *d, int proto, const unsigned char *p, size_t n, int depth)
{
	size_t arr = (size_t)-1;
	unsigned elt = 0;
	while (n) {
		if (n < sizeof(struct nlmsghdr)) {
			hex_bytes(d, NULL, p, n);
			break;
		}
		if (!d->verbose && elt == (unsigned)d->limit) {
			if (arr != (size_t)-1)
				d->out->v[arr].flags |= SCRY_VF_TRUNC;
			else   /* -s 0: strace shows only that there is more */
				v_text(d, NULL, "...");
			break;
		}
		struct nlmsghdr h;
		memcpy(&h, p, sizeof(h));
		size_t mlen = NLMSG_ALIGN(h.nlmsg_len);
		size_t next = 0;
		if (h.nlmsg_len >= sizeof(h) && n > mlen)
			next = n - mlen;
		if (arr == (size_t)-1 && next)
			arr = v_array_begin(d, NULL);
		nlmsg(d, proto, &h, p, n, depth);
		elt++;
		if (!next)
			break;
		p += mlen;
		n = next;
	}
	if (arr != (size_t)-1)
		v_end(d, arr);
}

size_t v_netlink(struct dctx *d, const char *name, uint64_t addr, int64_t len, int proto)
{
	if (!addr)
		return v_ptr(d, name, 0);
	if (len <= 0)
		return v_bytes(d, name, "", 0, 0);
	size_t want = (uint64_t)len > NL_MAX_READ ? NL_MAX_READ : (size_t)len;
	unsigned char *buf = malloc(want);
	if (!buf)
		return v_buf(d, name, addr, len);
	/* what could be read (bpf captures at most -s bytes): the messages
	 * in it, the last one cut where the bytes end */
	ssize_t got = d_read(d, addr, buf, want);
	if (got <= 0) {
		free(buf);
		return v_unread(d, name, addr);
	}
	size_t first = d->out->n;
	nlmsgs(d, proto, buf, (size_t)got, 0);
	free(buf);
	if (d->out->n == first)
		return v_bytes(d, name, "", 0, 0);
	d->out->v[first].name = name;
	return first;
}
