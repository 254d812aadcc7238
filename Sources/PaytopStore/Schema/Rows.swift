/// One row of each state table, as the engine hands it to the writer. Field names match
/// the columns documented in docs/store.md; times are engine time in Unix nanoseconds.

public struct PaymentEventRow: Sendable, Equatable {
    public var checkoutID: String
    public var buyerInfo: String        // JSON {"user_id","email"}
    public var sellerInfo: String       // JSON {payment_order_id: seller_account}
    public var creditCardInfo: String   // JSON {"payment_token"}: a token only, never card data
    public var isPaymentDone: Bool
    public var amountTotal: Money
    public var currency: String
    public var orderCount: Int
    public var outcome: String?         // SUCCESS or FAILED once done
    public var failureCode: String?
    public var simulate: String?        // the request's simulate object as JSON, if any
    public var requestHash: String
    public var createdAt: Int64
    public var doneAt: Int64?
    /// The trace (trace.trace_no) of the request that created it.
    public var traceNo: Int64?

    public init(checkoutID: String, buyerInfo: String, sellerInfo: String, creditCardInfo: String,
                isPaymentDone: Bool, amountTotal: Money, currency: String, orderCount: Int,
                outcome: String?, failureCode: String?, simulate: String?, requestHash: String,
                createdAt: Int64, doneAt: Int64?, traceNo: Int64? = nil) {
        self.traceNo = traceNo
        self.checkoutID = checkoutID; self.buyerInfo = buyerInfo; self.sellerInfo = sellerInfo
        self.creditCardInfo = creditCardInfo; self.isPaymentDone = isPaymentDone
        self.amountTotal = amountTotal; self.currency = currency; self.orderCount = orderCount
        self.outcome = outcome; self.failureCode = failureCode; self.simulate = simulate
        self.requestHash = requestHash; self.createdAt = createdAt; self.doneAt = doneAt
    }
}

public struct PaymentOrderRow: Sendable, Equatable {
    public var paymentOrderID: String
    public var checkoutID: String
    public var buyerAccount: String
    public var sellerAccount: String
    public var amount: Money
    public var currency: String
    public var status: String
    public var ledgerUpdated: Bool
    public var walletUpdated: Bool
    public var createdAt: Int64
    public var executingAt: Int64?
    public var completedAt: Int64?
    public var updatedAt: Int64

    public init(paymentOrderID: String, checkoutID: String, buyerAccount: String, sellerAccount: String,
                amount: Money, currency: String, status: String, ledgerUpdated: Bool, walletUpdated: Bool,
                createdAt: Int64, executingAt: Int64?, completedAt: Int64?, updatedAt: Int64) {
        self.paymentOrderID = paymentOrderID; self.checkoutID = checkoutID
        self.buyerAccount = buyerAccount; self.sellerAccount = sellerAccount; self.amount = amount
        self.currency = currency; self.status = status; self.ledgerUpdated = ledgerUpdated
        self.walletUpdated = walletUpdated; self.createdAt = createdAt; self.executingAt = executingAt
        self.completedAt = completedAt; self.updatedAt = updatedAt
    }
}

public struct WalletRow: Sendable, Equatable {
    public var merchantID: String
    public var currency: String
    public var balance: Money
    public var updatedAt: Int64
    public init(merchantID: String, currency: String, balance: Money, updatedAt: Int64) {
        self.merchantID = merchantID; self.currency = currency; self.balance = balance; self.updatedAt = updatedAt
    }
}

public struct LedgerEntryRow: Sendable, Equatable {
    public var entryID: String
    public var transactionID: String
    public var account: String
    public var direction: String  // debit or credit
    public var amount: Money
    public var currency: String
    public var paymentOrderID: String
    public var createdAt: Int64
    public init(entryID: String, transactionID: String, account: String, direction: String,
                amount: Money, currency: String, paymentOrderID: String, createdAt: Int64) {
        self.entryID = entryID; self.transactionID = transactionID; self.account = account
        self.direction = direction; self.amount = amount; self.currency = currency
        self.paymentOrderID = paymentOrderID; self.createdAt = createdAt
    }
}

public struct QueueMessageRow: Sendable, Equatable {
    public var messageID: String
    public var queueName: String
    public var sourceQueue: String
    public var checkoutID: String
    public var body: String
    public var attributes: String
    public var sentAt: Int64
    public var visibleAt: Int64
    public var receiveCount: Int
    public var firstReceivedAt: Int64?
    public var movedAt: Int64?
    public var lastError: String?
    public init(messageID: String, queueName: String, sourceQueue: String, checkoutID: String, body: String,
                attributes: String, sentAt: Int64, visibleAt: Int64, receiveCount: Int,
                firstReceivedAt: Int64?, movedAt: Int64?, lastError: String?) {
        self.messageID = messageID; self.queueName = queueName; self.sourceQueue = sourceQueue
        self.checkoutID = checkoutID; self.body = body; self.attributes = attributes; self.sentAt = sentAt
        self.visibleAt = visibleAt; self.receiveCount = receiveCount; self.firstReceivedAt = firstReceivedAt
        self.movedAt = movedAt; self.lastError = lastError
    }
}

public struct PspChargeRow: Sendable, Equatable {
    public var idempotencyKey: String
    public var pspReference: String
    public var checkoutID: String
    public var amount: Money
    public var currency: String
    public var status: String  // SUCCEEDED or DECLINED
    public var declineCode: String?
    public var requestedAt: Int64
    public var completedAt: Int64
    public init(idempotencyKey: String, pspReference: String, checkoutID: String, amount: Money,
                currency: String, status: String, declineCode: String?, requestedAt: Int64, completedAt: Int64) {
        self.idempotencyKey = idempotencyKey; self.pspReference = pspReference; self.checkoutID = checkoutID
        self.amount = amount; self.currency = currency; self.status = status; self.declineCode = declineCode
        self.requestedAt = requestedAt; self.completedAt = completedAt
    }
}

public struct ControlEventRow: Sendable, Equatable {
    public var at: Int64
    public var source: String      // control (a control_command row) or scenario
    public var commandID: Int64?
    public var command: String
    public var args: String
    public var summary: String
    public init(at: Int64, source: String, commandID: Int64?, command: String, args: String, summary: String) {
        self.at = at; self.source = source; self.commandID = commandID; self.command = command
        self.args = args; self.summary = summary
    }
}

public struct ControlAck: Sendable, Equatable {
    public var id: Int64
    public var status: String  // applied or rejected
    public var appliedAt: Int64
    public var result: String
    public init(id: Int64, status: String, appliedAt: Int64, result: String) {
        self.id = id; self.status = status; self.appliedAt = appliedAt; self.result = result
    }
}
