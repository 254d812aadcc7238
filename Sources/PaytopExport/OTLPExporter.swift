import Foundation
import PaytopStore
import DequeModule

/// Sends what the store records to an OpenTelemetry endpoint over OTLP/HTTP (protobuf):
/// spans to `/v1/traces`, business events as log records to `/v1/logs`, the 60-s metric
/// roll-ups to `/v1/metrics`.
///
/// The engine never waits for it: committed batches are offered to a bounded queue and
/// a full queue drops them, counted. One sender thread resolves rows into OTLP, sends
/// requests of at most `maxPerRequest` items, and retries what the OTLP spec calls
/// retryable (no answer, 429, 502, 503, 504) with exponential backoff; what still fails
/// is dropped and counted. The counters go to the store's `otlp_export` row every second,
/// where the console shows them.
public final class OTLPExporter: @unchecked Sendable {
    public struct Settings: Sendable {
        /// Items (spans + log records) waiting at most; beyond, offered batches are dropped.
        public var queueCapacity = 200_000
        public var maxPerRequest = 2_048
        /// Attempts per request before its items are dropped.
        public var maxAttempts = 6
        public var initialBackoff: Double = 0.5
        public var maxBackoff: Double = 8
        public var requestTimeout: Double = 10
        public init() {}
    }

    public struct Counters: Sendable, Equatable {
        public var spansExported = 0
        public var logsExported = 0
        public var metricPointsExported = 0
        public var dropped = 0
        public var failedRequests = 0
        public var queued = 0
        public var lastError: String?
    }

    public let endpoint: String
    private let tracesURL: URL
    private let logsURL: URL
    private let metricsURL: URL
    private let settings: Settings
    private let storePath: String
    private let client: BlockingHTTPClient
    private let condition = NSCondition()
    private var queue = Deque<WriteBatch>()
    private var counters = Counters()
    private var stopping = false
    private var stopDeadline: Date?
    private var stopped = false

    /// `endpoint` is the collector's base URL (`http://host:4318`); a URL already ending
    /// in `/v1/traces` is taken as the traces URL and logs go beside it.
    public init(endpoint: String, storePath: String, settings: Settings = Settings()) throws {
        var base = try BlockingHTTPClient.url(endpoint).absoluteString
        if base.hasSuffix("/v1/traces") { base.removeLast("/v1/traces".count) }
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base
        tracesURL = URL(string: base + "/v1/traces")!
        logsURL = URL(string: base + "/v1/logs")!
        metricsURL = URL(string: base + "/v1/metrics")!
        self.settings = settings
        self.storePath = storePath
        client = BlockingHTTPClient(timeoutSeconds: settings.requestTimeout)
        let t = Thread(named: "paytop-otlp-out") { [self] in self.loop() }
        t.start()
    }

    private static func items(_ b: WriteBatch) -> Int {
        b.spans.count + b.businessEvents.count + b.metricPoints.count { $0.periodSeconds == RowResolver.exportedPeriodSeconds }
    }

    /// From the writer's thread: queue the batch's telemetry, or drop it (counted) when
    /// the queue is full. Never blocks on the network.
    public func offer(_ batch: WriteBatch) {
        let n = Self.items(batch)
        guard n > 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        if stopping || counters.queued + n > settings.queueCapacity {
            counters.dropped += n
            return
        }
        enqueue(batch, n)
    }

    /// For exports that must not lose anything (a recorded store, a simulation): waits
    /// while the queue is full.
    public func submit(_ batch: WriteBatch) {
        let n = Self.items(batch)
        condition.lock()
        defer { condition.unlock() }
        while counters.queued > 0 && counters.queued + n > settings.queueCapacity && !stopping { condition.wait() }
        enqueue(batch, n)
    }

    private func enqueue(_ batch: WriteBatch, _ n: Int) {
        queue.append(batch)
        counters.queued += n
        condition.broadcast()
    }

    public var snapshot: Counters {
        condition.lock(); defer { condition.unlock() }
        return counters
    }

    /// Sends what is queued (for at most `timeout` seconds; the rest is dropped, counted),
    /// stops the thread and returns the final counters.
    @discardableResult
    public func finish(timeout: Double = 30) -> Counters {
        condition.lock()
        stopping = true
        stopDeadline = Date().addingTimeInterval(timeout)
        condition.broadcast()
        while !stopped { condition.wait() }
        let c = counters
        condition.unlock()
        return c
    }

    // MARK: The sender thread

    private func loop() {
        // Opened on first use: a live engine creates the store after the exporter starts.
        var resolver: RowResolver?
        var status: ExportStatusWriter?
        var lastStatus = Date.distantPast
        while true {
            condition.lock()
            while queue.isEmpty && !stopping {
                _ = condition.wait(until: Date().addingTimeInterval(1))
                if Date().timeIntervalSince(lastStatus) >= 1 { break }
            }
            if stopping, let deadline = stopDeadline, Date() > deadline, !queue.isEmpty {
                // Out of time: what is still queued is given up, counted.
                counters.dropped += counters.queued
                counters.lastError = (counters.lastError.map { $0 + "; " } ?? "") + "stopped with \(counters.queued) items unsent"
                counters.queued = 0
                queue.removeAll()
            }
            var taken: [WriteBatch] = []
            var takenItems = 0
            while takenItems < settings.maxPerRequest, let b = queue.popFirst() {
                taken.append(b)
                takenItems += Self.items(b)
            }
            let done = stopping && queue.isEmpty && taken.isEmpty
            condition.unlock()

            for b in taken {
                let chunk: ExportChunk
                do {
                    if resolver == nil { resolver = try RowResolver(storePath: storePath) }
                    chunk = try resolver!.resolve(b)
                } catch {
                    record { $0.dropped += Self.items(b); $0.lastError = "reading the store: \(error)" }
                    continue
                }
                send(chunk)
                condition.lock()
                counters.queued -= Self.items(b)
                condition.broadcast()
                condition.unlock()
            }
            if done || Date().timeIntervalSince(lastStatus) >= 1 {
                lastStatus = Date()
                if status == nil && Store.exists(storePath) { status = ExportStatusWriter(storePath: storePath, endpoint: endpoint) }
                status?.write(snapshot)
            }
            if done { break }
        }
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func record(_ change: (inout Counters) -> Void) {
        condition.lock()
        change(&counters)
        condition.unlock()
    }

    private func send(_ chunk: ExportChunk) {
        send(chunk.spans, to: tracesURL, encode: OTLPEncoding.traces, counted: \.spansExported)
        send(chunk.logs, to: logsURL, encode: OTLPEncoding.logs, counted: \.logsExported)
        send(chunk.metrics, to: metricsURL, encode: OTLPEncoding.metrics, counted: \.metricPointsExported)
    }

    /// `items` in requests of at most `maxPerRequest`, each counted in `counted` once sent.
    private func send<T>(_ items: [T], to url: URL, encode: ([T]) -> [UInt8], counted: WritableKeyPath<Counters, Int>) {
        var i = 0
        while i < items.count {
            let part = Array(items[i..<min(i + settings.maxPerRequest, items.count)])
            if post(url, encode(part), items: part.count) { record { $0[keyPath: counted] += part.count } }
            i += part.count
        }
    }

    /// Set when a request exhausted its retries; until one succeeds again, requests get
    /// one attempt each, so an unreachable collector costs one backoff series, not one
    /// per request.
    private var outage = false

    /// One request with retries; false when its items were dropped.
    private func post(_ url: URL, _ body: [UInt8], items: Int) -> Bool {
        var backoff = settings.initialBackoff
        var lastError = ""
        let attempts = outage ? 1 : settings.maxAttempts
        for attempt in 1...attempts {
            do {
                let r = try client.send("POST", url, body: Data(body), headers: ["Content-Type": "application/x-protobuf"])
                if (200..<300).contains(r.status) {
                    outage = false
                    return true
                }
                lastError = "\(url.path): HTTP \(r.status)"
                if ![429, 502, 503, 504].contains(r.status) { break }  // not retryable
                if let after = r.headers["retry-after"].flatMap(Double.init) { backoff = min(max(after, backoff), settings.maxBackoff) }
            } catch {
                lastError = "\(url.absoluteString): \(error)"
            }
            record { $0.failedRequests += 1; $0.lastError = lastError }
            if attempt == attempts || pastStopDeadline { break }
            condition.lock()
            _ = condition.wait(until: Date().addingTimeInterval(backoff))
            condition.unlock()
            backoff = min(backoff * 2, settings.maxBackoff)
        }
        record { $0.dropped += items; $0.lastError = lastError }
        outage = true
        return false
    }

    private var pastStopDeadline: Bool {
        condition.lock(); defer { condition.unlock() }
        return stopDeadline.map { Date() > $0 } ?? false
    }

}

/// The exporter's counters in the store's `otlp_export` table (best effort: a store
/// that cannot be written to, or predates the table, only loses the console's view).
struct ExportStatusWriter {
    private var table: ExportStatus.Writer?
    private let endpoint: String

    init(storePath: String, endpoint: String) {
        self.endpoint = endpoint
        table = try? ExportStatus.Writer(storePath: storePath)
    }

    mutating func write(_ c: OTLPExporter.Counters) {
        guard let table else { return }
        var row = ExportStatus(endpoint: endpoint)
        row.spansExported = Int64(c.spansExported); row.logsExported = Int64(c.logsExported)
        row.metricPointsExported = Int64(c.metricPointsExported); row.dropped = Int64(c.dropped)
        row.failedRequests = Int64(c.failedRequests); row.queued = Int64(c.queued); row.lastError = c.lastError
        row.updatedAtMillis = Int64(Date().timeIntervalSince1970 * 1000)
        // A busy store skips this second; any other failure ends the status rows for the run.
        if (try? table.write(row)) == nil { self.table = nil }
    }
}
