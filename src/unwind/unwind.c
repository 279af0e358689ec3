/*
 * Unwinding and symbolization with elfutils libdwfl.  See unwind/unwind.h.
 */
#include <elfutils/libdwfl.h>
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#ifdef SCRY_HAVE_IBERTY
#include <libiberty/demangle.h>
#endif

#include "unwind/unwind.h"

#if defined(__x86_64__)
#define PC_REG 16       /* rip: the return address column */
#define SP_REG 7        /* rsp */
#elif defined(__aarch64__)
#define PC_REG 32
#define SP_REG 31
#else
#define PC_REG 0
#define SP_REG 0
#define UNWIND_UNSUPPORTED 1
#endif

#define PAGE_SZ   4096u
#define NPAGES    16u               /* the page cache of one stack: 64 KiB */
#define ACACHE    2048u             /* resolved addresses per process */
#define MAXPROCS  64u               /* Dwfls kept at once (least recently used go) */
#define MAPS_MAX  (8u << 20)        /* /proc/PID/maps bytes read at most */

static char *read_maps_of(pid_t pid, size_t *len);

/* ---- interned strings ---- */

struct istr {
	struct istr *next;
	unsigned noted;           /* "no debug info" said for this object */
	char s[];
};

struct intern {
	struct istr **slots;
	size_t cap, n;
};

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static struct istr *intern_entry(struct intern *in, const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s);
	if (in->n * 2 >= in->cap) {
		size_t ncap = in->cap ? in->cap * 2 : 256;
		struct istr **ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return NULL;
		for (size_t i = 0; i < in->cap; i++)
			for (struct istr *e = in->slots[i], *nx; e; e = nx) {
				nx = e->next;
				size_t k = hash_bytes(e->s, strlen(e->s), 14695981039346656037ull) & (ncap - 1);
				e->next = ns[k];
				ns[k] = e;
			}
		free(in->slots);
		in->slots = ns;
		in->cap = ncap;
	}
	size_t k = hash_bytes(s, len, 14695981039346656037ull) & (in->cap - 1);
	for (struct istr *e = in->slots[k]; e; e = e->next)
		if (!strcmp(e->s, s))
			return e;
	struct istr *e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	e->noted = 0;
	memcpy(e->s, s, len + 1);
	e->next = in->slots[k];
	in->slots[k] = e;
	in->n++;
	return e;
}

static const char *intern(struct intern *in, const char *s)
{
	struct istr *e = intern_entry(in, s);
	return e ? e->s : NULL;
}

static void intern_free(struct intern *in)
{
	for (size_t i = 0; i < in->cap; i++)
		for (struct istr *e = in->slots[i], *nx; e; e = nx) {
			nx = e->next;
			free(e);
		}
	free(in->slots);
	in->slots = NULL;
	in->cap = in->n = 0;
}

/* ---- per module: what we learnt of it, in the module's userdata ---- */

struct sym {
	uint64_t addr, size;
	const char *name;         /* the ELF's string table (lives with the module) */
	int rank;                 /* binding: global 0, weak 1, local 2 */
};

struct modinfo {
	const char *object;       /* interned path */
	uint32_t flags;           /* SCRY_FRAME_RUNTIME / NO_DEBUGINFO / UNKNOWN */
	uint64_t start, bias;
	int have_elf;
	struct { uint64_t vaddr, memsz, offset; } load[16];
	int nload;
	struct sym *syms;
	size_t nsyms;
};

/* The functions inlined at one address, innermost first (DWARF's
 * DW_TAG_inlined_subroutine scopes): each one's name and its line (for the
 * innermost, the address's line; for the others, the line that the one
 * inside was inlined from); call_file/call_line: where the outermost was
 * inlined into the physical function, that frame's line. */
#define INL_MAX 8
struct inl_chain {
	unsigned n;
	const char *call_file;
	int call_line;
	struct { const char *function, *file; int line; } f[INL_MAX];
};

/* One resolved lookup address (pc, or pc - 1 for a return address). */
struct aentry {
	struct inl_chain *inl;    /* malloc'd, or NULL: none inlined there */
	uint64_t key;
	int valid;
	const char *object;
	int64_t objdelta;         /* object_offset = pc - objdelta */
	const char *function;
	uint64_t fstart;
	const char *file;
	int line;
	uint32_t flags;
};

struct uproc {
	struct uproc *next;
	struct unwinder *u;
	pid_t pid;
	Dwfl *dwfl;
	int attached;             /* dwfl_attach_state done */
	uint64_t maps_sig;
	int maps_dirty;           /* code may have been (un)mapped: read the maps again */
	uint64_t last_use;
	struct aentry cache[ACACHE];
	/* /tmp/perf-PID.map, the symbols a JIT writes for its code (perf's
	 * convention: "START SIZE NAME" a line, hex), read again when its
	 * size or time changes */
	struct jitsym *jit;
	size_t njit;
	long long jit_size, jit_mtime;
	const char *jit_object;
};

struct jitsym {
	uint64_t start, size;
	const char *name;         /* interned */
};

struct page {
	uint64_t base;
	unsigned len;
	unsigned gen;
	unsigned char b[PAGE_SZ];
};

/* Mappings a backend gave for a process (unwinder_set_maps()). */
struct given {
	struct given *next;
	pid_t pid;
	size_t len;
	char *text;
};

struct unwinder {
	struct uproc *procs;
	unsigned nprocs;
	struct given *given;
	uint64_t clock;
	struct intern strings;
	unwind_nodebug_fn nodebug;
	void *nodebug_ctx;
	Dwfl_Callbacks dwfl_cbs;
	char *debuginfo_path;

	/* the stack being unwound */
	struct uproc *cur;
	pid_t tid;
	uint64_t have;
	const uint64_t *regs;
	unwind_mem_fn mem;
	void *mem_ctx;
	unsigned gen;
	struct page pages[NPAGES];
	struct scry_frame *frames;
	unsigned max, n;
	int lines;
	int truncated;
	int want_refresh;         /* a pc outside every module */
	int refreshed;            /* ... and the maps were read again */
	uint64_t prev_pc, prev_sp;
	int have_prev;
};

/* The process whose modules libdwfl is reading now (find_elf has no
 * context of its own): set around every call into a process's Dwfl. */
static __thread pid_t cur_pid;

/*
 * A module whose file is gone ("/x (deleted)" in the maps): its pages are
 * still there, through /proc/PID/map_files/START-END of one of its
 * mappings (root, or CAP_CHECKPOINT_RESTORE) or, for the executable,
 * /proc/PID/exe (whoever may ptrace it).  An open fd, or -1.
 */
static int open_deleted(pid_t pid, const char *name, uint64_t lo, uint64_t hi)
{
	char path[96];
	size_t len = 0;
	char *maps = read_maps_of(pid, &len);
	size_t nlen = strlen(name);
	int fd = -1;
	for (char *l = maps, *end = maps ? maps + len : NULL; l && l < end && fd < 0;) {
		char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t ll = nl ? (size_t)(nl - l) : (size_t)(end - l);
		unsigned long long a, b;
		if (ll > nlen && !memcmp(l + ll - nlen, name, nlen) && l[ll - nlen - 1] == ' ' &&
		    sscanf(l, "%llx-%llx", &a, &b) == 2 && a >= lo && b <= hi) {
			snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", (int)pid, a, b);
			fd = open(path, O_RDONLY | O_CLOEXEC);
		}
		l = nl ? nl + 1 : end;
	}
	free(maps);
	if (fd >= 0)
		return fd;
	char exe[PATH_MAX];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	if (strcmp(exe, name))
		return -1;
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * The vDSO of a process that is gone (a short-lived one whose calls the
 * bpf backend hands over after its exit, a profiled one whose samples are
 * unwound late): its image cannot be read from it any more, but every
 * native process maps the same image, this one's included.  An Elf over
 * this process's own vDSO, which stays mapped as long as the process
 * lives (nothing to free: elf_end() leaves the memory), when its size is
 * the size of the module the process had (lo..hi); NULL when not.
 */
static Elf *own_vdso_elf(Dwarf_Addr lo, Dwarf_Addr hi)
{
	const unsigned char *img = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
	if (!img || memcmp(img, ELFMAG, SELFMAG) || img[EI_CLASS] != ELFCLASS64)
		return NULL;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	size_t size = (size_t)eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_offset + ph[i].p_filesz > size)
			size = (size_t)(ph[i].p_offset + ph[i].p_filesz);
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (hi - lo != (size + page - 1) / page * page)
		return NULL;     /* another vDSO (another ABI): not this one */
	return elf_memory((char *)img, size);
}

static int find_elf(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	static const char tail[] = " (deleted)";
	size_t n = name ? strlen(name) : 0;
	if (cur_pid > 0 && name && name[0] == '/' && n > sizeof(tail) - 1 &&
	    !strcmp(name + n - (sizeof(tail) - 1), tail)) {
		Dwarf_Addr lo = 0, hi = 0;
		dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
		int fd = open_deleted(cur_pid, name, lo, hi);
		if (fd >= 0) {
			*file_name = strdup(name);
			return fd;
		}
	}
	int fd = dwfl_linux_proc_find_elf(mod, userdata, name, base, file_name, elfp);
	if (fd < 0 && !*elfp && name && !strncmp(name, "[vdso: ", 7)) {
		Dwarf_Addr lo = 0, hi = 0;
		dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
		*elfp = own_vdso_elf(lo, hi);
	}
	return fd;
}

int unwinder_new(struct unwinder **out)
{
	struct unwinder *u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->dwfl_cbs.find_elf = find_elf;
	u->dwfl_cbs.find_debuginfo = dwfl_standard_find_debuginfo;
	u->dwfl_cbs.debuginfo_path = &u->debuginfo_path;
	*out = u;
	return 0;
}

void unwinder_set_nodebug(struct unwinder *u, unwind_nodebug_fn fn, void *ctx)
{
	u->nodebug = fn;
	u->nodebug_ctx = ctx;
}

static void modinfo_free(struct modinfo *mi)
{
	if (!mi)
		return;
	free(mi->syms);
	free(mi);
}

static int free_mod_cb(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start, void *arg)
{
	modinfo_free(*userdata);
	*userdata = NULL;
	return DWARF_CB_OK;
}

/* dwfl_report_end's callback for a module that is gone: its second
 * argument is the module's userdata slot (void **), not the userdata. */
static int removed_cb(Dwfl_Module *mod, void *userdata, const char *name, Dwarf_Addr base, void *arg)
{
	void **slot = userdata;
	modinfo_free(*slot);
	*slot = NULL;
	return 0;
}

static void cache_clear(struct uproc *p)
{
	for (unsigned i = 0; i < ACACHE; i++)
		free(p->cache[i].inl);
	memset(p->cache, 0, sizeof(p->cache));
}

static void uproc_free(struct uproc *p)
{
	free(p->jit);
	cache_clear(p);
	if (p->dwfl) {
		dwfl_getmodules(p->dwfl, free_mod_cb, NULL, 0);
		dwfl_end(p->dwfl);
	}
	free(p);
}

static struct given **given_find(struct unwinder *u, pid_t pid)
{
	struct given **gp = &u->given;
	while (*gp && (*gp)->pid != pid)
		gp = &(*gp)->next;
	return gp;
}

int unwinder_set_maps(struct unwinder *u, pid_t pid, const char *maps, size_t len)
{
	struct given **gp = given_find(u, pid), *g = *gp;
	char *text = malloc(len + 1);
	if (!text)
		return -ENOMEM;
	memcpy(text, maps, len);
	text[len] = '\0';
	if (!g) {
		if (!(g = calloc(1, sizeof(*g)))) {
			free(text);
			return -ENOMEM;
		}
		g->pid = pid;
		*gp = g;
	}
	free(g->text);
	g->text = text;
	g->len = len;
	for (struct uproc *p = u->procs; p; p = p->next)
		if (p->pid == pid)
			p->maps_dirty = 1;
	return 0;
}

static void given_drop(struct unwinder *u, pid_t pid)
{
	struct given **gp = given_find(u, pid), *g = *gp;
	if (!g)
		return;
	*gp = g->next;
	free(g->text);
	free(g);
}

void unwinder_forget(struct unwinder *u, pid_t pid)
{
	if (!u)
		return;
	given_drop(u, pid);
	for (struct uproc **pp = &u->procs; *pp; pp = &(*pp)->next)
		if ((*pp)->pid == pid) {
			struct uproc *p = *pp;
			*pp = p->next;
			u->nprocs--;
			uproc_free(p);
			return;
		}
}

void unwinder_maps_changed(struct unwinder *u, pid_t pid)
{
	if (!u)
		return;
	for (struct uproc *p = u->procs; p; p = p->next)
		if (p->pid == pid) {
			p->maps_dirty = 1;
			return;
		}
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	while (u->procs) {
		struct uproc *p = u->procs;
		u->procs = p->next;
		uproc_free(p);
	}
	while (u->given)
		given_drop(u, u->given->pid);
	intern_free(&u->strings);
	free(u->debuginfo_path);
	free(u);
}

/* ---- memory: the caller's reader behind a page cache ---- */

static ssize_t raw_read(struct unwinder *u, uint64_t addr, void *buf, size_t len)
{
	if (u->mem)
		return u->mem(u->mem_ctx, addr, buf, len);
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	return process_vm_readv(u->tid, &local, 1, &remote, 1, 0);
}

static int read_word(struct unwinder *u, uint64_t addr, uint64_t *out)
{
	if (addr > UINT64_MAX - 8)
		return -1;
	uint64_t base = addr & ~(uint64_t)(PAGE_SZ - 1);
	size_t off = (size_t)(addr - base);
	if (off + 8 <= PAGE_SZ) {
		struct page *pg = &u->pages[(base / PAGE_SZ) % NPAGES];
		if (pg->gen != u->gen || pg->base != base) {
			ssize_t r = raw_read(u, base, pg->b, PAGE_SZ);
			pg->gen = u->gen;
			pg->base = base;
			pg->len = r > 0 ? (unsigned)r : 0;
		}
		if (off + 8 <= pg->len) {
			memcpy(out, pg->b + off, 8);
			return 0;
		}
	}
	/* Across pages, or a reader that serves less than a page (a stack
	 * copy that starts at sp): the word alone. */
	uint64_t w;
	if (raw_read(u, addr, &w, 8) != 8)
		return -1;
	*out = w;
	return 0;
}

/* ---- Dwfl_Thread_Callbacks: one thread, registers from the stop ---- */

static pid_t cb_next_thread(Dwfl *dwfl, void *dwfl_arg, void **thread_argp)
{
	struct uproc *p = dwfl_arg;
	if (*thread_argp)
		return 0;
	*thread_argp = p;
	return p->u->tid;
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *dwfl_arg, void **thread_argp)
{
	struct uproc *p = dwfl_arg;
	*thread_argp = p;
	return tid == p->u->tid;
}

static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *dwfl_arg)
{
	struct uproc *p = dwfl_arg;
	uint64_t w;
	if (read_word(p->u, addr, &w) < 0)
		return false;
	*result = w;
	return true;
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct uproc *p = thread_arg;
	struct unwinder *u = p->u;
	for (unsigned i = 0; i < PC_REG; i++) {
		if (!(u->have >> i & 1))
			continue;
		Dwarf_Word v = u->regs[i];
		if (!dwfl_thread_state_registers(thread, (int)i, 1, &v))
			return false;
	}
	dwfl_thread_state_register_pc(thread, u->regs[PC_REG]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_cbs = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/* ---- the process's modules ---- */

/* Reads /proc/PID/maps whole into a malloc'd buffer (*len bytes). */
static char *read_maps_of(pid_t pid, size_t *len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (n < cap || cap >= MAPS_MAX)
			break;
		char *nb = realloc(buf, cap * 2);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (buf)
		*len = n;
	return buf;
}

/* Reports the process's mappings to p->dwfl anew; 1 when they changed,
 * 0 when not, negative when they could not be read. */
static int report_maps(struct uproc *p)
{
	size_t len = 0;
	struct given *g = *given_find(p->u, p->pid);
	char *maps = g ? malloc(g->len + 1) : read_maps_of(p->pid, &len);
	if (g && maps) {
		memcpy(maps, g->text, g->len);
		maps[g->len] = '\0';
		len = g->len;
	}
	if (!maps || !len) {
		free(maps);
		return -ESRCH;
	}
	uint64_t sig = hash_bytes(maps, len, 14695981039346656037ull) ^ len;
	if (p->maps_sig == sig) {
		free(maps);
		return 0;
	}
	FILE *f = fmemopen(maps, len, "r");
	if (!f) {
		free(maps);
		return -ENOMEM;
	}
	dwfl_report_begin(p->dwfl);
	int r = dwfl_linux_proc_maps_report(p->dwfl, f);
	/* the maps alone do not report the vDSO (no file): by this name
	 * dwfl_linux_proc_find_elf reads its image from the process */
	const char *vd = strstr(maps, "[vdso]");
	while (vd && vd > maps && vd[-1] != '\n')
		vd--;
	unsigned long long vlo, vhi;
	if (!r && vd && sscanf(vd, "%llx-%llx", &vlo, &vhi) == 2) {
		char name[32];
		snprintf(name, sizeof(name), "[vdso: %d]", (int)p->pid);
		dwfl_report_module(p->dwfl, name, vlo, vhi);
	}
	dwfl_report_end(p->dwfl, removed_cb, NULL);
	fclose(f);
	free(maps);
	if (r != 0)
		return -EIO;
	p->maps_sig = sig;
	cache_clear(p);
	return 1;
}

static struct uproc *uproc_get(struct unwinder *u, pid_t pid)
{
	for (struct uproc *p = u->procs; p; p = p->next)
		if (p->pid == pid) {
			p->last_use = ++u->clock;
			return p;
		}
	if (u->nprocs >= MAXPROCS) {
		struct uproc **oldest = NULL;
		for (struct uproc **pp = &u->procs; *pp; pp = &(*pp)->next)
			if (!oldest || (*pp)->last_use < (*oldest)->last_use)
				oldest = pp;
		struct uproc *o = *oldest;
		*oldest = o->next;
		u->nprocs--;
		uproc_free(o);
	}
	struct uproc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->u = u;
	p->pid = pid;
	p->last_use = ++u->clock;
	p->dwfl = dwfl_begin(&u->dwfl_cbs);
	if (!p->dwfl) {
		free(p);
		return NULL;
	}
	p->next = u->procs;
	u->procs = p;
	u->nprocs++;
	report_maps(p);
	return p;
}

#if defined(__x86_64__)
#define HOST_EM EM_X86_64
#elif defined(__aarch64__)
#define HOST_EM EM_AARCH64
#else
#define HOST_EM EM_NONE
#endif

/* The first module whose ELF is of our own machine (64-bit). */
static int pick_elf_cb(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr eh;
	if (elf && gelf_getehdr(elf, &eh) && eh.e_machine == HOST_EM &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64) {
		*(Elf **)arg = elf;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

static int attach(struct uproc *p)
{
	if (p->attached)
		return 0;
	/* The unwinder's machine backend comes from this ELF: not from
	 * whatever module happens to be first (dwfl_attach_state with NULL),
	 * which may be another machine's file mapped into the process and
	 * makes libdw assert on its register count. */
	Elf *elf = NULL;
	dwfl_getmodules(p->dwfl, pick_elf_cb, &elf, 0);
	if (!elf)
		return -1;
	if (!dwfl_attach_state(p->dwfl, elf, p->pid, &thread_cbs, p))
		return -1;
	p->attached = 1;
	return 0;
}

/* ---- symbols ---- */

static int is_runtime(const char *path)
{
	if (!path)
		return 0;
	if (!strcmp(path, "[vdso]") || !strcmp(path, "[vsyscall]"))
		return 1;
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	static const char *const prefixes[] = {
		"libc.so", "libc-2.", "ld-linux", "ld64.so", "ld-2.", "ld-musl", "libc.musl",
		"libpthread.so", "libpthread-", "libdl.so", "libdl-", "librt.so", "librt-",
		"libstdc++.so", "libgcc_s.so", "libc++.so", "libc++abi.so", "libunwind.so",
	};
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(b, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	/* of equal rank, the name without leading underscores (write, not
	 * __write) */
	int ux = x->name[0] == '_', uy = y->name[0] == '_';
	if (ux != uy)
		return ux - uy;
	return strcmp(x->name, y->name);
}

static void build_symtab(Dwfl_Module *mod, struct modinfo *mi)
{
	int n = dwfl_module_getsymtab(mod);
	if (n <= 0)
		return;
	mi->syms = calloc((size_t)n, sizeof(*mi->syms));
	if (!mi->syms)
		return;
	size_t k = 0;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, NULL, NULL);
		if (!name || !*name)
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (type != STT_FUNC && type != STT_GNU_IFUNC)
			continue;
		if (sym.st_shndx == SHN_UNDEF || addr == 0)
			continue;
		int bind = GELF_ST_BIND(sym.st_info);
		mi->syms[k].addr = addr;
		mi->syms[k].size = sym.st_size;
		mi->syms[k].name = name;
		mi->syms[k].rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
		k++;
	}
	qsort(mi->syms, k, sizeof(*mi->syms), sym_cmp);
	/* one symbol per address: the best ranked, first after the sort */
	size_t w = 0;
	for (size_t i = 0; i < k; i++)
		if (!w || mi->syms[w - 1].addr != mi->syms[i].addr)
			mi->syms[w++] = mi->syms[i];
	mi->nsyms = w;
}

static const struct sym *sym_find(const struct modinfo *mi, uint64_t addr)
{
	size_t lo = 0, hi = mi->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mi->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct sym *s = &mi->syms[lo - 1];
	/* a sized symbol that ends before addr does not hold it (a static
	 * function missing from .dynsym lies there) */
	if (s->size && addr - s->addr >= s->size)
		return NULL;
	return s;
}

static struct modinfo *modinfo_get(struct unwinder *u, Dwfl_Module *mod)
{
	void **ud = NULL;
	Dwarf_Addr start = 0, end = 0;
	const char *name = dwfl_module_info(mod, &ud, &start, &end, NULL, NULL, NULL, NULL);
	if (!ud)
		return NULL;
	if (*ud)
		return *ud;
	struct modinfo *mi = calloc(1, sizeof(*mi));
	if (!mi)
		return NULL;
	if (name && !strncmp(name, "[vdso: ", 7))
		name = "[vdso]";        /* report_maps' name: the same in every process */
	struct istr *obj = intern_entry(&u->strings, name);
	mi->object = obj ? obj->s : NULL;
	mi->start = start;
	if (is_runtime(name))
		mi->flags |= SCRY_FRAME_RUNTIME;
	Dwarf_Addr bias = 0;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	if (elf) {
		mi->have_elf = 1;
		mi->bias = bias;
		size_t nph = 0;
		if (elf_getphdrnum(elf, &nph) == 0)
			for (size_t i = 0; i < nph && mi->nload < 16; i++) {
				GElf_Phdr ph;
				if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
					mi->load[mi->nload].vaddr = ph.p_vaddr;
					mi->load[mi->nload].memsz = ph.p_memsz;
					mi->load[mi->nload].offset = ph.p_offset;
					mi->nload++;
				}
			}
		build_symtab(mod, mi);
		Dwarf_Addr dbias;
		if (!dwfl_module_getdwarf(mod, &dbias))
			mi->flags |= SCRY_FRAME_NO_DEBUGINFO;
	} else {
		mi->flags |= SCRY_FRAME_NO_DEBUGINFO | SCRY_FRAME_UNKNOWN;
	}
	if ((mi->flags & SCRY_FRAME_NO_DEBUGINFO) && obj && !obj->noted) {
		obj->noted = 1;
		if (u->nodebug)
			u->nodebug(u->nodebug_ctx, obj->s, mi->flags);
	}
	*ud = mi;
	return mi;
}

char *unwind_demangle(const char *name)
{
	if (!name)
		return NULL;
	/* "__libc_start_main@@GLIBC_2.34": the name without its version */
	const char *at = strchr(name, '@');
	size_t len = at && at > name ? (size_t)(at - name) : strlen(name);
	char *plain = strndup(name, len);
	if (!plain)
		return NULL;
#ifdef SCRY_HAVE_IBERTY
	/* C++ (_Z), Rust legacy (_ZN...17h<hash>E, its hash left out) and
	 * Rust v0 (_R): cplus_demangle's DMGL_AUTO tries Rust's first */
	if (plain[0] == '_' && (plain[1] == 'Z' || plain[1] == 'R')) {
		char *d = cplus_demangle(plain, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
		if (d) {
			free(plain);
			return d;
		}
	}
#endif
	return plain;
}

static const char *demangle(struct unwinder *u, const char *name)
{
	char *d = unwind_demangle(name);
	const char *r = intern(&u->strings, d ? d : name);
	free(d);
	return r;
}

/* The file offset of process address pc in module mi (its ELF's PT_LOADs):
 * pc - *delta.  0 when the address lies in none of them (a hole in the
 * module's range, where other code may be mapped), else 1. */
static int objdelta(const struct modinfo *mi, uint64_t look, int64_t *delta)
{
	*delta = (int64_t)mi->start;
	if (!mi->have_elf || !mi->nload)
		return 1;
	uint64_t vaddr = look - mi->bias;
	for (int i = 0; i < mi->nload; i++)
		if (vaddr >= mi->load[i].vaddr && vaddr - mi->load[i].vaddr < mi->load[i].memsz) {
			*delta = (int64_t)(mi->bias + mi->load[i].vaddr - mi->load[i].offset);
			return 1;
		}
	return 0;
}

/* A string attribute of die, through DW_AT_abstract_origin. */
static const char *die_str(Dwarf_Die *die, int name)
{
	Dwarf_Attribute a;
	return dwarf_attr_integrate(die, name, &a) ? dwarf_formstring(&a) : NULL;
}

/* Where inlined subroutine die was inlined from: its call file and line. */
static void call_site(struct unwinder *u, Dwarf_Die *cu, Dwarf_Die *die, const char **file, int *line)
{
	Dwarf_Attribute a;
	Dwarf_Word no = 0, fi = 0;
	*file = NULL;
	*line = 0;
	if (!dwarf_attr(die, DW_AT_call_line, &a) || dwarf_formudata(&a, &no) != 0 || !no)
		return;
	Dwarf_Files *files;
	size_t nfiles;
	if (!dwarf_attr(die, DW_AT_call_file, &a) || dwarf_formudata(&a, &fi) != 0 ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || fi >= nfiles)
		return;
	const char *f = dwarf_filesrc(files, fi, NULL, NULL);
	*file = f ? intern(&u->strings, f) : NULL;
	*line = *file ? (int)no : 0;
}

static const char *demangle(struct unwinder *u, const char *name);

/*
 * The functions inlined at address look of mod, innermost first, or NULL
 * when none is (or without DWARF).  file:line is the address's own line.
 */
static struct inl_chain *inline_chain(struct unwinder *u, Dwfl_Module *mod, uint64_t look,
				      const char *file, int line)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, look, &bias);
	if (!cu)
		return NULL;
	Dwarf_Die *scopes = NULL;
	int n = dwarf_getscopes(cu, look - bias, &scopes);
	if (n <= 0)
		return NULL;
	/* dwarf_getscopes follows an inlined subroutine's abstract origin
	 * outwards; the concrete scopes it was inlined into come from its
	 * own DIE (as eu-addr2line -i finds them) */
	Dwarf_Die inner = scopes[0];
	free(scopes);
	scopes = NULL;
	n = dwarf_getscopes_die(&inner, &scopes);
	if (n <= 0)
		return NULL;
	struct inl_chain *c = NULL;
	for (int i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_subprogram)
			break;
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		if (!c && !(c = calloc(1, sizeof(*c))))
			break;
		if (c->n == INL_MAX)
			break;      /* deeper: the outer ones are left out */
		const char *name = die_str(&scopes[i], DW_AT_linkage_name);
		if (!name)
			name = die_str(&scopes[i], DW_AT_MIPS_linkage_name);
		if (!name)
			name = die_str(&scopes[i], DW_AT_name);
		c->f[c->n].function = name ? demangle(u, name) : NULL;
		c->f[c->n].file = file;
		c->f[c->n].line = line;
		/* the next one out (or the physical function) is at the line
		 * this one was inlined from */
		call_site(u, cu, &scopes[i], &file, &line);
		c->n++;
	}
	free(scopes);
	if (c) {
		c->call_file = file;
		c->call_line = line;
	}
	return c;
}

static int jit_cmp(const void *a, const void *b)
{
	const struct jitsym *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The symbol of /tmp/perf-PID.map that holds pc (code a JIT made in an
 * anonymous mapping), NULL when none: the file is read when it is new or
 * changed, never trusted beyond its lines that parse. */
static const struct jitsym *jit_find(struct unwinder *u, struct uproc *p, uint64_t pc)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)p->pid);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	if ((long long)st.st_size != p->jit_size || (long long)st.st_mtime != p->jit_mtime) {
		free(p->jit);
		p->jit = NULL;
		p->njit = 0;
		p->jit_size = (long long)st.st_size;
		p->jit_mtime = (long long)st.st_mtime;
		p->jit_object = intern(&u->strings, path);
		FILE *f = fopen(path, "re");
		if (!f)
			return NULL;
		size_t cap = 0;
		char line[512];
		while (fgets(line, sizeof(line), f)) {
			unsigned long long start, size;
			int at = 0;
			if (sscanf(line, "%llx %llx %n", &start, &size, &at) != 2 || !at || !size)
				continue;
			line[strcspn(line, "\n")] = 0;
			const char *name = intern(&u->strings, line + at);
			if (!name)
				break;
			if (p->njit == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct jitsym *n = realloc(p->jit, ncap * sizeof(*n));
				if (!n)
					break;
				p->jit = n;
				cap = ncap;
			}
			p->jit[p->njit++] = (struct jitsym){ start, size, name };
		}
		fclose(f);
		qsort(p->jit, p->njit, sizeof(*p->jit), jit_cmp);
	}
	/* the last symbol starting at or before pc (a later line for the
	 * same code, a recompiled method, sorts next to it) */
	size_t lo = 0, hi = p->njit;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->jit[mid].start <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || pc - p->jit[lo - 1].start >= p->jit[lo - 1].size)
		return NULL;
	return &p->jit[lo - 1];
}

static const struct aentry *resolve(struct unwinder *u, struct uproc *p, uint64_t pc, int isact,
				    struct scry_frame *f)
{
	uint64_t look = isact || pc == 0 ? pc : pc - 1;
	struct aentry *e = &p->cache[(look ^ (look >> 13)) % ACACHE];
	if (!e->valid || e->key != look) {
		free(e->inl);
		memset(e, 0, sizeof(*e));
		e->key = look;
		e->objdelta = (int64_t)pc;   /* unknown: offset 0 */
		Dwfl_Module *mod = p->dwfl ? dwfl_addrmodule(p->dwfl, look) : NULL;
		struct modinfo *mi = mod ? modinfo_get(u, mod) : NULL;
		if (mi && !objdelta(mi, look, &e->objdelta)) {
			mod = NULL;     /* between its segments: not its code */
			mi = NULL;
			e->objdelta = (int64_t)pc;
		}
		const struct jitsym *j = NULL;
		if (!mi && !mod && (j = jit_find(u, p, look)) != NULL) {
			e->object = p->jit_object;
			e->function = j->name;
			e->fstart = j->start;
			e->objdelta = 0;
			e->flags = SCRY_FRAME_NO_DEBUGINFO;
		} else if (!mi) {
			e->flags = SCRY_FRAME_UNKNOWN | SCRY_FRAME_NO_DEBUGINFO;
			if (!mod)
				u->want_refresh = 1;
		} else {
			e->object = mi->object;
			e->flags = mi->flags;
			const struct sym *s = sym_find(mi, look);
			if (s) {
				e->function = demangle(u, s->name);
				e->fstart = s->addr;
			}
			if (u->lines && !(mi->flags & SCRY_FRAME_NO_DEBUGINFO)) {
				Dwfl_Line *l = dwfl_module_getsrc(mod, look);
				int lineno = 0;
				const char *file = l ? dwfl_lineinfo(l, NULL, &lineno, NULL, NULL, NULL) : NULL;
				if (file && lineno > 0) {
					e->file = intern(&u->strings, file);
					e->line = e->file ? lineno : 0;
				}
				e->inl = inline_chain(u, mod, look, e->file, e->line);
			}
		}
		/* an address outside every module is not kept: the maps may
		 * say more after a refresh */
		e->valid = mod != NULL;
	}
	f->addr = pc;
	f->object = e->object;
	f->object_offset = pc - (uint64_t)e->objdelta;
	f->function = e->function;
	f->offset = e->function ? pc - e->fstart : 0;
	f->file = e->inl ? e->inl->call_file : e->file;
	f->line = e->inl ? e->inl->call_line : e->line;
	f->flags = e->flags;
	return e;
}

/* pc as the next frame of u->frames (after the functions inlined there);
 * -1 with truncated = 1 when they are full. */
static int push_pc(struct unwinder *u, uint64_t pc, int isact)
{
	if (u->n >= u->max) {
		u->truncated = 1;
		return -1;
	}
	struct scry_frame *f = &u->frames[u->n++];
	const struct aentry *e = resolve(u, u->cur, pc, isact, f);
	if (e->inl) {
		/* the functions inlined here first, each SCRY_FRAME_INLINED
		 * (text -k shows the physical frames only, as strace) */
		struct scry_frame phys = *f;
		u->n--;
		for (unsigned i = 0; i < e->inl->n; i++) {
			if (u->n >= u->max) {
				u->truncated = 1;
				return -1;
			}
			struct scry_frame *g = &u->frames[u->n++];
			*g = phys;
			g->function = e->inl->f[i].function;
			g->offset = 0;
			g->file = e->inl->f[i].file;
			g->line = e->inl->f[i].line;
			g->flags |= SCRY_FRAME_INLINED;
		}
		if (u->n >= u->max) {
			u->truncated = 1;
			return -1;
		}
		u->frames[u->n++] = phys;
	}
	return 0;
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct unwinder *u = arg;
	Dwarf_Addr pc;
	bool isact;
	if (!dwfl_frame_pc(state, &pc, &isact)) {
		if (u->n)
			u->truncated = 2;
		return DWARF_CB_ABORT;
	}
	if (pc == 0 && u->n)        /* the outermost frame's return address */
		return DWARF_CB_ABORT;
	Dwarf_Word sp = 0;
	int have_sp = dwfl_frame_reg(state, SP_REG, &sp) == 0;
	if (have_sp && u->have_prev && sp == u->prev_sp && pc == u->prev_pc) {
		u->truncated = 2;       /* a stack that loops */
		return DWARF_CB_ABORT;
	}
	u->have_prev = have_sp;
	u->prev_sp = sp;
	u->prev_pc = pc;
	if (push_pc(u, pc, isact) < 0)
		return DWARF_CB_ABORT;
	if (u->want_refresh && !u->refreshed)
		return DWARF_CB_ABORT;  /* read the maps again, then start over */
	return DWARF_CB_OK;
}

/* out->source: the first frame with a line outside the runtime, else the
 * first outside it (-1: none). */
static void pick_source(struct scry_stack *out)
{
	int first_shown = -1;
	out->source = -1;
	for (unsigned i = 0; i < out->nframes; i++) {
		if (out->frames[i].flags & SCRY_FRAME_RUNTIME)
			continue;
		if (first_shown < 0)
			first_shown = (int)i;
		if (out->frames[i].line > 0) {
			out->source = (int)i;
			return;
		}
	}
	out->source = first_shown;
}

/* The end of an unwinding (unwinder_unwind, unwinder_symbolize): the
 * frames found into out, the source frame picked, the state let go. */
static int unwound(struct unwinder *u, struct scry_stack *out)
{
	out->nframes = u->n;
	out->truncated = u->truncated;
	pick_source(out);
	u->cur = NULL;
	u->frames = NULL;
	cur_pid = 0;
	return 0;
}

int unwinder_unwind(struct unwinder *u, pid_t pid, pid_t tid, uint64_t have,
		    const uint64_t regs[UNWIND_NREGS], unwind_mem_fn mem, void *mem_ctx,
		    int lines, struct scry_frame *frames, unsigned max, struct scry_stack *out)
{
	memset(out, 0, sizeof(*out));
	out->frames = frames;
	out->source = -1;
#ifdef UNWIND_UNSUPPORTED
	return -ENOSYS;
#endif
	if (!(have >> PC_REG & 1))
		return -EINVAL;
	if (!max)
		return 0;
	struct uproc *p = uproc_get(u, pid);
	if (!p)
		return -ENOMEM;
	cur_pid = pid;
	if (p->maps_dirty) {
		/* a mapping changed since: a module found by address may be
		 * gone and other code there (dlclose, then dlopen or mmap at
		 * the same place) */
		p->maps_dirty = 0;
		report_maps(p);
	}
	u->cur = p;
	u->tid = tid;
	u->have = have;
	u->regs = regs;
	u->mem = mem;
	u->mem_ctx = mem_ctx;
	u->frames = frames;
	u->max = max;
	u->lines = lines;
	u->refreshed = 0;
	for (int pass = 0; pass < 2; pass++) {
		if (++u->gen == 0) {
			for (unsigned i = 0; i < NPAGES; i++)
				u->pages[i].gen = 0;
			u->gen = 1;
		}
		u->n = 0;
		u->truncated = 0;
		u->want_refresh = 0;
		u->have_prev = 0;
		if (attach(p) == 0) {
			int r = dwfl_getthread_frames(p->dwfl, tid, frame_cb, u);
			if (r != 0 && !u->truncated && !u->want_refresh)
				u->truncated = 2;
		} else {
			/* no module with an ELF: the pc alone */
			resolve(u, p, regs[PC_REG], 1, &frames[0]);
			u->n = 1;
			u->truncated = 2;
		}
		if (!u->want_refresh || u->refreshed)
			break;
		/* An address outside every module: dlopen or mmap'd code since
		 * the maps were read.  Read them again, once; if they did not
		 * change the frame stays unknown. */
		u->refreshed = 1;
		report_maps(p);
	}
	return unwound(u, out);
}

int unwinder_resolve(struct unwinder *u, pid_t pid, uint64_t pc, int isact, struct scry_frame *f)
{
	memset(f, 0, sizeof(*f));
	struct uproc *p = uproc_get(u, pid);
	if (!p)
		return -ENOMEM;
	u->lines = 0;
	u->want_refresh = 0;
	resolve(u, p, pc, isact, f);
	/* outside every module known: dlopen'd since, if the maps changed */
	if (u->want_refresh && report_maps(p) > 0)
		resolve(u, p, pc, isact, f);
	u->want_refresh = 0;
	return 0;
}

int unwinder_symbolize(struct unwinder *u, pid_t pid, const uint64_t *pcs, unsigned npcs, int lines,
		       struct scry_frame *frames, unsigned max, struct scry_stack *out)
{
	memset(out, 0, sizeof(*out));
	out->frames = frames;
	out->source = -1;
#ifdef UNWIND_UNSUPPORTED
	return -ENOSYS;
#endif
	if (!npcs || !max)
		return 0;
	struct uproc *p = uproc_get(u, pid);
	if (!p)
		return -ENOMEM;
	cur_pid = pid;
	if (p->maps_dirty) {
		p->maps_dirty = 0;
		report_maps(p);
	}
	u->cur = p;
	u->frames = frames;
	u->max = max;
	u->lines = lines;
	u->refreshed = 0;
	for (int pass = 0; pass < 2; pass++) {
		u->n = 0;
		u->truncated = 0;
		u->want_refresh = 0;
		for (unsigned i = 0; i < npcs; i++) {
			/* (the chain ends at a zero return address) */
			if (i && !pcs[i])
				break;
			if (push_pc(u, pcs[i], i == 0) < 0)
				break;
		}
		if (!u->want_refresh || u->refreshed)
			break;
		/* an address outside every module: code mapped since the
		 * maps were read (as unwinder_unwind) */
		u->refreshed = 1;
		report_maps(p);
	}
	return unwound(u, out);
}
