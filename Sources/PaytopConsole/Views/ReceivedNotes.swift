/// What a view says instead of figures when it watches received telemetry that does not
/// carry what it draws (no embedded engine, no such metrics yet).
enum ReceivedNotes {
    static let pipeline = "no pipeline metrics received yet: the flow fills when API Gateway, Lambda and SQS metrics arrive under CloudWatch's names (Count, Invocations, ApproximateNumberOfMessagesVisible, … by ApiName, FunctionName, QueueName)"
    static let queues = "no queue metrics received yet: depth and age come from SQS's ApproximateNumberOfMessagesVisible, …NotVisible and ApproximateAgeOfOldestMessage by QueueName"
    static let payments = "payment state (checkouts, orders, wallets) is the embedded engine's own; received telemetry has traces and business events — press t and a checkout_id for its trace, 7 for the business figures"
    static let functions = "no Lambda or API Gateway metrics received yet (Invocations, Errors, Duration by FunctionName; Count, Latency by ApiName)"
    /// Problems on another store (ClickHouse): the detectors write into paytop's own.
    static func problems(_ source: String) -> String {
        "problems are detected into paytop's own store (by its engine, or `paytop collect` as telemetry arrives); on \(source) they are not built yet — the SLOs (5) and the charts show what is burning"
    }
}
