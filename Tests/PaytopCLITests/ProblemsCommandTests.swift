import Foundation
import Testing
@testable import PaytopCLI
import PaytopJSON
@testable import PaytopStore

/// `paytop problems` as a user runs it: the JSON contract, `show`, and bad input.
@Suite struct ProblemsCommandTests {
    /// ISO-8601 UTC with milliseconds: 2025-12-02T22:33:00.000Z.
    static func isISO(_ v: JSONValue?) -> Bool {
        guard let s = v?.stringValue, s.count == 24 else { return false }
        return s.enumerated().allSatisfy { i, c in
            switch i {
            case 4, 7: return c == "-"
            case 10: return c == "T"
            case 13, 16: return c == ":"
            case 19: return c == "."
            case 23: return c == "Z"
            default: return c.isASCII && c.isNumber
            }
        }
    }

    @Test(.enabled(if: KillNineTests.binary != nil, "the paytop executable is built"))
    func theProblemsContract() throws {
        let t = CommandLineTests.Temp("problems")
        let scenario = t.path + ".toml"
        try """
            name = "short outage"
            [settings]
            rate_per_second = 10.0
            [[timeline]]
            at = "3m"
            command = "fault"
            kind = "psp-outage"
            on = true
            [[timeline]]
            at = "7m"
            command = "fault"
            kind = "psp-outage"
            on = false
            [[timeline]]
            at = "30m"
            command = "redrive"
            queue = "payment-execution-queue-dlq"
            [[timeline]]
            at = "30m"
            command = "redrive"
            queue = "payment-results-queue-dlq"
            """.write(toFile: scenario, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        #expect(try ReconcileCommandTests.paytop(["simulate", "--checkouts", "24000", "--seed", "5", "--db", t.path,
                                                  "--scenario", scenario]).status == 0)
        let r = try ReconcileCommandTests.paytop(["problems", "--db", t.path, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let problems = try #require(try JSONValue.parse(r.out)["problems"]?.arrayValue)
        // One outage, one problem: its executor errors, SLO burn and both DLQs' dead letters.
        #expect(problems.count == 1, "\(problems.map { $0["title"] ?? .null })")
        let p = try #require(problems.first { $0["id"]?.numberValue == 1 })
        #expect(p["severity"]?.stringValue == "critical")
        // Dead letters left after the redrive keep it open (the seed: each is a dead payment).
        let state = try #require(p["state"]?.stringValue)
        #expect(state == "open" ? p["closed_at"] == nil : Self.isISO(p["closed_at"]), "closed_at only once closed")
        for key in ["opened_at", "first_signal_at"] {
            #expect(Self.isISO(p[key]), "\(key): \(String(describing: p[key]))")
        }
        for s in p["signals"]?.arrayValue ?? [] {
            #expect(s["kind"]?.stringValue != nil && s["subject"]?.stringValue != nil && s["detail"]?.stringValue != nil)
            #expect(Self.isISO(s["first_at"]))
        }
        let top = try #require(p["causes"]?.arrayValue?.first)
        #expect(top["rank"]?.numberValue == 1 && top["kind"]?.stringValue == "fault" && top["fault"]?.stringValue == "psp-outage")
        #expect(top["version"] == nil && top["dimension"] == nil, "fields that do not apply are absent")
        #expect(top["evidence"]?.stringValue?.contains("PSP outage switched on at 22:33:00") == true)
        let impact = try #require(p["impact"])
        #expect((impact["delayed"]?.numberValue ?? 0) > 0)
        for (_, v) in impact["at_risk"]?.objectValue ?? [:] { #expect(v.stringValue?.contains(".") == true, "amounts are decimal text") }
        #expect(impact["budget_burned"]?["settlement"]?.numberValue != nil)
        #expect(p["exemplars"]?.arrayValue?.count == 5)
        // --open keeps open ones only; show prints one whole; a missing id is an error.
        let open = try JSONValue.parse(try ReconcileCommandTests.paytop(["problems", "--open", "--db", t.path, "--json"]).out)
        #expect(open["problems"]?.arrayValue?.allSatisfy { $0["state"]?.stringValue == "open" } == true)
        #expect(open["problems"]?.arrayValue?.count == (state == "open" ? 1 : 0))
        let shown = try ReconcileCommandTests.paytop(["problems", "show", "1", "--db", t.path])
        #expect(shown.status == 0 && shown.out.contains("PSP failing (5xx)") && shown.out.contains("causes"), "\(shown.out)")
        let missing = try ReconcileCommandTests.paytop(["problems", "show", "99", "--db", t.path])
        #expect(missing.status != 0 && missing.err.contains("no problem 99"), "\(missing.err)")
        let bad = try ReconcileCommandTests.paytop(["problems", "--since", "soon", "--db", t.path])
        #expect(bad.status != 0 && bad.err.contains("--since"))
    }
}
