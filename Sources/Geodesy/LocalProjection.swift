internal import CPROJ
import Geometry

/// A failure inside PROJ, with the call and PROJ's own message.
public struct PROJError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let message: String

    public var description: String { "\(operation) failed: \(message)" }
}

/// An azimuthal equidistant projection on WGS 84 centred on a position (`+proj=aeqd`), made with
/// `proj_create` in a PROJ context of its own.
///
/// Distances and azimuths from the centre are exact (geodesic); any other distance within ρ of the
/// centre is off by at most about ρ²/(6R²) (2·10⁻⁶ at 25 km, 4·10⁻⁵ at 100 km). Coordinates are
/// metres east and north of the centre. Like a GEOS context, one belongs to one task.
public final class LocalProjection {
    private let context: OpaquePointer
    private let pj: OpaquePointer
    /// The centre, longitude/latitude in degrees.
    public let center: Position
    /// The PROJ string it was made from.
    public let definition: String

    /// Creates the azimuthal equidistant projection centred on `center`.
    public convenience init(center: Position) throws(PROJError) {
        try self.init(definition: "+proj=aeqd +lat_0=\(center.y) +lon_0=\(center.x) +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs", center: center)
    }

    /// A conformal projection centred on `center`: the stereographic on WGS 84 (`+proj=stere`,
    /// scale 1 at the centre). Shapes are kept locally and the scale grows by about ρ²/(4R²)
    /// with the distance ρ from the centre (6·10⁻⁵ at 100 km), so a map's scale bar is measured
    /// where it is drawn.
    public static func conformal(center: Position) throws(PROJError) -> LocalProjection {
        try LocalProjection(definition: "+proj=stere +lat_0=\(center.y) +lon_0=\(center.x) +k_0=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs", center: center)
    }

    /// Creates a projection from a PROJ string (`proj_context_create`, `proj_create`) whose
    /// coordinates are metres, centred on `center`.
    public init(definition: String, center: Position) throws(PROJError) {
        // NULL when out of memory.
        guard let context = proj_context_create() else {
            throw PROJError(operation: "proj_context_create", message: "could not create a PROJ context")
        }
        _ = proj_log_level(context, PJ_LOG_NONE)
        // NULL on error; the reason is in the context's errno.
        guard let pj = proj_create(context, definition) else {
            let message = String(cString: proj_context_errno_string(context, proj_context_errno(context)))
            proj_context_destroy(context)
            throw PROJError(operation: "proj_create(\(definition))", message: message)
        }
        self.context = context
        self.pj = pj
        self.center = center
        self.definition = definition
    }

    deinit {
        proj_destroy(pj)
        proj_context_destroy(context)
    }

    /// Longitude/latitude in degrees to metres in the plane (`proj_trans_generic`, forward).
    public func forward(_ positions: [Position]) throws(PROJError) -> [Position] {
        let degToRad = Double.pi / 180
        var xs = positions.map { $0.x * degToRad }
        var ys = positions.map { $0.y * degToRad }
        try transform(&xs, &ys, direction: PJ_FWD)
        return zip(xs, ys).map { Position($0, $1) }
    }

    /// Metres in the plane to longitude/latitude in degrees (`proj_trans_generic`, inverse).
    public func inverse(_ positions: [Position]) throws(PROJError) -> [Position] {
        var xs = positions.map(\.x)
        var ys = positions.map(\.y)
        try transform(&xs, &ys, direction: PJ_INV)
        let radToDeg = 180 / Double.pi
        return zip(xs, ys).map { Position($0 * radToDeg, $1 * radToDeg) }
    }

    private func transform(_ xs: inout [Double], _ ys: inout [Double], direction: PJ_DIRECTION) throws(PROJError) {
        let n = xs.count
        guard n > 0 else { return }
        _ = proj_errno_reset(pj)
        let stride = MemoryLayout<Double>.stride
        // Returns the number of coordinates transformed; failed ones are set to HUGE_VAL and errno is set.
        let done = xs.withUnsafeMutableBufferPointer { x in
            ys.withUnsafeMutableBufferPointer { y in
                proj_trans_generic(pj, direction, x.baseAddress, stride, n, y.baseAddress, stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        let errno = proj_errno(pj)
        if done != n || errno != 0 || xs.contains(where: { !$0.isFinite }) || ys.contains(where: { !$0.isFinite }) {
            let message = errno != 0 ? String(cString: proj_context_errno_string(context, errno)) : "a coordinate could not be transformed"
            throw PROJError(operation: "proj_trans_generic(\(definition.split(separator: " ").first ?? "") centred at \(center))", message: message)
        }
    }
}
