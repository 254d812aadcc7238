import CNcurses
import Foundation

/// The ncurses backend: opens the terminal (newterm, so a bad TERM is an error rather
/// than an exit), maps theme colours to what the terminal has, writes only the cells that
/// changed since the last frame, and turns input into keys.
final class NcursesTerminal {
    struct OpenError: Error, CustomStringConvertible { let description: String }

    private var screen: OpaquePointer?
    private var previous: Buffer?
    private var pairs: [Int: Int16] = [:]
    private var nextPair: Int16 = 1
    let colors: Int
    let unicode: Bool
    let useColor: Bool

    init(noColor: Bool) throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw OpenError(description: "the console needs a terminal on stdin and stdout; use `paytop run` for a headless engine or `paytop status` in scripts")
        }
        setlocale(LC_ALL, "")
        unicode = String(cString: paytop_codeset()).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty else {
            throw OpenError(description: "TERM is not set; set it to your terminal's type (e.g. xterm-256color)")
        }
        guard let s = paytop_newterm() else {
            throw OpenError(description: "unknown terminal type \"\(term)\"; set TERM to one this system knows (e.g. xterm-256color)")
        }
        screen = s
        set_term(s)
        cbreak()
        noecho()
        nonl()
        keypad(paytop_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(paytop_colors())
            useColor = true
        } else {
            colors = 0
            useColor = false
        }
    }

    var size: (width: Int, height: Int) { (Int(paytop_cols()), Int(paytop_lines())) }

    func close() {
        guard screen != nil else { return }
        endwin()
        delscreen(screen)
        screen = nil
    }

    deinit { close() }

    /// Forget what is on screen (after a resize), so the next frame is drawn whole.
    func invalidate() {
        previous = nil
        clear()
    }

    func draw(_ frame: Buffer) {
        let old = previous.flatMap { $0.width == frame.width && $0.height == frame.height ? $0 : nil }
        if old == nil { erase() }
        for y in 0..<frame.height {
            var x = 0
            while x < frame.width {
                let cell = frame[x, y]
                if let old, old[x, y] == cell { x += 1; continue }
                if cell.text.isEmpty { x += 1; continue }  // the right half of a wide character
                paytop_set_attr(attributes(cell.style), pair(cell.style))
                var chars = Array(cell.text.unicodeScalars.map { wchar_t(bitPattern: $0.value) })
                chars.append(0)
                _ = chars.withUnsafeBufferPointer { paytop_mvaddnwstr(Int32(y), Int32(x), $0.baseAddress, -1) }
                x += 1
            }
        }
        refresh()
        previous = frame
    }

    private func attributes(_ s: Style) -> attr_t {
        var a = paytop_a_normal()
        if s.bold { a |= paytop_a_bold() }
        if s.dim { a |= paytop_a_dim() }
        if s.reverse { a |= paytop_a_reverse() }
        if s.underline { a |= paytop_a_underline() }
        return a
    }

    private func number(_ c: Color) -> Int16 {
        switch c {
        case .default: return -1
        case .ansi(let n): return Int16(colors >= 16 ? Int(n) : Int(n % 8))
        case .indexed(let n):
            if colors >= 256 { return Int16(n) }
            if case .ansi(let b) = Color.indexed(n).basic { return Int16(b) }
            return -1
        }
    }

    private func pair(_ s: Style) -> Int16 {
        guard useColor else { return 0 }
        let fg = number(s.fg), bg = number(s.bg)
        if fg == -1 && bg == -1 { return 0 }
        let key = Int(fg) * 1000 + Int(bg)
        if let p = pairs[key] { return p }
        guard Int(nextPair) < Int(paytop_color_pairs()) else { return 0 }
        let p = nextPair
        nextPair += 1
        init_pair(p, fg, bg)
        pairs[key] = p
        return p
    }

    enum Input { case key(Key), resize, none }

    /// True (after resizing curses) when the kernel's idea of the window size changed.
    /// SIGWINCH may reach another thread than the one reading keys, so the size is also
    /// polled.
    func checkResize() -> Bool {
        var rows: Int32 = 0, cols: Int32 = 0
        guard paytop_winsize(&rows, &cols) == 0, rows > 0, cols > 0 else { return false }
        if rows != paytop_lines() || cols != paytop_cols() {
            resize_term(rows, cols)
            return true
        }
        return false
    }

    /// Waits up to `milliseconds` for input.
    func read(milliseconds: Int32) -> Input {
        if checkResize() { return .resize }
        wtimeout(paytop_stdscr(), milliseconds)
        var ch: wint_t = 0
        let rc = paytop_get_wch(&ch)
        if rc == ERR { return .none }
        if rc == KEY_CODE_YES {
            switch Int32(ch) {
            case paytop_key_resize(): return .resize
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_BTAB: return .key(.backTab)
            default: return .none
            }
        }
        switch ch {
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 8, 127: return .key(.backspace)
        default:
            guard let u = Unicode.Scalar(UInt32(ch)), u.value >= 0x20 else { return .none }
            return .key(.char(Character(u)))
        }
    }
}
