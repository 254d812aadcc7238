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

    /// Nil for bytes that are not such a list (a damaged row). A plain loop over the
    /// bytes: the Functions view decodes a few thousand of these for a day's window.
    public init?(decoding bytes: [UInt8]) {
        var pairs: [(value: Int64, count: Int64)] = []
        pairs.reserveCapacity(bytes.count / 3)
        let ok = bytes.withUnsafeBufferPointer { b -> Bool in
            var i = 0, previous: Int64 = 0
            func varint() -> UInt64? {
                var shift: UInt64 = 0, v: UInt64 = 0
                while i < b.count {
                    let byte = b[i]
                    i += 1
                    v |= UInt64(byte & 0x7f) << shift
                    if byte & 0x80 == 0 { return v }
                    shift += 7
                    if shift >= 64 { return nil }
                }
                return nil
            }
            while i < b.count {
                guard let gap = varint(), let count = varint(), gap < UInt64(Int64.max) - UInt64(max(0, previous)) else { return false }
                previous += Int64(gap)
                pairs.append((previous, Int64(clamping: count)))
            }
            return true
        }
        guard ok else { return nil }
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

    /// Adds another distribution's counts (a merge of two ascending lists).
    public mutating func add(_ other: HistogramBuckets) {
        guard !other.pairs.isEmpty else { return }
        guard !pairs.isEmpty else { pairs = other.pairs; return }
        var merged: [(value: Int64, count: Int64)] = []
        merged.reserveCapacity(pairs.count + other.pairs.count)
        pairs.withUnsafeBufferPointer { a in
            other.pairs.withUnsafeBufferPointer { b in
                var i = 0, j = 0
                while i < a.count && j < b.count {
                    if a[i].value < b[j].value { merged.append(a[i]); i += 1 }
                    else if b[j].value < a[i].value { merged.append(b[j]); j += 1 }
                    else { merged.append((a[i].value, a[i].count + b[j].count)); i += 1; j += 1 }
                }
                while i < a.count { merged.append(a[i]); i += 1 }
                while j < b.count { merged.append(b[j]); j += 1 }
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
