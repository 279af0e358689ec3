/*
 * The profile model.  See profile/profile.h.
 *
 * Four open-addressing hash tables (strings, frames, stacks, threads,
 * entries) over growable arrays; ids are array indexes.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile/profile.h"

struct idx {                      /* a hash table of ids into some array */
	uint32_t *slot;               /* PROF_NONE: empty */
	size_t cap;
};

struct objinfo {
	const char *object;
	const char *build_id;
};

struct prof {
	/* strings */
	char **str;
	size_t nstr, capstr;
	struct idx stri;
	/* frames */
	struct prof_frame *fr;
	uint32_t nfr, capfr;
	struct idx fri;
	/* stacks: frames live in one array (pool) */
	struct prof_stack *st;
	struct { uint64_t h; size_t off; } *st_hash;   /* per stack: hash, offset in pool */
	uint32_t nst, capst;
	uint32_t *pool;
	size_t npool, cappool;
	struct idx sti;
	/* threads */
	struct prof_thread *th;
	uint32_t nth, capth;
	struct idx thi;
	/* entries */
	struct prof_entry *en;
	size_t nen, capen;
	struct idx eni;
	/* build-ids by object */
	struct objinfo *obj;
	size_t nobj, capobj;
	struct prof_stats stats;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int grow(void **arr, size_t elem, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *n = realloc(*arr, nc * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = nc;
	return 0;
}

#define GROW(arr, cap, need) ({ size_t _c = (cap); int _r = grow((void **)&(arr), sizeof(*(arr)), &_c, (need)); (cap) = _c; _r; })

/* ---- the id index: hash -> id, resolving collisions by eq() ---- */

typedef uint64_t (*hash_fn)(const struct prof *p, uint32_t id);

static int idx_rehash(const struct prof *p, struct idx *ix, size_t n, hash_fn h)
{
	size_t nc = ix->cap ? ix->cap * 2 : 256;
	uint32_t *ns = malloc(nc * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	memset(ns, 0xff, nc * sizeof(*ns));
	for (size_t i = 0; i < ix->cap; i++) {
		uint32_t id = ix->slot[i];
		if (id == PROF_NONE)
			continue;
		size_t k = h(p, id) & (nc - 1);
		while (ns[k] != PROF_NONE)
			k = (k + 1) & (nc - 1);
		ns[k] = id;
	}
	free(ix->slot);
	ix->slot = ns;
	ix->cap = nc;
	(void)n;
	return 0;
}

/* The slot where hash hv's key is or goes; *found = its id or PROF_NONE. */
static size_t idx_find(const struct prof *p, struct idx *ix, uint64_t hv,
		       int (*eq)(const struct prof *, uint32_t, const void *), const void *key, uint32_t *found)
{
	size_t k = hv & (ix->cap - 1);
	for (;;) {
		uint32_t id = ix->slot[k];
		if (id == PROF_NONE || eq(p, id, key)) {
			*found = id;
			return k;
		}
		k = (k + 1) & (ix->cap - 1);
	}
}

static int idx_ready(const struct prof *p, struct idx *ix, size_t n, hash_fn h)
{
	if (ix->cap && (n + 1) * 2 < ix->cap)
		return 0;
	return idx_rehash(p, ix, n, h);
}

/* ---- strings ---- */

static uint64_t str_hash_id(const struct prof *p, uint32_t id) { return hash_str(p->str[id]); }
static int str_eq(const struct prof *p, uint32_t id, const void *key) { return !strcmp(p->str[id], key); }

const char *prof_intern(struct prof *p, const char *s)
{
	if (!s)
		return NULL;
	if (idx_ready(p, &p->stri, p->nstr, str_hash_id) < 0)
		return NULL;
	uint32_t id;
	size_t k = idx_find(p, &p->stri, hash_str(s), str_eq, s, &id);
	if (id != PROF_NONE)
		return p->str[id];
	if (GROW(p->str, p->capstr, p->nstr + 1) < 0)
		return NULL;
	char *c = strdup(s);
	if (!c)
		return NULL;
	p->str[p->nstr] = c;
	p->stri.slot[k] = (uint32_t)p->nstr++;
	return c;
}

/* ---- build-ids: read once per object from its file ---- */

static const char *read_build_id(struct prof *p, const char *path)
{
	if (!path || path[0] != '/')
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	const char *res = NULL;
	elf_version(EV_CURRENT);
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t nph = 0;
	if (elf && elf_getphdrnum(elf, &nph) == 0) {
		for (size_t i = 0; i < nph && !res; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
				continue;
			Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
			if (!d)
				continue;
			size_t off = 0, noff, doff;
			GElf_Nhdr nh;
			while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
				if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
				    !memcmp((char *)d->d_buf + noff, "GNU", 4) && nh.n_descsz <= 64) {
					char hex[129];
					const unsigned char *b = (const unsigned char *)d->d_buf + doff;
					for (size_t j = 0; j < nh.n_descsz; j++)
						snprintf(hex + 2 * j, 3, "%02x", b[j]);
					hex[2 * nh.n_descsz] = '\0';
					res = prof_intern(p, hex);
					break;
				}
			}
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return res;
}

static const char *build_id_of(struct prof *p, const char *object)
{
	for (size_t i = 0; i < p->nobj; i++)
		if (p->obj[i].object == object)
			return p->obj[i].build_id;
	if (GROW(p->obj, p->capobj, p->nobj + 1) < 0)
		return NULL;
	p->obj[p->nobj].object = object;
	p->obj[p->nobj].build_id = read_build_id(p, object);
	return p->obj[p->nobj++].build_id;
}

/* ---- frames ---- */

struct frame_key {
	const char *object;
	uint64_t offset;
	uint32_t kernel;
};

static uint64_t frame_hash_key(const struct frame_key *k)
{
	return mix(mix((uint64_t)(uintptr_t)k->object, k->offset), k->kernel);
}

static uint64_t frame_hash_id(const struct prof *p, uint32_t id)
{
	const struct prof_frame *f = &p->fr[id];
	struct frame_key k = { (f->flags & PROF_FRAME_KERNEL) ? NULL : f->object, f->offset,
			       f->flags & PROF_FRAME_KERNEL };
	return frame_hash_key(&k);
}

static int frame_eq(const struct prof *p, uint32_t id, const void *key)
{
	const struct frame_key *k = key;
	const struct prof_frame *f = &p->fr[id];
	const char *obj = (f->flags & PROF_FRAME_KERNEL) ? NULL : f->object;
	return obj == k->object && f->offset == k->offset && (f->flags & PROF_FRAME_KERNEL) == k->kernel;
}

uint32_t prof_frame_id(struct prof *p, const struct scry_frame *f, uint32_t extra_flags)
{
	struct frame_key k;
	k.kernel = extra_flags & PROF_FRAME_KERNEL;
	k.object = k.kernel ? NULL : prof_intern(p, f->object);
	k.offset = k.object ? f->object_offset : f->addr;
	if (idx_ready(p, &p->fri, p->nfr, frame_hash_id) < 0)
		return PROF_NONE;
	uint32_t id;
	size_t slot = idx_find(p, &p->fri, frame_hash_key(&k), frame_eq, &k, &id);
	if (id != PROF_NONE)
		return id;
	if (GROW(p->fr, p->capfr, (size_t)p->nfr + 1) < 0)
		return PROF_NONE;
	struct prof_frame *n = &p->fr[p->nfr];
	memset(n, 0, sizeof(*n));
	n->function = prof_intern(p, f->function);
	n->object = k.kernel ? prof_intern(p, f->object ? f->object : "[kernel.kallsyms]") : k.object;
	n->build_id = k.object ? build_id_of(p, k.object) : NULL;
	n->offset = k.offset;
	n->addr = f->addr;
	n->fstart_offset = f->function ? f->offset : 0;
	n->flags = f->flags | extra_flags;
	p->fri.slot[slot] = p->nfr;
	return p->nfr++;
}

/* ---- stacks ---- */

struct stack_key {
	const uint32_t *frames;
	uint32_t n, flags;
	uint64_t h;
};

static uint64_t stack_hash(const uint32_t *fr, uint32_t n, uint32_t flags)
{
	uint64_t h = mix(n, flags);
	for (uint32_t i = 0; i < n; i++)
		h = mix(h, fr[i]);
	return h;
}

static uint64_t stack_hash_id(const struct prof *p, uint32_t id) { return p->st_hash[id].h; }

static int stack_eq(const struct prof *p, uint32_t id, const void *key)
{
	const struct stack_key *k = key;
	const struct prof_stack *s = &p->st[id];
	return p->st_hash[id].h == k->h && s->n == k->n && s->flags == k->flags &&
	       !memcmp(s->frames, k->frames, k->n * sizeof(uint32_t));
}

uint32_t prof_stack_id(struct prof *p, const uint32_t *frames, uint32_t n, uint32_t flags)
{
	for (uint32_t i = 0; i < n; i++)
		if (frames[i] == PROF_NONE)
			return PROF_NONE;
	struct stack_key k = { frames, n, flags, stack_hash(frames, n, flags) };
	if (idx_ready(p, &p->sti, p->nst, stack_hash_id) < 0)
		return PROF_NONE;
	uint32_t id;
	size_t slot = idx_find(p, &p->sti, k.h, stack_eq, &k, &id);
	if (id != PROF_NONE)
		return id;
	size_t cst = p->capst;
	if (grow((void **)&p->st, sizeof(*p->st), &cst, (size_t)p->nst + 1) < 0)
		return PROF_NONE;
	size_t ch = p->capst;
	if (grow((void **)&p->st_hash, sizeof(*p->st_hash), &ch, (size_t)p->nst + 1) < 0)
		return PROF_NONE;
	p->capst = (uint32_t)(cst < ch ? cst : ch);
	/* The pool moves when it grows: the stacks' pointers are made again
	 * from their offsets. */
	uint32_t *old = p->pool;
	if (GROW(p->pool, p->cappool, p->npool + n + 1) < 0)
		return PROF_NONE;
	if (old != p->pool)
		for (uint32_t i = 0; i < p->nst; i++)
			p->st[i].frames = p->pool + p->st_hash[i].off;
	uint32_t *dst = p->pool + p->npool;
	memcpy(dst, frames, n * sizeof(uint32_t));
	p->npool += n;
	p->st[p->nst].n = n;
	p->st[p->nst].frames = dst;
	p->st[p->nst].flags = flags;
	p->st_hash[p->nst].h = k.h;
	p->st_hash[p->nst].off = p->npool - n;
	p->sti.slot[slot] = p->nst;
	return p->nst++;
}

/* ---- threads ---- */

static uint64_t thread_hash(pid_t pid, pid_t tid) { return mix((uint64_t)(uint32_t)pid, (uint64_t)(uint32_t)tid); }
static uint64_t thread_hash_id(const struct prof *p, uint32_t id) { return thread_hash(p->th[id].pid, p->th[id].tid); }
static int thread_eq(const struct prof *p, uint32_t id, const void *key)
{
	const pid_t *k = key;
	return p->th[id].pid == k[0] && p->th[id].tid == k[1];
}

uint32_t prof_thread_id(struct prof *p, pid_t pid, pid_t tid, const char *comm)
{
	if (idx_ready(p, &p->thi, p->nth, thread_hash_id) < 0)
		return PROF_NONE;
	pid_t key[2] = { pid, tid };
	uint32_t id;
	size_t slot = idx_find(p, &p->thi, thread_hash(pid, tid), thread_eq, key, &id);
	if (id != PROF_NONE) {
		if (comm)
			p->th[id].comm = prof_intern(p, comm);
		return id;
	}
	if (GROW(p->th, p->capth, (size_t)p->nth + 1) < 0)
		return PROF_NONE;
	struct prof_thread *t = &p->th[p->nth];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->comm = prof_intern(p, comm ? comm : "?");
	p->thi.slot[slot] = p->nth;
	return p->nth++;
}

uint32_t prof_thread_find(const struct prof *p, pid_t pid, pid_t tid)
{
	if (!p->thi.cap)
		return PROF_NONE;
	pid_t key[2] = { pid, tid };
	uint32_t id;
	idx_find(p, (struct idx *)&p->thi, thread_hash(pid, tid), thread_eq, key, &id);
	return id;
}

void prof_thread_set_comm(struct prof *p, pid_t pid, pid_t tid, const char *comm)
{
	prof_thread_id(p, pid, tid, comm);
}

/* ---- entries ---- */

static uint64_t entry_hash(uint32_t th, uint32_t st) { return mix(th, st); }
static uint64_t entry_hash_id(const struct prof *p, uint32_t id) { return entry_hash(p->en[id].thread, p->en[id].stack); }
static int entry_eq(const struct prof *p, uint32_t id, const void *key)
{
	const uint32_t *k = key;
	return p->en[id].thread == k[0] && p->en[id].stack == k[1];
}

int prof_add(struct prof *p, uint32_t thread, uint32_t stack, enum prof_metric m, uint64_t value)
{
	if (thread >= p->nth || stack >= p->nst || (unsigned)m >= PROF_NMETRICS)
		return -EINVAL;
	if (p->nen >= UINT32_MAX - 1)
		return -ENOSPC;
	if (idx_ready(p, &p->eni, p->nen, entry_hash_id) < 0)
		return -ENOMEM;
	uint32_t key[2] = { thread, stack };
	uint32_t id;
	size_t slot = idx_find(p, &p->eni, entry_hash(thread, stack), entry_eq, key, &id);
	if (id == PROF_NONE) {
		if (GROW(p->en, p->capen, p->nen + 1) < 0)
			return -ENOMEM;
		id = (uint32_t)p->nen++;
		memset(&p->en[id], 0, sizeof(p->en[id]));
		p->en[id].thread = thread;
		p->en[id].stack = stack;
		p->eni.slot[slot] = id;
	}
	p->en[id].v[m] += value;
	p->th[thread].total[m] += value;
	return 0;
}

int prof_remove(struct prof *p, uint32_t thread, uint32_t stack, enum prof_metric m, uint64_t value)
{
	if (thread >= p->nth || stack >= p->nst || (unsigned)m >= PROF_NMETRICS)
		return -EINVAL;
	if (idx_ready(p, &p->eni, p->nen, entry_hash_id) < 0)
		return -ENOMEM;
	uint32_t key[2] = { thread, stack };
	uint32_t id;
	idx_find(p, &p->eni, entry_hash(thread, stack), entry_eq, key, &id);
	if (id == PROF_NONE)
		return -ENOENT;
	if (value > p->en[id].v[m])
		value = p->en[id].v[m];
	p->en[id].v[m] -= value;
	p->th[thread].total[m] -= value < p->th[thread].total[m] ? value : p->th[thread].total[m];
	return 0;
}

/* ---- life and access ---- */

int prof_new(struct prof **out)
{
	struct prof *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*out = p;
	return 0;
}

void prof_free(struct prof *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nstr; i++)
		free(p->str[i]);
	free(p->str);
	free(p->stri.slot);
	free(p->fr);
	free(p->fri.slot);
	free(p->st);
	free(p->st_hash);
	free(p->pool);
	free(p->sti.slot);
	free(p->th);
	free(p->thi.slot);
	free(p->en);
	free(p->eni.slot);
	free(p->obj);
	free(p);
}

uint32_t prof_nframes(const struct prof *p) { return p->nfr; }
const struct prof_frame *prof_frame(const struct prof *p, uint32_t id) { return id < p->nfr ? &p->fr[id] : NULL; }
uint32_t prof_nstacks(const struct prof *p) { return p->nst; }
const struct prof_stack *prof_stack(const struct prof *p, uint32_t id) { return id < p->nst ? &p->st[id] : NULL; }
uint32_t prof_nthreads(const struct prof *p) { return p->nth; }
const struct prof_thread *prof_thread(const struct prof *p, uint32_t id) { return id < p->nth ? &p->th[id] : NULL; }
size_t prof_nentries(const struct prof *p) { return p->nen; }
const struct prof_entry *prof_entry(const struct prof *p, size_t i) { return i < p->nen ? &p->en[i] : NULL; }
struct prof_stats *prof_stats(struct prof *p) { return &p->stats; }
const struct prof_stats *prof_stats_const(const struct prof *p) { return &p->stats; }

const char *prof_frame_name(const struct prof *p, uint32_t id, char *buf, size_t len)
{
	const struct prof_frame *f = prof_frame(p, id);
	if (!f) {
		snprintf(buf, len, "?");
		return buf;
	}
	const char *k = (f->flags & PROF_FRAME_KERNEL) ? "_[k]" : "";
	if (f->function)
		snprintf(buf, len, "%s%s", f->function, k);
	else if (f->object && !(f->flags & PROF_FRAME_KERNEL)) {
		const char *b = strrchr(f->object, '/');
		snprintf(buf, len, "%s+0x%llx", b ? b + 1 : f->object, (unsigned long long)f->offset);
	} else
		snprintf(buf, len, "0x%llx%s", (unsigned long long)f->offset, k);
	return buf;
}
