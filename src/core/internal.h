/*
 * Internal structures of a session, shared by the core and the ptrace
 * backend.  Not part of the public API.
 */
#ifndef SCRY_INTERNAL_H
#define SCRY_INTERNAL_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "scry/scry.h"
#include "util/strbuf.h"
#include "syscalls/syscalls.h"
#include "decode/decode.h"
#include "unwind/unwind.h"

#define SCRY_MAX_SINKS 8

enum tracee_flags {
	T_IN_SYSCALL  = 1u << 0,  /* between entry and exit stop */
	T_HIDDEN      = 1u << 1,  /* launched child before its first exec */
	T_LAUNCHED    = 1u << 2,  /* started by us: may be killed with us */
	T_DETACHING   = 1u << 3,  /* interrupted, detach at its next stop */
	T_LISTENING   = 1u << 4,  /* in group-stop, restarted with LISTEN */
	T_SEEN_STOP   = 1u << 5,  /* reported at least one stop */
	T_ENTRY_SHOWN = 1u << 6,  /* CALL_ENTER was given to the sinks */
	T_MUTED       = 1u << 7,  /* traced only to keep seccomp working: never shown */
	T_SECCOMP_ENTRY = 1u << 8, /* entry recorded at a seccomp stop */
	T_UNSHOWN     = 1u << 9,  /* a process the user did not ask for (no -f):
	                             not one of the event's ntracees */
	T_AWAIT_PARENT = 1u << 10, /* a new task whose first stop beat its
	                             parent's fork/clone event: kept at that stop
	                             (held_status) until the event names its parent */
	T_DELAY_HELD  = 1u << 11, /* kept stopped for -e inject=delay_*, resumed
	                             by the loop at delay_until (backend/ptrace.c) */
};

/*
 * What the engine (core/engine.c) keeps of a call from its entry to its
 * exit: the arguments decoded at entry, and what the decoder asked to
 * remember.  Only the engine reads or writes it.
 */
struct call_state {
	struct scry_values vals;  /* the arguments decoded at entry */
	enum dec_exit more;       /* what the decoder still has to say at exit */
	uint64_t state;           /* the decoder's memory from entry to exit */
	enum rfmt rfmt;           /* how the result is shown, as the decoder said */
	const struct scry_xlat *rxlat;
	const char *rword, *rzero;
	uint16_t rfield;
	/* cfg.stack_depth: the stack unwound at entry, shown with CALL_ENTER
	 * and CALL_EXIT (has_stack), in frames[] (made once per tracee) */
	int has_stack;
	struct scry_stack stack;
	struct scry_frame *frames;
};

struct tracee {
	pid_t tid;
	pid_t tgid;
	unsigned flags;
	long nr;                 /* current call, valid with T_IN_SYSCALL */
	uint64_t args[6];
	uint64_t t_enter_ns;     /* CLOCK_REALTIME at the entry stop */
	uint64_t t_enter_mono;   /* CLOCK_MONOTONIC at the entry stop */
	uint64_t t_enter_cpu;    /* the thread's CPU time at entry (cfg.cpu_time) */
	int sched_fd;            /* its /proc schedstat, opened on first use, or -1 */
	int stat_fd;             /* its /proc stat, likewise */
	uint64_t sp;             /* stack pointer at entry */
	uint64_t ip;             /* instruction pointer at entry (cfg.instruction_pointer) */
	struct call_state call;  /* the engine's, for the current call */
	long restart_nr1;        /* the call that last returned ERESTART_RESTARTBLOCK, + 1
	                            (0: none), named by restart_syscall's decoder */
	int held_status;         /* the wait status kept with T_AWAIT_PARENT */
	uint64_t held_ns;        /* when it was held (CLOCK_MONOTONIC) */
	/* -e inject= (backend/ptrace.c): invocations seen per call number
	 * (allocated on first use), the rule applied to the current call,
	 * what it did (enum scry_injected), and a delayed resume */
	uint32_t *inj_seen;
	const struct scry_inject *inj;
	unsigned inj_done;
	uint64_t delay_until;    /* CLOCK_MONOTONIC, with T_DELAY_HELD */
	int delay_sig;           /* the signal to resume it with */
	int inj_sig;             /* how the current stop must end: with */
	uint64_t inj_delay_ns;   /*   this signal, after this delay */
	unsigned char pers;      /* its calls' ABI: PERS_* (0: none seen) */
	uint64_t ipc_result_at;  /* an ia32 ipc(SHMAT): where its result is, else 0 */
	unsigned char ipc_indirect;   /* its call is the one an ia32 ipc() made */
};
/* The ABIs of a tracee's calls (cfg.personality): x86_64 and ia32. */
enum { PERS_NATIVE = 1, PERS_IA32 = 2 };

/*
 * A backend produces calls and process events for the session (DESIGN.md):
 * ptrace stops the tracee at each call, bpf counts in the kernel.  One small
 * table of functions each, as redis puts ae_epoll.c behind ae.c.
 */
struct backend_ops {
	const char *name;
	/* Which configurations it serves: cfg.backend, and for bpf whether
	 * only in-kernel counts are wanted (cfg.bpf_counts_only). */
	int kind;                 /* enum scry_backend */
	int counts_only;
	/* Makes s->backend_data, or says why not (why, whylen) and returns a
	 * negative errno.  NULL: nothing to set up. */
	int (*setup)(struct scry_session *s, char *why, size_t whylen);
	int (*attach)(struct scry_session *s, pid_t pid, struct scry_attach_error *why);
	int (*launch)(struct scry_session *s, char *const argv[], pid_t *pid_out);
	int (*run)(struct scry_session *s);
	int (*calibrate)(struct scry_session *s);             /* may be NULL */
	/* Backends that aggregate in the kernel fill stats here; NULL for
	 * those that deliver every call to the sinks. */
	int (*read_stats)(struct scry_session *s, struct scry_stats *out, int reset);
	uint64_t (*lost)(const struct scry_session *s);       /* may be NULL */
	void (*release)(struct scry_session *s);              /* may be NULL */
};

/* backend/backends.c: every backend, ptrace first (the default); the
 * session picks the one that serves its config, by kind, never by name. */
extern const struct backend_ops *const backend_table[];

struct scry_session {
	struct scry_config cfg;
	const struct backend_ops *backend;
	void *backend_data;
	const struct scry_syscall_table *table;
	struct scry_sink sinks[SCRY_MAX_SINKS];
	int nsinks;

	/* The tracee table: open addressing on tid, linear probing. */
	struct tracee **slots;
	size_t cap;
	size_t count;
	size_t unshown;          /* tracees with T_UNSHOWN */
	size_t nheld;            /* tracees with T_AWAIT_PARENT */
	uint64_t held_check_ns;  /* next look for held tasks of a dying group */
	/* Exits of tasks not (yet) known: a new task can die before its first
	 * stop and be reported before its creator's clone event names it. */
	struct { pid_t pid; int status; } early_gone[32];
	unsigned nearly_gone;    /* next slot of the ring above */
	/* the wait statuses collected but not handled yet (ptrace_run's batch) */
	const struct pending_status *batch_rest;
	int nbatch_rest;

	volatile sig_atomic_t detach_requested;
	/* A pipe whose write end scry_session_request_detach() writes a byte
	 * to (async-signal-safe), so that the loop's waker (backend/ptrace.c)
	 * wakes the waiting tracer thread at once.  -1: none. */
	int wake_rd, wake_wr;
	/* The session's own tracer thread (core/session.c): every ptrace
	 * request, fork and wait of a session happens on it, so that its
	 * waits (__WNOTHREAD) see only the session's tasks, never the host
	 * program's own children. */
	struct tracer_thread *tracer;
	volatile sig_atomic_t kill_launched_sig;
	int detached;

	/* Wait statuses collected during an attach by the thread that reaps
	 * for a PTRACE_SEIZE stuck behind an exec (backend/ptrace.c); the
	 * event loop handles them first. */
	struct pending_status { pid_t pid; int status; } *pending;
	size_t npending, cap_pending;

	pid_t launched_pid;      /* first launched process, or 0 */
	int launched_status;     /* wait status, -1 until it ends */
	uint64_t overhead_ns;        /* the smaller of the two below */
	uint64_t overhead_same_ns;   /* stop pair cost, tracee on our CPU */
	uint64_t overhead_cross_ns;  /* ... on another CPU */
	uint64_t start_mono;
	int have_syscall_info;   /* PTRACE_GET_SYSCALL_INFO works */
	unsigned char cur_pers;  /* the ABI of the last call seen (PERS_*; 0: none) */
	int sink_err;

	pid_t self;
	pid_t self_parent;

	decoder_fn *decoders;    /* by syscall number */
	decoder_fn *decoders_i386; /* by i386 number, built at the first ia32 call */
	int *i386_of;            /* by native number: the i386 call of its name, or -1
	                            (scry_call.compat_nr), built at the first ia32 call */
	struct scry_values exit_vals; /* arguments decoded at the exit stop */
	struct strbuf scratch;
	struct scry_values result;    /* the result of the call at exit */
	/* -e read= / write=: the bytes of the call being dumped */
	unsigned char *io_data;
	struct scry_io_buf *io_bufs;
	size_t io_cap_bufs;
	struct scry_io_msg *io_msgs;
	size_t io_cap_msgs;
	struct scry_io io;
	/* -e inject=: index + 1 of the rule for each call number (0: none),
	 * at inject_slot(s, nr) (ia32 processes' i386 calls after the native
	 * ones); inject_nslots of them */
	uint16_t *inject_rule;
	size_t inject_nslots;
	size_t ndelayed;         /* tracees with T_DELAY_HELD */
	struct unwinder *unwind;      /* cfg.stack_depth: made at the first stack */
	struct scry_values siginfo;   /* the siginfo of a signal event */
};

/* The slot of call nr in inject_rule[] and tracee.inj_seen[]: a native
 * call's number, an ia32 process's i386 call (SCRY_NR_I386 + n) after the
 * native ones; -1 for none. */
static inline long inject_slot(const struct scry_session *s, long nr)
{
	if (nr >= SCRY_NR_I386 && s->table == &scry_table_x86_64 &&
	    nr - SCRY_NR_I386 < (long)scry_table_i386.ncalls)
		return (long)s->table->ncalls + (nr - SCRY_NR_I386);
	return nr >= 0 && (unsigned long)nr < s->table->ncalls ? nr : -1;
}

/* core/engine.c: the i386 number of the call named as native call nr
 * (x86_64 sessions), or -1; the table is built at the first use */
long session_i386_nr(struct scry_session *s, long nr);

/* core/session.c */
uint64_t scry_now_mono(void);
uint64_t scry_now_real(void);
struct tracee *tracee_get(struct scry_session *s, pid_t tid);
/* Marks t as not one of the tracees the user sees (see T_UNSHOWN). */
void tracee_set_unshown(struct scry_session *s, struct tracee *t);
struct tracee *tracee_add(struct scry_session *s, pid_t tid, pid_t tgid, unsigned flags);
void tracee_remove(struct scry_session *s, struct tracee *t);
/* Re-key a tracee whose tid changed (exec by a non-leader thread). */
void tracee_rekey(struct scry_session *s, struct tracee *t, pid_t newtid);
/* Calls fn for every tracee; fn may not add or remove. */
void tracee_each(struct scry_session *s, void (*fn)(struct scry_session *, struct tracee *, void *), void *data);
int session_emit(struct scry_session *s, struct scry_event *ev);
/* An error of the library's own (-ENOMEM): the first one is what
 * scry_session_run() returns; the loop detaches from everything. */
void session_fail(struct scry_session *s, int err);
void session_flush(struct scry_session *s);
/* The thread group of tid (tid itself if /proc cannot say). */
pid_t proc_tgid(pid_t tid);
/* The process to trace for -p pid: its tgid, or -errno with why filled
 * (scry itself and its parent are refused). */
pid_t session_attach_target(struct scry_session *s, pid_t pid, struct scry_attach_error *why);


struct scry_stats;

#endif
