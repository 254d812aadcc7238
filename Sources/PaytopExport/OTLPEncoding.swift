/// OTLP/HTTP request bodies in the protobuf encoding
/// (opentelemetry-proto v1: collector/trace/v1, collector/logs/v1).
enum OTLPEncoding {
    static let scopeName = "paytop"
    static let scopeVersion = "0.5.0"

    /// ExportTraceServiceRequest: one ResourceSpans per (service.name, service.version).
    static func traces(_ spans: [ExportSpan]) -> [UInt8] {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (i, s) in spans.enumerated() {
            let key = s.serviceName + "\u{0}" + s.serviceVersion
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        var w = ProtobufWriter(capacity: spans.count * 200)
        for key in order {
            let members = groups[key]!
            let first = spans[members[0]]
            w.message(1) { rs in
                rs.message(1) { resource(&$0, service: first.serviceName, version: first.serviceVersion) }
                rs.message(2) { ss in
                    ss.message(1) { scope(&$0) }
                    for i in members { ss.message(2) { span(&$0, spans[i]) } }
                }
            }
        }
        return w.bytes
    }

    /// ExportLogsServiceRequest: one ResourceLogs per (service.name, service.version).
    static func logs(_ records: [ExportLog]) -> [UInt8] {
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (i, r) in records.enumerated() {
            let key = r.serviceName + "\u{0}" + r.serviceVersion
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(i)
        }
        var w = ProtobufWriter(capacity: records.count * 300)
        for key in order {
            let members = groups[key]!
            let first = records[members[0]]
            w.message(1) { rl in
                rl.message(1) { resource(&$0, service: first.serviceName, version: first.serviceVersion) }
                rl.message(2) { sl in
                    sl.message(1) { scope(&$0) }
                    for i in members { sl.message(2) { log(&$0, records[i]) } }
                }
            }
        }
        return w.bytes
    }

    private static func resource(_ w: inout ProtobufWriter, service: String, version: String) {
        keyValue(&w, 1, "service.name", .string(service))
        keyValue(&w, 1, "service.version", .string(version))
        keyValue(&w, 1, "service.namespace", .string("payments"))
        keyValue(&w, 1, "telemetry.sdk.name", .string("paytop"))
        keyValue(&w, 1, "telemetry.sdk.language", .string("swift"))
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
        w.int(6, s.kind.rawValue)
        w.fixed64(7, UInt64(bitPattern: s.startNanos))
        w.fixed64(8, UInt64(bitPattern: s.endNanos))
        for (k, v) in s.attributes { keyValue(&w, 9, k, v) }
        for l in s.links {
            w.message(13) { link in
                link.bytes(1, l.traceID)
                link.bytes(2, idBytes(l.spanID))
            }
        }
        w.message(15) { status in
            status.string(2, s.statusMessage ?? "")
            status.int(3, Int64(s.status))
        }
        w.fixed32(16, 0x01)  // W3C trace flags: sampled
    }

    private static func log(_ w: inout ProtobufWriter, _ r: ExportLog) {
        w.fixed64(1, UInt64(bitPattern: r.timeNanos))
        w.int(2, r.severityNumber)
        w.string(3, r.severityText)
        w.message(5) { $0.oneofString(1, r.body) }
        for (k, v) in r.attributes { keyValue(&w, 6, k, v) }
        if let t = r.traceID { w.bytes(9, t) }
        if let s = r.spanID { w.bytes(10, idBytes(s)) }
        w.fixed64(11, UInt64(bitPattern: r.timeNanos))
        w.string(12, r.eventName)
    }

    private static func keyValue(_ w: inout ProtobufWriter, _ field: Int, _ key: String, _ value: AttributeValue) {
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
