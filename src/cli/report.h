/*
 * scry report: reads a trace recorded with --format sqlite back.
 *
 *	scry report [--format FMT] [-o FILE] [-c] TRACE.db
 *
 * Without --format it prints the strace text of the trace (to stdout, or
 * FILE); -c prints the summary the live run printed, rebuilt from the
 * calls; --format json|jsonl|csv|chrome|sqlite converts the trace.
 */
#ifndef SCRY_CLI_REPORT_H
#define SCRY_CLI_REPORT_H

/* argv[0] is "report".  Returns the exit status (0, 1 error, 2 usage). */
int report_main(int argc, char **argv);

#endif
