import Payments
import Testing

@Suite("WebhookDestination and AddressRange: the SSRF rule on URLs and addresses")
struct WebhookDestinationTests {
    @Test("IPv4 literals read in every spelling inet_aton accepts", arguments: [
        ("127.0.0.1", [127, 0, 0, 1]), ("127.1", [127, 0, 0, 1]), ("2130706433", [127, 0, 0, 1]), ("0177.0.0.1", [127, 0, 0, 1]),
        ("0x7f.1", [127, 0, 0, 1]), ("0x7F000001", [127, 0, 0, 1]), ("10.0x10.1", [10, 16, 0, 1]), ("0", [0, 0, 0, 0]), ("0x", [0, 0, 0, 0]),
        ("1.2.3.4", [1, 2, 3, 4]), ("192.168.257", [192, 168, 1, 1]),
    ] as [(String, [UInt8])])
    func ipv4(_ text: String, _ bytes: [UInt8]) {
        #expect(AddressRange.ipv4Literal(Substring(text)) == bytes)
    }

    @Test("what is not an IPv4 literal", arguments: ["256.1.1.1", "1.2.3.4.5", "1..2", "", "08.1.1.1", "0x1g", "4294967296", "1.16777216"])
    func notIPv4(_ text: String) {
        #expect(AddressRange.ipv4Literal(Substring(text)) == nil)
    }

    @Test("refused ranges, and public addresses that pass", arguments: [
        ([127, 9, 9, 9], true), ([10, 1, 2, 3], true), ([172, 31, 0, 1], true), ([172, 32, 0, 1], false), ([192, 168, 0, 1], true),
        ([169, 254, 169, 254], true), ([100, 64, 0, 1], true), ([100, 128, 0, 1], false), ([0, 1, 2, 3], true), ([224, 0, 0, 1], true),
        ([255, 255, 255, 255], true), ([8, 8, 8, 8], false), ([93, 184, 216, 34], false),
    ] as [([UInt8], Bool)])
    func v4Ranges(_ address: [UInt8], _ refused: Bool) {
        #expect((AddressRange.refused(address) != nil) == refused, "\(address)")
    }

    @Test("IPv6 ranges", arguments: [
        ("::1", true), ("::", true), ("::ffff:8.8.8.8", true), ("::7f00:1", true), ("fc00::1", true), ("fdff::1", true), ("fe80::1", true),
        ("fec0::1", true), ("ff02::1", true), ("64:ff9b::a00:1", true), ("64:ff9b::808:808", false), ("2001:db8::1", false),
        ("2606:4700::1111", false),
    ])
    func v6Ranges(_ text: String, _ refused: Bool) throws {
        let bytes = try #require(AddressRange.ipv6Literal(Substring(text)))
        #expect((AddressRange.refused(bytes) != nil) == refused, "\(text)")
    }

    @Test("the host a URL names, as checked", arguments: [
        ("https://Hooks.Example.COM:8443/a/b?c#d", "hooks.example.com"), ("http://[2001:DB8::1]/", "2001:db8::1"), ("http://8.8.8.8", "8.8.8.8"),
        ("HTTP://example.com:/x", "example.com"),
    ])
    func host(_ url: String, _ host: String) throws {
        #expect(try WebhookDestination(url, allowPrivate: false).host == host)
    }

    @Test("allowing private addresses lifts the range rules only", arguments: ["http://127.0.0.1/", "http://localhost:8080/", "http://[::1]/"])
    func allowPrivate(_ url: String) throws {
        #expect(throws: WebhookDestination.Refusal.self) { try WebhookDestination(url, allowPrivate: false) }
        #expect(try WebhookDestination(url, allowPrivate: true).url == url)
        #expect(throws: WebhookDestination.Refusal.self) { try WebhookDestination(url.replacing("http://", with: "http://u@"), allowPrivate: true) }
    }
}

@Suite("EventSelection and SigningSecrets")
struct SubscriptionValueTests {
    @Test("\"*\" alone selects every type; known types select themselves; anything else is refused")
    func selection() {
        #expect(EventSelection(names: ["*"]) == .all && EventSelection(names: ["*", "*"]) == .all)
        #expect(EventSelection(names: ["*", "payment-failed"]) == nil && EventSelection(names: []) == nil && EventSelection(names: ["nope"]) == nil)
        let some = EventSelection(names: ["refund-failed", "payment-succeeded", "refund-failed"])
        #expect(some?.names == ["payment-succeeded", "refund-failed"])
        #expect(some?.includes("payment-succeeded") == true && some?.includes("payment-failed") == false)
        #expect(EventSelection.all.includes("anything"))
    }

    @Test("the previous secret signs beside the current one until its time, not after")
    func secrets() {
        let secrets = SigningSecrets(current: "whsec_new", previous: "whsec_old", previousUntil: 1_000)
        #expect(secrets.signing(at: 999) == ["whsec_new", "whsec_old"] && secrets.signing(at: 1_000) == ["whsec_new"])
        #expect(SigningSecrets(current: "whsec_x").signing(at: 0) == ["whsec_x"])
        let fresh = SigningSecrets.generate()
        #expect(fresh.count == 70 && fresh.hasPrefix("whsec_") && fresh != SigningSecrets.generate())
    }
}
