"""cql_test_server behaviours that a real Cassandra cluster has and cqlwrite depends
on, each driven by the DataStax Python driver (an independent client):

- write timestamps: each cell keeps the timestamp it was written with (USING
  TIMESTAMP, else the request's default timestamp, else the server clock); the
  higher timestamp wins, on a tie a tombstone wins and then the greater value;
  WRITETIME(col) reads it back; deletions only remove cells written at or before
  their timestamp.
"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cqlserver"))
import harness  # noqa: E402

harness.require_driver()


class Timestamps(harness.ServerCase):
    SERVER_ARGS = {"nodes": 1}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cluster = harness.cluster(cls.server, protocol_version=4)
        cls.session = cls.cluster.connect()
        cls.session.execute("CREATE KEYSPACE ts WITH replication = "
                            "{'class': 'SimpleStrategy', 'replication_factor': 1}")
        cls.session.execute("CREATE TABLE ts.t (id int PRIMARY KEY, a text, b text)")

    @classmethod
    def tearDownClass(cls):
        cls.cluster.shutdown()
        super().tearDownClass()

    def row(self, key):
        return self.session.execute("SELECT a, b, writetime(a) AS wa, writetime(b) AS wb FROM ts.t WHERE id = %s",
                                    [key]).one()

    def test_higher_timestamp_wins(self):
        s = self.session
        s.execute("INSERT INTO ts.t (id, a, b) VALUES (1, 'new', 'new') USING TIMESTAMP 2000")
        s.execute("INSERT INTO ts.t (id, a) VALUES (1, 'old') USING TIMESTAMP 1000")
        r = self.row(1)
        self.assertEqual((r.a, r.b, r.wa, r.wb), ("new", "new", 2000, 2000))
        s.execute("INSERT INTO ts.t (id, b) VALUES (1, 'newer') USING TIMESTAMP 3000")
        r = self.row(1)
        self.assertEqual((r.a, r.b, r.wa, r.wb), ("new", "newer", 2000, 3000))

    def test_tie_greater_value_and_tombstone_win(self):
        s = self.session
        s.execute("INSERT INTO ts.t (id, a) VALUES (2, 'm') USING TIMESTAMP 5000")
        s.execute("INSERT INTO ts.t (id, a) VALUES (2, 'a') USING TIMESTAMP 5000")
        self.assertEqual(self.row(2).a, "m")
        s.execute("INSERT INTO ts.t (id, a) VALUES (2, 'z') USING TIMESTAMP 5000")
        self.assertEqual(self.row(2).a, "z")
        s.execute("INSERT INTO ts.t (id, a) VALUES (2, null) USING TIMESTAMP 5000")
        self.assertIsNone(self.row(2).a)
        s.execute("INSERT INTO ts.t (id, a) VALUES (2, 'zz') USING TIMESTAMP 5000")
        self.assertIsNone(self.row(2).a)

    def test_driver_client_timestamps(self):
        # The driver sends a default timestamp (flag 0x20) with each request: make it go back in time.
        c = harness.cluster(self.server, protocol_version=5)
        self.addCleanup(c.shutdown)
        clock = iter([9_000_000, 8_000_000, 10_000_000])
        c.timestamp_generator = lambda: next(clock)
        s = c.connect()
        ins = s.prepare("INSERT INTO ts.t (id, a) VALUES (?, ?)")
        s.execute(ins, [3, "first"])
        s.execute(ins, [3, "second, older"])
        r = self.row(3)
        self.assertEqual((r.a, r.wa), ("first", 9_000_000))
        from cassandra.query import BatchStatement, BatchType
        b = BatchStatement(batch_type=BatchType.UNLOGGED)
        b.add(ins, [3, "batch"])
        s.execute(b)
        r = self.row(3)
        self.assertEqual((r.a, r.wa), ("batch", 10_000_000))

    def test_server_clock_and_deletes(self):
        s = self.session
        before = int(time.time() * 1e6)
        s.execute("INSERT INTO ts.t (id, a, b) VALUES (4, 'x', 'y')")
        r = self.row(4)
        self.assertGreaterEqual(r.wa, before - 5_000_000)  # a clock in microseconds, not milliseconds
        s.execute("DELETE a FROM ts.t USING TIMESTAMP 10 WHERE id = 4")  # older than the cell: no effect
        self.assertEqual(self.row(4).a, "x")
        s.execute("DELETE FROM ts.t USING TIMESTAMP %d WHERE id = 4" % (r.wa + 1))
        self.assertIsNone(self.row(4))


if __name__ == "__main__":
    harness.run(__name__)
