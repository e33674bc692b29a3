#!/usr/bin/env python3
"""Random-waypoint trace in strict ns-2 movement format (the subset that
ns-3's Ns2MobilityHelper, CORE and BonnMotion all read).

Seeded and deterministic: the committed manet-50 trace was made with
  python3 scenarios/mobility/gen-rwp.py --static 3 --mobile 50 \
      --area 1500 1000 --speed 1 5 --pause 2 --duration 300 --seed 50 \
      > scenarios/mobility/manet-50.ns_movements
Static nodes (the Servers) come first, spread along the left edge; mobile
nodes start at uniform random positions, then repeatedly pick a uniform
random destination and speed, travel, and pause (a pause is a gap in time,
never a speed-0 line).
"""
import argparse
import math
import random


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--static', type=int, default=0)
    ap.add_argument('--mobile', type=int, required=True)
    ap.add_argument('--area', type=float, nargs=2, required=True)
    ap.add_argument('--speed', type=float, nargs=2, required=True)
    ap.add_argument('--pause', type=float, default=0.0)
    ap.add_argument('--duration', type=float, required=True)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    if a.speed[0] <= 0 or a.speed[1] < a.speed[0]:
        ap.error('speed range must satisfy 0 < min <= max')
    rng = random.Random(a.seed)
    w, h = a.area
    print('# random waypoint: %d static + %d mobile nodes, area %gx%g m, speed %g-%g m/s, '
          'pause %g s, %g s, seed %d' % (a.static, a.mobile, w, h, a.speed[0], a.speed[1],
                                         a.pause, a.duration, a.seed))
    pos = []
    for i in range(a.static):
        pos.append((0.0, (i + 1) * h / (a.static + 1)))
    for i in range(a.mobile):
        pos.append((round(rng.uniform(0, w), 3), round(rng.uniform(0, h), 3)))
    for i, (x, y) in enumerate(pos):
        print('$node_(%d) set X_ %.3f' % (i, x))
        print('$node_(%d) set Y_ %.3f' % (i, y))
        print('$node_(%d) set Z_ 0.0' % i)
    moves = []
    for i in range(a.static, a.static + a.mobile):
        t, (x, y) = 0.0, pos[i]
        while True:
            dx, dy = round(rng.uniform(0, w), 3), round(rng.uniform(0, h), 3)
            v = round(rng.uniform(*a.speed), 3)
            if t >= a.duration:
                break
            moves.append((round(t, 3), i, dx, dy, v))
            t += math.hypot(dx - x, dy - y) / v + a.pause
            x, y = dx, dy
    moves.sort()
    for t, i, x, y, v in moves:
        print('$ns_ at %.3f "$node_(%d) setdest %.3f %.3f %.3f"' % (t, i, x, y, v))


if __name__ == '__main__':
    main()
