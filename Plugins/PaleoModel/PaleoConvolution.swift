import PluginAPI

/// A convolution as Paleo's Conv2d models it, including the "dummy" convolutions its
/// backward passes are expressed as (after TensorFlow's ConvBackprop padding logic).
struct PaleoConvolution {
    enum Padding: Equatable {
        case same, valid
        case explicit(Int64, Int64)
    }

    enum HolePosition { case filters, inputs }

    typealias Quad = (Int64, Int64, Int64, Int64)

    /// [N, H, W, C].
    var inputs: Quad
    /// [kh, kw, C_in, C_out].
    var filters: Quad
    var strideH: Int64
    var strideW: Int64
    var isValidPadding: Bool
    var padH: Int64
    var padW: Int64
    var outputs: Quad
    var percentHoles: Double = 0
    var holePosition: HolePosition = .filters
    /// False when the input channels do not match or an output dimension is below 1
    /// (where Paleo would fail). Not an Optional: wrapping this struct would copy it, and
    /// this runs for every layer-pass.
    var isValid: Bool

    /// Builds the convolution and infers its output and padding with Paleo's rules.
    @inline(__always)
    init(inputs: Quad, filters: Quad, strideH: Int64, strideW: Int64, padding: Padding) {
        self.inputs = inputs
        self.filters = filters
        self.strideH = max(strideH, 1)
        self.strideW = max(strideW, 1)
        isValidPadding = padding == .valid
        let (h, w) = (inputs.1, inputs.2)
        let outH: Int64, outW: Int64
        switch padding {
        case .valid:
            outH = ceilDivide(h - filters.0 + 1, strideH)
            outW = ceilDivide(w - filters.1 + 1, strideW)
            padH = 0
            padW = 0
        case .same:
            outH = ceilDivide(h, strideH)
            outW = ceilDivide(w, strideW)
            padH = floorDivide((outH &- 1) &* strideH &+ filters.0 &- h, 2)
            padW = floorDivide((outW &- 1) &* strideW &+ filters.1 &- w, 2)
        case .explicit(let ph, let pw):
            padH = ph
            padW = pw
            outH = floorDivide(h + 2 * ph - filters.0, strideH) + 1
            outW = floorDivide(w + 2 * pw - filters.1, strideW) + 1
        }
        outputs = (inputs.0, outH, outW, filters.3)
        isValid = filters.2 == inputs.3 && strideH > 0 && strideW > 0 && outH >= 1 && outW >= 1
    }

    /// The convolution a host's layer describes; `isValid` is false when Paleo cannot model
    /// it (`PaleoLayer.check` says why).
    @inline(__always)
    init(layer: UnsafePointer<joule_layer>) {
        let usable = layer.pointee.groups <= 1 && layer.pointee.dilation.0 <= 1 && layer.pointee.dilation.1 <= 1
            && layer.pointee.input_count >= 1 && layer.pointee.inputs != nil && layer.pointee.inputs![0].rank == 4
            && layer.pointee.output.rank == 4
        let input = usable ? quad(layer.pointee.inputs!) : (1, 1, 1, 1)
        let output = outputQuad(layer)
        let padding: Padding
        switch Int32(bitPattern: layer.pointee.padding_mode) {
        case JOULE_PADDING_SAME: padding = .same
        case JOULE_PADDING_VALID: padding = .valid
        default: padding = .explicit(layer.pointee.padding.0, layer.pointee.padding.2)
        }
        self.init(inputs: input, filters: (layer.pointee.kernel.0, layer.pointee.kernel.1, input.3, output.3),
                  strideH: layer.pointee.stride.0, strideW: layer.pointee.stride.1, padding: padding)
        isValid = isValid && usable
    }

    /// A gradient convolution: stride 1, padding given, output computed as Paleo's Conv2d
    /// would compute it (possibly not what the gradient should give back; callers check).
    @inline(__always)
    private init(gradientInputs inputs: Quad, filters: Quad, padH: Int64, padW: Int64, valid: Bool,
                 percentHoles: Double, holePosition: HolePosition) {
        self.inputs = inputs
        self.filters = filters
        strideH = 1
        strideW = 1
        isValidPadding = valid
        self.padH = valid ? 0 : padH
        self.padW = valid ? 0 : padW
        outputs = (inputs.0, inputs.1 &+ 2 &* self.padH &- filters.0 &+ 1, inputs.2 &+ 2 &* self.padW &- filters.1 &+ 1, filters.3)
        self.percentHoles = percentHoles
        self.holePosition = holePosition
        isValid = true
    }

    var holesInFilters: Double { holePosition == .filters ? percentHoles : 0 }
    var holesInInputs: Double { holePosition == .inputs ? percentHoles : 0 }

    enum GradientTarget { case inputs, filters }

    /// Paleo's `gradients(wrt:)`: the convolution that computes the gradient.
    @inline(__always)
    func gradient(wrt target: GradientTarget) -> PaleoConvolution {
        // Wrapping arithmetic: the host bounds every dimension (2^37 elements per tensor), so
        // these cannot overflow, and overflow checks cost more than the arithmetic here.
        var expandedH = (outputs.1 &- 1) &* strideH &+ 1
        var expandedW = (outputs.2 &- 1) &* strideW &+ 1
        let paddedOutH = inputs.1 &+ filters.0 &- 1
        let paddedOutW = inputs.2 &+ filters.1 &- 1
        let beforeH = filters.0 &- 1 &- padH
        let beforeW = filters.1 &- 1 &- padW
        let afterH = paddedOutH &- expandedH &- beforeH
        let afterW = paddedOutW &- expandedW &- beforeW
        if beforeH &- afterH == 1 || afterH &- beforeH == 1 { expandedH &+= 1 }
        if beforeW &- afterW == 1 || afterW &- beforeW == 1 { expandedW &+= 1 }
        let pH = min(beforeH, afterH)
        let pW = min(beforeW, afterW)
        let holes = expandedH &* expandedW &- outputs.1 &* outputs.2
        // Stride-1 layers have no holes: skip the two divisions.
        let percent = holes == 0 ? 0 : Double(holes) / Double(expandedH) / Double(expandedW)
        switch target {
        case .inputs:
            return PaleoConvolution(
                gradientInputs: (outputs.0, expandedH, expandedW, outputs.3), filters: (filters.0, filters.1, filters.3, filters.2),
                padH: pH, padW: pW, valid: false, percentHoles: percent, holePosition: .inputs)
        case .filters:
            return PaleoConvolution(
                gradientInputs: (inputs.3, inputs.1, inputs.2, inputs.0), filters: (expandedH, expandedW, outputs.0, outputs.3),
                padH: pH, padW: pW, valid: isValidPadding, percentHoles: percent, holePosition: .filters)
        }
    }

    /// `_profile_conv2d_gemm`: one compute term and three memory terms.
    @inline(__always)
    func gemm(on device: PaleoDevice) -> PaleoTime {
        // Products of Paleo's Python integers, in Double: exact below 2^53 in any order (so
        // paired for a short dependency chain), and no trap on absurd sizes.
        let window = d(filters.0) * d(filters.1)
        let filterElements = (window * d(filters.2)) * d(filters.3)
        let outputPlane = d(outputs.1) * d(outputs.2)
        let outputElements = (d(outputs.0) * outputPlane) * d(outputs.3)
        var flops = ((2 * window) * (d(filters.2) * outputPlane)) * (d(filters.3) * d(inputs.0))
        flops *= 1.0 - holesInFilters
        if holesInInputs > 0 {
            flops += ((2 * d(inputs.0)) * (d(inputs.1) * d(inputs.2))) * d(inputs.3) * (1.0 - holesInInputs)
        }
        let inputBytes = (d(inputs.0) * d(inputs.1 + 2 * padH)) * (d(inputs.2 + 2 * padW) * d(inputs.3)) * 4
        let filterBytes = filterElements * (1.0 - holesInFilters) * 4
        let outputBytes = outputElements * 4
        var memory = device.memoryMilliseconds(inputBytes)
        memory += device.memoryMilliseconds(filterBytes)
        memory += device.memoryMilliseconds(outputBytes)
        let compute = device.computeMilliseconds(flops)
        return PaleoTime(compute: compute, memory: memory, flops: flops, bytes: inputBytes + filterBytes + outputBytes)
    }
}

@inline(__always)
func d(_ value: Int64) -> Double { Double(value) }

/// Python's floor division. Strides of 1 and 2 (nearly all of them) skip the hardware
/// divide, which costs more than the rest of a layer's geometry.
@inline(__always)
func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    if b == 1 { return a }
    if b == 2 { return a >> 1 }  // an arithmetic shift floors, as Python does
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// `math.ceil(float(a) / float(b))` for b > 0 and exact-sized integers.
@inline(__always)
func ceilDivide(_ a: Int64, _ b: Int64) -> Int64 {
    -floorDivide(-a, b)
}
