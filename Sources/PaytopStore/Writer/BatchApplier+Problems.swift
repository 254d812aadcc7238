extension BatchApplier {
    /// Each problem replaced whole with its signals, in the order the detectors wrote them.
    func upsertProblems(_ rows: [ProblemRow]) throws {
        let p = try c.cached("""
            INSERT INTO problem (problem_id, title, severity, opened_at, first_signal_at, last_violation_at, closed_at)
            VALUES (?,?,?,?,?,?,?)
            ON CONFLICT (problem_id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
              opened_at = excluded.opened_at, first_signal_at = excluded.first_signal_at,
              last_violation_at = excluded.last_violation_at, closed_at = excluded.closed_at
            """)
        let s = try c.cached("""
            INSERT INTO problem_signal (problem_id, kind, subject, first_at, last_at, detail) VALUES (?,?,?,?,?,?)
            ON CONFLICT (problem_id, kind, subject) DO UPDATE SET first_at = excluded.first_at,
              last_at = excluded.last_at, detail = excluded.detail
            """)
        for r in rows {
            p.bind(1, r.id).bind(2, r.title).bind(3, try CheckedColumns.severity(r.severity)).bind(4, r.openedAt).bind(5, r.firstSignalAt)
                .bind(6, r.lastViolationAt).bind(7, r.closedAt)
            try p.run()
            for g in r.signals {
                s.bind(1, r.id).bind(2, g.kind).bind(3, g.subject).bind(4, g.firstAt).bind(5, g.lastAt).bind(6, g.detail)
                try s.run()
            }
        }
    }
}
