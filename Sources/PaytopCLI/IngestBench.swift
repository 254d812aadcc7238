import Foundation
import PaytopConsole
import PaytopEngine
import PaytopExport
import PaytopIngest
import PaytopJSON
import PaytopServer
import PaytopStore
import Synchronization

/// `paytop bench --ingest`: OTLP/HTTP spans received per second, and the console's frame
/// time while they arrive (issue 14).
///
/// A simulated store's spans are encoded up front as the requests `paytop export` sends
/// (2,048 spans each), so the clients — `clients` threads, keep-alive connections on raw
/// sockets (`RawHTTPClient`) — only write bytes. Each run receives all of them into a fresh store through the real path
/// (HTTP server, decoding, mapping, group commits, a 200 after each commit) while a
/// console thread reads the store and draws the Overview and the trace view at 200×60
/// every 100 ms (the console's loop: it reads keys for 100 ms between frames). Then the same rows are inserted with plain prepared
/// INSERTs into another fresh store: the ceiling, measured in the same run.
struct IngestBench {
    let checkouts: Int
    let runs: Int
    let clients: Int
    let seed: UInt64
    let json: Bool

    struct Run {
        var spans: Int; var seconds: Double; var rowsPerSecond: Double; var ceiling: Double; var frames: [Double]; var reads: [Double]
        /// Process CPU seconds (all threads, clients included) per wall second while receiving.
        var cores: Double
        /// CPU seconds of the store's committing thread while receiving.
        var writerCPU: Double
    }

    /// User + system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    func run() throws {
        let source = NSTemporaryDirectory() + "paytop-ingest-bench-\(getpid())-source.db"
        removeStore(source)
        defer { removeStore(source) }
        var settings = EngineSettings()
        settings.seed = seed
        settings.ratePerSecond = 50
        var options = Engine.Options(storePath: source, mode: .simulated, settings: settings)
        options.requireNewStore = true
        let engine = try Engine(options)
        _ = try SimulationRunner.run(engine, checkouts: checkouts)
        try engine.close()
        let bodies = try OTLPRequestBodies.traces(storePath: source)
        let total = bodies.reduce(0) { $0 + $1.spans }
        let probe = try Store.openForReading(path: source)
        let checkoutID = try CheckoutLookup.checkoutID(probe, at: 0) ?? ""
        if !json {
            print("source: \(checkouts.grouped) simulated checkouts → \(total.grouped) spans in \(bodies.count) requests of up to 2,048 "
                  + "(\(bodies.reduce(0) { $0 + $1.body.count } / 1_000_000) MB), \(clients) client connections")
        }
        if !json { try phases(bodies, total: total) }
        var results: [Run] = []
        for i in 1...runs {
            let r = try once(bodies, total: total, checkoutID: checkoutID, index: i)
            results.append(r)
            if !json {
                print(String(format: "run %d: %@ spans in %.2f s · %@ spans/s · %@ rows/s · ceiling %@ rows/s · ratio %.2f · %.2f cores busy (the writer's thread %.2f s) · frame p50 %.2f p95 %.2f max %.2f ms (%d frames) · store read p50 %.1f p95 %.1f ms",
                             i, r.spans.grouped, r.seconds, Int(Double(r.spans) / r.seconds).grouped, Int(r.rowsPerSecond).grouped,
                             Int(r.ceiling).grouped, r.rowsPerSecond / r.ceiling, r.cores, r.writerCPU, percentile(r.frames, 0.5), percentile(r.frames, 0.95),
                             r.frames.max() ?? 0, r.frames.count, percentile(r.reads, 0.5), percentile(r.reads, 0.95)))
            }
        }
        func median(_ xs: [Double]) -> Double { percentile(xs, 0.5) }
        let sps = median(results.map { Double($0.spans) / $0.seconds })
        let ratio = median(results.map { $0.rowsPerSecond / $0.ceiling })
        let frameP95 = median(results.map { percentile($0.frames, 0.95) })
        if json {
            print(JSONValue.object([
                "spans": .number(Double(total)), "runs": .number(Double(runs)), "clients": .number(Double(clients)),
                "median_spans_per_second": .number(sps.rounded()), "median_ratio_to_ceiling": .number((ratio * 100).rounded() / 100),
                "median_frame_p95_ms": .number((frameP95 * 100).rounded() / 100),
            ]).encoded)
        } else {
            print(String(format: "median of %d: %@ spans/s · ratio to the insert ceiling %.2f · console frame p95 %.2f ms while ingesting",
                         runs, Int(sps).grouped, ratio, frameP95))
        }
    }

    /// Where the time goes, one stage at a time on one thread: decoding every body,
    /// mapping it onto rows, committing the rows (in the receiver these overlap on three
    /// threads: the server's, the intake's and the writer's).
    private func phases(_ bodies: [(body: [UInt8], spans: Int)], total: Int) throws {
        let path = NSTemporaryDirectory() + "paytop-ingest-bench-\(getpid())-phases.db"
        removeStore(path)
        defer { removeStore(path) }
        _ = try Store.openForWriting(path: path, create: true)
        var t0 = ContinuousClock.now
        let decoded = try bodies.map { try OTLPProtobufDecoding.decode(.traces, $0.body) }
        let decode = seconds(ContinuousClock.now - t0)
        let mapper = try IngestMapper(storePath: path)
        t0 = ContinuousClock.now
        var batches: [WriteBatch] = []
        for d in decoded {
            var b = WriteBatch()
            _ = try mapper.map(d, into: &b)
            batches.append(b)
        }
        let map = seconds(ContinuousClock.now - t0)
        let writer = try StoreWriter(path: path)
        t0 = ContinuousClock.now
        for b in batches { try writer.submit(b) }
        try writer.waitUntilIdle()
        let commit = seconds(ContinuousClock.now - t0)
        try writer.close()
        func rate(_ s: Double) -> String { Int(Double(total) / s).grouped }
        print(String(format: "stages alone: decode %.2f s (%@ spans/s) · map %.2f s (%@ spans/s) · commit %.2f s (%@ spans/s)",
                     decode, rate(decode), map, rate(map), commit, rate(commit)))
    }

    private func once(_ bodies: [(body: [UInt8], spans: Int)], total: Int, checkoutID: String, index: Int) throws -> Run {
        let path = NSTemporaryDirectory() + "paytop-ingest-bench-\(getpid())-\(index).db"
        let copy = path + ".ceiling.db"
        removeStore(path); removeStore(copy)
        defer { removeStore(path); removeStore(copy) }
        let intake = try Intake(storePath: path, listen: "bench")
        let server = try ApiServer.start(host: "127.0.0.1", port: 0, api: OTLPReceiver(intake: intake))
        let requests = bodies.map { RawHTTPClient.request(path: "/v1/traces", contentType: "application/x-protobuf", body: $0.body) }

        // The console beside it: read the store and draw, every 250 ms, until the clients finish.
        let stop = Atomic<Bool>(false)
        let console = Measurements()
        let drawer = Thread(named: "bench-console") {
            guard let reader = try? Store.openForReading(path: path) else { return }
            var state = ConsoleState()
            state.width = 200; state.height = 60
            state.watchingReceived = true
            guard let theme = try? Theme.named("dark") else { return }
            while !stop.load(ordering: .relaxed) {
                let t0 = ContinuousClock.now
                guard let snap = try? ConsoleSnapshot.load(reader, limits: ConsoleLimits.snapshot, windowNanos: state.timeRange.nanos,
                                                           parts: state.view.parts) else { break }
                let trace = try? TraceWaterfall.load(reader, checkoutID: checkoutID)
                let t1 = ContinuousClock.now
                for view in [ViewID.overview, .trace] {
                    var s = state
                    s.view = view
                    s.traceCheckoutID = checkoutID
                    let f0 = ContinuousClock.now
                    _ = Screen.render(s, ConsoleData(snapshot: snap, trace: trace), theme: theme, glyphs: .unicode)
                    console.frame(seconds(ContinuousClock.now - f0) * 1000)
                }
                console.read(seconds(t1 - t0) * 1000)
                usleep(100_000)
            }
        }
        drawer.start()
        let failures = Atomic<Int>(0)
        let group = DispatchGroup()
        let start = ContinuousClock.now
        let cpuStart = Self.cpuSeconds()
        for k in 0..<clients {
            group.enter()
            Thread(named: "bench-client") {
                defer { group.leave() }
                // The clients stand in for a Collector on another machine: they yield too.
                ThreadPriority.yieldToOthers()
                guard let client = try? RawHTTPClient(host: "127.0.0.1", port: server.port) else { failures.add(1, ordering: .relaxed); return }
                for i in stride(from: k, to: requests.count, by: clients) {
                    if (try? client.send(requests[i])) != 200 { failures.add(1, ordering: .relaxed) }
                }
            }.start()
        }
        group.wait()
        let wall = seconds(ContinuousClock.now - start)
        let cores = (Self.cpuSeconds() - cpuStart) / wall
        let writerCPU = intake.writerCPUSeconds
        stop.store(true, ordering: .relaxed)
        server.stop()
        intake.close()
        while !drawer.isFinished { usleep(10_000) }
        let failed = failures.load(ordering: .relaxed)
        guard failed == 0 else { throw CLIError(message: "\(failed) requests were not answered 200") }
        let c = try Store.openForReading(path: path)
        let summary = try StoreSummary.load(c)
        let stored = summary.rowsByTable["span_data"] ?? 0
        guard stored == total else { throw CLIError(message: "\(stored) spans in the store, \(total) sent") }
        let rows = summary.totalRows
        let ceiling = try RawInsertCeiling.measure(source: path, target: copy)
        return Run(spans: total, seconds: wall, rowsPerSecond: Double(rows) / wall, ceiling: ceiling.rowsPerSecond,
                   frames: console.frames, reads: console.reads, cores: cores, writerCPU: writerCPU)
    }

    private final class Measurements: @unchecked Sendable {
        private let lock = NSLock()
        private var f: [Double] = [], r: [Double] = []
        func frame(_ ms: Double) { lock.lock(); f.append(ms); lock.unlock() }
        func read(_ ms: Double) { lock.lock(); r.append(ms); lock.unlock() }
        var frames: [Double] { lock.lock(); defer { lock.unlock() }; return f }
        var reads: [Double] { lock.lock(); defer { lock.unlock() }; return r }
    }
}

func percentile(_ xs: [Double], _ q: Double) -> Double {
    guard !xs.isEmpty else { return 0 }
    let s = xs.sorted()
    return s[min(s.count - 1, Int((Double(s.count - 1) * q).rounded()))]
}
