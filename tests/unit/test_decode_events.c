/*
 * Unit tests for the events family decoders (src/decode/events.c): calls
 * decoded on buffers in this process, rendered to strace's text (compared
 * with strace 6.1's output) and checked in their typed form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <linux/futex.h>
#include <time.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "result_text.h"

/* The flag events.c puts on values shown after the result (its header). */
#ifdef SCRY_VF_AFTER
#define AFTER SCRY_VF_AFTER
#else
#define AFTER (1u << 4)
#endif

struct call {
	struct scry_values vs;
	struct dctx d;
	uint64_t args[6];
	int more;
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

static void call_init(struct call *c, const char *name, uint64_t a0, uint64_t a1, uint64_t a2,
		      uint64_t a3, uint64_t a4, uint64_t a5)
{
	memset(c, 0, sizeof(*c));
	const struct scry_syscall_table *t = scry_native_table();
	c->d.nr = scry_syscall_lookup(t, name);
	assert_true(c->d.nr >= 0);
	c->d.info = scry_syscall_get(t, c->d.nr);
	c->args[0] = a0; c->args[1] = a1; c->args[2] = a2;
	c->args[3] = a3; c->args[4] = a4; c->args[5] = a5;
	c->d.args = c->args;
	c->d.pid = c->d.tid = getpid();
	c->d.limit = 32;
	c->d.out = &c->vs;
}

/* Render the top-level values from i on as strace does: arguments, or
 * with after set, the values after the result ("name value"). */
static void render_part(struct strbuf *sb, const struct scry_values *vs, size_t i, int after_part)
{
	int first = 1;
	while (i < vs->n) {
		const struct scry_value *v = &vs->v[i];
		int is_after = (v->flags & AFTER) != 0;
		if (is_after != after_part) {
			i = scry_values_skip(vs, i);
			continue;
		}
		if (v->flags & SCRY_VF_COMMENT)
			strbuf_addch(sb, ' ');
		else if (!first)
			strbuf_addstr(sb, ", ");
		first = 0;
		if (after_part && v->name && (v->flags & SCRY_VF_NAMED))
			strbuf_addf(sb, "%s ", v->name);
		render_text_value(sb, vs, i);
		i = scry_values_skip(vs, i);
	}
}

/* Decode at entry and, if asked for, at exit with ret; the whole line. */
static char *run(struct call *c, int64_t ret, int failed)
{
	struct strbuf sb;
	decoder_fn fn = tab[c->d.nr];
	c->more = fn(&c->d);
	strbuf_init(&sb, 128);
	strbuf_addf(&sb, "%s(", c->d.info->name);
	if (c->more) {
		c->d.exiting = 1;
		c->d.ret = ret;
		c->d.failed = failed;
		fn(&c->d);
	}
	render_part(&sb, &c->vs, 0, 0);
	strbuf_addstr(&sb, ") = ");
	c->d.ret = ret;
	c->d.failed = failed;
	render_result(&sb, &c->d);
	size_t mark = sb.len;
	strbuf_addstr(&sb, " (");
	render_part(&sb, &c->vs, 0, 1);
	int any_after = 0;
	for (size_t i = 0; i < c->vs.n; i = scry_values_skip(&c->vs, i))
		if (c->vs.v[i].flags & AFTER)
			any_after = 1;
	if (any_after)
		strbuf_addch(&sb, ')');
	else
		strbuf_setlen(&sb, mark);
	char *s = strdup(sb.buf);
	strbuf_release(&sb);
	return s;
}

static void expect(struct call *c, int64_t ret, int failed, const char *want)
{
	char *got = run(c, ret, failed);
	assert_string_equal(got, want);
	free(got);
	scry_values_release(&c->vs);
}

/* ---- poll ---- */

static void test_poll(void **state)
{
	(void)state;
	struct call c;
	struct pollfd pf[3] = { { 3, POLLIN, 0 }, { 4, POLLIN | POLLOUT, 0 }, { -1, POLLIN, 0 } };
	call_init(&c, "poll", (uintptr_t)pf, 3, 100, 0, 0, 0);
	decoder_fn fn = tab[c.d.nr];
	assert_int_equal(fn(&c.d), 2); /* DEC_AFTER */
	/* the kernel's answer, as if written during the call */
	pf[0].revents = POLLIN;
	pf[1].revents = POLLOUT;
	c.d.exiting = 1;
	c.d.ret = 2;
	fn(&c.d);
	struct strbuf sb;
	strbuf_init(&sb, 64);
	render_part(&sb, &c.vs, 0, 0);
	assert_string_equal(sb.buf, "[{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}, {fd=-1}], 3, 100");
	strbuf_reset(&sb);
	render_part(&sb, &c.vs, 0, 1);
	assert_string_equal(sb.buf, "[{fd=3, revents=POLLIN}, {fd=4, revents=POLLOUT}]");
	/* typed form: array of structs with fd and events */
	const struct scry_value *v = &c.vs.v[0];
	assert_int_equal(v->type, SCRY_V_ARRAY);
	assert_string_equal(v->name, "fds");
	assert_int_equal(v->count, 3);
	assert_int_equal(c.vs.v[1].type, SCRY_V_STRUCT);
	assert_int_equal(c.vs.v[2].type, SCRY_V_FD);
	assert_string_equal(c.vs.v[2].name, "fd");
	assert_int_equal(c.vs.v[2].i, 3);
	assert_int_equal(c.vs.v[3].type, SCRY_V_FLAGS);
	assert_string_equal(c.vs.v[3].name, "events");
	assert_int_equal(c.vs.v[3].u, POLLIN);
	strbuf_release(&sb);
	scry_values_release(&c.vs);

	pf[0].revents = pf[1].revents = 0;
	call_init(&c, "poll", (uintptr_t)pf, 1, 0, 0, 0, 0);
	expect(&c, 0, 0, "poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)");
	call_init(&c, "poll", 0, 0, 1, 0, 0, 0);
	expect(&c, 0, 0, "poll(NULL, 0, 1) = 0 (Timeout)");
	call_init(&c, "poll", 1, 1, 0, 0, 0, 0);
	expect(&c, -14, 1, "poll(0x1, 1, 0) = -1 EFAULT (Bad address)");
	call_init(&c, "poll", (uintptr_t)pf, 1, 1000, 0, 0, 0);
	expect(&c, -516, 1, "poll([{fd=3, events=POLLIN}], 1, 1000) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
}

static void test_poll_limit(void **state)
{
	(void)state;
	struct pollfd pf[40];
	for (int i = 0; i < 40; i++) {
		pf[i].fd = 0;
		pf[i].events = POLLOUT;
		pf[i].revents = 0;
	}
	struct call c;
	call_init(&c, "poll", (uintptr_t)pf, 40, 0, 0, 0, 0);
	c.d.limit = 2;
	expect(&c, 0, 0, "poll([{fd=0, events=POLLOUT}, {fd=0, events=POLLOUT}, ...], 40, 0) = 0 (Timeout)");
	pf[0].events = 0;
	pf[1].events = 0x8000;
	call_init(&c, "poll", (uintptr_t)pf, 2, 0, 0, 0, 0);
	expect(&c, 0, 0, "poll([{fd=0, events=0}, {fd=0, events=POLL_BUSY_LOOP}], 2, 0) = 0 (Timeout)");
}

static void test_ppoll(void **state)
{
	(void)state;
	struct pollfd pf[1] = { { 3, POLLIN, POLLIN } };
	struct timespec ts = { 0, 999 };
	uint64_t set = 1ull << (SIGUSR1 - 1);
	struct call c;
	call_init(&c, "ppoll", (uintptr_t)pf, 1, (uintptr_t)&ts, (uintptr_t)&set, 8, 0);
	expect(&c, 1, 0, "ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=999}, [USR1], 8) = 1 "
			 "([{fd=3, revents=POLLIN}], left {tv_sec=0, tv_nsec=999})");
	call_init(&c, "ppoll", (uintptr_t)pf, 1, 0, 0, 8, 0);
	expect(&c, 1, 0, "ppoll([{fd=3, events=POLLIN}], 1, NULL, NULL, 8) = 1 ([{fd=3, revents=POLLIN}])");
	/* sets: more than half full print the complement; RT names */
	set = ~0ull & ~(3ull << 31);
	call_init(&c, "ppoll", 0, 0, (uintptr_t)&ts, (uintptr_t)&set, 8, 0);
	expect(&c, 0, 0, "ppoll(NULL, 0, {tv_sec=0, tv_nsec=999}, ~[RTMIN RT_1], 8) = 0 (Timeout)");
	set = 1ull | (1ull << 33) | (1ull << 63);
	call_init(&c, "ppoll", 0, 0, (uintptr_t)&ts, (uintptr_t)&set, 8, 0);
	expect(&c, 0, 0, "ppoll(NULL, 0, {tv_sec=0, tv_nsec=999}, [HUP RT_2 RT_32], 8) = 0 (Timeout)");
	call_init(&c, "ppoll", 0, 0, 1, (uintptr_t)&set, 4, 0);
	char want[128];
	snprintf(want, sizeof(want), "ppoll(NULL, 0, 0x1, %p, 4) = -1 EINVAL (Invalid argument)", (void *)&set);
	expect(&c, -22, 1, want);
}

/* ---- select ---- */

static void test_select(void **state)
{
	(void)state;
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(3, &r);
	FD_SET(4, &r);
	FD_SET(4, &w);
	struct timeval tv = { 1, 0 };
	struct call c;
	call_init(&c, "select", 5, (uintptr_t)&r, (uintptr_t)&w, 0, (uintptr_t)&tv, 0);
	decoder_fn fn = tab[c.d.nr];
	assert_int_equal(fn(&c.d), 2);
	FD_CLR(4, &r);
	tv.tv_usec = 99;
	tv.tv_sec = 0;
	c.d.exiting = 1;
	c.d.ret = 2;
	fn(&c.d);
	struct strbuf sb;
	strbuf_init(&sb, 64);
	render_part(&sb, &c.vs, 0, 0);
	assert_string_equal(sb.buf, "5, [3 4], [4], NULL, {tv_sec=1, tv_usec=0}");
	strbuf_reset(&sb);
	render_part(&sb, &c.vs, 0, 1);
	assert_string_equal(sb.buf, "in [3], out [4], left {tv_sec=0, tv_usec=99}");
	strbuf_release(&sb);
	scry_values_release(&c.vs);

	call_init(&c, "select", 0, 0, 0, 0, (uintptr_t)&tv, 0);
	expect(&c, 0, 0, "select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=99}) = 0 (Timeout)");
	call_init(&c, "select", 1, 1, 0, 0, 0, 0);
	expect(&c, -14, 1, "select(1, 0x1, NULL, NULL, NULL) = -1 EFAULT (Bad address)");
	FD_ZERO(&r);
	FD_SET(0, &r);
	FD_SET(100, &r);
	call_init(&c, "select", 101, (uintptr_t)&r, 0, 0, 0, 0);
	expect(&c, 1, 0, "select(101, [0 100], NULL, NULL, NULL) = 1 (in [0 100])");
}

static void test_pselect6(void **state)
{
	(void)state;
	fd_set r;
	FD_ZERO(&r);
	FD_SET(3, &r);
	struct timespec ts = { 2, 5 };
	uint64_t set = 1ull << (SIGUSR1 - 1);
	uint64_t sig[2] = { (uintptr_t)&set, 8 };
	struct call c;
	call_init(&c, "pselect6", 5, (uintptr_t)&r, 0, 0, (uintptr_t)&ts, (uintptr_t)sig);
	expect(&c, 1, 0, "pselect6(5, [3], NULL, NULL, {tv_sec=2, tv_nsec=5}, {sigmask=[USR1], sigsetsize=8}) = 1 "
			 "(in [3], left {tv_sec=2, tv_nsec=5})");
	sig[0] = 0;
	call_init(&c, "pselect6", 5, (uintptr_t)&r, 0, 0, 0, (uintptr_t)sig);
	expect(&c, 1, 0, "pselect6(5, [3], NULL, NULL, NULL, {sigmask=NULL, sigsetsize=8}) = 1 (in [3])");
}

/* ---- epoll ---- */

static void test_epoll(void **state)
{
	(void)state;
	struct call c;
	call_init(&c, "epoll_create1", EPOLL_CLOEXEC, 0, 0, 0, 0, 0);
	expect(&c, 5, 0, "epoll_create1(EPOLL_CLOEXEC) = 5");
	call_init(&c, "epoll_create", 10, 0, 0, 0, 0, 0);
	expect(&c, 6, 0, "epoll_create(10) = 6");

	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 3 };
	call_init(&c, "epoll_ctl", 5, EPOLL_CTL_ADD, 3, (uintptr_t)&ev, 0, 0);
	expect(&c, 0, 0, "epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN|EPOLLET, data={u32=3, u64=3}}) = 0");
	ev.events = EPOLLOUT;
	ev.data.u64 = 0x100000005ULL;
	call_init(&c, "epoll_ctl", 5, EPOLL_CTL_MOD, 4, (uintptr_t)&ev, 0, 0);
	expect(&c, 0, 0, "epoll_ctl(5, EPOLL_CTL_MOD, 4, {events=EPOLLOUT, data={u32=5, u64=4294967301}}) = 0");
	call_init(&c, "epoll_ctl", 5, 7, 4, 0, 0, 0);
	expect(&c, -14, 1, "epoll_ctl(5, 0x7 /* EPOLL_CTL_??? */, 4, NULL) = -1 EFAULT (Bad address)");
	call_init(&c, "epoll_ctl", 5, EPOLL_CTL_ADD, 3, 1, 0, 0);
	expect(&c, -14, 1, "epoll_ctl(5, EPOLL_CTL_ADD, 3, 0x1) = -1 EFAULT (Bad address)");

	struct epoll_event out[2] = { { .events = EPOLLIN, .data.u64 = 3 }, { .events = EPOLLHUP, .data.u64 = ~0ULL } };
	call_init(&c, "epoll_wait", 5, (uintptr_t)out, 4, 10, 0, 0);
	expect(&c, 2, 0, "epoll_wait(5, [{events=EPOLLIN, data={u32=3, u64=3}}, "
			 "{events=EPOLLHUP, data={u32=4294967295, u64=18446744073709551615}}], 4, 10) = 2");
	call_init(&c, "epoll_wait", 5, (uintptr_t)out, 4, 0, 0, 0);
	expect(&c, 0, 0, "epoll_wait(5, [], 4, 0) = 0");
	call_init(&c, "epoll_wait", 5, 1, 4, 0, 0, 0);
	expect(&c, 1, 0, "epoll_wait(5, 0x1, 4, 0) = 1");
	call_init(&c, "epoll_wait", -1, 0x1000, 4, 0, 0, 0);
	expect(&c, -9, 1, "epoll_wait(-1, 0x1000, 4, 0) = -1 EBADF (Bad file descriptor)");
	uint64_t set = 1ull << (SIGUSR1 - 1);
	call_init(&c, "epoll_pwait", 5, (uintptr_t)out, 4, 10, (uintptr_t)&set, 8);
	expect(&c, 0, 0, "epoll_pwait(5, [], 4, 10, [USR1], 8) = 0");
	struct timespec ts = { 0, 5 };
	call_init(&c, "epoll_pwait2", 5, (uintptr_t)out, 4, (uintptr_t)&ts, 0, 8);
	expect(&c, 0, 0, "epoll_pwait2(5, [], 4, {tv_sec=0, tv_nsec=5}, NULL, 8) = 0");
}

/* ---- eventfd, timerfd ---- */

static void test_eventfd_timerfd(void **state)
{
	(void)state;
	struct call c;
	call_init(&c, "eventfd2", 3, 02000000 | 04000, 0, 0, 0, 0);
	expect(&c, 6, 0, "eventfd2(3, EFD_CLOEXEC|EFD_NONBLOCK) = 6");
	call_init(&c, "eventfd2", 0, 1 | 02000000 | 04000, 0, 0, 0, 0);
	expect(&c, 6, 0, "eventfd2(0, EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK) = 6");
	call_init(&c, "eventfd", 1, 0, 0, 0, 0, 0);
	expect(&c, 7, 0, "eventfd(1) = 7");
	call_init(&c, "timerfd_create", CLOCK_MONOTONIC, 02000000 | 04000, 0, 0, 0, 0);
	expect(&c, 9, 0, "timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC|TFD_NONBLOCK) = 9");
	call_init(&c, "timerfd_create", 99, 0, 0, 0, 0, 0);
	expect(&c, -22, 1, "timerfd_create(0x63 /* CLOCK_??? */, 0) = -1 EINVAL (Invalid argument)");

	struct itimerspec its = { { 0, 0 }, { 1, 0 } }, old = { { 0, 0 }, { 0, 0 } };
	call_init(&c, "timerfd_settime", 9, 0, (uintptr_t)&its, (uintptr_t)&old, 0, 0);
	expect(&c, 0, 0, "timerfd_settime(9, 0, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}, "
			 "{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=0, tv_nsec=0}}) = 0");
	call_init(&c, "timerfd_settime", 9, 1, (uintptr_t)&its, 0, 0, 0);
	expect(&c, 0, 0, "timerfd_settime(9, TFD_TIMER_ABSTIME, {it_interval={tv_sec=0, tv_nsec=0}, "
			 "it_value={tv_sec=1, tv_nsec=0}}, NULL) = 0");
	call_init(&c, "timerfd_settime", 99, 0, 1, 0, 0, 0);
	expect(&c, -14, 1, "timerfd_settime(99, 0, 0x1, NULL) = -1 EFAULT (Bad address)");
	call_init(&c, "timerfd_gettime", 9, (uintptr_t)&its, 0, 0, 0, 0);
	expect(&c, 0, 0, "timerfd_gettime(9, {it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=1, tv_nsec=0}}) = 0");
	call_init(&c, "timerfd_gettime", 99, 0x1000, 0, 0, 0, 0);
	expect(&c, -9, 1, "timerfd_gettime(99, 0x1000) = -1 EBADF (Bad file descriptor)");
}

/* ---- futex ---- */

static void test_futex(void **state)
{
	(void)state;
	struct call c;
	struct timespec ts = { 0, 1000 };
	char want[256];
	uint32_t fx = 0, fy = 0;
	uintptr_t a = (uintptr_t)&fx, b = (uintptr_t)&fy;
#define F(op, v, t, u2, v3, ret, failed, fmt, ...) do { \
		call_init(&c, "futex", a, op, v, t, u2, v3); \
		snprintf(want, sizeof(want), fmt, __VA_ARGS__); \
		expect(&c, ret, failed, want); } while (0)
	F(FUTEX_WAKE_PRIVATE, 1, 0, 0, 0, 0, 0, "futex(%p, FUTEX_WAKE_PRIVATE, 1) = 0", (void *)a);
	F(FUTEX_WAKE, 0xffffffff, 0, 0, 0, 0, 0, "futex(%p, FUTEX_WAKE, 4294967295) = 0", (void *)a);
	F(FUTEX_WAIT_PRIVATE, 1, 0, 0, 0, -11, 1,
	  "futex(%p, FUTEX_WAIT_PRIVATE, 1, NULL) = -1 EAGAIN (Resource temporarily unavailable)", (void *)a);
	F(FUTEX_WAIT, 0, (uintptr_t)&ts, 0, 0, -110, 1,
	  "futex(%p, FUTEX_WAIT, 0, {tv_sec=0, tv_nsec=1000}) = -1 ETIMEDOUT (Connection timed out)", (void *)a);
	F(FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, (uintptr_t)&ts, 0, FUTEX_BITSET_MATCH_ANY, -110, 1,
	  "futex(%p, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=1000}, FUTEX_BITSET_MATCH_ANY)"
	  " = -1 ETIMEDOUT (Connection timed out)", (void *)a);
	F(FUTEX_WAIT_BITSET_PRIVATE, 1, 0, 0, 5, 0, 0,
	  "futex(%p, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, 0x5) = 0", (void *)a);
	F(FUTEX_WAKE_BITSET_PRIVATE, 1, 0, 0, FUTEX_BITSET_MATCH_ANY, 0, 0,
	  "futex(%p, FUTEX_WAKE_BITSET_PRIVATE, 1, FUTEX_BITSET_MATCH_ANY) = 0", (void *)a);
	F(FUTEX_REQUEUE_PRIVATE, 1, 2, b, 0, 0, 0, "futex(%p, FUTEX_REQUEUE_PRIVATE, 1, 2, %p) = 0", (void *)a, (void *)b);
	F(FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, b, 0, 0, 0,
	  "futex(%p, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, %p, 0) = 0", (void *)a, (void *)b);
	F(FUTEX_WAKE_OP_PRIVATE, 1, 2, b, FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_GT, 0), 0, 0,
	  "futex(%p, FUTEX_WAKE_OP_PRIVATE, 1, 2, %p, FUTEX_OP_SET<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0) = 0",
	  (void *)a, (void *)b);
	F(FUTEX_WAKE_OP, 1, 2, b, (8u << 28) | (0xfffu << 12) | (9u << 24) | 0xabc, -38, 1,
	  "futex(%p, FUTEX_WAKE_OP, 1, 2, %p, FUTEX_OP_OPARG_SHIFT<<28|FUTEX_OP_SET<<28|0xfff<<12|"
	  "0x9<<24 /* FUTEX_OP_CMP_??? */|0xabc) = -1 ENOSYS (Function not implemented)", (void *)a, (void *)b);
	F(FUTEX_WAKE_OP, 1, 2, b, 5u << 28, -38, 1,
	  "futex(%p, FUTEX_WAKE_OP, 1, 2, %p, 0x5<<28 /* FUTEX_OP_??? */|0<<12|FUTEX_OP_CMP_EQ<<24|0)"
	  " = -1 ENOSYS (Function not implemented)", (void *)a, (void *)b);
	F(FUTEX_LOCK_PI_PRIVATE, 0, 0, 0, 0, 0, 0, "futex(%p, FUTEX_LOCK_PI_PRIVATE, NULL) = 0", (void *)a);
	F(FUTEX_UNLOCK_PI_PRIVATE, 0, 0, 0, 0, 0, 0, "futex(%p, FUTEX_UNLOCK_PI_PRIVATE) = 0", (void *)a);
	F(FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0, -38, 1,
	  "futex(%p, 0x101 /* FUTEX_??? */, 1) = -1 ENOSYS (Function not implemented)", (void *)a);
	F(14, 5, 1, 2, 3, -38, 1,
	  "futex(%p, 0xe /* FUTEX_??? */, 5, 0x1, 0x2, 0x3) = -1 ENOSYS (Function not implemented)", (void *)a);
	F(99, 0, 0, 0, 0, -38, 1,
	  "futex(%p, 0x63 /* FUTEX_??? */, 0, NULL, NULL, 0) = -1 ENOSYS (Function not implemented)", (void *)a);
	F(FUTEX_WAIT, 0, 1, 0, 0, -14, 1, "futex(%p, FUTEX_WAIT, 0, 0x1) = -1 EFAULT (Bad address)", (void *)a);
#undef F
}

/* ---- sleeps, clocks, time ---- */

static void test_sleep_clock(void **state)
{
	(void)state;
	struct call c;
	char want[256];
	struct timespec ts = { 0, 10000000 }, rem = { 0, 980124845 };
	call_init(&c, "nanosleep", (uintptr_t)&ts, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "nanosleep({tv_sec=0, tv_nsec=10000000}, NULL) = 0");
	call_init(&c, "nanosleep", (uintptr_t)&ts, (uintptr_t)&rem, 0, 0, 0, 0);
	snprintf(want, sizeof(want), "nanosleep({tv_sec=0, tv_nsec=10000000}, %p) = 0", (void *)&rem);
	expect(&c, 0, 0, want);
	call_init(&c, "nanosleep", (uintptr_t)&ts, (uintptr_t)&rem, 0, 0, 0, 0);
	expect(&c, -516, 1, "nanosleep({tv_sec=0, tv_nsec=10000000}, {tv_sec=0, tv_nsec=980124845})"
			    " = ? ERESTART_RESTARTBLOCK (Interrupted by signal)");
	call_init(&c, "clock_nanosleep", CLOCK_MONOTONIC, 0, (uintptr_t)&ts, 0, 0, 0);
	expect(&c, 0, 0, "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=10000000}, NULL) = 0");
	call_init(&c, "clock_nanosleep", CLOCK_REALTIME, TIMER_ABSTIME, (uintptr_t)&ts, 0, 0, 0);
	expect(&c, 0, 0, "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=0, tv_nsec=10000000}, NULL) = 0");
	call_init(&c, "nanosleep", 1, 0, 0, 0, 0, 0);
	expect(&c, -14, 1, "nanosleep(0x1, NULL) = -1 EFAULT (Bad address)");

	struct timespec tp = { 1159, 543628416 };
	call_init(&c, "clock_gettime", CLOCK_MONOTONIC_RAW, (uintptr_t)&tp, 0, 0, 0, 0);
	expect(&c, 0, 0, "clock_gettime(CLOCK_MONOTONIC_RAW, {tv_sec=1159, tv_nsec=543628416}) = 0");
	call_init(&c, "clock_gettime", 0xfffffffa, (uintptr_t)&tp, 0, 0, 0, 0);
	expect(&c, 0, 0, "clock_gettime(0xfffffffa /* CLOCK_??? */, {tv_sec=1159, tv_nsec=543628416}) = 0");
	call_init(&c, "clock_gettime", 99, 0x1000, 0, 0, 0, 0);
	expect(&c, -22, 1, "clock_gettime(0x63 /* CLOCK_??? */, 0x1000) = -1 EINVAL (Invalid argument)");
	call_init(&c, "clock_gettime", CLOCK_REALTIME, 1, 0, 0, 0, 0);
	expect(&c, 0, 0, "clock_gettime(CLOCK_REALTIME, 0x1) = 0");  /* unreadable: the address */
	call_init(&c, "clock_getres", CLOCK_TAI, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "clock_getres(CLOCK_TAI, NULL) = 0");
	call_init(&c, "clock_settime", CLOCK_REALTIME, (uintptr_t)&ts, 0, 0, 0, 0);
	expect(&c, -22, 1, "clock_settime(CLOCK_REALTIME, {tv_sec=0, tv_nsec=10000000}) = -1 EINVAL (Invalid argument)");

	struct timeval tv = { 1795967681, 381822 };
	struct timezone tz = { 0, 0 };
	call_init(&c, "gettimeofday", (uintptr_t)&tv, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "gettimeofday({tv_sec=1795967681, tv_usec=381822}, NULL) = 0");
	call_init(&c, "gettimeofday", (uintptr_t)&tv, (uintptr_t)&tz, 0, 0, 0, 0);
	expect(&c, 0, 0, "gettimeofday({tv_sec=1795967681, tv_usec=381822}, {tz_minuteswest=0, tz_dsttime=0}) = 0");

	setenv("TZ", "UTC", 1);
	tzset();
	int64_t t = 1795967681;
	call_init(&c, "time", (uintptr_t)&t, 0, 0, 0, 0, 0);
	char *got = run(&c, t, 0);
	assert_non_null(strstr(got, "time([1795967681 /* 2026-11-29T15:54:41+0000 */]) = 1795967681"));
	free(got);
	scry_values_release(&c.vs);
	call_init(&c, "time", 0, 0, 0, 0, 0, 0);
	got = run(&c, t, 0);
	assert_memory_equal(got, "time(NULL) = 1795967681", strlen("time(NULL) = 1795967681"));
	free(got);
	scry_values_release(&c.vs);
}

/* ---- getrandom, uname, sysinfo, itimers ---- */

static void test_misc(void **state)
{
	(void)state;
	struct call c;
	char want[256];
	unsigned char buf[4] = { 0x37, 0x11, 0xe4, 0x29 };
	call_init(&c, "getrandom", (uintptr_t)buf, 4, 0, 0, 0, 0);
	expect(&c, 4, 0, "getrandom(\"\\x37\\x11\\xe4\\x29\", 4, 0) = 4");
	call_init(&c, "getrandom", (uintptr_t)buf, 4, 1 | 2, 0, 0, 0);
	expect(&c, 4, 0, "getrandom(\"\\x37\\x11\\xe4\\x29\", 4, GRND_NONBLOCK|GRND_RANDOM) = 4");
	call_init(&c, "getrandom", (uintptr_t)buf, 4, 2 | 4, 0, 0, 0);
	snprintf(want, sizeof(want), "getrandom(%p, 4, GRND_RANDOM|GRND_INSECURE) = -1 EINVAL (Invalid argument)", (void *)buf);
	expect(&c, -22, 1, want);

	struct utsname u;
	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, "vm");
	strcpy(u.release, "6.18");
	strcpy(u.version, "#1 SMP");
	strcpy(u.machine, "x86_64");
	strcpy(u.domainname, "(none)");
	call_init(&c, "uname", (uintptr_t)&u, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "uname({sysname=\"Linux\", nodename=\"vm\", ...}) = 0");
	call_init(&c, "uname", (uintptr_t)&u, 0, 0, 0, 0, 0);
	c.d.verbose = 1;
	expect(&c, 0, 0, "uname({sysname=\"Linux\", nodename=\"vm\", release=\"6.18\", version=\"#1 SMP\", "
			 "machine=\"x86_64\", domainname=\"(none)\"}) = 0");
	call_init(&c, "uname", 1, 0, 0, 0, 0, 0);
	expect(&c, -14, 1, "uname(0x1) = -1 EFAULT (Bad address)");
	call_init(&c, "uname", 1, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "uname(0x1) = 0");

	struct itimerval iv = { { 0, 0 }, { 0, 500000 } };
	call_init(&c, "setitimer", ITIMER_VIRTUAL, (uintptr_t)&iv, 0, 0, 0, 0);
	expect(&c, 0, 0, "setitimer(ITIMER_VIRTUAL, {it_interval={tv_sec=0, tv_usec=0}, "
			 "it_value={tv_sec=0, tv_usec=500000}}, NULL) = 0");
	call_init(&c, "getitimer", ITIMER_REAL, (uintptr_t)&iv, 0, 0, 0, 0);
	expect(&c, 0, 0, "getitimer(ITIMER_REAL, {it_interval={tv_sec=0, tv_usec=0}, "
			 "it_value={tv_sec=0, tv_usec=500000}}) = 0");
	call_init(&c, "alarm", 5, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "alarm(5) = 0");
}

static void test_sysinfo(void **state)
{
	(void)state;
	struct call c;
	struct sysinfo si;
	memset(&si, 0, sizeof(si));
	si.uptime = 1160;
	si.loads[0] = 23456;
	si.loads[1] = 86080;
	si.loads[2] = 70240;
	si.totalram = 25276514304UL;
	si.freeram = 24819613696UL;
	si.sharedram = 8998912;
	si.bufferram = 4280320;
	si.procs = 102;
	si.mem_unit = 1;
	call_init(&c, "sysinfo", (uintptr_t)&si, 0, 0, 0, 0, 0);
	expect(&c, 0, 0, "sysinfo({uptime=1160, loads=[23456, 86080, 70240], totalram=25276514304, "
			 "freeram=24819613696, sharedram=8998912, bufferram=4280320, totalswap=0, freeswap=0, "
			 "procs=102, totalhigh=0, freehigh=0, mem_unit=1}) = 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poll),
		cmocka_unit_test(test_poll_limit),
		cmocka_unit_test(test_ppoll),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_pselect6),
		cmocka_unit_test(test_epoll),
		cmocka_unit_test(test_eventfd_timerfd),
		cmocka_unit_test(test_futex),
		cmocka_unit_test(test_sleep_clock),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_sysinfo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
