/* For the decoder tests: the strace text of a call's result, as the text
 * sink makes it -- the decoder's typed result, then the text renderer. */
#ifndef TEST_RESULT_TEXT_H
#define TEST_RESULT_TEXT_H

#include "decode/decode.h"

static inline void render_result(struct strbuf *out, const struct dctx *d)
{
	struct scry_values r = SCRY_VALUES_INIT;
	decode_result(d, &r);
	render_text_result(out, &r);
	scry_values_release(&r);
}

#endif
