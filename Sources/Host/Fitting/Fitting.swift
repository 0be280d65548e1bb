/// Fitting polynomial cost models to measurements and scoring any cost model against them.
///
/// The pieces: `MeasurementTable` reads measurement CSVs; `LayerMeasurements` and
/// `NetworkMeasurements` turn their rows into layers and networks; `Lasso` fits sparse
/// linear models by coordinate descent with cross-validation; `PolynomialFitter` builds the
/// NeuralPower design from layers and chooses degree and penalty; `ValidationScores` scores
/// predictions (Kendall's τ, Spearman's ρ, MAPE, RMSPE).
public enum Fitting {}
