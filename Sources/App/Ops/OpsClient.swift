import ArgumentParser
import Foundation
import StripeGateway

/// The operator CLI's HTTP side: the API at `PAYMENT_API_URL` with the bearer `PAYMENT_API_TOKEN`. Exit status 1
/// when the API refuses (its problem's detail on stderr), 2 when it cannot be reached.
struct OpsClient {
    let baseURL: String
    let token: String?
    let http = CurlHTTPClient(maxConcurrent: 1, connectTimeout: .seconds(5), totalTimeout: .seconds(30))

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> OpsClient {
        CurlHTTPClient.globalInit()
        let url = environment["PAYMENT_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080"
        let token = environment["PAYMENT_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return OpsClient(baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, token: token)
    }

    /// The answer's JSON object; exits on a refusal or a transport failure.
    func call(_ method: String, _ path: String, reason: String? = nil) async throws -> [String: Any] {
        var headers = [("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let reason { headers.append(("X-Reason", reason)) }
        let response: CurlResponse
        do {
            response = try await http.send(CurlRequest(method: method, url: baseURL + path, headers: headers))
        } catch {
            FileHandle.standardError.write(Data("cannot reach \(baseURL): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            let detail = object["detail"] as? String ?? String(decoding: response.body.prefix(500), as: UTF8.self)
            FileHandle.standardError.write(Data("\(method) \(path): \(response.status) \(detail)\n".utf8))
            throw ExitCode(1)
        }
        return object
    }

    /// Every page of a listing (`next` followed while `all`), its items under `key`.
    func pages(_ path: String, key: String, all: Bool) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var next: String?
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let page = try await call("GET", path + (next.map { "\(separator)after=\(Query.escape($0))" } ?? ""))
            let found = page[key] as? [[String: Any]] ?? []
            items += found
            next = found.isEmpty ? nil : page["next"] as? String
        } while all && next != nil
        return items
    }
}

enum Query {
    /// `name=value` pairs of the options given, escaped for a query string.
    static func string(_ pairs: [(String, String?)]) -> String {
        let given = pairs.compactMap { name, value in value.map { "\(name)=\(escape($0))" } }
        return given.isEmpty ? "" : "?" + given.joined(separator: "&")
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}

/// What a command prints: a table for a person, or the JSON as the API gave it with `--json`.
enum OpsOutput {
    static func json(_ value: Any) {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted])) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    static func table(_ rows: [[String: Any]], columns: [String]) {
        let cells = rows.map { row in columns.map { text(row[$0]) } }
        let widths = columns.indices.map { index in ([columns[index]] + cells.map { $0[index] }).map(\.count).max() ?? 0 }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        print(line(columns))
        for row in cells { print(line(row)) }
        if rows.isEmpty { print("(none)") }
    }

    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "-"
        case let string as String: string
        case let object as [String: Any]: object["code"] as? String ?? "{…}"
        case let other?: "\(other)"
        }
    }
}
