/*
 * sockinfo: what strace -yy prints for a socket file descriptor.
 *
 * For a descriptor whose /proc/PID/fd/N link reads "socket:[INODE]" these
 * functions give the text strace -yy puts between the angle brackets:
 *
 *   TCP:[127.0.0.1:41234->127.0.0.1:5432]     connected
 *   TCP:[0.0.0.0:8080]                        listening / bound, no peer
 *   UDP:[127.0.0.1:39065]
 *   TCPv6:[[::1]:41234->[::1]:80]
 *   TCPv6:[[::ffff:127.0.0.1]:8080->[::ffff:127.0.0.1]:37242]
 *   UNIX-STREAM:[12345->12346]                peer inode
 *   UNIX-STREAM:[12345,"/run/x.sock"]         bound path, no peer
 *   UNIX-STREAM:[12350->12345,"/run/x.sock"]  accepted: peer and path
 *   UNIX:[12345->12346]                       SOCK_DGRAM / SOCK_SEQPACKET
 *   UNIX-STREAM:[12345,@"abstract"]           abstract name
 *   NETLINK:[ROUTE:1234]                      protocol and port id
 *
 * The lookup uses NETLINK_SOCK_DIAG (one exact request by inode for unix
 * sockets, one dump of the right family/protocol for inet and netlink ones)
 * when the traced process is in scry's network namespace, and otherwise, or
 * when sock_diag fails, parses /proc/PID/net/{tcp,tcp6,udp,udp6,udplite,
 * udplite6,raw,raw6,icmp,icmp6,unix,netlink} (the traced process's own
 * namespace).  Without sock_diag a unix socket's peer is unknown, so the
 * "->PEER" part is left out.
 *
 * Library style: no output, every function returns 0 or -errno.  Each
 * lookup opens (and closes) at most a few descriptors.  A socket's text is
 * its first successful lookup's, kept by inode in one small table for the
 * process (behind a lock), as strace keeps it: a socket bound and then
 * connected stays as it was first seen, and the surviving end of a
 * socketpair keeps its "->PEER" after the peer closed.
 */
#ifndef SCRY_DECODE_SOCKINFO_H
#define SCRY_DECODE_SOCKINFO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Describe socket INODE as seen from process PID (a thread id works too).
 * The kind of socket is not known, so the tables are tried in turn (unix
 * first: that one is an exact lookup).  Writes the NUL-terminated text
 * into OUT.  Returns 0, -ENOENT when no table holds the inode (e.g. an
 * unbound TCP/UDP socket, which the kernel does not list), -ERANGE when LEN
 * is too small, or another -errno.
 */
int sockinfo_describe(pid_t pid, unsigned long inode, char *out, size_t len);

/*
 * The same, when the kernel's protocol name of the socket is known (the
 * "system.sockprotoname" attribute, see sockinfo_proto): only the matching
 * table is consulted, i.e. one sock_diag request.  PROTO may be NULL
 * (then this is sockinfo_describe).  An unsupported PROTO gives -ENOENT.
 */
int sockinfo_describe_proto(pid_t pid, unsigned long inode, const char *proto,
			    char *out, size_t len);

/*
 * The kernel's protocol name of socket descriptor FD of PID ("TCP",
 * "TCPv6", "UDP", "UNIX-STREAM", "NETLINK", ...): getxattr of
 * system.sockprotoname on /proc/PID/fd/FD.  Returns 0 or -errno.
 */
int sockinfo_proto(pid_t pid, int fd, char *out, size_t len);

/*
 * Exactly what strace -yy prints between the brackets for descriptor FD of
 * PID whose link is "socket:[INODE]": the description when found, else
 * "PROTO:[INODE]" (strace's fallback, e.g. "TCP:[180114]" for a socket not
 * yet bound).  Returns 0, or -errno when not even the protocol name can be
 * had (then the caller keeps "socket:[INODE]").
 */
int sockinfo_describe_fd(pid_t pid, int fd, unsigned long inode, char *out, size_t len);

#endif
