/* segv: dies of SIGSEGV by writing through a null pointer. */
#include <signal.h>
#include <stddef.h>

int main(void)
{
	signal(SIGSEGV, SIG_DFL);
	volatile int *p = NULL;
	*p = 42;
	return 0;
}
