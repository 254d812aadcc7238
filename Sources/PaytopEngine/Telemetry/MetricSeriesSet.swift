import PaytopStore
import PaytopVocabulary
import PaytopJSON

/// Which metric series exist, with the names CloudWatch uses where it has one, and when
/// the engine reads them. docs/telemetry.md lists them.
struct MetricSeriesSet {
    struct QueueSeries { let visible, notVisible, delayed, age, sent, received, deleted, emptyReceives: MetricsRecorder.Series }
    struct FunctionSeries { let invocations, errors, throttles, coldStarts, concurrent, duration, coldDuration, warmDuration, initDuration: MetricsRecorder.Series }
    var queues: [(QueueName, QueueSeries)] = []
    var functions: [(FunctionName, FunctionSeries)] = []
    let apiCount, api4xx, api5xx, api429, apiLatency, integrationLatency: MetricsRecorder.Series
    let pspCalls, pspLatency, psp200, psp402, psp500: MetricsRecorder.Series
    let received, settled, failed, rejected, conversion: MetricsRecorder.Series
    let sloGood: [SloName: MetricsRecorder.Series]
    let sloValid: [SloName: MetricsRecorder.Series]
    /// Checkouts counted bad at their settlement objective that have not ended (a gauge).
    let sloBadInFlight: MetricsRecorder.Series
    let settlementDeadlines: SettlementDeadlines
    let recorder: MetricsRecorder
    let dynamo: DynamoSeries

    init(_ m: MetricsRecorder, settlementSweptThrough: EngineTime) {
        recorder = m
        settlementDeadlines = SettlementDeadlines(sweptThrough: settlementSweptThrough)
        dynamo = DynamoSeries(m)
        for q in QueueName.allCases {
            let d = MetricDimensions.queue(q)
            queues.append((q, QueueSeries(
                visible: m.series(.messagesVisible, d, unit: "count", .gauge),
                notVisible: m.series(.messagesNotVisible, d, unit: "count", .gauge),
                delayed: m.series(.messagesDelayed, d, unit: "count", .gauge),
                age: m.series(.ageOfOldestMessage, d, unit: "s", .gauge),
                sent: m.series(.messagesSent, d, unit: "count", .counter),
                received: m.series(.messagesReceived, d, unit: "count", .counter),
                deleted: m.series(.messagesDeleted, d, unit: "count", .counter),
                emptyReceives: m.series(.emptyReceives, d, unit: "count", .counter))))
        }
        for f in FunctionName.allCases {
            let d = MetricDimensions.function(f)
            functions.append((f, FunctionSeries(
                invocations: m.series(.invocations, d, unit: "count", .counter),
                errors: m.series(.errors, d, unit: "count", .counter),
                throttles: m.series(.throttles, d, unit: "count", .counter),
                coldStarts: m.series(.coldStarts, d, unit: "count", .counter),
                concurrent: m.series(.concurrentExecutions, d, unit: "count", .gauge),
                duration: m.series(.duration, d, unit: "ms", .distribution),
                coldDuration: m.series(.duration, MetricDimensions.function(f, coldStart: true), unit: "ms", .distribution),
                warmDuration: m.series(.duration, MetricDimensions.function(f, coldStart: false), unit: "ms", .distribution),
                initDuration: m.series(.initDuration, d, unit: "ms", .distribution))))
        }
        let api = MetricDimensions.api
        apiCount = m.series(.count, api, unit: "count", .counter)
        api4xx = m.series(.clientErrors, api, unit: "count", .counter)
        api5xx = m.series(.serverErrors, api, unit: "count", .counter)
        api429 = m.series(.throttledRequests, api, unit: "count", .counter)
        apiLatency = m.series(.latency, api, unit: "ms", .distribution)
        integrationLatency = m.series(.integrationLatency, api, unit: "ms", .distribution)
        let psp = MetricDimensions.psp
        pspCalls = m.series(.pspCalls, psp, unit: "count", .counter)
        pspLatency = m.series(.pspLatency, psp, unit: "ms", .distribution)
        psp200 = m.series(.pspResponses, MetricDimensions.pspResponses(code: 200), unit: "count", .counter)
        psp402 = m.series(.pspResponses, MetricDimensions.pspResponses(code: 402), unit: "count", .counter)
        psp500 = m.series(.pspResponses, MetricDimensions.pspResponses(code: 500), unit: "count", .counter)
        let biz = MetricDimensions.business
        received = m.series(.checkoutsReceived, biz, unit: "count", .counter)
        settled = m.series(.checkoutsSettled, biz, unit: "count", .counter)
        failed = m.series(.checkoutsFailed, biz, unit: "count", .counter)
        rejected = m.series(.checkoutsRejected, biz, unit: "count", .counter)
        conversion = m.series(.conversion, biz, unit: "percent", .gauge)
        var good: [SloName: MetricsRecorder.Series] = [:], valid: [SloName: MetricsRecorder.Series] = [:]
        for n in SloName.allCases {
            good[n] = m.series(.sloGoodEvents, MetricDimensions.slo(n.rawValue), unit: "count", .counter)
            valid[n] = m.series(.sloValidEvents, MetricDimensions.slo(n.rawValue), unit: "count", .counter)
        }
        sloGood = good
        sloValid = valid
        sloBadInFlight = m.series(.sloBadEventsInFlight, MetricDimensions.slo(SloName.settlement.rawValue), unit: "count", .gauge)
    }

    func reconciliationMismatches(_ c: MismatchClass) -> MetricsRecorder.Series {
        recorder.series(.reconciliationMismatches, MetricDimensions.mismatchClass(c), unit: "count", .gauge)
    }

    func unreconciledAmount(_ currency: String) -> MetricsRecorder.Series {
        recorder.series(.unreconciledAmount, MetricDimensions.currency(currency), unit: "minor units", .gauge)
    }

    var autoMatchRate: MetricsRecorder.Series {
        recorder.series(.autoMatchRate, MetricDimensions.reconciliation, unit: "percent", .gauge)
    }

    var reconciliationLatency: MetricsRecorder.Series {
        recorder.series(.reconciliationLatency, MetricDimensions.reconciliation, unit: "ms", .distribution)
    }

    /// One DynamoDB call: its latency (or a system error) per table and operation, and the
    /// capacity it consumed per table.
    /// A call the SDK gave up on after throttles (`throttledOut`) is neither a success nor
    /// a system error (CloudWatch counts throttled requests as HTTP 400, not UserErrors).
    func recordDynamoCall(_ op: DynamoOperation, tables: [DynamoTable], items: Int64, latency: Nanos, failed: Bool, throttledOut: Bool = false) {
        for t in tables {
            if throttledOut { continue }
            if failed {
                recorder.add(dynamo.series(.systemErrors, t, op, unit: "count", .counter), 1)
            } else {
                recorder.observe(dynamo.series(.successfulRequestLatency, t, op, unit: "ms", .distribution), micros: latency / 1000)
            }
            if op.writeUnitsPerItem > 0 {
                recorder.add(dynamo.series(.consumedWriteCapacityUnits, t, nil, unit: "count", .counter), op.writeUnitsPerItem * items)
            }
            if op.readUnitsPerItem > 0 {
                recorder.add(dynamo.series(.consumedReadCapacityUnits, t, nil, unit: "count", .counter), op.readUnitsPerItem * items)
            }
        }
    }

    /// Requests a table refused (`dynamodb-throttle`): ThrottledRequests +1 each, and
    /// Read/WriteThrottleEvents +1 per item of each.
    func recordDynamoThrottles(_ op: DynamoOperation, tables: [DynamoTable], items: Int, requests: Int) {
        for t in tables {
            recorder.add(dynamo.series(.throttledRequests, t, nil, unit: "count", .counter), Int64(requests))
            let events: MetricName = op.readUnitsPerItem > 0 ? .readThrottleEvents : .writeThrottleEvents
            recorder.add(dynamo.series(events, t, nil, unit: "count", .counter), Int64(requests * items))
        }
    }

    func revenue(_ currency: String) -> MetricsRecorder.Series {
        recorder.series(.revenue, MetricDimensions.currency(currency), unit: "minor units", .counter)
    }
}

/// The DynamoDB series by metric, table and operation, each made on its first call (so
/// their ids come in the order calls first need them) and then found by its enums: every
/// DynamoDB span records two or three of them, and building their dimensions' JSON and
/// hashing it on every call was a tenth of the live engine thread's CPU.
final class DynamoSeries {
    private struct Key: Hashable {
        let metric: MetricName
        let table: DynamoTable
        let operation: DynamoOperation?
    }

    private let recorder: MetricsRecorder
    private var made: [Key: MetricsRecorder.Series] = [:]

    init(_ recorder: MetricsRecorder) { self.recorder = recorder }

    /// `operation` nil: a per-table series (the consumed capacity ones).
    func series(_ metric: MetricName, _ table: DynamoTable, _ operation: DynamoOperation?, unit: String,
                _ kind: MetricsRecorder.Kind) -> MetricsRecorder.Series {
        let key = Key(metric: metric, table: table, operation: operation)
        if let s = made[key] { return s }
        let dimensions = operation.map { MetricDimensions.table(table, $0) } ?? MetricDimensions.table(table)
        let s = recorder.series(metric, dimensions, unit: unit, kind)
        made[key] = s
        return s
    }
}
