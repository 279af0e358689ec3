/*
 * Decoders of the file family, stat sub-family: stat, lstat, fstat,
 * newfstatat, statx, and statfs, fstatfs, ustat, sysfs.
 *
 * The text they lead to is strace's (compared against strace 6.1 on
 * programs that make every call below).  What they share with file.c and
 * file_ioctl.c is in file_common.h.
 */
#include "decode/decode.h"
#include "decode/file_common.h"

#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/stat.h>

/* ---- stat family ---- */

static const struct scry_xlat xlat_statx_at_flags[] = {
	XLAT(AT_STATX_FORCE_SYNC), XLAT(AT_STATX_DONT_SYNC),
	XLAT(AT_SYMLINK_NOFOLLOW), XLAT(AT_REMOVEDIR),
	XLAT(AT_SYMLINK_FOLLOW), XLAT(AT_NO_AUTOMOUNT),
	XLAT(AT_EMPTY_PATH), { 0, NULL },
};

static const struct scry_xlat xlat_file_type[] = {
	XLAT(S_IFREG), XLAT(S_IFDIR), XLAT(S_IFCHR), XLAT(S_IFBLK),
	XLAT(S_IFIFO), XLAT(S_IFLNK), XLAT(S_IFSOCK), { 0, NULL },
};

static const struct scry_xlat xlat_mode_bits[] = {
	XLAT(S_ISUID), XLAT(S_ISGID), XLAT(S_ISVTX), { 0, NULL },
};

/* st_mode: S_IFREG|0644, S_IFDIR|S_ISVTX|0777 (a SCRY_V_OR of the type,
 * the set-id bits and the permissions). */
void v_stmode(struct dctx *d, const char *name, unsigned mode)
{
	int typed = 0;
	for (const struct scry_xlat *x = xlat_file_type; x->name; x++)
		typed |= x->val == (mode & S_IFMT);
	if (!typed && (!mode || (mode & 07777))) {
		v_oct(d, name, mode);
		return;
	}
	size_t o = v_or_begin(d, name, mode);
	if (typed) {
		v_enum(d, "type", mode & S_IFMT, xlat_file_type);
		if (mode & (S_ISUID | S_ISGID | S_ISVTX))
			v_flags(d, NULL, mode & (S_ISUID | S_ISGID | S_ISVTX), xlat_mode_bits, NULL);
	}
	v_oct(d, "perm", typed ? mode & 0777 : 0);
	v_end(d, o);
}

/* makedev(0x8, 0x1): JSON {"major":8,"minor":1} */
void v_makedev(struct dctx *d, const char *name, unsigned maj, unsigned min)
{
	size_t f = v_func_begin(d, name, "makedev");
	v_hex(d, "major", maj);
	v_hex(d, "minor", min);
	v_end(d, f);
}

/* The kernel's struct stat of x86_64 and the generic one (aarch64) differ
 * in layout; the fields read are the same. */
struct kstat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	uint64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
};

static int read_kstat(struct dctx *d, uint64_t addr, struct kstat *k)
{
#if defined(__x86_64__)
	return d_read_exact(d, addr, k, sizeof(*k));   /* the first 120 of 144 bytes */
#else
	struct {
		uint64_t dev, ino;
		uint32_t mode, nlink, uid, gid;
		uint64_t rdev, pad1;
		int64_t size;
		int32_t blksize, pad2;
		int64_t blocks;
		int64_t atime; uint64_t atime_nsec;
		int64_t mtime; uint64_t mtime_nsec;
		int64_t ctime; uint64_t ctime_nsec;
		uint32_t unused[2];
	} g;
	if (d_read_exact(d, addr, &g, sizeof(g)))
		return -1;
	k->dev = g.dev; k->ino = g.ino; k->nlink = g.nlink; k->mode = g.mode;
	k->uid = g.uid; k->gid = g.gid; k->rdev = g.rdev; k->size = g.size;
	k->blksize = g.blksize; k->blocks = g.blocks;
	k->atime = (uint64_t)g.atime; k->atime_nsec = g.atime_nsec;
	k->mtime = (uint64_t)g.mtime; k->mtime_nsec = g.mtime_nsec;
	k->ctime = (uint64_t)g.ctime; k->ctime_nsec = g.ctime_nsec;
	return 0;
#endif
}

static void stat_time(struct dctx *d, const char *sec_name, const char *nsec_name, uint64_t sec, uint64_t nsec)
{
	v_int(d, sec_name, (int64_t)sec);
	time_comment(d, (int64_t)sec, nsec);
	v_uint(d, nsec_name, nsec);
}

static void stat_struct(struct dctx *d, const char *name, uint64_t addr)
{
	struct kstat k;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (read_kstat(d, addr, &k)) {
		v_unread(d, name, addr);
		return;
	}
	int is_dev = S_ISCHR(k.mode) || S_ISBLK(k.mode);
	size_t s = v_struct_begin(d, name);
	if (d->verbose) {
		v_makedev(d, "st_dev", major(k.dev), minor(k.dev));
		v_uint(d, "st_ino", k.ino);
	}
	v_stmode(d, "st_mode", k.mode);
	if (d->verbose) {
		v_uint(d, "st_nlink", k.nlink);
		v_uint(d, "st_uid", k.uid);
		v_uint(d, "st_gid", k.gid);
		v_int(d, "st_blksize", k.blksize);
		v_int(d, "st_blocks", k.blocks);
	}
	if (is_dev)
		v_makedev(d, "st_rdev", major(k.rdev), minor(k.rdev));
	else
		v_int(d, "st_size", k.size);
	if (d->verbose) {
		stat_time(d, "st_atime", "st_atime_nsec", k.atime, k.atime_nsec);
		stat_time(d, "st_mtime", "st_mtime_nsec", k.mtime, k.mtime_nsec);
		stat_time(d, "st_ctime", "st_ctime_nsec", k.ctime, k.ctime_nsec);
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
}

/*
 * CALL(path or fd, buf): the first argument at entry, the struct the kernel
 * fills at exit (its address when the call failed).  stat, lstat, fstat,
 * statfs, fstatfs.
 */
static int name_then_struct(struct dctx *d, int by_fd, const char *in, const char *out,
			    void (*fill)(struct dctx *, const char *, uint64_t))
{
	if (!d->exiting) {
		if (by_fd)
			v_fd(d, in, (int)d->args[0]);
		else
			v_path(d, in, d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, out, d->args[1]);
	else
		fill(d, out, d->args[1]);
	return DEC_DONE;
}

static int dec_stat(struct dctx *d) { return name_then_struct(d, 0, "filename", "statbuf", stat_struct); }
static int dec_fstat(struct dctx *d) { return name_then_struct(d, 1, "fd", "statbuf", stat_struct); }

static int dec_newfstatat(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "dfd", (int)d->args[0]);
		v_path(d, "filename", d->args[1]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "statbuf", d->args[2]);
	else
		stat_struct(d, "statbuf", d->args[2]);
	at_flags(d, "flag", d->args[3]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_statx_mask[] = {
	XLAT(STATX_ALL), XLAT(STATX_BASIC_STATS),
	XLAT(STATX_TYPE), XLAT(STATX_MODE), XLAT(STATX_NLINK),
	XLAT(STATX_UID), XLAT(STATX_GID), XLAT(STATX_ATIME),
	XLAT(STATX_MTIME), XLAT(STATX_CTIME), XLAT(STATX_INO),
	XLAT(STATX_SIZE), XLAT(STATX_BLOCKS), XLAT(STATX_BTIME),
	XLAT(STATX_MNT_ID), XLAT(STATX_DIOALIGN), { 0, NULL },
};

static const struct scry_xlat xlat_statx_attrs[] = {
	XLAT(STATX_ATTR_COMPRESSED), XLAT(STATX_ATTR_IMMUTABLE),
	XLAT(STATX_ATTR_APPEND), XLAT(STATX_ATTR_NODUMP),
	XLAT(STATX_ATTR_ENCRYPTED), XLAT(STATX_ATTR_AUTOMOUNT),
	XLAT(STATX_ATTR_MOUNT_ROOT), XLAT(STATX_ATTR_VERITY),
	XLAT(STATX_ATTR_DAX), { 0, NULL },
};

struct kstatx_ts { int64_t sec; uint32_t nsec; int32_t pad; };
struct kstatx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct kstatx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t mnt_id;
};

static void statx_time(struct dctx *d, const char *name, const struct kstatx_ts *t)
{
	size_t s = v_struct_begin(d, name);
	v_int(d, "tv_sec", t->sec);
	v_uint(d, "tv_nsec", t->nsec);
	v_end(d, s);
	time_comment(d, t->sec, t->nsec);
}

static void statx_struct(struct dctx *d, const char *name, uint64_t addr)
{
	struct kstatx k;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (d_read_exact(d, addr, &k, sizeof(k))) {
		v_unread(d, name, addr);
		return;
	}
	size_t s = v_struct_begin(d, name);
	flags_c(d, "stx_mask", k.mask, xlat_statx_mask, "STATX_???");
	if (d->verbose)
		v_uint(d, "stx_blksize", k.blksize);
	v_flags(d, "stx_attributes", k.attributes, xlat_statx_attrs, NULL);
	if (d->verbose) {
		v_uint(d, "stx_nlink", k.nlink);
		v_uint(d, "stx_uid", k.uid);
		v_uint(d, "stx_gid", k.gid);
	}
	v_stmode(d, "stx_mode", k.mode);
	if (d->verbose)
		v_uint(d, "stx_ino", k.ino);
	v_uint(d, "stx_size", k.size);
	if (d->verbose) {
		v_uint(d, "stx_blocks", k.blocks);
		v_flags(d, "stx_attributes_mask", k.attributes_mask, xlat_statx_attrs, NULL);
		if (k.mask & 0x20)
			statx_time(d, "stx_atime", &k.atime);
		if (k.mask & 0x800)
			statx_time(d, "stx_btime", &k.btime);
		if (k.mask & 0x80)
			statx_time(d, "stx_ctime", &k.ctime);
		if (k.mask & 0x40)
			statx_time(d, "stx_mtime", &k.mtime);
		v_uint(d, "stx_rdev_major", k.rdev_major);
		v_uint(d, "stx_rdev_minor", k.rdev_minor);
		v_uint(d, "stx_dev_major", k.dev_major);
		v_uint(d, "stx_dev_minor", k.dev_minor);
		if (k.mask & K_STATX_MNT_ID)
			v_hex(d, "stx_mnt_id", k.mnt_id);
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
}

/* statx(dfd, path, flags, mask, buf): buf at exit. */
static int dec_statx(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "dfd", (int)d->args[0]);
		v_path(d, "filename", d->args[1]);
		v_flags(d, "flags", (uint32_t)d->args[2], xlat_statx_at_flags, "AT_STATX_SYNC_AS_STAT");
		v_last(d)->fmt = K_AT_STATX_SYNC_TYPE;
		flags_c(d, "mask", (uint32_t)d->args[3], xlat_statx_mask, "STATX_???");
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "buffer", d->args[4]);
	else
		statx_struct(d, "buffer", d->args[4]);
	return DEC_DONE;
}

/* ---- statfs, fstatfs ---- */

static const struct scry_xlat xlat_fs_magic[] = {
	{ 0xEF53, "EXT2_SUPER_MAGIC" }, { 0x01021994, "TMPFS_MAGIC" }, { 0x9fa0, "PROC_SUPER_MAGIC" },
	{ 0x62656572, "SYSFS_MAGIC" }, { 0x794c7630, "OVERLAYFS_SUPER_MAGIC" },
	{ 0x58465342, "XFS_SUPER_MAGIC" }, { 0x9123683E, "BTRFS_SUPER_MAGIC" },
	{ 0x63677270, "CGROUP2_SUPER_MAGIC" }, { 0x27e0eb, "CGROUP_SUPER_MAGIC" },
	{ 0x1cd1, "DEVPTS_SUPER_MAGIC" }, { 0x6969, "NFS_SUPER_MAGIC" }, { 0x73717368, "SQUASHFS_MAGIC" },
	{ 0x858458f6, "RAMFS_MAGIC" }, { 0x64626720, "DEBUGFS_MAGIC" }, { 0x74726163, "TRACEFS_MAGIC" },
	{ 0xcafe4a11, "BPF_FS_MAGIC" }, { 0x4d44, "MSDOS_SUPER_MAGIC" }, { 0x65735546, "FUSE_SUPER_MAGIC" },
	{ 0x6e736673, "NSFS_MAGIC" }, { 0x50495045, "PIPEFS_MAGIC" }, { 0x534F434B, "SOCKFS_MAGIC" },
	{ 0, NULL },
};

/* In strace's order (xlat/statfs_flags.in), the order names are printed
 * in: ST_VALID first (tests/unit/test_decode_longtail.c). */
static const struct scry_xlat xlat_statfs_flags[] = {
	{ 0x0020, "ST_VALID" },
	{ 0x0001, "ST_RDONLY" }, { 0x0002, "ST_NOSUID" }, { 0x0004, "ST_NODEV" }, { 0x0008, "ST_NOEXEC" },
	{ 0x0010, "ST_SYNCHRONOUS" }, { 0x0040, "ST_MANDLOCK" },
	{ 0x0400, "ST_NOATIME" }, { 0x0800, "ST_NODIRATIME" }, { 0x1000, "ST_RELATIME" },
	{ 0x2000, "ST_NOSYMFOLLOW" }, { 0, NULL },
};

/* struct statfs as strace prints it (the 64-bit kernel layout). */
static void statfs_at(struct dctx *d, const char *name, uint64_t addr)
{
	struct {
		int64_t type, bsize;
		uint64_t blocks, bfree, bavail, files, ffree;
		int32_t fsid[2];
		int64_t namelen, frsize, flags, spare[4];
	} f;
	if (v_fetch(d, name, addr, &f, sizeof(f)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	v_enum(d, "f_type", f.type, xlat_fs_magic);
	v_last(d)->fmt = 1;
	v_int(d, "f_bsize", f.bsize);
	v_uint(d, "f_blocks", f.blocks);
	v_uint(d, "f_bfree", f.bfree);
	v_uint(d, "f_bavail", f.bavail);
	v_uint(d, "f_files", f.files);
	v_uint(d, "f_ffree", f.ffree);
	size_t id = v_struct_begin(d, "f_fsid");
	size_t a = v_array_begin(d, "val");
	v_hex(d, NULL, (uint32_t)f.fsid[0]);
	v_hex(d, NULL, (uint32_t)f.fsid[1]);
	v_end(d, a);
	v_end(d, id);
	v_int(d, "f_namelen", f.namelen);
	v_int(d, "f_frsize", f.frsize);
	v_flags(d, "f_flags", (uint64_t)f.flags, xlat_statfs_flags, NULL);
	v_end(d, s);
}

static int dec_statfs(struct dctx *d) { return name_then_struct(d, 0, "pathname", "buf", statfs_at); }
static int dec_fstatfs(struct dctx *d) { return name_then_struct(d, 1, "fd", "buf", statfs_at); }

/*
 * ustat (x86_64 only): the device as strace's print_dev_t shows it, then
 * the buffer's address at exit -- strace built without <ustat.h> (glibc
 * dropped it) shows no struct ustat: "ustat(makedev(0xfe, 0), 0x7ffc...)".
 */
static int dec_ustat(struct dctx *d)
{
	if (!d->exiting) {
		unsigned dev = (unsigned)d->args[0];

		v_makedev(d, "dev", major(dev), minor(dev));
		return DEC_MORE;
	}
	v_ptr(d, "ubuf", d->args[1]);
	return DEC_DONE;
}

/* sysfs (x86_64 only): strace prints its three arguments in hex, whatever
 * the option ("sysfs(0x2, 0, 0x7ffc...)"). */
static int dec_sysfs(struct dctx *d)
{
	v_hex(d, "option", d->args[0]);
	v_hex(d, "arg1", d->args[1]);
	v_hex(d, "arg2", d->args[2]);
	return DEC_DONE;
}

const struct decoder_entry decoders_file_stat[] = {
	{ "statfs", dec_statfs, { CAP_OUT(2, sizeof(struct statfs)), CAP_FULL } },
	{ "fstatfs", dec_fstatfs, { CAP_OUT(2, sizeof(struct statfs)), CAP_FULL } },
	{ "ustat", dec_ustat, { CAP_FULL } },
	{ "sysfs", dec_sysfs, { CAP_FULL } },
	{ "stat", dec_stat, { CAP_OUT(2, sizeof(struct stat)), CAP_FULL } },
	{ "lstat", dec_stat, { CAP_OUT(2, sizeof(struct stat)), CAP_FULL } },
	{ "fstat", dec_fstat, { CAP_OUT(2, sizeof(struct stat)), CAP_FULL } },
	{ "newfstatat", dec_newfstatat, { CAP_OUT(3, sizeof(struct stat)), CAP_FULL } },
	{ "statx", dec_statx, { CAP_OUT(5, sizeof(struct statx)), CAP_FULL } },
	{ NULL, NULL, { 0 } },
};
