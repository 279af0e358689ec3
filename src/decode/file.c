/*
 * Decoders of the file family: open, read, write, fcntl, names, ...  The
 * stat and statfs calls are in file_stat.c, ioctl in file_ioctl.c.
 *
 * The text they lead to is strace's (compared against strace 6.1 on
 * programs that make every call below).  Tables hold the kernel's values,
 * in the order strace prints the names.
 */
#include "decode/decode.h"
#include "decode/file_common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <linux/fs.h>

const struct scry_xlat xlat_open_flags[] = {
	XLAT(O_ACCMODE), XLAT(O_WRONLY), XLAT(O_RDWR),
	XLAT(O_CREAT), XLAT(O_EXCL), XLAT(O_NOCTTY),
	XLAT(O_TRUNC), XLAT(O_APPEND), XLAT(O_NONBLOCK),
	XLAT(O_SYNC), XLAT(O_DSYNC), XLAT(O_DIRECT),
	{ K_O_LARGEFILE, "O_LARGEFILE" }, XLAT(O_NOFOLLOW),
	XLAT(O_NOATIME), XLAT(O_CLOEXEC), XLAT(O_PATH),
	XLAT(O_TMPFILE), XLAT(O_DIRECTORY),
	{ O_ASYNC, "FASYNC" }, { 0, NULL },
};

/* ---- helpers ---- */

void dec_signo(struct dctx *d, const char *name, int64_t sig);   /* signal.c */

const struct scry_xlat xlat_at_flags[] = {
	XLAT(AT_SYMLINK_NOFOLLOW), XLAT(AT_REMOVEDIR),
	XLAT(AT_SYMLINK_FOLLOW), XLAT(AT_NO_AUTOMOUNT),
	XLAT(AT_EMPTY_PATH), XLAT(AT_RECURSIVE), { 0, NULL },
};

const struct scry_xlat xlat_access_at_flags[] = {
	XLAT(AT_SYMLINK_NOFOLLOW), XLAT(AT_EACCESS),
	XLAT(AT_NO_AUTOMOUNT), XLAT(AT_EMPTY_PATH), { 0, NULL },
};

static void open_flags(struct dctx *d, const char *name, uint64_t flags)
{
	v_flags(d, name, flags, xlat_open_flags, "O_RDONLY");
	v_last(d)->fmt = O_ACCMODE;
}

static const struct scry_xlat xlat_fd_flags[] = {
	XLAT(O_NONBLOCK), XLAT(O_DIRECT),
	XLAT(O_CLOEXEC), { 0, NULL },
};

/* mode_t as strace prints it: 0644, and 000 for zero. */
static void v_mode(struct dctx *d, const char *name, uint64_t mode)
{
	v_oct(d, name, mode);   /* 0 is "000" too */
}

/* A result named by a table with a word before it, as strace shows
 * fcntl's: "0x1 (flags FD_CLOEXEC)", "0x8000 (flags O_RDONLY|O_LARGEFILE)".
 * A zero result has none, unless the table names zero (F_GETFL's
 * O_RDONLY: "0 (flags O_RDONLY)"). */
static void result_text(struct dctx *d, const char *word, const struct scry_xlat *x,
			const char *zero, uint64_t field)
{
	if (d->failed || (d->ret == 0 && !zero))
		return;
	d->rfmt = R_FLAGS;
	d->rxlat = x;
	d->rword = word;
	d->rzero = zero;
	d->rfield = (uint16_t)field;
}

/* ---- open, close ---- */

/* The mode is only meaningful (and strace only shows it) with these. */
static int open_has_mode(uint64_t flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

static int dec_open(struct dctx *d)
{
	v_path(d, "filename", d->args[0]);
	open_flags(d, "flags", d->args[1]);
	if (open_has_mode(d->args[1]))
		v_mode(d, "mode", d->args[2]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_openat(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	open_flags(d, "flags", d->args[2]);
	if (open_has_mode(d->args[2]))
		v_mode(d, "mode", d->args[3]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static const struct scry_xlat xlat_resolve[] = {
	{ 0x01, "RESOLVE_NO_XDEV" }, { 0x02, "RESOLVE_NO_MAGICLINKS" },
	{ 0x04, "RESOLVE_NO_SYMLINKS" }, { 0x08, "RESOLVE_BENEATH" },
	{ 0x10, "RESOLVE_IN_ROOT" }, { 0x20, "RESOLVE_CACHED" }, { 0, NULL },
};

/* openat2(dfd, path, struct open_how *how, size) */
static int dec_openat2(struct dctx *d)
{
	struct { uint64_t flags, mode, resolve; } how;
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	if (!d->args[2])
		v_ptr(d, "how", 0);
	else if (d->args[3] < sizeof(how) || d_read_exact(d, d->args[2], &how, sizeof(how)))
		v_unread(d, "how", d->args[2]);
	else {
		size_t s = v_struct_begin(d, "how");
		open_flags(d, "flags", how.flags);
		if (how.mode || open_has_mode(how.flags))
			v_mode(d, "mode", how.mode);
		flags_c(d, "resolve", how.resolve, xlat_resolve, "RESOLVE_???");
		v_end(d, s);
	}
	v_uint(d, "usize", d->args[3]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_creat(struct dctx *d)
{
	v_path(d, "pathname", d->args[0]);
	v_mode(d, "mode", d->args[1]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_fd_only(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_close_range[] = {
	{ K_CLOSE_RANGE_UNSHARE, "CLOSE_RANGE_UNSHARE" },
	{ K_CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC" }, { 0, NULL },
};

static int dec_close_range(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_uint(d, "max_fd", (uint32_t)d->args[1]);
	flags_c(d, "flags", (uint32_t)d->args[2], xlat_close_range, "CLOSE_RANGE_???");
	return DEC_DONE;
}

/* ---- read, write and the vector forms ---- */

/* read(fd, buf, count) and pread64(fd, buf, count, pos): buf at exit. */
static int dec_read(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "buf", d->args[1]);
	else
		v_buf(d, "buf", d->args[1], d->ret);
	v_uint(d, "count", d->args[2]);
	if (d->info && d->info->nargs == 4)
		v_int(d, "pos", (int64_t)d->args[3]);
	return DEC_DONE;
}

static int dec_write(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_buf(d, "buf", d->args[1], (int64_t)d->args[2]);
	v_uint(d, "count", d->args[2]);
	if (d->info && d->info->nargs == 4)
		v_int(d, "pos", (int64_t)d->args[3]);
	return DEC_DONE;
}

/*
 * An iovec array: at most -s elements (all with -v), each buffer with its
 * bytes (cut at -s; data counts what the call moved, -1: all of each), or
 * only its address when with_data is 0 (the other process's iovecs).
 * With -s 0, "[...]" as strace shows it.  (readv/writev, vmsplice,
 * process_vm_readv/writev.)
 */
void iovec_array(struct dctx *d, const char *name, uint64_t addr, uint64_t cnt,
		 int with_data, int64_t data)
{
	struct { uint64_t base, len; } iov[256];
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	uint64_t max = d->verbose ? ARRAY_LEN(iov) : (uint64_t)d->limit;
	size_t want = cnt < max ? (size_t)cnt : (size_t)max;
	if (want > ARRAY_LEN(iov))
		want = ARRAY_LEN(iov);
	ssize_t got = want ? d_read(d, addr, iov, want * sizeof(iov[0])) : 0;
	if (want && got < (ssize_t)sizeof(iov[0])) {
		v_unread(d, name, addr);
		return;
	}
	size_t n = want ? (size_t)got / sizeof(iov[0]) : 0;
	size_t a = v_array_begin(d, name);
	for (size_t i = 0; i < n; i++) {
		size_t s = v_struct_begin(d, NULL);
		int64_t len = (int64_t)iov[i].len;
		if (data >= 0) {
			len = len < data ? len : data;
			data -= len;
		}
		if (with_data)
			v_buf(d, "iov_base", iov[i].base, len);
		else
			v_ptr(d, "iov_base", iov[i].base);
		v_uint(d, "iov_len", iov[i].len);
		v_end(d, s);
	}
	v_end(d, a);
	if (n < cnt)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

/* readv(fd, iov, cnt), preadv(fd, iov, cnt, pos_l, pos_h): iov at exit. */
static int dec_readv(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "vec", d->args[1]);
	else
		iovec_array(d, "vec", d->args[1], d->args[2], 1, d->ret);
	v_uint(d, "vlen", d->args[2]);
	if (d->info && d->info->nargs >= 4)
		v_int(d, "pos", (int64_t)d->args[3]);
	return DEC_DONE;
}

static int dec_writev(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	iovec_array(d, "vec", d->args[1], d->args[2], 1, -1);
	v_uint(d, "vlen", d->args[2]);
	if (d->info && d->info->nargs >= 4)
		v_int(d, "pos", (int64_t)d->args[3]);
	return DEC_DONE;
}

/* preadv2/pwritev2's flags (linux/fs.h) */
static const struct scry_xlat xlat_rwf[] = {
	XLAT(RWF_HIPRI), XLAT(RWF_DSYNC), XLAT(RWF_SYNC), XLAT(RWF_NOWAIT),
	XLAT(RWF_APPEND), { 0x20, "RWF_NOAPPEND" }, { 0x40, "RWF_ATOMIC" },
	{ 0x80, "RWF_DONTCACHE" }, { 0, NULL },
};

/* preadv2(fd, vec, vlen, pos_l, pos_h, flags): preadv's, then the flags
 * (pos_h is 0 on 64-bit; strace shows the offset once). */
static int dec_preadv2(struct dctx *d)
{
	int r = dec_readv(d);

	if (d->exiting)
		v_flags(d, "flags", (uint32_t)d->args[5], xlat_rwf, "0");
	return r;
}

static int dec_pwritev2(struct dctx *d)
{
	int r = dec_writev(d);

	v_flags(d, "flags", (uint32_t)d->args[5], xlat_rwf, "0");
	return r;
}

static const struct scry_xlat xlat_whence[] = {
	XLAT(SEEK_SET), XLAT(SEEK_CUR), XLAT(SEEK_END),
	XLAT(SEEK_DATA), XLAT(SEEK_HOLE), { 0, NULL },
};

static int dec_lseek(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_int(d, "offset", (int64_t)d->args[1]);
	enum_c(d, "whence", (uint32_t)d->args[2], xlat_whence, "SEEK_???");
	return DEC_DONE;
}

/* ---- access ---- */

static const struct scry_xlat xlat_access_mode[] = {
	XLAT(R_OK), XLAT(W_OK), XLAT(X_OK), { 0, NULL },
};

static void access_mode(struct dctx *d, const char *name, uint64_t mode)
{
	v_flags(d, name, (uint32_t)mode, xlat_access_mode, "F_OK");
	if ((uint32_t)mode && !known_bits((uint32_t)mode, xlat_access_mode)) {
		v_last(d)->type = SCRY_V_HEX;
		v_comment(d, NULL, "?_OK");
	}
}

static int dec_access(struct dctx *d)
{
	v_path(d, "filename", d->args[0]);
	access_mode(d, "mode", d->args[1]);
	return DEC_DONE;
}

static int dec_faccessat(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	access_mode(d, "mode", d->args[2]);
	if (d->info && d->info->nargs >= 4)
		flags_c(d, "flags", (uint32_t)d->args[3], xlat_access_at_flags, "AT_???");
	return DEC_DONE;
}

/* ---- getdents64 ---- */

static const struct scry_xlat xlat_dtype[] = {
	{ 0, "DT_UNKNOWN" }, { 1, "DT_FIFO" }, { 2, "DT_CHR" }, { 4, "DT_DIR" },
	{ 6, "DT_BLK" }, { 8, "DT_REG" }, { 10, "DT_LNK" }, { 12, "DT_SOCK" },
	{ 14, "DT_WHT" }, { 0, NULL },
};

static int dec_getdents64(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		return DEC_MORE;
	}
	uint64_t addr = d->args[1];
	size_t len = d->failed || d->ret <= 0 ? 0 : (size_t)d->ret;
	if (len > (1u << 20))
		len = 1u << 20;
	unsigned char *buf = len ? malloc(len) : NULL;
	if (d->failed || !addr || (len && (!buf || d_read_exact(d, addr, buf, len)))) {
		v_ptr(d, "dirent", addr);
		free(buf);
		v_uint(d, "count", (uint32_t)d->args[2]);
		return DEC_DONE;
	}
	long entries = 0;
	size_t a = 0;
	if (d->verbose)
		a = v_array_begin(d, "dirent");
	for (size_t off = 0; off + 19 <= len;) {
		uint64_t ino, doff;
		uint16_t reclen;
		memcpy(&ino, buf + off, 8);
		memcpy(&doff, buf + off + 8, 8);
		memcpy(&reclen, buf + off + 16, 2);
		if (reclen < 19 || off + reclen > len)
			break;
		if (d->verbose && entries < 1024) {
			size_t s = v_struct_begin(d, NULL);
			v_uint(d, "d_ino", ino);
			v_uint(d, "d_off", doff);
			v_uint(d, "d_reclen", reclen);
			enum_c(d, "d_type", buf[off + 18], xlat_dtype, "DT_???");
			const char *nm = (const char *)buf + off + 19;
			/* in full, whatever -s says, as strace prints it */
			v_bytes(d, "d_name", nm, strnlen(nm, reclen - 19), 0);
			v_end(d, s);
		}
		entries++;
		off += reclen;
	}
	free(buf);
	if (d->verbose) {
		v_end(d, a);
		if (entries > 1024)
			d->out->v[a].flags |= SCRY_VF_TRUNC;
	} else {
		v_ptr(d, "dirent", addr);
		v_comment(d, NULL, "%ld entries", entries);
	}
	v_uint(d, "count", (uint32_t)d->args[2]);
	return DEC_DONE;
}

/* ---- fcntl ---- */

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#define K_F_SETOWN_EX 15
#define K_F_GETOWN_EX 16
#define K_F_GETOWNER_UIDS 17
#define K_F_SETLEASE 1024
#define K_F_GETLEASE 1025
#define K_F_NOTIFY 1026
#define K_F_CANCELLK 1029
#define K_F_DUPFD_CLOEXEC 1030
#define K_F_SETPIPE_SZ 1031
#define K_F_GETPIPE_SZ 1032
#define K_F_ADD_SEALS 1033
#define K_F_GET_SEALS 1034

static const struct scry_xlat xlat_fcntl_cmd[] = {
	XLAT(F_DUPFD), XLAT(F_GETFD), XLAT(F_SETFD),
	XLAT(F_GETFL), XLAT(F_SETFL), XLAT(F_GETLK),
	XLAT(F_SETLK), XLAT(F_SETLKW), XLAT(F_SETOWN),
	XLAT(F_GETOWN), XLAT(F_SETSIG), XLAT(F_GETSIG),
	{ K_F_SETOWN_EX, "F_SETOWN_EX" }, { K_F_GETOWN_EX, "F_GETOWN_EX" },
	{ K_F_GETOWNER_UIDS, "F_GETOWNER_UIDS" },
	XLAT(F_OFD_GETLK), XLAT(F_OFD_SETLK),
	XLAT(F_OFD_SETLKW), { K_F_SETLEASE, "F_SETLEASE" },
	{ K_F_GETLEASE, "F_GETLEASE" }, { K_F_NOTIFY, "F_NOTIFY" },
	{ K_F_CANCELLK, "F_CANCELLK" }, { K_F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC" },
	{ K_F_SETPIPE_SZ, "F_SETPIPE_SZ" }, { K_F_GETPIPE_SZ, "F_GETPIPE_SZ" },
	{ K_F_ADD_SEALS, "F_ADD_SEALS" }, { K_F_GET_SEALS, "F_GET_SEALS" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_fd_cloexec[] = {
	XLAT(FD_CLOEXEC), { 0, NULL },
};

static const struct scry_xlat xlat_lock_type[] = {
	XLAT(F_RDLCK), XLAT(F_WRLCK), XLAT(F_UNLCK), { 0, NULL },
};

static const struct scry_xlat xlat_owner_type[] = {
	{ 0, "F_OWNER_TID" }, { 1, "F_OWNER_PID" }, { 2, "F_OWNER_PGRP" }, { 0, NULL },
};

static const struct scry_xlat xlat_dnotify[] = {
	XLAT(DN_ACCESS), XLAT(DN_MODIFY), XLAT(DN_CREATE),
	XLAT(DN_DELETE), XLAT(DN_RENAME), XLAT(DN_ATTRIB),
	XLAT(DN_MULTISHOT), { 0, NULL },
};

static const struct scry_xlat xlat_seals[] = {
	XLAT(F_SEAL_SEAL), XLAT(F_SEAL_SHRINK), XLAT(F_SEAL_GROW),
	XLAT(F_SEAL_WRITE), XLAT(F_SEAL_FUTURE_WRITE), { 0, NULL },
};

/* struct flock: the same layout for flock and flock64 on 64-bit. */
static void flock_struct(struct dctx *d, const char *name, uint64_t addr, int with_pid)
{
	struct { int16_t type, whence; int32_t pad; int64_t start, len; int32_t pid, pad2; } fl;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (d_read_exact(d, addr, &fl, sizeof(fl))) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	enum_c(d, "l_type", fl.type, xlat_lock_type, "F_???");
	enum_c(d, "l_whence", fl.whence, xlat_whence, "SEEK_???");
	v_int(d, "l_start", fl.start);
	v_int(d, "l_len", fl.len);
	if (with_pid)
		v_int(d, "l_pid", fl.pid);
	v_end(d, s);
}

static void owner_struct(struct dctx *d, const char *name, uint64_t addr)
{
	struct { int32_t type, pid; } o;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (d_read_exact(d, addr, &o, sizeof(o))) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	enum_c(d, "type", o.type, xlat_owner_type, "F_OWNER_???");
	v_int(d, "pid", o.pid);
	v_end(d, s);
}

static int dec_fcntl(struct dctx *d)
{
	int cmd = (int)d->args[1];
	uint64_t arg = d->args[2];
	if (d->exiting) {
		switch (cmd) {
		case F_GETLK:
		case F_OFD_GETLK:
			if (d->failed)
				v_ptr(d, "lock", arg);
			else
				flock_struct(d, "lock", arg, 1);
			break;
		case K_F_GETOWN_EX:
			if (d->failed)
				v_ptr(d, "owner", arg);
			else
				owner_struct(d, "owner", arg);
			break;
		case F_GETFD:
			v_enum(d, "cmd", cmd, xlat_fcntl_cmd);
			result_text(d, "flags", xlat_fd_cloexec, NULL, 0);
			break;
		case F_GETFL:
			v_enum(d, "cmd", cmd, xlat_fcntl_cmd);
			result_text(d, "flags", xlat_open_flags, "O_RDONLY", O_ACCMODE);
			break;
		case K_F_GET_SEALS:
			v_enum(d, "cmd", cmd, xlat_fcntl_cmd);
			result_text(d, "seals", xlat_seals, NULL, 0);
			break;
		}
		return DEC_DONE;
	}
	v_fd(d, "fd", (int)d->args[0]);
	/* The result of these is decoded at exit, and strace shows nothing
	 * after the command: the command itself waits for the exit stop so
	 * that the line reads "fcntl(3, F_GETFL) = 0x8002 (flags ...)". */
	if (cmd == F_GETFD || cmd == F_GETFL || cmd == K_F_GET_SEALS)
		return DEC_MORE;
	enum_c(d, "cmd", cmd, xlat_fcntl_cmd, "F_???");
	switch (cmd) {
	case F_DUPFD:
	case K_F_DUPFD_CLOEXEC:
		v_int(d, "arg", (int)arg);
		d->rfmt = R_FD;
		break;
	case F_SETFD:
		flags_c(d, "arg", (uint32_t)arg, xlat_fd_cloexec, "FD_???");
		break;
	case F_SETFL:
		open_flags(d, "arg", (uint32_t)arg);
		break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		flock_struct(d, "lock", arg, 0);
		break;
	case F_GETLK:
	case F_OFD_GETLK:
	case K_F_GETOWN_EX:
		return DEC_MORE;
	case K_F_SETOWN_EX:
		owner_struct(d, "owner", arg);
		break;
	case F_SETOWN:
	case K_F_SETPIPE_SZ:
		v_int(d, "arg", (int)arg);
		break;
	case 10: { /* F_SETSIG */
		dec_signo(d, "arg", (int)arg);   /* SIGIO, or the number */
		break;
	}
	case K_F_SETLEASE:
		enum_c(d, "arg", (int)arg, xlat_lock_type, "F_???");
		break;
	case K_F_GETLEASE:
		d->rfmt = R_ENUM;
		d->rxlat = xlat_lock_type;
		break;
	case K_F_NOTIFY:
		flags_c(d, "arg", (uint32_t)arg, xlat_dnotify, "DN_???");
		break;
	case K_F_ADD_SEALS:
		flags_c(d, "arg", (uint32_t)arg, xlat_seals, "F_SEAL_???");
		break;
	case F_GETOWN:
	case 11: /* F_GETSIG */
	case K_F_GETPIPE_SZ:
		break;
	default:
		v_hex(d, "arg", arg);
		break;
	}
	return DEC_DONE;
}

/* ---- dup, pipe ---- */

static int dec_dup(struct dctx *d)
{
	v_fd(d, "oldfd", (int)d->args[0]);
	if (d->info && d->info->nargs >= 2)
		v_fd(d, "newfd", (int)d->args[1]);
	if (d->info && d->info->nargs >= 3)
		flags_c(d, "flags", (uint32_t)d->args[2], xlat_fd_flags, "O_???");
	d->rfmt = R_FD;
	return DEC_DONE;
}

/* pipe(fds), pipe2(fds, flags): the fds at exit. */
static int dec_pipe(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	int fds[2];
	if (d->failed || d_read_exact(d, d->args[0], fds, sizeof(fds))) {
		v_ptr(d, "fildes", d->args[0]);
	} else {
		v_fd_pair(d, "fildes", fds);
	}
	if (d->info && d->info->nargs >= 2)
		flags_c(d, "flags", (uint32_t)d->args[1], xlat_fd_flags, "O_???");
	return DEC_DONE;
}

/* ---- names: mkdir, unlink, rename, link, symlink, readlink ---- */

static int dec_path_mode(struct dctx *d)
{
	v_path(d, "pathname", d->args[0]);
	v_mode(d, "mode", (uint32_t)d->args[1]);
	return DEC_DONE;
}

static int dec_fd_path_mode(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "pathname", d->args[1]);
	v_mode(d, "mode", (uint32_t)d->args[2]);
	if (d->info && d->info->nargs >= 4)   /* fchmodat2 */
		at_flags(d, "flags", d->args[3]);
	return DEC_DONE;
}

static int dec_fd_mode(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_mode(d, "mode", (uint32_t)d->args[1]);
	return DEC_DONE;
}

static int dec_path(struct dctx *d)
{
	v_path(d, "pathname", d->args[0]);
	return DEC_DONE;
}

static int dec_unlinkat(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "pathname", d->args[1]);
	at_flags(d, "flag", d->args[2]);
	return DEC_DONE;
}

static int dec_path_path(struct dctx *d)
{
	v_path(d, "oldname", d->args[0]);
	v_path(d, "newname", d->args[1]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_rename[] = {
	XLAT(RENAME_NOREPLACE), XLAT(RENAME_EXCHANGE), XLAT(RENAME_WHITEOUT), { 0, NULL },
};

/* renameat, renameat2, linkat: (olddfd, old, newdfd, new[, flags]) */
static int dec_renameat(struct dctx *d)
{
	v_fd(d, "olddfd", (int)d->args[0]);
	v_path(d, "oldname", d->args[1]);
	v_fd(d, "newdfd", (int)d->args[2]);
	v_path(d, "newname", d->args[3]);
	if (d->info && d->info->nargs >= 5)
		flags_c(d, "flags", (uint32_t)d->args[4], xlat_rename, "RENAME_??");
	return DEC_DONE;
}

static int dec_linkat(struct dctx *d)
{
	v_fd(d, "olddfd", (int)d->args[0]);
	v_path(d, "oldname", d->args[1]);
	v_fd(d, "newdfd", (int)d->args[2]);
	v_path(d, "newname", d->args[3]);
	at_flags(d, "flags", d->args[4]);
	return DEC_DONE;
}

static int dec_symlinkat(struct dctx *d)
{
	v_path(d, "oldname", d->args[0]);
	v_fd(d, "newdfd", (int)d->args[1]);
	v_path(d, "newname", d->args[2]);
	return DEC_DONE;
}

/* readlink(path, buf, size), readlinkat(dfd, path, buf, size): buf at
 * exit, not NUL-terminated: the result says how long it is. */
static int dec_readlink(struct dctx *d)
{
	int at = d->info && d->info->nargs == 4;
	if (!d->exiting) {
		if (at)
			v_fd(d, "dfd", (int)d->args[0]);
		v_path(d, "path", d->args[at]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "buf", d->args[at + 1]);
	else
		v_buf(d, "buf", d->args[at + 1], d->ret);
	v_int(d, "bufsiz", (int)d->args[at + 2]);
	return DEC_DONE;
}

/* ---- owners, sizes, syncs, locks ---- */

/* uid_t: -1 for "unchanged", as strace shows it. */
static void v_id(struct dctx *d, const char *name, uint64_t id)
{
	if ((uint32_t)id == UINT32_MAX)
		v_int(d, name, -1);
	else
		v_uint(d, name, (uint32_t)id);
}

static int dec_chown(struct dctx *d)
{
	v_path(d, "filename", d->args[0]);
	v_id(d, "user", d->args[1]);
	v_id(d, "group", d->args[2]);
	return DEC_DONE;
}

static int dec_fchown(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_id(d, "user", d->args[1]);
	v_id(d, "group", d->args[2]);
	return DEC_DONE;
}

static int dec_fchownat(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	v_id(d, "user", d->args[2]);
	v_id(d, "group", d->args[3]);
	at_flags(d, "flag", d->args[4]);
	return DEC_DONE;
}

static int dec_truncate(struct dctx *d)
{
	v_path(d, "path", d->args[0]);
	v_uint(d, "length", d->args[1]);
	return DEC_DONE;
}

static int dec_ftruncate(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_uint(d, "length", d->args[1]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_flock_op[] = {
	XLAT(LOCK_SH), XLAT(LOCK_EX), XLAT(LOCK_NB),
	XLAT(LOCK_UN), XLAT(LOCK_MAND), XLAT(LOCK_READ),
	XLAT(LOCK_WRITE), { 0, NULL },
};

static int dec_flock(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	flags_c(d, "cmd", (uint32_t)d->args[1], xlat_flock_op, "LOCK_???");
	return DEC_DONE;
}

/* ---- utimensat ---- */

static const struct scry_xlat xlat_utime[] = {
	{ K_UTIME_NOW, "UTIME_NOW" }, { K_UTIME_OMIT, "UTIME_OMIT" }, { 0, NULL },
};

static void timespec_elem(struct dctx *d, int64_t sec, int64_t nsec)
{
	if (nsec == K_UTIME_NOW || nsec == K_UTIME_OMIT) {
		v_enum(d, NULL, nsec, xlat_utime);
		return;
	}
	size_t s = v_struct_begin(d, NULL);
	v_int(d, "tv_sec", sec);
	v_int(d, "tv_nsec", nsec);
	v_end(d, s);
	if (nsec >= 0 && nsec < 1000000000)
		time_comment(d, sec, (uint64_t)nsec);
}

static int dec_utimensat(struct dctx *d)
{
	int64_t ts[4];
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	if (!d->args[2])
		v_ptr(d, "utimes", 0);
	else if (d_read_exact(d, d->args[2], ts, sizeof(ts)))
		v_unread(d, "utimes", d->args[2]);
	else {
		size_t a = v_array_begin(d, "utimes");
		timespec_elem(d, ts[0], ts[1]);
		timespec_elem(d, ts[2], ts[3]);
		v_end(d, a);
	}
	at_flags(d, "flags", d->args[3]);
	return DEC_DONE;
}

/* ---- sendfile, copy_file_range, splice ---- */

/* sendfile(out, in, off_t *offset, count): strace shows the offset
 * before and after, "[0] => [123]", so it is all shown at exit;
 * d->state keeps the value read at entry. */
static int dec_sendfile(struct dctx *d)
{
	uint64_t addr = d->args[2];
	if (!d->exiting) {
		int64_t off;
		v_fd(d, "out_fd", (int)d->args[0]);
		v_fd(d, "in_fd", (int)d->args[1]);
		if (addr && !d_read_exact(d, addr, &off, sizeof(off))) {
			d->state = (uint64_t)off;
			return DEC_MORE;
		}
		if (addr)
			v_unread(d, "offset", addr);
		else
			v_ptr(d, "offset", 0);
		v_uint(d, "count", d->args[3]);
		return DEC_DONE;
	}
	int64_t after;
	if (d->failed || d_read_exact(d, addr, &after, sizeof(after))) {
		size_t a = v_array_begin(d, "offset");
		v_int(d, NULL, (int64_t)d->state);
		v_end(d, a);
	} else {
		/* [0] => [123] */
		size_t io = v_inout_begin(d, "offset");
		size_t a = v_array_begin(d, NULL);
		v_int(d, NULL, (int64_t)d->state);
		v_end(d, a);
		a = v_array_begin(d, NULL);
		v_int(d, NULL, after);
		v_end(d, a);
		v_end(d, io);
	}
	v_uint(d, "count", d->args[3]);
	return DEC_DONE;
}

static int dec_copy_file_range(struct dctx *d)
{
	v_fd(d, "fd_in", (int)d->args[0]);
	int_ref(d, "off_in", d->args[1], 1);
	v_fd(d, "fd_out", (int)d->args[2]);
	int_ref(d, "off_out", d->args[3], 1);
	v_uint(d, "len", d->args[4]);
	v_uint(d, "flags", (uint32_t)d->args[5]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_splice[] = {
	XLAT(SPLICE_F_MOVE), XLAT(SPLICE_F_NONBLOCK), XLAT(SPLICE_F_MORE),
	XLAT(SPLICE_F_GIFT), { 0, NULL },
};

static int dec_splice(struct dctx *d)
{
	v_fd(d, "fd_in", (int)d->args[0]);
	int_ref(d, "off_in", d->args[1], 1);
	v_fd(d, "fd_out", (int)d->args[2]);
	int_ref(d, "off_out", d->args[3], 1);
	v_uint(d, "len", d->args[4]);
	flags_c(d, "flags", (uint32_t)d->args[5], xlat_splice, "SPLICE_F_???");
	return DEC_DONE;
}

/* ---- memfd, inotify ---- */

static const struct scry_xlat xlat_memfd[] = {
	{ 0x1, "MFD_CLOEXEC" }, { 0x2, "MFD_ALLOW_SEALING" }, { 0x4, "MFD_HUGETLB" },
	{ 0x8, "MFD_NOEXEC_SEAL" }, { 0x10, "MFD_EXEC" }, { 0, NULL },
};

static int dec_memfd_create(struct dctx *d)
{
	uint32_t flags = (uint32_t)d->args[1];
	v_cstr(d, "uname", d->args[0]);
	if (flags >> 26) {
		/* The huge page size: log2 in the top bits (MFD_HUGE_SHIFT). */
		size_t o = v_or_begin(d, "flags", flags);
		uint32_t low = flags & ((1u << 26) - 1);
		if (low)
			flags_c(d, NULL, low, xlat_memfd, "MFD_???");
		v_uint(d, "MFD_HUGE_SHIFT", flags >> 26);
		v_last(d)->fmt = SCRY_FMT_SHIFT;
		v_end(d, o);
	} else {
		flags_c(d, "flags", flags, xlat_memfd, "MFD_???");
	}
	d->rfmt = R_FD;
	return DEC_DONE;
}

static const struct scry_xlat xlat_inotify_init[] = {
	{ O_NONBLOCK, "IN_NONBLOCK" }, { O_CLOEXEC, "IN_CLOEXEC" }, { 0, NULL },
};

static const struct scry_xlat xlat_inotify_mask[] = {
	{ 0x1, "IN_ACCESS" }, { 0x2, "IN_MODIFY" }, { 0x4, "IN_ATTRIB" },
	{ 0x8, "IN_CLOSE_WRITE" }, { 0x10, "IN_CLOSE_NOWRITE" }, { 0x20, "IN_OPEN" },
	{ 0x40, "IN_MOVED_FROM" }, { 0x80, "IN_MOVED_TO" }, { 0x100, "IN_CREATE" },
	{ 0x200, "IN_DELETE" }, { 0x400, "IN_DELETE_SELF" }, { 0x800, "IN_MOVE_SELF" },
	{ 0x2000, "IN_UNMOUNT" }, { 0x4000, "IN_Q_OVERFLOW" }, { 0x8000, "IN_IGNORED" },
	{ 0x1000000, "IN_ONLYDIR" }, { 0x2000000, "IN_DONT_FOLLOW" },
	{ 0x4000000, "IN_EXCL_UNLINK" }, { 0x10000000, "IN_MASK_CREATE" },
	{ 0x20000000, "IN_MASK_ADD" }, { 0x40000000, "IN_ISDIR" },
	{ 0x80000000u, "IN_ONESHOT" }, { 0, NULL },
};

static int dec_inotify_init1(struct dctx *d)
{
	flags_c(d, "flags", (uint32_t)d->args[0], xlat_inotify_init, "IN_???");
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_inotify_add_watch(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_path(d, "pathname", d->args[1]);
	flags_c(d, "mask", (uint32_t)d->args[2], xlat_inotify_mask, "IN_???");
	return DEC_DONE;
}

static int dec_inotify_rm_watch(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_int(d, "wd", (int)d->args[1]);
	return DEC_DONE;
}

/* getcwd(buf, size): the path at exit; the result counts its NUL. */
static int dec_getcwd(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	if (d->failed)
		v_ptr(d, "buf", d->args[0]);
	else
		v_path(d, "buf", d->args[0]);
	v_uint(d, "size", d->args[1]);
	return DEC_DONE;
}

/* ---- umask ---- */

static int dec_umask(struct dctx *d)
{
	v_oct(d, "mask", d->args[0]);
	d->rfmt = R_OCT;      /* the old mask: "= 022" */
	return DEC_DONE;
}

/* ---- fadvise64 ---- */

static const struct scry_xlat xlat_fadvise[] = {
	XLAT(POSIX_FADV_NORMAL), XLAT(POSIX_FADV_RANDOM), XLAT(POSIX_FADV_SEQUENTIAL),
	XLAT(POSIX_FADV_WILLNEED), XLAT(POSIX_FADV_DONTNEED), XLAT(POSIX_FADV_NOREUSE),
	{ 0, NULL },
};

static int dec_fadvise64(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_int(d, "offset", (int64_t)d->args[1]);
	v_uint(d, "len", d->args[2]);
	v_enum(d, "advice", (int)d->args[3], xlat_fadvise);
	return DEC_DONE;
}

const struct decoder_entry decoders_file[] = {
	{ "fadvise64", dec_fadvise64, { 0 } },
	{ "umask", dec_umask, { 0 } },
	{ "open", dec_open, { CAP_FULL } },
	{ "openat", dec_openat, { CAP_FULL } },
	{ "openat2", dec_openat2, { 0 } },
	{ "creat", dec_creat, { CAP_FULL } },
	{ "close", dec_fd_only, { CAP_FULL } },
	{ "close_range", dec_close_range, { 0 } },
	{ "read", dec_read, { CAP_BUF_OUT(2), CAP_FULL } },
	{ "pread64", dec_read, { CAP_BUF_OUT(2), CAP_FULL } },
	{ "write", dec_write, { CAP_BUF_IN(2, 3), CAP_FULL } },
	{ "pwrite64", dec_write, { CAP_BUF_IN(2, 3), CAP_FULL } },
	{ "readv", dec_readv, { 0 } },
	{ "preadv", dec_readv, { 0 } },
	{ "writev", dec_writev, { 0 } },
	{ "pwritev", dec_writev, { 0 } },
	{ "preadv2", dec_preadv2, { 0 } },
	{ "pwritev2", dec_pwritev2, { 0 } },
	{ "lseek", dec_lseek, { CAP_FULL } },
	{ "access", dec_access, { CAP_FULL } },
	{ "faccessat", dec_faccessat, { CAP_FULL } },
	{ "faccessat2", dec_faccessat, { CAP_FULL } },
	{ "getdents64", dec_getdents64, { 0 } },
	{ "fcntl", dec_fcntl, { 0 } },
	{ "dup", dec_dup, { CAP_FULL } },
	{ "dup2", dec_dup, { CAP_FULL } },
	{ "dup3", dec_dup, { CAP_FULL } },
	{ "pipe", dec_pipe, { CAP_OUT(1, 2 * sizeof(int)), CAP_FULL } },
	{ "pipe2", dec_pipe, { CAP_OUT(1, 2 * sizeof(int)), CAP_FULL } },
	{ "mkdir", dec_path_mode, { CAP_FULL } },
	{ "mkdirat", dec_fd_path_mode, { CAP_FULL } },
	{ "rmdir", dec_path, { CAP_FULL } },
	{ "unlink", dec_path, { CAP_FULL } },
	{ "unlinkat", dec_unlinkat, { CAP_FULL } },
	{ "rename", dec_path_path, { CAP_FULL } },
	{ "renameat", dec_renameat, { CAP_FULL } },
	{ "renameat2", dec_renameat, { 0 } },
	{ "link", dec_path_path, { 0 } },
	{ "linkat", dec_linkat, { 0 } },
	{ "symlink", dec_path_path, { 0 } },
	{ "symlinkat", dec_symlinkat, { 0 } },
	{ "readlink", dec_readlink, { 0 } },
	{ "readlinkat", dec_readlink, { 0 } },
	{ "chmod", dec_path_mode, { CAP_FULL } },
	{ "fchmod", dec_fd_mode, { CAP_FULL } },
	{ "fchmodat", dec_fd_path_mode, { CAP_FULL } },
	{ "fchmodat2", dec_fd_path_mode, { 0 } },
	{ "chown", dec_chown, { 0 } },
	{ "lchown", dec_chown, { 0 } },
	{ "fchown", dec_fchown, { 0 } },
	{ "fchownat", dec_fchownat, { 0 } },
	{ "truncate", dec_truncate, { CAP_FULL } },
	{ "ftruncate", dec_ftruncate, { CAP_FULL } },
	{ "fsync", dec_fd_only, { CAP_FULL } },
	{ "fdatasync", dec_fd_only, { CAP_FULL } },
	{ "flock", dec_flock, { 0 } },
	{ "utimensat", dec_utimensat, { 0 } },
	{ "sendfile", dec_sendfile, { 0 } },
	{ "copy_file_range", dec_copy_file_range, { 0 } },
	{ "splice", dec_splice, { 0 } },
	{ "memfd_create", dec_memfd_create, { 0 } },
	{ "inotify_init1", dec_inotify_init1, { 0 } },
	{ "inotify_add_watch", dec_inotify_add_watch, { 0 } },
	{ "inotify_rm_watch", dec_inotify_rm_watch, { 0 } },
	{ "chdir", dec_path, { CAP_FULL } },
	{ "fchdir", dec_fd_only, { CAP_FULL } },
	{ "getcwd", dec_getcwd, { 0 } },
	{ NULL, NULL, { 0 } },
};
