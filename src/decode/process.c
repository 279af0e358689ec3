/* Decoders of the process family: execve, exit, wait, clone, ... */
#include "decode/decode.h"

/* ["a", "b"], at most 32 elements shown as strace does. */
static void argv_array(struct dctx *d, const char *name, uint64_t addr)
{
	uint64_t ptrs[33];
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	ssize_t got = mem_read(d->tid, addr, ptrs, sizeof(ptrs));
	if (got < 8) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	size_t n = (size_t)got / 8, k;
	for (k = 0; k < n && k < 32 && ptrs[k]; k++)
		v_cstr(d, NULL, ptrs[k]);
	v_end(d, a);
	if (k == 32 && k < n && ptrs[k])
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

/* envp: the address and a count, unless -v. */
static void envp_count(struct dctx *d, const char *name, uint64_t addr)
{
	if (d->verbose || !addr) {
		if (addr)
			argv_array(d, name, addr);
		else
			v_ptr(d, name, 0);
		return;
	}
	uint64_t ptrs[512];
	long total = 0;
	for (int round = 0; round < 16; round++) {
		ssize_t got = mem_read(d->tid, addr + (uint64_t)round * sizeof(ptrs), ptrs, sizeof(ptrs));
		if (got <= 0)
			break;
		size_t i;
		for (i = 0; i < (size_t)got / 8 && ptrs[i]; i++)
			total++;
		if (i < (size_t)got / 8)
			break;
	}
	v_ptr(d, name, addr);
	v_text(d, NULL, "/* %ld var%s */", total, total == 1 ? "" : "s");
	v_last(d)->flags |= SCRY_VF_COMMENT;
}

static int dec_execve(struct dctx *d)
{
	v_path(d, "filename", d->args[0]);
	argv_array(d, "argv", d->args[1]);
	envp_count(d, "envp", d->args[2]);
	return DEC_DONE;
}

static int dec_execveat(struct dctx *d)
{
	v_fd(d, "fd", (int)d->args[0]);
	v_path(d, "filename", d->args[1]);
	argv_array(d, "argv", d->args[2]);
	envp_count(d, "envp", d->args[3]);
	v_hex(d, "flags", d->args[4]);
	return DEC_DONE;
}

static int dec_exit(struct dctx *d)
{
	v_int(d, "error_code", (int)d->args[0]);
	d->rfmt = R_NONE;
	return DEC_DONE;
}

const struct decoder_entry decoders_process[] = {
	{ "execve", dec_execve },
	{ "execveat", dec_execveat },
	{ "exit", dec_exit },
	{ "exit_group", dec_exit },
	{ NULL, NULL },
};
