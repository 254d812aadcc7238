import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// The payment executor: for each execution message, mark the checkout's orders
/// EXECUTING, charge the PSP once for the checkout (idempotency key = checkout_id), record
/// SUCCESS or FAILED, and enqueue the result for the wallet. A PSP 5xx or an error fails
/// the record, which SQS redelivers after its visibility timeout.
///
/// Each record is a CONSUMER span, child of the span that sent its message, holding the
/// DynamoDB, PSP and SQS spans of its steps.
extension Engine {
    func executorRecord(_ inv: Invocation) {
        guard !inv.finished else { return }
        guard inv.index < inv.messages.count else {
            finish(inv)
            return
        }
        let m = inv.messages[inv.index]
        inv.recordStart = now
        inv.processSpan = newSpanID()
        guard let checkout = live[m.checkoutID] else {
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
        if functionFails(.executor) {
            failExecutorRecord(inv, m, checkout, "ExecutorError: internal error in executor \(currentRelease(.executor).version)",
                               after: Latencies.failFast)
            return
        }
        if checkout.allOrdersTerminal {
            // A redelivery after the PSP already answered: never charge again; resend the
            // result unless the wallet has already finished the checkout.
            var end = now + Latencies.compute
            if !checkout.isPaymentDone {
                end = sendResult(inv, checkout, at: end)
            }
            endExecutorRecord(inv, m, checkout, end: end, error: nil)
            return
        }
        inv.updateDuration = random.draw(Latencies.dynamoWrite)
        var before = inv.updateDuration + releaseLatency(.executor)
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
        recordSpan(.updatePaymentOrder, trace: checkout.trace, id: newSpanID(), parent: inv.processSpan,
                   service: serviceCode(.executor), start: now - inv.updateDuration, end: now,
                   attributes: attrs([("paytop.payment_order_status", "EXECUTING")]))
        let (outcome, latency) = psp.charge(key: checkout.id, checkout: checkout, at: now, faults: faults,
                                            settings: settings.psp, random: &random)
        inv.pspOutcome = outcome
        inv.pspCallAt = now
        inv.pspLatency = latency
        if let m = metricSeries { m.recorder.observe(m.pspLatency, micros: latency / 1000) }
        schedule(.executorPspReturned(inv), for: inv, at: now + latency)
    }

    func executorPspReturned(_ inv: Invocation) {
        guard !inv.finished else { return }
        let m = inv.messages[inv.index]
        guard let checkout = live[m.checkoutID], let outcome = inv.pspOutcome else { return }
        inv.pspOutcome = nil
        recordPspSpans(inv, checkout, outcome)
        let executorService = serviceCode(.executor)
        let status: OrderStatus
        switch outcome {
        case .serverError:
            recordEvent(.pspResponse, checkout: checkout, outcome: "FAILURE", at: now, trace: checkout.trace,
                        span: inv.processSpan, service: executorService, errorCode: "PSP_SERVER_ERROR",
                        errorCategory: "TECHNICAL", pspLatency: inv.pspLatency)
            failExecutorRecord(inv, m, checkout, "PSP returned HTTP 500: PSP unavailable", after: Latencies.failFast)
            return
        case .succeeded:
            status = .success
            recordEvent(.pspResponse, checkout: checkout, outcome: "SUCCESS", at: now, trace: checkout.trace,
                        span: inv.processSpan, service: executorService, pspLatency: inv.pspLatency)
        case .declined(let code):
            status = .failed
            recordEvent(.pspResponse, checkout: checkout, outcome: "FAILURE", at: now, trace: checkout.trace,
                        span: inv.processSpan, service: executorService, errorCode: code, errorCategory: "BUSINESS",
                        pspLatency: inv.pspLatency)
        }
        for o in checkout.orders where !o.status.isTerminal {
            o.status = status
            o.completedAt = now
            o.updatedAt = now
        }
        markDirty(checkout)
        let written = now + random.draw(Latencies.dynamoWrite)
        recordSpan(.updatePaymentOrder, trace: checkout.trace, id: newSpanID(), parent: inv.processSpan,
                   service: executorService, start: now, end: written,
                   attributes: attrs([("paytop.payment_order_status", .string(status.rawValue))]))
        let end = sendResult(inv, checkout, at: written)
        endExecutorRecord(inv, m, checkout, end: end, error: nil)
    }

    /// Sends the checkout's result to the wallet (its PRODUCER span ends at the returned time).
    private func sendResult(_ inv: Invocation, _ checkout: Checkout, at start: EngineTime) -> EngineTime {
        let sendSpan = newSpanID()
        let end = start + random.draw(Latencies.sqsSend)
        let result = result(of: checkout)
        let context = checkout.trace.map { SpanContext(trace: $0, spanID: sendSpan) }
        send(.result(result), for: checkout, to: .results, context: context, at: end)
        let service = serviceCode(.executor)
        recordSpan(.sendResults, trace: checkout.trace, id: sendSpan, parent: inv.processSpan, service: service,
                   start: start, end: end)
        let failed: String? = if case .failed(let code) = result { code } else { nil }
        recordEvent(.walletQueued, checkout: checkout, outcome: failed == nil ? "SUCCESS" : "FAILURE", at: end,
                    trace: checkout.trace, span: sendSpan, service: service, errorCode: failed,
                    errorCategory: failed == nil ? nil : "BUSINESS")
        return end
    }

    /// The PSP call as the executor saw it (CLIENT) and as the PSP handled it (SERVER).
    private func recordPspSpans(_ inv: Invocation, _ checkout: Checkout, _ outcome: PspSimulator.Outcome) {
        guard telemetry.enabled else { return }
        let call = newSpanID(), charge = newSpanID()
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
        recordSpan(.pspCall, trace: checkout.trace, id: call, parent: inv.processSpan, service: serviceCode(.executor),
                   start: inv.pspCallAt, end: now, error: error,
                   attributes: attrs([("http.response.status_code", .number(Double(status)))]))
        let margin = min(Span.ms(2), inv.pspLatency / 4)
        recordSpan(.pspCharge, trace: checkout.trace, id: charge, parent: call,
                   service: telemetry.serviceCode(PipelineNames.pspService.name, PipelineNames.pspService.version),
                   start: inv.pspCallAt + margin, end: now - margin, error: error, attributes: attrs(serverAttrs))
    }

    private func failExecutorRecord(_ inv: Invocation, _ m: QueueMessage, _ checkout: Checkout?, _ error: String,
                                    after d: Nanos) {
        failRecord(inv, m, error)
        endExecutorRecord(inv, m, checkout, end: now + d, error: error)
    }

    /// Records the record's CONSUMER span and moves on to the next record at `end`.
    private func endExecutorRecord(_ inv: Invocation, _ m: QueueMessage, _ checkout: Checkout?, end: EngineTime,
                                   error: String?) {
        recordConsumerSpan(.processExecution, inv, m, trace: checkout?.trace, end: end, error: error)
        inv.index += 1
        schedule(.executorRecord(inv), for: inv, at: end)
    }

    /// The CONSUMER span of the current record: a child of the span that sent its message.
    func recordConsumerSpan(_ name: SpanName, _ inv: Invocation, _ m: QueueMessage, trace: TraceRef?, end: EngineTime,
                            error: String?) {
        guard telemetry.enabled else { return }
        let trace = m.context?.trace ?? trace
        recordSpan(name, trace: trace, id: inv.processSpan, parent: m.context?.spanID, service: serviceCode(inv.function),
                   start: inv.recordStart, end: end, error: error,
                   attributes: attrs([("messaging.message.id", .string(m.id)),
                                      ("messaging.aws_sqs.receive_count", .number(Double(m.receiveCount)))]))
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
