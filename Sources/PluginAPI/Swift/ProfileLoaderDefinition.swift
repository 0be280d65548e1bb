/// Describes a reader of drop-in hardware-profile files, published as a
/// `joule_profile_loader`.
///
///     ProfileLoaderDefinition(id: "json", description: "GPU profile files in JSON",
///                             fileSuffix: ".json") { path in try readProfile(at: path) }
///
/// Throw `PluginError` (or any error) with a message naming the field; the host adds the
/// file name.
public struct ProfileLoaderDefinition: Sendable {
    public var id: String
    public var description: String
    public var fileSuffix: String
    let load: @Sendable (String) throws -> HardwareProfile

    public init(id: String, description: String, fileSuffix: String,
                load: @escaping @Sendable (_ path: String) throws -> HardwareProfile) {
        self.id = id
        self.description = description
        self.fileSuffix = fileSuffix
        self.load = load
    }

    func makeDescriptor() -> UnsafePointer<joule_profile_loader> {
        var d = joule_profile_loader()
        d.struct_size = abiSize(of: joule_profile_loader.self)
        d.id = Permanent.cString(id)
        d.description = Permanent.cString(description)
        d.file_suffix = Permanent.cString(fileSuffix)
        d.plugin_data = Unmanaged.passRetained(LoaderBox(load)).toOpaque()
        d.load_file = profileLoaderLoad
        return Permanent.value(d)
    }
}

private final class LoaderBox {
    let load: (String) throws -> HardwareProfile
    init(_ load: @escaping (String) throws -> HardwareProfile) { self.load = load }
}

private let profileLoaderLoad: @convention(c) (
    UnsafePointer<joule_profile_loader>?, UnsafePointer<CChar>?,
    UnsafeMutablePointer<UnsafePointer<joule_hardware_profile>?>?, UnsafeMutablePointer<joule_error>?
) -> joule_status = { loader, path, out, error in
    guard let loader, let box = loader.pointee.plugin_data, let path = String(optionalCString: path), let out else {
        error?.pointee.set("load_file: a required argument is NULL")
        return JOULE_INVALID_ARGUMENT
    }
    let load = Unmanaged<LoaderBox>.fromOpaque(box).takeUnretainedValue().load
    return withPluginErrors(error) {
        out.pointee = try load(path).makeDescriptor()
    }
}
