import Testing
@testable import PaytopConsole
@testable import PaytopStore
import PaytopVocabulary

/// The time cursor on a chart, Enter on its bucket, v … v and the compare pane — through
/// the pure reducer; the buckets' widths and the filters they ask the store for.
@Suite struct ChartCursorTests {
    static let minute: Int64 = 60_000_000_000
    static let t0: Int64 = 1_764_714_600_000_000_000  // 22:30:00

    /// An hour of one-minute points, ending at 23:30:00.
    func data(from: Int64 = t0, minutes: Int64 = 60, period: Int = 60) -> ConsoleData {
        var series = DashboardSeries(from: from, to: from + minutes * Self.minute, periodSeconds: period)
        series.errors = [.init("PSP 500/s", (0...minutes).map { (from + $0 * Self.minute, Double($0 % 7)) }, subject: .psp)]
        var snap = ConsoleSnapshot()
        snap.at = series.to
        snap.series = series
        return ConsoleData(snapshot: snap)
    }

    func overviewOnTheErrorsChart() -> ConsoleState {
        var s = ConsoleState()
        s.width = 200; s.height = 60
        _ = Reducer.reduce(&s, .panesShown([.chart(.throughput), .chart(.errors)]), data: data())
        for _ in 0..<5 { _ = Reducer.reduce(&s, key: .tab, data: data()) }
        return s
    }

    @Test func bucketsAreRoundAndAtMostSixtyToTheWindow() {
        func width(_ minutes: Int64, _ period: Int) -> Int64 { ChartCursor.width(data(minutes: minutes, period: period).snapshot.series!) }
        #expect(width(60, 60) == Self.minute)                     // 1 h of minutes: a minute
        #expect(width(5, 1) == 5_000_000_000)                     // 5 min of seconds: 5 s
        #expect(width(1_440, 60) == 30 * Self.minute)             // a day: half an hour
        #expect(width(360, 60) == 10 * Self.minute)               // 6 h: ten minutes
        #expect(ChartCursor.bucket(Self.t0 + 90_000_000_000, width: Self.minute) == Self.t0 + Self.minute)
        #expect(ChartCursor.bucket(-1, width: 10) == -10)
    }

    @Test func tabReachesTheChartsArrowsMoveTheCursorAndEnterListsTheBucket() {
        var s = overviewOnTheErrorsChart()
        #expect(s.focusedChart == .errors && s.cursor == nil)
        let d = data()
        // Enter before any cursor says how to place one.
        #expect(Reducer.reduce(&s, key: .enter, data: d).isEmpty && s.status?.isError == true)
        // ← starts at the newest bucket, then moves a minute back; g and G go to the ends.
        _ = Reducer.reduce(&s, key: .left, data: d)
        #expect(s.cursor == Self.t0 + 60 * Self.minute)
        _ = Reducer.reduce(&s, key: .left, data: d)
        _ = Reducer.reduce(&s, key: .pageUp, data: d)
        #expect(s.cursor == Self.t0 + 49 * Self.minute)
        _ = Reducer.reduce(&s, key: .char("g"), data: d)
        #expect(s.cursor == Self.t0)
        _ = Reducer.reduce(&s, key: .left, data: d)
        #expect(s.cursor == Self.t0, "the cursor stays in the window")
        _ = Reducer.reduce(&s, key: .char("G"), data: d)
        _ = Reducer.reduce(&s, key: .pageUp, data: d)
        #expect(s.cursor == Self.t0 + 50 * Self.minute)
        // Enter: the checkouts that failed or errored in that minute, in view 3.
        let effects = Reducer.reduce(&s, key: .enter, data: d)
        var want = CheckoutSearch.Filter()
        want.erredBetween = (Self.t0 + 50 * Self.minute)...(Self.t0 + 51 * Self.minute - 1)
        want.limit = ConsoleLimits.drill
        #expect(effects == [.loadCheckouts(want)])
        #expect(s.view == .payments && s.drill?.title == "errors 23:20:00–23:21:00 · failed or errored" && s.focusedChart == nil)
    }

    @Test func eachChartListsWhatItCounts() {
        let bucket = Self.t0...(Self.t0 + Self.minute - 1)
        #expect(ChartCursor.filter(.throughput, bucket).from == Self.t0 && ChartCursor.filter(.throughput, bucket).to == bucket.upperBound)
        #expect(ChartCursor.filter(.latency, bucket).sort == .slowest && ChartCursor.filter(.functionP95, bucket).sort == .slowest)
        #expect(ChartCursor.filter(.functionErrors, bucket).erredBetween == bucket)
        #expect(ChartCursor.filter(.conversion, bucket).outcome == "FAILED")
        #expect(ChartCursor.filter(.dlqAge, bucket).state == .deadLettered && ChartCursor.filter(.dlqAge, bucket).from == nil)
        #expect(ChartCursor.filter(.burn, bucket).affected && ChartCursor.filter(.budget, bucket).affected)
        for chart in ChartID.allCases { #expect(ChartCursor.filter(chart, bucket).limit == ConsoleLimits.drill) }
    }

    @Test func vMarksARangeComparesItAndEnterListsAValue() {
        var s = overviewOnTheErrorsChart()
        let d = data()
        _ = Reducer.reduce(&s, key: .left, data: d)          // 23:30
        _ = Reducer.reduce(&s, key: .char("v"), data: d)
        #expect(s.rangeMark == Self.t0 + 60 * Self.minute)
        for _ in 0..<4 { _ = Reducer.reduce(&s, key: .left, data: d) }  // 23:26
        let effects = Reducer.reduce(&s, key: .char("v"), data: d)
        let range = (Self.t0 + 56 * Self.minute)...(Self.t0 + 61 * Self.minute - 1)
        // The baseline: the longer rest of the window, before the range.
        #expect(effects == [.compare(range: range, baseline: Self.t0...(range.lowerBound - 1))])
        #expect(s.compare?.range == range && s.rangeMark == nil)
        // The pane's rows: j moves, Enter lists the range's checkouts with the value.
        var withResult = d
        withResult.comparison = .init(rangeCheckouts: 40, baselineCheckouts: 900, differences: [
            .init(dimension: .release, value: "executor 1.3.0", rangeShare: 0.9, baselineShare: 0),
            .init(dimension: .merchant, value: "seller-acct-004", rangeShare: 0.3, baselineShare: 0.1),
        ])
        _ = Reducer.reduce(&s, key: .char("j"), data: withResult)
        _ = Reducer.reduce(&s, key: .char("j"), data: withResult)
        #expect(s.compare?.selected == 1, "the selection stops at the last row")
        let drill = Reducer.reduce(&s, key: .enter, data: withResult)
        var want = CheckoutSearch.Filter()
        want.from = range.lowerBound; want.to = range.upperBound; want.merchant = "seller-acct-004"; want.limit = ConsoleLimits.drill
        #expect(drill == [.loadCheckouts(want)] && s.compare == nil && s.view == .payments)
    }

    @Test func escapeDropsTheMarkThenTheCursorAndAShrunkFrameGivesTheFocusBack() {
        var s = overviewOnTheErrorsChart()
        let d = data()
        _ = Reducer.reduce(&s, key: .left, data: d)
        _ = Reducer.reduce(&s, key: .char("v"), data: d)
        _ = Reducer.reduce(&s, key: .escape, data: d)
        #expect(s.rangeMark == nil && s.cursor != nil)
        _ = Reducer.reduce(&s, key: .escape, data: d)
        #expect(s.cursor == nil && s.focusedChart == .errors)
        // v without a cursor says so; the compare pane closes on Esc.
        _ = Reducer.reduce(&s, key: .char("v"), data: d)
        #expect(s.status?.isError == true && s.rangeMark == nil)
        // A frame that no longer draws the chart (a smaller terminal) gives the focus back.
        _ = Reducer.reduce(&s, .panesShown([]), data: d)
        #expect(s.focusedChart == nil && s.focus == 0)
        // Another view starts without a cursor, and learns its charts from its frame.
        s.cursor = 1
        _ = Reducer.reduce(&s, key: .char("5"), data: d)
        #expect(s.cursor == nil && s.panesShown.isEmpty)
    }

    @Test func theRangeCannotBeTheWholeWindow() {
        var s = overviewOnTheErrorsChart()
        let d = data(minutes: 1)
        _ = Reducer.reduce(&s, key: .char("g"), data: d)
        _ = Reducer.reduce(&s, key: .char("v"), data: d)
        _ = Reducer.reduce(&s, key: .char("G"), data: d)
        #expect(Reducer.reduce(&s, key: .char("v"), data: d).isEmpty && s.compare == nil && s.status?.isError == true)
    }
}
