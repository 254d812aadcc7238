import Foundation
import PaytopStore

/// The console's loop: read the store when it changes, draw a frame when something
/// changed, turn keys into actions through the reducer, and carry out the effects —
/// control commands are the only thing it writes.
public final class ConsoleApp {
    public struct Options {
        public var storePath: String
        public var readOnly = false
        /// The engine runs in this process (`paytop` without arguments).
        public var embedded = false
        /// Where this process serves the HTTP API, shown in the header.
        public var apiURL: String?
        /// Where this process receives OTLP (`paytop --otlp-receiver`), shown in the header.
        public var receiverURL: String?
        /// How far the embedded engine's store lags what it made durable (its writer's redo log).
        public var storeLag: (@Sendable () -> StoreWriter.Lag)?
        public var themeName = "dark"
        public var noColor = false
        /// Another store to read the screens from (ClickHouse: `paytop console --clickhouse`);
        /// nil: paytop's store at `storePath`.
        public var reading: (any ConsoleReading)?
        public init(storePath: String) { self.storePath = storePath }
    }

    let options: Options
    var state = ConsoleState()
    var data: ConsoleData
    var theme: Theme
    /// paytop's store: what only it holds (problems, the drill, range comparison, control);
    /// nil when the screens come from another store.
    let reader: Connection?
    /// Where the screens come from.
    let reading: any ConsoleReading
    var writer: Connection?

    public init(_ options: Options) throws {
        self.options = options
        if let other = options.reading {
            reader = nil
            reading = other
        } else {
            let c = try Store.openForReading(path: options.storePath)
            reader = c
            reading = StoreConsoleReading(c, storePath: options.storePath)
        }
        theme = try Theme.named(options.themeName)
        state.themeName = options.themeName
        state.readOnly = options.readOnly || reader == nil
        if reader == nil { state.readOnlyReason = "\(reading.location) is read here, never written: faults and control are an engine's" }
        data = ConsoleData(snapshot: ConsoleSnapshot(), storePath: options.storePath, embedded: options.embedded, apiURL: options.apiURL)
        data.receiverURL = options.receiverURL
        if reader == nil { data.source = reading.location }
        if options.receiverURL != nil || reader == nil { dispatch(.watchingReceived(true)) }
    }

    /// What a feature that reads only paytop's own store says on another.
    var onlyPaytopsStore: String { "reads paytop's own store; not built on \(reading.location) yet (docs/clickhouse.md)" }

    /// Runs until q (or `shouldStop`); restores the terminal before returning.
    public func run(shouldStop: () -> Bool) throws {
        let terminal = try NcursesTerminal(noColor: options.noColor)
        defer { terminal.close() }
        let glyphs: Glyphs = terminal.unicode ? .unicode : .ascii
        var drawTheme = options.noColor || !terminal.useColor ? theme.withoutColor() : (terminal.colors < 256 ? theme.basicColors() : theme)
        var lastLoad = Date.distantPast
        var pending = false
        var dirty = true
        dispatch(.resized(width: terminal.size.0, height: terminal.size.1))
        while !state.quit && !shouldStop() {
            if let lag = options.storeLag {
                // Read each turn: a writer that falls behind may commit nothing for a while.
                let behind = (lag().oldestNanos ?? 0) / 1_000_000
                if Screen.storeBehindText(behind) != Screen.storeBehindText(data.storeBehindMillis) { dirty = true }
                data.storeBehindMillis = behind
            }
            if reading.changed() { pending = true }
            if pending && Date().timeIntervalSince(lastLoad) >= 0.5 {
                pending = false
                lastLoad = Date()
                reload()
                dirty = true
            }
            if dirty {
                let frame = Screen.render(state, data, theme: drawTheme, glyphs: glyphs)
                terminal.draw(frame)
                dirty = false
                // Tab reaches the charts the frame drew; a change is drawn again.
                if frame.panesDrawn != state.panesShown {
                    dispatch(.panesShown(frame.panesDrawn))
                    dirty = true
                }
            }
            switch terminal.read(milliseconds: 100) {
            case .none: break
            case .resize:
                dispatch(.resized(width: terminal.size.0, height: terminal.size.1))
                terminal.invalidate()
                dirty = true
            case .key(let key):
                let themeBefore = state.themeName
                dispatch(.key(key))
                if state.themeName != themeBefore {
                    drawTheme = options.noColor || !terminal.useColor ? theme.withoutColor() : (terminal.colors < 256 ? theme.basicColors() : theme)
                }
                dirty = true
            }
        }
    }

    /// Reduces an action and carries out its effects, whose outcomes come back as actions.
    func dispatch(_ action: Action) {
        var pending = [action]
        while !pending.isEmpty {
            let next = pending.removeFirst()
            for effect in Reducer.reduce(&state, next, data: data) {
                if let outcome = apply(effect) { pending.append(outcome) }
            }
        }
    }

    func reload() {
        do {
            data.snapshot = try reading.snapshot(limits: ConsoleLimits.snapshot, windowNanos: state.timeRange.nanos, parts: state.view.parts)
            if let id = state.traceCheckoutID, data.trace?.isPaymentDone != true { loadTrace(id) }
            dispatch(.problemsReloaded)
            if state.view == .payments, let drill = state.drill { loadCheckouts(drill.filter) }
            if state.view == .problems, let id = state.problemID, data.problem?.analysis.problem.closedAt == nil,
               Date().timeIntervalSince(lastProblemLoad) >= ConsoleLimits.problemRefreshSeconds {
                loadProblem(id)
            }
            let received = options.receiverURL != nil || reader == nil || (data.snapshot.holdsReceived && !options.embedded && !data.snapshot.engineAlive)
            if received != state.watchingReceived { dispatch(.watchingReceived(received)) }
        } catch let e as SQLiteError {
            dispatch(.storeReadFailed(e.userMessage))
        } catch {
            dispatch(.storeReadFailed("reading \(reader == nil ? reading.location : "the store") failed: \(error)"))
        }
    }

    /// The drill's checkouts (again on each reload while the Payments view shows them).
    func loadCheckouts(_ filter: CheckoutSearch.Filter) {
        guard let reader else { return dispatch(.storeReadFailed("the drill " + onlyPaytopsStore)) }
        do {
            data.drilled = try CheckoutSearch.find(reader, filter)
        } catch let e as SQLiteError {
            dispatch(.storeReadFailed(e.userMessage))
        } catch {
            dispatch(.storeReadFailed("reading the checkouts failed: \(error)"))
        }
    }

    var lastProblemLoad = Date.distantPast

    /// The selected problem's detail: analysed again on reload while it is open, at most
    /// every few seconds (on a big store an analysis reads its whole window).
    func loadProblem(_ id: Int64) {
        lastProblemLoad = Date()
        guard let reader else { return dispatch(.storeReadFailed("problems " + onlyPaytopsStore)) }
        do {
            data.problem = try ProblemDetail.load(reader, id: id)
        } catch let e as SQLiteError {
            dispatch(.storeReadFailed(e.userMessage))
        } catch {
            dispatch(.storeReadFailed("reading the problem failed: \(error)"))
        }
    }

    /// The medians the trace view compares the trace's spans with: the time range's checkouts.
    func loadTypical() {
        let at = data.snapshot.at
        guard let reader else { return }
        data.typical = try? TypicalSpans.load(reader, from: state.timeRange.nanos.map { at - $0 } ?? Int64.min, to: at)
    }

    func loadTrace(_ id: String) {
        do {
            data.trace = try reading.waterfall(checkoutID: id)
            data.traceMissing = data.trace == nil ? "no trace for checkout_id \(id) in \(reader == nil ? reading.location : "this store")" : nil
            if data.trace == nil { dispatch(.traceMissing(checkoutID: id)) }
        } catch {
            data.traceMissing = "reading the trace failed: \(error)"
        }
    }

    /// Carries out one effect; what came of it returns as an action for the reducer.
    func apply(_ effect: Effect) -> Action? {
        switch effect {
        case .quit: return nil
        case .reload:
            reload()
            return nil
        case .loadCheckouts(let filter):
            loadCheckouts(filter)
            return nil
        case .compare(let range, let baseline):
            data.comparison = nil
            guard let reader else { return .storeReadFailed("comparing ranges " + onlyPaytopsStore) }
            do {
                data.comparison = try RangeComparison.compare(reader, from: range.lowerBound, to: range.upperBound,
                                                              baselineFrom: baseline.lowerBound, baselineTo: baseline.upperBound)
            } catch let e as SQLiteError {
                return .storeReadFailed(e.userMessage)
            } catch {
                return .storeReadFailed("comparing the range failed: \(error)")
            }
            return nil
        case .loadProblem(let id):
            data.problem = nil
            loadProblem(id)
            return nil
        case .loadTrace(let id):
            data.trace = nil
            loadTrace(id)
            loadTypical()
            return nil
        case .setTheme(let name):
            do {
                theme = try Theme.named(name)
                return .themeChanged(name)
            } catch {
                return .themeFailed("\(error)")
            }
        case .control(let command, let summary):
            do {
                if writer == nil { writer = try Store.openForWriting(path: options.storePath, create: false) }
                let id = try ControlQueue.enqueue(writer!, command, source: "console",
                                                  issuedAtMillis: Int64(Date().timeIntervalSince1970 * 1000))
                return .controlSent(id: id, summary: summary, engineAlive: data.snapshot.engineAlive)
            } catch {
                return .controlFailed(summary: summary, error: "\(error)")
            }
        }
    }
}
