import PaytopProtobuf

/// OTLP/HTTP request bodies in the protobuf encoding (opentelemetry-proto v1:
/// collector/{trace,logs,metrics}/v1), decoded straight into `ReceivedTelemetry`.
/// Unknown fields are skipped, as protobuf requires; a truncated or malformed body throws.
public enum OTLPProtobufDecoding {
    public static func decode(_ signal: Signal, _ body: [UInt8]) throws -> ReceivedTelemetry {
        try body.withUnsafeBufferPointer { buffer in
            var out = ReceivedTelemetry()
            var r = ProtobufReader(buffer)
            while let (field, wire) = try r.next() {
                guard field == 1 else { try r.skip(wire); continue }
                try ProtobufReader.expect(wire, .lengthDelimited, field: field)
                var resourceItems = try r.message()
                try resourceBlock(&resourceItems, signal, &out)
            }
            return out
        }
    }

    /// ResourceSpans / ResourceLogs / ResourceMetrics: field 1 the resource, field 2 each
    /// scope block, whose field 2 holds the items.
    private static func resourceBlock(_ r: inout ProtobufReader, _ signal: Signal, _ out: inout ReceivedTelemetry) throws {
        let index = out.resources.count
        out.resources.append(ReceivedResource(attributes: []))
        while let (field, wire) = try r.next() {
            switch field {
            case 1:
                try ProtobufReader.expect(wire, .lengthDelimited, field: field)
                var res = try r.message()
                while let (f, w) = try res.next() {
                    if f == 1 { out.resources[index].attributes.append(try keyValue(&res, w)) } else { try res.skip(w) }
                }
            case 2:
                try ProtobufReader.expect(wire, .lengthDelimited, field: field)
                var scope = try r.message()
                while let (f, w) = try scope.next() {
                    guard f == 2 else { try scope.skip(w); continue }
                    try ProtobufReader.expect(w, .lengthDelimited, field: f)
                    var item = try scope.message()
                    switch signal {
                    case .traces: out.spans.append(try span(&item, resource: index))
                    case .logs: out.logs.append(try log(&item, resource: index))
                    case .metrics: try metric(&item, resource: index, into: &out.metricPoints)
                    }
                }
            default: try r.skip(wire)
            }
        }
    }

    private static func span(_ r: inout ProtobufReader, resource: Int) throws -> ReceivedSpan {
        var s = ReceivedSpan(resource: resource)
        var attributes = SpanAttributeTranscoder()
        let spanReader = r
        while let (field, wire) = try r.next() {
            switch (field, wire) {
            case (1, .lengthDelimited): s.traceID = try r.bytes()
            case (2, .lengthDelimited): s.spanID = try r.bytes()
            case (4, .lengthDelimited): s.parentSpanID = try r.bytes()
            case (5, .lengthDelimited): s.name = try r.string()
            case (6, .varint): s.kind = Int(truncatingIfNeeded: try r.varint())
            case (7, .fixed64): s.startNanos = Int64(bitPattern: try r.fixed64())
            case (8, .fixed64): s.endNanos = Int64(bitPattern: try r.fixed64())
            case (9, .lengthDelimited): try attributes.add(&r)
            case (11, .lengthDelimited):
                var e = try r.message()
                var event = ReceivedSpan.Event(timeNanos: 0, name: "", attributes: [])
                while let (f, w) = try e.next() {
                    switch (f, w) {
                    case (1, .fixed64): event.timeNanos = Int64(bitPattern: try e.fixed64())
                    case (2, .lengthDelimited): event.name = try e.string()
                    case (3, _): event.attributes.append(try keyValue(&e, w))
                    default: try e.skip(w)
                    }
                }
                s.events.append(event)
            case (13, .lengthDelimited):
                var l = try r.message()
                var link = ReceivedSpan.Link(traceID: [], spanID: [])
                while let (f, w) = try l.next() {
                    switch (f, w) {
                    case (1, .lengthDelimited): link.traceID = try l.bytes()
                    case (2, .lengthDelimited): link.spanID = try l.bytes()
                    default: try l.skip(w)
                    }
                }
                s.links.append(link)
            case (15, .lengthDelimited):
                var st = try r.message()
                while let (f, w) = try st.next() {
                    switch (f, w) {
                    case (2, .lengthDelimited): s.statusMessage = try st.string()
                    case (3, .varint): s.statusCode = Int(truncatingIfNeeded: try st.varint())
                    default: try st.skip(w)
                    }
                }
            case (1, _), (2, _), (4, _), (5, _), (6, _), (7, _), (8, _), (9, _), (11, _), (13, _), (15, _):
                throw ProtobufError.malformed("span field \(field) has the wrong wire type")
            default: try r.skip(wire)
            }
        }
        if attributes.duplicate {
            // A key sent twice: read the key-values again so the last one wins.
            var again = spanReader
            var pairs: [KeyValue] = []
            while let (field, wire) = try again.next() {
                if field == 9 { pairs.append(try keyValue(&again, wire)) } else { try again.skip(wire) }
            }
            s.attributes = SpanAttributes(pairs)
        } else {
            s.attributes = attributes.finish()
        }
        return s
    }

    private static func log(_ r: inout ProtobufReader, resource: Int) throws -> ReceivedLog {
        var l = ReceivedLog(resource: resource)
        while let (field, wire) = try r.next() {
            switch (field, wire) {
            case (1, .fixed64): l.timeNanos = Int64(bitPattern: try r.fixed64())
            case (11, .fixed64): l.observedNanos = Int64(bitPattern: try r.fixed64())
            case (2, .varint): l.severityNumber = Int(truncatingIfNeeded: try r.varint())
            case (3, .lengthDelimited): l.severityText = try r.string()
            case (5, .lengthDelimited):
                var v = try r.message()
                l.body = try anyValue(&v)
            case (6, _): l.attributes.append(try keyValue(&r, wire))
            case (9, .lengthDelimited): l.traceID = try r.bytes()
            case (10, .lengthDelimited): l.spanID = try r.bytes()
            case (12, .lengthDelimited): l.eventName = try r.string()
            case (1, _), (11, _), (2, _), (3, _), (5, _), (9, _), (10, _), (12, _):
                throw ProtobufError.malformed("log record field \(field) has the wrong wire type")
            default: try r.skip(wire)
            }
        }
        return l
    }

    /// A Metric's data points, each a `ReceivedMetricPoint` under the metric's name.
    private static func metric(_ r: inout ProtobufReader, resource: Int, into points: inout [ReceivedMetricPoint]) throws {
        var name = "", unit = ""
        var data: [(field: Int, reader: ProtobufReader)] = []
        while let (field, wire) = try r.next() {
            switch (field, wire) {
            case (1, .lengthDelimited): name = try r.string()
            case (3, .lengthDelimited): unit = try r.string()
            case (5, .lengthDelimited), (7, .lengthDelimited), (9, .lengthDelimited), (10, .lengthDelimited), (11, .lengthDelimited):
                data.append((field, try r.message()))
            default: try r.skip(wire)
            }
        }
        for (field, var d) in data {
            // Temporality and monotonicity follow the points in Sum and Histogram: read them first.
            var rawPoints: [ProtobufReader] = []
            var cumulative = false, monotonic = false
            while let (f, w) = try d.next() {
                switch (f, w) {
                case (1, .lengthDelimited): rawPoints.append(try d.message())
                case (2, .varint): cumulative = try d.varint() == 2
                case (3, .varint): monotonic = try d.varint() != 0
                default: try d.skip(w)
                }
            }
            let kind: ReceivedMetricPoint.Kind = switch field {
            case 5: .gauge
            case 7: .sum(monotonic: monotonic, cumulative: cumulative)
            case 9, 10: .histogram(cumulative: cumulative)
            default: .summary
            }
            for var p in rawPoints {
                var point = ReceivedMetricPoint(resource: resource, name: name, unit: unit, kind: kind)
                switch field {
                case 5, 7: try numberPoint(&p, &point)
                case 9: try histogramPoint(&p, &point)
                case 10: try exponentialPoint(&p, &point)
                default: try summaryPoint(&p, &point)
                }
                points.append(point)
            }
        }
    }

    private static func numberPoint(_ r: inout ProtobufReader, _ p: inout ReceivedMetricPoint) throws {
        while let (f, w) = try r.next() {
            switch (f, w) {
            case (7, _): p.attributes.append(try keyValue(&r, w))
            case (2, .fixed64): p.startNanos = Int64(bitPattern: try r.fixed64())
            case (3, .fixed64): p.timeNanos = Int64(bitPattern: try r.fixed64())
            case (4, .fixed64): p.value = try r.double()
            case (6, .fixed64): p.value = Double(Int64(bitPattern: try r.fixed64()))
            default: try r.skip(w)
            }
        }
    }

    private static func histogramPoint(_ r: inout ProtobufReader, _ p: inout ReceivedMetricPoint) throws {
        while let (f, w) = try r.next() {
            switch (f, w) {
            case (9, _): p.attributes.append(try keyValue(&r, w))
            case (2, .fixed64): p.startNanos = Int64(bitPattern: try r.fixed64())
            case (3, .fixed64): p.timeNanos = Int64(bitPattern: try r.fixed64())
            case (4, .fixed64): p.count = Int64(bitPattern: try r.fixed64())
            case (5, .fixed64): p.sum = try r.double()
            case (6, _): p.bucketCounts.append(contentsOf: try r.packedFixed64(w))
            case (7, _): p.explicitBounds.append(contentsOf: try r.packedFixed64(w).map { Double(bitPattern: $0) })
            case (11, .fixed64): p.min = try r.double()
            case (12, .fixed64): p.max = try r.double()
            default: try r.skip(w)
            }
        }
    }

    private static func exponentialPoint(_ r: inout ProtobufReader, _ p: inout ReceivedMetricPoint) throws {
        while let (f, w) = try r.next() {
            switch (f, w) {
            case (1, _): p.attributes.append(try keyValue(&r, w))
            case (2, .fixed64): p.startNanos = Int64(bitPattern: try r.fixed64())
            case (3, .fixed64): p.timeNanos = Int64(bitPattern: try r.fixed64())
            case (4, .fixed64): p.count = Int64(bitPattern: try r.fixed64())
            case (5, .fixed64): p.sum = try r.double()
            case (12, .fixed64): p.min = try r.double()
            case (13, .fixed64): p.max = try r.double()
            default: try r.skip(w)
            }
        }
    }

    private static func summaryPoint(_ r: inout ProtobufReader, _ p: inout ReceivedMetricPoint) throws {
        while let (f, w) = try r.next() {
            switch (f, w) {
            case (7, _): p.attributes.append(try keyValue(&r, w))
            case (2, .fixed64): p.startNanos = Int64(bitPattern: try r.fixed64())
            case (3, .fixed64): p.timeNanos = Int64(bitPattern: try r.fixed64())
            case (4, .fixed64): p.count = Int64(bitPattern: try r.fixed64())
            case (5, .fixed64): p.sum = try r.double()
            case (6, .lengthDelimited):
                var q = try r.message()
                var quantile = 0.0, value = 0.0
                while let (qf, qw) = try q.next() {
                    switch (qf, qw) {
                    case (1, .fixed64): quantile = try q.double()
                    case (2, .fixed64): value = try q.double()
                    default: try q.skip(qw)
                    }
                }
                p.quantiles.append((quantile, value))
            default: try r.skip(w)
            }
        }
    }

    static func keyValue(_ r: inout ProtobufReader, _ wire: ProtobufReader.WireType, depth: Int = 0) throws -> KeyValue {
        try ProtobufReader.expect(wire, .lengthDelimited, field: 0)
        var kv = try r.message()
        var key = ""
        var value: AttributeValue = .string("")
        while let (f, w) = try kv.next() {
            switch (f, w) {
            case (1, .lengthDelimited): key = try kv.string()
            case (2, .lengthDelimited):
                var v = try kv.message()
                value = try anyValue(&v, depth: depth) ?? .string("")
            default: try kv.skip(w)
            }
        }
        return KeyValue(key, value)
    }

    /// AnyValue; nil when no member is set (an empty value).
    private static func anyValue(_ r: inout ProtobufReader, depth: Int = 0) throws -> AttributeValue? {
        guard depth < 32 else { throw ProtobufError.malformed("values nested deeper than 32") }
        var value: AttributeValue?
        while let (f, w) = try r.next() {
            switch (f, w) {
            case (1, .lengthDelimited): value = .string(try r.string())
            case (2, .varint): value = .bool(try r.varint() != 0)
            case (3, .varint): value = .int(Int64(bitPattern: try r.varint()))
            case (4, .fixed64): value = .double(try r.double())
            case (7, .lengthDelimited): value = .bytes(try r.bytes())
            case (5, .lengthDelimited), (6, .lengthDelimited):
                var list = try r.message()
                var items: [AttributeValue] = [], pairs: [KeyValue] = []
                while let (lf, lw) = try list.next() {
                    guard lf == 1 else { try list.skip(lw); continue }
                    try ProtobufReader.expect(lw, .lengthDelimited, field: lf)
                    if f == 5 {
                        var item = try list.message()
                        items.append(try anyValue(&item, depth: depth + 1) ?? .string(""))
                    } else {
                        pairs.append(try keyValue(&list, lw, depth: depth + 1))
                    }
                }
                value = f == 5 ? .array(items) : .map(pairs)
            default: try r.skip(w)
            }
        }
        return value
    }
}
