/*
 * Lookups over the generated syscall tables (table_*.c, made by
 * tools/gen-syscalls.py).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "syscalls/syscalls.h"

const struct scry_syscall_table *scry_native_table(void)
{
#if defined(__x86_64__)
	return &scry_table_x86_64;
#elif defined(__aarch64__)
	return &scry_table_aarch64;
#else
#error "scry supports x86_64 and aarch64 only"
#endif
}

const struct scry_syscall_info *scry_syscall_get(const struct scry_syscall_table *t, long nr)
{
	if (t == &scry_table_x86_64 && nr >= SCRY_NR_I386)
		return scry_syscall_get(&scry_table_i386, nr - SCRY_NR_I386);
	if (!t || nr < 0 || (unsigned long)nr >= t->ncalls)
		return NULL;
	if (!t->calls[nr].name)
		return NULL;
	return &t->calls[nr];
}

/*
 * i386 calls that keep their x86_64 number: the same name, the same
 * arguments in the same registers, and a decoder that reads nothing from
 * the tracee whose layout differs between ia32 and x86_64 (no longs,
 * pointers or time_t inside what it reads).  Sorted, for bsearch.
 */
static const char *const i386_same[] = {
	"accept", "accept4", "access", "bind", "brk", "chdir", "chmod",
	"close", "connect", "creat", "dup", "dup2", "dup3", "epoll_create",
	"epoll_create1", "eventfd", "eventfd2", "exit", "exit_group",
	"faccessat", "faccessat2", "fchdir", "fchmod", "fchmodat", "fdatasync",
	"flock", "fsync", "getcwd", "getdents64", "getpeername", "getpgid",
	"getpgrp", "getpid", "getppid", "getrandom", "getsid", "getsockname",
	"getsockopt", "gettid", "inotify_add_watch", "inotify_init1",
	"inotify_rm_watch", "kill", "link", "linkat", "listen", "madvise",
	"memfd_create", "mkdir", "mkdirat", "mprotect", "msgget", "munmap",
	"open", "openat", "pause", "pipe", "pipe2", "prlimit64", "read",
	"readlink", "readlinkat", "recvfrom", "rename", "renameat",
	"renameat2", "rmdir", "rt_sigprocmask", "sched_yield", "semget", "semop",
	"sendto", "set_tid_address", "setpgid", "setsid", "setsockopt",
	"shmat", "shmdt", "shmget", "shutdown", "socket", "socketpair",
	"symlink", "symlinkat", "sync", "syncfs", "tgkill", "tkill", "umask",
	"unlink", "unlinkat", "write",
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

long scry_compat_nr(unsigned int audit_arch, long nr)
{
	const struct scry_syscall_info *i;
	const char *name;
	long native;

	if (audit_arch != SCRY_AUDIT_ARCH_I386 || scry_native_table() != &scry_table_x86_64)
		return nr;
	i = scry_syscall_get(&scry_table_i386, nr);
	if (!i)
		return nr < 0 ? nr : SCRY_NR_I386 + nr;
	name = i->name;
	if (bsearch(&name, i386_same, sizeof(i386_same) / sizeof(i386_same[0]),
		    sizeof(i386_same[0]), cmp_name) &&
	    (native = scry_syscall_lookup(&scry_table_x86_64, name)) >= 0)
		return native;
	return SCRY_NR_I386 + nr;
}

/* socketcall's calls shown as the i386 calls of their names
 * (decode/ia32.c: ia32_socketcall()); accept, send and recv, which i386
 * has only through socketcall, are rows of the i386 table past the
 * kernel's (SCRY_I386_SUBCALL). */
static const struct { const char *name; int nargs; } socket_calls[21] = {
	[1] = { "socket", 3 }, [2] = { "bind", 3 }, [3] = { "connect", 3 },
	[4] = { "listen", 2 }, [5] = { "accept", 3 }, [6] = { "getsockname", 3 },
	[7] = { "getpeername", 3 }, [8] = { "socketpair", 4 }, [9] = { "send", 4 },
	[10] = { "recv", 4 }, [11] = { "sendto", 6 },
	[12] = { "recvfrom", 6 }, [13] = { "shutdown", 2 }, [14] = { "setsockopt", 5 },
	[15] = { "getsockopt", 5 }, [16] = { "sendmsg", 3 }, [17] = { "recvmsg", 3 },
	[18] = { "accept4", 4 }, [19] = { "recvmmsg", 5 }, [20] = { "sendmmsg", 4 },
};

const char *const scry_i386_ipc_calls[] = {
	"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl",
	"shmat", "shmdt", "shmget", "shmctl", NULL,
};

const char *scry_i386_socketcall(unsigned call, int *nargs)
{
	if (call >= sizeof(socket_calls) / sizeof(socket_calls[0]) || !socket_calls[call].name)
		return NULL;
	if (nargs)
		*nargs = socket_calls[call].nargs;
	return socket_calls[call].name;
}

const char *scry_syscall_name(const struct scry_syscall_table *t, long nr)
{
	const struct scry_syscall_info *i = scry_syscall_get(t, nr);
	return i ? i->name : NULL;
}

/* Linear: about 400 string compares, called only while parsing options. */
long scry_syscall_lookup(const struct scry_syscall_table *t, const char *name)
{
	if (!t || !name)
		return -1;
	for (unsigned int nr = 0; nr < t->ncalls; nr++) {
		const char *n = t->calls[nr].name;
		if (n && !strcmp(n, name))
			return nr;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned int bit;
} class_names[] = {
	/* "%%stat" and "%%statfs" have lost one '%' when we compare */
	{ "%stat", SCRY_CLASS_STAT_LIKE },
	{ "%statfs", SCRY_CLASS_STATFS_LIKE },
	{ "file", SCRY_CLASS_FILE },
	{ "desc", SCRY_CLASS_DESC },
	{ "network", SCRY_CLASS_NETWORK },
	{ "net", SCRY_CLASS_NETWORK },
	{ "process", SCRY_CLASS_PROCESS },
	{ "memory", SCRY_CLASS_MEMORY },
	{ "signal", SCRY_CLASS_SIGNAL },
	{ "ipc", SCRY_CLASS_IPC },
	{ "creds", SCRY_CLASS_CREDS },
	{ "clock", SCRY_CLASS_CLOCK },
	{ "stat", SCRY_CLASS_STAT },
	{ "lstat", SCRY_CLASS_LSTAT },
	{ "fstat", SCRY_CLASS_FSTAT },
	{ "statfs", SCRY_CLASS_STATFS },
	{ "fstatfs", SCRY_CLASS_FSTATFS },
	{ "pure", SCRY_CLASS_PURE },
};

unsigned int scry_class_lookup(const char *name)
{
	if (!name)
		return 0;
	if (*name == '%')
		name++;
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (!strcmp(class_names[i].name, name))
			return class_names[i].bit;
	return 0;
}
