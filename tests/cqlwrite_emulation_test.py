"""cqlwrite against cql_test_server emulating what real clusters do (read back and
cross-checked with the DataStax Python driver):

- Cassandra 3.11 (--version-max 4, v5 refused as a beta, system.peers only):
  cqlwrite steps down to v4, finds the 3 nodes and routes every row to its owner.
- Nodes on different native ports (--port-per-node): on v4 too, cqlwrite reads
  them from system.peers_v2 (as the drivers do) and routes every row.
- rpc_address 0.0.0.0 in system.peers / native_address in peers_v2: cqlwrite uses
  the peer address, on v4 and v5, and routes every row to its owner.
- native_transport_max_frame_size: a row whose request would exceed 16 MiB (or
  --max-frame-size) is rejected with its line and the reason, and never sent; the
  rows around it are stored and the connection is kept.
- A JSON object with a repeated key going into a map (or an array with a repeated
  element going into a set) is rejected with its line, not stored changed.
- --map COL=FIELD takes a dotted path (login.uuid, tags.1), as pgload's --map and
  kproduce's -k do; a record missing the path of a --map column (key or not) is
  rejected with a message naming the path; two columns fed by one field are a
  usage error.
- Replication factor 3 with one node down: consistency ALL gets Unavailable (the
  rows fail, nothing is stored changed), QUORUM stores every row and the down node
  gets none.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cqlserver"))
import harness  # noqa: E402

harness.require_driver()


def cqlwrite_bin():
    b = os.path.join(os.environ.get("AIRSTREAM_BIN", ""), "cqlwrite")
    if not os.access(b, os.X_OK):
        print("skipping: cqlwrite not built")
        sys.exit(harness.SKIP)
    return b


def users(n, seed):
    """n records of a small table: id uuid, name text, n int."""
    import random
    import uuid
    rng = random.Random(seed)
    return [{"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "name": "user %d" % i, "n": i}
            for i in range(n)]


class Case(unittest.TestCase):
    def run_cqlwrite(self, server, args, records, nodes=None):
        hosts = ",".join("%s:%d" % (h, server.port) for h in (nodes or server.hosts))
        data = "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)
        p = subprocess.run([cqlwrite_bin(), "-H", hosts] + args, input=data, capture_output=True, text=True,
                           timeout=300)
        return p.returncode, p.stderr

    def session(self, server, **kw):
        c = harness.cluster(server, protocol_version=4, **kw)
        self.addCleanup(c.shutdown)
        return c.connect()

    def check_routed(self, server, total):
        stats = server.stats()
        self.assertEqual(sum(s["rows_written"] for s in stats), total, stats)
        self.assertEqual(sum(s["rows_not_replica"] for s in stats), 0, stats)
        self.assertTrue(all(s["rows_written"] > 0 for s in stats), stats)

    SCHEMA = ["--create", "--schema", "id uuid PRIMARY KEY, name text, n int"]

    def test_cassandra_311(self):
        server = harness.TestServer(nodes=3, version_max=4)
        self.addCleanup(server.stop)
        recs = users(300, 1)
        rc, err = self.run_cqlwrite(server, ["-v", "-k", "c3", "-t", "u"] + self.SCHEMA, recs, server.hosts[:1])
        self.assertEqual(rc, 0, err)
        self.assertIn("protocol v4", err)
        self.check_routed(server, 300)
        s = self.session(server)
        self.assertEqual(s.execute("SELECT count(*) FROM c3.u").one()[0], 300)

    def test_rpc_address_any(self):
        server = harness.TestServer(nodes=3, extra=["--rpc-address-any"])
        self.addCleanup(server.stop)
        for version in (4, 5):
            recs = users(200, version)
            rc, err = self.run_cqlwrite(server, ["--protocol-version", str(version), "-k", "ra", "-t", "u%d" % version]
                                        + self.SCHEMA, recs, server.hosts[:1])
            self.assertEqual(rc, 0, err)
            self.assertNotIn("is not used", err)
        self.check_routed(server, 400)

    def test_per_node_ports_on_v4(self):
        # Cassandra 4 lists each node's native port in system.peers_v2, to v4 clients
        # too; system.peers has none (before: cqlwrite read peers_v2 on v5 only, and on
        # v4 tried every node on the contact point's port)
        server = harness.TestServer(nodes=3, extra=["--port-per-node"])
        self.addCleanup(server.stop)
        recs = users(300, 11)
        rc, err = self.run_cqlwrite(server, ["--protocol-version", "4", "-k", "pp", "-t", "u"] + self.SCHEMA, recs,
                                    server.hosts[:1])
        self.assertEqual(rc, 0, err)
        self.assertNotIn("is not used", err)
        self.check_routed(server, 300)

    def test_frame_limit_and_repeated_keys(self):
        server = harness.TestServer(nodes=1)
        self.addCleanup(server.stop)
        schema = ["--create", "--schema",
                  "id int PRIMARY KEY, l list<int>, t text, m map<text, int>, im map<int, text>, s set<int>"]
        # 2.2 million one-digit ints: a 4.4 MB line, an 18 MB row (4-byte length + 4-byte int each)
        big = '{"id": 2, "l": [' + ",".join(["7"] * 2200000) + "]}"
        recs = [{"id": 1, "t": "before"}, big, {"id": 3, "t": "after"},
                '{"id": 4, "m": {"a": 1, "b": 2, "a": 3}}',
                '{"id": 5, "im": {"1": "x", "01": "y"}}', '{"id": 6, "s": [5, 1, 5]}',
                '{"id": 7, "m": {"b": 2, "a": 1}, "s": [3, 2, 1], "im": {"10": "x", "-1": "y"}}']
        rc, err = self.run_cqlwrite(server, ["-k", "fl", "-t", "t"] + schema, recs)
        self.assertEqual(rc, 1, err)
        self.assertRegex(err, r"rejected line 2: row of \d+ bytes does not fit in a request of at most 16777216 bytes")
        self.assertIn("native_transport_max_frame_size", err)
        self.assertRegex(err, r'rejected line 4: m: key "a" repeats an earlier key')
        self.assertRegex(err, r'rejected line 5: im: key "01" repeats an earlier key')
        self.assertRegex(err, r"rejected line 6: s: element 3 repeats an earlier one")
        self.assertNotIn("connection", err.lower())
        self.assertEqual(server.stats()[0]["rows_written"], 3)  # the big row never reached the server
        s = self.session(server)
        rows = {r.id: r for r in s.execute("SELECT * FROM fl.t")}
        self.assertEqual(sorted(rows), [1, 3, 7])
        self.assertEqual(dict(rows[7].m), {"a": 1, "b": 2})
        self.assertEqual(sorted(rows[7].s), [1, 2, 3])
        # a lower limit for a cluster configured so: a 2 MB text is refused at 1 MiB
        rc, err = self.run_cqlwrite(server, ["-k", "fl", "-t", "t", "--max-frame-size", "1"],
                                    [{"id": 8, "t": "z" * 2000000}, {"id": 9, "t": "small"}])
        self.assertEqual(rc, 1, err)
        self.assertIn("rejected line 1: row of 2000", err)
        self.assertEqual(sorted(r.id for r in s.execute("SELECT id FROM fl.t")), [1, 3, 7, 9])

    def test_map_dotted_path(self):
        server = harness.TestServer(nodes=1)
        self.addCleanup(server.stop)
        u1, u2, u3 = ("%df1c5a0e-9f3a-4c59-9d7e-0a4f8d1b2c3d" % i for i in (6, 7, 8))
        recs = ['{"name": {"first": "Ann"}, "login": {"username": "ann1", "uuid": "%s", "salt": "x"}, '
                '"tags": ["a", "b"]}' % u1,
                '{"login": {"uuid": "%s"}, "name": {"first": "Bo"}, "tags": ["a", "b"]}' % u2,
                '{"login": {"username": "no uuid"}, "name": {"first": "Cy"}, "tags": ["a", "b"]}',
                '{"login": {"uuid": "nope", "username": "d"}, "name": {"first": "Di"}, "tags": ["a", "b"]}',
                '{"login": {"uuid": "%s", "username": null}, "name": {"first": null}, "tags": ["a", null]}' % u3,
                '{"login": {"uuid": "%s", "username": "e"}, "name": null, "tags": ["a", "b"]}' % u2,
                '{"login": {"uuid": "%s", "username": "f"}, "name": {"first": "Fa"}, "tags": ["a"]}' % u2]
        rc, err = self.run_cqlwrite(server, ["-k", "mp", "-t", "t", "--create", "--schema",
                                             "user_id uuid PRIMARY KEY, uname text, first text, tag text",
                                             "--map", "user_id=login.uuid", "--map", "uname=login.username",
                                             "--map", "first=name.first", "--map", "tag=tags.1"], recs)
        self.assertEqual(rc, 1, err)
        # A record without a mapped path is rejected naming the path, for key and
        # other columns alike (a JSON null at the path is a value: it writes null).
        for line, col, path in ((2, "uname", "login.username"), (3, "user_id", "login.uuid"),
                                (6, "first", "name.first"), (7, "tag", "tags.1")):
            self.assertIn("rejected line %d: %s: no field %s in the record (--map %s=%s)" % (line, col, path, col, path),
                          err)
        self.assertIn('rejected line 4: user_id (login.uuid): expected uuid, got "nope"', err)
        s = self.session(server)
        rows = sorted((str(r.user_id), r.uname, r.first, r.tag) for r in s.execute("SELECT * FROM mp.t"))
        self.assertEqual(rows, [(u1, "ann1", "Ann", "b"), (u3, None, None, None)])
        # Two columns fed by one field: a usage error, not a column silently left out.
        rc, err = self.run_cqlwrite(server, ["-k", "mp", "-t", "t", "--map", "first=uname"], [])
        self.assertEqual(rc, 64, err)
        self.assertIn("would both take field uname", err)

    def test_unavailable_with_a_node_down(self):
        server = harness.TestServer(nodes=3)
        self.addCleanup(server.stop)
        rc, err = self.run_cqlwrite(server, ["-k", "rf", "-t", "u", "--replication",
                                             "{'class': 'SimpleStrategy', 'replication_factor': 3}"] + self.SCHEMA, [])
        self.assertEqual(rc, 0, err)
        self.assertEqual(server.cmd("down 2"), ["ok down 2"])
        recs = users(100, 7)
        rc, err = self.run_cqlwrite(server, ["-k", "rf", "-t", "u", "--consistency", "ALL", "--retries", "1"], recs)
        self.assertNotEqual(rc, 0, err)
        self.assertIn("Cannot achieve consistency level ALL", err)
        s = self.session(server)
        self.assertEqual(s.execute("SELECT count(*) FROM rf.u").one()[0], 0)
        rc, err = self.run_cqlwrite(server, ["-k", "rf", "-t", "u", "--consistency", "QUORUM"], recs)
        self.assertEqual(rc, 0, err)
        stats = server.stats()
        self.assertEqual(stats[1]["rows_written"], 0, stats)
        self.assertEqual(stats[0]["rows_written"] + stats[2]["rows_written"], 100, stats)
        self.assertEqual(sum(x["rows_not_replica"] for x in stats), 0, stats)
        self.assertEqual(s.execute("SELECT count(*) FROM rf.u").one()[0], 100)


if __name__ == "__main__":
    harness.run(__name__)
