import Foundation
import GRDB

/// One row of `statements`: a statement with its resolved ground (GeoPackage geometry).
struct StatementRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "statements"
    var fid: Int64?
    var geom: Data
    var statementID: String
    var facet: String
    var holder: String
    var holderName: String
    var zone: String
    var validFrom: String
    var validTo: String?
    var announced: String
    var inForce: Bool
    var supersedes: String?
    var sourceDocument: String
    var sourceClause: String
    var sourceQuote: String?
    var sourceVia: String?
    var sourceURL: String?
    var note: String?
    var file: String
    var areaKm2: Double

    enum CodingKeys: String, CodingKey {
        case fid, geom, facet, holder, zone, announced, supersedes, note, file
        case statementID = "statement_id", holderName = "holder_name", validFrom = "valid_from", validTo = "valid_to"
        case inForce = "in_force", sourceDocument = "source_document", sourceClause = "source_clause"
        case sourceQuote = "source_quote", sourceVia = "source_via", sourceURL = "source_url", areaKm2 = "area_km2"
    }

    enum Columns {
        static let fid = Column(CodingKeys.fid)
        static let statementID = Column(CodingKeys.statementID)
        static let validFrom = Column(CodingKeys.validFrom)
        static let validTo = Column(CodingKeys.validTo)
        static let inForce = Column(CodingKeys.inForce)
    }
}

/// One row of `slices`: the ground of one (facet, holder) in one time slice.
struct SliceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "slices"
    var fid: Int64?
    var geom: Data
    var facet: String
    var holder: String
    var holderName: String
    var validFrom: String
    var validTo: String?
    /// JSON arrays of strings.
    var statements: String
    var sources: String
    var zones: String
    var areaKm2: Double

    enum CodingKeys: String, CodingKey {
        case fid, geom, facet, holder, statements, sources, zones
        case holderName = "holder_name", validFrom = "valid_from", validTo = "valid_to", areaKm2 = "area_km2"
    }

    enum Columns {
        static let fid = Column(CodingKeys.fid)
        static let facet = Column(CodingKeys.facet)
        static let validFrom = Column(CodingKeys.validFrom)
    }
}

/// One row of `boundaries`: a shape of the boundary pack.
struct BoundaryRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "boundaries"
    var fid: Int64?
    var geom: Data
    var shapeID: String
    var name: String
    var kind: String
    var note: String?

    enum CodingKeys: String, CodingKey {
        case fid, geom, name, kind, note
        case shapeID = "shape_id"
    }

    enum Columns {
        static let kind = Column(CodingKeys.kind)
    }
}

/// The one row of `covered_area`.
struct CoveredRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "covered_area"
    var fid: Int64?
    var geom: Data
    var title: String
    var areaKm2: Double

    enum CodingKeys: String, CodingKey {
        case fid, geom, title
        case areaKm2 = "area_km2"
    }
}

/// One row of `actors`: an actor or an access state.
struct ActorRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "actors"
    var fid: Int64?
    var code: String
    var name: String
    var note: String?
    /// `actor` or `access_state`.
    var kind: String

    enum Columns {
        static let code = Column(CodingKeys.code)
    }
}

/// One row of `store_meta`: what the store was built from.
struct MetaRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "store_meta"
    var fid: Int64?
    var key: String
    var value: String

    enum Columns {
        static let key = Column(CodingKeys.key)
    }
}

/// The store's schema, as migrations written in SQL: they never change once shipped and never
/// refer to application types.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1 GeoPackage and territory tables") { db in
            try db.execute(sql: GeoPackage.coreSchema)
            try db.execute(sql: """
            CREATE TABLE statements (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              geom MULTIPOLYGON,
              statement_id TEXT NOT NULL UNIQUE,
              facet TEXT NOT NULL,
              holder TEXT NOT NULL,
              holder_name TEXT NOT NULL,
              zone TEXT NOT NULL,
              valid_from DATE NOT NULL,
              valid_to DATE,
              announced DATE NOT NULL,
              in_force BOOLEAN NOT NULL,
              supersedes TEXT,
              source_document TEXT NOT NULL,
              source_clause TEXT NOT NULL,
              source_quote TEXT,
              source_via TEXT,
              source_url TEXT,
              note TEXT,
              file TEXT NOT NULL,
              area_km2 REAL NOT NULL
            );
            CREATE TABLE slices (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              geom MULTIPOLYGON,
              facet TEXT NOT NULL,
              holder TEXT NOT NULL,
              holder_name TEXT NOT NULL,
              valid_from DATE NOT NULL,
              valid_to DATE,
              statements TEXT NOT NULL,
              sources TEXT NOT NULL,
              zones TEXT NOT NULL,
              area_km2 REAL NOT NULL
            );
            CREATE INDEX slices_valid_from ON slices (valid_from);
            CREATE TABLE boundaries (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              geom GEOMETRY,
              shape_id TEXT NOT NULL UNIQUE,
              name TEXT NOT NULL,
              kind TEXT NOT NULL,
              note TEXT
            );
            CREATE TABLE covered_area (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              geom MULTIPOLYGON,
              title TEXT NOT NULL,
              area_km2 REAL NOT NULL
            );
            CREATE TABLE actors (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              code TEXT NOT NULL UNIQUE,
              name TEXT NOT NULL,
              note TEXT,
              kind TEXT NOT NULL
            );
            CREATE TABLE store_meta (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              key TEXT NOT NULL UNIQUE,
              value TEXT NOT NULL
            );
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
              ('statements', 'features', 'statements', 'Every territorial statement with its resolved ground, dates and source', 4326),
              ('slices', 'features', 'slices', 'The ground of each (facet, holder) in every time slice, valid_from to valid_to (half-open)', 4326),
              ('boundaries', 'features', 'boundaries', 'The boundary pack: named shapes the statements refer to', 4326),
              ('covered_area', 'features', 'covered_area', 'The ground the statements speak of', 4326),
              ('actors', 'attributes', 'actors', 'Actors and access states, by code', NULL),
              ('store_meta', 'attributes', 'store_meta', 'What this store was built from', NULL);
            INSERT INTO gpkg_geometry_columns VALUES
              ('statements', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
              ('slices', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
              ('boundaries', 'geom', 'GEOMETRY', 4326, 0, 0),
              ('covered_area', 'geom', 'MULTIPOLYGON', 4326, 0, 0);
            """)
            for table in ["statements", "slices", "boundaries", "covered_area"] {
                try db.execute(sql: GeoPackage.rtreeTable(table, "geom"))
            }
        }
        return migrator
    }

    /// Tables with a geometry column, each with an R*Tree.
    static let featureTables = ["statements", "slices", "boundaries", "covered_area"]
}
