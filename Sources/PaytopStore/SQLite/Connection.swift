import CSQLite

/// One SQLite connection. Not thread-safe: each thread that touches the store owns its
/// own connection (the writer thread one, each reader one).
///
/// Outside the store room it is an opaque handle: rooms open one through `Store` and
/// pass it to the named queries in `Queries/`; SQL itself is internal to this module.
public final class Connection {
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    public let path: String

    enum Mode: Sendable { case readOnly, readWrite, readWriteCreate }

    /// Process-wide settings SQLite takes only before its first connection.
    private static let configured: Void = { _ = csqlite_disable_memstatus() }()

    init(path: String, mode: Mode) throws {
        _ = Connection.configured
        var db: OpaquePointer?
        let flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY
        case .readWrite: flags = SQLITE_OPEN_READWRITE
        case .readWriteCreate: flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        }
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            var e = SQLiteError(code: rc, message: message, sql: nil)
            e.path = path
            throw e
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5_000)
        sqlite3_extended_result_codes(db, 0)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, _ sql: String?) -> SQLiteError {
        var e = SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        e.path = path
        return e
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws {
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? "error"
            sqlite3_free(errmsg)
            var e = SQLiteError(code: rc, message: message, sql: sql)
            e.path = path
            throw e
        }
    }

    /// A prepared statement kept for the life of the connection.
    func cached(_ sql: String) throws -> Statement {
        if let s = statementCache[sql] {
            s.reset()
            return s
        }
        let s = try Statement(connection: self, sql: sql)
        statementCache[sql] = s
        return s
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT, rolling back if it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a deferred read transaction, so every query sees one snapshot.
    /// Keep these short: a long read lets the WAL file grow.
    func read<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// `read`, or just `body` when the caller already holds a read transaction.
    func readIf<T>(_ transaction: Bool, _ body: () throws -> T) throws -> T {
        transaction ? try read(body) : try body()
    }

    /// Changes whenever another connection commits (PRAGMA data_version): how a reader
    /// notices the engine's commits without holding a transaction open.
    public var dataVersion: Int64 { (try? scalarInt("PRAGMA data_version")) ?? 0 }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Integer from a single-value query such as `PRAGMA user_version`.
    func scalarInt(_ sql: String) throws -> Int64? {
        let s = try cached(sql)
        defer { s.reset() }
        return try s.step() ? s.int(0) : nil
    }
}
