import ArgumentParser
import Foundation
import Geometry
import Territory
import TerritoryStore

/// `territory validate`: checks data/ and prints every problem.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "validate",
        abstract: "Check every file of data/ and print every problem (file, statement, shape, arc, what, where); exit 65 if any.",
        discussion: """
        Checks catalog.json, the boundary drawing (unknown nodes and arcs, rings that do not \
        close, a border between districts drawn on one side only), every statement file (JSON \
        syntax, dates that are real calendar days, 'to' after 'from', unknown shape ids and \
        actors, duplicate ids, supersessions), names.csv, invalid or self-intersecting shapes \
        (GEOS's judgement, with the place), grounds empty within the covered area, and on every \
        time slice that control and sovereignty neither overlap nor leave gaps inside the covered \
        area beyond the catalog's tolerance.
        """
    )

    @OptionGroup var data: DataOptions

    func run() throws {
        try reporting("validate") {
            let set = try data.dataSet()
            let atlas = try set.atlas(warn: { printError("territory: \($0)") })
            let c = atlas.catalog
            let first = atlas.slices.first.map(\.interval.from.description) ?? "-"
            try writeOutput("\(set.folder.path): \(c.statements.count) statements, \(c.shapes.count) shapes, \(c.actors.count) actors, \(atlas.slices.count) time slices from \(first); covered area \(String(format: "%.1f", Atlas.areaKm2(atlas.covered))) km²; no problems\n", to: nil)
        }
    }
}
