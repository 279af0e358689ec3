/*
 * The -e expression language (see filter.h for the grammar).
 *
 * Every list (trace=, status=, signal=) is evaluated the same way: its items
 * resolve to sets of numbers (syscall numbers, status bits, signal numbers),
 * the positive ones are united, the negated ones removed.  Only the way a
 * list combines with what came before differs.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"

#define NWORDS (SCRY_FILTER_MAX_NR / 64)

/* A set of small numbers plus "everything beyond the bitmap". */
struct nrset {
	uint64_t w[NWORDS];
	bool other;
};

static void set_clear(struct nrset *s)
{
	memset(s, 0, sizeof(*s));
}

static void set_fill(struct nrset *s)
{
	memset(s->w, 0xff, sizeof(s->w));
	s->other = true;
}

static void set_add(struct nrset *s, long n)
{
	if (n >= 0 && n < SCRY_FILTER_MAX_NR)
		s->w[n / 64] |= UINT64_C(1) << (n % 64);
}

static bool set_has(const struct nrset *s, long n)
{
	if (n < 0 || n >= SCRY_FILTER_MAX_NR)
		return s->other;
	return (s->w[n / 64] >> (n % 64)) & 1;
}

static void set_union(struct nrset *a, const struct nrset *b)
{
	for (int i = 0; i < NWORDS; i++)
		a->w[i] |= b->w[i];
	a->other |= b->other;
}

static void set_minus(struct nrset *a, const struct nrset *b)
{
	for (int i = 0; i < NWORDS; i++)
		a->w[i] &= ~b->w[i];
	a->other &= !b->other;
}

/* Where a list came from, for messages: "-e " + "trace=opne". */
struct ctx {
	const struct scry_filter *f;
	const char *prefix;
	const char *arg;
	char *err;
	size_t errlen;
};

/* "<fmt> in -e trace=...<tail>"; returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int fail(const struct ctx *c, const char *tail, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		va_list ap;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < c->errlen)
			snprintf(c->err + n, c->errlen - n, " in %s%s%s",
				 c->prefix, c->arg, tail ? tail : "");
	}
	return -EINVAL;
}

static int oom(const struct ctx *c)
{
	if (c->err && c->errlen)
		snprintf(c->err, c->errlen, "out of memory parsing %s%s", c->prefix, c->arg);
	return -ENOMEM;
}

/*
 * One item of a list, already stripped of '!' and '?', into out.  optional
 * ('?'): a value unknown here adds nothing instead of failing.
 */
typedef int (*item_fn)(const struct ctx *c, const char *item, bool optional, struct nrset *out);

/* ---- trace= ---------------------------------------------------------- */

/* Optimal string alignment distance: a swapped pair ("opne") costs one. */
static size_t edit_distance(const char *a, const char *b)
{
	enum { MAXLEN = 64 };
	size_t la = strlen(a), lb = strlen(b);
	size_t d[MAXLEN + 1][MAXLEN + 1];

	if (la > MAXLEN || lb > MAXLEN)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The closest syscall name within two edits, else the shortest name that
 * starts with what was typed; NULL when nothing is close. */
static const char *suggest(const struct scry_syscall_table *t, const char *typed)
{
	const char *best = NULL, *prefixed = NULL;
	size_t best_d = 3, tl = strlen(typed);

	for (unsigned int nr = 0; nr < t->ncalls; nr++) {
		const char *n = t->calls[nr].name;
		size_t d;

		if (!n)
			continue;
		d = edit_distance(typed, n);
		if (d < best_d) {
			best_d = d;
			best = n;
		}
		if (tl && !strncmp(n, typed, tl) && (!prefixed || strlen(n) < strlen(prefixed)))
			prefixed = n;
	}
	return best ? best : prefixed;
}

/* On x86_64, the i386 table (ia32 processes' calls), whose call n is bit
 * SCRY_FILTER_I386_BASE + n: names and classes select in it too, as
 * strace's do in every personality. */
static const struct scry_syscall_table *compat_table(const struct scry_syscall_table *t)
{
	return t == &scry_table_x86_64 && t->ncalls <= SCRY_FILTER_I386_BASE ? &scry_table_i386 : NULL;
}

static void add_class(const struct scry_syscall_table *t, unsigned int bit, struct nrset *out)
{
	const struct scry_syscall_table *ct = compat_table(t);

	for (unsigned int nr = 0; nr < t->ncalls; nr++)
		if (t->calls[nr].name && (t->calls[nr].classes & bit))
			set_add(out, nr);
	for (unsigned int nr = 0; ct && nr < ct->ncalls; nr++)
		if (ct->calls[nr].name && (ct->calls[nr].classes & bit))
			set_add(out, SCRY_FILTER_I386_BASE + nr);
}

/* The class names strace accepts without '%' (the pre-4.17 spelling). */
static bool bare_class(const char *s)
{
	static const char *const names[] = {
		"desc", "file", "memory", "process", "signal", "ipc", "network",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return true;
	return false;
}

static int regex_item(const struct ctx *c, const char *item, struct nrset *out)
{
	const struct scry_syscall_table *t = c->f->table;
	size_t len = strlen(item + 1);
	char *pat = strdup(item + 1);
	regex_t re;
	int rc;

	if (!pat)
		return oom(c);
	/* "/regex/" and strace's "/regex" both work */
	if (len && pat[len - 1] == '/')
		pat[len - 1] = '\0';
	rc = regcomp(&re, pat, REG_EXTENDED | REG_NOSUB);
	free(pat);
	if (rc) {
		char msg[128] = ": ";

		regerror(rc, &re, msg + 2, sizeof(msg) - 2);
		return fail(c, msg, "invalid regex '%s'", item);
	}
	for (unsigned int nr = 0; nr < t->ncalls; nr++)
		if (t->calls[nr].name && !regexec(&re, t->calls[nr].name, 0, NULL, 0))
			set_add(out, nr);
	for (const struct scry_syscall_table *ct = compat_table(t); ct; ct = NULL)
		for (unsigned int nr = 0; nr < ct->ncalls; nr++)
			if (ct->calls[nr].name && !regexec(&re, ct->calls[nr].name, 0, NULL, 0))
				set_add(out, SCRY_FILTER_I386_BASE + nr);
	regfree(&re);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int trace_item(const struct ctx *c, const char *item, bool optional, struct nrset *out)
{
	const struct scry_syscall_table *t = c->f->table;
	const char *hint;
	long nr;

	if (item[0] == '/')
		return regex_item(c, item, out);
	if (item[0] == '%') {
		unsigned int bit = scry_class_lookup(item);

		if (!bit)
			return optional ? 0 : fail(c, NULL, "unknown syscall class '%s'", item);
		add_class(t, bit, out);
		return 0;
	}
	if (!strcmp(item, "all")) {
		set_fill(out);
		return 0;
	}
	if (!strcmp(item, "none"))
		return 0;
	if (bare_class(item)) {
		add_class(t, scry_class_lookup(item), out);
		return 0;
	}
	nr = scry_syscall_lookup(t, item);
	if (compat_table(t)) {
		long cnr = scry_syscall_lookup(compat_table(t), item);

		if (cnr >= 0) {
			set_add(out, SCRY_FILTER_I386_BASE + cnr);
			if (nr < 0)
				return 0;   /* an i386 call only (_llseek, stat64) */
		}
	}
	if (nr < 0 && all_digits(item) && strlen(item) < 8) {
		nr = strtol(item, NULL, 10);
		if ((unsigned long)nr >= t->ncalls)
			nr = -1;
	}
	if (nr >= 0) {
		set_add(out, nr);
		return 0;
	}
	if (optional)
		return 0;
	hint = suggest(t, item);
	if (hint) {
		char tail[96];

		snprintf(tail, sizeof(tail), " (did you mean '%s'?)", hint);
		return fail(c, tail, "unknown syscall '%s'", item);
	}
	return fail(c, NULL, "unknown syscall '%s'", item);
}

/* ---- status= and signal= --------------------------------------------- */

static const char *const status_names[] = {
	"successful", "failed", "unfinished", "unavailable", "detached",
};

static int status_item(const struct ctx *c, const char *item, bool optional, struct nrset *out)
{
	if (!strcmp(item, "all")) {
		set_fill(out);
		return 0;
	}
	if (!strcmp(item, "none"))
		return 0;
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++) {
		if (!strcmp(item, status_names[i])) {
			set_add(out, (long)i);
			return 0;
		}
	}
	if (optional)
		return 0;
	return fail(c, " (expected successful, failed, unfinished, unavailable or detached)",
		    "unknown status '%s'", item);
}

static int signal_item(const struct ctx *c, const char *item, bool optional, struct nrset *out)
{
	int sig;

	if (!strcmp(item, "all")) {
		set_fill(out);
		return 0;
	}
	if (!strcmp(item, "none"))
		return 0;
	sig = scry_signal_lookup(item);
	if (sig >= 1 && sig <= SCRY_FILTER_MAX_SIG) {
		set_add(out, sig);
		return 0;
	}
	return optional ? 0 : fail(c, NULL, "unknown signal '%s'", item);
}

/* ---- lists -------------------------------------------------------------- */

/*
 * Evaluates list into *res.  old is what the earlier lists of this kind
 * left, or NULL for the first (or when lists replace each other).
 */
static int eval_list(const struct ctx *c, const char *list, const char *what,
		     item_fn fn, const struct nrset *old, struct nrset *res)
{
	struct nrset pos, neg;
	bool negate_all = false, has_pos = false, any = false;
	char *copy, *save = NULL;
	int rc = 0;

	while (*list == '!') {
		negate_all = !negate_all;
		list++;
	}
	if (!strcmp(list, "all") || !strcmp(list, "none")) {
		bool all = !strcmp(list, "all") != negate_all;

		if (all)
			set_fill(res);
		else
			set_clear(res);
		return 0;
	}

	set_clear(&pos);
	set_clear(&neg);
	copy = strdup(list);
	if (!copy)
		return oom(c);
	/* empty items are skipped, as strace's strtok does */
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool is_neg = false, optional = false;

		if (*tok == '!') {
			is_neg = true;
			tok++;
		}
		if (*tok == '?') {
			optional = true;
			tok++;
		}
		if (!*tok) {
			rc = fail(c, NULL, "empty %s item", what);
			break;
		}
		rc = fn(c, tok, optional, is_neg ? &neg : &pos);
		if (rc < 0)
			break;
		has_pos |= !is_neg;
		any = true;
	}
	free(copy);
	if (rc < 0)
		return rc;
	if (!any)
		return fail(c, strcmp(what, "syscall") ? NULL : " (use trace=none to trace nothing)",
			    "empty %s list", what);

	if (!negate_all) {
		if (old)
			*res = *old;
		else if (has_pos)
			set_clear(res);
		else
			set_fill(res);
		set_union(res, &pos);
		set_minus(res, &neg);
	} else {
		struct nrset inner;

		if (has_pos)
			inner = pos;
		else
			set_fill(&inner);
		set_minus(&inner, &neg);
		if (old)
			*res = *old;
		else
			set_fill(res);
		set_minus(res, &inner);
	}
	return 0;
}

/* Is the call name selected in s, in t or in its i386 table ct (send and
 * recv are only there)? */
static bool name_in(const struct scry_syscall_table *t, const struct scry_syscall_table *ct,
		    const struct nrset *s, const char *name)
{
	long nr = scry_syscall_lookup(t, name), cnr = scry_syscall_lookup(ct, name);
	return (nr >= 0 && set_has(s, nr)) || (cnr >= 0 && set_has(s, SCRY_FILTER_I386_BASE + cnr));
}

/* Bits from ncalls up follow "other" (filter.h promises it). */
static void normalize_trace(const struct scry_syscall_table *t, struct nrset *s)
{
	const struct scry_syscall_table *ct = compat_table(t);

	for (long nr = t->ncalls; nr < SCRY_FILTER_MAX_NR; nr++) {
		if (ct && nr >= SCRY_FILTER_I386_BASE && nr < SCRY_FILTER_I386_BASE + ct->ncalls &&
		    ct->calls[nr - SCRY_FILTER_I386_BASE].name)
			continue;
		if (s->other)
			s->w[nr / 64] |= UINT64_C(1) << (nr % 64);
		else
			s->w[nr / 64] &= ~(UINT64_C(1) << (nr % 64));
	}
	/* an ia32 process makes socket calls through socketcall too, shown
	 * by the call's name (core/engine.c): socketcall is traced when one of
	 * them is, so that --seccomp-bpf stops it */
	for (unsigned call = 1; ct && call < 32; call++) {
		const char *name = scry_i386_socketcall(call, NULL);
		if (name && name_in(t, ct, s, name))
			set_add(s, SCRY_FILTER_I386_BASE + SCRY_I386_SOCKETCALL);
	}
	/* and SysV IPC through ipc (semop, shmat, ...) */
	for (size_t i = 0; ct && scry_i386_ipc_calls[i]; i++)
		if (name_in(t, ct, s, scry_i386_ipc_calls[i]))
			set_add(s, SCRY_FILTER_I386_BASE + SCRY_I386_IPC);
}

static int parse_trace(struct scry_filter *f, const struct ctx *c, const char *list)
{
	struct nrset old, res;
	int rc;

	memcpy(old.w, f->trace, sizeof(old.w));
	old.other = f->trace_other;
	rc = eval_list(c, list, "syscall", trace_item, f->trace_seen ? &old : NULL, &res);
	if (rc < 0)
		return rc;
	normalize_trace(f->table, &res);
	memcpy(f->trace, res.w, sizeof(f->trace));
	f->trace_other = res.other;
	f->trace_seen = true;
	return 0;
}

static int parse_status(struct scry_filter *f, const struct ctx *c, const char *list)
{
	struct nrset res;
	unsigned int st = 0;
	int rc = eval_list(c, list, "status", status_item, NULL, &res);

	if (rc < 0)
		return rc;
	for (int i = 0; i < 5; i++)
		if (set_has(&res, i))
			st |= 1u << i;
	f->status = st;
	return 0;
}

static int parse_signal(struct scry_filter *f, const struct ctx *c, const char *list)
{
	struct nrset res;
	uint64_t sigs = 0;
	int rc = eval_list(c, list, "signal", signal_item, NULL, &res);

	if (rc < 0)
		return rc;
	for (int sig = 1; sig <= SCRY_FILTER_MAX_SIG; sig++)
		if (set_has(&res, sig))
			sigs |= UINT64_C(1) << (sig - 1);
	f->signals = sigs;
	return 0;
}

/* ---- API ---------------------------------------------------------------- */

void scry_filter_init(struct scry_filter *f, const struct scry_syscall_table *t)
{
	memset(f, 0, sizeof(*f));
	f->table = t;
	memset(f->trace, 0xff, sizeof(f->trace));
	f->trace_other = true;
	f->trace_seen = false;
	f->status = SCRY_STATUS_ALL;
	f->signals = UINT64_MAX;
}

int scry_filter_parse(struct scry_filter *f, const char *expr, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int (*parse)(struct scry_filter *, const struct ctx *, const char *);
	} quals[] = {
		{ "trace", parse_trace },
		{ "t", parse_trace },
		{ "status", parse_status },
		{ "signal", parse_signal },
		{ "signals", parse_signal },
		{ "s", parse_signal },
	};
	struct ctx c = { f, "-e ", expr, err, errlen };
	const char *eq;

	if (err && errlen)
		err[0] = '\0';
	if (!expr || !*expr) {
		if (err && errlen)
			snprintf(err, errlen, "empty -e expression (expected, e.g., -e trace=open,close)");
		return -EINVAL;
	}
	eq = strchr(expr, '=');
	if (!eq)
		return parse_trace(f, &c, expr);
	for (size_t i = 0; i < sizeof(quals) / sizeof(quals[0]); i++) {
		size_t n = strlen(quals[i].name);

		if ((size_t)(eq - expr) == n && !strncmp(expr, quals[i].name, n))
			return quals[i].parse(f, &c, eq + 1);
	}
	if (err && errlen)
		snprintf(err, errlen, "invalid -e qualifier '%.*s' in -e %s",
			 (int)(eq - expr), expr, expr);
	return -EINVAL;
}

int scry_filter_trace_spec(struct scry_filter *f, const char *spec, char *err, size_t errlen)
{
	struct ctx c = { f, "--trace=", spec ? spec : "", err, errlen };

	if (err && errlen)
		err[0] = '\0';
	return parse_trace(f, &c, spec ? spec : "");
}

int scry_filter_status_spec(struct scry_filter *f, const char *spec, char *err, size_t errlen)
{
	struct ctx c = { f, "--status=", spec ? spec : "", err, errlen };

	if (err && errlen)
		err[0] = '\0';
	return parse_status(f, &c, spec ? spec : "");
}

int scry_filter_set_status_z(struct scry_filter *f, int Z)
{
	f->status = Z ? SCRY_STATUS_FAILED : SCRY_STATUS_SUCCESSFUL;
	return 0;
}

bool scry_filter_traces_all(const struct scry_filter *f)
{
	if (!f->trace_other)
		return false;
	for (int i = 0; i < NWORDS; i++)
		if (f->trace[i] != UINT64_MAX)
			return false;
	return true;
}

bool scry_filter_is_all(const struct scry_filter *f)
{
	return scry_filter_traces_all(f) && f->status == SCRY_STATUS_ALL &&
	       f->signals == UINT64_MAX;
}

int scry_filter_set_parse(struct scry_filter *f, const char *where, const char *list,
			  char *err, size_t errlen)
{
	struct ctx c = { f, where, list, err, errlen };

	if (err && errlen)
		err[0] = '\0';
	f->trace_seen = false;
	return parse_trace(f, &c, list);
}
