/*
 * The bpf backend, statistics mode (see bpf_backend.h): the user-space half
 * of syscount.bpf.c, in the libbpf-tools shape: open the skeleton, set its
 * rodata, load, fill the maps, attach; read the maps at the end.
 *
 * Built with -DSCRY_NO_BPF (the Makefile does that when clang, bpftool or
 * kernel BTF are missing at build time) the same functions are stubs that
 * return -ENOTSUP.
 */
#include "bpf/bpf_backend.h"
#include "bpf/bpf_common.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define NO_BPF_REASON "scry was built without bpf support (clang, bpftool or kernel BTF were missing at build time)"

#ifdef SCRY_NO_BPF

#include <stdarg.h>

int scry_bpf_probe(char *why, size_t len)
{
	bpf_set_why(why, len, "%s", NO_BPF_REASON);
	return -ENOTSUP;
}

int scry_bpf_open(struct scry_bpf **out, const struct scry_bpf_opts *opts, char *why, size_t len)
{
	*out = NULL;
	bpf_set_why(why, len, "%s", NO_BPF_REASON);
	return -ENOTSUP;
}

void scry_bpf_close(struct scry_bpf *b) { }
const char *scry_bpf_describe(const struct scry_bpf *b, char *buf, size_t len) { return ""; }
int scry_bpf_add_pid(struct scry_bpf *b, pid_t pid) { return -ENOTSUP; }
int scry_bpf_launch(struct scry_bpf *b, char *const argv[], pid_t *pid) { return -ENOTSUP; }
int scry_bpf_wait(struct scry_bpf *b, int timeout_ms) { return -ENOTSUP; }
int scry_bpf_launched_status(const struct scry_bpf *b) { return -1; }
int scry_bpf_read(struct scry_bpf *b, struct scry_stats *out) { return -ENOTSUP; }
int scry_bpf_reset(struct scry_bpf *b) { return -ENOTSUP; }
int scry_bpf_read_reset(struct scry_bpf *b, struct scry_stats *out) { return -ENOTSUP; }
uint64_t scry_bpf_lost(const struct scry_bpf *b) { return 0; }
uint64_t scry_bpf_ia32_execs(const struct scry_bpf *b, pid_t *last) { return 0; }
int scry_bpf_read_reset_errnos(struct scry_bpf *b, struct scry_stats *out,
			       int (*fn)(void *ctx, int pid, int nr, int err, uint64_t n),
			       void *ctx) { return -ENOTSUP; }
int scry_bpf_set_cgroups(struct scry_bpf *b, const uint64_t *ids, size_t n) { return -ENOTSUP; }
int scry_bpf_exited_comm(struct scry_bpf *b, int pid, char *buf, size_t len) { return -ENOTSUP; }
int scry_bpf_run_stats(const struct scry_bpf *b, uint64_t *ns, uint64_t *runs) { return -ENOTSUP; }
double scry_bpf_elapsed(const struct scry_bpf *b) { return 0; }

#else /* !SCRY_NO_BPF */

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/syscount.h"
#include "syscount.skel.h"	/* generated into $(B)/bpf by bpftool */



struct scry_bpf {
	struct syscount *skel;
	struct bpf_hooks hooks;
	int rows_fd, stats_fd, hist_fd;
	int hslot_of_fd, hslots_fd;
	int errs_fd, cgroups_fd;
	uint32_t hist_slots;
	int ncpus;
	struct timespec start;

	struct bpf_targets tg;	/* the processes added or launched */
	int per_process;	/* rows in scry_stats; else in scry_rows */
};


/* Histogram slots per epoch for these CPUs: SCRY_BPF_HIST_BUDGET bytes in
 * all, at most SCRY_BPF_HIST_SLOTS (0: per-process rows, which hash). */
static uint32_t hist_slots_for(const struct scry_bpf_opts *opts)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t n;

	if (!opts || opts->per_process || opts->hist_slots < 0 || ncpus <= 0)
		return 0;
	n = SCRY_BPF_HIST_BUDGET / ((size_t)ncpus * 2 * sizeof(struct scry_bpf_hist));
	if (n > SCRY_BPF_HIST_SLOTS)
		n = SCRY_BPF_HIST_SLOTS;
	if (opts->hist_slots > 0 && (size_t)opts->hist_slots < n)
		n = (size_t)opts->hist_slots;
	return (uint32_t)n;
}

/* Opens and loads the skeleton with opts' rodata; attaches when asked. */
static int load_skel(struct syscount **out, const struct scry_bpf_opts *opts, int attach,
		     char *why, size_t len)
{
	struct syscount *skel;
	uint32_t slots = hist_slots_for(opts);
	int err;

	bpf_capture_start();
	skel = syscount__open();
	if (!skel) {
		err = errno ? -errno : -EINVAL;
		bpf_set_why(why, len, "cannot open the bpf object: %s", bpf_captured()[0] ? bpf_captured() : strerror(-err));
		goto out;
	}
	skel->rodata->follow_forks = opts && opts->follow_forks;
	skel->rodata->per_process = opts && opts->per_process;
	skel->rodata->filter_nrs = opts && opts->nrs;
	skel->rodata->exec_nr = SYS_execve;
	skel->rodata->execat_nr = SYS_execveat;
	skel->rodata->hist_slots = slots;
	if (opts && (opts->match_all || opts->match_comm || opts->match_cgroups)) {
		skel->rodata->match_any = true;
		skel->rodata->match_all = !!opts->match_all;
		skel->rodata->match_cgroups = !!opts->match_cgroups;
		if (opts->match_comm)
			strncpy((char *)skel->rodata->match_comm, opts->match_comm,
				sizeof(skel->rodata->match_comm) - 1);
		skel->rodata->self_tgid = (uint32_t)getpid();
	}
	skel->rodata->count_errnos = opts && opts->count_errnos;
	skel->rodata->keep_comms = opts && opts->keep_comms;
	/* (an LRU hash is preallocated: one entry when unused) */
	if (!skel->rodata->keep_comms)
		bpf_map__set_max_entries(skel->maps.scry_comms, 1);
	skel->rodata->sample_latency = opts && opts->sample_latency;
	{
		uint64_t dev = 0, ino = 0;

		if (bpf_pidns(&dev, &ino)) {
			skel->rodata->ns_dev = dev;
			skel->rodata->ns_ino = ino;
		}
	}
	/* (an array cannot be empty: one unused slot pair without slots) */
	bpf_map__set_max_entries(skel->maps.scry_hslots, 2 * (slots ? slots : 1));
	/* scry_bpf_open() hangs them where they cost least (bpf_hooks_attach) */
	bpf_program__set_autoattach(skel->progs.scry_sys_enter, false);
	bpf_program__set_autoattach(skel->progs.scry_sys_exit, false);
	err = syscount__load(skel);
	if (err) {
		bpf_set_why(why, len, "the kernel refused the program: %s",
			bpf_captured()[0] ? bpf_captured() : strerror(-err));
		goto fail;
	}
	if (attach) {
		err = syscount__attach(skel);
		if (err) {
			bpf_set_why(why, len, "cannot attach to the syscall tracepoints: %s",
				bpf_captured()[0] ? bpf_captured() : strerror(-err));
			goto fail;
		}
	}
	*out = skel;
	err = 0;
	goto out;
fail:
	syscount__destroy(skel);
out:
	bpf_capture_end();
	return err;
}

int scry_bpf_probe(char *why, size_t len)
{
	struct syscount *skel;
	int err = bpf_check_env(why, len, 1);

	if (err)
		return err;
	err = load_skel(&skel, NULL, 0, why, len);
	if (err)
		return err;
	syscount__destroy(skel);
	return 0;
}

static int fill_nrs(struct scry_bpf *b, const struct scry_bpf_opts *opts)
{
	int fd = bpf_map__fd(b->skel->maps.traced_nrs);

	if (!opts->nrs)
		return 0;
	for (uint32_t nr = 0; nr < SCRY_BPF_MAX_NR && nr / 64 < opts->nr_words; nr++) {
		uint8_t on = (opts->nrs[nr / 64] >> (nr % 64)) & 1;

		if (on && bpf_map_update_elem(fd, &nr, &on, BPF_ANY))
			return -errno;
	}
	return 0;
}

int scry_bpf_open(struct scry_bpf **out, const struct scry_bpf_opts *opts, char *why, size_t len)
{
	struct scry_bpf_opts none = SCRY_BPF_OPTS_INIT;
	struct scry_bpf *b;
	int err;

	*out = NULL;
	if (!opts)
		opts = &none;
	err = bpf_check_env(why, len, 1);
	if (err)
		return err;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	bpf_targets_init(&b->tg, -1, -1, -1, 0, 0);
	b->ncpus = libbpf_num_possible_cpus();
	if (b->ncpus <= 0) {
		err = b->ncpus ? b->ncpus : -EINVAL;
		bpf_set_why(why, len, "cannot count the possible CPUs");
		goto fail;
	}
	err = load_skel(&b->skel, opts, 0, why, len);
	if (err)
		goto fail;
	/* the filter must be in place before the first call is seen */
	err = fill_nrs(b, opts);
	if (err) {
		bpf_set_why(why, len, "cannot fill the syscall filter map: %s", strerror(-err));
		goto fail;
	}
	bpf_capture_start();
	err = syscount__attach(b->skel);	/* the scheduler's tracepoints */
	if (err)
		bpf_set_why(why, len, "cannot attach to the scheduler tracepoints: %s",
			    bpf_captured()[0] ? bpf_captured() : strerror(-err));
	else
		err = bpf_hooks_attach(&b->hooks, opts->hooks, b->skel->progs.scry_nr_enter,
				       b->skel->progs.scry_nr_exit, b->skel->progs.scry_sys_enter,
				       b->skel->progs.scry_sys_exit, opts->nrs, opts->nr_words,
				       SCRY_BPF_MAX_NR, why, len);
	bpf_capture_end();
	if (err)
		goto fail;
	b->per_process = !!opts->per_process;
	b->rows_fd = bpf_map__fd(b->skel->maps.scry_rows);
	b->hslot_of_fd = bpf_map__fd(b->skel->maps.hslot_of);
	b->hslots_fd = bpf_map__fd(b->skel->maps.scry_hslots);
	b->hist_slots = b->skel->rodata->hist_slots;
	b->stats_fd = bpf_map__fd(b->skel->maps.scry_stats);
	b->hist_fd = bpf_map__fd(b->skel->maps.scry_hist);
	b->errs_fd = bpf_map__fd(b->skel->maps.scry_errs);
	b->cgroups_fd = bpf_map__fd(b->skel->maps.traced_cgroups);
	/* in a pid namespace the targets go in by scry's ids (pidns.bpf.h) */
	bpf_targets_init(&b->tg, bpf_map__fd(b->skel->maps.traced_pids),
			 b->skel->rodata->ns_ino ? bpf_map__fd(b->skel->maps.ns_pending) : -1, -1,
			 !!opts->follow_forks, opts->child_default_signals);
	clock_gettime(CLOCK_MONOTONIC, &b->start);
	*out = b;
	return 0;
fail:
	scry_bpf_close(b);
	return err;
}

const char *scry_bpf_describe(const struct scry_bpf *b, char *buf, size_t len)
{
	return bpf_hooks_describe(&b->hooks, buf, len);
}

void scry_bpf_close(struct scry_bpf *b)
{
	if (!b)
		return;
	bpf_hooks_detach(&b->hooks);
	if (b->skel)
		syscount__destroy(b->skel);	/* links, programs, maps: all gone */
	bpf_targets_release(&b->tg);
	free(b);
}

int scry_bpf_add_pid(struct scry_bpf *b, pid_t pid)
{
	return bpf_targets_add(&b->tg, pid, SCRY_BPF_TRACED);
}

int scry_bpf_launch(struct scry_bpf *b, char *const argv[], pid_t *pidp)
{
	pid_t pid = bpf_targets_launch(&b->tg, argv, SCRY_BPF_UNTIL_EXEC);

	if (pid < 0)
		return pid;
	if (pidp)
		*pidp = pid;
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int scry_bpf_wait(struct scry_bpf *b, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct pollfd *pfds = b->tg.nw ? calloc(b->tg.nw, sizeof(*pfds)) : NULL;
	int err = 0;

	if (b->tg.nw && !pfds)
		return -ENOMEM;
	while (bpf_targets_running(&b->tg)) {
		size_t n = 0;
		int slice;

		for (size_t i = 0; i < b->tg.nw; i++)
			if (b->tg.w[i].fd >= 0) {
				pfds[n].fd = b->tg.w[i].fd;
				pfds[n].events = POLLIN;
				pfds[n].revents = 0;
				n++;
			}
		/* until one of them goes; with -f only their descendants are
		 * left, in the kernel's map: look again now and then */
		slice = n ? 1000 : 20;
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				err = -ETIMEDOUT;
				break;
			}
			if (left < slice)
				slice = (int)left;
		}
		if (poll(pfds, n, slice) < 0) {
			err = -errno;
			break;
		}
	}
	free(pfds);
	return err;
}

int scry_bpf_launched_status(const struct scry_bpf *b)
{
	return b ? b->tg.launched_status : -1;
}

uint64_t scry_bpf_lost(const struct scry_bpf *b)
{
	return b && b->skel->bss ? __atomic_load_n(&b->skel->bss->lost, __ATOMIC_RELAXED) : 0;
}

uint64_t scry_bpf_ia32_execs(const struct scry_bpf *b, pid_t *last)
{
	if (!b || !b->skel->bss)
		return 0;
	*last = (pid_t)__atomic_load_n(&b->skel->bss->ia32_pid, __ATOMIC_RELAXED);
	return __atomic_load_n(&b->skel->bss->ia32_execs, __ATOMIC_RELAXED);
}

double scry_bpf_elapsed(const struct scry_bpf *b)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - b->start.tv_sec) + (double)(now.tv_nsec - b->start.tv_nsec) / 1e9;
}

/* ---- reading the maps into struct scry_stats ---- */

/* One row being assembled: the kernel key and the summed counters. */
struct acc {
	struct scry_bpf_key key;
	struct scry_stats_row row;
};

static int cmp_key(const void *a, const void *b)
{
	const struct scry_bpf_key *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->epoch < y->epoch ? -1 : x->epoch > y->epoch;
}

static void free_accs(struct acc *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].row.hist);
	free(a);
}

/* Appends the row of key: the sum of every CPU's share (vals). */
static int acc_push(struct scry_bpf *b, struct acc **a, size_t *n, size_t *alloc,
		    const struct scry_bpf_key *key, const struct scry_bpf_val *vals)
{
	struct scry_stats_row *row;

	if (*n == *alloc) {
		size_t na = *alloc ? *alloc * 2 : 64;
		struct acc *t = realloc(*a, na * sizeof(*t));

		if (!t)
			return -ENOMEM;
		*a = t;
		*alloc = na;
	}
	row = &(*a)[*n].row;
	memset(&(*a)[*n], 0, sizeof(**a));
	(*a)[*n].key = *key;
	row->pid = (int)key->tgid;
	row->nr = (int)key->nr;
	row->min_ns = UINT64_MAX;
	row->hist = calloc(1, sizeof(*row->hist));
	if (!row->hist)
		return -ENOMEM;
	(*n)++;
	for (int c = 0; c < b->ncpus; c++) {
		const struct scry_bpf_val *v = &vals[c];

		if (!v->count)
			continue;
		row->calls += v->count;
		row->errors += v->errors;
		row->total_ns += v->total_ns;
		row->untimed += v->count - v->timed;
		row->weight_sq += v->wsq;
		if (!v->timed)
			continue;	/* (its min and max are not set) */
		if (v->min_ns < row->min_ns)
			row->min_ns = v->min_ns;
		if (v->max_ns > row->max_ns)
			row->max_ns = v->max_ns;
	}
	return 0;
}

static int any_count(const struct scry_bpf *b, const struct scry_bpf_val *vals)
{
	for (int c = 0; c < b->ncpus; c++)
		if (vals[c].count)
			return 1;
	return 0;
}

/*
 * The rows of one epoch (or of both: epoch < 0), every CPU's share summed,
 * sorted by key: the slots of scry_rows that counted, then scry_stats.
 */
static int read_rows(struct scry_bpf *b, int epoch, struct acc **out, size_t *nout)
{
	struct scry_bpf_val *vals = calloc((size_t)b->ncpus, sizeof(*vals));
	struct scry_bpf_key key, next, *prev = NULL;
	struct acc *a = NULL;
	size_t n = 0, alloc = 0;
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (uint32_t idx = 0; !b->per_process && idx < 2 * SCRY_BPF_MAX_NR; idx++) {
		struct scry_bpf_key k = { 0, idx % SCRY_BPF_MAX_NR, idx / SCRY_BPF_MAX_NR, 0 };

		if (epoch >= 0 && k.epoch != (uint32_t)epoch)
			continue;
		if (bpf_map_lookup_elem(b->rows_fd, &idx, vals)) {
			err = -errno;
			goto fail;
		}
		if (any_count(b, vals) && (err = acc_push(b, &a, &n, &alloc, &k, vals)))
			goto fail;
	}
	while (!bpf_map_get_next_key(b->stats_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (epoch >= 0 && key.epoch != (uint32_t)epoch)
			continue;
		if (bpf_map_lookup_elem(b->stats_fd, &key, vals))
			continue;	/* deleted under us (reset) */
		if ((err = acc_push(b, &a, &n, &alloc, &key, vals)))
			goto fail;
	}
	if (errno != ENOENT) {
		err = -errno;
		goto fail;
	}
	if (n)
		qsort(a, n, sizeof(*a), cmp_key);
	free(vals);
	*out = a;
	*nout = n;
	return 0;
fail:
	free(vals);
	free_accs(a, n);
	return err;
}

/* Zeroes the slots of scry_rows of one epoch (or both) that counted. */
static int clear_rows(struct scry_bpf *b, int epoch)
{
	struct scry_bpf_val *vals = calloc((size_t)b->ncpus, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	for (uint32_t idx = 0; !b->per_process && idx < 2 * SCRY_BPF_MAX_NR; idx++) {
		if (epoch >= 0 && idx / SCRY_BPF_MAX_NR != (uint32_t)epoch)
			continue;
		if (bpf_map_lookup_elem(b->rows_fd, &idx, vals)) {
			err = -errno;
			break;
		}
		if (!any_count(b, vals))
			continue;
		memset(vals, 0, (size_t)b->ncpus * sizeof(*vals));
		if (bpf_map_update_elem(b->rows_fd, &idx, vals, BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	free(vals);
	return err;
}

/* Adds every (row, bucket) count of scry_hist to the rows' histograms. */
static int read_hist(struct scry_bpf *b, struct acc *a, size_t n)
{
	uint64_t *cnt = calloc((size_t)b->ncpus, sizeof(*cnt));
	struct scry_bpf_hkey key, next, *prev = NULL;

	if (!cnt)
		return -ENOMEM;
	while (!bpf_map_get_next_key(b->hist_fd, prev, &next)) {
		struct acc *row;
		uint64_t sum = 0;

		key = next;
		prev = &key;
		if (key.bucket >= SCRY_HIST_BUCKETS || bpf_map_lookup_elem(b->hist_fd, &key, cnt))
			continue;
		/* struct acc begins with its key: bsearch by key */
		row = n ? bsearch(&key.key, a, n, sizeof(*a), cmp_key) : NULL;
		if (!row)
			continue;	/* its row was reset or appeared since */
		for (int c = 0; c < b->ncpus; c++)
			sum += cnt[c];
		row->row.hist->buckets[key.bucket] += sum;
		row->row.hist->count += sum;
	}
	free(cnt);
	return errno == ENOENT ? 0 : -errno;
}

/*
 * Calls each claimed slot of scry_hslots of one epoch (or both) with its
 * syscall and the slot's index; the callback sees every CPU's share.
 */
static int each_hslot(struct scry_bpf *b, int epoch,
		      int (*fn)(struct scry_bpf *b, uint32_t nr, uint32_t ep, uint32_t idx, void *ctx),
		      void *ctx)
{
	for (uint32_t nr = 0; b->hist_slots && nr < SCRY_BPF_MAX_NR; nr++) {
		uint32_t slot = 0;

		if (bpf_map_lookup_elem(b->hslot_of_fd, &nr, &slot))
			return -errno;
		if (!slot || slot > b->hist_slots)
			continue;
		for (uint32_t ep = 0; ep < 2; ep++) {
			int err;

			if (epoch >= 0 && ep != (uint32_t)epoch)
				continue;
			err = fn(b, nr, ep, ep * b->hist_slots + slot - 1, ctx);
			if (err)
				return err;
		}
	}
	return 0;
}

struct hslot_read {
	struct acc *a;
	size_t n;
	struct scry_bpf_hist *buf;	/* ncpus of them */
};

static int add_hslot(struct scry_bpf *b, uint32_t nr, uint32_t ep, uint32_t idx, void *ctx)
{
	struct hslot_read *r = ctx;
	struct scry_bpf_key key = { 0, nr, ep, 0 };
	struct acc *row;

	if (!r->n)
		return 0;	/* no rows (bsearch takes no NULL array) */
	if (bpf_map_lookup_elem(b->hslots_fd, &idx, r->buf))
		return -errno;
	row = bsearch(&key, r->a, r->n, sizeof(*r->a), cmp_key);
	if (!row)
		return 0;	/* no call ended in that epoch */
	for (int c = 0; c < b->ncpus; c++)
		for (uint32_t i = 0; i < SCRY_HIST_BUCKETS; i++) {
			row->row.hist->buckets[i] += r->buf[c].b[i];
			row->row.hist->count += r->buf[c].b[i];
		}
	return 0;
}

static int zero_hslot(struct scry_bpf *b, uint32_t nr, uint32_t ep, uint32_t idx, void *ctx)
{
	struct scry_bpf_hist *zero = ctx;

	return bpf_map_update_elem(b->hslots_fd, &idx, zero, BPF_ANY) ? -errno : 0;
}

/* The whole histograms of the rows that have a slot. */
static int read_hslots(struct scry_bpf *b, int epoch, struct acc *a, size_t n)
{
	struct hslot_read r = { a, n, calloc((size_t)b->ncpus, sizeof(struct scry_bpf_hist)) };
	int err;

	if (!r.buf)
		return -ENOMEM;
	err = each_hslot(b, epoch, add_hslot, &r);
	free(r.buf);
	return err;
}

static int clear_hslots(struct scry_bpf *b, int epoch)
{
	struct scry_bpf_hist *zero = calloc((size_t)b->ncpus, sizeof(*zero));
	int err;

	if (!zero)
		return -ENOMEM;
	err = each_hslot(b, epoch, zero_hslot, zero);
	free(zero);
	return err;
}

static int read_epoch(struct scry_bpf *b, int epoch, struct scry_stats *out)
{
	struct acc *a = NULL;
	size_t n = 0;
	int err;

	err = read_rows(b, epoch, &a, &n);
	if (err)
		return err;
	err = read_hslots(b, epoch, a, n);
	if (!err)
		err = read_hist(b, a, n);
	for (size_t i = 0; !err && i < n; i++) {
		scry_stats_row_unsample(&a[i].row);
		err = scry_stats_add_row(out, &a[i].row);
	}
	free_accs(a, n);
	return err;
}

int scry_bpf_read(struct scry_bpf *b, struct scry_stats *out)
{
	return read_epoch(b, -1, out);
}

/*
 * Deleting the key a walk stands on restarts the walk from the first
 * bucket, so collect the keys first, then delete them.
 */
static int clear_map(int fd, size_t key_size, int epoch)
{
	char *keys = NULL, *prev = NULL, next[32], last[32];
	size_t n = 0, alloc = 0;
	int err = 0;

	if (key_size > sizeof(next))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		/* both key types begin with a struct scry_bpf_key */
		if (epoch >= 0 && ((struct scry_bpf_key *)next)->epoch != (uint32_t)epoch) {
			memcpy(last, next, key_size);
			prev = last;
			continue;
		}
		if (n == alloc) {
			size_t na = alloc ? alloc * 2 : 256;
			char *t = realloc(keys, na * key_size);

			if (!t) {
				free(keys);
				return -ENOMEM;
			}
			keys = t;
			alloc = na;
		}
		memcpy(keys + n * key_size, next, key_size);
		prev = keys + n * key_size;
		n++;
	}
	if (errno != ENOENT)
		err = -errno;
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) && errno != ENOENT && !err)
			err = -errno;
	free(keys);
	return err;
}

int scry_bpf_reset(struct scry_bpf *b)
{
	int err = clear_rows(b, -1);

	if (!err)
		err = clear_hslots(b, -1);
	if (!err)
		err = clear_map(b->stats_fd, sizeof(struct scry_bpf_key), -1);

	return err ? err : clear_map(b->hist_fd, sizeof(struct scry_bpf_hkey), -1);
}

/* The (row, errno) counts of one epoch, every CPU's share summed, to fn. */
static int read_errs(struct scry_bpf *b, int epoch,
		     int (*fn)(void *ctx, int pid, int nr, int err, uint64_t n), void *ctx)
{
	uint64_t *cnt = calloc((size_t)b->ncpus, sizeof(*cnt));
	struct scry_bpf_ekey key, next, *prev = NULL;
	int err = 0;

	if (!cnt)
		return -ENOMEM;
	while (!bpf_map_get_next_key(b->errs_fd, prev, &next)) {
		uint64_t sum = 0;

		key = next;
		prev = &key;
		if (key.key.epoch != (uint32_t)epoch || bpf_map_lookup_elem(b->errs_fd, &key, cnt))
			continue;
		for (int c = 0; c < b->ncpus; c++)
			sum += cnt[c];
		if (sum && (err = fn(ctx, (int)key.key.tgid, (int)key.key.nr, (int)key.err, sum)))
			break;
	}
	if (!err && errno != ENOENT)
		err = -errno;
	free(cnt);
	return err;
}

int scry_bpf_read_reset(struct scry_bpf *b, struct scry_stats *out)
{
	return scry_bpf_read_reset_errnos(b, out, NULL, NULL);
}

int scry_bpf_read_reset_errnos(struct scry_bpf *b, struct scry_stats *out,
			       int (*fn)(void *ctx, int pid, int nr, int err, uint64_t n),
			       void *ctx)
{
	uint32_t old = b->skel->bss->epoch;
	__atomic_store_n(&b->skel->bss->epoch, old ^ 1, __ATOMIC_SEQ_CST);
	/*
	 * Programs that read the old epoch may still be updating its rows:
	 * they run inside an RCU read-side section, and MEMBARRIER_CMD_GLOBAL
	 * returns after a grace period (synchronize_rcu()).
	 */
	if (syscall(SYS_membarrier, 1 /* MEMBARRIER_CMD_GLOBAL */, 0, 0) < 0)
		usleep(10000);
	int err = read_epoch(b, (int)old, out);
	if (!err)
		err = clear_rows(b, (int)old);
	if (!err)
		err = clear_hslots(b, (int)old);
	if (!err)
		err = clear_map(b->stats_fd, sizeof(struct scry_bpf_key), (int)old);
	if (!err)
		err = clear_map(b->hist_fd, sizeof(struct scry_bpf_hkey), (int)old);
	if (!err && fn)
		err = read_errs(b, (int)old, fn, ctx);
	if (!err && b->skel->rodata->count_errnos)
		err = clear_map(b->errs_fd, sizeof(struct scry_bpf_ekey), (int)old);
	return err;
}

int scry_bpf_exited_comm(struct scry_bpf *b, int pid, char *buf, size_t len)
{
	char comm[16];
	uint32_t key = (uint32_t)pid;

	if (!b || !b->skel->rodata->keep_comms ||
	    bpf_map_lookup_elem(bpf_map__fd(b->skel->maps.scry_comms), &key, comm))
		return -ENOENT;
	snprintf(buf, len, "%.*s", (int)sizeof(comm), comm);
	return 0;
}

static int id_listed(uint64_t id, const uint64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

int scry_bpf_set_cgroups(struct scry_bpf *b, const uint64_t *ids, size_t n)
{
	uint64_t key, next, *prev = NULL;
	uint8_t one = 1;

	if (n > SCRY_BPF_MAX_CGROUPS)
		return -ENOSPC;
	/* those no longer listed go first, so that the new ones fit */
	while (!bpf_map_get_next_key(b->cgroups_fd, prev, &next)) {
		if (!id_listed(next, ids, n) && !bpf_map_delete_elem(b->cgroups_fd, &next))
			continue;	/* prev stands: the walk goes on after it */
		key = next;
		prev = &key;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_update_elem(b->cgroups_fd, &ids[i], &one, BPF_ANY))
			return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

int scry_bpf_run_stats(const struct scry_bpf *b, uint64_t *ns, uint64_t *runs)
{
	struct bpf_program *p;

	*ns = *runs = 0;
	bpf_object__for_each_program(p, b->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		*ns += info.run_time_ns;
		*runs += info.run_cnt;
	}
	return 0;
}

#endif /* SCRY_NO_BPF */
