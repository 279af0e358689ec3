/*
 * Thread states and the /proc sampler.  See profile/states.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profile/states.h"
#include "syscalls/syscalls.h"
#include "unwind/unwind.h"

void tstates_init(struct tstates *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->source = "";
}

void tstates_release(struct tstates *ts)
{
	free(ts->t);
	tstates_init(ts);
}

struct tstate *tstates_get(struct tstates *ts, pid_t pid, pid_t tid)
{
	for (size_t i = 0; i < ts->n; i++)
		if (ts->t[i].tid == tid)
			return &ts->t[i];
	if (ts->n == ts->alloc) {
		size_t na = ts->alloc ? ts->alloc * 2 : 16;
		struct tstate *nt = realloc(ts->t, na * sizeof(*nt));
		if (!nt)
			return NULL;
		ts->t = nt;
		ts->alloc = na;
	}
	struct tstate *t = &ts->t[ts->n++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	return t;
}

void tstate_add_wait(struct tstate *t, long nr, const char *where, uint64_t ns, uint64_t count)
{
	if (!where)
		where = "";
	for (unsigned i = 0; i < t->nwaits; i++) {
		struct tstate_wait *w = &t->waits[i];
		if (w->nr == nr && (!strcmp(w->where, where) || !where[0])) {
			w->ns += ns;
			w->count += count;
			return;
		}
	}
	unsigned slot = t->nwaits;
	if (slot == TS_NWAITS) {	/* full: replace the shortest if this is longer */
		slot = 0;
		for (unsigned i = 1; i < TS_NWAITS; i++)
			if (t->waits[i].ns < t->waits[slot].ns)
				slot = i;
		if (t->waits[slot].ns >= ns)
			return;
	} else {
		t->nwaits++;
	}
	struct tstate_wait *w = &t->waits[slot];
	w->nr = nr;
	w->ns = ns;
	w->count = count;
	snprintf(w->where, sizeof(w->where), "%s", where);
}

enum tstate_kind tstate_kind_of(char st)
{
	switch (st) {
	case 'R': return TS_RUNNING;
	case 'S': case 'I': return TS_SLEEPING;
	case 'D': return TS_DISK;
	default: return TS_OTHER;
	}
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = 0;
	return n;
}

/* /proc/PID/task/TID/{stat,syscall,wchan} into s; -errno when gone. */
static int snap_thread(pid_t pid, pid_t tid, struct tstate_snap *s)
{
	char path[96], buf[512];
	memset(s, 0, sizeof(*s));
	s->tid = tid;
	s->nr = -1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	ssize_t n = read_small(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	if (!l || !r || r < l || r[1] != ' ' || !r[2])
		return -EINVAL;
	size_t cl = (size_t)(r - l - 1);
	if (cl >= sizeof(s->comm))
		cl = sizeof(s->comm) - 1;
	memcpy(s->comm, l + 1, cl);
	s->state = r[2];
	if (s->state != 'R') {
		/* "nr args... sp pc", "-1 sp pc" (blocked outside a call) or
		 * "running"; needs ptrace access, else nothing is known */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/syscall", pid, tid);
		if (read_small(path, buf, sizeof(buf)) > 0 && buf[0] != 'r') {
			unsigned long long v[8];
			long nr;
			int got = sscanf(buf, "%ld %llx %llx %llx %llx %llx %llx %llx %llx", &nr, &v[0], &v[1],
					 &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
			if (got == 9) {
				s->nr = nr;
				s->sp = v[6];
				s->pc = v[7];
			} else if (got == 3 && nr == -1) {
				s->sp = v[0];
				s->pc = v[1];
			}
		}
		snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, tid);
		if (read_small(path, buf, sizeof(buf)) > 0 && strcmp(buf, "0"))
			snprintf(s->wchan, sizeof(s->wchan), "%.47s", buf);
	}
	return 0;
}

int states_snapshot(pid_t pid, struct tstate_snap *out, size_t max)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	size_t n = 0;
	struct dirent *de;
	while (n < max && (de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (*end || tid <= 0)
			continue;
		if (!snap_thread(pid, (pid_t)tid, &out[n]))
			n++;
	}
	closedir(d);
	return (int)n;
}

/* ---- the sampler ---- */

struct wait_key {
	pid_t pid, tid;
	int kind;
	long nr;
	uint64_t sp, pc;
};

struct wait_rec {
	struct wait_key k;
	uint64_t ns;
	struct scry_frame *frames;	/* strings: the sampler's unwinder's */
	unsigned nframes;
	int truncated;
	char wchan[48];
};

struct states_sampler {
	pthread_t th;
	pthread_mutex_t mu;
	int stop;
	unsigned hz;
	int follow;
	pid_t *pids;
	size_t npids, allocp;
	struct tstates ts;
	struct wait_rec *w;
	size_t nw, allocw;
	struct unwinder *unw;
	struct tstate_snap *snaps;
	size_t maxsnaps;
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int add_pid_locked(struct states_sampler *s, pid_t pid)
{
	for (size_t i = 0; i < s->npids; i++)
		if (s->pids[i] == pid)
			return 0;
	if (s->npids == s->allocp) {
		size_t na = s->allocp ? s->allocp * 2 : 8;
		pid_t *np = realloc(s->pids, na * sizeof(*np));
		if (!np)
			return -ENOMEM;
		s->pids = np;
		s->allocp = na;
	}
	s->pids[s->npids++] = pid;
	return 0;
}

int states_sampler_add(struct states_sampler *s, pid_t pid)
{
	pthread_mutex_lock(&s->mu);
	int r = add_pid_locked(s, pid);
	pthread_mutex_unlock(&s->mu);
	return r;
}

/* follow: the children of pid's threads join the sweep */
static void add_children(struct states_sampler *s, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p2[320], buf[4096];
		snprintf(p2, sizeof(p2), "/proc/%d/task/%.32s/children", pid, de->d_name);
		if (read_small(p2, buf, sizeof(buf)) <= 0)
			continue;
		for (char *t = strtok(buf, " \n"); t; t = strtok(NULL, " \n"))
			add_pid_locked(s, (pid_t)atoi(t));
	}
	closedir(d);
}

static struct wait_rec *wait_rec(struct states_sampler *s, const struct wait_key *k)
{
	for (size_t i = 0; i < s->nw; i++)
		if (!memcmp(&s->w[i].k, k, sizeof(*k)))
			return &s->w[i];
	if (s->nw == s->allocw) {
		size_t na = s->allocw ? s->allocw * 2 : 32;
		struct wait_rec *nw = realloc(s->w, na * sizeof(*nw));
		if (!nw)
			return NULL;
		s->w = nw;
		s->allocw = na;
	}
	struct wait_rec *r = &s->w[s->nw++];
	memset(r, 0, sizeof(*r));
	r->k = *k;
	return r;
}

#define STATES_MAX_FRAMES 64

/* The user stack of a thread that waits: from the sp and pc
 * /proc/TID/syscall shows, reading its (still) memory. */
static void unwind_wait(struct states_sampler *s, struct wait_rec *r)
{
	if (!s->unw || !r->k.pc || !r->k.sp)
		return;
	uint64_t regs[UNWIND_NREGS] = { 0 };
	uint64_t have = 0;
#if defined(__x86_64__)
	regs[7] = r->k.sp;
	regs[16] = r->k.pc;
	have = (1ull << 7) | (1ull << 16);
#elif defined(__aarch64__)
	regs[31] = r->k.sp;
	regs[32] = r->k.pc;
	have = (1ull << 31) | (1ull << 32);
#endif
	if (!have)
		return;
	struct scry_frame fr[STATES_MAX_FRAMES];
	struct scry_stack st;
	if (unwinder_unwind(s->unw, r->k.pid, r->k.tid, have, regs, NULL, NULL, 0, fr, STATES_MAX_FRAMES,
			    &st) < 0 || !st.nframes)
		return;
	r->frames = malloc(st.nframes * sizeof(*fr));
	if (!r->frames)
		return;
	memcpy(r->frames, fr, st.nframes * sizeof(*fr));
	r->nframes = st.nframes;
	r->truncated = st.truncated;
}

static void sweep(struct states_sampler *s, uint64_t dt)
{
	pthread_mutex_lock(&s->mu);
	if (s->follow)
		for (size_t i = 0; i < s->npids; i++)
			add_children(s, s->pids[i]);
	for (size_t i = 0; i < s->npids; i++) {
		pid_t pid = s->pids[i];
		int n = states_snapshot(pid, s->snaps, s->maxsnaps);
		for (int j = 0; j < n; j++) {
			const struct tstate_snap *sn = &s->snaps[j];
			struct tstate *t = tstates_get(&s->ts, pid, sn->tid);
			if (!t)
				continue;
			memcpy(t->comm, sn->comm, sizeof(t->comm));
			enum tstate_kind k = tstate_kind_of(sn->state);
			t->ns[k] += dt;
			if (k == TS_RUNNING)
				continue;
			tstate_add_wait(t, sn->nr, sn->wchan, dt, 1);
			struct wait_key wk = { pid, sn->tid, (int)k, sn->nr, sn->sp, sn->pc };
			struct wait_rec *r = wait_rec(s, &wk);
			if (!r)
				continue;
			if (!r->ns) {
				memcpy(r->wchan, sn->wchan, sizeof(r->wchan));
				unwind_wait(s, r);
			}
			r->ns += dt;
		}
	}
	pthread_mutex_unlock(&s->mu);
}

static void *sampler_main(void *arg)
{
	struct states_sampler *s = arg;
	uint64_t period = 1000000000ull / s->hz, last = mono_ns(), next = last + period;
	for (;;) {
		struct timespec ts = { (time_t)(next / 1000000000ull), (long)(next % 1000000000ull) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		pthread_mutex_lock(&s->mu);
		int stop = s->stop;
		pthread_mutex_unlock(&s->mu);
		uint64_t now = mono_ns();
		sweep(s, now - last);
		last = now;
		if (stop)
			break;
		next += period;
		if (next < now)
			next = now + period;
	}
	return NULL;
}

int states_sampler_start(struct states_sampler **out, const pid_t *pids, size_t npids, unsigned hz,
			 int follow, int stacks)
{
	*out = NULL;
	if (!hz || hz > 10000)
		return -EINVAL;
	struct states_sampler *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	s->hz = hz;
	s->follow = follow;
	tstates_init(&s->ts);
	snprintf(s->ts.source_buf, sizeof(s->ts.source_buf), "/proc sampling at %u Hz", hz);
	s->maxsnaps = 65536;
	s->snaps = calloc(s->maxsnaps, sizeof(*s->snaps));
	int err = s->snaps ? 0 : -ENOMEM;
	for (size_t i = 0; !err && i < npids; i++)
		err = add_pid_locked(s, pids[i]);
	if (!err && stacks)
		err = unwinder_new(&s->unw);
	if (!err)
		err = -pthread_create(&s->th, NULL, sampler_main, s);
	if (err) {
		if (s->unw)
			unwinder_free(s->unw);
		free(s->snaps);
		free(s->pids);
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

static enum prof_metric metric_of(int kind)
{
	switch (kind) {
	case TS_SLEEPING: return PROF_OFFCPU_SLEEP_NS;
	case TS_DISK: return PROF_OFFCPU_DISK_NS;
	case TS_RUNNABLE: return PROF_OFFCPU_RUNQ_NS;
	default: return PROF_OFFCPU_OTHER_NS;
	}
}

int states_sampler_stop(struct states_sampler *s, struct tstates *ts, struct prof *p)
{
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	int err = 0;
	if (p) {
		for (size_t i = 0; i < s->nw; i++) {
			const struct wait_rec *r = &s->w[i];
			uint32_t ids[STATES_MAX_FRAMES + 1];
			uint32_t n = 0;
			for (unsigned j = 0; j < r->nframes; j++) {
				uint32_t id = prof_frame_id(p, &r->frames[j], 0);
				if (id != PROF_NONE)
					ids[n++] = id;
			}
			uint32_t flags = n ? (r->truncated ? PROF_STACK_TRUNCATED : PROF_STACK_COMPLETE)
					   : PROF_STACK_NOUSER;
			uint32_t sid = prof_stack_id(p, ids, n, flags);
			const struct tstate *t = tstates_get(&s->ts, r->k.pid, r->k.tid);
			uint32_t tid = prof_thread_id(p, r->k.pid, r->k.tid, t ? t->comm : NULL);
			if (sid == PROF_NONE || tid == PROF_NONE)
				err = -ENOMEM;
			else if (prof_add(p, tid, sid, metric_of(r->k.kind), r->ns) < 0)
				err = -ENOMEM;
		}
	}
	for (size_t i = 0; i < s->nw; i++)
		free(s->w[i].frames);
	free(s->w);
	if (s->unw)
		unwinder_free(s->unw);
	uint64_t total = 0;
	for (size_t i = 0; i < s->ts.n; i++) {
		uint64_t sum = 0;
		for (int k = 0; k < TS_NKINDS; k++)
			sum += s->ts.t[i].ns[k];
		if (sum > total)
			total = sum;
	}
	*ts = s->ts;
	ts->duration_ns = total;
	ts->source = ts->source_buf;
	free(s->snaps);
	free(s->pids);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return err;
}

/* ---- the thread view ---- */

static const char *syscall_name(long nr, char *buf, size_t len)
{
	if (nr < 0)
		return "(no syscall)";
	const struct scry_syscall_info *i = scry_syscall_get(scry_native_table(), nr);
	if (i && i->name)
		return i->name;
	snprintf(buf, len, "syscall_%ld", nr);
	return buf;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

struct hot { char name[128]; uint64_t n; };

static int hot_cmp(const void *a, const void *b)
{
	const struct hot *x = a, *y = b;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->name, y->name);
}

static int wait_cmp(const void *a, const void *b)
{
	const struct tstate_wait *x = a, *y = b;
	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

/* The leaf functions of thread tid's CPU samples, the most first (frames
 * are per address: summed by name). */
static void write_hot(const struct prof *p, pid_t tid, FILE *f)
{
	uint32_t th = PROF_NONE;
	for (uint32_t i = 0; i < prof_nthreads(p); i++)
		if (prof_thread(p, i)->tid == tid)
			th = i;
	if (th == PROF_NONE)
		return;
	struct hot *h = NULL;
	size_t nh = 0, total = 0;
	for (size_t i = 0; i < prof_nentries(p); i++) {
		const struct prof_entry *e = prof_entry(p, i);
		if (e->thread != th || !e->v[PROF_CPU])
			continue;
		const struct prof_stack *st = prof_stack(p, e->stack);
		char buf[128];
		const char *name = st && st->n ? prof_frame_name(p, st->frames[0], buf, sizeof(buf)) : "[unknown]";
		total += e->v[PROF_CPU];
		size_t j;
		for (j = 0; j < nh && strcmp(h[j].name, name); j++)
			;
		if (j == nh) {
			struct hot *nhp = realloc(h, (nh + 1) * sizeof(*h));
			if (!nhp)
				break;
			h = nhp;
			snprintf(h[nh].name, sizeof(h[nh].name), "%s", name);
			h[nh++].n = 0;
		}
		h[j].n += e->v[PROF_CPU];
	}
	if (nh) {
		qsort(h, nh, sizeof(*h), hot_cmp);
		fprintf(f, "      hot:");
		for (size_t j = 0; j < nh && j < 3; j++)
			fprintf(f, "%s %s %.0f%%", j ? "," : "", h[j].name, pct(h[j].n, total));
		fprintf(f, "  (%zu samples)\n", total);
	}
	free(h);
}

int tstates_write_text(const struct tstates *ts, const struct prof *p, FILE *f)
{
	fprintf(f, "threads (%s, %.2f s):\n", ts->source, (double)ts->duration_ns / 1e9);
	fprintf(f, "  %-8s %-16s %6s %6s %6s %6s %6s\n", "TID", "NAME", "RUN%", "RUNQ%", "SLEEP%", "D%",
		"OTHER%");
	for (size_t i = 0; i < ts->n; i++) {
		const struct tstate *t = &ts->t[i];
		uint64_t sum = 0;
		for (int k = 0; k < TS_NKINDS; k++)
			sum += t->ns[k];
		fprintf(f, "  %-8d %-16s %6.1f %6.1f %6.1f %6.1f %6.1f%s\n", t->tid, t->comm[0] ? t->comm : "?",
			pct(t->ns[TS_RUNNING], sum), pct(t->ns[TS_RUNNABLE], sum), pct(t->ns[TS_SLEEPING], sum),
			pct(t->ns[TS_DISK], sum), pct(t->ns[TS_OTHER], sum), t->gone ? "  (exited)" : "");
		if (p)
			write_hot(p, t->tid, f);
		if (t->nwaits) {
			struct tstate_wait w[TS_NWAITS];
			memcpy(w, t->waits, t->nwaits * sizeof(*w));
			qsort(w, t->nwaits, sizeof(*w), wait_cmp);
			fprintf(f, "      waits:");
			for (unsigned j = 0; j < t->nwaits && j < 4; j++) {
				char nb[32];
				fprintf(f, "%s %s%s%s%s %.3f s (%" PRIu64 "x)", j ? "," : "",
					syscall_name(w[j].nr, nb, sizeof(nb)), w[j].where[0] ? " [" : "", w[j].where,
					w[j].where[0] ? "]" : "", (double)w[j].ns / 1e9, w[j].count);
			}
			fputc('\n', f);
		}
	}
	return ferror(f) ? -EIO : 0;
}
