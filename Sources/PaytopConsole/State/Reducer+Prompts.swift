import PaytopStore
import PaytopVocabulary

/// The reducer's prompts: the checkout_id, the payments filter, the span search and the
/// `:` command line.
extension Reducer {
    static func promptKey(_ s: inout ConsoleState, _ key: Key, _ data: ConsoleData) -> [Effect] {
        let snap = data.snapshot
        guard var p = s.prompt else { return [] }
        switch key {
        case .escape:
            s.prompt = nil
            return []
        case .backspace:
            if !p.text.isEmpty { p.text.removeLast() }
        case .tab where p.kind == .checkout:
            let matches = snap.payments.map(\.checkoutID).filter { $0.hasPrefix(p.text) }
            if let first = matches.first { p.text = matches.count == 1 ? first : commonPrefix(matches) }
        case .enter:
            s.prompt = nil
            return submit(&s, p, data)
        case .char(let c):
            if p.text.count < 200 { p.text.append(c) }
        default: break
        }
        s.prompt = p
        if p.kind == .filter { s.paymentFilter = p.text; s.selection[.payments] = 0 }
        return []
    }

    static func commonPrefix(_ xs: [String]) -> String {
        guard var prefix = xs.first else { return "" }
        for x in xs.dropFirst() { while !x.hasPrefix(prefix) { prefix.removeLast() } }
        return prefix
    }

    static func submit(_ s: inout ConsoleState, _ p: ConsoleState.Prompt, _ data: ConsoleData) -> [Effect] {
        let snap = data.snapshot
        let text = p.text.trimmingCharacters(in: .whitespaces)
        switch p.kind {
        case .filter:
            s.paymentFilter = text
            return []
        case .spanSearch:
            s.spanQuery = text
            // From the span before the selection: the selected span itself may match.
            s.selectedSpan -= 1
            findSpan(&s, data.trace, step: 1)
            if s.status?.isError == true { s.selectedSpan += 1 }
            return []
        case .checkout:
            guard !text.isEmpty else { return [] }
            return openTrace(&s, text)
        case .command:
            return command(&s, text, snap)
        }
    }

    /// The `:` command line.
    static func command(_ s: inout ConsoleState, _ text: String, _ snap: ConsoleSnapshot) -> [Effect] {
        let w = text.split(separator: " ").map(String.init)
        func usage(_ u: String) -> [Effect] { s.status = .init(text: "usage: \(u)", isError: true); return [] }
        guard let verb = w.first else { return [] }
        switch verb {
        case "q", "quit": s.quit = true; return [.quit]
        case "trace":
            guard w.count == 2 else { return usage(":trace CHECKOUT_ID") }
            return openTrace(&s, w[1])
        case "fault":
            if w.count == 2 && w[1] == "clear" { return fault(&s, .clearFaults) }
            if w.count == 3, w[2] == "on" || w[2] == "off", let command = ControlCommand.fault(kind: w[1], on: w[2] == "on") {
                return fault(&s, command)
            }
            // Any fault with its arguments as KEY=VALUE (docs/control.md): :fault hop-latency hop=executor-psp milliseconds=2000.
            guard w.count >= 2 else {
                return usage(":fault psp-outage|psp-latency|psp-declines|settlement-drift on|off, :fault KIND key=value …, or :fault clear")
            }
            do {
                let command = try ControlCommand.fault(kind: w[1], words: Array(w.dropFirst(2)))
                return control(&s, command, summary: "fault " + w.dropFirst().joined(separator: " "))
            } catch {
                s.status = .init(text: "\(error)", isError: true)
                return []
            }
        case "reconcile": return control(&s, .reconcile, summary: "reconcile now")
        case "rate":
            guard w.count == 2, let r = Double(w[1]), r >= 0, r <= 100_000 else { return usage(":rate N (0–100000)") }
            return rate(&s, r)
        case "speed":
            guard w.count == 2, let x = Double(w[1]), x >= 0.01, x <= 100_000 else { return usage(":speed X (0.01–100000)") }
            return control(&s, .speed(x), summary: "speed ×\(w[1])")
        case "deploy":
            let services = FunctionName.pipelineOrder.map(\.rawValue).joined(separator: "|")
            let regression = w.count == 5 && w[3] == "--regression" ? Release.Regression(rawValue: w[4]) : nil
            guard w.count == 3 || regression != nil, let f = FunctionName(rawValue: w[1]), !w[2].isEmpty, w[2].count <= 64 else {
                return usage(":deploy \(services) VERSION [--regression latency|errors]")
            }
            return control(&s, .deploy(service: f, version: w[2], regression: regression), summary: "deploy \(w[1]) \(w[2])")
        case "rollback":
            guard w.count == 2, let f = FunctionName(rawValue: w[1]) else { return usage(":rollback SERVICE") }
            return control(&s, .rollback(f), summary: "rollback \(w[1])")
        case "redrive":
            guard w.count == 2, let q = QueueName(userInput: w[1]), q.isDeadLetterQueue else {
                return usage(":redrive execution-dlq|results-dlq")
            }
            return control(&s, .redrive(q), summary: "redrive \(q.rawValue)")
        case "theme":
            guard w.count == 2 else { return usage(":theme NAME") }
            return [.setTheme(w[1])]
        case "range":
            guard w.count == 2, let r = ConsoleState.TimeRange(rawValue: w[1]) else { return usage(":range 5m|1h|6h|1d|all") }
            s.timeRange = r
            s.status = .init(text: "time range: \(r.label)", isError: false)
            return [.reload]
        case "sort":
            guard w.count == 2, let sort = ConsoleState.PaymentSort(rawValue: w[1]) else { return usage(":sort newest|amount|state|slowest") }
            s.paymentSort = sort
            return []
        default:
            s.status = .init(text: "unknown command \":\(verb)\"; press ? for the list", isError: true)
            return []
        }
    }
}
