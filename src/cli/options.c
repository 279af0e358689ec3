#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scry/scry.h"
#include "stack_mode.h"
#include "scry/syscalls.h"
#include "strace_compat.h"

static const char usage_text[] =
"Usage: scry [OPTIONS] -- COMMAND [ARGS...]\n"
"       scry [OPTIONS] -p PID [-p PID...]\n"
"\n"
"Trace the system calls of a command, or of running processes without\n"
"restarting them.  Ctrl+C detaches; the processes go on running.\n"
"\n"
"Targets:\n"
"  -p, --pid, --attach PID   attach to PID and all its threads (repeatable;\n"
"                            \"1 2 3\" and 1,2,3 also work)\n"
"  -f, --follow-forks        also trace children (fork, vfork, clone)\n"
"  -ff                       with -o FILE: one file per process, FILE.PID\n"
"      --duration TIME       detach after TIME (5, 5s, 500ms, 2m)\n"
"      --attach-duration-msec N  the same, in milliseconds\n"
"\n"
"Output:\n"
"  -o, --output FILE         write the trace to FILE instead of stderr\n"
"  -s, --string-limit N      show at most N bytes of strings (default 32)\n"
"  -t, -tt, -ttt             time of day, with microseconds, since the epoch\n"
"  -r, --relative-timestamps time since the previous line\n"
"  -T, --syscall-times       time spent in each call\n"
"  -a, --columns N           align results at column N (default 40)\n"
"  -x, -xx                   non-ASCII bytes in strings as \\x hex; -xx: all bytes\n"
"  -y, --decode-fds          paths of file descriptors; -yy: socket details too\n"
"  -q, --quiet               no attach/detach messages (-qq: no exit lines)\n"
"  -v, --verbose             say more\n"
"\n"
"Filtering:\n"
"  -e, --expr EXPR           trace=SET, status=SET, signal=SET (as strace)\n"
"      --trace SET           the same as -e trace=SET\n"
"  -z, --successful-only     only calls that succeeded\n"
"  -Z, --failed-only         only calls that failed\n"
"  -P, --trace-path PATH     only calls that touch PATH (by name or an fd on it)\n"
"      --no-seccomp          stop at every call even when a filter excludes it\n"
"  -e inject=SET:ACTION[:when=EXPR]  tamper with calls (ptrace only; as strace):\n"
"                            error=ERRNO|retval=N, signal=SIG, syscall=NAME,\n"
"                            delay_enter=D, delay_exit=D, poke_enter=@argN=HEX,\n"
"                            poke_exit=@argN=HEX; when=FIRST[..LAST][+[STEP]]\n"
"  -e fault=SET[:error=ERRNO][:when=EXPR]  inject an error (default ENOSYS)\n"
"\n"
"Formats:\n"
"      --format FMT          text, json, jsonl, csv, chrome, sqlite (default: by\n"
"                            -o's extension: .json .jsonl .csv .db, else text)\n"
"  scry report [--format FMT] [-c] [-o FILE] TRACE.db\n"
"                            print or convert a recorded SQLite trace\n"
"  scry top [-p PID] [-d SECONDS] [-e EXPR] [-o FILE.db]\n"
"                            a live view of a process (ncurses; keys in scry.1)\n"
"\n"
"Statistics:\n"
"  -c, --summary-only        count calls, print a summary with percentiles\n"
"  -C, --summary             print the calls and the summary\n"
"  -S, --summary-sort-by KEY time, calls, avg, p99, errors, name\n"
"  -U, --summary-columns COLS  columns of the summary\n"
"      --per-process         one summary table per process\n"
"      --no-calibrate        do not subtract the measured ptrace stop cost\n"
"      --cpu-time            summarise system CPU time instead of latency\n"
"      --exact-latency       bpf -c: time every call (default: a hot call is\n"
"                            timed 1 in up to 64, counts stay exact)\n"
"      --interval TIME       print a summary every TIME, each for that interval\n"
"\n"
"Where calls come from:\n"
"  -k, --stack-trace         the user stack of each call after its line, as strace -k\n"
"      --source              end each call line with [FILE:LINE in FUNCTION], the\n"
"                            first frame of the program's own code; with -c: one\n"
"                            summary row per call site\n"
"      --stack-depth N       unwind at most N frames (default 256)\n"
"      --by-function         summary of the time in syscalls per function,\n"
"                            inclusive over the stack (implies -c without -C)\n"
"\n"
"Backends:\n"
"      --backend B           auto (default), ptrace or bpf: bpf counts or traces\n"
"                            calls in the kernel without stopping anyone (needs\n"
"                            root or CAP_BPF); auto picks it when it can serve\n"
"      --bpf-buffer SIZE     bpf trace: ring buffer size (default 8M); events\n"
"                            lost when it is full are counted and reported\n"
"      --bpf-hooks H         auto (default), raw or syscalls: hang bpf's programs\n"
"                            on the raw syscall tracepoints (every call) or on\n"
"                            those of the -e trace= calls only (auto: for at\n"
"                            most 8 calls, none of the busiest)\n"
"      --stack-size SIZE     bpf with -k/--source: bytes of each call's user stack\n"
"                            copied for the unwinder (default 8K, at most 16K)\n"
"      --stack-mode MODE     bpf with -k/--source: dwarf (default: a copy of each\n"
"                            call's stack, unwound with DWARF) or fp (the kernel\n"
"                            walks the frame pointers: cheaper, for programs\n"
"                            built with -fno-omit-frame-pointer)\n"
"      --follow-cpu          ptrace, experimental: while one thread is traced,\n"
"                            keep scry's tracer thread on the CPU that thread\n"
"                            last ran on (the traced thread's affinity is never\n"
"                            changed)\n"
"\n"
"Where the CPU time goes:\n"
"      --profile[=HZ]        also sample the stacks of the traced threads on CPU\n"
"                            (HZ a second, default 99), on the calls' timeline:\n"
"                            samples in json/jsonl/chrome/sqlite, and the hottest\n"
"                            functions after the text trace or -c's summary\n"
"\n"
"strace's other options (docs/STRACE.md has every one):\n"
"  -i                        instruction pointer of each call: [00007f...]\n"
"  -n                        syscall number of each call: [ 257]\n"
"  -Y                        command names with pids: [pid 123<sh>]\n"
"  -A                        append to the -o file (created 0600)\n"
"  -o '|CMD', -o '!CMD'      pipe the trace into the shell command CMD\n"
"      --output-format FMT   the same as --format\n"
"  -E VAR=VAL, -E VAR        set or remove VAR in the command's environment\n"
"  -u USER                   run the command as USER, with its groups (root)\n"
"  -D, -DD, -DDD             the command stays scry's own process; scry traces\n"
"                            it from a grandchild (-DD: own process group,\n"
"                            -DDD: own session)\n"
"      --syscall-limit N     detach after N calls shown; the processes go on\n"
"  -e read=FDS, -e write=FDS hex dump of the data read from / written to FDS\n"
"  -e raw=SET                SET's calls undecoded: arguments in hex\n"
"  -e abbrev=SET             abbreviate SET's calls only (abbrev=none: -v)\n"
"  -e quiet=SET              attach, exit, ... (-q: attach; -qq: and exit)\n"
"  -e decode-fds=SET         path (-y), socket or all (-yy)\n"
"  -w, -I N, --seccomp-bpf   accepted: wall-clock latency, never stopping the\n"
"                            command on a signal and a seccomp filter for -e\n"
"                            trace= are what scry does anyway\n"
"\n"
"  -h, --help                this help\n"
"  -V, --version             scry's version\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "scry: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'scry --help' for more information.\n");
}

/* "5", "5s", "500ms", "2m", "1h", "250us" -> ns; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -1;
	double mult;
	if (!*end || !strcmp(end, "s"))
		mult = 1e9;
	else if (!strcmp(end, "ms"))
		mult = 1e6;
	else if (!strcmp(end, "us"))
		mult = 1e3;
	else if (!strcmp(end, "m"))
		mult = 60e9;
	else if (!strcmp(end, "h"))
		mult = 3600e9;
	else
		return -1;
	double ns = v * mult;
	if (ns < 1 || ns > 9e18)
		return -1;
	return (int64_t)ns;
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int add_pids(struct options *o, const char *arg)
{
	char *copy = strdup(arg);
	if (!copy)
		return -1;
	int r = 0, any = 0;
	for (char *save = NULL, *tok = strtok_r(copy, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		long v;
		if (parse_int(tok, 1, INT_MAX, &v) < 0) {
			usage_error("invalid process id '%s'", tok);
			r = -1;
			break;
		}
		if (o->npids == MAX_PIDS) {
			usage_error("too many processes (at most %s)", "256");
			r = -1;
			break;
		}
		o->pids[o->npids++] = (pid_t)v;
		any = 1;
	}
	if (!r && !any) {
		usage_error("invalid process id '%s'", arg);
		r = -1;
	}
	free(copy);
	return r;
}

enum {
	OPT_DURATION = 256, OPT_DURATION_MS, OPT_PER_PROCESS, OPT_TRACE,
	OPT_NO_CALIBRATE, OPT_CPU_TIME, OPT_EXACT_LATENCY, OPT_INTERVAL, OPT_NO_SECCOMP, OPT_BACKEND, OPT_FORMAT, OPT_BPF_BUFFER, OPT_BPF_HOOKS,
	/* strace's (docs/STRACE.md) */
	OPT_DAEMONIZE, OPT_DECODE_PIDS, OPT_SECCOMP_BPF, OPT_SYSCALL_LIMIT, OPT_SEPARATELY, OPT_QUAL,
	OPT_QUIET, OPT_VERBOSE, OPT_DECODE_FDS,
	OPT_INJECT, OPT_FAULT, OPT_FOLLOW_CPU,
	OPT_SOURCE, OPT_STACK_DEPTH, OPT_BY_FUNCTION,
	OPT_STACK_SIZE, OPT_PROFILE,
	OPT_STACK_MODE,
};

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "attach", required_argument, NULL, 'p' },
	{ "follow-forks", no_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "string-limit", required_argument, NULL, 's' },
	{ "expr", required_argument, NULL, 'e' },
	{ "trace", required_argument, NULL, OPT_TRACE },
	{ "summary-only", no_argument, NULL, 'c' },
	{ "summary", no_argument, NULL, 'C' },
	{ "summary-sort-by", required_argument, NULL, 'S' },
	{ "summary-columns", required_argument, NULL, 'U' },
	{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
	{ "relative-timestamps", no_argument, NULL, 'r' },
	{ "syscall-times", no_argument, NULL, 'T' },
	{ "columns", required_argument, NULL, 'a' },
	{ "successful-only", no_argument, NULL, 'z' },
	{ "failed-only", no_argument, NULL, 'Z' },
	{ "quiet", optional_argument, NULL, OPT_QUIET },
	{ "verbose", optional_argument, NULL, OPT_VERBOSE },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "attach-duration-msec", required_argument, NULL, OPT_DURATION_MS },
	{ "no-calibrate", no_argument, NULL, OPT_NO_CALIBRATE },
	{ "cpu-time", no_argument, NULL, OPT_CPU_TIME },
	{ "exact-latency", no_argument, NULL, OPT_EXACT_LATENCY },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "follow-cpu", no_argument, NULL, OPT_FOLLOW_CPU },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "bpf-buffer", required_argument, NULL, OPT_BPF_BUFFER },
	{ "bpf-hooks", required_argument, NULL, OPT_BPF_HOOKS },
	{ "decode-fds", optional_argument, NULL, OPT_DECODE_FDS },
	{ "trace-path", required_argument, NULL, 'P' },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "inject", required_argument, NULL, OPT_INJECT },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	/* strace's remaining options */
	{ "output-append-mode", no_argument, NULL, 'A' },
	{ "instruction-pointer", no_argument, NULL, 'i' },
	{ "syscall-number", no_argument, NULL, 'n' },
	{ "user", required_argument, NULL, 'u' },
	{ "env", required_argument, NULL, 'E' },
	{ "daemonize", optional_argument, NULL, OPT_DAEMONIZE },
	{ "summary-wall-clock", no_argument, NULL, 'w' },
	{ "decode-pids", required_argument, NULL, OPT_DECODE_PIDS },
	{ "seccomp-bpf", no_argument, NULL, OPT_SECCOMP_BPF },
	{ "syscall-limit", required_argument, NULL, OPT_SYSCALL_LIMIT },
	{ "interruptible", required_argument, NULL, 'I' },
	{ "output-format", required_argument, NULL, OPT_FORMAT },
	{ "output-separately", no_argument, NULL, OPT_SEPARATELY },
	{ "no-abbrev", no_argument, NULL, 'v' },
	{ "raw", required_argument, NULL, OPT_QUAL },
	{ "read", required_argument, NULL, OPT_QUAL },
	{ "write", required_argument, NULL, OPT_QUAL },
	{ "abbrev", required_argument, NULL, OPT_QUAL },
	{ "kvm", required_argument, NULL, OPT_QUAL },
	{ "status", required_argument, NULL, OPT_QUAL },
	{ "signal", required_argument, NULL, OPT_QUAL },
	{ "debug", no_argument, NULL, 'd' },
	{ "detach-on", required_argument, NULL, 'b' },
	{ "const-print-style", required_argument, NULL, 'X' },
	{ "summary-syscall-overhead", required_argument, NULL, 'O' },
	{ "tips", optional_argument, NULL, 'K' },
	{ "stack-trace", no_argument, NULL, 'k' },
	{ "stack-traces", no_argument, NULL, 'k' },   /* strace's spelling */
	{ "source", no_argument, NULL, OPT_SOURCE },
	{ "stack-depth", required_argument, NULL, OPT_STACK_DEPTH },
	{ "by-function", no_argument, NULL, OPT_BY_FUNCTION },
	{ "stack-size", required_argument, NULL, OPT_STACK_SIZE },
	{ "stack-mode", required_argument, NULL, OPT_STACK_MODE },
	{ "profile", optional_argument, NULL, OPT_PROFILE },
	{ NULL, 0, NULL, 0 },
};

int options_parse(struct options *o, int argc, char **argv, int *exit_now)
{
	memset(o, 0, sizeof(*o));
	o->string_limit = 32;
	o->align = 40;
	o->sort = SCRY_SORT_TIME;
	o->stack_depth = SCRY_STACK_DEPTH_DEFAULT;
	scry_filter_init(&o->filter, scry_native_table());
	*exit_now = 0;
	opterr = 0;
	int c;
	long v;
	char err[512];
	int format_given = 0, longindex = -1;
	char qual[512];
	while ((c = getopt_long(argc, argv, "+p:fo:s:e:cCS:U:trTa:zZqvxyP:hVAinu:E:DwYI:b:dX:O:k", longopts,
				&longindex)) != -1) {
		/* --raw=SET and the like are -e raw=SET */
		if (c == OPT_QUAL || (c == OPT_QUIET && optarg) || (c == OPT_VERBOSE && optarg) ||
		    (c == OPT_DECODE_FDS && optarg)) {
			snprintf(qual, sizeof(qual), "%s=%s", longopts[longindex].name, optarg);
			optarg = qual;
			c = 'e';
		} else if (c == OPT_QUIET || c == OPT_VERBOSE || c == OPT_DECODE_FDS) {
			c = c == OPT_QUIET ? 'q' : c == OPT_VERBOSE ? 'v' : 'y';
		}
		longindex = -1;
		switch (c) {
		case 'p':
			if (add_pids(o, optarg) < 0)
				return 2;
			break;
		case 'f':
			o->follow++;
			break;
		case 'o':
			o->outfile = optarg;
			break;
		case OPT_FORMAT:
			if (!(o->format = scry_format_find(optarg))) {
				char names[256], msg[512];
				scry_format_names(names, sizeof(names));
				snprintf(msg, sizeof(msg), "unknown format '%s': expected %s", optarg, names);
				usage_error("%s", msg);
				return 2;
			}
			format_given = 1;
			break;
		case 's':
			if (parse_int(optarg, 0, 1048576, &v) < 0) {
				usage_error("invalid -s value '%s': expected a number of bytes from 0 to 1048576",
					    optarg);
				return 2;
			}
			o->string_limit = (int)v;
			break;
		case OPT_INJECT:
		case OPT_FAULT:
			if (scry_inject_parse(&o->inject, scry_native_table(), c == OPT_INJECT ? "inject" : "fault",
					      optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "scry: %s\n", err);
				return 2;
			}
			strace_retval_warn(&o->inject.v[o->inject.n - 1]);
			break;
		case 'e':
			/* -e inject=, -e fault=: rules for the backend, not a filter */
			if (!strncmp(optarg, "inject=", 7) || !strncmp(optarg, "fault=", 6)) {
				int inj = optarg[0] == 'i';
				if (scry_inject_parse(&o->inject, scry_native_table(), inj ? "inject" : "fault",
						      optarg + (inj ? 7 : 6), err, sizeof(err)) < 0) {
					fprintf(stderr, "scry: %s\n", err);
					return 2;
				}
				strace_retval_warn(&o->inject.v[o->inject.n - 1]);
				break;
			}
			/* fall through */
		case OPT_TRACE: {
			int q = c == 'e' ? strace_qualifier(o, optarg, err, sizeof(err)) : 0;
			if (q < 0) {
				fprintf(stderr, "scry: %s\n", err);
				return 2;
			}
			if (q > 0)
				break;
			int r = c == 'e' ? scry_filter_parse(&o->filter, optarg, err, sizeof(err))
					 : scry_filter_trace_spec(&o->filter, optarg, err, sizeof(err));
			if (r < 0) {
				fprintf(stderr, "scry: %s\n", err);
				return 2;
			}
			o->filtered = 1;
			break;
		}
		case 'z':
		case 'Z':
			scry_filter_set_status_z(&o->filter, c == 'Z');
			o->filtered = 1;
			break;
		case 'c':
			o->summary = 1;
			break;
		case 'C':
			o->summary = 2;
			break;
		case 'S':
			if (scry_summary_parse_sort(optarg, &o->sort) < 0) {
				usage_error("invalid sort key '%s': expected time, calls, avg, p99, errors or name", optarg);
				return 2;
			}
			break;
		case 'U': {
			char bad[64];
			if (scry_summary_parse_columns(optarg, &o->columns, bad, sizeof(bad)) < 0) {
				fprintf(stderr, "scry: unknown summary column '%s' in -U %s\n", bad, optarg);
				return 2;
			}
			break;
		}
		case OPT_PER_PROCESS:
			o->per_process = 1;
			break;
		case 't':
			o->timestamps = o->timestamps == SCRY_TS_NONE ? SCRY_TS_TIME : o->timestamps == SCRY_TS_TIME ? SCRY_TS_USEC : SCRY_TS_EPOCH;
			break;
		case 'r':
			o->relative = 1;
			break;
		case 'T':
			o->show_time = 1;
			break;
		case 'a':
			if (parse_int(optarg, 0, 1000, &v) < 0) {
				usage_error("invalid -a value '%s'", optarg);
				return 2;
			}
			o->align = (int)v;
			break;
		case 'q':
			/* strace: -q attach,personality; -qq also exit */
			if (o->quiet)
				o->quiet_exit = 1;
			o->quiet = 1;
			o->quiet_personality = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case OPT_DURATION: {
			int64_t ns = parse_duration(optarg);
			if (ns < 0) {
				usage_error("invalid duration '%s': expected e.g. 5, 5s, 500ms, 2m", optarg);
				return 2;
			}
			o->duration_ns = (uint64_t)ns;
			break;
		}
		case OPT_DURATION_MS:
			if (parse_int(optarg, 1, LONG_MAX / 1000000, &v) < 0) {
				usage_error("invalid --attach-duration-msec value '%s'", optarg);
				return 2;
			}
			o->duration_ns = (uint64_t)v * 1000000u;
			break;
		case OPT_NO_CALIBRATE:
			o->no_calibrate = 1;
			break;
		case OPT_CPU_TIME:
			o->cpu_time = 1;
			break;
		case OPT_EXACT_LATENCY:
			o->exact_latency = 1;
			break;
		case OPT_NO_SECCOMP:
			o->no_seccomp = 1;
			break;
		case OPT_FOLLOW_CPU:
			o->follow_cpu = 1;
			break;
		case OPT_BPF_BUFFER: {
			char *end;
			errno = 0;
			unsigned long long v2 = strtoull(optarg, &end, 10);
			unsigned long long mult = 1;
			if (*end == 'K' || *end == 'k')
				mult = 1024, end++;
			else if (*end == 'M' || *end == 'm')
				mult = 1024 * 1024, end++;
			else if (*end == 'G' || *end == 'g')
				mult = 1024ull * 1024 * 1024, end++;
			if (errno || end == optarg || *end || !v2 || v2 * mult < 4096 || v2 * mult > (1ull << 32)) {
				usage_error("invalid --bpf-buffer '%s': expected a size from 4K to 4G (e.g. 64M)", optarg);
				return 2;
			}
			o->bpf_buffer = (size_t)(v2 * mult);
			break;
		}
		case OPT_STACK_SIZE: {
			char *end;
			errno = 0;
			unsigned long long v2 = strtoull(optarg, &end, 10);
			if (*end == 'K' || *end == 'k')
				v2 *= 1024, end++;
			if (errno || end == optarg || *end || v2 < 512 || v2 > 16384) {
				usage_error("invalid --stack-size '%s': expected a size from 512 to 16K (e.g. 8K)", optarg);
				return 2;
			}
			o->bpf_stack_bytes = (size_t)v2;
			break;
		}
		case OPT_BPF_HOOKS:
			if (!strcmp(optarg, "auto"))
				o->bpf_hooks = SCRY_BPF_HOOKS_AUTO;
			else if (!strcmp(optarg, "raw"))
				o->bpf_hooks = SCRY_BPF_HOOKS_RAW;
			else if (!strcmp(optarg, "syscalls"))
				o->bpf_hooks = SCRY_BPF_HOOKS_SYSCALLS;
			else {
				usage_error("invalid --bpf-hooks '%s': expected auto, raw or syscalls", optarg);
				return 2;
			}
			break;
		case OPT_BACKEND:
			if (!strcmp(optarg, "auto"))
				o->backend = BACKEND_AUTO;
			else if (!strcmp(optarg, "ptrace"))
				o->backend = BACKEND_PTRACE;
			else if (!strcmp(optarg, "bpf"))
				o->backend = BACKEND_BPF;
			else {
				usage_error("invalid backend '%s': expected auto, ptrace or bpf", optarg);
				return 2;
			}
			break;
		case 'x':
			o->xflag = o->xflag < 2 ? o->xflag + 1 : 2;
			break;
		case 'y':
			o->fd_paths = o->fd_paths < 2 ? o->fd_paths + 1 : 2;
			break;
		case 'P': {
			if (o->npaths + 2 > (int)(sizeof(o->paths) / sizeof(o->paths[0]))) {
				usage_error("too many -P paths (at most %s)", "32");
				return 2;
			}
			o->paths[o->npaths++] = optarg;
			/* the kernel's /proc links show canonical paths */
			char *real = realpath(optarg, NULL);
			if (real && strcmp(real, optarg)) {
				o->paths[o->npaths++] = real;
				o->owned[o->nowned++] = real;
			} else {
				free(real);
			}
			break;
		}
		case OPT_INTERVAL: {
			int64_t ns = parse_duration(optarg);
			if (ns < 1000000) {
				usage_error("invalid interval '%s': expected e.g. 1, 5s, 500ms (at least 1ms)", optarg);
				return 2;
			}
			o->interval_ns = (uint64_t)ns;
			break;
		}
		case 'A':
			o->append = 1;
			break;
		case 'i':
			o->instruction_pointer = 1;
			break;
		case 'n':
			o->syscall_numbers = 1;
			break;
		case 'Y':
			o->pid_comm = 1;
			break;
		case OPT_DECODE_PIDS:
			if (strcmp(optarg, "comm")) {
				strace_refuse('L');
				return 2;
			}
			o->pid_comm = 1;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'E':
			if (!*optarg || *optarg == '=') {
				usage_error("invalid -E '%s': expected VAR=VALUE or VAR", optarg);
				return 2;
			}
			if (o->nenv == (int)(sizeof(o->env) / sizeof(o->env[0]))) {
				usage_error("too many -E (at most %s)", "64");
				return 2;
			}
			o->env[o->nenv++] = optarg;
			break;
		case 'D':
			o->daemonize = o->daemonize < 3 ? o->daemonize + 1 : 3;
			break;
		case OPT_DAEMONIZE:
			if (!optarg || !strcmp(optarg, "grandchild"))
				o->daemonize = 1;
			else if (!strcmp(optarg, "pgroup") || !strcmp(optarg, "pgrp"))
				o->daemonize = 2;
			else if (!strcmp(optarg, "session"))
				o->daemonize = 3;
			else {
				usage_error("invalid --daemonize '%s': expected grandchild, pgroup or session", optarg);
				return 2;
			}
			break;
		case 'w':
			/* wall-clock latency is what scry's summary shows already */
			break;
		case 'I':
			/* strace's -I: which signals are blocked while it decodes.
			 * scry never leaves a tracee stopped whatever signal it
			 * gets (DESIGN.md rule 1): accepted for compatibility. */
			if (strcmp(optarg, "1") && strcmp(optarg, "2") && strcmp(optarg, "3") && strcmp(optarg, "4") &&
			    strcmp(optarg, "anywhere") && strcmp(optarg, "waiting") && strcmp(optarg, "never") &&
			    strcmp(optarg, "never_tstp")) {
				usage_error("invalid -I '%s': expected 1-4, anywhere, waiting, never or never_tstp", optarg);
				return 2;
			}
			break;
		case OPT_SECCOMP_BPF:
			o->seccomp_bpf = 1;
			break;
		case OPT_SYSCALL_LIMIT:
			if (parse_int(optarg, 1, LONG_MAX, &v) < 0) {
				usage_error("invalid --syscall-limit '%s': expected a number of calls, 1 or more", optarg);
				return 2;
			}
			o->syscall_limit = v;
			break;
		case OPT_SEPARATELY:
			o->separately = 1;
			break;
		case 'b':
		case 'd':
		case 'X':
		case 'O':
		case 'K':
			strace_refuse(c);
			return 2;
		case 'k':
			o->stack_trace = 1;
			break;
		case OPT_SOURCE:
			o->source = 1;
			break;
		case OPT_BY_FUNCTION:
			o->by_function = 1;
			break;
		case OPT_STACK_MODE:
			o->stack_mode = stack_mode_parse(optarg);
			if (o->stack_mode < 0) {
				usage_error("invalid --stack-mode '%s': expected dwarf or fp", optarg);
				return 2;
			}
			break;
		case OPT_STACK_DEPTH:
			if (parse_int(optarg, 1, SCRY_STACK_DEPTH_MAX, &v) < 0) {
				usage_error("invalid --stack-depth '%s': expected a number of frames from 1 to 4096",
					    optarg);
				return 2;
			}
			o->stack_depth = (int)v;
			break;
		case OPT_PROFILE:
			o->profile_hz = 99;
			if (optarg && (parse_int(optarg, 1, 1000000, &v) < 0)) {
				usage_error("invalid --profile '%s': expected samples per second, a whole number from "
					    "1 to 1000000 (e.g. --profile=99)", optarg);
				return 2;
			}
			if (optarg)
				o->profile_hz = (unsigned)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			*exit_now = 1;
			return 0;
		case 'V':
			printf("scry %s\n", scry_version());
			*exit_now = 1;
			return 0;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
			return 2;
		case '?':
		default:
			if (optopt && strchr("poseSUauEIbXO", optopt)) {
				char opt[3] = { '-', (char)optopt, 0 };
				usage_error("option '%s' needs an argument", opt);
			} else if (optopt) {
				char opt[3] = { '-', (char)optopt, 0 };
				usage_error("unknown option '%s'", opt);
			} else {
				usage_error("unknown option '%s'", argv[optind - 1]);
			}
			return 2;
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (!o->argv && !o->npids) {
		usage_error("%s", "nothing to trace: give a command (scry -- CMD) or a process (-p PID)");
		return 2;
	}
	if (o->backend == BACKEND_BPF && o->inject.n) {
		fprintf(stderr, "scry: fault injection (-e inject=, -e fault=) needs the ptrace backend: "
			"bpf cannot change a call; use --backend ptrace\n");
		return 2;
	}
	if (o->backend == BACKEND_BPF && (o->filter.status != SCRY_STATUS_ALL || o->cpu_time)) {
		usage_error("%s", "--backend bpf does not filter by status or measure CPU time; use --backend ptrace");
		return 2;
	}
	if (o->stack_mode == SCRY_STACK_FP && o->backend != BACKEND_BPF) {
		usage_error("%s", "--stack-mode fp: frame-pointer stacks are taken by the bpf backend; "
			    "add --backend bpf (ptrace unwinds with DWARF)");
		return 2;
	}
	/* --by-function is a summary: alone it is -c */
	if (o->by_function && !o->summary)
		o->summary = 1;
	if (!format_given)   /* (-o '|COMMAND' is a pipe: text unless --format) */
		o->format = scry_format_from_path(o->outfile && (o->outfile[0] == '|' || o->outfile[0] == '!')
						    ? NULL : o->outfile);
	if ((scry_format_flags(o->format) & SCRY_FORMAT_OWN_FILE) && !o->outfile) {
		if (!strcmp(scry_format_name(o->format), "html"))
			usage_error("--format %s writes a page: give it with -o FILE.html", scry_format_name(o->format));
		else
			usage_error("--format %s writes a database: give it with -o FILE.db", scry_format_name(o->format));
		return 2;
	}
	if (!(scry_format_flags(o->format) & SCRY_FORMAT_TEXT) && o->follow >= 2) {
		usage_error("%s", "-ff writes text files per process; use -f with --format");
		return 2;
	}
	if (o->interval_ns && !o->summary) {
		usage_error("%s", "--interval needs -c or -C");
		return 2;
	}
	if (o->profile_hz && !(scry_format_flags(o->format) & SCRY_FORMAT_TEXT) && (scry_format_flags(o->format) & SCRY_FORMAT_SUMMARY_TABLE)) {
		usage_error("--profile: the %s format has rows of calls only; the samples go into text, json, "
			    "jsonl, chrome, sqlite or html", scry_format_name(o->format));
		return 2;
	}
	if (o->profile_hz && o->follow >= 2 && o->outfile) {
		usage_error("%s", "--profile with -ff: the per-process files have no place for the profile; use -f");
		return 2;
	}
	if (o->separately) {
		if (!o->follow) {
			usage_error("%s", "--output-separately needs -f: scry writes a file per process with -ff -o FILE");
			return 2;
		}
		o->follow = 2;
	}
	if (strace_checks(o) < 0)
		return 2;
	if (o->follow >= 2 && !o->outfile) {
		/* strace: -ff without -o is -f. */
		o->follow = 1;
	}
	return 0;
}

void options_release(struct options *o)
{
	/* the canonical forms added by -P came from realpath() */
	for (int i = 0; i < o->nowned; i++)
		free(o->owned[i]);
	o->nowned = 0;
	scry_inject_list_release(&o->inject);
}
