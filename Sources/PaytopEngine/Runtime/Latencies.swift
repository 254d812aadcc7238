import PaytopVocabulary

/// Service times of the simulated AWS calls, drawn uniformly from these ranges. They are
/// not in the seed; they are typical same-region figures, documented in docs/engine.md.
enum Latencies {
    static let gatewayOverhead = (Span.ms(2), Span.ms(6))
    static let dynamoWrite = (Span.ms(3), Span.ms(8))
    static let dynamoQuery = (Span.ms(2), Span.ms(6))
    static let sqsSend = (Span.ms(4), Span.ms(12))
    /// An SQS long poll returning once a message arrives.
    static let receiveDelay = (Span.ms(5), Span.ms(20))
    static let compute = Span.ms(1)
    /// A failed record fails fast.
    static let failFast = Span.ms(2)
    /// Extra time per record a latency-regressed release adds.
    static let regressionLatency = (Span.ms(400), Span.ms(1200))
    /// Share of records a release with an error regression fails.
    static let regressionErrorRate = 0.2
    /// How long the event source waits before retrying after a throttle.
    static let throttleBackoff = Span.seconds(Int64(1))
}

extension SeededRandom {
    mutating func draw(_ range: (Nanos, Nanos)) -> Nanos { nanos(range.0, range.1) }
}
