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
	/* The executable mappings of the processes whose every mapping the
	 * kernel reports (a launched command, from its exec; its children
	 * from their fork), built from PERF_RECORD_MMAP2 records and given
	 * to the unwinder, so that a process gone before its samples are
	 * unwound still has its modules (/proc is not read for them). */
	struct gmaps *gmaps;
};

struct gmap {
	uint64_t start, end, pgoff, ino;
	uint32_t maj, min;
	char *path;
};

struct gmaps {
	struct gmaps *next;
	pid_t pid;
	struct gmap *e;
	size_t n, cap;
	int dirty;                /* changed since given to the unwinder */
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

static struct gmaps *gmaps_find(struct profiler *pr, pid_t pid)
{
	for (struct gmaps *g = pr->gmaps; g; g = g->next)
		if (g->pid == pid)
			return g;
	return NULL;
}

static void gmaps_clear(struct gmaps *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->e[i].path);
	g->n = 0;
	g->dirty = 1;
}

/* pid's list, made empty when new; NULL when out of memory. */
static struct gmaps *gmaps_new(struct profiler *pr, pid_t pid)
{
	struct gmaps *g = gmaps_find(pr, pid);
	if (g)
		return g;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->pid = pid;
	g->next = pr->gmaps;
	pr->gmaps = g;
	return g;
}

static void gmaps_drop(struct profiler *pr, pid_t pid)
{
	for (struct gmaps **gp = &pr->gmaps; *gp; gp = &(*gp)->next)
		if ((*gp)->pid == pid) {
			struct gmaps *g = *gp;
			*gp = g->next;
			gmaps_clear(g);
			free(g->e);
			free(g);
			return;
		}
}

static int gmaps_add(struct gmaps *g, const struct gmap *m)
{
	/* what the new mapping covers is not the old ones' any more */
	size_t j = 0;
	for (size_t i = 0; i < g->n; i++) {
		if (g->e[i].start < m->end && m->start < g->e[i].end)
			free(g->e[i].path);
		else
			g->e[j++] = g->e[i];
	}
	g->n = j;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct gmap *e = realloc(g->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		g->e = e;
		g->cap = cap;
	}
	struct gmap n = *m;
	if (!(n.path = strdup(m->path)))
		return -ENOMEM;
	size_t at = g->n;
	while (at && g->e[at - 1].start > n.start) {
		g->e[at] = g->e[at - 1];
		at--;
	}
	g->e[at] = n;
	g->n++;
	g->dirty = 1;
	return 0;
}

/* Before pid's sample is unwound: its mappings to the unwinder, as
 * /proc/PID/maps would show them, when they changed. */
static void gmaps_give(struct profiler *pr, pid_t pid)
{
	struct gmaps *g = gmaps_find(pr, pid);
	if (!g || !g->dirty || !g->n)
		return;
	size_t cap = 1;
	for (size_t i = 0; i < g->n; i++)
		cap += 2 * (96 + strlen(g->e[i].path));
	char *text = malloc(cap), *p = text;
	if (!text)
		return;
	for (size_t i = 0; i < g->n; i++) {
		/* Only code mappings come as records; the file's first pages
		 * (its ELF header, where the unwinder puts the module's start)
		 * are mapped below its code at offset 0: said so, as /proc
		 * would, unless a mapping of the file at offset 0 is known. */
		int head = g->e[i].pgoff && g->e[i].pgoff <= g->e[i].start && g->e[i].path[0] == '/';
		for (size_t j = 0; head && j < g->n; j++)
			if (g->e[j].ino == g->e[i].ino && g->e[j].maj == g->e[i].maj && g->e[j].min == g->e[i].min &&
			    g->e[j].start < g->e[i].start)
				head = 0;
		if (head)
			p += snprintf(p, cap - (size_t)(p - text), "%llx-%llx r--p 00000000 %02x:%02x %llu %s\n",
				      (unsigned long long)(g->e[i].start - g->e[i].pgoff),
				      (unsigned long long)g->e[i].start, g->e[i].maj, g->e[i].min,
				      (unsigned long long)g->e[i].ino, g->e[i].path);
		p += snprintf(p, cap - (size_t)(p - text), "%llx-%llx r-xp %08llx %02x:%02x %llu %s\n",
			      (unsigned long long)g->e[i].start, (unsigned long long)g->e[i].end,
			      (unsigned long long)g->e[i].pgoff, g->e[i].maj, g->e[i].min,
			      (unsigned long long)g->e[i].ino, g->e[i].path);
	}
	if (unwinder_set_maps(pr->unw, pid, text, (size_t)(p - text)) == 0)
		g->dirty = 0;
	free(text);
}

static void on_mmap(void *ctx, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff, uint32_t maj,
		    uint32_t min, uint64_t ino, const char *path)
{
	struct profiler *pr = ctx;
	struct gmaps *g = gmaps_find(pr, pid);
	if (!g || !len || !path[0])
		return;
	struct gmap m = { start, start + len, pgoff, ino, maj, min, (char *)path };
	if (gmaps_add(g, &m) < 0)
		gmaps_drop(pr, pid);     /* (out of memory: /proc, as for others) */
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
	gmaps_give(pr, s->pid);
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
		if (pid == tid && pid != ppid) {
			/* a child has its parent's mappings, of which no record
			 * comes: a copy */
			struct gmaps *pg = gmaps_find(pr, ppid), *g;
			if (pg && (g = gmaps_new(pr, pid)) != NULL) {
				gmaps_clear(g);
				for (size_t i = 0; i < pg->n; i++)
					if (gmaps_add(g, &pg->e[i]) < 0) {
						gmaps_drop(pr, pid);
						break;
					}
			}
		}
		break;
	case SAMPLER_EXIT:
		if (pid == tid)
			push_pid(&pr->forget, &pr->nforget, &pr->capforget, pid);
		break;
	case SAMPLER_EXEC: {
		/* another binary: the old one's modules are wrong from now
		 * (the new image's mappings come after this record) */
		unwinder_forget(pr->unw, pid);
		struct gmaps *g = gmaps_find(pr, pid);
		if (g)
			gmaps_clear(g);
	}
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
	struct sampler_callbacks cb = { on_sample, on_task, on_note, pr, on_mmap };
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
	while (pr->gmaps)
		gmaps_drop(pr, pr->gmaps->pid);
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
	else if (!gmaps_new(pr, pid))
		return -ENOMEM;
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
	/* the command inherits what the program was given (a caught signal is
	 * back at its default after exec; one ignored when libscry was loaded
	 * is ignored again: launch_gated()), except SIGPIPE, which scry ignores
	 * for itself: back at its default unless it was ignored at load */
	uint64_t dfl = (1ull << (SIGPIPE - 1)) & ~launch_ignored_at_load();
	pid_t pid = launch_gated(argv, dfl, NULL, NULL, &gate);
	if (pid < 0)
		return (int)pid;
	pr->gate = gate;
	pr->child = pid;
	int err = sampler_add_process(pr->sampler, pid);
	if (!err)
		err = push_pid(&pr->targets, &pr->ntargets, &pr->captargets, pid);
	if (!err && !gmaps_new(pr, pid))
		err = -ENOMEM;           /* (its mappings come as records from its exec) */
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
	for (size_t i = 0; i < pr->nforget; i++) {
		unwinder_forget(pr->unw, pr->forget[i]);
		gmaps_drop(pr, pr->forget[i]);
	}
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
