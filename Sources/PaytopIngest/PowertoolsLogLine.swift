import PaytopJSON

/// One line of a Lambda log as AWS Lambda Powertools' Logger prints it to CloudWatch
/// (https://docs.powertools.aws.dev/lambda/python/latest/core/logger/): a JSON object
/// with `level`, `message`, `timestamp` (`2026-12-01 15:26:10,608+0000`), `service`, the
/// Lambda context (`function_name`, `function_request_id`, `cold_start`, …),
/// `xray_trace_id` when tracing is on, and whatever keys the function added — the seed's
/// business-event fields among them. Becomes an OTLP-shaped log record under a resource
/// for its service and function.
public enum PowertoolsLogLine {
    public struct Malformed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Keys that are the record's own fields, not attributes.
    static let recordKeys: Set<String> = ["level", "message", "timestamp", "xray_trace_id", "dt.trace_id", "dt.span_id",
                                          "trace_id", "span_id"]

    public static func append(_ line: ArraySlice<UInt8>, to t: inout ReceivedTelemetry) throws {
        let value: JSONValue
        do { value = try JSONValue.parse(Array(line)) } catch { throw Malformed(description: "not JSON") }
        guard let o = value.objectValue else { throw Malformed(description: "not a JSON object") }
        let service = o["service"]?.stringValue ?? o["function_name"]?.stringValue ?? "unknown_service"
        var resourceAttributes = [KeyValue("service.name", .string(service))]
        if let f = o["function_name"]?.stringValue { resourceAttributes.append(KeyValue("faas.name", .string(f))) }
        if let v = o["function_memory_size"].flatMap(BusinessEventFields.attribute) { resourceAttributes.append(KeyValue("faas.max_memory", v)) }
        let resource: Int
        if let i = t.resources.firstIndex(where: { $0.attributes == resourceAttributes }) { resource = i } else {
            resource = t.resources.count
            t.resources.append(ReceivedResource(attributes: resourceAttributes))
        }
        var log = ReceivedLog(resource: resource)
        if let level = o["level"]?.stringValue {
            log.severityText = level
            log.severityNumber = Severity.number(level: level)
        }
        if let m = o["message"] { log.body = BusinessEventFields.attribute(m) }
        switch o["timestamp"] {
        case .string(let s)?: log.timeNanos = LogTimestamp.nanos(s) ?? 0
        case .number(let n)?: log.timeNanos = LogTimestamp.nanos(number: n) ?? 0
        default: break
        }
        if let x = o["xray_trace_id"]?.stringValue, let id = xrayTraceID(x) { log.traceID = id }
        for key in ["dt.trace_id", "trace_id"] where log.traceID.isEmpty {
            if let s = o[key]?.stringValue, let id = Hex.bytes(s), id.count == 16 { log.traceID = id }
        }
        for key in ["dt.span_id", "span_id"] where log.spanID.isEmpty {
            if let s = o[key]?.stringValue, let id = Hex.bytes(s), id.count == 8 { log.spanID = id }
        }
        for key in o.keys.sorted() where !recordKeys.contains(key) {
            if let v = BusinessEventFields.attribute(o[key]!) { log.attributes.append(KeyValue(key, v)) }
        }
        t.logs.append(log)
    }

    /// An X-Ray trace id (`1-5759e988-bd862e3fe1be46a994272793`, or a whole
    /// `Root=1-…;Parent=…;Sampled=1` header) as the W3C trace id it maps to: the eight
    /// hex digits of its time followed by its 24 random ones.
    public static func xrayTraceID(_ text: String) -> [UInt8]? {
        var root = Substring(text)
        if let r = text.split(separator: ";").first(where: { $0.hasPrefix("Root=") }) { root = r.dropFirst(5) }
        let parts = root.split(separator: "-")
        guard parts.count == 3, parts[0] == "1", parts[1].count == 8, parts[2].count == 24 else { return nil }
        return Hex.bytes(String(parts[1] + parts[2]))
    }
}
