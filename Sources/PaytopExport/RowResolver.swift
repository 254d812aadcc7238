import Foundation
import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Turns the store's compact telemetry rows (trace numbers, name and service codes,
/// offsets, JSON attributes) into OTLP spans and log records.
///
/// What a row refers to is looked up first in what earlier batches brought, then in the
/// store itself (everything a committed batch refers to is committed too). Runs on the
/// exporter's thread, never the engine's.
public final class RowResolver {
    private struct TraceInfo { let id: [UInt8]; let startedAt: Int64; let checkoutID: String? }
    private struct NameInfo { let name: String; let kind: SpanKind; let attributes: [(String, AttributeValue)] }
    private struct EventInfo {
        let name: String, type: String, stage: String, message: String
        /// What every record of this event carries, encoded once.
        let shared: EncodedAttributes

        init(name: String, type: String, stage: String, message: String) {
            self.name = name; self.type = type; self.stage = stage; self.message = message
            shared = EncodedAttributes(field: OTLPEncoding.logAttributesField, [
                ("event.name", .string(name)), ("event.type", .string(type)), ("event.domain", .string("payments")),
                ("event.provider", .string("payment-service")), ("event.version", .string("1.0")), ("payment.stage", .string(stage)),
            ])
        }
    }

    private let catalog: TelemetryCatalog
    private var traces: [Int64: TraceInfo] = [:]
    private var traceOrder: [Int64] = []
    private var traceOrderHead = 0
    private var names: [Int: NameInfo] = [:]
    private var services: [Int: (String, String)] = [:]
    private var events: [Int: EventInfo] = [:]
    private struct SeriesInfo { let name: String; let unit: String; let kind: ExportMetricPoint.Kind; let dimensions: [(String, AttributeValue)] }
    private var series: [Int: SeriesInfo] = [:]
    /// The period exported: the 60-s roll-ups (see `RecordedTelemetry.metricPeriodSeconds`).
    static let exportedPeriodSeconds = RecordedTelemetry.metricPeriodSeconds
    /// Traces remembered at most; older ones are read back from the store when needed.
    let traceCacheLimit = 100_000

    public init(storePath: String) throws {
        catalog = try TelemetryCatalog(storePath: storePath)
    }

    public func resolve(_ b: WriteBatch) throws -> ExportChunk {
        for n in b.spanNames { names[n.code] = NameInfo(name: n.name, kind: n.kind, attributes: Self.attributes(n.attributes)) }
        for s in b.serviceVersions { services[s.code] = (s.name, s.version) }
        for e in b.eventNames { events[e.code] = EventInfo(name: e.name, type: e.type, stage: e.stage, message: e.message) }
        for m in b.metricSeries { series[m.id] = Self.seriesInfo(m.name, m.unit, m.kind, m.dimensions) }
        for t in b.traces { remember(t.traceNo, TraceInfo(id: t.traceID, startedAt: t.startedAt, checkoutID: t.checkoutID)) }
        var linksBySpan: [SpanKey: [(traceID: [UInt8], spanID: UInt64)]] = [:]
        for l in b.spanLinks {
            guard let target = try trace(l.linkedTraceNo) else { continue }
            linksBySpan[SpanKey(trace: l.traceNo, span: l.spanID), default: []].append((target.id, UInt64(bitPattern: l.linkedSpanID)))
        }
        var chunk = ExportChunk()
        chunk.spans.reserveCapacity(b.spans.count)
        for s in b.spans {
            guard let t = try trace(s.traceNo), let n = try name(s.nameCode), let svc = try service(s.serviceCode) else { continue }
            var shared = encodedSharedAttributes(n, nameCode: s.nameCode, svc, serviceCode: s.serviceCode)
            var attrs = s.attributes.map(ownAttributes) ?? []
            let removed = s.attributes.map(Self.removedKeys) ?? []
            if !removed.isEmpty || attrs.contains(where: { shared.keys.contains($0.0) }) {
                // The span overrides or removes one of its name's attributes (rare for the
                // engine's spans; a received span's patch): spell them all out.
                var all = Self.sharedSpanAttributes(n, svc)
                Self.merge(attrs, into: &all)
                all.removeAll { removed.contains($0.0) }
                attrs = all
                shared = .none
            }
            chunk.spans.append(ExportSpan(
                traceID: t.id, spanID: UInt64(bitPattern: s.spanID), parentSpanID: s.parentSpanID.map { UInt64(bitPattern: $0) },
                name: n.name, kind: n.kind, serviceName: svc.0, serviceVersion: svc.1,
                startNanos: t.startedAt + s.startOffset, endNanos: t.startedAt + s.startOffset + s.duration,
                status: s.status, statusMessage: s.statusMessage, sharedAttributes: shared, attributes: attrs,
                links: linksBySpan[SpanKey(trace: s.traceNo, span: s.spanID)] ?? []))
        }
        for e in b.businessEvents {
            guard let info = try event(e.eventCode), let svc = try service(e.serviceCode) else { continue }
            let t = try e.traceNo.flatMap { try trace($0) }
            var attrs: [(String, AttributeValue)] = [("payment.outcome", .string(e.outcome.rawValue))]
            if let v = t?.checkoutID { attrs.append(("checkout_id", .string(v))) }
            if let v = e.amountTotal { attrs.append(("amount_total", .string(v))) }
            if let v = e.amountCurrency { attrs.append(("amount_currency", .string(v))) }
            if let v = e.orderCount { attrs.append(("order_count", .int(Int64(v)))) }
            if let v = e.paymentOrderID { attrs.append(("payment_order_id", .string(v))) }
            if let v = e.merchantID { attrs.append(("merchant_id", .string(v))) }
            if let v = e.errorCode { attrs.append(("error_code", .string(v))) }
            if let v = e.errorCategory { attrs.append(("error_category", .string(v.rawValue))) }
            if let v = e.pspLatencyMillis { attrs.append(("psp_latency_ms", .int(v))) }
            let failed = e.errorCode != nil
            chunk.logs.append(ExportLog(
                timeNanos: e.bizTimestamp, eventName: info.name, body: info.message, serviceName: svc.0, serviceVersion: svc.1,
                traceID: t?.id, spanID: e.spanID.map { UInt64(bitPattern: $0) },
                severityNumber: failed ? 13 : 9, severityText: failed ? "WARN" : "INFO", sharedAttributes: info.shared,
                attributes: attrs))
        }
        for p in b.metricPoints where p.periodSeconds == Self.exportedPeriodSeconds {
            guard let s = try seriesInfo(p.seriesID) else { continue }
            chunk.metrics.append(ExportMetricPoint(
                name: s.name, unit: s.unit, kind: s.kind, dimensions: s.dimensions, startNanos: p.periodStart,
                endNanos: p.periodStart + Int64(p.periodSeconds) * 1_000_000_000, value: p.value, count: p.count ?? 0,
                min: p.min, max: p.max, p50: p.p50, p95: p.p95, p99: p.p99))
        }
        return chunk
    }

    private static func seriesInfo(_ name: String, _ unit: String, _ kind: String, _ dimensions: String) -> SeriesInfo {
        SeriesInfo(name: name, unit: unit, kind: kind == "gauge" ? .gauge : kind == "counter" ? .counter : .distribution,
                   dimensions: attributes(dimensions))
    }

    private func seriesInfo(_ id: Int) throws -> SeriesInfo? {
        try cachedRow(&series, id, catalog.metricSeries) { Self.seriesInfo($0.name, $0.unit, $0.kind, $0.dimensions) }
    }

    /// `cache[code]`, or else what the store holds for `code`, remembered.
    private func cachedRow<Row, V>(_ cache: inout [Int: V], _ code: Int, _ read: (Int) throws -> Row?,
                                   _ build: (Row) -> V) throws -> V? {
        if let v = cache[code] { return v }
        guard let row = try read(code) else { return nil }
        let v = build(row)
        cache[code] = v
        return v
    }

    private struct SpanKey: Hashable { let trace: Int64; let span: Int64 }

    /// A span name's constant attributes and its service, in that order.
    private static func sharedSpanAttributes(_ n: NameInfo, _ svc: (String, String)) -> [(String, AttributeValue)] {
        n.attributes + [("service.name", .string(svc.0)), ("service.version", .string(svc.1))]
    }

    private struct NameAndService: Hashable { let name: Int; let service: Int }
    private var encodedSpanAttributes: [NameAndService: EncodedAttributes] = [:]

    /// `sharedSpanAttributes`, encoded once per (name, service).
    private func encodedSharedAttributes(_ n: NameInfo, nameCode: Int, _ svc: (String, String), serviceCode: Int) -> EncodedAttributes {
        let key = NameAndService(name: nameCode, service: serviceCode)
        if let e = encodedSpanAttributes[key] { return e }
        let e = EncodedAttributes(field: OTLPEncoding.spanAttributesField, Self.sharedSpanAttributes(n, svc))
        encodedSpanAttributes[key] = e
        return e
    }

    /// Per-span attribute texts repeat a lot (status codes, cold starts, table names):
    /// each distinct text is parsed once (up to 50,000 of them).
    private var parsedAttributes: [String: [(String, AttributeValue)]] = [:]

    private func ownAttributes(_ json: String) -> [(String, AttributeValue)] {
        if let v = parsedAttributes[json] { return v }
        let v = Self.attributes(json)
        if parsedAttributes.count >= 50_000 { parsedAttributes.removeAll(keepingCapacity: true) }
        parsedAttributes[json] = v
        return v
    }

    private func remember(_ no: Int64, _ info: TraceInfo) {
        if traces.updateValue(info, forKey: no) == nil { traceOrder.append(no) }
        if traces.count > traceCacheLimit {
            // Forget the oldest half; compact the order list.
            let drop = traces.count / 2
            for k in traceOrder[traceOrderHead..<(traceOrderHead + drop)] { traces[k] = nil }
            traceOrderHead += drop
            if traceOrderHead > traceOrder.count / 2 {
                traceOrder.removeFirst(traceOrderHead)
                traceOrderHead = 0
            }
        }
    }

    private func trace(_ no: Int64) throws -> TraceInfo? {
        if let t = traces[no] { return t }
        guard let t = try catalog.trace(no) else { return nil }
        let info = TraceInfo(id: t.traceID, startedAt: t.startedAt, checkoutID: t.checkoutID)
        remember(no, info)
        return info
    }

    private func name(_ code: Int) throws -> NameInfo? {
        try cachedRow(&names, code, catalog.spanName) {
            NameInfo(name: $0.name, kind: $0.kind, attributes: Self.attributes($0.attributes))
        }
    }

    private func service(_ code: Int) throws -> (String, String)? {
        try cachedRow(&services, code, catalog.service) { ($0.name, $0.version) }
    }

    private func event(_ code: Int) throws -> EventInfo? {
        try cachedRow(&events, code, catalog.eventName) {
            EventInfo(name: $0.name, type: $0.type, stage: $0.stage, message: $0.message)
        }
    }

    /// A JSON object of attributes; integers stay integers, arrays stay arrays.
    static func attributes(_ json: String) -> [(String, AttributeValue)] {
        guard let object = (try? JSONValue.parse(json))?.objectValue else { return [("paytop.attributes", .string(json))] }
        return object.keys.sorted().compactMap { key in value(object[key]!).map { (key, $0) } }
    }

    static func value(_ v: JSONValue) -> AttributeValue? {
        switch v {
        case .string(let s): .string(s)
        case .bool(let b): .bool(b)
        case .number(let n): n == n.rounded() && abs(n) < 9e15 ? .int(Int64(n)) : .double(n)
        case .null: nil
        case .array(let items): .array(items.compactMap(value))
        case .object: .string(v.encoded)
        }
    }

    /// Keys a span's attributes set to null: a merge patch (RFC 7396) removing them from
    /// its name's (received spans keep their attributes as such a patch).
    static func removedKeys(_ json: String) -> Set<String> {
        guard json.contains(":null"), let object = (try? JSONValue.parse(json))?.objectValue else { return [] }
        return Set(object.compactMap { if case .null = $0.value { return $0.key } else { return nil } })
    }

    /// The span's own attributes override the name's (as the `span` view's json_patch does).
    static func merge(_ own: [(String, AttributeValue)], into attrs: inout [(String, AttributeValue)]) {
        for (k, v) in own {
            if let i = attrs.firstIndex(where: { $0.0 == k }) { attrs[i].1 = v } else { attrs.append((k, v)) }
        }
    }
}
