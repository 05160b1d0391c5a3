#!/usr/bin/env python3
"""Runs a command under a seccomp filter equivalent to what the units in systemd/ ask systemd for,
to try the Swift binaries against it on a machine without a running systemd (a build container):

  SystemCallFilter=@system-service  SystemCallFilter=~@privileged @resources
  SystemCallErrorNumber=EPERM       SystemCallArchitectures=native
  RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX   (other families: EAFNOSUPPORT)
  MemoryDenyWriteExecute=yes        (mmap with PROT_WRITE|PROT_EXEC, mprotect with PROT_EXEC: EPERM)

The syscall groups are expanded with `systemd-analyze syscall-filter`, so they are exactly those of
the installed systemd. x86-64 only. The namespace options (ProtectSystem=, PrivateUsers=, ...) are
not emulated. Usage: seccomp-run.py COMMAND [ARGS...]  (`make check-seccomp` runs the demo this way)
"""
import ctypes, os, re, struct, subprocess, sys

def expand(group, seen):
    out = subprocess.run(["systemd-analyze", "syscall-filter", group], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines()[1:]:
        t = line.strip()
        if not t or t.startswith("#"):
            continue
        if t.startswith("@"):
            if t not in seen:
                seen.add(t)
                names |= expand(t, seen)
        else:
            names.add(t)
    return names

if len(sys.argv) < 2 or os.uname().machine != "x86_64":
    sys.exit(__doc__ if len(sys.argv) < 2 else "seccomp-run.py: x86-64 only")
allowed = expand("@system-service", set()) - expand("@privileged", set()) - expand("@resources", set())
header = open("/usr/include/x86_64-linux-gnu/asm/unistd_64.h").read()
nr = {m.group(1): int(m.group(2)) for m in re.finditer(r"#define __NR_(\w+)\s+(\d+)", header)}

LD, JEQ, JGT, JSET, AND, RET = 0x20, 0x15, 0x25, 0x45, 0x54, 0x06
ALLOW, ERRNO, KILL = 0x7FFF0000, 0x00050000, 0x80000000
EPERM, EAFNOSUPPORT = 1, 97
NR, ARCH, ARG0, ARG2 = 0, 4, 16, 32  # offsets in struct seccomp_data
def ins(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)

code = [ins(LD, 0, 0, ARCH), ins(JEQ, 1, 0, 0xC000003E), ins(RET, 0, 0, KILL),  # AUDIT_ARCH_X86_64
        ins(LD, 0, 0, NR), ins(JGT, 0, 1, 0x3FFFFFFF), ins(RET, 0, 0, ERRNO | EPERM)]  # no x32 calls
socket = [ins(LD, 0, 0, ARG0), ins(JEQ, 3, 0, 1), ins(JEQ, 2, 0, 2), ins(JEQ, 1, 0, 10),  # UNIX, INET, INET6
          ins(RET, 0, 0, ERRNO | EAFNOSUPPORT), ins(RET, 0, 0, ALLOW)]
code += [ins(JEQ, 0, len(socket), nr["socket"])] + socket
mmap = [ins(LD, 0, 0, ARG2), ins(AND, 0, 0, 6), ins(JEQ, 0, 1, 6), ins(RET, 0, 0, ERRNO | EPERM), ins(RET, 0, 0, ALLOW)]
code += [ins(LD, 0, 0, NR), ins(JEQ, 0, len(mmap), nr["mmap"])] + mmap
for name in ("mprotect", "pkey_mprotect"):
    mprotect = [ins(LD, 0, 0, ARG2), ins(JSET, 0, 1, 4), ins(RET, 0, 0, ERRNO | EPERM), ins(RET, 0, 0, ALLOW)]
    code += [ins(LD, 0, 0, NR), ins(JEQ, 0, len(mprotect), nr[name])] + mprotect
code.append(ins(LD, 0, 0, NR))
for n in sorted(nr[name] for name in allowed if name in nr):
    code += [ins(JEQ, 0, 1, n), ins(RET, 0, 0, ALLOW)]
code.append(ins(RET, 0, 0, ERRNO | EPERM))

class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
buf = ctypes.create_string_buffer(b"".join(code))
prog = SockFprog(len(code), ctypes.cast(buf, ctypes.c_void_p))
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, as NoNewPrivileges=yes
    sys.exit("seccomp-run.py: PR_SET_NO_NEW_PRIVS: errno %d" % ctypes.get_errno())
if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
    sys.exit("seccomp-run.py: PR_SET_SECCOMP: errno %d" % ctypes.get_errno())
os.execvp(sys.argv[1], sys.argv[1:])
