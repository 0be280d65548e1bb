import CFFI
import Foundation
import PluginAPI

/// Loads an FFI manifest and its C library, and turns each manifest cost model into a
/// `CostModelProvider` whose estimates are calls made through libffi.
enum FFIPluginLoader {
    static func load(manifestPath: String) -> Result<PluginContribution, PluginRejection> {
        if let problem = FileSecurity.check(manifestPath) { return .failure(.unsafeFile(problem)) }
        let manifest: FFIManifest
        do { manifest = try FFIManifest.read(path: manifestPath) } catch { return .failure(error) }

        let library = manifest.libraryPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: library, isDirectory: &isDirectory) else {
            return .failure(.invalidManifest("field 'library': \(library) does not exist"))
        }
        if isDirectory.boolValue {
            return .failure(.invalidManifest("field 'library': \(library) is a directory, not a shared library"))
        }
        if let problem = FileSecurity.check(library) { return .failure(.unsafeFile(problem)) }
        guard NativePluginLoader.hasELFHeader(library) else {
            return .failure(.invalidManifest("field 'library': \(library) is not a shared library (no ELF header)"))
        }
        dlerror()
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "dlopen failed"
            return .failure(.invalidManifest("field 'library': cannot be loaded: \(reason)"))
        }

        var providers: [any CostModelProvider] = []
        for (m, model) in manifest.costModels.enumerated() {
            var bound: [FFIFunction] = []
            for (f, function) in model.functions.enumerated() {
                guard let address = dlsym(handle, function.symbol) else {
                    return .failure(.invalidManifest(
                        "cost_models[\(m)].functions[\(f)].symbol: \(URL(fileURLWithPath: library).lastPathComponent) has no symbol \"\(function.symbol)\""))
                }
                switch FFIFunction.prepare(function, address: address) {
                case .success(let prepared): bound.append(prepared)
                case .failure(let failure):
                    return .failure(.invalidManifest("cost_models[\(m)].functions[\(f)]: \(failure.text)"))
                }
            }
            providers.append(FFICostModel(model: model, functions: bound))
        }
        let info = LoadedPlugin(
            name: manifest.name, version: manifest.version, description: manifest.description,
            abiVersion: jouleABIVersion, path: manifestPath, kind: .ffiManifest, swiftToolchain: nil,
            costModelIDs: providers.map(\.id), profileIDs: [], profileLoaderIDs: [])
        return .success(PluginContribution(info: info, costModels: providers, profiles: [], profileLoaders: []))
    }
}

/// One C function, with its libffi call interface prepared once at load time.
final class FFIFunction: @unchecked Sendable {
    // cif and the argument-type array are written once by ffi_prep_cif and only read by
    // ffi_call afterwards, so concurrent calls are safe.
    let spec: FFIManifest.Function
    private let address: UnsafeMutableRawPointer
    private let cif: UnsafeMutablePointer<ffi_cif>
    private let argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>

    private init(spec: FFIManifest.Function, address: UnsafeMutableRawPointer,
                 cif: UnsafeMutablePointer<ffi_cif>, argumentTypes: UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>) {
        self.spec = spec
        self.address = address
        self.cif = cif
        self.argumentTypes = argumentTypes
    }

    static func prepare(_ spec: FFIManifest.Function, address: UnsafeMutableRawPointer) -> Result<FFIFunction, FailureMessage> {
        let count = spec.arguments.count
        let types = UnsafeMutablePointer<UnsafeMutablePointer<ffi_type>?>.allocate(capacity: max(count, 1))
        for (i, argument) in spec.arguments.enumerated() { types[i] = ffiType(argument.type) }
        let cif = UnsafeMutablePointer<ffi_cif>.allocate(capacity: 1)
        let status = ffi_prep_cif(cif, FFI_DEFAULT_ABI, UInt32(count), ffiType(spec.returnType), count == 0 ? nil : types)
        guard status == FFI_OK else {
            types.deallocate()
            cif.deallocate()
            return .failure(FailureMessage("libffi could not prepare the call (ffi_prep_cif status \(status.rawValue))"))
        }
        return .success(FFIFunction(spec: spec, address: address, cif: cif, argumentTypes: types))
    }

    /// The libffi type descriptor for a scalar type (libffi's own static instances).
    private static func ffiType(_ type: FFIScalarType) -> UnsafeMutablePointer<ffi_type> {
        switch type {
        case .i32: return joule_ffi_type_sint32()
        case .i64: return joule_ffi_type_sint64()
        case .f32: return joule_ffi_type_float()
        case .f64: return joule_ffi_type_double()
        }
    }

    /// Calls the function with the features of `layer`, converted to the declared types.
    ///
    /// - Returns: the result in SI units, or a message when a feature does not fit its
    ///   declared type (a 3-billion-element tensor passed as i32).
    func call(layer: LayerDescriptor, profile: HardwareProfile) -> Result<Double, FailureMessage> {
        // Each argument gets an 8-byte, 8-aligned slot, enough for any of the four types.
        let count = spec.arguments.count
        let storage = UnsafeMutablePointer<UInt64>.allocate(capacity: max(count, 1))
        let pointers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(count, 1))
        defer {
            storage.deallocate()
            pointers.deallocate()
        }
        for (i, argument) in spec.arguments.enumerated() {
            let value = argument.feature.value(for: layer, on: profile)
            let slot = UnsafeMutableRawPointer(storage + i)
            switch argument.type {
            case .i32:
                guard value.rounded() == value, let exact = Int32(exactly: value) else {
                    return .failure(FailureMessage("feature \(argument.feature.rawValue) = \(value) does not fit an i32 argument"))
                }
                slot.storeBytes(of: exact, as: Int32.self)
            case .i64:
                guard value.rounded() == value, let exact = Int64(exactly: value) else {
                    return .failure(FailureMessage("feature \(argument.feature.rawValue) = \(value) does not fit an i64 argument"))
                }
                slot.storeBytes(of: exact, as: Int64.self)
            case .f32:
                slot.storeBytes(of: Float(value), as: Float.self)
            case .f64:
                slot.storeBytes(of: value, as: Double.self)
            }
            pointers[i] = slot
        }
        // libffi widens integer returns to ffi_arg (8 bytes here); 16 bytes covers every case.
        var result: (UInt64, UInt64) = (0, 0)
        let raw: Double = withUnsafeMutableBytes(of: &result) { buffer in
            ffi_call(cif, unsafeBitCast(address, to: (@convention(c) () -> Void).self), buffer.baseAddress, count == 0 ? nil : pointers)
            switch spec.returnType {
            case .i32: return Double(Int32(truncatingIfNeeded: buffer.load(as: Int64.self)))
            case .i64: return Double(buffer.load(as: Int64.self))
            case .f32: return Double(buffer.load(as: Float.self))
            case .f64: return buffer.load(as: Double.self)
            }
        }
        return .success(raw * spec.unitFactor)
    }
}

/// A cost model made of C functions named by an FFI manifest.
final class FFICostModel: CostModelProvider, @unchecked Sendable {
    let id: String
    let version: String
    let description: String
    let capabilities: EstimateFlags
    let options: [OptionInfo] = []
    let hasNetworkTerms = false
    let quality: Int
    let functions: [FFIFunction]

    init(model: FFIManifest.CostModel, functions: [FFIFunction]) {
        self.id = model.id
        self.version = model.version
        self.description = model.description
        self.quality = model.quality
        self.functions = functions
        var capabilities: EstimateFlags = []
        for function in functions {
            switch function.spec.quantity {
            case .time: capabilities.insert(.time)
            case .power: capabilities.insert(.power)
            case .energy: capabilities.insert(.energy)
            }
        }
        self.capabilities = capabilities
    }

    func makeInstance(profile: ProfileEntry, options: [String: String]) throws(CostModelFailure) -> any CostModelInstance {
        FFICostInstance(model: self, profile: profile.profile)
    }
}

final class FFICostInstance: CostModelInstance {
    let model: FFICostModel
    let profile: HardwareProfile

    init(model: FFICostModel, profile: HardwareProfile) {
        self.model = model
        self.profile = profile
    }

    private func functions(for layer: LayerDescriptor) -> [FFIFunction] {
        model.functions.filter {
            $0.spec.operation == layer.operation && ($0.spec.direction == nil || $0.spec.direction == layer.direction)
        }
    }

    func support(for layer: LayerDescriptor) -> LayerSupport {
        functions(for: layer).isEmpty
            ? .declined(reason: "the manifest has no function for \(layer.operation.name) layers (\(layer.direction.name))")
            : .supported(quality: model.quality)
    }

    func estimate(_ layer: LayerDescriptor) throws(CostModelFailure) -> Estimate {
        let matching = functions(for: layer)
        guard !matching.isEmpty else {
            throw CostModelFailure(status: JOULE_UNSUPPORTED,
                                   message: "the manifest has no function for \(layer.operation.name) layers (\(layer.direction.name))")
        }
        var estimate = Estimate()
        for function in matching {
            switch function.call(layer: layer, profile: profile) {
            case .failure(let failure):
                throw CostModelFailure(status: JOULE_INVALID_ARGUMENT, message: "\(function.spec.symbol): \(failure.text)")
            case .success(let value):
                switch function.spec.quantity {
                case .time: estimate.timeSeconds = value
                case .power: estimate.powerWatts = value
                case .energy: estimate.energyJoules = value
                }
            }
        }
        return estimate
    }

    func estimateNetwork(_ network: PreparedNetwork) throws(CostModelFailure) -> [NetworkTerm] {
        throw CostModelFailure(status: JOULE_UNSUPPORTED, message: "FFI cost models have no network-level terms")
    }

    func estimate(_ batch: LayerBatch) throws(BatchFailure) {
        batch.resetResults()
        for (i, layer) in batch.layers.enumerated() {
            do {
                try estimate(layer).write(into: batch.buffer.results + i)
            } catch {
                throw BatchFailure(index: i, failure: error)
            }
        }
    }
}

/// A one-line failure message used where a `Result` needs an error type.
struct FailureMessage: Error, Sendable, Equatable {
    var text: String
    init(_ text: String) { self.text = text }
}
