/// The pipeline's functions, by the names their spans and metrics carry.
public enum FunctionName: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable, Comparable {
    case initializer, executor, wallet

    public static func < (a: FunctionName, b: FunctionName) -> Bool { a.rawValue < b.rawValue }
}

/// The four queues of the seed.
public enum QueueName: String, CaseIterable, Sendable, Codable {
    case execution = "payment-execution-queue"
    case executionDLQ = "payment-execution-queue-dlq"
    case results = "payment-results-queue"
    case resultsDLQ = "payment-results-queue-dlq"

    public var deadLetterQueue: QueueName? {
        switch self {
        case .execution: return .executionDLQ
        case .results: return .resultsDLQ
        default: return nil
        }
    }

    public var isDeadLetterQueue: Bool { self == .executionDLQ || self == .resultsDLQ }

    /// The queue a DLQ's messages are redriven to.
    public var redriveTarget: QueueName? {
        switch self {
        case .executionDLQ: return .execution
        case .resultsDLQ: return .results
        default: return nil
        }
    }

    /// Accepts the full name or a short one: execution, execution-dlq, results, results-dlq.
    public init?(userInput s: String) {
        if let q = QueueName(rawValue: s) { self = q; return }
        switch s.lowercased() {
        case "execution", "exec": self = .execution
        case "execution-dlq", "exec-dlq": self = .executionDLQ
        case "results": self = .results
        case "results-dlq": self = .resultsDLQ
        default: return nil
        }
    }
}

public enum OrderStatus: String, Sendable {
    case notStarted = "NOT_STARTED", executing = "EXECUTING", success = "SUCCESS", failed = "FAILED"
    var isTerminal: Bool { self == .success || self == .failed }
}
