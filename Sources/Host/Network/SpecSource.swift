import Foundation

/// Where a network comes from, as the user names it: a Paleo JSON file, or a NAS-Bench-201
/// cell.
///
///     let vgg = try SpecSource.read("Examples/nets/vgg16.json")
///     let nb201 = try SpecSource.read("nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
///                                     nb201: NB201Options(classes: 100))
///
/// Measurement tables name NB201 networks by their bare cell strings (an `arch_str`
/// column); `read(csvValue:)` takes those too. Reading is cheap enough to call for each of
/// the 15,625 cells in turn (a few milliseconds each in a release build).
public enum SpecSource {
    /// The prefix that marks a NAS-Bench-201 cell string.
    public static let nb201Prefix = "nb201:"

    /// Whether `argument` names an NB201 cell (`nb201:CELL`) rather than a file.
    public static func isNB201(_ argument: String) -> Bool {
        argument.hasPrefix(nb201Prefix)
    }

    /// Reads the network `argument` names: `nb201:CELL` builds the NB201 network around the
    /// cell with `nb201`'s options; anything else is a spec file read with `options`.
    ///
    /// - Throws: `SpecError` labelled with the file, or with the argument for a cell
    ///   ("nb201:|…|: token 4 'nor_conv_5x5~1': unknown operation …").
    public static func read(
        _ argument: String, options: SpecReader.Options = SpecReader.Options(), nb201: NB201Options = NB201Options()
    ) throws(SpecError) -> Network {
        if isNB201(argument) {
            return try readCell(String(argument.dropFirst(nb201Prefix.count)), label: argument, nb201: nb201)
        }
        return try SpecReader.read(file: argument, options: options)
    }

    /// Reads a network named in a measurement table's cell: a bare NB201 cell string (it
    /// starts with `|`), `nb201:CELL`, or a spec file, a relative path being taken from
    /// `directory` (the table's own directory) when given. Surrounding white space is ignored.
    ///
    /// - Throws: `SpecError` labelled with the file or the cell string.
    public static func read(
        csvValue: String, relativeTo directory: String? = nil,
        options: SpecReader.Options = SpecReader.Options(), nb201: NB201Options = NB201Options()
    ) throws(SpecError) -> Network {
        let value = csvValue.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.hasPrefix("|") {
            return try readCell(value, label: value, nb201: nb201)
        }
        if isNB201(value) || value.hasPrefix("/") || directory == nil {
            return try read(value, options: options, nb201: nb201)
        }
        return try read(URL(fileURLWithPath: directory!).appendingPathComponent(value).path, options: options, nb201: nb201)
    }

    private static func readCell(_ text: String, label: String, nb201: NB201Options) throws(SpecError) -> Network {
        do {
            return try NB201Network.build(try NB201Cell(parsing: text), options: nb201)
        } catch {
            var error = error
            error.file = label
            throw error
        }
    }
}
