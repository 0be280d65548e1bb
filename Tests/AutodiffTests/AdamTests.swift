import SeededRandom
import Testing
@testable import Autodiff

@Suite struct AdamTests {
    /// Two steps of Adam with L2 weight decay, worked out by hand.
    ///
    /// lr = 0.1, β₁ = 0.9, β₂ = 0.999, ε = 1e-8, λ = 0.5, p = [1, −2].
    /// Step 1, g = [0.4, 0.3]: g′ = g + λp = [0.9, −0.7];
    ///   m = 0.1·g′ = [0.09, −0.07]; v = 0.001·g′² = [0.00081, 0.00049];
    ///   m̂ = m/0.1 = g′; v̂ = v/0.001 = g′²; p −= 0.1·g′/|g′| → p = [0.9, −1.9].
    /// Step 2, g = [−0.2, 0.1]: g′ = [−0.2 + 0.45, 0.1 − 0.95] = [0.25, −0.85];
    ///   m = 0.9m + 0.1g′ = [0.081 + 0.025, −0.063 − 0.085] = [0.106, −0.148];
    ///   v = 0.999v + 0.001g′² = [0.00080919 + 0.0000625, 0.00048951 + 0.0007225]
    ///     = [0.00087169, 0.00121201];
    ///   m̂ = m/0.19, v̂ = v/0.001999; p −= 0.1·m̂/(√v̂ + ε).
    @Test func twoStepsWithL2DecayMatchHandArithmetic() {
        let p = Tensor([1, -2], shape: [2], requiresGrad: true)
        let adam = Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.5)
        p.grad = [0.4, 0.3]
        adam.step()
        #expect(abs(p.data[0] - 0.9) < 1e-6 && abs(p.data[1] - -1.9) < 1e-6)
        p.grad = [-0.2, 0.1]
        adam.step()
        let m = [0.106, -0.148], v = [0.00087169, 0.00121201]
        let expected = zip([0.9, -1.9], zip(m, v)).map { p, mv in
            p - 0.1 * (mv.0 / 0.19) / ((mv.1 / 0.001999).squareRoot() + 1e-8)
        }
        #expect(abs(Double(p.data[0]) - expected[0]) < 1e-6)
        #expect(abs(Double(p.data[1]) - expected[1]) < 1e-6)
        #expect(adam.stepCount == 2)
    }

    /// Decoupled decay shrinks p by lr·λ·p outside the adaptive step:
    /// p = 1·(1 − 0.1·0.5) − 0.1·(g/|g|) = 0.95 − 0.1 = 0.85 for g = 0.4.
    @Test func decoupledDecayShrinksOutsideTheStep() {
        let p = Tensor([1], shape: [1], requiresGrad: true)
        let adam = Adam(parameters: [p], learningRate: 0.1, weightDecay: 0.5, decayMode: .decoupled)
        p.grad = [0.4]
        adam.step()
        #expect(abs(p.data[0] - 0.85) < 1e-6)
    }

    @Test func clippingScalesToTheExactNorm() {
        let a = Tensor([0, 0], shape: [2], requiresGrad: true), b = Tensor([0], shape: [1], requiresGrad: true)
        a.grad = [3, 4]
        b.grad = [12]                                   // joint norm √(9 + 16 + 144) = 13
        #expect(clipGradientNorm([a, b], maxNorm: 1) == 13)
        #expect(abs(a.grad[0] - 3.0 / 13) < 1e-7 && abs(a.grad[1] - 4.0 / 13) < 1e-7 && abs(b.grad[0] - 12.0 / 13) < 1e-7)
        let after = (a.grad + b.grad).map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
        #expect(abs(after - 1) < 1e-6)
        #expect(clipGradientNorm([a, b], maxNorm: 5) < 5 && abs(a.grad[0] - 3.0 / 13) < 1e-7)  // under: untouched
    }

    /// A 2-8-1 tanh MLP learns XOR; a second run with the same seed is bit-identical.
    @Test func xorTrainsAndIsReproducible() {
        func train() -> (losses: [Float], parameters: [[Float]]) {
            var generator = SplitMix64(seed: 7)
            let model = MLP(sizes: [2, 8, 1], activation: .tanh, generator: &generator)
            let adam = Adam(parameters: model.parameters, learningRate: 0.05, weightDecay: 1e-4)
            let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2]), y = Tensor([0, 1, 1, 0], shape: [4, 1])
            var losses: [Float] = []
            for _ in 0..<600 {
                adam.zeroGrad()
                let loss = Loss.meanSquaredError(model(x).sigmoid(), y)
                loss.backward()
                clipGradientNorm(model.parameters, maxNorm: 5)
                adam.step()
                losses.append(loss.scalar)
            }
            return (losses, model.parameters.map(\.data))
        }
        let first = train(), second = train()
        #expect(first.losses.last! < 1e-3, "final loss \(first.losses.last!)")
        #expect(first.losses == second.losses && first.parameters == second.parameters)
    }
}
