internal import CRaster
import Territory

/// PNG through librsvg and cairo (loaded on first use): the SVG as librsvg draws it, on white.
public enum Raster {
    /// The SVG `svg`, drawn at `width` x `height` pixels and encoded as PNG.
    public static func png(svg: String, width: Int, height: Int) throws(TerritoryError) -> [UInt8] {
        var png: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 512)
        let bytes = Array(svg.utf8)
        let status = bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in
                territory_svg_to_png(c.baseAddress, c.count, Int32(width), Int32(height), &png, &length, &message, message.count)
            }
        }
        defer { territory_raster_free(png) }
        guard status == 0, let png else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .internalFailure("render: \(text)")
        }
        return Array(UnsafeBufferPointer(start: png, count: length))
    }

    /// A PNG's pixels read back with cairo: its size and each pixel as 0xRRGGBB, row by row.
    public static func pixels(png: [UInt8]) throws(TerritoryError) -> (width: Int, height: Int, rgb: [UInt32]) {
        var message = [CChar](repeating: 0, count: 512)
        var width: Int32 = 0, height: Int32 = 0
        func read(_ into: inout [UInt32]) -> Int32 {
            let capacity = into.count
            return png.withUnsafeBufferPointer { p in
                into.withUnsafeMutableBufferPointer { rgb in
                    territory_png_pixels(p.baseAddress, p.count, &width, &height, rgb.baseAddress, capacity, &message, message.count)
                }
            }
        }
        var none: [UInt32] = [0]
        var status = read(&none)
        var rgb: [UInt32] = []
        if status == 0 {
            rgb = [UInt32](repeating: 0, count: Int(width) * Int(height))
            status = read(&rgb)
        }
        guard status == 0 else {
            throw .badData("PNG: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        return (Int(width), Int(height), rgb)
    }
}
