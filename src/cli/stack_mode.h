/* The words of --stack-mode (scry) and --call-graph (scry profile): how a
 * stack is taken, "dwarf" (a copy of the stack unwound with DWARF CFI) or
 * "fp" (the frame-pointer chain).  One parser for both commands. */
#ifndef SCRY_CLI_STACK_MODE_H
#define SCRY_CLI_STACK_MODE_H

#include <string.h>

/* 0: dwarf, 1: fp (SCRY_STACK_DWARF/FP, scry profile's call_graph 0/1);
 * -1: neither word. */
static inline int stack_mode_parse(const char *word)
{
	if (!strcmp(word, "dwarf"))
		return 0;
	if (!strcmp(word, "fp"))
		return 1;
	return -1;
}

#endif
