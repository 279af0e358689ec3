/*
 * scry's bpf backend, trace mode: every system call of the traced processes
 * becomes one event from the kernel (systrace.bpf.c) with its raw arguments,
 * result, times and bounded copies of the memory the common decoders read
 * (path and string arguments, sockaddrs, the first bytes of data buffers);
 * exec, fork and exit come as process events.  Nobody is stopped.
 *
 *	struct scry_bpf_trace *t;
 *	struct scry_bpf_trace_opts o = SCRY_BPF_TRACE_OPTS_INIT;
 *	char why[256];
 *	scry_bpf_trace_open(&t, &o, why, sizeof(why));
 *	scry_bpf_trace_add_pid(t, pid);        and/or scry_bpf_trace_launch(t, argv, &pid)
 *	while (scry_bpf_trace_running(t))
 *		scry_bpf_trace_poll(t, 100, on_call, on_proc, ctx);
 *	scry_bpf_trace_poll(t, 0, on_call, on_proc, ctx);   the rest
 *	scry_bpf_trace_lost(t);                say it if not 0
 *	scry_bpf_trace_close(t);               unloads everything
 *
 * Conventions as in libscry: 0 or a negative errno, no printing, no exit;
 * functions that take (why, len) fill it with one line on failure.  Needs
 * what bpf_backend.h needs (root or CAP_BPF + CAP_PERFMON, kernel BTF,
 * 5.11+; the ring buffer's query/wakeup flags 5.8+).  Built without the
 * systrace skeleton (SCRY_NO_BPF, or the build did not make it) every
 * function returns -ENOTSUP with that reason.
 *
 * One event per call, sent when the call returns: the entry part is kept
 * per thread in the kernel meanwhile, so a call that never returns
 * (exit_group, a thread killed inside a call) arrives with unfinished set
 * when its thread exits.  A call under way when tracing starts is not seen.
 * Events of one thread arrive in order; across threads and CPUs roughly in
 * time order (the ring buffer's reservation order).
 *
 * Not thread safe: one thread drives a struct scry_bpf_trace.
 */
#ifndef SCRY_BPF_TRACE_H
#define SCRY_BPF_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct scry_bpf_trace;
struct scry_syscall_table;

struct scry_bpf_trace_opts {
	int follow_forks;	/* -f: children traced from their first call */
	/* -e trace=SET: bit nr of nrs[nr / 64] set = trace syscall nr.
	 * NULL: every syscall.  Numbers at or above 64 * nr_words or 1024
	 * are not traced when a set is given. */
	const uint64_t *nrs;
	size_t nr_words;
	size_t ringbuf_bytes;	/* 0: 8 MiB; rounded up to a power of 2, >= 4096 */
	int string_limit;	/* -s: bytes of data buffers captured (0: 32; max 256) */
	/* Which arguments are paths/strings (SCRY_ARG_PATH/STR) and the
	 * numbers of read, connect, ...: NULL = scry_native_table(). */
	const struct scry_syscall_table *table;
	/* Wake the reader once this many bytes wait in the ring; it reads
	 * the rest at each poll's timeout.  0: an eighth of the ring;
	 * 1: at every record (the kernel then wakes it only when it had
	 * caught up).  Batching makes a storm 2-3 times cheaper; events wait
	 * up to the poll timeout. */
	size_t wakeup_bytes;
	/* Signals (bit sig-1) a launched command gets at SIG_DFL although we
	 * ignore them (see scry_config.child_default_signals). */
	uint64_t child_default_signals;
	int hooks;		/* BPF_HOOKS_AUTO, _RAW or _SYSCALLS (bpf_common.h) */
	/* -k, --source: each call carries the thread's user registers at
	 * entry and this many bytes of its stack from sp up (fewer where the
	 * stack ends), for the unwinder.  0: none; at most 16 KiB. */
	size_t stack_bytes;
	/* With stack_bytes, for a summary by call site (--source -c): the
	 * kernel counts and times the calls of each call-site key made from
	 * the registers and this many bytes of stack (multiple of 8, at most
	 * 2 KiB); only each key's first call comes as an event (site_new set),
	 * the rest are read with scry_bpf_trace_sites().  0: every call comes. */
	size_t site_bytes;
	/* With stack_bytes: the frame-pointer callchain the kernel walks
	 * (bpf_get_task_stack) instead of a copy of the stack (see
	 * scry_bpf_call_event.stack_fp); site_bytes is then ignored */
	int stack_fp;
};
#define SCRY_BPF_TRACE_OPTS_INIT { 0, NULL, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0 }
#define SCRY_BPF_STACK_MAX 16384

/* What a captured region holds */
enum scry_bpf_region_kind {
	SCRY_BPF_REG_STR0,	/* first path/string argument (NUL included
				 * unless truncated) */
	SCRY_BPF_REG_STR1,	/* second one */
	SCRY_BPF_REG_ADDR,	/* sockaddr (connect/bind/sendto at entry;
				 * accept/accept4/recvfrom/getsockname/
				 * getpeername at exit) */
	SCRY_BPF_REG_ADDRLEN,	/* the socklen_t behind an addrlen pointer, at exit */
	SCRY_BPF_REG_BUF,	/* data: write-like at entry, min(count, -s);
				 * read-like at exit, min(ret, -s) */
	SCRY_BPF_REG_IN,	/* a struct the call reads (a timespec, a
				 * sigset, a struct sigaction), at entry */
	SCRY_BPF_REG_OUT,	/* a struct (or array) it fills (stat, pipe
				 * fds, pollfds, epoll events), at exit */
	SCRY_BPF_REG_ARGV,	/* execve's argv pointers, NULL included */
	SCRY_BPF_NREG
};

struct scry_bpf_region {
	uint64_t addr;		/* the user address the bytes were read from */
	const void *bytes;	/* valid during the callback only */
	uint32_t len;		/* 0: nothing (NULL pointer, failed read, ...) */
	int used;		/* the call has this argument and it was tried */
	int fault;		/* the kernel could not read it */
	int truncated;		/* a string longer than 255 bytes: no NUL */
};

/* A call-site key (site_bytes): with the process and call number, what
 * the kernel counts one call site's calls under. */
struct scry_bpf_site_key {
	uint32_t exec;		/* the process's image (exec count) */
	uint32_t len;		/* bytes of stack from sp it hashes */
	uint64_t hash;
};

struct scry_bpf_call_event {
	pid_t tgid, tid;
	long nr;
	uint64_t args[6];
	uint64_t sp;		/* the user stack pointer at entry */
	int64_t ret;		/* raw: -errno on failure; 0 when unfinished */
	int unfinished;		/* the call never returned (exit, killed) */
	uint64_t t_enter_mono, t_exit_mono;	/* CLOCK_MONOTONIC ns */
	uint64_t t_enter_ns, t_exit_ns;		/* CLOCK_REALTIME ns (scry_call's) */
	struct scry_bpf_region reg[SCRY_BPF_NREG];	/* by enum scry_bpf_region_kind */
	long envc;		/* execve: envp's entries, or -1 (not counted) */
	/* stack_bytes: the user stack from sp at entry (stack.addr = sp),
	 * and in regs the registers; has_stack 0 when the call came without
	 * them (stack_bytes 0, or no memory for them in the kernel) */
	int has_stack;
	struct scry_bpf_region stack;
	/* bit i: the i-th 4 KiB page from the one sp is in could not be read
	 * (never touched): those bytes of stack are not served */
	uint32_t stack_holes;
	/* --stack-mode fp (has_stack): stack.bytes are 64-bit words, not the
	 * stack: the word at sp when it is a code address (else 0), then the
	 * frame-pointer callchain the kernel walked, the pc first */
	int stack_fp;
	/* execve: the strings argv points to (the first 16); only the first
	 * nvec are set (last, so that the rest need not be cleared per call) */
	int nvec;
	struct scry_bpf_region vec[16];
	/* has_stack: DWARF-numbered user registers (core/engine.h's struct
	 * raw_regs); bit i of regs_have says regs[i] is set */
	uint64_t regs_have;
	uint64_t regs[33];
	/* site_bytes: the first call of call-site key `site` (whose later
	 * calls the kernel counts); site_len: the bytes of stack from sp the
	 * key hashes (what an unwinder may read for the key to be sound) */
	int site_new;
	uint32_t site_len;
	uint64_t site_code;	/* words below this were not hashed */
	struct scry_bpf_site_key site;
};

/* The calls of one call-site key the kernel counted (site_bytes). */
struct scry_bpf_site {
	pid_t tgid;
	long nr;
	struct scry_bpf_site_key key;
	uint64_t calls, errors, total_ns, min_ns, max_ns;
	/* latency histogram in stats/hist.h's layout: hist[b] calls fell in
	 * bucket b (nbuckets of them) */
	const uint64_t *hist;
	unsigned nbuckets;
};

enum scry_bpf_proc_type {
	SCRY_BPF_PROC_EXEC, SCRY_BPF_PROC_EXIT, SCRY_BPF_PROC_FORK, SCRY_BPF_PROC_SIGNAL,
	SCRY_BPF_PROC_MAPS
};

struct scry_bpf_proc_event {
	enum scry_bpf_proc_type type;
	pid_t tgid, tid;
	uint64_t ts_mono, ts_ns;	/* CLOCK_MONOTONIC, CLOCK_REALTIME */
	pid_t old_tid;			/* EXEC: the thread that called execve */
	int ia32;			/* EXEC: a 32-bit (ia32) program, whose process
					   the kernel traces no more */
	const char *filename;		/* EXEC (valid during the callback) */
	int exit_code;			/* EXIT: wait(2) status (task->exit_code) */
	int group_dead;			/* EXIT: the process is gone */
	pid_t child_tgid, child_tid;	/* FORK */
	int is_thread;			/* FORK: a new thread */
	int followed;			/* FORK: the child is traced */
	int sig;			/* SIGNAL */
	const void *siginfo;		/* SIGNAL: siginfo_bytes of a siginfo_t */
	size_t siginfo_bytes;
	/* MAPS (with stacks): the process's code mappings as the kernel saw
	 * them before this point of the stream, in /proc/PID/maps's format
	 * (valid during the callback) */
	const char *maps;
	size_t maps_len;
};

/* Return 0 to go on, a negative errno to stop (poll returns it). */
typedef int (*scry_bpf_call_cb)(void *ctx, const struct scry_bpf_call_event *e);
typedef int (*scry_bpf_proc_cb)(void *ctx, const struct scry_bpf_proc_event *e);

/* Loads and attaches the programs.  Nothing is traced until add/launch. */
int scry_bpf_trace_open(struct scry_bpf_trace **out, const struct scry_bpf_trace_opts *opts,
			char *why, size_t len);

/* Where the programs hang, in words (for -v). */
const char *scry_bpf_trace_describe(const struct scry_bpf_trace *t, char *buf, size_t len);

/* Detaches and unloads everything; frees t.  Traced processes go on
 * running.  NULL is fine. */
void scry_bpf_trace_close(struct scry_bpf_trace *t);

/* Traces process pid (all its threads).  -ESRCH, -ENOSPC (map full). */
int scry_bpf_trace_add_pid(struct scry_bpf_trace *t, pid_t pid);

/* Starts argv[0] (PATH search) traced from its execve on; see
 * scry_bpf_launch() in bpf_backend.h. */
int scry_bpf_trace_launch(struct scry_bpf_trace *t, char *const argv[], pid_t *pid);

/*
 * Waits at most timeout_ms (< 0: no limit, 0: not at all) for events or a
 * traced process's exit, then hands every waiting event to on_call /
 * on_proc (either may be NULL).  Returns the number of events handed over,
 * -EINTR, or the first negative value a callback returned.
 */
int scry_bpf_trace_poll(struct scry_bpf_trace *t, int timeout_ms,
			scry_bpf_call_cb on_call, scry_bpf_proc_cb on_proc, void *ctx);

/* 1 while a traced process lives (with follow_forks, a traced descendant
 * too), else 0.  Reaps the launched child.  Does not wait. */
int scry_bpf_trace_running(struct scry_bpf_trace *t);

/* poll() until nothing runs or timeout_ms passed (< 0: no limit), then
 * drains the ring.  0, -ETIMEDOUT, -EINTR or a callback's error. */
int scry_bpf_trace_wait(struct scry_bpf_trace *t, int timeout_ms,
			scry_bpf_call_cb on_call, scry_bpf_proc_cb on_proc, void *ctx);

/* The wait(2) status of the launched child, -1 while it runs or if none. */
int scry_bpf_trace_launched_status(const struct scry_bpf_trace *t);

/* Events the kernel could not send (ring buffer full, no memory): all of
 * them, and split into calls and process events. */
uint64_t scry_bpf_trace_lost(const struct scry_bpf_trace *t);
void scry_bpf_trace_lost_split(const struct scry_bpf_trace *t, uint64_t *calls, uint64_t *procs);
/* With stack_bytes: calls that were sent without their stack (no memory
 * for the thread's copy in the kernel). */
uint64_t scry_bpf_trace_stacks_lost(const struct scry_bpf_trace *t);

/* With stack_bytes: the MAPS records the kernel sent so far, the mappings
 * they carried (a record after a dlopen carries the added ones only) and
 * their bytes in the ring. */
void scry_bpf_trace_maps_sent(const struct scry_bpf_trace *t, uint64_t *records, uint64_t *entries,
			      uint64_t *bytes);

/*
 * The decoders' memory reader for a call event: copies the captured bytes
 * at [addr, addr + len) that lie in one region, from addr on, and returns
 * how many (fewer than len where the capture ends), or -EFAULT when addr is
 * in no captured region.  len 0 returns 0.
 */
ssize_t scry_bpf_call_read(const struct scry_bpf_call_event *e, uint64_t addr, void *buf, size_t len);
/*
 * The same, serving the stack copy too: the memory as it was at the call's
 * entry (the unwinder, and decoders at entry).  Not for what a call wrote:
 * the copy predates it.
 */
ssize_t scry_bpf_call_read_entry(const struct scry_bpf_call_event *e, uint64_t addr, void *buf,
				 size_t len);

/*
 * site_bytes: hands each key the kernel counted calls of to cb (its
 * counters summed over the CPUs), once.  Call it when nothing is traced
 * any more (after the last poll).  0, -ENOMEM, or cb's negative value.
 */
int scry_bpf_trace_sites(struct scry_bpf_trace *t, int (*cb)(void *ctx, const struct scry_bpf_site *site),
			 void *ctx);

/* site_bytes: the kernel counts the calls of a key (of process tgid, call
 * nr) from the one that came with site_new on; count 0 tells it to send
 * each as an event with its stack instead (the key does not decide the
 * call site), 1 to count them again.  0 or a negative errno. */
int scry_bpf_trace_site_set(struct scry_bpf_trace *t, pid_t tgid, long nr,
			    const struct scry_bpf_site_key *key, int count);

/* site_bytes: calls counted by site whose latency found no room in the
 * kernel's histogram (their counts are whole; percentiles leave them out) */
uint64_t scry_bpf_trace_site_hist_lost(const struct scry_bpf_trace *t);

#endif /* SCRY_BPF_TRACE_H */
