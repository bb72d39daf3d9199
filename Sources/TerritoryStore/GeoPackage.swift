import Foundation
import GRDB
import Geometry
import JSONText
import Territory

/// OGC GeoPackage 1.3 pieces: the binary geometry encoding, the core tables and the R*Tree
/// spatial index extension, written as SQL that never refers to application types.
enum GeoPackage {
    /// `PRAGMA application_id`: the ASCII bytes "GPKG".
    static let applicationID: Int32 = 0x4750_4B47
    /// `PRAGMA user_version`: GeoPackage 1.3.0.
    static let userVersion = 10300
    /// WGS 84 longitude/latitude.
    static let wgs84 = 4326

    /// The core tables with the three spatial reference systems the standard requires.
    static let coreSchema = """
    CREATE TABLE gpkg_spatial_ref_sys (
      srs_name TEXT NOT NULL,
      srs_id INTEGER NOT NULL PRIMARY KEY,
      organization TEXT NOT NULL,
      organization_coordsys_id INTEGER NOT NULL,
      definition TEXT NOT NULL,
      description TEXT
    );
    INSERT INTO gpkg_spatial_ref_sys VALUES
      ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
      ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
      ('WGS 84 geodetic', 4326, 'EPSG', 4326,
       'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
       'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
    CREATE TABLE gpkg_contents (
      table_name TEXT NOT NULL PRIMARY KEY,
      data_type TEXT NOT NULL,
      identifier TEXT UNIQUE,
      description TEXT DEFAULT '',
      last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
      min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
      srs_id INTEGER,
      CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
    );
    CREATE TABLE gpkg_geometry_columns (
      table_name TEXT NOT NULL,
      column_name TEXT NOT NULL,
      geometry_type_name TEXT NOT NULL,
      srs_id INTEGER NOT NULL,
      z TINYINT NOT NULL,
      m TINYINT NOT NULL,
      CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
      CONSTRAINT uk_gc_table_name UNIQUE (table_name),
      CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
      CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
    );
    CREATE TABLE gpkg_extensions (
      table_name TEXT,
      column_name TEXT,
      extension_name TEXT NOT NULL,
      definition TEXT NOT NULL,
      scope TEXT NOT NULL,
      CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
    );
    """

    /// The R*Tree virtual table indexing `table.column` (GeoPackage 1.3 extension F.3); the
    /// caller fills it with each row's envelope.
    static func rtreeTable(_ t: String, _ c: String) -> String {
        "CREATE VIRTUAL TABLE rtree_\(t)_\(c) USING rtree(id, minx, maxx, miny, maxy);"
    }

    /// The triggers that keep `rtree_<t>_<c>` in step when a GIS edits the table later, and the
    /// extension's registration. (They call ST_* functions that GeoPackage readers provide; the
    /// build fills the index itself and creates them last.)
    static func rtreeTriggers(_ t: String, _ c: String, key i: String = "fid") -> String {
        let r = "rtree_\(t)_\(c)"
        let values = "(NEW.\(i), ST_MinX(NEW.\(c)), ST_MaxX(NEW.\(c)), ST_MinY(NEW.\(c)), ST_MaxY(NEW.\(c)))"
        return """
        CREATE TRIGGER \(r)_insert AFTER INSERT ON \(t) WHEN (new.\(c) NOT NULL AND NOT ST_IsEmpty(NEW.\(c)))
        BEGIN INSERT OR REPLACE INTO \(r) VALUES \(values); END;
        CREATE TRIGGER \(r)_update1 AFTER UPDATE OF \(c) ON \(t) WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
        BEGIN INSERT OR REPLACE INTO \(r) VALUES \(values); END;
        CREATE TRIGGER \(r)_update2 AFTER UPDATE OF \(c) ON \(t) WHEN OLD.\(i) = NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
        BEGIN DELETE FROM \(r) WHERE id = OLD.\(i); END;
        CREATE TRIGGER \(r)_update3 AFTER UPDATE ON \(t) WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
        BEGIN DELETE FROM \(r) WHERE id = OLD.\(i); INSERT OR REPLACE INTO \(r) VALUES \(values); END;
        CREATE TRIGGER \(r)_update4 AFTER UPDATE ON \(t) WHEN OLD.\(i) != NEW.\(i) AND (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
        BEGIN DELETE FROM \(r) WHERE id IN (OLD.\(i), NEW.\(i)); END;
        CREATE TRIGGER \(r)_delete AFTER DELETE ON \(t) WHEN old.\(c) NOT NULL
        BEGIN DELETE FROM \(r) WHERE id = OLD.\(i); END;
        INSERT INTO gpkg_extensions VALUES ('\(t)', '\(c)', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
        """
    }

    /// A bounding box: min x, max x, min y, max y (the order of GeoPackage envelopes and R*Trees).
    struct Envelope: Sendable {
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity

        init(_ positions: [Position]) {
            for p in positions {
                minX = min(minX, p.x); maxX = max(maxX, p.x)
                minY = min(minY, p.y); maxY = max(maxY, p.y)
            }
        }

        var isEmpty: Bool { minX > maxX }
    }

    /// GeoPackage binary geometry: "GP", version 0, flags (little-endian, envelope [minx, maxx,
    /// miny, maxy] or none when empty), the SRS id, the envelope, then ISO WKB from GEOS.
    static func blob(_ shape: Shape, context: GEOSContext) throws -> (Data, Envelope) {
        let envelope = Envelope(shape.positions)
        let wkb = try Geometry(shape, context: context).wkb()
        var data = Data([0x47, 0x50, 0x00])
        // flags: bit 0 little-endian; bits 1-3 envelope kind (1: xy); bit 4 empty.
        data.append(envelope.isEmpty ? 0b0001_0001 : 0b0000_0011)
        append(Int32(wgs84), to: &data)
        if !envelope.isEmpty {
            for v in [envelope.minX, envelope.maxX, envelope.minY, envelope.maxY] { append(v.bitPattern, to: &data) }
        }
        data.append(contentsOf: wkb)
        return (data, envelope)
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    /// Why a GeoPackage geometry could not be read.
    struct BlobError: Error, CustomStringConvertible {
        let message: String
        var description: String { "GeoPackage geometry: \(message)" }
    }

    /// The geometry of a GeoPackage binary blob.
    static func geometry(_ blob: Data, context: GEOSContext) throws -> Geometry {
        let bytes = [UInt8](blob)
        guard bytes.count >= 8, bytes[0] == 0x47, bytes[1] == 0x50 else { throw BlobError(message: "no 'GP' magic") }
        let flags = bytes[3]
        let envelopeSizes = [0, 32, 48, 48, 64]
        let kind = Int((flags >> 1) & 0x07)
        guard kind < envelopeSizes.count else { throw BlobError(message: "bad envelope kind \(kind)") }
        let start = 8 + envelopeSizes[kind]
        guard bytes.count > start else { throw BlobError(message: "truncated") }
        return try Geometry(wkb: Array(bytes[start...]), context: context)
    }
}

/// Reads the features of a GeoPackage's feature table, for importing boundaries.
public enum GeoPackageReader {
    /// The features of `layer` (else the only feature table) of the GeoPackage at `path`, with
    /// every non-geometry column as a property. Refuses tables that are not WGS 84 longitude/latitude.
    public static func features(path: URL, layer: String?) throws -> [Feature] {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try GRDB.DatabaseQueue(path: path.path, configuration: configuration)
        return try queue.read { db in
            let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id")
            guard applicationID == GeoPackage.applicationID || applicationID == 0x4750_3130 else {
                throw TerritoryError.badData("\(path.path): not a GeoPackage")
            }
            let tables = try GRDB.Row.fetchAll(db, sql: "SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g JOIN gpkg_contents c USING (table_name) WHERE c.data_type = 'features' ORDER BY g.table_name")
            let chosen: GRDB.Row
            if let layer {
                guard let row = tables.first(where: { ($0["table_name"] as String?) == layer }) else {
                    throw TerritoryError.badData("\(path.path): no feature table '\(layer)' (it has: \(tables.map { $0["table_name"] as String? ?? "?" }.joined(separator: ", ")))")
                }
                chosen = row
            } else {
                guard tables.count == 1, let only = tables.first else {
                    throw TerritoryError.badData("\(path.path): \(tables.count) feature tables (\(tables.map { $0["table_name"] as String? ?? "?" }.joined(separator: ", "))): choose one with --layer")
                }
                chosen = only
            }
            let table: String = chosen["table_name"], column: String = chosen["column_name"], srs: Int = chosen["srs_id"]
            let organization = try GRDB.Row.fetchOne(db, sql: "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?", arguments: [srs])
            let isWGS84 = srs == 4326 || ((organization?["organization"] as String?)?.uppercased() == "EPSG" && (organization?["organization_coordsys_id"] as Int?) == 4326)
            guard isWGS84 else {
                throw TerritoryError.badData("\(path.path): table '\(table)' is in srs_id \(srs), not WGS 84 longitude/latitude (EPSG:4326): reproject it first, e.g. ogr2ogr -t_srs EPSG:4326")
            }
            let context = GEOSContext()
            let quoted = "\"\(table.replacingOccurrences(of: "\"", with: "\"\""))\""
            return try GRDB.Row.fetchAll(db, sql: "SELECT * FROM \(quoted)").map { row in
                var properties = JSONObject()
                var geometry: Shape?
                for (name, value) in row {
                    if name == column {
                        if let blob = Data.fromDatabaseValue(value) { geometry = try GeoPackage.geometry(blob, context: context).shape }
                        continue
                    }
                    switch value.storage {
                    case .null: properties.members.append((name, .null))
                    case .int64(let v): properties.members.append((name, .number(Double(v))))
                    case .double(let v): properties.members.append((name, .number(v)))
                    case .string(let v): properties.members.append((name, .string(v)))
                    case .blob: continue
                    }
                }
                // The same checks as GeoJSON input: finite longitude and latitude within range.
                if let geometry {
                    for p in geometry.positions where !(p.x.isFinite && p.y.isFinite && (-180...180).contains(p.x) && (-90...90).contains(p.y)) {
                        throw TerritoryError.badData("\(path.path): table '\(table)': position (\(p.x), \(p.y)) is not longitude/latitude within ±180, ±90 (labelled srs_id \(srs), but the coordinates are not WGS 84 degrees)")
                    }
                }
                return Feature(geometry: geometry, properties: properties)
            }
        }
    }
}
