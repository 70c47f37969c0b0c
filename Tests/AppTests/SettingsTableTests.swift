import Foundation
import Testing

@testable import App

@Suite struct SettingsTableTests {
    static let readmePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../README.md").standardizedFileURL.path

    @Test("the README's settings table is the one the descriptors generate")
    func readmeTable() throws {
        let readme = try String(contentsOfFile: Self.readmePath, encoding: .utf8)
        let expected = SettingsDocumentation.markdownTable()
        let table = try #require(SettingsDocumentation.table(in: readme), "no settings table markers in \(Self.readmePath)")
        #expect(
            table == expected,
            """
            README.md's settings table is stale; regenerate it with
              swift run payment-service settings-table --update README.md
            The table the descriptors generate:
            \(expected)
            """)
    }

    @Test("every setting is listed once, with a flag that reaches its own value")
    func flags() throws {
        let variables = SettingDescriptor.all.map(\.variable)
        #expect(Set(variables).count == variables.count)
        for setting in SettingDescriptor.all {
            let options = try Options.parse([setting.flag, "given"])
            for other in SettingDescriptor.all {
                #expect(other.option(options) == (other.variable == setting.variable ? "given" : nil), "\(setting.flag) → \(other.variable)")
            }
        }
    }

    @Test("--help lists every setting with its default; each flag's help names its variable")
    func help() {
        let discussion = SettingsDocumentation.helpDiscussion()
        for setting in SettingDescriptor.all {
            #expect(discussion.contains("  \(setting.variable) (default: "), "\(setting.variable)")
            #expect(SettingsDocumentation.flagHelp(setting).contains("(env \(setting.variable); default "))
        }
    }

    @Test("the table is replaced between its markers, the rest of the README kept")
    func update() throws {
        let readme = "before\n\(SettingsDocumentation.tableStart)\nold\n\(SettingsDocumentation.tableEnd)\nafter\n"
        let updated = try #require(SettingsDocumentation.replacingTable(in: readme, with: "| new |"))
        #expect(updated == "before\n\(SettingsDocumentation.tableStart)\n| new |\n\(SettingsDocumentation.tableEnd)\nafter\n")
        #expect(SettingsDocumentation.replacingTable(in: "no markers") == nil)
    }
}
