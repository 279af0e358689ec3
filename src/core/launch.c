#include "core/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int find_program(const char *file, char *path, size_t len)
{
	const char *p, *end;
	int err = -ENOENT;
	struct stat st;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/')) {
		if (strlen(file) >= len)
			return -ENAMETOOLONG;
		strcpy(path, file);
		if (stat(path, &st))
			return -errno;
		if (S_ISDIR(st.st_mode))
			return -EACCES;
		return access(path, X_OK) ? -errno : 0;
	}
	p = getenv("PATH");
	if (!p || !*p)
		p = "/usr/local/bin:/bin:/usr/bin";
	for (;; p = end + 1) {
		size_t dl;

		end = strchrnul(p, ':');
		dl = (size_t)(end - p);
		if (snprintf(path, len, "%.*s%s%s", (int)dl, p, dl ? "/" : "", file) < (int)len &&
		    !stat(path, &st) && !S_ISDIR(st.st_mode)) {
			if (!access(path, X_OK))
				return 0;
			err = -EACCES;	/* remember, but keep looking as execvp does */
		}
		if (!*end)
			break;
	}
	return err;
}

extern char **environ;

/*
 * glibc's own signals, 32 and 33 (SIGCANCEL, SIGSETXID): glibc's sigaction
 * refuses them, so a program can only inherit them ignored -- and once a
 * process has a second thread, glibc gives 33 a handler, which exec then
 * resets to the default.  scry traces from a thread of its own, so the
 * command it launches would lose what its environment ignored (seen: a CI
 * job whose parent ignores both).  Their dispositions are read here, at
 * load time, before any thread, and put back in the child before exec.
 */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};
static unsigned glibc_ignored;   /* bit 0: signal 32, bit 1: signal 33 */

__attribute__((constructor)) static void record_glibc_signals(void)
{
	for (int i = 0; i < 2; i++) {
		struct ksigaction old;
		if (syscall(SYS_rt_sigaction, 32 + i, NULL, &old, sizeof(old.mask)) == 0 &&
		    old.handler == SIG_IGN)
			glibc_ignored |= 1u << i;
	}
}

static void restore_glibc_signals(void)
{
	for (int i = 0; i < 2; i++)
		if (glibc_ignored & (1u << i)) {
			struct ksigaction ign = { SIG_IGN, 0, NULL, 0 };
			syscall(SYS_rt_sigaction, 32 + i, &ign, NULL, sizeof(ign.mask));
		}
}

pid_t launch_gated(char *const argv[], uint64_t default_signals,
		   int (*setup)(void *ctx), void *ctx, int *gate)
{
	char path[PATH_MAX];
	int pfd[2];

	if (!argv || !argv[0])
		return -EINVAL;
	int err = find_program(argv[0], path, sizeof(path));
	if (err)
		return err;
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		err = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return err;
	}
	if (pid == 0) {
		/* async-signal-safe only from here on */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int sig = 1; sig <= 64; sig++)
			if (default_signals & (1ull << (sig - 1)))
				signal(sig, SIG_DFL);
		restore_glibc_signals();
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
		close(pfd[1]);
		char c;
		ssize_t n;
		while ((n = read(pfd[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n != 0)        /* the parent gave up on us */
			_exit(127);
		/*
		 * Setup (a seccomp filter) comes after the gate, as the last
		 * thing before execve: a traced call made before the tracer has
		 * seized us would fail with ENOSYS (the read above: a random
		 * launch failure, test_robust_attach.FilteredLaunch).
		 */
		if (setup && setup(ctx))
			_exit(126);
		execve(path, argv, environ);
		int e = errno;
		dprintf(2, "scry: cannot run '%s': %s\n", argv[0], strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	close(pfd[0]);
	*gate = pfd[1];
	return pid;
}

int launch_set_ids(uid_t uid, gid_t gid, const gid_t *groups, int ngroups)
{
	if (setgroups((size_t)ngroups, groups) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return -1;
	return 0;
}

void launch_release(int gate)
{
	close(gate);      /* end of file: the child goes on to exec */
}

void launch_abort(pid_t pid, int gate)
{
	kill(pid, SIGKILL);
	close(gate);
	waitpid(pid, NULL, 0);
}
