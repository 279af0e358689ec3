/*
 * filter_summary EXPR OUT.jsonl COMMAND [ARG]...: run COMMAND, write the
 * calls that the filter expression EXPR shows (scry's -e language, e.g.
 * "trace=file", "trace=openat,close", "status=failed") to OUT.jsonl as JSON
 * Lines, and print their summary with percentiles:
 *
 *	openat calls=9 errors=2 p50_ns=5321 p99_ns=18422
 *
 * Everything the scry command does with -e, -o FILE.jsonl and -c, through
 * the public API: scry/filter.h, scry/output.h, scry/stats.h.
 */
#include <scry/filter.h>
#include <scry/output.h>
#include <scry/scry.h>
#include <scry/stats.h>
#include <scry/syscalls.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: filter_summary EXPR OUT.jsonl COMMAND [ARG]...\n");
		return 2;
	}
	char err[256];
	struct scry_filter filter;
	scry_filter_init(&filter, scry_native_table());
	if (scry_filter_parse(&filter, argv[1], err, sizeof(err)) < 0) {
		fprintf(stderr, "filter_summary: %s\n", err);
		return 2;
	}
	/* the calls outside the filter never reach a sink, nor get decoded */
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.syscall_bitmap = filter.trace;
	cfg.syscall_bitmap_words = sizeof(filter.trace) / sizeof(filter.trace[0]);
	cfg.backend = scry_backend_choose(&cfg, 0);   /* a launch: ptrace */
	struct scry_session *s;
	if (scry_session_new(&s, &cfg) < 0)
		return 1;
	scry_session_calibrate(s);   /* durations less the tracer's own cost */

	int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "filter_summary: cannot write '%s': %s\n", argv[2], strerror(errno));
		scry_session_free(s);
		return 1;
	}
	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
	oo.fd = fd;
	oo.argv = argv + 3;
	struct scry_sink jsonl, counts, all;
	if (scry_format_open(scry_format_find("jsonl"), &jsonl, &oo, err, sizeof(err)) < 0) {
		fprintf(stderr, "filter_summary: %s: %s\n", argv[2], err);
		close(fd);
		scry_session_free(s);
		return 1;
	}
	struct scry_summary_sink summary;
	scry_summary_sink_init(&summary, 0);
	scry_summary_sink_as_sink(&summary, &counts);

	/* the filter in front of both (its status= and signal= parts) */
	struct scry_filter_stage stage;
	scry_filter_stage_init(&stage, &filter);
	scry_filter_stage_add(&stage, &jsonl);
	scry_filter_stage_add(&stage, &counts);
	scry_filter_stage_as_sink(&stage, &all);
	scry_session_add_sink(s, &all);

	pid_t pid;
	int r = scry_session_launch(s, argv + 3, &pid);
	if (r < 0)
		fprintf(stderr, "filter_summary: cannot run %s: %s\n", argv[3], strerror(-r));
	else
		r = scry_session_run(s);

	/* the JSON Lines end (finish() reaches every sink behind the stage);
	 * the summary is ours to print */
	struct scry_sink_end end = { .lost_events = scry_session_lost(s) };
	int werr = scry_sink_finish(&all, &end);
	for (size_t i = 0; i < scry_stats_nr_rows(&summary.stats); i++) {
		const struct scry_stats_row *row = scry_stats_row_at(&summary.stats, i);
		const char *name = scry_syscall_name(scry_native_table(), row->nr);
		printf("%s calls=%llu errors=%llu p50_ns=%llu p99_ns=%llu\n", name ? name : "?",
		       (unsigned long long)row->calls, (unsigned long long)row->errors,
		       (unsigned long long)scry_stats_row_percentile(row, 50),
		       (unsigned long long)scry_stats_row_percentile(row, 99));
	}
	scry_sink_free(&all);      /* the JSON Lines sink and the summary */
	scry_session_free(s);
	if (close(fd) < 0 && !werr)
		werr = -errno;
	if (werr < 0)
		fprintf(stderr, "filter_summary: %s: %s\n", argv[2], strerror(-werr));
	return r < 0 || werr < 0 ? 1 : 0;
}
