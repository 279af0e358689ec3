/*
 * scry profile: sampling profiler subcommand (src/profile/).  See
 * docs/scry.1 and profile_main's usage text.
 */
#ifndef SCRY_CLI_PROFILE_H
#define SCRY_CLI_PROFILE_H

/* argv[0] is "profile".  Returns the exit status (0, 1 error, 2 usage; a
 * launched command's own status). */
int profile_main(int argc, char **argv);

#endif
