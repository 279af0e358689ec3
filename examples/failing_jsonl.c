/*
 * failing_jsonl PID SECONDS: attach to a running process (every thread) for
 * SECONDS, print each call that failed as one JSON object a line, then
 * detach and leave it running.
 *
 *   {"pid":12,"tid":13,"call":"openat","errno":2,"ts_ns":1700000000000000000}
 */
#include <scry/scry.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct scry_session *session;

static int on_event(void *ctx, const struct scry_event *ev)
{
	(void)ctx;
	if (ev->type != SCRY_EV_CALL_EXIT || !ev->u.call.is_error)
		return 0;
	const struct scry_call *c = &ev->u.call;
	/* call names are plain identifiers: no JSON escaping needed */
	printf("{\"pid\":%d,\"tid\":%d,\"call\":\"%s\",\"errno\":%lld,\"ts_ns\":%llu}\n",
	       (int)ev->pid, (int)ev->tid, c->name ? c->name : "?", (long long)-c->ret,
	       (unsigned long long)c->t_exit_ns);
	return ferror(stdout) ? -EIO : 0;
}

static void on_alarm(int sig)
{
	(void)sig;
	scry_session_request_detach(session, 0);   /* async-signal-safe */
}

int main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[1]) <= 0 || atoi(argv[2]) <= 0) {
		fprintf(stderr, "usage: failing_jsonl PID SECONDS\n");
		return 2;
	}
	struct scry_config cfg = SCRY_CONFIG_INIT;
	int r = scry_session_new(&session, &cfg);
	if (r < 0)
		return 1;
	struct scry_sink sink = { on_event, NULL, NULL, NULL, NULL };
	scry_session_add_sink(session, &sink);
	struct scry_attach_error why;
	r = scry_session_attach(session, atoi(argv[1]), &why);
	if (r < 0) {
		fprintf(stderr, "failing_jsonl: cannot attach to %s: %s%s%s\n", argv[1], strerror(why.err),
			why.reason[0] ? ": " : "", why.reason);
		scry_session_free(session);
		return 1;
	}
	signal(SIGALRM, on_alarm);     /* the library leaves SIGALRM to us */
	alarm((unsigned)atoi(argv[2]));
	r = scry_session_run(session);
	scry_session_free(session);
	fflush(stdout);
	return r < 0 ? 1 : 0;
}
