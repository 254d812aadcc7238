import PaytopStore
import PaytopVocabulary

/// The wallet service: for each result message, find the checkout's orders and, on
/// SUCCESS, credit each seller's wallet with a balanced pair of ledger entries —
/// idempotently, on payment_order_id — then mark the checkout done. On FAILED the orders
/// stay FAILED, nothing is credited, and the checkout ends done with its failure code.
///
/// It owns the seller balances, which of them changed since the last flush, the ledger
/// rows not yet handed to the writer, and each running record's step times.
final class WalletService: BatchConsumer {
    struct WalletKey: Hashable {
        let merchant: String
        let currency: String
    }

    private let ctx: EngineContext
    private let runtime: PipelineRuntime
    private(set) var balances: [WalletKey: Money] = [:]
    private var dirty: [WalletKey] = []
    private var dirtySet: Set<WalletKey> = []
    private(set) var newLedgerRows: [LedgerEntryRow] = []
    /// The current record's step durations per invocation: query, one per order, final update.
    private var steps: [ObjectIdentifier: [Nanos]] = [:]
    /// The record's call the SDK gave up on after throttles (`dynamodb-throttle`): which
    /// step (0 the query, then one per order, then the PaymentEvent update) and its span.
    private var throttledOut: [ObjectIdentifier: (step: Int, span: SpanName)] = [:]

    init(_ ctx: EngineContext, runtime: PipelineRuntime) {
        self.ctx = ctx
        self.runtime = runtime
    }

    let recordSpanName = SpanName.processResults

    func start(_ inv: Invocation, at begin: EngineTime) {
        ctx.schedule(.walletRecordDone(inv), for: inv, at: beginRecord(inv, at: begin))
    }

    func ended(_ inv: Invocation) {
        steps[ObjectIdentifier(inv)] = nil
        throttledOut[ObjectIdentifier(inv)] = nil
    }

    /// Starts the current record at `start`: draws its step times (query, one write per
    /// order, the final PaymentEvent update) and returns when it ends.
    private func beginRecord(_ inv: Invocation, at start: EngineTime) -> EngineTime {
        inv.recordStart = start
        inv.processSpan = ctx.newSpanID()
        guard inv.index < inv.messages.count else { return start }
        let m = inv.messages[inv.index]
        let checkout = ctx.checkouts[m.checkoutID]
        let orders = checkout?.orders.count ?? 1
        var drawn = [ctx.random.draw(Latencies.dynamoQuery) + ctx.dynamoDelay(.paymentOrder)]
        for _ in 0..<orders { drawn.append(ctx.random.draw(Latencies.dynamoWrite) + ctx.dynamoDelay(.wallet, .ledgerEntry)) }
        drawn.append(ctx.random.draw(Latencies.dynamoWrite) + ctx.dynamoDelay(.paymentEvent))
        // Throttled calls: the SDK's retries add to each step; the record ends at the first it gives up on.
        throttledOut[ObjectIdentifier(inv)] = nil
        if ctx.faults.dynamoThrottleRates != nil {
            for i in drawn.indices {
                let span: SpanName = i == 0 ? .queryPaymentOrder : i == drawn.count - 1 ? .updatePaymentEvent : .creditWallet
                let r = ctx.dynamoRetries(span)
                drawn[i] += r.delay
                if r.exhausted {
                    throttledOut[ObjectIdentifier(inv)] = (i, span)
                    drawn.removeSubrange((i + 1)...)
                    break
                }
            }
        }
        steps[ObjectIdentifier(inv)] = drawn
        var d = drawn.reduce(0, +)
        if let sim = checkout?.request.simulate.wallet { d += Span.seconds(sim.latencySeconds) }
        return start + d + ctx.releaseLatency(.wallet)
    }

    /// The current record's handler ends: settle, or fail the record.
    func recordDone(_ inv: Invocation) {
        guard !inv.finished else { return }
        guard inv.index < inv.messages.count else {
            runtime.finish(inv)
            return
        }
        let m = inv.messages[inv.index]
        var error: String?
        let checkout = ctx.checkouts[m.checkoutID]
        if let checkout {
            if ctx.isPoison(checkout.id, in: .results) {
                error = "PoisonMessage: the handler cannot process this record"
            } else if let sim = checkout.request.simulate.wallet, sim.error {
                error = sim.message ?? "Simulated wallet error"
            } else if let out = throttledOut[ObjectIdentifier(inv)] {
                // Nothing of the record is written (its writes are all-or-nothing here): it fails and returns.
                let s = steps[ObjectIdentifier(inv)] ?? []
                let start = inv.recordStart + s.prefix(out.step).reduce(0, +)
                ctx.recordSpan(out.span, trace: checkout.trace, id: ctx.newSpanID(), parent: inv.processSpan, service: ctx.serviceCode(.wallet),
                               start: start, end: start + (s.last ?? 0), error: DynamoRetries.message, throttledOut: true)
                error = DynamoRetries.message
            } else if ctx.functionFails(.wallet) {
                error = "WalletError: internal error in wallet \(ctx.currentRelease(.wallet).version)"
            } else if case .result(let result) = m.payload {
                settle(checkout, result, inv)
            }
        } else {
            error = "checkout \(m.checkoutID) not found"
        }
        if let error { runtime.failRecord(inv, m, error) }
        runtime.recordConsumerSpan(.processResults, inv, m, trace: checkout?.trace, end: ctx.now, error: error)
        inv.index += 1
        if inv.index >= inv.messages.count {
            runtime.finish(inv)
        } else {
            ctx.schedule(.walletRecordDone(inv), for: inv, at: beginRecord(inv, at: ctx.now))
        }
    }

    /// Applies a PSP verdict to a checkout. A checkout already done is left alone, so a
    /// duplicate results message changes nothing.
    func settle(_ checkout: Checkout, _ result: PaymentResult, _ inv: Invocation) {
        guard !checkout.isPaymentDone else { return }
        let now = ctx.now
        let service = ctx.serviceCode(.wallet)
        let trace = checkout.trace
        // The record's steps end at `now`; lay them out backwards from the start.
        var t = inv.recordStart
        let steps = steps[ObjectIdentifier(inv)] ?? []
        let query = steps.first ?? 0
        ctx.recordSpan(.queryPaymentOrder, trace: trace, id: ctx.newSpanID(), parent: inv.processSpan, service: service,
                       start: t, end: t + query)
        t = t + query
        switch result {
        case .success:
            for (i, o) in checkout.orders.enumerated() where o.status == .success && !o.walletUpdated {
                let d = i + 1 < steps.count ? steps[i + 1] : 0
                let span = ctx.newSpanID()
                ctx.recordSpan(.creditWallet, trace: trace, id: span, parent: inv.processSpan, service: service, start: t,
                               end: t + d, attributes: [("paytop.merchant_id", .string(o.spec.sellerAccount))])
                t = t + d
                credit(o, at: now)
                if let m = ctx.metrics { m.recorder.add(m.revenue(o.spec.currency), o.spec.amount.minorUnits) }
                ctx.recordEvent(.orderSettled, checkout: checkout, outcome: .success, at: t, trace: trace, span: span,
                                service: service, order: o)
            }
            checkout.outcome = "SUCCESS"
            ctx.stats.settled += 1
            ctx.sloCheckoutEnded(checkout, success: true, businessDecline: false)
        case .failed(let code):
            for o in checkout.orders {
                if o.status != .failed {
                    // An order the PSP declined is FAILED already; this only guards odd states.
                    o.status = .failed
                    o.completedAt = o.completedAt ?? now
                    o.updatedAt = now
                }
                ctx.recordEvent(.orderFailed, checkout: checkout, outcome: .failure, at: t, trace: trace,
                                span: inv.processSpan, service: service, order: o, errorCode: code, errorCategory: .business)
            }
            checkout.outcome = "FAILED"
            checkout.failureCode = code
            ctx.stats.failed += 1
            ctx.sloCheckoutEnded(checkout, success: false, businessDecline: DeclineCode.all.contains(code))
        }
        let last = steps.last ?? 0
        ctx.recordSpan(.updatePaymentEvent, trace: trace, id: ctx.newSpanID(), parent: inv.processSpan, service: service,
                       start: max(t, now - last), end: now, attributes: [("paytop.is_payment_done", true)])
        if case .failed(let code) = result {
            ctx.recordEvent(.checkoutFailed, checkout: checkout, outcome: .failure, at: now, trace: trace,
                            span: inv.processSpan, service: service, errorCode: code, errorCategory: .business)
        } else {
            ctx.recordEvent(.checkoutSettled, checkout: checkout, outcome: .success, at: now, trace: trace,
                            span: inv.processSpan, service: service)
        }
        checkout.isPaymentDone = true
        checkout.doneAt = now
        ctx.markDirty(checkout)
        ctx.checkouts.mayEvict(checkout)
    }

    /// Credits one seller: the wallet balance and a balanced pair of ledger entries,
    /// debiting the platform's PSP receivable and crediting what is owed to the seller.
    /// Idempotent on payment_order_id: an order already credited is left as it is.
    @discardableResult
    func credit(_ o: Checkout.Order, at now: EngineTime) -> Bool {
        guard !o.walletUpdated else { return false }
        let key = WalletKey(merchant: o.spec.sellerAccount, currency: o.spec.currency)
        balances[key, default: .zero] += o.spec.amount
        if dirtySet.insert(key).inserted { dirty.append(key) }
        let tx = "txn-" + o.spec.paymentOrderID
        newLedgerRows.append(LedgerEntryRow(
            entryID: tx + "-d", transactionID: tx, account: "platform:psp-receivable", direction: "debit",
            amount: o.spec.amount, currency: o.spec.currency, paymentOrderID: o.spec.paymentOrderID, createdAt: now.nanos))
        newLedgerRows.append(LedgerEntryRow(
            entryID: tx + "-c", transactionID: tx, account: "seller:" + o.spec.sellerAccount, direction: "credit",
            amount: o.spec.amount, currency: o.spec.currency, paymentOrderID: o.spec.paymentOrderID, createdAt: now.nanos))
        ctx.pendingRows += 3
        o.walletUpdated = true
        o.ledgerUpdated = true
        o.updatedAt = now
        return true
    }

    /// Hands the changed wallets and the new ledger rows to a batch.
    func drain(into b: inout WriteBatch, at now: EngineTime) {
        for key in dirty {
            b.walletUpserts.append(WalletRow(merchantID: key.merchant, currency: key.currency,
                                             balance: balances[key] ?? .zero, updatedAt: now.nanos))
        }
        b.ledgerInserts = newLedgerRows
        dirty.removeAll(keepingCapacity: true)
        dirtySet.removeAll(keepingCapacity: true)
        newLedgerRows.removeAll(keepingCapacity: true)
    }

    /// Balances a resuming engine reads back from the store.
    func restore(_ rows: [WalletRow]) {
        for w in rows { balances[WalletKey(merchant: w.merchantID, currency: w.currency)] = w.balance }
    }
}
