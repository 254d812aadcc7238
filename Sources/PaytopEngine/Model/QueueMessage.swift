import PaytopVocabulary

/// What a queue message carries. The JSON body is rendered only if the message lives long
/// enough to reach the store.
enum MessagePayload: Equatable {
    /// Initializer → executor: execute this checkout's orders.
    case execute
    /// Executor → wallet: the PSP's verdict for the checkout.
    case result(PaymentResult)
}

enum PaymentResult: Equatable {
    case success(pspReference: String)
    case failed(code: String)
}

/// One SQS message, with the bookkeeping SQS keeps: visibility, receive count, and where
/// it was first sent.
final class QueueMessage {
    let id: String
    var queue: QueueName
    let sourceQueue: QueueName
    let checkoutID: String
    let payload: MessagePayload
    let sentAt: EngineTime
    var visibleAt: EngineTime
    var receiveCount = 0
    var firstReceivedAt: EngineTime?
    var movedAt: EngineTime?
    var lastError: String?
    var deleted = false
    var persisted = false
    var dirty = false
    /// Bumped on every (re)insertion into the visibility heap, to skip stale entries.
    var heapStamp: UInt32 = 0
    /// The producer span's context, carried as the `traceparent` message attribute.
    let context: SpanContext?

    init(id: String, queue: QueueName, checkoutID: String, payload: MessagePayload, sentAt: EngineTime,
         context: SpanContext?) {
        self.context = context
        self.id = id
        self.queue = queue
        self.sourceQueue = queue
        self.checkoutID = checkoutID
        self.payload = payload
        self.sentAt = sentAt
        self.visibleAt = sentAt
    }

    init(restoring id: String, queue: QueueName, sourceQueue: QueueName, checkoutID: String, payload: MessagePayload,
         sentAt: EngineTime, visibleAt: EngineTime, receiveCount: Int, firstReceivedAt: EngineTime?,
         movedAt: EngineTime?, lastError: String?, context: SpanContext?) {
        self.context = context
        self.id = id; self.queue = queue; self.sourceQueue = sourceQueue; self.checkoutID = checkoutID
        self.payload = payload; self.sentAt = sentAt; self.visibleAt = visibleAt
        self.receiveCount = receiveCount; self.firstReceivedAt = firstReceivedAt; self.movedAt = movedAt
        self.lastError = lastError; self.persisted = true
    }
}
