/*
 * Where a call came from: the user-space stack of the thread at the
 * moment it entered the system call, unwound and symbolized once by the
 * engine (src/unwind/) and handed to every sink as part of the call event
 * (scry_call.stack), in the style of value.h: a flat array of frames plus
 * strings, nothing pointing into the tracee.
 *
 * Usage, in a sink of a session made with scry_config.stack_depth > 0:
 *
 *	const struct scry_stack *st = ev->u.call.stack;   // NULL: none
 *	for (unsigned i = 0; st && i < st->nframes; i++) {
 *		const struct scry_frame *f = &st->frames[i];
 *		printf("  %s+0x%llx (%s:%d)\n", f->function ? f->function : "?",
 *		       (unsigned long long)f->offset, f->file ? f->file : "?", f->line);
 *	}
 *
 * Ownership and lifetime: a stack and every string it points to belong to
 * the session and are valid until the sink's event() returns; copy what
 * you keep (the strings too).  Strings (object, function, file) may be
 * repeated between events with the same pointer (they are interned per
 * session), but do not rely on it.
 *
 * Threads: stacks are unwound and symbolized on the session's tracer
 * thread, the one the sinks run on; nothing here is for another thread.
 *
 * Errors: a stack that could not be unwound to its end says so in
 * truncated (2: an error); one that could not be unwound at all is NULL.
 * A frame without a name, a file or an object has NULL there (flags say
 * why): never an error of the session's.
 */
#ifndef SCRY_STACK_H
#define SCRY_STACK_H

#include "scry/export.h"

#include <stdint.h>

/* scry_frame.flags */
enum scry_frame_flag {
	/* The object has no symbol table or no debug info at all: function
	 * is NULL (stripped) or from .dynsym only, and there is no line. */
	SCRY_FRAME_NO_DEBUGINFO = 1u << 0,
	/* A frame the unwinder could not place in any mapped object (JIT
	 * code, a deleted or unreadable object): object is NULL or the
	 * mapping's name ("[anon]", "/x (deleted)"). */
	SCRY_FRAME_UNKNOWN = 1u << 1,
	/* This frame is a function inlined into the next one (same addr). */
	SCRY_FRAME_INLINED = 1u << 2,
	/* Part of the C library, the dynamic loader or a language runtime
	 * (the syscall wrappers --source skips). */
	SCRY_FRAME_RUNTIME = 1u << 3,
	/* A kernel frame (CPU samples, scry_event.u.sample): object is
	 * "[kernel.kallsyms]" or the module's name, function the symbol. */
	SCRY_FRAME_KERNEL = 1u << 4,
};

struct scry_frame {
	uint64_t addr;          /* the instruction address (for caller frames, the
	                           return address; strace -k shows these) */
	const char *object;     /* path of the mapped object, or NULL when unknown */
	uint64_t object_offset; /* addr as an offset into object's file image
	                           (build-id + this is a stable key) */
	const char *function;   /* demangled name, or NULL */
	uint64_t offset;        /* addr - the function's start (0 if no function) */
	const char *file;       /* source file, or NULL */
	int line;               /* source line, 0 when unknown */
	uint32_t flags;         /* enum scry_frame_flag */
};

struct scry_stack {
	unsigned nframes;
	const struct scry_frame *frames;  /* innermost first */
	/* The frame --source names: the first with a source line that is not
	 * SCRY_FRAME_RUNTIME; else the first not RUNTIME; -1 when none. */
	int source;
	/* The unwinder stopped before the outermost frame: at the depth
	 * limit (truncated = 1) or on an error (truncated = 2, e.g. memory
	 * not readable or no unwind information for a frame). */
	int truncated;
};

#endif
