/*
 * strace's remaining -e qualifiers (read=, write=, raw=, abbrev=, verbose=,
 * quiet=, decode-fds=, kvm=) and the strace options scry refuses, with the
 * way scry reaches the same end.  docs/STRACE.md has the whole table.
 */
#include "strace_compat.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scry/syscalls.h"
#include "scry/scry.h"

/* "[!]all|none|N[,N]...": fds into a bitmap (fds beyond it: *other). */
static int parse_fds(const char *qual, const char *list, uint64_t *set, size_t words, int *other,
		     char *err, size_t errlen)
{
	int neg = 0;
	while (*list == '!') {
		neg = !neg;
		list++;
	}
	memset(set, 0, words * sizeof(*set));
	*other = 0;
	if (!*list) {
		snprintf(err, errlen, "empty fd list in -e %s= (expected e.g. -e %s=1,2 or all)", qual, qual);
		return -1;
	}
	char *copy = strdup(list);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int r = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			memset(set, 0xff, words * sizeof(*set));
			*other = 1;
			continue;
		}
		if (!strcmp(tok, "none"))
			continue;
		char *end;
		errno = 0;
		long fd = strtol(tok, &end, 10);
		if (errno || end == tok || *end || fd < 0 || fd > 0x7fffffff) {
			snprintf(err, errlen, "invalid file descriptor '%s' in -e %s=%s (expected numbers, all or none)",
				 tok, qual, list);
			r = -1;
			break;
		}
		if ((unsigned long)fd / 64 < words)
			set[fd / 64] |= UINT64_C(1) << (fd % 64);
		/* (a larger fd than the bitmap holds is not worth a table: it
		 * joins "the others") */
		else
			*other = 1;
	}
	free(copy);
	if (!r && neg) {
		for (size_t i = 0; i < words; i++)
			set[i] = ~set[i];
		*other = !*other;
	}
	return r;
}

/* A syscall set, in -e trace='s language, into a bitmap. */
static int parse_calls(const char *qual, const char *list, uint64_t *set, char *err, size_t errlen)
{
	struct scry_filter f;
	scry_filter_init(&f, scry_native_table());
	if (scry_filter_trace_spec(&f, list, err, errlen) < 0) {
		/* its message names "--trace=LIST": name the qualifier given */
		char *at = strstr(err, " in --trace=");
		if (at && strlen(at) >= strlen(" in --trace=") + strlen(list)) {
			char tail[256];
			snprintf(tail, sizeof(tail), "%s", at + strlen(" in --trace=") + strlen(list));
			snprintf(at, errlen - (size_t)(at - err), " in -e %s=%s%s", qual, list, tail);
		}
		return -1;
	}
	memcpy(set, f.trace, sizeof(f.trace));
	return 0;
}

static int parse_quiet(struct options *o, const char *list, char *err, size_t errlen)
{
	static const char *const names[] = {
		"attach", "exit", "path-resolution", "personality", "thread-execve", "superseded",
	};
	int neg = 0, bits = 0;
	while (*list == '!') {
		neg = !neg;
		list++;
	}
	char *copy = strdup(list);
	if (!copy)
		return -1;
	int r = 0;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		if (!strcmp(tok, "all")) {
			bits = (1 << 6) - 1;
			continue;
		}
		if (!strcmp(tok, "none"))
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			snprintf(err, errlen, "unknown message kind '%s' in -e quiet=%s (expected attach, exit, "
				 "path-resolution, personality, thread-execve, superseded, all or none)", tok, list);
			r = -1;
			break;
		}
		bits |= 1 << i;
	}
	free(copy);
	if (r)
		return r;
	if (neg)
		bits = ~bits & ((1 << 6) - 1);
	/* scry prints no path-resolution, thread-execve or superseded
	 * messages: those kinds are accepted and have nothing to silence */
	o->quiet = bits & 1;
	o->quiet_exit = (bits >> 1) & 1;
	o->quiet_personality = (bits >> 3) & 1;
	return 0;
}

/* strace's decode-fds=: path (-y), socket (-yy); dev and pidfd are not
 * shown apart from those. */
static int parse_decode_fds(struct options *o, const char *list, char *err, size_t errlen)
{
	int path = 0, sock = 0, r = 0;
	char *copy = strdup(list);
	if (!copy)
		return -1;
	for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "path"))
			path = 1;
		else if (!strcmp(tok, "socket"))
			sock = 1;
		else if (!strcmp(tok, "all"))
			path = sock = 1;
		else if (!strcmp(tok, "none"))
			;
		else if (!strcmp(tok, "dev") || !strcmp(tok, "pidfd")) {
			snprintf(err, errlen, "-e decode-fds=%s: scry does not decode '%s' on its own; "
				 "use -e decode-fds=path (-y) or all (-yy)", list, tok);
			r = -1;
			break;
		} else {
			snprintf(err, errlen, "unknown fd detail '%s' in -e decode-fds=%s (expected path, socket, "
				 "all or none)", tok, list);
			r = -1;
			break;
		}
	}
	free(copy);
	if (!r)
		o->fd_paths = sock ? 2 : path ? 1 : 0;
	return r;
}

int strace_qualifier(struct options *o, const char *expr, char *err, size_t errlen)
{
	static const struct { const char *name; const char *canon; } quals[] = {
		{ "read", "read" }, { "reads", "read" }, { "r", "read" },
		{ "write", "write" }, { "writes", "write" }, { "w", "write" },
		{ "raw", "raw" }, { "x", "raw" },
		{ "abbrev", "abbrev" }, { "a", "abbrev" },
		{ "verbose", "verbose" }, { "v", "verbose" },
		{ "quiet", "quiet" }, { "silent", "quiet" }, { "silence", "quiet" }, { "q", "quiet" },
		{ "decode-fds", "decode-fds" }, { "decode-fd", "decode-fds" },
		{ "kvm", "kvm" },
	};
	const char *eq = strchr(expr, '=');
	if (!eq)
		return 0;
	const char *canon = NULL, *val = eq + 1;
	for (size_t i = 0; i < sizeof(quals) / sizeof(quals[0]); i++)
		if ((size_t)(eq - expr) == strlen(quals[i].name) && !strncmp(expr, quals[i].name, (size_t)(eq - expr)))
			canon = quals[i].canon;
	if (!canon)
		return 0;
	int r = 0;
	if (!strcmp(canon, "read")) {
		r = parse_fds("read", val, o->dump_read, DUMP_FD_WORDS, &o->dump_read_other, err, errlen);
		o->dumps |= 1;
	} else if (!strcmp(canon, "write")) {
		r = parse_fds("write", val, o->dump_write, DUMP_FD_WORDS, &o->dump_write_other, err, errlen);
		o->dumps |= 2;
	} else if (!strcmp(canon, "raw")) {
		r = parse_calls("raw", val, o->raw, err, errlen);
		o->have_raw = 1;
	} else if (!strcmp(canon, "abbrev")) {
		r = parse_calls("abbrev", val, o->abbrev, err, errlen);
		o->have_abbrev = 1;
	} else if (!strcmp(canon, "verbose")) {
		/* strace: verbose=SET dereferences structures of those calls
		 * only, and shows the others' as addresses.  scry always
		 * dereferences them. */
		uint64_t set[SCRY_CALL_BITMAP_WORDS];
		r = parse_calls("verbose", val, set, err, errlen);
		for (size_t i = 0; !r && i < SCRY_CALL_BITMAP_WORDS; i++)
			if (set[i] != UINT64_MAX) {
				snprintf(err, errlen, "-e verbose=%s: scry always dereferences structures and cannot "
					 "show some calls' as bare addresses; -e verbose=all is what it does "
					 "(-e abbrev=SET chooses which calls are abbreviated)", val);
				r = -1;
			}
	} else if (!strcmp(canon, "quiet")) {
		r = parse_quiet(o, val, err, errlen);
	} else if (!strcmp(canon, "decode-fds")) {
		r = parse_decode_fds(o, val, err, errlen);
	} else {
		snprintf(err, errlen, "-e kvm=%s: scry does not decode KVM vcpu exits (strace's -e kvm=vcpu); "
			 "trace the KVM_RUN ioctls with -e trace=ioctl", val);
		r = -1;
	}
	return r < 0 ? -1 : 1;
}

void strace_retval_warn(const struct scry_inject *in)
{
	if (!in->has_retval)
		return;
	uint64_t rv = (uint64_t)in->retval;
	uint32_t rv32 = (uint32_t)rv;
	/* as strace 6 words them: the value is shown unsigned */
	if (rv >= (uint64_t)-4095)
		fprintf(stderr, "scry: Inadvertent injection of error %" PRIu64 " is possible for retval=%" PRIu64
			"\n", -rv, rv);
	else if (rv32 >= (uint32_t)-4095)
		fprintf(stderr, "scry: Inadvertent injection of error %" PRIu32 " is possible in compat "
			"personality for retval=%" PRIu64 "\n", -rv32, rv);
	else if (rv != rv32)
		fprintf(stderr, "scry: Injected return value %" PRIu64 " will be clipped to %" PRIu32
			" in compat personality\n", rv, rv32);
}

/* The strace options scry refuses: the flag and scry's way, if any. */
static const struct { int c; const char *flag; const char *why; } refused[] = {
	{ 'b', "-b execve (--detach-on)", "scry does not detach at execve; --duration or Ctrl+C detach "
	  "and the process goes on" },
	{ 'd', "-d (--debug)", "scry has no debug output; -v says which backend and filters it uses" },
	{ 'X', "-X (--const-print-style)", "scry prints constants as strace's default (-X abbrev); "
	  "-e raw=SET shows calls undecoded" },
	{ 'O', "-O (--summary-syscall-overhead)", "scry measures the ptrace stop overhead itself and subtracts it "
	  "(--no-calibrate: do not)" },
	{ 'K', "--tips", "scry has no tips; see docs/STRACE.md" },
	{ 'L', "--decode-pids=pidns", "scry shows pids as its own namespace sees them; -Y shows command names" },
	{ 'M', "--absolute-timestamps / --syscall-times / --relative-timestamps with a format or precision",
	  "use -t, -tt, -ttt, -r, -T (microseconds)" },
	{ 'N', "--strings-in-hex=non-ascii-chars", "use -x (non-ASCII as \\x hex) or -xx" },
};

void strace_refuse(int c)
{
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (refused[i].c == c) {
			fprintf(stderr, "scry: %s is not supported: %s\n", refused[i].flag, refused[i].why);
			return;
		}
}

static int refuse(const char *msg)
{
	fprintf(stderr, "scry: %s\nTry 'scry --help' for more information.\n", msg);
	return -1;
}

int strace_checks(const struct options *o)
{
	int piped = o->outfile && (o->outfile[0] == '|' || o->outfile[0] == '!');
	if (o->append && !o->outfile)
		return refuse("-A appends to the -o file: give -o FILE");
	if (piped && o->follow >= 2)
		return refuse("-o '|COMMAND' and -ff cannot go together: one pipe cannot take a file per process");
	if (piped && !o->outfile[1])
		return refuse("-o '|COMMAND' needs a command after the '|'");
	if (piped && !(scry_format_flags(o->format) & SCRY_FORMAT_TEXT) && (scry_format_flags(o->format) & SCRY_FORMAT_OWN_FILE))
		return refuse("-o '|COMMAND' cannot take a database: give -o FILE.db");
	if (!o->argv && (o->user || o->nenv || o->daemonize)) {
		return refuse(o->user ? "-u USER runs the command as USER: give one (scry -u USER -- CMD)"
			      : o->nenv ? "-E sets the environment of the command: give one (scry -E VAR=VAL -- CMD)"
			      : "-D detaches scry from the command's process tree: give a command (scry -D -- CMD)");
	}
	if (o->daemonize && o->npids)
		return refuse("-D runs scry outside the command's process tree; it does not go with -p");
	const char *needs = o->instruction_pointer ? "-i" : o->syscall_numbers ? "-n" : o->dumps ? "-e read=/write="
			    : o->have_raw ? "-e raw=" : o->user ? "-u" : o->daemonize ? "-D" : NULL;
	if (needs && o->backend == BACKEND_BPF) {
		fprintf(stderr, "scry: %s needs --backend ptrace (the bpf backend does not stop the process "
			"to read %s)\n", needs, o->instruction_pointer || o->syscall_numbers ? "its registers"
			: o->user || o->daemonize ? "it at launch" : "its memory");
		return -1;
	}
	return 0;
}
