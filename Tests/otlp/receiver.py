#!/usr/bin/env python3
"""A small OTLP/HTTP receiver built on the official protobuf definitions
(PyPI: opentelemetry-proto). paytop's tests send to it and then ask it to compare
what arrived with the store the spans came from.

    python3 Tests/otlp/receiver.py [--port 0] [--fail-first N]

Prints "listening on PORT" once ready. Endpoints:
  POST /v1/traces, POST /v1/logs   OTLP protobuf (application/x-protobuf)
  GET  /verify?db=PATH             compare every span, link and business event of the
                                   store with what arrived; JSON {"ok": bool, ...}
  GET  /stats                      counts so far
With --fail-first N the first N export requests get 503 (to exercise retries).
With --discard requests are read and answered 200 without decoding (benchmarks).
"""
import argparse
import json
import sqlite3
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

KINDS = {trace_pb2.Span.SPAN_KIND_INTERNAL: "INTERNAL", trace_pb2.Span.SPAN_KIND_SERVER: "SERVER",
         trace_pb2.Span.SPAN_KIND_CLIENT: "CLIENT", trace_pb2.Span.SPAN_KIND_PRODUCER: "PRODUCER",
         trace_pb2.Span.SPAN_KIND_CONSUMER: "CONSUMER"}
STATUS = {0: "UNSET", 1: "OK", 2: "ERROR"}

lock = threading.Lock()
spans = {}      # (trace_id, span_id) -> dict
logs = []       # (event_name, trace_id, span_id, time)
metrics = {}    # (name, dimensions as sorted JSON, start) -> (kind, value, count)
log_attributes = {}
requests = {"trace_requests": 0, "log_requests": 0, "refused": 0, "duplicate_spans": 0, "duplicate_attribute_keys": 0}
fail_first = 0
discard = False


def any_value(v):
    which = v.WhichOneof("value")
    if which == "string_value":
        return v.string_value
    if which == "bool_value":
        return v.bool_value
    if which == "int_value":
        return v.int_value
    if which == "double_value":
        return v.double_value
    if which == "array_value":
        return [any_value(x) for x in v.array_value.values]
    return ("unsupported", which)


def attributes(kvs):
    return {kv.key: any_value(kv.value) for kv in kvs}


def same_value(expected, got):
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(same_value(a, b) for a, b in zip(expected, got))
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) <= 1e-9 * max(1.0, abs(expected))
    return expected == got


def verify(db):
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    mismatches = []
    if requests["duplicate_attribute_keys"]:
        mismatches.append(f"{requests['duplicate_attribute_keys']} spans or log records carry an attribute key twice")
    expected_links = {}
    for trace_id, span_id, ltrace, lspan in c.execute("SELECT trace_id, span_id, linked_trace_id, linked_span_id FROM span_link"):
        expected_links.setdefault((trace_id, span_id), set()).add((ltrace, lspan))
    expected = 0
    with lock:
        for row in c.execute("""SELECT trace_id, span_id, parent_span_id, name, kind, start_time_unix_nano, end_time_unix_nano,
                                       status_code, status_message, attributes FROM span"""):
            expected += 1
            trace_id, span_id, parent, name, kind, start, end, status, message, attrs = row
            got = spans.get((trace_id, span_id))
            if got is None:
                mismatches.append(f"missing span {trace_id}/{span_id} {name}")
                continue
            want = {"parent": parent, "name": name, "kind": kind, "start": start, "end": end, "status": status,
                    "message": message or ""}
            for k, v in want.items():
                if got[k] != v:
                    mismatches.append(f"span {span_id} {name}: {k} {got[k]!r} != {v!r}")
            want_attrs = json.loads(attrs)
            if set(want_attrs) != set(got["attributes"]):
                mismatches.append(f"span {span_id} {name}: attribute keys {sorted(got['attributes'])} != {sorted(want_attrs)}")
            else:
                for k, v in want_attrs.items():
                    if not same_value(v, got["attributes"][k]):
                        mismatches.append(f"span {span_id} {name}: {k} {got['attributes'][k]!r} != {v!r}")
            # An error span carries OpenTelemetry's `exception` event with its message.
            want_events = [("exception", end, {"exception.message": message} if message else {})] if status == "ERROR" else []
            if got["events"] != want_events:
                mismatches.append(f"span {span_id} {name}: events {got['events']} != {want_events}")
            if got["links"] != expected_links.get((trace_id, span_id), set()):
                mismatches.append(f"span {span_id} {name}: links {got['links']} != {expected_links.get((trace_id, span_id))}")
        received = len(spans)
        want_logs = sorted((n, t or "", s or "", ts) for n, t, s, ts in
                           c.execute("SELECT event_name, trace_id, span_id, biz_timestamp FROM business_event"))
        got_logs = sorted(logs)
        if want_logs != got_logs:
            missing = len(set(want_logs) - set(got_logs))
            mismatches.append(f"business events: {len(got_logs)} log records for {len(want_logs)} events ({missing} missing)")
        # Each record's attributes: the event's columns, the optional ones only when set.
        columns = ["event_name", "event_type", "event_domain", "event_provider", "event_version", "stage", "outcome",
                   "checkout_id", "amount_total", "amount_currency", "order_count", "payment_order_id", "merchant_id",
                   "error_code", "error_category", "psp_latency_ms"]
        names = {"event_name": "event.name", "event_type": "event.type", "event_domain": "event.domain",
                 "event_provider": "event.provider", "event_version": "event.version", "stage": "payment.stage",
                 "outcome": "payment.outcome"}
        for row in c.execute("SELECT " + ", ".join(columns) + ", trace_id, span_id, biz_timestamp FROM business_event"):
            want = {names.get(col, col): v for col, v in zip(columns, row) if v is not None}
            key = (row[0], row[-3] or "", row[-2] or "", row[-1])
            candidates = log_attributes.get(key, [])
            if not any(set(a) == set(want) and all(same_value(v, a[k]) for k, v in want.items()) for a in candidates):
                mismatches.append(f"log record {key}: attributes {candidates[:1]} != {want}")
                if len(mismatches) > 40:
                    break

        dup = requests["duplicate_spans"]
        want_metrics = 0
        for name, dims, kind, start, value, count in c.execute(
                "SELECT name, dimensions, kind, period_start, value, count FROM metric_point WHERE period_length_seconds = 60"):
            want_metrics += 1
            key = (name, json.dumps(json.loads(dims), sort_keys=True), start)
            got = metrics.get(key)
            if got is None:
                mismatches.append(f"missing metric point {key}")
            elif got[0] != kind or not same_value(value, got[1]) or (kind == "distribution" and got[2] != count):
                mismatches.append(f"metric point {key}: {got} != {(kind, value, count)}")
        got_metrics = len(metrics)
    if got_metrics != want_metrics:
        mismatches.append(f"{got_metrics} metric points received for {want_metrics} 60-s points in the store")
    if received != expected:
        mismatches.append(f"{received} spans received for {expected} in the store")
    if dup:
        mismatches.append(f"{dup} spans arrived twice")
    return {"ok": not mismatches, "spans_expected": expected, "spans_received": received,
            "logs_expected": len(want_logs), "logs_received": len(got_logs),
            "metric_points_expected": want_metrics, "metric_points_received": got_metrics, "mismatches": mismatches[:20]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global fail_first
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            if fail_first > 0:
                fail_first -= 1
                requests["refused"] += 1
                self.reply(503, b"{}")
                return
        if discard:
            with lock:
                key = {"/v1/traces": "trace_requests", "/v1/logs": "log_requests"}.get(self.path, "metric_requests")
                requests[key] = requests.get(key, 0) + 1
            self.reply(200, b"", "application/x-protobuf")
            return
        if self.headers.get("Content-Type") != "application/x-protobuf":
            self.reply(415, b"{}")
            return
        if self.path == "/v1/traces":
            req = trace_service_pb2.ExportTraceServiceRequest()
            req.ParseFromString(body)
            with lock:
                requests["trace_requests"] += 1
                for rs in req.resource_spans:
                    resource = attributes(rs.resource.attributes)
                    for ss in rs.scope_spans:
                        for s in ss.spans:
                            key = (s.trace_id.hex(), s.span_id.hex())
                            if key in spans:
                                requests["duplicate_spans"] += 1
                            attrs = attributes(s.attributes)
                            if len(attrs) != len(s.attributes):
                                requests["duplicate_attribute_keys"] += 1
                            # service.* live on the resource in OTLP; the store's view merges them in.
                            assert attrs.get("service.name") == resource["service.name"]
                            spans[key] = {
                                "parent": s.parent_span_id.hex() or None, "name": s.name, "kind": KINDS.get(s.kind, "?"),
                                "start": s.start_time_unix_nano, "end": s.end_time_unix_nano,
                                "status": STATUS[s.status.code], "message": s.status.message, "attributes": attrs,
                                "links": {(l.trace_id.hex(), l.span_id.hex()) for l in s.links},
                                "events": [(e.name, e.time_unix_nano, attributes(e.attributes)) for e in s.events],
                            }
            self.reply(200, trace_service_pb2.ExportTraceServiceResponse().SerializeToString(), "application/x-protobuf")
        elif self.path == "/v1/metrics":
            req = metrics_service_pb2.ExportMetricsServiceRequest()
            req.ParseFromString(body)
            with lock:
                requests["metric_requests"] = requests.get("metric_requests", 0) + 1
                for rm in req.resource_metrics:
                    for sm in rm.scope_metrics:
                        for m in sm.metrics:
                            which = m.WhichOneof("data")
                            if which == "gauge" or which == "sum":
                                for dp in getattr(m, which).data_points:
                                    v = dp.as_int if dp.WhichOneof("value") == "as_int" else dp.as_double
                                    key = (m.name, json.dumps(attributes(dp.attributes), sort_keys=True), dp.start_time_unix_nano)
                                    metrics[key] = ("gauge" if which == "gauge" else "counter", v, None)
                            elif which == "summary":
                                for dp in m.summary.data_points:
                                    key = (m.name, json.dumps(attributes(dp.attributes), sort_keys=True), dp.start_time_unix_nano)
                                    metrics[key] = ("distribution", dp.sum, dp.count)
            self.reply(200, metrics_service_pb2.ExportMetricsServiceResponse().SerializeToString(), "application/x-protobuf")
        elif self.path == "/v1/logs":
            req = logs_service_pb2.ExportLogsServiceRequest()
            req.ParseFromString(body)
            with lock:
                requests["log_requests"] += 1
                for rl in req.resource_logs:
                    for sl in rl.scope_logs:
                        for r in sl.log_records:
                            key = (r.event_name, r.trace_id.hex(), r.span_id.hex(), r.time_unix_nano)
                            logs.append(key)
                            attrs = attributes(r.attributes)
                            if len(attrs) != len(r.attributes):
                                requests["duplicate_attribute_keys"] += 1
                            log_attributes.setdefault(key, []).append(attrs)
            self.reply(200, logs_service_pb2.ExportLogsServiceResponse().SerializeToString(), "application/x-protobuf")
        else:
            self.reply(404, b"{}")

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/verify":
            db = urllib.parse.parse_qs(url.query)["db"][0]
            self.reply(200, json.dumps(verify(db)).encode())
        elif url.path == "/stats":
            with lock:
                self.reply(200, json.dumps({"spans": len(spans), "logs": len(logs), "metric_points": len(metrics), **requests}).encode())
        else:
            self.reply(404, b"{}")


def main():
    global fail_first, discard
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--discard", action="store_true")
    a = p.parse_args()
    fail_first = a.fail_first
    discard = a.discard
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
