#!/usr/bin/env python3
"""Generate scry's syscall tables and errno names.

Outputs (committed; CI never runs this script):
  src/syscalls/table_x86_64.c   numbers from <x86_64-linux-gnu/asm/unistd_64.h>
  src/syscalls/table_aarch64.c  numbers from <asm-generic/unistd.h> (as arm64 uses it)
  src/syscalls/table_i386.c     numbers from <x86_64-linux-gnu/asm/unistd_32.h>: the
                                calls of 32-bit (ia32) processes on x86_64
  src/syscalls/errnoent.h       errno names from <asm-generic/errno{,-base}.h>
                                plus the kernel-internal ERESTART* values

Inputs:
  - the unistd headers above (syscall numbers and names);
  - argument counts, names and C types from the kernel's tracefs syscall
    event formats (/sys/kernel/tracing/events/syscalls/sys_enter_*/format),
    saved to tools/syscall-args.txt so that the script can be re-run without
    tracefs (--from-snapshot);
  - tools/syscall-classes.txt: hand-maintained strace-style classes;
  - FALLBACK_ARGS / ARCH_ARGS below for calls tracefs does not describe.

Usage:
  python3 tools/gen-syscalls.py                  # read tracefs, refresh the snapshot
  python3 tools/gen-syscalls.py --from-snapshot  # use tools/syscall-args.txt only

Standard library only.
"""

import argparse
import os
import platform
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
OUTDIR = os.path.join(ROOT, "src", "syscalls")
SNAPSHOT = os.path.join(TOOLS, "syscall-args.txt")
CLASSES = os.path.join(TOOLS, "syscall-classes.txt")

X86_64_HDR = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
I386_HDR = "/usr/include/x86_64-linux-gnu/asm/unistd_32.h"
GENERIC_HDR = "/usr/include/asm-generic/unistd.h"
ERRNO_HDRS = ["/usr/include/asm-generic/errno-base.h",
              "/usr/include/asm-generic/errno.h"]
TRACEFS = "/sys/kernel/tracing/events/syscalls"

GEN_COMMAND = "python3 tools/gen-syscalls.py [--from-snapshot]"

# What arch/arm64/include/uapi/asm/unistd.h defines before it includes the
# generic table (plus __ARCH_WANT_SYS_CLONE3 from the kernel-internal header;
# arm64 has clone3).  Anything not listed is undefined.
AARCH64_DEFINES = {
    "__BITS_PER_LONG": 64,
    "__ARCH_WANT_RENAMEAT": 1,
    "__ARCH_WANT_NEW_STAT": 1,
    "__ARCH_WANT_SET_GET_RLIMIT": 1,
    "__ARCH_WANT_TIME32_SYSCALLS": 1,
    "__ARCH_WANT_MEMFD_SECRET": 1,
    "__ARCH_WANT_SYS_CLONE3": 1,
}

# Calls newer than the installed uapi headers (which stop at 450) but present
# in the kernels we run on.  Since 424 every architecture uses the same
# numbers; 335/336 are x86_64 only.  Remove entries once the headers have them.
NEWER_COMMON = {
    451: "cachestat", 452: "fchmodat2", 453: "map_shadow_stack",
    454: "futex_wake", 455: "futex_wait", 456: "futex_requeue",
    457: "statmount", 458: "listmount", 459: "lsm_get_self_attr",
    460: "lsm_set_self_attr", 461: "lsm_list_modules", 462: "mseal",
    463: "setxattrat", 464: "getxattrat", 465: "listxattrat",
    466: "removexattrat", 467: "open_tree_attr", 468: "file_getattr",
    469: "file_setattr", 470: "listns",
}
NEWER_X86_64 = {335: "uretprobe", 336: "uprobe"}

# The tracefs event is named after the kernel function, not the syscall.
TRACEFS_NAME = {
    "stat": "newstat", "lstat": "newlstat", "fstat": "newfstat",
    "uname": "newuname", "sendfile": "sendfile64", "umount2": "umount",
}

# Argument lists for calls tracefs does not describe (not built into the
# kernel the snapshot was taken on, unimplemented, or arch-only).  Used only
# when the snapshot lacks the call.  (C type, name) as the kernel declares them.
FALLBACK_ARGS = {
    # the core calls: tracefs has them today, but we must never lose them
    "fork": [], "vfork": [], "rt_sigreturn": [],
    "clone": [("unsigned long", "clone_flags"), ("unsigned long", "newsp"),
              ("int *", "parent_tidptr"), ("int *", "child_tidptr"),
              ("unsigned long", "tls")],
    "clone3": [("struct clone_args *", "uargs"), ("size_t", "size")],
    "execve": [("const char *", "filename"), ("const char *const *", "argv"),
               ("const char *const *", "envp")],
    "execveat": [("int", "fd"), ("const char *", "filename"),
                 ("const char *const *", "argv"),
                 ("const char *const *", "envp"), ("int", "flags")],
    "exit": [("int", "error_code")], "exit_group": [("int", "error_code")],
    "arch_prctl": [("int", "option"), ("unsigned long", "arg2")],
    "mmap": [("unsigned long", "addr"), ("unsigned long", "len"),
             ("unsigned long", "prot"), ("unsigned long", "flags"),
             ("unsigned long", "fd"), ("unsigned long", "off")],
    "brk": [("unsigned long", "brk")],
    "rseq": [("struct rseq *", "rseq"), ("u32", "rseq_len"), ("int", "flags"),
             ("u32", "sig")],
    # missing from tracefs on the snapshot kernel
    "uselib": [("const char *", "library")],
    "_sysctl": [("struct __sysctl_args *", "args")],
    "create_module": [("const char *", "name"), ("size_t", "size")],
    "init_module": [("void *", "umod"), ("unsigned long", "len"),
                    ("const char *", "uargs")],
    "finit_module": [("int", "fd"), ("const char *", "uargs"), ("int", "flags")],
    "delete_module": [("const char *", "name_user"), ("unsigned int", "flags")],
    "get_kernel_syms": [("struct kernel_sym *", "table")],
    "query_module": [("const char *", "name"), ("int", "which"),
                     ("void *", "buf"), ("size_t", "bufsize"),
                     ("size_t *", "ret")],
    "nfsservctl": [("int", "cmd"), ("void *", "argp"), ("void *", "resp")],
    "set_thread_area": [("struct user_desc *", "u_info")],
    "get_thread_area": [("struct user_desc *", "u_info")],
    "lookup_dcookie": [("u64", "cookie64"), ("char *", "buf"), ("size_t", "len")],
    "epoll_ctl_old": [("int", "epfd"), ("int", "op"), ("int", "fd"),
                      ("struct epoll_event *", "event")],
    "epoll_wait_old": [("int", "epfd"), ("struct epoll_event *", "events"),
                       ("int", "maxevents")],
    "kexec_load": [("unsigned long", "entry"), ("unsigned long", "nr_segments"),
                   ("struct kexec_segment *", "segments"),
                   ("unsigned long", "flags")],
    "kexec_file_load": [("int", "kernel_fd"), ("int", "initrd_fd"),
                        ("unsigned long", "cmdline_len"),
                        ("const char *", "cmdline_ptr"),
                        ("unsigned long", "flags")],
    "map_shadow_stack": [("unsigned long", "addr"), ("unsigned long", "size"),
                         ("unsigned int", "flags")],
    "listns": [("const struct ns_id_req *", "req"), ("u64 *", "ns_ids"),
               ("size_t", "nr_ns_ids"), ("unsigned int", "flags")],
    # never implemented on x86_64 (sys_ni_syscall); strace shows no arguments
    "getpmsg": [], "putpmsg": [], "afs_syscall": [], "tuxcall": [],
    "security": [], "vserver": [],
}

# Arch differences tracefs (taken on x86_64) cannot show; these win.
ARCH_ARGS = {
    # arm64 and i386 have CONFIG_CLONE_BACKWARDS: tls comes before
    # child_tidptr.
    "i386": {
        "clone": [("unsigned long", "clone_flags"), ("unsigned long", "newsp"),
                  ("int *", "parent_tidptr"), ("unsigned long", "tls"),
                  ("int *", "child_tidptr")],
        # i386's select (82) is the old one: its five arguments in memory
        # (struct sel_arg_struct); statfs64 and fstatfs64 take the struct's
        # size before it
        "select": [("struct sel_arg_struct *", "arg")],
        "statfs64": [("const char *", "pathname"), ("size_t", "sz"),
                     ("struct statfs64 *", "buf")],
        "fstatfs64": [("unsigned int", "fd"), ("size_t", "sz"),
                      ("struct statfs64 *", "buf")],
    },
    "aarch64": {
        "clone": [("unsigned long", "clone_flags"), ("unsigned long", "newsp"),
                  ("int *", "parent_tidptr"), ("unsigned long", "tls"),
                  ("int *", "child_tidptr")],
    },
}

# i386 calls whose arguments are those of another call tracefs describes
# (the 32-bit-uid, 64-bit-offset and 64-bit-time variants), by that name.
I386_SAME_ARGS = {
    "lchown32": "lchown", "getuid32": "getuid", "getgid32": "getgid",
    "geteuid32": "geteuid", "getegid32": "getegid",
    "setreuid32": "setreuid", "setregid32": "setregid",
    "getgroups32": "getgroups", "setgroups32": "setgroups",
    "fchown32": "fchown", "setresuid32": "setresuid",
    "getresuid32": "getresuid", "setresgid32": "setresgid",
    "getresgid32": "getresgid", "chown32": "chown", "setuid32": "setuid",
    "setgid32": "setgid", "setfsuid32": "setfsuid", "setfsgid32": "setfsgid",
    "fcntl64": "fcntl", "stat64": "newstat", "lstat64": "newlstat",
    "fstat64": "newfstat", "fstatat64": "newfstatat", "oldstat": "newstat",
    "oldlstat": "newlstat", "oldfstat": "newfstat", "statfs64": "statfs",
    "fstatfs64": "fstatfs", "ugetrlimit": "getrlimit",
    "_newselect": "select", "sigsuspend": "rt_sigsuspend",
    "sigpending": "rt_sigpending", "olduname": "newuname",
    "oldolduname": "newuname", "waitpid": "wait4",
    "clock_gettime64": "clock_gettime", "clock_settime64": "clock_settime",
    "clock_adjtime64": "clock_adjtime", "clock_getres_time64": "clock_getres",
    "clock_nanosleep_time64": "clock_nanosleep",
    "timer_gettime64": "timer_gettime", "timer_settime64": "timer_settime",
    "timerfd_gettime64": "timerfd_gettime",
    "timerfd_settime64": "timerfd_settime",
    "utimensat_time64": "utimensat", "pselect6_time64": "pselect6",
    "ppoll_time64": "ppoll", "io_pgetevents_time64": "io_pgetevents",
    "recvmmsg_time64": "recvmmsg", "mq_timedsend_time64": "mq_timedsend",
    "mq_timedreceive_time64": "mq_timedreceive",
    "semtimedop_time64": "semtimedop",
    "rt_sigtimedwait_time64": "rt_sigtimedwait", "futex_time64": "futex",
    "sched_rr_get_interval_time64": "sched_rr_get_interval",
}
# i386-only calls with no x86_64 counterpart (arch/x86/entry/syscalls/
# syscall_32.tbl and the kernel's declarations).
I386_ARGS = {
    "waitpid": [("pid_t", "pid"), ("int *", "stat_addr"), ("int", "options")],
    "stime": [("__kernel_old_time_t *", "tptr")],
    "nice": [("int", "increment")],
    "signal": [("int", "sig"), ("__sighandler_t", "handler")],
    "sigaction": [("int", "sig"), ("const struct old_sigaction *", "act"),
                  ("struct old_sigaction *", "oact")],
    "sgetmask": [], "ssetmask": [("int", "newmask")],
    "sigprocmask": [("int", "how"), ("old_sigset_t *", "nset"),
                    ("old_sigset_t *", "oset")],
    "readdir": [("unsigned int", "fd"), ("struct old_linux_dirent *", "dirent"),
                ("unsigned int", "count")],
    "socketcall": [("int", "call"), ("unsigned long *", "args")],
    "ipc": [("unsigned int", "call"), ("int", "first"), ("unsigned long", "second"),
            ("unsigned long", "third"), ("void *", "ptr"), ("long", "fifth")],
    "sigreturn": [], "vm86old": [("struct vm86_struct *", "user_vm86")],
    "vm86": [("unsigned long", "cmd"), ("unsigned long", "arg")],
    "bdflush": [("int", "func"), ("long", "data")],
    "_llseek": [("unsigned int", "fd"), ("unsigned long", "offset_high"),
                ("unsigned long", "offset_low"), ("loff_t *", "result"),
                ("unsigned int", "whence")],
    "mmap2": [("unsigned long", "addr"), ("unsigned long", "len"),
              ("unsigned long", "prot"), ("unsigned long", "flags"),
              ("unsigned long", "fd"), ("unsigned long", "pgoff")],
    "truncate64": [("const char *", "path"), ("loff_t", "length")],
    "ftruncate64": [("unsigned int", "fd"), ("loff_t", "length")],
    "fadvise64_64": [("int", "fd"), ("loff_t", "offset"), ("loff_t", "len"),
                     ("int", "advice")],
    # socketcall's send and recv (I386_SUBCALLS)
    "send": [("int", "fd"), ("void *", "buff"), ("size_t", "len"),
             ("unsigned int", "flags")],
    "recv": [("int", "fd"), ("void *", "ubuf"), ("size_t", "size"),
             ("unsigned int", "flags")],
    # never implemented (sys_ni_syscall)
    "break": [], "stty": [], "gtty": [], "ftime": [], "prof": [], "lock": [],
    "mpx": [], "ulimit": [], "profil": [], "idle": [],
}

# The calls an ia32 process makes through socketcall() and ipc() that i386
# has no call of its own for: rows past the kernel's table (strace's
# SYS_socket_subcall, SYS_ipc_subcall), so that they have names, decoders,
# filter bits and a place in -c's 32-bit table (decode/ia32.c).  They stay
# below 512 (SCRY_FILTER_I386_BASE + 512 = SCRY_FILTER_MAX_NR); the kernel's
# table must stay below them (main() checks).
I386_SUBCALL_BASE = 500
I386_SUBCALLS = {500: "accept", 501: "send", 502: "recv", 503: "semop",
                 504: "semtimedop"}

# --------------------------------------------------------------------------
# Argument types

PATH_NAMES = {"filename", "pathname", "oldname", "newname", "path",
              "specialfile", "special", "from_pathname", "to_pathname",
              "new_root", "put_old", "library", "dev_name", "dir_name"}
# (call, arg) pairs whose string is a path despite a generic name
PATH_BY_CALL = {("acct", "name"), ("umount2", "name"),
                ("name_to_handle_at", "name")}
STR_NAMES = {"name", "uname", "u_name", "type", "_type", "_description",
             "_callout_info", "_key", "_fs_name", "name_user", "uargs",
             "cmdline_ptr"}
FD_NAMES = {"fd", "dfd", "olddfd", "newdfd", "oldfd", "newfd", "epfd",
            "fd_in", "fd_out", "in_fd", "out_fd", "fdin", "fdout", "from_dfd",
            "to_dfd", "ufd", "pidfd", "fs_fd", "mountdirfd", "ruleset_fd",
            "fanotify_fd", "group_fd", "mqdes", "kernel_fd", "initrd_fd",
            "fildes"}
# unsigned long arguments that are addresses
ADDR_NAMES = {"addr", "start", "brk", "new_addr", "newsp", "tls", "entry"}
HEX_NAMES = {"flag", "prot", "mask", "msgflg", "shmflg", "semflg", "oflag",
             "options"}
UNSIGNED_TYPES = {"size_t", "u32", "__u32", "u64", "__u64", "uid_t", "gid_t",
                  "qid_t", "unsigned", "dev_t"}
PTR_TYPES = {"cap_user_header_t", "cap_user_data_t", "aio_context_t"}
# Calls where the generic rule picks badly.
TYPE_BY_CALL = {
    ("umask", "mask"): "OCT",
    ("ioctl", "cmd"): "HEX", ("ioctl", "arg"): "HEX",
    ("mmap", "off"): "HEX",
    ("set_tid_address", "tidptr"): "PTR",
    ("ptrace", "data"): "HEX",
}


def argtype(call, ctype, name):
    key = (call, name)
    if key in TYPE_BY_CALL:
        return TYPE_BY_CALL[key]
    t = re.sub(r"\bconst\b", "", ctype)
    t = " ".join(t.split())
    if "*" in t:
        if t == "char *":
            if name in PATH_NAMES or key in PATH_BY_CALL:
                return "PATH"
            if name in STR_NAMES and ctype.startswith("const"):
                return "STR"
            if name in STR_NAMES and call in ("sethostname", "setdomainname",
                                              "mount"):
                return "STR"
        return "PTR"
    if t in PTR_TYPES:
        return "PTR"
    if name in FD_NAMES:
        return "FD"
    if t in ("umode_t", "mode_t"):
        return "OCT"
    if name in HEX_NAMES or name.endswith("flags"):
        return "HEX"
    if t == "unsigned long" and name in ADDR_NAMES:
        return "PTR"
    if t.startswith("unsigned") or t in UNSIGNED_TYPES or t == "rwf_t":
        return "HEX" if t == "rwf_t" else "UINT"
    if t in ("long", "loff_t", "off_t", "ssize_t", "__kernel_old_time_t",
             "time_t", "key_serial_t long", "s64", "__s64", "int64_t"):
        return "LONG"
    return "INT"


# --------------------------------------------------------------------------
# Syscall numbers


def parse_x86_64(path):
    nums = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"#define\s+__NR_(\w+)\s+(\d+)\s*$", line)
            if m:
                nums[int(m.group(2))] = m.group(1)
    return nums


def _eval_cond(expr, defines):
    """Evaluate a preprocessor #if expression with the given defines."""
    expr = re.sub(r"defined\s*\(\s*(\w+)\s*\)",
                  lambda m: "1" if m.group(1) in defines else "0", expr)
    expr = re.sub(r"defined\s+(\w+)",
                  lambda m: "1" if m.group(1) in defines else "0", expr)
    expr = re.sub(r"[A-Za-z_]\w*",
                  lambda m: str(defines.get(m.group(0), 0)), expr)
    expr = expr.replace("||", " or ").replace("&&", " and ")
    expr = re.sub(r"!(?!=)", " not ", expr)
    if not re.fullmatch(r"[\d\s()<>=!andortn]*", expr):
        raise ValueError("cannot evaluate #if " + expr)
    return bool(eval(expr, {"__builtins__": {}}, {}))


def parse_generic(path, defines):
    """Numbers from asm-generic/unistd.h as a 64-bit arch sees them."""
    with open(path) as f:
        text = f.read().replace("\\\n", " ")
    defs = dict(defines)
    stack = []          # (active, taken) per open conditional
    active = True
    nr3264 = {}
    nums = {}
    for raw in text.splitlines():
        line = re.sub(r"/\*.*?\*/", "", raw).strip()
        if not line.startswith("#"):
            continue
        m = re.match(r"#\s*(\w+)\s*(.*)$", line)
        if not m:
            continue
        d, rest = m.group(1), m.group(2).strip()
        if d in ("if", "ifdef", "ifndef"):
            if d == "ifdef":
                c = rest in defs
            elif d == "ifndef":
                c = rest not in defs
            else:
                c = _eval_cond(rest, defs) if active else False
            stack.append((active, c))
            active = active and c
        elif d == "elif":
            outer, taken = stack[-1]
            c = (not taken) and _eval_cond(rest, defs)
            stack[-1] = (outer, taken or c)
            active = outer and c
        elif d == "else":
            outer, taken = stack[-1]
            active = outer and not taken
            stack[-1] = (outer, True)
        elif d == "endif":
            outer, _ = stack.pop()
            active = outer
        elif not active:
            continue
        elif d == "define":
            parts = rest.split(None, 1)
            name = parts[0]
            val = parts[1].strip() if len(parts) > 1 else "1"
            defs[name] = 1
            if name.startswith("__NR3264_") and val.isdigit():
                nr3264[name] = int(val)
            elif name.startswith("__NR_") and name not in (
                    "__NR_syscalls", "__NR_arch_specific_syscall"):
                if val.isdigit():
                    nums[int(val)] = name[5:]
                elif val in nr3264:
                    # __NR_fstat -> __NR3264_fstat: the 64-bit name
                    nums[nr3264[val]] = name[5:]
        elif d == "undef":
            defs.pop(rest, None)
    if stack:
        raise ValueError("unbalanced conditionals in " + path)
    return nums


# --------------------------------------------------------------------------
# Argument data: tracefs and its snapshot


def read_tracefs(root):
    data = {}
    for ev in sorted(os.listdir(root)):
        if not ev.startswith("sys_enter_"):
            continue
        try:
            with open(os.path.join(root, ev, "format")) as f:
                fmt = f.read()
        except OSError:
            continue
        args = []
        for m in re.finditer(r"field:([^;]*);", fmt):
            decl = m.group(1).strip()
            dm = re.match(r"(.*?)\s*\b(\w+)$", decl)
            ctype, name = " ".join(dm.group(1).split()), dm.group(2)
            if name.startswith("common_") or name == "__syscall_nr":
                continue
            args.append((ctype, name))
        data[ev[len("sys_enter_"):]] = args
    return data


def write_snapshot(data, path):
    with open(path, "w") as f:
        f.write("# Syscall arguments read from tracefs "
                "(/sys/kernel/tracing/events/syscalls/sys_enter_*/format)\n")
        f.write("# by tools/gen-syscalls.py on Linux %s %s.\n"
                % (platform.release(), platform.machine()))
        f.write("# Names are tracefs event names (newstat, not stat).\n")
        f.write("# One line per syscall, TAB-separated: "
                "name nargs type:name ...\n")
        for name in sorted(data):
            fields = [name, str(len(data[name]))]
            fields += ["%s:%s" % a for a in data[name]]
            f.write("\t".join(fields) + "\n")


def read_snapshot(path):
    data = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            args = [tuple(x.rsplit(":", 1)) for x in fields[2:]]
            if int(fields[1]) != len(args):
                sys.exit("%s:%d: nargs does not match" % (path, lineno))
            data[fields[0]] = args
    return data


# --------------------------------------------------------------------------
# Classes

CLASS_BITS = {
    "file": "SCRY_CLASS_FILE", "desc": "SCRY_CLASS_DESC",
    "network": "SCRY_CLASS_NETWORK", "process": "SCRY_CLASS_PROCESS",
    "memory": "SCRY_CLASS_MEMORY", "signal": "SCRY_CLASS_SIGNAL",
    "ipc": "SCRY_CLASS_IPC", "creds": "SCRY_CLASS_CREDS",
    "clock": "SCRY_CLASS_CLOCK", "stat": "SCRY_CLASS_STAT",
    "lstat": "SCRY_CLASS_LSTAT", "fstat": "SCRY_CLASS_FSTAT",
    "statfs": "SCRY_CLASS_STATFS", "pure": "SCRY_CLASS_PURE",
    "fstatfs": "SCRY_CLASS_FSTATFS",
    "%stat": "SCRY_CLASS_STAT_LIKE", "%statfs": "SCRY_CLASS_STATFS_LIKE",
}


def read_classes(path):
    classes = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = "" if line.lstrip().startswith("#") else line.strip()
            if not line:
                continue
            parts = line.split()
            if len(parts) != 2:
                sys.exit("%s:%d: want 'name class,class'" % (path, lineno))
            name, cls = parts
            for c in cls.split(","):
                if c not in CLASS_BITS:
                    sys.exit("%s:%d: unknown class %r" % (path, lineno, c))
                classes.setdefault(name, []).append(c)
    return classes


# --------------------------------------------------------------------------
# Output


def header_comment(sources):
    return ("/*\n"
            " * GENERATED FILE: DO NOT EDIT.\n"
            " * Generated by tools/gen-syscalls.py; regenerate with\n"
            " *   %s\n"
            " * Sources: %s.\n"
            " */\n" % (GEN_COMMAND, ",\n *   ".join(sources)))


def emit_table(arch, src, nums, args, classes, out):
    lines = [header_comment([src, "tools/syscall-args.txt (tracefs snapshot)",
                             "tools/syscall-classes.txt"]),
             "#include \"syscalls/syscalls.h\"\n"]
    n = max(nums) + 1
    lines.append("static const struct scry_syscall_info calls_%s[%d] = {"
                 % (arch, n))
    for nr in sorted(nums):
        name = nums[nr]
        a = args[name]
        cls = " | ".join(CLASS_BITS[c] for c in classes.get(name, [])) or "0"
        names = ", ".join('"%s"' % an.lstrip("_") for _, an in a)
        types = [argtype(name, ct, an) for ct, an in a]
        if arch == "i386":
            # a long is 32 bits there: -1 arrives as 0xffffffff
            types = ["INT" if t == "LONG" and "long long" not in ct
                     and ct not in ("loff_t", "s64", "__s64", "int64_t")
                     else t for t, (ct, an) in zip(types, a)]
        types = ", ".join("SCRY_ARG_" + t for t in types)
        lines.append("\t[%d] = { .name = \"%s\", .nargs = %d, .classes = %s,"
                     % (nr, name, len(a), cls))
        lines.append("\t\t.argnames = { %s }," % names if a else
                     "\t\t.argnames = { 0 },")
        lines.append("\t\t.argtypes = { %s } }," % types if a else
                     "\t\t.argtypes = { 0 } },")
    lines.append("};\n")
    lines.append("const struct scry_syscall_table scry_table_%s = {" % arch)
    lines.append("\t.arch = \"%s\"," % arch)
    lines.append("\t.calls = calls_%s," % arch)
    lines.append("\t.ncalls = %d," % n)
    lines.append("};")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


# Kernel-internal codes that leak to ptrace observers (include/linux/errno.h).
KERNEL_ERRNOS = [
    ("ERESTARTSYS", 512), ("ERESTARTNOINTR", 513), ("ERESTARTNOHAND", 514),
    ("ENOIOCTLCMD", 515), ("ERESTART_RESTARTBLOCK", 516),
    ("EPROBE_DEFER", 517), ("EOPENSTALE", 518), ("ENOPARAM", 519),
    ("EBADHANDLE", 521), ("ENOTSYNC", 522), ("EBADCOOKIE", 523),
    ("ENOTSUPP", 524), ("ETOOSMALL", 525), ("ESERVERFAULT", 526),
    ("EBADTYPE", 527), ("EJUKEBOX", 528), ("EIOCBQUEUED", 529),
    ("ERECALLCONFLICT", 530), ("ENOGRACE", 531),
]


def emit_errno(out):
    codes = {}
    for hdr in ERRNO_HDRS:
        with open(hdr) as f:
            for line in f:
                m = re.match(r"#define\s+(E\w+)\s+(\d+)\b", line)
                # aliases (EWOULDBLOCK EAGAIN) are not digits: first name wins
                if m and int(m.group(2)) not in codes:
                    codes[int(m.group(2))] = m.group(1)
    for name, val in KERNEL_ERRNOS:
        codes.setdefault(val, name)
    lines = [header_comment(ERRNO_HDRS + [
                 "KERNEL_ERRNOS in the generator (include/linux/errno.h)"]),
             "/* Included by errno.c, which defines ERRNO(value, name) for the\n"
             " * table it builds (names by number, and an xlat table). */"]
    for val in sorted(codes):
        lines.append("\tERRNO(%d, \"%s\")" % (val, codes[val]))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def resolve_args(names, arch, tracefs):
    args, missing = {}, []
    for name in names:
        ev = TRACEFS_NAME.get(name, name)
        if arch == "i386":
            ev = I386_SAME_ARGS.get(name, ev)
        if name in ARCH_ARGS.get(arch, {}):
            args[name] = ARCH_ARGS[arch][name]
        elif arch == "i386" and name in I386_ARGS:
            args[name] = I386_ARGS[name]
        elif ev in tracefs:
            args[name] = tracefs[ev]
        elif name in FALLBACK_ARGS:
            args[name] = FALLBACK_ARGS[name]
            missing.append(name)
        else:
            sys.exit("gen-syscalls: no argument data for %s (%s): add it to "
                     "FALLBACK_ARGS" % (name, arch))
    return args, missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from-snapshot", action="store_true",
                    help="read arguments from tools/syscall-args.txt, not tracefs")
    ap.add_argument("--tracefs", default=TRACEFS)
    opts = ap.parse_args()

    if opts.from_snapshot:
        tracefs = read_snapshot(SNAPSHOT)
    else:
        if not os.path.isdir(opts.tracefs):
            sys.exit("gen-syscalls: %s not found; mount tracefs "
                     "(mount -t tracefs nodev /sys/kernel/tracing) "
                     "or use --from-snapshot" % opts.tracefs)
        tracefs = read_tracefs(opts.tracefs)
        write_snapshot(tracefs, SNAPSHOT)

    classes = read_classes(CLASSES)
    tables = [
        ("x86_64", X86_64_HDR, {**parse_x86_64(X86_64_HDR), **NEWER_X86_64,
                                **NEWER_COMMON}),
        ("aarch64", GENERIC_HDR, {**parse_generic(GENERIC_HDR, AARCH64_DEFINES),
                                  **NEWER_COMMON}),
        ("i386", I386_HDR, {**parse_x86_64(I386_HDR), **NEWER_COMMON,
                            **I386_SUBCALLS}),
    ]
    if max(n for n in tables[2][2] if n not in I386_SUBCALLS) >= I386_SUBCALL_BASE:
        sys.exit("gen-syscalls: the i386 table reaches I386_SUBCALL_BASE: "
                 "move I386_SUBCALLS (and SCRY_I386_SUBCALL) up")
    all_names = set()
    for arch, hdr, nums in tables:
        args, missing = resolve_args(nums.values(), arch, tracefs)
        all_names |= set(nums.values())
        if missing:
            print("gen-syscalls: %s: not in tracefs, from FALLBACK_ARGS: %s"
                  % (arch, " ".join(sorted(missing))), file=sys.stderr)
        emit_table(arch, hdr, nums, args, classes,
                   os.path.join(OUTDIR, "table_%s.c" % arch))
    unknown = sorted(set(classes) - all_names)
    if unknown:
        sys.exit("gen-syscalls: syscall-classes.txt names unknown calls: "
                 + " ".join(unknown))
    emit_errno(os.path.join(OUTDIR, "errnoent.h"))


if __name__ == "__main__":
    main()
