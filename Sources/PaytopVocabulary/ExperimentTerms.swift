/// What every room says about an experiment (docs/experiments.md): its verdict, and the
/// experiment a running engine is part of (the console's header shows it, counting down,
/// and its abort key asks the runner to stop).

/// An experiment's verdict as Chaos Toolkit decides it.
public enum ExperimentVerdict: String, Sendable, CaseIterable, Codable {
    /// The hypothesis held before and after (and during) the method.
    case completed
    /// It held before, broke during or after.
    case deviated
    /// A stop condition fired (or an operator aborted it): the rollbacks ran at once.
    case aborted
    /// It did not hold before the method, which was not run.
    case failed
}

/// The experiment running against an engine, as the engine keeps it under
/// `engine_state.experiment` (set and cleared by the runner's `experiment` commands).
public struct ExperimentStatus: Codable, Equatable, Sendable {
    public var name: String
    /// Engine time, ns since 1970.
    public var startedAt: Int64
    /// When the runner expects to finish (the method's end and `after`), engine ns.
    public var endsAt: Int64
    /// An operator asked it to stop (the console's `A`, `paytop experiment abort`): the
    /// runner rolls back and ends it.
    public var abortRequested = false

    public init(name: String, startedAt: Int64, endsAt: Int64) {
        self.name = name; self.startedAt = startedAt; self.endsAt = endsAt
    }

    /// A runner that has not ended its experiment this long after it was due has gone
    /// (killed): the engine forgets it, so no header counts down forever.
    public static let staleAfterNanos: Int64 = 5 * 60 * 1_000_000_000

    public func isStale(at now: Int64) -> Bool { now > endsAt + ExperimentStatus.staleAfterNanos }
}

/// The `experiment` control command's actions.
public enum ExperimentSignal: Equatable, Sendable {
    /// A runner starts an experiment lasting until `endsAt` (engine ns).
    case start(name: String, endsAt: Int64)
    /// An operator asks the running experiment to stop (the runner then rolls back).
    case abort
    /// The runner has finished, with its verdict.
    case end(ExperimentVerdict)
}
