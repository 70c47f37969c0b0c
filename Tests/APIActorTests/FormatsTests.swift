import Testing
@testable import APIActor

@Suite struct FormatsTests {
    @Test(arguments: [
        ("0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b", true),
        ("0D4F4A2E-1B7C-4C5E-9A3B-2F6D8E9A1C0B", true),
        ("00000000-0000-0000-0000-000000000000", true),
        ("ffffffff-ffff-ffff-ffff-ffffffffffff", true),
        ("", false),
        ("0d4f4a2e1b7c4c5e9a3b2f6d8e9a1c0b", false),
        ("{0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b}", false),
        ("urn:uuid:0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b", false),
        ("0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0", false),
        ("0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b0", false),
        ("0d4f4a2e-1b7c-4c5e-9a3b_2f6d8e9a1c0b", false),
        ("0d4f4a2e1-b7c-4c5e-9a3b-2f6d8e9a1c0b", false),
        ("gd4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b", false),
        (" 0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b", false),
        ("0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c0b ", false),
        ("0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1cé", false),
        ("0d4f4a2e-1b7c-4c5e-9a3b-2f6d8e9a1c０", false),
    ])
    func isUUID(text: String, valid: Bool) {
        #expect(Formats.isUUID(text) == valid)
    }

    @Test(arguments: [
        ("pm_card_visa", true),
        ("pm_card_chargeDeclinedInsufficientFunds", true),
        ("pm_1NqXYZ2eZvKYlo2C", true),
        ("pm_a", true),
        ("pm__", true),
        ("pm_", false),
        ("pm", false),
        ("", false),
        ("PM_card_visa", false),
        ("card_visa", false),
        ("pi_123", false),
        ("pm_card-visa", false),
        ("pm_card visa", false),
        ("pm_card.visa", false),
        ("pm_carté", false),
        ("pm_card_visa\n", false),
        (" pm_card_visa", false),
    ])
    func isPaymentMethod(text: String, valid: Bool) {
        #expect(Formats.isPaymentMethod(text) == valid)
    }

    @Test(arguments: [
        ("USD", true),
        ("EUR", true),
        ("XXX", true),
        ("usd", false),
        ("Usd", false),
        ("US", false),
        ("USDD", false),
        ("", false),
        ("US1", false),
        ("ÉUR", false),
        (" EU", false),
    ])
    func isCurrencyShape(text: String, valid: Bool) {
        #expect(Formats.isCurrencyShape(text) == valid)
    }
}
