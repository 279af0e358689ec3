/*
 * A small "production service" for scry's demo: a logger thread that
 * appends and fsyncs a log file, a worker thread that answers requests on a
 * loopback socket pair, and a main thread that stats its config file.  It
 * runs until killed (or for argv[1] seconds) and prints its progress.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile long requests;

static void *logger(void *arg)
{
	const char *path = arg;
	for (;;) {
		int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return NULL;
		char line[64];
		int n = snprintf(line, sizeof(line), "request %ld served\n", requests);
		if (write(fd, line, (size_t)n) < 0)
			break;
		fsync(fd);    /* the bottleneck the demo's summary shows */
		close(fd);
		usleep(20000);
	}
	return NULL;
}

static void *worker(void *arg)
{
	int fd = *(int *)arg;
	char buf[128];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return NULL;
		if (write(fd, "OK\n", 3) < 0)
			return NULL;
	}
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 600;
	char logpath[] = "/tmp/scry-demo-XXXXXX";
	int lfd = mkstemp(logpath);
	if (lfd < 0)
		return 1;
	close(lfd);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	pthread_t lt, wt;
	pthread_create(&lt, NULL, logger, logpath);
	pthread_create(&wt, NULL, worker, &sv[1]);
	printf("demo service running as pid %d\n", (int)getpid());
	fflush(stdout);
	time_t end = time(NULL) + seconds;
	while (time(NULL) < end) {
		char buf[16];
		if (write(sv[0], "GET /\n", 6) < 0 || read(sv[0], buf, sizeof(buf)) <= 0)
			break;
		requests++;
		struct stat st;
		stat("/etc/hostname", &st);
		usleep(5000);
	}
	unlink(logpath);
	return 0;
}
