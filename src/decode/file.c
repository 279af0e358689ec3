/* Decoders of the file family: open, read, write, ... */
#include "decode/decode.h"

#include <fcntl.h>

/* The kernel's values: glibc's O_LARGEFILE is 0 on 64-bit targets. */
#if defined(__x86_64__)
#define K_O_LARGEFILE 0100000
#else
#define K_O_LARGEFILE 0400000
#endif

const struct scry_xlat xlat_open_flags[] = {
	{ O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" },
	{ O_TMPFILE, "O_TMPFILE" }, { O_SYNC, "O_SYNC" },
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" }, { O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
	{ K_O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
	{ O_PATH, "O_PATH" }, { 0, NULL },
};

static void open_flags(struct dctx *d, const char *name, uint64_t flags)
{
	v_flags(d, name, flags, xlat_open_flags, "O_RDONLY");
	v_last(d)->fmt = O_ACCMODE;
}

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
		v_oct(d, "mode", d->args[2]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_openat(struct dctx *d)
{
	v_fd(d, "dfd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	open_flags(d, "flags", d->args[2]);
	if (open_has_mode(d->args[2]))
		v_oct(d, "mode", d->args[3]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_creat(struct dctx *d)
{
	v_path(d, "pathname", d->args[0]);
	v_oct(d, "mode", d->args[1]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

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

const struct decoder_entry decoders_file[] = {
	{ "open", dec_open },
	{ "openat", dec_openat },
	{ "creat", dec_creat },
	{ "read", dec_read },
	{ "pread64", dec_read },
	{ "write", dec_write },
	{ "pwrite64", dec_write },
	{ NULL, NULL },
};
