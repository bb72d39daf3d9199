internal import CGEOS

/// An owned GEOS geometry: this object owns exactly one `GEOSGeometry*` and destroys it
/// (`GEOSGeom_destroy_r`) exactly once, in `deinit`.
///
/// A geometry lives in the context it was made in and every operation on it runs there; like its
/// context it is not `Sendable`. To hand a geometry to another task, pass its `shape` or `wkb()`.
public final class Geometry {
    /// The context this geometry and everything computed from it live in.
    public let context: GEOSContext
    /// The owned GEOS pointer.
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`, which must have been made in `context`.
    init(owning pointer: OpaquePointer, in context: GEOSContext) {
        self.pointer = pointer
        self.context = context
    }

    deinit {
        GEOSGeom_destroy_r(context.handle, pointer)
    }

    /// Runs a GEOS call that returns a new geometry (NULL on exception) and takes ownership of it.
    func produce(_ operation: String, _ body: (GEOSContextHandle_t) -> OpaquePointer?) throws(GEOSError) -> Geometry {
        context.reset()
        guard let result = body(context.handle) else { throw context.failure(operation) }
        return Geometry(owning: result, in: context)
    }

    // MARK: Building from values

    /// Builds a geometry from plain values (`GEOSCoordSeq_copyFromBuffer_r`, `GEOSGeom_create*_r`).
    ///
    /// Rings must be closed and have at least four positions; GEOS's own message says what is wrong otherwise.
    public convenience init(_ shape: Shape, context: GEOSContext = GEOSContext()) throws(GEOSError) {
        context.reset()
        let pointer = try Geometry.build(shape, context)
        self.init(owning: pointer, in: context)
    }

    /// Makes a raw, owned geometry; on failure nothing is left allocated.
    private static func build(_ shape: Shape, _ context: GEOSContext) throws(GEOSError) -> OpaquePointer {
        let h = context.handle
        switch shape {
        case .point(let p):
            let seq = try sequence([p], context)
            // GEOSGeom_createPoint_r takes ownership of seq; NULL on exception.
            guard let g = GEOSGeom_createPoint_r(h, seq) else { throw context.failure("GEOSGeom_createPoint_r") }
            return g
        case .lineString(let ps):
            if ps.isEmpty {
                guard let g = GEOSGeom_createEmptyLineString_r(h) else { throw context.failure("GEOSGeom_createEmptyLineString_r") }
                return g
            }
            let seq = try sequence(ps, context)
            // Takes ownership of seq; NULL on exception (e.g. a single position).
            guard let g = GEOSGeom_createLineString_r(h, seq) else { throw context.failure("GEOSGeom_createLineString_r") }
            return g
        case .polygon(let rings):
            return try polygon(rings, context)
        case .multiPoint(let ps):
            return try collection(GEOS_MULTIPOINT, ps.map { .point($0) }, context)
        case .multiLineString(let lines):
            return try collection(GEOS_MULTILINESTRING, lines.map { .lineString($0) }, context)
        case .multiPolygon(let polys):
            return try collection(GEOS_MULTIPOLYGON, polys.map { .polygon($0) }, context)
        case .collection(let shapes):
            return try collection(GEOS_GEOMETRYCOLLECTION, shapes, context)
        }
    }

    private static func sequence(_ positions: [Position], _ context: GEOSContext) throws(GEOSError) -> OpaquePointer {
        var flat = [Double]()
        flat.reserveCapacity(positions.count * 2)
        for p in positions {
            flat.append(p.x)
            flat.append(p.y)
        }
        // NULL on exception.
        let seq = flat.withUnsafeBufferPointer {
            GEOSCoordSeq_copyFromBuffer_r(context.handle, $0.baseAddress, UInt32(positions.count), 0, 0)
        }
        guard let seq else { throw context.failure("GEOSCoordSeq_copyFromBuffer_r") }
        return seq
    }

    private static func ring(_ positions: [Position], _ context: GEOSContext) throws(GEOSError) -> OpaquePointer {
        let seq = try sequence(positions, context)
        // Takes ownership of seq (and destroys it on failure); NULL on exception (open or short ring).
        guard let ring = GEOSGeom_createLinearRing_r(context.handle, seq) else {
            throw context.failure("GEOSGeom_createLinearRing_r")
        }
        return ring
    }

    private static func polygon(_ rings: [[Position]], _ context: GEOSContext) throws(GEOSError) -> OpaquePointer {
        let h = context.handle
        guard let first = rings.first else {
            guard let g = GEOSGeom_createEmptyPolygon_r(h) else { throw context.failure("GEOSGeom_createEmptyPolygon_r") }
            return g
        }
        let shell = try ring(first, context)
        var holes: [OpaquePointer?] = []
        for hole in rings.dropFirst() {
            do {
                holes.append(try ring(hole, context))
            } catch {
                GEOSGeom_destroy_r(h, shell)
                for made in holes { GEOSGeom_destroy_r(h, made) }
                throw error
            }
        }
        // Takes ownership of shell and holes; NULL on exception.
        let polygon = holes.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(h, shell, $0.baseAddress, UInt32($0.count))
        }
        guard let polygon else { throw context.failure("GEOSGeom_createPolygon_r") }
        return polygon
    }

    private static func collection(_ type: GEOSGeomTypes, _ members: [Shape], _ context: GEOSContext) throws(GEOSError) -> OpaquePointer {
        let h = context.handle
        var made: [OpaquePointer?] = []
        made.reserveCapacity(members.count)
        for member in members {
            do {
                made.append(try build(member, context))
            } catch {
                for g in made { GEOSGeom_destroy_r(h, g) }
                throw error
            }
        }
        // Takes ownership of the members; NULL on exception.
        let result = made.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(h, Int32(type.rawValue), $0.baseAddress, UInt32($0.count))
        }
        guard let result else { throw context.failure("GEOSGeom_createCollection_r") }
        return result
    }

    // MARK: Reading back into values

    /// The geometry as plain values (`GEOSCoordSeq_copyToBuffer_r` and the accessors).
    public var shape: Shape {
        Geometry.shape(of: pointer, context.handle)
    }

    private static func positions(of geometry: OpaquePointer, _ h: GEOSContextHandle_t) -> [Position] {
        // The sequence belongs to the geometry; NULL on exception (not a linear geometry).
        guard let seq = GEOSGeom_getCoordSeq_r(h, geometry) else { return [] }
        var size: UInt32 = 0
        // 0 on exception.
        guard GEOSCoordSeq_getSize_r(h, seq, &size) != 0, size > 0 else { return [] }
        var flat = [Double](repeating: 0, count: Int(size) * 2)
        let ok = flat.withUnsafeMutableBufferPointer {
            GEOSCoordSeq_copyToBuffer_r(h, seq, $0.baseAddress, 0, 0)  // 0 on exception
        }
        guard ok != 0 else { return [] }
        return (0..<Int(size)).map { Position(flat[2 * $0], flat[2 * $0 + 1]) }
    }

    static func shape(of g: OpaquePointer, _ h: GEOSContextHandle_t) -> Shape {
        let type = GEOSGeomTypeId_r(h, g)  // -1 on exception
        switch type {
        case Int32(GEOS_POINT.rawValue):
            let ps = positions(of: g, h)
            return ps.first.map { .point($0) } ?? .multiPoint([])
        case Int32(GEOS_LINESTRING.rawValue), Int32(GEOS_LINEARRING.rawValue):
            return .lineString(positions(of: g, h))
        case Int32(GEOS_POLYGON.rawValue):
            return .polygon(rings(of: g, h))
        default:
            let n = max(0, Int(GEOSGetNumGeometries_r(h, g)))  // -1 on exception
            let members: [OpaquePointer] = (0..<n).compactMap { GEOSGetGeometryN_r(h, g, Int32($0)) }
            switch type {
            case Int32(GEOS_MULTIPOINT.rawValue):
                return .multiPoint(members.flatMap { positions(of: $0, h) })
            case Int32(GEOS_MULTILINESTRING.rawValue):
                return .multiLineString(members.map { positions(of: $0, h) })
            case Int32(GEOS_MULTIPOLYGON.rawValue):
                return .multiPolygon(members.map { rings(of: $0, h) })
            default:
                return .collection(members.map { shape(of: $0, h) })
            }
        }
    }

    private static func rings(of polygon: OpaquePointer, _ h: GEOSContextHandle_t) -> [[Position]] {
        guard GEOSisEmpty_r(h, polygon) == 0, let shell = GEOSGetExteriorRing_r(h, polygon) else { return [] }
        var rings = [positions(of: shell, h)]
        let holes = max(0, Int(GEOSGetNumInteriorRings_r(h, polygon)))  // -1 on exception
        for i in 0..<holes {
            if let hole = GEOSGetInteriorRingN_r(h, polygon, Int32(i)) {
                rings.append(positions(of: hole, h))
            }
        }
        return rings
    }

    // MARK: WKT and WKB

    /// Reads Well-Known Text (`GEOSWKTReader_read_r`); a parse failure throws GEOS's own message.
    public convenience init(wkt: String, context: GEOSContext = GEOSContext()) throws(GEOSError) {
        context.reset()
        // NULL on exception.
        guard let reader = GEOSWKTReader_create_r(context.handle) else { throw context.failure("GEOSWKTReader_create_r") }
        defer { GEOSWKTReader_destroy_r(context.handle, reader) }
        guard let g = GEOSWKTReader_read_r(context.handle, reader, wkt) else { throw context.failure("GEOSWKTReader_read_r") }
        self.init(owning: g, in: context)
    }

    /// Reads Well-Known Binary (`GEOSWKBReader_read_r`).
    public convenience init(wkb: [UInt8], context: GEOSContext = GEOSContext()) throws(GEOSError) {
        context.reset()
        guard let reader = GEOSWKBReader_create_r(context.handle) else { throw context.failure("GEOSWKBReader_create_r") }
        defer { GEOSWKBReader_destroy_r(context.handle, reader) }
        // NULL on exception.
        let g = wkb.withUnsafeBufferPointer { GEOSWKBReader_read_r(context.handle, reader, $0.baseAddress, $0.count) }
        guard let g else { throw context.failure("GEOSWKBReader_read_r") }
        self.init(owning: g, in: context)
    }

    /// Well-Known Text (`GEOSWKTWriter_write_r`), trimmed, with at most `precision` decimals when given.
    public func wkt(precision: Int? = nil) throws(GEOSError) -> String {
        context.reset()
        guard let writer = GEOSWKTWriter_create_r(context.handle) else { throw context.failure("GEOSWKTWriter_create_r") }
        defer { GEOSWKTWriter_destroy_r(context.handle, writer) }
        GEOSWKTWriter_setTrim_r(context.handle, writer, 1)
        if let precision { GEOSWKTWriter_setRoundingPrecision_r(context.handle, writer, Int32(precision)) }
        // NULL on exception; the string is ours to free.
        guard let text = GEOSWKTWriter_write_r(context.handle, writer, pointer) else { throw context.failure("GEOSWKTWriter_write_r") }
        defer { GEOSFree_r(context.handle, text) }
        return String(cString: text)
    }

    /// Well-Known Binary, little-endian, 2D (`GEOSWKBWriter_write_r`).
    public func wkb() throws(GEOSError) -> [UInt8] {
        context.reset()
        guard let writer = GEOSWKBWriter_create_r(context.handle) else { throw context.failure("GEOSWKBWriter_create_r") }
        defer { GEOSWKBWriter_destroy_r(context.handle, writer) }
        GEOSWKBWriter_setByteOrder_r(context.handle, writer, Int32(GEOS_WKB_NDR.rawValue))
        GEOSWKBWriter_setOutputDimension_r(context.handle, writer, 2)
        var size = 0
        // NULL on exception; the buffer is ours to free.
        guard let bytes = GEOSWKBWriter_write_r(context.handle, writer, pointer, &size) else { throw context.failure("GEOSWKBWriter_write_r") }
        defer { GEOSFree_r(context.handle, bytes) }
        return Array(UnsafeBufferPointer(start: bytes, count: size))
    }

    /// A deep copy in the same context (`GEOSGeom_clone_r`).
    public func clone() throws(GEOSError) -> Geometry {
        let source = pointer
        return try produce("GEOSGeom_clone_r") { GEOSGeom_clone_r($0, source) }
    }
}
