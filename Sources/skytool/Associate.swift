import ArgumentParser
import Foundation
import SkyCore
import SkyMatch

struct Associate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Associate detections from many catalogues (visits, epochs) into objects.",
        discussion: """
        Catalogues are taken in the order given; each is matched one-to-one against the objects so far (mean
        positions), unmatched detections start new objects. Writes an objects table (object_id, ra, dec,
        n_detections) and a detections table (object_id, catalogue, row, sep_arcsec). See Docs/decisions.

        Examples:
          skytool associate visit1.fits visit2.fits visit3.fits --radius 1arcsec --objects obj.fits --detections det.fits
          skytool associate e1.csv e2.csv --radius 0.5 --err-col pos_err --objects o.csv --detections d.csv
        """
    )

    @Argument(help: "Catalogues in association order.") var catalogues: [String]
    @Option(parsing: .unconditional, help: "Association radius (bare number: arcsec).") var radius: RadiusArgument
    @Option(parsing: .unconditional, help: "Positional error column (arcsec), the same name in every catalogue: weights the mean positions.") var errCol: String?
    @Option(parsing: .unconditional, help: "Objects table output.") var objects: String
    @Option(parsing: .unconditional, help: "Detections table output.") var detections: String

    func validate() throws {
        guard catalogues.count >= 2 else { throw ValidationError("give at least two catalogues") }
    }

    func run() throws {
        try Output.refuseOverwriting(inputs: catalogues, outputs: [objects, detections])
        guard objects != detections else { throw DataError("--objects and --detections name the same file") }
        for o in [objects, detections] { releaseCachedPages(ofReplacedOutput: o, inputs: catalogues) }
        let cats = try catalogues.map { try Catalogue.read($0) }
        let a = try Association(cats, radius: radius.degrees * 3600, errorColumns: errCol.map { c in cats.map { _ in c } })
        try a.objectTable().write(to: objects)
        try a.detectionTable().write(to: detections)
        print("\(a.objectIDs.count) objects from \(a.detectionObject.count) detections in \(cats.count) catalogues; wrote \(objects) and \(detections)")
    }
}
