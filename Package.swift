// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "payment-api",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "payment-service", targets: ["App"]),
        .executable(name: "stripe-sandbox", targets: ["StripeSandboxCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.9.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // Stripe's objects and a call's classified result: plain values, shared by the domain and the gateway.
        .target(name: "StripeModels", swiftSettings: strict),
        .target(name: "Support", swiftSettings: strict),
        .target(name: "Payments", dependencies: ["StripeModels", "Support"], swiftSettings: strict),
        // Spans, W3C trace context and their OTLP/HTTP export: below every module that starts spans.
        .target(
            name: "Telemetry",
            dependencies: [
                "Support", .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Store",
            dependencies: [
                "CLibPQ", "Payments", "Support", "Telemetry", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StripeGateway",
            dependencies: [
                "CCurl", "StripeModels", "Support", "Telemetry", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "WorkerActor",
            dependencies: [
                "Payments", "Store", "StripeGateway", "Support", "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "APIActor",
            dependencies: [
                "Payments", "Store", "StripeGateway", "Support", "Telemetry",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "App",
            dependencies: [
                "APIActor", "WorkerActor", "Payments", "Store", "StripeGateway", "StripeSandbox", "Support", "Telemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StripeSandbox",
            dependencies: [
                "StripeGateway", "Support",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sandbox/StripeSandbox",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "StripeSandboxCLI",
            dependencies: [
                "StripeSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sandbox/StripeSandboxCLI",
            swiftSettings: strict
        ),

        .target(
            name: "TestSupport",
            dependencies: [
                "StripeGateway", "Store", "StripeSandbox", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(name: "PaymentsTests", dependencies: ["Payments", "StripeModels", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "Payments", "Support", "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .testTarget(name: "SupportTests", dependencies: ["Support"], swiftSettings: strict),
        .testTarget(
            name: "TelemetryTests",
            dependencies: ["Telemetry", "Support", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StripeGatewayTests",
            dependencies: ["StripeGateway", "StripeSandbox", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StripeSandboxTests",
            dependencies: ["StripeSandbox", "StripeGateway", "TestSupport", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        .testTarget(name: "WorkerActorTests", dependencies: ["WorkerActor", "Payments", "Store", "StripeGateway", "Support", "TestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")], swiftSettings: strict),
        .testTarget(
            name: "APIActorTests",
            dependencies: [
                "APIActor", "Payments", "Store", "StripeGateway", "Support", "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "AppTests", dependencies: ["App"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests", dependencies: ["TestSupport", "StripeGateway", "StripeSandbox", "Store", "Payments", "Support"],
            swiftSettings: strict
        ),
    ]
)
