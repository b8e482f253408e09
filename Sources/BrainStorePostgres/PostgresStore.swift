import BrainCore
import PostgresNIO
