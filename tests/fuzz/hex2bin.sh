#!/bin/bash
# hex2bin.sh FILE.hex: the bytes of a test vector file (same syntax as
# tests/unit/testutil.c: '#' comments, optional "0010  " offset column).
set -euo pipefail
sed -e 's/#.*//' -e 's/^[[:space:]]*[0-9a-fA-F]\{4\}  //' "$1" | tr -d ' \t\r:' | tr -d '\n' | xxd -r -p
