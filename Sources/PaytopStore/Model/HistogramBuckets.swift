/// A distribution's counts per value (the HDR histogram's buckets, in microseconds), as
/// `metric_histogram` keeps them for each roll-up minute so that percentiles over any
/// window of minutes can be computed exactly to the bucket. Stored as varints: the gap to
/// the previous value, then the count.
public struct HistogramBuckets: Sendable, Equatable {
    /// Values ascending, each with its count (> 0).
    public private(set) var pairs: [(value: Int64, count: Int64)]

    public init(sortedPairs: [(value: Int64, count: Int64)]) { pairs = sortedPairs }

    public static func == (a: HistogramBuckets, b: HistogramBuckets) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.value == $1.value && $0.count == $1.count }
    }

    public var totalCount: Int64 { pairs.reduce(0) { $0 + $1.count } }

    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(pairs.count * 3)
        var previous: Int64 = 0
        for (v, n) in pairs {
            Self.appendVarint(UInt64(v - previous), to: &out)
            Self.appendVarint(UInt64(n), to: &out)
            previous = v
        }
        return out
    }

    /// Nil for bytes that are not such a list (a damaged row).
    public init?(decoding bytes: some Collection<UInt8>) {
        var pairs: [(Int64, Int64)] = []
        var it = bytes.makeIterator()
        var previous: Int64 = 0
        func next() -> UInt64?? {
            var shift: UInt64 = 0, v: UInt64 = 0
            guard var b = it.next() else { return .some(nil) }
            while true {
                guard shift < 64 else { return nil }
                v |= UInt64(b & 0x7f) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
                guard let n = it.next() else { return nil }
                b = n
            }
        }
        while true {
            guard let gap = next() else { return nil }
            guard let gap else { break }
            guard let count = next(), let count, gap < UInt64(Int64.max) - UInt64(previous) else { return nil }
            previous += Int64(gap)
            pairs.append((previous, Int64(clamping: count)))
        }
        self.pairs = pairs
    }

    static func appendVarint(_ v: UInt64, to out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Adds another distribution's counts.
    public mutating func add(_ other: HistogramBuckets) {
        var merged: [(value: Int64, count: Int64)] = []
        merged.reserveCapacity(pairs.count + other.pairs.count)
        var i = 0, j = 0
        while i < pairs.count || j < other.pairs.count {
            if j == other.pairs.count || (i < pairs.count && pairs[i].value < other.pairs[j].value) {
                merged.append(pairs[i]); i += 1
            } else if i == pairs.count || other.pairs[j].value < pairs[i].value {
                merged.append(other.pairs[j]); j += 1
            } else {
                merged.append((pairs[i].value, pairs[i].count + other.pairs[j].count)); i += 1; j += 1
            }
        }
        pairs = merged
    }

    /// Nearest-rank percentile (0 < p ≤ 100); nil when empty.
    public func percentile(_ p: Double) -> Int64? {
        let total = totalCount
        guard total > 0 else { return nil }
        let rank = max(1, Int64((Double(total) * p / 100).rounded(.up)))
        var seen: Int64 = 0
        for (v, n) in pairs {
            seen += n
            if seen >= rank { return v }
        }
        return pairs.last?.value
    }
}
