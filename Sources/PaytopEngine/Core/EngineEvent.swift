import PaytopVocabulary
import PaytopJSON

/// Everything that can happen at an instant of engine time.
enum EngineEvent {
    /// The traffic generator's next checkout arrives at the API. Arrivals of an older
    /// generation (before a rate change) are ignored.
    case arrival(generation: Int)
    /// The initializer finishes (or times out) behind API Gateway.
    case initializerDone(ApiCall)
    /// A queue may have visible messages for its event source.
    case queueWake(QueueName)
    /// The executor starts the current record of its batch.
    case executorRecord(Invocation)
    /// The executor has written EXECUTING and calls the PSP.
    case executorCallPsp(Invocation)
    /// The PSP's answer reaches the executor.
    case executorPspReturned(Invocation)
    /// The wallet finishes the current record of its batch.
    case walletRecordDone(Invocation)
    /// An invocation reaches its timeout.
    case invocationTimeout(Invocation)
    /// A scenario timeline action falls due.
    case timeline(Int)
    /// The PSP closes a settlement batch.
    case settlementCutoff
    /// The reconciliation job runs.
    case reconcile
}

/// One `POST /v1/payments` in flight inside API Gateway.
final class ApiCall {
    /// nil when the request body was not valid JSON.
    let body: JSONValue?
    let arrivedAt: EngineTime
    var lease: FunctionRuntime.Lease?
    var startedAt: EngineTime
    /// A slow network hop before the invocation (`hop-latency api-initializer`): API
    /// Gateway's integration timeout counts it.
    var hopDelay: Nanos = 0
    /// FIS's invocation-error without prevent_execution: the handler runs (and keeps what it
    /// writes), then the invocation is marked failed and API Gateway answers 502.
    var failsAfterHandler = false
    /// Set for requests from outside the engine (HTTP, tests); the generator's have none.
    /// Cleared once the caller has been refused because the engine stopped first.
    var respond: ((ApiResponse) -> Void)?
    /// The request's trace and API Gateway's span in it.
    var trace: TraceRef?
    var apiSpan: Int64 = 0
    /// The client's traceparent, when it sent a valid one.
    var clientContext: W3CTraceContext.Parsed?
    /// The client's span, parent of API Gateway's span; nil for a trace of our own.
    var parentContext: Int64?
    /// The service times drawn for the initializer's steps (for its spans).
    var putDuration: Nanos = 0
    var batchWriteDuration: Nanos = 0
    var sendDuration: Nanos = 0
    /// The SDK's throttled attempts on the two writes (`dynamodb-throttle`).
    var putRetries = DynamoRetries.none
    var batchRetries = DynamoRetries.none
    /// A write the SDK gave up on: the handler fails there.
    var throttledOut: Bool { putRetries.exhausted || batchRetries.exhausted }

    init(body: JSONValue?, arrivedAt: EngineTime, respond: ((ApiResponse) -> Void)?) {
        self.body = body
        self.arrivedAt = arrivedAt
        self.startedAt = arrivedAt
        self.respond = respond
    }
}

/// What API Gateway answered, and when.
public struct ApiResponse: Sendable, Equatable {
    public var status: Int
    public var body: JSONValue
    public var respondedAt: EngineTime
    public var checkoutID: String?
    /// W3C traceparent of API Gateway's span in the checkout's trace (nil with telemetry off).
    public var traceparent: String?

    public init(status: Int, body: JSONValue, respondedAt: EngineTime, checkoutID: String?, traceparent: String? = nil) {
        self.status = status
        self.body = body
        self.respondedAt = respondedAt
        self.checkoutID = checkoutID
        self.traceparent = traceparent
    }
}

/// One batch invocation of the executor or the wallet.
final class Invocation {
    let function: FunctionName
    let lease: FunctionRuntime.Lease
    let startedAt: EngineTime
    let deadline: EngineTime
    let messages: [QueueMessage]
    var index = 0
    var failed: [Int] = []
    var finished = false
    var timeoutScheduled = false
    /// The current record's CONSUMER span and when its handler began (the services keep
    /// the rest of a record's scratch state).
    var recordStart: EngineTime
    var processSpan: Int64 = 0
    /// A `lambda-error` fault marked the invocation failed after its handler ran: none of
    /// its messages is deleted.
    var failsAfterHandler = false

    init(function: FunctionName, lease: FunctionRuntime.Lease, startedAt: EngineTime, deadline: EngineTime,
         messages: [QueueMessage]) {
        self.function = function
        self.lease = lease
        self.startedAt = startedAt
        self.deadline = deadline
        self.messages = messages
        self.recordStart = startedAt
    }
}
