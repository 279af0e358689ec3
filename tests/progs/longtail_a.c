/*
 * longtail_a: the calls of issue 21's long tail (part A) that had no
 * decoder, each made once or twice by syscall(2) with known arguments so
 * that the C library's choice of call does not matter: extended
 * attributes, fallocate, sync_file_range, the splice family, mknod,
 * capabilities, priorities, personality, getcpu, times, getrusage, kcmp,
 * membarrier, process_vm_readv/writev, mount and namespace calls.
 * tests/e2e/test_longtail.py compares scry's line for each with strace's.
 *
 * It works in a fresh directory under /tmp (named like mktemp's, which
 * bench/fidelity normalises) and removes it.  Calls that need privileges
 * are made so that they fail or change only this process (a mount on a
 * path that does not exist, unshare of the UTS namespace).
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/falloc.h>

#ifndef SPLICE_F_NONBLOCK
#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#endif

int main(void)
{
	char dir[] = "/tmp/tmp.XXXXXXXXXX";
	char val[64], list[256];
	int fd, p1[2], p2[2];

	if (!mkdtemp(dir) || chdir(dir))
		return 1;
	fd = open("f", O_RDWR | O_CREAT, 0600);
	if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16)
		return 1;

	/* extended attributes */
	syscall(SYS_setxattr, "f", "user.a", "va", 2, 0);
	syscall(SYS_lsetxattr, "f", "user.b", "value\001b", 7, 1 /* XATTR_CREATE */);
	syscall(SYS_fsetxattr, fd, "user.a", "xx", 2, 2 /* XATTR_REPLACE */);
	syscall(SYS_setxattr, "f", "user.c", "c", 1, 8);
	syscall(SYS_getxattr, "f", "user.a", val, sizeof(val));
	syscall(SYS_lgetxattr, "f", "user.b", val, 0);
	syscall(SYS_fgetxattr, fd, "user.nope", val, sizeof(val));
	syscall(SYS_listxattr, "f", list, sizeof(list));
	syscall(SYS_llistxattr, "f", NULL, 0);
	syscall(SYS_flistxattr, fd, list, 3);
	syscall(SYS_removexattr, "f", "user.a");
	syscall(SYS_lremovexattr, "f", "user.nope");
	syscall(SYS_fremovexattr, fd, "user.b");

	/* fallocate, sync_file_range */
	syscall(SYS_fallocate, fd, 0, 0L, 8192L);
	syscall(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 4096L, 4096L);
	syscall(SYS_fallocate, fd, 0x100, 0L, 1L);
	syscall(SYS_sync_file_range, fd, 0L, 0L, 7);
	syscall(SYS_sync_file_range, fd, 4096L, 100L, 2);

	/* the splice family */
	if (pipe(p1) || pipe(p2))
		return 1;
	struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
	syscall(SYS_vmsplice, p1[1], iov, 2, SPLICE_F_NONBLOCK);
	syscall(SYS_tee, p1[0], p2[1], 5, SPLICE_F_NONBLOCK);
	loff_t off = 2;
	syscall(SYS_splice, fd, &off, p2[1], NULL, 4, SPLICE_F_MOVE | SPLICE_F_MORE);
	syscall(SYS_tee, p1[0], p2[1], 1, 0x40);

	/* mknod */
	syscall(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0600, 0);
	syscall(SYS_mknodat, AT_FDCWD, "chr", S_IFCHR | 0640, makedev(1, 3));
	syscall(SYS_mknodat, fd, "reg", S_IFREG | 0644, 0);
#ifdef SYS_mknod
	syscall(SYS_mknod, "blk", S_IFBLK | 0600, makedev(7, 0));
	syscall(SYS_mknod, "fifo", S_IFIFO | 0600, 0);
#endif

	/* capabilities */
	struct __user_cap_header_struct ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct cd[2];
	syscall(SYS_capget, &ch, cd);
	syscall(SYS_capset, &ch, cd);
	ch.version = 0;
	syscall(SYS_capget, &ch, NULL);

	/* priorities, personality */
	syscall(SYS_getpriority, PRIO_PROCESS, 0);
	syscall(SYS_setpriority, PRIO_PROCESS, 0, 0);
	syscall(SYS_getpriority, PRIO_USER, 0);
	syscall(SYS_getpriority, 9, 0);
	syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4 /* BE, 4 */);
	syscall(SYS_ioprio_get, 3 /* IOPRIO_WHO_USER */, 0);
	syscall(SYS_personality, 0xffffffff);
	syscall(SYS_personality, 0 /* PER_LINUX */);

	/* getcpu, times, getrusage */
	unsigned cpu, node;
	struct tms tm;
	struct rusage ru;
	syscall(SYS_getcpu, &cpu, &node, NULL);
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	syscall(SYS_times, &tm);
	syscall(SYS_times, NULL);
	syscall(SYS_getrusage, RUSAGE_SELF, &ru);
	syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru);
	syscall(SYS_getrusage, 5, &ru);

	/* kcmp, membarrier, process_vm_readv/writev */
	syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, fd, fd);
	syscall(SYS_kcmp, getpid(), getpid(), 1 /* KCMP_VM */, 0, 0);
	syscall(SYS_kcmp, getpid(), getpid(), 9, 0, 0);
	syscall(SYS_membarrier, 0 /* MEMBARRIER_CMD_QUERY */, 0, 0);
	syscall(SYS_membarrier, 1 << 3 /* REGISTER_PRIVATE_EXPEDITED */, 0, 0);
	syscall(SYS_membarrier, 1 << 12, 0, 0);
	char src[8] = "remote!", dst[8];
	struct iovec lv = { dst, sizeof(dst) }, rv = { src, sizeof(src) };
	syscall(SYS_process_vm_readv, getpid(), &lv, 1, &rv, 1, 0);
	syscall(SYS_process_vm_writev, getpid(), &rv, 1, &lv, 1, 0);

	/* mount and namespaces: fail, or change this process only */
	syscall(SYS_mount, "none", "/nonexistent-scry", "tmpfs", MS_NOSUID | MS_NODEV | MS_RDONLY, "size=1m");
	syscall(SYS_mount, NULL, "/nonexistent-scry", NULL, MS_REMOUNT | MS_BIND, NULL);
	syscall(SYS_umount2, "/nonexistent-scry", MNT_DETACH | UMOUNT_NOFOLLOW);
	syscall(SYS_pivot_root, "/nonexistent-a", "/nonexistent-b");
	syscall(SYS_unshare, CLONE_NEWUTS);
	syscall(SYS_unshare, CLONE_FILES | CLONE_FS);
	int ns = open("/proc/self/ns/uts", O_RDONLY);
	syscall(SYS_setns, ns, CLONE_NEWUTS);
	syscall(SYS_setns, ns, 0);
	close(ns);

	/* affinity, limits of another process */
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	syscall(SYS_sched_setaffinity, 0, sizeof(set), &set);
	struct rlimit rl;
	syscall(SYS_prlimit64, getppid(), RLIMIT_NOFILE, NULL, &rl);

	close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
	close(fd);
	unlink("f"); unlink("fifo"); unlink("chr"); unlink("reg"); unlink("blk");
	if (chdir("/") || rmdir(dir))
		return 1;
	return 0;
}
