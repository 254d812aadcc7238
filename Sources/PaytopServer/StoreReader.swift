import Foundation
import PaytopStore

/// One read-only connection to the store shared by the server's handlers, opened on
/// first use (the engine creates the store) and used by one handler at a time.
final class StoreReader: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var connection: Connection?

    init(path: String) { self.path = path }

    func read<T>(_ body: (Connection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if connection == nil { connection = try Store.openForReading(path: path) }
        return try body(connection!)
    }
}
