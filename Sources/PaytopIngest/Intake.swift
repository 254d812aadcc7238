import Foundation
import DequeModule
import PaytopStore
import PaytopVocabulary

/// The receiver's way into the store: requests queue here, one thread maps what is
/// queued into one batch (group commit) and hands it to the store's writer, and each
/// request is answered only after the commit that holds its items — so nothing
/// acknowledged is lost on kill -9. The queue is bounded in items: beyond it a request is
/// refused at once (the HTTP receiver answers 503 with Retry-After) and counted.
public final class Intake: @unchecked Sendable {
    public typealias Completion = @Sendable (Result<IngestMapper.Outcome, Error>) -> Void

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Request { let telemetry: ReceivedTelemetry; let completion: Completion }

    private let condition = NSCondition()
    private var pending = Deque<Request>()
    private var pendingItems = 0
    /// Mapped and submitted, waiting for their commit, oldest first.
    private var inflight = Deque<(items: Int, requests: [(Completion, IngestMapper.Outcome)])>()
    private var inflightItems = 0
    private var closing = false
    private var finished = false
    private var failure: Error?
    private var statusValue: ReceiverStatus
    private var statusDirty = true

    private let writer: StoreWriter
    private let mapper: IngestMapper
    private let runConnection: Connection
    private let runID: Int64
    private var thread: Thread?

    /// Items queued or in a commit at most; more are refused.
    public let maxQueuedItems: Int
    /// Items mapped into one commit at most.
    let maxItemsPerCommit = 50_000
    /// Retention, as a live engine keeps its own telemetry (docs/telemetry.md), counted
    /// back from the newest item received: traces a day (500,000 at most), roll-ups a week.
    static let retention = (traces: Int64(86_400_000_000_000), rollups: Int64(7 * 86_400_000_000_000),
                            finePoints: Int64(3_600_000_000_000), maxTraces: Int64(500_000))
    private var lastPrune = Date()
    private let pruneEvery: TimeInterval

    /// Opens (or creates) the store and starts the intake thread. Refuses a store an
    /// engine or another receiver is writing right now.
    /// `pruneEvery`: seconds between retention passes (tests shorten it).
    public init(storePath: String, listen: String, maxQueuedItems: Int = 400_000, pruneEvery: TimeInterval = 60) throws {
        self.pruneEvery = pruneEvery
        let c = try Store.openForWriting(path: storePath, create: !Store.exists(storePath))
        if let (pid, mode) = try RunLog.liveWriter(c, nowMillis: Self.wallMillis()) {
            let who = mode == .received ? "another paytop receiver" : "a paytop engine"
            throw StoreError.failed("\(who) (pid \(pid)) is writing \(storePath); stop it first, or give the receiver a store of its own")
        }
        runID = try RunLog.start(c, mode: .received, version: PaytopVersion.current, wallMillis: Self.wallMillis(),
                                 engineStart: Self.wallMillis() * 1_000_000, pid: Int64(getpid()))
        runConnection = c
        self.maxQueuedItems = maxQueuedItems
        statusValue = ReceiverStatus(listen: listen)
        mapper = try IngestMapper(storePath: storePath)
        let box = Box()
        // The intake and the writer yield to the console: frames stay on time while they
        // work flat out (issue 14: ≤ 5 ms a frame while ingesting).
        writer = try StoreWriter(path: storePath, yielding: true, onCommit: { _ in box.intake?.committed() })
        box.intake = self
        let t = Thread(named: "paytop-intake") { [self] in
            ThreadPriority.yieldToOthers()
            self.loop()
        }
        thread = t
        t.start()
    }

    private final class Box: @unchecked Sendable { weak var intake: Intake? }

    static func wallMillis() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Queues a request; `completion` runs after its commit (or with the reason it failed).
    /// Throws `Refused` at once when the queue is full.
    public func submit(_ t: ReceivedTelemetry, completion: @escaping Completion) throws {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw Refused(description: "the store cannot be written: \(failure)") }
        guard !closing else { throw Refused(description: "the receiver is shutting down") }
        let items = max(1, t.itemCount)
        if pendingItems + inflightItems + items > maxQueuedItems && (pendingItems + inflightItems) > 0 {
            statusValue.refused += Int64(t.itemCount)
            statusValue.lastError = "queue full: \(pendingItems + inflightItems) items waiting for the store"
            statusDirty = true
            throw Refused(description: "the receiver is behind: \(pendingItems + inflightItems) items wait for the store")
        }
        pending.append(Request(telemetry: t, completion: completion))
        pendingItems += items
        condition.broadcast()
    }

    /// Submits and blocks until the commit (log files, tests).
    public func submitAndWait(_ t: ReceivedTelemetry) throws -> IngestMapper.Outcome {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        try submit(t) { r in result.value = r; done.signal() }
        done.wait()
        return try result.value!.get()
    }

    private final class ResultBox: @unchecked Sendable { var value: Result<IngestMapper.Outcome, Error>? }

    /// Counts items refused before they reached the queue (oversized or undecodable bodies).
    /// CPU seconds the store's committing thread has spent so far.
    public var writerCPUSeconds: Double { writer.committingCPUSeconds }

    public func countRefused(_ items: Int, reason: String) {
        condition.lock()
        statusValue.refused += Int64(items)
        statusValue.lastError = reason
        statusDirty = true
        condition.unlock()
    }

    public var status: ReceiverStatus {
        condition.lock(); defer { condition.unlock() }
        return statusValue
    }

    /// Items queued or waiting for their commit.
    public var queuedItems: Int {
        condition.lock(); defer { condition.unlock() }
        return pendingItems + inflightItems
    }

    /// Answers what is queued, then stops; the run is marked ended.
    public func close() {
        condition.lock()
        closing = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
        try? writer.close()
        try? RunLog.end(runConnection, runID: runID, wallMillis: Self.wallMillis(), engineTime: Self.wallMillis() * 1_000_000)
    }

    private func loop() {
        var lastBeat = Date()
        while true {
            condition.lock()
            while pending.isEmpty && !closing && Date().timeIntervalSince(lastBeat) < 1 {
                _ = condition.wait(until: lastBeat.addingTimeInterval(1))
            }
            if pending.isEmpty && closing {
                condition.unlock()
                try? writer.waitUntilIdle()
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
                return
            }
            if Date().timeIntervalSince(lastBeat) >= 1 {
                // Once a second: the run's heartbeat (other writers see a live receiver).
                lastBeat = Date()
                try? RunLog.heartbeat(runConnection, runID: runID, wallMillis: Self.wallMillis(), engineTime: Self.wallMillis() * 1_000_000)
                // The counters' row every 5 s even when idle: readers show receivers that
                // committed in the last 10 s.
                if Self.wallMillis() - statusValue.updatedAtMillis >= 5_000 { statusDirty = true }
                if pending.isEmpty && !statusDirty {
                    condition.unlock()
                    continue
                }
            }
            // What is queued, up to one commit's worth; with nothing queued, the counters alone.
            var group: [Request] = []
            var items = 0
            while let r = pending.first, group.isEmpty || items + r.telemetry.itemCount <= maxItemsPerCommit {
                pending.removeFirst()
                items += max(1, r.telemetry.itemCount)
                group.append(r)
            }
            pendingItems -= items
            inflightItems += items
            let nothingInFlight = inflight.isEmpty
            condition.unlock()

            if nothingInFlight { mapper.forgetTracesIfLarge() }
            var batch = WriteBatch()
            var answered: [(Completion, IngestMapper.Outcome)] = []
            var total = IngestMapper.Outcome()
            for r in group {
                do {
                    let o = try mapper.map(r.telemetry, into: &batch)
                    answered.append((r.completion, o))
                    total.add(o)
                } catch {
                    r.completion(.failure(error))
                }
            }
            condition.lock()
            statusValue.requests += Int64(group.count)
            statusValue.spansAccepted += Int64(total.spans)
            statusValue.logsAccepted += Int64(total.logs)
            statusValue.metricPointsAccepted += Int64(total.metricPoints)
            statusValue.businessEvents += Int64(total.businessEvents)
            statusValue.rejected += Int64(total.rejected)
            if let why = total.rejection { statusValue.lastError = why }
            statusValue.updatedAtMillis = Self.wallMillis()
            batch.received.status = statusValue
            statusDirty = false
            if Date().timeIntervalSince(lastPrune) >= pruneEvery, mapper.newest > 0 {
                // Once a minute, in the commit of what it counts back from: the store keeps its budget.
                lastPrune = Date()
                let now = mapper.newest
                batch.prune = TelemetryPrune(finePointsBefore: now - Self.retention.finePoints, rollupsBefore: now - Self.retention.rollups,
                                             tracesBefore: now - Self.retention.traces, maxTraces: Self.retention.maxTraces)
            }
            inflight.append((items, answered))
            condition.unlock()
            do {
                try writer.submit(batch)
            } catch {
                fail(error)
                return
            }
        }
    }

    /// On the writer's thread, after each commit, in submission order.
    private func committed() {
        condition.lock()
        let done = inflight.popFirst()
        if let done { inflightItems -= done.items }
        condition.unlock()
        for (completion, outcome) in done?.requests ?? [] { completion(.success(outcome)) }
    }

    private func fail(_ error: Error) {
        condition.lock()
        failure = error
        let waiting = Array(inflight)
        inflight.removeAll()
        let queued = Array(pending)
        pending.removeAll()
        pendingItems = 0
        inflightItems = 0
        finished = true
        condition.broadcast()
        condition.unlock()
        for g in waiting { for (c, _) in g.requests { c(.failure(error)) } }
        for r in queued { r.completion(.failure(error)) }
    }
}

public enum ReceiverLimits {
    /// Bodies above this many bytes (as sent, and once inflated) are refused (413). The
    /// Collector's own OTLP receiver defaults to 20 MiB; exporters send far less a request.
    public static let maxBodyBytes = 16 * 1024 * 1024
}
