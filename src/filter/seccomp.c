/*
 * The seccomp program for a filter (see seccomp.h).
 *
 * Layout:
 *	load arch; (x86_64) i386 -> the i386 part; not ours -> TRACE
 *	load nr; (x86_64) x32 numbers, and negative ones, -> TRACE
 *	a balanced tree of "nr >= K" over the ranges of equal verdict,
 *	every leaf a RET;
 *	(x86_64) the i386 part: load nr, the same tree over the i386 numbers
 *	(ia32 processes; numbers beyond the i386 table -> TRACE).
 * Conditional jumps reach at most 255 instructions ahead; a left subtree
 * longer than that is jumped over with a BPF_JA (32-bit offset).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filter/seccomp.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif

/* Calls the tracer must always see to follow processes and execs. */
static const char *const always_traced[] = {
	"execve", "execveat", "fork", "vfork", "clone", "clone3", "exit", "exit_group",
};

struct ranges {
	unsigned int *start;   /* first number of range i; start[0] == 0 */
	unsigned char *trace;  /* its verdict */
	unsigned int n;
};

/* Instructions of the subtree over ranges [a, b). */
static unsigned int tree_size(const struct ranges *r, unsigned int a, unsigned int b)
{
	unsigned int m, left;

	if (b - a == 1)
		return 1;
	m = a + (b - a) / 2;
	left = tree_size(r, a, m);
	return 1 + (left > 255) + left + tree_size(r, m, b);
}

static unsigned int emit_tree(const struct ranges *r, unsigned int a, unsigned int b,
			      struct sock_filter *out)
{
	unsigned int m, left, pos = 0;

	if (b - a == 1) {
		out[0] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			r->trace[a] ? SECCOMP_RET_TRACE : SECCOMP_RET_ALLOW);
		return 1;
	}
	m = a + (b - a) / 2;
	left = tree_size(r, a, m);
	if (left <= 255) {
		out[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
							  r->start[m], left, 0);
	} else {
		out[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
							  r->start[m], 0, 1);
		out[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, left, 0, 0);
	}
	pos += emit_tree(r, a, m, out + pos);
	pos += emit_tree(r, m, b, out + pos);
	return pos;
}

/*
 * The ranges of equal verdict over the numbers of table t, whose call nr
 * is bit base + nr of f's bitmap; numbers from ncalls up get last.
 */
static int make_ranges(const struct scry_filter *f, const struct scry_syscall_table *t,
		       unsigned int base, bool last, struct ranges *r)
{
	unsigned int n = t->ncalls;
	bool *forced = calloc(n + 1, sizeof(*forced));

	r->start = calloc(n + 1, sizeof(*r->start));
	r->trace = calloc(n + 1, sizeof(*r->trace));
	if (!forced || !r->start || !r->trace) {
		free(forced);
		free(r->start);
		free(r->trace);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sizeof(always_traced) / sizeof(always_traced[0]); i++) {
		long nr = scry_syscall_lookup(t, always_traced[i]);

		if (nr >= 0)
			forced[nr] = true;
	}
	r->n = 0;
	for (unsigned int nr = 0; nr <= n; nr++) {
		bool v = nr < n ? forced[nr] || scry_filter_traced(f, (long)(base + nr)) : last;

		if (r->n && r->trace[r->n - 1] == v)
			continue;
		r->start[r->n] = nr;
		r->trace[r->n] = v;
		r->n++;
	}
	free(forced);
	return 0;
}

int scry_filter_seccomp_program(const struct scry_filter *f, struct sock_filter **prog,
				unsigned *len)
{
	const struct scry_syscall_table *t = f->table;
	unsigned int arch, pos = 0, size;
	bool x86_64, ia32;
	struct ranges r, r32 = { 0 };
	struct sock_filter *p;

	*prog = NULL;
	*len = 0;
	if (!strcmp(t->arch, "x86_64")) {
		arch = AUDIT_ARCH_X86_64;
		x86_64 = true;
	} else if (!strcmp(t->arch, "aarch64")) {
		arch = AUDIT_ARCH_AARCH64;
		x86_64 = false;
	} else {
		return -EINVAL;
	}

	/* numbers from ncalls up all get trace_other: one last range */
	if (make_ranges(f, t, 0, f->trace_other, &r))
		return -ENOMEM;
	/* ia32 processes' calls (x86_64 only): by their i386 numbers (filter
	 * bits SCRY_FILTER_I386_BASE + nr); numbers beyond the i386 table
	 * stop.  Not needed when every one of them stops anyway. */
	ia32 = false;
	if (x86_64 && t->ncalls <= SCRY_FILTER_I386_BASE) {
		if (make_ranges(f, &scry_table_i386, SCRY_FILTER_I386_BASE, true, &r32)) {
			free(r.start);
			free(r.trace);
			return -ENOMEM;
		}
		ia32 = r32.n > 1;
	}

	size = 4 + (x86_64 ? 2 : 0) + tree_size(&r, 0, r.n);
	if (ia32)
		size += 3 + tree_size(&r32, 0, r32.n);
	p = calloc(size, sizeof(*p));
	if (!p) {
		free(r.start);
		free(r.trace);
		free(r32.start);
		free(r32.trace);
		return -ENOMEM;
	}
	p[pos++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, arch));
	if (ia32) {
		/* i386: jump over the native part to the i386 one */
		p[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							AUDIT_ARCH_I386, 0, 1);
		p[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA,
			1 + 1 + 1 + 2 + tree_size(&r, 0, r.n), 0, 0);
	}
	p[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0);
	p[pos++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	p[pos++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						offsetof(struct seccomp_data, nr));
	if (x86_64) {
		/* x32 calls, and nr -1 (0xffffffff) */
		p[pos++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
							__X32_SYSCALL_BIT, 0, 1);
		p[pos++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	pos += emit_tree(&r, 0, r.n, p + pos);
	if (ia32) {
		p[pos++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
							offsetof(struct seccomp_data, nr));
		pos += emit_tree(&r32, 0, r32.n, p + pos);
	}
	free(r.start);
	free(r.trace);
	free(r32.start);
	free(r32.trace);

	*prog = p;
	*len = pos;
	return 0;
}

int scry_filter_seccomp_install(const struct sock_filter *prog, unsigned len)
{
	struct sock_fprog fp = {
		.len = (unsigned short)len,
		.filter = (struct sock_filter *)prog,
	};

	if (len == 0 || len > BPF_MAXINSNS)
		return len ? -E2BIG : -EINVAL;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0)
		return -errno;
	return 0;
}
