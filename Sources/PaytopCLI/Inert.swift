/// Data from the store (merchant ids, emails, error messages, checkout ids) printed as
/// inert text: control characters and escape sequences are shown escaped (`\u{1B}`),
/// never sent to the terminal.
func inert(_ s: String) -> String {
    var clean = true
    for u in s.unicodeScalars where u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) { clean = false; break }
    if clean { return s }
    var out = ""
    for u in s.unicodeScalars {
        if u.value < 0x20 || (u.value >= 0x7F && u.value < 0xA0) {
            out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(u)
        }
    }
    return out
}
