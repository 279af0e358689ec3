/*
 * The sampler: perf_event_open cpu-clock samples of every thread of some
 * processes, as `perf record -p` takes them, parsed out of the ring buffers
 * and handed to a callback.  Knows nothing of stacks beyond the bytes.
 *
 * Events: PERF_TYPE_SOFTWARE / PERF_COUNT_SW_CPU_CLOCK (these VMs have no
 * hardware PMU), one per (thread x CPU) with inherit=1, so threads and
 * children created later are sampled too.  A per-thread inherited event
 * cannot be mmapped (EINVAL), so the first event of each CPU owns that
 * CPU's ring buffer and every other event of that CPU is redirected into
 * it with PERF_EVENT_IOC_SET_OUTPUT.
 *
 * Never prints; notes (clamped frequency, no kernel stacks, throttling)
 * go to the note callback as one line each, once.
 */
#ifndef SCRY_PROFILE_SAMPLER_H
#define SCRY_PROFILE_SAMPLER_H

#include <stdint.h>
#include <sys/types.h>

enum sampler_callgraph { SAMPLER_DWARF = 0, SAMPLER_FP = 1 };

struct sampler_config {
	unsigned freq;            /* Hz; above the kernel's maximum: clamped */
	enum sampler_callgraph call_graph;
	unsigned stack_size;      /* dwarf: bytes of user stack per sample */
	int kernel;               /* -1: where permitted, 0: never, 1: required */
	unsigned mmap_pages;      /* data pages per CPU (power of 2), 0: 1024
	                             (fewer where the mlock limit says so) */
	int enable_on_exec;       /* targets are held before exec: start there */
};

/* One sample, valid during the callback. */
struct sampler_sample {
	pid_t pid, tid;
	uint32_t cpu;
	uint64_t time;            /* perf clock (CLOCK_MONOTONIC), ns */
	uint64_t period;          /* ns of CPU this sample stands for */
	uint64_t ip;
	const uint64_t *kchain;   /* kernel frames, leaf first */
	unsigned nk;
	const uint64_t *uchain;   /* fp: user frames, leaf first */
	unsigned nu;
	/* dwarf: user registers as struct raw_regs numbers them (DWARF
	 * numbering), and the copy of the stack from regs' sp */
	uint64_t regs_have;
	uint64_t regs[33];
	const unsigned char *stack;
	uint64_t stack_len;
	uint64_t sp;
};

enum sampler_task_kind {
	SAMPLER_FORK,             /* tid started (pid == tid: a new process, of ppid) */
	SAMPLER_EXIT,             /* tid ended (pid == tid: the process ended) */
	SAMPLER_COMM,             /* tid's name is comm */
	SAMPLER_EXEC,             /* pid exec'd; comm is the new name */
};

struct sampler_callbacks {
	void (*sample)(void *ctx, const struct sampler_sample *s);
	/* ppid, ptid: FORK's and EXIT's parent process and thread (0 else) */
	void (*task)(void *ctx, enum sampler_task_kind kind, pid_t pid, pid_t tid, pid_t ppid,
		     pid_t ptid, const char *comm);
	void (*note)(void *ctx, const char *line);
	void *ctx;
	/* an executable mapping pid made (PERF_RECORD_MMAP2: the exec's own
	 * and every later one, in order with the samples); NULL: not told */
	void (*mmap)(void *ctx, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff, uint32_t maj,
		     uint32_t min, uint64_t ino, const char *path);
};

struct sampler_counts {
	uint64_t samples;         /* PERF_RECORD_SAMPLE seen */
	uint64_t lost;            /* PERF_RECORD_LOST + LOST_SAMPLES */
	uint64_t throttled;       /* PERF_RECORD_THROTTLE */
	uint64_t events;          /* perf events open */
	unsigned freq;            /* Hz in use */
	unsigned freq_asked;
	int kernel;               /* kernel stacks taken */
};

struct sampler;

int sampler_new(struct sampler **out, const struct sampler_config *cfg, const struct sampler_callbacks *cb);
void sampler_free(struct sampler *s);

/*
 * Samples every thread of process pid (read from /proc/PID/task, twice, so
 * a thread born during the first pass is not missed; later ones inherit).
 * -ESRCH: no such process; -EACCES/-EPERM: not permitted (another user's
 * process, or perf_event_paranoid); -EMFILE: out of descriptors.
 */
int sampler_add_process(struct sampler *s, pid_t pid);
/* Starts the events (not needed with enable_on_exec). */
int sampler_enable(struct sampler *s);
int sampler_disable(struct sampler *s);
/* Waits up to timeout_ms for records and handles them all.  Returns the
 * number of records handled, or a negative errno (not -EINTR: 0). */
int sampler_poll(struct sampler *s, int timeout_ms);
const struct sampler_counts *sampler_counts(const struct sampler *s);

/* The kernel's limits, read from /proc/sys/kernel. */
unsigned sampler_max_freq(void);
int sampler_paranoid(void);

#endif
