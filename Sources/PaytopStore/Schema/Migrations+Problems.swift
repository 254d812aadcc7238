/// Schema v7 and v8: problems (docs/problems.md). Shipped migrations are frozen (MigrationsFrozenTests).
extension Migrations {
    /// The problems the detectors of the writing process opened: one row each, rewritten
    /// as it changes, and its signals (kind and subject as the vocabulary spells them).
    /// Causes, impact and exemplars are not stored: `ProblemAnalysis` reads them from the
    /// checkouts, events and control events of the problem's window.
    static let v7 = """
    CREATE TABLE problem (
        problem_id        INTEGER PRIMARY KEY,
        title             TEXT NOT NULL,
        severity          TEXT NOT NULL CHECK (severity IN ('minor','major','critical')),
        opened_at         INTEGER NOT NULL,
        first_signal_at   INTEGER NOT NULL,
        last_violation_at INTEGER NOT NULL,
        closed_at         INTEGER
    );
    CREATE INDEX problem_open ON problem (closed_at) WHERE closed_at IS NULL;
    CREATE TABLE problem_signal (
        problem_id INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        subject    TEXT NOT NULL,
        first_at   INTEGER NOT NULL,
        last_at    INTEGER NOT NULL,
        detail     TEXT NOT NULL,
        PRIMARY KEY (problem_id, kind, subject)
    ) WITHOUT ROWID;
    """

    /// The checkouts a problem's impact counts, found without reading the others: ended,
    /// and either slower than the settlement objective (2 minutes) or failed other than
    /// by a business decline. (Open checkouts have `payment_event_open`.) The WHERE is
    /// `ProblemAnalysis.endedAffected`, which queries repeat word for word; the columns
    /// are what the impact sums, so it never reads the table (a few percent of checkouts
    /// are in it: its size and upkeep are theirs).
    static let v8 = """
    CREATE INDEX payment_event_affected ON payment_event
        (trace_no, currency, amount_total, outcome, failure_code, created_at, done_at, seller_info)
    WHERE done_at - created_at > 120000000000 OR (outcome = 'FAILED' AND coalesce(failure_code, '') NOT IN ('INSUFFICIENT_FUNDS','CARD_DECLINED','EXPIRED_CARD','INVALID_CARD','FRAUD_SUSPECTED'));
    """
}
