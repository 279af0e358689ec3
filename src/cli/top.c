/*
 * scry top: a process selector, then a live view of one process (its
 * system calls by name, its threads and what each is blocked in, its latest
 * failing calls), refreshed every -d seconds.
 *
 * It is a client of libscry like the rest of the command: one
 * scry_session, one sink of our own (top_event) that counts the calls of
 * the current interval and since the attach, and the session's tick (every
 * 100 ms, from the loop's own thread) that reads the keyboard without
 * blocking and redraws.  Nothing here stops the trace loop for longer than
 * one screen update.
 *
 * The display filter (-e, or the `e` key) chooses what the table and the
 * error list show; the backend traces every call (so that the filter can
 * change without re-attaching, and the threads' last calls are known).
 *
 * `s` records from that moment on into a SQLite database (the sqlite
 * output, the same file `scry ... -o FILE.db` writes), until `s` again,
 * a detach or the end: calls that began before it are not in it.  We chose
 * "from now on" over a ring of recent calls: it is bounded on disk, not in
 * memory, and is exactly what scry report reads.
 *
 * Every way out (q, d, Ctrl+C, SIGTERM, SIGHUP, the terminal closing, the
 * process ending, an error) goes through scry_session_request_detach() and
 * the end of scry_session_run(), which detaches from every thread.
 */
#include <ctype.h>
#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scry/scry.h"
#include "top.h"
#include "scry/filter.h"
#include "scry/output.h"
#include "scry/stats.h"
#include "scry/syscalls.h"

#define TICK_NS 100000000ull           /* keyboard and screen: every 100 ms */
#define PF_KTHREAD_FLAG 0x00200000u    /* /proc/PID/stat flags: a kernel thread */
#define NERR 32                        /* failing calls kept for the errors pane */
#define NSLOT 4096                     /* threads followed (a power of two) */
#define BUSY_CPU 10.0                  /* % CPU above which ptrace's cost is worth a question */

static volatile sig_atomic_t g_sig;    /* SIGINT, SIGTERM or SIGHUP arrived */
static struct scry_session *volatile g_top_session;

static void top_on_signal(int sig)
{
	g_sig = sig;
	if (g_top_session)
		scry_session_request_detach(g_top_session, 0);
}

static uint64_t now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "950ns", "12.3us", "4.5ms", "2.31s", "75s": at most 7 characters */
static const char *fmt_ns(char *b, size_t n, uint64_t ns)
{
	if (ns < 1000)
		snprintf(b, n, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(b, n, "%.1fus", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(b, n, "%.1fms", (double)ns / 1e6);
	else if (ns < 100000000000ull)
		snprintf(b, n, "%.2fs", (double)ns / 1e9);
	else
		snprintf(b, n, "%.0fs", (double)ns / 1e9);
	return b;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

/* ---- /proc ---- */

struct pstat {
	char comm[64];
	char state;
	unsigned flags;
	unsigned long long ticks;   /* utime + stime */
	int threads;
};

/* /proc/.../stat (a process's or a task's); 0 or -1 */
static int read_stat(const char *path, struct pstat *ps)
{
	char buf[1024];
	if (read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	char *l = strchr(buf, '('), *r = strrchr(buf, ')');
	if (!l || !r || r < l)
		return -1;
	snprintf(ps->comm, sizeof(ps->comm), "%.*s", (int)(r - l - 1), l + 1);
	/* fields from 3 (state) on */
	char *f[20];
	int nf = 0;
	for (char *p = strtok(r + 1, " "); p && nf < 20; p = strtok(NULL, " "))
		f[nf++] = p;
	if (nf < 18)
		return -1;
	ps->state = f[0][0];
	ps->flags = (unsigned)strtoul(f[6], NULL, 10);
	ps->ticks = strtoull(f[11], NULL, 10) + strtoull(f[12], NULL, 10);
	ps->threads = atoi(f[17]);
	return 0;
}

/* A field of /proc/.../status as a number (-1: none). */
static long status_field(const char *status, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = status; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ':')
			return strtol(p + n + 1, NULL, 10);
	return -1;
}

static int ptrace_scope(void)
{
	char b[16];
	return read_file("/proc/sys/kernel/yama/ptrace_scope", b, sizeof(b)) > 0 ? atoi(b) : 0;
}

/* ---- the process selector ---- */

struct proc {
	pid_t pid;
	uid_t uid;
	char user[16];
	char cmd[256];
	char state;
	int threads;
	unsigned long long ticks;
	double cpu;
	char note[40];     /* why scry may not attach; "" when it may */
	int hard;          /* the note makes an attach impossible (kernel thread, scry) */
};

enum psort { PS_CPU, PS_PID, PS_USER, PS_THREADS, PS_CMD, PS__N };
static const char *const psort_names[] = { "cpu", "pid", "user", "threads", "command" };

struct selector {
	struct proc *v, *old;
	size_t n, nold, alloc, allocold;
	uint64_t at, oldat;
	enum psort sort;
	int reverse;
	char search[64];
	int searching;
	pid_t selected;
	int top;         /* first row shown */
	char msg[2048];
};

static int cmp_pid(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct proc *find_old(const struct selector *sel, pid_t pid)
{
	struct proc key = { .pid = pid };
	return sel->old ? bsearch(&key, sel->old, sel->nold, sizeof(key), cmp_pid) : NULL;
}

static void user_name(uid_t uid, char *out, size_t len)
{
	struct passwd *pw = getpwuid(uid);
	if (pw)
		snprintf(out, len, "%s", pw->pw_name);
	else
		snprintf(out, len, "%u", (unsigned)uid);
}

static void note_for(struct proc *p, pid_t tracer, unsigned flags, int scope)
{
	uid_t me = geteuid();
	p->note[0] = '\0';
	p->hard = 0;
	if (p->pid == getpid()) {
		snprintf(p->note, sizeof(p->note), "scry itself");
		p->hard = 1;
	} else if (flags & PF_KTHREAD_FLAG) {
		snprintf(p->note, sizeof(p->note), "kernel thread");
		p->hard = 1;
	} else if (tracer > 0) {
		/* TracerPid is the tracing thread (libscry traces from a
		 * thread of its own): name its process */
		char path[64], st[2048];
		snprintf(path, sizeof(path), "/proc/%d/status", (int)tracer);
		long tgid = read_file(path, st, sizeof(st)) > 0 ? status_field(st, "Tgid") : -1;
		snprintf(p->note, sizeof(p->note), "traced by %d", tgid > 0 ? (int)tgid : (int)tracer);
	} else if (me != 0 && p->uid != me) {
		snprintf(p->note, sizeof(p->note), "other user");
	} else if (me != 0 && scope >= 1) {
		snprintf(p->note, sizeof(p->note), scope >= 3 ? "ptrace_scope=3: none" :
			 scope == 2 ? "ptrace_scope=2: root" : "ptrace_scope=1");
	}
}

/* Reads every process; CPU % against the previous scan. */
static void scan_procs(struct selector *sel)
{
	/* the previous scan becomes "old" (sorted by pid) */
	struct proc *t = sel->old;
	size_t ta = sel->allocold;
	sel->old = sel->v;
	sel->nold = sel->n;
	sel->allocold = sel->alloc;
	sel->oldat = sel->at;
	if (sel->nold)
		qsort(sel->old, sel->nold, sizeof(*sel->old), cmp_pid);
	sel->v = t;
	sel->alloc = ta;
	sel->n = 0;
	sel->at = now_mono();
	double hz = (double)sysconf(_SC_CLK_TCK);
	double dt = sel->oldat ? (double)(sel->at - sel->oldat) / 1e9 : 0;
	int scope = ptrace_scope();
	DIR *d = opendir("/proc");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(de->d_name);
		char path[64], status[4096];
		struct pstat ps;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (read_stat(path, &ps) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
		if (read_file(path, status, sizeof(status)) < 0)
			continue;
		if (sel->n == sel->alloc) {
			size_t na = sel->alloc ? sel->alloc * 2 : 512;
			struct proc *nv = realloc(sel->v, na * sizeof(*nv));
			if (!nv)
				break;
			sel->v = nv;
			sel->alloc = na;
		}
		struct proc *p = &sel->v[sel->n++];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		p->uid = (uid_t)status_field(status, "Uid");
		user_name(p->uid, p->user, sizeof(p->user));
		p->state = ps.state;
		p->threads = ps.threads;
		p->ticks = ps.ticks;
		const struct proc *o = find_old(sel, pid);
		if (o && dt > 0 && ps.ticks >= o->ticks)
			p->cpu = (double)(ps.ticks - o->ticks) / hz / dt * 100.0;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		int n = read_file(path, p->cmd, sizeof(p->cmd));
		for (int i = 0; i < n - 1; i++)
			if (p->cmd[i] == '\0')
				p->cmd[i] = ' ';
		if (n <= 0)
			snprintf(p->cmd, sizeof(p->cmd), "[%s]", ps.comm);
		note_for(p, (pid_t)status_field(status, "TracerPid"), ps.flags, scope);
	}
	closedir(d);
}

static int g_psort, g_preverse;

static int cmp_proc(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;
	int c = 0;
	switch (g_psort) {
	case PS_CPU: c = (x->cpu < y->cpu) - (x->cpu > y->cpu); break;
	case PS_USER: c = strcmp(x->user, y->user); break;
	case PS_THREADS: c = (x->threads < y->threads) - (x->threads > y->threads); break;
	case PS_CMD: c = strcmp(x->cmd, y->cmd); break;
	default: break;
	}
	if (!c)
		c = (x->pid > y->pid) - (x->pid < y->pid);
	return g_preverse ? -c : c;
}

static int matches(const struct proc *p, const char *s)
{
	if (!s[0])
		return 1;
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)p->pid);
	return strstr(p->cmd, s) || strstr(p->user, s) || !strcmp(pid, s);
}

/* ---- screen helpers ---- */

static int g_color;
enum { C_HEAD = 1, C_WARN, C_HOT };

static void screen_start(void)
{
	const char *nc = getenv("NO_COLOR");
	g_color = (!nc || !nc[0]) && has_colors();
	if (g_color) {
		start_color();
		use_default_colors();
		init_pair(C_HEAD, COLOR_BLACK, COLOR_CYAN);
		init_pair(C_WARN, COLOR_RED, -1);
		init_pair(C_HOT, COLOR_YELLOW, -1);
	}
	cbreak();      /* (not raw: Ctrl+C stays a SIGINT) */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
}

static attr_t attr_of(int pair)
{
	if (!g_color)
		return pair == C_HEAD ? A_REVERSE : pair ? A_BOLD : A_NORMAL;
	return pair ? COLOR_PAIR(pair) : A_NORMAL;
}

/* One line at y, cut at the screen's width; pad: fill the rest of the line. */
static void line(int y, int pair, int pad, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void line(int y, int pair, int pad, const char *fmt, ...)
{
	if (y < 0 || y >= LINES)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p == 127)
			*p = '?';
	attr_t a = attr_of(pair);
	attron(a);
	mvaddnstr(y, 0, buf, COLS);
	if (pad) {
		int len = (int)strlen(buf);
		for (int x = len; x < COLS; x++)
			mvaddch(y, x, ' ');
	}
	attroff(a);
}

/* Whether the terminal went away (the tty hung up: tmux kill-session,
 * ssh dropped).  SIGHUP says so too, when it comes. */
static int terminal_gone(void)
{
	struct pollfd p = { 0, POLLIN, 0 };
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)))
		return 1;
	return 0;
}

/* ---- the attached view ---- */

struct slot {                 /* one thread, as the trace and /proc saw it */
	pid_t tid;
	long in_nr;           /* the trace saw it enter this call (ptrace); -1 */
	uint64_t in_since;    /* ... at this time (realtime ns) */
	uint64_t last_exit;   /* its latest call returned then (0: none seen) */
	int rec_ok;           /* its calls reach the recording from its next entry */
	/* /proc: the call it sat in at the last refresh, how long */
	long pk_nr;
	long long pk_sw;
	uint64_t pk_since;
	int pk_approx;        /* began before anything we saw: at least this long */
	unsigned long long ticks;
	uint64_t ticks_at;
};

struct tview {                /* one row of the threads pane */
	pid_t tid;
	char name[20];
	char state;
	double cpu;
	char call[24];
	uint64_t in_ns;
	int approx;
};

enum tsort { TK_TIME, TK_CALLS, TK_ERRORS, TK_P99, TK_MAX, TK_NAME, TK_TOTAL, TK__N };
static const char *const tsort_names[] = { "%time", "calls/s", "errors/s", "p99", "max", "name", "calls" };

enum mode { M_NORMAL, M_FILTER };

struct top {
	/* options */
	double delay;
	int follow;
	int backend;         /* -1 auto (bpf, else ptrace), or SCRY_BACKEND_* */
	const char *save_path;
	char **scry_argv;
	/* the target */
	pid_t pid;
	char cmd[256];
	struct scry_session *s;
	int bpf;
	char backend_note[200];
	uint64_t attached_at;         /* realtime */
	uint64_t session_at;          /* realtime: this session's attach (again after f) */
	/* what is shown */
	struct scry_filter filter;
	char filter_text[256];
	struct scry_stats cur, last, total;
	double last_seconds;
	uint64_t last_refresh;        /* monotonic */
	char errs[NERR][256];
	int nerr, errhead;
	uint64_t nerr_total;
	struct slot *slots;
	int nslots;
	struct tview *tv;
	int ntv, alloctv;
	enum tsort sort;
	int paused;
	int dirty;
	/* the recording (s) */
	int recording;
	struct scry_sink rec;
	char rec_path[512];
	uint64_t rec_calls;
	int rec_err;
	/* keys */
	enum mode mode;
	char edit[256];
	int quit;            /* q: leave scry top */
	int reattach;        /* f: attach again with -f toggled */
	char msg[2048];
	int stats_err;
};

static struct slot *slot_of(struct top *t, pid_t tid, int make)
{
	unsigned h = ((unsigned)tid * 2654435761u) & (NSLOT - 1);
	for (int i = 0; i < NSLOT; i++) {
		struct slot *sl = &t->slots[(h + (unsigned)i) & (NSLOT - 1)];
		if (sl->tid == tid)
			return sl;
		if (!sl->tid) {
			if (!make || t->nslots >= NSLOT * 3 / 4)
				return NULL;
			memset(sl, 0, sizeof(*sl));
			sl->tid = tid;
			sl->in_nr = -1;
			sl->pk_nr = -2;
			t->nslots++;
			return sl;
		}
	}
	return NULL;
}

static const char *call_name(long nr, char *buf)
{
	return scry_call_name(scry_syscall_name(scry_native_table(), nr), nr, buf);
}

static void add_error(struct top *t, const struct scry_event *ev)
{
	const struct scry_call *c = &ev->u.call;
	char *line = t->errs[t->errhead];
	time_t sec = (time_t)(c->t_exit_ns / 1000000000u);
	struct tm tm;
	localtime_r(&sec, &tm);
	/* "12:00:01 4242    openat(...) = -1 ENOENT (...)", cut to fit */
	int n = snprintf(line, sizeof(t->errs[0]), "%02d:%02d:%02d %-7d ", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)ev->tid);
	if (n >= 0 && (size_t)n < sizeof(t->errs[0]))
		scry_call_text(c, line + n, sizeof(t->errs[0]) - (size_t)n);
	t->errhead = (t->errhead + 1) % NERR;
	if (t->nerr < NERR)
		t->nerr++;
	t->nerr_total++;
}

static void record(struct top *t, const struct scry_event *ev, struct slot *sl)
{
	if (!t->recording || t->rec_err)
		return;
	if (ev->type == SCRY_EV_CALL_ENTER && sl)
		sl->rec_ok = 1;
	if ((ev->type == SCRY_EV_CALL_ENTER || ev->type == SCRY_EV_CALL_EXIT) && (!sl || !sl->rec_ok))
		return;     /* began before the recording */
	if (ev->type == SCRY_EV_CALL_EXIT)
		t->rec_calls++;
	int r = t->rec.event(t->rec.ctx, ev);
	if (r < 0) {
		t->rec_err = r;
		snprintf(t->msg, sizeof(t->msg), "recording stopped: cannot write %s: %s", t->rec_path,
			 strerror(-r));
	}
}

static int top_event(void *ctx, const struct scry_event *ev)
{
	struct top *t = ctx;
	struct slot *sl = NULL;
	if (ev->type == SCRY_EV_CALL_ENTER || ev->type == SCRY_EV_CALL_EXIT)
		sl = slot_of(t, ev->tid, 1);
	if (ev->type == SCRY_EV_CALL_ENTER && sl) {
		sl->in_nr = ev->u.call.nr;
		sl->in_since = ev->u.call.t_enter_ns;
	} else if (ev->type == SCRY_EV_CALL_EXIT) {
		const struct scry_call *c = &ev->u.call;
		if (sl) {
			sl->in_nr = -1;
			if (c->t_exit_ns)
				sl->last_exit = c->t_exit_ns;
		}
		if (c->t_exit_ns && scry_filter_traced(&t->filter, c->nr) &&
		    scry_filter_status_ok(&t->filter, c->is_error, 0)) {
			int nr = (int)c->nr;
			if ((scry_stats_add(&t->cur, 0, nr, c->duration_ns, c->is_error) < 0 ||
			     scry_stats_add(&t->total, 0, nr, c->duration_ns, c->is_error) < 0) && !t->stats_err) {
				t->stats_err = 1;
				snprintf(t->msg, sizeof(t->msg), "out of memory: some calls are not counted");
			}
			if (c->is_error)
				add_error(t, ev);
		}
	}
	record(t, ev, sl);
	return 0;
}

static int top_flush(void *ctx)
{
	struct top *t = ctx;
	if (t->recording && !t->rec_err && t->rec.flush) {
		int r = t->rec.flush(t->rec.ctx);
		if (r < 0)
			t->rec_err = r;
	}
	return 0;
}

/* s: start recording, or stop it */
static void toggle_recording(struct top *t)
{
	if (t->recording) {
		struct scry_sink_end end = { .lost_events = t->s ? scry_session_lost(t->s) : 0 };
		int r = scry_sink_finish(&t->rec, &end);
		scry_sink_free(&t->rec);
		t->recording = 0;
		if (r < 0 || t->rec_err)
			snprintf(t->msg, sizeof(t->msg), "cannot write %s: %s", t->rec_path,
				 strerror(-(r < 0 ? r : t->rec_err)));
		else
			snprintf(t->msg, sizeof(t->msg), "saved %llu calls to %s (read it with: scry report %s)",
				 (unsigned long long)t->rec_calls, t->rec_path, t->rec_path);
		return;
	}
	if (t->save_path) {
		snprintf(t->rec_path, sizeof(t->rec_path), "%s", t->save_path);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		snprintf(t->rec_path, sizeof(t->rec_path), "scry-top-%d-%04d%02d%02d-%02d%02d%02d.db", (int)t->pid,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (access(t->rec_path, F_OK) == 0) {
			snprintf(t->msg, sizeof(t->msg), "%s exists: not replaced (scry top -o FILE names the database)",
				 t->rec_path);
			return;
		}
	}
	struct scry_output_opts oo = SCRY_OUTPUT_OPTS_INIT;
	oo.path = t->rec_path;
	oo.pids = &t->pid;
	oo.npids = 1;
	oo.scry_argv = t->scry_argv;
	char err[256];
	if (scry_format_open(scry_format_find("sqlite"), &t->rec, &oo, err, sizeof(err)) < 0) {
		snprintf(t->msg, sizeof(t->msg), "cannot write %s: %s", t->rec_path, err);
		return;
	}
	for (int i = 0; i < NSLOT; i++)
		t->slots[i].rec_ok = 0;
	t->recording = 1;
	t->rec_err = 0;
	t->rec_calls = 0;
	snprintf(t->msg, sizeof(t->msg), "recording to %s from now on (s again stops)", t->rec_path);
}

static int set_filter(struct top *t, const char *text)
{
	struct scry_filter f;
	scry_filter_init(&f, scry_native_table());
	char copy[256], err[256];
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *save, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (scry_filter_parse(&f, w, err, sizeof(err)) < 0) {
			snprintf(t->msg, sizeof(t->msg), "filter not changed: %s", err);
			return -1;
		}
	t->filter = f;
	snprintf(t->filter_text, sizeof(t->filter_text), "%s", text[0] ? text : "all");
	/* what was counted under the old filter would mislead */
	scry_stats_reset(&t->cur);
	scry_stats_reset(&t->last);
	scry_stats_reset(&t->total);
	t->nerr = t->errhead = 0;
	return 0;
}

/* /proc/PID/task: the threads, their state, CPU and the call they sit in */
static void read_threads(struct top *t)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)t->pid);
	DIR *d = opendir(path);
	t->ntv = 0;
	if (!d)
		return;
	double hz = (double)sysconf(_SC_CLK_TCK);
	uint64_t mono = now_mono(), real = now_real();
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t tid = (pid_t)atoi(de->d_name);
		char p[96], buf[512];
		struct pstat ps;
		snprintf(p, sizeof(p), "/proc/%d/task/%d/stat", (int)t->pid, (int)tid);
		if (read_stat(p, &ps) < 0)
			continue;
		if (t->ntv == t->alloctv) {
			int na = t->alloctv ? t->alloctv * 2 : 64;
			struct tview *nv = realloc(t->tv, (size_t)na * sizeof(*nv));
			if (!nv)
				break;
			t->tv = nv;
			t->alloctv = na;
		}
		struct tview *v = &t->tv[t->ntv++];
		memset(v, 0, sizeof(*v));
		v->tid = tid;
		snprintf(v->name, sizeof(v->name), "%.19s", ps.comm);
		v->state = ps.state;
		struct slot *sl = slot_of(t, tid, 1);
		if (sl) {
			if (sl->ticks_at && mono > sl->ticks_at && ps.ticks >= sl->ticks)
				v->cpu = (double)(ps.ticks - sl->ticks) / hz / ((double)(mono - sl->ticks_at) / 1e9) * 100.0;
			sl->ticks = ps.ticks;
			sl->ticks_at = mono;
		}
		/* the call: "NR args... sp pc", "running", or "-1 sp pc" */
		snprintf(p, sizeof(p), "/proc/%d/task/%d/syscall", (int)t->pid, (int)tid);
		long nr = -2;
		if (read_file(p, buf, sizeof(buf)) > 0)
			nr = !strncmp(buf, "running", 7) ? -3 : strtol(buf, NULL, 10);
		snprintf(p, sizeof(p), "/proc/%d/task/%d/status", (int)t->pid, (int)tid);
		char st[4096];
		long long sw = -1;
		if (read_file(p, st, sizeof(st)) > 0)
			sw = (long long)status_field(st, "voluntary_ctxt_switches") +
			     status_field(st, "nonvoluntary_ctxt_switches");
		char nb[SCRY_CALL_NAME_MAX];
		if (sl && sl->in_nr >= 0) {
			/* the trace saw it enter (ptrace): exact */
			snprintf(v->call, sizeof(v->call), "%s", call_name(sl->in_nr, nb));
			v->in_ns = real > sl->in_since ? real - sl->in_since : 0;
			/* a call the attach interrupted and restarted began
			 * before it: at least this long */
			v->approx = sl->in_since < t->session_at + 100000000u;
		} else if (nr >= 0) {
			snprintf(v->call, sizeof(v->call), "%s", call_name(nr, nb));
			if (sl) {
				if (sl->pk_nr != nr || sl->pk_sw != sw) {
					/* a new call: it began after the thread's
					 * latest return that the trace saw */
					sl->pk_nr = nr;
					sl->pk_sw = sw;
					sl->pk_approx = !sl->last_exit;
					sl->pk_since = sl->last_exit ? sl->last_exit : t->attached_at;
				}
				v->in_ns = real > sl->pk_since ? real - sl->pk_since : 0;
				v->approx = sl->pk_approx;
			}
		} else {
			snprintf(v->call, sizeof(v->call), "%s", nr == -3 ? "(running)" : nr == -1 ? "(user)" : "-");
			if (sl)
				sl->pk_nr = -2;
		}
	}
	closedir(d);
}

static int g_tsort;
static const struct scry_stats *g_last;
static double g_last_seconds;

static double row_rate(const struct scry_stats_row *r, int errors)
{
	if (!r || g_last_seconds <= 0)
		return 0;
	return (double)(errors ? r->errors : r->calls) / g_last_seconds;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct scry_stats_row *x = *(const struct scry_stats_row *const *)a;
	const struct scry_stats_row *y = *(const struct scry_stats_row *const *)b;
	const struct scry_stats_row *lx = scry_stats_lookup(g_last, 0, x->nr);
	const struct scry_stats_row *ly = scry_stats_lookup(g_last, 0, y->nr);
	double vx = 0, vy = 0;
	switch (g_tsort) {
	case TK_TIME: vx = lx ? (double)lx->total_ns : -1; vy = ly ? (double)ly->total_ns : -1; break;
	case TK_CALLS: vx = row_rate(lx, 0); vy = row_rate(ly, 0); break;
	case TK_ERRORS: vx = row_rate(lx, 1); vy = row_rate(ly, 1); break;
	case TK_P99: vx = lx ? (double)scry_stats_row_percentile(lx, 99) : -1;
		vy = ly ? (double)scry_stats_row_percentile(ly, 99) : -1; break;
	case TK_MAX: vx = lx ? (double)lx->max_ns : -1; vy = ly ? (double)ly->max_ns : -1; break;
	case TK_TOTAL: vx = (double)x->calls; vy = (double)y->calls; break;
	case TK_NAME: {
		char a1[SCRY_CALL_NAME_MAX], b1[SCRY_CALL_NAME_MAX];
		return strcmp(call_name(x->nr, a1), call_name(y->nr, b1));
	}
	default: break;
	}
	if (vx != vy)
		return vx < vy ? 1 : -1;
	if (x->total_ns != y->total_ns)
		return x->total_ns < y->total_ns ? 1 : -1;
	return x->nr - y->nr;
}

static int cmp_tv(const void *a, const void *b)
{
	const struct tview *x = a, *y = b;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void draw_top(struct top *t)
{
	erase();
	char b1[16], b2[16], b3[16];
	uint64_t lost = scry_session_lost(t->s);
	double since = (double)(now_real() - t->attached_at) / 1e9;
	line(0, C_HEAD, 1, "scry top  pid %d  %.60s", (int)t->pid, t->cmd);
	/* (the states first: a long backend note is what the width cuts) */
	line(1, lost ? C_WARN : 0, 0, "%s%s%s%s%slost events: %llu  %s", t->paused ? "[PAUSED] " : "",
	     t->follow ? "[-f] " : "", t->recording ? "[REC " : "", t->recording ? t->rec_path : "",
	     t->recording ? "] " : "", (unsigned long long)lost, t->backend_note);
	line(2, 0, 0, "filter: %s   sort: %s   refresh: %gs   attached %.0fs ago", t->filter_text,
	     tsort_names[t->sort], t->delay, since);
	/* the space: syscalls, threads, errors, then 1 line of keys */
	int avail = LINES - 3 - 1;
	int nthr = t->ntv, nerr = t->nerr;
	int rows_sys = (int)scry_stats_nr_rows(&t->total);
	int want_thr = nthr + 1, want_err = (nerr ? nerr : 1) + 1;
	int h_thr = want_thr, h_err = want_err;
	if (h_thr > avail / 3)
		h_thr = avail / 3 > 2 ? avail / 3 : 2;
	if (h_err > avail / 4)
		h_err = avail / 4 > 2 ? avail / 4 : 2;
	int h_sys = avail - h_thr - h_err;
	int need_sys = rows_sys + 1 > 2 ? rows_sys + 1 : 2;
	if (h_sys > need_sys) {
		/* what the table does not need goes to the threads, then
		 * to the errors */
		int spare = h_sys - need_sys;
		int more_thr = want_thr - h_thr > 0 ? want_thr - h_thr : 0;
		if (more_thr > spare)
			more_thr = spare;
		h_thr += more_thr;
		h_sys = need_sys;
		h_err = avail - h_sys - h_thr;
	}
	int y = 3;
	/* syscalls */
	line(y++, C_HEAD, 1, "%-16s %8s %7s %7s %7s %7s %5s %8s %5s", "SYSCALL", "CALLS/S", "ERR/S", "P50", "P99",
	     "MAX", "%TIME", "CALLS", "%ALL");
	size_t n = scry_stats_nr_rows(&t->total);
	const struct scry_stats_row **rows = n ? calloc(n, sizeof(*rows)) : NULL;
	uint64_t sum_last = 0, sum_total = 0;
	for (size_t i = 0; rows && i < n; i++) {
		rows[i] = scry_stats_row_at(&t->total, i);
		sum_total += rows[i]->total_ns;
	}
	for (size_t i = 0; i < scry_stats_nr_rows(&t->last); i++)
		sum_last += scry_stats_row_at(&t->last, i)->total_ns;
	g_tsort = t->sort;
	g_last = &t->last;
	g_last_seconds = t->last_seconds;
	if (rows)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	for (size_t i = 0; rows && i < n && y < 3 + h_sys; i++) {
		const struct scry_stats_row *r = rows[i], *l = scry_stats_lookup(&t->last, 0, r->nr);
		char nb[SCRY_CALL_NAME_MAX];
		if (l && l->calls)
			line(y++, 0, 0, "%-16.16s %8.0f %7.0f %7s %7s %7s %5.1f %8llu %5.1f", call_name(r->nr, nb),
			     row_rate(l, 0), row_rate(l, 1), fmt_ns(b1, sizeof(b1), scry_stats_row_percentile(l, 50)),
			     fmt_ns(b2, sizeof(b2), scry_stats_row_percentile(l, 99)), fmt_ns(b3, sizeof(b3), l->max_ns),
			     sum_last ? 100.0 * (double)l->total_ns / (double)sum_last : 0.0,
			     (unsigned long long)r->calls,
			     sum_total ? 100.0 * (double)r->total_ns / (double)sum_total : 0.0);
		else
			line(y++, 0, 0, "%-16.16s %8s %7s %7s %7s %7s %5s %8llu %5.1f", call_name(r->nr, nb), "0", "0", "-",
			     "-", "-", "-", (unsigned long long)r->calls,
			     sum_total ? 100.0 * (double)r->total_ns / (double)sum_total : 0.0);
	}
	if (!n)
		line(y++, 0, 0, "(no calls yet%s)", t->filter_text[0] && strcmp(t->filter_text, "all") ?
		     " that the filter shows" : "");
	free(rows);
	y = 3 + h_sys;
	/* threads */
	line(y++, C_HEAD, 1, "%-7s %-16s %s %5s  %-16s %s", "TID", "NAME", "S", "CPU%", "IN CALL", "FOR");
	if (t->ntv)
		qsort(t->tv, (size_t)t->ntv, sizeof(*t->tv), cmp_tv);
	for (int i = 0; i < t->ntv && y < 3 + h_sys + h_thr; i++) {
		const struct tview *v = &t->tv[i];
		int shown = i == h_thr - 2 && t->ntv > h_thr - 1;
		if (shown) {
			line(y++, 0, 0, "... %d more threads", t->ntv - i);
			break;
		}
		char forb[24] = "";
		if (v->in_ns)
			snprintf(forb, sizeof(forb), "%s%s", v->approx ? ">=" : "", fmt_ns(b1, sizeof(b1), v->in_ns));
		line(y++, v->in_ns >= 1000000000ull ? C_HOT : 0, 0, "%-7d %-16.16s %c %5.1f  %-16.16s %s", (int)v->tid,
		     v->name, v->state, v->cpu, v->call, forb);
	}
	y = 3 + h_sys + h_thr;
	/* errors, the latest first */
	line(y++, C_HEAD, 1, "LATEST ERRORS (%llu since attach)", (unsigned long long)t->nerr_total);
	for (int i = 0; i < t->nerr && y < LINES - 1; i++) {
		int k = (t->errhead - 1 - i + NERR) % NERR;
		line(y++, C_WARN, 0, "%s", t->errs[k]);
	}
	if (!t->nerr && y < LINES - 1)
		line(y++, 0, 0, "(none)");
	/* keys, a prompt or a message */
	if (t->mode == M_FILTER) {
		line(LINES - 1, 0, 1, "filter (-e syntax, e.g. trace=read,write status=failed; Enter applies, Esc "
		     "cancels): %s_", t->edit);
	} else if (t->msg[0]) {
		line(LINES - 1, C_HEAD, 1, "%s", t->msg);
	} else {
		line(LINES - 1, C_HEAD, 1, "q quit  d detach  p pause  f follow children  s save  e filter  o sort");
	}
	refresh();
}

static void refresh_data(struct top *t)
{
	uint64_t now = now_mono();
	t->last_seconds = (double)(now - t->last_refresh) / 1e9;
	t->last_refresh = now;
	/* the interval just ended becomes "last"; a new one begins */
	struct scry_stats tmp = t->last;
	t->last = t->cur;
	t->cur = tmp;
	scry_stats_reset(&t->cur);
	read_threads(t);
}

static void handle_key(struct top *t, int ch)
{
	if (ch == KEY_RESIZE) {
		t->dirty = 1;
		return;
	}
	if (t->mode == M_FILTER) {
		size_t len = strlen(t->edit);
		if (ch == 27) {
			t->mode = M_NORMAL;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			t->mode = M_NORMAL;
			if (set_filter(t, t->edit) == 0)
				snprintf(t->msg, sizeof(t->msg), "filter: %s", t->filter_text);
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (len)
				t->edit[len - 1] = '\0';
		} else if (ch >= 32 && ch < 127 && len + 1 < sizeof(t->edit)) {
			t->edit[len] = (char)ch;
			t->edit[len + 1] = '\0';
		}
		t->dirty = 1;
		return;
	}
	t->msg[0] = '\0';
	switch (ch) {
	case 'q':
	case 'Q':
		t->quit = 1;
		scry_session_request_detach(t->s, 0);
		break;
	case 'd':
	case 'D':
		scry_session_request_detach(t->s, 0);
		break;
	case 'p':
	case 'P':
		t->paused = !t->paused;
		break;
	case 'f':
	case 'F':
		t->reattach = 1;
		scry_session_request_detach(t->s, 0);
		snprintf(t->msg, sizeof(t->msg), "attaching again %s following children", t->follow ? "without" : "and");
		break;
	case 's':
	case 'S':
		toggle_recording(t);
		break;
	case 'e':
	case 'E':
	case '/':
		t->mode = M_FILTER;
		snprintf(t->edit, sizeof(t->edit), "%s", strcmp(t->filter_text, "all") ? t->filter_text : "");
		break;
	case 'o':
	case 'O':
	case '\t':
		t->sort = (t->sort + 1) % TK__N;
		break;
	default:
		break;
	}
	t->dirty = 1;
}

/* The session's tick, every 100 ms in the loop's thread: keys, then the
 * screen when it is time (or a key changed it). */
static void top_tick(void *ctx)
{
	struct top *t = ctx;
	if (g_sig)
		return;
	if (terminal_gone()) {
		g_sig = SIGHUP;
		scry_session_request_detach(t->s, 0);
		return;
	}
	int ch;
	while ((ch = getch()) != ERR)
		handle_key(t, ch);
	uint64_t now = now_mono();
	if (now - t->last_refresh >= (uint64_t)(t->delay * 1e9)) {
		/* paused: the screen stays, the interval goes on counting */
		if (!t->paused) {
			refresh_data(t);
			t->dirty = 1;
		}
	}
	if (t->dirty) {
		draw_top(t);
		t->dirty = 0;
	}
}

/* Why, above the last line, and the question on it; 1 for y. */
static int confirm(const char *why, const char *q)
{
	timeout(100);
	for (;;) {
		line(LINES - 2, C_WARN, 1, "%s", why);
		line(LINES - 1, C_WARN, 1, "%s [y/N] ", q);
		refresh();
		if (g_sig || terminal_gone())
			return 0;
		int ch = getch();
		if (ch == ERR || ch == KEY_RESIZE)
			continue;
		return ch == 'y' || ch == 'Y';
	}
}

static double sample_cpu(pid_t pid)
{
	char path[64];
	struct pstat a, b;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_stat(path, &a) < 0)
		return 0;
	uint64_t t0 = now_mono();
	struct timespec ts = { 0, 300000000 };
	nanosleep(&ts, NULL);
	if (read_stat(path, &b) < 0)
		return 0;
	double dt = (double)(now_mono() - t0) / 1e9;
	return b.ticks >= a.ticks ? (double)(b.ticks - a.ticks) / (double)sysconf(_SC_CLK_TCK) / dt * 100.0 : 0;
}

/*
 * Attach to t->pid and show it until a detach, the end of the process, q or
 * a signal.  cpu: the process's CPU % (for ptrace's question), or < 0 to
 * measure it.  Returns 0, or -1 with why in msg.
 */
static int watch(struct top *t, double cpu, char *msg, size_t msglen)
{
	char why[512] = "";
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.follow_forks = t->follow;
	cfg.tick_ns = TICK_NS;
	cfg.tick = top_tick;
	cfg.tick_ctx = t;
	t->s = NULL;
	t->bpf = 0;
	if (t->backend != SCRY_BACKEND_PTRACE) {
		struct scry_config b = cfg;
		b.backend = SCRY_BACKEND_BPF;
		b.why = why;
		b.why_len = sizeof(why);
		if (scry_session_new(&t->s, &b) == 0) {
			t->bpf = 1;
			snprintf(t->backend_note, sizeof(t->backend_note), "backend: bpf (no stops)");
		} else {
			t->s = NULL;
			if (t->backend == SCRY_BACKEND_BPF) {
				snprintf(msg, msglen, "bpf backend unavailable: %s", why[0] ? why : "unknown reason");
				return -1;
			}
		}
	}
	if (!t->s) {
		if (scry_session_new(&t->s, &cfg) < 0) {
			snprintf(msg, msglen, "out of memory");
			t->s = NULL;
			return -1;
		}
		if (cpu < 0)
			cpu = sample_cpu(t->pid);
		if (cpu >= BUSY_CPU) {
			char w[300];
			snprintf(w, sizeof(w), "ptrace stops pid %d twice per system call; busy (%.0f%% CPU), it will run "
				 "much slower while watched%s", (int)t->pid, cpu, why[0] ? " (bpf is unavailable)" : "");
			if (!confirm(w, "Attach? (with ptrace)")) {
				scry_session_free(t->s);
				t->s = NULL;
				snprintf(msg, msglen, "not attached to %d", (int)t->pid);
				return -1;
			}
		}
		scry_session_calibrate(t->s);
		uint64_t same, other;
		scry_session_stop_overheads(t->s, &same, &other);
		snprintf(t->backend_note, sizeof(t->backend_note), "backend: ptrace (2 stops per call, %.0f-%.0fus)%s%.80s",
			 (double)same / 1e3, (double)other / 1e3, why[0] ? "  bpf unavailable: " : "", why);
	}
	struct scry_sink sink = { top_event, top_flush, t, NULL, NULL };
	scry_session_add_sink(t->s, &sink);
	struct scry_attach_error ae;
	memset(&ae, 0, sizeof(ae));
	g_top_session = t->s;
	if (g_sig) {
		g_top_session = NULL;
		scry_session_free(t->s);
		t->s = NULL;
		return 0;
	}
	if (scry_session_attach(t->s, t->pid, &ae) < 0) {
		g_top_session = NULL;
		snprintf(msg, msglen, "cannot attach to %d: %s%s%s%s", (int)t->pid, strerror(ae.err),
			 ae.reason[0] ? " (" : "", ae.reason, ae.reason[0] ? ")" : "");
		scry_session_free(t->s);
		t->s = NULL;
		return -1;
	}
	t->session_at = now_real();
	if (!t->attached_at)
		t->attached_at = t->session_at;
	t->last_refresh = now_mono();
	t->dirty = 1;
	nodelay(stdscr, TRUE);
	draw_top(t);
	int r = scry_session_run(t->s);
	g_top_session = NULL;
	if (t->recording && (!t->reattach || g_sig || t->quit))
		toggle_recording(t);
	int ended = !scry_session_detached(t->s);
	scry_session_free(t->s);
	t->s = NULL;
	if (r < 0)
		snprintf(msg, msglen, "the trace of %d stopped: %s; detached", (int)t->pid, strerror(-r));
	else if (ended)
		snprintf(msg, msglen, "process %d ended%s%.1000s", (int)t->pid, t->msg[0] ? "; " : "", t->msg);
	else
		snprintf(msg, msglen, "detached from %d: it goes on%s%.1000s", (int)t->pid, t->msg[0] ? "; " : "", t->msg);
	return 0;
}

static void top_reset(struct top *t)
{
	scry_stats_reset(&t->cur);
	scry_stats_reset(&t->last);
	scry_stats_reset(&t->total);
	memset(t->slots, 0, NSLOT * sizeof(*t->slots));
	t->nslots = 0;
	t->nerr = t->errhead = 0;
	t->nerr_total = 0;
	t->ntv = 0;
	t->attached_at = 0;
	t->paused = 0;
	t->mode = M_NORMAL;
	t->msg[0] = '\0';
	t->quit = 0;
}

/* Attach to pid (whose command line is cmd) and watch it, again after `f`. */
static int watch_pid(struct top *t, pid_t pid, const char *cmd, double cpu, char *msg, size_t msglen)
{
	top_reset(t);
	t->pid = pid;
	snprintf(t->cmd, sizeof(t->cmd), "%s", cmd);
	for (;;) {
		t->reattach = 0;
		int r = watch(t, cpu, msg, msglen);
		if (r < 0 || !t->reattach || g_sig || t->quit) {
			if (t->recording)
				toggle_recording(t);
			return r;
		}
		t->follow = !t->follow;
		cpu = 0;    /* (asked already) */
	}
}

static void draw_selector(struct selector *sel, const struct proc *const *vis, int nvis, int cur)
{
	erase();
	line(0, C_HEAD, 1, "scry top: choose a process  (Enter attach, / search, o sort: %s%s, q quit)",
	     psort_names[sel->sort], sel->reverse ? " reversed" : "");
	line(1, C_HEAD, 1, "%7s %-9s %4s %5s %s %-18s %s", "PID", "USER", "THR", "CPU%", "S", "NOTE", "COMMAND");
	int h = LINES - 3;
	if (cur < sel->top)
		sel->top = cur;
	if (cur >= sel->top + h)
		sel->top = cur - h + 1;
	if (sel->top > nvis - h)
		sel->top = nvis - h > 0 ? nvis - h : 0;
	for (int i = sel->top, y = 2; i < nvis && y < LINES - 1; i++, y++) {
		const struct proc *p = vis[i];
		int pair = p->note[0] ? C_WARN : 0;
		if (i == cur) {
			attron(A_REVERSE);
			line(y, pair, 1, "%7d %-9.9s %4d %5.1f %c %-18.18s %s", (int)p->pid, p->user, p->threads, p->cpu,
			     p->state, p->note, p->cmd);
			attroff(A_REVERSE);
		} else {
			line(y, pair, 0, "%7d %-9.9s %4d %5.1f %c %-18.18s %s", (int)p->pid, p->user, p->threads, p->cpu,
			     p->state, p->note, p->cmd);
		}
	}
	if (sel->searching)
		line(LINES - 1, 0, 1, "/%s_   (%d match%s; Enter keeps, Esc clears)", sel->search, nvis,
		     nvis == 1 ? "" : "es");
	else if (sel->msg[0])
		line(LINES - 1, C_HEAD, 1, "%s", sel->msg);
	else
		line(LINES - 1, C_HEAD, 1, "%d process%s%s%s%s  (arrows move, Enter attaches, o/r sort, / search, q quit)",
		     nvis, nvis == 1 ? "" : "es", sel->search[0] ? " matching \"" : "", sel->search, sel->search[0] ? "\"" : "");
	refresh();
}

/* The selector; returns when q or a signal ends scry top. */
static void select_loop(struct top *t, struct selector *sel)
{
	uint64_t next = 0;
	const struct proc **vis = NULL;
	int nvis = 0, cur = 0, dirty = 1;
	timeout(100);
	while (!g_sig) {
		if (terminal_gone()) {
			g_sig = SIGHUP;
			break;
		}
		uint64_t now = now_mono();
		if (now >= next) {
			scan_procs(sel);
			next = now + (uint64_t)(t->delay * 1e9);
			if (!sel->oldat)
				next = now + 300000000u;   /* a second scan soon, for CPU % */
			dirty = 1;
		}
		if (dirty) {
			g_psort = sel->sort;
			g_preverse = sel->reverse;
			if (sel->n)
				qsort(sel->v, sel->n, sizeof(*sel->v), cmp_proc);
			free(vis);
			vis = sel->n ? calloc(sel->n, sizeof(*vis)) : NULL;
			nvis = 0;
			for (size_t i = 0; vis && i < sel->n; i++)
				if (matches(&sel->v[i], sel->search))
					vis[nvis++] = &sel->v[i];
			cur = 0;
			for (int i = 0; i < nvis; i++)
				if (vis[i]->pid == sel->selected)
					cur = i;
			if (nvis)
				sel->selected = vis[cur]->pid;
			draw_selector(sel, vis, nvis, cur);
			dirty = 0;
		}
		int ch = getch();
		if (ch == ERR)
			continue;
		dirty = 1;
		if (ch == KEY_RESIZE)
			continue;
		if (sel->searching) {
			size_t len = strlen(sel->search);
			if (ch == 27) {
				sel->searching = 0;
				sel->search[0] = '\0';
			} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
				sel->searching = 0;
			} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
				if (len)
					sel->search[len - 1] = '\0';
			} else if (ch == KEY_UP || ch == KEY_DOWN) {
				sel->searching = 0;
				ungetch(ch);
			} else if (ch >= 32 && ch < 127 && len + 1 < sizeof(sel->search)) {
				sel->search[len] = (char)ch;
				sel->search[len + 1] = '\0';
			}
			continue;
		}
		sel->msg[0] = '\0';
		switch (ch) {
		case 'q':
		case 'Q':
			free(vis);
			return;
		case '/':
			sel->searching = 1;
			sel->search[0] = '\0';
			break;
		case 27:
			sel->search[0] = '\0';
			break;
		case 'o':
		case 'O':
		case '\t':
			sel->sort = (sel->sort + 1) % PS__N;
			break;
		case 'r':
		case 'R':
			sel->reverse = !sel->reverse;
			break;
		case KEY_UP:
		case 'k':
			if (cur > 0)
				sel->selected = vis[cur - 1]->pid;
			break;
		case KEY_DOWN:
		case 'j':
			if (cur + 1 < nvis)
				sel->selected = vis[cur + 1]->pid;
			break;
		case KEY_PPAGE:
			if (nvis)
				sel->selected = vis[cur - (LINES - 3) > 0 ? cur - (LINES - 3) : 0]->pid;
			break;
		case KEY_NPAGE:
			if (nvis)
				sel->selected = vis[cur + (LINES - 3) < nvis ? cur + (LINES - 3) : nvis - 1]->pid;
			break;
		case '\n':
		case '\r':
		case KEY_ENTER: {
			if (!nvis)
				break;
			const struct proc *p = vis[cur];
			if (p->hard) {
				snprintf(sel->msg, sizeof(sel->msg), "cannot attach to %d: %s", (int)p->pid, p->note);
				break;
			}
			char cmd[256];
			snprintf(cmd, sizeof(cmd), "%s", p->cmd);
			watch_pid(t, p->pid, cmd, p->cpu, sel->msg, sizeof(sel->msg));
			if (t->quit || g_sig) {
				free(vis);
				return;
			}
			timeout(100);
			next = 0;
			break;
		}
		default:
			break;
		}
	}
	free(vis);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: scry top [-p PID] [-d SECONDS] [-e EXPR] [-f] [-o FILE.db] [--backend auto|bpf|ptrace]\n"
		"  A live view of a process's system calls and threads; without -p, a process selector.\n"
		"  Keys: q quit, d detach, p pause, f follow children, s save to FILE.db, e filter, o sort.\n");
}

int top_main(int argc, char **argv)
{
	static struct top t;
	static struct selector sel;
	t.delay = 1.0;
	t.backend = -1;
	t.scry_argv = argv;
	pid_t pid = 0;
	const char *expr[16];
	int nexpr = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		int takes = !strcmp(a, "-p") || !strcmp(a, "-d") || !strcmp(a, "-e") || !strcmp(a, "-o") ||
			    !strcmp(a, "--backend");
		if (takes) {
			if (i + 1 >= argc) {
				fprintf(stderr, "scry top: %s needs a value\n", a);
				usage(stderr);
				return 2;
			}
			val = argv[++i];
		} else if (!strncmp(a, "--backend=", 10)) {
			val = a + 10;
			a = "--backend";
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-f")) {
			t.follow = 1;
		} else if (!strcmp(a, "-p")) {
			char *end;
			long v = strtol(val, &end, 10);
			if (*end || end == val || v <= 0 || v > INT_MAX) {
				fprintf(stderr, "scry top: -p %s: not a process id (a positive number)\n", val);
				return 2;
			}
			pid = (pid_t)v;
		} else if (!strcmp(a, "-d")) {
			char *end;
			double v = strtod(val, &end);
			if (*end || end == val || !(v >= 0.1 && v <= 3600)) {
				fprintf(stderr, "scry top: -d %s: give the refresh in seconds, from 0.1 to 3600\n", val);
				return 2;
			}
			t.delay = v;
		} else if (!strcmp(a, "-e")) {
			if (nexpr == 16) {
				fprintf(stderr, "scry top: at most 16 -e\n");
				return 2;
			}
			expr[nexpr++] = val;
		} else if (!strcmp(a, "-o")) {
			t.save_path = val;
		} else if (!strcmp(a, "--backend")) {
			if (!strcmp(val, "auto"))
				t.backend = -1;
			else if (!strcmp(val, "bpf"))
				t.backend = SCRY_BACKEND_BPF;
			else if (!strcmp(val, "ptrace"))
				t.backend = SCRY_BACKEND_PTRACE;
			else {
				fprintf(stderr, "scry top: --backend %s: give auto, bpf or ptrace\n", val);
				return 2;
			}
		} else {
			fprintf(stderr, "scry top: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	/* -e: as the `e` key takes it */
	char ftext[256] = "";
	for (int i = 0; i < nexpr; i++) {
		size_t len = strlen(ftext);
		snprintf(ftext + len, sizeof(ftext) - len, "%s%s", len ? " " : "", expr[i]);
	}
	scry_filter_init(&t.filter, scry_native_table());
	snprintf(t.filter_text, sizeof(t.filter_text), "all");
	if (ftext[0]) {
		for (int i = 0; i < nexpr; i++) {
			char err[256];
			if (strchr(expr[i], ' ') || scry_filter_parse(&t.filter, expr[i], err, sizeof(err)) < 0) {
				fprintf(stderr, "scry top: -e %s: %s\n", expr[i], strchr(expr[i], ' ') ?
					"no spaces in an expression (give several -e)" : err);
				return 2;
			}
		}
		snprintf(t.filter_text, sizeof(t.filter_text), "%s", ftext);
	}
	char cmd[256] = "";
	if (pid) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
		int n = read_file(path, cmd, sizeof(cmd));
		if (n < 0 || (kill(pid, 0) < 0 && errno == ESRCH)) {
			fprintf(stderr, "scry top: -p %d: no such process\n", (int)pid);
			return 1;
		}
		for (int i = 0; i < n - 1; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		if (pid == getpid()) {
			fprintf(stderr, "scry top: -p %d: that is scry itself\n", (int)pid);
			return 2;
		}
	}
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "scry top: needs a terminal on standard input and output (for a trace to a file or a "
			"pipe: scry -c --interval SECONDS -p PID)\n");
		return 2;
	}
	t.slots = calloc(NSLOT, sizeof(*t.slots));
	if (!t.slots) {
		fprintf(stderr, "scry top: out of memory\n");
		return 1;
	}
	scry_stats_init(&t.cur, 0);
	scry_stats_init(&t.last, 0);
	scry_stats_init(&t.total, 0);
	/* ours before curses starts: it then leaves them alone */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = top_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "scry top: cannot use the terminal (TERM=%s): set TERM to a terminal type that terminfo "
			"knows\n", getenv("TERM") ? getenv("TERM") : "");
		free(t.slots);
		return 1;
	}
	set_term(scr);
	screen_start();
	char msg[2048] = "";
	if (pid) {
		watch_pid(&t, pid, cmd, -1, msg, sizeof(msg));
		if (!t.quit && !g_sig) {
			/* d, or the process ended: choose another */
			snprintf(sel.msg, sizeof(sel.msg), "%s", msg);
			msg[0] = '\0';
			select_loop(&t, &sel);
		}
	} else {
		select_loop(&t, &sel);
	}
	endwin();
	delscreen(scr);
	int sig = g_sig;
	if (msg[0] && !t.quit && !sig)
		fprintf(stderr, "scry top: %s\n", msg);
	if (sel.msg[0] && !sig)
		fprintf(stderr, "scry top: %s\n", sel.msg);
	else if (t.pid && sig)
		fprintf(stderr, "scry top: %s: detached from %d\n", strsignal(sig), (int)t.pid);
	free(sel.v);
	free(sel.old);
	free(t.tv);
	free(t.slots);
	scry_stats_release(&t.cur);
	scry_stats_release(&t.last);
	scry_stats_release(&t.total);
	return sig ? 128 + sig : 0;
}
