/*
 * A siginfo_t as typed values: a STRUCT whose fields strace shows as
 * {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=..., ...}; si_signo is a
 * signal, si_code a name from the table of the signal it belongs to.
 */
#include "decode/decode.h"

#include <signal.h>
#include <stdint.h>

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
	SI_CODES_ANY, XLAT(BUS_ADRALN), XLAT(BUS_ADRERR), XLAT(BUS_OBJERR), XLAT_END,
};
static const struct scry_xlat si_codes_fpe[] = {
	SI_CODES_ANY, XLAT(FPE_INTDIV), XLAT(FPE_INTOVF), XLAT(FPE_FLTDIV), XLAT(FPE_FLTOVF),
	XLAT(FPE_FLTUND), XLAT(FPE_FLTRES), XLAT(FPE_FLTINV), XLAT(FPE_FLTSUB), XLAT_END,
};
static const struct scry_xlat si_codes_trap[] = {
	SI_CODES_ANY, XLAT(TRAP_BRKPT), XLAT(TRAP_TRACE), XLAT_END,
};

static const struct scry_xlat *si_codes(int signo)
{
	switch (signo) {
	case SIGCHLD: return si_codes_chld;
	case SIGSEGV: return si_codes_segv;
	case SIGBUS: return si_codes_bus;
	case SIGFPE: return si_codes_fpe;
	case SIGTRAP: return si_codes_trap;
	}
	return si_codes_any;
}

/* From signal.c: signal numbers as an enum. */
extern const struct scry_xlat dec_xlat_signals[];

size_t v_siginfo(struct dctx *d, const char *name, const siginfo_t *si)
{
	int signo = si->si_signo;
	size_t s = v_struct_begin(d, name);
	v_enum(d, "si_signo", signo, dec_xlat_signals);
	v_enum(d, "si_code", si->si_code, si_codes(signo));
	if (si->si_errno)
		v_int(d, "si_errno", si->si_errno);
	if (si->si_code <= 0 || si->si_code == SI_KERNEL) {
		if (si->si_code == SI_KERNEL) {
			/* the kernel itself: no sender */
		} else if (si->si_code == SI_TIMER) {
			v_hex(d, "si_timerid", (unsigned)si->si_timerid);
			v_int(d, "si_overrun", si->si_overrun);
		} else {
			v_int(d, "si_pid", (int)si->si_pid);
			v_uint(d, "si_uid", (unsigned)si->si_uid);
			if (si->si_code == SI_QUEUE) {
				v_int(d, "si_int", si->si_int);
				v_ptr(d, "si_ptr", (uint64_t)(uintptr_t)si->si_ptr);
				v_last(d)->fmt = SCRY_FMT_NIL;
			}
		}
	} else if (signo == SIGCHLD) {
		v_int(d, "si_pid", (int)si->si_pid);
		v_uint(d, "si_uid", (unsigned)si->si_uid);
		if (si->si_code == CLD_EXITED)
			v_int(d, "si_status", si->si_status);
		else
			v_enum(d, "si_status", si->si_status, dec_xlat_signals);
		v_int(d, "si_utime", (long)si->si_utime);
		v_int(d, "si_stime", (long)si->si_stime);
	} else if (signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE || signo == SIGTRAP) {
		v_ptr(d, "si_addr", (uint64_t)(uintptr_t)si->si_addr);
	} else if (signo == SIGIO || signo == SIGPOLL) {
		v_int(d, "si_band", (long)si->si_band);
		v_int(d, "si_fd", si->si_fd);
	} else if (signo == SIGSYS) {
		v_ptr(d, "si_call_addr", (uint64_t)(uintptr_t)si->si_call_addr);
		v_last(d)->fmt = SCRY_FMT_NIL;
		v_int(d, "si_syscall", si->si_syscall);
		v_hex(d, "si_arch", si->si_arch);
	}
	v_end(d, s);
	return s;
}
