/*
 * profile_hot CMD [ARG...]: run CMD, sample its stacks for one second (or
 * until it ends) and print its hottest function: the one most samples
 * were in (self time: the innermost frame of the program's own code).
 * What `scry profile -- CMD` does, through scry/profile.h: a profiler,
 * a launch, the sampling loop, then reading the profile.
 *
 *   cc profile_hot.c $(pkg-config --cflags --libs scry) -o profile_hot
 */
#include <scry/profile.h>
#include <scry/stack.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* samples per function: a frame is one address, a function has many */
struct count {
	char name[256];
	unsigned long long n;
};

static struct count *counts;
static size_t ncounts;

static int add(const char *name, unsigned long long n)
{
	for (size_t i = 0; i < ncounts; i++)
		if (!strcmp(counts[i].name, name)) {
			counts[i].n += n;
			return 0;
		}
	struct count *c = realloc(counts, (ncounts + 1) * sizeof(*c));
	if (!c)
		return -1;
	counts = c;
	snprintf(counts[ncounts].name, sizeof(counts[ncounts].name), "%s", name);
	counts[ncounts++].n = n;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: profile_hot CMD [ARG...]\n");
		return 2;
	}
	struct scry_profiler_config cfg = SCRY_PROFILER_CONFIG_INIT;
	cfg.freq = 499;
	cfg.kernel = 0;                  /* the program's own code only */
	struct scry_profiler *pr;
	struct scry_profile_error why;
	int r = scry_profiler_new(&pr, &cfg, &why);
	pid_t child = 0;
	if (r == 0 && (r = scry_profiler_launch(pr, argv + 1, &child, &why)) < 0)
		scry_profiler_free(pr);
	if (r < 0) {
		fprintf(stderr, "profile_hot: cannot profile '%s': %s", argv[1], strerror(-r));
		if (r == -EPERM || r == -EACCES)
			fprintf(stderr, " (kernel.perf_event_paranoid = %d: 2 or less allows your own processes)",
				scry_profile_perf_paranoid());
		fputc('\n', stderr);
		return 1;
	}
	/* the command runs from here; its samples start at its exec */
	if ((r = scry_profiler_start(pr, &why)) < 0)
		fprintf(stderr, "profile_hot: cannot start: %s\n", strerror(-r));
	int status = -1;
	double end = now() + 1.0;
	while (r == 0 && now() < end) {
		if ((r = scry_profiler_poll(pr, 100)) < 0)
			fprintf(stderr, "profile_hot: %s\n", strerror(-r));
		if (waitpid(child, &status, WNOHANG) == child)
			break;
	}
	scry_profiler_stop(pr);
	if (status < 0) {                /* still running: the second is over */
		kill(child, SIGTERM);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	}

	const struct scry_profile *p = scry_profiler_profile(pr);
	struct scry_profile_stats st;
	scry_profile_stats(p, &st);
	/* count each entry's samples against its innermost user frame */
	for (size_t i = 0; i < scry_profile_nentries(p); i++) {
		struct scry_profile_entry e;
		const uint32_t *frames;
		scry_profile_entry(p, i, &e);
		long n = scry_profile_stack(p, e.stack, &frames, NULL);
		for (long k = 0; k < n; k++) {
			struct scry_profile_frame f;
			char name[256];
			scry_profile_frame(p, frames[k], &f);
			if (f.flags & SCRY_FRAME_KERNEL)
				continue;
			/* the function's name, or object+0xoffset without one */
			add(scry_profile_frame_name(p, frames[k], name, sizeof(name)), e.v[SCRY_PROFILE_CPU]);
			break;
		}
	}
	struct count *best = NULL;
	for (size_t i = 0; i < ncounts; i++)
		if (!best || counts[i].n > best->n)
			best = &counts[i];
	if (!best)
		printf("no samples (%llu lost)\n", (unsigned long long)st.lost);
	else
		printf("hottest: %s (%llu of %llu samples, %.0f%%)\n", best->name, best->n,
		       (unsigned long long)st.samples,
		       100.0 * (double)best->n / (double)(st.samples ? st.samples : 1));
	int found = best != NULL;
	free(counts);
	scry_profiler_free(pr);
	return !found;
}
