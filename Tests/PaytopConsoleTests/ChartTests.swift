import Foundation
import Testing
@testable import PaytopConsole

/// The chart widget: braille lines and their ASCII stand-in, the value axis's labels, the
/// time axis's labels, and each control event's marker at the column of its time.
@Suite struct ChartTests {
    let minute: Int64 = 60_000_000_000

    func render(_ chart: Chart, width: Int = 60, height: Int = 12, glyphs: Glyphs = .unicode) -> [String] {
        var p = Painter(width: width, height: height, theme: Theme.builtIn("monochrome")!, glyphs: glyphs)
        chart.draw(&p, Rect(x: 0, y: 0, width: width, height: height))
        return p.buffer.lines
    }

    var rising: Chart {
        Chart(series: [.init("requests/s", (0...10).map { (Int64($0) * minute, Double($0 * 10)) })],
              from: 0, to: 10 * minute, markers: [Chart.Marker(t: 5 * minute, symbol: "1")], format: { String(format: "%.0f", $0) })
    }

    @Test func brailleLinesWithAxesAndLegend() {
        let lines = render(rising)
        #expect(lines[0].contains("requests/s"), "the legend names the series")
        #expect(lines[1].hasPrefix(" 100┤"), "the top label is the maximum, rounded up: \(lines[1])")
        #expect(lines[9].hasPrefix("   0┤"), "zero at the bottom: \(lines[9])")
        let plot = lines[1...9].joined()
        #expect(plot.unicodeScalars.contains { $0.value >= 0x2801 && $0.value <= 0x28FF }, "drawn in braille")
        // A rising line: its highest dot is in the last columns of the top row, its lowest at the bottom left.
        let top = Array(lines[1])
        #expect(top.suffix(3).contains { ($0.unicodeScalars.first?.value ?? 0) >= 0x2800 })
        #expect(lines[11].hasPrefix("     00:00:00"), "time labels below the axis: \(lines[11])")
        #expect(lines[11].hasSuffix("00:10:00"))
    }

    /// A maximum of 1 drawn with whole numbers: the axis reads 1 and 0, not 1 twice.
    @Test func valueAxisLabelsAreDistinct() {
        let chart = Chart(series: [.init("depth", [(0, 0), (minute, 1)])], from: 0, to: minute, format: { String(format: "%.0f", $0) })
        let axis = render(chart).dropFirst().prefix(9).compactMap { $0.split(separator: "┤", maxSplits: 1).first }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(axis == ["1", "0"], "\(axis)")
    }

    @Test func markersSitAtTheColumnOfTheirTime() {
        let lines = render(rising)
        let axis = Array(lines[10])
        let plotStart = 5, plotWidth = 60 - 5
        let expected = plotStart + Chart.column(of: 5 * minute, from: 0, to: 10 * minute, width: plotWidth)
        #expect(axis[expected] == "1", "the marker at the middle of the axis: \(lines[10])")
        #expect(axis.filter { $0 == "1" }.count == 1)
        #expect(Chart.column(of: 0, from: 0, to: 100, width: 11) == 0)
        #expect(Chart.column(of: 100, from: 0, to: 100, width: 11) == 10)
        #expect(Chart.column(of: 50, from: 0, to: 100, width: 11) == 5)
        #expect(Chart.column(of: 500, from: 0, to: 100, width: 11) == 10, "clamped to the plot")
    }

    @Test func asciiTerminalsGetOneCharacterASeries() {
        let two = Chart(series: [.init("a", [(0, 1), (10 * minute, 1)]), .init("b", [(0, 0), (10 * minute, 2)])],
                        from: 0, to: 10 * minute, format: { String(format: "%.0f", $0) })
        let lines = render(two, glyphs: .ascii)
        let all = lines.joined()
        #expect(all.unicodeScalars.allSatisfy { $0.isASCII }, "nothing but ASCII")
        #expect(all.contains("*") && all.contains("+"), "each series its own character")
        #expect(lines[10].contains("+----"), "an ASCII axis")
    }

    @Test func roundAxisMaximaAndEmptyCharts() {
        #expect(Chart.niceCeiling(0) == 1)
        #expect(Chart.niceCeiling(7) == 10)
        #expect(Chart.niceCeiling(0.12) == 0.2)
        #expect(Chart.niceCeiling(240) == 250)
        #expect(Chart.niceCeiling(100) == 100)
        let empty = render(Chart(series: [.init("none", [])], from: 0, to: minute, format: { "\($0)" }))
        #expect(empty[0].contains("none"))
        let tiny = render(rising, width: 10, height: 3)
        #expect(tiny[0].contains("no room"))
    }
}
