/* Decoders of the signal family: rt_sigaction, rt_sigprocmask, sigaltstack, ... */
#include "decode/decode.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <ucontext.h>
#include <unistd.h>

/* From mem.c. */
void dec_flags_q(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x,
		 const char *zero, const char *unknown);
void dec_enum_q(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x,
		const char *unknown);
/* Shared with process.c (declared there). */
void dec_signo(struct dctx *d, const char *name, int64_t sig);
void dec_sigset(struct dctx *d, const char *name, uint64_t addr, uint64_t size);
void dec_siginfo(struct dctx *d, const char *name, uint64_t addr);
void dec_timespec(struct dctx *d, const char *name, uint64_t addr);
extern const struct scry_xlat dec_xlat_signals[];

/* The kernel's sigset_t: 64 signals on x86_64 and aarch64. */
#define K_NSIG_BYTES 8

/* Signal numbers as an enum (the kernel's numbering, as scry_signal_name). */
const struct scry_xlat dec_xlat_signals[] = {
	XLAT(SIGHUP), XLAT(SIGINT), XLAT(SIGQUIT), XLAT(SIGILL),
	XLAT(SIGTRAP), XLAT(SIGABRT), XLAT(SIGBUS), XLAT(SIGFPE),
	XLAT(SIGKILL), XLAT(SIGUSR1), XLAT(SIGSEGV), XLAT(SIGUSR2),
	XLAT(SIGPIPE), XLAT(SIGALRM), XLAT(SIGTERM), XLAT(SIGSTKFLT),
	XLAT(SIGCHLD), XLAT(SIGCONT), XLAT(SIGSTOP), XLAT(SIGTSTP),
	XLAT(SIGTTIN), XLAT(SIGTTOU), XLAT(SIGURG), XLAT(SIGXCPU),
	XLAT(SIGXFSZ), XLAT(SIGVTALRM), XLAT(SIGPROF), XLAT(SIGWINCH),
	XLAT(SIGIO), XLAT(SIGPWR), XLAT(SIGSYS), { 32, "SIGRTMIN" },
	{ 33, "SIGRT_1" }, { 34, "SIGRT_2" }, { 35, "SIGRT_3" }, { 36, "SIGRT_4" },
	{ 37, "SIGRT_5" }, { 38, "SIGRT_6" }, { 39, "SIGRT_7" }, { 40, "SIGRT_8" },
	{ 41, "SIGRT_9" }, { 42, "SIGRT_10" }, { 43, "SIGRT_11" }, { 44, "SIGRT_12" },
	{ 45, "SIGRT_13" }, { 46, "SIGRT_14" }, { 47, "SIGRT_15" },
	{ 48, "SIGRT_16" }, { 49, "SIGRT_17" }, { 50, "SIGRT_18" },
	{ 51, "SIGRT_19" }, { 52, "SIGRT_20" }, { 53, "SIGRT_21" },
	{ 54, "SIGRT_22" }, { 55, "SIGRT_23" }, { 56, "SIGRT_24" },
	{ 57, "SIGRT_25" }, { 58, "SIGRT_26" }, { 59, "SIGRT_27" },
	{ 60, "SIGRT_28" }, { 61, "SIGRT_29" }, { 62, "SIGRT_30" },
	{ 63, "SIGRT_31" }, { 64, "SIGRT_32" },
	{ 0, NULL },
};

/* A signal number: "SIGINT", or the number when it has no name. */
void dec_signo(struct dctx *d, const char *name, int64_t sig)
{
	v_enum(d, name, sig, dec_xlat_signals);
}

/* A sigset_t of size bytes at addr (the kernel's sigsetsize argument). */
void dec_sigset(struct dctx *d, const char *name, uint64_t addr, uint64_t size)
{
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (size == 0 || size > K_NSIG_BYTES) {
		v_ptr(d, name, addr);
		return;
	}
	uint64_t mask = 0;
	if (d_read_exact(d, addr, &mask, (size_t)size) < 0) {
		v_unread(d, name, addr);
		return;
	}
	v_sigset(d, name, mask, (unsigned)size * 8);
}

/* A siginfo_t, as the core prints one at a signal stop. */
void dec_siginfo(struct dctx *d, const char *name, uint64_t addr)
{
	siginfo_t si;
	if (v_fetch(d, name, addr, &si, sizeof(si)) < 0)
		return;
	if (si.si_signo == 0) {
		/* waitid(WNOHANG) with nothing to report: zeroed. */
		size_t s = v_struct_begin(d, name);
		v_end(d, s);
		return;
	}
	v_siginfo(d, name, &si);
}

/* struct timespec: {tv_sec=1, tv_nsec=0} */
void dec_timespec(struct dctx *d, const char *name, uint64_t addr)
{
	v_timespec(d, name, addr);
}

/* ---- rt_sigaction ---- */

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static const struct scry_xlat xlat_sa_flags[] = {
	XLAT(SA_RESTORER), XLAT(SA_ONSTACK),
	XLAT(SA_RESTART), { 0x20000000, "SA_INTERRUPT" }, XLAT(SA_NODEFER),
	XLAT(SA_RESETHAND), XLAT(SA_SIGINFO),
	XLAT(SA_NOCLDSTOP), XLAT(SA_NOCLDWAIT),
	{ 0, NULL },
};

/* The kernel's struct sigaction (the same layout on x86_64 and aarch64). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* The handlers that are constants, not addresses. */
static const struct scry_xlat xlat_sig_handler[] = {
	{ (uint64_t)(uintptr_t)SIG_DFL, "SIG_DFL" },
	{ (uint64_t)(uintptr_t)SIG_IGN, "SIG_IGN" },
	{ 0, NULL },
};

static void sigaction_struct(struct dctx *d, const char *name, uint64_t addr, uint64_t size)
{
	struct k_sigaction ka;
	if (v_fetch(d, name, addr, &ka, sizeof(ka)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	if (ka.handler == (uint64_t)(uintptr_t)SIG_DFL || ka.handler == (uint64_t)(uintptr_t)SIG_IGN)
		v_enum(d, "sa_handler", (int64_t)ka.handler, xlat_sig_handler);
	else
		v_ptr(d, "sa_handler", ka.handler);
	unsigned nsig = size && size <= K_NSIG_BYTES ? (unsigned)size * 8 : 64;
	v_sigset(d, "sa_mask", ka.mask, nsig);
	v_flags(d, "sa_flags", ka.flags, xlat_sa_flags, NULL);
	if (ka.flags & SA_RESTORER)
		v_ptr(d, "sa_restorer", ka.restorer);
	v_end(d, s);
}

static int dec_rt_sigaction(struct dctx *d)
{
	if (!d->exiting) {
		dec_signo(d, "signum", (int)d->args[0]);
		sigaction_struct(d, "act", d->args[1], d->args[3]);
		return DEC_MORE;
	}
	if (d->failed || !d->args[2])
		v_ptr(d, "oldact", d->args[2]);
	else
		sigaction_struct(d, "oldact", d->args[2], d->args[3]);
	v_uint(d, "sigsetsize", d->args[3]);
	return DEC_DONE;
}

/* ---- masks ---- */

static const struct scry_xlat xlat_sighow[] = {
	XLAT(SIG_BLOCK), XLAT(SIG_UNBLOCK),
	XLAT(SIG_SETMASK), { 0, NULL },
};

static int dec_rt_sigprocmask(struct dctx *d)
{
	if (!d->exiting) {
		dec_enum_q(d, "how", (uint32_t)d->args[0], xlat_sighow, "SIG_???");
		dec_sigset(d, "set", d->args[1], d->args[3]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "oldset", d->args[2]);
	else
		dec_sigset(d, "oldset", d->args[2], d->args[3]);
	v_uint(d, "sigsetsize", d->args[3]);
	return DEC_DONE;
}

/* rt_sigpending(set, size): the set at exit. */
static int dec_rt_sigpending(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	if (d->failed)
		v_ptr(d, "set", d->args[0]);
	else
		dec_sigset(d, "set", d->args[0], d->args[1]);
	v_uint(d, "sigsetsize", d->args[1]);
	return DEC_DONE;
}

static int dec_rt_sigsuspend(struct dctx *d)
{
	dec_sigset(d, "unewset", d->args[0], d->args[1]);
	v_uint(d, "sigsetsize", d->args[1]);
	return DEC_DONE;
}

/*
 * rt_sigreturn: the mask being restored lives in the signal frame on the
 * stack.  The stack pointer is not among the call's arguments, so read it
 * from /proc/TID/syscall (valid while the tracee is stopped at the entry).
 */
static int stack_pointer(pid_t tid, uint64_t *sp)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* "NR arg1 ... arg6 SP PC" */
	char *p = buf, *end;
	for (int field = 0; field < 7; field++) {
		strtoull(p, &end, 0);
		if (end == p)
			return -1;
		p = end;
	}
	*sp = strtoull(p, &end, 0);
	return end == p ? -1 : 0;
}

static int dec_rt_sigreturn(struct dctx *d)
{
	/* The stack pointer comes with the entry stop (PTRACE_GET_SYSCALL_INFO);
	 * /proc/TID/syscall is the fallback. */
	uint64_t sp = d->sp, mask;
	if (!sp && (d->mem || stack_pointer(d->tid, &sp) < 0))
		return DEC_DONE;
#if defined(__x86_64__)
	/* The handler's return popped pretcode: sp is the frame's ucontext. */
	uint64_t at = sp + offsetof(ucontext_t, uc_sigmask);
#elif defined(__aarch64__)
	/* struct rt_sigframe { siginfo_t info; struct ucontext uc; } at sp; the
	 * kernel's ucontext has uc_sigmask right after uc_stack (offset 40). */
	uint64_t at = sp + sizeof(siginfo_t) + 40;
#else
	uint64_t at = 0;
	return DEC_DONE;
#endif
	size_t s = v_struct_begin(d, NULL);
	if (d_read_exact(d, at, &mask, sizeof(mask)) < 0)
		v_unread(d, "mask", at);
	else
		v_sigset(d, "mask", mask, 64);
	v_end(d, s);
	return DEC_DONE;
}

/* ---- sigaltstack ---- */

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1u << 31)
#endif

static const struct scry_xlat xlat_ss_flags[] = {
	XLAT(SS_ONSTACK), XLAT(SS_DISABLE),
	XLAT(SS_AUTODISARM), { 0, NULL },
};

static void stack_t_struct(struct dctx *d, const char *name, uint64_t addr)
{
	stack_t ss;
	if (v_fetch(d, name, addr, &ss, sizeof(ss)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	v_ptr(d, "ss_sp", (uint64_t)(uintptr_t)ss.ss_sp);
	v_flags(d, "ss_flags", (uint32_t)ss.ss_flags, xlat_ss_flags, NULL);
	v_uint(d, "ss_size", ss.ss_size);
	v_end(d, s);
}

static int dec_sigaltstack(struct dctx *d)
{
	if (!d->exiting) {
		stack_t_struct(d, "ss", d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "old_ss", d->args[1]);
	else
		stack_t_struct(d, "old_ss", d->args[1]);
	return DEC_DONE;
}

/* ---- signalfd ---- */

static const struct scry_xlat xlat_sfd[] = {
	XLAT(SFD_CLOEXEC), XLAT(SFD_NONBLOCK), { 0, NULL },
};

static int dec_signalfd4(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	dec_sigset(d, "mask", d->args[1], d->args[2]);
	v_uint(d, "sizemask", d->args[2]);
	if (d->info && d->info->nargs >= 4)
		dec_flags_q(d, "flags", (uint32_t)d->args[3], xlat_sfd, NULL, "SFD_???");
	d->rfmt = R_FD;
	return DEC_DONE;
}

/* ---- waiting and queueing ---- */


/* rt_sigtimedwait(set, info, timeout, size) = SIGNO */
static int dec_rt_sigtimedwait(struct dctx *d)
{
	if (!d->exiting) {
		dec_sigset(d, "uthese", d->args[0], d->args[3]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "uinfo", d->args[1]);
	else
		dec_siginfo(d, "uinfo", d->args[1]);
	dec_timespec(d, "uts", d->args[2]);
	v_uint(d, "sigsetsize", d->args[3]);
	if (!d->failed && d->ret > 0 && d->ret <= 64) {
		d->rfmt = R_ENUM;
		d->rxlat = dec_xlat_signals;
	}
	return DEC_DONE;
}

static int dec_rt_sigqueueinfo(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	dec_signo(d, "sig", (int)d->args[1]);
	dec_siginfo(d, "uinfo", d->args[2]);
	return DEC_DONE;
}

static int dec_rt_tgsigqueueinfo(struct dctx *d)
{
	v_int(d, "tgid", (int)d->args[0]);
	v_int(d, "pid", (int)d->args[1]);
	dec_signo(d, "sig", (int)d->args[2]);
	dec_siginfo(d, "uinfo", d->args[3]);
	return DEC_DONE;
}

static int dec_pidfd_send_signal(struct dctx *d)
{
	v_fd(d, "pidfd", (int)d->args[0]);
	dec_signo(d, "sig", (int)d->args[1]);
	dec_siginfo(d, "info", d->args[2]);
	v_hex(d, "flags", (uint32_t)d->args[3]);
	return DEC_DONE;
}

/* What bpf captures: the kernel's sigset_t and struct sigaction (4 words). */
#define KSIGSET_SIZE 8
#define KSIGACTION_SIZE 32
#if defined(__x86_64__)
/* rt_sigreturn restores the mask in the signal frame at the stack pointer
 * (the handler's return popped pretcode: sp is the ucontext).  aarch64's
 * frame is not captured: bpf shows the address there, so not complete. */
#define SIGRETURN_CAP .in = CAP_AT_SP, .in_off = offsetof(ucontext_t, uc_sigmask), \
		      .in_size = KSIGSET_SIZE, CAP_FULL
#else
#define SIGRETURN_CAP 0
#endif

const struct decoder_entry decoders_signal[] = {
	{ "rt_sigaction", dec_rt_sigaction, { CAP_IN(2, KSIGACTION_SIZE), CAP_OUT(3, KSIGACTION_SIZE), CAP_FULL } },
	{ "rt_sigprocmask", dec_rt_sigprocmask, { CAP_IN(2, KSIGSET_SIZE), CAP_OUT(3, KSIGSET_SIZE), CAP_FULL } },
	{ "rt_sigpending", dec_rt_sigpending, { 0 } },
	{ "rt_sigsuspend", dec_rt_sigsuspend, { 0 } },
	{ "rt_sigreturn", dec_rt_sigreturn, { SIGRETURN_CAP } },
	{ "sigaltstack", dec_sigaltstack, { 0 } },
	{ "signalfd", dec_signalfd4, { 0 } },
	{ "signalfd4", dec_signalfd4, { 0 } },
	{ "rt_sigtimedwait", dec_rt_sigtimedwait, { 0 } },
	{ "rt_sigqueueinfo", dec_rt_sigqueueinfo, { 0 } },
	{ "rt_tgsigqueueinfo", dec_rt_tgsigqueueinfo, { 0 } },
	{ "pidfd_send_signal", dec_pidfd_send_signal, { 0 } },
	{ NULL, NULL, { 0 } },
};
