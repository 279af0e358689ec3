/*
 * The table of backends (core/internal.h, struct backend_ops).  The session
 * chooses from it by what a backend serves; adding a backend is one file
 * with its table of functions, and one row here.
 */
#include "core/internal.h"

extern const struct backend_ops ptrace_backend;      /* backend/ptrace.c */
extern const struct backend_ops bpf_counts_backend;  /* backend/bpf.c */
extern const struct backend_ops bpf_trace_backend;   /* backend/bpf.c */

const struct backend_ops *const backend_table[] = {
	&ptrace_backend,         /* first: the default */
	&bpf_counts_backend,
	&bpf_trace_backend,
	NULL,
};
