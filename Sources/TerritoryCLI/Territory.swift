import ArgumentParser

/// The root command: `territory <subcommand>`.
@main
struct Territory: ParsableCommand {
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
          65  bad data: the input is not valid GeoJSON or not a usable geometry
          66  missing input: a file that does not exist or cannot be read
          70  internal: GEOS or PROJ failed
          74  I/O: the output could not be written (nothing partial is left behind)
        """,
        version: "0.1.0",
        subcommands: [Layers.self, Status.self, Timeline.self, Validate.self, Build.self, Import.self, Buffer.self, Measure.self]
    )
}
