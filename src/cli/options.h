/* The command line of scry: parsed into one struct, validated before anything
 * is attached or launched. */
#ifndef SCRY_CLI_OPTIONS_H
#define SCRY_CLI_OPTIONS_H

#include "option_values.h"

/* Returns 0, or an exit status (2: usage error, 0: --help/--version done). */
int options_parse(struct options *o, int argc, char **argv, int *exit_now);
void options_release(struct options *o);

#endif
