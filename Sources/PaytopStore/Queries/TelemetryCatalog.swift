import PaytopVocabulary
/// What a telemetry row's codes stand for — a trace number's trace, a span name code's
/// name, a service code's service and version, an event code's event, a series id's
/// series — read from a store one code at a time, for readers that meet codes in
/// committed batches (the OTLP exporter) and keep their own cache.
public final class TelemetryCatalog {
    private let c: Connection

    public init(storePath: String) throws {
        c = try Store.openForReading(path: storePath)
    }

    public func trace(_ traceNo: Int64) throws -> TraceRow? {
        try one("SELECT trace_id, started_at, checkout_id FROM trace WHERE trace_no = ?", traceNo) {
            TraceRow(traceNo: traceNo, traceID: $0.blob(0), checkoutID: $0.optionalString(2), startedAt: $0.int(1))
        }
    }

    public func spanName(_ code: Int) throws -> SpanNameRow? {
        try one("SELECT name, kind, attributes FROM span_name WHERE name_code = ?", Int64(code)) {
            SpanNameRow(code: code, name: $0.string(0), kind: SpanKind(stored: $0.string(1)), attributes: $0.string(2))
        }
    }

    public func service(_ code: Int) throws -> ServiceVersionRow? {
        try one("SELECT service_name, service_version FROM service_version WHERE service_code = ?", Int64(code)) {
            ServiceVersionRow(code: code, name: $0.string(0), version: $0.string(1))
        }
    }

    public func eventName(_ code: Int) throws -> EventNameRow? {
        try one("SELECT event_name, event_type, stage, message FROM business_event_name WHERE event_code = ?", Int64(code)) {
            EventNameRow(code: code, name: $0.string(0), type: $0.string(1), stage: $0.string(2), message: $0.string(3))
        }
    }

    public func metricSeries(_ id: Int) throws -> MetricSeriesRow? {
        try one("SELECT name, unit, kind, dimensions FROM metric_series WHERE series_id = ?", Int64(id)) {
            MetricSeriesRow(id: id, name: $0.string(0), dimensions: $0.string(3), unit: $0.string(1), kind: $0.string(2))
        }
    }

    private func one<V>(_ sql: String, _ key: Int64, _ build: (Statement) -> V) throws -> V? {
        let s = try c.cached(sql)
        s.bind(1, key)
        defer { s.reset() }
        return try s.step() ? build(s) : nil
    }
}
