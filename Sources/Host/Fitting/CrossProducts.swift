import Foundation

/// The weighted cross-products of a set of rows, XᵀWX and XᵀWy: all a Lasso solve needs.
///
/// Building XᵀWX costs O(n·p²) and is the expensive step of a fit (15,000 rows × 600
/// columns is 2.7·10⁹ multiply-adds); every coordinate-descent step after it is O(p). Cross-
/// validation needs the products of each fold's training rows, and since products of
/// disjoint row sets add up, they come from one pass over the data: build each fold's
/// held-out products, sum them for the whole set, and subtract a fold's from the sum to get
/// its training products.
///
///     let heldOut = CrossProducts(problem, rows: foldRows)
///     let training = CrossProducts(problem) - heldOut   // equals CrossProducts(problem, rows: others)
public struct CrossProducts: Sendable {
    /// p, the number of columns.
    public let columns: Int
    /// How many rows were summed: the n of the objective's 1/2n.
    public private(set) var rows: Int
    /// XᵀWX, p×p, symmetric, row-major: Σᵢ wᵢ·xᵢⱼ·xᵢₖ at `j * columns + k`.
    public private(set) var gram: [Double]
    /// XᵀWy, p values: Σᵢ wᵢ·xᵢⱼ·yᵢ.
    public private(set) var moment: [Double]

    /// The products of the given rows of `problem` (all rows when `rows` is nil).
    ///
    /// Sums in a fixed order whatever the thread count, so results repeat exactly.
    ///
    /// - Complexity: O(rows·p²), spread over the processor's cores.
    public init(_ problem: LassoProblem, rows: [Int]? = nil) {
        let indices = rows ?? Array(0..<problem.rows)
        precondition(indices.allSatisfy { $0 >= 0 && $0 < problem.rows }, "a row index is out of range")
        let p = problem.columns
        columns = p
        self.rows = indices.count
        var gram = [Double](repeating: 0, count: p * p)
        var moment = [Double](repeating: 0, count: p)
        problem.design.withUnsafeBufferPointer { design in
            problem.weights.withUnsafeBufferPointer { weights in
                gram.withUnsafeMutableBufferPointer { gram in
                    Self.accumulateUpperTriangle(
                        design: design.baseAddress!, weights: weights.baseAddress!, columns: p,
                        rows: indices, gram: gram.baseAddress!)
                }
            }
        }
        for j in 0..<p {
            for k in 0..<j { gram[j * p + k] = gram[k * p + j] }
        }
        for i in indices {
            let wy = problem.weights[i] * problem.target[i]
            if wy == 0 { continue }
            let base = i * p
            for k in 0..<p { moment[k] += wy * problem.design[base + k] }
        }
        self.gram = gram
        self.moment = moment
    }

    private init(columns: Int, rows: Int, gram: [Double], moment: [Double]) {
        self.columns = columns
        self.rows = rows
        self.gram = gram
        self.moment = moment
    }

    /// The products of the union of two disjoint row sets.
    public static func + (lhs: CrossProducts, rhs: CrossProducts) -> CrossProducts {
        precondition(lhs.columns == rhs.columns, "adding products of \(lhs.columns) and \(rhs.columns) columns")
        return CrossProducts(
            columns: lhs.columns, rows: lhs.rows + rhs.rows,
            gram: zip(lhs.gram, rhs.gram).map(+), moment: zip(lhs.moment, rhs.moment).map(+))
    }

    /// The products of `lhs`'s rows less `rhs`'s, which must be among them.
    ///
    /// Subtraction cancels: when a column's remaining sum of squares is below 10⁻¹² of what
    /// it was, the remainder is rounding noise rather than data, and scaling it to unit RMS
    /// would invent a column. Such a column is set to exactly zero (so the Lasso gives it
    /// β = 0), as it would be had its remaining entries been zero.
    public static func - (lhs: CrossProducts, rhs: CrossProducts) -> CrossProducts {
        precondition(lhs.columns == rhs.columns, "subtracting products of \(rhs.columns) from \(lhs.columns) columns")
        precondition(rhs.rows <= lhs.rows, "subtracting \(rhs.rows) rows from \(lhs.rows)")
        let p = lhs.columns
        var result = CrossProducts(
            columns: p, rows: lhs.rows - rhs.rows,
            gram: zip(lhs.gram, rhs.gram).map(-), moment: zip(lhs.moment, rhs.moment).map(-))
        for j in 0..<p where result.gram[j * p + j] <= 1e-12 * lhs.gram[j * p + j] {
            for k in 0..<p {
                result.gram[j * p + k] = 0
                result.gram[k * p + j] = 0
            }
            result.moment[j] = 0
        }
        return result
    }

    // MARK: The O(n·p²) kernel

    /// Rows per block: a block of 600-column rows (128 × 4.8 KB) stays in a core's L2 cache
    /// while every row of the Gram matrix passes over it.
    private static let rowBlock = 128

    /// Adds Σ wᵢ·xᵢⱼ·xᵢₖ over `rows` to `gram` for k ≥ j (the upper triangle).
    ///
    /// Each Gram row j is an axpy over the data rows, four at a time so that the Gram row is
    /// loaded and stored once per four data rows; the compiler vectorises the k loop. Gram
    /// rows are dealt to the cores in turn (j = core, core + cores, …), which balances the
    /// triangle's uneven rows and keeps each Gram entry on one thread, so the order of the
    /// sums never depends on scheduling.
    private static func accumulateUpperTriangle(
        design: UnsafePointer<Double>, weights: UnsafePointer<Double>, columns p: Int, rows: [Int],
        gram: UnsafeMutablePointer<Double>
    ) {
        let work = Double(rows.count) * Double(p) * Double(p)
        let workers = work < 4e6 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, p))
        let rowCount = rows.count
        // Unsafe pointers are not Sendable; each worker writes only its own Gram rows.
        nonisolated(unsafe) let design = design, weights = weights, gram = gram
        rows.withUnsafeBufferPointer { rowBuffer in
            nonisolated(unsafe) let rowIndex = rowBuffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var blockStart = 0
                while blockStart < rowCount {
                    let blockEnd = min(blockStart + rowBlock, rowCount)
                    var j = worker
                    while j < p {
                        addBlock(design: design, weights: weights, columns: p, rowIndex: rowIndex,
                                 from: blockStart, to: blockEnd, gramRow: j, gram: gram + j * p)
                        j += workers
                    }
                    blockStart = blockEnd
                }
            }
        }
    }

    /// gram[k] += Σ over rows r in start..<end of w·x[r, j]·x[r, k], for k in j..<p.
    @inline(__always)
    private static func addBlock(
        design: UnsafePointer<Double>, weights: UnsafePointer<Double>, columns p: Int,
        rowIndex: UnsafePointer<Int>, from start: Int, to end: Int, gramRow j: Int,
        gram: UnsafeMutablePointer<Double>
    ) {
        var r = start
        while r + 4 <= end {
            let x0 = design + rowIndex[r] * p, x1 = design + rowIndex[r + 1] * p
            let x2 = design + rowIndex[r + 2] * p, x3 = design + rowIndex[r + 3] * p
            let a0 = weights[rowIndex[r]] * x0[j], a1 = weights[rowIndex[r + 1]] * x1[j]
            let a2 = weights[rowIndex[r + 2]] * x2[j], a3 = weights[rowIndex[r + 3]] * x3[j]
            r += 4
            // Feature columns are often zero for whole layer kinds; skip those rows cheaply.
            if a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0 { continue }
            var k = j
            while k < p {
                gram[k] += a0 * x0[k] + a1 * x1[k] + a2 * x2[k] + a3 * x3[k]
                k += 1
            }
        }
        while r < end {
            let x0 = design + rowIndex[r] * p
            let a0 = weights[rowIndex[r]] * x0[j]
            r += 1
            if a0 == 0 { continue }
            var k = j
            while k < p {
                gram[k] += a0 * x0[k]
                k += 1
            }
        }
    }
}
