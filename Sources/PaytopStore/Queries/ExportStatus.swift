/// One row of the `otlp_export` table: an OTLP exporter's counters, written about once
/// a second by the exporter's own connection and read by the console's header.
public struct ExportStatus: Sendable, Equatable {
    public var endpoint: String
    public var spansExported: Int64 = 0, logsExported: Int64 = 0, metricPointsExported: Int64 = 0
    public var dropped: Int64 = 0, failedRequests: Int64 = 0, queued: Int64 = 0
    public var lastError: String?
    /// Wall-clock milliseconds since the epoch.
    public var updatedAtMillis: Int64 = 0

    public init(endpoint: String) { self.endpoint = endpoint }

    /// Everything sent: spans, log records and metric points.
    public var itemsExported: Int64 { spansExported + logsExported + metricPointsExported }

    /// The exporter's own connection to the table.
    public final class Writer {
        private let c: Connection

        /// Opens an existing store read-write without migrating it.
        public init(storePath: String) throws { c = try Connection(path: storePath, mode: .readWrite) }

        /// Inserts or replaces the row's endpoint. Returns false when another writer held
        /// the store past the busy timeout (the row is for the next try).
        public func write(_ row: ExportStatus) throws -> Bool {
            do {
                try row.write(to: c)
                return true
            } catch let e as SQLiteError where e.isBusy {
                return false
            }
        }
    }

    /// Inserts or replaces this endpoint's row.
    func write(to c: Connection) throws {
        let s = try c.cached("""
            INSERT INTO otlp_export (endpoint, spans_exported, logs_exported, metric_points_exported, dropped, failed_requests, queued, last_error, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (endpoint) DO UPDATE SET spans_exported = excluded.spans_exported, logs_exported = excluded.logs_exported,
                metric_points_exported = excluded.metric_points_exported,
                dropped = excluded.dropped, failed_requests = excluded.failed_requests, queued = excluded.queued,
                last_error = excluded.last_error, updated_at = excluded.updated_at
            """)
        s.bind(1, endpoint).bind(2, spansExported).bind(3, logsExported).bind(4, metricPointsExported)
            .bind(5, dropped).bind(6, failedRequests).bind(7, queued).bind(8, lastError).bind(9, updatedAtMillis)
        try s.run()
    }

    /// The exporters that reported within `withinMillis` of `nowMillis`, by endpoint.
    public static func recent(_ c: Connection, nowMillis: Int64, withinMillis: Int64 = 10_000) throws -> [ExportStatus] {
        let q = try c.cached("""
            SELECT endpoint, spans_exported, logs_exported, metric_points_exported, dropped, failed_requests, queued, last_error, updated_at
            FROM otlp_export WHERE updated_at >= ? ORDER BY endpoint
            """)
        q.bind(1, nowMillis - withinMillis)
        defer { q.reset() }
        var out: [ExportStatus] = []
        while try q.step() {
            var e = ExportStatus(endpoint: q.string(0))
            e.spansExported = q.int(1); e.logsExported = q.int(2); e.metricPointsExported = q.int(3)
            e.dropped = q.int(4); e.failedRequests = q.int(5); e.queued = q.int(6)
            e.lastError = q.optionalString(7); e.updatedAtMillis = q.int(8)
            out.append(e)
        }
        return out
    }
}
