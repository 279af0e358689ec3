/*
 * scry profile's off-CPU, states and counters.  See cli/profile_extra.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/profile_extra.h"
#include "profile/counters.h"
#include "profile/offcpu.h"
#include "profile/pprof.h"
#include "profile/prof_chrome.h"
#include "profile/profiler.h"
#include "profile/prof_sqlite.h"
#include "profile/states.h"

struct px {
	struct px_opts o;
	struct offcpu *oc;
	struct states_sampler *ss;
	struct counters *cn;
	struct tstates ts;
	int have_states;
	struct prof_timeline *tl;
	uint64_t t0, t_end, next_tick;
	int ended;
	const pid_t *pids;	/* px_begin's, alive until px_start */
	int npids, follow;
};

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int px_parse_offcpu(struct px_opts *o, const char *arg)
{
	if (!arg || !strcmp(arg, "auto"))
		o->offcpu = PX_OFFCPU_AUTO;
	else if (!strcmp(arg, "bpf"))
		o->offcpu = PX_OFFCPU_BPF;
	else if (!strcmp(arg, "proc"))
		o->offcpu = PX_OFFCPU_PROC;
	else if (!strcmp(arg, "no"))
		o->offcpu = PX_OFFCPU_NO;
	else {
		fprintf(stderr, "scry profile: --off-cpu=%s: say auto, bpf (sched_switch), proc "
				"(/proc sampling) or no\n", arg);
		return 2;
	}
	return 0;
}

int px_parse_metric(const char *arg, enum prof_metric *m)
{
	static const struct { const char *name; enum prof_metric m; } T[] = {
		{ "cpu", PROF_CPU },
		{ "off-cpu-sleep", PROF_OFFCPU_SLEEP_NS },
		{ "off-cpu-disk", PROF_OFFCPU_DISK_NS },
		{ "off-cpu-runq", PROF_OFFCPU_RUNQ_NS },
		{ "off-cpu-other", PROF_OFFCPU_OTHER_NS },
	};
	for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++)
		if (!strcmp(arg, T[i].name)) {
			*m = T[i].m;
			return 0;
		}
	fprintf(stderr, "scry profile: --metric %s: say cpu, off-cpu-sleep, off-cpu-disk, off-cpu-runq "
			"or off-cpu-other\n", arg);
	return 2;
}

int px_check_counters(const struct px_opts *o)
{
	if (!o->counters)
		return 0;
	struct counters *c;
	char why[512] = "";
	if (counters_new(&c, o->counters, why, sizeof(why)) < 0) {
		fprintf(stderr, "scry profile: --counters: %s\n", why);
		return 2;
	}
	counters_free(c);
	return 0;
}

/* bpf cannot be used: --off-cpu=bpf fails (-1, a line said so), auto falls
 * back to /proc sampling, saying so once. */
static int offcpu_fallback(struct px *x, int err, const char *why)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", why[0] ? why : strerror(-err));
	offcpu_free(x->oc);
	x->oc = NULL;
	if (x->o.offcpu == PX_OFFCPU_BPF) {
		fprintf(stderr, "scry profile: --off-cpu=bpf: %s (--off-cpu=proc samples /proc instead)\n", buf);
		return -1;
	}
	fprintf(stderr, "scry profile: off-CPU: /proc sampling (bpf: %s)\n", buf);
	return 0;
}

int px_begin(struct px **out, const struct px_opts *o, const pid_t *pids, int npids, int follow)
{
	*out = NULL;
	struct px *x = calloc(1, sizeof(*x));
	if (!x) {
		fprintf(stderr, "scry profile: out of memory\n");
		return 1;
	}
	x->o = *o;
	x->pids = pids;
	x->npids = npids;
	x->follow = follow;
	tstates_init(&x->ts);
	char why[256] = "";
	int err = 0;
	/* loaded now, started by px_start() when the profile's window opens */
	if (o->offcpu == PX_OFFCPU_AUTO || o->offcpu == PX_OFFCPU_BPF) {
		err = offcpu_open(&x->oc, follow, why, sizeof(why));
		for (int i = 0; !err && i < npids; i++)
			err = offcpu_add_pid(x->oc, pids[i]);
		if (err && offcpu_fallback(x, err, why) < 0) {
			px_free(x);
			return 1;
		}
	}
	if (o->counters) {
		err = counters_new(&x->cn, o->counters, why, sizeof(why));
		if (!err)
			counters_follow(x->cn, follow);
		for (int i = 0; !err && i < npids; i++)
			err = counters_add_pid(x->cn, pids[i]);
		if (err) {
			fprintf(stderr, "scry profile: --counters: %s\n", why[0] ? why : strerror(-err));
			px_free(x);
			return 1;
		}
		if (counters_notes(x->cn)[0])
			fprintf(stderr, "scry profile: %s\n", counters_notes(x->cn));
	}
	*out = x;
	return 0;
}

int px_start(struct px *x)
{
	char why[256] = "";
	int err;
	if (x->oc && (err = offcpu_start(x->oc, why, sizeof(why))) != 0 && offcpu_fallback(x, err, why) < 0)
		return 1;
	if (!x->oc && x->o.offcpu != PX_OFFCPU_NO) {
		err = states_sampler_start(&x->ss, x->pids, (size_t)x->npids, x->o.proc_hz ? x->o.proc_hz : 97,
					   x->follow, 1);
		if (err) {
			fprintf(stderr, "scry profile: cannot sample /proc: %s\n", strerror(-err));
			return 1;
		}
	}
	x->t0 = now_ns();
	x->next_tick = x->o.interval_ns ? x->t0 + x->o.interval_ns : 0;
	return 0;
}

void px_stop(struct px *x)
{
	if (x && x->oc)
		offcpu_stop(x->oc);
	if (x && !x->t_end)
		x->t_end = now_ns();
}

void px_tick(struct px *x)
{
	if (!x || !x->cn)
		return;
	uint64_t now = now_ns();
	if (x->next_tick && now >= x->next_tick) {
		counters_write_interval(x->cn, stderr, (double)(now - x->t0) / 1e9);
		while (x->next_tick <= now)
			x->next_tick += x->o.interval_ns;
	} else if (!x->next_tick) {
		counters_rescan(x->cn);	/* threads that came */
	}
}

int px_end(struct px *x, struct prof *p)
{
	if (!x || x->ended)
		return 0;
	x->ended = 1;
	px_stop(x);
	int err = 0;
	if (x->cn)
		counters_rescan(x->cn);	/* the last values of threads that ended */
	if (x->oc) {
		struct offcpu_stats st;
		err = offcpu_finish(x->oc, p, &x->ts, &st);
		x->have_states = 1;
		if (st.lost_keys || st.lost_caps || st.lost_tasks)
			fprintf(stderr, "scry profile: off-CPU: %llu waits not counted (map full), %llu stacks not "
					"captured (ring full), %llu threads not tracked\n",
				(unsigned long long)st.lost_keys, (unsigned long long)st.lost_caps,
				(unsigned long long)st.lost_tasks);
	} else if (x->ss) {
		err = states_sampler_stop(x->ss, &x->ts, p);
		x->ss = NULL;
		x->have_states = 1;
	}
	return err;
}

int px_write_text(struct px *x, const struct prof *p, FILE *f)
{
	if (!x)
		return 0;
	int err = 0;
	if (x->have_states) {
		fputc('\n', f);
		err = tstates_write_text(&x->ts, p, f);
	}
	if (x->cn && !err) {
		fputc('\n', f);
		err = counters_write_text(x->cn, f, (double)((x->t_end ? x->t_end : now_ns()) - x->t0) / 1e9);
	}
	return err;
}

int px_write_side(struct px *x, FILE *f)
{
	if (!x || !x->cn)
		return 0;
	return counters_write_text(x->cn, f, (double)((x->t_end ? x->t_end : now_ns()) - x->t0) / 1e9);
}

void px_free(struct px *x)
{
	if (!x)
		return;
	if (x->ss) {
		struct tstates tmp;
		states_sampler_stop(x->ss, &tmp, NULL);
		tstates_release(&tmp);
	}
	offcpu_free(x->oc);
	counters_free(x->cn);
	prof_timeline_free(x->tl);
	tstates_release(&x->ts);
	free(x);
}

const struct tstates *px_states(const struct px *x)
{
	return x && x->have_states ? &x->ts : NULL;
}

int px_is_profile_db(const char *path)
{
	return prof_sqlite_is_profile(path) == 1;
}

int px_trace_has_profile(const char *path)
{
	return prof_sqlite_is_profile(path) == 2;
}

int px_is_profile_format(const char *fmt)
{
	return fmt && (!strcmp(fmt, "folded") || !strcmp(fmt, "speedscope") || !strcmp(fmt, "pprof"));
}

int px_report(const char *path, const char *fmt, const char *outfile)
{
	enum prof_format f = PROF_FMT_TEXT;
	if (!fmt || !strcmp(fmt, "text"))
		f = PROF_FMT_TEXT;
	else if (!strcmp(fmt, "folded"))
		f = PROF_FMT_FOLDED;
	else if (!strcmp(fmt, "speedscope"))
		f = PROF_FMT_SPEEDSCOPE;
	else if (!strcmp(fmt, "pprof"))
		f = PROF_FMT_PPROF;
	else {
		fprintf(stderr, "scry report: '%s' is a profile: --format text, folded, speedscope or pprof\n", path);
		return 2;
	}
	struct prof *p;
	struct tstates ts;
	char title[256], why[256] = "";
	int err = prof_read_sqlite(path, &p, &ts, title, sizeof(title), why, sizeof(why));
	if (err) {
		fprintf(stderr, "scry report: cannot read the profile '%s': %s\n", path, why[0] ? why : strerror(-err));
		return 1;
	}
	FILE *out = outfile ? fopen(outfile, "we") : stdout;
	if (!out) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, strerror(errno));
		prof_free(p);
		tstates_release(&ts);
		return 1;
	}
	struct prof_out_opts po = { PROF_CPU, 0, title[0] ? title : NULL };
	int r = f == PROF_FMT_FOLDED ? prof_write_folded(p, out, &po)
	      : f == PROF_FMT_SPEEDSCOPE ? prof_write_speedscope(p, out, &po)
	      : f == PROF_FMT_PPROF ? prof_write_pprof(p, out, &po)
	      : prof_write_text(p, out, &po);
	if (!r && f == PROF_FMT_TEXT && ts.n) {
		fputc('\n', out);
		r = tstates_write_text(&ts, p, out);
	}
	if (out != stdout) {
		if (fclose(out) && !r)
			r = -errno;
	} else if (fflush(out) && !r) {
		r = -errno;
	}
	prof_free(p);
	tstates_release(&ts);
	if (r < 0) {
		fprintf(stderr, "scry report: cannot write the profile: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}

static void on_sample(void *ctx, const struct sampler_sample *s, uint32_t thread, uint32_t stack)
{
	prof_timeline_add(ctx, s->time, thread, stack, s->period);
}

int px_record_timeline(struct px *x, struct profiler *pr)
{
	int err = prof_timeline_new(&x->tl, 0);
	if (err)
		return err;
	struct profiler_hooks h = { on_sample, x->tl };
	profiler_set_hooks(pr, &h);
	return 0;
}

int px_write_chrome(struct px *x, const struct prof *p, FILE *f, const struct prof_out_opts *o)
{
	return prof_write_chrome(p, x ? x->tl : NULL, f, o);
}
