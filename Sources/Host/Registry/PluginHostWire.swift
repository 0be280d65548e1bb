import PluginAPI

/// The byte format of the messages between Joule and an isolated plugin host
/// (`joule plugin-host`), version 1.
///
/// Why binary and not JSON: the isolated path must give the same numbers as the
/// in-process one, bit for bit, and a double's bit pattern survives a binary round trip
/// with no formatting or parsing rules to get right (NaN payloads and negative zeros
/// included). It is also cheap enough that `--isolate-plugins` costs a few system calls
/// per estimate, not a text encoder per layer.
///
/// Framing: every message is a `UInt32` payload length, little-endian, then the payload;
/// the payload's first byte is its ``PluginHostMessage`` kind. Integers are little-endian,
/// doubles their IEEE-754 bit pattern as a `UInt64`, strings a `UInt32` byte count and
/// UTF-8, arrays a `UInt32` count and the elements, optionals a presence byte and the
/// value. The first message each way is a hello that carries ``PluginHostWire/magic``
/// and ``PluginHostWire/version``: a host and a helper that disagree stop at once with a
/// message, rather than misread each other (they are the same executable, so this only
/// guards against a file replaced while Joule runs).
public enum PluginHostWire {
    /// Opens every hello: "JOULEPH" and a NUL.
    public static let magic: [UInt8] = Array("JOULEPH\0".utf8)
    /// Bumped whenever any message changes shape.
    public static let version: UInt16 = 1
    /// The largest payload either side accepts: a length beyond it means the stream is
    /// corrupt (a plugin wrote to the wrong file descriptor, say), not a big network.
    public static let maximumPayload = 256 << 20
}

/// The kind byte that opens a payload.
enum PluginHostMessage: UInt8 {
    // Joule → helper.
    case hello = 1
    case support = 2
    case estimateLayer = 3
    /// A batch of layers, sent with its descriptors (a batch the helper has not seen).
    case estimateNewBatch = 4
    /// The batch sent last, again (a plan estimated repeatedly: a benchmark, a search's
    /// re-score).
    case estimateSameBatch = 5
    case estimateNewNetwork = 6
    case estimateSameNetwork = 7

    // Helper → Joule.
    case ready = 64
    case failed = 65
    case supportAnswer = 66
    case estimateAnswer = 67
    case batchAnswer = 68
    case batchFailed = 69
    case networkAnswer = 70
}

/// Appends values to a payload.
struct WireWriter {
    private(set) var bytes: [UInt8] = [0, 0, 0, 0]

    init(_ kind: PluginHostMessage) {
        bytes.append(kind.rawValue)
    }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func i32(_ value: Int32) { u32(UInt32(bitPattern: value)) }
    mutating func i64(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func f64(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
    mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }
    mutating func count(_ value: Int) { u32(UInt32(value)) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        count(utf8.count)
        bytes += utf8
    }

    mutating func optional<T>(_ value: T?, _ write: (inout WireWriter, T) -> Void) {
        if let value {
            u8(1)
            write(&self, value)
        } else {
            u8(0)
        }
    }

    /// The framed message: the length prefix filled in.
    var framed: [UInt8] {
        var out = bytes
        let length = UInt32(out.count - 4).littleEndian
        withUnsafeBytes(of: length) { for i in 0..<4 { out[i] = $0[i] } }
        return out
    }
}

/// A payload that does not parse: a bug or a corrupt stream, never a plugin's answer.
struct WireError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads values from a payload, failing on anything short or out of range.
struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(payload: [UInt8]) { bytes = payload }

    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else { throw WireError("message ends early (wanted \(n) bytes at \(offset) of \(bytes.count))") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(WireError) -> T {
        let slice = try take(MemoryLayout<T>.size)
        var value: T = 0
        for (i, byte) in slice.enumerated() { value |= T(truncatingIfNeeded: byte) << (8 * i) }
        return value
    }

    mutating func u8() throws(WireError) -> UInt8 { try integer(UInt8.self) }
    mutating func u16() throws(WireError) -> UInt16 { try integer(UInt16.self) }
    mutating func u32() throws(WireError) -> UInt32 { try integer(UInt32.self) }
    mutating func i32() throws(WireError) -> Int32 { Int32(bitPattern: try u32()) }
    mutating func i64() throws(WireError) -> Int64 { try integer(Int64.self) }
    mutating func f64() throws(WireError) -> Double { Double(bitPattern: try integer(UInt64.self)) }
    mutating func bool() throws(WireError) -> Bool { try u8() != 0 }

    /// A count, checked against what is left so a corrupt one cannot ask for gigabytes.
    mutating func count(elementSize: Int = 1) throws(WireError) -> Int {
        let n = Int(try u32())
        guard n * max(elementSize, 1) <= bytes.count - offset else { throw WireError("count \(n) exceeds the message") }
        return n
    }

    mutating func string() throws(WireError) -> String {
        let n = try count()
        return String(decoding: try take(n), as: UTF8.self)
    }

    mutating func bytes(_ n: Int) throws(WireError) -> [UInt8] { Array(try take(n)) }

    mutating func optional<T>(_ read: (inout WireReader) throws(WireError) -> T) throws(WireError) -> T? {
        try u8() == 0 ? nil : try read(&self)
    }

    mutating func array<T>(elementSize: Int = 1, _ read: (inout WireReader) throws(WireError) -> T) throws(WireError) -> [T] {
        let n = try count(elementSize: elementSize)
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }
}

// MARK: - The values that cross

extension WireWriter {
    mutating func layer(_ l: LayerDescriptor) {
        string(l.name)
        string(l.typeName)
        u32(l.operation.rawValue)
        u32(l.variant)
        u32(l.direction.rawValue)
        u32(l.flags.rawValue)
        u32(l.precision.rawValue)
        i64(l.batch)
        count(l.inputShapes.count)
        for shape in l.inputShapes {
            count(shape.count)
            for d in shape { i64(d) }
        }
        count(l.outputShape.count)
        for d in l.outputShape { i64(d) }
        u32(l.paddingMode.rawValue)
        for v in [l.kernel.height, l.kernel.width, l.stride.height, l.stride.width, l.padding.top, l.padding.bottom,
                  l.padding.left, l.padding.right, l.dilation.height, l.dilation.width, l.groups, l.params] { i64(v) }
        for v in [l.flops, l.inputBytes, l.outputBytes, l.weightBytes] { f64(v) }
        optional(l.device) { $0.string($1) }
        count(l.inputDevices.count)
        for device in l.inputDevices { optional(device) { $0.string($1) } }
        i64(l.specBatch)
    }

    mutating func network(_ n: NetworkDescriptor) {
        string(n.name)
        bool(n.isTraining)
        i64(n.batch)
        u32(n.precision.rawValue)
        count(n.layers.count)
        for layer in n.layers { self.layer(layer) }
        i64(n.params)
        f64(n.weightBytes)
        count(n.parents.count)
        for parents in n.parents {
            count(parents.count)
            for p in parents { u32(UInt32(p)) }
        }
    }

    mutating func estimate(_ e: Estimate) {
        for value in [e.timeSeconds, e.powerWatts, e.energyJoules, e.computeSeconds, e.memorySeconds, e.flops, e.memoryBytes] {
            optional(value) { $0.f64($1) }
        }
        bool(e.extrapolated)
        optional(e.detail) { $0.string($1) }
    }

    /// A `joule_estimate` exactly as the plugin left it, unflagged fields included: the
    /// host's checks and sums read the raw struct, so the raw struct is what crosses.
    mutating func rawEstimate(_ e: UnsafePointer<joule_estimate>) {
        let d = e.pointee
        u32(d.flags)
        for v in [d.time_seconds, d.power_watts, d.energy_joules, d.compute_seconds, d.memory_seconds, d.flops, d.memory_bytes] {
            f64(v)
        }
        if d.flags & JOULE_ESTIMATE_DETAIL != 0, let detail = d.detail, d.detail_capacity > 0 {
            detail[d.detail_capacity - 1] = 0
            string(String(cString: detail))
        } else {
            string("")
        }
    }

    mutating func term(_ t: NetworkTerm) {
        string(t.name)
        u32(t.kind.rawValue)
        u32(t.phase.rawValue)
        for value in [t.timeSeconds, t.powerWatts, t.energyJoules, t.computeSeconds, t.memorySeconds] {
            optional(value) { $0.f64($1) }
        }
    }

    mutating func failure(_ f: CostModelFailure) {
        i32(f.status)
        string(f.message)
    }
}

extension WireReader {
    mutating func layer() throws(WireError) -> LayerDescriptor {
        let name = try string(), typeName = try string()
        let operation = LayerOperation(rawValue: try u32())
        let variant = try u32()
        guard let direction = PassDirection(rawValue: try u32()) else { throw WireError("unknown pass direction") }
        let flags = LayerFlags(rawValue: try u32())
        guard let precision = Precision(rawValue: try u32()) else { throw WireError("unknown precision") }
        let batch = try i64()
        let inputShapes = try array(elementSize: 4) { (r: inout WireReader) throws(WireError) in try r.array(elementSize: 8) { (r: inout WireReader) throws(WireError) in try r.i64() } }
        let outputShape = try array(elementSize: 8) { (r: inout WireReader) throws(WireError) in try r.i64() }
        guard let paddingMode = PaddingMode(rawValue: try u32()) else { throw WireError("unknown padding mode") }
        var v: [Int64] = []
        for _ in 0..<12 { v.append(try i64()) }
        let flops = try f64(), inputBytes = try f64(), outputBytes = try f64(), weightBytes = try f64()
        let device = try optional { (r: inout WireReader) throws(WireError) in try r.string() }
        let inputDevices = try array { (r: inout WireReader) throws(WireError) in try r.optional { (r: inout WireReader) throws(WireError) in try r.string() } }
        let specBatch = try i64()
        return LayerDescriptor(
            name: name, typeName: typeName, operation: operation, variant: variant, direction: direction, flags: flags,
            precision: precision, batch: batch, inputShapes: inputShapes, outputShape: outputShape, paddingMode: paddingMode,
            kernel: .init(height: v[0], width: v[1]), stride: .init(height: v[2], width: v[3]),
            padding: .init(top: v[4], bottom: v[5], left: v[6], right: v[7]), dilation: .init(height: v[8], width: v[9]),
            groups: v[10], params: v[11], flops: flops, inputBytes: inputBytes, outputBytes: outputBytes,
            weightBytes: weightBytes, device: device, inputDevices: inputDevices, specBatch: specBatch)
    }

    mutating func network() throws(WireError) -> NetworkDescriptor {
        let name = try string()
        let isTraining = try bool()
        let batch = try i64()
        guard let precision = Precision(rawValue: try u32()) else { throw WireError("unknown precision") }
        let layers = try array(elementSize: 8) { (r: inout WireReader) throws(WireError) in try r.layer() }
        let params = try i64()
        let weightBytes = try f64()
        let parents = try array(elementSize: 4) { (r: inout WireReader) throws(WireError) in
            try r.array(elementSize: 4) { (r: inout WireReader) throws(WireError) in Int(try r.u32()) }
        }
        return NetworkDescriptor(name: name, isTraining: isTraining, batch: batch, precision: precision, layers: layers,
                                 params: params, weightBytes: weightBytes, parents: parents)
    }

    private mutating func optionalDouble() throws(WireError) -> Double? {
        try optional { (r: inout WireReader) throws(WireError) in try r.f64() }
    }

    mutating func estimate() throws(WireError) -> Estimate {
        Estimate(timeSeconds: try optionalDouble(), powerWatts: try optionalDouble(), energyJoules: try optionalDouble(),
                 computeSeconds: try optionalDouble(), memorySeconds: try optionalDouble(), flops: try optionalDouble(),
                 memoryBytes: try optionalDouble(), extrapolated: try bool(),
                 detail: try optional { (r: inout WireReader) throws(WireError) in try r.string() })
    }

    /// Fills a host-owned `joule_estimate` (zeroed, with its detail buffer) as the plugin
    /// in the helper filled its own.
    mutating func rawEstimate(into out: UnsafeMutablePointer<joule_estimate>) throws(WireError) {
        out.pointee.flags = try u32()
        out.pointee.time_seconds = try f64()
        out.pointee.power_watts = try f64()
        out.pointee.energy_joules = try f64()
        out.pointee.compute_seconds = try f64()
        out.pointee.memory_seconds = try f64()
        out.pointee.flops = try f64()
        out.pointee.memory_bytes = try f64()
        let detail = Array(try string().utf8)
        if let buffer = out.pointee.detail, out.pointee.detail_capacity > 0 {
            let n = min(detail.count, out.pointee.detail_capacity - 1)
            for i in 0..<n { buffer[i] = CChar(bitPattern: detail[i]) }
            buffer[n] = 0
        }
    }

    mutating func term() throws(WireError) -> NetworkTerm {
        let name = try string()
        guard let kind = NetworkTermKind(rawValue: try u32()), let phase = NetworkPhase(rawValue: try u32()) else {
            throw WireError("unknown network term kind or phase")
        }
        return NetworkTerm(name: name, kind: kind, phase: phase, timeSeconds: try optionalDouble(),
                           powerWatts: try optionalDouble(), energyJoules: try optionalDouble(),
                           computeSeconds: try optionalDouble(), memorySeconds: try optionalDouble())
    }

    mutating func failure() throws(WireError) -> CostModelFailure {
        CostModelFailure(status: try i32(), message: try string())
    }
}
