#if canImport(Glibc)
import Glibc
#endif
import Payments
import Testing

/// The 16 bytes of an IPv6 literal, as a resolver hands them to the connect-time check.
private func ipv6(_ text: String) -> [UInt8]? {
    var address = in6_addr()
    guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
    return withUnsafeBytes(of: &address) { Array($0) }
}

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
        ([255, 255, 255, 255], true), ([8, 8, 8, 8], false), ([93, 184, 216, 34], false), ([192, 0, 2, 1], true), ([198, 51, 100, 7], true),
        ([203, 0, 113, 9], true), ([192, 88, 99, 1], true), ([192, 0, 1, 1], false),
    ] as [([UInt8], Bool)])
    func v4Ranges(_ address: [UInt8], _ refused: Bool) {
        #expect((AddressRange.refused(address) != nil) == refused, "\(address)")
    }

    @Test("spellings other than a DNS name or dotted decimal do not match the grammar, private allowed or not", arguments: [
        "http://127.1/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://[::1]/", "http://[2001:db8::1]/",
        "http://example.com:/x", "http://-a.com/", "http://a-.com/", "http://a..b/", "http://example.com./", "http://1a/", "http://x.com:0/",
        "http://x/\\", "http://x/ y", "http://x/é",
    ])
    func outsideTheGrammar(_ url: String) {
        #expect(throws: WebhookDestination.Refusal.self) { try WebhookDestination(url, allowPrivate: true) }
    }

    @Test("IPv6 ranges (the connect-time check's)", arguments: [
        ("::1", true), ("::", true), ("::ffff:8.8.8.8", true), ("::7f00:1", true), ("fc00::1", true), ("fdff::1", true), ("fe80::1", true),
        ("fec0::1", true), ("ff02::1", true), ("64:ff9b::a00:1", true), ("64:ff9b::808:808", false), ("2001:db8::1", true), ("64:ff9b:1::a9fe:a9fe", true),
        ("2002:7f00:1::1", true), ("2001:0:4136:e378::1", true), ("100::1", true), ("2001:4860:4860::8888", false),
        ("2606:4700::1111", false),
    ])
    func v6Ranges(_ text: String, _ refused: Bool) throws {
        let bytes = try #require(ipv6(text))
        #expect((AddressRange.refused(bytes) != nil) == refused, "\(text)")
    }

    @Test("the host a URL names, as checked", arguments: [
        ("https://Hooks.Example.COM:8443/a/b?c#d", "hooks.example.com"), ("http://8.8.8.8", "8.8.8.8"), ("HTTP://a:1/x@y", "a"),
    ])
    func host(_ url: String, _ host: String) throws {
        #expect(try WebhookDestination(url, allowPrivate: false).host == host)
    }

    @Test("allowing private addresses lifts the range rules only", arguments: ["http://127.0.0.1/", "http://localhost:8080/", "http://10.0.0.1:9/x"])
    func allowPrivate(_ url: String) throws {
        #expect(throws: WebhookDestination.Refusal.self) { try WebhookDestination(url, allowPrivate: false) }
        #expect(try WebhookDestination(url, allowPrivate: true).url == url)
        #expect(throws: WebhookDestination.Refusal.self) { try WebhookDestination(url.replacing("http://", with: "http://u@"), allowPrivate: true) }
    }
}

@Suite("EventSelection and SigningSecrets")
struct SubscriptionValueTests {
    @Test("\"*\" selects every type; known types select themselves; anything else is refused")
    func selection() {
        #expect(EventSelection(names: ["*"]) == .all && EventSelection(names: ["*", "*"]) == .all)
        #expect(EventSelection(names: ["*", "payment-failed"]) == .all && EventSelection(names: ["*", "nope"]) == nil)
        #expect(EventSelection(names: []) == nil && EventSelection(names: ["nope"]) == nil)
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
