import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// Problems on seeded runs: one outage is one problem with the right cause, the same seed
/// gives the same problems, and the impact is what SQL over the store says.
@Suite struct ProblemTests {
    static func outageScenario() -> Scenario {
        Scenario(name: "outage", description: "", settings: .object([:]), timeline: [
            TimelineAction(at: Span.minutes(3), command: .pspOutage(on: true)),
            TimelineAction(at: Span.minutes(8), command: .pspOutage(on: false)),
            TimelineAction(at: Span.minutes(25), command: .redrive(.executionDLQ)),
        ])
    }

    static func run(_ store: TempStore, seed: UInt64 = 3) throws {
        try simulate(store, testSettings(seed: seed, rate: 10), checkouts: 15_000, scenario: outageScenario())
    }

    static func dump(_ store: TempStore) throws -> [[String]] {
        try store.rows("SELECT * FROM problem ORDER BY problem_id")
            + store.rows("SELECT * FROM problem_signal ORDER BY problem_id, kind, subject")
    }

    @Test func aPspOutageIsOneProblemCausedByTheOutage() throws {
        let store = TempStore()
        try Self.run(store)
        let analyses = try ProblemAnalysis.list(try Store.openForReading(path: store.path))
        #expect(analyses.count == 1, "\(analyses.map(\.problem.title))")
        let a = try #require(analyses.first)
        let kinds = Set(a.problem.signals.map(\.kind))
        // Five minutes down is less than three receives (3 × 300 s): retried, not dead-lettered.
        #expect(kinds.isSuperset(of: ["psp-errors", "error-rate", "slo-burn"]) && !kinds.contains("dead-letters"), "\(kinds)")
        #expect(a.problem.title.hasPrefix("PSP failing (5xx)"))
        #expect(a.problem.severity == "critical")
        let outageAt = EngineTime.simulationEpoch.nanos + Span.minutes(3)
        #expect(a.problem.openedAt - outageAt <= Span.minutes(2), "detected within 2 minutes of engine time")
        let top = try #require(a.causes.first)
        #expect(top.kind == .fault && top.fault == "psp-outage" && top.at == outageAt)
        #expect(a.exemplars.count == 5 && a.typical != nil)
    }

    @Test func theSameSeedGivesTheSameProblems() throws {
        let a = TempStore("sameA"), b = TempStore("sameB")
        try Self.run(a)
        try Self.run(b)
        let rows = try Self.dump(a)
        let other = try Self.dump(b)
        #expect(!rows.isEmpty && rows == other)
    }

    @Test func theImpactIsWhatTheStoreSays() throws {
        let store = TempStore()
        try Self.run(store)
        let c = try Store.openForReading(path: store.path)
        let a = try #require(try ProblemAnalysis.list(c).first)
        let now = try StoredEngineState.load(c).now
        let from = ProblemAnalysis.windowStart(a.problem)
        let to = a.problem.closedAt ?? now
        let window = """
            FROM trace t JOIN payment_event p ON p.checkout_id = t.checkout_id
            WHERE t.started_at BETWEEN \(from) AND \(to)
            """
        let declines = DeclineCode.all.map { "'\($0)'" }.joined(separator: ",")
        let failed = try store.int("SELECT count(*) \(window) AND p.outcome = 'FAILED' AND coalesce(p.failure_code, '') NOT IN (\(declines))")
        let late = "coalesce(p.done_at, \(now)) - p.created_at > \(ProblemAnalysis.delayedAfter)"
        let delayed = try store.int("""
            SELECT count(*) \(window) AND \(late) AND NOT (p.outcome = 'FAILED' AND coalesce(p.failure_code, '') NOT IN (\(declines)))
            """)
        #expect(a.impact.failed == failed && a.impact.delayed == delayed && delayed > 1_000)
        #expect(a.impact.checkouts == failed + delayed)
        // At risk: delayed and not settled, summed per currency in the store's own decimals.
        for (currency, amount) in a.impact.atRisk {
            let cents = try store.int("""
                SELECT coalesce(sum(CAST(replace(p.amount_total, '.', '') AS INTEGER)), 0) \(window)
                AND p.done_at IS NULL AND \(late) AND p.currency = '\(currency)'
                """)
            #expect(amount.minorUnits == Int64(cents), "\(currency)")
        }
        let burned = try #require(a.impact.budgetBurned["settlement"])
        #expect(burned > 0)
    }
}
