import PaytopVocabulary

/// What is different about the checkouts of a range of engine time (a spike on a chart)
/// against a baseline (docs/drill.md): per dimension the problems' analysis compares —
/// release per function, PSP error code, decline code, merchant, currency, amount band —
/// each value's share among the range's checkouts and among the baseline's, ranked by the
/// difference (Grafana's comparison, HyperDX's and Honeycomb's BubbleUp). Each side is read
/// as up to `sampleSize` checkouts spread evenly over its arrivals.
public enum RangeComparison {
    /// Which of the range's checkouts to compare: all, the failed (other than by a
    /// decline), or those slower than the settlement objective.
    public enum Only: String, Sendable, CaseIterable { case all, failed, slow }

    public struct Difference: Sendable, Equatable {
        public var dimension: CauseDimension
        public var value: String
        /// Share of the range's (compared) checkouts with the value, and of the baseline's.
        public var rangeShare: Double
        public var baselineShare: Double
        public var difference: Double { rangeShare - baselineShare }

        /// The checkouts of `range` with this value (the drill from a compared value).
        public func checkouts(in range: ClosedRange<Int64>) -> CheckoutSearch.Filter {
            var f = CheckoutSearch.Filter()
            f.from = range.lowerBound
            f.to = range.upperBound
            switch dimension {
            case .release:
                let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
                if parts.count == 2, let fn = FunctionName(rawValue: parts[0]) { f.release = .init(fn, parts[1]) }
            case .pspErrorCode, .declineCode: f.failureCode = value
            case .merchant: f.merchant = value
            case .currency: f.currency = value
            case .amountBand: f.amountBand = value
            }
            return f
        }
    }

    public struct Result: Sendable, Equatable {
        public var rangeCheckouts: Int
        public var baselineCheckouts: Int
        /// Largest difference first (of equals, the range's more common value); values whose
        /// shares differ by less than a point left out.
        public var differences: [Difference]
    }

    public static let sampleSize = 2_000

    public static func compare(_ c: Connection, from: Int64, to: Int64, baselineFrom: Int64, baselineTo: Int64,
                               only: Only = .all) throws -> Result {
        try c.read {
            let now = try StoredEngineState.load(c).now
            var range = try sample(c, from: from, to: to, now: now)
            switch only {
            case .all: break
            case .failed: range = range.filter(\.failed)
            case .slow: range = range.filter(\.delayed)
            }
            let baseline = try sample(c, from: baselineFrom, to: baselineTo, now: now)
            var out: [Difference] = []
            guard !range.isEmpty else { return Result(rangeCheckouts: 0, baselineCheckouts: baseline.count, differences: []) }
            for dim in CauseDimension.allCases {
                var a: [String: Int] = [:], b: [String: Int] = [:]
                for k in range { for v in Set(ProblemAnalysis.attributeValues(dim, k)) { a[v, default: 0] += 1 } }
                for k in baseline { for v in Set(ProblemAnalysis.attributeValues(dim, k)) { b[v, default: 0] += 1 } }
                for v in Set(a.keys).union(b.keys) {
                    let sa = Double(a[v] ?? 0) / Double(range.count)
                    let sb = baseline.isEmpty ? 0 : Double(b[v] ?? 0) / Double(baseline.count)
                    guard abs(sa - sb) >= 0.01 else { continue }
                    out.append(Difference(dimension: dim, value: v, rangeShare: sa, baselineShare: sb))
                }
            }
            // Largest first; of equals, what the range has more of (the new release, not the old one it replaced).
            out.sort {
                (abs($0.difference), $0.difference > 0 ? 1 : 0, $1.dimension.rawValue, $1.value)
                    > (abs($1.difference), $1.difference > 0 ? 1 : 0, $0.dimension.rawValue, $0.value)
            }
            return Result(rangeCheckouts: range.count, baselineCheckouts: baseline.count, differences: out)
        }
    }

    /// Up to `sampleSize` checkouts that arrived in [from, to], every k-th by trace number.
    static func sample(_ c: Connection, from: Int64, to: Int64, now: Int64) throws -> [ProblemAnalysis.WindowCheckout] {
        guard let traces = try TraceRange.of(c, from: from, to: to) else { return [] }
        let s = try c.cached("""
            SELECT p.trace_no, p.checkout_id, p.created_at, p.done_at, p.outcome, p.failure_code, p.amount_total, p.currency, p.seller_info
            FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id
            WHERE t.trace_no BETWEEN ?1 AND ?2 AND t.trace_no % ?3 = 0
            """)
        let span = traces.upperBound - traces.lowerBound + 1
        s.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, max(1, span / Int64(sampleSize)))
        return try ProblemAnalysis.withReleases(c, try ProblemAnalysis.rows(s, now: now))
    }
}
