/*
 * scry serve's exporter (see exporter.h): the bpf backend's counts, moved
 * into monotonic counters keyed by (label set, syscall, errno), rendered as
 * Prometheus metrics.
 */
#include "serve/exporter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bpf/bpf_backend.h"
#include "bpf/syscount.h"
#include "stats/hist.h"
#include "stats/stats.h"
#include "syscalls/callname.h"
#include "syscalls/syscalls.h"
#include "util/strbuf.h"

#define CGROUP2_MAGIC 0x63677270

/* One counter family's row: calls of (label set, syscall), or with err > 0
 * the errors of that errno. */
struct series {
	uint32_t ls;		/* index into labelsets */
	int nr;
	int err;		/* 0: the calls row */
	uint64_t calls;		/* calls, or errors of err */
	uint64_t errors;
	uint64_t total_ns;
	uint64_t *le;		/* calls row: nle + 1 non-cumulative counts */
};

/* What a process's labels say, remembered while it lives (and one tick
 * after, for the calls it made just before it died). */
struct proc_info {
	int pid;
	unsigned long long start;	/* /proc/PID/stat starttime */
	int dead;			/* ticks seen gone */
	uint32_t ls;			/* its label set */
};

/* A -p or --pgrep process put in the kernel's map. */
struct added {
	int pid;
	unsigned long long start;
};

struct scry_exporter {
	pthread_mutex_t lock;
	struct scry_bpf *b;		/* NULL: fed (scry_exporter_open_fed) */
	struct scry_stats pending;	/* fed: calls since the last collect */
	int *fed_pids;			/* fed: processes traced now */
	size_t nfed, allocfed;
	double t_open;
	struct scry_exporter_opts o;
	char *comm, *cgroup_dir;
	regex_t re;
	int have_re;

	struct scry_stats agg;		/* every label folded: /summary */

	char **labelsets;		/* rendered label text, "" without labels */
	size_t nls, allocls, max_ls;
	uint32_t other_ls;		/* UINT32_MAX until the cap is reached */
	uint64_t overflows;

	struct series *ser;
	size_t nser, allocser;
	uint32_t *index;		/* open addressing: series index + 1 */
	size_t index_size;

	struct proc_info *procs;	/* sorted by pid */
	size_t nprocs, allocprocs;

	struct added *added;
	size_t nadded, allocadded;

	uint64_t le[SCRY_EXPORTER_MAX_LE];
	size_t nle;

	size_t targets;
	double last_collect_s;
	uint64_t collect_errors;
	long long heap_in_use;		/* before this render's work; -1: unknown */
};

/* ---- le buckets ---- */

int scry_exporter_le_bounds(unsigned int n, uint64_t *le)
{
	size_t j = 0;

	if (!n || n > 64 || (n & (n - 1)))
		return -EINVAL;
	for (unsigned int k = 7; k < 34; k++)
		for (unsigned int m = 0; m < n; m++)
			le[j++] = (1ULL << k) + ((uint64_t)m << k) / n - 1;
	le[j++] = (1ULL << 34) - 1;
	return (int)j;
}

void scry_exporter_le_counts(const struct scry_hist *h, const uint64_t *le, size_t nle,
			     uint64_t *counts)
{
	size_t j = 0;

	/* buckets and bounds both ascend: one pass */
	for (unsigned int i = 0; i < SCRY_HIST_BUCKETS; i++) {
		uint64_t hi = scry_hist_bucket_lo(i) + scry_hist_bucket_width(i) - 1;

		while (j < nle && hi > le[j])
			j++;
		counts[j] += h->buckets[i];
	}
}

/* ---- label sets ---- */

static void add_label_value(struct strbuf *sb, const char *name, const char *v)
{
	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_addf(sb, "%s=\"", name);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '\\' || *p == '"')
			strbuf_addch(sb, '\\'), strbuf_addch(sb, *p);
		else if (*p == '\n')
			strbuf_addstr(sb, "\\n");
		else if (*p < 0x20 || *p >= 0x7f)
			strbuf_addch(sb, '?');	/* label values must be UTF-8 */
		else
			strbuf_addch(sb, *p);
	}
	strbuf_addch(sb, '"');
}

/* The index of label set text (taken over), folded into "other" past the
 * cap; UINT32_MAX when out of memory. */
static uint32_t labelset_intern(struct scry_exporter *e, char *text)
{
	for (size_t i = 0; i < e->nls; i++)
		if (!strcmp(e->labelsets[i], text)) {
			free(text);
			return (uint32_t)i;
		}
	if (e->nls >= e->max_ls) {
		free(text);
		e->overflows++;
		if (e->other_ls == UINT32_MAX) {
			struct strbuf sb = STRBUF_INIT;

			if (e->o.labels & SCRY_EXPORTER_LABEL_PID)
				add_label_value(&sb, "pid", "other");
			if (e->o.labels & SCRY_EXPORTER_LABEL_COMM)
				add_label_value(&sb, "comm", "other");
			if (e->o.labels & SCRY_EXPORTER_LABEL_CGROUP)
				add_label_value(&sb, "cgroup", "other");
			text = strdup(sb.buf);
			strbuf_release(&sb);
			if (!text)
				return UINT32_MAX;
			/* one past the cap: the only one */
			goto push;
		}
		return e->other_ls;
	}
push:
	if (e->nls == e->allocls) {
		size_t n = e->allocls ? e->allocls * 2 : 16;
		char **t = realloc(e->labelsets, n * sizeof(*t));

		if (!t) {
			free(text);
			return UINT32_MAX;
		}
		e->labelsets = t;
		e->allocls = n;
	}
	e->labelsets[e->nls] = text;
	if (e->nls >= e->max_ls)
		e->other_ls = (uint32_t)e->nls;
	return (uint32_t)e->nls++;
}

/* ---- /proc ---- */

/* Reads a small file into buf (NUL-terminated, trailing newline cut):
 * its length, or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}

/* The process's start time (field 22 of /proc/PID/stat), 0 if gone. */
static unsigned long long proc_start(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	/* the name may hold spaces and parentheses: fields follow the last ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &start) != 1)
		return 0;
	return start;
}

static int proc_comm(int pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	return read_small(path, buf, len) < 0 ? -1 : 0;
}

/* The process's cgroup v2 path ("0::PATH" of /proc/PID/cgroup). */
static int proc_cgroup(int pid, char *buf, size_t len)
{
	char path[64], text[4096], *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (read_small(path, text, sizeof(text)) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3)) {
			snprintf(buf, len, "%s", line + 3);
			return 0;
		}
	return -1;
}

/* ---- processes and their label sets ---- */

static int cmp_proc(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The label set of a process seen now, from /proc (or "unknown" when it
 * is gone already; under --comm its name is known all the same). */
static uint32_t labelset_of_pid(struct scry_exporter *e, int pid)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096], num[16];
	int alive = pid > 0 && proc_start(pid) != 0;
	char *text;

	if (e->o.labels & SCRY_EXPORTER_LABEL_PID) {
		snprintf(num, sizeof(num), "%d", pid);
		add_label_value(&sb, "pid", pid > 0 ? num : "unknown");
	}
	if (e->o.labels & SCRY_EXPORTER_LABEL_COMM) {
		/* gone: the name it exited with, kept by the kernel */
		if ((!alive || proc_comm(pid, buf, sizeof(buf)) < 0) &&
		    (!e->b || scry_bpf_exited_comm(e->b, pid, buf, sizeof(buf)) < 0))
			snprintf(buf, sizeof(buf), "%s", e->comm && !e->have_re && !e->o.npids && !e->cgroup_dir && !e->o.all ? e->comm : "unknown");
		add_label_value(&sb, "comm", buf);
	}
	if (e->o.labels & SCRY_EXPORTER_LABEL_CGROUP) {
		if (!alive || proc_cgroup(pid, buf, sizeof(buf)) < 0)
			snprintf(buf, sizeof(buf), "unknown");
		add_label_value(&sb, "cgroup", buf);
	}
	text = strdup(sb.buf);
	strbuf_release(&sb);
	return text ? labelset_intern(e, text) : UINT32_MAX;
}

/* The label set of the rows of pid (0 without per-process labels). */
static uint32_t labelset_for(struct scry_exporter *e, int pid)
{
	struct proc_info key = { .pid = pid }, *p;

	if (!e->o.labels) {
		if (!e->nls) {
			char *text = strdup("");

			return text ? labelset_intern(e, text) : UINT32_MAX;
		}
		return 0;
	}
	p = e->nprocs ? bsearch(&key, e->procs, e->nprocs, sizeof(*p), cmp_proc) : NULL;
	if (p)
		return p->ls;
	if (e->nprocs == e->allocprocs) {
		size_t n = e->allocprocs ? e->allocprocs * 2 : 64;
		struct proc_info *t = realloc(e->procs, n * sizeof(*t));

		if (!t)
			return UINT32_MAX;
		e->procs = t;
		e->allocprocs = n;
	}
	key.start = proc_start(pid);
	key.ls = labelset_of_pid(e, pid);
	if (key.ls == UINT32_MAX)
		return UINT32_MAX;
	/* insert in order */
	size_t at = e->nprocs;

	while (at > 0 && e->procs[at - 1].pid > pid)
		at--;
	memmove(&e->procs[at + 1], &e->procs[at], (e->nprocs - at) * sizeof(*e->procs));
	e->procs[at] = key;
	e->nprocs++;
	return key.ls;
}

/* Forgets processes gone for a whole tick (their last calls are in by
 * then), and those whose pid was reused. */
static void prune_procs(struct scry_exporter *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nprocs; i++) {
		struct proc_info *p = &e->procs[i];
		unsigned long long start = proc_start(p->pid);

		if (start && start == p->start)
			p->dead = 0;
		else if (p->dead++)
			continue;
		e->procs[n++] = *p;
	}
	e->nprocs = n;
}

/* ---- series ---- */

static size_t ser_hash(uint32_t ls, int nr, int err)
{
	uint64_t h = ((uint64_t)ls << 32) ^ ((uint64_t)(uint32_t)nr << 12) ^ (uint32_t)err;

	h *= 0x9E3779B97F4A7C15ULL;
	return (size_t)(h >> 17);
}

static int ser_reindex(struct scry_exporter *e, size_t size)
{
	uint32_t *idx = calloc(size, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < e->nser; i++) {
		size_t h = ser_hash(e->ser[i].ls, e->ser[i].nr, e->ser[i].err) & (size - 1);

		while (idx[h])
			h = (h + 1) & (size - 1);
		idx[h] = (uint32_t)i + 1;
	}
	free(e->index);
	e->index = idx;
	e->index_size = size;
	return 0;
}

static struct series *ser_get(struct scry_exporter *e, uint32_t ls, int nr, int err)
{
	struct series *s;
	size_t h;

	if (e->index_size) {
		h = ser_hash(ls, nr, err) & (e->index_size - 1);
		while (e->index[h]) {
			s = &e->ser[e->index[h] - 1];
			if (s->ls == ls && s->nr == nr && s->err == err)
				return s;
			h = (h + 1) & (e->index_size - 1);
		}
	}
	if ((e->nser + 1) * 2 > e->index_size && ser_reindex(e, e->index_size ? e->index_size * 2 : 256))
		return NULL;
	if (e->nser == e->allocser) {
		size_t n = e->allocser ? e->allocser * 2 : 64;
		struct series *t = realloc(e->ser, n * sizeof(*t));

		if (!t)
			return NULL;
		e->ser = t;
		e->allocser = n;
	}
	s = &e->ser[e->nser];
	memset(s, 0, sizeof(*s));
	s->ls = ls;
	s->nr = nr;
	s->err = err;
	if (!err && !(s->le = calloc(e->nle + 1, sizeof(*s->le))))
		return NULL;
	h = ser_hash(ls, nr, err) & (e->index_size - 1);
	while (e->index[h])
		h = (h + 1) & (e->index_size - 1);
	e->index[h] = (uint32_t)e->nser + 1;
	e->nser++;
	return s;
}

static int on_errno(void *ctx, int pid, int nr, int err, uint64_t n)
{
	struct scry_exporter *e = ctx;
	uint32_t ls = labelset_for(e, pid);
	struct series *s = ls == UINT32_MAX ? NULL : ser_get(e, ls, nr, err);

	if (!s)
		return -ENOMEM;
	s->calls += n;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The kernel's counts since the last collect (or, fed, the calls fed
 * since) into the series and agg. */
static int collect(struct scry_exporter *e)
{
	struct scry_stats d;
	double t0 = now_s();
	int err = 0;

	scry_stats_init(&d, e->o.labels != 0);
	if (e->b) {
		err = scry_bpf_read_reset_errnos(e->b, &d, on_errno, e);
	} else {
		/* fed: take the pending rows (their errnos went to the series
		 * as they came) */
		d = e->pending;
		scry_stats_init(&e->pending, e->o.labels != 0);
	}
	for (size_t i = 0; !err && i < scry_stats_nr_rows(&d); i++) {
		const struct scry_stats_row *r = scry_stats_row_at(&d, i);
		uint32_t ls = labelset_for(e, r->pid);
		struct series *s = ls == UINT32_MAX ? NULL : ser_get(e, ls, r->nr, 0);

		if (!s) {
			err = -ENOMEM;
			break;
		}
		s->calls += r->calls;
		s->errors += r->errors;
		s->total_ns += r->total_ns;
		scry_exporter_le_counts(r->hist, e->le, e->nle, s->le);
		/* calls the histogram missed (a full map) are above no bound
		 * we know: only +Inf, which is calls, holds them */
	}
	if (!err)
		err = scry_stats_merge(&e->agg, &d);
	scry_stats_release(&d);
	if (err)
		e->collect_errors++;
	e->last_collect_s = now_s() - t0;
	return err;
}

/* ---- targets ---- */

static int added_has(const struct scry_exporter *e, int pid, unsigned long long start)
{
	for (size_t i = 0; i < e->nadded; i++)
		if (e->added[i].pid == pid && e->added[i].start == start)
			return 1;
	return 0;
}

/* Puts pid in the kernel's map, once (by pid and start time). */
static int add_target(struct scry_exporter *e, int pid)
{
	unsigned long long start = proc_start(pid);
	int err;

	if (!start)
		return -ESRCH;
	if (added_has(e, pid, start))
		return 0;
	if (e->nadded == e->allocadded) {
		size_t n = e->allocadded ? e->allocadded * 2 : 16;
		struct added *t = realloc(e->added, n * sizeof(*t));

		if (!t)
			return -ENOMEM;
		e->added = t;
		e->allocadded = n;
	}
	err = scry_bpf_add_pid(e->b, pid);
	if (err)
		return err;
	e->added[e->nadded].pid = pid;
	e->added[e->nadded].start = start;
	e->nadded++;
	return 0;
}

/* Forgets the added processes that are gone (the kernel forgot them at
 * their exit; scry_bpf_wait() closes their pidfds). */
static size_t prune_added(struct scry_exporter *e)
{
	size_t n = 0;

	scry_bpf_wait(e->b, 0);
	for (size_t i = 0; i < e->nadded; i++)
		if (proc_start(e->added[i].pid) == e->added[i].start)
			e->added[n++] = e->added[i];
	e->nadded = n;
	return n;
}

static int is_self(int pid)
{
	return pid == (int)getpid();
}

/* The processes a resolve found, each once however many ways it matched. */
struct pidset {
	int *v;
	size_t n, alloc;
	int err;		/* -ENOMEM once a push failed */
};

static void pidset_push(struct pidset *ps, int pid)
{
	if (ps->n == ps->alloc) {
		size_t na = ps->alloc ? ps->alloc * 2 : 64;
		int *t = realloc(ps->v, na * sizeof(*t));

		if (!t) {
			ps->err = -ENOMEM;
			return;
		}
		ps->v = t;
		ps->alloc = na;
	}
	ps->v[ps->n++] = pid;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* How many distinct pids; frees the set. */
static size_t pidset_count(struct pidset *ps)
{
	size_t n = 0;

	if (ps->n)
		qsort(ps->v, ps->n, sizeof(*ps->v), cmp_int);
	for (size_t i = 0; i < ps->n; i++)
		if (!i || ps->v[i] != ps->v[i - 1])
			n++;
	free(ps->v);
	*ps = (struct pidset){ NULL, 0, 0, 0 };
	return n;
}

/* Walks /proc: adds --pgrep's new matches (they join the added ones);
 * puts every process (--all) or those --comm names in ps. */
static void scan_proc(struct scry_exporter *e, struct pidset *ps)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char comm[64];
		int pid = atoi(de->d_name);

		if (pid <= 0 || is_self(pid))
			continue;
		if (e->o.all) {
			pidset_push(ps, pid);
			continue;
		}
		if ((!e->comm && !e->have_re) || proc_comm(pid, comm, sizeof(comm)) < 0)
			continue;
		if (e->comm && !strcmp(comm, e->comm))
			pidset_push(ps, pid);
		if (e->have_re && !regexec(&e->re, comm, 0, NULL, 0))
			add_target(e, pid);
	}
	closedir(d);
}

struct cg_walk {
	uint64_t *ids;
	size_t n, alloc;
	struct pidset *procs;
};

static __thread struct cg_walk *cg_cur;

static int cg_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct cg_walk *w = cg_cur;
	char file[PATH_MAX];
	FILE *f;
	int pid;

	if (type != FTW_D)
		return 0;
	if (w->n == w->alloc) {
		size_t na = w->alloc ? w->alloc * 2 : 16;
		uint64_t *t = realloc(w->ids, na * sizeof(*t));

		if (!t)
			return -ENOMEM;
		w->ids = t;
		w->alloc = na;
	}
	/* a cgroup v2 id is its directory's inode number */
	w->ids[w->n++] = (uint64_t)st->st_ino;
	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	f = fopen(file, "re");
	if (!f)
		return 0;
	while (fscanf(f, "%d", &pid) == 1)
		pidset_push(w->procs, pid);
	fclose(f);
	return 0;
}

/* Gives the kernel the ids of the cgroup's subtree; puts its processes in
 * procs. */
static int scan_cgroup(struct scry_exporter *e, struct pidset *procs)
{
	struct cg_walk w = { NULL, 0, 0, procs };
	int err;

	cg_cur = &w;
	err = nftw(e->cgroup_dir, cg_visit, 16, FTW_PHYS);
	cg_cur = NULL;
	if (err > 0)
		err = -EIO;
	else if (err < 0)
		err = -errno;
	if (!err)
		err = scry_bpf_set_cgroups(e->b, w.ids, w.n);
	free(w.ids);
	return err;
}

/* The cgroup v2 mount point (/sys/fs/cgroup, or .../unified in the hybrid
 * layout), from /proc/self/mountinfo. */
static int cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mnt[PATH_MAX], *dash = strstr(line, " - ");

		if (!dash || strncmp(dash + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(buf, len, "%s", mnt);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static int resolve_cgroup(struct scry_exporter *e, const char *arg, char *why, size_t len)
{
	char mnt[PATH_MAX], path[PATH_MAX * 2];
	struct statfs sfs;
	struct stat st;

	if (arg[0] == '/' && !stat(arg, &st) && S_ISDIR(st.st_mode) && !statfs(arg, &sfs) &&
	    sfs.f_type == CGROUP2_MAGIC) {
		snprintf(path, sizeof(path), "%s", arg);
	} else {
		if (cgroup2_mount(mnt, sizeof(mnt)) < 0) {
			snprintf(why, len, "--cgroup needs cgroup v2, and no cgroup2 file system is mounted");
			return -ENOENT;
		}
		snprintf(path, sizeof(path), "%s/%s", mnt, arg[0] == '/' ? arg + 1 : arg);
		if (stat(path, &st) || !S_ISDIR(st.st_mode) || statfs(path, &sfs) ||
		    sfs.f_type != CGROUP2_MAGIC) {
			snprintf(why, len, "--cgroup %s: no such cgroup v2 directory (looked for %s); give a path under %s, e.g. system.slice/NAME.service",
				 arg, path, mnt);
			return -ENOENT;
		}
	}
	e->cgroup_dir = strdup(path);
	return e->cgroup_dir ? 0 : -ENOMEM;
}

/* Targets now: re-resolves and counts them, a process that matches
 * several ways (-p and --comm, say) once.  Called with the lock held. */
static int resolve(struct scry_exporter *e)
{
	struct pidset ps = { NULL, 0, 0, 0 };
	int err = 0;

	if (!e->b) {		/* fed: the processes traced now */
		e->targets = e->nfed;
		return 0;
	}
	if (e->o.all || e->comm || e->have_re)
		scan_proc(e, &ps);
	prune_added(e);		/* -p and --pgrep */
	for (size_t i = 0; i < e->nadded; i++)
		pidset_push(&ps, e->added[i].pid);
	if (e->cgroup_dir)
		err = scan_cgroup(e, &ps);
	if (!err)
		err = ps.err;
	e->targets = pidset_count(&ps);
	return err;
}

/* ---- open, tick, close ---- */

/*
 * What both ways of opening share: -p not scry itself, the options kept
 * (not their pids), the counters, the le bounds.  pending_per_process:
 * the fed exporter keeps its pending calls by process.  0 or -errno (why
 * says it for -EINVAL); *out NULL on error.
 */
static int exporter_new(struct scry_exporter **out, const struct scry_exporter_opts *o,
			int pending_per_process, char *why, size_t len)
{
	struct scry_exporter *e;
	int n;

	*out = NULL;
	for (size_t i = 0; i < o->npids; i++)
		if (is_self(o->pids[i])) {
			snprintf(why, len, "-p %d is scry itself, which it does not count", o->pids[i]);
			return -EINVAL;
		}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	e->o = *o;
	e->o.pids = NULL;	/* not kept */
	e->other_ls = UINT32_MAX;
	e->t_open = now_s();
	e->max_ls = o->max_label_sets ? o->max_label_sets : SCRY_EXPORTER_MAX_LABEL_SETS;
	scry_stats_init(&e->agg, 0);
	scry_stats_init(&e->pending, pending_per_process);
	n = scry_exporter_le_bounds(o->buckets_per_octave ? o->buckets_per_octave : 1, e->le);
	if (n < 0) {
		snprintf(why, len, "--buckets-per-octave %u: give 1, 2, 4, 8, 16, 32 or 64", o->buckets_per_octave);
		scry_exporter_close(e);
		return -EINVAL;
	}
	e->nle = (size_t)n;
	*out = e;
	return 0;
}

int scry_exporter_open(struct scry_exporter **out, const struct scry_exporter_opts *o,
		       char *why, size_t len)
{
	struct scry_bpf_opts bo = SCRY_BPF_OPTS_INIT;
	struct scry_exporter *e;
	int err;

	*out = NULL;
	if (why && len)
		why[0] = '\0';
	if (!o->npids && !o->comm && !o->pgrep && !o->cgroup && !o->all) {
		snprintf(why, len, "say what to count: -p PID, --comm NAME, --pgrep PATTERN, --cgroup PATH, or --all for every process");
		return -EINVAL;
	}
	if (o->comm && (!o->comm[0] || strlen(o->comm) > 15)) {
		snprintf(why, len, "--comm '%s': a process name has 1 to 15 bytes (the kernel's comm); use --pgrep for a pattern",
			 o->comm);
		return -EINVAL;
	}
	if ((err = exporter_new(&e, o, 0, why, len)) < 0)
		return err;
	if (o->comm && !(e->comm = strdup(o->comm))) {
		err = -ENOMEM;
		goto fail;
	}
	if (o->pgrep) {
		char msg[128];

		err = regcomp(&e->re, o->pgrep, REG_EXTENDED | REG_NOSUB);
		if (err) {
			regerror(err, &e->re, msg, sizeof(msg));
			snprintf(why, len, "--pgrep '%s': %s (a POSIX extended regular expression)", o->pgrep, msg);
			err = -EINVAL;
			goto fail;
		}
		e->have_re = 1;
	}
	if (o->cgroup && (err = resolve_cgroup(e, o->cgroup, why, len)))
		goto fail;

	bo.follow_forks = o->follow_forks;
	bo.per_process = o->labels != 0;
	bo.nrs = o->nrs;
	bo.nr_words = o->nr_words;
	bo.match_all = o->all;
	bo.match_comm = o->comm;
	bo.match_cgroups = o->cgroup != NULL;
	bo.count_errnos = 1;
	bo.keep_comms = (o->labels & SCRY_EXPORTER_LABEL_COMM) != 0;
	err = scry_bpf_open(&e->b, &bo, why, len);
	if (err)
		goto fail;
	for (size_t i = 0; i < o->npids; i++) {
		err = add_target(e, o->pids[i]);
		if (err) {
			snprintf(why, len, err == -ESRCH ? "-p %d: no such process" : "-p %d: cannot count it: %s",
				 o->pids[i], strerror(-err));
			goto fail;
		}
	}
	err = resolve(e);
	if (err) {
		snprintf(why, len, "cannot follow the targets: %s", strerror(-err));
		goto fail;
	}
	*out = e;
	return 0;
fail:
	scry_exporter_close(e);
	return err;
}

/*
 * Fed: the calls come from the caller (scry serve --backend ptrace, whose
 * library session hands them over one by one), not from the kernel's
 * maps.  Only -p (and -f) targets make sense: the caller attaches to them
 * (or launches a command after opening: then there are none to name).
 */
int scry_exporter_open_fed(struct scry_exporter **out, const struct scry_exporter_opts *o,
			   char *why, size_t len)
{
	struct scry_exporter *e;

	*out = NULL;
	if (why && len)
		why[0] = '\0';
	if (o->comm || o->pgrep || o->cgroup || o->all) {
		snprintf(why, len, "%s: only the bpf backend finds processes by name, cgroup or all of them; with ptrace give -p PID",
			 o->comm ? "--comm" : o->pgrep ? "--pgrep" : o->cgroup ? "--cgroup" : "--all");
		return -EINVAL;
	}
	int err = exporter_new(&e, o, o->labels != 0, why, len);
	if (err < 0)
		return err;
	*out = e;
	return 0;
}

int scry_exporter_feed_call(struct scry_exporter *e, int pid, int nr, uint64_t ns, int err)
{
	int ret;

	pthread_mutex_lock(&e->lock);
	ret = scry_stats_add(&e->pending, e->o.labels ? pid : 0, nr, ns, err != 0);
	if (!ret && err > 0)
		ret = on_errno(e, pid, nr, err, 1);
	pthread_mutex_unlock(&e->lock);
	return ret;
}

int scry_exporter_feed_process(struct scry_exporter *e, int pid, int alive)
{
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	for (i = 0; i < e->nfed && e->fed_pids[i] != pid; i++)
		;
	if (!alive && i < e->nfed) {
		e->fed_pids[i] = e->fed_pids[--e->nfed];
	} else if (alive && i == e->nfed) {
		if (e->nfed == e->allocfed) {
			size_t na = e->allocfed ? e->allocfed * 2 : 16;
			int *t = realloc(e->fed_pids, na * sizeof(*t));

			if (!t)
				ret = -ENOMEM;
			else
				e->fed_pids = t, e->allocfed = na;
		}
		if (!ret)
			e->fed_pids[e->nfed++] = pid;
	}
	e->targets = e->nfed;
	pthread_mutex_unlock(&e->lock);
	return ret;
}

void scry_exporter_close(struct scry_exporter *e)
{
	if (!e)
		return;
	scry_bpf_close(e->b);
	scry_stats_release(&e->pending);
	free(e->fed_pids);
	for (size_t i = 0; i < e->nls; i++)
		free(e->labelsets[i]);
	free(e->labelsets);
	for (size_t i = 0; i < e->nser; i++)
		free(e->ser[i].le);
	free(e->ser);
	free(e->index);
	free(e->procs);
	free(e->added);
	free(e->comm);
	free(e->cgroup_dir);
	if (e->have_re)
		regfree(&e->re);
	scry_stats_release(&e->agg);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

int scry_exporter_tick(struct scry_exporter *e, char *why, size_t len)
{
	int err;

	pthread_mutex_lock(&e->lock);
	err = collect(e);
	if (err)
		snprintf(why, len, "cannot read the kernel's counts: %s", strerror(-err));
	else if ((err = resolve(e)))
		snprintf(why, len, "cannot follow the targets: %s", strerror(-err));
	/* after the collect: a process gone since the last tick has had its
	 * last calls read */
	prune_procs(e);
	pthread_mutex_unlock(&e->lock);
	return err;
}

size_t scry_exporter_targets(struct scry_exporter *e)
{
	size_t n;

	pthread_mutex_lock(&e->lock);
	n = e->targets;
	pthread_mutex_unlock(&e->lock);
	return n;
}

/* ---- rendering ---- */

const char *scry_exporter_content_type(int openmetrics)
{
	return openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			   : "text/plain; version=0.0.4; charset=utf-8";
}

/* "# HELP" and "# TYPE" of a family; OpenMetrics names a counter's family
 * without its _total. */
static void family(struct strbuf *sb, int om, const char *name, const char *type, const char *help)
{
	size_t n = strlen(name);

	if (om && !strcmp(type, "counter") && n > 6 && !strcmp(name + n - 6, "_total"))
		n -= 6;
	strbuf_addf(sb, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name, type);
}

static void add_seconds(struct strbuf *sb, uint64_t ns)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu.%09llu", (unsigned long long)(ns / 1000000000ULL),
			 (unsigned long long)(ns % 1000000000ULL));

	while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
	strbuf_addstr(sb, buf);
}

/* {syscall="NAME"[,labels]  (the caller closes it) */
static void series_labels(struct strbuf *sb, const struct scry_exporter *e, const struct series *s)
{
	const struct scry_syscall_info *info = scry_syscall_get(scry_native_table(), s->nr);
	char buf[SCRY_CALL_NAME_MAX];

	strbuf_addf(sb, "{syscall=\"%s\"", scry_call_name(info ? info->name : NULL, s->nr, buf));
	if (e->labelsets[s->ls][0])
		strbuf_addf(sb, ",%s", e->labelsets[s->ls]);
}

static void gauge(struct strbuf *sb, int om, const char *name, const char *type, const char *help,
		  const char *value)
{
	family(sb, om, name, type, help);
	strbuf_addf(sb, "%s %s\n", name, value);
}

static void health(struct scry_exporter *e, int om, struct strbuf *sb)
{
	struct rusage ru;
	uint64_t ns = 0, runs = 0;
	char v[64], statm[128];
	long pages = 0;
	size_t fds = 0;
	DIR *d;

	snprintf(v, sizeof(v), "%llu", (unsigned long long)(e->b ? scry_bpf_lost(e->b) : 0));
	gauge(sb, om, "scry_events_lost_total", "counter",
	      "Calls or processes not counted because a kernel map was full.", v);
	snprintf(v, sizeof(v), "%zu", e->targets);
	gauge(sb, om, "scry_targets", "gauge", "Processes counted, as the last look found them.", v);
	snprintf(v, sizeof(v), "%.9f", e->last_collect_s);
	gauge(sb, om, "scry_collect_duration_seconds", "gauge",
	      "Time this scrape took to read and empty the kernel's counters.", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)e->collect_errors);
	gauge(sb, om, "scry_collect_errors_total", "counter",
	      "Reads of the kernel's counters that failed.", v);
	getrusage(RUSAGE_SELF, &ru);
	snprintf(v, sizeof(v), "%.6f", (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		 ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6);
	gauge(sb, om, "scry_cpu_seconds_total", "counter",
	      "CPU time scry itself used (user and system).", v);
	if (e->b)
		scry_bpf_run_stats(e->b, &ns, &runs);
	{
		struct strbuf t = STRBUF_INIT;

		add_seconds(&t, ns);
		gauge(sb, om, "scry_bpf_run_seconds_total", "counter",
		      "Time the kernel spent in scry's programs (0 unless sysctl kernel.bpf_stats_enabled=1).",
		      t.buf);
		strbuf_release(&t);
	}
	snprintf(v, sizeof(v), "%llu", (unsigned long long)runs);
	gauge(sb, om, "scry_bpf_runs_total", "counter",
	      "Runs of scry's programs (0 unless sysctl kernel.bpf_stats_enabled=1).", v);
	snprintf(v, sizeof(v), "%zu", e->nls);
	gauge(sb, om, "scry_label_sets", "gauge", "Distinct (pid, comm, cgroup) label sets exported.", v);
	snprintf(v, sizeof(v), "%zu", e->max_ls);
	gauge(sb, om, "scry_label_sets_limit", "gauge",
	      "The cap on label sets (--max-label-sets); past it rows go to the label set other.", v);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)e->overflows);
	gauge(sb, om, "scry_label_set_overflows_total", "counter",
	      "Processes counted under the label set other because of the cap.", v);
	if (read_small("/proc/self/statm", statm, sizeof(statm)) > 0)
		sscanf(statm, "%*s %ld", &pages);
	snprintf(v, sizeof(v), "%lld", (long long)pages * sysconf(_SC_PAGESIZE));
	gauge(sb, om, "process_resident_memory_bytes", "gauge", "Resident memory of scry.", v);
	if (e->heap_in_use >= 0) {
		snprintf(v, sizeof(v), "%lld", e->heap_in_use);
		gauge(sb, om, "scry_heap_in_use_bytes", "gauge",
		      "Memory scry has allocated and not freed (malloc), before this scrape's own work.", v);
	}
	if ((d = opendir("/proc/self/fd"))) {
		while (readdir(d))
			fds++;
		closedir(d);
		fds = fds > 3 ? fds - 3 : 0;	/* ., .. and the directory's own */
	}
	snprintf(v, sizeof(v), "%zu", fds);
	gauge(sb, om, "process_open_fds", "gauge", "Open file descriptors of scry.", v);
}

/* Bytes allocated with malloc and not freed yet (what a leak would grow,
 * unlike resident memory, which also holds pages the allocator keeps);
 * -1 where the C library cannot say. */
static long long heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
#else
	return -1;
#endif
}

static void render_locked(struct scry_exporter *e, int om, struct strbuf *sb)
{
	family(sb, om, "scry_syscalls_total", "counter",
	       "System calls that returned, counted in the kernel.");
	for (size_t i = 0; i < e->nser; i++) {
		const struct series *s = &e->ser[i];

		if (s->err)
			continue;
		strbuf_addstr(sb, "scry_syscalls_total");
		series_labels(sb, e, s);
		strbuf_addf(sb, "} %llu\n", (unsigned long long)s->calls);
	}
	family(sb, om, "scry_syscall_errors_total", "counter",
	       "System calls that returned an error, by errno.");
	for (size_t i = 0; i < e->nser; i++) {
		const struct series *s = &e->ser[i];
		const char *name;

		if (!s->err)
			continue;
		strbuf_addstr(sb, "scry_syscall_errors_total");
		series_labels(sb, e, s);
		name = scry_errno_name(s->err);
		if (name)
			strbuf_addf(sb, ",errno=\"%s\"} %llu\n", name, (unsigned long long)s->calls);
		else
			strbuf_addf(sb, ",errno=\"%d\"} %llu\n", s->err, (unsigned long long)s->calls);
	}
	family(sb, om, "scry_syscall_duration_seconds", "histogram",
	       "Wall time of system calls from entry to return.");
	for (size_t i = 0; i < e->nser; i++) {
		const struct series *s = &e->ser[i];
		uint64_t cum = 0;

		if (s->err)
			continue;
		for (size_t j = 0; j < e->nle; j++) {
			cum += s->le[j];
			strbuf_addstr(sb, "scry_syscall_duration_seconds_bucket");
			series_labels(sb, e, s);
			strbuf_addstr(sb, ",le=\"");
			add_seconds(sb, e->le[j]);
			strbuf_addf(sb, "\"} %llu\n", (unsigned long long)cum);
		}
		strbuf_addstr(sb, "scry_syscall_duration_seconds_bucket");
		series_labels(sb, e, s);
		strbuf_addf(sb, ",le=\"+Inf\"} %llu\n", (unsigned long long)s->calls);
		strbuf_addstr(sb, "scry_syscall_duration_seconds_sum");
		series_labels(sb, e, s);
		strbuf_addstr(sb, "} ");
		add_seconds(sb, s->total_ns);
		strbuf_addstr(sb, "\nscry_syscall_duration_seconds_count");
		series_labels(sb, e, s);
		strbuf_addf(sb, "} %llu\n", (unsigned long long)s->calls);
	}
	health(e, om, sb);
	if (om)
		strbuf_addstr(sb, "# EOF\n");
}

/* The text of sb, as a buffer of the caller's (free()); -ENOMEM if sb
 * could not hold all of it. */
static int hand_over(struct strbuf *sb, char **text, size_t *len)
{
	if (sb->failed) {
		strbuf_release(sb);
		return -ENOMEM;
	}
	if (!sb->alloc) {		/* (still the static "") */
		if (!(*text = strdup("")))
			return -ENOMEM;
		*len = 0;
		return 0;
	}
	*text = sb->buf;
	*len = sb->len;
	*sb = (struct strbuf)STRBUF_INIT;
	return 0;
}

int scry_exporter_render(struct scry_exporter *e, int openmetrics, char **text, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	int err;

	*text = NULL;
	*len = 0;
	pthread_mutex_lock(&e->lock);
	e->heap_in_use = heap_in_use();
	err = collect(e);
	/* a failed read still leaves good counters to show (and the error
	 * in scry_collect_errors_total) */
	render_locked(e, openmetrics, &sb);
	pthread_mutex_unlock(&e->lock);
	if (err == -ENOMEM) {
		strbuf_release(&sb);
		return err;
	}
	return hand_over(&sb, text, len);
}

static const char *call_name(int nr, void *ctx)
{
	const struct scry_syscall_info *info = scry_syscall_get(scry_native_table(), nr);

	return info ? info->name : NULL;
}

int scry_exporter_summary_json(struct scry_exporter *e, char **text, size_t *len)
{
	struct scry_summary_opts so;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int err;

	*text = NULL;
	*len = 0;
	memset(&so, 0, sizeof(so));
	so.name = call_name;
	so.latency = SCRY_LATENCY_WALL;
	so.sort = SCRY_SORT_NAME;
	f = open_memstream(&buf, &n);
	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&e->lock);
	collect(e);
	so.seconds = e->b ? scry_bpf_elapsed(e->b) : now_s() - e->t_open;
	err = scry_stats_print_json(&e->agg, f, &so);
	pthread_mutex_unlock(&e->lock);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err || !buf) {
		free(buf);
		return err ? err : -ENOMEM;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* ---- the sink of a fed exporter ---- */

static int sink_event(void *ctx, const struct scry_event *ev)
{
	struct scry_exporter *e = ctx;
	const struct scry_call *c = &ev->u.call;

	switch (ev->type) {
	case SCRY_EV_CALL_EXIT:
		if (!c->t_exit_ns)	/* (never returned: no duration) */
			return 0;
		return scry_exporter_feed_call(e, ev->pid, (int)c->nr, c->duration_ns,
					       c->is_error && c->ret < 0 ? (int)-c->ret : 0);
	case SCRY_EV_NEW_TASK:
		return ev->u.task.is_thread ? 0 : scry_exporter_feed_process(e, ev->pid, 1);
	case SCRY_EV_EXITED:
	case SCRY_EV_KILLED:
	case SCRY_EV_DETACHED:
		return ev->tid == ev->pid ? scry_exporter_feed_process(e, ev->pid, 0) : 0;
	default:
		return 0;
	}
}

void scry_exporter_as_sink(struct scry_exporter *e, struct scry_sink *sink)
{
	*sink = (struct scry_sink){ sink_event, NULL, e, NULL, NULL };
}
