import Testing

@testable import StripeSandbox

@Suite("Form decoding and search queries (no I/O)")
struct FormDecodingTests {
    @Test func bracketsNest() throws {
        let form = try FormParams(
            urlEncoded: "amount=1000&metadata%5Bpayment_id%5D=a%20b&metadata[order_id]=o+1&payment_method_types[]=card&payment_method_types[]=link&automatic_payment_methods[enabled]=true"
        )
        #expect(form["amount"] == .string("1000"))
        #expect(form["metadata"] == .object(["payment_id": .string("a b"), "order_id": .string("o 1")]))
        #expect(form["payment_method_types"]?.array == [.string("card"), .string("link")])
        #expect(form["automatic_payment_methods"]?.object?["enabled"] == .string("true"))
    }

    @Test func indexedArraysReadAsArrays() throws {
        let form = try FormParams(urlEncoded: "types[1]=b&types[0]=a")
        #expect(form["types"]?.array == [.string("a"), .string("b")])
    }

    @Test func fingerprintIgnoresOrder() throws {
        let one = try FormParams(urlEncoded: "a=1&b=2")
        let two = try FormParams(urlEncoded: "b=2&a=1")
        let three = try FormParams(urlEncoded: "b=2&a=3")
        #expect(one.fingerprint == two.fingerprint)
        #expect(one.fingerprint != three.fingerprint)
    }

    @Test func conflictingShapesAreInvalid() {
        #expect(throws: StripeError.self) { try FormParams(urlEncoded: "metadata=x&metadata[k]=v") }
    }

    @Test func searchQueries() throws {
        let query = try SearchQuery("metadata['payment_id']:'p-1' AND status:'succeeded'")
        #expect(query.clauses == [.metadata(key: "payment_id", value: "p-1"), .field(name: "status", value: "succeeded")])
        #expect(throws: StripeError.self) { try SearchQuery("payment_id = 1") }
    }

    @Test func jsonEscapes() {
        let value: JSONValue = ["a": "q\"\\\n\u{01}", "b": [1, true, nil]]
        #expect(value.serialized == #"{"a":"q\"\\\n\u0001","b":[1,true,null]}"#)
    }
}
