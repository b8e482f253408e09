// `scripts/stamp-commit` rewrites `commit` before a release build (`make install`) and puts this
// placeholder back afterwards, so a plain `swift build` on a fresh clone works and prints
// `unknown`. A build-tool plugin would run git on every build; Swift has no string-valued
// compiler defines.

/// Facts about the build, baked in at build time.
public enum BuildInfo {
    /// The git commit the binaries were built from, or `unknown`.
    public static let commit = "unknown"
}

extension BrainVersion {
    /// What `--version` prints: the release and the commit, e.g. `0.1.0 (commit 48aa4d0)`.
    public static var withCommit: String { "\(daemon) (commit \(BuildInfo.commit))" }
}
