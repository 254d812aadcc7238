import Foundation
import PaytopDetect
import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// Maps received telemetry onto the store's rows: assigns trace numbers, span-name,
/// service and series codes after the store's own, finds a trace again by its W3C id,
/// and reads business events out of log records. One mapper per store, used from one
/// thread (the intake's).
public final class IngestMapper {
    /// What one request brought and what of it could not be taken.
    public struct Outcome: Sendable, Equatable {
        public var spans = 0, logs = 0, metricPoints = 0, businessEvents = 0
        public var rejected = 0
        /// Why the first rejected item was rejected (OTLP's partial_success.error_message).
        public var rejection: String?

        public init() {}

        mutating func add(_ o: Outcome) {
            spans += o.spans; logs += o.logs; metricPoints += o.metricPoints; businessEvents += o.businessEvents
            rejected += o.rejected
            if rejection == nil { rejection = o.rejection }
        }

        mutating func reject(_ why: String) {
            rejected += 1
            if rejection == nil { rejection = why }
        }
    }

    private struct TraceKey: Hashable { let hi: UInt64, lo: UInt64 }
    private struct TraceInfo { let no: Int64; let startedAt: Int64; var hasCheckout: Bool }
    private struct NameKey: Hashable { let name: String, kind: SpanKind, service: Int }
    private struct ServiceKey: Hashable { let name: String, version: String }
    private struct SeriesKey: Hashable { let name: String, dimensions: String }
    private struct CumulativeKey: Hashable { let series: Int, start: Int64 }

    private let catalog: IngestCatalog
    private var traces: [TraceKey: TraceInfo] = [:]
    private var lastTraceNo: Int64
    private var spanNames: [NameKey: (code: Int, shared: SharedSpanAttributes)] = [:]
    private var present: [Bool] = []
    private var lastNameCode: Int
    private var services: [ServiceKey: Int] = [:]
    private var lastServiceCode: Int
    private var knownEvents: Set<Int>
    private var series: [SeriesKey: Int] = [:]
    private var lastSeriesID: Int
    private var cumulative: [CumulativeKey: Double] = [:]
    private var resources: [Int: String] = [:]
    private var slos = ReceivedSlos()
    private var detection: ReceivedDetection
    /// Traces remembered at most; beyond it the map starts again and older traces are
    /// found in the store (`forgetTracesIfLarge`, called when nothing is in flight).
    let traceMemoryLimit = 1_000_000

    public init(storePath: String) throws {
        catalog = try IngestCatalog(storePath: storePath)
        let codes = try catalog.codes()
        lastTraceNo = codes.lastTraceNo
        // Names the store holds are not reused: their constant attributes are another
        // writer's (the engine's, or a receiver's before a restart).
        lastNameCode = codes.lastSpanNameCode
        for s in codes.services { services[ServiceKey(name: s.name, version: s.version)] = s.code }
        lastServiceCode = codes.services.map(\.code).max() ?? 0
        knownEvents = codes.eventCodes
        for s in codes.series { series[SeriesKey(name: s.name, dimensions: s.dimensions)] = s.id }
        lastSeriesID = codes.series.map(\.id).max() ?? 0
        let problems = try catalog.resumableProblems(reopenWindow: Int64(DetectorThresholds.standard.reopenWithinMinutes) * Period.minute)
        detection = ReceivedDetection(resuming: problems.rows, nextID: problems.nextID)
    }

    /// Forgets remembered traces when there are too many. Call only when every batch
    /// mapped so far has committed (a forgotten trace is then found in the store).
    public func forgetTracesIfLarge() {
        if traces.count > traceMemoryLimit { traces.removeAll(keepingCapacity: true) }
    }

    /// The newest time among what was mapped (span ends, log records): the receiver's
    /// present, which retention counts back from.
    public private(set) var newest: Int64 = 0

    public func map(_ t: ReceivedTelemetry, into b: inout WriteBatch) throws -> Outcome {
        for s in t.spans where s.endNanos > newest { newest = s.endNanos }
        for l in t.logs where l.timeNanos > newest { newest = l.timeNanos }
        var outcome = Outcome()
        let serviceCodes = t.resources.map { resourceService($0, &b) }
        for s in t.spans {
            try span(s, service: serviceCodes[s.resource], &b, &outcome)
            detection.span(s, serviceName: t.resources[s.resource].serviceName)
        }
        for l in t.logs { try log(l, resource: t.resources[l.resource], service: serviceCodes[l.resource], &b, &outcome) }
        for p in t.metricPoints { metric(p, &b, &outcome) }
        for e in slos.sweep(through: newest) { slo(e, &b) }
        b.problems += detection.judge(through: newest)
        if slos.lateInFlight != lastLateInFlight {
            lastLateInFlight = slos.lateInFlight
            let id = seriesID(MetricName.sloBadEventsInFlight.rawValue, MetricDimensions.slo(SloName.settlement.rawValue),
                              unit: "count", kind: "gauge", &b)
            b.received.metricPoints.append(ReceivedMetricPointRow(
                seriesID: id, periodSeconds: 60, periodStart: Period.start(of: newest, length: Period.minute),
                merge: .reading(Double(slos.lateInFlight))))
        }
        return outcome
    }

    /// The bad settlement events in flight last written.
    private var lastLateInFlight = 0

    // MARK: - spans


    private func span(_ s: ReceivedSpan, service: Int, _ b: inout WriteBatch, _ o: inout Outcome) throws {
        guard let traceKey = Self.traceKey(s.traceID) else { return o.reject("a span's trace_id is not 16 bytes (or is all zero)") }
        guard let spanID = Self.spanID(s.spanID) else { return o.reject("a span's span_id is not 8 bytes (or is all zero)") }
        var parent: Int64?
        if !s.parentSpanID.isEmpty {
            guard let p = Self.spanID(s.parentSpanID) else { return o.reject("a span's parent_span_id is not 8 bytes") }
            parent = p
        }
        let checkout = s.attributes.checkoutID
        let t = try trace(traceKey, s.traceID, start: s.startNanos, checkout: checkout, &b)
        let kind = SpanKind(otlpNumber: s.kind)
        let (code, shared) = name(s.name, kind, service: service, first: s.attributes, &b)
        b.received.spans.append(SpanRow(
            traceNo: t.no, spanID: spanID, parentSpanID: parent, nameCode: code, serviceCode: service,
            startOffset: s.startNanos &- t.startedAt, duration: max(0, s.endNanos &- s.startNanos),
            status: SpanStatus(code: s.statusCode), statusMessage: s.statusMessage.isEmpty ? nil : s.statusMessage,
            attributes: shared.patch(s.attributes, present: &present)))
        for (i, e) in s.events.enumerated() {
            b.received.spanEvents.append(SpanEventRow(traceNo: t.no, spanID: spanID, seq: i, timeOffset: e.timeNanos &- t.startedAt,
                                             name: e.name, attributes: AttributeJSON.object(e.attributes)))
        }
        if let e = slos.span(s) { slo(e, &b) }
        for l in s.links {
            guard let lk = Self.traceKey(l.traceID), let ls = Self.spanID(l.spanID) else { continue }
            let target = try trace(lk, l.traceID, start: s.startNanos, checkout: nil, &b)
            b.spanLinks.append(SpanLinkRow(traceNo: t.no, spanID: spanID, linkedTraceNo: target.no, linkedSpanID: ls))
        }
        o.spans += 1
    }

    /// The trace of a W3C id: remembered, found in the store, or new.
    private func trace(_ key: TraceKey, _ id: [UInt8], start: Int64, checkout: String?, _ b: inout WriteBatch) throws -> TraceInfo {
        var info: TraceInfo
        if let known = traces[key] {
            info = known
        } else if let stored = try catalog.receivedTrace(id) {
            info = TraceInfo(no: stored.traceNo, startedAt: stored.startedAt, hasCheckout: stored.hasCheckout)
        } else {
            lastTraceNo += 1
            info = TraceInfo(no: lastTraceNo, startedAt: start, hasCheckout: checkout != nil)
            b.traces.append(TraceRow(traceNo: info.no, traceID: id, checkoutID: checkout, startedAt: start))
            b.received.traces.append(ReceivedTraceRow(traceNo: info.no, traceID: id))
            traces[key] = info
            return info
        }
        if !info.hasCheckout, let checkout {
            b.received.traceCheckouts.append(TraceCheckoutRow(traceNo: info.no, checkoutID: checkout))
            info.hasCheckout = true
        }
        traces[key] = info
        return info
    }

    /// A span name's code for this service, and the attributes its spans share (the
    /// first span's: each later one keeps a patch over them).
    private func name(_ name: String, _ kind: SpanKind, service: Int, first: SpanAttributes,
                      _ b: inout WriteBatch) -> (Int, SharedSpanAttributes) {
        let key = NameKey(name: name, kind: kind, service: service)
        if let known = spanNames[key] { return known }
        lastNameCode += 1
        let shared = SharedSpanAttributes(first)
        spanNames[key] = (lastNameCode, shared)
        b.spanNames.append(SpanNameRow(code: lastNameCode, name: name, kind: kind, attributes: shared.json))
        return (lastNameCode, shared)
    }

    /// The service of a resource, and its other attributes kept when they change.
    private func resourceService(_ r: ReceivedResource, _ b: inout WriteBatch) -> Int {
        serviceCode(r.serviceName, r.serviceVersion, resource: r.attributes, &b)
    }

    private func serviceCode(_ name: String, _ version: String, resource: [KeyValue], _ b: inout WriteBatch) -> Int {
        let key = ServiceKey(name: name, version: version)
        let code: Int
        if let c = services[key] { code = c } else {
            lastServiceCode += 1
            code = lastServiceCode
            services[key] = code
            b.serviceVersions.append(ServiceVersionRow(code: code, name: name, version: version))
        }
        let rest = resource.filter { $0.key != "service.name" && $0.key != "service.version" }
        if let json = AttributeJSON.object(rest), resources[code] != json {
            resources[code] = json
            b.received.resources.append(ReceivedResourceRow(serviceCode: code, attributes: json))
        }
        return code
    }

    // MARK: - logs

    private func log(_ l: ReceivedLog, resource: ReceivedResource, service: Int, _ b: inout WriteBatch, _ o: inout Outcome) throws {
        let time = l.timeNanos != 0 ? l.timeNanos : l.observedNanos != 0 ? l.observedNanos : Int64(Date().timeIntervalSince1970 * 1e9)
        let fields = BusinessEventFields.fields(attributes: l.attributes, body: l.body)
        let event = BusinessEventFields.read(fields, eventName: l.eventName)
        var serviceCode = service
        if resource.attributes.value("service.name") == nil, let s = event?.service ?? fields["service"]?.text ?? fields["function_name"]?.text {
            serviceCode = self.serviceCode(s, "", resource: [], &b)
        }
        var traceNo: Int64?
        if let key = Self.traceKey(l.traceID) {
            traceNo = try trace(key, l.traceID, start: time, checkout: event?.checkoutID, &b).no
        } else if !l.traceID.isEmpty {
            o.reject("a log record's trace_id is not 16 bytes")
            return
        }
        let spanID = Self.spanID(l.spanID)
        var eventIndex: Int?
        if let e = event {
            let code = e.name.rawValue
            if knownEvents.insert(code).inserted {
                b.eventNames.append(EventNameRow(code: code, name: e.name.name, type: e.name.type, stage: e.name.stage, message: e.name.message))
            }
            eventIndex = b.businessEvents.count
            b.businessEvents.append(BusinessEventRow(
                eventCode: code, outcome: e.outcome, bizTimestamp: e.timestamp ?? time, amountTotal: e.amountTotal,
                amountCurrency: e.currency, orderCount: e.orderCount, paymentOrderID: e.paymentOrderID, merchantID: e.merchantID,
                errorCode: e.errorCode, errorCategory: e.errorCategory, pspLatencyMillis: e.pspLatencyMillis, traceNo: traceNo,
                spanID: spanID, serviceCode: serviceCode, checkoutID: e.checkoutID))
            o.businessEvents += 1
            for event in slos.businessEvent(e, at: e.timestamp ?? time) { slo(event, &b) }
            if e.name == .checkoutSettled || e.name == .checkoutFailed, !e.isBusinessDecline {
                detection.checkoutEnded(settled: e.name == .checkoutSettled, at: e.timestamp ?? time)
            }
        }
        b.received.logRecords.append(LogRecordRow(
            timeNanos: time, severityNumber: l.severityNumber, severityText: l.severityText.isEmpty ? nil : l.severityText,
            body: l.body.map(AttributeJSON.text), serviceCode: serviceCode, traceNo: traceNo, spanID: spanID,
            attributes: AttributeJSON.object(l.attributes), businessEventIndex: eventIndex))
        o.logs += 1
    }

    // MARK: - metrics

    /// One SLO event as the engine counts it: valid, and good or not, in its minute.
    private func slo(_ e: ReceivedSlos.Event, _ b: inout WriteBatch) {
        detection.slo(e)
        let dimensions = MetricDimensions.slo(e.slo.rawValue)
        let period = Period.start(of: e.at, length: Period.minute)
        for (name, add) in [(MetricName.sloValidEvents, true), (MetricName.sloGoodEvents, e.good)] where add {
            let id = seriesID(name.rawValue, dimensions, unit: "count", kind: "counter", &b)
            b.received.metricPoints.append(ReceivedMetricPointRow(seriesID: id, periodSeconds: 60, periodStart: period, merge: .add(1)))
        }
    }

    private func seriesID(_ name: String, _ dimensions: String, unit: String, kind: String, _ b: inout WriteBatch) -> Int {
        let key = SeriesKey(name: name, dimensions: dimensions)
        if let known = series[key] { return known }
        lastSeriesID += 1
        series[key] = lastSeriesID
        b.metricSeries.append(MetricSeriesRow(id: lastSeriesID, name: name, dimensions: dimensions, unit: unit, kind: kind))
        return lastSeriesID
    }

    private func metric(_ p: ReceivedMetricPoint, _ b: inout WriteBatch, _ o: inout Outcome) {
        guard !p.name.isEmpty else { return o.reject("a metric has no name") }
        let dimensions = Self.dimensions(p.attributes)
        let kind: String
        switch p.kind {
        case .gauge, .sum(monotonic: false, cumulative: true): kind = "gauge"
        case .sum: kind = "counter"
        case .histogram, .summary: kind = "distribution"
        }
        let id = seriesID(p.name, dimensions, unit: p.unit, kind: kind, &b)
        let period = Period.start(of: p.timeNanos, length: Period.minute)
        let merge: ReceivedMetricPointRow.Merge
        switch p.kind {
        case .gauge, .sum(monotonic: false, cumulative: true):
            merge = .reading(p.value)
        case .sum(_, let isCumulative):
            var delta = p.value
            if isCumulative {
                // A cumulative counter counts from its start: the first point is the
                // baseline, each later one adds its difference (a reset starts again).
                let ck = CumulativeKey(series: id, start: p.startNanos)
                let previous = cumulative[ck]
                cumulative[ck] = p.value
                guard let previous else { o.metricPoints += 1; return }
                delta = p.value >= previous ? p.value - previous : p.value
            }
            merge = .add(delta)
        case .histogram:
            let q = Self.bucketQuantiles(p)
            merge = .observations(count: p.count, sum: p.sum, min: p.min, max: p.max, p50: q.0, p95: q.1, p99: q.2)
        case .summary:
            func quantile(_ q: Double) -> Double? { p.quantiles.first(where: { abs($0.quantile - q) < 1e-9 })?.value }
            merge = .observations(count: p.count, sum: p.sum, min: quantile(0) ?? p.min, max: quantile(1) ?? p.max,
                                  p50: quantile(0.5), p95: quantile(0.95), p99: quantile(0.99))
        }
        b.received.metricPoints.append(ReceivedMetricPointRow(seriesID: id, periodSeconds: 60, periodStart: period, merge: merge))
        o.metricPoints += 1
    }

    /// p50, p95 and p99 of an explicit-bounds histogram: the upper bound of the bucket
    /// holding each rank (the last bucket's: the max, when known).
    static func bucketQuantiles(_ p: ReceivedMetricPoint) -> (Double?, Double?, Double?) {
        let total = p.bucketCounts.reduce(0, +)
        guard total > 0 else { return (nil, nil, nil) }
        func at(_ q: Double) -> Double? {
            let rank = UInt64((q * Double(total)).rounded(.up))
            var seen: UInt64 = 0
            for (i, c) in p.bucketCounts.enumerated() {
                seen += c
                if seen >= max(1, rank) { return i < p.explicitBounds.count ? p.explicitBounds[i] : (p.max ?? p.explicitBounds.last) }
            }
            return p.max
        }
        return (at(0.5), at(0.95), at(0.99))
    }

    /// A series' dimensions as the store keys them: a JSON object with sorted keys.
    static func dimensions(_ attributes: [KeyValue]) -> String {
        var last: [String: AttributeValue] = [:]
        for kv in attributes { last[kv.key] = kv.value }
        return JSONText.object(last.keys.sorted().map { ($0, last[$0]!.text ?? AttributeJSON.text(last[$0]!)) })
    }

    // MARK: - ids

    private static func traceKey(_ id: [UInt8]) -> TraceKey? {
        guard id.count == 16 else { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for i in 0..<8 { hi = hi << 8 | UInt64(id[i]); lo = lo << 8 | UInt64(id[8 + i]) }
        return hi == 0 && lo == 0 ? nil : TraceKey(hi: hi, lo: lo)
    }

    /// The 8 bytes of a span id as the store's signed 64-bit integer; nil when not 8 bytes or zero.
    static func spanID(_ id: [UInt8]) -> Int64? {
        guard id.count == 8 else { return nil }
        var v: UInt64 = 0
        for byte in id { v = v << 8 | UInt64(byte) }
        return v == 0 ? nil : Int64(bitPattern: v)
    }

}
