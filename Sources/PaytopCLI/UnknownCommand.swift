/// A first word that is neither a subcommand nor a flag: without this check it would fall
/// through to the default command (`live`) and be refused as an "unexpected argument"
/// with the console's usage. Named instead, with the nearest real command.
enum UnknownCommand {
    static var names: [String] {
        PaytopCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    /// The refusal for `arguments`, or nil when its first word is a command or a flag.
    static func refusal(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let known = names
        if known.contains(first) { return nil }
        let nearest = known.min { distance(first, $0) < distance(first, $1) }
        let hint = nearest.map { distance(first, $0) <= max(2, first.count / 2) ? "; did you mean `paytop \($0)`?" : "" } ?? ""
        return "unknown command \"\(inert(first))\"\(hint) (`paytop --help` lists every command)"
    }

    /// Levenshtein distance, on characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                let above = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = above
            }
        }
        return row[y.count]
    }
}
