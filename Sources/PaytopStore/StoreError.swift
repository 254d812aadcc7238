/// Why a store could not be opened or used, in words a user can act on.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case notAStore(path: String, reason: String)
    case newerSchema(path: String, found: Int, supported: Int)
    case alreadyHoldsARun(path: String)
    case readOnly(path: String)
    /// SQLite's integrity check found a problem (the first one it reports).
    case damaged(path: String, problem: String)
    case failed(String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no store at \(path): start one with `paytop run --db \(path)` or `paytop simulate --db \(path)`"
        case .notAStore(let path, let reason):
            return "\(path) is not a paytop store (\(reason))"
        case .newerSchema(let path, let found, let supported):
            return "store \(path) has schema v\(found), newer than this paytop (v\(supported)); upgrade paytop"
        case .alreadyHoldsARun(let path):
            return "store \(path) already holds a run; a simulated run (`paytop simulate`, `paytop experiment run`) needs a new store (remove the file or pick another --db)"
        case .readOnly(let path):
            return "store \(path) is opened read-only"
        case .damaged(let path, let problem):
            return "store \(path) is damaged (\(problem)); nothing was written to it. `paytop check --db \(path) --full` lists what SQLite found; restore a copy or start a new store"
        case .failed(let message):
            return message
        }
    }
}
