import Foundation
import Testing
@testable import PaytopStore

@Suite struct StoreTests {
    final class Temp {
        let path = NSTemporaryDirectory() + "paytop-store-\(UUID().uuidString.prefix(8)).db"
        deinit { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
    }

    @Test func aNewStoreIsMigratedAndMarked() throws {
        let t = Temp()
        let c = try Store.openForWriting(path: t.path, create: true)
        #expect(try c.scalarInt("PRAGMA user_version") == Int64(Store.schemaVersion))
        #expect(try c.scalarInt("PRAGMA application_id") == 0x7061_7974)
        let s = try c.cached("PRAGMA journal_mode")
        #expect(try s.step() && s.string(0) == "wal")
    }

    /// Text goes in and comes out by its length: empty stays empty (not NULL), multi-byte
    /// UTF-8 and a U+0000 inside survive, small and large strings alike.
    @Test func textIsStoredAndReadByItsLength() throws {
        let c = try Connection(path: ":memory:", mode: .readWriteCreate)
        try c.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT)")
        let values = ["", "a", "a\u{0}b", "ümlaut €", String(repeating: "x", count: 40) + "\u{0}", "日本語のテキスト"]
        let insert = try c.cached("INSERT INTO t (n, v) VALUES (?, ?)")
        for (i, v) in values.enumerated() {
            insert.reset()
            try insert.bind(1, i).bind(2, v).run()
        }
        let read = try c.cached("SELECT v, v IS NULL, length(CAST(v AS BLOB)) FROM t ORDER BY n")
        var got: [String] = []
        while try read.step() {
            #expect(read.int(1) == 0)
            #expect(Int(read.int(2)) == values[got.count].utf8.count)
            got.append(read.string(0))
        }
        #expect(got == values)
    }

    /// A store SQLite cannot open is not called someone else's file, and when its
    /// directory is not writable (a read-only mount: WAL needs -wal and -shm beside it)
    /// the message says so. Root writes anywhere a mount allows, so the unwritable case is
    /// a directory that is not there; the read-only mount was tried by hand (docs/store.md).
    @Test func whyAStoreCannotBeOpenedIsSaid() {
        let writable = NSTemporaryDirectory() + "s.db"
        #expect(Store.cannotOpen(writable, "unable to open database file") == "cannot open the store \(writable): unable to open database file")
        let gone = "/paytop-no-such-dir-\(UUID().uuidString.prefix(8))/s.db"
        let message = Store.cannotOpen(gone, "unable to open database file")
        #expect(message.contains("is not writable (No such file or directory)"))
        #expect(message.contains("s.db-wal and s.db-shm beside the store, even to read it"))
        #expect(Store.cannotOpen("s.db", "x").hasPrefix("cannot open the store s.db: x"))
    }

    @Test func theWriterCommitsBatchesInOrderAndCountsRows() throws {
        let t = Temp()
        _ = try Store.openForWriting(path: t.path, create: true)
        let writer = try StoreWriter(path: t.path)
        for i in 0..<5 {
            var b = WriteBatch()
            b.walletUpserts = [WalletRow(merchantID: "m", currency: "USD", balance: Money(minorUnits: Int64(i * 100)), updatedAt: Int64(i))]
            b.engineState = [("k", String(i))]
            try writer.submit(b)
        }
        try writer.waitUntilIdle()
        #expect(writer.committedSequence == 5)
        #expect(writer.rowsCommitted == 10)
        try writer.close()
        let c = try Store.openForReading(path: t.path)
        let s = try c.cached("SELECT balance, (SELECT value FROM engine_state WHERE key = 'k') FROM wallet")
        #expect(try s.step())
        #expect(s.string(0) == "4.00" && s.string(1) == "4")
    }

    @Test func aFailedBatchStopsTheWriterWithAClearError() throws {
        let t = Temp()
        _ = try Store.openForWriting(path: t.path, create: true)
        let writer = try StoreWriter(path: t.path)
        var b = WriteBatch()
        let entry = LedgerEntryRow(entryID: "e1", transactionID: "t", account: "a", direction: "credit",
                                   amount: Money(minorUnits: 1), currency: "USD", paymentOrderID: "po", createdAt: 0)
        b.ledgerInserts = [entry, entry]  // the same entry twice violates its primary key
        try writer.submit(b)
        #expect(throws: StoreError.self) { try writer.waitUntilIdle() }
        #expect(writer.committedSequence == 0)
    }

    /// paytop's connections skip SQLite's CHECKs; the writer checks the same sets itself,
    /// and a value outside them fails the batch with the constraint named.
    @Test func aValueItsCheckForbidsFailsTheBatch() throws {
        let t = Temp()
        _ = try Store.openForWriting(path: t.path, create: true)
        let writer = try StoreWriter(path: t.path)
        var b = WriteBatch()
        b.orderInserts = [PaymentOrderRow(paymentOrderID: "po-1", checkoutID: "chk-1", buyerAccount: "b", sellerAccount: "s",
                                          amount: Money(minorUnits: 100), currency: "EUR", status: "PAID", ledgerUpdated: false,
                                          walletUpdated: false, createdAt: 0, executingAt: nil, completedAt: nil, updatedAt: 0)]
        try writer.submit(b)
        #expect { try writer.waitUntilIdle() } throws: { "\($0)".contains("payment_order.payment_order_status cannot be PAID") }
        #expect(writer.committedSequence == 0)
        // The schema keeps the constraint for any other writer.
        let other = try Connection(path: t.path, mode: .readWrite)
        #expect(throws: SQLiteError.self) {
            try other.execute("INSERT INTO ledger_entry (account, direction, amount, currency, payment_order_id, created_at) VALUES ('a', 'sideways', '1.00', 'EUR', 'po-1', 0)")
        }
    }

    /// An engine writes its span names' rows at every start: a newer engine's row (more
    /// usual values in it) replaces the one that began the store.
    @Test func aSpanNamesRowIsTheLatestWritersOne() throws {
        let t = Temp()
        let c = try Store.openForWriting(path: t.path, create: true)
        var b = WriteBatch()
        b.spanNames = [SpanNameRow(code: 1, name: "wallet", kind: .server, attributes: #"{"faas.coldstart":false}"#)]
        try c.transaction { try BatchApplier(c: c).apply(b) }
        b.spanNames = [SpanNameRow(code: 1, name: "wallet", kind: .server,
                                   attributes: #"{"faas.coldstart":false,"messaging.batch.message_count":1}"#)]
        try c.transaction { try BatchApplier(c: c).apply(b) }
        let s = try c.cached("SELECT count(*), attributes FROM span_name")
        #expect(try s.step())
        #expect(s.int(0) == 1 && s.string(1) == #"{"faas.coldstart":false,"messaging.batch.message_count":1}"#)
    }

    @Test func moneyAddsExactly() {
        var total = Money.zero
        for _ in 0..<10 { total += Money(decimalString: "0.10")! }
        #expect(total == Money(decimalString: "1.00"))
        #expect(Money(minorUnits: -307).description == "-3.07")
    }

    @Test func moneyIsWrittenWithTwoDecimalsAtEveryMagnitude() {
        let cases: [(Int64, String)] = [(0, "0.00"), (5, "0.05"), (10, "0.10"), (100, "1.00"), (123_456, "1234.56"),
                                         (-5, "-0.05"), (-100, "-1.00"), (Money.maximum.minorUnits, "1000000000000.00"),
                                         (Int64.max, "92233720368547758.07"), (Int64.min, "-92233720368547758.08")]
        for (units, text) in cases { #expect(Money(minorUnits: units).description == text) }
        for units: Int64 in [0, 1, 99, 100, 4_88, 1_000_000_01, 99_999_999_999_999] {
            #expect(Money(decimalString: Money(minorUnits: units).description)?.minorUnits == units, "round trip of \(units)")
        }
    }

    @Test func exportStatusIsUpsertedPerEndpointAndOnlyRecentOnesAreRead() throws {
        let t = Temp()
        let c = try Store.openForWriting(path: t.path, create: true)
        var a = ExportStatus(endpoint: "http://a:4318")
        a.spansExported = 10; a.logsExported = 5; a.metricPointsExported = 2; a.dropped = 1; a.lastError = "HTTP 503"
        a.updatedAtMillis = 100_000
        try a.write(to: c)
        a.spansExported = 20
        a.updatedAtMillis = 101_000
        try a.write(to: c)  // the same endpoint: replaced, not added
        var b = ExportStatus(endpoint: "http://b:4318")
        b.updatedAtMillis = 80_000
        try b.write(to: c)
        let recent = try ExportStatus.recent(c, nowMillis: 105_000)
        #expect(recent == [a], "b reported 25 s ago; a's row holds its latest counters")
        #expect(recent.first?.itemsExported == 27)
        #expect(try ExportStatus.recent(c, nowMillis: 105_000, withinMillis: 30_000).map(\.endpoint) == ["http://a:4318", "http://b:4318"])
    }
}

/// Shipped migrations are frozen: each one's text is pinned here. A schema change is a new
/// migration appended to `Migrations.all` with its digest added below — never an edit.
@Suite struct MigrationsFrozenTests {
    static let shipped: [String] = [
        "78e0f40d40400140", // v1
        "722ddcd84ed955b5", // v2
        "7edebbd90e5f0181", // v3
        "304d720b35c9bc2", // v4: settlement and reconciliation
        "783f47f365eb0a2b", // v5: business, PSP-latency and histogram roll-ups
        "b3bc8f0a1af27eed", // v6: received telemetry (traces, resources, span events, log records, receiver counters)
        "27e29fb0b3d82861", // v7: problems and their signals
        "91ab22031d90cd73", // v8: the checkouts a problem affected, indexed
        "7b5d956bfb4727cc", // v9: the drill: error codes and merchants indexed
        "4742c0a070a9ba7a", // v10: the drill: error codes by trace, first spans that answered badly
    ]

    /// FNV-1a (64 bits) of a migration's SQL text.
    static func digest(_ sql: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in sql.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    @Test func noShippedMigrationChanges() {
        let now = Migrations.all.map(Self.digest)
        #expect(now.count >= Self.shipped.count, "a shipped migration was removed")
        for (i, pinned) in Self.shipped.enumerated() where i < now.count {
            #expect(now[i] == pinned, "migration v\(i + 1) changed after it shipped; add a new migration instead")
        }
        #expect(now.count == Self.shipped.count, "a new migration: pin its digest in MigrationsFrozenTests.shipped")
    }
}
