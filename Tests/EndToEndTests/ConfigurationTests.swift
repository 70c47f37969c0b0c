import Foundation
import Testing
import TestSupport

/// Settings through the real binary: `--help` lists them with defaults; an invalid one stops the start
/// with a message naming it and a non-zero exit, before anything is touched.
@Suite("Configuration, end to end")
struct ConfigurationTests {
    static let variables = [
        "DATABASE_URL", "HOST", "PORT", "ROLE", "STRIPE_SECRET_KEY", "STRIPE_API_BASE", "SANDBOX_PORT", "STRIPE_WEBHOOK_SECRET",
        "PAYMENT_API_TOKENS", "DEFAULT_PAYMENT_METHOD", "WORKER_CONCURRENCY", "STRIPE_MAX_RPS", "DB_POOL_SIZE", "ALLOW_LIVE_KEYS",
        "LOG_LEVEL", "LOG_FORMAT", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
    ]

    @Test("--help lists every setting with its default; serve --help names every flag and variable")
    func help() async throws {
        let top = try await BinaryRun.run(["--help"])
        #expect(top.status == 0)
        for variable in Self.variables {
            let line = top.output.split(separator: "\n").first { $0.contains(variable + " ") }
            #expect(line?.contains("default") == true, "\(variable) in --help:\n\(top.output)")
        }
        let serve = try await BinaryRun.run(["serve", "--help"])
        #expect(serve.status == 0)
        let flat = serve.output.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
        for variable in Self.variables {
            let flag = "--" + variable.lowercased().replacingOccurrences(of: "_", with: "-")
            #expect(flat.contains(flag), "\(flag)")
            #expect(flat.contains("env \(variable)"), "\(variable)")
        }
        #expect(flat.components(separatedBy: "default").count - 1 >= Self.variables.count - 2)
    }

    static let invalid: [(name: String, environment: [String: String], arguments: [String], mentions: String)] = [
        ("not a URL", ["DATABASE_URL": "not a url"], [], "DATABASE_URL"),
        ("another scheme", ["DATABASE_URL": "mysql://root@localhost/payments"], [], "DATABASE_URL"),
        ("bad escape in the password", ["DATABASE_URL": "postgresql://app:p%zzLEAK@127.0.0.1/payments"], [], "DATABASE_URL"),
        ("bad port in the URL", ["DATABASE_URL": "postgresql://app@127.0.0.1:99999x/payments"], [], "DATABASE_URL"),
        ("negative concurrency", ["WORKER_CONCURRENCY": "-1"], [], "WORKER_CONCURRENCY"),
        ("negative concurrency flag", [:], ["--worker-concurrency=-4"], "WORKER_CONCURRENCY"),
        ("zero pool", ["DB_POOL_SIZE": "0"], [], "DB_POOL_SIZE"),
        ("unknown role", ["ROLE": "boss"], [], "ROLE"),
        ("port out of range", ["PORT": "70000"], [], "PORT"),
        ("port not a number", [:], ["--port", "eighty"], "PORT"),
        ("negative rate", ["STRIPE_MAX_RPS": "-5"], [], "STRIPE_MAX_RPS"),
        ("live key without ALLOW_LIVE_KEYS", ["STRIPE_SECRET_KEY": "sk_live_LEAK123", "PAYMENT_API_TOKENS": "t", "STRIPE_WEBHOOK_SECRET": "whsec_x"], [], "ALLOW_LIVE_KEYS"),
        ("not a Stripe key", ["STRIPE_SECRET_KEY": "pk_test_LEAK123"], [], "STRIPE_SECRET_KEY"),
        ("no tokens outside sandbox mode", ["STRIPE_SECRET_KEY": "sk_test_LEAK123", "STRIPE_WEBHOOK_SECRET": "whsec_x"], [], "PAYMENT_API_TOKENS"),
        ("no webhook secret outside sandbox mode", ["STRIPE_SECRET_KEY": "sk_test_LEAK123", "PAYMENT_API_TOKENS": "t"], [], "STRIPE_WEBHOOK_SECRET"),
        ("API base without a key", ["STRIPE_API_BASE": "http://127.0.0.1:1"], [], "STRIPE_API_BASE"),
        ("API base not a URL", ["STRIPE_SECRET_KEY": "sk_test_x", "PAYMENT_API_TOKENS": "t", "STRIPE_WEBHOOK_SECRET": "whsec_x", "STRIPE_API_BASE": "https://"], [], "STRIPE_API_BASE"),
        ("unknown log level", ["LOG_LEVEL": "loud"], [], "LOG_LEVEL"),
        ("unknown log format", ["LOG_FORMAT": "xml"], ["--log-format", "xml"], "LOG_FORMAT"),
        ("collector headers that would forge a header", ["OTEL_EXPORTER_OTLP_HEADERS": "authorization=LEAK123%0d%0aX: 1"], [], "OTEL_EXPORTER_OTLP_HEADERS"),
    ]

    @Test("each invalid setting stops the start: non-zero exit, a message naming it, never the secret in it")
    func invalidSettings() async throws {
        for (name, environment, arguments, mentions) in Self.invalid {
            var env = ["DATABASE_URL": try TestDatabase.serverURL(), "PORT": String(freePort())]
            env.merge(environment) { _, new in new }
            for command in [["serve"], ["migrate"]] {
                let run = try await BinaryRun.run(command + arguments, environment: env, timeout: .seconds(15))
                #expect(run.status != 0, "\(name) (\(command)): exit \(run.status)\n\(run.output)")
                #expect(run.output.contains(mentions), "\(name) (\(command)) does not name \(mentions):\n\(run.output)")
                #expect(!run.output.contains("LEAK"), "\(name) (\(command)) quotes a secret:\n\(run.output)")
                #expect(!run.output.contains("listening"), "\(name) (\(command)) started")
            }
        }
    }
}
