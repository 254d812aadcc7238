import CSQLite

/// A failure reported by SQLite, with the statement that caused it when known.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let sql: String?
    /// The database file, when the error came from an open connection.
    public var path: String?

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in: \(sql.prefix(120)))" }
        return "SQLite error \(code): \(message)"
    }

    /// The file is not a SQLite database, or is damaged.
    public var isNotADatabase: Bool { code == SQLITE_NOTADB || code == SQLITE_CORRUPT }
    public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }

    /// What a user reads: the store and SQLite's own words, never the SQL.
    public var userMessage: String {
        let store = path.map { "store \($0)" } ?? "the store"
        if isNotADatabase {
            return "\(store) is damaged (\(message)); `paytop check\(path.map { " --db \($0)" } ?? "")` names the first problem"
        }
        return "reading \(store) failed: \(message)"
    }
}
