import Foundation
import PaytopVocabulary

/// The `engine_state` rows an engine wrote with its last commit, with the parts every
/// room shares decoded into their vocabulary types. The engine's own parts (settings,
/// counters, the PRNG) stay as text for the engine to decode.
public struct StoredEngineState: Sendable {
    public var text: [EngineStateKey: String] = [:]
    /// Engine time of the last commit, in nanoseconds since 1970; 0 for a store no engine has run on.
    public var clock: Int64 = 0
    public var speed: Double = 0
    public var faults: FaultState?
    public var traffic: TrafficState?
    public var releases: [FunctionName: [Release]] = [:]
    /// The experiment a runner is playing against the engine (nil: none, or a null row once it ended).
    public var experiment: ExperimentStatus?
    /// The store's present for readers: the engine's clock, or, in a store only received
    /// telemetry fills (`paytop collect`), the time of the newest trace, business event or
    /// log record received — so "the last hour" means the last hour of what arrived.
    public var now: Int64 = 0

    public init() {}

    /// A shared part that does not decode is left nil: a reader shows what it can.
    public static func load(_ c: Connection) throws -> StoredEngineState {
        var s = StoredEngineState()
        let st = try c.cached("SELECT key, value FROM engine_state")
        defer { st.reset() }
        while try st.step() {
            if let key = EngineStateKey(rawValue: st.string(0)) { s.text[key] = st.string(1) }
        }
        s.clock = Int64(s.text[.clock] ?? "") ?? 0
        s.speed = Double(s.text[.speed] ?? "") ?? 0
        s.faults = s.decode(.faults)
        s.traffic = s.decode(.traffic)
        s.releases = s.decode(.releases) ?? [:]
        s.experiment = s.decode(.experiment)
        s.now = s.clock != 0 ? s.clock : try receivedNow(c)
        return s
    }

    /// The newest received item's time (0 when nothing was received). Each is the last row
    /// of its table in insertion order, or an index's end: no scan.
    static func receivedNow(_ c: Connection) throws -> Int64 {
        let s = try c.cached("""
            SELECT max(coalesce((SELECT biz_timestamp FROM business_event_data ORDER BY event_no DESC LIMIT 1), 0),
                       coalesce((SELECT time_unix_nano FROM log_record ORDER BY log_no DESC LIMIT 1), 0),
                       coalesce((SELECT max(started_at) FROM trace), 0))
            """)
        defer { s.reset() }
        return try s.step() ? s.int(0) : 0
    }

    public func decode<T: Decodable>(_ key: EngineStateKey, as type: T.Type = T.self) -> T? {
        guard let t = text[key] else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(t.utf8))
    }
}
