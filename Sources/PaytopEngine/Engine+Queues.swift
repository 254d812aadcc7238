import PaytopStore
import PaytopVocabulary
import PaytopJSON

extension Engine {
    /// SQS SendMessage, with an optional duplicate delivery (at-least-once).
    /// `context` is the producer span's, carried to the consumer as `traceparent`.
    /// `at` is when SendMessage completes (the end of its span), at or after now.
    @discardableResult
    func send(_ payload: MessagePayload, for checkout: Checkout, to q: QueueName, context: SpanContext?,
              at: EngineTime? = nil) -> String {
        let sentAt = max(now, at ?? now)
        let id = enqueue(payload, for: checkout, to: q, context: context, at: sentAt)
        if random.chance(settings.duplicateDeliveryProbability) {
            enqueue(payload, for: checkout, to: q, context: context, at: sentAt)
        }
        return id
    }

    @discardableResult
    private func enqueue(_ payload: MessagePayload, for checkout: Checkout, to q: QueueName, context: SpanContext?,
                         at sentAt: EngineTime) -> String {
        let m = QueueMessage(id: newMessageID(), queue: q, checkoutID: checkout.id, payload: payload, sentAt: sentAt,
                             context: context)
        let target = queue(q)
        target.add(m)
        target.counters.sent += 1
        checkout.messageRefs += 1
        markDirty(m)
        wake(q, at: sentAt + random.draw(Latencies.receiveDelay))
        return m.id
    }

    func newMessageID() -> String { random.uuidV7(at: now) }

    /// SQS DeleteMessage after a record was processed.
    func delete(_ m: QueueMessage) {
        guard !m.deleted else { return }
        m.deleted = true
        let q = queue(m.queue)
        q.remove(m)
        q.counters.deleted += 1
        markDirty(m)
        if let c = live[m.checkoutID] {
            c.messageRefs -= 1
            if c.canBeEvicted { evictionCandidates.append(c) }
        }
    }

    /// Moves a message to its queue's DLQ, keeping its enqueue time.
    func deadLetter(_ m: QueueMessage) {
        guard let dlqName = m.queue.deadLetterQueue else { return }
        m.queue = dlqName
        m.movedAt = now
        m.visibleAt = now
        queue(dlqName).add(m)
        markDirty(m)
        // A dead letter is a technical failure of its checkout, for the SLOs.
        if let c = live[m.checkoutID], !c.isPaymentDone { sloCheckoutEnded(c, success: false, businessDecline: false, deadLettered: true) }
    }

    /// Asks the event source of `q` to look for messages at `t`.
    func wake(_ q: QueueName, at t: EngineTime) {
        guard q == .execution || q == .results else { return }
        let current = q == .execution ? executionSource.wakeAt : resultsSource.wakeAt
        if let current, current <= t { return }
        if q == .execution { executionSource.wakeAt = t } else { resultsSource.wakeAt = t }
        scheduler.schedule(.queueWake(q), at: t)
    }

    func wakeAllQueues() {
        for q in [QueueName.execution, .results] {
            if let t = queue(q).nextVisibleAt() { wake(q, at: max(t, now)) }
        }
    }

    /// How many invocations of a function may run at once right now: its reservation, or
    /// what the account has left after every reservation and the other unreserved
    /// functions' running invocations.
    func concurrencyLimit(_ f: FunctionRuntime) -> Int {
        if let reserved = f.settings.reservedConcurrency { return reserved }
        var available = settings.accountConcurrency
        for other in [initializer, executor, walletFunction] {
            if let r = other.settings.reservedConcurrency {
                available -= r
            } else if other !== f {
                available -= other.busy
            }
        }
        return max(0, available)
    }

    /// The event source polls `q`: receives batches while it has concurrency, and starts
    /// one invocation per batch.
    func dispatch(_ q: QueueName) {
        var source = q == .execution ? executionSource : resultsSource
        if source.wakeAt == now { source.wakeAt = nil }
        let sq = queue(q)
        let fn = q == .execution ? executor : walletFunction
        let longPoll = Span.seconds(settings.queues.longPollSeconds)
        sq.counters.emptyReceives += source.accountIdle(at: now, longPoll: longPoll)
        var throttled = false
        while source.active < source.limit, let next = sq.nextVisibleAt(), next <= now {
            let limit = concurrencyLimit(fn)
            guard fn.busy < limit else {
                fn.counters.throttles += 1
                throttled = true
                break
            }
            let batch = sq.receive(max: settings.queues.batchSize, at: now,
                                   visibility: Span.seconds(settings.queues.visibilityTimeoutSeconds),
                                   maxReceiveCount: settings.queues.maxReceiveCount,
                                   deadLetter: { self.deadLetter($0) })
            if batch.isEmpty { continue }
            for m in batch { markDirty(m) }
            guard let lease = fn.acquire(at: now, limit: limit, random: &random) else { break }
            source.active += 1
            invocationsInFlight += 1
            let timeout = Span.seconds(fn.settings.timeoutSeconds)
            let inv = Invocation(function: fn.name, lease: lease, startedAt: now, deadline: now + lease.initDuration + timeout, messages: batch)
            let begin = now + lease.initDuration
            if q == .execution {
                schedule(.executorRecord(inv), for: inv, at: begin)
            } else {
                schedule(.walletRecordDone(inv), for: inv, at: beginWalletRecord(inv, at: begin))
            }
        }
        let backlog = (sq.nextVisibleAt().map { $0 <= now }) ?? false
        let cap = min(source.settings.maximumConcurrency, fn.settings.reservedConcurrency ?? settings.accountConcurrency)
        if backlog && source.active >= source.limit { source.scaleUp(at: now, cap: cap) } else if !backlog { source.settle(at: now) }
        if q == .execution { executionSource = source } else { resultsSource = source }
        if throttled {
            wake(q, at: now + Latencies.throttleBackoff)
        } else if source.active < source.limit, let t = sq.nextVisibleAt() {
            // With every batch slot busy, the next invocation to end polls again.
            wake(q, at: max(t, now))
        }
    }

    /// Ends an invocation: deletes the records that succeeded; failed ones stay hidden
    /// until their visibility timeout, then return (partial batch failure reporting).
    func finish(_ inv: Invocation) {
        guard !inv.finished else { return }
        inv.finished = true
        let fn = function(inv.function)
        let allFailed = !inv.failed.isEmpty && inv.failed.count == inv.messages.count
        let reportItems = settings.eventSource.reportBatchItemFailures
        if allFailed || (!reportItems && !inv.failed.isEmpty) {
            fn.counters.errors += 1
        } else {
            let failed = Set(inv.failed)
            for (i, m) in inv.messages.enumerated() where !failed.contains(i) { delete(m) }
        }
        fn.release(inv.lease, at: now, started: inv.startedAt, reusable: true)
        recordInvocationSpan(inv, error: allFailed ? "every record of the batch failed" : nil)
        endInvocation(inv)
    }

    /// The invocation hit its timeout: Lambda reports an error and every message of the
    /// batch returns after its visibility timeout.
    func timeOut(_ inv: Invocation) {
        guard !inv.finished else { return }
        inv.finished = true
        let fn = function(inv.function)
        fn.counters.errors += 1
        fn.counters.timeouts += 1
        let message = "Task timed out after \(formatSeconds(fn.settings.timeoutSeconds)) seconds"
        for m in inv.messages where !m.deleted {
            m.lastError = message
            markDirty(m)
        }
        if inv.index < inv.messages.count {
            let m = inv.messages[inv.index]
            recordConsumerSpan(inv.function == .executor ? .processExecution : .processResults, inv, m,
                               trace: live[m.checkoutID]?.trace, end: now, error: message)
        }
        fn.release(inv.lease, at: now, started: inv.startedAt, reusable: false)
        recordInvocationSpan(inv, error: message)
        endInvocation(inv)
    }

    private func endInvocation(_ inv: Invocation) {
        invocationsInFlight -= 1
        let q: QueueName = inv.function == .executor ? .execution : .results
        let longPoll = Span.seconds(settings.queues.longPollSeconds)
        if q == .execution {
            queue(q).counters.emptyReceives += executionSource.accountIdle(at: now, longPoll: longPoll)
            executionSource.active -= 1
        } else {
            queue(q).counters.emptyReceives += resultsSource.accountIdle(at: now, longPoll: longPoll)
            resultsSource.active -= 1
        }
        if let t = queue(q).nextVisibleAt() { wake(q, at: max(t, now)) }
    }

    /// The batch invocation's SERVER span: the root of a trace of its own, linked to the
    /// context of every message it received (OpenTelemetry's batch-receive pattern).
    func recordInvocationSpan(_ inv: Invocation, error: String?) {
        guard telemetry.enabled else { return }
        let trace = newTrace(checkoutID: nil, at: inv.startedAt)
        let id = newSpanID()
        var a: [(String, JSONValue)] = [("messaging.batch.message_count", .number(Double(inv.messages.count)))]
        if inv.lease.coldStart { a.append(("faas.coldstart", true)) }
        recordSpan(inv.function == .executor ? .executorInvocation : .walletInvocation, trace: trace, id: id, parent: nil,
                   service: serviceCode(inv.function), start: inv.startedAt, end: now, error: error, attributes: attrs(a))
        for m in inv.messages { recordLink(from: trace, span: id, to: m.context) }
    }

    /// Marks a record as failed with a message that stays on the queue message.
    func failRecord(_ inv: Invocation, _ m: QueueMessage, _ error: String) {
        inv.failed.append(inv.index)
        m.lastError = error
        markDirty(m)
    }

    /// Redrives every dead letter of `dlq` to its source queue as new messages.
    func redrive(_ dlq: QueueName) -> Int {
        guard let target = dlq.redriveTarget else { return 0 }
        let source = queue(dlq)
        let letters = source.messages.values.sorted { ($0.movedAt ?? $0.sentAt, $0.id) < ($1.movedAt ?? $1.sentAt, $1.id) }
        for m in letters {
            guard let c = live[m.checkoutID] else { continue }
            delete(m)
            send(m.payload, for: c, to: target, context: m.context)
            source.counters.redriven += 1
        }
        return letters.count
    }

    func formatSeconds(_ s: Double) -> String {
        let hundredths = Int((s * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
