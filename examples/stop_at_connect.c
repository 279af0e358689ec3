/*
 * stop_at_connect PORT CMD [ARG...]: run CMD under trace and stop it at its
 * first connect() to PORT (any address): the command is killed there,
 * before the call runs, and this prints where it was going.  A program that
 * reacts to an event: at CALL_ENTER the tracee is stopped at the call's
 * entry, and a SIGKILL sent then ends it before the call is made.
 */
#define _GNU_SOURCE            /* process_vm_readv */
#include <scry/scry.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

struct watch {
	int port;
	int hit;
};

static int on_event(void *ctx, const struct scry_event *ev)
{
	struct watch *w = ctx;
	const struct scry_call *c = &ev->u.call;
	if (ev->type != SCRY_EV_CALL_ENTER || !c->name || strcmp(c->name, "connect") || w->hit)
		return 0;
	/* the address, read from the stopped tracee's memory */
	struct sockaddr_in6 sa;
	memset(&sa, 0, sizeof(sa));
	struct iovec local = { &sa, sizeof(sa) };
	struct iovec remote = { (void *)(uintptr_t)c->args[1], c->args[2] < sizeof(sa) ? c->args[2] : sizeof(sa) };
	if (process_vm_readv(ev->tid, &local, 1, &remote, 1, 0) <= 0)
		return 0;
	int port = sa.sin6_family == AF_INET ? ntohs(((struct sockaddr_in *)&sa)->sin_port) :
		   sa.sin6_family == AF_INET6 ? ntohs(sa.sin6_port) : -1;
	if (port != w->port)
		return 0;
	w->hit = 1;
	printf("process %d connects to port %d: stopped\n", (int)ev->pid, port);
	/* the call has not run yet: kill the command before it does; the
	 * session sees it die and ends (launched commands are ours to kill) */
	kill(ev->pid, SIGKILL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: stop_at_connect PORT CMD [ARG...]\n");
		return 2;
	}
	struct watch w = { atoi(argv[1]), 0 };
	struct scry_config cfg = SCRY_CONFIG_INIT;
	cfg.follow_forks = 1;
	struct scry_session *s;
	if (scry_session_new(&s, &cfg) < 0)
		return 1;
	struct scry_sink sink = { on_event, NULL, &w, NULL, NULL };
	scry_session_add_sink(s, &sink);
	int r = scry_session_launch(s, argv + 2, NULL);
	if (r < 0) {
		fprintf(stderr, "stop_at_connect: cannot run %s: %s\n", argv[2], strerror(-r));
		scry_session_free(s);
		return 1;
	}
	r = scry_session_run(s);
	int status = scry_session_launched_status(s);
	scry_session_free(s);
	if (!w.hit)
		printf("no connect to port %d (exit status %d)\n", w.port, status);
	return r < 0 ? 1 : !w.hit;
}
