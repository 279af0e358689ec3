/*
 * The long tail (issue 21, part A): calls that had no decoder of their own
 * and showed raw integers.  Extended attributes, fallocate and
 * sync_file_range, mknod, the splice family's vmsplice and tee,
 * capabilities, priorities, personality, getcpu, times, getrusage, kcmp,
 * membarrier, process_vm_readv/writev, mount and the namespace calls.
 *
 * The text they lead to is strace 6.1's, compared line by line on
 * tests/progs/longtail_a.c by tests/e2e/test_longtail.py; the flag tables
 * list the constants of the kernel's UAPI headers in strace's order (its
 * xlat/<name>.in), which is the order the names are printed in.
 */
#include "decode/decode.h"
#include "decode/file_common.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <linux/kcmp.h>

/* ---- extended attributes ---- */

static const struct scry_xlat xlat_xattr[] = {
	{ 1, "XATTR_CREATE" }, { 2, "XATTR_REPLACE" }, { 0, NULL },
};

#define K_XATTR_SIZE_MAX 65536

/*
 * An attribute's value: size bytes, cut at -s, without one trailing NUL
 * (strace's QUOTE_OMIT_TRAILING_0) unless in hex; an impossible size (a failed call's
 * -1) shows the address.
 */
static void xattr_value(struct dctx *d, const char *name, uint64_t addr, uint64_t size)
{
	char buf[4096];
	if (size > K_XATTR_SIZE_MAX || !addr) {
		v_ptr(d, name, addr);
		return;
	}
	size_t want = size < (uint64_t)d->limit ? (size_t)size : (size_t)d->limit;
	if (want > sizeof(buf))
		want = sizeof(buf);
	if (want && d_read_exact(d, addr, buf, want)) {
		v_unread(d, name, addr);
		return;
	}
	/* strace drops it unless -x shows the string in hex, where a NUL
	 * makes all of it hex (string_quote()): then it is shown too */
	size_t n = want;
	int cut = size > want;
	if (n && !buf[n - 1] && !d->xflag) {
		/* a NUL ends the string there for strace: no "..." after it */
		n--;
		cut = 0;
	}
	v_bytes(d, name, buf, n, cut);
}

/* The target of an xattr call: a path, or an fd for the f* calls. */
static void xattr_target(struct dctx *d)
{
	const char *c = d->info ? d->info->name : "";
	if (c[0] == 'f')
		v_fd(d, "fd", (int)d->args[0]);
	else
		v_path(d, "pathname", d->args[0]);
}

static int dec_setxattr(struct dctx *d)
{
	xattr_target(d);
	v_cstr(d, "name", d->args[1]);
	xattr_value(d, "value", d->args[2], d->args[3]);
	v_uint(d, "size", d->args[3]);
	flags_c(d, "flags", (uint32_t)d->args[4], xlat_xattr, "XATTR_???");
	return DEC_DONE;
}

static int dec_getxattr(struct dctx *d)
{
	if (!d->exiting) {
		xattr_target(d);
		v_cstr(d, "name", d->args[1]);
		return DEC_MORE;
	}
	/* what the kernel wrote: the result counts it */
	xattr_value(d, "value", d->args[2], d->failed ? ~0ULL : (uint64_t)d->ret);
	v_uint(d, "size", d->args[3]);
	return DEC_DONE;
}

/* The list of names, NUL-separated, as the bytes they are: "user.a\0user.b\0". */
static int dec_listxattr(struct dctx *d)
{
	if (!d->exiting) {
		xattr_target(d);
		return DEC_MORE;
	}
	if (!d->args[2] || d->failed)
		v_ptr(d, "list", d->args[1]);
	else
		v_buf(d, "list", d->args[1], d->ret);
	v_uint(d, "size", d->args[2]);
	return DEC_DONE;
}

static int dec_removexattr(struct dctx *d)
{
	xattr_target(d);
	v_cstr(d, "name", d->args[1]);
	return DEC_DONE;
}

/* ---- fallocate, sync_file_range ---- */

static const struct scry_xlat xlat_falloc[] = {
	XLAT(FALLOC_FL_KEEP_SIZE), XLAT(FALLOC_FL_PUNCH_HOLE),
	XLAT(FALLOC_FL_NO_HIDE_STALE), XLAT(FALLOC_FL_COLLAPSE_RANGE),
	XLAT(FALLOC_FL_ZERO_RANGE), XLAT(FALLOC_FL_INSERT_RANGE),
	XLAT(FALLOC_FL_UNSHARE_RANGE), XLAT_END,
};

static int dec_fallocate(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	flags_c(d, "mode", (uint32_t)d->args[1], xlat_falloc, "FALLOC_FL_???");
	v_int(d, "offset", (int64_t)d->args[2]);
	v_int(d, "len", (int64_t)d->args[3]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_sync_file_range[] = {
	XLAT(SYNC_FILE_RANGE_WAIT_BEFORE), XLAT(SYNC_FILE_RANGE_WRITE),
	XLAT(SYNC_FILE_RANGE_WAIT_AFTER), XLAT_END,
};

static int dec_sync_file_range(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_int(d, "offset", (int64_t)d->args[1]);
	v_int(d, "nbytes", (int64_t)d->args[2]);
	flags_c(d, "flags", (uint32_t)d->args[3], xlat_sync_file_range, "SYNC_FILE_RANGE_???");
	return DEC_DONE;
}

/* ---- vmsplice, tee, process_vm_readv/writev: iovecs ---- */

static const struct scry_xlat xlat_splice_flags[] = {
	XLAT(SPLICE_F_MOVE), XLAT(SPLICE_F_NONBLOCK), XLAT(SPLICE_F_MORE),
	XLAT(SPLICE_F_GIFT), XLAT_END,
};

static int dec_vmsplice(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	iovec_array(d, "iov", d->args[1], d->args[2], 1, -1);
	v_uint(d, "nr_segs", d->args[2]);
	flags_c(d, "flags", (uint32_t)d->args[3], xlat_splice_flags, "SPLICE_F_???");
	return DEC_DONE;
}

static int dec_tee(struct dctx *d)
{
	v_fd(d, "fd_in", (int)d->args[0]);
	v_fd(d, "fd_out", (int)d->args[1]);
	v_uint(d, "len", d->args[2]);
	flags_c(d, "flags", (uint32_t)d->args[3], xlat_splice_flags, "SPLICE_F_???");
	return DEC_DONE;
}

/* process_vm_readv(pid, local, n, remote, n, flags): the local buffers
 * are shown with what was read into them, at exit; the remote ones are
 * in the other process: addresses only. */
static int dec_process_vm_readv(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "pid", (int)d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "local_iov", d->args[1]);
	else
		iovec_array(d, "local_iov", d->args[1], d->args[2], 1, d->ret);
	v_uint(d, "liovcnt", d->args[2]);
	iovec_array(d, "remote_iov", d->args[3], d->args[4], 0, -1);
	v_uint(d, "riovcnt", d->args[4]);
	v_uint(d, "flags", d->args[5]);
	return DEC_DONE;
}

static int dec_process_vm_writev(struct dctx *d)
{
	v_int(d, "pid", (int)d->args[0]);
	iovec_array(d, "local_iov", d->args[1], d->args[2], 1, -1);
	v_uint(d, "liovcnt", d->args[2]);
	iovec_array(d, "remote_iov", d->args[3], d->args[4], 0, -1);
	v_uint(d, "riovcnt", d->args[4]);
	v_uint(d, "flags", d->args[5]);
	return DEC_DONE;
}

/* ---- mknod ---- */

/* The device only for block and character files, as makedev(0x1, 0x3). */
static void mknod_rest(struct dctx *d, uint32_t mode, uint32_t dev)
{
	v_stmode(d, "mode", mode);
	if ((mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK)
		v_makedev(d, "dev", major(dev), minor(dev));
}

static int dec_mknod(struct dctx *d)
{
	v_path(d, "filename", d->args[0]);
	mknod_rest(d, (uint32_t)d->args[1], (uint32_t)d->args[2]);
	return DEC_DONE;
}

static int dec_mknodat(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	mknod_rest(d, (uint32_t)d->args[2], (uint32_t)d->args[3]);
	return DEC_DONE;
}

/* ---- capabilities ---- */

static const struct scry_xlat xlat_cap_version[] = {
	XLAT(_LINUX_CAPABILITY_VERSION_1), XLAT(_LINUX_CAPABILITY_VERSION_2),
	XLAT(_LINUX_CAPABILITY_VERSION_3), XLAT_END,
};

/* The capability numbers (a set's bit numbers). */
static const struct scry_xlat xlat_caps[] = {
	XLAT(CAP_CHOWN), XLAT(CAP_DAC_OVERRIDE), XLAT(CAP_DAC_READ_SEARCH),
	XLAT(CAP_FOWNER), XLAT(CAP_FSETID), XLAT(CAP_KILL), XLAT(CAP_SETGID),
	XLAT(CAP_SETUID), XLAT(CAP_SETPCAP), XLAT(CAP_LINUX_IMMUTABLE),
	XLAT(CAP_NET_BIND_SERVICE), XLAT(CAP_NET_BROADCAST), XLAT(CAP_NET_ADMIN),
	XLAT(CAP_NET_RAW), XLAT(CAP_IPC_LOCK), XLAT(CAP_IPC_OWNER),
	XLAT(CAP_SYS_MODULE), XLAT(CAP_SYS_RAWIO), XLAT(CAP_SYS_CHROOT),
	XLAT(CAP_SYS_PTRACE), XLAT(CAP_SYS_PACCT), XLAT(CAP_SYS_ADMIN),
	XLAT(CAP_SYS_BOOT), XLAT(CAP_SYS_NICE), XLAT(CAP_SYS_RESOURCE),
	XLAT(CAP_SYS_TIME), XLAT(CAP_SYS_TTY_CONFIG), XLAT(CAP_MKNOD),
	XLAT(CAP_LEASE), XLAT(CAP_AUDIT_WRITE), XLAT(CAP_AUDIT_CONTROL),
	XLAT(CAP_SETFCAP), XLAT(CAP_MAC_OVERRIDE), XLAT(CAP_MAC_ADMIN),
	XLAT(CAP_SYSLOG), XLAT(CAP_WAKE_ALARM), XLAT(CAP_BLOCK_SUSPEND),
	XLAT(CAP_AUDIT_READ), XLAT(CAP_PERFMON), XLAT(CAP_BPF),
	XLAT(CAP_CHECKPOINT_RESTORE), XLAT_END,
};

static const char *cap_name(unsigned bit)
{
	for (const struct scry_xlat *x = xlat_caps; x->name; x++)
		if (x->val == bit)
			return x->name;
	return NULL;
}

/*
 * A capability set: "1<<CAP_CHOWN|1<<CAP_KILL", typed as the parts of one
 * number, each a 1 shifted by the capability it names (JSON
 * {"value":N,"CAP_CHOWN":1,...}); bits without a name follow in hex.
 */
static void cap_set(struct dctx *d, const char *name, uint32_t lo, uint32_t hi)
{
	uint64_t all = (uint64_t)hi << 32 | lo, rest = 0;
	if (!all) {
		v_uint(d, name, 0);
		return;
	}
	size_t o = v_or_begin(d, name, all);
	for (unsigned b = 0; b < 64; b++) {
		if (!(all >> b & 1))
			continue;
		const char *n = cap_name(b);
		if (!n) {
			rest |= 1ULL << b;
			continue;
		}
		v_uint(d, n, 1);
		v_last(d)->fmt = SCRY_FMT_SHIFT;
	}
	if (rest) {
		/* strace prints each 32-bit half's unnamed bits on their own */
		if ((uint32_t)rest)
			v_hex(d, NULL, (uint32_t)rest);
		if (rest >> 32)
			v_hex(d, NULL, rest >> 32);
	}
	v_end(d, o);
}

/* The header {version, pid}; 1 with its version in *version when read. */
static int cap_header(struct dctx *d, uint64_t addr, uint32_t *version)
{
	struct { uint32_t version; int32_t pid; } h;
	if (v_fetch(d, "hdrp", addr, &h, sizeof(h)) < 0)
		return 0;
	size_t s = v_struct_begin(d, "hdrp");
	enum_c(d, "version", h.version, xlat_cap_version, "_LINUX_CAPABILITY_VERSION_???");
	v_int(d, "pid", h.pid);
	v_end(d, s);
	*version = h.version;
	return 1;
}

static void cap_data(struct dctx *d, uint64_t addr, uint32_t version)
{
	struct { uint32_t effective, permitted, inheritable; } c[2];
	unsigned n = version == _LINUX_CAPABILITY_VERSION_2 ||
		     version == _LINUX_CAPABILITY_VERSION_3 ? 2 : 1;
	memset(c, 0, sizeof(c));
	if (v_fetch(d, "datap", addr, c, n * sizeof(c[0])) < 0)
		return;
	size_t s = v_struct_begin(d, "datap");
	cap_set(d, "effective", c[0].effective, c[1].effective);
	cap_set(d, "permitted", c[0].permitted, c[1].permitted);
	cap_set(d, "inheritable", c[0].inheritable, c[1].inheritable);
	v_end(d, s);
}

static int dec_capget(struct dctx *d)
{
	uint32_t version = 0;
	if (!d->exiting) {
		cap_header(d, d->args[0], &version);
		return DEC_MORE;
	}
	/* the version the kernel left in the header says the data's size */
	if (d->failed || !d->args[0] || d_read_exact(d, d->args[0], &version, 4))
		v_ptr(d, "datap", d->args[1]);
	else
		cap_data(d, d->args[1], version);
	return DEC_DONE;
}

static int dec_capset(struct dctx *d)
{
	uint32_t version = 0;
	if (cap_header(d, d->args[0], &version))
		cap_data(d, d->args[1], version);
	else
		v_ptr(d, "datap", d->args[1]);
	return DEC_DONE;
}

/* ---- priorities ---- */

static const struct scry_xlat xlat_prio_which[] = {
	XLAT(PRIO_PROCESS), XLAT(PRIO_PGRP), XLAT(PRIO_USER), XLAT_END,
};

static int dec_getpriority(struct dctx *d)
{
	enum_c(d, "which", (uint32_t)d->args[0], xlat_prio_which, "PRIO_???");
	v_int(d, "who", (int)d->args[1]);
	if (d->info && d->info->nargs > 2)   /* setpriority */
		v_int(d, "niceval", (int)d->args[2]);
	return DEC_DONE;
}

enum { K_IOPRIO_CLASS_SHIFT = 13 };

static const struct scry_xlat xlat_ioprio_who[] = {
	{ 1, "IOPRIO_WHO_PROCESS" }, { 2, "IOPRIO_WHO_PGRP" }, { 3, "IOPRIO_WHO_USER" }, XLAT_END,
};

static const struct scry_xlat xlat_ioprio_class[] = {
	{ 0, "IOPRIO_CLASS_NONE" }, { 1, "IOPRIO_CLASS_RT" }, { 2, "IOPRIO_CLASS_BE" },
	{ 3, "IOPRIO_CLASS_IDLE" }, XLAT_END,
};

/* IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4): JSON {"class":"IOPRIO_CLASS_BE","data":4} */
static size_t ioprio_value(struct dctx *d, const char *name, uint32_t prio)
{
	size_t f = v_func_begin(d, name, "IOPRIO_PRIO_VALUE");
	enum_c(d, "class", prio >> K_IOPRIO_CLASS_SHIFT, xlat_ioprio_class, "IOPRIO_CLASS_???");
	v_int(d, "data", prio & ((1u << K_IOPRIO_CLASS_SHIFT) - 1));
	v_end(d, f);
	return f;
}

static int dec_ioprio_get(struct dctx *d)
{
	if (!d->exiting) {
		enum_c(d, "which", (uint32_t)d->args[0], xlat_ioprio_who, "IOPRIO_WHO_???");
		v_int(d, "who", (int)d->args[1]);
		return DEC_AFTER;
	}
	/* "= 8196 (IOPRIO_PRIO_VALUE(IOPRIO_CLASS_RT, 4))" */
	if (!d->failed) {
		size_t f = ioprio_value(d, NULL, (uint32_t)d->ret);
		d->out->v[f].flags |= SCRY_VF_AFTER;
	}
	return DEC_DONE;
}

static int dec_ioprio_set(struct dctx *d)
{
	enum_c(d, "which", (uint32_t)d->args[0], xlat_ioprio_who, "IOPRIO_WHO_???");
	v_int(d, "who", (int)d->args[1]);
	ioprio_value(d, "ioprio", (uint32_t)d->args[2]);
	return DEC_DONE;
}

/* ---- personality ---- */

enum { K_PER_MASK = 0xff };

/* The execution domain (the low byte) and the flags above it. */
static const struct scry_xlat xlat_per_type[] = {
	{ 0x00, "PER_LINUX" }, { 0x01, "PER_SVR4" }, { 0x02, "PER_SVR3" }, { 0x03, "PER_SCOSVR3" },
	{ 0x04, "PER_WYSEV386" }, { 0x05, "PER_ISCR4" }, { 0x06, "PER_BSD" }, { 0x07, "PER_XENIX" },
	{ 0x08, "PER_LINUX32" }, { 0x09, "PER_IRIX32" }, { 0x0a, "PER_IRIXN32" }, { 0x0b, "PER_IRIX64" },
	{ 0x0c, "PER_RISCOS" }, { 0x0d, "PER_SOLARIS" }, { 0x0e, "PER_UW7" }, { 0x0f, "PER_OSF4" },
	{ 0x10, "PER_HPUX" }, XLAT_END,
};

static const struct scry_xlat xlat_per_flags[] = {
	{ 0x0020000, "UNAME26" }, { 0x0040000, "ADDR_NO_RANDOMIZE" }, { 0x0080000, "FDPIC_FUNCPTRS" },
	{ 0x0100000, "MMAP_PAGE_ZERO" }, { 0x0200000, "ADDR_COMPAT_LAYOUT" },
	{ 0x0400000, "READ_IMPLIES_EXEC" }, { 0x0800000, "ADDR_LIMIT_32BIT" },
	{ 0x1000000, "SHORT_INODE" }, { 0x2000000, "WHOLE_SECONDS" }, { 0x4000000, "STICKY_TIMEOUTS" },
	{ 0x8000000, "ADDR_LIMIT_3GB" }, XLAT_END,
};

/* PER_LINUX, PER_LINUX|ADDR_NO_RANDOMIZE */
static void persona(struct dctx *d, const char *name, uint32_t p)
{
	if (!(p & ~K_PER_MASK)) {
		enum_c(d, name, p, xlat_per_type, "PER_???");
		return;
	}
	size_t o = v_or_begin(d, name, p);
	enum_c(d, "type", p & K_PER_MASK, xlat_per_type, "PER_???");
	v_flags(d, NULL, p & ~K_PER_MASK, xlat_per_flags, NULL);
	v_end(d, o);
}

static int dec_personality(struct dctx *d)
{
	uint32_t p = (uint32_t)d->args[0];
	if (!d->exiting) {
		if (p == 0xffffffff)   /* a query */
			v_hex(d, "persona", p);
		else
			persona(d, "persona", p);
		d->rfmt = R_HEX;
		return DEC_AFTER;
	}
	/* "= 0 (PER_LINUX)": the old persona, named after the result */
	if (!d->failed) {
		size_t i = d->out->n;
		persona(d, "old", (uint32_t)d->ret);
		d->out->v[i].flags |= SCRY_VF_AFTER;
		d->out->v[i].name = NULL;
	}
	return DEC_DONE;
}

/* ---- getcpu, times, getrusage ---- */

static int dec_getcpu(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	if (d->failed) {
		v_ptr(d, "cpu", d->args[0]);
		v_ptr(d, "node", d->args[1]);
	} else {
		int_ref(d, "cpu", d->args[0], 0);
		int_ref(d, "node", d->args[1], 0);
	}
	v_ptr(d, "tcache", d->args[2]);
	return DEC_DONE;
}


static int dec_times(struct dctx *d)
{
	int64_t t[4];
	if (!d->exiting)
		return DEC_MORE;
	if (d->failed) {
		v_ptr(d, "tbuf", d->args[0]);
		return DEC_DONE;
	}
	if (v_fetch(d, "tbuf", d->args[0], t, sizeof(t)) < 0)
		return DEC_DONE;
	static const char *const names[] = { "tms_utime", "tms_stime", "tms_cutime", "tms_cstime" };
	size_t s = v_struct_begin(d, "tbuf");
	for (int i = 0; i < 4; i++)
		v_clock_t(d, names[i], (uint64_t)t[i], 0);
	v_end(d, s);
	return DEC_DONE;
}

static const struct scry_xlat xlat_rusage_who[] = {
	{ 0, "RUSAGE_SELF" }, { (uint64_t)-1, "RUSAGE_CHILDREN" }, { 1, "RUSAGE_THREAD" }, XLAT_END,
};

static void timeval_of(struct dctx *d, const char *name, int64_t sec, int64_t usec)
{
	size_t s = v_struct_begin(d, name);
	v_int(d, "tv_sec", sec);
	v_int(d, "tv_usec", usec);
	v_end(d, s);
}

/* struct rusage: the two times, the counters with -v only. */
static void rusage_at(struct dctx *d, const char *name, uint64_t addr)
{
	static const char *const counters[] = {
		"ru_maxrss", "ru_ixrss", "ru_idrss", "ru_isrss", "ru_minflt", "ru_majflt",
		"ru_nswap", "ru_inblock", "ru_oublock", "ru_msgsnd", "ru_msgrcv",
		"ru_nsignals", "ru_nvcsw", "ru_nivcsw",
	};
	int64_t ru[4 + ARRAY_LEN(counters)];
	if (v_fetch(d, name, addr, ru, sizeof(ru)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	timeval_of(d, "ru_utime", ru[0], ru[1]);
	timeval_of(d, "ru_stime", ru[2], ru[3]);
	if (d->verbose) {
		for (size_t i = 0; i < ARRAY_LEN(counters); i++)
			v_uint(d, counters[i], (uint64_t)ru[4 + i]);
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
}

static int dec_getrusage(struct dctx *d)
{
	if (!d->exiting) {
		enum_c(d, "who", (int32_t)d->args[0], xlat_rusage_who, "RUSAGE_???");
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "ru", d->args[1]);
	else
		rusage_at(d, "ru", d->args[1]);
	return DEC_DONE;
}

/* ---- kcmp, membarrier ---- */

static const struct scry_xlat xlat_kcmp[] = {
	XLAT(KCMP_FILE), XLAT(KCMP_VM), XLAT(KCMP_FILES), XLAT(KCMP_FS),
	XLAT(KCMP_SIGHAND), XLAT(KCMP_IO), XLAT(KCMP_SYSVSEM), XLAT(KCMP_EPOLL_TFD),
	XLAT_END,
};

/* An fd of another process: -y shows what it is there (strace's printpidfd). */
static void pid_fd(struct dctx *d, const char *name, pid_t pid, int fd)
{
	pid_t tid = d->tid;
	if (pid > 0)
		d->tid = pid;
	v_fd(d, name, fd);
	d->tid = tid;
}

/* The process a pidfd of the tracee refers to (its fdinfo's Pid:), or 0. */
static pid_t pidfd_pid(const struct dctx *d, int pidfd)
{
	return pidfd_target(d->tid, pidfd);
}

/* pidfd_getfd(pidfd, targetfd, flags): targetfd is an fd of the pidfd's
 * process, shown with its path there under -y as strace shows it; the
 * result is a new fd of the caller. */
static int dec_pidfd_getfd(struct dctx *d)
{
	v_fd(d, "pidfd", (int)d->args[0]);
	pid_t pid = d->fd_paths ? pidfd_pid(d, (int)d->args[0]) : 0;
	if (pid)
		pid_fd(d, "targetfd", pid, (int)d->args[1]);
	else
		v_int(d, "targetfd", (int)d->args[1]);
	v_hex(d, "flags", (uint32_t)d->args[2]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_kcmp(struct dctx *d)
{
	int type = (int)d->args[2];
	v_int(d, "pid1", (int)d->args[0]);
	v_int(d, "pid2", (int)d->args[1]);
	enum_c(d, "type", type, xlat_kcmp, "KCMP_???");
	switch (type) {
	case KCMP_FILE:
		pid_fd(d, "idx1", (pid_t)d->args[0], (int)d->args[3]);
		pid_fd(d, "idx2", (pid_t)d->args[1], (int)d->args[4]);
		break;
	case KCMP_EPOLL_TFD: {
		struct { uint32_t efd, tfd, toff; } slot;
		pid_fd(d, "idx1", (pid_t)d->args[0], (int)d->args[3]);
		if (v_fetch(d, "idx2", d->args[4], &slot, sizeof(slot)) < 0)
			break;
		size_t s = v_struct_begin(d, "idx2");
		v_int(d, "efd", (int)slot.efd);
		v_int(d, "tfd", (int)slot.tfd);
		v_uint(d, "toff", slot.toff);
		v_end(d, s);
		break;
	}
	case KCMP_VM: case KCMP_FILES: case KCMP_FS: case KCMP_SIGHAND:
	case KCMP_IO: case KCMP_SYSVSEM:
		break;
	default:
		v_hex(d, "idx1", d->args[3]);
		v_hex(d, "idx2", d->args[4]);
		break;
	}
	return DEC_DONE;
}

/* strace 6.1's names (the kernel's MEMBARRIER_CMD_GET_REGISTRATIONS, 0x200,
 * is newer than its table and shows as a number there too). */
static const struct scry_xlat xlat_membarrier_bits[] = {
	{ 1 << 0, "MEMBARRIER_CMD_GLOBAL" }, { 1 << 1, "MEMBARRIER_CMD_GLOBAL_EXPEDITED" },
	{ 1 << 2, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED" },
	{ 1 << 3, "MEMBARRIER_CMD_PRIVATE_EXPEDITED" },
	{ 1 << 4, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED" },
	{ 1 << 5, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE" },
	{ 1 << 6, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE" },
	{ 1 << 7, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ" },
	{ 1 << 8, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ" },
	XLAT_END,
};

static const struct scry_xlat xlat_membarrier_cmd[] = {
	{ 0, "MEMBARRIER_CMD_QUERY" },
	{ 1 << 0, "MEMBARRIER_CMD_GLOBAL" }, { 1 << 1, "MEMBARRIER_CMD_GLOBAL_EXPEDITED" },
	{ 1 << 2, "MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED" },
	{ 1 << 3, "MEMBARRIER_CMD_PRIVATE_EXPEDITED" },
	{ 1 << 4, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED" },
	{ 1 << 5, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE" },
	{ 1 << 6, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE" },
	{ 1 << 7, "MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ" },
	{ 1 << 8, "MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ" },
	XLAT_END,
};

static const struct scry_xlat xlat_membarrier_flags[] = {
	{ 1, "MEMBARRIER_CMD_FLAG_CPU" }, XLAT_END,
};

static int dec_membarrier(struct dctx *d)
{
	int cmd = (int)d->args[0];
	uint32_t flags = (uint32_t)d->args[1];
	enum_c(d, "cmd", cmd, xlat_membarrier_cmd, "MEMBARRIER_CMD_???");
	flags_c(d, "flags", flags, xlat_membarrier_flags, "MEMBARRIER_CMD_FLAG_???");
	if (cmd == (1 << 7) && (flags & 1))
		v_int(d, "cpu_id", (int)d->args[2]);
	if (cmd == 0) {
		/* the query's result is the set of supported commands */
		d->rfmt = R_FLAGS;
		d->rxlat = xlat_membarrier_bits;
	}
	return DEC_DONE;
}

/* ---- mount, namespaces ---- */

#define K_MS_MGC_VAL 0xc0ed0000u
#define K_MS_MGC_MSK 0xffff0000u

static const struct scry_xlat xlat_mount_flags[] = {
	{ 1u << 0, "MS_RDONLY" }, { 1u << 1, "MS_NOSUID" }, { 1u << 2, "MS_NODEV" },
	{ 1u << 3, "MS_NOEXEC" }, { 1u << 4, "MS_SYNCHRONOUS" }, { 1u << 5, "MS_REMOUNT" },
	{ 1u << 6, "MS_MANDLOCK" }, { 1u << 7, "MS_DIRSYNC" }, { 1u << 8, "MS_NOSYMFOLLOW" },
	{ 1u << 10, "MS_NOATIME" }, { 1u << 11, "MS_NODIRATIME" }, { 1u << 12, "MS_BIND" },
	{ 1u << 13, "MS_MOVE" }, { 1u << 14, "MS_REC" }, { 1u << 15, "MS_SILENT" },
	{ 1u << 16, "MS_POSIXACL" }, { 1u << 17, "MS_UNBINDABLE" }, { 1u << 18, "MS_PRIVATE" },
	{ 1u << 19, "MS_SLAVE" }, { 1u << 20, "MS_SHARED" }, { 1u << 21, "MS_RELATIME" },
	{ 1u << 22, "MS_KERNMOUNT" }, { 1u << 23, "MS_I_VERSION" }, { 1u << 24, "MS_STRICTATIME" },
	{ 1u << 25, "MS_LAZYTIME" }, { 1u << 26, "MS_SUBMOUNT" }, { 1u << 27, "MS_NOREMOTELOCK" },
	{ 1u << 28, "MS_NOSEC" }, { 1u << 29, "MS_BORN" }, { 1u << 30, "MS_ACTIVE" },
	{ 1u << 31, "MS_NOUSER" }, XLAT_END,
};

static const struct scry_xlat xlat_ms_magic[] = {
	{ K_MS_MGC_VAL, "MS_MGC_VAL" }, XLAT_END,
};

/*
 * mount(source, target, type, flags, data): a remount ignores the type, a
 * bind, move or propagation change the type and data, which are then
 * shown as addresses.  The old magic number in the high half of the flags
 * shows as MS_MGC_VAL.
 */
static int dec_mount(struct dctx *d)
{
	uint64_t flags = d->args[3];
	int magic = (flags & K_MS_MGC_MSK) == K_MS_MGC_VAL;
	int ignore_type = 0, ignore_data = 0;
	if (magic)
		flags &= ~(uint64_t)K_MS_MGC_MSK;
	if (flags & MS_REMOUNT)
		ignore_type = 1;
	else if (flags & (MS_BIND | MS_MOVE | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
		ignore_type = ignore_data = 1;
	v_path(d, "source", d->args[0]);
	v_path(d, "target", d->args[1]);
	if (ignore_type)
		v_ptr(d, "filesystemtype", d->args[2]);
	else
		v_cstr(d, "filesystemtype", d->args[2]);
	if (magic) {
		size_t o = v_or_begin(d, "mountflags", d->args[3]);
		v_enum(d, NULL, K_MS_MGC_VAL, xlat_ms_magic);
		if (flags)
			flags_c(d, NULL, flags, xlat_mount_flags, "MS_???");
		v_end(d, o);
	} else {
		flags_c(d, "mountflags", flags, xlat_mount_flags, "MS_???");
	}
	if (ignore_data)
		v_ptr(d, "data", d->args[4]);
	else
		v_cstr(d, "data", d->args[4]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_umount[] = {
	XLAT(MNT_FORCE), XLAT(MNT_DETACH), XLAT(MNT_EXPIRE), XLAT(UMOUNT_NOFOLLOW), XLAT_END,
};

static int dec_umount2(struct dctx *d)
{
	v_path(d, "target", d->args[0]);
	flags_c(d, "flags", (uint32_t)d->args[1], xlat_umount, "MNT_???");
	return DEC_DONE;
}

static int dec_pivot_root(struct dctx *d)
{
	v_path(d, "new_root", d->args[0]);
	v_path(d, "put_old", d->args[1]);
	return DEC_DONE;
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static const struct scry_xlat xlat_unshare[] = {
	XLAT(CLONE_NEWTIME), XLAT(CLONE_VM), XLAT(CLONE_FS), XLAT(CLONE_FILES),
	XLAT(CLONE_SIGHAND), XLAT(CLONE_THREAD), XLAT(CLONE_NEWNS), XLAT(CLONE_SYSVSEM),
	XLAT(CLONE_NEWCGROUP), XLAT(CLONE_NEWUTS), XLAT(CLONE_NEWIPC), XLAT(CLONE_NEWUSER),
	XLAT(CLONE_NEWPID), XLAT(CLONE_NEWNET), XLAT_END,
};

static const struct scry_xlat xlat_setns[] = {
	XLAT(CLONE_NEWTIME), XLAT(CLONE_NEWNS), XLAT(CLONE_NEWCGROUP), XLAT(CLONE_NEWUTS),
	XLAT(CLONE_NEWIPC), XLAT(CLONE_NEWUSER), XLAT(CLONE_NEWPID), XLAT(CLONE_NEWNET),
	XLAT_END,
};

static int dec_unshare(struct dctx *d)
{
	flags_c(d, "flags", d->args[0], xlat_unshare, "CLONE_???");
	return DEC_DONE;
}

static int dec_setns(struct dctx *d)
{
	int type = (int)d->args[1];
	v_fd(d, "fd", (int)d->args[0]);
	if (type)   /* 0: any namespace, shown as a number */
		enum_c(d, "nstype", type, xlat_setns, "CLONE_NEW???");
	else
		v_int(d, "nstype", 0);
	return DEC_DONE;
}

const struct decoder_entry decoders_misc[] = {
	{ "setxattr", dec_setxattr, { 0 } },
	{ "lsetxattr", dec_setxattr, { 0 } },
	{ "fsetxattr", dec_setxattr, { 0 } },
	{ "getxattr", dec_getxattr, { 0 } },
	{ "lgetxattr", dec_getxattr, { 0 } },
	{ "fgetxattr", dec_getxattr, { 0 } },
	{ "listxattr", dec_listxattr, { 0 } },
	{ "llistxattr", dec_listxattr, { 0 } },
	{ "flistxattr", dec_listxattr, { 0 } },
	{ "removexattr", dec_removexattr, { 0 } },
	{ "lremovexattr", dec_removexattr, { 0 } },
	{ "fremovexattr", dec_removexattr, { 0 } },
	{ "fallocate", dec_fallocate, { CAP_FULL } },
	{ "sync_file_range", dec_sync_file_range, { CAP_FULL } },
	{ "vmsplice", dec_vmsplice, { 0 } },
	{ "tee", dec_tee, { CAP_FULL } },
	{ "process_vm_readv", dec_process_vm_readv, { 0 } },
	{ "process_vm_writev", dec_process_vm_writev, { 0 } },
	{ "mknod", dec_mknod, { 0 } },
	{ "mknodat", dec_mknodat, { 0 } },
	{ "capget", dec_capget, { 0 } },
	{ "capset", dec_capset, { 0 } },
	{ "getpriority", dec_getpriority, { CAP_FULL } },
	{ "setpriority", dec_getpriority, { CAP_FULL } },
	{ "ioprio_get", dec_ioprio_get, { CAP_FULL } },
	{ "ioprio_set", dec_ioprio_set, { CAP_FULL } },
	{ "personality", dec_personality, { CAP_FULL } },
	{ "getcpu", dec_getcpu, { 0 } },
	{ "times", dec_times, { 0 } },
	{ "getrusage", dec_getrusage, { 0 } },
	{ "kcmp", dec_kcmp, { 0 } },
	{ "pidfd_getfd", dec_pidfd_getfd, { 0 } },
	{ "membarrier", dec_membarrier, { CAP_FULL } },
	{ "mount", dec_mount, { 0 } },
	{ "umount2", dec_umount2, { 0 } },
	{ "pivot_root", dec_pivot_root, { 0 } },
	{ "unshare", dec_unshare, { CAP_FULL } },
	{ "setns", dec_setns, { CAP_FULL } },
	{ NULL, NULL, { 0 } },
};
