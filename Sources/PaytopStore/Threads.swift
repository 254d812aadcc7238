import Foundation

/// Thread priorities on Linux: a thread's nice value is its own.
public enum ThreadPriority {
    /// Nice 10 for the calling thread: it runs when threads at the default priority do not need the core.
    public static func yieldToOthers() {
        #if os(Linux)
        // Linux keeps the nice value per thread; `who` 0 is the calling one (setpriority(2), BUGS).
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}

extension Thread {
    /// A thread the operating system knows by `name` (`top -H`, `perf`, gdb,
    /// `/proc/PID/task/*/comm`). On Linux, Foundation keeps a name set before `start()` to
    /// itself and the thread shows as the process; set from inside the thread, it reaches
    /// the kernel, which refuses a name longer than 15 bytes.
    public convenience init(named name: String, body: @escaping @Sendable () -> Void) {
        assert(name.utf8.count <= 15, "a thread name the kernel keeps is at most 15 bytes: \(name)")
        self.init {
            Thread.current.name = name
            body()
        }
        self.name = name
    }
}
