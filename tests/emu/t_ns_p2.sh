#!/bin/bash
# tests/emu/t_ns.sh in profile P2: SEAL ICVs on every node, a tampered and a
# replayed underlay packet counted as dropped.
AERO_PROFILE=P2 exec bash "$(dirname "$0")/t_ns.sh"
