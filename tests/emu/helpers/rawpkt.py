#!/usr/bin/python3
"""Capture one underlay frame and send it again, intact (replay) or with
one payload byte flipped (tamper). Used by tests/emu/t_ns.sh in P2.

  rawpkt.py capture IF SRC_IP DST_PORT OUT.bin TIMEOUT   (outgoing frame)
  rawpkt.py send IF IN.bin [replay|tamper]
"""
import select, socket, struct, sys, time

ETH_P_ALL = 3


def capture(ifname, src, dport, out, timeout):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    want = socket.inet_aton(src)
    end = time.time() + float(timeout)
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        f, addr = s.recvfrom(65535)
        if len(f) < 42 or f[12:14] != b"\x08\x00" or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        if f[26:30] != want:
            continue
        dp = struct.unpack("!H", f[14 + ihl + 2:14 + ihl + 4])[0]
        # a data packet (larger than the smallest control messages)
        if dp == int(dport) and len(f) > 14 + ihl + 8 + 60:
            open(out, "wb").write(f)
            print("captured %d bytes %s -> %s" % (len(f), socket.inet_ntoa(f[26:30]), socket.inet_ntoa(f[30:34])))
            return 0
    print("nothing captured")
    return 1


def send(ifname, inp, mode):
    f = bytearray(open(inp, "rb").read())
    ihl = (f[14] & 15) * 4
    if mode == "tamper":
        f[-5] ^= 0x5a          # inside the inner packet, before the ICV
    # an outgoing frame seen on AF_PACKET may carry a partial checksum
    # (tx offload): IPv4 UDP checksum 0 = none; the AERO payload is intact
    f[14 + ihl + 6:14 + ihl + 8] = b"\0\0"
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.send(bytes(f))
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    sys.exit(capture(*a[1:6]) if a[0] == "capture" else send(a[1], a[2], a[3]))
