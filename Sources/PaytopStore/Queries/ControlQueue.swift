import PaytopVocabulary

/// The `control_command` table from the side of those who write commands (CLI, console).
public enum ControlQueue {
    public struct Status: Sendable, Equatable {
        public var status: String
        public var result: String?
        public init(status: String, result: String?) { self.status = status; self.result = result }
    }

    /// Appends a pending command and returns its id.
    public static func enqueue(_ c: Connection, _ command: ControlCommand, source: String, issuedAtMillis: Int64) throws -> Int64 {
        try enqueue(c, name: command.name, argsText: command.args.encoded, source: source, issuedAtMillis: issuedAtMillis)
    }

    /// A row as any writer might leave it, malformed included (tests of what the engine refuses).
    static func enqueue(_ c: Connection, name: String, argsText: String, source: String, issuedAtMillis: Int64) throws -> Int64 {
        let s = try c.cached("INSERT INTO control_command (issued_at, source, command, args) VALUES (?, ?, ?, ?)")
        s.bind(1, issuedAtMillis).bind(2, source).bind(3, name).bind(4, argsText)
        try s.run()
        return c.lastInsertRowID
    }

    public static func status(_ c: Connection, id: Int64) throws -> Status? {
        let s = try c.cached("SELECT status, result FROM control_command WHERE id = ?")
        s.bind(1, id)
        defer { s.reset() }
        guard try s.step() else { return nil }
        return Status(status: s.string(0), result: s.optionalString(1))
    }

    /// Milliseconds since an engine last said it was alive on this store, if one ever ran
    /// and has not ended.
    public static func runningEngineHeartbeat(_ c: Connection) throws -> Int64? {
        let s = try c.cached("SELECT heartbeat_wall FROM run WHERE ended_wall IS NULL ORDER BY run_id DESC LIMIT 1")
        defer { s.reset() }
        return try s.step() ? s.int(0) : nil
    }

    /// A command row waiting for an engine: its id, name and argument text as written.
    public struct Pending: Sendable, Equatable {
        public var id: Int64, name: String, argsText: String
    }

    /// Pending commands after `id`, oldest first.
    public static func pending(_ c: Connection, after id: Int64, limit: Int = 100) throws -> [Pending] {
        let s = try c.cached("SELECT id, command, args FROM control_command WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?")
        s.bind(1, id).bind(2, limit)
        defer { s.reset() }
        return try s.all { Pending(id: $0.int(0), name: $0.string(1), argsText: $0.string(2)) }
    }
}
