"""cql_test_server at the byte level (raw sockets, framing written here from the spec).

Version negotiation (protocol errors for versions it does not speak, in a header
of a version it does), OPTIONS/SUPPORTED, messages before STARTUP, unknown
compression, pipelined stream ids, Unprepared carrying the id, v5 segments with
their CRC24/CRC32 (a corrupted segment closes the connection), and the command
line (usage errors exit 64, a busy port exits 69).
"""
import os
import socket
import struct
import subprocess
import sys
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cqlserver"))
import harness  # noqa: E402

STARTUP, OPTIONS, QUERY, EXECUTE = 0x01, 0x05, 0x07, 0x0A
ERROR, READY, SUPPORTED, RESULT = 0x00, 0x02, 0x06, 0x08


def string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def startup_body(extra=None):
    opts = {"CQL_VERSION": "3.0.0"}
    opts.update(extra or {})
    return struct.pack(">H", len(opts)) + b"".join(string(k) + string(v) for k, v in opts.items())


def frame(version, stream, opcode, body):
    return struct.pack(">BBhBI", version, 0, stream, opcode, len(body)) + body


def query_body(q):
    b = q.encode()
    return struct.pack(">I", len(b)) + b + struct.pack(">HB", 1, 0)


def crc24(value, nbytes):
    crc = 0x875060
    for _ in range(nbytes):
        crc ^= (value & 0xFF) << 16
        value >>= 8
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1974F0B
    return crc & 0xFFFFFF


def segment(payload, corrupt=False):
    header = len(payload) | (1 << 17)
    crc32 = zlib.crc32(payload, zlib.crc32(b"\xfa\x2d\x55\xca"))
    if corrupt:
        crc32 ^= 1
    return (header.to_bytes(3, "little") + crc24(header, 3).to_bytes(3, "little") + payload
            + crc32.to_bytes(4, "little"))


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""

    def read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        version, flags, stream, opcode, length = struct.unpack(">BBhBI", self.read(9))
        return version, stream, opcode, self.read(length)

    def segment(self):
        header = int.from_bytes(self.read(3), "little")
        self.assert_crc = int.from_bytes(self.read(3), "little") == crc24(header, 3)
        payload = self.read(header & 0x1FFFF)
        crc_ok = int.from_bytes(self.read(4), "little") == zlib.crc32(payload, zlib.crc32(b"\xfa\x2d\x55\xca"))
        return payload, self.assert_crc and crc_ok


def error_of(body):
    code = struct.unpack(">i", body[:4])[0]
    n = struct.unpack(">H", body[4:6])[0]
    return code, body[6:6 + n].decode(), body[6 + n:]


class Wire(harness.ServerCase):

    def test_unsupported_versions(self):
        c = Conn(self.server.port)
        c.sock.sendall(frame(0x06, 3, STARTUP, startup_body()))
        version, stream, opcode, body = c.frame()
        self.assertEqual((version, stream, opcode), (0x85, 3, ERROR))
        code, msg, _ = error_of(body)
        self.assertEqual(code, 0x000A)
        self.assertIn("unsupported protocol version", msg)
        limited = harness.TestServer(version_max=4)
        self.addCleanup(limited.stop)
        # v4-only is Cassandra 3.11, where v5 was a beta: its refusal comes in a v5
        # header on stream 0 (tests/cqlserver_emulation_test.py checks the details)
        c = Conn(limited.port)
        c.sock.sendall(frame(0x05, 7, STARTUP, startup_body()))
        version, stream, opcode, body = c.frame()
        self.assertEqual((version, stream, opcode, error_of(body)[0]), (0x85, 0, ERROR, 0x000A))
        self.assertIn("USE_BETA flag is unset", error_of(body)[1])

    def test_options_and_startup_rules(self):
        c = Conn(self.server.port)
        c.sock.sendall(frame(4, 1, OPTIONS, b""))
        _, stream, opcode, body = c.frame()
        self.assertEqual((stream, opcode), (1, SUPPORTED))
        self.assertIn(b"lz4", body)
        self.assertIn(b"5/v5", body)
        c.sock.sendall(frame(4, 2, QUERY, query_body("SELECT * FROM system.local")))
        _, _, opcode, body = c.frame()
        self.assertEqual((opcode, error_of(body)[0]), (ERROR, 0x000A))
        c.sock.sendall(frame(4, 3, STARTUP, startup_body({"COMPRESSION": "snappy"})))
        _, _, opcode, body = c.frame()
        self.assertEqual(opcode, ERROR)
        self.assertIn("snappy", error_of(body)[1])
        c.sock.sendall(frame(4, 4, STARTUP, startup_body()))
        self.assertEqual(c.frame()[2], READY)

    def test_pipelined_streams_and_unprepared(self):
        c = Conn(self.server.port)
        c.sock.sendall(frame(4, 0, STARTUP, startup_body()))
        self.assertEqual(c.frame()[2], READY)
        streams = list(range(0, 1000, 2)) + [32767]
        c.sock.sendall(b"".join(frame(4, s, QUERY, query_body("SELECT key FROM system.local")) for s in streams))
        got = []
        for _ in streams:
            _, stream, opcode, body = c.frame()
            self.assertEqual(opcode, RESULT)
            self.assertIn(b"local", body)
            got.append(stream)
        self.assertEqual(sorted(got), sorted(streams))
        bogus = bytes(range(16))
        c.sock.sendall(frame(4, 9, EXECUTE, struct.pack(">H", 16) + bogus + struct.pack(">HB", 1, 0)))
        _, stream, opcode, body = c.frame()
        code, _, extra = error_of(body)
        self.assertEqual((stream, opcode, code), (9, ERROR, 0x2500))
        self.assertEqual(extra, struct.pack(">H", 16) + bogus)

    def test_v5_segments(self):
        c = Conn(self.server.port)
        c.sock.sendall(frame(5, 0, STARTUP, startup_body()))
        version, _, opcode, _ = c.frame()  # READY still in the v4-style envelope
        self.assertEqual((version, opcode), (0x85, READY))
        # two requests in one self-contained segment -> both answered, in segments with valid CRCs
        two = frame(5, 1, QUERY, query_body("SELECT key FROM system.local")) + \
            frame(5, 2, QUERY, query_body("SELECT * FROM system.peers"))
        c.sock.sendall(segment(two))
        payload = b""
        while payload.count(b"\x85\x00") < 2 or len(payload) < 18:
            data, ok = c.segment()
            self.assertTrue(ok, "bad CRC from server")
            payload += data
        self.assertEqual(payload[0], 0x85)
        self.assertEqual(struct.unpack(">h", payload[2:4])[0], 1)
        c.sock.sendall(segment(frame(5, 3, OPTIONS, b""), corrupt=True))
        with self.assertRaises((EOFError, ConnectionResetError)):
            c.segment()

    def test_garbage_never_kills_the_server(self):
        import random
        rng = random.Random(42)
        bodies = [b"", b"\x00", b"\xff" * 7, startup_body(), query_body("SELECT * FROM system.local"),
                  query_body("INSERT INTO x.y (a) VALUES (?)"), struct.pack(">I", 0x7fffffff),
                  struct.pack(">H", 16) + bytes(16) + struct.pack(">HBH", 1, 1, 3) + struct.pack(">i", -7)]
        for round_ in range(60):
            c = Conn(self.server.port)
            try:
                c.sock.sendall(frame(4, 0, STARTUP, startup_body()))
                c.frame()
                for _ in range(20):
                    body = rng.choice(bodies) + bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
                    if rng.random() < 0.5:
                        body = bytes(rng.randrange(256) for _ in range(rng.randrange(60)))
                    opcode = rng.choice([0x01, 0x05, 0x07, 0x09, 0x0A, 0x0B, 0x0D, 0x0F, 0x42])
                    flags = rng.choice([0, 0, 0x01, 0x04])
                    c.sock.sendall(struct.pack(">BBhBI", 4, flags, rng.randrange(100), opcode, len(body)) + body)
                if round_ % 10 == 0:  # and some raw noise, including bogus lengths
                    c.sock.sendall(bytes(rng.randrange(256) for _ in range(200)))
            except OSError:
                pass
            finally:
                c.sock.close()
        for round_ in range(20):  # v5: valid segments carrying random envelopes
            c = Conn(self.server.port)
            try:
                c.sock.sendall(frame(5, 0, STARTUP, startup_body()))
                c.frame()
                for _ in range(10):
                    body = rng.choice(bodies) + bytes(rng.randrange(256) for _ in range(rng.randrange(40)))
                    opcode = rng.choice([0x05, 0x07, 0x09, 0x0A, 0x0D])
                    env = struct.pack(">BBhBI", 5, rng.choice([0, 0x01]), 1, opcode, len(body)) + body
                    if rng.random() < 0.3:
                        env = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30)))
                    c.sock.sendall(segment(env))
            except OSError:
                pass
            finally:
                c.sock.close()
        c = Conn(self.server.port)
        c.sock.sendall(frame(4, 5, OPTIONS, b""))
        self.assertEqual(c.frame()[1:3], (5, SUPPORTED))
        self.assertIsNone(self.server.proc.poll())

    def test_command_line(self):
        binary = harness.server_binary()
        r = subprocess.run([binary, "--nodes", "0"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 64)
        r = subprocess.run([binary, "--bogus"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 64)
        self.assertIn("usage:", r.stderr)
        r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0)
        for word in ("--listen", "--port", "--nodes", "--auth", "--tls", "--version-max", "overloaded N",
                     "write_timeout N", "unavailable N", "bootstrapping N", "delay MS", "drop", "down I", "stats"):
            self.assertIn(word, r.stdout)
        r = subprocess.run([binary, "--port", str(self.server.port)], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 69)


if __name__ == "__main__":
    harness.run(__name__)
