/// Pads `s` to `w` characters for the text reports' columns, on the right (or, `left`,
/// on the left for numbers); a longer value is kept whole, never cut.
func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, w - s.count))
    return left ? fill + s : s + fill
}
