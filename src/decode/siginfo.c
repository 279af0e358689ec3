/* strace's text of a siginfo_t: {si_signo=SIGCHLD, si_code=CLD_EXITED, ...} */
#include "decode/decode.h"

#include <signal.h>
#include <stdint.h>

static void add_addr(struct strbuf *out, uint64_t addr)
{
	if (addr)
		strbuf_addf(out, "%#llx", (unsigned long long)addr);
	else
		strbuf_addstr(out, "NULL");
}

/* ---- siginfo ---- */

static const char *si_code_name(int signo, int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	}
	if (signo == SIGCHLD) {
		static const char *const n[] = { NULL, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
						 "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED" };
		if (code >= 1 && code <= 6)
			return n[code];
	}
	if (signo == SIGSEGV) {
		static const char *const n[] = { NULL, "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR" };
		if (code >= 1 && code <= 4)
			return n[code];
	}
	if (signo == SIGBUS) {
		static const char *const n[] = { NULL, "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR" };
		if (code >= 1 && code <= 3)
			return n[code];
	}
	if (signo == SIGFPE) {
		static const char *const n[] = { NULL, "FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF",
						 "FPE_FLTUND", "FPE_FLTRES", "FPE_FLTINV", "FPE_FLTSUB" };
		if (code >= 1 && code <= 8)
			return n[code];
	}
	if (signo == SIGTRAP) {
		static const char *const n[] = { NULL, "TRAP_BRKPT", "TRAP_TRACE" };
		if (code >= 1 && code <= 2)
			return n[code];
	}
	return NULL;
}

static void add_signame(struct strbuf *out, int sig)
{
	const char *n = scry_signal_name(sig);
	if (n)
		strbuf_addstr(out, n);
	else
		strbuf_addf(out, "%d", sig);
}

void decode_siginfo(const siginfo_t *si, struct strbuf *out)
{
	int signo = si->si_signo;
	strbuf_addstr(out, "{si_signo=");
	add_signame(out, signo);
	strbuf_addstr(out, ", si_code=");
	const char *code = si_code_name(signo, si->si_code);
	if (code)
		strbuf_addstr(out, code);
	else
		strbuf_addf(out, "%d", si->si_code);
	if (si->si_errno)
		strbuf_addf(out, ", si_errno=%d", si->si_errno);
	if (si->si_code <= 0 || si->si_code == SI_KERNEL) {
		if (si->si_code == SI_KERNEL) {
			/* the kernel itself: no sender */
		} else if (si->si_code == SI_TIMER) {
			strbuf_addf(out, ", si_timerid=%#x, si_overrun=%d", si->si_timerid, si->si_overrun);
		} else {
			strbuf_addf(out, ", si_pid=%d, si_uid=%u", (int)si->si_pid, (unsigned)si->si_uid);
			if (si->si_code == SI_QUEUE)
				strbuf_addf(out, ", si_int=%d, si_ptr=%p", si->si_int, si->si_ptr);
		}
	} else if (signo == SIGCHLD) {
		strbuf_addf(out, ", si_pid=%d, si_uid=%u, si_status=", (int)si->si_pid, (unsigned)si->si_uid);
		if (si->si_code == CLD_EXITED)
			strbuf_addf(out, "%d", si->si_status);
		else
			add_signame(out, si->si_status);
		strbuf_addf(out, ", si_utime=%ld, si_stime=%ld", (long)si->si_utime, (long)si->si_stime);
	} else if (signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE || signo == SIGTRAP) {
		strbuf_addstr(out, ", si_addr=");
		add_addr(out, (uint64_t)(uintptr_t)si->si_addr);
	} else if (signo == SIGIO || signo == SIGPOLL) {
		strbuf_addf(out, ", si_band=%ld, si_fd=%d", (long)si->si_band, si->si_fd);
	} else if (signo == SIGSYS) {
		strbuf_addf(out, ", si_call_addr=%p, si_syscall=%d, si_arch=%#x",
			    si->si_call_addr, si->si_syscall, si->si_arch);
	}
	strbuf_addch(out, '}');
}
