/*
 * -e inject= and -e fault= (see inject.h).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter/filter.h"
#include "filter/inject.h"

#define NWORDS (SCRY_FILTER_MAX_NR / 64)
#define MAX_POKES 8
#define MAX_POKE_BYTES 1024

struct pctx {
	const char *qual;        /* "inject" or "fault" */
	const char *spec;
	char *err;
	size_t errlen;
};

/* "<fmt> in -e QUAL=SPEC"; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
static int bad(const struct pctx *c, const char *fmt, ...)
{
	if (c->err && c->errlen) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < c->errlen)
			snprintf(c->err + n, c->errlen - (size_t)n, " in -e %s=%s", c->qual, c->spec);
	}
	return -EINVAL;
}

static int parse_errno(const struct pctx *c, const char *v, int *out)
{
	char *end;
	if (isdigit((unsigned char)*v)) {
		errno = 0;
		long n = strtol(v, &end, 10);
		if (!*end && !errno && n >= 1 && n <= 4095) {
			*out = (int)n;
			return 0;
		}
		return bad(c, "error=%s is out of range (expected an errno name such as ENOENT, or 1..4095)", v);
	}
	for (int e = 1; e <= 4095; e++) {
		const char *name = scry_errno_name(e);
		if (name && !strcmp(name, v)) {
			*out = e;
			return 0;
		}
	}
	return bad(c, "unknown errno '%s' (expected a name such as ENOENT, or 1..4095)", v);
}

static int parse_retval(const struct pctx *c, const char *v, int64_t *out)
{
	char *end;
	if (!*v)
		return bad(c, "empty retval= (expected an integer)");
	errno = 0;
	if (*v == '-') {
		long long n = strtoll(v, &end, 0);
		if (!*end && !errno) {
			*out = n;
			return 0;
		}
	} else {
		unsigned long long n = strtoull(v, &end, 0);
		if (!*end && !errno) {
			*out = (int64_t)n;
			return 0;
		}
	}
	return bad(c, "retval=%s is not an integer that fits in 64 bits", v);
}

static int parse_signal(const struct pctx *c, const char *v, int *out)
{
	int sig = scry_signal_lookup(v);
	if (sig < 1 || sig > 64)
		return bad(c, "unknown signal '%s' (expected a name such as SIGUSR1, or 1..64)", v);
	*out = sig;
	return 0;
}

/* strace's time format: a number, then s, ms, us (the default) or ns. */
static int parse_delay(const struct pctx *c, const char *key, const char *v, uint64_t *out)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e3 }, { "s", 1e9 }, { "ms", 1e6 }, { "us", 1e3 }, { "ns", 1 },
	};
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (end != v && !errno && isfinite(d) && d >= 0 && !isspace((unsigned char)*v)) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(end, units[i].unit))
				continue;
			double ns = d * units[i].ns;
			if (ns < 9e18) {
				*out = (uint64_t)ns;
				return 0;
			}
		}
	}
	return bad(c, "invalid %s=%s (expected a time such as 100ms, 2.5s, 300us or 10ns; "
		   "microseconds without a unit)", key, v);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* @argN=HEX[,@argM=HEX]... into pokes[*np...]. */
static int parse_pokes(const struct pctx *c, const char *key, char *v, int at_exit,
		       struct scry_inject_poke *pokes, int *np)
{
	char *save = NULL;
	int any = 0;
	for (char *item = strtok_r(v, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		any = 1;
		char *eq = strchr(item, '=');
		if (strncmp(item, "@arg", 4) || !eq || eq - item != 5 || item[4] < '1' || item[4] > '6')
			return bad(c, "invalid %s item '%s' (expected @argN=HEX with N 1..6)", key, item);
		const char *hex = eq + 1;
		size_t len = strlen(hex);
		if (!len || len % 2)
			return bad(c, "%s data '%s' is not whole bytes in hex (expected e.g. @arg2=0000DEAD)",
				   key, hex);
		if (len / 2 > MAX_POKE_BYTES)
			return bad(c, "%s data of %zu bytes is too long (at most %d)", key, len / 2,
				   MAX_POKE_BYTES);
		if (*np >= MAX_POKES)
			return bad(c, "more than %d pokes", MAX_POKES);
		uint8_t *data = malloc(len / 2);
		if (!data)
			return -ENOMEM;
		for (size_t i = 0; i < len / 2; i++) {
			int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				free(data);
				return bad(c, "%s data '%s' is not hex", key, hex);
			}
			data[i] = (uint8_t)(hi << 4 | lo);
		}
		pokes[*np].arg = (uint8_t)(item[4] - '1');
		pokes[*np].at_exit = (uint8_t)at_exit;
		pokes[*np].len = (uint16_t)(len / 2);
		pokes[*np].data = data;
		(*np)++;
	}
	return any ? 0 : bad(c, "empty %s (expected @argN=HEX)", key);
}

/* A decimal number in lo..hi at *p, advancing p; -1 if there is none. */
static long when_num(const char **p, long lo, long hi)
{
	if (!isdigit((unsigned char)**p))
		return -1;
	char *end;
	errno = 0;
	long n = strtol(*p, &end, 10);
	*p = end;
	return errno || n < lo || n > hi ? -1 : n;
}

static int parse_when(const struct pctx *c, const char *v, struct scry_inject *in)
{
	const char *p = v;
	long first = when_num(&p, 1, 65535), last = 0, step = 0;
	if (first < 0)
		goto fail;
	if (p[0] == '.' && p[1] == '.') {
		p += 2;
		if ((last = when_num(&p, 1, 65534)) < 0 || last < first)
			goto fail;
		step = 1;
	}
	if (*p == '+') {
		p++;
		step = *p ? when_num(&p, 1, 65535) : 1;
		if (step < 0)
			goto fail;
	}
	if (*p)
		goto fail;
	in->first = (unsigned)first;
	in->last = (unsigned)(step ? last : first);
	in->step = (unsigned)step;
	return 0;
fail:
	return bad(c, "invalid when=%s (expected FIRST[..LAST][+[STEP]] with FIRST and STEP 1..65535, "
		   "LAST 1..65534 and not below FIRST)", v);
}

static void rule_free(struct scry_inject *in)
{
	free((void *)in->set);
	for (int i = 0; i < in->npokes; i++)
		free((void *)in->pokes[i].data);
	free((void *)in->pokes);
}

/* The options after the set, into in (pokes into pokes[], *np of them). */
static int parse_options(const struct pctx *c, const struct scry_syscall_table *t, char *opts,
			 int fault, struct scry_inject *in, struct scry_inject_poke *pokes, int *np)
{
	int have_error = 0, have_signal = 0, have_syscall = 0, have_delay_enter = 0, have_delay_exit = 0;
	int have_poke_enter = 0, have_poke_exit = 0;
	char *save = NULL;
	for (char *opt = strtok_r(opts, ":", &save); opt; opt = strtok_r(NULL, ":", &save)) {
		char *v = strchr(opt, '=');
		if (!v)
			return bad(c, "'%s' is not KEY=VALUE", opt);
		*v++ = '\0';
		int r = 0;
		int allowed = !fault || !strcmp(opt, "error") || !strcmp(opt, "when");
		if (!strcmp(opt, "error") || !strcmp(opt, "retval")) {
			if (!allowed)
				;
			else if (have_error || in->has_retval)
				return bad(c, "error= and retval= given more than once (at most one of them)");
			else if (!strcmp(opt, "error"))
				r = parse_errno(c, v, &in->error), have_error = 1;
			else
				r = parse_retval(c, v, &in->retval), in->has_retval = 1;
		} else if (!strcmp(opt, "signal")) {
			if (allowed && have_signal++)
				return bad(c, "signal= given more than once");
			r = allowed ? parse_signal(c, v, &in->signo) : 0;
		} else if (!strcmp(opt, "syscall")) {
			if (allowed && have_syscall++)
				return bad(c, "syscall= given more than once");
			long nr = scry_syscall_lookup(t, v);
			const struct scry_syscall_info *info = nr >= 0 ? scry_syscall_get(t, nr) : NULL;
			if (!allowed)
				;
			else if (!info)
				return bad(c, "unknown syscall '%s' in syscall=", v);
			else if (!(info->classes & scry_class_lookup("%pure")))
				return bad(c, "syscall=%s has side effects (expected a %%pure call such as getpid "
					   "or gettid)", v);
			in->syscall = nr;
		} else if (!strcmp(opt, "delay_enter") || !strcmp(opt, "delay_exit")) {
			int enter = !strcmp(opt, "delay_enter");
			int *have = enter ? &have_delay_enter : &have_delay_exit;
			if (allowed && (*have)++)
				return bad(c, "%s= given more than once", opt);
			r = allowed ? parse_delay(c, opt, v, enter ? &in->delay_enter_ns : &in->delay_exit_ns) : 0;
		} else if (!strcmp(opt, "poke_enter") || !strcmp(opt, "poke_exit")) {
			int at_exit = !strcmp(opt, "poke_exit");
			int *have = at_exit ? &have_poke_exit : &have_poke_enter;
			if (allowed && (*have)++)
				return bad(c, "%s= given more than once", opt);
			r = allowed ? parse_pokes(c, opt, v, at_exit, pokes, np) : 0;
		} else if (!strcmp(opt, "when")) {
			r = parse_when(c, v, in);   /* the last one wins */
		} else {
			return bad(c, "unknown option '%s=' (expected error, retval, signal, syscall, delay_enter, "
				   "delay_exit, poke_enter, poke_exit or when)", opt);
		}
		if (!allowed)
			return bad(c, "fault= takes only error= and when= (use -e inject= for %s=)", opt);
		if (r < 0)
			return r;
	}
	if (fault && !have_error) {
		in->error = ENOSYS;
		have_error = 1;
	}
	if (have_syscall && !have_error && !in->has_retval)
		return bad(c, "syscall= needs error= or retval=");
	if (!have_error && !in->has_retval && !have_signal && !have_delay_enter && !have_delay_exit &&
	    !have_poke_enter && !have_poke_exit)
		return bad(c, "nothing to inject (expected at least one of error=, retval=, signal=, "
			   "delay_enter=, delay_exit=, poke_enter=, poke_exit=)");
	return 0;
}

/* Whether filter f selects the call name, by its x86_64 number or its
 * i386 one (send and recv are only there). */
static int name_traced(const struct scry_filter *f, const struct scry_syscall_table *t, const char *name)
{
	long nr = scry_syscall_lookup(t, name), cnr = scry_syscall_lookup(&scry_table_i386, name);
	return (nr >= 0 && scry_filter_traced(f, nr)) || (cnr >= 0 && scry_filter_traced(f, SCRY_NR_I386 + cnr));
}

/*
 * Whether filter f names a call that an ia32 process makes through
 * socketcall (connect, send, ...).  The trace set then holds socketcall
 * too (filter.c, for the seccomp program), but the rule is for that call
 * (backend/inject.c finds which call a socketcall makes): it must not fail
 * every socketcall.
 */
static int socket_call_in(const struct scry_filter *f, const struct scry_syscall_table *t)
{
	for (unsigned call = 1; call < 32; call++) {
		const char *name = scry_i386_socketcall(call, NULL);
		if (name && name_traced(f, t, name))
			return 1;
	}
	return 0;
}

/* The same for the SysV calls an ia32 process makes through ipc. */
static int ipc_call_in(const struct scry_filter *f, const struct scry_syscall_table *t)
{
	for (size_t i = 0; scry_i386_ipc_calls[i]; i++)
		if (name_traced(f, t, scry_i386_ipc_calls[i]))
			return 1;
	return 0;
}

int scry_inject_parse(struct scry_inject_list *l, const struct scry_syscall_table *t,
		      const char *qual, const char *spec, char *err, size_t errlen)
{
	struct pctx c = { qual, spec ? spec : "", err, errlen };
	int fault = !strcmp(qual, "fault");
	if (err && errlen)
		err[0] = '\0';
	const char *colon = strchr(c.spec, ':');
	size_t setlen = colon ? (size_t)(colon - c.spec) : strlen(c.spec);
	if (!setlen)
		return bad(&c, "no syscall set (expected e.g. -e %s=openat:%s)", qual,
			   fault ? "when=3" : "error=ENOENT");

	char *set = strndup(c.spec, setlen);
	char *opts = strdup(colon ? colon + 1 : "");
	struct scry_inject_poke *pokes = calloc(MAX_POKES, sizeof(*pokes));
	uint64_t *words = calloc(NWORDS, sizeof(*words));
	struct scry_inject in;
	memset(&in, 0, sizeof(in));
	in.syscall = -1;
	in.first = 1;
	in.step = 1;
	in.set = words;
	in.set_words = NWORDS;
	in.pokes = pokes;
	int r = -ENOMEM;
	if (!set || !opts || !pokes || !words)
		goto out;

	struct scry_filter f;
	char where[32];
	scry_filter_init(&f, t);
	snprintf(where, sizeof(where), "-e %s=", qual);
	r = scry_filter_set_parse(&f, where, set, err, errlen);
	if (r < 0)
		goto out;
	/* only the calls of this table: numbers beyond it are never tampered with */
	for (size_t nr = 0; nr < t->ncalls && nr < SCRY_FILTER_MAX_NR; nr++)
		if (scry_filter_traced(&f, (long)nr))
			words[nr / 64] |= UINT64_C(1) << (nr % 64);
	/* and on x86_64 the i386 calls of ia32 processes that have no x86_64
	 * twin (_llseek, i386 140), at their own bits (SCRY_FILTER_I386_BASE
	 * + n); a twin (close) is tampered with as its x86_64 call */
	for (size_t n = 0; t == &scry_table_x86_64 && n < scry_table_i386.ncalls &&
	     SCRY_FILTER_I386_BASE + n < SCRY_FILTER_MAX_NR; n++)
		if (scry_compat_nr(SCRY_AUDIT_ARCH_I386, (long)n) == SCRY_NR_I386 + (long)n &&
		    scry_filter_traced(&f, SCRY_NR_I386 + (long)n) &&
		    (n != SCRY_I386_SOCKETCALL || !socket_call_in(&f, t)) &&
		    (n != SCRY_I386_IPC || !ipc_call_in(&f, t))) {
			size_t bit = SCRY_FILTER_I386_BASE + n;
			words[bit / 64] |= UINT64_C(1) << (bit % 64);
		}

	r = parse_options(&c, t, opts, fault, &in, pokes, &in.npokes);
	if (r < 0)
		goto out;
	struct scry_inject *v = realloc(l->v, (size_t)(l->n + 1) * sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto out;
	}
	l->v = v;
	l->v[l->n++] = in;
	free(set);
	free(opts);
	return 0;
out:
	if (r == -ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory parsing -e %s=%s", qual, c.spec);
	rule_free(&in);
	free(set);
	free(opts);
	return r;
}

/* Whether words (SCRY_FILTER_MAX_NR bits) has the call name, by its
 * x86_64 number or its i386 one. */
static int words_name(const uint64_t *words, const char *name)
{
	long nr = scry_syscall_lookup(&scry_table_x86_64, name), cnr = scry_syscall_lookup(&scry_table_i386, name);
	if (cnr >= 0)
		cnr += SCRY_FILTER_I386_BASE;
	return (nr >= 0 && nr < SCRY_FILTER_MAX_NR && ((words[nr / 64] >> (nr % 64)) & 1)) ||
	       (cnr >= 0 && cnr < SCRY_FILTER_MAX_NR && ((words[cnr / 64] >> (cnr % 64)) & 1));
}

void scry_inject_add_sets(const struct scry_inject_list *l, uint64_t *words, size_t nwords)
{
	uint64_t all[SCRY_FILTER_MAX_NR / 64] = { 0 };
	for (int i = 0; i < l->n; i++)
		for (size_t w = 0; w < nwords && w < l->v[i].set_words; w++) {
			words[w] |= l->v[i].set[w];
			if (w < SCRY_FILTER_MAX_NR / 64)
				all[w] |= l->v[i].set[w];
		}
	/* an ia32 process's twin of a call (its close, i386 6, is close):
	 * its bit among the i386 ones must stop too (seccomp) */
	if (scry_native_table() != &scry_table_x86_64)
		return;
	for (long n = 0; n < (long)scry_table_i386.ncalls; n++) {
		long nr = scry_compat_nr(SCRY_AUDIT_ARCH_I386, n), bit = SCRY_FILTER_I386_BASE + n;
		if (nr >= 0 && nr < SCRY_NR_I386 && nr < SCRY_FILTER_MAX_NR && ((all[nr / 64] >> (nr % 64)) & 1) &&
		    bit < SCRY_FILTER_MAX_NR && (size_t)bit / 64 < nwords)
			words[bit / 64] |= UINT64_C(1) << (bit % 64);
	}
	/* and socketcall and ipc when a rule names a call an ia32 process
	 * makes through them (backend/inject.c applies it to that call) */
	int sock = 0, ipc = 0;
	for (unsigned call = 1; call < 32; call++) {
		const char *name = scry_i386_socketcall(call, NULL);
		sock |= name && words_name(all, name);
	}
	for (size_t i = 0; scry_i386_ipc_calls[i]; i++)
		ipc |= words_name(all, scry_i386_ipc_calls[i]);
	size_t sbit = SCRY_FILTER_I386_BASE + SCRY_I386_SOCKETCALL, ibit = SCRY_FILTER_I386_BASE + SCRY_I386_IPC;
	if (sock && sbit / 64 < nwords)
		words[sbit / 64] |= UINT64_C(1) << (sbit % 64);
	if (ipc && ibit / 64 < nwords)
		words[ibit / 64] |= UINT64_C(1) << (ibit % 64);
}

void scry_inject_list_release(struct scry_inject_list *l)
{
	for (int i = 0; i < l->n; i++)
		rule_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
