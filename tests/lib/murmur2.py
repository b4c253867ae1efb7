#!/usr/bin/python3
"""Kafka's default partitioner, written independently of librdkafka: murmur2 of the
key bytes (as in org.apache.kafka.common.utils.Utils.murmur2), made positive, modulo
the partition count. Usage: murmur2.py PARTITIONS < keys (one per line) -> partitions."""
import sys


def murmur2(data: bytes) -> int:
    m, r = 0x5BD1E995, 24
    h = (0x9747B28C ^ len(data)) & 0xFFFFFFFF
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = (h * m) & 0xFFFFFFFF
        h ^= k
    rest = data[4 * n4:]
    if len(rest) == 3:
        h ^= rest[2] << 16
    if len(rest) >= 2:
        h ^= rest[1] << 8
    if len(rest) >= 1:
        h ^= rest[0]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h


def partition(key: bytes, partitions: int) -> int:
    return (murmur2(key) & 0x7FFFFFFF) % partitions


if __name__ == "__main__":
    # Known answers from the Java client's tests (UtilsTest.testMurmur2).
    for text, want in [("21", -973932308), ("foobar", -790332482), ("abc", 479470107),
                       ("a-little-bit-long-string", -985981536),
                       ("a-little-bit-longer-string", -1486304829)]:
        assert murmur2(text.encode()) == want & 0xFFFFFFFF, "murmur2 self-check failed: " + text
    parts = int(sys.argv[1])
    for line in sys.stdin.buffer:
        print(partition(line.rstrip(b"\n"), parts))
