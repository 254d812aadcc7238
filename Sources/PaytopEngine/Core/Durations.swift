import PaytopVocabulary

/// Spans of engine time in nanoseconds, by unit. (Kept in the engine: in another module
/// the name would lose to the standard library's `Span`.)
public enum Span {
    public static func ms(_ v: Int64) -> Nanos { v * 1_000_000 }
    public static func seconds(_ v: Int64) -> Nanos { v * 1_000_000_000 }
    public static func seconds(_ v: Double) -> Nanos { Nanos((v * 1e9).rounded()) }
    public static func minutes(_ v: Int64) -> Nanos { v * 60_000_000_000 }
    public static func toSeconds(_ d: Nanos) -> Double { Double(d) / 1e9 }
}
