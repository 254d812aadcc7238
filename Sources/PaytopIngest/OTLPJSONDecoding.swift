import Foundation
import PaytopJSON

/// OTLP/HTTP request bodies in the JSON encoding (the protobuf JSON mapping the OTLP
/// specification fixes: lowerCamelCase keys — the proto's own snake_case names are
/// accepted too —, trace and span ids as hex, 64-bit integers as decimal strings or
/// numbers, enums as integers or their names).
public enum OTLPJSONDecoding {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    public static func decode(_ signal: Signal, _ body: [UInt8]) throws -> ReceivedTelemetry {
        let root: JSONValue
        do { root = try JSONValue.parse(body) } catch { throw Invalid("the body is not JSON") }
        guard let top = root.objectValue else { throw Invalid("the body is not a JSON object") }
        var out = ReceivedTelemetry()
        let (resourceKey, scopeKey, itemKey): (String, String, String) = switch signal {
        case .traces: ("resourceSpans", "scopeSpans", "spans")
        case .logs: ("resourceLogs", "scopeLogs", "logRecords")
        case .metrics: ("resourceMetrics", "scopeMetrics", "metrics")
        }
        for block in try list(top, resourceKey) {
            guard let block = block.objectValue else { throw Invalid("\(resourceKey) holds a non-object") }
            let index = out.resources.count
            let resource = try field(block, "resource")?.objectValue.map { try attributes($0, "attributes") } ?? []
            out.resources.append(ReceivedResource(attributes: resource))
            for scope in try list(block, scopeKey) {
                guard let scope = scope.objectValue else { throw Invalid("\(scopeKey) holds a non-object") }
                for item in try list(scope, itemKey) {
                    guard let item = item.objectValue else { throw Invalid("\(itemKey) holds a non-object") }
                    switch signal {
                    case .traces: out.spans.append(try span(item, resource: index))
                    case .logs: out.logs.append(try log(item, resource: index))
                    case .metrics: try metric(item, resource: index, into: &out.metricPoints)
                    }
                }
            }
        }
        return out
    }

    private static func span(_ o: [String: JSONValue], resource: Int) throws -> ReceivedSpan {
        var s = ReceivedSpan(resource: resource)
        s.traceID = try hex(o, "traceId")
        s.spanID = try hex(o, "spanId")
        s.parentSpanID = try hex(o, "parentSpanId")
        s.name = field(o, "name")?.stringValue ?? ""
        s.kind = try enumValue(o, "kind", names: ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                                                  "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"])
        s.startNanos = try int64(o, "startTimeUnixNano")
        s.endNanos = try int64(o, "endTimeUnixNano")
        s.attributes = SpanAttributes(try attributes(o, "attributes"))
        for e in try list(o, "events") {
            guard let e = e.objectValue else { throw Invalid("events holds a non-object") }
            s.events.append(.init(timeNanos: try int64(e, "timeUnixNano"), name: field(e, "name")?.stringValue ?? "",
                                  attributes: try attributes(e, "attributes")))
        }
        for l in try list(o, "links") {
            guard let l = l.objectValue else { throw Invalid("links holds a non-object") }
            s.links.append(.init(traceID: try hex(l, "traceId"), spanID: try hex(l, "spanId")))
        }
        if let status = field(o, "status")?.objectValue {
            s.statusCode = try enumValue(status, "code", names: ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"])
            s.statusMessage = field(status, "message")?.stringValue ?? ""
        }
        return s
    }

    private static func log(_ o: [String: JSONValue], resource: Int) throws -> ReceivedLog {
        var l = ReceivedLog(resource: resource)
        l.timeNanos = try int64(o, "timeUnixNano")
        l.observedNanos = try int64(o, "observedTimeUnixNano")
        l.severityNumber = try enumValue(o, "severityNumber", names: [])
        l.severityText = field(o, "severityText")?.stringValue ?? ""
        if let b = field(o, "body") { l.body = try anyValue(b) }
        l.attributes = try attributes(o, "attributes")
        l.traceID = try hex(o, "traceId")
        l.spanID = try hex(o, "spanId")
        l.eventName = field(o, "eventName")?.stringValue ?? ""
        return l
    }

    private static func metric(_ o: [String: JSONValue], resource: Int, into points: inout [ReceivedMetricPoint]) throws {
        let name = field(o, "name")?.stringValue ?? ""
        let unit = field(o, "unit")?.stringValue ?? ""
        for key in ["gauge", "sum", "histogram", "exponentialHistogram", "summary"] {
            guard let data = field(o, key)?.objectValue else { continue }
            let cumulative = try enumValue(data, "aggregationTemporality", names: [
                "AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA", "AGGREGATION_TEMPORALITY_CUMULATIVE"]) == 2
            let kind: ReceivedMetricPoint.Kind = switch key {
            case "gauge": .gauge
            case "sum": .sum(monotonic: field(data, "isMonotonic")?.boolValue ?? false, cumulative: cumulative)
            case "summary": .summary
            default: .histogram(cumulative: cumulative)
            }
            for p in try list(data, "dataPoints") {
                guard let p = p.objectValue else { throw Invalid("dataPoints holds a non-object") }
                var point = ReceivedMetricPoint(resource: resource, name: name, unit: unit, kind: kind)
                point.attributes = try attributes(p, "attributes")
                point.startNanos = try int64(p, "startTimeUnixNano")
                point.timeNanos = try int64(p, "timeUnixNano")
                if let v = field(p, "asDouble") { point.value = try double(v) }
                if let v = field(p, "asInt") { point.value = Double(try integer(v)) }
                point.count = try int64(p, "count")
                if let v = field(p, "sum") { point.sum = try double(v) }
                if let v = field(p, "min") { point.min = try double(v) }
                if let v = field(p, "max") { point.max = try double(v) }
                if key == "histogram" {
                    point.bucketCounts = try list(p, "bucketCounts").map { UInt64(max(0, try integer($0))) }
                    point.explicitBounds = try list(p, "explicitBounds").map(double)
                }
                for q in try list(p, "quantileValues") {
                    guard let q = q.objectValue else { throw Invalid("quantileValues holds a non-object") }
                    point.quantiles.append((try field(q, "quantile").map(double) ?? 0, try field(q, "value").map(double) ?? 0))
                }
                points.append(point)
            }
        }
    }

    // MARK: - values

    /// A key in lowerCamelCase, or the proto's snake_case spelling of it.
    private static func field(_ o: [String: JSONValue], _ key: String) -> JSONValue? {
        if let v = o[key] { return v }
        var snake = ""
        for ch in key { if ch.isUppercase { snake += "_" + ch.lowercased() } else { snake.append(ch) } }
        return o[snake]
    }

    private static func list(_ o: [String: JSONValue], _ key: String) throws -> [JSONValue] {
        guard let v = field(o, key) else { return [] }
        if case .null = v { return [] }
        guard let a = v.arrayValue else { throw Invalid("\(key) is not an array") }
        return a
    }

    private static func attributes(_ o: [String: JSONValue], _ key: String) throws -> [KeyValue] {
        try list(o, key).map { kv in
            guard let kv = kv.objectValue, let k = kv["key"]?.stringValue else { throw Invalid("\(key) holds an entry without a key") }
            return KeyValue(k, try kv["value"].map(anyValue) ?? .string(""))
        }
    }

    private static func anyValue(_ v: JSONValue) throws -> AttributeValue {
        guard let o = v.objectValue else { throw Invalid("an AnyValue is not an object") }
        if let s = field(o, "stringValue")?.stringValue { return .string(s) }
        if let b = field(o, "boolValue")?.boolValue { return .bool(b) }
        if let i = field(o, "intValue") { return .int(try integer(i)) }
        if let d = field(o, "doubleValue") { return .double(try double(d)) }
        if let b = field(o, "bytesValue")?.stringValue {
            guard let data = Data(base64Encoded: b) else { throw Invalid("bytesValue is not base64") }
            return .bytes(Array(data))
        }
        if let a = field(o, "arrayValue")?.objectValue { return .array(try list(a, "values").map(anyValue)) }
        if let m = field(o, "kvlistValue")?.objectValue { return .map(try attributes(m, "values")) }
        return .string("")
    }

    private static func int64(_ o: [String: JSONValue], _ key: String) throws -> Int64 {
        guard let v = field(o, key) else { return 0 }
        do { return try integer(v) } catch { throw Invalid("\(key) is not an integer") }
    }

    private static func integer(_ v: JSONValue) throws -> Int64 {
        switch v {
        case .string(let s):
            if let i = Int64(s) { return i }
            if let u = UInt64(s) { return Int64(bitPattern: u) }
        case .number(let d) where d.isFinite && d == d.rounded() && abs(d) <= 9.2e18: return Int64(d)
        default: break
        }
        throw Invalid("not an integer")
    }

    private static func double(_ v: JSONValue) throws -> Double {
        switch v {
        case .number(let d): return d
        case .string(let s):
            switch s {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: if let d = Double(s) { return d }
            }
        default: break
        }
        throw Invalid("not a number")
    }

    private static func enumValue(_ o: [String: JSONValue], _ key: String, names: [String]) throws -> Int {
        guard let v = field(o, key) else { return 0 }
        if let s = v.stringValue, let i = names.firstIndex(of: s) { return i }
        if let s = v.stringValue, s.hasPrefix("SEVERITY_NUMBER_") { return Severity.number(s) }
        do { return Int(try integer(v)) } catch { throw Invalid("\(key) is not a known value") }
    }

    /// A hex id; empty when absent. OTLP/JSON spells ids as hex, not base64.
    private static func hex(_ o: [String: JSONValue], _ key: String) throws -> [UInt8] {
        guard let s = field(o, key)?.stringValue, !s.isEmpty else { return [] }
        guard let bytes = Hex.bytes(s) else { throw Invalid("\(key) is not hex") }
        return bytes
    }
}

enum Severity {
    static let names = ["TRACE", "TRACE2", "TRACE3", "TRACE4", "DEBUG", "DEBUG2", "DEBUG3", "DEBUG4", "INFO", "INFO2", "INFO3",
                        "INFO4", "WARN", "WARN2", "WARN3", "WARN4", "ERROR", "ERROR2", "ERROR3", "ERROR4", "FATAL", "FATAL2",
                        "FATAL3", "FATAL4"]

    /// SEVERITY_NUMBER_INFO → 9.
    static func number(_ name: String) -> Int {
        (names.firstIndex(of: String(name.dropFirst("SEVERITY_NUMBER_".count))) ?? -1) + 1
    }

    /// A level as Powertools and most loggers spell it (INFO, WARNING, …) → OTLP's number.
    static func number(level: String) -> Int {
        switch level.uppercased() {
        case "TRACE": 1
        case "DEBUG": 5
        case "INFO": 9
        case "WARN", "WARNING": 13
        case "ERROR": 17
        case "CRITICAL", "FATAL": 21
        default: 0
        }
    }
}

enum Hex {
    static func bytes(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
