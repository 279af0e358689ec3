/*
 * nl_craft: link messages made here, each sent once on a NETLINK_ROUTE
 * socket as an RTM_GETLINK request (the kernel answers an error or a
 * link and changes nothing; run it in a network namespace of its own),
 * so that a tracer's decoding of their attributes can be compared with
 * strace's: the shapes the kernel sends (test_longtail_e's bridge) and
 * those it does not (values too short or too long for their kind, bits
 * and numbers without a name, kinds of 16 bytes or without their NUL,
 * IFLA_AF_SPEC of AF_BRIDGE with VLAN entries, a can link's xstats).
 * The answers are read and dropped.  Exit 0.
 */
#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/inet_diag.h>
#include <linux/gen_stats.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/pkt_sched.h>
#include <linux/netlink_diag.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_MCTP
#define AF_MCTP 45
#endif

static struct {
	unsigned char b[8192] __attribute__((aligned(4)));
	size_t n;
	size_t open[8];
	int depth;
} m;

static void msg_begin(int family)
{
	memset(&m, 0, sizeof(m));
	struct nlmsghdr h = { .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 };
	memcpy(m.b, &h, sizeof(h));
	struct ifinfomsg ifi = { .ifi_family = (unsigned char)family, .ifi_index = 0x7fff0000 };
	memcpy(m.b + NLMSG_HDRLEN, &ifi, sizeof(ifi));
	m.n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifi));
}

/* a NETLINK_SOCK_DIAG message of type and flags carrying len bytes of p
 * (a reply's shape is sent without NLM_F_REQUEST: the kernel ignores it,
 * a tracer decodes it as a reply) */
static void diag_begin(unsigned type, unsigned flags, const void *p, size_t len)
{
	memset(&m, 0, sizeof(m));
	struct nlmsghdr h = { .nlmsg_type = (uint16_t)type, .nlmsg_flags = (uint16_t)flags,
			      .nlmsg_seq = 3 };
	memcpy(m.b, &h, sizeof(h));
	memcpy(m.b + NLMSG_HDRLEN, p, len);
	m.n = NLMSG_HDRLEN + NLMSG_ALIGN(len);
}

/* a neighbour message (RTM_GETNEIGH, an ndmsg) */
static void nd_begin(int family, unsigned state, unsigned flags, unsigned type)
{
	memset(&m, 0, sizeof(m));
	struct nlmsghdr h = { .nlmsg_type = RTM_GETNEIGH, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 2 };
	memcpy(m.b, &h, sizeof(h));
	struct ndmsg nd = { .ndm_family = (unsigned char)family, .ndm_ifindex = 1,
			    .ndm_state = (uint16_t)state, .ndm_flags = (uint8_t)flags,
			    .ndm_type = (uint8_t)type };
	memcpy(m.b + NLMSG_HDRLEN, &nd, sizeof(nd));
	m.n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nd));
}

static void attr(unsigned type, const void *p, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = (uint16_t)type };
	memcpy(m.b + m.n, &a, sizeof(a));
	if (len)
		memcpy(m.b + m.n + NLA_HDRLEN, p, len);
	m.n += NLA_ALIGN(NLA_HDRLEN + len);
}

static void u8a(unsigned type, uint8_t v) { attr(type, &v, 1); }
static void u16a(unsigned type, uint16_t v) { attr(type, &v, 2); }
static void u32a(unsigned type, uint32_t v) { attr(type, &v, 4); }
static void u64a(unsigned type, uint64_t v) { attr(type, &v, 8); }

static void nest_begin(unsigned type)
{
	m.open[m.depth++] = m.n;
	attr(type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(void)
{
	size_t at = m.open[--m.depth];
	uint16_t len = (uint16_t)(m.n - at);
	memcpy(m.b + at, &len, sizeof(len));
}

static void msg_send(int fd)
{
	uint32_t len = (uint32_t)m.n;
	memcpy(m.b, &len, sizeof(len));
	if (send(fd, m.b, m.n, 0) < 0)
		perror("send");
	char buf[16384];
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static const unsigned char bridge_id[8] = { 0x80, 0x00, 2, 0, 0, 0, 0, 0x10 };
static const unsigned char mac[6] = { 1, 0x80, 0xc2, 0, 0, 0 };

int main(void)
{
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

	/* a bridge's every attribute, well formed, and a port's */
	msg_begin(AF_UNSPEC);
	attr(IFLA_ADDRESS, mac, sizeof(mac));
	u32a(IFLA_EVENT, 2);
	u32a(IFLA_EVENT, 77);
	nest_begin(IFLA_PROTO_DOWN_REASON);
	u32a(IFLA_PROTO_DOWN_REASON_MASK, 0x3);
	u32a(IFLA_PROTO_DOWN_REASON_VALUE, 0x10);
	u32a(3, 9);
	nest_end();
	nest_begin(IFLA_LINKINFO);
	attr(IFLA_INFO_KIND, "bridge", 7);
	nest_begin(IFLA_INFO_DATA);
	u32a(IFLA_BR_FORWARD_DELAY, 1500);
	u32a(IFLA_BR_HELLO_TIME, 0);
	u64a(IFLA_BR_HELLO_TIMER, 12345);
	u16a(IFLA_BR_AGEING_TIME, 7);
	attr(IFLA_BR_MAX_AGE, "\x01\x02\x03", 3);
	u32a(IFLA_BR_STP_STATE, 1);
	u16a(IFLA_BR_PRIORITY, 32768);
	u8a(IFLA_BR_VLAN_FILTERING, 1);
	u16a(IFLA_BR_VLAN_PROTOCOL, htons(0x8100));
	u16a(IFLA_BR_VLAN_PROTOCOL, htons(0x88a8));
	u16a(IFLA_BR_VLAN_PROTOCOL, htons(0x1234));
	u16a(IFLA_BR_GROUP_FWD_MASK, 0x4008);
	attr(IFLA_BR_ROOT_ID, bridge_id, sizeof(bridge_id));
	attr(IFLA_BR_BRIDGE_ID, bridge_id, sizeof(bridge_id));
	attr(IFLA_BR_GROUP_ADDR, mac, sizeof(mac));
	attr(IFLA_BR_GROUP_ADDR, mac, 3);
	u8a(IFLA_BR_FDB_FLUSH, 1);
	u32a(IFLA_BR_MCAST_HASH_MAX, 4096);
	u16a(IFLA_BR_VLAN_DEFAULT_PVID, 1);
	u64a(IFLA_BR_PAD, 0);
	{
		struct br_boolopt_multi bm = { .optval = 1u << BR_BOOLOPT_NO_LL_LEARN,
					       .optmask = 0x1f };
		attr(IFLA_BR_MULTI_BOOLOPT, &bm, sizeof(bm));
		bm.optval = 0;
		bm.optmask = 0x18;
		attr(IFLA_BR_MULTI_BOOLOPT, &bm, sizeof(bm));
	}
	nest_begin(IFLA_BR_MCAST_QUERIER_STATE);
	attr(BRIDGE_QUERIER_IP_ADDRESS, "\x0a\x00\x00\x01", 4);
	u32a(BRIDGE_QUERIER_IP_PORT, 1);
	u64a(BRIDGE_QUERIER_IP_OTHER_TIMER, 255);
	attr(BRIDGE_QUERIER_IPV6_ADDRESS, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	u32a(BRIDGE_QUERIER_IPV6_PORT, 0);
	u32a(BRIDGE_QUERIER_IPV6_OTHER_TIMER, 0);
	u32a(BRIDGE_QUERIER_PAD, 0);
	u32a(9, 1);
	nest_end();
	u8a(48, 0);
	nest_end();
	attr(IFLA_INFO_XSTATS, "\x01\x00\x00\x00", 4);
	attr(IFLA_INFO_SLAVE_KIND, "bridge", 7);
	nest_begin(IFLA_INFO_SLAVE_DATA);
	u8a(IFLA_BRPORT_STATE, 3);
	u16a(IFLA_BRPORT_PRIORITY, 32);
	u32a(IFLA_BRPORT_COST, 100);
	attr(IFLA_BRPORT_ROOT_ID, bridge_id, sizeof(bridge_id));
	attr(IFLA_BRPORT_BRIDGE_ID, bridge_id, 7);
	u16a(IFLA_BRPORT_DESIGNATED_PORT, 32769);
	u64a(IFLA_BRPORT_MESSAGE_AGE_TIMER, 150);
	u8a(IFLA_BRPORT_FLUSH, 1);
	u16a(IFLA_BRPORT_GROUP_FWD_MASK, 0);
	u32a(IFLA_BRPORT_BACKUP_PORT, 1);
	u32a(IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT, 512);
	u8a(IFLA_BRPORT_LOCKED, 1);
	u8a(40, 0);
	nest_end();
	nest_end();
	msg_send(fd);

	/* kinds the data is not decoded for, and kinds strace does not keep */
	static const char *const kinds[] = { "tun", "can", "veth", "bridge\0x", "bridgebridgebri" };
	static const size_t kind_len[] = { 4, 4, 5, 9, 16 };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		msg_begin(AF_UNSPEC);
		nest_begin(IFLA_LINKINFO);
		attr(IFLA_INFO_KIND, kinds[i], kind_len[i]);
		nest_begin(IFLA_INFO_DATA);
		u32a(IFLA_BR_FORWARD_DELAY, 100);
		nest_end();
		uint32_t xstats[7] = { 1, 2, 3, 4, 5, 6, 7 };
		attr(IFLA_INFO_XSTATS, xstats, sizeof(xstats));
		attr(IFLA_INFO_XSTATS, xstats, 20);
		attr(IFLA_INFO_SLAVE_KIND, kinds[i], kind_len[i]);
		nest_begin(IFLA_INFO_SLAVE_DATA);
		u8a(IFLA_BRPORT_STATE, 1);
		nest_end();
		nest_end();
		msg_send(fd);
	}

	/* AF_BRIDGE: the port's IFLA_PROTINFO and the bridge's IFLA_AF_SPEC */
	msg_begin(AF_BRIDGE);
	attr(IFLA_ADDRESS, mac, sizeof(mac));
	attr(IFLA_BROADCAST, mac, sizeof(mac));
	nest_begin(IFLA_PROTINFO);
	u8a(IFLA_BRPORT_STATE, 3);
	u8a(IFLA_BRPORT_LEARNING, 1);
	nest_end();
	nest_begin(IFLA_AF_SPEC);
	u16a(IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF);
	u16a(IFLA_BRIDGE_FLAGS, 0x10);
	u16a(IFLA_BRIDGE_FLAGS, 0);
	u16a(IFLA_BRIDGE_MODE, BRIDGE_MODE_VEPA);
	u16a(IFLA_BRIDGE_MODE, 0xffff);
	u16a(IFLA_BRIDGE_MODE, 5);
	u32a(IFLA_BRIDGE_MODE, 0x10001);
	attr(IFLA_BRIDGE_MODE, "\x01\x00\x00\x00\x00\x00\x00\x00\x00", 9);
	{
		struct bridge_vlan_info v = { BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED, 1 };
		attr(IFLA_BRIDGE_VLAN_INFO, &v, sizeof(v));
		v.flags = 0x80;
		v.vid = 4094;
		attr(IFLA_BRIDGE_VLAN_INFO, &v, sizeof(v));
		unsigned char more[6] = { 0x20, 0, 10, 0, 0xab, 0xcd };
		attr(IFLA_BRIDGE_VLAN_INFO, more, sizeof(more));
		attr(IFLA_BRIDGE_VLAN_INFO, more, 3);
	}
	nest_begin(IFLA_BRIDGE_VLAN_TUNNEL_INFO);
	u32a(IFLA_BRIDGE_VLAN_TUNNEL_ID, 1000);
	u16a(IFLA_BRIDGE_VLAN_TUNNEL_VID, 10);
	u16a(IFLA_BRIDGE_VLAN_TUNNEL_FLAGS, BRIDGE_VLAN_INFO_RANGE_BEGIN);
	nest_end();
	u32a(IFLA_BRIDGE_MRP, 1);
	u32a(9, 1);
	nest_end();
	msg_send(fd);

	/* AF_INET6's IFLA_PROTINFO; IFLA_PROTINFO of another family; an
	 * IFLA_AF_SPEC with AF_MCTP */
	msg_begin(AF_INET6);
	attr(IFLA_ADDRESS, mac, sizeof(mac));
	nest_begin(IFLA_PROTINFO);
	u32a(IFLA_INET6_FLAGS, 0x80000000u);
	u8a(IFLA_INET6_ADDR_GEN_MODE, 1);
	nest_end();
	msg_send(fd);
	msg_begin(AF_INET);
	attr(IFLA_ADDRESS, mac, sizeof(mac));
	nest_begin(IFLA_PROTINFO);
	u8a(IFLA_BRPORT_STATE, 3);
	nest_end();
	nest_begin(IFLA_AF_SPEC);
	nest_begin(AF_MCTP);
	u32a(IFLA_MCTP_NET, 7);
	u32a(2, 7);
	nest_end();
	nest_end();
	msg_send(fd);

	/* neighbours: every attribute kind, values too short or too long,
	 * bits without a name; NUD_NONE; a short ndmsg; bridge fdb's
	 * AF_BRIDGE RTM_GETNEIGH, whose payload is an ifinfomsg */
	nd_begin(AF_INET, NUD_REACHABLE | NUD_PERMANENT, NTF_SELF | NTF_MASTER, RTN_UNICAST);
	attr(NDA_DST, "\x0a\x00\x00\x02", 4);
	attr(NDA_DST, "\x0a\x00", 2);
	attr(NDA_LLADDR, mac, sizeof(mac));
	{
		struct nda_cacheinfo ci = { 1, 2, 3, 4 };
		attr(NDA_CACHEINFO, &ci, sizeof(ci));
		attr(NDA_CACHEINFO, &ci, 12);
	}
	u32a(NDA_PROBES, 3);
	u16a(NDA_VLAN, 10);
	u16a(NDA_PORT, htons(4789));
	u8a(NDA_PORT, 1);
	u32a(NDA_VNI, 100);
	u32a(NDA_IFINDEX, 1);
	u32a(NDA_MASTER, 0x7fff0000);
	u32a(NDA_LINK_NETNSID, 0);
	u32a(NDA_SRC_VNI, 5);
	u8a(NDA_PROTOCOL, 6);
	u32a(NDA_PROTOCOL, 200);
	u32a(NDA_NH_ID, 9);
	nest_begin(NDA_FDB_EXT_ATTRS);
	u8a(NFEA_ACTIVITY_NOTIFY, FDB_NOTIFY_BIT | FDB_NOTIFY_INACTIVE_BIT);
	u8a(NFEA_ACTIVITY_NOTIFY, 0x80);
	attr(NFEA_DONT_REFRESH, NULL, 0);
	u32a(3, 1);
	nest_end();
	u32a(NDA_FLAGS_EXT, 1);
	u32a(NDA_FLAGS_EXT, 0x100);
	u16a(NDA_NDM_STATE_MASK, 0);
	u16a(NDA_NDM_STATE_MASK, NUD_STALE | 0x100);
	u8a(NDA_NDM_FLAGS_MASK, NTF_ROUTER);
	u8a(NDA_NDM_STATE_MASK, 1);
	u32a(18, 1);
	msg_send(fd);
	nd_begin(AF_INET6, 0, 0, 0);
	attr(NDA_DST, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	msg_send(fd);
	nd_begin(AF_BRIDGE, 0x100, 0, 77);
	attr(NDA_DST, "\x0a\x00\x00\x02", 4);
	msg_send(fd);
	nd_begin(AF_INET, 0, 0, 0);
	m.n = NLMSG_HDRLEN + 8;   /* an ndmsg cut short */
	msg_send(fd);
	msg_begin(AF_BRIDGE);
	((struct nlmsghdr *)m.b)->nlmsg_type = RTM_GETNEIGH;
	u32a(IFLA_MASTER, 1);
	msg_send(fd);

	/* traffic control: a qdisc request with every TCA_ kind, values too
	 * short, a stab's data longer than -s */
	msg_begin(AF_UNSPEC);
	((struct nlmsghdr *)m.b)->nlmsg_type = RTM_GETQDISC;
	{
		struct tcmsg tc = { .tcm_family = AF_UNSPEC, .tcm_ifindex = 1, .tcm_handle = 0x10000,
				    .tcm_parent = 0xffffffff, .tcm_info = 1 };
		memcpy(m.b + NLMSG_HDRLEN, &tc, sizeof(tc));
		m.n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(tc));
		attr(TCA_KIND, "htb", 4);
		struct tc_stats st = { 1, 2, 3, 4, 5, 6, 7, 8 };
		attr(TCA_STATS, &st, sizeof(st));
		attr(TCA_STATS, &st, 20);
		struct tc_estimator est = { -2, 3 };
		attr(TCA_RATE, &est, sizeof(est));
		u32a(TCA_FCNT, 4);
		nest_begin(TCA_STATS2);
		struct gnet_stats_basic gb = { 100, 2 };
		attr(TCA_STATS_BASIC, &gb, sizeof(gb));
		struct gnet_stats_rate_est re = { 10, 1 };
		attr(TCA_STATS_RATE_EST, &re, sizeof(re));
		struct gnet_stats_queue q = { 1, 2, 3, 4, 5 };
		attr(TCA_STATS_QUEUE, &q, sizeof(q));
		attr(TCA_STATS_QUEUE, &q, 8);
		struct gnet_stats_rate_est64 r64 = { 1ull << 40, 7 };
		attr(TCA_STATS_RATE_EST64, &r64, sizeof(r64));
		attr(TCA_STATS_BASIC_HW, &gb, 12);
		u64a(TCA_STATS_PKT64, 99);
		u32a(TCA_STATS_APP, 1);
		nest_end();
		nest_begin(TCA_STAB);
		struct tc_sizespec sz = { 1, 2, -3, -4, 1, 5, 2048, 40 };
		attr(TCA_STAB_BASE, &sz, sizeof(sz));
		uint16_t data[40];
		for (int i = 0; i < 40; i++)
			data[i] = (uint16_t)(i * 3);
		attr(TCA_STAB_DATA, data, sizeof(data));
		nest_end();
		u32a(TCA_CHAIN, 0);
		u8a(TCA_HW_OFFLOAD, 1);
		u32a(TCA_INGRESS_BLOCK, 2);
		u32a(TCA_EGRESS_BLOCK, 3);
		u32a(TCA_DUMP_FLAGS, 1);
		u32a(16, 1);
	}
	msg_send(fd);
	msg_begin(AF_UNSPEC);
	((struct nlmsghdr *)m.b)->nlmsg_type = RTM_GETTFILTER;
	m.n = NLMSG_HDRLEN + 12;   /* a tcmsg cut short */
	msg_send(fd);

	/* a nexthop request with a reserved byte, a group of 40, a resilient
	 * group's and a bucket's attributes; a type strace has no decoder
	 * for (RTM_NEWPREFIX): {family=..., data=...}; RTM_GETMULTICAST, an
	 * ifaddrmsg */
	msg_begin(AF_INET);
	((struct nlmsghdr *)m.b)->nlmsg_type = RTM_GETNEXTHOP;
	{
		struct nhmsg nh = { .nh_family = AF_INET, .nh_scope = 7, .nh_protocol = 4,
				    .resvd = 1, .nh_flags = RTNH_F_ONLINK | 0x100 };
		memcpy(m.b + NLMSG_HDRLEN, &nh, sizeof(nh));
		m.n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nh));
		u32a(NHA_ID, 5);
		struct nexthop_grp g[40];
		memset(g, 0, sizeof(g));
		for (int i = 0; i < 40; i++) {
			g[i].id = (uint32_t)i + 1;
			g[i].weight = (uint8_t)i;
		}
		g[1].resvd2 = 3;
		((unsigned char *)&g[2])[5] = 2;
		attr(NHA_GROUP, g, sizeof(g));
		u16a(NHA_GROUP_TYPE, 1);
		u16a(NHA_GROUP_TYPE, 9);
		attr(NHA_BLACKHOLE, NULL, 0);
		u32a(NHA_OIF, 1);
		attr(NHA_GATEWAY, "\x7f\x00\x00\x02", 4);
		u16a(NHA_ENCAP_TYPE, 2);
		u16a(NHA_ENCAP_TYPE, 99);
		u32a(NHA_MASTER, 1);
		nest_begin(NHA_RES_GROUP);
		u16a(NHA_RES_GROUP_BUCKETS, 8);
		u32a(NHA_RES_GROUP_IDLE_TIMER, 1000);
		u64a(NHA_RES_GROUP_UNBALANCED_TIME, 0);
		nest_end();
		nest_begin(NHA_RES_BUCKET);
		u16a(NHA_RES_BUCKET_INDEX, 3);
		u64a(NHA_RES_BUCKET_IDLE_TIME, 250);
		u32a(NHA_RES_BUCKET_NH_ID, 1);
		nest_end();
		u32a(14, 1);
	}
	msg_send(fd);
	msg_begin(AF_INET6);
	((struct nlmsghdr *)m.b)->nlmsg_type = RTM_NEWPREFIX;
	msg_send(fd);
	msg_begin(AF_INET);
	((struct nlmsghdr *)m.b)->nlmsg_type = RTM_GETMULTICAST;
	m.n = NLMSG_HDRLEN + 8;
	msg_send(fd);

	/* NETLINK_SOCK_DIAG: netlink and packet sockets' requests, a
	 * netlink socket's reply with every attribute, the old inet request,
	 * families without a decoder, a payload of its family alone */
	int dfd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (dfd < 0 || bind(dfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("sock_diag socket");
		return 1;
	}
	{
		struct netlink_diag_req r = { .sdiag_family = AF_NETLINK,
					      .sdiag_protocol = NDIAG_PROTO_ALL,
					      .ndiag_show = NDIAG_SHOW_MEMINFO | NDIAG_SHOW_GROUPS | 0x100,
					      .ndiag_cookie = { 1, 2 } };
		/* no NLM_F_DUMP: the kernel answers an error, not the sockets */
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &r, sizeof(r));
		msg_send(dfd);
		r.sdiag_protocol = NETLINK_KOBJECT_UEVENT;
		r.ndiag_show = 0x100;
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &r, sizeof(r));
		msg_send(dfd);
		r.sdiag_protocol = 30;
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &r, 10);
		msg_send(dfd);
	}
	{
		struct netlink_diag_msg r = { .ndiag_family = AF_NETLINK, .ndiag_type = SOCK_RAW,
					      .ndiag_protocol = NETLINK_ROUTE, .ndiag_state = 1,
					      .ndiag_portid = 77, .ndiag_dst_group = 2,
					      .ndiag_ino = 1234, .ndiag_cookie = { 5, 6 } };
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, &r, sizeof(r));
		uint32_t mem[9] = { 0, 212992, 0, 212992, 0, 0, 0, 0, 3 };
		attr(NETLINK_DIAG_MEMINFO, mem, sizeof(mem));
		uint64_t groups[3] = { 0x11, 0, 0x8000000000000000ull };
		attr(NETLINK_DIAG_GROUPS, groups, sizeof(groups));
		attr(NETLINK_DIAG_GROUPS, groups, 4);
		struct netlink_diag_ring ring = { 4096, 2, 2048, 4 };
		attr(NETLINK_DIAG_RX_RING, &ring, sizeof(ring));
		attr(NETLINK_DIAG_TX_RING, &ring, 12);
		u32a(NETLINK_DIAG_FLAGS, NDIAG_FLAG_PKTINFO | NDIAG_FLAG_CAP_ACK);
		u32a(NETLINK_DIAG_FLAGS, 0x400);
		u32a(7, 1);
		msg_send(dfd);
		r.ndiag_protocol = 30;
		r.ndiag_state = 3;
		r.ndiag_type = 9;
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, &r, sizeof(r));
		msg_send(dfd);
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, &r, 12);
		msg_send(dfd);
	}
	{
		struct packet_diag_req r = { .sdiag_family = AF_PACKET,
					     .pdiag_show = PACKET_SHOW_INFO | PACKET_SHOW_FILTER | 0x80,
					     .pdiag_cookie = { 3, 4 } };
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &r, sizeof(r));
		msg_send(dfd);
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, &r, 8);
		msg_send(dfd);
	}
	{
		struct inet_diag_req r = { .idiag_family = AF_INET, .idiag_src_len = 1,
					   .idiag_dst_len = 2, .idiag_ext = 1 << (INET_DIAG_INFO - 1),
					   .idiag_states = 1 << 10, .idiag_dbs = 9 };
		r.id.idiag_sport = htons(80);
		r.id.idiag_src[0] = htonl(0x7f000001);
		diag_begin(TCPDIAG_GETSOCK, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof(r));
		msg_send(dfd);
		r.idiag_family = AF_INET6;
		diag_begin(DCCPDIAG_GETSOCK, NLM_F_REQUEST | NLM_F_DUMP, &r, sizeof(r));
		msg_send(dfd);
		diag_begin(DCCPDIAG_GETSOCK, NLM_F_REQUEST | NLM_F_DUMP, &r, 20);
		msg_send(dfd);
	}
	{
		unsigned char vsock[24] = { AF_VSOCK, 0, 0, 0, 0xff, 0x0f };
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, vsock, sizeof(vsock));
		msg_send(dfd);
		unsigned char one[1] = { AF_INET };
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, one, 1);
		msg_send(dfd);
		unsigned char xdp[4] = { AF_XDP, 1, 2, 3 };
		diag_begin(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, xdp, sizeof(xdp));
		msg_send(dfd);
	}
	return 0;
}
