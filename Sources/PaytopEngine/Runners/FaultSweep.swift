import Foundation
import PaytopStore
import PaytopVocabulary

/// A fault sweep, as TigerBeetle's VOPR does it: each seed draws its own mix of faults
/// from the PRNG — PSP outage windows, latency spikes, decline surges, function error
/// rates, duplicate delivery, a bad release and its rollback, a crash at a random commit
/// followed by a resume — runs it on a fresh store, and checks every invariant and that
/// no acknowledged checkout was lost. The same seed replays the same run exactly.
public enum FaultSweep {
    /// What one seed exercises.
    public struct Plan: Sendable, Equatable {
        public var seed: UInt64
        public var settings: EngineSettings
        public var timeline: [TimelineAction]
        /// The writer dies after this many commits; the run resumes on the same store.
        public var crashAfterCommits: Int?
        /// The faults the plan holds, by name (for the summary).
        public var faults: [String]
    }

    /// Every fault kind a plan can hold, in the order the summary lists them.
    public static let faultKinds = ["psp-outage", "psp-latency", "psp-declines", "function-errors", "duplicates",
                                    "bad-release", "settlement-drift", "crash-and-resume", "psp-partial-outage", "hop-latency",
                                    "function-concurrency", "visibility-timeout", "lambda-error", "lambda-delay",
                                    "dynamodb-latency", "poison-message", "dynamodb-throttle"]

    public static func plan(seed: UInt64) -> Plan {
        var r = SeededRandom(seed: seed ^ 0x5EED_5EE9_0000_0000)
        var settings = EngineSettings()
        settings.seed = seed
        settings.ratePerSecond = Double(r.int(in: 5...40))
        settings.errorMix = r.chance(0.5)
        settings.eventSource.initialConcurrency = Int(r.int(in: 1...5))
        var timeline: [TimelineAction] = []
        var faults: [String] = []
        func seconds(_ lo: Int64, _ hi: Int64) -> Nanos { Span.seconds(Int64(r.int(in: lo...hi))) }
        func window(_ on: ControlCommand, _ off: ControlCommand) {
            let start = seconds(1, 30)
            timeline.append(TimelineAction(at: start, command: on))
            timeline.append(TimelineAction(at: start + seconds(5, 60), command: off))
        }
        if r.chance(0.5) {
            faults.append("psp-outage")
            window(.pspOutage(on: true), .pspOutage(on: false))
        }
        if r.chance(0.4) {
            faults.append("psp-latency")
            let factor = Double(r.int(in: 20...200))
            window(.pspLatency(on: true, factor: factor), .pspLatency(on: false, factor: factor))
        }
        if r.chance(0.4) {
            faults.append("psp-declines")
            let rate = Double(r.int(in: 10...70)) / 100, code = r.pick(DeclineCode.all)
            window(.pspDeclines(on: true, rate: rate, code: code), .pspDeclines(on: false, rate: rate, code: code))
        }
        if r.chance(0.4) {
            faults.append("function-errors")
            let f = r.pick(FunctionName.pipelineOrder)
            window(.functionErrors(f, rate: Double(r.int(in: 5...50)) / 100), .functionErrors(f, rate: 0))
        }
        if r.chance(0.5) {
            faults.append("duplicates")
            settings.duplicateDeliveryProbability = Double(r.int(in: 1...30)) / 100
        }
        if r.chance(0.3) {
            faults.append("bad-release")
            let f = r.pick(FunctionName.pipelineOrder)
            let regression: Release.Regression = r.chance(0.5) ? .errors : .latency
            window(.deploy(service: f, version: "9.9.\(r.int(in: 0...9))", regression: regression), .rollback(f))
        }
        if r.chance(0.5) {
            // Short settlement intervals, so a run of a few hundred checkouts closes and
            // reconciles several batches, and the PSP drifting in some of its ways (late
            // lines among them) while the other faults run.
            faults.append("settlement-drift")
            let interval = r.pick([30, 60, 120, 300])
            settings.settlementInterval = "\(interval)s"
            settings.settlementLag = "\(r.pick([0, 5, 20].filter { $0 < interval }))s"
            settings.reconcileAfter = "\(r.pick([1, 10, 25].filter { $0 < interval }))s"
            var kinds = SettlementDriftKind.allCases.filter { _ in r.chance(0.6) }
            if kinds.isEmpty { kinds = [r.pick(SettlementDriftKind.allCases)] }
            let drift = SettlementDrift(kinds: kinds, rate: Double(r.int(in: 2...15)) / 100)
            window(.settlementDrift(drift), .settlementDrift(nil))
        }
        var crash: Int?
        if r.chance(0.5) {
            faults.append("crash-and-resume")
            crash = Int(r.int(in: 1...6))
        }
        // The rehearsal faults (docs/experiments.md), drawn after the others so each seed's
        // earlier draws stay what they were.
        if r.chance(0.3) {
            faults.append("psp-partial-outage")
            window(.pspPartialOutage(rate: Double(r.int(in: 5...60)) / 100), .pspPartialOutage(rate: 0))
        }
        if r.chance(0.3) {
            faults.append("hop-latency")
            let hop = r.pick(NetworkHop.allCases), ms = Double(r.int(in: 50...40_000))
            window(.hopLatency(hop, millis: ms), .hopLatency(hop, millis: 0))
        }
        if r.chance(0.3) {
            faults.append("function-concurrency")
            let f = r.pick(FunctionName.pipelineOrder)
            window(.functionConcurrency(f, reserved: Int(r.int(in: 0...3))), .functionConcurrency(f, reserved: nil))
        }
        if r.chance(0.3) {
            faults.append("visibility-timeout")
            let q = r.pick([QueueName.execution, .results])
            window(.visibilityTimeout(q, seconds: Double(r.int(in: 1...20))), .visibilityTimeout(q, seconds: nil))
        }
        if r.chance(0.3) {
            faults.append("lambda-error")
            let f = r.pick(FunctionName.pipelineOrder), prevent = r.chance(0.5)
            window(.lambdaError(f, percentage: Double(r.int(in: 10...100)), preventExecution: prevent),
                   .lambdaError(f, percentage: 0, preventExecution: prevent))
        }
        if r.chance(0.3) {
            faults.append("lambda-delay")
            let f = r.pick(FunctionName.pipelineOrder), p = Double(r.int(in: 10...100))
            window(.lambdaDelay(f, millis: Double(r.int(in: 100...40_000)), percentage: p), .lambdaDelay(f, millis: 0, percentage: p))
        }
        if r.chance(0.3) {
            faults.append("dynamodb-latency")
            let t = r.pick(DynamoTable.allCases)
            window(.dynamoLatency(t, millis: Double(r.int(in: 5...40_000))), .dynamoLatency(t, millis: 0))
        }
        if r.chance(0.3) {
            faults.append("poison-message")
            timeline.append(TimelineAction(at: seconds(1, 60), command: .poisonMessage(r.pick([QueueName.execution, .results]))))
        }
        if r.chance(0.3) {
            faults.append("dynamodb-throttle")
            let t = r.pick(DynamoTable.allCases)
            window(.dynamoThrottle(t, rate: Double(r.int(in: 5...100)) / 100), .dynamoThrottle(t, rate: 0))
        }
        // Then everything is cleared and the dead letters redriven, so every checkout ends.
        timeline.append(TimelineAction(at: Span.seconds(Int64(150)), command: .clearFaults))
        timeline.append(TimelineAction(at: Span.seconds(Int64(160)), command: .redrive(.executionDLQ)))
        timeline.append(TimelineAction(at: Span.seconds(Int64(160)), command: .redrive(.resultsDLQ)))
        timeline.sort { $0.at < $1.at }
        return Plan(seed: seed, settings: settings, timeline: timeline, crashAfterCommits: crash, faults: faults)
    }

    public struct Outcome: Sendable {
        public var plan: Plan
        public var report: InvariantReport
        /// Checkouts acknowledged (202, committed) before a crash that the store lost.
        public var lostAcknowledged: [String]
        public var crashed: Bool
        public var isClean: Bool { report.isClean && lostAcknowledged.isEmpty }
    }

    /// Runs one seed's plan on a new store at `storePath`. `plant` spoils a wallet
    /// balance afterwards (a test hook: the sweep must report it).
    public static func run(seed: UInt64, checkouts: Int, storePath: String, plant: Bool = false) throws -> Outcome {
        let plan = plan(seed: seed)
        var scenario = Scenario(name: "sweep-\(seed)", description: "", settings: .object([:]), timeline: plan.timeline)
        var options = Engine.Options(storePath: storePath, mode: .simulated, settings: plan.settings, scenario: scenario)
        options.requireNewStore = true
        options.crashAfterCommits = plan.crashAfterCommits
        if plan.crashAfterCommits != nil { options.flushThreshold = 300 }
        let engine = try Engine(options)
        var acknowledged: [String] = []
        engine.onAcknowledged = { acknowledged.append($0) }
        var crashed = false
        do {
            _ = try SimulationRunner.run(engine, checkouts: checkouts)
            try engine.close()
        } catch is StoreWriter.SimulatedCrash {
            crashed = true
            engine.deliverCommittedResponses()
        }
        var lost: [String] = []
        if crashed {
            let reader = try Store.openForReading(path: storePath)
            lost = try acknowledged.filter { try CheckoutLookup.requestHash(reader, checkoutID: $0) == nil }
            // The resumed engine plays what is left of the timeline from the stored clock.
            let stored = try StoredEngineState.load(reader)
            let elapsed = EngineTime(nanos: stored.clock) - EngineTime.simulationEpoch
            let generated = stored.traffic?.generated ?? 0
            var resumeOptions = Engine.Options(storePath: storePath, mode: .simulated, settings: plan.settings)
            scenario.timeline = plan.timeline.filter { $0.at > elapsed }.map { TimelineAction(at: $0.at - elapsed, command: $0.command) }
            resumeOptions.scenario = scenario
            let resumed = try Engine(resumeOptions)
            _ = try SimulationRunner.run(resumed, checkouts: max(0, checkouts - generated))
            try resumed.close()
        }
        if plant { try StoreTestHooks.spoilOneWalletBalance(path: storePath) }
        let report = try InvariantCheck.run(try Store.openForReading(path: storePath))
        return Outcome(plan: plan, report: report, lostAcknowledged: lost, crashed: crashed)
    }
}
