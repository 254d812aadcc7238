/// A list drawn as a table, as ratatui's `Table` with its `TableState`: columns with
/// widths and alignment, a header with a sort indicator, one selected row kept in view
/// by scrolling, and a role per cell. Every list of the console draws through it.
public struct Table {
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public var title: String
        /// Cells' width in columns, a space after it included; 0 takes what is left.
        public var width: Int
        public var alignment: Alignment
        public init(_ title: String, width: Int, _ alignment: Alignment = .left) {
            self.title = title; self.width = width; self.alignment = alignment
        }
    }

    public struct Cell: Sendable {
        public var text: String
        /// nil: the row's role.
        public var role: Theme.Role?
        /// A list the cell shows as many of, whole, as its column allows ("+N" for the
        /// rest): amounts, which are never cut.
        public var items: [String]?
        public init(_ text: String, _ role: Theme.Role? = nil) { self.text = text; self.role = role }
        public static func whole(_ items: [String], empty: String = "—", _ role: Theme.Role? = nil) -> Cell {
            var c = Cell(items.isEmpty ? empty : items.joined(separator: " · "), role)
            if !items.isEmpty { c.items = items }
            return c
        }
    }

    public struct Row: Sendable {
        public var cells: [Cell]
        public var role: Theme.Role
        public init(_ cells: [Cell], role: Theme.Role = .text) { self.cells = cells; self.role = role }
    }

    public var columns: [Column]
    /// The column the rows are sorted by, marked in the header.
    public var sortColumn: Int?

    public init(_ columns: [Column], sortColumn: Int? = nil) {
        self.columns = columns
        self.sortColumn = sortColumn
    }

    /// The first row to show so that `selected` stays in view in `visible` lines.
    public static func firstVisible(selected: Int, visible: Int, count: Int) -> Int {
        max(0, min(selected - visible + 1, count - visible))
    }

    /// Draws the header on the first line of `r` and as many rows as fit below it, the
    /// selected one (if any) highlighted and scrolled into view.
    public func draw(_ p: inout Painter, _ r: Rect, rows: [Row], selected: Int?) {
        guard r.height > 0, r.width > 0 else { return }
        var header: [Cell] = []
        for (i, c) in columns.enumerated() {
            header.append(Cell(i == sortColumn ? c.title + " " + p.glyphs.unfolded : c.title, .muted))
        }
        line(&p, r, y: r.y, header, rowRole: .muted, selected: false)
        let visible = r.height - 1
        guard visible > 0 else { return }
        let first = selected.map { Self.firstVisible(selected: $0, visible: visible, count: rows.count) } ?? 0
        for (i, row) in rows.dropFirst(first).prefix(visible).enumerated() {
            let y = r.y + 1 + i
            let isSelected = selected == first + i
            if isSelected { p.buffer.fill(Rect(x: r.x, y: y, width: r.width, height: 1), style: p.theme[.selection]) }
            line(&p, r, y: y, row.cells, rowRole: row.role, selected: isSelected)
        }
    }

    private func line(_ p: inout Painter, _ r: Rect, y: Int, _ cells: [Cell], rowRole: Theme.Role, selected: Bool) {
        var x = r.x + 1
        for (i, c) in columns.enumerated() where i < cells.count {
            let cell = cells[i]
            let role: Theme.Role = selected ? .selection : (cell.role ?? rowRole)
            let width = c.width > 0 ? c.width : max(0, r.maxX - x)
            let text: String
            if let items = cell.items {
                let shown = Format.whole(items, width: max(0, width - 1))
                p.text(c.width > 0 ? shown.fit(width) : shown, x, y, role, clip: r)
                x += width
                continue
            }
            switch c.alignment {
            case .left: text = width > 1 ? cell.text.fit(width - 1) + " " : cell.text.fit(width)
            case .right:
                // Right-aligned against the column's trailing space; too long, cut as on the left.
                let inner = max(0, width - 1)
                let cut = cell.text.fit(min(inner, Buffer.columns(cell.text)))
                text = String(repeating: " ", count: inner - Buffer.columns(cut)) + cut + " "
            }
            if c.width > 0 {
                p.text(text, x, y, role, clip: r)
                x += width
            } else {
                p.text(cell.text, x, y, role, clip: r)
            }
        }
    }
}
