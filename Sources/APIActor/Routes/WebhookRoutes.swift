import HTTPTypes
import Foundation
import Hummingbird
import Store
import StripeGateway

/// `POST /webhooks/stripe`: Stripe's outcome reports. Verified first (400 and nothing changes otherwise),
/// deduplicated by event id, and turned into a read-back by the worker when our record is behind.
struct WebhookRoutes {
    static let maxBodyBytes = 512 * 1024

    let database: Database
    let secrets: [String]
    let intake: PaymentIntake

    func register(on routes: RouteTable) {
        routes.post("webhooks/stripe", .open) { request, context in try await receive(request, context) }
    }

    func receive(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw APIProblem(.contentTooLarge, detail: "the event is larger than 512 KiB")
        }
        let body = Array(buffer.readableBytesView)
        do {
            try WebhookSignature.verify(
                payload: body, header: request.headers[.stripeSignature], secrets: secrets, now: Int(Date().timeIntervalSince1970))
        } catch {
            throw APIProblem.invalid([FieldError(parameter: "Stripe-Signature", error.message)])
        }
        let event: StripeEvent
        do {
            event = try StripeEvent(body)
        } catch {
            throw APIProblem.invalid([FieldError(pointer: "", error.reason)])
        }
        let receipt = try await stored { () async throws(StoreError) in try await database.receiveWebhook(event.notice) }
        context.logger.info("stripe event", metadata: ["event_id": "\(event.id)", "type": "\(event.type)", "receipt": "\(receipt)"])
        if case .syncQueued(_, let operations) = receipt { operations.forEach(intake.handOff) }
        return try JSONResponse.make(.ok, ["received": event.id])
    }
}

extension HTTPField.Name {
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
}
