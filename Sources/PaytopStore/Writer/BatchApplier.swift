/// Applies a `WriteBatch` to a connection with prepared statements. Does not open a
/// transaction: the caller groups batches into one.
struct BatchApplier {
    let c: Connection

    /// One batch, as the engine built it.
    func apply(_ b: WriteBatch) throws {
        try applyTelemetry(b)
        try insertAppended(b)
        try applyKeyed(b)
    }

    /// A redo log's window (`MergedWindow`): each batch's appended rows read where they
    /// are, in order, the roll-ups counted once over all of them, then the merged keyed rows.
    func apply(_ w: MergedWindow) throws {
        for b in w.batches {
            try insertTelemetry(b)
            try insertAppended(b)
        }
        try applyBusinessRollups(w.batches.lazy.flatMap(\.businessEvents))
        if let p = w.keyed.prune { try applyPrune(p) }
        try applyKeyed(w.keyed)
    }

    /// The rows a batch only ever adds outside telemetry: ledger entries, PSP charges,
    /// control events and their acknowledgements.
    func insertAppended(_ b: WriteBatch) throws {
        if !b.ledgerInserts.isEmpty {
            let s = try c.cached("""
                INSERT INTO ledger_entry (account, direction, amount, currency, payment_order_id, created_at)
                VALUES (?,?,?,?,?,?)
                """)
            // entry_id and transaction_id are generated from payment_order_id and direction.
            for r in b.ledgerInserts {
                s.bind(1, r.account).bind(2, try CheckedColumns.ledgerDirection(r.direction)).bind(3, r.amount.description).bind(4, r.currency)
                    .bind(5, r.paymentOrderID).bind(6, r.createdAt)
                try s.run()
            }
        }
        if !b.pspInserts.isEmpty {
            let s = try c.cached("""
                INSERT INTO psp_charge (idempotency_key, psp_reference, checkout_id, amount, currency, status,
                  decline_code, requested_at, completed_at) VALUES (?,?,?,?,?,?,?,?,?)
                """)
            for r in b.pspInserts {
                s.bind(1, r.idempotencyKey).bind(2, r.pspReference).bind(3, r.checkoutID)
                    .bind(4, r.amount.description).bind(5, r.currency)
                    .bind(6, try CheckedColumns.chargeStatus(r.status)).bind(7, r.declineCode)
                    .bind(8, r.requestedAt).bind(9, r.completedAt)
                try s.run()
            }
        }
        if !b.problems.isEmpty { try upsertProblems(b.problems) }
        if !b.controlEvents.isEmpty {
            let s = try c.cached("""
                INSERT INTO control_event (at, source, command_id, command, args, summary) VALUES (?,?,?,?,?,?)
                """)
            for r in b.controlEvents {
                s.bind(1, r.at).bind(2, r.source).bind(3, r.commandID).bind(4, r.command).bind(5, r.args)
                    .bind(6, r.summary)
                try s.run()
            }
        }
        if !b.controlAcks.isEmpty {
            let s = try c.cached("UPDATE control_command SET status = ?, applied_at = ?, result = ? WHERE id = ?")
            for a in b.controlAcks {
                s.bind(1, try CheckedColumns.commandStatus(a.status)).bind(2, a.appliedAt).bind(3, a.result).bind(4, a.id)
                try s.run()
            }
        }
    }

    /// The rows a later batch may change again (`BatchMerger` merges these): payment
    /// events and orders, wallets, queue messages, the heartbeat and engine state.
    func applyKeyed(_ b: WriteBatch) throws {
        if !b.paymentEventInserts.isEmpty {
            let s = try c.cached("""
                INSERT INTO payment_event (checkout_id, buyer_info, seller_info, credit_card_info,
                  is_payment_done, amount_total, currency, order_count, outcome, failure_code, simulate,
                  request_hash, created_at, done_at, trace_no) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            for r in b.paymentEventInserts {
                s.bind(1, r.checkoutID).bind(2, r.buyerInfo).bind(3, r.sellerInfo).bind(4, r.creditCardInfo)
                    .bind(5, r.isPaymentDone).bind(6, r.amountTotal.description).bind(7, r.currency)
                    .bind(8, r.orderCount).bind(9, r.outcome).bind(10, r.failureCode).bind(11, r.simulate)
                    .bind(12, r.requestHash).bind(13, r.createdAt).bind(14, r.doneAt).bind(15, r.traceNo)
                try s.run()
            }
        }
        if !b.paymentEventUpdates.isEmpty {
            let s = try c.cached("""
                UPDATE payment_event SET is_payment_done = ?, outcome = ?, failure_code = ?, done_at = ?
                WHERE checkout_id = ?
                """)
            for r in b.paymentEventUpdates {
                s.bind(1, r.isPaymentDone).bind(2, r.outcome).bind(3, r.failureCode).bind(4, r.doneAt)
                    .bind(5, r.checkoutID)
                try s.run()
            }
        }
        if !b.orderInserts.isEmpty {
            let s = try c.cached("""
                INSERT INTO payment_order (payment_order_id, checkout_id, buyer_account, seller_account,
                  amount, currency, payment_order_status, ledger_updated, wallet_updated, created_at,
                  executing_at, completed_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            for r in b.orderInserts {
                s.bind(1, r.paymentOrderID).bind(2, r.checkoutID).bind(3, r.buyerAccount)
                    .bind(4, r.sellerAccount).bind(5, r.amount.description).bind(6, r.currency)
                    .bind(7, try CheckedColumns.orderStatus(r.status)).bind(8, r.ledgerUpdated).bind(9, r.walletUpdated)
                    .bind(10, r.createdAt).bind(11, r.executingAt).bind(12, r.completedAt).bind(13, r.updatedAt)
                try s.run()
            }
        }
        if !b.orderUpdates.isEmpty {
            let s = try c.cached("""
                UPDATE payment_order SET payment_order_status = ?, ledger_updated = ?, wallet_updated = ?,
                  executing_at = ?, completed_at = ?, updated_at = ? WHERE payment_order_id = ?
                """)
            for r in b.orderUpdates {
                s.bind(1, try CheckedColumns.orderStatus(r.status)).bind(2, r.ledgerUpdated).bind(3, r.walletUpdated).bind(4, r.executingAt)
                    .bind(5, r.completedAt).bind(6, r.updatedAt).bind(7, r.paymentOrderID)
                try s.run()
            }
        }
        if !b.walletUpserts.isEmpty {
            let s = try c.cached("""
                INSERT INTO wallet (merchant_id, currency, balance, updated_at) VALUES (?,?,?,?)
                ON CONFLICT (merchant_id, currency) DO UPDATE SET balance = excluded.balance,
                  updated_at = excluded.updated_at
                """)
            for r in b.walletUpserts {
                s.bind(1, r.merchantID).bind(2, r.currency).bind(3, r.balance.description).bind(4, r.updatedAt)
                try s.run()
            }
        }
        if !b.messageInserts.isEmpty {
            let s = try c.cached("""
                INSERT INTO queue_message (message_id, queue_name, source_queue, checkout_id, body, attributes,
                  sent_at, visible_at, receive_count, first_received_at, moved_at, last_error)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                """)
            for r in b.messageInserts {
                s.bind(1, r.messageID).bind(2, r.queueName).bind(3, r.sourceQueue).bind(4, r.checkoutID)
                    .bind(5, r.body).bind(6, r.attributes).bind(7, r.sentAt).bind(8, r.visibleAt)
                    .bind(9, r.receiveCount).bind(10, r.firstReceivedAt).bind(11, r.movedAt).bind(12, r.lastError)
                try s.run()
            }
        }
        if !b.messageUpdates.isEmpty {
            let s = try c.cached("""
                UPDATE queue_message SET queue_name = ?, visible_at = ?, receive_count = ?,
                  first_received_at = ?, moved_at = ?, last_error = ? WHERE message_id = ?
                """)
            for r in b.messageUpdates {
                s.bind(1, r.queueName).bind(2, r.visibleAt).bind(3, r.receiveCount).bind(4, r.firstReceivedAt)
                    .bind(5, r.movedAt).bind(6, r.lastError).bind(7, r.messageID)
                try s.run()
            }
        }
        if !b.messageDeletes.isEmpty {
            let s = try c.cached("DELETE FROM queue_message WHERE message_id = ?")
            for id in b.messageDeletes {
                s.bind(1, id)
                try s.run()
            }
        }
        if let h = b.heartbeat { try RunLog.heartbeat(c, runID: h.runID, wallMillis: h.wallMillis, engineTime: h.engineTime) }
        for (k, v) in b.engineState { try setEngineState(key: k, value: v) }
    }

    /// One `engine_state` row, inserted or replaced.
    func setEngineState(key: String, value: String) throws {
        let s = try c.cached("""
            INSERT INTO engine_state (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
        s.bind(1, key).bind(2, value)
        try s.run()
    }
}
