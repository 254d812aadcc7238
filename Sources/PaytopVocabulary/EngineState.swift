/// The engine's operator-visible state as typed values: what it writes under
/// `engine_state` and what every reader decodes from there.

/// The keys of the `engine_state` table.
public enum EngineStateKey: String, CaseIterable, Sendable {
    case clock, random, settings, faults, releases, traffic, stats, runtime, speed, telemetry, experiment
}

/// The fault state an operator or scenario sets.
public struct FaultState: Codable, Equatable, Sendable {
    public var pspOutage = false
    /// Multiplies PSP latency; 1 when off.
    public var pspLatencyFactor: Double = 1
    public var pspDeclineRate: Double = 0
    public var pspDeclineCode = "CARD_DECLINED"
    public var functionErrorRates: [FunctionName: Double] = [:]
    /// The PSP's settlement batches deviate from its charges (a rehearsal); nil when off.
    public var settlementDrift: SettlementDrift?
    /// The share of charges the PSP answers 500 (a partial outage); nil when off.
    public var pspErrorRate: Double?
    /// Latency added to a network hop, ms; nil when none (docs/control.md).
    public var apiInitializerDelayMillis: Double?
    public var executorPspDelayMillis: Double?
    /// Reserved concurrency set by a fault (`function-concurrency`), over the function's own.
    public var reservedConcurrency: [FunctionName: Int]?
    /// A queue's visibility timeout set by a fault (`visibility-timeout`), over the settings', s.
    public var visibilityTimeoutSeconds: [QueueName: Double]?
    /// FIS's invocation-add-delay per function (`lambda-delay`).
    public var invocationDelays: [FunctionName: InvocationDelay]?
    /// FIS's invocation-error per function (`lambda-error`).
    public var invocationErrors: [FunctionName: InvocationError]?
    /// Latency added to every call on a DynamoDB table, ms (`dynamodb-latency`).
    public var dynamoDelayMillis: [DynamoTable: Double]?
    /// The share of requests to a DynamoDB table throttled (`dynamodb-throttle`), 0–1.
    public var dynamoThrottleRates: [DynamoTable: Double]?
    /// Queues whose next message is a poison message (`poison-message`; one-shot).
    public var poisonNext: [QueueName]?

    public init() {}
}

/// A startup delay added to a share of a function's invocations, in every environment and
/// billed; past the function's timeout it makes a timeout (FIS's invocation-add-delay).
public struct InvocationDelay: Codable, Equatable, Sendable {
    public var millis: Double
    /// Of the invocations, 0–100.
    public var percentage: Double
    public init(millis: Double, percentage: Double) { self.millis = millis; self.percentage = percentage }
}

/// A share of a function's invocations marked failed (FIS's invocation-error): with
/// `preventExecution` the handler never runs (no downstream spans); without, it runs and
/// its invocation fails after.
public struct InvocationError: Codable, Equatable, Sendable {
    public var percentage: Double
    public var preventExecution: Bool
    public init(percentage: Double, preventExecution: Bool) { self.percentage = percentage; self.preventExecution = preventExecution }
}

/// A deployed version of a function and what it changes.
public struct Release: Codable, Equatable, Sendable {
    public enum Regression: String, Codable, Sendable { case latency, errors }
    public var version: String
    public var regression: Regression?
    public var deploymentID: String
    public var revision: String
    public var deployedAt: Int64

    public init(version: String, regression: Regression?, deploymentID: String, revision: String, deployedAt: Int64) {
        self.version = version; self.regression = regression; self.deploymentID = deploymentID
        self.revision = revision; self.deployedAt = deployedAt
    }
}

/// Where the traffic generator stands.
public struct TrafficState: Codable, Equatable, Sendable {
    public init(ratePerSecond: Double) { self.ratePerSecond = ratePerSecond }

    public var ratePerSecond: Double
    public var paused = false
    public var generated = 0
    /// Stop after this many checkouts (simulations); nil for live traffic.
    public var limit: Int?
}
