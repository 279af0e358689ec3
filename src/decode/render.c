/* strace text from typed values. */
#include "decode/decode.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "syscalls/syscalls.h"

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

static int printable(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

void render_text_bytes(struct strbuf *out, const unsigned char *p, size_t n, int xflag)
{
	/* -x: a string with any unprintable byte is shown all in hex, as strace */
	if (xflag == 1) {
		xflag = 0;
		for (size_t i = 0; i < n; i++)
			if (!printable(p[i])) {
				xflag = 2;
				break;
			}
	}
	strbuf_addch(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (xflag == 2) {
			strbuf_addf(out, "\\x%02x", c);
			continue;
		}
		switch (c) {
		case '"': strbuf_addstr(out, "\\\""); continue;
		case '\\': strbuf_addstr(out, "\\\\"); continue;
		case '\n': strbuf_addstr(out, "\\n"); continue;
		case '\t': strbuf_addstr(out, "\\t"); continue;
		case '\r': strbuf_addstr(out, "\\r"); continue;
		case '\f': strbuf_addstr(out, "\\f"); continue;
		case '\v': strbuf_addstr(out, "\\v"); continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			strbuf_addch(out, (char)c);
		} else if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7') {
			/* A digit follows: the full three digits keep it apart. */
			strbuf_addf(out, "\\%03o", c);
		} else {
			strbuf_addf(out, "\\%o", c);
		}
	}
	strbuf_addch(out, '"');
}

struct flag_out {
	struct strbuf *out;
	int any;
};

static void add_flag(void *ctx, const char *name, uint64_t unnamed, int as_decimal)
{
	struct flag_out *f = ctx;
	if (f->any)
		strbuf_addch(f->out, '|');
	f->any = 1;
	if (name)
		strbuf_addstr(f->out, name);
	else if (as_decimal)
		strbuf_add_u64(f->out, unnamed);
	else
		strbuf_add_hex(f->out, unnamed);
}

static void render_flags(struct strbuf *out, const struct scry_value *v)
{
	struct flag_out f = { out, 0 };
	if (!scry_flags_names(v, add_flag, &f) && !(v->fmt & SCRY_FMT_BLANK0))
		strbuf_addch(out, '0');
}

static void render_enum(struct strbuf *out, const struct scry_value *v)
{
	for (const struct scry_xlat *x = v->xlat; x && x->name; x++) {
		if ((int64_t)x->val == v->i) {
			strbuf_addstr(out, x->name);
			return;
		}
	}
	if (v->fmt == 1)
		strbuf_add_hex(out, (uint64_t)v->i);
	else
		strbuf_add_i64(out, v->i);
}

static const char *const ptrace_events[] = {
	NULL, "PTRACE_EVENT_FORK", "PTRACE_EVENT_VFORK", "PTRACE_EVENT_CLONE",
	"PTRACE_EVENT_EXEC", "PTRACE_EVENT_VFORK_DONE", "PTRACE_EVENT_EXIT",
	"PTRACE_EVENT_SECCOMP",
};

const char *render_ptrace_event(unsigned ev)
{
	return ev < sizeof(ptrace_events) / sizeof(ptrace_events[0]) ? ptrace_events[ev] : NULL;
}

static void add_signal(struct strbuf *out, int sig)
{
	const char *s = scry_signal_name(sig);
	if (s)
		strbuf_addstr(out, s);
	else
		strbuf_addf(out, "%d", sig);
}

/* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] */
static void render_wstatus(struct strbuf *out, int st)
{
	if (WIFSTOPPED(st)) {
		unsigned ev = (unsigned)st >> 16;
		strbuf_addstr(out, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		add_signal(out, WSTOPSIG(st));
		strbuf_addch(out, '}');
		if (ev && render_ptrace_event(ev))
			strbuf_addf(out, " | %s << 16]", render_ptrace_event(ev));
		else if (ev)
			strbuf_addf(out, " | %#x]", ev << 16);
		else
			strbuf_addch(out, ']');
	} else if (WIFSIGNALED(st)) {
		strbuf_addstr(out, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		add_signal(out, WTERMSIG(st));
		strbuf_addf(out, "%s}]", WCOREDUMP(st) ? " && WCOREDUMP(s)" : "");
	} else if (WIFEXITED(st)) {
		strbuf_addf(out, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", WEXITSTATUS(st));
	} else if (WIFCONTINUED(st)) {
		strbuf_addstr(out, "[{WIFCONTINUED(s)}]");
	} else {
		strbuf_addf(out, "[%#x]", (unsigned)st);
	}
}

uint64_t render_sigset_shown(const struct scry_value *v, int *inverted)
{
	unsigned nsig = v->fmt > 64 ? 64 : v->fmt;
	uint64_t all = nsig >= 64 ? ~0ull : ((1ull << nsig) - 1);
	*inverted = nsig && (unsigned)__builtin_popcountll(v->u) * 2 > nsig;
	return *inverted ? ~v->u & all : v->u & all;
}

/*
 * strace's form of a set: names without "SIG", space separated, and the
 * complement ("~[RTMIN RT_1]") when more than half the signals are in it.
 */
static void render_sigset(struct strbuf *out, const struct scry_value *v)
{
	int inverted;
	uint64_t mask = render_sigset_shown(v, &inverted);
	if (inverted)
		strbuf_addch(out, '~');
	strbuf_addch(out, '[');
	int first = 1;
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & (1ull << i)))
			continue;
		const char *s = scry_signal_name((int)i + 1);
		if (!first)
			strbuf_addch(out, ' ');
		if (s && !strncmp(s, "SIG", 3))
			strbuf_addstr(out, s + 3);
		else
			strbuf_addf(out, "%u", i + 1);
		first = 0;
	}
	strbuf_addch(out, ']');
}

void render_time(struct strbuf *out, int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char buf[64];
	if (localtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%FT%T%z", &tm))
		strbuf_addstr(out, buf);
	else
		strbuf_addf(out, "%" PRId64, sec);
}

/* Renders node i; returns the index after its subtree. */
/* -y's <path>: the kernel ends an unlinked file's link text with
 * " (deleted)" (a memfd always); strace prints that after the brackets,
 * "3</memfd:x>(deleted)". */
static void render_fd_path(struct strbuf *out, const char *path, size_t len)
{
	static const char del[] = " (deleted)";
	size_t dl = sizeof(del) - 1;
	int deleted = len > dl && !memcmp(path + len - dl, del, dl);
	size_t n = deleted ? len - dl : len;

	strbuf_addch(out, '<');
	strbuf_add(out, path, n);
	strbuf_addch(out, '>');
	if (deleted)
		strbuf_addstr(out, "(deleted)");
}

static size_t render_node(struct strbuf *out, const struct scry_values *vs, size_t i)
{
	const struct scry_value *v = &vs->v[i];
	switch (v->type) {
	case SCRY_V_INT:
		strbuf_add_i64(out, v->i);
		break;
	case SCRY_V_UINT:
		if (v->fmt == SCRY_FMT_KIB)
			strbuf_addf(out, "%" PRIu64 "*1024", v->u / 1024);
		else if (v->fmt == SCRY_FMT_SHIFT)
			strbuf_addf(out, "%" PRIu64 "<<%s", v->u, v->name ? v->name : "?");
		else
			strbuf_add_u64(out, v->u);
		break;
	case SCRY_V_HEX:
		if (v->fmt & SCRY_FMT_SHL)
			strbuf_addf(out, "%#" PRIx64 "<<%u", v->u, v->fmt & 0xffu);
		else if (v->fmt == SCRY_FMT_HEX08)
			strbuf_addf(out, "%08" PRIx64, v->u);
		else
			strbuf_add_hex(out, v->u);
		break;
	case SCRY_V_OCT:
		strbuf_addf(out, "%#03" PRIo64, v->u);   /* 000, 0644 */
		break;
	case SCRY_V_PTR:
	case SCRY_V_UNREAD:
		if (!v->u && v->type == SCRY_V_PTR && v->fmt == SCRY_FMT_NIL)
			strbuf_addstr(out, "(nil)");
		else if (v->u)
			strbuf_add_hex(out, v->u);
		else
			strbuf_addstr(out, "NULL");
		break;
	case SCRY_V_FD:
		if (v->i == AT_FDCWD)
			strbuf_addstr(out, "AT_FDCWD");
		else
			strbuf_add_i64(out, v->i);
		if (v->path_len)
			render_fd_path(out, scry_value_path(vs, v), v->path_len);
		break;
	case SCRY_V_STR:
		if (v->fmt & SCRY_FMT_AT)
			strbuf_addch(out, '@');
		render_text_bytes(out, (const unsigned char *)scry_value_str(vs, v), v->str_len,
				  v->fmt & ~SCRY_FMT_AT);
		if (v->flags & SCRY_VF_TRUNC)
			strbuf_addstr(out, "...");
		break;
	case SCRY_V_TEXT:
		strbuf_add(out, scry_value_str(vs, v), v->str_len);
		break;
	case SCRY_V_FLAGS:
		render_flags(out, v);
		break;
	case SCRY_V_ENUM:
		if (v->fmt & SCRY_FMT_SHL) {
			const char *n = scry_enum_name(v);
			if (n)
				strbuf_addstr(out, n);
			else
				strbuf_addf(out, "%#" PRIx64, (uint64_t)v->i);
			strbuf_addf(out, "<<%u", v->fmt & 0xffu);
			break;
		}
		render_enum(out, v);
		if (v->fmt == SCRY_FMT_SHIFT)
			strbuf_addf(out, "<<%s", v->name ? v->name : "?");
		break;
	case SCRY_V_ERRNO:
		strbuf_add_i64(out, -v->i);
		break;
	case SCRY_V_NONE:
		strbuf_addch(out, '?');
		break;
	case SCRY_V_COMMENT:
		strbuf_addstr(out, "/* ");
		strbuf_add(out, scry_value_str(vs, v), v->str_len);
		strbuf_addstr(out, " */");
		break;
	case SCRY_V_INOUT: {
		/* "in => out", or "=> out" when only what the kernel wrote */
		size_t j = i + 1;
		for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
			if (k || v->count == 1)
				strbuf_addstr(out, k ? " => " : "=> ");
			j = render_node(out, vs, j);
		}
		return j;
	}
	case SCRY_V_WSTATUS:
		render_wstatus(out, (int)v->i);
		break;
	case SCRY_V_SIGSET:
		render_sigset(out, v);
		break;
	case SCRY_V_TIME:
		render_time(out, v->i);
		break;
	case SCRY_V_OR: {
		/* the parts joined by "|"; a comment after its part */
		size_t j = i + 1;
		for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
			if (vs->v[j].flags & SCRY_VF_COMMENT)
				strbuf_addch(out, ' ');
			else if (k)
				strbuf_addch(out, '|');
			j = render_node(out, vs, j);
		}
		return j;
	}
	case SCRY_V_FUNC: {
		strbuf_add(out, scry_value_str(vs, v), v->str_len);
		strbuf_addch(out, '(');
		size_t j = i + 1;
		for (uint32_t k = 0; k < v->count && j < vs->n; k++) {
			/* a comment after its argument: htons(0x1234 /\* ETHER_P_??? *\/) */
			if (vs->v[j].flags & SCRY_VF_COMMENT)
				strbuf_addch(out, ' ');
			else if (k)
				strbuf_addstr(out, ", ");
			j = render_node(out, vs, j);
		}
		if (v->fmt == SCRY_FMT_ADDROF)
			strbuf_addf(out, "%s&%s", v->count ? ", " : "", v->name ? v->name : "?");
		strbuf_addch(out, ')');
		return j;
	}
	case SCRY_V_STRUCT:
	case SCRY_V_SOCKADDR:
	case SCRY_V_ARRAY: {
		int is_array = v->type == SCRY_V_ARRAY;
		strbuf_addch(out, is_array ? '[' : '{');
		size_t j = i + 1;
		for (uint32_t k = 0; k < v->count; k++) {
			const struct scry_value *c = &vs->v[j];
			if (k && !(c->flags & SCRY_VF_COMMENT))
				strbuf_addstr(out, is_array && v->fmt == SCRY_FMT_SPACED ? " " : ", ");
			else if (k)
				strbuf_addch(out, ' ');
			if (!is_array && c->name && !(c->flags & SCRY_VF_COMMENT) &&
			    !(c->type == SCRY_V_FUNC && c->fmt == SCRY_FMT_ADDROF))
				strbuf_addf(out, "%s=", c->name);
			else if (is_array && v->fmt == SCRY_FMT_INDEXED && c->name)
				strbuf_addf(out, "[%s]=", c->name);
			j = render_node(out, vs, j);
		}
		if (v->flags & (SCRY_VF_ABBREV | SCRY_VF_TRUNC))
			strbuf_addstr(out, v->count ? ", ..." : "...");
		strbuf_addch(out, is_array ? ']' : '}');
		return j;
	}
	}
	return i + 1;
}

void render_text_value(struct strbuf *out, const struct scry_values *vs, size_t i)
{
	render_node(out, vs, i);
}

void render_text_after(struct strbuf *out, const struct scry_values *vs)
{
	int any = 0;
	for (size_t i = 0; i < vs->n; i = scry_values_skip(vs, i)) {
		const struct scry_value *v = &vs->v[i];
		if (!(v->flags & SCRY_VF_AFTER))
			continue;
		strbuf_addstr(out, any ? ", " : " (");
		any = 1;
		if ((v->flags & SCRY_VF_NAMED) && v->name)
			strbuf_addf(out, "%s ", v->name);
		render_node(out, vs, i);
	}
	if (any)
		strbuf_addch(out, ')');
}

void render_text_list(struct strbuf *out, const struct scry_values *vs, size_t from, int first)
{
	size_t i = from;
	while (i < vs->n) {
		const struct scry_value *v = &vs->v[i];
		if (v->flags & SCRY_VF_AFTER) {
			i = scry_values_skip(vs, i);
			continue;
		}
		if (v->flags & SCRY_VF_COMMENT) {
			strbuf_addch(out, ' ');
		} else if (!first) {
			strbuf_addstr(out, ", ");
		}
		first = 0;
		if ((v->flags & SCRY_VF_NAMED) && v->name)
			strbuf_addf(out, "%s=", v->name);
		i = render_node(out, vs, i);
	}
}

static const char *restart_message(int64_t err)
{
	switch (err) {
	case 512: return "To be restarted if SA_RESTART is set";
	case 513: return "To be restarted";
	case 514: return "To be restarted if no handler";
	case 516: return "Interrupted by signal";
	}
	return NULL;
}

void render_text_result(struct strbuf *out, const struct scry_values *vs)
{
	if (!vs || !vs->n) {
		strbuf_addch(out, '?');
		return;
	}
	const struct scry_value *v = &vs->v[0];
	switch (v->type) {
	case SCRY_V_ERRNO: {
		int err = (int)v->i;
		const char *name = scry_errno_name(err);
		const char *restart = restart_message(v->i);
		if (restart)
			strbuf_addf(out, "? %s (%s)", name ? name : "ERESTART", restart);
		else if (name)
			strbuf_addf(out, "-1 %s (%s)", name, strerror(err));
		else
			strbuf_addf(out, "-1 %d (%s)", err, strerror(err));
		break;
	}
	case SCRY_V_FLAGS:
		/* strace: "0x8002 (flags O_RDWR|O_LARGEFILE)" */
		strbuf_addf(out, "%#" PRIx64 " (", v->u);
		if (v->name)
			strbuf_addf(out, "%s ", v->name);
		render_flags(out, v);
		strbuf_addch(out, ')');
		break;
	case SCRY_V_ENUM:
		/* strace: "1 (SUID_DUMP_USER)" */
		strbuf_addf(out, "%" PRId64 " (", v->i);
		render_enum(out, v);
		strbuf_addch(out, ')');
		break;
	default:
		render_node(out, vs, 0);
		break;
	}
}

int render_text_entry_comma(const struct scry_values *entry, int more_at_exit)
{
	if (!more_at_exit || !entry)
		return 0;
	const struct scry_value *last = NULL;
	for (size_t i = 0; i < entry->n; i = scry_values_skip(entry, i))
		if (!(entry->v[i].flags & SCRY_VF_AFTER))
			last = &entry->v[i];
	return last && !(last->flags & SCRY_VF_UPDATED);
}

void render_text_args(struct strbuf *out, const struct scry_values *entry,
		      const struct scry_values *exit, int more_at_exit)
{
	int any = entry && entry->n;
	if (any)
		render_text_list(out, entry, 0, 1);
	int comma = render_text_entry_comma(entry, more_at_exit);
	if (comma)
		strbuf_addstr(out, ", ");
	if (exit && exit->n)
		render_text_list(out, exit, 0, !any || comma);
}
