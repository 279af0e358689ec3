/*
 * The name a syscall is shown by, the same in every output: the text
 * trace, the summaries (-c, in text, JSON and CSV) and the structured
 * formats.
 */
#ifndef SCRY_SYSCALLS_CALLNAME_H
#define SCRY_SYSCALLS_CALLNAME_H

/* scry_call_name() and SCRY_CALL_NAME_MAX are public: scry/syscalls.h. */
#include "scry/syscalls.h"

#endif
