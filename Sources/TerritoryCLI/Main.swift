import ArgumentParser
import Foundation
import Territory

/// The root command: `territory <subcommand>`.
@main
struct TerritoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "territory",
        abstract: "Who held, administered or had sovereignty over which ground, from when, on what authority — as map layers.",
        discussion: """
        Geometry is GeoJSON (RFC 7946): WGS 84 longitude/latitude, segments straight in \
        longitude/latitude. Lengths and areas are geodesic on WGS 84, in km and km².

        Data goes to standard output, messages to standard error; '-' means standard input.

        EXIT STATUS
          0   success
          64  usage: a bad or missing argument
          65  bad data: the input is not valid GeoJSON or not a usable geometry; problems in data/
          66  missing input: a file that does not exist or cannot be read
          70  internal: GEOS, PROJ or SQLite failed
          74  I/O: the output could not be written (nothing partial is left behind)
        """,
        version: "0.2.0",
        subcommands: [Layers.self, Status.self, Timeline.self, Diff.self, Places.self, Validate.self, Build.self, Import.self, Export.self, Serve.self, Render.self, Buffer.self, Measure.self]
    )

    /// Parses and runs, saying every failure in one line on standard error with its exit status.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.map { $0._commandName }
        if let first = arguments.first, !first.hasPrefix("-"), first != "help", !names.contains(first) {
            let near = Suggestion.nearest(first, among: names)
            printError("territory: unknown command '\(first)'\(near.map { " (did you mean '\($0)'?)" } ?? ""); the commands are \(names.joined(separator: ", ")) (see 'territory --help')")
            Foundation.exit(Failure.Kind.usage.rawValue)
        }
        let command = arguments.first.flatMap { names.contains($0) ? $0 : nil }
        do {
            var parsed = try parseAsRoot(arguments)
            try parsed.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            // Help and --version print what they ask for.
            if code == .success { self.exit(withError: error) }
            let message = self.message(for: error)
            printError("territory\(command.map { " " + $0 } ?? ""): \(message) (see 'territory \(command.map { $0 + " " } ?? "")--help')")
            Foundation.exit(code.rawValue)
        }
    }
}

/// The nearest of some names to a mistyped one, for "did you mean ...?".
enum Suggestion {
    /// The name closest to `word` by edit distance (adjacent swaps count one), if close enough.
    static func nearest(_ word: String, among names: [String]) -> String? {
        let scored = names.map { ($0, distance(Array(word.lowercased()), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    /// Optimal string alignment distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int { EditDistance.osa(a, b) }
}
