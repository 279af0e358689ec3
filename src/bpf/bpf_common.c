#include "bpf/bpf_common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void bpf_set_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

int bpf_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

#ifdef SCRY_NO_BPF

int bpf_map_set_pid(int map_fd, pid_t pid, unsigned char state)
{
	return -ENOTSUP;
}

int bpf_check_env(char *why, size_t len)
{
	bpf_set_why(why, len, "scry was built without bpf support");
	return -ENOTSUP;
}

void bpf_capture_start(void) { }
void bpf_capture_end(void) { }
const char *bpf_captured(void) { return ""; }

#else

#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int bpf_map_set_pid(int map_fd, pid_t pid, unsigned char state)
{
	uint32_t tgid = (uint32_t)pid;

	if (bpf_map_update_elem(map_fd, &tgid, &state, BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return 0;
}

static int have_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint64_t eff;

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	eff = (uint64_t)data[1].effective << 32 | data[0].effective;
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
	if (eff & (1ULL << CAP_SYS_ADMIN))
		return 1;
	return (eff & (1ULL << CAP_BPF)) && (eff & (1ULL << CAP_PERFMON));
}

int bpf_check_env(char *why, size_t len)
{
	if (!have_caps()) {
		bpf_set_why(why, len, "needs root or CAP_BPF and CAP_PERFMON");
		return -EPERM;
	}
	if (access(BPF_BTF_PATH, R_OK)) {
		int err = errno;

		bpf_set_why(why, len, "no BTF at " BPF_BTF_PATH " (%s): the kernel needs CONFIG_DEBUG_INFO_BTF",
			    strerror(err));
		return -(err == EACCES ? EACCES : ENOENT);
	}
	return 0;
}

static __thread char libbpf_msg[256];
static __thread libbpf_print_fn_t old_print;

static int capture_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (n && !libbpf_msg[0])
		memcpy(libbpf_msg, line, n + 1);
	return 0;
}

void bpf_capture_start(void)
{
	libbpf_msg[0] = '\0';
	old_print = libbpf_set_print(capture_print);
}

void bpf_capture_end(void)
{
	libbpf_set_print(old_print);
}

const char *bpf_captured(void)
{
	return libbpf_msg;
}

#endif
