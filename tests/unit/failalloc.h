/*
 * A failing allocator for the unit tests that check the library's promise
 * on allocation failure (test_contract.c, test_sink_enomem.c): included
 * once by a test program, it replaces malloc, calloc and realloc; setting
 * fail_countdown = N makes the Nth allocation from then fail once (errno
 * ENOMEM), counted in failed_count.  Threads may allocate meanwhile (the
 * countdown is atomic).  Not under AddressSanitizer, which owns malloc:
 * HAVE_FAILER is then undefined and the tests that need it skip.
 */
#ifndef SCRY_TESTS_FAILALLOC_H
#define SCRY_TESTS_FAILALLOC_H

#include <errno.h>
#include <stddef.h>

#if !defined(__SANITIZE_ADDRESS__)
#define HAVE_FAILER 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static _Atomic long fail_countdown;   /* 0: never */
static _Atomic long failed_count;

static int should_fail(void)
{
	long n = fail_countdown;
	while (n > 0) {
		if (__atomic_compare_exchange_n(&fail_countdown, &n, n - 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			if (n == 1) {
				failed_count++;
				return 1;
			}
			return 0;
		}
	}
	return 0;
}

void *malloc(size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}
#endif

#endif
