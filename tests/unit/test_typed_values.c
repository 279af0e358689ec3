/*
 * Unit tests of the forms that were strace text inside the values and are
 * typed now (issue 11, item 2): a siginfo, select's fd sets, poll's answer
 * and "Timeout", futex's wake op, time()'s time, and the sockaddr forms
 * strace writes through functions.  Each is checked three ways: its kind in
 * the values, its strace text (byte for byte what scry printed before, which
 * was strace's), and its JSON.
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
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/futex.h>
#include <time.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "output/encode.h"
#include "output/text.h"

/* ---- helpers ---- */

static char *text_of(const struct scry_values *vs, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	render_text_value(&sb, vs, i);
	char *s = strdup(sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return s;
}

static char *json_of(const struct scry_values *vs)
{
	struct strbuf sb = STRBUF_INIT;
	json_add_value(&sb, vs);
	char *s = strdup(sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return s;
}

static char *json_args_of(const struct scry_values *entry, const struct scry_values *exit)
{
	struct strbuf sb = STRBUF_INIT;
	json_add_args(&sb, entry, exit);
	char *s = strdup(sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return s;
}

static void dctx_for(struct dctx *d, struct scry_values *vs)
{
	memset(d, 0, sizeof(*d));
	d->pid = d->tid = getpid();
	d->limit = 32;
	d->out = vs;
}

/* Index of the first node named name (depth first), or vs->n. */
static size_t find(const struct scry_values *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i].name && !strcmp(vs->v[i].name, name))
			return i;
	return vs->n;
}

static int has_kind(const struct scry_values *vs, enum scry_vtype t)
{
	for (size_t i = 0; i < vs->n; i++)
		if (vs->v[i].type == t)
			return 1;
	return 0;
}

/* ---- siginfo ---- */

struct si_case {
	int signo, code, err;
	int pid, status;
	uint64_t addr;
	const char *text;
};

static void test_siginfo_text_and_kinds(void **state)
{
	(void)state;
	/* The texts are what the renderer before issue 11 printed (strace's). */
	static const struct si_case cases[] = {
		{ SIGCHLD, CLD_EXITED, 0, 42, 3, 0,
		  "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, si_uid=1000, si_status=3, si_utime=5 /* 0.05 s */, si_stime=6 /* 0.06 s */}" },
		{ SIGCHLD, CLD_KILLED, 0, 42, SIGKILL, 0,
		  "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=42, si_uid=1000, si_status=SIGKILL, si_utime=5 /* 0.05 s */, si_stime=6 /* 0.06 s */}" },
		{ SIGCHLD, CLD_STOPPED, 0, 42, 99, 0,
		  "{si_signo=SIGCHLD, si_code=CLD_STOPPED, si_pid=42, si_uid=1000, si_status=99, si_utime=5 /* 0.05 s */, si_stime=6 /* 0.06 s */}" },
		{ SIGUSR1, SI_USER, 0, 7, 0, 0, "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=7, si_uid=1000}" },
		{ SIGUSR1, SI_TKILL, 0, 7, 0, 0, "{si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=7, si_uid=1000}" },
		{ 40, SI_QUEUE, 0, 7, 0, 0,
		  "{si_signo=SIGRT_8, si_code=SI_QUEUE, si_pid=7, si_uid=1000}" },
		{ SIGSEGV, SEGV_MAPERR, 0, 0, 0, 0, "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}" },
		{ SIGSEGV, SEGV_ACCERR, 0, 0, 0, 0x1234,
		  "{si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x1234}" },
		{ SIGBUS, 99, 0, 0, 0, 0x10, "{si_signo=SIGBUS, si_code=99, si_addr=0x10}" },
		{ SIGTRAP, SI_KERNEL, 0, 0, 0, 0, "{si_signo=SIGTRAP, si_code=SI_KERNEL, si_addr=NULL}" },
		{ SIGALRM, SI_TIMER, 0, 0, 0, 0, "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=0, si_ptr=NULL}" },
		{ SIGPIPE, 100, 5, 0, 0, 0, "{si_signo=SIGPIPE, si_code=100, si_errno=EIO}" },
		{ 0, 1, 0, 0, 0, 0, "{si_signo=0, si_code=1}" },
		{ 65, SI_USER, 0, 1, 0, 0, "{si_signo=65, si_code=SI_USER, si_pid=1, si_uid=1000}" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct si_case *c = &cases[k];
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = c->signo;
		si.si_code = c->code;
		si.si_errno = c->err;
		if (c->signo == SIGCHLD || (c->code <= 0 && c->code != SI_TIMER)) {
			si.si_pid = c->pid;
			si.si_uid = 1000;
		}
		if (c->signo == SIGCHLD) {
			si.si_status = c->status;
			si.si_utime = 5;
			si.si_stime = 6;
		}
		if (c->addr)
			si.si_addr = (void *)(uintptr_t)c->addr;
		struct scry_values vs = SCRY_VALUES_INIT;
		struct dctx d;
		dctx_for(&d, &vs);
		assert_int_equal(v_siginfo(&d, NULL, &si), 0);
		assert_int_equal(vs.v[0].type, SCRY_V_STRUCT);
		assert_false(has_kind(&vs, SCRY_V_TEXT));
		char *t = text_of(&vs, 0);
		assert_string_equal(t, c->text);
		free(t);
		size_t signo = find(&vs, "si_signo"), code = find(&vs, "si_code");
		assert_int_equal(vs.v[signo].type, SCRY_V_ENUM);
		assert_int_equal(vs.v[signo].i, c->signo);
		assert_int_equal(vs.v[code].type, SCRY_V_ENUM);
		assert_int_equal(vs.v[code].i, c->code);
		scry_values_release(&vs);
	}
}

static void test_siginfo_json(void **state)
{
	(void)state;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = CLD_KILLED;
	si.si_pid = 42;
	si.si_uid = 1000;
	si.si_status = SIGKILL;
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	dctx_for(&d, &vs);
	v_siginfo(&d, NULL, &si);
	char *j = json_of(&vs);
	assert_string_equal(j, "{\"si_signo\":\"SIGCHLD\",\"si_code\":\"CLD_KILLED\",\"si_pid\":42,"
			       "\"si_uid\":1000,\"si_status\":\"SIGKILL\",\"si_utime\":0,\"si_stime\":0}");
	free(j);
	scry_values_release(&vs);

	/* an unnamed code is its number; a pointer a string */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSEGV;
	si.si_code = 77;
	si.si_addr = (void *)0xdead0;
	dctx_for(&d, &vs);
	v_siginfo(&d, NULL, &si);
	j = json_of(&vs);
	assert_string_equal(j, "{\"si_signo\":\"SIGSEGV\",\"si_code\":77,\"si_addr\":\"0xdead0\"}");
	free(j);
	scry_values_release(&vs);
}

/* A SIGNAL event with values: the text sink renders the values (not the
 * compatibility text) and JSON writes the object. */
static void test_signal_event_sinks(void **state)
{
	(void)state;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 9;
	si.si_status = 3;
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	dctx_for(&d, &vs);
	v_siginfo(&d, NULL, &si);
	struct scry_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SCRY_EV_SIGNAL;
	ev.pid = ev.tid = 100;
	ev.u.signal.signo = SIGCHLD;
	ev.u.signal.info = si;
	ev.u.signal.values = &vs;
	ev.u.signal.text = "not this";

	const char *fmts[] = { "text", "jsonl" };
	const char *want[] = {
		"--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=9, si_uid=0, si_status=3, "
		"si_utime=0, si_stime=0} ---\n",
		"\"info\":{\"si_signo\":\"SIGCHLD\",\"si_code\":\"CLD_EXITED\",\"si_pid\":9,\"si_uid\":0,"
		"\"si_status\":3,\"si_utime\":0,\"si_stime\":0}",
	};
	for (int k = 0; k < 2; k++) {
		int fd = memfd_create("scry-typed", 0);
		assert_true(fd >= 0);
		struct output_opts oo = OUTPUT_OPTS_INIT;
		oo.fd = fd;
		struct scry_sink sink;
		char err[256];
		const struct output_format *f = output_format_find(fmts[k]);
		assert_non_null(f);
		assert_int_equal(f->open(&sink, f, &oo, err, sizeof(err)), 0);
		assert_int_equal(sink.event(sink.ctx, &ev), 0);
		assert_int_equal(scry_sink_finish(&sink, NULL), 0);
		scry_sink_free(&sink);
		char buf[4096];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_non_null(strstr(buf, want[k]));
		assert_null(strstr(buf, "not this"));
		close(fd);
	}
	scry_values_release(&vs);
}

/* ---- the events family ---- */

struct call {
	struct scry_values vs;
	struct dctx d;
	uint64_t args[6];
};

static decoder_fn *tab;

static int setup(void **state)
{
	(void)state;
	tab = decoders_build(scry_native_table());
	return tab ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(tab);
	return 0;
}

/* Decodes name at entry and at exit with ret. */
static void decode_call(struct call *c, const char *name, int64_t ret, uint64_t a0, uint64_t a1,
			uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	memset(c, 0, sizeof(*c));
	const struct scry_syscall_table *t = scry_native_table();
	dctx_for(&c->d, &c->vs);
	c->d.nr = scry_syscall_lookup(t, name);
	assert_true(c->d.nr >= 0);
	c->d.info = scry_syscall_get(t, c->d.nr);
	c->args[0] = a0; c->args[1] = a1; c->args[2] = a2;
	c->args[3] = a3; c->args[4] = a4; c->args[5] = a5;
	c->d.args = c->args;
	decoder_fn fn = tab[c->d.nr];
	if (fn(&c->d)) {
		c->d.exiting = 1;
		c->d.ret = ret;
		fn(&c->d);
	}
}

/* The values after the result as the text shows them: " (in [3], ...)". */
static char *after_text(const struct scry_values *vs)
{
	struct strbuf sb = STRBUF_INIT;
	render_text_after(&sb, vs);
	char *s = strdup(sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return s;
}

static void test_select_sets(void **state)
{
	(void)state;
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(3, &r);
	FD_SET(4, &r);
	struct call c;
	decode_call(&c, "select", 1, 5, (uintptr_t)&r, (uintptr_t)&w, 0, 0, 0);
	size_t inp = find(&c.vs, "inp");
	assert_int_equal(c.vs.v[inp].type, SCRY_V_ARRAY);
	assert_int_equal(c.vs.v[inp].count, 2);
	/* the sets a call is given hold fds (-y names them, as strace does) */
	assert_int_equal(c.vs.v[inp + 1].type, SCRY_V_FD);
	assert_int_equal(c.vs.v[inp + 2].i, 4);
	char *t = text_of(&c.vs, inp);
	assert_string_equal(t, "[3 4]");
	free(t);
	/* the empty set shows in the request, not in the answer */
	t = text_of(&c.vs, find(&c.vs, "outp"));
	assert_string_equal(t, "[]");
	free(t);
	t = after_text(&c.vs);
	assert_string_equal(t, " (in [3 4])");
	free(t);
	assert_false(has_kind(&c.vs, SCRY_V_TEXT));
	char *j = json_args_of(&c.vs, NULL);
	assert_string_equal(j, "{\"n\":5,\"inp\":[3,4],\"outp\":[],\"exp\":null,\"tvp\":null,\"in\":[3,4]}");
	free(j);
	scry_values_release(&c.vs);
}

static void test_poll_answer_and_timeout(void **state)
{
	(void)state;
	struct pollfd pf[2] = { { 3, POLLIN, POLLIN }, { 4, POLLOUT, 0 } };
	struct timespec ts = { 1, 2 };
	uint64_t mask = 1ull << (SIGUSR1 - 1);
	struct call c;
	decode_call(&c, "ppoll", 1, (uintptr_t)pf, 2, (uintptr_t)&ts, (uintptr_t)&mask, 8, 0);
	char *t = after_text(&c.vs);
	assert_string_equal(t, " ([{fd=3, revents=POLLIN}], left {tv_sec=1, tv_nsec=2})");
	free(t);
	size_t sm = find(&c.vs, "sigmask");
	assert_int_equal(c.vs.v[sm].type, SCRY_V_SIGSET);
	t = text_of(&c.vs, sm);
	assert_string_equal(t, "[USR1]");
	free(t);
	char *j = json_args_of(&c.vs, NULL);
	assert_non_null(strstr(j, ",\"sigmask\":{\"names\":[\"SIGUSR1\"],\"inverted\":false},"));
	assert_non_null(strstr(j, ",\"revents\":[{\"fd\":3,\"revents\":{\"value\":1,\"names\":[\"POLLIN\"]}}],"
				  "\"left\":{\"tv_sec\":1,\"tv_nsec\":2}}"));
	free(j);
	scry_values_release(&c.vs);

	decode_call(&c, "poll", 0, (uintptr_t)pf, 1, 0, 0, 0, 0);
	t = after_text(&c.vs);
	assert_string_equal(t, " (Timeout)");
	free(t);
	size_t to = find(&c.vs, "timeout");
	assert_int_equal(c.vs.v[to].type, SCRY_V_ENUM);
	j = json_args_of(&c.vs, NULL);
	assert_non_null(strstr(j, ",\"timeout\":\"Timeout\"}"));
	free(j);
	scry_values_release(&c.vs);
}

static void test_futex_wake_op(void **state)
{
	(void)state;
	uint32_t word = 0;
	struct call c;
	uint32_t op = FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_GT, 0);
	decode_call(&c, "futex", 0, (uintptr_t)&word, FUTEX_WAKE_OP, 1, 2, (uintptr_t)&word, op);
	size_t v3 = find(&c.vs, "val3");
	assert_int_equal(c.vs.v[v3].type, SCRY_V_OR);
	assert_int_equal(c.vs.v[v3].u, op);
	char *t = text_of(&c.vs, v3);
	assert_string_equal(t, "FUTEX_OP_SET<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0");
	free(t);
	struct scry_values one = { &c.vs.v[v3], scry_values_skip(&c.vs, v3) - v3, 0,
				   c.vs.arena, c.vs.arena_len, 0, 0 };
	char *j = json_of(&one);
	assert_string_equal(j, "{\"value\":67112960,\"names\":[\"FUTEX_OP_SET\",\"FUTEX_OP_CMP_GT\"],"
			       "\"oparg\":1,\"cmparg\":0}");
	free(j);
	scry_values_release(&c.vs);

	/* unknown parts: hex with a remark, the number in JSON */
	op = (8u << 28) | (5u << 28) | (9u << 24) | 0xabc;
	decode_call(&c, "futex", 0, (uintptr_t)&word, FUTEX_WAKE_OP, 1, 2, (uintptr_t)&word, op);
	v3 = find(&c.vs, "val3");
	t = text_of(&c.vs, v3);
	assert_string_equal(t, "FUTEX_OP_OPARG_SHIFT<<28|0x5<<28 /* FUTEX_OP_??? */|0<<12|"
			       "0x9<<24 /* FUTEX_OP_CMP_??? */|0xabc");
	free(t);
	struct scry_values two = { &c.vs.v[v3], scry_values_skip(&c.vs, v3) - v3, 0,
				   c.vs.arena, c.vs.arena_len, 0, 0 };
	j = json_of(&two);
	assert_string_equal(j, "{\"value\":3640658620,\"names\":[\"FUTEX_OP_OPARG_SHIFT\"],"
			       "\"op\":5,\"oparg\":0,\"cmp\":9,\"cmparg\":2748}");
	free(j);
	scry_values_release(&c.vs);
}

static void test_time_of_day(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	int64_t t = 1795967681;
	struct call c;
	decode_call(&c, "time", t, (uintptr_t)&t, 0, 0, 0, 0, 0);
	size_t tm = find(&c.vs, "time");
	assert_true(tm < c.vs.n);
	assert_int_equal(c.vs.v[tm].type, SCRY_V_TIME);
	assert_int_equal(c.vs.v[tm].i, t);
	char *s = after_text(&c.vs);
	assert_string_equal(s, " (2026-11-29T15:54:41+0000)");
	free(s);
	char *j = json_args_of(&c.vs, NULL);
	assert_string_equal(j, "{\"tloc\":[1795967681,\"2026-11-29T15:54:41+0000\"],"
			       "\"time\":\"2026-11-29T15:54:41+0000\"}");
	free(j);
	scry_values_release(&c.vs);
}

/* ---- sockaddr ---- */

static void test_sockaddr_in6(void **state)
{
	(void)state;
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(443);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	dctx_for(&d, &vs);
	v_sockaddr_bytes(&d, "addr", &sin6, sizeof(sin6));
	assert_false(has_kind(&vs, SCRY_V_TEXT));
	size_t a = find(&vs, "sin6_addr");
	assert_int_equal(vs.v[a].type, SCRY_V_FUNC);
	assert_int_equal(vs.v[a].fmt, SCRY_FMT_ADDROF);
	char *t = text_of(&vs, 0);
	assert_string_equal(t, "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
			       "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}");
	free(t);
	char *j = json_args_of(&vs, NULL);
	assert_string_equal(j, "{\"addr\":\"[::1]:443\",\"addr_fields\":{\"sa_family\":\"AF_INET6\","
			       "\"sin6_port\":443,\"sin6_flowinfo\":0,\"sin6_addr\":\"::1\",\"sin6_scope_id\":0}}");
	free(j);
	scry_values_release(&vs);

	/* a link-local address names its interface */
	char lo[IF_NAMESIZE];
	unsigned idx = if_nametoindex("lo");
	if (!idx || !if_indextoname(idx, lo))
		return;
	inet_pton(AF_INET6, "fe80::1", &sin6.sin6_addr);
	sin6.sin6_scope_id = idx;
	dctx_for(&d, &vs);
	d.xflag = 2;   /* -xx: every string in hex, the function's too */
	v_sockaddr_bytes(&d, "addr", &sin6, sizeof(sin6));
	size_t s = find(&vs, "sin6_scope_id");
	assert_int_equal(vs.v[s].type, SCRY_V_FUNC);
	t = text_of(&vs, s);
	assert_string_equal(t, "if_nametoindex(\"\\x6c\\x6f\")");
	free(t);
	t = text_of(&vs, find(&vs, "sin6_addr"));
	assert_string_equal(t, "inet_pton(AF_INET6, \"\\x66\\x65\\x38\\x30\\x3a\\x3a\\x31\", &sin6_addr)");
	free(t);
	j = json_args_of(&vs, NULL);
	assert_non_null(strstr(j, "\"sin6_addr\":\"fe80::1\",\"sin6_scope_id\":\"lo\"}"));
	free(j);
	scry_values_release(&vs);
}

static void test_sockaddr_abstract_unix(void **state)
{
	(void)state;
	struct sockaddr_un sun;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, "\0a\"b\001", 5);
	size_t len = offsetof(struct sockaddr_un, sun_path) + 5;
	struct scry_values vs = SCRY_VALUES_INIT;
	struct dctx d;
	dctx_for(&d, &vs);
	v_sockaddr_bytes(&d, "addr", &sun, len);
	size_t p = find(&vs, "sun_path");
	assert_int_equal(vs.v[p].type, SCRY_V_STR);
	assert_true(vs.v[p].fmt & SCRY_FMT_AT);
	assert_int_equal(vs.v[p].str_len, 4);
	char *t = text_of(&vs, 0);
	assert_string_equal(t, "{sa_family=AF_UNIX, sun_path=@\"a\\\"b\\1\"}");
	free(t);
	char *j = json_args_of(&vs, NULL);
	assert_string_equal(j, "{\"addr\":\"@a\\\"b\\u0001\",\"addr_fields\":{\"sa_family\":\"AF_UNIX\","
			       "\"sun_path\":\"@a\\\"b\\u0001\"}}");
	free(j);
	scry_values_release(&vs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siginfo_text_and_kinds),
		cmocka_unit_test(test_siginfo_json),
		cmocka_unit_test(test_signal_event_sinks),
		cmocka_unit_test(test_select_sets),
		cmocka_unit_test(test_poll_answer_and_timeout),
		cmocka_unit_test(test_futex_wake_op),
		cmocka_unit_test(test_time_of_day),
		cmocka_unit_test(test_sockaddr_in6),
		cmocka_unit_test(test_sockaddr_abstract_unix),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
