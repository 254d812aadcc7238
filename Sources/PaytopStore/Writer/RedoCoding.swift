import PaytopVocabulary
import PaytopProtobuf

/// A `WriteBatch` as the redo log holds it: every field of every row in the order the row
/// declares it (of an update row, only its key and the columns the UPDATE sets, those of
/// `takeUpdate`; the others read back empty), ids that recur given once (`key`), integers
/// as zig-zag varints, text and bytes behind their length, an optional behind a presence
/// byte. No field numbers: the log is read back only by the build that wrote it (a
/// segment names its format version), and positional fields keep an acknowledged
/// checkout's rows near the size they take in the store.
struct RedoEncoder {
    private(set) var writer = ProtobufWriter(capacity: 16 * 1024)

    var bytes: [UInt8] { writer.bytes }

    mutating func int(_ v: Int64) { writer.varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
    mutating func int(_ v: Int) { int(Int64(v)) }
    mutating func bool(_ v: Bool) { writer.varint(v ? 1 : 0) }
    mutating func string(_ v: String) { writer.lengthDelimited(v) }
    mutating func bytes(_ v: [UInt8]) { writer.lengthDelimited(v) }
    mutating func double(_ v: Double) { writer.varint(v.bitPattern) }
    mutating func money(_ v: Money) { int(v.minorUnits) }

    /// Ids that recur across a batch's rows (a checkout's id in its event, orders,
    /// messages, charge and ten business events): the first time as text, then as the
    /// number of its first appearance, for one dictionary look-up an id (measured: 3.8 →
    /// 3.2 KB of log a checkout).
    private var keys: [String: Int] = [:]

    mutating func key(_ v: String) {
        if let i = keys[v] {
            writer.varint(UInt64(i) + 1)
        } else {
            writer.varint(0)
            writer.lengthDelimited(v)
            keys[v] = keys.count
        }
    }
    mutating func key(_ v: String?) { optional(v) { $0.key($1) } }

    mutating func optional<T>(_ v: T?, _ write: (inout RedoEncoder, T) -> Void) {
        if let v { writer.varint(1); write(&self, v) } else { writer.varint(0) }
    }
    mutating func int(_ v: Int64?) { optional(v) { $0.int($1) } }
    mutating func int(_ v: Int?) { optional(v) { $0.int($1) } }
    mutating func string(_ v: String?) { optional(v) { $0.string($1) } }
    mutating func double(_ v: Double?) { optional(v) { $0.double($1) } }

    mutating func rows<R>(_ rows: [R], _ write: (inout RedoEncoder, R) -> Void) {
        writer.varint(UInt64(rows.count))
        for r in rows { write(&self, r) }
    }
}

struct RedoDecoder {
    var reader: ProtobufReader

    init(reader: ProtobufReader) { self.reader = reader }

    mutating func int() throws -> Int64 {
        let z = try reader.varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }
    mutating func int() throws -> Int { Int(try int() as Int64) }
    mutating func bool() throws -> Bool { try reader.varint() != 0 }
    mutating func string() throws -> String { try reader.string() }
    mutating func bytes() throws -> [UInt8] { try reader.bytes() }
    mutating func double() throws -> Double { Double(bitPattern: try reader.varint()) }
    mutating func money() throws -> Money { Money(minorUnits: try int()) }

    private var keys: [String] = []

    mutating func key() throws -> String {
        let i = try reader.varint()
        if i == 0 {
            let v = try reader.string()
            keys.append(v)
            return v
        }
        guard i <= UInt64(keys.count) else { throw ProtobufError.malformed("id \(i) before its first appearance") }
        return keys[Int(i - 1)]
    }
    mutating func optionalKey() throws -> String? { try optional { try $0.key() } }

    mutating func optional<T>(_ read: (inout RedoDecoder) throws -> T) throws -> T? {
        switch try reader.varint() {
        case 0: return nil
        case 1: return try read(&self)
        case let other: throw ProtobufError.malformed("presence byte \(other)")
        }
    }
    mutating func optionalInt() throws -> Int64? { try optional { try $0.int() } }
    mutating func optionalString() throws -> String? { try optional { try $0.string() } }
    mutating func optionalDouble() throws -> Double? { try optional { try $0.double() } }

    mutating func rows<R>(_ read: (inout RedoDecoder) throws -> R) throws -> [R] {
        let n = try reader.varint()
        guard n <= 1 << 28 else { throw ProtobufError.malformed("row count \(n)") }
        var out: [R] = []
        out.reserveCapacity(Int(min(n, 4_096)))  // a damaged count runs out of bytes, not of memory
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }
}

/// Why a batch cannot go to the redo log.
struct RedoUnsupported: Error, CustomStringConvertible {
    var description: String { "the redo log holds the engine's batches only, not received telemetry" }
}

extension WriteBatch {
    /// The batch in the redo log's layout. Received telemetry (which only `paytop collect`
    /// writes, and which answers after its own commit) has no layout here.
    func redoEncoded() throws -> [UInt8] {
        guard received.isEmpty else {
            throw RedoUnsupported()
        }
        var e = RedoEncoder()
        e.rows(paymentEventInserts) { $1.encode(&$0) }
        e.rows(paymentEventUpdates) { $1.encodeUpdate(&$0) }
        e.rows(orderInserts) { $1.encode(&$0) }
        e.rows(orderUpdates) { $1.encodeUpdate(&$0) }
        e.rows(walletUpserts) { $1.encode(&$0) }
        e.rows(ledgerInserts) { $1.encode(&$0) }
        e.rows(messageInserts) { $1.encode(&$0) }
        e.rows(messageUpdates) { $1.encodeUpdate(&$0) }
        e.rows(messageDeletes) { $0.key($1) }
        e.rows(pspInserts) { $1.encode(&$0) }
        e.rows(controlEvents) { $1.encode(&$0) }
        e.rows(controlAcks) { e, a in e.int(a.id); e.string(a.status); e.int(a.appliedAt); e.string(a.result) }
        e.rows(engineState) { e, kv in e.string(kv.key); e.string(kv.value) }
        e.rows(traces) { e, t in e.int(t.traceNo); e.bytes(t.traceID); e.key(t.checkoutID); e.int(t.startedAt) }
        e.rows(spans) { $1.encode(&$0) }
        e.rows(spanLinks) { e, l in e.int(l.traceNo); e.int(l.spanID); e.int(l.linkedTraceNo); e.int(l.linkedSpanID) }
        e.rows(businessEvents) { $1.encode(&$0) }
        e.rows(sdlcEvents) { $1.encode(&$0) }
        e.rows(spanNames) { e, n in e.int(n.code); e.string(n.name); e.string(n.kind.rawValue); e.string(n.attributes) }
        e.rows(eventNames) { e, n in e.int(n.code); e.string(n.name); e.string(n.type); e.string(n.stage); e.string(n.message) }
        e.rows(serviceVersions) { e, s in e.int(s.code); e.string(s.name); e.string(s.version) }
        e.rows(metricSeries) { e, s in e.int(s.id); e.string(s.name); e.string(s.dimensions); e.string(s.unit); e.string(s.kind) }
        e.rows(metricPoints) { $1.encode(&$0) }
        e.optional(prune) { e, p in e.int(p.finePointsBefore); e.int(p.rollupsBefore); e.int(p.tracesBefore); e.int(p.maxTraces) }
        e.optional(heartbeat) { e, h in e.int(h.runID); e.int(h.wallMillis); e.int(h.engineTime) }
        // Last, and only when there are some: a log written before problems existed reads the same.
        if !problems.isEmpty { e.rows(problems) { $1.encode(&$0) } }
        return e.bytes
    }

    /// A batch from the redo log's layout; `ProtobufError` for bytes that are not one.
    init(redo buffer: UnsafeBufferPointer<UInt8>) throws {
        var d = RedoDecoder(reader: ProtobufReader(buffer))
        self.init()
        paymentEventInserts = try d.rows { try PaymentEventRow(&$0) }
        paymentEventUpdates = try d.rows { try PaymentEventRow(update: &$0) }
        orderInserts = try d.rows { try PaymentOrderRow(&$0) }
        orderUpdates = try d.rows { try PaymentOrderRow(update: &$0) }
        walletUpserts = try d.rows { try WalletRow(&$0) }
        ledgerInserts = try d.rows { try LedgerEntryRow(&$0) }
        messageInserts = try d.rows { try QueueMessageRow(&$0) }
        messageUpdates = try d.rows { try QueueMessageRow(update: &$0) }
        messageDeletes = try d.rows { try $0.key() }
        pspInserts = try d.rows { try PspChargeRow(&$0) }
        controlEvents = try d.rows { try ControlEventRow(&$0) }
        controlAcks = try d.rows { ControlAck(id: try $0.int(), status: try $0.string(), appliedAt: try $0.int(), result: try $0.string()) }
        engineState = try d.rows { (key: try $0.string(), value: try $0.string()) }
        traces = try d.rows { TraceRow(traceNo: try $0.int(), traceID: try $0.bytes(), checkoutID: try $0.optionalKey(), startedAt: try $0.int()) }
        spans = try d.rows { try SpanRow(&$0) }
        spanLinks = try d.rows { SpanLinkRow(traceNo: try $0.int(), spanID: try $0.int(), linkedTraceNo: try $0.int(), linkedSpanID: try $0.int()) }
        businessEvents = try d.rows { try BusinessEventRow(&$0) }
        sdlcEvents = try d.rows { try SdlcEventRow(&$0) }
        spanNames = try d.rows { SpanNameRow(code: try $0.int(), name: try $0.string(), kind: SpanKind(stored: try $0.string()), attributes: try $0.string()) }
        eventNames = try d.rows {
            EventNameRow(code: try $0.int(), name: try $0.string(), type: try $0.string(), stage: try $0.string(), message: try $0.string())
        }
        serviceVersions = try d.rows { ServiceVersionRow(code: try $0.int(), name: try $0.string(), version: try $0.string()) }
        metricSeries = try d.rows {
            MetricSeriesRow(id: try $0.int(), name: try $0.string(), dimensions: try $0.string(), unit: try $0.string(), kind: try $0.string())
        }
        metricPoints = try d.rows { try MetricPointRow(&$0) }
        prune = try d.optional {
            TelemetryPrune(finePointsBefore: try $0.int(), rollupsBefore: try $0.int(), tracesBefore: try $0.int(), maxTraces: try $0.int())
        }
        heartbeat = try d.optional { RunLog.Heartbeat(runID: try $0.int(), wallMillis: try $0.int(), engineTime: try $0.int()) }
        if !d.reader.isAtEnd { problems = try d.rows { try ProblemRow(&$0) } }
        guard d.reader.isAtEnd else { throw ProtobufError.malformed("bytes after the batch") }
    }
}

extension PaymentEventRow {
    func encode(_ e: inout RedoEncoder) {
        e.key(checkoutID); e.string(buyerInfo); e.string(sellerInfo); e.string(creditCardInfo); e.bool(isPaymentDone)
        e.money(amountTotal); e.string(currency); e.int(orderCount); e.string(outcome); e.string(failureCode); e.string(simulate)
        e.string(requestHash); e.int(createdAt); e.int(doneAt); e.int(traceNo)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(checkoutID: try d.key(), buyerInfo: try d.string(), sellerInfo: try d.string(), creditCardInfo: try d.string(),
                  isPaymentDone: try d.bool(), amountTotal: try d.money(), currency: try d.string(), orderCount: try d.int(),
                  outcome: try d.optionalString(), failureCode: try d.optionalString(), simulate: try d.optionalString(),
                  requestHash: try d.string(), createdAt: try d.int(), doneAt: try d.optionalInt(), traceNo: try d.optionalInt())
    }
}

extension PaymentEventRow {
    func encodeUpdate(_ e: inout RedoEncoder) {
        e.key(checkoutID); e.bool(isPaymentDone); e.string(outcome); e.string(failureCode); e.int(doneAt)
    }

    init(update d: inout RedoDecoder) throws {
        self.init(checkoutID: try d.key(), buyerInfo: "", sellerInfo: "", creditCardInfo: "", isPaymentDone: try d.bool(),
                  amountTotal: .zero, currency: "", orderCount: 0, outcome: try d.optionalString(), failureCode: try d.optionalString(),
                  simulate: nil, requestHash: "", createdAt: 0, doneAt: try d.optionalInt())
    }
}

extension PaymentOrderRow {
    func encodeUpdate(_ e: inout RedoEncoder) {
        e.key(paymentOrderID); e.string(status); e.bool(ledgerUpdated); e.bool(walletUpdated); e.int(executingAt)
        e.int(completedAt); e.int(updatedAt)
    }

    init(update d: inout RedoDecoder) throws {
        let id = try d.key(), status = try d.string(), ledger = try d.bool(), wallet = try d.bool()
        self.init(paymentOrderID: id, checkoutID: "", buyerAccount: "", sellerAccount: "", amount: .zero, currency: "", status: status,
                  ledgerUpdated: ledger, walletUpdated: wallet, createdAt: 0, executingAt: try d.optionalInt(),
                  completedAt: try d.optionalInt(), updatedAt: try d.int())
    }
}

extension QueueMessageRow {
    func encodeUpdate(_ e: inout RedoEncoder) {
        e.key(messageID); e.key(queueName); e.int(visibleAt); e.int(receiveCount); e.int(firstReceivedAt); e.int(movedAt)
        e.string(lastError)
    }

    init(update d: inout RedoDecoder) throws {
        let id = try d.key(), queue = try d.key()
        self.init(messageID: id, queueName: queue, sourceQueue: "", checkoutID: "", body: "", attributes: "", sentAt: 0,
                  visibleAt: try d.int(), receiveCount: try d.int(), firstReceivedAt: try d.optionalInt(), movedAt: try d.optionalInt(),
                  lastError: try d.optionalString())
    }
}

extension PaymentOrderRow {
    func encode(_ e: inout RedoEncoder) {
        e.key(paymentOrderID); e.key(checkoutID); e.key(buyerAccount); e.key(sellerAccount); e.money(amount)
        e.string(currency); e.string(status); e.bool(ledgerUpdated); e.bool(walletUpdated); e.int(createdAt); e.int(executingAt)
        e.int(completedAt); e.int(updatedAt)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(paymentOrderID: try d.key(), checkoutID: try d.key(), buyerAccount: try d.key(), sellerAccount: try d.key(),
                  amount: try d.money(), currency: try d.string(), status: try d.string(), ledgerUpdated: try d.bool(),
                  walletUpdated: try d.bool(), createdAt: try d.int(), executingAt: try d.optionalInt(),
                  completedAt: try d.optionalInt(), updatedAt: try d.int())
    }
}

extension WalletRow {
    func encode(_ e: inout RedoEncoder) { e.key(merchantID); e.string(currency); e.money(balance); e.int(updatedAt) }

    init(_ d: inout RedoDecoder) throws {
        self.init(merchantID: try d.key(), currency: try d.string(), balance: try d.money(), updatedAt: try d.int())
    }
}

extension LedgerEntryRow {
    func encode(_ e: inout RedoEncoder) {
        e.string(entryID); e.string(transactionID); e.string(account); e.string(direction); e.money(amount); e.string(currency)
        e.key(paymentOrderID); e.int(createdAt)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(entryID: try d.string(), transactionID: try d.string(), account: try d.string(), direction: try d.string(),
                  amount: try d.money(), currency: try d.string(), paymentOrderID: try d.key(), createdAt: try d.int())
    }
}

extension QueueMessageRow {
    func encode(_ e: inout RedoEncoder) {
        e.key(messageID); e.key(queueName); e.key(sourceQueue); e.key(checkoutID); e.string(body); e.string(attributes)
        e.int(sentAt); e.int(visibleAt); e.int(receiveCount); e.int(firstReceivedAt); e.int(movedAt); e.string(lastError)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(messageID: try d.key(), queueName: try d.key(), sourceQueue: try d.key(), checkoutID: try d.key(),
                  body: try d.string(), attributes: try d.string(), sentAt: try d.int(), visibleAt: try d.int(),
                  receiveCount: try d.int(), firstReceivedAt: try d.optionalInt(), movedAt: try d.optionalInt(),
                  lastError: try d.optionalString())
    }
}

extension PspChargeRow {
    func encode(_ e: inout RedoEncoder) {
        e.key(idempotencyKey); e.string(pspReference); e.key(checkoutID); e.money(amount); e.string(currency); e.string(status)
        e.string(declineCode); e.int(requestedAt); e.int(completedAt)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(idempotencyKey: try d.key(), pspReference: try d.string(), checkoutID: try d.key(), amount: try d.money(),
                  currency: try d.string(), status: try d.string(), declineCode: try d.optionalString(), requestedAt: try d.int(),
                  completedAt: try d.int())
    }
}

extension ProblemRow {
    func encode(_ e: inout RedoEncoder) {
        e.int(id); e.string(title); e.string(severity); e.int(openedAt); e.int(firstSignalAt); e.int(lastViolationAt)
        e.int(closedAt)
        e.rows(signals) { e, s in e.string(s.kind); e.string(s.subject); e.int(s.firstAt); e.int(s.lastAt); e.string(s.detail) }
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(id: try d.int(), title: try d.string(), severity: try d.string(), openedAt: try d.int(),
                  firstSignalAt: try d.int(), lastViolationAt: try d.int(), closedAt: try d.optionalInt(),
                  signals: try d.rows {
                      ProblemSignalRow(kind: try $0.string(), subject: try $0.string(), firstAt: try $0.int(), lastAt: try $0.int(),
                                       detail: try $0.string())
                  })
    }
}

extension ControlEventRow {
    func encode(_ e: inout RedoEncoder) {
        e.int(at); e.string(source); e.int(commandID); e.string(command); e.string(args); e.string(summary)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(at: try d.int(), source: try d.string(), commandID: try d.optionalInt(), command: try d.string(),
                  args: try d.string(), summary: try d.string())
    }
}

extension SpanRow {
    func encode(_ e: inout RedoEncoder) {
        e.int(traceNo); e.int(spanID); e.int(parentSpanID); e.int(nameCode); e.int(serviceCode); e.int(startOffset); e.int(duration)
        e.int(status.rawValue); e.string(statusMessage); e.string(attributes)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(traceNo: try d.int(), spanID: try d.int(), parentSpanID: try d.optionalInt(), nameCode: try d.int(),
                  serviceCode: try d.int(), startOffset: try d.int(), duration: try d.int(), status: SpanStatus(code: try d.int()),
                  statusMessage: try d.optionalString(), attributes: try d.optionalString())
    }
}

extension BusinessEventRow {
    func encode(_ e: inout RedoEncoder) {
        e.int(eventCode); e.key(outcome.rawValue); e.int(bizTimestamp); e.key(amountTotal); e.key(amountCurrency); e.int(orderCount)
        e.key(paymentOrderID); e.key(merchantID); e.key(errorCode); e.key(errorCategory?.rawValue); e.int(pspLatencyMillis)
        e.int(traceNo); e.int(spanID); e.int(serviceCode); e.key(checkoutID)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(eventCode: try d.int(), outcome: EventOutcome(rawValue: try d.key()), bizTimestamp: try d.int(), amountTotal: try d.optionalKey(),
                  amountCurrency: try d.optionalKey(), orderCount: try d.optionalInt().map(Int.init),
                  paymentOrderID: try d.optionalKey(), merchantID: try d.optionalKey(), errorCode: try d.optionalKey(),
                  errorCategory: try d.optionalKey().map(ErrorCategory.init(rawValue:)), pspLatencyMillis: try d.optionalInt(), traceNo: try d.optionalInt(),
                  spanID: try d.optionalInt(), serviceCode: try d.int(), checkoutID: try d.optionalKey())
    }
}

extension SdlcEventRow {
    func encode(_ e: inout RedoEncoder) {
        e.int(at); e.string(eventType); e.string(eventStatus); e.string(deploymentID); e.string(artifactName); e.string(artifactVersion)
        e.string(revision); e.string(previousVersion); e.string(regression); e.string(source)
    }

    init(_ d: inout RedoDecoder) throws {
        self.init(at: try d.int(), eventType: try d.string(), eventStatus: try d.string(), deploymentID: try d.string(),
                  artifactName: try d.string(), artifactVersion: try d.string(), revision: try d.string(),
                  previousVersion: try d.optionalString(), regression: try d.optionalString(), source: try d.string())
    }
}

extension MetricPointRow {
    func encode(_ e: inout RedoEncoder) {
        e.int(seriesID); e.int(periodSeconds); e.int(periodStart)
        switch value {
        case .integer(let v): e.int(0); e.int(v)
        case .real(let v): e.int(1); e.double(v)
        }
        e.int(count); e.double(min); e.double(max); e.double(p50); e.double(p95); e.double(p99)
        e.optional(buckets) { $0.bytes($1.encoded) }
    }

    init(_ d: inout RedoDecoder) throws {
        let series: Int = try d.int(), period: Int = try d.int(), start: Int64 = try d.int()
        let value: Value
        switch try d.int() as Int64 {
        case 0: value = .integer(try d.int())
        case 1: value = .real(try d.double())
        case let other: throw ProtobufError.malformed("metric value kind \(other)")
        }
        self.init(seriesID: series, periodSeconds: period, periodStart: start, value: value, count: try d.optionalInt(),
                  min: try d.optionalDouble(), max: try d.optionalDouble(), p50: try d.optionalDouble(), p95: try d.optionalDouble(),
                  p99: try d.optionalDouble())
        buckets = try d.optional { d in
            guard let b = HistogramBuckets(decoding: try d.bytes()) else { throw ProtobufError.malformed("histogram buckets") }
            return b
        }
    }
}
