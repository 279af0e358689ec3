/*
 * The bpf backend: counts and times calls in the kernel (src/bpf/) without
 * stopping anyone.  It serves statistics (-c) only; the session's sinks see
 * no calls, and scry_session_read_stats() gives the kernel's counts.
 */
#include "core/internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "bpf/bpf_backend.h"

static int bpf_attach(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	if (pid == s->self || pid == s->self_parent) {
		why->err = EPERM;
		snprintf(why->reason, sizeof(why->reason), "%s",
			 pid == s->self ? "that is scry itself" : "that is scry's parent, which waits for scry");
		return -EPERM;
	}
	int r = scry_bpf_add_pid(s->backend_data, pid);
	if (r < 0)
		why->err = -r;
	return r;
}

static int bpf_launch(struct scry_session *s, char *const argv[], pid_t *pid_out)
{
	pid_t pid = 0;
	int r = scry_bpf_launch(s->backend_data, argv, &pid);
	if (r < 0)
		return r;
	if (!s->launched_pid)
		s->launched_pid = pid;
	if (pid_out)
		*pid_out = pid;
	return 0;
}

static int bpf_run(struct scry_session *s)
{
	struct scry_bpf *b = s->backend_data;
	uint64_t next_tick = s->cfg.tick && s->cfg.tick_ns ? scry_now_mono() + s->cfg.tick_ns : 0;
	for (;;) {
		if (s->detach_requested) {
			s->detached = 1;
			break;
		}
		int timeout = 100;
		if (next_tick) {
			uint64_t now = scry_now_mono();
			if (now >= next_tick) {
				next_tick += s->cfg.tick_ns;
				s->cfg.tick(s->cfg.tick_ctx);
				continue;
			}
			uint64_t left = (next_tick - now) / 1000000u + 1;
			if (left < (uint64_t)timeout)
				timeout = (int)left;
		}
		int r = scry_bpf_wait(b, timeout);
		if (r == 0)
			break;       /* every traced process is gone */
		if (r != -ETIMEDOUT && r != -EINTR)
			return r;
	}
	s->launched_status = scry_bpf_launched_status(b);
	/* A detach leaves a launched command running, as with ptrace; a
	 * forwarded signal (SIGTERM, SIGHUP) ends it as scry was asked. */
	int ksig = s->kill_launched_sig;
	if (ksig && s->launched_pid && s->launched_status == -1)
		kill(s->launched_pid, ksig);
	return 0;
}

static int bpf_read_stats(struct scry_session *s, struct scry_stats *out, int reset)
{
	int r = scry_bpf_read(s->backend_data, out);
	if (r == 0 && reset)
		r = scry_bpf_reset(s->backend_data);
	return r;
}

static void bpf_release(struct scry_session *s)
{
	scry_bpf_close(s->backend_data);
	s->backend_data = NULL;
}

static const struct backend_ops bpf_backend = {
	.name = "bpf",
	.attach = bpf_attach,
	.launch = bpf_launch,
	.run = bpf_run,
	.calibrate = NULL,
	.read_stats = bpf_read_stats,
	.release = bpf_release,
};

int bpf_backend_setup(struct scry_session *s, char *why, size_t whylen)
{
	struct scry_bpf_opts o = SCRY_BPF_OPTS_INIT;
	o.follow_forks = s->cfg.follow_forks;
	o.per_process = s->cfg.per_process;
	o.nrs = s->cfg.syscall_bitmap;
	o.nr_words = s->cfg.syscall_bitmap_words;
	o.child_default_signals = s->cfg.child_default_signals;
	struct scry_bpf *b;
	int r = scry_bpf_open(&b, &o, why, whylen);
	if (r < 0)
		return r;
	s->backend = &bpf_backend;
	s->backend_data = b;
	return 0;
}

uint64_t bpf_backend_lost(const struct scry_session *s)
{
	return s->backend == &bpf_backend ? scry_bpf_lost(s->backend_data) : 0;
}
