/* unknown_call [N]: makes syscall 999, which no kernel has, N times (default
 * 3), then exits 0.  Each call fails with ENOSYS. */
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3;
	for (int i = 0; i < n; i++)
		syscall(999, 1, 2, 3);
	return 0;
}
