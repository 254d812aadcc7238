import PaytopVocabulary

/// The money and state invariants every store must satisfy, checked from the tables
/// alone (so `paytop check` can audit any store, live or recorded):
///
/// 1. wallets: each wallet balance equals the sum of its credited SUCCESS orders;
/// 2. ledger: every transaction is one debit and one credit of the same amount, and per
///    currency debits equal credits;
/// 3. no double credit: at most one credit per payment order, and exactly the orders
///    marked wallet_updated have one;
/// 4. no lost checkout: every accepted checkout is done, or has a message in a queue
///    (in flight) or in a dead-letter queue;
/// 5. legal transitions: NOT_STARTED → EXECUTING → SUCCESS | FAILED, read from the
///    timestamps each transition writes, and checkout outcomes that agree with orders;
/// 6. the PSP agrees: SUCCESS orders were charged, FAILED orders were declined, and no
///    charge went to a checkout that ended FAILED. (paytop's idempotency key for a
///    charge is the checkout_id.)
/// 7. settlement receivable: each settlement posting balances (cash + fees = receivable)
///    and, for every reconciled batch and currency, the captures it reconciled less the
///    receivable it credited equal, to the cent, what the batch's mismatches explain
///    (an amount break's difference, the whole line of a duplicate or of a line the
///    ledger lacks). The ledger check (2) counts the settlement postings too.
public struct InvariantReport: Sendable {
    public struct Violation: Sendable, Equatable {
        public var invariant: String
        public var count: Int
        public var examples: [String]
    }

    public var violations: [Violation] = []
    public var checked: [String] = []
    public var counts: [String: Int] = [:]

    public var isClean: Bool { violations.isEmpty }
}

public enum InvariantCheck {
    public static let invariants = ["wallets", "ledger", "no-double-credit", "no-lost-checkout", "legal-transitions", "psp-agrees",
                                    "settlement-receivable"]

    /// How much of SQLite's own integrity check runs first.
    public enum Integrity: Sendable { case none, quick, full }

    /// The name a damaged file's violation is reported under.
    public static let integrity = "store-integrity"

    /// Checks the file first (unless `.none`): a damaged store is reported as such, and
    /// the invariants, which would read broken pages, are not run on it.
    public static func run(_ c: Connection, integrity check: Integrity = .quick) throws -> InvariantReport {
        if check != .none, let problem = try Store.integrityProblem(c, full: check == .full) { return damaged(problem) }
        return try c.read {
            var report = InvariantReport()
            report.checked = (check == .none ? [] : [integrity]) + invariants
            report.counts["checkouts"] = Int(try c.scalarInt("SELECT count(*) FROM payment_event") ?? 0)
            report.counts["orders"] = Int(try c.scalarInt("SELECT count(*) FROM payment_order") ?? 0)
            report.counts["ledger_entries"] = Int(try c.scalarInt("SELECT count(*) FROM ledger_entry") ?? 0)
            try checkWallets(c, &report)
            try checkLedger(c, &report)
            try checkSettlement(c, &report)
            try sqlCheck(c, &report, "no-double-credit", """
                SELECT payment_order_id || ': ' || count(*) || ' credits' FROM ledger_entry WHERE direction = 'credit'
                GROUP BY payment_order_id HAVING count(*) > 1
                UNION ALL
                SELECT o.payment_order_id || ': wallet_updated without a ledger credit' FROM payment_order o
                WHERE o.wallet_updated = 1 AND NOT EXISTS
                  (SELECT 1 FROM ledger_entry l WHERE l.payment_order_id = o.payment_order_id AND l.direction = 'credit')
                UNION ALL
                SELECT l.payment_order_id || ': ledger credit on an order not marked wallet_updated' FROM ledger_entry l
                JOIN payment_order o ON o.payment_order_id = l.payment_order_id
                WHERE l.direction = 'credit' AND o.wallet_updated = 0
                """)
            try sqlCheck(c, &report, "no-lost-checkout", """
                SELECT e.checkout_id || ': not done and no message in any queue' FROM payment_event e
                WHERE e.is_payment_done = 0
                  AND NOT EXISTS (SELECT 1 FROM queue_message m WHERE m.checkout_id = e.checkout_id)
                """)
            try sqlCheck(c, &report, "legal-transitions", """
                SELECT payment_order_id || ': ' || payment_order_status || ' ' || CASE
                    WHEN payment_order_status = 'NOT_STARTED' AND (executing_at IS NOT NULL OR completed_at IS NOT NULL)
                      THEN 'has execution timestamps'
                    WHEN payment_order_status = 'EXECUTING' AND (executing_at IS NULL OR completed_at IS NOT NULL)
                      THEN 'without executing_at or with completed_at'
                    WHEN payment_order_status IN ('SUCCESS','FAILED') AND (executing_at IS NULL OR completed_at IS NULL)
                      THEN 'never passed through EXECUTING'
                    WHEN completed_at < executing_at THEN 'completed before it executed'
                    WHEN wallet_updated = 1 AND payment_order_status != 'SUCCESS' THEN 'credited without SUCCESS'
                    ELSE 'ledger_updated differs from wallet_updated' END
                FROM payment_order
                WHERE (payment_order_status = 'NOT_STARTED' AND (executing_at IS NOT NULL OR completed_at IS NOT NULL))
                   OR (payment_order_status = 'EXECUTING' AND (executing_at IS NULL OR completed_at IS NOT NULL))
                   OR (payment_order_status IN ('SUCCESS','FAILED') AND (executing_at IS NULL OR completed_at IS NULL))
                   OR completed_at < executing_at
                   OR (wallet_updated = 1 AND payment_order_status != 'SUCCESS')
                   OR ledger_updated != wallet_updated
                UNION ALL
                SELECT e.checkout_id || ': done ' || coalesce(e.outcome, 'without an outcome') || ' but order '
                       || o.payment_order_id || ' is ' || o.payment_order_status
                       || CASE WHEN o.wallet_updated = 1 THEN ' (credited)' ELSE ' (not credited)' END
                FROM payment_event e JOIN payment_order o ON o.checkout_id = e.checkout_id
                WHERE e.is_payment_done = 1 AND NOT (
                    (e.outcome = 'SUCCESS' AND o.payment_order_status = 'SUCCESS' AND o.wallet_updated = 1)
                 OR (e.outcome = 'FAILED' AND o.payment_order_status = 'FAILED' AND o.wallet_updated = 0))
                UNION ALL
                SELECT checkout_id || ': has an outcome but is not done' FROM payment_event
                WHERE is_payment_done = 0 AND outcome IS NOT NULL
                """)
            try sqlCheck(c, &report, "psp-agrees", """
                SELECT e.checkout_id || ': orders SUCCESS without a PSP charge for ' || e.amount_total FROM payment_event e
                WHERE EXISTS (SELECT 1 FROM payment_order o WHERE o.checkout_id = e.checkout_id AND o.payment_order_status = 'SUCCESS')
                  AND NOT EXISTS (SELECT 1 FROM psp_charge p WHERE p.idempotency_key = e.checkout_id AND p.status = 'SUCCEEDED'
                                  AND p.amount = e.amount_total AND p.currency = e.currency)
                UNION ALL
                SELECT e.checkout_id || ': orders FAILED without a PSP decline' FROM payment_event e
                WHERE EXISTS (SELECT 1 FROM payment_order o WHERE o.checkout_id = e.checkout_id AND o.payment_order_status = 'FAILED')
                  AND NOT EXISTS (SELECT 1 FROM psp_charge p WHERE p.idempotency_key = e.checkout_id AND p.status = 'DECLINED')
                UNION ALL
                SELECT p.checkout_id || ': charged by the PSP but the checkout ended FAILED' FROM psp_charge p
                JOIN payment_event e ON e.checkout_id = p.idempotency_key
                WHERE p.status = 'SUCCEEDED' AND e.outcome = 'FAILED'
                """)
            return report
        }
    }

    /// The report on a store too damaged to check: SQLite's words for the first problem.
    public static func damaged(_ problem: String) -> InvariantReport {
        var report = InvariantReport()
        report.checked = [integrity]
        report.violations = [.init(invariant: integrity, count: 1, examples: [problem])]
        return report
    }

    static func sqlCheck(_ c: Connection, _ report: inout InvariantReport, _ name: String, _ sql: String) throws {
        let s = try c.cached(sql)
        var count = 0
        var examples: [String] = []
        while try s.step() {
            count += 1
            if examples.count < 5 { examples.append(s.string(0)) }
        }
        if count > 0 { report.violations.append(.init(invariant: name, count: count, examples: examples)) }
    }

    static func checkWallets(_ c: Connection, _ report: inout InvariantReport) throws {
        struct Key: Hashable { let merchant: String, currency: String }
        var credited: [Key: Money] = [:]
        let s = try c.cached("SELECT seller_account, currency, amount FROM payment_order WHERE wallet_updated = 1")
        var bad: [String] = []
        while try s.step() {
            guard let m = Money(decimalString: s.string(2)) else { bad.append("order amount \(s.string(2)) is not decimal"); continue }
            credited[Key(merchant: s.string(0), currency: s.string(1)), default: .zero] += m
        }
        var balances: [Key: Money] = [:]
        let w = try c.cached("SELECT merchant_id, currency, balance FROM wallet")
        while try w.step() {
            guard let m = Money(decimalString: w.string(2)) else { bad.append("wallet balance \(w.string(2)) is not decimal"); continue }
            balances[Key(merchant: w.string(0), currency: w.string(1))] = m
        }
        for key in Set(credited.keys).union(balances.keys).sorted(by: { ($0.merchant, $0.currency) < ($1.merchant, $1.currency) }) {
            let have = balances[key] ?? .zero, want = credited[key] ?? .zero
            if have != want { bad.append("\(key.merchant) \(key.currency): balance \(have), credited orders \(want)") }
        }
        if !bad.isEmpty { report.violations.append(.init(invariant: "wallets", count: bad.count, examples: Array(bad.prefix(5)))) }
    }

    static func checkLedger(_ c: Connection, _ report: inout InvariantReport) throws {
        var bad: [String] = []
        var debits: [String: Money] = [:], credits: [String: Money] = [:]
        let s = try c.cached("SELECT direction, amount, currency FROM ledger_entry")
        while try s.step() {
            guard let m = Money(decimalString: s.string(1)) else { bad.append("ledger amount \(s.string(1)) is not decimal"); continue }
            if s.string(0) == "debit" { debits[s.string(2), default: .zero] += m } else { credits[s.string(2), default: .zero] += m }
        }
        let e = try c.cached("SELECT direction, amount, currency FROM settlement_entry")
        while try e.step() {
            guard let m = Money(decimalString: e.string(1)) else { bad.append("settlement amount \(e.string(1)) is not decimal"); continue }
            if e.string(0) == "debit" { debits[e.string(2), default: .zero] += m } else { credits[e.string(2), default: .zero] += m }
        }
        for cur in Set(debits.keys).union(credits.keys).sorted() where debits[cur] != credits[cur] {
            bad.append("\(cur): debits \(debits[cur] ?? .zero) ≠ credits \(credits[cur] ?? .zero)")
        }
        let t = try c.cached("""
            SELECT transaction_id FROM ledger_entry GROUP BY transaction_id
            HAVING count(*) != 2 OR sum(direction = 'debit') != 1 OR min(amount) != max(amount) OR min(currency) != max(currency)
            LIMIT 1000
            """)
        while try t.step() { bad.append("transaction \(t.string(0)) is not one balanced debit/credit pair") }
        if !bad.isEmpty { report.violations.append(.init(invariant: "ledger", count: bad.count, examples: Array(bad.prefix(5)))) }
    }

    static func checkSettlement(_ c: Connection, _ report: inout InvariantReport) throws {
        struct Key: Hashable, Comparable {
            let batch: Int64, currency: String
            static func < (a: Key, b: Key) -> Bool { (a.batch, a.currency) < (b.batch, b.currency) }
        }
        var bad: [String] = []
        func money(_ s: Statement, _ i: Int32) -> Money? {
            guard let m = Money(decimalString: s.string(i)) else { bad.append("amount \(s.string(i)) is not decimal"); return nil }
            return m
        }
        var posted: [Key: (debit: Money, credit: Money)] = [:]
        var residue: [Key: Money] = [:]
        let p = try c.cached("SELECT batch_no, currency, account, direction, amount FROM settlement_entry")
        while try p.step() {
            guard let m = money(p, 4) else { continue }
            let k = Key(batch: p.int(0), currency: p.string(1))
            if p.string(3) == "debit" { posted[k, default: (.zero, .zero)].debit += m } else { posted[k, default: (.zero, .zero)].credit += m }
            if p.string(2) == LedgerAccount.pspReceivable { residue[k, default: .zero] = residue[k, default: .zero] - m }
        }
        for (k, v) in posted.sorted(by: { $0.key < $1.key }) where v.debit != v.credit {
            bad.append("batch \(k.batch) \(k.currency): settlement debits \(v.debit) ≠ credits \(v.credit)")
        }
        let reconciled = Set(try SettlementBook.batches(c, closedFrom: Int64.min, before: Int64.max)
            .filter { $0.reconciledAt != nil }.map(\.batchNo))
        let r = try c.cached("""
            SELECT rc.batch_no, e.currency, e.amount FROM reconciled_charge rc
            JOIN payment_order o ON o.checkout_id = rc.checkout_id
            JOIN ledger_entry e ON e.payment_order_id = o.payment_order_id AND e.direction = 'debit' AND e.account = ?
            """)
        r.bind(1, LedgerAccount.pspReceivable)
        while try r.step() {
            guard let m = money(r, 2) else { continue }
            residue[Key(batch: r.int(0), currency: r.string(1)), default: .zero] += m
        }
        var explained: [Key: Money] = [:]
        for m in try ReconciliationBook.mismatches(c, where: "kind NOT IN ('timing','not_settled')", limit: Int64.max) {
            if let l = m.ledgerAmount, let lc = m.ledgerCurrency,
               [.amountMismatch, .feeMismatch, .currencyMismatch].contains(m.kind) || (m.kind == .capturedNotCredited && m.status == .resolved) {
                explained[Key(batch: m.batchNo, currency: lc), default: .zero] += l
            }
            if let p = m.pspAmount, let pc = m.pspCurrency {
                let k = Key(batch: m.batchNo, currency: pc)
                explained[k, default: .zero] = explained[k, default: .zero] - p
            }
        }
        for k in Set(residue.keys).union(explained.keys).sorted() where reconciled.contains(k.batch) {
            let have = residue[k] ?? .zero, want = explained[k] ?? .zero
            if have != want {
                bad.append("batch \(k.batch) \(k.currency): receivable left \(have), its mismatches explain \(want)")
            }
        }
        if !bad.isEmpty {
            report.violations.append(.init(invariant: "settlement-receivable", count: bad.count, examples: Array(bad.prefix(5))))
        }
    }
}
