/// Schema v4: settlement and reconciliation. Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// Settlement and reconciliation: the PSP's batches and their lines (Adyen's Settlement
    /// Details Report), the ledger's settlement postings, and what the reconciliation job
    /// matched and found (docs/store.md, docs/reconciliation.md).
    static let v4 = """
    CREATE INDEX psp_charge_reference ON psp_charge (psp_reference);
    CREATE TABLE settlement_batch (
        batch_no      INTEGER PRIMARY KEY,
        period_start  INTEGER NOT NULL,
        period_end    INTEGER NOT NULL,
        closed_at     INTEGER NOT NULL,
        settled_lines INTEGER NOT NULL,
        reconciled_at INTEGER,
        matched       INTEGER,
        mean_latency_ns INTEGER
    );
    CREATE TABLE settlement_line (
        batch_no           INTEGER NOT NULL,
        line_no            INTEGER NOT NULL,
        type               TEXT NOT NULL CHECK (type IN ('Settled','MerchantPayout')),
        psp_reference      TEXT NOT NULL,
        merchant_reference TEXT,
        payment_method     TEXT,
        created_at         INTEGER NOT NULL,
        gross_currency     TEXT,
        gross_credit       TEXT,
        net_currency       TEXT NOT NULL,
        net_debit          TEXT,
        net_credit         TEXT,
        commission         TEXT,
        markup             TEXT,
        scheme_fees        TEXT,
        interchange        TEXT,
        PRIMARY KEY (batch_no, line_no)
    ) WITHOUT ROWID;
    CREATE TABLE settlement_deferred (
        idempotency_key TEXT PRIMARY KEY,
        batch_no        INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE settlement_entry (
        batch_no   INTEGER NOT NULL,
        currency   TEXT NOT NULL,
        account    TEXT NOT NULL,
        direction  TEXT NOT NULL CHECK (direction IN ('debit','credit')),
        amount     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (batch_no, currency, account)
    ) WITHOUT ROWID;
    CREATE TABLE reconciled_charge (
        checkout_id   TEXT PRIMARY KEY,
        batch_no      INTEGER NOT NULL,
        line_no       INTEGER NOT NULL,
        matched_by    TEXT NOT NULL CHECK (matched_by IN ('merchant_reference','psp_reference','amount')),
        charged_at    INTEGER NOT NULL,
        captured_at   INTEGER NOT NULL,
        reconciled_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE reconciliation_run (
        run_no      INTEGER PRIMARY KEY,
        at          INTEGER NOT NULL,
        source      TEXT NOT NULL,
        batches     TEXT NOT NULL,
        lines       INTEGER NOT NULL,
        matched     INTEGER NOT NULL,
        found       INTEGER NOT NULL,
        resolved    INTEGER NOT NULL,
        alert_threshold INTEGER NOT NULL
    );
    CREATE TABLE reconciliation_mismatch (
        mismatch_id     INTEGER PRIMARY KEY,
        class           TEXT NOT NULL CHECK (class IN ('auto','manual','investigate')),
        kind            TEXT NOT NULL,
        checkout_id     TEXT,
        psp_reference   TEXT,
        ledger_amount   TEXT,
        ledger_currency TEXT,
        psp_amount      TEXT,
        psp_currency    TEXT,
        batch_no        INTEGER NOT NULL,
        line_no         INTEGER,
        first_seen      INTEGER NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('open','resolved')),
        resolved_at     INTEGER,
        resolution      TEXT
    );
    CREATE INDEX reconciliation_mismatch_open ON reconciliation_mismatch (status, kind);
    """
}
