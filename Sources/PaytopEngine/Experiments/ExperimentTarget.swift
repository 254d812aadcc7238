import PaytopStore
import PaytopVocabulary

/// What an experiment plays against: an engine in this process on simulated time
/// (`SimulatedTarget`), or a live engine in another process reached through its store's
/// control commands (`LiveTarget`). The runner asks both the same things.
protocol ExperimentTarget {
    /// A reading connection on the engine's store (the probes read it).
    var reader: Connection { get }
    /// The engine's time as committed.
    func now() throws -> EngineTime
    /// Lets the engine run to `t` with everything up to it committed. Returns why the
    /// experiment must stop on the way (an operator's abort, a signal), or nil.
    mutating func run(to t: EngineTime) throws -> String?
    /// Applies a command and returns the engine's summary, or "rejected: why".
    mutating func apply(_ c: ControlCommand) throws -> String
    /// The traffic rate and faults now: what undoing an action returns to.
    func current() throws -> (rate: Double, faults: FaultState)
    /// Commits what has been applied.
    mutating func settle() throws
}

/// An engine this process owns on simulated time: it runs exactly as far as asked.
struct SimulatedTarget: ExperimentTarget {
    let engine: Engine
    let reader: Connection

    func now() -> EngineTime { engine.now }

    mutating func run(to t: EngineTime) throws -> String? {
        while try engine.step(notAfter: t) {}
        engine.advance(to: t)
        try settle()
        return nil
    }

    mutating func apply(_ c: ControlCommand) throws -> String {
        do { return try engine.apply(c, source: "experiment") } catch let e as ControlCommand.ParseError {
            return "rejected: \(e.description)"
        }
    }

    func current() -> (rate: Double, faults: FaultState) { (engine.traffic.ratePerSecond, engine.faults) }

    mutating func settle() throws {
        engine.markStateDirty()
        try engine.waitForCommits()
    }
}
