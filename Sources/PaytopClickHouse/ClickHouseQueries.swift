import PaytopIngest

/// Every SQL text paytop sends to ClickHouse, each named after its question (the house
/// keeps SQL in named queries: PaytopStore holds SQLite's, this file ClickHouse's; the
/// exporter's DDL is in ExporterTables). Values go in as quoted literals (`literal`);
/// names are the endpoint's, checked identifiers.
enum ClickHouseQueries {
    /// A ClickHouse string literal.
    static func literal(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// A condition: the attribute map names the checkout under one of ingest's spellings
    /// (the bloom index on the map's values prunes granules first).
    static func namesCheckout(_ map: String, _ checkout: String) -> String {
        let v = literal(checkout)
        return "has(mapValues(\(map)), \(v)) AND (" + BusinessEventFields.checkoutKeys.map { "\(map)[\(literal($0))] = \(v)" }.joined(separator: " OR ") + ")"
    }

    /// A log record that may be a business event: an event name key, or a JSON body naming one.
    static let mayBeBusinessEvent = """
        (mapContains(LogAttributes, 'event.name') OR mapContains(LogAttributes, 'event_name') OR mapContains(LogAttributes, 'event_type')
         OR mapContains(LogAttributes, 'event.type') OR (startsWith(Body, '{') AND (position(Body, 'event') > 0)))
        """

    /// The columns of these tables (table, name, type).
    static func columnsOf(_ e: ClickHouseEndpoint, tables: [String]) -> String {
        "SELECT table, name, type FROM system.columns WHERE database = \(literal(e.database)) AND table IN (\(tables.map(literal).joined(separator: ", ")))"
    }

    /// Reads the table itself, not a projection: queries the trace-ordered projection
    /// (`paytop clickhouse prepare --trace-order`) would answer by reading all of it (it has no
    /// skip indexes, and is not ordered by time).
    static let tableItself = "\nSETTINGS optimize_use_projections = 0"

    /// Which traces name the checkout, in log records or spans, each with its first time (ns).
    static func tracesNamingCheckout(_ e: ClickHouseEndpoint, _ checkout: String) -> String {
        """
        SELECT TraceId, toString(min(toUnixTimestamp64Nano(Timestamp))) AS first FROM (
            SELECT TraceId, Timestamp FROM \(e.qualified(e.tables.logs)) WHERE \(namesCheckout("LogAttributes", checkout)) AND TraceId != ''
            UNION ALL
            SELECT TraceId, Timestamp FROM \(e.qualified(e.tables.traces)) WHERE \(namesCheckout("SpanAttributes", checkout))
        ) GROUP BY TraceId ORDER BY first, TraceId\(tableItself)
        """
    }

    /// A trace's spans (and each one's events: times in ns, names, attributes as JSON); with the
    /// lookup table, within its time range (a scalar subquery ClickHouse folds before it picks
    /// partitions). With the trace-ordered projection, ClickHouse reads the trace's granule there.
    static func spansOfTrace(_ e: ClickHouseEndpoint, _ traceID: String, lookup: Bool) -> String {
        let id = literal(traceID)
        let with = lookup ? "WITH (SELECT tuple(min(Start), max(End), count()) FROM \(e.qualified(e.tables.traceIDLookup)) WHERE TraceId = \(id)) AS range\n" : ""
        let bound = lookup ? " AND (range.3 = 0 OR (Timestamp >= toDateTime64(range.1, 9) - 1 AND Timestamp <= toDateTime64(range.2, 9) + 1))" : ""
        return """
            \(with)SELECT SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes['service.version'],
                   toString(toUnixTimestamp64Nano(Timestamp)), toString(Duration), StatusCode, StatusMessage, toJSONString(SpanAttributes),
                   arrayMap(t -> toString(toUnixTimestamp64Nano(t)), `Events.Timestamp`), `Events.Name`, arrayMap(a -> toJSONString(a), `Events.Attributes`)
            FROM \(e.qualified(e.tables.traces)) WHERE TraceId = \(id)\(bound)
            ORDER BY Timestamp, SpanId
            """
    }

    /// Spans of other traces linking into the trace, from its first span (ns) to an hour
    /// after its last: linking span's name, trace, id, and the span it links to.
    static func linksIntoTrace(_ e: ClickHouseEndpoint, _ traceID: String, fromNanos: Int64, toNanos: Int64) -> String {
        let id = literal(traceID)
        return """
            SELECT SpanName, TraceId, SpanId, link.2 FROM \(e.qualified(e.tables.traces))
            ARRAY JOIN arrayZip(`Links.TraceId`, `Links.SpanId`) AS link
            WHERE Timestamp >= fromUnixTimestamp64Nano(toInt64(\(fromNanos))) AND Timestamp <= fromUnixTimestamp64Nano(toInt64(\(toNanos))) + INTERVAL 1 HOUR
              AND has(`Links.TraceId`, \(id)) AND link.1 = \(id)
            ORDER BY Timestamp, SpanId\(tableItself)
            """
    }

    /// The log records of these traces, and those naming the checkout with no trace id,
    /// oldest first: time (ns), span, service, body, attributes (JSON), trace.
    static func recordsOfTraces(_ e: ClickHouseEndpoint, _ traceIDs: [String], orNaming checkout: String) -> String {
        let untraced = "(TraceId = '' AND \(namesCheckout("LogAttributes", checkout)))"
        let condition = traceIDs.isEmpty ? untraced : "(TraceId IN (\(traceIDs.map(literal).joined(separator: ", "))) OR \(untraced))"
        return """
            SELECT toString(toUnixTimestamp64Nano(Timestamp)), SpanId, ServiceName, Body, toJSONString(LogAttributes), TraceId
            FROM \(e.qualified(e.tables.logs)) WHERE \(condition) ORDER BY Timestamp
            """
    }

    /// The newest `limit` records that may be business events (all with nil), newest first;
    /// a checkout's: naming it, or in its traces: time (ns), trace, span, service, version,
    /// body, attributes (JSON).
    static func latestBusinessEventRecords(_ e: ClickHouseEndpoint, limit: Int?, checkout: String?, traceIDs: [String],
                                           withinSeconds: Int? = nil) -> String {
        var condition = mayBeBusinessEvent
        if let withinSeconds {
            // The latest records only: their second and the `withinSeconds` before (the partition key's column).
            let logs = e.qualified(e.tables.logs)
            condition = "TimestampTime >= (SELECT max(TimestampTime) FROM \(logs)) - \(withinSeconds) AND " + condition
        }
        if let checkout {
            condition += " AND (\(namesCheckout("LogAttributes", checkout))"
                + (traceIDs.isEmpty ? ")" : " OR TraceId IN (\(traceIDs.map(literal).joined(separator: ", "))))")
        }
        return """
            SELECT toString(toUnixTimestamp64Nano(Timestamp)), TraceId, SpanId, ServiceName, ResourceAttributes['service.version'], Body,
                   toJSONString(LogAttributes)
            FROM \(e.qualified(e.tables.logs)) WHERE \(condition)
            ORDER BY Timestamp DESC\(limit.map { " LIMIT \($0)" } ?? "")
            """
    }

    /// Rows into a table, as JSONEachRow after the statement.
    static func insertRows(_ e: ClickHouseEndpoint, table: String, columns: String) -> String {
        "INSERT INTO \(e.qualified(table)) (\(columns)) FORMAT JSONEachRow"
    }

    /// A business-event field as ingest reads it: the first of its spellings present, a log
    /// attribute before a JSON body's field of the same name (a dotted spelling also as the
    /// body's nested objects); '' when none is. Without `bodies` (no JSON body names an event
    /// in the window: `jsonBodyEvents`) the attributes only: half the work.
    static func field(_ spellings: [String], bodies: Bool = true) -> String {
        // Nested if() and notEmpty(): what ClickHouse's analyzer leaves as written, so a query's
        // expression and the projection's stay the same (multiIf and `!= ''` are rewritten in
        // queries but not in projections, which then cannot answer them).
        var arms: [(condition: String, value: String)] = []
        for k in spellings {
            let attribute = "LogAttributes[\(literal(k))]"
            arms.append(("notEmpty(\(attribute))", attribute))
            guard bodies else { continue }
            var paths = [[k]]
            if k.contains(".") { paths.append(k.split(separator: ".").map(String.init)) }
            for path in paths {
                let p = path.map(literal).joined(separator: ", ")
                let body = "if(JSONType(Body, \(p)) = 'String', JSONExtractString(Body, \(p)), "
                    + "if(JSONType(Body, \(p)) IN ('Int64', 'UInt64', 'Double', 'Bool'), JSONExtractRaw(Body, \(p)), ''))"
                arms.append(("startsWith(Body, '{') AND notEmpty(\(body))", body))
            }
        }
        return arms.reversed().reduce("''") { rest, arm in "if(\(arm.condition), \(arm.value), \(rest))" }
    }

    /// Log records at or after `fromNanos` (all with nil), bounded by the day partitions
    /// (`TimestampTime` when the table has it, as the exporter's has since v0.10x).
    static func logsFrom(_ fromNanos: Int64?, timestampTime: Bool) -> String {
        guard let fromNanos else { return "1" }
        let seconds = fromNanos / 1_000_000_000
        return "Timestamp >= fromUnixTimestamp64Nano(toInt64(\(fromNanos)))" + (timestampTime ? " AND TimestampTime >= toDateTime(\(seconds))" : "")
    }

    /// Whether the logs table holds any record that may be a business event.
    static func anyBusinessEventRecord(_ e: ClickHouseEndpoint) -> String {
        "SELECT toString(count()) FROM (SELECT 1 FROM \(e.qualified(e.tables.logs)) WHERE \(mayBeBusinessEvent) LIMIT 1)"
    }

    /// The store's clock: the latest time of any span or log record (ns; 0 when empty).
    /// `max(Timestamp)` of the traces comes from the parts' min-max index (the partition key's
    /// column); the logs' is read in their latest second only (`TimestampTime`, their partition
    /// key's column, from its index), when the table has it.
    static func latestRecordTime(_ e: ClickHouseEndpoint, timestampTime: Bool) -> String {
        let logs = e.qualified(e.tables.logs)
        let latestSecond = timestampTime ? " WHERE TimestampTime >= (SELECT max(TimestampTime) FROM \(logs))" : ""
        return """
            SELECT toString(greatest(toUnixTimestamp64Nano((SELECT max(Timestamp) FROM \(e.qualified(e.tables.traces)))),
                                     toUnixTimestamp64Nano((SELECT max(Timestamp) FROM \(logs)\(latestSecond)))))
            """
    }

    /// Metric points whose period starts in [from, to) (all with nil), bounded by the day
    /// partitions (`TimeUnix`, the period's end, is the partition key).
    static func metricsIn(from: Int64?, to: Int64) -> String {
        var c = "StartTimeUnix < fromUnixTimestamp64Nano(toInt64(\(to)))"
        if let from { c += " AND StartTimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from))) AND TimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))" }
        return c
    }

    /// Each counter series' sum over the window: name, attributes (JSON), sum.
    static func counterTotals(_ e: ClickHouseEndpoint, from: Int64?, to: Int64) -> String {
        """
        SELECT MetricName, toJSONString(Attributes), toString(toInt64(round(sum(Value)))) FROM \(e.qualified(e.tables.sum))
        WHERE \(metricsIn(from: from, to: to)) GROUP BY MetricName, Attributes
        """
    }

    /// Each gauge series' highest reading over the window: name, attributes (JSON), max.
    static func gaugePeaks(_ e: ClickHouseEndpoint, from: Int64?, to: Int64) -> String {
        """
        SELECT MetricName, toJSONString(Attributes), toString(max(Value)) FROM \(e.qualified(e.tables.gauge))
        WHERE \(metricsIn(from: from, to: to)) GROUP BY MetricName, Attributes
        """
    }

    /// Each histogram series' buckets merged over the window by bound (`sumMap`: one row a
    /// series), and the sum of its values: name, attributes (JSON), upper bounds, their counts
    /// (a bucket counts what is at most its bound; the overflow bucket past the last bound is
    /// left out), sum.
    static func histogramBuckets(_ e: ClickHouseEndpoint, from: Int64?, to: Int64) -> String {
        """
        SELECT MetricName, toJSONString(Attributes), arrayMap(b -> toString(b), merged.1), arrayMap(n -> toString(n), merged.2), toString(total)
        FROM (SELECT MetricName, Attributes, sumMap(ExplicitBounds, arrayResize(BucketCounts, length(ExplicitBounds))) AS merged, sum(Sum) AS total
              FROM \(e.qualified(e.tables.histogram)) WHERE \(metricsIn(from: from, to: to)) GROUP BY MetricName, Attributes)
        """
    }


    /// These counters' sums from each start to `to` (exclusive), series by series: name,
    /// attributes (JSON), then one sum a start — one pass over the longest window.
    static func counterTotals(_ e: ClickHouseEndpoint, names: [String], starts: [Int64], to: Int64) -> String {
        let earliest = starts.min() ?? to
        let columns = starts.map { "toString(toInt64(round(sumIf(Value, StartTimeUnix >= fromUnixTimestamp64Nano(toInt64(\($0)))))))" }
        return """
            SELECT MetricName, toJSONString(Attributes), \(columns.joined(separator: ", ")) FROM \(e.qualified(e.tables.sum))
            WHERE MetricName IN (\(names.map(literal).joined(separator: ", "))) AND \(metricsIn(from: earliest, to: to))
            GROUP BY MetricName, Attributes
            """
    }

    /// A gauge's latest reading at or before `at`, series by series: name, attributes (JSON), value.
    static func latestGaugeReadings(_ e: ClickHouseEndpoint, name: String, at: Int64) -> String {
        """
        SELECT MetricName, toJSONString(Attributes), toString(argMax(Value, StartTimeUnix)) FROM \(e.qualified(e.tables.gauge))
        WHERE MetricName = \(literal(name)) AND StartTimeUnix <= fromUnixTimestamp64Nano(toInt64(\(at))) GROUP BY MetricName, Attributes
        """
    }

    /// The metric series of the sum, gauge and histogram tables (of `name` when given): name,
    /// attributes (JSON), unit, paytop's kind.
    static func metricSeries(_ e: ClickHouseEndpoint, named name: String?) -> String {
        let condition = name.map { "WHERE MetricName = \(literal($0))" } ?? ""
        return [(e.tables.sum, "counter"), (e.tables.gauge, "gauge"), (e.tables.histogram, "distribution")].map { table, kind in
            "SELECT MetricName, toJSONString(Attributes), any(MetricUnit), '\(kind)' FROM \(e.qualified(table)) \(condition) GROUP BY MetricName, Attributes"
        }.joined(separator: "\nUNION ALL\n")
    }

    /// A condition: the point's attributes are exactly these (whatever order the map keeps).
    static func attributesAre(_ pairs: [(String, String)]) -> String {
        (["length(Attributes) = \(pairs.count)"] + pairs.map { "Attributes[\(literal($0.0))] = \(literal($0.1))" }).joined(separator: " AND ")
    }

    /// A series' last `n` points, newest first: period start (ns), value, and for a histogram
    /// count, min, max, bounds and bucket counts.
    static func latestMetricPoints(_ e: ClickHouseEndpoint, table: String, histogram: Bool, name: String, attributes: [(String, String)], n: Int) -> String {
        let rest = histogram ? "toString(Sum), toString(Count), toString(Min), toString(Max), ExplicitBounds, BucketCounts" : "toString(Value)"
        return """
            SELECT toString(toUnixTimestamp64Nano(StartTimeUnix)), \(rest) FROM \(e.qualified(table))
            WHERE MetricName = \(literal(name)) AND \(attributesAre(attributes)) ORDER BY StartTimeUnix DESC LIMIT \(n)
            """
    }

    /// A condition: the metric is one of these names.
    static func metricNamed(_ names: [String]) -> String {
        "MetricName IN (\(names.map(literal).joined(separator: ", ")))"
    }

    /// The points of these series' names in a metric table from `from` to `to` (ns), the
    /// latest `perSeries` of each: name, attributes (JSON), period start (ns), value (a
    /// histogram's Sum), and for a histogram count, bounds and bucket counts.
    static func metricPoints(_ e: ClickHouseEndpoint, table: String, histogram: Bool, names: [String], from: Int64, to: Int64, perSeries: Int?) -> String {
        let rest = histogram ? "toString(Sum), toString(Count), ExplicitBounds, BucketCounts" : "toString(Value)"
        return """
            SELECT MetricName, toJSONString(Attributes), toString(toUnixTimestamp64Nano(StartTimeUnix)), \(rest) FROM \(e.qualified(table))
            WHERE \(metricNamed(names)) AND StartTimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))
              AND StartTimeUnix <= fromUnixTimestamp64Nano(toInt64(\(to))) AND TimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))
            ORDER BY MetricName, Attributes, StartTimeUnix DESC\(perSeries.map { " LIMIT \($0) BY MetricName, Attributes" } ?? "")
            """
    }

    /// The first period start of these series (by name and attributes) in the sum and gauge tables (ns; 0 without one).
    static func firstMetricPoint(_ e: ClickHouseEndpoint, series: [(table: String, name: String, attributes: [(String, String)])]) -> String {
        let parts = series.map { s in
            "SELECT min(toUnixTimestamp64Nano(StartTimeUnix)) AS t FROM \(e.qualified(s.table)) WHERE MetricName = \(literal(s.name)) AND \(attributesAre(s.attributes))"
        }
        return "SELECT toString(coalesce(minOrNull(t), 0)) FROM (\(parts.joined(separator: " UNION ALL ")))"
    }

    /// The first period start of any metric point (ns; 0 without one).
    static func earliestMetricPoint(_ e: ClickHouseEndpoint) -> String {
        let parts = [e.tables.sum, e.tables.gauge, e.tables.histogram].map { "SELECT min(toUnixTimestamp64Nano(StartTimeUnix)) AS t FROM \(e.qualified($0))" }
        return "SELECT toString(coalesce(minOrNull(t), 0)) FROM (\(parts.joined(separator: " UNION ALL ")) ) WHERE t > 0"
    }

    /// A counter's sum per minute over [from, to] (ns), series by series: attributes (JSON),
    /// minute start, sum.
    static func counterMinutes(_ e: ClickHouseEndpoint, name: String, from: Int64, to: Int64) -> String {
        """
        SELECT toJSONString(Attributes), toString(intDiv(toUnixTimestamp64Nano(StartTimeUnix), 60000000000) * 60000000000) AS minute,
               toString(toInt64(round(sum(Value))))
        FROM \(e.qualified(e.tables.sum))
        WHERE MetricName = \(literal(name)) AND StartTimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))
          AND StartTimeUnix <= fromUnixTimestamp64Nano(toInt64(\(to))) AND TimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))
        GROUP BY Attributes, minute
        """
    }

    /// A counter's sum over [from, to) (ns), series by series: attributes (JSON), sum.
    static func counterTotal(_ e: ClickHouseEndpoint, name: String, from: Int64, to: Int64) -> String {
        """
        SELECT toJSONString(Attributes), toString(toInt64(round(sum(Value)))) FROM \(e.qualified(e.tables.sum))
        WHERE MetricName = \(literal(name)) AND StartTimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))
          AND StartTimeUnix < fromUnixTimestamp64Nano(toInt64(\(to))) AND TimeUnix >= fromUnixTimestamp64Nano(toInt64(\(from)))
        GROUP BY Attributes
        """
    }

    /// Each service's latest version among its spans of the hour before `at`: service, version.
    static func serviceVersions(_ e: ClickHouseEndpoint, at: Int64) -> String {
        """
        SELECT ServiceName, argMax(ResourceAttributes['service.version'], Timestamp) FROM \(e.qualified(e.tables.traces))
        WHERE Timestamp >= fromUnixTimestamp64Nano(toInt64(\(at - 3_600_000_000_000))) AND Timestamp <= fromUnixTimestamp64Nano(toInt64(\(at)))
        GROUP BY ServiceName\(tableItself)
        """
    }

    /// Whether a log record from `fromNanos` on (all with nil) has a JSON body that may name
    /// an event (the body's token index skips granules without the token `event`).
    static func jsonBodyEvents(_ e: ClickHouseEndpoint, fromNanos: Int64?, timestampTime: Bool) -> String {
        """
        SELECT toString(count()) FROM (SELECT 1 FROM \(e.qualified(e.tables.logs))
            WHERE \(logsFrom(fromNanos, timestampTime: timestampTime)) AND hasToken(Body, 'event') AND startsWith(Body, '{')
              AND position(Body, 'event') > 0 LIMIT 1)
        """
    }

    /// How many rows a table holds.
    static func rowCount(_ e: ClickHouseEndpoint, table: String) -> String {
        "SELECT toString(count()) FROM \(e.qualified(table))"
    }

    /// Which log records a business query counts, and how. Records whose body is not a JSON
    /// object carry their fields as attributes: read with the attribute spellings only
    /// (`plain`), from paytop's projection when the table has it (`paytop clickhouse
    /// prepare`), else raw within the window's day partitions. Records with a JSON body (a
    /// CloudWatch Logs receiver's Powertools lines) are read raw with every spelling, body
    /// included (`jsonBodies`), and only when the window has any. Every record is one or the other.
    enum BusinessPart: Sendable {
        case plain(projection: Bool, timestampTime: Bool)
        case jsonBodies(timestampTime: Bool)

        var bodies: Bool { if case .jsonBodies = self { true } else { false } }
    }

    /// The trace-ordered projection's name on the traces table.
    static let traceProjectionName = "paytop_by_trace_v1"

    /// The projection's name on the logs table; a paytop whose projection differs names it anew
    /// (`prepare` drops the others: a stale one would answer no query, and cost every insert).
    static let businessProjectionName = "paytop_business_v2"

    /// Whether a record's body is a JSON object: the projection keeps it as a key, so the plain
    /// part's condition is one the projection can answer.
    static let jsonBody = "startsWith(Body, '{')"

    /// The fields the business report tells apart, as expressions of a log record: the
    /// event name's spellings one by one, stage, outcome, currency, merchant, error code and
    /// category, PSP latency (ms).
    static func businessKeys(bodies: Bool) -> [(alias: String, expr: String)] {
        typealias K = BusinessEventFields.Key
        return K.name.enumerated().map { ("n\($0.offset)", field([$0.element], bodies: bodies)) } + [
            ("stage", field(K.stage, bodies: bodies)), ("outcome", field(K.outcome, bodies: bodies)),
            ("currency", field(K.currency, bodies: bodies)), ("merchant", field(K.merchant, bodies: bodies)),
            ("code", field(K.errorCode, bodies: bodies)), ("category", field(K.errorCategory, bodies: bodies)),
            ("latency", field(K.pspLatency, bodies: bodies)),
        ]
    }

    /// The amounts' sum as an exact decimal.
    static func amountSum(bodies: Bool) -> String { "sum(toDecimal128OrZero(\(field(BusinessEventFields.Key.amount, bodies: bodies)), 2))" }

    /// The records of [from, to] (ns; nil: unbounded) a part counts.
    static func businessRecords(_ part: BusinessPart, from: Int64?, to: Int64? = nil) -> String {
        switch part {
        case .plain(projection: true, _):
            // Only the projection's own keys: windows start on whole minutes, and the clock is the latest record.
            var c = ["\(jsonBody) = 0"]
            if let from { c.append("toStartOfMinute(Timestamp) >= toDateTime(\(from / 1_000_000_000))") }
            if let to { c.append("toStartOfMinute(Timestamp) <= toDateTime(\(to / 1_000_000_000))") }
            return c.joined(separator: " AND ")
        case .plain(projection: false, let timestampTime), .jsonBodies(let timestampTime):
            let kind = part.bodies ? "\(jsonBody) AND position(Body, 'event') > 0" : "\(jsonBody) = 0 AND \(mayBeBusinessEvent)"
            return "\(kind) AND \(logsFrom(from, timestampTime: timestampTime))"
                + (to.map { " AND Timestamp <= fromUnixTimestamp64Nano(toInt64(\($0)))" } ?? "")
        }
    }

    /// A business query over `keys`: the keys, then `aggregates`, grouped (and, for the
    /// projection, Map subscripts read as themselves, not as subcolumns, so they match its expressions).
    static func businessQuery(_ e: ClickHouseEndpoint, _ part: BusinessPart, keys: [(alias: String, expr: String)], extra: [(alias: String, expr: String)] = [],
                              aggregates: [String], from: Int64?, to: Int64? = nil) -> String {
        let all = keys + extra
        var projection = false
        if case .plain(true, _) = part { projection = true }
        return """
            SELECT \((all.map { "\($0.expr) AS \($0.alias)" } + aggregates).joined(separator: ",\n       "))
            FROM \(e.qualified(e.tables.logs)) WHERE \(businessRecords(part, from: from, to: to))
            GROUP BY \(all.map(\.alias).joined(separator: ", "))\(projection ? "\nSETTINGS optimize_functions_to_subcolumns = 0" : "")
            """
    }

    /// The business events since `fromNanos`, grouped by every field the business report
    /// tells apart: the keys (`businessKeys`), events, the amounts' sum in hundredths.
    static func businessEventGroups(_ e: ClickHouseEndpoint, fromNanos: Int64?, _ part: BusinessPart) -> String {
        businessQuery(e, part, keys: businessKeys(bodies: part.bodies),
                      aggregates: ["toString(count())", "toString(toInt64(\(amountSum(bodies: part.bodies)) * 100))"], from: fromNanos)
    }

    /// The business events since `fromNanos`, counted by the spellings of their name and
    /// their stage only (the conversion beside the SLOs needs no more): names, stage, events.
    static func businessEventNames(_ e: ClickHouseEndpoint, fromNanos: Int64?, _ part: BusinessPart) -> String {
        let names = BusinessEventFields.Key.name.count
        return businessQuery(e, part, keys: Array(businessKeys(bodies: part.bodies).prefix(names + 1)), aggregates: ["toString(count())"], from: fromNanos)
    }

    /// Business events per minute over [from, to] (ns), by the spellings of their name, stage
    /// and currency: names, stage, currency, minute, minute (ns), events, amounts in hundredths.
    static func businessEventMinutes(_ e: ClickHouseEndpoint, from: Int64, to: Int64, _ part: BusinessPart) -> String {
        let keys = businessKeys(bodies: part.bodies)
        let names = BusinessEventFields.Key.name.count
        return businessQuery(e, part, keys: Array(keys.prefix(names + 1)) + [keys[names + 2]],
                             extra: [("minute", "toStartOfMinute(Timestamp)")],
                             aggregates: ["toString(toInt64(toUnixTimestamp(minute)) * 1000000000)", "toString(count())",
                                          "toString(toInt64(\(amountSum(bodies: part.bodies)) * 100))"], from: from, to: to)
    }

    /// paytop's projections on the logs table other than this version's: name.
    static func otherBusinessProjections(_ e: ClickHouseEndpoint) -> String {
        """
        SELECT name FROM system.projections WHERE database = \(literal(e.database)) AND table = \(literal(e.tables.logs))
          AND startsWith(name, 'paytop_business') AND name != \(literal(businessProjectionName))
        """
    }

    /// Whether the logs table has paytop's projection.
    static func businessProjectionPresent(_ e: ClickHouseEndpoint) -> String {
        """
        SELECT toString(count()) FROM system.projections
        WHERE database = \(literal(e.database)) AND table = \(literal(e.tables.logs)) AND name = \(literal(businessProjectionName))
        """
    }
}
