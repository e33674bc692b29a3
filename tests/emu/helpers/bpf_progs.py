#!/usr/bin/python3
"""List the names of the loaded eBPF programs (root): one per line.

tests/emu/t_fastpath.sh counts aerod's (aero_fp_*) before and after an aerod
stops, to show that the kernel data path goes away with the process. Uses the
bpf(2) commands BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID and
BPF_OBJ_GET_INFO_BY_FD through ctypes (no bpftool on this platform)."""
import ctypes
import os
import struct
import sys

NR_BPF = 321  # x86_64
BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID, BPF_OBJ_GET_INFO_BY_FD = 11, 13, 15
libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    r = libc.syscall(NR_BPF, cmd, buf, 128)
    return r, buf.raw


def main():
    if os.uname().machine != "x86_64":
        print("bpf_progs.py: x86_64 only (syscall number)", file=sys.stderr)
        return 2
    pid = 0
    names = []
    while True:
        r, out = bpf(BPF_PROG_GET_NEXT_ID, struct.pack("=II", pid, 0))
        if r < 0:
            break
        pid = struct.unpack_from("=I", out, 4)[0]  # next_id
        fd, _ = bpf(BPF_PROG_GET_FD_BY_ID, struct.pack("=I", pid))
        if fd < 0:
            continue
        info = ctypes.create_string_buffer(256)
        attr = struct.pack("=IIQ", fd, 256, ctypes.addressof(info))
        r, _ = bpf(BPF_OBJ_GET_INFO_BY_FD, attr)
        os.close(fd)
        if r == 0:
            # struct bpf_prog_info: name[16] at offset 64
            names.append(info.raw[64:80].split(b"\0")[0].decode(errors="replace"))
    for n in names:
        print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
