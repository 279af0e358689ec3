/*
 * Decoders of the i386 calls of 32-bit (ia32) processes on x86_64 (issue
 * 21), for the calls that have no x86_64 twin (scry_compat_nr() gives them
 * SCRY_NR_I386 + their i386 number; decoders_build(&scry_table_i386)).
 *
 * Each either decodes the call as strace 6.1 does for an i386 tracee, or
 * runs the x86_64 decoder of the same call on what the i386 call means:
 *  - 64-bit values split over two registers joined (_llseek, truncate64);
 *  - mmap2's offset in 4 KiB pages, old mmap's arguments in memory;
 *  - the *_time64 calls, whose structures are the x86_64 ones;
 *  - i386 structures (struct stat64, statfs64 and statfs, select's fd
 *    sets and timeval, msghdr, iovecs and control messages, msgbuf, the
 *    SysV *ctl structs) read where the x86_64 decoders read theirs and
 *    handed to them in the x86_64 layout (a mem hook, struct compat_hook
 *    below); those scry does not convert (flock, the old non-IPC_64
 *    *ctl layouts) made unreadable there, so that they print as their
 *    address;
 *  - socketcall() and ipc() as the calls they make (ia32_socketcall(),
 *    ia32_ipc(), which the engine calls).
 * A call whose structures scry cannot read with their i386 layout keeps
 * the generic decoder: its pointers print as addresses, never read with
 * the 64-bit layout.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode/decode.h"

/* The x86_64 decoder of the call named name (the generic one if none). */
static int run_as(struct dctx *d, const char *name, const uint64_t *args)
{
	const struct decoder_entry *e = decode_row(name);
	const uint64_t *saved = d->args;
	int r;

	d->args = args;
	r = e ? e->fn(d) : decode_generic(d);
	d->args = saved;
	return r;
}

/* A long long in two 32-bit registers, low first. */
static uint64_t join(uint64_t lo, uint64_t hi)
{
	return (uint64_t)(uint32_t)lo | (uint64_t)(uint32_t)hi << 32;
}

static const struct scry_xlat xlat_whence32[] = {
	XLAT(SEEK_SET), XLAT(SEEK_CUR), XLAT(SEEK_END),
	XLAT(SEEK_DATA), XLAT(SEEK_HOLE), { 0, NULL },
};

/* _llseek(fd, offset_high, offset_low, loff_t *result, whence):
 * strace's "_llseek(3, 0, [0], SEEK_CUR) = 0". */
static int dec_llseek(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "fd", (int)d->args[0]);
		v_int(d, "offset", (int64_t)join(d->args[2], d->args[1]));
		return DEC_MORE;
	}
	int64_t res;
	if (d->failed)
		v_ptr(d, "result", d->args[3]);
	else if (!v_fetch(d, "result", d->args[3], &res, sizeof(res))) {
		size_t a = v_array_begin(d, "result");
		v_int(d, NULL, res);
		v_end(d, a);
	}
	uint32_t whence = (uint32_t)d->args[4];
	v_enum(d, "whence", whence, xlat_whence32);
	v_last(d)->fmt = 1;
	if (whence > SEEK_HOLE)
		v_comment(d, NULL, "SEEK_???");
	return DEC_DONE;
}

/* mmap2(addr, len, prot, flags, fd, pgoff): mmap's, the offset shown in
 * bytes (pgoff * 4096), as strace's mmap_4koff. */
static int dec_mmap2(struct dctx *d)
{
	uint64_t a[6];
	memcpy(a, d->args, sizeof(a));
	a[4] = (uint64_t)(int64_t)(int32_t)a[4];
	a[5] = (uint64_t)(uint32_t)a[5] << 12;
	return run_as(d, "mmap", a);
}

/* i386's old mmap (90): its six arguments are 32-bit words in memory
 * (struct mmap_arg_struct), strace's old_mmap. */
static int dec_old_mmap(struct dctx *d)
{
	uint32_t w[6];
	if (d_read_exact(d, d->args[0], w, sizeof(w))) {
		v_ptr(d, "args", d->args[0]);
		d->rfmt = R_HEX;
		return DEC_DONE;
	}
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = w[i];
	a[4] = (uint64_t)(int64_t)(int32_t)a[4];
	return run_as(d, "mmap", a);
}

/* truncate64(path, lo, hi), ftruncate64(fd, lo, hi). */
static int dec_truncate64(struct dctx *d)
{
	const uint64_t a[6] = { d->args[0], join(d->args[1], d->args[2]) };
	return run_as(d, "truncate", a);
}

static int dec_ftruncate64(struct dctx *d)
{
	const uint64_t a[6] = { d->args[0], join(d->args[1], d->args[2]) };
	return run_as(d, "ftruncate", a);
}

/* fadvise64(fd, off lo, off hi, len, advice) and fadvise64_64(fd, off lo,
 * off hi, len lo, len hi, advice): x86_64's fadvise64(fd, off, len, advice). */
static int dec_fadvise64(struct dctx *d)
{
	const uint64_t a[6] = { d->args[0], join(d->args[1], d->args[2]),
				(uint32_t)d->args[3], d->args[4] };
	return run_as(d, "fadvise64", a);
}

static int dec_fadvise64_64(struct dctx *d)
{
	const uint64_t a[6] = { d->args[0], join(d->args[1], d->args[2]),
				join(d->args[3], d->args[4]), d->args[5] };
	return run_as(d, "fadvise64", a);
}

/* fcntl and fcntl64: x86_64's decoder, except the lock commands, whose
 * struct flock / flock64 has other layouts on i386: their address. */
static const struct scry_xlat xlat_fcntl_lock32[] = {
	{ 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
	{ 12, "F_GETLK64" }, { 13, "F_SETLK64" }, { 14, "F_SETLKW64" },
	{ 36, "F_OFD_GETLK" }, { 37, "F_OFD_SETLK" }, { 38, "F_OFD_SETLKW" },
	{ 0, NULL },
};

static int dec_fcntl32(struct dctx *d)
{
	int cmd = (int)d->args[1];
	for (const struct scry_xlat *x = xlat_fcntl_lock32; x->name; x++) {
		if ((int)x->val != cmd)
			continue;
		if (d->exiting)
			return DEC_DONE;
		v_fd(d, "fd", (int)d->args[0]);
		v_enum(d, "cmd", cmd, xlat_fcntl_lock32);
		v_ptr(d, "lock", d->args[2]);
		return DEC_DONE;
	}
	return run_as(d, "fcntl", d->args);
}

/*
 * i386 structures read where the x86_64 decoders read theirs: a mem hook
 * (struct compat_hook) turns the reads of up to four addresses into what
 * the x86_64 decoder expects (h->conv), and passes every other read on.
 */
struct compat_hook {
	struct dctx orig;   /* the decoder context as it was: its mem */
	uint64_t addr[4];   /* the addresses converted (0: none) */
	uint64_t span[4];   /* 0: reads at addr[i]; else reads in the x86_64
	                       bytes [addr[i], addr[i] + span[i]) */
	int64_t nfds;       /* select: the fd sets' size in bits */
	struct cmsg32 *cm;  /* sendmsg/recvmsg: the control messages converted */
	ssize_t (*conv)(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len);
};

static ssize_t compat_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct compat_hook *h = ctx;
	for (int i = 0; i < 4; i++)
		if (h->addr[i] && (h->span[i] ? addr >= h->addr[i] && addr - h->addr[i] < h->span[i]
					      : addr == h->addr[i]))
			return h->conv(h, i, addr, buf, len);
	return d_read(&h->orig, addr, buf, len);
}

/* The x86_64 decoder of name on args, its reads going through h. */
static int run_hooked(struct dctx *d, struct compat_hook *h, const char *name, const uint64_t *args)
{
	int r;

	h->orig = *d;
	d->mem = compat_mem;
	d->mem_ctx = h;
	r = run_as(d, name, args);
	d->mem = h->orig.mem;
	d->mem_ctx = h->orig.mem_ctx;
	return r;
}

static uint32_t u32_at(const unsigned char *p, size_t off)
{
	uint32_t v;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t u64_at(const unsigned char *p, size_t off)
{
	uint64_t v;
	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* struct stat64 (i386, packed, 96 bytes) as the x86_64 struct stat. */
#define STAT64_SIZE 96
#define KSTAT_READ  120   /* what file_stat.c's read_kstat() asks for */

static ssize_t stat64_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	unsigned char s[STAT64_SIZE];
	uint64_t k[KSTAT_READ / 8];

	(void)which;
	if (len != KSTAT_READ)
		return d_read(&h->orig, addr, buf, len);
	if (d_read_exact(&h->orig, addr, s, sizeof(s)))
		return -1;
	memset(k, 0, sizeof(k));
	k[0] = u64_at(s, 0);                                    /* st_dev */
	k[1] = u64_at(s, 88);                                   /* st_ino */
	k[2] = u32_at(s, 20);                                   /* st_nlink */
	k[3] = u32_at(s, 16) | (uint64_t)u32_at(s, 24) << 32;   /* st_mode, st_uid */
	k[4] = u32_at(s, 28);                                   /* st_gid */
	k[5] = u64_at(s, 32);                                   /* st_rdev */
	k[6] = u64_at(s, 44);                                   /* st_size */
	k[7] = u32_at(s, 52);                                   /* st_blksize */
	k[8] = u64_at(s, 56);                                   /* st_blocks */
	for (int i = 0; i < 6; i++)                             /* the times */
		k[9 + i] = u32_at(s, 64 + 4 * (size_t)i);
	memcpy(buf, k, KSTAT_READ);
	return KSTAT_READ;
}

static int stat64_as(struct dctx *d, const char *name, int arg)
{
	struct compat_hook h = { .addr = { d->args[arg] }, .conv = stat64_conv };

	if (!d->exiting)
		return run_as(d, name, d->args);
	return run_hooked(d, &h, name, d->args);
}

static int dec_stat64(struct dctx *d) { return stat64_as(d, "stat", 1); }
static int dec_lstat64(struct dctx *d) { return stat64_as(d, "lstat", 1); }
static int dec_fstat64(struct dctx *d) { return stat64_as(d, "fstat", 1); }
static int dec_fstatat64(struct dctx *d) { return stat64_as(d, "newfstatat", 2); }

/* Two 32-bit longs as the x86_64 struct's two longs: an i386 struct
 * timespec or struct timeval. */
static ssize_t ts32_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	int32_t ts[2];
	int64_t k[2];

	(void)which;
	if (len != sizeof(k) || d_read_exact(&h->orig, addr, ts, sizeof(ts)))
		return -1;
	k[0] = ts[0];
	k[1] = ts[1];
	memcpy(buf, k, sizeof(k));
	return (ssize_t)len;
}

/*
 * select's fd sets (bits in 32-bit words: read the 4-byte-rounded size,
 * the rest zero) and its struct timeval of two 32-bit longs, as the
 * x86_64 decoder reads them.
 */
static ssize_t select_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	if (which == 3)             /* the timeval */
		return ts32_conv(h, which, addr, buf, len);
	size_t want = (size_t)(h->nfds + 31) / 32 * 4;
	if (want > len)
		want = len;
	if (want && d_read_exact(&h->orig, addr, buf, want))
		return -1;
	memset((char *)buf + want, 0, len - want);
	return (ssize_t)len;
}

static int select32(struct dctx *d, const uint64_t a[6])
{
	struct compat_hook h = { .addr = { a[1], a[2], a[3], a[4] }, .conv = select_conv };
	int nfds = (int)a[0];

	h.nfds = nfds < 0 ? 0 : nfds;
	/* one set at the timeval's address is read as a set */
	for (int i = 0; i < 3; i++)
		if (h.addr[3] == h.addr[i])
			h.addr[3] = 0;
	return run_hooked(d, &h, "select", a);
}

/* _newselect(n, inp, outp, exp, tvp): strace's select, 32-bit layouts. */
static int dec_newselect(struct dctx *d)
{
	const uint64_t a[6] = { (uint64_t)(int64_t)(int32_t)d->args[0], d->args[1], d->args[2],
				d->args[3], d->args[4] };
	return select32(d, a);
}

/* i386's old select(arg): its five arguments as 32-bit words in memory
 * (struct sel_arg_struct), shown as select's, strace's oldselect (which
 * reads them again at exit); the address when they cannot be read. */
static int dec_oldselect(struct dctx *d)
{
	uint32_t w[5];
	if (d_read_exact(d, d->args[0], w, sizeof(w))) {
		if (!d->exiting)
			v_ptr(d, "arg", d->args[0]);
		return DEC_DONE;
	}
	const uint64_t a[6] = { (uint64_t)(int64_t)(int32_t)w[0], w[1], w[2], w[3], w[4] };
	return select32(d, a);
}

/*
 * statfs64(path, sz, buf), fstatfs64(fd, sz, buf): struct statfs64 (i386:
 * 84 bytes, packed to 4; the kernel takes 88 too) read as the x86_64
 * struct statfs; another sz: the buffer's address, as strace.  statfs and
 * fstatfs: i386's struct statfs, all 32-bit words (64 bytes).
 */
#define KSTATFS_READ 120   /* file_stat.c's statfs_at() */

static ssize_t statfs_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	unsigned char s[84];
	uint64_t k[KSTATFS_READ / 8];
	int is64 = which == 0;
	size_t n = is64 ? 84 : 64;

	if (len != KSTATFS_READ)
		return d_read(&h->orig, addr, buf, len);
	if (d_read_exact(&h->orig, addr, s, n))
		return -1;
	memset(k, 0, sizeof(k));
	k[0] = u32_at(s, 0);                  /* f_type */
	k[1] = u32_at(s, 4);                  /* f_bsize */
	for (int i = 0; i < 5; i++)           /* f_blocks .. f_ffree */
		k[2 + i] = is64 ? u64_at(s, 8 + 8 * (size_t)i) : u32_at(s, 8 + 4 * (size_t)i);
	size_t at = is64 ? 48 : 28;
	k[7] = u32_at(s, at) | (uint64_t)u32_at(s, at + 4) << 32;   /* f_fsid */
	k[8] = u32_at(s, at + 8);             /* f_namelen */
	k[9] = u32_at(s, at + 12);            /* f_frsize */
	k[10] = u32_at(s, at + 16);           /* f_flags */
	memcpy(buf, k, KSTATFS_READ);
	return KSTATFS_READ;
}

static int statfs64_as(struct dctx *d, const char *name)
{
	const uint64_t a[6] = { d->args[0], d->args[2] };
	uint64_t sz = (uint32_t)d->args[1];

	if (!d->exiting) {
		int r = run_as(d, name, a);
		v_uint(d, "sz", sz);
		return r;
	}
	if (sz != 84 && sz != 88) {
		v_ptr(d, "buf", d->args[2]);
		return DEC_DONE;
	}
	struct compat_hook h = { .addr = { d->args[2] }, .conv = statfs_conv };
	return run_hooked(d, &h, name, a);
}

static int statfs32_as(struct dctx *d, const char *name)
{
	/* addr[1]: the 32-bit struct statfs */
	struct compat_hook h = { .addr = { 0, d->args[1] }, .conv = statfs_conv };

	if (!d->exiting)
		return run_as(d, name, d->args);
	return run_hooked(d, &h, name, d->args);
}

static int dec_statfs64(struct dctx *d) { return statfs64_as(d, "statfs"); }
static int dec_fstatfs64(struct dctx *d) { return statfs64_as(d, "fstatfs"); }
static int dec_statfs32(struct dctx *d) { return statfs32_as(d, "statfs"); }
static int dec_fstatfs32(struct dctx *d) { return statfs32_as(d, "fstatfs"); }

/*
 * sendmsg(fd, msg, flags), recvmsg(fd, msg, flags): struct msghdr of
 * 32-bit words (28 bytes) and its iovecs (8 bytes each) read as the x86_64
 * ones by net.c's decoders; the control messages too (struct cmsg32),
 * their lengths put back to the i386 ones in what net.c shows (sendmmsg's
 * and recvmmsg's as well, below).
 */
#define MSGHDR64 56
#define IOV64    16
#define CMSG_MAX 4096     /* what net.c's cmsgs() reads */

/*
 * i386 control messages (struct cmsghdr of 32-bit cmsg_len, level and
 * type, 12 bytes, each message 4-aligned) as x86_64's (16 bytes, 8-aligned):
 * their data copied, the 32-bit times of SO_TIMESTAMP_OLD,
 * SO_TIMESTAMPNS_OLD and SO_TIMESTAMPING_OLD widened to the 64-bit ones
 * net.c reads.  Those of one msghdr at a time in x (active: x holds the
 * current msghdr's); in order, for what net.c shows: lens[], the i386
 * cmsg_len of every message converted, ctls[], the i386 msg_controllen of
 * every msghdr read.  When either runs out (full), the rest are not
 * converted: their address.
 */
#define CMSG32_LENS 1024
#define CMSG32_CTLS 1024

struct cmsg32 {
	unsigned char in[CMSG_MAX];
	unsigned char x[2 * CMSG_MAX];
	size_t xlen;
	int active, full;
	uint32_t lens[CMSG32_LENS];
	size_t nlens;
	uint32_t ctls[CMSG32_CTLS];
	size_t nctls;
};

static void cmsg32_convert(struct cmsg32 *c, const unsigned char *in, size_t n)
{
	size_t off = 0;

	c->xlen = 0;
	while (off + 12 <= n && c->xlen + 16 <= CMSG_MAX) {
		uint32_t len = u32_at(in, off), level = u32_at(in, off + 4), type = u32_at(in, off + 8);
		size_t dlen = len > 12 ? len - 12 : 0, xdlen;
		unsigned char *x = c->x + c->xlen;
		if (dlen > n - off - 12)
			dlen = n - off - 12;
		int widen = level == 1 /* SOL_SOCKET */ &&
			    (type == 29 || type == 35 || type == 37) &&   /* SO_TIMESTAMP*_OLD */
			    dlen % 8 == 0;
		xdlen = widen ? 2 * dlen : dlen;
		if (c->xlen + 16 + xdlen > sizeof(c->x))
			break;
		uint64_t xlen = len < 12 ? len : 16 + xdlen;
		memcpy(x, &xlen, sizeof(xlen));
		memcpy(x + 8, &level, 4);
		memcpy(x + 12, &type, 4);
		if (widen) {
			for (size_t i = 0; i < dlen; i += 4) {
				int64_t v = (int32_t)u32_at(in, off + 12 + i);
				memcpy(x + 16 + 2 * i, &v, sizeof(v));
			}
		} else {
			memcpy(x + 16, in + off + 12, dlen);
		}
		c->lens[c->nlens++] = len;
		c->xlen += (16 + xdlen + 7) & ~(size_t)7;
		if (len < 12)
			break;
		off += (len + 3) & ~(uint32_t)3;
	}
}

/* The control messages (at control, controllen bytes) of the next msghdr
 * net.c reads, converted where they can be read (c->active). */
static void cmsg32_load(struct cmsg32 *c, struct dctx *d, uint32_t control, uint32_t controllen)
{
	size_t n = controllen < CMSG_MAX ? controllen : CMSG_MAX;

	c->active = 0;
	if (c->full)
		return;
	if (c->nctls == CMSG32_CTLS || c->nlens + n / 12 + 1 > CMSG32_LENS) {
		c->full = 1;
		return;
	}
	c->ctls[c->nctls++] = controllen;
	if (!control || !n || d_read_exact(d, control, c->in, n))
		return;
	cmsg32_convert(c, c->in, n);
	c->active = c->xlen != 0;   /* (not even a header: the address) */
}

/* What net.c showed of the converted messages: the i386 lengths back. */
static void cmsg32_lengths(struct dctx *d, size_t from, const struct cmsg32 *c)
{
	size_t k = 0, m = 0;
	for (size_t i = from; i < d->out->n; i++) {
		struct scry_value *v = &d->out->v[i];
		if (v->type != SCRY_V_UINT || !v->name)
			continue;
		if (!strcmp(v->name, "cmsg_len") && k < c->nlens)
			v->u = c->lens[k++];
		else if (!strcmp(v->name, "msg_controllen") && m < c->nctls)
			v->u = c->ctls[m++];
	}
}

static ssize_t msg_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	if (which == 0) {           /* the msghdr */
		uint32_t m[7];
		uint64_t k[MSGHDR64 / 8];
		if (len != MSGHDR64 || d_read_exact(&h->orig, addr, m, sizeof(m)))
			return -1;
		k[0] = m[0];                        /* msg_name */
		k[1] = m[1];                        /* msg_namelen */
		k[2] = m[2];                        /* msg_iov */
		k[3] = m[3];                        /* msg_iovlen */
		k[4] = m[4];                        /* msg_control */
		k[5] = m[5];                        /* msg_controllen */
		if (h->cm && h->cm->active)         /* converted: its x86_64 size */
			k[5] = h->cm->xlen;
		k[6] = m[6];                        /* msg_flags */
		memcpy(buf, k, sizeof(k));
		return MSGHDR64;
	}
	if (which == 1) {           /* iovecs: x86_64 element k is i386 element k */
		uint64_t off = addr - h->addr[1];
		if (off % IOV64 || len % IOV64)
			return -1;
		size_t n = len / IOV64;
		uint32_t w[2 * 64];
		uint64_t *k = buf;
		for (size_t done = 0; done < n;) {
			size_t m = n - done < 64 ? n - done : 64;
			if (d_read_exact(&h->orig, h->addr[1] + (off / IOV64 + done) * 8, w, m * 8))
				return -1;
			for (size_t i = 0; i < m; i++) {
				k[2 * (done + i)] = w[2 * i];
				k[2 * (done + i) + 1] = w[2 * i + 1];
			}
			done += m;
		}
		return (ssize_t)len;
	}
	if (which == 2 && h->cm && h->cm->active) {   /* the control messages, converted */
		uint64_t off = addr - h->addr[2];
		if (off > h->cm->xlen || len > h->cm->xlen - off)
			return -1;
		memcpy(buf, h->cm->x + off, len);
		return (ssize_t)len;
	}
	return -1;                  /* not converted: the address */
}

static int msg32_as(struct dctx *d, const char *name)
{
	struct compat_hook h = { .addr = { d->args[1] }, .conv = msg_conv };
	uint32_t m[7];
	struct cmsg32 cm;
	size_t from = d->out->n;

	cm.nlens = cm.nctls = 0;
	cm.full = cm.active = 0;
	/* where the msghdr is readable, its iovecs and control are known */
	if (d->args[1] && !d_read_exact(d, d->args[1], m, sizeof(m))) {
		h.addr[1] = m[2];
		h.span[1] = (uint64_t)m[3] * IOV64;
		h.addr[2] = m[4];
		cmsg32_load(&cm, d, m[4], m[5]);
		h.cm = &cm;
		h.span[2] = cm.active ? cm.xlen : 0;
	}
	int r = run_hooked(d, &h, name, d->args);
	if (h.cm)
		cmsg32_lengths(d, from, &cm);
	return r;
}

static int dec_sendmsg32(struct dctx *d) { return msg32_as(d, "sendmsg"); }
static int dec_recvmsg32(struct dctx *d) { return msg32_as(d, "recvmsg"); }

/*
 * sendmmsg(fd, msgvec, vlen, flags), recvmmsg(fd, msgvec, vlen, flags,
 * timeout): struct mmsghdr (the i386 msghdr and a 32-bit msg_len, 32
 * bytes) read as x86_64's (64); net.c reads one element, then its iovecs
 * and control, so the element just converted names them (addr[1], [2]),
 * its control messages converted as sendmsg's (struct cmsg32).
 * recvmmsg's timeout: two 32-bit longs (recvmmsg_time64's: the x86_64
 * struct).
 */
#define MMSG64 64

static ssize_t mmsg_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	if (which == 3)             /* the 32-bit timespec */
		return ts32_conv(h, which, addr, buf, len);
	if (which != 0)
		return msg_conv(h, which, addr, buf, len);
	uint64_t off = addr - h->addr[0];
	uint32_t m[8];
	uint64_t k[MMSG64 / 8];
	if (off % MMSG64 || len != MMSG64 ||
	    d_read_exact(&h->orig, h->addr[0] + off / 2, m, sizeof(m)))
		return -1;
	for (int i = 0; i < 7; i++)     /* msg_hdr, as msg_conv() */
		k[i] = m[i];
	k[7] = m[7];                    /* msg_len (and padding) */
	h->addr[1] = m[2];
	h->span[1] = (uint64_t)m[3] * IOV64;
	h->addr[2] = m[4];
	cmsg32_load(h->cm, &h->orig, m[4], m[5]);
	h->span[2] = h->cm->active ? h->cm->xlen : 0;
	if (h->cm->active)
		k[5] = h->cm->xlen;
	memcpy(buf, k, sizeof(k));
	return MMSG64;
}

static int mmsg32_as(struct dctx *d, const char *name, int ts32)
{
	struct cmsg32 cm;
	struct compat_hook h = { .addr = { d->args[1] },
				 .span = { (uint64_t)(uint32_t)d->args[2] * MMSG64 },
				 .cm = &cm, .conv = mmsg_conv };
	size_t from = d->out->n;

	cm.nlens = cm.nctls = 0;
	cm.full = cm.active = 0;
	if (ts32)
		h.addr[3] = d->args[4];
	int r = run_hooked(d, &h, name, d->args);
	cmsg32_lengths(d, from, &cm);
	return r;
}

static int dec_sendmmsg32(struct dctx *d) { return mmsg32_as(d, "sendmmsg", 0); }
static int dec_recvmmsg32(struct dctx *d) { return mmsg32_as(d, "recvmmsg", 1); }
static int dec_recvmmsg64(struct dctx *d) { return mmsg32_as(d, "recvmmsg", 0); }

/*
 * send(fd, buf, len, flags) and recv(fd, buf, len, flags), which i386 makes
 * only through socketcall (SCRY_I386_SUBCALL): sendto's and recvfrom's
 * decoders without their address and its length, as strace shows them.
 */
static int cut_after(struct dctx *d, size_t from, int keep, int r)
{
	size_t i = from;
	for (int k = 0; k < keep && i < d->out->n; k++)
		i = scry_values_skip(d->out, i);
	if (i < d->out->n)
		d->out->n = i;
	return r;
}

static int dec_send(struct dctx *d)
{
	const uint64_t a[6] = { d->args[0], d->args[1], d->args[2], d->args[3] };
	size_t from = d->out->n;
	return cut_after(d, from, 4, run_as(d, "sendto", a));
}

static int dec_recv(struct dctx *d)
{
	const uint64_t a[6] = { d->args[0], d->args[1], d->args[2], d->args[3] };
	size_t from = d->out->n;
	/* entry: the fd; exit: the buffer, size and flags */
	return cut_after(d, from, d->exiting ? 3 : 1, run_as(d, "recvfrom", a));
}

/* semtimedop(semid, sops, nsops, timeout), i386's only through ipc (its
 * direct call is semtimedop_time64): the timeout a 32-bit timespec. */
static int dec_semtimedop32(struct dctx *d)
{
	struct compat_hook h = { .addr = { d->args[3] }, .conv = ts32_conv };
	return run_hooked(d, &h, "semtimedop", d->args);
}

/*
 * SysV IPC with i386 layouts (the direct calls msgsnd, msgrcv, msgctl,
 * shmctl, semctl and those ipc() makes, ia32_ipc()):
 *  - struct msgbuf's mtype is a 32-bit long: mtext 4 bytes in, not 8;
 *  - the *ctl structs (msqid_ds, shmid_ds, semid_ds, the info ones) in
 *    their i386 IPC_64 layouts (ipcctl_conv() below).
 */
static ssize_t msgbuf_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	if (which == 0) {           /* mtype, as the x86_64 decoder's 8 bytes */
		int32_t t;
		int64_t k;
		if (len != sizeof(k) || d_read_exact(&h->orig, addr, &t, sizeof(t)))
			return -1;
		k = t;
		memcpy(buf, &k, sizeof(k));
		return (ssize_t)len;
	}
	return d_read(&h->orig, addr - 4, buf, len);   /* mtext, 4 bytes in */
}

static int msgbuf_as(struct dctx *d, const char *name, int arg, int count)
{
	uint64_t a = d->args[arg];
	struct compat_hook h = { .addr = { a, a ? a + 8 : 0 },
				 .span = { 0, (uint64_t)(uint32_t)d->args[count] + 1 },
				 .conv = msgbuf_conv };
	uint64_t args[6];
	memcpy(args, d->args, sizeof(args));
	args[count] = (uint32_t)args[count];
	if (!strcmp(name, "msgrcv"))   /* msgtyp: a 32-bit long */
		args[3] = (uint64_t)(int64_t)(int32_t)args[3];
	return run_hooked(d, &h, name, args);
}

static int dec_msgsnd32(struct dctx *d) { return msgbuf_as(d, "msgsnd", 1, 2); }
static int dec_msgrcv32(struct dctx *d) { return msgbuf_as(d, "msgrcv", 1, 2); }

static ssize_t no_read(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	(void)h; (void)which; (void)addr; (void)buf; (void)len;
	return -1;
}

/*
 * The *ctl structs in their i386 IPC_64 layouts (asm-generic/{shm,sem,
 * msg}buf.h for 32-bit longs), as the x86_64 ones ipc.c reads: struct
 * ipc64_perm's two unused words are 32-bit (36 bytes, not 48), the times
 * split in low and high words, the counters 32-bit longs.  ipc.c asks for
 * the x86_64 size of the struct it reads: that size says which one.  The
 * info structs of semctl and msgctl (all ints) are the same on both.
 */
#define K_SHMID64   112
#define K_SEMID64   104
#define K_MSQID64   120
#define K_SHMINFO64 72
#define K_SHM_INFO  48

static uint64_t lohi_at(const unsigned char *p, size_t off)
{
	return u32_at(p, off) | (uint64_t)u32_at(p, off + 4) << 32;
}

static void put64(unsigned char *k, size_t off, uint64_t v)
{
	memcpy(k + off, &v, sizeof(v));
}

static void put32(unsigned char *k, size_t off, uint32_t v)
{
	memcpy(k + off, &v, sizeof(v));
}

static ssize_t ipcctl_conv(struct compat_hook *h, int which, uint64_t addr, void *buf, size_t len)
{
	unsigned char s[88], k[K_MSQID64];
	size_t n;

	(void)which;
	switch (len) {
	case K_SHMID64: n = 84; break;
	case K_SEMID64: n = 64; break;
	case K_MSQID64: n = 88; break;
	case K_SHMINFO64: n = 36; break;
	case K_SHM_INFO: n = 24; break;
	default: return d_read(&h->orig, addr, buf, len);   /* seminfo, msginfo */
	}
	if (d_read_exact(&h->orig, addr, s, n))
		return -1;
	memset(k, 0, sizeof(k));
	if (len == K_SHMINFO64) {               /* nine unsigned longs */
		for (size_t i = 0; i < 9; i++)
			put64(k, 8 * i, u32_at(s, 4 * i));
	} else if (len == K_SHM_INFO) {         /* used_ids, then five longs */
		put32(k, 0, u32_at(s, 0));
		for (size_t i = 0; i < 5; i++)
			put64(k, 8 + 8 * i, u32_at(s, 4 + 4 * i));
	} else {
		memcpy(k, s, 28);               /* ipc64_perm: key .. seq */
		if (len == K_SHMID64) {
			put64(k, 48, u32_at(s, 36));    /* shm_segsz */
			put64(k, 56, lohi_at(s, 40));   /* shm_atime */
			put64(k, 64, lohi_at(s, 48));   /* shm_dtime */
			put64(k, 72, lohi_at(s, 56));   /* shm_ctime */
			put32(k, 80, u32_at(s, 64));    /* shm_cpid */
			put32(k, 84, u32_at(s, 68));    /* shm_lpid */
			put64(k, 88, u32_at(s, 72));    /* shm_nattch */
		} else if (len == K_SEMID64) {
			put64(k, 48, lohi_at(s, 36));   /* sem_otime */
			put64(k, 64, lohi_at(s, 44));   /* sem_ctime */
			put64(k, 80, u32_at(s, 52));    /* sem_nsems */
		} else {
			put64(k, 48, lohi_at(s, 36));   /* msg_stime */
			put64(k, 56, lohi_at(s, 44));   /* msg_rtime */
			put64(k, 64, lohi_at(s, 52));   /* msg_ctime */
			put64(k, 72, u32_at(s, 60));    /* msg_cbytes */
			put64(k, 80, u32_at(s, 64));    /* msg_qnum */
			put64(k, 88, u32_at(s, 68));    /* msg_qbytes */
			put32(k, 96, u32_at(s, 72));    /* msg_lspid */
			put32(k, 100, u32_at(s, 76));   /* msg_lrpid */
		}
	}
	memcpy(buf, k, len);
	return (ssize_t)len;
}

/* The x86_64 *ctl decoder, its struct argument read with the i386 IPC_64
 * layout; without IPC_64 in cmd (the old layouts, 16-bit ids) its address. */
static int ctl_as(struct dctx *d, const char *name, int arg, int cmd)
{
	struct compat_hook h = { .addr = { d->args[arg] },
				 .conv = (uint32_t)d->args[cmd] & 0x100 ? ipcctl_conv : no_read };
	return run_hooked(d, &h, name, d->args);
}

static int dec_msgctl32(struct dctx *d) { return ctl_as(d, "msgctl", 2, 1); }
static int dec_shmctl32(struct dctx *d) { return ctl_as(d, "shmctl", 2, 1); }
/* semctl: through ipc (d->indirect), its arg is the word ipc read from
 * the union at ptr; shown as an address, strace puts it in brackets:
 * "semctl(5, 0, IPC_64|SETVAL, [0x1])". */
static int dec_semctl32(struct dctx *d)
{
	size_t from = d->out->n, last = d->out->n;
	int r = ctl_as(d, "semctl", 3, 2);
	if (!d->indirect)
		return r;
	for (size_t i = from; i < d->out->n; i = scry_values_skip(d->out, i))
		last = i;
	if (last == d->out->n)
		return r;
	struct scry_value v = d->out->v[last];
	if ((v.type != SCRY_V_PTR && v.type != SCRY_V_UNREAD) || !v.name || strcmp(v.name, "arg"))
		return r;
	d->out->n = last;
	size_t a = v_array_begin(d, "arg");
	size_t k = scry_values_push(d->out, v.type, NULL);
	d->out->v[k].u = v.u;
	v_end(d, a);
	return r;
}

/* Calls decoded by the x86_64 decoder of another name, their arguments
 * and structures being the same (the 64-bit time and 32-bit uid ones). */
static const struct { const char *i386, *x86_64; } same_as[] = {
	{ "clock_gettime64", "clock_gettime" },
	{ "clock_settime64", "clock_settime" },
	{ "clock_getres_time64", "clock_getres" },
	{ "clock_nanosleep_time64", "clock_nanosleep" },
	{ "timerfd_gettime64", "timerfd_gettime" },
	{ "timerfd_settime64", "timerfd_settime" },
	{ "utimensat_time64", "utimensat" },
	{ "ppoll_time64", "ppoll" },
	{ "futex_time64", "futex" },
	{ "mq_timedsend_time64", "mq_timedsend" },
	{ "mq_timedreceive_time64", "mq_timedreceive" },
	{ "semtimedop_time64", "semtimedop" },
	{ "sendfile64", "sendfile" },
	{ "chown32", "chown" },
	{ "lchown32", "lchown" },
	{ "fchown32", "fchown" },
};

const struct decoder_entry decoders_ia32[] = {
	{ "_llseek", dec_llseek, { 0 } },
	{ "mmap2", dec_mmap2, { 0 } },
	{ "mmap", dec_old_mmap, { 0 } },
	{ "truncate64", dec_truncate64, { 0 } },
	{ "ftruncate64", dec_ftruncate64, { 0 } },
	{ "fadvise64", dec_fadvise64, { 0 } },
	{ "fadvise64_64", dec_fadvise64_64, { 0 } },
	{ "fcntl", dec_fcntl32, { 0 } },
	{ "fcntl64", dec_fcntl32, { 0 } },
	{ "stat64", dec_stat64, { 0 } },
	{ "lstat64", dec_lstat64, { 0 } },
	{ "fstat64", dec_fstat64, { 0 } },
	{ "fstatat64", dec_fstatat64, { 0 } },
	{ "select", dec_oldselect, { 0 } },
	{ "_newselect", dec_newselect, { 0 } },
	{ "statfs64", dec_statfs64, { 0 } },
	{ "fstatfs64", dec_fstatfs64, { 0 } },
	{ "statfs", dec_statfs32, { 0 } },
	{ "fstatfs", dec_fstatfs32, { 0 } },
	{ "sendmsg", dec_sendmsg32, { 0 } },
	{ "recvmsg", dec_recvmsg32, { 0 } },
	{ "sendmmsg", dec_sendmmsg32, { 0 } },
	{ "recvmmsg", dec_recvmmsg32, { 0 } },
	{ "recvmmsg_time64", dec_recvmmsg64, { 0 } },
	{ "msgsnd", dec_msgsnd32, { 0 } },
	{ "msgrcv", dec_msgrcv32, { 0 } },
	{ "msgctl", dec_msgctl32, { 0 } },
	{ "shmctl", dec_shmctl32, { 0 } },
	{ "semctl", dec_semctl32, { 0 } },
	{ "send", dec_send, { 0 } },
	{ "recv", dec_recv, { 0 } },
	{ "semtimedop", dec_semtimedop32, { 0 } },
	{ NULL, NULL, { 0 } },
};

long ia32_socketcall(ssize_t (*read)(void *ctx, uint64_t addr, void *buf, size_t len), void *ctx,
		     const uint64_t args[6], uint64_t out[6])
{
	uint32_t w[6];
	int nargs = 0;
	const char *name = scry_i386_socketcall((uint32_t)args[0], &nargs);
	long nr = -1, nr32;

	/* the i386 call of its name (decoded as that is: its x86_64 twin's
	 * number, or SCRY_NR_I386 + its own, i386 layouts); accept, send and
	 * recv, which i386 has only through socketcall, are rows past the
	 * kernel's (SCRY_I386_SUBCALL) */
	if (name && (nr32 = scry_syscall_lookup(&scry_table_i386, name)) >= 0)
		nr = scry_compat_nr(SCRY_AUDIT_ARCH_I386, nr32);
	if (nr < 0)
		return -1;
	size_t len = (size_t)nargs * sizeof(w[0]);
	if (read(ctx, (uint32_t)args[1], w, len) != (ssize_t)len)
		return -1;
	memset(out, 0, 6 * sizeof(out[0]));
	for (int i = 0; i < nargs; i++)
		out[i] = w[i];
	return nr;
}

/*
 * i386's ipc(call, first, second, third, ptr, fifth): the SysV call it
 * makes (strace's decode_ipc_subcall), with that call's arguments as its
 * direct form takes them.  The high 16 bits of call are a version: 0 has
 * msgrcv's msgp and msgtyp in a struct at ptr (ipc_kludge).
 */
long ia32_ipc(ssize_t (*read)(void *ctx, uint64_t addr, void *buf, size_t len), void *ctx,
	      const uint64_t args[6], uint64_t out[6], uint64_t *result_at)
{
	unsigned call = (uint32_t)args[0] & 0xffff, version = (uint32_t)args[0] >> 16;
	uint64_t first = (uint32_t)args[1], second = (uint32_t)args[2], third = (uint32_t)args[3];
	uint64_t ptr = (uint32_t)args[4], fifth = (uint32_t)args[5];
	const char *name;

	memset(out, 0, 6 * sizeof(out[0]));
	*result_at = 0;
	switch (call) {
	case 1:  /* semop(semid, sops, nsops) */
		name = "semop";
		out[0] = first, out[1] = ptr, out[2] = second;
		break;
	case 2:  /* semget(key, nsems, semflg) */
	case 13: /* msgget(key, msgflg) */
	case 23: /* shmget(key, size, shmflg) */
		name = call == 2 ? "semget" : call == 13 ? "msgget" : "shmget";
		out[0] = first, out[1] = second, out[2] = third;
		break;
	case 3: { /* semctl(semid, semnum, cmd, arg): ptr points to the union */
		uint32_t u;
		name = "semctl";
		if (!ptr || read(ctx, ptr, &u, sizeof(u)) != sizeof(u))
			return -1;
		out[0] = first, out[1] = second, out[2] = third, out[3] = u;
		break;
	}
	case 11: /* msgsnd(msqid, msgp, msgsz, msgflg) */
		name = "msgsnd";
		out[0] = first, out[1] = ptr, out[2] = second, out[3] = third;
		break;
	case 12: /* msgrcv(msqid, msgp, msgsz, msgtyp, msgflg) */
		name = "msgrcv";
		out[0] = first, out[2] = second, out[4] = third;
		if (version) {
			out[1] = ptr, out[3] = fifth;
		} else {
			uint32_t k[2];
			if (!ptr || read(ctx, ptr, k, sizeof(k)) != sizeof(k))
				return -1;
			out[1] = k[0], out[3] = k[1];
		}
		break;
	case 14: /* msgctl(msqid, cmd, buf) */
	case 24: /* shmctl(shmid, cmd, buf) */
		name = call == 14 ? "msgctl" : "shmctl";
		out[0] = first, out[1] = second, out[2] = ptr;
		break;
	case 21: /* shmat(shmid, shmaddr, shmflg): the address at third */
		if (version == 1)
			return -1;   /* iBCS2's, from the kernel only */
		name = "shmat";
		out[0] = first, out[1] = ptr, out[2] = second;
		*result_at = third;
		break;
	case 22: /* shmdt(shmaddr) */
		name = "shmdt";
		out[0] = ptr;
		break;
	case 4:  /* semtimedop(semid, sops, nsops, timeout): a 32-bit timespec */
		name = "semtimedop";
		out[0] = first, out[1] = ptr, out[2] = second, out[3] = fifth;
		break;
	default:
		return -1;
	}
	/* semop and semtimedop: i386 rows past the kernel's (SCRY_I386_SUBCALL) */
	long nr32 = scry_syscall_lookup(&scry_table_i386, name);
	return nr32 >= 0 ? scry_compat_nr(SCRY_AUDIT_ARCH_I386, nr32) : -1;
}

decoder_fn decode_ia32_alias(const char *name)
{
	for (size_t i = 0; name && i < sizeof(same_as) / sizeof(same_as[0]); i++) {
		if (strcmp(same_as[i].i386, name))
			continue;
		const struct decoder_entry *e = decode_row(same_as[i].x86_64);
		return e ? e->fn : NULL;
	}
	return NULL;
}
