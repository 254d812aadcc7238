import Testing
@testable import PaytopStore
import PaytopVocabulary

/// The budget and burn lines read a 30-day SLO window as two stretches of minutes and one
/// sum between them: every point must equal the sums over all its window's minutes.
@Suite struct WindowCountsTests {
    /// Minute counts held in memory: good = valid minus a few bad ones, 4 days of minutes.
    struct Minutes: ChartSource {
        var good: [Int64: Int64] = [:], valid: [Int64: Int64] = [:]
        var asked: [ClosedRange<Int64>] = []

        func counts(_ name: String) -> [Int64: Int64] { name == "good" ? good : valid }
        func firstPoint() throws -> Int64? { valid.keys.min() }
        func earliestPoint() throws -> Int64? { valid.keys.min() }
        func hasFinePoints(from: Int64) throws -> Bool { false }
        func points(_ name: MetricName, _ dims: String, from: Int64, to: Int64, period: Int,
                    _ column: DashboardSeries.Column) throws -> [(t: Int64, v: Double)] { [] }
        func minuteCounts(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> [Int64: Int64] {
            counts(name).filter { $0.key >= from && $0.key <= to }
        }
        func total(_ name: String, _ dims: String, from: Int64, to: Int64) throws -> Int64 {
            counts(name).filter { $0.key >= from && $0.key < to }.values.reduce(0, +)
        }
        func businessMinutes(from: Int64, to: Int64) throws -> [DashboardSeries.BusinessMinute] { [] }
        func marks(from: Int64, to: Int64) throws -> [DashboardSeries.ControlMark] { [] }
    }

    @Test func everyPointOfABudgetOrBurnLineIsItsWholeWindowsSum() throws {
        let minute: Int64 = 60_000_000_000
        let start: Int64 = 1_764_000_000_000_000_000 / minute * minute
        var m = Minutes()
        var rng = SystemRandomNumberGenerator()
        let days = 4
        for i in 0..<Int64(days * 1440) {
            let t = start + i * minute
            let v = Int64.random(in: 50...80, using: &rng)
            // A bad stretch on day 2, another in the last two hours: the lines move.
            let bad = (1440...1700).contains(i) || i > Int64(days * 1440 - 120) ? Int64.random(in: 0...6, using: &rng) : Int64.random(in: 0...1, using: &rng)
            m.valid[t] = v
            m.good[t] = v - bad
        }
        let definition = SloDefinition(name: "s", description: "", target: 0.99, windowDays: 3, goodMetric: "good", validMetric: "valid", dimensions: "{}")
        let at = start + Int64(days * 1440) * minute - 1
        for window: Int64? in [3_600_000_000_000, 6 * 3_600_000_000_000, 26 * 3_600_000_000_000, nil] {
            let s = try DashboardSeries.assemble(m, at: at, windowNanos: window, slos: [definition])
            let budget = try #require(s.budget.first).points, burn = try #require(s.burn.first).points
            #expect(!budget.isEmpty && !burn.isEmpty)
            func errorRate(_ point: Int64, _ length: Int64) -> Double? {
                let keys = m.valid.keys.filter { $0 > point - length && $0 <= point }
                let v = keys.reduce(0) { $0 + m.valid[$1]! }, g = keys.reduce(0) { $0 + m.good[$1]! }
                return SloReport.enoughData(valid: v, target: 0.99) ? Double(v - g) / Double(v) : nil
            }
            for p in budget { #expect(p.v == (1 - errorRate(p.t, 3 * 86_400_000_000_000)! / (1 - 0.99)) * 100, "budget at \(p.t)") }
            for p in burn { #expect(p.v == errorRate(p.t, 3_600_000_000_000)! / (1 - 0.99), "burn at \(p.t)") }
        }
    }
}
