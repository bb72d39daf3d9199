import ArgumentParser
import Foundation
import Territory
import TerritoryStore

/// `territory export`: the statements and slices where users' data already is.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "export",
        abstract: "Export the statements and time slices as a SQL script for PostgreSQL with PostGIS.",
        discussion: """
        --postgis writes a script that psql loads in one transaction: it replaces the schema \
        (default territory) whole, or leaves it as it was when anything fails. The schema holds \
        actors, statements (with their sources, valid and recorded as daterange, half-open [) as \
        in territory, an open end unbounded), slices (every facet's time slices), places and \
        covered, each geometry(MultiPolygon, 4326) with GiST indexes, and two functions:

          SCHEMA.status(lon, lat, day)   one row, every facet, as territory status answers
          SCHEMA.classify(points)        a table of dated points (columns id, lon, lat, day)
                                         classified in one join, as territory status --csv

        The schema name is a plain lowercase SQL identifier; anything else is refused.

        EXAMPLES
          territory export --postgis --out territory.sql
          psql -d events -f territory.sql
          psql -d events -c "SELECT * FROM territory.status(46.5469, 39.6408, '2021-06-01')"
          psql -d events -c "SELECT * FROM territory.classify('my_events')"
        """
    )

    @OptionGroup var data: DataOptions

    @Flag(help: "Write a SQL script for PostgreSQL with PostGIS (the one format there is).")
    var postgis = false

    @Option(help: ArgumentHelp("The schema to create (replaced when it exists): lowercase letters, digits and '_'.", valueName: "NAME"))
    var schema: String = "territory"

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        guard postgis else { throw ValidationError("say what to export: --postgis (a SQL script for PostgreSQL with PostGIS)") }
        do { _ = try PostGISExport.checkSchema(schema) } catch { throw ValidationError(error.message) }
    }

    func run() throws {
        try reporting("export") {
            // The output first: an unwritable --out is said before any build.
            let file = try AtomicFile(path: out)
            let store: Store
            do { store = try data.openStore() } catch {
                file.discard()
                throw error
            }
            do {
                try PostGISExport.write(store, schema: schema, to: file)
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
        }
    }
}
