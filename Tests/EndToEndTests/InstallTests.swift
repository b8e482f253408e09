import BrainTestSupport
import Foundation
import Testing

/// `make install` / `make uninstall` and the systemd unit they install. The binaries are the debug
/// build under test (`install-files`, the install without its release build).
@Suite(.serialized, .timeLimit(.minutes(2)))
struct InstallTests {
    /// The package root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let installed = [
        "bin/braind", "bin/brain", "lib/systemd/user/braind.service", "share/braind/braind.toml",
        "share/bash-completion/completions/brain", "share/zsh/site-functions/_brain", "share/fish/vendor_completions.d/brain.fish",
    ]

    /// `systemd-analyze`, installed by `.ci/run` (scripts/ensure-systemd-analyze) where it is missing.
    static let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }

    private func make(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runCommand(URL(fileURLWithPath: "/usr/bin/make"), ["-C", Self.root] + arguments)
    }

    /// Every regular file under `directory`, relative to it.
    private func files(under directory: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { found.append(path) }
        }
        return found.sorted()
    }

    @Test("make install-files with DESTDIR stages exactly the files, for PREFIX; make uninstall removes exactly them")
    func stagedInstallAndUninstall() async throws {
        let stage = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: stage) }
        let keep = stage + "/usr/share/keep-me"
        try FileManager.default.createDirectory(atPath: stage + "/usr/share", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: keep, contents: Data())
        let variables = ["DESTDIR=\(stage)", "PREFIX=/usr", "BUILD_DIR=\(Binaries.directory.path)"]

        let install = try await make(["install-files"] + variables)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(files(under: stage + "/usr") == (Self.installed + ["share/keep-me"]).sorted())
        let unit = try String(contentsOfFile: stage + "/usr/lib/systemd/user/braind.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/braind\n"))
        #expect(unit.contains("Type=notify"))
        #expect(unit.contains("Restart=on-failure"))
        #expect(try String(contentsOfFile: stage + "/usr/share/bash-completion/completions/brain", encoding: .utf8).contains("brain"))
        #expect(try String(contentsOfFile: stage + "/usr/share/fish/vendor_completions.d/brain.fish", encoding: .utf8).contains("complete -c 'brain'"))
        #expect(FileManager.default.isExecutableFile(atPath: stage + "/usr/bin/brain"))

        let uninstall = try await make(["uninstall"] + variables)
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        #expect(files(under: stage + "/usr") == ["share/keep-me"])
    }

    @Test("The installed user unit passes systemd-analyze verify", .enabled(if: systemdAnalyze != nil, "systemd-analyze is missing: install Debian's systemd package (scripts/ensure-systemd-analyze); the unit was NOT verified"))
    func unitVerifies() async throws {
        // Installed without DESTDIR so the unit's ExecStart names a binary that exists.
        let prefix = try makeShortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let install = try await make(["install-files", "PREFIX=\(prefix)", "BUILD_DIR=\(Binaries.directory.path)"])
        #expect(install.status == 0, "\(install.stderr)")
        let runtime = prefix + "/runtime"
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        // --user needs a runtime directory even when no user manager runs.
        let verify = try await runCommand(
            URL(fileURLWithPath: Self.systemdAnalyze!), ["verify", "--user", prefix + "/lib/systemd/user/braind.service"],
            environment: ["XDG_RUNTIME_DIR": runtime, "HOME": prefix])

        #expect(verify.status == 0, "\(verify.stderr)")
        // Warnings (an unknown key, a bad value) are printed but do not change the exit status.
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        #expect(verify.stdout.isEmpty, "\(verify.stdout)")
    }
}
