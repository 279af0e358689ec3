/*
 * Off-CPU time from sched_switch.  See profile/offcpu.h and offcpu.bpf.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profile/offcpu.h"
#include "profile/offcpu_bpf.h"
#include "unwind/unwind.h"

#if !defined(SCRY_NO_BPF) && __has_include("offcpu.skel.h")
#define HAVE_OFFCPU_SKEL 1
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "offcpu.skel.h"	/* generated into $(B)/bpf by bpftool */
#include "bpf/bpf_common.h"
#endif

#define OFFCPU_MAX_FRAMES 64
#define KSTACK_DEPTH 127

struct cap {
	struct offcpu_key key;
	struct scry_frame *frames;	/* strings: oc->unw's */
	unsigned nframes;
	int truncated;
};

struct start_snap {
	pid_t pid;
	struct tstate_snap s;
};

struct offcpu {
	int follow;
	pid_t *pids;
	size_t npids;
	struct unwinder *unw;
	struct cap *caps;
	size_t ncaps, alloccaps;
	uint64_t captures;
	struct start_snap *snaps;	/* each thread's state when the run began */
	size_t nsnaps;
	uint64_t start_ns;		/* CLOCK_MONOTONIC = bpf_ktime_get_ns() */
	uint64_t end_ns;		/* offcpu_stop(): the window's end */
#ifdef HAVE_OFFCPU_SKEL
	struct offcpu_bpf *skel;
	struct ring_buffer *rb;
	pthread_t th;
	int running;
	volatile int stop;
#endif
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* ---- kernel symbols (/proc/kallsyms, sorted once) ----
 * (Without the skeleton some helpers go unused: marked so.) */

struct ksym { uint64_t addr; char *name; };
struct ksyms { struct ksym *s; size_t n; };

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

static void ksyms_load(struct ksyms *k)
{
	memset(k, 0, sizeof(*k));
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f)
		return;
	char line[512];
	size_t alloc = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a;
		char type, name[256];
		if (sscanf(line, "%llx %c %255s", &a, &type, name) != 3 || !a)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (k->n == alloc) {
			size_t na = alloc ? alloc * 2 : 65536;
			struct ksym *ns = realloc(k->s, na * sizeof(*ns));
			if (!ns)
				break;
			k->s = ns;
			alloc = na;
		}
		char *dup = strdup(name);
		if (!dup)
			break;
		k->s[k->n].addr = a;
		k->s[k->n++].name = dup;
	}
	fclose(f);
	qsort(k->s, k->n, sizeof(*k->s), ksym_cmp);
}

static const struct ksym *ksyms_find(const struct ksyms *k, uint64_t addr)
{
	size_t lo = 0, hi = k->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &k->s[lo - 1] : NULL;
}

static void ksyms_free(struct ksyms *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->s[i].name);
	free(k->s);
}

/* The scheduler's own frames on top of every switched-out kernel stack:
 * not where the thread waits. */
__attribute__((unused)) static int sched_frame(const char *name)
{
	static const char *const pfx[] = { "__traceiter_", "__bpf_trace_", "bpf_trace_run", "bpf_prog_",
					   "__schedule", "schedule", "preempt_schedule", "__cond_resched",
					   "_cond_resched", "io_schedule", "__bpf_prog_" };
	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (!strncmp(name, pfx[i], strlen(pfx[i])))
			return 1;
	return 0;
}

/* ---- the run ---- */

__attribute__((unused)) static int snap_start(struct offcpu *oc, pid_t pid)
{
	struct tstate_snap tmp[1024];
	int n = states_snapshot(pid, tmp, 1024);
	if (n <= 0)
		return n;
	struct start_snap *ns = realloc(oc->snaps, (oc->nsnaps + (size_t)n) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	oc->snaps = ns;
	for (int i = 0; i < n; i++) {
		oc->snaps[oc->nsnaps].pid = pid;
		oc->snaps[oc->nsnaps++].s = tmp[i];
	}
	return 0;
}

static const struct tstate_snap *start_state(const struct offcpu *oc, pid_t tid)
{
	for (size_t i = 0; i < oc->nsnaps; i++)
		if (oc->snaps[i].s.tid == tid)
			return &oc->snaps[i].s;
	return NULL;
}

#ifdef HAVE_OFFCPU_SKEL

struct copy_mem { uint64_t base; const unsigned char *bytes; size_t len; };

static ssize_t copy_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct copy_mem *m = ctx;
	if (addr < m->base || addr - m->base > m->len || len > m->len - (addr - m->base))
		return -1;
	memcpy(buf, m->bytes + (addr - m->base), len);
	return (ssize_t)len;
}

static int on_cap(void *ctx, void *data, size_t size)
{
	struct offcpu *oc = ctx;
	const struct offcpu_cap *c = data;
	if (size < sizeof(*c))
		return 0;
	oc->captures++;
	if (oc->ncaps == oc->alloccaps) {
		size_t na = oc->alloccaps ? oc->alloccaps * 2 : 64;
		struct cap *nc = realloc(oc->caps, na * sizeof(*nc));
		if (!nc)
			return 0;
		oc->caps = nc;
		oc->alloccaps = na;
	}
	struct cap *k = &oc->caps[oc->ncaps++];
	memset(k, 0, sizeof(*k));
	k->key = c->key;
	if (!c->have || !oc->unw)
		return 0;
	uint64_t regs[UNWIND_NREGS] = { 0 };
	for (int i = 0; i < OFFCPU_NREGS && i < UNWIND_NREGS; i++)
		regs[i] = c->regs[i];
	struct copy_mem m = { c->key.usp, c->stack, c->stack_len <= OFFCPU_STACK_BYTES ? c->stack_len : 0 };
	struct scry_frame fr[OFFCPU_MAX_FRAMES];
	struct scry_stack st;
	if (unwinder_unwind(oc->unw, (pid_t)c->key.tgid, (pid_t)c->key.tid, c->have, regs, copy_read, &m, 0,
			    fr, OFFCPU_MAX_FRAMES, &st) < 0 || !st.nframes)
		return 0;
	k->frames = malloc(st.nframes * sizeof(*fr));
	if (!k->frames)
		return 0;
	memcpy(k->frames, fr, st.nframes * sizeof(*fr));
	k->nframes = st.nframes;
	k->truncated = st.truncated;
	return 0;
}

static void *drain_main(void *arg)
{
	struct offcpu *oc = arg;
	while (!oc->stop)
		ring_buffer__poll(oc->rb, 100);
	ring_buffer__consume(oc->rb);
	return NULL;
}

int offcpu_open(struct offcpu **out, int follow_forks, char *why, size_t len)
{
	*out = NULL;
	int err = bpf_check_env(why, len, 0);
	if (err)
		return err;
	struct offcpu *oc = calloc(1, sizeof(*oc));
	if (!oc)
		return -ENOMEM;
	oc->follow = follow_forks;
	oc->skel = offcpu_bpf__open();
	if (!oc->skel) {
		err = -errno;
		bpf_set_why(why, len, "cannot open the off-CPU bpf program: %s", strerror(-err));
		goto fail;
	}
	oc->skel->rodata->follow_forks = !!follow_forks;
	err = offcpu_bpf__load(oc->skel);
	if (err) {
		bpf_set_why(why, len, "cannot load the off-CPU bpf program (tp_btf/sched_switch): %s",
			    strerror(-err));
		goto fail;
	}
	oc->rb = ring_buffer__new(bpf_map__fd(oc->skel->maps.caps), on_cap, oc, NULL);
	if (!oc->rb) {
		err = -errno;
		bpf_set_why(why, len, "cannot map the off-CPU ring buffer: %s", strerror(-err));
		goto fail;
	}
	err = unwinder_new(&oc->unw);
	if (err)
		goto fail;
	*out = oc;
	return 0;
fail:
	offcpu_free(oc);
	return err;
}

int offcpu_add_pid(struct offcpu *oc, pid_t pid)
{
	pid_t *np = realloc(oc->pids, (oc->npids + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	oc->pids = np;
	oc->pids[oc->npids++] = pid;
	int err = bpf_map_set_pid(bpf_map__fd(oc->skel->maps.pids), pid, 1);
	if (err)
		return err;
	return oc->start_ns ? snap_start(oc, pid) : 0;
}

int offcpu_start(struct offcpu *oc, char *why, size_t len)
{
	for (size_t i = 0; i < oc->npids; i++)
		snap_start(oc, oc->pids[i]);
	oc->start_ns = mono_ns();
	oc->skel->bss->start_ns = oc->start_ns;
	int err = offcpu_bpf__attach(oc->skel);
	if (err) {
		bpf_set_why(why, len, "cannot attach to sched_switch: %s", strerror(-err));
		return err;
	}
	err = -pthread_create(&oc->th, NULL, drain_main, oc);
	if (err) {
		offcpu_bpf__detach(oc->skel);
		return err;
	}
	oc->running = 1;
	return 0;
}

static void stop_run(struct offcpu *oc)
{
	if (!oc->running)
		return;
	offcpu_bpf__detach(oc->skel);
	oc->stop = 1;
	pthread_join(oc->th, NULL);
	oc->running = 0;
}

#else /* without the skeleton */

int offcpu_open(struct offcpu **out, int follow_forks, char *why, size_t len)
{
	*out = NULL;
	if (why && len)
		snprintf(why, len, "scry was built without the off-CPU bpf program (offcpu.skel.h)");
	return -ENOTSUP;
}

int offcpu_add_pid(struct offcpu *oc, pid_t pid) { return -ENOTSUP; }
int offcpu_start(struct offcpu *oc, char *why, size_t len) { return -ENOTSUP; }
static void stop_run(struct offcpu *oc) { }

#endif

void offcpu_stop(struct offcpu *oc)
{
	if (!oc || oc->end_ns)
		return;
	oc->end_ns = mono_ns();
	stop_run(oc);
}

/* ---- the end: maps into the profile and the thread table ---- */

struct agg {
	struct offcpu_key key;
	uint64_t ns, count;
	/* for waits /proc saw at the end (threads that never ran) */
	struct scry_frame *frames;
	unsigned nframes;
	char wchan[48];
};

struct aggs { struct agg *a; size_t n, alloc; };

static struct agg *agg_get(struct aggs *g, const struct offcpu_key *k)
{
	for (size_t i = 0; i < g->n; i++)
		if (!memcmp(&g->a[i].key, k, sizeof(*k)))
			return &g->a[i];
	if (g->n == g->alloc) {
		size_t na = g->alloc ? g->alloc * 2 : 64;
		struct agg *n = realloc(g->a, na * sizeof(*n));
		if (!n)
			return NULL;
		g->a = n;
		g->alloc = na;
	}
	struct agg *a = &g->a[g->n++];
	memset(a, 0, sizeof(*a));
	a->key = *k;
	return a;
}

static enum tstate_kind kind_of(unsigned st)
{
	switch (st) {
	case OFFCPU_RUNNABLE: return TS_RUNNABLE;
	case OFFCPU_SLEEPING: return TS_SLEEPING;
	case OFFCPU_DISK: return TS_DISK;
	default: return TS_OTHER;
	}
}

static enum prof_metric metric_of(enum tstate_kind k)
{
	switch (k) {
	case TS_SLEEPING: return PROF_OFFCPU_SLEEP_NS;
	case TS_DISK: return PROF_OFFCPU_DISK_NS;
	case TS_RUNNABLE: return PROF_OFFCPU_RUNQ_NS;
	default: return PROF_OFFCPU_OTHER_NS;
	}
}

static const struct cap *cap_of(const struct offcpu *oc, const struct offcpu_key *k)
{
	for (size_t i = 0; i < oc->ncaps; i++)
		if (!memcmp(&oc->caps[i].key, k, sizeof(*k)))
			return &oc->caps[i];
	return NULL;
}

__attribute__((unused)) static pid_t pid_of_tid(const struct offcpu *oc, pid_t tid)
{
	for (size_t i = 0; i < oc->nsnaps; i++)
		if (oc->snaps[i].s.tid == tid)
			return oc->snaps[i].pid;
	return tid;
}

__attribute__((unused)) static int thread_alive(pid_t pid, pid_t tid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d", pid, tid);
	return access(path, F_OK) == 0;
}

/* Adds one wait (its kernel and user frames, leaf first) to p. */
static int add_to_prof(struct prof *p, const struct offcpu_key *k, enum tstate_kind kind, uint64_t ns,
		       const uint64_t *kips, unsigned nk, const struct ksyms *ks, const struct scry_frame *uf,
		       unsigned nu, int truncated, const char *comm)
{
	uint32_t ids[KSTACK_DEPTH + OFFCPU_MAX_FRAMES];
	uint32_t n = 0;
	for (unsigned i = 0; i < nk; i++) {
		const struct ksym *s = ksyms_find(ks, kips[i]);
		struct scry_frame f = { .addr = kips[i], .object = "[kernel.kallsyms]", .object_offset = kips[i],
					.function = s ? s->name : NULL, .offset = s ? kips[i] - s->addr : 0 };
		uint32_t id = prof_frame_id(p, &f, PROF_FRAME_KERNEL);
		if (id != PROF_NONE)
			ids[n++] = id;
	}
	for (unsigned i = 0; i < nu; i++) {
		uint32_t id = prof_frame_id(p, &uf[i], 0);
		if (id != PROF_NONE)
			ids[n++] = id;
	}
	uint32_t flags = nu ? (truncated ? PROF_STACK_TRUNCATED : PROF_STACK_COMPLETE) : PROF_STACK_NOUSER;
	uint32_t sid = prof_stack_id(p, ids, n, flags);
	uint32_t th = prof_thread_id(p, (pid_t)k->tgid, (pid_t)k->tid, comm);
	if (sid == PROF_NONE || th == PROF_NONE)
		return -ENOMEM;
	return prof_add(p, th, sid, metric_of(kind), ns);
}

int offcpu_finish(struct offcpu *oc, struct prof *p, struct tstates *ts, struct offcpu_stats *st)
{
	memset(st, 0, sizeof(*st));
	offcpu_stop(oc);
	uint64_t end = oc->end_ns;
	if (!ts->source || !ts->source[0])
		ts->source = "sched_switch";
	ts->duration_ns = oc->start_ns && end > oc->start_ns ? end - oc->start_ns : 0;
	st->captures = oc->captures;
	struct aggs g = { 0 };
	int err = 0;
#ifdef HAVE_OFFCPU_SKEL
	uint64_t lost[OFFCPU_NLOST] = { 0 };
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0) {
		uint64_t *v = calloc((size_t)ncpu, sizeof(*v));
		for (uint32_t slot = 0; v && slot < OFFCPU_NLOST; slot++)
			if (!bpf_map_lookup_elem(bpf_map__fd(oc->skel->maps.lost), &slot, v))
				for (int c = 0; c < ncpu; c++)
					lost[slot] += v[c];
		free(v);
	}
	st->lost_keys = lost[OFFCPU_LOST_KEYS];
	st->lost_caps = lost[OFFCPU_LOST_CAPS];
	st->lost_tasks = lost[OFFCPU_LOST_TASKS];

	/* threads: time on the CPU; a wait still going on counts until now */
	int tfd = bpf_map__fd(oc->skel->maps.tasks);
	uint32_t tid, next;
	int have = bpf_map_get_next_key(tfd, NULL, &next) == 0;
	while (have) {
		tid = next;
		have = bpf_map_get_next_key(tfd, &tid, &next) == 0;
		struct offcpu_task t;
		if (bpf_map_lookup_elem(tfd, &tid, &t))
			continue;
		pid_t pid = t.key.tgid ? (pid_t)t.key.tgid : pid_of_tid(oc, (pid_t)tid);
		struct tstate *row = tstates_get(ts, pid, (pid_t)tid);
		if (!row) {
			err = -ENOMEM;
			break;
		}
		if (t.comm[0])
			memcpy(row->comm, t.comm, sizeof(row->comm));
		row->comm[sizeof(row->comm) - 1] = 0;
		row->switches += t.switches;
		row->ns[TS_RUNNING] += t.on_ns;
		if (t.ts_out) {
			struct agg *a = agg_get(&g, &t.key);
			if (a)
				a->ns += end > t.ts_out ? end - (t.ts_out > oc->start_ns ? t.ts_out : oc->start_ns) : 0;
		} else {
			uint64_t from = t.ts_in > oc->start_ns ? t.ts_in : oc->start_ns;
			row->ns[TS_RUNNING] += end > from ? end - from : 0;
		}
		row->gone = !thread_alive(pid, (pid_t)tid);
	}
	int wfd = bpf_map__fd(oc->skel->maps.waits);
	struct offcpu_key k, nextk;
	have = bpf_map_get_next_key(wfd, NULL, &nextk) == 0;
	while (have) {
		k = nextk;
		have = bpf_map_get_next_key(wfd, &k, &nextk) == 0;
		struct offcpu_val v;
		if (bpf_map_lookup_elem(wfd, &k, &v))
			continue;
		struct agg *a = agg_get(&g, &k);
		if (a) {
			a->ns += v.ns;
			a->count += v.count;
		}
	}
#endif
	/* threads that never came on the CPU during the run: waiting since
	 * before it, in the state /proc shows now */
	for (size_t i = 0; i < oc->npids; i++) {
		struct tstate_snap now[1024];
		int n = states_snapshot(oc->pids[i], now, 1024);
		for (int j = 0; j < n; j++) {
			const struct tstate_snap *s = &now[j];
			int seen = 0;
			for (size_t r = 0; r < ts->n && !seen; r++)
				seen = ts->t[r].tid == s->tid;
			if (seen)
				continue;
			struct tstate *row = tstates_get(ts, oc->pids[i], s->tid);
			if (!row)
				continue;
			memcpy(row->comm, s->comm, sizeof(row->comm));
			enum tstate_kind kind = tstate_kind_of(s->state);
			if (kind == TS_RUNNING) {
				row->ns[TS_RUNNING] += ts->duration_ns;
				continue;
			}
			struct offcpu_key wk = { .tid = (unsigned)s->tid, .tgid = (unsigned)oc->pids[i],
						 .state = kind == TS_DISK ? OFFCPU_DISK
							  : kind == TS_SLEEPING ? OFFCPU_SLEEPING : OFFCPU_OTHER,
						 .kstack = -1, .nr = s->nr, .uip = s->pc, .usp = s->sp };
			struct agg *a = agg_get(&g, &wk);
			if (!a)
				continue;
			a->ns += ts->duration_ns;
			a->count += 1;
			memcpy(a->wchan, s->wchan, sizeof(a->wchan));
			/* its stack, from the sp and pc it waits at (the memory
			 * does not move while it waits) */
			uint64_t regs[UNWIND_NREGS] = { 0 }, hv = 0;
#if defined(__x86_64__)
			regs[7] = s->sp;
			regs[16] = s->pc;
			hv = (1ull << 7) | (1ull << 16);
#endif
			struct scry_frame fr[OFFCPU_MAX_FRAMES];
			struct scry_stack sst;
			if (oc->unw && hv && s->pc &&
			    unwinder_unwind(oc->unw, oc->pids[i], s->tid, hv, regs, NULL, NULL, 0, fr,
					    OFFCPU_MAX_FRAMES, &sst) == 0 && sst.nframes &&
			    (a->frames = malloc(sst.nframes * sizeof(*fr)))) {
				memcpy(a->frames, fr, sst.nframes * sizeof(*fr));
				a->nframes = sst.nframes;
			}
		}
	}

	struct ksyms ks = { 0 };
	int need_k = 0;
	for (size_t i = 0; i < g.n; i++)
		need_k |= g.a[i].key.kstack >= 0;
	if (need_k)
		ksyms_load(&ks);
	for (size_t i = 0; i < g.n; i++) {
		struct agg *a = &g.a[i];
		if (!a->ns)
			continue;
		enum tstate_kind kind = kind_of(a->key.state);
		if (a->key.state == OFFCPU_UNKNOWN) {
			const struct tstate_snap *s0 = start_state(oc, (pid_t)a->key.tid);
			kind = s0 ? tstate_kind_of(s0->state) : TS_SLEEPING;
			if (kind == TS_RUNNING)
				kind = TS_RUNNABLE;
			if (s0 && !a->wchan[0])
				memcpy(a->wchan, s0->wchan, sizeof(a->wchan));
		}
		struct tstate *row = tstates_get(ts, (pid_t)a->key.tgid, (pid_t)a->key.tid);
		if (!row) {
			err = -ENOMEM;
			break;
		}
		row->ns[kind] += a->ns;
		/* the kernel stack, less the scheduler's frames */
		uint64_t kips[KSTACK_DEPTH];
		unsigned nk = 0;
		const char *where = a->wchan[0] ? a->wchan : NULL;
#ifdef HAVE_OFFCPU_SKEL
		if (a->key.kstack >= 0) {
			uint64_t raw[KSTACK_DEPTH] = { 0 };
			uint32_t id = (uint32_t)a->key.kstack;
			if (!bpf_map_lookup_elem(bpf_map__fd(oc->skel->maps.kstacks), &id, raw)) {
				unsigned j = 0;
				for (; j < KSTACK_DEPTH && raw[j]; j++) {
					const struct ksym *s = ksyms_find(&ks, raw[j]);
					if (!(nk == 0 && s && sched_frame(s->name)))
						kips[nk++] = raw[j];
				}
				if (nk) {
					const struct ksym *s = ksyms_find(&ks, kips[0]);
					where = s ? s->name : NULL;
				}
			}
		}
#endif
		if (kind != TS_RUNNABLE || a->key.nr >= 0)
			tstate_add_wait(row, (long)a->key.nr, where, a->ns, a->count);
		if (p) {
			const struct cap *c = cap_of(oc, &a->key);
			const struct scry_frame *uf = c ? c->frames : a->frames;
			unsigned nu = c ? c->nframes : a->nframes;
			int e = add_to_prof(p, &a->key, kind, a->ns, kips, nk, &ks, uf, nu, c ? c->truncated : 0,
					    row->comm[0] ? row->comm : NULL);
			if (e)
				err = e;
		}
	}
	ksyms_free(&ks);
	for (size_t i = 0; i < g.n; i++)
		free(g.a[i].frames);
	free(g.a);
	return err;
}

void offcpu_free(struct offcpu *oc)
{
	if (!oc)
		return;
	stop_run(oc);
#ifdef HAVE_OFFCPU_SKEL
	if (oc->rb)
		ring_buffer__free(oc->rb);
	if (oc->skel)
		offcpu_bpf__destroy(oc->skel);
#endif
	for (size_t i = 0; i < oc->ncaps; i++)
		free(oc->caps[i].frames);
	free(oc->caps);
	if (oc->unw)
		unwinder_free(oc->unw);
	free(oc->snaps);
	free(oc->pids);
	free(oc);
}
