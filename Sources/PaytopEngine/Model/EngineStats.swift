/// Counters the engine keeps beyond the tables: what API Gateway answered, and how
/// checkouts ended. Saved with the engine state so a resumed engine keeps counting.
public struct EngineStats: Codable, Equatable, Sendable {
    public var arrivals = 0
    public var accepted = 0            // 202, first time
    public var idempotentReplays = 0   // 202 again for the same body
    public var rejected = 0            // 400
    public var conflicts = 0           // 409: same checkout_id, different body
    public var throttled = 0           // 429 from the gateway throttle
    public var serverErrors = 0        // 500: initializer errors and throttles
    public var gatewayTimeouts = 0     // 504
    public var settled = 0
    public var failed = 0
    public var apiLatencyNanos: Int64 = 0
    public init() {}
}
