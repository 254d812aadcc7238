/// The engine's one discrete-event scheduler: a binary min-heap of timed events. Events at
/// the same instant run in the order they were scheduled, so a run is a pure function of
/// seed and inputs.
struct Scheduler {
    struct Entry {
        let time: EngineTime
        let sequence: UInt64
        let event: EngineEvent
        @inline(__always) func before(_ o: Entry) -> Bool {
            time.nanos < o.time.nanos || (time.nanos == o.time.nanos && sequence < o.sequence)
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var nextTime: EngineTime? { heap.first?.time }

    mutating func schedule(_ event: EngineEvent, at time: EngineTime) {
        let entry = Entry(time: time, sequence: nextSequence, event: event)
        nextSequence &+= 1
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !heap[i].before(heap[parent]) { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && heap[l].before(heap[m]) { m = l }
                if r < n && heap[r].before(heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }

    /// Drops every pending event (used when a live engine stops).
    mutating func removeAll() { heap.removeAll() }
}
