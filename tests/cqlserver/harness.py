"""Python side of the CQL test server harness (used by tests/cqlserver_*_test.py).

TestServer starts build/bin/cql_test_server on a free port, waits for its ready
line, sends fault commands on its stdin and reads the replies. Tests skip (exit
77) only when python3-cassandra cannot be imported or the server cannot start.
"""
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SKIP = 77


def require_driver():
    try:
        import cassandra  # noqa: F401
        import cassandra.cluster  # noqa: F401
    except ImportError as e:
        print("skipping: python3-cassandra not importable: %s" % e)
        sys.exit(SKIP)


def server_binary():
    cand = os.environ.get("CQL_TEST_SERVER")
    if not cand and os.environ.get("AIRSTREAM_BIN"):
        cand = os.path.join(os.environ["AIRSTREAM_BIN"], "cql_test_server")
    if not cand:
        cand = shutil.which("cql_test_server")
    if not cand or not os.access(cand, os.X_OK):
        print("skipping: cql_test_server not built")
        sys.exit(SKIP)
    return cand


class TestServer:
    def __init__(self, nodes=1, auth=None, tls=None, version_max=5, extra=()):
        args = [server_binary(), "--port", "0", "--nodes", str(nodes), "--version-max", str(version_max)]
        args += list(extra)  # e.g. ["--vnodes", "16"], ["--rpc-address-any"], ["--max-frame-mb", "1"]
        if auth:
            args += ["--auth", auth]
        if tls:
            args += ["--tls", tls[0], tls[1]]
        self.nodes = nodes
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        try:
            line = self.lines.get(timeout=30)
        except queue.Empty:
            line = ""
        if "listening on" not in (line or ""):
            self.stop()
            print("skipping: cql_test_server did not start: %r %s" % (line, self.proc.stderr.read()))
            sys.exit(SKIP)
        self.port = int(line.split(":")[1].split()[0])
        self.hosts = ["127.0.0.%d" % (i + 1) for i in range(nodes)]

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def cmd(self, command, timeout=30):
        """Sends one stdin command; returns the reply lines (one per node for stats)."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        want = self.nodes if command.startswith("stats") else 1
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < want:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError("server exited")
            out.append(line)
        return out

    def stats(self):
        import json
        return [json.loads(l) for l in self.cmd("stats")]

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
                self.proc.wait()


class ServerCase(unittest.TestCase):
    """A TestCase class with one shared TestServer (SERVER_ARGS) in cls.server."""
    SERVER_ARGS = {}

    @classmethod
    def setUpClass(cls):
        cls.server = TestServer(**cls.SERVER_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


def make_cert(dirname):
    """Self-signed certificate for 127.0.0.1; returns (cert, key) or None."""
    cert = os.path.join(dirname, "cert.pem")
    key = os.path.join(dirname, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                        "-keyout", key, "-out", cert], capture_output=True)
    return (cert, key) if r.returncode == 0 else None


def cluster(server, protocol_version=None, nodes=None, **kw):
    """A driver Cluster on the test server, with generous timeouts."""
    from cassandra.cluster import Cluster
    from cassandra.policies import RoundRobinPolicy
    if protocol_version is not None:
        kw["protocol_version"] = protocol_version
    kw.setdefault("load_balancing_policy", RoundRobinPolicy())
    c = Cluster(nodes or server.hosts[:1], port=server.port, connect_timeout=20,
                control_connection_timeout=20, **kw)
    plain_connect = c.connect

    def connect(*args, **kwargs):  # sessions with a generous request timeout (loaded CI machines)
        session = plain_connect(*args, **kwargs)
        session.default_timeout = 60
        return session

    c.connect = connect
    return c


def run(test_module_name):
    """Runs the module's unittest cases; prints a closing 'N passed, N failed' line."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[test_module_name])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    if result.testsRun == 0 or passed == 0:
        sys.exit(1)
    sys.exit(1 if failed else 0)


def tempdir():
    return tempfile.mkdtemp(prefix="cqlserver-test-")
