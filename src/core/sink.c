/* The helpers of the one sink interface (struct scry_sink, scry.h). */
#include <string.h>

#include "scry/scry.h"

int scry_sink_finish(struct scry_sink *sink, const struct scry_sink_end *end)
{
	static const struct scry_sink_end none = { .summary = NULL };
	if (!sink || !sink->finish)
		return 0;
	return sink->finish(sink->ctx, end ? end : &none);
}

void scry_sink_free(struct scry_sink *sink)
{
	if (!sink)
		return;
	if (sink->free)
		sink->free(sink->ctx);
	memset(sink, 0, sizeof(*sink));
}
