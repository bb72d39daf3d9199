import Geodesy
import Geometry
import Territory
import TerritoryStore

/// A finished map of one day, or of several side by side (small multiples), written as SVG:
/// a conformal projection centred on the covered area (the stereographic on WGS 84, PROJ),
/// ground coloured by holder in the catalog's palette, presence hatched over it, the corridor's
/// access drawn as its outline, districts outlined and named, towns labelled, a legend, a scale
/// bar true on the ground at the map's centre, the date as title and a credit line.
///
/// The SVG is byte-deterministic: the same store and request give the same bytes. Every panel
/// says how it was drawn (`data-projection` on the root, `data-origin` and `data-scale` on each
/// panel: pixel x = origin x + scale × easting, y = origin y − scale × northing), so that what is
/// drawn can be measured again.
public struct MapPicture {
    public struct Request: Sendable {
        /// The days drawn, one panel each, in this order.
        public var days: [Day]
        /// The facet coloured (control by default).
        public var facet: Facet = .control
        public var width = 1600
        public var height = 1200
        /// The title; the date (or the range of dates) when nil.
        public var title: String?
        /// The record drawn: as of a day, in a view (today's record, the default view, unless set).
        public var record: RecordView = .today

        public init(days: [Day], facet: Facet = .control, width: Int = 1600, height: Int = 1200, title: String? = nil) {
            self.days = days
            self.facet = facet
            self.width = width
            self.height = height
            self.title = title
        }
    }

    /// The sizes taken, in pixels, each side.
    public static let sizes = 200...10_000
    /// The most panels drawn in one picture.
    public static let maximumDays = 36
    /// The font: Debian's fonts-dejavu-core.
    static let font = "DejaVu Sans"

    let store: Store
    let base: MapBase
    let request: Request
    let projection: LocalProjection
    /// Projected districts, towns and the covered area.
    let districts: [(name: String, rings: [[[Position]]], label: Position)]
    let towns: [(town: Town, at: Position)]
    let covered: [[[Position]]]
    /// The projected extent (metres).
    let minimum: Position, maximum: Position

    /// Checks the request and projects the base once. Bad sizes, no days or too many are the
    /// caller's fault (`badInput`).
    public init(store: Store, request: Request) throws(TerritoryError) {
        guard MapPicture.sizes.contains(request.width), MapPicture.sizes.contains(request.height) else {
            throw .badInput("--size \(request.width)x\(request.height): each side must be \(MapPicture.sizes.lowerBound) to \(MapPicture.sizes.upperBound) pixels")
        }
        guard !request.days.isEmpty else { throw .badInput("--days: no day to draw") }
        guard request.days.count <= MapPicture.maximumDays else {
            throw .badInput("--days: \(request.days.count) days; at most \(MapPicture.maximumDays) fit in one picture")
        }
        self.store = store
        self.request = request
        base = try store.mapBase()
        let coveredPolygons = store.engine.coveredArea.polygons
        let all = coveredPolygons.flatMap { $0.flatMap { $0 } }
        guard let first = all.first else { throw .badData("\(store.path.path): the covered area is empty: nothing to draw") }
        var lo = first, hi = first
        for p in all { lo = Position(min(lo.x, p.x), min(lo.y, p.y)); hi = Position(max(hi.x, p.x), max(hi.y, p.y)) }
        let centre = Position(((lo.x + hi.x) / 2 * 1e4).rounded() / 1e4, ((lo.y + hi.y) / 2 * 1e4).rounded() / 1e4)
        let projection: LocalProjection
        do { projection = try LocalProjection.conformal(center: centre) } catch { throw .internalFailure("render: \(error)") }
        self.projection = projection
        func project(_ polygons: [[[Position]]]) throws(TerritoryError) -> [[[Position]]] {
            var out: [[[Position]]] = []
            for polygon in polygons {
                var rings: [[Position]] = []
                for ring in polygon {
                    do { rings.append(try projection.forward(ring)) } catch { throw .internalFailure("render: \(error)") }
                }
                out.append(rings)
            }
            return out
        }
        covered = try project(coveredPolygons)
        let context = GEOSContext()
        var districts: [(String, [[[Position]]], Position)] = []
        for d in base.districts {
            var label = d.shape.polygons.first?.first?.first ?? centre
            do {
                if let p = try Geometry(d.shape, context: context).pointOnSurface().shape.points.first { label = p }
            } catch { throw .internalFailure("render: district \(d.id): \(error)") }
            let name = d.name.hasSuffix(" District") ? String(d.name.dropLast(" District".count)) : d.name
            let at: Position
            do { at = try projection.forward([label])[0] } catch { throw .internalFailure("render: \(error)") }
            districts.append((name, try project(d.shape.polygons), at))
        }
        self.districts = districts
        var towns: [(Town, Position)] = []
        for t in base.towns where t.isLabelledOnOverview {
            do { towns.append((t, try projection.forward([t.position])[0])) } catch { throw .internalFailure("render: \(error)") }
        }
        self.towns = towns
        var pmin = Position(.infinity, .infinity), pmax = Position(-.infinity, -.infinity)
        for p in covered.flatMap({ $0.flatMap { $0 } }) {
            pmin = Position(min(pmin.x, p.x), min(pmin.y, p.y)); pmax = Position(max(pmax.x, p.x), max(pmax.y, p.y))
        }
        let pad = 0.03 * max(pmax.x - pmin.x, pmax.y - pmin.y)
        minimum = Position(pmin.x - pad, pmin.y - pad)
        maximum = Position(pmax.x + pad, pmax.y + pad)
    }

    // MARK: Layout

    /// Where a panel is on the page and how it maps metres to pixels.
    struct Panel {
        let day: Day
        let x: Double, y: Double, width: Double, height: Double
        let origin: Position
        let scale: Double
        func pixel(_ p: Position) -> Position { Position(origin.x + scale * p.x, origin.y - scale * p.y) }
    }

    /// One legend entry: a swatch kind and its text.
    enum Swatch { case fill(String), hatch(String), line(String), outline, town }

    /// The drawing, as SVG text.
    public func svg() throws(TerritoryError) -> String {
        let W = Double(request.width), H = Double(request.height)
        let many = request.days.count > 1
        // What each day shows.
        var layers: [[SliceFeature]] = []
        for day in request.days {
            var facets: [Facet] = [request.facet]
            if request.facet != .presence { facets.append(.presence) }
            if request.facet != .access { facets.append(.access) }
            layers.append(try store.layers(on: day, facets: facets, in: request.record))
        }
        // The legend: the holders of the facet, then presence, then access, in the catalog's order.
        func seen(_ facet: Facet) -> [MapBase.Holder] {
            let codes = Set(layers.flatMap { $0.filter { $0.facet == facet }.map(\.holder) })
            return base.holders.filter { codes.contains($0.code) }
        }
        let filled = seen(request.facet), present = request.facet == .presence ? [] : seen(.presence)
        let accessed = request.facet == .access ? [] : seen(.access)
        var entries: [(Swatch, String)] = filled.map { (.fill(base.colour(of: $0.code)), $0.name) }
        if filled.isEmpty { entries.append((.fill(MapPicture.unheld), "No \(request.facet.rawValue) stated")) }
        let hatchIndex = Dictionary(uniqueKeysWithValues: present.enumerated().map { ($1.code, $0) })
        entries += present.map { (.hatch($0.code), "Present: \($0.name)") }
        entries += accessed.map { (.line(base.colour(of: $0.code)), "Lachin corridor, access: \($0.name)") }
        entries.append((.outline, "District boundary"))
        entries.append((.town, "Town"))

        // The bands: title on top; legend, scale bar and credit below.
        let margin = (min(W, H) * 0.02).rounded()
        let titleSize = (min(W, H) * 0.028).rounded().clamped(14, 40)
        let textSize = (min(W, H) * 0.0125).rounded().clamped(9, 18)
        let creditSize = (textSize * 0.8).rounded().clamped(8, 14)
        let titleText = request.title ?? dateTitle()
        var what = "\(store.title): \(request.facet.rawValue) by holder"
        if let view = request.record.view { what += ", in \(view)'s view (its claims included)" }
        if let asOf = request.record.asOf { what += ", as the record stood on \(asOf.longDescription)" }
        let subtitle: String? = request.title == nil ? what : dateTitle() + " · " + what
        let top = margin + titleSize * 1.2 + (subtitle == nil ? 0 : textSize * 1.6) + margin * 0.5
        // Legend rows: entries laid out left to right, wrapped.
        let swatchWidth = textSize * 2.2
        var rows: [[(Swatch, String, Double)]] = [[]]
        var rowWidth = 0.0
        for (swatch, text) in entries {
            let w = swatchWidth + textSize * 0.5 + MapPicture.textWidth(text, size: textSize) + textSize * 1.5
            if rowWidth + w > W - 2 * margin, !rows[rows.count - 1].isEmpty { rows.append([]); rowWidth = 0 }
            rows[rows.count - 1].append((swatch, text, rowWidth))
            rowWidth += w
        }
        let credit = MapPicture.wrap(creditText(layers), width: W - 2 * margin, size: creditSize)
        let legendHeight = Double(rows.count) * textSize * 1.8
        let scaleHeight = textSize * 3
        let bottom = margin + legendHeight + scaleHeight + Double(credit.count) * creditSize * 1.35 + margin * 0.5
        let areaY = top, areaH = H - top - bottom, areaW = W - 2 * margin
        guard areaH > 50 else { throw .badInput("--size \(request.width)x\(request.height): too short for the title, legend and credit (try a taller size)") }

        // Panels: the grid whose panels draw largest.
        let n = request.days.count
        let extentW = maximum.x - minimum.x, extentH = maximum.y - minimum.y
        let gap = many ? margin : 0, caption = many ? textSize * 1.8 : 0
        var best: (columns: Int, scale: Double) = (1, 0)
        for columns in 1...n {
            let rowsCount = (n + columns - 1) / columns
            let pw = (areaW - Double(columns - 1) * gap) / Double(columns)
            let ph = (areaH - Double(rowsCount - 1) * gap) / Double(rowsCount) - caption
            guard pw > 0, ph > 0 else { continue }
            let s = min(pw / extentW, ph / extentH)
            if s > best.scale { best = (columns, s) }
        }
        guard best.scale > 0, best.scale * extentW >= 60 else {
            throw .badInput("--size \(request.width)x\(request.height): too small for \(n) map\(n == 1 ? "" : "s") (each would be under 60 pixels wide)")
        }
        let columns = best.columns, rowsCount = (n + columns - 1) / columns, scale = best.scale
        let pw = extentW * scale, ph = extentH * scale
        let gridW = Double(columns) * pw + Double(columns - 1) * gap
        let gridH = Double(rowsCount) * (ph + caption) + Double(rowsCount - 1) * gap
        let gridX = margin + (areaW - gridW) / 2, gridY = areaY + (areaH - gridH) / 2
        var panels: [Panel] = []
        for (i, day) in request.days.enumerated() {
            let x = gridX + Double(i % columns) * (pw + gap)
            let y = gridY + Double(i / columns) * (ph + caption + gap) + caption
            panels.append(Panel(day: day, x: x, y: y, width: pw, height: ph,
                                origin: Position(x - minimum.x * scale, y + maximum.y * scale), scale: scale))
        }

        // The document.
        var out = ""
        out.reserveCapacity(1 << 20)
        out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(request.width)\" height=\"\(request.height)\" viewBox=\"0 0 \(request.width) \(request.height)\""
        out += " font-family=\"\(MapPicture.font)\" data-projection=\"\(MapPicture.escape(projection.definition))\" data-facet=\"\(request.facet.rawValue)\">\n"
        out += "<title>\(MapPicture.escape(titleText))</title>\n<defs>\n"
        for holder in present {
            let k = hatchIndex[holder.code]!
            out += "<pattern id=\"hatch-\(MapPicture.escape(holder.code))\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\" patternTransform=\"rotate(\(k % 2 == 0 ? 45 : -45))\">"
            out += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"\(MapPicture.darker(base.colour(of: holder.code)))\" stroke-width=\"2\"/></pattern>\n"
        }
        for (i, panel) in panels.enumerated() {
            out += "<clipPath id=\"clip-\(i)\"><rect x=\"\(f(panel.x))\" y=\"\(f(panel.y))\" width=\"\(f(panel.width))\" height=\"\(f(panel.height))\"/></clipPath>\n"
        }
        out += "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n"
        out += "<text class=\"title\" x=\"\(f(margin))\" y=\"\(f(margin + titleSize))\" font-size=\"\(f(titleSize))\" font-weight=\"bold\" fill=\"#111111\">\(MapPicture.escape(titleText))</text>\n"
        if let subtitle {
            out += "<text class=\"subtitle\" x=\"\(f(margin))\" y=\"\(f(margin + titleSize * 1.2 + textSize * 1.3))\" font-size=\"\(f(textSize))\" fill=\"#333333\">\(MapPicture.escape(subtitle))</text>\n"
        }
        for (i, panel) in panels.enumerated() {
            try drawPanel(panel, index: i, features: layers[i], hatchIndex: hatchIndex, many: many, textSize: textSize, into: &out)
        }

        // Legend.
        var y = H - bottom + margin * 0.5
        out += "<g class=\"legend\" font-size=\"\(f(textSize))\" fill=\"#111111\">\n"
        for row in rows {
            for (swatch, text, x0) in row {
                let x = margin + x0, sy = y, sh = textSize * 1.1
                out += "<g class=\"legend-entry\" data-label=\"\(MapPicture.escape(text))\">"
                switch swatch {
                case .fill(let c):
                    out += "<rect x=\"\(f(x))\" y=\"\(f(sy))\" width=\"\(f(swatchWidth))\" height=\"\(f(sh))\" fill=\"\(c)\" stroke=\"#333333\" stroke-width=\"0.8\"/>"
                case .hatch(let code):
                    out += "<rect x=\"\(f(x))\" y=\"\(f(sy))\" width=\"\(f(swatchWidth))\" height=\"\(f(sh))\" fill=\"#FFFFFF\" stroke=\"#333333\" stroke-width=\"0.8\"/>"
                    out += "<rect x=\"\(f(x))\" y=\"\(f(sy))\" width=\"\(f(swatchWidth))\" height=\"\(f(sh))\" fill=\"url(#hatch-\(MapPicture.escape(code)))\"/>"
                case .line(let c):
                    out += "<line x1=\"\(f(x))\" y1=\"\(f(sy + sh / 2))\" x2=\"\(f(x + swatchWidth))\" y2=\"\(f(sy + sh / 2))\" stroke=\"#222222\" stroke-width=\"5\"/>"
                    out += "<line x1=\"\(f(x))\" y1=\"\(f(sy + sh / 2))\" x2=\"\(f(x + swatchWidth))\" y2=\"\(f(sy + sh / 2))\" stroke=\"\(c)\" stroke-width=\"3\"/>"
                case .outline:
                    out += "<rect x=\"\(f(x))\" y=\"\(f(sy))\" width=\"\(f(swatchWidth))\" height=\"\(f(sh))\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>"
                case .town:
                    out += "<circle cx=\"\(f(x + swatchWidth / 2))\" cy=\"\(f(sy + sh / 2))\" r=\"3.5\" fill=\"#FFFFFF\" stroke=\"#111111\" stroke-width=\"1.2\"/>"
                }
                out += "<text x=\"\(f(x + swatchWidth + textSize * 0.5))\" y=\"\(f(sy + sh * 0.85))\">\(MapPicture.escape(text))</text></g>\n"
            }
            y += textSize * 1.8
        }
        out += "</g>\n"

        // Scale bar: true at the map's centre, where the stereographic's scale is 1.
        let km = MapPicture.scaleKm(pixelsPerMetre: scale, longest: min(pw * 0.3, W * 0.25))
        let barLength = km * 1000 * scale
        let bx = margin, by = y + textSize * 0.6
        out += "<g class=\"scale-bar\" data-km=\"\(exactNumber(km))\" data-length=\"\(exactNumber(barLength))\">"
        out += "<rect x=\"\(f(bx))\" y=\"\(f(by))\" width=\"\(f(barLength / 2))\" height=\"\(f(textSize * 0.45))\" fill=\"#111111\"/>"
        out += "<rect x=\"\(f(bx + barLength / 2))\" y=\"\(f(by))\" width=\"\(f(barLength / 2))\" height=\"\(f(textSize * 0.45))\" fill=\"#FFFFFF\" stroke=\"#111111\" stroke-width=\"1\"/>"
        out += "<line class=\"scale-line\" x1=\"\(f(bx))\" y1=\"\(f(by))\" x2=\"\(f(bx + barLength))\" y2=\"\(f(by))\" stroke=\"#111111\" stroke-width=\"1\"/>"
        out += "<text x=\"\(f(bx + barLength + textSize * 0.6))\" y=\"\(f(by + textSize * 0.55))\" font-size=\"\(f(textSize))\" fill=\"#111111\">\(MapPicture.kmText(km)) km (true at the centre of the map)</text></g>\n"
        y = by + scaleHeight - textSize * 0.6

        // Credit.
        out += "<g class=\"credit\" font-size=\"\(f(creditSize))\" fill=\"#444444\">\n"
        for line in credit {
            y += creditSize * 1.35
            out += "<text x=\"\(f(margin))\" y=\"\(f(y))\">\(MapPicture.escape(line))</text>\n"
        }
        out += "</g>\n</svg>\n"
        return out
    }

    /// The colour of ground no statement of the facet holds.
    static let unheld = "#F0F0F0"

    private func drawPanel(_ panel: Panel, index: Int, features: [SliceFeature], hatchIndex: [String: Int], many: Bool,
                           textSize: Double, into out: inout String) throws(TerritoryError) {
        func path(_ polygons: [[[Position]]], projected: Bool) throws(TerritoryError) -> String {
            var d = ""
            for polygon in polygons {
                for ring in polygon {
                    let points: [Position]
                    if projected { points = ring } else {
                        do { points = try projection.forward(ring) } catch { throw .internalFailure("render: \(error)") }
                    }
                    var last = ""
                    var first = true
                    for p in points {
                        let q = panel.pixel(p)
                        let text = f(q.x) + "," + f(q.y)
                        if text == last { continue }
                        d += (first ? "M" : "L") + text
                        last = text
                        first = false
                    }
                    d += "Z"
                }
            }
            return d
        }
        out += "<g class=\"panel\" data-date=\"\(panel.day)\" data-origin=\"\(exactNumber(panel.origin.x)),\(exactNumber(panel.origin.y))\" data-scale=\"\(exactNumber(panel.scale))\" clip-path=\"url(#clip-\(index))\">\n"
        out += "<rect x=\"\(f(panel.x))\" y=\"\(f(panel.y))\" width=\"\(f(panel.width))\" height=\"\(f(panel.height))\" fill=\"#FAFAF7\"/>\n"
        out += "<path class=\"covered\" d=\"\(try path(covered, projected: true))\" fill=\"\(MapPicture.unheld)\" fill-rule=\"evenodd\"/>\n"
        let facet = request.facet
        for feature in features where feature.facet == facet {
            let colour = base.colour(of: feature.holder)
            let opacity = facet == .presence ? " fill-opacity=\"0.75\"" : ""
            out += "<path class=\"ground\" data-facet=\"\(facet.rawValue)\" data-holder=\"\(MapPicture.escape(feature.holder))\" d=\"\(try path(feature.polygons, projected: false))\" fill=\"\(colour)\"\(opacity) fill-rule=\"evenodd\" stroke=\"\(colour)\" stroke-width=\"0.5\"/>\n"
        }
        for feature in features where feature.facet == .presence && facet != .presence {
            let dark = MapPicture.darker(base.colour(of: feature.holder))
            out += "<path class=\"presence\" data-holder=\"\(MapPicture.escape(feature.holder))\" d=\"\(try path(feature.polygons, projected: false))\" fill=\"url(#hatch-\(MapPicture.escape(feature.holder)))\" fill-rule=\"evenodd\" stroke=\"\(dark)\" stroke-width=\"1\"/>\n"
        }
        for feature in features where feature.facet == .access && facet != .access {
            let d = try path(feature.polygons, projected: false)
            out += "<g class=\"access\" data-holder=\"\(MapPicture.escape(feature.holder))\"><path d=\"\(d)\" fill=\"none\" stroke=\"#222222\" stroke-width=\"4.5\" stroke-linejoin=\"round\"/>"
            out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(base.colour(of: feature.holder))\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/></g>\n"
        }
        for district in districts {
            out += "<path class=\"district\" d=\"\(try path(district.rings, projected: true))\" fill=\"none\" stroke=\"#333333\" stroke-width=\"0.9\" stroke-linejoin=\"round\"/>\n"
        }
        let labels = panel.width >= 420
        if labels {
            let size = textSize * 0.95
            for district in districts {
                let q = panel.pixel(district.label)
                out += "<text class=\"district-name\" x=\"\(f(q.x))\" y=\"\(f(q.y))\" text-anchor=\"middle\" font-size=\"\(f(size))\" font-style=\"italic\" fill=\"#222222\" stroke=\"#FFFFFF\" stroke-width=\"3\" stroke-opacity=\"0.8\" paint-order=\"stroke\">\(MapPicture.escape(district.name))</text>\n"
            }
        }
        for (town, at) in towns {
            let q = panel.pixel(at)
            out += "<circle class=\"town\" data-id=\"\(MapPicture.escape(town.id))\" cx=\"\(f(q.x))\" cy=\"\(f(q.y))\" r=\"3.5\" fill=\"#FFFFFF\" stroke=\"#111111\" stroke-width=\"1.2\"/>\n"
            if labels {
                out += "<text class=\"town-name\" x=\"\(f(q.x + 6))\" y=\"\(f(q.y - 5))\" font-size=\"\(f(textSize * 0.9))\" fill=\"#111111\" stroke=\"#FFFFFF\" stroke-width=\"3\" paint-order=\"stroke\">\(MapPicture.escape(town.name))</text>\n"
            }
        }
        out += "<rect x=\"\(f(panel.x))\" y=\"\(f(panel.y))\" width=\"\(f(panel.width))\" height=\"\(f(panel.height))\" fill=\"none\" stroke=\"#999999\" stroke-width=\"1\"/>\n"
        out += "</g>\n"
        if many {
            out += "<text class=\"caption\" x=\"\(f(panel.x))\" y=\"\(f(panel.y - textSize * 0.5))\" font-size=\"\(f(textSize * 1.15))\" font-weight=\"bold\" fill=\"#111111\">\(panel.day.longDescription)</text>\n"
        }
    }

    // MARK: Text

    /// The day, or the first and last of the days drawn.
    private func dateTitle() -> String {
        let days = request.days
        if days.count == 1 { return days[0].longDescription }
        return "\(days.first!.longDescription) to \(days.last!.longDescription), \(days.count) days"
    }

    private func creditText(_ layers: [[SliceFeature]]) -> String {
        var documents: [String] = []
        for features in layers {
            for feature in features {
                for id in feature.statements {
                    if let s = store.engine.statement(id), !documents.contains(s.source.document) { documents.append(s.source.document) }
                }
            }
        }
        let boundaries = store.boundaries.map { "boundaries: \($0)" }
            ?? "boundaries: drawn by hand for territory (data/boundaries/drawing.json), approximate to a few km"
        var parts = ["Sources: " + (documents.isEmpty ? "none in force" : documents.joined(separator: "; ")), boundaries]
        if let licence = base.licence { parts.append("data licence: \(licence)") }
        parts.append("colours: \(base.palette.map { $0.split(separator: "(").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? $0 } ?? "catalog.json")")
        parts.append("projection: stereographic centred on \(exactNumber(projection.center.x))° E \(exactNumber(projection.center.y))° N (WGS 84, PROJ)")
        parts.append("made with territory render")
        return parts.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: ". ") + "."
    }

    /// An estimate of a text's width in DejaVu Sans (its mean advance is about 0.58 em).
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.58 }

    /// Splits a text into lines no wider than `width`.
    static func wrap(_ text: String, width: Double, size: Double) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if textWidth(candidate, size: size) > width, !line.isEmpty {
                lines.append(line)
                line = String(word)
            } else { line = candidate }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// The longest round length (1, 2 or 5 times a power of ten, in km) whose bar fits in `longest` pixels.
    static func scaleKm(pixelsPerMetre: Double, longest: Double) -> Double {
        var best = 0.1
        for exponent in -1...4 {
            for step in [1.0, 2.0, 5.0] {
                var power = 1.0
                if exponent > 0 { for _ in 0..<exponent { power *= 10 } } else if exponent < 0 { power = 0.1 }
                let km = step * power
                if km * 1000 * pixelsPerMetre <= longest { best = max(best, km) }
            }
        }
        return best
    }

    static func kmText(_ km: Double) -> String { km == km.rounded() ? String(Int(km)) : exactNumber(km) }

    /// A colour darkened to 55 %, for hatching drawn over any fill.
    static func darker(_ colour: String) -> String {
        let digits = Array(colour.utf8.dropFirst())
        guard digits.count == 6 else { return "#333333" }
        func value(_ i: Int) -> Int { Int(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) ?? 0 }
        let hex = Array("0123456789ABCDEF")
        var out = "#"
        for i in stride(from: 0, to: 6, by: 2) {
            let v = value(i) * 55 / 100
            out.append(hex[v >> 4]); out.append(hex[v & 15])
        }
        return out
    }

    /// XML text and attribute escaping.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// A number at 0.1 pixel, written the same on every machine (`12.3`, `-4`, `0`).
func f(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    let whole = tenths / 10, part = abs(tenths % 10)
    let sign = tenths < 0 && whole == 0 ? "-" : ""
    return part == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(part)"
}

/// A number written shortest and exactly (Swift's round-trip description), without a trailing `.0`.
func exactNumber(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
}

extension Double {
    fileprivate func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(high, Swift.max(low, self)) }
}

