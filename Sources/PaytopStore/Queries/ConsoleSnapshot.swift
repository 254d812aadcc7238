import Foundation
import PaytopVocabulary

/// Everything the console draws, read from the store in one short read transaction (the
/// console re-reads it when the store changes). Views are pure functions of this and the
/// console's own state.
public struct ConsoleSnapshot: Sendable {
    public struct QueueRow: Sendable, Equatable {
        public var name: QueueName
        public var visible = 0, inFlight = 0
        public var oldestAgeSeconds: Int64 = 0
        public var sentPerSecond = 0.0, receivedPerSecond = 0.0, deletedPerSecond = 0.0
        public var depthSpark: [Double] = []
        public var ageSpark: [Double] = []
        public init(name: QueueName) { self.name = name }
    }

    public struct DeadLetter: Sendable, Equatable {
        public var queue: QueueName, checkoutID: String, receiveCount: Int, lastError: String, ageSeconds: Int64
    }

    public struct FunctionRow: Sendable, Equatable {
        public var name: FunctionName, version: String
        public var invocationsPerSecond = 0.0, errorsPerSecond = 0.0, throttlesPerSecond = 0.0
        public var p99Millis = 0.0, concurrent = 0.0
    }

    public struct Payment: Sendable, Equatable {
        public var checkoutID: String, state: PaymentState, orders: Int, amount: String, currency: String
        public var merchants: [String], failureCode: String?, createdAt: Int64, doneAt: Int64?
        public init(checkoutID: String, state: PaymentState, orders: Int, amount: String, currency: String, merchants: [String],
                    failureCode: String?, createdAt: Int64, doneAt: Int64?) {
            self.checkoutID = checkoutID; self.state = state; self.orders = orders; self.amount = amount
            self.currency = currency; self.merchants = merchants; self.failureCode = failureCode
            self.createdAt = createdAt; self.doneAt = doneAt
        }

        /// End to end: to its end, or to `now` while in flight.
        public func took(_ now: Int64) -> Int64 { (doneAt ?? max(now, createdAt)) - createdAt }
    }

    public var at: Int64 = 0
    public var engineAlive = false
    public var speed = 0.0
    public var traffic = TrafficState(ratePerSecond: 0)
    public var faults = FaultState()
    /// The experiment running against the engine (the header counts it down; `A` aborts it).
    public var experiment: ExperimentStatus?
    /// The version of each function serving now.
    public var versions: [FunctionName: String] = [:]
    public var queues: [QueueRow] = []
    public var deadLetters: [DeadLetter] = []
    public var functions: [FunctionRow] = []
    public var apiPerSecond = 0.0, apiP99Millis = 0.0, api5xxPerSecond = 0.0, api4xxPerSecond = 0.0
    public var pspPerSecond = 0.0, pspP95Millis = 0.0, psp500PerSecond = 0.0, psp402PerSecond = 0.0
    public var throughputSpark: [Double] = []
    public var declines: [(code: String, count: Int)] = []
    public var slo: SloReport?
    public var events: [BusinessEventFeed.Event] = []
    public var payments: [Payment] = []
    public var releases: [ReleaseReport.Deployment] = []
    public var periodSeconds = 60
    public var storeBytes: Int64 = 0
    /// OTLP exporters that reported in the last 10 s (`otlp_export`).
    public var exports: [ExportStatus] = []
    /// Settlement batches and reconciliation (nil on a store that has none yet).
    public var reconciliation: ReconciliationReport?
    /// Problems the detectors hold open (the header's badge).
    public var openProblems = 0
    /// The problems (open first, then newest), at most `Limits.problems`: the Problems
    /// view's list and the windows every chart marks.
    public var problems: [ProblemRow] = []
    /// The window the business, functions and charts cover (nil: all engine time).
    public var windowNanos: Int64?
    /// OTLP receivers that committed in the last 10 s (`otlp_receiver`).
    public var receivers: [ReceiverStatus] = []
    /// The store holds telemetry received from outside (`paytop collect`, `--otlp-receiver`).
    public var holdsReceived = false
    /// Metrics of the pipeline itself (API Gateway's Count, Lambda's Invocations, SQS's
    /// queue metrics) are in the store: an engine recorded them, or they arrived.
    public var hasPipelineMetrics = false
    public var business: BusinessReport?
    public var functionsReport: FunctionsReport?
    public var series: DashboardSeries?

    public init() {}

    /// How many rows of each list to read; the console decides (its view model's limits).
    public struct Limits: Sendable {
        public var deadLetters: Int, payments: Int, events: Int
        /// Recent business events the decline breakdown counts over.
        public var declineWindow: Int
        public var batches: Int, mismatches: Int
        public var problems: Int
        public init(deadLetters: Int, payments: Int, events: Int, declineWindow: Int, batches: Int = 30, mismatches: Int = 200,
                    problems: Int = 200) {
            self.deadLetters = deadLetters; self.payments = payments; self.events = events; self.declineWindow = declineWindow
            self.batches = batches; self.mismatches = mismatches; self.problems = problems
        }
    }

    /// The dashboard's parts, which cost the most to read on a big store (docs/benchmarks.md):
    /// the console reads only those its current view draws.
    public struct Parts: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let business = Parts(rawValue: 1), functions = Parts(rawValue: 2), series = Parts(rawValue: 4)
        public static let all: Parts = [.business, .functions, .series]
    }

    /// Which parts were read (a view drawing one that was not says so rather than show zeros).
    public var parts: Parts = []

    public static func load(_ c: Connection, storePath: String? = nil, limits: Limits, windowNanos: Int64? = nil,
                            parts: Parts = .all) throws -> ConsoleSnapshot {
        var s = ConsoleSnapshot()
        s.windowNanos = windowNanos
        s.parts = parts
        try c.read {
            let state = try StoredEngineState.load(c)
            s.at = state.now
            s.speed = state.speed
            s.traffic = state.traffic ?? s.traffic
            s.faults = state.faults ?? s.faults
            s.experiment = state.experiment.flatMap { $0.isStale(at: state.now) ? nil : $0 }
            for (f, history) in state.releases { if let last = history.last { s.versions[f] = last.version } }
            if let beat = try ControlQueue.runningEngineHeartbeat(c) {
                s.engineAlive = Int64(Date().timeIntervalSince1970 * 1000) - beat < 3_000
            }
            let fine = try c.scalarInt("SELECT count(*) FROM (SELECT 1 FROM metric_data WHERE period_seconds = 1 LIMIT 1)") ?? 0
            s.periodSeconds = fine > 0 ? 1 : 60
            s.holdsReceived = try ReceiverStatus.storeHoldsReceived(c)
            s.hasPipelineMetrics = try hasPipelineMetrics(c)
            let recent = StoreRecentMetrics(c, periodSeconds: s.periodSeconds)
            try loadQueues(c, &s, limits)
            try loadQueueMetrics(recent, &s)
            try loadFunctions(recent, &s)
            s.throughputSpark = try recent.series(.checkoutsReceived, MetricDimensions.business)
            try loadDeclines(c, &s, limits)
            s.slo = try? SloReport.loadInside(c)
            s.events = (try? BusinessEventFeed.read(c, limit: limits.events, latest: true)) ?? []
            try loadPayments(c, &s, limits)
            s.releases = (try? ReleaseReport.loadInside(c).deployments) ?? []
            s.exports = try ExportStatus.recent(c, nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
            s.receivers = try ReceiverStatus.recent(c, nowMillis: Int64(Date().timeIntervalSince1970 * 1000))
            let r = try ReconciliationReport.loadInside(c, batchLimit: limits.batches, mismatchLimit: limits.mismatches)
            s.reconciliation = r.batches.isEmpty && r.runs == 0 ? nil : r
            // A store from before problems (schema v7) has none.
            s.openProblems = (try? ProblemBook.openCount(c)) ?? 0
            s.problems = (try? ProblemBook.list(c, limit: limits.problems)) ?? []
            let from = windowNanos.map { BusinessReport.windowStart(at: s.at, nanos: $0) }
            if parts.contains(.business) { s.business = try BusinessReport.load(c, at: s.at, from: from) }
            if parts.contains(.functions) { s.functionsReport = try FunctionsReport.load(c, at: s.at, from: from) }
            if parts.contains(.series) { s.series = try DashboardSeries.load(c, at: s.at, windowNanos: windowNanos) }
        }
        if let storePath {
            for suffix in ["", "-wal"] {
                if let attrs = try? FileManager.default.attributesOfItem(atPath: storePath + suffix) {
                    s.storeBytes += (attrs[.size] as? NSNumber)?.int64Value ?? 0
                }
            }
        }
        return s
    }

    static func json(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func hasPipelineMetrics(_ c: Connection) throws -> Bool {
        let names = [MetricName.count, .invocations, .messagesVisible, .messagesSent].map { "'\($0.rawValue)'" }.joined(separator: ",")
        return try c.scalarInt("SELECT EXISTS (SELECT 1 FROM metric_series WHERE name IN (\(names)))") == 1
    }

    /// The queues' depth and dead letters from the store's own messages.
    static func loadQueues(_ c: Connection, _ s: inout ConsoleSnapshot, _ limits: Limits) throws {
        for q in QueueName.allCases {
            var row = QueueRow(name: q)
            let depth = try QueueDepth.at(c, q, now: s.at)
            (row.visible, row.inFlight, row.oldestAgeSeconds) = (depth.visible, depth.inFlight, depth.oldestAgeSeconds)
            s.queues.append(row)
        }
        let dead = try c.cached("""
            SELECT queue_name, checkout_id, receive_count, coalesce(last_error, ''), moved_at FROM queue_message
            WHERE queue_name IN ('\(QueueName.executionDLQ.rawValue)', '\(QueueName.resultsDLQ.rawValue)') ORDER BY moved_at LIMIT ?
            """)
        dead.bind(1, limits.deadLetters)
        while try dead.step() {
            s.deadLetters.append(DeadLetter(queue: QueueName(rawValue: dead.string(0)) ?? .executionDLQ, checkoutID: dead.string(1), receiveCount: Int(dead.int(2)),
                                            lastError: dead.string(3), ageSeconds: max(0, (s.at - dead.int(4)) / 1_000_000_000)))
        }
        dead.reset()
    }

    /// The queues' rates and sparklines from SQS's metrics, and their depth from them where
    /// there are no messages of the store's own (received telemetry, ClickHouse).
    public static func loadQueueMetrics(_ m: some RecentMetrics, _ s: inout ConsoleSnapshot) throws {
        if s.queues.isEmpty { s.queues = QueueName.allCases.map { QueueRow(name: $0) } }
        for i in s.queues.indices {
            var row = s.queues[i]
            let dims = MetricDimensions.queue(row.name)
            if s.holdsReceived && row.visible + row.inFlight == 0 {
                row.visible = Int(try m.latest(.messagesVisible, dims, column: .value))
                row.inFlight = Int(try m.latest(.messagesNotVisible, dims, column: .value))
                row.oldestAgeSeconds = Int64(try m.latest(.ageOfOldestMessage, dims, column: .value))
            }
            row.sentPerSecond = try m.rate(.messagesSent, dims, at: s.at)
            row.receivedPerSecond = try m.rate(.messagesReceived, dims, at: s.at)
            row.deletedPerSecond = try m.rate(.messagesDeleted, dims, at: s.at)
            // The depth drawn as the figure beside it counts: visible and in flight (both
            // gauges are read at every period's close, so their points pair up).
            let visible = try m.series(.messagesVisible, dims), inFlight = try m.series(.messagesNotVisible, dims)
            row.depthSpark = visible.count == inFlight.count ? zip(visible, inFlight).map { $0 + $1 } : visible
            row.ageSpark = try m.series(.ageOfOldestMessage, dims)
            s.queues[i] = row
        }
    }

    /// Each function's, the API's and the PSP's rates and latest percentiles.
    public static func loadFunctions(_ m: some RecentMetrics, _ s: inout ConsoleSnapshot) throws {
        for f in FunctionName.pipelineOrder {
            let dims = MetricDimensions.function(f)
            var row = FunctionRow(name: f, version: s.versions[f] ?? "?")
            row.invocationsPerSecond = try m.rate(.invocations, dims, at: s.at)
            row.errorsPerSecond = try m.rate(.errors, dims, at: s.at)
            row.throttlesPerSecond = try m.rate(.throttles, dims, at: s.at)
            row.p99Millis = try m.latest(.duration, dims, column: .p99)
            row.concurrent = try m.latest(.concurrentExecutions, dims, column: .value)
            s.functions.append(row)
        }
        let api = MetricDimensions.api
        s.apiPerSecond = try m.rate(.count, api, at: s.at)
        s.api5xxPerSecond = try m.rate(.serverErrors, api, at: s.at)
        s.api4xxPerSecond = try m.rate(.clientErrors, api, at: s.at)
        s.apiP99Millis = try m.latest(.latency, api, column: .p99)
        let psp = MetricDimensions.psp
        s.pspPerSecond = try m.rate(.pspCalls, psp, at: s.at)
        s.pspP95Millis = try m.latest(.pspLatency, psp, column: .p95)
        s.psp500PerSecond = try m.rate(.pspResponses, MetricDimensions.pspResponses(code: 500), at: s.at)
        s.psp402PerSecond = try m.rate(.pspResponses, MetricDimensions.pspResponses(code: 402), at: s.at)
    }

    /// The PSP's business declines among the latest events, by code.
    static func loadDeclines(_ c: Connection, _ s: inout ConsoleSnapshot, _ limits: Limits) throws {
        let d = try c.cached("""
            SELECT error_code, count(*) FROM (SELECT * FROM business_event_data ORDER BY event_no DESC LIMIT ?)
            WHERE error_category = 'BUSINESS' AND event_code = \(BusinessEventName.pspResponse.rawValue) GROUP BY error_code ORDER BY 2 DESC
            """)
        d.bind(1, limits.declineWindow)
        while try d.step() { s.declines.append((d.string(0), Int(d.int(1)))) }
        d.reset()
    }

    static func loadPayments(_ c: Connection, _ s: inout ConsoleSnapshot, _ limits: Limits) throws {
        let p = try c.cached("""
            SELECT e.checkout_id, e.is_payment_done, e.outcome, e.order_count, e.amount_total, e.currency, e.seller_info,
                   e.failure_code, e.created_at, e.done_at,
                   (SELECT queue_name FROM queue_message m WHERE m.checkout_id = e.checkout_id ORDER BY sent_at DESC LIMIT 1)
            FROM (SELECT checkout_id FROM trace WHERE checkout_id IS NOT NULL ORDER BY trace_no DESC LIMIT ?) t
            JOIN payment_event e ON e.checkout_id = t.checkout_id
            """)
        p.bind(1, limits.payments)
        while try p.step() {
            let done = p.int(1) != 0
            let state = PaymentState(isPaymentDone: done, outcome: p.optionalString(2),
                                     latestQueue: p.optionalString(10).flatMap(QueueName.init(rawValue:)))
            let sellers = (json(p.string(6)) ?? [:]).values.compactMap { $0 as? String }.sorted()
            s.payments.append(Payment(checkoutID: p.string(0), state: state, orders: Int(p.int(3)), amount: p.string(4),
                                      currency: p.string(5), merchants: Array(Set(sellers)).sorted(),
                                      failureCode: p.optionalString(7), createdAt: p.int(8), doneAt: p.optionalInt(9)))
        }
        p.reset()
    }
}

extension SloReport {
    /// For callers already inside a read transaction.
    static func loadInside(_ c: Connection) throws -> SloReport { try load(c, definitions: SloDefinition.defaults, transaction: false) }
}

extension ReleaseReport {
    static func loadInside(_ c: Connection) throws -> ReleaseReport { try load(c, transaction: false) }
}
