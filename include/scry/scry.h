/*
 * libscry: trace the system calls and process events of running or launched
 * processes.
 *
 * Lifecycle:
 *
 *	struct scry_session *s;
 *	struct scry_config cfg = SCRY_CONFIG_INIT;
 *	scry_session_new(&s, &cfg);
 *	scry_session_add_sink(s, &my_sink);          // zero or more
 *	scry_session_attach(s, pid, &err);          // and/or scry_session_launch()
 *	scry_session_run(s);                        // returns when nothing is left
 *	scry_session_free(s);                       //   to trace or on detach
 *
 * Conventions: functions return 0 or a negative errno; the library never
 * prints, never exits, never aborts (an allocation that fails during a run
 * ends it: everything is detached and scry_session_run() returns -ENOMEM)
 * and keeps no global state.  Strings passed in are copied or must outlive
 * the session, as each function says.
 *
 * Threads: one thread at a time calls a session's functions; the only one
 * that may be called from elsewhere (another thread or a signal handler) is
 * scry_session_request_detach().  A session traces from a thread of its
 * own (ptrace ties a tracee to one thread), started by the first attach or
 * launch and ended by scry_session_free(): scry_session_attach(), _launch()
 * and _run() hand their work to it and wait, so the sinks' callbacks and
 * tick() run on that thread while the caller is inside one of them.  It
 * blocks every signal: the program's handlers run on its own threads.
 *
 * What is process-wide, because the kernel makes it so (nothing else is):
 *  - the session's tasks are children or tracees of the process: a wait
 *    for any child (wait(), waitpid(-1, ...)) by the program while a session
 *    runs may take one of their statuses; wait for your own children by
 *    pid.  The session waits for its own tasks only: your children keep
 *    their statuses.
 *  - while scry_session_run() traces with ptrace, one child process of
 *    ours, "scry-waker", wakes the tracer thread (the timers, and detach
 *    requests); it is gone when the run returns.  No signal handler is
 *    installed, no timer (alarm, ITIMER_REAL) is touched.
 *  - the bpf backend sets libbpf's print callback (process-wide in libbpf)
 *    around its own libbpf calls only, and puts the previous one back.
 *  - every ptrace stop sends SIGCHLD to the process; the tracer thread
 *    blocks it, so the kernel hands it to one of your threads that does
 *    not.  The thread in scry_session_run() (and attach, launch) blocks
 *    SIGCHLD while it waits and restores its mask after; a thread of yours
 *    that leaves SIGCHLD unblocked is woken once per stop (block it there
 *    if that thread should sleep), and a SIGCHLD handler of yours may run
 *    for the session's stops.
 */
#ifndef SCRY_SCRY_H
#define SCRY_SCRY_H

#include "scry/export.h"

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scry/stack.h"
#include "scry/value.h"

#ifdef __cplusplus
extern "C" {
#endif

struct scry_session;

struct scry_config {
	int follow_forks;        /* -f: trace children made by fork/vfork/clone */
	int hide_until_exec;     /* launched commands: show nothing before exec */
	int string_limit;        /* -s: bytes of strings shown (default 32) */
	int no_decode;           /* only numbers and results (e.g. for -c) */
	int verbose;             /* -v: structures and arrays in full */
	int xflag;               /* -x: non-printable bytes as \\x; 2 (-xx): all */
	int fd_paths;            /* -y: paths of fds; 2 (-yy): socket details */
	int cpu_time;            /* measure each call's CPU time (cpu_ns) */
	/* -k, --source: unwind the user stack of every shown call, up to
	 * this many frames (0: never), and symbolize it (scry_call.stack);
	 * stack_lines: also find each frame's source file and line. */
	int stack_depth;
	int stack_lines;
	/* A seccomp program (struct sock_filter[]) installed in launched
	 * commands before exec: calls it allows never stop the tracee.  Not
	 * owned; must outlive the session.  NULL/0: none. */
	const void *seccomp_prog;
	unsigned seccomp_len;
	/* Signals (bit sig-1) that a launched command gets at their default
	 * action although the caller ignores them (scry ignores SIGPIPE for
	 * itself; the command must not inherit that).  Apart from these, a
	 * launched command ignores the signals the program ignored when
	 * libscry was loaded (read then, before the program could install
	 * handlers: under nohup, SIGHUP; in a shell's background job, SIGINT
	 * and SIGQUIT), even if the program has caught them since, as
	 * strace's commands do. */
	uint64_t child_default_signals;
	/* -P: only calls that touch one of these paths, by name or by an fd
	 * open on it.  Not owned.  NULL/0: every call. */
	const char *const *trace_paths;
	int ntrace_paths;
	/* SCRY_BACKEND_BPF counts in the kernel (statistics only) */
	int backend;
	int per_process;         /* bpf: count per (process, syscall) */
	int bpf_counts_only;     /* bpf: only statistics (in-kernel counters);
	                            else every call through a ring buffer */
	size_t bpf_buffer;       /* bpf trace: ring buffer bytes (0: 8 MiB) */
	int bpf_hooks;           /* SCRY_BPF_HOOKS_*: where bpf's programs hang */
	/* bpf counts only: time one call in N of a hot (thread, syscall), the
	 * statistics' latencies estimated from that sample (calls and errors
	 * stay exact); 0: time every call.  N is at most SCRY_BPF_SAMPLE_MAX_N. */
	int bpf_sample_latency;
	/* bpf trace with stack_depth: bytes of each call's user stack copied
	 * at entry for the unwinder (0: 8 KiB; at most 16 KiB) */
	size_t bpf_stack_bytes;
	/* The calls to trace: bit nr of syscall_bitmap[nr / 64] set = trace
	 * syscall nr.  Every backend checks it before decoding anything, so a
	 * call outside it costs no memory read and reaches no sink (bpf: it
	 * never leaves the kernel).  NULL: all.  Not owned. */
	const uint64_t *syscall_bitmap;
	size_t syscall_bitmap_words;
	/* Where scry_session_new() explains a failure (may be NULL); with
	 * the bpf backend, on success, where its programs hang. */
	char *why;
	size_t why_len;
	uint64_t tick_ns;        /* call tick() about this often (0: never) */
	/* Called from the loop's thread between events, e.g. for --interval. */
	void (*tick)(void *ctx);
	void *tick_ctx;
	/* strace's -i: fill scry_event.ip (the instruction pointer at each
	 * call's entry and at each signal). */
	int instruction_pointer;
	/* -e raw=SET: calls (bit nr of raw_bitmap[nr / 64], nr below
	 * SCRY_CALL_BITMAP_WORDS * 64) shown undecoded: every argument and a
	 * successful result in hex.  NULL: none.  Not owned. */
	const uint64_t *raw_bitmap;
	/* -e abbrev=SET: with it, a call is shown in full (as with verbose)
	 * unless its bit is set here.  NULL: verbose for every call.  Not
	 * owned. */
	const uint64_t *abbrev_bitmap;
	/* -e read=SET, -e write=SET: the data read from / written to these
	 * fds (bit fd of dump_read[fd / 64], fds below dump_fd_words * 64;
	 * dump_*_other: every fd beyond) is handed to the sinks in full
	 * (scry_call.io), as strace dumps it.  NULL: none.  Not owned. */
	const uint64_t *dump_read, *dump_write;
	size_t dump_fd_words;
	int dump_read_other, dump_write_other;
	/* strace's -u: a launched command runs as this user, with these
	 * groups (set_ids non-zero).  groups: not owned. */
	int set_ids;
	uid_t run_uid;
	gid_t run_gid;
	const gid_t *run_groups;
	int run_ngroups;
	/* strace's -D: the attached process is about to exec the command
	 * (scry runs outside its process tree): show nothing of it until
	 * its exec, as for a launched command. */
	int attach_hidden_until_exec;
	/* -e inject=, -e fault=: tamper with calls (struct scry_inject below).
	 * ptrace only: scry_session_new() refuses them with the bpf backend
	 * (-ENOTSUP, why filled).  Not owned; must outlive the session. */
	const struct scry_inject *inject;
	int ninject;
	/* Stacks (stack_depth): called once per object (a path) that first
	 * appears in a stack without debug info (no lines; function names
	 * from .symtab/.dynsym or none), so that the caller can say "no debug
	 * info" once rather than per line.  flags: the SCRY_FRAME_* flags of
	 * its frames (SCRY_FRAME_RUNTIME for the C library and the like).
	 * Called from the loop's thread, before the event with that frame.
	 * NULL: not told. */
	void (*stack_nodebug)(void *ctx, const char *object, unsigned flags);
	void *stack_nodebug_ctx;
	/* The sinks want only a summary by call site (--source -c): with
	 * stack_depth, the bpf backend may count the calls of a call site it
	 * has seen in the kernel and hand them over at the end as one
	 * SCRY_EV_CALLS_COUNTED event per site (the site's first call comes as
	 * usual).  Other backends ignore it. */
	int stack_sites_counted;
	/* ptrace, experimental: while the session traces a single thread,
	 * keep the thread that runs the session on the CPU that thread last
	 * ran on (sched_setaffinity of the session's own thread only: a
	 * stop then wakes a tracer on the same CPU).  Other backends ignore
	 * it. */
	int follow_cpu;
	/* Stacks (stack_depth) with the bpf backend: SCRY_STACK_DWARF (0)
	 * copies each call's user stack and unwinds it with DWARF CFI;
	 * SCRY_STACK_FP has the kernel walk the frame pointers instead
	 * (cheaper; right only where the code keeps them).  ptrace unwinds
	 * with DWARF whatever it says. */
	int stack_mode;
	/* A traced process's calls changed ABI (ptrace backend on x86_64): it
	 * now runs 32-bit (ia32) code, mode "32 bit", or native code again,
	 * "64 bit" -- strace's "[ Process PID=N runs in 32 bit mode. ]".
	 * Called from the loop's thread before the event of the call that
	 * showed it.  The bpf backend, which names calls by the x86_64 table,
	 * lets a process go when it execs a 32-bit program: mode
	 * SCRY_PERSONALITY_UNTRACED, after its EXEC event and before its
	 * DETACHED one.  NULL: not told. */
	void (*personality)(void *ctx, pid_t pid, const char *mode);
	void *personality_ctx;
};
#define SCRY_PERSONALITY_UNTRACED "32 bit, untraced"
#define SCRY_STACK_DWARF 0
#define SCRY_STACK_FP 1
#define SCRY_CALL_BITMAP_WORDS 16
enum scry_backend { SCRY_BACKEND_PTRACE = 0, SCRY_BACKEND_BPF = 1 };

/*
 * Where the bpf backend hangs its programs.  AUTO: on the tracepoints of
 * the filtered calls (syscall_bitmap) when they are few and not the calls
 * a busy process makes most; RAW: on the raw syscall tracepoints, run for
 * every call; SYSCALLS: on the filtered calls' own tracepoints.
 */
/* bpf_sample_latency times at least one call in this many. */
#define SCRY_BPF_SAMPLE_MAX_N 64

enum scry_bpf_hooks { SCRY_BPF_HOOKS_AUTO = 0, SCRY_BPF_HOOKS_RAW = 1, SCRY_BPF_HOOKS_SYSCALLS = 2 };
#define SCRY_CONFIG_INIT { .hide_until_exec = 1, .string_limit = 32, .backend = SCRY_BACKEND_PTRACE }

/*
 * Fault injection (strace's -e inject=): what to do to the calls of a set,
 * at which of their invocations.  A call named by several rules follows
 * the last one.  Invocations are counted per thread and per call, from 1,
 * whether or not -e trace= shows the call; a launched command is not
 * tampered with before its first exec.
 *
 * error / retval: the call is not run (its number is replaced by -1, or by
 * syscall when >= 0: a call without side effects, such as getpid) and it
 * returns -error, or retval as a success.  signo: that signal is sent to the
 * thread as it enters the call.  delay_*_ns: the thread is kept stopped
 * that long at entry / at exit (others go on).  (Under seccomp_prog a call
 * that stops at a seccomp stop has no syscall-entry stop, and its signal
 * is sent at its exit stop instead: scry runs no seccomp filter then.)  pokes: bytes written into
 * the tracee's memory where an argument points, at entry or at exit.
 */
struct scry_inject_poke {
	uint8_t arg;             /* 0-5: the argument that holds the address */
	uint8_t at_exit;         /* 0: at entry, 1: at exit */
	uint16_t len;            /* 1..1024 bytes */
	const uint8_t *data;
};

struct scry_inject {
	const uint64_t *set;     /* bit nr of set[nr / 64]: the calls it applies to */
	size_t set_words;
	int error;               /* 1..4095, or 0 */
	int has_retval;          /* retval is returned (not with error) */
	int64_t retval;
	int signo;               /* 0: none */
	long syscall;            /* run this call instead; -1: none */
	uint64_t delay_enter_ns, delay_exit_ns;
	const struct scry_inject_poke *pokes;
	int npokes;
	/* when=FIRST[..LAST][+STEP]: invocations first, first + step, ...,
	 * up to last (0: no end); step 0: first only. */
	unsigned first, last, step;
};

/* What an injection did to a call (scry_call.injected). */
enum scry_injected {
	SCRY_INJECTED_RESULT = 1u << 0,  /* error= or retval=: text " (INJECTED)" */
	SCRY_INJECTED_ARGS   = 1u << 1,  /* memory poked: " (INJECTED: args)" */
	SCRY_INJECTED_DELAY  = 1u << 2,  /* delayed: " (DELAYED)" */
	SCRY_INJECTED_SIGNAL = 1u << 3,  /* a signal sent at entry (no text) */
};

/*
 * What a session must do, beyond its config, for scry_backend_choose().
 */
enum scry_need {
	/* Only statistics are kept: no sink records or shows single calls. */
	SCRY_NEED_COUNTS_ONLY = 1u << 0,
	/* Calls are kept or dropped by their result (strace's status=, -z,
	 * -Z), which the sinks judge. */
	SCRY_NEED_RESULT_FILTER = 1u << 1,
	/* Every target is attached (scry_session_attach); none is launched. */
	SCRY_NEED_ATTACH_ONLY = 1u << 2,
};

/*
 * The backend that serves cfg best (SCRY_BACKEND_BPF or _PTRACE), as the
 * scry command chooses it with --backend auto: bpf when only counts are
 * needed, or when attaching with a syscall_bitmap whose every call the bpf
 * backend shows exactly as ptrace does (its decoder needs nothing beyond
 * what the bpf programs capture), without -P or -y; never with cpu_time,
 * a result filter, fault injection (cfg.inject) or stack_depth (ptrace
 * unwinds at the stop; bpf unwinds later, when a short-lived process's
 * maps may be gone, and needs Linux 5.19).  need: enum scry_need bits.  It does not check that
 * bpf is available: scry_session_new() with SCRY_BACKEND_BPF says so, and
 * the caller then falls back to ptrace.
 */
SCRY_API int scry_backend_choose(const struct scry_config *cfg, unsigned need);

/*
 * The same choice, and why, in a line for the user ("only counts: the
 * kernel counts without stopping anyone") written into why (cut at
 * why_len; nothing when why_len is 0).
 */
SCRY_API int scry_backend_choose_why(const struct scry_config *cfg, unsigned need, char *why,
				     size_t why_len);

/* ---- events, as the sinks receive them ---- */

/*
 * Lifetime: an event, and everything it points to (values, strings, the
 * stack, the io buffers, siginfo text), belongs to the session and is valid
 * only until the sink's event() returns; copy what you keep.  Call names
 * (scry_call.name) are static strings.  Events of one thread come in order;
 * events of different threads are interleaved as the loop sees them.
 */

enum scry_event_type {
	SCRY_EV_CALL_ENTER,  /* a call began: nr, args, entry_args known */
	SCRY_EV_CALL_EXIT,   /* a call returned: ret, result, exit_args known */
	SCRY_EV_SIGNAL,      /* a signal is delivered to a tracee */
	SCRY_EV_EXITED,      /* a thread/process exited: status */
	SCRY_EV_KILLED,      /* ... or was killed by a signal */
	SCRY_EV_NEW_TASK,    /* a traced thread or process appeared */
	SCRY_EV_EXEC,        /* a process replaced its image */
	SCRY_EV_DETACHED,    /* scry let go of a tracee that lives on */
	SCRY_EV_STOPPED,     /* a tracee entered a group-stop (u.signal.signo) */
	SCRY_EV_CALLS_COUNTED, /* calls counted without events (cfg.stack_sites_counted): u.counted */
	SCRY_EV_SAMPLE,      /* a CPU sample of a thread (scry --profile): u.sample */
};

struct scry_call {
	long nr;                 /* syscall number */
	const char *name;        /* "openat", or NULL if unknown */
	uint64_t args[6];
	int64_t ret;             /* raw kernel return: -errno on failure */
	int is_error;            /* ret is an error */
	uint64_t t_enter_ns;     /* CLOCK_REALTIME */
	uint64_t t_exit_ns;      /* 0 if unfinished */
	uint64_t duration_ns;    /* exit - enter minus the stop overhead, or 0 */
	uint64_t cpu_ns;         /* CPU time of the thread in the call (cfg.cpu_time) */
	/* The arguments as typed values (value.h): those known at entry, then
	 * those the kernel filled in, shown after them.  NULL with no_decode. */
	const struct scry_values *entry_args;
	const struct scry_values *exit_args;   /* at CALL_EXIT only */
	/* Some arguments are only known at exit (exit_args): non-zero.  It is 2
	 * when the last entry argument is SCRY_VF_UPDATED (the exit part starts
	 * with what the kernel wrote into it); that value is deprecated: the
	 * text layout is derived from the values (render_text_entry_comma()). */
	int more_at_exit;
	/* The result as a typed value (value.h), at CALL_EXIT: result->v[0] is
	 * an ERRNO (the call failed: i is the error number), NONE (it does not
	 * return), or INT, HEX, OCT, FD (with its path under -y), FLAGS
	 * (named: what the bits are, e.g. "flags") or ENUM.  NULL when the call
	 * never returned. */
	const struct scry_values *result;
	/* Stored strace text of the result (scry report's replay), shown
	 * instead of rendering result when not NULL; the session leaves it
	 * NULL. */
	const char *ret_text;
	/* cfg.stack_depth > 0: the thread's user stack when it entered the
	 * call (stack.h), the same at CALL_ENTER and CALL_EXIT; NULL when not
	 * asked for or when nothing could be unwound. */
	const struct scry_stack *stack;
	/* cfg.dump_read / dump_write: the bytes the call read or wrote on a
	 * dumped fd, at CALL_EXIT (strace's -e read= / write=); NULL: none. */
	const struct scry_io *io;
	/* enum scry_injected bits, at CALL_EXIT: what -e inject= did to it */
	unsigned injected;
	/* A call made in 32-bit (ia32) mode on x86_64: SCRY_NR_I386 + its
	 * i386 number (nr is its x86_64 twin's, e.g. close's, or this same
	 * number; a socketcall's call has the i386 number of that call's
	 * name).  0 for a native call.  -c counts these in a table of their
	 * own, as strace's "32 bit mode" summary. */
	long compat_nr;
};

/*
 * The data of one call, for strace's -e read= and -e write= dumps: one
 * buffer for read/write, one per iovec for readv/writev/recvmsg/sendmsg
 * (vectored: strace heads each with " * N bytes in buffer I"), and those
 * of each message for recvmmsg/sendmmsg (msgs).  At most
 * SCRY_IO_MAX bytes in all.
 */
#define SCRY_IO_MAX (1u << 20)
struct scry_io_buf {
	const unsigned char *data;
	size_t len;
};
/* sendmmsg/recvmmsg: one per message, whose nbufs buffers follow those of
 * the message before it in bufs (strace heads each with " = IOVLEN
 * buffers in vector I"). */
struct scry_io_msg {
	uint64_t iovlen;         /* its msg_iovlen, as the program gave it */
	size_t nbufs;
};
struct scry_io {
	int vectored;
	size_t n;
	const struct scry_io_buf *bufs;
	size_t nmsgs;            /* 0 but for sendmmsg/recvmmsg */
	const struct scry_io_msg *msgs;
};

struct scry_event {
	enum scry_event_type type;
	pid_t pid;               /* thread group id */
	pid_t tid;               /* thread id */
	int ntracees;            /* how many tasks are traced right now */
	uint64_t ts_ns;          /* CLOCK_REALTIME */
	/* strace's -n and -i prefixes: the number of the thread's latest
	 * system call (-1: none seen), and with cfg.instruction_pointer its
	 * instruction pointer at the call's entry or the signal (0: unknown). */
	long last_nr;
	uint64_t ip;
	union {
		struct scry_call call;            /* CALL_ENTER / CALL_EXIT */
		struct {
			int signo;
			siginfo_t info;
			/* info decoded: one SCRY_V_STRUCT (si_signo an
			 * ENUM of signals, si_code an ENUM of the codes of
			 * that signal, si_pid, si_status, si_addr, ...);
			 * NULL when only text is known (scry report) */
			const struct scry_values *values;
			/* its strace text "{si_signo=SIGCHLD, ...}", the
			 * same as rendering values; kept for compatibility */
			const char *text;
		} signal;
		struct { int status; int signo; int core; } exit;  /* EXITED / KILLED */
		struct { pid_t parent; int is_thread; } task;      /* NEW_TASK */
		struct { pid_t old_tid; const char *filename; } exec;
		/* CALLS_COUNTED: `calls` calls of syscall nr from one call
		 * site of process pid (tid 0), with the stack of one of them
		 * (NULL: not known), their counters, and their latencies as
		 * hist[b] calls in bucket b of the stats/hist.h layout */
		struct {
			long nr;
			const char *name;
			const struct scry_stack *stack;
			uint64_t calls, errors, total_ns, min_ns, max_ns;
			const uint64_t *hist;
			unsigned nbuckets;
		} counted;
		/* SAMPLE: thread tid was on CPU cpu at ts_ns (CLOCK_REALTIME,
		 * as every other event; taken on CLOCK_MONOTONIC and moved by
		 * the offset between the clocks at the start), standing for
		 * period_ns of its CPU time.  stack: leaf first, kernel frames
		 * (SCRY_FRAME_KERNEL) before the user ones; NULL when nothing
		 * could be unwound.  Samples are not calls: they come in
		 * batches, after the calls they fall between (sort by ts_ns for
		 * one timeline), and a sink that has no use for them ignores
		 * them, as it ignores any event type it does not know. */
		struct {
			uint32_t cpu;
			uint64_t period_ns;
			const struct scry_stack *stack;
		} sample;
	} u;
};

/*
 * A sink consumes events: the outputs (text, JSON, JSON Lines, CSV,
 * Chrome trace, SQLite), the summary's counters, or a caller's own.  Every
 * one has this shape:
 *
 *	event()   one event; returns 0 or a negative errno.  An error makes
 *	          the session detach from everything and scry_session_run()
 *	          return it.
 *	flush()   may be NULL: the loop is about to wait (write what is
 *	          buffered, if it is time to).
 *	finish()  may be NULL: the run is over; write what is left (calls
 *	          still open, the summary, the count of lost events) and close
 *	          the document.  Called once, through scry_sink_finish().
 *	          Returns 0 or the sink's first error.
 *	free()    may be NULL: release the sink (finishing it first, without a
 *	          summary, if finish() was not called).
 *
 * A sink that only needs event() is { my_event, NULL, my_ctx }.
 */
struct scry_stats;
struct scry_summary_opts;

/* What finish() is told. */
struct scry_sink_end {
	const struct scry_stats *summary;             /* NULL: no summary */
	const struct scry_summary_opts *summary_opts; /* how to write it (NULL: defaults) */
	uint64_t lost_events;                         /* scry_session_lost() */
	/* CPU samples were handed over (SCRY_EV_SAMPLE; scry --profile):
	 * sample_hz non-zero, samples of them, lost_samples the kernel
	 * dropped (a full ring buffer).  0: none were taken. */
	unsigned sample_hz;
	uint64_t samples, lost_samples;
};

struct scry_sink {
	int (*event)(void *ctx, const struct scry_event *ev);
	int (*flush)(void *ctx);
	void *ctx;
	int (*finish)(void *ctx, const struct scry_sink_end *end);
	void (*free)(void *ctx);
};

/* finish() if the sink has one (end may be NULL: nothing to add); 0 or its error. */
SCRY_API int scry_sink_finish(struct scry_sink *sink, const struct scry_sink_end *end);
/* free() if the sink has one; then the sink is empty (no-op again). */
SCRY_API void scry_sink_free(struct scry_sink *sink);

/* ---- sessions ---- */

SCRY_API int scry_session_new(struct scry_session **out, const struct scry_config *cfg);
SCRY_API void scry_session_free(struct scry_session *s);

/* Sinks are not owned; at most 8.  Add them before launching or attaching. */
SCRY_API int scry_session_add_sink(struct scry_session *s, const struct scry_sink *sink);

/*
 * Why an attach failed, for a message the user can act on.  Filled by
 * scry_session_attach() on failure.
 */
struct scry_attach_error {
	int err;                 /* positive errno */
	char reason[256];        /* "" or e.g. "it is already traced by 123 (gdb)" */
};

/* Attach to pid and every one of its threads, without stopping them. */
SCRY_API int scry_session_attach(struct scry_session *s, pid_t pid, struct scry_attach_error *why);

/*
 * Start argv[0] (found on PATH) under trace.  Returns -ENOENT/-EACCES/...
 * when it cannot be run; nothing is started then.  The child's pid is
 * stored in *pid_out.  It runs no code of the program before
 * scry_session_run() begins (ptrace: it waits at its exec's stop; bpf:
 * before its exec), so what the caller sets up on it meanwhile (a perf
 * sampler) sees it from the start.
 */
SCRY_API int scry_session_launch(struct scry_session *s, char *const argv[], pid_t *pid_out);

/*
 * Trace until every tracee is gone or a detach was requested.  Returns 0, or
 * the first negative errno of a sink or of the library's own (-ENOMEM);
 * everything is detached either way.  (See "What is process-wide" above.)
 */
SCRY_API int scry_session_run(struct scry_session *s);

/*
 * Ask the running loop to detach from everything and return.  Safe to call
 * from a signal handler or another thread (it sets flags and writes to a
 * pipe of the session's; errno is kept): the ptrace loop wakes at once, the
 * bpf loop within 100 ms.  Before scry_session_run(), the run detaches as
 * soon as it starts.  kill_launched: also send that
 * signal (if non-zero) to processes the session launched, after detaching.
 */
SCRY_API void scry_session_request_detach(struct scry_session *s, int kill_launched_sig);

/* The status of the first launched process: wait(2) style, -1 if unknown. */
SCRY_API int scry_session_launched_status(const struct scry_session *s);

/* Whether a detach was requested (and so the run ended early). */
SCRY_API int scry_session_detached(const struct scry_session *s);

/*
 * Measure the tracer's own cost of one syscall stop pair (about 10-60 µs
 * here), so that call durations can be corrected by it.  Call before
 * attaching or launching: it forks, traces and reaps a child of its own.
 */
SCRY_API int scry_session_calibrate(struct scry_session *s);

/* The cost with the tracee on scry's CPU and on another one. */
SCRY_API void scry_session_stop_overheads(const struct scry_session *s, uint64_t *same_cpu, uint64_t *other_cpu);

/* The smaller of the two, in ns (0 unless calibrated). */
SCRY_API uint64_t scry_session_stop_overhead_ns(const struct scry_session *s);

/* Seconds since the first attach or launch. */
SCRY_API double scry_session_elapsed(const struct scry_session *s);

/*
 * Backends that count in the kernel (bpf) fill a struct scry_stats (see
 * src/stats/stats.h) here, reset = 1 starting a new interval; -ENOTSUP for
 * ptrace, whose calls reach the sinks one by one.
 */
SCRY_API int scry_session_read_stats(struct scry_session *s, struct scry_stats *out, int reset);

/* Calls the bpf backend could not count (a kernel map was full). */
SCRY_API uint64_t scry_session_lost(const struct scry_session *s);

/* "ptrace" or "bpf". */
SCRY_API const char *scry_session_backend(const struct scry_session *s);

SCRY_API const char *scry_version(void);

#ifdef __cplusplus
}
#endif
#endif
