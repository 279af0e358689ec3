/*
 * count_calls CMD [ARG...]: run CMD under trace and print how many times it
 * made each system call, most first, on stderr (as strace -c: the
 * command's own output stays on stdout).  The smallest complete use of
 * libscry: a session, one sink, launch, run.
 *
 *   cc count_calls.c $(pkg-config --cflags --libs scry) -o count_calls
 */
#include <scry/scry.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXNR 1024

struct counts {
	unsigned long n[MAXNR];
	const char *name[MAXNR];
};

static int on_event(void *ctx, const struct scry_event *ev)
{
	struct counts *c = ctx;
	/* count each call once, when it returns (or would have: exit_group) */
	if (ev->type == SCRY_EV_CALL_EXIT && ev->u.call.nr >= 0 && ev->u.call.nr < MAXNR) {
		c->n[ev->u.call.nr]++;
		c->name[ev->u.call.nr] = ev->u.call.name;  /* static strings */
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: count_calls CMD [ARG...]\n");
		return 2;
	}
	static struct counts c;
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.no_decode = 1;             /* numbers are enough: cheaper */
	struct scry_session *s;
	int r = scry_session_new(&s, &cfg);
	if (r < 0) {
		fprintf(stderr, "count_calls: %s\n", strerror(-r));
		return 1;
	}
	struct scry_sink sink = { on_event, NULL, &c, NULL, NULL };
	scry_session_add_sink(s, &sink);
	r = scry_session_launch(s, argv + 1, NULL);
	if (r < 0) {
		fprintf(stderr, "count_calls: cannot run %s: %s\n", argv[1], strerror(-r));
		scry_session_free(s);
		return 1;
	}
	r = scry_session_run(s);
	scry_session_free(s);
	if (r < 0) {
		fprintf(stderr, "count_calls: %s\n", strerror(-r));
		return 1;
	}
	for (;;) {                     /* most first: fine for a few hundred */
		int best = -1;
		for (int i = 0; i < MAXNR; i++)
			if (c.n[i] && (best < 0 || c.n[i] > c.n[best]))
				best = i;
		if (best < 0)
			break;
		fprintf(stderr, "%8lu %s\n", c.n[best], c.name[best] ? c.name[best] : "?");
		c.n[best] = 0;
	}
	return 0;
}
