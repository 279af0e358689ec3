#include "syscalls/callname.h"

#include <stdio.h>

const char *scry_call_name(const char *name, long nr, char *buf)
{
	if (name)
		return name;
	snprintf(buf, SCRY_CALL_NAME_MAX, "syscall_%#lx", nr);
	return buf;
}
