import BrainCore
import BrainStoreSQLite

/// A fresh in-memory database with the full schema.
func makeTestDatabase() throws -> BrainDatabase {
    try BrainDatabase()
}
