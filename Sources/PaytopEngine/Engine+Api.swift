import Foundation
import PaytopStore
import PaytopVocabulary
import PaytopJSON

extension Engine {
    // MARK: Traffic

    func scheduleArrivalIfNeeded() {
        guard !arrivalScheduled, !traffic.paused, traffic.ratePerSecond > 0 else { return }
        if let limit = traffic.limit, traffic.generated >= limit { return }
        arrivalScheduled = true
        scheduler.schedule(.arrival(generation: arrivalGeneration), at: now + random.exponentialGap(ratePerSecond: traffic.ratePerSecond))
    }

    func handleArrival(_ generation: Int) {
        guard generation == arrivalGeneration else { return }
        arrivalScheduled = false
        if traffic.paused { return }
        if let limit = traffic.limit, traffic.generated >= limit { return }
        traffic.generated += 1
        let body = TrafficGenerator.request(random: &random, errorMix: settings.errorMix, at: now)
        receive(ApiCall(body: body, arrivedAt: now, respond: nil))
        scheduleArrivalIfNeeded()
    }

    /// Sends a request from outside the engine (HTTP clients, tests, sample files) through
    /// API Gateway. `respond` is called once the answer is final; for a 202 that is after
    /// the commit that holds the checkout.
    ///
    /// `traceparent` is the client's W3C header: a valid one makes the checkout's trace
    /// continue the client's (its trace id, and API Gateway's span as a child of the
    /// client's span); an invalid one is ignored, as W3C Trace Context says.
    ///
    /// A nil `body` is a request that was not JSON: it gets the seed's 400 Invalid JSON.
    public func submit(_ body: JSONValue?, traceparent: String? = nil, respond: @escaping (ApiResponse) -> Void) {
        let call = ApiCall(body: body, arrivedAt: now, respond: respond)
        call.clientContext = traceparent.flatMap(W3CTraceContext.parse)
        receive(call)
    }

    /// Sends raw request bytes, parsed here.
    public func submit(rawBody: [UInt8], traceparent: String? = nil, respond: @escaping (ApiResponse) -> Void) {
        submit(try? JSONValue.parse(rawBody), traceparent: traceparent, respond: respond)
    }

    /// Whether an outside caller waits for the initializer to end (see `refuseCallsInFlight`).
    public var hasOutsideCallsInFlight: Bool { !outsideCallsInFlight.isEmpty }

    /// Answers `refusal` to every outside caller whose request the initializer still
    /// holds, for an engine that stops before their invocations end. Nothing of theirs
    /// has been written, so the refusal is the whole truth.
    public func refuseCallsInFlight(_ refusal: ApiResponse) {
        for call in outsideCallsInFlight.values {
            call.respond?(refusal)
            call.respond = nil
        }
        outsideCallsInFlight.removeAll()
    }

    // MARK: API Gateway

    /// API Gateway takes a request: throttle, then a synchronous initializer invocation.
    func receive(_ call: ApiCall) {
        stats.arrivals += 1
        call.trace = newTrace(checkoutID: call.body?["checkout_id"]?.stringValue, at: now, continuing: call.clientContext)
        call.apiSpan = newSpanID()
        if let client = call.clientContext, call.trace != nil { call.parentContext = Int64(bitPattern: client.parentID) }
        guard gatewayThrottle.take(at: now) else {
            stats.throttled += 1
            answer(call, status: 429, body: ["message": "Too Many Requests"], checkoutID: nil)
            return
        }
        let overhead = random.draw(Latencies.gatewayOverhead)
        guard let lease = initializer.acquire(at: now, limit: concurrencyLimit(initializer), random: &random) else {
            stats.serverErrors += 1
            answer(call, status: 500, body: ["error": "Internal server error", "message": "Rate Exceeded."], checkoutID: nil,
                   after: overhead, error: "Lambda throttled: Rate Exceeded.")
            return
        }
        call.lease = lease
        call.startedAt = now + overhead
        apiCallsInFlight += 1
        if call.respond != nil { outsideCallsInFlight[ObjectIdentifier(call)] = call }
        call.putDuration = random.draw(Latencies.dynamoWrite)
        call.batchWriteDuration = random.draw(Latencies.dynamoWrite)
        call.sendDuration = random.draw(Latencies.sqsSend)
        var duration = lease.initDuration + Latencies.compute + call.putDuration + call.batchWriteDuration + call.sendDuration
        if let sim = call.body?["simulate"]?[FunctionName.initializer.rawValue]?["latency"]?.numberValue, sim > 0, sim <= 900 {
            duration += Span.seconds(sim)
        }
        duration += releaseLatency(.initializer)
        let timeout = Span.seconds(initializer.settings.timeoutSeconds)
        scheduler.schedule(.initializerDone(call), at: call.startedAt + min(duration, lease.initDuration + timeout + 1))
    }

    /// The initializer's work, applied when its invocation ends: validate, refuse a
    /// conflicting resubmission, write PaymentEvent and PaymentOrder (NOT_STARTED) and
    /// enqueue the execution message — all in one commit.
    func finishInitializer(_ call: ApiCall) {
        apiCallsInFlight -= 1
        outsideCallsInFlight[ObjectIdentifier(call)] = nil
        let lease = call.lease!
        let timeout = Span.seconds(initializer.settings.timeoutSeconds)
        let gatewayTimeout = Span.seconds(settings.api.integrationTimeoutSeconds)
        let ran = now - call.startedAt
        let service = serviceCode(.initializer)
        let invocationSpan = newSpanID()
        let handlerStart = call.startedAt + lease.initDuration
        func invocation(end: EngineTime, error: String? = nil) {
            recordSpan(.initializerInvocation, trace: call.trace, id: invocationSpan, parent: call.apiSpan, service: service,
                       start: call.startedAt, end: end, error: error,
                       attributes: lease.coldStart ? attrs([("faas.coldstart", true)]) : nil)
        }
        // Lambda's timeout covers the handler, not a cold start's init phase.
        if ran - lease.initDuration > timeout {
            // The function timed out: nothing was written.
            initializer.counters.errors += 1
            initializer.counters.timeouts += 1
            let end = handlerStart + timeout
            initializer.release(lease, at: end, started: call.startedAt, reusable: false)
            invocation(end: end, error: "Task timed out after \(formatSeconds(initializer.settings.timeoutSeconds)) seconds")
            stats.gatewayTimeouts += 1
            answer(call, status: 504, body: ["message": "Endpoint request timed out"], checkoutID: nil,
                   at: call.startedAt + gatewayTimeout, error: "Endpoint request timed out")
            return
        }
        let respondAt = ran > gatewayTimeout ? call.startedAt + gatewayTimeout : now + random.draw(Latencies.gatewayOverhead)
        func reply(_ status: Int, _ body: @autoclosure () -> JSONValue, _ checkoutID: String?, error: String? = nil) {
            invocation(end: now, error: error)
            if ran > gatewayTimeout {
                stats.gatewayTimeouts += 1
                answer(call, status: 504, body: ["message": "Endpoint request timed out"], checkoutID: checkoutID, at: respondAt,
                       error: "Endpoint request timed out")
            } else {
                answer(call, status: status, body: body(), checkoutID: checkoutID, at: respondAt, error: error)
            }
        }
        defer { initializer.release(lease, at: now, started: call.startedAt, reusable: true) }
        recordEvent(.requestReceived, checkout: nil, checkoutID: call.body?["checkout_id"]?.stringValue, outcome: "RECEIVED",
                    at: handlerStart, trace: call.trace, span: invocationSpan, service: service)
        func rejected(_ code: String) {
            recordEvent(.checkoutRejected, checkout: nil, checkoutID: call.body?["checkout_id"]?.stringValue, outcome: "REJECTED",
                        at: handlerStart + Latencies.compute, trace: call.trace, span: invocationSpan, service: service,
                        errorCode: code, errorCategory: "VALIDATION")
        }

        guard let body = call.body else {
            if ran <= gatewayTimeout { stats.rejected += 1 }
            rejected("INVALID_JSON")
            reply(400, ["error": "Invalid JSON"], nil)
            return
        }
        let request: PaymentRequest
        switch PaymentRequestValidator.validate(body) {
        case .failure(let failure):
            let issues = failure.issues
            if ran <= gatewayTimeout { stats.rejected += 1 }
            rejected("VALIDATION_FAILED")
            reply(400, .object(["error": "Validation failed", "details": .array(issues.map { $0.json })]), nil)
            return
        case .success(let r): request = r
        }
        if let sim = request.simulate.initializer, sim.error {
            initializer.counters.errors += 1
            if ran <= gatewayTimeout { stats.serverErrors += 1 }
            let message = sim.message ?? "Simulated initializer error"
            reply(500, .object(["error": .string(message)]), nil, error: message)
            return
        }
        if functionFails(.initializer) {
            initializer.counters.errors += 1
            if ran <= gatewayTimeout { stats.serverErrors += 1 }
            reply(500, ["error": "Internal server error"], nil,
                  error: "InitializerError: internal error in initializer \(currentRelease(.initializer).version)")
            return
        }
        let hash = request.bodyHash
        if call.respond != nil {
            // Requests from outside may repeat a checkout_id or reuse an order id; the
            // generator's ids are unique by construction.
            switch priorSubmission(of: request) {
            case .none: break
            case .sameCheckout(let existing) where existing == hash:
                stats.idempotentReplays += 1
                reply(202, accepted(request), request.checkoutID)
                return
            case .sameCheckout:
                stats.conflicts += 1
                reply(409, .object(["error": "Conflict", "message": .string("checkout_id \(request.checkoutID) was already submitted with a different body")]), nil)
                return
            case .orderOfAnotherCheckout(let order, let owner):
                stats.conflicts += 1
                reply(409, .object(["error": "Conflict", "message": .string("payment_order_id \(order) already belongs to checkout \(owner)")]), nil)
                return
            }
        }
        let checkout = Checkout(request: request, requestHash: hash, createdAt: now)
        checkout.trace = call.trace
        live[checkout.id] = checkout
        if call.respond != nil { for o in request.orders { liveOrderOwners[o.paymentOrderID] = checkout.id } }
        markDirty(checkout)
        // The handler's steps, laid out in the order the seed's initializer runs them.
        let validated = handlerStart + Latencies.compute
        let putEnd = validated + call.putDuration
        let batchEnd = putEnd + call.batchWriteDuration
        let sendEnd = batchEnd + call.sendDuration
        recordEvent(.checkoutInitiated, checkout: checkout, outcome: "VALIDATED", at: validated, trace: call.trace,
                    span: invocationSpan, service: service)
        recordSpan(.putPaymentEvent, trace: call.trace, id: newSpanID(), parent: invocationSpan, service: service,
                   start: validated, end: putEnd)
        recordSpan(.batchWritePaymentOrder, trace: call.trace, id: newSpanID(), parent: invocationSpan, service: service,
                   start: putEnd, end: batchEnd)
        let sendSpan = newSpanID()
        let context = call.trace.map { SpanContext(trace: $0, spanID: sendSpan) }
        send(.execute, for: checkout, to: .execution, context: context)
        recordSpan(.sendExecution, trace: call.trace, id: sendSpan, parent: invocationSpan, service: service,
                   start: batchEnd, end: sendEnd)
        recordEvent(.checkoutQueued, checkout: checkout, outcome: "QUEUED", at: sendEnd, trace: call.trace,
                    span: sendSpan, service: service)
        if ran <= gatewayTimeout { stats.accepted += 1 }
        reply(202, accepted(request), checkout.id)
    }

    /// The 202 body: the checkout as accepted, without any card data.
    func accepted(_ r: PaymentRequest) -> JSONValue {
        .object([
            "message": "Payment accepted",
            "checkout_id": .string(r.checkoutID),
            "status": "ACCEPTED",
            "amount_total": .string(r.total.description),
            "currency": .string(r.currency),
            "payment_orders": .array(r.orders.map {
                .object(["payment_order_id": .string($0.paymentOrderID), "seller_account": .string($0.sellerAccount),
                         "amount": .string($0.amount.description), "currency": .string($0.currency),
                         "payment_order_status": "NOT_STARTED"])
            }),
        ])
    }

    /// Records API Gateway's answer. Outside callers hear it after the next commit.
    func answer(_ call: ApiCall, status: Int, body: @autoclosure () -> JSONValue, checkoutID: String?,
                after delay: Nanos = 0, at time: EngineTime? = nil, error: String? = nil) {
        let at = time ?? (now + delay)
        stats.apiLatencyNanos += at - call.arrivedAt
        if let m = metricSeries {
            let latency = at - call.arrivedAt
            m.recorder.observe(m.apiLatency, micros: latency / 1000)
            if call.lease != nil { m.recorder.observe(m.integrationLatency, micros: min(latency, now - call.startedAt) / 1000) }
            // API latency SLO: client errors are not valid events; a 429 or 5xx is bad.
            if status != 400 && status != 409 {
                sloEvent(.apiLatency, good: latency <= Span.ms(300) && status < 500 && status != 429)
            }
        }
        recordSpan(.apiRequest, trace: call.trace, id: call.apiSpan, parent: call.parentContext, service:
                    telemetry.serviceCode(PipelineNames.gatewayService.name, PipelineNames.gatewayService.version), start: call.arrivedAt, end: at,
                   error: status >= 500 ? (error ?? "HTTP \(status)") : nil,
                   attributes: attrs([("http.response.status_code", .number(Double(status)))]))
        if status == 202, let id = checkoutID, onAcknowledged != nil {
            let notify = onAcknowledged!
            responsesAwaitingFlush.append((ApiResponse(status: 202, body: .null, respondedAt: at, checkoutID: id), { r in notify(r.checkoutID!) }))
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
        responsesAwaitingFlush.append((response, respond))
    }

    enum PriorSubmission {
        case none
        case sameCheckout(hash: String)
        case orderOfAnotherCheckout(order: String, owner: String)
    }

    /// What the engine or the store already holds under this request's ids. Checkouts
    /// stay in `live` until their final state has committed, so the two together are
    /// complete without waiting for a commit.
    func priorSubmission(of r: PaymentRequest) -> PriorSubmission {
        if let c = live[r.checkoutID] { return .sameCheckout(hash: c.requestHash) }
        for o in r.orders {
            if let owner = liveOrderOwners[o.paymentOrderID] { return .orderOfAnotherCheckout(order: o.paymentOrderID, owner: owner) }
        }
        if let hash = try? CheckoutLookup.requestHash(reader, checkoutID: r.checkoutID) { return .sameCheckout(hash: hash) }
        for o in r.orders {
            if let owner = try? CheckoutLookup.owner(reader, paymentOrderID: o.paymentOrderID) {
                return .orderOfAnotherCheckout(order: o.paymentOrderID, owner: owner)
            }
        }
        return .none
    }

    /// Whether an invocation of `f` fails by operator fault or a bad release.
    func functionFails(_ f: FunctionName) -> Bool {
        if let rate = faults.functionErrorRates[f], random.chance(rate) { return true }
        if currentRelease(f).regression == .errors, random.chance(Latencies.regressionErrorRate) { return true }
        return false
    }

    /// Extra time a latency-regressed release of `f` adds.
    func releaseLatency(_ f: FunctionName) -> Nanos {
        currentRelease(f).regression == .latency ? random.draw(Latencies.regressionLatency) : 0
    }
}
