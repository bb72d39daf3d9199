import Foundation
import GRDB
import Geometry
import JSONText
import Territory

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
    var recordedFrom: String
    var recordedTo: String?
    var supersedes: String?
    var sourceDocument: String
    var sourceClause: String
    var sourceQuote: String?
    var sourceVia: String?
    var sourceURL: String?
    var note: String?
    var file: String
    var areaKm2: Double
    var toAnnounced: String?
    var fromLatest: String?
    var toLatest: String?
    var claimedBy: String?
    var qualifiers: String?

    enum CodingKeys: String, CodingKey {
        case fid, geom, facet, holder, zone, announced, supersedes, note, file, qualifiers
        case toAnnounced = "to_announced", fromLatest = "from_latest", toLatest = "to_latest", claimedBy = "claimed_by"
        case statementID = "statement_id", holderName = "holder_name", validFrom = "valid_from", validTo = "valid_to"
        case recordedFrom = "recorded_from", recordedTo = "recorded_to", sourceDocument = "source_document", sourceClause = "source_clause"
        case sourceQuote = "source_quote", sourceVia = "source_via", sourceURL = "source_url", areaKm2 = "area_km2"
    }

    enum Columns {
        static let fid = Column(CodingKeys.fid)
        static let statementID = Column(CodingKeys.statementID)
        static let validFrom = Column(CodingKeys.validFrom)
        static let validTo = Column(CodingKeys.validTo)
    }
}

extension StatementRecord {
    init(_ info: StatementInfo, geom: Data) {
        self.init(fid: nil, geom: geom, statementID: info.id, facet: info.facet.rawValue, holder: info.holder,
                  holderName: info.holderName, zone: info.zone, validFrom: info.valid.from.description,
                  validTo: info.valid.to?.description, announced: info.announced.description,
                  recordedFrom: info.recorded.from.description, recordedTo: info.recorded.to?.description,
                  supersedes: info.supersedes, sourceDocument: info.source.document, sourceClause: info.source.clause,
                  sourceQuote: info.source.quote, sourceVia: info.source.via, sourceURL: info.source.url, note: info.note,
                  file: info.file, areaKm2: info.areaKm2, toAnnounced: info.qualifiers.toAnnounced?.description,
                  fromLatest: info.qualifiers.fromLatest?.description, toLatest: info.qualifiers.toLatest?.description,
                  claimedBy: info.qualifiers.isClaim ? info.qualifiers.claimedBy.joined(separator: ";") : nil,
                  qualifiers: info.qualifiers.isEmpty ? nil : JSONWriter.string(info.qualifiers.json, sortedKeys: false))
    }

    /// The typed statement this row holds.
    func info() throws(TerritoryError) -> StatementInfo {
        func day(_ text: String, _ column: String) throws(TerritoryError) -> Day {
            do { return try Day(parsing: text) } catch { throw .internalFailure("statement \(statementID): \(column): \(error.message)") }
        }
        func interval(_ from: Day, _ to: Day?, _ column: String) throws(TerritoryError) -> DayInterval {
            do { return try DayInterval(from: from, to: to) } catch { throw .internalFailure("statement \(statementID): \(column): \(error.message)") }
        }
        guard let facet = Facet(rawValue: facet) else { throw .internalFailure("statement \(statementID): unknown facet '\(self.facet)'") }
        let from = try day(validFrom, "valid_from"), to = try validTo.map { text throws(TerritoryError) in try day(text, "valid_to") }
        let recordedFrom = try day(self.recordedFrom, "recorded_from"), recordedTo = try self.recordedTo.map { text throws(TerritoryError) in try day(text, "recorded_to") }
        return StatementInfo(
            id: statementID, facet: facet, holder: holder, holderName: holderName, zone: zone,
            valid: try interval(from, to, "valid_to"), announced: try day(announced, "announced"),
            recorded: try interval(recordedFrom, recordedTo, "recorded_to"),
            source: Source(document: sourceDocument, clause: sourceClause, quote: sourceQuote, via: sourceVia, url: sourceURL),
            note: note, supersedes: supersedes, file: file, areaKm2: areaKm2, qualifiers: try readQualifiers())
    }

    private func readQualifiers() throws(TerritoryError) -> Qualifiers {
        guard let qualifiers else { return Qualifiers() }
        guard let json = try? JSONReader.parse(qualifiers), let q = Qualifiers(json: json) else {
            throw .internalFailure("statement \(statementID): qualifiers: not the JSON the store writes")
        }
        return q
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
    var areaKm2: Double

    enum CodingKeys: String, CodingKey {
        case fid, geom, facet, holder
        case holderName = "holder_name", validFrom = "valid_from", validTo = "valid_to", areaKm2 = "area_km2"
    }

    enum Columns {
        static let fid = Column(CodingKeys.fid)
        static let facet = Column(CodingKeys.facet)
        static let validFrom = Column(CodingKeys.validFrom)
    }

    /// The typed slice feature, with the statements behind it (from `slice_statements`).
    func feature(members: [StatementInfo], boundaries: String?, context: GEOSContext, store: URL) throws(TerritoryError) -> SliceFeature {
        do {
            guard let facet = Facet(rawValue: facet) else { throw TerritoryError.internalFailure("unknown facet '\(self.facet)'") }
            let interval = try DayInterval(from: Day(parsing: validFrom), to: validTo.map { try Day(parsing: $0) })
            return SliceFeature(facet: facet, holder: holder, holderName: holderName, valid: interval, members: members,
                                areaKm2: areaKm2, boundaries: boundaries, polygons: try GeoPackage.geometry(geom, context: context).shape.polygons)
        } catch {
            throw .internalFailure("\(store.path): slice \(fid ?? -1): \(error)")
        }
    }
}

/// One row of `slice_statements`: a statement behind a slice feature, in catalog order.
struct SliceStatementRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "slice_statements"
    var fid: Int64?
    var sliceFID: Int64
    var position: Int
    var statementID: String

    enum CodingKeys: String, CodingKey {
        case fid, position
        case sliceFID = "slice_fid", statementID = "statement_id"
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
        static let name = Column(CodingKeys.name)
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
    /// `#RRGGBB`, as catalog.json declares it (format 3 on).
    var colour: String?

    enum Columns {
        static let code = Column(CodingKeys.code)
    }
}

/// One row of `towns`: a town drawn on maps, with the source of its coordinates.
struct TownRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "towns"
    var fid: Int64?
    var geom: Data
    var townID: String
    var name: String
    var kind: String
    var shapeID: String?
    var source: String
    /// Other names, separated by ';'.
    var names: String?

    enum CodingKeys: String, CodingKey {
        case fid, geom, name, kind, source, names
        case townID = "town_id", shapeID = "shape_id"
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
        migrator.registerMigration("v2 two time axes, typed slices") { db in
            try db.execute(sql: """
            ALTER TABLE statements ADD COLUMN recorded_from DATE NOT NULL DEFAULT '0001-01-01';
            ALTER TABLE statements ADD COLUMN recorded_to DATE;
            UPDATE statements SET recorded_from = announced;
            ALTER TABLE statements DROP COLUMN in_force;
            ALTER TABLE slices DROP COLUMN statements;
            ALTER TABLE slices DROP COLUMN sources;
            ALTER TABLE slices DROP COLUMN zones;
            CREATE TABLE slice_statements (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              slice_fid INTEGER NOT NULL REFERENCES slices (fid),
              position INTEGER NOT NULL,
              statement_id TEXT NOT NULL REFERENCES statements (statement_id),
              UNIQUE (slice_fid, position)
            );
            CREATE INDEX slice_statements_statement ON slice_statements (statement_id);
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
              ('slice_statements', 'attributes', 'slice_statements', 'The statements behind each slice feature, in catalog order', NULL);
            UPDATE gpkg_contents SET description = 'Every territorial statement with its resolved ground, valid_from to valid_to and recorded_from to recorded_to (half-open), and its source' WHERE table_name = 'statements';
            """)
        }
        migrator.registerMigration("v3 colours and towns for maps") { db in
            try db.execute(sql: """
            ALTER TABLE actors ADD COLUMN colour TEXT;
            CREATE TABLE towns (
              fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
              geom POINT,
              town_id TEXT NOT NULL UNIQUE,
              name TEXT NOT NULL,
              kind TEXT NOT NULL,
              shape_id TEXT,
              source TEXT NOT NULL
            );
            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
              ('towns', 'features', 'towns', 'Towns drawn on maps, each with the source of its coordinates', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('towns', 'geom', 'POINT', 4326, 0, 0);
            """)
            try db.execute(sql: GeoPackage.rtreeTable("towns", "geom"))
        }
        migrator.registerMigration("v4 as of, uncertain days, claims") { db in
            try db.execute(sql: """
            ALTER TABLE statements ADD COLUMN to_announced DATE;
            ALTER TABLE statements ADD COLUMN from_latest DATE;
            ALTER TABLE statements ADD COLUMN to_latest DATE;
            ALTER TABLE statements ADD COLUMN claimed_by TEXT;
            ALTER TABLE statements ADD COLUMN qualifiers TEXT;
            """)
        }
        migrator.registerMigration("v5 place names") { db in
            try db.execute(sql: "ALTER TABLE towns ADD COLUMN names TEXT")
        }
        return migrator
    }

    /// Tables with a geometry column, each with an R*Tree.
    static let featureTables = ["statements", "slices", "boundaries", "covered_area", "towns"]
}
