import PaytopStore
import PaytopVocabulary

/// The console's views, by the digit that opens them (Problems: 0).
public enum ViewID: Int, CaseIterable, Sendable {
    case overview = 1, queues, payments, trace, slos, releases, business, functions
    case reconciliation = 9
    case problems = 10

    /// The digit that opens the view.
    public var key: Character { self == .problems ? "0" : Character(String(rawValue)) }

    public init?(key: Character) {
        guard let n = key.wholeNumberValue else { return nil }
        self.init(rawValue: n == 0 ? 10 : n)
    }

    /// The costly snapshot parts the view draws (ConsoleSnapshot.Parts).
    public var parts: ConsoleSnapshot.Parts {
        switch self {
        case .overview, .slos, .business: return [.business, .series]
        case .functions: return [.functions, .series]
        case .queues, .releases: return [.series]
        case .payments, .trace, .reconciliation, .problems: return []
        }
    }

    /// The panes Tab cycles through before the charts and lists the view drew (ConsoleState.panesShown).
    public var basePanes: Int {
        switch self {
        case .overview: return 4
        case .queues, .trace, .reconciliation, .problems: return 2
        default: return 1
        }
    }

    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .queues: return "Queues"
        case .payments: return "Payments"
        case .trace: return "Trace"
        case .slos: return "SLOs"
        case .releases: return "Releases"
        case .business: return "Business"
        case .functions: return "Functions"
        case .reconciliation: return "Reconciliation"
        case .problems: return "Problems"
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
    public enum PromptKind: Sendable, Equatable { case command, checkout, filter, spanSearch }

    public struct Prompt: Sendable, Equatable {
        public var kind: PromptKind
        public var text = ""
    }

    public struct Status: Sendable, Equatable {
        public var text: String
        public var isError: Bool
    }

    public enum PaymentSort: String, Sendable, CaseIterable { case newest, amount, state, slowest }

    /// The window of engine time every chart and the Business and Functions figures cover,
    /// cycled with [ and ].
    public enum TimeRange: String, Sendable, CaseIterable {
        case fiveMinutes = "5m", hour = "1h", sixHours = "6h", day = "1d", all

        public var nanos: Int64? {
            switch self {
            case .fiveMinutes: return 300_000_000_000
            case .hour: return 3_600_000_000_000
            case .sixHours: return 21_600_000_000_000
            case .day: return 86_400_000_000_000
            case .all: return nil
            }
        }

        public var label: String { self == .all ? "all engine time" : "last " + rawValue }
    }

    /// The merchant table's order (O cycles): a count, the error rate, the id, or the
    /// revenue in one currency (never across currencies).
    public enum MerchantSort: Sendable, Equatable {
        case orders, settled, failed, errorRate, merchant
        case revenue(String)
    }

    /// The checkouts behind a figure (docs/drill.md): the Payments view lists them instead
    /// of the newest, under this title, until Esc.
    public struct Drill: Sendable, Equatable {
        public var title: String
        public var filter: CheckoutSearch.Filter
        public init(title: String, filter: CheckoutSearch.Filter) { self.title = title; self.filter = filter }
    }

    /// A marked range of a chart compared with the rest of its window (docs/drill.md): the
    /// compare pane shows its differences until Esc.
    public struct Compare: Sendable, Equatable {
        public var chart: ChartID
        public var range: ClosedRange<Int64>
        public var baseline: ClosedRange<Int64>
        public var selected = 0
    }

    public var view: ViewID = .overview
    public var drill: Drill?
    /// The charts and lists the last frame drew in the view, in Tab order after its own panes.
    public var panesShown: [Pane] = []
    /// The selected row of each list pane.
    public var listSelection: [ListPane: Int] = [:]
    /// The time cursor's bucket (its start, engine ns), shared by the view's charts.
    public var cursor: Int64?
    /// Where `v` started marking a range (a bucket's start).
    public var rangeMark: Int64?
    public var compare: Compare?
    public var showHelp = false
    public var prompt: Prompt?
    public var status: Status?
    public var readOnly = false
    /// Why fault keys are unavailable when read-only.
    public var readOnlyReason = "the store is open read-only"
    /// The store holds telemetry received from outside and no engine runs on it: fault and
    /// control keys say they act on the embedded engine only.
    public var watchingReceived = false
    public var selection: [ViewID: Int] = [:]
    public var focus = 0
    public var paymentFilter = ""
    public var paymentSort: PaymentSort = .newest
    public var timeRange: TimeRange = .hour
    public var merchantSort: MerchantSort = .orders
    public var traceCheckoutID: String?
    /// The problem whose detail the Problems view shows (loaded by `.loadProblem`).
    public var problemID: Int64?
    /// The selected exemplar of that problem (the Problems view's second pane).
    public var selectedExemplar = 0
    public var selectedSpan = 0
    /// The trace view's span search (`/`; `n` and `N` go to the next and previous match).
    public var spanQuery = ""
    public var folded: Set<String> = []
    public var themeName = "dark"
    public var quit = false
    public var width = 0
    public var height = 0

    public init() {}

    public func selected(_ v: ViewID) -> Int { selection[v] ?? 0 }

    /// The chart or list Tab has focused beyond the view's own panes, if any.
    public var focusedPane: Pane? {
        let i = focus - view.basePanes
        return i >= 0 && i < panesShown.count ? panesShown[i] : nil
    }

    public var focusedChart: ChartID? {
        if case .chart(let c)? = focusedPane { return c }
        return nil
    }

    public var focusedList: ListPane? {
        if case .list(let l)? = focusedPane { return l }
        return nil
    }

    public func selected(_ l: ListPane) -> Int { listSelection[l] ?? 0 }
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
    /// What kind of store the console watches, learned from each read (and at start for
    /// `paytop --otlp-receiver`).
    case watchingReceived(Bool)
    /// The store was read again: the problems' list may have moved under the selection.
    case problemsReloaded
    /// The frame drew these charts and lists (Tab reaches them).
    case panesShown([Pane])
}

/// What the reducer asks the app to do: the only side effects the console has.
public enum Effect: Equatable, Sendable {
    /// Write a control command row (docs/control.md).
    case control(ControlCommand, summary: String)
    case loadTrace(String)
    /// Analyse one problem (causes, impact, exemplars, its key signal's chart).
    case loadProblem(Int64)
    /// Find the checkouts a drill names.
    case loadCheckouts(CheckoutSearch.Filter)
    /// Compare a range's checkouts with a baseline's.
    case compare(range: ClosedRange<Int64>, baseline: ClosedRange<Int64>)
    /// Read the store again now (the time range changed).
    case reload
    case setTheme(String)
    case quit
}
