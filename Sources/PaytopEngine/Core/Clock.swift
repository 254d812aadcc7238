import PaytopVocabulary

/// How engine time relates to the wall clock.
///
/// - `simulated`: engine time jumps from event to event as fast as the CPU allows.
/// - `live`: engine time follows the wall clock multiplied by a speed factor, anchored
///   at the moment the speed was last set.
public struct EngineClock: Sendable {
    public enum Mode: Sendable, Equatable { case simulated, live }
    public let mode: Mode
    public private(set) var speed: Double
    private var engineAnchor: EngineTime
    private var wallAnchor: Int64  // wall nanoseconds (monotonic)

    public static func simulated() -> EngineClock {
        EngineClock(mode: .simulated, speed: .infinity, engineAnchor: .simulationEpoch, wallAnchor: 0)
    }

    public static func live(startingAt engine: EngineTime, wallNow: Int64, speed: Double) -> EngineClock {
        EngineClock(mode: .live, speed: speed, engineAnchor: engine, wallAnchor: wallNow)
    }

    /// The engine time that corresponds to a wall instant (live mode).
    public func engineTime(atWall wall: Int64) -> EngineTime {
        engineAnchor + Nanos(Double(wall - wallAnchor) * speed)
    }

    /// The wall instant at which an engine time falls due (live mode).
    public func wallTime(forEngine t: EngineTime) -> Int64 {
        wallAnchor + Int64(Double(t - engineAnchor) / speed)
    }

    /// Changes speed without a jump in engine time.
    public mutating func setSpeed(_ newSpeed: Double, wallNow: Int64) {
        engineAnchor = engineTime(atWall: wallNow)
        wallAnchor = wallNow
        speed = newSpeed
    }
}
