/*
 * The typed values as JSON and the strace text of a call's arguments, for
 * the structured outputs (encode.h).  The escaping is util/escape.c, the
 * writer output/writer.c, /proc output/procinfo.c, the common struct
 * output output/output.c and the table of formats output/formats.c.
 */
#include "output/encode.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "decode/decode.h"
#include "scry/output.h"
#include "syscalls/callname.h"
#include "syscalls/syscalls.h"

/* ---- typed values as JSON ---- */

/* Keys already used in one object, so that none repeats. */
struct keys {
	char k[32][96];
	int n;
};

static void add_member_key(struct strbuf *sb, struct keys *ks, const char *key, int *first)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%s", key);
	for (int suffix = 2; suffix < 100; suffix++) {
		int dup = 0;
		for (int i = 0; i < ks->n && !dup; i++)
			dup = !strcmp(ks->k[i], buf);
		if (!dup)
			break;
		snprintf(buf, sizeof(buf), "%s_%d", key, suffix);
	}
	if (ks->n < (int)(sizeof(ks->k) / sizeof(ks->k[0])))
		snprintf(ks->k[ks->n++], sizeof(ks->k[0]), "%s", buf);
	if (!*first)
		strbuf_addch(sb, ',');
	*first = 0;
	json_add_key(sb, buf);
	strbuf_addch(sb, ':');
}

static size_t json_value(struct strbuf *sb, const struct scry_values *vs, size_t i, int depth);
static int arena_ok(const struct scry_values *vs, uint32_t off, uint32_t len);

struct json_names {
	struct strbuf *sb;
	int n;
};

static void json_add_flag_name(void *ctx, const char *name, uint64_t unnamed, int as_decimal)
{
	struct json_names *j = ctx;
	if (!name)
		return;   /* bits without a name: in "value" */
	strbuf_addstr(j->sb, j->n++ ? "," : "");
	json_add_key(j->sb, name);
}

void json_add_flag_names(struct strbuf *sb, const struct scry_value *v)
{
	struct json_names j = { sb, 0 };
	strbuf_addch(sb, '[');
	scry_flags_names(v, json_add_flag_name, &j);
	strbuf_addch(sb, ']');
}

/* Index after the subtree at i, never past vs->n (the fuzz targets feed
 * malformed trees). */
static size_t skip_bounded(const struct scry_values *vs, size_t i, int depth)
{
	if (i >= vs->n)
		return vs->n;
	uint32_t kids = vs->v[i].count;
	i++;
	while (kids-- && i < vs->n)
		i = depth > 64 ? vs->n : skip_bounded(vs, i, depth + 1);
	return i;
}

/* The count children of the node before i, as members; returns the index after them. */
static size_t json_members(struct strbuf *sb, const struct scry_values *vs, size_t i, size_t count,
			   int top, int depth)
{
	struct keys ks = { .n = 0 };
	int first = 1;
	char namebuf[32];
	for (size_t k = 0; k < count && i < vs->n; k++) {
		const struct scry_value *v = &vs->v[i];
		const char *key = v->name;
		if (top && v->type == SCRY_V_SOCKADDR)
			key = "addr";
		else if (!key && (v->flags & SCRY_VF_COMMENT))
			key = "comment";
		else if (!key) {
			snprintf(namebuf, sizeof(namebuf), top ? "arg%zu" : "field%zu", k);
			key = namebuf;
		}
		add_member_key(sb, &ks, key, &first);
		size_t next = json_value(sb, vs, i, depth + 1);
		if (v->type == SCRY_V_FD && v->path_len && vs->arena) {
			char k2[96];
			snprintf(k2, sizeof(k2), "%s_path", key);
			if (!first)
				strbuf_addch(sb, ',');
			json_add_key(sb, k2);
			strbuf_addch(sb, ':');
			json_add_bytes(sb, scry_value_path(vs, v), v->path_len);
		}
		if (v->type == SCRY_V_SOCKADDR && v->str_len && v->count &&
		    arena_ok(vs, v->str_off, v->str_len)) {
			/* the short form is the value ("[::1]:80"); the fields
			 * beside it: "addr_fields": {"sa_family": "AF_INET6", ...} */
			char k2[96];
			snprintf(k2, sizeof(k2), "%s_fields", key);
			strbuf_addch(sb, ',');
			json_add_key(sb, k2);
			strbuf_addstr(sb, ":{");
			json_members(sb, vs, i + 1, v->count, 0, depth + 1);
			strbuf_addch(sb, '}');
		}
		if (((v->type == SCRY_V_STR || v->type == SCRY_V_ARRAY) && (v->flags & SCRY_VF_TRUNC)) ||
		    (v->type == SCRY_V_STRUCT && (v->flags & (SCRY_VF_ABBREV | SCRY_VF_TRUNC)))) {
			char k2[96];
			snprintf(k2, sizeof(k2), "%s_truncated", key);
			strbuf_addch(sb, ',');
			json_add_key(sb, k2);
			strbuf_addstr(sb, ":true");
		}
		i = next;
	}
	return i;
}

static int arena_ok(const struct scry_values *vs, uint32_t off, uint32_t len)
{
	return vs->arena && (uint64_t)off + len <= vs->arena_len;
}

/* A signal's name, or its number when it has none. */
static void json_add_signal(struct strbuf *sb, int sig)
{
	const char *s = scry_signal_name(sig);
	if (s)
		json_add_key(sb, s);
	else
		strbuf_addf(sb, "%d", sig);
}

/* {"exited":true,"status":0}, {"signaled":true,"signal":"SIGKILL","core":false}, ... */
static void json_wstatus(struct strbuf *sb, int st)
{
	if (WIFSTOPPED(st)) {
		unsigned ev = (unsigned)st >> 16;
		strbuf_addstr(sb, "{\"stopped\":true,\"signal\":");
		json_add_signal(sb, WSTOPSIG(st));
		if (ev && render_ptrace_event(ev)) {
			strbuf_addstr(sb, ",\"event\":");
			json_add_key(sb, render_ptrace_event(ev));
		} else if (ev) {
			strbuf_addf(sb, ",\"event\":%u", ev);
		}
		strbuf_addch(sb, '}');
	} else if (WIFSIGNALED(st)) {
		strbuf_addstr(sb, "{\"signaled\":true,\"signal\":");
		json_add_signal(sb, WTERMSIG(st));
		strbuf_addf(sb, ",\"core\":%s}", WCOREDUMP(st) ? "true" : "false");
	} else if (WIFEXITED(st)) {
		strbuf_addf(sb, "{\"exited\":true,\"status\":%d}", WEXITSTATUS(st));
	} else if (WIFCONTINUED(st)) {
		strbuf_addstr(sb, "{\"continued\":true}");
	} else {
		strbuf_addf(sb, "{\"value\":%d}", st);
	}
}

/* SCRY_V_OR: {"value":N,"names":[...]} and the parts that have a name. */
static size_t json_or(struct strbuf *sb, const struct scry_values *vs, size_t i, int depth)
{
	const struct scry_value *v = &vs->v[i];
	struct json_names jn = { sb, 0 };
	strbuf_addf(sb, "{\"value\":%" PRIu64 ",\"names\":[", v->u);
	size_t j = i + 1;
	for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
		const struct scry_value *c = &vs->v[j];
		if (c->type == SCRY_V_FLAGS) {
			scry_flags_names(c, json_add_flag_name, &jn);
		} else if (c->type == SCRY_V_ENUM && scry_enum_name(c)) {
			strbuf_addstr(sb, jn.n++ ? "," : "");
			json_add_key(sb, scry_enum_name(c));
		}
		j = skip_bounded(vs, j, depth + 1);
	}
	strbuf_addch(sb, ']');
	j = i + 1;
	for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
		const struct scry_value *c = &vs->v[j];
		/* an ENUM part without a name for its number: the number */
		int unnamed_enum = c->type == SCRY_V_ENUM && !scry_enum_name(c);
		if (c->name && c->type != SCRY_V_FLAGS && (c->type != SCRY_V_ENUM || unnamed_enum) &&
		    !(c->flags & SCRY_VF_COMMENT)) {
			strbuf_addch(sb, ',');
			json_add_key(sb, c->name);
			strbuf_addch(sb, ':');
			j = json_value(sb, vs, j, depth + 1);
		} else {
			j = skip_bounded(vs, j, depth + 1);
		}
	}
	strbuf_addch(sb, '}');
	return j;
}

/* Renders node i; returns the index after its subtree (bounded by vs->n). */
static size_t json_value(struct strbuf *sb, const struct scry_values *vs, size_t i, int depth)
{
	const struct scry_value *v = &vs->v[i];
	if (depth > 64) {
		strbuf_addstr(sb, "null");
		return skip_bounded(vs, i, 0);
	}
	switch (v->type) {
	case SCRY_V_INT:
	case SCRY_V_FD:
		strbuf_addf(sb, "%" PRId64, v->i);
		break;
	case SCRY_V_UINT:
	case SCRY_V_HEX:
		strbuf_addf(sb, "%" PRIu64, v->u);
		break;
	case SCRY_V_OCT:
		strbuf_addf(sb, "\"0%03" PRIo64 "\"", v->u);
		break;
	case SCRY_V_PTR:
		if (v->u)
			strbuf_addf(sb, "\"%#" PRIx64 "\"", v->u);
		else
			strbuf_addstr(sb, "null");
		break;
	case SCRY_V_UNREAD:
		strbuf_addf(sb, "{\"unread\":\"%#" PRIx64 "\"}", v->u);
		break;
	case SCRY_V_STR:
		if ((v->fmt & SCRY_FMT_AT) && arena_ok(vs, v->str_off, v->str_len)) {
			struct strbuf at = STRBUF_INIT;
			strbuf_addch(&at, '@');
			strbuf_add(&at, vs->arena + v->str_off, v->str_len);
			json_add_bytes(sb, at.buf, at.len);
			strbuf_release(&at);
			break;
		}
		__attribute__((fallthrough));
	case SCRY_V_TEXT:
	case SCRY_V_COMMENT:
		if (arena_ok(vs, v->str_off, v->str_len))
			json_add_bytes(sb, vs->arena + v->str_off, v->str_len);
		else
			strbuf_addstr(sb, "\"\"");
		break;
	case SCRY_V_FLAGS:
		strbuf_addf(sb, "{\"value\":%" PRIu64 ",\"names\":", v->u);
		json_add_flag_names(sb, v);
		strbuf_addch(sb, '}');
		break;
	case SCRY_V_ENUM: {
		const char *name = scry_enum_name(v);
		if (name)
			json_add_key(sb, name);
		else
			strbuf_addf(sb, "%" PRId64, v->i);
		break;
	}
	case SCRY_V_SOCKADDR:
		if (v->str_len && arena_ok(vs, v->str_off, v->str_len)) {
			json_add_bytes(sb, vs->arena + v->str_off, v->str_len);
			/* skip the fields: the short form says it all */
			return skip_bounded(vs, i, depth);
		}
		/* the fields as an object */
		__attribute__((fallthrough));
	case SCRY_V_STRUCT: {
		strbuf_addch(sb, '{');
		size_t j = json_members(sb, vs, i + 1, v->count, 0, depth);
		strbuf_addch(sb, '}');
		return j;
	}
	case SCRY_V_INOUT: {
		/* {"in":..,"out":..}, or {"out":..} */
		static const char *const keys[2] = { "in", "out" };
		strbuf_addch(sb, '{');
		size_t j = i + 1;
		uint32_t from = v->count == 1 ? 1 : 0;
		for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
			if (k)
				strbuf_addch(sb, ',');
			if (from + k < 2) {
				json_add_key(sb, keys[from + k]);
			} else {
				char kb[32];
				snprintf(kb, sizeof(kb), "field%u", (unsigned)k);
				json_add_key(sb, kb);
			}
			strbuf_addch(sb, ':');
			j = json_value(sb, vs, j, depth + 1);
		}
		strbuf_addch(sb, '}');
		return j;
	}
	case SCRY_V_FUNC:
		/* htons(80) is the number 80: the value without the function;
		 * makedev(0x8, 0x1) is {"major":8,"minor":1} */
		if (!v->count || i + 1 >= vs->n) {
			strbuf_addstr(sb, "null");
			return skip_bounded(vs, i, depth);
		}
		if (v->fmt == SCRY_FMT_ADDROF) {
			/* inet_pton(AF_INET6, "::1", &sin6_addr) is "::1" */
			size_t j = i + 1, last = j;
			for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
				last = j;
				j = skip_bounded(vs, j, depth + 1);
			}
			json_value(sb, vs, last, depth + 1);
			return j;
		}
		if (v->count > 1) {
			strbuf_addch(sb, '{');
			size_t j = json_members(sb, vs, i + 1, v->count, 0, depth);
			strbuf_addch(sb, '}');
			return j;
		}
		json_value(sb, vs, i + 1, depth + 1);
		return skip_bounded(vs, i, depth);
	case SCRY_V_OR:
		return json_or(sb, vs, i, depth);
	case SCRY_V_WSTATUS:
		json_wstatus(sb, (int)v->i);
		break;
	case SCRY_V_SIGSET: {
		int inverted, n = 0;
		uint64_t mask = render_sigset_shown(v, &inverted);
		strbuf_addstr(sb, "{\"names\":[");
		for (unsigned b = 0; b < 64; b++) {
			if (!(mask & (1ull << b)))
				continue;
			if (n++)
				strbuf_addch(sb, ',');
			json_add_signal(sb, (int)b + 1);
		}
		strbuf_addf(sb, "],\"inverted\":%s}", inverted ? "true" : "false");
		break;
	}
	case SCRY_V_TIME: {
		struct strbuf t = STRBUF_INIT;
		render_time(&t, v->i);
		json_add_bytes(sb, t.buf ? t.buf : "", t.len);
		strbuf_release(&t);
		break;
	}
	case SCRY_V_ARRAY: {
		if (v->fmt == SCRY_FMT_INDEXED) {
			strbuf_addch(sb, '{');
			size_t j = json_members(sb, vs, i + 1, v->count, 0, depth);
			strbuf_addch(sb, '}');
			return j;
		}
		strbuf_addch(sb, '[');
		size_t j = i + 1;
		for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
			if (k)
				strbuf_addch(sb, ',');
			j = json_value(sb, vs, j, depth + 1);
		}
		strbuf_addch(sb, ']');
		return j;
	}
	default:
		strbuf_addstr(sb, "null");
		break;
	}
	return i + 1;
}

void json_add_value(struct strbuf *sb, const struct scry_values *vs)
{
	if (vs && vs->n)
		json_value(sb, vs, 0, 0);
	else
		strbuf_addstr(sb, "null");
}

void json_add_args(struct strbuf *sb, const struct scry_values *entry, const struct scry_values *exit)
{
	/* Members of both lists go into one object; keys stay apart because
	 * each list dedups its own and the kernel's names differ. */
	strbuf_addch(sb, '{');
	size_t mark = sb->len;
	if (entry && entry->n)
		json_members(sb, entry, 0, entry->n, 1, 0);
	if (exit && exit->n) {
		if (sb->len > mark)
			strbuf_addch(sb, ',');
		size_t before = sb->len;
		json_members(sb, exit, 0, exit->n, 1, 0);
		if (sb->len == before && before > mark)
			strbuf_setlen(sb, before - 1);
	}
	strbuf_addch(sb, '}');
}

void call_args_text(struct strbuf *sb, const struct scry_call *c)
{
	render_text_args(sb, c->entry_args, c->exit_args, c->more_at_exit);
}

void call_ret_text(struct strbuf *sb, const struct scry_call *c)
{
	if (c->ret_text)
		strbuf_addstr(sb, c->ret_text);
	else
		render_text_result(sb, c->t_exit_ns ? c->result : NULL);
}

void call_injected_text(struct strbuf *sb, unsigned injected)
{
	if (injected & (SCRY_INJECTED_RESULT | SCRY_INJECTED_ARGS))
		strbuf_addstr(sb, !(injected & SCRY_INJECTED_ARGS) ? " (INJECTED)"
			      : injected & SCRY_INJECTED_RESULT ? " (INJECTED: args, retval)"
			      : " (INJECTED: args)");
	if (injected & SCRY_INJECTED_DELAY)
		strbuf_addstr(sb, " (DELAYED)");
}

const char *call_name(const struct scry_call *c, char *buf)
{
	return scry_call_name(c->name, c->nr, buf);
}

/* (public: scry/output.h) */
int scry_call_text(const struct scry_call *c, char *buf, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	char nb[SCRY_CALL_NAME_MAX];
	int n;

	if (len)
		buf[0] = '\0';
	strbuf_addstr(&sb, call_name(c, nb));
	strbuf_addch(&sb, '(');
	call_args_text(&sb, c);
	strbuf_addstr(&sb, ") = ");
	call_ret_text(&sb, c);
	call_injected_text(&sb, c->injected);
	if (sb.failed) {
		strbuf_release(&sb);
		return -ENOMEM;
	}
	if (len) {
		size_t k = sb.len < len - 1 ? sb.len : len - 1;

		memcpy(buf, sb.buf, k);
		buf[k] = '\0';
	}
	n = sb.len > INT_MAX ? INT_MAX : (int)sb.len;
	strbuf_release(&sb);
	return n;
}

void output_args_text(const struct output *o, struct strbuf *sb, const struct scry_call *c)
{
	if (o->rp_text) {
		strbuf_add(sb, o->rp_text, o->rp_text_len);
		return;
	}
	call_args_text(sb, c);
}

void output_args_json(const struct output *o, struct strbuf *sb, const struct scry_call *c)
{
	if (o->rp_text) {
		if (o->rp_json && json_valid(o->rp_json, o->rp_json_len))
			strbuf_add(sb, o->rp_json, o->rp_json_len);
		else
			strbuf_addstr(sb, "{}");
		return;
	}
	json_add_args(sb, c->entry_args, c->exit_args);
}

int summary_json(struct strbuf *sb, const struct scry_stats *st, const struct scry_summary_opts *so)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	struct scry_summary_opts def;
	memset(&def, 0, sizeof(def));
	def.seconds = -1;
	int r = scry_stats_print_json(st, f, so ? so : &def);
	fclose(f);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	if (r == 0 && json_valid(buf, len))
		strbuf_add(sb, buf, len);
	else
		strbuf_addstr(sb, "null");
	free(buf);
	return r;
}
