/*
 * Signal names.  x86_64 and aarch64 share the generic numbering; the kernel's
 * SIGRTMIN is 32 (glibc reserves 32 and 33 and reports SIGRTMIN as 34), and
 * like strace we name real-time signals relative to the kernel's: 32 is
 * "SIGRTMIN", 34 is "SIGRT_2", 64 is "SIGRT_32".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "syscalls/syscalls.h"

#define KERNEL_SIGRTMIN 32
#define KERNEL_SIGRTMAX 64

static const char *const signal_names[KERNEL_SIGRTMAX + 1] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
	[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
	[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF",
	[28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS",
	[32] = "SIGRTMIN", [33] = "SIGRT_1", [34] = "SIGRT_2", [35] = "SIGRT_3",
	[36] = "SIGRT_4", [37] = "SIGRT_5", [38] = "SIGRT_6", [39] = "SIGRT_7",
	[40] = "SIGRT_8", [41] = "SIGRT_9", [42] = "SIGRT_10",
	[43] = "SIGRT_11", [44] = "SIGRT_12", [45] = "SIGRT_13",
	[46] = "SIGRT_14", [47] = "SIGRT_15", [48] = "SIGRT_16",
	[49] = "SIGRT_17", [50] = "SIGRT_18", [51] = "SIGRT_19",
	[52] = "SIGRT_20", [53] = "SIGRT_21", [54] = "SIGRT_22",
	[55] = "SIGRT_23", [56] = "SIGRT_24", [57] = "SIGRT_25",
	[58] = "SIGRT_26", [59] = "SIGRT_27", [60] = "SIGRT_28",
	[61] = "SIGRT_29", [62] = "SIGRT_30", [63] = "SIGRT_31",
	[64] = "SIGRT_32",
};

/* Other spellings people type; the table above holds the names we print. */
static const struct {
	const char *name;
	int sig;
} signal_aliases[] = {
	{ "SIGIOT", 6 }, { "SIGCLD", 17 }, { "SIGPOLL", 29 },
	{ "SIGUNUSED", 31 }, { "SIGRT_0", 32 }, { "SIGRTMAX", 64 },
};

const char *scry_signal_name(int sig)
{
	if (sig <= 0 || sig > KERNEL_SIGRTMAX)
		return NULL;
	return signal_names[sig];
}

/* "123" -> 123; -1 unless the whole string is a decimal number. */
static int parse_number(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v > 1000000)
		return -1;
	return (int)v;
}

/* "SIGRTMIN+3" / "SIGRTMAX-2": relative to the kernel's range. */
static int parse_rt_offset(const char *s)
{
	int base, n;

	if (!strncasecmp(s, "SIGRTMIN", 8))
		base = KERNEL_SIGRTMIN;
	else if (!strncasecmp(s, "SIGRTMAX", 8))
		base = KERNEL_SIGRTMAX;
	else
		return -1;
	if (s[8] != '+' && s[8] != '-')
		return -1;
	n = parse_number(s + 9);
	if (n < 0)
		return -1;
	n = s[8] == '+' ? base + n : base - n;
	return n >= KERNEL_SIGRTMIN && n <= KERNEL_SIGRTMAX ? n : -1;
}

static int lookup_name(const char *s)
{
	int sig;

	for (sig = 1; sig <= KERNEL_SIGRTMAX; sig++)
		if (!strcasecmp(signal_names[sig], s))
			return sig;
	for (size_t i = 0; i < sizeof(signal_aliases) / sizeof(signal_aliases[0]); i++)
		if (!strcasecmp(signal_aliases[i].name, s))
			return signal_aliases[i].sig;
	return parse_rt_offset(s);
}

int scry_signal_lookup(const char *name)
{
	char buf[32];
	int sig;

	if (!name || !*name)
		return -1;
	sig = parse_number(name);
	if (sig >= 0)
		return sig >= 1 && sig <= KERNEL_SIGRTMAX ? sig : -1;
	if (!strncasecmp(name, "SIG", 3))
		return lookup_name(name);
	/* "INT" -> "SIGINT" */
	if (strlen(name) + 4 > sizeof(buf))
		return -1;
	strcpy(buf, "SIG");
	strcat(buf, name);
	return lookup_name(buf);
}
