/* Decoders of the events family. */
#include "decode/decode.h"

const struct decoder_entry decoders_events[] = {
	{ NULL, NULL },
};
