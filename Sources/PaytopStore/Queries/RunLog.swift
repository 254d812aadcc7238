import Foundation
/// The `run` table: which engine ran on a store, from when, and whether it still does
/// (its heartbeat). Not part of the deterministic content.
public enum RunLog {
    /// What a run is: the engine following the wall clock, the engine simulating, or a
    /// receiver of telemetry from outside (`paytop collect`).
    public enum Mode: String, Sendable { case live, simulated, received }

    public static func start(_ c: Connection, mode: Mode, version: String, wallMillis: Int64, engineStart: Int64,
                             pid: Int64) throws -> Int64 {
        let s = try c.cached("""
            INSERT INTO run (mode, paytop_version, started_wall, heartbeat_wall, engine_start, pid)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        s.bind(1, mode.rawValue).bind(2, version).bind(3, wallMillis).bind(4, wallMillis).bind(5, engineStart).bind(6, pid)
        try s.run()
        return c.lastInsertRowID
    }

    /// The process writing this store right now, if another one is: the newest run not
    /// ended, with a heartbeat in the last 5 s (or `staleAfterMillis`), whose process is
    /// alive. `mode` is `live`, `simulated` or `received` (a receiver).
    public static func liveWriter(_ c: Connection, nowMillis: Int64, staleAfterMillis: Int64 = 5_000) throws -> (pid: Int64, mode: Mode?)? {
        let s = try c.cached("SELECT pid, heartbeat_wall, mode FROM run WHERE ended_wall IS NULL ORDER BY run_id DESC LIMIT 1")
        defer { s.reset() }
        guard try s.step() else { return nil }
        let pid = s.int(0)
        guard nowMillis - s.int(1) < staleAfterMillis, pid != Int64(getpid()), kill(pid_t(pid), 0) == 0 else { return nil }
        return (pid, Mode(rawValue: s.string(2)))
    }

    /// A run's heartbeat, written with the batch that carries it (so an engine never
    /// waits on its own writer's commit to say it is alive).
    public struct Heartbeat: Sendable, Equatable {
        public var runID: Int64, wallMillis: Int64, engineTime: Int64
        public init(runID: Int64, wallMillis: Int64, engineTime: Int64) {
            self.runID = runID; self.wallMillis = wallMillis; self.engineTime = engineTime
        }
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
