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

/// A thread's own clock.
public enum ThreadClock {
    /// CPU time of the calling thread so far, in nanoseconds (the benchmarks' per-thread figures).
    public static func cpuNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

extension Thread {
    /// A thread the operating system knows by `name` (`top -H`, `perf`, gdb,
    /// `/proc/PID/task/*/comm`) from before its body runs. On Linux, Foundation keeps a
    /// name set before `start()` to itself, and `Thread.current.name = …` inside the thread
    /// reaches the kernel only if the starting thread has already recorded the new
    /// thread's handle — a race the new thread often wins (the name was lost 2 runs in
    /// 5). So the body first names itself through `/proc/thread-self/comm` (Glibc's
    /// module hides pthread_setname_np); the kernel refuses a name beyond 15 bytes.
    public convenience init(named name: String, body: @escaping @Sendable () -> Void) {
        assert(name.utf8.count <= 15, "a thread name the kernel keeps is at most 15 bytes: \(name)")
        self.init {
            Thread.nameCallingThread(name)
            body()
        }
        self.name = name
    }

    /// Names the calling thread for the operating system (Linux; elsewhere nothing).
    static func nameCallingThread(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var bytes = Array(name.utf8.prefix(15))
        _ = write(fd, &bytes, bytes.count)
        #endif
    }
}
