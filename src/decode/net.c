/* Decoders of the net family. */
#include "decode/decode.h"

const struct decoder_entry decoders_net[] = {
	{ NULL, NULL },
};
