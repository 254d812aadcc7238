/// A redo log's window: several batches, in order, committed as one with the same effect
/// on the store. Rows a batch only adds (telemetry, ledger, PSP charges, control events)
/// are read from the batches themselves (`batches`), not copied; the rows a later batch
/// may change again are merged into `keyed` so that each is written once, with its last
/// value. `BatchApplier.apply(_: MergedWindow)` writes both.
struct MergedWindow {
    /// The merged keyed rows: payment events, orders, wallets, queue messages, engine
    /// state, the last heartbeat and retention; its other arrays are empty.
    var keyed = WriteBatch()
    /// The window's batches, in order.
    var batches: [WriteBatch] = []

    /// Rows the window's commit writes.
    var rowCount: Int { batches.reduce(keyed.rowCount) { $0 + $1.rowCount - $1.keyedRowCount } }
}

extension WriteBatch {
    /// Rows of the kinds `BatchMerger` merges.
    var keyedRowCount: Int {
        paymentEventInserts.count + paymentEventUpdates.count + orderInserts.count + orderUpdates.count + walletUpserts.count
            + messageInserts.count + messageUpdates.count + messageDeletes.count + engineState.count
    }
}

/// Merges the keyed rows of several batches, in order: a row inserted and later updated
/// becomes one insert; a queue message sent and deleted inside the window never reaches
/// the file; later engine state (key by key), wallets, heartbeat and retention replace
/// earlier ones.
///
/// An update row counts only for the columns the applier's UPDATE sets (`takeUpdate`):
/// the engine's update rows are whole, but the redo log keeps only those columns.
struct BatchMerger {
    private var batch = WriteBatch()
    private var batches: [WriteBatch] = []
    private var eventInsert: [String: Int] = [:], eventUpdate: [String: Int] = [:]
    private var orderInsert: [String: Int] = [:], orderUpdate: [String: Int] = [:]
    private var messageInsert: [String: Int] = [:], messageUpdate: [String: Int] = [:]
    private var droppedInserts = Set<Int>(), droppedUpdates = Set<Int>()
    private var wallet: [String: Int] = [:]
    private var stateKey: [String: Int] = [:]
    /// How many batches went in.
    var count: Int { batches.count }

    mutating func add(_ b: WriteBatch) {
        batches.append(b)
        if batches.count == 1 {
            batch.paymentEventInserts = b.paymentEventInserts; batch.paymentEventUpdates = b.paymentEventUpdates
            batch.orderInserts = b.orderInserts; batch.orderUpdates = b.orderUpdates
            batch.walletUpserts = b.walletUpserts; batch.engineState = b.engineState
            batch.messageInserts = b.messageInserts; batch.messageUpdates = b.messageUpdates; batch.messageDeletes = b.messageDeletes
            batch.prune = b.prune; batch.heartbeat = b.heartbeat
            index()
            return
        }
        for r in b.paymentEventInserts { eventInsert[r.checkoutID] = batch.paymentEventInserts.count; batch.paymentEventInserts.append(r) }
        for r in b.paymentEventUpdates {
            if let i = eventInsert[r.checkoutID] { batch.paymentEventInserts[i].takeUpdate(r) }
            else if let i = eventUpdate[r.checkoutID] { batch.paymentEventUpdates[i] = r }
            else { eventUpdate[r.checkoutID] = batch.paymentEventUpdates.count; batch.paymentEventUpdates.append(r) }
        }
        for r in b.orderInserts { orderInsert[r.paymentOrderID] = batch.orderInserts.count; batch.orderInserts.append(r) }
        for r in b.orderUpdates {
            if let i = orderInsert[r.paymentOrderID] { batch.orderInserts[i].takeUpdate(r) }
            else if let i = orderUpdate[r.paymentOrderID] { batch.orderUpdates[i] = r }
            else { orderUpdate[r.paymentOrderID] = batch.orderUpdates.count; batch.orderUpdates.append(r) }
        }
        for r in b.walletUpserts {
            let key = r.merchantID + "\u{0}" + r.currency
            if let i = wallet[key] { batch.walletUpserts[i] = r } else { wallet[key] = batch.walletUpserts.count; batch.walletUpserts.append(r) }
        }
        for r in b.messageInserts { messageInsert[r.messageID] = batch.messageInserts.count; batch.messageInserts.append(r) }
        for r in b.messageUpdates {
            if let i = messageInsert[r.messageID] {
                batch.messageInserts[i].takeUpdate(r)
            } else if let i = messageUpdate[r.messageID] {
                batch.messageUpdates[i] = r
            } else {
                messageUpdate[r.messageID] = batch.messageUpdates.count; batch.messageUpdates.append(r)
            }
        }
        for id in b.messageDeletes {
            if let i = messageInsert.removeValue(forKey: id) {
                droppedInserts.insert(i)  // sent and deleted inside the window: never written
            } else {
                if let i = messageUpdate.removeValue(forKey: id) { droppedUpdates.insert(i) }
                batch.messageDeletes.append(id)
            }
        }
        for kv in b.engineState {
            if let i = stateKey[kv.key] { batch.engineState[i] = kv } else { stateKey[kv.key] = batch.engineState.count; batch.engineState.append(kv) }
        }
        if let p = b.prune { batch.prune = p }
        if let h = b.heartbeat { batch.heartbeat = h }
    }

    /// The window: its batches and their merged keyed rows, messages deleted inside it left out.
    mutating func finish() -> MergedWindow {
        if !droppedInserts.isEmpty {
            batch.messageInserts = batch.messageInserts.enumerated().filter { !droppedInserts.contains($0.offset) }.map(\.element)
        }
        if !droppedUpdates.isEmpty {
            batch.messageUpdates = batch.messageUpdates.enumerated().filter { !droppedUpdates.contains($0.offset) }.map(\.element)
        }
        droppedInserts = []; droppedUpdates = []
        return MergedWindow(keyed: batch, batches: batches)
    }

    private mutating func index() {
        for (i, r) in batch.paymentEventInserts.enumerated() { eventInsert[r.checkoutID] = i }
        for (i, r) in batch.paymentEventUpdates.enumerated() { eventUpdate[r.checkoutID] = i }
        for (i, r) in batch.orderInserts.enumerated() { orderInsert[r.paymentOrderID] = i }
        for (i, r) in batch.orderUpdates.enumerated() { orderUpdate[r.paymentOrderID] = i }
        for (i, r) in batch.walletUpserts.enumerated() { wallet[r.merchantID + "\u{0}" + r.currency] = i }
        for (i, kv) in batch.engineState.enumerated() { stateKey[kv.key] = i }
        for (i, r) in batch.messageInserts.enumerated() { messageInsert[r.messageID] = i }
        for (i, r) in batch.messageUpdates.enumerated() { messageUpdate[r.messageID] = i }
    }
}

// What an update row changes: the columns of BatchApplier's UPDATE statements, no others.
extension PaymentEventRow {
    mutating func takeUpdate(_ u: PaymentEventRow) {
        isPaymentDone = u.isPaymentDone; outcome = u.outcome; failureCode = u.failureCode; doneAt = u.doneAt
    }
}

extension PaymentOrderRow {
    mutating func takeUpdate(_ u: PaymentOrderRow) {
        status = u.status; ledgerUpdated = u.ledgerUpdated; walletUpdated = u.walletUpdated
        executingAt = u.executingAt; completedAt = u.completedAt; updatedAt = u.updatedAt
    }
}

extension QueueMessageRow {
    mutating func takeUpdate(_ u: QueueMessageRow) {
        queueName = u.queueName; visibleAt = u.visibleAt; receiveCount = u.receiveCount
        firstReceivedAt = u.firstReceivedAt; movedAt = u.movedAt; lastError = u.lastError
    }
}
