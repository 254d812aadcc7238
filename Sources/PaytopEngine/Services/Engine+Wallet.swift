import PaytopStore
import PaytopVocabulary

/// The wallet service: for each result message, find the checkout's orders and, on
/// SUCCESS, credit each seller's wallet with a balanced pair of ledger entries —
/// idempotently, on payment_order_id — then mark the checkout done. On FAILED the orders
/// stay FAILED, nothing is credited, and the checkout ends done with its failure code.
extension Engine {
    /// Starts the current wallet record at `start`: draws its step times (query, one
    /// write per order, the final PaymentEvent update) and returns when it ends.
    func beginWalletRecord(_ inv: Invocation, at start: EngineTime) -> EngineTime {
        inv.recordStart = start
        inv.processSpan = newSpanID()
        guard inv.index < inv.messages.count else { return start }
        let m = inv.messages[inv.index]
        let orders = live[m.checkoutID]?.orders.count ?? 1
        var steps = [random.draw(Latencies.dynamoQuery)]
        for _ in 0..<orders { steps.append(random.draw(Latencies.dynamoWrite)) }
        steps.append(random.draw(Latencies.dynamoWrite))
        inv.walletSteps = steps
        var d = steps.reduce(0, +)
        if let sim = live[m.checkoutID]?.request.simulate.wallet { d += Span.seconds(sim.latencySeconds) }
        return start + d + releaseLatency(.wallet)
    }

    func walletRecordDone(_ inv: Invocation) {
        guard !inv.finished else { return }
        guard inv.index < inv.messages.count else {
            finish(inv)
            return
        }
        let m = inv.messages[inv.index]
        var error: String?
        let checkout = live[m.checkoutID]
        if let checkout {
            if let sim = checkout.request.simulate.wallet, sim.error {
                error = sim.message ?? "Simulated wallet error"
            } else if functionFails(.wallet) {
                error = "WalletError: internal error in wallet \(currentRelease(.wallet).version)"
            } else if case .result(let result) = m.payload {
                settle(checkout, result, inv)
            }
        } else {
            error = "checkout \(m.checkoutID) not found"
        }
        if let error { failRecord(inv, m, error) }
        recordConsumerSpan(.processResults, inv, m, trace: checkout?.trace, end: now, error: error)
        inv.index += 1
        if inv.index >= inv.messages.count {
            finish(inv)
        } else {
            schedule(.walletRecordDone(inv), for: inv, at: beginWalletRecord(inv, at: now))
        }
    }

    /// Applies a PSP verdict to a checkout. A checkout already done is left alone, so a
    /// duplicate results message changes nothing.
    func settle(_ checkout: Checkout, _ result: PaymentResult, _ inv: Invocation) {
        guard !checkout.isPaymentDone else { return }
        let service = serviceCode(.wallet)
        let trace = checkout.trace
        // The record's steps end at `now`; lay them out backwards from the start.
        var t = inv.recordStart
        let steps = inv.walletSteps
        let query = steps.first ?? 0
        recordSpan(.queryPaymentOrder, trace: trace, id: newSpanID(), parent: inv.processSpan, service: service,
                   start: t, end: t + query)
        t = t + query
        switch result {
        case .success:
            for (i, o) in checkout.orders.enumerated() where o.status == .success && !o.walletUpdated {
                let d = i + 1 < steps.count ? steps[i + 1] : 0
                let span = newSpanID()
                recordSpan(.creditWallet, trace: trace, id: span, parent: inv.processSpan, service: service, start: t,
                           end: t + d, attributes: attrs([("paytop.merchant_id", .string(o.spec.sellerAccount))]))
                t = t + d
                credit(o, checkout: checkout)
                if let m = metricSeries { m.recorder.add(m.revenue(o.spec.currency), o.spec.amount.minorUnits) }
                recordEvent(.orderSettled, checkout: checkout, outcome: "SUCCESS", at: t, trace: trace, span: span,
                            service: service, order: o)
            }
            checkout.outcome = "SUCCESS"
            stats.settled += 1
            sloCheckoutEnded(checkout, success: true, businessDecline: false)
        case .failed(let code):
            for o in checkout.orders {
                if o.status != .failed {
                    // An order the PSP declined is FAILED already; this only guards odd states.
                    o.status = .failed
                    o.completedAt = o.completedAt ?? now
                    o.updatedAt = now
                }
                recordEvent(.orderFailed, checkout: checkout, outcome: "FAILURE", at: t, trace: trace,
                            span: inv.processSpan, service: service, order: o, errorCode: code, errorCategory: "BUSINESS")
            }
            checkout.outcome = "FAILED"
            checkout.failureCode = code
            stats.failed += 1
            sloCheckoutEnded(checkout, success: false, businessDecline: DeclineCode.all.contains(code))
        }
        let last = steps.last ?? 0
        recordSpan(.updatePaymentEvent, trace: trace, id: newSpanID(), parent: inv.processSpan, service: service,
                   start: max(t, now - last), end: now, attributes: attrs([("paytop.is_payment_done", true)]))
        if case .failed(let code) = result {
            recordEvent(.checkoutFailed, checkout: checkout, outcome: "FAILURE", at: now, trace: trace,
                        span: inv.processSpan, service: service, errorCode: code, errorCategory: "BUSINESS")
        } else {
            recordEvent(.checkoutSettled, checkout: checkout, outcome: "SUCCESS", at: now, trace: trace,
                        span: inv.processSpan, service: service)
        }
        checkout.isPaymentDone = true
        checkout.doneAt = now
        markDirty(checkout)
        if checkout.canBeEvicted { evictionCandidates.append(checkout) }
    }

    /// Credits one seller: the wallet balance and a balanced pair of ledger entries,
    /// debiting the platform's PSP receivable and crediting what is owed to the seller.
    private func credit(_ o: Checkout.Order, checkout: Checkout) {
        let key = WalletKey(merchant: o.spec.sellerAccount, currency: o.spec.currency)
        wallets[key, default: .zero] += o.spec.amount
        if dirtyWalletSet.insert(key).inserted { dirtyWallets.append(key) }
        let tx = "txn-" + o.spec.paymentOrderID
        newLedgerRows.append(LedgerEntryRow(
            entryID: tx + "-d", transactionID: tx, account: "platform:psp-receivable", direction: "debit",
            amount: o.spec.amount, currency: o.spec.currency, paymentOrderID: o.spec.paymentOrderID, createdAt: now.nanos))
        newLedgerRows.append(LedgerEntryRow(
            entryID: tx + "-c", transactionID: tx, account: "seller:" + o.spec.sellerAccount, direction: "credit",
            amount: o.spec.amount, currency: o.spec.currency, paymentOrderID: o.spec.paymentOrderID, createdAt: now.nanos))
        pendingRows += 3
        o.walletUpdated = true
        o.ledgerUpdated = true
        o.updatedAt = now
    }
}
