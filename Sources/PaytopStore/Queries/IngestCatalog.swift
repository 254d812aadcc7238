/// What a receiver needs from a store before it adds to it: the codes already taken (span
/// names, services, event names, metric series — new ones continue after the highest),
/// the newest trace number, and a received trace found again by its W3C id.
public final class IngestCatalog {
    private let c: Connection

    public struct Codes: Sendable {
        /// The highest span-name code (received spans take new names after it: a stored
        /// name's constant attributes are another writer's).
        public var lastSpanNameCode = 0
        public var services: [ServiceVersionRow] = []
        public var eventCodes: Set<Int> = []
        public var series: [MetricSeriesRow] = []
        public var lastTraceNo: Int64 = 0
    }

    public init(storePath: String) throws {
        c = try Store.openForReading(path: storePath)
    }

    public func codes() throws -> Codes {
        try c.read {
            var out = Codes()
            out.lastSpanNameCode = Int(try c.scalarInt("SELECT coalesce(max(name_code), 0) FROM span_name") ?? 0)
            let services = try c.cached("SELECT service_code, service_name, service_version FROM service_version")
            out.services = try services.all { ServiceVersionRow(code: Int($0.int(0)), name: $0.string(1), version: $0.string(2)) }
            services.reset()
            let events = try c.cached("SELECT event_code FROM business_event_name")
            out.eventCodes = Set(try events.all { Int($0.int(0)) })
            events.reset()
            let series = try c.cached("SELECT series_id, name, dimensions, unit, kind FROM metric_series")
            out.series = try series.all {
                MetricSeriesRow(id: Int($0.int(0)), name: $0.string(1), dimensions: $0.string(2), unit: $0.string(3), kind: $0.string(4))
            }
            series.reset()
            out.lastTraceNo = try c.scalarInt("SELECT coalesce(max(trace_no), 0) FROM trace") ?? 0
            return out
        }
    }

    /// The problems a receiver goes on with after a restart: those open, or closed within
    /// `reopenWindow` of the last one's end (they may reopen), and the id after the highest.
    public func resumableProblems(reopenWindow: Int64) throws -> (rows: [ProblemRow], nextID: Int64) {
        try c.read {
            guard try c.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'problem'") == 1 else { return ([], 1) }
            let last = try c.scalarInt("SELECT max(coalesce(closed_at, last_violation_at)) FROM problem") ?? 0
            return try ProblemBook.resumable(c, closedAfter: last - reopenWindow)
        }
    }

    /// A received trace by its 16-byte id: its number, start and whether it knows its checkout.
    public func receivedTrace(_ traceID: [UInt8]) throws -> (traceNo: Int64, startedAt: Int64, hasCheckout: Bool)? {
        let s = try c.cached("""
            SELECT t.trace_no, t.started_at, t.checkout_id IS NOT NULL FROM received_trace r JOIN trace t ON t.trace_no = r.trace_no
            WHERE r.trace_id = ?
            """)
        s.bind(1, bytes: traceID)
        defer { s.reset() }
        return try s.step() ? (s.int(0), s.int(1), s.int(2) != 0) : nil
    }
}
