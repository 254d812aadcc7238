import Foundation
import Testing
@testable import PaytopStore

/// The console in a real terminal: tmux runs paytop, send-keys types, capture-pane reads
/// the screen. Every wait is for something to appear on screen, with a deadline.
@Suite(.serialized) struct TmuxConsoleTests {
    static var tmuxAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/tmux")
    }

    final class Session {
        let name = "paytop-test-\(UUID().uuidString.prefix(8))"
        let exitFile = NSTemporaryDirectory() + "paytop-tmux-exit-\(UUID().uuidString.prefix(8))"

        init(_ command: String, env: [String: String] = [:], width: Int = 120, height: Int = 36) throws {
            let envs = env.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            try Session.tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                              "env \(envs) \(command); echo $? > \(exitFile).tmp; mv \(exitFile).tmp \(exitFile); sleep 60"])
        }

        deinit {
            _ = try? Session.tmux(["kill-session", "-t", name])
            try? FileManager.default.removeItem(atPath: exitFile)
        }

        /// Runs a tmux command through /bin/sh with posix_spawn and waitpid. (Foundation's
        /// Process can miss the exit of the first tmux client, which forks the server.)
        @discardableResult
        static func tmux(_ args: [String]) throws -> String {
            let out = NSTemporaryDirectory() + "paytop-tmux-out-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: out) }
            func quote(_ a: String) -> String { "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            let command = "tmux " + args.map(quote).joined(separator: " ") + " > \(out) 2>/dev/null < /dev/null"
            var pid: pid_t = 0
            let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
            defer { for a in argv { free(a) } }
            guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { return "" }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        }

        func screen() -> String { (try? Session.tmux(["capture-pane", "-p", "-t", name])) ?? "" }

        func keys(_ k: String...) { _ = try? Session.tmux(["send-keys", "-t", name] + k) }

        func type(_ text: String) { _ = try? Session.tmux(["send-keys", "-t", name, "-l", text]) }

        /// Waits until the screen shows `text` (true) or the deadline passes (false).
        func waitFor(_ text: String, seconds: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if screen().contains(text) { return true }
                usleep(100_000)
            }
            return false
        }

        /// Waits until the screen no longer shows `text` (true) or the deadline passes (false).
        func waitUntilGone(_ text: String, seconds: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if !screen().contains(text) { return true }
                usleep(100_000)
            }
            return false
        }

        func exitCode(seconds: Double = 15) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                // The file appears whole (written aside, then renamed).
                if let s = try? String(contentsOfFile: exitFile, encoding: .utf8), !s.isEmpty {
                    return s.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                usleep(100_000)
            }
            return nil
        }
    }

    /// A JSON POST with curl (`data` as curl's --data-binary takes it); the HTTP status.
    static func curlPost(_ url: String, data: String) throws -> String {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                          "--data-binary", data, url]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        let status = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        return status
    }

    /// `paytop --listen`: the API beside the console; a request sent with curl shows up
    /// in the console's trace view.
    @Test(.enabled(if: tmuxAvailable && KillNineTests.binary != nil, "tmux and the paytop executable are available"))
    func apiBesideTheConsole() throws {
        let db = NSTemporaryDirectory() + "paytop-tmux-api-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let s = try Session("\(KillNineTests.binary!) --db \(db) --rate 0 --listen 127.0.0.1:0", env: ["TERM": "screen"])
        #expect(s.waitFor("api 127.0.0.1:"), "no API address in the header:\n\(s.screen())")
        let screen = s.screen()
        let match = try #require(screen.range(of: #"api 127\.0\.0\.1:[0-9]+"#, options: .regularExpression))
        let url = "http://" + screen[match].dropFirst(4)
        let sample = ServeCommandTests.root.appendingPathComponent("sample-data/payments/success.json").path
        #expect(try Self.curlPost(url + "/v1/payments", data: "@" + sample) == "202")
        s.keys("t")
        s.type("chk-sample-success")
        s.keys("Enter")
        #expect(s.waitFor("Trace chk-sample-success"), "no trace view:\n\(s.screen())")
        #expect(s.waitFor("POST /v1/payments"))
        s.keys("q")
        #expect(s.exitCode() == "0")
    }

    /// `paytop --otlp-receiver`: no engine; an OTLP/JSON request sent with curl shows up
    /// in the header's counter and the trace view, and fault keys say they need the engine.
    @Test(.enabled(if: tmuxAvailable && KillNineTests.binary != nil, "tmux and the paytop executable are available"))
    func otlpReceiverBesideTheConsole() throws {
        let db = NSTemporaryDirectory() + "paytop-tmux-otlp-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let s = try Session("\(KillNineTests.binary!) --db \(db) --otlp-receiver 127.0.0.1:0", env: ["TERM": "screen"])
        #expect(s.waitFor("otlp in 127.0.0.1:"), "no receiver address in the header:\n\(s.screen())")
        let screen = s.screen()
        #expect(screen.contains("receiving") || screen.contains("received"))
        let match = try #require(screen.range(of: #"otlp in 127\.0\.0\.1:[0-9]+"#, options: .regularExpression))
        let url = "http://" + screen[match].dropFirst(8)
        let body = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"o11y-lab-payments-initializer"}}]},
              "scopeSpans":[{"spans":[{"traceId":"5759e988bd862e3fe1be46a994272793","spanId":"53995c3f42cd8ad8","name":"POST /v1/payments",
                "kind":2,"startTimeUnixNano":"1796138770000000000","endTimeUnixNano":"1796138770120000000",
                "attributes":[{"key":"checkout_id","value":{"stringValue":"chk-tmux-otlp"}}]}]}]}]}
            """
        #expect(try Self.curlPost(url + "/v1/traces", data: body) == "200")
        #expect(s.waitFor("1 received"), "the header counts what arrived:\n\(s.screen())")
        s.keys("o")
        #expect(s.waitFor("act on paytop's embedded engine only"), "\(s.screen())")
        s.keys("t")
        s.type("chk-tmux-otlp")
        s.keys("Enter")
        #expect(s.waitFor("Trace chk-tmux-otlp"), "no trace view:\n\(s.screen())")
        #expect(s.waitFor("POST /v1/payments") && s.screen().contains("received · no settled or failed event yet"), "\(s.screen())")
        s.keys("q")
        #expect(s.exitCode() == "0")
    }

    @Test(.enabled(if: tmuxAvailable && KillNineTests.binary != nil, "tmux and the paytop executable are available"))
    func liveConsoleEndToEnd() throws {
        let db = NSTemporaryDirectory() + "paytop-tmux-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let s = try Session("\(KillNineTests.binary!) --db \(db) --speed 200 --rate 5", env: ["TERM": "screen"])
        #expect(s.waitFor("Pipeline"), "the overview never appeared:\n\(s.screen())")
        #expect(s.screen().contains("1 Overview 2 Queues 3 Payments 4 Trace 5 SLOs 6 Releases 7 Business 8 Functions"))
        s.keys("2")
        #expect(s.waitFor("Dead letters"))
        s.keys("?")
        #expect(s.waitFor("keys · Esc closes"))
        s.keys("Escape")
        #expect(s.waitFor("Dead letters"))
        // View 9, and a reconciliation run asked for from the keyboard.
        s.keys("9")
        #expect(s.waitFor("no settlement batch yet"), "no reconciliation view:\n\(s.screen())")
        s.keys("c")
        #expect(s.waitFor("runs 1"), "the run never showed:\n\(s.screen())")
        // Views 7 and 8, the dashboard's, and the time range cycled from the keyboard.
        s.keys("7")
        #expect(s.waitFor("Funnel · last 1h"), "no business view:\n\(s.screen())")
        #expect(s.waitFor("Merchants · by orders"))
        s.keys("]")
        #expect(s.waitFor("Funnel · last 6h"), "the range never changed:\n\(s.screen())")
        s.keys("8")
        #expect(s.waitFor("Functions · last 6h"), "no functions view:\n\(s.screen())")
        #expect(s.waitFor("PutItem PaymentEvent"), "no DynamoDB calls:\n\(s.screen())")
        s.keys("2")
        #expect(s.waitFor("Dead letters"))

        // Trace a checkout read from the store.
        var checkout = ""
        let deadline = Date().addingTimeInterval(20)
        while checkout.isEmpty && Date() < deadline {
            if let c = try? Store.openForReading(path: db), let st = try? c.cached("SELECT checkout_id FROM payment_event WHERE is_payment_done = 1 LIMIT 1"),
               (try? st.step()) == true {
                checkout = st.string(0)
            }
            usleep(100_000)
        }
        #expect(!checkout.isEmpty)
        s.keys("t")
        s.type(checkout)
        s.keys("Enter")
        #expect(s.waitFor("Trace \(checkout)"), "no trace view:\n\(s.screen())")
        #expect(s.waitFor("POST /v1/payments"))

        // A PSP outage: the badge at once, dead letters within seconds at ×200.
        s.keys("1")
        s.keys("o")
        #expect(s.waitFor("PSP OUTAGE"))
        // The settlement SLO sees it before any dead letter: checkouts past 2 minutes are bad now.
        s.keys("5")
        #expect(s.waitFor("bad still in flight", seconds: 45), "the SLO never saw the outage:\n\(s.screen())")
        // The engine's detectors opened a problem for it: the header says so in every view.
        #expect(s.waitFor("1 PROBLEM ", seconds: 45), "no problem badge:\n\(s.screen())")
        // View 0 holds it, analysed: its cause, and exemplars whose trace Enter opens.
        s.keys("0")
        #expect(s.waitFor("PSP failing (5xx)", seconds: 20), "no problems view:\n\(s.screen())")
        #expect(s.waitFor("PSP outage switched on", seconds: 45), "no cause:\n\(s.screen())")
        #expect(s.waitFor("affected", seconds: 45), "no exemplars:\n\(s.screen())")
        s.keys("Tab")
        s.keys("Enter")
        #expect(s.waitFor("Trace chk-", seconds: 20), "the exemplar's trace never opened:\n\(s.screen())")
        #expect(s.waitFor("POST /v1/payments"))
        s.keys("2")
        #expect(s.waitFor("PSP returned HTTP 500", seconds: 45), "no dead letters:\n\(s.screen())")

        // Resize below the minimum and back.
        try Session.tmux(["resize-window", "-t", s.name, "-x", "60", "-y", "20"])
        #expect(s.waitFor("paytop needs 80×24; this terminal is 60×20."))
        try Session.tmux(["resize-window", "-t", s.name, "-x", "120", "-y", "36"])
        #expect(s.waitFor("Dead letters"))

        s.keys("q")
        #expect(s.exitCode() == "0")
        // The terminal is restored: the console's frame is gone from the screen.
        #expect(!s.screen().contains("Dead letters"))
        let report = try InvariantCheck.run(try Store.openForReading(path: db))
        #expect(report.isClean)
    }

    /// The drill in a real terminal: on the outage store, Tab to the Overview's errors chart,
    /// the time cursor on the outage's second minute, Enter lists the checkouts that failed or
    /// errored in it, and the first one's trace shows the PSP's error.
    @Test(.enabled(if: tmuxAvailable && KillNineTests.binary != nil, "tmux and the paytop executable are available"))
    func fromTheErrorsChartToAFailedCheckoutsTrace() throws {
        let db = NSTemporaryDirectory() + "paytop-tmux-drill-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let scenario = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sample-data/scenarios/psp-outage.toml").path
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        sim.arguments = ["simulate", "--seed", "3", "--checkouts", "4800", "--scenario", scenario, "--db", db]
        sim.standardOutput = FileHandle.nullDevice
        try sim.run()
        sim.waitUntilExit()
        #expect(sim.terminationStatus == 0)

        // The store spans under an hour: the charts start at its first minute, a bucket a minute.
        let s = try Session("\(KillNineTests.binary!) console --db \(db) --read-only", env: ["TERM": "screen"], width: 200, height: 60)
        #expect(s.waitFor("Errors"), "no errors chart:\n\(s.screen())")
        for _ in 0..<5 { s.keys("Tab") }
        #expect(s.waitFor("Errors · ← → cursor"), "Tab never reached the errors chart:\n\(s.screen())")
        // g: the first minute (22:30); three to the right: 22:33, inside the outage.
        s.keys("g")
        for _ in 0..<3 { s.keys("Right") }
        #expect(s.waitFor("22:33:00–22:34:00"), "the cursor is not on 22:33:\n\(s.screen())")
        s.keys("Enter")
        #expect(s.waitFor("errors 22:33:00–22:34:00 · failed or errored:"), "no list:\n\(s.screen())")
        #expect(s.waitFor("chk-"), "the list is empty:\n\(s.screen())")
        s.keys("Enter")
        #expect(s.waitFor("Trace chk-", seconds: 20), "the first checkout's trace never opened:\n\(s.screen())")
        #expect(s.waitFor("PSP returned HTTP 500"), "the trace does not show the PSP's error:\n\(s.screen())")
        // Esc from the trace's list leads back: 3 shows the list again, Esc the newest payments.
        s.keys("3")
        #expect(s.waitFor("errors 22:33:00–22:34:00"))
        s.keys("Escape")
        #expect(s.waitFor("Payments ("), "Esc did not leave the drill:\n\(s.screen())")
        s.keys("q")
        #expect(s.exitCode() == "0")
    }

    /// An experiment run live against the console's engine from another process: the header
    /// counts it down, `A` aborts it, the runner rolls back and says so, the badge goes.
    @Test(.enabled(if: tmuxAvailable && KillNineTests.binary != nil, "tmux and the paytop executable are available"))
    func theHeaderCountsALiveExperimentDownAndAAbortsIt() throws {
        let db = NSTemporaryDirectory() + "paytop-tmux-exp-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let file = try LiveExperimentTests.file("header-abort", duration: "6h")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let s = try Session("\(KillNineTests.binary!) --db \(db) --speed 30 --rate 5", env: ["TERM": "screen"], width: 200, height: 50)
        #expect(s.waitFor("Pipeline"), "the overview never appeared:\n\(s.screen())")
        let (run, out) = try LiveExperimentTests.runner(["experiment", "run", file, "--live", "--db", db])
        // The runner's start: the badge with the time left (6h, a minute before, a minute after).
        #expect(s.waitFor("EXPERIMENT header-abort 6h0"), "no countdown in the header:\n\(s.screen())")
        #expect(s.screen().contains("A abort"))
        #expect(s.waitFor("PSP SLOW"), "the method's fault never showed:\n\(s.screen())")
        s.keys("A")
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        #expect(run.terminationStatus == 1)
        #expect(report.contains("verdict: ABORTED") && report.contains("stop     aborted by an operator"), "\(report)")
        #expect(s.waitUntilGone("EXPERIMENT"), "the badge stayed:\n\(s.screen())")
        // Rolled back: the fault is gone from the header too; A now has nothing to abort.
        #expect(s.waitUntilGone("PSP SLOW"), "\(s.screen())")
        s.keys("A")
        #expect(s.waitFor("no experiment is running"))
        s.keys("q")
        #expect(s.exitCode() == "0")
    }

    @Test(.enabled(if: tmuxAvailable && KillNineTests.binary != nil, "tmux and the paytop executable are available"))
    func readOnlyNoColorAndAsciiConsoles() throws {
        let db = NSTemporaryDirectory() + "paytop-tmux-ro-\(UUID().uuidString.prefix(8)).db"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        let sim = Process()
        sim.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        sim.arguments = ["simulate", "--checkouts", "300", "--db", db]
        sim.standardOutput = FileHandle.nullDevice
        try sim.run()
        sim.waitUntilExit()
        #expect(sim.terminationStatus == 0)

        let s = try Session("\(KillNineTests.binary!) console --db \(db) --read-only", env: ["NO_COLOR": "1", "TERM": "xterm-256color"])
        #expect(s.waitFor("read-only"))
        s.keys("o")
        #expect(s.waitFor("unavailable"))
        s.keys(":")
        s.type("bogus")
        s.keys("Enter")
        #expect(s.waitFor("unknown command"))
        s.keys("q")
        #expect(s.exitCode() == "0")

        let ascii = try Session("\(KillNineTests.binary!) console --db \(db) --read-only", env: ["LANG": "C", "LC_ALL": "C", "TERM": "screen"])
        #expect(ascii.waitFor("Pipeline"))
        let screen = ascii.screen()
        #expect(screen.contains("+ Pipeline"))
        #expect(!screen.contains("┌"))
        ascii.keys("q")
        #expect(ascii.exitCode() == "0")

        let badTheme = try Session("\(KillNineTests.binary!) console --db \(db) --theme plaid", env: ["TERM": "screen"])
        #expect(badTheme.exitCode() == "2")
        let badTerm = try Session("\(KillNineTests.binary!) console --db \(db)", env: ["TERM": "no-such-terminal"])
        #expect(badTerm.exitCode() == "2")
    }
}
