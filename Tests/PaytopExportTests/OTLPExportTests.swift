import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopExport
@testable import PaytopStore
import PaytopJSON
import PaytopProtobuf

/// OTLP export against a real receiver written with the official protobuf definitions
/// (Tests/otlp/receiver.py, PyPI opentelemetry-proto; .ci/run installs it).
@Suite(.serialized) struct OTLPExportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The receiver on a free port; stopped when the value is released.
    final class Receiver {
        let process = Process()
        let url: String
        let client = BlockingHTTPClient(timeoutSeconds: 30)

        init(failFirst: Int = 0) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", OTLPExportTests.root.appendingPathComponent("Tests/otlp/receiver.py").path,
                                 "--port", "0", "--fail-first", String(failFirst)]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // The first line says where it listens (or the process ends: the import failed).
            var line = Data()
            while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data([0x0A]) { line.append(byte) }
            let text = String(decoding: line, as: UTF8.self)
            guard text.hasPrefix("listening on "), let port = Int(text.dropFirst("listening on ".count)) else {
                throw ReceiverError(description: "the OTLP receiver did not start (is opentelemetry-proto installed? pip install opentelemetry-proto): \(text)")
            }
            url = "http://127.0.0.1:\(port)"
        }

        deinit {
            // SIGKILL: a test runner's threads block SIGTERM, and children inherit that mask.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        func json(_ path: String) throws -> JSONValue {
            try JSONValue.parse(try client.send("GET", URL(string: url + path)!).body)
        }

        /// The receiver's comparison of everything that arrived with the store.
        func verify(_ store: String) throws -> JSONValue {
            try json("/verify?db=" + store.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!)
        }
    }

    struct ReceiverError: Error, CustomStringConvertible { let description: String }

    func tempStore(_ tag: String) -> String {
        NSTemporaryDirectory() + "paytop-otlp-\(tag)-\(UUID().uuidString.prefix(8)).db"
    }

    func remove(_ path: String) { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }

    /// A fixed-seed simulation with the error mix, exported as it commits (the live path).
    func simulate(_ path: String, checkouts: Int, exporter: OTLPExporter, blocking: Bool) throws {
        var settings = EngineSettings()
        settings.seed = 42
        settings.ratePerSecond = 50
        var options = Engine.Options(storePath: path, mode: .simulated, settings: settings)
        options.flushThreshold = 2_000
        if blocking { options.onCommit = { exporter.submit($0) } } else { options.onCommit = { exporter.offer($0) } }
        let engine = try Engine(options)
        _ = try SimulationRunner.run(engine, checkouts: checkouts)
        try engine.close()
    }

    @Test func everySpanOfAFixedSeedRunArrivesIntact() throws {
        let receiver = try Receiver()
        let path = tempStore("live")
        defer { remove(path) }
        let exporter = try OTLPExporter(endpoint: receiver.url, storePath: path)
        try simulate(path, checkouts: 300, exporter: exporter, blocking: false)
        let counters = exporter.finish()
        #expect(counters.dropped == 0)
        let result = try receiver.verify(path)
        #expect(result["ok"] == .bool(true), "\(result.encoded)")
        #expect((result["spans_expected"]?.numberValue ?? 0) > 3_000)
        #expect(result["spans_received"] == result["spans_expected"])
        #expect(result["logs_received"] == result["logs_expected"])
        #expect(Double(counters.spansExported) == result["spans_expected"]?.numberValue)
        #expect((result["metric_points_expected"]?.numberValue ?? 0) > 0, "the 60-s metric roll-ups are exported too")
        #expect(result["metric_points_received"] == result["metric_points_expected"])
        // The counters reached the store, where the console reads them.
        let c = try Store.openForReading(path: path)
        #expect(try c.scalarInt("SELECT spans_exported FROM otlp_export") == Int64(counters.spansExported))
    }

    @Test func aRecordedStoreIsExportedWholeThroughRetries() throws {
        let path = tempStore("recorded")
        defer { remove(path) }
        // Record first (no exporter), then export the file as `paytop export` does.
        var settings = EngineSettings()
        settings.seed = 7
        let engine = try Engine(Engine.Options(storePath: path, mode: .simulated, settings: settings))
        _ = try SimulationRunner.run(engine, checkouts: 150)
        try engine.close()

        let receiver = try Receiver(failFirst: 3)
        var s = OTLPExporter.Settings()
        s.initialBackoff = 0.05
        let exporter = try OTLPExporter(endpoint: receiver.url + "/v1/traces", storePath: path, settings: s)
        let read = try RecordedTelemetry.read(storePath: path, tracesPerBatch: 16) { exporter.submit($0) }
        let counters = exporter.finish()
        #expect(counters.dropped == 0)
        #expect(counters.failedRequests == 3, "the receiver refused the first three requests; each was retried")
        #expect(counters.spansExported == read.spans && counters.logsExported == read.events)
        #expect(counters.metricPointsExported > 0)
        let result = try receiver.verify(path)
        #expect(result["ok"] == .bool(true), "\(result.encoded)")
        #expect(try receiver.json("/stats")["duplicate_spans"] == 0)
    }

    @Test func anUnreachableCollectorDropsCountedAndNeverSlowsTheEngine() throws {
        let path = tempStore("down")
        defer { remove(path) }
        var s = OTLPExporter.Settings()
        s.initialBackoff = 0.01
        s.maxBackoff = 0.02
        s.queueCapacity = 5_000
        let exporter = try OTLPExporter(endpoint: "http://127.0.0.1:1", storePath: path, settings: s)
        let started = ContinuousClock.now
        try simulate(path, checkouts: 500, exporter: exporter, blocking: false)
        let simulated = ContinuousClock.now - started
        let counters = exporter.finish(timeout: 5)
        #expect(counters.spansExported == 0)
        let c = try Store.openForReading(path: path)
        let items = try c.scalarInt("""
            SELECT (SELECT count(*) FROM span_data) + (SELECT count(*) FROM business_event_data)
                 + (SELECT count(*) FROM metric_data WHERE period_seconds = 60)
            """)!
        #expect(Int64(counters.dropped) == items, "every span and event is either sent or counted as dropped")
        #expect(counters.lastError?.contains("connection refused") == true, "\(counters.lastError ?? "")")
        #expect(simulated < .seconds(60))
        let report = try InvariantCheck.run(c)
        #expect(report.isClean)
    }

    @Test func protobufWireFormat() {
        var w = ProtobufWriter()
        w.varint(300)
        #expect(w.bytes == [0xAC, 0x02])
        var m = ProtobufWriter()
        m.string(5, "hi")
        m.int(6, 2)
        m.fixed64(7, 1)
        m.int(8, 0)  // proto3 default: not written
        #expect(m.bytes == [0x2A, 0x02, 0x68, 0x69, 0x30, 0x02, 0x39, 1, 0, 0, 0, 0, 0, 0, 0])
        var n = ProtobufWriter()
        n.message(1) { $0.oneofInt(2, 0) }
        #expect(n.bytes == [0x0A, 0x02, 0x10, 0x00], "a oneof member is written even when zero")
    }
}
