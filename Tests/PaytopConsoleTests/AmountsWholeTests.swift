import Foundation
import Testing
@testable import PaytopConsole
import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// Amounts are never cut (docs/console.md): every view at 80×24, 120×36 and 200×60, from a
/// store with three currencies and orders of 1,000,000.00–9,999,999.99 (so totals run to
/// ten and more digits), shows no amount cut short — a pane too narrow shows fewer amounts
/// and "+N" — and the headline amounts of `paytop business --json` whole: revenue per
/// currency on the Overview, revenue and lost revenue on the Business view.
@Suite(.serialized) struct AmountsWholeTests {
    static func fixture() throws -> (path: String, data: ConsoleData, amounts: Set<String>) {
        let path = NSTemporaryDirectory() + "paytop-amounts-\(UUID().uuidString.prefix(8)).db"
        var settings = EngineSettings()
        settings.seed = 31
        settings.ratePerSecond = 10
        let scenario = try Scenario.parse("""
            name = "large amounts"
            [settings]
            settlement_interval = "2m"
            settlement_lag = "10s"
            reconcile_after = "30s"
            [settings.order_amounts]
            shape = "uniform"
            min = "1000000.00"
            max = "9999999.99"
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "psp-declines"
            on = true
            rate = 0.2
            [[timeline]]
            at = "0s"
            command = "fault"
            kind = "settlement-drift"
            on = true
            rate = 0.05
            """)
        try scenario.apply(to: &settings)
        var options = Engine.Options(storePath: path, mode: .simulated, settings: settings, scenario: scenario)
        options.requireNewStore = true
        let engine = try Engine(options)
        _ = try SimulationRunner.run(engine, checkouts: 900)
        try engine.close()
        let c = try Store.openForReading(path: path)
        let snap = try ConsoleSnapshot.load(c, limits: ConsoleLimits.snapshot, windowNanos: ConsoleState().timeRange.nanos)
        // Every amount the twins print: `paytop business --json`, `reconcile --json`, the
        // payments, the events.
        var amounts: Set<String> = []
        let b = try #require(snap.business)
        for a in b.revenue + b.lostRevenue + b.stages.flatMap(\.loss.amounts) + b.errorCodes.flatMap(\.loss.amounts)
            + b.merchants.flatMap(\.revenue) { amounts.insert(a.amount.description) }
        if let r = snap.reconciliation {
            for m in r.mismatches { for a in [m.ledgerAmount, m.pspAmount].compactMap({ $0 }) { amounts.insert(a.description) } }
            for a in r.unreconciled.values { amounts.insert(a.description) }
            for batch in r.batches { for a in batch.unreconciled.values { amounts.insert(a.description) } }
        }
        for p in snap.payments { amounts.insert(p.amount) }
        for e in snap.events { if let a = e.amountTotal { amounts.insert(a) } }  // `paytop events --json`
        return (path, ConsoleData(snapshot: snap), amounts)
    }

    static func render(_ view: ViewID, _ d: ConsoleData, width: Int, height: Int) -> String {
        var s = ConsoleState()
        s.width = width
        s.height = height
        s.view = view
        return Screen.render(s, d, theme: Theme.builtIn("monochrome")!, glyphs: .unicode).lines.joined(separator: "\n")
    }

    /// Numbers on screen of five or more digits (every amount of this store has seven
    /// before its point; counts are drawn grouped or as 12.3k), each standing alone.
    static func longNumbers(_ screen: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"(?<![\w.,:/-])\d{5,}(?:\.\d*)?(?![\w])"#)
        let ns = screen as NSString
        return pattern.matches(in: screen, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }

    @Test func noAmountIsCutOnAnyViewAtAnySize() throws {
        let (path, d, amounts) = try Self.fixture()
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        #expect(amounts.count > 50 && amounts.contains { $0.count >= 13 }, "totals of ten digits and more")
        let b = try #require(d.snapshot.business)
        #expect(Set(b.revenue.map(\.currency)) == ["EUR", "GBP", "USD"])
        for view in ViewID.allCases {
            for (w, h) in [(80, 24), (120, 36), (200, 60)] {
                let screen = Self.render(view, d, width: w, height: h)
                for n in Self.longNumbers(screen) where !amounts.contains(n) {
                    let line = screen.split(separator: "\n").first { $0.contains(n) } ?? ""
                    Issue.record("\(view) at \(w)×\(h): \(n) is not an amount of the twins (cut?) in: \(line)")
                }
                // The headline amounts: revenue per currency on both, lost revenue on view 7.
                if view == .overview || view == .business {
                    for a in b.revenue + (view == .business ? b.lostRevenue : []) where !screen.contains(a.amount.description) {
                        Issue.record("\(view) at \(w)×\(h): \(a.currency) \(a.amount) not whole on screen")
                    }
                }
            }
        }
    }
}
