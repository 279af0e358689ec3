/*
 * What the file family's decoders (file.c, file_stat.c, file_ioctl.c)
 * share: constants older headers may lack, the *at() flag tables, and the
 * small helpers that show a value as strace does.  Private to src/decode/.
 */
#ifndef SCRY_DECODE_FILE_COMMON_H
#define SCRY_DECODE_FILE_COMMON_H

#include "decode/decode.h"

#include <fcntl.h>
#include <inttypes.h>
#include <time.h>

/* The kernel's values: glibc's O_LARGEFILE is 0 on 64-bit targets. */
#if defined(__x86_64__)
#define K_O_LARGEFILE 0100000
#else
#define K_O_LARGEFILE 0400000
#endif

/* Constants older headers may lack (values from the kernel's uapi). */
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef AT_STATX_FORCE_SYNC
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000
#endif
#define K_AT_STATX_SYNC_TYPE 0x6000
#define K_CLOSE_RANGE_UNSHARE 2
#define K_CLOSE_RANGE_CLOEXEC 4
#define K_UTIME_NOW ((1l << 30) - 1l)
#define K_UTIME_OMIT ((1l << 30) - 2l)
#define K_STATX_MNT_ID 0x1000u

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* AT_* flags of the *at() calls, and faccessat2's (defined in file.c). */
extern const struct scry_xlat xlat_at_flags[];
extern const struct scry_xlat xlat_access_at_flags[];

/* S_IFREG|0644 and makedev(0x8, 0x1) (defined in file_stat.c; mknod
 * in misc.c shows them too). */
void v_stmode(struct dctx *d, const char *name, unsigned mode);
void v_makedev(struct dctx *d, const char *name, unsigned maj, unsigned min);
/* file.c: an iovec array (readv, writev, vmsplice, process_vm_*) */
void iovec_array(struct dctx *d, const char *name, uint64_t addr, uint64_t cnt,
		 int with_data, int64_t data);

static inline int known_bits(uint64_t bits, const struct scry_xlat *x)
{
	for (; x->name; x++)
		if (x->val && (bits & x->val) == x->val)
			return 1;
	return 0;
}

/* Flags as strace's printflags: when no bit has a name, the number is
 * followed by a comment naming the family ("0x8 /_* RENAME_??? *_/"). */
static inline void flags_c(struct dctx *d, const char *name, uint64_t bits,
			   const struct scry_xlat *x, const char *unknown)
{
	v_flags(d, name, bits, x, NULL);
	if (bits && unknown && !known_bits(bits, x)) {
		v_last(d)->type = SCRY_V_HEX;
		v_comment(d, NULL, "%s", unknown);
	}
}

/* An enum whose unknown values print as 0x... with a comment. */
static inline void enum_c(struct dctx *d, const char *name, int64_t val,
			  const struct scry_xlat *x, const char *unknown)
{
	v_enum(d, name, val, x);
	v_last(d)->fmt = 1;
	for (; x->name; x++)
		if ((int64_t)x->val == val)
			return;
	v_comment(d, NULL, "%s", unknown);
}

static inline void at_flags(struct dctx *d, const char *name, uint64_t flags)
{
	flags_c(d, name, (uint32_t)flags, xlat_at_flags, "AT_???");
}

/* A comment with the time as strace prints it: local time, nanoseconds
 * when not zero; none for the epoch itself (0.0: a file system without
 * birth times, a time set to @0), as strace leaves it out. */
static inline void time_comment(struct dctx *d, int64_t sec, uint64_t nsec)
{
	char buf[64], zone[16];
	struct tm tm;
	time_t t = (time_t)sec;
	if ((!sec && !nsec) || !localtime_r(&t, &tm))
		return;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	if (nsec)
		v_comment(d, NULL, "%s.%09" PRIu64 "%s", buf, nsec, zone);
	else
		v_comment(d, NULL, "%s%s", buf, zone);
}

/* [N]: an int (or 64-bit) in tracee memory. */
static inline void int_ref(struct dctx *d, const char *name, uint64_t addr, int wide)
{
	int64_t v = 0;
	int32_t v32 = 0;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (wide ? d_read_exact(d, addr, &v, 8) : d_read_exact(d, addr, &v32, 4)) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	v_int(d, NULL, wide ? v : v32);
	v_end(d, a);
}

#endif
