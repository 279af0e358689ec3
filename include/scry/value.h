/*
 * Typed values: what a decoder makes of a system call's arguments, once,
 * and what every sink renders (strace text, JSON, CSV, SQLite).
 *
 * A call's values live in one struct scry_values: a flat array of nodes and
 * a byte arena for strings.  A struct or an array is a node whose children
 * are the next nodes in the array (`count` of them, each possibly with
 * children of its own, so a node's subtree is contiguous).  Names and flag
 * tables are static strings owned by the decoders.  Nothing points into
 * tracee memory: bytes are copied, bounded by -s.
 *
 * Reading a call's arguments in a sink (the top-level nodes are the
 * arguments, in order; skip over each one's subtree):
 *
 *	const struct scry_values *a = ev->u.call.entry_args;
 *	for (size_t i = 0; a && i < a->n; i = scry_values_skip(a, i)) {
 *		const struct scry_value *v = &a->v[i];
 *		if (v->type == SCRY_V_STR)
 *			printf("%s=\"%.*s\"\n", v->name ? v->name : "?",
 *			       (int)v->str_len, scry_value_str(a, v));
 *	}
 *
 * Ownership and lifetime: the values of an event (scry_call.entry_args,
 * exit_args, result; a signal's values) belong to the session and are
 * valid only until the sink's event() returns: copy what you keep (copy
 * the bytes, not the pointers: scry_value_str() points into the arena,
 * which the next event reuses).  A struct scry_values of your own (built
 * with SCRY_VALUES_INIT and scry_values_push()) owns its nodes and arena
 * until scry_values_release(); a pointer to a node is valid until the next
 * push, which may move the array (keep indexes, not pointers).
 *
 * Threads: a struct scry_values is not locked: one thread at a time.  The
 * reading functions only read, and the tables they return are static.
 *
 * Errors: pushing never fails visibly: an allocation that fails sets
 * failed (checked where the values are handed on; the session then drops
 * the event and its run ends with -ENOMEM) and the push returns an index
 * that is safe to ignore.  Strings may hold any bytes, NUL included: use
 * str_len, not strlen().
 */
#ifndef SCRY_VALUE_H
#define SCRY_VALUE_H

#include "scry/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum scry_vtype {
	SCRY_V_INT,       /* signed decimal: i */
	SCRY_V_UINT,      /* unsigned decimal: u */
	SCRY_V_HEX,       /* 0x...: u */
	SCRY_V_OCT,       /* 0644: u */
	SCRY_V_PTR,       /* NULL or 0x...: u */
	SCRY_V_FD,        /* file descriptor: i, with path when known (-y) */
	SCRY_V_STR,       /* bytes: str (quoted and escaped in text) */
	SCRY_V_FLAGS,     /* bit set: u + flags table, "O_RDONLY|O_CLOEXEC" */
	SCRY_V_ENUM,      /* one of a table: i + table, "AF_INET" */
	SCRY_V_STRUCT,    /* named fields: count children, "{a=1, b=2}" */
	SCRY_V_ARRAY,     /* elements: count children, "[1, 2]" */
	SCRY_V_SOCKADDR,  /* a struct sockaddr: children are its fields;
	                     addr_text is the short form "10.0.1.50:5432" */
	SCRY_V_TEXT,      /* preformatted strace text: str.  No decoder of
	                     scry's makes one any more (issue 11): a form
	                     strace writes is a kind or a hint below */
	SCRY_V_UNREAD,    /* memory that could not be read: u is the address */
	/* Kinds a call's result (scry_call.result) has besides the ones above
	 * (INT, HEX, OCT, FD, FLAGS, ENUM): */
	SCRY_V_ERRNO,     /* the call failed: i is the error number (positive) */
	SCRY_V_NONE,      /* no value: the call does not return ("?") */
	/* Forms strace writes around a value, kept as data (issue 11): */
	SCRY_V_INOUT,     /* what was passed in and what the kernel left: count
	                     is 2 (in, out: text "in => out", JSON
	                     {"in":..,"out":..}) or 1 (out only: text "=> out",
	                     JSON {"out":..}) */
	SCRY_V_FUNC,      /* a value strace shows through a function: str is the
	                     function's name, the one child the value (text
	                     "htons(80)", inet_addr("1.2.3.4"); JSON: the child
	                     alone, 80, "1.2.3.4") */
	SCRY_V_COMMENT,   /* a remark: str holds its words (text "/\* words *\/",
	                     JSON a string "words"); flagged SCRY_VF_COMMENT */
	SCRY_V_OR,        /* one number strace shows in parts joined by "|": u is
	                     the whole number, the children the parts (an ENUM of
	                     a field, FLAGS of the other bits, OCT permissions, a
	                     shifted UINT, a COMMENT after a part).  Text
	                     "SOCK_STREAM|SOCK_CLOEXEC", "S_IFREG|0644",
	                     "MAP_PRIVATE|21<<MAP_HUGE_SHIFT"; JSON {"value":N,
	                     "names":[the ENUM's and FLAGS' names], and each
	                     other part that has a name as a member ("perm":
	                     "0644", "MAP_HUGE_SHIFT":21)} */
	SCRY_V_WSTATUS,   /* a wait status (wait4, waitpid): i is the int.  Text
	                     "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]"; JSON
	                     {"exited":true,"status":0}, {"signaled":true,
	                     "signal":"SIGKILL","core":false}, {"stopped":true,
	                     "signal":"SIGSTOP"[,"event":"PTRACE_EVENT_EXEC"]},
	                     {"continued":true}, or {"value":N} */
	SCRY_V_SIGSET,    /* a set of signals: u is the mask (bit n-1: signal n),
	                     fmt the number of signals it can hold.  Text
	                     "[INT TERM]", or the complement "~[KILL STOP]" when
	                     more than half are in it; JSON {"names":["SIGINT",
	                     "SIGTERM"],"inverted":false}, where inverted:true
	                     says the names are the signals NOT in the set */
	SCRY_V_TIME,      /* a time of day: i is seconds since the epoch.  Text
	                     the local time "2026-11-29T15:54:41+0000" (time()'s
	                     result); JSON the same string */
};

/* Rendering hints (scry_value.fmt) of the plain numbers; JSON ignores them. */
enum scry_vfmt {
	SCRY_FMT_KIB = 1,     /* UINT: text "N*1024" (a multiple of 1024 above it) */
	SCRY_FMT_HEX08 = 8,   /* HEX: text 8 hex digits, no 0x ("00000001") */
	SCRY_FMT_SHIFT = 16,  /* UINT, ENUM: text "N<<name" (21<<MAP_HUGE_SHIFT) */
	SCRY_FMT_SPACED = 32, /* ARRAY: text "[0 1]", elements apart by a space */
	SCRY_FMT_INDEXED = 64, /* ARRAY: elements named by their index, text
	                         "[[VINTR]=0x3, ...]", JSON an object
	                         {"VINTR":3, ...} */
	SCRY_FMT_NIL = 128,   /* PTR: text "(nil)" for 0, printf's %p (no
	                         decoder uses it now: strace 6.1 prints a
	                         siginfo's NULL si_ptr, si_call_addr as NULL) */
	SCRY_FMT_SHL = 256,   /* ENUM, HEX: a part of an OR that sits S = fmt &
	                         0xff bits up, text "VALUE<<S"
	                         ("FUTEX_OP_SET<<28", "0x1<<12"; an ENUM
	                         without a name is hex) */
	SCRY_FMT_ADDROF = 512, /* FUNC: a function that writes the field:
	                         text "fn(children, &NAME)" without "NAME="
	                         (inet_pton(AF_INET6, "::1", &sin6_addr));
	                         JSON the last child alone ("::1") */
	SCRY_FMT_AT = 1024,   /* STR: an abstract unix socket name, text
	                         @"name", JSON "@name"; the low bits of fmt
	                         are -x's as for every STR */
	SCRY_FMT_BLANK0 = 2048, /* FLAGS: text nothing for 0, where strace
	                         prints a flag word empty ("c_iflag=", and
	                         "FF0|" in an OR); JSON as every FLAGS */
};

enum scry_vflag {
	SCRY_VF_TRUNC  = 1u << 0,  /* STR/ARRAY: cut at the limit ("...") */
	SCRY_VF_OUT    = 1u << 1,  /* filled in by the kernel: decoded at exit */
	SCRY_VF_ABBREV = 1u << 2,  /* STRUCT: more fields not shown ("...") */
	SCRY_VF_COMMENT = 1u << 3, /* TEXT/COMMENT/INOUT: render as " comment" after
	                              the previous value, not as ", value" */
	SCRY_VF_AFTER  = 1u << 4,  /* shown after the result: "= 1 ([{fd=3, revents=POLLIN}])" */
	SCRY_VF_NAMED  = 1u << 5,  /* an argument the text shows as "name=value"
	                              (clone's); with AFTER, as "name value"
	                              ("left {...}", select's "in [3]"): an
	                              AFTER value without it is shown without
	                              its name (poll's "revents") */
	SCRY_VF_SIGNAL = 1u << 6,  /* FLAGS: the bits of fmt hold a signal number, not
	                              flags ("CLONE_VM|SIGCHLD") */
	SCRY_VF_UPDATED = 1u << 7, /* the kernel writes this argument back: what it
	                              wrote comes at exit, first among the exit
	                              values, as an INOUT with only the out
	                              child, flagged COMMENT (" => {pidfd=[3]}") */
};
#define SCRY_VF_AFTER SCRY_VF_AFTER

/* A table of named constants: flags (bits) or an enum (values). */
struct scry_xlat {
	uint64_t val;
	const char *name;
};

struct scry_value {
	uint8_t type;            /* enum scry_vtype */
	uint8_t flags;           /* enum scry_vflag */
	uint16_t fmt;            /* decoder-specific rendering hint (0: none);
	                            FLAGS: the mask of a field that holds a
	                            number (the field of deflt, or a signal) */
	uint32_t count;          /* STRUCT/ARRAY/SOCKADDR/INOUT/FUNC: direct children */
	const char *name;        /* argument or field name, or NULL */
	union {
		int64_t i;
		uint64_t u;
	};
	const struct scry_xlat *xlat; /* FLAGS/ENUM: table ending in a NULL name */
	const char *deflt;       /* FLAGS: the name of 0 ("O_RDONLY"), or NULL;
	                            with fmt, of a zero field (O_RDONLY in O_ACCMODE) */
	uint32_t str_off;        /* STR/TEXT/SOCKADDR/FUNC/COMMENT: bytes in the arena */
	uint32_t str_len;
	uint32_t path_off;       /* FD: its path in the arena (path_len > 0) */
	uint32_t path_len;
};

struct scry_values {
	struct scry_value *v;
	size_t n, alloc;
	char *arena;
	size_t arena_len, arena_alloc;
	/* An allocation failed since the last reset: the values are not
	 * whole (nodes were dropped); the session drops the event and ends
	 * with -ENOMEM.  Pushing never fails otherwise. */
	int failed;
};

#define SCRY_VALUES_INIT { NULL, 0, 0, NULL, 0, 0, 0 }

SCRY_API void scry_values_reset(struct scry_values *vs);
SCRY_API void scry_values_release(struct scry_values *vs);

/* Append a node; returns its index.  The pointer is valid until the next push. */
SCRY_API size_t scry_values_push(struct scry_values *vs, enum scry_vtype type, const char *name);
/* Copy bytes into the arena; returns their offset. */
SCRY_API uint32_t scry_values_bytes(struct scry_values *vs, const void *data, size_t len);
/* The bytes of a STR/TEXT/SOCKADDR node, or an FD's path. */
SCRY_API const char *scry_value_str(const struct scry_values *vs, const struct scry_value *v);
SCRY_API const char *scry_value_path(const struct scry_values *vs, const struct scry_value *v);
/* Index one past the subtree rooted at i. */
SCRY_API size_t scry_values_skip(const struct scry_values *vs, size_t i);

/*
 * The names of a FLAGS value, in the order strace shows them: fn is called
 * with each name (unnamed == 0), then, if bits no name covers are left, with
 * name NULL and those bits (as_decimal 0: show them as 0x...), then, for
 * SCRY_VF_SIGNAL, with the signal's name (or NULL, its number and
 * as_decimal 1).  Returns how many calls were made (0: no bits set and no
 * name for zero).
 */
typedef void (*scry_flag_fn)(void *ctx, const char *name, uint64_t unnamed, int as_decimal);
SCRY_API int scry_flags_names(const struct scry_value *v, scry_flag_fn fn, void *ctx);
/* The name of an ENUM value's number, or NULL. */
SCRY_API const char *scry_enum_name(const struct scry_value *v);

#ifdef __cplusplus
}
#endif
#endif
