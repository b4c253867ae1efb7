"""Conformance of cql_test_server with the DataStax Python driver (python3-cassandra).

Connects with protocol v4 and v5 (with and without LZ4 when the driver has lz4),
creates schema, writes every supported type through simple statements, prepared
statements and batches, reads them back and compares; also unset vs null, paging,
count(*), LIMIT, USE and the schema metadata the driver builds from system_schema.
"""
import datetime
import decimal
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cqlserver"))
import harness  # noqa: E402

harness.require_driver()

from cassandra import InvalidRequest  # noqa: E402
from cassandra.query import BatchStatement, BatchType, SimpleStatement  # noqa: E402
from cassandra.util import Date, Time  # noqa: E402
from cassandra.protocol import ProtocolVersion  # noqa: E402

try:
    import lz4  # noqa: F401
    HAVE_LZ4 = True
except ImportError:
    HAVE_LZ4 = False

COLUMNS = [
    ("a", "ascii", "plain ascii"),
    ("t", "text", "h\u00e9llo \u2713 'quoted'"),
    ("vc", "varchar", ""),
    ("u", "uuid", uuid.UUID("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")),
    ("tu", "timeuuid", uuid.UUID("e3c6a2f0-a8a7-11ee-9c8a-0242ac120002")),
    ("i", "int", -2147483648),
    ("bi", "bigint", 9223372036854775807),
    ("si", "smallint", -300),
    ("ti", "tinyint", 127),
    ("vi", "varint", -(2 ** 100) + 7),
    ("f", "float", 1.5),
    ("d", "double", 3.141592653589793),
    ("dec", "decimal", decimal.Decimal("-123.4500")),
    ("b", "boolean", True),
    ("ts", "timestamp", datetime.datetime(2024, 1, 2, 3, 4, 5, 678000)),
    ("dt", "date", Date(datetime.date(2024, 2, 29))),
    ("tm", "time", Time(datetime.time(12, 34, 56, 789))),
    ("ip", "inet", "10.1.2.3"),
    ("ip6", "inet", "2001:db8::1"),
    ("bl", "blob", b"\x00\xff\x10binary"),
    ("l", "list<int>", [3, 1, 2]),
    ("s", "set<text>", {"b", "a", "c"}),
    ("m", "map<text, int>", {"x": 1, "y": -2}),
    ("tp", "tuple<int, text, boolean>", (7, "seven", False)),
    ("fl", "frozen<list<text>>", ["p", "q"]),
    ("nm", "map<int, frozen<list<double>>>", {1: [0.5, 2.0], -1: []}),
    ("st", "set<timestamp>", {datetime.datetime(2020, 5, 6, 7, 8, 9)}),
]


def normalize(name, value):
    """Turns driver results into comparable python values."""
    if value is None:
        return None
    if name in ("s", "st"):
        return set(value)
    if name == "m":
        return dict(value)
    if name == "nm":
        return {k: list(v) for k, v in value.items()}
    if name in ("l", "fl"):
        return list(value)
    return value


class DriverConformance(harness.ServerCase):

    def connect(self, version, compression=False):
        c = harness.cluster(self.server, protocol_version=version, compression=compression)
        self.addCleanup(c.shutdown)
        session = c.connect()
        # python tuples as CQL tuple literals (the driver's documented switch; lists by default)
        session.encoder.mapping[tuple] = session.encoder.cql_encode_tuple
        return c, session

    def schema(self, session, ks):
        session.execute("CREATE KEYSPACE IF NOT EXISTS %s WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}" % ks)
        cols = ", ".join("%s %s" % (n, t) for n, t, _ in COLUMNS)
        session.execute("CREATE TABLE IF NOT EXISTS %s.alltypes (id int PRIMARY KEY, %s)" % (ks, cols))

    def check_row(self, session, ks, key, expect=None):
        rows = list(session.execute("SELECT * FROM %s.alltypes WHERE id = %%s" % ks, (key,)))
        self.assertEqual(len(rows), 1, "row %d" % key)
        row = rows[0]._asdict()
        for name, _, value in COLUMNS:
            want = (expect or {}).get(name, value)
            self.assertEqual(normalize(name, row[name]), normalize(name, want), "column %s" % name)

    def roundtrip(self, version, compression=False):
        cluster, session = self.connect(version, compression)
        self.assertEqual(cluster.protocol_version, version)
        ks = "ks_v%d%s" % (version, "_lz4" if compression else "")
        self.schema(session, ks)
        names = ", ".join(n for n, _, _ in COLUMNS)
        marks = ", ".join(["%s"] * len(COLUMNS))
        values = [v for _, _, v in COLUMNS]
        # 1: simple statement, values interpolated by the driver as CQL literals
        session.execute("INSERT INTO %s.alltypes (id, %s) VALUES (%%s, %s)" % (ks, names, marks), [1] + values)
        self.check_row(session, ks, 1)
        # 2: prepared statement, values bound in the protocol
        qmarks = ", ".join(["?"] * len(COLUMNS))
        prep = session.prepare("INSERT INTO %s.alltypes (id, %s) VALUES (?, %s)" % (ks, names, qmarks))
        session.execute(prep, [2] + values)
        self.check_row(session, ks, 2)
        # 3-5: an unlogged batch of a prepared and a simple statement, then a logged one
        batch = BatchStatement(batch_type=BatchType.UNLOGGED, session=session)
        batch.add(prep, [3] + values)
        batch.add(SimpleStatement("INSERT INTO %s.alltypes (id, %s) VALUES (%%s, %s)" % (ks, names, marks)),
                  [4] + values)
        session.execute(batch)
        logged = BatchStatement()
        logged.add(prep, [5] + values)
        session.execute(logged)
        for key in (3, 4, 5):
            self.check_row(session, ks, key)
        # prepared SELECT with a bound partition key
        sel = session.prepare("SELECT * FROM %s.alltypes WHERE id = ?" % ks)
        self.assertEqual(normalize("m", session.execute(sel, [2]).one().m), {"x": 1, "y": -2})
        # count(*) and LIMIT
        self.assertEqual(session.execute("SELECT count(*) FROM %s.alltypes" % ks).one()[0], 5)
        self.assertEqual(len(list(session.execute("SELECT id FROM %s.alltypes LIMIT 2" % ks))), 2)
        # driver metadata built from system_schema
        meta = cluster.metadata.keyspaces[ks].tables["alltypes"]
        self.assertEqual([c.name for c in meta.partition_key], ["id"])
        for name, typ, _ in COLUMNS:
            self.assertEqual(meta.columns[name].cql_type.replace(" ", ""), typ.replace(" ", "").replace("varchar", "text"))

    def test_v4(self):
        self.roundtrip(4)

    def test_v5(self):
        if 5 not in ProtocolVersion.SUPPORTED_VERSIONS:
            self.skipTest("driver has no protocol v5")
        self.roundtrip(5)

    @unittest.skipUnless(HAVE_LZ4, "python3-lz4 not installed")
    def test_v4_lz4(self):
        self.roundtrip(4, compression="lz4")

    @unittest.skipUnless(HAVE_LZ4, "python3-lz4 not installed")
    def test_v5_lz4(self):
        self.roundtrip(5, compression="lz4")

    def test_negotiation_steps_down(self):
        # no protocol_version: the driver starts above v5 and steps down on protocol errors
        c = harness.cluster(self.server)
        self.addCleanup(c.shutdown)
        c.connect()
        self.assertEqual(c.protocol_version, 5)
        limited = harness.TestServer(version_max=4)
        self.addCleanup(limited.stop)
        c4 = harness.cluster(limited)
        self.addCleanup(c4.shutdown)
        c4.connect().execute("SELECT release_version FROM system.local")
        self.assertEqual(c4.protocol_version, 4)

    def test_concurrent_writes(self):
        from cassandra.concurrent import execute_concurrent_with_args
        _, session = self.connect(5 if 5 in ProtocolVersion.SUPPORTED_VERSIONS else 4)
        session.execute("CREATE KEYSPACE IF NOT EXISTS ks_conc WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.execute("CREATE TABLE IF NOT EXISTS ks_conc.t (id uuid PRIMARY KEY, n int, s text)")
        prep = session.prepare("INSERT INTO ks_conc.t (id, n, s) VALUES (?, ?, ?)")
        args = [(uuid.uuid4(), i, "row %d" % i) for i in range(3000)]
        results = execute_concurrent_with_args(session, prep, args, concurrency=200)
        self.assertTrue(all(ok for ok, _ in results))
        self.assertEqual(session.execute("SELECT count(*) FROM ks_conc.t").one()[0], 3000)
        sel = session.prepare("SELECT n, s FROM ks_conc.t WHERE id = ?")
        for key, n, s in args[::97]:
            row = session.execute(sel, [key]).one()
            self.assertEqual((row.n, row.s), (n, s))

    def test_unset_and_null(self):
        from cassandra.query import UNSET_VALUE
        _, session = self.connect(4)
        session.execute("CREATE KEYSPACE IF NOT EXISTS ks_unset WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.execute("CREATE TABLE IF NOT EXISTS ks_unset.t (k text, c int, a text, b int, PRIMARY KEY (k, c))")
        prep = session.prepare("INSERT INTO ks_unset.t (k, c, a, b) VALUES (?, ?, ?, ?)")
        session.execute(prep, ["x", 1, "first", 10])
        session.execute(prep, ["x", 1, UNSET_VALUE, None])  # a untouched, b nulled
        row = session.execute("SELECT a, b FROM ks_unset.t WHERE k = 'x'").one()
        self.assertEqual((row.a, row.b), ("first", None))
        session.execute(prep, ["x", 2, "second", UNSET_VALUE])
        rows = list(session.execute("SELECT c, a, b FROM ks_unset.t WHERE k = %s", ["x"]))
        self.assertEqual([(r.c, r.a, r.b) for r in rows], [(1, "first", None), (2, "second", None)])

    def test_clustering_order(self):
        cluster, session = self.connect(4)
        session.execute("CREATE KEYSPACE IF NOT EXISTS ks_order WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.execute("CREATE TABLE IF NOT EXISTS ks_order.t (p int, a int, b text, d double, v int, "
                        "PRIMARY KEY (p, a, b, d)) WITH CLUSTERING ORDER BY (a ASC, b DESC, d ASC)")
        keys = [(a, b, d) for a in (-5, 0, 3, 1000) for b in ("", "b", "aa", "a\x00") for d in (-1.5, 0.0, 2.25)]
        prep = session.prepare("INSERT INTO ks_order.t (p, a, b, d, v) VALUES (1, ?, ?, ?, 0)")
        for k in reversed(keys):
            session.execute(prep, k)
        rows = [(r.a, r.b, r.d) for r in session.execute("SELECT a, b, d FROM ks_order.t WHERE p = 1")]
        expect = sorted(keys, key=lambda k: (k[0], [-ord(ch) for ch in k[1]] + [1], k[2]))
        self.assertEqual(rows, expect)
        meta = cluster.metadata.keyspaces["ks_order"].tables["t"]
        self.assertEqual([c.name for c in meta.clustering_key], ["a", "b", "d"])
        self.assertEqual([c.is_reversed for c in meta.clustering_key], [False, True, False])

    def test_update_and_delete(self):
        _, session = self.connect(4)
        session.execute("CREATE KEYSPACE IF NOT EXISTS ks_upd WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.execute("CREATE TABLE IF NOT EXISTS ks_upd.t (k int, c int, a text, b int, PRIMARY KEY (k, c))")
        for k in (1, 2):
            for c in (1, 2, 3):
                session.execute("INSERT INTO ks_upd.t (k, c, a, b) VALUES (%s, %s, 'x', 0)", (k, c))
        upd = session.prepare("UPDATE ks_upd.t USING TTL 60 SET a = ?, b = ? WHERE k = ? AND c = ?")
        self.assertEqual(upd.routing_key_indexes, [2])
        session.execute(upd, ["changed", 7, 1, 2])
        session.execute("UPDATE ks_upd.t SET b = 9 WHERE k = 1 AND c = 4")  # upsert creates the row
        session.execute("DELETE a FROM ks_upd.t WHERE k = 1 AND c = 1")
        session.execute(session.prepare("DELETE FROM ks_upd.t WHERE k = ? AND c = ?"), [1, 3])
        rows = [(r.c, r.a, r.b) for r in session.execute("SELECT c, a, b FROM ks_upd.t WHERE k = 1")]
        self.assertEqual(rows, [(1, None, 0), (2, "changed", 7), (4, None, 9)])
        batch = BatchStatement(session=session)
        batch.add("DELETE FROM ks_upd.t WHERE k = %s", (2,))
        batch.add("UPDATE ks_upd.t SET a = 'new' WHERE k = 2 AND c = 5")
        session.execute(batch)
        self.assertEqual([(r.c, r.a) for r in session.execute("SELECT * FROM ks_upd.t WHERE k = 2")], [(5, "new")])
        with self.assertRaisesRegex(InvalidRequest, "Non PRIMARY KEY columns found in where clause: b"):
            session.execute("UPDATE ks_upd.t SET a = 'y' WHERE k = 1 AND c = 1 AND b = 0")
        with self.assertRaisesRegex(InvalidRequest, "partition key parts are missing"):
            session.execute("DELETE FROM ks_upd.t WHERE c = 1")

    def test_paging_and_use(self):
        _, session = self.connect(5 if 5 in ProtocolVersion.SUPPORTED_VERSIONS else 4)
        session.execute("CREATE KEYSPACE IF NOT EXISTS ks_page WITH replication = "
                        "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        session.execute("USE ks_page")
        session.execute("CREATE TABLE IF NOT EXISTS p (id int PRIMARY KEY, v text)")
        prep = session.prepare("INSERT INTO p (id, v) VALUES (?, ?) USING TTL 3600")
        for i in range(250):
            session.execute(prep, [i, "v%d" % i])
        stmt = SimpleStatement("SELECT * FROM p", fetch_size=40)
        result = session.execute(stmt)
        self.assertTrue(result.has_more_pages)
        self.assertEqual(sorted(r.id for r in result), list(range(250)))
        self.assertEqual(session.execute("SELECT count(*) FROM p").one().count, 250)


if __name__ == "__main__":
    harness.run(__name__)
