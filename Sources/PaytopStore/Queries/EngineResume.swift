/// What an engine reads back when it continues a store an earlier run filled: checkouts
/// still in flight (or named by a queue message) with their orders and trace, every
/// queue message, the wallets, the PSP's charges for those checkouts, the service codes,
/// and where the control queue stands. Each as the writer's own row type.
public enum EngineResume {
    /// A checkout still in memory at the last commit.
    public struct InFlightCheckout: Sendable {
        public var event: PaymentEventRow
        public var orders: [PaymentOrderRow]
        /// Its trace's id and start, when telemetry recorded one.
        public var trace: TraceRow?
    }

    /// Whether an engine has committed its state to this store.
    public static func hasEngineState(_ c: Connection) throws -> Bool {
        (try c.scalarInt("SELECT count(*) FROM engine_state WHERE key = 'clock'") ?? 0) > 0
    }

    /// Checkouts not yet done, or named by a queue message, with their orders by id.
    public static func inFlightCheckouts(_ c: Connection) throws -> [InFlightCheckout] {
        let s = try c.cached("""
            SELECT checkout_id, buyer_info, seller_info, credit_card_info, is_payment_done, amount_total, currency, order_count,
                   outcome, failure_code, simulate, request_hash, created_at, done_at, trace_no,
                   (SELECT trace_id FROM trace t WHERE t.trace_no = payment_event.trace_no),
                   (SELECT started_at FROM trace t WHERE t.trace_no = payment_event.trace_no)
            FROM payment_event
            WHERE is_payment_done = 0 OR checkout_id IN (SELECT checkout_id FROM queue_message)
            """)
        defer { s.reset() }
        let orders = try c.cached("""
            SELECT payment_order_id, seller_account, amount, currency, payment_order_status, ledger_updated,
                   wallet_updated, executing_at, completed_at, updated_at, buyer_account, created_at
            FROM payment_order WHERE checkout_id = ? ORDER BY payment_order_id
            """)
        var out: [InFlightCheckout] = []
        while try s.step() {
            let id = s.string(0)
            guard let total = Money(decimalString: s.string(5)) else { throw StoreError.failed("payment_event \(id) has a damaged amount_total") }
            let event = PaymentEventRow(
                checkoutID: id, buyerInfo: s.string(1), sellerInfo: s.string(2), creditCardInfo: s.string(3),
                isPaymentDone: s.int(4) != 0, amountTotal: total, currency: s.string(6), orderCount: Int(s.int(7)),
                outcome: s.optionalString(8), failureCode: s.optionalString(9), simulate: s.optionalString(10),
                requestHash: s.string(11), createdAt: s.int(12), doneAt: s.optionalInt(13), traceNo: s.optionalInt(14))
            orders.bind(1, id)
            var rows: [PaymentOrderRow] = []
            while try orders.step() {
                guard let amount = Money(decimalString: orders.string(2)) else {
                    throw StoreError.failed("payment_order \(orders.string(0)) is damaged")
                }
                rows.append(PaymentOrderRow(
                    paymentOrderID: orders.string(0), checkoutID: id, buyerAccount: orders.string(10),
                    sellerAccount: orders.string(1), amount: amount, currency: orders.string(3), status: orders.string(4),
                    ledgerUpdated: orders.int(5) != 0, walletUpdated: orders.int(6) != 0, createdAt: orders.int(11),
                    executingAt: orders.optionalInt(7), completedAt: orders.optionalInt(8), updatedAt: orders.int(9)))
            }
            orders.reset()
            let trace = event.traceNo.flatMap { no in
                s.isNull(15) ? nil : TraceRow(traceNo: no, traceID: s.blob(15), checkoutID: id, startedAt: s.int(16))
            }
            out.append(InFlightCheckout(event: event, orders: rows, trace: trace))
        }
        return out
    }

    /// Every queue message, DLQs included, oldest first.
    public static func queueMessages(_ c: Connection) throws -> [QueueMessageRow] {
        let s = try c.cached("""
            SELECT message_id, queue_name, source_queue, checkout_id, body, sent_at, visible_at, receive_count,
                   first_received_at, moved_at, last_error, attributes
            FROM queue_message ORDER BY sent_at, message_id
            """)
        defer { s.reset() }
        return try s.all {
            QueueMessageRow(messageID: $0.string(0), queueName: $0.string(1), sourceQueue: $0.string(2), checkoutID: $0.string(3),
                            body: $0.string(4), attributes: $0.string(11), sentAt: $0.int(5), visibleAt: $0.int(6),
                            receiveCount: Int($0.int(7)), firstReceivedAt: $0.optionalInt(8), movedAt: $0.optionalInt(9),
                            lastError: $0.optionalString(10))
        }
    }

    public static func wallets(_ c: Connection) throws -> [WalletRow] {
        let s = try c.cached("SELECT merchant_id, currency, balance, updated_at FROM wallet")
        defer { s.reset() }
        var out: [WalletRow] = []
        while try s.step() {
            guard let m = Money(decimalString: s.string(2)) else {
                throw StoreError.failed("wallet \(s.string(0)) \(s.string(1)) has a damaged balance")
            }
            out.append(WalletRow(merchantID: s.string(0), currency: s.string(1), balance: m, updatedAt: s.int(3)))
        }
        return out
    }

    /// The PSP's charges of the checkouts `inFlightCheckouts` returns.
    public static func pspChargesInFlight(_ c: Connection) throws -> [PspChargeRow] {
        let s = try c.cached("""
            SELECT idempotency_key, psp_reference, checkout_id, amount, currency, status, decline_code, requested_at, completed_at
            FROM psp_charge
            WHERE idempotency_key IN (SELECT checkout_id FROM payment_event
                                      WHERE is_payment_done = 0 OR checkout_id IN (SELECT checkout_id FROM queue_message))
            """)
        defer { s.reset() }
        return try s.all {
            PspChargeRow(idempotencyKey: $0.string(0), pspReference: $0.string(1), checkoutID: $0.string(2),
                         amount: Money(decimalString: $0.string(3)) ?? .zero, currency: $0.string(4), status: $0.string(5),
                         declineCode: $0.optionalString(6), requestedAt: $0.int(7), completedAt: $0.int(8))
        }
    }

    public static func serviceVersions(_ c: Connection) throws -> [ServiceVersionRow] {
        let s = try c.cached("SELECT service_code, service_name, service_version FROM service_version")
        defer { s.reset() }
        return try s.all { ServiceVersionRow(code: Int($0.int(0)), name: $0.string(1), version: $0.string(2)) }
    }

    /// The newest control command an engine has taken (applied or rejected); 0 for none.
    public static func lastTakenControlCommand(_ c: Connection) throws -> Int64 {
        try c.scalarInt("SELECT coalesce(max(id), 0) FROM control_command WHERE status != 'pending'") ?? 0
    }
}
