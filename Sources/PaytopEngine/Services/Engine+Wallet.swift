import PaytopStore

/// The wallet service: for each result message, find the checkout's orders and, on
/// SUCCESS, credit each seller's wallet with a balanced pair of ledger entries —
/// idempotently, on payment_order_id — then mark the checkout done. On FAILED the orders
/// stay FAILED, nothing is credited, and the checkout ends done with its failure code.
extension Engine {
    /// Service time of the current wallet record.
    func walletRecordDuration(_ inv: Invocation) -> Nanos {
        guard inv.index < inv.messages.count else { return 0 }
        let m = inv.messages[inv.index]
        let orders = live[m.checkoutID]?.orders.count ?? 1
        var d = random.draw(Latencies.dynamoQuery) + random.draw(Latencies.dynamoWrite)
        for _ in 0..<orders { d += random.draw(Latencies.dynamoWrite) }
        if let sim = live[m.checkoutID]?.request.simulate.wallet { d += Span.seconds(sim.latencySeconds) }
        return d + releaseLatency(.wallet)
    }

    func walletRecordDone(_ inv: Invocation) {
        guard !inv.finished else { return }
        guard inv.index < inv.messages.count else {
            finish(inv)
            return
        }
        let m = inv.messages[inv.index]
        if let checkout = live[m.checkoutID] {
            if let sim = checkout.request.simulate.wallet, sim.error {
                failRecord(inv, m, sim.message ?? "Simulated wallet error")
            } else if functionFails(.wallet) {
                failRecord(inv, m, "WalletError: internal error in wallet \(currentRelease(.wallet).version)")
            } else if case .result(let result) = m.payload {
                settle(checkout, result)
            }
        } else {
            failRecord(inv, m, "checkout \(m.checkoutID) not found")
        }
        inv.index += 1
        if inv.index >= inv.messages.count {
            finish(inv)
        } else {
            schedule(.walletRecordDone(inv), for: inv, at: now + walletRecordDuration(inv))
        }
    }

    /// Applies a PSP verdict to a checkout. A checkout already done is left alone, so a
    /// duplicate results message changes nothing.
    func settle(_ checkout: Checkout, _ result: PaymentResult) {
        guard !checkout.isPaymentDone else { return }
        switch result {
        case .success:
            for o in checkout.orders where o.status == .success && !o.walletUpdated {
                credit(o, checkout: checkout)
            }
            checkout.outcome = "SUCCESS"
            stats.settled += 1
        case .failed(let code):
            for o in checkout.orders where o.status != .failed {
                // An order the PSP declined is FAILED already; this only guards odd states.
                o.status = .failed
                o.completedAt = o.completedAt ?? now
                o.updatedAt = now
            }
            checkout.outcome = "FAILED"
            checkout.failureCode = code
            stats.failed += 1
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
