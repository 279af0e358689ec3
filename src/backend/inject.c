/*
 * Fault injection at ptrace stops (see inject.h), as strace does it: an
 * error or a forced result replaces the call's number by -1 (or by a call
 * without side effects) at entry, so the kernel runs nothing, and writes
 * the result into the return register at exit.
 */
#include "backend/inject.h"
#include "core/internal.h"

#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

static long xptrace(int req, pid_t pid, void *addr, void *data)
{
	return ptrace((enum __ptrace_request)req, pid, addr, data);
}

/* ---- registers, per architecture ---- */

static int set_syscall_nr(pid_t tid, long nr)
{
#if defined(__x86_64__)
	return xptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user_regs_struct, orig_rax),
		       (void *)nr) < 0 ? -errno : 0;
#elif defined(__aarch64__)
	int n = (int)nr;
	struct iovec io = { &n, sizeof(n) };
	return xptrace(PTRACE_SETREGSET, tid, (void *)NT_ARM_SYSTEM_CALL, &io) < 0 ? -errno : 0;
#else
	(void)tid; (void)nr;
	return -ENOSYS;
#endif
}

static int set_return(pid_t tid, int64_t v)
{
#if defined(__x86_64__)
	return xptrace(PTRACE_POKEUSER, tid, (void *)offsetof(struct user_regs_struct, rax),
		       (void *)(long)v) < 0 ? -errno : 0;
#elif defined(__aarch64__)
	struct user_pt_regs r;
	struct iovec io = { &r, sizeof(r) };
	if (xptrace(PTRACE_GETREGSET, tid, (void *)NT_PRSTATUS, &io) < 0)
		return -errno;
	r.regs[0] = (uint64_t)v;
	return xptrace(PTRACE_SETREGSET, tid, (void *)NT_PRSTATUS, &io) < 0 ? -errno : 0;
#else
	(void)tid; (void)v;
	return -ENOSYS;
#endif
}

/*
 * Write len bytes at addr: process_vm_writev, else word by word with
 * PTRACE_POKEDATA (which also writes read-only mappings, as strace's
 * upoke does), keeping the bytes around a partial word.
 */
static int poke(pid_t tid, uint64_t addr, const uint8_t *data, size_t len)
{
	struct iovec l = { (void *)data, len }, r = { (void *)(uintptr_t)addr, len };
	if (process_vm_writev(tid, &l, 1, &r, 1, 0) == (ssize_t)len)
		return 0;
	size_t done = 0;
	while (done < len) {
		uint64_t at = addr + done;
		uint64_t word_at = at & ~(uint64_t)(sizeof(long) - 1);
		size_t off = (size_t)(at - word_at);
		size_t n = sizeof(long) - off < len - done ? sizeof(long) - off : len - done;
		long word = 0;
		if (off || n < sizeof(long)) {
			errno = 0;
			word = xptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)word_at, NULL);
			if (errno)
				return -errno;
		}
		memcpy((char *)&word + off, data + done, n);
		if (xptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)word_at, (void *)word) < 0)
			return -errno;
		done += n;
	}
	return 0;
}

/* Poke every piece of rule in that is due now, at the addresses in args
 * (the call's); whether one was written. */
static int poke_all(struct tracee *t, const struct scry_inject *in, int at_exit, const uint64_t *args)
{
	int any = 0;
	for (int i = 0; i < in->npokes; i++) {
		const struct scry_inject_poke *p = &in->pokes[i];
		if (p->at_exit != at_exit || p->arg > 5)
			continue;
		if (poke(t->tid, args[p->arg], p->data, p->len) == 0)
			any = 1;
	}
	return any;
}

/* ---- when= ---- */

/* The slot of call nr in s->inject_rule when a rule names it, else -1. */
static long rule_slot(const struct scry_session *s, long nr)
{
	long slot = s->inject_rule ? inject_slot(s, nr) : -1;
	return slot >= 0 && s->inject_rule[slot] ? slot : -1;
}

static ssize_t tracee_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return mem_read(*(const pid_t *)ctx, addr, buf, len);
}

/*
 * An ia32 process's socketcall or ipc is the call it makes (connect,
 * semop, ...), as the engine shows it (decode/ia32.c): its number (the
 * subcall's number is socketcall's first argument, known at entry; its
 * arguments are read from the process) and arguments in sub, or -1.
 */
static long subcall(const struct scry_session *s, struct tracee *t, uint64_t sub[6])
{
	uint64_t result_at;
	if (t->pers != PERS_IA32 || s->table != &scry_table_x86_64)
		return -1;
	if (t->nr == SCRY_NR_I386 + SCRY_I386_SOCKETCALL)
		return ia32_socketcall(tracee_read, &t->tid, t->args, sub);
	if (t->nr == SCRY_NR_I386 + SCRY_I386_IPC)
		return ia32_ipc(tracee_read, &t->tid, t->args, sub, &result_at);
	return -1;
}

/*
 * The rule for this invocation of the call in slot nr (rule_slot()), or
 * NULL.  Invocations are counted per thread and per call number (strace's
 * "per syscall and per tracee"), from 1.
 */
static const struct scry_inject *rule_now(struct scry_session *s, struct tracee *t, long nr)
{
	if (nr < 0)
		return NULL;
	/* not before a launched command's exec, nor in processes traced only
	 * to keep a seccomp filter working (strace does not trace them) */
	if (t->flags & (T_HIDDEN | T_MUTED))
		return NULL;
	if (!t->inj_seen) {
		t->inj_seen = calloc(s->inject_nslots, sizeof(*t->inj_seen));
		if (!t->inj_seen)
			return NULL;
	}
	const struct scry_inject *in = &s->cfg.inject[s->inject_rule[nr] - 1];
	if (t->inj_seen[nr] < UINT32_MAX)
		t->inj_seen[nr]++;
	uint32_t n = t->inj_seen[nr];
	if (n < in->first || (in->last && n > in->last))
		return NULL;
	if (!in->step)
		return n == in->first ? in : NULL;
	return (n - in->first) % in->step == 0 ? in : NULL;
}

/* ---- the stops ---- */

/*
 * The number the call is replaced with: -1 (the kernel runs nothing), or
 * syscall='s call (an x86_64 number) by the number it has in the thread's
 * ABI: an ia32 process's getpid is i386 20, where x86_64's 39 is mkdir.
 * A call i386 lacks is replaced with -1.
 */
static long replacement_nr(struct scry_session *s, const struct tracee *t,
			   const struct scry_inject *in)
{
	if (in->syscall < 0)
		return -1;
	if (t->pers != PERS_IA32 || s->table != &scry_table_x86_64)
		return in->syscall;
	return session_i386_nr(s, in->syscall);
}

void inject_enter(struct scry_session *s, struct tracee *t, struct inject_stop *out)
{
	memset(out, 0, sizeof(*out));
	t->inj = NULL;
	t->inj_done = 0;
	if (!s->inject_rule)
		return;
	/* a socketcall or ipc: the rules of the call it makes, else its own
	 * (a rule naming socketcall) */
	uint64_t sub[6];
	const uint64_t *args = t->args;
	long slot = -1, snr = subcall(s, t, sub);
	if (snr >= 0 && (slot = rule_slot(s, snr)) >= 0)
		args = sub;
	else
		slot = rule_slot(s, t->nr);
	const struct scry_inject *in = rule_now(s, t, slot);
	if (!in)
		return;
	t->inj = in;
	if (in->signo) {
		out->sig = in->signo;
		t->inj_done |= SCRY_INJECTED_SIGNAL;
	}
	if ((in->error || in->has_retval) && set_syscall_nr(t->tid, replacement_nr(s, t, in)) == 0)
		t->inj_done |= SCRY_INJECTED_RESULT;
	if (poke_all(t, in, 0, args))
		t->inj_done |= SCRY_INJECTED_ARGS;
	if (in->delay_enter_ns) {
		out->delay_ns = in->delay_enter_ns;
		t->inj_done |= SCRY_INJECTED_DELAY;
	}
}

void inject_exit(struct scry_session *s, struct tracee *t, int64_t *rval, int *is_error,
		 struct inject_stop *out)
{
	(void)s;
	memset(out, 0, sizeof(*out));
	const struct scry_inject *in = t->inj;
	if (!in)
		return;
	if (t->inj_done & SCRY_INJECTED_RESULT) {
		int64_t v = in->error ? -(int64_t)in->error : in->retval;
		if (set_return(t->tid, v) == 0) {
			*rval = v;
			*is_error = in->error != 0;
		}
	}
	/* (the engine has replaced a socketcall's arguments by its call's) */
	if (poke_all(t, in, 1, t->args))
		t->inj_done |= SCRY_INJECTED_ARGS;
	if (in->delay_exit_ns) {
		out->delay_ns = in->delay_exit_ns;
		t->inj_done |= SCRY_INJECTED_DELAY;
	}
}
