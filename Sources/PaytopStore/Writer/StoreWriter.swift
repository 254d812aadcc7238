import Foundation
import DequeModule

/// The store's one writer: threads of its own with their own connection, committing the
/// submitted batches in order, each commit one transaction (group commit), while the
/// engine computes the next.
///
/// Batches commit strictly in submission order, so the file always holds the engine's
/// state as of some batch, never a mixture.
///
/// Two ways to be durable:
/// - plain (simulations, engines nobody outside waits on): a batch is durable when it has
///   committed; one thread commits each batch as it comes, and `submit` blocks when two
///   are already waiting, so a slow disk slows the engine instead of filling memory;
/// - with a redo log (`redoLog: true`, a live engine answering outside callers): a batch is
///   durable once a first thread has appended it to the `RedoLog` (one `write(2)` for
///   every batch waiting, well under a millisecond), and a second thread commits what the
///   log holds to SQLite every `commitInterval` in one transaction — so an answer waits
///   for a small append, not for a commit that rewrites the pages of ~30 B-trees, and the
///   file is written in commits large enough to write each page about once.
public final class StoreWriter: @unchecked Sendable {
    private let condition = NSCondition()
    /// Submitted, not yet durable.
    private var pending = Deque<(sequence: Int, batch: WriteBatch)>()
    /// Durable in the redo log, not yet committed (with when they became durable).
    private var logged = Deque<(sequence: Int, batch: WriteBatch, at: Int64)>()
    private var loggedRows = 0
    private var submitted = 0
    private var durable = 0
    private var committed = 0
    private var closing = false
    private var threadsRunning = 0
    private var finished = false
    private var failure: Error?
    private var rowsWritten = 0
    private var commits = 0
    private let maxPending: Int
    /// Test hook: after this many commits the writer silently drops everything, as if the
    /// process had been killed right after that commit.
    private let crashAfterCommits: Int?
    private let redo: RedoLog?

    /// With a redo log: WAL pages between automatic checkpoints (4 KB each).
    static let redoCheckpointPages = 16_000

    /// With a redo log: how long batches gather in the log before they commit (tests
    /// lengthen it so that nothing commits on its own).
    var commitInterval: Int64 {
        get { condition.lock(); defer { condition.unlock() }; return interval }
        set { condition.lock(); interval = newValue; condition.broadcast(); condition.unlock() }
    }
    private var interval: Int64 = 250_000_000
    /// With a redo log: the log stops taking batches (and the engine waits) while this
    /// many rows wait for a commit — a store that cannot keep up slows the engine.
    private let maxUncommittedRows = 1_000_000

    /// Called on the writer's thread after each commit with each batch just committed
    /// (OTLP export listens here). It must return quickly.
    private let onCommit: (@Sendable (WriteBatch) -> Void)?

    /// `yielding`: the committing thread runs at a lower priority (nice 10), so a console in
    /// the same process draws on time while a receiver commits flat out.
    /// `redoLog`: answers are durable once appended to the store's redo log (see above).
    public convenience init(path: String, crashAfterCommits: Int? = nil, yielding: Bool = false, redoLog: Bool = false,
                onCommit: (@Sendable (WriteBatch) -> Void)? = nil) throws {
        try self.init(path: path, crashAfterCommits: crashAfterCommits, yielding: yielding, redoLog: redoLog,
                      redoSegmentBytes: nil, onCommit: onCommit)
    }

    /// `redoSegmentBytes`: where the log's segments roll (tests make them small).
    init(path: String, crashAfterCommits: Int?, yielding: Bool, redoLog: Bool, redoSegmentBytes: Int?,
         onCommit: (@Sendable (WriteBatch) -> Void)?) throws {
        self.onCommit = onCommit
        self.crashAfterCommits = crashAfterCommits
        let connection = try Store.openForWriting(path: path, create: false)
        if redoLog {
            // Checkpoints every 64 MB of WAL instead of 4 MB: a page that several commits
            // rewrite reaches the file once (bytes written per checkout 5.1× → 4.5× stored,
            // measured with the final checkpoint counted); answers never wait for either.
            try connection.execute("PRAGMA wal_autocheckpoint = \(StoreWriter.redoCheckpointPages)")
        }
        let redo = redoLog ? try RedoLog(storePath: path) : nil
        if let redoSegmentBytes { redo?.segmentBytes = redoSegmentBytes }
        self.redo = redo
        maxPending = redo == nil ? 2 : 64
        let handoff = Handoff(connection)
        let commitThread = Thread(named: "paytop-writer") { [self] in
            // Not lowered with a redo log (measured): at nice 10 the commits fall behind a
            // saturated engine by seconds, until the log's bound stalls every caller at once.
            if yielding { ThreadPriority.yieldToOthers() }
            if redo == nil { self.commitEach(handoff.connection) } else { self.commitLogged(handoff.connection) }
            self.threadEnded()
        }
        threadsRunning = 1
        if let redo {
            let logThread = Thread(named: "paytop-redo-log") { [self] in
                self.appendToLog(redo)
                self.threadEnded()
            }
            threadsRunning = 2
            logThread.start()
        }
        commitThread.start()
    }

    /// Queues a batch and returns its sequence number. The batches committed since the
    /// last call are freed here, on the caller's thread, not on the committing one (which
    /// bounds a simulation): its CPU for 30,000 checkouts went 2.50–2.74 → 2.41–2.45 s.
    @discardableResult
    public func submit(_ batch: WriteBatch) throws -> Int {
        var reclaimed: [WriteBatch] = []
        let sequence = try enqueue(batch, reclaiming: &reclaimed)
        withExtendedLifetime(reclaimed) {}  // freed after the lock is released
        return sequence
    }

    private func enqueue(_ batch: WriteBatch, reclaiming reclaimed: inout [WriteBatch]) throws -> Int {
        condition.lock()
        defer { condition.unlock() }
        swap(&reclaimed, &spent)
        while pending.count >= maxPending && failure == nil && !finished { condition.wait() }
        if let failure { throw failure }
        submitted += 1
        pending.append((submitted, batch))
        condition.broadcast()
        return submitted
    }

    /// Committed batches the next `submit` frees.
    private var spent: [WriteBatch] = []

    /// What stopped the writer, if it has failed (a full disk, a damaged file): nothing
    /// more becomes durable, and the engine must stop and refuse whom it still holds.
    public var failed: Error? {
        condition.lock(); defer { condition.unlock() }
        return failure
    }

    /// Called on the writer's thread each time batches become durable (appended to the
    /// redo log, or committed without one), outside the writer's lock: a live engine's
    /// runner wakes on it to answer its callers instead of polling. It must return quickly.
    public var onDurable: (@Sendable () -> Void)? {
        get { condition.lock(); defer { condition.unlock() }; return durableListener }
        set { condition.lock(); durableListener = newValue; condition.unlock() }
    }
    private var durableListener: (@Sendable () -> Void)?

    /// Test hook: the redo log's device fills after this many more bytes.
    func fillRedoLogDevice(after bytes: Int) { redo?.fillDevice(after: bytes) }

    /// The sequence number of the last committed batch (what readers of the file see).
    public var committedSequence: Int {
        condition.lock(); defer { condition.unlock() }
        return committed
    }

    /// The sequence number of the last durable batch: committed, or appended to the redo log.
    public var durableSequence: Int {
        condition.lock(); defer { condition.unlock() }
        return redo == nil ? committed : durable
    }

    /// Whether every submitted batch is durable.
    public var isIdle: Bool {
        condition.lock(); defer { condition.unlock() }
        return (redo == nil ? committed : durable) == submitted
    }

    /// Rows the writer has inserted, updated or deleted so far.
    public var rowsCommitted: Int {
        condition.lock(); defer { condition.unlock() }
        return rowsWritten
    }

    /// How the file stands against what is durable: batches and rows in the redo log and
    /// not yet in the file, and how long the oldest of them has waited (nil when none);
    /// also the commits so far and the bytes appended to the redo log (0 without one).
    public struct Lag: Sendable, Equatable {
        public var batches: Int
        public var rows: Int
        public var oldestNanos: Int64?
        public var commits: Int
        public var redoBytes: Int
    }

    public var lag: Lag {
        let redoBytes = redo?.bytesAppended ?? 0
        condition.lock(); defer { condition.unlock() }
        return Lag(batches: logged.count, rows: loggedRows, oldestNanos: logged.first.map { StoreWriter.monotonicNanos() - $0.at },
                   commits: commits, redoBytes: redoBytes)
    }

    /// One checkout's rows in the durable batches not yet committed, merged as the next
    /// commit will write them (its event, orders and trace; nil when none names it). Laid
    /// over the file's rows (`CheckoutLookup.find(_:checkoutID:over:)`) they give the
    /// checkout as its last durable batch left it.
    public func uncommittedRows(ofCheckout id: String) -> WriteBatch? {
        condition.lock(); defer { condition.unlock() }
        var merger = BatchMerger()
        var traceNos = Set<Int64>()
        var traces: [TraceRow] = []
        for entry in logged {
            for e in entry.batch.paymentEventInserts where e.checkoutID == id { if let no = e.traceNo { traceNos.insert(no) } }
        }
        for entry in logged {
            var b = WriteBatch()
            b.paymentEventInserts = entry.batch.paymentEventInserts.filter { $0.checkoutID == id }
            b.paymentEventUpdates = entry.batch.paymentEventUpdates.filter { $0.checkoutID == id }
            b.orderInserts = entry.batch.orderInserts.filter { $0.checkoutID == id }
            b.orderUpdates = entry.batch.orderUpdates.filter { $0.checkoutID == id }
            traces += entry.batch.traces.filter { traceNos.contains($0.traceNo) }
            if b.rowCount > 0 { merger.add(b) }
        }
        guard merger.count > 0 else { return nil }  // a trace is taken only for an event the merger has
        var rows = merger.finish().keyed
        rows.traces = traces
        return rows
    }

    /// Blocks until every submitted batch is committed; throws the writer's failure if any.
    public func waitUntilIdle() throws {
        condition.lock()
        defer { condition.unlock() }
        flushThrough = max(flushThrough, submitted)
        condition.broadcast()
        while committed < submitted && failure == nil && !finished { condition.wait() }
        if let failure { throw failure }
    }

    /// Blocks until batch `sequence` is durable; throws the writer's failure if any.
    public func waitUntilDurable(_ sequence: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        while (redo == nil ? committed : durable) < sequence && failure == nil && !finished { condition.wait() }
        if let failure { throw failure }
    }

    /// The committing thread does not wait for `commitInterval` while it has committed
    /// less than this (someone waits for the file to hold everything up to it).
    private var flushThrough = 0

    /// Commits what is queued, then stops the threads (and removes the redo log, all of
    /// it committed).
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

    /// Test hook: the process "dies" now. Nothing more is committed; a redo log stays on
    /// disk as a killed process leaves it (its lock released, as the kernel would).
    func simulateKill() {
        fail(SimulatedCrash())
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// Moves the connection to the writer thread, which owns it from then on.
    private final class Handoff: @unchecked Sendable {
        let connection: Connection
        init(_ c: Connection) { connection = c }
    }

    private func threadEnded() {
        condition.lock()
        threadsRunning -= 1
        if threadsRunning == 0 {
            if let redo { if failure == nil { redo.remove() } else { redo.abandon() } }
            finished = true
        }
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ error: Error) {
        condition.lock()
        if failure == nil { failure = error is SimulatedCrash ? error : StoreError.failed("writing to the store failed: \(error)") }
        condition.broadcast()
        condition.unlock()
    }

    /// Plain: each batch in its own transaction, as it comes.
    private func commitEach(_ connection: Connection) {
        let applier = BatchApplier(c: connection)
        while true {
            condition.lock()
            while pending.isEmpty && !closing && failure == nil { condition.wait() }
            if failure != nil || pending.isEmpty {
                condition.unlock()
                return
            }
            let next = pending[0]
            condition.unlock()

            if let limit = crashAfterCommits, next.sequence > limit {
                // Simulated kill -9 right after commit `limit`: nothing more reaches the
                // file, nothing more is acknowledged, and the engine's next call fails.
                fail(SimulatedCrash())
                return
            }
            do {
                try connection.transaction { try applier.apply(next.batch) }
            } catch {
                fail(error)
                return
            }
            condition.lock()
            let done = pending.removeFirst().batch
            committed = next.sequence
            commits += 1
            committingCPU = ThreadClock.cpuNanos()
            rowsWritten += next.batch.rowCount
            let listener = durableListener
            condition.broadcast()
            condition.unlock()
            listener?()  // plain: committed is durable
            onCommit?(next.batch)
            condition.lock()
            spent.append(consume done)
            condition.unlock()
        }
    }

    /// Redo log, first thread: appends every waiting batch with one write.
    private func appendToLog(_ redo: RedoLog) {
        while true {
            condition.lock()
            while (pending.isEmpty || loggedRows >= maxUncommittedRows) && !closing && failure == nil { condition.wait() }
            if failure != nil || (pending.isEmpty && closing) {
                condition.unlock()
                return
            }
            let batches = Array(pending)
            condition.unlock()

            do { try redo.append(batches) } catch {
                fail(error)
                return
            }
            let now = StoreWriter.monotonicNanos()
            condition.lock()
            pending.removeFirst(batches.count)
            for (sequence, batch) in batches {
                logged.append((sequence, batch, now))
                loggedRows += batch.rowCount
            }
            durable = batches.last!.sequence
            let listener = durableListener
            condition.broadcast()
            condition.unlock()
            listener?()
        }
    }

    /// Redo log, second thread: every `commitInterval`, what the log holds, merged, in one transaction.
    private func commitLogged(_ connection: Connection) {
        let applier = BatchApplier(c: connection)
        let logID = redo!.logID
        var lastCommit = StoreWriter.monotonicNanos()
        while true {
            condition.lock()
            while failure == nil {
                let due = lastCommit + interval
                let now = StoreWriter.monotonicNanos()
                if !logged.isEmpty && (now >= due || flushThrough > committed || closing || loggedRows >= maxUncommittedRows) { break }
                if logged.isEmpty && closing && threadsRunning == 1 { break }  // the log's thread has stopped
                if logged.isEmpty { condition.wait() } else { _ = condition.wait(until: Date(timeIntervalSinceNow: Double(due - now) / 1e9)) }
            }
            if failure != nil || logged.isEmpty {
                condition.unlock()
                return
            }
            let batches = Array(logged)
            condition.unlock()

            lastCommit = StoreWriter.monotonicNanos()
            let last = batches.last!.sequence
            var merger = BatchMerger()
            for entry in batches { merger.add(entry.batch) }
            let merged = merger.finish()
            do {
                try connection.transaction {
                    try applier.apply(merged)
                    try applier.setEngineState(key: RedoLog.positionKey, value: RedoLog.Position(logID: logID, sequence: last).text)
                }
            } catch {
                fail(error)
                return
            }
            condition.lock()
            logged.removeFirst(batches.count)
            for entry in batches { loggedRows -= entry.batch.rowCount }
            rowsWritten += merged.rowCount
            committed = last
            commits += 1
            committingCPU = ThreadClock.cpuNanos()
            condition.broadcast()
            condition.unlock()
            redo!.release(committedThrough: last)
            if let onCommit { for entry in batches { onCommit(entry.batch) } }
        }
    }

    /// CPU seconds the committing thread has spent so far, as of its last commit: against
    /// the wall time, how close the writer is to bounding its engine or receiver.
    public var committingCPUSeconds: Double {
        condition.lock(); defer { condition.unlock() }
        return Double(committingCPU) / 1e9
    }
    private var committingCPU: Int64 = 0

    static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
