/// An exact decimal amount of money with two fractional digits, held as an integer
/// count of hundredths. paytop never uses floating point for amounts: they are parsed
/// from and written as decimal text ("1234.50"), and summed as integers.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Hundredths of the currency unit (cents for USD).
    public var minorUnits: Int64

    public static let zero = Money(minorUnits: 0)
    /// The largest amount paytop accepts in one order: 1,000,000,000,000.00.
    public static let maximum = Money(minorUnits: 100_000_000_000_000)

    public init(minorUnits: Int64) { self.minorUnits = minorUnits }

    /// Parses a non-negative decimal string with at most two fractional digits:
    /// "10", "10.5", "10.50". Rejects signs, exponents, spaces and anything above `maximum`.
    public init?(decimalString text: String) {
        var units: Int64 = 0
        var fractionDigits = -1  // -1: no point seen yet
        var sawDigit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if fractionDigits >= 0 {
                    if fractionDigits == 2 { return nil }
                    fractionDigits += 1
                }
                let (m, o1) = units.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                units = s
                sawDigit = true
            case UInt8(ascii: "."):
                if fractionDigits >= 0 || !sawDigit { return nil }
                fractionDigits = 0
            default:
                return nil
            }
        }
        if !sawDigit || fractionDigits == 0 { return nil }
        let scale = fractionDigits <= 0 ? 2 : 2 - fractionDigits
        for _ in 0..<scale {
            let (m, o) = units.multipliedReportingOverflow(by: 10)
            if o { return nil }
            units = m
        }
        guard units <= Money.maximum.minorUnits else { return nil }
        self.minorUnits = units
    }

    /// Always two fractional digits: "0.00", "1234.50", "-3.07". Written digit by digit
    /// into the string's own storage (an amount of up to 15 characters allocates nothing):
    /// settlement writes several per line, a million lines a batch.
    public var description: String {
        String(unsafeUninitializedCapacity: 24) { buf in
            var m = minorUnits.magnitude
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[count] = UInt8(truncatingIfNeeded: m % 10) + 48
                    m /= 10
                    count += 1
                } while m > 0 || count < 3
            }
            var n = 0
            if minorUnits < 0 { buf[n] = 45; n += 1 }
            withUnsafeBytes(of: &digits) { d in
                for i in stride(from: count - 1, through: 0, by: -1) {
                    if i == 1 { buf[n] = 46; n += 1 }
                    buf[n] = d[i]
                    n += 1
                }
            }
            return n
        }
    }

    public static func + (a: Money, b: Money) -> Money { Money(minorUnits: a.minorUnits + b.minorUnits) }
    public static func - (a: Money, b: Money) -> Money { Money(minorUnits: a.minorUnits - b.minorUnits) }
    public static func += (a: inout Money, b: Money) { a.minorUnits += b.minorUnits }
    public static func < (a: Money, b: Money) -> Bool { a.minorUnits < b.minorUnits }
}
