import PaytopJSON
import PaytopVocabulary

/// A function that consumes a queue's batches through an event source mapping (the
/// executor, the wallet): the runtime receives the batch and starts the invocation, the
/// consumer runs its records.
protocol BatchConsumer: AnyObject {
    /// The CONSUMER span each record of a batch gets.
    var recordSpanName: SpanName { get }
    /// A batch invocation begins; its handler starts at `begin` (after any cold start).
    func start(_ inv: Invocation, at begin: EngineTime)
    /// The invocation ended, finished or timed out: drop what was kept for its records.
    func ended(_ inv: Invocation)
}

/// The simulated AWS runtime: API Gateway's throttle, the four SQS queues, the three
/// Lambda functions and the two event source mappings, routed queue → function by
/// `routes`. It owns what SQS and Lambda do (send, receive, delete, dead-letter,
/// batches, timeouts, concurrency); the services own what their handlers do.
final class PipelineRuntime {
    /// Which function consumes which queue (the seed's event source mappings).
    static let routes: [(queue: QueueName, function: FunctionName)] = [(.execution, .executor), (.results, .wallet)]

    private let ctx: EngineContext
    var gatewayThrottle: TokenBucket
    private let initializerFunction: FunctionRuntime
    private let executorFunction: FunctionRuntime
    private let walletFunction: FunctionRuntime
    private let executionQueue = SimQueue(name: .execution)
    private let executionDLQ = SimQueue(name: .executionDLQ)
    private let resultsQueue = SimQueue(name: .results)
    private let resultsDLQ = SimQueue(name: .resultsDLQ)
    private var sources: [QueueName: EventSource] = [:]
    private var consumers: [QueueName: BatchConsumer] = [:]
    /// Batches an event source received for a function at its reservation: Lambda keeps
    /// trying to invoke with each until its visibility timeout ends (then its messages
    /// return, their receive counted).
    private var held: [QueueName: [(batch: [QueueMessage], until: EngineTime)]] = [:]
    /// Batch invocations running now.
    private(set) var invocationsInFlight = 0

    init(_ ctx: EngineContext) {
        self.ctx = ctx
        let settings = ctx.settings
        func fn(_ f: FunctionName) -> FunctionRuntime {
            FunctionRuntime(name: f, settings: settings.functions[f] ?? .init(reservedConcurrency: nil))
        }
        initializerFunction = fn(.initializer)
        executorFunction = fn(.executor)
        walletFunction = fn(.wallet)
        gatewayThrottle = TokenBucket(rate: settings.api.throttleRate, burst: settings.api.throttleBurst)
        resetSources()
    }

    /// Event sources as a new store's (a resumed engine sets their limits afterwards).
    func resetSources() {
        for r in Self.routes { sources[r.queue] = EventSource(settings: ctx.settings.eventSource) }
        gatewayThrottle = TokenBucket(rate: ctx.settings.api.throttleRate, burst: ctx.settings.api.throttleBurst)
    }

    /// Connects a queue's consumer; every route needs one before the first batch.
    func connect(_ q: QueueName, to consumer: BatchConsumer) { consumers[q] = consumer }

    func queue(_ name: QueueName) -> SimQueue {
        switch name {
        case .execution: return executionQueue
        case .executionDLQ: return executionDLQ
        case .results: return resultsQueue
        case .resultsDLQ: return resultsDLQ
        }
    }

    func function(_ name: FunctionName) -> FunctionRuntime {
        switch name {
        case .initializer: return initializerFunction
        case .executor: return executorFunction
        case .wallet: return walletFunction
        }
    }

    /// The event source limit of a consumed queue (saved with the engine state).
    func sourceLimit(_ q: QueueName) -> Int { sources[q]?.limit ?? 0 }
    func setSourceLimit(_ q: QueueName, _ limit: Int) { sources[q]?.limit = limit }

    private static func consumedQueue(of f: FunctionName) -> QueueName {
        routes.first { $0.function == f }!.queue
    }

    private static func function(consuming q: QueueName) -> FunctionName? {
        routes.first { $0.queue == q }?.function
    }

    // MARK: SQS

    /// SQS SendMessage, with an optional duplicate delivery (at-least-once).
    /// `context` is the producer span's, carried to the consumer as `traceparent`.
    /// `at` is when SendMessage completes (the end of its span), at or after now.
    @discardableResult
    func send(_ payload: MessagePayload, for checkout: Checkout, to q: QueueName, context: SpanContext?,
              at: EngineTime? = nil) -> String {
        let sentAt = max(ctx.now, at ?? ctx.now)
        let id = enqueue(payload, for: checkout, to: q, context: context, at: sentAt)
        if ctx.random.chance(ctx.settings.duplicateDeliveryProbability) {
            enqueue(payload, for: checkout, to: q, context: context, at: sentAt)
        }
        return id
    }

    @discardableResult
    private func enqueue(_ payload: MessagePayload, for checkout: Checkout, to q: QueueName, context: SpanContext?,
                         at sentAt: EngineTime) -> String {
        let m = QueueMessage(id: ctx.random.uuidV7(at: ctx.now), queue: q, checkoutID: checkout.id, payload: payload,
                             sentAt: sentAt, context: context)
        if let pending = ctx.faults.poisonNext, let i = pending.firstIndex(of: q) {
            // The queue's next message is poison (the fault is spent).
            ctx.poisoned[q, default: []].insert(checkout.id)
            var rest = pending
            rest.remove(at: i)
            ctx.faults.poisonNext = rest.isEmpty ? nil : rest
        }
        let target = queue(q)
        target.add(m)
        target.counters.sent += 1
        checkout.messageRefs += 1
        ctx.markDirty(m)
        wake(q, at: sentAt + ctx.random.draw(Latencies.receiveDelay))
        return m.id
    }

    /// SQS DeleteMessage after a record was processed.
    func delete(_ m: QueueMessage) {
        guard !m.deleted else { return }
        m.deleted = true
        let q = queue(m.queue)
        q.remove(m)
        q.counters.deleted += 1
        ctx.markDirty(m)
        if let c = ctx.checkouts[m.checkoutID] {
            c.messageRefs -= 1
            ctx.checkouts.mayEvict(c)
        }
    }

    /// Moves a message to its queue's DLQ, keeping its enqueue time.
    func deadLetter(_ m: QueueMessage) {
        guard let dlqName = m.queue.deadLetterQueue else { return }
        m.queue = dlqName
        m.movedAt = ctx.now
        m.visibleAt = ctx.now
        queue(dlqName).add(m)
        ctx.markDirty(m)
        // A dead letter is a technical failure of its checkout, for the SLOs.
        if let c = ctx.checkouts[m.checkoutID], !c.isPaymentDone {
            ctx.sloCheckoutEnded(c, success: false, businessDecline: false, deadLettered: true)
        }
    }

    /// Redrives every dead letter of `dlq` to its source queue as new messages.
    func redrive(_ dlq: QueueName) -> Int {
        guard let target = dlq.redriveTarget else { return 0 }
        let source = queue(dlq)
        let letters = source.messages.values.sorted { ($0.movedAt ?? $0.sentAt, $0.id) < ($1.movedAt ?? $1.sentAt, $1.id) }
        for m in letters {
            guard let c = ctx.checkouts[m.checkoutID] else { continue }
            delete(m)
            send(m.payload, for: c, to: target, context: m.context)
            source.counters.redriven += 1
        }
        return letters.count
    }

    // MARK: Event sources and Lambda

    /// Asks the event source of `q` to look for messages at `t`.
    func wake(_ q: QueueName, at t: EngineTime) {
        guard sources[q] != nil else { return }
        if let current = sources[q]!.wakeAt, current <= t { return }
        sources[q]!.wakeAt = t
        ctx.scheduler.schedule(.queueWake(q), at: t)
    }

    func wakeAllQueues() {
        for r in Self.routes {
            if let t = queue(r.queue).nextVisibleAt() { wake(r.queue, at: max(t, ctx.now)) }
        }
    }

    /// How many invocations of a function may run at once right now: its reservation, or
    /// what the account has left after every reservation and the other unreserved
    /// functions' running invocations.
    func concurrencyLimit(_ f: FunctionRuntime) -> Int {
        if let reserved = reservation(f) { return reserved }
        var available = ctx.settings.accountConcurrency
        for other in [initializerFunction, executorFunction, walletFunction] {
            if let r = reservation(other) {
                available -= r
            } else if other !== f {
                available -= other.busy
            }
        }
        return max(0, available)
    }

    /// A queue's visibility timeout: a `visibility-timeout` fault's, else the settings'.
    func visibility(_ q: QueueName) -> Nanos {
        Span.seconds(ctx.faults.visibilityTimeoutSeconds?[q] ?? ctx.settings.queues.visibilityTimeoutSeconds)
    }

    /// The function's reserved concurrency: a `function-concurrency` fault's, else its own.
    func reservation(_ f: FunctionRuntime) -> Int? {
        ctx.faults.reservedConcurrency?[f.name] ?? f.settings.reservedConcurrency
    }

    /// The event source polls `q`: receives batches while it has concurrency, and starts
    /// one invocation per batch of the queue's consumer. A reservation is invisible to the
    /// event source: at it, the source still receives, and each batch it cannot invoke is
    /// held and retried until its visibility timeout ends — every receive counts toward
    /// maxReceiveCount, so a throttled function dead-letters healthy messages.
    func dispatch(_ q: QueueName) {
        guard var source = sources[q], let f = Self.function(consuming: q), let consumer = consumers[q] else { return }
        let now = ctx.now
        let settings = ctx.settings
        if source.wakeAt == now { source.wakeAt = nil }
        let sq = queue(q)
        let fn = function(f)
        let longPoll = Span.seconds(settings.queues.longPollSeconds)
        sq.counters.emptyReceives += source.accountIdle(at: now, longPoll: longPoll)
        var throttled = false
        let reserved = reservation(fn) != nil
        func invoke(_ batch: [QueueMessage]) -> Bool {
            guard let lease = fn.acquire(at: now, limit: concurrencyLimit(fn), random: &ctx.random) else { return false }
            source.active += 1
            invocationsInFlight += 1
            let timeout = Span.seconds(fn.settings.timeoutSeconds)
            let inv = Invocation(function: fn.name, lease: lease, startedAt: now, deadline: now + lease.initDuration + timeout,
                                 messages: batch)
            // FIS's faults on the invocation: an error (the handler run or not), a startup
            // delay (billed; past the timeout, a timeout).
            if let e = ctx.faults.invocationErrors?[fn.name], e.percentage > 0, ctx.random.chance(e.percentage / 100) {
                if e.preventExecution {
                    failUnrun(inv)
                    return true
                }
                inv.failsAfterHandler = true
            }
            var delay: Nanos = 0
            if let d = ctx.faults.invocationDelays?[fn.name], d.millis > 0, ctx.random.chance(d.percentage / 100) {
                delay = Span.seconds(d.millis / 1000)
            }
            // (A start past the deadline schedules the timeout instead.)
            consumer.start(inv, at: now + lease.initDuration + delay)
            return true
        }
        // Held batches first: the ones still hidden are invoked as concurrency frees up.
        var holding = (held[q] ?? []).filter { $0.until > now }
        while !holding.isEmpty && fn.busy < concurrencyLimit(fn) {
            let h = holding.removeFirst()
            _ = invoke(h.batch)
        }
        while source.active + holding.count < source.limit, let next = sq.nextVisibleAt(), next <= now {
            let limit = concurrencyLimit(fn)
            guard fn.busy < limit || reserved else {
                fn.counters.throttles += 1
                throttled = true
                break
            }
            let batch = sq.receive(max: settings.queues.batchSize, at: now,
                                   visibility: visibility(q),
                                   maxReceiveCount: settings.queues.maxReceiveCount,
                                   deadLetter: { self.deadLetter($0) })
            if batch.isEmpty { continue }
            for m in batch { ctx.markDirty(m) }
            if fn.busy >= limit {
                // Throttled: the batch waits with the source until its messages show again.
                fn.counters.throttles += 1
                throttled = true
                holding.append((batch, now + visibility(q)))
                continue
            }
            guard invoke(batch) else { break }
        }
        held[q] = holding.isEmpty ? nil : holding
        if !holding.isEmpty { throttled = true }
        let backlog = (sq.nextVisibleAt().map { $0 <= now }) ?? false
        // The source scales to its own maximum: a reservation is invisible to it.
        let cap = min(source.settings.maximumConcurrency, settings.accountConcurrency)
        // A held batch keeps its poller busy: the source scales up on a backlog all the same.
        let busyPollers = source.active + holding.count
        if backlog && busyPollers >= source.limit { source.scaleUp(at: now, cap: cap) } else if !backlog { source.settle(at: now, busy: busyPollers) }
        sources[q] = source
        if throttled {
            wake(q, at: now + Latencies.throttleBackoff)
        } else if source.active < source.limit, let t = sq.nextVisibleAt() {
            // With every batch slot busy, the next invocation to end polls again.
            wake(q, at: max(t, now))
        }
    }

    /// An invocation FIS's invocation-error failed before its handler ran: no record is
    /// processed, none deleted; every message returns after its visibility timeout.
    func failUnrun(_ inv: Invocation) {
        inv.finished = true
        let fn = function(inv.function)
        fn.counters.errors += 1
        let message = "Injected invocation error: the handler did not run"
        for m in inv.messages {
            m.lastError = message
            ctx.markDirty(m)
        }
        fn.release(inv.lease, at: ctx.now, started: inv.startedAt, reusable: true)
        recordInvocationSpan(inv, error: message)
        endInvocation(inv)
    }

    /// Marks a record as failed with a message that stays on the queue message.
    func failRecord(_ inv: Invocation, _ m: QueueMessage, _ error: String) {
        inv.failed.append(inv.index)
        m.lastError = error
        ctx.markDirty(m)
    }

    /// Ends an invocation: deletes the records that succeeded; failed ones stay hidden
    /// until their visibility timeout, then return (partial batch failure reporting).
    func finish(_ inv: Invocation) {
        guard !inv.finished else { return }
        inv.finished = true
        let fn = function(inv.function)
        let allFailed = !inv.failed.isEmpty && inv.failed.count == inv.messages.count
        let reportItems = ctx.settings.eventSource.reportBatchItemFailures
        if inv.failsAfterHandler {
            // A failed invocation's partial batch response is ignored: every message returns.
            fn.counters.errors += 1
            for m in inv.messages where !m.deleted {
                m.lastError = "Injected invocation error after the handler ran"
                ctx.markDirty(m)
            }
        } else if allFailed || (!reportItems && !inv.failed.isEmpty) {
            fn.counters.errors += 1
        } else {
            let failed = Set(inv.failed)
            for (i, m) in inv.messages.enumerated() where !failed.contains(i) { delete(m) }
        }
        fn.release(inv.lease, at: ctx.now, started: inv.startedAt, reusable: true)
        recordInvocationSpan(inv, error: inv.failsAfterHandler ? "Injected invocation error after the handler ran"
                                         : (allFailed ? "every record of the batch failed" : nil))
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
        let message = fn.timeoutMessage
        for m in inv.messages where !m.deleted {
            m.lastError = message
            ctx.markDirty(m)
        }
        // The current record's span, unless it was already recorded (the invocation timed
        // out between one record's end and the next one's start).
        if inv.index < inv.messages.count, inv.processSpan != 0, inv.recordStart <= ctx.now,
           let consumer = consumers[Self.consumedQueue(of: inv.function)] {
            let m = inv.messages[inv.index]
            recordConsumerSpan(consumer.recordSpanName, inv, m, trace: ctx.checkouts[m.checkoutID]?.trace, end: ctx.now,
                               error: message)
        }
        fn.release(inv.lease, at: ctx.now, started: inv.startedAt, reusable: false)
        recordInvocationSpan(inv, error: message)
        endInvocation(inv)
    }

    private func endInvocation(_ inv: Invocation) {
        invocationsInFlight -= 1
        let q = Self.consumedQueue(of: inv.function)
        let longPoll = Span.seconds(ctx.settings.queues.longPollSeconds)
        queue(q).counters.emptyReceives += sources[q]!.accountIdle(at: ctx.now, longPoll: longPoll)
        sources[q]!.active -= 1
        consumers[q]?.ended(inv)
        if let t = queue(q).nextVisibleAt() { wake(q, at: max(t, ctx.now)) }
    }

    // MARK: Spans of the runtime

    /// The batch invocation's SERVER span: the root of a trace of its own, linked to the
    /// context of every message it received (OpenTelemetry's batch-receive pattern).
    private func recordInvocationSpan(_ inv: Invocation, error: String?) {
        guard ctx.telemetry.enabled else { return }
        let trace = ctx.newTrace(checkoutID: nil, at: inv.startedAt)
        let id = ctx.newSpanID()
        var a: [(String, JSONValue)] = [("messaging.batch.message_count", .number(Double(inv.messages.count)))]
        if inv.lease.coldStart { a.append(("faas.coldstart", true)) }
        ctx.recordSpan(inv.function == .executor ? .executorInvocation : .walletInvocation, trace: trace, id: id, parent: nil,
                       service: ctx.serviceCode(inv.function), start: inv.startedAt, end: ctx.now, error: error,
                       attributes: a)
        for m in inv.messages { ctx.recordLink(from: trace, span: id, to: m.context) }
    }

    /// The CONSUMER span of the current record: a child of the span that sent its message.
    func recordConsumerSpan(_ name: SpanName, _ inv: Invocation, _ m: QueueMessage, trace: TraceRef?, end: EngineTime,
                            error: String?) {
        guard ctx.telemetry.enabled else { return }
        let trace = m.context?.trace ?? trace
        ctx.recordSpan(name, trace: trace, id: inv.processSpan, parent: m.context?.spanID, service: ctx.serviceCode(inv.function),
                       start: inv.recordStart, end: end, error: error,
                       attributes: [("messaging.message.id", .string(m.id)),
                                    ("messaging.aws_sqs.receive_count", .number(Double(m.receiveCount)))])
        inv.processSpan = 0  // recorded: the next record draws its own
    }
}
