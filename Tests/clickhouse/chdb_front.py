#!/usr/bin/env python3
"""A small HTTP front over chdb (ClickHouse in-process), answering as ClickHouse's HTTP
interface does for what paytop sends: GET runs read-only (as ClickHouse runs GET), POST
runs anything, `database` picks the database, `query` is the SQL (a POST's body follows
it, or is it), errors are HTTP 500 with ClickHouse's own text (404 for an unknown table,
as ClickHouse answers UNKNOWN_TABLE). Test-only: paytop's tests start it on port 0 and
read "listening on PORT" from its first line.

It also stands in for an OpenTelemetry Collector with the clickhouseexporter: OTLP/HTTP
protobuf posted to /v1/traces and /v1/logs is written into DATABASE.otel_traces and
DATABASE.otel_logs (created beforehand, by the test) as the exporter maps pdata — hex ids,
SPAN_KIND_* / STATUS_CODE_* strings, Duration in ns, ServiceName from the resource, every
attribute value as pdata's AsString, span events and links in the Nested columns, a log's
body as AsString. With --save DIR each OTLP body is kept there too (NNNNN-traces.pb, …), so
a test can give paytop's own receiver the very same requests.

Usage: chdb_front.py DATA_DIR [--delay SECONDS] [--otlp-database NAME] [--save DIR] [--log]
  (--delay: answer every query that late; --otlp-database: default otel)
"""
import base64, json, os, socket, sys, time, threading, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chdb import session

data_dir = sys.argv[1]
delay = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
otlp_database = sys.argv[sys.argv.index("--otlp-database") + 1] if "--otlp-database" in sys.argv else "otel"
save_dir = sys.argv[sys.argv.index("--save") + 1] if "--save" in sys.argv else None
saved = [0]
sess = session.Session(data_dir)
lock = threading.Lock()
created = {"default"}
READS = ("SELECT", "WITH", "DESC", "DESCRIBE", "SHOW", "EXISTS", "EXPLAIN")


def raw(v):
    """An OTLP AnyValue as a plain value (pdata's AsRaw)."""
    k = v.WhichOneof("value")
    if k is None:
        return None
    if k == "kvlist_value":
        return {kv.key: raw(kv.value) for kv in v.kvlist_value.values}
    if k == "array_value":
        return [raw(x) for x in v.array_value.values]
    if k == "bytes_value":
        return base64.b64encode(v.bytes_value).decode()
    return getattr(v, k)


def as_string(v):
    """pdata's Value.AsString: strings as they are, numbers in decimal, true/false, maps and arrays as JSON."""
    k = v.WhichOneof("value")
    if k is None:
        return ""
    if k == "string_value":
        return v.string_value
    if k == "bool_value":
        return "true" if v.bool_value else "false"
    if k == "int_value":
        return str(v.int_value)
    if k == "double_value":
        d = v.double_value
        return str(int(d)) if d == int(d) and abs(d) < 1e15 else repr(d)
    return json.dumps(raw(v), separators=(",", ":"), sort_keys=True)


def attributes(kvs):
    return {kv.key: as_string(kv.value) for kv in kvs}


def timestamp(nanos):
    return f"{nanos // 10**9}.{nanos % 10**9:09d}"


KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
STATUS = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]


def trace_rows(body):
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
    request = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
    for rs in request.resource_spans:
        resource = attributes(rs.resource.attributes)
        service = resource.get("service.name", "")
        for ss in rs.scope_spans:
            for s in ss.spans:
                yield {
                    "Timestamp": timestamp(s.start_time_unix_nano), "TraceId": s.trace_id.hex(), "SpanId": s.span_id.hex(),
                    "ParentSpanId": s.parent_span_id.hex(), "TraceState": s.trace_state, "SpanName": s.name,
                    "SpanKind": KINDS[s.kind], "ServiceName": service, "ResourceAttributes": resource,
                    "ScopeName": ss.scope.name, "ScopeVersion": ss.scope.version, "SpanAttributes": attributes(s.attributes),
                    "Duration": max(0, s.end_time_unix_nano - s.start_time_unix_nano),
                    "StatusCode": STATUS[s.status.code], "StatusMessage": s.status.message,
                    "Events.Timestamp": [timestamp(e.time_unix_nano) for e in s.events], "Events.Name": [e.name for e in s.events],
                    "Events.Attributes": [attributes(e.attributes) for e in s.events],
                    "Links.TraceId": [l.trace_id.hex() for l in s.links], "Links.SpanId": [l.span_id.hex() for l in s.links],
                    "Links.TraceState": [l.trace_state for l in s.links], "Links.Attributes": [attributes(l.attributes) for l in s.links],
                }


def log_rows(body):
    from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
    request = logs_service_pb2.ExportLogsServiceRequest.FromString(body)
    for rl in request.resource_logs:
        resource = attributes(rl.resource.attributes)
        service = resource.get("service.name", "")
        for sl in rl.scope_logs:
            for r in sl.log_records:
                yield {
                    "Timestamp": timestamp(r.time_unix_nano or r.observed_time_unix_nano), "TraceId": r.trace_id.hex(),
                    "SpanId": r.span_id.hex(), "TraceFlags": r.flags & 0xFF, "SeverityText": r.severity_text,
                    "SeverityNumber": r.severity_number, "ServiceName": service, "Body": as_string(r.body),
                    "ResourceSchemaUrl": rl.schema_url, "ResourceAttributes": resource, "ScopeSchemaUrl": sl.schema_url,
                    "ScopeName": sl.scope.name, "ScopeVersion": sl.scope.version, "ScopeAttributes": attributes(sl.scope.attributes),
                    "LogAttributes": attributes(r.attributes),
                }


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm holds
        # the body until the client's delayed ACK (~40 ms a response), which ClickHouse's own
        # server never adds.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):
        if "--log" in sys.argv:
            sys.stderr.write((args[0] % args[1:]) + "\n")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def run(self, method):
        if "--log" in sys.argv:
            sys.stderr.write(f"{method} {self.path} {dict(self.headers)}\n")
            sys.stderr.flush()
        url = urllib.parse.urlsplit(self.path)
        if method == "POST" and url.path in ("/v1/traces", "/v1/logs"):
            return self.collect(url.path[4:])
        if url.path not in ("", "/"):
            return self.answer(404, b"There is no handle " + url.path.encode() + b"\n")
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        body = b""
        if method == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        sql = params.get("query")
        if sql is None:
            sql, body = body.decode(), b""
        elif body:
            sql = sql + "\n" + body.decode()
        words = sql.lstrip().split(None, 1)
        if method == "GET" and (not words or words[0].upper() not in READS):
            return self.answer(500, b"Code: 164. DB::Exception: Cannot execute query in readonly mode. (READONLY)\n")
        if delay:
            time.sleep(delay)
        database = params.get("database", "default")
        with lock:
            try:
                if database not in created:
                    sess.query(f"CREATE DATABASE IF NOT EXISTS {database}")
                    created.add(database)
                sess.query(f"USE {database}")
                result = sess.query(sql, "TabSeparated")
                out = result.bytes() if hasattr(result, "bytes") else bytes(str(result), "utf-8")
            except Exception as e:
                text = str(e).encode()
                return self.answer(404 if b"UNKNOWN_TABLE" in text else 500, text + b"\n")
        self.answer(200, out)

    def collect(self, signal):
        """What a Collector with the clickhouseexporter does with an OTLP/HTTP protobuf request."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Content-Type", "") != "application/x-protobuf":
            return self.answer(415, b"protobuf only\n")
        rows = list(trace_rows(body) if signal == "traces" else log_rows(body))
        table = "otel_traces" if signal == "traces" else "otel_logs"
        with lock:
            if save_dir:
                saved[0] += 1
                with open(os.path.join(save_dir, f"{saved[0]:05d}-{signal}.pb"), "wb") as f:
                    f.write(body)
            if rows:
                sess.query(f"INSERT INTO {otlp_database}.{table} FORMAT JSONEachRow\n" + "\n".join(json.dumps(r) for r in rows))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.run("GET")

    def do_POST(self):
        self.run("POST")


server = ThreadingHTTPServer(("127.0.0.1", 0), Front)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()
