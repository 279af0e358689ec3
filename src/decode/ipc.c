/*
 * Decoders of the IPC family: SysV shared memory, semaphores and message
 * queues (shmget ... msgctl) and POSIX message queues (mq_open ...), as
 * strace prints them (its ipc_shm.c, ipc_shmctl.c, ipc_sem.c,
 * ipc_semctl.c, ipc_msg.c, ipc_msgctl.c, print_msgbuf.c, mq.c,
 * print_mq_attr.c, print_sigevent.c).  tests/progs/longtail_b.c makes each
 * call; tests/e2e/test_longtail_b.py compares the lines with strace's.
 *
 * The structs are the kernel's 64-bit ones (linux/shm.h, sem.h, msg.h),
 * which are what the direct syscalls of x86_64 and aarch64 take.
 */
#include "decode/decode.h"

#include <fcntl.h>
#include <linux/ipc.h>
#include <linux/mqueue.h>
#include <linux/msg.h>
#include <linux/sem.h>
#include <linux/shm.h>
#include <signal.h>

extern const struct scry_xlat xlat_open_flags[];
extern const struct scry_xlat dec_xlat_signals[];

#define K_IPC_64 0x100
#define K_SHM_HUGE_SHIFT 26
#define K_SHM_HUGE_MASK 0x3fu

/* Tables as strace's xlat/{ipc_private,resource_flags,shm_resource_flags,
 * shm_flags,shmctl_flags,semctl_flags,msgctl_flags,ipc_msg_flags,
 * semop_flags,mq_attr_flags,sigev_value}.in, from the kernel's UAPI values. */
static const struct scry_xlat xlat_ipc_private[] = {
	{ 0, "IPC_PRIVATE" }, XLAT_END,
};
static const struct scry_xlat xlat_resource_flags[] = {
	{ 01000, "IPC_CREAT" }, { 02000, "IPC_EXCL" }, { 04000, "IPC_NOWAIT" }, XLAT_END,
};
static const struct scry_xlat xlat_shm_resource_flags[] = {
	{ 01000, "IPC_CREAT" }, { 02000, "IPC_EXCL" },
	{ 04000, "SHM_HUGETLB" }, { 010000, "SHM_NORESERVE" }, XLAT_END,
};
static const struct scry_xlat xlat_shm_flags[] = {
	{ 010000, "SHM_RDONLY" }, { 020000, "SHM_RND" },
	{ 040000, "SHM_REMAP" }, { 0100000, "SHM_EXEC" }, XLAT_END,
};
static const struct scry_xlat xlat_shmctl[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "SHM_LOCK" }, { 12, "SHM_UNLOCK" }, { 13, "SHM_STAT" },
	{ 14, "SHM_INFO" }, { 15, "SHM_STAT_ANY" }, XLAT_END,
};
static const struct scry_xlat xlat_semctl[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "GETPID" }, { 12, "GETVAL" }, { 13, "GETALL" }, { 14, "GETNCNT" },
	{ 15, "GETZCNT" }, { 16, "SETVAL" }, { 17, "SETALL" }, { 18, "SEM_STAT" },
	{ 19, "SEM_INFO" }, { 20, "SEM_STAT_ANY" }, XLAT_END,
};
static const struct scry_xlat xlat_msgctl[] = {
	{ 0, "IPC_RMID" }, { 1, "IPC_SET" }, { 2, "IPC_STAT" }, { 3, "IPC_INFO" },
	{ 11, "MSG_STAT" }, { 12, "MSG_INFO" }, { 13, "MSG_STAT_ANY" }, XLAT_END,
};
static const struct scry_xlat xlat_ipc_msg_flags[] = {
	{ 010000, "MSG_NOERROR" }, { 020000, "MSG_EXCEPT" },
	{ 040000, "MSG_COPY" }, { 04000, "IPC_NOWAIT" }, XLAT_END,
};
static const struct scry_xlat xlat_semop_flags[] = {
	{ 0x1000, "SEM_UNDO" }, { 04000, "IPC_NOWAIT" }, XLAT_END,
};
static const struct scry_xlat xlat_mq_attr_flags[] = {
	XLAT(O_NONBLOCK), XLAT_END,
};
static const struct scry_xlat xlat_sigev_notify[] = {
	{ 0, "SIGEV_SIGNAL" }, { 1, "SIGEV_NONE" }, { 2, "SIGEV_THREAD" },
	{ 4, "SIGEV_THREAD_ID" }, XLAT_END,
};
static const struct scry_xlat xlat_ipc_64[] = { { K_IPC_64, "IPC_64" }, XLAT_END };

/* Shared with mem.c. */
void dec_flags_q(struct dctx *d, const char *name, uint64_t bits, const struct scry_xlat *x,
		 const char *zero, const char *unknown);
void dec_enum_q(struct dctx *d, const char *name, int64_t val, const struct scry_xlat *x,
		const char *unknown);

/* A key: IPC_PRIVATE or its number in hex. */
static void ipc_key(struct dctx *d, uint32_t key)
{
	v_enum(d, "key", key, xlat_ipc_private);
	v_last(d)->fmt = 1;
}

/* "IPC_CREAT|IPC_EXCL|0600": the flag bits, then the permissions; strace
 * leaves out the flags when none is set ("0600"). */
static void ipc_get_flags(struct dctx *d, const char *name, uint32_t flg)
{
	uint32_t bits = flg & ~0777u;
	if (!bits) {
		v_oct(d, name, flg & 0777);
		return;
	}
	size_t o = v_or_begin(d, name, flg);
	v_flags(d, NULL, bits, xlat_resource_flags, NULL);
	v_oct(d, "perm", flg & 0777);
	v_end(d, o);
}

/* A ctl command, "IPC_64|IPC_STAT" when the old-ABI bit is set. */
static unsigned ipc_cmd(struct dctx *d, uint32_t cmd, const struct scry_xlat *x, const char *unknown)
{
	if (cmd & K_IPC_64) {
		size_t o = v_or_begin(d, "cmd", cmd);
		v_flags(d, NULL, K_IPC_64, xlat_ipc_64, NULL);
		dec_enum_q(d, NULL, cmd & ~K_IPC_64, x, unknown);
		v_end(d, o);
	} else {
		dec_enum_q(d, "cmd", cmd, x, unknown);
	}
	return cmd & ~K_IPC_64;
}

/* An id the kernel shows as -1 when unset; otherwise unsigned. */
static void ipc_id(struct dctx *d, const char *name, uint32_t id)
{
	if (id == (uint32_t)-1)
		v_int(d, name, -1);
	else
		v_uint(d, name, id);
}

static void ipc_perm(struct dctx *d, const char *name, const struct ipc64_perm *p, unsigned cmd)
{
	size_t s = v_struct_begin(d, name);
	ipc_id(d, "uid", p->uid);
	ipc_id(d, "gid", p->gid);
	v_oct(d, "mode", p->mode);
	if (cmd != IPC_SET) {
		v_uint(d, "key", (uint32_t)p->key);
		ipc_id(d, "cuid", p->cuid);
		ipc_id(d, "cgid", p->cgid);
	}
	v_end(d, s);
}

/* ---- shared memory ---- */

static int dec_shmget(struct dctx *d)
{
	ipc_key(d, (uint32_t)d->args[0]);
	v_uint(d, "size", d->args[1]);
	uint32_t flg = (uint32_t)d->args[2];
	uint32_t bits = flg & ~0777u;
	uint32_t huge = bits & (K_SHM_HUGE_MASK << K_SHM_HUGE_SHIFT);
	bits &= ~huge;
	/* strace: "IPC_CREAT|0600", "0600" with no flag, "21<<SHM_HUGE_SHIFT|0600" */
	if (!bits && !huge) {
		v_oct(d, "shmflg", flg & 0777);
		return DEC_DONE;
	}
	size_t o = v_or_begin(d, "shmflg", flg);
	if (bits)
		v_flags(d, NULL, bits, xlat_shm_resource_flags, NULL);
	if (huge) {
		v_uint(d, "SHM_HUGE_SHIFT", huge >> K_SHM_HUGE_SHIFT);
		v_last(d)->fmt = SCRY_FMT_SHIFT;
	}
	v_oct(d, "perm", flg & 0777);
	v_end(d, o);
	return DEC_DONE;
}

static int dec_shmat(struct dctx *d)
{
	v_int(d, "shmid", (int)d->args[0]);
	v_ptr(d, "shmaddr", d->args[1]);
	dec_flags_q(d, "shmflg", (uint32_t)d->args[2], xlat_shm_flags, NULL, "SHM_???");
	d->rfmt = R_HEX;
	return DEC_DONE;
}

static int dec_shmdt(struct dctx *d)
{
	v_ptr(d, "shmaddr", d->args[0]);
	return DEC_DONE;
}

static void shmid_ds(struct dctx *d, uint64_t addr, unsigned cmd)
{
	struct shmid64_ds ds;
	if (v_fetch(d, "buf", addr, &ds, sizeof(ds)) < 0)
		return;
	size_t s = v_struct_begin(d, "buf");
	ipc_perm(d, "shm_perm", &ds.shm_perm, cmd);
	if (cmd != IPC_SET) {
		v_uint(d, "shm_segsz", ds.shm_segsz);
		v_int(d, "shm_cpid", ds.shm_cpid);
		v_int(d, "shm_lpid", ds.shm_lpid);
		v_uint(d, "shm_nattch", ds.shm_nattch);
		v_uint(d, "shm_atime", (uint64_t)ds.shm_atime);
		v_uint(d, "shm_dtime", (uint64_t)ds.shm_dtime);
		v_uint(d, "shm_ctime", (uint64_t)ds.shm_ctime);
	}
	v_end(d, s);
}

static void shm_info_structs(struct dctx *d, uint64_t addr, unsigned cmd)
{
	if (cmd == IPC_INFO) {
		struct shminfo64 in;
		if (v_fetch(d, "buf", addr, &in, sizeof(in)) < 0)
			return;
		size_t s = v_struct_begin(d, "buf");
		v_uint(d, "shmmax", in.shmmax);
		v_uint(d, "shmmin", in.shmmin);
		v_uint(d, "shmmni", in.shmmni);
		v_uint(d, "shmseg", in.shmseg);
		v_uint(d, "shmall", in.shmall);
		v_end(d, s);
		return;
	}
	struct shm_info in;
	if (v_fetch(d, "buf", addr, &in, sizeof(in)) < 0)
		return;
	size_t s = v_struct_begin(d, "buf");
	v_int(d, "used_ids", in.used_ids);
	v_uint(d, "shm_tot", in.shm_tot);
	v_uint(d, "shm_rss", in.shm_rss);
	v_uint(d, "shm_swp", in.shm_swp);
	v_uint(d, "swap_attempts", in.swap_attempts);
	v_uint(d, "swap_successes", in.swap_successes);
	v_end(d, s);
}

/* shmctl(id, cmd, buf): IPC_SET's struct at entry, the ones the kernel
 * fills at exit, others as an address. */
static int dec_shmctl(struct dctx *d)
{
	uint32_t raw = (uint32_t)d->args[1];
	unsigned cmd = raw & ~K_IPC_64;
	uint64_t buf = d->args[2];
	if (d->exiting) {
		if (cmd == IPC_INFO || cmd == SHM_INFO)
			shm_info_structs(d, buf, cmd);
		else
			shmid_ds(d, buf, cmd);
		return DEC_DONE;
	}
	v_int(d, "shmid", (int)d->args[0]);
	ipc_cmd(d, raw, xlat_shmctl, "SHM_???");
	switch (cmd) {
	case IPC_SET:
		shmid_ds(d, buf, cmd);
		return DEC_DONE;
	case IPC_STAT: case SHM_STAT: case SHM_STAT_ANY: case IPC_INFO: case SHM_INFO:
		return DEC_MORE;
	default:
		v_ptr(d, "buf", buf);
		return DEC_DONE;
	}
}

/* ---- semaphores ---- */

static int dec_semget(struct dctx *d)
{
	ipc_key(d, (uint32_t)d->args[0]);
	v_int(d, "nsems", (int)d->args[1]);
	ipc_get_flags(d, "semflg", (uint32_t)d->args[2]);
	return DEC_DONE;
}

/* [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO}, ...], at most -s of them. */
static void sembuf_array(struct dctx *d, uint64_t addr, uint64_t n)
{
	struct sembuf sb[64];
	uint64_t show = n;
	if (!addr || !n) {
		if (!addr)
			v_ptr(d, "sops", 0);
		else {
			size_t a = v_array_begin(d, "sops");
			v_end(d, a);
		}
		return;
	}
	if (show > (uint64_t)d->limit)
		show = (uint64_t)d->limit;
	if (show > sizeof(sb) / sizeof(sb[0]))
		show = sizeof(sb) / sizeof(sb[0]);
	if (d_read_exact(d, addr, sb, (size_t)show * sizeof(sb[0])) < 0) {
		v_unread(d, "sops", addr);
		return;
	}
	size_t a = v_array_begin(d, "sops");
	for (uint64_t i = 0; i < show; i++) {
		size_t s = v_struct_begin(d, NULL);
		v_uint(d, "sem_num", sb[i].sem_num);
		v_int(d, "sem_op", sb[i].sem_op);
		dec_flags_q(d, "sem_flg", (uint16_t)sb[i].sem_flg, xlat_semop_flags, NULL, "SEM_???");
		v_end(d, s);
	}
	v_end(d, a);
	if (show < n)
		d->out->v[a].flags |= SCRY_VF_TRUNC;
}

static int dec_semop(struct dctx *d)
{
	v_int(d, "semid", (int)d->args[0]);
	sembuf_array(d, d->args[1], d->args[2]);
	v_uint(d, "nsops", d->args[2]);
	return DEC_DONE;
}

static int dec_semtimedop(struct dctx *d)
{
	dec_semop(d);
	v_timespec(d, "timeout", d->args[3]);
	return DEC_DONE;
}

static void semid_ds(struct dctx *d, uint64_t addr, unsigned cmd)
{
	struct semid64_ds ds;
	if (v_fetch(d, "arg", addr, &ds, sizeof(ds)) < 0)
		return;
	size_t s = v_struct_begin(d, "arg");
	ipc_perm(d, "sem_perm", &ds.sem_perm, cmd);
	if (cmd != IPC_SET) {
		v_uint(d, "sem_otime", (uint64_t)ds.sem_otime);
		v_uint(d, "sem_ctime", (uint64_t)ds.sem_ctime);
		v_uint(d, "sem_nsems", ds.sem_nsems);
	}
	v_end(d, s);
}

static void seminfo_struct(struct dctx *d, uint64_t addr)
{
	struct seminfo in;
	if (v_fetch(d, "arg", addr, &in, sizeof(in)) < 0)
		return;
	size_t s = v_struct_begin(d, "arg");
	v_int(d, "semmap", in.semmap);
	v_int(d, "semmni", in.semmni);
	v_int(d, "semmns", in.semmns);
	v_int(d, "semmnu", in.semmnu);
	v_int(d, "semmsl", in.semmsl);
	v_int(d, "semopm", in.semopm);
	v_int(d, "semume", in.semume);
	v_int(d, "semusz", in.semusz);
	v_int(d, "semvmx", in.semvmx);
	v_int(d, "semaem", in.semaem);
	v_end(d, s);
}

/* semctl(id, num, cmd, arg): arg is a union; strace shows the structs it
 * points to for the commands that have one, else the word as an address
 * (SETVAL's value as 0x3). */
static int dec_semctl(struct dctx *d)
{
	uint32_t raw = (uint32_t)d->args[2];
	unsigned cmd = raw & ~K_IPC_64;
	uint64_t arg = d->args[3];
	if (d->exiting) {
		if (cmd == IPC_INFO || cmd == SEM_INFO)
			seminfo_struct(d, arg);
		else
			semid_ds(d, arg, cmd);
		return DEC_DONE;
	}
	v_int(d, "semid", (int)d->args[0]);
	v_int(d, "semnum", (int)d->args[1]);
	ipc_cmd(d, raw, xlat_semctl, "SEM_???");
	switch (cmd) {
	case IPC_SET:
		semid_ds(d, arg, cmd);
		return DEC_DONE;
	case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY: case IPC_INFO: case SEM_INFO:
		return DEC_MORE;
	default:
		v_ptr(d, "arg", arg);
		return DEC_DONE;
	}
}

/* ---- message queues ---- */

static int dec_msgget(struct dctx *d)
{
	ipc_key(d, (uint32_t)d->args[0]);
	ipc_get_flags(d, "msgflg", (uint32_t)d->args[1]);
	return DEC_DONE;
}

/* {mtype=7, mtext="hello"}: count bytes of text after the type. */
static void msgbuf_at(struct dctx *d, uint64_t addr, uint64_t count)
{
	int64_t mtype;
	if (v_fetch(d, "msgp", addr, &mtype, sizeof(mtype)) < 0)
		return;
	size_t s = v_struct_begin(d, "msgp");
	v_int(d, "mtype", mtype);
	v_buf(d, "mtext", addr + sizeof(mtype), (int64_t)count);
	v_end(d, s);
}

static int dec_msgsnd(struct dctx *d)
{
	v_int(d, "msqid", (int)d->args[0]);
	msgbuf_at(d, d->args[1], d->args[2]);
	v_uint(d, "msgsz", d->args[2]);
	dec_flags_q(d, "msgflg", (uint32_t)d->args[3], xlat_ipc_msg_flags, NULL, "MSG_???");
	return DEC_DONE;
}

/* msgrcv: everything but the id at exit, as strace does; the buffer as an
 * address when the call failed. */
static int dec_msgrcv(struct dctx *d)
{
	if (!d->exiting) {
		v_int(d, "msqid", (int)d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "msgp", d->args[1]);
	else
		msgbuf_at(d, d->args[1], d->args[2]);
	v_uint(d, "msgsz", d->args[2]);
	v_int(d, "msgtyp", (int64_t)d->args[3]);
	dec_flags_q(d, "msgflg", (uint32_t)d->args[4], xlat_ipc_msg_flags, NULL, "MSG_???");
	return DEC_DONE;
}

static void msqid_ds(struct dctx *d, uint64_t addr, unsigned cmd)
{
	struct msqid64_ds ds;
	if (v_fetch(d, "buf", addr, &ds, sizeof(ds)) < 0)
		return;
	size_t s = v_struct_begin(d, "buf");
	ipc_perm(d, "msg_perm", &ds.msg_perm, cmd);
	if (cmd != IPC_SET) {
		v_uint(d, "msg_stime", (uint64_t)ds.msg_stime);
		v_uint(d, "msg_rtime", (uint64_t)ds.msg_rtime);
		v_uint(d, "msg_ctime", (uint64_t)ds.msg_ctime);
		v_uint(d, "msg_qnum", ds.msg_qnum);
	}
	v_uint(d, "msg_qbytes", ds.msg_qbytes);
	if (cmd != IPC_SET) {
		v_int(d, "msg_lspid", ds.msg_lspid);
		v_int(d, "msg_lrpid", ds.msg_lrpid);
	}
	v_end(d, s);
}

static void msginfo_struct(struct dctx *d, uint64_t addr)
{
	struct msginfo in;
	if (v_fetch(d, "buf", addr, &in, sizeof(in)) < 0)
		return;
	size_t s = v_struct_begin(d, "buf");
	v_int(d, "msgpool", in.msgpool);
	v_int(d, "msgmap", in.msgmap);
	v_int(d, "msgmax", in.msgmax);
	v_int(d, "msgmnb", in.msgmnb);
	v_int(d, "msgmni", in.msgmni);
	v_int(d, "msgssz", in.msgssz);
	v_int(d, "msgtql", in.msgtql);
	v_uint(d, "msgseg", in.msgseg);
	v_end(d, s);
}

static int dec_msgctl(struct dctx *d)
{
	uint32_t raw = (uint32_t)d->args[1];
	unsigned cmd = raw & ~K_IPC_64;
	uint64_t buf = d->args[2];
	if (d->exiting) {
		if (cmd == IPC_INFO || cmd == MSG_INFO)
			msginfo_struct(d, buf);
		else
			msqid_ds(d, buf, cmd);
		return DEC_DONE;
	}
	v_int(d, "msqid", (int)d->args[0]);
	ipc_cmd(d, raw, xlat_msgctl, "MSG_???");
	switch (cmd) {
	case IPC_SET:
		msqid_ds(d, buf, cmd);
		return DEC_DONE;
	case IPC_STAT: case MSG_STAT: case MSG_STAT_ANY: case IPC_INFO: case MSG_INFO:
		return DEC_MORE;
	default:
		v_ptr(d, "buf", buf);
		return DEC_DONE;
	}
}

/* ---- POSIX message queues ---- */

/* {mq_flags=0, mq_maxmsg=4, mq_msgsize=32, mq_curmsgs=0}; mq_open shows
 * the flags as a number, mq_getsetattr by name. */
static void mq_attr_at(struct dctx *d, const char *name, uint64_t addr, int named_flags)
{
	struct mq_attr a;
	if (v_fetch(d, name, addr, &a, sizeof(a)) < 0)
		return;
	size_t s = v_struct_begin(d, name);
	if (named_flags)
		dec_flags_q(d, "mq_flags", (uint64_t)a.mq_flags, xlat_mq_attr_flags, NULL, "O_???");
	else
		v_hex(d, "mq_flags", (uint64_t)a.mq_flags);
	v_int(d, "mq_maxmsg", a.mq_maxmsg);
	v_int(d, "mq_msgsize", a.mq_msgsize);
	v_int(d, "mq_curmsgs", a.mq_curmsgs);
	v_end(d, s);
}

static int dec_mq_open(struct dctx *d)
{
	v_path(d, "name", d->args[0]);
	v_flags(d, "oflag", (uint32_t)d->args[1], xlat_open_flags, "O_RDONLY");
	v_last(d)->fmt = O_ACCMODE;
	if (d->args[1] & O_CREAT) {
		v_oct(d, "mode", (uint32_t)d->args[2]);
		mq_attr_at(d, "attr", d->args[3], 0);
	}
	d->rfmt = R_FD;
	return DEC_DONE;
}

/* mq_unlink(name): a path to strace (its chdir decoder), never cut at -s;
 * the generic decoder cut it as a plain string. */
static int dec_mq_unlink(struct dctx *d)
{
	v_path(d, "name", d->args[0]);
	return DEC_DONE;
}

static int dec_mq_timedsend(struct dctx *d)
{
	v_fd(d, "mqdes", (int)d->args[0]);
	v_buf(d, "msg_ptr", d->args[1], (int64_t)d->args[2]);
	v_uint(d, "msg_len", d->args[2]);
	v_uint(d, "msg_prio", (uint32_t)d->args[3]);
	v_timespec(d, "abs_timeout", d->args[4]);
	return DEC_DONE;
}

static int dec_mq_timedreceive(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "mqdes", (int)d->args[0]);
		return DEC_MORE;
	}
	if (d->failed)
		v_ptr(d, "msg_ptr", d->args[1]);
	else
		v_buf(d, "msg_ptr", d->args[1], d->ret);
	v_uint(d, "msg_len", d->args[2]);
	/* the priority the kernel wrote: [3] */
	uint64_t pa = d->args[3];
	uint32_t prio;
	if (d->failed && pa)
		v_ptr(d, "msg_prio", pa);
	else if (v_fetch(d, "msg_prio", pa, &prio, sizeof(prio)) == 0) {
		size_t a = v_array_begin(d, "msg_prio");
		v_uint(d, NULL, prio);
		v_end(d, a);
	}
	/* read by the kernel at entry: shown whether or not the call failed */
	v_timespec(d, "abs_timeout", d->args[4]);
	return DEC_DONE;
}

static int dec_mq_notify(struct dctx *d)
{
	v_fd(d, "mqdes", (int)d->args[0]);
	struct sigevent sev;
	if (v_fetch(d, "sevp", d->args[1], &sev, sizeof(sev)) < 0)
		return DEC_DONE;
	size_t s = v_struct_begin(d, "sevp");
	if (sev.sigev_value.sival_ptr) {
		size_t u = v_struct_begin(d, "sigev_value");
		v_int(d, "sival_int", sev.sigev_value.sival_int);
		v_ptr(d, "sival_ptr", (uint64_t)(uintptr_t)sev.sigev_value.sival_ptr);
		v_end(d, u);
	}
	if (sev.sigev_notify == SIGEV_SIGNAL || sev.sigev_notify == SIGEV_THREAD ||
	    sev.sigev_notify == SIGEV_THREAD_ID)
		v_enum(d, "sigev_signo", sev.sigev_signo, dec_xlat_signals);
	else
		v_uint(d, "sigev_signo", (uint32_t)sev.sigev_signo);
	dec_enum_q(d, "sigev_notify", sev.sigev_notify, xlat_sigev_notify, "SIGEV_???");
	if (sev.sigev_notify == SIGEV_THREAD_ID) {
		v_int(d, "sigev_notify_thread_id", sev._sigev_un._tid);
	} else if (sev.sigev_notify == SIGEV_THREAD) {
		v_ptr(d, "sigev_notify_function",
		      (uint64_t)(uintptr_t)sev._sigev_un._sigev_thread._function);
		v_ptr(d, "sigev_notify_attributes",
		      (uint64_t)(uintptr_t)sev._sigev_un._sigev_thread._attribute);
	}
	v_end(d, s);
	return DEC_DONE;
}

static int dec_mq_getsetattr(struct dctx *d)
{
	if (!d->exiting) {
		v_fd(d, "mqdes", (int)d->args[0]);
		mq_attr_at(d, "newattr", d->args[1], 1);
		return DEC_MORE;
	}
	if (d->failed && d->args[2])
		v_ptr(d, "oldattr", d->args[2]);
	else
		mq_attr_at(d, "oldattr", d->args[2], 1);
	return DEC_DONE;
}

const struct decoder_entry decoders_ipc[] = {
	{ "shmget", dec_shmget, { CAP_FULL } },
	{ "shmat", dec_shmat, { CAP_FULL } },
	{ "shmdt", dec_shmdt, { CAP_FULL } },
	{ "shmctl", dec_shmctl, { 0 } },
	{ "semget", dec_semget, { CAP_FULL } },
	{ "semop", dec_semop, { 0 } },
	{ "semtimedop", dec_semtimedop, { 0 } },
	{ "semctl", dec_semctl, { 0 } },
	{ "msgget", dec_msgget, { CAP_FULL } },
	{ "msgsnd", dec_msgsnd, { 0 } },
	{ "msgrcv", dec_msgrcv, { 0 } },
	{ "msgctl", dec_msgctl, { 0 } },
	{ "mq_open", dec_mq_open, { 0 } },
	{ "mq_unlink", dec_mq_unlink, { 0 } },
	{ "mq_timedsend", dec_mq_timedsend, { 0 } },
	{ "mq_timedreceive", dec_mq_timedreceive, { 0 } },
	{ "mq_notify", dec_mq_notify, { 0 } },
	{ "mq_getsetattr", dec_mq_getsetattr, { 0 } },
	{ NULL, NULL, { 0 } },
};
