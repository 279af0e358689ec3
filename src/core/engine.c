/*
 * The engine: raw calls from a backend in, filtered and decoded events out
 * to the sinks.  See core/engine.h.
 */
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/internal.h"
#include "scry/filter.h"

/* The bit of call nr in the bitmaps: an i386 call of an ia32 process
 * (SCRY_NR_I386 + n, scry_compat_nr()) has bit SCRY_FILTER_I386_BASE + n
 * (scry/filter.h); one beyond them, -1. */
static long filter_bit(long nr)
{
	if (nr < SCRY_NR_I386)
		return nr;
	nr = nr - SCRY_NR_I386 + SCRY_FILTER_I386_BASE;
	return nr < SCRY_FILTER_MAX_NR ? nr : -1;
}

/* Is syscall nr in the session's trace set (cfg.syscall_bitmap)?  A number
 * beyond the bitmap is let through: the sinks' filter decides it. */
static int nr_traced(const struct scry_session *s, long nr)
{
	if (!s->cfg.syscall_bitmap)
		return 1;
	nr = filter_bit(nr);
	if (nr < 0 || (unsigned long)nr / 64 >= s->cfg.syscall_bitmap_words)
		return 1;
	return (s->cfg.syscall_bitmap[nr / 64] >> (nr % 64)) & 1;
}

/* Calls that may unmap code or map code where other code was: the
 * unwinder reads the process's maps again before its next stack. */
static int maps_call(long nr, const uint64_t *args)
{
	switch (nr) {
	case SYS_munmap:
	case SYS_mremap:
	case SYS_shmdt:
#ifdef SYS_remap_file_pages
	case SYS_remap_file_pages:
#endif
		return 1;
	case SYS_mmap:
	case SYS_mprotect:
#ifdef SYS_pkey_mprotect
	case SYS_pkey_mprotect:
#endif
		return (args[2] & PROT_EXEC) != 0;
	default:
		return 0;
	}
}

static ssize_t read_mem(const struct raw_call *rc, pid_t tid, uint64_t addr, void *buf, size_t len)
{
	return rc->mem ? rc->mem(rc->mem_ctx, addr, buf, len) : mem_read(tid, addr, buf, len);
}

/*
 * -P: does this call touch one of the paths, by a path argument or by an fd
 * argument open on it?  (strace's rule; the paths come with their
 * canonical forms from the caller.)
 */
static int touches_path(struct scry_session *s, struct tracee *t, const struct raw_call *rc)
{
	const struct scry_syscall_info *info = scry_syscall_get(s->table, rc->nr);
	if (!info)
		return 0;
	char buf[PATH_MAX];
	for (int i = 0; i < info->nargs; i++) {
		ssize_t n = -1;
		if (info->argtypes[i] == SCRY_ARG_PATH) {
			n = read_mem(rc, t->tid, rc->args[i], buf, sizeof(buf) - 1);
			if (n > 0) {
				buf[n] = '\0';
				n = (ssize_t)strlen(buf);
			}
		} else if (info->argtypes[i] == SCRY_ARG_FD && (int)rc->args[i] >= 0) {
			char link[64];
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)t->tid, (int)rc->args[i]);
			n = readlink(link, buf, sizeof(buf) - 1);
			if (n > 0)
				buf[n] = '\0';
		}
		if (n <= 0)
			continue;
		for (int k = 0; k < s->cfg.ntrace_paths; k++)
			if (!strcmp(buf, s->cfg.trace_paths[k]))
				return 1;
	}
	return 0;
}

/* Is nr's bit set in a per-call bitmap as long as syscall_bitmap? */
static int nr_in(const struct scry_session *s, const uint64_t *bm, long nr)
{
	nr = filter_bit(nr);
	if (!bm || nr < 0 || (unsigned long)nr / 64 >= SCRY_CALL_BITMAP_WORDS)
		return 0;
	return (bm[nr / 64] >> (nr % 64)) & 1;
}

static void dctx_init(struct scry_session *s, struct tracee *t, struct dctx *d,
		      struct scry_values *out, engine_mem_fn mem, void *mem_ctx)
{
	struct call_state *cs = &t->call;
	memset(d, 0, sizeof(*d));
	d->pid = t->tgid;
	d->tid = t->tid;
	d->nr = t->nr;
	d->info = scry_syscall_get(s->table, t->nr);
	d->args = t->args;
	d->limit = s->cfg.string_limit;
	d->verbose = s->cfg.verbose;
	/* -e abbrev=SET: in full unless abbreviated */
	if (s->cfg.abbrev_bitmap)
		d->verbose = !nr_in(s, s->cfg.abbrev_bitmap, t->nr);
	d->xflag = s->cfg.xflag;
	d->fd_paths = s->cfg.fd_paths;
	d->out = out;
	d->sp = t->sp;
	if (t->restart_nr1) {
		const struct scry_syscall_info *ri = scry_syscall_get(s->table, t->restart_nr1 - 1);
		d->resumed = ri ? ri->name : NULL;
	}
	d->mem = mem;
	d->mem_ctx = mem_ctx;
	d->rfmt = cs->rfmt;
	d->rxlat = cs->rxlat;
	d->rword = cs->rword;
	d->rzero = cs->rzero;
	d->rfield = cs->rfield;
	d->state = cs->state;
	d->indirect = t->ipc_indirect;
}

/* Does the entry part end with an argument the kernel writes back (its new
 * contents start the exit part)?  Only for the deprecated more_at_exit 2. */
static int last_updated(const struct scry_values *vs)
{
	size_t last = vs->n;
	for (size_t i = 0; i < vs->n; i = scry_values_skip(vs, i))
		last = i;
	return last < vs->n && (vs->v[last].flags & SCRY_VF_UPDATED);
}

/* strace's -e raw=: every argument in hex, undecoded; the result too. */
static int decode_raw(struct dctx *d)
{
	int n = d->info ? d->info->nargs : 6;
	for (int i = 0; i < n; i++) {
		size_t k = scry_values_push(d->out, SCRY_V_HEX, NULL);
		d->out->v[k].u = d->args[i];
	}
	d->rfmt = R_HEX;
	return DEC_DONE;
}

static decoder_fn decoder_of(struct scry_session *s, long nr)
{
	if (s->cfg.raw_bitmap && nr_in(s, s->cfg.raw_bitmap, nr))
		return decode_raw;
	if (nr >= SCRY_NR_I386) {
		/* an i386 call of an ia32 process (scry_compat_nr()): the
		 * decoders that know its layouts (decode/ia32.c) */
		nr -= SCRY_NR_I386;
		if (!s->decoders_i386)
			s->decoders_i386 = decoders_build(&scry_table_i386);
		return s->decoders_i386 && (unsigned long)nr < scry_table_i386.ncalls
			? s->decoders_i386[nr] : decode_generic;
	}
	return nr >= 0 && (unsigned long)nr < s->table->ncalls ? s->decoders[nr] : decode_generic;
}

long session_i386_nr(struct scry_session *s, long nr)
{
	if (nr < 0 || (unsigned long)nr >= s->table->ncalls)
		return -1;
	if (!s->i386_of) {
		s->i386_of = malloc(s->table->ncalls * sizeof(*s->i386_of));
		if (!s->i386_of)
			return -1;
		for (size_t n = 0; n < s->table->ncalls; n++) {
			const char *name = scry_syscall_name(s->table, (long)n);
			s->i386_of[n] = name ? (int)scry_syscall_lookup(&scry_table_i386, name) : -1;
		}
	}
	return s->i386_of[nr];
}

/* scry_call.compat_nr of t's call: SCRY_NR_I386 + its i386 number when
 * t made it in 32-bit mode (nr is its x86_64 twin's, or a socketcall's
 * call: the i386 call of the same name), else 0. */
static long compat_nr_of(struct scry_session *s, const struct tracee *t)
{
	if (t->pers != PERS_IA32 || s->table != &scry_table_x86_64)
		return 0;
	if (t->nr >= SCRY_NR_I386)
		return t->nr;
	long n32 = session_i386_nr(s, t->nr);
	return n32 >= 0 ? SCRY_NR_I386 + n32 : 0;
}

static void call_event(struct scry_session *s, struct tracee *t, struct scry_event *ev,
		       enum scry_event_type type, uint64_t ts_ns)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = t->tgid;
	ev->tid = t->tid;
	ev->ts_ns = ts_ns;
	ev->last_nr = t->nr;
	ev->ip = s->cfg.instruction_pointer ? t->ip : 0;
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	struct scry_call *c = &ev->u.call;
	c->nr = t->nr;
	c->name = info ? info->name : NULL;
	memcpy(c->args, t->args, sizeof(t->args));
	c->t_enter_ns = t->t_enter_ns;
	c->entry_args = s->cfg.no_decode ? NULL : &t->call.vals;
	c->exit_args = NULL;
	c->more_at_exit = t->call.more == EXIT_AFTER ? 0 : (int)t->call.more;
	c->stack = t->call.has_stack ? &t->call.stack : NULL;
	c->compat_nr = compat_nr_of(s, t);
}

/* The most frames kept of one stack, whatever cfg.stack_depth says. */
#define STACK_MAX 4096

/*
 * cfg.stack_depth: the user stack of t at this entry, unwound from the
 * backend's registers and symbolized (unwind/), into t->call.stack.  A
 * stack that cannot be unwound at all is left out (scry_call.stack NULL).
 */
static void unwind_entry(struct scry_session *s, struct tracee *t, const struct raw_call *rc)
{
	struct call_state *cs = &t->call;
	cs->has_stack = 0;
	if (s->cfg.stack_depth <= 0 || !rc->regs)
		return;
	if (!s->unwind) {
		if (unwinder_new(&s->unwind) < 0)
			return;
		unwinder_set_nodebug(s->unwind, s->cfg.stack_nodebug, s->cfg.stack_nodebug_ctx);
	}
	unsigned max = s->cfg.stack_depth > STACK_MAX ? STACK_MAX : (unsigned)s->cfg.stack_depth;
	if (!cs->frames) {
		cs->frames = calloc(max, sizeof(*cs->frames));
		if (!cs->frames)
			return;
	}
	if (rc->pcs ? unwinder_symbolize(s->unwind, t->tgid, rc->pcs, rc->npcs, s->cfg.stack_lines, cs->frames,
					 max, &cs->stack) < 0 :
	    unwinder_unwind(s->unwind, t->tgid, t->tid, rc->regs->have, rc->regs->r, rc->mem,
			    rc->mem_ctx, s->cfg.stack_lines, cs->frames, max, &cs->stack) < 0)
		return;
	cs->has_stack = cs->stack.nframes > 0;
}

/* ia32_socketcall()'s reader: the call's memory. */
struct call_mem {
	const struct raw_call *rc;
	pid_t tid;
};

static ssize_t call_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct call_mem *m = ctx;
	return read_mem(m->rc, m->tid, addr, buf, len);
}

int engine_enter(struct scry_session *s, struct tracee *t, const struct raw_call *rc)
{
	struct call_state *cs = &t->call;
	t->flags &= ~T_ENTRY_SHOWN;
	t->nr = rc->nr;
	t->sp = rc->sp;
	t->t_enter_ns = rc->t_enter_ns;
	if (rc->args != t->args)
		memcpy(t->args, rc->args, sizeof(t->args));
	/* an ia32 process's socketcall and ipc are the calls they make, as
	 * strace shows them (connect, semop, ...; decode/ia32.c): filtered,
	 * decoded and counted as those calls */
	struct raw_call sub;
	t->ipc_result_at = 0;
	t->ipc_indirect = 0;
	if (rc->nr == SCRY_NR_I386 + SCRY_I386_SOCKETCALL || rc->nr == SCRY_NR_I386 + SCRY_I386_IPC) {
		struct call_mem m = { rc, t->tid };
		uint64_t a[6];
		long nr = rc->nr == SCRY_NR_I386 + SCRY_I386_IPC
			? ia32_ipc(call_mem_read, &m, t->args, a, &t->ipc_result_at)
			: ia32_socketcall(call_mem_read, &m, t->args, a);
		if (nr >= 0) {
			sub = *rc;
			sub.nr = t->nr = nr;
			t->ipc_indirect = rc->nr == SCRY_NR_I386 + SCRY_I386_IPC;
			memcpy(t->args, a, sizeof(t->args));
			sub.args = t->args;
			rc = &sub;
		}
	}
	if (s->unwind && maps_call(rc->nr, rc->args))
		unwinder_maps_changed(s->unwind, t->tgid);
	/* Filter first: a call outside -e trace= is neither read nor decoded
	 * (no process_vm_readv, no readlink for -y or -P), nor its exit. */
	if (!nr_traced(s, rc->nr))
		return 0;
	if (s->cfg.ntrace_paths && !touches_path(s, t, rc))
		return 0;
	cs->more = EXIT_NOTHING;
	cs->rfmt = R_INT;
	cs->rxlat = NULL;
	cs->rword = cs->rzero = NULL;
	cs->rfield = 0;
	cs->state = 0;
	scry_values_reset(&cs->vals);
	unwind_entry(s, t, rc);
	if (!s->cfg.no_decode) {
		struct dctx d;
		dctx_init(s, t, &d, &cs->vals, rc->mem, rc->mem_ctx);
		d.envc1 = rc->envc1;
		int r = decoder_of(s, rc->nr)(&d);
		cs->more = r == DEC_MORE ? (last_updated(&cs->vals) ? EXIT_COMMENT : EXIT_ARGS)
			 : r == DEC_AFTER ? EXIT_AFTER : EXIT_NOTHING;
		cs->rfmt = d.rfmt;
		cs->rxlat = d.rxlat;
		cs->rword = d.rword;
		cs->rzero = d.rzero;
		cs->rfield = d.rfield;
		cs->state = d.state;
	}
	struct scry_event ev;
	call_event(s, t, &ev, SCRY_EV_CALL_ENTER, rc->t_enter_ns);
	t->flags |= T_ENTRY_SHOWN;
	int r = session_emit(s, &ev);
	return r < 0 ? r : 1;
}

/* ---- strace's -e read= / -e write= dumps ---- */

enum io_kind { IO_NONE, IO_BUF, IO_IOV, IO_MSG, IO_MMSG };

/* Which calls strace dumps, and how their data is found (its dumpio()):
 * write-type calls are dumped even when they fail, with the size they
 * asked for; read-type calls only when they succeed, up to the result. */
static enum io_kind io_kind_of(const char *name, int *writes)
{
	static const struct { const char *name; enum io_kind kind; int writes; } tab[] = {
		{ "write", IO_BUF, 1 }, { "pwrite64", IO_BUF, 1 }, { "send", IO_BUF, 1 },
		{ "sendto", IO_BUF, 1 }, { "mq_timedsend", IO_BUF, 1 },
		{ "writev", IO_IOV, 1 }, { "pwritev", IO_IOV, 1 }, { "pwritev2", IO_IOV, 1 },
		{ "vmsplice", IO_IOV, 1 }, { "sendmsg", IO_MSG, 1 }, { "sendmmsg", IO_MMSG, 1 },
		{ "read", IO_BUF, 0 }, { "pread64", IO_BUF, 0 }, { "recv", IO_BUF, 0 },
		{ "recvfrom", IO_BUF, 0 }, { "mq_timedreceive", IO_BUF, 0 },
		{ "readv", IO_IOV, 0 }, { "preadv", IO_IOV, 0 }, { "preadv2", IO_IOV, 0 },
		{ "recvmsg", IO_MSG, 0 }, { "recvmmsg", IO_MMSG, 0 },
	};
	for (size_t i = 0; name && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(name, tab[i].name)) {
			*writes = tab[i].writes;
			return tab[i].kind;
		}
	return IO_NONE;
}

static int fd_in(const uint64_t *set, int other, size_t words, long fd)
{
	if (!set || fd < 0)
		return 0;
	if ((unsigned long)fd / 64 >= words)
		return other;
	return (set[fd / 64] >> (fd % 64)) & 1;
}

/* Appends up to len bytes at addr as one more buffer; 0, or -1 when the
 * SCRY_IO_MAX bytes are used up or memory runs out. */
static int io_add(struct scry_session *s, struct tracee *t, const struct raw_result *rr,
		  uint64_t addr, size_t len, size_t *used)
{
	if (s->io.n == s->io_cap_bufs) {
		size_t n = s->io_cap_bufs ? s->io_cap_bufs * 2 : 8;
		struct scry_io_buf *b = realloc(s->io_bufs, n * sizeof(*b));
		if (!b)
			return -1;
		s->io_bufs = b;
		s->io_cap_bufs = n;
	}
	if (len > SCRY_IO_MAX - *used)
		len = SCRY_IO_MAX - *used;
	ssize_t got = 0;
	if (len) {
		struct raw_call rc = { .mem = rr->mem, .mem_ctx = rr->mem_ctx };
		got = read_mem(&rc, t->tid, addr, s->io_data + *used, len);
		if (got < 0)
			got = 0;    /* unreadable: nothing to show (strace's too) */
	}
	s->io_bufs[s->io.n].data = s->io_data + *used;
	s->io_bufs[s->io.n].len = (size_t)got;
	s->io.n++;
	*used += (size_t)got;
	return *used < SCRY_IO_MAX ? 0 : -1;
}

/* strace's dumpiov_upto(): each iovec up to size bytes in all; it stops
 * at the first empty one. */
static void io_iov(struct scry_session *s, struct tracee *t, const struct raw_result *rr,
		   uint64_t iov, uint64_t count, uint64_t size, size_t *used)
{
	struct raw_call rc = { .mem = rr->mem, .mem_ctx = rr->mem_ctx };
	s->io.vectored = 1;
	for (uint64_t i = 0; i < count && i < 1024; i++) {
		uint64_t v[2];
		if (read_mem(&rc, t->tid, iov + i * sizeof(v), v, sizeof(v)) != (ssize_t)sizeof(v))
			return;
		uint64_t len = v[1] < size ? v[1] : size;
		if (!len)
			return;
		size -= len;
		if (io_add(s, t, rr, v[0], (size_t)(len < SCRY_IO_MAX ? len : SCRY_IO_MAX), used) < 0)
			return;
	}
}

/* strace's dumpiov_in_mmsghdr(): the messages the call sent or received
 * (its result), each headed by its msg_iovlen and dumped up to its msg_len.
 * (struct mmsghdr, 64-bit: msg_iov at 16, msg_iovlen at 24, msg_len at 56,
 * 64 bytes.) */
static void io_mmsg(struct scry_session *s, struct tracee *t, const struct raw_result *rr,
		    uint64_t addr, uint64_t count, size_t *used)
{
	struct raw_call rc = { .mem = rr->mem, .mem_ctx = rr->mem_ctx };
	s->io.vectored = 1;
	for (uint64_t i = 0; i < count && i < 1024; i++) {
		uint64_t mh[8];
		if (read_mem(&rc, t->tid, addr + i * sizeof(mh), mh, sizeof(mh)) != (ssize_t)sizeof(mh))
			return;
		if (s->io.nmsgs == s->io_cap_msgs) {
			size_t n = s->io_cap_msgs ? s->io_cap_msgs * 2 : 8;
			struct scry_io_msg *m = realloc(s->io_msgs, n * sizeof(*m));
			if (!m)
				return;
			s->io_msgs = m;
			s->io_cap_msgs = n;
		}
		size_t before = s->io.n;
		s->io_msgs[s->io.nmsgs].iovlen = mh[3];
		s->io_msgs[s->io.nmsgs].nbufs = 0;
		s->io.nmsgs++;
		if (*used < SCRY_IO_MAX)
			io_iov(s, t, rr, mh[2], mh[3], (uint32_t)mh[7], used);
		s->io_msgs[s->io.nmsgs - 1].nbufs = s->io.n - before;
	}
}

/* The data of a call on a dumped fd (cfg.dump_read / dump_write), or NULL. */
static const struct scry_io *io_dump(struct scry_session *s, struct tracee *t, const struct raw_result *rr)
{
	const struct scry_syscall_info *info = scry_syscall_get(s->table, t->nr);
	int writes = 0;
	enum io_kind kind = io_kind_of(info ? info->name : NULL, &writes);
	long fd = (long)(int)t->args[0];
	/* an ia32 call's iovecs and msghdrs have the i386 layout, which
	 * io_iov() does not read: only its plain buffers are dumped */
	if (kind == IO_NONE || (t->nr >= SCRY_NR_I386 && kind != IO_BUF))
		return NULL;
	if (writes ? !fd_in(s->cfg.dump_write, s->cfg.dump_write_other, s->cfg.dump_fd_words, fd)
		   : (rr->is_error || !fd_in(s->cfg.dump_read, s->cfg.dump_read_other, s->cfg.dump_fd_words, fd)))
		return NULL;
	if (!s->io_data && !(s->io_data = malloc(SCRY_IO_MAX)))
		return NULL;
	memset(&s->io, 0, sizeof(s->io));
	s->io.bufs = s->io_bufs;
	size_t used = 0;
	uint64_t size = writes ? UINT64_MAX : (uint64_t)rr->ret;
	if (kind == IO_BUF) {
		uint64_t len = writes ? t->args[2] : (uint64_t)rr->ret;
		io_add(s, t, rr, t->args[1], (size_t)(len < SCRY_IO_MAX ? len : SCRY_IO_MAX), &used);
	} else if (kind == IO_IOV) {
		io_iov(s, t, rr, t->args[1], t->args[2], size, &used);
	} else if (kind == IO_MSG) {
		/* struct msghdr: msg_iov at 16, msg_iovlen at 24 (64-bit) */
		uint64_t mh[4];
		struct raw_call rc = { .mem = rr->mem, .mem_ctx = rr->mem_ctx };
		if (read_mem(&rc, t->tid, t->args[1], mh, sizeof(mh)) == (ssize_t)sizeof(mh))
			io_iov(s, t, rr, mh[2], mh[3], size, &used);
	} else if (!rr->is_error) {
		/* (a failed sendmmsg sent no message: nothing to show) */
		io_mmsg(s, t, rr, t->args[1], (uint64_t)rr->ret, &used);
	}
	s->io.bufs = s->io_bufs;
	s->io.msgs = s->io_msgs;
	return s->io.n || s->io.nmsgs ? &s->io : NULL;
}

static int is_restart_syscall(const struct scry_session *s, long nr)
{
	const struct scry_syscall_info *info = scry_syscall_get(s->table, nr);
	return info && info->name && strcmp(info->name, "restart_syscall") == 0;
}

int engine_exit(struct scry_session *s, struct tracee *t, const struct raw_result *rr)
{
	/* (at the entry too: another thread's stack may come in between) */
	if (s->unwind && maps_call(t->nr, t->args))
		unwinder_maps_changed(s->unwind, t->tgid);
	/* ERESTART_RESTARTBLOCK: the kernel resumes the call as
	 * restart_syscall, which strace names it by (at a traced exit only:
	 * an untraced call's exit is not seen) */
	if (!(rr->is_error && rr->ret == -516))
		t->restart_nr1 = 0;
	else if (!t->restart_nr1 || !is_restart_syscall(s, t->nr))
		t->restart_nr1 = t->nr + 1;  /* (restart_syscall resumes the same) */
	if (!(t->flags & T_ENTRY_SHOWN))
		return 0;
	t->flags &= ~T_ENTRY_SHOWN;
	struct scry_event ev;
	call_event(s, t, &ev, SCRY_EV_CALL_EXIT, rr->t_exit_ns);
	struct scry_call *c = &ev.u.call;
	c->ret = rr->ret;
	/* ipc's shmat returns 0 and writes the address to a word: strace
	 * shows that address as the result */
	uint32_t shm_addr;
	struct raw_call at_exit = { .mem = rr->mem, .mem_ctx = rr->mem_ctx };
	if (t->ipc_result_at && !rr->is_error && rr->ret == 0 &&
	    read_mem(&at_exit, t->tid, t->ipc_result_at, &shm_addr, sizeof(shm_addr)) == sizeof(shm_addr))
		c->ret = shm_addr;
	c->is_error = rr->is_error;
	c->t_exit_ns = rr->t_exit_ns;
	c->duration_ns = rr->duration_ns;
	c->cpu_ns = rr->cpu_ns;
	c->injected = rr->injected;
	struct dctx d;
	scry_values_reset(&s->exit_vals);
	scry_values_reset(&s->result);
	dctx_init(s, t, &d, &s->exit_vals, rr->mem, rr->mem_ctx);
	d.exiting = 1;
	d.ret = c->ret;
	d.failed = rr->is_error;
	if (!s->cfg.no_decode) {
		if (t->call.more != EXIT_NOTHING)
			decoder_of(s, t->nr)(&d);
		c->exit_args = &s->exit_vals;
	}
	decode_result(&d, &s->result);
	c->result = &s->result;
	if (s->cfg.dump_read || s->cfg.dump_write)
		c->io = io_dump(s, t, rr);
	int r = session_emit(s, &ev);
	t->call.has_stack = 0;
	return r;
}

int engine_unfinished(struct scry_session *s, struct tracee *t, uint64_t ts_ns)
{
	if (!(t->flags & T_ENTRY_SHOWN))
		return 0;
	t->flags &= ~T_ENTRY_SHOWN;
	struct scry_event ev;
	call_event(s, t, &ev, SCRY_EV_CALL_EXIT, ts_ns);
	scry_values_reset(&s->exit_vals);
	ev.u.call.exit_args = s->cfg.no_decode ? NULL : &s->exit_vals;
	int r = session_emit(s, &ev);
	t->call.has_stack = 0;
	return r;
}

int engine_signal(struct scry_session *s, struct scry_event *ev)
{
	struct dctx d;
	memset(&d, 0, sizeof(d));
	d.pid = ev->pid;
	d.tid = ev->tid;
	d.limit = s->cfg.string_limit;
	d.xflag = s->cfg.xflag;
	d.out = &s->siginfo;
	scry_values_reset(&s->siginfo);
	v_siginfo(&d, NULL, &ev->u.signal.info);
	ev->u.signal.values = &s->siginfo;
	strbuf_reset(&s->scratch);
	render_text_value(&s->scratch, &s->siginfo, 0);
	ev->u.signal.text = s->scratch.buf;
	return session_emit(s, ev);
}
