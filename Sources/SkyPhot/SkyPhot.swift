// SkyPhot: Chebyshev fits, photometric recalibration, forced photometry, stamps (issue 5 onwards).
import SkyCore

/// Namespace of the SkyPhot module.
public enum SkyPhot {
    /// Module version (follows the package version).
    public static let version = "0.1.0"
}
