/*
 * Decoders of the file family, ioctl: the terminal, FIO*, FS_IOC_*, BLK*
 * and SIOCGIF* requests strace names, the others as _IOC(dir, type, nr, size).
 *
 * The text they lead to is strace's (compared against strace 6.1 on
 * programs that make every call below).  What they share with file.c and
 * file_stat.c is in file_common.h.
 */
#include "decode/decode.h"
#include "decode/file_common.h"

#include <stdio.h>
#include <string.h>
#include <linux/fs.h>

/* ---- ioctl ---- */

#define K_TCGETS 0x5401
#define K_TCSETS 0x5402
#define K_TCSETSW 0x5403
#define K_TCSETSF 0x5404
#define K_TCSBRK 0x5409
#define K_TCFLSH 0x540B
#define K_TIOCSCTTY 0x540E
#define K_TIOCGPGRP 0x540F
#define K_TIOCSPGRP 0x5410
#define K_TIOCGWINSZ 0x5413
#define K_TIOCSWINSZ 0x5414
#define K_FIONREAD 0x541B
#define K_FIONBIO 0x5421
#define K_TIOCNOTTY 0x5422
#define K_TIOCGPTN 0x80045430u
#define K_TIOCSPTLCK 0x40045431u
#define K_TIOCGPTPEER 0x5441
#define K_FIONCLEX 0x5450
#define K_FIOCLEX 0x5451
#define K_FICLONE 0x40049409u
#define K_FS_IOC_GETFLAGS 0x80086601u
#define K_FS_IOC_SETFLAGS 0x40086602u
#define K_FS_IOC_FIEMAP 0xc020660bu
/* linux/sockios.h: the interface requests of SIOCGIF*, on any socket */
#define K_SIOCGIFNAME 0x8910
#define K_SIOCGIFFLAGS 0x8913
#define K_SIOCGIFADDR 0x8915
#define K_SIOCGIFDSTADDR 0x8917
#define K_SIOCGIFBRDADDR 0x8919
#define K_SIOCGIFNETMASK 0x891b
#define K_SIOCGIFMETRIC 0x891d
#define K_SIOCGIFMTU 0x8921
#define K_SIOCGIFINDEX 0x8933
#define K_SIOCGIFTXQLEN 0x8942
/* linux/fs.h: block devices */
#define K_BLKROGET 0x125e
#define K_BLKGETSIZE 0x1260
#define K_BLKSSZGET 0x1268
#define K_BLKIOMIN 0x1278
#define K_BLKIOOPT 0x1279
#define K_BLKALIGNOFF 0x127a
#define K_BLKPBSZGET 0x127b
#define K_BLKGETSIZE64 0x80081272u

/* strace names a number that two subsystems share with both names. */
static const struct scry_xlat xlat_ioctl[] = {
	{ K_TCGETS, "TCGETS" }, { K_TCSETS, "SNDCTL_TMR_START or TCSETS" },
	{ K_TCSETSW, "SNDCTL_TMR_STOP or TCSETSW" }, { K_TCSETSF, "SNDCTL_TMR_CONTINUE or TCSETSF" },
	{ K_TCSBRK, "TCSBRK" }, { K_TCFLSH, "TCFLSH" }, { K_TIOCSCTTY, "TIOCSCTTY" },
	{ K_TIOCGPGRP, "TIOCGPGRP" }, { K_TIOCSPGRP, "TIOCSPGRP" },
	{ K_TIOCGWINSZ, "TIOCGWINSZ" }, { K_TIOCSWINSZ, "TIOCSWINSZ" },
	{ K_FIONREAD, "FIONREAD" }, { K_FIONBIO, "FIONBIO" }, { K_TIOCNOTTY, "TIOCNOTTY" },
	{ K_TIOCGPTN, "TIOCGPTN" }, { K_TIOCSPTLCK, "TIOCSPTLCK" },
	{ K_TIOCGPTPEER, "TIOCGPTPEER" }, { K_FIONCLEX, "FIONCLEX" }, { K_FIOCLEX, "FIOCLEX" },
	{ K_FICLONE, "BTRFS_IOC_CLONE or FICLONE" },
	{ K_FS_IOC_GETFLAGS, "FS_IOC_GETFLAGS" }, { K_FS_IOC_SETFLAGS, "FS_IOC_SETFLAGS" },
	{ K_FS_IOC_FIEMAP, "FS_IOC_FIEMAP" },
	{ K_SIOCGIFNAME, "SIOCGIFNAME" }, { K_SIOCGIFFLAGS, "SIOCGIFFLAGS" },
	{ K_SIOCGIFADDR, "SIOCGIFADDR" }, { K_SIOCGIFDSTADDR, "SIOCGIFDSTADDR" },
	{ K_SIOCGIFBRDADDR, "SIOCGIFBRDADDR" }, { K_SIOCGIFNETMASK, "SIOCGIFNETMASK" },
	{ K_SIOCGIFMETRIC, "SIOCGIFMETRIC" }, { K_SIOCGIFMTU, "SIOCGIFMTU" },
	{ K_SIOCGIFINDEX, "SIOCGIFINDEX" }, { K_SIOCGIFTXQLEN, "SIOCGIFTXQLEN" },
	{ K_BLKROGET, "BLKROGET" }, { K_BLKGETSIZE, "BLKGETSIZE" }, { K_BLKSSZGET, "BLKSSZGET" },
	{ K_BLKIOMIN, "BLKIOMIN" }, { K_BLKIOOPT, "BLKIOOPT" }, { K_BLKALIGNOFF, "BLKALIGNOFF" },
	{ K_BLKPBSZGET, "BLKPBSZGET" }, { K_BLKGETSIZE64, "BLKGETSIZE64" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_tcflsh[] = {
	{ 0, "TCIFLUSH" }, { 1, "TCOFLUSH" }, { 2, "TCIOFLUSH" }, { 0, NULL },
};

static const struct scry_xlat xlat_fs_flags[] = {
	XLAT(FS_SECRM_FL), XLAT(FS_UNRM_FL), XLAT(FS_COMPR_FL),
	XLAT(FS_SYNC_FL), XLAT(FS_IMMUTABLE_FL), XLAT(FS_APPEND_FL),
	XLAT(FS_NODUMP_FL), XLAT(FS_NOATIME_FL), XLAT(FS_DIRTY_FL),
	XLAT(FS_COMPRBLK_FL), XLAT(FS_NOCOMP_FL), XLAT(FS_ENCRYPT_FL),
	XLAT(FS_INDEX_FL), XLAT(FS_IMAGIC_FL), XLAT(FS_JOURNAL_DATA_FL),
	XLAT(FS_NOTAIL_FL), XLAT(FS_DIRSYNC_FL), XLAT(FS_TOPDIR_FL),
	XLAT(FS_HUGE_FILE_FL), XLAT(FS_EXTENT_FL), XLAT(FS_VERITY_FL),
	XLAT(FS_EA_INODE_FL), XLAT(FS_EOFBLOCKS_FL), XLAT(FS_NOCOW_FL),
	XLAT(FS_DAX_FL), XLAT(FS_INLINE_DATA_FL),
	XLAT(FS_PROJINHERIT_FL), XLAT(FS_CASEFOLD_FL), { 0, NULL },
};

static const struct scry_xlat xlat_iflag[] = {
	{ 0x1, "IGNBRK" }, { 0x2, "BRKINT" }, { 0x4, "IGNPAR" }, { 0x8, "PARMRK" },
	{ 0x10, "INPCK" }, { 0x20, "ISTRIP" }, { 0x40, "INLCR" }, { 0x80, "IGNCR" },
	{ 0x100, "ICRNL" }, { 0x200, "IUCLC" }, { 0x400, "IXON" }, { 0x800, "IXANY" },
	{ 0x1000, "IXOFF" }, { 0x2000, "IMAXBEL" }, { 0x4000, "IUTF8" }, { 0, NULL },
};

static const struct scry_xlat xlat_oflag[] = {
	{ 0x1, "OPOST" }, { 0x2, "OLCUC" }, { 0x4, "ONLCR" }, { 0x8, "OCRNL" },
	{ 0x10, "ONOCR" }, { 0x20, "ONLRET" }, { 0x40, "OFILL" }, { 0x80, "OFDEL" }, { 0, NULL },
};

static const struct scry_xlat xlat_cflag[] = {
	{ 0x40, "CSTOPB" }, { 0x80, "CREAD" }, { 0x100, "PARENB" }, { 0x200, "PARODD" },
	{ 0x400, "HUPCL" }, { 0x800, "CLOCAL" }, { 0x40000000, "CMSPAR" },
	{ 0x80000000u, "CRTSCTS" }, { 0, NULL },
};

static const struct scry_xlat xlat_lflag[] = {
	{ 0x1, "ISIG" }, { 0x2, "ICANON" }, { 0x4, "XCASE" }, { 0x8, "ECHO" },
	{ 0x10, "ECHOE" }, { 0x20, "ECHOK" }, { 0x40, "ECHONL" }, { 0x80, "NOFLSH" },
	{ 0x100, "TOSTOP" }, { 0x8000, "IEXTEN" }, { 0x200, "ECHOCTL" }, { 0x400, "ECHOPRT" },
	{ 0x800, "ECHOKE" }, { 0x1000, "FLUSHO" }, { 0x4000, "PENDIN" }, { 0x10000, "EXTPROC" },
	{ 0, NULL },
};

/* c_oflag: the delay fields first (NL0|CR0|...), then the flags. */
static const struct scry_xlat xlat_nl[] = { { 0, "NL0" }, { 1, "NL1" }, { 0, NULL } };
static const struct scry_xlat xlat_cr[] = { { 0, "CR0" }, { 1, "CR1" }, { 2, "CR2" }, { 3, "CR3" }, { 0, NULL } };
static const struct scry_xlat xlat_tab[] = { { 0, "TAB0" }, { 1, "TAB1" }, { 2, "TAB2" }, { 3, "TAB3" }, { 0, NULL } };
static const struct scry_xlat xlat_bs[] = { { 0, "BS0" }, { 1, "BS1" }, { 0, NULL } };
static const struct scry_xlat xlat_vt[] = { { 0, "VT0" }, { 1, "VT1" }, { 0, NULL } };
static const struct scry_xlat xlat_ff[] = { { 0, "FF0" }, { 1, "FF1" }, { 0, NULL } };

static void oflag_value(struct dctx *d, uint32_t o)
{
	size_t or = v_or_begin(d, "c_oflag", o);
	v_enum(d, NULL, (o >> 8) & 1, xlat_nl);
	v_enum(d, NULL, (o >> 9) & 3, xlat_cr);
	v_enum(d, NULL, (o >> 11) & 3, xlat_tab);
	v_enum(d, NULL, (o >> 13) & 1, xlat_bs);
	v_enum(d, NULL, (o >> 14) & 1, xlat_vt);
	v_enum(d, NULL, (o >> 15) & 1, xlat_ff);
	/* (none: strace ends the word with "|") */
	v_flags(d, NULL, o & ~0xff00u, xlat_oflag, NULL);
	v_last(d)->fmt |= SCRY_FMT_BLANK0;
	v_end(d, or);
}

/* The speeds (CBAUD, CBAUDEX): B0..B38400 are 0..15, BOTHER.. 0x1000.. */
static const struct scry_xlat xlat_baud[] = {
	{ 0, "B0" }, { 1, "B50" }, { 2, "B75" }, { 3, "B110" }, { 4, "B134" },
	{ 5, "B150" }, { 6, "B200" }, { 7, "B300" }, { 8, "B600" }, { 9, "B1200" },
	{ 10, "B1800" }, { 11, "B2400" }, { 12, "B4800" }, { 13, "B9600" },
	{ 14, "B19200" }, { 15, "B38400" }, { 0x1000, "BOTHER" }, { 0x1001, "B57600" },
	{ 0x1002, "B115200" }, { 0x1003, "B230400" }, { 0x1004, "B460800" },
	{ 0x1005, "B500000" }, { 0x1006, "B576000" }, { 0x1007, "B921600" },
	{ 0x1008, "B1000000" }, { 0x1009, "B1152000" }, { 0x100a, "B1500000" },
	{ 0x100b, "B2000000" }, { 0x100c, "B2500000" }, { 0x100d, "B3000000" },
	{ 0x100e, "B3500000" }, { 0x100f, "B4000000" }, { 0, NULL },
};

static const struct scry_xlat xlat_csize[] = {
	{ 0x00, "CS5" }, { 0x10, "CS6" }, { 0x20, "CS7" }, { 0x30, "CS8" }, { 0, NULL },
};

/* c_cflag: the speed, the character size, then the flags. */
static void cflag_value(struct dctx *d, uint32_t c)
{
	size_t or = v_or_begin(d, "c_cflag", c);
	v_enum(d, "speed", c & 0x100f, xlat_baud);
	v_enum(d, "csize", c & 0x30, xlat_csize);
	uint32_t ibaud = (c >> 16) & 0x100f;
	if (ibaud) {
		v_enum(d, "IBSHIFT", ibaud, xlat_baud);   /* B9600<<IBSHIFT */
		v_last(d)->fmt = SCRY_FMT_SHIFT;
	}
	v_flags(d, NULL, c & ~0x100f103fu, xlat_cflag, NULL);
	v_last(d)->fmt |= SCRY_FMT_BLANK0;
	v_end(d, or);
}

static const char *const cc_names[] = {
	"VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VTIME", "VMIN", "VSWTC",
	"VSTART", "VSTOP", "VSUSP", "VEOL", "VREPRINT", "VDISCARD", "VWERASE",
	"VLNEXT", "VEOL2",
};

static const struct scry_xlat xlat_line[] = { { 0, "N_TTY" }, { 0, NULL } };

static void termios_struct(struct dctx *d, const char *name, uint64_t addr)
{
	struct { uint32_t iflag, oflag, cflag, lflag; uint8_t line, cc[19]; } t;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (d_read_exact(d, addr, &t, 36)) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	/* (a word without flags shows empty, as strace shows it) */
	v_flags(d, "c_iflag", t.iflag, xlat_iflag, NULL);
	v_last(d)->fmt |= SCRY_FMT_BLANK0;
	oflag_value(d, t.oflag);
	cflag_value(d, t.cflag);
	v_flags(d, "c_lflag", t.lflag, xlat_lflag, NULL);
	v_last(d)->fmt |= SCRY_FMT_BLANK0;
	if (d->verbose) {
		v_enum(d, "c_line", t.line, xlat_line);   /* N_TTY, or the number */
		/* [[VINTR]=0x3, ...]: JSON {"VINTR":3, ...} */
		static const char *const cc_index[] = {
			"17", "18",
		};
		size_t a = v_array_begin(d, "c_cc");
		for (size_t i = 0; i < sizeof(t.cc); i++)
			v_hex(d, i < ARRAY_LEN(cc_names) ? cc_names[i] : cc_index[i - ARRAY_LEN(cc_names)], t.cc[i]);
		v_end(d, a);
		d->out->v[a].fmt = SCRY_FMT_INDEXED;
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
}

static void winsize_struct(struct dctx *d, const char *name, uint64_t addr)
{
	uint16_t w[4];
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (d_read_exact(d, addr, w, sizeof(w))) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	v_uint(d, "ws_row", w[0]);
	v_uint(d, "ws_col", w[1]);
	v_uint(d, "ws_xpixel", w[2]);
	v_uint(d, "ws_ypixel", w[3]);
	v_end(d, s);
}

static void fsflags_ref(struct dctx *d, const char *name, uint64_t addr)
{
	uint32_t f;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (d_read_exact(d, addr, &f, sizeof(f))) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	v_flags(d, NULL, f, xlat_fs_flags, NULL);
	v_end(d, a);
}

/* linux/if.h, as strace's xlat/iffflags.in */
static const struct scry_xlat xlat_iff[] = {
	{ 1 << 0, "IFF_UP" }, { 1 << 1, "IFF_BROADCAST" }, { 1 << 2, "IFF_DEBUG" },
	{ 1 << 3, "IFF_LOOPBACK" }, { 1 << 4, "IFF_POINTOPOINT" }, { 1 << 5, "IFF_NOTRAILERS" },
	{ 1 << 6, "IFF_RUNNING" }, { 1 << 7, "IFF_NOARP" }, { 1 << 8, "IFF_PROMISC" },
	{ 1 << 9, "IFF_ALLMULTI" }, { 1 << 10, "IFF_MASTER" }, { 1 << 11, "IFF_SLAVE" },
	{ 1 << 12, "IFF_MULTICAST" }, { 1 << 13, "IFF_PORTSEL" }, { 1 << 14, "IFF_AUTOMEDIA" },
	{ 1 << 15, "IFF_DYNAMIC" }, { 1 << 16, "IFF_LOWER_UP" }, { 1 << 17, "IFF_DORMANT" },
	{ 1 << 18, "IFF_ECHO" }, { 0, NULL },
};

static int sioc_gif(uint32_t req)
{
	switch (req) {
	case K_SIOCGIFNAME: case K_SIOCGIFFLAGS: case K_SIOCGIFADDR: case K_SIOCGIFDSTADDR:
	case K_SIOCGIFBRDADDR: case K_SIOCGIFNETMASK: case K_SIOCGIFMETRIC: case K_SIOCGIFMTU:
	case K_SIOCGIFINDEX: case K_SIOCGIFTXQLEN:
		return 1;
	}
	return 0;
}

/* The struct ifreq of a SIOCGIF* request, at exit: strace shows the key
 * the caller passed (ifr_name, or SIOCGIFNAME's ifr_ifindex) and, when
 * the call succeeded, the field the kernel filled in. */
static void ifreq_struct(struct dctx *d, const char *name, uint64_t addr, uint32_t req)
{
	union {
		unsigned char b[40];
		struct { char name[16]; int i; } n;
		struct { char name[16]; short flags; } f;
	} ifr;
	if (v_fetch(d, name, addr, &ifr, sizeof(ifr)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	size_t nlen = strnlen(ifr.n.name, sizeof(ifr.n.name));
	if (req == K_SIOCGIFNAME)
		v_int(d, "ifr_ifindex", ifr.n.i);
	else
		v_bytes(d, "ifr_name", ifr.n.name, nlen, 0);
	if (!d->failed) {
		switch (req) {
		case K_SIOCGIFNAME:
			v_bytes(d, "ifr_name", ifr.n.name, nlen, 0);
			break;
		case K_SIOCGIFFLAGS:
			v_flags(d, "ifr_flags", (uint16_t)ifr.f.flags, xlat_iff, NULL);
			break;
		case K_SIOCGIFINDEX:
			v_int(d, "ifr_ifindex", ifr.n.i);
			break;
		case K_SIOCGIFMETRIC:
			v_int(d, "ifr_metric", ifr.n.i);
			break;
		case K_SIOCGIFMTU:
			v_int(d, "ifr_mtu", ifr.n.i);
			break;
		case K_SIOCGIFTXQLEN:
			v_int(d, "ifr_qlen", ifr.n.i);
			break;
		default:
			v_sockaddr_bytes(d, req == K_SIOCGIFADDR ? "ifr_addr" :
					 req == K_SIOCGIFDSTADDR ? "ifr_dstaddr" :
					 req == K_SIOCGIFBRDADDR ? "ifr_broadaddr" : "ifr_netmask",
					 ifr.b + 16, 16);
			break;
		}
	}
	v_end(d, s);
}

/* [N] of a BLK* request, as strace's block.c reads it: a 64-bit size
 * (BLKGETSIZE's unsigned long too), a signed int (BLKROGET, BLKSSZGET,
 * BLKALIGNOFF) or an unsigned one. */
static void blk_ref(struct dctx *d, const char *name, uint64_t addr, uint32_t req)
{
	int wide = req == K_BLKGETSIZE64 || req == K_BLKGETSIZE;
	int is_signed = req == K_BLKROGET || req == K_BLKSSZGET || req == K_BLKALIGNOFF;
	uint64_t v = 0;
	uint32_t v32 = 0;
	if (v_fetch(d, name, addr, wide ? (void *)&v : (void *)&v32, wide ? 8 : 4) < 0)
		return;
	size_t a = v_array_begin(d, name);
	if (wide)
		v_uint(d, NULL, v);
	else if (is_signed)
		v_int(d, NULL, (int32_t)v32);
	else
		v_uint(d, NULL, v32);
	v_end(d, a);
}

static int blk_get(uint32_t req)
{
	switch (req) {
	case K_BLKROGET: case K_BLKGETSIZE: case K_BLKSSZGET: case K_BLKIOMIN: case K_BLKIOOPT:
	case K_BLKALIGNOFF: case K_BLKPBSZGET: case K_BLKGETSIZE64:
		return 1;
	}
	return 0;
}

static const struct scry_xlat xlat_ioc_dir[] = {
	{ 2, "_IOC_READ" }, { 1, "_IOC_WRITE" }, { 0, NULL },
};

/* An unnamed request as strace shows it: _IOC(dir, type, nr, size);
 * JSON {"dir":{...},"type":N,"nr":N,"size":N}. */
/* ---- FS_IOC_FIEMAP (linux/fiemap.h) ---- */

static const struct scry_xlat xlat_fiemap_flags[] = {
	{ 0x1, "FIEMAP_FLAG_SYNC" }, { 0x2, "FIEMAP_FLAG_XATTR" }, { 0x4, "FIEMAP_FLAG_CACHE" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_fiemap_extent_flags[] = {
	{ 0x1, "FIEMAP_EXTENT_LAST" }, { 0x2, "FIEMAP_EXTENT_UNKNOWN" },
	{ 0x4, "FIEMAP_EXTENT_DELALLOC" }, { 0x8, "FIEMAP_EXTENT_ENCODED" },
	{ 0x80, "FIEMAP_EXTENT_DATA_ENCRYPTED" }, { 0x100, "FIEMAP_EXTENT_NOT_ALIGNED" },
	{ 0x200, "FIEMAP_EXTENT_DATA_INLINE" }, { 0x400, "FIEMAP_EXTENT_DATA_TAIL" },
	{ 0x800, "FIEMAP_EXTENT_UNWRITTEN" }, { 0x1000, "FIEMAP_EXTENT_MERGED" },
	{ 0x2000, "FIEMAP_EXTENT_SHARED" },
	{ 0, NULL },
};

struct k_fiemap {
	uint64_t start, length;
	uint32_t flags, mapped_extents, extent_count, reserved;
};

struct k_fiemap_extent {
	uint64_t logical, physical, length, reserved64[2];
	uint32_t flags, reserved[3];
};

/*
 * As strace: at entry "{fm_start=0, fm_length=N, fm_flags=..., fm_extent_count=N}";
 * at exit " => {fm_flags=..., fm_mapped_extents=N, ...}", the extents
 * (fm_mapped_extents of them: -v does not cut them) only under -v; nothing more when
 * the call failed.
 */
static int fiemap_arg(struct dctx *d, uint64_t arg)
{
	struct k_fiemap fm;
	if (!d->exiting) {
		if (v_fetch(d, "arg", arg, &fm, sizeof(fm)) < 0)
			return DEC_DONE;
		size_t s = v_struct_begin(d, "arg");
		v_uint(d, "fm_start", fm.start);
		v_uint(d, "fm_length", fm.length);
		flags_c(d, "fm_flags", fm.flags, xlat_fiemap_flags, "FIEMAP_FLAG_???");
		v_uint(d, "fm_extent_count", fm.extent_count);
		v_end(d, s);
		d->out->v[s].flags |= SCRY_VF_UPDATED;
		return DEC_MORE;
	}
	if (d->failed || d_read_exact(d, arg, &fm, sizeof(fm)) < 0)
		return DEC_DONE;
	size_t io = v_inout_begin(d, "arg_out");
	v_last(d)->flags |= SCRY_VF_COMMENT;
	size_t s = v_struct_begin(d, NULL);
	flags_c(d, "fm_flags", fm.flags, xlat_fiemap_flags, "FIEMAP_FLAG_???");
	v_uint(d, "fm_mapped_extents", fm.mapped_extents);
	if (d->verbose) {
		size_t a = v_array_begin(d, "fm_extents");
		uint64_t at = arg + sizeof(fm);
		for (uint32_t i = 0; i < fm.mapped_extents; i++, at += sizeof(struct k_fiemap_extent)) {
			if (i >= 1024) {  /* (-v: strace does not cut; a bound here) */
				d->out->v[a].flags |= SCRY_VF_TRUNC;
				break;
			}
			struct k_fiemap_extent e;
			if (d_read_exact(d, at, &e, sizeof(e)) < 0) {
				v_unread(d, NULL, at);
				break;
			}
			size_t es = v_struct_begin(d, NULL);
			v_uint(d, "fe_logical", e.logical);
			v_uint(d, "fe_physical", e.physical);
			v_uint(d, "fe_length", e.length);
			flags_c(d, "fe_flags", e.flags, xlat_fiemap_extent_flags, "FIEMAP_EXTENT_???");
			v_end(d, es);
		}
		v_end(d, a);
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
	v_end(d, io);
	return DEC_DONE;
}

static void ioctl_raw(struct dctx *d, uint32_t req)
{
	size_t f = v_func_begin(d, "request", "_IOC");
	v_flags(d, "dir", req >> 30, xlat_ioc_dir, "_IOC_NONE");
	v_hex(d, "type", (req >> 8) & 0xff);
	v_hex(d, "nr", req & 0xff);
	v_hex(d, "size", (req >> 16) & 0x3fff);
	v_end(d, f);
}

static int ioctl_known(uint32_t req)
{
	for (const struct scry_xlat *x = xlat_ioctl; x->name; x++)
		if (x->val == req)
			return 1;
	return 0;
}

/* Requests whose argument the kernel fills in: shown at exit. */
static int ioctl_out(uint32_t req)
{
	return req == K_TCGETS || req == K_TIOCGWINSZ || req == K_FIONREAD ||
	       req == K_TIOCGPGRP || req == K_TIOCGPTN || req == K_FS_IOC_GETFLAGS ||
	       sioc_gif(req) || blk_get(req);
}

static int dec_ioctl(struct dctx *d)
{
	uint32_t req = (uint32_t)d->args[1];
	uint64_t arg = d->args[2];
	if (d->exiting) {
		if (req == K_FS_IOC_FIEMAP)
			return fiemap_arg(d, arg);
		if (sioc_gif(req)) {
			ifreq_struct(d, "arg", arg, req);
			return DEC_DONE;
		}
		if (d->failed) {
			v_ptr(d, "arg", arg);
			return DEC_DONE;
		}
		switch (req) {
		case K_TCGETS: termios_struct(d, "arg", arg); break;
		case K_TIOCGWINSZ: winsize_struct(d, "arg", arg); break;
		case K_FS_IOC_GETFLAGS: fsflags_ref(d, "arg", arg); break;
		case K_BLKROGET: case K_BLKGETSIZE: case K_BLKSSZGET: case K_BLKIOMIN:
		case K_BLKIOOPT: case K_BLKALIGNOFF: case K_BLKPBSZGET: case K_BLKGETSIZE64:
			blk_ref(d, "arg", arg, req);
			break;
		default: int_ref(d, "arg", arg, 0); break;
		}
		return DEC_DONE;
	}
	v_fd(d, "fd", (int)d->args[0]);
	if (!ioctl_known(req)) {
		ioctl_raw(d, req);
		v_hex(d, "arg", arg);
		return DEC_DONE;
	}
	v_enum(d, "request", req, xlat_ioctl);
	if (ioctl_out(req))
		return DEC_MORE;
	switch (req) {
	case K_TCSETS: case K_TCSETSW: case K_TCSETSF:
		termios_struct(d, "arg", arg);
		break;
	case K_TIOCSWINSZ:
		winsize_struct(d, "arg", arg);
		break;
	case K_FIONBIO: case K_TIOCSPGRP: case K_TIOCSPTLCK:
		int_ref(d, "arg", arg, 0);
		break;
	case K_FS_IOC_SETFLAGS:
		fsflags_ref(d, "arg", arg);
		break;
	case K_FS_IOC_FIEMAP:
		return fiemap_arg(d, arg);
	case K_TCFLSH:
		enum_c(d, "arg", (int)arg, xlat_tcflsh, "TC???");
		break;
	case K_TCSBRK: case K_TIOCSCTTY:
		v_int(d, "arg", (int)arg);
		break;
	case K_FICLONE:
		/* the source fd, which strace 6.1 prints as a plain number
		 * (no -y path): cp's reflink attempt */
		v_int(d, "arg", (int)arg);
		break;
	case K_TIOCGPTPEER:
		/* its result is a new fd, but strace 6.1 prints it as a
		 * number, without -y's path (script(1) makes this call) */
		v_hex(d, "arg", arg);
		break;
	case K_FIOCLEX: case K_FIONCLEX: case K_TIOCNOTTY:
		break;
	default:
		v_hex(d, "arg", arg);
		break;
	}
	return DEC_DONE;
}

const struct decoder_entry decoders_file_ioctl[] = {
	{ "ioctl", dec_ioctl, { 0 } },
	{ NULL, NULL, { 0 } },
};
