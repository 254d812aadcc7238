import Foundation
import DequeModule

/// The store's one writer: a thread of its own with its own connection, committing each
/// submitted batch in one transaction (group commit) while the engine computes the next.
///
/// Batches commit strictly in submission order, so the file always holds the engine's
/// state as of some commit, never a mixture. `submit` blocks when two batches are already
/// waiting, so a slow disk slows the engine instead of filling memory.
public final class StoreWriter: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = Deque<(sequence: Int, batch: WriteBatch)>()
    private var submitted = 0
    private var committed = 0
    private var closing = false
    private var finished = false
    private var failure: Error?
    private var rowsWritten = 0
    private let maxPending = 2
    /// Test hook: after this many commits the writer silently drops everything, as if the
    /// process had been killed right after that commit.
    private let crashAfterCommits: Int?
    private var thread: Thread?
    private let path: String

    /// Called on the writer's thread after each commit with the batch just committed
    /// (OTLP export listens here). It must return quickly.
    private let onCommit: (@Sendable (WriteBatch) -> Void)?

    /// `yielding`: the thread runs at a lower priority (nice 10), so a console in the same
    /// process draws on time while a receiver commits flat out.
    public init(path: String, crashAfterCommits: Int? = nil, yielding: Bool = false,
                onCommit: (@Sendable (WriteBatch) -> Void)? = nil) throws {
        self.path = path
        self.onCommit = onCommit
        self.crashAfterCommits = crashAfterCommits
        let connection = try Store.openForWriting(path: path, create: false)
        let handoff = Handoff(connection)
        let t = Thread { [self] in
            if yielding { ThreadPriority.yieldToOthers() }
            self.loop(handoff.connection)
        }
        t.name = "paytop-store-writer"
        thread = t
        t.start()
    }

    /// Queues a batch for commit and returns its sequence number.
    @discardableResult
    public func submit(_ batch: WriteBatch) throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        while pending.count >= maxPending && failure == nil && !finished { condition.wait() }
        if let failure { throw failure }
        submitted += 1
        pending.append((submitted, batch))
        condition.broadcast()
        return submitted
    }

    /// The sequence number of the last committed batch.
    public var committedSequence: Int {
        condition.lock(); defer { condition.unlock() }
        return committed
    }

    /// Whether every submitted batch has committed.
    public var isIdle: Bool {
        condition.lock(); defer { condition.unlock() }
        return committed == submitted
    }

    /// Rows the writer has inserted, updated or deleted so far.
    public var rowsCommitted: Int {
        condition.lock(); defer { condition.unlock() }
        return rowsWritten
    }

    /// Blocks until every submitted batch is committed; throws the writer's failure if any.
    public func waitUntilIdle() throws {
        condition.lock()
        defer { condition.unlock() }
        while committed < submitted && failure == nil && !finished { condition.wait() }
        if let failure { throw failure }
    }

    /// Commits what is queued, then stops the thread.
    public func close() throws {
        condition.lock()
        closing = true
        condition.broadcast()
        while !finished { condition.wait() }
        let f = failure
        condition.unlock()
        if let f { throw f }
    }

    /// The writer "died" at its crash point (a test hook).
    public struct SimulatedCrash: Error {}

    /// Moves the connection to the writer thread, which owns it from then on.
    private final class Handoff: @unchecked Sendable {
        let connection: Connection
        init(_ c: Connection) { connection = c }
    }

    private func loop(_ connection: Connection) {
        let applier = BatchApplier(c: connection)
        while true {
            condition.lock()
            while pending.isEmpty && !closing { condition.wait() }
            if pending.isEmpty && closing {
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let next = pending[0]
            condition.unlock()

            var error: Error?
            if let limit = crashAfterCommits, next.sequence > limit {
                // Simulated kill -9 right after commit `limit`: nothing more reaches the
                // file, nothing more is acknowledged, and the engine's next call fails.
                error = SimulatedCrash()
            } else {
                do {
                    try connection.transaction { try applier.apply(next.batch) }
                } catch let e { error = e }
            }

            condition.lock()
            pending.removeFirst()
            if let error {
                failure = error is SimulatedCrash ? error : StoreError.failed("writing to the store failed: \(error)")
                finished = true
            } else {
                committed = next.sequence
                rowsWritten += next.batch.rowCount
            }
            condition.broadcast()
            let stop = finished
            condition.unlock()
            if error == nil { onCommit?(next.batch) }
            if stop { return }
        }
    }
}

/// Thread priorities on Linux: a thread's nice value is its own.
public enum ThreadPriority {
    /// Nice 10 for the calling thread: it runs when threads at the default priority do not need the core.
    public static func yieldToOthers() {
        #if os(Linux)
        // Linux keeps the nice value per thread; `who` 0 is the calling one (setpriority(2), BUGS).
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
