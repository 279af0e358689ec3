/* Decoders of the process family: execve, exit, wait, clone, ... */
#include "decode/decode.h"

#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

/* ["a", "b"], at most -s elements shown as strace does (all with -v). */
static void argv_array(struct dctx *d, const char *name, uint64_t addr)
{
	enum { CHUNK = 64, MOST = 4096 };
	uint64_t ptrs[CHUNK];
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	ssize_t got = d_read(d, addr, ptrs, sizeof(ptrs));
	if (got < 8) {
		v_unread(d, name, addr);
		return;
	}
	size_t limit = d->verbose ? MOST : (size_t)d->limit;
	size_t a = v_array_begin(d, name);
	size_t n = (size_t)got / 8, k = 0, base = 0;
	for (;;) {
		for (; k - base < n && k < limit && ptrs[k - base]; k++)
			v_cstr(d, NULL, ptrs[k - base]);
		/* the next chunk when this one ended without its NULL (at the
		 * limit too: whether there is more decides the "...") */
		if (k <= limit && k - base == n && n == CHUNK) {
			base = k;
			got = d_read(d, addr + base * 8, ptrs, sizeof(ptrs));
			n = got > 0 ? (size_t)got / 8 : 0;
			if (n)
				continue;
		}
		break;
	}
	v_end(d, a);
	/* more than the limit, or memory (or a capture) that ended before
	 * the NULL */
	if ((k == limit && k - base < n && ptrs[k - base]) || (k - base == n && k < limit))
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

/* envp: the address and a count, unless -v. */
static void envp_count(struct dctx *d, const char *name, uint64_t addr)
{
	if (d->verbose || !addr) {
		if (addr)
			argv_array(d, name, addr);
		else
			v_ptr(d, name, 0);
		return;
	}
	uint64_t ptrs[512];
	long total = 0;
	if (d->mem) {
		/* captured memory: the count comes with it, or nothing does */
		v_ptr(d, name, addr);
		if (d->envc1) {
			total = d->envc1 - 1;
			v_comment(d, NULL, "%ld var%s", total, total == 1 ? "" : "s");
		}
		return;
	}
	for (int round = 0; round < 16; round++) {
		ssize_t got = d_read(d, addr + (uint64_t)round * sizeof(ptrs), ptrs, sizeof(ptrs));
		if (got <= 0)
			break;
		size_t i;
		for (i = 0; i < (size_t)got / 8 && ptrs[i]; i++)
			total++;
		if (i < (size_t)got / 8)
			break;
	}
	v_ptr(d, name, addr);
	v_comment(d, NULL, "%ld var%s", total, total == 1 ? "" : "s");
}

static int dec_execve(struct dctx *d)
{
	v_path(d, "filename", d->args[0]);
	argv_array(d, "argv", d->args[1]);
	envp_count(d, "envp", d->args[2]);
	return DEC_DONE;
}

static int dec_execveat(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	argv_array(d, "argv", d->args[2]);
	envp_count(d, "envp", d->args[3]);
	v_hex(d, "flags", d->args[4]);
	return DEC_DONE;
}

static int dec_exit(struct dctx *d)
{
	v_int(d, "error_code", (int)d->args[0]);
	d->rfmt = R_NONE;
	return DEC_DONE;
}


/* ---- shared helpers (mem.c, signal.c) ---- */

void dec_flags_q(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x,
		 const char *zero, const char *unknown);
void dec_enum_q(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x,
		const char *unknown);
void dec_signo(struct dctx *d, const char *name, int64_t sig);
void dec_sigset(struct dctx *d, const char *name, uint64_t addr, uint64_t size);
void dec_siginfo(struct dctx *d, const char *name, uint64_t addr);
extern const struct scry_xlat dec_xlat_signals[];

/* An int the kernel wrote at addr: [42]. */
static void int_at(struct dctx *d, const char *name, uint64_t addr)
{
	int32_t v;
	if (!addr)
		v_ptr(d, name, 0);
	else if (d->failed || d_read_exact(d, addr, &v, sizeof(v)) < 0)
		v_unread(d, name, addr);
	else {
		size_t a = v_array_begin(d, name);
		v_int(d, NULL, v);
		v_end(d, a);
	}
}

/* A pointer-sized value the kernel wrote at addr: [0x7f...]. */
static void ptr_at(struct dctx *d, const char *name, uint64_t addr)
{
	uint64_t v;
	if (!addr)
		v_ptr(d, name, 0);
	else if (d->failed || d_read_exact(d, addr, &v, sizeof(v)) < 0)
		v_unread(d, name, addr);
	else {
		size_t a = v_array_begin(d, name);
		v_hex(d, NULL, v);
		v_end(d, a);
	}
}

/* ---- clone, clone3 ---- */

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#define K_CSIGNAL 0xff

static const struct scry_xlat xlat_clone_flags[] = {
	XLAT(CLONE_NEWTIME),
	XLAT(CLONE_VM), XLAT(CLONE_FS), XLAT(CLONE_FILES),
	XLAT(CLONE_SIGHAND), XLAT(CLONE_PIDFD),
	XLAT(CLONE_PTRACE), XLAT(CLONE_VFORK),
	XLAT(CLONE_PARENT), XLAT(CLONE_THREAD),
	XLAT(CLONE_NEWNS), XLAT(CLONE_SYSVSEM),
	XLAT(CLONE_SETTLS), XLAT(CLONE_PARENT_SETTID),
	XLAT(CLONE_CHILD_CLEARTID), XLAT(CLONE_DETACHED),
	XLAT(CLONE_UNTRACED), XLAT(CLONE_CHILD_SETTID),
	XLAT(CLONE_NEWCGROUP), XLAT(CLONE_NEWUTS),
	XLAT(CLONE_NEWIPC), XLAT(CLONE_NEWUSER),
	XLAT(CLONE_NEWPID), XLAT(CLONE_NEWNET),
	XLAT(CLONE_IO), XLAT(CLONE_CLEAR_SIGHAND),
	XLAT(CLONE_INTO_CGROUP),
	{ 0, NULL },
};

/*
 * strace shows clone's arguments as "name=value" even at the top level:
 * the values are typed, marked SCRY_VF_NAMED for the text renderer.
 */
static void named(struct dctx *d, size_t i)
{
	d->out->v[i].flags |= SCRY_VF_NAMED;
}

static void named_ptr(struct dctx *d, const char *name, uint64_t v)
{
	named(d, v_ptr(d, name, v));
}

/* clone's flags: the bits, then the exit signal of the low byte
 * ("CLONE_VM|SIGCHLD"). */
static void clone_flags(struct dctx *d, uint64_t flags)
{
	size_t i = v_flags(d, "flags", flags, xlat_clone_flags + 1, NULL);
	d->out->v[i].fmt = K_CSIGNAL;
	d->out->v[i].flags |= SCRY_VF_SIGNAL;
	named(d, i);
}

/*
 * clone(flags, stack, parent_tid, child_tid, tls) on x86_64;
 * clone(flags, stack, parent_tid, tls, child_tid) on aarch64 (the table's
 * argument names tell which).  strace shows the stack and flags at entry,
 * the pointers the kernel writes at exit.
 */
static int dec_clone(struct dctx *d)
{
	uint64_t flags = d->args[0];
	int tls_third = d->info && d->info->argnames[3] && !strcmp(d->info->argnames[3], "tls");
	uint64_t ctid = tls_third ? d->args[4] : d->args[3];
	uint64_t tls = tls_third ? d->args[3] : d->args[4];
	if (!d->exiting) {
		named_ptr(d, "child_stack", d->args[1]);
		clone_flags(d, flags);
		if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD | CLONE_CHILD_SETTID |
			     CLONE_CHILD_CLEARTID | CLONE_SETTLS))
			return DEC_MORE;
		return DEC_DONE;
	}
	if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		/* strace reads it even when the call failed */
		int32_t v;
		uint64_t a = d->args[2];
		if (!a) {
			named_ptr(d, "parent_tid", 0);
		} else if (d_read_exact(d, a, &v, sizeof(v)) < 0) {
			named(d, v_unread(d, "parent_tid", a));
		} else {
			size_t arr = v_array_begin(d, "parent_tid");
			named(d, arr);
			v_int(d, NULL, v);
			v_end(d, arr);
		}
	}
	if (flags & CLONE_SETTLS)
		named_ptr(d, "tls", tls);
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
		named_ptr(d, "child_tidptr", ctid);
	return DEC_DONE;
}

struct k_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64

static int dec_clone3(struct dctx *d)
{
	struct k_clone_args ca;
	uint64_t addr = d->args[0], size = d->args[1];
	memset(&ca, 0, sizeof(ca));
	size_t want = size < sizeof(ca) ? (size_t)size : sizeof(ca);
	int ok = addr && size >= CLONE_ARGS_SIZE_VER0 && d_read_exact(d, addr, &ca, want) == 0;
	if (!d->exiting) {
		if (!ok) {
			if (addr && size >= CLONE_ARGS_SIZE_VER0)
				v_unread(d, "cl_args", addr);
			else
				v_ptr(d, "cl_args", addr);
			v_uint(d, "size", size);
			return DEC_DONE;
		}
		size_t s = v_struct_begin(d, "cl_args");
		v_flags(d, "flags", ca.flags, xlat_clone_flags, NULL);
		if (ca.flags & CLONE_PIDFD)
			v_ptr(d, "pidfd", ca.pidfd);
		if (ca.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID))
			v_ptr(d, "child_tid", ca.child_tid);
		if (ca.flags & CLONE_PARENT_SETTID)
			v_ptr(d, "parent_tid", ca.parent_tid);
		v_enum(d, "exit_signal", (int64_t)ca.exit_signal, dec_xlat_signals);
		v_ptr(d, "stack", ca.stack);
		v_hex(d, "stack_size", ca.stack_size);
		if (ca.flags & CLONE_SETTLS)
			v_ptr(d, "tls", ca.tls);
		if (ca.set_tid_size) {
			v_ptr(d, "set_tid", ca.set_tid);
			v_uint(d, "set_tid_size", ca.set_tid_size);
		}
		if (ca.flags & CLONE_INTO_CGROUP)
			v_uint(d, "cgroup", ca.cgroup);
		v_end(d, s);
		d->state = ca.flags;
		if (ca.flags & (CLONE_PIDFD | CLONE_PARENT_SETTID)) {
			d->out->v[s].flags |= SCRY_VF_UPDATED;
			return DEC_MORE;
		}
		v_uint(d, "size", size);
		return DEC_DONE;
	}
	/* The fields the kernel wrote: " => {pidfd=[3], parent_tid=[123]}";
	 * JSON "cl_args_out": {"out": {"pidfd": [3], "parent_tid": [123]}}. */
	if (!d->failed) {
		int32_t pidfd, ptid;
		int has_pidfd = (d->state & CLONE_PIDFD) && d_read_exact(d, ca.pidfd, &pidfd, sizeof(pidfd)) == 0;
		int has_ptid = (d->state & CLONE_PARENT_SETTID) &&
			       d_read_exact(d, ca.parent_tid, &ptid, sizeof(ptid)) == 0;
		if (has_pidfd || has_ptid) {
			size_t io = v_inout_begin(d, "cl_args_out");
			v_last(d)->flags |= SCRY_VF_COMMENT;
			size_t s = v_struct_begin(d, NULL);
			if (has_pidfd) {
				size_t a = v_array_begin(d, "pidfd");
				v_int(d, NULL, pidfd);
				v_end(d, a);
			}
			if (has_ptid) {
				size_t a = v_array_begin(d, "parent_tid");
				v_int(d, NULL, ptid);
				v_end(d, a);
			}
			v_end(d, s);
			v_end(d, io);
		}
	}
	v_uint(d, "size", size);
	return DEC_DONE;
}

/* ---- wait4, waitid ---- */

#ifndef __WNOTHREAD
#define __WNOTHREAD 0x20000000
#endif
#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif

static const struct scry_xlat xlat_wait_options[] = {
	XLAT(WNOHANG), XLAT(WSTOPPED), XLAT(WEXITED),
	XLAT(WCONTINUED), XLAT(WNOWAIT),
	XLAT(__WNOTHREAD), XLAT(__WALL), XLAT(__WCLONE),
	{ 0, NULL },
};

/* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]: a SCRY_V_WSTATUS */
static void wait_status(struct dctx *d, const char *name, uint64_t addr)
{
	int st;
	if (d_read_exact(d, addr, &st, sizeof(st)) < 0) {
		v_unread(d, name, addr);
		return;
	}
	v_wstatus(d, name, st);
}

static void timeval_field(struct dctx *d, const char *name, int64_t sec, int64_t usec)
{
	size_t s = v_struct_begin(d, name);
	v_int(d, "tv_sec", sec);
	v_int(d, "tv_usec", usec);
	v_end(d, s);
}

/* struct rusage: the two times, the rest with -v. */
static void rusage_struct(struct dctx *d, const char *name, uint64_t addr)
{
	struct rusage ru;
	if (!addr || d->failed) {
		v_ptr(d, name, addr);
		return;
	}
	if (d_read_exact(d, addr, &ru, sizeof(ru)) < 0) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	timeval_field(d, "ru_utime", ru.ru_utime.tv_sec, ru.ru_utime.tv_usec);
	timeval_field(d, "ru_stime", ru.ru_stime.tv_sec, ru.ru_stime.tv_usec);
	if (d->verbose) {
		v_int(d, "ru_maxrss", ru.ru_maxrss);
		v_int(d, "ru_ixrss", ru.ru_ixrss);
		v_int(d, "ru_idrss", ru.ru_idrss);
		v_int(d, "ru_isrss", ru.ru_isrss);
		v_int(d, "ru_minflt", ru.ru_minflt);
		v_int(d, "ru_majflt", ru.ru_majflt);
		v_int(d, "ru_nswap", ru.ru_nswap);
		v_int(d, "ru_inblock", ru.ru_inblock);
		v_int(d, "ru_oublock", ru.ru_oublock);
		v_int(d, "ru_msgsnd", ru.ru_msgsnd);
		v_int(d, "ru_msgrcv", ru.ru_msgrcv);
		v_int(d, "ru_nsignals", ru.ru_nsignals);
		v_int(d, "ru_nvcsw", ru.ru_nvcsw);
		v_int(d, "ru_nivcsw", ru.ru_nivcsw);
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
}

static int dec_wait4(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "pid", (int)d->args[0]);
		return DEC_MORE;
	}
	/* Nothing was written when it failed or (WNOHANG) found no child. */
	if (!d->args[1] || d->failed || d->ret == 0)
		v_ptr(d, "wstatus", d->args[1]);
	else
		wait_status(d, "wstatus", d->args[1]);
	dec_flags_q(d, "options", (uint32_t)d->args[2], xlat_wait_options, NULL, "W???");
	rusage_struct(d, "rusage", d->args[3]);
	return DEC_DONE;
}

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
static const struct scry_xlat xlat_idtype[] = {
	XLAT(P_ALL), XLAT(P_PID), XLAT(P_PGID), XLAT(P_PIDFD),
	{ 0, NULL },
};

static int dec_waitid(struct dctx *d)
{
	if (!d->exiting) {
		dec_enum_q(d, "idtype", (uint32_t)d->args[0], xlat_idtype, "P_???");
		v_int(d, "id", (int)d->args[1]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "infop", d->args[2]);
	else
		dec_siginfo(d, "infop", d->args[2]);
	dec_flags_q(d, "options", (uint32_t)d->args[3], xlat_wait_options, NULL, "W???");
	rusage_struct(d, "rusage", d->args[4]);
	return DEC_DONE;
}

/* ---- kill ---- */

static int dec_kill(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	dec_signo(d, "sig", (int)d->args[1]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_pidfd_open[] = { { 04000, "PIDFD_NONBLOCK" }, XLAT_END };

static int dec_pidfd_open(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	v_flags(d, "flags", (uint32_t)d->args[1], xlat_pidfd_open, NULL);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_tgkill(struct dctx *d)
{
	v_int(d, "tgid", (int)d->args[0]);
	v_int(d, "tid", (int)d->args[1]);
	dec_signo(d, "sig", (int)d->args[2]);
	return DEC_DONE;
}

/* ---- prctl ---- */

/* The kernel's option numbers (linux/prctl.h). */
static const struct scry_xlat xlat_prctl[] = {
	{ 1, "PR_SET_PDEATHSIG" }, { 2, "PR_GET_PDEATHSIG" }, { 3, "PR_GET_DUMPABLE" },
	{ 4, "PR_SET_DUMPABLE" }, { 5, "PR_GET_UNALIGN" }, { 6, "PR_SET_UNALIGN" },
	{ 7, "PR_GET_KEEPCAPS" }, { 8, "PR_SET_KEEPCAPS" }, { 9, "PR_GET_FPEMU" },
	{ 10, "PR_SET_FPEMU" }, { 11, "PR_GET_FPEXC" }, { 12, "PR_SET_FPEXC" },
	{ 13, "PR_GET_TIMING" }, { 14, "PR_SET_TIMING" }, { 15, "PR_SET_NAME" },
	{ 16, "PR_GET_NAME" }, { 19, "PR_GET_ENDIAN" }, { 20, "PR_SET_ENDIAN" },
	{ 21, "PR_GET_SECCOMP" }, { 22, "PR_SET_SECCOMP" }, { 23, "PR_CAPBSET_READ" },
	{ 24, "PR_CAPBSET_DROP" }, { 25, "PR_GET_TSC" }, { 26, "PR_SET_TSC" },
	{ 27, "PR_GET_SECUREBITS" }, { 28, "PR_SET_SECUREBITS" },
	{ 29, "PR_SET_TIMERSLACK" }, { 30, "PR_GET_TIMERSLACK" },
	{ 31, "PR_TASK_PERF_EVENTS_DISABLE" }, { 32, "PR_TASK_PERF_EVENTS_ENABLE" },
	{ 33, "PR_MCE_KILL" }, { 34, "PR_MCE_KILL_GET" }, { 35, "PR_SET_MM" },
	{ 36, "PR_SET_CHILD_SUBREAPER" }, { 37, "PR_GET_CHILD_SUBREAPER" },
	{ 38, "PR_SET_NO_NEW_PRIVS" }, { 39, "PR_GET_NO_NEW_PRIVS" },
	{ 40, "PR_GET_TID_ADDRESS" }, { 41, "PR_SET_THP_DISABLE" },
	{ 42, "PR_GET_THP_DISABLE" }, { 43, "PR_MPX_ENABLE_MANAGEMENT" },
	{ 44, "PR_MPX_DISABLE_MANAGEMENT" }, { 45, "PR_SET_FP_MODE" },
	{ 46, "PR_GET_FP_MODE" }, { 47, "PR_CAP_AMBIENT" }, { 50, "PR_SVE_SET_VL" },
	{ 51, "PR_SVE_GET_VL" }, { 52, "PR_GET_SPECULATION_CTRL" },
	{ 53, "PR_SET_SPECULATION_CTRL" }, { 54, "PR_PAC_RESET_KEYS" },
	{ 55, "PR_SET_TAGGED_ADDR_CTRL" }, { 56, "PR_GET_TAGGED_ADDR_CTRL" },
	{ 57, "PR_SET_IO_FLUSHER" }, { 58, "PR_GET_IO_FLUSHER" },
	{ 59, "PR_SET_SYSCALL_USER_DISPATCH" }, { 60, "PR_PAC_SET_ENABLED_KEYS" },
	{ 61, "PR_PAC_GET_ENABLED_KEYS" }, { 62, "PR_SCHED_CORE" },
	{ 63, "PR_SME_SET_VL" }, { 64, "PR_SME_GET_VL" },
	{ 0x53564d41, "PR_SET_VMA" }, { 0x59616d61, "PR_SET_PTRACER" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_dumpable[] = {
	{ 0, "SUID_DUMP_DISABLE" }, { 1, "SUID_DUMP_USER" }, { 2, "SUID_DUMP_ROOT" }, { 0, NULL },
};

static const struct scry_xlat xlat_seccomp_mode[] = {
	{ 0, "SECCOMP_MODE_DISABLED" }, { 1, "SECCOMP_MODE_STRICT" },
	{ 2, "SECCOMP_MODE_FILTER" }, { 0, NULL },
};

static const struct scry_xlat xlat_cap_ambient[] = {
	{ 1, "PR_CAP_AMBIENT_IS_SET" }, { 2, "PR_CAP_AMBIENT_RAISE" },
	{ 3, "PR_CAP_AMBIENT_LOWER" }, { 4, "PR_CAP_AMBIENT_CLEAR_ALL" }, { 0, NULL },
};

static const struct scry_xlat xlat_set_vma[] = {
	{ 0, "PR_SET_VMA_ANON_NAME" }, { 0, NULL },
};

/* Capability numbers (linux/capability.h). */
static const struct scry_xlat xlat_caps[] = {
	{ 0, "CAP_CHOWN" }, { 1, "CAP_DAC_OVERRIDE" }, { 2, "CAP_DAC_READ_SEARCH" },
	{ 3, "CAP_FOWNER" }, { 4, "CAP_FSETID" }, { 5, "CAP_KILL" }, { 6, "CAP_SETGID" },
	{ 7, "CAP_SETUID" }, { 8, "CAP_SETPCAP" }, { 9, "CAP_LINUX_IMMUTABLE" },
	{ 10, "CAP_NET_BIND_SERVICE" }, { 11, "CAP_NET_BROADCAST" }, { 12, "CAP_NET_ADMIN" },
	{ 13, "CAP_NET_RAW" }, { 14, "CAP_IPC_LOCK" }, { 15, "CAP_IPC_OWNER" },
	{ 16, "CAP_SYS_MODULE" }, { 17, "CAP_SYS_RAWIO" }, { 18, "CAP_SYS_CHROOT" },
	{ 19, "CAP_SYS_PTRACE" }, { 20, "CAP_SYS_PACCT" }, { 21, "CAP_SYS_ADMIN" },
	{ 22, "CAP_SYS_BOOT" }, { 23, "CAP_SYS_NICE" }, { 24, "CAP_SYS_RESOURCE" },
	{ 25, "CAP_SYS_TIME" }, { 26, "CAP_SYS_TTY_CONFIG" }, { 27, "CAP_MKNOD" },
	{ 28, "CAP_LEASE" }, { 29, "CAP_AUDIT_WRITE" }, { 30, "CAP_AUDIT_CONTROL" },
	{ 31, "CAP_SETFCAP" }, { 32, "CAP_MAC_OVERRIDE" }, { 33, "CAP_MAC_ADMIN" },
	{ 34, "CAP_SYSLOG" }, { 35, "CAP_WAKE_ALARM" }, { 36, "CAP_BLOCK_SUSPEND" },
	{ 37, "CAP_AUDIT_READ" }, { 38, "CAP_PERFMON" }, { 39, "CAP_BPF" },
	{ 40, "CAP_CHECKPOINT_RESTORE" }, { 0, NULL },
};

/* The remaining n arguments from i, as unsigned decimals or hex. */
static void rest_args(struct dctx *d, int from, int n, int hex)
{
	static const char *const names[] = { "arg2", "arg3", "arg4", "arg5" };
	for (int i = from; i < from + n && i < 5; i++) {
		if (hex)
			v_hex(d, names[i - 1], d->args[i]);
		else
			v_uint(d, names[i - 1], d->args[i]);
	}
}

static int dec_prctl(struct dctx *d)
{
	unsigned op = (unsigned)d->args[0];
	if (d->exiting) {
		/* The options whose argument the kernel fills in. */
		if (op == PR_GET_NAME) {
			if (d->failed)
				v_ptr(d, "name", d->args[1]);
			else
				v_cstr(d, "name", d->args[1]);
		} else if (op == PR_GET_PDEATHSIG) {
			int32_t sig;
			if (!d->args[1] || d->failed || d_read_exact(d, d->args[1], &sig, sizeof(sig)) < 0) {
				v_ptr(d, "sig", d->args[1]);
			} else {
				size_t a = v_array_begin(d, "sig");
				dec_signo(d, NULL, sig);
				v_end(d, a);
			}
		} else {
			int_at(d, "arg2", d->args[1]);
		}
		return DEC_DONE;
	}
	dec_enum_q(d, "option", op, xlat_prctl, "PR_???");
	switch (op) {
	case PR_GET_DUMPABLE:
		d->rfmt = R_ENUM;
		d->rxlat = xlat_dumpable;
		return DEC_DONE;
	case PR_GET_KEEPCAPS: case PR_GET_SECCOMP: case PR_GET_TIMERSLACK:
	case PR_GET_TIMING: case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE: case PR_GET_SECUREBITS:
		return DEC_DONE;
	case PR_SET_NAME:
		v_cstr(d, "name", d->args[1]);
		return DEC_DONE;
	case PR_GET_NAME: case PR_GET_PDEATHSIG: case PR_GET_CHILD_SUBREAPER:
		return DEC_MORE;
	case PR_SET_PDEATHSIG:
		dec_signo(d, "sig", (int)d->args[1]);
		return DEC_DONE;
	case PR_SET_DUMPABLE:
		dec_enum_q(d, "arg2", d->args[1], xlat_dumpable, "SUID_DUMP_???");
		return DEC_DONE;
	case PR_CAPBSET_READ: case PR_CAPBSET_DROP:
		dec_enum_q(d, "cap", d->args[1], xlat_caps, "CAP_???");
		return DEC_DONE;
	case PR_SET_KEEPCAPS: case PR_SET_TIMERSLACK: case PR_SET_CHILD_SUBREAPER:
	case PR_SET_TIMING: case PR_SET_SECUREBITS:
		v_uint(d, "arg2", d->args[1]);
		return DEC_DONE;
	case PR_SET_NO_NEW_PRIVS: case PR_GET_NO_NEW_PRIVS:
	case PR_SET_THP_DISABLE: case PR_GET_THP_DISABLE:
		rest_args(d, 1, 4, 0);
		return DEC_DONE;
	case PR_SET_PTRACER: {
		static const struct scry_xlat xlat_ptracer_any[] = {
			{ 0xffffffffu, "PR_SET_PTRACER_ANY" },
			{ 0, NULL },
		};
		if ((uint32_t)d->args[1] == 0xffffffffu)
			v_enum(d, "pid", 0xffffffffu, xlat_ptracer_any);
		else
			v_int(d, "pid", (int64_t)d->args[1]);
		return DEC_DONE;
	}
	case PR_SET_SECCOMP:
		dec_enum_q(d, "mode", d->args[1], xlat_seccomp_mode, "SECCOMP_MODE_???");
		if (d->args[1] == 2)
			v_ptr(d, "filter", d->args[2]);
		else if (d->args[1] != 1)
			rest_args(d, 2, 3, 1);
		return DEC_DONE;
	case PR_CAP_AMBIENT:
		dec_enum_q(d, "op", d->args[1], xlat_cap_ambient, "PR_CAP_AMBIENT_???");
		if (d->args[1] == 1 || d->args[1] == 2 || d->args[1] == 3)
			dec_enum_q(d, "cap", d->args[2], xlat_caps, "CAP_???");
		else
			v_uint(d, "arg3", d->args[2]);
		rest_args(d, 3, 2, 0);
		return DEC_DONE;
	case 0x53564d41: /* PR_SET_VMA */
		dec_enum_q(d, "attr", d->args[1], xlat_set_vma, "PR_SET_VMA_???");
		v_hex(d, "addr", d->args[2]);
		v_uint(d, "size", d->args[3]);
		v_cstr(d, "name", d->args[4]);
		return DEC_DONE;
	}
	rest_args(d, 1, 4, 1);
	return DEC_DONE;
}

/* ---- credentials ---- */

/* A uid or gid: unsigned, but -1 (no change) as -1. */
static void id_val(struct dctx *d, const char *name, uint64_t v)
{
	if ((uint32_t)v == 0xffffffffu)
		v_int(d, name, -1);
	else
		v_uint(d, name, (uint32_t)v);
}

static int dec_set_ids(struct dctx *d)
{
	static const char *const names[] = { "ruid", "euid", "suid" };
	int n = d->info ? d->info->nargs : 1;
	for (int i = 0; i < n && i < 3; i++)
		id_val(d, d->info && d->info->argnames[i] ? d->info->argnames[i] : names[i], d->args[i]);
	return DEC_DONE;
}

/* getresuid(&r, &e, &s): [0], [0], [0] at exit. */
static int dec_getresid(struct dctx *d)
{
	static const char *const names[] = { "rid", "eid", "sid" };
	if (!d->exiting)
		return DEC_MORE;
	for (int i = 0; i < 3; i++) {
		uint32_t v;
		if (!d->args[i] || d->failed)
			v_ptr(d, names[i], d->args[i]);
		else if (d_read_exact(d, d->args[i], &v, sizeof(v)) < 0)
			v_unread(d, names[i], d->args[i]);
		else {
			size_t a = v_array_begin(d, names[i]);
			id_val(d, NULL, v);
			v_end(d, a);
		}
	}
	return DEC_DONE;
}

static void gid_list(struct dctx *d, const char *name, uint64_t addr, uint64_t n)
{
	uint32_t buf[64];
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	uint64_t show = n;
	if (show > (uint64_t)d->limit)
		show = (uint64_t)d->limit;
	if (show > 64)
		show = 64;
	if (show && d_read_exact(d, addr, buf, (size_t)show * 4) < 0) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	for (uint64_t i = 0; i < show; i++)
		id_val(d, NULL, buf[i]);
	v_end(d, a);
	if (show < n)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

static int dec_getgroups(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "size", (int)d->args[0]);
		return DEC_MORE;
	}
	/* with size 0 the kernel only counts: strace shows the empty list */
	if (d->failed || !d->args[1]) {
		v_ptr(d, "list", d->args[1]);
	} else if (!(uint32_t)d->args[0]) {
		v_end(d, v_array_begin(d, "list"));
	} else
		gid_list(d, "list", d->args[1],
			 (uint64_t)d->ret < (uint32_t)d->args[0] ? (uint64_t)d->ret : (uint32_t)d->args[0]);
	return DEC_DONE;
}

static int dec_setgroups(struct dctx *d)
{
	v_int(d, "size", (int)d->args[0]);
	gid_list(d, "list", d->args[1], (uint32_t)d->args[0]);
	return DEC_DONE;
}

/* ---- resource limits ---- */

static const struct scry_xlat xlat_rlimit[] = {
	XLAT(RLIMIT_CPU), XLAT(RLIMIT_FSIZE),
	XLAT(RLIMIT_DATA), XLAT(RLIMIT_STACK),
	XLAT(RLIMIT_CORE), XLAT(RLIMIT_RSS),
	XLAT(RLIMIT_NPROC), XLAT(RLIMIT_NOFILE),
	XLAT(RLIMIT_MEMLOCK), XLAT(RLIMIT_AS),
	XLAT(RLIMIT_LOCKS), XLAT(RLIMIT_SIGPENDING),
	XLAT(RLIMIT_MSGQUEUE), XLAT(RLIMIT_NICE),
	XLAT(RLIMIT_RTPRIO), XLAT(RLIMIT_RTTIME),
	{ 0, NULL },
};

static const struct scry_xlat xlat_rlim_infinity[] = {
	{ ~0ULL, "RLIM64_INFINITY" },
	{ 0, NULL },
};

/* strace's form of a limit: RLIM64_INFINITY, N*1024 (above 1024), or N. */
static void rlim_val(struct dctx *d, const char *name, uint64_t v)
{
	if (v == ~0ULL) {
		v_enum(d, name, (int64_t)v, xlat_rlim_infinity);
	} else {
		v_uint(d, name, v);
		if (v > 1024 && v % 1024 == 0)
			v_last(d)->fmt = SCRY_FMT_KIB;
	}
}

static void rlimit_struct(struct dctx *d, const char *name, uint64_t addr)
{
	uint64_t rl[2];
	if (v_fetch(d, name, addr, rl, sizeof(rl)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	rlim_val(d, "rlim_cur", rl[0]);
	rlim_val(d, "rlim_max", rl[1]);
	v_end(d, s);
}

static int dec_getrlimit(struct dctx *d)
{
	if (!d->exiting) {
		dec_enum_q(d, "resource", (uint32_t)d->args[0], xlat_rlimit, "RLIMIT_???");
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "rlim", d->args[1]);
	else
		rlimit_struct(d, "rlim", d->args[1]);
	return DEC_DONE;
}

static int dec_setrlimit(struct dctx *d)
{
	dec_enum_q(d, "resource", (uint32_t)d->args[0], xlat_rlimit, "RLIMIT_???");
	rlimit_struct(d, "rlim", d->args[1]);
	return DEC_DONE;
}

static int dec_prlimit64(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "pid", (int)d->args[0]);
		dec_enum_q(d, "resource", (uint32_t)d->args[1], xlat_rlimit, "RLIMIT_???");
		rlimit_struct(d, "new_limit", d->args[2]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "old_limit", d->args[3]);
	else
		rlimit_struct(d, "old_limit", d->args[3]);
	return DEC_DONE;
}

/* ---- scheduling ---- */

/* CPU numbers in a mask: [0 1] */
static void cpu_mask(struct dctx *d, const char *name, uint64_t addr, uint64_t len)
{
	unsigned char buf[512];
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
	if (d_read_exact(d, addr, buf, n) < 0) {
		v_unread(d, name, addr);
		return;
	}
	/* an array of CPU numbers, "[0 1]" */
	size_t a = v_array_begin(d, name);
	for (size_t i = 0; i < n * 8; i++)
		if (buf[i / 8] & (1u << (i % 8)))
			v_uint(d, NULL, i);
	v_end(d, a);
	d->out->v[a].fmt = SCRY_FMT_SPACED;
}

static int dec_sched_getaffinity(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "pid", (int)d->args[0]);
		v_uint(d, "len", (uint32_t)d->args[1]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "mask", d->args[2]);
	else
		cpu_mask(d, "mask", d->args[2], (uint64_t)d->ret);
	return DEC_DONE;
}

static int dec_sched_setaffinity(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	v_uint(d, "len", (uint32_t)d->args[1]);
	cpu_mask(d, "mask", d->args[2], (uint32_t)d->args[1]);
	return DEC_DONE;
}

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
static const struct scry_xlat xlat_sched_policy[] = {
	XLAT(SCHED_OTHER), XLAT(SCHED_FIFO), XLAT(SCHED_RR),
	XLAT(SCHED_BATCH), { 4, "SCHED_ISO" }, XLAT(SCHED_IDLE),
	XLAT(SCHED_DEADLINE), { 0, NULL },
};

static int dec_sched_getscheduler(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	d->rfmt = R_ENUM;
	d->rxlat = xlat_sched_policy;
	return DEC_DONE;
}

/* struct sched_param: [priority] */
static void sched_param(struct dctx *d, const char *name, uint64_t addr)
{
	int_at(d, name, addr);
}

static int dec_sched_setscheduler(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	dec_enum_q(d, "policy", (uint32_t)d->args[1], xlat_sched_policy, "SCHED_???");
	sched_param(d, "param", d->args[2]);
	return DEC_DONE;
}

static int dec_sched_getparam(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "pid", (int)d->args[0]);
		return DEC_MORE;
	}
	sched_param(d, "param", d->args[1]);
	return DEC_DONE;
}

static int dec_sched_setparam(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	sched_param(d, "param", d->args[1]);
	return DEC_DONE;
}

static int dec_sched_priority(struct dctx *d)
{
	dec_enum_q(d, "policy", (uint32_t)d->args[0], xlat_sched_policy, "SCHED_???");
	return DEC_DONE;
}

/* ---- thread setup ---- */

/* arch_prctl codes (asm/prctl.h, x86). */
static const struct scry_xlat xlat_arch_prctl[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" }, { 0x1003, "ARCH_GET_FS" },
	{ 0x1004, "ARCH_GET_GS" }, { 0x1011, "ARCH_GET_CPUID" }, { 0x1012, "ARCH_SET_CPUID" },
	{ 0x2001, "ARCH_MAP_VDSO_X32" }, { 0x2002, "ARCH_MAP_VDSO_32" },
	{ 0x2003, "ARCH_MAP_VDSO_64" }, { 0, NULL },
};

static int dec_arch_prctl(struct dctx *d)
{
	uint64_t code = (uint32_t)d->args[0];
	if (!d->exiting) {
		dec_enum_q(d, "code", (int64_t)code, xlat_arch_prctl, "ARCH_???");
		if (code == 0x1003 || code == 0x1004)
			return DEC_MORE;
		if (code == 0x1011 || code == 0x1012)
			v_uint(d, "addr", d->args[1]);
		else
			v_hex(d, "addr", d->args[1]);
		return DEC_DONE;
	}
	ptr_at(d, "addr", d->args[1]);
	return DEC_DONE;
}

/* The kernel resumes a call interrupted with ERESTART_RESTARTBLOCK as
 * restart_syscall; strace names the call, from the thread's last exit. */
static int dec_restart_syscall(struct dctx *d)
{
	v_text(d, NULL, "<... resuming interrupted %s ...>", d->resumed ? d->resumed : "system call");
	return DEC_DONE;
}

static int dec_set_tid_address(struct dctx *d)
{
	v_ptr(d, "tidptr", d->args[0]);
	return DEC_DONE;
}

static int dec_set_robust_list(struct dctx *d)
{
	v_ptr(d, "head", d->args[0]);
	v_uint(d, "len", d->args[1]);
	return DEC_DONE;
}

static int dec_get_robust_list(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "pid", (int)d->args[0]);
		return DEC_MORE;
	}
	ptr_at(d, "head_ptr", d->args[1]);
	uint64_t len;
	if (!d->args[2])
		v_ptr(d, "len_ptr", 0);
	else if (d->failed || d_read_exact(d, d->args[2], &len, sizeof(len)) < 0)
		v_unread(d, "len_ptr", d->args[2]);
	else {
		size_t a = v_array_begin(d, "len_ptr");
		v_uint(d, NULL, len);
		v_end(d, a);
	}
	return DEC_DONE;
}

/* strace 6.1 has no rseq decoder: every argument in hex. */
static int dec_rseq(struct dctx *d)
{
	v_hex(d, "rseq", d->args[0]);
	v_hex(d, "rseq_len", d->args[1]);
	v_hex(d, "flags", d->args[2]);
	v_hex(d, "sig", d->args[3]);
	return DEC_DONE;
}

const struct decoder_entry decoders_process[] = {
	/* -v shows envp's strings, which bpf does not capture (it counts them) */
	{ "execve", dec_execve, { CAP_EXEC(2, 3), CAP_FULL_UNLESS_V } },
	{ "execveat", dec_execveat, { CAP_EXEC(3, 4), CAP_FULL_UNLESS_V } },
	{ "exit", dec_exit, { CAP_FULL } },
	{ "exit_group", dec_exit, { CAP_FULL } },
	/* the generic decoder shows them; listed to say bpf shows them too */
	{ "getpid", decode_generic, { CAP_FULL } },
	{ "getppid", decode_generic, { CAP_FULL } },
	{ "gettid", decode_generic, { CAP_FULL } },
	{ "clone", dec_clone, { 0 } },
	{ "clone3", dec_clone3, { 0 } },
	/* the status is captured, a struct rusage is not: not complete */
	{ "wait4", dec_wait4, { CAP_OUT(2, sizeof(int)) } },
	{ "waitid", dec_waitid, { 0 } },
	{ "kill", dec_kill, { CAP_FULL } },
	{ "pidfd_open", dec_pidfd_open, { CAP_FULL } },
	{ "tkill", dec_kill, { CAP_FULL } },
	{ "tgkill", dec_tgkill, { CAP_FULL } },
	{ "prctl", dec_prctl, { 0 } },
	{ "setuid", dec_set_ids, { 0 } },
	{ "setgid", dec_set_ids, { 0 } },
	{ "setfsuid", dec_set_ids, { 0 } },
	{ "setfsgid", dec_set_ids, { 0 } },
	{ "setreuid", dec_set_ids, { 0 } },
	{ "setregid", dec_set_ids, { 0 } },
	{ "setresuid", dec_set_ids, { 0 } },
	{ "setresgid", dec_set_ids, { 0 } },
	{ "getresuid", dec_getresid, { 0 } },
	{ "getresgid", dec_getresid, { 0 } },
	{ "getgroups", dec_getgroups, { 0 } },
	{ "setgroups", dec_setgroups, { 0 } },
	{ "getrlimit", dec_getrlimit, { CAP_OUT(2, sizeof(struct rlimit)), CAP_FULL } },
	{ "setrlimit", dec_setrlimit, { CAP_IN(2, sizeof(struct rlimit)), CAP_FULL } },
	{ "prlimit64", dec_prlimit64, { CAP_IN(3, sizeof(struct rlimit)), CAP_OUT(4, sizeof(struct rlimit)), CAP_FULL } },
	{ "sched_getaffinity", dec_sched_getaffinity, { 0 } },
	{ "sched_setaffinity", dec_sched_setaffinity, { 0 } },
	{ "sched_getscheduler", dec_sched_getscheduler, { 0 } },
	{ "sched_setscheduler", dec_sched_setscheduler, { 0 } },
	{ "sched_getparam", dec_sched_getparam, { 0 } },
	{ "sched_setparam", dec_sched_setparam, { 0 } },
	{ "sched_get_priority_max", dec_sched_priority, { 0 } },
	{ "sched_get_priority_min", dec_sched_priority, { 0 } },
	{ "arch_prctl", dec_arch_prctl, { 0 } },
	{ "set_tid_address", dec_set_tid_address, { 0 } },
	{ "restart_syscall", dec_restart_syscall, { 0 } },
	{ "set_robust_list", dec_set_robust_list, { 0 } },
	{ "get_robust_list", dec_get_robust_list, { 0 } },
	{ "rseq", dec_rseq, { 0 } },
	{ NULL, NULL, { 0 } },
};
