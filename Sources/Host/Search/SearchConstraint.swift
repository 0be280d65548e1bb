/// Limits that turn the two-objective search into a constrained one: the most accurate
/// network within an energy or latency budget, or the cheapest above an accuracy.
///
///     let constraint = SearchConstraint(maxEnergyJoules: 0.2)
///     constraint.admits(record)   // energy ≤ 0.2 J and an accuracy was measured
///
/// Searches keep exploring the whole space (an architecture outside the limits can lead to
/// one inside), but they prefer admitted architectures where they choose (NAO's seeds,
/// evolution's tournaments), and the outputs report the admitted front.
public struct SearchConstraint: Sendable, Equatable {
    /// The most energy an admitted architecture may take, in joules.
    public var maxEnergyJoules: Double?
    /// The longest latency (or training step) an admitted architecture may take, in seconds.
    public var maxLatencySeconds: Double?
    /// The least accuracy an admitted architecture must reach, in the evaluator's units.
    public var minAccuracy: Double?

    public init(maxEnergyJoules: Double? = nil, maxLatencySeconds: Double? = nil, minAccuracy: Double? = nil) {
        self.maxEnergyJoules = maxEnergyJoules
        self.maxLatencySeconds = maxLatencySeconds
        self.minAccuracy = minAccuracy
    }

    /// No limits: every evaluated architecture is admitted.
    public var isEmpty: Bool { maxEnergyJoules == nil && maxLatencySeconds == nil && minAccuracy == nil }

    /// Whether a limit bounds cost (energy or latency).
    public var limitsCost: Bool { maxEnergyJoules != nil || maxLatencySeconds != nil }

    /// Whether the record's cost is within the cost limits.
    public func admitsCost(_ record: EvaluationRecord) -> Bool {
        admitsCost(energyJoules: record.energyJoules, latencySeconds: record.latencySeconds)
    }

    /// Whether a cost (of a candidate not yet evaluated, say) is within the cost limits.
    public func admitsCost(energyJoules: Double, latencySeconds: Double) -> Bool {
        energyJoules <= (maxEnergyJoules ?? .infinity) && latencySeconds <= (maxLatencySeconds ?? .infinity)
    }

    /// Whether the record has an accuracy and meets every limit.
    public func admits(_ record: EvaluationRecord) -> Bool {
        guard let accuracy = record.accuracy else { return false }
        return admitsCost(record) && accuracy >= (minAccuracy ?? -.infinity)
    }

    /// The limits as text for outputs, e.g. "energy ≤ 0.2 J, accuracy ≥ 90".
    public var description: String {
        var parts: [String] = []
        if let maxEnergyJoules { parts.append("energy ≤ \(maxEnergyJoules) J") }
        if let maxLatencySeconds { parts.append("latency ≤ \(maxLatencySeconds * 1000) ms") }
        if let minAccuracy { parts.append("accuracy ≥ \(minAccuracy)") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// The admitted architecture a constrained search returns: with an accuracy limit the
    /// cheapest admitted one (by `cost`), otherwise the most accurate (the cheaper of equals).
    /// Nil when none is admitted.
    public func best(_ records: [EvaluationRecord], cost: (EvaluationRecord) -> Double) -> EvaluationRecord? {
        let admitted = records.filter(admits)
        if minAccuracy != nil {
            return admitted.min { (cost($0), -$0.accuracy!) < (cost($1), -$1.accuracy!) }
        }
        return admitted.min { (-$0.accuracy!, cost($0)) < (-$1.accuracy!, cost($1)) }
    }
}
