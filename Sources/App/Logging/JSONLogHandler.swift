import Foundation
import Logging
import Payments
import Store
import Support

/// One JSON object per line on stdout: what log collectors read when not on a terminal.
struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String
    var standardError = false
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = ["\"ts\":\(JSONString.quoted(Timestamp.now()))", "\"level\":\"\(event.level.rawValue)\"",
                      "\"logger\":\(JSONString.quoted(label))", "\"msg\":\(JSONString.quoted("\(event.message)"))"]
        let provided = metadataProvider?.get() ?? [:]
        let merged = provided.merging(metadata) { _, new in new }.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            fields.append("\(JSONString.quoted(key)):\(JSONString.quoted("\(merged[key]!)"))")
        }
        let line = "{" + fields.joined(separator: ",") + "}\n"
        (standardError ? FileHandle.standardError : FileHandle.standardOutput).write(Data(line.utf8))
    }
}
