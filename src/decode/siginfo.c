/*
 * A siginfo_t as typed values: a STRUCT whose fields strace shows as
 * {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...}; si_signo is a
 * signal, si_code a name from the table of the signal it belongs to.
 */
#include "decode/decode.h"

#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

/* si_code: the codes any signal can have, then those of one signal. */
#define SI_CODES_ANY XLAT(SI_USER), XLAT(SI_KERNEL), XLAT(SI_QUEUE), XLAT(SI_TIMER), \
	XLAT(SI_MESGQ), XLAT(SI_ASYNCIO), XLAT(SI_SIGIO), XLAT(SI_TKILL)

static const struct scry_xlat si_codes_any[] = { SI_CODES_ANY, XLAT_END };
static const struct scry_xlat si_codes_chld[] = {
	SI_CODES_ANY, XLAT(CLD_EXITED), XLAT(CLD_KILLED), XLAT(CLD_DUMPED),
	XLAT(CLD_TRAPPED), XLAT(CLD_STOPPED), XLAT(CLD_CONTINUED), XLAT_END,
};
static const struct scry_xlat si_codes_segv[] = {
	SI_CODES_ANY, { 1, "SEGV_MAPERR" }, { 2, "SEGV_ACCERR" }, { 3, "SEGV_BNDERR" },
	{ 4, "SEGV_PKUERR" }, XLAT_END,
};
static const struct scry_xlat si_codes_bus[] = {
	SI_CODES_ANY, XLAT(BUS_ADRALN), XLAT(BUS_ADRERR), XLAT(BUS_OBJERR),
	{ 4, "BUS_MCEERR_AR" }, { 5, "BUS_MCEERR_AO" }, XLAT_END,
};
static const struct scry_xlat si_codes_fpe[] = {
	SI_CODES_ANY, XLAT(FPE_INTDIV), XLAT(FPE_INTOVF), XLAT(FPE_FLTDIV), XLAT(FPE_FLTOVF),
	XLAT(FPE_FLTUND), XLAT(FPE_FLTRES), XLAT(FPE_FLTINV), XLAT(FPE_FLTSUB), XLAT_END,
};
static const struct scry_xlat si_codes_trap[] = {
	SI_CODES_ANY, XLAT(TRAP_BRKPT), XLAT(TRAP_TRACE), { 3, "TRAP_BRANCH" },
	{ 4, "TRAP_HWBKPT" }, { 5, "TRAP_UNK" }, { 6, "TRAP_PERF" }, XLAT_END,
};
static const struct scry_xlat si_codes_ill[] = {
	SI_CODES_ANY, XLAT(ILL_ILLOPC), XLAT(ILL_ILLOPN), XLAT(ILL_ILLADR), XLAT(ILL_ILLTRP),
	XLAT(ILL_PRVOPC), XLAT(ILL_PRVREG), XLAT(ILL_COPROC), XLAT(ILL_BADSTK), XLAT_END,
};
static const struct scry_xlat si_codes_poll[] = {
	SI_CODES_ANY, XLAT(POLL_IN), XLAT(POLL_OUT), XLAT(POLL_MSG), XLAT(POLL_ERR),
	XLAT(POLL_PRI), XLAT(POLL_HUP), XLAT_END,
};
static const struct scry_xlat si_codes_sys[] = {
	SI_CODES_ANY, { 1, "SYS_SECCOMP" }, { 2, "SYS_USER_DISPATCH" }, XLAT_END,
};
/* si_arch: the architectures scry knows calls of (strace's audit_arch) */
static const struct scry_xlat audit_arch[] = {
	{ 0xc000003e, "AUDIT_ARCH_X86_64" }, { 0x40000003, "AUDIT_ARCH_I386" },
	{ 0xc00000b7, "AUDIT_ARCH_AARCH64" }, XLAT_END,
};

static const struct scry_xlat *si_codes(int signo)
{
	switch (signo) {
	case SIGCHLD: return si_codes_chld;
	case SIGSEGV: return si_codes_segv;
	case SIGBUS: return si_codes_bus;
	case SIGFPE: return si_codes_fpe;
	case SIGTRAP: return si_codes_trap;
	case SIGILL: return si_codes_ill;
	case SIGIO: return si_codes_poll;
	case SIGSYS: return si_codes_sys;
	}
	return si_codes_any;
}

/* From signal.c: signal numbers as an enum. */
extern const struct scry_xlat dec_xlat_signals[];

/* si_int and si_ptr, the sigval a sender gave */
static void sigval(struct dctx *d, const siginfo_t *si)
{
	v_int(d, "si_int", si->si_int);
	v_ptr(d, "si_ptr", (uint64_t)(uintptr_t)si->si_ptr);
}


/* si_syscall: the call's name in the table of si_arch, "__NR_getppid" */
static void syscall_nr(struct dctx *d, int nr, unsigned arch)
{
	const struct scry_syscall_table *t = NULL;
	if (arch == 0xc000003eu)
		t = &scry_table_x86_64;
	else if (arch == SCRY_AUDIT_ARCH_I386)
		t = &scry_table_i386;
	else if (arch == 0xc00000b7u)
		t = &scry_table_aarch64;
	if (t && nr >= 0 && (unsigned)nr < t->ncalls && t->calls[nr].name)
		v_text(d, "si_syscall", "__NR_%s", t->calls[nr].name);
	else
		v_int(d, "si_syscall", nr);
}

/* The fields strace's print_si_info shows for a signal and code. */
size_t v_siginfo(struct dctx *d, const char *name, const siginfo_t *si)
{
	int signo = si->si_signo;
	size_t s = v_struct_begin(d, name);
	v_enum(d, "si_signo", signo, dec_xlat_signals);
	v_enum(d, "si_code", si->si_code, si_codes(signo));
	if (si->si_errno)
		v_enum(d, "si_errno", si->si_errno, scry_errno_xlat);
	if (si->si_code <= 0) {
		/* from a process (kill, sigqueue, tgkill, timers, ...) */
		switch (si->si_code) {
		case SI_TIMER:
			v_hex(d, "si_timerid", (unsigned)si->si_timerid);
			v_int(d, "si_overrun", si->si_overrun);
			sigval(d, si);
			break;
		case SI_SIGIO:
			v_int(d, "si_band", (long)si->si_band);
			v_fd(d, "si_fd", si->si_fd);
			break;
		default:
			v_int(d, "si_pid", (int)si->si_pid);
			v_uint(d, "si_uid", (unsigned)si->si_uid);
			if (si->si_code != SI_USER && si->si_code != SI_TKILL && si->si_ptr)
				sigval(d, si);
			break;
		}
	} else if (signo == SIGCHLD) {
		v_int(d, "si_pid", (int)si->si_pid);
		v_uint(d, "si_uid", (unsigned)si->si_uid);
		if (si->si_code == CLD_EXITED)
			v_int(d, "si_status", si->si_status);
		else
			v_enum(d, "si_status", si->si_status, dec_xlat_signals);
		v_clock_t(d, "si_utime", (uint64_t)(long)si->si_utime, 1);
		v_clock_t(d, "si_stime", (uint64_t)(long)si->si_stime, 1);
	} else if (signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE || signo == SIGTRAP) {
		v_ptr(d, "si_addr", (uint64_t)(uintptr_t)si->si_addr);
		/* the fields strace 6.1 adds for these codes (TRAP_PERF's it
		 * does not show) */
		if (signo == SIGSEGV && si->si_code == 3 /* SEGV_BNDERR */) {
			v_ptr(d, "si_lower", (uint64_t)(uintptr_t)si->si_lower);
			v_ptr(d, "si_upper", (uint64_t)(uintptr_t)si->si_upper);
		} else if (signo == SIGSEGV && si->si_code == 4 /* SEGV_PKUERR */) {
			v_uint(d, "si_pkey", (uint32_t)si->si_pkey);
		} else if (signo == SIGBUS && (si->si_code == 4 || si->si_code == 5) /* BUS_MCEERR_A[RO] */) {
			v_hex(d, "si_addr_lsb", (uint16_t)si->si_addr_lsb);
		}
	} else if (signo == SIGIO) {
		if (si->si_code == POLL_IN || si->si_code == POLL_OUT || si->si_code == POLL_MSG) {
			v_int(d, "si_band", (long)si->si_band);
			v_fd(d, "si_fd", si->si_fd);
		}
	} else if (signo == SIGSYS) {
		v_ptr(d, "si_call_addr", (uint64_t)(uintptr_t)si->si_call_addr);
		syscall_nr(d, si->si_syscall, si->si_arch);
		v_enum(d, "si_arch", (int64_t)si->si_arch, audit_arch);
	} else {
		/* SI_KERNEL and the codes of other signals */
		if (si->si_pid || si->si_uid) {
			v_int(d, "si_pid", (int)si->si_pid);
			v_uint(d, "si_uid", (unsigned)si->si_uid);
		}
		if (si->si_ptr)
			sigval(d, si);
	}
	v_end(d, s);
	return s;
}
