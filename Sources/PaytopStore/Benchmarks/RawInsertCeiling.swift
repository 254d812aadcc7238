import PaytopVocabulary
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
        try loadTelemetry(src, &batches, &current, rowsPerTransaction)
        if current.rowCount > 0 { batches.append(current) }

        let dst = try Store.openForWriting(path: targetPath, create: true)
        let applier = BatchApplier(c: dst)
        let start = ContinuousClock.now
        for b in batches { try dst.transaction { try applier.apply(b) } }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(rows: batches.reduce(0) { $0 + $1.rowCount }, seconds: seconds)
    }

    private static func loadTelemetry(_ src: Connection, _ batches: inout [WriteBatch], _ current: inout WriteBatch,
                                      _ rowsPerTransaction: Int) throws {
        func cut() { if current.rowCount >= rowsPerTransaction { batches.append(current); current = WriteBatch() } }
        let names = try src.cached("SELECT name_code, name, kind, attributes FROM span_name")
        while try names.step() {
            current.spanNames.append(SpanNameRow(code: Int(names.int(0)), name: names.string(1), kind: SpanKind(stored: names.string(2)),
                                                 attributes: names.string(3)))
        }
        let events = try src.cached("SELECT event_code, event_name, event_type, stage, message FROM business_event_name")
        while try events.step() {
            current.eventNames.append(EventNameRow(code: Int(events.int(0)), name: events.string(1), type: events.string(2),
                                                   stage: events.string(3), message: events.string(4)))
        }
        let services = try src.cached("SELECT service_code, service_name, service_version FROM service_version")
        while try services.step() {
            current.serviceVersions.append(ServiceVersionRow(code: Int(services.int(0)), name: services.string(1),
                                                             version: services.string(2)))
        }
        let traces = try src.cached("SELECT trace_no, trace_id, checkout_id, started_at FROM trace")
        while try traces.step() {
            current.traces.append(TraceRow(traceNo: traces.int(0), traceID: traces.blob(1),
                                           checkoutID: traces.optionalString(2), startedAt: traces.int(3)))
            cut()
        }
        let spans = try src.cached("SELECT trace_no, span_id, parent_span_id, name_code, service_code, start_offset_ns, duration_ns, status, status_message, attributes FROM span_data")
        while try spans.step() {
            current.spans.append(SpanRow(
                traceNo: spans.int(0), spanID: spans.int(1), parentSpanID: spans.optionalInt(2), nameCode: Int(spans.int(3)),
                serviceCode: Int(spans.int(4)), startOffset: spans.int(5), duration: spans.int(6), status: SpanStatus(code: Int(spans.int(7))),
                statusMessage: spans.optionalString(8), attributes: spans.optionalString(9)))
            cut()
        }
        let links = try src.cached("SELECT trace_no, span_id, linked_trace_no, linked_span_id FROM span_link_data")
        while try links.step() {
            current.spanLinks.append(SpanLinkRow(traceNo: links.int(0), spanID: links.int(1),
                                                 linkedTraceNo: links.int(2), linkedSpanID: links.int(3)))
            cut()
        }
        let bes = try src.cached("SELECT event_code, outcome, biz_timestamp, amount_total, amount_currency, order_count, payment_order_id, merchant_id, error_code, error_category, psp_latency_ms, trace_no, span_id, service_code FROM business_event_data")
        while try bes.step() {
            current.businessEvents.append(BusinessEventRow(
                eventCode: Int(bes.int(0)), outcome: EventOutcome(rawValue: bes.string(1)), bizTimestamp: bes.int(2), amountTotal: bes.optionalString(3),
                amountCurrency: bes.optionalString(4), orderCount: bes.optionalInt(5).map(Int.init),
                paymentOrderID: bes.optionalString(6), merchantID: bes.optionalString(7), errorCode: bes.optionalString(8),
                errorCategory: bes.optionalString(9).map(ErrorCategory.init(rawValue:)), pspLatencyMillis: bes.optionalInt(10), traceNo: bes.optionalInt(11),
                spanID: bes.optionalInt(12), serviceCode: Int(bes.int(13))))
            cut()
        }
    }
}
