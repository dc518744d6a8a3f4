// swift-tools-version: 6.1
// Release-build benchmarks of skytool, run by `make bench` (Benchmarks/run.sh) next to the peers.
import PackageDescription

let package = Package(
    name: "skytool-benchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(
            name: "skybench",
            dependencies: [.product(name: "SkyCore", package: "main"), .product(name: "SkyMatch", package: "main"), .product(name: "SkyPhot", package: "main"), .product(name: "SkyPlot", package: "main")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-Ounchecked"])]
        ),
    ]
)
