import PaytopJSON
import PaytopStore
import PaytopVocabulary

/// API Gateway and the initializer: the gateway throttles and times requests; the
/// initializer validates, refuses a conflicting resubmission, writes PaymentEvent and
/// PaymentOrder (NOT_STARTED) and enqueues the execution message. API Gateway's answer
/// reaches an outside caller only after the commit that holds it.
///
/// It owns the calls the initializer holds, and the answers not yet flushed.
final class InitializerService {
    /// What the store holds under a request's ids, for requests from outside (the
    /// generator's ids are unique by construction). Tests give one without a store.
    struct StoredSubmissions {
        var submission: (PaymentRequest) -> PriorSubmission

        static var none: StoredSubmissions { StoredSubmissions { _ in .none } }
    }

    enum PriorSubmission {
        case none
        case sameCheckout(hash: String)
        case orderOfAnotherCheckout(order: String, owner: String)
    }

    /// The failure code of a checkout the initializer failed after validating it.
    static let initializerErrorCode = ErrorCodes.initializerError

    private let ctx: EngineContext
    private let runtime: PipelineRuntime
    private let stored: StoredSubmissions
    private let function: FunctionRuntime
    /// Requests inside the initializer now.
    private(set) var callsInFlight = 0
    /// Outside callers whose request the initializer holds; each is answered when it ends.
    private var outsideCalls: [ObjectIdentifier: ApiCall] = [:]
    /// Answers given since the last flush, each to be delivered once its commit lands.
    private var answers: [(ApiResponse, (ApiResponse) -> Void)] = []
    /// Called with each acknowledged checkout once its 202 is durable (tests).
    var onAcknowledged: ((String) -> Void)?

    init(_ ctx: EngineContext, runtime: PipelineRuntime, stored: StoredSubmissions) {
        self.ctx = ctx
        self.runtime = runtime
        self.stored = stored
        self.function = runtime.function(.initializer)
    }

    /// Whether an outside caller waits for the initializer to end.
    var hasOutsideCalls: Bool { !outsideCalls.isEmpty }

    /// Answers `refusal` to every outside caller whose request the initializer still
    /// holds, for an engine that stops before their invocations end. Nothing of theirs
    /// has been written, so the refusal is the whole truth.
    func refuseOutsideCalls(_ refusal: ApiResponse) {
        for call in outsideCalls.values {
            call.respond?(refusal)
            call.respond = nil
        }
        outsideCalls.removeAll()
    }

    /// Hands over the answers given since the last flush.
    func takeAnswers() -> [(ApiResponse, (ApiResponse) -> Void)] {
        defer { answers.removeAll() }
        return answers
    }

    var hasAnswers: Bool { !answers.isEmpty }

    // MARK: API Gateway

    /// API Gateway takes a request: throttle, then a synchronous initializer invocation.
    func receive(_ call: ApiCall) {
        ctx.stats.arrivals += 1
        call.trace = ctx.newTrace(checkoutID: call.body?["checkout_id"]?.stringValue, at: ctx.now, continuing: call.clientContext)
        call.apiSpan = ctx.newSpanID()
        if let client = call.clientContext, call.trace != nil { call.parentContext = Int64(bitPattern: client.parentID) }
        guard runtime.gatewayThrottle.take(at: ctx.now) else {
            ctx.stats.throttled += 1
            answer(call, status: 429, body: ["message": "Too Many Requests"], checkoutID: nil)
            return
        }
        let overhead = ctx.random.draw(Latencies.gatewayOverhead)
        guard let lease = function.acquire(at: ctx.now, limit: runtime.concurrencyLimit(function), random: &ctx.random) else {
            ctx.stats.serverErrors += 1
            answer(call, status: 500, body: ["error": "Internal server error", "message": "Rate Exceeded."], checkoutID: nil,
                   after: overhead, error: "Lambda throttled: Rate Exceeded.")
            return
        }
        if let e = ctx.faults.invocationErrors?[.initializer], e.percentage > 0, ctx.random.chance(e.percentage / 100) {
            if !e.preventExecution {
                // FIS's invocation-error letting the handler run: it writes, then the invocation fails (see `finish`).
                call.failsAfterHandler = true
            } else {
                // FIS's invocation-error with the handler prevented: nothing written; API Gateway
                // answers the failed invocation 502.
                let started = ctx.now + overhead
                function.counters.errors += 1
                function.release(lease, at: started, started: started, reusable: true)
                let message = "Injected invocation error: the handler did not run"
                ctx.recordSpan(.initializerInvocation, trace: call.trace, id: ctx.newSpanID(), parent: call.apiSpan,
                               service: ctx.serviceCode(.initializer), start: started, end: started, error: message)
                ctx.stats.serverErrors += 1
                answer(call, status: 502, body: ["message": "Internal server error"], checkoutID: nil, after: overhead * 2, error: message)
                return
            }
        }
        call.lease = lease
        // A slow hop to the function (`hop-latency api-initializer`) delays the invocation's start.
        call.hopDelay = ctx.faults.apiInitializerDelayMillis.map { Span.seconds($0 / 1000) } ?? 0
        call.startedAt = ctx.now + overhead + call.hopDelay
        callsInFlight += 1
        if call.respond != nil { outsideCalls[ObjectIdentifier(call)] = call }
        call.putDuration = ctx.random.draw(Latencies.dynamoWrite) + ctx.dynamoDelay(.paymentEvent)
        call.batchWriteDuration = ctx.random.draw(Latencies.dynamoWrite) + ctx.dynamoDelay(.paymentOrder)
        call.sendDuration = ctx.random.draw(Latencies.sqsSend)
        // Throttled writes: retried by the SDK (latency), or given up on (the handler ends there).
        call.putRetries = ctx.dynamoRetries(.putPaymentEvent)
        call.putDuration += call.putRetries.delay
        if call.putRetries.exhausted {
            call.batchWriteDuration = 0
            call.sendDuration = 0
        } else {
            call.batchRetries = ctx.dynamoRetries(.batchWritePaymentOrder, items: call.body?["payment_orders"]?.arrayValue?.count ?? 1)
            call.batchWriteDuration += call.batchRetries.delay
            if call.batchRetries.exhausted { call.sendDuration = 0 }
        }
        var duration = lease.initDuration + Latencies.compute + call.putDuration + call.batchWriteDuration + call.sendDuration
        if let sim = call.body?["simulate"]?[FunctionName.initializer.rawValue]?["latency"]?.numberValue, sim > 0, sim <= 900 {
            duration += Span.seconds(sim)
        }
        duration += ctx.releaseLatency(.initializer)
        if let d = ctx.faults.invocationDelays?[.initializer], d.millis > 0, ctx.random.chance(d.percentage / 100) {
            duration += Span.seconds(d.millis / 1000)  // FIS's startup delay: billed, and inside the timeout
        }
        let timeout = Span.seconds(function.settings.timeoutSeconds)
        ctx.scheduler.schedule(.initializerDone(call), at: call.startedAt + min(duration, lease.initDuration + timeout + 1))
    }

    /// The initializer's work, applied when its invocation ends: validate, refuse a
    /// conflicting resubmission, write PaymentEvent and PaymentOrder (NOT_STARTED) and
    /// enqueue the execution message — all in one commit.
    func finish(_ call: ApiCall) {
        callsInFlight -= 1
        outsideCalls[ObjectIdentifier(call)] = nil
        let lease = call.lease!
        let timeout = Span.seconds(function.settings.timeoutSeconds)
        let gatewayTimeout = Span.seconds(ctx.settings.api.integrationTimeoutSeconds)
        let ran = ctx.now - call.startedAt
        // API Gateway's integration timeout runs from its request, before any slow hop.
        let gatewayStart = call.startedAt - call.hopDelay, gatewayRan = ctx.now - gatewayStart
        let service = ctx.serviceCode(.initializer)
        let invocationSpan = ctx.newSpanID()
        let handlerStart = call.startedAt + lease.initDuration
        func invocation(end: EngineTime, error: String? = nil) {
            ctx.recordSpan(.initializerInvocation, trace: call.trace, id: invocationSpan, parent: call.apiSpan, service: service,
                           start: call.startedAt, end: end, error: error,
                           attributes: lease.coldStart ? [("faas.coldstart", true)] : [])
        }
        // Lambda's timeout covers the handler, not a cold start's init phase.
        if ran - lease.initDuration > timeout {
            // The function timed out: nothing was written.
            function.counters.errors += 1
            function.counters.timeouts += 1
            let end = handlerStart + timeout
            function.release(lease, at: end, started: call.startedAt, reusable: false)
            invocation(end: end, error: function.timeoutMessage)
            ctx.stats.gatewayTimeouts += 1
            answer(call, status: 504, body: ["message": "Endpoint request timed out"], checkoutID: nil,
                   at: gatewayStart + gatewayTimeout, error: "Endpoint request timed out")
            return
        }
        let respondAt = gatewayRan > gatewayTimeout ? gatewayStart + gatewayTimeout : ctx.now + ctx.random.draw(Latencies.gatewayOverhead)
        func reply(_ status: Int, _ body: @autoclosure () -> JSONValue, _ checkoutID: String?, error: String? = nil) {
            if call.failsAfterHandler && status < 500 {
                // The handler ran and kept what it wrote; the invocation fails after it: 502.
                function.counters.errors += 1
                if gatewayRan <= gatewayTimeout {
                    if status == 202 { ctx.stats.accepted -= 1 } else if status == 400 { ctx.stats.rejected -= 1 } else if status == 409 { ctx.stats.conflicts -= 1 }
                    ctx.stats.serverErrors += 1
                }
                let message = "Injected invocation error after the handler ran"
                invocation(end: ctx.now, error: message)
                if gatewayRan > gatewayTimeout {
                    ctx.stats.gatewayTimeouts += 1
                    answer(call, status: 504, body: ["message": "Endpoint request timed out"], checkoutID: checkoutID, at: respondAt,
                           error: "Endpoint request timed out")
                } else {
                    answer(call, status: 502, body: ["message": "Internal server error"], checkoutID: checkoutID, at: respondAt, error: message)
                }
                return
            }
            invocation(end: ctx.now, error: error)
            if gatewayRan > gatewayTimeout {
                ctx.stats.gatewayTimeouts += 1
                answer(call, status: 504, body: ["message": "Endpoint request timed out"], checkoutID: checkoutID, at: respondAt,
                       error: "Endpoint request timed out")
            } else {
                answer(call, status: status, body: body(), checkoutID: checkoutID, at: respondAt, error: error)
            }
        }
        defer { function.release(lease, at: ctx.now, started: call.startedAt, reusable: true) }
        ctx.recordEvent(.requestReceived, checkout: nil, checkoutID: call.body?["checkout_id"]?.stringValue, outcome: .received,
                        at: handlerStart, trace: call.trace, span: invocationSpan, service: service)
        func rejected(_ code: String) {
            ctx.recordEvent(.checkoutRejected, checkout: nil, checkoutID: call.body?["checkout_id"]?.stringValue, outcome: .rejected,
                            at: handlerStart + Latencies.compute, trace: call.trace, span: invocationSpan, service: service,
                            errorCode: code, errorCategory: .validation)
        }

        guard let body = call.body else {
            if gatewayRan <= gatewayTimeout { ctx.stats.rejected += 1 }
            rejected("INVALID_JSON")
            reply(400, ["error": "Invalid JSON"], nil)
            return
        }
        let request: PaymentRequest
        switch PaymentRequestValidator.validate(body) {
        case .failure(let failure):
            let issues = failure.issues
            if gatewayRan <= gatewayTimeout { ctx.stats.rejected += 1 }
            rejected("VALIDATION_FAILED")
            reply(400, .object(["error": "Validation failed", "details": .array(issues.map { $0.json })]), nil)
            return
        case .success(let r): request = r
        }
        if let sim = request.simulate.initializer, sim.error {
            function.counters.errors += 1
            if gatewayRan <= gatewayTimeout { ctx.stats.serverErrors += 1 }
            let message = sim.message ?? "Simulated initializer error"
            // The seed validates, logs payment.checkout.initiated, writes, then fails before
            // the queue send. paytop logs what the seed logs, writes nothing (no orphan
            // NOT_STARTED rows: the 500 is the whole truth) and ends the checkout with its
            // failure event, so a funnel puts the loss at initialization.
            let failed = Checkout(request: request, requestHash: request.bodyHash, createdAt: ctx.now)
            failed.trace = call.trace
            ctx.recordEvent(.checkoutInitiated, checkout: failed, outcome: .validated, at: handlerStart + Latencies.compute,
                            trace: call.trace, span: invocationSpan, service: service)
            ctx.recordEvent(.checkoutFailed, checkout: failed, outcome: .failure, at: ctx.now, trace: call.trace,
                            span: invocationSpan, service: service, errorCode: Self.initializerErrorCode, errorCategory: .technical)
            reply(500, .object(["error": .string(message)]), nil, error: message)
            return
        }
        if ctx.functionFails(.initializer) {
            function.counters.errors += 1
            if gatewayRan <= gatewayTimeout { ctx.stats.serverErrors += 1 }
            reply(500, ["error": "Internal server error"], nil,
                  error: "InitializerError: internal error in initializer \(ctx.currentRelease(.initializer).version)")
            return
        }
        let hash = request.bodyHash
        if call.respond != nil {
            // Requests from outside may repeat a checkout_id or reuse an order id; the
            // generator's ids are unique by construction.
            switch priorSubmission(of: request) {
            case .none: break
            case .sameCheckout(let existing) where existing == hash:
                ctx.stats.idempotentReplays += 1
                reply(202, accepted(request), request.checkoutID)
                return
            case .sameCheckout:
                ctx.stats.conflicts += 1
                reply(409, .object(["error": "Conflict", "message": .string("checkout_id \(request.checkoutID) was already submitted with a different body")]), nil)
                return
            case .orderOfAnotherCheckout(let order, let owner):
                ctx.stats.conflicts += 1
                reply(409, .object(["error": "Conflict", "message": .string("payment_order_id \(order) already belongs to checkout \(owner)")]), nil)
                return
            }
        }
        if call.throttledOut {
            throttledOut(call, request, at: handlerStart + Latencies.compute, span: invocationSpan)
            function.counters.errors += 1
            if gatewayRan <= gatewayTimeout { ctx.stats.serverErrors += 1 }
            reply(500, .object(["error": .string(DynamoRetries.message)]), nil, error: DynamoRetries.message)
            return
        }
        let checkout = Checkout(request: request, requestHash: hash, createdAt: ctx.now)
        checkout.trace = call.trace
        ctx.checkouts.add(checkout, fromOutside: call.respond != nil)
        ctx.markDirty(checkout)
        ctx.sloCheckoutAccepted(checkout)
        // The handler's steps, laid out in the order the seed's initializer runs them.
        let validated = handlerStart + Latencies.compute
        let putEnd = validated + call.putDuration
        let batchEnd = putEnd + call.batchWriteDuration
        let sendEnd = batchEnd + call.sendDuration
        ctx.recordEvent(.checkoutInitiated, checkout: checkout, outcome: .validated, at: validated, trace: call.trace,
                        span: invocationSpan, service: service)
        ctx.recordSpan(.putPaymentEvent, trace: call.trace, id: ctx.newSpanID(), parent: invocationSpan, service: service,
                       start: validated, end: putEnd)
        ctx.recordSpan(.batchWritePaymentOrder, trace: call.trace, id: ctx.newSpanID(), parent: invocationSpan, service: service,
                       start: putEnd, end: batchEnd, items: request.orders.count)
        let sendSpan = ctx.newSpanID()
        let context = call.trace.map { SpanContext(trace: $0, spanID: sendSpan) }
        runtime.send(.execute, for: checkout, to: .execution, context: context)
        ctx.recordSpan(.sendExecution, trace: call.trace, id: sendSpan, parent: invocationSpan, service: service,
                       start: batchEnd, end: sendEnd)
        ctx.recordEvent(.checkoutQueued, checkout: checkout, outcome: .queued, at: sendEnd, trace: call.trace,
                        span: sendSpan, service: service)
        if gatewayRan <= gatewayTimeout { ctx.stats.accepted += 1 }
        reply(202, accepted(request), checkout.id)
    }

    /// A write the SDK gave up on (`dynamodb-throttle`): the throttled call's span ends in
    /// the exception and the handler fails there, answering 500. Nothing is kept — as for
    /// a simulated initializer error, the PaymentEvent a failed batch write would leave
    /// behind is not modelled — and the checkout ends with its failure event, lost at
    /// initialization.
    private func throttledOut(_ call: ApiCall, _ request: PaymentRequest, at validated: EngineTime, span: Int64) {
        let service = ctx.serviceCode(.initializer)
        let failed = Checkout(request: request, requestHash: request.bodyHash, createdAt: ctx.now)
        failed.trace = call.trace
        ctx.recordEvent(.checkoutInitiated, checkout: failed, outcome: .validated, at: validated, trace: call.trace, span: span, service: service)
        let putEnd = validated + call.putDuration
        ctx.recordSpan(.putPaymentEvent, trace: call.trace, id: ctx.newSpanID(), parent: span, service: service, start: validated, end: putEnd,
                       error: call.putRetries.exhausted ? DynamoRetries.message : nil, throttledOut: call.putRetries.exhausted)
        if !call.putRetries.exhausted {
            ctx.recordSpan(.batchWritePaymentOrder, trace: call.trace, id: ctx.newSpanID(), parent: span, service: service, start: putEnd,
                           end: putEnd + call.batchWriteDuration, error: DynamoRetries.message, items: request.orders.count, throttledOut: true)
        }
        ctx.recordEvent(.checkoutFailed, checkout: failed, outcome: .failure, at: ctx.now, trace: call.trace, span: span, service: service,
                        errorCode: Self.initializerErrorCode, errorCategory: .technical)
    }

    /// The 202 body in the seed's envelope: `payment_event` is the checkout as validated,
    /// without `credit_card_info`, plus paytop's status, total and order states.
    func accepted(_ r: PaymentRequest) -> JSONValue {
        var event: [String: JSONValue] = [
            "checkout_id": .string(r.checkoutID),
            "buyer_info": .object(["user_id": .string(r.buyerUserID), "email": .string(r.buyerEmail)]),
            "payment_orders": .array(r.orders.map {
                .object(["payment_order_id": .string($0.paymentOrderID), "seller_account": .string($0.sellerAccount),
                         "amount": .string($0.amount.description), "currency": .string($0.currency),
                         "payment_order_status": .string(OrderStatus.notStarted.rawValue)])
            }),
            "status": "ACCEPTED",
            "is_payment_done": false,
            "amount_total": .string(r.total.description),
            "currency": .string(r.currency),
        ]
        if let sim = r.simulate.json, let v = try? JSONValue.parse(sim) { event["simulate"] = v }
        return .object(["payment_event": .object(event), "message": "Payment event initiated"])
    }

    /// Records API Gateway's answer. Outside callers hear it after the next commit.
    func answer(_ call: ApiCall, status: Int, body: @autoclosure () -> JSONValue, checkoutID: String?,
                after delay: Nanos = 0, at time: EngineTime? = nil, error: String? = nil) {
        let at = time ?? (ctx.now + delay)
        ctx.stats.apiLatencyNanos += at - call.arrivedAt
        if let m = ctx.metrics {
            let latency = at - call.arrivedAt
            m.recorder.observe(m.apiLatency, micros: latency / 1000)
            if call.lease != nil { m.recorder.observe(m.integrationLatency, micros: min(latency, ctx.now - call.startedAt) / 1000) }
            // API latency SLO: client errors are not valid events; a 429 or 5xx is bad.
            if status != 400 && status != 409 {
                ctx.sloEvent(.apiLatency, good: latency <= Span.ms(300) && status < 500 && status != 429)
            }
        }
        ctx.recordSpan(.apiRequest, trace: call.trace, id: call.apiSpan, parent: call.parentContext, service:
                       ctx.telemetry.serviceCode(PipelineNames.gatewayService.name, PipelineNames.gatewayService.version), start: call.arrivedAt, end: at,
                       error: status >= 500 ? (error ?? "HTTP \(status)") : nil,
                       attributes: [("http.response.status_code", .number(Double(status)))])
        if status == 202, let id = checkoutID, let notify = onAcknowledged {
            answers.append((ApiResponse(status: 202, body: .null, respondedAt: at, checkoutID: id), { r in notify(r.checkoutID!) }))
        }
        guard let respond = call.respond else { return }
        var response = ApiResponse(status: status, body: body(), respondedAt: at, checkoutID: checkoutID)
        if let trace = call.trace {
            response.traceparent = SpanContext(trace: trace, spanID: call.apiSpan).traceparent
        } else if let client = call.clientContext {
            // Telemetry off: nothing recorded, so the client's context passes through.
            response.traceparent = "00-" + W3CTraceContext.hex16(client.traceIDHigh) + W3CTraceContext.hex16(client.traceIDLow)
                + "-" + W3CTraceContext.hex16(client.parentID) + (client.sampled ? "-01" : "-00")
        }
        answers.append((response, respond))
    }

    /// What the engine or the store already holds under this request's ids. Checkouts
    /// stay in memory until their final state has committed, so the two together are
    /// complete without waiting for a commit.
    func priorSubmission(of r: PaymentRequest) -> PriorSubmission {
        if let c = ctx.checkouts[r.checkoutID] { return .sameCheckout(hash: c.requestHash) }
        for o in r.orders {
            if let owner = ctx.checkouts.owner(ofOrder: o.paymentOrderID) {
                return .orderOfAnotherCheckout(order: o.paymentOrderID, owner: owner)
            }
        }
        return stored.submission(r)
    }
}
