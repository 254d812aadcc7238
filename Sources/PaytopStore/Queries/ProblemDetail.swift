/// One problem as the console's Problems view shows it: its analysis and the charts of its
/// window, from a while before the first signal (the baseline, the causes' lookback) to a
/// little after its close (or now), in one read transaction.
public struct ProblemDetail: Sendable {
    public var analysis: ProblemAnalysis
    public var series: DashboardSeries

    /// Before the first signal, the chart shows this much baseline.
    public static let chartLead: Int64 = 15 * 60_000_000_000
    /// After the close, this much of the recovery.
    public static let chartTail: Int64 = 5 * 60_000_000_000

    /// The problem with that id analysed, or nil when the store holds none.
    public static func load(_ c: Connection, id: Int64) throws -> ProblemDetail? {
        try c.read {
            guard let analysis = try ProblemAnalysis.one(c, id: id, transaction: false) else { return nil }
            let now = try StoredEngineState.load(c).now
            let p = analysis.problem
            let start = p.firstSignalAt - chartLead
            let end = max(start + 60_000_000_000, min(now, (p.closedAt ?? now) + chartTail))
            let series = try DashboardSeries.load(c, at: end, windowNanos: end - start)
            return ProblemDetail(analysis: analysis, series: series)
        }
    }
}
