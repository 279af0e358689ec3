#include "bpf/bpf_common.h"
#include "scry/filter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void bpf_set_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

int bpf_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

char bpf_task_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, ')' too */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] ? p[2] : 0;
}

int bpf_attach_check(pid_t pid, char *why, size_t len)
{
	char path[64], st = pid > 0 ? bpf_task_state(pid) : 0;
	struct dirent *de;
	int others = 0;
	DIR *d;

	/* (not in /proc: pidfd_open() says whether it exists) */
	if (st != 'Z' && st != 'X')
		return 0;
	/* a leader that exited before its threads stays a zombie until the
	 * last one exits; ptrace cannot attach to it either */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (atoi(de->d_name) > 0 && atoi(de->d_name) != pid)
			others = 1;
	if (d)
		closedir(d);
	if (others)
		bpf_set_why(why, len, "its main thread has exited; the process lives on in its other threads");
	else
		bpf_set_why(why, len, "it has exited: a zombie that its parent has not reaped yet");
	return -ESRCH;
}

#ifdef SCRY_NO_BPF

int bpf_map_set_pid(int map_fd, pid_t pid, unsigned char state)
{
	return -ENOTSUP;
}

void bpf_targets_init(struct bpf_targets *t, int pids_fd, int pending_fd, int ep,
		      int follow_forks, uint64_t child_default_signals)
{
	memset(t, 0, sizeof(*t));
	t->launched_status = -1;
}

void bpf_targets_release(struct bpf_targets *t) { }
int bpf_targets_add(struct bpf_targets *t, pid_t pid, unsigned char state) { return -ENOTSUP; }
pid_t bpf_targets_launch(struct bpf_targets *t, char *const argv[], unsigned char state)
{
	return -ENOTSUP;
}
void bpf_targets_reap(struct bpf_targets *t, size_t i) { }
int bpf_targets_running(struct bpf_targets *t) { return 0; }

int bpf_pidns(uint64_t *dev, uint64_t *ino)
{
	return 0;
}

int bpf_check_env(char *why, size_t len, int pidns_ok)
{
	bpf_set_why(why, len, "scry was built without bpf support");
	return -ENOTSUP;
}

int bpf_hooks_attach(struct bpf_hooks *h, int mode, struct bpf_program *nr_enter,
		     struct bpf_program *nr_exit, struct bpf_program *raw_enter,
		     struct bpf_program *raw_exit, const uint64_t *nrs, size_t nr_words,
		     size_t max_nr, char *why, size_t len)
{
	bpf_set_why(why, len, "scry was built without bpf support");
	return -ENOTSUP;
}

void bpf_hooks_detach(struct bpf_hooks *h) { }

const char *bpf_hooks_describe(const struct bpf_hooks *h, char *buf, size_t len)
{
	snprintf(buf, len, "none");
	return buf;
}

void bpf_capture_start(void) { }
void bpf_capture_end(void) { }
const char *bpf_captured(void) { return ""; }

#else

#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/launch.h"
#include "syscalls/syscalls.h"

int bpf_map_set_pid(int map_fd, pid_t pid, unsigned char state)
{
	uint32_t tgid = (uint32_t)pid;

	if (bpf_map_update_elem(map_fd, &tgid, &state, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

/* ---- the processes a front end traces ---- */

void bpf_targets_init(struct bpf_targets *t, int pids_fd, int pending_fd, int ep,
		      int follow_forks, uint64_t child_default_signals)
{
	memset(t, 0, sizeof(*t));
	t->pids_fd = pids_fd;
	t->add_fd = pending_fd >= 0 ? pending_fd : pids_fd;
	t->ep = ep;
	t->follow_forks = follow_forks;
	t->child_default_signals = child_default_signals;
	t->launched_status = -1;
}

void bpf_targets_release(struct bpf_targets *t)
{
	/* never run: it has not exec'd, and would run untraced */
	for (size_t i = 0; i < t->nheld; i++)
		launch_abort(t->held[i].pid, t->held[i].gate);
	free(t->held);
	t->held = NULL;
	t->nheld = 0;
	for (size_t i = 0; i < t->nw; i++)
		if (t->w[i].fd >= 0)
			close(t->w[i].fd);
	free(t->w);
	t->w = NULL;
	t->nw = t->allocw = 0;
}

/* Watches pid through its pidfd and puts it in the kernel's map; on failure
 * nothing of it stays (the caller closes fd). */
static int targets_watch(struct bpf_targets *t, pid_t pid, int fd, unsigned char state)
{
	struct epoll_event ev;
	int err;

	if (t->nw == t->allocw) {
		size_t n = t->allocw ? t->allocw * 2 : 8;
		struct bpf_watched *w = realloc(t->w, n * sizeof(*w));

		if (!w)
			return -ENOMEM;
		t->w = w;
		t->allocw = n;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = t->nw;
	if (t->ep >= 0 && epoll_ctl(t->ep, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	err = bpf_map_set_pid(t->add_fd, pid, state);
	if (err) {
		if (t->ep >= 0)
			epoll_ctl(t->ep, EPOLL_CTL_DEL, fd, NULL);
		return err;
	}
	t->w[t->nw].pid = pid;
	t->w[t->nw].fd = fd;
	t->nw++;
	return 0;
}

int bpf_targets_add(struct bpf_targets *t, pid_t pid, unsigned char state)
{
	int fd, err;

	if (pid <= 0)
		return -ESRCH;
	/* the pidfd proves the process exists and tells when it is gone */
	fd = bpf_pidfd_open(pid);
	if (fd < 0)
		return errno == EINVAL ? -ESRCH : -errno;	/* EINVAL: a thread id */
	err = targets_watch(t, pid, fd, state);
	if (err)
		close(fd);
	return err;
}

pid_t bpf_targets_launch(struct bpf_targets *t, char *const argv[], unsigned char state)
{
	int gate, fd, err;
	struct bpf_held *h = realloc(t->held, (t->nheld + 1) * sizeof(*h));

	if (!h)
		return -ENOMEM;
	t->held = h;
	pid_t pid = launch_gated(argv, t->child_default_signals, NULL, NULL, &gate);

	if (pid < 0)
		return pid;
	fd = bpf_pidfd_open(pid);
	err = fd < 0 ? -errno : targets_watch(t, pid, fd, state);
	if (err) {
		/* never let it run untraced: it has not exec'd yet */
		launch_abort(pid, gate);
		if (fd >= 0)
			close(fd);
		return err;
	}
	if (!t->launched_pid)
		t->launched_pid = pid;
	t->held[t->nheld].pid = pid;
	t->held[t->nheld].gate = gate;
	t->nheld++;
	return pid;
}

/* The run begins: the launched commands go on to their exec. */
static void targets_start(struct bpf_targets *t)
{
	for (size_t i = 0; i < t->nheld; i++)
		launch_release(t->held[i].gate);
	t->nheld = 0;
}

void bpf_targets_reap(struct bpf_targets *t, size_t i)
{
	struct bpf_watched *w = &t->w[i];
	uint32_t key = (uint32_t)w->pid;
	int status;

	if (t->ep >= 0)
		epoll_ctl(t->ep, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	w->fd = -1;
	/* gone before the programs saw it: its namespace id may come again */
	if (t->add_fd != t->pids_fd)
		bpf_map_delete_elem(t->add_fd, &key);
	if (w->pid == t->launched_pid && waitpid(w->pid, &status, WNOHANG) == w->pid)
		t->launched_status = status;
}

int bpf_targets_running(struct bpf_targets *t)
{
	uint32_t k;
	int alive = 0;

	targets_start(t);

	for (size_t i = 0; i < t->nw; i++) {
		struct pollfd p = { t->w[i].fd, POLLIN, 0 };

		if (t->w[i].fd < 0)
			continue;
		if (poll(&p, 1, 0) == 1 && p.revents)
			bpf_targets_reap(t, i);
		else
			alive = 1;
	}
	/* forget the reaped (a daemon adds processes for ever), unless an
	 * epoll set knows them by index */
	if (t->ep < 0) {
		size_t n = 0;

		for (size_t i = 0; i < t->nw; i++)
			if (t->w[i].fd >= 0)
				t->w[n++] = t->w[i];
		t->nw = n;
	}
	if (alive)
		return 1;
	/* the processes we watch are gone; with -f their descendants are in
	 * the kernel's map until they exit */
	return t->follow_forks && !(bpf_map_get_next_key(t->pids_fd, NULL, &k) && errno == ENOENT);
}

static int have_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t eff;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	eff = (uint64_t)data[1].effective << 32 | data[0].effective;
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
	if (eff & (1ULL << CAP_SYS_ADMIN))
		return 1;
	return (eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_PERFMON));
}

/* The initial pid namespace's inode number (PROC_PID_INIT_INO). */
#define INIT_PID_NS_INO 0xEFFFFFFCu

int bpf_pidns(uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == INIT_PID_NS_INO)
		return 0;
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 1;
}

int bpf_check_env(char *why, size_t len, int pidns_ok)
{
	uint64_t dev, ino;

	/*
	 * The programs see the kernel's own process ids; inside a pid
	 * namespace (a container) scry knows its targets by others.  The
	 * counting programs translate (ns_pending); the trace program does
	 * not yet.
	 */
	if (!pidns_ok && bpf_pidns(&dev, &ino)) {
		bpf_set_why(why, len, "scry runs in a pid namespace (a container?): its programs "
			    "would see the host's process ids, not these");
		return -ENOTSUP;
	}
	if (!have_caps()) {
		bpf_set_why(why, len, "needs root or CAP_BPF and CAP_PERFMON");
		return -EPERM;
	}
	if (access(BPF_BTF_PATH, R_OK)) {
		int err = errno;

		bpf_set_why(why, len, "no BTF at " BPF_BTF_PATH " (%s): the kernel needs CONFIG_DEBUG_INFO_BTF",
			    strerror(err));
		return -(err == EACCES ? EACCES : ENOENT);
	}
	return 0;
}

/* ---- where the sys_enter/sys_exit programs hang ---- */

/*
 * tracefs, where the per-syscall tracepoints' ids are: the one mounted at
 * /sys/kernel/tracing or /sys/kernel/debug/tracing, else one mounted for
 * scry alone (fsopen/fsmount: a mount in no directory, gone when its fd is
 * closed; nothing changes on the machine).  Many machines boot without
 * tracefs mounted.
 */
struct tracefs {
	int fd;			/* its root, or -1 */
	const char *where;	/* for reasons */
	int listed;		/* events/syscalls has been read through */
};

static const char *const tracefs_roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };

static int tracefs_open(struct tracefs *tf, char *why, size_t len)
{
	int fs, err;

	memset(tf, 0, sizeof(*tf));
	for (size_t r = 0; r < sizeof(tracefs_roots) / sizeof(*tracefs_roots); r++) {
		struct statfs sf;
		/* (opening debug/tracing mounts tracefs there when debugfs is) */
		int fd = open(tracefs_roots[r], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (!fstatfs(fd, &sf) && sf.f_type == TRACEFS_MAGIC) {
			tf->fd = fd;
			tf->where = tracefs_roots[r];
			return 0;
		}
		close(fd);
	}
	fs = (int)syscall(SYS_fsopen, "tracefs", FSOPEN_CLOEXEC);
	if (fs >= 0) {
		if (!syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
			tf->fd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
		else
			tf->fd = -1;
		err = errno;
		close(fs);
	} else {
		tf->fd = -1;
		err = errno;
	}
	if (tf->fd < 0) {
		bpf_set_why(why, len, "no tracefs is mounted at /sys/kernel/tracing and scry cannot mount "
			    "one (%s); `mount -t tracefs nodev /sys/kernel/tracing` would do", strerror(err));
		return -err;
	}
	tf->where = "tracefs";
	return 0;
}

static void tracefs_close(struct tracefs *tf)
{
	if (tf->fd >= 0)
		close(tf->fd);
	tf->fd = -1;
}

/* Reads events/syscalls through: eventfs (6.6+) makes its entries when
 * they are first listed or looked up; a lookup alone has failed. */
static void tracefs_list(struct tracefs *tf)
{
	int fd = openat(tf->fd, "events/syscalls", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	tf->listed = 1;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (readdir(d))
		;
	closedir(d);
}

/* The id of syscalls:event (the way libbpf and perf read it): > 0, or
 * -errno (-ENOENT: no such tracepoint). */
static long tracefs_event_id(struct tracefs *tf, const char *event)
{
	char path[128], buf[32];
	ssize_t n;
	long id;
	int fd;

	snprintf(path, sizeof(path), "events/syscalls/%s/id", event);
	fd = openat(tf->fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !tf->listed) {
		tracefs_list(tf);
		fd = openat(tf->fd, path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	id = strtol(buf, NULL, 10);
	return id > 0 ? id : -EINVAL;
}

/*
 * The ids of nr's two tracepoints (syscalls:sys_enter_NAME and
 * sys_exit_NAME): NAME is the syscall's own, or "new" + it for the calls
 * the kernel defines as newstat, newfstat, newlstat, newuname.  0 and the
 * name, or -ENOENT (the call has none) or -errno, with the reason.
 */
static int syscall_tp_ids(struct tracefs *tf, long nr, char *name, size_t namelen, long ids[2],
			  char *why, size_t len)
{
	const struct scry_syscall_info *si = scry_syscall_get(scry_native_table(), nr);
	char ev[96];
	long id = -ENOENT;

	if (!si || !si->name) {
		bpf_set_why(why, len, "syscall %ld has no name", nr);
		return -ENOENT;
	}
	for (int alt = 0; alt < 2; alt++) {
		snprintf(name, namelen, "%s%s", alt ? "new" : "", si->name);
		for (int exit = 0; exit < 2; exit++) {
			snprintf(ev, sizeof(ev), "sys_%s_%s", exit ? "exit" : "enter", name);
			id = tracefs_event_id(tf, ev);
			if (id < 0)
				break;
			ids[exit] = id;
		}
		if (id > 0)
			return 0;
		if (id != -ENOENT)
			break;
	}
	if (id == -ENOENT)
		bpf_set_why(why, len, "%s has no tracepoints syscalls:sys_enter_%s, sys_exit_%s in %s",
			    si->name, si->name, si->name, tf->where);
	else
		bpf_set_why(why, len, "cannot read the id of syscalls:%s in %s: %s", ev, tf->where,
			    strerror((int)-id));
	return (int)id;
}

/* A program on tracepoint id, as bpf_program__attach_tracepoint() hangs it
 * (which finds the id in a mounted tracefs only): NULL and errno. */
static struct bpf_link *attach_tp_id(struct bpf_program *prog, long id)
{
	struct perf_event_attr a;
	struct bpf_link *l;
	int pfd, err;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	a.sample_period = 1;
	a.wakeup_events = 1;
	pfd = (int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return NULL;
	l = bpf_program__attach_perf_event(prog, pfd);
	if (!l) {
		err = errno;
		close(pfd);
		errno = err;
	}
	return l;
}

static int hooks_add(struct bpf_hooks *h, struct bpf_link *l, size_t *alloc)
{
	if (h->n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 8;
		struct bpf_link **t = realloc(h->links, na * sizeof(*t));

		if (!t)
			return -ENOMEM;
		h->links = t;
		*alloc = na;
	}
	h->links[h->n++] = l;
	return 0;
}

/*
 * The per-syscall hooks: 0; -ENOENT, or another error finding the ids,
 * with the reason in nowhy (then the raw ones serve); -errno of an attach
 * with the reason in why.
 */
static int attach_per_syscall(struct bpf_hooks *h, struct bpf_program *en, struct bpf_program *ex,
			      const uint64_t *nrs, size_t max_nr, size_t *alloc, char *why, size_t len,
			      char *nowhy, size_t nowhylen)
{
	struct tracefs tf;
	int err = tracefs_open(&tf, nowhy, nowhylen);

	if (err)
		return err == -ENOMEM ? err : -ENOENT;
	for (size_t nr = 0; nr < max_nr && !err; nr++) {
		char name[64];
		long ids[2];

		if (!(nrs[nr / 64] >> (nr % 64) & 1))
			continue;
		err = syscall_tp_ids(&tf, (long)nr, name, sizeof(name), ids, nowhy, nowhylen);
		if (err) {
			err = err == -ENOMEM ? err : -ENOENT;
			break;
		}
		for (int exit = 0; exit < 2 && !err; exit++) {
			struct bpf_link *l = attach_tp_id(exit ? ex : en, ids[exit]);

			if (!l) {
				err = -errno;
				bpf_set_why(why, len, "cannot attach to syscalls:sys_%s_%s: %s",
					    exit ? "exit" : "enter", name,
					    bpf_captured()[0] ? bpf_captured() : strerror(-err));
				break;
			}
			err = hooks_add(h, l, alloc);
			if (err)
				bpf_link__destroy(l);
		}
		if (!err)
			h->per_syscall++;
	}
	tracefs_close(&tf);
	return err;
}

/*
 * The calls that make up most of what busy processes do: a set with one of
 * them is likely to be most of the calls made, and then the raw
 * tracepoints cost less (BPF_HOOKS_AUTO).
 */
static const char *const hot_calls[] = {
	"read", "write", "readv", "writev", "pread64", "pwrite64", "recvfrom", "sendto",
	"recvmsg", "sendmsg", "recvmmsg", "sendmmsg", "futex", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "poll", "ppoll", "select", "pselect6", "io_uring_enter", "io_getevents",
	"clock_gettime", "gettimeofday", "sched_yield",
	"getpid", "getppid", "gettid", "ioctl", "lseek", "fstat", "newfstatat", "statx",
	"mmap", "munmap", "mprotect", "madvise", "brk", "rt_sigprocmask", "fcntl",
};

/*
 * Calls whose syscalls:sys_exit_NAME never fires: they restore the
 * registers, and with them the number the tracepoint reads (orig_ax is -1
 * after rt_sigreturn).  Only the raw tracepoint sees them return.
 */
static const char *const exit_unseen[] = { "rt_sigreturn", "sigreturn" };

/* The first call of names that nrs holds, or NULL. */
static const char *has_call(const uint64_t *nrs, size_t max_nr, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long nr = scry_syscall_lookup(scry_native_table(), names[i]);

		if (nr >= 0 && (size_t)nr < max_nr && (nrs[nr / 64] >> (nr % 64) & 1))
			return names[i];
	}
	return NULL;
}

int bpf_hooks_attach(struct bpf_hooks *h, int mode, struct bpf_program *nr_enter,
		     struct bpf_program *nr_exit, struct bpf_program *raw_enter,
		     struct bpf_program *raw_exit, const uint64_t *nrs, size_t nr_words,
		     size_t max_nr, char *why, size_t len)
{
	size_t alloc = 0, want = 0;
	char raw_why[sizeof(h->raw_why)] = "";
	const char *unseen = NULL, *hot = NULL;
	struct bpf_link *l;
	int err;

	memset(h, 0, sizeof(*h));
	if (max_nr > nr_words * 64)
		max_nr = nr_words * 64;
	/* a filter's bits from SCRY_FILTER_I386_BASE up are i386 calls
	 * (scry/filter.h), which have no tracepoints of their own here */
	if (max_nr > SCRY_FILTER_I386_BASE)
		max_nr = SCRY_FILTER_I386_BASE;
	for (size_t w = 0; nrs && w * 64 < max_nr; w++)
		want += (size_t)__builtin_popcountll(nrs[w]);
	if (want)
		unseen = has_call(nrs, max_nr, exit_unseen, sizeof(exit_unseen) / sizeof(*exit_unseen));
	if (want && mode == BPF_HOOKS_AUTO)
		hot = has_call(nrs, max_nr, hot_calls, sizeof(hot_calls) / sizeof(*hot_calls));
	/* why not one by one, when not: -v tells */
	if (!want)
		snprintf(raw_why, sizeof(raw_why), "every call is traced");
	else if (mode == BPF_HOOKS_RAW)
		snprintf(raw_why, sizeof(raw_why), "as asked");
	else if (unseen)
		snprintf(raw_why, sizeof(raw_why), "%s's own exit tracepoint never fires", unseen);
	else if (mode == BPF_HOOKS_AUTO && want > BPF_PER_SYSCALL_MAX)
		snprintf(raw_why, sizeof(raw_why), "%zu traced calls: more than %d cost more one by one",
			 want, BPF_PER_SYSCALL_MAX);
	else if (hot)
		snprintf(raw_why, sizeof(raw_why), "%s is among the calls busy processes make most", hot);
	else {
		err = attach_per_syscall(h, nr_enter, nr_exit, nrs, max_nr, &alloc, why, len,
					 raw_why, sizeof(raw_why));
		if (!err)
			return 0;
		bpf_hooks_detach(h);
		if (err != -ENOENT)
			return err;
		/* no tracepoints of a call's own, or no tracefs: the raw ones
		 * serve, and raw_why says why */
		alloc = 0;
	}
	for (int exit = 0; exit < 2; exit++) {
		l = bpf_program__attach(exit ? raw_exit : raw_enter);
		if (!l) {
			err = -errno;
			bpf_set_why(why, len, "cannot attach to the raw syscall tracepoints: %s",
				    bpf_captured()[0] ? bpf_captured() : strerror(-err));
			bpf_hooks_detach(h);
			return err;
		}
		err = hooks_add(h, l, &alloc);
		if (err) {
			bpf_link__destroy(l);
			bpf_hooks_detach(h);
			return err;
		}
	}
	memcpy(h->raw_why, raw_why, sizeof(h->raw_why));
	return 0;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Each per-syscall link takes the kernel a grace period to let go of
 * (~70 ms here): one after the other, ten calls made Ctrl+C wait 1.5 s.
 * Destroyed from threads of their own, they wait for the same grace
 * periods.  One by one if a thread cannot be made.
 */
void bpf_hooks_detach(struct bpf_hooks *h)
{
	pthread_t *th = h->n > 2 ? calloc(h->n, sizeof(*th)) : NULL;
	unsigned char *started = th ? calloc(h->n, 1) : NULL;

	for (size_t i = 0; i < h->n; i++)
		if (!started || pthread_create(&th[i], NULL, destroy_link, h->links[i]))
			bpf_link__destroy(h->links[i]);
		else
			started[i] = 1;
	for (size_t i = 0; started && i < h->n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	free(started);
	free(th);
	free(h->links);
	memset(h, 0, sizeof(*h));
}

const char *bpf_hooks_describe(const struct bpf_hooks *h, char *buf, size_t len)
{
	if (h->per_syscall)
		snprintf(buf, len, "the tracepoints of the %zu traced call%s (syscalls:sys_enter_*)",
			 h->per_syscall, h->per_syscall == 1 ? "" : "s");
	else
		snprintf(buf, len, "the raw syscall tracepoints (every call of every process)%s%s",
			 h->raw_why[0] ? ": " : "", h->raw_why);
	return buf;
}

static __thread char libbpf_msg[256];
static __thread libbpf_print_fn_t old_print;

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (n && !libbpf_msg[0])
		memcpy(libbpf_msg, line, n + 1);
	return 0;
}

void bpf_capture_start(void)
{
	libbpf_msg[0] = '\0';
	old_print = libbpf_set_print(capture_print);
}

void bpf_capture_end(void)
{
	libbpf_set_print(old_print);
}

const char *bpf_captured(void)
{
	return libbpf_msg;
}

#endif
