import Foundation
import Testing
@testable import PaytopStore

/// `paytop experiment run FILE --live --db PATH` against `paytop run` in another process:
/// the runner plays on that engine's clock through control commands, sets the experiment's
/// rate and puts the engine's back, and is aborted by `paytop experiment abort` (the
/// console's `A` sends the same command: TmuxConsoleTests).
@Suite(.serialized) struct LiveExperimentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// An experiment file: steady at 10/s, the PSP twice as slow from 1m for `duration`.
    static func file(_ name: String, duration: String, after: String = "1m") throws -> String {
        let path = NSTemporaryDirectory() + "paytop-live-\(UUID().uuidString.prefix(8)).toml"
        try """
            name = "\(name)"
            [settings]
            rate_per_second = 10.0
            error_mix = false
            [hypothesis]
            title = "money stays whole"
            after = "\(after)"
            [[hypothesis.probe]]
            probe = "money.invariants"
            tolerance = { min = 1 }
            [[method]]
            at = "1m"
            duration = "\(duration)"
            command = "fault"
            kind = "psp-latency"
            factor = 2
            [[rollback]]
            command = "fault"
            kind = "clear"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `paytop run` on a new store and waits (with a deadline) until its heartbeat is in.
    static func engine(_ db: String, speed: Int) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        p.arguments = ["run", "--db", db, "--speed", "\(speed)", "--rate", "5", "--seed", "11"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let c = try? Store.openForReading(path: db), (try? ControlQueue.runningEngineHeartbeat(c)) != nil { break }
            usleep(50_000)
        }
        return p
    }

    /// The runner as a process; its output as it ends.
    static func runner(_ args: [String]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        return (p, out)
    }

    static func rows(_ db: String, _ sql: String) throws -> [[String]] {
        let c = try Store.openForReading(path: db)
        let s = try c.cached(sql)
        var out: [[String]] = []
        let n = s.columnCount
        while try s.step() { out.append((0..<n).map { s.optionalString($0) ?? "NULL" }) }
        return out
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func aLiveRunCompletesOnTheEnginesClockAndPutsItsRateBack() throws {
        let db = NSTemporaryDirectory() + "paytop-live-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let file = try Self.file("live-completes", duration: "2m")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let engine = try Self.engine(db, speed: 60)
        defer { engine.terminate(); engine.waitUntilExit() }

        let (run, out) = try Self.runner(["experiment", "run", file, "--live", "--db", db, "--json"])
        let data = out.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        #expect(run.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self))")
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(report["verdict"] as? String == "completed" && report["live"] as? Bool == true && report["seed"] is NSNull)
        let timeline = try #require(report["timeline"] as? [[String: Any]])
        #expect(timeline.compactMap { $0["source"] as? String } == ["setup", "method", "undo", "rollback", "undo"])
        // The engine applied each command in order, on its own clock, a minute apart or more.
        let events = try Self.rows(db, "SELECT at, command, coalesce(json_extract(args, '$.kind'), json_extract(args, '$.action'), json_extract(args, '$.rate')) FROM control_event WHERE id >= (SELECT min(id) FROM control_event WHERE command = 'experiment') ORDER BY id")
        #expect(events.map { $0[1] + " " + $0[2] } == ["experiment start", "rate 10", "fault psp-latency", "fault psp-latency", "fault clear", "rate 5", "experiment end"])
        let at = events.map { Int64($0[0])! }
        // (Each lands up to one control poll late: 250 ms of wall time, 15 s of engine time at ×60.)
        #expect(at[2] - at[0] >= 60_000_000_000 && at[3] - at[0] >= 180_000_000_000 && at[4] - at[0] >= 240_000_000_000, "\(at)")
        let traffic = try Self.rows(db, "SELECT value FROM engine_state WHERE key = 'traffic'")
        #expect(try Self.rows(db, "SELECT json_extract(value, '$.ratePerSecond') FROM engine_state WHERE key = 'traffic'") == [["5"]], "\(traffic)")
        #expect(try Self.rows(db, "SELECT value FROM engine_state WHERE key = 'experiment'") == [["null"]])
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func anOperatorsAbortStopsALiveRunAndItsRollbacksRunAtOnce() throws {
        let db = NSTemporaryDirectory() + "paytop-live-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let file = try Self.file("live-aborted", duration: "6h")
        defer { try? FileManager.default.removeItem(atPath: file) }
        // Without an engine the runner says so and does nothing.
        let (lonely, lonelyOut) = try Self.runner(["experiment", "run", file, "--live", "--db", db])
        _ = lonelyOut.fileHandleForReading.readDataToEndOfFile()
        lonely.waitUntilExit()
        #expect(lonely.terminationStatus == 2)

        let engine = try Self.engine(db, speed: 60)
        defer { engine.terminate(); engine.waitUntilExit() }
        let (run, out) = try Self.runner(["experiment", "run", file, "--live", "--db", db, "--json"])
        // Wait (with a deadline) for the method's fault, then abort from another process.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? Self.rows(db, "SELECT count(*) FROM control_event WHERE json_extract(args, '$.kind') = 'psp-latency'")) != [["1"]] {
            usleep(50_000)
        }
        // A second runner is refused while the first runs, and leaves the first's experiment alone.
        let (second, secondOut) = try Self.runner(["experiment", "run", file, "--live", "--db", db])
        _ = secondOut.fileHandleForReading.readDataToEndOfFile()
        second.waitUntilExit()
        #expect(second.terminationStatus == 2)
        #expect(try Self.rows(db, "SELECT json_extract(value, '$.name') FROM engine_state WHERE key = 'experiment'") == [["live-aborted"]])
        let abort = Process()
        abort.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        abort.arguments = ["experiment", "abort", "--db", db]
        abort.standardOutput = FileHandle.nullDevice
        try abort.run()
        abort.waitUntilExit()
        #expect(abort.terminationStatus == 0)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        run.waitUntilExit()
        #expect(run.terminationStatus == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(report["verdict"] as? String == "aborted")
        let stopped = try #require(report["stopped"] as? [String: Any])
        #expect(stopped["condition"] as? String == "aborted by an operator")
        // The rollback came after the abort, long before the six hours were up.
        let events = try Self.rows(db, "SELECT at, command || ' ' || coalesce(json_extract(args, '$.kind'), json_extract(args, '$.action'), '') FROM control_event ORDER BY id")
        #expect(events.map { $0[1] }.suffix(4) == ["experiment abort", "fault clear", "rate ", "experiment end"], "\(events)")
        let abortAt = Int64(events.first { $0[1] == "experiment abort" }![0])!, clearAt = Int64(events.first { $0[1] == "fault clear" }![0])!
        #expect(clearAt >= abortAt && clearAt - abortAt < 120_000_000_000)
    }
}
