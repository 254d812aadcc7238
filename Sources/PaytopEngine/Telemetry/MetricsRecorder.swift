import Histogram
import PaytopStore
import PaytopVocabulary

/// CloudWatch-style metrics, accumulated per period of engine time: counters as deltas,
/// gauges as readings, distributions as HDR histograms (1 % precision). Live engines
/// write 1-second periods and 1-minute roll-ups; simulations write 1-minute periods.
final class MetricsRecorder {
    enum Kind: String { case gauge, counter, distribution }

    struct Series { let id: Int; let kind: Kind }

    let finePeriod: Nanos
    static let rollupPeriod: Nanos = 60_000_000_000
    var periodStart: EngineTime
    var nextBoundary: EngineTime
    var rollupStart: EngineTime

    private var seriesIDs: [String: Series] = [:]
    private var nextSeriesID = 1
    var newSeries: [MetricSeriesRow] = []
    var points: [MetricPointRow] = []

    // The current fine period.
    private var lastCumulative: [Int: Int64] = [:]
    private var counts: [Int: Int64] = [:]
    private var histograms: [Int: Histogram<UInt64>] = [:]
    /// Exact sums of the distributions' observations (µs), beside their histograms.
    private var sums: [Int: UInt64] = [:]
    private var rollupSums: [Int: UInt64] = [:]
    // The current roll-up (used only when fine periods are shorter than a minute).
    private var rollupCounts: [Int: Int64] = [:]
    private var rollupHistograms: [Int: Histogram<UInt64>] = [:]
    private var rollupGauges: [Int: (last: Double, max: Double)] = [:]

    init(finePeriod: Nanos, start: EngineTime) {
        self.finePeriod = finePeriod
        let aligned = EngineTime(nanos: start.nanos - start.nanos % finePeriod)
        periodStart = aligned
        nextBoundary = aligned + finePeriod
        rollupStart = EngineTime(nanos: start.nanos - start.nanos % MetricsRecorder.rollupPeriod)
    }

    var writesRollups: Bool { finePeriod < MetricsRecorder.rollupPeriod }

    func series(_ metric: MetricName, _ dimensions: String, unit: String, _ kind: Kind) -> Series {
        let name = metric.rawValue
        let key = name + "\u{0}" + dimensions
        if let s = seriesIDs[key] { return s }
        let s = Series(id: nextSeriesID, kind: kind)
        nextSeriesID += 1
        seriesIDs[key] = s
        newSeries.append(MetricSeriesRow(id: s.id, name: name, dimensions: dimensions, unit: unit, kind: kind.rawValue))
        return s
    }

    /// Restores series ids a store already holds.
    func restoreSeries(id: Int, name: String, dimensions: String, kind: String) {
        seriesIDs[name + "\u{0}" + dimensions] = Series(id: id, kind: Kind(rawValue: kind) ?? .counter)
        nextSeriesID = max(nextSeriesID, id + 1)
    }

    static func newHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 86_400_000_000, numberOfSignificantValueDigits: .two)
    }

    /// A distribution observation, in microseconds.
    func observe(_ s: Series, micros: Int64) {
        let v = UInt64(max(1, min(micros, 86_400_000_000)))
        _ = histograms[s.id, default: MetricsRecorder.newHistogram()].record(v)
        sums[s.id, default: 0] += v
    }

    /// An event counter increment.
    func add(_ s: Series, _ delta: Int64) { counts[s.id, default: 0] += delta }

    /// A cumulative counter's current total; the period's delta is taken at its close.
    func cumulative(_ s: Series, _ total: Int64) {
        let last = lastCumulative[s.id] ?? 0
        lastCumulative[s.id] = total
        if total != last { counts[s.id, default: 0] += total - last }
    }

    /// Forgets the deltas gathered so far (after priming from restored totals).
    func resetCounts() { counts.removeAll() }

    /// Baseline for cumulative counters restored from the store (no spurious first delta).
    func primeCumulative(_ s: Series, _ total: Int64) { lastCumulative[s.id] = total }

    func gauge(_ s: Series, _ value: Double) {
        points.append(MetricPointRow(seriesID: s.id, periodSeconds: Int(finePeriod / 1_000_000_000),
                                     periodStart: periodStart.nanos, value: value == value.rounded() ? .integer(Int64(value)) : .real(value),
                                     max: value))
        if writesRollups {
            let prior = rollupGauges[s.id]
            rollupGauges[s.id] = (value, max(prior?.max ?? value, value))
        }
    }

    /// Writes the counters and distributions of the period that just ended.
    func closePeriod() {
        let seconds = Int(finePeriod / 1_000_000_000)
        emit(counts: counts, histograms: histograms, sums: sums, seconds: seconds, start: periodStart)
        if writesRollups {
            for (id, v) in counts { rollupCounts[id, default: 0] += v }
            for (id, v) in sums { rollupSums[id, default: 0] += v }
            for (id, h) in histograms { rollupHistograms[id, default: MetricsRecorder.newHistogram()].add(h) }
        }
        counts.removeAll(keepingCapacity: true)
        histograms.removeAll(keepingCapacity: true)
        sums.removeAll(keepingCapacity: true)
    }

    /// Moves to the period holding `t`; returns true when a roll-up minute also ended.
    func advance(to t: EngineTime) -> Bool {
        periodStart = EngineTime(nanos: t.nanos - t.nanos % finePeriod)
        nextBoundary = periodStart + finePeriod
        guard writesRollups else { return false }
        let minute = EngineTime(nanos: t.nanos - t.nanos % MetricsRecorder.rollupPeriod)
        return minute > rollupStart
    }

    func closeRollup(next t: EngineTime) {
        emit(counts: rollupCounts, histograms: rollupHistograms, sums: rollupSums, seconds: 60, start: rollupStart)
        for (id, g) in rollupGauges {
            points.append(MetricPointRow(seriesID: id, periodSeconds: 60, periodStart: rollupStart.nanos,
                                         value: g.last == g.last.rounded() ? .integer(Int64(g.last)) : .real(g.last), max: g.max))
        }
        rollupCounts.removeAll()
        rollupHistograms.removeAll()
        rollupSums.removeAll()
        rollupGauges.removeAll()
        rollupStart = EngineTime(nanos: t.nanos - t.nanos % MetricsRecorder.rollupPeriod)
    }

    private func emit(counts: [Int: Int64], histograms: [Int: Histogram<UInt64>], sums: [Int: UInt64], seconds: Int, start: EngineTime) {
        for (id, v) in counts.sorted(by: { $0.key < $1.key }) where v != 0 {
            points.append(MetricPointRow(seriesID: id, periodSeconds: seconds, periodStart: start.nanos, value: .integer(v)))
        }
        for (id, h) in histograms.sorted(by: { $0.key < $1.key }) where h.totalCount > 0 {
            func ms(_ micros: UInt64) -> Double { (Double(micros) / 1000 * 1000).rounded() / 1000 }
            let sum = Double(sums[id] ?? 0) / 1000  // ms
            let p = MetricsRecorder.valuesAtPercentiles(h, [50, 95, 99])
            points.append(MetricPointRow(
                seriesID: id, periodSeconds: seconds, periodStart: start.nanos, value: .real((sum * 1000).rounded() / 1000),
                count: Int64(h.totalCount), min: ms(h.min), max: ms(h.max), p50: ms(p[0]), p95: ms(p[1]), p99: ms(p[2]),
                buckets: seconds == 60 ? HistogramBuckets(sortedPairs: h.recordedValues().map { (Int64($0.value), Int64($0.count)) }) : nil))
        }
    }

    /// `h.valueAtPercentile` of each of `percentiles` (ascending, below 100), in one walk
    /// of the recorded values: the library's own walks every bucket once a percentile
    /// (~4,000 for this layout), unspecialised across the module boundary, and three such
    /// walks a series a second were 5 % of the live engine thread. The same rule: the
    /// first value whose cumulative count reaches ⌈(p − 1 ulp) × total ÷ 100⌉ (at least 1),
    /// kept within the recorded minimum and maximum.
    static func valuesAtPercentiles(_ h: Histogram<UInt64>, _ percentiles: [Double]) -> [UInt64] {
        let total = h.totalCount
        guard total > 0 else { return percentiles.map { _ in 0 } }
        let low = h.min, high = h.maxRecorded
        let targets = percentiles.map { p in Swift.max(1, UInt64((p.nextDown * Double(total) / 100).rounded(.up))) }
        var out: [UInt64] = []
        out.reserveCapacity(targets.count)
        for v in h.recordedValues() {
            while out.count < targets.count, v.totalCountToThisValue >= targets[out.count] {
                out.append(Swift.max(Swift.min(v.value, high), low))
            }
            if out.count == targets.count { break }
        }
        return out
    }

    func drain(into b: inout WriteBatch) {
        b.metricSeries = newSeries
        b.metricPoints = points
        newSeries.removeAll()
        points.removeAll(keepingCapacity: true)
    }
}
