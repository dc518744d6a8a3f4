// SkyMatch: crossmatching, association, variability and alert handling on top of SkyCore.
// The crossmatch engine arrives with issue 4; this file only declares the module's namespace.
import SkyCore

/// Namespace of the SkyMatch module.
public enum SkyMatch {
    /// Module version (follows the package version).
    public static let version = "0.1.0"
}
