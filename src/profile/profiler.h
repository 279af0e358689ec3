/*
 * The profiler: the sampler's samples unwound (src/unwind) and counted
 * into a profile (profile.h).  One per `scry profile` run.
 *
 *	profiler_new -> profiler_attach (each -p) | profiler_launch (-- CMD)
 *	-> profiler_start -> while (!stop && profiler_alive()) profiler_poll()
 *	-> profiler_stop -> profiler_profile (the result; owned by the profiler)
 *
 * The targets are never stopped: no ptrace; a launched command is held at
 * a gate before exec and its events start at exec (enable_on_exec).
 * Never prints: one-line notes go to the note callback.
 */
#ifndef SCRY_PROFILE_PROFILER_H
#define SCRY_PROFILE_PROFILER_H

#include <sys/types.h>

#include "profile/profile.h"
#include "profile/sampler.h"

struct profiler_config {
	struct sampler_config sampler;
	int follow;               /* -f: children (forked after the start) too */
	unsigned max_frames;      /* per stack, user + kernel (0: 127) */
};

/* Extra work per sample for other collectors (off-CPU, states...): called
 * after the sample is counted, with its profile ids. */
struct profiler_hooks {
	void (*sample)(void *ctx, const struct sampler_sample *s, uint32_t thread, uint32_t stack);
	void *ctx;
};

struct profiler;

int profiler_new(struct profiler **out, const struct profiler_config *cfg,
		 void (*note)(void *ctx, const char *line), void *note_ctx);
void profiler_free(struct profiler *pr);
void profiler_set_hooks(struct profiler *pr, const struct profiler_hooks *h);

/* Samples process pid (every thread).  -ESRCH, -EACCES/-EPERM, -EMFILE. */
int profiler_attach(struct profiler *pr, pid_t pid);
/* The same for a process held before its exec (a launched command at its
 * gate): its modules and names now are not its own yet (the launcher's),
 * so none are read; they are read at its first samples, after the exec. */
int profiler_attach_held(struct profiler *pr, pid_t pid);
/* Starts argv held before exec (PATH searched first: -ENOENT and nothing
 * starts); *child is its pid.  The caller reaps it. */
int profiler_launch(struct profiler *pr, char *const argv[], pid_t *child);
/* Sampling begins (a launched command runs). */
int profiler_start(struct profiler *pr);
/* Handles what arrived within timeout_ms; negative errno on failure. */
int profiler_poll(struct profiler *pr, int timeout_ms);
/* Some target still runs (not gone, not a zombie). */
int profiler_alive(struct profiler *pr);
/* Stops sampling, handles what is left, fills the profile's stats. */
int profiler_stop(struct profiler *pr);
struct prof *profiler_profile(struct profiler *pr);

#endif
