"""cql_test_server errors and faults, as the DataStax Python driver sees them.

Every rejection Cassandra makes that the server imitates must reach the driver as
the right exception class (InvalidRequest, SyntaxException, Unavailable,
WriteTimeout, OverloadedErrorMessage, IsBootstrappingErrorMessage,
AuthenticationFailed...), injected faults must apply to writes only and exactly N
times, Unprepared must carry the statement id (the driver re-prepares), and
PasswordAuthenticator and TLS must work.
"""
import os
import ssl
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "cqlserver"))
import harness  # noqa: E402

harness.require_driver()

from cassandra import (InvalidRequest, OperationTimedOut, Unavailable, WriteTimeout,  # noqa: E402
                       AuthenticationFailed, WriteType)
from cassandra.auth import PlainTextAuthProvider  # noqa: E402
from cassandra.cluster import NoHostAvailable  # noqa: E402
from cassandra.policies import FallthroughRetryPolicy  # noqa: E402
from cassandra.protocol import (OverloadedErrorMessage, IsBootstrappingErrorMessage,  # noqa: E402
                                SyntaxException)
from cassandra.query import BatchStatement, BatchType  # noqa: E402

KS = "errks"


class Errors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = harness.TestServer()
        cls.cluster = harness.cluster(cls.server, protocol_version=4)
        cls.session = cls.cluster.connect()
        cls.session.execute("CREATE KEYSPACE %s WITH replication = "
                            "{'class': 'SimpleStrategy', 'replication_factor': 1}" % KS)
        cls.session.execute("CREATE TABLE %s.t (id uuid PRIMARY KEY, name text, n int)" % KS)
        cls.insert = cls.session.prepare("INSERT INTO %s.t (id, name, n) VALUES (?, ?, ?)" % KS)
        # no retries: the exception the server sent surfaces as is
        cls.insert.retry_policy = FallthroughRetryPolicy()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.shutdown()
        cls.server.stop()

    def setUp(self):
        for fault in ("overloaded", "write_timeout", "unavailable", "bootstrapping", "delay"):
            self.server.cmd("%s 0" % fault)

    def write(self):
        self.session.execute(self.insert, [uuid.uuid4(), "x", 1])

    def test_wrong_value_size_is_invalid(self):
        bound = self.insert.bind([uuid.uuid4(), "x", 1])
        bound.values[2] = b"\x00\x01\x02"  # 3 bytes for an int
        with self.assertRaisesRegex(InvalidRequest, "Expected 4 or 0 byte int"):
            self.session.execute(bound)
        bound = self.insert.bind([uuid.uuid4(), "x", 1])
        bound.values[0] = b"\x01" * 15  # 15 bytes for a uuid
        with self.assertRaisesRegex(InvalidRequest, "UUID should be 16"):
            self.session.execute(bound)
        bound = self.insert.bind([uuid.uuid4(), "x", 1])
        bound.values[1] = b"\xff\xfe"  # not UTF-8
        with self.assertRaises(InvalidRequest):
            self.session.execute(bound)

    def test_missing_or_null_partition_key(self):
        with self.assertRaisesRegex(InvalidRequest, "partition key parts are missing: id"):
            self.session.execute("INSERT INTO %s.t (name) VALUES ('x')" % KS)
        with self.assertRaisesRegex(InvalidRequest, "null value"):
            self.session.execute(self.insert, [None, "x", 1])

    def test_unknown_keyspace_table_column(self):
        with self.assertRaisesRegex(InvalidRequest, "Keyspace nosuchks does not exist"):
            self.session.execute("INSERT INTO nosuchks.t (id) VALUES (now())".replace("now()", str(uuid.uuid4())))
        with self.assertRaisesRegex(InvalidRequest, "unconfigured table nosuch"):
            self.session.execute("SELECT * FROM %s.nosuch" % KS)
        with self.assertRaisesRegex(InvalidRequest, "Undefined column name nope"):
            self.session.execute("INSERT INTO %s.t (id, nope) VALUES (%s, 1)" % (KS, uuid.uuid4()))
        with self.assertRaisesRegex(InvalidRequest, "Invalid STRING constant"):
            self.session.execute("INSERT INTO %s.t (id, n) VALUES (%s, 'one')" % (KS, uuid.uuid4()))

    def test_syntax_error(self):
        with self.assertRaises(SyntaxException):
            self.session.execute("INSERT INTO WHERE garbage")
        with self.assertRaises(SyntaxException):
            self.session.execute("SELEC * FROM system.local")

    def test_deep_nesting_is_a_syntax_error(self):
        # The parser recurses once per level of a collection literal or a type: past
        # its bound (100 levels) the statement is a SyntaxException, not a crash.
        deep = 200000
        lit = "[" * deep + "1" + "]" * deep
        with self.assertRaisesRegex(SyntaxException, "nesting deeper than"):
            self.session.execute("INSERT INTO %s.t (id, n) VALUES (%s, %s)" % (KS, uuid.uuid4(), lit))
        typ = "frozen<list<" * deep + "int" + ">>" * deep
        with self.assertRaisesRegex(SyntaxException, "nesting deeper than"):
            self.session.execute("CREATE TABLE %s.deep (id int PRIMARY KEY, v %s)" % (KS, typ))
        # Within the bound the statement parses and fails on its meaning instead.
        lit = "[" * 50 + "1" + "]" * 50
        with self.assertRaisesRegex(InvalidRequest, "n"):
            self.session.execute("INSERT INTO %s.t (id, n) VALUES (%s, %s)" % (KS, uuid.uuid4(), lit))
        self.write()  # the server still serves

    def test_already_exists(self):
        from cassandra import AlreadyExists
        with self.assertRaises(AlreadyExists):
            self.session.execute("CREATE TABLE %s.t (id uuid PRIMARY KEY)" % KS)
        self.session.execute("CREATE TABLE IF NOT EXISTS %s.t (id uuid PRIMARY KEY)" % KS)

    def test_oversized_batch(self):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        for i in range(8):
            batch.add(self.insert, [uuid.uuid4(), "x" * 8000, i])  # 64 KB > 50 KiB
        with self.assertRaisesRegex(InvalidRequest, "Batch too large"):
            self.session.execute(batch)
        small = BatchStatement(batch_type=BatchType.UNLOGGED)
        for i in range(4):
            small.add(self.insert, [uuid.uuid4(), "x" * 1000, i])
        self.assertIsNone(self.session.execute(small).response_future.warnings)
        warned = BatchStatement(batch_type=BatchType.UNLOGGED)
        for i in range(4):
            warned.add(self.insert, [uuid.uuid4(), "x" * 2000, i])  # 8 KB > 5 KiB warn threshold
        warnings = self.session.execute(warned).response_future.warnings
        self.assertTrue(warnings and "exceeding specified threshold of 5120" in warnings[0], warnings)

    def test_unprepared_reprepares(self):
        before = self.server.stats()[0]["requests"]
        self.assertEqual(self.server.cmd("forget_prepared"), ["ok forget_prepared"])
        self.write()  # EXECUTE -> Unprepared(id) -> PREPARE -> EXECUTE
        self.assertGreaterEqual(self.server.stats()[0]["requests"] - before, 3)

    def fault(self, command, exc, count=2):
        self.assertEqual(self.server.cmd("%s %d" % (command, count)), ["ok %s %d" % (command, count)])
        # reads are not affected
        self.session.execute("SELECT count(*) FROM %s.t" % KS)
        for _ in range(count):
            with self.assertRaises(exc):
                self.write()
        self.write()  # the (count+1)th write succeeds

    def test_overloaded(self):
        self.fault("overloaded", OverloadedErrorMessage)

    def test_write_timeout(self):
        self.fault("write_timeout", WriteTimeout)

    def test_unavailable(self):
        self.fault("unavailable", Unavailable)

    def test_bootstrapping(self):
        self.fault("bootstrapping", IsBootstrappingErrorMessage)

    def test_batch_gets_faults_too(self):
        self.server.cmd("write_timeout 1")
        batch = BatchStatement(batch_type=BatchType.UNLOGGED, retry_policy=FallthroughRetryPolicy())
        batch.add(self.insert, [uuid.uuid4(), "x", 1])
        with self.assertRaises(WriteTimeout) as ctx:
            self.session.execute(batch)
        self.assertEqual(ctx.exception.write_type, WriteType.UNLOGGED_BATCH)
        self.session.execute(batch)

    def test_delay(self):
        self.server.cmd("delay 400")
        try:
            start = time.monotonic()
            self.session.execute("SELECT count(*) FROM %s.t" % KS)
            self.assertGreaterEqual(time.monotonic() - start, 0.35)
            with self.assertRaises(OperationTimedOut):
                self.session.execute("SELECT count(*) FROM %s.t" % KS, timeout=0.1)
        finally:
            self.server.cmd("delay 0")

    def test_drop_and_reconnect(self):
        reply = self.server.cmd("drop")
        self.assertRegex(reply[0], r"^ok drop [1-9]")
        deadline = time.monotonic() + 60
        while True:  # the driver reconnects; bounded by the deadline
            try:
                self.session.execute("SELECT count(*) FROM %s.t" % KS)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


class Auth(unittest.TestCase):
    def test_password_authenticator(self):
        server = harness.TestServer(auth="alice:s3cret")
        self.addCleanup(server.stop)
        for version in (4, 5):
            good = harness.cluster(server, protocol_version=version,
                                   auth_provider=PlainTextAuthProvider("alice", "s3cret"))
            self.addCleanup(good.shutdown)
            row = good.connect().execute("SELECT release_version FROM system.local").one()
            self.assertTrue(row.release_version)
        bad = harness.cluster(server, protocol_version=4, auth_provider=PlainTextAuthProvider("alice", "wrong"))
        self.addCleanup(bad.shutdown)
        with self.assertRaises(NoHostAvailable) as ctx:
            bad.connect()
        self.assertTrue(any(isinstance(e, AuthenticationFailed) for e in ctx.exception.errors.values()),
                        ctx.exception.errors)
        anonymous = harness.cluster(server, protocol_version=4)
        self.addCleanup(anonymous.shutdown)
        with self.assertRaises(NoHostAvailable):
            anonymous.connect()

    def test_tls(self):
        d = harness.tempdir()
        pair = harness.make_cert(d)
        if not pair:
            self.skipTest("openssl cannot create a certificate")
        server = harness.TestServer(tls=pair)
        self.addCleanup(server.stop)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(pair[0])
        ctx.check_hostname = True
        c = harness.cluster(server, protocol_version=5, ssl_context=ctx,
                            ssl_options={"server_hostname": "127.0.0.1"})
        self.addCleanup(c.shutdown)
        s = c.connect()
        s.execute("CREATE KEYSPACE tlsks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
        s.execute("CREATE TABLE tlsks.t (k int PRIMARY KEY, v text)")
        s.execute("INSERT INTO tlsks.t (k, v) VALUES (1, 'secret')")
        self.assertEqual(s.execute("SELECT v FROM tlsks.t WHERE k = 1").one().v, "secret")


if __name__ == "__main__":
    harness.run(__name__)
