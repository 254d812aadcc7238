import PaytopJSON

/// Every metric series' name: CloudWatch's where it has one (SQS, Lambda, API Gateway),
/// paytop's own for the PSP, the business and the SLOs. docs/telemetry.md lists them.
public enum MetricName: String, CaseIterable, Sendable {
    // SQS, per queue
    case messagesVisible = "ApproximateNumberOfMessagesVisible"
    case messagesNotVisible = "ApproximateNumberOfMessagesNotVisible"
    case messagesDelayed = "ApproximateNumberOfMessagesDelayed"
    case ageOfOldestMessage = "ApproximateAgeOfOldestMessage"
    case messagesSent = "NumberOfMessagesSent"
    case messagesReceived = "NumberOfMessagesReceived"
    case messagesDeleted = "NumberOfMessagesDeleted"
    case emptyReceives = "NumberOfEmptyReceives"
    // Lambda, per function
    case invocations = "Invocations"
    case errors = "Errors"
    case throttles = "Throttles"
    case coldStarts = "ColdStarts"
    case concurrentExecutions = "ConcurrentExecutions"
    case duration = "Duration"
    case initDuration = "InitDuration"
    // API Gateway
    case count = "Count"
    case clientErrors = "4XXError"
    case serverErrors = "5XXError"
    case throttledRequests = "ThrottledRequests"
    case readThrottleEvents = "ReadThrottleEvents"
    case writeThrottleEvents = "WriteThrottleEvents"
    case latency = "Latency"
    case integrationLatency = "IntegrationLatency"
    // DynamoDB, per table (and operation): CloudWatch's names
    case successfulRequestLatency = "SuccessfulRequestLatency"
    case consumedReadCapacityUnits = "ConsumedReadCapacityUnits"
    case consumedWriteCapacityUnits = "ConsumedWriteCapacityUnits"
    case systemErrors = "SystemErrors"
    // The PSP
    case pspCalls = "PspCalls"
    case pspLatency = "PspLatency"
    case pspResponses = "PspResponses"
    // The business
    case checkoutsReceived = "CheckoutsReceived"
    case checkoutsSettled = "CheckoutsSettled"
    case checkoutsFailed = "CheckoutsFailed"
    case checkoutsRejected = "CheckoutsRejected"
    case conversion = "Conversion"
    case revenue = "Revenue"
    // Reconciliation
    case reconciliationMismatches = "ReconciliationMismatches"
    case unreconciledAmount = "UnreconciledAmount"
    case reconciliationLatency = "ReconciliationLatency"
    case autoMatchRate = "AutoMatchRate"
    // SLIs
    case sloGoodEvents = "SloGoodEvents"
    case sloValidEvents = "SloValidEvents"
    /// Events already counted bad whose checkout has not ended (settlement past 2 minutes).
    case sloBadEventsInFlight = "SloBadEventsInFlight"
}

/// A series' dimensions as the store keys them: a JSON object with sorted keys.
public enum MetricDimensions {
    public static func queue(_ q: QueueName) -> String { JSONText.object([("QueueName", q.rawValue)]) }
    public static func function(_ f: FunctionName) -> String { JSONText.object([("FunctionName", f.deployedName)]) }
    /// A function's invocations by how they started: paytop's own split of Duration.
    public static func function(_ f: FunctionName, coldStart: Bool) -> String {
        JSONText.object([("FunctionName", f.deployedName), ("Start", coldStart ? "cold" : "warm")])
    }
    public static func table(_ t: DynamoTable) -> String { JSONText.object([("TableName", t.rawValue)]) }
    public static func table(_ t: DynamoTable, _ op: DynamoOperation) -> String {
        JSONText.object([("Operation", op.rawValue), ("TableName", t.rawValue)])
    }
    public static let api = JSONText.object([("ApiName", PipelineNames.apiName)])
    public static let psp = JSONText.object([("Service", "psp")])
    /// PSP answers by HTTP status: 200, 402 (declined) or 500.
    public static func pspResponses(code: Int) -> String { JSONText.object([("Code", String(code)), ("Service", "psp")]) }
    public static let business = JSONText.object([("Domain", "payments")])
    public static func currency(_ c: String) -> String { JSONText.object([("Currency", c)]) }
    public static func mismatchClass(_ c: MismatchClass) -> String { JSONText.object([("Class", c.rawValue)]) }
    public static let reconciliation = JSONText.object([("Service", "reconciliation")])
    public static func slo(_ name: String) -> String { JSONText.object([("slo", name)]) }
}

/// The built-in SLOs, by the names their series and reports carry.
public enum SloName: String, CaseIterable, Sendable {
    case apiLatency = "api-latency"
    case settlement
    case paymentSuccess = "payment-success"
}
