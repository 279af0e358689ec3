/*
 * The name a syscall is shown by, the same in every output: the text
 * trace, the summaries (-c, in text, JSON and CSV) and the structured
 * formats.
 */
#ifndef SCRY_SYSCALLS_CALLNAME_H
#define SCRY_SYSCALLS_CALLNAME_H

/* Bytes of the buffer scry_call_name() may write into. */
#define SCRY_CALL_NAME_MAX 32

/*
 * name when there is one; else strace's form for a number without a name,
 * "syscall_0x1b6" (the number in hex), written into buf (SCRY_CALL_NAME_MAX
 * bytes).
 */
const char *scry_call_name(const char *name, long nr, char *buf);

#endif
