/*
 * What every format reads about a process from /proc, and signal names
 * (output/procinfo.h).
 */
#include "output/procinfo.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "syscalls/syscalls.h"

const char *sig_name(int sig, char *buf)
{
	const char *n = scry_signal_name(sig);
	if (n)
		return n;
	snprintf(buf, 16, "SIG%d", sig);
	return buf;
}

static void read_small(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
}

void proc_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	if (tid && tid != pid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	read_small(path, buf, len);
}

void proc_exe(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
}
