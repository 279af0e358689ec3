/*
 * scry report on a profile (profile_extra.c): what report.c needs of the
 * profiler, apart from profile_extra.h, so that report.c compiles against
 * the public headers alone (the Makefile's CLI_PUBLIC).
 */
#ifndef SCRY_CLI_PROFILE_REPORT_H
#define SCRY_CLI_PROFILE_REPORT_H

/* scry report FILE where FILE is a profile database (--format sqlite):
 * 1 when it is one, 0 when not. */
int px_is_profile_db(const char *path);
/* A trace recorded with --profile: its samples are a profile too. */
int px_trace_has_profile(const char *path);
/* folded, speedscope, pprof: formats only a profile has */
int px_is_profile_format(const char *fmt);
/* Writes it back as fmt (NULL: text; folded, speedscope, pprof) to
 * outfile (NULL: stdout).  The exit status. */
int px_report(const char *path, const char *fmt, const char *outfile);

#endif
