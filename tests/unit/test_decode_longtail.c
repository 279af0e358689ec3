/*
 * Unit tests for the long tail's decoders (src/decode/misc.c, issue 21 A)
 * and the orders of names strace prints: calls are decoded on buffers of
 * this process (process_vm_readv works on one's own pid), rendered to
 * strace text and checked in their typed form.  The lines they expect are
 * strace 6.1's (tests/e2e/test_longtail.py compares the real calls).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "result_text.h"

struct call {
	struct scry_values in, out;
	struct strbuf text;
	struct dctx d;
};

static decoder_fn *decoders;

static int setup(void **state)
{
	decoders = decoders_build(scry_native_table());
	return decoders ? 0 : -1;
}

static int teardown(void **state)
{
	free(decoders);
	return 0;
}

/* Decode name(args) = ret as the tracer does (entry, then exit) and render
 * the line as the text sink does, with -x as xflag. */
static const char *decode(struct call *c, const char *name, const uint64_t a[6], int64_t ret,
			  int xflag)
{
	static uint64_t args[6];
	const struct scry_syscall_table *t = scry_native_table();
	long nr = scry_syscall_lookup(t, name);
	assert_true(nr >= 0);
	memcpy(args, a, sizeof(args));
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->text, 128);
	struct dctx *d = &c->d;
	d->pid = d->tid = getpid();
	d->nr = nr;
	d->info = scry_syscall_get(t, nr);
	d->args = args;
	d->limit = 32;
	d->xflag = xflag;
	d->out = &c->in;
	int more = decoders[nr](d);
	strbuf_addf(&c->text, "%s(", name);
	render_text_list(&c->text, &c->in, 0, 1);
	d->exiting = 1;
	d->ret = ret;
	d->failed = ret < 0;
	d->out = &c->out;
	if (more != DEC_DONE) {
		if (more == DEC_MORE && c->in.n)
			strbuf_addstr(&c->text, ", ");
		decoders[nr](d);
		render_text_list(&c->text, &c->out, 0, 1);
	}
	strbuf_addstr(&c->text, ") = ");
	render_result(&c->text, d);
	render_text_after(&c->text, &c->out);
	return c->text.buf;
}

static void release(struct call *c)
{
	scry_values_release(&c->in);
	scry_values_release(&c->out);
	strbuf_release(&c->text);
}

#define U(p) ((uint64_t)(uintptr_t)(p))

/* strace prints ST_VALID first (its xlat/statfs_flags.in), whatever the
 * other bits: "ST_VALID|ST_RDONLY|ST_NOSUID", not in the order of value. */
static void test_statfs_flags_order(void **state)
{
	struct {
		int64_t type, bsize;
		uint64_t blocks, bfree, bavail, files, ffree;
		int32_t fsid[2];
		int64_t namelen, frsize, flags, spare[4];
	} f;
	memset(&f, 0, sizeof(f));
	f.type = 0x01021994;
	f.flags = 0x20 | 0x1 | 0x2 | 0x1000;
	struct call c;
	uint64_t a[6] = { U("/"), U(&f) };
	const char *line = decode(&c, "statfs", a, 0, 0);
	assert_non_null(strstr(line, "f_flags=ST_VALID|ST_RDONLY|ST_NOSUID|ST_RELATIME}"));
	release(&c);
}

/* A value's trailing NUL is not shown (and no "..." follows it), except
 * under -x, where the NUL makes the whole value hex. */
static void test_xattr_value_trailing_nul(void **state)
{
	static const char val[] = "ab\0cd";   /* 6 bytes with the final NUL */
	struct call c;
	uint64_t a[6] = { U("f"), U("user.x"), U(val), 6, 1 };
	assert_string_equal(decode(&c, "setxattr", a, 0, 0),
			    "setxattr(\"f\", \"user.x\", \"ab\\0cd\", 6, XATTR_CREATE) = 0");
	release(&c);
	assert_string_equal(decode(&c, "setxattr", a, 0, 1),
			    "setxattr(\"f\", \"user.x\", \"\\x61\\x62\\x00\\x63\\x64\\x00\", 6, XATTR_CREATE) = 0");
	release(&c);
	a[4] = 8;
	assert_string_equal(decode(&c, "setxattr", a, 0, 0),
			    "setxattr(\"f\", \"user.x\", \"ab\\0cd\", 6, 0x8 /* XATTR_??? */) = 0");
	release(&c);
	/* getxattr: the result counts the bytes; a failure shows the address */
	uint64_t g[6] = { U("f"), U("user.x"), U(val), 64 };
	assert_string_equal(decode(&c, "getxattr", g, 3, 0),
			    "getxattr(\"f\", \"user.x\", \"ab\", 64) = 3");
	release(&c);
	char want[96];
	snprintf(want, sizeof(want), "getxattr(\"f\", \"user.x\", %p, 64) = -1 ENODATA (No data available)",
		 (const void *)val);
	assert_string_equal(decode(&c, "getxattr", g, -61, 0), want);
	release(&c);
	/* listxattr: the names as the bytes they are, NULs and all */
	static const char list[] = "user.a\0user.b";
	uint64_t l[6] = { U("f"), U(list), 256 };
	assert_string_equal(decode(&c, "listxattr", l, 14, 0),
			    "listxattr(\"f\", \"user.a\\0user.b\\0\", 256) = 14");
	release(&c);
}

/* Typed forms: IOPRIO_PRIO_VALUE(class, data) is a FUNC of an ENUM and a
 * number; personality's old value follows the result. */
static void test_ioprio_and_personality(void **state)
{
	struct call c;
	uint64_t a[6] = { 1, 0, (2 << 13) | 4 };
	assert_string_equal(decode(&c, "ioprio_set", a, 0, 0),
			    "ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)) = 0");
	const struct scry_value *f = &c.in.v[2];
	assert_int_equal(f->type, SCRY_V_FUNC);
	assert_int_equal(f->count, 2);
	assert_int_equal(c.in.v[3].type, SCRY_V_ENUM);
	assert_string_equal(c.in.v[3].name, "class");
	release(&c);
	uint64_t g[6] = { 3, 0 };
	assert_string_equal(decode(&c, "ioprio_get", g, (1 << 13) | 4, 0),
			    "ioprio_get(IOPRIO_WHO_USER, 0) = 8196 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_RT, 4))");
	release(&c);
	uint64_t p[6] = { 0xffffffff };
	assert_string_equal(decode(&c, "personality", p, 0x40000, 0),
			    "personality(0xffffffff) = 0x40000 (PER_LINUX|ADDR_NO_RANDOMIZE)");
	release(&c);
	p[0] = 0x0008 | 0x0400000;
	assert_string_equal(decode(&c, "personality", p, 0, 0),
			    "personality(PER_LINUX32|READ_IMPLIES_EXEC) = 0 (PER_LINUX)");
	release(&c);
}

/* Capability sets: "1<<CAP_X|..." from both 32-bit halves, 0 when empty;
 * each name is a part of the number (JSON "CAP_KILL":1). */
static void test_capset(void **state)
{
	struct { uint32_t version; int32_t pid; } h = { 0x20080522, 0 };
	struct { uint32_t eff, perm, inh; } d[2] = { { 1u << 5, 1u << 0 | 1u << 5, 0 },
						     { 1u << 7, 0, 0 } };
	struct call c;
	uint64_t a[6] = { U(&h), U(d) };
	assert_string_equal(decode(&c, "capset", a, 0, 0),
			    "capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, "
			    "{effective=1<<CAP_KILL|1<<CAP_BPF, permitted=1<<CAP_CHOWN|1<<CAP_KILL, "
			    "inheritable=0}) = 0");
	release(&c);
}

/* mknod shows the device for block and character files only. */
static void test_mknod(void **state)
{
	struct call c;
	uint64_t a[6] = { (uint64_t)-100, U("fifo"), 010600, 0 };
	assert_string_equal(decode(&c, "mknodat", a, 0, 0),
			    "mknodat(AT_FDCWD, \"fifo\", S_IFIFO|0600) = 0");
	release(&c);
	a[2] = 020640;
	a[3] = (1 << 8) | 3;
	assert_string_equal(decode(&c, "mknodat", a, 0, 0),
			    "mknodat(AT_FDCWD, \"fifo\", S_IFCHR|0640, makedev(0x1, 0x3)) = 0");
	release(&c);
}

/* A netlink port id is shown signed, as strace shows it (the kernel's
 * autobind ids are often above 2^31). */
static void test_netlink_sockaddr_pid_signed(void **state)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_pid = 0xf9d3a988u;
	struct call c;
	uint64_t a[6] = { 3, U(&sa), U(&len) };
	assert_string_equal(decode(&c, "getsockname", a, 0, 0),
			    "getsockname(3, {sa_family=AF_NETLINK, nl_pid=-103569016, nl_groups=00000000}, [12]) = 0");
	release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statfs_flags_order),
		cmocka_unit_test(test_xattr_value_trailing_nul),
		cmocka_unit_test(test_ioprio_and_personality),
		cmocka_unit_test(test_capset),
		cmocka_unit_test(test_mknod),
		cmocka_unit_test(test_netlink_sockaddr_pid_signed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
