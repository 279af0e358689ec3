/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What syscount.bpf.c and systrace.bpf.c share about process ids.
 *
 * scry may run in a pid namespace (a container): then the programs see the
 * host's process ids, and user space knows its targets by the namespace's.
 * User space sets ns_dev/ns_ino (0: the initial namespace, nothing to do)
 * and puts its targets in ns_pending by the namespace's tgid; a target's
 * first event in the kernel (a call, its fork, its exec: the current task)
 * moves it into traced_pids under the host's tgid.  Records and rows carry
 * the namespace's ids.
 *
 * The including file defines, before including this: the traced_pids map
 * (u32 host tgid -> u8 state), SCRY_PIDNS_MAX_PIDS, and
 * scry_pidns_lost(), which counts an update that found a map full.
 */
#ifndef SCRY_PIDNS_BPF_H
#define SCRY_PIDNS_BPF_H

const volatile __u64 ns_dev = 0;
const volatile __u64 ns_ino = 0;	/* 0: the initial pid namespace */

/* tgid in scry's pid namespace -> state, until the process is seen here */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SCRY_PIDNS_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} ns_pending SEC(".maps");

/*
 * The state of the current process, whose host tgid is tgid: its entry in
 * traced_pids, or in a pid namespace the one user space made for it in
 * ns_pending, moved over now.  NULL: not traced.
 */
static __always_inline __u8 *cur_state(__u32 tgid)
{
	__u8 *state = bpf_map_lookup_elem(&traced_pids, &tgid);
	struct bpf_pidns_info ni = {};
	__u8 *pending, v;

	if (state || !ns_ino)
		return state;
	if (bpf_get_ns_current_pid_tgid(ns_dev, ns_ino, &ni, sizeof(ni)))
		return NULL;	/* not in scry's namespace: not scry's */
	pending = bpf_map_lookup_elem(&ns_pending, &ni.tgid);
	if (!pending)
		return NULL;
	v = *pending;
	if (bpf_map_update_elem(&traced_pids, &tgid, &v, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&traced_pids, &tgid)) {
		scry_pidns_lost();
		return NULL;
	}
	bpf_map_delete_elem(&ns_pending, &ni.tgid);
	return bpf_map_lookup_elem(&traced_pids, &tgid);
}

/* The current task's ids as scry knows them (0 outside its namespace). */
static __always_inline void cur_ids(__u32 *tgid, __u32 *tid)
{
	struct bpf_pidns_info ni = {};
	__u64 id = bpf_get_current_pid_tgid();

	*tgid = id >> 32;
	*tid = (__u32)id;
	if (ns_ino) {
		if (bpf_get_ns_current_pid_tgid(ns_dev, ns_ino, &ni, sizeof(ni)))
			ni.tgid = ni.pid = 0;
		*tgid = ni.tgid;
		*tid = ni.pid;
	}
}

/* Task t's id (thread id) in scry's pid namespace, 0 if it has none. */
static __always_inline __u32 ns_nr(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);

	for (unsigned int i = 0; i < 8; i++) {
		struct upid u = {};

		if (i > level)
			break;
		if (bpf_probe_read_kernel(&u, sizeof(u), (const char *)p +
					  bpf_core_field_offset(struct pid, numbers) +
					  i * bpf_core_type_size(struct upid)))
			break;
		if (BPF_CORE_READ(u.ns, ns.inum) == ns_ino)
			return (__u32)u.nr;
	}
	return 0;
}

/* Any task's ids as scry knows them. */
static __always_inline void task_ids(struct task_struct *t, __u32 *tgid, __u32 *tid)
{
	if (!ns_ino) {
		*tgid = BPF_CORE_READ(t, tgid);
		*tid = BPF_CORE_READ(t, pid);
		return;
	}
	*tid = ns_nr(t);
	*tgid = ns_nr(BPF_CORE_READ(t, group_leader));
}

#endif /* SCRY_PIDNS_BPF_H */
