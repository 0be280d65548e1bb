import Foundation
import JouleJSON
import PluginAPI
import PolynomialModel

/// The NeuralPower cost model: each layer's runtime and power from the polynomial of its
/// category, in the model file chosen for the device and batch.
///
/// Which files: the `model` option (`--cost-model poly:FILE`), else the model files the GPU
/// profile names, else the models bundled for the profile's id. A GPU with several files
/// (one per measured batch size, say) uses, for each layer, the file whose fitted batch
/// range holds the layer's batch, or else the nearest one, flagged as extrapolated.
struct NeuralPowerModel: CostModel {
    /// Files for this device, ordered by the lowest batch they were fitted on.
    let models: [(path: String, model: PolynomialModelFile)]

    init(profile: HardwareProfile, options: [String: String]) throws {
        let anyGPU: Bool
        switch options["any_gpu"] ?? "false" {
        case "true": anyGPU = true
        case "false": anyGPU = false
        case let other: throw PluginError.invalidArgument("option any_gpu must be true or false, got '\(other)'")
        }
        var loaded: [(path: String, model: PolynomialModelFile)] = []
        if let path = options["model"] {
            loaded = [(path, try Self.load(path))]
        } else if !profile.modelFiles.isEmpty {
            loaded = try profile.modelFiles.map { ($0, try Self.load($0)) }
        } else {
            let bundled = try BundledModels.shared.get()
            loaded = bundled.filter { $0.model.gpu == profile.id }
            if loaded.isEmpty {
                let gpus = Set(bundled.map(\.model.gpu)).sorted()
                throw PluginError.unsupported(
                    "no NeuralPower model is bundled for \(profile.id); bundled models cover "
                        + (gpus.isEmpty ? "no GPU" : gpus.joined(separator: ", "))
                        + ". Fit one with `joule fit` and pass --cost-model poly:FILE, or name it in the profile's model_files")
            }
        }
        if !anyGPU {
            for (path, model) in loaded where model.gpu != profile.id && !profile.aliases.contains(where: { $0.caseInsensitiveCompare(model.gpu) == .orderedSame }) {
                throw PluginError.invalidArgument(
                    "\(path) was fitted on \(model.gpu), not \(profile.id): choose --gpu \(model.gpu), or pass --cost-option any_gpu=true to use it anyway")
            }
        }
        models = loaded.sorted { ($0.model.batchRange?.lowerBound ?? 0) < ($1.model.batchRange?.lowerBound ?? 0) }
        instanceDescription = JSONWriter.render(.object([("model_files", .array(models.map(Self.describe)))]), pretty: false)
    }

    /// The files this instance reads and how each was fitted, for outputs' provenance.
    let instanceDescription: String?

    private static func describe(_ entry: (path: String, model: PolynomialModelFile)) -> JSON {
        let model = entry.model
        var fields: [(String, JSON)] = [
            ("path", .string(entry.path)), ("gpu", .string(model.gpu)), ("description", .string(model.description)),
            ("pass", .string(model.pass)),
        ]
        if let range = model.batchRange {
            fields.append(("batch_range", .array([.number(range.lowerBound), .number(range.upperBound)])))
        }
        fields.append(("provenance", .object(model.provenance)))
        if let fit = model.runtimeFit { fields.append(("runtime_fit", fit)) }
        if let fit = model.powerFit { fields.append(("power_fit", fit)) }
        return .object(fields)
    }

    static func load(_ path: String) throws -> PolynomialModelFile {
        do {
            return try PolynomialModelFile.read(file: path)
        } catch {
            throw PluginError.invalidArgument(error.description)
        }
    }

    /// The file for a batch size, and whether the batch lies outside what it was fitted on.
    func model(forBatch batch: Int64) -> (path: String, model: PolynomialModelFile, outside: Bool) {
        let b = Double(batch)
        var best = models[0]
        var bestDistance = Double.infinity
        for entry in models {
            guard let range = entry.model.batchRange else { return (entry.path, entry.model, false) }
            if range.contains(b) { return (entry.path, entry.model, false) }
            let distance = min(abs(log2(b / range.lowerBound)), abs(log2(b / range.upperBound)))
            if distance < bestDistance {
                bestDistance = distance
                best = entry
            }
        }
        return (best.path, best.model, true)
    }

    func supports(_ layer: LayerView) -> LayerSupport {
        guard layer.direction == .forward else {
            return .declined(reason: "NeuralPower models are fitted on forward-pass (inference) measurements and cannot cost the \(layer.direction?.name ?? "unknown") pass; use --mode inference")
        }
        guard let category = LayerCategory(operation: layer.operation) else {
            return .declined(reason: "NeuralPower models have no polynomial for \(layer.operation.name) layers")
        }
        let (path, model, _) = model(forBatch: layer.batch)
        guard model.runtime[category] != nil else {
            return .declined(reason: "\(path) has no runtime polynomial for \(category.plural)")
        }
        return .supported(quality: 80)
    }

    func estimate(_ layer: LayerView) throws -> Estimate {
        // The host asks `supports` with the forward pass only, so the direction is checked here.
        guard layer.direction == .forward else {
            throw PluginError.unsupported("NeuralPower models are fitted on forward-pass (inference) measurements and cannot cost the \(layer.direction?.name ?? "unknown") pass; use --mode inference")
        }
        guard let configuration = LayerConfiguration(layer) else {
            throw PluginError.unsupported("NeuralPower models have no polynomial for \(layer.operation.name) layers")
        }
        let (path, model, outsideBatch) = model(forBatch: layer.batch)
        guard let runtime = model.runtime[configuration.category] else {
            throw PluginError.unsupported("\(path) has no runtime polynomial for \(configuration.category.plural)")
        }
        let seconds = runtime.evaluate(configuration)
        guard seconds >= 0 else {
            throw PluginError("\(path) predicts a runtime of \(seconds) s for this layer: the polynomial is negative here, so the model cannot answer")
        }
        var watts: Double?
        if let power = model.power[configuration.category] {
            let value = power.evaluate(configuration)
            guard value > 0 else {
                throw PluginError("\(path) predicts a power of \(value) W for this layer: the polynomial is not positive here, so the model cannot answer")
            }
            watts = value
        }
        var detail: String?
        if let why = runtime.extrapolation(configuration) ?? model.power[configuration.category]?.extrapolation(configuration) {
            detail = why
        } else if outsideBatch {
            detail = "batch \(layer.batch) is outside every model file for this GPU; using the nearest"
        }
        if let d = detail { detail = "\(d) (\((path as NSString).lastPathComponent))" }
        return Estimate(timeSeconds: seconds, powerWatts: watts, flops: configuration.flops,
                        memoryBytes: configuration.memoryBytes, extrapolated: detail != nil, detail: detail)
    }
}

/// The model files shipped with the plugin, read once.
final class BundledModels: @unchecked Sendable {
    static let shared = BundledModels()
    private let lock = NSLock()
    private var cache: Result<[(path: String, model: PolynomialModelFile)], PluginError>?

    func get() throws -> [(path: String, model: PolynomialModelFile)] {
        lock.lock()
        defer { lock.unlock() }
        if let cache { return try cache.get() }
        let result: Result<[(path: String, model: PolynomialModelFile)], PluginError>
        do {
            result = .success(try Self.readAll())
        } catch let error as PluginError {
            result = .failure(error)
        } catch {
            result = .failure(PluginError(String(describing: error)))
        }
        cache = result
        return try result.get()
    }

    /// The folder SwiftPM copies `Models/` to: `Joule_NeuralPowerModel.resources/Models`
    /// beside this library.
    static var folder: String? {
        // Foundation finds the library that defines this class (through dladdr, which
        // Glibc's Swift overlay does not expose) and answers with its folder.
        let library = URL(fileURLWithPath: Bundle(for: BundledModels.self).bundlePath).resolvingSymlinksInPath()
        return library.appendingPathComponent("Joule_NeuralPowerModel.resources/Models").path
    }

    private static func readAll() throws -> [(path: String, model: PolynomialModelFile)] {
        guard let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let path = folder + "/" + name
            return (path, try NeuralPowerModel.load(path))
        }
    }
}
