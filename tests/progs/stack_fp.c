/*
 * Frame-pointer stacks under bpf (tests/e2e/test_stack_bpf.py, --stack-mode
 * fp): built as stack_fp with -fno-omit-frame-pointer and as stack_fp_nofp
 * with -O2 -fomit-frame-pointer (Makefile); each call from a known line
 * (FP:<name>), three functions below main.
 *
 *   stack_fp N          N rounds, then exit 0
 *   stack_fp N loop S   prints its pid, then a round every 10 ms for S
 *                       seconds (for attaching)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

volatile int sink;

__attribute__((noinline)) static void fp_leaf(void)
{
	sink += getppid();   /* FP:getppid */
}

__attribute__((noinline)) static void fp_mid(void)
{
	fp_leaf();
	sink += (int)umask(022);   /* FP:umask */
}

__attribute__((noinline)) static void fp_round(void)
{
	fp_mid();
	sink++;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;

	if (argc > 3 && !strcmp(argv[2], "loop")) {
		time_t end = time(NULL) + atoi(argv[3]);
		struct timespec ts = {0, 10000000};
		printf("%d\n", (int)getpid());
		fflush(stdout);
		while (time(NULL) < end) {
			fp_round();
			nanosleep(&ts, NULL);
		}
		return 0;
	}
	for (int i = 0; i < n; i++)
		fp_round();
	return 0;
}
