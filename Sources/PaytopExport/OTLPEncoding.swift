import PaytopProtobuf
/// OTLP/HTTP request bodies in the protobuf encoding
/// (opentelemetry-proto v1: collector/trace/v1, collector/logs/v1, collector/metrics/v1).
public enum OTLPEncoding {
    public static let scopeName = "paytop"
    public static let scopeVersion = "0.5.0"
    /// The resource the metric roll-ups go under (they are the pipeline's, not one function's).
    public static let metricsService = "payments-pipeline"

    /// The resource every exported item carries, by service.
    public static func resourceAttributes(service: String, version: String) -> [(String, AttributeValue)] {
        [("service.name", .string(service)), ("service.version", .string(version)), ("service.namespace", .string("payments")),
         ("telemetry.sdk.name", .string("paytop")), ("telemetry.sdk.language", .string("swift"))]
    }

    /// ExportTraceServiceRequest: one ResourceSpans per (service.name, service.version).
    static func traces(_ spans: [ExportSpan]) -> [UInt8] {
        perService(spans, service: { ($0.serviceName, $0.serviceVersion) }, bytesEach: 200, item: span)
    }

    /// ExportLogsServiceRequest: one ResourceLogs per (service.name, service.version).
    static func logs(_ records: [ExportLog]) -> [UInt8] {
        perService(records, service: { ($0.serviceName, $0.serviceVersion) }, bytesEach: 300, item: log)
    }

    /// Indices of `items` grouped by `key`, the groups in order of first appearance.
    static func grouped<T>(_ items: [T], by key: (T) -> String) -> [[Int]] {
        var index: [String: Int] = [:]
        var groups: [[Int]] = []
        for (i, item) in items.enumerated() {
            let k = key(item)
            if let g = index[k] { groups[g].append(i) } else {
                index[k] = groups.count
                groups.append([i])
            }
        }
        return groups
    }

    /// ResourceSpans and ResourceLogs share their shape: field 1 the resource, field 2
    /// one scope block (its field 1 the scope, field 2 each item).
    private static func perService<T>(_ items: [T], service: (T) -> (String, String), bytesEach: Int,
                                      item: (inout ProtobufWriter, T) -> Void) -> [UInt8] {
        var w = ProtobufWriter(capacity: items.count * bytesEach)
        for members in grouped(items, by: { let s = service($0); return s.0 + "\u{0}" + s.1 }) {
            let (name, version) = service(items[members[0]])
            w.message(1) { r in
                r.message(1) { resource(&$0, service: name, version: version) }
                r.message(2) { block in
                    block.message(1) { scope(&$0) }
                    for i in members { block.message(2) { item(&$0, items[i]) } }
                }
            }
        }
        return w.bytes
    }

    /// ExportMetricsServiceRequest: one resource (the pipeline), one Metric per name with
    /// a data point per series and period. Counters are delta sums, gauges gauges, and
    /// distributions summaries (count, sum, min as quantile 0, p50, p95, p99, max as 1).
    static func metrics(_ points: [ExportMetricPoint]) -> [UInt8] {
        var w = ProtobufWriter(capacity: points.count * 120)
        w.message(1) { rm in
            rm.message(1) { resource(&$0, service: metricsService, version: scopeVersion) }
            rm.message(2) { sm in
                sm.message(1) { scope(&$0) }
                for members in grouped(points, by: { $0.name }) {
                    let first = points[members[0]]
                    sm.message(2) { m in
                        m.string(1, first.name)
                        m.string(3, first.unit)
                        switch first.kind {
                        case .gauge:
                            m.message(5) { g in for i in members { g.message(1) { numberPoint(&$0, points[i]) } } }
                        case .counter:
                            m.message(7) { s in
                                for i in members { s.message(1) { numberPoint(&$0, points[i]) } }
                                s.int(2, 1)  // AGGREGATION_TEMPORALITY_DELTA
                                s.bool(3, true)
                            }
                        case .distribution:
                            m.message(11) { s in for i in members { s.message(1) { summaryPoint(&$0, points[i]) } } }
                        }
                    }
                }
            }
        }
        return w.bytes
    }

    private static func numberPoint(_ w: inout ProtobufWriter, _ p: ExportMetricPoint) {
        w.fixed64(2, UInt64(bitPattern: p.startNanos))
        w.fixed64(3, UInt64(bitPattern: p.endNanos))
        switch p.value {
        case .integer(let v): w.sfixed64(6, v)
        case .real(let v): w.double(4, v)
        }
        for (k, v) in p.dimensions { keyValue(&w, 7, k, v) }
    }

    private static func summaryPoint(_ w: inout ProtobufWriter, _ p: ExportMetricPoint) {
        w.fixed64(2, UInt64(bitPattern: p.startNanos))
        w.fixed64(3, UInt64(bitPattern: p.endNanos))
        w.fixed64(4, UInt64(p.count))
        switch p.value {
        case .integer(let v): w.double(5, Double(v))
        case .real(let v): w.double(5, v)
        }
        for (q, v) in [(0.0, p.min), (0.5, p.p50), (0.95, p.p95), (0.99, p.p99), (1.0, p.max)] {
            guard let v else { continue }
            w.message(6) { vq in
                vq.double(1, q)
                vq.double(2, v)
            }
        }
        for (k, v) in p.dimensions { keyValue(&w, 7, k, v) }
    }

    private static func resource(_ w: inout ProtobufWriter, service: String, version: String) {
        for (k, v) in resourceAttributes(service: service, version: version) { keyValue(&w, 1, k, v) }
    }

    private static func scope(_ w: inout ProtobufWriter) {
        w.string(1, scopeName)
        w.string(2, scopeVersion)
    }

    static func idBytes(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }

    private static func span(_ w: inout ProtobufWriter, _ s: ExportSpan) {
        w.bytes(1, s.traceID)
        w.bytes(2, idBytes(s.spanID))
        if let p = s.parentSpanID { w.bytes(4, idBytes(p)) }
        w.string(5, s.name)
        w.int(6, Int64(s.kind.otlpNumber))
        w.fixed64(7, UInt64(bitPattern: s.startNanos))
        w.fixed64(8, UInt64(bitPattern: s.endNanos))
        w.raw(s.sharedAttributes.bytes)
        for (k, v) in s.attributes { keyValue(&w, spanAttributesField, k, v) }
        if s.status == .error {
            // OpenTelemetry records a failure as an `exception` event at its time (the
            // span's end, where the engine records it) carrying the message.
            w.message(11) { event in
                event.fixed64(1, UInt64(bitPattern: s.endNanos))
                event.string(2, "exception")
                if let message = s.statusMessage { keyValue(&event, 3, "exception.message", .string(message)) }
            }
        }
        for l in s.links {
            w.message(13) { link in
                link.bytes(1, l.traceID)
                link.bytes(2, idBytes(l.spanID))
            }
        }
        w.message(15) { status in
            status.string(2, s.statusMessage ?? "")
            status.int(3, Int64(s.status.rawValue))
        }
        w.fixed32(16, 0x01)  // W3C trace flags: sampled
    }

    private static func log(_ w: inout ProtobufWriter, _ r: ExportLog) {
        w.fixed64(1, UInt64(bitPattern: r.timeNanos))
        w.int(2, r.severityNumber)
        w.string(3, r.severityText)
        w.message(5) { $0.oneofString(1, r.body) }
        w.raw(r.sharedAttributes.bytes)
        for (k, v) in r.attributes { keyValue(&w, logAttributesField, k, v) }
        if let t = r.traceID { w.bytes(9, t) }
        if let s = r.spanID { w.bytes(10, idBytes(s)) }
        w.fixed64(11, UInt64(bitPattern: r.timeNanos))
        w.string(12, r.eventName)
    }

    /// Field numbers of attributes in Span and LogRecord.
    static let spanAttributesField = 9, logAttributesField = 6

    static func keyValue(_ w: inout ProtobufWriter, _ field: Int, _ key: String, _ value: AttributeValue) {
        w.message(field) { kv in
            kv.string(1, key)
            kv.message(2) { anyValue(&$0, value) }
        }
    }

    private static func anyValue(_ any: inout ProtobufWriter, _ value: AttributeValue) {
        switch value {
        case .string(let s): any.oneofString(1, s)
        case .bool(let b): any.oneofInt(2, b ? 1 : 0)
        case .int(let i): any.oneofInt(3, i)
        case .double(let d): any.double(4, d)
        case .array(let items): any.message(5) { array in for v in items { array.message(1) { anyValue(&$0, v) } } }
        }
    }
}
