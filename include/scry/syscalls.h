/*
 * System call and signal names: the table of the architecture libscry was
 * built for, looked up by name or number, as the -e language, the outputs
 * and the summaries name them.
 *
 *	const struct scry_syscall_table *t = scry_native_table();
 *	long nr = scry_syscall_lookup(t, "openat");     // 257 on x86_64
 *	const char *name = scry_syscall_name(t, nr);   // "openat"
 *
 * Ownership: the table and every string returned are static; nothing
 * here allocates, so nothing is released.  Threads: every function is
 * safe from any thread (they only read constant data).  Errors: a name
 * or number that is unknown gives -1 or NULL, nothing else.
 */
#ifndef SCRY_PUBLIC_SYSCALLS_H
#define SCRY_PUBLIC_SYSCALLS_H

#include "scry/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One architecture's calls; opaque (what a filter is made against). */
struct scry_syscall_table;

/* The table of the architecture scry was built for. */
SCRY_API const struct scry_syscall_table *scry_native_table(void);

/* The number of the call named name ("openat"), or -1. */
SCRY_API long scry_syscall_lookup(const struct scry_syscall_table *t, const char *name);

/* The name of call nr ("openat"), or NULL when nr is out of range or
 * unused (the outputs then show "syscall_0x1b6"). */
SCRY_API const char *scry_syscall_name(const struct scry_syscall_table *t, long nr);

/* "ENOENT" for 2; NULL when unknown. */
SCRY_API const char *scry_errno_name(int err);

/* "SIGSEGV" for 11, "SIGRT_3" for a real-time one; NULL when unknown. */
SCRY_API const char *scry_signal_name(int sig);

/* "SIGINT", "INT" or "2" to 2; -1 when unknown. */
SCRY_API int scry_signal_lookup(const char *name);

/* ---- a call's name as every output shows it (scry top, issue 12) ---- */

/* Bytes of the buffer scry_call_name() may write into. */
#define SCRY_CALL_NAME_MAX 32

/*
 * name when there is one (scry_call.name, or scry_syscall_name()); else
 * strace's form for a number without a name, "syscall_0x1b6", written
 * into buf (SCRY_CALL_NAME_MAX bytes) and returned.  The summaries, the
 * formats and scry serve's syscall label name calls so:
 *
 *	char b[SCRY_CALL_NAME_MAX];
 *	puts(scry_call_name(ev->u.call.name, ev->u.call.nr, b));
 */
SCRY_API const char *scry_call_name(const char *name, long nr, char *buf);

/* ---- 32-bit (ia32) processes on x86_64 (issue 21) ----
 * Their calls have i386 numbers.  A call whose name and argument layout
 * are the same as an x86_64 call's (close, write, openat, ...) is given
 * that call's x86_64 number; every other one (_llseek, mmap2, stat64,
 * socketcall, ...) is SCRY_NR_I386 + its i386 number, which
 * scry_syscall_name() of the x86_64 table names from the i386 table. */
#define SCRY_NR_I386 0x10000L
/* ---- end of the ia32 block ---- */

#ifdef __cplusplus
}
#endif
#endif
