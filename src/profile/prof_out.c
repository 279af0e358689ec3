/*
 * The profile's outputs: a text report (perf report --stdio, shorter),
 * folded stacks (flamegraph.pl, inferno, speedscope read them) and
 * speedscope's JSON file format.  See profile/profile.h and docs/FORMATS.md.
 *
 * Functions are aggregated by display name (prof_frame_name) and object:
 * several addresses of one function are one row.  Every output says how
 * many samples were lost (Rule 7): the text header, a "[lost samples]"
 * stack in folded output, the file name and a profile of its own in
 * speedscope.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile.h"

#ifndef SCRY_VERSION
#define SCRY_VERSION "?"
#endif

/* ---- functions: frame id -> function index, by (name, object) ---- */

struct fn {
	char *name;
	const char *object;
	uint64_t self, total;
	uint32_t mark;            /* last stack counted in total */
};

struct fns {
	struct fn *fn;
	uint32_t n, cap;
	uint32_t *of_frame;       /* [nframes] */
	uint32_t *slot;           /* hash of fn indexes */
	size_t nslot;
};

static uint64_t hstr(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void fns_free(struct fns *fs)
{
	for (uint32_t i = 0; i < fs->n; i++)
		free(fs->fn[i].name);
	free(fs->fn);
	free(fs->of_frame);
	free(fs->slot);
}

static int fns_build(const struct prof *p, struct fns *fs)
{
	memset(fs, 0, sizeof(*fs));
	uint32_t nf = prof_nframes(p);
	fs->nslot = 64;
	while (fs->nslot < (size_t)nf * 2 + 2)
		fs->nslot *= 2;
	fs->of_frame = calloc(nf ? nf : 1, sizeof(uint32_t));
	fs->slot = malloc(fs->nslot * sizeof(uint32_t));
	fs->fn = calloc(nf ? nf : 1, sizeof(struct fn));
	if (!fs->of_frame || !fs->slot || !fs->fn) {
		fns_free(fs);
		return -ENOMEM;
	}
	memset(fs->slot, 0xff, fs->nslot * sizeof(uint32_t));
	for (uint32_t id = 0; id < nf; id++) {
		char buf[1024];
		const char *name = prof_frame_name(p, id, buf, sizeof(buf));
		const struct prof_frame *f = prof_frame(p, id);
		const char *obj = f->object;
		size_t k = (hstr(name, 14695981039346656037ull) ^ (uintptr_t)obj) & (fs->nslot - 1);
		uint32_t found = UINT32_MAX;
		while (fs->slot[k] != UINT32_MAX) {
			struct fn *x = &fs->fn[fs->slot[k]];
			if (x->object == obj && !strcmp(x->name, name)) {
				found = fs->slot[k];
				break;
			}
			k = (k + 1) & (fs->nslot - 1);
		}
		if (found == UINT32_MAX) {
			found = fs->n++;
			fs->fn[found].name = strdup(name);
			if (!fs->fn[found].name) {
				fns_free(fs);
				return -ENOMEM;
			}
			fs->fn[found].object = obj;
			fs->fn[found].mark = UINT32_MAX;
			fs->slot[k] = found;
		}
		fs->of_frame[id] = found;
	}
	return 0;
}

/* ---- the text report ---- */

struct row {
	uint32_t fn;
	uint64_t self, total;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return (x->fn > y->fn) - (x->fn < y->fn);
}

/* Self and total of every function over the entries of one thread
 * (thread == UINT32_MAX: all). */
static void tally(const struct prof *p, struct fns *fs, uint32_t thread, enum prof_metric m)
{
	for (uint32_t i = 0; i < fs->n; i++) {
		fs->fn[i].self = fs->fn[i].total = 0;
		fs->fn[i].mark = UINT32_MAX;
	}
	size_t ne = prof_nentries(p);
	for (size_t i = 0; i < ne; i++) {
		const struct prof_entry *e = prof_entry(p, i);
		if ((thread != UINT32_MAX && e->thread != thread) || !e->v[m])
			continue;
		const struct prof_stack *st = prof_stack(p, e->stack);
		if (!st->n)
			continue;
		fs->fn[fs->of_frame[st->frames[0]]].self += e->v[m];
		for (uint32_t j = 0; j < st->n; j++) {
			struct fn *f = &fs->fn[fs->of_frame[st->frames[j]]];
			/* a recursive function counts once per stack */
			if (f->mark == (uint32_t)i)
				continue;
			f->mark = (uint32_t)i;
			f->total += e->v[m];
		}
	}
}

static size_t top_rows(struct fns *fs, struct row *rows)
{
	size_t n = 0;
	for (uint32_t i = 0; i < fs->n; i++)
		if (fs->fn[i].total) {
			rows[n].fn = i;
			rows[n].self = fs->fn[i].self;
			rows[n].total = fs->fn[i].total;
			n++;
		}
	qsort(rows, n, sizeof(*rows), row_cmp);
	return n;
}

static double pct(uint64_t a, uint64_t b) { return b ? 100.0 * (double)a / (double)b : 0.0; }

static const char *base(const char *path)
{
	if (!path)
		return "?";
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static void header(const struct prof *p, FILE *f, const struct prof_out_opts *o, uint64_t total)
{
	const struct prof_stats *s = prof_stats_const(p);
	fprintf(f, "# scry profile of %s: %llu samples at %u Hz", o && o->title ? o->title : "?",
		(unsigned long long)total, s->freq);
	if (s->freq_asked > s->freq)
		fprintf(f, " (asked %u, clamped)", s->freq_asked);
	fprintf(f, " over %.2f s, %u threads\n", (double)s->duration_ns / 1e9, prof_nthreads(p));
	fprintf(f, "# stacks: %s", s->call_graph ? "fp" : "dwarf");
	if (!s->call_graph)
		fprintf(f, " (%u-byte stack copies)", s->stack_size);
	fprintf(f, ", %.1f%% reached a root frame (%llu of %llu), kernel stacks %s\n",
		pct(s->complete, s->user_stacks), (unsigned long long)s->complete,
		(unsigned long long)s->user_stacks, s->kernel ? "yes" : "no");
	fprintf(f, "# lost: %llu samples; throttled: %llu times", (unsigned long long)s->lost,
		(unsigned long long)s->throttled);
	if (s->other)
		fprintf(f, "; %llu samples of child processes left out (-f follows them)",
			(unsigned long long)s->other);
	fputc('\n', f);
}

struct tsort {
	const struct prof *p;
	enum prof_metric m;
};

static int thread_cmp_total(const void *a, const void *b, void *arg)
{
	const struct tsort *ts = arg;
	const struct prof_thread *x = prof_thread(ts->p, *(const uint32_t *)a);
	const struct prof_thread *y = prof_thread(ts->p, *(const uint32_t *)b);
	if (x->total[ts->m] != y->total[ts->m])
		return x->total[ts->m] < y->total[ts->m] ? 1 : -1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

int prof_write_text(const struct prof *p, FILE *f, const struct prof_out_opts *o)
{
	enum prof_metric m = o ? o->metric : PROF_CPU;
	unsigned top = o && o->top ? o->top : 15;
	uint64_t total = 0;
	for (uint32_t t = 0; t < prof_nthreads(p); t++)
		total += prof_thread(p, t)->total[m];
	header(p, f, o, total);
	struct fns fs;
	if (fns_build(p, &fs) < 0)
		return -ENOMEM;
	struct row *rows = calloc(fs.n ? fs.n : 1, sizeof(*rows));
	uint32_t *ths = calloc(prof_nthreads(p) ? prof_nthreads(p) : 1, sizeof(uint32_t));
	if (!rows || !ths) {
		free(rows);
		free(ths);
		fns_free(&fs);
		return -ENOMEM;
	}
	tally(p, &fs, UINT32_MAX, m);
	size_t n = top_rows(&fs, rows);
	fprintf(f, "\nHottest functions (all threads):\n  %6s %6s %8s  %s\n", "self%", "total%", "samples", "function (object)");
	for (size_t i = 0; i < n && i < top; i++)
		fprintf(f, "  %6.1f %6.1f %8llu  %s (%s)\n", pct(rows[i].self, total), pct(rows[i].total, total),
			(unsigned long long)rows[i].self, fs.fn[rows[i].fn].name, base(fs.fn[rows[i].fn].object));
	if (!n)
		fprintf(f, "  (no samples)\n");
	uint32_t nt = 0;
	for (uint32_t t = 0; t < prof_nthreads(p); t++)
		if (prof_thread(p, t)->total[m])
			ths[nt++] = t;
	struct tsort ts = { p, m };
	qsort_r(ths, nt, sizeof(uint32_t), thread_cmp_total, &ts);
	fprintf(f, "\nPer thread:\n");
	for (uint32_t i = 0; i < nt; i++) {
		const struct prof_thread *t = prof_thread(p, ths[i]);
		fprintf(f, "  %s pid %d tid %d: %llu samples (%.1f%%)\n", t->comm, (int)t->pid, (int)t->tid,
			(unsigned long long)t->total[m], pct(t->total[m], total));
		tally(p, &fs, ths[i], m);
		size_t k = top_rows(&fs, rows);
		for (size_t j = 0; j < k && j < 5; j++)
			fprintf(f, "    %6.1f %6.1f  %s\n", pct(rows[j].self, t->total[m]),
				pct(rows[j].total, t->total[m]), fs.fn[rows[j].fn].name);
	}
	free(rows);
	free(ths);
	fns_free(&fs);
	return ferror(f) ? -EIO : 0;
}

/* ---- folded stacks ---- */

static void put_folded_name(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == ';' ? ':' : (*s == '\n' || *s == '\r') ? ' ' : *s, f);
}

struct fline {
	uint32_t thread, stack;   /* comm + stack: merged when equal as text */
	uint64_t v;
};

static int fline_cmp(const void *a, const void *b, void *arg)
{
	const struct fline *x = a, *y = b;
	const struct prof *p = arg;
	int c = strcmp(prof_thread(p, x->thread)->comm, prof_thread(p, y->thread)->comm);
	if (c)
		return c;
	return (x->stack > y->stack) - (x->stack < y->stack);
}

int prof_write_folded(const struct prof *p, FILE *f, const struct prof_out_opts *o)
{
	enum prof_metric m = o ? o->metric : PROF_CPU;
	size_t ne = prof_nentries(p), n = 0;
	struct fline *ls = calloc(ne ? ne : 1, sizeof(*ls));
	struct fns fs;
	if (!ls || fns_build(p, &fs) < 0) {
		free(ls);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ne; i++) {
		const struct prof_entry *e = prof_entry(p, i);
		if (e->v[m]) {
			ls[n].thread = e->thread;
			ls[n].stack = e->stack;
			ls[n].v = e->v[m];
			n++;
		}
	}
	/* threads of one name are one flame: lines with the same comm and
	 * stack are merged */
	qsort_r(ls, n, sizeof(*ls), fline_cmp, (void *)p);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		uint64_t v = ls[i].v;
		while (j < n && ls[j].stack == ls[i].stack &&
		       !strcmp(prof_thread(p, ls[j].thread)->comm, prof_thread(p, ls[i].thread)->comm))
			v += ls[j++].v;
		const struct prof_stack *st = prof_stack(p, ls[i].stack);
		put_folded_name(f, prof_thread(p, ls[i].thread)->comm);
		for (uint32_t k = st->n; k-- > 0;) {
			fputc(';', f);
			put_folded_name(f, fs.fn[fs.of_frame[st->frames[k]]].name);
		}
		fprintf(f, " %llu\n", (unsigned long long)v);
		i = j;
	}
	const struct prof_stats *s = prof_stats_const(p);
	if (s->lost && m == PROF_CPU)
		fprintf(f, "[scry];[lost samples] %llu\n", (unsigned long long)s->lost);
	free(ls);
	fns_free(&fs);
	return ferror(f) ? -EIO : 0;
}

/* ---- speedscope ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

int prof_write_speedscope(const struct prof *p, FILE *f, const struct prof_out_opts *o)
{
	enum prof_metric m = o ? o->metric : PROF_CPU;
	const struct prof_stats *s = prof_stats_const(p);
	struct fns fs;
	if (fns_build(p, &fs) < 0)
		return -ENOMEM;
	uint64_t total = 0;
	for (uint32_t t = 0; t < prof_nthreads(p); t++)
		total += prof_thread(p, t)->total[m];
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n\"shared\":{\"frames\":[", f);
	for (uint32_t i = 0; i < fs.n; i++) {
		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", f);
		json_str(f, fs.fn[i].name);
		if (fs.fn[i].object) {
			fputs(",\"file\":", f);
			json_str(f, fs.fn[i].object);
		}
		fputc('}', f);
	}
	uint32_t lost_frame = fs.n;
	if (s->lost && m == PROF_CPU)
		fprintf(f, "%s{\"name\":\"[lost samples]\"}", fs.n ? ",\n" : "\n");
	fputs("]},\n\"profiles\":[", f);
	int first = 1;
	const char *unit = m == PROF_CPU ? "none" : "nanoseconds";
	for (uint32_t t = 0; t < prof_nthreads(p); t++) {
		const struct prof_thread *th = prof_thread(p, t);
		if (!th->total[m])
			continue;
		char name[160];
		snprintf(name, sizeof(name), "%s pid %d tid %d", th->comm, (int)th->pid, (int)th->tid);
		fputs(first ? "\n{\"type\":\"sampled\",\"name\":" : ",\n{\"type\":\"sampled\",\"name\":", f);
		first = 0;
		json_str(f, name);
		fprintf(f, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%llu,\"samples\":[", unit,
			(unsigned long long)th->total[m]);
		int fe = 1;
		size_t ne = prof_nentries(p);
		for (size_t i = 0; i < ne; i++) {
			const struct prof_entry *e = prof_entry(p, i);
			if (e->thread != t || !e->v[m])
				continue;
			const struct prof_stack *st = prof_stack(p, e->stack);
			fputs(fe ? "[" : ",[", f);
			fe = 0;
			/* speedscope's stacks go from the root to the leaf */
			for (uint32_t k = st->n; k-- > 0;)
				fprintf(f, k + 1 == st->n ? "%u" : ",%u", fs.of_frame[st->frames[k]]);
			fputc(']', f);
		}
		fputs("],\"weights\":[", f);
		fe = 1;
		for (size_t i = 0; i < ne; i++) {
			const struct prof_entry *e = prof_entry(p, i);
			if (e->thread != t || !e->v[m])
				continue;
			fprintf(f, fe ? "%llu" : ",%llu", (unsigned long long)e->v[m]);
			fe = 0;
		}
		fputs("]}", f);
	}
	if (s->lost && m == PROF_CPU) {
		fprintf(f, "%s{\"type\":\"sampled\",\"name\":\"lost samples\",\"unit\":\"none\",\"startValue\":0,"
			   "\"endValue\":%llu,\"samples\":[[%u]],\"weights\":[%llu]}",
			first ? "\n" : ",\n", (unsigned long long)s->lost, lost_frame, (unsigned long long)s->lost);
	}
	char title[512];
	snprintf(title, sizeof(title), "scry profile of %s: %llu samples at %u Hz, %llu lost, %.1f%% complete stacks",
		 o && o->title ? o->title : "?", (unsigned long long)total, s->freq, (unsigned long long)s->lost,
		 pct(s->complete, s->user_stacks));
	fputs("],\n\"name\":", f);
	json_str(f, title);
	fputs(",\"activeProfileIndex\":0,\"exporter\":\"scry " SCRY_VERSION "\"}\n", f);
	fns_free(&fs);
	return ferror(f) ? -EIO : 0;
}
