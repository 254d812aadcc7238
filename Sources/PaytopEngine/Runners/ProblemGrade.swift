import Foundation
import PaytopStore
import PaytopVocabulary

/// `paytop grade` (docs/problems.md): runs scenarios whose faults the engine records in
/// `control_event`, and scores the problems the detectors opened against that record —
/// recall, time to detect, top-1 and top-3 cause accuracy — and counts the problems a
/// steady day without faults opens.
public enum ProblemGrade {
    /// What a case broke: a fault switched on, a release deployed with a regression, or
    /// traffic raised; from `at` until `until` (engine time since the start).
    public struct Truth: Sendable, Equatable {
        public var kind: CauseKind
        public var fault: String?
        public var function: FunctionName?
        public var at: Nanos
        public var until: Nanos
        public var label: String
    }

    public struct Case: Sendable {
        public var name: String
        public var seed: UInt64
        public var settings: EngineSettings
        public var timeline: [TimelineAction]
        public var truths: [Truth]
        public var checkouts: Int
        /// How to run it again alone.
        public var replay: String
        /// A steady case: no truth, problems counted as false (beside the standing dead-letter one).
        public var steadyHours: Double?
    }

    public struct Scored: Sendable {
        public var name: String
        public var truth: Truth
        public var detected: Bool
        public var timeToDetect: Nanos?
        /// Rank of the first cause matching the truth (nil: none among the causes).
        public var causeRank: Int?
        public var problemTitle: String?
        public var topCause: String?
        public var replay: String
    }

    public struct Report: Sendable {
        public var scored: [Scored] = []
        public var steadyHours = 0.0
        public var falseProblems = 0
        public var falseTitles: [String] = []
        public init() {}
        public var recall: Double { scored.isEmpty ? 0 : Double(scored.filter(\.detected).count) / Double(scored.count) }
        public var detected: [Scored] { scored.filter(\.detected) }
        public func accuracy(at k: Int) -> Double {
            let d = detected
            return d.isEmpty ? 0 : Double(d.filter { ($0.causeRank ?? .max) <= k }.count) / Double(d.count)
        }
        public func ttdQuantile(_ q: Double) -> Double? {
            let t = detected.compactMap(\.timeToDetect).sorted()
            guard !t.isEmpty else { return nil }
            return Double(t[min(t.count - 1, Int((Double(t.count - 1) * q).rounded()))]) / 1e9
        }
        public var falsePerDay: Double { steadyHours > 0 ? Double(falseProblems) / (steadyHours / 24) : 0 }

        /// The scores by what broke (a fault's kind, a release, traffic), in first-seen order.
        public var byFamily: [(family: String, scored: [Scored])] {
            var order: [String] = [], groups: [String: [Scored]] = [:]
            for s in scored {
                let family = s.truth.fault ?? s.truth.kind.rawValue
                if groups[family] == nil { order.append(family) }
                groups[family, default: []].append(s)
            }
            return order.map { ($0, groups[$0]!) }
        }
    }

    /// A library scenario as a case: its faults (switched on), releases with a regression
    /// and traffic raised are its truths, each until its switch-off (or the case's end).
    public static func scenarioCase(_ s: Scenario, path: String, seed: UInt64) throws -> Case {
        var settings = EngineSettings()
        try s.apply(to: &settings)
        settings.seed = seed
        let end = (s.timeline.map(\.at).max() ?? 0) + Span.minutes(10)
        var truths: [Truth] = []
        for (i, a) in s.timeline.enumerated() {
            let offAt = s.timeline[(i + 1)...].first { Self.ends(a.command, $0.command) }?.at ?? end
            if let t = truth(a.command, at: a.at, until: offAt) { truths.append(t) }
        }
        return Case(name: s.name, seed: seed, settings: settings, timeline: s.timeline, truths: truths,
                    checkouts: Int(settings.ratePerSecond * Double(end) / 1e9), replay: "paytop simulate --scenario \(path) --seed \(seed)",
                    steadyHours: nil)
    }

    /// A generated case: one fault from the seed's PRNG, with a confounder — a harmless
    /// deploy shortly before it, or a traffic change while it lasts.
    public static func generatedCase(seed: UInt64) -> Case {
        var r = SeededRandom(seed: seed ^ 0x6AAD_E000_0000_0000)
        var settings = EngineSettings()
        settings.seed = seed
        settings.ratePerSecond = Double(r.int(in: 8...20))
        settings.errorMix = r.chance(0.5)
        let start = Span.minutes(Int64(r.int(in: 4...10)))
        let length = Span.minutes(Int64(r.int(in: 4...10)))
        var timeline: [TimelineAction] = []
        let fault: (ControlCommand, ControlCommand)
        switch r.int(in: 0...13) {
        case 0: fault = (.pspOutage(on: true), .pspOutage(on: false))
        case 1:
            let x = Double(r.int(in: 50...150))
            fault = (.pspLatency(on: true, factor: x), .pspLatency(on: false, factor: x))
        case 2:
            let rate = Double(r.int(in: 25...60)) / 100, code = r.pick(DeclineCode.all)
            fault = (.pspDeclines(on: true, rate: rate, code: code), .pspDeclines(on: false, rate: rate, code: code))
        case 3:
            let f = r.pick([FunctionName.executor, .wallet])
            fault = (.functionErrors(f, rate: Double(r.int(in: 15...50)) / 100), .functionErrors(f, rate: 0))
        case 4, 5:
            let f = FunctionName.executor
            fault = (.deploy(service: f, version: "2.\(r.int(in: 0...9)).0", regression: r.chance(0.5) ? .errors : .latency), .rollback(f))
        // The rehearsal faults (docs/control.md), each at a size that costs SLO budget.
        case 6: fault = (.pspPartialOutage(rate: Double(r.int(in: 20...60)) / 100), .pspPartialOutage(rate: 0))
        case 7:
            let hop = r.pick(NetworkHop.allCases)
            let ms = Double(hop == .apiInitializer ? r.int(in: 500...3_000) : r.int(in: 8_000...25_000))
            fault = (.hopLatency(hop, millis: ms), .hopLatency(hop, millis: 0))
        case 8:
            let f = r.pick([FunctionName.executor, .wallet])
            fault = (.functionConcurrency(f, reserved: Int(r.int(in: 0...1))), .functionConcurrency(f, reserved: nil))
        case 9:
            let f = r.pick([FunctionName.executor, .wallet]), prevent = r.chance(0.5)
            fault = (.lambdaError(f, percentage: Double(r.int(in: 20...60)), preventExecution: prevent), .lambdaError(f, percentage: 0, preventExecution: prevent))
        case 10:
            let f = r.pick(FunctionName.pipelineOrder), p = Double(r.int(in: 50...100))
            fault = (.lambdaDelay(f, millis: Double(r.int(in: 2_000...10_000)), percentage: p), .lambdaDelay(f, millis: 0, percentage: p))
        case 11:
            let t = r.pick([DynamoTable.paymentOrder, .paymentEvent])
            fault = (.dynamoLatency(t, millis: Double(r.int(in: 1_000...5_000))), .dynamoLatency(t, millis: 0))
        case 12:
            let t = r.pick([DynamoTable.paymentOrder, .paymentEvent])
            fault = (.dynamoThrottle(t, rate: Double(r.int(in: 60...80)) / 100), .dynamoThrottle(t, rate: 0))
        default: fault = (.visibilityTimeout(.execution, seconds: 1), .visibilityTimeout(.execution, seconds: nil))
        }
        timeline.append(TimelineAction(at: start, command: fault.0))
        timeline.append(TimelineAction(at: start + length, command: fault.1))
        var confounder = ""
        if r.chance(0.5) {
            let other = r.pick([FunctionName.initializer, .wallet])
            timeline.append(TimelineAction(at: start - Span.seconds(Int64(r.int(in: 30...180))),
                                           command: .deploy(service: other, version: "1.\(r.int(in: 4...9)).0", regression: nil)))
            confounder = " + harmless \(other.rawValue) deploy before"
        } else {
            timeline.append(TimelineAction(at: start + length / 2, command: .rate(settings.ratePerSecond * 1.5)))
            confounder = " + traffic ×1.5 during"
        }
        timeline.sort { $0.at < $1.at }
        let end = start + length + Span.minutes(8)
        let t = truth(fault.0, at: start, until: start + length)!
        return Case(name: "generated-\(seed): \(t.label)\(confounder)", seed: seed, settings: settings, timeline: timeline, truths: [t],
                    checkouts: Int(settings.ratePerSecond * Double(end) / 1e9), replay: "paytop grade --case \(seed)", steadyHours: nil)
    }

    /// Steady traffic with the background error mix, for `hours`.
    public static func steadyCase(seed: UInt64, hours: Double) -> Case {
        var settings = EngineSettings()
        settings.seed = seed
        settings.ratePerSecond = 5
        settings.errorMix = true
        return Case(name: "steady-\(seed)", seed: seed, settings: settings, timeline: [], truths: [],
                    checkouts: Int(5 * hours * 3600), replay: "paytop simulate --scenario sample-data/scenarios/steady.toml --seed \(seed) --checkouts \(Int(5 * hours * 3600))",
                    steadyHours: hours)
    }

    static func truth(_ c: ControlCommand, at: Nanos, until: Nanos) -> Truth? {
        switch c {
        case .pspOutage(true): return Truth(kind: .fault, fault: "psp-outage", at: at, until: until, label: "psp-outage")
        case .pspLatency(true, let x): return Truth(kind: .fault, fault: "psp-latency", at: at, until: until, label: "psp-latency ×\(Int(x))")
        case .pspDeclines(true, let r, let code):
            return Truth(kind: .fault, fault: "psp-declines", at: at, until: until, label: "psp-declines \(Int(r * 100)) % \(code)")
        case .functionErrors(let f, let r) where r > 0:
            return Truth(kind: .fault, fault: "function-errors", function: f, at: at, until: until, label: "\(f.rawValue) errors \(Int(r * 100)) %")
        case .settlementDrift(let d?) where d.rate > 0:
            return Truth(kind: .fault, fault: "settlement-drift", at: at, until: until, label: "settlement-drift")
        case .deploy(let f, let v, let regression?):
            return Truth(kind: .deploy, function: f, at: at, until: until, label: "\(f.rawValue) \(v) with a \(regression.rawValue) regression")
        case .rate(let r) where r >= 100: return Truth(kind: .traffic, at: at, until: until, label: "traffic to \(Int(r))/s")
        case .pspPartialOutage(let r) where r > 0:
            return Truth(kind: .fault, fault: "psp-partial-outage", at: at, until: until, label: "psp-partial-outage \(Int((r * 100).rounded())) %")
        case .hopLatency(let hop, let ms) where ms > 0:
            return Truth(kind: .fault, fault: "hop-latency", at: at, until: until, label: "hop-latency \(hop.rawValue) +\(Int(ms)) ms")
        case .functionConcurrency(let f, let n?):
            return Truth(kind: .fault, fault: "function-concurrency", function: f, at: at, until: until, label: "\(f.rawValue) reserved concurrency \(n)")
        case .visibilityTimeout(let q, let s?):
            return Truth(kind: .fault, fault: "visibility-timeout", at: at, until: until, label: "\(q.rawValue) visibility \(Int(s)) s")
        case .lambdaError(let f, let p, let prevent) where p > 0:
            return Truth(kind: .fault, fault: "lambda-error", function: f, at: at, until: until,
                         label: "\(f.rawValue) invocation errors \(Int(p)) %\(prevent ? " (prevented)" : "")")
        case .lambdaDelay(let f, let ms, let p) where ms > 0:
            return Truth(kind: .fault, fault: "lambda-delay", function: f, at: at, until: until, label: "\(f.rawValue) +\(Int(ms)) ms start (\(Int(p)) %)")
        case .dynamoLatency(let t, let ms) where ms > 0:
            return Truth(kind: .fault, fault: "dynamodb-latency", at: at, until: until, label: "\(t.rawValue) +\(Int(ms)) ms")
        case .dynamoThrottle(let t, let rate) where rate > 0:
            return Truth(kind: .fault, fault: "dynamodb-throttle", at: at, until: until, label: "\(t.rawValue) throttled \(Int((rate * 100).rounded())) %")
        default: return nil
        }
    }

    static func ends(_ on: ControlCommand, _ off: ControlCommand) -> Bool {
        switch (on, off) {
        case (.pspOutage, .pspOutage(false)), (.pspLatency, .pspLatency(false, _)), (.pspDeclines, .pspDeclines(false, _, _)),
             (.settlementDrift, .settlementDrift(nil)), (_, .clearFaults): return true
        case (.functionErrors(let f, _), .functionErrors(let g, let r)): return f == g && r == 0
        case (.deploy(let f, _, _), .rollback(let g)): return f == g
        case (.rate, .rate): return true
        case (.pspPartialOutage, .pspPartialOutage(let r)): return r == 0
        case (.hopLatency(let h, _), .hopLatency(let g, let ms)): return h == g && ms == 0
        case (.functionConcurrency(let f, _), .functionConcurrency(let g, nil)): return f == g
        case (.visibilityTimeout(let q, _), .visibilityTimeout(let p, nil)): return q == p
        case (.lambdaError(let f, _, _), .lambdaError(let g, let p, _)): return f == g && p == 0
        case (.lambdaDelay(let f, _, _), .lambdaDelay(let g, let ms, _)): return f == g && ms == 0
        case (.dynamoLatency(let t, _), .dynamoLatency(let u, let ms)): return t == u && ms == 0
        case (.dynamoThrottle(let t, _), .dynamoThrottle(let u, let r)): return t == u && r == 0
        default: return false
        }
    }

    /// Runs one case on a new store at `storePath` and scores it into `report`.
    public static func run(_ c: Case, storePath: String, into report: inout Report) throws {
        let scenario = Scenario(name: c.name, description: "", settings: .object([:]), timeline: c.timeline)
        var options = Engine.Options(storePath: storePath, mode: .simulated, settings: c.settings, scenario: scenario)
        options.requireNewStore = true
        let engine = try Engine(options)
        _ = try SimulationRunner.run(engine, checkouts: c.checkouts)
        try engine.close()
        let store = try Store.openForReading(path: storePath)
        let problems = try ProblemAnalysis.list(store)
        let epoch = EngineTime.simulationEpoch.nanos
        if let hours = c.steadyHours {
            report.steadyHours += hours
            for p in problems where !p.problem.signals.allSatisfy({ $0.kind == SignalKind.deadLetters.rawValue || $0.kind == SignalKind.dlqAge.rawValue }) {
                report.falseProblems += 1
                report.falseTitles.append("\(c.name): \(p.problem.title)")
            }
            return
        }
        for t in c.truths {
            let at = epoch + t.at, until = epoch + t.until
            // Detected when a problem showed it (its opening, or a later signal joining it);
            // its cause is the best rank among the problems that showed it.
            var detectedAt: Nanos?
            var best: (rank: Int?, problem: ProblemAnalysis)?
            for p in problems {
                let seen = p.problem.signals.filter { $0.firstAt >= at - 60_000_000_000 && $0.firstAt <= until + 300_000_000_000 }
                guard let first = seen.map(\.firstAt).min() else { continue }
                let when = max(p.problem.openedAt, first + 60_000_000_000)
                detectedAt = min(detectedAt ?? when, when)
                let rank = p.causes.first { matches($0, t) }?.rank
                if best == nil || (rank ?? .max) < (best!.rank ?? .max) { best = (rank, p) }
            }
            let s = Scored(name: c.name, truth: t, detected: detectedAt != nil, timeToDetect: detectedAt.map { max(0, $0 - at) },
                           causeRank: best?.rank, problemTitle: best?.problem.problem.title,
                           topCause: best?.problem.causes.first?.evidence, replay: c.replay)
            report.scored.append(s)
        }
    }

    static func matches(_ cause: ProblemAnalysis.Cause, _ t: Truth) -> Bool {
        switch t.kind {
        case .fault: return cause.kind == .fault && cause.fault == t.fault && (t.function == nil || cause.function == t.function)
        case .deploy: return (cause.kind == .deploy || (cause.kind == .attribute && cause.dimension == .release)) && cause.function == t.function
        case .traffic: return cause.kind == .traffic
        default: return false
        }
    }
}
