/* ptrace_floor: the least a ptrace system-call tracer can do.
 *
 *   ptrace_floor [--] COMMAND [ARG...]
 *
 * Launches COMMAND under ptrace, follows every fork, vfork and clone, and
 * stops each tracee at every system-call entry and exit (PTRACE_SYSCALL)
 * without reading anything.  Signals are passed through.  Exits with
 * COMMAND's status.  No real tracer can be faster than this, so bench/run
 * reports every ptrace mode as a ratio to it.
 *
 * It is deliberately as plain as strace's own loop: PTRACE_TRACEME, one
 * waitpid(-1, __WALL) and one PTRACE_SYSCALL per stop.  It does not pin
 * itself to a CPU, because scry and strace do not either. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

/* One bit per pid: set once we have seen the first stop of that tracee.
 * A child attached through PTRACE_O_TRACEFORK starts with a SIGSTOP that
 * the tracer must swallow; this is how we know which SIGSTOP that is. */
#define PID_BITS (1u << 22) /* the kernel's largest pid_max */
static unsigned char *seen;

static int test_and_set_seen(pid_t pid)
{
	unsigned p = (unsigned)pid % PID_BITS;
	int was = seen[p / 8] & (1u << (p % 8));
	seen[p / 8] |= (unsigned char)(1u << (p % 8));
	return was != 0;
}

static void forget(pid_t pid)
{
	unsigned p = (unsigned)pid % PID_BITS;
	seen[p / 8] &= (unsigned char)~(1u << (p % 8));
}

static void resume(pid_t pid, int sig)
{
	/* ESRCH: the tracee died (e.g. killed by another thread's exit). */
	if (ptrace(PTRACE_SYSCALL, pid, 0L, (long)sig) < 0 && errno != ESRCH)
		perror("ptrace_floor: PTRACE_SYSCALL");
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		fprintf(stderr, "usage: ptrace_floor [--] COMMAND [ARG...]\n");
		return 2;
	}
	seen = calloc(PID_BITS / 8, 1);
	if (!seen) {
		perror("ptrace_floor: calloc");
		return 1;
	}

	pid_t child = fork();
	if (child < 0) {
		perror("ptrace_floor: fork");
		return 1;
	}
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0L, 0L) < 0) {
			perror("ptrace_floor: PTRACE_TRACEME");
			_exit(127);
		}
		raise(SIGSTOP); /* wait for the parent to set options */
		execvp(argv[first], &argv[first]);
		fprintf(stderr, "ptrace_floor: %s: %s\n", argv[first], strerror(errno));
		_exit(127);
	}

	int status;
	if (waitpid(child, &status, 0) < 0 || !WIFSTOPPED(status)) {
		fprintf(stderr, "ptrace_floor: child did not stop\n");
		return 1;
	}
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SETOPTIONS, child, 0L, opts) < 0) {
		perror("ptrace_floor: PTRACE_SETOPTIONS");
		kill(child, SIGKILL);
		return 1;
	}
	test_and_set_seen(child);
	resume(child, 0);

	int exit_code = 1;
	for (;;) {
		pid_t pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break; /* every tracee is gone */
			perror("ptrace_floor: waitpid");
			return 1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (pid == child)
				exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
							      : 128 + WTERMSIG(status);
			forget(pid);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status);
		int first_stop = !test_and_set_seen(pid);
		if (sig == (SIGTRAP | 0x80) || status >> 16 != 0)
			resume(pid, 0); /* syscall stop or fork/clone/exec event */
		else if (first_stop && sig == SIGSTOP)
			resume(pid, 0); /* the start of an auto-attached child */
		else
			resume(pid, sig); /* a real signal: deliver it */
	}
	return exit_code;
}
