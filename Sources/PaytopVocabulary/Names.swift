/// The pipeline's functions, by the names their spans and metrics carry.
public enum FunctionName: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable, Comparable {
    case initializer, executor, wallet

    public static func < (a: FunctionName, b: FunctionName) -> Bool { a.rawValue < b.rawValue }
}

/// The four queues of the seed.
public enum QueueName: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
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
    public var isTerminal: Bool { self == .success || self == .failed }
}

extension FunctionName {
    /// The deployed Lambda function's name (FunctionName dimension, faas.name, artifact.name).
    public var deployedName: String { PipelineNames.functionPrefix + rawValue }

    /// The function a deployed name belongs to ("o11y-lab-payments-executor" → executor).
    public init?(deployedName: String) {
        guard deployedName.hasPrefix(PipelineNames.functionPrefix) else { return nil }
        self.init(rawValue: String(deployedName.dropFirst(PipelineNames.functionPrefix.count)))
    }
}

/// The names of the seed's deployment that are not functions or queues.
public enum PipelineNames {
    public static let functionPrefix = "o11y-lab-payments-"
    /// API Gateway's REST API (the ApiName dimension).
    public static let apiName = "o11y-lab-initializer"
    /// The payments endpoint's route, and the name of the span of each request to it.
    public static let paymentsRoute = "/v1/payments"
    public static let paymentsRequestSpan = "POST " + paymentsRoute
    /// The services whose spans are not a function's: (service.name, service.version).
    public static let gatewayService = (name: "api-gateway", version: "v1")
    public static let pspService = (name: "psp", version: "1.0.0")
    public static let reconciliationService = (name: "reconciliation", version: "1.0.0")
    /// Where the executor reaches the PSP.
    public static let pspHost = "psp.o11y-lab.internal"
}

extension FunctionName {
    /// The functions in the order a checkout meets them.
    public static let pipelineOrder: [FunctionName] = [.initializer, .executor, .wallet]
}

/// Where a checkout stands, as the console's payments list and `paytop status` name it.
public enum PaymentState: String, CaseIterable, Sendable {
    case success = "SUCCESS", failed = "FAILED"
    case deadLettered = "DEAD_LETTERED", settling = "SETTLING", executing = "EXECUTING"

    /// The state of a checkout from its payment_event row and the queue of its latest message.
    public init(isPaymentDone: Bool, outcome: String?, latestQueue: QueueName?) {
        if isPaymentDone {
            self = outcome == PaymentState.failed.rawValue ? .failed : .success
        } else if let q = latestQueue, q.isDeadLetterQueue {
            self = .deadLettered
        } else {
            self = latestQueue == .results ? .settling : .executing
        }
    }
}

/// The seed's DynamoDB tables (TableName dimension, db.collection.name).
public enum DynamoTable: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
    case paymentEvent = "PaymentEvent", paymentOrder = "PaymentOrder", wallet = "Wallet", ledgerEntry = "LedgerEntry"
}

/// The DynamoDB operations the functions call (Operation dimension, db.operation.name).
public enum DynamoOperation: String, CaseIterable, Sendable {
    case putItem = "PutItem", batchWriteItem = "BatchWriteItem", updateItem = "UpdateItem", query = "Query"
    case transactWriteItems = "TransactWriteItems"

    /// Capacity units one item of the call consumes in each table it touches (items under
    /// 1 KB written, under 4 KB read strongly consistent; a transaction costs twice).
    public var writeUnitsPerItem: Int64 {
        switch self {
        case .putItem, .batchWriteItem, .updateItem: return 1
        case .transactWriteItems: return 2
        case .query: return 0
        }
    }

    public var readUnitsPerItem: Int64 { self == .query ? 1 : 0 }
}

/// paytop's version, as `--version` prints it and the `run` table records it.
public enum PaytopVersion {
    public static let current = "0.1.0"
}
