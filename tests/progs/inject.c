/*
 * A target for fault injection (tests/e2e/test_inject.py): it makes a known
 * sequence of calls and reports what each one returned, as the program saw
 * it, so that a test can check an injection from inside the tracee as well
 * as in scry's output.
 *
 * Every call under test is made before the first write to stdout (the
 * report is kept in memory and printed at the end), so that injecting into
 * write with when=1 hits the program's own write and never its report.
 *
 *	openat of /dev/null, /dev/zero, /dev/full, /dev/urandom, in turn,
 *	first thing in main       "openat PATH=fd" or "=-ERRNO"
 *	write(a pipe, "hello", 5)             "write=N"
 *	nanosleep 1 ms (the syscall itself, not glibc's clock_nanosleep)
 *	                                      "nanosleep_ms=MS" (measured)
 *	getpid twice, the SIGUSR1s seen after each
 *	                                      "getpid N usr1=K"
 *	read(/dev/zero, buf, 4)               "read=N buf=HEX"
 *
 * "inject threads": a thread makes one getppid (for a delay to hold) while
 * the main thread calls getuid until that getppid has returned; prints
 * "getuid_calls=N".
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static char report[4096];
static size_t used;

#define SAY(...) (used += (size_t)snprintf(report + used, sizeof(report) - used, __VA_ARGS__))

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static atomic_int done;

static void *delayed(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	atomic_store(&done, 1);
	return NULL;
}

static int threads(void)
{
	pthread_t th;
	long n = 0;
	if (pthread_create(&th, NULL, delayed, NULL))
		return 1;
	while (!atomic_load(&done)) {
		syscall(SYS_getuid);
		n++;
	}
	pthread_join(th, NULL);
	printf("getuid_calls=%ld\n", n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads();

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);

	static const char *const paths[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/urandom" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		long fd = syscall(SYS_openat, AT_FDCWD, paths[i], O_RDONLY | O_CLOEXEC);
		SAY("openat %s=%ld\n", paths[i], fd < 0 ? -errno : fd);
		if (fd >= 0)
			close((int)fd);
	}

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) == 0) {
		long n = syscall(SYS_write, pfd[1], "hello", 5);
		SAY("write=%ld\n", n < 0 ? -errno : n);
		close(pfd[0]);
		close(pfd[1]);
	}

	struct timespec ts = { 0, 1000000 };
	double t0 = mono_ms();
	syscall(SYS_nanosleep, &ts, NULL);
	SAY("nanosleep_ms=%.1f\n", mono_ms() - t0);

	for (int i = 1; i <= 2; i++) {
		syscall(SYS_getpid);
		SAY("getpid %d usr1=%d\n", i, (int)usr1);
	}

	unsigned char buf[4] = { 0xee, 0xee, 0xee, 0xee };
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero >= 0) {
		long n = syscall(SYS_read, zero, buf, sizeof(buf));
		SAY("read=%ld buf=%02x%02x%02x%02x\n", n < 0 ? -errno : n, buf[0], buf[1], buf[2], buf[3]);
		close(zero);
	}

	fputs(report, stdout);
	return 0;
}
