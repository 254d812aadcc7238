/// The words of the Business view and `paytop business` (DASHBOARD.md tiles 17–25): the
/// funnel's steps, the stage a lost checkout was lost at, and the action each error code
/// asks for. The store's queries and the console both speak them.

/// One step of the checkout funnel, as the seed's dashboard draws it (tile 20): each is a
/// count of one business event (with one outcome), shown as a share of `received`.
public enum FunnelStep: Int, CaseIterable, Sendable {
    case received, initiated, queued, pspSuccess, walletQueued, settled

    /// The event that counts for this step.
    public var event: BusinessEventName {
        switch self {
        case .received: return .requestReceived
        case .initiated: return .checkoutInitiated
        case .queued: return .checkoutQueued
        case .pspSuccess: return .pspResponse
        case .walletQueued: return .walletQueued
        case .settled: return .checkoutSettled
        }
    }

    /// The outcome the event must carry, where the event has more than one.
    public var outcome: EventOutcome? {
        switch self {
        case .pspSuccess, .walletQueued: return .success
        default: return nil
        }
    }

    /// The key in `paytop business --json`.
    public var key: String {
        switch self {
        case .received: return "received"
        case .initiated: return "initiated"
        case .queued: return "queued"
        case .pspSuccess: return "psp_success"
        case .walletQueued: return "wallet_queued"
        case .settled: return "settled"
        }
    }

    public var label: String {
        switch self {
        case .received: return "received"
        case .initiated: return "initiated"
        case .queued: return "queued"
        case .pspSuccess: return "PSP success"
        case .walletQueued: return "wallet queued"
        case .settled: return "settled"
        }
    }

    /// Where a checkout that reached this step but not the next was lost (nil after the last).
    public var lossAfter: LossStage? {
        switch self {
        case .received: return .validation
        case .initiated: return .initialization
        case .queued: return .psp
        case .pspSuccess, .walletQueued: return .settlement
        case .settled: return nil
        }
    }
}

/// Where a lost checkout was lost (tile 21). Every lost checkout has exactly one stage:
/// a rejection at validation, or the `payment.checkout.failed` that ended it, placed by
/// its error code.
public enum LossStage: Int, CaseIterable, Sendable {
    case validation = 1, initialization, psp, settlement

    public var key: String {
        switch self {
        case .validation: return "VALIDATION"
        case .initialization: return "INITIALIZATION"
        case .psp: return "PSP"
        case .settlement: return "SETTLEMENT"
        }
    }

    /// The seed's numbered label ("1_VALIDATION", …).
    public var label: String { "\(rawValue)_\(key)" }

    /// The stage of a lost checkout's final event, nil for an event that does not end one.
    public static func of(event: BusinessEventName, errorCode: String?) -> LossStage? {
        switch event {
        case .checkoutRejected: return .validation
        case .checkoutFailed:
            if errorCode == ErrorCodes.initializerError { return .initialization }
            if let code = errorCode, DeclineCode.all.contains(code) || ErrorCodes.pspTechnical.contains(code) { return .psp }
            return .settlement
        default: return nil
        }
    }
}

/// Error codes the business view names, and what each asks the business to do (tile 22).
public enum ErrorCodes {
    /// The initializer failed after validating (the checkout is lost at initialization).
    public static let initializerError = "INITIALIZER_ERROR"
    /// The PSP's technical failures: what the PSP technical SLI counts as bad (tile 25).
    public static let pspServerError = "PSP_SERVER_ERROR"
    public static let connectionError = "CONNECTION_ERROR"
    public static let pspTechnical = [pspServerError, connectionError]

    /// The seed dashboard's action for an error code.
    public static func action(_ code: String) -> String {
        switch code {
        case DeclineCode.expiredCard: return "card update reminders"
        case DeclineCode.invalidCard: return "form validation"
        case DeclineCode.fraudSuspected: return "security review"
        case DeclineCode.insufficientFunds: return "retry or split payment"
        case "NETWORK_ERROR", connectionError, pspServerError: return "PSP health"
        default: return "monitor"
        }
    }
}
