/// Sizes and training settings of an ``NAOController``. The defaults are DESIGN.md
/// section 6's: embedding 32, LSTMs of 96, predictor 200 → 200, λ = 0.8, Adam lr 10⁻³ with
/// weight decay 10⁻⁴, clip 5, batch 100, symmetric augmentation on.
public struct NAOConfiguration: Sendable, Equatable {
    /// Width of the token embeddings (encoder and decoder each have one).
    public var embeddingSize: Int
    /// Width of the encoder's and decoder's LSTM state.
    public var hiddenSize: Int
    /// The predictor's hidden layers (ReLU between), before its two-output layer.
    public var predictorHiddenSizes: [Int]
    /// λ: the weight of the prediction MSE; the decoder's NLL gets 1 − λ.
    public var predictionWeight: Float
    /// Adam's step size.
    public var learningRate: Float
    /// Adam's L2 weight decay.
    public var weightDecay: Float
    /// The largest joint gradient norm; larger gradients are scaled down to it.
    public var gradientClip: Float
    /// Samples per Adam step.
    public var batchSize: Int
    /// Whether each sample is replaced by a random equivalent every epoch.
    public var augmentation: Bool

    public init(embeddingSize: Int = 32, hiddenSize: Int = 96, predictorHiddenSizes: [Int] = [200, 200],
                predictionWeight: Float = 0.8, learningRate: Float = 1e-3, weightDecay: Float = 1e-4,
                gradientClip: Float = 5, batchSize: Int = 100, augmentation: Bool = true) {
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.predictorHiddenSizes = predictorHiddenSizes
        self.predictionWeight = predictionWeight
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.gradientClip = gradientClip
        self.batchSize = batchSize
        self.augmentation = augmentation
    }
}
