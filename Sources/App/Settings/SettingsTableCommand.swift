import ArgumentParser
import Foundation

/// Prints the README's settings table, or writes it into a README between its markers.
struct SettingsTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings-table", abstract: "Print the settings table of the README (Markdown).")

    @Option(help: "Replace the table between the markers of this file instead of printing it")
    var update: String?

    struct MissingMarkers: Error, CustomStringConvertible {
        var path: String
        var description: String { "\(path) has no settings table markers (\(SettingsDocumentation.tableStart))" }
    }

    func run() throws {
        guard let update else {
            print(SettingsDocumentation.markdownTable())
            return
        }
        let readme = try String(contentsOfFile: update, encoding: .utf8)
        guard let updated = SettingsDocumentation.replacingTable(in: readme) else { throw MissingMarkers(path: update) }
        try updated.write(toFile: update, atomically: true, encoding: .utf8)
    }
}
