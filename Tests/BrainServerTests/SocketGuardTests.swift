import BrainServer
import Foundation
import Testing

/// The socket directory (`/tmp/braind-UID` without `XDG_RUNTIME_DIR`) may have been created by
/// another local user; braind must not run in it, nor follow a link planted as its lock file.
struct SocketGuardTests {
    /// A uid that is neither root nor the test's user.
    static let stranger: uid_t = 4242
    static var isRoot: Bool { getuid() == 0 }

    private func withDirectory(_ body: (String) throws -> Void) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("sg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        try body(base)
    }

    @Test("A fresh directory is created 0700 and the lock records braind's pid")
    func freshDirectory() throws {
        try withDirectory { base in
            let guardian = try SocketGuard.acquire(socketPath: base + "/run/braind.sock")
            defer { guardian.release() }
            let mode = (try FileManager.default.attributesOfItem(atPath: base + "/run")[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700)
            #expect(try String(contentsOfFile: guardian.lockPath, encoding: .utf8) == "\(getpid())\n")
        }
    }

    @Test("A directory another user owns is refused before anything is created in it", .enabled(if: isRoot))
    func foreignOwner() throws {
        try withDirectory { base in
            let directory = base + "/run"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chmod(directory, 0o700)
            #expect(chown(directory, Self.stranger, Self.stranger) == 0)
            #expect(throws: SocketGuardError.self) { try SocketGuard.acquire(socketPath: directory + "/braind.sock") }
            do {
                _ = try SocketGuard.acquire(socketPath: directory + "/braind.sock")
            } catch {
                #expect("\(error)".contains("owned by uid \(Self.stranger)"), "\(error)")
                #expect("\(error)".contains(directory))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }
    }

    @Test("A directory writable by others is refused", arguments: [0o777, 0o770, 0o1777])
    func writableByOthers(mode: Int) throws {
        try withDirectory { base in
            let directory = base + "/run"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chmod(directory, mode_t(mode))
            #expect(throws: SocketGuardError.self) { try SocketGuard.acquire(socketPath: directory + "/braind.sock") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }
    }

    @Test("A symbolic link as the socket directory is refused")
    func directoryLink() throws {
        try withDirectory { base in
            try FileManager.default.createDirectory(atPath: base + "/elsewhere", withIntermediateDirectories: false)
            chmod(base + "/elsewhere", 0o700)
            try FileManager.default.createSymbolicLink(atPath: base + "/run", withDestinationPath: base + "/elsewhere")
            #expect(throws: SocketGuardError.self) { try SocketGuard.acquire(socketPath: base + "/run/braind.sock") }
        }
    }

    @Test("A symbolic link planted as the lock file is not followed: the file it points to keeps its content")
    func lockFileLink() throws {
        try withDirectory { base in
            let directory = base + "/run"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            chmod(directory, 0o700)
            let victim = base + "/precious.txt"
            try "the victim's data\n".write(toFile: victim, atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: directory + "/braind.sock.lock", withDestinationPath: victim)
            #expect(throws: SocketGuardError.self) {
                let guardian = try SocketGuard.acquire(socketPath: directory + "/braind.sock")
                guardian.release()
            }
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "the victim's data\n")
        }
    }
}
