/*
 * latency_hist CMD [ARG...]: run CMD (and its children) under trace and
 * print, per process, a histogram of its calls' durations in powers of two
 * of microseconds.
 */
#include <scry/scry.h>

#include <stdio.h>
#include <string.h>

#define MAXPROC 64
#define BUCKETS 24

struct proc { pid_t pid; unsigned long b[BUCKETS]; };
struct hist { struct proc p[MAXPROC]; int n; };

static int on_event(void *ctx, const struct scry_event *ev)
{
	struct hist *h = ctx;
	if (ev->type != SCRY_EV_CALL_EXIT || !ev->u.call.t_exit_ns)
		return 0;
	struct proc *p = NULL;
	for (int i = 0; i < h->n && !p; i++)
		if (h->p[i].pid == ev->pid)
			p = &h->p[i];
	if (!p && h->n < MAXPROC) {
		p = &h->p[h->n++];
		p->pid = ev->pid;
	}
	if (!p)
		return 0;
	uint64_t us = ev->u.call.duration_ns / 1000;
	int b = 0;
	while (us > 1 && b < BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	p->b[b]++;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: latency_hist CMD [ARG...]\n");
		return 2;
	}
	static struct hist h;
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.follow_forks = 1;
	cfg.no_decode = 1;
	struct scry_session *s;
	if (scry_session_new(&s, &cfg) < 0)
		return 1;
	/* durations without the tracer's own cost of each stop */
	scry_session_calibrate(s);
	struct scry_sink sink = { on_event, NULL, &h, NULL, NULL };
	scry_session_add_sink(s, &sink);
	int r = scry_session_launch(s, argv + 1, NULL);
	if (r < 0) {
		fprintf(stderr, "latency_hist: cannot run %s: %s\n", argv[1], strerror(-r));
		scry_session_free(s);
		return 1;
	}
	r = scry_session_run(s);
	scry_session_free(s);
	for (int i = 0; i < h.n; i++) {
		printf("process %d\n", (int)h.p[i].pid);
		for (int b = 0; b < BUCKETS; b++)
			if (h.p[i].b[b])
				printf("  < %8lu us %8lu\n", 2ul << b, h.p[i].b[b]);
	}
	return r < 0 ? 1 : 0;
}
