import PaytopStore

/// The payment executor: for each execution message, mark the checkout's orders
/// EXECUTING, charge the PSP once for the checkout (idempotency key = checkout_id), record
/// SUCCESS or FAILED, and enqueue the result for the wallet. A PSP 5xx or an error fails
/// the record, which SQS redelivers after its visibility timeout.
extension Engine {
    func executorRecord(_ inv: Invocation) {
        guard !inv.finished else { return }
        guard inv.index < inv.messages.count else {
            finish(inv)
            return
        }
        let m = inv.messages[inv.index]
        guard let checkout = live[m.checkoutID] else {
            // Cannot happen: a queue message keeps its checkout in memory.
            failRecord(inv, m, "checkout \(m.checkoutID) not found")
            nextExecutorRecord(inv, after: Latencies.failFast)
            return
        }
        let sim = checkout.request.simulate.executor
        if let sim, sim.error {
            failRecord(inv, m, sim.message ?? "Simulated executor error")
            nextExecutorRecord(inv, after: Latencies.failFast + Span.seconds(sim.latencySeconds))
            return
        }
        if functionFails(.executor) {
            failRecord(inv, m, "ExecutorError: internal error in executor \(currentRelease(.executor).version)")
            nextExecutorRecord(inv, after: Latencies.failFast)
            return
        }
        if checkout.allOrdersTerminal {
            // A redelivery after the PSP already answered: never charge again; resend the
            // result unless the wallet has already finished the checkout.
            if !checkout.isPaymentDone { send(.result(result(of: checkout)), for: checkout, to: .results) }
            nextExecutorRecord(inv, after: random.draw(Latencies.sqsSend))
            return
        }
        var before = random.draw(Latencies.dynamoWrite) + releaseLatency(.executor)
        if let sim { before += Span.seconds(sim.latencySeconds) }
        schedule(.executorCallPsp(inv), for: inv, at: now + before)
    }

    func executorCallPsp(_ inv: Invocation) {
        guard !inv.finished else { return }
        let m = inv.messages[inv.index]
        guard let checkout = live[m.checkoutID] else { return }
        for o in checkout.orders where o.status == .notStarted {
            o.status = .executing
            o.executingAt = now
            o.updatedAt = now
        }
        markDirty(checkout)
        let (outcome, latency) = psp.charge(key: checkout.id, checkout: checkout, at: now, faults: faults,
                                            settings: settings.psp, random: &random)
        inv.pspOutcome = outcome
        schedule(.executorPspReturned(inv), for: inv, at: now + latency)
    }

    func executorPspReturned(_ inv: Invocation) {
        guard !inv.finished else { return }
        let m = inv.messages[inv.index]
        guard let checkout = live[m.checkoutID], let outcome = inv.pspOutcome else { return }
        inv.pspOutcome = nil
        let status: OrderStatus
        switch outcome {
        case .serverError:
            failRecord(inv, m, "PSP returned HTTP 500: PSP unavailable")
            nextExecutorRecord(inv, after: Latencies.failFast)
            return
        case .succeeded: status = .success
        case .declined: status = .failed
        }
        for o in checkout.orders where !o.status.isTerminal {
            o.status = status
            o.completedAt = now
            o.updatedAt = now
        }
        markDirty(checkout)
        send(.result(result(of: checkout)), for: checkout, to: .results)
        nextExecutorRecord(inv, after: random.draw(Latencies.dynamoWrite) + random.draw(Latencies.sqsSend))
    }

    private func nextExecutorRecord(_ inv: Invocation, after d: Nanos) {
        inv.index += 1
        schedule(.executorRecord(inv), for: inv, at: now + d)
    }

    /// The checkout's PSP verdict as the results message carries it.
    func result(of checkout: Checkout) -> PaymentResult {
        switch psp.charges[checkout.id]?.outcome {
        case .succeeded(let reference)?: return .success(pspReference: reference)
        case .declined(let code)?: return .failed(code: code)
        default:
            return checkout.orders.allSatisfy { $0.status == .success }
                ? .success(pspReference: "") : .failed(code: checkout.failureCode ?? "UNKNOWN")
        }
    }
}
