"""Issue 21's remainders, part E: netlink attributes nested in others, as
strace 6.1 decodes them (IFLA_XDP, IFLA_LINKINFO, IFLA_AF_SPEC with its
AF_INET and AF_INET6 sets and their indexed arrays, IFLA_MAP), compared
line by line with strace on `ip -d link` and `ip addr` in a network
namespace of their own (so that no other program's traffic or sockets
change what the kernel answers between the two runs)."""

import os
import re
import shutil
import subprocess
import unittest

from helpers import check_sanitizer, normalise_trace, prog, ScryTest, SCRY, T, run, run_scry

CALLS = "trace=sendto,recvfrom,sendmsg,recvmsg"

# In a namespace of its own: an ifb device (IFLA_LINKINFO's kind) with a
# fixed address, a tap and a tun device (IFLA_INFO_DATA of the tun kind), lo up (an IPv6 address and its AF_INET6 devconf, stats and
# cacheinfo); then the tracer, in the namespace too ("$@"), on the ip
# commands.  (A tracer outside sees the sockets of another namespace:
# strace cannot tell their netlink protocol then and shows bytes.)
SETUP = ("ip link add i0 address 02:00:00:00:00:01 type ifb && ip link set lo up && "
         "ip tuntap add t0 mode tap && ip link set t0 address 02:00:00:00:00:02 && "
         "ip tuntap add t1 mode tun user 1000")
TRACED = "ip -d link && ip addr && ip -d link show dev i0"
SCRIPT = SETUP + ' && "$@" sh -c "%s"' % TRACED

SUBS = [
    (re.compile(r"^\[pid +\d+\] "), ""),
    (re.compile(r"0x[0-9a-f]{5,}"), "ADDR"),
    (re.compile(r"(nlmsg_pid|nl_pid)=-?\d+"), r"\1=P"),
    (re.compile(r"nlmsg_seq=\d+"), "nlmsg_seq=S"),
    # times since boot and a random reachable time
    (re.compile(r"\b(cstamp|tstamp|reachable_time)=\d+"), r"\1=T"),
    # a neighbour's ages (bridge fdb)
    (re.compile(r"\b(ndm_confirmed|ndm_used|ndm_updated)=\d+"), r"\1=T"),
    (re.compile(r"\) +="), ") ="),
]


def normalise(text):
    return [line for line in normalise_trace(text, SUBS)
            if not line.startswith(("strace: ", "---"))]


def netns_ifb_ok():
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return False
    r = subprocess.run(["unshare", "-n", "sh", "-c", SCRIPT, "sh"], capture_output=True)
    return r.returncode == 0


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
@unittest.skipUnless(netns_ifb_ok(), "needs root, unshare, ip, and the ifb and tun devices")
class NestedNetlink(ScryTest):
    maxDiff = None

    def test_ip_link_and_addr_as_strace(self):
        argv = ["unshare", "-n", "sh", "-c", SCRIPT, "sh"]
        for opts in ([], ["-v"], ["-x"], ["-xx", "-v"], ["-v", "-s", "8"], ["-s", "0"]):
            with self.subTest(opts=opts):
                s = run(argv + ["strace", "-f"] + opts + ["-e", CALLS], timeout=T(30))
                r = run(argv + [SCRY, "-f"] + opts + ["-e", CALLS, "--"], timeout=T(30))
                check_sanitizer(r.stderr, "scry in a network namespace")
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertGreater(len(want), 10, "strace printed too little:\n" + s.stderr)
                for i, (w, h) in enumerate(zip(want, have)):
                    self.assertEqual(h, w, "line %d differs" % i)
                self.assertEqual(len(have), len(want))
                text = "\n".join(have)
                if "-v" in opts and "-x" not in " ".join(opts) and "-s" not in opts:
                    for needle in ("[{nla_len=5, nla_type=IFLA_XDP_ATTACHED}, XDP_ATTACHED_NONE]",
                                   '[{nla_len=8, nla_type=IFLA_INFO_KIND}, "ifb"]',
                                   "[{nla_len=5, nla_type=IFLA_TUN_TYPE}, IFF_TAP]",
                                   "[{nla_len=8, nla_type=IFLA_TUN_OWNER}, 1000]",
                                   "nla_type=AF_INET}, [{nla_len=",
                                   "[IPV4_DEVCONF_FORWARDING-1]=0",
                                   "[DEVCONF_HOPLIMIT]=64",
                                   "[IPSTATS_MIB_NUM]=",
                                   "nla_type=IFLA_INET6_ADDR_GEN_MODE}, IN6_ADDR_GEN_MODE_EUI64]",
                                   "{mem_start=0, mem_end=0, base_addr=0, irq=0, dma=0, port=0}"):
                        self.assertIn(needle, text)


# A bridge with a port (a veth end: this kernel has no dummy device) with
# fixed addresses, all down so that no timer runs; then ip and bridge on
# them: IFLA_INFO_DATA of the bridge kind (IFLA_BR_*: clock_t values,
# bridge ids, the group address, boolopts), IFLA_INFO_SLAVE_KIND/
# SLAVE_DATA of the port (IFLA_BRPORT_*), IFLA_PROTINFO of AF_BRIDGE
# (bridge link) and of AF_INET6 (nl_getlink's AF_INET6 dump), IFLA_AF_SPEC
# of AF_BRIDGE (bridge vlan; this kernel has no VLAN filtering, so it holds
# no IFLA_BRIDGE_VLAN_INFO: test_decode_netlink makes those), and the
# one-byte IFLA_ADDRESS strace shows in an AF_BRIDGE message; and routes'
# RTA_CACHEINFO (ip route get, ip route show table all); neighbours (bridge
# fdb, ip neigh: ndmsg and NDA_*); rules (ip rule: fib_rule_hdr and FRA_*)
# and a table without a name (RTA_TABLE and FRA_TABLE 0x3e8); ip netconf
# (netconfmsg, NETCONFA_*) and ip addrlabel (ifaddrlblmsg, IFAL_*); nexthops
# (nhmsg, NHA_*, groups, a resilient group) and their buckets (a type strace
# has no decoder for: {family=AF_UNSPEC, data="..."}).
BRIDGE_SETUP = ("ip link add br0 address 02:00:00:00:00:10 type bridge && "
                "ip link add v0 address 02:00:00:00:00:11 type veth peer name v1 "
                "address 02:00:00:00:00:12 && ip link set v0 master br0 && ip link set lo up && "
                "ip route add 10.9.0.0/16 dev lo table 1000 && "
                "ip rule add from 10.0.0.0/8 table 1000 priority 100 && "
                "ip rule add fwmark 7/0xff iif lo table main prohibit && "
                "ip rule add uidrange 1-2 sport 10-20 dport 30 ipproto tcp table 5 && "
                "ip -6 rule add to fe80::/64 tos 0x10 table 200 && "
                "ip addrlabel add prefix 2001:db8::/32 label 99 dev lo && "
                "ip nexthop add id 1 dev lo && ip nexthop add id 2 via 127.0.0.2 dev lo && "
                "ip nexthop add id 3 group 1/2,5 && ip nexthop add id 4 blackhole && "
                "ip -6 nexthop add id 6 dev lo && "
                "ip nexthop add id 7 group 1/2 type resilient buckets 8 idle_timer 10")
BRIDGE_TRACED = ("ip -d link show; bridge link show; ip -d link show dev br0; ip -6 link show; "
                 "bridge vlan show; bridge -d link show; %s 10; "
                 "ip route get 127.0.0.1; ip route show table all; bridge fdb show; "
                 "ip neigh show nud all; ip rule; ip -6 rule; ip netconf; ip -6 netconf; "
                 "ip addrlabel; ip nexthop; ip -6 nexthop; ip nexthop bucket show id 7" %
                 prog("nl_getlink"))
BRIDGE_SCRIPT = BRIDGE_SETUP + ' && "$@" sh -c "%s"' % BRIDGE_TRACED


def netns_bridge_ok():
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip") \
            or not shutil.which("bridge"):
        return False
    r = subprocess.run(["unshare", "-n", "sh", "-c", BRIDGE_SCRIPT, "sh"], capture_output=True)
    return r.returncode == 0


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
@unittest.skipUnless(netns_bridge_ok(), "needs root, unshare, ip, bridge, and the bridge and veth devices")
class BridgeNetlink(ScryTest):
    """A bridge and its port in a namespace of their own, compared with
    strace line by line under the same option passes as NestedNetlink
    (scry showed IFLA_INFO_DATA of the bridge kind, IFLA_INFO_SLAVE_DATA
    and IFLA_PROTINFO as bytes, and IFLA_ADDRESS of an AF_BRIDGE message
    in full)."""
    maxDiff = None

    def test_bridge_and_port_as_strace(self):
        argv = ["unshare", "-n", "sh", "-c", BRIDGE_SCRIPT, "sh"]
        for opts in ([], ["-v"], ["-x"], ["-xx", "-v"], ["-v", "-s", "8"], ["-s", "0"]):
            with self.subTest(opts=opts):
                s = run(argv + ["strace", "-f"] + opts + ["-e", CALLS], timeout=T(30))
                r = run(argv + [SCRY, "-f"] + opts + ["-e", CALLS, "--"], timeout=T(30))
                check_sanitizer(r.stderr, "scry in a network namespace")
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertGreater(len(want), 30, "strace printed too little:\n" + s.stderr)
                for i, (w, h) in enumerate(zip(want, have)):
                    self.assertEqual(h, w, "line %d differs" % i)
                self.assertEqual(len(have), len(want))
                text = "\n".join(have)
                if opts == ["-v"]:
                    for needle in ("[{nla_len=8, nla_type=IFLA_BR_FORWARD_DELAY}, 1500 /* 15.00 s */]",
                                   "[{nla_len=12, nla_type=IFLA_BR_BRIDGE_ID}, {prio=[128, 0], "
                                   "addr=02:00:00:00:00:10}]",
                                   "[{nla_len=10, nla_type=IFLA_BR_GROUP_ADDR}, 01:80:c2:00:00:00]",
                                   "nla_type=IFLA_BR_MULTI_BOOLOPT}, {optval=0, optmask=1<<BR_BOOLOPT_",
                                   '[{nla_len=11, nla_type=IFLA_INFO_SLAVE_KIND}, "bridge"]',
                                   "nla_type=IFLA_INFO_SLAVE_DATA}, [[{nla_len=5, "
                                   "nla_type=IFLA_BRPORT_STATE}, 0]",
                                   "nla_type=NLA_F_NESTED|IFLA_PROTINFO}, [[{nla_len=5, "
                                   "nla_type=IFLA_BRPORT_STATE}, 0]",
                                   "[{nla_len=10, nla_type=IFLA_ADDRESS}, 02]",
                                   "nla_type=IFLA_PROTINFO}, [[{nla_len=8, nla_type=IFLA_INET6_FLAGS}",
                                   "nla_type=RTA_CACHEINFO}, {rta_clntref=",
                                   "{ndm_family=AF_BRIDGE, ndm_ifindex=if_nametoindex(",
                                   "[{nla_len=8, nla_type=FRA_TABLE}, 0x3e8]",
                                   "[{nla_len=8, nla_type=RTA_TABLE}, 0x3e8]",
                                   "[{nla_len=12, nla_type=FRA_UID_RANGE}, {start=1, end=2}]",
                                   "{ncm_family=AF_INET6}, [[{nla_len=8, nla_type=NETCONFA_IFINDEX}, ",
                                   "[{nla_len=8, nla_type=IFAL_LABEL}, 99]",
                                   "{nh_family=AF_INET, nh_scope=RT_SCOPE_UNIVERSE, ",
                                   "nla_type=NHA_GROUP}, [{id=1, weight=0}, {id=2, weight=4}]]",
                                   "nlmsg_type=RTM_GETNEXTHOPBUCKET, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, "
                                   "nlmsg_seq=S, nlmsg_pid=P}, {family=AF_UNSPEC, data=",
                                   "tos=IPTOS_LOWDELAY, table=0xc8 /* RT_TABLE_??? */, action=FR_ACT_TO_TBL"):
                        self.assertIn(needle, text)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
@unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare"), "needs root and unshare")
class CraftedNetlink(ScryTest):
    """tests/progs/nl_craft's link messages (RTM_GETLINK requests in a
    namespace of their own) compared with strace line by line: the bridge's
    and a port's attributes, values too short or too long for their kind,
    numbers and bits without a name, kinds of 16 bytes or without a NUL,
    a can link's xstats, IFLA_AF_SPEC of AF_BRIDGE (VLAN entries, tunnel
    info), AF_INET6's IFLA_PROTINFO, AF_MCTP, neighbours (ndmsg and every
    NDA_* kind), NETLINK_SOCK_DIAG of netlink and packet sockets, the old
    TCPDIAG_GETSOCK request, families without a decoder, a qdisc with every
    TCA_ kind; -s 3 cuts "tun\0" where
    strace sees its NUL one byte ahead."""
    maxDiff = None

    def test_crafted_link_messages_as_strace(self):
        argv = ["unshare", "-n", "sh", "-c", '"$@" %s' % prog("nl_craft"), "sh"]
        for opts in ([], ["-v"], ["-x"], ["-xx", "-v"], ["-v", "-s", "8"], ["-s", "3"],
                     ["-x", "-s", "3"], ["-s", "0"]):
            with self.subTest(opts=opts):
                s = run(argv + ["strace", "-f"] + opts + ["-e", CALLS], timeout=T(30))
                r = run(argv + [SCRY, "-f"] + opts + ["-e", CALLS, "--"], timeout=T(30))
                check_sanitizer(r.stderr, "scry on nl_craft")
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertGreater(len(want), 10, "strace printed too little:\n" + s.stderr)
                for i, (w, h) in enumerate(zip(want, have)):
                    self.assertEqual(h, w, "line %d differs" % i)
                self.assertEqual(len(have), len(want))
                text = "\n".join(have)
                if opts == ["-v"]:
                    for needle in ("htons(0x1234 /* ETHER_P_??? */)",
                                   "{optval=0, optmask=0x18 /* 1<<BR_BOOLOPT_??? */}",
                                   "[{nla_len=12, nla_type=IFLA_BR_HELLO_TIMER}, 12345 /* 123.45 s */]",
                                   "{flags=BRIDGE_VLAN_INFO_PVID|BRIDGE_VLAN_INFO_UNTAGGED, vid=1}",
                                   "nla_type=IFLA_EVENT}, IFLA_EVENT_FEATURES]",
                                   "nla_type=IFLA_MCTP_NET}, 7]",
                                   "ndm_state=NUD_REACHABLE|NUD_PERMANENT, ndm_flags=NTF_SELF|NTF_MASTER",
                                   "[{nla_len=6, nla_type=NDA_PORT}, htons(4789)]",
                                   "{sdiag_family=AF_NETLINK, sdiag_protocol=NDIAG_PROTO_ALL, ",
                                   "nla_type=NETLINK_DIAG_FLAGS}, NDIAG_FLAG_PKTINFO|NDIAG_FLAG_CAP_ACK]",
                                   "nlmsg_type=TCPDIAG_GETSOCK",
                                   "{family=AF_VSOCK, data=",
                                   "pdiag_show=PACKET_SHOW_INFO|PACKET_SHOW_FILTER|0x80",
                                   "[{nla_len=6, nla_type=TCA_RATE}, {interval=-2, ewma_log=3}]",
                                   "nla_type=TCA_STATS_RATE_EST64}, {bps=1099511627776, pps=7}]",
                                   "nh_scope=0x7, nh_protocol=RTPROT_STATIC, resvd=0x1, "
                                   "nh_flags=RTNH_F_ONLINK|0x100}",
                                   "{id=2, weight=1, resvd2=0x3}, {id=3, weight=2, resvd1=0x2}",
                                   "RTM_NEWPREFIX, nlmsg_flags=NLM_F_REQUEST, nlmsg_seq=S, nlmsg_pid=P}, "
                                   "{family=AF_INET6, data=",
                                   "{bus_error=1, error_warning=2, error_passive=3, bus_off=4, "
                                   "arbitration_lost=5, restarts=6}"):
                        self.assertIn(needle, text)


# Traffic control in a namespace of its own: an htb qdisc with a class, a
# pfifo with a size table (TCA_STAB), an ingress qdisc, all with handles
# and addresses given (the kernel's own handles count across namespaces).
TC_SETUP = ("ip link set lo up && ip link add v0 address 02:00:00:00:00:21 type veth peer name v1 "
            "address 02:00:00:00:00:22 && tc qdisc add dev v0 root handle 1: htb default 10 && "
            "tc class add dev v0 parent 1: classid 1:10 htb rate 1mbit && "
            "tc qdisc add dev v1 root handle 5: stab overhead 4 linklayer ethernet tsize 8 "
            "mtu 2048 pfifo && tc qdisc add dev v1 ingress")
TC_TRACED = ("tc qdisc show; tc -s qdisc show; tc class show dev v0; tc -s class show dev v0; "
             "tc filter show dev v0")
TC_SCRIPT = TC_SETUP + ' && "$@" sh -c "%s"' % TC_TRACED


def netns_tc_ok():
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("tc"):
        return False
    r = subprocess.run(["unshare", "-n", "sh", "-c", TC_SCRIPT, "sh"], capture_output=True)
    return r.returncode == 0


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
@unittest.skipUnless(netns_tc_ok(), "needs root, unshare, tc, and the htb and veth devices")
class TcNetlink(ScryTest):
    """tc's qdiscs, classes and filters (tcmsg and TCA_*: TCA_STATS,
    TCA_STATS2's gnet_stats, TCA_STAB) compared with strace line by line
    (scry showed them as bytes)."""
    maxDiff = None

    def test_tc_as_strace(self):
        argv = ["unshare", "-n", "sh", "-c", TC_SCRIPT, "sh"]
        for opts in ([], ["-v"], ["-x"], ["-xx", "-v"], ["-v", "-s", "8"], ["-s", "0"]):
            with self.subTest(opts=opts):
                s = run(argv + ["strace", "-f"] + opts + ["-e", CALLS], timeout=T(30))
                r = run(argv + [SCRY, "-f"] + opts + ["-e", CALLS, "--"], timeout=T(30))
                check_sanitizer(r.stderr, "scry on tc")
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertGreater(len(want), 20, "strace printed too little:\n" + s.stderr)
                for i, (w, h) in enumerate(zip(want, have)):
                    self.assertEqual(h, w, "line %d differs" % i)
                self.assertEqual(len(have), len(want))
                if opts == ["-v"]:
                    text = "\n".join(have)
                    for needle in ('[{nla_len=8, nla_type=TCA_KIND}, "htb"]',
                                   "nla_type=TCA_STATS_QUEUE}, {qlen=0, backlog=0, drops=0, ",
                                   "nla_type=TCA_STAB_BASE}, {cell_log=0, size_log=0, cell_align=0, "
                                   "overhead=4, linklayer=1, ",
                                   "{tcm_family=AF_UNSPEC, tcm_ifindex=if_nametoindex(\"v0\"), "
                                   "tcm_handle=65536, "):
                        self.assertIn(needle, text)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
@unittest.skipUnless(os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ss"),
                     "needs root, unshare and ss")
class SsAll(ScryTest):
    """ss -an in a namespace of its own, compared with strace: the netlink
    and packet sockets' requests, the old DCCPDIAG_GETSOCK request, the
    AF_VSOCK and AF_XDP requests strace shows as {family=..., data=...}
    (scry showed all as bytes).  The netlink sockets' replies list the
    tracer's own sockets too, so they differ between the runs: those
    lines are checked for their decoding only."""
    maxDiff = None

    def test_ss_all_as_strace(self):
        # ss's own complaints (RTNETLINK answers: ...) are kept out of the
        # trace they would interleave with
        argv = ["unshare", "-n", "sh", "-c",
                'ip link set lo up && "$@" sh -c "ss -an 2>/dev/null"', "sh"]
        for opts in ([], ["-v"], ["-x"], ["-s", "8"]):
            with self.subTest(opts=opts):
                s = run(argv + ["strace", "-f"] + opts + ["-e", CALLS], timeout=T(30))
                r = run(argv + [SCRY, "-f"] + opts + ["-e", CALLS, "--"], timeout=T(30))
                check_sanitizer(r.stderr, "scry on ss -an")
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertGreater(len(want), 20, "strace printed too little:\n" + s.stderr)
                self.assertEqual(len(have), len(want))
                replies = 0
                for i, (w, h) in enumerate(zip(want, have)):
                    if "{ndiag_family=AF_NETLINK, ndiag_type=" in w:
                        replies += 1
                        self.assertIn("{ndiag_family=AF_NETLINK, ndiag_type=", h)
                        continue
                    self.assertEqual(h, w, "line %d differs" % i)
                self.assertGreater(replies, 0, "no netlink socket listed:\n" + s.stderr)
                text = "\n".join(have)
                for needle in ("{sdiag_family=AF_NETLINK, sdiag_protocol=NDIAG_PROTO_ALL",
                               "{sdiag_family=AF_PACKET, sdiag_protocol=0",
                               "nlmsg_type=DCCPDIAG_GETSOCK", "{family=AF_VSOCK, data="):
                    self.assertIn(needle, text)


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class ExecveArrays(ScryTest):
    """execve's argv and envp arrays: at most -s strings, all of them under
    -v, as strace prints them (scry cut both at 32 whatever -s and -v said)."""
    maxDiff = None

    def test_execve_arrays_as_strace(self):
        # 65 strings: more than one read of 64 pointers, and -s 64 stops
        # where the first read ends (there is more: "...")
        argv = ["/bin/true"] + ["arg%d" % i for i in range(64)]
        env = {"V%02d" % i: "x" * i for i in range(40)}
        for opts in ([], ["-v"], ["-s", "3"], ["-v", "-s", "2"], ["-s", "0"], ["-v", "-x"],
                     ["-s", "64"]):
            with self.subTest(opts=opts):
                s = run(["strace"] + opts + ["-e", "trace=execve"] + argv, env=env, timeout=T(20))
                r = run_scry(opts + ["-e", "trace=execve", "--"] + argv, env=env, timeout=T(20))
                self.assertEqual(r.returncode, s.returncode, r.stderr[-2000:])
                want, have = normalise(s.stderr), normalise(r.stderr)
                self.assertEqual(len(want), 1, s.stderr)
                self.assertEqual(have, want)
                if opts == ["-v"]:
                    self.assertIn('"V39=', have[0])


if __name__ == "__main__":
    unittest.main()
