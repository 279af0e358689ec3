/*
 * The bpf backend, trace mode (see bpf_trace.h): the user-space half of
 * systrace.bpf.c.  Open the skeleton, size the ring buffer, set the rodata,
 * load, fill the capture plans from the syscall table, attach; then read
 * the ring buffer into callbacks.
 *
 * Built with -DSCRY_NO_BPF, or without the generated systrace.skel.h on the
 * include path, the same functions are stubs that return -ENOTSUP.
 */
#include "bpf/bpf_trace.h"
#include "bpf/bpf_common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bpf/systrace.h"

#if !defined(SCRY_NO_BPF) && defined(__has_include)
#if __has_include("systrace.skel.h")
#define SCRY_HAVE_SYSTRACE 1
#endif
#endif

_Static_assert(SCRY_BPF_STACK_MAX == SCRY_TRACE_STACK_MAX &&
	       sizeof(((struct scry_bpf_call_event *)0)->regs) == 8 * SCRY_TRACE_NUREGS,
	       "bpf_trace.h's stack limits are systrace.h's");

ssize_t scry_bpf_call_read(const struct scry_bpf_call_event *e, uint64_t addr, void *buf, size_t len)
{
	if (!len)
		return 0;
	for (int i = 0; i < SCRY_BPF_NREG + e->nvec; i++) {
		const struct scry_bpf_region *r = i < SCRY_BPF_NREG ? &e->reg[i] : &e->vec[i - SCRY_BPF_NREG];
		uint64_t in;
		size_t n;

		if (!r->len || addr < r->addr || addr - r->addr >= r->len)
			continue;
		in = addr - r->addr;
		n = r->len - (size_t)in;
		if (n > len)
			n = len;
		memcpy(buf, (const char *)r->bytes + in, n);
		return (ssize_t)n;
	}
	return -EFAULT;
}

ssize_t scry_bpf_call_read_entry(const struct scry_bpf_call_event *e, uint64_t addr, void *buf,
				 size_t len)
{
	ssize_t n = scry_bpf_call_read(e, addr, buf, len);
	const struct scry_bpf_region *r = &e->stack;
	uint64_t in;

	/* (with stack_fp the bytes are a callchain, not the stack) */
	if (n != -EFAULT || !e->has_stack || e->stack_fp || !r->len || addr < r->addr ||
	    addr - r->addr >= r->len)
		return n;
	in = addr - r->addr;
	n = (ssize_t)(r->len - in);
	if (e->stack_holes) {
		/* pages from sp's: a hole is not served; a read stops at
		 * the end of its page (the next may be one) */
		uint64_t page = (addr >> 12) - (r->addr >> 12);
		uint64_t to_end = 4096 - (addr & 4095);

		if (page < 32 && (e->stack_holes >> page) & 1)
			return -EFAULT;
		if ((uint64_t)n > to_end)
			n = (ssize_t)to_end;
	}
	if ((size_t)n > len)
		n = (ssize_t)len;
	memcpy(buf, (const char *)r->bytes + in, (size_t)n);
	return n;
}

#ifndef SCRY_HAVE_SYSTRACE

#ifdef SCRY_NO_BPF
#define NO_TRACE_REASON "scry was built without bpf support (clang, bpftool or kernel BTF were missing at build time)"
#else
#define NO_TRACE_REASON "scry was built without the bpf trace program (systrace.skel.h was not on the include path)"
#endif

int scry_bpf_trace_open(struct scry_bpf_trace **out, const struct scry_bpf_trace_opts *opts,
			char *why, size_t len)
{
	*out = NULL;
	bpf_set_why(why, len, "%s", NO_TRACE_REASON);
	return -ENOTSUP;
}

void scry_bpf_trace_close(struct scry_bpf_trace *t) { }
const char *scry_bpf_trace_describe(const struct scry_bpf_trace *t, char *buf, size_t len) { return ""; }
int scry_bpf_trace_add_pid(struct scry_bpf_trace *t, pid_t pid) { return -ENOTSUP; }
int scry_bpf_trace_launch(struct scry_bpf_trace *t, char *const argv[], pid_t *pid) { return -ENOTSUP; }
int scry_bpf_trace_poll(struct scry_bpf_trace *t, int timeout_ms, scry_bpf_call_cb on_call,
			scry_bpf_proc_cb on_proc, void *ctx) { return -ENOTSUP; }
int scry_bpf_trace_running(struct scry_bpf_trace *t) { return 0; }
int scry_bpf_trace_wait(struct scry_bpf_trace *t, int timeout_ms, scry_bpf_call_cb on_call,
			scry_bpf_proc_cb on_proc, void *ctx) { return -ENOTSUP; }
int scry_bpf_trace_launched_status(const struct scry_bpf_trace *t) { return -1; }
uint64_t scry_bpf_trace_lost(const struct scry_bpf_trace *t) { return 0; }
uint64_t scry_bpf_trace_stacks_lost(const struct scry_bpf_trace *t) { return 0; }
void scry_bpf_trace_maps_sent(const struct scry_bpf_trace *t, uint64_t *records, uint64_t *entries,
			      uint64_t *bytes)
{
	*records = *entries = *bytes = 0;
}
int scry_bpf_trace_sites(struct scry_bpf_trace *t, int (*cb)(void *ctx, const struct scry_bpf_site *site),
			 void *ctx) { return -ENOTSUP; }
int scry_bpf_trace_site_set(struct scry_bpf_trace *t, pid_t tgid, long nr,
			    const struct scry_bpf_site_key *key, int count) { return -ENOTSUP; }
uint64_t scry_bpf_trace_site_hist_lost(const struct scry_bpf_trace *t) { return 0; }
void scry_bpf_trace_lost_split(const struct scry_bpf_trace *t, uint64_t *calls, uint64_t *procs)
{
	if (calls)
		*calls = 0;
	if (procs)
		*procs = 0;
}

#else /* SCRY_HAVE_SYSTRACE */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "decode/decode.h"
#include "stats/hist.h"
#include "syscalls/syscalls.h"
#include "systrace.skel.h"	/* generated into $(B)/bpf by bpftool */

#define RING_TAG UINT64_MAX	/* epoll data of the ring buffer's fd */


struct scry_bpf_trace {
	struct systrace *skel;
	struct bpf_hooks hooks;
	struct ring_buffer *rb;
	int lost_fd, ep;
	int ncpus;
	int64_t mono_to_real;	/* CLOCK_REALTIME - CLOCK_MONOTONIC at open */

	struct bpf_targets tg;	/* the processes added or launched */

	/* the poll in progress */
	scry_bpf_call_cb on_call;
	scry_bpf_proc_cb on_proc;
	void *ctx;
	int delivered;

	/* with stacks: each process's code mappings as the MAPS records
	 * built them up (deliver_maps), and what those records carried */
	struct maps_view *views;
	uint64_t maps_records, maps_entries, maps_bytes;
};


static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t ring_size(size_t want)
{
	size_t n = 4096;

	if (!want)
		want = 8u << 20;
	while (n < want && n < ((size_t)1 << 30))
		n <<= 1;
	return n;
}

/* ---- capture plans from the syscall table and the decoders' rows ---- */

_Static_assert(CAP_ENTRY == SCRY_TRACE_AT_ENTRY && CAP_EXIT == SCRY_TRACE_AT_EXIT &&
	       CAP_AT_SP == SCRY_TRACE_AT_SP && CAP_COUNT_RET == SCRY_TRACE_COUNT_RET,
	       "decode.h's capture constants are systrace.h's");

/* What the row (decode/decode.h: struct bpf_capture) says to capture. */
static void plan_row(struct scry_trace_plan *p, const struct bpf_capture *c)
{
	p->buf = c->buf;
	p->buf_count = c->buf_count;
	p->buf_when = c->buf_when;
	p->addr = c->addr;
	p->addrlen = c->addrlen;
	p->addr_when = c->addr_when;
	p->in = c->in;
	p->in_size = c->in_size;
	p->in_off = c->in_off;
	p->out = c->out;
	p->out_size = c->out_size;
	p->out_count = c->out_count;
	p->argv = c->argv;
	p->envp = c->envp;
}

static void plan_rows(const struct scry_syscall_table *tb, struct scry_trace_plan *plans)
{
	for (size_t f = 0; f < decode_nfamilies; f++) {
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++) {
			long nr = scry_syscall_lookup(tb, e->name);

			if (nr >= 0 && nr < SCRY_TRACE_MAX_NR)
				plan_row(&plans[nr], &e->cap);
		}
	}
}

static int fill_plans(struct scry_bpf_trace *t, const struct scry_bpf_trace_opts *opts)
{
	const struct scry_syscall_table *tb = opts->table ? opts->table : scry_native_table();
	int fd = bpf_map__fd(t->skel->maps.plans);
	struct scry_trace_plan *plans = calloc(SCRY_TRACE_MAX_NR, sizeof(*plans));
	int err = 0;

	if (!plans)
		return -ENOMEM;
	for (unsigned nr = 0; nr < SCRY_TRACE_MAX_NR; nr++) {
		const struct scry_syscall_info *info = tb ? scry_syscall_get(tb, nr) : NULL;
		int ns = 0;

		if (opts->nrs)
			plans[nr].on = nr / 64 < opts->nr_words && ((opts->nrs[nr / 64] >> (nr % 64)) & 1);
		else
			plans[nr].on = 1;
		if (!info)
			continue;
		for (int i = 0; i < info->nargs && i < 6 && ns < 2; i++)
			if (info->argtypes[i] == SCRY_ARG_PATH || info->argtypes[i] == SCRY_ARG_STR)
				plans[nr].str[ns++] = (uint8_t)(i + 1);
	}
	if (tb)
		plan_rows(tb, plans);
	for (uint32_t nr = 0; nr < SCRY_TRACE_MAX_NR; nr++) {
		static const struct scry_trace_plan zero;

		if (!memcmp(&plans[nr], &zero, sizeof(zero)))
			continue;	/* the array starts zeroed */
		if (bpf_map_update_elem(fd, &nr, &plans[nr], BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	free(plans);
	return err;
}

/* ---- open / close ---- */

/*
 * A MAPS record as /proc/PID/maps text: one line per mapping, the path
 * joined from its components (sent innermost first).  A mapping whose path
 * did not come whole gets none (the unwinder then knows no module there).
 */
/* A process event's common part: who, and when on both clocks. */
static void proc_event_init(const struct scry_bpf_trace *t, struct scry_bpf_proc_event *e, uint32_t tgid,
			    uint32_t tid, uint64_t ts)
{
	memset(e, 0, sizeof(*e));
	e->tgid = (pid_t)tgid;
	e->tid = (pid_t)tid;
	e->ts_mono = ts;
	e->ts_ns = ts + (uint64_t)t->mono_to_real;
}

/* One mapping of a process as user space holds it. */
struct maps_ent {
	struct scry_trace_vma v;	/* (path_off, path_len unused) */
	char *path;			/* joined; NULL: none known */
};

struct maps_view {
	struct maps_view *next;
	pid_t tgid;
	uint32_t seq;		/* the kernel's number of the list held */
	int valid;		/* a whole record came, and every one since */
	size_t n, cap;
	struct maps_ent *e;
};

static struct maps_view *view_get(struct scry_bpf_trace *t, pid_t tgid, int create)
{
	struct maps_view *w;

	for (w = t->views; w; w = w->next)
		if (w->tgid == tgid)
			return w;
	if (!create || !(w = calloc(1, sizeof(*w))))
		return NULL;
	w->tgid = tgid;
	w->next = t->views;
	t->views = w;
	return w;
}

static void view_clear(struct maps_view *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->e[i].path);
	w->n = 0;
}

/* Process tgid is gone: its mappings go. */
static void view_drop(struct scry_bpf_trace *t, pid_t tgid)
{
	for (struct maps_view **wp = &t->views; *wp; wp = &(*wp)->next)
		if ((*wp)->tgid == tgid) {
			struct maps_view *w = *wp;
			*wp = w->next;
			view_clear(w);
			free(w->e);
			free(w);
			return;
		}
}

/* A path sent as its components (innermost first) joined, or NULL. */
static char *join_path(const char *c, const char *end)
{
	const char *comp[SCRY_TRACE_PATH_DEPTH + 8];
	size_t len = 1;
	int nc = 0;

	while (c < end && nc < (int)(sizeof(comp) / sizeof(comp[0]))) {
		const char *z = memchr(c, '\0', (size_t)(end - c));
		if (!z)
			break;
		comp[nc++] = c;
		len += (size_t)(z - c) + 1;
		c = z + 1;
	}
	char *p = malloc(len), *q = p;
	if (!p)
		return NULL;
	*q = '\0';
	for (int j = nc - 1; j >= 0; j--)
		q += sprintf(q, "/%s", comp[j]);
	return p;
}

/* The path of a mapping sent without one: that of another mapping of its
 * file that w holds (NULL: none, or no memory). */
static char *view_path_of(const struct maps_view *w, const struct scry_trace_vma *v)
{
	if (v->flags & (SCRY_TRACE_VMA_VDSO | SCRY_TRACE_VMA_NOPATH))
		return NULL;
	for (size_t i = 0; i < w->n; i++)
		if (w->e[i].path && w->e[i].v.dev == v->dev && w->e[i].v.ino == v->ino)
			return strdup(w->e[i].path);
	return NULL;
}

/*
 * A MAPS record into the process's view (a whole record replaces it, a
 * difference replaces the part between the entries it keeps), then the
 * view as /proc/PID/maps text: one line per mapping in address order.  A mapping whose path did not come
 * whole gets none (the unwinder then knows no module there).
 */
static int deliver_maps(struct scry_bpf_trace *t, const void *data, size_t size)
{
	const struct scry_trace_maps *k = data;
	size_t head = offsetof(struct scry_trace_maps, v);
	struct scry_bpf_proc_event e;

	/* the header, k->n entries, the strings (never trust a length) */
	if (size < head)
		return 0;
	uint32_t nv;
	memcpy(&nv, (const char *)data + offsetof(struct scry_trace_maps, n), sizeof(nv));
	if (nv > SCRY_TRACE_VMA_MAX || (size - head) / sizeof(struct scry_trace_vma) < nv)
		return 0;
	size_t tlen = head + nv * sizeof(struct scry_trace_vma);
	const char *str = (const char *)data + tlen;
	uint32_t slen, delta;
	memcpy(&slen, (const char *)data + offsetof(struct scry_trace_maps, str_len), sizeof(slen));
	memcpy(&delta, (const char *)data + offsetof(struct scry_trace_maps, delta), sizeof(delta));
	if (slen > size - tlen)
		return 0;
	uint32_t khead = 0, ktail = 0, base, seq, htgid;
	if (delta) {
		memcpy(&khead, (const char *)data + offsetof(struct scry_trace_maps, keep_head), sizeof(khead));
		memcpy(&ktail, (const char *)data + offsetof(struct scry_trace_maps, keep_tail), sizeof(ktail));
	}
	memcpy(&base, (const char *)data + offsetof(struct scry_trace_maps, base_seq), sizeof(base));
	memcpy(&seq, (const char *)data + offsetof(struct scry_trace_maps, seq), sizeof(seq));
	memcpy(&htgid, (const char *)data + offsetof(struct scry_trace_maps, host_tgid), sizeof(htgid));
	t->maps_records++;
	t->maps_entries += nv;
	t->maps_bytes += size;
	struct maps_view *w = view_get(t, (pid_t)k->tgid, 1);
	if (!w)
		return 0;
	if (delta && (!w->valid || w->seq != base || (uint64_t)khead + ktail > w->n)) {
		/* a difference from a list we do not hold: have the kernel
		 * send the next one whole (the unwinder keeps the mappings it
		 * was last given meanwhile) */
		w->valid = 0;
		bpf_map_delete_elem(bpf_map__fd(t->skel->maps.maps_seen), &htgid);
		bpf_map_delete_elem(bpf_map__fd(t->skel->maps.maps_held), &htgid);
		return 0;
	}
	w->seq = seq;
	w->valid = 1;
	/* the new entries first, their paths from the view as it was */
	struct maps_ent *ne = calloc(nv ? nv : 1, sizeof(*ne));
	if (!ne)
		return 0;
	for (uint32_t i = 0; i < nv; i++) {
		const struct scry_trace_vma *v = &k->v[i];
		ne[i].v = *v;
		if (!(v->flags & (SCRY_TRACE_VMA_VDSO | SCRY_TRACE_VMA_NOPATH)) && v->path_len &&
		    (size_t)v->path_off + v->path_len <= slen)
			ne[i].path = join_path(str + v->path_off, str + v->path_off + v->path_len);
		else if (delta)
			ne[i].path = view_path_of(w, v);
	}
	/* keep head, these, tail (a whole record: these alone) */
	size_t keep_from = delta ? khead : 0, keep_to = delta ? w->n - ktail : w->n;
	size_t n = delta ? w->n - (keep_to - keep_from) + nv : nv;
	if (n > w->cap) {
		struct maps_ent *grown = realloc(w->e, n * sizeof(*grown));
		if (!grown) {
			for (uint32_t i = 0; i < nv; i++)
				free(ne[i].path);
			free(ne);
			return 0;
		}
		w->e = grown;
		w->cap = n;
	}
	for (size_t i = keep_from; i < keep_to; i++)
		free(w->e[i].path);
	if (delta)
		memmove(&w->e[keep_from + nv], &w->e[keep_to], (w->n - keep_to) * sizeof(*w->e));
	memcpy(&w->e[keep_from], ne, nv * sizeof(*ne));
	w->n = n;
	free(ne);
	/* a line: 2 x 16 + 5 + 16 + 12 + 20 + 5 spaces, its path, " (deleted)" */
	size_t cap = 1;
	for (size_t i = 0; i < w->n; i++)
		cap += 128 + 16 + (w->e[i].path ? strlen(w->e[i].path) : 0);
	char *text = malloc(cap), *p = text;
	if (!text)
		return 0;
	for (size_t i = 0; i < w->n; i++) {
		const struct scry_trace_vma *v = &w->e[i].v;
		unsigned maj = v->dev >> 20, min = v->dev & 0xfffff;
		p += snprintf(p, cap - (size_t)(p - text), "%llx-%llx %c%c%c%c %08llx %02x:%02x %llu ",
			      (unsigned long long)v->start, (unsigned long long)v->end,
			      v->flags & SCRY_TRACE_VMA_READ ? 'r' : '-', v->flags & SCRY_TRACE_VMA_WRITE ? 'w' : '-',
			      v->flags & SCRY_TRACE_VMA_EXEC ? 'x' : '-', v->flags & SCRY_TRACE_VMA_SHARED ? 's' : 'p',
			      (unsigned long long)v->pgoff, maj, min, (unsigned long long)v->ino);
		if (v->flags & SCRY_TRACE_VMA_VDSO)
			p += snprintf(p, cap - (size_t)(p - text), "[vdso]");
		else if (w->e[i].path)
			p += snprintf(p, cap - (size_t)(p - text), "%s%s", w->e[i].path,
				      v->flags & SCRY_TRACE_VMA_DELETED ? " (deleted)" : "");
		p += snprintf(p, cap - (size_t)(p - text), "\n");
		if ((size_t)(p - text) >= cap - 1)
			break;	/* cannot happen: cap is an upper bound */
	}
	proc_event_init(t, &e, k->tgid, k->tid, k->ts);
	e.type = SCRY_BPF_PROC_MAPS;
	e.maps = text;
	e.maps_len = (size_t)(p - text);
	t->delivered++;
	int r = t->on_proc ? t->on_proc(t->ctx, &e) : 0;
	free(text);
	return r;
}

void scry_bpf_trace_maps_sent(const struct scry_bpf_trace *t, uint64_t *records, uint64_t *entries,
			      uint64_t *bytes)
{
	*records = t->maps_records;
	*entries = t->maps_entries;
	*bytes = t->maps_bytes;
}

static int ring_event(void *ctx, void *data, size_t size);

int scry_bpf_trace_open(struct scry_bpf_trace **out, const struct scry_bpf_trace_opts *opts,
			char *why, size_t len)
{
	struct scry_bpf_trace_opts none = SCRY_BPF_TRACE_OPTS_INIT;
	struct scry_bpf_trace *t;
	struct epoll_event ev;
	int err, limit;
	size_t rsize;

	*out = NULL;
	if (!opts)
		opts = &none;
	err = bpf_check_env(why, len, 1);
	if (err)
		return err;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ep = -1;
	bpf_targets_init(&t->tg, -1, -1, -1, 0, 0);
	t->mono_to_real = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC));
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		err = t->ncpus ? t->ncpus : -EINVAL;
		bpf_set_why(why, len, "cannot count the possible CPUs");
		goto fail;
	}

	bpf_capture_start();
	t->skel = systrace__open();
	if (!t->skel) {
		err = errno ? -errno : -EINVAL;
		bpf_set_why(why, len, "cannot open the bpf object: %s", bpf_captured()[0] ? bpf_captured() : strerror(-err));
		bpf_capture_end();
		goto fail;
	}
	limit = opts->string_limit > 0 ? opts->string_limit : 32;
	if (limit > SCRY_TRACE_BUF_MAX)
		limit = SCRY_TRACE_BUF_MAX;
	t->skel->rodata->follow_forks = !!opts->follow_forks;
	t->skel->rodata->filter_nrs = opts->nrs != NULL;
	t->skel->rodata->exec_nr = SYS_execve;
	t->skel->rodata->execat_nr = SYS_execveat;
	t->skel->rodata->buf_limit = (uint32_t)limit;
	t->skel->rodata->stack_bytes = (uint32_t)(opts->stack_bytes > SCRY_TRACE_STACK_MAX ?
						  SCRY_TRACE_STACK_MAX : opts->stack_bytes);
	t->skel->rodata->stack_fp = t->skel->rodata->stack_bytes && opts->stack_fp;
	if (t->skel->rodata->stack_bytes && opts->site_bytes && !opts->stack_fp)
		t->skel->rodata->site_bytes = (uint32_t)(opts->site_bytes > SCRY_TRACE_SITE_MAX ?
							 SCRY_TRACE_SITE_MAX : opts->site_bytes) & ~7u;
	{
		uint64_t dev = 0, ino = 0;

		if (bpf_pidns(&dev, &ino)) {
			t->skel->rodata->ns_dev = dev;
			t->skel->rodata->ns_ino = ino;
		}
	}
	/* hung where they cost least, below (bpf_hooks_attach) */
	bpf_program__set_autoattach(t->skel->progs.scry_trace_enter, false);
	bpf_program__set_autoattach(t->skel->progs.scry_trace_exit, false);
	/* 0: wake the reader when an eighth of the ring waits (measured:
	 * waking it for every record costs a storm 2-3 times more) */
	rsize = ring_size(opts->ringbuf_bytes);
	t->skel->rodata->wakeup_bytes = opts->wakeup_bytes ? opts->wakeup_bytes : rsize / 8;
	err = bpf_map__set_max_entries(t->skel->maps.events, (uint32_t)rsize);
	/* the call-site maps are preallocated hashes: made full size only
	 * when sites are counted (measured: +0.1 s at every start) */
	if (!err && !t->skel->rodata->site_bytes)
		err = bpf_map__set_max_entries(t->skel->maps.site_state, 1) ?:
		      bpf_map__set_max_entries(t->skel->maps.site_vals, 1) ?:
		      bpf_map__set_max_entries(t->skel->maps.site_hist, 1);
	/* the mappings sent per process: only with stacks */
	if (!err && !t->skel->rodata->stack_bytes)
		err = bpf_map__set_max_entries(t->skel->maps.maps_seen, 1) ?:
		      bpf_map__set_max_entries(t->skel->maps.maps_held, 1);
	if (!err)
		err = systrace__load(t->skel);
	if (err) {
		bpf_set_why(why, len, "the kernel refused the trace program: %s",
			bpf_captured()[0] ? bpf_captured() : strerror(-err));
		bpf_capture_end();
		goto fail;
	}
	bpf_capture_end();

	/* the plans and the filter must be in place before the first call */
	err = fill_plans(t, opts);
	if (err) {
		bpf_set_why(why, len, "cannot fill the syscall plan map: %s", strerror(-err));
		goto fail;
	}
	t->lost_fd = bpf_map__fd(t->skel->maps.lost);
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), ring_event, t, NULL);
	if (!t->rb) {
		err = errno ? -errno : -ENOMEM;
		bpf_set_why(why, len, "cannot map the ring buffer: %s", strerror(-err));
		goto fail;
	}
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = RING_TAG;
	if (t->ep < 0 || epoll_ctl(t->ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(t->rb), &ev)) {
		err = -errno;
		bpf_set_why(why, len, "epoll: %s", strerror(-err));
		goto fail;
	}
	/* in a pid namespace the targets go in by scry's ids (pidns.bpf.h) */
	bpf_targets_init(&t->tg, bpf_map__fd(t->skel->maps.traced_pids),
			 t->skel->rodata->ns_ino ? bpf_map__fd(t->skel->maps.ns_pending) : -1, t->ep,
			 !!opts->follow_forks, opts->child_default_signals);

	bpf_capture_start();
	err = systrace__attach(t->skel);	/* the scheduler's tracepoints */
	if (err)
		bpf_set_why(why, len, "cannot attach to the scheduler tracepoints: %s",
			    bpf_captured()[0] ? bpf_captured() : strerror(-err));
	else
		err = bpf_hooks_attach(&t->hooks, opts->hooks, t->skel->progs.scry_trace_nr_enter,
				       t->skel->progs.scry_trace_nr_exit,
				       t->skel->progs.scry_trace_enter, t->skel->progs.scry_trace_exit,
				       opts->nrs, opts->nr_words, SCRY_TRACE_MAX_NR, why, len);
	bpf_capture_end();
	if (err)
		goto fail;
	*out = t;
	return 0;
fail:
	scry_bpf_trace_close(t);
	return err;
}

const char *scry_bpf_trace_describe(const struct scry_bpf_trace *t, char *buf, size_t len)
{
	return bpf_hooks_describe(&t->hooks, buf, len);
}

void scry_bpf_trace_close(struct scry_bpf_trace *t)
{
	if (!t)
		return;
	bpf_hooks_detach(&t->hooks);
	if (t->rb)
		ring_buffer__free(t->rb);
	if (t->skel)
		systrace__destroy(t->skel);	/* links, programs, maps: all gone */
	bpf_targets_release(&t->tg);	/* (before the epoll set they are in) */
	if (t->ep >= 0)
		close(t->ep);
	while (t->views)
		view_drop(t, t->views->tgid);
	free(t);
}

/* ---- processes ---- */

int scry_bpf_trace_add_pid(struct scry_bpf_trace *t, pid_t pid)
{
	return bpf_targets_add(&t->tg, pid, SCRY_TRACE_TRACED);
}

int scry_bpf_trace_launch(struct scry_bpf_trace *t, char *const argv[], pid_t *pidp)
{
	pid_t pid = bpf_targets_launch(&t->tg, argv, SCRY_TRACE_UNTIL_EXEC);

	if (pid < 0)
		return pid;
	if (pidp)
		*pidp = pid;
	return 0;
}

int scry_bpf_trace_running(struct scry_bpf_trace *t)
{
	return bpf_targets_running(&t->tg);
}

int scry_bpf_trace_launched_status(const struct scry_bpf_trace *t)
{
	return t ? t->tg.launched_status : -1;
}

/* ---- events ---- */

/* A captured region, its bytes checked to lie within the payload. */
static void region_in(struct scry_bpf_region *out, const struct scry_trace_region *r,
		      const unsigned char *payload, size_t data_len)
{
	if (!(r->flags & SCRY_TRACE_RF_USED))
		return;
	out->addr = r->addr;
	out->used = 1;
	out->fault = !!(r->flags & SCRY_TRACE_RF_FAULT);
	out->truncated = !!(r->flags & SCRY_TRACE_RF_TRUNC);
	if ((size_t)r->off + r->len <= data_len) {
		out->bytes = payload + r->off;
		out->len = r->len;
	}
}

static int deliver_call(struct scry_bpf_trace *t, const void *data, size_t size)
{
	const struct scry_trace_call *k = data;
	const unsigned char *payload = (const unsigned char *)data + sizeof(*k);
	struct scry_bpf_call_event e;

	if (size < sizeof(*k) || k->data_len > size - sizeof(*k))
		return 0;	/* cannot happen; never trust a length blindly */
	memset(&e, 0, offsetof(struct scry_bpf_call_event, vec));
	e.tgid = (pid_t)k->tgid;
	e.tid = (pid_t)k->tid;
	e.nr = (long)k->nr;
	memcpy(e.args, k->args, sizeof(e.args));
	e.sp = k->sp;
	e.unfinished = !!(k->flags & SCRY_TRACE_CF_UNFINISHED);
	e.ret = e.unfinished ? 0 : k->ret;
	e.t_enter_mono = k->t_enter;
	e.t_exit_mono = k->t_exit;
	e.t_enter_ns = k->t_enter + (uint64_t)t->mono_to_real;
	e.t_exit_ns = k->t_exit ? k->t_exit + (uint64_t)t->mono_to_real : 0;
	for (int i = 0; i < SCRY_BPF_NREG && i < SCRY_TRACE_NREG; i++)
		region_in(&e.reg[i], &k->reg[i], payload, k->data_len);
	e.envc = (long)k->envc - 1;
	/* the table of argv's strings (R_VEC) */
	const struct scry_trace_region *vt = &k->reg[SCRY_TRACE_R_VEC];
	if ((vt->flags & SCRY_TRACE_RF_USED) && (size_t)vt->off + vt->len <= k->data_len) {
		for (size_t j = 0; j < vt->len / sizeof(struct scry_trace_region) &&
				   j < sizeof(e.vec) / sizeof(e.vec[0]); j++) {
			struct scry_trace_region r;

			memcpy(&r, payload + vt->off + j * sizeof(r), sizeof(r));
			memset(&e.vec[e.nvec], 0, sizeof(e.vec[0]));
			region_in(&e.vec[e.nvec++], &r, payload, k->data_len);
		}
	}
	/* the stack part after the data */
	if (k->flags & SCRY_TRACE_CF_STACK) {
		size_t at = sizeof(*k) + k->data_len;
		struct scry_trace_stack h;

		if (size >= at + sizeof(h)) {
			memcpy(&h, (const unsigned char *)data + at, sizeof(h));
			at += sizeof(h);
			if (h.len <= SCRY_TRACE_STACK_MAX && h.len <= size - at) {
				e.has_stack = 1;
				e.stack_fp = !!(h.flags & SCRY_TRACE_STK_FP);
				e.stack.addr = h.sp;
				e.stack.used = 1;
				e.stack.fault = !!(h.flags & SCRY_TRACE_RF_FAULT);
				e.stack.len = h.len;
				e.stack.bytes = h.len ? (const unsigned char *)data + at : NULL;
				e.stack_holes = h.holes;
				e.regs_have = h.have;
				memcpy(e.regs, h.r, sizeof(e.regs));
				e.site_new = h.key_new;
				e.site_len = h.key_len;
				e.site_code = h.key_code;
				e.site.exec = h.key_exec;
				e.site.len = h.key_len;
				e.site.hash = h.key_hash;
			}
		}
	}
	t->delivered++;
	return t->on_call ? t->on_call(t->ctx, &e) : 0;
}

static int deliver_proc(struct scry_bpf_trace *t, const void *data, size_t size)
{
	const struct scry_trace_proc *k = data;
	struct scry_bpf_proc_event e;
	char name[sizeof(k->filename) + 1];

	if (size < sizeof(*k))
		return 0;
	proc_event_init(t, &e, k->tgid, k->tid, k->ts);
	switch (k->type) {
	case SCRY_TRACE_EV_EXEC:
		e.type = SCRY_BPF_PROC_EXEC;
		e.old_tid = (pid_t)k->old_tid;
		e.ia32 = (int)k->ia32;
		memcpy(name, k->filename, sizeof(k->filename));
		name[sizeof(k->filename)] = '\0';
		e.filename = name;
		break;
	case SCRY_TRACE_EV_EXIT:
		e.type = SCRY_BPF_PROC_EXIT;
		e.exit_code = k->exit_code;
		e.group_dead = (int)k->group_dead;
		if (k->group_dead)
			view_drop(t, (pid_t)k->tgid);
		break;
	default:
		e.type = SCRY_BPF_PROC_FORK;
		e.child_tgid = (pid_t)k->child_tgid;
		e.child_tid = (pid_t)k->child_tid;
		e.is_thread = (int)k->is_thread;
		e.followed = (int)k->followed;
		break;
	}
	t->delivered++;
	return t->on_proc ? t->on_proc(t->ctx, &e) : 0;
}

static int deliver_signal(struct scry_bpf_trace *t, const void *data, size_t size)
{
	const struct scry_trace_signal *k = data;
	struct scry_bpf_proc_event e;

	if (size < sizeof(*k))
		return 0;
	proc_event_init(t, &e, k->tgid, k->tid, k->ts);
	e.type = SCRY_BPF_PROC_SIGNAL;
	e.sig = k->sig;
	e.siginfo = k->info;
	e.siginfo_bytes = sizeof(k->info);
	t->delivered++;
	return t->on_proc ? t->on_proc(t->ctx, &e) : 0;
}

static int ring_event(void *ctx, void *data, size_t size)
{
	struct scry_bpf_trace *t = ctx;
	uint32_t type;

	if (size < sizeof(type))
		return 0;
	memcpy(&type, data, sizeof(type));
	switch (type) {
	case SCRY_TRACE_EV_CALL:
		return deliver_call(t, data, size);
	case SCRY_TRACE_EV_EXEC:
	case SCRY_TRACE_EV_EXIT:
	case SCRY_TRACE_EV_FORK:
		return deliver_proc(t, data, size);
	case SCRY_TRACE_EV_SIGNAL:
		return deliver_signal(t, data, size);
	case SCRY_TRACE_EV_MAPS:
		return deliver_maps(t, data, size);
	}
	return 0;
}

int scry_bpf_trace_poll(struct scry_bpf_trace *t, int timeout_ms,
			scry_bpf_call_cb on_call, scry_bpf_proc_cb on_proc, void *ctx)
{
	struct epoll_event evs[16];
	int n, r;

	n = epoll_wait(t->ep, evs, 16, timeout_ms);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++)
		if (evs[i].data.u64 != RING_TAG && evs[i].data.u64 < t->tg.nw &&
		    t->tg.w[evs[i].data.u64].fd >= 0)
			bpf_targets_reap(&t->tg, evs[i].data.u64);
	/*
	 * Consume whether or not the ring woke us: with wakeup_bytes the
	 * kernel does not wake the reader for every record.
	 */
	t->on_call = on_call;
	t->on_proc = on_proc;
	t->ctx = ctx;
	t->delivered = 0;
	r = ring_buffer__consume(t->rb);
	t->on_call = NULL;
	t->on_proc = NULL;
	t->ctx = NULL;
	return r < 0 ? r : t->delivered;
}

static long long now_ms(void)
{
	return (long long)(clock_ns(CLOCK_MONOTONIC) / 1000000u);
}

int scry_bpf_trace_wait(struct scry_bpf_trace *t, int timeout_ms,
			scry_bpf_call_cb on_call, scry_bpf_proc_cb on_proc, void *ctx)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int r;

	while (scry_bpf_trace_running(t)) {
		int slice = 100;

		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			if (left < slice)
				slice = (int)left;
		}
		r = scry_bpf_trace_poll(t, slice, on_call, on_proc, ctx);
		if (r < 0)
			return r;
	}
	/* everything the kernel sent before the last exit */
	r = scry_bpf_trace_poll(t, 0, on_call, on_proc, ctx);
	return r < 0 ? r : 0;
}

void scry_bpf_trace_lost_split(const struct scry_bpf_trace *t, uint64_t *calls, uint64_t *procs)
{
	uint64_t sum[2] = { 0, 0 };
	uint64_t *v = t ? calloc((size_t)t->ncpus, sizeof(*v)) : NULL;

	for (uint32_t k = 0; v && k < 2; k++) {
		if (bpf_map_lookup_elem(t->lost_fd, &k, v))
			continue;
		for (int c = 0; c < t->ncpus; c++)
			sum[k] += v[c];
	}
	free(v);
	if (calls)
		*calls = sum[0];
	if (procs)
		*procs = sum[1];
}

uint64_t scry_bpf_trace_stacks_lost(const struct scry_bpf_trace *t)
{
	uint64_t sum = 0;
	uint32_t k = 2;
	uint64_t *v = t ? calloc((size_t)t->ncpus, sizeof(*v)) : NULL;

	if (v && !bpf_map_lookup_elem(t->lost_fd, &k, v))
		for (int c = 0; c < t->ncpus; c++)
			sum += v[c];
	free(v);
	return sum;
}

uint64_t scry_bpf_trace_lost(const struct scry_bpf_trace *t)
{
	uint64_t c, p;

	scry_bpf_trace_lost_split(t, &c, &p);
	return c + p;
}

static int site_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct scry_trace_site_key));
}

struct site_acc {
	struct scry_trace_site_key key;
	struct scry_bpf_site s;
	uint64_t *hist;
};

static int acc_cmp(const void *a, const void *b)
{
	return site_key_cmp(&((const struct site_acc *)a)->key, &((const struct site_acc *)b)->key);
}

int scry_bpf_trace_sites(struct scry_bpf_trace *t, int (*cb)(void *ctx, const struct scry_bpf_site *site),
			 void *ctx)
{
	int vfd = bpf_map__fd(t->skel->maps.site_vals), hfd = bpf_map__fd(t->skel->maps.site_hist);
	struct scry_trace_site_val *v = calloc((size_t)t->ncpus, sizeof(*v));
	uint64_t *hv = calloc((size_t)t->ncpus, sizeof(*hv));
	struct site_acc *acc = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	if (!v || !hv) {
		r = -ENOMEM;
		goto out;
	}
	struct scry_trace_site_key key, next, *prev = NULL;
	while (bpf_map_get_next_key(vfd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(vfd, &key, v))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct site_acc *p = realloc(acc, nc * sizeof(*p));
			if (!p) {
				r = -ENOMEM;
				goto out;
			}
			acc = p;
			cap = nc;
		}
		struct site_acc *a = &acc[n];
		memset(a, 0, sizeof(*a));
		a->key = key;
		a->s.tgid = (pid_t)key.tgid;
		a->s.nr = (long)key.nr;
		a->s.key.exec = key.exec;
		a->s.key.len = key.len;
		a->s.key.hash = key.hash;
		a->s.min_ns = UINT64_MAX;
		for (int c = 0; c < t->ncpus; c++) {
			if (!v[c].count)
				continue;
			a->s.calls += v[c].count;
			a->s.errors += v[c].errors;
			a->s.total_ns += v[c].total_ns;
			if (v[c].min_ns < a->s.min_ns)
				a->s.min_ns = v[c].min_ns;
			if (v[c].max_ns > a->s.max_ns)
				a->s.max_ns = v[c].max_ns;
		}
		if (!a->s.calls)
			continue;
		if (!(a->hist = calloc(SCRY_HIST_BUCKETS, sizeof(*a->hist)))) {
			r = -ENOMEM;
			goto out;
		}
		a->s.hist = a->hist;
		a->s.nbuckets = SCRY_HIST_BUCKETS;
		n++;
	}
	if (n)
		qsort(acc, n, sizeof(*acc), acc_cmp);
	struct scry_trace_site_hkey hk, hnext, *hprev = NULL;
	while (n && bpf_map_get_next_key(hfd, hprev, &hnext) == 0) {
		hk = hnext;
		hprev = &hk;
		struct site_acc *a = bsearch(&hk.key, acc, n, sizeof(*acc), site_key_cmp);
		if (!a || hk.bucket >= SCRY_HIST_BUCKETS || bpf_map_lookup_elem(hfd, &hk, hv))
			continue;
		for (int c = 0; c < t->ncpus; c++)
			a->hist[hk.bucket] += hv[c];
	}
	for (size_t i = 0; i < n && r >= 0; i++)
		r = cb(ctx, &acc[i].s);
out:
	for (size_t i = 0; i < n; i++)
		free(acc[i].hist);
	free(acc);
	free(v);
	free(hv);
	return r < 0 ? r : 0;
}

int scry_bpf_trace_site_set(struct scry_bpf_trace *t, pid_t tgid, long nr,
			    const struct scry_bpf_site_key *key, int count)
{
	struct scry_trace_site_key k = {
		.tgid = (uint32_t)tgid, .nr = (uint32_t)nr, .exec = key->exec, .len = key->len, .hash = key->hash,
	};
	uint32_t state = count ? SCRY_TRACE_SITE_COUNT : SCRY_TRACE_SITE_EVERY;

	if (bpf_map_update_elem(bpf_map__fd(t->skel->maps.site_state), &k, &state, BPF_ANY))
		return -errno;
	return 0;
}

uint64_t scry_bpf_trace_site_hist_lost(const struct scry_bpf_trace *t)
{
	uint64_t sum = 0;
	uint32_t k = 3;
	uint64_t *v = t ? calloc((size_t)t->ncpus, sizeof(*v)) : NULL;

	if (v && !bpf_map_lookup_elem(t->lost_fd, &k, v))
		for (int c = 0; c < t->ncpus; c++)
			sum += v[c];
	free(v);
	return sum;
}

#endif /* SCRY_HAVE_SYSTRACE */
