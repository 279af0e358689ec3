/* Decoders of the memory family: mmap, brk, mprotect, madvise, mlock, ... */
#include "decode/decode.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Shared with process.c and signal.c (declared there). */
void dec_flags_q(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x,
		 const char *zero, const char *unknown);
void dec_enum_q(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x,
		const char *unknown);

/* Constants newer than some libc headers (values from the kernel's uapi). */
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#define K_MAP_TYPE 0x0f
#define K_MAP_HUGE_SHIFT 26
#define K_MAP_HUGE_MASK 0x3f

/*
 * A flags value as strace prints it: when no bit has a name, the number is
 * followed by a comment naming the table ("0x80 /\* PROT_??? *\/").
 */
void dec_flags_q(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x,
		 const char *zero, const char *unknown)
{
	v_flags(d, name, bits, x, zero);
	if (!bits)
		return;
	for (const struct scry_xlat *e = x; e->name; e++)
		if (e->val && (bits & e->val) == e->val)
			return;
	v_comment(d, NULL, "%s", unknown);
}

/* An enum; an unknown value is hex with a comment ("0x3039 /\* MADV_??? *\/"). */
void dec_enum_q(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x,
		const char *unknown)
{
	v_enum(d, name, val, x);
	v_last(d)->fmt = 1;
	for (const struct scry_xlat *e = x; e->name; e++)
		if ((int64_t)e->val == val)
			return;
	v_comment(d, NULL, "%s", unknown);
}

static const struct scry_xlat xlat_prot[] = {
	XLAT(PROT_READ), XLAT(PROT_WRITE),
	XLAT(PROT_EXEC), XLAT(PROT_SEM),
	XLAT(PROT_GROWSDOWN), XLAT(PROT_GROWSUP),
	{ 0, NULL },
};

/* The type field (MAP_TYPE) first, as one value; then the flag bits in
 * strace's order. */
static const struct scry_xlat xlat_map_flags[] = {
	XLAT(MAP_SHARED_VALIDATE),
	XLAT(MAP_SHARED), XLAT(MAP_PRIVATE),
	XLAT(MAP_FIXED), XLAT(MAP_ANONYMOUS),
#ifdef MAP_32BIT
	XLAT(MAP_32BIT),
#endif
	XLAT(MAP_NORESERVE), XLAT(MAP_POPULATE),
	XLAT(MAP_NONBLOCK), XLAT(MAP_GROWSDOWN),
	XLAT(MAP_DENYWRITE), XLAT(MAP_EXECUTABLE),
	XLAT(MAP_LOCKED), XLAT(MAP_STACK),
	XLAT(MAP_HUGETLB), XLAT(MAP_SYNC),
	XLAT(MAP_FIXED_NOREPLACE),
	{ 0, NULL },
};

static const struct scry_xlat xlat_map_type[] = {
	XLAT(MAP_SHARED), XLAT(MAP_PRIVATE), XLAT(MAP_SHARED_VALIDATE), { 0, NULL },
};

static void map_flags(struct dctx *d, uint64_t flags)
{
	uint64_t type = flags & K_MAP_TYPE;
	uint64_t huge = (flags >> K_MAP_HUGE_SHIFT) & K_MAP_HUGE_MASK;
	if (flags == 0) {
		v_flags(d, "flags", 0, xlat_map_flags, "MAP_FILE");
		return;
	}
	if (type >= 1 && type <= 3 && !huge) {
		v_flags(d, "flags", flags, xlat_map_flags, NULL);
		return;
	}
	/* An unknown type or a huge page size: strace's mixed form, in parts:
	 * the type, the flag bits, the huge page size's log2. */
	size_t o = v_or_begin(d, "flags", flags);
	v_enum(d, "type", (int64_t)type, xlat_map_type);
	if (type < 1 || type > 3) {
		v_last(d)->fmt = 1;
		v_comment(d, NULL, "MAP_???");
	}
	uint64_t rest = flags & ~(uint64_t)K_MAP_TYPE & ~((uint64_t)K_MAP_HUGE_MASK << K_MAP_HUGE_SHIFT);
	if (rest)
		v_flags(d, NULL, rest, xlat_map_flags + 3, NULL);
	if (huge) {
		v_uint(d, "MAP_HUGE_SHIFT", huge);
		v_last(d)->fmt = SCRY_FMT_SHIFT;
	}
	v_end(d, o);
}

static int dec_mmap(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	dec_flags_q(d, "prot", (uint32_t)d->args[2], xlat_prot, "PROT_NONE", "PROT_???");
	map_flags(d, (uint32_t)d->args[3]);
	v_fd(d, "fd", (int)d->args[4]);
	v_hex(d, "off", d->args[5]);
	d->rfmt = R_HEX;
	return DEC_DONE;
}

static int dec_munmap(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	return DEC_DONE;
}

static int dec_mprotect(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	dec_flags_q(d, "prot", (uint32_t)d->args[2], xlat_prot, "PROT_NONE", "PROT_???");
	return DEC_DONE;
}

static const struct scry_xlat xlat_mremap[] = {
	XLAT(MREMAP_MAYMOVE), XLAT(MREMAP_FIXED),
	XLAT(MREMAP_DONTUNMAP), { 0, NULL },
};

static int dec_mremap(struct dctx *d)
{
	v_ptr(d, "old_address", d->args[0]);
	v_uint(d, "old_size", d->args[1]);
	v_uint(d, "new_size", d->args[2]);
	dec_flags_q(d, "flags", d->args[3], xlat_mremap, NULL, "MREMAP_???");
	/* The new address is an argument only with both of these. */
	if ((d->args[3] & (MREMAP_MAYMOVE | MREMAP_FIXED)) == (MREMAP_MAYMOVE | MREMAP_FIXED))
		v_ptr(d, "new_address", d->args[4]);
	d->rfmt = R_HEX;
	return DEC_DONE;
}

static int dec_brk(struct dctx *d)
{
	v_ptr(d, "brk", d->args[0]);
	d->rfmt = R_HEX;
	return DEC_DONE;
}

/* Kernel values; MADV_* newer than libc's headers are defined by number. */
static const struct scry_xlat xlat_madvise[] = {
	XLAT(MADV_NORMAL), XLAT(MADV_RANDOM), XLAT(MADV_SEQUENTIAL),
	XLAT(MADV_WILLNEED), XLAT(MADV_DONTNEED), XLAT(MADV_FREE),
	XLAT(MADV_REMOVE), XLAT(MADV_DONTFORK), XLAT(MADV_DOFORK),
	XLAT(MADV_MERGEABLE), XLAT(MADV_UNMERGEABLE),
	XLAT(MADV_HUGEPAGE), XLAT(MADV_NOHUGEPAGE),
	XLAT(MADV_DONTDUMP), XLAT(MADV_DODUMP),
	XLAT(MADV_WIPEONFORK), XLAT(MADV_KEEPONFORK),
	XLAT(MADV_COLD), XLAT(MADV_PAGEOUT),
	XLAT(MADV_POPULATE_READ), XLAT(MADV_POPULATE_WRITE),
	XLAT(MADV_DONTNEED_LOCKED), { 25, "MADV_COLLAPSE" },
	XLAT(MADV_HWPOISON), { 101, "MADV_SOFT_OFFLINE" },
	{ 0, NULL },
};

static int dec_madvise(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	dec_enum_q(d, "advice", (uint32_t)d->args[2], xlat_madvise, "MADV_???");
	return DEC_DONE;
}

/* mlock, munlock: (addr, len). */
static int dec_addr_len(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	return DEC_DONE;
}

static const struct scry_xlat xlat_mlock2[] = {
	XLAT(MLOCK_ONFAULT), { 0, NULL },
};

static int dec_mlock2(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	dec_flags_q(d, "flags", (uint32_t)d->args[2], xlat_mlock2, NULL, "MLOCK_???");
	return DEC_DONE;
}

static const struct scry_xlat xlat_mlockall[] = {
	XLAT(MCL_CURRENT), XLAT(MCL_FUTURE),
	XLAT(MCL_ONFAULT), { 0, NULL },
};

static int dec_mlockall(struct dctx *d)
{
	dec_flags_q(d, "flags", (uint32_t)d->args[0], xlat_mlockall, NULL, "MCL_???");
	return DEC_DONE;
}

static const struct scry_xlat xlat_msync[] = {
	XLAT(MS_ASYNC), XLAT(MS_SYNC),
	XLAT(MS_INVALIDATE), { 0, NULL },
};

static int dec_msync(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	dec_flags_q(d, "flags", (uint32_t)d->args[2], xlat_msync, NULL, "MS_???");
	return DEC_DONE;
}

/* mincore(addr, len, vec): one byte a page, filled in by the kernel;
 * strace shows each byte's residency bit as an array of 0 and 1. */
static int dec_mincore(struct dctx *d)
{
	if (!d->exiting) {
		v_ptr(d, "addr", d->args[0]);
		v_uint(d, "len", d->args[1]);
		return DEC_MORE;
	}
	uint64_t vec = d->args[2];
	if (d->failed || !vec) {
		v_ptr(d, "vec", vec);
		return DEC_DONE;
	}
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		page = 4096;
	uint64_t pages = (d->args[1] + (uint64_t)page - 1) / (uint64_t)page;
	unsigned char buf[1024];
	uint64_t show = pages;
	if (show > (uint64_t)d->limit)
		show = (uint64_t)d->limit;
	if (show > sizeof(buf))
		show = sizeof(buf);
	if (show && d_read_exact(d, vec, buf, (size_t)show) < 0) {
		v_unread(d, "vec", vec);
		return DEC_DONE;
	}
	size_t a = v_array_begin(d, "vec");
	for (uint64_t i = 0; i < show; i++)
		v_uint(d, NULL, buf[i] & 1);
	v_end(d, a);
	if (show < pages)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
	return DEC_DONE;
}

const struct decoder_entry decoders_mem[] = {
	{ "mmap", dec_mmap, { 0 } },
	{ "munmap", dec_munmap, { 0 } },
	{ "mprotect", dec_mprotect, { 0 } },
	{ "mremap", dec_mremap, { 0 } },
	{ "brk", dec_brk, { 0 } },
	{ "madvise", dec_madvise, { 0 } },
	{ "mlock", dec_addr_len, { 0 } },
	{ "munlock", dec_addr_len, { 0 } },
	{ "mlock2", dec_mlock2, { 0 } },
	{ "mlockall", dec_mlockall, { 0 } },
	{ "msync", dec_msync, { 0 } },
	{ "mincore", dec_mincore, { 0 } },
	{ NULL, NULL, { 0 } },
};
