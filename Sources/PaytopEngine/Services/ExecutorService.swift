import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// The payment executor: for each execution message, mark the checkout's orders
/// EXECUTING, charge the PSP once for the checkout (idempotency key = checkout_id), record
/// SUCCESS or FAILED, and enqueue the result for the wallet. A PSP 5xx or an error fails
/// the record, which SQS redelivers after its visibility timeout.
///
/// Each record is a CONSUMER span, child of the span that sent its message, holding the
/// DynamoDB, PSP and SQS spans of its steps. The service keeps each running record's
/// scratch state (the time its update took, the PSP call in flight) until its batch ends.
final class ExecutorService: BatchConsumer {
    /// A PSP call the current record is waiting on.
    struct PspCall {
        let outcome: PspSimulator.Outcome
        let at: EngineTime
        let latency: Nanos
        /// The network's added delay, both ways (`hop-latency executor-psp`).
        var network: Nanos = 0
    }

    private struct Record {
        var updateDuration: Nanos = 0
        var psp: PspCall?
    }

    private let ctx: EngineContext
    private let runtime: PipelineRuntime
    let psp: PspSimulator
    private var records: [ObjectIdentifier: Record] = [:]

    init(_ ctx: EngineContext, runtime: PipelineRuntime, psp: PspSimulator) {
        self.ctx = ctx
        self.runtime = runtime
        self.psp = psp
    }

    let recordSpanName = SpanName.processExecution

    func start(_ inv: Invocation, at begin: EngineTime) {
        ctx.schedule(.executorRecord(inv), for: inv, at: begin)
    }

    func ended(_ inv: Invocation) { records[ObjectIdentifier(inv)] = nil }

    /// Records still holding scratch state (tests: none once every batch has ended).
    var recordsInFlight: Int { records.count }

    func record(_ inv: Invocation) {
        guard !inv.finished else { return }
        guard inv.index < inv.messages.count else {
            runtime.finish(inv)
            return
        }
        let m = inv.messages[inv.index]
        inv.recordStart = ctx.now
        inv.processSpan = ctx.newSpanID()
        guard let checkout = ctx.checkouts[m.checkoutID] else {
            // Cannot happen: a queue message keeps its checkout in memory.
            failExecutorRecord(inv, m, nil, "checkout \(m.checkoutID) not found", after: Latencies.failFast)
            return
        }
        let sim = checkout.request.simulate.executor
        if let sim, sim.error {
            failExecutorRecord(inv, m, checkout, sim.message ?? "Simulated executor error",
                               after: Latencies.failFast + Span.seconds(sim.latencySeconds))
            return
        }
        if ctx.isPoison(checkout.id, in: .execution) {
            failExecutorRecord(inv, m, checkout, "PoisonMessage: the handler cannot process this record", after: Latencies.failFast)
            return
        }
        if ctx.functionFails(.executor) {
            failExecutorRecord(inv, m, checkout, "ExecutorError: internal error in executor \(ctx.currentRelease(.executor).version)",
                               after: Latencies.failFast)
            return
        }
        if checkout.allOrdersTerminal {
            // A redelivery after the PSP already answered: never charge again; resend the
            // result unless the wallet has already finished the checkout.
            var end = ctx.now + Latencies.compute
            if !checkout.isPaymentDone {
                end = sendResult(inv, checkout, at: end)
            }
            endExecutorRecord(inv, m, checkout, end: end, error: nil)
            return
        }
        var updateDuration = ctx.random.draw(Latencies.dynamoWrite) + ctx.dynamoDelay(.paymentOrder)
        let retries = ctx.dynamoRetries(.updatePaymentOrder)
        updateDuration += retries.delay
        if retries.exhausted {
            // The SDK gave up on the EXECUTING write: the record fails before the PSP is called.
            throttledUpdate(inv, m, checkout, start: ctx.now, duration: updateDuration, status: .executing)
            return
        }
        records[ObjectIdentifier(inv), default: Record()].updateDuration = updateDuration
        var before = updateDuration + ctx.releaseLatency(.executor)
        if let sim { before += Span.seconds(sim.latencySeconds) }
        ctx.schedule(.executorCallPsp(inv), for: inv, at: ctx.now + before)
    }

    func callPsp(_ inv: Invocation) {
        guard !inv.finished else { return }
        let m = inv.messages[inv.index]
        guard let checkout = ctx.checkouts[m.checkoutID] else { return }
        for o in checkout.orders where o.status == .notStarted {
            o.status = .executing
            o.executingAt = ctx.now
            o.updatedAt = ctx.now
        }
        ctx.markDirty(checkout)
        ctx.recordSpan(.updatePaymentOrder, trace: checkout.trace, id: ctx.newSpanID(), parent: inv.processSpan,
                       service: ctx.serviceCode(.executor), start: ctx.now - (records[ObjectIdentifier(inv)]?.updateDuration ?? 0), end: ctx.now,
                       attributes: [("paytop.payment_order_status", .string(OrderStatus.executing.rawValue))])
        let (outcome, latency) = psp.charge(key: checkout.id, checkout: checkout, at: ctx.now, faults: ctx.faults,
                                            settings: ctx.settings.psp, random: &ctx.random)
        let network = ctx.faults.executorPspDelayMillis.map { Span.seconds($0 / 1000) } ?? 0
        records[ObjectIdentifier(inv), default: Record()].psp = PspCall(outcome: outcome, at: ctx.now, latency: latency, network: network)
        // The executor times the call: the PSP's work and the network's delay.
        if let m = ctx.metrics { m.recorder.observe(m.pspLatency, micros: (latency + network) / 1000) }
        ctx.schedule(.executorPspReturned(inv), for: inv, at: ctx.now + latency + network)
    }

    func pspReturned(_ inv: Invocation) {
        guard !inv.finished else { return }
        let m = inv.messages[inv.index]
        guard let checkout = ctx.checkouts[m.checkoutID], let call = records[ObjectIdentifier(inv)]?.psp else { return }
        records[ObjectIdentifier(inv)]?.psp = nil
        let outcome = call.outcome
        recordPspSpans(inv, checkout, outcome, call: call)
        let executorService = ctx.serviceCode(.executor)
        let status: OrderStatus
        switch outcome {
        case .serverError:
            ctx.recordEvent(.pspResponse, checkout: checkout, outcome: .failure, at: ctx.now, trace: checkout.trace,
                            span: inv.processSpan, service: executorService, errorCode: ErrorCodes.pspServerError,
                            errorCategory: .technical, pspLatency: call.latency + call.network)
            failExecutorRecord(inv, m, checkout, "PSP returned HTTP 500: PSP unavailable", after: Latencies.failFast)
            return
        case .succeeded:
            status = .success
            ctx.recordEvent(.pspResponse, checkout: checkout, outcome: .success, at: ctx.now, trace: checkout.trace,
                            span: inv.processSpan, service: executorService, pspLatency: call.latency + call.network)
        case .declined(let code):
            status = .failed
            ctx.recordEvent(.pspResponse, checkout: checkout, outcome: .failure, at: ctx.now, trace: checkout.trace,
                            span: inv.processSpan, service: executorService, errorCode: code, errorCategory: .business,
                            pspLatency: call.latency + call.network)
        }
        var writeDuration = ctx.random.draw(Latencies.dynamoWrite) + ctx.dynamoDelay(.paymentOrder)
        let retries = ctx.dynamoRetries(.updatePaymentOrder)
        writeDuration += retries.delay
        if retries.exhausted {
            // The verdict is not written: the orders stay EXECUTING, the record fails, SQS
            // delivers it again and the PSP answers the same idempotency key the same way.
            throttledUpdate(inv, m, checkout, start: ctx.now, duration: writeDuration, status: status)
            return
        }
        for o in checkout.orders where !o.status.isTerminal {
            o.status = status
            o.completedAt = ctx.now
            o.updatedAt = ctx.now
        }
        ctx.markDirty(checkout)
        let written = ctx.now + writeDuration
        ctx.recordSpan(.updatePaymentOrder, trace: checkout.trace, id: ctx.newSpanID(), parent: inv.processSpan,
                       service: executorService, start: ctx.now, end: written,
                       attributes: [("paytop.payment_order_status", .string(status.rawValue))])
        let end = sendResult(inv, checkout, at: written)
        endExecutorRecord(inv, m, checkout, end: end, error: nil)
    }

    /// Sends the checkout's result to the wallet (its PRODUCER span ends at the returned time).
    private func sendResult(_ inv: Invocation, _ checkout: Checkout, at start: EngineTime) -> EngineTime {
        let sendSpan = ctx.newSpanID()
        let end = start + ctx.random.draw(Latencies.sqsSend)
        let result = result(of: checkout)
        let context = checkout.trace.map { SpanContext(trace: $0, spanID: sendSpan) }
        runtime.send(.result(result), for: checkout, to: .results, context: context, at: end)
        let service = ctx.serviceCode(.executor)
        ctx.recordSpan(.sendResults, trace: checkout.trace, id: sendSpan, parent: inv.processSpan, service: service,
                       start: start, end: end)
        let failed: String? = if case .failed(let code) = result { code } else { nil }
        ctx.recordEvent(.walletQueued, checkout: checkout, outcome: failed == nil ? .success : .failure, at: end,
                        trace: checkout.trace, span: sendSpan, service: service, errorCode: failed,
                        errorCategory: failed == nil ? nil : .business)
        return end
    }

    /// The PSP call as the executor saw it (CLIENT) and as the PSP handled it (SERVER).
    private func recordPspSpans(_ inv: Invocation, _ checkout: Checkout, _ outcome: PspSimulator.Outcome, call: PspCall) {
        guard ctx.telemetry.enabled else { return }
        let callSpan = ctx.newSpanID(), charge = ctx.newSpanID()
        // A decline is a 402 Payment Required, as card processors answer it.
        let status: Int
        switch outcome {
        case .succeeded: status = 200
        case .declined: status = 402
        case .serverError: status = 500
        }
        var serverAttrs: [(String, JSONValue)] = [("http.response.status_code", .number(Double(status)))]
        switch outcome {
        case .succeeded(let reference): serverAttrs.append(("psp.reference", .string(reference)))
        case .declined(let code): serverAttrs.append(("psp.decline_code", .string(code)))
        case .serverError: break
        }
        let error: String? = outcome == .serverError ? "HTTP 500" : nil
        ctx.recordSpan(.pspCall, trace: checkout.trace, id: callSpan, parent: inv.processSpan, service: ctx.serviceCode(.executor),
                       start: call.at, end: ctx.now, error: error,
                       attributes: [("http.response.status_code", .number(Double(status)))])
        // The PSP's own span inside the call, half the network's delay each side.
        let margin = max(min(Span.ms(2), call.latency / 4), call.network / 2)
        ctx.recordSpan(.pspCharge, trace: checkout.trace, id: charge, parent: callSpan,
                       service: ctx.telemetry.serviceCode(PipelineNames.pspService.name, PipelineNames.pspService.version),
                       start: call.at + margin, end: ctx.now - margin, error: error, attributes: serverAttrs)
    }

    /// A PaymentOrder update the SDK gave up on after throttles (`dynamodb-throttle`): its
    /// span ends in the exception, and the record fails when it does.
    private func throttledUpdate(_ inv: Invocation, _ m: QueueMessage, _ checkout: Checkout, start: EngineTime, duration: Nanos,
                                 status: OrderStatus) {
        ctx.recordSpan(.updatePaymentOrder, trace: checkout.trace, id: ctx.newSpanID(), parent: inv.processSpan,
                       service: ctx.serviceCode(.executor), start: start, end: start + duration, error: DynamoRetries.message,
                       attributes: [("paytop.payment_order_status", .string(status.rawValue))], throttledOut: true)
        failExecutorRecord(inv, m, checkout, DynamoRetries.message, after: duration)
    }

    private func failExecutorRecord(_ inv: Invocation, _ m: QueueMessage, _ checkout: Checkout?, _ error: String,
                                    after d: Nanos) {
        runtime.failRecord(inv, m, error)
        endExecutorRecord(inv, m, checkout, end: ctx.now + d, error: error)
    }

    /// Records the record's CONSUMER span and moves on to the next record at `end`.
    private func endExecutorRecord(_ inv: Invocation, _ m: QueueMessage, _ checkout: Checkout?, end: EngineTime,
                                   error: String?) {
        runtime.recordConsumerSpan(.processExecution, inv, m, trace: checkout?.trace, end: end, error: error)
        inv.index += 1
        ctx.schedule(.executorRecord(inv), for: inv, at: end)
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
