import PaytopStore
import PaytopVocabulary

/// Runs an experiment on simulated time (docs/experiments.md): steady traffic from the
/// start; the hypothesis checked just before the method's first action; the method's
/// actions (each undone after its duration; one without stays until the rollbacks); every
/// interval from then on the stop conditions and the hypothesis ("during"); the after
/// check once the method's last action has ended and `after` passed; the rollbacks at once on an abort, else at the end. Probes read the store as
/// the engine has committed it, a second after each check's time (so the minute ending
/// there is closed). Same seed, same report.
public enum ExperimentRunner {
    /// The command that undoes an action after its duration, from the faults and rate
    /// before it; nil for one that cannot be undone.
    public static func undo(_ c: ControlCommand, faults: FaultState, rate previousRate: Double) -> ControlCommand? {
        switch c {
        case .pspOutage(true): return .pspOutage(on: false)
        case .pspLatency(true, let f): return .pspLatency(on: false, factor: f)
        case .pspDeclines(true, let r, let code): return .pspDeclines(on: false, rate: r, code: code)
        case .functionErrors(let f, let r) where r > 0: return .functionErrors(f, rate: 0)
        case .settlementDrift(.some): return .settlementDrift(nil)
        case .pspPartialOutage(let r) where r > 0: return .pspPartialOutage(rate: 0)
        case .hopLatency(let hop, let ms) where ms > 0: return .hopLatency(hop, millis: 0)
        case .functionConcurrency(let f, _): return .functionConcurrency(f, reserved: faults.reservedConcurrency?[f])
        case .visibilityTimeout(let q, _): return .visibilityTimeout(q, seconds: faults.visibilityTimeoutSeconds?[q])
        case .lambdaDelay(let f, let ms, let p) where ms > 0: return .lambdaDelay(f, millis: 0, percentage: p)
        case .dynamoLatency(let t, let ms) where ms > 0: return .dynamoLatency(t, millis: 0)
        case .dynamoThrottle(let t, let r) where r > 0: return .dynamoThrottle(t, rate: 0)
        case .lambdaError(let f, let p, let prevent) where p > 0: return .lambdaError(f, percentage: 0, preventExecution: prevent)
        case .deploy(let s, _, _): return .rollback(s)
        case .rate: return .rate(previousRate)
        case .pause: return .resume
        default: return nil
        }
    }

    public static func run(_ e: Experiment, seed: UInt64, storePath: String) throws -> ExperimentReport {
        var settings = EngineSettings()
        settings.seed = seed
        try e.scenario.apply(to: &settings)
        var options = Engine.Options(storePath: storePath, mode: .simulated, settings: settings)
        options.requireNewStore = true
        let engine = try Engine(options)
        defer { try? engine.close() }
        let target = SimulatedTarget(engine: engine, reader: try Store.openForReading(path: storePath))
        var run = try Run(e, target, seed: seed)
        try run.play()
        return try run.report()
    }

    /// The settings a live run applies to the running engine: only its rate (the others
    /// are the engine's own). The keys it cannot apply are returned for the runner to say.
    public static func liveSettings(_ e: Experiment) -> (rate: Double?, ignored: [String]) {
        let keys = e.scenario.settings.objectValue ?? [:]
        return (keys["rate_per_second"]?.numberValue, keys.keys.filter { $0 != "rate_per_second" }.sorted())
    }

    /// Plays the experiment against the live engine running on the store at `storePath`
    /// (docs/experiments.md, "Live"): its time is the engine's, its commands are control
    /// commands, the console shows it and its `A` aborts it; `interrupted` (a signal) aborts
    /// it the same way. The settings' rate is applied and put back at the end.
    public static func runLive(_ e: Experiment, storePath: String, interrupted: @escaping () -> String?) throws -> ExperimentReport {
        let target: LiveTarget
        do { target = try LiveTarget(path: storePath, interrupted: interrupted) } catch let f as LiveTarget.Failure {
            throw RunFailure(description: f.description)
        }
        var run = try Run(e, target, seed: nil)
        run.setupRate = liveSettings(e).rate
        do {
            try run.play()
            return try run.report()
        } catch {
            // The engine no longer waits on a runner that failed (if it can still hear); an
            // experiment refused at its start is another runner's, and stays.
            if run.marked { _ = try? run.target.apply(.experiment(.end(.aborted))) }
            if let f = error as? LiveTarget.Failure { throw RunFailure(description: f.description) }
            throw error
        }
    }

    /// A live run that could not go on (no engine, the engine stopped, a command left unanswered).
    public struct RunFailure: Error, CustomStringConvertible { public let description: String }

    /// One run's state as it plays.
    struct Run<Target: ExperimentTarget> {
        let e: Experiment
        var target: Target
        /// When the engine took the experiment's start (its clock as committed after it).
        var start: EngineTime
        var out: ExperimentReport
        var reader: Connection { target.reader }
        /// The engine took this run's start (so its end is this run's to mark).
        var marked = false

        init(_ e: Experiment, _ target: Target, seed: UInt64?) throws {
            self.e = e; self.target = target
            start = try target.now()
            out = ExperimentReport(name: e.name, verdict: .completed, seed: seed, startedAt: start.nanos, endedAt: start.nanos,
                                   stopped: nil, probes: e.hypothesis.map { ExperimentReport.ProbeResult(check: $0) }, timeline: [],
                                   impact: .init(), detected: nil)
        }

        /// Runs the engine to `offset` from the start and commits; true when it was told to stop on the way.
        mutating func runTo(_ offset: Nanos) throws -> Bool {
            guard let why = try target.run(to: start + offset) else { return false }
            out.stopped = .init(at: try target.now().nanos, condition: why, value: nil)
            out.verdict = .aborted
            return true
        }

        mutating func apply(_ c: ControlCommand, _ source: ExperimentReport.Step.Source) throws {
            let summary = try target.apply(c)
            out.timeline.append(.init(at: try target.now().nanos, source: source, command: c, summary: summary))
        }

        /// Every check's reading now.
        func readings() throws -> [ExperimentReport.Reading] {
            let at = try target.now().nanos
            return try e.hypothesis.map { check in
                let v = try check.probe.measure(reader)
                return ExperimentReport.Reading(at: at, value: v, ok: check.tolerance.holds(v))
            }
        }

        mutating func play() throws {
            let answer = try target.apply(.experiment(.start(name: e.name, endsAt: (start + e.end).nanos)))
            if answer.hasPrefix("rejected: ") { throw RunFailure(description: String(answer.dropFirst(10))) }
            self.marked = true
            start = try target.now()
            out.startedAt = start.nanos
            if let r = setupRate, case let (rate, _) = try target.current(), r != rate {
                try apply(.rate(r), .setup)
                restoreRate = rate
            }
            // Before: just before the first action.
            if try runTo(e.methodStart) { return try finish() }
            let before = try readings()
            for (i, r) in before.enumerated() { out.probes[i].before = r }
            guard before.allSatisfy(\.ok) else {
                out.verdict = .failed
                return try finish()
            }
            // The method: its actions and undos, the interval's checks, in time order.
            var pending: [(at: Nanos, order: Int, act: ControlCommand?, source: ExperimentReport.Step.Source, index: Int)] = []
            for (i, a) in e.method.enumerated() { pending.append((a.at, 1, a.command, .method, i)) }
            var tick = e.methodStart + e.interval
            while tick < e.end { pending.append((tick, 0, nil, .method, -1)); tick += e.interval }
            pending.sort { ($0.at, $0.order, $0.index) < ($1.at, $1.order, $1.index) }
            var deviated = false
            var i = 0
            while i < pending.count {
                let p = pending[i]
                if try runTo(p.at) { return try finish() }
                if let command = p.act {
                    let (rate, faults) = try target.current()
                    try apply(command, p.source)
                    if p.source == .method, let d = e.method[p.index].duration,
                       let back = ExperimentRunner.undo(command, faults: faults, rate: rate) {
                        // Its undo joins the queue at its time (before a check at the same instant).
                        let at = p.at + d
                        let j = pending[(i + 1)...].firstIndex { ($0.at, $0.order) > (at, 0) } ?? pending.count
                        pending.insert((at, -1, back, .undo, p.index), at: j)
                    }
                } else {
                    // An interval's tick: the stop conditions, then the hypothesis.
                    for s in e.stopConditions {
                        let v = try s.probe.measure(reader)
                        guard s.breached(v) else { continue }
                        out.stopped = .init(at: try target.now().nanos, condition: "\(s.name) \(s.text)", value: v)
                        out.verdict = .aborted
                        return try finish()
                    }
                    let r = try readings()
                    for (k, x) in r.enumerated() { out.probes[k].during.append(x) }
                    if r.contains(where: { !$0.ok }) { deviated = true }
                }
                i += 1
            }
            // After: the method over and `after` passed.
            if try runTo(e.end) { return try finish() }
            let after = try readings()
            for (k, x) in after.enumerated() { out.probes[k].after = x }
            if deviated || after.contains(where: { !$0.ok }) { out.verdict = .deviated }
            try finish()
        }

        /// The rate a live run sets before it starts, and the engine's own, to put back at the end.
        var setupRate: Double?, restoreRate: Double?

        /// The rollbacks (on an abort at once, else at the end), committed; a live rate put
        /// back; the experiment's end marked on the engine.
        mutating func finish() throws {
            for c in e.rollbacks { try apply(c, .rollback) }
            if let r = restoreRate { try apply(.rate(r), .undo) }
            _ = try target.apply(.experiment(.end(out.verdict)))
            try target.settle()
            out.endedAt = try target.now().nanos
        }

        /// The impact from the method's start to the end, and the first problem opened after it started.
        func report() throws -> ExperimentReport {
            var r = out
            let from = (start + e.methodStart).nanos
            r.impact = try ProblemAnalysis.impact(reader, from: from, to: out.endedAt)
            if out.verdict != .failed,
               let p = try ProblemBook.list(reader).filter({ $0.openedAt >= from }).min(by: { ($0.openedAt, $0.id) < ($1.openedAt, $1.id) }) {
                let cause = try ProblemAnalysis.one(reader, id: p.id)?.causes.first
                r.detected = .init(problemID: p.id, title: p.title, openedAt: p.openedAt, after: p.openedAt - from, topCause: cause?.evidence)
            }
            return r
        }
    }
}
