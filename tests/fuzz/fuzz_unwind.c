/*
 * libFuzzer target on the unwinder (src/unwind/) with hostile stacks: the
 * input is a thread's registers and the bytes of its stack, served through
 * the memory reader (as the bpf backend serves a stack copy) for this very
 * process, whose modules are real.  Whatever the bytes, the unwinder must
 * return a well-formed stack (at most max frames, truncated 0/1/2, the
 * source index in range, readable strings) without crashing or hanging:
 * stacks that loop, point anywhere, or end in the middle of a word.
 *
 * Input layout: byte 0 chooses the pc (a real function of this program
 * plus an offset, or a raw value from the input), bytes 1..136 the
 * registers (x86_64 DWARF order, 17 words; aarch64: the first 33), the
 * rest is the stack, mapped at STACK_BASE + (byte 1 & 0xff) * 8 from sp.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "unwind/unwind.h"

#define STACK_BASE 0x7ff000000000ull
#define MAXFRAMES 64

struct input {
	const uint8_t *stack;
	size_t len;
	uint64_t base;
};

static ssize_t serve(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct input *in = ctx;
	if (addr < in->base || addr - in->base >= in->len)
		return -1;
	size_t off = (size_t)(addr - in->base);
	size_t n = in->len - off < len ? in->len - off : len;
	memcpy(buf, in->stack + off, n);
	return (ssize_t)n;
}

__attribute__((noinline)) static int some_function(int x)
{
	return x * 3 + 1;
}

static struct unwinder *u;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 + 8 * 17)
		return 0;
	if (!u && unwinder_new(&u) < 0)
		abort();
	uint64_t regs[UNWIND_NREGS];
	memset(regs, 0, sizeof(regs));
	size_t nregs = (size - 1) / 8 < UNWIND_NREGS ? (size - 1) / 8 : UNWIND_NREGS;
	memcpy(regs, data + 1, nregs * 8);
	size_t used = 1 + nregs * 8;
	struct input in = { data + used, size - used, STACK_BASE };
#if defined(__x86_64__)
	const int pc = 16, sp = 7;
#elif defined(__aarch64__)
	const int pc = 32, sp = 31;
#else
	return 0;
#endif
	uint64_t have = (1ull << (pc + 1)) - 1;
	/* most inputs start in real code, so that the CFI is exercised */
	if (data[0] < 0xc0)
		regs[pc] = (uint64_t)(uintptr_t)&some_function + data[0];
	else if (data[0] < 0xe0)
		regs[pc] = (uint64_t)(uintptr_t)&LLVMFuzzerTestOneInput + (data[0] & 0x1f) * 4;
	regs[sp] = STACK_BASE + (data[1] & 0x3f) * 8;
	if (data[0] & 1)
		have &= ~(1ull << 6);      /* an unknown register */
	struct scry_frame frames[MAXFRAMES];
	struct scry_stack st;
	int r = unwinder_unwind(u, getpid(), (pid_t)syscall(SYS_gettid), have, regs, serve, &in,
				data[0] & 2, frames, MAXFRAMES, &st);
	if (r < 0)
		return 0;
	if (st.nframes > MAXFRAMES || st.truncated < 0 || st.truncated > 2 || st.frames != frames)
		abort();
	if (st.source < -1 || st.source >= (int)st.nframes)
		abort();
	size_t total = 0;
	for (unsigned i = 0; i < st.nframes; i++) {
		const struct scry_frame *f = &frames[i];
		total += f->object ? strlen(f->object) : 0;
		total += f->function ? strlen(f->function) : 0;
		total += f->file ? strlen(f->file) : 0;
		if (f->line < 0 || (f->line && !f->file))
			abort();
	}
	return some_function((int)total) == 0;
}
