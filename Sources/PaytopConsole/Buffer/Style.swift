/// A terminal colour: the terminal's default, one of the 16 ANSI colours, or one of 256.
public enum Color: Hashable, Sendable {
    case `default`
    case ansi(UInt8)      // 0–15
    case indexed(UInt8)   // 0–255

    /// The nearest of the 8 basic colours, for 8-colour terminals.
    public var basic: Color {
        switch self {
        case .default: return .default
        case .ansi(let n): return .ansi(n % 8)
        case .indexed(let n):
            if n < 16 { return .ansi(n % 8) }
            if n >= 232 { return .ansi(n < 244 ? 0 : 7) }
            let v = Int(n) - 16
            let r = v / 36, g = (v / 6) % 6, b = v % 6
            let bits = (r >= 3 ? 1 : 0) | (g >= 3 ? 2 : 0) | (b >= 3 ? 4 : 0)
            return .ansi(UInt8(bits == 0 && (r + g + b) >= 6 ? 7 : bits))
        }
    }
}

/// How a cell looks. Views ask the theme for styles by role.
public struct Style: Hashable, Sendable {
    public var fg: Color = .default
    public var bg: Color = .default
    public var bold = false
    public var dim = false
    public var reverse = false
    public var underline = false

    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false,
                reverse: Bool = false, underline: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.dim = dim; self.reverse = reverse; self.underline = underline
    }

    public static let plain = Style()
}

/// The characters a view draws with: Unicode box drawing and blocks, or plain ASCII for
/// terminals whose locale is not UTF-8.
public struct Glyphs: Sendable {
    public var horizontal, vertical, topLeft, topRight, bottomLeft, bottomRight: String
    public var arrow: String
    public var full, empty: String
    public var spark: [String]
    public var dot, cross, folded, unfolded, ellipsis, wait: String
    /// Whether every drawn character must be ASCII (non-UTF-8 locales).
    public var asciiOnly = false

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", arrow: "──►",
        full: "█", empty: "░", spark: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], dot: "●", cross: "✖", folded: "▶",
        unfolded: "▼", ellipsis: "…", wait: "┈")
    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+", arrow: "-->",
        full: "#", empty: ".", spark: ["_", ".", "-", "=", "+", "*", "#", "@"], dot: "*", cross: "x", folded: ">",
        unfolded: "v", ellipsis: "~", wait: ".", asciiOnly: true)
}
