import PaytopVocabulary

/// How many messages a queue holds at an instant, from the engine's own messages: visible,
/// in flight (received, not yet visible again), and the age of the oldest.
public struct QueueDepth: Sendable, Equatable {
    public var visible = 0
    public var inFlight = 0
    public var oldestAgeSeconds: Int64 = 0

    public static func at(_ c: Connection, _ q: QueueName, now: Int64) throws -> QueueDepth {
        let s = try c.cached("""
            SELECT count(*), sum(visible_at > ?2), min(coalesce(moved_at, sent_at)) FROM queue_message WHERE queue_name = ?1
            """)
        s.bind(1, q.rawValue).bind(2, now)
        defer { s.reset() }
        var d = QueueDepth()
        guard try s.step() else { return d }
        let total = Int(s.int(0))
        d.inFlight = Int(s.int(1))
        d.visible = total - d.inFlight
        if !s.isNull(2) { d.oldestAgeSeconds = max(0, (now - s.int(2)) / 1_000_000_000) }
        return d
    }
}
