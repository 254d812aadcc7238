import Testing
@testable import PaytopConsole

/// The Table widget on its own: header and sort mark, alignment, selection kept in view.
@Suite struct TableTests {
    func draw(_ table: Table, rows: [Table.Row], selected: Int?, width: Int = 30, height: Int = 4) -> [String] {
        var p = Painter(width: width, height: height, theme: Theme.builtIn("monochrome")!, glyphs: .unicode)
        table.draw(&p, Rect(x: 0, y: 0, width: width, height: height), rows: rows, selected: selected)
        return p.buffer.lines
    }

    let table = Table([.init("id", width: 8), .init("amount", width: 10, .right), .init("note", width: 0)], sortColumn: 1)

    func rows(_ n: Int) -> [Table.Row] {
        (0..<n).map { Table.Row([.init("r\($0)"), .init("\($0 * 100).00"), .init("n\($0)")]) }
    }

    @Test func theHeaderMarksTheSortColumnAndAmountsAlignRight() {
        let lines = draw(table, rows: rows(2), selected: nil)
        #expect(lines[0] == " id       amount ▼ note")
        #expect(lines[1] == " r0           0.00 n0")
        #expect(lines[2] == " r1         100.00 n1")
    }

    @Test func theSelectedRowStaysInView() {
        #expect(Table.firstVisible(selected: 0, visible: 3, count: 10) == 0)
        #expect(Table.firstVisible(selected: 5, visible: 3, count: 10) == 3)
        #expect(Table.firstVisible(selected: 9, visible: 3, count: 10) == 7)
        #expect(Table.firstVisible(selected: 2, visible: 5, count: 3) == 0)
        let lines = draw(table, rows: rows(10), selected: 7)
        #expect(lines[1].hasPrefix(" r5") && lines[3].hasPrefix(" r7"))
    }

    @Test func aCellTooLongForItsColumnIsCutNotSpilled() {
        let long = [Table.Row([.init("abcdefghijkl"), .init("123456789012345"), .init("x")])]
        let line = draw(table, rows: long, selected: nil)[1]
        #expect(line.hasPrefix(" abcdef… 12345678… x"))
    }
}
