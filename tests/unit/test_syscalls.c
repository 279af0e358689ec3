/*
 * Unit tests for the syscall metadata layer: generated tables, lookups,
 * classes, errno and signal names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "syscalls/syscalls.h"

static void assert_nr(const struct scry_syscall_table *t, const char *name, long nr)
{
	const struct scry_syscall_info *info;

	assert_int_equal(scry_syscall_lookup(t, name), nr);
	info = scry_syscall_get(t, nr);
	assert_non_null(info);
	assert_string_equal(info->name, name);
}

static void test_numbers_x86_64(void **state)
{
	const struct scry_syscall_table *t = &scry_table_x86_64;

	assert_string_equal(t->arch, "x86_64");
	assert_nr(t, "read", 0);
	assert_nr(t, "write", 1);
	assert_nr(t, "open", 2);
	assert_nr(t, "stat", 4);
	assert_nr(t, "fstat", 5);
	assert_nr(t, "mmap", 9);
	assert_nr(t, "connect", 42);
	assert_nr(t, "clone", 56);
	assert_nr(t, "execve", 59);
	assert_nr(t, "exit_group", 231);
	assert_nr(t, "openat", 257);
	assert_nr(t, "newfstatat", 262);
	assert_nr(t, "clone3", 435);
	assert_nr(t, "uretprobe", 335);
	assert_nr(t, "fchmodat2", 452);
}

/* The i386 table (32-bit processes on x86_64): numbers from unistd_32.h,
 * i386 argument orders, and the mapping scry_compat_nr() does. */
static void test_numbers_i386(void **state)
{
	const struct scry_syscall_table *t = &scry_table_i386;
	const struct scry_syscall_info *i;

	assert_string_equal(t->arch, "i386");
	assert_nr(t, "exit", 1);
	assert_nr(t, "read", 3);
	assert_nr(t, "write", 4);
	assert_nr(t, "close", 6);
	assert_nr(t, "getpid", 20);
	assert_nr(t, "_llseek", 140);
	assert_nr(t, "mmap2", 192);
	assert_nr(t, "fstat64", 197);
	assert_nr(t, "set_thread_area", 243);
	assert_nr(t, "exit_group", 252);
	assert_nr(t, "openat", 295);
	assert_nr(t, "statx", 383);
	assert_nr(t, "clock_gettime64", 403);
	assert_nr(t, "clone3", 435);
	i = scry_syscall_get(t, 140);
	assert_int_equal(i->nargs, 5);
	assert_string_equal(i->argnames[3], "result");
	/* CONFIG_CLONE_BACKWARDS: tls before child_tidptr */
	i = scry_syscall_get(t, 120);
	assert_string_equal(i->name, "clone");
	assert_string_equal(i->argnames[3], "tls");
	/* 64-bit time variants take their base call's arguments */
	i = scry_syscall_get(t, 403);
	assert_int_equal(i->nargs, 2);
}

static void test_compat_nr(void **state)
{
	const struct scry_syscall_table *x = &scry_table_x86_64;
	const struct scry_syscall_info *i;

	/* other architectures' numbers pass through */
	assert_int_equal(scry_compat_nr(0xc000003eu, 3), 3);
	if (scry_native_table() != x) {
		assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 6), 6);
		return;
	}
	/* same call, layout-free decoder: the x86_64 number */
	assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 6), 3);       /* close */
	assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 4), 1);       /* write */
	assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 295), 257);   /* openat */
	assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 252), 231);   /* exit_group */
	/* i386-only calls, and calls whose structures differ (old_mmap,
	 * struct stat, 32-bit time, argv of 4-byte pointers): their own
	 * number, named by the i386 table */
	long nr = scry_compat_nr(SCRY_AUDIT_ARCH_I386, 140);
	assert_int_equal(nr, SCRY_NR_I386 + 140);
	i = scry_syscall_get(x, nr);
	assert_non_null(i);
	assert_string_equal(i->name, "_llseek");
	i = scry_syscall_get(x, scry_compat_nr(SCRY_AUDIT_ARCH_I386, 90));
	assert_string_equal(i->name, "mmap");
	assert_int_not_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 90), 9);
	i = scry_syscall_get(x, scry_compat_nr(SCRY_AUDIT_ARCH_I386, 11));
	assert_string_equal(i->name, "execve");
	assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, 11), SCRY_NR_I386 + 11);
	/* unknown numbers stay unknown */
	assert_null(scry_syscall_get(x, scry_compat_nr(SCRY_AUDIT_ARCH_I386, 9999)));
	assert_int_equal(scry_compat_nr(SCRY_AUDIT_ARCH_I386, -1), -1);
}

static void test_numbers_aarch64(void **state)
{
	const struct scry_syscall_table *t = &scry_table_aarch64;

	assert_string_equal(t->arch, "aarch64");
	assert_nr(t, "io_setup", 0);
	assert_nr(t, "openat", 56);
	assert_nr(t, "close", 57);
	assert_nr(t, "read", 63);
	assert_nr(t, "write", 64);
	/* __NR3264_* aliases take their 64-bit names */
	assert_nr(t, "fcntl", 25);
	assert_nr(t, "statfs", 43);
	assert_nr(t, "lseek", 62);
	assert_nr(t, "newfstatat", 79);
	assert_nr(t, "fstat", 80);
	assert_nr(t, "mmap", 222);
	assert_nr(t, "fadvise64", 223);
	assert_nr(t, "clone", 220);
	assert_nr(t, "execve", 221);
	assert_nr(t, "clone3", 435);
	assert_nr(t, "renameat", 38);
	/* arm64 has none of the legacy calls, nor the 32-bit variants */
	assert_int_equal(scry_syscall_lookup(t, "open"), -1);
	assert_int_equal(scry_syscall_lookup(t, "stat"), -1);
	assert_int_equal(scry_syscall_lookup(t, "fork"), -1);
	assert_int_equal(scry_syscall_lookup(t, "fcntl64"), -1);
	assert_int_equal(scry_syscall_lookup(t, "mmap2"), -1);
	assert_int_equal(scry_syscall_lookup(t, "clock_gettime64"), -1);
	assert_null(scry_syscall_get(t, 403));
}

static void test_round_trip(void **state)
{
	const struct scry_syscall_table *tables[] = { &scry_table_x86_64, &scry_table_aarch64 };

	for (size_t i = 0; i < 2; i++) {
		const struct scry_syscall_table *t = tables[i];
		unsigned int named = 0;

		for (unsigned int nr = 0; nr < t->ncalls; nr++) {
			const struct scry_syscall_info *info = scry_syscall_get(t, nr);
			if (!info)
				continue;
			named++;
			assert_int_equal(scry_syscall_lookup(t, info->name), nr);
			assert_true(info->nargs <= 6);
			for (unsigned int a = 0; a < info->nargs; a++) {
				assert_non_null(info->argnames[a]);
				assert_true(info->argtypes[a] <= SCRY_ARG_LONG);
			}
		}
		assert_true(named > 300);
	}
}

static void test_native(void **state)
{
	const struct scry_syscall_table *t = scry_native_table();

	assert_non_null(t);
#if defined(__x86_64__)
	assert_ptr_equal(t, &scry_table_x86_64);
#elif defined(__aarch64__)
	assert_ptr_equal(t, &scry_table_aarch64);
#endif
}

static void test_unknown(void **state)
{
	const struct scry_syscall_table *t = &scry_table_x86_64;

	assert_null(scry_syscall_get(t, -1));
	assert_null(scry_syscall_get(t, 100000));
	assert_null(scry_syscall_get(t, t->ncalls));
	assert_null(scry_syscall_get(t, 400));  /* a hole: 336..423 unused */
	assert_null(scry_syscall_get(NULL, 0));
	assert_int_equal(scry_syscall_lookup(t, "no_such_call"), -1);
	assert_int_equal(scry_syscall_lookup(t, ""), -1);
	assert_int_equal(scry_syscall_lookup(t, NULL), -1);
	assert_int_equal(scry_syscall_lookup(t, "openat "), -1);
}

static void assert_args(const struct scry_syscall_info *info, unsigned int nargs,
			const char *const *names, const unsigned char *types)
{
	assert_non_null(info);
	assert_int_equal(info->nargs, nargs);
	for (unsigned int a = 0; a < nargs; a++) {
		assert_string_equal(info->argnames[a], names[a]);
		assert_int_equal(info->argtypes[a], types[a]);
	}
}

static void test_args(void **state)
{
	static const char *const openat_n[] = { "dfd", "filename", "flags", "mode" };
	static const unsigned char openat_t[] = { SCRY_ARG_FD, SCRY_ARG_PATH, SCRY_ARG_HEX, SCRY_ARG_OCT };
	static const char *const read_n[] = { "fd", "buf", "count" };
	static const unsigned char read_t[] = { SCRY_ARG_FD, SCRY_ARG_PTR, SCRY_ARG_UINT };
	static const char *const connect_n[] = { "fd", "uservaddr", "addrlen" };
	static const unsigned char connect_t[] = { SCRY_ARG_FD, SCRY_ARG_PTR, SCRY_ARG_INT };
	static const char *const memfd_n[] = { "uname", "flags" };
	static const unsigned char memfd_t[] = { SCRY_ARG_STR, SCRY_ARG_HEX };
	const struct scry_syscall_table *tables[] = { &scry_table_x86_64, &scry_table_aarch64 };

	for (size_t i = 0; i < 2; i++) {
		const struct scry_syscall_table *t = tables[i];

		assert_args(scry_syscall_get(t, scry_syscall_lookup(t, "openat")), 4, openat_n, openat_t);
		assert_args(scry_syscall_get(t, scry_syscall_lookup(t, "read")), 3, read_n, read_t);
		assert_args(scry_syscall_get(t, scry_syscall_lookup(t, "connect")), 3, connect_n, connect_t);
		assert_args(scry_syscall_get(t, scry_syscall_lookup(t, "memfd_create")), 2, memfd_n, memfd_t);
		assert_int_equal(scry_syscall_get(t, scry_syscall_lookup(t, "getppid"))->nargs, 0);
		assert_int_equal(scry_syscall_get(t, scry_syscall_lookup(t, "mmap"))->nargs, 6);
		assert_int_equal(scry_syscall_get(t, scry_syscall_lookup(t, "exit_group"))->nargs, 1);
		assert_int_equal(scry_syscall_get(t, scry_syscall_lookup(t, "rt_sigreturn"))->nargs, 0);
	}
	/* calls tracefs lacked come from the generator's fallback table */
	assert_int_equal(scry_syscall_get(&scry_table_x86_64, 175)->nargs, 3);  /* init_module */
	/* arm64 clone has tls before child_tidptr (CLONE_BACKWARDS) */
	assert_string_equal(scry_syscall_get(&scry_table_aarch64, 220)->argnames[3], "tls");
	assert_string_equal(scry_syscall_get(&scry_table_x86_64, 56)->argnames[3], "child_tidptr");
	/* x86_64 stat comes from tracefs' newstat */
	assert_int_equal(scry_syscall_get(&scry_table_x86_64, 4)->argtypes[0], SCRY_ARG_PATH);
}

static unsigned int classes_of(const struct scry_syscall_table *t, const char *name)
{
	const struct scry_syscall_info *info = scry_syscall_get(t, scry_syscall_lookup(t, name));

	assert_non_null(info);
	return info->classes;
}

static void test_classes(void **state)
{
	const struct scry_syscall_table *tables[] = { &scry_table_x86_64, &scry_table_aarch64 };

	for (size_t i = 0; i < 2; i++) {
		const struct scry_syscall_table *t = tables[i];

		assert_int_equal(classes_of(t, "openat"), SCRY_CLASS_FILE | SCRY_CLASS_DESC);
		assert_int_equal(classes_of(t, "connect"), SCRY_CLASS_NETWORK | SCRY_CLASS_DESC);
		assert_true(classes_of(t, "getppid") & SCRY_CLASS_PURE);
		assert_true(classes_of(t, "getuid") & SCRY_CLASS_PURE);
		assert_true(classes_of(t, "getuid") & SCRY_CLASS_CREDS);
		assert_int_equal(classes_of(t, "mmap"), SCRY_CLASS_MEMORY | SCRY_CLASS_DESC);
		assert_true(classes_of(t, "clone") & SCRY_CLASS_PROCESS);
		assert_true(classes_of(t, "execve") & SCRY_CLASS_PROCESS);
		assert_true(classes_of(t, "execve") & SCRY_CLASS_FILE);
		assert_true(classes_of(t, "rt_sigaction") & SCRY_CLASS_SIGNAL);
		assert_true(classes_of(t, "kill") & SCRY_CLASS_SIGNAL);
		assert_true(classes_of(t, "shmget") & SCRY_CLASS_IPC);
		assert_true(classes_of(t, "clock_gettime") & SCRY_CLASS_CLOCK);
		assert_true(classes_of(t, "fstat") & SCRY_CLASS_FSTAT);
		assert_true(classes_of(t, "fstat") & SCRY_CLASS_STAT_LIKE);
		assert_true(classes_of(t, "newfstatat") & SCRY_CLASS_STAT_LIKE);
		assert_true(classes_of(t, "statx") & SCRY_CLASS_STAT_LIKE);
		assert_true(classes_of(t, "statfs") & SCRY_CLASS_STATFS);
		assert_true(classes_of(t, "fstatfs") & SCRY_CLASS_STATFS_LIKE);
		assert_false(classes_of(t, "read") & SCRY_CLASS_FILE);
		assert_false(classes_of(t, "getpid") & ~SCRY_CLASS_PURE);
		assert_int_equal(classes_of(t, "getpriority"), 0);
		/* as strace's lists (issue 21): getcwd is %file, sendfile %network */
		assert_true(classes_of(t, "getcwd") & SCRY_CLASS_FILE);
		assert_true(classes_of(t, "sendfile") & SCRY_CLASS_NETWORK);
		assert_true(classes_of(t, "sendfile") & SCRY_CLASS_DESC);
	}
	assert_true(classes_of(&scry_table_x86_64, "stat") & SCRY_CLASS_STAT);
	assert_true(classes_of(&scry_table_x86_64, "lstat") & SCRY_CLASS_LSTAT);
	assert_true(classes_of(&scry_table_x86_64, "fork") & SCRY_CLASS_PROCESS);
}

static void test_class_lookup(void **state)
{
	assert_int_equal(scry_class_lookup("file"), SCRY_CLASS_FILE);
	assert_int_equal(scry_class_lookup("%file"), SCRY_CLASS_FILE);
	assert_int_equal(scry_class_lookup("desc"), SCRY_CLASS_DESC);
	assert_int_equal(scry_class_lookup("%desc"), SCRY_CLASS_DESC);
	assert_int_equal(scry_class_lookup("network"), SCRY_CLASS_NETWORK);
	assert_int_equal(scry_class_lookup("%network"), SCRY_CLASS_NETWORK);
	assert_int_equal(scry_class_lookup("net"), SCRY_CLASS_NETWORK);
	assert_int_equal(scry_class_lookup("%net"), SCRY_CLASS_NETWORK);
	assert_int_equal(scry_class_lookup("process"), SCRY_CLASS_PROCESS);
	assert_int_equal(scry_class_lookup("%memory"), SCRY_CLASS_MEMORY);
	assert_int_equal(scry_class_lookup("memory"), SCRY_CLASS_MEMORY);
	assert_int_equal(scry_class_lookup("signal"), SCRY_CLASS_SIGNAL);
	assert_int_equal(scry_class_lookup("ipc"), SCRY_CLASS_IPC);
	assert_int_equal(scry_class_lookup("creds"), SCRY_CLASS_CREDS);
	assert_int_equal(scry_class_lookup("clock"), SCRY_CLASS_CLOCK);
	assert_int_equal(scry_class_lookup("stat"), SCRY_CLASS_STAT);
	assert_int_equal(scry_class_lookup("%lstat"), SCRY_CLASS_LSTAT);
	assert_int_equal(scry_class_lookup("fstat"), SCRY_CLASS_FSTAT);
	assert_int_equal(scry_class_lookup("%%stat"), SCRY_CLASS_STAT_LIKE);
	assert_int_equal(scry_class_lookup("statfs"), SCRY_CLASS_STATFS);
	assert_int_equal(scry_class_lookup("fstatfs"), SCRY_CLASS_FSTATFS);
	assert_int_equal(scry_class_lookup("%%statfs"), SCRY_CLASS_STATFS_LIKE);
	assert_int_equal(scry_class_lookup("pure"), SCRY_CLASS_PURE);
	assert_int_equal(scry_class_lookup("%pure"), SCRY_CLASS_PURE);
	assert_int_equal(scry_class_lookup("bogus"), 0);
	assert_int_equal(scry_class_lookup("%%%stat"), 0);
	assert_int_equal(scry_class_lookup(""), 0);
	assert_int_equal(scry_class_lookup("%"), 0);
	assert_int_equal(scry_class_lookup(NULL), 0);
}

static void test_errno(void **state)
{
	assert_string_equal(scry_errno_name(1), "EPERM");
	assert_string_equal(scry_errno_name(2), "ENOENT");
	assert_string_equal(scry_errno_name(11), "EAGAIN");
	assert_string_equal(scry_errno_name(35), "EDEADLK");
	assert_string_equal(scry_errno_name(38), "ENOSYS");
	assert_string_equal(scry_errno_name(111), "ECONNREFUSED");
	assert_string_equal(scry_errno_name(512), "ERESTARTSYS");
	assert_string_equal(scry_errno_name(513), "ERESTARTNOINTR");
	assert_string_equal(scry_errno_name(514), "ERESTARTNOHAND");
	assert_string_equal(scry_errno_name(515), "ENOIOCTLCMD");
	assert_string_equal(scry_errno_name(516), "ERESTART_RESTARTBLOCK");
	assert_null(scry_errno_name(0));
	assert_null(scry_errno_name(-2));
	assert_null(scry_errno_name(41));   /* unused in asm-generic */
	assert_null(scry_errno_name(300));
	assert_null(scry_errno_name(520));
	assert_null(scry_errno_name(4095));
	assert_null(scry_errno_name(1 << 30));
	/* the same names as a table of values (SO_ERROR's [ECONNREFUSED]) */
	size_t n = 0;
	int seen111 = 0;
	for (const struct scry_xlat *x = scry_errno_xlat; x->name; x++, n++) {
		assert_string_equal(scry_errno_name((int)x->val), x->name);
		seen111 |= x->val == 111;
	}
	assert_true(seen111);
	assert_true(n > 130);
}

static void test_signal_names(void **state)
{
	assert_string_equal(scry_signal_name(1), "SIGHUP");
	assert_string_equal(scry_signal_name(2), "SIGINT");
	assert_string_equal(scry_signal_name(9), "SIGKILL");
	assert_string_equal(scry_signal_name(11), "SIGSEGV");
	assert_string_equal(scry_signal_name(17), "SIGCHLD");
	assert_string_equal(scry_signal_name(31), "SIGSYS");
	assert_string_equal(scry_signal_name(32), "SIGRTMIN");
	assert_string_equal(scry_signal_name(33), "SIGRT_1");
	assert_string_equal(scry_signal_name(34), "SIGRT_2");
	assert_string_equal(scry_signal_name(64), "SIGRT_32");
	assert_null(scry_signal_name(0));
	assert_null(scry_signal_name(-1));
	assert_null(scry_signal_name(65));
	for (int sig = 1; sig <= 64; sig++)
		assert_int_equal(scry_signal_lookup(scry_signal_name(sig)), sig);
}

static void test_signal_lookup(void **state)
{
	assert_int_equal(scry_signal_lookup("SIGINT"), 2);
	assert_int_equal(scry_signal_lookup("INT"), 2);
	assert_int_equal(scry_signal_lookup("int"), 2);
	assert_int_equal(scry_signal_lookup("sigterm"), 15);
	assert_int_equal(scry_signal_lookup("2"), 2);
	assert_int_equal(scry_signal_lookup("9"), 9);
	assert_int_equal(scry_signal_lookup("64"), 64);
	assert_int_equal(scry_signal_lookup("SIGIOT"), 6);
	assert_int_equal(scry_signal_lookup("SIGRT_2"), 34);
	assert_int_equal(scry_signal_lookup("RT_2"), 34);
	assert_int_equal(scry_signal_lookup("SIGRTMIN"), 32);
	assert_int_equal(scry_signal_lookup("SIGRTMIN+3"), 35);
	assert_int_equal(scry_signal_lookup("SIGRTMAX"), 64);
	assert_int_equal(scry_signal_lookup("SIGRTMAX-1"), 63);
	assert_int_equal(scry_signal_lookup("SIGRTMAX+1"), -1);
	assert_int_equal(scry_signal_lookup("0"), -1);
	assert_int_equal(scry_signal_lookup("65"), -1);
	assert_int_equal(scry_signal_lookup("-1"), -1);
	assert_int_equal(scry_signal_lookup("2x"), -1);
	assert_int_equal(scry_signal_lookup("99999999999999999999"), -1);
	assert_int_equal(scry_signal_lookup("SIGFOO"), -1);
	assert_int_equal(scry_signal_lookup("SIG"), -1);
	assert_int_equal(scry_signal_lookup(""), -1);
	assert_int_equal(scry_signal_lookup(NULL), -1);
	assert_int_equal(scry_signal_lookup("A_VERY_LONG_NAME_THAT_IS_NOT_A_SIGNAL_AT_ALL"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_x86_64),
		cmocka_unit_test(test_numbers_aarch64),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_native),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_class_lookup),
		cmocka_unit_test(test_numbers_i386),
		cmocka_unit_test(test_compat_nr),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_signal_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
