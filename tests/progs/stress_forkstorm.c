/*
 * stress_forkstorm N [PARALLEL]: a fork storm with a known shape, for the
 * stress suite (tests/stress/test_storms.py).
 *
 * Forks N children, at most PARALLEL (default 50) alive at once.  Child i
 * calls getppid once and exits with status i % 100.  The parent reaps every
 * child, checks each one's status, and exits 0 only when all N exited as
 * expected (1 otherwise).  So under `scry -f` there are exactly N forks,
 * N getppid calls and N + 1 exits, with known statuses.
 */
#include "common.h"
#include <errno.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 500;
	int parallel = argc > 2 ? atoi(argv[2]) : 50;
	pid_t *pids = calloc(n, sizeof(*pids));
	int *want = calloc(n, sizeof(*want));
	if (!pids || !want || parallel < 1)
		return 2;
	int started = 0, reaped = 0, bad = 0;
	while (reaped < n) {
		while (started < n && started - reaped < parallel) {
			pid_t pid = fork();
			if (pid < 0) {
				perror("fork");
				return 1;
			}
			if (pid == 0) {
				syscall(SYS_getppid);
				_exit(started % 100);
			}
			pids[started] = pid;
			want[started] = started % 100;
			started++;
		}
		int st;
		pid_t pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			perror("waitpid");
			return 1;
		}
		int i;
		for (i = 0; i < started && pids[i] != pid; i++)
			;
		if (i == started) {
			fprintf(stderr, "reaped an unknown child %d\n", (int)pid);
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != want[i]) {
			fprintf(stderr, "child %d: status 0x%x, wanted exit %d\n",
				i, st, want[i]);
			bad++;
		}
		pids[i] = 0;
		reaped++;
	}
	printf("reaped %d\n", reaped);
	return bad != 0;
}
