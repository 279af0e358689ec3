/* The container of typed values (include/scry/value.h). */
#include "scry/value.h"
#include "syscalls/syscalls.h"

#include <stdlib.h>
#include <string.h>

void scry_values_reset(struct scry_values *vs)
{
	vs->n = 0;
	vs->arena_len = 0;
	vs->failed = 0;
}

/* Where pushes go when even the first array could not be allocated. */
static _Thread_local struct scry_value no_memory[1];

void scry_values_release(struct scry_values *vs)
{
	if (vs->alloc)
		free(vs->v);
	free(vs->arena);
	memset(vs, 0, sizeof(*vs));
}

size_t scry_values_push(struct scry_values *vs, enum scry_vtype type, const char *name)
{
	if (vs->n == vs->alloc) {
		size_t n = vs->alloc ? vs->alloc * 2 : 16;
		struct scry_value *p = realloc(vs->alloc ? vs->v : NULL, n * sizeof(*p));
		if (!p) {
			/* Out of memory: start over in the nodes there are
			 * (indexes handed out stay inside them), and say so. */
			vs->failed = 1;
			vs->n = 0;
			if (!vs->alloc)
				vs->v = no_memory;
			memset(&vs->v[0], 0, sizeof(vs->v[0]));
			return 0;
		}
		vs->v = p;
		vs->alloc = n;
	}
	struct scry_value *v = &vs->v[vs->n];
	memset(v, 0, sizeof(*v));
	v->type = (uint8_t)type;
	v->name = name;
	return vs->n++;
}

uint32_t scry_values_bytes(struct scry_values *vs, const void *data, size_t len)
{
	if (vs->arena_len + len + 1 > vs->arena_alloc) {
		size_t n = vs->arena_alloc ? vs->arena_alloc : 256;
		while (n < vs->arena_len + len + 1)
			n *= 2;
		char *p = realloc(vs->arena, n);
		if (!p) {
			vs->failed = 1;      /* offset 0: the bytes are not kept */
			return 0;
		}
		vs->arena = p;
		vs->arena_alloc = n;
	}
	uint32_t off = (uint32_t)vs->arena_len;
	if (len)
		memcpy(vs->arena + off, data, len);
	vs->arena[off + len] = '\0';
	vs->arena_len += len + 1;
	return off;
}

const char *scry_value_str(const struct scry_values *vs, const struct scry_value *v)
{
	return vs->arena ? vs->arena + v->str_off : "";
}

const char *scry_value_path(const struct scry_values *vs, const struct scry_value *v)
{
	return v->path_len && vs->arena ? vs->arena + v->path_off : NULL;
}

size_t scry_values_skip(const struct scry_values *vs, size_t i)
{
	uint32_t kids = vs->v[i].count;
	i++;
	while (kids--)
		i = scry_values_skip(vs, i);
	return i;
}

int scry_flags_names(const struct scry_value *v, scry_flag_fn fn, void *ctx)
{
	uint64_t bits = v->u;
	uint64_t field = 0;
	int calls = 0;
	if (v->flags & SCRY_VF_SIGNAL) {
		field = bits & v->fmt;
		bits &= ~(uint64_t)v->fmt;
	} else if (!bits) {
		if (v->deflt) {
			fn(ctx, v->deflt, 0, 0);
			return 1;
		}
		return 0;
	} else if (v->deflt && v->fmt && !(bits & v->fmt)) {
		/* A named zero in a field of the bits (O_RDONLY in O_ACCMODE)
		 * comes first when that field is zero. */
		fn(ctx, v->deflt, 0, 0);
		calls++;
	}
	for (const struct scry_xlat *x = v->xlat; x && x->name; x++) {
		if (x->val && (bits & x->val) == x->val) {
			fn(ctx, x->name, 0, 0);
			calls++;
			bits &= ~x->val;
		}
	}
	if (bits) {
		fn(ctx, NULL, bits, 0);
		calls++;
	}
	if (field) {
		const char *s = scry_signal_name((int)field);
		fn(ctx, s, s ? 0 : field, !s);
		calls++;
	}
	return calls;
}

const char *scry_enum_name(const struct scry_value *v)
{
	for (const struct scry_xlat *x = v->xlat; x && x->name; x++)
		if ((int64_t)x->val == v->i)
			return x->name;
	return NULL;
}
