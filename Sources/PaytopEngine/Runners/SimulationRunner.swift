import PaytopVocabulary

/// Runs an engine on simulated time: events back to back, as fast as the CPU allows,
/// until `checkouts` have arrived and every accepted one is done or dead-lettered. A run
/// that completes ends as the PSP's day would: its last settlement batch closes and the
/// reconciliation job runs on it.
public enum SimulationRunner {
    public struct Result: Sendable {
        public var checkoutsGenerated: Int
        public var events: Int
        public var engineStart: EngineTime
        public var engineEnd: EngineTime
        public var wallSeconds: Double
        public var rowsCommitted: Int
        /// False if the run stopped before traffic ended (for example, paused by a
        /// scenario with nothing left to do).
        public var completed: Bool
    }

    /// `progress` is called every few thousand events with the checkouts generated so far.
    public static func run(_ engine: Engine, checkouts: Int, progress: ((Int) -> Void)? = nil) throws -> Result {
        engine.limitTraffic(to: engine.traffic.generated + checkouts)
        let start = ContinuousClock.now
        let engineStart = engine.now
        var events = 0
        while !engine.isQuiescent && !engine.onlyBackOfficeEventsPending {
            guard try engine.step(notAfter: EngineTime(nanos: .max)) else { break }
            events += 1
            if events & 0xFFF == 0 { progress?(engine.traffic.generated) }
        }
        if engine.isQuiescent {
            try engine.closeSettlementBatch(final: true)
            try engine.reconcile(source: "simulation end")
        }
        try engine.waitForCommits()
        progress?(engine.traffic.generated)
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(checkoutsGenerated: engine.traffic.generated, events: events, engineStart: engineStart,
                      engineEnd: engine.now, wallSeconds: wall, rowsCommitted: engine.rowsCommitted,
                      completed: engine.isQuiescent)
    }
}
