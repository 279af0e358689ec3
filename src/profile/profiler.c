/*
 * The profiler.  See profile/profiler.h.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/launch.h"
#include "profile/profiler.h"
#include "unwind/unwind.h"

#define MAXFRAMES 256

struct ksym {
	uint64_t addr;
	uint32_t name, module;    /* offsets into ksym_names; module 0: none */
};

struct profiler {
	struct profiler_config cfg;
	struct sampler *sampler;
	struct unwinder *unw;
	struct prof *prof;
	struct profiler_hooks hooks;
	void (*note)(void *ctx, const char *line);
	void *note_ctx;
	pid_t *targets;           /* processes sampled (grows with -f) */
	size_t ntargets, captargets;
	pid_t *forget;            /* exited during this poll: forget after it */
	size_t nforget, capforget;
	int gate;                 /* launch: the child's gate, -1 when none */
	pid_t child;
	uint64_t t0;              /* CLOCK_MONOTONIC at start */
	int started, stopped;
	/* kernel symbols, loaded at the first kernel frame */
	struct ksym *ksyms;
	size_t nksyms;
	int ksyms_loaded;
	/* their names, one after the other (offset 0 is ""): only the
	 * symbols a frame lands in go into the profile's strings */
	char *ksym_names;
	size_t names_len, names_cap;
	struct scry_frame frames[MAXFRAMES];
	uint32_t ids[MAXFRAMES];
};

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int is_target(const struct profiler *pr, pid_t pid)
{
	for (size_t i = 0; i < pr->ntargets; i++)
		if (pr->targets[i] == pid)
			return 1;
	return 0;
}

static int push_pid(pid_t **arr, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		pid_t *a = realloc(*arr, nc * sizeof(pid_t));
		if (!a)
			return -ENOMEM;
		*arr = a;
		*cap = nc;
	}
	(*arr)[(*n)++] = pid;
	return 0;
}

/* ---- kernel symbols (/proc/kallsyms; addresses are 0 when hidden) ---- */

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* name's offset in pr->ksym_names, appended; 0 when it cannot be kept */
static uint32_t keep_name(struct profiler *pr, const char *name, size_t len)
{
	if (pr->names_len + len + 1 > pr->names_cap) {
		size_t cap = pr->names_cap ? pr->names_cap * 2 : 1u << 20;
		while (cap < pr->names_len + len + 1)
			cap *= 2;
		if (cap > UINT32_MAX)
			return 0;
		char *n = realloc(pr->ksym_names, cap);
		if (!n)
			return 0;
		pr->ksym_names = n;
		pr->names_cap = cap;
		if (!pr->names_len)
			pr->ksym_names[pr->names_len++] = '\0';
	}
	uint32_t off = (uint32_t)pr->names_len;
	memcpy(pr->ksym_names + off, name, len);
	pr->ksym_names[off + len] = '\0';
	pr->names_len += len + 1;
	return off;
}

/* "ADDR TYPE NAME [MODULE]" lines, text symbols only, sorted by address.
 * (Parsed by hand and the names kept in one block: sscanf and a profile
 * string per symbol, 120,000 of them here, were most of scry profile's
 * own start-up CPU and memory.) */
static void load_ksyms(struct profiler *pr)
{
	pr->ksyms_loaded = 1;
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	char line[512];
	size_t cap = 0;
	uint32_t last_mod = 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long long addr = strtoull(p, &end, 16);
		if (end == p || *end != ' ' || !addr)
			continue;
		char type = end[1];
		if ((type != 't' && type != 'T' && type != 'w' && type != 'W') || end[2] != ' ')
			continue;
		char *name = end + 3;
		size_t nlen = strcspn(name, " \t\n");
		if (!nlen)
			continue;
		char *rest = name + nlen;
		uint32_t mod = 0;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (*rest == '[') {
			size_t mlen = strcspn(rest + 1, "]\n");
			/* (a module's symbols come together: its name once) */
			if (last_mod && !strncmp(pr->ksym_names + last_mod, rest + 1, mlen) &&
			    pr->ksym_names[last_mod + mlen] == '\0')
				mod = last_mod;
			else
				mod = last_mod = keep_name(pr, rest + 1, mlen);
		}
		uint32_t off = keep_name(pr, name, nlen);
		if (!off)
			break;
		if (pr->nksyms == cap) {
			cap = cap ? cap * 2 : 65536;
			struct ksym *k = realloc(pr->ksyms, cap * sizeof(*k));
			if (!k)
				break;
			pr->ksyms = k;
		}
		struct ksym *k = &pr->ksyms[pr->nksyms++];
		k->addr = addr;
		k->name = off;
		k->module = mod;
	}
	fclose(f);
	qsort(pr->ksyms, pr->nksyms, sizeof(*pr->ksyms), ksym_cmp);
}

static void kernel_frame(struct profiler *pr, uint64_t addr, struct scry_frame *f)
{
	if (!pr->ksyms_loaded)
		load_ksyms(pr);
	memset(f, 0, sizeof(*f));
	f->addr = addr;
	f->object = "[kernel.kallsyms]";
	size_t lo = 0, hi = pr->nksyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pr->ksyms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo) {
		const struct ksym *k = &pr->ksyms[lo - 1];
		f->function = prof_intern(pr->prof, pr->ksym_names + k->name);
		f->offset = addr - k->addr;
		if (k->module)
			f->object = prof_intern(pr->prof, pr->ksym_names + k->module);
	}
}

/* ---- samples ---- */

/* The outermost function of every complete user stack (glibc, musl). */
static int is_root(const char *fn)
{
	static const char *const roots[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "clone", "__clone",
		"clone3", "__clone3", "start_thread", "thread_start", "__clone_internal",
	};
	if (!fn)
		return 0;
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (!strcmp(fn, roots[i]))
			return 1;
	return 0;
}

struct copy {
	const unsigned char *b;
	uint64_t len, sp;
};

/* The unwinder's memory: the stack bytes the kernel copied at the sample
 * (the thread has moved on since; its live memory is not that stack). */
static ssize_t copy_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct copy *c = ctx;
	if (addr < c->sp || addr - c->sp >= c->len)
		return -1;
	uint64_t off = addr - c->sp;
	size_t n = len < c->len - off ? len : (size_t)(c->len - off);
	memcpy(buf, c->b + off, n);
	return (ssize_t)n;
}

static void comm_of(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	buf[0] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void on_sample(void *ctx, const struct sampler_sample *s)
{
	struct profiler *pr = ctx;
	struct prof_stats *st = prof_stats(pr->prof);
	if (!pr->cfg.follow && !is_target(pr, s->pid)) {
		st->other++;
		return;
	}
	unsigned max = pr->cfg.max_frames && pr->cfg.max_frames < MAXFRAMES ? pr->cfg.max_frames : MAXFRAMES;
	unsigned n = 0;
	uint32_t flags = 0;
	for (unsigned i = 0; i < s->nk && n < max; i++) {
		struct scry_frame f;
		kernel_frame(pr, s->kchain[i], &f);
		pr->ids[n++] = prof_frame_id(pr->prof, &f, PROF_FRAME_KERNEL);
	}
	unsigned user0 = n;
	if (s->regs_have && s->stack) {
		struct copy c = { s->stack, s->stack_len, s->sp };
		struct scry_stack out;
		int r = unwinder_unwind(pr->unw, s->pid, s->tid, s->regs_have, s->regs, copy_read, &c, 0,
					pr->frames, max - n, &out);
		st->user_stacks++;
		if (r < 0 || !out.nframes)
			st->unwind_errors++;
		for (unsigned i = 0; r == 0 && i < out.nframes; i++)
			pr->ids[n++] = prof_frame_id(pr->prof, &out.frames[i], 0);
		if (r == 0 && out.truncated)
			flags |= PROF_STACK_TRUNCATED;
	} else if (s->nu) {
		st->user_stacks++;
		for (unsigned i = 0; i < s->nu && n < max; i++) {
			struct scry_frame f;
			unwinder_resolve(pr->unw, s->pid, s->uchain[i], i == 0, &f);
			pr->ids[n++] = prof_frame_id(pr->prof, &f, 0);
		}
	}
	if (n == user0) {
		flags |= PROF_STACK_NOUSER;
		if (!n) {               /* nothing at all: the ip alone */
			struct scry_frame f;
			if (s->ip >= 0xffff800000000000ull) {
				kernel_frame(pr, s->ip, &f);
				pr->ids[n++] = prof_frame_id(pr->prof, &f, PROF_FRAME_KERNEL);
			} else {
				unwinder_resolve(pr->unw, s->pid, s->ip, 1, &f);
				pr->ids[n++] = prof_frame_id(pr->prof, &f, 0);
			}
		}
	} else {
		const struct prof_frame *outer = prof_frame(pr->prof, pr->ids[n - 1]);
		if (outer && is_root(outer->function)) {
			flags |= PROF_STACK_COMPLETE;
			st->complete++;
		}
	}
	char comm[32] = "";
	uint32_t th = prof_thread_id(pr->prof, s->pid, s->tid, NULL);
	const struct prof_thread *t = prof_thread(pr->prof, th);
	if (t && !strcmp(t->comm, "?")) {
		comm_of(s->pid, s->tid, comm, sizeof(comm));
		if (comm[0])
			prof_thread_set_comm(pr->prof, s->pid, s->tid, comm);
	}
	uint32_t stack = prof_stack_id(pr->prof, pr->ids, n, flags);
	if (th == PROF_NONE || stack == PROF_NONE)
		return;
	if (prof_add(pr->prof, th, stack, PROF_CPU, 1) == 0)
		st->samples++;
	if (pr->hooks.sample)
		pr->hooks.sample(pr->hooks.ctx, s, th, stack);
}

static void on_task(void *ctx, enum sampler_task_kind kind, pid_t pid, pid_t tid, pid_t ppid, pid_t ptid,
		    const char *comm)
{
	struct profiler *pr = ctx;
	switch (kind) {
	case SAMPLER_FORK:
		if (pid != tid || pr->cfg.follow || is_target(pr, pid)) {
			/* a new thread has its creator's name until it sets one */
			const struct prof_thread *t = prof_thread(pr->prof, prof_thread_find(pr->prof, ppid, ptid));
			if (t && strcmp(t->comm, "?") && prof_thread_find(pr->prof, pid, tid) == PROF_NONE)
				prof_thread_id(pr->prof, pid, tid, t->comm);
		}
		if (pid == tid && pr->cfg.follow && is_target(pr, ppid) && !is_target(pr, pid))
			push_pid(&pr->targets, &pr->ntargets, &pr->captargets, pid);
		break;
	case SAMPLER_EXIT:
		if (pid == tid)
			push_pid(&pr->forget, &pr->nforget, &pr->capforget, pid);
		break;
	case SAMPLER_EXEC:
		/* another binary: the old one's modules are wrong from now */
		unwinder_forget(pr->unw, pid);
		/* fallthrough */
	case SAMPLER_COMM:
		if (is_target(pr, pid) || pr->cfg.follow)
			prof_thread_set_comm(pr->prof, pid, tid, comm);
		break;
	}
}

static void on_note(void *ctx, const char *line)
{
	struct profiler *pr = ctx;
	if (pr->note)
		pr->note(pr->note_ctx, line);
}

int profiler_new(struct profiler **out, const struct profiler_config *cfg,
		 void (*note)(void *ctx, const char *line), void *note_ctx)
{
	struct profiler *pr = calloc(1, sizeof(*pr));
	if (!pr)
		return -ENOMEM;
	pr->cfg = *cfg;
	pr->note = note;
	pr->note_ctx = note_ctx;
	pr->gate = -1;
	struct sampler_callbacks cb = { on_sample, on_task, on_note, pr };
	int err = prof_new(&pr->prof);
	if (!err)
		err = unwinder_new(&pr->unw);
	if (!err)
		err = sampler_new(&pr->sampler, &pr->cfg.sampler, &cb);
	if (err) {
		profiler_free(pr);
		return err;
	}
	*out = pr;
	return 0;
}

void profiler_free(struct profiler *pr)
{
	if (!pr)
		return;
	if (pr->gate >= 0)
		launch_abort(pr->child, pr->gate);
	sampler_free(pr->sampler);
	unwinder_free(pr->unw);
	prof_free(pr->prof);
	free(pr->targets);
	free(pr->forget);
	free(pr->ksyms);
	free(pr->ksym_names);
	free(pr);
}

void profiler_set_hooks(struct profiler *pr, const struct profiler_hooks *h) { pr->hooks = *h; }

/* The names of pid's threads now (later ones come in COMM records), and
 * its modules read while it lives: samples still in the ring when it
 * exits are unwound with them. */
static void know_process(struct profiler *pr, pid_t pid)
{
	struct scry_frame f;
	unwinder_resolve(pr->unw, pid, 0, 1, &f);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9') {
			char comm[32];
			pid_t tid = (pid_t)atoi(de->d_name);
			comm_of(pid, tid, comm, sizeof(comm));
			if (comm[0])
				prof_thread_set_comm(pr->prof, pid, tid, comm);
		}
	closedir(d);
}

static int attach(struct profiler *pr, pid_t pid, int held)
{
	int err = sampler_add_process(pr->sampler, pid);
	if (err < 0)
		return err;
	if (!held)
		know_process(pr, pid);
	if (!is_target(pr, pid))
		return push_pid(&pr->targets, &pr->ntargets, &pr->captargets, pid);
	return 0;
}

int profiler_attach(struct profiler *pr, pid_t pid) { return attach(pr, pid, 0); }
int profiler_attach_held(struct profiler *pr, pid_t pid) { return attach(pr, pid, 1); }

int profiler_launch(struct profiler *pr, char *const argv[], pid_t *child)
{
	if (pr->gate >= 0)
		return -EBUSY;
	int gate = -1;
	uint64_t dfl = 1ull << (SIGPIPE - 1) | 1ull << (SIGINT - 1) | 1ull << (SIGTERM - 1) |
		       1ull << (SIGHUP - 1);
	pid_t pid = launch_gated(argv, dfl, NULL, NULL, &gate);
	if (pid < 0)
		return (int)pid;
	pr->gate = gate;
	pr->child = pid;
	int err = sampler_add_process(pr->sampler, pid);
	if (!err)
		err = push_pid(&pr->targets, &pr->ntargets, &pr->captargets, pid);
	if (err) {
		launch_abort(pid, gate);
		pr->gate = -1;
		return err;
	}
	*child = pid;
	return 0;
}

int profiler_start(struct profiler *pr)
{
	const struct sampler_counts *c = sampler_counts(pr->sampler);
	struct prof_stats *st = prof_stats(pr->prof);
	st->freq = c->freq;
	st->freq_asked = c->freq_asked;
	st->kernel = c->kernel;
	st->call_graph = pr->cfg.sampler.call_graph;
	st->stack_size = pr->cfg.sampler.call_graph == SAMPLER_DWARF ? pr->cfg.sampler.stack_size : 0;
	st->start_ns = now_ns(CLOCK_REALTIME);
	pr->t0 = now_ns(CLOCK_MONOTONIC);
	pr->started = 1;
	if (pr->gate >= 0) {
		/* the child's events start at its exec */
		launch_release(pr->gate);
		pr->gate = -1;
		return 0;
	}
	return sampler_enable(pr->sampler);
}

int profiler_poll(struct profiler *pr, int timeout_ms)
{
	int r = sampler_poll(pr->sampler, timeout_ms);
	for (size_t i = 0; i < pr->nforget; i++)
		unwinder_forget(pr->unw, pr->forget[i]);
	pr->nforget = 0;
	return r < 0 ? r : 0;
}

static int running(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

int profiler_alive(struct profiler *pr)
{
	for (size_t i = 0; i < pr->ntargets; i++)
		if (running(pr->targets[i]))
			return 1;
	return 0;
}

int profiler_stop(struct profiler *pr)
{
	if (pr->stopped)
		return 0;
	pr->stopped = 1;
	sampler_disable(pr->sampler);
	/* the window ends at the disable, not after the last unwinding */
	uint64_t end = now_ns(CLOCK_MONOTONIC);
	int r = profiler_poll(pr, 0);
	const struct sampler_counts *c = sampler_counts(pr->sampler);
	struct prof_stats *st = prof_stats(pr->prof);
	st->lost = c->lost;
	st->throttled = c->throttled;
	st->duration_ns = pr->started ? end - pr->t0 : 0;
	return r;
}

struct prof *profiler_profile(struct profiler *pr) { return pr->prof; }
