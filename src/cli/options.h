/* The command line of scry: parsed into one struct, validated before anything
 * is attached or launched. */
#ifndef SCRY_CLI_OPTIONS_H
#define SCRY_CLI_OPTIONS_H

#include <stdint.h>
#include <sys/types.h>

#include "filter/filter.h"
#include "output/formats.h"
#include "stats/stats.h"

#define MAX_PIDS 256

struct options {
	pid_t pids[MAX_PIDS];
	int npids;
	char **argv;             /* command to launch, or NULL */
	int follow;              /* -f: 1, -ff: 2 */
	const char *outfile;     /* -o */
	const struct output_format *format; /* --format, or by -o's extension */
	uint64_t duration_ns;    /* --duration, --attach-duration-msec; 0: none */
	int string_limit;        /* -s */
	int summary;             /* -c: 1, -C: 2 (calls and summary) */
	int per_process;         /* --per-process */
	enum scry_sort_key sort; /* -S */
	struct scry_columns columns; /* -U */
	enum text_ts timestamps;
	int relative, show_time, align;
	int quiet;               /* -q: no attach/detach messages */
	int verbose;             /* -v */
	int no_calibrate;        /* --no-calibrate */
	int cpu_time;            /* --cpu-time */
	int no_seccomp;          /* --no-seccomp */
	enum { BACKEND_AUTO, BACKEND_PTRACE, BACKEND_BPF } backend;
	size_t bpf_buffer;       /* --bpf-buffer */
	int bpf_hooks;           /* --bpf-hooks: SCRY_BPF_HOOKS_* */
	size_t bpf_stack_bytes;  /* --stack-size (0: the library's 8 KiB) */
	int xflag;               /* -x, -xx */
	int fd_paths;            /* -y, -yy */
	const char *paths[64];   /* -P: given, and their canonical forms */
	int npaths;
	char *owned[64];         /* those canonical forms, to free */
	int nowned;
	uint64_t interval_ns;    /* --interval */
	struct scry_filter filter;
	int filtered;            /* some -e trace/status/signal given */
};

/* Returns 0, or an exit status (2: usage error, 0: --help/--version done). */
int options_parse(struct options *o, int argc, char **argv, int *exit_now);
void options_release(struct options *o);

#endif
