import PaytopStore
import PaytopVocabulary

/// SLIs, budgets and burn rates from the exporter's metric tables (docs/clickhouse.md): each
/// objective's good and valid counters summed from every window's start in one pass
/// (`sumIf` a window, bounded by the longest), the in-flight gauge's latest reading, the
/// conversion (settled ÷ received) over the longest window from the business events counted
/// by name; then `SloReport.assemble`.
public struct ClickHouseSloReading: SloReading {
    public let client: ClickHouseClient
    let business: ClickHouseBusinessReading

    public init(_ client: ClickHouseClient) throws(ClickHouseClient.Failure) {
        self.client = client
        business = try ClickHouseBusinessReading(client)
        let t = client.endpoint.tables
        let schema = try ClickHouseSchema.describe(client, [t.sum, t.gauge])
        try schema.require(t.sum, ExporterTables.sumColumns, at: client.endpoint)
        try schema.require(t.gauge, ExporterTables.gaugeColumns, at: client.endpoint)
    }

    public func slo(definitions: [SloDefinition]) throws -> SloReport {
        let at = try ClickHouseClock.latest(client, timestampTime: business.timestampTime)
        return try slo(definitions: definitions, at: at, conversion: try business.conversion(at: at, since: SloReport.longestWindow(definitions)))
    }

    /// The report at a clock already read, with the conversion beside it.
    func slo(definitions: [SloDefinition], at: Int64, conversion: Double?) throws -> SloReport {
        let e = client.endpoint
        let starts = Array(Set(definitions.flatMap { SloReport.windowStarts($0, at: at) })).sorted()
        let names = Array(Set(definitions.flatMap { [$0.goodMetric, $0.validMetric] })).sorted()
        var totals: [String: [Int64: Int64]] = [:]
        for r in try client.read(ClickHouseQueries.counterTotals(e, names: names, starts: starts, to: at)).rows {
            let text = r.map { $0.stringValue ?? "" }
            let key = ClickHouseWindowMetrics.key(text[0], text[1])
            for (start, sum) in zip(starts, text.dropFirst(2)) { totals[key, default: [:]][start, default: 0] += Int64(sum) ?? 0 }
        }
        var gauges: [String: Double] = [:]
        for r in try client.read(ClickHouseQueries.latestGaugeReadings(e, name: MetricName.sloBadEventsInFlight.rawValue, at: at)).rows {
            let text = r.map { $0.stringValue ?? "" }
            gauges[ClickHouseWindowMetrics.key(text[0], text[1])] = Double(text[2])
        }
        return try SloReport.assemble(
            at: at, definitions: definitions,
            total: { name, dimensions, from in totals[ClickHouseWindowMetrics.key(name, dimensions)]?[from] ?? 0 },
            latestGauge: { name, dimensions in gauges[ClickHouseWindowMetrics.key(name, dimensions)] },
            conversion: conversion)
    }
}
