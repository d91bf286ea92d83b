#!/usr/bin/env python3
"""Writes what Python's round(x, 1) gives for 20,000 values next to a tie (x.x5), so the health
crate's `round1` can be checked against Python itself (seed 001 rounds percent_used so).

The values are made the same way in crates/health/tests/python_round.rs: for i in 0..20000,
k = i * 7919 % 100000, base = (k + 0.5) / 10 (a double), x = the double `i % 7 - 3` steps (ulps)
from base. One line per i: repr(round(x, 1)).

    python3 scripts/python-round-cases.py > crates/health/tests/data/python_round_1.txt
"""
import struct

for i in range(20000):
    k = i * 7919 % 100000
    base = (k + 0.5) / 10
    bits = struct.unpack("<q", struct.pack("<d", base))[0] + (i % 7 - 3)
    x = struct.unpack("<d", struct.pack("<q", bits))[0]
    print(repr(round(x, 1)))
