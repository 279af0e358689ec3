/*
 * Netlink messages as strace shows them (netlink.c): the data of sendto,
 * recvfrom, sendmsg and recvmsg on an AF_NETLINK socket.
 */
#ifndef SCRY_DECODE_NETLINK_H
#define SCRY_DECODE_NETLINK_H

#include "decode/decode.h"

/* The NETLINK_* protocol of the traced process's fd; NETLINK_PROTO_UNKNOWN
 * for a netlink socket whose protocol cannot be told; -1 when it is not a
 * netlink socket (or /proc cannot say). */
#define NETLINK_PROTO_UNKNOWN (-2)
int netlink_protocol(const struct dctx *d, int fd);

/* The messages in len bytes at addr, of a socket of protocol proto. */
size_t v_netlink(struct dctx *d, const char *name, uint64_t addr, int64_t len, int proto);

#endif
