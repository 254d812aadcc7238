import CSQLite
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opening, creating and validating a paytop store (one SQLite file in WAL mode).
/// Nothing is written to a file until it has been recognised as a paytop store (or is
/// new and empty), so a wrong path never damages someone else's file.
public enum Store {
    public static var schemaVersion: Int { Migrations.latestVersion }

    /// Whether a file exists at `path`.
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Opens a store for writing, creating and migrating it when `create` is set and the
    /// file is missing or empty.
    public static func openForWriting(path: String, create: Bool) throws -> Connection {
        if !exists(path) && !create { throw StoreError.missing(path: path) }
        let connection: Connection
        do {
            connection = try Connection(path: path, mode: create ? .readWriteCreate : .readWrite)
        } catch let e as SQLiteError {
            throw StoreError.notAStore(path: path, reason: e.message)
        }
        try validate(connection, path: path, allowEmpty: create)
        // Never write into a damaged file: a resumed engine would build on broken pages.
        if try userVersion(connection, path: path) > 0, let problem = try integrityProblem(connection) {
            throw StoreError.damaged(path: path, problem: problem)
        }
        try configureForWriting(connection)
        try migrate(connection, path: path)
        try RedoLog.applyOrphaned(storePath: path) { connection }
        return connection
    }

    /// Opens an existing store for reading only.
    /// A redo log a dead engine left beside the store is applied first (RedoLog).
    public static func openForReading(path: String) throws -> Connection {
        if !exists(path) { throw StoreError.missing(path: path) }
        try RedoLog.applyOrphaned(storePath: path) { try openForWriting(path: path, create: false) }
        let connection: Connection
        do {
            connection = try Connection(path: path, mode: .readOnly)
        } catch let e as SQLiteError {
            throw StoreError.notAStore(path: path, reason: e.message)
        }
        try validate(connection, path: path, allowEmpty: false)
        let version = try userVersion(connection, path: path)
        if version < Migrations.latestVersion {
            throw StoreError.failed("store \(path) has schema v\(version); open it once with `paytop run --db \(path)` to upgrade it")
        }
        try connection.execute("PRAGMA query_only = 1")
        return connection
    }

    static func userVersion(_ c: Connection, path: String) throws -> Int {
        do { return Int(try c.scalarInt("PRAGMA user_version") ?? 0) } catch let e as SQLiteError {
            throw StoreError.notAStore(path: path, reason: e.message)
        }
    }

    /// Refuses files that are not SQLite, SQLite files of other applications, and stores
    /// written by a newer paytop.
    static func validate(_ c: Connection, path: String, allowEmpty: Bool) throws {
        let appID: Int64
        let tableCount: Int64
        do {
            appID = try c.scalarInt("PRAGMA application_id") ?? 0
            tableCount = try c.scalarInt("SELECT count(*) FROM sqlite_master") ?? 0
        } catch let e as SQLiteError {
            // A file whose header is a paytop store's and whose schema cannot be read is a
            // damaged store (cut short, say), not someone else's file.
            if e.isNotADatabase, headerNamesPaytop(path) { throw StoreError.damaged(path: path, problem: e.message) }
            // A paytop store SQLite cannot open: say why, not that it is someone else's file.
            if headerNamesPaytop(path) { throw StoreError.failed(cannotOpen(path, e.message)) }
            throw StoreError.notAStore(path: path, reason: e.isNotADatabase ? "file is not a database" : e.message)
        }
        if appID == Migrations.applicationID {
            let version = try userVersion(c, path: path)
            if version > Migrations.latestVersion {
                throw StoreError.newerSchema(path: path, found: version, supported: Migrations.latestVersion)
            }
            return
        }
        if tableCount == 0 && appID == 0 && allowEmpty { return }
        if tableCount == 0 && appID == 0 {
            throw StoreError.notAStore(path: path, reason: "the database is empty")
        }
        throw StoreError.notAStore(path: path, reason: "it is a SQLite database of another application")
    }

    /// Why a store SQLite cannot open may not be the store's fault: a store in WAL mode
    /// needs `<store>-wal` and `<store>-shm` beside it, so its directory must be writable,
    /// even to read it.
    static func cannotOpen(_ path: String, _ reason: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        let name = (path as NSString).lastPathComponent
        guard access(directory, W_OK) != 0 else { return "cannot open the store \(path): \(reason)" }
        let why = String(cString: strerror(errno))
        return "cannot open the store \(path): \(reason) — its directory \(directory) is not writable "
            + "(\(why)), and SQLite keeps \(name)-wal and \(name)-shm beside the store, even to read it"
    }

    /// Whether the file starts with SQLite's header and paytop's application id (offset 68,
    /// big-endian), read from the bytes themselves.
    static func headerNamesPaytop(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 72)
        guard read(fd, &header, 72) == 72, header.starts(with: Array("SQLite format 3\u{0}".utf8)) else { return false }
        let id = header[68..<72].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        return id == Migrations.applicationID
    }

    /// Caps a connection's page cache. The engine's own connection reads little between
    /// back-office jobs, and a job streams its tables: 16 MB keeps a million-charge run's
    /// peak memory down without slowing it (the writer keeps its 64 MB).
    public static func limitPageCache(_ c: Connection, megabytes: Int) throws {
        try c.execute("PRAGMA cache_size = -\(megabytes * 1024)")
    }

    /// Lets a short-lived reader map the file instead of copying its pages in: `paytop
    /// problems` on a 3.9 GB store took 0.91 of the time (A/B, 21 pairs). Only for a one-shot command's
    /// connection (SQLite maps what the file holds when it opens; a file cut short later,
    /// under the mapping, would fault).
    public static func mapForReading(_ c: Connection, megabytes: Int) throws {
        try c.execute("PRAGMA mmap_size = \(megabytes * 1_048_576)")
    }

    /// A writing connection: WAL, a 64 MB page cache, and SQLite's CHECK constraints left
    /// to `CheckedColumns` (an IN-list CHECK cost 32,000 instructions a row inserted).
    static func configureForWriting(_ c: Connection) throws {
        try c.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA cache_size = -65536;
            PRAGMA temp_store = MEMORY;
            PRAGMA ignore_check_constraints = 1;
            """)
    }

    static func migrate(_ c: Connection, path: String) throws {
        var version = try userVersion(c, path: path)
        while version < Migrations.latestVersion {
            let sql = Migrations.all[version]
            try c.transaction {
                try c.execute(sql)
                try c.execute("PRAGMA application_id = \(Migrations.applicationID)")
                try c.execute("PRAGMA user_version = \(version + 1)")
            }
            version += 1
        }
    }

    /// SQLite's own check of the file: nil when it is sound, else the first problem
    /// reported. The quick check reads every page (0.16 s for 24 MB here); `full` also checks
    /// that every index matches its table.
    public static func integrityProblem(_ c: Connection, full: Bool = false) throws -> String? {
        do {
            let s = try c.cached(full ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)")
            defer { s.reset() }
            guard try s.step() else { return nil }
            let result = s.string(0)
            if result == "ok" { return nil }
            // SQLite prefixes the first problem with the schema's name on a line of its own.
            let lines = result.split(separator: "\n").filter { !$0.hasPrefix("*** in database") }
            return lines.joined(separator: "; ")
        } catch let e as SQLiteError where e.isNotADatabase {
            return e.message
        }
    }

    /// Whether the store has ever been run by an engine (so `simulate` refuses it).
    public static func holdsARun(_ c: Connection) throws -> Bool {
        (try c.scalarInt("SELECT count(*) FROM run") ?? 0) > 0
    }
}
