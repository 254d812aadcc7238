import Foundation
import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Group commit: the engine marks what changed, and `flush` turns the net changes into
/// one `WriteBatch` for the store's writer thread.
extension Engine {
    /// Engine state is written with every batch; this makes sure the next flush writes one.
    public func markStateDirty() { context.pendingRows += 1 }

    /// Hands everything changed since the last flush to the writer. The batch commits
    /// asynchronously; `waitForCommits()` waits for it.
    public func flush() throws {
        guard context.pendingRows > 0 || initializer.hasAnswers else { return }
        var b = WriteBatch()
        let dirty = context.checkouts.takeDirty()
        for c in dirty.checkouts {
            if c.persisted {
                b.paymentEventUpdates.append(paymentEventRow(c, update: true))
                for o in c.orders { b.orderUpdates.append(orderRow(o, c)) }
            } else {
                b.paymentEventInserts.append(paymentEventRow(c))
                for o in c.orders { b.orderInserts.append(orderRow(o, c)) }
                c.persisted = true
            }
        }
        for m in dirty.messages {
            if m.deleted {
                if m.persisted { b.messageDeletes.append(m.id); m.persisted = false }
            } else if m.persisted {
                b.messageUpdates.append(messageRow(m, body: ""))
            } else {
                b.messageInserts.append(messageRow(m))
                m.persisted = true
            }
        }
        wallet.drain(into: &b, at: now)
        b.pspInserts = psp.newRows
        psp.newRows.removeAll(keepingCapacity: true)
        control.drain(into: &b)
        b.engineState = engineStateRows()
        context.telemetry.drain(into: &b)
        context.metrics?.recorder.drain(into: &b)
        if let m = metrics { b.problems = m.detection.drain() }
        b.prune = pendingPrune
        pendingPrune = nil
        b.heartbeat = pendingHeartbeat
        pendingHeartbeat = nil
        context.pendingRows = 0

        let sequence = try writer.submit(b)
        for (response, respond) in initializer.takeAnswers() {
            responsesAwaitingCommit.append((sequence, response, respond))
        }
        context.checkouts.candidatesAwait(commit: sequence)
        evictCommitted()
    }

    /// Drops from memory the finished checkouts whose final state has committed.
    func evictCommitted() {
        for id in context.checkouts.evict(committed: writer.committedSequence) { psp.charges[id] = nil }
    }

    /// Calls back the API callers whose answers are now durable (committed, or in the
    /// redo log).
    public func deliverCommittedResponses() {
        guard !responsesAwaitingCommit.isEmpty else { return }
        let committed = writer.durableSequence
        var kept: [(sequence: Int, response: ApiResponse, respond: (ApiResponse) -> Void)] = []
        for entry in responsesAwaitingCommit {
            if entry.sequence <= committed { entry.respond(entry.response) } else { kept.append(entry) }
        }
        responsesAwaitingCommit = kept
        evictCommitted()
    }

    /// The writer has failed: the callers whose answers are durable hear them, every
    /// other one hears `refusal` — its batch never reached the log, so nothing of it was
    /// acknowledged or kept.
    public func refuseUndeliveredAnswers(_ refusal: ApiResponse) {
        deliverCommittedResponses()
        for entry in responsesAwaitingCommit { entry.respond(refusal) }
        responsesAwaitingCommit.removeAll()
        for (_, respond) in initializer.takeAnswers() { respond(refusal) }
    }

    /// What stopped the store's writer, if it failed.
    public var writerFailure: Error? { writer.failed }

    /// Whether some API caller still waits for a commit.
    public var hasResponsesAwaitingCommit: Bool { !responsesAwaitingCommit.isEmpty }

    /// Whether everything handed to the writer is durable.
    public var writerIsIdle: Bool { writer.isIdle }

    /// How far the store's file lags what is durable (the redo log's batches not yet
    /// committed), from any thread.
    public var storeLagView: @Sendable () -> StoreWriter.Lag {
        let w = writer
        return { w.lag }
    }

    /// Looks up, from any thread, a checkout's rows that are durable but not yet committed
    /// to the file (`StoreWriter.uncommittedRows`).
    public var uncommittedRows: @Sendable (String) -> WriteBatch? {
        let w = writer
        return { w.uncommittedRows(ofCheckout: $0) }
    }

    /// Whether some API caller waits for the next flush.
    public var hasResponsesAwaitingFlush: Bool { initializer.hasAnswers }

    /// Flushes and blocks until the store holds everything the engine has done.
    public func waitForCommits() throws {
        try flush()
        try writer.waitUntilIdle()
        deliverCommittedResponses()
    }

    /// Commits everything and stops the writer. The engine cannot be used afterwards.
    public func close() throws {
        markStateDirty()  // the clock may have moved with nothing else changing
        if let m = metrics {
            m.closePeriods(before: max(now, m.series.recorder.nextBoundary), sweepLimit: now)
            m.closeRollupAtShutdown()
        }
        try waitForCommits()
        try writer.close()
        try? recordRunEnd()
    }

    /// Rows written, in total, by this engine's writer.
    public var rowsCommitted: Int { writer.rowsCommitted }

    /// CPU seconds the store's committing thread has spent so far.
    public var writerCPUSeconds: Double { writer.committingCPUSeconds }

    /// `update`: the row for an UPDATE, which sets the state columns only — the request's
    /// JSON columns (written once, with the insert) are left empty rather than built again.
    func paymentEventRow(_ c: Checkout, update: Bool = false) -> PaymentEventRow {
        let r = c.request
        var sellers = "{"
        if !update {
            for (i, o) in r.orders.enumerated() {
                if i > 0 { sellers += "," }
                JSONText.appendQuoted(o.paymentOrderID, to: &sellers)
                sellers += ":"
                JSONText.appendQuoted(o.sellerAccount, to: &sellers)
            }
        }
        sellers += "}"
        return PaymentEventRow(
            checkoutID: r.checkoutID,
            buyerInfo: update ? "{}" : JSONText.object([("user_id", r.buyerUserID), ("email", r.buyerEmail)]),
            sellerInfo: sellers,
            creditCardInfo: update ? "{}" : r.paymentToken.map { JSONText.object([("payment_token", $0)]) } ?? "{}",
            isPaymentDone: c.isPaymentDone, amountTotal: r.total, currency: r.currency, orderCount: r.orders.count,
            outcome: c.outcome, failureCode: c.failureCode, simulate: update ? nil : r.simulate.json, requestHash: c.requestHash,
            createdAt: c.createdAt.nanos, doneAt: c.doneAt?.nanos, traceNo: c.trace?.no)
    }

    func orderRow(_ o: Checkout.Order, _ c: Checkout) -> PaymentOrderRow {
        PaymentOrderRow(
            paymentOrderID: o.spec.paymentOrderID, checkoutID: c.id, buyerAccount: c.request.buyerUserID,
            sellerAccount: o.spec.sellerAccount, amount: o.spec.amount, currency: o.spec.currency,
            status: o.status.rawValue, ledgerUpdated: o.ledgerUpdated, walletUpdated: o.walletUpdated,
            createdAt: c.createdAt.nanos, executingAt: o.executingAt?.nanos, completedAt: o.completedAt?.nanos,
            updatedAt: o.updatedAt.nanos)
    }

    /// An update writes only the queue bookkeeping, so it skips rendering the body.
    func messageRow(_ m: QueueMessage, body: String? = nil) -> QueueMessageRow {
        QueueMessageRow(
            messageID: m.id, queueName: m.queue.rawValue, sourceQueue: m.sourceQueue.rawValue, checkoutID: m.checkoutID,
            body: body ?? messageBody(m),
            attributes: m.context.map { JSONText.object([("traceparent", $0.traceparent)]) } ?? "{}", sentAt: m.sentAt.nanos, visibleAt: m.visibleAt.nanos,
            receiveCount: m.receiveCount, firstReceivedAt: m.firstReceivedAt?.nanos, movedAt: m.movedAt?.nanos,
            lastError: m.lastError)
    }

    /// The message body as the seed's services exchange it.
    func messageBody(_ m: QueueMessage) -> String {
        switch m.payload {
        case .execute:
            guard let c = context.checkouts[m.checkoutID] else { return JSONText.object([("checkout_id", m.checkoutID)]) }
            var o: [String: JSONValue] = [
                "checkout_id": .string(c.id),
                "payment_order_ids": .array(c.request.orders.map { .string($0.paymentOrderID) }),
                "amount_total": .string(c.request.total.description),
                "currency": .string(c.request.currency),
                "order_count": .number(Double(c.request.orders.count)),
            ]
            if let sim = c.request.simulate.json, let v = try? JSONValue.parse(sim) { o["simulate"] = v }
            return JSONValue.object(o).encoded
        case .result(.success(let reference)):
            return JSONText.object([("checkout_id", m.checkoutID), ("status", "SUCCESS"), ("psp_reference", reference)])
        case .result(.failed(let code)):
            return JSONText.object([("checkout_id", m.checkoutID), ("status", "FAILED"), ("error_code", code)])
        }
    }

    // MARK: Engine state

    struct SavedRuntime: Codable {
        var functions: [FunctionName: FunctionRuntime.Counters]
        var queues: [String: SimQueue.Counters]
        var psp: PspSimulator.Counters
        var executionSourceLimit: Int
        var resultsSourceLimit: Int
    }

    /// The engine state rows that changed since the last batch (EngineStateRows).
    func engineStateRows() -> [(key: String, value: String)] {
        let json = stateRows
        let saved = SavedRuntime(
            functions: Dictionary(uniqueKeysWithValues: FunctionName.allCases.map { ($0, runtime.function($0).counters) }),
            queues: Dictionary(uniqueKeysWithValues: QueueName.allCases.map { ($0.rawValue, runtime.queue($0).counters) }),
            psp: psp.counters, executionSourceLimit: runtime.sourceLimit(.execution),
            resultsSourceLimit: runtime.sourceLimit(.results))
        let telemetry = context.telemetry
        var rows: [(EngineStateKey, String)] = [
            (.clock, String(now.nanos)),
            (.random, json.json(context.random.stateWords.map { String($0, radix: 16) })),
            (.settings, json.json(settings)),
            (.faults, json.json(faults)),
            (.releases, json.json(releases)),
            (.traffic, json.json(traffic)),
            (.stats, json.json(stats)),
            (.runtime, json.json(saved)),
            (.speed, String(speed)),
            (.telemetry, "{\"enabled\":\(telemetry.enabled),\"next_trace_no\":\(telemetry.nextTraceNo)"
                + (metrics.map { ",\"settlement_swept_through\":\($0.series.settlementDeadlines.sweptThrough.nanos)" } ?? "") + "}"),
        ]
        // Only a store an experiment has run against carries the key.
        if experiment != nil || json.hasWritten(.experiment) { rows.append((.experiment, json.json(experiment))) }
        return json.changed(rows)
    }
}
