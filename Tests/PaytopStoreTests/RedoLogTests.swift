import Foundation
import Testing
import PaytopVocabulary
@testable import PaytopStore

/// The redo log (RedoLog, StoreWriter with `redoLog: true`): its layout reads back what
/// was written, a killed writer's log is applied by the next open, torn tails are
/// ignored, damage is a clear error, and a live writer's log is left alone.
@Suite struct RedoLogTests {
    final class Temp {
        let path = NSTemporaryDirectory() + "paytop-redo-\(UUID().uuidString.prefix(8)).db"
        init() throws { _ = try Store.openForWriting(path: path, create: true) }
        deinit {
            for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
            try? FileManager.default.removeItem(atPath: RedoLog.directory(for: path))
        }
        var segments: [String] {
            let dir = RedoLog.directory(for: path)
            return ((try? RedoLog.segmentNumbers(in: dir)) ?? []).map { RedoLog.segmentPath(dir, $0) }
        }
        func count(_ sql: String) throws -> Int64 {
            // Straight to SQLite: Store.openForReading would apply the log first.
            let c = try Connection(path: path, mode: .readOnly)
            return try c.scalarInt(sql) ?? 0
        }
    }

    /// A batch with every kind of row the engine writes, optionals set (or all nil).
    static func fullBatch(_ n: Int, optionals: Bool = true) -> WriteBatch {
        var b = WriteBatch()
        let id = "chk-\(n)"
        let o: Int64? = optionals ? Int64(n) : nil
        let t: String? = optionals ? "t\(n)" : nil
        b.paymentEventInserts = [PaymentEventRow(
            checkoutID: id, buyerInfo: #"{"user_id":"u","email":"e"}"#, sellerInfo: "{}", creditCardInfo: "{}", isPaymentDone: optionals,
            amountTotal: Money(minorUnits: 1234), currency: "EUR", orderCount: 1, outcome: t, failureCode: t, simulate: t,
            requestHash: "h\(n)", createdAt: Int64(n), doneAt: o, traceNo: o)]
        b.orderInserts = [PaymentOrderRow(
            paymentOrderID: "po-\(n)", checkoutID: id, buyerAccount: "u", sellerAccount: "m", amount: Money(minorUnits: 1234),
            currency: "EUR", status: "NOT_STARTED", ledgerUpdated: false, walletUpdated: optionals, createdAt: Int64(n),
            executingAt: o, completedAt: o, updatedAt: Int64(n))]
        b.walletUpserts = [WalletRow(merchantID: "m", currency: "EUR", balance: Money(minorUnits: Int64(n) * 100), updatedAt: Int64(n))]
        b.ledgerInserts = [LedgerEntryRow(entryID: "e-\(n)", transactionID: "tx", account: "a", direction: "credit",
                                          amount: Money(minorUnits: 5), currency: "EUR", paymentOrderID: "po-\(n)", createdAt: -Int64(n))]
        b.messageInserts = [QueueMessageRow(messageID: "m-\(n)", queueName: "payment-execution-queue", sourceQueue: "payment-execution-queue",
                                            checkoutID: id, body: "{\"é\":\"\u{1F4B6}\"}", attributes: "{}", sentAt: Int64(n),
                                            visibleAt: Int64(n), receiveCount: 0, firstReceivedAt: o, movedAt: o, lastError: t)]
        b.pspInserts = [PspChargeRow(idempotencyKey: id, pspReference: "psp-\(n)", checkoutID: id, amount: Money(minorUnits: 1234),
                                     currency: "EUR", status: "SUCCEEDED", declineCode: t, requestedAt: 1, completedAt: 2)]
        b.controlEvents = [ControlEventRow(at: 3, source: "control", commandID: o, command: "fault", args: "{}", summary: "s")]
        b.engineState = [(key: "clock", value: String(n)), (key: "k", value: "v\(n)")]
        b.traces = [TraceRow(traceNo: Int64(n), traceID: Array(repeating: UInt8(n & 0xff), count: 16), checkoutID: t, startedAt: 7)]
        b.spans = [SpanRow(traceNo: Int64(n), spanID: Int64.min + Int64(n), parentSpanID: optionals ? -1 : nil, nameCode: 1, serviceCode: 2,
                           startOffset: 0, duration: Int64.max, status: .error, statusMessage: t, attributes: t)]
        b.spanLinks = [SpanLinkRow(traceNo: Int64(n), spanID: -5, linkedTraceNo: 9, linkedSpanID: 10)]
        b.businessEvents = [BusinessEventRow(eventCode: 3, outcome: EventOutcome(rawValue: "OK"), bizTimestamp: 11, amountTotal: t, amountCurrency: t,
                                             orderCount: optionals ? 2 : nil, paymentOrderID: t, merchantID: t, errorCode: t, errorCategory: t.map(ErrorCategory.init(rawValue:)),
                                             pspLatencyMillis: o, traceNo: o, spanID: o, serviceCode: 1, checkoutID: t)]
        b.sdlcEvents = [SdlcEventRow(at: 1, eventType: "deployment", eventStatus: "started", deploymentID: "d", artifactName: "a",
                                     artifactVersion: "v", revision: "r", previousVersion: t, regression: t, source: "s")]
        b.spanNames = [SpanNameRow(code: n, name: "span \(n)", kind: .internal, attributes: "{}")]
        b.eventNames = [EventNameRow(code: n, name: "ev \(n)", type: "t", stage: "s", message: "m")]
        b.serviceVersions = [ServiceVersionRow(code: n, name: "svc", version: "1")]
        b.metricSeries = [MetricSeriesRow(id: n, name: "m\(n)", dimensions: "{}", unit: "ms", kind: "distribution")]
        b.metricPoints = [
            MetricPointRow(seriesID: n, periodSeconds: 60, periodStart: 120, value: .integer(-3)),
            MetricPointRow(seriesID: n, periodSeconds: 1, periodStart: 121, value: .real(0.25), count: o, min: 0.5, max: optionals ? 1e300 : nil,
                           p50: 1, p95: 2, p99: 3, buckets: optionals ? HistogramBuckets(sortedPairs: [(1, 2), (300, 1)]) : nil),
        ]
        if optionals {
            b.paymentEventUpdates = b.paymentEventInserts
            b.orderUpdates = b.orderInserts
            b.messageUpdates = b.messageInserts
            b.messageDeletes = ["m-gone"]
            b.controlAcks = [ControlAck(id: 4, status: "applied", appliedAt: 5, result: "ok")]
            b.prune = TelemetryPrune(finePointsBefore: 1, rollupsBefore: 2, tracesBefore: 3, maxTraces: 4)
            b.heartbeat = RunLog.Heartbeat(runID: 1, wallMillis: 2, engineTime: 3)
        }
        return b
    }

    /// `b` as read back from the log: update rows hold their key and the UPDATE's columns.
    static func expectSame(_ a: WriteBatch, _ b: WriteBatch) {
        func updated<R>(_ rows: [R], _ blank: R, _ take: (inout R, R) -> Void, key: (inout R, R) -> Void) -> [R] {
            rows.map { r in var x = blank; key(&x, r); take(&x, r); return x }
        }
        let event = PaymentEventRow(checkoutID: "", buyerInfo: "", sellerInfo: "", creditCardInfo: "", isPaymentDone: false,
                                    amountTotal: .zero, currency: "", orderCount: 0, outcome: nil, failureCode: nil, simulate: nil,
                                    requestHash: "", createdAt: 0, doneAt: nil)
        let order = PaymentOrderRow(paymentOrderID: "", checkoutID: "", buyerAccount: "", sellerAccount: "", amount: .zero, currency: "",
                                    status: "", ledgerUpdated: false, walletUpdated: false, createdAt: 0, executingAt: nil,
                                    completedAt: nil, updatedAt: 0)
        let message = QueueMessageRow(messageID: "", queueName: "", sourceQueue: "", checkoutID: "", body: "", attributes: "", sentAt: 0,
                                      visibleAt: 0, receiveCount: 0, firstReceivedAt: nil, movedAt: nil, lastError: nil)
        #expect(a.paymentEventInserts == b.paymentEventInserts)
        #expect(updated(a.paymentEventUpdates, event, { $0.takeUpdate($1) }, key: { $0.checkoutID = $1.checkoutID }) == b.paymentEventUpdates)
        #expect(a.orderInserts == b.orderInserts && a.walletUpserts == b.walletUpserts)
        #expect(updated(a.orderUpdates, order, { $0.takeUpdate($1) }, key: { $0.paymentOrderID = $1.paymentOrderID }) == b.orderUpdates)
        #expect(a.ledgerInserts == b.ledgerInserts && a.pspInserts == b.pspInserts)
        #expect(a.messageInserts == b.messageInserts && a.messageDeletes == b.messageDeletes)
        #expect(updated(a.messageUpdates, message, { $0.takeUpdate($1) }, key: { $0.messageID = $1.messageID }) == b.messageUpdates)
        #expect(a.controlEvents == b.controlEvents && a.controlAcks == b.controlAcks)
        #expect(a.engineState.map { "\($0.key)=\($0.value)" } == b.engineState.map { "\($0.key)=\($0.value)" })
        #expect(a.traces == b.traces && a.spans == b.spans && a.spanLinks == b.spanLinks)
        #expect(a.businessEvents == b.businessEvents && a.sdlcEvents == b.sdlcEvents)
        #expect(a.spanNames == b.spanNames && a.eventNames == b.eventNames && a.serviceVersions == b.serviceVersions)
        #expect(a.metricSeries == b.metricSeries && a.metricPoints == b.metricPoints)
        #expect(a.prune == b.prune && a.heartbeat == b.heartbeat)
    }

    @Test(arguments: [true, false])
    func theLayoutReadsBackEveryRow(optionals: Bool) throws {
        let batch = Self.fullBatch(42, optionals: optionals)
        let bytes = try batch.redoEncoded()
        let back = try bytes.withUnsafeBufferPointer { try WriteBatch(redo: $0) }
        Self.expectSame(batch, back)
        // Cut short anywhere, it is an error, never a crash or a shorter batch.
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: (any Error).self) { try Array(bytes[0..<cut]).withUnsafeBufferPointer { try WriteBatch(redo: $0) } }
        }
    }

    @Test func receivedTelemetryHasNoPlaceInTheLog() {
        var b = WriteBatch()
        b.received.logRecords = [LogRecordRow(timeNanos: 1, severityNumber: 9, severityText: "INFO", body: "b", serviceCode: 1,
                                     traceNo: nil, spanID: nil, attributes: nil, businessEventIndex: nil)]
        #expect(throws: RedoUnsupported.self) { try b.redoEncoded() }
    }

    /// Submits batches one at a time, each durable before the next (one append each, so
    /// small segments roll at known places).
    func submit(_ writer: StoreWriter, _ range: ClosedRange<Int>) throws {
        for n in range { try writer.waitUntilDurable(try writer.submit(Self.fullBatch(n, optionals: false))) }
    }

    /// Leaves the log a killed writer leaves: batches 1…`batches`, appended one at a time
    /// to 4 KB segments, none committed.
    func killedWritersLog(_ t: Temp, batches: Int) throws {
        let writer = try StoreWriter(path: t.path, crashAfterCommits: nil, yielding: false, redoLog: true, redoSegmentBytes: 4_096,
                                     onCommit: nil)
        writer.commitInterval = 3_600_000_000_000  // nothing commits on its own
        try submit(writer, 1...batches)
        writer.simulateKill()
    }

    @Test func aCleanCloseCommitsEverythingAndRemovesTheLog() throws {
        let t = try Temp()
        let writer = try StoreWriter(path: t.path, redoLog: true)
        try submit(writer, 1...20)
        try writer.close()
        #expect(!FileManager.default.fileExists(atPath: RedoLog.directory(for: t.path)))
        #expect(try t.count("SELECT count(*) FROM payment_event") == 20)
        let c = try Store.openForReading(path: t.path)
        #expect(try RedoLog.storedPosition(c)?.sequence == 20)
    }

    /// `top -H`, `perf` and `/proc/PID/task/*/comm` tell the writer's two threads apart
    /// (Foundation on Linux keeps a name set before `start()` to itself).
    @Test func theWritersThreadsAreNamedForTheOperatingSystem() throws {
        func names() -> [String] {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .newlines) }
        }
        let t = try Temp()
        let writer = try StoreWriter(path: t.path, redoLog: true)
        try submit(writer, 1...2)
        try writer.waitUntilIdle()  // both threads have run: one appended, the other committed
        let named = names()
        try writer.close()
        #expect(named.contains("paytop-redo-log"))
        #expect(named.contains("paytop-writer"))
    }

    /// The writer says when batches become durable (a live engine's runner wakes on it
    /// rather than polling): with a redo log once appended, without one once committed.
    @Test(arguments: [true, false]) func theWriterSaysWhenABatchIsDurable(redoLog: Bool) throws {
        let t = try Temp()
        let writer = try StoreWriter(path: t.path, redoLog: redoLog)
        writer.commitInterval = 3_600_000_000_000  // with a log, durable long before committed
        let heard = DispatchSemaphore(value: 0)
        writer.onDurable = { heard.signal() }
        try submit(writer, 1...1)
        #expect(heard.wait(timeout: .now() + 10) == .success)
        #expect(writer.durableSequence == 1)
        #expect(writer.committedSequence == (redoLog ? 0 : 1))
        try writer.close()
    }

    @Test func aKilledWritersLogIsAppliedByTheNextOpen() throws {
        let t = try Temp()
        let writer = try StoreWriter(path: t.path, crashAfterCommits: nil, yielding: false, redoLog: true, redoSegmentBytes: 4_096,
                                     onCommit: nil)
        writer.commitInterval = 3_600_000_000_000  // nothing commits on its own
        try submit(writer, 1...5)
        try writer.waitUntilIdle()  // batches 1–5 in the file
        try submit(writer, 6...40)
        writer.simulateKill()
        #expect(t.segments.count > 1, "small segments roll")
        #expect(try t.count("SELECT count(*) FROM payment_event") == 5)

        let c = try Store.openForReading(path: t.path)  // applies the log: batches 6–40
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event") == 40)
        #expect(try c.scalarInt("SELECT value FROM engine_state WHERE key = 'clock'") == 40)
        #expect(try RedoLog.storedPosition(c)?.sequence == 40)
        #expect(!FileManager.default.fileExists(atPath: RedoLog.directory(for: t.path)))
    }

    @Test func aTornTailIsIgnoredAndDamageInsideTheLogIsAClearError() throws {
        let t = try Temp()
        try killedWritersLog(t, batches: 30)
        let segments = t.segments
        #expect(segments.count >= 3)

        // A record the process died writing: a header promising more than is there.
        let last = FileHandle(forWritingAtPath: segments.last!)!
        last.seekToEndOfFile()
        last.write(Data([0xff, 0x00, 0x00, 0x00, 0x01, 0x02]))
        last.closeFile()
        // A flipped byte in the first segment's first record: not a torn write.
        var first = [UInt8](FileManager.default.contents(atPath: segments[0])!)
        first[RedoLog.headerBytes + 20] ^= 0x40
        FileManager.default.createFile(atPath: segments[0], contents: Data(first))

        #expect {
            _ = try Store.openForReading(path: t.path)
        } throws: { error in
            "\(error)".contains("checksum does not match") && "\(error)".contains("the log is kept")
        }
        #expect(t.segments.count == segments.count, "a log that cannot be applied is kept")
        #expect(try t.count("SELECT count(*) FROM payment_event") == 0, "nothing half-applied")

        // The first segment restored, the torn tail alone is ignored.
        first[RedoLog.headerBytes + 20] ^= 0x40
        FileManager.default.createFile(atPath: segments[0], contents: Data(first))
        let c = try Store.openForReading(path: t.path)
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event") == 30)
    }

    /// What can happen to the last segment, and whether it is a torn tail (applied without
    /// it) or damage (an error, the log kept).
    enum LastSegment: String, CaseIterable, CustomTestStringConvertible {
        case flippedPayloadWithRecordsAfter, flippedLengthWithRecordsAfter, flippedLastPayload
        case recordCutShort, headerCutShort, zerosToTheEnd
        var testDescription: String { rawValue }
        var isDamage: Bool { [.flippedPayloadWithRecordsAfter, .flippedLengthWithRecordsAfter, .flippedLastPayload].contains(self) }
    }

    @Test(arguments: LastSegment.allCases)
    func onlyATornEndOfTheLastSegmentIsIgnored(_ what: LastSegment) throws {
        let t = try Temp()
        try killedWritersLog(t, batches: 6)
        try #require(t.segments.count == 1, "six batches fit one segment")
        let path = t.segments[0]
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        // Record boundaries: 12-byte headers (length, CRC, header CRC), then the payload.
        var starts: [Int] = []
        var at = RedoLog.headerBytes
        while at < bytes.count {
            starts.append(at)
            at += 12 + Int(RedoLog.littleEndian(bytes[at..<at + 4]))
        }
        #expect(starts.count == 6 && at == bytes.count)
        switch what {
        case .flippedPayloadWithRecordsAfter: bytes[starts[1] + 12 + 20] ^= 0x40
        case .flippedLengthWithRecordsAfter: bytes[starts[1] + 1] ^= 0x01
        case .flippedLastPayload: bytes[starts[5] + 12 + 20] ^= 0x40
        case .recordCutShort: bytes = Array(bytes[..<(starts[5] + 12 + 10)])
        case .headerCutShort: bytes = Array(bytes[..<(starts[5] + 7)])
        case .zerosToTheEnd: bytes += [UInt8](repeating: 0, count: 700)
        }
        FileManager.default.createFile(atPath: path, contents: Data(bytes))

        if what.isDamage {
            #expect {
                _ = try Store.openForReading(path: t.path)
            } throws: { error in
                "\(error)".contains("checksum does not match") && "\(error)".contains("the log is kept")
            }
            #expect(t.segments == [path], "a log that cannot be applied is kept")
            #expect(try t.count("SELECT count(*) FROM payment_event") == 0, "nothing half-applied")
        } else {
            let c = try Store.openForReading(path: t.path)
            #expect(try c.scalarInt("SELECT count(*) FROM payment_event") == (what == .zerosToTheEnd ? 6 : 5))
            #expect(t.segments.isEmpty)
        }
    }

    /// Batches must follow one another: a segment lost from the middle, or one from another
    /// store's log, is an error and the log is kept, not a store missing answered batches.
    @Test(arguments: ["missing", "foreign"])
    func aGapInTheBatchesIsAClearError(_ what: String) throws {
        let t = try Temp()
        try killedWritersLog(t, batches: 30)
        let segments = t.segments
        #expect(segments.count >= 3)
        if what == "missing" {
            try FileManager.default.removeItem(atPath: segments[1])
        } else {
            // The same segment as another log would have written it: another log id.
            var bytes = [UInt8](FileManager.default.contents(atPath: segments[1])!)
            bytes[8] ^= 0x01
            FileManager.default.createFile(atPath: segments[1], contents: Data(bytes))
        }
        #expect {
            _ = try Store.openForReading(path: t.path)
        } throws: { error in
            "\(error)".contains("a segment is missing or foreign") && "\(error)".contains("the log is kept")
        }
        #expect(t.segments.count == segments.count - (what == "missing" ? 1 : 0), "the log is kept")
        #expect(try t.count("SELECT count(*) FROM payment_event") == 0, "nothing half-applied")
    }

    /// A log the build before the header checksum left (`PTREDO01`: 8-byte record headers).
    @Test func aLogOfThePreviousLayoutIsStillApplied() throws {
        let t = try Temp()
        try killedWritersLog(t, batches: 4)
        let path = t.segments[0]
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        var old = RedoLog.magicWithoutHeaderCRC + bytes[8..<RedoLog.headerBytes]
        var at = RedoLog.headerBytes
        while at < bytes.count {
            let end = at + 12 + Int(RedoLog.littleEndian(bytes[at..<at + 4]))
            old += bytes[at..<at + 8] + bytes[(at + 12)..<end]
            at = end
        }
        FileManager.default.createFile(atPath: path, contents: Data(old))
        let c = try Store.openForReading(path: t.path)
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event") == 4)
    }

    @Test func aLiveWritersLogIsLeftAlone() throws {
        let t = try Temp()
        let writer = try StoreWriter(path: t.path, redoLog: true)
        writer.commitInterval = 3_600_000_000_000
        try submit(writer, 1...3)
        // A reader sees the file as committed; the log stays with its writer.
        let c = try Store.openForReading(path: t.path)
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event") == 0)
        #expect(!t.segments.isEmpty)
        #expect(writer.uncommittedRows(ofCheckout: "chk-2")?.paymentEventInserts.first?.requestHash == "h2")
        #expect(writer.uncommittedRows(ofCheckout: "chk-9") == nil)
        #expect(writer.lag.batches == 3)
        // A second writer cannot take it.
        #expect { _ = try RedoLog(storePath: t.path) } throws: { "\($0)".contains("another paytop process holds the redo log") }
        try writer.close()
        #expect(try c.scalarInt("SELECT count(*) FROM payment_event") == 3)
        #expect(writer.uncommittedRows(ofCheckout: "chk-2") == nil)
    }

    /// `GET /v1/payments/{id}`'s view: the file's rows with the writer's durable,
    /// uncommitted ones laid over them.
    @Test func aCheckoutIsReadAsItsLastDurableBatchLeftIt() throws {
        let t = try Temp()
        let writer = try StoreWriter(path: t.path, redoLog: true)
        var first = Self.fullBatch(1, optionals: false)
        first.traces = [TraceRow(traceNo: 3, traceID: Array(repeating: 3, count: 16), checkoutID: "chk-3", startedAt: 1)]
        writer.commitInterval = 3_600_000_000_000
        try writer.submit(first)
        try writer.waitUntilIdle()  // chk-1 inserted, NOT_STARTED, and chk-3's trace, in the file
        var done = WriteBatch()
        var e = first.paymentEventInserts[0]; e.isPaymentDone = true; e.outcome = "SUCCESS"; e.doneAt = 9
        done.paymentEventUpdates = [e]
        var o = first.orderInserts[0]; o.status = "SUCCESS"; o.walletUpdated = true; o.ledgerUpdated = true; o.completedAt = 9
        done.orderUpdates = [o]
        try writer.submit(done)
        var second = Self.fullBatch(2, optionals: false)
        second.paymentEventInserts[0].traceNo = 2
        second.traces[0].checkoutID = "chk-2"
        try writer.submit(second)  // chk-2 and its trace only in the log
        var third = WriteBatch()
        third.paymentEventInserts = [Self.fullBatch(3, optionals: false).paymentEventInserts[0]]
        third.paymentEventInserts[0].traceNo = 3
        try writer.waitUntilDurable(try writer.submit(third))  // chk-3 in the log, its trace in the file

        let c = try Connection(path: t.path, mode: .readOnly)
        let fileOnly = try #require(try CheckoutLookup.find(c, checkoutID: "chk-1"))
        #expect(!fileOnly.isPaymentDone && fileOnly.orders.map(\.status) == ["NOT_STARTED"])
        let one = try #require(try CheckoutLookup.find(c, checkoutID: "chk-1", over: writer.uncommittedRows(ofCheckout: "chk-1")))
        #expect(one.isPaymentDone && one.outcome == "SUCCESS" && one.doneAt == 9)
        #expect(one.orders.map(\.status) == ["SUCCESS"] && one.orders[0].sellerAccount == "m" && one.orders[0].amount == Money(minorUnits: 1234))
        #expect(one.traceID == nil)
        #expect(try CheckoutLookup.find(c, checkoutID: "chk-2") == nil)
        let two = try #require(try CheckoutLookup.find(c, checkoutID: "chk-2", over: writer.uncommittedRows(ofCheckout: "chk-2")))
        #expect(two.amountTotal == Money(minorUnits: 1234) && !two.isPaymentDone && two.orders.map(\.paymentOrderID) == ["po-2"])
        #expect(two.traceID == String(repeating: "02", count: 16))
        let three = try #require(try CheckoutLookup.find(c, checkoutID: "chk-3", over: writer.uncommittedRows(ofCheckout: "chk-3")))
        #expect(three.traceID == String(repeating: "03", count: 16) && three.orders.isEmpty)
        try writer.close()
        #expect(try CheckoutLookup.find(c, checkoutID: "chk-2") == two, "committed, the file says the same")
    }

    @Test func mergedBatchesLeaveTheStoreAsBatchByBatchDoes() throws {
        // One checkout's life over four batches: sent, received, done; a message deleted
        // inside the window, another updated after an earlier commit.
        func batches() -> [WriteBatch] {
            var b1 = Self.fullBatch(1, optionals: false)
            b1.messageInserts.append(QueueMessageRow(messageID: "m-x", queueName: "q", sourceQueue: "q", checkoutID: "chk-1", body: "{}",
                                                     attributes: "{}", sentAt: 1, visibleAt: 1, receiveCount: 0, firstReceivedAt: nil,
                                                     movedAt: nil, lastError: nil))
            var b2 = WriteBatch()
            var e = b1.paymentEventInserts[0]; e.isPaymentDone = true; e.outcome = "SUCCESS"; e.doneAt = 9
            b2.paymentEventUpdates = [e]
            var o = b1.orderInserts[0]; o.status = "SUCCESS"; o.walletUpdated = true; o.ledgerUpdated = true; o.completedAt = 9
            b2.orderUpdates = [o]
            var m = b1.messageInserts[0]; m.body = ""; m.receiveCount = 1; m.queueName = "payment-execution-queue-dlq"
            b2.messageUpdates = [m]
            b2.walletUpserts = [WalletRow(merchantID: "m", currency: "EUR", balance: Money(minorUnits: 999), updatedAt: 9)]
            b2.engineState = [(key: "clock", value: "2")]
            var b3 = Self.fullBatch(3, optionals: false)
            b3.messageDeletes = ["m-x"]
            var b4 = WriteBatch()
            var m3 = b3.messageInserts[0]; m3.body = ""; m3.lastError = "boom"; m3.receiveCount = 2
            b4.messageUpdates = [m3]
            b4.messageDeletes = ["m-1"]
            return [b1, b2, b3, b4]
        }
        func dump(_ path: String) throws -> [String] {
            let c = try Connection(path: path, mode: .readOnly)
            var out: [String] = []
            for table in ["payment_event", "payment_order", "wallet", "queue_message", "ledger_entry", "engine_state", "span_data",
                          "business_event_data", "metric_data", "trace", "business_rollup", "psp_charge", "control_event", "span_link_data"] {
                let s = try c.cached("SELECT * FROM \(table)")
                while try s.step() { out.append(table + ": " + (0..<s.columnCount).map { s.isNull($0) ? "NULL" : s.string($0) }.joined(separator: "|")) }
            }
            return out.sorted()
        }
        let one = try Temp(), merged = try Temp(), tail = try Temp()
        let c1 = try Store.openForWriting(path: one.path, create: false)
        for b in batches() { try c1.transaction { try BatchApplier(c: c1).apply(b) } }
        let c2 = try Store.openForWriting(path: merged.path, create: false)
        var all = BatchMerger()
        for b in batches() { all.add(b) }
        let whole = all.finish()
        #expect(whole.keyed.messageInserts.map(\.messageID) == ["m-3"], "m-1 and m-x were sent and deleted inside the window")
        try c2.transaction { try BatchApplier(c: c2).apply(whole) }
        // The first batch committed alone, the rest merged: updates of committed rows.
        let c3 = try Store.openForWriting(path: tail.path, create: false)
        let list = batches()
        try c3.transaction { try BatchApplier(c: c3).apply(list[0]) }
        var rest = BatchMerger()
        for b in list.dropFirst() { rest.add(b) }
        try c3.transaction { try BatchApplier(c: c3).apply(rest.finish()) }
        let expected = try dump(one.path)
        #expect(expected.contains { $0.hasPrefix("queue_message: m-3|") && $0.contains("boom") })
        // Two batches' business events counted once over the window, as two commits count them.
        #expect(expected.filter { $0.hasPrefix("business_rollup: ") }.allSatisfy { $0.hasSuffix("|2|0") })
        #expect(expected.contains { $0.hasPrefix("business_rollup: ") })
        #expect(try dump(merged.path) == expected)
        #expect(try dump(tail.path) == expected)
    }
}
