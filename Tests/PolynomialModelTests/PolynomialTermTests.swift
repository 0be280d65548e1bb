import PluginAPI
import Registry
import Testing
@testable import PolynomialModel

@Suite struct PolynomialTermTests {
    /// Monomials of total degree 1…d in v variables number C(v + d, d) − 1 (stars and bars).
    @Test func candidateTermCountsMatchTheCombinatorics() {
        // Convolution: 7 variables. Degree 3: C(10, 3) − 1 = 119, plus the intercept, FLOPs and bytes.
        #expect(TermSet.runtime(.convolution, degree: 3).count == 119 + 3)
        // Degree 1: the 7 variables themselves.
        #expect(TermSet.runtime(.convolution, degree: 1).count == 7 + 3)
        // Power on fully connected layers: 3 variables and their 3 logs = 6 quantities;
        // degree 2: C(8, 2) − 1 = 27, plus the intercept.
        #expect(TermSet.power(.fullyConnected, degree: 2).count == 27 + 1)
        // Terms are distinct.
        let terms = TermSet.runtime(.pooling, degree: 3)
        #expect(Set(terms).count == terms.count)
    }

    @Test func everyGeneratedTermReadsBackFromItsText() throws {
        for category in LayerCategory.allCases {
            for term in TermSet.runtime(category, degree: 3) + TermSet.power(category, degree: 2) {
                let text = term.description
                #expect(try PolynomialTerm(parsing: text, category: category) == term, "\(text)")
            }
        }
    }

    @Test func termValuesByHand() throws {
        // batch 4, in 3, out 8, input 32, output 16, kernel 3, stride 2.
        let layer = LayerConfiguration(category: .convolution, values: [4, 3, 8, 32, 16, 3, 2], flops: 1e6, memoryBytes: 5e4)
        #expect(try PolynomialTerm(parsing: "1", category: .convolution).value(layer) == 1)
        #expect(try PolynomialTerm(parsing: "batch*in_channels^2", category: .convolution).value(layer) == 4 * 9)
        #expect(try PolynomialTerm(parsing: "output_size^2*kernel_size", category: .convolution).value(layer) == 256 * 3)
        #expect(try PolynomialTerm(parsing: "log2(input_size)*batch", category: .convolution).value(layer) == 5 * 4)
        #expect(try PolynomialTerm(parsing: "flops", category: .convolution).value(layer) == 1e6)
        #expect(try PolynomialTerm(parsing: "memory_bytes", category: .convolution).value(layer) == 5e4)
        // Factors in any order and repeated names mean the same term.
        #expect(try PolynomialTerm(parsing: "in_channels*batch*in_channels", category: .convolution)
                == PolynomialTerm(parsing: "batch*in_channels^2", category: .convolution))
    }

    @Test func badTermsSayWhatIsWrong() {
        #expect(throws: PolynomialTermError.self) { try PolynomialTerm(parsing: "", category: .pooling) }
        do {
            _ = try PolynomialTerm(parsing: "batch*in_channel", category: .convolution)
            Issue.record("accepted an unknown variable")
        } catch {
            #expect(error.description.contains("unknown variable 'in_channel'"))
            #expect(error.description.contains("in_channels"))
        }
        do {
            _ = try PolynomialTerm(parsing: "batch^0", category: .activation)
            Issue.record("accepted exponent 0")
        } catch {
            #expect(error.description.contains("exponent"))
        }
    }

    /// The configuration the plugin sees, from the descriptor the host builds.
    @Test func configurationOfAConvolutionDescriptor() {
        let descriptor = LayerDescriptor(
            name: "conv", typeName: "Convolution", operation: .convolution, batch: 8,
            inputShapes: [[8, 32, 32, 16]], outputShape: [8, 16, 16, 32], kernel: .init(height: 3, width: 3),
            stride: .init(height: 2, width: 2), flops: 123, inputBytes: 10, outputBytes: 20, weightBytes: 30)
        let configuration = descriptor.withCDescriptor { LayerConfiguration(LayerView($0)) }
        #expect(configuration == LayerConfiguration(category: .convolution, values: [8, 16, 32, 32, 16, 3, 2], flops: 123, memoryBytes: 60))
        // A fully connected layer flattens its input.
        let fc = LayerDescriptor(name: "fc", typeName: "InnerProduct", operation: .fullyConnected, batch: 2,
                                 inputShapes: [[2, 4, 4, 8]], outputShape: [2, 10])
        #expect(fc.withCDescriptor { LayerConfiguration(LayerView($0)) }?.values == [2, 128, 10])
        // Operations no polynomial covers have no configuration.
        let softmax = LayerDescriptor(name: "prob", typeName: "Softmax", operation: .softmax, batch: 2,
                                      inputShapes: [[2, 10]], outputShape: [2, 10])
        #expect(softmax.withCDescriptor { LayerConfiguration(LayerView($0)) } == nil)
    }
}
