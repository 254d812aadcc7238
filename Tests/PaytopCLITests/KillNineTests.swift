import Foundation
import Testing
@testable import PaytopCLI
@testable import PaytopStore

/// The real thing: `paytop run` in its own process, killed with SIGKILL mid-flight, then
/// resumed. Nothing committed is lost and nothing is credited twice.
@Suite struct KillNineTests {
    /// The `paytop` executable built beside this test bundle.
    static var binary: String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("paytop").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/paytop").path
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    func launch(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary!)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    func count(_ path: String, _ sql: String) -> Int {
        guard let c = try? Store.openForReading(path: path), let n = try? c.scalarInt(sql) else { return 0 }
        return Int(n)
    }

    @Test(.enabled(if: binary != nil, "the paytop executable is built"))
    func killNineThenResume() throws {
        let path = NSTemporaryDirectory() + "paytop-kill9-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }

        let engine = try launch(["run", "--db", path, "--speed", "50", "--rate", "40", "--seed", "77"])
        // Wait (with a deadline) until the engine has committed a few thousand checkouts.
        let deadline = Date().addingTimeInterval(60)
        while count(path, "SELECT count(*) FROM payment_event") < 2_000 && Date() < deadline && engine.isRunning {
            usleep(20_000)
        }
        kill(engine.processIdentifier, SIGKILL)
        engine.waitUntilExit()
        #expect(engine.terminationReason == .uncaughtSignal)
        let committed = count(path, "SELECT count(*) FROM payment_event")
        #expect(committed >= 2_000)

        let resume = try launch(["run", "--db", path, "--rate", "0", "--speed", "2000", "--duration", "3"])
        resume.waitUntilExit()
        #expect(resume.terminationStatus == 0)
        #expect(count(path, "SELECT count(*) FROM payment_event") == committed)
        #expect(count(path, "SELECT count(*) FROM queue_message WHERE queue_name NOT LIKE '%-dlq'") == 0)
        #expect(count(path, "SELECT count(*) FROM payment_event WHERE is_payment_done = 0 AND checkout_id NOT IN (SELECT checkout_id FROM queue_message)") == 0)
        let report = try InvariantCheck.run(try Store.openForReading(path: path))
        #expect(report.isClean, "\(report.violations)")
    }

    /// `paytop serve` under POSTs from eight connections, killed with SIGKILL while they
    /// keep coming: every checkout that got its 202 is in the store once it is opened again
    /// (the redo log applied), the invariants hold, and a resumed engine finishes them.
    @Test(.enabled(if: binary != nil, "the paytop executable is built"))
    func killNineDuringPostsLosesNoAcknowledgedCheckout() throws {
        let path = NSTemporaryDirectory() + "paytop-kill9-api-\(UUID().uuidString.prefix(8)).db"
        defer {
            for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
            try? FileManager.default.removeItem(atPath: RedoLog.directory(for: path))
        }
        let (serve, url, log) = try ListeningProcess.start(["serve", "--db", path, "--listen", "127.0.0.1:0", "--rate", "0"], tag: "kill9") {
            $0.contains("live engine on")
        }
        defer { try? FileManager.default.removeItem(atPath: log) }
        let port = Int(url.split(separator: ":").last!)!

        final class Acks: @unchecked Sendable {
            let lock = NSLock()
            var ids: [String] = []
            var other: [Int: Int] = [:]
            func add(_ id: String) { lock.withLock { ids.append(id) } }
            func status(_ s: Int) { lock.withLock { other[s, default: 0] += 1 } }
            var count: Int { lock.withLock { ids.count } }
        }
        let acks = Acks()
        let enough = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for client in 0..<8 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let http = try? RawHTTPClient(host: "127.0.0.1", port: port) else { return }
                for i in 0... {
                    let id = "chk-k9-\(client)-\(i)"
                    let body = #"{"checkout_id":"\#(id)","buyer_info":{"user_id":"u-1","email":"b@example.com"},"credit_card_info":{"payment_token":"tok"},"payment_orders":[{"payment_order_id":"po-\#(id)","seller_account":"seller-1","amount":"12.50","currency":"EUR"}]}"#
                    guard let status = try? http.send(RawHTTPClient.request(path: "/v1/payments", contentType: "application/json",
                                                                            body: Array(body.utf8))) else { return }  // killed
                    if status == 202 { acks.add(id) } else { acks.status(status) }
                    if client == 0 && acks.count >= 3_000 { enough.signal() }
                }
            }
        }
        #expect(enough.wait(timeout: .now() + 120) == .success, "3,000 checkouts acknowledged in time")
        kill(serve.processIdentifier, SIGKILL)
        serve.waitUntilExit()
        group.wait()
        #expect(serve.terminationReason == .uncaughtSignal)
        let acknowledged = acks.lock.withLock { acks.ids }
        #expect(acks.lock.withLock { acks.other }.isEmpty)
        let segments = (try? RedoLog.segmentNumbers(in: RedoLog.directory(for: path))) ?? []
        #expect(!segments.isEmpty, "the killed engine left its redo log")

        // What the file held when the process died (read past the log), then any reader
        // applies the log first.
        let inFile = try Connection(path: path, mode: .readOnly).scalarInt("SELECT count(*) FROM payment_event") ?? 0
        var stored = Set<String>()
        let ids = try Store.openForReading(path: path).cached("SELECT checkout_id FROM payment_event")
        while try ids.step() { stored.insert(ids.string(0)) }
        let lost = Set(acknowledged).subtracting(stored)
        #expect(lost.isEmpty, "\(lost.count) of \(acknowledged.count) acknowledged checkouts lost (\(inFile) in the file before the log), e.g. \(lost.sorted().first ?? "")")
        #expect(!FileManager.default.fileExists(atPath: RedoLog.directory(for: path)))
        let report = try InvariantCheck.run(try Store.openForReading(path: path))
        #expect(report.isClean, "\(report.violations)")

        let resume = try launch(["run", "--db", path, "--rate", "0", "--speed", "2000", "--duration", "3"])
        resume.waitUntilExit()
        #expect(resume.terminationStatus == 0)
        #expect(count(path, "SELECT count(*) FROM payment_event WHERE is_payment_done = 0 AND checkout_id NOT IN (SELECT checkout_id FROM queue_message)") == 0)
        #expect(count(path, "SELECT count(*) FROM queue_message WHERE queue_name NOT LIKE '%-dlq'") == 0)
        #expect(try InvariantCheck.run(try Store.openForReading(path: path)).isClean)
    }
}
