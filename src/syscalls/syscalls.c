/*
 * Lookups over the generated syscall tables (table_*.c, made by
 * tools/gen-syscalls.py).
 */
#include <string.h>
#include <strings.h>

#include "syscalls/syscalls.h"

const struct scry_syscall_table *scry_native_table(void)
{
#if defined(__x86_64__)
	return &scry_table_x86_64;
#elif defined(__aarch64__)
	return &scry_table_aarch64;
#else
#error "scry supports x86_64 and aarch64 only"
#endif
}

const struct scry_syscall_info *scry_syscall_get(const struct scry_syscall_table *t, long nr)
{
	if (!t || nr < 0 || (unsigned long)nr >= t->ncalls)
		return NULL;
	if (!t->calls[nr].name)
		return NULL;
	return &t->calls[nr];
}

/* Linear: about 400 string compares, called only while parsing options. */
long scry_syscall_lookup(const struct scry_syscall_table *t, const char *name)
{
	if (!t || !name)
		return -1;
	for (unsigned int nr = 0; nr < t->ncalls; nr++) {
		const char *n = t->calls[nr].name;
		if (n && !strcmp(n, name))
			return nr;
	}
	return -1;
}

static const struct {
	const char *name;
	unsigned int bit;
} class_names[] = {
	/* "%%stat" and "%%statfs" have lost one '%' when we compare */
	{ "%stat", SCRY_CLASS_STAT_LIKE },
	{ "%statfs", SCRY_CLASS_STATFS_LIKE },
	{ "file", SCRY_CLASS_FILE },
	{ "desc", SCRY_CLASS_DESC },
	{ "network", SCRY_CLASS_NETWORK },
	{ "net", SCRY_CLASS_NETWORK },
	{ "process", SCRY_CLASS_PROCESS },
	{ "memory", SCRY_CLASS_MEMORY },
	{ "signal", SCRY_CLASS_SIGNAL },
	{ "ipc", SCRY_CLASS_IPC },
	{ "creds", SCRY_CLASS_CREDS },
	{ "clock", SCRY_CLASS_CLOCK },
	{ "stat", SCRY_CLASS_STAT },
	{ "lstat", SCRY_CLASS_LSTAT },
	{ "fstat", SCRY_CLASS_FSTAT },
	{ "statfs", SCRY_CLASS_STATFS },
	{ "fstatfs", SCRY_CLASS_FSTATFS },
	{ "pure", SCRY_CLASS_PURE },
};

unsigned int scry_class_lookup(const char *name)
{
	if (!name)
		return 0;
	if (*name == '%')
		name++;
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (!strcmp(class_names[i].name, name))
			return class_names[i].bit;
	return 0;
}
