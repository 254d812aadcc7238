import PaytopVocabulary

/// The functions over a window of engine time (DASHBOARD.md tiles 1–14): each function's
/// (and the PSP's) invocations, errors, throttles, concurrency, durations with cold starts
/// against warm, API Gateway's latency against its integration latency against the
/// initializer's duration, DynamoDB per table and operation, and the step success rates.
/// Read from the metric series; the Functions view and `paytop functions` show exactly this.
public struct FunctionsReport: Sendable, Equatable {
    /// The PSP stands beside the three functions as the fourth hop (its calls and latency).
    public enum Hop: Sendable, Equatable, Hashable {
        case function(FunctionName)
        case psp

        public var key: String {
            switch self {
            case .function(let f): return f.rawValue
            case .psp: return PipelineNames.pspService.name
            }
        }

        public static let all: [Hop] = FunctionName.pipelineOrder.map { .function($0) } + [.psp]
    }

    public struct Row: Sendable, Equatable {
        public var hop: Hop
        public var invocations: Int64 = 0, errors: Int64 = 0, throttles: Int64 = 0, coldStarts: Int64 = 0
        public var peakConcurrency: Double = 0
        public var duration: MetricWindow.Distribution?
        public var cold: MetricWindow.Distribution?, warm: MetricWindow.Distribution?

        public var coldStartRate: Double? { invocations == 0 ? nil : Double(coldStarts) / Double(invocations) }
        public var errorRate: Double? { invocations == 0 ? nil : Double(errors) / Double(invocations) }
    }

    public struct Api: Sendable, Equatable {
        public var requests: Int64 = 0, clientErrors: Int64 = 0, serverErrors: Int64 = 0
        public var latency: MetricWindow.Distribution?
        public var integrationLatency: MetricWindow.Distribution?
        /// The initializer's Duration, the third series of tile 13.
        public var initializerDuration: MetricWindow.Distribution?
    }

    public struct DynamoCall: Sendable, Equatable {
        public var table: DynamoTable, operation: DynamoOperation
        public var succeeded: Int64, failures: Int64
        public var latency: MetricWindow.Distribution?
        public var calls: Int64 { succeeded + failures }
    }

    public struct DynamoTableUse: Sendable, Equatable {
        public var table: DynamoTable
        public var readUnits: Int64, writeUnits: Int64, throttled: Int64
        /// Items of throttled requests, read and written (`dynamodb-throttle`).
        public var readThrottleEvents: Int64 = 0, writeThrottleEvents: Int64 = 0
    }

    /// Step success rates of tile 9, counted in messages rather than handlers (the executor
    /// and wallet take SQS batches, so their handlers are fewer than the checkouts they
    /// carry): execution messages the executor processed (1→3), results messages it sent
    /// (1→5) and results messages the wallet processed (1→7), each ÷ the execution messages
    /// the initializer sent.
    public struct Steps: Sendable, Equatable {
        public var initialized: Int64, executed: Int64, resultsSent: Int64, credited: Int64
        func rate(_ n: Int64) -> Double? { initialized == 0 ? nil : Double(n) / Double(initialized) }
        public var oneToThree: Double? { rate(executed) }
        public var oneToFive: Double? { rate(resultsSent) }
        public var oneToSeven: Double? { rate(credited) }
    }

    public var at: Int64
    public var from: Int64?
    public var rows: [Row]
    public var api: Api
    public var dynamo: [DynamoCall]
    public var tables: [DynamoTableUse]
    public var steps: Steps
    /// Whether the store holds metrics at all (not with `--no-telemetry`).
    public var metricsRecorded = true

    /// Seconds of engine time the window covers (for rates); nil for the whole store.
    public var seconds: Double? { from.map { Double(max(1, at - $0)) / 1e9 } }

    public func row(_ hop: Hop) -> Row? { rows.first { $0.hop == hop } }

    public static func load(_ c: Connection, since: Int64? = nil, transaction: Bool = true) throws -> FunctionsReport {
        try c.readIf(transaction) {
            let at = try StoredEngineState.load(c).now
            let from = since.map { BusinessReport.windowStart(at: at, nanos: $0) }
            return try load(c, at: at, from: from)
        }
    }

    static func load(_ c: Connection, at: Int64, from: Int64?) throws -> FunctionsReport {
        try assemble(at: at, from: from, metrics: StoreWindowMetrics(c, from: from ?? Int64.min, to: at + 1))
    }

    /// The report from a window's metric figures: one arithmetic for every store that can give them.
    public static func assemble(at: Int64, from: Int64?, metrics m: some WindowMetrics) throws -> FunctionsReport {
        func total(_ name: MetricName, _ dims: String) throws -> Int64 { try m.total(name.rawValue, dims) }
        func distribution(_ name: MetricName, _ dims: String) throws -> MetricWindow.Distribution? { try m.distribution(name, dims) }
        var rows: [Row] = []
        for f in FunctionName.pipelineOrder {
            let d = MetricDimensions.function(f)
            var r = Row(hop: .function(f))
            r.invocations = try total(.invocations, d)
            r.errors = try total(.errors, d)
            r.throttles = try total(.throttles, d)
            r.coldStarts = try total(.coldStarts, d)
            r.peakConcurrency = try m.peak(.concurrentExecutions, d)
            r.duration = try distribution(.duration, d)
            r.cold = try distribution(.duration, MetricDimensions.function(f, coldStart: true))
            r.warm = try distribution(.duration, MetricDimensions.function(f, coldStart: false))
            rows.append(r)
        }
        var psp = Row(hop: .psp)
        psp.invocations = try total(.pspCalls, MetricDimensions.psp)
        psp.errors = try total(.pspResponses, MetricDimensions.pspResponses(code: 500))
        psp.duration = try distribution(.pspLatency, MetricDimensions.psp)
        rows.append(psp)

        let api = Api(requests: try total(.count, MetricDimensions.api), clientErrors: try total(.clientErrors, MetricDimensions.api),
                      serverErrors: try total(.serverErrors, MetricDimensions.api),
                      latency: try distribution(.latency, MetricDimensions.api),
                      integrationLatency: try distribution(.integrationLatency, MetricDimensions.api),
                      initializerDuration: rows[0].duration)

        var dynamo: [DynamoCall] = []
        for t in DynamoTable.allCases {
            for op in DynamoOperation.allCases {
                let d = MetricDimensions.table(t, op)
                let latency = try distribution(.successfulRequestLatency, d)
                let failures = try total(.systemErrors, d)
                guard latency != nil || failures > 0 else { continue }
                dynamo.append(DynamoCall(table: t, operation: op, succeeded: latency?.count ?? 0, failures: failures, latency: latency))
            }
        }
        let tables = try DynamoTable.allCases.map { t in
            DynamoTableUse(table: t, readUnits: try total(.consumedReadCapacityUnits, MetricDimensions.table(t)),
                           writeUnits: try total(.consumedWriteCapacityUnits, MetricDimensions.table(t)),
                           throttled: try total(.throttledRequests, MetricDimensions.table(t)),
                           readThrottleEvents: try total(.readThrottleEvents, MetricDimensions.table(t)),
                           writeThrottleEvents: try total(.writeThrottleEvents, MetricDimensions.table(t)))
        }
        let steps = Steps(initialized: try total(.messagesSent, MetricDimensions.queue(.execution)),
                          executed: try total(.messagesDeleted, MetricDimensions.queue(.execution)),
                          resultsSent: try total(.messagesSent, MetricDimensions.queue(.results)),
                          credited: try total(.messagesDeleted, MetricDimensions.queue(.results)))
        return FunctionsReport(at: at, from: from, rows: rows, api: api, dynamo: dynamo, tables: tables, steps: steps,
                               metricsRecorded: try m.anyRecorded())
    }
}
