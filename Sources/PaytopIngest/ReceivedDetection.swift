import PaytopDetect
import PaytopStore
import PaytopVocabulary

/// The engine's detectors over received telemetry (docs/problems.md): each minute's
/// figures counted from what arrives — per function its SERVER and CONSUMER spans
/// (invocations), those with an error status and their durations; the PSP from the
/// executor's CLIENT calls that carry an HTTP status; the API from `POST /v1/payments`;
/// the SLO events the intake counts; conversion from checkouts' end events — and judged
/// once the newest time received has passed the minute's end by `lateness`. A span
/// arriving later than that for a judged minute is stored but not counted. No control
/// events arrive, so causes are the attribute differences the analysis finds.
struct ReceivedDetection {
    private struct Minute {
        var invocations: [FunctionName: Int] = [:], errors: [FunctionName: Int] = [:]
        var durations: [FunctionName: [Double]] = [:]
        var apiCount = 0, api5xx = 0, api429 = 0, apiDurations: [Double] = []
        var pspCalls = 0, psp5xx = 0, pspDurations: [Double] = []
        var good: [SloName: Int] = [:], valid: [SloName: Int] = [:]
        var settled = 0, failed = 0
    }

    /// How long after a minute's end spans for it may still arrive before it is judged.
    static let lateness: Int64 = 2 * Period.minute
    /// A gap in what arrives longer than this is not judged minute by minute (an idle
    /// receiver restarted a day later judges the day as one gap, not 1,440 empty minutes).
    static let longestGap: Int64 = 60 * Period.minute

    let detection = ProblemDetection()
    private var minutes: [Int64: Minute] = [:]
    /// The start of the next minute to judge (nil until something arrives).
    private var next: Int64?

    init(resuming rows: [ProblemRow], nextID: Int64) {
        detection.tracker.restore(rows, nextID: nextID)
    }

    private mutating func at(_ nanos: Int64, _ change: (inout Minute) -> Void) {
        let start = Period.start(of: nanos, length: Period.minute)
        if let next, start < next { return }  // judged already
        if next == nil { next = start }
        change(&minutes[start, default: Minute()])
    }

    mutating func span(_ s: ReceivedSpan, serviceName: String) {
        let kind = SpanKind(otlpNumber: s.kind)
        let duration = Double(max(0, s.endNanos - s.startNanos)) / 1e6
        let error = SpanStatus(code: s.statusCode) == .error
        if kind == .server && s.name == PipelineNames.paymentsRequestSpan {
            let status = s.attributes.httpStatusCode ?? (error ? 500 : 202)
            at(s.endNanos) { m in
                m.apiCount += 1
                if status >= 500 { m.api5xx += 1 }
                if status == 429 { m.api429 += 1 }
                m.apiDurations.append(duration)
            }
            return
        }
        guard let f = FunctionName(rawValue: serviceName) ?? FunctionName(deployedName: serviceName) else { return }
        switch kind {
        case .server, .consumer:
            at(s.endNanos) { m in
                m.invocations[f, default: 0] += 1
                if error { m.errors[f, default: 0] += 1 }
                m.durations[f, default: []].append(duration)
            }
        case .client where f == .executor:
            guard let status = s.attributes.httpStatusCode else { return }
            at(s.endNanos) { m in
                m.pspCalls += 1
                if status >= 500 { m.psp5xx += 1 }
                m.pspDurations.append(duration)
            }
        default:
            break
        }
    }

    mutating func slo(_ e: ReceivedSlos.Event) {
        at(e.at) { m in
            m.valid[e.slo, default: 0] += 1
            if e.good { m.good[e.slo, default: 0] += 1 }
        }
    }

    /// A checkout's end: settled, or failed (not a business decline: conversion counts
    /// what the pipeline lost).
    mutating func checkoutEnded(settled: Bool, at time: Int64) {
        at(time) { m in if settled { m.settled += 1 } else { m.failed += 1 } }
    }

    /// Judges every minute that ended `lateness` before `newest`; the problems changed.
    mutating func judge(through newest: Int64) -> [ProblemRow] {
        guard let start = next else { return [] }
        // Minutes starting before `end` have ended `lateness` ago.
        let end = Period.start(of: newest - Self.lateness, length: Period.minute)
        guard end > start else { return [] }
        if end - start > Self.longestGap {
            // After a long gap only the minutes that hold something are judged.
            for s in minutes.keys.filter({ $0 < end }).sorted() { judgeMinute(s) }
        } else {
            for s in stride(from: start, to: end, by: Int(Period.minute)) { judgeMinute(s) }
        }
        next = end
        return detection.drain()
    }

    private mutating func judgeMinute(_ start: Int64) {
        let m = minutes.removeValue(forKey: start) ?? Minute()
        var f = MinuteFigures(start: start)
        for fn in FunctionName.allCases {
            let inv = m.invocations[fn] ?? 0
            f.functionErrors[fn] = MinuteFigures.Rate(events: m.errors[fn] ?? 0, total: inv)
            f.functionLatency[fn] = Self.latency(m.durations[fn] ?? [])
        }
        f.api5xx = MinuteFigures.Rate(events: m.api5xx, total: m.apiCount)
        f.api429 = MinuteFigures.Rate(events: m.api429, total: m.apiCount)
        f.apiLatency = Self.latency(m.apiDurations)
        f.pspErrors = MinuteFigures.Rate(events: m.psp5xx, total: m.pspCalls)
        f.pspCalls = m.pspCalls
        f.pspLatency = Self.latency(m.pspDurations)
        f.conversion = MinuteFigures.Rate(events: m.settled, total: m.settled + m.failed)
        for (slo, valid) in m.valid { f.slo[slo] = MinuteFigures.Rate(events: valid - (m.good[slo] ?? 0), total: valid) }
        detection.minute(f)
    }

    /// The nearest-rank p95 of a minute's durations (ms).
    static func latency(_ durations: [Double]) -> MinuteFigures.Latency? {
        guard !durations.isEmpty else { return nil }
        let sorted = durations.sorted()
        let rank = Int((0.95 * Double(sorted.count)).rounded(.up)) - 1
        return MinuteFigures.Latency(count: sorted.count, p95: sorted[max(0, min(sorted.count - 1, rank))])
    }
}
