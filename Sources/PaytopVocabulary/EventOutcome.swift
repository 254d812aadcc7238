/// A business event's outcome: the seed's words (SUCCESS, FAILURE, REJECTED, VALIDATED,
/// QUEUED, RECEIVED). Received events may carry others, kept as sent.
public struct EventOutcome: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let success = EventOutcome(rawValue: "SUCCESS")
    public static let failure = EventOutcome(rawValue: "FAILURE")
    public static let rejected = EventOutcome(rawValue: "REJECTED")
    public static let validated = EventOutcome(rawValue: "VALIDATED")
    public static let queued = EventOutcome(rawValue: "QUEUED")
    public static let received = EventOutcome(rawValue: "RECEIVED")
    /// A received event that named no outcome.
    public static let unknown = EventOutcome(rawValue: "UNKNOWN")

    /// Something went wrong for the checkout (a log shipper's WARNING).
    public var isFailure: Bool { self == .failure || self == .rejected }
    public var description: String { rawValue }
}

/// Why a checkout or order failed, as the seed's events class it: TECHNICAL (the pipeline
/// or the PSP broke), BUSINESS (a decline), VALIDATION (a bad request). Received events
/// may carry others, kept as sent.
public struct ErrorCategory: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let technical = ErrorCategory(rawValue: "TECHNICAL")
    public static let business = ErrorCategory(rawValue: "BUSINESS")
    public static let validation = ErrorCategory(rawValue: "VALIDATION")
    public var description: String { rawValue }
}
