import Foundation
import PaytopJSON
import PaytopStore
import PaytopVocabulary

#if canImport(Glibc)
import Glibc
#endif

/// Resuming a store: the engine's clock, chance, settings and counters come back from
/// `engine_state`; checkouts still in flight, every queue message (with its visibility
/// and receive count), wallets and the PSP's records come back from their tables.
/// Invocations that were running when the process died are lost, as they would be in
/// Lambda: their messages reappear when their visibility timeout ends.
extension Engine {
    static func hasEngineState(_ c: Connection) throws -> Bool { try EngineResume.hasEngineState(c) }

    /// The settings a store was run with (defaults for a store no engine has run on).
    public static func storedSettings(_ c: Connection) throws -> EngineSettings {
        let state = try StoredEngineState.load(c)
        guard let text = state.text[.settings] else { return EngineSettings() }
        return try storedSettings(text)
    }

    /// The settings a store was run with, any setting newer than the store at its default.
    static func storedSettings(_ text: String?) throws -> EngineSettings {
        guard let text else { throw StoreError.failed("engine_state has no settings; the store is damaged") }
        if let exact = try? JSONDecoder().decode(EngineSettings.self, from: Data(text.utf8)) { return exact }
        do {
            // A store from before a setting existed: the stored values over today's defaults.
            let base = try JSONValue.parse(try JSONEncoder().encode(EngineSettings()))
            let merged = try Scenario.merge(base, try JSONValue.parse(text), path: "stored")
            return try JSONDecoder().decode(EngineSettings.self, from: Data(merged.encoded.utf8))
        } catch {
            throw StoreError.failed("engine_state.settings cannot be read: \(error)")
        }
    }

    /// Restores the engine's state; returns how far the settlement SLO's objectives had
    /// been looked at (nil: a store from before that was kept).
    func restore() throws -> EngineTime? {
        let state = try StoredEngineState.load(reader)
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ key: EngineStateKey, _ type: T.Type) throws -> T {
            guard let text = state.text[key] else { throw StoreError.failed("engine_state has no \(key.rawValue); the store is damaged") }
            do { return try decoder.decode(type, from: Data(text.utf8)) } catch {
                throw StoreError.failed("engine_state.\(key.rawValue) cannot be read: \(error)")
            }
        }
        let ctx = context
        ctx.now = EngineTime(nanos: state.text[.clock] == nil ? EngineTime.simulationEpoch.nanos : state.clock)
        let words = try decode(.random, [String].self).compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else { throw StoreError.failed("engine_state.random is damaged") }
        ctx.random = SeededRandom(state: words)
        ctx.settings = try Engine.storedSettings(state.text[.settings])
        ctx.faults = try decode(.faults, FaultState.self)
        ctx.releases = try decode(.releases, [FunctionName: [Release]].self)
        trafficSource.state = try decode(.traffic, TrafficState.self)
        ctx.stats = try decode(.stats, EngineStats.self)
        speed = Double(state.text[.speed] ?? "") ?? speed
        experiment = state.decode(.experiment)
        let saved = try decode(.runtime, SavedRuntime.self)
        for f in FunctionName.allCases {
            let fn = runtime.function(f)
            fn.settings = ctx.settings.functions[f] ?? fn.settings
            if let c = saved.functions[f] { fn.counters = c }
        }
        for q in QueueName.allCases { if let c = saved.queues[q.rawValue] { runtime.queue(q).counters = c } }
        psp.counters = saved.psp
        runtime.resetSources()
        runtime.setSourceLimit(.execution, saved.executionSourceLimit)
        runtime.setSourceLimit(.results, saved.resultsSourceLimit)

        try restoreCheckouts()
        try restoreMessages()
        try restoreWallets()
        try restorePspCharges()
        if let text = state.text[.telemetry], let v = try? JSONValue.parse(text), let n = v["next_trace_no"]?.numberValue {
            ctx.telemetry.nextTraceNo = Int64(n)
        }
        for s in try EngineResume.serviceVersions(reader) {
            ctx.telemetry.restoreService(code: s.code, name: s.name, version: s.version)
        }
        control.lastTakenID = try EngineResume.lastTakenControlCommand(reader)
        return state.text[.telemetry].flatMap { try? JSONValue.parse($0) }?["settlement_swept_through"]?.numberValue
            .map { EngineTime(nanos: Int64($0)) }
    }

    /// Hands the checkouts read back to the settlement SLO's objectives, in the order they
    /// were accepted: one that is done, or has a dead letter, has ended for the SLOs.
    func restoreSloState(into deadlines: SettlementDeadlines) {
        let inDeadLetterQueue = Set(QueueName.allCases.filter(\.isDeadLetterQueue)
            .flatMap { runtime.queue($0).messages.values.map(\.checkoutID) })
        let restored = context.checkouts.live.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        for c in restored {
            let ended = c.isPaymentDone || inDeadLetterQueue.contains(c.id)
            c.sloCounted = ended
            deadlines.restore(c, ended: ended)
        }
    }

    private func restoreCheckouts() throws {
        for row in try EngineResume.inFlightCheckouts(reader) {
            let e = row.event
            let buyer = (try? JSONValue.parse(e.buyerInfo)) ?? .null
            let card = (try? JSONValue.parse(e.creditCardInfo)) ?? .null
            var specs: [PaymentRequest.Order] = []
            var states: [OrderStatus] = []
            for o in row.orders {
                guard let status = OrderStatus(rawValue: o.status) else {
                    throw StoreError.failed("payment_order \(o.paymentOrderID) is damaged")
                }
                specs.append(.init(paymentOrderID: o.paymentOrderID, sellerAccount: o.sellerAccount, amount: o.amount,
                                   currency: o.currency))
                states.append(status)
            }
            let request = PaymentRequest(
                checkoutID: e.checkoutID, buyerUserID: buyer["user_id"]?.stringValue ?? "", buyerEmail: buyer["email"]?.stringValue ?? "",
                paymentToken: card["payment_token"]?.stringValue, orders: specs,
                simulate: SimulateFlags.fromStored(e.simulate))
            let c = Checkout(request: request, requestHash: e.requestHash, createdAt: EngineTime(nanos: e.createdAt))
            for ((o, stored), status) in zip(zip(c.orders, row.orders), states) {
                o.status = status; o.ledgerUpdated = stored.ledgerUpdated; o.walletUpdated = stored.walletUpdated
                o.executingAt = stored.executingAt.map(EngineTime.init); o.completedAt = stored.completedAt.map(EngineTime.init)
                o.updatedAt = EngineTime(nanos: stored.updatedAt)
            }
            c.isPaymentDone = e.isPaymentDone
            c.outcome = e.outcome
            c.failureCode = e.failureCode
            c.doneAt = e.doneAt.map(EngineTime.init)
            if let t = row.trace, t.traceID.count == 16 {
                let high = t.traceID[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let low = t.traceID[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                c.trace = TraceRef(no: t.traceNo, high: high, low: low, startedAt: t.startedAt)
            }
            c.persisted = true
            context.checkouts.restore(c)
        }
    }

    private func restoreMessages() throws {
        for r in try EngineResume.queueMessages(reader) {
            guard let q = QueueName(rawValue: r.queueName), let source = QueueName(rawValue: r.sourceQueue) else {
                throw StoreError.failed("queue_message \(r.messageID) names an unknown queue")
            }
            let body = (try? JSONValue.parse(r.body)) ?? .null
            let payload: MessagePayload
            if source == .execution {
                payload = .execute
            } else if body["status"]?.stringValue == "SUCCESS" {
                payload = .result(.success(pspReference: body["psp_reference"]?.stringValue ?? ""))
            } else {
                payload = .result(.failed(code: body["error_code"]?.stringValue ?? "UNKNOWN"))
            }
            guard let c = context.checkouts[r.checkoutID] else {
                throw StoreError.failed("queue_message \(r.messageID) names checkout \(r.checkoutID), which is not in payment_event")
            }
            let m = QueueMessage(
                restoring: r.messageID, queue: q, sourceQueue: source, checkoutID: r.checkoutID, payload: payload,
                sentAt: EngineTime(nanos: r.sentAt), visibleAt: EngineTime(nanos: r.visibleAt), receiveCount: r.receiveCount,
                firstReceivedAt: r.firstReceivedAt.map(EngineTime.init), movedAt: r.movedAt.map(EngineTime.init),
                lastError: r.lastError, context: Engine.context(fromAttributes: r.attributes, of: c))
            runtime.queue(q).restore(m)
            c.messageRefs += 1
        }
    }

    /// A message's producer context from its `traceparent` attribute. One that is
    /// invalid, or names another trace than its checkout's, is ignored (W3C).
    static func context(fromAttributes text: String, of c: Checkout) -> SpanContext? {
        guard let trace = c.trace, let header = (try? JSONValue.parse(text))?["traceparent"]?.stringValue,
              let parsed = W3CTraceContext.parse(header),
              parsed.traceIDHigh == trace.high, parsed.traceIDLow == trace.low else { return nil }
        return SpanContext(trace: trace, spanID: Int64(bitPattern: parsed.parentID))
    }

    static func restoreMetricSeries(_ c: Connection, into m: MetricsRecorder) throws {
        for s in try MetricSeriesQuery.all(c) {
            m.restoreSeries(id: s.id, name: s.name, dimensions: s.dimensions, kind: s.kind)
        }
    }

    private func restoreWallets() throws {
        wallet.restore(try EngineResume.wallets(reader))
    }

    private func restorePspCharges() throws {
        for r in try EngineResume.pspChargesInFlight(reader) {
            let outcome: PspSimulator.Outcome = r.status == "SUCCEEDED"
                ? .succeeded(reference: r.pspReference) : .declined(code: r.declineCode ?? DeclineCode.cardDeclined)
            psp.charges[r.idempotencyKey] = PspSimulator.Charge(outcome: outcome, amount: r.amount)
        }
    }

    // MARK: Run metadata (not part of the deterministic content)

    static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func recordRunStart(_ c: Connection, mode: EngineClock.Mode, engineStart: EngineTime) throws -> Int64 {
        try RunLog.start(c, mode: mode == .live ? .live : .simulated, version: PaytopVersion.current,
                         wallMillis: wallClockMillis(), engineStart: engineStart.nanos, pid: Int64(getpid()))
    }

    /// The pid of an engine that is running on this store right now (a run not ended,
    /// with a heartbeat in the last 5 s, whose process is alive), if any.
    static func liveEngine(on c: Connection) throws -> (pid: Int64, mode: RunLog.Mode?)? {
        try RunLog.liveWriter(c, nowMillis: wallClockMillis())
    }

    /// Tells readers (the CLI's control commands) that an engine is alive on this store,
    /// with the next batch: a write of its own would wait for the writer's commit.
    public func recordHeartbeat() {
        pendingHeartbeat = RunLog.Heartbeat(runID: runID, wallMillis: Engine.wallClockMillis(), engineTime: now.nanos)
        markStateDirty()
    }

    func recordRunEnd() throws {
        try RunLog.end(reader, runID: runID, wallMillis: Engine.wallClockMillis(), engineTime: now.nanos)
    }
}
