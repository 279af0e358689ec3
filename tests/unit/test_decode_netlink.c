/*
 * Unit tests for netlink's nested attributes (src/decode/netlink.c):
 * messages made here, in this process's memory (process_vm_readv works on
 * one's own pid), decoded with v_netlink() and rendered as strace text.
 * The real ones (ip -d link, ip addr) are compared with strace line by line
 * in tests/e2e/test_longtail_e.py; these are the shapes a kernel does not
 * send: attributes cut short, arrays of a length that is no multiple of
 * their element, indices past the named ones, nesting past the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/if_bridge.h>
#include <linux/fib_rules.h>
#include <linux/gen_stats.h>
#include <linux/if_link.h>
#include <linux/nexthop.h>
#include <linux/pkt_sched.h>
#include <linux/neighbour.h>
#include <linux/netlink_diag.h>
#include <linux/sock_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "decode/netlink.h"

/* A message being built: a header, an ifinfomsg, attributes. */
struct msg {
	unsigned char b[4096];
	size_t n;
	size_t open[8];   /* the nested attributes not closed yet */
	int depth;
};

static void msg_begin(struct msg *m)
{
	memset(m, 0, sizeof(*m));
	struct nlmsghdr h = { .nlmsg_type = RTM_NEWLINK, .nlmsg_flags = NLM_F_MULTI, .nlmsg_seq = 7 };
	memcpy(m->b, &h, sizeof(h));
	m->n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg));
}

static void attr(struct msg *m, unsigned type, const void *p, size_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = (uint16_t)type };
	memcpy(m->b + m->n, &a, sizeof(a));
	if (len)
		memcpy(m->b + m->n + NLA_HDRLEN, p, len);
	m->n += NLA_ALIGN(NLA_HDRLEN + len);
}

static void nest_begin(struct msg *m, unsigned type)
{
	m->open[m->depth++] = m->n;
	attr(m, type, NULL, 0);
}

static void nest_end(struct msg *m)
{
	size_t at = m->open[--m->depth];
	uint16_t len = (uint16_t)(m->n - at);
	memcpy(m->b + at, &len, sizeof(len));
}

static size_t msg_end(struct msg *m)
{
	uint32_t len = (uint32_t)m->n;
	memcpy(m->b, &len, sizeof(len));
	return m->n;
}

/* The text of the message's attributes (after the ifinfomsg), decoded
 * from len bytes (the message may say more) with -v as verbose. */
static char *attrs_text(struct msg *m, size_t len, int verbose, int limit)
{
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	memset(&d, 0, sizeof(d));
	d.pid = d.tid = getpid();
	d.limit = limit;
	d.verbose = verbose;
	d.out = &vs;
	v_netlink(&d, "buf", (uint64_t)(uintptr_t)m->b, (int64_t)len, NETLINK_ROUTE);
	struct strbuf t;
	strbuf_init(&t, 0);
	render_text_list(&t, &vs, 0, 1);
	scry_values_release(&vs);
	const char *s = strstr(t.buf, "ifi_change=0}, ");
	assert_non_null(s);
	char *out = strdup(s + strlen("ifi_change=0}, "));
	strbuf_release(&t);
	return out;
}

static void test_af_spec_arrays(void **state)
{
	struct msg m;
	msg_begin(&m);
	nest_begin(&m, IFLA_AF_SPEC);
	nest_begin(&m, AF_INET);
	int32_t conf[3] = { 1, -1, 10000 };
	attr(&m, IFLA_INET_CONF, conf, sizeof(conf));
	nest_end(&m);
	nest_begin(&m, AF_INET6);
	int32_t conf6[60];
	for (int i = 0; i < 60; i++)
		conf6[i] = i == 7 ? -1 : i;
	attr(&m, IFLA_INET6_CONF, conf6, sizeof(conf6));
	uint8_t agm = 9;   /* no such mode */
	attr(&m, IFLA_INET6_ADDR_GEN_MODE, &agm, 1);
	nest_end(&m);
	nest_end(&m);
	size_t n = msg_end(&m);

	char *t = attrs_text(&m, n, 1, 32);
	assert_non_null(strstr(t, "[{nla_len=280, nla_type=IFLA_AF_SPEC}, [[{nla_len=20, nla_type=AF_INET}, "
				  "[{nla_len=16, nla_type=IFLA_INET_CONF}, [[IPV4_DEVCONF_FORWARDING-1]=1, "
				  "[IPV4_DEVCONF_MC_FORWARDING-1]=-1, [IPV4_DEVCONF_PROXY_ARP-1]=10000]]], "
				  "[{nla_len=") ? t : NULL);
	/* all 60 under -v, the unnamed ones with a comment */
	assert_non_null(strstr(t, "[DEVCONF_RTR_SOLICITS]=-1, ") ? t : NULL);
	assert_non_null(strstr(t, "[DEVCONF_ACCEPT_UNTRACKED_NA]=57, [58 /* DEVCONF_??? */]=58, "
				  "[59 /* DEVCONF_??? */]=59]]") ? t : NULL);
	assert_non_null(strstr(t, "[{nla_len=5, nla_type=IFLA_INET6_ADDR_GEN_MODE}, "
				  "0x9 /* IN6_ADDR_GEN_MODE_??? */]") ? t : NULL);
	free(t);

	/* without -v: -s elements, then "..." */
	t = attrs_text(&m, n, 0, 4);
	assert_non_null(strstr(t, "[[DEVCONF_FORWARDING]=0, [DEVCONF_HOPLIMIT]=1, [DEVCONF_MTU6]=2, "
				  "[DEVCONF_ACCEPT_RA]=3, ...]") ? t : NULL);
	free(t);
}

static void test_short_values_show_as_bytes(void **state)
{
	struct msg m;
	msg_begin(&m);
	unsigned char three[3] = { 1, 2, 3 };
	nest_begin(&m, IFLA_AF_SPEC);
	nest_begin(&m, AF_INET);
	attr(&m, IFLA_INET_CONF, three, sizeof(three));   /* not one int */
	nest_end(&m);
	nest_end(&m);
	attr(&m, IFLA_MAP, three, sizeof(three));           /* no rtnl_link_ifmap */
	nest_begin(&m, IFLA_XDP);
	attr(&m, IFLA_XDP_FLAGS, three, 2);                 /* no u32 */
	nest_end(&m);
	size_t n = msg_end(&m);
	char *t = attrs_text(&m, n, 1, 32);
	assert_string_equal(t,
		"[[{nla_len=16, nla_type=IFLA_AF_SPEC}, [{nla_len=12, nla_type=AF_INET}, "
		"[{nla_len=7, nla_type=IFLA_INET_CONF}, \"\\x01\\x02\\x03\"]]], "
		"[{nla_len=7, nla_type=IFLA_MAP}, \"\\x01\\x02\\x03\"], "
		"[{nla_len=12, nla_type=IFLA_XDP}, [{nla_len=6, nla_type=IFLA_XDP_FLAGS}, \"\\x01\\x02\"]]]]");
	free(t);
}

static void test_nesting_cut_by_the_buffer(void **state)
{
	/* an IFLA_LINKINFO whose length says more than the bytes read: every
	 * cut point decodes what is there, reading nothing past it */
	struct msg m;
	msg_begin(&m);
	nest_begin(&m, IFLA_LINKINFO);
	attr(&m, IFLA_INFO_KIND, "ifb", 4);
	attr(&m, IFLA_INFO_DATA, "\x05\x00\x01\x00\x07\x00\x00\x00", 8);
	nest_end(&m);
	nest_begin(&m, IFLA_AF_SPEC);
	nest_begin(&m, AF_INET6);
	uint64_t stats[4] = { 4, 1, 2, 3 };
	attr(&m, IFLA_INET6_STATS, stats, sizeof(stats));
	nest_end(&m);
	nest_end(&m);
	size_t n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + sizeof(struct ifinfomsg); cut <= n; cut++) {
		/* a copy of exactly cut bytes on the heap: ASan sees a read past it */
		unsigned char *copy = malloc(cut);
		assert_non_null(copy);
		memcpy(copy, m.b, cut);
		struct scry_values vs = SCRY_VALUES_INIT;
		struct dctx d;
		memset(&d, 0, sizeof(d));
		d.pid = d.tid = getpid();
		d.limit = 32;
		d.verbose = 1;
		d.out = &vs;
		v_netlink(&d, "buf", (uint64_t)(uintptr_t)copy, (int64_t)cut, NETLINK_ROUTE);
		struct strbuf t;
		strbuf_init(&t, 0);
		render_text_list(&t, &vs, 0, 1);
		assert_non_null(strstr(t.buf, "nlmsg_type=RTM_NEWLINK"));
		if (cut == n)
			assert_non_null(strstr(t.buf, "[{nla_len=8, nla_type=IFLA_INFO_KIND}, \"ifb\"], "
						     "[{nla_len=12, nla_type=IFLA_INFO_DATA}, "
						     "\"\\x05\\x00\\x01\\x00\\x07\\x00\\x00\\x00\"]]], "
						     "[{nla_len=44, nla_type=IFLA_AF_SPEC}, [{nla_len=40, "
						     "nla_type=AF_INET6}, [{nla_len=36, nla_type=IFLA_INET6_STATS}, "
						     "[[IPSTATS_MIB_NUM]=4, [IPSTATS_MIB_INPKTS]=1, "
						     "[IPSTATS_MIB_INOCTETS]=2, [IPSTATS_MIB_INDELIVERS]=3]]]]"));
		strbuf_release(&t);
		scry_values_release(&vs);
		free(copy);
	}
}

/* The text of the first cut bytes of m, copied to the heap (ASan sees a
 * read past them), with -v and -s 32. */
static char *cut_text_proto(struct msg *m, size_t cut, int proto, const char *type)
{
	unsigned char *copy = malloc(cut);
	assert_non_null(copy);
	memcpy(copy, m->b, cut);
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	memset(&d, 0, sizeof(d));
	d.pid = d.tid = getpid();
	d.limit = 32;
	d.verbose = 1;
	d.out = &vs;
	v_netlink(&d, "buf", (uint64_t)(uintptr_t)copy, (int64_t)cut, proto);
	struct strbuf t;
	strbuf_init(&t, 0);
	render_text_list(&t, &vs, 0, 1);
	char *out = strdup(t.buf);
	strbuf_release(&t);
	scry_values_release(&vs);
	free(copy);
	assert_non_null(out);
	assert_non_null(strstr(out, type) ? out : NULL);
	return out;
}

static char *cut_text(struct msg *m, size_t cut)
{
	return cut_text_proto(m, cut, NETLINK_ROUTE, "nlmsg_type=RTM_NEWLINK");
}

static void test_bridge_nesting_cut_by_the_buffer(void **state)
{
	/* a bridge's IFLA_INFO_DATA (with IFLA_BR_MCAST_QUERIER_STATE in it)
	 * and a port's IFLA_INFO_SLAVE_DATA: every cut decodes what is there */
	struct msg m;
	msg_begin(&m);
	nest_begin(&m, IFLA_LINKINFO);
	attr(&m, IFLA_INFO_KIND, "bridge", 7);
	nest_begin(&m, IFLA_INFO_DATA);
	uint32_t fd = 1500;
	attr(&m, IFLA_BR_FORWARD_DELAY, &fd, 4);
	static const unsigned char id[8] = { 0x80, 0, 2, 0, 0, 0, 0, 0x10 };
	attr(&m, IFLA_BR_BRIDGE_ID, id, sizeof(id));
	uint32_t bm[2] = { 1, 0x1f };
	attr(&m, IFLA_BR_MULTI_BOOLOPT, bm, sizeof(bm));
	nest_begin(&m, IFLA_BR_MCAST_QUERIER_STATE);
	attr(&m, BRIDGE_QUERIER_IP_ADDRESS, "\x0a\x00\x00\x01", 4);
	uint64_t timer = 250;
	attr(&m, BRIDGE_QUERIER_IP_OTHER_TIMER, &timer, 8);
	nest_end(&m);
	nest_end(&m);
	attr(&m, IFLA_INFO_SLAVE_KIND, "bridge", 7);
	nest_begin(&m, IFLA_INFO_SLAVE_DATA);
	uint8_t port_state = 3;
	attr(&m, IFLA_BRPORT_STATE, &port_state, 1);
	attr(&m, IFLA_BRPORT_ROOT_ID, id, sizeof(id));
	nest_end(&m);
	nest_end(&m);
	size_t n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + sizeof(struct ifinfomsg); cut <= n; cut++) {
		char *t = cut_text(&m, cut);
		if (cut == n)
			assert_string_equal(strstr(t, "[{nla_len="),
				"[{nla_len=112, nla_type=IFLA_LINKINFO}, [[{nla_len=11, nla_type=IFLA_INFO_KIND}, "
				"\"bridge\"], [{nla_len=60, nla_type=IFLA_INFO_DATA}, [[{nla_len=8, "
				"nla_type=IFLA_BR_FORWARD_DELAY}, 1500 /* 15.00 s */], [{nla_len=12, "
				"nla_type=IFLA_BR_BRIDGE_ID}, {prio=[128, 0], addr=02:00:00:00:00:10}], "
				"[{nla_len=12, nla_type=IFLA_BR_MULTI_BOOLOPT}, {optval=1<<BR_BOOLOPT_NO_LL_LEARN, "
				"optmask=1<<BR_BOOLOPT_NO_LL_LEARN|1<<BR_BOOLOPT_MCAST_VLAN_SNOOPING|"
				"1<<BR_BOOLOPT_MST_ENABLE|0x18}], [{nla_len=24, nla_type=IFLA_BR_MCAST_QUERIER_STATE}, "
				"[[{nla_len=8, nla_type=BRIDGE_QUERIER_IP_ADDRESS}, inet_addr(\"10.0.0.1\")], "
				"[{nla_len=12, nla_type=BRIDGE_QUERIER_IP_OTHER_TIMER}, 250 /* 2.50 s */]]]]], "
				"[{nla_len=11, nla_type=IFLA_INFO_SLAVE_KIND}, \"bridge\"], [{nla_len=24, "
				"nla_type=IFLA_INFO_SLAVE_DATA}, [[{nla_len=5, nla_type=IFLA_BRPORT_STATE}, 3], "
				"[{nla_len=12, nla_type=IFLA_BRPORT_ROOT_ID}, {prio=[128, 0], "
				"addr=02:00:00:00:00:10}]]]]]]");
		free(t);
	}
}

static void test_af_bridge_nesting_cut_by_the_buffer(void **state)
{
	/* an AF_BRIDGE message: IFLA_PROTINFO is a port's, IFLA_AF_SPEC the
	 * bridge's set (a VLAN entry with bytes after it, tunnel info) */
	struct msg m;
	msg_begin(&m);
	m.b[NLMSG_HDRLEN] = AF_BRIDGE;
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 0x11 };
	attr(&m, IFLA_ADDRESS, mac, sizeof(mac));
	nest_begin(&m, IFLA_PROTINFO);
	uint16_t prio = 32;
	attr(&m, IFLA_BRPORT_PRIORITY, &prio, 2);
	nest_end(&m);
	nest_begin(&m, IFLA_AF_SPEC);
	uint16_t mode = 0xffff;
	attr(&m, IFLA_BRIDGE_MODE, &mode, 2);
	unsigned char vlan[6] = { 0x06, 0, 1, 0, 0xab, 0xcd };
	attr(&m, IFLA_BRIDGE_VLAN_INFO, vlan, sizeof(vlan));
	nest_begin(&m, IFLA_BRIDGE_VLAN_TUNNEL_INFO);
	uint32_t tid = 1000;
	attr(&m, IFLA_BRIDGE_VLAN_TUNNEL_ID, &tid, 4);
	uint16_t tfl = 0x80;
	attr(&m, IFLA_BRIDGE_VLAN_TUNNEL_FLAGS, &tfl, 2);
	nest_end(&m);
	nest_end(&m);
	size_t n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + sizeof(struct ifinfomsg); cut <= n; cut++) {
		char *t = cut_text(&m, cut);
		if (cut == n)
			assert_string_equal(strstr(t, "[{nla_len="),
				"[{nla_len=10, nla_type=IFLA_ADDRESS}, 02], [{nla_len=12, nla_type=IFLA_PROTINFO}, "
				"[{nla_len=6, nla_type=IFLA_BRPORT_PRIORITY}, 32]], [{nla_len=44, "
				"nla_type=IFLA_AF_SPEC}, [[{nla_len=6, nla_type=IFLA_BRIDGE_MODE}, BRIDGE_MODE_UNDEF], "
				"[{nla_len=10, nla_type=IFLA_BRIDGE_VLAN_INFO}, {flags=BRIDGE_VLAN_INFO_PVID|"
				"BRIDGE_VLAN_INFO_UNTAGGED, vid=1}, \"\\xab\\xcd\"], [{nla_len=20, "
				"nla_type=IFLA_BRIDGE_VLAN_TUNNEL_INFO}, [[{nla_len=8, "
				"nla_type=IFLA_BRIDGE_VLAN_TUNNEL_ID}, 1000], [{nla_len=6, "
				"nla_type=IFLA_BRIDGE_VLAN_TUNNEL_FLAGS}, 0x80 /* BRIDGE_VLAN_INFO_??? */]]]]]]]");
		free(t);
	}
}

static void test_neigh_and_diag_cut_by_the_buffer(void **state)
{
	/* a neighbour (ndmsg, NDA_FDB_EXT_ATTRS nested) and a netlink
	 * socket's diag reply (NETLINK_DIAG_* after netlink_diag_msg) */
	struct msg m;
	memset(&m, 0, sizeof(m));
	struct nlmsghdr h = { .nlmsg_type = RTM_NEWNEIGH, .nlmsg_flags = NLM_F_MULTI };
	memcpy(m.b, &h, sizeof(h));
	struct ndmsg nd = { .ndm_family = AF_BRIDGE, .ndm_state = NUD_PERMANENT, .ndm_flags = NTF_SELF };
	memcpy(m.b + NLMSG_HDRLEN, &nd, sizeof(nd));
	m.n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nd));
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 0x11 };
	attr(&m, NDA_LLADDR, mac, sizeof(mac));
	nest_begin(&m, NDA_FDB_EXT_ATTRS);
	uint8_t notify = FDB_NOTIFY_BIT;
	attr(&m, NFEA_ACTIVITY_NOTIFY, &notify, 1);
	nest_end(&m);
	uint16_t vlan = 10;
	attr(&m, NDA_VLAN, &vlan, 2);
	size_t n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + 1; cut <= n; cut++) {
		char *t = cut_text_proto(&m, cut, NETLINK_ROUTE, "nlmsg_type=RTM_NEWNEIGH");
		if (cut == n)
			assert_non_null(strstr(t, "{ndm_family=AF_BRIDGE, ndm_ifindex=0, "
						  "ndm_state=NUD_PERMANENT, ndm_flags=NTF_SELF, "
						  "ndm_type=RTN_UNSPEC}, [[{nla_len=10, nla_type=NDA_LLADDR}, "
						  "02:00:00:00:00:11], [{nla_len=12, nla_type=NDA_FDB_EXT_ATTRS}, "
						  "[{nla_len=5, nla_type=NFEA_ACTIVITY_NOTIFY}, FDB_NOTIFY_BIT]], "
						  "[{nla_len=6, nla_type=NDA_VLAN}, 10]]") ? t : NULL);
		free(t);
	}

	memset(&m, 0, sizeof(m));
	struct nlmsghdr dh = { .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_MULTI };
	memcpy(m.b, &dh, sizeof(dh));
	struct netlink_diag_msg dm = { .ndiag_family = AF_NETLINK, .ndiag_type = SOCK_RAW,
				       .ndiag_protocol = NETLINK_ROUTE, .ndiag_state = 7,
				       .ndiag_ino = 9 };
	memcpy(m.b + NLMSG_HDRLEN, &dm, sizeof(dm));
	m.n = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(dm));
	uint32_t mem[2] = { 1, 2 };
	attr(&m, NETLINK_DIAG_MEMINFO, mem, sizeof(mem));
	uint64_t groups[2] = { 0x11, 0 };
	attr(&m, NETLINK_DIAG_GROUPS, groups, sizeof(groups));
	uint32_t flags = NDIAG_FLAG_CB_RUNNING;
	attr(&m, NETLINK_DIAG_FLAGS, &flags, 4);
	n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + 1; cut <= n; cut++) {
		char *t = cut_text_proto(&m, cut, NETLINK_SOCK_DIAG, "nlmsg_type=SOCK_DIAG_BY_FAMILY");
		if (cut == n)
			assert_non_null(strstr(t, "{ndiag_family=AF_NETLINK, ndiag_type=SOCK_RAW, "
						  "ndiag_protocol=NETLINK_ROUTE, ndiag_state=TCP_CLOSE, "
						  "ndiag_portid=0, ndiag_dst_portid=0, ndiag_dst_group=0, "
						  "ndiag_ino=9, ndiag_cookie=[0, 0]}, [[{nla_len=12, "
						  "nla_type=NETLINK_DIAG_MEMINFO}, [[SK_MEMINFO_RMEM_ALLOC]=1, "
						  "[SK_MEMINFO_RCVBUF]=2]], [{nla_len=20, "
						  "nla_type=NETLINK_DIAG_GROUPS}, [0x00000000000011, "
						  "0000000000000000]], [{nla_len=8, nla_type=NETLINK_DIAG_FLAGS}, "
						  "NDIAG_FLAG_CB_RUNNING]]") ? t : NULL);
		free(t);
	}
}

/* A route message of type whose struct (size bytes, family first) is
 * zero, for the cut tests below. */
static void route_begin(struct msg *m, unsigned type, int family, size_t size)
{
	memset(m, 0, sizeof(*m));
	struct nlmsghdr h = { .nlmsg_type = (uint16_t)type, .nlmsg_flags = NLM_F_MULTI };
	memcpy(m->b, &h, sizeof(h));
	m->b[NLMSG_HDRLEN] = (unsigned char)family;
	m->n = NLMSG_HDRLEN + NLMSG_ALIGN(size);
}

static void test_nexthop_tc_rule_cut_by_the_buffer(void **state)
{
	/* a nexthop with a group and a resilient group nested, a qdisc with
	 * TCA_STATS2 and TCA_STAB nested, a rule: every cut decodes what is
	 * there, reading nothing past it */
	struct msg m;
	route_begin(&m, RTM_NEWNEXTHOP, AF_INET, sizeof(struct nhmsg));
	uint32_t id = 7;
	attr(&m, NHA_ID, &id, 4);
	uint32_t grp[4] = { 1, 0, 2, 1 };
	attr(&m, NHA_GROUP, grp, sizeof(grp));
	nest_begin(&m, NHA_RES_GROUP);
	uint16_t buckets = 8;
	attr(&m, NHA_RES_GROUP_BUCKETS, &buckets, 2);
	nest_end(&m);
	size_t n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + 1; cut <= n; cut++) {
		char *t = cut_text_proto(&m, cut, NETLINK_ROUTE, "nlmsg_type=RTM_NEWNEXTHOP");
		if (cut == n)
			assert_non_null(strstr(t, "[{nla_len=8, nla_type=NHA_ID}, 7], [{nla_len=20, "
						  "nla_type=NHA_GROUP}, [{id=1, weight=0}, {id=2, weight=1}]], "
						  "[{nla_len=12, nla_type=NHA_RES_GROUP}, [{nla_len=6, "
						  "nla_type=NHA_RES_GROUP_BUCKETS}, 8]]") ? t : NULL);
		free(t);
	}

	route_begin(&m, RTM_NEWQDISC, AF_UNSPEC, sizeof(struct tcmsg));
	attr(&m, TCA_KIND, "htb", 4);
	nest_begin(&m, TCA_STATS2);
	uint32_t queue[5] = { 1, 2, 3, 4, 5 };
	attr(&m, TCA_STATS_QUEUE, queue, sizeof(queue));
	nest_end(&m);
	nest_begin(&m, TCA_STAB);
	uint16_t data[3] = { 1, 2, 3 };
	attr(&m, TCA_STAB_DATA, data, sizeof(data));
	nest_end(&m);
	n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + 1; cut <= n; cut++) {
		char *t = cut_text_proto(&m, cut, NETLINK_ROUTE, "nlmsg_type=RTM_NEWQDISC");
		if (cut == n)
			assert_non_null(strstr(t, "[{nla_len=28, nla_type=TCA_STATS2}, [{nla_len=24, "
						  "nla_type=TCA_STATS_QUEUE}, {qlen=1, backlog=2, drops=3, "
						  "requeues=4, overlimits=5}]], [{nla_len=16, nla_type=TCA_STAB}, "
						  "[{nla_len=10, nla_type=TCA_STAB_DATA}, [1, 2, 3]]]") ? t : NULL);
		free(t);
	}

	route_begin(&m, RTM_NEWRULE, AF_INET, sizeof(struct fib_rule_hdr));
	uint32_t range[2] = { 1, 2 };
	attr(&m, FRA_UID_RANGE, range, sizeof(range));
	uint32_t table = 1000;
	attr(&m, FRA_TABLE, &table, 4);
	n = msg_end(&m);
	for (size_t cut = NLMSG_HDRLEN + 1; cut <= n; cut++) {
		char *t = cut_text_proto(&m, cut, NETLINK_ROUTE, "nlmsg_type=RTM_NEWRULE");
		if (cut == n)
			assert_non_null(strstr(t, "[[{nla_len=12, nla_type=FRA_UID_RANGE}, {start=1, end=2}], "
						  "[{nla_len=8, nla_type=FRA_TABLE}, 0x3e8]]") ? t : NULL);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_af_spec_arrays),
		cmocka_unit_test(test_short_values_show_as_bytes),
		cmocka_unit_test(test_nesting_cut_by_the_buffer),
		cmocka_unit_test(test_bridge_nesting_cut_by_the_buffer),
		cmocka_unit_test(test_af_bridge_nesting_cut_by_the_buffer),
		cmocka_unit_test(test_neigh_and_diag_cut_by_the_buffer),
		cmocka_unit_test(test_nexthop_tc_rule_cut_by_the_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
