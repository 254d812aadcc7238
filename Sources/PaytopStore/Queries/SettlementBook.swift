import PaytopVocabulary

/// The PSP's settlement batches: closing one (its lines, its deferred charges and the
/// ledger's settlement postings, in one transaction) and reading them back for reports.
public enum SettlementBook {
    /// A batch being closed: what it may settle, and where its rows go. Lives only inside
    /// `close`'s transaction.
    public final class Closing {
        let c: Connection

        init(_ c: Connection) { self.c = c }

        /// The PSP's successful charges completed in [from, before), in the order of their
        /// idempotency keys (the table's own order: no sort, whatever the batch's size).
        public func forEachCharge(completedFrom from: Int64, before: Int64, _ body: (SettlingCharge) throws -> Void) throws {
            let s = try c.cached("""
                SELECT idempotency_key, psp_reference, checkout_id, amount, currency, completed_at FROM psp_charge
                WHERE status = 'SUCCEEDED' AND completed_at >= ? AND completed_at < ? ORDER BY idempotency_key
                """)
            s.bind(1, from).bind(2, before)
            defer { s.reset() }
            while try s.step() { try body(try SettlementBook.charge(s)) }
        }

        /// Charges an earlier batch deferred to `batchNo` (the drift rehearsal's late lines).
        public func deferredCharges(to batchNo: Int64) throws -> [SettlingCharge] {
            let s = try c.cached("""
                SELECT p.idempotency_key, p.psp_reference, p.checkout_id, p.amount, p.currency, p.completed_at
                FROM settlement_deferred d JOIN psp_charge p ON p.idempotency_key = d.idempotency_key
                WHERE d.batch_no = ? ORDER BY p.completed_at, p.idempotency_key
                """)
            s.bind(1, batchNo)
            defer { s.reset() }
            return try s.all { try SettlementBook.charge($0) }
        }

        public func insert(_ l: SettlementLineRow) throws {
            let s = try c.cached("""
                INSERT INTO settlement_line (batch_no, line_no, type, psp_reference, merchant_reference, payment_method,
                    created_at, gross_currency, gross_credit, net_currency, net_debit, net_credit, commission, markup,
                    scheme_fees, interchange) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            let settled = l.type == .settled
            s.bind(1, l.batchNo).bind(2, l.lineNo).bind(3, l.type.rawValue).bind(4, l.pspReference)
                .bind(5, l.merchantReference).bind(6, l.paymentMethod).bind(7, l.createdAt).bind(8, l.grossCurrency)
                .bind(9, l.grossCredit?.description).bind(10, l.netCurrency).bind(11, l.netDebit?.description)
                .bind(12, l.netCredit?.description).bind(13, settled ? l.fees.commission.description : nil)
                .bind(14, settled ? l.fees.markup.description : nil).bind(15, settled ? l.fees.schemeFees.description : nil)
                .bind(16, settled ? l.fees.interchange.description : nil)
            try s.run()
        }

        public func deferCharge(idempotencyKey: String, to batchNo: Int64) throws {
            let s = try c.cached("INSERT OR REPLACE INTO settlement_deferred (idempotency_key, batch_no) VALUES (?, ?)")
            s.bind(1, idempotencyKey).bind(2, batchNo)
            try s.run()
        }

        public func insert(_ e: SettlementEntryRow) throws {
            let s = try c.cached("""
                INSERT INTO settlement_entry (batch_no, currency, account, direction, amount, created_at) VALUES (?,?,?,?,?,?)
                """)
            s.bind(1, e.batchNo).bind(2, e.currency).bind(3, e.account).bind(4, try CheckedColumns.settlementDirection(e.direction)).bind(5, e.amount.description)
                .bind(6, e.createdAt)
            try s.run()
        }

        func insert(_ b: SettlementBatchRow) throws {
            let s = try c.cached("""
                INSERT INTO settlement_batch (batch_no, period_start, period_end, closed_at, settled_lines) VALUES (?,?,?,?,?)
                """)
            s.bind(1, b.batchNo).bind(2, b.periodStart).bind(3, b.periodEnd).bind(4, b.closedAt).bind(5, b.settledLines)
            try s.run()
        }
    }

    /// Closes a batch in one transaction: `body` writes its lines and postings through the
    /// `Closing` and returns the batch row, which is written last.
    public static func close(_ c: Connection, _ body: (Closing) throws -> SettlementBatchRow) throws {
        try c.transaction {
            let closing = Closing(c)
            try closing.insert(try body(closing))
        }
    }

    /// The newest batch, if the PSP ever closed one.
    public static func lastBatch(_ c: Connection) throws -> SettlementBatchRow? {
        try batches(c, where: "batch_no = (SELECT max(batch_no) FROM settlement_batch)").first
    }

    public static func batch(_ c: Connection, number: Int64) throws -> SettlementBatchRow? {
        try batches(c, where: "batch_no = ?", number).first
    }

    /// The batches closed in [from, before) of engine time, oldest first.
    public static func batches(_ c: Connection, closedFrom from: Int64, before: Int64) throws -> [SettlementBatchRow] {
        try batches(c, where: "closed_at >= ? AND closed_at < ?", from, before)
    }

    /// Batches the reconciliation job has not reconciled yet, oldest first.
    public static func unreconciledBatches(_ c: Connection) throws -> [SettlementBatchRow] {
        try batches(c, where: "reconciled_at IS NULL")
    }

    /// Every batch, newest first, at most `limit`.
    public static func recentBatches(_ c: Connection, limit: Int) throws -> [SettlementBatchRow] {
        Array(try batches(c, where: "batch_no > coalesce((SELECT max(batch_no) FROM settlement_batch), 0) - ?", Int64(limit)).reversed())
    }

    private static func batches(_ c: Connection, where condition: String, _ a: Int64? = nil, _ b: Int64? = nil) throws -> [SettlementBatchRow] {
        let s = try c.cached("""
            SELECT batch_no, period_start, period_end, closed_at, settled_lines, reconciled_at, matched, mean_latency_ns
            FROM settlement_batch
            WHERE \(condition) ORDER BY batch_no
            """)
        if let a { s.bind(1, a) }
        if let b { s.bind(2, b) }
        defer { s.reset() }
        return try s.all {
            SettlementBatchRow(batchNo: $0.int(0), periodStart: $0.int(1), periodEnd: $0.int(2), closedAt: $0.int(3),
                               settledLines: Int($0.int(4)), reconciledAt: $0.optionalInt(5), matched: $0.optionalInt(6).map { Int($0) },
                               meanLatencyNanos: $0.optionalInt(7))
        }
    }

    /// A batch's lines in order (Settled lines, then its payouts).
    public static func forEachLine(_ c: Connection, batch: Int64, _ body: (SettlementLineRow) throws -> Void) throws {
        try forEachLine(c, batch: batch, settledOnly: false, body)
    }

    /// A batch's Settled lines in order.
    public static func forEachSettledLine(_ c: Connection, batch: Int64, _ body: (SettlementLineRow) throws -> Void) throws {
        try forEachLine(c, batch: batch, settledOnly: true, body)
    }

    private static func forEachLine(_ c: Connection, batch: Int64, settledOnly: Bool,
                                    _ body: (SettlementLineRow) throws -> Void) throws {
        let s = try c.cached("""
            SELECT \(lineColumns) FROM settlement_line l
            WHERE l.batch_no = ?\(settledOnly ? " AND l.type = 'Settled'" : "") ORDER BY l.line_no
            """)
        s.bind(1, batch)
        defer { s.reset() }
        while try s.step() { try body(try line(s, batch: batch)) }
    }

    /// A batch's Settled lines in order, each with the ledger's capture of the checkout
    /// its Merchant Reference names (nil when the ledger has none): the job's lookups
    /// done in one joined statement instead of one query per line.
    public static func forEachSettledLineWithCapture(_ c: Connection, batch: Int64,
                                                     _ body: (SettlementLineRow, LedgerCharge?) throws -> Void) throws {
        let s = try c.cached("""
            SELECT \(lineColumns), e.amount, e.currency, e.created_at FROM settlement_line l
            LEFT JOIN payment_order o ON o.checkout_id = l.merchant_reference
            LEFT JOIN ledger_entry e ON e.payment_order_id = o.payment_order_id AND e.direction = 'debit' AND e.account = ?
            WHERE l.batch_no = ? AND l.type = 'Settled' ORDER BY l.line_no
            """)
        s.bind(1, LedgerAccount.pspReceivable).bind(2, batch)
        defer { s.reset() }
        var pending: (SettlementLineRow, LedgerCharge?)?
        while try s.step() {
            let lineNo = s.int(0)
            var capture: LedgerCharge?
            if !s.isNull(15), let ref = s.optionalString(3) {
                capture = LedgerCharge(checkoutID: ref, amount: try CheckoutLookup.money(s.string(15)), currency: s.string(16),
                                       capturedAt: s.int(17))
            }
            if let p = pending, p.0.lineNo == lineNo {
                // Another order of the same checkout.
                if let more = capture { pending = (p.0, LedgerCharge.adding(more, to: p.1)) }
                continue
            }
            if let p = pending { try body(p.0, p.1) }
            pending = (try line(s, batch: batch), capture)
        }
        if let p = pending { try body(p.0, p.1) }
    }

    static let lineColumns = """
        l.line_no, l.type, l.psp_reference, l.merchant_reference, l.payment_method, l.created_at, l.gross_currency,
        l.gross_credit, l.net_currency, l.net_debit, l.net_credit, l.commission, l.markup, l.scheme_fees, l.interchange
        """

    static func line(_ s: Statement, batch: Int64) throws -> SettlementLineRow {
        func amount(_ i: Int32) throws -> Money? { try s.optionalString(i).map(CheckoutLookup.money) }
        let fees = SettlementFees(commission: try amount(11) ?? .zero, markup: try amount(12) ?? .zero,
                                  schemeFees: try amount(13) ?? .zero, interchange: try amount(14) ?? .zero)
        return SettlementLineRow(
            batchNo: batch, lineNo: s.int(0), type: SettlementLineType(rawValue: s.string(1)) ?? .settled,
            pspReference: s.string(2), merchantReference: s.optionalString(3), paymentMethod: s.optionalString(4),
            createdAt: s.int(5), grossCurrency: s.optionalString(6), grossCredit: try amount(7), netCurrency: s.string(8),
            netDebit: try amount(9), netCredit: try amount(10), fees: fees)
    }

    /// The ledger's settlement postings of one batch.
    public static func entries(_ c: Connection, batch: Int64) throws -> [SettlementEntryRow] {
        let s = try c.cached("""
            SELECT currency, account, direction, amount, created_at FROM settlement_entry WHERE batch_no = ? ORDER BY currency, account
            """)
        s.bind(1, batch)
        defer { s.reset() }
        return try s.all {
            SettlementEntryRow(batchNo: batch, currency: $0.string(0), account: $0.string(1), direction: $0.string(2),
                               amount: try CheckoutLookup.money($0.string(3)), createdAt: $0.int(4))
        }
    }

    static func charge(_ s: Statement) throws -> SettlingCharge {
        SettlingCharge(idempotencyKey: s.string(0), pspReference: s.string(1), checkoutID: s.string(2),
                       amount: try CheckoutLookup.money(s.string(3)), currency: s.string(4), completedAt: s.int(5))
    }
}
