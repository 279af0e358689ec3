/*
 * scry profile's off-CPU, states and counters options, and scry report's
 * profiles.  See profile_extra.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "profile_extra.h"

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

int px_parse_metric(const char *arg, enum scry_profile_metric *m)
{
	static const struct { const char *name; enum scry_profile_metric m; } T[] = {
		{ "cpu", SCRY_PROFILE_CPU },
		{ "off-cpu-sleep", SCRY_PROFILE_OFFCPU_SLEEP_NS },
		{ "off-cpu-disk", SCRY_PROFILE_OFFCPU_DISK_NS },
		{ "off-cpu-runq", SCRY_PROFILE_OFFCPU_RUNQ_NS },
		{ "off-cpu-other", SCRY_PROFILE_OFFCPU_OTHER_NS },
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
	struct scry_profiler_config cfg = SCRY_PROFILER_CONFIG_INIT;
	struct scry_profile_error why;
	cfg.counters = o->counters;
	if (scry_profiler_check(&cfg, &why) < 0) {
		fprintf(stderr, "scry profile: --counters: %s\n", why.reason[0] ? why.reason : strerror(why.err));
		return 2;
	}
	return 0;
}

int px_is_profile_db(const char *path)
{
	return scry_profile_db_kind(path) == 1;
}

int px_trace_has_profile(const char *path)
{
	return scry_profile_db_kind(path) == 2;
}

int px_is_profile_format(const char *fmt)
{
	return fmt && (!strcmp(fmt, "folded") || !strcmp(fmt, "speedscope") || !strcmp(fmt, "pprof"));
}

int px_report(const char *path, const char *fmt, const char *outfile)
{
	enum scry_profile_format f = SCRY_PROFILE_TEXT;
	if (!fmt || !strcmp(fmt, "text"))
		f = SCRY_PROFILE_TEXT;
	else if (!strcmp(fmt, "folded"))
		f = SCRY_PROFILE_FOLDED;
	else if (!strcmp(fmt, "speedscope"))
		f = SCRY_PROFILE_SPEEDSCOPE;
	else if (!strcmp(fmt, "pprof"))
		f = SCRY_PROFILE_PPROF;
	else {
		fprintf(stderr, "scry report: '%s' is a profile: --format text, folded, speedscope or pprof\n", path);
		return 2;
	}
	struct scry_profile *p;
	char title[256], why[256] = "";
	int err = scry_profile_read_sqlite(&p, path, title, sizeof(title), why, sizeof(why));
	if (err) {
		fprintf(stderr, "scry report: cannot read the profile '%s': %s\n", path, why[0] ? why : strerror(-err));
		return 1;
	}
	FILE *out = outfile ? fopen(outfile, "we") : stdout;
	if (!out) {
		fprintf(stderr, "scry report: cannot write '%s': %s\n", outfile, strerror(errno));
		scry_profile_free(p);
		return 1;
	}
	struct scry_profile_write_opts po = { SCRY_PROFILE_CPU, 0, title[0] ? title : NULL };
	int r = scry_profile_write(p, f, out, &po);	/* text: with the thread view */
	if (out != stdout) {
		if (fclose(out) && !r)
			r = -errno;
	} else if (fflush(out) && !r) {
		r = -errno;
	}
	scry_profile_free(p);
	if (r < 0) {
		fprintf(stderr, "scry report: cannot write the profile: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
