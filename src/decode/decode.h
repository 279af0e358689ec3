/*
 * Decoders: from a raw call to typed values (include/scry/value.h).
 *
 * A decoder is written as strace writes them: it is called at the entry
 * stop (d->exiting == 0) and appends the arguments known then; if it returns
 * DEC_MORE it is called again at the exit stop to append the arguments the
 * kernel filled in (read's buffer, stat's struct).  It may set the result's
 * format (d->rfmt) at either stop.  Decoders never fail: memory that cannot
 * be read becomes an UNREAD value showing the address (DESIGN.md rule 2).
 *
 * One file per family (file.c, net.c, mem.c, process.c, signal.c,
 * events.c; the file family's stat/statfs calls in file_stat.c and ioctl in
 * file_ioctl.c, sharing file_common.h), each exporting a table of struct
 * decoder_entry, listed in decode.c.
 */
#ifndef SCRY_DECODE_H
#define SCRY_DECODE_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "scry/value.h"
#include "util/strbuf.h"
#include "syscalls/syscalls.h"

/* DEC_AFTER: call me at exit too, but only for values shown after the
 * result (SCRY_VF_AFTER), none inside the argument list. */
enum { DEC_DONE = 0, DEC_MORE = 1, DEC_AFTER = 2 };

/* What a decoder still has to say at the exit stop, from its return value
 * at entry (and whether its last value is SCRY_VF_UPDATED); the values of 1
 * and 2 are those of the public scry_call.more_at_exit. */
enum dec_exit {
	EXIT_NOTHING = 0,     /* DEC_DONE */
	EXIT_ARGS = 1,        /* DEC_MORE: more arguments, after ", " */
	EXIT_COMMENT = 2,     /* DEC_MORE, starting with a comment (" => {...}") */
	EXIT_AFTER = 3,       /* DEC_AFTER: only values after the result */
};

/* How the result is shown. */
enum rfmt {
	R_INT = 0,   /* decimal */
	R_HEX,       /* 0x... (mmap, brk) */
	R_FD,        /* a new fd: decimal, with its path under -y */
	R_OCT,       /* umask */
	R_FLAGS,     /* "0x8002 (flags O_RDWR|O_LARGEFILE)": d->rxlat names the
	                bits, d->rword says what they are ("flags", "seals"),
	                d->rzero/d->rfield a named zero as in v_flags */
	R_ENUM,      /* d->rxlat names the value */
	R_NONE,      /* "= ?" even on success (exit never returns) */
};

struct dctx {
	/* in */
	pid_t pid, tid;
	long nr;
	const struct scry_syscall_info *info;
	const uint64_t *args;     /* the six raw arguments */
	int64_t ret;              /* at exit: raw result */
	int exiting;              /* 0 at entry, 1 at exit */
	int failed;               /* at exit: the call failed */
	int limit;                /* -s */
	int verbose;              /* -v: structs in full */
	int xflag;                /* -x: 1 non-ASCII as hex, 2 all as hex */
	int fd_paths;             /* -y: 1 paths, 2 also socket details */
	/* out */
	struct scry_values *out;
	enum rfmt rfmt;
	const struct scry_xlat *rxlat;
	const char *rword;        /* R_FLAGS: the word before the names, or NULL */
	const char *rzero;        /* R_FLAGS: the name of a zero field */
	uint16_t rfield;          /* R_FLAGS: that field's mask */
	uint64_t state;           /* a decoder's memory from entry to exit */
	uint64_t sp;              /* the stack pointer at the entry stop */
	const char *resumed;      /* restart_syscall: the call it resumes, or NULL */
	/* Where tracee memory comes from: NULL reads the live process
	 * (process_vm_readv); the bpf backend reads what its programs
	 * captured in the kernel.  Decoders use d_read()/d_read_exact(). */
	ssize_t (*mem)(void *ctx, uint64_t addr, void *buf, size_t len);
	void *mem_ctx;
	/* With mem: execve's envp entries + 1 as the kernel counted them; 0:
	 * not counted (the pointers themselves are not captured). */
	long envc1;
	/* An ia32 process's call made through ipc() (strace's
	 * indirect_ipccall): semctl shows its union's word as "[0x...]". */
	int indirect;
};

typedef int (*decoder_fn)(struct dctx *d);

/* decode/siginfo.c: a siginfo_t as one STRUCT value, the text
 * "{si_signo=SIGCHLD, si_code=CLD_EXITED, ...}"; returns its index. */
size_t v_siginfo(struct dctx *d, const char *name, const siginfo_t *si);

/*
 * What the bpf backend captures in the kernel for a call, so that its
 * decoder can run on the captured bytes (bpf/bpf_trace.c turns it into the
 * program's plan).  Arguments are numbered from 1; 0 is "none".  Path and
 * string arguments (SCRY_ARG_PATH/STR in the syscall table) are captured
 * without being listed here.
 */
enum { CAP_ENTRY = 1, CAP_EXIT = 2 };  /* when: SCRY_TRACE_AT_ENTRY/EXIT */
#define CAP_AT_SP     7   /* in: the struct is at the stack pointer + in_off */
#define CAP_COUNT_RET 7   /* out_count: the result counts the elements */

struct bpf_capture {
	uint8_t buf, buf_count, buf_when;     /* a data buffer, its size argument */
	uint8_t addr, addrlen, addr_when;     /* a sockaddr, its length (value at
	                                         entry, socklen_t pointer at exit) */
	uint8_t in, out, out_count;           /* structs read at entry / filled */
	uint16_t in_size, out_size, in_off;
	uint8_t argv, envp;                   /* execve's vectors */
	/* CAP_FULL: the decoder needs nothing beyond what is captured, so
	 * the call shows under bpf exactly as under ptrace; CAP_FULL_UNLESS_V:
	 * so without -v only (tests/unit/test_registry.c checks both against
	 * the decoder's own memory reads). */
	uint8_t complete;
};

/* Row builders, e.g. { "read", dec_read, { CAP_BUF_OUT(2), CAP_FULL } } */
#define CAP_BUF_IN(b, count)    .buf = (b), .buf_count = (count), .buf_when = CAP_ENTRY
#define CAP_BUF_OUT(b)          .buf = (b), .buf_when = CAP_EXIT
#define CAP_ADDR_IN(a, len)     .addr = (a), .addrlen = (len), .addr_when = CAP_ENTRY
#define CAP_ADDR_OUT(a, lenp)   .addr = (a), .addrlen = (lenp), .addr_when = CAP_EXIT
#define CAP_IN(a, size)         .in = (a), .in_size = (size)
#define CAP_OUT(a, size)        .out = (a), .out_size = (size)
#define CAP_OUT_N(a, n, size)   .out = (a), .out_count = (n), .out_size = (size)
#define CAP_EXEC(av, ev)        .argv = (av), .envp = (ev)
#define CAP_FULL                .complete = 1
#define CAP_FULL_UNLESS_V       .complete = 2

/*
 * One row per decoded syscall: its name (as in the generated syscall
 * table, which holds its number, argument names, types and classes), its
 * decoder and what bpf captures for it.  A name that is in neither
 * architecture's table fails tests/unit/test_registry.c.
 */
struct decoder_entry {
	const char *name;         /* syscall name, as in the table */
	decoder_fn fn;
	struct bpf_capture cap;
};

/* The family tables (decoders_file[], ...), each ending with a NULL name;
 * decode_families[decode_nfamilies]. */
extern const struct decoder_entry *const decode_families[];
extern const size_t decode_nfamilies;

/* The row for a name, or NULL (linear: for setup and tests). */
const struct decoder_entry *decode_row(const char *name);

/* 1 when every call of table t that bitmap selects (bit nr of
 * bitmap[nr / 64]) is shown by bpf as by ptrace (with -v when verbose),
 * and it selects one at least; else 0. */
int decode_bpf_complete(const struct scry_syscall_table *t, const uint64_t *bitmap, size_t words,
			int verbose);

/* Flag and enum tables name each constant once: XLAT(O_CLOEXEC) is
 * { O_CLOEXEC, "O_CLOEXEC" }; a table ends with XLAT_END. */
#define XLAT(c)  { (c), #c }
#define XLAT_END { 0, NULL }

/* ---- reading tracee memory ---- */

/* Up to len bytes at addr; bytes read or -errno (partial at unmapped pages). */
ssize_t mem_read(pid_t tid, uint64_t addr, void *buf, size_t len);
/* Exactly len bytes, or -1. */
int mem_read_exact(pid_t tid, uint64_t addr, void *buf, size_t len);

/* Tracee memory as the decoder context says (see dctx.mem). */
ssize_t d_read(const struct dctx *d, uint64_t addr, void *buf, size_t len);
int d_read_exact(const struct dctx *d, uint64_t addr, void *buf, size_t len);

/* What -y shows for an fd (level 1: its path; 2: socket details too), or
 * the cwd for AT_FDCWD; the length, or -1. */
ssize_t fd_describe(pid_t tid, int fd, int level, char *out, size_t len);
/* The process a pidfd of tid's refers to, or 0 (build.c). */
pid_t pidfd_target(pid_t tid, int fd);

/* ---- building values ---- */

size_t v_int(struct dctx *d, const char *name, int64_t val);
size_t v_uint(struct dctx *d, const char *name, uint64_t val);
size_t v_hex(struct dctx *d, const char *name, uint64_t val);
size_t v_oct(struct dctx *d, const char *name, uint64_t val);
size_t v_ptr(struct dctx *d, const char *name, uint64_t val);
size_t v_fd(struct dctx *d, const char *name, int fd);        /* AT_FDCWD too */
size_t v_flags(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x, const char *zero);
size_t v_enum(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x);
/* Preformatted strace text (SCRY_V_TEXT): JSON gets the text as a string,
 * so prefer a typed kind (value.h); no decoder uses it now. */
size_t v_text(struct dctx *d, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t v_unread(struct dctx *d, const char *name, uint64_t addr);
/* A remark, " /\* words *\/" after the previous value (SCRY_V_COMMENT). */
size_t v_comment(struct dctx *d, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A clock_t (strace's print_clock_t): ticks, and when not 0 the seconds
 * they are, "150 /\* 1.50 s *\/"; is_signed: printed signed, and a
 * negative count gets no comment.  Returns the ticks' node. */
size_t v_clock_t(struct dctx *d, const char *name, uint64_t ticks, int is_signed);
/* "in => out" (SCRY_V_INOUT): push the in and out values, then v_end();
 * only an out value: "=> out". */
size_t v_inout_begin(struct dctx *d, const char *name);
size_t v_inout_uint(struct dctx *d, const char *name, uint64_t in, uint64_t out);
/* fn(value) (SCRY_V_FUNC): push the value, then v_end(). */
size_t v_func_begin(struct dctx *d, const char *name, const char *fn);
size_t v_func_uint(struct dctx *d, const char *name, const char *fn, uint64_t val);
/* A number in parts joined by "|" (SCRY_V_OR): push the parts, then v_end(). */
size_t v_or_begin(struct dctx *d, const char *name, uint64_t whole);
/* A wait status (SCRY_V_WSTATUS) and a set of nsig signals (SCRY_V_SIGSET). */
size_t v_wstatus(struct dctx *d, const char *name, int status);
size_t v_sigset(struct dctx *d, const char *name, uint64_t mask, unsigned nsig);
/* A NUL-terminated string at addr (a path: no -s limit, PATH_MAX). */
size_t v_path(struct dctx *d, const char *name, uint64_t addr);
size_t v_cstr(struct dctx *d, const char *name, uint64_t addr);   /* cut at -s */
/* len bytes at addr, cut at -s. */
size_t v_buf(struct dctx *d, const char *name, uint64_t addr, int64_t len);
/* Bytes we already have. */
size_t v_bytes(struct dctx *d, const char *name, const void *p, size_t len, int truncated);
/* An argument by the table's type (the generic decoder uses this). */
size_t v_arg(struct dctx *d, int i);

/* STRUCT / ARRAY / SOCKADDR: begin, append the children, end. */
size_t v_struct_begin(struct dctx *d, const char *name);
size_t v_array_begin(struct dctx *d, const char *name);
void v_end(struct dctx *d, size_t begin);
/* A struct sockaddr of len bytes at addr. */
size_t v_sockaddr(struct dctx *d, const char *name, uint64_t addr, int64_t len);
/* The same from bytes already read. */
size_t v_sockaddr_bytes(struct dctx *d, const char *name, const void *sa, size_t len);

/*
 * Reads a struct of len bytes at addr for the value name: 0 when it was
 * read and the caller now adds it; -1 when NULL or unreadable, and that was
 * added already (as NULL or as the address).
 */
int v_fetch(struct dctx *d, const char *name, uint64_t addr, void *buf, size_t len);
/* [3, 4]: the two fds of pipe() or socketpair(), capped at -s elements. */
size_t v_fd_pair(struct dctx *d, const char *name, const int fds[2]);
/* {tv_sec=1, tv_nsec=0} and {tv_sec=1, tv_usec=0} at addr (64-bit ABI). */
size_t v_timespec(struct dctx *d, const char *name, uint64_t addr);
size_t v_timeval(struct dctx *d, const char *name, uint64_t addr);

/* The last value pushed, to adjust flags. */
struct scry_value *v_last(struct dctx *d);

/* ---- the decoders ---- */

/* At exit: the call's result as one typed value appended to out (an
 * ERRNO, or the form d->rfmt says, an fd with its path under -y). */
void decode_result(const struct dctx *d, struct scry_values *out);

/* The decoder for nr (never NULL: the generic one as a fallback). */
/* An array of decoders indexed by syscall number (generic where none). */
decoder_fn *decoders_build(const struct scry_syscall_table *t);
int decode_generic(struct dctx *d);
/* ia32.c: the decoders of i386 calls that have no x86_64 twin (ia32
 * processes; decoders_build(&scry_table_i386) uses them), and the x86_64
 * decoder an i386 call shares by another name (clock_gettime64's), or NULL. */
extern const struct decoder_entry decoders_ia32[];
decoder_fn decode_ia32_alias(const char *name);
/* An ia32 process's ipc(call, first, second, third, ptr, fifth) as the
 * SysV call it makes, as strace shows it: that call's number (as
 * ia32_socketcall() gives it) and arguments in its direct form, or -1 (it
 * stays ipc).  For shmat, *result_at: where the kernel writes the address
 * the call returns (a 32-bit word), else 0. */
long ia32_ipc(ssize_t (*read)(void *ctx, uint64_t addr, void *buf, size_t len), void *ctx,
	      const uint64_t args[6], uint64_t out[6], uint64_t *result_at);
/* An ia32 process's socketcall(call, args) as the call it makes, as strace
 * shows it: the number scry_compat_nr() gives the direct i386 call of that
 * name (its x86_64 twin's, or SCRY_NR_I386 + its own: sendmsg, decoded
 * with the i386 layouts; accept, which has none, x86_64's) with its
 * arguments read (32-bit words at args[1], by read), or -1: not one of
 * those calls, or unreadable (it stays socketcall). */
long ia32_socketcall(ssize_t (*read)(void *ctx, uint64_t addr, void *buf, size_t len), void *ctx,
		     const uint64_t args[6], uint64_t out[6]);

/* ---- rendering ---- */

struct render_opts {
	int xflag;
};

/* strace text of a list of top-level values, ", "-separated (without the
 * SCRY_VF_AFTER ones). */
void render_text_list(struct strbuf *out, const struct scry_values *vs, size_t from, int first);
/* The SCRY_VF_AFTER values as strace shows them after the result:
 * " (in [3], left {...})"; nothing when there are none. */
void render_text_after(struct strbuf *out, const struct scry_values *vs);
void render_text_value(struct strbuf *out, const struct scry_values *vs, size_t i);
/* A SCRY_V_TIME: the local time "2026-11-29T15:54:41+0000" (the seconds
 * when localtime cannot say). */
void render_time(struct strbuf *out, int64_t sec);
/* Whether the text ends the entry part of a call with ", " (strace's
 * "read(3, " while the call blocks), given its entry values and whether
 * more arguments come at exit: not when there are none, nor when the exit
 * part starts with what the kernel wrote into the last one (" => ..."). */
int render_text_entry_comma(const struct scry_values *entry, int more_at_exit);
/* The strace text of a call's arguments, entry and exit parts together. */
void render_text_args(struct strbuf *out, const struct scry_values *entry,
		      const struct scry_values *exit, int more_at_exit);
/* strace's quoting of bytes: "...", escapes, octal; xflag as -x/-xx. */
void render_text_bytes(struct strbuf *out, const unsigned char *p, size_t n, int xflag);
/* strace text of a call's result (scry_call.result): "3</etc/passwd>",
 * "-1 ENOENT (No such file or directory)", "0x8002 (flags O_RDWR)"; NULL
 * or empty: "?". */
void render_text_result(struct strbuf *out, const struct scry_values *result);
/* The name of a ptrace event in a wait status (PTRACE_EVENT_EXEC), or NULL. */
const char *render_ptrace_event(unsigned ev);
/* The signals a SIGSET shows: its mask, or (*inverted set) the complement,
 * when more than half are in it, as strace writes "~[...]". */
uint64_t render_sigset_shown(const struct scry_value *v, int *inverted);

#endif
