/*
 * replay_slowest TRACE.db: the 5 slowest calls of a recorded trace
 * (scry --format sqlite -o TRACE.db CMD), slowest first, one line each:
 *
 *   1.234 ms  pid 4242  nanosleep({tv_sec=0, tv_nsec=1000000}, NULL) = 0
 *
 * A recording read back (scry/tracedb.h): open, replay every call into a
 * sink of our own, close.  The sink keeps copies: what an event points to
 * lives only while event() runs.
 *
 *   cc replay_slowest.c $(pkg-config --cflags --libs scry) -o replay_slowest
 */
#define _GNU_SOURCE          /* asprintf */
#include <scry/tracedb.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP 5

struct slow {
	uint64_t ns;
	pid_t pid;
	char *line;              /* "name(args) = ret", malloc'ed */
};

struct top {
	struct scry_tracedb *db;
	struct slow s[TOP];
	int n;
};

static int on_event(void *ctx, const struct scry_event *ev)
{
	struct top *t = ctx;
	const struct scry_call *c = &ev->u.call;
	if (ev->type != SCRY_EV_CALL_EXIT || !c->t_exit_ns)
		return 0;            /* process events; calls that never returned */
	if (t->n == TOP && c->duration_ns <= t->s[TOP - 1].ns)
		return 0;
	const char *args;
	size_t len;
	if (scry_tracedb_replay_args(t->db, &args, &len, NULL, NULL) < 0)
		return -EINVAL;
	char *line;
	if (asprintf(&line, "%s(%.*s) = %s", c->name, (int)len, args, c->ret_text) < 0)
		return -ENOMEM;      /* ends the replay with it */
	if (t->n == TOP)
		free(t->s[--t->n].line);
	int i = t->n++;
	for (; i > 0 && t->s[i - 1].ns < c->duration_ns; i--)
		t->s[i] = t->s[i - 1];
	t->s[i] = (struct slow){ c->duration_ns, ev->pid, line };
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: replay_slowest TRACE.db\n");
		return 2;
	}
	char err[256];
	struct top t = { 0 };
	int r = scry_tracedb_open(&t.db, argv[1], err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "replay_slowest: %s: %s\n", argv[1], err);
		return 1;
	}
	struct scry_sink sink = { on_event, NULL, &t, NULL, NULL };
	r = scry_tracedb_replay(t.db, &sink, 0);
	const char *msg;
	if (r < 0 && scry_tracedb_error(t.db, &msg) < 0)
		fprintf(stderr, "replay_slowest: %s: %s\n", argv[1], msg);    /* damaged, unreadable */
	else if (r < 0)
		fprintf(stderr, "replay_slowest: %s\n", strerror(-r));
	for (int i = 0; r == 0 && i < t.n; i++)
		printf("%10.3f ms  pid %d  %s\n", (double)t.s[i].ns / 1e6, (int)t.s[i].pid, t.s[i].line);
	for (int i = 0; i < t.n; i++)
		free(t.s[i].line);
	scry_tracedb_close(t.db);
	return r < 0 ? 1 : 0;
}
