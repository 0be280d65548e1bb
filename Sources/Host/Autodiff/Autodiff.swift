/// A small tensor library with reverse-mode automatic differentiation, for the search
/// engine's NAO controller: Float32 values in contiguous buffers, the handful of operations
/// an LSTM encoder, an MLP predictor and an attention decoder need, and Adam.
public enum Autodiff {}
