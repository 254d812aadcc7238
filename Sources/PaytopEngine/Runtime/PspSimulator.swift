import PaytopStore
import PaytopVocabulary

/// The mock payment service provider: 0.1–0.5 s per call, the request's `simulate.psp`
/// flags, the operator's faults, and idempotency on its key. It keeps its own record of
/// every charge (table psp_charge), which is what reconciliation compares against.
final class PspSimulator {
    enum Outcome: Equatable {
        case succeeded(reference: String)
        case declined(code: String)
        case serverError
    }

    struct Charge {
        let outcome: Outcome
        let amount: Money
    }

    /// Charges of live checkouts, by idempotency key.
    var charges: [String: Charge] = [:]
    var newRows: [PspChargeRow] = []
    var counters = Counters()
    /// Declines by code since the detectors last took them (not kept across restarts).
    private var minuteDeclines: [String: Int] = [:]

    func takeMinuteDeclines() -> [String: Int] {
        defer { minuteDeclines.removeAll(keepingCapacity: true) }
        return minuteDeclines
    }

    struct Counters: Codable, Equatable {
        var calls = 0
        var succeeded = 0
        var declined = 0
        var serverErrors = 0
        var idempotentReplays = 0
        var latencyNanos: Int64 = 0
    }

    /// One charge request. Returns the outcome and how long the PSP took to answer.
    func charge(key: String, checkout: Checkout, at now: EngineTime, faults: FaultState,
                settings: EngineSettings.Psp, random: inout SeededRandom) -> (Outcome, Nanos) {
        counters.calls += 1
        let base = random.nanos(Span.seconds(settings.latencyMinSeconds), Span.seconds(settings.latencyMaxSeconds))
        let latency = Nanos(Double(base) * faults.pspLatencyFactor)
        counters.latencyNanos += latency
        if let earlier = charges[key] {
            counters.idempotentReplays += 1
            return (earlier.outcome, latency)
        }
        let sim = checkout.request.simulate
        let outcome: Outcome
        if faults.pspOutage || sim.pspServerError || (faults.pspErrorRate.map { $0 > 0 && random.chance($0) } ?? false) {
            outcome = .serverError
        } else if sim.pspError {
            outcome = .declined(code: sim.pspErrorCode ?? "CARD_DECLINED")
        } else if random.chance(faults.pspDeclineRate) {
            outcome = .declined(code: faults.pspDeclineCode)
        } else {
            outcome = .succeeded(reference: Self.reference(at: now, &random))
        }
        switch outcome {
        case .serverError:
            counters.serverErrors += 1
            return (outcome, latency)
        case .succeeded(let reference):
            counters.succeeded += 1
            record(key: key, reference: reference, checkout: checkout, status: "SUCCEEDED", code: nil, at: now, latency: latency)
        case .declined(let code):
            counters.declined += 1
            minuteDeclines[code, default: 0] += 1
            record(key: key, reference: Self.reference(at: now, &random), checkout: checkout, status: "DECLINED", code: code, at: now, latency: latency)
        }
        charges[key] = Charge(outcome: outcome, amount: checkout.request.total)
        return (outcome, latency)
    }

    /// The PSP's reference for a charge, sorting by when it was made (12 hex digits of
    /// engine milliseconds, 6 random): the store's psp_reference index then grows at its
    /// end, where a random reference dirtied one index page for every charge committed.
    static func reference(at now: EngineTime, _ random: inout SeededRandom) -> String { random.timeOrderedID("psp_", at: now) }

    private func record(key: String, reference: String, checkout: Checkout, status: String, code: String?,
                        at now: EngineTime, latency: Nanos) {
        newRows.append(PspChargeRow(
            idempotencyKey: key, pspReference: reference, checkoutID: checkout.id,
            amount: checkout.request.total, currency: checkout.request.currency, status: status,
            declineCode: code, requestedAt: now.nanos, completedAt: (now + latency).nanos))
    }
}
