import Foundation
import Testing
@testable import PaytopCLI
@testable import PaytopStore
import PaytopJSON

/// `paytop settlement` and `paytop reconcile` as a user runs them: the report file, the
/// JSON twin's contract, exit codes, and a malformed file refused with nothing written.
@Suite struct ReconcileCommandTests {
    /// Runs the built binary, returning its exit status, standard output and error.
    static func paytop(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: KillNineTests.binary!)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func theReportTheJSONTwinAndTheExitCodes() throws {
        let t = CommandLineTests.Temp("reconcile")
        let csv = t.path + ".csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        #expect(try Self.paytop(["simulate", "--checkouts", "600", "--seed", "4", "--db", t.path, "--scenario",
                                 "sample-data/scenarios/settlement-drift.toml"]).status == 0)
        let r = try Self.paytop(["reconcile", "--db", t.path, "--json"])
        #expect(r.status == 1, "manual or investigate items are open: exit 1\n\(r.err)")
        let json = try JSONValue.parse(r.out)
        #expect(json["batches"]?.arrayValue?.isEmpty == false)
        for key in ["auto", "manual", "investigate"] { #expect(json["counts"]?[key]?.numberValue != nil) }
        let mismatches = json["mismatches"]?.arrayValue ?? []
        #expect(!mismatches.isEmpty)
        for m in mismatches {
            for key in ["class", "kind", "checkout_id", "batch", "status"] { #expect(m[key] != nil, "mismatch field \(key)") }
        }
        let batch = json["batches"]!.arrayValue!.last!["batch"]!.numberValue!
        let written = try Self.paytop(["settlement", "--db", t.path, "--batch", String(Int(batch)), "--out", csv])
        #expect(written.status == 0, "\(written.err)")
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.hasPrefix("Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),Gross Credit (GC),Exchange Rate,Net Currency,Net Debit (NC),Net Credit (NC),Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Payment Method Variant,Modification Merchant Reference,Batch Number,Reserved4,Reserved5,Reserved6,Reserved7,Reserved8,Reserved9,Reserved10\n"))
        #expect(text.contains(",MerchantPayout,"))
        let file = try Self.paytop(["reconcile", "--db", t.path, "--file", csv, "--json"])
        let checked = try JSONValue.parse(file.out)
        let settled = json["batches"]!.arrayValue!.last!["settled_lines"]!.numberValue!
        #expect(checked["lines"]?.numberValue == settled, "every Settled line of the file was read")
        #expect(checked["batch"]?.numberValue == batch, "the file's batch was recognised")
        let fileMismatches = checked["mismatches"]?.arrayValue ?? []
        let withLine = fileMismatches.filter { $0["line"] != .null }.count
        #expect(Int(checked["matched"]!.numberValue!) + withLine == Int(settled), "each line matched clean or is one mismatch")
        let needsAPerson = fileMismatches.contains { $0["class"]?.stringValue != "auto" }
        #expect(file.status == (needsAPerson ? 1 : 0))
        #expect(try Self.paytop(["settlement", "--db", t.path, "--batch", "999"]).status == 1)
        #expect(try Self.paytop(["settlement", "--db", t.path, "--date", "2025-13-40"]).status == 2)
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func aMalformedFileIsNamedByLineAndColumnAndWritesNothing() throws {
        let t = CommandLineTests.Temp("badfile")
        let csv = t.path + ".csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        #expect(try Self.paytop(["simulate", "--checkouts", "200", "--seed", "4", "--db", t.path]).status == 0)
        let before = try Store.openForReading(path: t.path).scalarInt("SELECT count(*) FROM reconciliation_run")
        try "Psp Reference,Merchant Reference,Creation Date,Type,Gross Currency,Gross Credit (GC),Net Currency,Net Credit (NC)\npsp_1,chk-1,2025-12-02 10:00:00,Settled,USD,12.345,USD,12.00\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let r = try Self.paytop(["reconcile", "--db", t.path, "--file", csv])
        #expect(r.status == 2)
        #expect(r.err.contains("line 2, column \"Gross Credit (GC)\""), "\(r.err)")
        #expect(r.err.contains("nothing was reconciled"))
        #expect(try Store.openForReading(path: t.path).scalarInt("SELECT count(*) FROM reconciliation_run") == before)
        let missing = try Self.paytop(["reconcile", "--db", t.path + ".nope"])
        #expect(missing.status != 0 && !FileManager.default.fileExists(atPath: t.path + ".nope"))
    }
}
