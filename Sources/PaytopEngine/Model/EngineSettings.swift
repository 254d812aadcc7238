import PaytopVocabulary

/// Every tunable of the simulated pipeline, with the seed's original values as defaults.
/// Scenario files override any of them (docs/scenarios.md).
public struct EngineSettings: Codable, Equatable, Sendable {
    public var seed: UInt64 = 1
    /// Checkout arrivals per second of engine time (Poisson).
    public var ratePerSecond: Double = 5
    /// The original traffic generator's background error mix.
    public var errorMix = true
    /// How each simulated order's amount is drawn (log-normal, median 40.00).
    public var orderAmounts = OrderAmounts()
    /// Probability that a sent message is delivered twice (SQS is at-least-once).
    public var duplicateDeliveryProbability: Double = 0
    public var api = Api()
    public var queues = Queues()
    public var functions: [FunctionName: Function] = [
        .initializer: Function(reservedConcurrency: nil),
        .executor: Function(reservedConcurrency: nil),
        .wallet: Function(reservedConcurrency: nil),
    ]
    public var eventSource = EventSource()
    public var psp = Psp()
    /// Account-level concurrency shared by every function without a reservation.
    public var accountConcurrency = 1000
    /// Record traces, metrics, business events and release events (docs/telemetry.md).
    public var telemetry = true
    /// Live stores keep traces (with their spans and events) this long, in engine time…
    public var telemetryRetentionMinutes: Int64 = 24 * 60
    /// …and at most this many of them, dropping the oldest first.
    public var telemetryMaxTraces = 500_000
    /// The PSP closes a settlement batch every `settlement_interval`, at times aligned to
    /// `settlement_cutoff` (a UTC time of day, "HH:MM"); a charge completed less than
    /// `settlement_lag` before a cut-off settles in the next batch (docs/reconciliation.md).
    public var settlementInterval = "24h"
    public var settlementCutoff = "00:00"
    public var settlementLag = "5m"
    public var settlementFees = SettlementFeeSchedule()
    /// The reconciliation job runs this long after each cut-off (the seed's daily 02:00)…
    public var reconcileAfter = "2h"
    /// …and raises its alert when more manual and investigate items than this are open.
    public var reconcileAlertThreshold = 10

    public init() {}

    /// The fees the PSP deducts from each settled charge: a fixed commission and three
    /// shares of the gross in basis points (defaults: Adyen's example line, 5.00 GBP →
    /// markup 0.04, scheme fees 0.01, interchange 0.07, net 4.88).
    public struct SettlementFeeSchedule: Codable, Equatable, Sendable {
        public var commission = "0.00"
        public var markupBps = 80
        public var schemeFeesBps = 20
        public var interchangeBps = 140
    }

    public struct Api: Codable, Equatable, Sendable {
        /// Steady-state requests per second before API Gateway answers 429.
        public var throttleRate: Double = 10_000
        public var throttleBurst: Double = 5_000
        /// API Gateway's own integration timeout.
        public var integrationTimeoutSeconds: Double = 29
    }

    public struct Queues: Codable, Equatable, Sendable {
        public var visibilityTimeoutSeconds: Double = 300
        public var maxReceiveCount = 3
        public var batchSize = 10
        public var longPollSeconds: Double = 10
    }

    public struct Function: Codable, Equatable, Sendable {
        /// nil: no reservation, limited only by the account's concurrency.
        public var reservedConcurrency: Int?
        public var timeoutSeconds: Double = 30
        public var memoryMegabytes = 192
        /// How long an idle environment stays warm.
        public var idleExpirySeconds: Double = 600
        public var coldStartMinSeconds: Double = 0.1
        public var coldStartMaxSeconds: Double = 1.0
        public var version = "1.0.0"

        public init(reservedConcurrency: Int?) { self.reservedConcurrency = reservedConcurrency }

        enum CodingKeys: String, CodingKey {
            case reservedConcurrency, timeoutSeconds, memoryMegabytes, idleExpirySeconds
            case coldStartMinSeconds, coldStartMaxSeconds, version
        }

        /// Encodes "no reservation" as an explicit null, so scenario files can set it.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reservedConcurrency, forKey: .reservedConcurrency)
            try c.encode(timeoutSeconds, forKey: .timeoutSeconds)
            try c.encode(memoryMegabytes, forKey: .memoryMegabytes)
            try c.encode(idleExpirySeconds, forKey: .idleExpirySeconds)
            try c.encode(coldStartMinSeconds, forKey: .coldStartMinSeconds)
            try c.encode(coldStartMaxSeconds, forKey: .coldStartMaxSeconds)
            try c.encode(version, forKey: .version)
        }
    }

    public struct EventSource: Codable, Equatable, Sendable {
        /// Concurrent batches an SQS event source starts with.
        public var initialConcurrency = 5
        /// How many more concurrent batches it may add per minute while a backlog lasts.
        public var scaleUpPerMinute = 60
        public var maximumConcurrency = 1000
        /// Report failed records instead of failing the whole batch (paytop's default; the
        /// seed's original dropped them).
        public var reportBatchItemFailures = true
    }

    public struct Psp: Codable, Equatable, Sendable {
        public var latencyMinSeconds: Double = 0.1
        public var latencyMaxSeconds: Double = 0.5
    }
}
