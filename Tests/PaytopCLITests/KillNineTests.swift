import Foundation
import Testing
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
}
