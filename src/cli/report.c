/*
 * scry report: a recorded database (--format sqlite) back as text, as a
 * summary, or converted to another format (report.h, docs/FORMATS.md).
 *
 * Text is rebuilt from the stored strace text of each call (args_text and
 * ret_text), one line per call, in the order the calls began, with the
 * live output's "[pid N] " prefix when the trace has more than one thread,
 * and strace's lines for signals and exits.  Calls are never split into
 * "<unfinished ...>" / "<... resumed>" pairs.
 *
 * The reading is libscry's (scry/tracedb.h): this file is built on the
 * public headers alone (the Makefile's CLI_PUBLIC).
 */
#include "report.h"
#include "profile_report.h"


#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scry/output.h"
#include "scry/stats.h"
#include "scry/tracedb.h"

static const char USAGE[] =
	"usage: scry report [--format FMT] [-o FILE] [-c] TRACE.db\n"
	"       scry report --html -o report.html TRACE.db\n"
	"  reads a trace recorded with --format sqlite:\n"
	"  (no option)      the strace text of the calls\n"
	"  -c, --summary-only  the summary of the calls\n"
	"  --format FMT     convert to text, json, jsonl, csv, chrome, sqlite or html;\n"
	"                   folded, speedscope or pprof: the CPU samples of a trace\n"
	"                   recorded with --profile (or of scry profile's database)\n"
	"  --html           one self-contained HTML page (--format html; needs -o)\n"
	"  -o FILE          write there instead of stdout (sqlite needs it)\n"
	"  -k, --stack-trace   the recorded frames after each call (text)\n"
	"  --source         [FILE:LINE in FUNCTION] after each call; with -c: by call site\n";

/* The one line for the database's error (scry/tracedb.h keeps the first). */
static void db_report(struct scry_tracedb *db, const char *path)
{
	const char *msg;
	if (scry_tracedb_error(db, &msg) == -EBADMSG)
		fprintf(stderr, "scry report: '%s' is damaged: %s (sqlite3's .recover can save what is left)\n",
			path, msg);
	else
		fprintf(stderr, "scry report: cannot read '%s': %s\n", path, msg);
}

static int convert(struct scry_tracedb *db, const struct scry_format *fmt, const char *outfile,
		   int summary_only, const struct scry_stats *stats, const struct scry_summary_opts *so)
{
	int fd = 1;
	if (scry_tracedb_error(db, NULL))
		return 1;        /* (report_main() says why; FILE untouched) */
	if (outfile && !(scry_format_flags(fmt) & SCRY_FORMAT_OWN_FILE)) {
		fd = open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, strerror(errno));
			return 1;
		}
	}
	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
	oo.fd = fd;
	oo.path = outfile;
	oo.summary = summary_only;
	scry_tracedb_output_opts(db, &oo);
	struct scry_sink sink;
	char err[512];
	int status = 0;
	if (scry_tracedb_error(db, NULL)) {
		status = 1;      /* (report_main() says why) */
	} else if (scry_format_open(fmt, &sink, &oo, err, sizeof(err)) < 0) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile ? outfile : "stdout", err);
		status = 1;
	} else {
		/* (a --profile trace's CPU samples among the calls, and their
		 * counts at the end, as the live run's sinks had them) */
		int rc = scry_tracedb_replay(db, &sink, SCRY_TRACEDB_REPLAY_STACKS | SCRY_TRACEDB_REPLAY_SAMPLES);
		struct scry_sink_end end = { .summary = stats, .summary_opts = so };
		scry_tracedb_meta_u64(db, "lost_events", &end.lost_events);
		scry_tracedb_sample_end(db, &end);
		int werr = scry_sink_finish(&sink, &end);
		scry_sink_free(&sink);
		if (scry_tracedb_error(db, NULL)) {
			status = 1;
		} else if (rc < 0 || werr < 0) {
			fprintf(stderr, "scry report: cannot write the trace%s%s: %s\n", outfile ? " to " : "",
				outfile ? outfile : "", strerror(-(rc < 0 ? rc : werr)));
			status = 1;
		}
	}
	if (fd > 2)
		close(fd);
	return status;
}

/* --html: the page (scry_tracedb_write_html() makes it in memory first:
 * outfile is opened, and so emptied, only once the page is made, so that
 * a database found damaged costs the user nothing). */
static int write_html(struct scry_tracedb *db, const char *outfile)
{
	char err[512];
	if (scry_tracedb_write_html(db, outfile, err, sizeof(err)) == 0)
		return 0;
	if (!scry_tracedb_error(db, NULL))      /* (else report_main() says why) */
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, err);
	return 1;
}

int report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "output", required_argument, NULL, 'o' },
		{ "summary-only", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "stack-trace", no_argument, NULL, 'k' },
		{ "stack-traces", no_argument, NULL, 'k' },
		{ "source", no_argument, NULL, 'O' },
		{ "html", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fmtname = NULL, *outfile = NULL;
	int summary_only = 0, stack_trace = 0, source = 0;
	int ch;
	optind = 1;
	opterr = 0;
	/* (options also after the file, as getopt permutes: report t.db -c) */
	while ((ch = getopt_long(argc, argv, ":co:hk", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F': fmtname = optarg; break;
		case 'o': outfile = optarg; break;
		case 'c': summary_only = 1; break;
		case 'k': stack_trace = 1; break;
		case 'O': source = 1; break;
		case 'H': fmtname = "html"; break;
		case 'h': fputs(USAGE, stdout); return 0;
		case ':':
			fprintf(stderr, "scry report: option '%s' needs an argument\n%s", argv[optind - 1], USAGE);
			return 2;
		default:
			if (optopt)
				fprintf(stderr, "scry report: unknown option '-%c'\n%s", optopt, USAGE);
			else
				fprintf(stderr, "scry report: unknown option '%s'\n%s", argv[optind - 1], USAGE);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "scry report: give one TRACE.db (recorded with --format sqlite -o TRACE.db)\n%s", USAGE);
		return 2;
	}
	/* a profile (scry profile --format sqlite): its own report */
	if (access(argv[optind], R_OK) == 0 && px_is_profile_db(argv[optind]))
		return px_report(argv[optind], fmtname, outfile);
	/* a trace recorded with --profile: its samples in a profile's formats */
	if (px_is_profile_format(fmtname) && access(argv[optind], R_OK) == 0) {
		if (px_trace_has_profile(argv[optind]))
			return px_report(argv[optind], fmtname, outfile);
		fprintf(stderr, "scry report: '%s' has no CPU samples: --format %s needs a profile (scry profile "
			"--format sqlite, or a trace recorded with --profile)\n", argv[optind], fmtname);
		return 2;
	}
	const struct scry_format *fmt = scry_format_from_path(NULL);   /* text */
	if (fmtname && !(fmt = scry_format_find(fmtname))) {
		char names[256];
		scry_format_names(names, sizeof(names));
		fprintf(stderr, "scry report: unknown format '%s' (%s)\n", fmtname, names);
		return 2;
	}
	const char *fname = scry_format_name(fmt);
	unsigned fflags = scry_format_flags(fmt);
	if ((fflags & SCRY_FORMAT_OWN_FILE) && !outfile) {
		fprintf(stderr, "scry report: --format %s writes a file: give one with -o FILE.%s\n", fname,
			strcmp(fname, "html") ? "db" : "html");
		return 2;
	}
	const char *path = argv[optind];
	struct scry_tracedb *db;
	char why[512];
	int rc = scry_tracedb_open(&db, path, why, sizeof(why));
	if (rc == -ENOTSUP) {
		fprintf(stderr, "scry report: this scry was built without SQLite (link it with -lsqlite3)\n");
		return 1;
	} else if (rc == -EBADMSG) {
		fprintf(stderr, "scry report: '%s' is damaged: %s (sqlite3's .recover can save what is left)\n",
			path, why);
		return 1;
	} else if (rc == -EINVAL) {
		fprintf(stderr, "scry report: '%s' is %s\n", path, why);
		return 1;
	} else if (rc < 0) {
		fprintf(stderr, "scry report: cannot read '%s': %s\n", path, why);
		return 1;
	}
	/* the page reads what it needs in its own one pass */
	int html = !strcmp(fname, "html");
	if (!html)
		scry_tracedb_syscall_name(db, 0);     /* reads the names now */
	int has_stacks = !html || stack_trace || source ? scry_tracedb_has(db, SCRY_TRACEDB_STACKS) : 0;
	if ((stack_trace || source) && !has_stacks && !scry_tracedb_error(db, NULL))
		fprintf(stderr, "scry report: '%s' has no stacks (record with -k or --source): calls show [?]\n",
			path);
	/* -o FILE is emptied when it is opened: a database found damaged
	 * half-way would cost the user that file's old contents for nothing.
	 * Check the whole database first (reads are checked anyway). */
	if (outfile && !scry_tracedb_error(db, NULL) && !html)
		scry_tracedb_check(db);

	int status = 0;
	struct scry_summary_opts so;
	scry_tracedb_summary_opts(db, &so);
	struct scry_summary_sink counts;
	scry_summary_sink_init(&counts, 0);
	counts.cpu_time = so.latency == SCRY_LATENCY_CPU;
	/* -c --source / -c -k: by call site, by wall-clock time */
	struct scry_summary_sink sites;
	scry_summary_sink_init(&sites, 0);
	int by_site = summary_only && (source || stack_trace);
	if (scry_tracedb_error(db, NULL)) {
		status = 1;
	} else if (summary_only && (rc = scry_tracedb_summarize(db, &counts)) < 0) {
		if (!scry_tracedb_error(db, NULL))
			fprintf(stderr, "scry report: cannot count the calls of '%s': %s\n", path, strerror(-rc));
		status = 1;
	} else if (by_site && ((rc = scry_summary_sink_by_site(&sites, 1, 0)) < 0 ||
			       (rc = scry_tracedb_summarize(db, &sites)) < 0)) {
		if (!scry_tracedb_error(db, NULL))
			fprintf(stderr, "scry report: cannot count the calls of '%s': %s\n", path, strerror(-rc));
		status = 1;
	} else if (html) {
		status = write_html(db, outfile);
	} else if (fflags & SCRY_FORMAT_TEXT) {
		FILE *out = stdout;
		int ofd = outfile ? open(outfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
		if (outfile && (ofd < 0 || !(out = fdopen(ofd, "w")))) {
			if (ofd >= 0)
				close(ofd);
			fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, strerror(errno));
			status = 1;
		} else {
			if (by_site)
				status = scry_sites_print_text(sites.sites, out, &so) < 0;
			else if (summary_only)
				status = scry_stats_print_text(&counts.stats, out, &so) < 0;
			else
				status = scry_tracedb_print_text(db, out, (stack_trace ? SCRY_TRACEDB_TEXT_STACKS : 0) |
									  (source ? SCRY_TRACEDB_TEXT_SOURCE : 0)) < 0;
			if (fflush(out) != 0)
				status = 1;
			if (out != stdout)
				fclose(out);
		}
	} else {
		/* -c --source / -c -k: the structured summary's call_sites too */
		if (by_site)
			so.sites = sites.sites;
		status = convert(db, fmt, outfile, summary_only, summary_only ? &counts.stats : NULL, &so);
	}
	if (scry_tracedb_error(db, NULL)) {
		db_report(db, path);
		status = 1;
	}
	scry_summary_sink_release(&counts);
	scry_summary_sink_release(&sites);
	scry_tracedb_close(db);
	return status;
}
