import Foundation

/// A batch's lines read by a thread of its own on a second, read-only connection, a few
/// thousand lines ahead of the caller: reading and parsing a million lines then runs on
/// the other core while the caller matches and records, or formats the report. The caller
/// still sees every line in order, on its own thread. The reader sees the last commit, so
/// the batch must have committed first (it has: a batch closes in its own transaction).
public enum SettlementReadAhead {
    /// A batch's Settled lines, each with its capture (`SettlementBook.forEachSettledLineWithCapture`).
    public static func forEachSettledLineWithCapture(storePath: String, batch: Int64,
                                                     _ body: (SettlementLineRow, LedgerCharge?) throws -> Void) throws {
        try readAhead(storePath: storePath, { c, hand in
            try SettlementBook.forEachSettledLineWithCapture(c, batch: batch) { try hand(($0, $1)) }
        }, { try body($0.0, $0.1) })
    }

    /// Every line of a batch (`SettlementBook.forEachLine`), for its report.
    public static func forEachLine(storePath: String, batch: Int64, _ body: (SettlementLineRow) throws -> Void) throws {
        try readAhead(storePath: storePath, { c, hand in try SettlementBook.forEachLine(c, batch: batch, hand) }, body)
    }

    /// What the two threads share, under its lock.
    private final class Channel<Item>: @unchecked Sendable {
        let condition = NSCondition()
        var chunks: [[Item]] = []
        var finished = false
        var cancelled = false
        var failure: Error?
        let exited = DispatchSemaphore(value: 0)
    }

    private struct Cancelled: Error {}

    static let chunkSize = 4_096
    static let chunksAhead = 4

    /// Runs `produce` on a read connection of its own thread, handing its items to
    /// `consume` on this one, in order. An error on either side stops both and is thrown.
    private static func readAhead<Item>(storePath: String,
                                        _ produce: @escaping @Sendable (Connection, (Item) throws -> Void) throws -> Void,
                                        _ consume: (Item) throws -> Void) throws {
        let channel = Channel<Item>()
        let thread = Thread(named: "paytop-prefetch") {
            do {
                let c = try Store.openForReading(path: storePath)
                var chunk: [Item] = []
                chunk.reserveCapacity(chunkSize)
                func hand(_ items: [Item]) throws {
                    channel.condition.lock()
                    defer { channel.condition.unlock() }
                    while channel.chunks.count >= chunksAhead && !channel.cancelled { channel.condition.wait() }
                    if channel.cancelled { throw Cancelled() }
                    channel.chunks.append(items)
                    channel.condition.broadcast()
                }
                try c.read {
                    try produce(c) { item in
                        chunk.append(item)
                        if chunk.count == chunkSize {
                            try hand(chunk)
                            chunk.removeAll(keepingCapacity: true)
                        }
                    }
                }
                if !chunk.isEmpty { try hand(chunk) }
            } catch is Cancelled {
            } catch {
                channel.condition.lock()
                channel.failure = error
                channel.condition.unlock()
            }
            channel.condition.lock()
            channel.finished = true
            channel.condition.broadcast()
            channel.condition.unlock()
            channel.exited.signal()
        }
        thread.start()
        defer {
            channel.condition.lock()
            channel.cancelled = true
            channel.condition.broadcast()
            channel.condition.unlock()
            channel.exited.wait()
        }
        while true {
            channel.condition.lock()
            while channel.chunks.isEmpty && !channel.finished { channel.condition.wait() }
            if channel.chunks.isEmpty {
                let failure = channel.failure
                channel.condition.unlock()
                if let failure { throw failure }
                return
            }
            let chunk = channel.chunks.removeFirst()
            channel.condition.broadcast()
            channel.condition.unlock()
            for item in chunk { try consume(item) }
        }
    }
}
