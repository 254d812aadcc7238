/// Schema v7: problems (docs/problems.md). Shipped migrations are frozen (MigrationsFrozenTests).
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
}
