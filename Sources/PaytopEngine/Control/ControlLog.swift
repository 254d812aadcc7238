import PaytopStore

/// The operator commands an engine has taken: how far it has read `control_command`, and
/// the acknowledgements and `control_event` rows not yet handed to the writer.
struct ControlLog {
    /// The last control_command id this engine has taken.
    var lastTakenID: Int64 = 0
    private(set) var newEvents: [ControlEventRow] = []
    private(set) var newAcks: [ControlAck] = []

    mutating func record(_ event: ControlEventRow) { newEvents.append(event) }
    mutating func acknowledge(_ ack: ControlAck) { newAcks.append(ack) }

    /// Hands the rows to a batch.
    mutating func drain(into b: inout WriteBatch) {
        b.controlEvents = newEvents
        b.controlAcks = newAcks
        newEvents.removeAll()
        newAcks.removeAll()
    }
}
