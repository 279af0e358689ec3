/*
 * A call's stack (scry/stack.h) as every output shows it, in one place so
 * that the text, the structured formats and the summaries by call site
 * name a frame the same way:
 *
 *   -k (strace's):  " > /usr/lib/x86_64-linux-gnu/libc.so.6(fsync+0x3a) [0xfec4a]"
 *                   one line per frame, innermost first; the bracket holds
 *                   the offset into the object's file, as strace -k prints
 *                   it; "obj() [0xoff]" when no symbol is known, "? [0xaddr]"
 *                   when no object is; frames inlined into the next one
 *                   are left out (strace shows physical frames).
 *   --source:       "logger.c:89 in flush_logs" for the frame stack->source
 *                   names when it has a line; "/path/obj(function+0xoff)"
 *                   (or "/path/obj+0xoff" without a symbol) when not; "?"
 *                   when there is no such frame.
 */
#ifndef SCRY_OUTPUT_STACKFMT_H
#define SCRY_OUTPUT_STACKFMT_H

#include "scry/stack.h"
#include "util/strbuf.h"

/* The frame --source names, or NULL (st may be NULL). */
const struct scry_frame *stack_source_frame(const struct scry_stack *st);

/* -k: one " > ...\n" line per (non-inlined) frame.  Nothing for NULL. */
void stack_add_frames_text(struct strbuf *b, const struct scry_stack *st);

/* --source: the label without its brackets ("?" for NULL). */
void stack_add_source_label(struct strbuf *b, const struct scry_stack *st);

/* One frame as strace -k names it, without " > " and newline. */
void stack_add_frame_text(struct strbuf *b, const struct scry_frame *f);

/*
 * JSON members, each preceded by a comma:
 *   ,"stack":[{"addr","object","object_offset","function","offset","file","line"
 *              (,"inlined":true)(,"runtime":true)(,"no_debuginfo":true)(,"unknown":true)}...]
 *   (,"stack_truncated":"depth"|"error")
 *   ,"source":{"file","line","function"} | {"object","object_offset","function","offset"} | null
 * Nothing at all when st is NULL.
 */
void json_add_stack(struct strbuf *b, const struct scry_stack *st);
/* The "source" value alone (an object or null). */
void json_add_source(struct strbuf *b, const struct scry_stack *st);

#endif
