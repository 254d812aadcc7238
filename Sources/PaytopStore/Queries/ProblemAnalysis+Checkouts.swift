import PaytopJSON
import PaytopVocabulary

/// The checkouts of a problem's window: those it affected (found by the partial indexes)
/// and the impact summed over them, the exemplars, and the sample the causes compare.
extension ProblemAnalysis {
    /// Causes compare the checkouts from the window's start to this long after the first
    /// signal: a cause shows in the checkouts it hit first, and a long problem's later
    /// hours add reading, not evidence.
    public static let compareSpan: Int64 = 10 * 60_000_000_000
    /// At most this many affected checkouts, and as many others, spread evenly over the
    /// compared span: a share of 500 is within ±4.5 points (95 %), and causes differ by 20 or more.
    public static let sampleSize = 500
    /// The page cache a connection analysing problems wants: the affected checkouts' index
    /// of a long incident on a big store is a few MB, read by three queries.
    public static let pageCacheMegabytes = 32

    /// The ended checkouts `payment_event_affected` holds, its WHERE word for word (so the
    /// planner can use it): slower than the settlement objective, or failed other than by a
    /// business decline.
    static let endedAffected = """
        (done_at - created_at > 120000000000 OR (outcome = 'FAILED' AND coalesce(failure_code, '') NOT IN \
        ('INSUFFICIENT_FUNDS','CARD_DECLINED','EXPIRED_CARD','INVALID_CARD','FRAUD_SUSPECTED')))
        """
    /// A failed checkout that was not a business decline.
    static let failedTerm = """
        (outcome = 'FAILED' AND coalesce(failure_code, '') NOT IN \
        ('INSUFFICIENT_FUNDS','CARD_DECLINED','EXPIRED_CARD','INVALID_CARD','FRAUD_SUSPECTED'))
        """
    /// Open past the objective at `?3` (the store's clock), through `payment_event_open`.
    static let openLate = "is_payment_done = 0 AND ?3 - created_at > 120000000000"

    struct WindowCheckout {
        let checkoutID: String
        let createdAt: Int64
        let failed: Bool
        let delayed: Bool
        let amount: Money
        let currency: String
        let failureCode: String?
        let merchants: [String]
        var releases: [String] = []
        var affected: Bool { failed || delayed }
    }

    /// The affected checkouts at `positions` (ascending but for the last) of the ended ones
    /// in trace order followed by the open ones, in one pass that reads only those ids.
    static func affectedCheckouts(_ c: Connection, _ traces: ClosedRange<Int64>, at positions: [Int], now: Int64) throws -> [String] {
        guard !positions.isEmpty else { return [] }
        let s = try c.cached("""
            SELECT * FROM (SELECT checkout_id FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected) ORDER BY trace_no)
            UNION ALL SELECT * FROM (SELECT checkout_id FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate) ORDER BY trace_no)
            """)
        s.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
        defer { s.reset() }
        let wanted = Set(positions)
        let last = positions.max()!
        var found: [Int: String] = [:]
        var i = 0
        while i <= last, try s.step() {
            if wanted.contains(i) { found[i] = s.string(0) }
            i += 1
        }
        return positions.compactMap { found[$0] }
    }

    /// Up to `sampleSize` affected checkouts of the range and as many others, each with its
    /// sellers and the releases of the pipeline's functions it ran.
    static func comparisonSample(_ c: Connection, _ traces: ClosedRange<Int64>, now: Int64) throws -> [WindowCheckout] {
        let columns = "trace_no, checkout_id, created_at, done_at, outcome, failure_code, amount_total, currency, seller_info"
        let count = try c.cached("""
            SELECT (SELECT count(*) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected))
                 + (SELECT count(*) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate))
            """)
        count.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
        let affectedCount = try count.step() ? count.int(0) : 0
        count.reset()
        let affected = try c.cached("""
            SELECT \(columns) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected) AND trace_no % ?4 = 0
            UNION ALL SELECT \(columns) FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate) AND trace_no % ?4 = 0
            """)
        // The stride leaves every k-th by trace number; a small set is read whole.
        let k = affectedCount > Int64(sampleSize) ? affectedCount / Int64(sampleSize) : 1
        affected.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now).bind(4, k)
        var out = try rows(affected, now: now).filter(\.1.affected)
        let others = try c.cached("""
            SELECT \(columns.split(separator: ",").map { "p." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id
            WHERE t.trace_no BETWEEN ?1 AND ?2 AND t.trace_no % ?3 = 0
            """)
        let span = traces.upperBound - traces.lowerBound + 1
        others.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, max(1, span / Int64(sampleSize)))
        out += try rows(others, now: now).filter { !$0.1.affected }
        return try withReleases(c, out)
    }

    /// The checkouts with the releases of the pipeline's functions that served them.
    static func withReleases(_ c: Connection, _ checkouts: [(Int64, WindowCheckout)]) throws -> [WindowCheckout] {
        let r = try c.cached("""
            SELECT DISTINCT v.service_name, v.service_version FROM business_event_data e
            JOIN service_version v ON v.service_code = e.service_code WHERE e.trace_no = ?
            """)
        var sample: [WindowCheckout] = []
        sample.reserveCapacity(checkouts.count)
        for (traceNo, var k) in checkouts {
            r.bind(1, traceNo)
            while try r.step() {
                // Releases of the pipeline's functions (the ones deploys change), by either spelling.
                guard let f = FunctionName(rawValue: r.string(0)) ?? FunctionName(deployedName: r.string(0)) else { continue }
                k.releases.append(f.rawValue + " " + r.string(1))
            }
            r.reset()
            sample.append(k)
        }
        return sample
    }

    /// Reads `WindowCheckout`s (with their trace numbers) from a statement selecting the
    /// sample's columns.
    static func rows(_ s: Statement, now: Int64) throws -> [(Int64, WindowCheckout)] {
        var out: [(Int64, WindowCheckout)] = []
        while try s.step() {
            let created = s.int(2)
            let done = s.optionalInt(3)
            let code = s.optionalString(5)
            let decline = code.map { DeclineCode.all.contains($0) } ?? false
            let elapsed = (done ?? now) - created
            let merchants = (try? JSONValue.parse(s.string(8)))?.objectValue?.values.compactMap(\.stringValue) ?? []
            out.append((s.int(0), WindowCheckout(
                checkoutID: s.string(1), createdAt: created, failed: s.optionalString(4) == "FAILED" && !decline,
                delayed: elapsed > delayedAfter,
                amount: Money(decimalString: s.string(6)) ?? .zero, currency: s.string(7), failureCode: code,
                merchants: Array(Set(merchants)).sorted())))
        }
        s.reset()
        return out
    }

    /// What a window of engine time cost, as a problem's impact counts it (an experiment's
    /// impact): the affected checkouts that arrived in it, amounts per currency, merchants,
    /// each SLO's budget burned.
    public static func impact(_ c: Connection, from: Int64, to: Int64) throws -> Impact {
        try c.read {
            let now = try StoredEngineState.load(c).now
            return try measure(c, try TraceRange.of(c, from: from, to: to), from: from, to: to, now: now)
        }
    }

    /// The problem's impact, counted by SQL over the affected checkouts alone (the
    /// partial indexes find them), and each SLO's budget burned in the window.
    static func measure(_ c: Connection, _ traces: ClosedRange<Int64>?, from: Int64, to: Int64, now: Int64) throws -> Impact {
        var i = Impact()
        if let traces {
            let amount = "CAST(replace(amount_total, '.', '') AS INTEGER)"
            let ended = try c.cached("""
                SELECT currency, count(*), sum(\(failedTerm)), sum(CASE WHEN \(failedTerm) THEN \(amount) ELSE 0 END)
                FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(endedAffected) GROUP BY currency ORDER BY currency
                """)
            ended.bind(1, traces.lowerBound).bind(2, traces.upperBound)
            while try ended.step() {
                let n = Int(ended.int(1)), failed = Int(ended.int(2))
                i.checkouts += n
                i.failed += failed
                i.delayed += n - failed
                if failed > 0 { i.lost[ended.string(0), default: .zero] += Money(minorUnits: ended.int(3)) }
            }
            ended.reset()
            let open = try c.cached("""
                SELECT currency, count(*), sum(\(amount)) FROM payment_event
                WHERE trace_no BETWEEN ?1 AND ?2 AND \(openLate) GROUP BY currency ORDER BY currency
                """)
            open.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
            while try open.step() {
                i.checkouts += Int(open.int(1))
                i.delayed += Int(open.int(1))
                i.atRisk[open.string(0), default: .zero] += Money(minorUnits: open.int(2))
            }
            open.reset()
            let merchants = try c.cached("""
                SELECT count(DISTINCT m) FROM (
                    SELECT j.value AS m FROM payment_event p, json_each(p.seller_info) j
                    WHERE p.trace_no BETWEEN ?1 AND ?2 AND \(endedAffected)
                    UNION ALL SELECT j.value FROM payment_event p, json_each(p.seller_info) j
                    WHERE p.trace_no BETWEEN ?1 AND ?2 AND \(openLate))
                """)
            merchants.bind(1, traces.lowerBound).bind(2, traces.upperBound).bind(3, now)
            i.merchants = try merchants.step() ? Int(merchants.int(0)) : 0
            merchants.reset()
        }
        for d in SloDefinition.defaults {
            let bad = try MetricWindow.total(c, d.validMetric, d.dimensions, from: from, to: to)
                - MetricWindow.total(c, d.goodMetric, d.dimensions, from: from, to: to)
            let windowStart = to - Int64(d.windowDays * 86_400e9)
            let valid = try MetricWindow.total(c, d.validMetric, d.dimensions, from: windowStart, to: to)
            let budget = (1 - d.target) * Double(valid)
            if bad > 0, budget > 0 { i.budgetBurned[d.name] = (Double(bad) / budget * 1000).rounded() / 10 }
        }
        return i
    }
}
