/*
 * scry serve: a Prometheus exporter (docs/scry.1, "SERVE").  Counts system
 * calls in the kernel (src/serve/exporter.h) and serves them over HTTP with
 * libmicrohttpd:
 *
 *	GET /metrics    Prometheus text format 0.0.4, or OpenMetrics 1.0 when
 *	                the Accept header asks for application/openmetrics-text
 *	GET /summary    scry's -c JSON summary of everything counted so far
 *
 * A daemon the usual way: runs in the foreground, logs to stderr, and on
 * SIGTERM or SIGINT unloads everything from the kernel and exits 0.  It
 * listens on 127.0.0.1 unless --listen names another address as a number
 * (a host name other than localhost is refused: scry never listens on an
 * address nobody wrote down).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli/serve.h"
#include "filter/filter.h"
#include "serve/exporter.h"
#include "syscalls/syscalls.h"
#include "util/strbuf.h"

#define DEFAULT_PORT 9474
#define MAX_PIDS 1024

struct serve_opts {
	struct scry_exporter_opts x;
	int pids[MAX_PIDS];
	struct scry_filter filter;
	const char *listen;
	int verbose;
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("scry serve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("scry serve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (scry serve --help)\n", stderr);
	va_end(ap);
	return 2;
}

static void help(void)
{
	printf("usage: scry serve [TARGETS] [-e EXPR] [--listen ADDR:PORT] [--labels LIST]\n"
	       "\n"
	       "A Prometheus exporter: counts system calls in the kernel (bpf) and serves\n"
	       "them at http://ADDR:PORT/metrics.\n"
	       "\n"
	       "Targets (any combination; at least one):\n"
	       "  -p PID              that process (repeat, or PID,PID,...)\n"
	       "  -f                  and the processes they fork\n"
	       "  --comm NAME         every process named NAME (exact, matched in the kernel)\n"
	       "  --pgrep PATTERN     every process whose name matches the regex (looked for each second)\n"
	       "  --cgroup PATH       every process in that cgroup v2 or below (a service, a container)\n"
	       "  --all               every process on the machine but scry\n"
	       "Options:\n"
	       "  -e EXPR             which calls to count (trace=SET, as scry -e)\n"
	       "  --listen ADDR:PORT  where to listen (default 127.0.0.1:%d; :PORT is 127.0.0.1;\n"
	       "                      another address only as a number: 0.0.0.0:PORT, [::]:PORT)\n"
	       "  --labels LIST       pid, comm, cgroup: extra labels on every series\n"
	       "  --max-label-sets N  cap on distinct label sets (default %d); the rest are \"other\"\n"
	       "  --buckets-per-octave N  latency buckets per power of two: 1 (default), 2, 4 ... 64\n"
	       "  -v                  log every scrape\n",
	       DEFAULT_PORT, SCRY_EXPORTER_MAX_LABEL_SETS);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_labels(const char *s, unsigned int *out)
{
	char *copy = strdup(s), *tok, *save = NULL;
	int bad = 0;

	if (!copy)
		return -1;
	*out = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "pid"))
			*out |= SCRY_EXPORTER_LABEL_PID;
		else if (!strcmp(tok, "comm"))
			*out |= SCRY_EXPORTER_LABEL_COMM;
		else if (!strcmp(tok, "cgroup"))
			*out |= SCRY_EXPORTER_LABEL_CGROUP;
		else
			bad = 1;
	}
	free(copy);
	return bad || !*out ? -1 : 0;
}

static int parse_args(struct serve_opts *so, int argc, char **argv, int *done)
{
	enum { O_COMM = 256, O_PGREP, O_CGROUP, O_ALL, O_LISTEN, O_LABELS, O_MAXLS, O_BPO };
	static const struct option longs[] = {
		{ "comm", required_argument, NULL, O_COMM },
		{ "pgrep", required_argument, NULL, O_PGREP },
		{ "cgroup", required_argument, NULL, O_CGROUP },
		{ "all", no_argument, NULL, O_ALL },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "labels", required_argument, NULL, O_LABELS },
		{ "max-label-sets", required_argument, NULL, O_MAXLS },
		{ "buckets-per-octave", required_argument, NULL, O_BPO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	unsigned long v;
	int c, filtered = 0;

	*done = 0;
	scry_filter_init(&so->filter, scry_native_table());
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:fe:vh", longs, NULL)) != -1) {
		switch (c) {
		case 'p': {
			char *copy = strdup(optarg), *tok, *save = NULL;

			for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (parse_uint(tok, INT32_MAX, &v) || !v) {
					free(copy);
					return usage_error("-p '%s': give a process id (a positive number)", tok);
				}
				if (so->x.npids == MAX_PIDS) {
					free(copy);
					return usage_error("-p: at most %d processes", MAX_PIDS);
				}
				so->pids[so->x.npids++] = (int)v;
			}
			free(copy);
			break;
		}
		case 'f':
			so->x.follow_forks = 1;
			break;
		case 'e':
			if (scry_filter_parse(&so->filter, optarg, err, sizeof(err)) < 0)
				return usage_error("%s", err);
			filtered = 1;
			break;
		case 'v':
			so->verbose = 1;
			break;
		case 'h':
			help();
			*done = 1;
			return 0;
		case O_COMM:
			so->x.comm = optarg;
			break;
		case O_PGREP:
			so->x.pgrep = optarg;
			break;
		case O_CGROUP:
			so->x.cgroup = optarg;
			break;
		case O_ALL:
			so->x.all = 1;
			break;
		case O_LISTEN:
			so->listen = optarg;
			break;
		case O_LABELS:
			if (parse_labels(optarg, &so->x.labels))
				return usage_error("--labels '%s': give a comma-separated list of pid, comm, cgroup",
						   optarg);
			break;
		case O_MAXLS:
			if (parse_uint(optarg, 1000000, &v) || !v)
				return usage_error("--max-label-sets '%s': give a number from 1 to 1000000", optarg);
			so->x.max_label_sets = v;
			break;
		case O_BPO:
			if (parse_uint(optarg, 64, &v) || !v || (v & (v - 1)))
				return usage_error("--buckets-per-octave '%s': give 1, 2, 4, 8, 16, 32 or 64", optarg);
			so->x.buckets_per_octave = (unsigned int)v;
			break;
		case ':':
			return usage_error("%s needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s': scry serve counts running processes, it starts none",
				   argv[optind]);
	so->x.pids = so->pids;
	if (filtered && !scry_filter_traces_all(&so->filter)) {
		so->x.nrs = so->filter.trace;
		so->x.nr_words = sizeof(so->filter.trace) / sizeof(so->filter.trace[0]);
	}
	return 0;
}

/* ---- the listening socket ---- */

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* ADDR:PORT, [V6]:PORT, :PORT or PORT into ss; 2 (usage, said) on error. */
static int parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *sslen)
{
	char host[256];
	const char *port, *colon;
	unsigned long p;

	memset(ss, 0, sizeof(*ss));
	if (!arg)
		arg = "";
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || close[1] != ':' || (size_t)(close - arg - 1) >= sizeof(host))
			return usage_error("--listen '%s': write an IPv6 address as [ADDR]:PORT", arg);
		snprintf(host, sizeof(host), "%.*s", (int)(close - arg - 1), arg + 1);
		port = close + 2;
	} else if ((colon = strrchr(arg, ':'))) {
		if (strchr(arg, ':') != colon)
			return usage_error("--listen '%s': write an IPv6 address as [ADDR]:PORT", arg);
		if ((size_t)(colon - arg) >= sizeof(host))
			return usage_error("--listen '%s': the address is too long", arg);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - arg), arg);
		port = colon + 1;
	} else {
		host[0] = '\0';
		port = arg;
	}
	if (!*port)
		p = DEFAULT_PORT;
	else if (parse_uint(port, 65535, &p))
		return usage_error("--listen '%s': the port must be a number from 0 to 65535", arg);
	if (!host[0] || !strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)p);
		*sslen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)p);
		*sslen = sizeof(struct sockaddr_in6);
	} else {
		return usage_error("--listen '%s': '%s' is not a numeric address; give one such as 127.0.0.1, ::1 or 0.0.0.0 (scry resolves no host name but localhost)",
				   arg, host);
	}
	return 0;
}

static void addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(((const struct sockaddr_in *)ss)->sin_port));
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
	}
}

/* The bound, listening socket; -1 (said) on error. */
static int open_listener(struct sockaddr_storage *ss, socklen_t sslen)
{
	char where[128];
	int one = 1, fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	addr_text(ss, where, sizeof(where));
	if (fd < 0) {
		logf_("cannot make a socket for %s: %s", where, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, sslen) || listen(fd, 128)) {
		int e = errno;

		if (e == EADDRINUSE)
			logf_("cannot listen on %s: the port is in use by another program; choose another with --listen ADDR:PORT",
			      where);
		else if (e == EADDRNOTAVAIL)
			logf_("cannot listen on %s: no interface of this machine has that address", where);
		else
			logf_("cannot listen on %s: %s", where, strerror(e));
		close(fd);
		return -1;
	}
	/* port 0: the kernel chose one; say which */
	getsockname(fd, (struct sockaddr *)ss, &sslen);
	return fd;
}

/* ---- HTTP ---- */

struct server {
	struct scry_exporter *x;
	int verbose;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int code, const char *type,
			     char *body, size_t len, int owned)
{
	struct MHD_Response *r = owned ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
				       : MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static int wants_openmetrics(struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, "application/openmetrics-text") != NULL;
}

static char *owned_buf(struct strbuf *sb, size_t *len)
{
	char *b;

	*len = sb->len;
	if (!sb->alloc)
		return strdup("");
	b = sb->buf;
	*sb = (struct strbuf)STRBUF_INIT;
	return b;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static char index_html[] =
		"<html><head><title>scry</title></head><body><h1>scry serve</h1>"
		"<p><a href=\"/metrics\">/metrics</a> (Prometheus) &middot; "
		"<a href=\"/summary\">/summary</a> (scry -c JSON)</p></body></html>\n";
	static char not_found[] = "not found: try /metrics\n";
	static char bad_method[] = "only GET and HEAD\n";
	struct server *srv = cls;
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	char *body;
	int om, err;

	if (!*state) {		/* the headers: answer once the body (none) is in */
		*state = srv;
		return MHD_YES;
	}
	if (*upload_size)
		return MHD_NO;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
			     sizeof(bad_method) - 1, 0);
	if (!strcmp(url, "/metrics")) {
		struct timespec t0, t1;

		om = wants_openmetrics(c);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = scry_exporter_render(srv->x, om, &sb);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (err) {
			static char oom[] = "scry serve: out of memory\n";

			strbuf_release(&sb);
			return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", oom, sizeof(oom) - 1, 0);
		}
		if (srv->verbose)
			logf_("scrape: %zu bytes (%s) in %.3f ms", sb.len, om ? "OpenMetrics" : "text 0.0.4",
			      (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		body = owned_buf(&sb, &len);
		return body ? reply(c, MHD_HTTP_OK, scry_exporter_content_type(om), body, len, 1) : MHD_NO;
	}
	if (!strcmp(url, "/summary")) {
		err = scry_exporter_summary_json(srv->x, &sb);
		body = err ? NULL : owned_buf(&sb, &len);
		strbuf_release(&sb);
		return body ? reply(c, MHD_HTTP_OK, "application/json", body, len, 1) : MHD_NO;
	}
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html", index_html, sizeof(index_html) - 1, 0);
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1, 0);
}

/* ---- main ---- */

int serve_main(int argc, char **argv)
{
	static struct serve_opts so;	/* (static: its pid array is large) */
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct server srv = { NULL, 0 };
	struct MHD_Daemon *d = NULL;
	char why[512], where[128], last_err[512] = "";
	sigset_t set;
	int done, status, fd;

	memset(&so, 0, sizeof(so));
	status = parse_args(&so, argc, argv, &done);
	if (status || done)
		return status;
	status = parse_listen(so.listen, &ss, &sslen);
	if (status)
		return status;
	if (!so.x.npids && !so.x.comm && !so.x.pgrep && !so.x.cgroup && !so.x.all)
		return usage_error("say what to count: -p PID, --comm NAME, --pgrep PATTERN, --cgroup PATH, or --all for every process");

	/* the signals wait for sigtimedwait() below, in every thread */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fd = open_listener(&ss, sslen);
	if (fd < 0)
		return 1;
	addr_text(&ss, where, sizeof(where));
	status = scry_exporter_open(&srv.x, &so.x, why, sizeof(why));
	if (status) {
		logf_("%s", why[0] ? why : strerror(-status));
		close(fd);
		return status == -EINVAL ? 2 : 1;
	}
	srv.verbose = so.verbose;
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, &srv,
			     MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)512,
			     MHD_OPTION_END);
	if (!d) {
		logf_("cannot start the HTTP server on %s", where);
		close(fd);
		scry_exporter_close(srv.x);
		return 1;
	}
	if (!is_loopback(&ss))
		logf_("listening on %s, which is not this machine's loopback: whoever reaches it can read the metrics",
		      where);
	logf_("counting in the kernel; metrics at http://%s/metrics (%zu processes now)", where,
	      scry_exporter_targets(srv.x));

	for (;;) {
		struct timespec tick = { 1, 0 };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &tick);

		if (sig == SIGTERM || sig == SIGINT) {
			logf_("%s: unloading and exiting", sig == SIGTERM ? "SIGTERM" : "SIGINT");
			break;
		}
		if (scry_exporter_tick(srv.x, why, sizeof(why))) {
			if (strcmp(why, last_err))
				logf_("%s", why);
			snprintf(last_err, sizeof(last_err), "%s", why);
		} else {
			last_err[0] = '\0';
		}
#ifdef __GLIBC__
		/*
		 * A collect builds every (process, syscall) row the kernel holds,
		 * an 18.5 KiB histogram each, and frees them: 200 processes
		 * exiting in one second make some 60 MiB that glibc would keep
		 * (its heaps only shrink from the top, and freeing a large block
		 * raises the thresholds).  Give the free pages back each tick, so
		 * that resident memory follows what is in use.
		 */
		malloc_trim(0);
#endif
	}
	MHD_stop_daemon(d);	/* waits for the requests in flight */
	scry_exporter_close(srv.x);
	return 0;
}
