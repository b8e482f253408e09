import Foundation
import Synchronization

/// New row ids: UUIDs of version 7 (RFC 9562), lowercase text like every id braind stores.
///
/// A random (version 4) id lands on a random page of every index that holds it (the primary key,
/// `(owner, slug)`, `(owner, category)`, `events.record_id`), so a transaction of a few hundred
/// saves dirtied a few hundred pages per index. A version-7 id starts with the time in
/// milliseconds, so new ids append at the right edge of those indexes and a transaction dirties
/// only their last pages. The text format is unchanged: older random ids stay valid, and
/// nothing reads meaning into an id's bits.
public enum TimeOrderedID {
    /// Last (milliseconds, sequence) handed out: ids made in one millisecond still sort in the
    /// order they were made (the 12-bit `rand_a` field holds a sequence, RFC 9562 method 1).
    private static let last = Mutex((milliseconds: UInt64(0), sequence: UInt16(0)))

    /// A new id, later in sort order than every id this process made before.
    public static func make() -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let now = UInt64(clock.tv_sec) * 1_000 + UInt64(clock.tv_nsec) / 1_000_000
        let (milliseconds, sequence) = last.withLock { last -> (UInt64, UInt16) in
            if now > last.milliseconds {
                last = (now, 0)
            } else if last.sequence < 0x0FFF {
                last.sequence += 1
            } else {
                // 4,096 ids in one millisecond: borrow the next millisecond rather than repeat.
                last = (last.milliseconds + 1, 0)
            }
            return (last.milliseconds, last.sequence)
        }
        let random = UInt64.random(in: 0...UInt64.max)
        let high = (milliseconds << 16) | 0x7000 | UInt64(sequence)
        let low = (random & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return format(high: high, low: low)
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lowercase, without Foundation's UUID and its
    /// uppercase string (one allocation instead of three).
    static func format(high: UInt64, low: UInt64) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { buffer in
            digits.withUTF8Buffer { hex in
                var index = 0
                for nibble in 0..<32 {
                    if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    let word = nibble < 16 ? high : low
                    buffer[index] = hex[Int((word >> UInt64(60 - (nibble % 16) * 4)) & 0xF)]
                    index += 1
                }
            }
            return 36
        }
    }
}
