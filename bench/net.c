/* net: loopback TCP.  A server and a client (forked) exchange N small
 * request/response pairs over 127.0.0.1 on an ephemeral port.
 *
 *   net [N]   default 20000 round trips of 64 bytes each way */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MSG 64

/* Reads exactly len bytes; TCP may split a message. */
static int read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const char *buf, size_t len)
{
	size_t put = 0;
	while (put < len) {
		ssize_t w = write(fd, buf + put, len - put);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int client(const struct sockaddr_in *addr, long n)
{
	char buf[MSG];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0) {
		perror("net: client connect");
		return 1;
	}
	nodelay(fd);
	memset(buf, 'q', sizeof buf);
	for (long i = 0; i < n; i++) {
		memcpy(buf, &i, sizeof i);
		long echo;
		if (write_full(fd, buf, MSG) < 0 || read_full(fd, buf, MSG) < 0) {
			perror("net: client exchange");
			return 1;
		}
		memcpy(&echo, buf, sizeof echo);
		if (echo != i + 1) {
			fprintf(stderr, "net: bad reply %ld to %ld\n", echo, i);
			return 1;
		}
	}
	close(fd);
	return 0;
}

static int server(int lfd, long n)
{
	char buf[MSG];
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		perror("net: accept");
		return 1;
	}
	nodelay(fd);
	for (long i = 0; i < n; i++) {
		long v;
		if (read_full(fd, buf, MSG) < 0) {
			perror("net: server read");
			return 1;
		}
		memcpy(&v, buf, sizeof v);
		v++;
		memcpy(buf, &v, sizeof v);
		if (write_full(fd, buf, MSG) < 0) {
			perror("net: server write");
			return 1;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof addr;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
	    listen(lfd, 1) < 0 || getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
		perror("net: listen");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("net: fork");
		return 1;
	}
	if (pid == 0) {
		close(lfd);
		_exit(client(&addr, n));
	}
	int rc = server(lfd, n);
	int status;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	close(lfd);
	return rc;
}
