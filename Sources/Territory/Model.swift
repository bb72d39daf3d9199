import Geodesy
import Geometry

/// An aspect of who has what over ground.
///
/// - `control`: de facto, who holds the ground. On any day the statements in force partition
///   the covered area: no overlaps, no gaps.
/// - `sovereignty`: de jure, as internationally recognised. A partition, like control.
/// - `administration`: the civil authority governing the ground, stated where it differs from
///   control (the Nagorno-Karabakh authorities after September 2023, until their dissolution took
///   effect). Statements may not overlap; most ground has none.
/// - `presence`: forces present with a mandate (peacekeepers, monitors); several may overlap.
/// - `access`: the state of a route's ground: its holder is an access state (`open`, `blocked`,
///   `checkpoint`), not an actor. Statements may not overlap.
public enum Facet: String, Sendable, CaseIterable, Comparable, Codable {
    case control, sovereignty, administration, presence, access

    /// True when the statements in force on a day must not overlap.
    public var isExclusive: Bool { self != .presence }

    /// True when, from its first statement on, the facet must hold all of the covered area every day.
    public var mustCover: Bool { self == .control || self == .sovereignty }

    /// True when holders are access states rather than actors.
    public var holdsAccessStates: Bool { self == .access }

    public static func < (a: Facet, b: Facet) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A party that can hold a facet: a state (ISO 3166-1 code), a de facto authority, a contingent.
public struct Actor: Hashable, Sendable {
    /// A short code, e.g. `AZ`, `AM`, `NK`, `RU`, `TR`.
    public let code: String
    /// The name shown to people, e.g. `Azerbaijan`.
    public let name: String
    /// What the code stands for where it is not obvious (e.g. RU: the Russian peacekeeping contingent).
    public let note: String?
}

/// Where a statement comes from: the document, the clause or page, optionally a short quote.
public struct Source: Hashable, Sendable {
    public init(document: String, clause: String, quote: String?, via: String?, url: String?) {
        self.document = document
        self.clause = clause
        self.quote = quote
        self.via = via
        self.url = url
    }

    /// The document, named short enough to cite on one line: `Trilateral statement of 9/10 November 2020`.
    public let document: String
    public let clause: String
    public let quote: String?
    /// Where the text was read: the edition, translation or reports relied on.
    public let via: String?
    public let url: String?

    /// `document, clause`, for one-line citations.
    public var citation: String { "\(document), \(clause)" }
}

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
public struct Statement: Hashable, Sendable {
    /// A stable id, unique across data/.
    public let id: String
    public let facet: Facet
    /// The holder's actor code.
    public let holder: String
    /// The ground, clipped to the covered area when resolved.
    public let ground: GroundExpression
    /// When it is in force: `[from, to)`.
    public let interval: DayInterval
    /// The day it was made known.
    public let announced: Day
    public let source: Source
    /// A name for the ground, shown in layers, status answers and the timeline (e.g. `Lachin corridor`).
    public let zone: String
    /// Anything a reader should know: uncertain dates, what is assumed.
    public let note: String?
    /// The id of an earlier statement this one replaces (a postponed deadline, a revised date):
    /// the earlier one stays on the record, in the timeline, but is no longer in force.
    public let supersedes: String?
    /// The file it was read from, relative to the data folder.
    public let file: String
}

/// What queries tell of a statement: everything but its ground expression, with its holder's
/// name and its ground's area. Answers from the atlas and from the store carry the same values.
public struct StatementInfo: Hashable, Sendable {
    public let id: String
    public let facet: Facet
    public let holder: String
    public let holderName: String
    public let zone: String
    public let interval: DayInterval
    public let announced: Day
    public let source: Source
    public let note: String?
    public let supersedes: String?
    /// The ground's geodesic area in km², within the covered area.
    public let areaKm2: Double

    public init(id: String, facet: Facet, holder: String, holderName: String, zone: String, interval: DayInterval,
                announced: Day, source: Source, note: String?, supersedes: String?, areaKm2: Double) {
        self.id = id
        self.facet = facet
        self.holder = holder
        self.holderName = holderName
        self.zone = zone
        self.interval = interval
        self.announced = announced
        self.source = source
        self.note = note
        self.supersedes = supersedes
        self.areaKm2 = areaKm2
    }
}

/// A named shape of a boundary pack.
public struct BoundaryShape: Sendable {
    public let id: String
    public let name: String
    /// `district`, `city`, `held`, `road`, `site`, ...
    public let kind: String
    /// How it was drawn.
    public let note: String?
    public let shape: Shape
}

/// A problem found in data/: the file, the statement or shape at fault, and what is wrong.
public struct Problem: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// `statement 'id'`, `shape 'id'`, or nil for the file as a whole.
    public let subject: String?
    public let message: String
    /// For an overlap or a gap of a partition: its area in km².
    public let areaKm2: Double?

    public init(file: String, subject: String? = nil, _ message: String, areaKm2: Double? = nil) {
        self.file = file
        self.subject = subject
        self.message = message
        self.areaKm2 = areaKm2
    }

    public var description: String {
        [file, subject].compactMap { $0 }.joined(separator: ": ") + ": " + message
    }
}

/// Problems found together: validation reports every problem, not only the first.
public struct Problems: Error, CustomStringConvertible, Sendable {
    public let problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
