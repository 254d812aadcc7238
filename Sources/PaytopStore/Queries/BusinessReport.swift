import PaytopVocabulary

/// The business over a window of engine time (DASHBOARD.md tiles 17–25): the funnel,
/// revenue and lost revenue per currency, conversion, losses by stage and error code,
/// merchants, and the PSP's latency and technical SLI. Read from the business roll-ups
/// (`business_rollup`, `psp_latency_rollup`), whole minutes of engine time: the Business
/// view and `paytop business` both show exactly this.
public struct BusinessReport: Sendable {
    /// An amount in one currency. Amounts of different currencies are never added.
    public struct Amount: Sendable, Equatable {
        public var currency: String
        public var amount: Money
    }

    public struct Loss: Sendable, Equatable {
        /// Checkouts lost (stages, error codes).
        public var checkouts: Int64
        /// What they were worth, per currency (a rejected request carries no amount).
        public var amounts: [Amount]
    }

    public struct ErrorCode: Sendable, Equatable {
        public var code: String, category: ErrorCategory, action: String
        public var loss: Loss
    }

    public struct Merchant: Sendable, Equatable {
        public var merchantID: String
        public var orders: Int64 = 0, settled: Int64 = 0, failed: Int64 = 0
        /// Settled orders' amounts and counts per currency.
        public var revenue: [Amount] = []
        public var settledByCurrency: [String: Int64] = [:]

        /// Failed orders ÷ orders.
        public var errorRate: Double? { orders == 0 ? nil : Double(failed) / Double(orders) }

        /// Average settled order value in a currency, rounded half up to the cent.
        public func averageOrderValue(_ currency: String) -> Money? {
            guard let n = settledByCurrency[currency], n > 0, let total = revenue.first(where: { $0.currency == currency }) else { return nil }
            return Money(minorUnits: (total.amount.minorUnits * 2 + n) / (2 * n))
        }
    }

    public struct PspLatency: Sendable, Equatable {
        public var count: Int64
        public var p50: Int64, p95: Int64, p99: Int64, max: Int64
        /// Total milliseconds, for the mean.
        public var totalMillis: Int64
        public var mean: Double { count == 0 ? 0 : Double(totalMillis) / Double(count) }
    }

    /// The store's clock and the first minute counted (nil: every minute the store holds).
    public var at: Int64
    public var from: Int64?
    public var funnel: [(step: FunnelStep, count: Int64)]
    public var revenue: [Amount]
    public var lostRevenue: [Amount]
    public var stages: [(stage: LossStage, loss: Loss)]
    public var errorCodes: [ErrorCode]
    public var merchants: [Merchant]
    public var pspLatency: PspLatency?
    /// PSP responses, and those that failed for a technical reason (declines are not).
    public var pspResponses: Int64, pspTechnicalFailures: Int64
    /// Whether the store has counted any business event at all: a store recorded with
    /// `--no-telemetry` has checkouts and none, and readers say so rather than show zeros.
    public var eventsRecorded = true

    public func count(_ step: FunnelStep) -> Int64 { funnel.first { $0.step == step }?.count ?? 0 }

    /// Settled ÷ received: the seed's conversion, the one definition paytop shows.
    public var conversion: Double? {
        let received = count(.received)
        return received == 0 ? nil : Double(count(.settled)) / Double(received)
    }

    /// 1 − technical failures ÷ PSP responses (tile 25).
    public var pspTechnicalSLI: Double? {
        pspResponses == 0 ? nil : 1 - Double(pspTechnicalFailures) / Double(pspResponses)
    }

    /// The first minute a window of `nanos` ending at `at` counts: the minute holding its start.
    public static func windowStart(at: Int64, nanos: Int64) -> Int64 { Period.start(of: at - nanos, length: Period.minute) }

    /// A window of the roll-ups: from its first minute to the next whole hour in minutes,
    /// the rest in hours (both levels count the same events, so the sums are exact).
    static let window = """
        ((period_seconds = 3600 AND period_start >= ?2) OR (period_seconds = 60 AND period_start >= ?1 AND period_start < ?2))
        """

    static func bindWindow(_ s: Statement, _ from: Int64?) {
        guard let from else {
            s.bind(1, Int64.min).bind(2, Int64.min)
            return
        }
        let hour = Period.start(of: from, length: Period.hour)
        s.bind(1, from).bind(2, hour == from ? from : hour + Period.hour)
    }

    /// The report over the last `since` nanoseconds of engine time (nil: all of it).
    public static func load(_ c: Connection, since: Int64? = nil, transaction: Bool = true) throws -> BusinessReport {
        try c.readIf(transaction) {
            let at = try StoredEngineState.load(c).now
            let from = since.map { windowStart(at: at, nanos: $0) }
            return try load(c, at: at, from: from)
        }
    }

    static func load(_ c: Connection, at: Int64, from: Int64?) throws -> BusinessReport {
        let s = try c.cached("""
            SELECT event_code, outcome, currency, merchant_id, error_code, error_category, sum(events), sum(amount_minor)
            FROM business_rollup WHERE \(window) GROUP BY 1, 2, 3, 4, 5, 6
            """)
        bindWindow(s, from)
        defer { s.reset() }
        var groups: [Group] = []
        while try s.step() {
            guard let event = BusinessEventName(rawValue: Int(s.int(0))) else { continue }
            groups.append(Group(event: event, outcome: EventOutcome(rawValue: s.string(1)), currency: s.string(2), merchant: s.string(3),
                                code: s.string(4), category: s.string(5), events: s.int(6), amountMinor: s.int(7)))
        }
        return assemble(at: at, from: from, groups: groups, pspLatency: try pspLatencyCounts(c, from: from),
                        eventsRecorded: try c.scalarInt("SELECT EXISTS (SELECT 1 FROM business_rollup)") == 1)
    }

    /// Business events alike in every field the report tells apart, counted: a row of the
    /// roll-ups' GROUP BY, or of ClickHouse's over its log records.
    public struct Group: Sendable, Equatable {
        public var event: BusinessEventName, outcome: EventOutcome
        /// Empty where the events carry none.
        public var currency: String, merchant: String, code: String, category: String
        public var events: Int64
        /// Their amounts' sum in hundredths of `currency`.
        public var amountMinor: Int64

        public init(event: BusinessEventName, outcome: EventOutcome, currency: String, merchant: String, code: String, category: String,
                    events: Int64, amountMinor: Int64) {
            self.event = event; self.outcome = outcome; self.currency = currency; self.merchant = merchant; self.code = code
            self.category = category; self.events = events; self.amountMinor = amountMinor
        }
    }

    /// The report from its groups and the PSP's latency counts per millisecond: one
    /// arithmetic for every store that can count them.
    public static func assemble(at: Int64, from: Int64?, groups: [Group], pspLatency: HistogramBuckets, eventsRecorded: Bool) -> BusinessReport {
        var steps = [Int64](repeating: 0, count: FunnelStep.allCases.count)
        var revenue: [String: Int64] = [:], lost: [String: Int64] = [:]
        var stageCounts: [LossStage: Int64] = [:], stageAmounts: [LossStage: [String: Int64]] = [:]
        var codes: [String: (category: ErrorCategory, checkouts: Int64, amounts: [String: Int64])] = [:]
        var merchants: [String: (m: Merchant, revenue: [String: Int64])] = [:]
        var pspResponses: Int64 = 0, pspTechnical: Int64 = 0
        for g in groups {
            let event = g.event, outcome = g.outcome, currency = g.currency, merchant = g.merchant, code = g.code
            let n = g.events, amount = g.amountMinor
            for step in FunnelStep.allCases where step.event == event && (step.outcome == nil || step.outcome == outcome) {
                steps[step.rawValue] += n
            }
            switch event {
            case .checkoutSettled:
                if !currency.isEmpty { revenue[currency, default: 0] += amount }
            case .pspResponse:
                pspResponses += n
                if ErrorCodes.pspTechnical.contains(code) { pspTechnical += n }
            case .orderSettled, .orderFailed:
                var entry = merchants[merchant] ?? (Merchant(merchantID: merchant), [:])
                entry.m.orders += n
                if event == .orderSettled {
                    entry.m.settled += n
                    entry.revenue[currency, default: 0] += amount
                    entry.m.settledByCurrency[currency, default: 0] += n
                } else {
                    entry.m.failed += n
                }
                merchants[merchant] = entry
            default: break
            }
            if let stage = LossStage.of(event: event, errorCode: code.isEmpty ? nil : code) {
                stageCounts[stage, default: 0] += n
                var byCurrency = codes[code]?.amounts ?? [:]
                if !currency.isEmpty {
                    lost[currency, default: 0] += amount
                    stageAmounts[stage, default: [:]][currency, default: 0] += amount
                    byCurrency[currency, default: 0] += amount
                }
                if !code.isEmpty {
                    codes[code] = (ErrorCategory(rawValue: g.category), (codes[code]?.checkouts ?? 0) + n, byCurrency)
                }
            }
        }
        func amounts(_ d: [String: Int64]) -> [Amount] {
            d.keys.sorted().map { Amount(currency: $0, amount: Money(minorUnits: d[$0]!)) }
        }
        return BusinessReport(
            at: at, from: from,
            funnel: FunnelStep.allCases.map { ($0, steps[$0.rawValue]) },
            revenue: amounts(revenue), lostRevenue: amounts(lost),
            stages: LossStage.allCases.map { ($0, Loss(checkouts: stageCounts[$0] ?? 0, amounts: amounts(stageAmounts[$0] ?? [:]))) },
            errorCodes: codes.map { code, v in
                ErrorCode(code: code, category: v.category, action: ErrorCodes.action(code),
                          loss: Loss(checkouts: v.checkouts, amounts: amounts(v.amounts)))
            }.sorted { ($0.loss.checkouts, $1.code) > ($1.loss.checkouts, $0.code) },
            merchants: merchants.values.map { e in
                var m = e.m
                m.revenue = amounts(e.revenue)
                return m
            }.sorted { $0.merchantID < $1.merchantID },
            pspLatency: latency(pspLatency),
            pspResponses: pspResponses, pspTechnicalFailures: pspTechnical,
            eventsRecorded: eventsRecorded)
    }

    /// The PSP's responses counted per millisecond of latency over the window.
    static func pspLatencyCounts(_ c: Connection, from: Int64?) throws -> HistogramBuckets {
        let s = try c.cached("""
            SELECT latency_ms, sum(events) FROM psp_latency_rollup WHERE \(window) GROUP BY 1 ORDER BY 1
            """)
        bindWindow(s, from)
        defer { s.reset() }
        return HistogramBuckets(sortedPairs: try s.all { ($0.int(0), $0.int(1)) })
    }

    /// Nearest-rank percentiles of the PSP's latency, exact to the millisecond (its counts
    /// per millisecond ranked as a histogram's buckets).
    static func latency(_ counts: HistogramBuckets) -> PspLatency? {
        guard let p50 = counts.percentile(50), let p95 = counts.percentile(95), let p99 = counts.percentile(99),
              let max = counts.pairs.last?.value else { return nil }
        return PspLatency(count: counts.totalCount, p50: p50, p95: p95, p99: p99, max: max,
                          totalMillis: counts.pairs.reduce(0) { $0 + $1.value * $1.count })
    }
}
