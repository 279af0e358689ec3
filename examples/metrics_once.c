/*
 * metrics_once [--openmetrics] CMD [ARG...]: run CMD and the processes it
 * starts under trace, counting their system calls in a Prometheus
 * exporter, and print the exposition (what `scry serve` would answer a
 * scrape with) on stdout when they are all gone, one series per process
 * and syscall (label pid).
 *
 * An exporter fed by a session (scry/exporter.h): its sink in the
 * session, the launched command announced to it, a render at the end.  A
 * server would render from its own thread while the session runs.
 *
 *   cc metrics_once.c $(pkg-config --cflags --libs scry) -o metrics_once
 *   ./metrics_once sh -c 'ls / >/dev/null'
 */
#include <scry/exporter.h>
#include <scry/scry.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	int om = argc > 1 && !strcmp(argv[1], "--openmetrics");
	char **cmd = argv + 1 + om;
	if (!*cmd) {
		fprintf(stderr, "usage: metrics_once [--openmetrics] CMD [ARG...]\n");
		return 2;
	}

	/* the exporter first: its sink goes into the session before the launch */
	struct scry_exporter_opts o = SCRY_EXPORTER_OPTS_INIT;
	o.labels = SCRY_EXPORTER_LABEL_PID;
	struct scry_exporter *e;
	char why[256] = "";
	int r = scry_exporter_open_fed(&e, &o, why, sizeof(why));
	if (r < 0) {
		fprintf(stderr, "metrics_once: %s\n", why[0] ? why : strerror(-r));
		return 1;
	}

	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.follow_forks = 1;
	cfg.no_decode = 1;             /* numbers and results are all it counts */
	struct scry_session *s;
	r = scry_session_new(&s, &cfg);
	if (r < 0) {
		fprintf(stderr, "metrics_once: %s\n", strerror(-r));
		scry_exporter_close(e);
		return 1;
	}
	struct scry_sink sink;
	scry_exporter_as_sink(e, &sink);
	scry_session_add_sink(s, &sink);
	scry_session_calibrate(s);     /* durations without the tracer's own cost */
	pid_t pid;
	r = scry_session_launch(s, cmd, &pid);
	if (r < 0) {
		fprintf(stderr, "metrics_once: cannot run %s: %s\n", cmd[0], strerror(-r));
		scry_session_free(s);
		scry_exporter_close(e);
		return 1;
	}
	/* (the session announces the processes it forks, not this one) */
	scry_exporter_feed_process(e, pid, 1);
	r = scry_session_run(s);
	scry_session_free(s);
	if (r < 0)
		fprintf(stderr, "metrics_once: the trace stopped: %s\n", strerror(-r));

	char *text;
	size_t len;
	int err = scry_exporter_render(e, om, &text, &len);
	if (err < 0) {
		fprintf(stderr, "metrics_once: %s\n", strerror(-err));
	} else {
		fwrite(text, 1, len, stdout);
		free(text);
	}
	scry_exporter_close(e);
	return r < 0 || err < 0 ? 1 : 0;
}
