import PaytopVocabulary

/// API Gateway's throttle: a token bucket refilled at `rate` per second up to `burst`.
struct TokenBucket {
    var rate: Double
    var burst: Double
    private var tokens: Double
    private var last: EngineTime?

    init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
    }

    /// Takes one token; false means the request is throttled (429).
    mutating func take(at now: EngineTime) -> Bool {
        if let last {
            tokens = min(burst, tokens + Span.toSeconds(now - last) * rate)
        }
        last = now
        if tokens >= 1 {
            tokens -= 1
            return true
        }
        return false
    }
}
