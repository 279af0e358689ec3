/*
 * The unwinder and symbolizer: a thread's registers at a stop plus a way
 * to read its memory in, a symbolized stack (scry/stack.h) out.  Shared by
 * the engine (ptrace and bpf calls) and the sampling profiler.
 *
 * Built on elfutils libdwfl: one Dwfl per process, made at its first stack
 * and kept; refreshed from /proc/PID/maps only when an address falls
 * outside every known module and the maps changed (dlopen, mmap of code);
 * dropped by unwinder_forget() at exec and exit.  Unwinding runs libdwfl's
 * CFI (.eh_frame, .debug_frame, frame pointers where it has neither) over
 * the registers given, reading memory through the caller's reader with a
 * small page cache per stack.  Symbols come from a sorted table per module
 * (.symtab, else .dynsym), built once; resolved addresses are cached; lines
 * (dwfl_module_getsrc) only when asked.  Strings are interned per unwinder
 * and live until unwinder_free().
 *
 * Never prints; a failure gives the frames found so far and truncated = 2.
 */
#ifndef SCRY_UNWIND_H
#define SCRY_UNWIND_H

#include <stdint.h>
#include <sys/types.h>

#include "scry/stack.h"

/* Reads len bytes at addr of the thread's memory into buf; returns the
 * bytes read or -1.  NULL: process_vm_readv on the live thread. */
typedef ssize_t (*unwind_mem_fn)(void *ctx, uint64_t addr, void *buf, size_t len);

/* Told once per object (path) that appears in a stack without debug info
 * (no DWARF: no lines; function names from .symtab/.dynsym or none).
 * flags: SCRY_FRAME_* of that object (RUNTIME for the C library etc.). */
typedef void (*unwind_nodebug_fn)(void *ctx, const char *object, unsigned flags);

struct unwinder;

/* Registers as struct raw_regs numbers them (core/engine.h): DWARF numbers
 * of the build's architecture, bit i of have = r[i] known. */
#define UNWIND_NREGS 33

int unwinder_new(struct unwinder **out);
void unwinder_free(struct unwinder *u);
void unwinder_set_nodebug(struct unwinder *u, unwind_nodebug_fn fn, void *ctx);

/*
 * Unwinds thread tid of process pid from regs, up to max frames into
 * frames[] (the caller's array of max), and fills *out (out->frames =
 * frames).  lines: also source files and lines.  Returns 0 (out may have
 * 0 frames) or a negative errno (-EINVAL: no pc among the registers,
 * -ENOMEM).
 */
int unwinder_unwind(struct unwinder *u, pid_t pid, pid_t tid, uint64_t have,
		    const uint64_t regs[UNWIND_NREGS], unwind_mem_fn mem, void *mem_ctx,
		    int lines, struct scry_frame *frames, unsigned max, struct scry_stack *out);

/* Process pid changed its mappings (a traced munmap, mremap, shmdt, or an
 * mmap or mprotect with PROT_EXEC): its maps are read again at its next
 * stack, so code mapped where a known module was is not taken for it.
 * The maps are read only then, and kept when they did not change. */
void unwinder_maps_changed(struct unwinder *u, pid_t pid);

/*
 * The mappings of process pid, in /proc/PID/maps's format, as a backend saw
 * them at the point of its stream where the calls that follow were made
 * (bpf: sent by the kernel when they changed): from now on they are pid's
 * modules, and /proc/PID/maps is not read for it (the process may have
 * exited or exec'd by the time its calls are unwound).  Kept until
 * unwinder_forget().  0 or -ENOMEM.
 */
int unwinder_set_maps(struct unwinder *u, pid_t pid, const char *maps, size_t len);

/* Process pid exec'd or exited: its Dwfl, caches and given maps go. */
void unwinder_forget(struct unwinder *u, pid_t pid);

/* The profiler's fp callchains: one address of process pid symbolized
 * into *f as a frame of a stack would be (isact: the interrupted pc, not
 * a return address).  0 or a negative errno. */
int unwinder_resolve(struct unwinder *u, pid_t pid, uint64_t pc, int isact, struct scry_frame *f);

/*
 * A stack given as addresses (a frame-pointer callchain: pcs[0] the pc,
 * then return addresses, outermost last; a 0 ends it) symbolized as
 * unwinder_unwind() would fill *out: objects, functions, inlined frames,
 * lines when asked, out->source.  0 or a negative errno.
 */
int unwinder_symbolize(struct unwinder *u, pid_t pid, const uint64_t *pcs, unsigned npcs, int lines,
		       struct scry_frame *frames, unsigned max, struct scry_stack *out);

/* A symbol's name as frames show it: without its symbol version
 * ("@@GLIBC_2.34"), demangled (C++, Rust legacy and v0) when scry was built
 * with libiberty.  malloc'd, NULL only without memory. */
char *unwind_demangle(const char *name);

#endif
