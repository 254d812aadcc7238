import DequeModule

/// The checkouts the engine holds in memory, and which of them (and of their queue
/// messages) changed since the last flush. A finished checkout leaves memory only once
/// the batch holding its final state has committed, so the book plus the store always
/// hold every checkout (outside requests are checked against both without a commit).
final class CheckoutBook {
    private(set) var live: [String: Checkout] = [:]
    private var dirtyCheckouts: [Checkout] = []
    private var dirtyMessages: [QueueMessage] = []
    private var evictionCandidates: [Checkout] = []
    private var evictionsAwaitingCommit = Deque<(sequence: Int, checkouts: [Checkout])>()
    /// payment_order_id → checkout_id for the live checkouts taken from outside callers.
    private var orderOwners: [String: String] = [:]

    subscript(id: String) -> Checkout? { live[id] }

    func add(_ c: Checkout, fromOutside: Bool) {
        live[c.id] = c
        if fromOutside { for o in c.request.orders { orderOwners[o.paymentOrderID] = c.id } }
    }

    /// The live checkout, taken from outside, that owns this payment_order_id.
    func owner(ofOrder id: String) -> String? { orderOwners[id] }

    /// Returns true when the checkout was clean (its rows now count as pending).
    func markDirty(_ c: Checkout) -> Bool {
        guard !c.dirty else { return false }
        c.dirty = true
        dirtyCheckouts.append(c)
        return true
    }

    func markDirty(_ m: QueueMessage) -> Bool {
        guard !m.dirty else { return false }
        m.dirty = true
        dirtyMessages.append(m)
        return true
    }

    /// A checkout that may leave memory once its current state commits.
    func mayEvict(_ c: Checkout) {
        if c.canBeEvicted { evictionCandidates.append(c) }
    }

    /// Hands over the changed checkouts and messages, clean again.
    func takeDirty() -> (checkouts: [Checkout], messages: [QueueMessage]) {
        defer {
            dirtyCheckouts.removeAll(keepingCapacity: true)
            dirtyMessages.removeAll(keepingCapacity: true)
        }
        for c in dirtyCheckouts { c.dirty = false }
        for m in dirtyMessages { m.dirty = false }
        return (dirtyCheckouts, dirtyMessages)
    }

    /// The eviction candidates so far wait for the batch `sequence` to commit.
    func candidatesAwait(commit sequence: Int) {
        guard !evictionCandidates.isEmpty else { return }
        evictionsAwaitingCommit.append((sequence, evictionCandidates))
        evictionCandidates.removeAll(keepingCapacity: true)
    }

    /// Drops the finished checkouts whose final state is committed; returns their ids.
    func evict(committed: Int) -> [String] {
        var gone: [String] = []
        while let entry = evictionsAwaitingCommit.first, entry.sequence <= committed {
            for c in entry.checkouts where c.canBeEvicted && !c.dirty {
                if live.removeValue(forKey: c.id) != nil { gone.append(c.id) }
                if !orderOwners.isEmpty { for o in c.orders { orderOwners[o.spec.paymentOrderID] = nil } }
            }
            evictionsAwaitingCommit.removeFirst()
        }
        return gone
    }

    /// A checkout read back from the store by a resuming engine.
    func restore(_ c: Checkout) { live[c.id] = c }
}
