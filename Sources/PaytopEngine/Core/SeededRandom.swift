/// The engine's one source of chance: xoshiro256** seeded through SplitMix64. Its whole
/// state is four words, saved in the store so a resumed engine continues the sequence.
public struct SeededRandom: Sendable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public init(state: [UInt64]) {
        precondition(state.count == 4)
        self.state = (state[0], state[1], state[2], state[3])
    }

    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = SeededRandom.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = SeededRandom.rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1). Probabilities only; never money.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

    /// Uniform integer in the closed range.
    public mutating func int(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound + Int64(next() % span)
    }

    /// Uniform duration between two bounds, inclusive.
    public mutating func nanos(_ lo: Nanos, _ hi: Nanos) -> Nanos { int(in: lo...max(lo, hi)) }

    /// Exponential inter-arrival time for a Poisson process of `rate` events per second.
    public mutating func exponentialGap(ratePerSecond rate: Double) -> Nanos {
        let u = 1.0 - unit()  // (0, 1]
        return max(1, Nanos((-(u.logarithm) / rate * 1e9).rounded()))
    }

    /// An identifier that sorts by creation time (like a ULID): `prefix`, 12 hex digits
    /// of engine milliseconds, then `randomDigits` random hex digits. Time-ordered keys
    /// append to the store's indexes instead of splitting random pages.
    public mutating func timeOrderedID(_ prefix: String, at t: EngineTime, randomDigits: Int = 6) -> String {
        let ms = UInt64(max(0, t.nanos / 1_000_000))
        var digits = String(ms, radix: 16)
        if digits.count < 12 { digits = String(repeating: "0", count: 12 - digits.count) + digits }
        return prefix + digits + hex(randomDigits)
    }

    /// A UUID version 7 (RFC 9562): engine milliseconds, then random bits.
    public mutating func uuidV7(at t: EngineTime) -> String {
        let ms = UInt64(max(0, t.nanos / 1_000_000))
        var h = String(ms, radix: 16)
        if h.count < 12 { h = String(repeating: "0", count: 12 - h.count) + h }
        let r = Array(hex(20).utf8)
        let variant = ["8", "9", "a", "b"][Int(r[3] % 4)]
        func part(_ a: Int, _ b: Int) -> String { String(decoding: r[a..<b], as: UTF8.self) }
        return "\(h.prefix(8))-\(h.suffix(4))-7\(part(0, 3))-\(variant)\(part(4, 7))-\(part(7, 19))"
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// `digits` lowercase hex characters.
    public mutating func hex(_ digits: Int) -> String {
        var out = [UInt8]()
        out.reserveCapacity(digits)
        var word = next()
        var left = 16
        for _ in 0..<digits {
            if left == 0 { word = next(); left = 16 }
            let nibble = UInt8(word & 0xF)
            out.append(nibble < 10 ? 48 + nibble : 87 + nibble)
            word >>= 4
            left -= 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Double {
    /// Natural logarithm without importing Foundation into every file.
    var logarithm: Double { _log(self) }
}

@inline(__always) private func _log(_ x: Double) -> Double {
    #if canImport(Glibc)
    return Glibc.log(x)
    #else
    return Darwin.log(x)
    #endif
}

#if canImport(Glibc)
import PaytopVocabulary
import Glibc
#else
import Darwin
#endif
