// The skytool command: a thin layer over SkyCore, SkyMatch and SkyPhot. One file per subcommand.
import ArgumentParser
import Foundation
import SkyAstrometry
import SkyConfig
import SkyCore
import SkyPhot
import SkyPlot
import SkyPlates

@main
struct SkyTool: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skytool",
        abstract: "Find what changed in the sky: catalogue and image I/O, HEALPix, crossmatching, recalibration.",
        discussion: """
        Exit codes: 0 success, 1 usage error, 2 data error (bad file, HDU, column or value).
        Angles accept units: mas, arcsec or ", arcmin or ', deg (a bare number is arcsec for radii).
        """,
        version: "0.1.0",
        subcommands: [Info.self, Convert.self, WCSCommand.self, HealpixCommand.self, Cone.self, Coverage.self, Match.self, Group.self, Associate.self, Recalibrate.self, Varstats.self, Mismatch.self,
                      BackgroundCommand.self, Detect.self, Photometry.self, Cutout.self, Astrometry.self, StampCommand.self, PlotCommand.self]
    )

    /// Runs the command with skytool's exit codes: 0 success, 1 usage error, 2 data error.
    static func main() {
        Foundation.exit(run(CommandLine.arguments.dropFirst().map { $0 }))
    }

    /// Parses and runs `arguments`, printing errors to stderr; returns the exit code (used by tests).
    static func run(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch {
            return report(error)
        }
    }

    static func report(_ error: Error) -> Int32 {
        switch error {
        case is FITSError, is WCSError, is CSVError, is CatalogueError, is ExpressionError, is DataError, is PlateError, is ConfigError, is HEALPixError, is ImageError, is AstrometryError, is PlotError:
            FileHandle.standardError.write(Data("skytool: error: \(error)\n".utf8))
            return 2
        default:
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            FileHandle.standardError.write(Data((message.isEmpty ? "skytool: error: \(error)" : message).utf8 + [10]))
            return 1
        }
    }
}

/// A data problem found by the CLI itself (not by the library), reported with exit code 2.
struct DataError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
