import JSONText

/// One dated change in the timeline: a statement taking effect or ceasing to.
public struct TimelineEvent: Sendable {
    public enum Change: String, Sendable {
        case begins, ends
        /// Replaced before it took effect (or while in force) by a later statement: the day is the
        /// day the replacement was announced.
        case superseded
    }
    public let day: Day
    public let change: Change
    public let statement: StatementInfo
    /// For a superseded statement, the one that replaces it.
    public let successor: StatementInfo?

    public init(day: Day, change: Change, statement: StatementInfo, successor: StatementInfo?) {
        self.day = day
        self.change = change
        self.statement = statement
        self.successor = successor
    }

    /// The events of these statements, in order: on one day, endings, then supersessions, then
    /// beginnings, each by facet then id. A superseded statement gives only its supersession, on
    /// the day its successor was announced; an ending is left out when the same holder goes on
    /// under another statement of the same facet from that day.
    public static func events(of statements: [StatementInfo]) -> [TimelineEvent] {
        let successors = Dictionary(statements.compactMap { s in s.supersedes.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        var events: [TimelineEvent] = []
        for statement in statements {
            if let successor = successors[statement.id] {
                events.append(TimelineEvent(day: successor.announced, change: .superseded, statement: statement, successor: successor))
                continue
            }
            events.append(TimelineEvent(day: statement.valid.from, change: .begins, statement: statement, successor: nil))
            // An ending is news only when the holder does not go on, under another statement of
            // the same facet, from the same day (the ground regrouped, or restated by a new text).
            if let to = statement.valid.to,
               !statements.contains(where: { $0.facet == statement.facet && $0.holder == statement.holder && $0.valid.from == to && successors[$0.id] == nil }) {
                events.append(TimelineEvent(day: to, change: .ends, statement: statement, successor: nil))
            }
        }
        let order: [Change] = [.ends, .superseded, .begins]
        return events.sorted { a, b in
            if a.day != b.day { return a.day < b.day }
            if a.change != b.change { return order.firstIndex(of: a.change)! < order.firstIndex(of: b.change)! }
            if a.statement.facet != b.statement.facet { return a.statement.facet < b.statement.facet }
            return a.statement.id < b.statement.id
        }
    }

    /// The event as JSON: date, change, facet, holder, zone, area_km2 (one decimal), statement,
    /// source (its citation) and announced; what `timeline --format json` prints and a server sends.
    public var json: JSONValue {
        .object(JSONObject([
            ("date", .string(day.description)), ("change", .string(change.rawValue)),
            ("facet", .string(statement.facet.rawValue)), ("holder", .string(statement.holder)),
            ("zone", .string(statement.zone)), ("area_km2", .number((statement.areaKm2 * 10).rounded() / 10)),
            ("statement", .string(statement.id)), ("source", .string(statement.source.citation)),
            ("announced", .string(statement.announced.description)),
        ]))
    }
}
