import BrainCore
import BrainStoreSQLite
import Foundation
import BrainTestSupport
import Testing

struct BrainDatabaseLockTests {
    @Test("A held database lock names the holder's pid; released, it can be taken again")
    func heldThenReleased() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("brain.sqlite").path
        let lock = try BrainDatabase.lock(path: path)
        // flock locks belong to the open file, so a second open in the same process conflicts too.
        #expect(throws: DatabaseOpenError.inUse(path: path, pid: getpid())) { try BrainDatabase.lock(path: path) }
        lock.release()
        try BrainDatabase.lock(path: path).release()
    }

    @Test("A symbolic link planted as the database lock is refused and its target keeps its content")
    func plantedLink() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("brain.sqlite").path
        let victim = directory.appendingPathComponent("precious.txt").path
        try "keep me\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path + ".lock", withDestinationPath: victim)
        #expect(throws: DatabaseOpenError.self) { try BrainDatabase.lock(path: path) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n")
    }
}
