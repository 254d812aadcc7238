import Foundation
import Testing
@testable import PaytopCLI
@testable import PaytopStore

/// The command line as a user meets it: exit codes, clear refusals, nothing written to a
/// store that is not one.
@Suite struct CommandLineTests {
    final class Temp {
        let path: String
        init(_ tag: String) { path = NSTemporaryDirectory() + "paytop-cli-\(tag)-\(UUID().uuidString.prefix(8)).db" }
        deinit { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
    }

    func run(_ args: String...) -> Int32 { PaytopCommand.execute(args) }

    @Test func simulateChecksAndRefusesToOverwriteARun() throws {
        let t = Temp("sim")
        #expect(run("simulate", "--checkouts", "300", "--seed", "3", "--db", t.path, "--json") == 0)
        #expect(run("check", "--db", t.path) == 0)
        #expect(run("status", "--db", t.path, "--json") == 0)
        #expect(run("simulate", "--checkouts", "10", "--db", t.path) == 2)
    }

    @Test func checkExitsOneOnAViolation() throws {
        let t = Temp("broken")
        #expect(run("simulate", "--checkouts", "200", "--db", t.path) == 0)
        let c = try Store.openForWriting(path: t.path, create: false)
        try c.execute("UPDATE wallet SET balance = '1.00' WHERE merchant_id = 'seller-acct-001' AND currency = 'USD'")
        #expect(run("check", "--db", t.path) == 1)
        let report = try InvariantCheck.run(try Store.openForReading(path: t.path))
        #expect(report.violations.map(\.invariant) == ["wallets"])
    }

    @Test func storesThatAreNotPaytopStoresAreRefused() throws {
        let text = Temp("text")
        try "hello, I am a text file\n".write(toFile: text.path, atomically: true, encoding: .utf8)
        #expect(run("check", "--db", text.path) == 2)
        #expect(run("run", "--db", text.path, "--duration", "0.1") == 2)
        #expect(try String(contentsOfFile: text.path, encoding: .utf8) == "hello, I am a text file\n")

        let other = Temp("other")
        let c = try Connection(path: other.path, mode: .readWriteCreate)
        try c.execute("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')")
        #expect(run("simulate", "--checkouts", "5", "--db", other.path) == 2)
        #expect(try c.scalarInt("SELECT count(*) FROM sqlite_master") == 1)

        let newer = Temp("newer")
        #expect(run("simulate", "--checkouts", "5", "--db", newer.path) == 0)
        try Store.openForWriting(path: newer.path, create: false).execute("PRAGMA user_version = 99")
        #expect(run("check", "--db", newer.path) == 2)
        #expect(throws: StoreError.newerSchema(path: newer.path, found: 99, supported: Store.schemaVersion)) {
            try Store.openForReading(path: newer.path)
        }

        #expect(run("check", "--db", NSTemporaryDirectory() + "paytop-does-not-exist.db") == 2)
        #expect(run("fault", "psp-outage", "on", "--db", NSTemporaryDirectory() + "paytop-does-not-exist.db") == 2)
    }

    @Test func aMistypedCommandIsNamedWithTheNearestOne() {
        #expect(UnknownCommand.refusal(["statsu", "--db", "x"]) == "unknown command \"statsu\"; did you mean `paytop status`? (`paytop --help` lists every command)")
        #expect(UnknownCommand.refusal(["simulat"])?.contains("`paytop simulate`") == true)
        #expect(UnknownCommand.refusal(["zzzzzzzz"]) == "unknown command \"zzzzzzzz\" (`paytop --help` lists every command)")
        #expect(UnknownCommand.refusal(["status", "--db", "x"]) == nil)
        #expect(UnknownCommand.refusal(["--db", "x"]) == nil)  // the default command's flags
        #expect(UnknownCommand.refusal([]) == nil)
        #expect(run("statsu", "--db", NSTemporaryDirectory() + "paytop-never-made.db") == 2)
        #expect(!FileManager.default.fileExists(atPath: NSTemporaryDirectory() + "paytop-never-made.db"))
    }

    @Test func theDefaultStoreFollowsTheEnvironment() {
        #expect(DefaultStore.path(in: ["HOME": "/tmp/x"]) == "/tmp/x/.local/share/paytop/paytop.db")
        #expect(DefaultStore.path(in: ["HOME": "/tmp/x", "XDG_DATA_HOME": "/data"]) == "/data/paytop/paytop.db")
        #expect(DefaultStore.path(in: ["HOME": "/tmp/x", "PAYTOP_DB": "/s.db"]) == "/s.db")
        #expect(DefaultStore.path(in: ["HOME": "", "XDG_DATA_HOME": ""]).hasSuffix("/.local/share/paytop/paytop.db"))
    }

    @Test func badFlagsAndBadScenariosExitTwo() throws {
        #expect(run("simulate", "--checkouts", "many") == 2)
        #expect(run("simulate", "--bogus") == 2)
        #expect(run("run", "--speed", "0") == 2)
        #expect(run("simulate", "--scenario", "/nonexistent.toml") == 2)
        let bad = Temp("scenario")
        try "name = \"x\"\n[settings]\nwarp = 9\n".write(toFile: bad.path, atomically: true, encoding: .utf8)
        #expect(run("simulate", "--scenario", bad.path) == 2)
        #expect(run("--help") == 0)
        #expect(run("simulate", "--help") == 0)
    }

    @Test func helpShowsTheListenDefaultAsAnAddress() {
        let help = PaytopCommand.helpMessage(for: ServeCommand.self, columns: 200)
        #expect(help.contains("(default: 127.0.0.1:8080)"), "\(help)")
        #expect(ListenAddress("[::1]:0")?.defaultValueDescription == "[::1]:0")
    }

    @Test func controlCommandsQueueForTheNextEngineAndApplyWhenItRuns() throws {
        let t = Temp("control")
        #expect(run("run", "--db", t.path, "--duration", "0.2", "--rate", "1") == 0)
        #expect(run("fault", "psp-outage", "on", "--db", t.path) == 0)
        #expect(run("fault", "psp-latency", "on", "--factor", "5", "--db", t.path) == 0)
        #expect(run("fault", "function-errors", "wallet", "0.25", "--db", t.path) == 0)
        #expect(run("deploy", "executor", "1.3.0", "--regression", "latency", "--db", t.path) == 0)
        #expect(run("redrive", "results-dlq", "--db", t.path) == 0)
        #expect(run("fault", "psp-outage", "maybe", "--db", t.path) == 2)
        #expect(run("deploy", "payroll", "1.0", "--db", t.path) == 2)
        #expect(run("redrive", "payment-execution-queue", "--db", t.path) == 2)
        let c = try Store.openForReading(path: t.path)
        #expect(try c.scalarInt("SELECT count(*) FROM control_command WHERE status = 'pending'") == 5)

        #expect(run("run", "--db", t.path, "--duration", "0.5", "--rate", "1") == 0)
        #expect(try c.scalarInt("SELECT count(*) FROM control_command WHERE status = 'applied'") == 5)
        #expect(try c.scalarInt("SELECT count(*) FROM control_event WHERE source = 'control'") == 5)
        let faults = try c.cached("SELECT value FROM engine_state WHERE key = 'faults'")
        #expect(try faults.step())
        #expect(faults.string(0).contains("\"pspOutage\":true"))
    }
}
