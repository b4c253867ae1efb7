#!/usr/bin/python3
"""A local imitation of the randomuser.me API for rufetch's tests and benchmark.

Listens on 127.0.0.1 (a free port unless --port), prints "PORT <n>" on stdout once
it accepts connections, and exits after --lifetime seconds at the latest.

  /api/ and /api/<version>/   results (1..5000, anything else becomes 1, like the API),
                              page, seed, nat (one unknown code: the list is ignored),
                              gender (ignored with a seed), inc, exc. Users are real
                              captured users from the fixtures folder, picked
                              deterministically from (seed, page, index), each with a
                              login.uuid unique to that position. A request that matches
                              a captured response (same seed, page and results) gets the
                              captured file byte for byte. Unknown versions: 404.
  /fixtures/<file>            a captured file as is (query ignored).
  /_stats                     {"requests": n, "connections": n, "gzip": n, "faults": [...]}
  /_faults?set=a,b,c          replaces the fault queue.

Faults (--faults a,b,c: applied to the next API/fixture requests in order, then
normal service): 429 (with Retry-After: --retry-after), 500 502 503 504 (HTML body),
404, slow (answer after --slow seconds), truncated (JSON cut short, consistent
Content-Length), short (Content-Length larger than what is sent, then close),
reset (close without answering), invalid (not JSON), error ({"error": ...}),
empty ("results": [] while info.results says otherwise), ok (normal answer).
With --tls-cert/--tls-key it speaks HTTPS only.
Responses are compact JSON like the live API (--pretty: indented like the captures),
gzip-compressed when the client accepts it (unless --no-gzip).
"""
import argparse
import gzip
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NATS = "AU BR CA CH DE DK ES FI FR GB IE IN IR MX NL NO NZ RS TR UA US".split()
FIELDS = "gender name location email login registered dob phone cell id picture nat".split()
VERSIONS = {"1.0", "1.1", "1.2", "1.3", "1.4"}
HTML_OUTAGE = (b"<!DOCTYPE html>\n<html><head><title>%d</title></head><body><h1>%d</h1>"
               b"<p>randomuser.me is temporarily unavailable (fixture server)</p></body></html>\n")


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = [f for f in args.faults.split(",") if f] if args.faults else []
        self.requests = 0
        self.connections = 0
        self.gzip = 0
        self.served_faults = []
        self.files = {}     # name -> bytes
        self.captured = {}  # (seed, page, results) -> bytes
        self.pool = []      # user dicts
        folder = args.fixtures
        for name in sorted(os.listdir(folder)) if folder and os.path.isdir(folder) else []:
            if not name.endswith(".json"):
                continue
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            self.files[name] = data
            doc = json.loads(data)
            info = doc.get("info", {})
            self.captured[(str(info.get("seed")), int(info.get("page", 1)), int(info.get("results", 0)))] = data
            self.pool.extend(doc.get("results", []))
        if not self.pool:
            self.pool = [{"gender": "female", "name": {"title": "Ms", "first": "Ada", "last": "Test"},
                          "login": {"uuid": ""}, "nat": "GB"}]

    def next_fault(self):
        with self.lock:
            self.requests += 1
            if self.faults:
                f = self.faults.pop(0)
                self.served_faults.append(f)
                return f
            return "ok"


def digest(*parts):
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()


def make_page(state, q, version):
    def first(name, default=None):
        return q[name][0] if name in q else default
    try:
        results = int(first("results", "1"))
    except ValueError:
        results = 1
    if results < 1 or results > 5000:
        results = 1
    try:
        page = max(1, int(first("page", "1")))
    except ValueError:
        page = 1
    seed = first("seed")
    if seed is None:
        seed = os.urandom(8).hex()
    captured = state.captured.get((seed, page, results))
    nat = [n.upper() for n in first("nat", "").split(",") if n]
    inc = [f for f in first("inc", "").split(",") if f]
    exc = [f for f in first("exc", "").split(",") if f]
    if captured is not None and not nat:
        return None, captured
    if any(n not in NATS for n in nat):
        nat = []  # like the API: one bad code and the whole list is ignored
    pool = state.pool
    if nat:
        pool = [u for u in pool if u.get("nat") in nat] or pool
    gender = first("gender")
    if gender in ("male", "female") and "seed" not in q:
        pool = [u for u in pool if u.get("gender") == gender] or pool
    users = []
    for i in range(results):
        d = digest(seed, page, i)
        user = json.loads(json.dumps(pool[int.from_bytes(d[:8], "big") % len(pool)]))
        if isinstance(user.get("login"), dict):
            h = d[8:24].hex()
            user["login"]["uuid"] = "%s-%s-4%s-a%s-%s" % (h[0:8], h[8:12], h[13:16], h[17:20], h[20:32])
        if inc:
            user = {k: v for k, v in user.items() if k in inc}
        elif exc:
            user = {k: v for k, v in user.items() if k not in exc}
        users.append(user)
    doc = {"results": users, "info": {"seed": seed, "results": results, "page": page, "version": version}}
    return doc, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "randomuser-fixture/1"

    def setup(self):
        super().setup()
        with self.server.state.lock:
            self.server.state.connections += 1

    def log_message(self, fmt, *a):
        if self.server.state.args.verbose:
            sys.stderr.write("fixture-server: " + (fmt % a) + "\n")

    def send(self, status, body, ctype="application/json; charset=utf-8", headers=(), length=None, cut=None):
        st = self.server.state
        if (status == 200 and cut is None and "gzip" in self.headers.get("Accept-Encoding", "")
                and not st.args.no_gzip):
            body = gzip.compress(body, 1)
            headers = list(headers) + [("Content-Encoding", "gzip")]
            with st.lock:
                st.gzip += 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body if cut is None else body[:cut])
        self.wfile.flush()

    def do_GET(self):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if parts == ["_stats"]:
            with st.lock:
                body = json.dumps({"requests": st.requests, "connections": st.connections, "gzip": st.gzip,
                                   "faults": st.served_faults}).encode()
            return self.send(200, body)
        if parts == ["_faults"]:
            with st.lock:
                st.faults = [f for f in q.get("set", [""])[0].split(",") if f]
            return self.send(200, b"{}")

        fault = st.next_fault()
        if fault == "reset":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if fault == "slow":
            threading.Event().wait(st.args.slow)
        if fault in ("500", "502", "503", "504"):
            code = int(fault)
            return self.send(code, HTML_OUTAGE % (code, code), "text/html")
        if fault == "429":
            return self.send(429, b'{"error":"Too many requests"}', headers=[("Retry-After", str(st.args.retry_after))])
        if fault == "404":
            return self.send(404, b"<html><body>Not Found</body></html>", "text/html")
        if fault == "invalid":
            return self.send(200, b"<html>this is not JSON</html>\n")
        if fault == "error":
            return self.send(200, b'{"error":"Uh oh, something has gone wrong. Please tell us on GitHub (fixture)."}')

        if len(parts) == 2 and parts[0] == "fixtures" and parts[1] in st.files:
            body = st.files[parts[1]]
        elif parts and parts[0] == "api" and (len(parts) == 1 or (len(parts) == 2 and parts[1] in VERSIONS)):
            doc, raw = make_page(st, q, parts[1] if len(parts) == 2 else "1.4")
            if raw is not None:
                body = raw
            else:
                if fault == "empty":
                    doc["results"] = []
                indent = 2 if st.args.pretty else None
                seps = None if st.args.pretty else (",", ":")
                body = json.dumps(doc, ensure_ascii=False, indent=indent, separators=seps).encode()
        else:
            return self.send(404, b"<html><body>Not Found</body></html>", "text/html")

        if fault == "empty" and b'"results": []' not in body and b'"results":[]' not in body:
            doc = json.loads(body)
            doc["results"] = []
            body = json.dumps(doc, separators=(",", ":")).encode()
        if fault == "truncated":
            body = body[: len(body) // 2]
        if fault == "short":
            # promise the whole body, send half, close: a truncated transfer
            self.close_connection = True
            self.send(200, body, length=len(body), cut=len(body) // 2)
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        return self.send(200, body)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    default_fx = os.environ.get("AIRSTREAM_FIXTURES") or os.path.join(here, "..", "..", "shared", "fixtures", "randomuser")
    if not os.path.isdir(default_fx):
        default_fx = "/work/shared/fixtures/randomuser"
    p.add_argument("--fixtures", default=default_fx)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--lifetime", type=float, default=300)
    p.add_argument("--faults", default="")
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--slow", type=float, default=5)
    p.add_argument("--pretty", action="store_true")
    p.add_argument("--no-gzip", action="store_true")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    p.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.state = state
    timer = threading.Timer(args.lifetime, lambda: os._exit(0))
    timer.daemon = True
    timer.start()
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
