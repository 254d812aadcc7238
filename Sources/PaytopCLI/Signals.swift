import Foundation
import Synchronization

/// The signal that asked paytop to stop (SIGINT or SIGTERM), or 0.
let stopSignal = Atomic<Int32>(0)

/// Routes SIGINT, SIGTERM and SIGHUP (the terminal went away) to `stopSignal` so a loop
/// can stop cleanly, commit, and restore the terminal.
enum StopSignals {
    static func install() {
        // A parent may have started us with these blocked (test runners do); a blocked
        // SIGTERM would never reach the handler, so unblock them on this thread.
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { sig in stopSignal.store(sig, ordering: .relaxed) }
        signal(SIGTERM) { sig in stopSignal.store(sig, ordering: .relaxed) }
        signal(SIGHUP) { sig in stopSignal.store(sig, ordering: .relaxed) }
    }

    static var received: Int32 { stopSignal.load(ordering: .relaxed) }

    /// 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP, as shells report them.
    static var exitCode: Int32 { received == 0 ? 0 : 128 + received }
}
