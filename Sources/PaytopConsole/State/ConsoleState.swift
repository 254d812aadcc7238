import PaytopStore
import PaytopVocabulary

/// The console's views, by the digit that opens them.
public enum ViewID: Int, CaseIterable, Sendable {
    case overview = 1, queues, payments, trace, slos, releases
    case reconciliation = 9

    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .queues: return "Queues"
        case .payments: return "Payments"
        case .trace: return "Trace"
        case .slos: return "SLOs"
        case .releases: return "Releases"
        case .reconciliation: return "Reconciliation"
        }
    }
}

/// A key as the console understands it.
public enum Key: Equatable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace
}

/// Everything the console remembers between frames. Changed only by `reduce`.
public struct ConsoleState: Sendable {
    public enum PromptKind: Sendable, Equatable { case command, checkout, filter }

    public struct Prompt: Sendable, Equatable {
        public var kind: PromptKind
        public var text = ""
    }

    public struct Status: Sendable, Equatable {
        public var text: String
        public var isError: Bool
    }

    public enum PaymentSort: String, Sendable, CaseIterable { case newest, amount, state }

    public var view: ViewID = .overview
    public var showHelp = false
    public var prompt: Prompt?
    public var status: Status?
    public var readOnly = false
    /// Why fault keys are unavailable when read-only.
    public var readOnlyReason = "the store is open read-only"
    public var selection: [ViewID: Int] = [:]
    public var focus = 0
    public var paymentFilter = ""
    public var paymentSort: PaymentSort = .newest
    public var traceCheckoutID: String?
    public var selectedSpan = 0
    public var folded: Set<String> = []
    public var themeName = "dark"
    public var quit = false
    public var width = 0
    public var height = 0

    public init() {}

    public func selected(_ v: ViewID) -> Int { selection[v] ?? 0 }
}

/// Everything that changes the console's state, through `Reducer.reduce`: keys and
/// resizes from the terminal, and what the app's effects report back.
public enum Action: Equatable, Sendable {
    case key(Key)
    case resized(width: Int, height: Int)
    /// A control command row was written with this id.
    case controlSent(id: Int64, summary: String, engineAlive: Bool)
    case controlFailed(summary: String, error: String)
    case themeChanged(String)
    case themeFailed(String)
    case traceMissing(checkoutID: String)
    case storeReadFailed(String)
}

/// What the reducer asks the app to do: the only side effects the console has.
public enum Effect: Equatable, Sendable {
    /// Write a control command row (docs/control.md).
    case control(ControlCommand, summary: String)
    case loadTrace(String)
    case setTheme(String)
    case quit
}
