import PaytopJSON

extension JSONValue {
    /// A figure rounded to 1 ÷ `scale`, or null where there is none (too few events to say).
    static func rounded(_ v: Double?, _ scale: Double) -> JSONValue { v.map { .number(($0 * scale).rounded() / scale) } ?? .null }
}
