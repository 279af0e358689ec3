/* What the command line said: struct options, filled by options_parse()
 * (options.h) and read by the rest of the CLI; apart from the parser so
 * that the parser's helpers (strace_compat.c) can fill it too. */
#ifndef SCRY_CLI_OPTION_VALUES_H
#define SCRY_CLI_OPTION_VALUES_H

#include <stdint.h>
#include <sys/types.h>

#include "scry/filter.h"
#include "scry/output.h"
#include "scry/stats.h"

#define MAX_PIDS 256
#define DUMP_FD_WORDS 16         /* -e read=/write=: fds 0..1023 in a bitmap */
/* --stack-depth: strace -k's limit of frames, and ours */
#define SCRY_STACK_DEPTH_DEFAULT 256
#define SCRY_STACK_DEPTH_MAX 4096

struct options {
	pid_t pids[MAX_PIDS];
	int npids;
	char **argv;             /* command to launch, or NULL */
	int follow;              /* -f: 1, -ff: 2 */
	const char *outfile;     /* -o */
	const struct scry_format *format; /* --format, or by -o's extension */
	uint64_t duration_ns;    /* --duration, --attach-duration-msec; 0: none */
	int string_limit;        /* -s */
	int summary;             /* -c: 1, -C: 2 (calls and summary) */
	int per_process;         /* --per-process */
	enum scry_sort_key sort; /* -S */
	struct scry_columns columns; /* -U */
	enum scry_text_ts timestamps;
	int relative, show_time, align;
	int quiet;               /* -q: no attach/detach messages; -qq (2):
				    no "+++ exited with" lines either */
	int verbose;             /* -v */
	int no_calibrate;        /* --no-calibrate */
	int cpu_time;            /* --cpu-time */
	int exact_latency;       /* --exact-latency */
	int latency_sampled;     /* (set by make_session: bpf -c samples) */
	int no_seccomp;          /* --no-seccomp */
	int follow_cpu;          /* --follow-cpu (experimental) */
	enum { BACKEND_AUTO, BACKEND_PTRACE, BACKEND_BPF } backend;
	size_t bpf_buffer;       /* --bpf-buffer */
	int bpf_hooks;           /* --bpf-hooks: SCRY_BPF_HOOKS_* */
	size_t bpf_stack_bytes;  /* --stack-size (0: the library's 8 KiB) */
	int stack_mode;          /* --stack-mode: SCRY_STACK_DWARF or _FP */
	int xflag;               /* -x, -xx */
	int fd_paths;            /* -y, -yy */
	const char *paths[64];   /* -P: given, and their canonical forms */
	int npaths;
	char *owned[64];         /* those canonical forms, to free */
	int nowned;
	uint64_t interval_ns;    /* --interval */
	struct scry_filter filter;
	int filtered;            /* some -e trace/status/signal given */
	/* strace's remaining options (docs/STRACE.md) */
	int quiet_exit;          /* -qq, -e quiet=exit */
	int quiet_personality;   /* -q, -e quiet=personality: no "[ Process
				    PID=N runs in 32 bit mode. ]" */
	int append;              /* -A */
	int syscall_numbers;     /* -n */
	int instruction_pointer; /* -i */
	int pid_comm;            /* -Y */
	const char *user;        /* -u */
	const char *env[64];     /* -E VAR=VAL / -E VAR, in order */
	int nenv;
	int daemonize;           /* -D: 1, -DD: 2, -DDD: 3 */
	long syscall_limit;      /* --syscall-limit; 0: none */
	int dumps;               /* bit 0: -e read= given, bit 1: -e write= */
	uint64_t dump_read[DUMP_FD_WORDS], dump_write[DUMP_FD_WORDS];
	int dump_read_other, dump_write_other;
	int have_raw, have_abbrev;
	uint64_t raw[SCRY_CALL_BITMAP_WORDS], abbrev[SCRY_CALL_BITMAP_WORDS];
	int separately;          /* --output-separately */
	int seccomp_bpf;         /* --seccomp-bpf (scry's default: noted under -v) */
	struct scry_inject_list inject; /* -e inject=, -e fault= */
	/* issue 13: where calls come from */
	int stack_trace;         /* -k: the frames after each call line */
	int source;              /* --source: [FILE:LINE in FUNCTION] */
	int stack_depth;         /* --stack-depth (default 256, strace's) */
	int by_function;         /* --by-function: time in syscalls per function */
	/* issue 14: --profile[=HZ]: CPU samples beside the calls (0: none) */
	unsigned profile_hz;
};

/* Returns 0, or an exit status (2: usage error, 0: --help/--version done). */

#endif
