/* libFuzzer target for json_valid() (src/output/encode.c), the check that
 * stands between a replayed args_json and the documents: no crash, no
 * overread, on any input.  Build: README.md. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/encode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	memcpy(p, data, size);
	json_valid(p, size);
	free(p);
	return 0;
}
