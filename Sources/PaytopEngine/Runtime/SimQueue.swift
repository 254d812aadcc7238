import PaytopVocabulary

/// One simulated SQS standard queue: messages with visibility timeouts and receive counts,
/// moved to the dead-letter queue on the receive that would exceed `maxReceiveCount`.
final class SimQueue {
    let name: QueueName
    private(set) var messages: [String: QueueMessage] = [:]
    /// Min-heap of (visibleAt, message) with lazy deletion: an entry is stale when the
    /// message was deleted, moved, or re-stamped since it was pushed.
    private var heap: [(at: Int64, stamp: UInt32, message: QueueMessage)] = []
    var counters = Counters()

    struct Counters: Codable, Equatable {
        var sent = 0
        var received = 0
        var deleted = 0
        var emptyReceives = 0
        var movedToDeadLetter = 0
        var redriven = 0
    }

    init(name: QueueName) { self.name = name }

    var count: Int { messages.count }

    func add(_ m: QueueMessage) {
        messages[m.id] = m
        push(m)
    }

    /// Adds a message restored from the store without counting it as sent.
    func restore(_ m: QueueMessage) { add(m) }

    func remove(_ m: QueueMessage) {
        messages[m.id] = nil
    }

    private func push(_ m: QueueMessage) {
        m.heapStamp &+= 1
        heap.append((m.visibleAt.nanos, m.heapStamp, m))
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if heap[p].at <= heap[i].at { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    private func popTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && heap[l].at < heap[m].at { m = l }
            if r < n && heap[r].at < heap[m].at { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
    }

    private func isLive(_ e: (at: Int64, stamp: UInt32, message: QueueMessage)) -> Bool {
        !e.message.deleted && e.message.queue == name && e.message.heapStamp == e.stamp
    }

    /// When the next message becomes visible, or nil if none waits.
    func nextVisibleAt() -> EngineTime? {
        while let top = heap.first {
            if isLive(top) { return EngineTime(nanos: top.at) }
            popTop()
        }
        return nil
    }

    /// Receives up to `max` visible messages. Each receive raises the receive count and
    /// hides the message for `visibility`; a message that would pass `maxReceiveCount` is
    /// handed to `deadLetter` instead of being returned. The caller persists the changes.
    func receive(max: Int, at now: EngineTime, visibility: Nanos, maxReceiveCount: Int,
                 deadLetter: (QueueMessage) -> Void) -> [QueueMessage] {
        var out: [QueueMessage] = []
        while out.count < max, let top = heap.first, top.at <= now.nanos {
            popTop()
            guard isLive(top) else { continue }
            let m = top.message
            if m.receiveCount + 1 > maxReceiveCount {
                messages[m.id] = nil
                counters.movedToDeadLetter += 1
                deadLetter(m)
                continue
            }
            m.receiveCount += 1
            if m.firstReceivedAt == nil { m.firstReceivedAt = now }
            m.visibleAt = now + visibility
            push(m)
            out.append(m)
        }
        counters.received += out.count
        return out
    }

    /// Messages visible at `now`, in flight (received, hidden) and the oldest's age.
    /// Delayed: sent, but SendMessage has not completed yet at `now`.
    func depth(at now: EngineTime) -> (visible: Int, inFlight: Int, delayed: Int, oldestSentAt: EngineTime?) {
        var visible = 0, inFlight = 0, delayed = 0
        var oldest: EngineTime?
        for m in messages.values {
            if m.sentAt > now { delayed += 1 } else if m.visibleAt <= now { visible += 1 } else { inFlight += 1 }
            let since = m.movedAt ?? m.sentAt
            if oldest == nil || since < oldest! { oldest = since }
        }
        return (visible, inFlight, delayed, oldest)
    }
}
