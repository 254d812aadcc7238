import PaytopVocabulary

/// A DynamoDB call under `dynamodb-throttle`, as the SDK makes it: each attempt the table
/// refuses (ProvisionedThroughputExceededException, HTTP 400) is retried after a random
/// wait up to 50 ms × 2^n (the JavaScript v2 SDK's DynamoDB default: ten retries from
/// 50 ms), so callers see latency long before errors; when every attempt is refused the
/// call fails with that exception (docs/control.md).
struct DynamoRetries: Equatable {
    /// Time the refused attempts and the waits between them add to the call.
    var delay: Nanos = 0
    /// Requests the table refused.
    var throttled = 0
    /// Every attempt was refused: the SDK gave up.
    var exhausted = false

    static let none = DynamoRetries()
    static let maxRetries = 10
    static let baseBackoff = Span.ms(50)
    static let message = "ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded"
}

extension EngineContext {
    /// Draws the SDK's attempts for the DynamoDB call a span records (its operation and
    /// tables from the span catalog; `items` its items) under the throttling fault (a call on several tables is refused at the most throttled one's
    /// rate) and counts what CloudWatch counts on each throttled table: ThrottledRequests
    /// +1 per refused request, Read/WriteThrottleEvents +1 per item of it. With no table
    /// throttled it draws nothing, so runs without the fault are unchanged.
    func dynamoRetries(_ span: SpanName, items: Int = 1) -> DynamoRetries {
        guard let rates = faults.dynamoThrottleRates, let (op, tables) = span.dynamoCall else { return .none }
        let throttledTables = tables.filter { (rates[$0] ?? 0) > 0 }
        guard let rate = throttledTables.compactMap({ rates[$0] }).max() else { return .none }
        var r = DynamoRetries()
        for attempt in 0...DynamoRetries.maxRetries {
            guard random.chance(rate) else { break }
            r.throttled += 1
            r.delay += random.draw(Latencies.dynamoWrite)  // the refused request's round trip
            if attempt == DynamoRetries.maxRetries {
                r.exhausted = true
                break
            }
            r.delay += random.nanos(0, DynamoRetries.baseBackoff << Int64(attempt))
        }
        if r.throttled > 0, let m = metrics { m.recordDynamoThrottles(op, tables: throttledTables, items: items, requests: r.throttled) }
        return r
    }
}
