/// One checkout as the API's `GET /v1/payments/{checkout_id}` shows it: the payment
/// event, its orders and their states, and the trace that followed it. Card data is
/// never read.
public enum CheckoutLookup {
    public struct Checkout: Sendable, Equatable {
        public var checkoutID: String
        public var isPaymentDone: Bool
        public var outcome: String?
        public var failureCode: String?
        public var amountTotal: String
        public var currency: String
        public var createdAt: Int64
        public var doneAt: Int64?
        /// Lower-case hex W3C trace id, when telemetry recorded one.
        public var traceID: String?
        public var orders: [Order]
    }

    public struct Order: Sendable, Equatable {
        public var paymentOrderID: String
        public var buyerAccount: String
        public var sellerAccount: String
        public var amount: String
        public var currency: String
        public var status: String
        public var ledgerUpdated: Bool
        public var walletUpdated: Bool
        public var createdAt: Int64
        public var executingAt: Int64?
        public var completedAt: Int64?
    }

    /// The checkout as of the last commit, or nil when the store has none by that id.
    public static func find(_ c: Connection, checkoutID: String) throws -> Checkout? {
        let e = try c.cached("""
            SELECT is_payment_done, outcome, failure_code, amount_total, currency, created_at, done_at,
                   (SELECT lower(hex(trace_id)) FROM trace WHERE trace.trace_no = payment_event.trace_no)
            FROM payment_event WHERE checkout_id = ?
            """)
        e.bind(1, checkoutID)
        defer { e.reset() }
        guard try e.step() else { return nil }
        var checkout = Checkout(
            checkoutID: checkoutID, isPaymentDone: e.int(0) != 0, outcome: e.optionalString(1), failureCode: e.optionalString(2),
            amountTotal: e.string(3), currency: e.string(4), createdAt: e.int(5), doneAt: e.optionalInt(6),
            traceID: e.optionalString(7), orders: [])
        let o = try c.cached("""
            SELECT payment_order_id, buyer_account, seller_account, amount, currency, payment_order_status,
                   ledger_updated, wallet_updated, created_at, executing_at, completed_at
            FROM payment_order WHERE checkout_id = ? ORDER BY payment_order_id
            """)
        o.bind(1, checkoutID)
        defer { o.reset() }
        while try o.step() {
            checkout.orders.append(Order(
                paymentOrderID: o.string(0), buyerAccount: o.string(1), sellerAccount: o.string(2), amount: o.string(3),
                currency: o.string(4), status: o.string(5), ledgerUpdated: o.int(6) != 0, walletUpdated: o.int(7) != 0,
                createdAt: o.int(8), executingAt: o.optionalInt(9), completedAt: o.optionalInt(10)))
        }
        return checkout
    }
}
