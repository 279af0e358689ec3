/*
 * Argument and result text in strace's syntax.
 *
 * This is the first, small decoder: integers, fds, paths and other strings,
 * I/O buffers, open flags, execve's argv, results with errno names and
 * siginfo.  The per-family typed decoders of issue #3 replace it piece by
 * piece; what stays is the rule that arguments the kernel fills in (read's
 * buffer) are shown at the exit stop, the rest at the entry stop.
 */
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

ssize_t mem_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	/* Split at page boundaries so that an unmapped page only cuts the
	 * read short instead of failing all of it. */
	enum { MAXIOV = 16 };
	struct iovec local = { buf, len };
	struct iovec remote[MAXIOV];
	int n = 0;
	uint64_t a = addr;
	size_t left = len;
	while (left && n < MAXIOV) {
		size_t in_page = 4096 - (a & 4095);
		size_t take = left < in_page ? left : in_page;
		remote[n].iov_base = (void *)(uintptr_t)a;
		remote[n].iov_len = take;
		n++;
		a += take;
		left -= take;
	}
	local.iov_len = len - left;
	ssize_t r = process_vm_readv(tid, &local, 1, remote, (unsigned long)n, 0);
	return r < 0 ? -errno : r;
}

static void add_addr(struct strbuf *out, uint64_t addr)
{
	if (addr)
		strbuf_addf(out, "%#llx", (unsigned long long)addr);
	else
		strbuf_addstr(out, "NULL");
}

/* strace's escaping: C escapes for the usual controls, octal otherwise. */
static void add_escaped(struct strbuf *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		switch (c) {
		case '"': strbuf_addstr(out, "\\\""); continue;
		case '\\': strbuf_addstr(out, "\\\\"); continue;
		case '\n': strbuf_addstr(out, "\\n"); continue;
		case '\t': strbuf_addstr(out, "\\t"); continue;
		case '\r': strbuf_addstr(out, "\\r"); continue;
		case '\f': strbuf_addstr(out, "\\f"); continue;
		case '\v': strbuf_addstr(out, "\\v"); continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			strbuf_addch(out, c);
		} else {
			/* Shortest octal, unless a digit follows. */
			int next_digit = i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7';
			if (next_digit)
				strbuf_addf(out, "\\%03o", c);
			else
				strbuf_addf(out, "\\%o", c);
		}
	}
}

void decode_string(struct strbuf *out, pid_t tid, uint64_t addr, long len, int nul_term, int limit)
{
	if (!addr) {
		strbuf_addstr(out, "NULL");
		return;
	}
	unsigned char buf[4096];
	size_t want;
	if (nul_term)
		want = (size_t)limit + 1;
	else
		want = len < 0 ? 0 : (size_t)len > (size_t)limit ? (size_t)limit : (size_t)len;
	if (want > sizeof(buf))
		want = sizeof(buf);
	ssize_t got = want ? mem_read(tid, addr, buf, want) : 0;
	if (got < 0 || (want && got == 0)) {
		add_addr(out, addr);
		return;
	}
	size_t n = (size_t)got;
	int truncated = 0;
	if (nul_term) {
		void *z = memchr(buf, 0, n);
		if (z) {
			n = (size_t)((unsigned char *)z - buf);
		} else if (n > (size_t)limit) {
			n = (size_t)limit;
			truncated = 1;
		} else {
			/* No NUL in what we could read: memory ended. */
			add_addr(out, addr);
			return;
		}
	} else {
		truncated = len > (long)n;
	}
	strbuf_addch(out, '"');
	add_escaped(out, buf, n);
	strbuf_addch(out, '"');
	if (truncated)
		strbuf_addstr(out, "...");
}

/* ---- flag tables ---- */

struct flag { unsigned long val; const char *name; };

static const struct flag open_flags[] = {
	{ O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" },
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" }, { O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
	{ 0100000 /* the kernel's, not glibc's 0 */, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" }, { 0, NULL },
};

static void add_open_flags(struct strbuf *out, unsigned long v)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	strbuf_addstr(out, acc[v & O_ACCMODE]);
	unsigned long rest = v & ~(unsigned long)O_ACCMODE;
	/* O_TMPFILE includes O_DIRECTORY and O_SYNC includes O_DSYNC: name
	 * the composite first so the parts are not printed twice. */
	if ((rest & O_TMPFILE) == O_TMPFILE) {
		strbuf_addstr(out, "|O_TMPFILE");
		rest &= ~(unsigned long)O_TMPFILE;
	}
	if ((rest & O_SYNC) == O_SYNC) {
		strbuf_addstr(out, "|O_SYNC");
		rest &= ~(unsigned long)O_SYNC;
	}
	for (const struct flag *f = open_flags; f->name; f++) {
		if (f->val == O_WRONLY || f->val == O_RDWR)
			continue;
		if ((rest & f->val) == f->val) {
			strbuf_addch(out, '|');
			strbuf_addstr(out, f->name);
			rest &= ~f->val;
		}
	}
	if (rest)
		strbuf_addf(out, "|%#lo", rest);
}

/* ---- per-call layout ---- */

enum special {
	SP_NONE,
	SP_OPEN,       /* open(path, flags, mode if O_CREAT|O_TMPFILE) */
	SP_OPENAT,     /* openat(dirfd, path, flags, mode if ...) */
	SP_READ,       /* read-like: arg1 filled in, length = result */
	SP_WRITE,      /* write-like: arg1 given, length = arg2 */
	SP_EXECVE,     /* execve(path, argv, envp) */
	SP_EXECVEAT,
	SP_RETADDR,    /* result is an address */
	SP_MMAP,
};

static enum special special_of(const char *name)
{
	static const struct { const char *name; enum special sp; } tab[] = {
		{ "open", SP_OPEN }, { "openat", SP_OPENAT },
		{ "read", SP_READ }, { "pread64", SP_READ }, { "recvfrom", SP_READ },
		{ "write", SP_WRITE }, { "pwrite64", SP_WRITE }, { "sendto", SP_WRITE },
		{ "execve", SP_EXECVE }, { "execveat", SP_EXECVEAT },
		{ "brk", SP_RETADDR }, { "mremap", SP_RETADDR }, { "shmat", SP_RETADDR },
		{ "mmap", SP_MMAP },
	};
	if (!name)
		return SP_NONE;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(tab[i].name, name))
			return tab[i].sp;
	return SP_NONE;
}

static void add_int_arg(struct strbuf *out, int type, uint64_t v)
{
	switch (type) {
	case SCRY_ARG_UINT:
		strbuf_addf(out, "%llu", (unsigned long long)v);
		break;
	case SCRY_ARG_HEX:
		strbuf_addf(out, "%#llx", (unsigned long long)v);
		break;
	case SCRY_ARG_PTR:
		add_addr(out, v);
		break;
	case SCRY_ARG_OCT:
		strbuf_addf(out, "%#llo", (unsigned long long)v);
		break;
	case SCRY_ARG_FD:
		if ((int)v == AT_FDCWD)
			strbuf_addstr(out, "AT_FDCWD");
		else
			strbuf_addf(out, "%d", (int)v);
		break;
	case SCRY_ARG_LONG:
		strbuf_addf(out, "%lld", (long long)v);
		break;
	default:
		/* an int: the upper half of the register is not the caller's */
		strbuf_addf(out, "%d", (int)v);
		break;
	}
}

static void add_arg(struct scry_session *s, struct tracee *t, const struct scry_syscall_info *info, int i, struct strbuf *out)
{
	uint64_t v = t->args[i];
	int type = info->argtypes[i];
	if (type == SCRY_ARG_PATH || type == SCRY_ARG_STR)
		decode_string(out, t->tid, v, -1, 1, type == SCRY_ARG_PATH ? 4096 : s->cfg.string_limit);
	else
		add_int_arg(out, type, v);
}

static void add_argv(struct strbuf *out, pid_t tid, uint64_t addr, int limit)
{
	if (!addr) {
		strbuf_addstr(out, "NULL");
		return;
	}
	uint64_t ptrs[64];
	ssize_t got = mem_read(tid, addr, ptrs, sizeof(ptrs));
	if (got < 8) {
		add_addr(out, addr);
		return;
	}
	strbuf_addch(out, '[');
	size_t n = (size_t)got / 8;
	for (size_t i = 0; i < n; i++) {
		if (!ptrs[i])
			break;
		if (i)
			strbuf_addstr(out, ", ");
		if (i == 32) {
			strbuf_addstr(out, "...");
			break;
		}
		decode_string(out, tid, ptrs[i], -1, 1, limit);
	}
	strbuf_addch(out, ']');
}

static long count_ptrs(pid_t tid, uint64_t addr)
{
	uint64_t ptrs[512];
	long total = 0;
	for (int round = 0; round < 16; round++) {
		ssize_t got = mem_read(tid, addr + (uint64_t)round * sizeof(ptrs), ptrs, sizeof(ptrs));
		if (got <= 0)
			return total;
		for (size_t i = 0; i < (size_t)got / 8; i++) {
			if (!ptrs[i])
				return total;
			total++;
		}
	}
	return total;
}

static int nargs_shown(const struct scry_syscall_info *info, enum special sp, const uint64_t *args)
{
	if (sp == SP_OPEN)
		return (args[1] & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))) ? 3 : 2;
	if (sp == SP_OPENAT)
		return (args[2] & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))) ? 4 : 3;
	return info->nargs;
}

void decode_entry(struct scry_session *s, struct tracee *t, struct strbuf *out)
{
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	if (!info) {
		for (int i = 0; i < 6; i++)
			strbuf_addf(out, "%s%#llx", i ? ", " : "", (unsigned long long)t->args[i]);
		return;
	}
	enum special sp = special_of(info->name);
	int n = nargs_shown(info, sp, t->args);
	for (int i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(out, ", ");
		if (sp == SP_READ && i == 1)
			return;          /* the rest is shown at exit */
		if (sp == SP_OPEN && i == 1) {
			add_open_flags(out, t->args[i]);
		} else if (sp == SP_OPENAT && i == 2) {
			add_open_flags(out, t->args[i]);
		} else if ((sp == SP_OPEN && i == 2) || (sp == SP_OPENAT && i == 3)) {
			strbuf_addf(out, "%#llo", (unsigned long long)t->args[i]);
		} else if (sp == SP_WRITE && i == 1) {
			decode_string(out, t->tid, t->args[1], (long)t->args[2], 0, s->cfg.string_limit);
		} else if ((sp == SP_EXECVE && i == 1) || (sp == SP_EXECVEAT && i == 2)) {
			add_argv(out, t->tid, t->args[i], s->cfg.string_limit);
		} else if ((sp == SP_EXECVE && i == 2) || (sp == SP_EXECVEAT && i == 3)) {
			add_addr(out, t->args[i]);
			if (t->args[i])
				strbuf_addf(out, " /* %ld vars */", count_ptrs(t->tid, t->args[i]));
		} else if (sp == SP_MMAP && (i == 2 || i == 3)) {
			strbuf_addf(out, "%#llx", (unsigned long long)t->args[i]);
		} else {
			add_arg(s, t, info, i, out);
		}
	}
}

void decode_exit(struct scry_session *s, struct tracee *t, int64_t ret, struct strbuf *out)
{
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	if (!info || special_of(info->name) != SP_READ)
		return;
	if (ret < 0)
		add_addr(out, t->args[1]);
	else
		decode_string(out, t->tid, t->args[1], (long)ret, 0, s->cfg.string_limit);
	for (int i = 2; i < info->nargs; i++) {
		strbuf_addstr(out, ", ");
		add_arg(s, t, info, i, out);
	}
}

static const char *restart_message(int err)
{
	switch (err) {
	case 512: return "To be restarted if SA_RESTART is set";
	case 513: return "To be restarted";
	case 514: return "To be restarted if no handler";
	case 516: return "Interrupted by signal";
	}
	return NULL;
}

void decode_result(struct scry_session *s, struct tracee *t, int64_t ret, struct strbuf *out)
{
	if (ret < 0 && ret >= -4095) {
		int err = (int)-ret;
		const char *name = scry_errno_name(err);
		const char *restart = restart_message(err);
		if (restart) {
			strbuf_addf(out, "? %s (%s)", name ? name : "ERESTART", restart);
			return;
		}
		if (name)
			strbuf_addf(out, "-1 %s (%s)", name, strerror(err));
		else
			strbuf_addf(out, "-1 %d (%s)", err, strerror(err));
		return;
	}
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	enum special sp = info ? special_of(info->name) : SP_NONE;
	if (sp == SP_RETADDR || sp == SP_MMAP)
		strbuf_addf(out, "%#llx", (unsigned long long)ret);
	else
		strbuf_addf(out, "%lld", (long long)ret);
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
