import Foundation
import Testing
@testable import PaytopEngine
@testable import PaytopStore
import PaytopVocabulary

/// Experiments (docs/experiments.md): each verdict on a purpose-built experiment, a stop
/// condition aborting within one interval with its rollback in control_event, the same
/// seed giving the same report, and bad files refused with the key and the reason.
@Suite struct ExperimentTests {
    /// An experiment at 20 checkouts/s (enough for a 5-minute burn rate by 2m): the hypothesis,
    /// one method action at 2m, a stop condition.
    static func experiment(probes: String, after: String = "3m", method: String, stop: String = "") throws -> Experiment {
        try Experiment.parse("""
            name = "test"
            [settings]
            rate_per_second = 20.0
            [hypothesis]
            title = "test hypothesis"
            after = "\(after)"
            \(probes)
            \(method)
            \(stop)
            [[rollback]]
            command = "fault"
            kind = "clear"
            """)
    }

    static let settlesAndNoDeadLetters = """
        [[hypothesis.probe]]
        name = "settlement burn"
        probe = "slo.burn_rate"
        slo = "settlement"
        window = "5m"
        tolerance = { max = 1.0 }
        [[hypothesis.probe]]
        probe = "queue.visible"
        queue = "payment-execution-queue-dlq"
        tolerance = { max = 0 }
        [[hypothesis.probe]]
        probe = "money.invariants"
        tolerance = { min = 1 }
        """

    func run(_ e: Experiment, seed: UInt64 = 3) throws -> (ExperimentReport, TempStore) {
        let store = TempStore()
        return (try ExperimentRunner.run(e, seed: seed, storePath: store.path), store)
    }

    @Test func declinesAreBusinessOutcomesSoTheHypothesisHolds() throws {
        // A decline surge for 3 minutes: settlement and dead letters are untouched.
        let e = try Self.experiment(probes: Self.settlesAndNoDeadLetters, method: """
            [[method]]
            at = "2m"
            duration = "3m"
            command = "fault"
            kind = "psp-declines"
            """)
        let (r, store) = try run(e)
        #expect(r.verdict == .completed, "\(r.probes.map { ($0.check.name, $0.before, $0.during, $0.after) })")
        // Before at 2m, during every minute until the after check 3 minutes past the method's end (5 ticks).
        #expect(r.probes.allSatisfy { $0.before?.ok == true && $0.during.count == 5 && $0.after?.ok == true })
        #expect(r.timeline.map(\.source) == [.method, .undo, .rollback])
        #expect(r.timeline[1].at - r.timeline[0].at == Span.minutes(3))
        // The run's commands are the store's control events, in order, between its start and end marks.
        let events = try store.rows("SELECT command, coalesce(json_extract(args, '$.kind'), json_extract(args, '$.action')), json_extract(args, '$.on'), source FROM control_event ORDER BY id")
        #expect(events == [["experiment", "start", "NULL", "experiment"], ["fault", "psp-declines", "1", "experiment"], ["fault", "psp-declines", "0", "experiment"],
                           ["fault", "clear", "NULL", "experiment"], ["experiment", "end", "NULL", "experiment"]])
    }

    @Test func aPspLatencySpikeDeviatesAndTheSameSeedGivesTheSameReport() throws {
        let e = try Self.experiment(probes: Self.settlesAndNoDeadLetters, method: """
            [[method]]
            at = "2m"
            duration = "4m"
            command = "fault"
            kind = "psp-latency"
            """)
        let (r, _) = try run(e)
        #expect(r.verdict == .deviated)
        let burn = r.probes[0]
        #expect(burn.before?.ok == true && burn.during.contains { !$0.ok }, "\(burn.during)")
        // Detected: the engine's detectors opened a problem after the fault, with the fault ranked first.
        let d = try #require(r.detected)
        #expect(d.after > 0 && d.after <= Span.minutes(5) && d.topCause?.contains("PSP latency") == true, "\(d)")
        #expect(r.impact.checkouts > 0 && r.impact.delayed > 0)
        let (again, _) = try run(e)
        #expect(again.verdict == r.verdict && again.probes.map(\.during) == r.probes.map(\.during) && again.timeline == r.timeline
                && again.impact == r.impact && again.detected == r.detected)
    }

    @Test func aStopConditionAbortsWithinOneIntervalAndTheRollbackRunsAtOnce() throws {
        // An outage; stop once the settlement SLO burns more than 10× (minutes into it).
        let e = try Self.experiment(probes: Self.settlesAndNoDeadLetters, after: "10m", method: """
            [[method]]
            at = "2m"
            command = "fault"
            kind = "psp-outage"
            """, stop: """
            [[stop_condition]]
            probe = "slo.burn_rate"
            slo = "settlement"
            window = "5m"
            above = 10
            """)
        let (r, store) = try run(e)
        #expect(r.verdict == .aborted)
        let stop = try #require(r.stopped)
        #expect((stop.value ?? 0) > 10 && stop.condition.contains("above 10"))
        // The burn was under 10 at the tick before: the stop came at the first tick past it.
        let burns = r.probes[0].during
        #expect(burns.last.map { ($0.value ?? 0) <= 10 } ?? true, "\(burns)")
        #expect(stop.at == EngineTime.simulationEpoch.nanos + Span.minutes(2) + Int64(burns.count + 1) * Span.minutes(1))
        // The rollback ran at the stop's instant, and the outage is off in the store's events.
        let rollback = try #require(r.timeline.last)
        #expect(rollback.source == .rollback && rollback.at == stop.at && r.endedAt == stop.at && r.probes[0].after == nil)
        #expect(try store.rows("SELECT at, json_extract(args, '$.kind') FROM control_event WHERE command = 'fault' ORDER BY id").last == ["\(stop.at)", "clear"])
        // The run is marked on the engine from its start to its end (the console shows it meanwhile).
        #expect(try store.rows("SELECT at, json_extract(args, '$.action'), summary FROM control_event WHERE command = 'experiment' ORDER BY id")
                == [["\(r.startedAt)", "start", "experiment test started"], ["\(stop.at)", "end", "experiment test ended: aborted"]])
        #expect(try store.rows("SELECT value FROM engine_state WHERE key = 'experiment'") == [["null"]])
    }

    /// The `experiment` command as a running engine takes it: one experiment at a time, an
    /// abort only while one runs, a runner gone for good forgotten.
    @Test func anEngineHoldsOneExperimentAtATimeAndForgetsOneWhoseRunnerIsGone() throws {
        let store = TempStore()
        let engine = try makeEngine(store, EngineSettings())
        defer { try? engine.close() }
        let t0 = engine.now.nanos
        #expect(throws: ControlCommand.ParseError.self) { try engine.apply(.experiment(.abort)) }
        try engine.apply(.experiment(.start(name: "a", endsAt: t0 + Span.minutes(10))))
        #expect(engine.experiment == ExperimentStatus(name: "a", startedAt: t0, endsAt: t0 + Span.minutes(10)))
        #expect(throws: ControlCommand.ParseError.self) { try engine.apply(.experiment(.start(name: "b", endsAt: t0 + Span.minutes(10)))) }
        #expect(try engine.apply(.experiment(.abort)) == "abort requested: experiment a")
        #expect(engine.experiment?.abortRequested == true)
        #expect(try engine.apply(.experiment(.end(.aborted))) == "experiment a ended: aborted")
        #expect(engine.experiment == nil)
        // A runner that never ended its experiment: five minutes past its end another may start.
        try engine.apply(.experiment(.start(name: "c", endsAt: t0 + Span.minutes(1))))
        engine.advance(to: EngineTime(nanos: t0 + Span.minutes(7)))
        try engine.apply(.experiment(.start(name: "d", endsAt: t0 + Span.minutes(20))))
        #expect(engine.experiment?.name == "d")
        // The command's words round-trip through control_command's name and args.
        for c: ControlCommand in [.experiment(.start(name: "d", endsAt: 1_796_609_710_750_000_000)), .experiment(.abort), .experiment(.end(.deviated))] {
            #expect(try ControlCommand.parse(name: c.name, args: c.args) == c)
        }
        #expect(throws: ControlCommand.ParseError.self) { try ControlCommand.parse(name: "experiment", args: ["action": "end", "verdict": "won"]) }
        #expect(throws: ControlCommand.ParseError.self) { try ControlCommand.parse(name: "experiment", args: ["action": "start", "name": "x", "ends_at_ms": 1.5]) }
    }

    @Test func aHypothesisThatDoesNotHoldBeforeFailsAndTheMethodNeverRuns() throws {
        let e = try Self.experiment(probes: """
            [[hypothesis.probe]]
            name = "an API faster than a millisecond"
            probe = "api.p99_ms"
            window = "1m"
            tolerance = { max = 1 }
            """, method: """
            [[method]]
            at = "2m"
            command = "fault"
            kind = "psp-outage"
            """)
        let (r, store) = try run(e)
        #expect(r.verdict == .failed && r.probes[0].before?.ok == false && r.probes[0].during.isEmpty)
        #expect(r.timeline.map(\.source) == [.rollback] && r.detected == nil)
        #expect(try store.rows("SELECT count(*) FROM control_event WHERE json_extract(args, '$.kind') = 'psp-outage'") == [["0"]])
    }

    @Test(arguments: [
        ("name = \"x\"\nbogus = 1", "unknown key \"bogus\""),
        ("name = \"x\"\n[hypothesis]\ntitle = \"t\"", "hypothesis.probe: at least one"),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"queue.depth\"\ntolerance = { max = 0 }", "hypothesis.probe[0].probe: \"queue.depth\" is not a probe kind"),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"queue.visible\"\nqueue = \"nope\"\ntolerance = { max = 0 }", "hypothesis.probe[0].queue: one of"),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"money.invariants\"\ntolerance = { maxx = 0 }", "tolerance: unknown key \"maxx\""),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"slo.sli\"\nslo = \"settlement\"\nwindow = \"7m\"\ntolerance = { min = 0.9 }", "an SLO's window is one of"),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"money.invariants\"\ntolerance = { min = 1 }", "method: at least one"),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"money.invariants\"\ntolerance = { min = 1 }\n[[method]]\nat = \"2m\"\ncommand = \"fault\"\nkind = \"nope\"", "method[0]: "),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"money.invariants\"\ntolerance = { min = 1 }\n[[method]]\nat = \"30s\"\ncommand = \"fault\"\nkind = \"psp-outage\"", "the first action must come at 1m or later"),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"money.invariants\"\ntolerance = { min = 1 }\n[[method]]\nat = \"2m\"\nduration = \"1m\"\ncommand = \"redrive\"\nqueue = \"payment-execution-queue-dlq\"", "cannot be undone"),
        ("name = \"x\"\n[settings]\nrate_per_secnd = 3.0", "unknown key \"settings.rate_per_secnd\""),
        ("name = \"x\"\n[hypothesis]\n[[hypothesis.probe]]\nprobe = \"money.invariants\"\ntolerance = { min = 1 }\n[[method]]\nat = \"2m\"\ncommand = \"fault\"\nkind = \"psp-outage\"\n[[stop_condition]]\nprobe = \"problems.open\"", "stop_condition[0]: give above, below or both"),
        ("name = [", "line 1"),
    ])
    func badFilesAreRefusedWithTheKeyAndTheReason(_ text: String, _ says: String) {
        do {
            _ = try Experiment.parse(text)
            Issue.record("accepted: \(text)")
        } catch let e as Experiment.LoadError {
            #expect(e.description.contains(says), "\(e.description)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
