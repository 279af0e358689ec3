/*
 * Unit tests for the decoder rows (decode/decode.h: struct decoder_entry):
 * one row per decoded syscall holds its decoder and what the bpf backend
 * captures for it.  A misspelt name, a capture of an argument the call does
 * not have, or a row that claims bpf shows the call in full while its
 * decoder reads memory bpf does not capture, fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "scry/scry.h"

static const struct scry_syscall_info *in_any_table(const char *name)
{
	const struct scry_syscall_table *tabs[] = { &scry_table_x86_64, &scry_table_aarch64 };

	for (size_t i = 0; i < 2; i++) {
		long nr = scry_syscall_lookup(tabs[i], name);
		if (nr >= 0)
			return scry_syscall_get(tabs[i], nr);
	}
	return NULL;
}

/* Every row names a syscall of x86_64 or aarch64, once, with a decoder. */
static void test_row_names(void **state)
{
	size_t rows = 0;

	for (size_t f = 0; f < decode_nfamilies; f++) {
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++, rows++) {
			if (!in_any_table(e->name))
				fail_msg("decoder row \"%s\" names no syscall of x86_64 or aarch64", e->name);
			if (!e->fn)
				fail_msg("decoder row \"%s\" has no decoder", e->name);
			if (decode_row(e->name) != e)
				fail_msg("syscall \"%s\" has two decoder rows", e->name);
		}
	}
	assert_true(rows > 150);
}

/* Every family file's table is in decode_families[]: a table left out
 * (a file split in two, a new family) would leave its calls to the generic
 * decoder without a word.  Each table is named here with a call it holds. */
extern const struct decoder_entry decoders_file[], decoders_file_stat[],
	decoders_file_ioctl[], decoders_net[], decoders_mem[], decoders_process[],
	decoders_signal[], decoders_events[], decoders_misc[];

static void test_families_listed(void **state)
{
	const struct { const struct decoder_entry *tab; const char *call; } fam[] = {
		{ decoders_file, "openat" }, { decoders_file_stat, "newfstatat" },
		{ decoders_file_stat, "statfs" }, { decoders_file_ioctl, "ioctl" },
		{ decoders_net, "connect" }, { decoders_mem, "mmap" },
		{ decoders_process, "execve" }, { decoders_signal, "rt_sigaction" },
		{ decoders_events, "epoll_wait" }, { decoders_misc, "setxattr" },
	};

	for (size_t i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		const struct decoder_entry *r = fam[i].tab;
		size_t f;

		for (f = 0; f < decode_nfamilies; f++)
			if (decode_families[f] == fam[i].tab)
				break;
		if (f == decode_nfamilies)
			fail_msg("the table holding %s is not in decode_families[]", fam[i].call);
		while (r->name && strcmp(r->name, fam[i].call))
			r++;
		if (!r->name)
			fail_msg("%s: not in the table named for it", fam[i].call);
		assert_ptr_equal(decode_row(fam[i].call), r);
	}
}

/* decoders_build() puts each row's decoder at its number; the rest get
 * the generic decoder. */
static void test_build_uses_rows(void **state)
{
	const struct scry_syscall_table *t = scry_native_table();
	decoder_fn *tab = decoders_build(t);
	size_t placed = 0;

	assert_non_null(tab);
	for (unsigned nr = 0; nr < t->ncalls; nr++) {
		const struct scry_syscall_info *info = scry_syscall_get(t, nr);
		const struct decoder_entry *e = info ? decode_row(info->name) : NULL;

		assert_ptr_equal(tab[nr], e ? e->fn : decode_generic);
		placed += e != NULL;
	}
	assert_true(placed > 100);
	free(tab);
}

/* A capture names arguments the call has (1-based), and a complete row's
 * argument structs have a size. */
static void test_capture_arguments(void **state)
{
	for (size_t f = 0; f < decode_nfamilies; f++) {
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++) {
			const struct scry_syscall_info *info = in_any_table(e->name);
			const struct bpf_capture *c = &e->cap;
			uint8_t args[] = { c->buf, c->buf_count, c->addr, c->addrlen, c->out,
					   c->in == CAP_AT_SP ? 0 : c->in,
					   c->out_count == CAP_COUNT_RET ? 0 : c->out_count, c->argv, c->envp };

			for (size_t i = 0; i < sizeof(args); i++)
				if (args[i] > info->nargs)
					fail_msg("%s: capture of argument %u, but it has %u", e->name,
						 args[i], info->nargs);
			if ((c->in && !c->in_size) || (c->out && !c->out_size))
				fail_msg("%s: a struct captured with no size", e->name);
			if ((c->buf && !c->buf_when) || (c->addr && !c->addr_when))
				fail_msg("%s: a capture without when", e->name);
		}
	}
}

/*
 * Each pointer argument points into a region of its own; reading tracee memory
 * through fake_mem records which arguments' memory the decoder read, how
 * far, and reads zeros (NULL pointers inside, empty strings).
 */
#define BASE(i)  ((uint64_t)(i + 1) << 24)
#define SPAN     ((uint64_t)1 << 24)   /* up to the next argument's */
#define SP_ARG   6   /* the stack pointer's region */

struct reads {
	uint64_t end[7];   /* furthest byte read + 1, from the region's start; 0: none */
	int stray;         /* reads outside every region */
	uint64_t stray_addr;
};

static ssize_t fake_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct reads *r = ctx;

	for (int i = 0; i < 7; i++) {
		if (addr >= BASE(i) && addr < BASE(i) + SPAN) {
			uint64_t end = addr - BASE(i) + len;

			if (end > r->end[i])
				r->end[i] = end;
			memset(buf, 0, len);
			return (ssize_t)len;
		}
	}
	r->stray++;
	r->stray_addr = addr;
	return -14;
}

static void run_decoder(const struct decoder_entry *e, long nr, const struct scry_syscall_info *info,
			int verbose, struct reads *r)
{
	static uint64_t args[6];
	struct scry_values in = SCRY_VALUES_INIT, out = SCRY_VALUES_INIT;
	struct dctx d;

	/* pointers into their regions; numbers small (counts of 2: a huge
	 * count would read on and on, as no real call does) */
	for (int i = 0; i < 6; i++) {
		int ty = i < info->nargs ? info->argtypes[i] : SCRY_ARG_PTR;

		args[i] = ty == SCRY_ARG_PTR || ty == SCRY_ARG_PATH || ty == SCRY_ARG_STR ? BASE(i) : 2;
	}
	memset(&d, 0, sizeof(d));
	d.pid = d.tid = getpid();
	d.nr = nr;
	d.info = info;
	d.args = args;
	d.limit = 32;
	d.verbose = verbose;
	d.sp = BASE(SP_ARG);
	d.mem = fake_mem;
	d.mem_ctx = r;
	d.envc1 = 1;       /* bpf counts envp's entries: none */
	d.out = &in;
	if (e->fn(&d) != DEC_DONE) {
		d.exiting = 1;
		d.ret = 1;     /* one byte, one event, fd 1 ... */
		d.out = &out;
		e->fn(&d);
	}
	scry_values_release(&in);
	scry_values_release(&out);
}

/* How many bytes of argument i (0-based; SP_ARG: at the stack pointer) bpf
 * captures for the row: 0 none, UINT64_MAX "as much as the decoder reads"
 * (strings, buffers cut at -s, arrays counted at run time). */
static uint64_t captured(const struct decoder_entry *e, const struct scry_syscall_info *info, int i)
{
	const struct bpf_capture *c = &e->cap;
	int a = i + 1, ns = 0;

	for (int j = 0; j < info->nargs && ns < 2; j++) {
		if (info->argtypes[j] == SCRY_ARG_PATH || info->argtypes[j] == SCRY_ARG_STR) {
			if (j == i)
				return UINT64_MAX;
			ns++;
		}
	}
	if (i == SP_ARG)
		return c->in == CAP_AT_SP ? (uint64_t)c->in_off + c->in_size : 0;
	if (c->buf == a || c->addr == a || c->argv == a)
		return UINT64_MAX;
	if (c->addr_when == CAP_EXIT && c->addrlen == a)
		return sizeof(uint32_t);
	if (c->out == a)
		return c->out_count ? UINT64_MAX : c->out_size;
	if (c->in == a)
		return c->in_size;
	return 0;
}

static void test_complete_rows_read_only_captures(void **state)
{
	const struct scry_syscall_table *t = scry_native_table();
	int checked = 0;

	for (size_t f = 0; f < decode_nfamilies; f++) {
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++) {
			long nr = scry_syscall_lookup(t, e->name);
			const struct scry_syscall_info *info = scry_syscall_get(t, nr);

			if (!e->cap.complete || !info)
				continue;
			for (int verbose = 0; verbose < 1 + (e->cap.complete == 1); verbose++) {
				struct reads r;

				memset(&r, 0, sizeof(r));
				run_decoder(e, nr, info, verbose, &r);
				if (r.stray)
					fail_msg("%s: read %#llx, outside its arguments", e->name,
						 (unsigned long long)r.stray_addr);
				for (int i = 0; i < 7; i++) {
					uint64_t have = captured(e, info, i);

					if (r.end[i] > have)
						fail_msg("%s%s: reads %llu bytes at %s %d, bpf captures %llu",
							 e->name, verbose ? " (-v)" : "",
							 (unsigned long long)r.end[i],
							 i == SP_ARG ? "the stack pointer" : "argument",
							 i == SP_ARG ? 0 : i + 1, (unsigned long long)have);
				}
			}
			checked++;
		}
	}
	assert_true(checked > 50);
}

/* The auto-backend policy (scry_backend_choose) derives from the rows. */
static void test_backend_choose(void **state)
{
	const struct scry_syscall_table *t = scry_native_table();
	struct scry_config cfg = SCRY_CONFIG_INIT;
	uint64_t bits[16];

	memset(bits, 0, sizeof(bits));
#define SET(name) do { long n_ = scry_syscall_lookup(t, name); assert_true(n_ >= 0); \
	bits[n_ / 64] |= 1ull << (n_ % 64); } while (0)
	SET("openat");
	SET("read");
	SET("fstatfs");
	cfg.syscall_bitmap = bits;
	cfg.syscall_bitmap_words = 16;
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_BPF);
	/* launched: ptrace with seccomp serves; -y, -P, status=, CPU time: ptrace */
	assert_int_equal(scry_backend_choose(&cfg, 0), SCRY_BACKEND_PTRACE);
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY | SCRY_NEED_RESULT_FILTER),
			 SCRY_BACKEND_PTRACE);
	cfg.fd_paths = 1;
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_PTRACE);
	cfg.fd_paths = 0;
	cfg.cpu_time = 1;
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_PTRACE);
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_COUNTS_ONLY), SCRY_BACKEND_PTRACE);
	cfg.cpu_time = 0;
	/* execve: bpf counts envp's entries, -v shows them: ptrace then */
	memset(bits, 0, sizeof(bits));
	SET("execve");
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_BPF);
	cfg.verbose = 1;
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_PTRACE);
	cfg.verbose = 0;
	/* a call whose decoder reads what bpf does not capture: ptrace */
	SET("readv");
	assert_false(decode_row("readv")->cap.complete);
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_PTRACE);
	/* only counts: bpf, launched or attached, whatever the calls */
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_COUNTS_ONLY), SCRY_BACKEND_BPF);
	/* no filter: every call, so some bpf cannot show */
	cfg.syscall_bitmap = NULL;
	assert_int_equal(scry_backend_choose(&cfg, SCRY_NEED_ATTACH_ONLY), SCRY_BACKEND_PTRACE);
	assert_int_equal(scry_backend_choose(NULL, SCRY_NEED_COUNTS_ONLY), SCRY_BACKEND_PTRACE);
#undef SET
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_names),
		cmocka_unit_test(test_families_listed),
		cmocka_unit_test(test_build_uses_rows),
		cmocka_unit_test(test_capture_arguments),
		cmocka_unit_test(test_complete_rows_read_only_captures),
		cmocka_unit_test(test_backend_choose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
