/*
 * scry profile: samples the stacks of every thread of running processes
 * (or of a command) with perf events, and writes a text report, folded
 * stacks or a speedscope file.  The targets are never stopped.
 *
 *	scry profile -p PID [-p PID...] [--duration T] [-F HZ] [-o FILE] [--format F]
 *	scry profile [-f] [options] -- CMD [ARGS...]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scry/profile.h"

#include "profile.h"
#include "profile_extra.h"
#include "stack_mode.h"

static const char usage[] =
"usage: scry profile [options] -p PID [-p PID...]\n"
"       scry profile [options] [-f] -- COMMAND [ARGS...]\n"
"\n"
"Samples the user (and, where permitted, kernel) stacks of every thread on\n"
"CPU, without stopping the process, and reports where the CPU time goes.\n"
"\n"
"  -p, --pid PID           sample this process (every thread, new ones too)\n"
"  -f, --follow-forks      also sample child processes\n"
"      --duration TIME     stop after TIME (5, 5s, 500ms, 2m); a launched\n"
"                          command then gets SIGTERM\n"
"  -F, --freq HZ           samples per second per thread on CPU (default 99;\n"
"                          at most kernel.perf_event_max_sample_rate)\n"
"      --call-graph MODE   dwarf (default: user stack copies unwound with\n"
"                          DWARF CFI; works without frame pointers) or fp\n"
"      --stack-size BYTES  dwarf: stack bytes copied per sample (default 8192)\n"
"      --no-kernel         no kernel stacks even where permitted\n"
"      --mmap-pages N      ring buffer pages per CPU, a power of 2 (default\n"
"                          1024, fewer where the mlock limit says so)\n"
"  -o, --output FILE       write there (default: standard output)\n"
"      --format FMT        text (default), folded (flamegraph.pl), speedscope,\n"
"                          pprof (gzipped profile.proto: go tool pprof),\n"
"                          sqlite (-o FILE.db; scry report reads it), chrome\n"
"                          (the samples on a timeline: Perfetto UI)\n"
"      --top N             functions in the text report (default 15)\n"
"      --off-cpu[=HOW]     time off the CPU and thread states (on by default):\n"
"                          bpf (sched_switch: exact), proc (/proc sampling),\n"
"                          auto (bpf where it works, else proc)\n"
"      --no-off-cpu        CPU samples only\n"
"      --metric M          what folded/speedscope show: cpu (default),\n"
"                          off-cpu-sleep, off-cpu-disk, off-cpu-runq, off-cpu-other\n"
"      --counters LIST     perf counters per thread and process, e.g.\n"
"                          task-clock,context-switches,page-faults,cpu-migrations,\n"
"                          cycles,instructions (hardware ones where a PMU exists)\n"
"      --interval TIME     also print the counters' change every TIME (stderr)\n"
"  -h, --help              this help\n"
"\n"
"Ctrl+C, SIGTERM or --duration end it; lost samples are counted in every output.\n";

static volatile sig_atomic_t g_stop;
static volatile pid_t g_child;
static int g_sigint_reaches_child;

static void on_signal(int sig)
{
	if (g_child) {
		/* the command ends, and then sampling */
		if (!(sig == SIGINT && g_sigint_reaches_child))
			kill(g_child, sig);
		return;
	}
	g_stop = sig;
}

struct popts {
	pid_t *pids;
	int npids;
	int follow;
	uint64_t duration_ns;
	unsigned freq;
	enum scry_profile_callgraph call_graph;
	unsigned stack_size;
	int kernel;
	unsigned mmap_pages;
	const char *outfile;
	enum scry_profile_format format;
	unsigned top;
	char **argv;
	struct px_opts px;        /* off-CPU, states, counters (profile_extra.c) */
	enum scry_profile_metric metric;
};

/* A usage error: what was wrong on one line, then the hint the main
 * command gives after its own (options.c's usage_error); exit status 2. */
static int hint(void)
{
	fputs("Try 'scry profile --help' for more information.\n", stderr);
	return 2;
}

static int bad(const char *fmt, const char *arg)
{
	fputs("scry profile: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return hint();
}

static int64_t parse_duration(const char *s)
{
	char *e;
	errno = 0;
	double v = strtod(s, &e);
	if (e == s || errno || v < 0)
		return -1;
	double mul = 1e9;
	if (!strcmp(e, "ms"))
		mul = 1e6;
	else if (!strcmp(e, "us"))
		mul = 1e3;
	else if (!strcmp(e, "m"))
		mul = 60e9;
	else if (!strcmp(e, "h"))
		mul = 3600e9;
	else if (*e && strcmp(e, "s"))
		return -1;
	double ns = v * mul;
	if (ns > 9e18 || ns < 1)
		return -1;
	return (int64_t)ns;
}

static int parse_uint(const char *s, unsigned long max, unsigned *out)
{
	char *e;
	errno = 0;
	unsigned long v = strtoul(s, &e, 10);
	if (e == s || *e || errno || s[0] == '-' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

enum { O_DURATION = 256, O_CALLGRAPH, O_STACKSIZE, O_NOKERNEL, O_MMAP, O_FORMAT, O_TOP,
       O_OFFCPU, O_NOOFFCPU, O_METRIC, O_COUNTERS, O_INTERVAL };

static int parse(int argc, char **argv, struct popts *o, int *exit_now)
{
	static const struct option longs[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "follow-forks", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "freq", required_argument, NULL, 'F' },
		{ "call-graph", required_argument, NULL, O_CALLGRAPH },
		{ "stack-size", required_argument, NULL, O_STACKSIZE },
		{ "no-kernel", no_argument, NULL, O_NOKERNEL },
		{ "mmap-pages", required_argument, NULL, O_MMAP },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "top", required_argument, NULL, O_TOP },
		{ "off-cpu", optional_argument, NULL, O_OFFCPU },
		{ "no-off-cpu", no_argument, NULL, O_NOOFFCPU },
		{ "metric", required_argument, NULL, O_METRIC },
		{ "counters", required_argument, NULL, O_COUNTERS },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	o->freq = 99;
	o->stack_size = 8192;
	o->kernel = -1;
	*exit_now = 0;
	optind = 1;
	int c;
	opterr = 0;             /* said here, as "scry profile: ..." */
	while ((c = getopt_long(argc, argv, "+:p:fF:o:h", longs, NULL)) != -1) {
		switch (c) {
		case 'p': {
			/* "-p 1,2 -p 3" as strace takes them */
			char *save = NULL, *copy = strdup(optarg);
			if (!copy)
				return 1;
			for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
				unsigned v;
				if (parse_uint(t, INT_MAX, &v) < 0 || v == 0) {
					int r = bad("-p '%s': not a process id (a positive number)", t);
					free(copy);
					return r;
				}
				pid_t *n = realloc(o->pids, (size_t)(o->npids + 1) * sizeof(pid_t));
				if (!n) {
					free(copy);
					return 1;
				}
				o->pids = n;
				o->pids[o->npids++] = (pid_t)v;
			}
			free(copy);
			break;
		}
		case 'f':
			o->follow = 1;
			break;
		case O_DURATION: {
			int64_t d = parse_duration(optarg);
			if (d < 0)
				return bad("--duration '%s': give a time such as 5, 5s, 500ms or 2m", optarg);
			o->duration_ns = (uint64_t)d;
			break;
		}
		case 'F':
			if (parse_uint(optarg, 100000000, &o->freq) < 0 || !o->freq)
				return bad("-F '%s': give samples per second, a whole number from 1", optarg);
			break;
		case O_CALLGRAPH: {
			int m = stack_mode_parse(optarg);
			if (m < 0)
				return bad("--call-graph '%s': give dwarf or fp", optarg);
			o->call_graph = m ? SCRY_PROFILE_FP : SCRY_PROFILE_DWARF;
			break;
		}
		case O_STACKSIZE:
			if (parse_uint(optarg, 65000, &o->stack_size) < 0 || o->stack_size < 64)
				return bad("--stack-size '%s': give bytes from 64 to 65000", optarg);
			o->stack_size = (o->stack_size + 7) & ~7u;
			break;
		case O_NOKERNEL:
			o->kernel = 0;
			break;
		case O_MMAP:
			if (parse_uint(optarg, 1u << 20, &o->mmap_pages) < 0 || !o->mmap_pages ||
			    (o->mmap_pages & (o->mmap_pages - 1)))
				return bad("--mmap-pages '%s': give a power of 2 (1, 2, 4, ... 128)", optarg);
			break;
		case 'o':
			o->outfile = optarg;
			break;
		case O_FORMAT:
			if (!strcmp(optarg, "text"))
				o->format = SCRY_PROFILE_TEXT;
			else if (!strcmp(optarg, "folded"))
				o->format = SCRY_PROFILE_FOLDED;
			else if (!strcmp(optarg, "speedscope"))
				o->format = SCRY_PROFILE_SPEEDSCOPE;
			else if (!strcmp(optarg, "pprof"))
				o->format = SCRY_PROFILE_PPROF;
			else if (!strcmp(optarg, "sqlite"))
				o->format = SCRY_PROFILE_SQLITE;
			else if (!strcmp(optarg, "chrome"))
				o->format = SCRY_PROFILE_CHROME;
			else
				return bad("--format '%s': give text, folded, speedscope, pprof, sqlite or chrome", optarg);
			break;
		case O_TOP:
			if (parse_uint(optarg, 100000, &o->top) < 0 || !o->top)
				return bad("--top '%s': give a number from 1", optarg);
			break;
		case O_OFFCPU:
			if (px_parse_offcpu(&o->px, optarg))
				return hint();
			break;
		case O_NOOFFCPU:
			o->px.offcpu = PX_OFFCPU_NO;
			break;
		case O_METRIC:
			if (px_parse_metric(optarg, &o->metric))
				return hint();
			break;
		case O_COUNTERS:
			o->px.counters = optarg;
			if (px_check_counters(&o->px))
				return hint();
			break;
		case O_INTERVAL: {
			int64_t d = parse_duration(optarg);
			if (d < 0)
				return bad("--interval '%s': give a time such as 1s or 500ms", optarg);
			o->px.interval_ns = (uint64_t)d;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			*exit_now = 1;
			return 0;
		case ':':
		default: {
			char opt[3] = { '-', (char)optopt, 0 };
			const char *name = optopt > 0 && optopt < 128 ? opt : argv[optind - 1];
			return bad(c == ':' ? "%s needs a value" : "unknown option '%s'", name);
		}
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (!o->argv && !o->npids)
		return bad("%s", "nothing to sample: give -p PID or -- COMMAND");
	if (o->argv && o->npids)
		return bad("%s", "give -p PID or a command, not both");
	if (o->format == SCRY_PROFILE_SQLITE && !o->outfile)
		return bad("%s", "--format sqlite writes a database: give it a name with -o FILE.db");
	/* A record larger than the ring is dropped without a PERF_RECORD_LOST
	 * (the lost record rides on the next one, which does not fit either):
	 * the ring must hold two samples, or losses would go unsaid. */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t sample = (o->call_graph == SCRY_PROFILE_DWARF ? o->stack_size : 0) + 2048;
	if (o->mmap_pages && (size_t)o->mmap_pages * page < 2 * sample) {
		char msg[160];
		size_t need = 1;
		while (need * page < 2 * sample)
			need *= 2;
		snprintf(msg, sizeof(msg), "%u holds less than two samples of this --stack-size: give %zu or more",
			 o->mmap_pages, need);
		return bad("--mmap-pages %s", msg);
	}
	return 0;
}

/* --- output: the place is checked before sampling starts; a regular file
 * is replaced only once the whole profile is written (a temporary beside it,
 * renamed), anything else (a FIFO, /dev/null, a terminal) is written into --- */

struct out {
	const char *path;
	int regular;
	char tmp[PATH_MAX];
};

static int out_check(struct out *w, const char *path)
{
	memset(w, 0, sizeof(*w));
	w->path = path;
	if (!path)
		return 0;
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "scry profile: cannot write '%s': it is a directory; give a file name\n", path);
			return -1;
		}
		w->regular = S_ISREG(st.st_mode);
		if (access(path, W_OK) < 0) {
			fprintf(stderr, "scry profile: cannot write '%s': %s\n", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	w->regular = 1;
	/* does its directory take a new file? */
	int n = snprintf(w->tmp, sizeof(w->tmp), "%s.scry-%d.tmp", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(w->tmp)) {
		fprintf(stderr, "scry profile: cannot write '%s': the name is too long\n", path);
		return -1;
	}
	FILE *f = fopen(w->tmp, "wex");
	if (!f) {
		fprintf(stderr, "scry profile: cannot write '%s': %s\n", path, strerror(errno));
		return -1;
	}
	fclose(f);
	unlink(w->tmp);
	return 0;
}

/* A database needs a file of its own: written beside, renamed over. */
static int write_sqlite(struct out *w, const struct scry_profile *p, const char *title)
{
	if (!w->regular) {
		fprintf(stderr, "scry profile: cannot write a database into '%s': not a regular file\n", w->path);
		return -1;
	}
	char why[256] = "";
	snprintf(w->tmp, sizeof(w->tmp), "%s.scry-%d.tmp", w->path, (int)getpid());
	unlink(w->tmp);
	int r = scry_profile_write_sqlite(p, title, w->tmp, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "scry profile: cannot write the profile to %s: %s\n", w->path,
			why[0] ? why : strerror(-r));
		unlink(w->tmp);
		return -1;
	}
	if (rename(w->tmp, w->path) < 0) {
		fprintf(stderr, "scry profile: cannot write '%s': %s\n", w->path, strerror(errno));
		unlink(w->tmp);
		return -1;
	}
	return 0;
}

static int write_profile(const struct popts *o, struct out *w, const struct scry_profile *p, const char *title)
{
	struct scry_profile_write_opts po = { o->metric, o->top, title };
	if (o->format == SCRY_PROFILE_SQLITE) {
		scry_profile_write_counters(p, stderr);	/* counters have no table there */
		return write_sqlite(w, p, title);
	}
	FILE *f = stdout;
	if (w->path) {
		if (w->regular) {
			snprintf(w->tmp, sizeof(w->tmp), "%s.scry-%d.tmp", w->path, (int)getpid());
			f = fopen(w->tmp, "wex");
		} else {
			f = fopen(w->path, "we");
		}
		if (!f) {
			fprintf(stderr, "scry profile: cannot write '%s': %s\n", w->path, strerror(errno));
			return -1;
		}
	}
	/* text: the report, the thread view, the counters */
	int r = scry_profile_write(p, o->format, f, &po);
	if (!r && o->format != SCRY_PROFILE_TEXT)
		scry_profile_write_counters(p, stderr);	/* counters have no place in those */
	if (f == stdout) {
		if (fflush(f) != 0)
			r = -errno;
	} else if (fclose(f) != 0 && !r) {
		r = -errno;
	}
	if (r < 0) {
		fprintf(stderr, "scry profile: cannot write the profile%s%s: %s\n", w->path ? " to " : "",
			w->path ? w->path : "", strerror(-r));
		if (w->path && w->regular)
			unlink(w->tmp);
		return -1;
	}
	if (w->path && w->regular && rename(w->tmp, w->path) < 0) {
		fprintf(stderr, "scry profile: cannot write '%s': %s\n", w->path, strerror(errno));
		unlink(w->tmp);
		return -1;
	}
	return 0;
}

static void on_note(void *ctx, const char *line)
{
	fprintf(stderr, "scry profile: %s\n", line);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Enough descriptors for one event per (thread x CPU). */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static uid_t owner_of(pid_t pid)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) == 0 ? st.st_uid : (uid_t)-1;
}

/* One line that says why pid cannot be sampled and what would work. */
static void attach_error(pid_t pid, int err)
{
	if (err == -ESRCH) {
		fprintf(stderr, "scry profile: no process %d (give the id of a running process)\n", (int)pid);
	} else if (err == -EACCES || err == -EPERM) {
		uid_t uid = owner_of(pid);
		if (uid != (uid_t)-1 && uid != geteuid())
			fprintf(stderr, "scry profile: cannot sample process %d: it belongs to another user "
					"(uid %u); run scry as that user or as root\n", (int)pid, (unsigned)uid);
		else
			fprintf(stderr, "scry profile: cannot sample process %d: perf events not permitted "
					"(kernel.perf_event_paranoid = %d; 2 or less allows your own processes)\n",
				(int)pid, scry_profile_perf_paranoid());
	} else if (err == -EMFILE || err == -ENFILE) {
		fprintf(stderr, "scry profile: cannot sample process %d: out of file descriptors (one per "
				"thread and CPU; raise ulimit -n)\n", (int)pid);
	} else if (err == -ENOENT) {
		fprintf(stderr, "scry profile: perf events are not available in this kernel "
				"(CONFIG_PERF_EVENTS)\n");
	} else {
		fprintf(stderr, "scry profile: cannot sample process %d: %s\n", (int)pid, strerror(-err));
	}
}

static int child_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

/* A collector that cannot run: one line, as each option says it. */
static void collector_error(const struct scry_profile_error *why)
{
	const char *r = why->reason[0] ? why->reason : strerror(why->err);
	if (why->part == SCRY_PROFILE_PART_OFFCPU_BPF)
		fprintf(stderr, "scry profile: --off-cpu=bpf: %s (--off-cpu=proc samples /proc instead)\n", r);
	else if (why->part == SCRY_PROFILE_PART_OFFCPU_PROC)
		fprintf(stderr, "scry profile: cannot sample /proc: %s\n", strerror(why->err));
	else if (why->part == SCRY_PROFILE_PART_COUNTERS)
		fprintf(stderr, "scry profile: --counters: %s\n", r);
	else
		fprintf(stderr, "scry profile: cannot start the events: %s\n", strerror(why->err));
}

int profile_main(int argc, char **argv)
{
	struct popts o;
	memset(&o, 0, sizeof(o));
	int exit_now;
	int status = parse(argc, argv, &o, &exit_now);
	if (status || exit_now) {
		free(o.pids);
		return status;
	}
	struct out w;
	if (out_check(&w, o.outfile) < 0) {
		free(o.pids);
		return 1;
	}
	raise_nofile();
	static const enum scry_profile_offcpu offcpu[] = {
		[PX_OFFCPU_AUTO] = SCRY_PROFILE_OFFCPU_AUTO, [PX_OFFCPU_BPF] = SCRY_PROFILE_OFFCPU_BPF,
		[PX_OFFCPU_PROC] = SCRY_PROFILE_OFFCPU_PROC, [PX_OFFCPU_NO] = SCRY_PROFILE_OFFCPU_NO,
	};
	struct scry_profiler_config cfg = SCRY_PROFILER_CONFIG_INIT;
	cfg.freq = o.freq;
	cfg.call_graph = o.call_graph;
	cfg.stack_size = o.stack_size;
	cfg.kernel = o.kernel;
	cfg.mmap_pages = o.mmap_pages;
	cfg.follow = o.follow;
	cfg.offcpu = offcpu[o.px.offcpu];
	cfg.proc_hz = o.px.proc_hz;
	cfg.counters = o.px.counters;
	cfg.interval_ns = o.px.interval_ns;
	cfg.interval_out = stderr;
	cfg.timeline = o.format == SCRY_PROFILE_CHROME;
	cfg.note = on_note;
	struct scry_profiler *pr;
	struct scry_profile_error why;
	int err = scry_profiler_new(&pr, &cfg, &why);
	if (err < 0) {
		fprintf(stderr, "scry profile: cannot start: %s\n", strerror(-err));
		free(o.pids);
		return 1;
	}
	char title[256];
	pid_t child = 0;
	if (o.argv) {
		snprintf(title, sizeof(title), "%s", o.argv[0]);
		err = scry_profiler_launch(pr, o.argv, &child, &why);
		if (err < 0) {
			if (err == -ENOENT || err == -EACCES)
				fprintf(stderr, "scry profile: cannot run '%s': %s\n", o.argv[0], strerror(-err));
			else
				attach_error(0, err);
			scry_profiler_free(pr);
			free(o.pids);
			return err == -ENOENT || err == -EACCES ? 2 : 1;
		}
	} else {
		int n = snprintf(title, sizeof(title), "pid");
		for (int i = 0; i < o.npids; i++) {
			err = scry_profiler_attach(pr, o.pids[i], &why);
			if (err < 0) {
				attach_error(o.pids[i], err);
				scry_profiler_free(pr);
				free(o.pids);
				return err == -ESRCH ? 2 : 1;
			}
			if (n < (int)sizeof(title))
				n += snprintf(title + n, sizeof(title) - (size_t)n, " %d", (int)o.pids[i]);
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (child) {
		g_sigint_reaches_child = isatty(0) && tcgetpgrp(0) == getpgrp();
		g_child = child;
	}
	/* off-CPU, states, counters: loaded before the command runs */
	if (scry_profiler_prepare(pr, &why) < 0) {
		collector_error(&why);
		if (child) {
			g_child = 0;
			kill(child, SIGKILL);
			while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
				;
		}
		scry_profiler_free(pr);
		free(o.pids);
		return 1;
	}
	/* The window opens here, after every slow setup step: the samples,
	 * the off-CPU time and --duration's clock all start now. */
	int child_st = -1, termed = 0;
	err = scry_profiler_start(pr, &why);
	if (err < 0) {
		collector_error(&why);
		err = -ECANCELED;
	}
	uint64_t t_end = o.duration_ns ? mono_ns() + o.duration_ns : 0;
	while (!err && !g_stop) {
		int wait_ms = 100;
		if (t_end && !termed) {
			uint64_t now = mono_ns();
			uint64_t left = now < t_end ? (t_end - now + 999999) / 1000000 : 0;
			if (left < (uint64_t)wait_ms)
				wait_ms = (int)left;
		}
		err = scry_profiler_poll(pr, wait_ms);	/* and --interval's lines */
		if (err < 0) {
			fprintf(stderr, "scry profile: reading samples failed: %s\n", strerror(-err));
			break;
		}
		if (child) {
			int st;
			if (waitpid(child, &st, WNOHANG) == child) {
				child_st = st;
				g_child = 0;
				break;
			}
		} else if (!scry_profiler_alive(pr)) {
			fprintf(stderr, "scry profile: the process%s ended\n", o.npids > 1 ? "es" : "");
			break;
		}
		if (t_end && mono_ns() >= t_end) {
			if (!child)
				break;
			if (!termed++)
				kill(child, SIGTERM);
		}
	}
	/* the window closes: off-CPU first, then the samples */
	if (scry_profiler_stop(pr) < 0)
		fprintf(stderr, "scry profile: the off-CPU profile is incomplete: out of memory\n");
	if (child && child_st < 0) {
		/* sampling failed or ended: the command is ours to end */
		g_child = 0;
		kill(child, SIGTERM);
		while (waitpid(child, &child_st, 0) < 0 && errno == EINTR)
			;
	}
	const struct scry_profile *p = scry_profiler_profile(pr);
	struct scry_profile_stats s;
	scry_profile_stats(p, &s);
	fprintf(stderr, "scry profile: %llu samples at %u Hz, %llu lost, %.1f%% of stacks reached a root frame\n",
		(unsigned long long)s.samples, s.freq, (unsigned long long)s.lost,
		s.user_stacks ? 100.0 * (double)s.complete / (double)s.user_stacks : 0.0);
	if (s.lost)
		fprintf(stderr, "scry profile: %llu samples lost: the ring buffer was full (--mmap-pages "
				"gives it more room, or lower -F)\n", (unsigned long long)s.lost);
	if (write_profile(&o, &w, p, title) < 0)
		status = 1;
	else if (err < 0)
		status = 1;
	if (child && status == 0)
		status = child_status(child_st);
	scry_profiler_free(pr);
	free(o.pids);
	return status;
}
