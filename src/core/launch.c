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
 * The signals the program ignored when it was loaded, before it installed
 * handlers of its own (bit sig-1).  A command started under `nohup` or with
 * `&` by a shell inherits SIGHUP or SIGINT and SIGQUIT ignored; scry catches
 * SIGINT, SIGTERM and SIGHUP to detach cleanly, and a caught signal is back
 * at its default after exec, so the command it launches would die of what
 * its environment had it ignore (found by bench/fidelity run in the
 * background: every program's rt_sigaction(SIGINT, NULL, ...) said SIG_DFL
 * where strace's said SIG_IGN).  So the child ignores them again before
 * exec, as strace's does.  Read with the raw call because glibc's
 * sigaction refuses glibc's own 32 and 33 (SIGCANCEL, SIGSETXID), which a
 * program can only inherit ignored -- and once a process has a second
 * thread, glibc gives 33 a handler.  Read here, at load time, before any
 * thread.
 */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};
static uint64_t ignored_at_load;

__attribute__((constructor)) static void record_ignored_signals(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct ksigaction old;
		if (sig != SIGKILL && sig != SIGSTOP &&
		    syscall(SYS_rt_sigaction, sig, NULL, &old, sizeof(old.mask)) == 0 &&
		    old.handler == SIG_IGN)
			ignored_at_load |= 1ull << (sig - 1);
	}
}

/* in the child: async-signal-safe */
static void restore_ignored_signals(uint64_t except)
{
	for (int sig = 1; sig <= 64; sig++)
		if ((ignored_at_load & ~except) & (1ull << (sig - 1))) {
			struct ksigaction ign = { SIG_IGN, 0, NULL, 0 };
			syscall(SYS_rt_sigaction, sig, &ign, NULL, sizeof(ign.mask));
		}
}

uint64_t launch_ignored_at_load(void)
{
	return ignored_at_load;
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
		restore_ignored_signals(default_signals);
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
