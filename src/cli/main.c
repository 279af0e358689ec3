/*
 * scry: the command.  A thin client of libscry: parse the options, open the
 * outputs, attach or launch, run, summarise, detach.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scry/scry.h"
#include "options.h"
#include "report.h"
#include "profile.h"
#include "serve.h"
#include "strace_compat.h"
#include "top.h"
#include <grp.h>
#include <pwd.h>
#include "scry/filter.h"
#include "scry/output.h"
#include "scry/stats.h"
#include "scry/syscalls.h"
#include "trace_profile.h"

/* The one global: signal handlers need to reach the session. */
static struct scry_session *g_session;
static int g_launch_mode;
static volatile sig_atomic_t g_signal;
/* A launched command under a seccomp filter cannot be detached from (its
 * traced calls would fail with ENOSYS): signals are passed to it and scry
 * traces on until it ends; a second one kills it. */
static volatile pid_t g_seccomp_child;
static volatile sig_atomic_t g_forwarded;
static int g_tty_sigint_reaches_child;

static void on_signal(int sig)
{
	g_signal = sig;
	if (g_seccomp_child) {
		if (g_forwarded++)
			kill(g_seccomp_child, SIGKILL);
		else if (!(sig == SIGINT && g_tty_sigint_reaches_child))
			kill(g_seccomp_child, sig);
		return;
	}
	if (g_session)
		scry_session_request_detach(g_session, g_launch_mode ? sig : 0);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: the signal must interrupt the wait for tracees */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The watcher thread: --duration, and Enter on a terminal in attach mode. */
struct watcher {
	uint64_t duration_ns;
	int watch_stdin;
	int expired;
};

static void *watcher_main(void *arg)
{
	struct watcher *w = arg;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		int timeout = -1;
		if (w->duration_ns) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t el = (int64_t)(now.tv_sec - start.tv_sec) * 1000000000 + (now.tv_nsec - start.tv_nsec);
			int64_t left = (int64_t)w->duration_ns - el;
			if (left <= 0) {
				w->expired = 1;
				scry_session_request_detach(g_session, 0);
				return NULL;
			}
			timeout = (int)((left + 999999) / 1000000);
		}
		struct pollfd p = { 0, POLLIN, 0 };
		int r = poll(&p, w->watch_stdin ? 1 : 0, timeout);
		if (r > 0) {
			char buf[256];
			ssize_t n = read(0, buf, sizeof(buf));
			if (n <= 0) {
				w->watch_stdin = 0;   /* EOF: keep only the timer */
				if (!w->duration_ns)
					return NULL;
				continue;
			}
			if (memchr(buf, '\n', (size_t)n) || memchr(buf, '\r', (size_t)n)) {
				scry_session_request_detach(g_session, 0);
				return NULL;
			}
		}
	}
}

static int start_watcher(pthread_t *th, struct watcher *w)
{
	if (!w->duration_ns && !w->watch_stdin)
		return 0;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);   /* signals go to the tracer loop */
	int r = pthread_create(th, NULL, watcher_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r == 0 ? 1 : 0;
}

static const char *name_of(int nr, void *ctx)
{
	return scry_syscall_name(ctx, nr);
}

/* -o '|COMMAND' (strace's, and its '!COMMAND'): the trace goes into a
 * shell command's standard input; scry waits for it at the end. */
static pid_t g_pipe_pid;

static int open_pipe(const char *cmd, int *fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(p[0], 0) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	g_pipe_pid = pid;
	*fd = p[1];
	return 0;
}

static int open_output(const struct options *o, int *fd)
{
	/* strace writes its text to stderr; the structured formats go to
	 * stdout, for `scry --format jsonl -p PID | jq` */
	*fd = scry_format_flags(o->format) & SCRY_FORMAT_TEXT ? 2 : 1;
	if (!o->outfile || o->follow >= 2 || (scry_format_flags(o->format) & SCRY_FORMAT_OWN_FILE))
		return 0;
	if (o->outfile[0] == '|' || o->outfile[0] == '!') {
		if (open_pipe(o->outfile + 1, fd) < 0) {
			fprintf(stderr, "scry: cannot start '%s': %s\n", o->outfile + 1, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* 0600: a trace holds what the process read and wrote (-A: appended to) */
	*fd = open(o->outfile, O_WRONLY | O_CREAT | O_CLOEXEC | (o->append ? O_APPEND : O_TRUNC), 0600);
	if (*fd < 0) {
		fprintf(stderr, "scry: cannot write '%s': %s\n", o->outfile, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A structured document on stdout and a launched command would share that
 * stdout, and `scry --format json -- make > trace.json` would not parse.
 * The document keeps scry's stdout; the command (and whatever it starts)
 * gets scry's stderr as its stdout (docs/scry.1 says why).  -o FILE leaves
 * the command its stdout.  0, or -1 after saying why not.
 */
static int keep_stdout_for_document(const struct options *o, int *outfd)
{
	/* (sqlite and -o write a file, never stdout) */
	if (!o->argv || (scry_format_flags(o->format) & (SCRY_FORMAT_TEXT | SCRY_FORMAT_OWN_FILE)) || o->outfile || *outfd != 1)
		return 0;
	int fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		fprintf(stderr, "scry: cannot write the %s trace to standard output: %s; give -o FILE\n",
			scry_format_name(o->format), strerror(errno));
		return -1;
	}
	if (dup2(2, 1) < 0) {
		/* no stderr either: the command's output goes nowhere */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 1) < 0) {
			fprintf(stderr, "scry: cannot give %s a standard output apart from the trace: %s; give -o FILE\n",
				o->argv[0], strerror(errno));
			if (null >= 0)
				close(null);
			close(fd);
			return -1;
		}
		close(null);
	}
	*outfd = fd;
	if (!o->quiet)
		fprintf(stderr, "scry: the %s trace goes to standard output, and %s's standard output to "
			"standard error (-o FILE keeps them apart)\n", scry_format_name(o->format), o->argv[0]);
	return 0;
}

/* -ff: the files are made per process; check now that the place is writable. */
static int check_per_process_output(const struct options *o)
{
	if (o->follow < 2)
		return 0;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", o->outfile);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	if (access(dir, W_OK) < 0) {
		fprintf(stderr, "scry: cannot write '%s.PID': %s: %s\n", o->outfile, dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void summary_opts(const struct options *o, struct scry_session *s, double seconds,
			 struct scry_summary_opts *so, char *note, size_t notelen)
{
	uint64_t oh = scry_session_stop_overhead_ns(s), same, other;
	scry_session_stop_overheads(s, &same, &other);
	if (o->cpu_time)
		snprintf(note, notelen, "CPU time of each thread between entry and exit, in the kernel");
	else if (!strcmp(scry_session_backend(s), "bpf"))
		snprintf(note, notelen, "counted in the kernel by bpf: no stops, no overhead to subtract");
	else if (oh)
		snprintf(note, notelen,
			 "ptrace stop overhead measured at start and subtracted: %.1f µs per call on scry's CPU, %.1f µs on another",
			 (double)same / 1000.0, (double)other / 1000.0);
	else
		snprintf(note, notelen, "ptrace stop overhead not subtracted");
	memset(so, 0, sizeof(*so));
	so->name = name_of;
	so->ctx = (void *)scry_native_table();
	so->seconds = seconds;
	so->latency = o->cpu_time ? SCRY_LATENCY_CPU : SCRY_LATENCY_WALL;
	so->sort = o->sort;
	so->columns = o->columns;
	so->note = note;
	so->per_process = o->per_process;
	if (o->latency_sampled)
		so->sample_max_n = SCRY_BPF_SAMPLE_MAX_N;
}

/* 0, or a negative errno when the summary could not be written. */
static int print_summary(const struct options *o, struct scry_summary_sink *ss, struct scry_session *s,
			 FILE *out, double seconds)
{
	char note[200];
	struct scry_summary_opts so;
	summary_opts(o, s, seconds, &so, note, sizeof(note));
	errno = 0;
	int r = 0;
	/* --source -c / -k -c: the rows by call site; --by-function: by
	 * function; else the table by syscall */
	if (!ss->sites && !ss->functions)
		r = scry_stats_print_text(&ss->stats, out, &so);
	if (ss->sites && r >= 0)
		r = scry_sites_print_text(ss->sites, out, &so);
	if (ss->functions && r >= 0)
		r = scry_sites_print_text(ss->functions, out, &so);
	if (fflush(out) != 0 || ferror(out) || r < 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* --interval: a summary of the interval just ended, then start afresh. */
struct interval {
	const struct options *o;
	struct scry_summary_sink *ss;
	struct scry_session *s;
	FILE *out;
	double last;
	int kernel_counts;       /* the backend counts in the kernel (bpf) */
	int err;                 /* the first summary that could not be written */
};

static void interval_summary(struct interval *iv, double seconds)
{
	int r = print_summary(iv->o, iv->ss, iv->s, iv->out, seconds);
	fputc('\n', iv->out);
	if (fflush(iv->out) != 0 && !r)
		r = errno ? -errno : -EIO;
	if (r && !iv->err)
		iv->err = r;
}

static void on_interval(void *ctx)
{
	struct interval *iv = ctx;
	double now = scry_session_elapsed(iv->s);
	if (iv->kernel_counts) {
		scry_stats_reset(&iv->ss->stats);
		scry_session_read_stats(iv->s, &iv->ss->stats, 1);
		interval_summary(iv, now - iv->last);
		iv->last = now;
		return;
	}
	interval_summary(iv, now - iv->last);
	scry_summary_sink_reset(iv->ss);
	iv->last = now;
}

/* --profile: the samples reach the sinks this often (the ring buffers
 * hold a few hundred samples per CPU at 99 Hz: ample) */
#define SAMPLES_TICK_NS 100000000u

static uint64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* -E VAR=VAL / -E VAR: the command's environment (scry's own, which the
 * command inherits, as strace does it). */
static int apply_env(const struct options *o)
{
	for (int i = 0; i < o->nenv; i++) {
		const char *eq = strchr(o->env[i], '=');
		int r;
		if (eq) {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)(eq - o->env[i]), o->env[i]);
			r = setenv(name, eq + 1, 1);
		} else {
			r = unsetenv(o->env[i]);
		}
		if (r < 0) {
			fprintf(stderr, "scry: cannot set -E %s: %s\n", o->env[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Everything one run of scry holds, so that main() reads as its steps. */
struct run {
	struct options o;
	char **argv;
	int outfd;
	struct scry_config cfg;
	struct sock_filter *prog;        /* seccomp program for a filtered launch */
	unsigned prog_len;
	struct scry_session *s;
	int kernel_counts;               /* the backend counts in the kernel */
	struct interval iv;
	/* the sinks: the format's and the summary's, behind the filter stage */
	struct scry_filter_stage stage;
	struct scry_sink sinks;
	int summary_on;
	struct scry_summary_sink summary;
	int attached;
	pid_t child;
	/* the -p processes and the command that ended while traced, so that
	 * the detach messages name only those still there */
	struct scry_sink ended_sink;
	pid_t ended[MAX_PIDS + 1];
	int nended;
	/* strace's -u: who the command runs as */
	int run_as;
	uid_t run_uid;
	gid_t run_gid;
	gid_t run_groups[256];
	int run_ngroups;
	/* -D: the process (scry's parent, soon the command) traced from here */
	pid_t daemon_target;
	int daemon_gate;
	/* --syscall-limit: calls shown so far */
	struct scry_sink limit_inner;
	long ncalls;
	/* --profile: the sampler beside the session; its samples reach the
	 * sinks at each tick and at the end */
	struct trace_profile *samples;
	int samples_err;                 /* a sink's error with a sample */
	uint64_t next_interval;          /* --interval with --profile: CLOCK_MONOTONIC */
	uint64_t last_ts;                /* the trace's latest event (its end) */
};

/* The session's tick: the samples taken since the last one go to the
 * sinks (on the loop's thread, between events, as the calls do), and
 * --interval's summaries come when their time is due. */
static void on_tick(void *ctx)
{
	struct run *r = ctx;
	if (r->samples && !r->samples_err) {
		int e = trace_profile_poll(r->samples, &r->sinks);
		if (e < 0) {
			/* as a sink's error with a call: everything is let go */
			r->samples_err = e;
			scry_session_request_detach(r->s, 0);
		}
	}
	if (!r->o.interval_ns)
		return;
	if (!r->o.profile_hz) {
		on_interval(&r->iv);
		return;
	}
	uint64_t now = mono_now();
	if (!r->next_interval)
		r->next_interval = now + r->o.interval_ns - SAMPLES_TICK_NS;
	if (now >= r->next_interval) {
		r->next_interval += r->o.interval_ns;
		on_interval(&r->iv);
	}
}

/*
 * -c with an output that records the calls (json, jsonl, chrome, sqlite:
 * every structured format but CSV, whose -c file is the summary table):
 * the calls must be decoded and delivered, so neither no_decode nor bpf's
 * in-kernel counts (which never see a call) can serve it.
 */
static int records_calls(const struct options *o)
{
	return !(scry_format_flags(o->format) & SCRY_FORMAT_TEXT) &&
	       !((scry_format_flags(o->format) & SCRY_FORMAT_SUMMARY_TABLE) && o->summary == 1);
}

/* -k, --source, --by-function: every call's stack reaches the sinks */
static int wants_stacks(const struct options *o)
{
	return o->stack_trace || o->source || o->by_function;
}

static int is_target(const struct run *r, pid_t pid)
{
	for (int i = 0; i < r->o.npids; i++)
		if (r->o.pids[i] == pid)
			return 1;
	return pid == r->child;
}

static int ended_event(void *ctx, const struct scry_event *ev)
{
	struct run *r = ctx;
	if (ev->ts_ns > r->last_ts && ev->type != SCRY_EV_SAMPLE)
		r->last_ts = ev->ts_ns;
	if ((ev->type == SCRY_EV_EXITED || ev->type == SCRY_EV_KILLED) && ev->tid == ev->pid &&
	    r->nended < (int)(sizeof(r->ended) / sizeof(r->ended[0])) && is_target(r, ev->pid))
		r->ended[r->nended++] = ev->pid;
	return 0;
}

/* Whether target pid ended before scry let go of it.  (A backend that
 * counts in the kernel reports no exits: then the kernel says.) */
static int target_ended(const struct run *r, pid_t pid)
{
	for (int i = 0; i < r->nended; i++)
		if (r->ended[i] == pid)
			return 1;
	if (pid == r->child)
		return scry_session_launched_status(r->s) != -1;
	return kill(pid, 0) < 0 && errno == ESRCH;
}

/* Whether the command cmd (found as execvp() finds it) is a 32-bit x86
 * (ia32) program, whose i386 calls the bpf backend, which names calls by
 * the x86_64 table, cannot tell apart. */
static int command_is_ia32(const char *cmd)
{
#if defined(__x86_64__)
	char path[4096];
	const char *found = cmd;
	if (!strchr(cmd, '/')) {
		const char *p = getenv("PATH");
		found = NULL;
		for (p = p ? p : "/usr/bin:/bin"; p && *p && !found;) {
			const char *end = strchr(p, ':');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			if (snprintf(path, sizeof(path), "%.*s/%s", (int)n, n ? p : ".", cmd) <
			    (int)sizeof(path) && access(path, X_OK) == 0)
				found = path;
			p = end ? end + 1 : NULL;
		}
		if (!found)
			return 0;
	}
	int fd = open(found, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	Elf32_Ehdr eh;
	ssize_t n = read(fd, &eh, sizeof(eh));
	close(fd);
	return n == (ssize_t)sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	       eh.e_ident[EI_CLASS] == ELFCLASS32 && eh.e_machine == EM_386;
#else
	(void)cmd;
	return 0;
#endif
}

/* cfg.personality: a process's calls changed ABI (an ia32 process on
 * x86_64), said on stderr as strace says it (not under -q); the bpf
 * backend letting a 32-bit program go, always. */
static void say_personality(void *ctx, pid_t pid, const char *mode)
{
	const struct options *o = ctx;
	if (!strcmp(mode, SCRY_PERSONALITY_UNTRACED))
		fprintf(stderr, "scry: process %d runs a 32-bit (ia32) program, whose calls the bpf "
			"backend cannot decode: it is no longer traced (use --backend ptrace)\n", (int)pid);
	else if (!o->quiet_personality)
		fprintf(stderr, "[ Process PID=%d runs in %s mode. ]\n", (int)pid, mode);
}

/*
 * cfg.stack_nodebug: an object in a stack has no debug info, said once per
 * object (the library calls this once): its frames get names from its
 * symbol table and no lines.  Only when lines were asked for (--source,
 * -k -c), and for the C library, the loader and the like (whose frames
 * --source skips) only with -v; -qq silences it.
 */
/*
 * The GNU build-id of the ELF file at path, in hex as eu-unstrip -n and
 * debuginfod name it, into out (2 * 64 + 1 bytes); 0, or -1 without one.
 * Read from the file's PT_NOTE segments (64-bit files of our byte order).
 */
static int elf_build_id(const char *path, char *out, size_t outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = -1;
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 256) {
		for (unsigned i = 0; i < eh.e_phnum && r < 0; i++) {
			Elf64_Phdr ph;
			unsigned char note[1024];
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != (ssize_t)sizeof(ph) ||
			    ph.p_type != PT_NOTE)
				continue;
			size_t len = ph.p_filesz < sizeof(note) ? (size_t)ph.p_filesz : sizeof(note);
			ssize_t got = pread(fd, note, len, (off_t)ph.p_offset);
			for (size_t at = 0; got > 0 && at + sizeof(Elf64_Nhdr) <= (size_t)got && r < 0;) {
				Elf64_Nhdr nh;
				memcpy(&nh, note + at, sizeof(nh));
				size_t name_at = at + sizeof(nh), desc_at = name_at + ((nh.n_namesz + 3) & ~3u);
				size_t next = desc_at + ((nh.n_descsz + 3) & ~3u);
				if (next > (size_t)got || next <= at)
					break;
				if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
				    !memcmp(note + name_at, "GNU", 4) && nh.n_descsz && nh.n_descsz * 2 < outlen) {
					for (size_t j = 0; j < nh.n_descsz; j++)
						snprintf(out + 2 * j, 3, "%02x", note[desc_at + j]);
					r = 0;
				}
				at = next;
			}
		}
	}
	close(fd);
	return r;
}

static void say_nodebug(void *ctx, const char *object, unsigned flags)
{
	const struct options *o = ctx;
	if ((o->quiet && o->quiet_exit) || ((flags & SCRY_FRAME_RUNTIME) && !o->verbose))
		return;
	if (flags & SCRY_FRAME_UNKNOWN) {
		fprintf(stderr, "scry: %s: cannot read its ELF file: its frames are shown as addresses\n", object);
		return;
	}
	/* with its build-id, a user can fetch its debug symbols (debuginfod,
	 * /usr/lib/debug/.build-id/xx/rest.debug) */
	char id[2 * 64 + 1];
	if (elf_build_id(object, id, sizeof(id)) == 0)
		fprintf(stderr, "scry: %s: no debug info (build-id %s): its frames have no source lines "
			"(build it with -g, or install its debug symbols)\n", object, id);
	else
		fprintf(stderr, "scry: %s: no debug info: its frames have no source lines "
			"(build it with -g, or install its debug symbols)\n", object);
}

static void make_config(struct run *r)
{
	struct options *o = &r->o;
	struct scry_config *cfg = &r->cfg;
	struct scry_config init = SCRY_CONFIG_INIT;
	*cfg = init;
	cfg->follow_forks = o->follow > 0;
	cfg->string_limit = o->string_limit;
	cfg->cpu_time = o->cpu_time;
	cfg->follow_cpu = o->follow_cpu;
	cfg->trace_paths = o->paths;
	cfg->ntrace_paths = o->npaths;
	cfg->verbose = o->verbose;
	cfg->xflag = o->xflag;
	cfg->fd_paths = o->fd_paths;
	cfg->no_decode = o->summary == 1 && !records_calls(o);
	cfg->instruction_pointer = o->instruction_pointer;
	if (o->have_raw)
		cfg->raw_bitmap = o->raw;
	if (o->have_abbrev)   /* (given with -v too: it says which calls) */
		cfg->abbrev_bitmap = o->abbrev;
	if (o->dumps & 1) {
		cfg->dump_read = o->dump_read;
		cfg->dump_read_other = o->dump_read_other;
	}
	if (o->dumps & 2) {
		cfg->dump_write = o->dump_write;
		cfg->dump_write_other = o->dump_write_other;
	}
	cfg->dump_fd_words = DUMP_FD_WORDS;
	if (r->run_as) {
		cfg->set_ids = 1;
		cfg->run_uid = r->run_uid;
		cfg->run_gid = r->run_gid;
		cfg->run_groups = r->run_groups;
		cfg->run_ngroups = r->run_ngroups;
	}
	cfg->attach_hidden_until_exec = r->daemon_target != 0;
	/* -k, --source, --by-function: unwind each call's stack; lines for
	 * --source and for -k's summary by call site */
	if (wants_stacks(o)) {
		cfg->stack_depth = o->stack_depth;
		cfg->stack_lines = o->source || (o->stack_trace && o->summary);
		/* --source -c alone: the bpf backend may count each call
		 * site's calls in the kernel */
		cfg->stack_sites_counted = o->summary == 1 && o->source && !o->stack_trace && !o->by_function &&
					   !records_calls(o) && !o->cpu_time && !o->syscall_limit &&
					   o->filter.status == SCRY_STATUS_ALL;
		if (cfg->stack_lines) {
			cfg->stack_nodebug = say_nodebug;
			cfg->stack_nodebug_ctx = o;
		}
	}
	/* strace's "[ Process PID=N runs in 32 bit mode. ]" (not under -q,
	 * -e quiet=personality); bpf letting a 32-bit program go */
	cfg->personality = say_personality;
	cfg->personality_ctx = o;
	/* the command gets SIGPIPE back if scry was given it at its default
	 * (install_signals() ignores it for scry itself) */
	struct sigaction pipe_now;
	if (sigaction(SIGPIPE, NULL, &pipe_now) == 0 && pipe_now.sa_handler == SIG_DFL)
		cfg->child_default_signals |= 1ull << (SIGPIPE - 1);
	/* the engine drops untraced calls before decoding them (the filter
	 * stage in front of the sinks judges status= and signal=, which need
	 * the result) */
	if (o->filtered && !scry_filter_traces_all(&o->filter)) {
		cfg->syscall_bitmap = o->filter.trace;
		cfg->syscall_bitmap_words = sizeof(o->filter.trace) / sizeof(o->filter.trace[0]);
	}
	cfg->inject = o->inject.v;
	cfg->ninject = o->inject.n;
	/* the calls to tamper with must stop too, shown or not */
	struct scry_filter stops = o->filter;
	scry_inject_add_sets(&o->inject, stops.trace, sizeof(stops.trace) / sizeof(stops.trace[0]));
	/* with stacks, the calls that unmap or map code stop too (not shown):
	 * the unwinder then reads the maps again (unwind/unwind.h) */
	if (wants_stacks(o)) {
		static const int remaps[] = { SYS_munmap, SYS_mremap, SYS_shmdt, SYS_mmap, SYS_mprotect };
		for (size_t i = 0; i < sizeof(remaps) / sizeof(remaps[0]); i++)
			stops.trace[remaps[i] / 64] |= 1ull << (remaps[i] % 64);
	}
	int inject_signal = 0;
	for (int i = 0; i < o->inject.n; i++)
		inject_signal |= o->inject.v[i].signo != 0;
	if (o->argv && !o->npids && o->filtered && !o->no_seccomp && !scry_filter_traces_all(&stops)) {
		if (inject_signal) {
			/* after a seccomp stop the kernel makes no syscall-entry
			 * stop, the only one whose restart can send a signal
			 * before the call runs (strace's signal=) */
			if (o->verbose)
				fprintf(stderr, "scry: not using a seccomp filter: -e inject=...:signal= "
					"needs every call's entry stop\n");
		} else if (o->duration_ns || o->syscall_limit) {
			if (o->verbose)
				fprintf(stderr, "scry: not using a seccomp filter: %s must be able to detach\n",
					o->duration_ns ? "--duration" : "--syscall-limit");
		} else if (r->daemon_target) {
			if (o->verbose)
				fprintf(stderr, "scry: not using a seccomp filter: with -D scry attaches to the command\n");
		} else if (scry_filter_seccomp_program(&stops, &r->prog, &r->prog_len) == 0) {
			cfg->seccomp_prog = r->prog;
			cfg->seccomp_len = r->prog_len;
			/* -v is strace's -v too (structures in full): only
			 * --seccomp-bpf asks whether its filter is there */
			if (o->verbose && o->seccomp_bpf)
				fprintf(stderr, "scry: seccomp filter installed: the calls -e excludes never stop %s "
					"(--seccomp-bpf is scry's default)\n", o->argv[0]);
		}
	} else if (o->seccomp_bpf && o->verbose) {
		fprintf(stderr, "scry: --seccomp-bpf: no seccomp filter here (it needs a launched command and an "
			"-e trace= that excludes calls)\n");
	}
	if (o->interval_ns || o->profile_hz) {
		cfg->tick_ns = o->interval_ns;
		if (o->profile_hz && (!cfg->tick_ns || cfg->tick_ns > SAMPLES_TICK_NS))
			cfg->tick_ns = SAMPLES_TICK_NS;
		cfg->tick = on_tick;
		cfg->tick_ctx = r;
	}
}

/* bpf when asked, or when it can serve (-c that only counts; an attach
 * whose filtered calls it shows in full); ptrace otherwise.  With -c and an
 * output that records the calls, bpf runs in trace mode (the ring buffer
 * carries every call) and auto counts in the kernel only when nothing needs
 * the calls.  0 or an exit status. */
static int make_session(struct run *r)
{
	struct options *o = &r->o;
	char why[512] = "";
	/* (a summary by call site or function needs each call's stack) */
	int counts_only = o->summary == 1 && !records_calls(o) && !wants_stacks(o);
	int auto_counts = o->backend == BACKEND_AUTO && o->summary == 1 && !o->cpu_time &&
			  o->filter.status == SCRY_STATUS_ALL;
	unsigned need = (counts_only ? SCRY_NEED_COUNTS_ONLY : 0) |
			(o->filter.status != SCRY_STATUS_ALL ? SCRY_NEED_RESULT_FILTER : 0) |
			(o->npids && !o->argv ? SCRY_NEED_ATTACH_ONLY : 0);
	/* (-i, -n, dumps, raw=, -u, -D and --syscall-limit need the ptrace backend) */
	int ptrace_only = o->instruction_pointer || o->syscall_numbers || o->dumps || o->have_raw || o->user ||
			  o->daemonize || o->syscall_limit;
	/* --backend auto: the library's choice, and why (said under -v) */
	char auto_why[160] = "";
	int auto_bpf = 0;
	/* bpf names every call by the x86_64 table; ptrace reads each call's
	 * ABI, so that a 32-bit program's i386 calls are named as i386 ones */
	int ia32 = o->argv && o->argv[0] && command_is_ia32(o->argv[0]);
	if (ia32 && o->backend == BACKEND_BPF) {
		fprintf(stderr, "scry: %s is a 32-bit (ia32) program: the bpf backend cannot tell its "
			"i386 calls from x86_64 ones; use --backend ptrace or auto\n", o->argv[0]);
		return 2;
	}
	/* the same for a process attached to (-p) that runs one */
	for (int i = 0; i < o->npids && !ia32; i++) {
		char exe[64];
		snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)o->pids[i]);
		ia32 = command_is_ia32(exe);
		if (ia32 && o->backend == BACKEND_BPF) {
			fprintf(stderr, "scry: process %d runs a 32-bit (ia32) program: the bpf backend cannot "
				"tell its i386 calls from x86_64 ones; use --backend ptrace or auto\n",
				(int)o->pids[i]);
			return 2;
		}
	}
	if (o->backend == BACKEND_AUTO && ia32)
		snprintf(auto_why, sizeof(auto_why), "a 32-bit (ia32) program's calls are told apart at ptrace's stops");
	else if (o->backend == BACKEND_AUTO && ptrace_only)
		snprintf(auto_why, sizeof(auto_why), "-i, -n, -e read=, write=, raw=, -u, -D and --syscall-limit need it");
	else if (o->backend == BACKEND_AUTO)
		auto_bpf = scry_backend_choose_why(&r->cfg, need, auto_why, sizeof(auto_why)) == SCRY_BACKEND_BPF;
	int want_bpf = o->backend == BACKEND_BPF || auto_bpf;
	if (want_bpf) {
		struct scry_config bcfg = r->cfg;
		bcfg.backend = SCRY_BACKEND_BPF;
		bcfg.per_process = o->per_process;
		bcfg.bpf_counts_only = counts_only;
		bcfg.bpf_buffer = o->bpf_buffer;
		bcfg.bpf_hooks = o->bpf_hooks;
		/* in-kernel counts time a hot call 1 in N (syscount.h) */
		bcfg.bpf_sample_latency = counts_only && !o->exact_latency;
		bcfg.bpf_stack_bytes = o->bpf_stack_bytes;
		bcfg.stack_mode = o->stack_mode;
		bcfg.why = why;
		bcfg.why_len = sizeof(why);
		if (scry_session_new(&r->s, &bcfg) == 0) {
			o->latency_sampled = bcfg.bpf_sample_latency;
		} else {
			r->s = NULL;
			if (o->backend == BACKEND_BPF) {
				fprintf(stderr, "scry: bpf backend unavailable: %s\n", why[0] ? why : "unknown reason");
				return 1;
			}
		}
	}
	/* -c into a file of calls: say why bpf's counts were not taken */
	char calls_why[96] = "";
	if (o->summary == 1 && !counts_only)
		snprintf(calls_why, sizeof(calls_why), "-c with --format %s records every call",
			 scry_format_name(o->format));
	if (o->verbose && r->s)
		fprintf(stderr, "scry: backend: bpf%s%s%s, on %s\n",
			calls_why[0] ? ", tracing through the ring buffer (" : "", calls_why,
			calls_why[0] ? ")" : "", why);
	else if (o->verbose && want_bpf)
		fprintf(stderr, "scry: backend: ptrace (bpf unavailable: %s)\n", why);
	else if (o->verbose && !calls_why[0] && auto_why[0] &&
		 ((need & SCRY_NEED_ATTACH_ONLY) || o->summary == 1))
		/* (where auto could have taken bpf: an attach, -c) */
		fprintf(stderr, "scry: backend: ptrace (auto: %s)\n", auto_why);
	else if (o->verbose)
		fprintf(stderr, "scry: backend: ptrace%s%s%s\n", calls_why[0] ? " (" : "", calls_why,
			!calls_why[0] ? "" : auto_counts ? "; bpf's in-kernel counts carry none)" : ")");
	if (!r->s && scry_session_new(&r->s, &r->cfg) < 0) {
		fprintf(stderr, "scry: out of memory\n");
		return 1;
	}
	r->kernel_counts = !strcmp(scry_session_backend(r->s), "bpf") && counts_only;
	r->iv.kernel_counts = r->kernel_counts;
	g_session = r->s;
	g_launch_mode = o->npids == 0;
	return 0;
}

/*
 * --syscall-limit N (strace 6.x): after the Nth call shown, detach from
 * everything; the processes go on.  In front of the outputs, so that
 * nothing after the Nth call reaches them (the loop may hold a few more
 * events of other threads when it sees the request).
 */
static int limit_event(void *ctx, const struct scry_event *ev)
{
	struct run *r = ctx;
	if (r->ncalls >= r->o.syscall_limit)
		return 0;
	if (ev->type == SCRY_EV_CALL_EXIT &&
	    (!r->o.filtered || scry_filter_status_ok(&r->o.filter, ev->u.call.is_error, !ev->u.call.t_exit_ns)) &&
	    ++r->ncalls >= r->o.syscall_limit)
		scry_session_request_detach(r->s, 0);
	return r->limit_inner.event(r->limit_inner.ctx, ev);
}

static int limit_flush(void *ctx)
{
	struct run *r = ctx;
	return r->limit_inner.flush ? r->limit_inner.flush(r->limit_inner.ctx) : 0;
}

static int limit_finish(void *ctx, const struct scry_sink_end *end)
{
	struct run *r = ctx;
	return scry_sink_finish(&r->limit_inner, end);
}

static void limit_free(void *ctx)
{
	struct run *r = ctx;
	scry_sink_free(&r->limit_inner);
}

/* The outputs: the format's sink (strace's text or a structured one) and
 * the summary's, behind one filter stage. */
static int add_sinks(struct run *r)
{
	struct options *o = &r->o;
	scry_filter_stage_init(&r->stage, o->filtered ? &o->filter : NULL);
	/* (strace's text with -c is the summary alone, printed at the end) */
	if (!(scry_format_flags(o->format) & SCRY_FORMAT_TEXT) || o->summary != 1) {
		struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
		char err[512];
		oo.fd = r->outfd;
		oo.path = o->outfile;
		oo.argv = o->argv;
		oo.pids = o->pids;
		oo.npids = o->npids;
		oo.summary = o->summary;
		oo.string_limit = o->string_limit;
		oo.scry_argv = r->argv;
		oo.text.per_process = o->follow >= 2 ? o->outfile : NULL;
		oo.text.to_file = o->outfile != NULL;
		oo.text.follow = o->follow > 0;
		oo.text.align = o->align;
		oo.text.timestamps = o->timestamps;
		oo.text.relative = o->relative;
		oo.text.show_time = o->show_time;
		struct stat st;
		oo.text.interactive = fstat(r->outfd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) ? 1 :
				      isatty(r->outfd);
		oo.text.entries_at_exit = o->filtered && o->filter.status != SCRY_STATUS_ALL;
		oo.text.syscall_numbers = o->syscall_numbers;
		oo.text.instruction_pointer = o->instruction_pointer;
		oo.text.pid_comm = o->pid_comm;
		oo.text.quiet_exit = o->quiet_exit;
		oo.text.append = o->append;
		oo.text.stack_trace = o->stack_trace;
		oo.text.source = o->source;
		oo.stacks = wants_stacks(o);
		oo.inject = o->inject.n > 0;
		oo.backend = scry_session_backend(r->s);
		struct scry_sink sink;
		if (scry_format_open(o->format, &sink, &oo, err, sizeof(err)) < 0) {
			fprintf(stderr, "scry: cannot write '%s': %s\n", o->outfile ? o->outfile : "stdout", err);
			return 1;
		}
		scry_filter_stage_add(&r->stage, &sink);
	}
	if (o->summary) {
		r->summary_on = 1;
		scry_summary_sink_init(&r->summary, o->per_process);
		r->summary.cpu_time = o->cpu_time;
		if (scry_summary_sink_by_site(&r->summary, o->source || o->stack_trace, o->by_function) < 0) {
			fprintf(stderr, "scry: out of memory\n");
			return 1;
		}
		r->iv.ss = &r->summary;
		r->iv.s = r->s;
		/* strace's -c and -C write the summary into -o's file (after
		 * the trace, with -C); -ff's files are per process, so there
		 * it goes to stderr */
		if (o->outfile && o->follow < 2 && (scry_format_flags(o->format) & SCRY_FORMAT_TEXT))
			r->iv.out = fdopen(dup(r->outfd), "w");
		if (!r->iv.out)
			r->iv.out = stderr;
		if (!r->kernel_counts) {
			struct scry_sink sink;
			scry_summary_sink_as_sink(&r->summary, &sink);
			scry_filter_stage_add(&r->stage, &sink);
			if (!o->no_calibrate && !o->cpu_time && scry_session_calibrate(r->s) < 0 && o->verbose)
				fprintf(stderr, "scry: could not measure the ptrace stop overhead; durations are not corrected\n");
		}
	}
	scry_filter_stage_as_sink(&r->stage, &r->sinks);
	if (o->syscall_limit) {
		r->limit_inner = r->sinks;
		struct scry_sink lim = { limit_event, limit_flush, r, limit_finish, limit_free };
		r->sinks = lim;
	}
	scry_session_add_sink(r->s, &r->sinks);
	r->ended_sink.event = ended_event;
	r->ended_sink.ctx = r;
	scry_session_add_sink(r->s, &r->ended_sink);
	return 0;
}

/* -u USER: who the command runs as, found before anything starts.  0, or
 * an exit status after one line. */
static int find_user(struct run *r)
{
	const char *user = r->o.user;
	if (!user)
		return 0;
	if (geteuid() != 0) {
		fprintf(stderr, "scry: -u %s needs root (scry runs as uid %d): only root can run a command "
			"as another user\n", user, (int)geteuid());
		return 1;
	}
	struct passwd *pw = getpwnam(user);
	char *end;
	if (!pw) {
		errno = 0;
		unsigned long uid = strtoul(user, &end, 10);
		if (!errno && end != user && !*end)
			pw = getpwuid((uid_t)uid);
	}
	if (!pw) {
		fprintf(stderr, "scry: -u %s: no such user\n", user);
		return 2;
	}
	r->run_as = 1;
	r->run_uid = pw->pw_uid;
	r->run_gid = pw->pw_gid;
	int n = (int)(sizeof(r->run_groups) / sizeof(r->run_groups[0]));
	if (getgrouplist(pw->pw_name, pw->pw_gid, r->run_groups, &n) < 0) {
		fprintf(stderr, "scry: -u %s: more than %d groups\n", user, n);
		return 1;
	}
	r->run_ngroups = n;
	return 0;
}

/*
 * -D, -DD, -DDD (strace's): scry's own process becomes the command, and
 * the tracer runs in a grandchild (-DD: in a process group of its own,
 * -DDD: a session of its own), so that the command's parent is whoever
 * started scry.  Returns 0 in the tracer, which then attaches to
 * r->daemon_target and lets it go on by closing r->daemon_gate; the
 * command's process never returns from here.
 */
static int daemonize(struct run *r)
{
	struct options *o = &r->o;
	int gate[2];
	if (pipe2(gate, O_CLOEXEC) < 0) {
		fprintf(stderr, "scry: -D: %s\n", strerror(errno));
		return -1;
	}
	pid_t target = getpid();
	pid_t c = fork();
	if (c < 0) {
		fprintf(stderr, "scry: -D: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	if (c == 0) {
		close(gate[0]);
		if (o->daemonize == 2)
			setpgid(0, 0);
		else if (o->daemonize >= 3)
			setsid();
		pid_t g = fork();
		if (g != 0)
			_exit(g < 0);
		r->daemon_target = target;
		r->daemon_gate = gate[1];
		return 0;
	}
	close(gate[1]);
	int st;
	while (waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	char ch;
	ssize_t n;
	while ((n = read(gate[0], &ch, 1)) < 0 && errno == EINTR)
		;
	close(gate[0]);
	if (n != 1)
		_exit(1);      /* the tracer could not attach, and said why */
	if (r->run_as && (setgroups((size_t)r->run_ngroups, r->run_groups) < 0 || setgid(r->run_gid) < 0 ||
			  setuid(r->run_uid) < 0)) {
		fprintf(stderr, "scry: cannot run as %s: %s\n", o->user, strerror(errno));
		_exit(126);
	}
	execvp(o->argv[0], o->argv);
	int e = errno;
	fprintf(stderr, "scry: cannot run '%s': %s\n", o->argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* Attach to the -p processes, then launch the command.  0 or an exit status. */
static int start_targets(struct run *r)
{
	struct options *o = &r->o;
	for (int i = 0; i < o->npids; i++) {
		if (!o->quiet)
			fprintf(stderr, "Attaching to process %d...\n", (int)o->pids[i]);
		struct scry_attach_error why;
		if (scry_session_attach(r->s, o->pids[i], &why) < 0) {
			fprintf(stderr, "scry: cannot attach to process %d: %s%s%s%s\n", (int)o->pids[i],
				strerror(why.err), why.reason[0] ? " (" : "", why.reason, why.reason[0] ? ")" : "");
			return 1;
		}
		r->attached++;
	}
	if (r->daemon_target) {
		/* -D: the command is our grandparent, waiting at the gate */
		struct scry_attach_error why;
		if (scry_session_attach(r->s, r->daemon_target, &why) < 0) {
			fprintf(stderr, "scry: -D: cannot attach to process %d: %s%s%s%s\n", (int)r->daemon_target,
				strerror(why.err), why.reason[0] ? " (" : "", why.reason, why.reason[0] ? ")" : "");
			close(r->daemon_gate);
			return 1;
		}
		r->child = r->daemon_target;
		if (write(r->daemon_gate, "", 1) != 1) {
			close(r->daemon_gate);
			return 1;
		}
		close(r->daemon_gate);
	} else if (o->argv) {
		g_tty_sigint_reaches_child = isatty(0);
		int e = scry_session_launch(r->s, o->argv, &r->child);
		if (e < 0) {
			fprintf(stderr, "scry: cannot run '%s': %s\n", o->argv[0], strerror(-e));
			return e == -ENOENT ? 127 : 126;
		}
		/* (bpf installs no seccomp filter: it detaches as from any
		 * other launch) */
		if (r->prog_len && !strcmp(scry_session_backend(r->s), "ptrace"))
			g_seccomp_child = r->child;
	}
	if (r->attached && !o->quiet)
		fprintf(stderr, "Attached successfully. Press Ctrl+C to detach.\n");
	return 0;
}

/* After the run: the trace, the messages, the summary, the exit status. */
static int finish(struct run *r, int status, int run_err)
{
	struct options *o = &r->o;
	int detached = scry_session_detached(r->s);
	if (r->summary_on && r->kernel_counts) {
		scry_stats_reset(&r->summary.stats);
		scry_session_read_stats(r->s, &r->summary.stats, 0);
	}
	/* The trace first (the sinks finish: a structured document gets the
	 * summary and the count of lost events), then the messages, so that
	 * they read in order. */
	uint64_t lost = scry_session_lost(r->s);
	struct scry_summary_opts so;
	char note[200];
	summary_opts(o, r->s, scry_session_elapsed(r->s) - r->iv.last, &so, note, sizeof(note));
	so.sites = r->summary.sites;           /* the structured formats' rows by */
	so.functions = r->summary.functions;   /* call site and by function */
	struct scry_sink_end end = { .summary = r->summary_on ? &r->summary.stats : NULL, .summary_opts = &so,
				     .lost_events = lost };
	if (r->samples)
		trace_profile_end(r->samples, o->profile_hz, &end);
	int werr = scry_sink_finish(&r->sinks, &end);
	if (lost)
		fprintf(stderr, "scry: %llu events lost in the kernel: a bpf map or the ring buffer was full "
			"(a larger --bpf-buffer or a narrower -e helps)\n", (unsigned long long)lost);
	/* The messages name the processes scry still traced when it let go.
	 * A launched command is then sent the signal that stopped scry
	 * (in launch mode: it would have reached it without scry). */
	int nleft = 0, signalled = 0;
	if (detached && !o->quiet && !status) {
		for (int i = 0; i < o->npids; i++)
			if (!target_ended(r, o->pids[i])) {
				fprintf(stderr, "Detaching from process %d...\n", (int)o->pids[i]);
				nleft++;
			}
		if (r->child && !target_ended(r, r->child)) {
			fprintf(stderr, "Detaching from process %d...\n", (int)r->child);
			if (g_launch_mode && g_signal)
				signalled = 1;
			else
				nleft++;
		}
	}
	if (run_err < 0 || werr < 0) {
		int e = run_err < 0 ? run_err : werr;
		fprintf(stderr, "scry: cannot write the trace%s%s: %s\n", o->outfile ? " to " : "",
			o->outfile ? o->outfile : "", strerror(-e));
		if (!status)
			status = 1;
	}
	if (nleft && !status)
		fprintf(stderr, "Detached successfully. Process%s continue%s running.\n",
			nleft > 1 ? "es" : "", nleft > 1 ? "" : "s");
	if (signalled && !status)
		fprintf(stderr, "Process %d, which scry launched, was sent %s: it ends unless it handles %s.\n",
			(int)r->child, scry_signal_name(g_signal), scry_signal_name(g_signal));
	/* the structured formats carry the summary, except CSV's -C */
	if (r->summary_on && ((scry_format_flags(o->format) & SCRY_FORMAT_TEXT) ||
			      ((scry_format_flags(o->format) & SCRY_FORMAT_SUMMARY_TABLE) && o->summary == 2))) {
		int serr = print_summary(o, &r->summary, r->s, r->iv.out, scry_session_elapsed(r->s) - r->iv.last);
		if (!serr)
			serr = r->iv.err;
		/* one line, unless the trace's own error was just said */
		if (serr && run_err >= 0 && werr >= 0) {
			int to_file = r->iv.out != stderr;
			fprintf(stderr, "scry: cannot write the summary%s%s: %s\n", to_file ? " to " : "",
				to_file ? o->outfile : "", strerror(-serr));
		}
		if (serr && !status)
			status = 1;
	}
	if (!status && r->child) {
		int st = scry_session_launched_status(r->s);
		if (st != -1 && WIFEXITED(st))
			status = WEXITSTATUS(st);
		else if (st != -1 && WIFSIGNALED(st))
			status = 128 + WTERMSIG(st);
		else if (g_signal)
			status = 128 + g_signal;
	}
	return status;
}

/* -o '|COMMAND': end its input and wait for it, as strace does. */
static void close_pipe(struct run *r)
{
	if (!g_pipe_pid)
		return;
	close(r->outfd);
	while (waitpid(g_pipe_pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void release(struct run *r)
{
	scry_sink_free(&r->sinks);
	trace_profile_free(r->samples);
	if (r->summary_on) {
		if (r->iv.out && r->iv.out != stderr)
			fclose(r->iv.out);
		scry_summary_sink_release(&r->summary);
	}
	scry_session_free(r->s);
	free(r->prog);
	options_release(&r->o);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "report"))
		return report_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "top"))
		return top_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "profile"))
		return profile_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	int served, serve_status = serve_c_listen(argc, argv, &served);   /* scry -c --listen */
	if (served)
		return serve_status;
	static struct run r;     /* (static: the signal handlers reach it via g_session) */
	r.argv = argv;
	r.iv.o = &r.o;
	r.iv.out = stderr;
	int exit_now;
	int status = options_parse(&r.o, argc, argv, &exit_now);
	if (status || exit_now) {
		options_release(&r.o);
		return status;
	}
	status = find_user(&r);
	if (status || apply_env(&r.o) < 0) {
		options_release(&r.o);
		return status ? status : 1;
	}
	if (open_output(&r.o, &r.outfd) < 0 || check_per_process_output(&r.o) < 0 ||
	    (!r.o.daemonize && keep_stdout_for_document(&r.o, &r.outfd) < 0) ||
	    (r.o.daemonize && daemonize(&r) < 0)) {
		options_release(&r.o);
		return 1;     /* not a usage error: the place cannot be written */
	}
	make_config(&r);
	status = make_session(&r);
	if (!status)
		status = trace_profile_open(&r.samples, &r.o, scry_session_backend(r.s));
	if (!status)
		status = add_sinks(&r);
	if (!status) {
		install_signals();
		/* --duration counts from here, and may end a long attach. */
		struct watcher w = { r.o.duration_ns, r.o.npids > 0 && isatty(0), 0 };
		pthread_t th;
		int have_watcher = start_watcher(&th, &w);
		status = start_targets(&r);
		if (status && !r.attached && !r.child) {
			if (have_watcher) {
				pthread_cancel(th);
				pthread_join(th, NULL);
			}
			release(&r);
			return status;
		}
		if (!status && r.samples && (status = trace_profile_start(r.samples, r.child)) != 0)
			/* --profile cannot sample the command: it is not run
			 * half-observed (one launched is ended) */
			scry_session_request_detach(r.s, r.child && !r.attached ? SIGKILL : 0);
		else if (status)    /* a later -p failed: let go of those attached */
			scry_session_request_detach(r.s, 0);
		int run_err = scry_session_run(r.s);
		if (r.samples) {
			/* (a sample taken after the last event, e.g. between the
			 * detach and now, is outside the trace) */
			int se = trace_profile_stop(r.samples, r.samples_err ? NULL : &r.sinks, r.last_ts);
			if (se < 0 && !r.samples_err)
				r.samples_err = se;
		}
		if (!run_err && r.samples_err)
			run_err = r.samples_err;
		status = finish(&r, status, run_err);
		if (r.samples &&
		    trace_profile_report(r.samples, &r.o, scry_session_backend(r.s),
					 r.summary_on ? r.iv.out : r.outfd == 2 ? stderr : NULL, r.outfd, status) &&
		    !status)
			status = 1;
		if (have_watcher)
			pthread_cancel(th);
	}
	release(&r);
	close_pipe(&r);
	return status;
}
