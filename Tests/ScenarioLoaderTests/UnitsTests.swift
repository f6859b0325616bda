@testable import ScenarioLoader
import SimSupport
import Testing

@Suite struct UnitParsing {
    @Test(arguments: [
        ("1ns", 1), ("250ms", 250_000_000), ("1.5s", 1_500_000_000), ("90s", 90_000_000_000),
        ("30m", 1_800_000_000_000), ("2h", 7_200_000_000_000), ("1d", 86_400_000_000_000),
        ("1h30m", 5_400_000_000_000), ("1h 30m", 5_400_000_000_000), ("10us", 10_000), ("10µs", 10_000),
        ("0s", 0), ("0.000000001s", 1),
    ] as [(String, UInt64)])
    func durations(_ text: String, _ nanoseconds: UInt64) {
        #expect(Units.duration(text) == SimDuration(nanoseconds: nanoseconds))
    }

    @Test(arguments: ["", "5", "2 hours", "-1s", "1.5ns", "s", "1x", "1e3s", "214749d", "1s2"])
    func badDurations(_ text: String) {
        #expect(Units.duration(text) == nil)
    }

    @Test(arguments: [
        ("512", 512), ("512B", 512), ("1KiB", 1024), ("1KB", 1000), ("1.1KB", 1100), ("1.5MiB", 1_572_864),
        ("16MiB", 16 << 20), ("64TiB", 64 << 40), ("1 GiB", 1 << 30), ("2gb", 2_000_000_000), ("1PiB", 1 << 50),
    ] as [(String, UInt64)])
    func sizes(_ text: String, _ bytes: UInt64) {
        #expect(Units.size(text) == bytes)
    }

    @Test(arguments: ["", "KiB", "1.5B", "-1KiB", "1 KiBs", "99999999PiB", "1.0000000001KB"])
    func badSizes(_ text: String) {
        #expect(Units.size(text) == nil)
    }
}
