import Foundation
import Testing
@testable import PaytopStore

/// `paytop serve` as a user runs it: a real process, curl as the client
/// (Tests/http/curl-api.sh), SIGTERM to stop.
@Suite(.serialized) struct ServeCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts `paytop serve` on a free port and returns it with its base URL, read from
    /// the line it prints once listening.
    func startServe(db: String, extra: [String] = []) throws -> (Process, String, String) {
        try ListeningProcess.start(["serve", "--db", db, "--listen", "127.0.0.1:0", "--rate", "0"] + extra, tag: "serve") {
            $0.contains("live engine on")
        }
    }

    /// SIGTERM, then waits up to 30 s for the exit (SIGKILL after that, so a hang fails
    /// the test instead of stalling the run).
    func terminate(_ p: Process) -> Int32? {
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return nil
        }
        return p.terminationStatus
    }

    struct CLIFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func curlSeesEveryStatusAndSigtermCommits() throws {
        let db = NSTemporaryDirectory() + "paytop-serve-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let (serve, url, log) = try startServe(db: db)
        defer { try? FileManager.default.removeItem(atPath: log) }

        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/bin/bash")
        curl.arguments = [Self.root.appendingPathComponent("Tests/http/curl-api.sh").path, url,
                          Self.root.appendingPathComponent("sample-data/payments").path]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        #expect(curl.terminationStatus == 0, "\(text)")
        #expect(text.contains("all checks passed"))

        #expect(terminate(serve) == 143)
        let c = try Store.openForReading(path: db)
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-sample-success'") == 1)
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event WHERE checkout_id = 'chk-curl-traced'") == 1)
        let report = try InvariantCheck.run(c)
        #expect(report.isClean, "\(report.violations)")
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func aBusyPortIsAClearErrorBeforeTheStoreIsTouched() throws {
        let db = NSTemporaryDirectory() + "paytop-serve-busy-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let (serve, url, log) = try startServe(db: db)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let port = url.split(separator: ":").last!
        let other = NSTemporaryDirectory() + "paytop-serve-other-\(UUID().uuidString.prefix(8)).db"
        let second = Process()
        second.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        second.arguments = ["serve", "--db", other, "--listen", "127.0.0.1:\(port)"]
        let err = Pipe()
        second.standardError = err
        second.standardOutput = FileHandle.nullDevice
        try second.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        second.waitUntilExit()
        #expect(second.terminationStatus == 2)
        #expect(message.contains("cannot listen on 127.0.0.1:\(port): address already in use"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: other))
        #expect(terminate(serve) == 143)
    }

    /// The stop that used to hang: SIGTERM while the initializer holds requests. Each
    /// caller gets its 202 (the engine runs on until the initializer answers), the
    /// process exits 143, and the store holds every checkout.
    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func sigtermWithRequestsInFlightAnswersEachAndExits() throws {
        let db = NSTemporaryDirectory() + "paytop-serve-drain-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let (serve, url, log) = try startServe(db: db)
        defer { try? FileManager.default.removeItem(atPath: log) }

        // Eight clients, each request 20 s (engine time) in the initializer: 1 s at ×20.
        let clients = Process()
        clients.executableURL = URL(fileURLWithPath: "/bin/bash")
        clients.arguments = ["-c", """
            for i in 1 2 3 4 5 6 7 8; do
              curl -s -o /dev/null -w '%{http_code}\\n' -X POST "$0/v1/payments" -H 'Content-Type: application/json' \\
                --data "{\\"checkout_id\\":\\"chk-drain-$i\\",\\"buyer_info\\":{\\"user_id\\":\\"u-1\\",\\"email\\":\\"a@b.co\\"},\\"credit_card_info\\":{\\"payment_token\\":\\"tok\\"},\\"payment_orders\\":[{\\"payment_order_id\\":\\"po-drain-$i\\",\\"seller_account\\":\\"s-1\\",\\"amount\\":\\"5.00\\",\\"currency\\":\\"USD\\"}],\\"simulate\\":{\\"initializer\\":{\\"latency\\":20}}}" &
            done
            wait
            """, url]
        let out = Pipe()
        clients.standardOutput = out
        try clients.run()

        // /healthz counts the requests posted and not yet answered.
        let deadline = Date().addingTimeInterval(20)
        var health = ""
        while Date() < deadline {
            health = try curl(["-s", url + "/healthz"])
            if health.contains("\"in_flight\":8") { break }
            usleep(5_000)
        }
        #expect(health.contains("\"in_flight\":8"), "\(health)")

        #expect(terminate(serve) == 143)
        let codes = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        clients.waitUntilExit()
        #expect(codes.split(separator: "\n") == Array(repeating: "202", count: 8), "\(codes)")
        let c = try Store.openForReading(path: db)
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event WHERE checkout_id LIKE 'chk-drain-%'") == 8)
        #expect(try InvariantCheck.run(c).isClean)
    }

    /// Runs curl and returns what it printed.
    func curl(_ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text
    }
}
