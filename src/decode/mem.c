/* Decoders of the memory family: mmap, brk, mprotect, ... */
#include "decode/decode.h"

static int dec_mmap(struct dctx *d)
{
	v_ptr(d, "addr", d->args[0]);
	v_uint(d, "len", d->args[1]);
	v_hex(d, "prot", d->args[2]);
	v_hex(d, "flags", d->args[3]);
	v_fd(d, "fd", (int)d->args[4]);
	v_hex(d, "off", d->args[5]);
	d->rfmt = R_HEX;
	return DEC_DONE;
}

static int dec_brk(struct dctx *d)
{
	v_ptr(d, "brk", d->args[0]);
	d->rfmt = R_HEX;
	return DEC_DONE;
}

const struct decoder_entry decoders_mem[] = {
	{ "mmap", dec_mmap },
	{ "brk", dec_brk },
	{ NULL, NULL },
};
