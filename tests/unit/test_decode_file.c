/*
 * Unit tests for the file family decoders (src/decode/file.c, file_stat.c,
 * file_ioctl.c): calls are decoded on buffers of this process
 * (process_vm_readv works on one's own pid), rendered to strace text and
 * checked in their typed form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

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

/*
 * Decode a call as the tracer does: entry, then exit with ret (failed when
 * ret < 0 and fail is set), and render the line as the text sink does:
 * "name(entry, exit) = result".
 */
static const char *decode(struct call *c, const char *name, uint64_t a0, uint64_t a1,
			  uint64_t a2, uint64_t a3, uint64_t a4, int64_t ret, int verbose)
{
	static uint64_t args[6];
	const struct scry_syscall_table *t = scry_native_table();
	long nr = scry_syscall_lookup(t, name);
	assert_true(nr >= 0);
	args[0] = a0; args[1] = a1; args[2] = a2; args[3] = a3; args[4] = a4; args[5] = 0;
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->text, 128);
	struct dctx *d = &c->d;
	d->pid = d->tid = getpid();
	d->nr = nr;
	d->info = scry_syscall_get(t, nr);
	d->args = args;
	d->limit = 32;
	d->verbose = verbose;
	d->out = &c->in;
	int more = decoders[nr](d) == DEC_MORE;
	strbuf_addf(&c->text, "%s(", name);
	render_text_list(&c->text, &c->in, 0, 1);
	d->exiting = 1;
	d->ret = ret;
	d->failed = ret < 0;
	d->out = &c->out;
	if (more) {
		if (c->in.n)
			strbuf_addstr(&c->text, ", ");
		decoders[nr](d);
		render_text_list(&c->text, &c->out, 0, 1);
	}
	strbuf_addstr(&c->text, ") = ");
	render_result(&c->text, d);
	return c->text.buf;
}

static void release(struct call *c)
{
	scry_values_release(&c->in);
	scry_values_release(&c->out);
	strbuf_release(&c->text);
}

#define U(p) ((uint64_t)(uintptr_t)(p))

static void test_openat(void **state)
{
	struct call c;
	assert_string_equal(decode(&c, "openat", (uint64_t)AT_FDCWD, U("/etc/passwd"),
				   O_RDONLY | O_CLOEXEC, 0, 0, 3, 0),
			    "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
	/* typed form: fd, string, flags */
	assert_int_equal(c.in.n, 3);
	assert_int_equal(c.in.v[0].type, SCRY_V_FD);
	assert_int_equal(c.in.v[0].i, AT_FDCWD);
	assert_string_equal(c.in.v[1].name, "filename");
	assert_int_equal(c.in.v[1].type, SCRY_V_STR);
	assert_string_equal(scry_value_str(&c.in, &c.in.v[1]), "/etc/passwd");
	assert_int_equal(c.in.v[2].type, SCRY_V_FLAGS);
	assert_int_equal(c.in.v[2].u, O_CLOEXEC);
	release(&c);

	assert_string_equal(decode(&c, "openat", 3, U("f"), O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 4, 0),
			    "openat(3, \"f\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4");
	release(&c);
	assert_string_equal(decode(&c, "openat", (uint64_t)AT_FDCWD, U("d"), O_RDONLY | O_CLOEXEC | O_DIRECTORY, 0, 0, -2, 0),
			    "openat(AT_FDCWD, \"d\", O_RDONLY|O_CLOEXEC|O_DIRECTORY) = -1 ENOENT (No such file or directory)");
	release(&c);
	/* unreadable path: the address */
	assert_string_equal(decode(&c, "open", 1, O_RDWR | O_CREAT, 0, 0, 0, -14, 0),
			    "open(0x1, O_RDWR|O_CREAT, 000) = -1 EFAULT (Bad address)");
	release(&c);
}

static void test_openat2(void **state)
{
	struct { uint64_t flags, mode, resolve; } how = { O_RDWR | O_CREAT, 0640, 0 };
	struct call c;
	assert_string_equal(decode(&c, "openat2", 17, U("f4"), U(&how), sizeof(how), 0, 18, 0),
			    "openat2(17, \"f4\", {flags=O_RDWR|O_CREAT, mode=0640, resolve=0}, 24) = 18");
	release(&c);
	struct { uint64_t flags, mode, resolve; } how2 = { O_RDONLY | O_CLOEXEC, 0, 0x0c };
	assert_string_equal(decode(&c, "openat2", (uint64_t)AT_FDCWD, U("/x"), U(&how2), sizeof(how2), 0, 3, 0),
			    "openat2(AT_FDCWD, \"/x\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}, 24) = 3");
	release(&c);
}

static void test_read_write(void **state)
{
	char buf[64] = "hello world\n\1\2zz";
	struct call c;
	assert_string_equal(decode(&c, "read", 3, U(buf), 64, 0, 0, 16, 0),
			    "read(3, \"hello world\\n\\1\\2zz\", 64) = 16");
	/* typed: the fd at entry, the buffer and the count at exit */
	assert_int_equal(c.in.n, 1);
	assert_int_equal(c.out.v[0].type, SCRY_V_STR);
	assert_int_equal(c.out.v[0].str_len, 16);
	release(&c);
	assert_string_equal(decode(&c, "pread64", 3, U(buf), 10, 2, 0, 0, 0), "pread64(3, \"\", 10, 2) = 0");
	release(&c);
}

static void test_read_failed(void **state)
{
	char buf[8];
	char want[64];
	struct call c;
	snprintf(want, sizeof(want), "read(-1, %p, 10) = -1 EBADF (Bad file descriptor)", (void *)buf);
	assert_string_equal(decode(&c, "read", (uint64_t)-1, U(buf), 10, 0, 0, -9, 0), want);
	release(&c);
	/* unreadable buffer on success: the address */
	assert_string_equal(decode(&c, "write", 1, 1, 5, 0, 0, -14, 0),
			    "write(1, 0x1, 5) = -1 EFAULT (Bad address)");
	release(&c);
	assert_string_equal(decode(&c, "pwrite64", 3, U("ABC"), 3, 100, 0, 3, 0),
			    "pwrite64(3, \"ABC\", 3, 100) = 3");
	release(&c);
}

static void test_iovec(void **state)
{
	char big[40];
	memset(big, 'x', sizeof(big));
	struct iovec iov[3] = { { "one", 3 }, { "two\n", 4 }, { big, 40 } };
	struct call c;
	assert_string_equal(decode(&c, "writev", 3, U(iov), 3, 0, 0, 47, 0),
			    "writev(3, [{iov_base=\"one\", iov_len=3}, {iov_base=\"two\\n\", iov_len=4}, "
			    "{iov_base=\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., iov_len=40}], 3) = 47");
	release(&c);
	/* readv: the data at exit, only as much as was read */
	char a[4] = "hell", b[8] = "o worlon";
	struct iovec riov[2] = { { a, 4 }, { b, 8 } };
	assert_string_equal(decode(&c, "readv", 3, U(riov), 2, 0, 0, 6, 0),
			    "readv(3, [{iov_base=\"hell\", iov_len=4}, {iov_base=\"o \", iov_len=8}], 2) = 6");
	release(&c);
	/* more than -s elements: cut with ... */
	struct iovec many[40];
	for (int i = 0; i < 40; i++) {
		many[i].iov_base = "a";
		many[i].iov_len = 1;
	}
	decode(&c, "writev", 3, U(many), 40, 0, 0, 40, 0);
	assert_non_null(strstr(c.text.buf, "{iov_base=\"a\", iov_len=1}, ...], 40) = 40"));
	assert_int_equal(c.in.v[1].type, SCRY_V_ARRAY);
	assert_int_equal(c.in.v[1].count, 32);
	assert_true(c.in.v[1].flags & SCRY_VF_TRUNC);
	release(&c);
	assert_string_equal(decode(&c, "writev", 3, 1, 2, 0, 0, -14, 0),
			    "writev(3, 0x1, 2) = -1 EFAULT (Bad address)");
	release(&c);
}

static void test_stat(void **state)
{
	struct stat st;
	assert_int_equal(stat("/dev/null", &st), 0);
	struct call c;
	assert_string_equal(decode(&c, "fstat", 0, U(&st), 0, 0, 0, 0, 0),
			    "fstat(0, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
	/* typed: a struct of 2 fields, abbreviated */
	assert_int_equal(c.out.v[0].type, SCRY_V_STRUCT);
	assert_int_equal(c.out.v[0].count, 2);
	assert_true(c.out.v[0].flags & SCRY_VF_ABBREV);
	release(&c);

	int fd = open("/proc/self/exe", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	char want[128];
	snprintf(want, sizeof(want), "newfstatat(3, \"\", {st_mode=S_IFREG|0%o, st_size=%lld, ...}, AT_EMPTY_PATH) = 0",
		 st.st_mode & 07777, (long long)st.st_size);
	assert_string_equal(decode(&c, "newfstatat", 3, U(""), U(&st), AT_EMPTY_PATH, 0, 0, 0), want);
	release(&c);
	assert_string_equal(decode(&c, "newfstatat", 3, U(""), 1, AT_EMPTY_PATH, 0, -14, 0),
			    "newfstatat(3, \"\", 0x1, AT_EMPTY_PATH) = -1 EFAULT (Bad address)");
	release(&c);
	/* success but unreadable: the address */
	assert_string_equal(decode(&c, "stat", U("/x"), 1, 0, 0, 0, 0, 0), "stat(\"/x\", 0x1) = 0");
	release(&c);
	/* verbose: every field, with the times */
	decode(&c, "fstat", 0, U(&st), 0, 0, 0, 0, 1);
	assert_non_null(strstr(c.text.buf, "st_dev=makedev("));
	assert_non_null(strstr(c.text.buf, "st_mtime_nsec="));
	assert_null(strstr(c.text.buf, "..."));
	release(&c);
}

static void test_statx(void **state)
{
	unsigned char buf[256];
	memset(buf, 0, sizeof(buf));
	uint32_t mask = 0x1fff;
	uint16_t mode = S_IFREG | 0644;
	uint64_t size = 103;
	memcpy(buf, &mask, 4);
	memcpy(buf + 28, &mode, 2);
	memcpy(buf + 40, &size, 8);
	struct call c;
	assert_string_equal(decode(&c, "statx", (uint64_t)AT_FDCWD, U("f1"), 0, 0xfff, U(buf), 0, 0),
			    "statx(AT_FDCWD, \"f1\", AT_STATX_SYNC_AS_STAT, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, "
			    "stx_attributes=0, stx_mode=S_IFREG|0644, stx_size=103, ...}) = 0");
	release(&c);
	assert_string_equal(decode(&c, "statx", 3, U(""), 0x1000 | 0x800 | 0x4000, 1, 1, -14, 0),
			    "statx(3, \"\", AT_STATX_DONT_SYNC|AT_NO_AUTOMOUNT|AT_EMPTY_PATH, STATX_TYPE, 0x1) = -1 EFAULT (Bad address)");
	release(&c);
}

static void test_access_lseek(void **state)
{
	struct call c;
	assert_string_equal(decode(&c, "access", U("/x"), 0, 0, 0, 0, 0, 0), "access(\"/x\", F_OK) = 0");
	release(&c);
	assert_string_equal(decode(&c, "access", U("/x"), 6, 0, 0, 0, 0, 0), "access(\"/x\", R_OK|W_OK) = 0");
	release(&c);
	assert_string_equal(decode(&c, "access", U("/x"), 8, 0, 0, 0, -22, 0),
			    "access(\"/x\", 0x8 /* ?_OK */) = -1 EINVAL (Invalid argument)");
	release(&c);
	assert_string_equal(decode(&c, "faccessat2", (uint64_t)AT_FDCWD, U("f1"), 4, 0x300, 0, 0, 0),
			    "faccessat2(AT_FDCWD, \"f1\", R_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = 0");
	release(&c);
	assert_string_equal(decode(&c, "lseek", 3, 0, SEEK_END, 0, 0, 103, 0), "lseek(3, 0, SEEK_END) = 103");
	release(&c);
	assert_string_equal(decode(&c, "lseek", 3, (uint64_t)-5, 0x63, 0, 0, -22, 0),
			    "lseek(3, -5, 0x63 /* SEEK_??? */) = -1 EINVAL (Invalid argument)");
	release(&c);
}

static void test_fcntl(void **state)
{
	struct call c;
	assert_string_equal(decode(&c, "fcntl", 3, F_GETFL, 0, 0, 0, 0x8002, 0),
			    "fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_GETFL, 0, 0, 0, 0x8000, 0),
			    "fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)");
	release(&c);
	/* a pipe's read end: O_RDONLY is 0, and strace still names it */
	assert_string_equal(decode(&c, "fcntl", 3, F_GETFL, 0, 0, 0, 0, 0),
			    "fcntl(3, F_GETFL) = 0 (flags O_RDONLY)");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_GETFD, 0, 0, 0, 1, 0),
			    "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_GETFD, 0, 0, 0, 0, 0), "fcntl(3, F_GETFD) = 0");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_SETFD, FD_CLOEXEC, 0, 0, 0, 0),
			    "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_SETFL, O_NONBLOCK | O_APPEND, 0, 0, 0, 0),
			    "fcntl(3, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_DUPFD_CLOEXEC, 0, 0, 0, 4, 0),
			    "fcntl(3, F_DUPFD_CLOEXEC, 0) = 4");
	release(&c);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	assert_string_equal(decode(&c, "fcntl", 3, F_SETLK, U(&fl), 0, 0, 0, 0),
			    "fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=10}) = 0");
	release(&c);
	fl.l_type = F_UNLCK;
	assert_string_equal(decode(&c, "fcntl", 3, F_GETLK, U(&fl), 0, 0, 0, 0),
			    "fcntl(3, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=10, l_pid=0}) = 0");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 3, F_GETLK, 1, 0, 0, -14, 0),
			    "fcntl(3, F_GETLK, 0x1) = -1 EFAULT (Bad address)");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 5, 1031, 65536, 0, 0, 65536, 0),
			    "fcntl(5, F_SETPIPE_SZ, 65536) = 65536");
	release(&c);
	assert_string_equal(decode(&c, "fcntl", 5, 1234, 5, 0, 0, -22, 0),
			    "fcntl(5, 0x4d2 /* F_??? */, 0x5) = -1 EINVAL (Invalid argument)");
	release(&c);
}

static void test_fds(void **state)
{
	int fds[2] = { 5, 6 };
	struct call c;
	assert_string_equal(decode(&c, "pipe2", U(fds), O_CLOEXEC | O_NONBLOCK, 0, 0, 0, 0, 0),
			    "pipe2([5, 6], O_NONBLOCK|O_CLOEXEC) = 0");
	assert_int_equal(c.out.v[0].type, SCRY_V_ARRAY);
	assert_int_equal(c.out.v[1].type, SCRY_V_FD);
	assert_int_equal(c.out.v[2].i, 6);
	release(&c);
	assert_string_equal(decode(&c, "pipe2", 0, O_CLOEXEC, 0, 0, 0, -14, 0),
			    "pipe2(NULL, O_CLOEXEC) = -1 EFAULT (Bad address)");
	release(&c);
	assert_string_equal(decode(&c, "dup3", 3, 21, O_CLOEXEC, 0, 0, 21, 0), "dup3(3, 21, O_CLOEXEC) = 21");
	release(&c);
	assert_string_equal(decode(&c, "close_range", 21, 0xffffffffu, 0, 0, 0, 0, 0),
			    "close_range(21, 4294967295, 0) = 0");
	release(&c);
	assert_string_equal(decode(&c, "close_range", 3, 4, 6, 0, 0, 0, 0),
			    "close_range(3, 4, CLOSE_RANGE_UNSHARE|CLOSE_RANGE_CLOEXEC) = 0");
	release(&c);
	assert_string_equal(decode(&c, "close", (uint64_t)-5, 0, 0, 0, 0, -9, 0),
			    "close(-5) = -1 EBADF (Bad file descriptor)");
	release(&c);
}

static void test_names(void **state)
{
	struct call c;
	assert_string_equal(decode(&c, "unlinkat", (uint64_t)AT_FDCWD, U("d2"), AT_REMOVEDIR, 0, 0, 0, 0),
			    "unlinkat(AT_FDCWD, \"d2\", AT_REMOVEDIR) = 0");
	release(&c);
	assert_string_equal(decode(&c, "renameat2", 3, U("a"), 4, U("b"), 8, -22, 0),
			    "renameat2(3, \"a\", 4, \"b\", 0x8 /* RENAME_?? */) = -1 EINVAL (Invalid argument)");
	release(&c);
	assert_string_equal(decode(&c, "renameat2", (uint64_t)AT_FDCWD, U("a"), (uint64_t)AT_FDCWD, U("b"), 1, 0, 0),
			    "renameat2(AT_FDCWD, \"a\", AT_FDCWD, \"b\", RENAME_NOREPLACE) = 0");
	release(&c);
	char target[] = "f1xxxx";
	assert_string_equal(decode(&c, "readlink", U("/tmp/l1"), U(target), 256, 0, 0, 2, 0),
			    "readlink(\"/tmp/l1\", \"f1\", 256) = 2");
	release(&c);
	assert_string_equal(decode(&c, "getcwd", U("/tmp"), 256, 0, 0, 0, 5, 0), "getcwd(\"/tmp\", 256) = 5");
	release(&c);
	assert_string_equal(decode(&c, "mkdir", U("/tmp/d"), 0755, 0, 0, 0, 0, 0), "mkdir(\"/tmp/d\", 0755) = 0");
	release(&c);
	assert_string_equal(decode(&c, "chown", U("f1"), 0xffffffffu, 0xffffffffu, 0, 0, 0, 0),
			    "chown(\"f1\", -1, -1) = 0");
	release(&c);
	assert_string_equal(decode(&c, "flock", 3, LOCK_EX | LOCK_NB, 0, 0, 0, 0, 0), "flock(3, LOCK_EX|LOCK_NB) = 0");
	release(&c);
	assert_string_equal(decode(&c, "fchmodat", (uint64_t)AT_FDCWD, U("f1"), 0644, 0, 0, 0, 0),
			    "fchmodat(AT_FDCWD, \"f1\", 0644) = 0");
	release(&c);
}

static void test_times_and_copies(void **state)
{
	struct call c;
	struct timespec ts[2] = { { 0, (1l << 30) - 1 }, { 0, (1l << 30) - 2 } };
	assert_string_equal(decode(&c, "utimensat", (uint64_t)AT_FDCWD, U("f1"), U(ts), 0, 0, 0, 0),
			    "utimensat(AT_FDCWD, \"f1\", [UTIME_NOW, UTIME_OMIT], 0) = 0");
	release(&c);
	setenv("TZ", "UTC", 1);
	struct timespec ts2[2] = { { 1700000000, 5 }, { 1600000000, 0 } };
	assert_string_equal(decode(&c, "utimensat", (uint64_t)AT_FDCWD, U("f1"), U(ts2), 0x100, 0, 0, 0),
			    "utimensat(AT_FDCWD, \"f1\", [{tv_sec=1700000000, tv_nsec=5} /* 2023-11-14T22:13:20.000000005+0000 */, "
			    "{tv_sec=1600000000, tv_nsec=0} /* 2020-09-13T12:26:40+0000 */], AT_SYMLINK_NOFOLLOW) = 0");
	release(&c);
	/* the epoch has no comment (touch -d @0; a statx without birth time) */
	struct timespec ts3[2] = { { 0, 0 }, { 0, 500000000 } };
	assert_string_equal(decode(&c, "utimensat", (uint64_t)AT_FDCWD, U("f1"), U(ts3), 0, 0, 0, 0),
			    "utimensat(AT_FDCWD, \"f1\", [{tv_sec=0, tv_nsec=0}, "
			    "{tv_sec=0, tv_nsec=500000000} /* 1970-01-01T00:00:00.500000000+0000 */], 0) = 0");
	release(&c);

	/* sendfile: the offset before and after */
	int64_t off = 3;
	struct dctx *d;
	decode(&c, "sendfile", 7, 3, U(&off), 10, 0, 10, 0);
	release(&c);
	{
		/* by hand, so that the offset changes between entry and exit */
		static uint64_t args[6];
		long nr = scry_syscall_lookup(scry_native_table(), "sendfile");
		memset(&c, 0, sizeof(c));
		strbuf_init(&c.text, 64);
		d = &c.d;
		d->pid = d->tid = getpid();
		d->info = scry_syscall_get(scry_native_table(), nr);
		d->args = args;
		d->limit = 32;
		args[0] = 7; args[1] = 3; args[2] = U(&off); args[3] = 10;
		d->out = &c.in;
		assert_int_equal(decoders[nr](d), DEC_MORE);
		off = 13;
		d->exiting = 1;
		d->ret = 10;
		d->out = &c.out;
		decoders[nr](d);
		render_text_list(&c.text, &c.in, 0, 1);
		strbuf_addstr(&c.text, ", ");
		render_text_list(&c.text, &c.out, 0, 1);
		assert_string_equal(c.text.buf, "7, 3, [3] => [13], 10");
		release(&c);
	}
	assert_string_equal(decode(&c, "sendfile", 7, 3, 0, 10, 0, 10, 0), "sendfile(7, 3, NULL, 10) = 10");
	release(&c);
	assert_string_equal(decode(&c, "sendfile", 7, 3, 1, 10, 0, -14, 0), "sendfile(7, 3, 0x1, 10) = -1 EFAULT (Bad address)");
	release(&c);
	int64_t o1 = 5;
	assert_string_equal(decode(&c, "splice", 3, U(&o1), 13, 0, 5, 5, 0),
			    "splice(3, [5], 13, NULL, 5, 0) = 5");
	release(&c);
	assert_string_equal(decode(&c, "memfd_create", U("myname"), 3, 0, 0, 0, 14, 0),
			    "memfd_create(\"myname\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 14");
	release(&c);
	assert_string_equal(decode(&c, "inotify_add_watch", 16, U("/tmp"), 0x1000302, 0, 0, 1, 0),
			    "inotify_add_watch(16, \"/tmp\", IN_MODIFY|IN_CREATE|IN_DELETE|IN_ONLYDIR) = 1");
	release(&c);
	assert_string_equal(decode(&c, "inotify_init1", 0x7b, 0, 0, 0, 0, -22, 0),
			    "inotify_init1(0x7b /* IN_??? */) = -1 EINVAL (Invalid argument)");
	release(&c);
}

static void test_getdents64(void **state)
{
	unsigned char buf[64];
	memset(buf, 0, sizeof(buf));
	uint16_t rl = 24;
	memcpy(buf + 16, &rl, 2);
	buf[18] = 4;
	buf[19] = '.';
	memcpy(buf + 24 + 16, &rl, 2);
	buf[24 + 18] = 4;
	memcpy(buf + 24 + 19, "..", 2);
	struct call c;
	char want[96];
	snprintf(want, sizeof(want), "getdents64(3, %p /* 2 entries */, 64) = 48", (void *)buf);
	assert_string_equal(decode(&c, "getdents64", 3, U(buf), 64, 0, 0, 48, 0), want);
	release(&c);
	assert_string_equal(decode(&c, "getdents64", 3, U(buf), 64, 0, 0, 48, 1),
			    "getdents64(3, [{d_ino=0, d_off=0, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, "
			    "{d_ino=0, d_off=0, d_reclen=24, d_type=DT_DIR, d_name=\"..\"}], 64) = 48");
	release(&c);
}

static void test_ioctl(void **state)
{
	uint16_t ws[4] = { 24, 80, 0, 0 };
	struct call c;
	assert_string_equal(decode(&c, "ioctl", 1, 0x5413, U(ws), 0, 0, 0, 0),
			    "ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0");
	release(&c);
	assert_string_equal(decode(&c, "ioctl", 1, 0x5413, 0, 0, 0, -9, 0),
			    "ioctl(1, TIOCGWINSZ, NULL) = -1 EBADF (Bad file descriptor)");
	release(&c);
	int n = 1;
	assert_string_equal(decode(&c, "ioctl", 12, 0x5421, U(&n), 0, 0, 0, 0), "ioctl(12, FIONBIO, [1]) = 0");
	release(&c);
	assert_string_equal(decode(&c, "ioctl", 12, 0x541B, U(&n), 0, 0, 0, 0), "ioctl(12, FIONREAD, [1]) = 0");
	release(&c);
	struct { uint32_t i, o, c, l; uint8_t line, cc[19]; } t = { 0x500, 0x5, 0xbf, 0x8a3b, 0, { 0 } };
	assert_string_equal(decode(&c, "ioctl", 22, 0x5401, U(&t), 0, 0, 0, 0),
			    "ioctl(22, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, "
			    "c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0");
	release(&c);
	assert_string_equal(decode(&c, "ioctl", 3, 0x5401, 1, 0, 0, -25, 0),
			    "ioctl(3, TCGETS, 0x1) = -1 ENOTTY (Inappropriate ioctl for device)");
	release(&c);
	assert_string_equal(decode(&c, "ioctl", 11, 0x40049409, 3, 0, 0, 0, 0),
			    "ioctl(11, BTRFS_IOC_CLONE or FICLONE, 3) = 0");
	release(&c);
	uint32_t fl = 0x80000;
	assert_string_equal(decode(&c, "ioctl", 3, 0x80086601, U(&fl), 0, 0, 0, 0),
			    "ioctl(3, FS_IOC_GETFLAGS, [FS_EXTENT_FL]) = 0");
	release(&c);
	assert_string_equal(decode(&c, "ioctl", 3, 0x1234, 0, 0, 0, -25, 0),
			    "ioctl(3, _IOC(_IOC_NONE, 0x12, 0x34, 0), 0) = -1 ENOTTY (Inappropriate ioctl for device)");
	release(&c);
	assert_string_equal(decode(&c, "ioctl", 3, 0xc0909903, 0x10, 0, 0, -25, 0),
			    "ioctl(3, _IOC(_IOC_READ|_IOC_WRITE, 0x99, 0x3, 0x90), 0x10) = -1 ENOTTY (Inappropriate ioctl for device)");
	release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat),
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_read_failed),
		cmocka_unit_test(test_iovec),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_statx),
		cmocka_unit_test(test_access_lseek),
		cmocka_unit_test(test_fcntl),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_times_and_copies),
		cmocka_unit_test(test_getdents64),
		cmocka_unit_test(test_ioctl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
