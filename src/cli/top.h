/*
 * scry top: a live ncurses view of a process's system calls and threads,
 * with a process selector (docs/scry.1, "SCRY TOP").
 */
#ifndef SCRY_CLI_TOP_H
#define SCRY_CLI_TOP_H

/* argv[0] is "top".  Returns the exit status. */
int top_main(int argc, char **argv);

#endif
