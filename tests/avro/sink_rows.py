#!/usr/bin/python3
"""Rows of a sink's table, and the records they must hold, in one canonical JSON form
per line (sorted by id), for tests/avro_{cqlwrite,pgload}_test.sh to compare.

  sink_rows.py want COLUMNS FILE...   the records of the NDJSON FILEs
  sink_rows.py cql COLUMNS KS.TABLE   the table's rows, read with the DataStax driver
                                      from the first host of CQL_HOSTS
  sink_rows.py pg COLUMNS TABLE       the table's rows, read with psql (PG* environment)

COLUMNS is col[:kind],... with kind text (default), int, float, ts (a timestamp: epoch
milliseconds; records give ISO-8601 text) or dec (a decimal: its exact text). A field a
record does not have is null. Values are compared exactly: text as text, numbers
as numbers, decimals with their scale.
"""
import datetime
import json
import os
import subprocess
import sys

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def columns(spec):
    return [tuple((c + ":text").split(":")[:2]) for c in spec.split(",")]


def canon(kind, v):
    if v is None:
        return None
    if kind == "ts":
        if isinstance(v, str) and v.lstrip("-").isdigit():
            return int(v)
        if isinstance(v, str):
            v = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
        if isinstance(v, datetime.datetime):
            if v.tzinfo is None:
                v = v.replace(tzinfo=datetime.timezone.utc)
            return (v - EPOCH) // datetime.timedelta(milliseconds=1)
        return int(v)
    if kind == "int":
        return int(v)
    if kind == "float":
        return float(v)
    return str(v)


def emit(cols, rows):
    out = [{c: canon(k, r.get(c)) for c, k in cols} for r in rows]
    for r in sorted(out, key=lambda r: r["id"]):
        print(json.dumps(r, ensure_ascii=False, sort_keys=True))


def main():
    mode, cols = sys.argv[1], columns(sys.argv[2])
    if mode == "want":
        rows = [json.loads(l) for f in sys.argv[3:] for l in open(f, encoding="utf-8") if l.strip()]
    elif mode == "cql":
        from cassandra.cluster import Cluster
        from cassandra.query import SimpleStatement, dict_factory
        host, port = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
        cluster = Cluster([host], port=int(port))
        session = cluster.connect()
        session.row_factory = dict_factory
        rows = list(session.execute(SimpleStatement("SELECT * FROM " + sys.argv[3], fetch_size=5000)))
        cluster.shutdown()
    else:
        sel = ", ".join(
            ("(extract(epoch from %s) * 1000)::bigint as %s" % (c, c)) if k == "ts" else
            ("%s::text as %s" % (c, c)) if k in ("text", "dec") else c for c, k in cols)
        sql = "select row_to_json(t) from (select %s from %s) t" % (sel, sys.argv[3])
        text = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                              capture_output=True, text=True).stdout
        rows = [json.loads(l, parse_int=str, parse_float=str) for l in text.splitlines() if l.strip()]
    emit(cols, rows)


main()
