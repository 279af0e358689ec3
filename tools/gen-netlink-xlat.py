#!/usr/bin/env python3
"""Generate src/decode/netlink_xlat.h: the netlink constant tables of
src/decode/netlink.c, read from the kernel's UAPI headers as strace's
xlat/*.in are (names in the headers' order, which is the order strace
prints flags in).

    tools/gen-netlink-xlat.py [INCLUDE_DIR] > src/decode/netlink_xlat.h

INCLUDE_DIR defaults to /usr/include.  Each table is the members of one
enum (or the #defines with one prefix) of one header; a cap drops the
constants newer than the strace release scry is compared with (6.1), so
that both print the same words for the same numbers."""
import os
import re
import sys

INC = sys.argv[1] if len(sys.argv) > 1 else "/usr/include"

# (C name, header, prefix, kind, cap or None, names left out)
# kind: "enum" (the enum whose first member is the prefix's first name,
# values implicit or given) or "define" (#define PREFIX... NUMBER).
TABLES = [
    ("xlat_rtm_types", "linux/rtnetlink.h", "RTM_", "enum", None, {"RTM_BASE"}),
    ("xlat_rt_scope", "linux/rtnetlink.h", "RT_SCOPE_", "enum", None, set()),
    ("xlat_rt_table", "linux/rtnetlink.h", "RT_TABLE_", "enum", 255, set()),
    ("xlat_rtn_types", "linux/rtnetlink.h", "RTN_", "enum", None, set()),
    ("xlat_rtprot", "linux/rtnetlink.h", "RTPROT_", "define", None, set()),
    ("xlat_rta", "linux/rtnetlink.h", "RTA_", "enum", None, set()),
    ("xlat_rtm_flags", "linux/rtnetlink.h", "RTM_F_", "define", None, set()),
    ("xlat_rtext_filter", "linux/rtnetlink.h", "RTEXT_FILTER_", "define", None, set()),
    # strace 6.1 knows IFLA_* up to IFLA_DEVLINK_PORT (62)
    ("xlat_ifla", "linux/if_link.h", "IFLA_", "enum", 62, set()),
    ("xlat_ifa", "linux/if_addr.h", "IFA_", "enum", None, set()),
    ("xlat_ifa_flags", "linux/if_addr.h", "IFA_F_", "define", None, {"IFA_F_TEMPORARY"}),
    ("xlat_iff", "linux/if.h", "IFF_", "enum", None, set()),
    ("xlat_unix_diag_attrs", "linux/unix_diag.h", "UNIX_DIAG_", "enum", None, set()),
    ("xlat_inet_diag_attrs", "linux/inet_diag.h", "INET_DIAG_", "enum", None, set()),
    # nested link attributes (IFLA_XDP, IFLA_LINKINFO, IFLA_AF_SPEC), capped
    # at what strace 6.1 names
    ("xlat_ifla_xdp", "linux/if_link.h", "IFLA_XDP_", "enum", 8, set()),
    ("xlat_xdp_attached", "linux/if_link.h", "XDP_ATTACHED_", "enum", None, set()),
    ("xlat_xdp_flags", "linux/if_link.h", "XDP_FLAGS_", "define", None,
     {"XDP_FLAGS_MODES", "XDP_FLAGS_MASK"}),
    ("xlat_ifla_info", "linux/if_link.h", "IFLA_INFO_", "enum", 5, set()),
    ("xlat_ifla_inet", "linux/if_link.h", "IFLA_INET_", "enum", None, set()),
    ("xlat_ifla_inet6", "linux/if_link.h", "IFLA_INET6_", "enum", 9, set()),
    ("xlat_in6_addr_gen_mode", "linux/if_link.h", "IN6_ADDR_GEN_MODE_", "enum", None, set()),
    # the indices of IFLA_INET_CONF's array: IPV4_DEVCONF_X - 1, named so
    ("xlat_ipv4_devconf", "linux/ip.h", "IPV4_DEVCONF_", "enum", 33, set()),
    ("xlat_ipv6_devconf", "linux/ipv6.h", "DEVCONF_", "enum", 57, set()),
    ("xlat_ipstats_mib", "linux/snmp.h", "IPSTATS_MIB_", "enum", 36, set()),
    ("xlat_icmp6_mib", "linux/snmp.h", "ICMP6_MIB_", "enum", 5, set()),
    ("xlat_ifla_tun", "linux/if_link.h", "IFLA_TUN_", "enum", 9, set()),
    # IFLA_INFO_DATA of the "bridge" kind, a bridge port's attributes
    # (IFLA_PROTINFO of AF_BRIDGE, IFLA_INFO_SLAVE_DATA of a bridge's
    # port), and what they hold, capped at what strace 6.1 names
    ("xlat_ifla_br", "linux/if_link.h", "IFLA_BR_", "enum", 47, set()),
    ("xlat_ifla_brport", "linux/if_link.h", "IFLA_BRPORT_", "enum", 39, set()),
    ("xlat_br_boolopt_flags", "linux/if_bridge.h", "BR_BOOLOPT_", "enum", 2, set()),
    ("xlat_bridge_querier", "linux/if_bridge.h", "BRIDGE_QUERIER_", "enum", 7, set()),
    ("xlat_ether_proto", "linux/if_ether.h", "ETH_P_", "define", None,
     {"ETH_P_ETHERCAT", "ETH_P_PROFINET"}),
    # IFLA_AF_SPEC of an AF_BRIDGE message
    ("xlat_ifla_bridge", "linux/if_bridge.h", "IFLA_BRIDGE_", "enum", 6, set()),
    ("xlat_bridge_flags", "linux/if_bridge.h", "BRIDGE_FLAGS_", "define", None, set()),
    ("xlat_bridge_modes", "linux/if_bridge.h", "BRIDGE_MODE_", "define", None, set()),
    ("xlat_bridge_vlan_info_flags", "linux/if_bridge.h", "BRIDGE_VLAN_INFO_", "define", 0x40, set()),
    ("xlat_ifla_bridge_vlan_tunnel", "linux/if_bridge.h", "IFLA_BRIDGE_VLAN_TUNNEL_", "enum", 3, set()),
    ("xlat_ifla_mctp", "linux/if_link.h", "IFLA_MCTP_", "enum", 1, set()),
    ("xlat_ifla_events", "linux/if_link.h", "IFLA_EVENT_", "enum", 6, set()),
    ("xlat_ifla_proto_down_reason", "linux/if_link.h", "IFLA_PROTO_DOWN_REASON_", "enum", 2, set()),
    # neighbour messages (ip neigh, bridge fdb): ndmsg and its attributes
    ("xlat_nda", "linux/neighbour.h", "NDA_", "enum", 17, set()),
    ("xlat_nud", "linux/neighbour.h", "NUD_", "define", None, set()),
    ("xlat_ntf", "linux/neighbour.h", "NTF_", "define", 0x80,
     {"NTF_EXT_MANAGED", "NTF_EXT_LOCKED"}),
    ("xlat_ntf_ext", "linux/neighbour.h", "NTF_EXT_", "define", 1, {"NTF_EXT_LEARNED"}),
    ("xlat_nfea", "linux/neighbour.h", "NFEA_", "enum", 2, set()),
    ("xlat_fdb_notify", "linux/neighbour.h", "FDB_NOTIFY_", "enum", 2, set()),
    # rules (ip rule): fib_rule_hdr and its attributes
    ("xlat_fra", "linux/fib_rules.h", "FRA_", "enum", 24, set()),
    ("xlat_fr_act", "linux/fib_rules.h", "FR_ACT_", "enum", 8, set()),
    ("xlat_fib_rule_flags", "linux/fib_rules.h", "FIB_RULE_", "define", None,
     {"FIB_RULE_DEV_DETACHED"}),
    # ip netconf, ip addrlabel
    ("xlat_netconfa", "linux/netconf.h", "NETCONFA_", "enum", 8, set()),
    ("xlat_ifal", "linux/if_addrlabel.h", "IFAL_", "enum", 2, set()),
    # traffic control (tc): tcmsg and its attributes
    ("xlat_tca", "linux/rtnetlink.h", "TCA_", "enum", 15, set()),
    ("xlat_tca_stats", "linux/gen_stats.h", "TCA_STATS_", "enum", 8, set()),
    ("xlat_tca_stab", "linux/pkt_sched.h", "TCA_STAB_", "enum", 2, set()),
    # nexthops (ip nexthop): nhmsg and its attributes; a route's encap type
    ("xlat_nha", "linux/nexthop.h", "NHA_", "enum", 13, set()),
    ("xlat_nha_res_group", "linux/nexthop.h", "NHA_RES_GROUP_", "enum", 4,
     {"NHA_RES_GROUP_UNSPEC"}),
    ("xlat_nha_res_bucket", "linux/nexthop.h", "NHA_RES_BUCKET_", "enum", 3,
     {"NHA_RES_BUCKET_UNSPEC"}),
    ("xlat_nexthop_grp_type", "linux/nexthop.h", "NEXTHOP_GRP_TYPE_", "enum", 1, set()),
    ("xlat_rtnh_flags", "linux/rtnetlink.h", "RTNH_F_", "define", 64, set()),
    ("xlat_lwt_encap", "linux/lwtunnel.h", "LWTUNNEL_ENCAP_", "enum", 8, set()),
    # NETLINK_SOCK_DIAG of netlink and packet sockets (ss -a)
    ("xlat_ndiag_show", "linux/netlink_diag.h", "NDIAG_SHOW_", "define", None, set()),
    ("xlat_ndiag_flags", "linux/netlink_diag.h", "NDIAG_FLAG_", "define", None, set()),
    ("xlat_netlink_diag_attrs", "linux/netlink_diag.h", "NETLINK_DIAG_", "enum", 4, set()),
    ("xlat_packet_show", "linux/packet_diag.h", "PACKET_SHOW_", "define", None, set()),
    # the indices of INET_DIAG_SKMEMINFO's array
    ("xlat_sk_meminfo", "linux/sock_diag.h", "SK_MEMINFO_", "enum", None, {"SK_MEMINFO_VARS"}),
]

# Tables of array indices one below the constant, named "NAME-1" as
# strace prints them ([IPV4_DEVCONF_FORWARDING-1]=0).
MINUS_ONE = {"xlat_ipv4_devconf"}

# Tables of bit numbers shown as flags, "1<<NAME" (strace's
# rtnl_ifla_br_boolopt_flags).
SHIFT = {"xlat_br_boolopt_flags"}

# An enum whose first member is not the first with the prefix's name
# (inet_diag.h's INET_DIAG_REQ_* enum comes before the attributes').
FIRST = {"xlat_inet_diag_attrs": "INET_DIAG_NONE"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def evaluate(expr, known):
    expr = re.sub(r"(\d+)[uUlL]+\b", r"\1", expr.strip())
    try:
        return int(eval(expr, {"__builtins__": {}}, dict(known)))
    except Exception:
        return None


def enums(text, known):
    """Every enum's members in order: [[(name, value)]]."""
    out = []
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        members, val = [], -1
        body = re.sub(r"^\s*#[^\n]*", "", body, flags=re.M)
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"^([A-Za-z_]\w*)\s*(?:=\s*(.+))?$", item, flags=re.S)
            if not m:
                continue
            name, expr = m.group(1), m.group(2)
            v = evaluate(expr, known) if expr is not None else val + 1
            if v is None:
                break
            val = v
            known[name] = v
            members.append((name, v))
        out.append(members)
    return out


def defines(text, prefix, known):
    out = []
    for name, expr in re.findall(r"^#\s*define\s+(%s\w+)\s+(.+)$" % re.escape(prefix), text, flags=re.M):
        v = evaluate(expr, known)
        if v is not None:
            known[name] = v
            out.append((name, v))
    return out


def table(header, prefix, kind, cap, skip, first=None):
    with open(os.path.join(INC, header)) as f:
        text = strip_comments(f.read())
    known = {}
    if kind == "define":
        rows = defines(text, prefix, known)
    else:
        rows = []
        for members in enums(text, known):
            if members and members[0][0].startswith(first or prefix):
                rows = members
                break
    keep = []
    for name, v in rows:
        # the end of a list is PREFIX_MAX (IFLA_BR_MCAST_HASH_MAX is an
        # attribute)
        if not name.startswith(prefix) or name.startswith("__") or name == prefix + "MAX" \
                or name in skip or (cap is not None and v > cap) or v < 0:
            continue
        keep.append((name, v))
    return keep


def main():
    print("/*")
    print(" * Generated by tools/gen-netlink-xlat.py from the kernel's UAPI headers")
    print(" * (%s); do not edit.  Run `tools/gen-netlink-xlat.py > %s` to" % (INC, "src/decode/netlink_xlat.h"))
    print(" * regenerate.  Private to src/decode/netlink.c.")
    print(" */")
    print("#ifndef SCRY_DECODE_NETLINK_XLAT_H")
    print("#define SCRY_DECODE_NETLINK_XLAT_H")
    print()
    for cname, header, prefix, kind, cap, skip in TABLES:
        rows = table(header, prefix, kind, cap, skip, FIRST.get(cname))
        if not rows:
            sys.exit("gen-netlink-xlat: no %s constants in %s" % (prefix, header))
        print("/* %s: %s */" % (header, prefix + "*"))
        print("static const struct scry_xlat %s[] = {" % cname)
        for name, v in rows:
            if cname in MINUS_ONE:
                name, v = name + "-1", v - 1
            if cname in SHIFT:
                name, v = "1<<" + name, 1 << v
            print("\t{ %#x, \"%s\" }," % (v, name))
        print("\t{ 0, NULL },")
        print("};")
        print()
    print("#endif")


if __name__ == "__main__":
    main()
