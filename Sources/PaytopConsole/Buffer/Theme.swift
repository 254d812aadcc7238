import Foundation
import TOMLKit

/// The styles views draw with, by role. Themes are TOML files in themes/ (dark, light,
/// high-contrast, monochrome ship with paytop); `--theme` and `:theme` pick one.
public struct Theme: Sendable, Equatable {
    public enum Role: String, CaseIterable, Sendable {
        case header, badge, border, title, text, muted, ok, warn, bad, accent, selection
        case gaugeFill = "gauge_fill", gaugeEmpty = "gauge_empty", footer, footerKey = "footer_key"
    }

    public var name: String
    public var styles: [Role: Style]

    public subscript(_ role: Role) -> Style { styles[role] ?? .plain }

    /// NO_COLOR and monochrome terminals: attributes only.
    public func withoutColor() -> Theme {
        var t = self
        for (role, s) in styles {
            t.styles[role] = Style(bold: s.bold || role == .title || role == .bad, dim: s.dim || role == .muted,
                                   reverse: s.reverse || role == .selection || role == .header || role == .badge,
                                   underline: s.underline)
        }
        return t
    }

    /// 8-colour terminals: every colour mapped to its nearest basic one.
    public func basicColors() -> Theme {
        var t = self
        for (role, s) in styles {
            var n = s
            n.fg = s.fg.basic
            n.bg = s.bg.basic
            t.styles[role] = n
        }
        return t
    }

    public struct LoadError: Error, CustomStringConvertible { public let description: String }

    public static let builtInNames = ["dark", "light", "high-contrast", "monochrome"]

    /// Folders searched for theme files, in order.
    public static func searchPaths() -> [String] {
        var out: [String] = []
        if let p = ProcessInfo.processInfo.environment["PAYTOP_THEMES"], !p.isEmpty { out.append(p) }
        out.append(FileManager.default.currentDirectoryPath + "/themes")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        out.append(exe.appendingPathComponent("../../themes").standardized.path)
        out.append(exe.appendingPathComponent("../share/paytop/themes").standardized.path)
        return out
    }

    /// Loads `name` from a theme file, else the built-in theme of that name.
    public static func named(_ name: String) throws -> Theme {
        for dir in searchPaths() {
            let path = dir + "/" + name + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        }
        if let t = builtIn(name) { return t }
        throw LoadError(description: "unknown theme \"\(name)\"; themes: \(available().joined(separator: ", "))")
    }

    public static func available() -> [String] {
        var names = Set(builtInNames)
        for dir in searchPaths() {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasSuffix(".toml") {
                names.insert(String(f.dropLast(5)))
            }
        }
        return names.sorted()
    }

    public static func load(path: String) throws -> Theme {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw LoadError(description: "cannot read theme \(path)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw LoadError(description: "theme \(path), line \(e.source.begin.line): \(e.description)")
        }
        var theme = builtIn("dark")!
        theme.name = table["name"]?.string ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard let roles = table["roles"]?.table else { throw LoadError(description: "theme \(path) has no [roles] table") }
        for (key, value) in roles {
            guard let role = Role(rawValue: key) else {
                throw LoadError(description: "theme \(path): unknown role \"\(key)\" (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let t = value.table else { throw LoadError(description: "theme \(path): role \(key) must be a table") }
            var style = Style()
            style.fg = try color(t["fg"], path, key)
            style.bg = try color(t["bg"], path, key)
            style.bold = t["bold"]?.bool ?? false
            style.dim = t["dim"]?.bool ?? false
            style.reverse = t["reverse"]?.bool ?? false
            style.underline = t["underline"]?.bool ?? false
            theme.styles[role] = style
        }
        return theme
    }

    static let colorNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    static func color(_ v: TOMLValueConvertible?, _ path: String, _ role: String) throws -> Color {
        guard let v else { return .default }
        if let n = v.int, (0...255).contains(n) { return .indexed(UInt8(n)) }
        if let s = v.string {
            if s == "default" { return .default }
            if let i = colorNames.firstIndex(of: s) { return .ansi(UInt8(i)) }
            if s.hasPrefix("bright-"), let i = colorNames.firstIndex(of: String(s.dropFirst(7))) { return .ansi(UInt8(i + 8)) }
        }
        throw LoadError(description: "theme \(path): role \(role) has a colour paytop does not know (use default, a name such as bright-red, or 0–255)")
    }

    static func builtIn(_ name: String) -> Theme? {
        func s(_ fg: Color = .default, _ bg: Color = .default, bold: Bool = false, dim: Bool = false, reverse: Bool = false) -> Style {
            Style(fg: fg, bg: bg, bold: bold, dim: dim, reverse: reverse)
        }
        switch name {
        case "dark":
            return Theme(name: name, styles: [
                .header: s(.indexed(255), .indexed(24), bold: true), .badge: s(.indexed(231), .indexed(160), bold: true),
                .border: s(.indexed(240)), .title: s(.indexed(117), bold: true), .text: s(), .muted: s(.indexed(245)),
                .ok: s(.indexed(78)), .warn: s(.indexed(214)), .bad: s(.indexed(203), bold: true), .accent: s(.indexed(117)),
                .selection: s(.indexed(231), .indexed(238), bold: true), .gaugeFill: s(.indexed(78)),
                .gaugeEmpty: s(.indexed(238)), .footer: s(.indexed(250), .indexed(236)),
                .footerKey: s(.indexed(117), .indexed(236), bold: true),
            ])
        case "light":
            return Theme(name: name, styles: [
                .header: s(.indexed(16), .indexed(153), bold: true), .badge: s(.indexed(231), .indexed(124), bold: true),
                .border: s(.indexed(248)), .title: s(.indexed(25), bold: true), .text: s(.indexed(16)), .muted: s(.indexed(243)),
                .ok: s(.indexed(28)), .warn: s(.indexed(130)), .bad: s(.indexed(124), bold: true), .accent: s(.indexed(25)),
                .selection: s(.indexed(16), .indexed(189), bold: true), .gaugeFill: s(.indexed(28)),
                .gaugeEmpty: s(.indexed(252)), .footer: s(.indexed(16), .indexed(254)),
                .footerKey: s(.indexed(25), .indexed(254), bold: true),
            ])
        case "high-contrast":
            return Theme(name: name, styles: [
                .header: s(.ansi(15), .ansi(0), bold: true, reverse: true), .badge: s(.ansi(15), .ansi(9), bold: true),
                .border: s(.ansi(15)), .title: s(.ansi(11), bold: true), .text: s(.ansi(15)), .muted: s(.ansi(7)),
                .ok: s(.ansi(10), bold: true), .warn: s(.ansi(11), bold: true), .bad: s(.ansi(9), bold: true),
                .accent: s(.ansi(14), bold: true), .selection: s(.ansi(0), .ansi(11), bold: true),
                .gaugeFill: s(.ansi(10)), .gaugeEmpty: s(.ansi(8)), .footer: s(.ansi(0), .ansi(15)),
                .footerKey: s(.ansi(0), .ansi(11), bold: true),
            ])
        case "monochrome":
            var t = builtIn("dark")!.withoutColor()
            t.name = name
            return t
        default:
            return nil
        }
    }
}
