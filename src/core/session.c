/*
 * The session: configuration, the tracee table, the sinks, and the public
 * entry points.  The event loop itself is the backend's (backend/ptrace.c).
 */
#include "core/internal.h"
#include "scry/filter.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t scry_now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t scry_now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *scry_version(void)
{
	return SCRY_VERSION;
}

/*
 * The rule of each call number for -e inject= (the last rule that names a
 * call wins, as in strace), or a refusal: only ptrace can stop a call to
 * tamper with it.
 */
static int inject_setup(struct scry_session *s)
{
	const struct scry_config *c = &s->cfg;
	if (c->ninject <= 0 || !c->inject)
		return 0;
	if (c->backend != SCRY_BACKEND_PTRACE) {
		if (c->why && c->why_len)
			snprintf(c->why, c->why_len, "fault injection (-e inject=, -e fault=) needs the "
				 "ptrace backend: bpf cannot change a call; use --backend ptrace");
		return -ENOTSUP;
	}
	if (c->ninject > UINT16_MAX - 1)
		return -EINVAL;
	/* the native calls, then (x86_64) the i386 ones of ia32 processes,
	 * whose bits are SCRY_FILTER_I386_BASE + n (scry/filter.h) */
	s->inject_nslots = s->table->ncalls;
	if (s->table == &scry_table_x86_64)
		s->inject_nslots += scry_table_i386.ncalls;
	s->inject_rule = calloc(s->inject_nslots, sizeof(*s->inject_rule));
	if (!s->inject_rule)
		return -ENOMEM;
	for (int i = 0; i < c->ninject; i++) {
		const struct scry_inject *in = &c->inject[i];
		if ((in->error && in->has_retval) || in->error < 0 || in->error > 4095 ||
		    in->npokes < 0 || (in->npokes && !in->pokes) || in->first < 1)
			return -EINVAL;
		for (size_t nr = 0; nr < s->table->ncalls && nr / 64 < in->set_words; nr++)
			if ((in->set[nr / 64] >> (nr % 64)) & 1)
				s->inject_rule[nr] = (uint16_t)(i + 1);
		for (size_t n = 0; s->inject_nslots > s->table->ncalls && n < scry_table_i386.ncalls; n++) {
			size_t bit = SCRY_FILTER_I386_BASE + n;
			if (bit < SCRY_FILTER_MAX_NR && bit / 64 < in->set_words &&
			    ((in->set[bit / 64] >> (bit % 64)) & 1))
				s->inject_rule[s->table->ncalls + n] = (uint16_t)(i + 1);
		}
	}
	return 0;
}

int scry_session_new(struct scry_session **out, const struct scry_config *cfg)
{
	struct scry_session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	struct scry_config def = SCRY_CONFIG_INIT;
	s->cfg = cfg ? *cfg : def;
	if (s->cfg.string_limit < 0)     /* -s 0 is strace's: only "..." */
		s->cfg.string_limit = 32;
	s->table = scry_native_table();
	s->decoders = decoders_build(s->table);
	if (!s->decoders) {
		free(s);
		return -ENOMEM;
	}
	s->cap = 64;
	s->slots = calloc(s->cap, sizeof(*s->slots));
	if (!s->slots) {
		free(s->decoders);
		free(s);
		return -ENOMEM;
	}
	s->launched_status = -1;
	s->wake_rd = s->wake_wr = -1;
	int wake[2];
	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		int e = -errno;
		free(s->slots);
		free(s->decoders);
		free(s);
		return e;
	}
	s->wake_rd = wake[0];
	s->wake_wr = wake[1];
	s->self = getpid();
	s->self_parent = getppid();
	s->have_syscall_info = -1;   /* probed on first use */

	strbuf_init(&s->scratch, 256);
	s->backend = backend_table[0];
	int r = inject_setup(s);
	if (r < 0) {
		scry_session_free(s);
		return r;
	}
	for (int i = 0; backend_table[i]; i++) {
		const struct backend_ops *b = backend_table[i];
		if (b->kind == s->cfg.backend &&
		    (b->kind != SCRY_BACKEND_BPF || b->counts_only == !!s->cfg.bpf_counts_only)) {
			s->backend = b;
			break;
		}
	}
	if (s->backend->setup) {
		char dummy[8];
		char *why = s->cfg.why ? s->cfg.why : dummy;
		size_t len = s->cfg.why ? s->cfg.why_len : sizeof(dummy);
		r = s->backend->setup(s, why, len);
		if (r < 0) {
			s->backend = backend_table[0];   /* nothing of it to release */
			scry_session_free(s);
			return r;
		}
	}
	*out = s;
	return 0;
}

static void tracer_stop(struct scry_session *s);

void scry_session_free(struct scry_session *s)
{
	if (!s)
		return;
	tracer_stop(s);
	if (s->wake_rd >= 0)
		close(s->wake_rd);
	if (s->wake_wr >= 0)
		close(s->wake_wr);
	for (size_t i = 0; i < s->cap; i++) {
		if (s->slots[i]) {
			if (s->slots[i]->sched_fd >= 0)
				close(s->slots[i]->sched_fd);
			if (s->slots[i]->stat_fd >= 0)
				close(s->slots[i]->stat_fd);
			scry_values_release(&s->slots[i]->call.vals);
			free(s->slots[i]->inj_seen);
			free(s->slots[i]->call.frames);
			free(s->slots[i]);
		}
	}
	if (s->backend->release)
		s->backend->release(s);
	free(s->pending);
	free(s->slots);
	free(s->decoders);
	free(s->decoders_i386);
	free(s->i386_of);
	free(s->io_data);
	free(s->io_bufs);
	free(s->io_msgs);
	free(s->inject_rule);
	scry_values_release(&s->exit_vals);
	strbuf_release(&s->scratch);
	scry_values_release(&s->result);
	unwinder_free(s->unwind);
	scry_values_release(&s->siginfo);
	free(s);
}

int scry_session_add_sink(struct scry_session *s, const struct scry_sink *sink)
{
	if (s->nsinks >= SCRY_MAX_SINKS)
		return -ENOSPC;
	s->sinks[s->nsinks++] = *sink;
	return 0;
}

static int values_failed(const struct scry_values *vs)
{
	return vs && vs->failed;
}

/* Values cut short by an allocation failure never reach a sink. */
static int event_failed(const struct scry_event *ev)
{
	switch (ev->type) {
	case SCRY_EV_CALL_ENTER:
	case SCRY_EV_CALL_EXIT:
		return values_failed(ev->u.call.entry_args) || values_failed(ev->u.call.exit_args) ||
		       values_failed(ev->u.call.result);
	case SCRY_EV_SIGNAL:
		return values_failed(ev->u.signal.values);
	default:
		return 0;
	}
}

int session_emit(struct scry_session *s, struct scry_event *ev)
{
	if (event_failed(ev) || s->scratch.failed) {
		session_fail(s, -ENOMEM);
		return s->sink_err;
	}
	/* as strace's count: the processes not followed are not traced there */
	ev->ntracees = (int)(s->count - s->unshown);
	if (ev->type == SCRY_EV_EXEC)      /* a new image: new modules */
		unwinder_forget(s->unwind, ev->pid);
	for (int i = 0; i < s->nsinks; i++) {
		int r = s->sinks[i].event(s->sinks[i].ctx, ev);
		if (r < 0 && !s->sink_err) {
			s->sink_err = r;
			s->detach_requested = 1;
		}
	}
	return s->sink_err;
}

void session_fail(struct scry_session *s, int err)
{
	if (!s->sink_err)
		s->sink_err = err;
	s->detach_requested = 1;
}

void session_flush(struct scry_session *s)
{
	for (int i = 0; i < s->nsinks; i++) {
		if (!s->sinks[i].flush)
			continue;
		int r = s->sinks[i].flush(s->sinks[i].ctx);
		if (r < 0 && !s->sink_err) {
			s->sink_err = r;
			s->detach_requested = 1;
		}
	}
}

/* ---- tracee table ---- */

static size_t slot_of(const struct scry_session *s, pid_t tid)
{
	return ((size_t)tid * 2654435761u) & (s->cap - 1);
}

struct tracee *tracee_get(struct scry_session *s, pid_t tid)
{
	for (size_t i = slot_of(s, tid);; i = (i + 1) & (s->cap - 1)) {
		struct tracee *t = s->slots[i];
		if (!t)
			return NULL;
		if (t->tid == tid)
			return t;
	}
}

static void table_insert(struct scry_session *s, struct tracee *t)
{
	size_t i = slot_of(s, t->tid);
	while (s->slots[i])
		i = (i + 1) & (s->cap - 1);
	s->slots[i] = t;
}

static int table_grow(struct scry_session *s)
{
	struct tracee **old = s->slots;
	size_t oldcap = s->cap;
	struct tracee **n = calloc(oldcap * 2, sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->slots = n;
	s->cap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			table_insert(s, old[i]);
	free(old);
	return 0;
}

void tracee_set_unshown(struct scry_session *s, struct tracee *t)
{
	if (!(t->flags & T_UNSHOWN)) {
		t->flags |= T_UNSHOWN;
		s->unshown++;
	}
}

struct tracee *tracee_add(struct scry_session *s, pid_t tid, pid_t tgid, unsigned flags)
{
	struct tracee *t = tracee_get(s, tid);
	if (t)
		return t;
	/* Out of memory: NULL, and the session fails (session_fail); the
	 * caller lets the task go. */
	if ((s->count + 1) * 2 > s->cap && table_grow(s) < 0) {
		session_fail(s, -ENOMEM);
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		session_fail(s, -ENOMEM);
		return NULL;
	}
	t->tid = tid;
	t->tgid = tgid;
	t->flags = flags & ~T_UNSHOWN;
	t->sched_fd = -1;
	t->stat_fd = -1;
	table_insert(s, t);
	s->count++;
	if (flags & T_UNSHOWN)
		tracee_set_unshown(s, t);
	return t;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void table_unlink(struct scry_session *s, struct tracee *t)
{
	size_t i = slot_of(s, t->tid);
	while (s->slots[i] != t)
		i = (i + 1) & (s->cap - 1);
	s->slots[i] = NULL;
	for (size_t j = (i + 1) & (s->cap - 1); s->slots[j]; j = (j + 1) & (s->cap - 1)) {
		struct tracee *m = s->slots[j];
		s->slots[j] = NULL;
		table_insert(s, m);
	}
}

/* Whether a thread of process tgid is still in the table (a scan: only
 * when a thread leaves with stacks on). */
static int tracee_of_process(const struct scry_session *s, pid_t tgid)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i] && s->slots[i]->tgid == tgid)
			return 1;
	return 0;
}

void tracee_remove(struct scry_session *s, struct tracee *t)
{
	table_unlink(s, t);
	s->count--;
	if (t->flags & T_UNSHOWN)
		s->unshown--;
	if (t->flags & T_DELAY_HELD)
		s->ndelayed--;
	if (t->sched_fd >= 0)
		close(t->sched_fd);
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	scry_values_release(&t->call.vals);
	free(t->inj_seen);
	free(t->call.frames);
	/* the process is gone (or exec'd): its last traced thread left.  Not
	 * at its main thread's exit: the other threads keep the process's
	 * mappings (a leader that called pthread_exit) */
	if (s->unwind && !tracee_of_process(s, t->tgid))
		unwinder_forget(s->unwind, t->tgid);
	free(t);
}

void tracee_rekey(struct scry_session *s, struct tracee *t, pid_t newtid)
{
	table_unlink(s, t);
	t->tid = newtid;
	table_insert(s, t);
}

void tracee_each(struct scry_session *s, void (*fn)(struct scry_session *, struct tracee *, void *), void *data)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i])
			fn(s, s->slots[i], data);
}

/* ---- the tracer thread ---- */

/*
 * ptrace ties a tracee to the thread that attached it, and wait(2) with
 * __WNOTHREAD sees only the calling thread's children and tracees.  So a
 * session does all its tracing (attach, launch, the loop) on a thread of
 * its own, and its waits take nothing of the host program's: not its
 * children's exit statuses, nor another session's tracees.  The caller's
 * thread hands each operation over and waits for it; the sinks and tick()
 * run on the tracer thread meanwhile.  The thread blocks every signal, so
 * that the host's handlers run on the host's threads, as they would
 * without scry.
 */
struct tracer_thread {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int (*fn)(struct scry_session *s, void *arg);   /* the operation asked for */
	void *arg;
	int result;
	int done;
	int quit;
};

static void *tracer_main(void *arg)
{
	struct scry_session *s = arg;
	struct tracer_thread *tt = s->tracer;
	pthread_mutex_lock(&tt->mu);
	for (;;) {
		while (!tt->fn && !tt->quit)
			pthread_cond_wait(&tt->cv, &tt->mu);
		if (!tt->fn)
			break;
		int (*fn)(struct scry_session *, void *) = tt->fn;
		pthread_mutex_unlock(&tt->mu);
		int r = fn(s, tt->arg);
		pthread_mutex_lock(&tt->mu);
		tt->fn = NULL;
		tt->result = r;
		tt->done = 1;
		pthread_cond_broadcast(&tt->cv);
	}
	pthread_mutex_unlock(&tt->mu);
	return NULL;
}

static int tracer_start(struct scry_session *s)
{
	struct tracer_thread *tt = calloc(1, sizeof(*tt));
	if (!tt)
		return -ENOMEM;
	pthread_mutex_init(&tt->mu, NULL);
	pthread_cond_init(&tt->cv, NULL);
	s->tracer = tt;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&tt->th, NULL, tracer_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		pthread_cond_destroy(&tt->cv);
		pthread_mutex_destroy(&tt->mu);
		free(tt);
		s->tracer = NULL;
		return -e;
	}
	return 0;
}

static void tracer_stop(struct scry_session *s)
{
	struct tracer_thread *tt = s->tracer;
	if (!tt)
		return;
	pthread_mutex_lock(&tt->mu);
	tt->quit = 1;
	pthread_cond_broadcast(&tt->cv);
	pthread_mutex_unlock(&tt->mu);
	pthread_join(tt->th, NULL);
	pthread_cond_destroy(&tt->cv);
	pthread_mutex_destroy(&tt->mu);
	free(tt);
	s->tracer = NULL;
}

/* Runs fn(s, arg) on the tracer thread (started on first use); its result. */
static int on_tracer(struct scry_session *s, int (*fn)(struct scry_session *, void *), void *arg)
{
	if (!s->tracer) {
		int e = tracer_start(s);
		if (e < 0)
			return e;
	}
	struct tracer_thread *tt = s->tracer;
	/* Every ptrace stop sends SIGCHLD to the process.  The tracer thread
	 * blocks it, so the kernel keeps it for a thread that does not: this
	 * one, waiting here, would be woken once per stop (measured: one
	 * futex wake-up and a context switch per event, a quarter of a full
	 * trace's cost on one CPU).  Blocked here too, it stays pending; the
	 * one left when the wait ends is delivered then (SIG_DFL: dropped). */
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &old);
	pthread_mutex_lock(&tt->mu);
	tt->fn = fn;
	tt->arg = arg;
	tt->done = 0;
	pthread_cond_broadcast(&tt->cv);
	while (!tt->done)
		pthread_cond_wait(&tt->cv, &tt->mu);
	int r = tt->result;
	pthread_mutex_unlock(&tt->mu);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* ---- public entry points ---- */

struct attach_args { pid_t pid; struct scry_attach_error *why; };
struct launch_args { char *const *argv; pid_t *pid_out; };

static int do_attach(struct scry_session *s, void *arg)
{
	struct attach_args *a = arg;
	return s->backend->attach(s, a->pid, a->why);
}

static int do_launch(struct scry_session *s, void *arg)
{
	struct launch_args *a = arg;
	return s->backend->launch(s, a->argv, a->pid_out);
}

static int do_run(struct scry_session *s, void *arg)
{
	(void)arg;
	return s->backend->run(s);
}

int scry_session_attach(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	struct scry_attach_error dummy;
	if (!why)
		why = &dummy;
	memset(why, 0, sizeof(*why));
	if (!s->start_mono)
		s->start_mono = scry_now_mono();
	struct attach_args a = { pid, why };
	return on_tracer(s, do_attach, &a);
}

int scry_session_launch(struct scry_session *s, char *const argv[], pid_t *pid_out)
{
	if (!s->start_mono)
		s->start_mono = scry_now_mono();
	struct launch_args a = { argv, pid_out };
	return on_tracer(s, do_launch, &a);
}

int scry_session_run(struct scry_session *s)
{
	return on_tracer(s, do_run, NULL);
}

void scry_session_request_detach(struct scry_session *s, int kill_launched_sig)
{
	/*
	 * Async-signal-safe and thread-safe: it sets flags and writes a byte
	 * to the session's wake pipe, which the ptrace loop's waker process
	 * turns into a stop that ends the tracer thread's wait at once (bpf
	 * polls with a time-out and sees the flag within 100 ms).  errno is
	 * kept for the interrupted code of a signal handler's caller.
	 */
	int saved = errno;
	if (kill_launched_sig)
		s->kill_launched_sig = kill_launched_sig;
	s->detach_requested = 1;
	if (s->wake_wr >= 0) {
		ssize_t n = write(s->wake_wr, "d", 1);
		(void)n;       /* full: a wake-up is pending anyway */
	}
	errno = saved;
}

int scry_session_launched_status(const struct scry_session *s)
{
	return s->launched_status;
}

int scry_session_detached(const struct scry_session *s)
{
	return s->detached;
}

uint64_t scry_session_stop_overhead_ns(const struct scry_session *s)
{
	return s->overhead_ns;
}

void scry_session_stop_overheads(const struct scry_session *s, uint64_t *same_cpu, uint64_t *other_cpu)
{
	*same_cpu = s->overhead_same_ns;
	*other_cpu = s->overhead_cross_ns;
}

double scry_session_elapsed(const struct scry_session *s)
{
	if (!s->start_mono)
		return 0;
	return (double)(scry_now_mono() - s->start_mono) / 1e9;
}

int scry_session_calibrate(struct scry_session *s)
{
	return s->backend->calibrate ? s->backend->calibrate(s) : 0;
}

int scry_session_read_stats(struct scry_session *s, struct scry_stats *out, int reset)
{
	if (!s->backend->read_stats)
		return -ENOTSUP;
	return s->backend->read_stats(s, out, reset);
}

const char *scry_session_backend(const struct scry_session *s)
{
	return s->backend->name;
}

uint64_t scry_session_lost(const struct scry_session *s)
{
	return s->backend->lost ? s->backend->lost(s) : 0;
}

pid_t proc_tgid(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return tid;
	pid_t tgid = tid;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Tgid:", 5)) {
			tgid = (pid_t)atoi(line + 5);
			break;
		}
	fclose(f);
	return tgid;
}

pid_t session_attach_target(struct scry_session *s, pid_t pid, struct scry_attach_error *why)
{
	if (pid <= 0) {
		why->err = ESRCH;
		return -ESRCH;
	}
	pid_t tgid = proc_tgid(pid);
	if (tgid == s->self || tgid == s->self_parent) {
		why->err = EPERM;
		snprintf(why->reason, sizeof(why->reason), "%s",
			 tgid == s->self ? (pid == tgid ? "that is scry itself" : "that is a thread of scry itself") :
			 (pid == tgid ? "that is scry's parent, which waits for scry" : "that is a thread of scry's parent"));
		return -EPERM;
	}
	return tgid;
}
