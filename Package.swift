// swift-tools-version:6.1
//
// walrus-sim: a deterministic discrete-event simulator of the Walrus storage network.
// The target graph mirrors the layers of ../shared/DESIGN.md §3; a target may import only
// what it lists here (builds use --explicit-target-dependency-import-check error).
import PackageDescription

/// The compute-bound layers (codecs, hashing, curve arithmetic, the engine, the model, the world
/// and the scenario loader) are compiled with `-O` in debug builds too: the tests run debug
/// builds, and unoptimized these layers made the suite take twice its ten-minute budget.
/// Preconditions, overflow and exclusivity checks stay on under `-O`; only `assert` goes.
var optimizedEvenInDebug: [SwiftSetting] { [.unsafeFlags(["-O"], .when(configuration: .debug))] }
/// Release builds only: no runtime exclusivity checks in the simulation's hot targets.
var uncheckedExclusivityInRelease: [SwiftSetting] { [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))] }

let package = Package(
    name: "walrus-sim",
    platforms: [.macOS(.v15)],  // UInt128 and Synchronization.Atomic; Linux is the tested platform
    products: [
        .executable(name: "walrus-sim", targets: ["walrus-sim"]),
        // Libraries another Swift package can use on their own (README "Using the libraries").
        .library(name: "RedStuff", targets: ["RedStuff"]),
        .library(name: "Economics", targets: ["Economics"]),
        .library(name: "SimEngine", targets: ["SimEngine"]),
        // BLS12-381 signatures, byte-compatible with fastcrypto min_pk.
        .library(name: "BLS12381", targets: ["BLS12381"]),
    ],
    // Exact versions: with the committed Package.resolved, every clone builds the same code.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
    ],
    targets: [
        // Layer 0: vocabulary shared by everything (typed IDs, time, money, digests).
        .target(name: "SimSupport"),
        // Layer 0: the results schema as values (records and the sink protocol), below both the
        // world that emits them and the store that writes them.
        .target(name: "ResultRecords", dependencies: ["SimSupport"]),

        // Layer 1: system libraries (Debian: libgsl-dev, libsodium-dev, libsqlite3-dev).
        .systemLibrary(name: "CGSL", providers: [.apt(["libgsl-dev"])]),
        .systemLibrary(name: "CSodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // Layer 1-2: codecs and crypto. They know nothing of simulation.
        // GF(2^16) butterflies in C: AVX2 (pshufb) and GFNI kernels chosen at run time, plus a
        // portable scalar kernel with identical output (DESIGN §9). -O3 even in debug builds keeps
        // the test suite fast; unsafeFlags are fine in this root package.
        // The same holds for the codec and hashing layers above it (`optimizedEvenInDebug`):
        // unoptimized, an n = 4096 metadata computation took two minutes of the suite.
        .target(name: "CReedSolomonSIMD", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "ReedSolomon", dependencies: ["CReedSolomonSIMD"], swiftSettings: optimizedEvenInDebug),
        // Multi-buffer BLAKE2b-256 (AVX-512 x8, AVX2 x4, portable), behind WalrusCrypto.
        .target(name: "CBlake2b", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "WalrusCrypto", dependencies: ["CSodium", "CBlake2b"], swiftSettings: optimizedEvenInDebug),
        .target(name: "RedStuff", dependencies: ["ReedSolomon", "WalrusCrypto"], swiftSettings: optimizedEvenInDebug),
        // BLS12-381 signatures (min_pk, as fastcrypto), pure Swift; SHA-256 from libsodium.
        // -O in debug builds too: unoptimized limb arithmetic made the BLS tests take 90 s, not 1 s.
        .target(
            name: "BLS12381", dependencies: ["CSodium"],
            swiftSettings: optimizedEvenInDebug
        ),

        // Layer 2: the event engine (owns time and randomness) and the economics (pure functions).
        .target(name: "CSimRandom", dependencies: ["CGSL"]),
        .target(name: "SimEngine", dependencies: ["SimSupport", "CGSL", "CSimRandom"], swiftSettings: optimizedEvenInDebug),
        .target(name: "Economics", dependencies: ["SimSupport"], swiftSettings: optimizedEvenInDebug),

        // Layer 3: storage nodes, clients and the chain as state machines (message in, actions out).
        // Release builds of the model and the world drop the runtime exclusivity checks (about a
        // tenth of a world's event time, on every access to the world's and nodes' state); debug
        // builds, which the tests run, keep them (under `-O` too), so an overlapping access still
        // fails there.
        .target(name: "WalrusModel", dependencies: ["SimSupport", "RedStuff", "WalrusCrypto", "Economics", "BLS12381"],
                swiftSettings: uncheckedExclusivityInRelease + optimizedEvenInDebug),

        // Layer 4: the world: runs the model through the engine, workloads, faults, checkers.
        .target(
            name: "Simulation",
            dependencies: ["SimSupport", "ResultRecords", "SimEngine", "WalrusModel", "RedStuff", "WalrusCrypto", "Economics"],
            swiftSettings: uncheckedExclusivityInRelease + optimizedEvenInDebug
        ),

        // Layer 5: scenario files -> validated `Scenario` values, sweeps.
        .target(
            name: "ScenarioLoader",
            dependencies: ["Simulation", "SimEngine", "SimSupport", "WalrusModel", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: optimizedEvenInDebug
        ),

        // Layer 5: results in SQLite, written through a sink so tests can do without a database.
        .target(name: "ResultsStore", dependencies: ["SimSupport", "ResultRecords", "CSQLite"]),
        // Layer 5: statistics over results databases (means, Student t intervals, paired differences).
        .target(name: "Analysis", dependencies: ["ResultsStore", "CGSL"]),

        // Layer 6: the command line, the only code that touches the outside world.
        .executableTarget(
            name: "walrus-sim",
            dependencies: [
                "SimSupport", "SimEngine", "ReedSolomon", "WalrusCrypto", "RedStuff", "Economics",
                "ResultRecords", "ResultsStore", "WalrusModel", "Simulation", "ScenarioLoader", "Analysis", "BLS12381",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // Embeds the git commit and compiler version of each build (runs.code_version, toolchain).
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),

        // Tests. `TestSupport` holds what several test targets share (seeded randomness, the
        // harness that runs the built executable).
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "SimSupportTests", dependencies: ["SimSupport"]),
        .testTarget(name: "SimEngineTests", dependencies: ["SimEngine", "SimSupport", "TestSupport"]),
        .testTarget(name: "ReedSolomonTests", dependencies: ["ReedSolomon", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CBlake2bTests", dependencies: ["CBlake2b", "CSodium", "TestSupport"]),
        .testTarget(name: "RedStuffTests", dependencies: ["RedStuff", "ReedSolomon", "WalrusCrypto", "TestSupport"]),
        .testTarget(name: "WalrusCryptoTests", dependencies: ["WalrusCrypto", "TestSupport"]),
        .testTarget(name: "EconomicsTests", dependencies: ["Economics", "SimSupport", "TestSupport"]),
        .testTarget(name: "ResultsStoreTests", dependencies: ["ResultsStore", "ResultRecords", "SimSupport"]),
        .testTarget(name: "BLS12381Tests", dependencies: ["BLS12381", "TestSupport"]),
        .testTarget(
            name: "ScenarioLoaderTests", dependencies: ["ScenarioLoader", "Simulation", "SimEngine", "SimSupport", "WalrusModel", "TestSupport"],
            resources: [.copy("Malformed")]
        ),
        .testTarget(
            name: "SimulationTests",
            dependencies: ["Simulation", "ScenarioLoader", "WalrusModel", "SimEngine", "SimSupport", "ResultRecords", "RedStuff", "Economics",
                           "TestSupport"]
        ),
        .testTarget(name: "WalrusModelTests", dependencies: ["WalrusModel", "RedStuff", "WalrusCrypto", "Economics", "SimSupport"]),
        .testTarget(name: "LibraryExamplesTests", dependencies: ["RedStuff", "Economics", "SimEngine", "SimSupport"]),
        .testTarget(name: "CLITests", dependencies: ["walrus-sim", "TestSupport"]),
        .testTarget(
            name: "AnalysisTests", dependencies: ["Analysis", "ResultRecords", "ResultsStore", "SimSupport", "walrus-sim", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
