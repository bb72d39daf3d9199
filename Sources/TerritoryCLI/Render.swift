import ArgumentParser
import Foundation
import Territory
import TerritoryMap
import TerritoryStore

/// `territory render`: a finished map of a day (or of several, side by side) as SVG or PNG.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        // Named here: deriving the name from the type costs ArgumentParser milliseconds at every start.
        commandName: "render",
        abstract: "A finished map of a day, or small multiples of several days, as SVG or PNG.",
        discussion: """
        Draws the chosen facet's ground coloured by holder (the colours of data/catalog.json, \
        the Okabe-Ito palette, told apart with colour-vision deficiencies), presence hatched \
        over it, the Lachin corridor outlined in its access state's colour, the districts \
        outlined and named, the towns of data/towns.csv, a legend, a scale bar in km (true \
        on the ground at the centre of the map), the date as title and a credit line naming \
        the sources of the statements drawn, the boundary pack and the licence. The \
        projection is conformal: the stereographic on WGS 84 (PROJ), centred on the covered \
        area.

        SVG is written by territory and is the same to the byte for the same data and \
        arguments. PNG is the same SVG drawn by librsvg with cairo (Debian: librsvg2-2), in \
        DejaVu Sans (fonts-dejavu-core). The output's kind follows --out's extension; without \
        --out, SVG goes to standard output. Outputs are written atomically.

        With --days, the days are drawn side by side in one picture with one scale and one \
        legend; '--days changes --from A --to B' draws every day in [A, B] on which \
        something changes (the days of 'territory timeline').

        EXAMPLES
          territory render --date 2020-12-01 --out karabakh-2020-12-01.png
          territory render --date 2021-06-01 --facet presence --size 1200x900 --out presence.svg
          territory render --days 2020-11-09,2020-11-20,2020-11-25,2020-12-01 --out november.png
          territory render --days changes --from 2020-11-01 --to 2020-12-31 --title "November 2020" --out changes.png
        """
    )

    @OptionGroup var data: DataOptions

    @OptionGroup var record: RecordOptions

    @Option(help: ArgumentHelp("The day, YYYY-MM-DD.", valueName: "YYYY-MM-DD"))
    var date: Checked<Day>?

    @Option(help: ArgumentHelp("Several days side by side: YYYY-MM-DD,YYYY-MM-DD,... or 'changes' (with --from and --to).", valueName: "DAYS"))
    var days: Checked<DayList>?

    @Option(help: ArgumentHelp("With --days changes: the first day of the range.", valueName: "YYYY-MM-DD"))
    var from: Checked<Day>?

    @Option(help: ArgumentHelp("With --days changes: the last day of the range (included).", valueName: "YYYY-MM-DD"))
    var to: Checked<Day>?

    @Option(help: ArgumentHelp("The facet coloured: control, sovereignty, administration, presence or access (any case).", valueName: "facet"))
    var facet: Checked<OneFacet> = Checked(argument: "control")!

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE.svg or FILE.png (atomically) instead of SVG on standard output.", valueName: "FILE"))
    var out: String?

    @Option(help: ArgumentHelp("The picture's size in pixels, WIDTHxHEIGHT (each 200 to 10000).", valueName: "WxH"))
    var size: Checked<PictureSize> = Checked(argument: "1600x1200")!

    @Option(help: ArgumentHelp("The title (default: the date); the date then goes below it.", valueName: "TEXT"))
    var title: String?

    func validate() throws {
        switch (date, days) {
        case (nil, nil): throw ValidationError("give --date YYYY-MM-DD, or --days D1,D2,... (or --days changes --from A --to B)")
        case (.some, .some): throw ValidationError("give --date or --days, not both")
        default: break
        }
        _ = try date?.value("--date")
        let list = try days?.value("--days")
        let first = try from?.value("--from"), last = try to?.value("--to")
        if list?.changes == true {
            guard let first, let last else { throw ValidationError("--days changes needs --from YYYY-MM-DD and --to YYYY-MM-DD: the range to look for changes in") }
            guard first <= last else { throw ValidationError("--from \(first) is after --to \(last)") }
        } else if from != nil || to != nil {
            throw ValidationError("--from and --to go with --days changes")
        }
        _ = try facet.value("--facet")
        _ = try size.value("--size")
        if let title, title.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--title: the title is empty") }
        if let out {
            let lower = out.lowercased()
            guard lower.hasSuffix(".svg") || lower.hasSuffix(".png") else {
                throw ValidationError("--out \(out): the file must end in .svg or .png (the kind of picture written)")
            }
        }
    }

    func run() throws {
        try reporting("render") {
            // The output is opened first: an unwritable --out fails before any drawing.
            let file = try AtomicFile(path: out)
            do {
                let store = try data.openStore(use: .few)
                let record = try self.record.record(store)
                var chosen: [Day]
                if let date { chosen = [date.checked] } else if let list = days?.checked, !list.changes { chosen = list.days } else {
                    let first = from!.checked, last = to!.checked
                    chosen = Array(Set(store.engine.slices(in: record).map(\.interval.from).filter { $0 >= first && $0 <= last })).sorted()
                    guard !chosen.isEmpty else { throw Failure.usage("--days changes: nothing changes from \(first) to \(last) (see 'territory timeline')") }
                }
                if let first = store.engine.slices(in: record).first?.interval.from, let early = chosen.first(where: { $0 < first }) {
                    printError("territory render: note: no statement is in force on \(early) (the data begins on \(first))")
                }
                var request = MapPicture.Request(days: chosen, facet: facet.checked.facet, width: size.checked.width,
                                                 height: size.checked.height, title: title)
                request.record = record
                let svg = try MapPicture(store: store, request: request).svg()
                if out?.lowercased().hasSuffix(".png") == true {
                    try file.write(try Raster.png(svg: svg, width: request.width, height: request.height))
                } else {
                    try file.write(svg)
                }
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
        }
    }
}

/// One facet (not `all`), case-insensitive.
struct OneFacet: ArgumentValue {
    let facet: Facet
    static func parse(_ text: String) -> Result<OneFacet, ArgumentProblem> {
        guard let facet = Facet(parsing: text) else {
            return .failure(ArgumentProblem("'\(text)' is not a facet (one of \(Facet.names))"))
        }
        return .success(OneFacet(facet: facet))
    }
}

/// `WIDTHxHEIGHT` in pixels.
struct PictureSize: ArgumentValue {
    let width: Int, height: Int
    static func parse(_ text: String) -> Result<PictureSize, ArgumentProblem> {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            return .failure(ArgumentProblem("'\(text)' is not a size WIDTHxHEIGHT in pixels (e.g. 1600x1200)"))
        }
        guard MapPicture.sizes.contains(w), MapPicture.sizes.contains(h) else {
            return .failure(ArgumentProblem("\(text): each side must be \(MapPicture.sizes.lowerBound) to \(MapPicture.sizes.upperBound) pixels"))
        }
        return .success(PictureSize(width: w, height: h))
    }
}

/// `YYYY-MM-DD,YYYY-MM-DD,...` or `changes`.
struct DayList: ArgumentValue {
    let days: [Day]
    let changes: Bool
    static func parse(_ text: String) -> Result<DayList, ArgumentProblem> {
        if text.lowercased() == "changes" { return .success(DayList(days: [], changes: true)) }
        var days: [Day] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = part.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { return .failure(ArgumentProblem("'\(text)': an empty day between commas")) }
            do { days.append(try Day(parsing: item)) } catch { return .failure(ArgumentProblem("'\(item)': \(error.message)")) }
        }
        guard days.count <= MapPicture.maximumDays else {
            return .failure(ArgumentProblem("\(days.count) days; at most \(MapPicture.maximumDays) fit in one picture"))
        }
        return .success(DayList(days: days, changes: false))
    }
}
