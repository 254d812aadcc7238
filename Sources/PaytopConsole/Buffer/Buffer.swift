/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    /// The rectangle inside a one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
    public func row(_ i: Int) -> Rect { Rect(x: x, y: y + i, width: width, height: 1) }
    /// Splits into a left part `w` wide and the rest.
    public func splitColumns(_ w: Int) -> (Rect, Rect) {
        let w = min(max(0, w), width)
        return (Rect(x: x, y: y, width: w, height: height), Rect(x: x + w, y: y, width: width - w, height: height))
    }
    public func splitRows(_ h: Int) -> (Rect, Rect) {
        let h = min(max(0, h), height)
        return (Rect(x: x, y: y, width: width, height: h), Rect(x: x, y: y + h, width: width, height: height - h))
    }
}

public struct Cell: Equatable, Sendable {
    /// One grapheme's text; "" for the second column of a wide character.
    public var text: String
    public var style: Style
    public static let blank = Cell(text: " ", style: .plain)
}

/// The frame a view draws into (as ratatui's Buffer): a grid of cells. Views are pure
/// functions of state into a buffer; the terminal backend writes only the cells that
/// changed since the last frame.
public struct Buffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// The charts and lists drawn into the frame that Tab reaches after the view's own panes, in order.
    public var panesDrawn: [Pane] = []

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0 && y >= 0 && x < width && y < height { cells[y * width + x] = newValue } }
    }

    public mutating func fill(_ r: Rect, style: Style, text: String = " ") {
        for y in max(0, r.y)..<min(height, r.maxY) {
            for x in max(0, r.x)..<min(width, r.maxX) { self[x, y] = Cell(text: text, style: style) }
        }
    }

    /// Writes `s` from (x, y), clipped to `clip` (and the buffer). Control characters
    /// and escape sequences are drawn inert, as visible `\u{1B}` escapes. Returns the
    /// column after the last character written.
    @discardableResult
    public mutating func put(_ s: String, x: Int, y: Int, style: Style, clip: Rect? = nil) -> Int {
        let limit = clip ?? area
        guard y >= max(0, limit.y), y < min(height, limit.maxY) else { return x }
        let right = min(width, limit.maxX)
        var col = x
        for ch in s {
            for piece in Buffer.inert(ch) {
                let w = Buffer.columns(piece)
                if w == 0 { continue }
                if col + w > right { return col }
                if col >= max(0, limit.x) {
                    self[col, y] = Cell(text: String(piece), style: style)
                    if w == 2 { self[col + 1, y] = Cell(text: "", style: style) }
                }
                col += w
            }
        }
        return col
    }

    /// The same frame with every non-ASCII character replaced by an ASCII look-alike (or
    /// "?"), for terminals whose locale is not UTF-8.
    public func asciified() -> Buffer {
        var b = self
        let map: [Character: String] = ["·": "-", "…": "~", "→": ">", "←": "<", "◀": "<", "▶": ">", "×": "x", "—": "-",
                                        "µ": "u", "│": "|", "▏": "|", "“": "\"", "”": "\"", "✖": "x", "●": "*", "▼": "v",
                                        "└": "+", "┘": "+", "┌": "+", "┐": "+", "─": "-", "├": "+", "┤": "+", "┴": "+",
                                        "┬": "+", "┈": ".", "█": "#", "░": ".", "–": "-", "≤": "<=", "►": ">"]
        for i in b.cells.indices {
            let t = b.cells[i].text
            guard !t.unicodeScalars.allSatisfy({ $0.isASCII }) else { continue }
            if let ch = t.first, let r = map[ch] { b.cells[i].text = String(r.prefix(1)) } else if !t.isEmpty { b.cells[i].text = "?" }
        }
        return b
    }

    /// Text of each row (styles dropped), for snapshot tests.
    public var lines: [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width { line += self[x, y].text }
            return line.replacingTrailingSpaces()
        }
    }

    /// A control character becomes its visible escape; anything else stays.
    static func inert(_ ch: Character) -> [Character] {
        guard let u = ch.unicodeScalars.first, ch.unicodeScalars.count == 1,
              u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) else { return [ch] }
        return Array("\\u{" + String(u.value, radix: 16, uppercase: true) + "}")
    }

    /// Columns a character takes: 2 for East Asian wide and emoji, 0 for combining marks.
    public static func columns(_ ch: Character) -> Int {
        guard let u = ch.unicodeScalars.first?.value else { return 0 }
        switch u {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: return 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD: return 2
        default: return 1
        }
    }

    /// Display columns of a string.
    public static func columns(_ s: String) -> Int {
        s.reduce(0) { total, ch in total + inert(ch).reduce(0) { $0 + columns($1) } }
    }
}

extension String {
    func replacingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }

    /// Pads or cuts to exactly `n` display columns (cutting with `ellipsis`).
    func fit(_ n: Int, ellipsis: String = "…") -> String {
        let w = Buffer.columns(self)
        if w <= n { return self + String(repeating: " ", count: n - w) }
        guard n > 0 else { return "" }
        var out = ""
        var used = 0
        for ch in self {
            let cw = Buffer.columns(String(ch))
            if used + cw > n - 1 { break }
            out.append(ch)
            used += cw
        }
        return out + ellipsis + String(repeating: " ", count: max(0, n - used - 1))
    }
}
