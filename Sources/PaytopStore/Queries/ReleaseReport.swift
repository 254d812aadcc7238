import Foundation
import PaytopVocabulary

/// Deployments with their service's error rate and latency before and after each, and
/// the release a regression began with: what `paytop releases` prints and the console's
/// releases view draws.
///
/// Each service is measured on the span of its unit of work: the initializer's invocation,
/// and each record the executor and the wallet process. "Before" and "after" are the
/// traces started in the window (default 10 minutes of engine time) before and after the
/// deployment, the "after" window ending early at the service's next deployment.
public struct ReleaseReport: Sendable {
    /// A service's units of work in a window. Rates and percentiles need `minimumUnits`
    /// of them: nil below it (a deploy with no traffic after it has no "after").
    public struct Health: Sendable, Equatable {
        public static let minimumUnits = 20
        public var count: Int
        public var errors: Int
        /// nil with no units.
        public var meanMillis: Double?
        /// nil below `minimumUnits`.
        public var p95Millis: Double?
        public var enoughData: Bool { count >= Self.minimumUnits }
        /// nil below `minimumUnits`.
        public var errorRate: Double? { enoughData ? Double(errors) / Double(count) : nil }

        /// "0.4%", or "— (3)" with the units there were when too few to say (the CLI and
        /// the console print the same).
        public var errorRateText: String { errorRate.map { String(format: "%.1f%%", $0 * 100) } ?? "— (\(count))" }
        /// "498 ms", or "— (3)".
        public var p95Text: String { p95Millis.map { String(format: "%.0f ms", $0) } ?? "— (\(count))" }
    }

    public struct Deployment: Sendable, Equatable {
        public var at: Int64
        public var deploymentID: String
        public var service: FunctionName
        public var version: String
        public var previousVersion: String?
        public var revision: String
        public var regression: String?
        public var before: Health
        public var after: Health
        /// True when errors or latency got clearly worse after this deployment.
        public var suspect: Bool
    }

    public var deployments: [Deployment]
    public var suspect: Deployment? { deployments.last { $0.suspect } }

    /// The span of each function's unit of work: an invocation, or one record of a batch.
    static let unitSpan: [FunctionName: String] = [
        .initializer: FunctionName.initializer.rawValue,
        .executor: "process " + QueueName.execution.rawValue,
        .wallet: "process " + QueueName.results.rawValue,
    ]

    public static func load(_ c: Connection, windowNanos: Int64 = 600_000_000_000, transaction: Bool = true) throws -> ReleaseReport {
        try c.readIf(transaction) {
            let s = try c.cached("""
                SELECT at, cicd_deployment_id, artifact_name, artifact_version, previous_version, vcs_ref_base_revision, regression
                FROM sdlc_event WHERE event_type = 'deployment' AND event_status = 'finished' ORDER BY at, id
                """)
            let rows = try s.all { ($0.int(0), $0.string(1), $0.string(2), $0.string(3), $0.optionalString(4), $0.string(5), $0.optionalString(6)) }
            var out: [Deployment] = []
            for (i, r) in rows.enumerated() {
                // A deployment of something that is not one of the pipeline's functions is not reported.
                guard let service = FunctionName(deployedName: r.2) else { continue }
                let next = rows[(i + 1)...].first { $0.2 == r.2 }?.0
                let afterEnd = min(r.0 + windowNanos, next ?? Int64.max)
                let before = try health(c, service: service, from: r.0 - windowNanos, to: r.0)
                let after = try health(c, service: service, from: r.0, to: afterEnd)
                let worseErrors = after.errorRate.map { $0 > max(0.01, (before.errorRate ?? 0) * 2) } ?? false
                let slower = after.p95Millis.map { a in before.p95Millis.map { a > $0 * 1.5 + 50 } ?? false } ?? false
                out.append(Deployment(at: r.0, deploymentID: r.1, service: service, version: r.3, previousVersion: r.4,
                                      revision: r.5, regression: r.6, before: before, after: after,
                                      suspect: worseErrors || slower))
            }
            return ReleaseReport(deployments: out)
        }
    }

    static func health(_ c: Connection, service: FunctionName, from: Int64, to: Int64) throws -> Health {
        guard let name = unitSpan[service] else { return Health(count: 0, errors: 0, meanMillis: nil, p95Millis: nil) }
        let s = try c.cached("""
            SELECT s.duration_ns, s.status FROM trace t
            JOIN span_data s ON s.trace_no = t.trace_no
            JOIN span_name n ON n.name_code = s.name_code
            WHERE t.started_at >= ? AND t.started_at < ? AND n.name = ?
            ORDER BY s.duration_ns
            """)
        s.bind(1, from).bind(2, to).bind(3, name)
        var durations: [Int64] = []
        var errors = 0
        while try s.step() {
            durations.append(s.int(0))
            if s.int(1) == 2 { errors += 1 }
        }
        s.reset()
        guard !durations.isEmpty else { return Health(count: 0, errors: 0, meanMillis: nil, p95Millis: nil) }
        let mean = Double(durations.reduce(0, +)) / Double(durations.count) / 1e6
        let p95 = Double(durations[min(durations.count - 1, Int(Double(durations.count) * 0.95))]) / 1e6
        return Health(count: durations.count, errors: errors, meanMillis: mean,
                      p95Millis: durations.count >= Health.minimumUnits ? p95 : nil)
    }
}
