import Geodesy
import Geometry

/// Ground written as an expression over the named shapes of a boundary pack, computed with GEOS.
public indirect enum GroundExpression: Hashable, Sendable, CustomStringConvertible {
    /// A shape of the boundary pack, or a named ground of catalog.json, by id.
    case ref(String)
    /// Everything within `distance` of the expression's ground, in metres on the ground.
    case buffer(GroundExpression, distance: Length, ends: MetricBuffer.Ends)
    case union([GroundExpression])
    case intersection([GroundExpression])
    /// The first less all the others.
    case difference(GroundExpression, [GroundExpression])

    /// Every id (shape or named ground) the expression names.
    public var shapeIDs: [String] {
        switch self {
        case .ref(let id): [id]
        case .buffer(let e, _, _): e.shapeIDs
        case .union(let es), .intersection(let es): es.flatMap(\.shapeIDs)
        case .difference(let a, let bs): a.shapeIDs + bs.flatMap(\.shapeIDs)
        }
    }

    public var description: String {
        switch self {
        case .ref(let id): id
        case .buffer(let e, let d, let ends): "buffer(\(e), \(Length(meters: d.meters * 2)) wide\(ends == .flat ? ", flat ends" : ""))"
        case .union(let es): "union(\(es.map(\.description).joined(separator: ", ")))"
        case .intersection(let es): "intersection(\(es.map(\.description).joined(separator: ", ")))"
        case .difference(let a, let bs): "\(a) − \(bs.map(\.description).joined(separator: " − "))"
        }
    }
}

/// A territorial statement: on some ground, a facet has a holder over `[from, to)`, on an authority.
///
/// A statement lives on two time axes:
/// - **valid**, `[from, to)`: the days on which what it says holds on the ground;
/// - **recorded**, `[announced, the announcement of whatever supersedes it)`: the days on which it
///   stood on the record. A statement nothing supersedes stays on the record (open end).
///
/// The record as it stood on a day D holds the statements whose recorded interval contains D;
/// today's record holds those whose recorded interval is open. A statement is in force on day V,
/// as the record stood on D, when it is on that record and its valid interval as known on D
/// contains V (an end announced after D, `qualifiers.toAnnounced`, is not known yet: open). A
/// claim (`qualifiers.claimedBy`) is outside the default view. `RecordView` states these rules
/// in full, and `Dated` applies them.
public struct Statement: Hashable, Sendable {
    /// A stable id, unique across data/.
    public let id: String
    public let facet: Facet
    /// The holder's actor code.
    public let holder: String
    /// The ground, clipped to the covered area when resolved.
    public let ground: GroundExpression
    /// When what it says holds: `[from, to)`.
    public let valid: DayInterval
    /// The day it was made known.
    public let announced: Day
    /// When it stood on the record: `[announced, the announcement of its successor)`.
    public let recorded: DayInterval
    public let source: Source
    /// A name for the ground, shown in layers, status answers and the timeline (e.g. `Lachin corridor`).
    public let zone: String
    /// Anything a reader should know: uncertain dates, what is assumed.
    public let note: String?
    /// The id of an earlier statement this one replaces (a postponed deadline, a revised date):
    /// the earlier one stays in the timeline but leaves the record when this one is announced.
    public let supersedes: String?
    /// The file it was read from, relative to the data folder.
    public let file: String
    /// What else it says, where a source says it: a late-announced end, uncertain days, who
    /// claims or disputes it, strength and mandate.
    public let qualifiers: Qualifiers

    public init(id: String, facet: Facet, holder: String, ground: GroundExpression, valid: DayInterval, announced: Day,
                recorded: DayInterval, source: Source, zone: String, note: String?, supersedes: String?, file: String,
                qualifiers: Qualifiers = Qualifiers()) {
        self.qualifiers = qualifiers
        self.id = id
        self.facet = facet
        self.holder = holder
        self.ground = ground
        self.valid = valid
        self.announced = announced
        self.recorded = recorded
        self.source = source
        self.zone = zone
        self.note = note
        self.supersedes = supersedes
        self.file = file
    }

    /// True when the statement is on today's record (nothing has superseded it).
    public var isOnRecord: Bool { recorded.to == nil }
}

/// What queries tell of a statement: everything but its ground expression, with its holder's
/// name and its ground's area. Answers from the atlas and from the store carry the same values.
public struct StatementInfo: Hashable, Sendable {
    public let id: String
    public let facet: Facet
    public let holder: String
    public let holderName: String
    public let zone: String
    /// When what it says holds: `[from, to)`.
    public let valid: DayInterval
    public let announced: Day
    /// When it stood on the record: `[announced, its successor's announcement)`.
    public let recorded: DayInterval
    public let source: Source
    public let note: String?
    public let supersedes: String?
    /// The file it was read from, relative to the data folder.
    public let file: String
    /// The ground's geodesic area in km², within the covered area.
    public let areaKm2: Double
    /// A late-announced end, uncertain days, claims and disputes, strength and mandate.
    public let qualifiers: Qualifiers

    public init(id: String, facet: Facet, holder: String, holderName: String, zone: String, valid: DayInterval,
                announced: Day, recorded: DayInterval, source: Source, note: String?, supersedes: String?, file: String, areaKm2: Double,
                qualifiers: Qualifiers = Qualifiers()) {
        self.qualifiers = qualifiers
        self.id = id
        self.facet = facet
        self.holder = holder
        self.holderName = holderName
        self.zone = zone
        self.valid = valid
        self.announced = announced
        self.recorded = recorded
        self.source = source
        self.note = note
        self.supersedes = supersedes
        self.file = file
        self.areaKm2 = areaKm2
    }

    /// True when the statement is on today's record (nothing has superseded it).
    public var isOnRecord: Bool { recorded.to == nil }
}

/// What a shape of a boundary pack is.
public enum ShapeKind: String, Sendable, CaseIterable, Codable {
    /// An administrative district: the districts partition the covered area.
    case district
    /// A city inside a district.
    case city
    /// Ground held by a side at some time (a contact line's side).
    case held
    /// A road (a line): corridors are buffers of roads.
    case road
    /// A site (a point), e.g. the monitoring centre.
    case site
    /// A cutting shape: intersected with other ground to give a part of it.
    case sector
    /// Any other area (shapes that say no kind).
    case area

    /// Districts and cities: the places answers name.
    public var isPlace: Bool { self == .district || self == .city }

    /// The kinds' names, for messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A named shape of a boundary pack.
public struct BoundaryShape: Sendable, Equatable {
    public let id: String
    public let name: String
    public let kind: ShapeKind
    /// How it was drawn.
    public let note: String?
    public let shape: Shape

    public init(id: String, name: String, kind: ShapeKind, note: String?, shape: Shape) {
        self.id = id
        self.name = name
        self.kind = kind
        self.note = note
        self.shape = shape
    }
}
