/*
 * signals: signals as a tracer shows them:
 *
 *   kill(self, SIGUSR1)     handled: --- SIGUSR1 ---, then rt_sigreturn
 *   kill(self, SIGUSR2)     ignored: still shown (a tracer sees it)
 *   a child that exits 3    SIGCHLD, at its default (ignored) action
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int sig)
{
	(void)sig;
}

int main(void)
{
	int status;

	signal(SIGUSR1, on_usr1);
	kill(getpid(), SIGUSR1);
	signal(SIGUSR2, SIG_IGN);
	kill(getpid(), SIGUSR2);
	pid_t c = fork();
	if (!c)
		_exit(3);
	waitpid(c, &status, 0);
	return 0;
}
