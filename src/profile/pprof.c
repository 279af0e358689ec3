/*
 * pprof's profile.proto, gzipped.  See profile/pprof.h.
 *
 * Protocol buffers wire format (developers.google.com/protocol-buffers/
 * docs/encoding): a field is a varint key (number << 3 | wire type), then
 * a varint (type 0) or a varint length and bytes (type 2: strings, nested
 * messages, packed repeated numbers).  Field numbers are profile.proto's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "profile/pprof.h"
#include "util/strbuf.h"

/* profile.proto field numbers */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_MAPPING = 3, P_LOCATION = 4, P_FUNCTION = 5,
	P_STRING_TABLE = 6, P_TIME_NANOS = 9, P_DURATION_NANOS = 10, P_PERIOD_TYPE = 11,
	P_PERIOD = 12, P_COMMENT = 13, P_DEFAULT_SAMPLE_TYPE = 14,
	VT_TYPE = 1, VT_UNIT = 2,
	S_LOCATION_ID = 1, S_VALUE = 2, S_LABEL = 3,
	L_KEY = 1, L_STR = 2, L_NUM = 3,
	M_ID = 1, M_START = 2, M_LIMIT = 3, M_OFFSET = 4, M_FILENAME = 5, M_BUILD_ID = 6,
	M_HAS_FUNCTIONS = 7,
	LOC_ID = 1, LOC_MAPPING_ID = 2, LOC_ADDRESS = 3, LOC_LINE = 4,
	LN_FUNCTION_ID = 1,
	F_ID = 1, F_NAME = 2, F_SYSTEM_NAME = 3,
};

static void put_varint(struct strbuf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	strbuf_add(b, tmp, n);
}

static void put_u(struct strbuf *b, unsigned field, uint64_t v)
{
	if (!v)
		return;		/* proto3: a default value is not written */
	put_varint(b, (uint64_t)field << 3);
	put_varint(b, v);
}

static void put_bytes(struct strbuf *b, unsigned field, const void *data, size_t len)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, len);
	strbuf_add(b, data, len);
}

static void put_msg(struct strbuf *b, unsigned field, struct strbuf *m)
{
	put_bytes(b, field, m->buf, m->len);
	strbuf_reset(m);
}

/* ---- the string table ---- */

struct strtab {
	char **s;
	size_t n, alloc;
	uint32_t *slot;		/* open addressing: index + 1, 0 empty */
	size_t nslots;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int strtab_grow(struct strtab *t)
{
	size_t ns = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t h = (size_t)(hash_str(t->s[i]) & (ns - 1));
		while (slot[h])
			h = (h + 1) & (ns - 1);
		slot[h] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslots = ns;
	return 0;
}

/* The index of s in the table (added when new); 0 for NULL or "". */
static int64_t str_id(struct strtab *t, const char *s)
{
	if (!s)
		s = "";
	if ((t->n + 1) * 2 > t->nslots && strtab_grow(t))
		return -1;
	size_t h = (size_t)(hash_str(s) & (t->nslots - 1));
	while (t->slot[h]) {
		if (!strcmp(t->s[t->slot[h] - 1], s))
			return t->slot[h] - 1;
		h = (h + 1) & (t->nslots - 1);
	}
	if (t->n == t->alloc) {
		size_t na = t->alloc ? t->alloc * 2 : 256;
		char **ns = realloc(t->s, na * sizeof(*ns));
		if (!ns)
			return -1;
		t->s = ns;
		t->alloc = na;
	}
	char *d = strdup(s);
	if (!d)
		return -1;
	t->s[t->n] = d;
	t->slot[h] = (uint32_t)++t->n;
	return (int64_t)t->n - 1;
}

static void strtab_free(struct strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->slot);
}

/* ---- the profile ---- */

struct mapping {
	const char *object;	/* interned in the prof: compared by pointer */
	const char *build_id;
	uint64_t lo, hi;
	int kernel;
};

static const char *const METRIC_TYPE[PROF_NMETRICS] = {
	[PROF_CPU] = "samples", [PROF_OFFCPU_SLEEP_NS] = "off_cpu_sleep",
	[PROF_OFFCPU_DISK_NS] = "off_cpu_disk", [PROF_OFFCPU_RUNQ_NS] = "off_cpu_runq",
	[PROF_OFFCPU_OTHER_NS] = "off_cpu_other",
};

static int gz_write(FILE *f, const struct strbuf *raw)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16 /* gzip */, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	unsigned char out[65536];
	z.next_in = (unsigned char *)raw->buf;
	z.avail_in = (uInt)raw->len;
	int r, err = 0;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		r = deflate(&z, Z_FINISH);
		size_t n = sizeof(out) - z.avail_out;
		if (n && fwrite(out, 1, n, f) != n)
			err = -EIO;
	} while (r == Z_OK && !err);
	deflateEnd(&z);
	if (!err && r != Z_STREAM_END)
		err = -EIO;
	return err;
}

int prof_write_pprof(const struct prof *p, FILE *f, const struct prof_out_opts *o)
{
	const struct prof_stats *st = prof_stats_const(p);
	struct strtab t = { 0 };
	struct strbuf out = STRBUF_INIT, m = STRBUF_INIT, sub = STRBUF_INIT;
	int err = -ENOMEM;
	str_id(&t, "");

	/* which values: samples (+ cpu ns) when there are CPU samples, then
	 * each off-CPU metric with anything in it */
	int used[PROF_NMETRICS] = { 0 };
	size_t ne = prof_nentries(p);
	for (size_t i = 0; i < ne; i++)
		for (int k = 0; k < PROF_NMETRICS; k++)
			used[k] |= prof_entry(p, i)->v[k] != 0;
	if (!ne || (o && o->metric == PROF_CPU))
		used[PROF_CPU] = 1;
	uint64_t period = st->freq ? 1000000000ull / st->freq : 0;
	int cols[PROF_NMETRICS + 1];	/* metric per value column; PROF_NMETRICS: cpu ns */
	unsigned ncol = 0;
	for (int k = 0; k < PROF_NMETRICS; k++) {
		if (!used[k])
			continue;
		cols[ncol++] = k;
		if (k == PROF_CPU && period)
			cols[ncol++] = PROF_NMETRICS;
	}
	int64_t ns_id = str_id(&t, "nanoseconds");
	int64_t default_type = 0;
	for (unsigned c = 0; c < ncol; c++) {
		const char *type = cols[c] == PROF_NMETRICS ? "cpu" : METRIC_TYPE[cols[c]];
		int64_t tid = str_id(&t, type);
		put_u(&m, VT_TYPE, (uint64_t)tid);
		put_u(&m, VT_UNIT, (uint64_t)(cols[c] == PROF_CPU ? str_id(&t, "count") : ns_id));
		put_msg(&out, P_SAMPLE_TYPE, &m);
		if (o && ((o->metric == PROF_CPU && cols[c] == PROF_NMETRICS) ||
			  (o->metric != PROF_CPU && cols[c] == (int)o->metric)))
			default_type = tid;
	}

	/* mappings: one per object (kernel: one), ids from 1 */
	uint32_t nf = prof_nframes(p);
	struct mapping *maps = NULL;
	uint32_t nmaps = 0;
	uint32_t *map_of = calloc(nf ? nf : 1, sizeof(*map_of));
	uint64_t *fn_of = calloc(nf ? nf : 1, sizeof(*fn_of));
	maps = calloc(nf ? nf : 1, sizeof(*maps));
	if (!map_of || !fn_of || !maps)
		goto out;
	for (uint32_t i = 0; i < nf; i++) {
		const struct prof_frame *fr = prof_frame(p, i);
		int kernel = !!(fr->flags & PROF_FRAME_KERNEL);
		if (!fr->object && !kernel)
			continue;	/* unknown: no mapping */
		uint32_t j;
		for (j = 0; j < nmaps; j++)
			if (kernel ? maps[j].kernel : (!maps[j].kernel && maps[j].object == fr->object))
				break;
		if (j == nmaps) {
			maps[j].object = kernel ? "[kernel.kallsyms]" : fr->object;
			maps[j].build_id = kernel ? NULL : fr->build_id;
			maps[j].kernel = kernel;
			maps[j].lo = fr->offset;
			maps[j].hi = fr->offset;
			nmaps++;
		}
		if (fr->offset < maps[j].lo)
			maps[j].lo = fr->offset;
		if (fr->offset > maps[j].hi)
			maps[j].hi = fr->offset;
		map_of[i] = j + 1;
	}
	/* mapping[0] is "the main binary" to pprof: the kernel goes last */
	for (uint32_t j = 0; j + 1 < nmaps; j++) {
		if (!maps[j].kernel)
			continue;
		struct mapping k = maps[j];
		memmove(&maps[j], &maps[j + 1], (nmaps - j - 1) * sizeof(*maps));
		maps[nmaps - 1] = k;
		for (uint32_t i = 0; i < nf; i++)
			if (map_of[i] == j + 1)
				map_of[i] = nmaps;
			else if (map_of[i] > j + 1)
				map_of[i]--;
		break;
	}
	for (uint32_t j = 0; j < nmaps; j++) {
		put_u(&m, M_ID, j + 1);
		put_u(&m, M_START, maps[j].lo);
		put_u(&m, M_LIMIT, maps[j].hi + 1);
		put_u(&m, M_OFFSET, maps[j].lo);
		put_u(&m, M_FILENAME, (uint64_t)str_id(&t, maps[j].object));
		put_u(&m, M_BUILD_ID, (uint64_t)str_id(&t, maps[j].build_id));
		put_u(&m, M_HAS_FUNCTIONS, 1);
		put_msg(&out, P_MAPPING, &m);
	}

	/* functions: one per distinct display name (the string id + 1 keys
	 * it: one function per name) */
	uint64_t *fn_seen = calloc(1, sizeof(*fn_seen));
	size_t fn_alloc = 1;
	if (!fn_seen)
		goto out;
	for (uint32_t i = 0; i < nf; i++) {
		const struct prof_frame *fr = prof_frame(p, i);
		char buf[512];
		const char *name = fr->function ? fr->function : prof_frame_name(p, i, buf, sizeof(buf));
		int64_t sid = str_id(&t, name);
		if (sid < 0) {
			free(fn_seen);
			goto out;
		}
		if ((size_t)sid >= fn_alloc) {
			size_t na = (size_t)sid * 2 + 1;
			uint64_t *n = realloc(fn_seen, na * sizeof(*n));
			if (!n) {
				free(fn_seen);
				goto out;
			}
			memset(n + fn_alloc, 0, (na - fn_alloc) * sizeof(*n));
			fn_seen = n;
			fn_alloc = na;
		}
		fn_of[i] = (uint64_t)sid;	/* the function's id is its name's string id */
		if (!fn_seen[sid]) {
			fn_seen[sid] = 1;
			put_u(&m, F_ID, (uint64_t)sid);
			put_u(&m, F_NAME, (uint64_t)sid);
			put_u(&m, F_SYSTEM_NAME, (uint64_t)sid);
			put_msg(&out, P_FUNCTION, &m);
		}
	}
	free(fn_seen);

	/* locations: frame id + 1 */
	for (uint32_t i = 0; i < nf; i++) {
		const struct prof_frame *fr = prof_frame(p, i);
		put_u(&m, LOC_ID, (uint64_t)i + 1);
		put_u(&m, LOC_MAPPING_ID, map_of[i]);
		put_u(&m, LOC_ADDRESS, map_of[i] ? fr->offset : fr->addr);
		put_u(&sub, LN_FUNCTION_ID, fn_of[i]);
		put_msg(&m, LOC_LINE, &sub);
		put_msg(&out, P_LOCATION, &m);
	}

	/* samples */
	int64_t k_thread = str_id(&t, "thread"), k_pid = str_id(&t, "pid"), k_tid = str_id(&t, "tid");
	struct strbuf packed = STRBUF_INIT;
	for (size_t i = 0; i < ne; i++) {
		const struct prof_entry *e = prof_entry(p, i);
		const struct prof_stack *s = prof_stack(p, e->stack);
		const struct prof_thread *th = prof_thread(p, e->thread);
		for (uint32_t j = 0; s && j < s->n; j++)
			put_varint(&packed, (uint64_t)s->frames[j] + 1);
		if (packed.len)
			put_bytes(&m, S_LOCATION_ID, packed.buf, packed.len);
		strbuf_reset(&packed);
		for (unsigned c = 0; c < ncol; c++)
			put_varint(&packed, cols[c] == PROF_NMETRICS ? e->v[PROF_CPU] * period : e->v[cols[c]]);
		put_bytes(&m, S_VALUE, packed.buf, packed.len);
		strbuf_reset(&packed);
		if (th) {
			put_u(&sub, L_KEY, (uint64_t)k_thread);
			put_u(&sub, L_STR, (uint64_t)str_id(&t, th->comm ? th->comm : "?"));
			put_msg(&m, S_LABEL, &sub);
			put_u(&sub, L_KEY, (uint64_t)k_pid);
			put_u(&sub, L_NUM, (uint64_t)th->pid);
			put_msg(&m, S_LABEL, &sub);
			put_u(&sub, L_KEY, (uint64_t)k_tid);
			put_u(&sub, L_NUM, (uint64_t)th->tid);
			put_msg(&m, S_LABEL, &sub);
		}
		put_msg(&out, P_SAMPLE, &m);
	}
	strbuf_release(&packed);

	put_u(&out, P_TIME_NANOS, st->start_ns);
	put_u(&out, P_DURATION_NANOS, st->duration_ns);
	if (period) {
		put_u(&m, VT_TYPE, (uint64_t)str_id(&t, "cpu"));
		put_u(&m, VT_UNIT, (uint64_t)ns_id);
		put_msg(&out, P_PERIOD_TYPE, &m);
		put_u(&out, P_PERIOD, period);
	}
	/* Rule 7: what was lost is said in the file too */
	char c1[160];
	snprintf(c1, sizeof(c1), "scry profile: %llu samples, %llu lost, %llu throttled, %u Hz",
		 (unsigned long long)st->samples, (unsigned long long)st->lost,
		 (unsigned long long)st->throttled, st->freq);
	put_u(&out, P_COMMENT, (uint64_t)str_id(&t, c1));
	if (o && o->title)
		put_u(&out, P_COMMENT, (uint64_t)str_id(&t, o->title));
	put_u(&out, P_DEFAULT_SAMPLE_TYPE, (uint64_t)default_type);

	/* the string table last: every id above is in it by now */
	for (size_t i = 0; i < t.n; i++)
		put_bytes(&out, P_STRING_TABLE, t.s[i], strlen(t.s[i]));
	err = gz_write(f, &out);
	if (!err && (fflush(f) || ferror(f)))
		err = -EIO;
out:
	free(maps);
	free(map_of);
	free(fn_of);
	strtab_free(&t);
	strbuf_release(&out);
	strbuf_release(&m);
	strbuf_release(&sub);
	return err;
}
