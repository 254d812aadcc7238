import Foundation
import PaytopJSON
import PaytopStore

/// Requests from other threads (the HTTP server) waiting for the engine's thread.
///
/// The engine is single-threaded: handlers post here and the `LiveRunner` drains the
/// inbox on its own thread, passing each request to `Engine.submit`. The inbox is
/// bounded; a full or closed inbox refuses at once, so a flood of clients cannot grow
/// memory without limit or stall behind an engine that has fallen behind.
public final class EngineInbox: @unchecked Sendable {
    public struct Request: Sendable {
        /// The parsed body; nil when it was not JSON.
        public var body: JSONValue?
        public var traceparent: String?
        /// Called once, on the engine's thread, with the final answer (a 202 only after its commit).
        public var respond: @Sendable (ApiResponse) -> Void

        /// Parses `rawBody` on the caller's thread, sparing the engine's.
        public init(rawBody: [UInt8], traceparent: String?, respond: @escaping @Sendable (ApiResponse) -> Void) {
            self.body = try? JSONValue.parse(rawBody)
            self.traceparent = traceparent
            self.respond = respond
        }
    }

    public enum Refusal: Error, Equatable {
        /// More requests wait than `capacity`: the engine is behind.
        case full
        /// The engine has stopped.
        case closed
    }

    public let capacity: Int
    private let condition = NSCondition()
    private var waiting: [Request] = []
    private var closed = false
    private var lastDrainNanos: Int64

    public init(capacity: Int = 20_000) {
        self.capacity = capacity
        self.lastDrainNanos = LiveRunner.monotonicNanos()
    }

    /// Queues a request for the engine and wakes its thread.
    public func post(_ request: Request) throws(Refusal) {
        condition.lock()
        defer { condition.unlock() }
        if closed { throw .closed }
        if waiting.count >= capacity { throw .full }
        var counted = request
        let respond = request.respond
        counted.respond = { [self] answer in
            condition.lock(); unanswered -= 1; condition.unlock()
            respond(answer)
        }
        unanswered += 1
        waiting.append(counted)
        condition.signal()
    }

    private var unanswered = 0

    /// Requests posted and not yet answered: waiting here or held by the engine.
    public var inFlight: Int {
        condition.lock(); defer { condition.unlock() }
        return unanswered
    }

    /// Requests waiting now (engine thread).
    func drain() -> [Request] {
        condition.lock()
        defer { condition.unlock() }
        lastDrainNanos = LiveRunner.monotonicNanos()
        if waiting.isEmpty { return [] }
        let taken = waiting
        waiting.removeAll(keepingCapacity: true)
        return taken
    }

    /// Sleeps until a request is posted, `wake()` is called, or `nanos` pass (engine thread).
    func wait(nanos: Int64) {
        condition.lock()
        defer { condition.unlock() }
        defer { woken = false }
        guard nanos > 0, waiting.isEmpty, !closed, !woken else { return }
        _ = condition.wait(until: Date(timeIntervalSinceNow: Double(nanos) / 1e9))
    }

    /// Ends the engine thread's current or next `wait` at once (the writer made a batch
    /// durable: answers may be due).
    func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    private var woken = false

    /// Refuses every later request and hands back those still waiting.
    func close() -> [Request] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        let left = waiting
        waiting.removeAll()
        return left
    }

    /// Whether the engine has stopped taking requests.
    public var isClosed: Bool {
        condition.lock(); defer { condition.unlock() }
        return closed
    }

    /// Nanoseconds since the engine's thread last looked at the inbox (health checks).
    public var nanosSinceLastDrain: Int64 {
        condition.lock(); defer { condition.unlock() }
        return LiveRunner.monotonicNanos() - lastDrainNanos
    }

    /// What the engine's writer holds durable and not yet committed to the file: a
    /// checkout's rows, and how far the file lags. Set by the `LiveRunner` that drains
    /// this inbox; read from the server's threads.
    public struct WriterView: Sendable {
        public var uncommittedRows: @Sendable (String) -> WriteBatch?
        public var lag: @Sendable () -> StoreWriter.Lag
    }

    private var writerView: WriterView?

    public var writer: WriterView? {
        get { condition.lock(); defer { condition.unlock() }; return writerView }
        set { condition.lock(); writerView = newValue; condition.unlock() }
    }

    /// Requests waiting for the engine's thread.
    public var depth: Int {
        condition.lock(); defer { condition.unlock() }
        return waiting.count
    }
}
