#!/usr/bin/env python3
"""A schema registry for tests: the Confluent Schema Registry REST subset airstream
uses, on loopback, in memory, Python standard library only.

  GET  /schemas/ids/{id}                   -> {"schema": "..."}           (404 40403)
  GET  /subjects                           -> ["subject", ...]
  GET  /subjects/{subject}/versions        -> [1, 2, ...]                 (404 40401)
  GET  /subjects/{subject}/versions/latest -> {"subject","version","id","schema"}
  GET  /subjects/{subject}/versions/{n}    -> same
  POST /subjects/{subject}/versions        {"schema": "..."} -> {"id": N}
       (an identical schema, compared as parsed JSON, keeps its id; a schema that is
       not JSON is 422 42201)

Fault switches (POST, for tests; not part of the real API):
  /_fault/503?count=N      the next N requests answer 503 (count=-1: all)
  /_fault/slow?seconds=S&count=N   the next N requests wait S seconds first
  /_fault/unknown          every schema id is unknown (404 40403) until cleared
  /_fault/none             clears all faults
  GET /_stats              {"requests": N, "by_id": N}  (requests served, fault ones too)

Options: --tls-cert PEM --tls-key PEM (HTTPS), --port-file FILE (written once listening: the port), --auth USER:PASS
(basic auth required on every API request).
"""
import argparse
import ssl
import base64
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CT = "application/vnd.schemaregistry.v1+json"


class Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.ids = {}  # id -> schema text
        self.subjects = {}  # subject -> [id, ...] (version n is index n-1)
        self.fail_503 = 0
        self.slow = (0.0, 0)
        self.unknown = False
        self.requests = 0
        self.by_id = 0

    def id_for(self, text):
        parsed = json.loads(text)
        for i, t in self.ids.items():
            if json.loads(t) == parsed:
                return i
        i = len(self.ids) + 1
        self.ids[i] = text
        return i


REG = Registry()
AUTH = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", CT)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, message):
        self.answer(status, {"error_code": code, "message": message})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def faults(self):
        """Applies the fault switches; True when the request was answered by one."""
        with REG.lock:
            REG.requests += 1
            seconds, count = REG.slow
            if count:
                REG.slow = (seconds, count - 1 if count > 0 else count)
            fail = REG.fail_503 != 0
            if REG.fail_503 > 0:
                REG.fail_503 -= 1
        if count:
            time.sleep(seconds)
        if fail:
            self.error(503, 50300, "service unavailable (test fault)")
            return True
        if AUTH is not None:
            want = "Basic " + base64.b64encode(AUTH.encode()).decode()
            if self.headers.get("Authorization") != want:
                self.error(401, 40101, "unauthorized")
                return True
        return False

    def control(self, url):
        q = urllib.parse.parse_qs(url.query)
        kind = url.path[len("/_fault/"):]
        with REG.lock:
            if kind == "503":
                REG.fail_503 = int(q.get("count", ["-1"])[0])
            elif kind == "slow":
                REG.slow = (float(q.get("seconds", ["1"])[0]), int(q.get("count", ["-1"])[0]))
            elif kind == "unknown":
                REG.unknown = True
            elif kind == "none":
                REG.fail_503, REG.slow, REG.unknown = 0, (0.0, 0), False
            else:
                return self.error(404, 404, "no such fault")
        self.answer(200, {"ok": True})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        body = self.body()
        if url.path.startswith("/_fault/"):
            return self.control(url)
        if self.faults():
            return
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
        if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
            try:
                text = json.loads(body)["schema"]
                json.loads(text)
            except (ValueError, KeyError, TypeError):
                return self.error(422, 42201, "Invalid schema")
            with REG.lock:
                i = REG.id_for(text)
                versions = REG.subjects.setdefault(parts[1], [])
                if i not in versions:
                    versions.append(i)
            return self.answer(200, {"id": i})
        self.error(404, 404, "not found")

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/_stats":
            with REG.lock:
                return self.answer(200, {"requests": REG.requests, "by_id": REG.by_id})
        if self.faults():
            return
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/")]
        with REG.lock:
            if len(parts) == 3 and parts[:2] == ["schemas", "ids"]:
                REG.by_id += 1
                text = None if REG.unknown or not parts[2].isdigit() else REG.ids.get(int(parts[2]))
                if text is None:
                    return self.error(404, 40403, "Schema not found")
                return self.answer(200, {"schema": text})
            if parts == ["subjects"]:
                return self.answer(200, sorted(REG.subjects))
            if len(parts) >= 3 and parts[0] == "subjects" and parts[2] == "versions":
                versions = REG.subjects.get(parts[1])
                if not versions:
                    return self.error(404, 40401, "Subject '%s' not found." % parts[1])
                if len(parts) == 3:
                    return self.answer(200, list(range(1, len(versions) + 1)))
                v = len(versions) if parts[3] == "latest" else int(parts[3]) if parts[3].isdigit() else 0
                if not 1 <= v <= len(versions):
                    return self.error(404, 40402, "Version not found.")
                i = versions[v - 1]
                return self.answer(200, {"subject": parts[1], "version": v, "id": i, "schema": REG.ids[i]})
        self.error(404, 404, "not found")


def main():
    global AUTH
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--auth")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key")
    args = ap.parse_args()
    AUTH = args.auth
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
