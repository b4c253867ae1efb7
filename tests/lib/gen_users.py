#!/usr/bin/python3
"""Deterministic user-like NDJSON records for Kafka tests (independent of the tools):
gen_users.py COUNT [SEED] [PAD_BYTES]. Each record has login.uuid (unique), a nested
name with non-ASCII text and escapes, numbers, and optional padding."""
import json
import random
import sys
import uuid

count = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
pad = int(sys.argv[3]) if len(sys.argv) > 3 else 0
first = ["Zoë", "José", "Анна", "李", "O'Brien", "Ana \"Q\"", "Émile", "Søren"]
out = sys.stdout
for i in range(count):
    u = uuid.UUID(int=rng.getrandbits(128), version=4)
    rec = {
        "login": {"uuid": str(u), "username": "user%d" % i},
        "name": {"first": rng.choice(first), "last": "N\\%d\t" % i},
        "n": i,
        "score": rng.random(),
        "tags": ["a", i % 7, None, True],
    }
    if pad:
        rec["pad"] = "x" * pad
    out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
