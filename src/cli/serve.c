/*
 * scry serve: a Prometheus exporter (docs/scry.1, "SERVE").  Counts system
 * calls in the kernel (scry/exporter.h) and serves them over HTTP with
 * libmicrohttpd:
 *
 *	GET /metrics    Prometheus text format 0.0.4, or OpenMetrics 1.0 when
 *	                the Accept header asks for application/openmetrics-text
 *	GET /summary    scry's -c JSON summary of everything counted so far
 *
 * With --backend ptrace (only when asked, with a warning) a library session
 * attached to the -p processes feeds the exporter instead, call by call.
 *
 * A daemon the usual way: runs in the foreground, logs to stderr, and on
 * SIGTERM or SIGINT unloads everything from the kernel (or detaches) and
 * exits 0.  It listens on 127.0.0.1 unless --listen names another address
 * as a number (a host name other than localhost is refused: scry never
 * listens on an address nobody wrote down).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"
#include "scry/exporter.h"
#include "scry/filter.h"
#include "scry/scry.h"
#include "scry/syscalls.h"

#define DEFAULT_PORT 9474
#define MAX_PIDS 1024

struct serve_opts {
	struct scry_exporter_opts x;
	int pids[MAX_PIDS];
	struct scry_filter filter;
	const char *listen;
	int verbose;
	int ptrace;		/* --backend ptrace */
	int filtered;
};

/* what the user typed: "scry serve", or "scry -c --listen" (its other form) */
static const char *prog = "scry serve";

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputs(strcmp(prog, "scry serve") ? " (scry serve --help: the options --listen takes)\n"
					 : " (scry serve --help)\n", stderr);
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
	       "Backend:\n"
	       "  --backend bpf       count in the kernel (the default; root or CAP_BPF)\n"
	       "  --backend ptrace    count with ptrace, -p/-f only: the target stops at every call\n"
	       "                      (tens of microseconds each); for when bpf is not allowed\n"
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
	enum { O_COMM = 256, O_PGREP, O_CGROUP, O_ALL, O_LISTEN, O_LABELS, O_MAXLS, O_BPO, O_BACKEND };
	static const struct option longs[] = {
		{ "comm", required_argument, NULL, O_COMM },
		{ "pgrep", required_argument, NULL, O_PGREP },
		{ "cgroup", required_argument, NULL, O_CGROUP },
		{ "all", no_argument, NULL, O_ALL },
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "labels", required_argument, NULL, O_LABELS },
		{ "max-label-sets", required_argument, NULL, O_MAXLS },
		{ "buckets-per-octave", required_argument, NULL, O_BPO },
		{ "backend", required_argument, NULL, O_BACKEND },
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
		case O_BACKEND:
			/* (auto: bpf; ptrace only when asked) */
			if (!strcmp(optarg, "ptrace"))
				so->ptrace = 1;
			else if (!strcmp(optarg, "bpf") || !strcmp(optarg, "auto"))
				so->ptrace = 0;
			else
				return usage_error("--backend '%s': give bpf (the default) or ptrace", optarg);
			break;
		case ':':
			return usage_error("%s needs an argument", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s': the exporter counts running processes, it starts none",
				   argv[optind]);
	so->x.pids = so->pids;
	if (so->ptrace && (so->x.comm || so->x.pgrep || so->x.cgroup || so->x.all))
		return usage_error("--backend ptrace counts -p PID (and -f) only: %s needs the bpf backend, which finds processes as they come (ptrace would have to stop each one it finds)",
				   so->x.comm ? "--comm" : so->x.pgrep ? "--pgrep" : so->x.cgroup ? "--cgroup" : "--all");
	so->filtered = filtered;
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
		err = scry_exporter_render(srv->x, om, &body, &len);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (err) {
			static char oom[] = "scry serve: out of memory\n";

			return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", oom, sizeof(oom) - 1, 0);
		}
		if (srv->verbose)
			logf_("scrape: %zu bytes (%s) in %.3f ms", len, om ? "OpenMetrics" : "text 0.0.4",
			      (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		return reply(c, MHD_HTTP_OK, scry_exporter_content_type(om), body, len, 1);
	}
	if (!strcmp(url, "/summary")) {
		err = scry_exporter_summary_json(srv->x, &body, &len);
		return err ? MHD_NO : reply(c, MHD_HTTP_OK, "application/json", body, len, 1);
	}
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html", index_html, sizeof(index_html) - 1, 0);
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1, 0);
}

/* ---- --backend ptrace: a library session feeding the exporter ---- */

struct tracer {
	struct scry_session *s;
	struct scry_exporter *x;
	pthread_t thread;
	int started;
	volatile int done;	/* the run returned (every target gone, or an error) */
	int rc;			/* its result: a sink's -ENOMEM too */
	int said_done;
};

static void *tracer_run(void *arg)
{
	struct tracer *t = arg;

	t->rc = scry_session_run(t->s);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Attaches to the -p processes and starts counting; 0, or an exit status
 * after one line. */
static int tracer_start(struct tracer *t, struct serve_opts *so, struct scry_exporter *x)
{
	static struct scry_sink sink;
	struct scry_config cfg = SCRY_CONFIG_INIT;
	char why[256] = "";
	int err;

	t->x = x;
	cfg.backend = SCRY_BACKEND_PTRACE;
	cfg.follow_forks = so->x.follow_forks;
	cfg.no_decode = 1;
	cfg.why = why;
	cfg.why_len = sizeof(why);
	if (so->filtered && !scry_filter_traces_all(&so->filter)) {
		cfg.syscall_bitmap = so->filter.trace;
		cfg.syscall_bitmap_words = sizeof(so->filter.trace) / sizeof(so->filter.trace[0]);
	}
	err = scry_session_new(&t->s, &cfg);
	if (err) {
		logf_("cannot start a ptrace session: %s", why[0] ? why : strerror(-err));
		return 1;
	}
	/* each call, each new and ended process, into the exporter */
	scry_exporter_as_sink(x, &sink);
	scry_session_add_sink(t->s, &sink);
	/* durations without the stop's own cost, as scry -c gives them */
	scry_session_calibrate(t->s);
	for (size_t i = 0; i < so->x.npids; i++) {
		struct scry_attach_error ae = { 0, "" };

		err = scry_session_attach(t->s, so->pids[i], &ae);
		if (err) {
			logf_("-p %d: cannot attach: %s%s%s", so->pids[i], strerror(ae.err ? ae.err : -err),
			      ae.reason[0] ? ": " : "", ae.reason);
			/* (detaches from the ones attached before) */
			scry_session_free(t->s);
			t->s = NULL;
			return 1;
		}
		scry_exporter_feed_process(x, so->pids[i], 1);
	}
	if (pthread_create(&t->thread, NULL, tracer_run, t)) {
		logf_("cannot start the tracing thread");
		scry_session_free(t->s);
		t->s = NULL;
		return 1;
	}
	t->started = 1;
	return 0;
}

/* Detaches from everything (the targets run on) and frees the session. */
static void tracer_stop(struct tracer *t)
{
	if (!t->s)
		return;
	if (t->started) {
		scry_session_request_detach(t->s, 0);
		pthread_join(t->thread, NULL);
	}
	scry_session_free(t->s);
	t->s = NULL;
}

/* ---- scry -c --listen ---- */

int serve_c_listen(int argc, char **argv, int *handled)
{
	char **args;
	int i, n = 0, has_c = 0, listen = 0, status;

	*handled = 0;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--listen") || !strncmp(argv[i], "--listen=", 9))
			listen = 1;
	if (!listen)
		return 0;
	*handled = 1;
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args) {
		logf_("out of memory");
		return 1;
	}
	args[n++] = "serve";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && !has_c) {
			has_c = 1;
			continue;
		}
		args[n++] = argv[i];
	}
	if (!has_c) {
		free(args);
		fprintf(stderr, "scry: --listen serves counts over HTTP: give -c with it (scry -c --listen ADDR:PORT -p PID), or use scry serve\n");
		return 2;
	}
	prog = "scry -c --listen";
	status = serve_main(n, args);
	prog = "scry serve";
	free(args);
	return status;
}

/* ---- main ---- */

int serve_main(int argc, char **argv)
{
	static struct serve_opts so;	/* (static: its pid array is large) */
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct server srv = { NULL, 0 };
	struct tracer tr;
	struct MHD_Daemon *d = NULL;
	char why[512], where[128], last_err[512] = "";
	sigset_t set;
	int done, status, fd;

	memset(&so, 0, sizeof(so));
	memset(&tr, 0, sizeof(tr));
	status = parse_args(&so, argc, argv, &done);
	if (status || done)
		return status;
	status = parse_listen(so.listen, &ss, &sslen);
	if (status)
		return status;
	if (!so.x.npids && !so.x.comm && !so.x.pgrep && !so.x.cgroup && !so.x.all)
		return usage_error("say what to count: -p PID, --comm NAME, --pgrep PATTERN, --cgroup PATH, or --all for every process");

	/* the signals wait for sigtimedwait() below, in every thread;
	 * SIGCHLD (every ptrace stop raises one) wakes none of ours */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	fd = open_listener(&ss, sslen);
	if (fd < 0)
		return 1;
	addr_text(&ss, where, sizeof(where));
	if (so.ptrace)
		status = scry_exporter_open_fed(&srv.x, &so.x, why, sizeof(why));
	else
		status = scry_exporter_open(&srv.x, &so.x, why, sizeof(why));
	if (status) {
		/* no bpf here: ptrace can count -p targets, if the user wants
		 * to pay for it */
		if ((status == -EPERM || status == -ENOTSUP) && !so.ptrace)
			logf_("%s; without bpf, scry serve --backend ptrace -p PID counts by stopping the process at every call (slow)",
			      why[0] ? why : strerror(-status));
		else
			logf_("%s", why[0] ? why : strerror(-status));
		close(fd);
		return status == -EINVAL ? 2 : 1;
	}
	if (so.ptrace) {
		status = tracer_start(&tr, &so, srv.x);
		if (status) {
			close(fd);
			scry_exporter_close(srv.x);
			return status;
		}
		logf_("warning: --backend ptrace stops the counted processes at every system call (two stops, tens of microseconds, per call: a busy process runs many times slower); the bpf backend counts for about half a microsecond a call");
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
		tracer_stop(&tr);
		scry_exporter_close(srv.x);
		return 1;
	}
	if (!is_loopback(&ss))
		logf_("listening on %s, which is not this machine's loopback: whoever reaches it can read the metrics",
		      where);
	logf_("counting %s; metrics at http://%s/metrics (%zu processes now)",
	      so.ptrace ? "with ptrace" : "in the kernel", where, scry_exporter_targets(srv.x));

	for (;;) {
		struct timespec tick = { 1, 0 };
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, &tick);

		if (sig == SIGTERM || sig == SIGINT) {
			logf_("%s: %s and exiting", sig == SIGTERM ? "SIGTERM" : "SIGINT",
			      so.ptrace ? "detaching" : "unloading");
			break;
		}
		if (tr.started && !tr.said_done && __atomic_load_n(&tr.done, __ATOMIC_ACQUIRE)) {
			/* the counts stay for the scrapers */
			if (tr.rc)
				logf_("the ptrace session ended: %s; serving what was counted",
				      strerror(-tr.rc));
			else
				logf_("every traced process has exited; serving what was counted");
			tr.said_done = 1;
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
	tracer_stop(&tr);	/* the targets run on, untraced */
	scry_exporter_close(srv.x);
	return 0;
}
