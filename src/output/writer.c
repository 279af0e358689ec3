/*
 * The buffered writer of the structured outputs, and a set of ids
 * (output/writer.h).
 */
#include "output/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- sets of ids ---- */

/* A set of ids (pids or tids) seen: open addressing, 0 is empty. */
int idset_add(struct idset *s, int id)
{
	if (id <= 0)
		return 0;
	if ((s->n + 1) * 2 > s->size) {
		size_t ns = s->size ? s->size * 2 : 64;
		int *nv = calloc(ns, sizeof(int));
		if (!nv)
			return -ENOMEM;    /* (it used to say "not new": a name lost) */
		for (size_t i = 0; i < s->size; i++) {
			if (!s->v[i])
				continue;
			size_t h = (size_t)s->v[i] * 2654435761u & (ns - 1);
			while (nv[h])
				h = (h + 1) & (ns - 1);
			nv[h] = s->v[i];
		}
		free(s->v);
		s->v = nv;
		s->size = ns;
	}
	size_t h = (size_t)id * 2654435761u & (s->size - 1);
	while (s->v[h]) {
		if (s->v[h] == id)
			return 0;
		h = (h + 1) & (s->size - 1);
	}
	s->v[h] = id;
	s->n++;
	return 1;
}

void idset_release(struct idset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- the writer ---- */

void obuf_init(struct obuf *w, int fd)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	struct stat st;
	w->seekable = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		      !(fcntl(fd, F_GETFL) & O_APPEND);
	strbuf_init(&w->b, 64 * 1024 + 4096);
}

static int write_all(struct obuf *w)
{
	off_t start = w->seekable ? lseek(w->fd, 0, SEEK_CUR) : -1;
	size_t off = 0;
	int err = 0;
	while (off < w->b.len) {
		ssize_t n = write(w->fd, w->b.buf + off, w->b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (err && off && start >= 0) {
		/* never leave half a row: cut back to where this write began */
		if (ftruncate(w->fd, start) == 0)
			lseek(w->fd, start, SEEK_SET);
	}
	strbuf_reset(&w->b);
	return err;
}

int obuf_flush(struct obuf *w)
{
	if (w->b.failed && !w->err)
		w->err = -ENOMEM;      /* a line was cut short */
	if (w->err) {
		strbuf_reset(&w->b);
		return w->err;
	}
	if (!w->b.len)
		return 0;
	int r = write_all(w);
	if (r && !w->err)
		w->err = r;
	return w->err;
}

int obuf_flush_final(struct obuf *w)
{
	if (w->b.failed && !w->err)
		w->err = -ENOMEM;
	if (!w->b.len)
		return w->err;
	int r = write_all(w);
	if (r && !w->err)
		w->err = r;
	return w->err;
}

void obuf_release(struct obuf *w)
{
	strbuf_release(&w->b);
}
