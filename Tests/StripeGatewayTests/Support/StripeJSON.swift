/// Bodies shaped like Stripe's, for classification tests.
enum StripeJSON {
    static func intent(id: String = "pi_1", status: String = "requires_capture", amount: Int = 1000) -> String {
        """
        {"id":"\(id)","object":"payment_intent","status":"\(status)","amount":\(amount),"amount_capturable":\(amount),\
        "amount_received":0,"currency":"usd","capture_method":"manual","latest_charge":"ch_1","last_payment_error":null,\
        "metadata":{"payment_id":"p-1"}}
        """
    }

    static func error(type: String, code: String? = nil, declineCode: String? = nil, intent: String? = nil) -> String {
        var fields = [#""type":"\#(type)""#, #""message":"test message""#]
        if let code { fields.append(#""code":"\#(code)""#) }
        if let declineCode { fields.append(#""decline_code":"\#(declineCode)""#) }
        if let intent { fields.append(#""payment_intent":\#(intent)"#) }
        return #"{"error":{\#(fields.joined(separator: ","))}}"#
    }

    static func list(_ objects: [String], object: String = "list") -> String {
        #"{"object":"\#(object)","data":[\#(objects.joined(separator: ","))],"has_more":false}"#
    }
}
