import Geometry
import Territory

/// What a map draws beside the slices of a day: the holders with their colours, the districts
/// outlined and named, the towns, and the notes for a legend and a credit line.
public struct MapBase: Sendable {
    public struct Holder: Sendable {
        public let code: String
        public let name: String
        public let note: String?
        /// True for the access facet's states (`open`, `blocked`, `checkpoint`).
        public let isAccessState: Bool
        /// `#RRGGBB`, or nil when catalog.json declares none (drawn grey).
        public let colour: String?
    }

    public struct District: Sendable {
        public let id: String
        public let name: String
        public let shape: Shape
    }

    public let holders: [Holder]
    public let districts: [District]
    public let towns: [Town]
    /// Which palette the colours come from (catalog.json's `palette`).
    public let palette: String?
    /// The data's licence (catalog.json's `licence`).
    public let licence: String?

    /// The colour drawn for a holder: its declared colour, or a neutral grey.
    public func colour(of code: String) -> String {
        holders.first { $0.code == code }?.colour ?? MapBase.undeclared
    }

    /// The grey of a holder without a declared colour.
    public static let undeclared = "#999999"
}
