/// Every number the detectors judge by; docs/problems.md gives each its reason.
public struct DetectorThresholds: Sendable, Equatable {
    /// A rate (errors per invocation, 5xx per call): past max(floor, factor × baseline,
    /// baseline + margin), with at least `minEvents` of `minTotal`.
    public struct RateRule: Sendable, Equatable {
        public var floor: Double
        public var factor: Double
        public var margin: Double
        public var minEvents: Int
        public var minTotal: Int
    }

    public struct LatencyRule: Sendable, Equatable {
        public var factor: Double
        /// Milliseconds above the baseline, at least.
        public var margin: Double
        public var minTotal: Int
    }

    public struct BacklogRule: Sendable, Equatable {
        /// Visible messages: past max(floorMessages, factor × baseline median)…
        public var floorMessages: Int
        public var factor: Double
        /// …while the oldest is older than this.
        public var floorSeconds: Double
    }

    public struct ConversionRule: Sendable, Equatable {
        /// Points (as a share) below the baseline.
        public var drop: Double
        public var minTotal: Int
    }

    public struct BurnRule: Sendable, Equatable {
        public var rate: Double
        public var minValid: Int
    }

    public var functionErrors: RateRule
    public var pspErrors: RateRule
    public var api5xx: RateRule
    public var declines: RateRule
    public var throttling: RateRule
    public var latency: LatencyRule
    public var backlog: BacklogRule
    public var conversion: ConversionRule
    public var burn: BurnRule
    public var dlqAgeSeconds: Double
    /// k of n: a signal fires when `sustainMinutes` of the last `sustainOf` minutes violate.
    public var sustainMinutes: Int
    public var sustainOf: Int
    /// Normal minutes a baseline keeps, and needs before a median baseline judges.
    public var baselineMinutes: Int
    public var baselineWarmup: Int
    /// A problem closes after this many minutes with every signal normal…
    public var closeAfterMinutes: Int
    /// …reopens when one of its signals fires again within this many minutes of closing…
    public var reopenWithinMinutes: Int
    /// …and a new signal on its path joins it while one of its signals (other than dead
    /// letters) violated at most `joinWithinMinutes` ago and it opened at most
    /// `mergeForMinutes` ago.
    public var joinWithinMinutes: Int
    public var mergeForMinutes: Int

    public static let standard = DetectorThresholds(
        functionErrors: RateRule(floor: 0.015, factor: 3, margin: 0.01, minEvents: 5, minTotal: 20),
        pspErrors: RateRule(floor: 0.05, factor: 3, margin: 0.05, minEvents: 5, minTotal: 20),
        api5xx: RateRule(floor: 0.02, factor: 3, margin: 0.02, minEvents: 5, minTotal: 50),
        declines: RateRule(floor: 0.08, factor: 3, margin: 0.08, minEvents: 10, minTotal: 50),
        throttling: RateRule(floor: 0.02, factor: 3, margin: 0.02, minEvents: 10, minTotal: 50),
        latency: LatencyRule(factor: 2, margin: 250, minTotal: 20),
        backlog: BacklogRule(floorMessages: 50, factor: 3, floorSeconds: 60),
        conversion: ConversionRule(drop: 0.10, minTotal: 50),
        burn: BurnRule(rate: 14.4, minValid: 50),
        dlqAgeSeconds: 900,
        sustainMinutes: 2, sustainOf: 3,
        baselineMinutes: 30, baselineWarmup: 2,
        closeAfterMinutes: 5, reopenWithinMinutes: 30, joinWithinMinutes: 5, mergeForMinutes: 90)
}
