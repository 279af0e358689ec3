/*
 * Unit tests for the decoders of ia32 processes' i386 calls (issue 21,
 * src/decode/ia32.c, selected by scry_compat_nr()): the calls are decoded
 * as a 32-bit process would make them -- i386 numbers, 32-bit registers
 * (zero-extended, as PTRACE_GET_SYSCALL_INFO gives them), i386 struct
 * layouts in memory -- on buffers of this process, and rendered to strace
 * text.  The lines expected are strace 6.1's for an i386 tracee.  (This
 * machine cannot run 32-bit code, so no real ia32 process is traced here;
 * tests/e2e/test_ia32.py does where the kernel can.)
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
#include <linux/audit.h>

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
	decoders = decoders_build(&scry_table_i386);
	return decoders ? 0 : -1;
}

static int teardown(void **state)
{
	free(decoders);
	return 0;
}

#define U(p) ((uint64_t)(uintptr_t)(p))
#define NEG32(x) ((uint64_t)(uint32_t)(x))   /* a negative int in a 32-bit register */

/* Decode i386 call name(args) = ret as the engine does for an ia32 process
 * (scry_compat_nr() of its i386 number: SCRY_NR_I386 + nr, the decoder from
 * decoders_build(&scry_table_i386)), entry then exit, with -v as verbose. */
static const char *decode(struct call *c, const char *name, const uint64_t a[6], int64_t ret,
			  int verbose)
{
	static uint64_t args[6];
	long nr32 = scry_syscall_lookup(&scry_table_i386, name);
	assert_true(nr32 >= 0);
	long nr = scry_compat_nr(AUDIT_ARCH_I386, nr32);
	assert_int_equal(nr, SCRY_NR_I386 + nr32);   /* no x86_64 twin */
	memcpy(args, a, sizeof(args));
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->text, 128);
	struct dctx *d = &c->d;
	d->pid = d->tid = getpid();
	d->nr = nr;
	d->info = scry_syscall_get(&scry_table_x86_64, nr);
	assert_non_null(d->info);
	assert_string_equal(d->info->name, name);
	d->args = args;
	d->limit = 32;
	d->verbose = verbose;
	d->out = &c->in;
	int more = decoders[nr32](d);
	strbuf_addf(&c->text, "%s(", name);
	render_text_list(&c->text, &c->in, 0, 1);
	d->exiting = 1;
	d->ret = ret;
	d->failed = ret < 0 && ret > -4096;
	d->out = &c->out;
	if (more != DEC_DONE) {
		if (more == DEC_MORE && c->in.n)
			strbuf_addstr(&c->text, ", ");
		decoders[nr32](d);
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

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence): the offset
 * joined from two registers, the result read as a 64-bit number. */
static void test_llseek(void **state)
{
	struct call c;
	int64_t res = 0;
	uint64_t a[6] = { 3, 0, 0, U(&res), SEEK_CUR };
	assert_string_equal(decode(&c, "_llseek", a, 0, 0), "_llseek(3, 0, [0], SEEK_CUR) = 0");
	release(&c);
	res = 0x100000002LL;
	uint64_t b[6] = { 3, 1, 2, U(&res), SEEK_SET };
	assert_string_equal(decode(&c, "_llseek", b, 0, 0),
			    "_llseek(3, 4294967298, [4294967298], SEEK_SET) = 0");
	release(&c);
	/* a negative offset arrives as two 32-bit halves */
	uint64_t n[6] = { 3, 0xffffffff, 0xfffffff6, U(&res), 7 };
	char want[128];
	snprintf(want, sizeof(want),
		 "_llseek(3, -10, %p, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)", (void *)&res);
	assert_string_equal(decode(&c, "_llseek", n, -22, 0), want);
	release(&c);
}

/* mmap2: mmap's arguments with the offset in 4 KiB pages, fd -1 as a 32-bit
 * register; old mmap (90): the six arguments as 32-bit words in memory. */
static void test_mmap2_old_mmap(void **state)
{
	struct call c;
	uint64_t a[6] = { 0, 8192, 3, 0x22, NEG32(-1), 0 };
	assert_string_equal(decode(&c, "mmap2", a, 0xf7f0e000, 0),
			    "mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7f0e000");
	release(&c);
	uint64_t b[6] = { 0, 4096, 1, 2, 3, 5 };
	assert_string_equal(decode(&c, "mmap2", b, 0xf7f00000, 0),
			    "mmap2(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0x5000) = 0xf7f00000");
	release(&c);
	uint32_t words[6] = { 0, 4096, 1, 2, 3, 0x2000 };
	uint64_t o[6] = { U(words) };
	assert_string_equal(decode(&c, "mmap", o, 0xf7f00000, 0),
			    "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0x2000) = 0xf7f00000");
	release(&c);
}

/* struct stat64 as the i386 kernel writes it (packed, 96 bytes). */
struct __attribute__((packed)) stat64_i386 {
	uint64_t dev;
	uint32_t pad0, ino32, mode, nlink, uid, gid;
	uint64_t rdev;
	uint32_t pad3;
	int64_t size;
	uint32_t blksize;
	uint64_t blocks;
	uint32_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint64_t ino;
};

/* stat64 family: the i386 layout, never the x86_64 one (whose st_size
 * would be read from the middle of st_rdev). */
static void test_stat64(void **state)
{
	_Static_assert(sizeof(struct stat64_i386) == 96, "i386 struct stat64");
	struct stat64_i386 st;
	memset(&st, 0xee, sizeof(st));
	st.dev = (8 << 8) | 1;
	st.ino = 1234567;
	st.mode = 0100644;
	st.nlink = 1;
	st.uid = 1000;
	st.gid = 100;
	st.rdev = 0;
	st.size = 5000000000LL;
	st.blksize = 4096;
	st.blocks = 16;
	st.atime = st.mtime = st.ctime = 0;
	st.atime_nsec = st.mtime_nsec = st.ctime_nsec = 0;
	struct call c;
	uint64_t a[6] = { 3, U(&st) };
	assert_string_equal(decode(&c, "fstat64", a, 0, 0),
			    "fstat64(3, {st_mode=S_IFREG|0644, st_size=5000000000, ...}) = 0");
	release(&c);
	const char *line = decode(&c, "fstat64", a, 0, 1);
	assert_non_null(strstr(line, "st_ino=1234567, st_mode=S_IFREG|0644, st_nlink=1, st_uid=1000, "
				     "st_gid=100, st_blksize=4096, st_blocks=16, st_size=5000000000"));
	release(&c);
	uint64_t p[6] = { U("/etc"), U(&st) };
	assert_string_equal(decode(&c, "stat64", p, 0, 0),
			    "stat64(\"/etc\", {st_mode=S_IFREG|0644, st_size=5000000000, ...}) = 0");
	release(&c);
	assert_string_equal(decode(&c, "lstat64", p, 0, 0),
			    "lstat64(\"/etc\", {st_mode=S_IFREG|0644, st_size=5000000000, ...}) = 0");
	release(&c);
	uint64_t at[6] = { NEG32(-100), U("x"), U(&st), 0x100 };
	assert_string_equal(decode(&c, "fstatat64", at, 0, 0),
			    "fstatat64(AT_FDCWD, \"x\", {st_mode=S_IFREG|0644, st_size=5000000000, ...}, "
			    "AT_SYMLINK_NOFOLLOW) = 0");
	release(&c);
	/* a character device: st_rdev from its i386 place */
	st.mode = 020666;
	st.rdev = (1 << 8) | 3;
	assert_string_equal(decode(&c, "fstat64", a, 0, 0),
			    "fstat64(3, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
	release(&c);
	/* failed: the address */
	char want[96];
	snprintf(want, sizeof(want), "fstat64(3, %p) = -1 EBADF (Bad file descriptor)", (void *)&st);
	assert_string_equal(decode(&c, "fstat64", a, -9, 0), want);
	release(&c);
}

/* fcntl64 (and i386 fcntl): x86_64's decoder, but struct flock / flock64,
 * whose i386 layouts differ, only as their address. */
static void test_fcntl64(void **state)
{
	struct call c;
	uint64_t a[6] = { 3, 1 /* F_GETFD */ };
	assert_string_equal(decode(&c, "fcntl64", a, 1, 0), "fcntl64(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
	release(&c);
	char lock[32] = { 0 };
	char want[96];
	uint64_t l[6] = { 3, 13 /* F_SETLK64 */, U(lock) };
	snprintf(want, sizeof(want), "fcntl64(3, F_SETLK64, %p) = 0", (void *)lock);
	assert_string_equal(decode(&c, "fcntl64", l, 0, 0), want);
	release(&c);
	uint64_t g[6] = { 3, 5 /* F_GETLK */, U(lock) };
	snprintf(want, sizeof(want), "fcntl64(3, F_GETLK, %p) = 0", (void *)lock);
	assert_string_equal(decode(&c, "fcntl64", g, 0, 0), want);
	release(&c);
}

/* The 64-bit time calls use the x86_64 structures: the x86_64 decoder under
 * the i386 name. */
static void test_time64(void **state)
{
	struct call c;
	struct { int64_t sec, nsec; } ts = { 5, 6 };
	uint64_t a[6] = { 1 /* CLOCK_MONOTONIC */, U(&ts) };
	assert_string_equal(decode(&c, "clock_gettime64", a, 0, 0),
			    "clock_gettime64(CLOCK_MONOTONIC, {tv_sec=5, tv_nsec=6}) = 0");
	release(&c);
}

/* 64-bit lengths in two registers. */
static void test_truncate64(void **state)
{
	struct call c;
	uint64_t a[6] = { U("f"), 0, 1 };
	assert_string_equal(decode(&c, "truncate64", a, 0, 0), "truncate64(\"f\", 4294967296) = 0");
	release(&c);
	uint64_t b[6] = { 4, 10, 0 };
	assert_string_equal(decode(&c, "ftruncate64", b, 0, 0), "ftruncate64(4, 10) = 0");
	release(&c);
}

/* Calls scry cannot read with their i386 layouts keep the generic decoder:
 * pointers as addresses, 32-bit longs signed. */
static void test_generic_i386(void **state)
{
	struct call c;
	char args[24] = { 0 };
	char want[96];
	uint64_t a[6] = { 1 /* SYS_SOCKET */, U(args) };
	snprintf(want, sizeof(want), "socketcall(1, %p) = 3", (void *)args);
	assert_string_equal(decode(&c, "socketcall", a, 3, 0), want);
	release(&c);
	/* old lseek (19) shares x86_64's lseek: its own number, not _llseek */
	assert_int_equal(scry_compat_nr(AUDIT_ARCH_I386, 19), SCRY_NR_I386 + 19);
}

/* A page below 4 GiB, where a 32-bit process's pointers point. */
static unsigned char *low_page(void)
{
	unsigned char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	memset(low, 0, 4096);
	return low;
}

#define LOW(p) ((uint64_t)(uint32_t)(uintptr_t)(p))

/* _newselect: fd sets in 32-bit words, struct timeval of two 32-bit longs
 * (a 64-bit read would take tv_usec from the next word); old select (82):
 * the five arguments as 32-bit words in memory, shown as select's. */
static void test_select(void **state)
{
	struct call c;
	unsigned char *low = low_page();
	uint32_t *in = (uint32_t *)low, *out = (uint32_t *)(low + 64);
	int32_t *tv = (int32_t *)(low + 128);
	in[0] = 1u << 3;
	in[1] = 0xffffffff;          /* beyond n: the next word is not read as the set */
	out[0] = (1u << 1) | (1u << 4);
	tv[0] = 1;
	tv[1] = 500;
	tv[2] = 7;                   /* what x86_64's tv_usec would be */
	uint64_t a[6] = { 5, LOW(in), LOW(out), 0, LOW(tv) };
	const char *line = decode(&c, "_newselect", a, 2, 0);
	assert_string_equal(line, "_newselect(5, [3], [1 4], NULL, {tv_sec=1, tv_usec=500}) = 2 "
				  "(in [3], out [1 4], left {tv_sec=1, tv_usec=500})");
	release(&c);
	/* a timeout */
	assert_string_equal(decode(&c, "_newselect", a, 0, 0),
			    "_newselect(5, [3], [1 4], NULL, {tv_sec=1, tv_usec=500}) = 0 (Timeout)");
	release(&c);

	uint32_t *w = (uint32_t *)(low + 256);
	w[0] = 5;
	w[1] = (uint32_t)LOW(in);
	w[2] = 0;
	w[3] = 0;
	w[4] = 0;
	uint64_t o[6] = { LOW(w) };
	assert_string_equal(decode(&c, "select", o, 1, 0), "select(5, [3], NULL, NULL, NULL) = 1 (in [3])");
	release(&c);
	/* its words unreadable: the address */
	uint64_t bad[6] = { 16 };
	assert_string_equal(decode(&c, "select", bad, -14, 0), "select(0x10) = -1 EFAULT (Bad address)");
	release(&c);
	munmap(low, 4096);
}

/* struct statfs64 as the i386 kernel writes it (packed to 4, 84 bytes). */
struct __attribute__((packed, aligned(4))) statfs64_i386 {
	uint32_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree;
	int32_t fsid[2];
	uint32_t namelen, frsize, flags, spare[4];
};

/* statfs64(path, 84, buf) / fstatfs64(fd, 84, buf): the i386 layout with
 * the size argument; a size that is not the struct's: the address.  i386
 * statfs: its struct of 32-bit words. */
static void test_statfs64(void **state)
{
	_Static_assert(sizeof(struct statfs64_i386) == 84, "i386 struct statfs64");
	struct statfs64_i386 f;
	memset(&f, 0xee, sizeof(f));
	f.type = 0xEF53;
	f.bsize = 4096;
	f.blocks = 5000000000ULL;
	f.bfree = 100;
	f.bavail = 90;
	f.files = 655360;
	f.ffree = 600000;
	f.fsid[0] = 0x1234;
	f.fsid[1] = 0x5678;
	f.namelen = 255;
	f.frsize = 4096;
	f.flags = 0x1020;   /* ST_VALID|ST_RELATIME */
	const char *body = "{f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=5000000000, f_bfree=100, "
			   "f_bavail=90, f_files=655360, f_ffree=600000, f_fsid={val=[0x1234, 0x5678]}, "
			   "f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}";
	char want[512];
	struct call c;
	uint64_t a[6] = { U("/"), 84, U(&f) };
	snprintf(want, sizeof(want), "statfs64(\"/\", 84, %s) = 0", body);
	assert_string_equal(decode(&c, "statfs64", a, 0, 0), want);
	release(&c);
	uint64_t b[6] = { 3, 84, U(&f) };
	snprintf(want, sizeof(want), "fstatfs64(3, 84, %s) = 0", body);
	assert_string_equal(decode(&c, "fstatfs64", b, 0, 0), want);
	release(&c);
	uint64_t odd[6] = { 3, 80, U(&f) };
	snprintf(want, sizeof(want), "fstatfs64(3, 80, %p) = 0", (void *)&f);
	assert_string_equal(decode(&c, "fstatfs64", odd, 0, 0), want);
	release(&c);
	snprintf(want, sizeof(want), "fstatfs64(3, 84, %p) = -1 EBADF (Bad file descriptor)", (void *)&f);
	assert_string_equal(decode(&c, "fstatfs64", b, -9, 0), want);
	release(&c);

	uint32_t w[16] = { 0xEF53, 4096, 1000, 100, 90, 655360, 600000, 0x1234, 0x5678, 255, 4096, 0x1020 };
	uint64_t s32[6] = { U("/"), U(w) };
	assert_string_equal(decode(&c, "statfs", s32, 0, 0),
			    "statfs(\"/\", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=1000, f_bfree=100, "
			    "f_bavail=90, f_files=655360, f_ffree=600000, f_fsid={val=[0x1234, 0x5678]}, "
			    "f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0");
	release(&c);
}

/* sendmsg/recvmsg (i386 370/372, and through socketcall): struct msghdr
 * of 32-bit words, iovecs of two 32-bit words; the control messages with
 * i386's 12-byte headers, 4-byte alignment and 32-bit times. */
static void test_msghdr32(void **state)
{
	struct call c;
	unsigned char *low = low_page();
	memcpy(low + 512, "hello", 5);
	memcpy(low + 576, "world", 5);
	uint32_t *iov = (uint32_t *)(low + 256);
	iov[0] = (uint32_t)LOW(low + 512);
	iov[1] = 5;
	iov[2] = (uint32_t)LOW(low + 576);
	iov[3] = 5;
	uint32_t *m = (uint32_t *)low;
	m[0] = 0;                       /* msg_name */
	m[1] = 0;                       /* msg_namelen */
	m[2] = (uint32_t)LOW(iov);      /* msg_iov */
	m[3] = 2;                       /* msg_iovlen */
	m[4] = 0;                       /* msg_control */
	m[5] = 0;                       /* msg_controllen */
	m[6] = 0;                       /* msg_flags */
	uint64_t a[6] = { 3, LOW(m), 0x4000 /* MSG_NOSIGNAL */ };
	assert_string_equal(decode(&c, "sendmsg", a, 10, 0),
			    "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
			    "{iov_base=\"world\", iov_len=5}], msg_iovlen=2, msg_controllen=0, msg_flags=0}, "
			    "MSG_NOSIGNAL) = 10");
	release(&c);
	/* control messages: i386 struct cmsghdr (32-bit cmsg_len), 4-aligned:
	 * SCM_RIGHTS of one fd (16 bytes), SCM_CREDENTIALS (24), and
	 * SO_TIMESTAMP_OLD's struct timeval of two 32-bit longs (20) */
	uint32_t *cm = (uint32_t *)(low + 1024);
	const uint32_t ctl[] = { 16, 1, 1, 0,                 /* SCM_RIGHTS [0] */
				 24, 1, 2, 1, 2, 3,           /* SCM_CREDENTIALS */
				 20, 1, 29, 5, 7 };           /* SO_TIMESTAMP_OLD */
	memcpy(cm, ctl, sizeof(ctl));
	m[4] = (uint32_t)LOW(cm);
	m[5] = sizeof(ctl);
	a[2] = 0;
	assert_string_equal(decode(&c, "sendmsg", a, 10, 0),
			    "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
			    "{iov_base=\"world\", iov_len=5}], msg_iovlen=2, msg_control=["
			    "{cmsg_len=16, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0]}, "
			    "{cmsg_len=24, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, "
			    "cmsg_data={pid=1, uid=2, gid=3}}, "
			    "{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMP_OLD, "
			    "cmsg_data={tv_sec=5, tv_usec=7}}], msg_controllen=60, msg_flags=0}, 0) = 10");
	release(&c);
	/* less than a header: the address */
	m[5] = 8;
	char want[512];
	snprintf(want, sizeof(want),
		 "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
		 "{iov_base=\"world\", iov_len=5}], msg_iovlen=2, msg_control=%p, msg_controllen=8, "
		 "msg_flags=0}, 0) = 10", (void *)cm);
	assert_string_equal(decode(&c, "sendmsg", a, 10, 0), want);
	release(&c);
	/* unreadable control messages: their address */
	m[4] = 0x1000;
	m[5] = 16;
	assert_string_equal(decode(&c, "sendmsg", a, 10, 0),
			    "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}, "
			    "{iov_base=\"world\", iov_len=5}], msg_iovlen=2, msg_control=0x1000, "
			    "msg_controllen=16, msg_flags=0}, 0) = 10");
	release(&c);
	m[4] = m[5] = 0;
	/* recvmsg: what the kernel filled in, at exit, up to the result */
	const char *line = decode(&c, "recvmsg", a, 5, 0);
	assert_string_equal(line, "recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", "
				  "iov_len=5}, {iov_base=\"\", iov_len=5}], msg_iovlen=2, msg_controllen=0, "
				  "msg_flags=0}, 0) = 5");
	release(&c);
	/* and the control message the kernel wrote (an fd passed) */
	m[4] = (uint32_t)LOW(cm);
	m[5] = 16;
	line = decode(&c, "recvmsg", a, 5, 0);
	assert_string_equal(line, "recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", "
				  "iov_len=5}, {iov_base=\"\", iov_len=5}], msg_iovlen=2, msg_control=["
				  "{cmsg_len=16, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0]}], "
				  "msg_controllen=16, msg_flags=0}, 0) = 5");
	release(&c);
	munmap(low, 4096);
}

static ssize_t self_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	return mem_read(getpid(), addr, buf, len);
}

/* socketcall(SYS_CONNECT, args): the connect it makes, as strace shows it,
 * its arguments read as 32-bit words (the engine then filters, decodes and
 * counts it as connect). */
/* Decode the call ia32_ipc() made of ipc(args) by its decoder (the i386
 * one, or the x86_64 twin's), entry then exit, as the engine does. */
static const char *decode_nr(struct call *c, long nr, const uint64_t a[6], int64_t ret)
{
	static uint64_t args[6];
	static decoder_fn *x;
	if (!x)
		x = decoders_build(&scry_table_x86_64);
	assert_non_null(x);
	decoder_fn fn = nr >= SCRY_NR_I386 ? decoders[nr - SCRY_NR_I386] : x[nr];
	memcpy(args, a, sizeof(args));
	memset(c, 0, sizeof(*c));
	strbuf_init(&c->text, 128);
	struct dctx *d = &c->d;
	d->pid = d->tid = getpid();
	d->nr = nr;
	d->info = scry_syscall_get(&scry_table_x86_64, nr);
	assert_non_null(d->info);
	d->args = args;
	d->limit = 32;
	d->out = &c->in;
	int more = fn(d);
	strbuf_addf(&c->text, "%s(", d->info->name);
	render_text_list(&c->text, &c->in, 0, 1);
	d->exiting = 1;
	d->ret = ret;
	d->failed = ret < 0 && ret > -4096;
	d->out = &c->out;
	if (more != DEC_DONE) {
		if (more == DEC_MORE && c->in.n)
			strbuf_addstr(&c->text, ", ");
		fn(d);
		render_text_list(&c->text, &c->out, 0, 1);
	}
	strbuf_addstr(&c->text, ") = ");
	render_result(&c->text, d);
	return c->text.buf;
}

/* ipc(call, first, second, third, ptr, fifth): the SysV call it makes, as
 * strace shows it (decode_ipc_subcall), in its direct form; msgbuf's
 * 32-bit mtype; the *ctl structs as their address. */
static void test_ipc(void **state)
{
	struct call c;
	unsigned char *low = low_page();
	uint64_t out[6], at;
	/* semop(semid, sops, nsops): ipc(1, semid, nsops, 0, sops) */
	struct { uint16_t num; int16_t op, flg; } sb = { 0, -1, 0x1000 /* SEM_UNDO */ };
	memcpy(low, &sb, sizeof(sb));
	uint64_t a[6] = { 1, 5, 1, 0, LOW(low) };
	long nr = ia32_ipc(self_read, NULL, a, out, &at);
	assert_int_equal(nr, scry_syscall_lookup(&scry_table_x86_64, "semop"));
	assert_int_equal(at, 0);
	assert_string_equal(decode_nr(&c, nr, out, 0),
			    "semop(5, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1) = 0");
	release(&c);
	/* shmget(key, size, flags): the x86_64 twin's number (same layout) */
	uint64_t g[6] = { 23, 0, 4096, 01600 /* IPC_CREAT|0600 */ };
	nr = ia32_ipc(self_read, NULL, g, out, &at);
	assert_int_equal(nr, scry_syscall_lookup(&scry_table_x86_64, "shmget"));
	assert_string_equal(decode_nr(&c, nr, out, 65538), "shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600) = 65538");
	release(&c);
	/* shmat: the address comes back through the word at third */
	uint64_t sa[6] = { 21, 65538, 0, LOW(low + 64), 0 };
	nr = ia32_ipc(self_read, NULL, sa, out, &at);
	assert_int_equal(nr, scry_syscall_lookup(&scry_table_x86_64, "shmat"));
	assert_int_equal(at, LOW(low + 64));
	assert_int_equal(out[0], 65538);
	/* msgsnd(msqid, msgp, msgsz, msgflg): ipc(11, msqid, msgsz, msgflg, msgp);
	 * struct msgbuf { long mtype (32 bits); char mtext[]; } */
	int32_t mtype = 7;
	memcpy(low + 128, &mtype, sizeof(mtype));
	memcpy(low + 132, "hello", 5);
	uint64_t ms[6] = { 11, 3, 5, 0, LOW(low + 128) };
	nr = ia32_ipc(self_read, NULL, ms, out, &at);
	assert_int_equal(nr, SCRY_NR_I386 + 400);
	assert_string_equal(decode_nr(&c, nr, out, 0), "msgsnd(3, {mtype=7, mtext=\"hello\"}, 5, 0) = 0");
	release(&c);
	/* msgrcv, version 0: msgp and msgtyp in a struct at ptr */
	uint32_t kludge[2] = { (uint32_t)LOW(low + 128), 7 };
	memcpy(low + 256, kludge, sizeof(kludge));
	uint64_t mr[6] = { 12, 3, 5, 0, LOW(low + 256) };
	nr = ia32_ipc(self_read, NULL, mr, out, &at);
	assert_int_equal(nr, SCRY_NR_I386 + 401);
	assert_int_equal(out[1], LOW(low + 128));
	assert_int_equal(out[3], 7);
	assert_string_equal(decode_nr(&c, nr, out, 5), "msgrcv(3, {mtype=7, mtext=\"hello\"}, 5, 7, 0) = 5");
	release(&c);
	/* shmctl(IPC_STAT): struct shmid_ds has the i386 layout: its address */
	uint64_t sc[6] = { 24, 65538, 2 /* IPC_STAT */, 0, LOW(low + 512) };
	nr = ia32_ipc(self_read, NULL, sc, out, &at);
	assert_int_equal(nr, SCRY_NR_I386 + 396);
	char want[128];
	snprintf(want, sizeof(want), "shmctl(65538, IPC_STAT, %p) = 0", (void *)(low + 512));
	assert_string_equal(decode_nr(&c, nr, out, 0), want);
	release(&c);
	/* semtimedop(semid, sops, nsops, timeout): ipc(4, semid, nsops, 0,
	 * sops, timeout), the timeout a struct timespec of 32-bit longs (read
	 * as 64-bit ones, tv_nsec would take the next word); i386 has no
	 * direct call of that name: a row past its table */
	int32_t ts[3] = { 1, 500, 0x7fffffff };
	memcpy(low + 768, ts, sizeof(ts));
	uint64_t st[6] = { 4, 5, 1, 0, LOW(low), LOW(low + 768) };
	nr = ia32_ipc(self_read, NULL, st, out, &at);
	assert_int_equal(nr, SCRY_NR_I386 + SCRY_I386_SUBCALL + 4);
	assert_string_equal(decode_nr(&c, nr, out, 0),
			    "semtimedop(5, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1, "
			    "{tv_sec=1, tv_nsec=500}) = 0");
	release(&c);
	uint64_t sn[6] = { 4, 5, 1, 0, LOW(low), 0 };
	nr = ia32_ipc(self_read, NULL, sn, out, &at);
	assert_string_equal(decode_nr(&c, nr, out, 0),
			    "semtimedop(5, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}], 1, NULL) = 0");
	release(&c);
	/* unknown calls stay ipc */
	uint64_t un[6] = { 99 };
	assert_int_equal(ia32_ipc(self_read, NULL, un, out, &at), -1);
	munmap(low, 4096);
}

/* send (9) and recv (10) through socketcall: neither x86_64 nor i386 has a
 * call of that name; shown as strace shows them, sendto's and recvfrom's
 * arguments without the address, with their own names (rows of the i386
 * table past the kernel's, SCRY_I386_SUBCALL). */
static void test_send_recv(void **state)
{
	struct call c;
	unsigned char *low = low_page();
	memcpy(low + 256, "hello", 5);
	uint32_t words[4] = { 5, (uint32_t)LOW(low + 256), 5, 0x40 /* MSG_DONTWAIT */ };
	memcpy(low, words, sizeof(words));
	uint64_t args[6] = { 9 /* SYS_SEND */, LOW(low) }, out[6];
	long nr = ia32_socketcall(self_read, NULL, args, out);
	assert_int_equal(nr, SCRY_NR_I386 + SCRY_I386_SUBCALL + 1);
	assert_string_equal(scry_syscall_get(&scry_table_x86_64, nr)->name, "send");
	assert_string_equal(decode_nr(&c, nr, out, 5), "send(5, \"hello\", 5, MSG_DONTWAIT) = 5");
	release(&c);
	assert_string_equal(decode_nr(&c, nr, out, -32), "send(5, \"hello\", 5, MSG_DONTWAIT) = -1 EPIPE (Broken pipe)");
	release(&c);
	/* recv: the buffer at exit, up to what came back */
	words[2] = 16;
	words[3] = 0;
	memcpy(low, words, sizeof(words));
	args[0] = 10;   /* SYS_RECV */
	nr = ia32_socketcall(self_read, NULL, args, out);
	assert_int_equal(nr, SCRY_NR_I386 + SCRY_I386_SUBCALL + 2);
	assert_string_equal(scry_syscall_get(&scry_table_x86_64, nr)->name, "recv");
	assert_string_equal(decode_nr(&c, nr, out, 5), "recv(5, \"hello\", 16, 0) = 5");
	release(&c);
	char want[128];
	snprintf(want, sizeof(want), "recv(5, %p, 16, 0) = -1 EAGAIN (Resource temporarily unavailable)",
		 (void *)(low + 256));
	assert_string_equal(decode_nr(&c, nr, out, -11), want);
	release(&c);
	/* the rows past the kernel's table stay past it (a kernel table that
	 * reaches them needs SCRY_I386_SUBCALL moved up: gen-syscalls.py) */
	for (long n = 0; n < SCRY_I386_SUBCALL; n++) {
		const struct scry_syscall_info *i = scry_syscall_get(&scry_table_i386, n);
		assert_true(!i || (strcmp(i->name, "send") && strcmp(i->name, "recv") &&
				   strcmp(i->name, "accept") && strcmp(i->name, "semop")));
	}
	munmap(low, 4096);
}

/* Little-endian words into an i386 struct. */
static void put_u32(unsigned char *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

/* struct ipc64_perm, i386 (36 bytes): key, uid, gid, cuid, cgid, mode. */
static void put_perm(unsigned char *p)
{
	memset(p, 0, 36);
	put_u32(p, 0, 0x1234);
	put_u32(p, 4, 1000);
	put_u32(p, 8, 1001);
	put_u32(p, 12, 1002);
	put_u32(p, 16, 1003);
	put_u32(p, 20, 0600);
	put_u32(p, 24, 9);      /* seq, not shown */
	put_u32(p, 28, 0xdeadbeef), put_u32(p, 32, 0xdeadbeef);   /* unused */
}

#define PERM "{uid=1000, gid=1001, mode=0600, key=4660, cuid=1002, cgid=1003}"

/* shmctl, semctl and msgctl with IPC_64 (as i386 glibc calls them): their
 * structs in the i386 IPC_64 layouts (36-byte ipc64_perm, 32-bit longs,
 * times in low and high words), not read as the x86_64 ones; without
 * IPC_64 (the old layouts) their address. */
static void test_ipc_ctl64(void **state)
{
	struct call c;
	unsigned char *low = low_page();
	unsigned char *ds = low + 1024;
	/* struct shmid64_ds (84 bytes) */
	memset(ds, 0, 128);
	put_perm(ds);
	put_u32(ds, 36, 4096);              /* shm_segsz */
	put_u32(ds, 40, 1700000000);        /* shm_atime, _high 0 */
	put_u32(ds, 48, 1700000001);        /* shm_dtime */
	put_u32(ds, 56, 5), put_u32(ds, 60, 1);   /* shm_ctime: 2^32 + 5 */
	put_u32(ds, 64, 77);                /* shm_cpid */
	put_u32(ds, 68, 78);                /* shm_lpid */
	put_u32(ds, 72, 2);                 /* shm_nattch */
	put_u32(ds, 76, 0xdeadbeef), put_u32(ds, 80, 0xdeadbeef);
	uint64_t shm[6] = { 65538, 0x100 | 2 /* IPC_64|IPC_STAT */, LOW(ds) };
	assert_string_equal(decode(&c, "shmctl", shm, 0, 0),
			    "shmctl(65538, IPC_64|IPC_STAT, {shm_perm=" PERM ", shm_segsz=4096, shm_cpid=77, "
			    "shm_lpid=78, shm_nattch=2, shm_atime=1700000000, shm_dtime=1700000001, "
			    "shm_ctime=4294967301}) = 0");
	release(&c);
	/* IPC_SET at entry: only the fields it sets */
	shm[1] = 0x100 | 1;
	assert_string_equal(decode(&c, "shmctl", shm, 0, 0),
			    "shmctl(65538, IPC_64|IPC_SET, {shm_perm={uid=1000, gid=1001, mode=0600}}) = 0");
	release(&c);
	/* the old layout (no IPC_64): its address */
	shm[1] = 2;
	char want[256];
	snprintf(want, sizeof(want), "shmctl(65538, IPC_STAT, %p) = 0", (void *)ds);
	assert_string_equal(decode(&c, "shmctl", shm, 0, 0), want);
	release(&c);
	/* IPC_INFO: struct shminfo64, nine 32-bit longs */
	for (uint32_t i = 0; i < 9; i++)
		put_u32(ds, 4 * i, 100 + i);
	shm[1] = 0x100 | 3;
	assert_string_equal(decode(&c, "shmctl", shm, 0, 0),
			    "shmctl(65538, IPC_64|IPC_INFO, {shmmax=100, shmmin=101, shmmni=102, shmseg=103, "
			    "shmall=104}) = 0");
	release(&c);
	/* SHM_INFO: struct shm_info, an int and five 32-bit longs */
	for (uint32_t i = 0; i < 6; i++)
		put_u32(ds, 4 * i, 200 + i);
	shm[1] = 0x100 | 14;
	assert_string_equal(decode(&c, "shmctl", shm, 0, 0),
			    "shmctl(65538, IPC_64|SHM_INFO, {used_ids=200, shm_tot=201, shm_rss=202, shm_swp=203, "
			    "swap_attempts=204, swap_successes=205}) = 0");
	release(&c);

	/* struct semid64_ds (64 bytes) */
	memset(ds, 0, 128);
	put_perm(ds);
	put_u32(ds, 36, 1700000002);        /* sem_otime */
	put_u32(ds, 44, 1700000003);        /* sem_ctime */
	put_u32(ds, 52, 3);                 /* sem_nsems */
	put_u32(ds, 56, 0xdeadbeef), put_u32(ds, 60, 0xdeadbeef);
	uint64_t sem[6] = { 5, 0, 0x100 | 2, LOW(ds) };
	assert_string_equal(decode(&c, "semctl", sem, 0, 0),
			    "semctl(5, 0, IPC_64|IPC_STAT, {sem_perm=" PERM ", sem_otime=1700000002, "
			    "sem_ctime=1700000003, sem_nsems=3}) = 0");
	release(&c);

	/* struct msqid64_ds (88 bytes) */
	memset(ds, 0, 128);
	put_perm(ds);
	put_u32(ds, 36, 1700000004);        /* msg_stime */
	put_u32(ds, 44, 1700000005);        /* msg_rtime */
	put_u32(ds, 52, 1700000006);        /* msg_ctime */
	put_u32(ds, 60, 10);                /* msg_cbytes */
	put_u32(ds, 64, 2);                 /* msg_qnum */
	put_u32(ds, 68, 16384);             /* msg_qbytes */
	put_u32(ds, 72, 55);                /* msg_lspid */
	put_u32(ds, 76, 56);                /* msg_lrpid */
	put_u32(ds, 80, 0xdeadbeef), put_u32(ds, 84, 0xdeadbeef);
	uint64_t msg[6] = { 3, 0x100 | 2, LOW(ds) };
	assert_string_equal(decode(&c, "msgctl", msg, 0, 0),
			    "msgctl(3, IPC_64|IPC_STAT, {msg_perm=" PERM ", msg_stime=1700000004, "
			    "msg_rtime=1700000005, msg_ctime=1700000006, msg_qnum=2, msg_qbytes=16384, "
			    "msg_lspid=55, msg_lrpid=56}) = 0");
	release(&c);
	munmap(low, 4096);
}

/* sendmmsg/recvmmsg: struct mmsghdr of the i386 msghdr and a 32-bit
 * msg_len (32 bytes), each message's iovecs in the i386 layout;
 * recvmmsg's timeout of two 32-bit longs. */
static void test_mmsghdr32(void **state)
{
	struct call c;
	unsigned char *low = low_page();
	memcpy(low + 1024, "hello", 5);
	memcpy(low + 1088, "world", 5);
	uint32_t *iov = (uint32_t *)(low + 512);
	iov[0] = (uint32_t)LOW(low + 1024);
	iov[1] = 5;
	iov[2] = (uint32_t)LOW(low + 1088);
	iov[3] = 5;
	uint32_t *mm = (uint32_t *)low;     /* two struct mmsghdr, 32 bytes each */
	for (int i = 0; i < 2; i++) {
		uint32_t *m = mm + 8 * i;
		m[2] = (uint32_t)LOW(iov + 2 * i);
		m[3] = 1;
		m[7] = 5;                   /* msg_len */
	}
	const char *body = "[{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}], "
			   "msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=5}, "
			   "{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"world\", iov_len=5}], "
			   "msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=5}]";
	char want[1024];
	uint64_t a[6] = { 3, LOW(mm), 2, 0 };
	snprintf(want, sizeof(want), "sendmmsg(3, %s, 2, 0) = 2", body);
	assert_string_equal(decode(&c, "sendmmsg", a, 2, 0), want);
	release(&c);
	int32_t *ts = (int32_t *)(low + 2048);
	ts[0] = 1;
	ts[1] = 0;
	ts[2] = 9;                          /* what x86_64's tv_nsec would be */
	uint64_t r[6] = { 3, LOW(mm), 2, 0, LOW(ts) };
	const char *line = decode(&c, "recvmmsg", r, 2, 0);
	snprintf(want, sizeof(want), "recvmmsg(3, %s, 2, 0, {tv_sec=1, tv_nsec=0}) = 2", body);
	assert_non_null(strstr(line, want));
	release(&c);
	/* control messages, each element's with the i386 struct cmsghdr and
	 * its own lengths: none, SCM_RIGHTS, then SCM_CREDENTIALS and
	 * SCM_RIGHTS of two fds */
	uint32_t *c1 = (uint32_t *)(low + 3072), *c2 = (uint32_t *)(low + 3200);
	const uint32_t ctl1[] = { 16, 1, 1, 0 };
	const uint32_t ctl2[] = { 24, 1, 2, 1, 2, 3, 20, 1, 1, 0, 1 };
	memcpy(c1, ctl1, sizeof(ctl1));
	memcpy(c2, ctl2, sizeof(ctl2));
	memcpy(mm + 16, mm + 8, 32);        /* a third element, as the second */
	mm[8 + 4] = (uint32_t)LOW(c1), mm[8 + 5] = sizeof(ctl1);
	mm[16 + 4] = (uint32_t)LOW(c2), mm[16 + 5] = sizeof(ctl2);
	uint64_t m3[6] = { 3, LOW(mm), 3, 0 };
	assert_string_equal(decode(&c, "sendmmsg", m3, 3, 0),
			    "sendmmsg(3, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", "
			    "iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=5}, "
			    "{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"world\", iov_len=5}], "
			    "msg_iovlen=1, msg_control=[{cmsg_len=16, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, "
			    "cmsg_data=[0]}], msg_controllen=16, msg_flags=0}, msg_len=5}, "
			    "{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"world\", iov_len=5}], "
			    "msg_iovlen=1, msg_control=[{cmsg_len=24, cmsg_level=SOL_SOCKET, "
			    "cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=1, uid=2, gid=3}}, {cmsg_len=20, "
			    "cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[0, 1]}], msg_controllen=44, "
			    "msg_flags=0}, msg_len=5}], 3, 0) = 3");
	release(&c);
	munmap(low, 4096);
}

static void test_socketcall(void **state)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(80);
	sa.sin_addr.s_addr = htonl(0x7f000001);
	/* a 32-bit process's pointers are below 4 GiB: put the words and the
	 * sockaddr there */
	unsigned char *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(low != MAP_FAILED);
	memcpy(low + 64, &sa, sizeof(sa));
	uint32_t words[3] = { 5, (uint32_t)(uintptr_t)(low + 64), sizeof(sa) };
	memcpy(low, words, sizeof(words));
	uint64_t args[6] = { 3 /* SYS_CONNECT */, (uint32_t)(uintptr_t)low }, out[6];
	long nr = ia32_socketcall(self_read, NULL, args, out);
	assert_int_equal(nr, scry_syscall_lookup(&scry_table_x86_64, "connect"));
	assert_int_equal(out[0], 5);
	assert_int_equal(out[1], (uint64_t)(uintptr_t)(low + 64));
	assert_int_equal(out[2], sizeof(sa));
	assert_int_equal(out[3], 0);
	/* decoded by connect's decoder */
	struct call c;
	struct scry_values in = SCRY_VALUES_INIT;
	struct strbuf text = STRBUF_INIT;
	memset(&c.d, 0, sizeof(c.d));
	c.d.pid = c.d.tid = getpid();
	c.d.nr = nr;
	c.d.info = scry_syscall_get(&scry_table_x86_64, nr);
	c.d.args = out;
	c.d.limit = 32;
	c.d.out = &in;
	decoder_fn *x = decoders_build(&scry_table_x86_64);
	assert_non_null(x);
	x[nr](&c.d);
	render_text_list(&text, &in, 0, 1);
	assert_string_equal(text.buf, "5, {sa_family=AF_INET, sin_port=htons(80), "
			    "sin_addr=inet_addr(\"127.0.0.1\")}, 16");
	strbuf_release(&text);
	scry_values_release(&in);

	/* setsockopt (14): its value is read as an int (or bytes), whose
	 * layout is the same: the x86_64 decoder */
	int one = 1;
	memcpy(low + 128, &one, sizeof(one));
	uint32_t so[5] = { 5, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */,
			   (uint32_t)(uintptr_t)(low + 128), sizeof(one) };
	memcpy(low, so, sizeof(so));
	args[0] = 14;
	nr = ia32_socketcall(self_read, NULL, args, out);
	assert_int_equal(nr, scry_syscall_lookup(&scry_table_x86_64, "setsockopt"));
	struct scry_values in2 = SCRY_VALUES_INIT;
	struct strbuf text2 = STRBUF_INIT;
	c.d.nr = nr;
	c.d.info = scry_syscall_get(&scry_table_x86_64, nr);
	c.d.out = &in2;
	x[nr](&c.d);
	render_text_list(&text2, &in2, 0, 1);
	assert_string_equal(text2.buf, "5, SOL_SOCKET, SO_REUSEADDR, [1], 4");
	strbuf_release(&text2);
	scry_values_release(&in2);
	free(x);
	/* and the direct i386 calls of the same layouts are their x86_64
	 * twins (i386 setsockopt 366, sendto 369, accept4 364) */
	assert_int_equal(scry_compat_nr(AUDIT_ARCH_I386, 366), nr);
	assert_int_equal(scry_compat_nr(AUDIT_ARCH_I386, 369), scry_syscall_lookup(&scry_table_x86_64, "sendto"));
	assert_int_equal(scry_compat_nr(AUDIT_ARCH_I386, 364), scry_syscall_lookup(&scry_table_x86_64, "accept4"));

	/* sendmsg (16) is i386 sendmsg (370), decoded with its i386 layouts */
	args[0] = 16;
	assert_int_equal(ia32_socketcall(self_read, NULL, args, out), SCRY_NR_I386 + 370);
	assert_int_equal(out[0], 5);
	/* recvmmsg (19) and sendmmsg (20): i386 337 and 345 */
	args[0] = 19;
	assert_int_equal(ia32_socketcall(self_read, NULL, args, out), SCRY_NR_I386 + 337);
	args[0] = 20;
	assert_int_equal(ia32_socketcall(self_read, NULL, args, out), SCRY_NR_I386 + 345);

	/* accept (5), which i386 has only through socketcall: x86_64's
	 * accept (the same layout; -c counts it as i386's, a row past the
	 * kernel's table) */
	args[0] = 5;
	assert_int_equal(ia32_socketcall(self_read, NULL, args, out),
			 scry_syscall_lookup(&scry_table_x86_64, "accept"));
	/* an unknown call stays socketcall; so does one whose words cannot be
	 * read */
	args[0] = 99;
	assert_int_equal(ia32_socketcall(self_read, NULL, args, out), -1);
	args[0] = 3;
	args[1] = 0;
	assert_int_equal(ia32_socketcall(self_read, NULL, args, out), -1);
	munmap(low, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_llseek),
		cmocka_unit_test(test_mmap2_old_mmap),
		cmocka_unit_test(test_stat64),
		cmocka_unit_test(test_fcntl64),
		cmocka_unit_test(test_time64),
		cmocka_unit_test(test_truncate64),
		cmocka_unit_test(test_generic_i386),
		cmocka_unit_test(test_socketcall),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_statfs64),
		cmocka_unit_test(test_msghdr32),
		cmocka_unit_test(test_ipc),
		cmocka_unit_test(test_send_recv),
		cmocka_unit_test(test_ipc_ctl64),
		cmocka_unit_test(test_mmsghdr32),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
