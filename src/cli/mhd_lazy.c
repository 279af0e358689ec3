/*
 * libmicrohttpd, loaded when `scry serve` starts its HTTP server and not
 * before.
 *
 * Linked at build time, libmicrohttpd brings gnutls, p11-kit, nettle, gmp,
 * idn2 and more into every scry process: measured, a bare `scry -- true`
 * took ~20 ms instead of ~10 ms to start and its RSS grew from 3 MiB to
 * 7 MiB of library pages, for a server that only `scry serve` runs.  So the
 * command is not linked with it: these are the functions serve.c calls,
 * each forwarding to the library that the first MHD_start_daemon() opens
 * with dlopen().  serve.c is written against <microhttpd.h> as usual.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <microhttpd.h>

#define MHD_SONAME "libmicrohttpd.so.12"

static struct {
	struct MHD_Daemon *(*start_va)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
				       MHD_AccessHandlerCallback, void *, va_list);
	void (*stop)(struct MHD_Daemon *);
	struct MHD_Response *(*create)(size_t, void *, enum MHD_ResponseMemoryMode);
	enum MHD_Result (*add_header)(struct MHD_Response *, const char *, const char *);
	enum MHD_Result (*queue)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
	void (*destroy)(struct MHD_Response *);
	const char *(*lookup)(struct MHD_Connection *, enum MHD_ValueKind, const char *);
} mhd;
static pthread_once_t mhd_once = PTHREAD_ONCE_INIT;
static int mhd_ok;

static void *sym(void *h, const char *name, int *ok)
{
	void *p = dlsym(h, name);

	if (!p)
		*ok = 0;
	return p;
}

static void mhd_load(void)
{
	void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	int ok = 1;

	if (!h) {
		fprintf(stderr, "scry serve: cannot load %s, its HTTP server (Debian's package libmicrohttpd12): %s\n",
			MHD_SONAME, dlerror());
		return;
	}
	/* dlsym returns void *: converting it to a function pointer is what
	 * POSIX promises works, through a copy of the bytes. */
#define LOAD(field, name)                                  \
	do {                                               \
		void *p_ = sym(h, name, &ok);              \
		memcpy(&mhd.field, &p_, sizeof(p_));       \
	} while (0)
	LOAD(start_va, "MHD_start_daemon_va");
	LOAD(stop, "MHD_stop_daemon");
	LOAD(create, "MHD_create_response_from_buffer");
	LOAD(add_header, "MHD_add_response_header");
	LOAD(queue, "MHD_queue_response");
	LOAD(destroy, "MHD_destroy_response");
	LOAD(lookup, "MHD_lookup_connection_value");
#undef LOAD
	if (!ok) {
		fprintf(stderr, "scry serve: %s lacks a function scry needs: %s\n", MHD_SONAME, dlerror());
		return;
	}
	mhd_ok = 1;	/* the library stays loaded for the life of the process */
}

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	pthread_once(&mhd_once, mhd_load);
	if (!mhd_ok)
		return NULL;
	va_start(ap, dh_cls);
	d = mhd.start_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

/* The others run only once a daemon exists, so the library is loaded. */
void MHD_stop_daemon(struct MHD_Daemon *d)
{
	mhd.stop(d);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	return mhd.create(size, buffer, mode);
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *r, const char *header, const char *content)
{
	return mhd.add_header(r, header, content);
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c, unsigned int status, struct MHD_Response *r)
{
	return mhd.queue(c, status, r);
}

void MHD_destroy_response(struct MHD_Response *r)
{
	mhd.destroy(r);
}

const char *MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key)
{
	return mhd.lookup(c, kind, key);
}
