#if canImport(Glibc)
import PaytopVocabulary
import Glibc
#endif

/// Runs an engine on the wall clock × its speed: processes events as they fall due,
/// takes operator commands from the store at least every 250 ms, and hands the writer a
/// batch every 20 ms while anything changed. While an API caller waits for its answer, it
/// hands one over as soon as the writer has made the previous one durable: one batch in
/// flight, its size set by how long that takes (group commit). With a redo log (an engine
/// with an inbox) durable means appended to the log, so answers wait about one append
/// and the file commits every `StoreWriter.commitInterval`; without one, one commit.
public final class LiveRunner {
    public let engine: Engine
    /// Requests from the HTTP server; nil when nothing outside the engine sends any.
    public let inbox: EngineInbox?
    public var controlPollInterval: Int64 = 250_000_000
    public var flushInterval: Int64 = 20_000_000
    public var heartbeatInterval: Int64 = 1_000_000_000
    private var clock: EngineClock

    public init(engine: Engine, inbox: EngineInbox? = nil) {
        self.engine = engine
        self.inbox = inbox
        self.clock = .live(startingAt: engine.now, wallNow: LiveRunner.monotonicNanos(), speed: engine.speed)
        inbox?.writer = .init(uncommittedRows: engine.uncommittedRows, lag: engine.storeLagView)
        // Answers are due when their batch is durable: the writer says when, so the loop
        // sleeps until then instead of polling.
        if let inbox { engine.writer.onDurable = { [weak inbox] in inbox?.wake() } }
    }

    /// Runs until `shouldStop` says so or `wallSeconds` pass, then stops taking requests,
    /// lets the initializer answer the callers it holds (at most `drainNanos`), and
    /// commits everything.
    public func run(wallSeconds: Double? = nil, shouldStop: () -> Bool) throws {
        let started = LiveRunner.monotonicNanos()
        let deadline = wallSeconds.map { started + Int64($0 * 1e9) }
        // On every way out (a store failure included) no caller is left waiting; after a
        // failure they hear why.
        var refusal = LiveRunner.stopping(at: engine.now)
        defer {
            refuseWaitingRequests(refusal)
            engine.refuseCallsInFlight(refusal)
            engine.refuseUndeliveredAnswers(refusal)
        }
        do {
            try engine.pollControlCommands()
            while !shouldStop() {
                if let deadline, LiveRunner.monotonicNanos() >= deadline { break }
                try turn(until: deadline)
            }
            refuseWaitingRequests(refusal)
            let drainEnd = LiveRunner.monotonicNanos() + drainNanos
            while engine.hasOutsideCallsInFlight && LiveRunner.monotonicNanos() < drainEnd { try turn(until: drainEnd) }
            engine.refuseCallsInFlight(refusal)
            try engine.close()
        } catch {
            refusal = LiveRunner.storeFailed(at: engine.now)
            throw error
        }
    }

    /// How long a stopping runner keeps the engine going for callers it already holds.
    public var drainNanos: Int64 = 5_000_000_000
    private var lastPoll: Int64 = 0, lastHeartbeat: Int64 = 0
    private lazy var lastFlush = LiveRunner.monotonicNanos()

    /// One turn of the loop: due events, new requests, operator commands, a flush when
    /// one is due, answers for what committed; then sleep until the next thing to do.
    private func turn(until deadline: Int64?) throws {
        // A writer that failed makes nothing durable again: stop, rather than hold callers.
        if let failure = engine.writerFailure { throw failure }
        let wall = LiveRunner.monotonicNanos()
        let target = clock.engineTime(atWall: wall)
        var budget = 50_000
        while budget > 0, try engine.step(notAfter: target) { budget -= 1 }
        engine.advance(to: target)
        if let inbox {
            for r in inbox.drain() { engine.submit(r.body, traceparent: r.traceparent, respond: r.respond) }
        }
        if wall - lastPoll >= controlPollInterval {
            lastPoll = wall
            try engine.pollControlCommands()
            if engine.speed != clock.speed { clock.setSpeed(engine.speed, wallNow: wall) }
        }
        let answersWait = engine.hasResponsesAwaitingFlush && engine.writerIsIdle
        if answersWait || wall - lastFlush >= flushInterval {
            lastFlush = wall
            try engine.flush()
        }
        engine.deliverCommittedResponses()
        if wall - lastHeartbeat >= heartbeatInterval {
            lastHeartbeat = wall
            engine.recordHeartbeat()  // with the stored clock, current even when idle
        }
        if budget == 0 { return }  // behind schedule: no sleep
        var wakeAt = min(lastFlush + flushInterval, lastPoll + controlPollInterval)
        // Without an inbox nothing wakes the loop when a batch becomes durable: poll.
        if inbox == nil && (engine.hasResponsesAwaitingCommit || engine.hasResponsesAwaitingFlush) { wakeAt = min(wakeAt, wall + 200_000) }
        if let next = engine.nextEventTime { wakeAt = min(wakeAt, clock.wallTime(forEngine: next)) }
        if let deadline { wakeAt = min(wakeAt, deadline) }
        let sleep = min(wakeAt - LiveRunner.monotonicNanos(), 50_000_000)
        if let inbox, !inbox.isClosed { inbox.wait(nanos: sleep) } else if sleep > 0 { usleep(UInt32(sleep / 1000)) }
    }

    /// Requests that arrived too late for this run hear so (503); the answers already owed
    /// are delivered by the final commit in `close`. Later posts are refused at once.
    private func refuseWaitingRequests(_ refusal: ApiResponse) {
        guard let inbox else { return }
        for r in inbox.close() { r.respond(refusal) }
    }

    /// The answer to a caller the stopping engine will not serve.
    static func stopping(at time: EngineTime) -> ApiResponse {
        ApiResponse(status: 503, body: .object(["error": "Service Unavailable", "message": "the engine is stopping"]),
                    respondedAt: time, checkoutID: nil)
    }

    /// The answer to a caller the engine cannot serve because its store failed (a full
    /// disk, say): its checkout was not kept, and it may retry once the store is mended.
    /// The error itself (with the store's path) goes to the server's log, not to callers.
    static func storeFailed(at time: EngineTime) -> ApiResponse {
        ApiResponse(status: 503, body: .object(["error": "Service Unavailable",
                                                "message": "the engine stopped: its store failed; this request was not kept"]),
                    respondedAt: time, checkoutID: nil)
    }

    public static func monotonicNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
