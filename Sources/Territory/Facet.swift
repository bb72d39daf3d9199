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

    /// Reads a facet's name, ignoring case (`Control`, `PRESENCE`); nil for anything else.
    public init?(parsing text: String) {
        self.init(rawValue: text.lowercased())
    }

    /// True when the statements in force on a day must not overlap: one holder at a time.
    public var isExclusive: Bool { self != .presence }

    /// True when, from its first statement on, the facet must hold all of the covered area every day.
    public var mustCover: Bool { self == .control || self == .sovereignty }

    /// True when holders are access states rather than actors.
    public var holdsAccessStates: Bool { self == .access }

    /// The facets' names, for messages: `control, sovereignty, administration, presence, access`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    public static func < (a: Facet, b: Facet) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A party that can hold a facet: a state (ISO 3166-1 code), a de facto authority, a contingent;
/// or, for the access facet, an access state (`open`, `blocked`, `checkpoint`).
public struct Actor: Hashable, Sendable {
    /// A short code, e.g. `AZ`, `AM`, `NK`, `RU`, `TR`.
    public let code: String
    /// The name shown to people, e.g. `Azerbaijan`.
    public let name: String
    /// What the code stands for where it is not obvious (e.g. RU: the Russian peacekeeping contingent).
    public let note: String?
    /// The colour it is drawn in on maps, `#RRGGBB` (catalog.json's `colour`), if declared.
    public let colour: String?

    public init(code: String, name: String, note: String?, colour: String? = nil) {
        self.code = code
        self.name = name
        self.note = note
        self.colour = colour
    }

    /// True for `#RRGGBB` (six hexadecimal digits after a number sign).
    public static func isColour(_ text: String) -> Bool {
        let u = Array(text.utf8)
        return u.count == 7 && u[0] == UInt8(ascii: "#") && u.dropFirst().allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
    }
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
