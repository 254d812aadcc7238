import PaytopStore
import PaytopVocabulary

/// A checkout the engine holds in memory while it is live: not yet done, or still named by
/// a queue message (a duplicate, a dead letter). Everything else lives only in the store.
final class Checkout {
    let request: PaymentRequest
    let requestHash: String
    let createdAt: EngineTime
    var orders: [Order]
    var isPaymentDone = false
    var outcome: String?       // SUCCESS or FAILED
    var failureCode: String?
    var doneAt: EngineTime?
    /// Queue messages (in any queue, DLQs included) that name this checkout.
    var messageRefs = 0
    var persisted = false
    var dirty = false
    /// The trace of the request that created the checkout.
    var trace: TraceRef?
    /// Its end already counted toward the payment-success SLO.
    var sloCounted = false
    /// Already counted toward the settlement SLO: at its end, or bad at its objective
    /// (then, until it ends, one of the SLO's bad events in flight).
    var settlementCounted = false

    final class Order {
        let spec: PaymentRequest.Order
        var status: OrderStatus = .notStarted
        var ledgerUpdated = false
        var walletUpdated = false
        var executingAt: EngineTime?
        var completedAt: EngineTime?
        var updatedAt: EngineTime

        init(spec: PaymentRequest.Order, at: EngineTime) {
            self.spec = spec
            self.updatedAt = at
        }
    }

    init(request: PaymentRequest, requestHash: String, createdAt: EngineTime) {
        self.request = request
        self.requestHash = requestHash
        self.createdAt = createdAt
        self.orders = request.orders.map { Order(spec: $0, at: createdAt) }
    }

    var id: String { request.checkoutID }
    var allOrdersTerminal: Bool { orders.allSatisfy { $0.status.isTerminal } }
    var canBeEvicted: Bool { isPaymentDone && messageRefs == 0 }
}
