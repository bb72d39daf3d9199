import Geometry
import JSONText

/// One feature of a layer: the ground of one (facet, holder) in one time slice, the union of
/// the grounds of the statements in force. The atlas computes them, the store keeps them in
/// typed columns, and layers, the store and the server read them the same.
public struct SliceFeature: Sendable, Equatable {
    public let facet: Facet
    public let holder: String
    public let holderName: String
    /// The time slice: `[from, to)`, open at the last.
    public let valid: DayInterval
    /// The statements whose grounds make it, in catalog order.
    public let statements: [String]
    /// Their sources' citations, each once, in the statements' order.
    public let sources: [String]
    /// Their zones, each once, in the statements' order.
    public let zones: [String]
    /// The geodesic area in km², to three decimals.
    public let areaKm2: Double
    /// The imported boundary pack it was made with, cited, if any.
    public let boundaries: String?
    /// The ground: polygons valid as GEOS judges them, and still valid as written at 7 decimals.
    public let polygons: [[[Position]]]

    public init(facet: Facet, holder: String, holderName: String, valid: DayInterval, statements: [String], sources: [String],
                zones: [String], areaKm2: Double, boundaries: String?, polygons: [[[Position]]]) {
        self.facet = facet
        self.holder = holder
        self.holderName = holderName
        self.valid = valid
        self.statements = statements
        self.sources = sources
        self.zones = zones
        self.areaKm2 = areaKm2
        self.boundaries = boundaries
        self.polygons = polygons
    }

    /// The feature of `members` (the statements of one facet and holder in force in a slice, in
    /// catalog order): their ids, and their sources' citations and zones each once, in that order.
    public init(facet: Facet, holder: String, holderName: String, valid: DayInterval, members: [StatementInfo],
                areaKm2: Double, boundaries: String?, polygons: [[[Position]]]) {
        var sources: [String] = [], zones: [String] = []
        for s in members {
            if !sources.contains(s.source.citation) { sources.append(s.source.citation) }
            if !zones.contains(s.zone) { zones.append(s.zone) }
        }
        self.init(facet: facet, holder: holder, holderName: holderName, valid: valid, statements: members.map(\.id),
                  sources: sources, zones: zones, areaKm2: areaKm2, boundaries: boundaries, polygons: polygons)
    }

    /// The stable id: `facet/holder/valid_from`.
    public var id: String { "\(facet.rawValue)/\(holder)/\(valid.from)" }

    /// The GeoJSON feature: always a MultiPolygon, so that GIS tools see one geometry type per
    /// layer; properties facet, holder, holder_name, valid_from, valid_to, statements, sources,
    /// zones, area_km2 (and boundaries with a pack).
    public var feature: Feature {
        let properties = JSONObject([
            ("facet", .string(facet.rawValue)),
            ("holder", .string(holder)),
            ("holder_name", .string(holderName)),
            ("valid_from", .string(valid.from.description)),
            ("valid_to", valid.to.map { .string($0.description) } ?? .null),
            ("statements", .array(statements.map { .string($0) })),
            ("sources", .array(sources.map { .string($0) })),
            ("zones", .array(zones.map { .string($0) })),
            ("area_km2", .number(areaKm2)),
        ] + (boundaries.map { [("boundaries", JSONValue.string($0))] } ?? []))
        return Feature(id: .string(id), geometry: .multiPolygon(polygons), properties: properties)
    }
}
