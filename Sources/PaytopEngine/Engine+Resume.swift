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
    static func hasEngineState(_ c: Connection) throws -> Bool {
        (try c.scalarInt("SELECT count(*) FROM engine_state WHERE key = 'clock'") ?? 0) > 0
    }

    func restore() throws {
        var state: [String: String] = [:]
        let s = try reader.cached("SELECT key, value FROM engine_state")
        for (k, v) in try s.all({ ($0.string(0), $0.string(1)) }) { state[k] = v }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ key: String, _ type: T.Type) throws -> T {
            guard let text = state[key] else { throw StoreError.failed("engine_state has no \(key); the store is damaged") }
            do { return try decoder.decode(type, from: Data(text.utf8)) } catch {
                throw StoreError.failed("engine_state.\(key) cannot be read: \(error)")
            }
        }
        now = EngineTime(nanos: Int64(state["clock"] ?? "") ?? EngineTime.simulationEpoch.nanos)
        let words = try decode("random", [String].self).compactMap { UInt64($0, radix: 16) }
        guard words.count == 4 else { throw StoreError.failed("engine_state.random is damaged") }
        random = SeededRandom(state: words)
        settings = try decode("settings", EngineSettings.self)
        faults = try decode("faults", FaultState.self)
        releases = try decode("releases", [FunctionName: [Release]].self)
        traffic = try decode("traffic", TrafficState.self)
        stats = try decode("stats", EngineStats.self)
        speed = Double(state["speed"] ?? "") ?? speed
        let runtime = try decode("runtime", SavedRuntime.self)
        for f in FunctionName.allCases {
            let fn = function(f)
            fn.settings = settings.functions[f] ?? fn.settings
            if let c = runtime.functions[f] { fn.counters = c }
        }
        for q in QueueName.allCases { if let c = runtime.queues[q.rawValue] { queue(q).counters = c } }
        psp.counters = runtime.psp
        executionSource = EventSource(settings: settings.eventSource)
        resultsSource = EventSource(settings: settings.eventSource)
        executionSource.limit = runtime.executionSourceLimit
        resultsSource.limit = runtime.resultsSourceLimit
        gatewayThrottle = TokenBucket(rate: settings.api.throttleRate, burst: settings.api.throttleBurst)

        try restoreCheckouts()
        try restoreMessages()
        try restoreWallets()
        try restorePspCharges()
        if let text = state["telemetry"], let v = try? JSONValue.parse(text), let n = v["next_trace_no"]?.numberValue {
            telemetry.nextTraceNo = Int64(n)
        }
        let services = try reader.cached("SELECT service_code, service_name, service_version FROM service_version")
        while try services.step() {
            telemetry.restoreService(code: Int(services.int(0)), name: services.string(1), version: services.string(2))
        }
        lastControlCommandID = try reader.scalarInt("SELECT coalesce(max(id), 0) FROM control_command WHERE status != 'pending'") ?? 0
    }

    private func restoreCheckouts() throws {
        let s = try reader.cached("""
            SELECT checkout_id, buyer_info, credit_card_info, simulate, request_hash, created_at,
                   is_payment_done, outcome, failure_code, done_at, trace_no,
                   (SELECT trace_id FROM trace t WHERE t.trace_no = payment_event.trace_no),
                   (SELECT started_at FROM trace t WHERE t.trace_no = payment_event.trace_no)
            FROM payment_event
            WHERE is_payment_done = 0 OR checkout_id IN (SELECT checkout_id FROM queue_message)
            """)
        let orders = try reader.cached("""
            SELECT payment_order_id, seller_account, amount, currency, payment_order_status, ledger_updated,
                   wallet_updated, executing_at, completed_at, updated_at
            FROM payment_order WHERE checkout_id = ? ORDER BY payment_order_id
            """)
        while try s.step() {
            let id = s.string(0)
            let buyer = (try? JSONValue.parse(s.string(1))) ?? .null
            let card = (try? JSONValue.parse(s.string(2))) ?? .null
            orders.bind(1, id)
            var specs: [PaymentRequest.Order] = []
            var states: [(OrderStatus, Bool, Bool, Int64?, Int64?, Int64)] = []
            while try orders.step() {
                guard let amount = Money(decimalString: orders.string(2)),
                      let status = OrderStatus(rawValue: orders.string(4)) else {
                    throw StoreError.failed("payment_order \(orders.string(0)) is damaged")
                }
                specs.append(.init(paymentOrderID: orders.string(0), sellerAccount: orders.string(1), amount: amount,
                                   currency: orders.string(3)))
                states.append((status, orders.int(5) != 0, orders.int(6) != 0, orders.optionalInt(7),
                               orders.optionalInt(8), orders.int(9)))
            }
            orders.reset()
            let request = PaymentRequest(
                checkoutID: id, buyerUserID: buyer["user_id"]?.stringValue ?? "", buyerEmail: buyer["email"]?.stringValue ?? "",
                paymentToken: card["payment_token"]?.stringValue, orders: specs,
                simulate: SimulateFlags.fromStored(s.optionalString(3)))
            let c = Checkout(request: request, requestHash: s.string(4), createdAt: EngineTime(nanos: s.int(5)))
            for (o, st) in zip(c.orders, states) {
                o.status = st.0; o.ledgerUpdated = st.1; o.walletUpdated = st.2
                o.executingAt = st.3.map(EngineTime.init); o.completedAt = st.4.map(EngineTime.init)
                o.updatedAt = EngineTime(nanos: st.5)
            }
            c.isPaymentDone = s.int(6) != 0
            c.outcome = s.optionalString(7)
            c.failureCode = s.optionalString(8)
            c.doneAt = s.optionalInt(9).map(EngineTime.init)
            if let no = s.optionalInt(10) {
                let id = s.blob(11)
                if id.count == 16 {
                    let high = id[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    let low = id[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                    c.trace = TraceRef(no: no, high: high, low: low, startedAt: s.int(12))
                }
            }
            c.persisted = true
            live[id] = c
        }
    }

    private func restoreMessages() throws {
        let s = try reader.cached("""
            SELECT message_id, queue_name, source_queue, checkout_id, body, sent_at, visible_at, receive_count,
                   first_received_at, moved_at, last_error, attributes
            FROM queue_message ORDER BY sent_at, message_id
            """)
        while try s.step() {
            guard let q = QueueName(rawValue: s.string(1)), let source = QueueName(rawValue: s.string(2)) else {
                throw StoreError.failed("queue_message \(s.string(0)) names an unknown queue")
            }
            let body = (try? JSONValue.parse(s.string(4))) ?? .null
            let payload: MessagePayload
            if source == .execution {
                payload = .execute
            } else if body["status"]?.stringValue == "SUCCESS" {
                payload = .result(.success(pspReference: body["psp_reference"]?.stringValue ?? ""))
            } else {
                payload = .result(.failed(code: body["error_code"]?.stringValue ?? "UNKNOWN"))
            }
            let checkoutID = s.string(3)
            guard let c = live[checkoutID] else {
                throw StoreError.failed("queue_message \(s.string(0)) names checkout \(checkoutID), which is not in payment_event")
            }
            let m = QueueMessage(
                restoring: s.string(0), queue: q, sourceQueue: source, checkoutID: checkoutID, payload: payload,
                sentAt: EngineTime(nanos: s.int(5)), visibleAt: EngineTime(nanos: s.int(6)), receiveCount: Int(s.int(7)),
                firstReceivedAt: s.optionalInt(8).map(EngineTime.init), movedAt: s.optionalInt(9).map(EngineTime.init),
                lastError: s.optionalString(10), context: Engine.context(fromAttributes: s.string(11), of: c))
            queue(q).restore(m)
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
        let s = try c.cached("SELECT series_id, name, dimensions, kind FROM metric_series")
        while try s.step() {
            m.restoreSeries(id: Int(s.int(0)), name: s.string(1), dimensions: s.string(2), kind: s.string(3))
        }
        s.reset()
    }

    private func restoreWallets() throws {
        let s = try reader.cached("SELECT merchant_id, currency, balance FROM wallet")
        while try s.step() {
            guard let m = Money(decimalString: s.string(2)) else {
                throw StoreError.failed("wallet \(s.string(0)) \(s.string(1)) has a damaged balance")
            }
            wallets[WalletKey(merchant: s.string(0), currency: s.string(1))] = m
        }
    }

    private func restorePspCharges() throws {
        let s = try reader.cached("""
            SELECT idempotency_key, psp_reference, status, decline_code, amount FROM psp_charge
            WHERE idempotency_key IN (SELECT checkout_id FROM payment_event
                                      WHERE is_payment_done = 0 OR checkout_id IN (SELECT checkout_id FROM queue_message))
            """)
        while try s.step() {
            let outcome: PspSimulator.Outcome = s.string(2) == "SUCCEEDED"
                ? .succeeded(reference: s.string(1)) : .declined(code: s.optionalString(3) ?? "CARD_DECLINED")
            psp.charges[s.string(0)] = PspSimulator.Charge(outcome: outcome, amount: Money(decimalString: s.string(4)) ?? .zero)
        }
    }

    // MARK: Run metadata (not part of the deterministic content)

    static func wallClockMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func recordRunStart(_ c: Connection, mode: EngineClock.Mode, engineStart: EngineTime) throws -> Int64 {
        let s = try c.cached("""
            INSERT INTO run (mode, paytop_version, started_wall, heartbeat_wall, engine_start, pid)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        let wall = wallClockMillis()
        s.bind(1, mode == .live ? "live" : "simulated").bind(2, PaytopVersion.current).bind(3, wall).bind(4, wall)
            .bind(5, engineStart.nanos).bind(6, Int64(getpid()))
        try s.run()
        return c.lastInsertRowID
    }

    /// The pid of an engine that is running on this store right now (a run not ended,
    /// with a heartbeat in the last 5 s, whose process is alive), if any.
    static func liveEngine(on c: Connection) throws -> Int64? {
        let s = try c.cached("SELECT pid, heartbeat_wall FROM run WHERE ended_wall IS NULL ORDER BY run_id DESC LIMIT 1")
        defer { s.reset() }
        guard try s.step() else { return nil }
        let pid = s.int(0), beat = s.int(1)
        guard wallClockMillis() - beat < 5_000, pid != Int64(getpid()), kill(pid_t(pid), 0) == 0 else { return nil }
        return pid
    }

    /// Tells readers (the CLI's control commands) that an engine is alive on this store.
    public func recordHeartbeat() throws {
        let s = try reader.cached("UPDATE run SET heartbeat_wall = ?, engine_end = ? WHERE run_id = ?")
        s.bind(1, Engine.wallClockMillis()).bind(2, now.nanos).bind(3, runID)
        try s.run()
    }

    func recordRunEnd() throws {
        let s = try reader.cached("UPDATE run SET ended_wall = ?, heartbeat_wall = ?, engine_end = ? WHERE run_id = ?")
        let wall = Engine.wallClockMillis()
        s.bind(1, wall).bind(2, wall).bind(3, now.nanos).bind(4, runID)
        try s.run()
    }
}

public enum PaytopVersion {
    public static let current = "0.1.0"
}
