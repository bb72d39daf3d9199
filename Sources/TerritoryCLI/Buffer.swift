import ArgumentParser
import Geodesy
import Geometry
import JSONText

/// `territory buffer`: corridors exact in metres on the ground.
struct Buffer: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "buffer",
        abstract: "Buffer GeoJSON geometry by a distance exact in metres on the ground.",
        discussion: """
        Reads a GeoJSON geometry, Feature or FeatureCollection of Points, LineStrings and Polygons \
        and writes one buffered Feature per input feature (a FeatureCollection when there are \
        several). Every vertex of the result lies at the requested geodesic distance from the \
        input, within 0.01 %. Properties of each input feature are kept; added are \
        buffer_width_m (full width), buffer_distance_m (each side), buffer_ends and area_km2 \
        (geodesic).

        A corridor is described by its full width: '--width 5km' is 2.5 km on each side, the \
        same as '--distance 2.5km'. Units: m or km.

        EXAMPLES
          territory buffer road.geojson --width 5km > corridor.geojson
          territory buffer --distance 300m --ends flat --out strip.geojson line.geojson
          cat points.geojson | territory buffer - --distance 10km
        """
    )

    @Argument(help: ArgumentHelp("GeoJSON input; '-' or nothing for standard input.", valueName: "FILE|-"))
    var input: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Full width of the buffer (both sides together), e.g. 5km.", valueName: "length"))
    var width: Checked<Length>?

    @Option(parsing: .unconditional, help: ArgumentHelp("Distance on each side, e.g. 2.5km.", valueName: "length"))
    var distance: Checked<Length>?

    @Option(help: ArgumentHelp("Shape at the free ends of lines: round (a half disk) or flat (cut square).", valueName: "round|flat"))
    var ends: MetricBuffer.Ends = .round

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    func validate() throws {
        switch (width, distance) {
        case (nil, nil):
            throw ValidationError("give the buffer size: --width (full width, e.g. 5km) or --distance (each side, e.g. 2.5km)")
        case (.some, .some):
            throw ValidationError("give --width or --distance, not both (--width 5km is --distance 2.5km)")
        default:
            _ = try requestedBuffer()
        }
    }

    /// The buffer asked for by --width or --distance and --ends; a usage error names the option at fault.
    private func requestedBuffer() throws(ValidationError) -> (side: Length, buffer: MetricBuffer) {
        let option = width != nil ? "--width" : "--distance"
        let side = width != nil ? Length(meters: try width!.value("--width").meters / 2) : try distance!.value("--distance")
        do {
            return (side, try MetricBuffer(distance: side.meters, ends: ends))
        } catch {
            throw ValidationError("\(option): \(error)")
        }
    }

    func run() throws {
        try reporting("buffer") {
            let (side, buffer) = try requestedBuffer()  // checked in validate()
            let source = InputSource(input)
            let features = try source.features()
            guard !features.isEmpty else { throw Failure.badData("\(source.name): the FeatureCollection has no features: nothing to buffer") }
            var results: [Feature] = []
            for (i, feature) in features.enumerated() {
                let at = location(i, of: features.count)
                guard let shape = feature.geometry else {
                    throw Failure.badData("\(source.name): \(at)the feature has a null geometry: nothing to buffer")
                }
                if shape.isEmpty { throw Failure.badData("\(source.name): \(at)the geometry is empty: nothing to buffer") }
                if stderrIsTerminal, features.count > 1 {
                    printError("buffering \(i + 1)/\(features.count): \(label(feature, index: i))")
                }
                let result: Shape
                do {
                    result = try buffer.bufferForOutput(shape)
                } catch let error as BufferInputError {
                    throw Failure.badData("\(source.name): \(at)\(error.message)")
                }
                var properties = feature.properties
                let area = GeodesicMeasure.measures(of: result).area
                properties.members.removeAll { ["buffer_width_m", "buffer_distance_m", "buffer_ends", "area_km2"].contains($0.key) }
                properties.members += [
                    ("buffer_width_m", .number(rounded(side.meters * 2, 3))),
                    ("buffer_distance_m", .number(rounded(side.meters, 3))),
                    ("buffer_ends", .string(ends.rawValue)),
                    ("area_km2", .number(rounded(area / 1e6, 6))),
                ]
                results.append(Feature(id: feature.id, geometry: result, properties: properties))
            }
            try writeOutput(GeoJSON.document(results), to: out)
        }
    }
}

