import Foundation

/// The carbon intensity of the electricity a GPU draws, in grams of CO₂-equivalent per
/// kilowatt-hour.
///
/// The named regions are 2023 averages of electricity generation from Ember and the Energy
/// Institute (as published by Our World in Data, "Carbon intensity of electricity
/// generation"; Ember's Global Electricity Review 2024 for the world). A data centre's own
/// supply can differ widely; pass a number when you know it.
public struct GridIntensity: Sendable, Equatable {
    public var gramsPerKilowattHour: Double
    /// "world", a region name, or "given" for a number the user passed.
    public var name: String
    public var source: String

    public init(gramsPerKilowattHour: Double, name: String, source: String) {
        self.gramsPerKilowattHour = gramsPerKilowattHour
        self.name = name
        self.source = source
    }

    static let ember2023 = "Ember and Energy Institute, 2023 generation average (Our World in Data)"

    /// The default when the user names none: the world's 2023 average.
    public static let world = GridIntensity(gramsPerKilowattHour: 480, name: "world",
                                            source: "Ember, Global Electricity Review 2024: world average 2023")

    /// Regions by lower-case name.
    public static let regions: [String: GridIntensity] = [
        "world": world,
        "australia": .init(gramsPerKilowattHour: 549, name: "australia", source: ember2023),
        "brazil": .init(gramsPerKilowattHour: 98, name: "brazil", source: ember2023),
        "canada": .init(gramsPerKilowattHour: 170, name: "canada", source: ember2023),
        "china": .init(gramsPerKilowattHour: 582, name: "china", source: ember2023),
        "france": .init(gramsPerKilowattHour: 56, name: "france", source: ember2023),
        "germany": .init(gramsPerKilowattHour: 381, name: "germany", source: ember2023),
        "india": .init(gramsPerKilowattHour: 713, name: "india", source: ember2023),
    ]

    /// A region name or a number of gCO₂e/kWh (≥ 0, finite); nil for anything else.
    public init?(parsing text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let region = Self.regions[key] {
            self = region
        } else if let value = Double(key), value.isFinite, value >= 0 {
            self.init(gramsPerKilowattHour: value, name: "given", source: "--grid-intensity \(text)")
        } else {
            return nil
        }
    }
}

/// A whole training run or a serving lifetime, built from one step's (or one batch's)
/// estimate: how many steps, how long, how much energy and, with a grid intensity, what
/// emissions.
///
/// Steps are counted whole: a last, partial batch is a full step, as a data loader that
/// keeps it runs it (at a smaller batch it would cost somewhat less; the count is an upper
/// bound by at most one step per epoch).
public struct RunEnergy: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `epochs` passes over `datasetSize` samples.
        case training(epochs: Int64, datasetSize: Int64)
        /// `requests` samples served.
        case serving(requests: Int64)
    }

    public var kind: Kind
    /// Samples per step (or per inference batch).
    public var batch: Int64
    /// Steps (or batches) in the whole run.
    public var steps: Int64
    public var seconds: Double
    public var joules: Double
    public var grid: GridIntensity

    /// - Parameters:
    ///   - stepSeconds: One step's (or batch's) time.
    ///   - stepJoules: One step's (or batch's) energy.
    ///   - batch: Samples per step, ≥ 1.
    public init(_ kind: Kind, batch: Int64, stepSeconds: Double, stepJoules: Double, grid: GridIntensity = .world) {
        precondition(batch >= 1, "RunEnergy: batch must be at least 1")
        self.kind = kind
        self.batch = batch
        self.grid = grid
        switch kind {
        case .training(let epochs, let datasetSize):
            let perEpoch = datasetSize / batch + (datasetSize % batch == 0 ? 0 : 1)
            let (product, overflow) = epochs.multipliedReportingOverflow(by: perEpoch)
            precondition(!overflow, "RunEnergy: \(epochs) epochs of \(perEpoch) steps overflow a step count")
            steps = product
        case .serving(let requests):
            steps = requests / batch + (requests % batch == 0 ? 0 : 1)
        }
        seconds = Double(steps) * stepSeconds
        joules = Double(steps) * stepJoules
    }

    public var kilowattHours: Double { joules / 3.6e6 }
    public var kilogramsCO2e: Double { kilowattHours * grid.gramsPerKilowattHour / 1000 }
}
