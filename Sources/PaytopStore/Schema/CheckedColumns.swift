/// The values the schema's CHECK constraints allow in the text columns paytop writes from
/// strings, checked here before binding: paytop's writing connections skip SQLite's own
/// CHECKs (`PRAGMA ignore_check_constraints`, `Store.configureForWriting`), because SQLite
/// codes each `x IN ('a','b',…)` as a temporary table built again for every row it
/// inserts — 32,000 instructions a row (callgrind, issue 32), a tenth of the engine's
/// writer. The constraints stay in the schema for any other writer; the columns paytop
/// fills from the vocabulary's enums (span kinds, settlement line types, match and
/// mismatch terms) need no check here. A value outside its set fails the batch as the
/// CHECK would have.
enum CheckedColumns {
    static func orderStatus(_ v: String) throws -> String { try require(v, in: orderStatuses, "payment_order.payment_order_status") }
    static func ledgerDirection(_ v: String) throws -> String { try require(v, in: directions, "ledger_entry.direction") }
    static func settlementDirection(_ v: String) throws -> String { try require(v, in: directions, "settlement_entry.direction") }
    static func chargeStatus(_ v: String) throws -> String { try require(v, in: chargeStatuses, "psp_charge.status") }
    static func commandStatus(_ v: String) throws -> String { try require(v, in: commandStatuses, "control_command.status") }
    static func sdlcStatus(_ v: String) throws -> String { try require(v, in: sdlcStatuses, "sdlc_event.event_status") }
    static func severity(_ v: String) throws -> String { try require(v, in: severities, "problem.severity") }
    static func metricKind(_ v: String) throws -> String { try require(v, in: metricKinds, "metric_series.kind") }

    // The sets, as the migrations' CHECK constraints spell them.
    private static let orderStatuses = ["NOT_STARTED", "EXECUTING", "SUCCESS", "FAILED"]
    private static let directions = ["debit", "credit"]
    private static let chargeStatuses = ["SUCCEEDED", "DECLINED"]
    private static let commandStatuses = ["pending", "applied", "rejected"]
    private static let sdlcStatuses = ["started", "finished"]
    private static let severities = ["minor", "major", "critical"]
    private static let metricKinds = ["gauge", "counter", "distribution"]

    /// `value` if `allowed` holds it; else the error SQLite's CHECK would have raised.
    private static func require(_ value: String, in allowed: [String], _ column: String) throws -> String {
        guard allowed.contains(value) else {
            throw StoreError.failed("CHECK constraint failed: \(column) cannot be \(value) (allowed: \(allowed.joined(separator: ", ")))")
        }
        return value
    }
}
