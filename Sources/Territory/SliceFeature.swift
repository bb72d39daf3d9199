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
    /// The statements behind it whose start or end is an uncertain range: (id, "from" or "to",
    /// the range as `first/last`).
    public let uncertain: [(statement: String, end: String, range: String)]
    /// The strength of the presences behind it, as their sources state it, each once.
    public let strength: [String]
    /// The record it was drawn from.
    public let record: RecordView

    public static func == (a: SliceFeature, b: SliceFeature) -> Bool {
        a.facet == b.facet && a.holder == b.holder && a.holderName == b.holderName && a.valid == b.valid && a.statements == b.statements
            && a.sources == b.sources && a.zones == b.zones && a.areaKm2 == b.areaKm2 && a.boundaries == b.boundaries && a.polygons == b.polygons
            && a.uncertain.map { "\($0.statement) \($0.end) \($0.range)" } == b.uncertain.map { "\($0.statement) \($0.end) \($0.range)" }
            && a.strength == b.strength && a.record == b.record
    }

    public init(facet: Facet, holder: String, holderName: String, valid: DayInterval, statements: [String], sources: [String],
                zones: [String], areaKm2: Double, boundaries: String?, polygons: [[[Position]]],
                uncertain: [(statement: String, end: String, range: String)] = [], strength: [String] = [], record: RecordView = .today) {
        self.uncertain = uncertain
        self.strength = strength
        self.record = record
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
                areaKm2: Double, boundaries: String?, polygons: [[[Position]]], record: RecordView = .today) {
        var sources: [String] = [], zones: [String] = [], strength: [String] = []
        var uncertain: [(statement: String, end: String, range: String)] = []
        for s in members {
            if !sources.contains(s.source.citation) { sources.append(s.source.citation) }
            if !zones.contains(s.zone) { zones.append(s.zone) }
            if let summary = s.qualifiers.strength?.summary, !strength.contains(summary) { strength.append(summary) }
            if let last = s.qualifiers.fromLatest { uncertain.append((s.id, "from", "\(s.valid.from)/\(last)")) }
            if let to = s.valid(asOf: record.asOf).to, let last = s.qualifiers.toLatest { uncertain.append((s.id, "to", "\(to)/\(last)")) }
        }
        self.init(facet: facet, holder: holder, holderName: holderName, valid: valid, statements: members.map(\.id),
                  sources: sources, zones: zones, areaKm2: areaKm2, boundaries: boundaries, polygons: polygons,
                  uncertain: uncertain, strength: strength, record: record)
    }

    /// The same feature, said to be drawn from `record`.
    public func with(record: RecordView) -> SliceFeature {
        SliceFeature(facet: facet, holder: holder, holderName: holderName, valid: valid, statements: statements, sources: sources,
                     zones: zones, areaKm2: areaKm2, boundaries: boundaries, polygons: polygons, uncertain: uncertain,
                     strength: strength, record: record)
    }

    /// The stable id: `facet/holder/valid_from`.
    public var id: String { "\(facet.rawValue)/\(holder)/\(valid.from)" }

    /// The GeoJSON feature: always a MultiPolygon, so that GIS tools see one geometry type per
    /// layer; properties facet, holder, holder_name, valid_from, valid_to, statements, sources,
    /// zones, area_km2, uncertain (statements whose start or end is a range), strength, as_of and
    /// view (the record: null for today's, the default view), and boundaries with a pack.
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
            ("uncertain", .array(uncertain.map { .object(JSONObject([("statement", .string($0.statement)), ($0.end, .string($0.range))])) })),
            ("strength", .array(strength.map { .string($0) })),
            ("as_of", record.asOf.map { .string($0.description) } ?? .null),
            ("view", record.view.map { .string($0) } ?? .null),
        ] + (boundaries.map { [("boundaries", JSONValue.string($0))] } ?? []))
        return Feature(id: .string(id), geometry: .multiPolygon(polygons), properties: properties)
    }
}
