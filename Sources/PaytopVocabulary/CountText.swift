extension BinaryInteger {
    /// 1234567 → "1,234,567": every digit, grouped by thousands, as the console and the
    /// command line print counts that must stay exact.
    public var grouped: String {
        let digits = String(self.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (self < 0 ? "-" : "") + out
    }
}
