import PaytopDetect
import PaytopStore
import PaytopVocabulary

/// The engine's CloudWatch-style metrics: at each period's end it reads the runtime's
/// and the services' counters and gauges into the recorder, and works out conversion.
final class PipelineMetrics {
    let series: MetricSeriesSet
    private let ctx: EngineContext
    private let runtime: PipelineRuntime
    private let psp: PspSimulator
    /// Checkouts ended and settled at the last period's close.
    private var conversionBaseline: (ended: Int, settled: Int) = (0, 0)
    /// The detectors, judging each roll-up minute as it closes (docs/problems.md).
    let detection: ProblemDetection
    private let figures: MinuteFiguresReader
    /// Reconciliation items no rule explains, as the last run left them (nil: none ran).
    var openInvestigateItems: Int?

    init(_ series: MetricSeriesSet, ctx: EngineContext, runtime: PipelineRuntime, psp: PspSimulator,
         detection: ProblemDetection = ProblemDetection()) {
        self.series = series
        self.ctx = ctx
        self.runtime = runtime
        self.psp = psp
        self.detection = detection
        self.figures = MinuteFiguresReader(series)
    }

    /// Counters restored from the store are the baseline, not a burst in the first period.
    func startFromRestoredCounters() {
        readCumulativeCounters()
        series.recorder.resetCounts()
        conversionBaseline = (ctx.stats.settled + ctx.stats.failed, ctx.stats.settled)
    }

    /// Closes every metric period that ended before `t` (called before each event).
    /// Returns true when a roll-up period closed too.
    /// `sweepLimit`: time has not reached the period's end (the engine is closing at
    /// `now`), so settlement objectives are looked at only up to it.
    @discardableResult
    func closePeriods(before t: EngineTime, sweepLimit: EngineTime? = nil) -> Bool {
        let metrics = series.recorder, s = series
        guard t >= metrics.nextBoundary else { return false }
        let firstPoint = metrics.points.count
        let closing = metrics.periodStart
        readCumulativeCounters()
        for (q, qs) in s.queues {
            let d = runtime.queue(q).depth(at: ctx.now)
            metrics.gauge(qs.visible, Double(d.visible))
            metrics.gauge(qs.notVisible, Double(d.inFlight))
            metrics.gauge(qs.delayed, Double(d.delayed))
            metrics.gauge(qs.age, d.oldestSentAt.map { Double(max(0, ctx.now - $0) / 1_000_000_000) } ?? 0)
        }
        for (f, fs) in s.functions {
            let fn = runtime.function(f)
            metrics.gauge(fs.concurrent, Double(fn.takePeriodMaxConcurrency()))
            for d in fn.takeDurations() {
                metrics.observe(fs.duration, micros: d.nanos / 1000)
                metrics.observe(d.coldStart ? fs.coldDuration : fs.warmDuration, micros: d.nanos / 1000)
            }
            for d in fn.takeInitDurations() { metrics.observe(fs.initDuration, micros: d / 1000) }
        }
        // Settlement objectives that ran out by the period's end (or by now, when the
        // engine closes early) are bad events in this period.
        s.settlementDeadlines.sweep(through: min(metrics.nextBoundary, sweepLimit ?? metrics.nextBoundary)) { [ctx] _ in
            ctx.sloEvent(.settlement, good: false)
        }
        metrics.gauge(s.sloBadInFlight, Double(s.settlementDeadlines.badInFlight))
        // Conversion in the period: checkouts that ended settled ÷ all that ended.
        let ended = ctx.stats.settled + ctx.stats.failed - conversionBaseline.ended
        if ended > 0 {
            let pct = Double(ctx.stats.settled - conversionBaseline.settled) / Double(ended) * 100
            metrics.gauge(s.conversion, (pct * 100).rounded() / 100)
        }
        conversionBaseline = (ctx.stats.settled + ctx.stats.failed, ctx.stats.settled)
        metrics.closePeriod()
        let before = metrics.points.count
        var rolledUp = false
        if !metrics.writesRollups {
            judge(minute: closing, points: metrics.points[firstPoint...])
        }
        if metrics.advance(to: t) {
            let minute = metrics.rollupStart
            let rollupFirst = metrics.points.count
            metrics.closeRollup(next: t)
            judge(minute: minute, points: metrics.points[rollupFirst...])
            rolledUp = true
        }
        ctx.pendingRows += metrics.points.count - before + s.queues.count * 4
        return rolledUp
    }

    /// The detectors' verdict on one closed roll-up minute.
    private func judge(minute: EngineTime, points: ArraySlice<MetricPointRow>) {
        detection.minute(figures.figures(start: minute.nanos, points: points, declines: psp.takeMinuteDeclines(),
                                         investigateItems: openInvestigateItems))
    }

    /// At shutdown, after the last `closePeriods`: the roll-up minute in progress is written
    /// too (a live engine's 1-second points are rolled up a minute at a time), so that the
    /// engine resumed on the store adds the rest of the minute to it instead of writing a
    /// roll-up that hides this part.
    func closeRollupAtShutdown() {
        let metrics = series.recorder
        guard metrics.writesRollups else { return }
        let before = metrics.points.count
        metrics.closeRollup(next: metrics.rollupStart)
        ctx.pendingRows += metrics.points.count - before
    }

    func readCumulativeCounters() {
        let s = series
        let m = s.recorder
        for (q, qs) in s.queues {
            let c = runtime.queue(q).counters
            m.cumulative(qs.sent, Int64(c.sent)); m.cumulative(qs.received, Int64(c.received))
            m.cumulative(qs.deleted, Int64(c.deleted)); m.cumulative(qs.emptyReceives, Int64(c.emptyReceives))
        }
        for (f, fs) in s.functions {
            let c = runtime.function(f).counters
            m.cumulative(fs.invocations, Int64(c.invocations)); m.cumulative(fs.errors, Int64(c.errors))
            m.cumulative(fs.throttles, Int64(c.throttles)); m.cumulative(fs.coldStarts, Int64(c.coldStarts))
        }
        m.cumulative(s.apiCount, Int64(ctx.stats.arrivals))
        m.cumulative(s.api4xx, Int64(ctx.stats.rejected + ctx.stats.conflicts + ctx.stats.throttled))
        m.cumulative(s.api5xx, Int64(ctx.stats.serverErrors + ctx.stats.gatewayTimeouts))
        m.cumulative(s.api429, Int64(ctx.stats.throttled))
        m.cumulative(s.pspCalls, Int64(psp.counters.calls))
        m.cumulative(s.psp200, Int64(psp.counters.succeeded))
        m.cumulative(s.psp402, Int64(psp.counters.declined))
        m.cumulative(s.psp500, Int64(psp.counters.serverErrors))
        m.cumulative(s.received, Int64(ctx.stats.accepted))
        m.cumulative(s.settled, Int64(ctx.stats.settled))
        m.cumulative(s.failed, Int64(ctx.stats.failed))
        m.cumulative(s.rejected, Int64(ctx.stats.rejected))
    }
}
