import ArgumentParser
import Territory
import TerritoryStore

/// `territory build`: compiles data/ into the store.
struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "build",
        abstract: "Compile data/ into the store: a SQLite database that is also an OGC GeoPackage 1.3.",
        discussion: """
        The store holds every statement with its resolved ground, its valid interval and the \
        interval it stood on the record (table statements), the ground of each (facet, holder) in \
        every time slice (table slices, with the statements behind each in slice_statements), the \
        boundary pack (boundaries) and the covered area (covered_area), each with an R*Tree spatial \
        index; dates are DATE columns. It opens in QGIS and GDAL as it is. The build is atomic: it \
        writes a temporary file and renames it over the old store, so a failure or a kill leaves \
        the old one as it was. Query commands build the store themselves when it is missing or \
        stale (data/ and the boundary pack hashed with SHA-256).

        EXAMPLES
          territory build --store nk.gpkg && ogrinfo nk.gpkg
        """
    )

    @OptionGroup var data: DataOptions

    func run() throws {
        try reporting("build") {
            let set = try data.dataSet()
            let store = try set.build(warn: { printError("territory: \($0)") })
            try writeOutput("\(store.path.path): built from \(set.folder.path) (\(store.timeline().count) timeline events)\n", to: nil)
        }
    }
}
