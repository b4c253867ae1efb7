"""cql_test_server as a 3-node ring, checked with the DataStax Python driver.

- The server's Murmur3 tokens equal the driver's (cassandra.murmur3.murmur3) on
  keys of every tail length, with bytes >= 0x80 (Cassandra's signed-byte quirk).
- system.local / system.peers(_v2) describe a ring the driver discovers: it
  connects to all 3 nodes, and its token map matches the server's ownership.
- TokenAwarePolicy sends every prepared insert to the node owning its token:
  `stats` then reports rows_not_replica == 0 on every node (simple and composite
  partition keys), while writes are spread over all nodes.
- `down I` / `up I` stop and restart one node's listener.
"""
import os
import random
import socket
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cqlserver"))
import harness  # noqa: E402

harness.require_driver()

from cassandra.murmur3 import murmur3  # noqa: E402
from cassandra.policies import RoundRobinPolicy, TokenAwarePolicy  # noqa: E402
from cassandra.protocol import ProtocolVersion  # noqa: E402


def can_connect(host, port):
    try:
        with socket.create_connection((host, port), timeout=5):
            return True
    except OSError:
        return False


class Routing(harness.ServerCase):
    SERVER_ARGS = {"nodes": 3}

    def test_murmur3_vectors(self):
        rng = random.Random(6)
        keys = [b"", b"a", b"abc", bytes(range(256))[:40], b"\xff" * 15, b"\x80" * 7, b"\xfe\x7f\x80\x01" * 9]
        keys += [bytes(rng.randrange(256) for _ in range(n)) for n in range(0, 48)]
        for key in keys:
            reply = self.server.cmd("token " + key.hex())[0]
            self.assertTrue(reply.startswith("token "), reply)
            self.assertEqual(int(reply.split()[1]), murmur3(key), "key %s" % key.hex())

    def cluster(self, version):
        c = harness.cluster(self.server, protocol_version=version,
                            load_balancing_policy=TokenAwarePolicy(RoundRobinPolicy()))
        self.addCleanup(c.shutdown)
        return c

    def routed(self, version):
        c = self.cluster(version)
        s = c.connect()
        ks = "ring_v%d" % version
        s.execute("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}" % ks)
        s.execute("CREATE TABLE %s.single (id uuid PRIMARY KEY, v text)" % ks)
        s.execute("CREATE TABLE %s.composite (a int, b text, c int, v blob, PRIMARY KEY ((a, b), c))" % ks)
        c.refresh_schema_metadata()
        # the driver found every node, each with its own token
        hosts = sorted(str(h.endpoint.address) for h in c.metadata.all_hosts())
        self.assertEqual(hosts, ["127.0.0.1", "127.0.0.2", "127.0.0.3"])
        self.assertEqual(len(c.metadata.token_map.ring), 3)
        before = self.server.stats()
        single = s.prepare("INSERT INTO %s.single (id, v) VALUES (?, ?)" % ks)
        composite = s.prepare("INSERT INTO %s.composite (a, b, c, v) VALUES (?, ?, ?, ?)" % ks)
        self.assertEqual(len(single.routing_key_indexes), 1)
        self.assertEqual(composite.routing_key_indexes, [0, 1])
        n = 300
        for i in range(n):
            s.execute(single, [uuid.uuid4(), "v%d" % i])
            s.execute(composite, [i, "b\u00e9%d" % i, i % 3, os.urandom(8)])
        after = self.server.stats()
        written = [a["rows_written"] - b["rows_written"] for a, b in zip(after, before)]
        self.assertEqual(sum(written), 2 * n)
        for node, count in enumerate(written):
            self.assertGreater(count, 2 * n // 10, "node %d got too few rows: %s" % (node + 1, written))
        self.assertTrue(all(a["connections"] >= 1 for a in after), after)  # the driver pools every node
        for a, b in zip(after, before):
            self.assertEqual(a["rows_not_replica"] - b["rows_not_replica"], 0, (before, after))
        # the driver's replica for a key is the node the server says owns it
        for i in range(20):
            key = uuid.uuid4().bytes
            owner = int(self.server.cmd("token " + key.hex())[0].split()[3])
            replicas = c.metadata.get_replicas(ks, key)
            self.assertEqual([str(h.endpoint.address) for h in replicas], ["127.0.0.%d" % owner])
        self.assertEqual(s.execute("SELECT count(*) FROM %s.single" % ks).one()[0], n)

    def test_token_aware_v4(self):
        self.routed(4)

    def test_token_aware_v5(self):
        if 5 not in ProtocolVersion.SUPPORTED_VERSIONS:
            self.skipTest("driver has no protocol v5")
        self.routed(5)

    def test_round_robin_counts_misrouted_rows(self):
        # without token awareness about 2/3 of the rows land on a non-owner: the counter must see them
        c = harness.cluster(self.server, protocol_version=4, nodes=["127.0.0.1"],
                            load_balancing_policy=RoundRobinPolicy())
        self.addCleanup(c.shutdown)
        s = c.connect()
        s.execute("CREATE KEYSPACE IF NOT EXISTS rr WITH replication = "
                  "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        s.execute("CREATE TABLE IF NOT EXISTS rr.t (id int PRIMARY KEY)")
        before = sum(x["rows_not_replica"] for x in self.server.stats())
        p = s.prepare("INSERT INTO rr.t (id) VALUES (?)")
        for i in range(60):
            s.execute(p, [i])
        self.assertGreater(sum(x["rows_not_replica"] for x in self.server.stats()) - before, 10)

    def test_down_up(self):
        port = self.server.port
        self.assertTrue(can_connect("127.0.0.2", port))
        self.assertEqual(self.server.cmd("down 2"), ["ok down 2"])
        self.assertFalse(can_connect("127.0.0.2", port))
        self.assertTrue(can_connect("127.0.0.3", port))
        self.assertFalse(self.server.stats()[1]["up"])
        self.assertEqual(self.server.cmd("up 2"), ["ok up 2"])
        deadline = time.monotonic() + 30
        while not can_connect("127.0.0.2", port) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(can_connect("127.0.0.2", port))
        self.assertTrue(self.server.stats()[1]["up"])
        self.assertTrue(self.server.cmd("down 9")[0].startswith("error"))


if __name__ == "__main__":
    harness.run(__name__)
