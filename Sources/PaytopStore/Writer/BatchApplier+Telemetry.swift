import PaytopVocabulary
import CSQLite

extension BatchApplier {
    /// A batch's telemetry: its rows, the roll-ups of its business events and its pruning.
    func applyTelemetry(_ b: WriteBatch) throws {
        try insertTelemetry(b)
        try applyBusinessRollups(b.businessEvents)
        if let p = b.prune { try applyPrune(p) }
    }

    /// A batch's telemetry rows (names, traces, spans, business and release events,
    /// metrics, what was received), without roll-ups or pruning.
    func insertTelemetry(_ b: WriteBatch) throws {
        var eventNumbers: [Int64] = []
        if !b.spanNames.isEmpty {
            // A name's row as its writer knows it now: an engine of this version may store
            // more usual values in it than the one that began the store (its spans carry
            // their own value for each of those, so the merge patch gives them the same).
            let s = try c.cached("""
                INSERT INTO span_name (name_code, name, kind, attributes) VALUES (?,?,?,?)
                ON CONFLICT (name_code) DO UPDATE SET name = excluded.name, kind = excluded.kind, attributes = excluded.attributes
                """)
            for r in b.spanNames {
                s.bind(1, r.code).bind(2, r.name).bind(3, r.kind.rawValue).bind(4, r.attributes)
                try s.run()
            }
        }
        if !b.eventNames.isEmpty {
            let s = try c.cached("INSERT OR IGNORE INTO business_event_name (event_code, event_name, event_type, stage, message) VALUES (?,?,?,?,?)")
            for r in b.eventNames {
                s.bind(1, r.code).bind(2, r.name).bind(3, r.type).bind(4, r.stage).bind(5, r.message)
                try s.run()
            }
        }
        if !b.serviceVersions.isEmpty {
            let s = try c.cached("INSERT OR IGNORE INTO service_version (service_code, service_name, service_version) VALUES (?,?,?)")
            for r in b.serviceVersions {
                s.bind(1, r.code).bind(2, r.name).bind(3, r.version)
                try s.run()
            }
        }
        if !b.traces.isEmpty {
            let s = try c.cached("INSERT INTO trace (trace_no, trace_id, checkout_id, started_at) VALUES (?,?,?,?)")
            for r in b.traces {
                s.bind(1, r.traceNo).bind(2, bytes: r.traceID).bind(3, r.checkoutID).bind(4, r.startedAt)
                try s.run()
            }
        }
        if !b.spans.isEmpty { try insertSpans(b.spans, orIgnore: false) }
        if !b.spanLinks.isEmpty {
            let s = try c.cached("INSERT OR IGNORE INTO span_link_data (trace_no, span_id, linked_trace_no, linked_span_id) VALUES (?,?,?,?)")
            for r in b.spanLinks {
                s.bind(1, r.traceNo).bind(2, r.spanID).bind(3, r.linkedTraceNo).bind(4, r.linkedSpanID)
                try s.run()
            }
        }
        if !b.businessEvents.isEmpty {
            let s = try c.cached("""
                INSERT INTO business_event_data (event_code, outcome, biz_timestamp, amount_total, amount_currency,
                  order_count, payment_order_id, merchant_id, error_code, error_category, psp_latency_ms, trace_no, span_id,
                  service_code, checkout_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            // Received log records name their event by its index here: keep each event_no.
            let numbered = !b.received.logRecords.isEmpty
            if numbered { eventNumbers.reserveCapacity(b.businessEvents.count) }
            for r in b.businessEvents {
                s.bind(1, r.eventCode).bind(2, r.outcome.rawValue).bind(3, r.bizTimestamp).bind(4, r.amountTotal)
                    .bind(5, r.amountCurrency).bind(6, r.orderCount.map(Int64.init)).bind(7, r.paymentOrderID)
                    .bind(8, r.merchantID).bind(9, r.errorCode).bind(10, r.errorCategory?.rawValue).bind(11, r.pspLatencyMillis)
                    .bind(12, r.traceNo).bind(13, r.spanID).bind(14, r.serviceCode).bind(15, r.checkoutID)
                try s.run()
                if numbered { eventNumbers.append(c.lastInsertRowID) }
            }
        }
        if !b.sdlcEvents.isEmpty {
            let s = try c.cached("""
                INSERT INTO sdlc_event (at, event_type, event_status, cicd_deployment_id, artifact_name, artifact_version,
                  vcs_ref_base_revision, previous_version, regression, source) VALUES (?,?,?,?,?,?,?,?,?,?)
                """)
            for r in b.sdlcEvents {
                s.bind(1, r.at).bind(2, r.eventType)
                    .bind(3, try CheckedColumns.sdlcStatus(r.eventStatus)).bind(4, r.deploymentID).bind(5, r.artifactName)
                    .bind(6, r.artifactVersion).bind(7, r.revision).bind(8, r.previousVersion).bind(9, r.regression)
                    .bind(10, r.source)
                try s.run()
            }
        }
        if !b.metricSeries.isEmpty {
            let s = try c.cached("INSERT OR IGNORE INTO metric_series (series_id, name, dimensions, unit, kind) VALUES (?,?,?,?,?)")
            for r in b.metricSeries {
                s.bind(1, r.id).bind(2, r.name).bind(3, r.dimensions).bind(4, r.unit)
                    .bind(5, try CheckedColumns.metricKind(r.kind))
                try s.run()
            }
        }
        if !b.metricPoints.isEmpty {
            // A period a row already holds is one an engine closed at its shutdown and the
            // engine resumed on the store closes again with what came after: the two parts
            // are merged (counters added, a gauge's last reading kept with the higher peak,
            // distributions added and their percentiles taken from the merged histogram),
            // where a replace lost the first part (a resumed engine's SLO counts fell short).
            let s = try c.cached("""
                INSERT OR IGNORE INTO metric_data (series_id, period_seconds, period_start, value, count, min, max, p50, p95, p99)
                VALUES (?,?,?,?,?,?,?,?,?,?)
                """)
            let h = try c.cached("INSERT OR REPLACE INTO metric_histogram (series_id, period_start, buckets) VALUES (?,?,?)")
            for r in b.metricPoints {
                s.bind(1, r.seriesID).bind(2, r.periodSeconds).bind(3, r.periodStart)
                Self.bind(s, 4, r.value)
                s.bind(5, r.count)
                func real(_ i: Int32, _ v: Double?) { if let v { s.bind(i, v) } else { s.bind(i, nil as Int64?) } }
                real(6, r.min); real(7, r.max); real(8, r.p50); real(9, r.p95); real(10, r.p99)
                try s.run()
                var buckets = r.buckets
                if c.changes == 0 { buckets = try mergeMetricPoint(r) }
                if let buckets {
                    h.bind(1, r.seriesID).bind(2, r.periodStart).bind(3, bytes: buckets.encoded)
                    try h.run()
                }
            }
        }
        try applyReceived(b, eventNumbers: eventNumbers)
    }

    /// Span rows; received ones (`orIgnore`) may repeat when an exporter retries a request.
    func insertSpans(_ rows: [SpanRow], orIgnore: Bool) throws {
        let s = try c.cached("""
            INSERT \(orIgnore ? "OR IGNORE " : "")INTO span_data (trace_no, span_id, parent_span_id, name_code, service_code,
              start_offset_ns, duration_ns, status, status_message, attributes) VALUES (?,?,?,?,?,?,?,?,?,?)
            """)
        for r in rows {
            s.bind(1, r.traceNo).bind(2, r.spanID).bind(3, r.parentSpanID).bind(4, r.nameCode).bind(5, r.serviceCode)
                .bind(6, r.startOffset).bind(7, r.duration).bind(8, r.status.rawValue).bind(9, r.statusMessage).bind(10, r.attributes)
            try s.run()
        }
    }

    /// Deletes old telemetry, whole traces at a time. Payment state is never touched.
    func applyPrune(_ p: TelemetryPrune) throws {
        let fine = try c.cached("DELETE FROM metric_data WHERE period_seconds < 60 AND period_start < ?")
        fine.bind(1, p.finePointsBefore)
        try fine.run()
        let rollups = try c.cached("DELETE FROM metric_data WHERE period_seconds >= 60 AND period_start < ?")
        rollups.bind(1, p.rollupsBefore)
        try rollups.run()
        // Received log records tied to no trace go by age (log_record_time).
        let logs = try c.cached("DELETE FROM log_record WHERE trace_no IS NULL AND time_unix_nano < ?")
        logs.bind(1, p.tracesBefore)
        try logs.run()
        for table in ["business_rollup", "psp_latency_rollup", "metric_histogram"] {
            let s = try c.cached("DELETE FROM \(table) WHERE period_start < ?")
            s.bind(1, p.rollupsBefore)
            try s.run()
        }
        // The newest trace number that goes: by age, or beyond the count budget.
        let byAge = try c.cached("SELECT coalesce(max(trace_no), 0) FROM trace WHERE started_at < ?")
        byAge.bind(1, p.tracesBefore)
        var cut = try byAge.step() ? byAge.int(0) : 0
        byAge.reset()
        let newest = try c.cached("SELECT coalesce(max(trace_no), 0) FROM trace")
        let maxNo = try newest.step() ? newest.int(0) : 0
        newest.reset()
        cut = max(cut, maxNo - p.maxTraces)
        guard cut > 0 else { return }
        // Traces of checkouts still open, or still named by a queue message, stay whole.
        let keep = """
            trace_no NOT IN (SELECT trace_no FROM payment_event WHERE is_payment_done = 0 AND trace_no IS NOT NULL
                             UNION SELECT e.trace_no FROM queue_message m JOIN payment_event e ON e.checkout_id = m.checkout_id)
            """
        for table in ["span_link_data", "span_event_data", "span_data", "log_record", "business_event_data", "received_trace", "trace"] {
            let s = try c.cached("DELETE FROM \(table) WHERE trace_no <= ? AND \(keep)")
            s.bind(1, cut)
            try s.run()
        }
    }

    /// A metric value as it was recorded: an integer stays an integer.
    private static func bind(_ s: Statement, _ i: Int32, _ v: MetricPointRow.Value) {
        switch v {
        case .integer(let n): s.bind(i, n)
        case .real(let d): s.bind(i, d)
        }
    }

    /// Merges a metric point into the row of its period that is there already; returns the
    /// merged histogram to keep for a roll-up minute's distribution.
    private func mergeMetricPoint(_ r: MetricPointRow) throws -> HistogramBuckets? {
        switch r.kind {
        case .counter:
            let u = try c.cached("UPDATE metric_data SET value = value + ?4 WHERE series_id = ?1 AND period_seconds = ?2 AND period_start = ?3")
            u.bind(1, r.seriesID).bind(2, r.periodSeconds).bind(3, r.periodStart)
            Self.bind(u, 4, r.value)
            try u.run()
            return nil
        case .gauge:
            // A gauge row always carries its peak in `max` (that is how `kind` tells it).
            let u = try c.cached("""
                UPDATE metric_data SET value = ?4, max = max(coalesce(max, ?5), ?5)
                WHERE series_id = ?1 AND period_seconds = ?2 AND period_start = ?3
                """)
            u.bind(1, r.seriesID).bind(2, r.periodSeconds).bind(3, r.periodStart).bind(5, r.max ?? 0)
            Self.bind(u, 4, r.value)
            try u.run()
            return nil
        case .distribution:
            var merged: HistogramBuckets?
            if let mine = r.buckets {
                let q = try c.cached("SELECT buckets FROM metric_histogram WHERE series_id = ? AND period_start = ?")
                q.bind(1, r.seriesID).bind(2, r.periodStart)
                var all = mine
                if try q.step(), let there = HistogramBuckets(decoding: q.blob(0)) { all.add(there) }
                q.reset()
                merged = all
            }
            // Percentiles from the merged histogram (µs → ms) where there is one, else the
            // newer part's.
            func ms(_ p: Double) -> Double? { merged?.percentile(p).map { (Double($0) / 1000 * 1000).rounded() / 1000 } }
            let u = try c.cached("""
                UPDATE metric_data SET value = value + ?4, count = coalesce(count, 0) + ?5,
                  min = CASE WHEN min IS NULL THEN ?6 WHEN ?6 IS NULL THEN min ELSE min(min, ?6) END,
                  max = CASE WHEN max IS NULL THEN ?7 WHEN ?7 IS NULL THEN max ELSE max(max, ?7) END,
                  p50 = coalesce(?8, p50), p95 = coalesce(?9, p95), p99 = coalesce(?10, p99)
                WHERE series_id = ?1 AND period_seconds = ?2 AND period_start = ?3
                """)
            u.bind(1, r.seriesID).bind(2, r.periodSeconds).bind(3, r.periodStart).bind(5, r.count ?? 0)
            Self.bind(u, 4, r.value)
            func real(_ i: Int32, _ v: Double?) { if let v { u.bind(i, v) } else { u.bind(i, nil as Int64?) } }
            real(6, r.min); real(7, r.max)
            real(8, ms(50) ?? r.p50); real(9, ms(95) ?? r.p95); real(10, ms(99) ?? r.p99)
            try u.run()
            return merged
        }
    }
}
