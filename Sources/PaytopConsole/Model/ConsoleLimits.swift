import PaytopStore

/// How much of each list the console reads from the store on every refresh: enough to
/// fill the tallest terminal and scroll a while, little enough to read in a few ms.
public enum ConsoleLimits {
    public static let snapshot = ConsoleSnapshot.Limits(
        deadLetters: 200,    // the Queues view says when there are more
        payments: 300,       // the newest checkouts, by trace
        events: 40,          // the Overview's event tail
        declineWindow: 3_000 // business events the decline breakdown counts over
    )
    /// The header says the store lags the embedded engine once its file is this far behind
    /// the redo log (four commits of 250 ms).
    public static let storeBehindMillis: Int64 = 1_000
    /// An open problem's detail is analysed again at most this often (its analysis reads
    /// the problem's whole window of checkouts).
    public static let problemRefreshSeconds = 5.0
    /// A drill lists at most this many checkouts, newest first (docs/drill.md).
    public static let drill = 1_000
}
