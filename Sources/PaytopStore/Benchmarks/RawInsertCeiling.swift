import CSQLite

/// The fastest this machine writes a store's rows: every row of `source` bulk-inserted
/// into a new store of the same schema with plain prepared INSERTs, 10,000 rows per
/// transaction, no engine in the way. Benchmarks compare the engine's rows/s against it.
public enum RawInsertCeiling {
    public struct Result: Sendable {
        public var rows: Int
        public var seconds: Double
        public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    }

    public static func measure(source sourcePath: String, target targetPath: String, rowsPerTransaction: Int = 10_000) throws -> Result {
        let src = try Store.openForReading(path: sourcePath)
        var batches: [WriteBatch] = []
        var current = WriteBatch()
        func cut() { if current.rowCount >= rowsPerTransaction { batches.append(current); current = WriteBatch() } }
        let events = try src.cached("""
            SELECT checkout_id, buyer_info, seller_info, credit_card_info, is_payment_done, amount_total, currency,
                   order_count, outcome, failure_code, simulate, request_hash, created_at, done_at, trace_no FROM payment_event
            """)
        while try events.step() {
            current.paymentEventInserts.append(PaymentEventRow(
                checkoutID: events.string(0), buyerInfo: events.string(1), sellerInfo: events.string(2),
                creditCardInfo: events.string(3), isPaymentDone: events.int(4) != 0,
                amountTotal: Money(decimalString: events.string(5)) ?? .zero, currency: events.string(6),
                orderCount: Int(events.int(7)), outcome: events.optionalString(8), failureCode: events.optionalString(9),
                simulate: events.optionalString(10), requestHash: events.string(11), createdAt: events.int(12),
                doneAt: events.optionalInt(13), traceNo: events.optionalInt(14)))
            cut()
        }
        let orders = try src.cached("""
            SELECT payment_order_id, checkout_id, buyer_account, seller_account, amount, currency, payment_order_status,
                   ledger_updated, wallet_updated, created_at, executing_at, completed_at, updated_at FROM payment_order
            """)
        while try orders.step() {
            current.orderInserts.append(PaymentOrderRow(
                paymentOrderID: orders.string(0), checkoutID: orders.string(1), buyerAccount: orders.string(2),
                sellerAccount: orders.string(3), amount: Money(decimalString: orders.string(4)) ?? .zero,
                currency: orders.string(5), status: orders.string(6), ledgerUpdated: orders.int(7) != 0,
                walletUpdated: orders.int(8) != 0, createdAt: orders.int(9), executingAt: orders.optionalInt(10),
                completedAt: orders.optionalInt(11), updatedAt: orders.int(12)))
            cut()
        }
        let ledger = try src.cached("""
            SELECT entry_id, transaction_id, account, direction, amount, currency, payment_order_id, created_at FROM ledger_entry
            """)
        while try ledger.step() {
            current.ledgerInserts.append(LedgerEntryRow(
                entryID: ledger.string(0), transactionID: ledger.string(1), account: ledger.string(2),
                direction: ledger.string(3), amount: Money(decimalString: ledger.string(4)) ?? .zero,
                currency: ledger.string(5), paymentOrderID: ledger.string(6), createdAt: ledger.int(7)))
            cut()
        }
        let psp = try src.cached("""
            SELECT idempotency_key, psp_reference, checkout_id, amount, currency, status, decline_code, requested_at,
                   completed_at FROM psp_charge
            """)
        while try psp.step() {
            current.pspInserts.append(PspChargeRow(
                idempotencyKey: psp.string(0), pspReference: psp.string(1), checkoutID: psp.string(2),
                amount: Money(decimalString: psp.string(3)) ?? .zero, currency: psp.string(4), status: psp.string(5),
                declineCode: psp.optionalString(6), requestedAt: psp.int(7), completedAt: psp.int(8)))
            cut()
        }
        let messages = try src.cached("""
            SELECT message_id, queue_name, source_queue, checkout_id, body, attributes, sent_at, visible_at,
                   receive_count, first_received_at, moved_at, last_error FROM queue_message
            """)
        while try messages.step() {
            current.messageInserts.append(QueueMessageRow(
                messageID: messages.string(0), queueName: messages.string(1), sourceQueue: messages.string(2),
                checkoutID: messages.string(3), body: messages.string(4), attributes: messages.string(5),
                sentAt: messages.int(6), visibleAt: messages.int(7), receiveCount: Int(messages.int(8)),
                firstReceivedAt: messages.optionalInt(9), movedAt: messages.optionalInt(10), lastError: messages.optionalString(11)))
            cut()
        }
        let wallets = try src.cached("SELECT merchant_id, currency, balance, updated_at FROM wallet")
        while try wallets.step() {
            current.walletUpserts.append(WalletRow(merchantID: wallets.string(0), currency: wallets.string(1),
                                                   balance: Money(decimalString: wallets.string(2)) ?? .zero,
                                                   updatedAt: wallets.int(3)))
        }
        if current.rowCount > 0 { batches.append(current) }

        let dst = try Store.openForWriting(path: targetPath, create: true)
        let applier = BatchApplier(c: dst)
        let start = ContinuousClock.now
        for b in batches { try dst.transaction { try applier.apply(b) } }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(rows: batches.reduce(0) { $0 + $1.rowCount }, seconds: seconds)
    }
}
