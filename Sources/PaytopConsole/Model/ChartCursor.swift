import PaytopStore

/// The time cursor on a chart (docs/drill.md): a bucket of engine time that `←` and `→`
/// move, at most 60 to the chart's window so a few key presses cross it, each a whole
/// number of the series' periods on a round step; and what a bucket or a marked range
/// asks the store for.
public enum ChartCursor {
    /// Round bucket widths, seconds.
    static let steps: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400]
    public static let maxBuckets: Int64 = 60

    /// The bucket width for a chart's window, ns.
    public static func width(_ series: DashboardSeries) -> Int64 {
        let span = max(1, series.to - series.from)
        let period = Int64(max(1, series.periodSeconds))
        for step in steps where step >= period && step % period == 0 && span / (step * 1_000_000_000) <= maxBuckets {
            return step * 1_000_000_000
        }
        return max(period, (span / maxBuckets / 1_000_000_000 / period + 1) * period) * 1_000_000_000
    }

    /// The start of the bucket holding `t`.
    public static func bucket(_ t: Int64, width: Int64) -> Int64 {
        let r = t % width
        return t - (r < 0 ? r + width : r)
    }

    /// The cursor moved `steps` buckets, kept in the window. Without one, a single step
    /// puts it on the newest bucket and longer moves count from there.
    public static func moved(_ cursor: Int64?, by steps: Int64, _ series: DashboardSeries) -> Int64 {
        let w = width(series)
        let first = bucket(series.from, width: w), last = bucket(series.to, width: w)
        guard let cursor else { return abs(steps) == 1 ? last : min(last, max(first, last + steps * w)) }
        return min(last, max(first, bucket(cursor, width: w) + steps * w))
    }

    /// The bucket starting at `start`, both ends included.
    public static func span(_ start: Int64, _ series: DashboardSeries) -> ClosedRange<Int64> {
        start...(start + width(series) - 1)
    }

    /// The checkouts behind a bucket (or a marked range) of a chart.
    public static func filter(_ chart: ChartID, _ range: ClosedRange<Int64>) -> CheckoutSearch.Filter {
        var f = CheckoutSearch.Filter()
        f.limit = ConsoleLimits.drill
        switch chart.behind {
        case .arrivals: f.from = range.lowerBound; f.to = range.upperBound
        case .erred: f.erredBetween = range
        case .slowest: f.from = range.lowerBound; f.to = range.upperBound; f.sort = .slowest
        case .lost: f.from = range.lowerBound; f.to = range.upperBound; f.outcome = "FAILED"
        case .deadLettered: f.to = range.upperBound; f.state = .deadLettered
        case .affected: f.from = range.lowerBound; f.to = range.upperBound; f.affected = true
        }
        return f
    }

    /// What a marked range is compared with: the longer rest of the chart's window, before
    /// or after it (nil when the range covers the whole window).
    public static func baseline(of range: ClosedRange<Int64>, _ series: DashboardSeries) -> ClosedRange<Int64>? {
        let before = range.lowerBound - series.from, after = series.to - range.upperBound
        if before <= 0 && after <= 0 { return nil }
        return before >= after ? series.from...(range.lowerBound - 1) : (range.upperBound + 1)...series.to
    }
}
