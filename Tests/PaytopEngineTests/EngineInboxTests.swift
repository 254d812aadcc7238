import Foundation
import Testing
@testable import PaytopEngine

/// The inbox the HTTP server posts to: the engine's thread sleeps in `wait` until a request
/// arrives or the writer says a batch is durable (`wake`), whichever comes first.
@Suite struct EngineInboxTests {
    @Test func aWakeBeforeTheWaitEndsItAtOnce() {
        let inbox = EngineInbox()
        inbox.wake()
        let start = ContinuousClock.now
        inbox.wait(nanos: 30_000_000_000)
        #expect(ContinuousClock.now - start < .seconds(10), "a wake that came first is not lost")
    }

    @Test func aWakeFromAnotherThreadEndsAWait() {
        let inbox = EngineInbox()
        let returned = DispatchSemaphore(value: 0)
        Thread { inbox.wait(nanos: 30_000_000_000); returned.signal() }.start()
        inbox.wake()  // before or during the wait: either way it ends
        #expect(returned.wait(timeout: .now() + 10) == .success)
    }
}
