/*
 * Things every format shows the same way: signal names, and what /proc
 * says about a process (names, executables).
 */
#ifndef SCRY_OUTPUT_PROCINFO_H
#define SCRY_OUTPUT_PROCINFO_H

#include <stddef.h>
#include <sys/types.h>

const char *sig_name(int sig, char *buf);            /* buf: 16 bytes */
/* The current name of a process or thread from /proc (comm), or "". */
void proc_comm(pid_t pid, pid_t tid, char *buf, size_t len);
/* /proc/PID/exe, or "". */
void proc_exe(pid_t pid, char *buf, size_t len);

#endif
