import PaytopVocabulary
import Foundation
@testable import PaytopEngine
import PaytopExport
import PaytopServer
@testable import PaytopStore
import Synchronization
import PaytopJSON

/// A live engine on a temporary store with the HTTP API on a free loopback port, and a
/// real HTTP client (URLSession) talking to it.
final class LiveApi: @unchecked Sendable {
    let path: String
    let server: ApiServer
    let client = BlockingHTTPClient(timeoutSeconds: 20)
    private let stopFlag = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let failureLock = NSLock()
    private var runnerFailure: Error?

    let inbox = EngineInbox()
    /// The engine's writer (its test hooks are thread-safe).
    let writer: StoreWriter

    /// `redoLogHoldingCommits`: the engine answers from a redo log, as `paytop serve` does,
    /// whose batches reach the file only when the engine stops.
    init(_ tag: String = #function, settings: EngineSettings = LiveApi.quietSettings(), speed: Double = 100,
         drainSeconds: Double = 5, redoLogHoldingCommits: Bool = false) throws {
        path = NSTemporaryDirectory() + "paytop-api-\(tag.filter { $0.isLetter })-\(UUID().uuidString.prefix(8)).db"
        var options = Engine.Options(storePath: path, mode: .live, settings: settings)
        options.startTime = EngineTime(nanos: Int64(Date().timeIntervalSince1970 * 1e9))
        options.redoLog = redoLogHoldingCommits
        let engine = try Engine(options)
        if redoLogHoldingCommits { engine.writer.commitInterval = 3_600_000_000_000 }
        writer = engine.writer
        try engine.apply(.speed(speed), source: "test")
        server = try ApiServer.start(host: "127.0.0.1", port: 0, api: PaymentsAPI(inbox: inbox, storePath: path))
        let box = EngineBox(engine)
        Thread { [self] in
            do {
                let runner = LiveRunner(engine: box.engine, inbox: inbox)
                runner.drainNanos = Int64(drainSeconds * 1e9)
                try runner.run { self.stopFlag.load(ordering: .relaxed) }
            } catch {
                failureLock.lock(); runnerFailure = error; failureLock.unlock()
            }
            done.signal()
        }.start()
    }

    /// No generated traffic, no background errors: only the requests a test sends.
    static func quietSettings() -> EngineSettings {
        var s = EngineSettings()
        s.ratePerSecond = 0
        s.errorMix = false
        return s
    }

    /// Stops the engine (it commits everything) and the server; throws what the engine threw.
    func stop() throws {
        stopFlag.store(true, ordering: .relaxed)
        done.wait()
        server.stop()
        failureLock.lock(); defer { failureLock.unlock() }
        if let runnerFailure { throw runnerFailure }
    }

    deinit {
        for suffix in ["", "-wal", "-shm", "-redo"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func url(_ path: String) -> URL { URL(string: server.url + path)! }

    func post(_ body: Data, contentType: String? = "application/json", headers: [String: String] = [:]) throws -> Reply {
        var h = headers
        if let contentType { h["Content-Type"] = contentType }
        return Reply(try client.send("POST", url("/v1/payments"), body: body, headers: h))
    }

    func post(_ json: JSONValue, headers: [String: String] = [:]) throws -> Reply {
        try post(Data(json.encoded.utf8), headers: headers)
    }

    func get(_ path: String) throws -> Reply { Reply(try client.send("GET", url(path))) }

    /// Posts on another thread; the closure returned waits for the reply.
    func postInBackground(_ json: JSONValue) -> () -> Result<Reply, Error> {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Reply, Error>!
        Thread { [self] in
            result = Result { try post(json) }
            done.signal()
        }.start()
        return { done.wait(); return result }
    }

    /// Blocks until the engine holds `count` requests (taken from the inbox, not yet
    /// answered), as the inbox's own counters say; throws after 10 s.
    func waitUntilEngineHolds(_ count: Int) throws {
        let deadline = Date(timeIntervalSinceNow: 10)
        while !(inbox.depth == 0 && inbox.inFlight == count) {
            guard Date() < deadline else { throw EngineNeverHeld(count: count, inFlight: inbox.inFlight, depth: inbox.depth) }
            usleep(1_000)
        }
    }

    struct EngineNeverHeld: Error { let count: Int, inFlight: Int, depth: Int }

    /// Reads the store through a fresh read-only connection.
    func rows(_ sql: String) throws -> [[String]] {
        let c = try Store.openForReading(path: path)
        let s = try c.cached(sql)
        var out: [[String]] = []
        while try s.step() { out.append((0..<s.columnCount).map { s.isNull($0) ? "NULL" : s.string($0) }) }
        return out
    }

    private final class EngineBox: @unchecked Sendable {
        let engine: Engine
        init(_ e: Engine) { engine = e }
    }
}

/// An HTTP answer with its body parsed as JSON.
struct Reply {
    let status: Int
    let headers: [String: String]
    let text: String
    let json: JSONValue?

    init(_ r: BlockingHTTPClient.Response) {
        status = r.status
        headers = r.headers
        text = String(decoding: r.body, as: UTF8.self)
        json = try? JSONValue.parse(r.body)
    }
}

/// A valid request for checkout `id` with one order of `amount`.
func paymentRequest(_ id: String, amount: String = "25.00", simulate: JSONValue? = nil) -> JSONValue {
    var o: [String: JSONValue] = [
        "checkout_id": .string(id),
        "buyer_info": ["user_id": "user-1001", "email": "ada@example.com"],
        "credit_card_info": ["payment_token": "tok_visa_4242"],
        "payment_orders": [["payment_order_id": .string("po-\(id)-1"), "seller_account": "seller-acct-001",
                            "amount": .string(amount), "currency": "USD"]],
    ]
    if let simulate { o["simulate"] = simulate }
    return .object(o)
}

/// The repository's root (for sample-data/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
