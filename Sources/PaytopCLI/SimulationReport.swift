import Foundation
import PaytopEngine
import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// What `paytop simulate` prints: the run's figures, the store's content and the
/// invariant check, as text or as one JSON object.
struct SimulationReport {
    var seed: UInt64
    var scenario: String?
    var result: SimulationRunner.Result
    var stats: EngineStats
    var summary: StoreSummary
    var invariants: InvariantReport
    var storePath: String?
    var storeBytes: Int64

    var checkoutsPerSecond: Double { result.wallSeconds > 0 ? Double(result.checkoutsGenerated) / result.wallSeconds : 0 }
    var rowsPerSecond: Double { result.wallSeconds > 0 ? Double(result.rowsCommitted) / result.wallSeconds : 0 }

    var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue { .object(d.mapValues { .number(Double($0)) }) }
        return .object([
            "seed": .string(String(seed)),
            "scenario": scenario.map { .string($0) } ?? .null,
            "checkouts": .number(Double(result.checkoutsGenerated)),
            "completed": .bool(result.completed),
            "engine_time": .object([
                "start": .string(result.engineStart.description), "end": .string(result.engineEnd.description),
                "seconds": .number(Span.toSeconds(result.engineEnd - result.engineStart)),
            ]),
            "wall_seconds": .number(result.wallSeconds),
            "checkouts_per_second": .number(checkoutsPerSecond.rounded()),
            "rows_written": .number(Double(result.rowsCommitted)),
            "rows_per_second": .number(rowsPerSecond.rounded()),
            "rows_in_store": .number(Double(summary.totalRows)),
            "store_bytes": .number(Double(storeBytes)),
            "api": .object([
                "requests": .number(Double(stats.arrivals)), "accepted_202": .number(Double(stats.accepted)),
                "replayed_202": .number(Double(stats.idempotentReplays)), "rejected_400": .number(Double(stats.rejected)),
                "conflict_409": .number(Double(stats.conflicts)), "throttled_429": .number(Double(stats.throttled)),
                "error_500": .number(Double(stats.serverErrors)), "timeout_504": .number(Double(stats.gatewayTimeouts)),
            ]),
            "checkouts_by_outcome": counts(summary.checkoutsByOutcome),
            "orders_by_status": counts(summary.ordersByStatus),
            "queue_depths": .object(Dictionary(uniqueKeysWithValues: QueueName.allCases.map {
                ($0.rawValue, JSONValue.number(Double(summary.queueDepths[$0.rawValue] ?? 0)))
            })),
            "wallet_totals": .object(summary.walletTotals.mapValues { .string($0.description) }),
            "invariants": invariants.json,
            "store": storePath.map { .string($0) } ?? .null,
        ])
    }

    var text: String {
        var lines: [String] = []
        let engineSeconds = Span.toSeconds(result.engineEnd - result.engineStart)
        lines.append("paytop simulate · seed \(seed) · \(result.checkoutsGenerated.grouped) checkouts" + (scenario.map { " · scenario \($0)" } ?? ""))
        lines.append(row("engine time", "\(result.engineStart) → \(result.engineEnd) (\(formatDuration(engineSeconds)))"))
        lines.append(row("wall time", String(format: "%.2f s · %@ checkouts/s · %@ rows/s written", result.wallSeconds,
                                              Int(checkoutsPerSecond).grouped, Int(rowsPerSecond).grouped)))
        lines.append(row("store", "\(summary.totalRows.grouped) rows · \(formatBytes(storeBytes))"
                          + (result.checkoutsGenerated > 0 ? " · \(Int(storeBytes) / result.checkoutsGenerated) bytes/checkout" : "")))
        lines.append(row("API", "\(stats.arrivals.grouped) requests: 202 \(stats.accepted.grouped) · 400 \(stats.rejected.grouped) · 409 \(stats.conflicts.grouped) · 429 \(stats.throttled.grouped) · 500 \(stats.serverErrors.grouped) · 504 \(stats.gatewayTimeouts.grouped)"))
        let outcomes = ["SUCCESS", "FAILED", "DEAD_LETTERED", "IN_FLIGHT", "LOST"]
        lines.append(row("checkouts", outcomes.compactMap { k in summary.checkoutsByOutcome[k].map { "\(k) \($0.grouped)" } }.joined(separator: " · ")))
        let statuses = ["SUCCESS", "FAILED", "EXECUTING", "NOT_STARTED"]
        lines.append(row("orders", statuses.compactMap { k in summary.ordersByStatus[k].map { "\(k) \($0.grouped)" } }.joined(separator: " · ")))
        lines.append(row("queues", QueueName.allCases.map { "\($0.rawValue) \((summary.queueDepths[$0.rawValue] ?? 0).grouped)" }.joined(separator: " · ")))
        lines.append(row("wallets", summary.walletTotals.keys.sorted().map { "\($0) \(summary.walletTotals[$0]!)" }.joined(separator: " · ")))
        if invariants.isClean {
            lines.append(row("invariants", "ok (\(invariants.checked.joined(separator: ", ")))"))
        } else {
            lines.append(row("invariants", "VIOLATED"))
            lines += invariants.violationLines
        }
        if !result.completed { lines.append(row("note", "traffic stopped before every checkout arrived (paused?)")) }
        lines.append(row("store file", storePath ?? "temporary, removed (pass --db PATH to keep it)"))
        return lines.joined(separator: "\n")
    }

    private func row(_ label: String, _ value: String) -> String {
        label.padding(toLength: 12, withPad: " ", startingAt: 0) + value
    }
}

func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return String(format: "%.1fs", seconds) }
    if s < 3600 { return "\(s / 60)m\(s % 60)s" }
    return "\(s / 3600)h\(s % 3600 / 60)m\(s % 60)s"
}

func formatBytes(_ b: Int64) -> String {
    if b < 1024 * 1024 { return String(format: "%.1f KB", Double(b) / 1024) }
    return String(format: "%.1f MB", Double(b) / 1024 / 1024)
}

func fileSize(_ path: String) -> Int64 {
    var total: Int64 = 0
    for suffix in ["", "-wal"] {
        if let attrs = try? FileManager.default.attributesOfItem(atPath: path + suffix),
           let size = attrs[.size] as? NSNumber {
            total += size.int64Value
        }
    }
    return total
}

func removeStore(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}
