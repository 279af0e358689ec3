/* A call's stack in text and JSON (stackfmt.h). */
#include "output/stackfmt.h"

#include <inttypes.h>

#include "util/escape.h"

const struct scry_frame *stack_source_frame(const struct scry_stack *st)
{
	if (!st || !st->frames || st->source < 0 || (unsigned)st->source >= st->nframes)
		return NULL;
	return &st->frames[st->source];
}

void stack_add_frame_text(struct strbuf *b, const struct scry_frame *f)
{
	if (!f->object) {
		strbuf_addf(b, "? [0x%" PRIx64 "]", f->addr);
		return;
	}
	strbuf_addstr(b, f->object);
	if (f->function)
		strbuf_addf(b, "(%s+0x%" PRIx64 ")", f->function, f->offset);
	else
		strbuf_addstr(b, "()");
	strbuf_addf(b, " [0x%" PRIx64 "]", f->object_offset);
}

void stack_add_frames_text(struct strbuf *b, const struct scry_stack *st)
{
	if (!st || !st->frames)
		return;
	for (unsigned i = 0; i < st->nframes; i++) {
		const struct scry_frame *f = &st->frames[i];
		/* strace shows the physical frame, which comes next */
		if ((f->flags & SCRY_FRAME_INLINED) && i + 1 < st->nframes)
			continue;
		strbuf_addstr(b, " > ");
		stack_add_frame_text(b, f);
		strbuf_addch(b, '\n');
	}
}

void stack_add_source_label(struct strbuf *b, const struct scry_stack *st)
{
	const struct scry_frame *f = stack_source_frame(st);
	if (!f || (!f->object && !(f->file && f->line > 0))) {
		strbuf_addch(b, '?');
		return;
	}
	if (f->file && f->line > 0) {
		strbuf_addf(b, "%s:%d", f->file, f->line);
		if (f->function)
			strbuf_addf(b, " in %s", f->function);
		return;
	}
	strbuf_addstr(b, f->object);
	if (f->function)
		strbuf_addf(b, "(%s+0x%" PRIx64 ")", f->function, f->offset);
	else
		strbuf_addf(b, "+0x%" PRIx64, f->object_offset);
}

static void json_member_str(struct strbuf *b, const char *key, const char *v)
{
	strbuf_addf(b, ",\"%s\":", key);
	json_add_str(b, v);
}

void json_add_source(struct strbuf *b, const struct scry_stack *st)
{
	const struct scry_frame *f = stack_source_frame(st);
	if (!f) {
		strbuf_addstr(b, "null");
		return;
	}
	if (f->file && f->line > 0) {
		strbuf_addstr(b, "{\"file\":");
		json_add_str(b, f->file);
		strbuf_addf(b, ",\"line\":%d", f->line);
		json_member_str(b, "function", f->function);
	} else {
		strbuf_addstr(b, "{\"object\":");
		json_add_str(b, f->object);
		strbuf_addf(b, ",\"object_offset\":%" PRIu64, f->object_offset);
		json_member_str(b, "function", f->function);
		strbuf_addf(b, ",\"offset\":%" PRIu64, f->offset);
	}
	strbuf_addch(b, '}');
}

void json_add_stack(struct strbuf *b, const struct scry_stack *st)
{
	if (!st)
		return;
	strbuf_addstr(b, ",\"stack\":[");
	for (unsigned i = 0; st->frames && i < st->nframes; i++) {
		const struct scry_frame *f = &st->frames[i];
		strbuf_addf(b, "%s{\"addr\":%" PRIu64, i ? "," : "", f->addr);
		json_member_str(b, "object", f->object);
		strbuf_addf(b, ",\"object_offset\":%" PRIu64, f->object_offset);
		json_member_str(b, "function", f->function);
		strbuf_addf(b, ",\"offset\":%" PRIu64, f->offset);
		json_member_str(b, "file", f->file);
		if (f->line > 0)
			strbuf_addf(b, ",\"line\":%d", f->line);
		else
			strbuf_addstr(b, ",\"line\":null");
		if (f->flags & SCRY_FRAME_INLINED)
			strbuf_addstr(b, ",\"inlined\":true");
		if (f->flags & SCRY_FRAME_RUNTIME)
			strbuf_addstr(b, ",\"runtime\":true");
		if (f->flags & SCRY_FRAME_NO_DEBUGINFO)
			strbuf_addstr(b, ",\"no_debuginfo\":true");
		if (f->flags & SCRY_FRAME_UNKNOWN)
			strbuf_addstr(b, ",\"unknown\":true");
		if (f->flags & SCRY_FRAME_KERNEL)
			strbuf_addstr(b, ",\"kernel\":true");
		strbuf_addch(b, '}');
	}
	strbuf_addch(b, ']');
	if (st->truncated)
		strbuf_addf(b, ",\"stack_truncated\":\"%s\"", st->truncated == 1 ? "depth" : "error");
	strbuf_addstr(b, ",\"source\":");
	json_add_source(b, st);
}
