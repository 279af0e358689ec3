/*
 * The sampler.  See profile/sampler.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "profile/sampler.h"

#if defined(__x86_64__)
/* perf's x86 register numbers (asm/perf_regs.h) of the DWARF registers
 * 0..16 (rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip), in DWARF order. */
static const int dwarf_to_perf[17] = { 0, 3, 2, 1, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 8 };
#define NDWARF 17
#define PERF_REG_SP 7
#elif defined(__aarch64__)
/* arm64: perf numbers x0..x30, sp, pc as DWARF does. */
static const int dwarf_to_perf[33] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
#define NDWARF 33
#define PERF_REG_SP 31
#else
#define NDWARF 0
#define PERF_REG_SP 0
static const int dwarf_to_perf[1] = { 0 };
#endif

struct ring {
	int fd;
	int cpu;
	void *base;
	size_t len;               /* data bytes (power of 2) */
};

struct sampler {
	struct sampler_config cfg;
	struct sampler_callbacks cb;
	struct sampler_counts counts;
	struct perf_event_attr attr;
	int attr_ready;
	int *cpus;
	int ncpus;
	struct ring *rings;       /* one per CPU, [ncpus] */
	int *fds;
	size_t nfds, capfds;
	uint64_t regs_mask;
	int nregs;                /* registers in each sample */
	unsigned char *scratch;   /* a record that wraps the ring */
	size_t scratch_len;
	int noted_throttle, noted_lost;
};

unsigned sampler_max_freq(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
	unsigned v = 0;
	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

int sampler_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = 2;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

static void note(struct sampler *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct sampler *s, const char *fmt, ...)
{
	if (!s->cb.note)
		return;
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->cb.note(s->cb.ctx, line);
}

/* The online CPUs, from /sys/devices/system/cpu/online ("0-3,5"). */
static int online_cpus(int **out)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "re");
	char buf[4096];
	int n = 0;
	int *cpus = NULL;
	if (f && fgets(buf, sizeof(buf), f)) {
		char *p = buf;
		while (*p && *p != '\n') {
			char *e;
			long a = strtol(p, &e, 10), b = a;
			if (e == p)
				break;
			if (*e == '-')
				b = strtol(e + 1, &e, 10);
			for (long c = a; c <= b && c < 4096; c++) {
				int *nc = realloc(cpus, (size_t)(n + 1) * sizeof(int));
				if (!nc) {
					free(cpus);
					fclose(f);
					return -ENOMEM;
				}
				cpus = nc;
				cpus[n++] = (int)c;
			}
			p = *e == ',' ? e + 1 : e;
		}
	}
	if (f)
		fclose(f);
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		n = c > 0 ? (int)c : 1;
		cpus = calloc((size_t)n, sizeof(int));
		if (!cpus)
			return -ENOMEM;
		for (int i = 0; i < n; i++)
			cpus[i] = i;
	}
	*out = cpus;
	return n;
}

int sampler_new(struct sampler **out, const struct sampler_config *cfg, const struct sampler_callbacks *cb)
{
	struct sampler *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	if (cb)
		s->cb = *cb;
	if (!s->cfg.mmap_pages)
		s->cfg.mmap_pages = 1024;
	if (s->cfg.mmap_pages & (s->cfg.mmap_pages - 1)) {
		free(s);
		return -EINVAL;
	}
	if (!s->cfg.freq)
		s->cfg.freq = 99;
	s->counts.freq_asked = s->cfg.freq;
	unsigned max = sampler_max_freq();
	if (max && s->cfg.freq > max) {
		note(s, "-F %u is above the kernel's limit (kernel.perf_event_max_sample_rate = %u): sampling at %u Hz",
		     s->cfg.freq, max, max);
		s->cfg.freq = max;
	}
	s->counts.freq = s->cfg.freq;
	int n = online_cpus(&s->cpus);
	if (n < 0) {
		free(s);
		return n;
	}
	s->ncpus = n;
	s->rings = calloc((size_t)n, sizeof(*s->rings));
	if (!s->rings) {
		free(s->cpus);
		free(s);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		s->rings[i].fd = -1;
		s->rings[i].cpu = s->cpus[i];
	}
	for (int i = 0; i < NDWARF; i++)
		s->regs_mask |= 1ull << dwarf_to_perf[i];
	s->nregs = __builtin_popcountll(s->regs_mask);
	*out = s;
	return 0;
}

void sampler_free(struct sampler *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ncpus; i++)
		if (s->rings[i].base)
			munmap(s->rings[i].base, s->rings[i].len + (size_t)sysconf(_SC_PAGESIZE));
	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	free(s->fds);
	free(s->rings);
	free(s->cpus);
	free(s->scratch);
	free(s);
}

static void make_attr(struct sampler *s, int exclude_kernel)
{
	struct perf_event_attr *a = &s->attr;
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_CPU_CLOCK;
	a->freq = 1;
	a->sample_freq = s->cfg.freq;
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			 PERF_SAMPLE_PERIOD;
	if (s->cfg.call_graph == SAMPLER_FP) {
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
	} else {
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = s->regs_mask;
		a->sample_stack_user = s->cfg.stack_size;
		if (!exclude_kernel) {
			/* the kernel part from the kernel, the user part from the copy */
			a->sample_type |= PERF_SAMPLE_CALLCHAIN;
			a->exclude_callchain_user = 1;
		}
	}
	a->inherit = 1;
	a->disabled = 1;
	a->enable_on_exec = s->cfg.enable_on_exec ? 1 : 0;
	a->task = 1;
	a->comm = 1;
	a->comm_exec = 1;
	/* executable mappings (a launched command's, from its exec): its
	 * modules even when it is gone before its samples are unwound */
	a->mmap = 1;
	a->mmap2 = 1;
	a->exclude_kernel = exclude_kernel ? 1 : 0;
	a->exclude_hv = 1;
	a->exclude_guest = 1;
	/* Sample times on CLOCK_MONOTONIC, not perf's local clock: they line
	 * up with the off-CPU and states times, and, moved by one offset,
	 * with a trace's calls (scry --profile, profile/trace_samples.h). */
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->watermark = 1;
	/* Woken at a quarter full: room left while the reader unwinds. */
	a->wakeup_watermark = (uint32_t)((size_t)s->cfg.mmap_pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
}

static int open_event(struct sampler *s, pid_t tid, int cpu)
{
	int fd = (int)syscall(SYS_perf_event_open, &s->attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The first event decides whether kernel stacks are permitted. */
static int first_event(struct sampler *s, pid_t tid, int cpu)
{
	int want_kernel = s->cfg.kernel != 0;
	make_attr(s, !want_kernel);
	int fd = open_event(s, tid, cpu);
	if ((fd == -EACCES || fd == -EPERM) && want_kernel && s->cfg.kernel < 0) {
		make_attr(s, 1);
		fd = open_event(s, tid, cpu);
		if (fd >= 0)
			note(s, "no kernel stacks: not permitted (kernel.perf_event_paranoid = %d; "
				"root, CAP_PERFMON or paranoid <= 1 allows them)", sampler_paranoid());
		want_kernel = 0;
	}
	if (fd >= 0) {
		s->attr_ready = 1;
		s->counts.kernel = want_kernel;
	}
	return fd;
}

static int map_ring(struct sampler *s, struct ring *r, int fd)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	for (unsigned pages = s->cfg.mmap_pages; pages >= 1; pages /= 2) {
		void *m = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			r->base = m;
			r->len = pages * page;
			r->fd = fd;
			if (pages < s->cfg.mmap_pages)
				note(s, "ring buffer of CPU %d: %u pages, not %u (kernel.perf_event_mlock_kb "
					"or RLIMIT_MEMLOCK); samples may be lost", r->cpu, pages, s->cfg.mmap_pages);
			return 0;
		}
		if (errno != EPERM && errno != ENOMEM)
			return -errno;
	}
	return -ENOMEM;
}

static int keep_fd(struct sampler *s, int fd)
{
	if (s->nfds == s->capfds) {
		size_t nc = s->capfds ? s->capfds * 2 : 64;
		int *n = realloc(s->fds, nc * sizeof(int));
		if (!n)
			return -ENOMEM;
		s->fds = n;
		s->capfds = nc;
	}
	s->fds[s->nfds++] = fd;
	s->counts.events++;
	return 0;
}

/* One event per CPU for thread tid.  -ESRCH when it is gone already. */
static int add_thread(struct sampler *s, pid_t tid)
{
	for (int i = 0; i < s->ncpus; i++) {
		struct ring *r = &s->rings[i];
		int fd = s->attr_ready ? open_event(s, tid, r->cpu) : first_event(s, tid, r->cpu);
		if (fd == -ENODEV)      /* a CPU gone offline */
			continue;
		if (fd < 0)
			return fd;
		int err;
		if (!r->base)
			err = map_ring(s, r, fd);
		else
			err = ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0 ? -errno : 0;
		if (err < 0) {
			close(fd);
			return err;
		}
		if (keep_fd(s, fd) < 0) {
			close(fd);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Threads already done: a small sorted set per add_process call. */
static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int sampler_add_process(struct sampler *s, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	pid_t *done = NULL;
	size_t ndone = 0, cap = 0;
	int err = 0, any = 0;
	/* Twice: a thread created while the first pass ran may come from a
	 * thread whose event was not open yet, so it inherited nothing. */
	for (int pass = 0; pass < 2 && !err; pass++) {
		DIR *d = opendir(path);
		if (!d) {
			err = errno == ENOENT ? -ESRCH : -errno;
			break;
		}
		size_t before = ndone;
		struct dirent *de;
		while ((de = readdir(d))) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			pid_t tid = (pid_t)atoi(de->d_name);
			if (before && bsearch(&tid, done, before, sizeof(pid_t), cmp_pid))
				continue;
			int r = add_thread(s, tid);
			if (r == -ESRCH)
				continue;       /* it ended meanwhile */
			if (r < 0) {
				err = r;
				break;
			}
			any = 1;
			if (ndone == cap) {
				cap = cap ? cap * 2 : 64;
				pid_t *n = realloc(done, cap * sizeof(pid_t));
				if (!n) {
					err = -ENOMEM;
					break;
				}
				done = n;
			}
			done[ndone++] = tid;
		}
		closedir(d);
		if (ndone)
			qsort(done, ndone, sizeof(pid_t), cmp_pid);
	}
	free(done);
	if (!err && !any)
		err = -ESRCH;
	return err;
}

static int ioctl_all(struct sampler *s, unsigned long req)
{
	int err = 0;
	for (size_t i = 0; i < s->nfds; i++)
		if (ioctl(s->fds[i], req, 0) < 0 && !err)
			err = -errno;
	return err;
}

int sampler_enable(struct sampler *s) { return ioctl_all(s, PERF_EVENT_IOC_ENABLE); }
int sampler_disable(struct sampler *s) { return ioctl_all(s, PERF_EVENT_IOC_DISABLE); }

const struct sampler_counts *sampler_counts(const struct sampler *s) { return &s->counts; }

/* ---- records ---- */

struct cursor {
	const unsigned char *p, *end;
};

static int take(struct cursor *c, void *out, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return -1;
	memcpy(out, c->p, n);
	c->p += n;
	return 0;
}

static int take64(struct cursor *c, uint64_t *v) { return take(c, v, 8); }

static void handle_sample(struct sampler *s, const unsigned char *rec, size_t len)
{
	struct cursor c = { rec + sizeof(struct perf_event_header), rec + len };
	struct sampler_sample sm;
	memset(&sm, 0, sizeof(sm));
	uint32_t pt[2], cpu[2];
	uint64_t kc[256], uc[256];
	if (take64(&c, &sm.ip) || take(&c, pt, 8) || take64(&c, &sm.time) || take(&c, cpu, 8) ||
	    take64(&c, &sm.period))
		return;
	sm.pid = (pid_t)pt[0];
	sm.tid = (pid_t)pt[1];
	sm.cpu = cpu[0];
	if (s->attr.sample_type & PERF_SAMPLE_CALLCHAIN) {
		uint64_t nr;
		if (take64(&c, &nr) || nr > (uint64_t)(c.end - c.p) / 8)
			return;
		int ctx_user = 0;
		for (uint64_t i = 0; i < nr; i++) {
			uint64_t ip = 0;
			take64(&c, &ip);
			if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
				ctx_user = ip == (uint64_t)PERF_CONTEXT_USER;
				continue;
			}
			if (ctx_user) {
				if (sm.nu < 256)
					uc[sm.nu++] = ip;
			} else if (sm.nk < 256) {
				kc[sm.nk++] = ip;
			}
		}
		sm.kchain = kc;
		sm.uchain = uc;
	}
	if (s->attr.sample_type & PERF_SAMPLE_REGS_USER) {
		uint64_t abi;
		if (take64(&c, &abi))
			return;
		if (abi != PERF_SAMPLE_REGS_ABI_NONE) {
			uint64_t r[64];
			if (take(&c, r, (size_t)s->nregs * 8))
				return;
			/* r[] is in perf's bit order; pick them into DWARF order */
			int idx[64], k = 0;
			for (int b = 0; b < 64; b++)
				idx[b] = (s->regs_mask >> b & 1) ? k++ : -1;
			for (int i = 0; i < NDWARF; i++) {
				sm.regs[i] = r[idx[dwarf_to_perf[i]]];
				sm.regs_have |= 1ull << i;
			}
			sm.sp = r[idx[PERF_REG_SP]];
		}
	}
	if (s->attr.sample_type & PERF_SAMPLE_STACK_USER) {
		uint64_t size;
		if (take64(&c, &size) || size > (uint64_t)(c.end - c.p))
			return;
		const unsigned char *data = c.p;
		c.p += size;
		uint64_t dyn = 0;
		if (size && take64(&c, &dyn) == 0 && dyn <= size) {
			sm.stack = data;
			sm.stack_len = dyn;
		}
	}
	s->counts.samples++;
	if (s->cb.sample)
		s->cb.sample(s->cb.ctx, &sm);
}

static void handle_record(struct sampler *s, const unsigned char *rec, size_t len)
{
	const struct perf_event_header *h = (const void *)rec;
	struct cursor c = { rec + sizeof(*h), rec + len };
	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		handle_sample(s, rec, len);
		break;
	case PERF_RECORD_LOST: {
		uint64_t id, lost;
		if (!take64(&c, &id) && !take64(&c, &lost))
			s->counts.lost += lost;
		break;
	}
	case PERF_RECORD_LOST_SAMPLES: {
		uint64_t lost;
		if (!take64(&c, &lost))
			s->counts.lost += lost;
		break;
	}
	case PERF_RECORD_THROTTLE:
		s->counts.throttled++;
		if (!s->noted_throttle++)
			note(s, "the kernel throttled sampling (kernel.perf_event_max_sample_rate now %u Hz; "
				"perf_cpu_time_max_percent exceeded): fewer samples than -F %u asks",
			     sampler_max_freq(), s->cfg.freq);
		break;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT: {
		uint32_t v[4];
		if (!take(&c, v, sizeof(v)) && s->cb.task)
			s->cb.task(s->cb.ctx, h->type == PERF_RECORD_FORK ? SAMPLER_FORK : SAMPLER_EXIT,
				   (pid_t)v[0], (pid_t)v[2], (pid_t)v[1], (pid_t)v[3], NULL);
		break;
	}
	case PERF_RECORD_COMM: {
		uint32_t v[2];
		if (take(&c, v, sizeof(v)))
			break;
		char comm[32];
		size_t n = (size_t)(c.end - c.p) < sizeof(comm) - 1 ? (size_t)(c.end - c.p) : sizeof(comm) - 1;
		memcpy(comm, c.p, n);
		comm[n] = '\0';
		if (s->cb.task)
			s->cb.task(s->cb.ctx, (h->misc & PERF_RECORD_MISC_COMM_EXEC) ? SAMPLER_EXEC : SAMPLER_COMM,
				   (pid_t)v[0], (pid_t)v[1], 0, 0, comm);
		break;
	}
	case PERF_RECORD_MMAP2: {
		uint32_t ids[2];
		uint64_t v[3];            /* addr, len, pgoff */
		uint32_t dev[2];
		uint64_t ino[2];          /* ino, ino_generation */
		uint32_t prot_flags[2];
		if (take(&c, ids, sizeof(ids)) || take(&c, v, sizeof(v)) || take(&c, dev, sizeof(dev)) ||
		    take(&c, ino, sizeof(ino)) || take(&c, prot_flags, sizeof(prot_flags)) || c.p >= c.end)
			break;
		char path[4096];
		size_t n = (size_t)(c.end - c.p) < sizeof(path) - 1 ? (size_t)(c.end - c.p) : sizeof(path) - 1;
		memcpy(path, c.p, n);
		path[n] = '\0';          /* (the record pads it with NULs) */
		if (s->cb.mmap && !(h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID))
			s->cb.mmap(s->cb.ctx, (pid_t)ids[0], v[0], v[1], v[2], dev[0], dev[1], ino[0], path);
		break;
	}
	default:
		break;
	}
}

static int drain(struct sampler *s, struct ring *r)
{
	struct perf_event_mmap_page *mp = r->base;
	unsigned char *data = (unsigned char *)r->base + sysconf(_SC_PAGESIZE);
	uint64_t head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = mp->data_tail;
	int n = 0;
	while (tail + sizeof(struct perf_event_header) <= head) {
		size_t off = (size_t)(tail & (r->len - 1));
		struct perf_event_header h;
		for (size_t i = 0; i < sizeof(h); i++)
			((unsigned char *)&h)[i] = data[(off + i) & (r->len - 1)];
		if (h.size < sizeof(h) || tail + h.size > head)
			break;
		const unsigned char *rec = data + off;
		if (off + h.size > r->len) {     /* wraps: copy it out */
			if (s->scratch_len < h.size) {
				unsigned char *nb = realloc(s->scratch, 65536);
				if (!nb)
					return -ENOMEM;
				s->scratch = nb;
				s->scratch_len = 65536;
			}
			size_t first = r->len - off;
			memcpy(s->scratch, data + off, first);
			memcpy(s->scratch + first, data, h.size - first);
			rec = s->scratch;
		}
		handle_record(s, rec, h.size);
		tail += h.size;
		/* give the room back at once: unwinding is slow next to sampling */
		__atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
		n++;
	}
	__atomic_store_n(&mp->data_tail, tail, __ATOMIC_RELEASE);
	return n;
}

int sampler_poll(struct sampler *s, int timeout_ms)
{
	struct pollfd pf[256];
	int np = 0;
	for (int i = 0; i < s->ncpus && np < 256; i++)
		if (s->rings[i].base) {
			pf[np].fd = s->rings[i].fd;
			pf[np].events = POLLIN;
			pf[np].revents = 0;
			np++;
		}
	if (timeout_ms != 0 && np) {
		int r = poll(pf, (nfds_t)np, timeout_ms);
		if (r < 0 && errno != EINTR)
			return -errno;
	} else if (timeout_ms > 0) {
		usleep((useconds_t)timeout_ms * 1000);
	}
	int total = 0;
	for (int i = 0; i < s->ncpus; i++)
		if (s->rings[i].base) {
			int n = drain(s, &s->rings[i]);
			if (n < 0)
				return n;
			total += n;
		}
	return total;
}
