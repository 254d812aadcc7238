// swift-tools-version:6.1
import PackageDescription

// Rooms (docs/architecture.md): Engine → Store ← Console, the engine's detectors (Detect) beside
// it, adapters beside the engine, the CLI wiring them, and every room → Vocabulary. The console
// never imports the engine.
let package = Package(
    name: "paytop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "paytop", targets: ["paytop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        // Default traits off: swift-configuration support is not used and costs build time.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // No pkgConfig: its only flags (-D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600) are ones SwiftPM
        // refuses with a warning on every build; shim.h defines what curses.h needs and the
        // module map links ncursesw and tinfo.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncursesw5-dev"])]),
        // gzip request bodies (OTLP/HTTP's Content-Encoding: gzip).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The words every room shares (DESIGN.md section 2), and the JSON value they use.
        .target(name: "PaytopJSON"),
        .target(name: "PaytopVocabulary", dependencies: ["PaytopJSON"]),
        // The protobuf wire format, both ways (OTLP export writes it, ingest reads it).
        .target(name: "PaytopProtobuf"),
        .target(name: "PaytopStore", dependencies: [
            "CSQLite", "CZlib", "PaytopVocabulary", "PaytopJSON", "PaytopProtobuf",
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        // Detection: the detectors and problem tracking of whichever process writes the store.
        .target(name: "PaytopDetect", dependencies: ["PaytopStore", "PaytopVocabulary"]),
        .target(
            name: "PaytopConsole",
            dependencies: ["PaytopStore", "PaytopVocabulary", "PaytopJSON", "CNcurses", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .target(
            name: "PaytopEngine",
            dependencies: [
                "PaytopStore", "PaytopVocabulary", "PaytopJSON", "PaytopDetect",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // Adapters beside the engine: the HTTP API and OTLP receiver (Hummingbird), OTLP export.
        .target(
            name: "PaytopServer",
            dependencies: [
                "PaytopEngine", "PaytopStore", "PaytopVocabulary", "PaytopJSON", "PaytopIngest", "PaytopProtobuf",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "PaytopExport", dependencies: [
            "PaytopStore", "PaytopVocabulary", "PaytopJSON", "PaytopProtobuf", .product(name: "DequeModule", package: "swift-collections"),
        ]),
        // Adapter: the console and read commands on the ClickHouse an OpenTelemetry Collector
        // fleet fills (its exporter's tables), and a store exported into them.
        .target(name: "PaytopClickHouse", dependencies: ["PaytopExport", "PaytopIngest", "PaytopStore", "PaytopVocabulary", "PaytopJSON"]),
        // Adapter: telemetry from outside (OTLP requests, Lambda log lines) into the store.
        .target(name: "PaytopIngest", dependencies: [
            "PaytopStore", "PaytopDetect", "PaytopVocabulary", "PaytopJSON", "PaytopProtobuf", "CZlib",
            .product(name: "DequeModule", package: "swift-collections"),
        ]),
        .target(
            name: "PaytopCLI",
            dependencies: [
                "PaytopEngine", "PaytopStore", "PaytopConsole", "PaytopServer", "PaytopExport", "PaytopIngest", "PaytopVocabulary", "PaytopJSON",
                "PaytopDetect", "PaytopClickHouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(name: "paytop", dependencies: ["PaytopCLI"]),
        .testTarget(name: "PaytopVocabularyTests", dependencies: ["PaytopVocabulary", "PaytopJSON"]),
        .testTarget(name: "PaytopDetectTests", dependencies: ["PaytopDetect", "PaytopStore", "PaytopVocabulary"]),
        .testTarget(name: "PaytopStoreTests", dependencies: ["PaytopStore", "PaytopVocabulary", "PaytopJSON"]),
        .testTarget(name: "PaytopEngineTests", dependencies: [
            "PaytopEngine", "PaytopDetect", "PaytopStore", "PaytopVocabulary", "PaytopJSON", .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .testTarget(name: "PaytopConsoleTests", dependencies: ["PaytopConsole", "PaytopStore", "PaytopEngine", "PaytopVocabulary", "PaytopJSON"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "PaytopCLITests", dependencies: [
            "PaytopCLI", "PaytopClickHouse", "PaytopEngine", "PaytopStore", "PaytopIngest", "PaytopProtobuf", "PaytopVocabulary", "PaytopJSON",
            "PaytopTestSupport",
        ]),
        .testTarget(name: "PaytopServerTests", dependencies: ["PaytopServer", "PaytopExport", "PaytopEngine", "PaytopStore", "PaytopVocabulary", "PaytopJSON"]),
        .testTarget(name: "PaytopExportTests", dependencies: ["PaytopExport", "PaytopProtobuf", "PaytopEngine", "PaytopStore", "PaytopVocabulary", "PaytopJSON"]),
        .testTarget(name: "PaytopClickHouseTests", dependencies: [
            "PaytopClickHouse", "PaytopEngine", "PaytopIngest", "PaytopStore", "PaytopVocabulary", "PaytopJSON", "PaytopTestSupport",
        ]),
        // Test-only: a real ClickHouse (chdb behind Tests/clickhouse/chdb_front.py) for the tests that need one.
        .target(name: "PaytopTestSupport", path: "Tests/Support"),
        .testTarget(name: "PaytopIngestTests", dependencies: [
            "PaytopIngest", "PaytopConsole", "PaytopProtobuf", "PaytopStore", "PaytopVocabulary", "PaytopJSON",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
