/// What a typical checkout's spans take (docs/drill.md): per service and operation, the
/// median duration over up to `sampleSize` checkout traces that arrived in a window, spread
/// evenly over it — the trace view's "compare with a typical checkout". Releases are not
/// told apart (a bad release's slower spans stand out against the window's typical).
public struct TypicalSpans: Sendable, Equatable {
    public struct Operation: Hashable, Sendable {
        public var service: String
        public var name: String
        public init(service: String, name: String) { self.service = service; self.name = name }
    }

    public var medians: [Operation: Int64]
    /// The checkout traces the medians are over.
    public var traces: Int

    public static let sampleSize = 500
    /// An outlier took more than this many times its operation's median…
    public static let outlierRatio = 2.0
    /// …and at least this much longer, ns (a 1 ms span at 3 ms is no finding).
    public static let outlierMargin: Int64 = 10_000_000

    public func median(service: String, name: String) -> Int64? { medians[Operation(service: service, name: name)] }

    /// How many times its operation's median the span took, when that makes it an outlier.
    public func outlierRatio(service: String, name: String, nanos: Int64) -> Double? {
        guard let m = median(service: service, name: name), nanos - m >= Self.outlierMargin else { return nil }
        let ratio = Double(nanos) / Double(max(1, m))
        return ratio > Self.outlierRatio ? ratio : nil
    }

    /// The medians over the checkouts that arrived in [from, to].
    public static func load(_ c: Connection, from: Int64, to: Int64) throws -> TypicalSpans {
        try c.read {
            guard let traces = try TraceRange.of(c, from: from, to: to) else { return TypicalSpans(medians: [:], traces: 0) }
            let span = traces.upperBound - traces.lowerBound + 1
            // The sample's traces first (left to itself, SQLite walks every span of the window).
            let s = try c.cached("""
                WITH sample AS MATERIALIZED (
                    SELECT trace_no FROM trace WHERE trace_no BETWEEN ?1 AND ?2 AND checkout_id IS NOT NULL AND trace_no % ?3 = 0)
                SELECT d.trace_no, v.service_name, n.name, d.duration_ns FROM sample JOIN span_data d ON d.trace_no = sample.trace_no
                JOIN span_name n ON n.name_code = d.name_code JOIN service_version v ON v.service_code = d.service_code
                """)
            s.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, max(1, span / Int64(sampleSize)))
            defer { s.reset() }
            var durations: [Operation: [Int64]] = [:]
            var seen = Set<Int64>()
            while try s.step() {
                seen.insert(s.int(0))
                durations[Operation(service: s.string(1), name: s.string(2)), default: []].append(s.int(3))
            }
            return TypicalSpans(medians: durations.mapValues { d in
                let sorted = d.sorted()
                return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            }, traces: seen.count)
        }
    }
}
