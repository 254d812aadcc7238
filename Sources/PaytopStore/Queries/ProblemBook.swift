/// The problems the detectors wrote (schema v7), with their signals: which are open,
/// which changed since a time, one by its id.
public enum ProblemBook {
    /// Problems, open first then newest first; `openOnly` leaves out closed ones, `since`
    /// those that ended (closed) before it; at most `limit` of them.
    public static func list(_ c: Connection, openOnly: Bool = false, since: Int64? = nil, limit: Int = Int(Int32.max)) throws -> [ProblemRow] {
        let s = try c.cached("""
            SELECT problem_id, title, severity, opened_at, first_signal_at, last_violation_at, closed_at FROM problem
            WHERE (?1 = 0 OR closed_at IS NULL) AND (?2 IS NULL OR closed_at IS NULL OR closed_at >= ?2)
            ORDER BY closed_at IS NOT NULL, opened_at DESC, problem_id DESC LIMIT ?3
            """)
        s.bind(1, openOnly).bind(2, since).bind(3, Int64(limit))
        var rows = try s.all(Self.problem)
        for i in rows.indices { rows[i].signals = try signals(c, rows[i].id) }
        return rows
    }

    public static func problem(_ c: Connection, id: Int64) throws -> ProblemRow? {
        let s = try c.cached("""
            SELECT problem_id, title, severity, opened_at, first_signal_at, last_violation_at, closed_at FROM problem
            WHERE problem_id = ?
            """)
        s.bind(1, id)
        guard var row = try s.all(Self.problem).first else { return nil }
        row.signals = try signals(c, id)
        return row
    }

    /// How many problems are open (the console's header badge).
    public static func openCount(_ c: Connection) throws -> Int {
        let s = try c.cached("SELECT count(*) FROM problem WHERE closed_at IS NULL")
        defer { s.reset() }
        return try s.step() ? Int(s.int(0)) : 0
    }

    /// What a resumed engine goes on with: problems open, or closed at or after `closedAfter`,
    /// and the id after the highest.
    public static func resumable(_ c: Connection, closedAfter: Int64) throws -> (rows: [ProblemRow], nextID: Int64) {
        let s = try c.cached("""
            SELECT problem_id, title, severity, opened_at, first_signal_at, last_violation_at, closed_at FROM problem
            WHERE closed_at IS NULL OR closed_at >= ? ORDER BY problem_id
            """)
        s.bind(1, closedAfter)
        var rows = try s.all(Self.problem)
        for i in rows.indices { rows[i].signals = try signals(c, rows[i].id) }
        let m = try c.cached("SELECT coalesce(max(problem_id), 0) + 1 FROM problem")
        defer { m.reset() }
        return (rows, try m.step() ? m.int(0) : 1)
    }

    static func signals(_ c: Connection, _ id: Int64) throws -> [ProblemSignalRow] {
        let s = try c.cached("""
            SELECT kind, subject, first_at, last_at, detail FROM problem_signal WHERE problem_id = ? ORDER BY first_at, kind, subject
            """)
        s.bind(1, id)
        return try s.all { ProblemSignalRow(kind: $0.string(0), subject: $0.string(1), firstAt: $0.int(2), lastAt: $0.int(3), detail: $0.string(4)) }
    }

    private static func problem(_ s: Statement) -> ProblemRow {
        ProblemRow(id: s.int(0), title: s.string(1), severity: s.string(2), openedAt: s.int(3), firstSignalAt: s.int(4),
                   lastViolationAt: s.int(5), closedAt: s.optionalInt(6), signals: [])
    }
}
