import Foundation
import Testing
@testable import PaytopCLI
@testable import PaytopStore

/// A store with broken pages: `paytop check` says so (exit 1), the engine refuses to
/// write into it (exit 2, the file unchanged), and SQLite's words reach the user without
/// SQL in them.
@Suite struct DamagedStoreTests {
    func run(_ args: String...) -> Int32 { PaytopCommand.execute(args) }

    /// A 3,000-checkout store with four pages in its middle overwritten by seeded noise.
    static func damagedStore() throws -> String {
        let path = NSTemporaryDirectory() + "paytop-damaged-\(UUID().uuidString.prefix(8)).db"
        #expect(PaytopCommand.execute(["simulate", "--checkouts", "3000", "--seed", "5", "--db", path, "--json"]) == 0)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let pages = size / 4096
        guard let h = FileHandle(forUpdatingAtPath: path) else { throw CLIError(message: "cannot open \(path)") }
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for page in (pages / 2)..<(pages / 2 + 4) {
            var noise = [UInt8](repeating: 0, count: 4096)
            for i in noise.indices {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                noise[i] = UInt8(truncatingIfNeeded: x)
            }
            try h.seek(toOffset: UInt64(page * 4096))
            h.write(Data(noise))
        }
        try h.close()
        return path
    }

    @Test func aDamagedStoreIsReportedAndNeverWrittenTo() throws {
        let path = try Self.damagedStore()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        #expect(run("check", "--db", path) == 1)
        #expect(run("check", "--db", path, "--full", "--json") == 1)
        let report = try InvariantCheck.run(try Store.openForReading(path: path))
        #expect(report.violations.map(\.invariant) == [InvariantCheck.integrity])
        #expect(report.violations.first?.examples.first?.isEmpty == false)

        // The engine refuses it before writing anything: run, simulate, a control command's engine.
        #expect(run("run", "--db", path, "--duration", "0.2") == 2)
        #expect(run("simulate", "--checkouts", "5", "--db", path) == 2)
        #expect(throws: StoreError.self) { try Store.openForWriting(path: path, create: false) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func aTruncatedStoreIsDamagedToo() throws {
        let path = try Self.damagedStore()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        try FileHandle(forWritingAtPath: path)!.truncate(atOffset: UInt64(size / 3))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(run("check", "--db", path) == 1)
        #expect(run("serve", "--listen", "127.0.0.1:0", "--db", path) == 2)
        #expect(run("run", "--db", path, "--duration", "0.2") == 2)
        #expect(run("fault", "psp-outage", "on", "--db", path) == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func sqliteErrorsReadAsOneSentenceWithoutSQL() {
        var e = SQLiteError(code: 11, message: "database disk image is malformed", sql: "SELECT secret FROM t")
        e.path = "/tmp/x.db"
        #expect(e.userMessage == "store /tmp/x.db is damaged (database disk image is malformed); `paytop check --db /tmp/x.db` names the first problem")
        #expect(!e.userMessage.contains("SELECT"))
        let busy = SQLiteError(code: 5, message: "database is locked", sql: "UPDATE run SET x = 1")
        #expect(busy.userMessage == "reading the store failed: database is locked")
        #expect(StoreError.damaged(path: "/tmp/x.db", problem: "Page 7: btreeInitPage() returns error code 11").description
                .hasPrefix("store /tmp/x.db is damaged (Page 7: btreeInitPage() returns error code 11); nothing was written to it."))
    }
}
