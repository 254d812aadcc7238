import Foundation
import PaytopStore
import PaytopVocabulary

/// The console's screens from the ClickHouse a Collector fleet fills (docs/clickhouse.md):
/// received telemetry, as the console shows a `paytop collect` store — the flow, queues and
/// functions from the CloudWatch-named metrics, the business and SLOs counted by ClickHouse,
/// the event feed, the charts, a checkout's trace. ClickHouse cannot say it changed, so the
/// console reads again every `refreshSeconds`.
public final class ClickHouseConsoleReading: ConsoleReading {
    public let client: ClickHouseClient
    let traces: ClickHouseTraceReading, events: ClickHouseEventReading, business: ClickHouseBusinessReading
    let functions: ClickHouseFunctionsReading, slo: ClickHouseSloReading
    let charts: ClickHouseChartSource
    public let refreshSeconds: Double
    private var lastRead = Date.distantPast
    /// What changes slowly is read again once a minute: the 30-day conversion beside the
    /// SLOs, the functions' versions (an hour of spans).
    private var conversion = ReadEvery<Double?>(seconds: 60), versions = ReadEvery<[FunctionName: String]>(seconds: 60)

    public init(_ client: ClickHouseClient, refreshSeconds: Double = 2) throws(ClickHouseClient.Failure) {
        self.client = client
        self.refreshSeconds = refreshSeconds
        traces = try ClickHouseTraceReading(client)
        events = try ClickHouseEventReading(client)
        business = try ClickHouseBusinessReading(client)
        functions = try ClickHouseFunctionsReading(client)
        slo = try ClickHouseSloReading(client)
        charts = ClickHouseChartSource(client, business: business)
    }

    public var location: String { "ClickHouse \(client.endpoint.description) · \(client.endpoint.database)" }

    public func changed() -> Bool {
        guard Date().timeIntervalSince(lastRead) >= refreshSeconds else { return false }
        lastRead = Date()
        return true
    }

    public func snapshot(limits: ConsoleSnapshot.Limits, windowNanos: Int64?, parts: ConsoleSnapshot.Parts) throws -> ConsoleSnapshot {
        var s = ConsoleSnapshot()
        s.windowNanos = windowNanos
        s.parts = parts
        s.at = try ClickHouseClock.latest(client, timestampTime: business.timestampTime)
        s.periodSeconds = 60
        s.holdsReceived = true
        let e = client.endpoint
        let at = s.at
        s.versions = try versions.value { () throws(ClickHouseClient.Failure) in
            var out: [FunctionName: String] = [:]
            for r in try client.read(ClickHouseQueries.serviceVersions(e, at: at)).rows {
                let text = r.map { $0.stringValue ?? "" }
                // A service is a function by its own name (paytop's spans) or its deployed one (the seed's).
                if let f = FunctionName(rawValue: text[0]) ?? FunctionName(deployedName: text[0]), !text[1].isEmpty { out[f] = text[1] }
            }
            return out
        }
        let recent = try ClickHouseRecentMetrics(client, at: s.at)
        s.hasPipelineMetrics = [MetricName.count, .invocations, .messagesVisible, .messagesSent].contains { name in
            recent.points.series.keys.contains { $0.hasPrefix(name.rawValue + " ") }
        }
        try ConsoleSnapshot.loadQueueMetrics(recent, &s)
        try ConsoleSnapshot.loadFunctions(recent, &s)
        s.throughputSpark = try recent.series(.checkoutsReceived, MetricDimensions.business)
        // The feed and the latest events the declines are counted over, in one read.
        let latest = try events.events(last: max(limits.events, limits.declineWindow), checkoutID: nil)
        s.events = Array(latest.suffix(limits.events))
        // The PSP's business declines among the latest events, by code (as the store counts them).
        var declines: [String: Int] = [:]
        for ev in latest.suffix(limits.declineWindow)
        where ev.name == BusinessEventName.pspResponse.name && ev.errorCategory == .business {
            declines[ev.errorCode ?? "", default: 0] += 1
        }
        s.declines = declines.map { ($0.key, $0.value) }.sorted { ($0.count, $1.code) > ($1.count, $0.code) }
        let definitions = SloDefinition.defaults
        let business = self.business
        let converted = try conversion.value { try business.conversion(at: at, since: SloReport.longestWindow(definitions)) }
        s.slo = try slo.slo(definitions: definitions, at: s.at, conversion: converted)
        if parts.contains(.business) { s.business = try business.business(since: windowNanos, at: s.at) }
        if parts.contains(.functions) { s.functionsReport = try functions.functions(since: windowNanos, at: s.at) }
        if parts.contains(.series) {
            charts.forget()
            s.series = try DashboardSeries.assemble(charts, at: s.at, windowNanos: windowNanos)
        }
        return s
    }

    public func waterfall(checkoutID: String) throws -> TraceWaterfall? { try traces.waterfall(checkoutID: checkoutID) }
}

/// A value read again only once `seconds` have passed since it was read.
struct ReadEvery<Value> {
    let seconds: Double
    private var kept: (value: Value, readAt: Date)?

    init(seconds: Double) { self.seconds = seconds }

    mutating func value<E: Error>(_ read: () throws(E) -> Value) throws(E) -> Value {
        if let kept, Date().timeIntervalSince(kept.readAt) < seconds { return kept.value }
        let v = try read()
        kept = (v, Date())
        return v
    }
}
