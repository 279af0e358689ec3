/*
 * -c under 32-bit (issue 21): calls an ia32 process makes are counted in a
 * table of their own, strace's "System call usage summary for 32 bit
 * mode", their twins (close) included, not merged with the native calls of
 * the same x86_64 number.
 *
 * This machine runs no 32-bit code, so the engine is handed the calls as
 * the ptrace backend hands over an ia32 process's (scry_compat_nr()'s
 * numbers, t->pers PERS_IA32) with this process as the tracee, whose
 * memory the decoders read; the events go to the -c sink and to a sink
 * that keeps each exit's scry_call.compat_nr.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "core/engine.h"
#include "core/internal.h"
#include "output/summary_sink.h"
#include "scry/filter.h"

#define I386_CLOSE 6
#define I386_LLSEEK 140
#define I386_SOCKETCALL 102
#define I386_CONNECT 362

static long seen[16];
static size_t nseen;

static int keep_compat_nr(void *ctx, const struct scry_event *ev)
{
	(void)ctx;
	if (ev->type == SCRY_EV_CALL_EXIT && nseen < sizeof(seen) / sizeof(seen[0]))
		seen[nseen++] = ev->u.call.compat_nr;
	return 0;
}

/* One call through the engine: entry, then exit with ret. */
static void call(struct scry_session *s, struct tracee *t, int pers, long nr, const uint64_t a[6],
		 int64_t ret)
{
	static uint64_t args[6];
	memcpy(args, a, sizeof(args));
	t->pers = (unsigned char)pers;
	struct raw_call rc = { .nr = nr, .args = args, .t_enter_ns = 1000 };
	assert_true(engine_enter(s, t, &rc) >= 0);
	struct raw_result rr = { .ret = ret, .is_error = ret < 0, .t_exit_ns = 2000, .duration_ns = 1000 };
	assert_true(engine_exit(s, t, &rr) >= 0);
}

static const char *name_of(int nr, void *ctx)
{
	return scry_syscall_name(ctx, nr);
}

static void test_summary_32bit_table(void **state)
{
	(void)state;
	struct scry_config cfg = SCRY_CONFIG_INIT;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	struct scry_summary_sink ss;
	struct scry_sink sink, keep = { .event = keep_compat_nr };
	scry_summary_sink_init(&ss, 0);
	scry_summary_sink_as_sink(&ss, &sink);
	sink.free = NULL;   /* released below */
	assert_int_equal(scry_session_add_sink(s, &sink), 0);
	assert_int_equal(scry_session_add_sink(s, &keep), 0);

	struct tracee t;
	memset(&t, 0, sizeof(t));
	t.tid = t.tgid = getpid();
	nseen = 0;
	const uint64_t fd[6] = { 999 };
	long close64 = scry_syscall_lookup(&scry_table_x86_64, "close");
	/* a 64-bit close, then the ia32 process's close (i386 6, decoded as
	 * x86_64 close) and _llseek (SCRY_NR_I386 + 140) */
	call(s, &t, PERS_NATIVE, close64, fd, -9);
	call(s, &t, PERS_IA32, scry_compat_nr(SCRY_AUDIT_ARCH_I386, I386_CLOSE), fd, -9);
	call(s, &t, PERS_IA32, scry_compat_nr(SCRY_AUDIT_ARCH_I386, I386_CLOSE), fd, -9);
	const uint64_t seek[6] = { 999, 0, 0, 0, 0 };
	call(s, &t, PERS_IA32, scry_compat_nr(SCRY_AUDIT_ARCH_I386, I386_LLSEEK), seek, -9);

	/* socketcall(SYS_CONNECT, words) is connect: counted as i386 connect */
	unsigned char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(1) };
	memcpy(low + 64, &sa, sizeof(sa));
	uint32_t words[3] = { 999, (uint32_t)(uintptr_t)(low + 64), sizeof(sa) };
	memcpy(low, words, sizeof(words));
	const uint64_t sc[6] = { 3 /* SYS_CONNECT */, (uint32_t)(uintptr_t)low };
	call(s, &t, PERS_IA32, SCRY_NR_I386 + I386_SOCKETCALL, sc, -9);
	/* calls i386 has only through socketcall and ipc (accept, send,
	 * semop): in the 32-bit table too, by those names, as strace's */
	memcpy(low, words, sizeof(words));
	const uint64_t acc[6] = { 5 /* SYS_ACCEPT */, (uint32_t)(uintptr_t)low };
	call(s, &t, PERS_IA32, SCRY_NR_I386 + I386_SOCKETCALL, acc, -9);
	const uint64_t snd[6] = { 9 /* SYS_SEND */, (uint32_t)(uintptr_t)low };
	call(s, &t, PERS_IA32, SCRY_NR_I386 + I386_SOCKETCALL, snd, -9);
	const uint64_t sop[6] = { 1 /* SEMOP */, 999, 1, 0, (uint32_t)(uintptr_t)(low + 256) };
	call(s, &t, PERS_IA32, SCRY_NR_I386 + SCRY_I386_IPC, sop, -22);
	/* and a 64-bit accept stays in the native table */
	call(s, &t, PERS_NATIVE, scry_syscall_lookup(&scry_table_x86_64, "accept"), fd, -9);

	assert_int_equal(nseen, 9);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], SCRY_NR_I386 + I386_CLOSE);
	assert_int_equal(seen[2], SCRY_NR_I386 + I386_CLOSE);
	assert_int_equal(seen[3], SCRY_NR_I386 + I386_LLSEEK);
	assert_int_equal(seen[4], SCRY_NR_I386 + I386_CONNECT);
	assert_int_equal(seen[5], SCRY_NR_I386 + SCRY_I386_SUBCALL);       /* accept */
	assert_int_equal(seen[6], SCRY_NR_I386 + SCRY_I386_SUBCALL + 1);   /* send */
	assert_int_equal(seen[7], SCRY_NR_I386 + SCRY_I386_SUBCALL + 3);   /* semop */
	assert_int_equal(seen[8], 0);

	struct scry_summary_opts o = { .name = name_of, .ctx = (void *)&scry_table_x86_64, .seconds = -1 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(scry_stats_print_text(&ss.stats, f, &o), 0);
	fclose(f);
	if (getenv("SHOW"))
		fputs(text, stderr);
	const char *mode32 = strstr(text, "\nSystem call usage summary for 32 bit mode:\n");
	if (!mode32)
		fail_msg("no 32-bit table in:\n%s", text);
	/* the native table: the 64-bit close alone */
	const char *close_native = strstr(text, "\nclose ");
	assert_non_null(close_native);
	assert_true(close_native < mode32);
	assert_non_null(strstr(close_native, "close                  1       1"));
	assert_true(strstr(text, "_llseek") > mode32);
	/* the 32-bit one: its two closes, _llseek, connect */
	assert_non_null(strstr(mode32, "\nclose                  2       2"));
	assert_non_null(strstr(mode32, "\n_llseek                1       1"));
	assert_non_null(strstr(mode32, "\nconnect                1       1"));
	assert_non_null(strstr(mode32, "\naccept                 1       1"));
	assert_non_null(strstr(mode32, "\nsend                   1       1"));
	assert_non_null(strstr(mode32, "\nsemop                  1       1"));
	const char *accept_native = strstr(text, "\naccept ");
	assert_true(accept_native && accept_native < mode32);
	assert_non_null(strstr(accept_native, "accept                 1       1"));
	free(text);

	munmap(low, 4096);
	free(t.call.frames);
	scry_values_release(&t.call.vals);
	scry_session_free(s);
	scry_summary_sink_release(&ss);
}

/* Only 32-bit calls: their table alone, under its heading. */
static void test_summary_only_32bit(void **state)
{
	(void)state;
	struct scry_stats st;
	scry_stats_init(&st, 0);
	assert_int_equal(scry_stats_add(&st, 1, (int)(SCRY_NR_I386 + I386_LLSEEK), 1000, 0), 0);
	struct scry_summary_opts o = { .name = name_of, .ctx = (void *)&scry_table_x86_64, .seconds = -1 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(scry_stats_print_text(&st, f, &o), 0);
	fclose(f);
	const char *mode32 = strstr(text, "System call usage summary for 32 bit mode:\n=");
	if (!mode32)
		fail_msg("no 32-bit table in:\n%s", text);
	/* one table: one heading row, one total */
	const char *first = strstr(text, "Syscall ");
	assert_non_null(first);
	assert_true(first > mode32);
	assert_null(strstr(first + 1, "Syscall "));
	free(text);
	scry_stats_release(&st);
}

static const char *last_name;
static int64_t last_ret;

static int keep_exit(void *ctx, const struct scry_event *ev)
{
	(void)ctx;
	if (ev->type == SCRY_EV_CALL_EXIT) {
		last_name = ev->u.call.name;
		last_ret = ev->u.call.ret;
	}
	return 0;
}

/* ipc(SHMAT, ...) is shmat, whose result is the address the kernel wrote
 * to the word at third (the call itself returns 0), as strace shows it;
 * -e trace=shmat traces ipc too (for --seccomp-bpf) and selects it. */
static void test_ipc_shmat_result(void **state)
{
	(void)state;
	struct scry_filter f;
	char err[256];
	scry_filter_init(&f, &scry_table_x86_64);
	assert_int_equal(scry_filter_parse(&f, "trace=shmat", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&f, SCRY_NR_I386 + SCRY_I386_IPC));
	assert_false(scry_filter_traced(&f, SCRY_NR_I386 + SCRY_I386_SOCKETCALL));
	/* send and recv (i386's only through socketcall) and semtimedop
	 * (through ipc) are names -e accepts, and trace those calls */
	struct scry_filter g;
	scry_filter_init(&g, &scry_table_x86_64);
	assert_int_equal(scry_filter_parse(&g, "trace=send,recv", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&g, SCRY_NR_I386 + SCRY_I386_SOCKETCALL));
	assert_true(scry_filter_traced(&g, SCRY_NR_I386 + SCRY_I386_SUBCALL + 1));
	assert_false(scry_filter_traced(&g, SCRY_NR_I386 + SCRY_I386_IPC));
	scry_filter_init(&g, &scry_table_x86_64);
	assert_int_equal(scry_filter_parse(&g, "trace=semtimedop", err, sizeof(err)), 0);
	assert_true(scry_filter_traced(&g, SCRY_NR_I386 + SCRY_I386_IPC));
	assert_false(scry_filter_traced(&g, SCRY_NR_I386 + SCRY_I386_SOCKETCALL));

	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.syscall_bitmap = f.trace;
	cfg.syscall_bitmap_words = SCRY_FILTER_MAX_NR / 64;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	struct scry_sink keep = { .event = keep_exit };
	assert_int_equal(scry_session_add_sink(s, &keep), 0);
	struct tracee t;
	memset(&t, 0, sizeof(t));
	t.tid = t.tgid = getpid();
	uint32_t *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(word != MAP_FAILED);
	word[0] = 0xf7f00000u;
	const uint64_t a[6] = { 21 /* SHMAT */, 65538, 0, (uint32_t)(uintptr_t)word, 0 };
	last_name = NULL;
	call(s, &t, PERS_IA32, SCRY_NR_I386 + SCRY_I386_IPC, a, 0);
	assert_non_null(last_name);
	assert_string_equal(last_name, "shmat");
	assert_int_equal(last_ret, 0xf7f00000u);
	/* ipc(SHMDT) is shmdt, which -e trace=shmat does not select, though
	 * ipc is traced */
	last_name = NULL;
	call(s, &t, PERS_IA32, SCRY_NR_I386 + SCRY_I386_IPC, (const uint64_t[6]){ 22, 0, 0, 0, 0x1000 }, 0);
	assert_null(last_name);
	munmap(word, 4096);
	scry_values_release(&t.call.vals);
	scry_session_free(s);
}

static char entry_text[256];

static int keep_entry_text(void *ctx, const struct scry_event *ev)
{
	(void)ctx;
	if (ev->type == SCRY_EV_CALL_ENTER && ev->u.call.entry_args) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addf(&sb, "%s(", ev->u.call.name ? ev->u.call.name : "?");
		render_text_list(&sb, ev->u.call.entry_args, 0, 1);
		snprintf(entry_text, sizeof(entry_text), "%s", sb.buf);
		strbuf_release(&sb);
	}
	return 0;
}

/* semctl through ipc: its arg is the word ipc read from the union at ptr,
 * in brackets as strace shows an indirect call's (indirect_ipccall); the
 * direct i386 semctl shows the word bare. */
static void test_ipc_semctl_indirect(void **state)
{
	(void)state;
	struct scry_config cfg = SCRY_CONFIG_INIT;
	struct scry_session *s;
	assert_int_equal(scry_session_new(&s, &cfg), 0);
	struct scry_sink keep = { .event = keep_entry_text };
	assert_int_equal(scry_session_add_sink(s, &keep), 0);
	struct tracee t;
	memset(&t, 0, sizeof(t));
	t.tid = t.tgid = getpid();
	uint32_t *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(word != MAP_FAILED);
	word[0] = 1;
	/* ipc(SEMCTL, semid, semnum, cmd, ptr): SETVAL 1 */
	const uint64_t a[6] = { 3, 5, 0, 0x100 | 16 /* IPC_64|SETVAL */, (uint32_t)(uintptr_t)word };
	entry_text[0] = '\0';
	call(s, &t, PERS_IA32, SCRY_NR_I386 + SCRY_I386_IPC, a, 0);
	assert_string_equal(entry_text, "semctl(5, 0, IPC_64|SETVAL, [0x1]");
	/* the direct call (i386 394) */
	const uint64_t b[6] = { 5, 0, 0x100 | 16, 1 };
	entry_text[0] = '\0';
	call(s, &t, PERS_IA32, scry_compat_nr(SCRY_AUDIT_ARCH_I386, 394), b, 0);
	assert_string_equal(entry_text, "semctl(5, 0, IPC_64|SETVAL, 0x1");
	/* and a call after the ipc one is not taken for indirect */
	entry_text[0] = '\0';
	call(s, &t, PERS_IA32, SCRY_NR_I386 + SCRY_I386_IPC, a, 0);
	call(s, &t, PERS_IA32, scry_compat_nr(SCRY_AUDIT_ARCH_I386, 394), b, 0);
	assert_string_equal(entry_text, "semctl(5, 0, IPC_64|SETVAL, 0x1");
	munmap(word, 4096);
	free(t.call.frames);
	scry_values_release(&t.call.vals);
	scry_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_32bit_table),
		cmocka_unit_test(test_summary_only_32bit),
		cmocka_unit_test(test_ipc_shmat_result),
		cmocka_unit_test(test_ipc_semctl_indirect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
