import PaytopVocabulary
import HeapModule

/// The engine's one discrete-event scheduler: a priority queue of timed events
/// (swift-collections' `Heap`). Events at the same instant run in the order they were
/// scheduled, so a run is a pure function of seed and inputs.
struct Scheduler {
    struct Entry: Comparable {
        let time: EngineTime
        let sequence: UInt64
        let event: EngineEvent

        static func < (a: Entry, b: Entry) -> Bool {
            a.time.nanos < b.time.nanos || (a.time.nanos == b.time.nanos && a.sequence < b.sequence)
        }

        /// Entries are unique by sequence.
        static func == (a: Entry, b: Entry) -> Bool { a.sequence == b.sequence }
    }

    private var heap = Heap<Entry>()
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var nextTime: EngineTime? { heap.min?.time }

    mutating func schedule(_ event: EngineEvent, at time: EngineTime) {
        heap.insert(Entry(time: time, sequence: nextSequence, event: event))
        nextSequence &+= 1
    }

    mutating func pop() -> Entry? { heap.popMin() }

    /// Drops every pending event (used when a live engine stops).
    mutating func removeAll() { heap = Heap() }
}
