/* selfkill: dies of SIGKILL sent to itself. */
#include <signal.h>

int main(void)
{
	raise(SIGKILL);
	return 0;
}
