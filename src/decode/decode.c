/*
 * The decoder table and the generic decoder.
 *
 * Each family file exports a NULL-terminated table of decoder_entry; the
 * session builds an array indexed by syscall number from them once, so that
 * finding a call's decoder costs one load.
 */
#include "decode/decode.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct decoder_entry decoders_file[];
extern const struct decoder_entry decoders_file_stat[];
extern const struct decoder_entry decoders_file_ioctl[];
extern const struct decoder_entry decoders_net[];
extern const struct decoder_entry decoders_mem[];
extern const struct decoder_entry decoders_process[];
extern const struct decoder_entry decoders_signal[];
extern const struct decoder_entry decoders_events[];
extern const struct decoder_entry decoders_ipc[];
extern const struct decoder_entry decoders_misc[];

const struct decoder_entry *const decode_families[] = {
	decoders_file, decoders_file_stat, decoders_file_ioctl, decoders_net,
	decoders_mem, decoders_process, decoders_signal, decoders_events,
	decoders_ipc,
	decoders_misc,
};
const size_t decode_nfamilies = sizeof(decode_families) / sizeof(decode_families[0]);

const struct decoder_entry *decode_row(const char *name)
{
	if (!name)
		return NULL;
	for (size_t f = 0; f < decode_nfamilies; f++)
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++)
			if (!strcmp(e->name, name))
				return e;
	return NULL;
}

int decode_bpf_complete(const struct scry_syscall_table *t, const uint64_t *bitmap, size_t words,
			int verbose)
{
	int any = 0;

	if (!t || !bitmap)
		return 0;
	for (unsigned nr = 0; nr < t->ncalls; nr++) {
		const struct scry_syscall_info *info = scry_syscall_get(t, nr);
		const struct decoder_entry *e;

		if (!info || nr / 64 >= words || !((bitmap[nr / 64] >> (nr % 64)) & 1))
			continue;
		e = decode_row(info->name);
		if (!e || !e->cap.complete || (verbose && e->cap.complete != 1))
			return 0;
		any = 1;
	}
	return any;
}

/* Every argument by the table's type: the fallback for calls without a
 * decoder of their own, and a model of the simplest decoder. */
int decode_generic(struct dctx *d)
{
	int n = d->info ? d->info->nargs : 6;
	for (int i = 0; i < n; i++)
		v_arg(d, i);
	return DEC_DONE;
}

decoder_fn *decoders_build(const struct scry_syscall_table *t)
{
	decoder_fn *tab = calloc(t->ncalls ? t->ncalls : 1, sizeof(*tab));
	if (!tab)
		return NULL;
	for (unsigned nr = 0; nr < t->ncalls; nr++)
		tab[nr] = decode_generic;
	if (t == &scry_table_i386) {
		/* ia32 processes' calls without an x86_64 twin (ia32.c): only
		 * decoders that know the i386 layouts */
		for (unsigned nr = 0; nr < t->ncalls; nr++) {
			decoder_fn fn = decode_ia32_alias(t->calls[nr].name);
			if (fn)
				tab[nr] = fn;
		}
		for (const struct decoder_entry *e = decoders_ia32; e->name; e++) {
			long nr = scry_syscall_lookup(t, e->name);
			if (nr >= 0 && (unsigned long)nr < t->ncalls)
				tab[nr] = e->fn;
		}
		return tab;
	}
	for (size_t f = 0; f < decode_nfamilies; f++) {
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++) {
			long nr = scry_syscall_lookup(t, e->name);
			if (nr >= 0 && (unsigned long)nr < t->ncalls)
				tab[nr] = e->fn;
		}
	}
	return tab;
}

/*
 * The result as one typed value (scry_call.result): an error number, or
 * the value in the form the decoder chose (d->rfmt).  What strace text it
 * becomes is the text renderer's business (render_text_result()).
 */
void decode_result(const struct dctx *d, struct scry_values *out)
{
	int64_t ret = d->ret;
	size_t i;
	if (d->failed) {
		i = scry_values_push(out, SCRY_V_ERRNO, NULL);
		out->v[i].i = -ret;
		return;
	}
	switch (d->rfmt) {
	case R_HEX:
		i = scry_values_push(out, SCRY_V_HEX, NULL);
		out->v[i].u = (uint64_t)ret;
		break;
	case R_OCT:
		i = scry_values_push(out, SCRY_V_OCT, NULL);
		out->v[i].u = (uint64_t)ret;
		break;
	case R_NONE:
		i = scry_values_push(out, SCRY_V_NONE, NULL);
		out->v[i].i = ret;
		break;
	case R_FLAGS:
		i = scry_values_push(out, SCRY_V_FLAGS, d->rword);
		out->v[i].u = (uint64_t)ret;
		out->v[i].xlat = d->rxlat;
		out->v[i].deflt = d->rzero;
		out->v[i].fmt = d->rfield;
		break;
	case R_ENUM:
		i = scry_values_push(out, SCRY_V_ENUM, NULL);
		out->v[i].i = ret;
		out->v[i].xlat = d->rxlat;
		break;
	case R_FD: {
		i = scry_values_push(out, SCRY_V_FD, NULL);
		out->v[i].i = ret;
		char target[PATH_MAX];
		ssize_t n;
		if (d->fd_paths && ret >= 0 &&
		    (n = fd_describe(d->tid, (int)ret, d->fd_paths, target, sizeof(target))) > 0) {
			uint32_t off = scry_values_bytes(out, target, (size_t)n);
			out->v[i].path_off = off;
			out->v[i].path_len = (uint32_t)n;
		}
		break;
	}
	default:
		i = scry_values_push(out, SCRY_V_INT, NULL);
		out->v[i].i = ret;
		break;
	}
}
