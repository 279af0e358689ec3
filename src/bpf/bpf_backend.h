/*
 * scry's bpf backend, statistics mode: counts and times the system calls of
 * traced processes in the kernel (syscount.bpf.c) without stopping them, and
 * hands the totals and latency histograms to the statistics module.
 *
 *	struct scry_bpf *b;
 *	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
 *	char why[256];
 *	if (scry_bpf_probe(why, sizeof(why)) < 0) ... say why, fall back
 *	scry_bpf_open(&b, &o, why, sizeof(why));
 *	scry_bpf_add_pid(b, pid);            and/or scry_bpf_launch(b, argv, &pid)
 *	scry_bpf_wait(b, -1);                until every traced process is gone
 *	scry_bpf_read(b, &stats);            (and scry_bpf_reset() for --interval)
 *	scry_bpf_close(b);                   unloads everything
 *
 * Conventions as in libscry: 0 or a negative errno, no printing, no exit.
 * Where a reason helps the user, functions that take (why, len) fill it with
 * one line ("needs root or CAP_BPF and CAP_PERFMON", ...).
 *
 * Needs: root, or CAP_BPF + CAP_PERFMON; kernel BTF at
 * /sys/kernel/btf/vmlinux; a kernel with BPF task storage and tp_btf
 * (5.11+).  Built with -DSCRY_NO_BPF (no clang/bpftool/BTF at build time)
 * every function is a stub that returns -ENOTSUP with that reason.
 *
 * What is traced: whole processes (every thread of a traced tgid, since the
 * kernel filter is a map of tgids); with follow_forks also every process
 * they fork, from its first call.  A call is counted when it returns
 * (exit and exit_group never do, as with ptrace -c); one already under way
 * when tracing starts is not counted.  Latency is the wall time from the
 * sys_enter to the sys_exit tracepoint, with no overhead to subtract.
 *
 * Not thread safe: one thread drives a struct scry_bpf.
 */
#ifndef SCRY_BPF_BACKEND_H
#define SCRY_BPF_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stats/stats.h"

struct scry_bpf;

struct scry_bpf_opts {
	int follow_forks;	/* -f: children are traced from their first call */
	int per_process;	/* rows per (tgid, syscall), else per syscall */
	/* -e trace=SET: bit nr of nrs[nr / 64] set = count syscall nr.
	 * NULL: every syscall.  Numbers at or above 64 * nr_words, or above
	 * the kernel map's size (1024), are not counted. */
	const uint64_t *nrs;
	size_t nr_words;
	/* Signals (bit sig-1) a launched command gets at SIG_DFL although we
	 * ignore them (see scry_config.child_default_signals). */
	uint64_t child_default_signals;
	int hooks;		/* BPF_HOOKS_AUTO, _RAW or _SYSCALLS (bpf_common.h) */
	/* Whole-histogram slots (syscount.h): 0 as many as the budget
	 * allows, N at most N, < 0 none (every bucket in the hash). */
	int hist_slots;
	/* scry serve: processes counted without scry_bpf_add_pid() (at their
	 * threads' first call, never scry itself): every one, those named
	 * match_comm (the process name, 15 bytes at most), those in a cgroup
	 * given to scry_bpf_set_cgroups(). */
	int match_all;
	const char *match_comm;
	int match_cgroups;
	int count_errnos;	/* errors by errno: scry_bpf_read_reset_errnos() */
	int keep_comms;		/* names of exited processes: scry_bpf_exited_comm() */
	/* Time one call in N of a hot (thread, syscall), the sample's
	 * latencies weighted N (syscount.h); 0: time every call (scry serve,
	 * --exact-latency).  Calls and errors are exact either way. */
	int sample_latency;
};
#define SCRY_BPF_OPTS_INIT { 0, 0, NULL, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0 }

/*
 * 0 when the bpf backend can run here: privilege, kernel BTF, and the
 * kernel accepts the programs (they are loaded and unloaded again).  Else
 * -EPERM, -ENOENT, -ENOTSUP, ... and a reason naming the missing piece.
 */
int scry_bpf_probe(char *why, size_t len);

/* Loads and attaches the programs.  Nothing is traced until add/launch. */
int scry_bpf_open(struct scry_bpf **out, const struct scry_bpf_opts *opts,
		  char *why, size_t len);

/* Where the programs hang, in words (for -v). */
const char *scry_bpf_describe(const struct scry_bpf *b, char *buf, size_t len);

/* Detaches and unloads everything (programs, maps, links); frees b.  The
 * traced processes go on running; a launched child is not killed (the
 * caller may kill it first).  NULL is fine. */
void scry_bpf_close(struct scry_bpf *b);

/* Traces process pid (its tgid: all its threads).  -ESRCH if it does not
 * exist, -ENOSPC when the map of processes is full. */
int scry_bpf_add_pid(struct scry_bpf *b, pid_t pid);

/*
 * Starts argv[0] (found on PATH like execvp) traced from its execve on.
 * The program is resolved first: -ENOENT, -EACCES, ... and nothing is
 * started when it cannot be run.  The child waits on a pipe until its pid
 * is in the kernel's map, then execs; it inherits the caller's environment.
 * If that exec fails all the same, the child exits with status 127.
 */
int scry_bpf_launch(struct scry_bpf *b, char *const argv[], pid_t *pid);

/*
 * Waits until every traced process has exited (with follow_forks, their
 * traced descendants too), at most timeout_ms (< 0: no limit).  Reaps the
 * launched child.  0: all gone; -ETIMEDOUT; -EINTR when a signal arrived
 * (the caller checks its flags and calls again).
 */
int scry_bpf_wait(struct scry_bpf *b, int timeout_ms);

/* The wait(2) status of the launched child, -1 while it runs or if none. */
int scry_bpf_launched_status(const struct scry_bpf *b);

/*
 * Adds the kernel's counts since open (or the last reset) to out, which
 * decides whether rows are per process.  0 or -ENOMEM / -errno of a map
 * read.  out's rows get calls, errors, total, min, max and the histogram;
 * with opts.sample_latency the histogram and total are the sample's,
 * weighted, and total is scaled to the calls (scry_stats_row_unsample()).
 */
int scry_bpf_read(struct scry_bpf *b, struct scry_stats *out);

/* Empties the kernel's counts. */
int scry_bpf_reset(struct scry_bpf *b);

/*
 * For --interval: adds the counts since the last call (or open) to out and
 * starts a new period, losing no call in between (the programs count into
 * the other of two epochs while this one is read and emptied).
 */
int scry_bpf_read_reset(struct scry_bpf *b, struct scry_stats *out);

/*
 * scry_bpf_read_reset(), and with opts.count_errnos the errors of the same
 * period by errno: fn(ctx, pid (0 unless per process), nr, errno, count)
 * for each; a non-zero return stops and is returned.
 */
int scry_bpf_read_reset_errnos(struct scry_bpf *b, struct scry_stats *out,
			       int (*fn)(void *ctx, int pid, int nr, int err, uint64_t n),
			       void *ctx);

/* With opts.keep_comms: the name (comm) process pid had when it exited,
 * while the kernel keeps it (the last SCRY_BPF_MAX_COMMS exits).  0, or
 * -ENOENT when it is not known. */
int scry_bpf_exited_comm(struct scry_bpf *b, int pid, char *buf, size_t len);

/* With opts.match_cgroups: the processes of exactly these cgroup v2 ids
 * count from their next call (ids no longer listed stop matching new
 * threads).  -ENOSPC past SCRY_BPF_MAX_CGROUPS (syscount.h). */
int scry_bpf_set_cgroups(struct scry_bpf *b, const uint64_t *ids, size_t n);

/* The kernel's run time and runs of the programs, summed; zeros unless
 * kernel.bpf_stats_enabled is 1.  0 or -errno. */
int scry_bpf_run_stats(const struct scry_bpf *b, uint64_t *ns, uint64_t *runs);

/* Calls or processes not counted because a kernel map was full. */
uint64_t scry_bpf_lost(const struct scry_bpf *b);

/* Processes that exec'd a 32-bit (ia32) program, whose calls (i386
 * numbers) are counted no more; *last: the last of them. */
uint64_t scry_bpf_ia32_execs(const struct scry_bpf *b, pid_t *last);

/* Seconds since scry_bpf_open(). */
double scry_bpf_elapsed(const struct scry_bpf *b);

#endif /* SCRY_BPF_BACKEND_H */
