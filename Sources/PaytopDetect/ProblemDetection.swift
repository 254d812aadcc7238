import PaytopStore
import PaytopVocabulary

/// The detectors and the problem tracker of one store-writing process (the engine, or a
/// receiver): fed each minute of engine time as it closes, drained into the next write.
public final class ProblemDetection {
    public let detectors: SignalDetectors
    public let tracker: ProblemTracker
    /// Minutes judged so far.
    public private(set) var minutes = 0

    public init(thresholds: DetectorThresholds = .standard, sloTargets: [SloName: Double] = ProblemDetection.seedTargets) {
        detectors = SignalDetectors(thresholds: thresholds, sloTargets: sloTargets)
        tracker = ProblemTracker(thresholds: thresholds)
    }

    /// The seed's SLO targets (`SloDefinition.defaults`).
    public static let seedTargets: [SloName: Double] = Dictionary(uniqueKeysWithValues: SloDefinition.defaults.compactMap { d in
        SloName(rawValue: d.name).map { ($0, d.target) }
    })

    /// Judges the minute that starts at `figures.start`.
    public func minute(_ figures: MinuteFigures) {
        let (fired, readings) = detectors.judge(figures)
        tracker.step(minuteEnd: figures.start + 60_000_000_000, fired: fired, readings: readings)
        minutes += 1
    }

    /// The problems changed since the last drain, for the next write batch.
    public func drain() -> [ProblemRow] { tracker.drain() }
}
