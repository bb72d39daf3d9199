internal import CGEOS

/// How a buffer ends at the free ends of lines (`GEOSBufCapStyles`).
public enum EndCap: String, Sendable, CaseIterable {
    /// A half circle past each end (`GEOSBUF_CAP_ROUND`).
    case round
    /// Cut square at each end, no extension (`GEOSBUF_CAP_FLAT`).
    case flat
    /// A half square past each end (`GEOSBUF_CAP_SQUARE`).
    case square

    var geos: GEOSBufCapStyles {
        switch self {
        case .round: GEOSBUF_CAP_ROUND
        case .flat: GEOSBUF_CAP_FLAT
        case .square: GEOSBUF_CAP_SQUARE
        }
    }
}

/// Validity as GEOS judges it (`GEOSisValidDetail_r`).
public struct Validity: Sendable, Equatable {
    /// True for a valid geometry.
    public let isValid: Bool
    /// GEOS's reason with the place, e.g. `Self-intersection at 0.5 0.5`; `Valid Geometry` when valid.
    public let reason: String
    /// Where the problem is, when GEOS says.
    public let location: Position?
}

extension Geometry {
    // MARK: Overlay

    /// The union of the two (`GEOSUnion_r`).
    public func union(_ other: Geometry) throws(GEOSError) -> Geometry {
        let (a, b) = (pointer, other.pointer)
        return try produce("GEOSUnion_r") { GEOSUnion_r($0, a, b) }
    }

    /// The intersection of the two (`GEOSIntersection_r`).
    public func intersection(_ other: Geometry) throws(GEOSError) -> Geometry {
        let (a, b) = (pointer, other.pointer)
        return try produce("GEOSIntersection_r") { GEOSIntersection_r($0, a, b) }
    }

    /// This geometry less the other (`GEOSDifference_r`).
    public func difference(_ other: Geometry) throws(GEOSError) -> Geometry {
        let (a, b) = (pointer, other.pointer)
        return try produce("GEOSDifference_r") { GEOSDifference_r($0, a, b) }
    }

    /// The ground in one and not the other (`GEOSSymDifference_r`).
    public func symmetricDifference(_ other: Geometry) throws(GEOSError) -> Geometry {
        let (a, b) = (pointer, other.pointer)
        return try produce("GEOSSymDifference_r") { GEOSSymDifference_r($0, a, b) }
    }

    /// The union of this geometry's parts with each other (`GEOSUnaryUnion_r`).
    public func unaryUnion() throws(GEOSError) -> Geometry {
        let a = pointer
        return try produce("GEOSUnaryUnion_r") { GEOSUnaryUnion_r($0, a) }
    }

    /// The union of many geometries: gathered into a collection, then `GEOSUnaryUnion_r`.
    public static func union(_ geometries: [Geometry], context: GEOSContext = GEOSContext()) throws(GEOSError) -> Geometry {
        let collection = try Geometry(.collection(geometries.map(\.shape)), context: context)
        return try collection.unaryUnion()
    }

    // MARK: Buffer and densify

    /// A planar buffer at `distance` in this geometry's own units (`GEOSBufferWithParams_r`),
    /// with `quadrantSegments` segments per quarter circle and round joins.
    ///
    /// For lon/lat data use Geodesy's metric buffer instead: degrees are no unit of distance.
    public func buffer(_ distance: Double, quadrantSegments: Int = 8, endCap: EndCap = .round) throws(GEOSError) -> Geometry {
        let h = context.handle
        context.reset()
        // NULL on exception.
        guard let params = GEOSBufferParams_create_r(h) else { throw context.failure("GEOSBufferParams_create_r") }
        defer { GEOSBufferParams_destroy_r(h, params) }
        // Each setter returns 0 on exception.
        guard GEOSBufferParams_setEndCapStyle_r(h, params, Int32(endCap.geos.rawValue)) != 0,
              GEOSBufferParams_setJoinStyle_r(h, params, Int32(GEOSBUF_JOIN_ROUND.rawValue)) != 0,
              GEOSBufferParams_setQuadrantSegments_r(h, params, Int32(quadrantSegments)) != 0
        else { throw context.failure("GEOSBufferParams_set*_r") }
        let a = pointer
        return try produce("GEOSBufferWithParams_r") { GEOSBufferWithParams_r($0, a, params, distance) }
    }

    /// The geometry with vertices added so that no segment is longer than `maxSegmentLength`
    /// (`GEOSDensify_r`); the added vertices lie on the original straight segments.
    public func densified(maxSegmentLength: Double) throws(GEOSError) -> Geometry {
        let a = pointer
        return try produce("GEOSDensify_r") { GEOSDensify_r($0, a, maxSegmentLength) }
    }

    // MARK: Validity

    /// Validity with GEOS's reason and, when invalid, where (`GEOSisValidDetail_r`).
    public func validity() throws(GEOSError) -> Validity {
        context.reset()
        var reason: UnsafeMutablePointer<CChar>?
        var location: OpaquePointer?
        // 1 valid, 0 invalid, 2 on exception; reason and location are ours to free when set.
        let answer = GEOSisValidDetail_r(context.handle, pointer, 0, &reason, &location)
        defer {
            if let reason { GEOSFree_r(context.handle, reason) }
            if let location { GEOSGeom_destroy_r(context.handle, location) }
        }
        guard answer != 2 else { throw context.failure("GEOSisValidDetail_r") }
        if answer == 1 { return Validity(isValid: true, reason: "Valid Geometry", location: nil) }
        var at: Position?
        if let location { at = Geometry.shape(of: location, context.handle).points.first }
        let text = reason.map { String(cString: $0) } ?? "invalid"
        return Validity(isValid: false, reason: at.map { "\(text) at \(GeoJSON.coordinate($0.x)) \(GeoJSON.coordinate($0.y))" } ?? text, location: at)
    }

    /// The geometry with every vertex on a grid of `gridSize` units, kept valid: vertices that
    /// meet are merged and collapsed parts removed (`GEOSGeom_setPrecision_r`, GEOS_PREC_VALID_OUTPUT).
    /// Use it before writing coordinates at a fixed number of decimals, which rounding alone
    /// could make self-intersect.
    public func reducedPrecision(gridSize: Double) throws(GEOSError) -> Geometry {
        let a = pointer
        return try produce("GEOSGeom_setPrecision_r") { GEOSGeom_setPrecision_r($0, a, gridSize, Int32(GEOS_PREC_VALID_OUTPUT.rawValue)) }
    }

    /// True when GEOS finds the geometry valid (`GEOSisValid_r`).
    public func isValid() throws(GEOSError) -> Bool {
        try predicate("GEOSisValid_r") { GEOSisValid_r($0, pointer) }
    }

    /// A valid geometry covering the same ground (`GEOSMakeValid_r`).
    public func makeValid() throws(GEOSError) -> Geometry {
        let a = pointer
        return try produce("GEOSMakeValid_r") { GEOSMakeValid_r($0, a) }
    }

    /// The geometry to write as GeoJSON (7 decimals): itself when what the writer puts down
    /// (`GeoJSON.asWritten`) is valid, so that nothing written moves; else its precision reduced
    /// to the 1e-7° grid by GEOS (`reducedPrecision`), which keeps it valid.
    public func writable() throws(GEOSError) -> Geometry {
        if try Geometry(GeoJSON.asWritten(shape), context: context).validity().isValid { return self }
        return try reducedPrecision(gridSize: 1e-7)
    }

    // MARK: Predicates (each GEOS call answers 1 true, 0 false, 2 on exception)

    func predicate(_ operation: String, _ body: (GEOSContextHandle_t) -> CChar) throws(GEOSError) -> Bool {
        context.reset()
        let answer = body(context.handle)
        guard answer != 2 else { throw context.failure(operation) }
        return answer == 1
    }

    /// `GEOSIntersects_r`.
    public func intersects(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSIntersects_r") { GEOSIntersects_r($0, pointer, other.pointer) }
    }
    /// `GEOSDisjoint_r`.
    public func disjoint(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSDisjoint_r") { GEOSDisjoint_r($0, pointer, other.pointer) }
    }
    /// `GEOSContains_r`.
    public func contains(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSContains_r") { GEOSContains_r($0, pointer, other.pointer) }
    }
    /// `GEOSWithin_r`.
    public func within(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSWithin_r") { GEOSWithin_r($0, pointer, other.pointer) }
    }
    /// `GEOSCovers_r`.
    public func covers(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSCovers_r") { GEOSCovers_r($0, pointer, other.pointer) }
    }
    /// `GEOSCoveredBy_r`.
    public func coveredBy(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSCoveredBy_r") { GEOSCoveredBy_r($0, pointer, other.pointer) }
    }
    /// `GEOSTouches_r`.
    public func touches(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSTouches_r") { GEOSTouches_r($0, pointer, other.pointer) }
    }
    /// `GEOSOverlaps_r`.
    public func overlaps(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSOverlaps_r") { GEOSOverlaps_r($0, pointer, other.pointer) }
    }
    /// `GEOSCrosses_r`.
    public func crosses(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSCrosses_r") { GEOSCrosses_r($0, pointer, other.pointer) }
    }
    /// Topological equality (`GEOSEquals_r`).
    public func topologicallyEquals(_ other: Geometry) throws(GEOSError) -> Bool {
        try predicate("GEOSEquals_r") { GEOSEquals_r($0, pointer, other.pointer) }
    }
    /// `GEOSisEmpty_r`.
    public func isEmpty() throws(GEOSError) -> Bool {
        try predicate("GEOSisEmpty_r") { GEOSisEmpty_r($0, pointer) }
    }

    // MARK: Planar measures (in the geometry's own units: not for display on lon/lat data)

    /// Planar area in squared coordinate units (`GEOSArea_r`).
    public func planarArea() throws(GEOSError) -> Double {
        context.reset()
        var value = 0.0
        guard GEOSArea_r(context.handle, pointer, &value) != 0 else { throw context.failure("GEOSArea_r") }  // 0 on exception
        return value
    }

    /// Planar length in coordinate units (`GEOSLength_r`).
    public func planarLength() throws(GEOSError) -> Double {
        context.reset()
        var value = 0.0
        guard GEOSLength_r(context.handle, pointer, &value) != 0 else { throw context.failure("GEOSLength_r") }  // 0 on exception
        return value
    }

    /// Planar distance between the two in coordinate units (`GEOSDistance_r`).
    public func planarDistance(to other: Geometry) throws(GEOSError) -> Double {
        context.reset()
        var value = 0.0
        guard GEOSDistance_r(context.handle, pointer, other.pointer, &value) != 0 else { throw context.failure("GEOSDistance_r") }  // 0 on exception
        return value
    }

    /// The discrete Hausdorff distance in coordinate units (`GEOSHausdorffDistance_r`): how far the two drift apart.
    public func hausdorffDistance(to other: Geometry) throws(GEOSError) -> Double {
        context.reset()
        var value = 0.0
        guard GEOSHausdorffDistance_r(context.handle, pointer, other.pointer, &value) != 0 else { throw context.failure("GEOSHausdorffDistance_r") }  // 0 on exception
        return value
    }

    /// The bounding box (`GEOSGeom_getXMin_r` and its siblings); nil for an empty geometry.
    public func bounds() throws(GEOSError) -> (min: Position, max: Position)? {
        if try isEmpty() { return nil }
        var minX = 0.0, minY = 0.0, maxX = 0.0, maxY = 0.0
        context.reset()
        // Each returns 0 on exception.
        guard GEOSGeom_getXMin_r(context.handle, pointer, &minX) != 0,
              GEOSGeom_getYMin_r(context.handle, pointer, &minY) != 0,
              GEOSGeom_getXMax_r(context.handle, pointer, &maxX) != 0,
              GEOSGeom_getYMax_r(context.handle, pointer, &maxY) != 0
        else { throw context.failure("GEOSGeom_getXMin_r") }
        return (Position(minX, minY), Position(maxX, maxY))
    }

    /// A point guaranteed inside the geometry (`GEOSPointOnSurface_r`).
    public func pointOnSurface() throws(GEOSError) -> Geometry {
        let a = pointer
        return try produce("GEOSPointOnSurface_r") { GEOSPointOnSurface_r($0, a) }
    }

    /// The geometry in normal form (`GEOSNormalize_r` on a copy), for comparisons.
    public func normalized() throws(GEOSError) -> Geometry {
        let copy = try clone()
        context.reset()
        guard GEOSNormalize_r(context.handle, copy.pointer) == 0 else { throw context.failure("GEOSNormalize_r") }  // -1 on exception
        return copy
    }

    /// The GEOS type name, e.g. `Polygon` (`GEOSGeomType_r`).
    public func typeName() throws(GEOSError) -> String {
        context.reset()
        // NULL on exception; the string is ours to free.
        guard let name = GEOSGeomType_r(context.handle, pointer) else { throw context.failure("GEOSGeomType_r") }
        defer { GEOSFree_r(context.handle, name) }
        return String(cString: name)
    }
}

/// A prepared geometry for repeated tests against one geometry (`GEOSPrepare_r`).
///
/// It owns its `GEOSPreparedGeometry*` (destroyed once with `GEOSPreparedGeom_destroy_r`) and keeps
/// the geometry it was prepared from alive, as GEOS requires.
public final class PreparedGeometry {
    /// The geometry it was prepared from.
    public let base: Geometry
    private let prepared: OpaquePointer

    /// Prepares `geometry` (`GEOSPrepare_r`).
    public init(_ geometry: Geometry) throws(GEOSError) {
        geometry.context.reset()
        // NULL on exception.
        guard let prepared = GEOSPrepare_r(geometry.context.handle, geometry.pointer) else {
            throw geometry.context.failure("GEOSPrepare_r")
        }
        self.base = geometry
        self.prepared = prepared
    }

    deinit {
        GEOSPreparedGeom_destroy_r(base.context.handle, prepared)
    }

    /// `GEOSPreparedContains_r`.
    public func contains(_ other: Geometry) throws(GEOSError) -> Bool {
        try base.predicate("GEOSPreparedContains_r") { GEOSPreparedContains_r($0, prepared, other.pointer) }
    }
    /// `GEOSPreparedCovers_r`.
    public func covers(_ other: Geometry) throws(GEOSError) -> Bool {
        try base.predicate("GEOSPreparedCovers_r") { GEOSPreparedCovers_r($0, prepared, other.pointer) }
    }
    /// `GEOSPreparedIntersects_r`.
    public func intersects(_ other: Geometry) throws(GEOSError) -> Bool {
        try base.predicate("GEOSPreparedIntersects_r") { GEOSPreparedIntersects_r($0, prepared, other.pointer) }
    }
    /// `GEOSPreparedContainsProperly_r`.
    public func containsProperly(_ other: Geometry) throws(GEOSError) -> Bool {
        try base.predicate("GEOSPreparedContainsProperly_r") { GEOSPreparedContainsProperly_r($0, prepared, other.pointer) }
    }
    /// `GEOSPreparedWithin_r`.
    public func within(_ other: Geometry) throws(GEOSError) -> Bool {
        try base.predicate("GEOSPreparedWithin_r") { GEOSPreparedWithin_r($0, prepared, other.pointer) }
    }

    /// True when the point at `position` is inside or on the boundary (`GEOSPreparedIntersects_r`
    /// on a point made in the base geometry's context).
    public func covers(_ position: Position) throws(GEOSError) -> Bool {
        try intersects(Geometry(.point(position), context: base.context))
    }
}
