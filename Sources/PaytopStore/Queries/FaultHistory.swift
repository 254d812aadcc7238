/// When the store's faults were switched on (the control events' log).
public enum FaultHistory {
    /// The first time a fault of this kind (psp-outage, psp-latency, …) was switched on.
    public static func firstOn(_ c: Connection, kind: String) throws -> Int64? {
        let s = try c.cached("""
            SELECT min(at) FROM control_event WHERE command = 'fault' AND json_extract(args, '$.kind') = ?1
              AND json_extract(args, '$.on') IS NOT 0
            """)
        s.bind(1, kind)
        defer { s.reset() }
        return try s.step() ? s.optionalInt(0) : nil
    }
}
