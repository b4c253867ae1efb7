#!/usr/bin/python3
"""Independent check of airstream's Avro with Apache Avro's Python library (Debian
python3-avro), used by tests/avro_python_check_test.sh.

  python_check.py decode SCHEMA_JSON_FILE ID IN_JSONL RAW_FILE
      RAW_FILE holds messages as kcat -f '%R%s' writes them (4-byte big-endian length,
      bytes). Each must be 0x00 + ID + Avro that Python decodes to the values of the
      matching line of IN_JSONL (the NDJSON kproduce was given).
  python_check.py encode SCHEMA_JSON_FILE ID OUT_DIR WANT_JSONL
      Writes fixed records, Confluent-framed with ID, one file per message
      (OUT_DIR/NNN), and the JSON kconsume must print for them (WANT_JSONL).
  python_check.py resolve WRITER_SCHEMA READER_SCHEMA ID IN_JSONL RAW_FILE
      As decode, but Python reads each message written with WRITER_SCHEMA as
      READER_SCHEMA (Avro's schema resolution), and IN_JSONL is what kconsume printed
      reading them as READER_SCHEMA.
  python_check.py frame SCHEMA_JSON_FILE ID IN_JSONL OUT_DIR
      Encodes each record of IN_JSONL (JSON text forms, as kproduce takes them) with
      Python's writer, Confluent-framed with ID, one file per message (OUT_DIR/NNN).
"""
import datetime
import decimal
import io
import json
import struct
import sys

import avro.io
import avro.schema

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def to_json_form(v):
    """Python avro's decoded values in the JSON text forms kconsume writes."""
    if isinstance(v, datetime.datetime):
        return v.astimezone(UTC)
    if isinstance(v, dict):
        return {k: to_json_form(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json_form(x) for x in v]
    return v


def expected(schema, j):
    """The input JSON record as the Python values Avro must decode it to."""
    def conv(s, v):
        lt = s.props.get("logicalType") if hasattr(s, "props") else None
        t = s.type
        if t == "union":
            for b in s.schemas:
                if (v is None) == (b.type == "null"):
                    if v is None:
                        return None
                    if b.type in ("long", "int") and not isinstance(v, int):
                        continue
                    if b.type == "string" and not isinstance(v, str):
                        continue
                    return conv(b, v)
            raise ValueError("no branch for %r" % (v,))
        if t == "record":
            out = {}
            for f in s.fields:
                if f.name in v:
                    out[f.name] = conv(f.type, v[f.name])
                else:
                    out[f.name] = conv(f.type.schemas[0] if f.type.type == "union" else f.type, f.default)
            return out
        if t == "array":
            return [conv(s.items, x) for x in v]
        if lt == "date":
            return datetime.date.fromisoformat(v) if isinstance(v, str) else EPOCH.date() + datetime.timedelta(days=v)
        if lt in ("timestamp-millis", "timestamp-micros"):
            if isinstance(v, str):
                return datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(UTC)
            unit = 1000 if lt == "timestamp-millis" else 1000000
            return EPOCH + datetime.timedelta(microseconds=v * (1000000 // unit))
        if lt in ("time-millis", "time-micros"):
            if isinstance(v, str):
                return datetime.time.fromisoformat(v)
            return (datetime.datetime.min + datetime.timedelta(microseconds=v * (1000 if lt == "time-millis" else 1))).time()
        if lt == "decimal":
            return decimal.Decimal(str(v)).quantize(decimal.Decimal(1).scaleb(-s.get_prop("scale")))
        if t == "double" or t == "float":
            return float(v)
        return v
    return conv(schema, j)


def read_raw(path):
    data = open(path, "rb").read()
    msgs, p = [], 0
    while p < len(data):
        (n,) = struct.unpack(">i", data[p:p + 4])
        msgs.append(data[p + 4:p + 4 + n])
        p += 4 + n
    return msgs


def decode(schema_file, sid, in_jsonl, raw_file, reader_file=None):
    schema = avro.schema.parse(open(schema_file).read())
    want = [json.loads(l) for l in open(in_jsonl, encoding="utf-8") if l.strip()]
    msgs = read_raw(raw_file)
    assert len(msgs) == len(want), (len(msgs), len(want))
    reader = avro.io.DatumReader(schema)
    if reader_file:
        schema = avro.schema.parse(open(reader_file).read())
        reader = avro.io.DatumReader(reader.writers_schema, schema)
    for m, j in zip(msgs, want):
        assert m[0] == 0 and struct.unpack(">I", m[1:5])[0] == int(sid), m[:5]
        buf = io.BytesIO(m[5:])
        got = reader.read(avro.io.BinaryDecoder(buf))
        assert buf.tell() == len(m) - 5, "trailing bytes"
        exp = expected(schema, j)
        got = to_json_form(got)
        if got != exp:
            raise AssertionError("decoded %r\nwant    %r" % (got, exp))
    print("decoded %d messages" % len(msgs))


def encode(schema_file, sid, out_dir, want_jsonl):
    schema = avro.schema.parse(open(schema_file).read())
    writer = avro.io.DatumWriter(schema)
    names = [f.name for f in schema.fields]
    base = {
        "id": "7c9d1f7b-3e0e-4a2f-8d0b-4c8e9a512a4c", "age": 44, "gender": "male", "email": None, "score": -1.25,
        "born": datetime.date(1961, 2, 28),
        "registered": datetime.datetime(2003, 4, 5, 6, 7, 8, 9000, tzinfo=UTC),
        "seen_us": datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        "wake": datetime.time(23, 59, 59, 999000), "wake_us": datetime.time(0, 0, 0, 1),
        "balance": decimal.Decimal("-98765.43"), "tags": ["a", "ü", "\"q\""],
        "location": {"city": "Zürich", "postcode": 8001},
    }
    texts = {
        "born": "1961-02-28", "registered": "2003-04-05T06:07:08.009Z", "seen_us": "1969-12-31T23:59:59.999999Z",
        "wake": "23:59:59.999", "wake_us": "00:00:00.000001", "balance": "-98765.43",
    }
    records = [dict(base), dict(base, email="x@y.z", age=-2147483648, tags=[], location={"city": "", "postcode": "ab"})]
    if "nickname" in names:  # the evolved schema
        records = [dict(r, nickname="nick") for r in records]
    with open(want_jsonl, "w", encoding="utf-8") as w:
        for i, r in enumerate(records):
            buf = io.BytesIO()
            buf.write(b"\0" + struct.pack(">I", int(sid)))
            writer.write(r, avro.io.BinaryEncoder(buf))
            open("%s/%03d" % (out_dir, i), "wb").write(buf.getvalue())
            j = {k: texts.get(k, r[k]) for k in names}
            w.write(json.dumps(j, ensure_ascii=False, separators=(",", ":")) + "\n")


def resolve(writer_file, reader_file, sid, in_jsonl, raw_file):
    decode(writer_file, sid, in_jsonl, raw_file, reader_file)


def frame(schema_file, sid, in_jsonl, out_dir):
    schema = avro.schema.parse(open(schema_file).read())
    writer = avro.io.DatumWriter(schema)
    for i, line in enumerate(l for l in open(in_jsonl, encoding="utf-8") if l.strip()):
        buf = io.BytesIO()
        buf.write(b"\0" + struct.pack(">I", int(sid)))
        writer.write(expected(schema, json.loads(line)), avro.io.BinaryEncoder(buf))
        open("%s/%03d" % (out_dir, i), "wb").write(buf.getvalue())


if __name__ == "__main__":
    {"decode": decode, "encode": encode, "resolve": resolve, "frame": frame}[sys.argv[1]](*sys.argv[2:])
