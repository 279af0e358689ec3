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
extern const struct decoder_entry decoders_net[];
extern const struct decoder_entry decoders_mem[];
extern const struct decoder_entry decoders_process[];
extern const struct decoder_entry decoders_signal[];
extern const struct decoder_entry decoders_events[];

const struct decoder_entry *const decode_families[] = {
	decoders_file, decoders_net, decoders_mem, decoders_process,
	decoders_signal, decoders_events,
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
	for (size_t f = 0; f < decode_nfamilies; f++) {
		for (const struct decoder_entry *e = decode_families[f]; e->name; e++) {
			long nr = scry_syscall_lookup(t, e->name);
			if (nr >= 0 && (unsigned long)nr < t->ncalls)
				tab[nr] = e->fn;
		}
	}
	return tab;
}

static const char *restart_message(int err)
{
	switch (err) {
	case 512: return "To be restarted if SA_RESTART is set";
	case 513: return "To be restarted";
	case 514: return "To be restarted if no handler";
	case 516: return "Interrupted by signal";
	}
	return NULL;
}

void render_result(struct strbuf *out, const struct dctx *d)
{
	int64_t ret = d->ret;
	if (d->failed) {
		int err = (int)-ret;
		const char *name = scry_errno_name(err);
		const char *restart = restart_message(err);
		if (restart) {
			strbuf_addf(out, "? %s (%s)", name ? name : "ERESTART", restart);
			return;
		}
		if (name)
			strbuf_addf(out, "-1 %s (%s)", name, strerror(err));
		else
			strbuf_addf(out, "-1 %d (%s)", err, strerror(err));
		return;
	}
	switch (d->rfmt) {
	case R_HEX:
		strbuf_addf(out, "%#llx", (unsigned long long)ret);
		break;
	case R_OCT:
		strbuf_addf(out, "%#03llo", (unsigned long long)ret);   /* 000, 022 */
		break;
	case R_NONE:
		strbuf_addch(out, '?');
		break;
	case R_FLAGS:
	case R_ENUM: {
		struct scry_values tmp = SCRY_VALUES_INIT;
		struct dctx t = *d;
		t.out = &tmp;
		/* strace: "0x8002 (flags O_RDWR|O_LARGEFILE)", "1 (SUID_DUMP_USER)" */
		if (d->rfmt == R_FLAGS) {
			v_flags(&t, NULL, (uint64_t)ret, d->rxlat, d->rzero);
			tmp.v[0].fmt = d->rfield;
			strbuf_addf(out, "%#llx (", (unsigned long long)ret);
			if (d->rword)
				strbuf_addf(out, "%s ", d->rword);
		} else {
			v_enum(&t, NULL, ret, d->rxlat);
			strbuf_addf(out, "%lld (", (long long)ret);
		}
		render_text_value(out, &tmp, 0);
		strbuf_addch(out, ')');
		scry_values_release(&tmp);
		break;
	}
	case R_FD:
		strbuf_addf(out, "%lld", (long long)ret);
		if (d->fd_paths && ret >= 0) {
			char target[PATH_MAX];
			if (fd_describe(d->tid, (int)ret, d->fd_paths, target, sizeof(target)) > 0)
				strbuf_addf(out, "<%s>", target);
		}
		break;
	default:
		strbuf_addf(out, "%lld", (long long)ret);
		break;
	}
}
