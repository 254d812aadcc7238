/// Small drawing pieces views compose: a titled box, a gauge, a sparkline, aligned text.
public struct Painter {
    public var buffer: Buffer
    public let theme: Theme
    public let glyphs: Glyphs

    public init(width: Int, height: Int, theme: Theme, glyphs: Glyphs) {
        buffer = Buffer(width: width, height: height)
        self.theme = theme
        self.glyphs = glyphs
    }

    /// A border with a title; returns the inside.
    @discardableResult
    public mutating func box(_ r: Rect, title: String, focused: Bool = false) -> Rect {
        guard r.width >= 2, r.height >= 2 else { return Rect(x: r.x, y: r.y, width: 0, height: 0) }
        let style = focused ? theme[.accent] : theme[.border]
        let g = glyphs
        buffer.put(g.topLeft + String(repeating: g.horizontal, count: r.width - 2) + g.topRight, x: r.x, y: r.y, style: style)
        for y in (r.y + 1)..<(r.maxY - 1) {
            buffer.put(g.vertical, x: r.x, y: y, style: style)
            buffer.put(g.vertical, x: r.maxX - 1, y: y, style: style)
        }
        buffer.put(g.bottomLeft + String(repeating: g.horizontal, count: r.width - 2) + g.bottomRight, x: r.x, y: r.maxY - 1, style: style)
        buffer.put(" " + title + " ", x: r.x + 1, y: r.y, style: theme[.title], clip: Rect(x: r.x, y: r.y, width: r.width - 1, height: 1))
        return r.inner
    }

    /// A focused pane with nothing to show but why (no data in the store yet, …).
    public mutating func emptyPane(_ r: Rect, title: String, _ why: String) {
        let inner = box(r, title: title, focused: true)
        note(why, inner)
    }

    /// Text wrapped at spaces to the width of `r`, line after line from its top.
    public mutating func note(_ s: String, _ r: Rect, _ role: Theme.Role = .muted) {
        let width = max(1, r.width - 2)
        var line = "", y = r.y
        for word in s.split(separator: " ") {
            if !line.isEmpty && Buffer.columns(line) + 1 + Buffer.columns(String(word)) > width {
                guard y < r.maxY else { return }
                text(line, r.x + 1, y, role, clip: r)
                y += 1
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty && y < r.maxY { text(line, r.x + 1, y, role, clip: r) }
    }

    /// Text at a position inside `clip`; returns the column after it.
    @discardableResult
    public mutating func text(_ s: String, _ x: Int, _ y: Int, _ role: Theme.Role = .text, clip: Rect) -> Int {
        buffer.put(s, x: x, y: y, style: theme[role], clip: clip)
    }

    /// A horizontal gauge filled to `fraction` (0…1).
    public mutating func gauge(_ fraction: Double, _ x: Int, _ y: Int, width: Int, role: Theme.Role = .gaugeFill, clip: Rect) {
        guard width > 0 else { return }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let filled = Int((f * Double(width)).rounded())
        var col = buffer.put(String(repeating: glyphs.full, count: filled), x: x, y: y, style: theme[role], clip: clip)
        col = buffer.put(String(repeating: glyphs.empty, count: width - filled), x: col, y: y, style: theme[.gaugeEmpty], clip: clip)
        _ = col
    }

    /// A share (0…1) as a bar of full blocks `width` wide, as text for a table cell.
    public func bar(_ fraction: Double, width: Int) -> String {
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let filled = Int((f * Double(width)).rounded())
        return String(repeating: glyphs.full, count: filled) + String(repeating: glyphs.empty, count: max(0, width - filled))
    }

    /// Values as block characters scaled to their own maximum, the last `width` of them.
    public func sparkline(_ values: [Double], width: Int) -> String {
        let vs = Array(values.suffix(max(0, width)))
        guard let top = vs.max(), top > 0 else { return String(repeating: glyphs.spark[0], count: vs.count) }
        return vs.map { v in glyphs.spark[min(7, max(0, Int((v / top * 7).rounded())))] }.joined()
    }
}

/// Formatting shared by the views.
enum Format {
    static func rate(_ v: Double) -> String {
        if v == 0 { return "0/s" }
        if v < 10 { return String(format: "%.1f/s", v) }
        return String(format: "%.0f/s", v)
    }

    static func age(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" }
        return "\(seconds / 3600)h\(String(format: "%02d", seconds % 3600 / 60))m"
    }

    static func millis(_ v: Double) -> String {
        v >= 1000 ? String(format: "%.2f s", v / 1000) : String(format: "%.0f ms", v)
    }

    static func duration(_ nanos: Int64) -> String {
        let n = max(0, nanos)
        if n < 1_000_000 { return "\(n / 1000)µs" }
        if n < 1_000_000_000 { return "\(n / 1_000_000) ms" }
        if n < 60_000_000_000 { return String(format: "%.2f s", Double(n) / 1e9) }
        return age(n / 1_000_000_000)
    }

    static func percent(_ v: Double?, digits: Int = 2) -> String {
        guard let v else { return "—" }
        return String(format: "%.\(digits)f%%", v * 100)
    }

    /// 950, 12.3k, 4.5M.
    static func count(_ n: Int64) -> String {
        switch n {
        case ..<1_000: return "\(n)"
        case ..<1_000_000: return String(format: "%.1fk", Double(n) / 1_000)
        default: return String(format: "%.1fM", Double(n) / 1_000_000)
        }
    }

    /// As many of `items` as fit whole in `width` columns, then "+N" for the rest: amounts
    /// are never cut (docs/console.md), so a narrow pane shows fewer of them instead.
    static func whole(_ items: [String], width: Int, separator: String = " · ") -> String {
        var out = ""
        for (i, item) in items.enumerated() {
            let candidate = out.isEmpty ? item : out + separator + item
            let left = items.count - i - 1
            let reserve = left > 0 ? Buffer.columns(" +\(left)") : 0
            if Buffer.columns(candidate) + reserve <= width { out = candidate; continue }
            let more = (out.isEmpty ? "" : " ") + "+\(items.count - i)"
            return Buffer.columns(out + more) <= width ? out + more : out
        }
        return out
    }

    static func clock(_ nanos: Int64) -> String {
        let s = (nanos / 1_000_000_000) % 86_400
        return String(format: "%02d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
    }

    static func bytes(_ b: Int64) -> String {
        b < 1_048_576 ? "\(b / 1024) KB" : (b < 1_073_741_824 ? "\(b / 1_048_576) MB" : String(format: "%.1f GB", Double(b) / 1_073_741_824))
    }
}
