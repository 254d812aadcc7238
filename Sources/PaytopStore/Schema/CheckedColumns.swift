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
    static let orderStatus = ["NOT_STARTED", "EXECUTING", "SUCCESS", "FAILED"]
    static let direction = ["debit", "credit"]
    static let chargeStatus = ["SUCCEEDED", "DECLINED"]
    static let commandStatus = ["pending", "applied", "rejected"]
    static let sdlcStatus = ["started", "finished"]
    static let severity = ["minor", "major", "critical"]
    static let metricKind = ["gauge", "counter", "distribution"]

    /// `value` if `allowed` holds it; else the error SQLite's CHECK would have raised.
    static func require(_ value: String, in allowed: [String], _ column: String) throws -> String {
        guard allowed.contains(value) else {
            throw StoreError.failed("CHECK constraint failed: \(column) cannot be \(value) (allowed: \(allowed.joined(separator: ", ")))")
        }
        return value
    }
}
