/// The `run` table: which engine ran on a store, from when, and whether it still does
/// (its heartbeat). Not part of the deterministic content.
public enum RunLog {
    public static func start(_ c: Connection, mode: String, version: String, wallMillis: Int64, engineStart: Int64,
                             pid: Int64) throws -> Int64 {
        let s = try c.cached("""
            INSERT INTO run (mode, paytop_version, started_wall, heartbeat_wall, engine_start, pid)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        s.bind(1, mode).bind(2, version).bind(3, wallMillis).bind(4, wallMillis).bind(5, engineStart).bind(6, pid)
        try s.run()
        return c.lastInsertRowID
    }

    /// The newest run that has not ended: its pid and last heartbeat (wall milliseconds).
    public static func latestOpen(_ c: Connection) throws -> (pid: Int64, heartbeatMillis: Int64)? {
        let s = try c.cached("SELECT pid, heartbeat_wall FROM run WHERE ended_wall IS NULL ORDER BY run_id DESC LIMIT 1")
        defer { s.reset() }
        return try s.step() ? (s.int(0), s.int(1)) : nil
    }

    public static func heartbeat(_ c: Connection, runID: Int64, wallMillis: Int64, engineTime: Int64) throws {
        let s = try c.cached("UPDATE run SET heartbeat_wall = ?, engine_end = ? WHERE run_id = ?")
        s.bind(1, wallMillis).bind(2, engineTime).bind(3, runID)
        try s.run()
    }

    public static func end(_ c: Connection, runID: Int64, wallMillis: Int64, engineTime: Int64) throws {
        let s = try c.cached("UPDATE run SET ended_wall = ?, heartbeat_wall = ?, engine_end = ? WHERE run_id = ?")
        s.bind(1, wallMillis).bind(2, wallMillis).bind(3, engineTime).bind(4, runID)
        try s.run()
    }
}
