import PaytopVocabulary

/// The ledger's side of reconciliation and the job's results: what the ledger captured,
/// how the pipeline stands with a checkout, which charges are reconciled, the mismatches.
public enum ReconciliationBook {
    /// Runs `body` in one write transaction: a run reads and records as of one instant.
    public static func transaction<T>(_ c: Connection, _ body: () throws -> T) throws -> T {
        try c.transaction(body)
    }

    /// Runs `body` in one read transaction.
    public static func read<T>(_ c: Connection, _ body: () throws -> T) throws -> T {
        try c.read(body)
    }

    /// The ledger's captures (debits of PSP receivable) made in [from, before) whose
    /// checkout no batch has reconciled yet, one row per order (a checkout of several
    /// orders comes as several rows, for the caller to sum). After a batch's lines are
    /// matched these are what the batch did not settle: normally a few.
    public static func forEachUnreconciledCapture(_ c: Connection, capturedFrom from: Int64, before: Int64,
                                                  _ body: (LedgerCharge) throws -> Void) throws {
        let s = try c.cached("""
            SELECT o.checkout_id, e.amount, e.currency, e.created_at
            FROM ledger_entry e JOIN payment_order o ON o.payment_order_id = e.payment_order_id
            WHERE e.account = ? AND e.direction = 'debit' AND e.created_at >= ? AND e.created_at < ?
              AND NOT EXISTS (SELECT 1 FROM reconciled_charge r WHERE r.checkout_id = o.checkout_id)
            """)
        s.bind(1, LedgerAccount.pspReceivable).bind(2, from).bind(3, before)
        defer { s.reset() }
        while try s.step() {
            try body(LedgerCharge(checkoutID: s.string(0), amount: try CheckoutLookup.money(s.string(1)), currency: s.string(2),
                                  capturedAt: s.int(3)))
        }
    }

    /// The ledger's captures of the charges the PSP completed in [from, before) (what a
    /// settlement report of that period should hold), one per checkout.
    public static func ledgerCharges(_ c: Connection, chargedFrom from: Int64, before: Int64) throws -> [LedgerCharge] {
        let s = try c.cached("""
            SELECT o.checkout_id, e.amount, e.currency, e.created_at
            FROM psp_charge p JOIN payment_order o ON o.checkout_id = p.checkout_id
            JOIN ledger_entry e ON e.payment_order_id = o.payment_order_id AND e.direction = 'debit'
            WHERE p.status = 'SUCCEEDED' AND p.completed_at >= ? AND p.completed_at < ? AND e.account = ?
            ORDER BY o.checkout_id
            """)
        s.bind(1, from).bind(2, before).bind(3, LedgerAccount.pspReceivable)
        defer { s.reset() }
        var out: [LedgerCharge] = []
        while try s.step() {
            let order = LedgerCharge(checkoutID: s.string(0), amount: try CheckoutLookup.money(s.string(1)), currency: s.string(2),
                                     capturedAt: s.int(3))
            if let last = out.last, last.checkoutID == order.checkoutID { out[out.count - 1] = last.adding(order) } else { out.append(order) }
        }
        return out
    }

    /// The ledger's capture of one checkout, whenever it was made.
    public static func ledgerCharge(_ c: Connection, checkoutID: String) throws -> LedgerCharge? {
        let s = try c.cached("""
            SELECT e.amount, e.currency, e.created_at
            FROM payment_order o JOIN ledger_entry e ON e.payment_order_id = o.payment_order_id AND e.direction = 'debit'
            WHERE o.checkout_id = ? AND e.account = ?
            """)
        s.bind(1, checkoutID).bind(2, LedgerAccount.pspReceivable)
        defer { s.reset() }
        var charge: LedgerCharge?
        while try s.step() {
            charge = LedgerCharge.adding(LedgerCharge(checkoutID: checkoutID, amount: try CheckoutLookup.money(s.string(0)),
                                                      currency: s.string(1), capturedAt: s.int(2)), to: charge)
        }
        return charge
    }

    /// The checkout the PSP charged under a PSP reference, if it knows the reference.
    public static func checkoutID(_ c: Connection, pspReference: String) throws -> String? {
        let s = try c.cached("SELECT checkout_id FROM psp_charge WHERE psp_reference = ? AND status = 'SUCCEEDED'")
        s.bind(1, pspReference)
        defer { s.reset() }
        return try s.step() ? s.string(0) : nil
    }

    /// How the pipeline stands with a checkout (for a settled line the ledger lacks). The
    /// PSP's idempotency key is the checkout_id, so its charge is found by primary key.
    public static func standing(_ c: Connection, checkoutID: String) throws -> CheckoutStanding {
        let s = try c.cached("""
            SELECT e.trace_no,
                   (SELECT count(*) FROM psp_charge p WHERE p.idempotency_key = e.checkout_id AND p.status = 'SUCCEEDED'),
                   (SELECT count(*) FROM payment_order o WHERE o.checkout_id = e.checkout_id AND o.payment_order_status = 'SUCCESS'),
                   (SELECT count(*) FROM payment_order o WHERE o.checkout_id = e.checkout_id AND o.wallet_updated = 1)
            FROM payment_event e WHERE e.checkout_id = ?
            """)
        s.bind(1, checkoutID)
        defer { s.reset() }
        guard try s.step() else { return .unknown }
        let trace = s.optionalInt(0)
        if s.int(3) > 0 { return .credited(traceNo: trace) }
        if s.int(1) > 0 && s.int(2) > 0 { return .capturedNotCredited(traceNo: trace) }
        return .notCharged(traceNo: trace)
    }

    /// The trace of a checkout's request, if telemetry recorded one.
    public static func traceNo(_ c: Connection, checkoutID: String) throws -> Int64? {
        let s = try c.cached("SELECT trace_no FROM payment_event WHERE checkout_id = ?")
        s.bind(1, checkoutID)
        defer { s.reset() }
        return try s.step() ? s.optionalInt(0) : nil
    }

    /// Open mismatches, oldest first.
    public static func openMismatches(_ c: Connection) throws -> [MismatchRow] {
        try mismatches(c, where: "status = 'open'", limit: Int64.max)
    }

    /// Mismatches, open ones first, then the most recently resolved, at most `limit`.
    public static func recentMismatches(_ c: Connection, limit: Int) throws -> [MismatchRow] {
        try mismatches(c, where: "1", order: "status = 'open' DESC, coalesce(resolved_at, first_seen) DESC, mismatch_id DESC",
                       limit: Int64(limit))
    }

    static func mismatches(_ c: Connection, where condition: String, order: String = "mismatch_id",
                                   limit: Int64) throws -> [MismatchRow] {
        let s = try c.cached("""
            SELECT mismatch_id, kind, checkout_id, psp_reference, ledger_amount, ledger_currency, psp_amount, psp_currency,
                   batch_no, line_no, first_seen, status, resolved_at, resolution, class
            FROM reconciliation_mismatch WHERE \(condition) ORDER BY \(order) LIMIT ?
            """)
        s.bind(1, limit)
        defer { s.reset() }
        return try s.all { s in
            guard let kind = MismatchKind(rawValue: s.string(1)) else {
                throw StoreError.failed("reconciliation_mismatch \(s.int(0)) has an unknown kind \(s.string(1))")
            }
            var row = MismatchRow(
                id: s.int(0), kind: kind, checkoutID: s.optionalString(2), pspReference: s.optionalString(3),
                ledgerAmount: try s.optionalString(4).map(CheckoutLookup.money), ledgerCurrency: s.optionalString(5),
                pspAmount: try s.optionalString(6).map(CheckoutLookup.money), pspCurrency: s.optionalString(7),
                batchNo: s.int(8), lineNo: s.optionalInt(9), firstSeen: s.int(10),
                status: MismatchStatus(rawValue: s.string(11)) ?? .open, resolvedAt: s.optionalInt(12), resolution: s.optionalString(13))
            row.mismatchClass = MismatchClass(rawValue: s.string(14)) ?? kind.mismatchClass
            return row
        }
    }

    // MARK: Recording a run (inside `transaction`)

    /// Records a match. Returns false, recording nothing, when a batch already reconciled
    /// this checkout's charge (the line is then a duplicate).
    @discardableResult
    public static func insert(_ m: ReconciledChargeRow, _ c: Connection) throws -> Bool {
        let s = try c.cached("""
            INSERT OR IGNORE INTO reconciled_charge (checkout_id, batch_no, line_no, matched_by, charged_at, captured_at,
                reconciled_at) VALUES (?,?,?,?,?,?,?)
            """)
        s.bind(1, m.checkoutID).bind(2, m.batchNo).bind(3, m.lineNo).bind(4, m.matchedBy.rawValue).bind(5, m.chargedAt)
            .bind(6, m.capturedAt).bind(7, m.reconciledAt)
        try s.run()
        return c.changes > 0
    }

    /// Appends a mismatch and returns its id.
    @discardableResult
    public static func insert(_ m: MismatchRow, _ c: Connection) throws -> Int64 {
        let s = try c.cached("""
            INSERT INTO reconciliation_mismatch (class, kind, checkout_id, psp_reference, ledger_amount, ledger_currency,
                psp_amount, psp_currency, batch_no, line_no, first_seen, status, resolved_at, resolution)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
        s.bind(1, m.mismatchClass.rawValue).bind(2, m.kind.rawValue).bind(3, m.checkoutID).bind(4, m.pspReference)
            .bind(5, m.ledgerAmount?.description).bind(6, m.ledgerCurrency).bind(7, m.pspAmount?.description)
            .bind(8, m.pspCurrency).bind(9, m.batchNo).bind(10, m.lineNo).bind(11, m.firstSeen)
            .bind(12, m.status.rawValue).bind(13, m.resolvedAt).bind(14, m.resolution)
        try s.run()
        return c.lastInsertRowID
    }

    /// Rewrites a mismatch's class, kind, amounts and status (a timing item that became
    /// not_settled, an item resolved).
    public static func update(_ m: MismatchRow, _ c: Connection) throws {
        let s = try c.cached("""
            UPDATE reconciliation_mismatch SET class = ?, kind = ?, psp_reference = ?, psp_amount = ?, psp_currency = ?,
                line_no = ?, status = ?, resolved_at = ?, resolution = ?, ledger_amount = ?, ledger_currency = ?
            WHERE mismatch_id = ?
            """)
        s.bind(1, m.mismatchClass.rawValue).bind(2, m.kind.rawValue).bind(3, m.pspReference).bind(4, m.pspAmount?.description)
            .bind(5, m.pspCurrency).bind(6, m.lineNo).bind(7, m.status.rawValue).bind(8, m.resolvedAt).bind(9, m.resolution)
            .bind(10, m.ledgerAmount?.description).bind(11, m.ledgerCurrency).bind(12, m.id)
        try s.run()
    }

    /// Marks a batch reconciled, with how many lines matched clean and the mean time from
    /// the PSP's charge to its reconciliation.
    public static func markReconciled(batch: Int64, at t: Int64, matched: Int, meanLatency: Int64?, _ c: Connection) throws {
        let s = try c.cached("UPDATE settlement_batch SET reconciled_at = ?, matched = ?, mean_latency_ns = ? WHERE batch_no = ?")
        s.bind(1, t).bind(2, matched).bind(3, meanLatency).bind(4, batch)
        try s.run()
    }

    public static func insert(_ r: ReconciliationRunRow, _ c: Connection) throws {
        let s = try c.cached("""
            INSERT INTO reconciliation_run (at, source, batches, lines, matched, found, resolved, alert_threshold)
            VALUES (?,?,?,?,?,?,?,?)
            """)
        s.bind(1, r.at).bind(2, r.source).bind(3, "[" + r.batches.map(String.init).joined(separator: ",") + "]")
            .bind(4, r.lines).bind(5, r.matched).bind(6, r.found).bind(7, r.resolved).bind(8, r.alertThreshold)
        try s.run()
    }
}
