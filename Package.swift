// swift-tools-version:6.1
//
// walrus-sim: a deterministic discrete-event simulator of the Walrus storage network.
// The target graph mirrors the layers of ../shared/DESIGN.md §3; a target may import only
// what it lists here (builds use --explicit-target-dependency-import-check error).
import PackageDescription

let package = Package(
    name: "walrus-sim",
    platforms: [.macOS(.v15)],  // UInt128 and Synchronization.Atomic; Linux is the tested platform
    products: [
        .executable(name: "walrus-sim", targets: ["walrus-sim"]),
        .library(name: "BLS12381", targets: ["BLS12381"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Layer 0: vocabulary shared by everything (typed IDs, time, money, digests).
        .target(name: "SimSupport"),

        // Layer 1: system libraries (Debian: libgsl-dev, libsodium-dev, libsqlite3-dev).
        .systemLibrary(name: "CGSL", providers: [.apt(["libgsl-dev"])]),
        .systemLibrary(name: "CSodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // Layer 1-2: codecs and crypto. They know nothing of simulation.
        // GF(2^16) butterflies in C: AVX2 (pshufb) and GFNI kernels chosen at run time, plus a
        // portable scalar kernel with identical output (DESIGN §9). -O3 even in debug builds keeps
        // the test suite fast; unsafeFlags are fine in this root package.
        .target(name: "CReedSolomonSIMD", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "ReedSolomon", dependencies: ["CReedSolomonSIMD"]),
        // Multi-buffer BLAKE2b-256 (AVX-512 x8, AVX2 x4, portable), behind WalrusCrypto.
        .target(name: "CBlake2b"),
        .target(name: "WalrusCrypto", dependencies: ["CSodium", "CBlake2b"]),
        .target(name: "RedStuff", dependencies: ["ReedSolomon", "WalrusCrypto"]),
        // BLS12-381 signatures (min_pk, as fastcrypto), pure Swift; SHA-256 from libsodium.
        // -O in debug builds too: unoptimized limb arithmetic made the BLS tests take 90 s, not 1 s.
        .target(
            name: "BLS12381", dependencies: ["CSodium"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        // Multi-buffer BLAKE2b-256 (4/8 messages per SIMD register) for Merkle trees of blob IDs.
        .executableTarget(
            name: "cb2-bench", dependencies: ["CBlake2b", "CSodium"],
            linkerSettings: [.linkedLibrary("sodium")]
        ),

        // Layer 2: the event engine (owns time and randomness) and the economics (pure functions).
        .target(name: "CSimRandom", dependencies: ["CGSL"]),
        .target(name: "SimEngine", dependencies: ["SimSupport", "CGSL", "CSimRandom"]),
        .target(name: "Economics", dependencies: ["SimSupport"]),

        // Layer 3: storage nodes, clients and the chain as state machines (message in, actions out).
        .target(name: "WalrusModel", dependencies: ["SimSupport", "RedStuff", "WalrusCrypto", "Economics"]),

        // Layer 4: the world: runs the model through the engine, workloads, faults, checkers.
        .target(
            name: "Simulation",
            dependencies: ["SimSupport", "SimEngine", "WalrusModel", "RedStuff", "WalrusCrypto", "Economics"]
        ),

        // Layer 5: scenario files -> validated `Scenario` values, sweeps.
        .target(
            name: "ScenarioLoader",
            dependencies: ["Simulation", "SimEngine", "SimSupport", .product(name: "TOMLKit", package: "TOMLKit")]
        ),

        // Layer 5: results in SQLite, written through a sink so tests can do without a database.
        .target(name: "ResultsStore", dependencies: ["SimSupport", "CSQLite"]),

        // Layer 6: the command line, the only code that touches the outside world.
        .executableTarget(
            name: "walrus-sim",
            dependencies: [
                "SimSupport", "SimEngine", "ReedSolomon", "WalrusCrypto", "RedStuff", "Economics",
                "ResultsStore", "Simulation", "ScenarioLoader",
                "BLS12381",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "SimSupportTests", dependencies: ["SimSupport"]),
        .testTarget(name: "SimEngineTests", dependencies: ["SimEngine", "SimSupport"]),
        .testTarget(name: "ReedSolomonTests", dependencies: ["ReedSolomon"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CBlake2bTests", dependencies: ["CBlake2b", "CSodium"]),
        .testTarget(name: "RedStuffTests", dependencies: ["RedStuff", "ReedSolomon", "WalrusCrypto"]),
        .testTarget(name: "WalrusCryptoTests", dependencies: ["WalrusCrypto"]),
        .testTarget(name: "BLS12381Tests", dependencies: ["BLS12381"]),
        .testTarget(name: "EconomicsTests", dependencies: ["Economics", "SimSupport"]),
        .testTarget(name: "ResultsStoreTests", dependencies: ["ResultsStore", "SimSupport"]),
        .testTarget(
            name: "ScenarioLoaderTests", dependencies: ["ScenarioLoader", "Simulation", "SimEngine", "SimSupport", "WalrusModel"],
            resources: [.copy("Malformed")]
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation", "ScenarioLoader", "WalrusModel", "SimEngine", "SimSupport", "RedStuff", "Economics"]
        ),
        .testTarget(name: "CLITests", dependencies: ["walrus-sim"]),
    ]
)
