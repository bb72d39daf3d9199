import Foundation
import Geodesy
import Geometry

/// The answer to "what was the status of this place on this day?".
public struct StatusAnswer: Sendable, Equatable {
    public let position: Position
    public let day: Day
    /// True when the place is inside the covered area.
    public let covered: Bool
    public let control: String?
    public let sovereignty: String?
    /// The administering authority where a statement names one that differs from control.
    public let administration: String?
    /// Every holder of presence, sorted.
    public let presence: [String]
    /// The access state of the ground (a route's: open, blocked, checkpoint), where stated.
    public let access: String?
    /// Districts and cities of the boundary pack holding the place, then the zones of the
    /// statements in force there, sorted.
    public let zones: [String]
    /// The statements in force at the place, in catalog order.
    public let statements: [StatementInfo]

    public init(position: Position, day: Day, covered: Bool, control: String?, sovereignty: String?, administration: String?,
                presence: [String], access: String?, zones: [String], statements: [StatementInfo]) {
        self.position = position
        self.day = day
        self.covered = covered
        self.control = control
        self.sovereignty = sovereignty
        self.administration = administration
        self.presence = presence
        self.access = access
        self.zones = zones
        self.statements = statements
    }

    /// The answer from the statements in force whose ground holds the place (in catalog order)
    /// and the districts and cities that hold it.
    public static func from(position: Position, day: Day, covered: Bool, statements found: [StatementInfo], places: [String]) -> StatusAnswer {
        var control: String?, sovereignty: String?, administration: String?, access: String?
        var presence = Set<String>()
        var zones = Set<String>()
        for statement in found {
            zones.insert(statement.zone)
            switch statement.facet {
            case .control: control = control ?? statement.holder
            case .sovereignty: sovereignty = sovereignty ?? statement.holder
            case .presence: presence.insert(statement.holder)
            case .administration: administration = administration ?? statement.holder
            case .access: access = access ?? statement.holder
            }
        }
        return StatusAnswer(position: position, day: day, covered: covered, control: control, sovereignty: sovereignty,
                            administration: administration, presence: presence.sorted(), access: access,
                            zones: places + zones.sorted().filter { !places.contains($0) }, statements: found)
    }

    /// The answer as the JSON object the tool prints.
    public var json: JSONValue {
        func code(_ c: String?) -> JSONValue { c.map { .string($0) } ?? .null }
        return .object(JSONObject([
            ("lon", .number(position.x)),
            ("lat", .number(position.y)),
            ("date", .string(day.description)),
            ("covered", .bool(covered)),
            ("control", code(control)),
            ("sovereignty", code(sovereignty)),
            ("presence", .array(presence.map { .string($0) })),
            ("administration", code(administration)),
            ("access", code(access)),
            ("zones", .array(zones.map { .string($0) })),
            ("statements", .array(statements.map { .string($0.id) })),
        ]))
    }
}

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
            events.append(TimelineEvent(day: statement.interval.from, change: .begins, statement: statement, successor: nil))
            // An ending is news only when the holder does not go on, under another statement of
            // the same facet, from the same day (the ground regrouped, or restated by a new text).
            if let to = statement.interval.to,
               !statements.contains(where: { $0.facet == statement.facet && $0.holder == statement.holder && $0.interval.from == to && successors[$0.id] == nil }) {
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
}

extension Atlas {
    /// The status of `position` on `day`: who controls it, whose sovereignty it is under, who is
    /// present, in which zones, and on which statements. A place outside the covered area answers
    /// `covered: false` with no holders.
    public func status(at position: Position, on day: Day) throws -> StatusAnswer {
        let isCovered = try isCovered(position)
        var found: [StatementInfo] = []
        if isCovered {
            for statement in statements(on: day) where try covers(statement, position) {
                found.append(info(statement))
            }
        }
        return StatusAnswer.from(position: position, day: day, covered: isCovered, statements: found, places: try places(at: position))
    }

    /// What queries tell of a statement.
    public func info(_ statement: Statement) -> StatementInfo {
        StatementInfo(id: statement.id, facet: statement.facet, holder: statement.holder,
                      holderName: catalog.holderName(statement.holder), zone: statement.zone, interval: statement.interval,
                      announced: statement.announced, source: statement.source, note: statement.note,
                      supersedes: statement.supersedes, areaKm2: Atlas.areaKm2(ground(of: statement)))
    }

    /// The features of one time slice, one per (facet, holder): the union of the grounds of the
    /// statements in force, in facet order then holder code.
    public func layer(_ slice: DayInterval, facets: [Facet]) throws -> [Feature] {
        let inForce = statements(on: slice.from)
        var features: [Feature] = []
        for facet in Facet.allCases where facets.contains(facet) {
            let group = inForce.filter { $0.facet == facet }
            for holder in Set(group.map(\.holder)).sorted() {
                let members = group.filter { $0.holder == holder }
                let ground = try Atlas.polygonal(Geometry.union(members.map(ground(of:)), context: context), context)
                var sources: [String] = []
                for s in members where !sources.contains(s.source.citation) { sources.append(s.source.citation) }
                var zones: [String] = []
                for s in members where !zones.contains(s.zone) { zones.append(s.zone) }
                let properties = JSONObject([
                    ("facet", .string(facet.rawValue)),
                    ("holder", .string(holder)),
                    ("holder_name", .string(catalog.holderName(holder))),
                    ("valid_from", .string(slice.from.description)),
                    ("valid_to", slice.to.map { .string($0.description) } ?? .null),
                    ("statements", .array(members.map { .string($0.id) })),
                    ("sources", .array(sources.map { .string($0) })),
                    ("zones", .array(zones.map { .string($0) })),
                    ("area_km2", .number((Atlas.areaKm2(ground) * 1000).rounded() / 1000)),
                ] + (catalog.pack.map { [("boundaries", JSONValue.string($0.citation))] } ?? []))
                // Always a MultiPolygon, so that GIS tools see one geometry type per layer.
                features.append(Feature(id: .string("\(facet.rawValue)/\(holder)/\(slice.from)"),
                                        geometry: .multiPolygon(ground.shape.polygons), properties: properties))
            }
        }
        return features
    }

    /// Every dated change, in order (on one day, endings before beginnings, then by facet and id);
    /// at a position, only the statements whose ground holds it.
    public func timeline(at position: Position? = nil) throws -> [TimelineEvent] {
        var here: [StatementInfo] = []
        for statement in catalog.statements {
            if let position, try !covers(statement, position) { continue }
            here.append(info(statement))
        }
        // A superseded statement's successor is named even when its ground is elsewhere.
        for statement in catalog.statements where here.contains(where: { $0.id == statement.supersedes }) {
            if !here.contains(where: { $0.id == statement.id }) { here.append(info(statement)) }
        }
        return TimelineEvent.events(of: here)
    }
}

/// Finds the built-in data folder from any working directory.
public enum DataLocator {
    /// The folder named by `TERRITORY_DATA`; else a `data/catalog.json` above the running
    /// executable (a build inside the checkout); else the one beside these sources.
    public static func builtIn() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["TERRITORY_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent("data")
            if fm.fileExists(atPath: candidate.appendingPathComponent(Catalog.manifest).path) { return candidate }
            folder.deleteLastPathComponent()
        }
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = sources.appendingPathComponent("data")
        if fm.fileExists(atPath: candidate.appendingPathComponent(Catalog.manifest).path) { return candidate }
        return nil
    }
}
