/*
 * What the two bpf front ends (bpf_backend.c: counting, bpf_trace.c:
 * tracing) share: reasons, the privilege and BTF checks, pidfds, and the
 * capture of libbpf's messages.
 */
#ifndef SCRY_BPF_COMMON_H
#define SCRY_BPF_COMMON_H

#include <stddef.h>
#include <sys/types.h>

#define BPF_BTF_PATH "/sys/kernel/btf/vmlinux"

/* Writes a reason into why (NULL or 0-sized: nothing). */
void bpf_set_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* 0 when we may load programs (root, or CAP_BPF and CAP_PERFMON) and the
 * kernel has BTF; else -EPERM/-ENOENT/-EACCES and the reason. */
int bpf_check_env(char *why, size_t len);

/* pidfd_open(2), or -1 and errno. */
int bpf_pidfd_open(pid_t pid);

/* Puts tgid pid in a traced-processes map (u32 -> u8 state): 0, -ENOSPC
 * when the map is full, or -errno. */
int bpf_map_set_pid(int map_fd, pid_t pid, unsigned char state);

/*
 * libbpf prints to stderr by default; a library must not.  Between
 * bpf_capture_start() and bpf_capture_end() its messages are kept instead,
 * and bpf_captured() gives the first warning ("" if none), to be part of
 * the reason we return.  libbpf's print hook is process-wide: this is the
 * one piece of global state, per thread.
 */
void bpf_capture_start(void);
void bpf_capture_end(void);
const char *bpf_captured(void);

#endif
