import PaytopJSON
import PaytopVocabulary

/// Which checkouts are behind a figure: those whose request arrived in a window and that
/// match every filter given, newest first (`paytop checkouts`, the console's drill lists).
/// The most selective index the filter allows drives the search — an error code's events
/// by trace (`business_event_error_trace`), a window's error events and failed batch
/// invocations (`business_event_error`, `trace_started`), a function's work, a merchant's
/// orders (`payment_order_seller`), cold spans (`span_cold`), badly answered requests
/// (`span_first_bad`), the slow and failed (`payment_event_affected`, `payment_event_open`),
/// the failed (`payment_event_failed`), the open, or the window's traces — and each
/// candidate is read by its key and kept when every other filter holds, until `limit`
/// (docs/drill.md has the table).
public enum CheckoutSearch {
    public struct Filter: Sendable, Equatable {
        /// Its request arrived (its trace started) in [from, to], engine ns.
        public var from: Int64?, to: Int64?
        public var state: PaymentState?
        /// SUCCESS or FAILED (the checkout's end; nil: any, open ones included).
        public var outcome: String?
        /// A business event of the checkout carries this code.
        public var errorCode: String?
        /// Lost at this stage (`LossStage.of` its failure).
        public var stage: LossStage?
        /// An order of the checkout is for this merchant.
        public var merchant: String?
        public var currency: String?
        /// A function of the pipeline served the checkout at this version.
        public var release: Release?
        /// End to end (to the store's clock for one in flight) longer than this, ns.
        public var slowerThan: Int64?
        /// An invocation that served it was a cold start (of `invocationsOf`, when given).
        public var cold = false
        /// Served by this function: listed by how long the function worked on each (its
        /// invocation, or its record's processing in a batch), longest first — or, with
        /// `cold`, newest first among those a cold start of it served.
        public var invocationsOf: FunctionName?
        /// What a problem's impact counts: failed other than by a business decline, or
        /// slower than the settlement objective (to the store's clock while in flight).
        public var affected = false
        /// An error other than a business decline was recorded for it in this window, engine
        /// ns — a business event with a code (a PSP or validation error, a failure) or a
        /// failed span of its trace (a function's failed record): what an errors chart's
        /// bucket counted.
        public var erredBetween: ClosedRange<Int64>?
        /// A bad event of this SLO (what its budget burned on): settlement, dead-lettered
        /// or slower than the objective; payment success, failed other than by a decline;
        /// API latency, answered after 300 ms, with a 5xx or a 429.
        public var badFor: SloName?
        /// It failed with this code ("none": without one), as the comparison names failures.
        public var failureCode: String?
        /// Its amount total in this band (`ProblemAnalysis.band`, as the comparison groups them).
        public var amountBand: String?
        public var sort: Sort = .newest
        /// At most this many (0: all).
        public var limit = 100

        public init() {}
    }

    /// Newest first, or the slowest (end to end, longest first; every match is read to
    /// find them).
    public enum Sort: String, Sendable, CaseIterable { case newest, slowest }

    /// A function's release: executor 1.3.0.
    public struct Release: Sendable, Equatable {
        public var function: FunctionName
        public var version: String
        public init(_ function: FunctionName, _ version: String) { self.function = function; self.version = version }
    }

    public struct Row: Sendable, Equatable {
        public var checkoutID: String
        public var state: PaymentState
        public var outcome: String?
        public var amountTotal: String
        public var currency: String
        public var createdAt: Int64
        public var doneAt: Int64?
        /// End to end: to the end, or to the store's clock while in flight.
        public var durationNanos: Int64
        public var errorCode: String?
        public var merchants: [String]
        public var orders: Int
        var traceNo: Int64?
        /// When its request arrived (its trace's start): what windows and "newest" go by.
        public var arrivedAt: Int64
    }

    /// The matching checkouts, newest first, in one read transaction.
    public static func find(_ c: Connection, _ f: Filter) throws -> [Row] {
        try c.read {
            let now = try StoredEngineState.load(c).now
            var out: [Row] = []
            var seen = Set<String>()
            let limit = f.limit > 0 ? f.limit : Int.max
            try candidates(c, f, now: now) { id in
                guard seen.insert(id).inserted, let row = try row(c, id, now: now), try keep(c, row, f) else { return true }
                out.append(row)
                return f.sort == .slowest || out.count < limit
            }
            guard f.sort == .slowest else { return out }
            out.sort { ($0.durationNanos, $0.arrivedAt) > ($1.durationNanos, $1.arrivedAt) }
            return Array(out.prefix(limit))
        }
    }

    /// Calls `visit` with candidate ids, newest first, until it returns false. The driver is
    /// the most selective index the filter allows; the window bounds it where it can (a
    /// checkout's events, orders, retries and batch invocations all come after its arrival).
    static func candidates(_ c: Connection, _ f: Filter, now: Int64, _ visit: (String) throws -> Bool) throws {
        let from = f.from ?? Int64.min, to = f.to ?? Int64.max
        // The window's trace numbers: from its first trace on (nil bounds: all of them).
        let window = f.from == nil && f.to == nil ? nil : try TraceRange.of(c, from: from, to: to)
        if (f.from != nil || f.to != nil) && window == nil { return }
        let low = window?.lowerBound ?? Int64.min, high = window?.upperBound ?? Int64.max
        let s: Statement
        if let code = f.errorCode {
            // The code's events of the window's traces, newest trace first.
            s = try c.cached("""
                SELECT coalesce(e.checkout_id, t.checkout_id) FROM business_event_data e LEFT JOIN trace t ON t.trace_no = e.trace_no
                WHERE e.error_code = ?1 AND e.trace_no BETWEEN ?2 AND ?3 AND coalesce(e.checkout_id, t.checkout_id) IS NOT NULL
                ORDER BY e.trace_no DESC
                """)
            s.bind(1, code).bind(2, low).bind(3, high)
        } else if let erred = f.erredBetween {
            // Each error code's events of the window (a loose scan: one seek per code), and the
            // checkouts of the batch invocations that started in it or a minute before (a
            // function's failed record is an error span in its checkout's trace, no event);
            // `keep` checks each against the window exactly.
            s = try c.cached("""
                WITH RECURSIVE codes(code) AS (
                    SELECT min(error_code) FROM business_event_data WHERE error_code IS NOT NULL
                    UNION ALL
                    SELECT (SELECT min(error_code) FROM business_event_data WHERE error_code > codes.code) FROM codes WHERE codes.code IS NOT NULL)
                SELECT id FROM (
                    SELECT coalesce(e.checkout_id, t.checkout_id) AS id, e.biz_timestamp AS at FROM codes
                    JOIN business_event_data e ON e.error_code = codes.code LEFT JOIN trace t ON t.trace_no = e.trace_no
                    WHERE e.biz_timestamp BETWEEN ?1 AND ?2 AND e.error_category IS NOT ?3
                    UNION ALL
                    SELECT DISTINCT lt.checkout_id, b.started_at FROM trace b JOIN span_link_data l ON l.trace_no = b.trace_no
                    JOIN trace lt ON lt.trace_no = l.linked_trace_no
                    WHERE b.started_at BETWEEN ?1 - 60000000000 AND ?2 AND b.checkout_id IS NULL)
                WHERE id IS NOT NULL ORDER BY at DESC
                """)
            s.bind(1, erred.lowerBound).bind(2, erred.upperBound).bind(3, ErrorCategory.business.rawValue)
        } else if let fn = f.invocationsOf, !f.cold {
            // The function's work on each checkout of the window: its invocation (the
            // initializer) or its record's processing (a batch's), longest first.
            s = try c.cached("""
                SELECT t.checkout_id FROM span_data d JOIN trace t ON t.trace_no = d.trace_no JOIN span_name n ON n.name_code = d.name_code
                WHERE d.trace_no BETWEEN ?1 AND ?2 AND t.checkout_id IS NOT NULL AND n.kind IN ('SERVER', 'CONSUMER')
                  AND d.service_code IN (SELECT service_code FROM service_version WHERE service_name IN (?3, ?4))
                ORDER BY d.duration_ns DESC, d.trace_no DESC
                """)
            s.bind(1, low).bind(2, high).bind(3, fn.rawValue).bind(4, fn.deployedName)
        } else if let merchant = f.merchant {
            // Orders are created just after their checkout's request arrived: the window,
            // a minute wider at its end, holds every order of the window's checkouts.
            s = try c.cached("""
                SELECT checkout_id FROM payment_order WHERE seller_account = ?1 AND created_at BETWEEN ?2 AND ?3
                ORDER BY created_at DESC
                """)
            s.bind(1, merchant).bind(2, from).bind(3, to > Int64.max - 60_000_000_000 ? to : to + 60_000_000_000)
        } else if f.cold {
            // A cold span (of the function, when given) in the checkout's own trace, or in a
            // batch invocation linked to it.
            s = try c.cached("""
                SELECT coalesce(t.checkout_id, lt.checkout_id) FROM span_data d JOIN trace t ON t.trace_no = d.trace_no
                LEFT JOIN span_link_data l ON l.trace_no = d.trace_no AND l.span_id = d.span_id
                LEFT JOIN trace lt ON lt.trace_no = l.linked_trace_no
                WHERE instr(d.attributes, '"faas.coldstart":true') > 0 AND d.trace_no >= ?1
                  AND coalesce(t.checkout_id, lt.checkout_id) IS NOT NULL
                  AND (?2 IS NULL OR d.service_code IN (SELECT service_code FROM service_version WHERE service_name IN (?2, ?3)))
                ORDER BY d.trace_no DESC
                """)
            s.bind(1, low).bind(2, f.invocationsOf?.rawValue).bind(3, f.invocationsOf?.deployedName)
        } else if f.badFor == .apiLatency {
            // The traces whose first span is an HTTP request that answered slowly, failed or
            // was throttled (`keep` checks the API's own span); the partial index's WHERE
            // word for word.
            s = try c.cached("""
                SELECT t.checkout_id FROM span_data d JOIN trace t ON t.trace_no = d.trace_no
                WHERE d.trace_no BETWEEN ?1 AND ?2 AND t.checkout_id IS NOT NULL
                  AND start_offset_ns = 0 AND instr(attributes, '"http.response.status_code":') > 0
                  AND (duration_ns > 300000000 OR status = 2 OR instr(attributes, '"http.response.status_code":429') > 0)
                ORDER BY d.trace_no DESC
                """)
            s.bind(1, low).bind(2, high)
        } else if f.affected || (f.slowerThan ?? 0) >= ProblemAnalysis.delayedAfter || f.badFor == .settlement {
            // Slower than the settlement objective: ended slow or failed, or open and late.
            s = try c.cached("""
                SELECT checkout_id FROM (
                    SELECT checkout_id, trace_no FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(ProblemAnalysis.endedAffected)
                    UNION ALL SELECT checkout_id, trace_no FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND \(ProblemAnalysis.openLate))
                ORDER BY trace_no DESC
                """)
            s.bind(1, low).bind(2, high).bind(3, now)
        } else if f.outcome == PaymentState.failed.rawValue || f.stage != nil || f.state == .failed || f.badFor == .paymentSuccess
                    || f.failureCode != nil {
            s = try c.cached("""
                SELECT checkout_id FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND outcome = 'FAILED' ORDER BY trace_no DESC
                """)
            s.bind(1, low).bind(2, high)
        } else if let state = f.state, state != .success {
            s = try c.cached("""
                SELECT checkout_id FROM payment_event WHERE trace_no BETWEEN ?1 AND ?2 AND is_payment_done = 0 ORDER BY trace_no DESC
                """)
            s.bind(1, low).bind(2, high)
        } else {
            s = try c.cached("""
                SELECT checkout_id FROM trace WHERE started_at BETWEEN ?1 AND ?2 AND checkout_id IS NOT NULL
                ORDER BY started_at DESC, trace_no DESC
                """)
            s.bind(1, from).bind(2, to)
        }
        defer { s.reset() }
        while try s.step() {
            guard try visit(s.string(0)) else { return }
        }
    }

    static func row(_ c: Connection, _ id: String, now: Int64) throws -> Row? {
        let s = try c.cached("""
            SELECT is_payment_done, outcome, amount_total, currency, created_at, done_at, failure_code, seller_info, order_count,
                   (SELECT queue_name FROM queue_message m WHERE m.checkout_id = p.checkout_id ORDER BY sent_at DESC LIMIT 1),
                   trace_no, (SELECT started_at FROM trace t WHERE t.trace_no = p.trace_no)
            FROM payment_event p WHERE checkout_id = ?
            """)
        s.bind(1, id)
        defer { s.reset() }
        guard try s.step() else { return nil }
        let done = s.int(0) != 0
        let outcome = s.optionalString(1)
        let created = s.int(4), doneAt = s.optionalInt(5)
        let sellers = (try? JSONValue.parse(s.string(7)))?.objectValue?.values.compactMap(\.stringValue) ?? []
        return Row(checkoutID: id,
                   state: PaymentState(isPaymentDone: done, outcome: outcome, latestQueue: s.optionalString(9).flatMap(QueueName.init(rawValue:))),
                   outcome: outcome, amountTotal: s.string(2), currency: s.string(3), createdAt: created, doneAt: doneAt,
                   durationNanos: (doneAt ?? max(now, created)) - created, errorCode: s.optionalString(6),
                   merchants: Array(Set(sellers)).sorted(), orders: Int(s.int(8)), traceNo: s.optionalInt(10), arrivedAt: s.optionalInt(11) ?? created)
    }

    /// Every filter but the error code's, which always drives when given (its candidates
    /// have it); the merchant's and the window's are checked again, cheaply.
    static func keep(_ c: Connection, _ r: Row, _ f: Filter) throws -> Bool {
        if let from = f.from, r.arrivedAt < from { return false }
        if let to = f.to, r.arrivedAt > to { return false }
        if let s = f.state, r.state != s { return false }
        if let o = f.outcome, r.outcome != o { return false }
        if let cur = f.currency, r.currency != cur { return false }
        if let m = f.merchant, !r.merchants.contains(m) { return false }
        if let stage = f.stage {
            guard r.outcome == PaymentState.failed.rawValue, LossStage.of(event: .checkoutFailed, errorCode: r.errorCode) == stage else { return false }
        }
        if let slower = f.slowerThan, r.durationNanos <= slower { return false }
        if f.affected {
            let failed = r.outcome == PaymentState.failed.rawValue && !(r.errorCode.map(DeclineCode.all.contains) ?? false)
            guard failed || r.durationNanos > ProblemAnalysis.delayedAfter else { return false }
        }
        if let code = f.failureCode, r.outcome != PaymentState.failed.rawValue || (r.errorCode ?? "none") != code { return false }
        if let band = f.amountBand, ProblemAnalysis.band(Money(decimalString: r.amountTotal) ?? .zero) != band { return false }
        switch f.badFor {
        case .settlement?: guard r.state == .deadLettered || r.durationNanos > ProblemAnalysis.delayedAfter else { return false }
        case .paymentSuccess?:
            guard r.outcome == PaymentState.failed.rawValue, !(r.errorCode.map(DeclineCode.all.contains) ?? false) else { return false }
        case .apiLatency?: guard try answeredBadly(c, r) else { return false }
        case nil: break
        }
        if let erred = f.erredBetween {
            let s = try c.cached("""
                SELECT 1 FROM business_event_data WHERE trace_no = ?1 AND error_code IS NOT NULL AND biz_timestamp BETWEEN ?2 AND ?3
                  AND error_category IS NOT ?4
                UNION ALL
                SELECT 1 FROM span_data s JOIN trace t ON t.trace_no = s.trace_no
                WHERE s.trace_no = ?1 AND s.status = 2 AND t.started_at + s.start_offset_ns BETWEEN ?2 AND ?3
                LIMIT 1
                """)
            s.bind(1, r.traceNo ?? -1).bind(2, erred.lowerBound).bind(3, erred.upperBound).bind(4, ErrorCategory.business.rawValue)
            defer { s.reset() }
            guard try s.step() else { return false }
        }
        if let release = f.release {
            let s = try c.cached("""
                SELECT 1 FROM business_event_data e JOIN service_version v ON v.service_code = e.service_code
                WHERE e.trace_no = ?1 AND v.service_name IN (?2, ?3) AND v.service_version = ?4 LIMIT 1
                """)
            s.bind(1, r.traceNo ?? -1).bind(2, release.function.rawValue).bind(3, release.function.deployedName).bind(4, release.version)
            defer { s.reset() }
            guard try s.step() else { return false }
        }
        if let fn = f.invocationsOf, !f.cold {
            let s = try c.cached("""
                SELECT 1 FROM span_data d JOIN span_name n ON n.name_code = d.name_code WHERE d.trace_no = ?1 AND n.kind IN ('SERVER', 'CONSUMER')
                  AND d.service_code IN (SELECT service_code FROM service_version WHERE service_name IN (?2, ?3)) LIMIT 1
                """)
            s.bind(1, r.traceNo ?? -1).bind(2, fn.rawValue).bind(3, fn.deployedName)
            defer { s.reset() }
            guard try s.step() else { return false }
        }
        if f.cold {
            // Its own invocations (the initializer), or a batch invocation that took its message
            // (of the function, when given).
            let s = try c.cached("""
                SELECT 1 FROM span_data s WHERE s.trace_no = ?1 AND instr(s.attributes, '"faas.coldstart":true') > 0
                  AND (?2 IS NULL OR s.service_code IN (SELECT service_code FROM service_version WHERE service_name IN (?2, ?3)))
                UNION ALL
                SELECT 1 FROM span_link_data l JOIN span_data s ON s.trace_no = l.trace_no AND s.span_id = l.span_id
                WHERE l.linked_trace_no = ?1 AND instr(s.attributes, '"faas.coldstart":true') > 0
                  AND (?2 IS NULL OR s.service_code IN (SELECT service_code FROM service_version WHERE service_name IN (?2, ?3)))
                LIMIT 1
                """)
            s.bind(1, r.traceNo ?? -1).bind(2, f.invocationsOf?.rawValue).bind(3, f.invocationsOf?.deployedName)
            defer { s.reset() }
            guard try s.step() else { return false }
        }
        return true
    }

    /// The API latency SLO's bad event: its request answered after 300 ms, or with a 5xx
    /// (the span's error) or a 429.
    static func answeredBadly(_ c: Connection, _ r: Row) throws -> Bool {
        let s = try c.cached("""
            SELECT s.duration_ns, s.status, coalesce(instr(s.attributes, '"http.response.status_code":429'), 0) FROM span_data s
            JOIN span_name n ON n.name_code = s.name_code WHERE s.trace_no = ?1 AND n.name = ?2 LIMIT 1
            """)
        s.bind(1, r.traceNo ?? -1).bind(2, PipelineNames.paymentsRequestSpan)
        defer { s.reset() }
        guard try s.step() else { return false }
        return s.int(0) > apiLatencyObjective || s.int(1) == 2 || s.int(2) > 0
    }

    /// The API latency SLO's threshold, ns (the v10 index's 300000000).
    public static let apiLatencyObjective: Int64 = 300_000_000
}
