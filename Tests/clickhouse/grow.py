#!/usr/bin/env python3
"""Grows a ClickHouse that holds one exported simulation (`paytop export --clickhouse`) into
a big one for the benchmark (docs/clickhouse.md): COPIES copies of every span, log record
and metric point, each copy later in time by the simulation's span of time and with its own
trace ids, span ids and checkout ids (the copy number in their first hex digits / as a
suffix), so lookups find one checkout among many and the day partitions fill as a week of
traffic would. Runs INSERT … SELECT inside ClickHouse, through its HTTP interface.

Usage: grow.py URL COPIES      e.g. grow.py 'http://127.0.0.1:8123/?database=otel' 285
"""
import sys, time, urllib.parse, urllib.request

url, copies = sys.argv[1], int(sys.argv[2])
parts = urllib.parse.urlsplit(url)
database = dict(urllib.parse.parse_qsl(parts.query)).get("database", "default")
base = f"{parts.scheme}://{parts.netloc}/?" + urllib.parse.urlencode({"database": database})


def run(sql, read=False):
    request = urllib.request.Request(base + ("&" + urllib.parse.urlencode({"query": sql}) if read else ""),
                                     data=None if read else sql.encode(), method="GET" if read else "POST")
    with urllib.request.urlopen(request, timeout=3600) as r:
        return r.read().decode()


CHECKOUT_KEYS = "['payment_checkout_id', 'biz_checkout_id', 'checkout_id', 'payment.checkout_id', 'checkout.id', 'payment.checkout.id']"
span = run("SELECT toString(toUnixTimestamp64Nano(max(Timestamp)) - toUnixTimestamp64Nano(min(Timestamp)) + 60000000000) FROM otel_traces", read=True)
shift = int(span.strip()) // 60_000_000_000 * 60_000_000_000 + 60_000_000_000  # whole minutes, so metric minutes stay minutes
started = time.time()
copy_expr = "number + 1"
ids = "concat(lpad(lower(hex(toUInt16(copy))), 4, '0'), substring({0}, 5))"
relabel = f"mapApply((k, v) -> (k, if(has({CHECKOUT_KEYS}, k), concat(v, '-c', toString(copy)), v)), {{0}})"
later = "fromUnixTimestamp64Nano(toUnixTimestamp64Nano({0}) + copy * toInt64(" + str(shift) + "))"
batch = 20
for first in range(0, copies, batch):
    n = min(batch, copies - first)
    numbers = f"(SELECT number + {first + 1} AS copy FROM numbers({n}))"
    run(f"""
        INSERT INTO otel_traces SELECT {later.format('Timestamp')}, {ids.format('TraceId')}, {ids.format('SpanId')},
            if(ParentSpanId = '', '', {ids.format('ParentSpanId')}), TraceState, SpanName, SpanKind, ServiceName, ResourceAttributes,
            ScopeName, ScopeVersion, {relabel.format('SpanAttributes')}, Duration, StatusCode, StatusMessage,
            arrayMap(t -> {later.format('t')}, `Events.Timestamp`), `Events.Name`, `Events.Attributes`,
            arrayMap(t -> {ids.format('t')}, `Links.TraceId`), arrayMap(s -> {ids.format('s')}, `Links.SpanId`), `Links.TraceState`, `Links.Attributes`
        FROM otel_traces, {numbers} AS c
        WHERE toUnixTimestamp64Nano(Timestamp) < (SELECT toUnixTimestamp64Nano(min(Timestamp)) + {shift} FROM otel_traces)
        SETTINGS max_threads = 2""")
    run(f"""
        INSERT INTO otel_logs (Timestamp, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl,
            ResourceAttributes, ScopeSchemaUrl, ScopeName, ScopeVersion, ScopeAttributes, LogAttributes)
        SELECT {later.format('Timestamp')}, if(TraceId = '', '', {ids.format('TraceId')}), if(SpanId = '', '', {ids.format('SpanId')}),
            TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceSchemaUrl, ResourceAttributes, ScopeSchemaUrl, ScopeName,
            ScopeVersion, ScopeAttributes, {relabel.format('LogAttributes')}
        FROM otel_logs, {numbers} AS c
        WHERE toUnixTimestamp64Nano(Timestamp) < (SELECT toUnixTimestamp64Nano(min(Timestamp)) + {shift} FROM otel_logs)
        SETTINGS max_threads = 2""")
    for table in ["otel_metrics_sum", "otel_metrics_gauge", "otel_metrics_histogram"]:
        columns = run(f"SELECT arrayStringConcat(groupArray(name), ',') FROM (SELECT name FROM system.columns WHERE database = '{database}' AND table = '{table}' ORDER BY position)", read=True).strip().split(",")
        select = ", ".join(later.format(c) if c in ("StartTimeUnix", "TimeUnix") else c for c in columns)
        run(f"""
            INSERT INTO {table} SELECT {select} FROM {table}, {numbers} AS c
            WHERE toUnixTimestamp64Nano(StartTimeUnix) < (SELECT toUnixTimestamp64Nano(min(StartTimeUnix)) + {shift} FROM {table})
            SETTINGS max_threads = 2""")
    print(f"copies {first + n}/{copies} in {time.time() - started:.0f} s", flush=True)
print(run("SELECT count() FROM otel_traces", read=True).strip(), "spans;", run("SELECT count() FROM otel_logs", read=True).strip(), "log records")
