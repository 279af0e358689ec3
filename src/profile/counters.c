/*
 * Per-thread perf counters.  See profile/counters.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profile/counters.h"

struct cdef {
	const char *name, *alias;
	uint32_t type;
	uint64_t config;
	const char *unit;	/* "ms" for the clocks (counted in ns) */
};

static const struct cdef DEFS[] = {
	{ "task-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "ms" },
	{ "cpu-clock", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, "ms" },
	{ "context-switches", "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, NULL },
	{ "cpu-migrations", "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, NULL },
	{ "page-faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, NULL },
	{ "minor-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN, NULL },
	{ "major-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, NULL },
	{ "alignment-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS, NULL },
	{ "emulation-faults", NULL, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS, NULL },
	{ "cycles", "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, NULL },
	{ "instructions", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, NULL },
	{ "cache-references", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, NULL },
	{ "cache-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, NULL },
	{ "branches", "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, NULL },
	{ "branch-misses", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, NULL },
	{ "bus-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES, NULL },
	{ "ref-cycles", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES, NULL },
	{ "stalled-cycles-frontend", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, NULL },
	{ "stalled-cycles-backend", NULL, PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND, NULL },
};
#define NDEFS (sizeof(DEFS) / sizeof(DEFS[0]))

struct cthread {
	pid_t pid, tid;
	char comm[16];
	int fd[COUNTERS_MAX];	/* -1: closed (gone; last[] holds the final value) */
	uint64_t last[COUNTERS_MAX];
	int gone;
};

struct counters {
	const struct cdef *want[COUNTERS_MAX];	/* asked for */
	unsigned nwant;
	const struct cdef *on[COUNTERS_MAX];	/* counted */
	unsigned non;
	int probed;
	char notes[512];
	int exclude_kernel;
	pid_t *pids;
	size_t npids;
	struct cthread *t;
	size_t nt, alloct;
	struct counters_row *rows;
	size_t allocrows;
	/* per process, at the last interval line */
	struct { pid_t pid; uint64_t v[COUNTERS_MAX]; } *prev;
	size_t nprev;
	int follow;		/* counters_follow(): children too */
};

static const struct cdef *find_def(const char *name)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (!strcmp(DEFS[i].name, name) || (DEFS[i].alias && !strcmp(DEFS[i].alias, name)))
			return &DEFS[i];
	return NULL;
}

int counters_new(struct counters **out, const char *list, char *why, size_t len)
{
	*out = NULL;
	struct counters *c = calloc(1, sizeof(*c));
	char *dup = strdup(list && *list ? list : COUNTERS_DEFAULT);
	if (!c || !dup) {
		free(c);
		free(dup);
		return -ENOMEM;
	}
	char *save = NULL;
	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct cdef *d = find_def(tok);
		if (!d) {
			if (why && len) {
				size_t o = (size_t)snprintf(why, len, "unknown counter '%s'; known:", tok);
				for (size_t i = 0; i < NDEFS && o < len; i++)
					o += (size_t)snprintf(why + o, len - o, "%s%s", i ? "," : " ", DEFS[i].name);
			}
			free(dup);
			free(c);
			return -EINVAL;
		}
		int dupd = 0;
		for (unsigned i = 0; i < c->nwant; i++)
			dupd |= c->want[i] == d;
		if (dupd)
			continue;
		if (c->nwant == COUNTERS_MAX) {
			if (why && len)
				snprintf(why, len, "at most %d counters", COUNTERS_MAX);
			free(dup);
			free(c);
			return -EINVAL;
		}
		c->want[c->nwant++] = d;
	}
	free(dup);
	if (!c->nwant) {
		if (why && len)
			snprintf(why, len, "no counter named (try --counters %s)", COUNTERS_DEFAULT);
		free(c);
		return -EINVAL;
	}
	/* like perf: without privilege, user-space only */
	if (geteuid() != 0) {
		FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
		int par = 2;
		if (f) {
			if (fscanf(f, "%d", &par) != 1)
				par = 2;
			fclose(f);
		}
		c->exclude_kernel = par >= 2;
	}
	*out = c;
	return 0;
}

static int open_one(const struct counters *c, const struct cdef *d, pid_t tid)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = d->type;
	a.config = d->config;
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	a.exclude_kernel = (unsigned)c->exclude_kernel;
	a.exclude_hv = 1;
	long fd = syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

static int have_pmu(void)
{
	return access("/sys/bus/event_source/devices/cpu", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/cpu_core", F_OK) == 0 ||
	       access("/sys/bus/event_source/devices/armv8_pmuv3_0", F_OK) == 0;
}

/* On the first thread: which of the asked counters the kernel takes; the
 * others are noted, once, with the reason. */
static void probe(struct counters *c, pid_t tid)
{
	char hw[256] = "", sw[256] = "";
	int hw_err = 0;
	size_t ho = 0, so = 0;
	for (unsigned i = 0; i < c->nwant; i++) {
		int fd = open_one(c, c->want[i], tid);
		if (fd >= 0) {
			close(fd);
			c->on[c->non++] = c->want[i];
			continue;
		}
		if (c->want[i]->type == PERF_TYPE_HARDWARE) {
			ho += (size_t)snprintf(hw + ho, ho < sizeof(hw) ? sizeof(hw) - ho : 0, "%s%s", ho ? ", " : "",
					       c->want[i]->name);
			hw_err = -fd;
		} else if (so < sizeof(sw)) {
			so += (size_t)snprintf(sw + so, sizeof(sw) - so, "%s%s (%s)", so ? ", " : "", c->want[i]->name,
					       strerror(-fd));
		}
	}
	size_t o = 0;
	if (hw[0])
		o = (size_t)snprintf(c->notes, sizeof(c->notes), "%s: not counted: %s (perf_event_open: %s)", hw,
				     have_pmu() ? "the PMU refused them" : "no hardware PMU on this machine",
				     strerror(hw_err));
	if (sw[0] && o < sizeof(c->notes))
		snprintf(c->notes + o, sizeof(c->notes) - o, "%snot counted: %s", o ? "; " : "", sw);
	c->probed = 1;
}

/* The thread's name now (a launched command's changes at its exec). */
static void read_comm(struct cthread *t)
{
	char path[64], comm[sizeof(t->comm)];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", t->pid, t->tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	if (n <= 0)
		return;
	comm[n] = 0;
	if (comm[n - 1] == '\n')
		comm[n - 1] = 0;
	memcpy(t->comm, comm, sizeof(comm));
}

static int add_thread(struct counters *c, pid_t pid, pid_t tid)
{
	for (size_t i = 0; i < c->nt; i++)
		if (c->t[i].tid == tid && !c->t[i].gone)
			return 0;
	if (!c->probed)
		probe(c, tid);
	if (c->nt == c->alloct) {
		size_t na = c->alloct ? c->alloct * 2 : 16;
		struct cthread *nt = realloc(c->t, na * sizeof(*nt));
		if (!nt)
			return -ENOMEM;
		c->t = nt;
		c->alloct = na;
	}
	struct cthread *t = &c->t[c->nt];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	int opened = 0;
	for (unsigned i = 0; i < COUNTERS_MAX; i++)
		t->fd[i] = -1;
	for (unsigned i = 0; i < c->non; i++) {
		t->fd[i] = open_one(c, c->on[i], tid);
		if (t->fd[i] < 0)
			t->fd[i] = -1;
		else
			opened++;
	}
	if (!opened)
		return -ESRCH;	/* gone already */
	read_comm(t);
	c->nt++;
	return 0;
}

static int scan_pid(struct counters *c, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	struct dirent *de;
	int err = 0;
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (*end || tid <= 0)
			continue;
		int e = add_thread(c, pid, (pid_t)tid);
		if (e == -ENOMEM)
			err = e;
	}
	closedir(d);
	return err;
}

int counters_add_pid(struct counters *c, pid_t pid)
{
	pid_t *np = realloc(c->pids, (c->npids + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	c->pids = np;
	c->pids[c->npids++] = pid;
	return scan_pid(c, pid);
}

static uint64_t read_fd(int fd, uint64_t last)
{
	uint64_t v[3];
	if (fd < 0 || read(fd, v, sizeof(v)) != (ssize_t)sizeof(v))
		return last;
	if (v[2] && v[2] < v[1])	/* multiplexed: scale to the time enabled */
		return (uint64_t)((double)v[0] * (double)v[1] / (double)v[2]);
	return v[0];
}

static void read_thread(struct counters *c, struct cthread *t)
{
	for (unsigned i = 0; i < c->non; i++)
		t->last[i] = read_fd(t->fd[i], t->last[i]);
}

void counters_follow(struct counters *c, int on) { c->follow = on; }

static int known_pid(const struct counters *c, pid_t pid)
{
	for (size_t i = 0; i < c->npids; i++)
		if (c->pids[i] == pid)
			return 1;
	return 0;
}

/* The parent of process pid from /proc/PID/stat, or 0. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');     /* (comm may hold spaces and parentheses) */
	char state;
	int ppid;
	if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
		return 0;
	return (pid_t)ppid;
}

/* Processes whose parent is counted are counted from now on (with their
 * threads), their own children at the next pass.  /proc has no list of a
 * process's children here (CONFIG_PROC_CHILDREN), so every process's
 * parent is read: a child that lives and dies between two rescans is
 * not seen. */
static int add_children(struct counters *c)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	struct dirent *de;
	int err = 0;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || known_pid(c, (pid_t)pid))
			continue;
		pid_t pp = parent_of((pid_t)pid);
		if (pp && known_pid(c, pp)) {
			int e = counters_add_pid(c, (pid_t)pid);
			if (e == -ENOMEM)
				err = e;
		}
	}
	closedir(d);
	return err;
}

int counters_rescan(struct counters *c)
{
	for (size_t i = 0; i < c->nt; i++) {
		struct cthread *t = &c->t[i];
		if (t->gone)
			continue;
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%d", t->pid, t->tid);
		if (access(path, F_OK) == 0) {
			read_comm(t);
			continue;
		}
		read_thread(c, t);	/* its final values */
		for (unsigned j = 0; j < c->non; j++)
			if (t->fd[j] >= 0) {
				close(t->fd[j]);
				t->fd[j] = -1;
			}
		t->gone = 1;
	}
	int err = 0;
	for (size_t i = 0; i < c->npids; i++) {
		int e = scan_pid(c, c->pids[i]);
		if (e == -ENOMEM)
			err = e;
	}
	if (c->follow && !err)
		err = add_children(c);
	return err;
}

const char *counters_notes(const struct counters *c)
{
	return c->notes;
}

unsigned counters_n(const struct counters *c)
{
	return c->non;
}

const char *counters_name(const struct counters *c, unsigned i)
{
	return i < c->non ? c->on[i]->name : NULL;
}

long counters_read(struct counters *c, const struct counters_row **rows)
{
	if (c->allocrows < c->nt) {
		struct counters_row *nr = realloc(c->rows, c->nt * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		c->rows = nr;
		c->allocrows = c->nt;
	}
	for (size_t i = 0; i < c->nt; i++) {
		struct cthread *t = &c->t[i];
		if (!t->gone)
			read_thread(c, t);
		struct counters_row *r = &c->rows[i];
		memset(r, 0, sizeof(*r));
		r->pid = t->pid;
		r->tid = t->tid;
		r->gone = t->gone;
		memcpy(r->comm, t->comm, sizeof(r->comm));
		memcpy(r->v, t->last, sizeof(r->v));
	}
	*rows = c->rows;
	return (long)c->nt;
}

static void put_value(FILE *f, const struct cdef *d, uint64_t v, int width)
{
	if (d->unit)
		fprintf(f, " %*.3f", width, (double)v / 1e6);
	else
		fprintf(f, " %*" PRIu64, width, v);
}

static int col_width(const struct cdef *d)
{
	int w = (int)strlen(d->name) + (d->unit ? 5 : 0);
	return w < 10 ? 10 : w;
}

int counters_write_text(struct counters *c, FILE *f, double seconds)
{
	const struct counters_row *rows;
	long n = counters_read(c, &rows);
	if (n < 0)
		return (int)n;
	fprintf(f, "counters (per thread, %.2f s):\n  %-8s %-16s", seconds, "TID", "NAME");
	for (unsigned j = 0; j < c->non; j++) {
		if (c->on[j]->unit)
			fprintf(f, " %*s(%s)", col_width(c->on[j]) - 4, c->on[j]->name, c->on[j]->unit);
		else
			fprintf(f, " %*s", col_width(c->on[j]), c->on[j]->name);
	}
	fputc('\n', f);
	for (size_t p = 0; p < c->npids; p++) {
		uint64_t tot[COUNTERS_MAX] = { 0 };
		for (long i = 0; i < n; i++) {
			if (rows[i].pid != c->pids[p])
				continue;
			fprintf(f, "  %-8d %-16s", rows[i].tid, rows[i].comm[0] ? rows[i].comm : "?");
			for (unsigned j = 0; j < c->non; j++) {
				put_value(f, c->on[j], rows[i].v[j], col_width(c->on[j]));
				tot[j] += rows[i].v[j];
			}
			fprintf(f, "%s\n", rows[i].gone ? "  (exited)" : "");
		}
		fprintf(f, "  %-8s %-16d", "process", c->pids[p]);
		for (unsigned j = 0; j < c->non; j++)
			put_value(f, c->on[j], tot[j], col_width(c->on[j]));
		fputc('\n', f);
	}
	if (c->notes[0])
		fprintf(f, "  %s\n", c->notes);
	return ferror(f) ? -EIO : 0;
}

int counters_write_interval(struct counters *c, FILE *f, double elapsed)
{
	counters_rescan(c);
	const struct counters_row *rows;
	long n = counters_read(c, &rows);
	if (n < 0)
		return (int)n;
	for (size_t p = 0; p < c->npids; p++) {
		uint64_t tot[COUNTERS_MAX] = { 0 };
		for (long i = 0; i < n; i++)
			if (rows[i].pid == c->pids[p])
				for (unsigned j = 0; j < c->non; j++)
					tot[j] += rows[i].v[j];
		size_t k;
		for (k = 0; k < c->nprev && c->prev[k].pid != c->pids[p]; k++)
			;
		if (k == c->nprev) {
			void *np = realloc(c->prev, (c->nprev + 1) * sizeof(*c->prev));
			if (!np)
				return -ENOMEM;
			c->prev = np;
			memset(&c->prev[k], 0, sizeof(c->prev[k]));
			c->prev[k].pid = c->pids[p];
			c->nprev++;
		}
		for (unsigned j = 0; j < c->non; j++) {
			uint64_t d = tot[j] >= c->prev[k].v[j] ? tot[j] - c->prev[k].v[j] : 0;
			fprintf(f, "%10.3f %8d %-24s", elapsed, c->pids[p], c->on[j]->name);
			put_value(f, c->on[j], d, 14);
			fputc('\n', f);
			c->prev[k].v[j] = tot[j];
		}
	}
	return ferror(f) ? -EIO : 0;
}

void counters_free(struct counters *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nt; i++)
		for (unsigned j = 0; j < c->non; j++)
			if (c->t[i].fd[j] >= 0)
				close(c->t[i].fd[j]);
	free(c->t);
	free(c->rows);
	free(c->prev);
	free(c->pids);
	free(c);
}
