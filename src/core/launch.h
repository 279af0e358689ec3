/* Finding the program to launch, shared by every backend. */
#ifndef SCRY_LAUNCH_H
#define SCRY_LAUNCH_H

#include <stddef.h>

/*
 * execvp's search for file, done before forking so that a failure starts
 * nothing: 0 and the path, or -ENOENT, -EACCES (found but not executable,
 * or a directory), -ENAMETOOLONG.
 */
int find_program(const char *file, char *path, size_t len);

#endif
