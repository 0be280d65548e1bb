// swift-tools-version: 6.1
//
// Joule: estimate what a neural network costs on a GPU, and search for a cheaper one.
//
// Layout (fixed by DESIGN.md section 2):
//   Sources/PluginAPI   the C ABI (include/joule_plugin.h) + Swift conveniences for plugins
//   Sources/Host        the `joule` executable and the host's library targets
//   Sources/Shared      small libraries shared by the host and plugins (JSON, profile schema)
//   Plugins/*           the bundled plugins, each a dynamic library loaded at run time
//   Tests/              Swift Testing suites, one per module, plus end-to-end CLI tests
import PackageDescription

let package = Package(
    name: "Joule",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "joule", targets: ["JouleCLI"]),
        // Bundled plugins. The host finds them next to its executable.
        .library(name: "JoulePaleoModel", type: .dynamic, targets: ["PaleoModel"]),
        .library(name: "JouleNeuralPowerModel", type: .dynamic, targets: ["NeuralPowerModel"]),
        .library(name: "JouleGPUProfiles", type: .dynamic, targets: ["GPUProfiles"]),
        // For third-party Swift plugins: `import PluginAPI`.
        .library(name: "PluginAPI", targets: ["PluginAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: Plugin API
        .target(
            name: "JoulePluginABI",
            path: "Sources/PluginAPI",
            exclude: ["Swift"],
            sources: ["abi_layout.c"],
            publicHeadersPath: "include"
        ),
        .target(
            name: "PluginAPI",
            dependencies: ["JoulePluginABI"],
            path: "Sources/PluginAPI/Swift"
        ),

        // MARK: Shared libraries
        .target(name: "JouleJSON", path: "Sources/Shared/JouleJSON"),
        .target(
            name: "GPUProfileFormat",
            dependencies: ["PluginAPI", "JouleJSON"],
            path: "Sources/Shared/GPUProfileFormat"
        ),
        // SplitMix64: seeded randomness that is the same on every platform and release.
        .target(name: "SeededRandom", path: "Sources/Shared/SeededRandom"),
        // The polynomial runtime/power models: terms, features, model files, prediction.
        // Shared by the NeuralPower plugin (which predicts) and the host's fitter.
        .target(
            name: "PolynomialModel",
            dependencies: ["PluginAPI", "JouleJSON"],
            path: "Sources/Shared/PolynomialModel"
        ),

        // MARK: Host
        .systemLibrary(
            name: "CFFI",
            path: "Sources/Host/CFFI",
            pkgConfig: "libffi",
            providers: [.apt(["libffi-dev"])]
        ),
        .target(name: "Network", dependencies: ["JouleJSON"], path: "Sources/Host/Network"),
        .target(
            name: "Registry",
            dependencies: ["PluginAPI", "JouleJSON", "GPUProfileFormat", "CFFI"],
            path: "Sources/Host/Registry"
        ),
        .target(
            name: "Estimation",
            dependencies: ["Network", "Registry", "PluginAPI"],
            path: "Sources/Host/Estimation"
        ),
        // Fitting and scoring models against measurements: CSV tables, Lasso, metrics.
        .target(
            name: "Fitting",
            dependencies: ["PolynomialModel", "Network", "Estimation", "Registry", "PluginAPI", "JouleJSON", "SeededRandom"],
            path: "Sources/Host/Fitting"
        ),
        // A small Float32 tensor library with reverse-mode autodiff and Adam, for the search
        // engine's controller.
        .target(name: "Autodiff", dependencies: ["SeededRandom"], path: "Sources/Host/Autodiff"),
        // Architecture search: spaces, evaluators, Pareto fronts, NAO and the baselines.
        .target(
            name: "Search",
            dependencies: ["Autodiff", "Network", "Estimation", "Registry", "Fitting", "JouleJSON", "SeededRandom"],
            path: "Sources/Host/Search"
        ),
        .target(
            name: "Reports",
            dependencies: ["Estimation", "Registry", "JouleJSON", "PluginAPI", "GPUProfileFormat", "Network", "Search"],
            path: "Sources/Host/Reports"
        ),
        .executableTarget(
            name: "JouleCLI",
            dependencies: [
                "Registry", "Network", "Estimation", "Reports", "GPUProfileFormat", "JouleJSON", "Fitting",
                "PolynomialModel", "Search", "SeededRandom",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Host/JouleCLI"
        ),

        // MARK: Bundled plugins
        .target(name: "PaleoModel", dependencies: ["PluginAPI"], path: "Plugins/PaleoModel"),
        .target(
            name: "NeuralPowerModel",
            dependencies: ["PluginAPI", "PolynomialModel", "JouleJSON"],
            path: "Plugins/NeuralPowerModel",
            resources: [.copy("Models")]
        ),
        .target(
            name: "GPUProfiles",
            dependencies: ["PluginAPI", "GPUProfileFormat", "JouleJSON"],
            path: "Plugins/GPUProfiles"
        ),

        // MARK: Tests
        .target(
            name: "JouleTestSupport",
            dependencies: ["Registry", "PluginAPI"],
            path: "Tests/JouleTestSupport"
        ),
        .testTarget(
            name: "PluginAPITests",
            dependencies: ["PluginAPI", "JouleTestSupport"],
            path: "Tests/PluginAPITests"
        ),
        .testTarget(
            name: "JouleJSONTests",
            dependencies: ["JouleJSON"],
            path: "Tests/JouleJSONTests"
        ),
        .testTarget(
            name: "GPUProfilesTests",
            dependencies: ["GPUProfileFormat", "Registry", "JouleTestSupport"],
            path: "Tests/GPUProfilesTests"
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: ["Registry", "PluginAPI", "JouleTestSupport"],
            path: "Tests/RegistryTests"
        ),
        .testTarget(
            name: "NetworkTests",
            dependencies: ["Network", "JouleJSON", "JouleTestSupport"],
            path: "Tests/NetworkTests"
        ),
        .testTarget(
            name: "PaleoModelTests",
            dependencies: ["Estimation", "Network", "Registry", "PluginAPI", "JouleTestSupport"],
            path: "Tests/PaleoModelTests"
        ),
        .testTarget(
            name: "PolynomialModelTests",
            dependencies: ["PolynomialModel", "PluginAPI", "JouleJSON", "Registry", "JouleTestSupport"],
            path: "Tests/PolynomialModelTests"
        ),
        .testTarget(
            name: "FittingTests",
            dependencies: ["Fitting", "PolynomialModel", "Network", "Estimation", "Registry", "JouleJSON", "SeededRandom", "JouleTestSupport"],
            path: "Tests/FittingTests"
        ),
        .testTarget(
            name: "AutodiffTests",
            dependencies: ["Autodiff", "SeededRandom"],
            path: "Tests/AutodiffTests"
        ),
        .testTarget(
            name: "SearchTests",
            dependencies: ["Search", "Autodiff", "Network", "Estimation", "Registry", "Fitting", "JouleJSON", "SeededRandom", "JouleTestSupport"],
            path: "Tests/SearchTests"
        ),
        .testTarget(
            name: "JouleCLITests",
            dependencies: ["JouleTestSupport", "JouleJSON"],
            path: "Tests/JouleCLITests"
        ),
    ]
)

// MARK: Fuzzing (tools/fuzz.sh)
//
// libFuzzer harnesses for the readers of untrusted files, one executable per reader under
// Fuzz/. They exist only when JOULE_FUZZ=1, so the ordinary build and test run never see
// them. Each defines LLVMFuzzerTestOneInput and no main (libFuzzer brings its own), hence
// -parse-as-library. Build with --sanitize=fuzzer --sanitize=address; see tools/fuzz.sh.
if Context.environment["JOULE_FUZZ"] == "1" {
    let harnesses: [(name: String, folder: String, dependencies: [Target.Dependency])] = [
        ("FuzzSpecReader", "SpecReader", ["Network", "Estimation"]),
        ("FuzzGPUProfile", "GPUProfile", ["GPUProfileFormat", "PluginAPI", "JouleJSON"]),
        ("FuzzFFIManifest", "FFIManifest", ["Registry"]),
        ("FuzzMeasurementTable", "MeasurementTable", ["Fitting"]),
    ]
    for harness in harnesses {
        package.targets.append(.executableTarget(
            name: harness.name,
            dependencies: harness.dependencies,
            path: "Fuzz/\(harness.folder)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
    }
}
