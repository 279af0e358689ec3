/*
 * Decoders of the waiting-and-events family: poll, select, epoll, eventfd,
 * timerfd, futex, the sleeps and clocks, getrandom, uname, sysinfo, itimers.
 *
 * The text is compared line by line with strace 6.1's (tests/unit/
 * test_decode_events.c holds the forms; /tmp programs were traced with both).
 *
 * poll, ppoll, select and pselect6 show what the kernel returned after the
 * result, as strace does: "= 1 ([{fd=3, revents=POLLIN}])",
 * "= 2 (in [3], out [4], left {tv_sec=0, tv_usec=99})", "= 0 (Timeout)".
 * Their entry decoders return DEC_AFTER: everything they show in the
 * argument list is known at entry, and what they append at exit carries
 * SCRY_VF_AFTER, to be shown after the result in parentheses, ", "-separated,
 * a value flagged SCRY_VF_NAMED as "name value" ("in [3]"; poll's answer
 * is named "revents" for JSON but not labelled).  A core that does not know
 * DEC_AFTER treats it as DEC_DONE: the argument list is still exact and
 * only the part after the result is missing.
 */
#include "decode/decode.h"

#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <linux/futex.h>

/* The core's names for the "after the result" protocol, if it has them. */
#ifdef SCRY_VF_AFTER
#define EV_CORE_HAS_AFTER 1
#define EV_VF_AFTER SCRY_VF_AFTER
#else
#define EV_CORE_HAS_AFTER 0
#define EV_VF_AFTER (1u << 4)
#endif
#ifdef DEC_AFTER
#define EV_DEC_AFTER DEC_AFTER
#else
#define EV_DEC_AFTER 2
#endif

/* Kernel constants that older headers lack. */
#ifndef POLLRDHUP
#define POLLRDHUP 0x2000
#endif
#define K_POLLREMOVE 0x1000
#define K_POLL_BUSY_LOOP 0x8000
#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1u << 28)
#endif
#ifndef FUTEX_LOCK_PI2
#define FUTEX_LOCK_PI2 13
#endif
#ifndef FUTEX_OP_OPARG_SHIFT
#define FUTEX_OP_OPARG_SHIFT 8
#endif
/* <sys/eventfd.h>, <sys/timerfd.h>, <sys/random.h>: the kernel's values. */
#define K_EFD_SEMAPHORE 1
#define K_EFD_CLOEXEC 02000000
#define K_EFD_NONBLOCK 04000
#define K_TFD_TIMER_ABSTIME 1
#define K_TFD_TIMER_CANCEL_ON_SET 2
#define K_GRND_NONBLOCK 1
#define K_GRND_RANDOM 2
#define K_GRND_INSECURE 4
#define K_TIMER_ABSTIME 1
#define K_SIGSET_BYTES 8   /* the kernel's sigset_t: 64 signals */

/* ---- tables ---- */

static const struct scry_xlat xlat_clocks[] = {
	XLAT(CLOCK_REALTIME), XLAT(CLOCK_MONOTONIC),
	XLAT(CLOCK_PROCESS_CPUTIME_ID), XLAT(CLOCK_THREAD_CPUTIME_ID),
	XLAT(CLOCK_MONOTONIC_RAW), XLAT(CLOCK_REALTIME_COARSE),
	XLAT(CLOCK_MONOTONIC_COARSE), XLAT(CLOCK_BOOTTIME),
	XLAT(CLOCK_REALTIME_ALARM), XLAT(CLOCK_BOOTTIME_ALARM),
	{ 10, "CLOCK_SGI_CYCLE" }, XLAT(CLOCK_TAI), { 0, NULL },
};

static const struct scry_xlat xlat_poll_events[] = {
	XLAT(POLLIN), XLAT(POLLPRI), XLAT(POLLOUT),
	XLAT(POLLERR), XLAT(POLLHUP), XLAT(POLLNVAL),
	XLAT(POLLRDNORM), XLAT(POLLRDBAND), XLAT(POLLWRNORM),
	XLAT(POLLWRBAND), XLAT(POLLMSG), { K_POLLREMOVE, "POLLREMOVE" },
	XLAT(POLLRDHUP), { K_POLL_BUSY_LOOP, "POLL_BUSY_LOOP" }, { 0, NULL },
};

static const struct scry_xlat xlat_epoll_events[] = {
	XLAT(EPOLLIN), XLAT(EPOLLPRI), XLAT(EPOLLOUT),
	XLAT(EPOLLERR), XLAT(EPOLLHUP), { 0x20, "EPOLLNVAL" },
	XLAT(EPOLLRDNORM), XLAT(EPOLLRDBAND),
	XLAT(EPOLLWRNORM), XLAT(EPOLLWRBAND),
	XLAT(EPOLLMSG), XLAT(EPOLLRDHUP),
	XLAT(EPOLLEXCLUSIVE), XLAT(EPOLLWAKEUP),
	XLAT(EPOLLONESHOT), XLAT(EPOLLET), { 0, NULL },
};

static const struct scry_xlat xlat_epoll_ctl[] = {
	XLAT(EPOLL_CTL_ADD), XLAT(EPOLL_CTL_DEL),
	XLAT(EPOLL_CTL_MOD), { 0, NULL },
};

static const struct scry_xlat xlat_epoll_create_flags[] = {
	XLAT(EPOLL_CLOEXEC), { 0, NULL },
};

/* strace's order, not the values' */
static const struct scry_xlat xlat_efd_flags[] = {
	{ K_EFD_SEMAPHORE, "EFD_SEMAPHORE" }, { K_EFD_CLOEXEC, "EFD_CLOEXEC" },
	{ K_EFD_NONBLOCK, "EFD_NONBLOCK" }, { 0, NULL },
};

static const struct scry_xlat xlat_tfd_create_flags[] = {
	{ K_EFD_CLOEXEC, "TFD_CLOEXEC" }, { K_EFD_NONBLOCK, "TFD_NONBLOCK" }, { 0, NULL },
};

static const struct scry_xlat xlat_tfd_settime_flags[] = {
	{ K_TFD_TIMER_ABSTIME, "TFD_TIMER_ABSTIME" },
	{ K_TFD_TIMER_CANCEL_ON_SET, "TFD_TIMER_CANCEL_ON_SET" }, { 0, NULL },
};

static const struct scry_xlat xlat_timer_flags[] = {
	{ K_TIMER_ABSTIME, "TIMER_ABSTIME" }, { 0, NULL },
};

static const struct scry_xlat xlat_grnd_flags[] = {
	{ K_GRND_NONBLOCK, "GRND_NONBLOCK" }, { K_GRND_RANDOM, "GRND_RANDOM" },
	{ K_GRND_INSECURE, "GRND_INSECURE" }, { 0, NULL },
};

static const struct scry_xlat xlat_itimers[] = {
	XLAT(ITIMER_REAL), XLAT(ITIMER_VIRTUAL),
	XLAT(ITIMER_PROF), { 0, NULL },
};

/*
 * futex operations as strace names them: the command, "_PRIVATE" for
 * FUTEX_PRIVATE_FLAG, and FUTEX_CLOCK_REALTIME only with the commands that
 * take it (strace shows other combinations as unknown numbers).
 */
#define FP FUTEX_PRIVATE_FLAG
#define FR FUTEX_CLOCK_REALTIME
static const struct scry_xlat xlat_futex_ops[] = {
	XLAT(FUTEX_WAIT), XLAT(FUTEX_WAKE),
	XLAT(FUTEX_FD), XLAT(FUTEX_REQUEUE),
	XLAT(FUTEX_CMP_REQUEUE), XLAT(FUTEX_WAKE_OP),
	XLAT(FUTEX_LOCK_PI), XLAT(FUTEX_UNLOCK_PI),
	XLAT(FUTEX_TRYLOCK_PI), XLAT(FUTEX_WAIT_BITSET),
	XLAT(FUTEX_WAKE_BITSET),
	XLAT(FUTEX_WAIT_REQUEUE_PI),
	XLAT(FUTEX_CMP_REQUEUE_PI), XLAT(FUTEX_LOCK_PI2),
	{ FUTEX_WAIT | FP, "FUTEX_WAIT_PRIVATE" }, { FUTEX_WAKE | FP, "FUTEX_WAKE_PRIVATE" },
	{ FUTEX_FD | FP, "FUTEX_FD_PRIVATE" }, { FUTEX_REQUEUE | FP, "FUTEX_REQUEUE_PRIVATE" },
	{ FUTEX_CMP_REQUEUE | FP, "FUTEX_CMP_REQUEUE_PRIVATE" },
	{ FUTEX_WAKE_OP | FP, "FUTEX_WAKE_OP_PRIVATE" },
	{ FUTEX_LOCK_PI | FP, "FUTEX_LOCK_PI_PRIVATE" },
	{ FUTEX_UNLOCK_PI | FP, "FUTEX_UNLOCK_PI_PRIVATE" },
	{ FUTEX_TRYLOCK_PI | FP, "FUTEX_TRYLOCK_PI_PRIVATE" },
	{ FUTEX_WAIT_BITSET | FP, "FUTEX_WAIT_BITSET_PRIVATE" },
	{ FUTEX_WAKE_BITSET | FP, "FUTEX_WAKE_BITSET_PRIVATE" },
	{ FUTEX_WAIT_REQUEUE_PI | FP, "FUTEX_WAIT_REQUEUE_PI_PRIVATE" },
	{ FUTEX_CMP_REQUEUE_PI | FP, "FUTEX_CMP_REQUEUE_PI_PRIVATE" },
	{ FUTEX_LOCK_PI2 | FP, "FUTEX_LOCK_PI2_PRIVATE" },
	{ FUTEX_WAIT | FR, "FUTEX_WAIT|FUTEX_CLOCK_REALTIME" },
	{ FUTEX_WAIT | FP | FR, "FUTEX_WAIT_PRIVATE|FUTEX_CLOCK_REALTIME" },
	{ FUTEX_WAIT_BITSET | FR, "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME" },
	{ FUTEX_WAIT_BITSET | FP | FR, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME" },
	{ FUTEX_WAIT_REQUEUE_PI | FR, "FUTEX_WAIT_REQUEUE_PI|FUTEX_CLOCK_REALTIME" },
	{ FUTEX_WAIT_REQUEUE_PI | FP | FR, "FUTEX_WAIT_REQUEUE_PI_PRIVATE|FUTEX_CLOCK_REALTIME" },
	{ 0, NULL },
};
#undef FP
#undef FR

static const struct scry_xlat xlat_futex_wake_ops[] = {
	XLAT(FUTEX_OP_SET), XLAT(FUTEX_OP_ADD),
	XLAT(FUTEX_OP_OR), XLAT(FUTEX_OP_ANDN),
	XLAT(FUTEX_OP_XOR), { 0, NULL },
};

static const struct scry_xlat xlat_futex_wake_cmps[] = {
	XLAT(FUTEX_OP_CMP_EQ), XLAT(FUTEX_OP_CMP_NE),
	XLAT(FUTEX_OP_CMP_LT), XLAT(FUTEX_OP_CMP_LE),
	XLAT(FUTEX_OP_CMP_GT), XLAT(FUTEX_OP_CMP_GE),
	{ 0, NULL },
};

/* ---- helpers ---- */

static const char *xlat_name(const struct scry_xlat *x, uint64_t val)
{
	for (; x->name; x++)
		if (x->val == val)
			return x->name;
	return NULL;
}

/* An enum that strace shows as 0x63 with a CLOCK_??? comment when unknown. */
static void enum_or_unknown(struct dctx *d, const char *name, uint64_t val,
			    const struct scry_xlat *x, const char *unknown)
{
	v_enum(d, name, (int64_t)val, x);
	v_last(d)->fmt = 1;
	if (!xlat_name(x, val)) {
		v_comment(d, NULL, "%s", unknown);
	}
}

static void clock_id(struct dctx *d, const char *name, uint64_t arg)
{
	enum_or_unknown(d, name, (uint32_t)arg, xlat_clocks, "CLOCK_???");
}

static void ts_fields(struct dctx *d, const struct timespec *ts)
{
	v_int(d, "tv_sec", (int64_t)ts->tv_sec);
	v_int(d, "tv_nsec", (int64_t)ts->tv_nsec);
}

static void tv_fields(struct dctx *d, const struct timeval *tv)
{
	v_int(d, "tv_sec", (int64_t)tv->tv_sec);
	v_int(d, "tv_usec", (int64_t)tv->tv_usec);
}

#define timespec_at(d, name, addr) ((void)v_timespec(d, name, addr))
#define timeval_at(d, name, addr) ((void)v_timeval(d, name, addr))

static void itimerspec_at(struct dctx *d, const char *name, uint64_t addr)
{
	struct itimerspec its;
	if (v_fetch(d, name, addr, &its, sizeof(its)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	size_t f = v_struct_begin(d, "it_interval");
	ts_fields(d, &its.it_interval);
	v_end(d, f);
	f = v_struct_begin(d, "it_value");
	ts_fields(d, &its.it_value);
	v_end(d, f);
	v_end(d, s);
}

static void itimerval_at(struct dctx *d, const char *name, uint64_t addr)
{
	struct itimerval itv;
	if (v_fetch(d, name, addr, &itv, sizeof(itv)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	size_t f = v_struct_begin(d, "it_interval");
	tv_fields(d, &itv.it_interval);
	v_end(d, f);
	f = v_struct_begin(d, "it_value");
	tv_fields(d, &itv.it_value);
	v_end(d, f);
	v_end(d, s);
}

/* An output argument at exit: its address when the call failed. */
static int out_failed(struct dctx *d, const char *name, uint64_t addr)
{
	if (!d->failed)
		return 0;
	v_ptr(d, name, addr);
	return 1;
}

/*
 * A kernel sigset of size bytes at addr, as strace prints it: "[HUP USR1]",
 * or "~[KILL STOP]" (the signals not in it) when more than half are set.
 * A size the kernel would refuse shows the address.
 */
static void sigset_at(struct dctx *d, const char *name, uint64_t addr, uint64_t size)
{
	uint64_t set = 0;
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (size == 0 || size > 128 || size % sizeof(long)) {
		v_unread(d, name, addr);
		return;
	}
	if (d_read_exact(d, addr, &set, K_SIGSET_BYTES) < 0) {
		v_unread(d, name, addr);
		return;
	}
	v_sigset(d, name, set, K_SIGSET_BYTES * 8);
}

/* An fd_set of nfds bits at addr: "[3 4]", NULL, or the address.  as_fds:
 * the members are fds (-y names their files, as strace does for the sets
 * a call is given); else plain numbers (the sets a call returns: strace's
 * "(in [3])" has no paths). */
#define FDSET_MAX_BYTES 8192
static void fdset_at(struct dctx *d, const char *name, uint64_t addr, int64_t nfds, int as_fds)
{
	if (!addr) {
		v_ptr(d, name, 0);
		return;
	}
	if (nfds < 0) {
		v_ptr(d, name, addr);
		return;
	}
	size_t bytes = (size_t)((nfds + 63) / 64 * 8);
	if (bytes > FDSET_MAX_BYTES)
		bytes = FDSET_MAX_BYTES;
	unsigned char set[FDSET_MAX_BYTES];
	if (bytes && d_read_exact(d, addr, set, bytes) < 0) {
		v_unread(d, name, addr);
		return;
	}
	/* the fds in the set, as numbers: "[3 4]" */
	size_t a = v_array_begin(d, name);
	for (size_t fd = 0; fd < (size_t)nfds && fd < bytes * 8; fd++)
		if (set[fd / 8] & (1u << (fd % 8))) {
			if (as_fds)
				v_fd(d, NULL, (int)fd);
			else
				v_int(d, NULL, (int64_t)fd);
		}
	v_end(d, a);
	d->out->v[a].fmt = SCRY_FMT_SPACED;
}

/* ---- poll ---- */

/* The pollfd array at addr; at exit (revents) only the entries with revents. */
static void pollfds_at(struct dctx *d, const char *name, uint64_t addr, uint64_t nfds, int revents)
{
	if (!addr && !nfds) {
		v_ptr(d, name, 0);
		return;
	}
	struct pollfd pf;
	if (!nfds || d_read_exact(d, addr, &pf, sizeof(pf)) < 0) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	uint64_t shown = 0;
	int cut = 0;
	for (uint64_t k = 0; k < nfds; k++) {
		if (k && d_read_exact(d, addr + k * sizeof(pf), &pf, sizeof(pf)) < 0) {
			/* strace ends the array with the address it could not read */
			v_unread(d, NULL, addr + k * sizeof(pf));
			break;
		}
		if (revents && !pf.revents)
			continue;
		if (revents && (int64_t)shown >= d->ret)
			break;  /* the kernel counted no more: the rest is not ours to read */
		if (shown >= (uint64_t)d->limit) {
			cut = 1;
			break;
		}
		shown++;
		size_t s = v_struct_begin(d, NULL);
		/* strace shows the path (-y) in the request, not in the answer */
		if (revents)
			v_int(d, "fd", pf.fd);
		else
			v_fd(d, "fd", pf.fd);
		if (revents)
			v_flags(d, "revents", (uint16_t)pf.revents, xlat_poll_events, "0");
		else if (pf.fd >= 0)
			v_flags(d, "events", (uint16_t)pf.events, xlat_poll_events, "0");
		v_end(d, s);
	}
	v_end(d, a);
	if (cut)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

static void after(struct dctx *d)
{
	v_last(d)->flags |= EV_VF_AFTER;
}

/* After the result, value i is labelled with its name ("left {...}"). */
static void labelled(struct dctx *d, size_t i)
{
	d->out->v[i].flags |= SCRY_VF_NAMED;
}

/* "= 0 (Timeout)": the word strace shows for a wait that timed out. */
static const struct scry_xlat xlat_timeout[] = { { 0, "Timeout" }, XLAT_END };

static void timed_out(struct dctx *d)
{
	v_enum(d, "timeout", 0, xlat_timeout);
	after(d);
}

/* Mark every top-level value from index i on as shown after the result. */
static void after_from(struct dctx *d, size_t i)
{
	while (i < d->out->n) {
		d->out->v[i].flags |= EV_VF_AFTER;
		i = scry_values_skip(d->out, i);
	}
}

/* poll(fds, nfds, timeout_msecs); ppoll(fds, nfds, tsp, sigmask, sigsetsize) */
static int dec_poll_common(struct dctx *d, int is_ppoll)
{
	if (!d->exiting) {
		pollfds_at(d, "fds", d->args[0], d->args[1], 0);
		v_uint(d, "nfds", (unsigned)d->args[1]);
		if (is_ppoll) {
			timespec_at(d, "tsp", d->args[2]);
			sigset_at(d, "sigmask", d->args[3], d->args[4]);
			v_uint(d, "sigsetsize", d->args[4]);
		} else {
			v_int(d, "timeout_msecs", (int)d->args[2]);
		}
		return EV_DEC_AFTER;
	}
	if (d->failed)
		return DEC_DONE;
	if (d->ret == 0) {
		timed_out(d);
		return DEC_DONE;
	}
	size_t from = d->out->n;
	/* the fds with revents: unlabelled in the text, "revents" in JSON */
	pollfds_at(d, "revents", d->args[0], d->args[1], 1);
	if (is_ppoll && d->args[2])
		labelled(d, v_timespec(d, "left", d->args[2]));
	after_from(d, from);
	return DEC_DONE;
}

static int dec_poll(struct dctx *d) { return dec_poll_common(d, 0); }
static int dec_ppoll(struct dctx *d) { return dec_poll_common(d, 1); }

/* ---- select ---- */

/* select(n, inp, outp, exp, tvp); pselect6(n, inp, outp, exp, tsp, sig) */
static int dec_select_common(struct dctx *d, int is_pselect)
{
	static const char *const set_names[3] = { "in", "out", "except" };
	int64_t nfds = (int)d->args[0];
	if (!d->exiting) {
		v_int(d, "n", nfds);
		fdset_at(d, "inp", d->args[1], nfds, 1);
		fdset_at(d, "outp", d->args[2], nfds, 1);
		fdset_at(d, "exp", d->args[3], nfds, 1);
		if (!is_pselect) {
			timeval_at(d, "tvp", d->args[4]);
			return EV_DEC_AFTER;
		}
		timespec_at(d, "tsp", d->args[4]);
		/* pselect6's sixth argument: { const sigset_t *ss; size_t ss_len; } */
		uint64_t sig[2];
		if (!d->args[5]) {
			v_ptr(d, "sig", 0);
		} else if (d_read_exact(d, d->args[5], sig, sizeof(sig)) < 0) {
			v_unread(d, "sig", d->args[5]);
		} else {
			size_t s = v_struct_begin(d, "sig");
			sigset_at(d, "sigmask", sig[0], sig[1]);
			v_uint(d, "sigsetsize", sig[1]);
			v_end(d, s);
		}
		return EV_DEC_AFTER;
	}
	if (d->failed)
		return DEC_DONE;
	if (d->ret == 0) {
		timed_out(d);
		return DEC_DONE;
	}
	size_t from = d->out->n;
	for (int k = 0; k < 3; k++) {
		if (!d->args[1 + k])
			continue;
		size_t before = d->out->n;
		fdset_at(d, set_names[k], d->args[1 + k], nfds, 0);
		struct scry_value *v = &d->out->v[before];
		/* only the sets with a ready fd */
		if (v->type == SCRY_V_ARRAY && v->count == 0)
			d->out->n = before;
		else
			labelled(d, before);
	}
	if (d->args[4]) {
		if (is_pselect)
			labelled(d, v_timespec(d, "left", d->args[4]));
		else
			labelled(d, v_timeval(d, "left", d->args[4]));
	}
	after_from(d, from);
	return DEC_DONE;
}

static int dec_select(struct dctx *d) { return dec_select_common(d, 0); }
static int dec_pselect6(struct dctx *d) { return dec_select_common(d, 1); }

/* ---- epoll ---- */

static void epoll_event_fields(struct dctx *d, const struct epoll_event *ev)
{
	v_flags(d, "events", ev->events, xlat_epoll_events, "0");
	size_t u = v_struct_begin(d, "data");
	uint64_t data = ev->data.u64;
	v_uint(d, "u32", (uint32_t)data);
	v_uint(d, "u64", data);
	v_end(d, u);
}

static int dec_epoll_create(struct dctx *d)
{
	v_int(d, "size", (int)d->args[0]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_epoll_create1(struct dctx *d)
{
	v_flags(d, "flags", (unsigned)d->args[0], xlat_epoll_create_flags, "0");
	d->rfmt = R_FD;
	return DEC_DONE;
}

/* epoll_ctl(epfd, op, fd, event) */
static int dec_epoll_ctl(struct dctx *d)
{
	v_fd(d, "epfd", (int)d->args[0]);
	enum_or_unknown(d, "op", (uint32_t)d->args[1], xlat_epoll_ctl, "EPOLL_CTL_???");
	v_fd(d, "fd", (int)d->args[2]);
	struct epoll_event ev;
	/* EPOLL_CTL_DEL ignores the event: strace shows its address */
	if (!d->args[3] || (uint32_t)d->args[1] == EPOLL_CTL_DEL) {
		v_ptr(d, "event", d->args[3]);
	} else if (d_read_exact(d, d->args[3], &ev, sizeof(ev)) < 0) {
		v_unread(d, "event", d->args[3]);
	} else {
		size_t s = v_struct_begin(d, "event");
		epoll_event_fields(d, &ev);
		v_end(d, s);
	}
	return DEC_DONE;
}

/* The events the kernel wrote: ret entries, at most -s of them shown. */
static void epoll_events_at(struct dctx *d, const char *name, uint64_t addr, int64_t n)
{
	struct epoll_event ev;
	if (n > 0 && d_read_exact(d, addr, &ev, sizeof(ev)) < 0) {
		v_unread(d, name, addr);
		return;
	}
	size_t a = v_array_begin(d, name);
	int64_t k;
	for (k = 0; k < n && k < d->limit; k++) {
		if (k && d_read_exact(d, addr + (uint64_t)k * sizeof(ev), &ev, sizeof(ev)) < 0) {
			v_unread(d, NULL, addr + (uint64_t)k * sizeof(ev));
			break;
		}
		size_t s = v_struct_begin(d, NULL);
		epoll_event_fields(d, &ev);
		v_end(d, s);
	}
	v_end(d, a);
	if (k < n && k >= d->limit)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

/*
 * epoll_wait(epfd, events, maxevents, timeout),
 * epoll_pwait(..., timeout, sigmask, sigsetsize),
 * epoll_pwait2(..., struct timespec *timeout, sigmask, sigsetsize)
 */
static int dec_epoll_wait_common(struct dctx *d, int kind)
{
	if (!d->exiting) {
		v_fd(d, "epfd", (int)d->args[0]);
		return DEC_MORE;
	}
	if (!out_failed(d, "events", d->args[1]))
		epoll_events_at(d, "events", d->args[1], d->ret);
	v_int(d, "maxevents", (int)d->args[2]);
	if (kind == 2)
		timespec_at(d, "timeout", d->args[3]);
	else
		v_int(d, "timeout", (int)d->args[3]);
	if (kind) {
		sigset_at(d, "sigmask", d->args[4], d->args[5]);
		v_uint(d, "sigsetsize", d->args[5]);
	}
	return DEC_DONE;
}

static int dec_epoll_wait(struct dctx *d) { return dec_epoll_wait_common(d, 0); }
static int dec_epoll_pwait(struct dctx *d) { return dec_epoll_wait_common(d, 1); }
static int dec_epoll_pwait2(struct dctx *d) { return dec_epoll_wait_common(d, 2); }

/* ---- eventfd, timerfd ---- */

static int dec_eventfd(struct dctx *d)
{
	v_uint(d, "count", (unsigned)d->args[0]);
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_eventfd2(struct dctx *d)
{
	v_uint(d, "count", (unsigned)d->args[0]);
	v_flags(d, "flags", (unsigned)d->args[1], xlat_efd_flags, "0");
	d->rfmt = R_FD;
	return DEC_DONE;
}

static int dec_timerfd_create(struct dctx *d)
{
	clock_id(d, "clockid", d->args[0]);
	v_flags(d, "flags", (unsigned)d->args[1], xlat_tfd_create_flags, "0");
	d->rfmt = R_FD;
	return DEC_DONE;
}

/* timerfd_settime(ufd, flags, utmr, otmr): otmr at exit */
static int dec_timerfd_settime(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "ufd", (int)d->args[0]);
		v_flags(d, "flags", (unsigned)d->args[1], xlat_tfd_settime_flags, "0");
		itimerspec_at(d, "utmr", d->args[2]);
		return DEC_MORE;
	}
	if (!out_failed(d, "otmr", d->args[3]))
		itimerspec_at(d, "otmr", d->args[3]);
	return DEC_DONE;
}

static int dec_timerfd_gettime(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "ufd", (int)d->args[0]);
		return DEC_MORE;
	}
	if (!out_failed(d, "otmr", d->args[1]))
		itimerspec_at(d, "otmr", d->args[1]);
	return DEC_DONE;
}

/* ---- futex ---- */

static const struct scry_xlat xlat_futex_bitset[] = {
	{ FUTEX_BITSET_MATCH_ANY, "FUTEX_BITSET_MATCH_ANY" },
	{ 0, NULL },
};

static const struct scry_xlat xlat_futex_oparg_shift[] = {
	XLAT(FUTEX_OP_OPARG_SHIFT), XLAT_END,
};

/* A part of the wake op, shift bits up (SCRY_FMT_SHL). */
static void shl(struct dctx *d, unsigned shift)
{
	v_last(d)->fmt = (uint16_t)(SCRY_FMT_SHL | shift);
}

/*
 * FUTEX_WAKE_OP's val3, one number in parts (SCRY_V_OR):
 * "FUTEX_OP_SET<<28|0x1<<12|FUTEX_OP_CMP_GT<<24|0"
 */
static void futex_wake_op(struct dctx *d, const char *name, uint32_t v)
{
	unsigned op = (v >> 28) & 0xf, cmp = (v >> 24) & 0xf;
	unsigned oparg = (v >> 12) & 0xfff, cmparg = v & 0xfff;
	size_t o = v_or_begin(d, name, v);
	if (op & FUTEX_OP_OPARG_SHIFT) {
		v_enum(d, "oparg_shift", FUTEX_OP_OPARG_SHIFT, xlat_futex_oparg_shift);
		shl(d, 28);
		op &= ~(unsigned)FUTEX_OP_OPARG_SHIFT;
	}
	v_enum(d, "op", op, xlat_futex_wake_ops);
	shl(d, 28);
	if (!xlat_name(xlat_futex_wake_ops, op))
		v_comment(d, NULL, "FUTEX_OP_???");
	v_hex(d, "oparg", oparg);
	shl(d, 12);
	v_enum(d, "cmp", cmp, xlat_futex_wake_cmps);
	shl(d, 24);
	if (!xlat_name(xlat_futex_wake_cmps, cmp))
		v_comment(d, NULL, "FUTEX_OP_CMP_???");
	v_hex(d, "cmparg", cmparg);
	v_end(d, o);
}

/*
 * futex(uaddr, op, val, timeout|val2, uaddr2, val3): which arguments strace
 * shows depends on the command (op without the flags).
 */
static int dec_futex(struct dctx *d)
{
	uint32_t op = (uint32_t)d->args[1];
	uint32_t cmd = op & FUTEX_CMD_MASK;
	uint32_t val3 = (uint32_t)d->args[5];
	v_ptr(d, "uaddr", d->args[0]);
	enum_or_unknown(d, "op", op, xlat_futex_ops, "FUTEX_???");
	switch (cmd) {
	case FUTEX_WAIT:
		v_uint(d, "val", (uint32_t)d->args[2]);
		timespec_at(d, "timeout", d->args[3]);
		break;
	case FUTEX_WAKE:
	case FUTEX_FD:
		v_uint(d, "val", (uint32_t)d->args[2]);
		break;
	case FUTEX_REQUEUE:
		v_uint(d, "val", (uint32_t)d->args[2]);
		v_uint(d, "val2", (uint32_t)d->args[3]);
		v_ptr(d, "uaddr2", d->args[4]);
		break;
	case FUTEX_CMP_REQUEUE:
	case FUTEX_CMP_REQUEUE_PI:
		v_uint(d, "val", (uint32_t)d->args[2]);
		v_uint(d, "val2", (uint32_t)d->args[3]);
		v_ptr(d, "uaddr2", d->args[4]);
		v_uint(d, "val3", val3);
		break;
	case FUTEX_WAKE_OP:
		v_uint(d, "val", (uint32_t)d->args[2]);
		v_uint(d, "val2", (uint32_t)d->args[3]);
		v_ptr(d, "uaddr2", d->args[4]);
		futex_wake_op(d, "val3", val3);
		break;
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		timespec_at(d, "timeout", d->args[3]);
		break;
	case FUTEX_UNLOCK_PI:
	case FUTEX_TRYLOCK_PI:
		break;
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAKE_BITSET:
		v_uint(d, "val", (uint32_t)d->args[2]);
		if (cmd == FUTEX_WAIT_BITSET)
			timespec_at(d, "timeout", d->args[3]);
		if (val3 == FUTEX_BITSET_MATCH_ANY)
			v_enum(d, "val3", val3, xlat_futex_bitset);
		else
			v_hex(d, "val3", val3);
		break;
	case FUTEX_WAIT_REQUEUE_PI:
		v_uint(d, "val", (uint32_t)d->args[2]);
		timespec_at(d, "timeout", d->args[3]);
		v_ptr(d, "uaddr2", d->args[4]);
		break;
	default:
		v_uint(d, "val", (uint32_t)d->args[2]);
		v_ptr(d, "timeout", d->args[3]);
		v_ptr(d, "uaddr2", d->args[4]);
		v_hex(d, "val3", val3);
		break;
	}
	return DEC_DONE;
}

/* ---- sleeping, clocks, time ---- */

/* The time left is written only when the sleep was interrupted. */
static int sleep_interrupted(const struct dctx *d)
{
	int err = d->failed ? (int)-d->ret : 0;
	return err == 4 /* EINTR */ || err == 512 || err == 513 || err == 514 || err == 516;
}

static void sleep_rem(struct dctx *d, uint64_t addr)
{
	if (addr && sleep_interrupted(d))
		timespec_at(d, "rem", addr);
	else
		v_ptr(d, "rem", addr);
}

static int dec_nanosleep(struct dctx *d)
{
	if (!d->exiting) {
		timespec_at(d, "rqtp", d->args[0]);
		return DEC_MORE;
	}
	sleep_rem(d, d->args[1]);
	return DEC_DONE;
}

/* clock_nanosleep(which_clock, flags, rqtp, rmtp) */
static int dec_clock_nanosleep(struct dctx *d)
{
	if (!d->exiting) {
		clock_id(d, "which_clock", d->args[0]);
		v_flags(d, "flags", (unsigned)d->args[1], xlat_timer_flags, "0");
		timespec_at(d, "rqtp", d->args[2]);
		return DEC_MORE;
	}
	sleep_rem(d, d->args[3]);
	return DEC_DONE;
}

/* clock_gettime(which_clock, tp), clock_getres: tp at exit */
static int dec_clock_gettime(struct dctx *d)
{
	if (!d->exiting) {
		clock_id(d, "which_clock", d->args[0]);
		return DEC_MORE;
	}
	if (!out_failed(d, "tp", d->args[1]))
		timespec_at(d, "tp", d->args[1]);
	return DEC_DONE;
}

static int dec_clock_settime(struct dctx *d)
{
	clock_id(d, "which_clock", d->args[0]);
	timespec_at(d, "tp", d->args[1]);
	return DEC_DONE;
}

static void timezone_at(struct dctx *d, const char *name, uint64_t addr)
{
	struct timezone tz;
	if (v_fetch(d, name, addr, &tz, sizeof(tz)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	v_int(d, "tz_minuteswest", tz.tz_minuteswest);
	v_int(d, "tz_dsttime", tz.tz_dsttime);
	v_end(d, s);
}

/* gettimeofday(tv, tz): both at exit */
static int dec_gettimeofday(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	if (d->failed) {
		v_ptr(d, "tv", d->args[0]);
		v_ptr(d, "tz", d->args[1]);
		return DEC_DONE;
	}
	timeval_at(d, "tv", d->args[0]);
	timezone_at(d, "tz", d->args[1]);
	return DEC_DONE;
}

static int dec_settimeofday(struct dctx *d)
{
	timeval_at(d, "tv", d->args[0]);
	timezone_at(d, "tz", d->args[1]);
	return DEC_DONE;
}

/* "2026-11-29T15:54:41+0000", local time as strace prints it */
static void time_comment(struct dctx *d, const char *name, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	if (!localtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%FT%T%z", &tm))
		return;
	v_comment(d, name, "%s", buf);
}

/* time(tloc): "time([1795967681 /\* 2026-... *\/]) = 1795967681 (2026-...)" */
static int dec_time(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	uint64_t addr = d->args[0];
	int64_t t;
	if (!addr || d->failed) {
		v_ptr(d, "tloc", addr);
	} else if (d_read_exact(d, addr, &t, sizeof(t)) < 0) {
		v_unread(d, "tloc", addr);
	} else {
		size_t a = v_array_begin(d, "tloc");
		v_int(d, NULL, t);
		time_comment(d, NULL, t);
		v_end(d, a);
	}
	if (EV_CORE_HAS_AFTER && !d->failed) {
		size_t from = d->out->n;
		/* " (2026-11-29T15:54:41+0000)", "time" in JSON; nothing
		 * when localtime cannot say */
		time_t tt = (time_t)d->ret;
		struct tm tm;
		if (localtime_r(&tt, &tm)) {
			size_t i = scry_values_push(d->out, SCRY_V_TIME, "time");
			d->out->v[i].i = d->ret;
		}
		after_from(d, from);
	}
	return DEC_DONE;
}

/* ---- getrandom, uname, sysinfo, itimers, alarm ---- */

static int dec_getrandom(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	if (!out_failed(d, "buf", d->args[0])) {
		v_buf(d, "buf", d->args[0], d->ret);
		/* random bytes: strace always shows them in hex */
		if (v_last(d)->type == SCRY_V_STR)
			v_last(d)->fmt = 2;
	}
	v_uint(d, "count", d->args[1]);
	v_flags(d, "flags", (unsigned)d->args[2], xlat_grnd_flags, "0");
	return DEC_DONE;
}

static void utsfield(struct dctx *d, const char *name, const char *f, size_t size)
{
	v_bytes(d, name, f, strnlen(f, size), 0);
}

static int dec_uname(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	struct utsname u;
	uint64_t addr = d->args[0];
	if (out_failed(d, "name", addr))
		return DEC_DONE;
	if (v_fetch(d, "name", addr, &u, sizeof(u)) < 0)
		return DEC_DONE;
	size_t s = v_struct_begin(d, "name");
	utsfield(d, "sysname", u.sysname, sizeof(u.sysname));
	utsfield(d, "nodename", u.nodename, sizeof(u.nodename));
	if (d->verbose) {
		utsfield(d, "release", u.release, sizeof(u.release));
		utsfield(d, "version", u.version, sizeof(u.version));
		utsfield(d, "machine", u.machine, sizeof(u.machine));
		utsfield(d, "domainname", u.domainname, sizeof(u.domainname));
	}
	v_end(d, s);
	if (!d->verbose)
		d->out->v[s].flags |= SCRY_VF_ABBREV;
	return DEC_DONE;
}

static int dec_sysinfo(struct dctx *d)
{
	if (!d->exiting)
		return DEC_MORE;
	struct sysinfo si;
	uint64_t addr = d->args[0];
	if (out_failed(d, "info", addr))
		return DEC_DONE;
	if (v_fetch(d, "info", addr, &si, sizeof(si)) < 0)
		return DEC_DONE;
	size_t s = v_struct_begin(d, "info");
	v_int(d, "uptime", si.uptime);
	size_t a = v_array_begin(d, "loads");
	for (int k = 0; k < 3; k++)
		v_uint(d, NULL, si.loads[k]);
	v_end(d, a);
	v_uint(d, "totalram", si.totalram);
	v_uint(d, "freeram", si.freeram);
	v_uint(d, "sharedram", si.sharedram);
	v_uint(d, "bufferram", si.bufferram);
	v_uint(d, "totalswap", si.totalswap);
	v_uint(d, "freeswap", si.freeswap);
	v_uint(d, "procs", si.procs);
	v_uint(d, "totalhigh", si.totalhigh);
	v_uint(d, "freehigh", si.freehigh);
	v_uint(d, "mem_unit", si.mem_unit);
	v_end(d, s);
	return DEC_DONE;
}

static void itimer_which(struct dctx *d, uint64_t which)
{
	enum_or_unknown(d, "which", (uint32_t)which, xlat_itimers, "ITIMER_???");
}

/* getitimer(which, value): value at exit */
static int dec_getitimer(struct dctx *d)
{
	if (!d->exiting) {
		itimer_which(d, d->args[0]);
		return DEC_MORE;
	}
	if (!out_failed(d, "value", d->args[1]))
		itimerval_at(d, "value", d->args[1]);
	return DEC_DONE;
}

/* setitimer(which, value, ovalue): ovalue at exit */
static int dec_setitimer(struct dctx *d)
{
	if (!d->exiting) {
		itimer_which(d, d->args[0]);
		itimerval_at(d, "value", d->args[1]);
		return DEC_MORE;
	}
	if (!out_failed(d, "ovalue", d->args[2]))
		itimerval_at(d, "ovalue", d->args[2]);
	return DEC_DONE;
}

static int dec_alarm(struct dctx *d)
{
	v_uint(d, "seconds", (unsigned)d->args[0]);
	return DEC_DONE;
}

const struct decoder_entry decoders_events[] = {
	{ "poll", dec_poll, { CAP_OUT_N(1, 2, sizeof(struct pollfd)), CAP_FULL } },
	{ "ppoll", dec_ppoll, { CAP_OUT_N(1, 2, sizeof(struct pollfd)) } },
	{ "select", dec_select, { 0 } },
	{ "pselect6", dec_pselect6, { 0 } },
	{ "epoll_create", dec_epoll_create, { 0 } },
	{ "epoll_create1", dec_epoll_create1, { 0 } },
	{ "epoll_ctl", dec_epoll_ctl, { CAP_IN(4, sizeof(struct epoll_event)), CAP_FULL } },
	{ "epoll_wait", dec_epoll_wait, { CAP_OUT_N(2, CAP_COUNT_RET, sizeof(struct epoll_event)), CAP_FULL } },
	{ "epoll_pwait", dec_epoll_pwait, { CAP_OUT_N(2, CAP_COUNT_RET, sizeof(struct epoll_event)) } },
	{ "epoll_pwait2", dec_epoll_pwait2, { 0 } },
	{ "eventfd", dec_eventfd, { 0 } },
	{ "eventfd2", dec_eventfd2, { 0 } },
	{ "timerfd_create", dec_timerfd_create, { 0 } },
	{ "timerfd_settime", dec_timerfd_settime, { 0 } },
	{ "timerfd_gettime", dec_timerfd_gettime, { 0 } },
	{ "futex", dec_futex, { 0 } },
	{ "nanosleep", dec_nanosleep, { CAP_IN(1, sizeof(struct timespec)), CAP_OUT(2, sizeof(struct timespec)), CAP_FULL } },
	{ "clock_nanosleep", dec_clock_nanosleep, { CAP_IN(3, sizeof(struct timespec)), CAP_OUT(4, sizeof(struct timespec)), CAP_FULL } },
	{ "clock_gettime", dec_clock_gettime, { CAP_OUT(2, sizeof(struct timespec)), CAP_FULL } },
	{ "clock_getres", dec_clock_gettime, { CAP_OUT(2, sizeof(struct timespec)), CAP_FULL } },
	{ "clock_settime", dec_clock_settime, { 0 } },
	/* the timeval is captured, a struct timezone is not: not complete */
	{ "gettimeofday", dec_gettimeofday, { CAP_OUT(1, sizeof(struct timeval)) } },
	{ "settimeofday", dec_settimeofday, { 0 } },
	{ "time", dec_time, { 0 } },
	{ "getrandom", dec_getrandom, { 0 } },
	{ "uname", dec_uname, { 0 } },
	{ "sysinfo", dec_sysinfo, { CAP_OUT(1, sizeof(struct sysinfo)), CAP_FULL } },
	{ "getitimer", dec_getitimer, { 0 } },
	{ "setitimer", dec_setitimer, { 0 } },
	{ "alarm", dec_alarm, { 0 } },
	{ NULL, NULL, { 0 } },
};
