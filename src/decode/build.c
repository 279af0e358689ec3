/* Building typed values from tracee memory (decode.h). */
#include "decode/decode.h"
#include "decode/sockinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

enum { MAXIOV = 64 };

/* One process_vm_readv() of at most MAXIOV pages. */
static ssize_t mem_read_pages(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	/* Split at page boundaries so that an unmapped page only cuts the
	 * read short instead of failing all of it; one syscall either way. */
	struct iovec local = { buf, len };
	struct iovec remote[MAXIOV];
	unsigned long n = 0;
	uint64_t a = addr;
	size_t left = len;
	while (left && n < MAXIOV) {
		size_t in_page = 4096 - (a & 4095);
		size_t take = left < in_page ? left : in_page;
		remote[n].iov_base = (void *)(uintptr_t)a;
		remote[n].iov_len = take;
		n++;
		a += take;
		left -= take;
	}
	local.iov_len = len - left;
	if (!n)
		return 0;
	ssize_t r = process_vm_readv(tid, &local, 1, remote, n, 0);
	return r < 0 ? -errno : r;
}

ssize_t mem_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	/* -s allows buffers of up to 1 MiB: more than one call's pages */
	size_t done = 0;
	while (done < len) {
		size_t chunk = (size_t)MAXIOV * 4096 - ((addr + done) & 4095);
		if (chunk > len - done)
			chunk = len - done;
		ssize_t r = mem_read_pages(tid, addr + done, (char *)buf + done, chunk);
		if (r < 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;   /* memory ended there */
	}
	return (ssize_t)done;
}

int mem_read_exact(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	if (!addr)
		return -1;
	return mem_read(tid, addr, buf, len) == (ssize_t)len ? 0 : -1;
}

ssize_t d_read(const struct dctx *d, uint64_t addr, void *buf, size_t len)
{
	if (d->mem)
		return d->mem(d->mem_ctx, addr, buf, len);
	return mem_read(d->tid, addr, buf, len);
}

int d_read_exact(const struct dctx *d, uint64_t addr, void *buf, size_t len)
{
	if (!addr)
		return -1;
	return d_read(d, addr, buf, len) == (ssize_t)len ? 0 : -1;
}

static struct scry_value *node(struct dctx *d, size_t i)
{
	return &d->out->v[i];
}

struct scry_value *v_last(struct dctx *d)
{
	return &d->out->v[d->out->n - 1];
}

size_t v_int(struct dctx *d, const char *name, int64_t val)
{
	size_t i = scry_values_push(d->out, SCRY_V_INT, name);
	node(d, i)->i = val;
	return i;
}

static size_t v_u(struct dctx *d, enum scry_vtype t, const char *name, uint64_t val)
{
	size_t i = scry_values_push(d->out, t, name);
	node(d, i)->u = val;
	return i;
}

size_t v_uint(struct dctx *d, const char *name, uint64_t val) { return v_u(d, SCRY_V_UINT, name, val); }
size_t v_hex(struct dctx *d, const char *name, uint64_t val) { return v_u(d, SCRY_V_HEX, name, val); }
size_t v_oct(struct dctx *d, const char *name, uint64_t val) { return v_u(d, SCRY_V_OCT, name, val); }
size_t v_ptr(struct dctx *d, const char *name, uint64_t val) { return v_u(d, SCRY_V_PTR, name, val); }
size_t v_unread(struct dctx *d, const char *name, uint64_t addr) { return v_u(d, SCRY_V_UNREAD, name, addr); }

/* The process a pidfd of tid's refers to (the Pid: of its fdinfo), or 0
 * (not a pidfd, or its process reaped: -1 there). */
pid_t pidfd_target(pid_t tid, int fd)
{
	char path[64], line[128];
	int pid = 0;
	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)tid, fd);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	if (f)
		fclose(f);
	return pid > 0 ? (pid_t)pid : 0;
}

ssize_t fd_describe(pid_t tid, int fd, int level, char *out, size_t len)
{
	char link[64];
	if (fd == -100 /* AT_FDCWD */)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)tid, fd);
	ssize_t n = readlink(link, out, len - 1);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	/* -yy: a socket's protocol and addresses, as strace shows them */
	unsigned long ino;
	char info[256];
	if (level >= 2 && fd >= 0 && sscanf(out, "socket:[%lu]", &ino) == 1 &&
	    sockinfo_describe_fd(tid, fd, ino, info, sizeof(info)) == 0 && strlen(info) < len) {
		n = (ssize_t)strlen(info);
		memcpy(out, info, (size_t)n + 1);
	}
	/* -yy: a pidfd as the process it refers to while that one lives,
	 * "pid:N" (the Pid: of its fdinfo; -1 once reaped) */
	if (level >= 2 && fd >= 0 && strcmp(out, "anon_inode:[pidfd]") == 0) {
		pid_t pid = pidfd_target(tid, fd);
		if (pid > 0 && (size_t)snprintf(info, sizeof(info), "pid:%d", (int)pid) < len) {
			n = (ssize_t)strlen(info);
			memcpy(out, info, (size_t)n + 1);
		}
	}
	/* -yy: a device as strace 6.1 shows it, "/dev/null<char 1:3>" (it
	 * looks the path up, as here: a name that does not stat as a device
	 * where the tracer runs has no suffix there either) */
	struct stat st;
	if (level >= 2 && out[0] == '/' && stat(out, &st) == 0 &&
	    (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
		int k = snprintf(out + n, len - (size_t)n, "<%s %u:%u>",
				 S_ISBLK(st.st_mode) ? "block" : "char",
				 major(st.st_rdev), minor(st.st_rdev));
		if (k > 0 && (size_t)k < len - (size_t)n)
			n += k;
		else
			out[n] = '\0';
	}
	return n;
}

/* For -y: the fd's path in the value. */
static void fd_path(struct dctx *d, size_t i, int fd)
{
	char target[PATH_MAX];
	ssize_t n = fd_describe(d->tid, fd, d->fd_paths, target, sizeof(target));
	if (n <= 0)
		return;
	uint32_t off = scry_values_bytes(d->out, target, (size_t)n);
	node(d, i)->path_off = off;
	node(d, i)->path_len = (uint32_t)n;
}

size_t v_fd(struct dctx *d, const char *name, int fd)
{
	size_t i = scry_values_push(d->out, SCRY_V_FD, name);
	node(d, i)->i = fd;
	if (d->fd_paths && (fd >= 0 || fd == -100))
		fd_path(d, i, fd);
	return i;
}

size_t v_flags(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x, const char *zero)
{
	size_t i = scry_values_push(d->out, SCRY_V_FLAGS, name);
	node(d, i)->u = bits;
	node(d, i)->xlat = x;
	node(d, i)->deflt = zero;
	return i;
}

size_t v_enum(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x)
{
	size_t i = scry_values_push(d->out, SCRY_V_ENUM, name);
	node(d, i)->i = val;
	node(d, i)->xlat = x;
	return i;
}

/* A node of kind holding the printf-formatted words, cut at cap - 1 bytes. */
static size_t v_vformat(struct dctx *d, enum scry_vtype kind, const char *name, size_t cap,
			const char *fmt, va_list ap)
{
	char buf[512];
	if (cap > sizeof(buf))
		cap = sizeof(buf);
	int n = vsnprintf(buf, cap, fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= cap)
		n = (int)cap - 1;
	size_t i = scry_values_push(d->out, kind, name);
	uint32_t off = scry_values_bytes(d->out, buf, (size_t)n);
	node(d, i)->str_off = off;
	node(d, i)->str_len = (uint32_t)n;
	return i;
}

size_t v_text(struct dctx *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t i = v_vformat(d, SCRY_V_TEXT, name, 512, fmt, ap);
	va_end(ap);
	return i;
}

size_t v_comment(struct dctx *d, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t i = v_vformat(d, SCRY_V_COMMENT, name, 256, fmt, ap);
	va_end(ap);
	node(d, i)->flags |= SCRY_VF_COMMENT;
	return i;
}

size_t v_clock_t(struct dctx *d, const char *name, uint64_t ticks, int is_signed)
{
	size_t i = is_signed ? v_int(d, name, (int64_t)ticks) : v_uint(d, name, ticks);
	long hz = sysconf(_SC_CLK_TCK);
	if (!ticks || hz <= 0 || (is_signed && (int64_t)ticks < 0))
		return i;
	int width = 0;
	for (long w = hz - 1; w > 0; w /= 10)
		width++;
	v_comment(d, NULL, "%" PRIu64 ".%0*" PRIu64 " s", ticks / (uint64_t)hz, width,
		  ticks % (uint64_t)hz);
	return i;
}

size_t v_inout_begin(struct dctx *d, const char *name)
{
	return scry_values_push(d->out, SCRY_V_INOUT, name);
}

size_t v_inout_uint(struct dctx *d, const char *name, uint64_t in, uint64_t out)
{
	size_t i = v_inout_begin(d, name);
	v_uint(d, NULL, in);
	v_uint(d, NULL, out);
	v_end(d, i);
	return i;
}

size_t v_func_begin(struct dctx *d, const char *name, const char *fn)
{
	size_t i = scry_values_push(d->out, SCRY_V_FUNC, name);
	uint32_t off = scry_values_bytes(d->out, fn, strlen(fn));
	node(d, i)->str_off = off;
	node(d, i)->str_len = (uint32_t)strlen(fn);
	return i;
}

size_t v_func_uint(struct dctx *d, const char *name, const char *fn, uint64_t val)
{
	size_t i = v_func_begin(d, name, fn);
	v_uint(d, NULL, val);
	v_end(d, i);
	return i;
}

size_t v_or_begin(struct dctx *d, const char *name, uint64_t whole)
{
	return v_u(d, SCRY_V_OR, name, whole);
}

size_t v_wstatus(struct dctx *d, const char *name, int status)
{
	size_t i = scry_values_push(d->out, SCRY_V_WSTATUS, name);
	node(d, i)->i = status;
	return i;
}

size_t v_sigset(struct dctx *d, const char *name, uint64_t mask, unsigned nsig)
{
	size_t i = v_u(d, SCRY_V_SIGSET, name, mask);
	node(d, i)->fmt = (uint16_t)(nsig > 64 ? 64 : nsig);
	return i;
}

size_t v_bytes(struct dctx *d, const char *name, const void *p, size_t len, int truncated)
{
	size_t i = scry_values_push(d->out, SCRY_V_STR, name);
	uint32_t off = scry_values_bytes(d->out, p, len);
	struct scry_value *v = node(d, i);
	v->str_off = off;
	v->str_len = (uint32_t)len;
	v->fmt = (uint16_t)d->xflag;
	if (truncated)
		v->flags |= SCRY_VF_TRUNC;
	return i;
}

static size_t v_nulstr(struct dctx *d, const char *name, uint64_t addr, size_t limit)
{
	if (!addr)
		return v_ptr(d, name, 0);
	char buf[PATH_MAX + 1];
	size_t want = limit + 1 < sizeof(buf) ? limit + 1 : sizeof(buf);
	ssize_t got = d_read(d, addr, buf, want);
	if (got <= 0)
		return v_unread(d, name, addr);
	char *z = memchr(buf, 0, (size_t)got);
	if (z)
		return v_bytes(d, name, buf, (size_t)(z - buf), 0);
	if ((size_t)got > limit)
		return v_bytes(d, name, buf, limit, 1);
	/* No NUL where memory ended. */
	return v_unread(d, name, addr);
}

size_t v_path(struct dctx *d, const char *name, uint64_t addr)
{
	return v_nulstr(d, name, addr, PATH_MAX);
}

size_t v_cstr(struct dctx *d, const char *name, uint64_t addr)
{
	return v_nulstr(d, name, addr, (size_t)d->limit);
}

size_t v_buf(struct dctx *d, const char *name, uint64_t addr, int64_t len)
{
	if (!addr)
		return v_ptr(d, name, 0);
	if (len <= 0)
		return v_bytes(d, name, "", 0, 0);
	size_t want = (uint64_t)len > (uint64_t)d->limit ? (size_t)d->limit : (size_t)len;
	/* -s is up to 1 MiB: larger buffers than the stack's come from the heap */
	char stackbuf[4096];
	char *buf = want <= sizeof(stackbuf) ? stackbuf : malloc(want);
	if (!buf) {
		want = sizeof(stackbuf);
		buf = stackbuf;
	}
	ssize_t got = want ? d_read(d, addr, buf, want) : 0;
	size_t i = got < 0 || (want && got == 0) ? v_unread(d, name, addr) :
		   v_bytes(d, name, buf, (size_t)got, (uint64_t)len > (uint64_t)got);
	if (buf != stackbuf)
		free(buf);
	return i;
}

size_t v_struct_begin(struct dctx *d, const char *name)
{
	return scry_values_push(d->out, SCRY_V_STRUCT, name);
}

size_t v_array_begin(struct dctx *d, const char *name)
{
	return scry_values_push(d->out, SCRY_V_ARRAY, name);
}

void v_end(struct dctx *d, size_t begin)
{
	uint32_t kids = 0;
	size_t i = begin + 1;
	node(d, begin)->count = 0;
	while (i < d->out->n) {
		kids++;
		/* children may themselves have children already closed */
		i = scry_values_skip(d->out, i);
	}
	node(d, begin)->count = kids;
}

size_t v_arg(struct dctx *d, int i)
{
	const char *name = d->info ? d->info->argnames[i] : NULL;
	uint64_t a = d->args[i];
	switch (d->info ? d->info->argtypes[i] : SCRY_ARG_HEX) {
	case SCRY_ARG_UINT: return v_uint(d, name, a);
	case SCRY_ARG_HEX: return v_hex(d, name, a);
	case SCRY_ARG_PTR: return v_ptr(d, name, a);
	case SCRY_ARG_OCT: return v_oct(d, name, a);
	case SCRY_ARG_FD: return v_fd(d, name, (int)a);
	case SCRY_ARG_PATH: return v_path(d, name, a);
	case SCRY_ARG_STR: return v_cstr(d, name, a);
	case SCRY_ARG_LONG: return v_int(d, name, (int64_t)a);
	default: return v_int(d, name, (int)a);
	}
}

int v_fetch(struct dctx *d, const char *name, uint64_t addr, void *buf, size_t len)
{
	if (!addr) {
		v_ptr(d, name, 0);
		return -1;
	}
	if (d_read_exact(d, addr, buf, len) < 0) {
		v_unread(d, name, addr);
		return -1;
	}
	return 0;
}

size_t v_timespec(struct dctx *d, const char *name, uint64_t addr)
{
	struct { int64_t sec, nsec; } ts;
	if (v_fetch(d, name, addr, &ts, sizeof(ts)) < 0)
		return d->out->n - 1;
	size_t s = v_struct_begin(d, name);
	v_int(d, "tv_sec", ts.sec);
	v_int(d, "tv_nsec", ts.nsec);
	v_end(d, s);
	return s;
}

size_t v_timeval(struct dctx *d, const char *name, uint64_t addr)
{
	struct { int64_t sec, usec; } tv;
	if (v_fetch(d, name, addr, &tv, sizeof(tv)) < 0)
		return d->out->n - 1;
	size_t s = v_struct_begin(d, name);
	v_int(d, "tv_sec", tv.sec);
	v_int(d, "tv_usec", tv.usec);
	v_end(d, s);
	return s;
}

size_t v_fd_pair(struct dctx *d, const char *name, const int fds[2])
{
	/* strace caps arrays at -s elements too: -s 1 shows [3, ...] */
	size_t a = v_array_begin(d, name);
	int shown = d->limit < 2 ? d->limit : 2;
	for (int i = 0; i < shown; i++)
		v_fd(d, NULL, fds[i]);
	v_end(d, a);
	if (shown < 2)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
	return a;
}
