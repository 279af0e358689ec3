/* Finding the program to launch, shared by every backend. */
#ifndef SCRY_LAUNCH_H
#define SCRY_LAUNCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * execvp's search for file, done before forking so that a failure starts
 * nothing: 0 and the path, or -ENOENT, -EACCES (found but not executable,
 * or a directory), -ENAMETOOLONG.
 */
int find_program(const char *file, char *path, size_t len);

/*
 * Forks argv[0] (found on PATH first: -ENOENT, ... and nothing starts) held
 * at a gate: the child clears its signal mask and interval timer, ignores
 * again the signals the program ignored when it was loaded (see
 * launch_ignored_at_load()), puts the signals in default_signals (bit
 * sig-1) back to SIG_DFL (these win) and waits until
 * the parent closes *gate; then it runs setup (may be NULL; async-signal-
 * safe only; non-zero is a failure, exit status 126) and execs (exit
 * 127/126 and a message if that fails).  So setup runs once the parent has
 * registered the child, and nothing but execve follows it.  The parent registers the child with its backend
 * and then calls launch_release(), or launch_abort() to kill it before it
 * ever ran the command.
 */
pid_t launch_gated(char *const argv[], uint64_t default_signals,
		   int (*setup)(void *ctx), void *ctx, int *gate);
void launch_release(int gate);
/* The signals (bit sig-1) the program ignored when libscry was loaded,
 * before it could install handlers: launched commands ignore them too. */
uint64_t launch_ignored_at_load(void);
/* In a launched child (strace's -u): take these groups, gid and uid, in
 * that order; async-signal-safe.  0 or -1 with errno. */
int launch_set_ids(uid_t uid, gid_t gid, const gid_t *groups, int ngroups);
void launch_abort(pid_t pid, int gate);

#endif
