/// A convolution as Paleo's Conv2d models it, including the "dummy" convolutions its
/// backward passes are expressed as (after TensorFlow's ConvBackprop padding logic).
struct PaleoConvolution {
    enum Padding: Equatable {
        case same, valid
        case explicit(Int64, Int64)
    }

    enum HolePosition { case filters, inputs }

    /// [N, H, W, C].
    var inputs: (Int64, Int64, Int64, Int64)
    /// [kh, kw, C_in, C_out].
    var filters: (Int64, Int64, Int64, Int64)
    var strideH: Int64
    var strideW: Int64
    var padding: Padding
    var padH: Int64 = 0
    var padW: Int64 = 0
    var outputs: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
    var percentHoles: Double = 0
    var holePosition: HolePosition = .filters

    /// Builds the convolution and infers its output and padding with Paleo's rules.
    ///
    /// - Returns: `nil` when the input channels do not match or an output dimension would
    ///   be below 1 (where Paleo would fail).
    init?(inputs: (Int64, Int64, Int64, Int64), filters: (Int64, Int64, Int64, Int64), strideH: Int64, strideW: Int64,
          padding: Padding, percentHoles: Double = 0, holePosition: HolePosition = .filters) {
        self.inputs = inputs
        self.filters = filters
        self.strideH = strideH
        self.strideW = strideW
        self.padding = padding
        self.percentHoles = percentHoles
        self.holePosition = holePosition
        guard filters.2 == inputs.3, strideH > 0, strideW > 0 else { return nil }
        let (h, w) = (inputs.1, inputs.2)
        let outH: Int64, outW: Int64
        switch padding {
        case .valid:
            outH = ceilDivide(h - filters.0 + 1, strideH)
            outW = ceilDivide(w - filters.1 + 1, strideW)
        case .same:
            outH = ceilDivide(h, strideH)
            outW = ceilDivide(w, strideW)
            padH = floorDivide((outH - 1) * strideH + filters.0 - h, 2)
            padW = floorDivide((outW - 1) * strideW + filters.1 - w, 2)
        case .explicit(let ph, let pw):
            padH = ph
            padW = pw
            outH = floorDivide(h + 2 * ph - filters.0, strideH) + 1
            outW = floorDivide(w + 2 * pw - filters.1, strideW) + 1
        }
        guard outH >= 1, outW >= 1 else { return nil }
        outputs = (inputs.0, outH, outW, filters.3)
    }

    var holesInFilters: Double { holePosition == .filters ? percentHoles : 0 }
    var holesInInputs: Double { holePosition == .inputs ? percentHoles : 0 }

    enum GradientTarget { case inputs, filters }

    /// Paleo's `gradients(wrt:)`: the convolution that computes the gradient.
    func gradient(wrt target: GradientTarget) -> PaleoConvolution? {
        var expandedH = (outputs.1 - 1) * strideH + 1
        var expandedW = (outputs.2 - 1) * strideW + 1
        let paddedOutH = inputs.1 + filters.0 - 1
        let paddedOutW = inputs.2 + filters.1 - 1
        let beforeH = filters.0 - 1 - padH
        let beforeW = filters.1 - 1 - padW
        let afterH = paddedOutH - expandedH - beforeH
        let afterW = paddedOutW - expandedW - beforeW
        if abs(beforeH - afterH) == 1 { expandedH += 1 }
        if abs(beforeW - afterW) == 1 { expandedW += 1 }
        let pH = min(beforeH, afterH)
        let pW = min(beforeW, afterW)
        let holes = expandedH * expandedW - outputs.1 * outputs.2
        let percent = Double(holes) / Double(expandedH) / Double(expandedW)
        switch target {
        case .inputs:
            return PaleoConvolution(
                inputs: (outputs.0, expandedH, expandedW, outputs.3), filters: (filters.0, filters.1, filters.3, filters.2),
                strideH: 1, strideW: 1, padding: .explicit(pH, pW), percentHoles: percent, holePosition: .inputs)
        case .filters:
            return PaleoConvolution(
                inputs: (inputs.3, inputs.1, inputs.2, inputs.0), filters: (expandedH, expandedW, outputs.0, outputs.3),
                strideH: 1, strideW: 1, padding: padding == .valid ? .valid : .explicit(pH, pW),
                percentHoles: percent, holePosition: .filters)
        }
    }

    /// `_profile_conv2d_gemm`: one compute term and three memory terms.
    func gemm(on device: PaleoDevice) -> PaleoTime {
        // Products in Double, left to right as Paleo multiplies its Python integers: exact
        // below 2^53, and no trap on absurd sizes.
        var flops = 2 * d(filters.0) * d(filters.1) * d(filters.2) * d(outputs.1) * d(outputs.2) * d(filters.3) * d(inputs.0)
        flops *= 1.0 - holesInFilters
        if holesInInputs > 0 {
            flops += 2 * d(inputs.0) * d(inputs.1) * d(inputs.2) * d(inputs.3) * (1.0 - holesInInputs)
        }
        let inputBytes = d(inputs.0) * d(inputs.1 + 2 * padH) * d(inputs.2 + 2 * padW) * d(inputs.3) * 4
        let filterBytes = d(filters.0) * d(filters.1) * d(filters.2) * d(filters.3) * (1.0 - holesInFilters) * 4
        let outputBytes = d(outputs.0) * d(outputs.1) * d(outputs.2) * d(outputs.3) * 4
        var memory = device.memoryMilliseconds(inputBytes)
        memory += device.memoryMilliseconds(filterBytes)
        memory += device.memoryMilliseconds(outputBytes)
        let compute = device.computeMilliseconds(flops)
        return PaleoTime(compute: compute, memory: memory, flops: flops, bytes: inputBytes + filterBytes + outputBytes)
    }

    var inputShape: [Int64] { [inputs.0, inputs.1, inputs.2, inputs.3] }
    var outputShape: [Int64] { [outputs.0, outputs.1, outputs.2, outputs.3] }
}

@inline(__always)
func d(_ value: Int64) -> Double { Double(value) }

/// Python's floor division.
@inline(__always)
func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

/// `math.ceil(float(a) / float(b))` for b > 0 and exact-sized integers.
@inline(__always)
func ceilDivide(_ a: Int64, _ b: Int64) -> Int64 {
    -floorDivide(-a, b)
}
