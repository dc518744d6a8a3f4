// swift-tools-version: 6.1
//
// skytool: find what changed in the sky. See README.md and Docs/architecture.md.
import PackageDescription

let package = Package(
    name: "skytool",
    products: [
        .library(name: "SkyCore", targets: ["SkyCore"]),
        .library(name: "SkyMatch", targets: ["SkyMatch"]),
        .library(name: "SkyPhot", targets: ["SkyPhot"]),
        .library(name: "SkyPlates", targets: ["SkyPlates"]),
        .library(name: "SkyPlot", targets: ["SkyPlot"]),
        .library(name: "SkyAstrometry", targets: ["SkyAstrometry"]),
        .executable(name: "skytool", targets: ["skytool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C libraries, reached only through SkyCore's wrapper files (`internal import`).
        .systemLibrary(
            name: "CSkyFITSIO",
            pkgConfig: "cfitsio",
            providers: [.apt(["libcfitsio-dev", "pkg-config"])]
        ),
        .systemLibrary(
            name: "CSkyWCS",
            pkgConfig: "wcslib",
            providers: [.apt(["wcslib-dev", "pkg-config"])]
        ),
        .systemLibrary(
            name: "CSkyLAPACK",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev", "pkg-config"])]
        ),
        .systemLibrary(
            name: "CSkySEP",
            providers: [.apt(["libsep-dev"])]
        ),
        .systemLibrary(
            name: "CSkyCairo",
            pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev", "fonts-dejavu-core"])]
        ),
        // Two Linux system calls that Swift's Glibc module hides (see its header); no library to link.
        .target(name: "CSkySystem"),
        .target(
            name: "SkyCore",
            dependencies: ["CSkyFITSIO", "CSkyWCS", "CSkySystem"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "SkyMatch",
            dependencies: ["SkyCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "SkyPhot",
            dependencies: ["SkyCore", "SkyMatch", "CSkyLAPACK", "CSkySEP"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Workflow configuration files (TOML); kept apart so that SkyCore/SkyMatch users never build TOMLKit.
        .target(
            name: "SkyConfig",
            dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The photographic-plate mismatch workflow (APPLAUSE tables).
        .target(
            name: "SkyPlates",
            dependencies: ["SkyCore", "SkyMatch", "SkyConfig"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Plots (PNG, SVG, PDF through cairo).
        .target(
            name: "SkyPlot",
            dependencies: ["SkyCore", "CSkyCairo"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Relative astrometry across visits (LSST AM/AF/AD).
        .target(
            name: "SkyAstrometry",
            dependencies: ["SkyCore", "SkyMatch", "SkyConfig", "SkyPlot"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "skytool",
            dependencies: [
                "SkyCore", "SkyMatch", "SkyPhot", "SkyPlates", "SkyAstrometry", "SkyPlot", "SkyConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "SkyCoreTests",
            dependencies: ["SkyCore", .product(name: "Numerics", package: "swift-numerics")],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "SkyMatchTests",
            dependencies: ["SkyMatch", .product(name: "Numerics", package: "swift-numerics")],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "SkyPhotTests",
            dependencies: ["SkyPhot", .product(name: "Numerics", package: "swift-numerics")],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "SkyPlatesTests",
            dependencies: ["SkyPlates", "SkyConfig", .product(name: "Numerics", package: "swift-numerics")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "SkyPlotTests",
            dependencies: ["SkyPlot", .product(name: "Numerics", package: "swift-numerics")],
            exclude: ["Fixtures"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "SkyAstrometryTests",
            dependencies: ["SkyAstrometry", .product(name: "Numerics", package: "swift-numerics")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "skytoolTests",
            dependencies: ["skytool", "SkyCore", "SkyPhot", "SkyPlot", .product(name: "Numerics", package: "swift-numerics")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
