/// A descriptor a plugin handed over breaks the ABI's rules (a NULL name, a count with no
/// array, a struct too small for ABI 1.0).
///
/// The host turns it into a rejection of the plugin that names the component and field.
public struct DescriptorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending field, e.g. "cost_models[1].id".
    public var field: String
    /// What is wrong with it.
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field): \(problem)" }

    /// Prefixes the field with the path of the struct that holds it.
    public func within(_ parent: String) -> DescriptorError {
        DescriptorError(field: "\(parent).\(field)", problem: problem)
    }
}

/// Reads a string field that the ABI says is never NULL.
func requiredString(_ pointer: UnsafePointer<CChar>?, field: String) throws(DescriptorError) -> String {
    guard let value = String(optionalCString: pointer) else {
        throw DescriptorError(field: field, problem: "is NULL")
    }
    return value
}

/// Reads `count` C strings from an array that may be NULL only when `count` is 0.
func stringArray(
    _ pointer: UnsafePointer<UnsafePointer<CChar>?>?, count: UInt32, field: String
) throws(DescriptorError) -> [String] {
    guard count > 0 else { return [] }
    guard let pointer else { throw DescriptorError(field: field, problem: "is NULL but its count is \(count)") }
    guard count <= 4096 else { throw DescriptorError(field: field, problem: "count \(count) is implausibly large") }
    var result: [String] = []
    for i in 0..<Int(count) {
        result.append(try requiredString(pointer[i], field: "\(field)[\(i)]"))
    }
    return result
}

/// Checks the `struct_size` of a descriptor against the ABI 1.0 size.
func checkStructSize<T>(_ size: UInt32, of type: T.Type, minimum: Int, field: String) throws(DescriptorError) {
    guard Int(size) >= minimum else {
        throw DescriptorError(field: "\(field).struct_size",
                              problem: "is \(size), smaller than the \(minimum) bytes of ABI 1.0")
    }
}
