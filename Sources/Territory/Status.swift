import Geometry
import JSONText

/// A holder as answers name it: its code and the name shown to people.
public struct Holder: Hashable, Sendable {
    public let code: String
    public let name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// The answer to "what was the status of this place on this day?".
public struct StatusAnswer: Sendable, Equatable {
    public let position: Position
    public let day: Day
    /// True when the place is inside the covered area.
    public let covered: Bool
    /// For each facet, its holders at the place: one at most for the exclusive facets, every
    /// holder (sorted by code) for presence; none where no statement says.
    public let holders: [Facet: [Holder]]
    /// Districts and cities of the boundary pack holding the place, then the zones of the
    /// statements in force there, sorted.
    public let zones: [String]
    /// The statements in force at the place, in catalog order.
    public let statements: [StatementInfo]
    /// The first day of the record (the first slice), if any: before it no statement is in force.
    public let recordBegins: Day?
    /// The record the answer comes from: as of which day, in which view.
    public let record: RecordView
    /// The facets whose holder here changed on a day not known for certain, when the day asked
    /// falls inside that range.
    public let uncertain: [Uncertainty]

    /// The one status rule: the answer from the statements in force on `day` whose ground holds
    /// the place (`found`, in catalog order) and the districts and cities that hold it (`places`).
    /// For an exclusive facet the first statement in catalog order decides; presence gathers
    /// every holder. Every caller — one place, a million CSV rows, the store, the server — answers
    /// through here.
    public init(position: Position, day: Day, covered: Bool, found: [StatementInfo], places: [String], recordBegins: Day? = nil,
                record: RecordView = .today, uncertain: [Uncertainty] = []) {
        self.record = record
        self.uncertain = uncertain
        var holders: [Facet: [Holder]] = [:]
        var zones = Set<String>()
        for statement in found {
            zones.insert(statement.zone)
            let holder = Holder(code: statement.holder, name: statement.holderName)
            if statement.facet.isExclusive {
                if holders[statement.facet] == nil { holders[statement.facet] = [holder] }
            } else if !(holders[statement.facet] ?? []).contains(holder) {
                holders[statement.facet, default: []].append(holder)
            }
        }
        for facet in Facet.allCases where !facet.isExclusive {
            holders[facet]?.sort { $0.code < $1.code }
        }
        self.position = position
        self.day = day
        self.covered = covered
        self.holders = holders
        self.zones = places + zones.sorted().filter { !places.contains($0) }
        self.statements = found
        self.recordBegins = recordBegins
    }

    /// The holders' codes for a facet.
    public func codes(_ facet: Facet) -> [String] { (holders[facet] ?? []).map(\.code) }

    /// The one holder of an exclusive facet, if any.
    public func holder(_ facet: Facet) -> String? { holders[facet]?.first?.code }

    public var control: String? { holder(.control) }
    public var sovereignty: String? { holder(.sovereignty) }
    /// The administering authority where a statement names one that differs from control.
    public var administration: String? { holder(.administration) }
    /// Every holder of presence, sorted.
    public var presence: [String] { codes(.presence) }
    /// The access state of the ground (a route's: open, blocked, checkpoint), where stated.
    public var access: String? { holder(.access) }

    /// The answer as the JSON object the tool prints and the server sends. The first keys keep
    /// their types for scripts that read them (`control` a code or null, `presence` a list of
    /// codes, `statements` a list of ids); `holders` and `authority` carry the rest: holder names
    /// per facet, and each statement with its facet, holder, interval, announcement and source.
    public func json(boundaries: String? = nil) -> JSONValue {
        func code(_ c: String?) -> JSONValue { c.map { .string($0) } ?? .null }
        var members: [(key: String, value: JSONValue)] = [
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
            ("holders", .object(JSONObject(Facet.allCases.map { facet in
                (facet.rawValue, JSONValue.array((holders[facet] ?? []).map { h in
                    .object(JSONObject([
                        ("code", .string(h.code)), ("name", .string(h.name)),
                        ("statements", .array(statements.filter { $0.facet == facet && $0.holder == h.code }.map { .string($0.id) })),
                    ]))
                }))
            }))),
            ("authority", .array(statements.map { $0.json(asOf: record.asOf) })),
        ]
        if let recordBegins { members.append(("record_begins", .string(recordBegins.description))) }
        members.append(("as_of", record.asOf.map { .string($0.description) } ?? .null))
        members.append(("view", record.view.map { .string($0) } ?? .null))
        members.append(("uncertain", .array(uncertain.map(\.json))))
        if let boundaries { members.append(("boundaries", .string(boundaries))) }
        return .object(JSONObject(members))
    }
}

extension StatementInfo {
    /// What an answer tells of a statement, as JSON: id, facet, holder and its name, zone, the
    /// valid interval (valid_to null when open), the day announced, the source and any note.
    public var json: JSONValue { json(asOf: nil) }

    /// The same, with the valid interval as known on `asOf` (an end announced later is open).
    public func json(asOf: Day?) -> JSONValue {
        let valid = valid(asOf: asOf)
        var members: [(key: String, value: JSONValue)] = [
            ("id", .string(id)), ("facet", .string(facet.rawValue)), ("holder", .string(holder)),
            ("holder_name", .string(holderName)), ("zone", .string(zone)),
            ("valid_from", .string(valid.from.description)), ("valid_to", valid.to.map { .string($0.description) } ?? .null),
            ("announced", .string(announced.description)),
            ("source", self.source.json),
        ]
        if let note { members.append(("note", .string(note))) }
        if let supersedes { members.append(("supersedes", .string(supersedes))) }
        if case .object(let q) = qualifiers.json {
            // As of a day before its end was announced, neither the end nor its range is known.
            let unknownEnd = asOf.map { day in qualifiers.toAnnounced.map { day < $0 } ?? false } ?? false
            members += q.members.filter { !unknownEnd || ($0.key != "to_announced" && $0.key != "to_latest") }
        }
        return .object(JSONObject(members))
    }
}

/// A change of holder on a day the sources do not fix: somewhere in `[first, last]`. On the days
/// from `first` up to `last` (excluded) the holder may be either; slices take `first`.
public struct Uncertainty: Sendable, Equatable {
    public let facet: Facet
    public let first: Day
    public let last: Day
    /// The holders before the range and after it, by the status rule.
    public let before: [String]
    public let after: [String]
    /// The statement whose start or end is uncertain.
    public let statement: String

    public init(facet: Facet, first: Day, last: Day, before: [String], after: [String], statement: String) {
        self.facet = facet
        self.first = first
        self.last = last
        self.before = before
        self.after = after
        self.statement = statement
    }

    /// `{"facet", "between": [first, last], "before", "after", "statement"}`; before and after
    /// are a code or null for an exclusive facet, a list of codes for presence.
    public var json: JSONValue {
        func holders(_ codes: [String]) -> JSONValue {
            facet.isExclusive ? (codes.first.map { .string($0) } ?? .null) : .array(codes.map { .string($0) })
        }
        return .object(JSONObject([
            ("facet", .string(facet.rawValue)),
            ("between", .array([.string(first.description), .string(last.description)])),
            ("before", holders(before)), ("after", holders(after)), ("statement", .string(statement)),
        ]))
    }
}
