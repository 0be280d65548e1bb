// swift-tools-version: 6.1
//
// A Joule cost-model plugin written in Swift. Build it with the SAME Swift toolchain that
// built `joule` (Swift has no stable ABI on Linux; joule refuses plugins from another one):
//
//   swift build -c release
//   joule models --plugin-path .build/release/libSwiftRoofline.so --gpu H100
import PackageDescription

let package = Package(
    name: "SwiftRoofline",
    products: [
        .library(name: "SwiftRoofline", type: .dynamic, targets: ["SwiftRoofline"]),
    ],
    dependencies: [
        // Point this at your Joule checkout (or its Git URL).
        .package(name: "Joule", path: "../.."),
    ],
    targets: [
        .target(name: "SwiftRoofline", dependencies: [.product(name: "PluginAPI", package: "Joule")]),
    ]
)
