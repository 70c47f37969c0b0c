import Testing
@testable import StripeGateway

@Suite struct FormEncoderTests {
    @Test func nestsMapsAndListsWithBracketsInSortedOrder() {
        let body = FormEncoder.encode([
            "payment_method_types": .list(["card"]),
            "metadata": .map(["payment_id": "p-1", "order_id": "o 1"]),
            "amount": 1000,
            "currency": "usd",
        ])
        #expect(body == "amount=1000&currency=usd&metadata[order_id]=o%201&metadata[payment_id]=p-1&payment_method_types[]=card")
    }

    @Test func sameFieldsAlwaysMakeTheSameBytes() {
        var first: [String: FormValue] = [:]
        var second: [String: FormValue] = [:]
        let keys = (0..<50).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        #expect(FormEncoder.encode(first) == FormEncoder.encode(second))
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("a b", "a%20b"),
        ("a&b=c", "a%26b%3Dc"),
        ("100%", "100%25"),
        ("x+y/z?", "x%2By%2Fz%3F"),
        ("[]'\"", "%5B%5D%27%22"),
        ("-._~", "-._~"),
        ("é€😀", "%C3%A9%E2%82%AC%F0%9F%98%80"),
        ("line\nbreak", "line%0Abreak"),
    ])
    func percentEncodesEverythingOutsideUnreserved(input: String, expected: String) {
        #expect(FormEncoder.percentEncode(input) == expected)
    }

    @Test func encodesKeyTextButKeepsStructuralBrackets() {
        let body = FormEncoder.encode(["metadata": .map(["a b[c]": "v"])])
        #expect(body == "metadata[a%20b%5Bc%5D]=v")
    }

    @Test func indexesListsOfMapsAndLeavesEmptyContainersOut() {
        let body = FormEncoder.encode([
            "items": .list([.map(["price": "p1", "quantity": 2]), .map(["price": "p2"])]),
            "metadata": .map([:]),
            "expand": .list([]),
        ])
        #expect(body == "items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2")
    }

    @Test func booleansAreLiteralWords() {
        #expect(FormEncoder.encode(["off_session": .bool(true), "confirm": .bool(false)]) == "confirm=false&off_session=true")
    }
}
