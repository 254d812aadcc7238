import PaytopVocabulary

/// How the event lists (the Overview's tail, a trace's business events) show an event.
enum EventWords {
    static func role(_ o: EventOutcome) -> Theme.Role { o.isFailure ? .bad : (o == .success ? .ok : .text) }

    /// An event's name without the "payment." every one of the seed's starts with.
    static func shortName(_ name: String) -> String {
        name.hasPrefix("payment.") ? String(name.dropFirst("payment.".count)) : name
    }
}
