/*
 * scry --profile: the sampler beside a trace (trace_profile.h), on the
 * library's trace sampler (scry/profile.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scry/profile.h"
#include "trace_profile.h"

struct trace_profile {
	struct scry_trace_sampler *ts;
	int held;                 /* a launched command waits before its exec (bpf) */
};

static void samples_note(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "scry: --profile: %s\n", line);
}

/* One line that says why pid cannot be sampled and what would work. */
static void samples_error(pid_t pid, int err)
{
	char who[48] = "";
	struct stat st;
	char path[64];
	if (pid)
		snprintf(who, sizeof(who), " process %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if (err == -ESRCH)
		fprintf(stderr, "scry: --profile: no process %d (give the id of a running process)\n", (int)pid);
	else if ((err == -EACCES || err == -EPERM) && pid && stat(path, &st) == 0 && st.st_uid != geteuid())
		fprintf(stderr, "scry: --profile: cannot sample%s: it belongs to another user (uid %u); run scry "
			"as that user or as root\n", who, (unsigned)st.st_uid);
	else if (err == -EACCES || err == -EPERM)
		fprintf(stderr, "scry: --profile: cannot sample%s: perf events are not permitted "
			"(kernel.perf_event_paranoid = %d): run scry as root or with CAP_PERFMON, or allow your own "
			"processes with sysctl kernel.perf_event_paranoid=2; without --profile scry traces anyway\n",
			who, scry_profile_perf_paranoid());
	else if (err == -EMFILE || err == -ENFILE)
		fprintf(stderr, "scry: --profile: cannot sample%s: out of file descriptors (one per thread and "
			"CPU; raise ulimit -n)\n", who);
	else if (err == -ENOENT || err == -ENOSYS || err == -EOPNOTSUPP)
		fprintf(stderr, "scry: --profile: perf events are not available in this kernel "
			"(CONFIG_PERF_EVENTS); leave out --profile\n");
	else
		fprintf(stderr, "scry: --profile: cannot sample%s: %s\n", who, strerror(-err));
}

/* Enough descriptors for one perf event per (thread x CPU). */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int trace_profile_open(struct trace_profile **out, const struct options *o, const char *backend)
{
	*out = NULL;
	if (!o->profile_hz)
		return 0;
	struct trace_profile *t = calloc(1, sizeof(*t));
	if (!t) {
		fprintf(stderr, "scry: --profile: out of memory\n");
		return 1;
	}
	*out = t;
	t->held = strcmp(backend, "ptrace") != 0;
	raise_nofile();
	struct scry_trace_sampler_config c = {
		.freq = o->profile_hz, .follow = o->follow > 0,
		.kernel = strcmp(backend, "ptrace") ? -1 : 0,
		.note = samples_note,
	};
	int e = scry_trace_sampler_new(&t->ts, &c);
	if (e < 0) {
		fprintf(stderr, "scry: --profile: cannot start the sampler: %s\n", strerror(-e));
		return 1;
	}
	for (int i = 0; i < o->npids; i++)
		if ((e = scry_trace_sampler_add(t->ts, o->pids[i])) < 0) {
			samples_error(o->pids[i], e);
			return 1;      /* (as an attach that fails) */
		}
	if (!o->npids && (e = scry_trace_sampler_probe()) < 0) {
		samples_error(0, e);
		return 1;
	}
	return 0;
}

int trace_profile_start(struct trace_profile *t, pid_t child)
{
	int e = 0;
	/* (a launched command waits, at its first stop under ptrace, at its
	 * gate before exec under bpf, until the session runs: it is sampled
	 * from its start.  Gone already is no error all the same) */
	if (child && (e = (t->held ? scry_trace_sampler_add_held : scry_trace_sampler_add)(t->ts, child)) < 0 &&
	    e != -ESRCH) {
		samples_error(child, e);
		return 1;
	}
	if ((e = scry_trace_sampler_start(t->ts)) < 0) {
		fprintf(stderr, "scry: --profile: cannot start the perf events: %s\n", strerror(-e));
		return 1;
	}
	return 0;
}

int trace_profile_poll(struct trace_profile *t, struct scry_sink *sinks)
{
	return scry_trace_sampler_poll(t->ts, sinks);
}

int trace_profile_stop(struct trace_profile *t, struct scry_sink *sinks, uint64_t last_ts)
{
	return scry_trace_sampler_stop(t->ts, sinks, last_ts);
}

void trace_profile_end(struct trace_profile *t, unsigned profile_hz, struct scry_sink_end *end)
{
	struct scry_profile_stats ps;
	scry_profile_stats(scry_trace_sampler_profile(t->ts), &ps);
	end->sample_hz = ps.freq ? ps.freq : profile_hz;
	end->samples = scry_trace_sampler_delivered(t->ts);
	end->lost_samples = ps.lost;
}

/*
 * The text output ends with the profile: after the summary where there is
 * one (-c: the summary, then the hottest functions), else after the
 * trace; with -o it is in that file, and stderr says so.  Every output
 * says what was lost.
 */
int trace_profile_report(struct trace_profile *t, const struct options *o, const char *backend, FILE *out,
			 int outfd, int status_now)
{
	const struct scry_profile *p = scry_trace_sampler_profile(t->ts);
	struct scry_profile_stats sts, *st = &sts;
	scry_profile_stats(p, st);
	int status = 0;
	if (scry_format_flags(o->format) & SCRY_FORMAT_TEXT) {
		int own = 0;
		if (!out) {            /* the trace's own file (or -o '|CMD') */
			int fd = dup(outfd);
			if (fd >= 0 && !(out = fdopen(fd, "a")))
				close(fd);
			own = out != NULL;
		}
		char title[64];
		if (o->argv)
			snprintf(title, sizeof(title), "%s", o->argv[0]);
		else
			snprintf(title, sizeof(title), "pid %d%s", (int)o->pids[0], o->npids > 1 ? " ..." : "");
		struct scry_profile_write_opts po = { SCRY_PROFILE_CPU, o->summary == 1 ? 10 : 0, title };
		int e = out ? 0 : -errno;
		if (out) {
			fputc('\n', out);
			e = scry_profile_write(p, SCRY_PROFILE_TEXT, out, &po);
			if (fflush(out) != 0 && !e)
				e = -errno;
		}
		if (own)
			fclose(out);
		if (e < 0) {
			fprintf(stderr, "scry: cannot write the CPU profile%s%s: %s\n", o->outfile ? " to " : "",
				o->outfile ? o->outfile : "", strerror(-e));
			status = 1;
		} else if (out != stderr && o->outfile && !o->quiet) {
			fprintf(stderr, "scry: the CPU profile (%llu samples) is at the end of %s\n",
				(unsigned long long)st->samples, o->outfile);
		}
	}
	if (st->lost)
		fprintf(stderr, "scry: --profile: %llu samples lost: the ring buffer was full (a lower rate, "
			"--profile=HZ, helps)\n", (unsigned long long)st->lost);
	/* (not when the command could not even be run) */
	if (!st->samples && !o->quiet && status_now != 126 && status_now != 127)
		fprintf(stderr, "scry: --profile: no samples: the traced threads ran too little on the CPU%s "
			"(or raise --profile=HZ)\n", strcmp(backend, "ptrace") ? "" :
			" in user mode (with ptrace only user-mode CPU is sampled)");
	return status;
}

void trace_profile_free(struct trace_profile *t)
{
	if (!t)
		return;
	scry_trace_sampler_free(t->ts);
	free(t);
}
