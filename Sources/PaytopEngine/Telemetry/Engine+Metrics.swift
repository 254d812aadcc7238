import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Which metric series exist, with the names CloudWatch uses where it has one, and when
/// the engine reads them. docs/telemetry.md lists them.
struct MetricSeriesSet {
    struct QueueSeries { let visible, notVisible, delayed, age, sent, received, deleted, emptyReceives: MetricsRecorder.Series }
    struct FunctionSeries { let invocations, errors, throttles, coldStarts, concurrent, duration, initDuration: MetricsRecorder.Series }
    var queues: [(QueueName, QueueSeries)] = []
    var functions: [(FunctionName, FunctionSeries)] = []
    let apiCount, api4xx, api5xx, api429, apiLatency, integrationLatency: MetricsRecorder.Series
    let pspCalls, pspLatency, psp200, psp402, psp500: MetricsRecorder.Series
    let received, settled, failed, rejected, conversion: MetricsRecorder.Series
    let sloGood: [SloName: MetricsRecorder.Series]
    let sloValid: [SloName: MetricsRecorder.Series]
    let recorder: MetricsRecorder

    init(_ m: MetricsRecorder) {
        recorder = m
        for q in QueueName.allCases {
            let d = MetricDimensions.queue(q)
            queues.append((q, QueueSeries(
                visible: m.series(.messagesVisible, d, unit: "count", .gauge),
                notVisible: m.series(.messagesNotVisible, d, unit: "count", .gauge),
                delayed: m.series(.messagesDelayed, d, unit: "count", .gauge),
                age: m.series(.ageOfOldestMessage, d, unit: "s", .gauge),
                sent: m.series(.messagesSent, d, unit: "count", .counter),
                received: m.series(.messagesReceived, d, unit: "count", .counter),
                deleted: m.series(.messagesDeleted, d, unit: "count", .counter),
                emptyReceives: m.series(.emptyReceives, d, unit: "count", .counter))))
        }
        for f in FunctionName.allCases {
            let d = MetricDimensions.function(f)
            functions.append((f, FunctionSeries(
                invocations: m.series(.invocations, d, unit: "count", .counter),
                errors: m.series(.errors, d, unit: "count", .counter),
                throttles: m.series(.throttles, d, unit: "count", .counter),
                coldStarts: m.series(.coldStarts, d, unit: "count", .counter),
                concurrent: m.series(.concurrentExecutions, d, unit: "count", .gauge),
                duration: m.series(.duration, d, unit: "ms", .distribution),
                initDuration: m.series(.initDuration, d, unit: "ms", .distribution))))
        }
        let api = MetricDimensions.api
        apiCount = m.series(.count, api, unit: "count", .counter)
        api4xx = m.series(.clientErrors, api, unit: "count", .counter)
        api5xx = m.series(.serverErrors, api, unit: "count", .counter)
        api429 = m.series(.throttledRequests, api, unit: "count", .counter)
        apiLatency = m.series(.latency, api, unit: "ms", .distribution)
        integrationLatency = m.series(.integrationLatency, api, unit: "ms", .distribution)
        let psp = MetricDimensions.psp
        pspCalls = m.series(.pspCalls, psp, unit: "count", .counter)
        pspLatency = m.series(.pspLatency, psp, unit: "ms", .distribution)
        psp200 = m.series(.pspResponses, MetricDimensions.pspResponses(code: 200), unit: "count", .counter)
        psp402 = m.series(.pspResponses, MetricDimensions.pspResponses(code: 402), unit: "count", .counter)
        psp500 = m.series(.pspResponses, MetricDimensions.pspResponses(code: 500), unit: "count", .counter)
        let biz = MetricDimensions.business
        received = m.series(.checkoutsReceived, biz, unit: "count", .counter)
        settled = m.series(.checkoutsSettled, biz, unit: "count", .counter)
        failed = m.series(.checkoutsFailed, biz, unit: "count", .counter)
        rejected = m.series(.checkoutsRejected, biz, unit: "count", .counter)
        conversion = m.series(.conversion, biz, unit: "percent", .gauge)
        var good: [SloName: MetricsRecorder.Series] = [:], valid: [SloName: MetricsRecorder.Series] = [:]
        for n in SloName.allCases {
            good[n] = m.series(.sloGoodEvents, MetricDimensions.slo(n.rawValue), unit: "count", .counter)
            valid[n] = m.series(.sloValidEvents, MetricDimensions.slo(n.rawValue), unit: "count", .counter)
        }
        sloGood = good
        sloValid = valid
    }

    func revenue(_ currency: String) -> MetricsRecorder.Series {
        recorder.series(.revenue, MetricDimensions.currency(currency), unit: "minor units", .counter)
    }
}

extension Engine {
    /// Closes every metric period that ended before `t` (called before each event).
    func closeMetricsPeriods(before t: EngineTime) {
        guard let metrics = metricSeries?.recorder, t >= metrics.nextBoundary, let s = metricSeries else { return }
        readCumulativeCounters(s)
        for (q, qs) in s.queues {
            let d = queue(q).depth(at: now)
            metrics.gauge(qs.visible, Double(d.visible))
            metrics.gauge(qs.notVisible, Double(d.inFlight))
            metrics.gauge(qs.delayed, Double(d.delayed))
            metrics.gauge(qs.age, d.oldestSentAt.map { Double(max(0, now - $0) / 1_000_000_000) } ?? 0)
        }
        for (f, fs) in s.functions {
            let fn = function(f)
            metrics.gauge(fs.concurrent, Double(fn.takePeriodMaxConcurrency()))
            for d in fn.takeDurations() { metrics.observe(fs.duration, micros: d / 1000) }
            for d in fn.takeInitDurations() { metrics.observe(fs.initDuration, micros: d / 1000) }
        }
        // Conversion in the period: checkouts that ended settled ÷ all that ended.
        let ended = stats.settled + stats.failed - conversionBaseline.ended
        if ended > 0 {
            let pct = Double(stats.settled - conversionBaseline.settled) / Double(ended) * 100
            metrics.gauge(s.conversion, (pct * 100).rounded() / 100)
        }
        conversionBaseline = (stats.settled + stats.failed, stats.settled)
        metrics.closePeriod()
        let before = metrics.points.count
        if metrics.advance(to: t) {
            metrics.closeRollup(next: t)
            pruneTelemetryIfLive()
        }
        pendingRows += metrics.points.count - before + s.queues.count * 4
    }

    func readCumulativeCounters(_ s: MetricSeriesSet) {
        let m = s.recorder
        for (q, qs) in s.queues {
            let c = queue(q).counters
            m.cumulative(qs.sent, Int64(c.sent)); m.cumulative(qs.received, Int64(c.received))
            m.cumulative(qs.deleted, Int64(c.deleted)); m.cumulative(qs.emptyReceives, Int64(c.emptyReceives))
        }
        for (f, fs) in s.functions {
            let c = function(f).counters
            m.cumulative(fs.invocations, Int64(c.invocations)); m.cumulative(fs.errors, Int64(c.errors))
            m.cumulative(fs.throttles, Int64(c.throttles)); m.cumulative(fs.coldStarts, Int64(c.coldStarts))
        }
        m.cumulative(s.apiCount, Int64(stats.arrivals))
        m.cumulative(s.api4xx, Int64(stats.rejected + stats.conflicts + stats.throttled))
        m.cumulative(s.api5xx, Int64(stats.serverErrors + stats.gatewayTimeouts))
        m.cumulative(s.api429, Int64(stats.throttled))
        m.cumulative(s.pspCalls, Int64(psp.counters.calls))
        m.cumulative(s.psp200, Int64(psp.counters.succeeded))
        m.cumulative(s.psp402, Int64(psp.counters.declined))
        m.cumulative(s.psp500, Int64(psp.counters.serverErrors))
        m.cumulative(s.received, Int64(stats.accepted))
        m.cumulative(s.settled, Int64(stats.settled))
        m.cumulative(s.failed, Int64(stats.failed))
        m.cumulative(s.rejected, Int64(stats.rejected))
    }

    /// An SLO event: valid, and good or not.
    func sloEvent(_ slo: SloName, good: Bool) {
        guard let s = metricSeries else { return }
        s.recorder.add(s.sloValid[slo]!, 1)
        if good { s.recorder.add(s.sloGood[slo]!, 1) }
    }

    /// A checkout reached its end for the SLOs: settled, failed, or dead-lettered.
    func sloCheckoutEnded(_ c: Checkout, success: Bool, businessDecline: Bool, deadLettered: Bool = false) {
        guard metricSeries != nil, !c.sloCounted else { return }
        c.sloCounted = true
        // Settlement: the checkout reached its final outcome (settled or declined) within 2 minutes.
        sloEvent(.settlement, good: !deadLettered && now - c.createdAt <= Span.minutes(2))
        if !businessDecline { sloEvent(.paymentSuccess, good: success) }
    }

    /// Live stores keep telemetry within an age and size budget (docs/telemetry.md).
    func pruneTelemetryIfLive() {
        guard mode == .live else { return }
        pendingPrune = TelemetryPrune(
            finePointsBefore: (now - Span.minutes(60)).nanos, rollupsBefore: (now - Span.minutes(7 * 24 * 60)).nanos,
            tracesBefore: (now - Span.minutes(settings.telemetryRetentionMinutes)).nanos,
            maxTraces: Int64(settings.telemetryMaxTraces))
        pendingRows += 1
    }
}
