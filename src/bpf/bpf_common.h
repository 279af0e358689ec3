/*
 * What the two bpf front ends (bpf_backend.c: counting, bpf_trace.c:
 * tracing) share: reasons, the privilege and BTF checks, pidfds, and the
 * capture of libbpf's messages.
 */
#ifndef SCRY_BPF_COMMON_H
#define SCRY_BPF_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BPF_BTF_PATH "/sys/kernel/btf/vmlinux"

/* Writes a reason into why (NULL or 0-sized: nothing). */
void bpf_set_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 0 when we may load programs (root, or CAP_BPF and CAP_PERFMON) and the
 * kernel has BTF; else -EPERM/-ENOENT/-EACCES and the reason.  Without
 * pidns_ok, also -ENOTSUP when scry runs in a pid namespace. */
int bpf_check_env(char *why, size_t len, int pidns_ok);

/* 1 and the device and inode of scry's pid namespace when it is not the
 * initial one (a container), else 0. */
int bpf_pidns(uint64_t *dev, uint64_t *ino);

/* The state of task tid (/proc/TID/stat: 'R', 'S', 'Z', ...), 0 if gone. */
char bpf_task_state(pid_t tid);

/* -ESRCH and the reason when process or thread pid has exited (a zombie),
 * or is a process whose main thread has exited while others run: ptrace
 * cannot attach to either, and bpf must not say it did.  Else 0. */
int bpf_attach_check(pid_t pid, char *why, size_t len);

/* pidfd_open(2), or -1 and errno. */
int bpf_pidfd_open(pid_t pid);

/* Puts tgid pid in a traced-processes map (u32 -> u8 state): 0, -ENOSPC
 * when the map is full, or -errno. */
int bpf_map_set_pid(int map_fd, pid_t pid, unsigned char state);

/*
 * The processes a front end added or launched: where their pids go in the
 * kernel (traced_pids, or ns_pending when scry runs in a pid namespace:
 * pidns.bpf.h), their pidfds, which tell when they are gone, and the
 * launched command's wait status.
 */
struct bpf_targets {
	struct bpf_watched { pid_t pid; int fd; } *w;	/* fd -1 once reaped */
	size_t nw, allocw;
	int pids_fd;		/* traced_pids: host tgids */
	int add_fd;		/* where our pids go: pids_fd or ns_pending */
	int ep;			/* an epoll set the pidfds join (data: index), or -1 */
	int follow_forks;	/* their children count as targets too */
	uint64_t child_default_signals;	/* for the launched command */
	pid_t launched_pid;
	int launched_status;	/* its wait status once reaped, else -1 */
	/* launched commands held at their gates until bpf_targets_start() */
	struct bpf_held { pid_t pid; int gate; } *held;
	size_t nheld;
};

void bpf_targets_init(struct bpf_targets *t, int pids_fd, int pending_fd, int ep,
		      int follow_forks, uint64_t child_default_signals);
void bpf_targets_release(struct bpf_targets *t);
/* Traces process pid from now on: -ESRCH, -ENOSPC (map full), -errno. */
int bpf_targets_add(struct bpf_targets *t, pid_t pid, unsigned char state);
/* Starts argv (see launch_gated()) and traces it with state (until its
 * exec, say): the pid or -errno; nothing runs when it cannot be traced.
 * The child waits at its gate (before exec) until the caller first asks
 * whether its targets run (bpf_targets_running(): the run's loop, a wait),
 * so that what the caller opens on it meanwhile (scry --profile's
 * sampler) sees it from its exec, as under ptrace, where it waits at its
 * exec's stop until the loop runs; bpf_targets_release() ends one never
 * let go. */
pid_t bpf_targets_launch(struct bpf_targets *t, char *const argv[], unsigned char state);
/* Closes the pidfd of w[i], whose process is gone; reaps the launched one. */
void bpf_targets_reap(struct bpf_targets *t, size_t i);
/* Lets the launched commands held at their gates go on; reaps what is
 * gone; 1 while a target (or, following forks, one of their descendants
 * in traced_pids) lives. */
int bpf_targets_running(struct bpf_targets *t);

/*
 * Where a front end's sys_enter/sys_exit programs hang.  The raw syscall
 * tracepoints run them for every call of every process on the machine.
 * With -e trace=SET the per-syscall tracepoints (syscalls:sys_enter_NAME,
 * syscalls:sys_exit_NAME) run them for those calls only: the others cost
 * the kernel a bit test (measured in bench/README.md).
 */
/* auto: more calls than this, the raw ones.  Each call's two tracepoints
 * take the kernel a grace period each to let go of at exit, under one
 * mutex: ~0.17 s for 1 or 2 calls, ~0.57 s for 8, here. */
#define BPF_PER_SYSCALL_MAX 8

/* Where to hang them (scry_config.bpf_hooks, --bpf-hooks). */
enum { BPF_HOOKS_AUTO, BPF_HOOKS_RAW, BPF_HOOKS_SYSCALLS };

struct bpf_program;
struct bpf_link;

struct bpf_hooks {
	struct bpf_link **links;
	size_t n;
	size_t per_syscall;	/* calls hooked one by one; 0: raw tracepoints */
	char raw_why[192];	/* on the raw ones: why ("" when not) */
};

/*
 * Attaches nr_enter/nr_exit (SEC("tracepoint") programs reading the
 * syscalls: records) to each call of nrs (bit nr of nrs[nr / 64], numbers
 * below max_nr), or raw_enter/raw_exit (tp_btf) to the raw tracepoints:
 *
 *   BPF_HOOKS_RAW        the raw ones
 *   BPF_HOOKS_SYSCALLS   one by one whenever nrs is given
 *   BPF_HOOKS_AUTO       one by one when nrs holds at most
 *                        BPF_PER_SYSCALL_MAX calls and none of the calls
 *                        that make most of a busy process's (read, write,
 *                        futex, epoll_wait, ...): a traced call costs more
 *                        through its own tracepoint than through the raw
 *                        one (bench/README.md has the figures)
 *
 * A call without tracepoints of its own, or whose exit tracepoint cannot
 * see it return (rt_sigreturn), makes it the raw ones, and so does a
 * machine without tracefs that scry cannot mount one of its own on; the
 * ids are read from tracefs where libbpf and perf read them.  On the raw
 * ones h->raw_why says why.  0, or -errno with the reason; nothing stays
 * attached on failure.
 */
int bpf_hooks_attach(struct bpf_hooks *h, int mode, struct bpf_program *nr_enter,
		     struct bpf_program *nr_exit, struct bpf_program *raw_enter,
		     struct bpf_program *raw_exit, const uint64_t *nrs, size_t nr_words,
		     size_t max_nr, char *why, size_t len);

/* Detaches what bpf_hooks_attach() attached (a zeroed h is fine). */
void bpf_hooks_detach(struct bpf_hooks *h);

/* One line for -v: "the tracepoints of the 3 traced calls (...)", or "the
 * raw syscall tracepoints (...): " and why. */
const char *bpf_hooks_describe(const struct bpf_hooks *h, char *buf, size_t len);

/*
 * libbpf prints to stderr by default; a library must not.  Between
 * bpf_capture_start() and bpf_capture_end() its messages are kept instead,
 * and bpf_captured() gives the first warning ("" if none), to be part of
 * the reason we return.  libbpf's print hook is process-wide: this is the
 * one piece of global state, per thread.
 */
void bpf_capture_start(void);
void bpf_capture_end(void);
const char *bpf_captured(void);

#endif
