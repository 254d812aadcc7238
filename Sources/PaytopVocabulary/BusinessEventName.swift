/// The seed's business-event taxonomy, plus the checkout-level failure it forgot and the
/// reconciliation it described but never built (section 3.4).
public enum BusinessEventName: Int, CaseIterable, Sendable {
    case requestReceived = 1, checkoutRejected, checkoutInitiated, checkoutQueued, pspResponse, walletQueued
    case orderSettled, checkoutSettled, orderFailed, checkoutFailed
    case settlementBatchClosed, reconciliationCompleted, reconciliationMismatch

    /// The event's name, as `event.name` carries it.
    public var name: String {
        switch self {
        case .requestReceived: return "payment.request.received"
        case .checkoutRejected: return "payment.checkout.rejected"
        case .checkoutInitiated: return "payment.checkout.initiated"
        case .checkoutQueued: return "payment.checkout.queued"
        case .pspResponse: return "payment.psp.response"
        case .walletQueued: return "payment.wallet.queued"
        case .orderSettled: return "payment.order.settled"
        case .checkoutSettled: return "payment.checkout.settled"
        case .orderFailed: return "payment.order.failed"
        case .checkoutFailed: return "payment.checkout.failed"
        case .settlementBatchClosed: return "payment.settlement.closed"
        case .reconciliationCompleted: return "payment.reconciliation.completed"
        case .reconciliationMismatch: return "payment.reconciliation.mismatch"
        }
    }

    public var type: String { String(name.split(separator: ".").last!) }

    public var stage: String {
        switch self {
        case .requestReceived: return "REQUEST"
        case .checkoutRejected: return "VALIDATION"
        case .checkoutInitiated, .checkoutQueued: return "INITIALIZATION"
        case .pspResponse: return "PSP_INTEGRATION"
        case .walletQueued: return "EXECUTION"
        case .orderSettled, .checkoutSettled, .orderFailed, .checkoutFailed: return "SETTLEMENT"
        case .settlementBatchClosed, .reconciliationCompleted, .reconciliationMismatch: return "RECONCILIATION"
        }
    }

    public var message: String {
        switch self {
        case .requestReceived: return "Payment request received"
        case .checkoutRejected: return "Payment checkout rejected"
        case .checkoutInitiated: return "Payment checkout initiated"
        case .checkoutQueued: return "Payment checkout queued"
        case .pspResponse: return "PSP response received"
        case .walletQueued: return "Payment result queued for wallet"
        case .orderSettled: return "Payment order settled"
        case .checkoutSettled: return "Payment checkout settled"
        case .orderFailed: return "Payment order failed"
        case .checkoutFailed: return "Payment checkout failed"
        case .settlementBatchClosed: return "PSP settlement batch closed"
        case .reconciliationCompleted: return "Reconciliation run completed"
        case .reconciliationMismatch: return "Reconciliation mismatch found"
        }
    }

    public init?(name: String) {
        guard let e = BusinessEventName.allCases.first(where: { $0.name == name }) else { return nil }
        self = e
    }
}
