import Foundation
import Geometry
import JSONText
import Territory

/// The store as a SQL script for PostgreSQL with PostGIS: the actors, the statements with their
/// sources and both time axes as `daterange`s (half-open `[)`, as ours; an open end unbounded),
/// the slices of every facet, the places and the covered area, each `geometry(MultiPolygon, 4326)`
/// with GiST indexes, and two SQL functions that answer as `territory status` does:
/// `SCHEMA.status(lon, lat, day)` (one row, every facet) and `SCHEMA.classify(points regclass)`
/// (a user's table of dated points — columns id, lon, lat, day — in one join).
///
/// The script runs in one transaction that drops and re-creates the schema, so loading it again
/// over an existing schema replaces it whole or, when anything fails, not at all.
public enum PostGISExport {
    /// A schema name the script may use: a plain lowercase SQL identifier (letters, digits, `_`,
    /// not starting with a digit, at most 63 bytes). Anything else is refused rather than quoted
    /// away, so that nothing a user types reaches the SQL.
    public static func checkSchema(_ name: String) throws(TerritoryError) -> String {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63,
              bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }),
              !(bytes[0] >= 0x30 && bytes[0] <= 0x39)
        else {
            throw .badInput("--schema: '\(name.prefix(80))' is not a schema name (lowercase letters, digits and '_', not starting with a digit, at most 63 characters)")
        }
        guard !reserved.contains(name), !name.hasPrefix("pg_") else { throw .badInput("--schema: '\(name)' is a reserved word or a system schema; choose another") }
        return name
    }

    static let reserved: Set<String> = ["public", "pg_catalog", "information_schema", "pg_toast", "topology", "tiger", "tiger_data", "extensions",
                                        "lateral", "fetch", "current_user", "current_role", "current_time", "current_timestamp", "current_catalog", "session_user",
                                        "localtime", "localtimestamp", "join", "left", "right", "inner", "outer", "full", "cross", "natural", "is", "isnull", "notnull",
                                        "like", "ilike", "similar", "between", "overlaps", "verbose", "freeze", "binary", "authorization", "concurrently", "tablesample",
                                        "initially", "deferrable", "placing", "variadic", "returning", "select", "table", "user", "order", "group", "from", "where", "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate", "column", "constraint", "create", "current_date", "default", "desc", "distinct", "do", "else", "end", "except", "false", "for", "foreign", "grant", "having", "in", "into", "leading", "limit", "not", "null", "offset", "on", "only", "or", "primary", "references", "returning", "some", "symmetric", "then", "to", "trailing", "true", "union", "unique", "using", "when", "window", "with"]

    /// Writes the script for `store` into `out`, in schema `schema` (checked with `checkSchema`).
    public static func write(_ store: Store, schema name: String, to out: AtomicFile) throws(TerritoryError) {
        let schema = "\"\(try checkSchema(name))\""
        let engine = store.engine
        let context = GEOSContext()
        func wkb(_ shape: Shape) throws(TerritoryError) -> String {
            do {
                let bytes = try Geometry(.multiPolygon(shape.polygons), context: context).wkb()
                var hex = ""
                hex.reserveCapacity(bytes.count * 2)
                for b in bytes {
                    hex.append(hexDigits[Int(b >> 4)])
                    hex.append(hexDigits[Int(b & 0x0F)])
                }
                return "ST_GeomFromWKB(decode('\(hex)', 'hex'), 4326)"
            } catch {
                throw .internalFailure("\(store.path.path): a geometry cannot be written as WKB: \(error)")
            }
        }
        try out.write("""
        -- territory: the statements and time slices of "\(comment(store.title))" for PostgreSQL + PostGIS.
        -- Made by `territory export --postgis` from the store \(comment(store.path.lastPathComponent)) (data hash \(comment(store.meta["data_hash"] ?? "unknown"))).
        -- Load it with: psql -f FILE (one transaction: the schema is replaced whole, or not at all).
        \\set ON_ERROR_STOP on
        SET client_min_messages = warning;
        -- Every literal below is standard: a backslash in the data is a backslash.
        SET standard_conforming_strings = on;
        BEGIN;
        CREATE EXTENSION IF NOT EXISTS postgis;
        -- PostGIS's types and functions, wherever it is installed, for the rest of the load.
        DO $gis$
        BEGIN
          PERFORM set_config('search_path', (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis')
                             || ', ' || current_setting('search_path'), true);
        END
        $gis$;
        -- Only a schema this export made is replaced: anything else of that name stops the load.
        DO $guard$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = \(literal(name)))
             AND coalesce(obj_description((SELECT oid FROM pg_namespace WHERE nspname = \(literal(name))), 'pg_namespace'), '') NOT LIKE 'territory:%' THEN
            RAISE EXCEPTION 'schema % exists and was not made by territory export --postgis: not replacing it (choose another --schema)', \(literal(name));
          END IF;
        END
        $guard$;
        DROP SCHEMA IF EXISTS \(schema) CASCADE;
        CREATE SCHEMA \(schema);

        COMMENT ON SCHEMA \(schema) IS \(literal("territory: who held, administered or had sovereignty over which ground, from when, on what authority (\(store.title))"));

        CREATE TABLE \(schema).actors (
          code text PRIMARY KEY,
          name text NOT NULL,
          note text,
          kind text NOT NULL CHECK (kind IN ('actor', 'access_state'))
        );
        CREATE TABLE \(schema).statements (
          ord integer PRIMARY KEY,
          id text NOT NULL UNIQUE,
          facet text NOT NULL,
          holder text NOT NULL,
          holder_name text NOT NULL,
          zone text NOT NULL,
          valid daterange NOT NULL,
          recorded daterange NOT NULL,
          announced date NOT NULL,
          supersedes text,
          source_document text NOT NULL,
          source_clause text NOT NULL,
          source_quote text,
          source_via text,
          source_url text,
          note text,
          file text NOT NULL,
          area_km2 double precision NOT NULL,
          geom geometry(MultiPolygon, 4326) NOT NULL,
          claimed_by text[] NOT NULL,
          qualifiers jsonb
        );
        COMMENT ON COLUMN \(schema).statements.claimed_by IS 'the actors asserting it: a claim, left out of status() and classify() (the default view)';
        COMMENT ON COLUMN \(schema).statements.qualifiers IS 'to_announced, from_latest/to_latest (uncertain days), claimed_by, accepted_by, disputed_by, strength, mandate';
        COMMENT ON COLUMN \(schema).statements.valid IS 'when what it says holds: [from, to), an open end unbounded';
        COMMENT ON COLUMN \(schema).statements.recorded IS 'when it stood on the record: [announced, the announcement of its successor)';
        CREATE TABLE \(schema).slices (
          fid integer PRIMARY KEY,
          id text NOT NULL UNIQUE,
          facet text NOT NULL,
          holder text NOT NULL,
          holder_name text NOT NULL,
          valid daterange NOT NULL,
          statements text[] NOT NULL,
          sources text[] NOT NULL,
          zones text[] NOT NULL,
          area_km2 double precision NOT NULL,
          geom geometry(MultiPolygon, 4326) NOT NULL
        );
        CREATE TABLE \(schema).places (
          name text NOT NULL,
          geom geometry(MultiPolygon, 4326) NOT NULL
        );
        CREATE TABLE \(schema).covered (
          title text NOT NULL,
          geom geometry(MultiPolygon, 4326) NOT NULL
        );

        """)
        let actors = try store.actors()
        for actor in actors {
            try out.write("INSERT INTO \(schema).actors VALUES (\(literal(actor.code)), \(literal(actor.name)), \(literal(actor.note)), \(literal(actor.kind)));\n")
        }
        for (i, s) in engine.statements.enumerated() {
            try out.write("INSERT INTO \(schema).statements VALUES (\(i + 1), \(literal(s.id)), \(literal(s.facet.rawValue)), \(literal(s.holder)), \(literal(s.holderName)), \(literal(s.zone)), \(range(s.valid)), \(range(s.recorded)), \(literal(s.announced.description)), \(literal(s.supersedes)), \(literal(s.source.document)), \(literal(s.source.clause)), \(literal(s.source.quote)), \(literal(s.source.via)), \(literal(s.source.url)), \(literal(s.note)), \(literal(s.file)), \(s.areaKm2), \(try wkb(engine.ground(of: i))), \(array(s.qualifiers.claimedBy)), \(s.qualifiers.isEmpty ? "NULL" : literal(JSONWriter.string(s.qualifiers.json, sortedKeys: false)) + "::jsonb"));\n")
        }
        for (i, f) in try store.layers(on: nil).enumerated() {
            try out.write("INSERT INTO \(schema).slices VALUES (\(i + 1), \(literal(f.id)), \(literal(f.facet.rawValue)), \(literal(f.holder)), \(literal(f.holderName)), \(range(f.valid)), \(array(f.statements)), \(array(f.sources)), \(array(f.zones)), \(f.areaKm2), \(try wkb(.multiPolygon(f.polygons))));\n")
        }
        for place in engine.places {
            try out.write("INSERT INTO \(schema).places VALUES (\(literal(place.name)), \(try wkb(place.shape)));\n")
        }
        try out.write("INSERT INTO \(schema).covered VALUES (\(literal(store.title)), \(try wkb(engine.coveredArea)));\n\n")
        try out.write(functions(schema))
        try out.write("COMMIT;\n")
    }

    /// The indexes and the two functions, in `schema` (already quoted).
    static func functions(_ s: String) -> String {
        """
        -- Point tests run on pieces of at most 128 vertices (ST_Subdivide), found by their GiST
        -- index: a whole district-sized polygon per test would be thousands of times slower.
        CREATE TABLE \(s).statement_parts AS SELECT ord, ST_Subdivide(geom, 128) AS geom FROM \(s).statements;
        CREATE TABLE \(s).place_parts AS SELECT name, ST_Subdivide(geom, 128) AS geom FROM \(s).places;
        CREATE TABLE \(s).covered_parts AS SELECT ST_Subdivide(geom, 128) AS geom FROM \(s).covered;
        CREATE INDEX ON \(s).statement_parts USING gist (geom);
        CREATE INDEX ON \(s).place_parts USING gist (geom);
        CREATE INDEX ON \(s).covered_parts USING gist (geom);
        CREATE INDEX ON \(s).statements USING gist (geom);
        CREATE INDEX ON \(s).statements USING gist (valid);
        CREATE INDEX ON \(s).slices USING gist (geom);
        CREATE INDEX ON \(s).slices USING gist (valid);
        CREATE INDEX ON \(s).places USING gist (geom);
        ANALYZE \(s).statements; ANALYZE \(s).slices; ANALYZE \(s).places; ANALYZE \(s).covered;
        ANALYZE \(s).statement_parts; ANALYZE \(s).place_parts; ANALYZE \(s).covered_parts;

        -- The one status rule, as `territory status` has it: the statements on today's record in
        -- force on the day whose ground covers the point (edges count as inside); for control,
        -- sovereignty, administration and access the first in catalog order, for presence every
        -- holder sorted; zones: the districts and cities holding the point, then the statements'
        -- zones, sorted, each once; nothing but the places outside the covered area.
        CREATE FUNCTION \(s).status(lon double precision, lat double precision, day date)
        RETURNS TABLE (covered boolean, control text, sovereignty text, administration text, presence text[],
                       access text, zones text[], statements text[])
        LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $f$
          WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(lon, lat), 4326) AS g),
          inside AS (SELECT EXISTS (SELECT 1 FROM \(s).covered_parts c, pt WHERE ST_Covers(c.geom, pt.g)) AS yes),
          hits AS (
            SELECT st.ord, st.id, st.facet, st.holder, st.zone
            FROM \(s).statements st, inside
            WHERE inside.yes AND upper_inf(st.recorded) AND cardinality(st.claimed_by) = 0 AND st.valid @> day
              AND EXISTS (SELECT 1 FROM \(s).statement_parts sp, pt WHERE sp.ord = st.ord AND ST_Covers(sp.geom, pt.g))),
          here AS (SELECT DISTINCT p.name FROM \(s).place_parts p, pt WHERE ST_Covers(p.geom, pt.g))
          SELECT inside.yes,
            (SELECT holder FROM hits WHERE facet = 'control' ORDER BY ord LIMIT 1),
            (SELECT holder FROM hits WHERE facet = 'sovereignty' ORDER BY ord LIMIT 1),
            (SELECT holder FROM hits WHERE facet = 'administration' ORDER BY ord LIMIT 1),
            ARRAY(SELECT DISTINCT holder COLLATE "C" FROM hits WHERE facet = 'presence' ORDER BY 1),
            (SELECT holder FROM hits WHERE facet = 'access' ORDER BY ord LIMIT 1),
            ARRAY(SELECT name COLLATE "C" FROM here ORDER BY 1)
              || ARRAY(SELECT DISTINCT zone COLLATE "C" FROM hits WHERE zone NOT IN (SELECT name FROM here) ORDER BY 1),
            ARRAY(SELECT id FROM hits ORDER BY ord)
          FROM inside
        $f$;
        COMMENT ON FUNCTION \(s).status(double precision, double precision, date) IS 'The status of a place on a day, as territory status answers it';

        -- A table of dated points (columns id, lon, lat, day) classified in one join, in the
        -- table's physical order of rows (scanned from its start: no synchronised scans), the
        -- same rows as `territory status --csv`; a row with no lon, lat or day answers NULL.
        CREATE FUNCTION \(s).classify(points regclass)
        RETURNS TABLE (id text, covered boolean, control text, sovereignty text, administration text, presence text[],
                       access text, zones text[], statements text[])
        LANGUAGE plpgsql STABLE SET synchronize_seqscans = off AS $f$
        BEGIN
          RETURN QUERY EXECUTE format($q$
            WITH pts AS (
              SELECT row_number() OVER () AS k, p.id::text AS id, p.day::date AS day,
                     ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS g
              FROM %s p),
            inside AS (
              SELECT pts.k, CASE WHEN pts.g IS NULL OR pts.day IS NULL THEN NULL
                                 ELSE EXISTS (SELECT 1 FROM \(s).covered_parts c WHERE ST_Covers(c.geom, pts.g)) END AS yes FROM pts),
            hits AS (
              SELECT DISTINCT pts.k, st.ord, st.id AS sid, st.facet, st.holder, st.zone
              FROM pts JOIN inside USING (k)
              JOIN \(s).statement_parts sp ON inside.yes AND ST_Covers(sp.geom, pts.g)
              JOIN \(s).statements st ON st.ord = sp.ord AND upper_inf(st.recorded) AND cardinality(st.claimed_by) = 0 AND st.valid @> pts.day),
            here AS (
              SELECT k, array_agg(name ORDER BY name) AS names
              FROM (SELECT DISTINCT pts.k, pl.name COLLATE "C" AS name FROM pts JOIN \(s).place_parts pl ON ST_Covers(pl.geom, pts.g)) d
              GROUP BY k),
            agg AS (
              SELECT k,
                (array_agg(holder ORDER BY ord) FILTER (WHERE facet = 'control'))[1] AS control,
                (array_agg(holder ORDER BY ord) FILTER (WHERE facet = 'sovereignty'))[1] AS sovereignty,
                (array_agg(holder ORDER BY ord) FILTER (WHERE facet = 'administration'))[1] AS administration,
                array_agg(DISTINCT holder COLLATE "C" ORDER BY holder COLLATE "C") FILTER (WHERE facet = 'presence') AS presence,
                (array_agg(holder ORDER BY ord) FILTER (WHERE facet = 'access'))[1] AS access,
                array_agg(DISTINCT zone COLLATE "C" ORDER BY zone COLLATE "C") AS zs,
                array_agg(sid ORDER BY ord) AS ids
              FROM hits GROUP BY k)
            SELECT pts.id, inside.yes, agg.control, agg.sovereignty, agg.administration,
                   coalesce(agg.presence, '{}'), agg.access,
                   coalesce(here.names, '{}') || coalesce(ARRAY(SELECT z FROM unnest(agg.zs) z
                       WHERE z <> ALL (coalesce(here.names, '{}')) ORDER BY z COLLATE "C"), '{}'),
                   coalesce(agg.ids, '{}')
            FROM pts JOIN inside USING (k) LEFT JOIN agg USING (k) LEFT JOIN here USING (k)
            ORDER BY pts.k
          $q$, points);
        END
        $f$;
        COMMENT ON FUNCTION \(s).classify(regclass) IS 'Dated points (id, lon, lat, day) classified as territory status --csv does';

        -- Both functions find PostGIS where it is installed, whatever the caller's search_path.
        DO $path$
        DECLARE
          gis text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis');
        BEGIN
          EXECUTE format('ALTER FUNCTION %s.status(double precision, double precision, date) SET search_path = %s, pg_catalog', \(literal(s)), gis);
          EXECUTE format('ALTER FUNCTION %s.classify(regclass) SET search_path = %s, pg_catalog', \(literal(s)), gis);
        END
        $path$;

        """
    }

    private static let hexDigits = Array("0123456789abcdef")

    /// Text safe inside a `--` comment: every control character (a line end among them, which
    /// would end the comment and let the rest reach psql) becomes a space.
    static func comment(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0 }))
    }

    /// A SQL string literal (standard-conforming: a quote doubled), or NULL.
    static func literal(_ text: String?) -> String {
        guard let text else { return "NULL" }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A `daterange` literal, half-open; an open end unbounded.
    static func range(_ interval: DayInterval) -> String {
        "daterange('\(interval.from)', \(interval.to.map { "'\($0)'" } ?? "NULL"), '[)')"
    }

    /// A `text[]` literal.
    static func array(_ items: [String]) -> String {
        "ARRAY[" + items.map { literal($0) }.joined(separator: ", ") + "]::text[]"
    }
}
