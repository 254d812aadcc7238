/// One checkout as the API's `GET /v1/payments/{checkout_id}` shows it: the payment
/// event, its orders (the writer's own `PaymentOrderRow`) and the trace that followed it.
/// Card data is never read.
public enum CheckoutLookup {
    public struct Checkout: Sendable, Equatable {
        public var checkoutID: String
        public var isPaymentDone: Bool
        public var outcome: String?
        public var failureCode: String?
        public var amountTotal: Money
        public var currency: String
        public var createdAt: Int64
        public var doneAt: Int64?
        /// Lower-case hex W3C trace id, when telemetry recorded one.
        public var traceID: String?
        public var orders: [PaymentOrderRow]
    }

    /// The checkout as of the last commit (event and orders read in one transaction), or
    /// nil when the store has none by that id.
    public static func find(_ c: Connection, checkoutID: String) throws -> Checkout? {
        try c.read {
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
                amountTotal: try money(e.string(3)), currency: e.string(4), createdAt: e.int(5), doneAt: e.optionalInt(6),
                traceID: e.optionalString(7), orders: [])
            let o = try c.cached("""
                SELECT payment_order_id, buyer_account, seller_account, amount, currency, payment_order_status,
                       ledger_updated, wallet_updated, created_at, executing_at, completed_at, updated_at
                FROM payment_order WHERE checkout_id = ? ORDER BY payment_order_id
                """)
            o.bind(1, checkoutID)
            defer { o.reset() }
            while try o.step() {
                checkout.orders.append(PaymentOrderRow(
                    paymentOrderID: o.string(0), checkoutID: checkoutID, buyerAccount: o.string(1), sellerAccount: o.string(2),
                    amount: try money(o.string(3)), currency: o.string(4), status: o.string(5), ledgerUpdated: o.int(6) != 0,
                    walletUpdated: o.int(7) != 0, createdAt: o.int(8), executingAt: o.optionalInt(9), completedAt: o.optionalInt(10),
                    updatedAt: o.int(11)))
            }
            return checkout
        }
    }

    /// The checkout as its last durable batch left it: the file's rows with `uncommitted`
    /// laid over them — the rows of the writer's batches not yet committed
    /// (`StoreWriter.uncommittedRows`): an insert the file lacks, the columns an update sets
    /// (those of `takeUpdate`), a trace row not yet in the file.
    public static func find(_ c: Connection, checkoutID: String, over uncommitted: WriteBatch?) throws -> Checkout? {
        guard let u = uncommitted else { return try find(c, checkoutID: checkoutID) }
        var checkout = try find(c, checkoutID: checkoutID)
        if checkout == nil, let e = u.paymentEventInserts.first {
            checkout = Checkout(checkoutID: e.checkoutID, isPaymentDone: e.isPaymentDone, outcome: e.outcome, failureCode: e.failureCode,
                                amountTotal: e.amountTotal, currency: e.currency, createdAt: e.createdAt, doneAt: e.doneAt,
                                traceID: nil, orders: [])
        }
        guard var found = checkout else { return nil }
        let traceNo = u.paymentEventInserts.first?.traceNo
        if let e = u.paymentEventUpdates.last {
            found.isPaymentDone = e.isPaymentDone; found.outcome = e.outcome; found.failureCode = e.failureCode; found.doneAt = e.doneAt
        }
        var orders = Dictionary(uniqueKeysWithValues: found.orders.map { ($0.paymentOrderID, $0) })
        for o in u.orderInserts { orders[o.paymentOrderID] = o }
        for o in u.orderUpdates { orders[o.paymentOrderID]?.takeUpdate(o) }
        found.orders = orders.values.sorted { $0.paymentOrderID < $1.paymentOrderID }
        if found.traceID == nil, let traceNo {
            // The trace row may be in the writer's rows or, begun a commit earlier, in the file.
            let s = try c.cached("""
                SELECT lower(hex(t)) FROM (SELECT coalesce(?, (SELECT trace_id FROM trace WHERE trace_no = ?)) AS t)
                WHERE t IS NOT NULL
                """)
            if let t = u.traces.first(where: { $0.traceNo == traceNo }) { s.bind(1, bytes: t.traceID) } else { s.bind(1, nil as Int64?) }
            s.bind(2, traceNo)
            defer { s.reset() }
            if try s.step() { found.traceID = s.string(0) }
        }
        return found
    }

    static func money(_ text: String) throws -> Money {
        guard let m = Money(decimalString: text) else { throw StoreError.failed("the store holds an amount that is not decimal: \(text)") }
        return m
    }

    /// What the store already holds under a request's ids: the request hash of a checkout
    /// by this id, if any (an idempotent resubmission or a conflict)…
    public static func requestHash(_ c: Connection, checkoutID: String) throws -> String? {
        let s = try c.cached("SELECT request_hash FROM payment_event WHERE checkout_id = ?")
        s.bind(1, checkoutID)
        defer { s.reset() }
        return try s.step() ? s.string(0) : nil
    }

    /// …and the checkout that owns a payment_order_id, if any.
    public static func owner(_ c: Connection, paymentOrderID: String) throws -> String? {
        let s = try c.cached("SELECT checkout_id FROM payment_order WHERE payment_order_id = ?")
        s.bind(1, paymentOrderID)
        defer { s.reset() }
        return try s.step() ? s.string(0) : nil
    }

    /// How many checkouts the store holds.
    public static func count(_ c: Connection) throws -> Int {
        Int(try c.scalarInt("SELECT count(*) FROM payment_event") ?? 0)
    }

    /// The checkout at a position of the table's own order (benchmarks pick at random).
    public static func checkoutID(_ c: Connection, at offset: Int) throws -> String? {
        let s = try c.cached("SELECT checkout_id FROM payment_event LIMIT 1 OFFSET ?")
        s.bind(1, offset)
        defer { s.reset() }
        return try s.step() ? s.string(0) : nil
    }
}
