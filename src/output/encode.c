/*
 * Escaping of hostile bytes for the structured outputs, the typed values as
 * JSON, the buffered writer, and the common struct output (encode.h,
 * formats.h).
 */
#include "output/encode.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decode/decode.h"
#include "filter/filter.h"
#include "syscalls/syscalls.h"

/* ---- UTF-8, base64 ---- */

int utf8_valid(const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i < len)
			return 0;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

void base64_add(struct strbuf *sb, const void *data, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	strbuf_grow(sb, (n + 2) / 3 * 4);
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], tab[(v >> 6) & 63], tab[v & 63] };
		strbuf_add(sb, q, 4);
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		char q[4] = { tab[v >> 18], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=', '=' };
		strbuf_add(sb, q, 4);
	}
}

/* ---- JSON ---- */

static void json_escape(struct strbuf *sb, const unsigned char *p, size_t n)
{
	strbuf_addch(sb, '"');
	size_t run = 0;   /* bytes copied as they are, added in one go */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		const char *esc = NULL;
		char u[8];
		if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c == 0x7f) {
			switch (c) {
			case '"': esc = "\\\""; break;
			case '\\': esc = "\\\\"; break;
			case '\n': esc = "\\n"; break;
			case '\t': esc = "\\t"; break;
			case '\r': esc = "\\r"; break;
			case '\b': esc = "\\b"; break;
			case '\f': esc = "\\f"; break;
			default:
				snprintf(u, sizeof(u), "\\u%04x", c);
				esc = u;
			}
		} else if (c == 0xe2 && i + 2 < n && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
			/* U+2028, U+2029: line breaks to JavaScript */
			snprintf(u, sizeof(u), "\\u%04x", p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
			strbuf_add(sb, p + i - run, run);
			run = 0;
			strbuf_addstr(sb, u);
			i += 2;
			continue;
		}
		if (!esc) {
			run++;
			continue;
		}
		strbuf_add(sb, p + i - run, run);
		run = 0;
		strbuf_addstr(sb, esc);
	}
	strbuf_add(sb, p + n - run, run);
	strbuf_addch(sb, '"');
}

void json_add_bytes(struct strbuf *sb, const void *p, size_t n)
{
	if (utf8_valid(p, n)) {
		json_escape(sb, p, n);
		return;
	}
	strbuf_addstr(sb, "{\"base64\":\"");
	base64_add(sb, p, n);
	strbuf_addstr(sb, "\"}");
}

void json_add_str(struct strbuf *sb, const char *s)
{
	if (!s)
		strbuf_addstr(sb, "null");
	else
		json_add_bytes(sb, s, strlen(s));
}

void json_add_key(struct strbuf *sb, const char *s)
{
	json_escape(sb, (const unsigned char *)s, strlen(s));
}

/* A small recursive-descent validator: for replayed args_json, tests and
 * the fuzz targets. */
struct jv {
	const char *p, *end;
	int depth;
};

static void jv_ws(struct jv *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int jv_lit(struct jv *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return 0;
	j->p += n;
	return 1;
}

static int jv_string(struct jv *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	const char *start = ++j->p;
	while (j->p < j->end) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			int ok = utf8_valid(start, (size_t)(j->p - start));
			j->p++;
			return ok;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				return 0;
			char e = *j->p;
			if (e == 'u') {
				for (int k = 1; k <= 4; k++) {
					char h = j->p + k < j->end ? j->p[k] : 0;
					if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
						return 0;
				}
				j->p += 4;
			} else if (!strchr("\"\\/bfnrt", e) || !e) {
				return 0;
			}
		}
		j->p++;
	}
	return 0;
}

static int jv_number(struct jv *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end)
		return 0;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return 0;
	}
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		const char *d = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == d)
			return 0;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		const char *d = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == d)
			return 0;
	}
	return j->p > s;
}

static int jv_value(struct jv *j)
{
	jv_ws(j);
	if (j->p >= j->end)
		return 0;
	char c = *j->p;
	if (c == '{' || c == '[') {
		if (++j->depth > 256)
			return 0;
		char close = c == '{' ? '}' : ']';
		j->p++;
		jv_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 1;
		}
		for (;;) {
			if (c == '{') {
				jv_ws(j);
				if (!jv_string(j))
					return 0;
				jv_ws(j);
				if (j->p >= j->end || *j->p != ':')
					return 0;
				j->p++;
			}
			if (!jv_value(j))
				return 0;
			jv_ws(j);
			if (j->p >= j->end)
				return 0;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p != close)
				return 0;
			j->p++;
			j->depth--;
			return 1;
		}
	}
	if (c == '"')
		return jv_string(j);
	if (c == 't')
		return jv_lit(j, "true");
	if (c == 'f')
		return jv_lit(j, "false");
	if (c == 'n')
		return jv_lit(j, "null");
	return jv_number(j);
}

int json_valid(const char *p, size_t n)
{
	struct jv j = { p, p + n, 0 };
	if (!jv_value(&j))
		return 0;
	jv_ws(&j);
	return j.p == j.end;
}

/* ---- CSV ---- */

void csv_add_cell(struct strbuf *sb, const void *data, size_t n)
{
	const unsigned char *p = data;
	struct strbuf tmp = STRBUF_INIT;
	if (!utf8_valid(p, n) || (n >= 4 && !memcmp(p, "b64:", 4))) {
		strbuf_addstr(&tmp, "b64:");
		base64_add(&tmp, p, n);
		p = (const unsigned char *)tmp.buf;
		n = tmp.len;
	}
	int formula = n && strchr("=+-@\t\r'", p[0]) && p[0];
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
	if (quote)
		strbuf_addch(sb, '"');
	if (formula)
		strbuf_addch(sb, '\'');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"') {
			strbuf_add(sb, p + i - run, run + 1);
			strbuf_addch(sb, '"');
			run = 0;
		} else {
			run++;
		}
	}
	strbuf_add(sb, p + n - run, run);
	if (quote)
		strbuf_addch(sb, '"');
	strbuf_release(&tmp);
}

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
		else if (!key && v->type == SCRY_V_TEXT && (v->flags & SCRY_VF_COMMENT))
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
	case SCRY_V_TEXT:
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
	case SCRY_V_ARRAY: {
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

const char *call_name(const struct scry_call *c, char *buf)
{
	if (c->name)
		return c->name;
	snprintf(buf, 32, "syscall_%#lx", c->nr);
	return buf;
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

const char *sig_name(int sig, char *buf)
{
	const char *n = scry_signal_name(sig);
	if (n)
		return n;
	snprintf(buf, 16, "SIG%d", sig);
	return buf;
}

static void read_small(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
}

void proc_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	if (tid && tid != pid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	read_small(path, buf, len);
}

void proc_exe(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* ---- sets of ids ---- */

/* A set of ids (pids or tids) seen: open addressing, 0 is empty. */
int idset_add(struct idset *s, int id)
{
	if (id <= 0)
		return 0;
	if ((s->n + 1) * 2 > s->size) {
		size_t ns = s->size ? s->size * 2 : 64;
		int *nv = calloc(ns, sizeof(int));
		if (!nv)
			abort();
		for (size_t i = 0; i < s->size; i++) {
			if (!s->v[i])
				continue;
			size_t h = (size_t)s->v[i] * 2654435761u & (ns - 1);
			while (nv[h])
				h = (h + 1) & (ns - 1);
			nv[h] = s->v[i];
		}
		free(s->v);
		s->v = nv;
		s->size = ns;
	}
	size_t h = (size_t)id * 2654435761u & (s->size - 1);
	while (s->v[h]) {
		if (s->v[h] == id)
			return 0;
		h = (h + 1) & (s->size - 1);
	}
	s->v[h] = id;
	s->n++;
	return 1;
}

void idset_release(struct idset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- the writer ---- */

void obuf_init(struct obuf *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	struct stat st;
	w->seekable = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		      !(fcntl(fd, F_GETFL) & O_APPEND);
	strbuf_init(&w->b, 64 * 1024 + 4096);
}

static int write_all(struct obuf *w)
{
	off_t start = w->seekable ? lseek(w->fd, 0, SEEK_CUR) : -1;
	size_t off = 0;
	int err = 0;
	while (off < w->b.len) {
		ssize_t n = write(w->fd, w->b.buf + off, w->b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (err && off && start >= 0) {
		/* never leave half a row: cut back to where this write began */
		if (ftruncate(w->fd, start) == 0)
			lseek(w->fd, start, SEEK_SET);
	}
	strbuf_reset(&w->b);
	return err;
}

int obuf_flush(struct obuf *w)
{
	if (w->err) {
		strbuf_reset(&w->b);
		return w->err;
	}
	if (!w->b.len)
		return 0;
	int r = write_all(w);
	if (r && !w->err)
		w->err = r;
	return w->err;
}

int obuf_flush_final(struct obuf *w)
{
	if (!w->b.len)
		return w->err;
	int r = write_all(w);
	if (r && !w->err)
		w->err = r;
	return w->err;
}

void obuf_release(struct obuf *w)
{
	strbuf_release(&w->b);
}

/* ---- formats and the common interface ---- */

static const struct {
	const char *name;
	enum output_format fmt;
} format_names[] = {
	{ "text", FMT_TEXT }, { "strace", FMT_TEXT },
	{ "json", FMT_JSON },
	{ "jsonl", FMT_JSONL }, { "json-lines", FMT_JSONL }, { "ndjson", FMT_JSONL },
	{ "csv", FMT_CSV },
	{ "chrome", FMT_CHROME }, { "perfetto", FMT_CHROME },
	{ "sqlite", FMT_SQLITE }, { "db", FMT_SQLITE },
};

int output_format_parse(const char *name, enum output_format *out)
{
	for (size_t i = 0; name && i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!strcasecmp(name, format_names[i].name)) {
			*out = format_names[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

const char *output_format_name(enum output_format fmt)
{
	switch (fmt) {
	case FMT_JSON: return "json";
	case FMT_JSONL: return "jsonl";
	case FMT_CSV: return "csv";
	case FMT_CHROME: return "chrome";
	case FMT_SQLITE: return "sqlite";
	default: return "text";
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a > b && !strcasecmp(s + a - b, suffix);
}

enum output_format output_format_from_path(const char *path)
{
	if (!path)
		return FMT_TEXT;
	if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson"))
		return FMT_JSONL;
	if (ends_with(path, ".json"))
		return FMT_JSON;
	if (ends_with(path, ".csv"))
		return FMT_CSV;
	if (ends_with(path, ".db") || ends_with(path, ".sqlite") || ends_with(path, ".sqlite3"))
		return FMT_SQLITE;
	return FMT_TEXT;
}

static uint64_t now_real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int output_open(struct output **out, enum output_format fmt, const struct output_opts *opts,
		char *err, size_t errlen)
{
	int r;
	*out = NULL;
	if (errlen)
		err[0] = '\0';
	switch (fmt) {
	case FMT_JSON:
	case FMT_JSONL:
		r = json_output_new(out, fmt, opts, err, errlen);
		break;
	case FMT_CSV:
		r = csv_output_new(out, opts, err, errlen);
		break;
	case FMT_CHROME:
		r = chrome_output_new(out, opts, err, errlen);
		break;
	case FMT_SQLITE:
		r = sqlite_output_new(out, opts, err, errlen);
		break;
	default:
		snprintf(err, errlen, "the text format is not a structured output");
		return -EINVAL;
	}
	if (r < 0) {
		if (errlen && !err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		*out = NULL;
	}
	return r;
}

/* Sets by the formats' constructors; keeps the first error. */
static int report_once(struct output *o)
{
	if (o->err && !o->err_returned) {
		o->err_returned = 1;
		return o->err;
	}
	return 0;
}

static int wanted(const struct output *o, const struct scry_event *ev)
{
	const struct scry_filter *f = o->o.filter;
	if (!f)
		return 1;
	switch (ev->type) {
	case SCRY_EV_CALL_ENTER:
		return scry_filter_traced(f, ev->u.call.nr);
	case SCRY_EV_CALL_EXIT:
		return scry_filter_traced(f, ev->u.call.nr) &&
		       scry_filter_status_ok(f, ev->u.call.is_error, ev->u.call.t_exit_ns == 0);
	case SCRY_EV_SIGNAL:
		return scry_filter_signal_ok(f, ev->u.signal.signo);
	default:
		return 1;
	}
}

static int sink_event(void *ctx, const struct scry_event *ev)
{
	struct output *o = ctx;
	if (o->err || o->finished)
		return report_once(o);
	if (!wanted(o, ev))
		return 0;
	int r = o->ops->event(o, ev);
	if (r < 0 && !o->err)
		o->err = r;
	return report_once(o);
}

static int sink_flush(void *ctx)
{
	struct output *o = ctx;
	if (o->err || o->finished || !o->ops->flush)
		return report_once(o);
	int r = o->ops->flush(o);
	if (r < 0 && !o->err)
		o->err = r;
	return report_once(o);
}

void output_as_sink(struct output *o, struct scry_sink *sink)
{
	sink->event = sink_event;
	sink->flush = sink_flush;
	sink->ctx = o;
}

int output_replay_call(struct output *o, const struct scry_event *ev,
		       const char *args_text, size_t text_len,
		       const char *args_json, size_t json_len)
{
	o->rp_text = args_text ? args_text : "";
	o->rp_text_len = args_text ? text_len : 0;
	o->rp_json = args_json;
	o->rp_json_len = args_json ? json_len : 0;
	int r = sink_event(o, ev);
	o->rp_text = o->rp_json = NULL;
	return r;
}

int output_finish(struct output *o, const struct scry_stats *summary,
		  const struct scry_summary_opts *sopts, uint64_t lost_events)
{
	if (!o)
		return 0;
	if (o->finished)
		return o->err;
	o->finished = 1;
	int r = o->ops->finish(o, o->o.summary ? summary : NULL, sopts, lost_events);
	if (r < 0 && !o->err)
		o->err = r;
	return o->err;
}

void output_free(struct output *o)
{
	if (!o)
		return;
	output_finish(o, NULL, NULL, 0);
	o->ops->free(o);
}

void output_base_init(struct output *o, enum output_format fmt, const struct output_ops *ops,
		      const struct output_opts *opts)
{
	o->fmt = fmt;
	o->ops = ops;
	o->o = *opts;
	o->start_ns = opts->start_ns ? opts->start_ns : now_real_ns();
}
