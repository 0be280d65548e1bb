import Foundation
import JouleJSON
import PluginAPI

/// A plain C library described by a JSON manifest, so that existing C code (or a generated
/// polynomial) becomes a Joule cost model without being written against joule_plugin.h.
///
/// A manifest (`*.ffi.json`, version 1):
///
///     {
///       "joule_ffi_manifest": 1,
///       "name": "lab.conv-fit",
///       "version": "1.0.0",
///       "description": "Convolution runtime fitted on our V100s",
///       "library": "libconvfit.so",
///       "cost_models": [{
///         "id": "conv-fit",
///         "description": "fitted conv runtime",
///         "functions": [{
///           "symbol": "conv_runtime_ms",
///           "op": "convolution",
///           "direction": "forward",
///           "returns": {"quantity": "time", "unit": "ms", "type": "f64"},
///           "arguments": [{"feature": "batch", "type": "i32"},
///                         {"feature": "flops", "type": "f64"}]
///         }]
///       }]
///     }
///
/// `library` is relative to the manifest's directory. `direction` is one of forward,
/// backward_data, backward_filter, weight_update, or "any" (the default is forward).
/// `quantity` is time, power or energy; `unit` is s, ms, us or ns for time, W or mW for
/// power, J or mJ for energy; `type` of an argument or return is i32, i64, f32 or f64.
/// Argument features are the names of `LayerFeature`.
struct FFIManifest: Equatable {
    static let suffix = ".ffi.json"

    struct Function: Equatable {
        var symbol: String
        var operation: LayerOperation
        /// `nil` means any direction.
        var direction: PassDirection?
        var quantity: FFIQuantity
        /// Multiplies the returned value into SI units.
        var unitFactor: Double
        var returnType: FFIScalarType
        var arguments: [(feature: LayerFeature, type: FFIScalarType)]

        static func == (a: Function, b: Function) -> Bool {
            a.symbol == b.symbol && a.operation == b.operation && a.direction == b.direction && a.quantity == b.quantity
                && a.unitFactor == b.unitFactor && a.returnType == b.returnType
                && a.arguments.map(\.feature) == b.arguments.map(\.feature) && a.arguments.map(\.type) == b.arguments.map(\.type)
        }
    }

    struct CostModel: Equatable {
        var id: String
        var version: String
        var description: String
        var quality: Int
        var functions: [Function]
    }

    var name: String
    var version: String
    var description: String
    /// Absolute path of the library.
    var libraryPath: String
    var costModels: [CostModel]

    /// Units a function's return value may be given in, per quantity.
    static let units: [FFIQuantity: [(String, Double)]] = [
        .time: [("s", 1), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)],
        .power: [("W", 1), ("mW", 1e-3)],
        .energy: [("J", 1), ("mJ", 1e-3)],
    ]

    /// Parses and validates a manifest, reporting every problem with its line and field.
    ///
    /// - Parameter path: the manifest file; `library` is resolved against its directory.
    /// - Throws: a one-line-per-problem message.
    static func read(path: String) throws(PluginRejection) -> FFIManifest {
        let data: Data
        do {
            // Checked before reading: a manifest is a few kilobytes, and a huge file named
            // *.ffi.json must not be read whole into memory.
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= 1 << 20 else { throw PluginRejection.invalidManifest("the file is larger than 1 MiB") }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as PluginRejection {
            throw error
        } catch {
            throw .invalidManifest("cannot read the file: \(error.localizedDescription)")
        }
        return try parse(Array(data), directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Parses and validates a manifest's text, as `read(path:)` does once it has the file.
    ///
    /// - Parameter directory: where the manifest lives; `library` is resolved against it.
    /// - Throws: a one-line-per-problem message.
    static func parse(_ bytes: [UInt8], directory: String) throws(PluginRejection) -> FFIManifest {
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch {
            throw .invalidManifest("not valid JSON: \(error)")
        }
        let problems = JSONProblems()
        let manifest = decode(root, directory: directory, problems: problems)
        do {
            try problems.throwIfAny()
        } catch {
            throw .invalidManifest(error.description)
        }
        return manifest!
    }

    private static func decode(_ root: JSONNode, directory: String, problems: JSONProblems) -> FFIManifest? {
        let reader = JSONObjectReader(root, path: "", problems: problems)
        if let version = reader.integer("joule_ffi_manifest"), version != 1 {
            problems.add("joule_ffi_manifest", at: root["joule_ffi_manifest"]?.position,
                         "version \(version) is not supported; this Joule reads version 1")
        }
        let name = reader.string("name")
        if let name, !isValidComponentID(name) {
            problems.add("name", at: root["name"]?.position, "\"\(name)\" must be letters, digits, '_', '-' or '.'")
        }
        let version = reader.string("version")
        let description = reader.string("description", required: false) ?? ""
        let library = reader.string("library")
        var models: [CostModel] = []
        for (modelPath, modelNode) in reader.array("cost_models") ?? [] {
            let model = JSONObjectReader(modelNode, path: modelPath, problems: problems)
            let id = model.string("id")
            if let id, !isValidComponentID(id) {
                problems.add("\(modelPath).id", at: modelNode["id"]?.position, "\"\(id)\" must be letters, digits, '_', '-' or '.'")
            }
            if let id, models.contains(where: { $0.id == id }) {
                problems.add("\(modelPath).id", at: modelNode["id"]?.position, "\"\(id)\" appears twice")
            }
            let modelDescription = model.string("description", required: false) ?? ""
            let modelVersion = model.string("version", required: false) ?? version ?? ""
            let quality = model.integer("quality", required: false, in: 1...100) ?? 50
            var functions: [Function] = []
            for (functionPath, functionNode) in model.array("functions") ?? [] {
                if let function = decodeFunction(functionNode, path: functionPath, problems: problems) {
                    let clash = functions.first {
                        $0.operation == function.operation && $0.quantity == function.quantity
                            && ($0.direction == nil || function.direction == nil || $0.direction == function.direction)
                    }
                    if let clash {
                        problems.add(functionPath, at: functionNode.position,
                                     "\(clash.symbol) already gives the \(function.quantity.rawValue) of \(function.operation.name) layers in this direction")
                    }
                    functions.append(function)
                }
            }
            if functions.isEmpty && problems.isEmpty {
                problems.add("\(modelPath).functions", at: modelNode.position, "must list at least one function")
            }
            model.rejectUnknownKeys()
            if let id {
                models.append(CostModel(id: id, version: modelVersion, description: modelDescription, quality: Int(quality), functions: functions))
            }
        }
        if models.isEmpty && problems.isEmpty {
            problems.add("cost_models", at: root.position, "must list at least one cost model")
        }
        reader.rejectUnknownKeys()
        guard let name, let version, let library else { return nil }
        // Standardised, so that messages show where "../../lib.so" really points.
        let libraryPath = (library.hasPrefix("/") ? URL(fileURLWithPath: library)
            : URL(fileURLWithPath: directory).appendingPathComponent(library)).standardizedFileURL.path
        return FFIManifest(name: name, version: version, description: description, libraryPath: libraryPath, costModels: models)
    }

    private static func decodeFunction(_ node: JSONNode, path: String, problems: JSONProblems) -> Function? {
        let reader = JSONObjectReader(node, path: path, problems: problems)
        let symbol = reader.string("symbol")
        let opName = reader.choice("op", from: LayerOperation.known.map(\.name))
        let directionName = reader.choice("direction", from: PassDirection.allCases.map(\.name) + ["any"], required: false) ?? "forward"
        var quantity: FFIQuantity?
        var factor: Double?
        var returnType: FFIScalarType?
        if let returns = reader.object("returns") {
            quantity = returns.choice("quantity", from: FFIQuantity.allCases.map(\.rawValue)).flatMap(FFIQuantity.init(rawValue:))
            returnType = returns.choice("type", from: FFIScalarType.allCases.map(\.rawValue)).flatMap(FFIScalarType.init(rawValue:))
            if let quantity {
                let allowed = units[quantity]!
                if let unit = returns.string("unit") {
                    if let match = allowed.first(where: { $0.0 == unit }) {
                        factor = match.1
                    } else {
                        problems.add("\(path).returns.unit", at: node["returns"]?["unit"]?.position,
                                     "unknown unit '\(unit)' for \(quantity.rawValue); expected one of \(allowed.map(\.0).joined(separator: ", "))")
                    }
                }
            } else {
                _ = returns.member("unit", required: false)
            }
            returns.rejectUnknownKeys()
        }
        var arguments: [(LayerFeature, FFIScalarType)] = []
        for (argumentPath, argumentNode) in reader.array("arguments") ?? [] {
            let argument = JSONObjectReader(argumentNode, path: argumentPath, problems: problems)
            let featureName = argument.string("feature")
            let typeName = argument.string("type")
            argument.rejectUnknownKeys()
            var feature: LayerFeature?
            if let featureName {
                feature = LayerFeature(rawValue: featureName)
                if feature == nil {
                    let near = JSONObjectReader.closest(to: featureName, in: LayerFeature.allCases.map(\.rawValue), maximumDistance: 3)
                    problems.add("\(argumentPath).feature", at: argumentNode["feature"]?.position,
                                 "unknown feature \"\(featureName)\"\(near.map { "; did you mean \"\($0)\"?" } ?? ""); known features: "
                                    + LayerFeature.allCases.map(\.rawValue).joined(separator: ", "))
                }
            }
            var type: FFIScalarType?
            if let typeName {
                type = FFIScalarType(rawValue: typeName)
                if type == nil {
                    problems.add("\(argumentPath).type", at: argumentNode["type"]?.position,
                                 "unknown type '\(typeName)'; expected one of i32, i64, f32, f64")
                }
            }
            if let feature, let type { arguments.append((feature, type)) }
        }
        if arguments.count > 64 {
            problems.add("\(path).arguments", at: node.position, "more than 64 arguments")
        }
        reader.rejectUnknownKeys()
        guard let symbol, let opName, let operation = LayerOperation(name: opName), let quantity, let factor, let returnType else {
            return nil
        }
        return Function(symbol: symbol, operation: operation,
                        direction: directionName == "any" ? nil : PassDirection(name: directionName),
                        quantity: quantity, unitFactor: factor, returnType: returnType, arguments: arguments)
    }
}

/// What an FFI function returns.
enum FFIQuantity: String, CaseIterable, Sendable {
    case time, power, energy
}

/// The C scalar types the bridge can pass and receive.
enum FFIScalarType: String, CaseIterable, Sendable {
    case i32, i64, f32, f64
}

