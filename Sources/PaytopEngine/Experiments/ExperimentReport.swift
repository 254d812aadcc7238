import PaytopStore
import PaytopVocabulary

/// What an experiment run found (docs/experiments.md): its verdict as Chaos Toolkit decides
/// it, the timeline, every probe's values before, during and after, the stop, the impact
/// and whether paytop's detectors opened a problem for it.
public struct ExperimentReport: Sendable {
    public typealias Verdict = ExperimentVerdict

    public struct Reading: Sendable, Equatable {
        public var at: Int64
        public var value: Double?
        public var ok: Bool
    }

    public struct ProbeResult: Sendable {
        public var check: Experiment.Check
        public var before: Reading?
        public var during: [Reading] = []
        public var after: Reading?
    }

    public struct Stop: Sendable, Equatable {
        public var at: Int64
        public var condition: String
        public var value: Double?
    }

    /// A control command the run applied: the method's, an undo, a rollback.
    public struct Step: Sendable, Equatable {
        /// `setup`: a live run's settings applied to the running engine.
        public enum Source: String, Sendable { case setup, method, undo, rollback }
        public var at: Int64
        public var source: Source
        public var command: ControlCommand
        public var summary: String
    }

    public struct Detection: Sendable, Equatable {
        public var problemID: Int64
        public var title: String
        public var openedAt: Int64
        /// From the method's first action to the problem's opening, ns.
        public var after: Int64
        /// The cause its analysis ranks first, in words.
        public var topCause: String?
    }

    public var name: String
    public var verdict: Verdict
    /// The engine's seed; nil for a live run (the running engine's own).
    public var seed: UInt64?
    public var startedAt: Int64
    public var endedAt: Int64
    public var stopped: Stop?
    public var probes: [ProbeResult]
    public var timeline: [Step]
    /// The affected checkouts from the method's start to the end, as a problem's impact counts them.
    public var impact: ProblemAnalysis.Impact
    public var detected: Detection?
}
