import JSONText

/// What a statement says beyond holder, ground and days, where a source says it: an end made
/// known later than the statement, uncertain days, who claims it and who disputes it, and a
/// presence's strength and mandate. Empty for most statements.
public struct Qualifiers: Hashable, Sendable {
    /// The day the end (`to`) was made known, when later than the statement's announcement: as
    /// the record stood before that day, the statement was open-ended (the NK positions "until
    /// 20 September 2023" were not known in 2021).
    public var toAnnounced: Day?
    /// When `from` is an uncertain range (`2020-10-09/2020-10-15`), its last day: the statement
    /// takes effect on some day in `[from, fromLatest]`. Slices begin on the range's first day.
    public var fromLatest: Day?
    /// When `to` is an uncertain range, its last day: the statement ends on some day in
    /// `[to, toLatest]`. Slices end on the range's first day.
    public var toLatest: Day?
    /// The actors asserting it: a statement with any is a claim, outside the default view.
    public var claimedBy: [String] = []
    /// Actors that accept the claim without making it: their views take it too.
    public var acceptedBy: [String] = []
    /// The actors rejecting it, each with the source of its rejection: their views leave it out.
    public var disputedBy: [Dispute] = []
    /// A presence's strength, as its source states it.
    public var strength: Strength?
    /// A presence's mandate or term, in our words (the source's in its quote).
    public var mandate: String?

    public init(toAnnounced: Day? = nil, fromLatest: Day? = nil, toLatest: Day? = nil, claimedBy: [String] = [], acceptedBy: [String] = [],
                disputedBy: [Dispute] = [], strength: Strength? = nil, mandate: String? = nil) {
        self.toAnnounced = toAnnounced
        self.fromLatest = fromLatest
        self.toLatest = toLatest
        self.claimedBy = claimedBy
        self.acceptedBy = acceptedBy
        self.disputedBy = disputedBy
        self.strength = strength
        self.mandate = mandate
    }

    /// True when some actor claims it: not in the default view.
    public var isClaim: Bool { !claimedBy.isEmpty }

    public var isEmpty: Bool { self == Qualifiers() }

    /// Every actor it names (claims, acceptances, disputes).
    public var actors: [String] { claimedBy + acceptedBy + disputedBy.map(\.actor) }

    /// As JSON (the store keeps it so): only the members that are set.
    public var json: JSONValue {
        var m: [(key: String, value: JSONValue)] = []
        if let toAnnounced { m.append(("to_announced", .string(toAnnounced.description))) }
        if let fromLatest { m.append(("from_latest", .string(fromLatest.description))) }
        if let toLatest { m.append(("to_latest", .string(toLatest.description))) }
        if !claimedBy.isEmpty { m.append(("claimed_by", .array(claimedBy.map { .string($0) }))) }
        if !acceptedBy.isEmpty { m.append(("accepted_by", .array(acceptedBy.map { .string($0) }))) }
        if !disputedBy.isEmpty { m.append(("disputed_by", .array(disputedBy.map(\.json)))) }
        if let strength { m.append(("strength", strength.json)) }
        if let mandate { m.append(("mandate", .string(mandate))) }
        return .object(JSONObject(m))
    }

    /// Reads what `json` wrote; nil when it is not such an object.
    public init?(json: JSONValue) {
        guard case .object(let o) = json else { return nil }
        func day(_ key: String) -> Day? {
            if case .string(let t)? = o[key] { return try? Day(parsing: t) }
            return nil
        }
        func codes(_ key: String) -> [String] {
            guard case .array(let items)? = o[key] else { return [] }
            return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
        self.init(toAnnounced: day("to_announced"), fromLatest: day("from_latest"), toLatest: day("to_latest"),
                  claimedBy: codes("claimed_by"), acceptedBy: codes("accepted_by"))
        if case .array(let items)? = o["disputed_by"] { disputedBy = items.compactMap(Dispute.init(json:)) }
        if let s = o["strength"] { strength = Strength(json: s) }
        if case .string(let t)? = o["mandate"] { mandate = t }
    }
}

/// An actor's rejection of a statement, with its source.
public struct Dispute: Hashable, Sendable {
    public let actor: String
    public let source: Source

    public init(actor: String, source: Source) {
        self.actor = actor
        self.source = source
    }

    public var json: JSONValue {
        .object(JSONObject([("actor", .string(actor)), ("source", source.json)]))
    }

    init?(json: JSONValue) {
        guard case .object(let o) = json, case .string(let actor)? = o["actor"], let s = o["source"], let source = Source(json: s) else { return nil }
        self.init(actor: actor, source: source)
    }
}

/// A presence's strength, as its source states it: personnel, armoured vehicles, other
/// vehicles; `atMost` for a ceiling ("up to 60"), `per` for a count per party ("per side").
public struct Strength: Hashable, Sendable {
    public var personnel: Int?
    public var armouredVehicles: Int?
    public var vehicles: Int?
    public var atMost: Bool
    public var per: String?

    public init(personnel: Int? = nil, armouredVehicles: Int? = nil, vehicles: Int? = nil, atMost: Bool = false, per: String? = nil) {
        self.personnel = personnel
        self.armouredVehicles = armouredVehicles
        self.vehicles = vehicles
        self.atMost = atMost
        self.per = per
    }

    /// `1,960 personnel, 90 armoured personnel carriers, 380 vehicles`; `up to 60 personnel per side`.
    public var summary: String {
        var parts: [String] = []
        if let personnel { parts.append("\(Strength.grouped(personnel)) personnel") }
        if let armouredVehicles { parts.append("\(Strength.grouped(armouredVehicles)) armoured personnel carriers") }
        if let vehicles { parts.append("\(Strength.grouped(vehicles)) vehicles") }
        return (atMost ? "up to " : "") + parts.joined(separator: ", ") + (per.map { " per \($0)" } ?? "")
    }

    /// `1960` → `1,960`.
    static func grouped(_ n: Int) -> String {
        var digits = Array(String(abs(n)))
        var out = ""
        while digits.count > 3 { out = "," + String(digits.suffix(3)) + out; digits.removeLast(3) }
        return (n < 0 ? "-" : "") + String(digits) + out
    }

    public var json: JSONValue {
        var m: [(key: String, value: JSONValue)] = []
        if let personnel { m.append(("personnel", .number(Double(personnel)))) }
        if let armouredVehicles { m.append(("armoured_personnel_carriers", .number(Double(armouredVehicles)))) }
        if let vehicles { m.append(("vehicles", .number(Double(vehicles)))) }
        if atMost { m.append(("at_most", .bool(true))) }
        if let per { m.append(("per", .string(per))) }
        m.append(("summary", .string(summary)))
        return .object(JSONObject(m))
    }

    /// The fields data/ may give.
    public static let fields = ["personnel", "armoured_personnel_carriers", "vehicles", "at_most", "per"]

    init?(json: JSONValue) {
        guard case .object(let o) = json else { return nil }
        func int(_ key: String) -> Int? { if case .number(let v)? = o[key] { Int(exactly: v) } else { nil } }
        var per: String?
        if case .string(let p)? = o["per"] { per = p }
        self.init(personnel: int("personnel"), armouredVehicles: int("armoured_personnel_carriers"), vehicles: int("vehicles"),
                  atMost: o["at_most"] == .bool(true), per: per)
    }
}

extension Source {
    /// The source as JSON: document, clause, and quote, via and url where given.
    public var json: JSONValue {
        var m: [(key: String, value: JSONValue)] = [("document", .string(document)), ("clause", .string(clause))]
        if let quote { m.append(("quote", .string(quote))) }
        if let via { m.append(("via", .string(via))) }
        if let url { m.append(("url", .string(url))) }
        return .object(JSONObject(m))
    }

    init?(json: JSONValue) {
        guard case .object(let o) = json, case .string(let d)? = o["document"], case .string(let c)? = o["clause"] else { return nil }
        func text(_ k: String) -> String? { if case .string(let t)? = o[k] { t } else { nil } }
        self.init(document: d, clause: c, quote: text("quote"), via: text("via"), url: text("url"))
    }
}

/// Which statements an answer is drawn from: the record as it stood on a day (`asOf`; today's
/// record when nil), seen from a point of view (`view`, an actor code; the default view when nil).
///
/// The rules, in one place (`Dated` below applies them):
/// - **As of D**: only statements announced by D and not superseded by D (a statement that
///   supersedes another counts from its own announcement); an end announced after D
///   (`to_announced`) is not known yet, so the statement is open-ended as of D.
/// - **The default view** holds every statement that is not a claim.
/// - **The view of actor A** is the default view plus the claims A makes (`claimed_by`) or
///   accepts (`accepted_by`), less every statement A disputes (`disputed_by`). Where an accepted
///   claim and a statement of the record overlap on an exclusive facet, the claim decides: in
///   its own view an actor's claims come first.
public struct RecordView: Hashable, Sendable, CustomStringConvertible {
    public let asOf: Day?
    public let view: String?

    public init(asOf: Day? = nil, view: String? = nil) {
        self.asOf = asOf
        self.view = view
    }

    /// Today's record in the default view: what the store compiles.
    public static let today = RecordView()

    public var isToday: Bool { self == .today }

    /// `as of 2020-11-12, in NK's view`, for messages.
    public var description: String {
        var parts: [String] = []
        parts.append(asOf.map { "as of \($0)" } ?? "as of today")
        parts.append(view.map { "in \($0)'s view" } ?? "in the default view")
        return parts.joined(separator: ", ")
    }
}

/// Anything on the two time axes: valid `[from, to)` and recorded `[announced, superseded)`.
public protocol Dated {
    var valid: DayInterval { get }
    var recorded: DayInterval { get }
    var qualifiers: Qualifiers { get }
}

extension Statement: Dated {}
extension StatementInfo: Dated {}

extension Dated {
    /// True when it stood on the record as of `asOf` (today's record when nil): announced by then
    /// and not yet superseded.
    public func isOnRecord(asOf: Day?) -> Bool {
        guard let asOf else { return recorded.to == nil }
        return recorded.contains(asOf)
    }

    /// The valid interval as known on `asOf` (today when nil): open-ended before its end was
    /// announced (`to_announced`).
    public func valid(asOf: Day?) -> DayInterval {
        if let asOf, let told = qualifiers.toAnnounced, asOf < told, valid.to != nil {
            return try! DayInterval(from: valid.from, to: nil)
        }
        return valid
    }

    /// True when `view` (the default view when nil) holds it.
    public func isInView(_ view: String?) -> Bool {
        guard let view else { return !qualifiers.isClaim }
        if qualifiers.disputedBy.contains(where: { $0.actor == view }) { return false }
        return !qualifiers.isClaim || qualifiers.claimedBy.contains(view) || qualifiers.acceptedBy.contains(view)
    }

    /// True when it is a claim that `view` makes or accepts: it comes first in that view.
    public func isClaimAccepted(in view: String?) -> Bool {
        guard let view, qualifiers.isClaim else { return false }
        return qualifiers.claimedBy.contains(view) || qualifiers.acceptedBy.contains(view)
    }

    /// True when `record` holds it (on the record as of its day, in its view).
    public func isHeld(by record: RecordView) -> Bool {
        isOnRecord(asOf: record.asOf) && isInView(record.view)
    }

    /// True when it is in force on `day` as the record stood on `asOf` (today's record when nil).
    public func isInForce(on day: Day, asOf: Day? = nil) -> Bool {
        isOnRecord(asOf: asOf) && valid(asOf: asOf).contains(day)
    }

    /// True when it is in force on `day` in `record`.
    public func isInForce(on day: Day, in record: RecordView) -> Bool {
        isHeld(by: record) && valid(asOf: record.asOf).contains(day)
    }

    /// When `day` falls in an uncertain start or end of it: the range, as `[first, last]`.
    public func uncertainty(on day: Day, asOf: Day?) -> (first: Day, last: Day)? {
        if let latest = qualifiers.fromLatest, day >= valid.from, day < latest { return (valid.from, latest) }
        if let to = valid(asOf: asOf).to, let latest = qualifiers.toLatest, day >= to, day < latest { return (to, latest) }
        return nil
    }
}
