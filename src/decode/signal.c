/* Decoders of the signal family. */
#include "decode/decode.h"

const struct decoder_entry decoders_signal[] = {
	{ NULL, NULL },
};
