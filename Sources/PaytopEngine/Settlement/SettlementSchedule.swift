import PaytopVocabulary
import PaytopStore

/// The settlement settings read once: when batches close, how late a charge may be, when
/// the reconciliation job runs, and the agreed fees. A setting that does not parse is an
/// error when the scenario or store is loaded, never at the first cut-off.
struct SettlementSchedule: Equatable {
    let interval: Nanos
    /// Offset of the cut-off into a UTC day.
    let cutoff: Nanos
    let lag: Nanos
    let reconcileAfter: Nanos
    let fees: FeeSchedule
    let alertThreshold: Int

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(_ s: EngineSettings) throws {
        func duration(_ key: String, _ text: String) throws -> Nanos {
            guard let d = Scenario.parseDuration(.string(text)) else {
                throw Invalid(description: "\(key) must be a duration such as \"24h\", \"10m\" or \"90s\", not \"\(text)\"")
            }
            return d
        }
        interval = try duration("settlement_interval", s.settlementInterval)
        guard interval >= Span.seconds(Int64(1)) else { throw Invalid(description: "settlement_interval must be at least 1s") }
        lag = try duration("settlement_lag", s.settlementLag)
        guard lag < interval else { throw Invalid(description: "settlement_lag must be shorter than settlement_interval") }
        reconcileAfter = try duration("reconcile_after", s.reconcileAfter)
        guard reconcileAfter < interval else { throw Invalid(description: "reconcile_after must be shorter than settlement_interval") }
        let parts = s.settlementCutoff.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let h = Int64(parts[0]), let m = Int64(parts[1]),
              (0..<24).contains(h), (0..<60).contains(m) else {
            throw Invalid(description: "settlement_cutoff must be a UTC time of day \"HH:MM\", not \"\(s.settlementCutoff)\"")
        }
        cutoff = Span.minutes(h * 60 + m)
        guard s.reconcileAlertThreshold >= 0 else { throw Invalid(description: "reconcile_alert_threshold must be 0 or more") }
        alertThreshold = s.reconcileAlertThreshold
        fees = try FeeSchedule(s.settlementFees)
    }

    /// The first cut-off strictly after `t`: cut-offs fall at `cutoff` past midnight UTC
    /// and every `interval` from there.
    func nextCutoff(after t: EngineTime) -> EngineTime {
        let k = (t.nanos - cutoff).floorDiv(interval) + 1
        return EngineTime(nanos: cutoff + k * interval)
    }
}

/// The fees the PSP agreed to deduct: a fixed commission and shares of the gross.
struct FeeSchedule: Equatable {
    let commission: Money
    let markupBps: Int64
    let schemeFeesBps: Int64
    let interchangeBps: Int64

    init(_ s: EngineSettings.SettlementFeeSchedule) throws {
        guard let c = Money(decimalString: s.commission) else {
            throw SettlementSchedule.Invalid(description: "settlement_fees.commission must be a decimal amount such as \"0.10\"")
        }
        for (key, v) in [("markup_bps", s.markupBps), ("scheme_fees_bps", s.schemeFeesBps), ("interchange_bps", s.interchangeBps)]
        where !(0...10_000).contains(v) {
            throw SettlementSchedule.Invalid(description: "settlement_fees.\(key) must be 0–10000 basis points")
        }
        commission = c
        markupBps = Int64(s.markupBps)
        schemeFeesBps = Int64(s.schemeFeesBps)
        interchangeBps = Int64(s.interchangeBps)
    }

    /// The fees on a gross amount, each share rounded half up to the cent.
    func fees(on gross: Money) -> SettlementFees {
        func share(_ bps: Int64) -> Money { Money(minorUnits: (gross.minorUnits * bps + 5_000) / 10_000) }
        return SettlementFees(commission: commission, markup: share(markupBps), schemeFees: share(schemeFeesBps),
                              interchange: share(interchangeBps))
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
