/// The OpenAPI 3.1 document of every route (`GET /openapi.json`). Written by hand, as a raw string (no Swift
/// escapes: the text between the quotes is the JSON). Tests hold it against the router's routes, against real
/// answers and against the validator's limits, and `make test` runs schemathesis against it.
public enum OpenAPIDocument {
    public static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Payment API",
    "version": "1.0.0",
    "description": "Acme's Payment API: AuthorizePayment intake, capture, void, refunds and the events feed. Errors are application/problem+json (RFC 9457). /health/*, /metrics and /openapi.json need no token."
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "One of PAYMENT_API_TOKENS."}},
    "parameters": {
      "PaymentId": {"name": "paymentId", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
      "RefundId": {"name": "refundId", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
      "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
        "description": "1 to 255 visible ASCII characters (! to ~). Scoped to the caller's token; kept at least 72 hours. The same key with another body is a 409."
      },
      "Prefer": {
        "name": "Prefer",
        "in": "header",
        "required": false,
        "schema": {"type": "string"},
        "description": "wait=<seconds> (clamped to 30): answer once the outcome is known or the time runs out. Other preferences, and a malformed wait, are ignored."
      },
      "RequestId": {
        "name": "X-Request-Id",
        "in": "header",
        "required": false,
        "schema": {"type": "string"},
        "description": "Kept as the request's id when it is 1 to 128 of A-Z a-z 0-9 . _ : - (anything else, empty included, is ignored and a new id is made); echoed in the answer and in every log line of the request."
      },
      "Cursor": {
        "name": "after",
        "in": "query",
        "required": false,
        "schema": {"type": "string", "pattern": "^[0-9]{1,19}-[0-9]{1,18}$"},
        "description": "Start after this event: an event's id or a page's next."
      }
    },
    "headers": {
      "Location": {"schema": {"type": "string"}},
      "RetryAfter": {"schema": {"type": "integer"}},
      "RequestId": {"schema": {"type": "string"}, "description": "The request's id (see the X-Request-Id parameter)."},
      "Allow": {"schema": {"type": "string"}, "description": "The methods the resource has."}
    },
    "responses": {
      "BadRequest": {
        "description": "Invalid request: one errors entry per invalid field.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      },
      "Unauthorized": {
        "description": "Missing or unknown bearer token.",
        "headers": {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      },
      "NotFound": {
        "description": "No such payment or refund.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      },
      "Conflict": {
        "description": "The request conflicts with the payment's state, another command for the cart, or an Idempotency-Key used with another body.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      },
      "TooLarge": {
        "description": "The body is over 16 KiB.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      },
      "UnsupportedMediaType": {
        "description": "The body is not application/json.",
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      },
      "Unavailable": {
        "description": "The database is unreachable (nothing was recorded), or the connection broke while the request was being committed and its outcome is unknown (the detail says which): retry with the same Idempotency-Key, or read the resource.",
        "headers": {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
          "type": {"type": "string"},
          "title": {"type": "string"},
          "status": {"type": "integer"},
          "detail": {"type": "string"},
          "errors": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["detail"],
              "properties": {
                "pointer": {"type": "string", "description": "RFC 6901 pointer into the body."},
                "parameter": {"type": "string", "description": "The query parameter or header at fault."},
                "detail": {"type": "string"}
              }
            }
          }
        }
      },
      "AuthorizePayment": {
        "type": "object",
        "description": "AuthorizePayment v1.0.0 (authorize-payment.schema.json). Unknown fields and duplicate keys are rejected; at most 16 KiB.",
        "required": ["cartId", "amount", "currency"],
        "additionalProperties": false,
        "properties": {
          "cartId": {"type": "string", "format": "uuid"},
          "customerId": {"type": "string", "format": "uuid"},
          "amount": {"type": "integer", "minimum": 1, "maximum": 99999999},
          "currency": {
            "type": "string",
            "enum": [
              "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
              "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
              "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP",
              "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
              "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
              "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
              "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
              "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
              "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
              "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF",
              "XPF", "YER", "ZAR", "ZMW", "ZWL"
            ],
            "description": "An ISO 4217 code of a current currency (funds and precious metals excluded)."
          },
          "orderId": {"type": "string", "format": "uuid"},
          "paymentMethod": {"type": "string", "pattern": "^pm_[A-Za-z0-9_]+$"},
          "capture": {"type": "string", "enum": ["manual", "automatic"]},
          "metadata": {
            "type": "object",
            "maxProperties": 20,
            "propertyNames": {
              "minLength": 1,
              "maxLength": 40,
              "pattern": "^[^\\[\\]\\u0000]+$",
              "not": {"enum": ["payment_id", "order_id"]}
            },
            "additionalProperties": {"type": "string", "maxLength": 500, "pattern": "^[^\\u0000]*$"},
            "description": "At most 20 keys of 1 to 40 characters without [ or ], values of at most 500 characters; payment_id and order_id are the service's own. No string may hold a NUL (\\u0000)."
          }
        }
      },
      "PaymentError": {
        "type": "object",
        "required": ["operation", "code", "message", "at"],
        "properties": {
          "operation": {"type": "string"},
          "code": {"type": "string"},
          "message": {"type": "string"},
          "at": {"type": "string", "format": "date-time"}
        }
      },
      "Payment": {
        "type": "object",
        "required": [
          "paymentId", "cartId", "orderId", "customerId", "amount", "currency", "status", "capture", "amountCaptured",
          "amountRefunded", "failureReason", "declineCode", "processorReference", "lastError", "createdAt",
          "updatedAt"
        ],
        "properties": {
          "paymentId": {"type": "string", "format": "uuid"},
          "cartId": {"type": "string", "format": "uuid"},
          "orderId": {"type": "string", "format": "uuid"},
          "customerId": {"type": ["string", "null"], "format": "uuid"},
          "amount": {"type": "integer"},
          "currency": {"type": "string"},
          "status": {"type": "string", "enum": ["REQUESTED", "AUTHORIZED", "CAPTURED", "VOIDED", "FAILED"]},
          "capture": {"type": "string", "enum": ["manual", "automatic"]},
          "amountCaptured": {"type": "integer"},
          "amountRefunded": {"type": "integer"},
          "failureReason": {"enum": [null, "CARD_DECLINED", "INSUFFICIENT_FUNDS", "EXPIRED_CARD", "PROCESSING_ERROR"]},
          "declineCode": {"type": ["string", "null"]},
          "processorReference": {"type": ["string", "null"]},
          "lastError": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/PaymentError"}]},
          "createdAt": {"type": "string", "format": "date-time"},
          "updatedAt": {"type": "string", "format": "date-time"}
        }
      },
      "PaymentList": {
        "type": "object",
        "required": ["payments"],
        "properties": {"payments": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}}}
      },
      "CaptureRequest": {
        "type": "object",
        "additionalProperties": false,
        "properties": {"amount": {"type": "integer", "minimum": 1, "maximum": 99999999, "description": "Default: all authorized."}}
      },
      "VoidRequest": {"type": "object", "additionalProperties": false, "maxProperties": 0},
      "RefundRequest": {
        "type": "object",
        "additionalProperties": false,
        "properties": {
          "amount": {
            "type": "integer",
            "minimum": 1,
            "maximum": 99999999,
            "description": "Default: all captured and not yet refunded."
          },
          "reason": {"type": "string", "enum": ["duplicate", "fraudulent", "requested_by_customer"]}
        }
      },
      "Refund": {
        "type": "object",
        "required": [
          "refundId", "paymentId", "amount", "currency", "reason", "status", "processorReference", "createdAt",
          "updatedAt"
        ],
        "properties": {
          "refundId": {"type": "string", "format": "uuid"},
          "paymentId": {"type": "string", "format": "uuid"},
          "amount": {"type": "integer"},
          "currency": {"type": "string"},
          "reason": {"enum": [null, "duplicate", "fraudulent", "requested_by_customer"]},
          "status": {"type": "string", "enum": ["REQUESTED", "PROCESSED", "FAILED"]},
          "processorReference": {"type": ["string", "null"]},
          "createdAt": {"type": "string", "format": "date-time"},
          "updatedAt": {"type": "string", "format": "date-time"}
        }
      },
      "Event": {
        "type": "object",
        "required": ["id", "type", "occurredAt", "data"],
        "properties": {
          "id": {"type": "string", "description": "The cursor: <xid>-<seq>."},
          "type": {
            "type": "string",
            "enum": [
              "payment-requested", "payment-succeeded", "payment-failed", "payment-captured", "payment-voided",
              "refund-requested", "refund-processed", "refund-failed"
            ]
          },
          "occurredAt": {"type": "string", "format": "date-time"},
          "data": {"type": "object", "description": "Exactly the fields of the type's schema (schemas/<type>.schema.json)."}
        }
      },
      "EventPage": {
        "type": "object",
        "required": ["events", "next"],
        "properties": {
          "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
          "next": {"type": "string", "description": "The last event's id, or `after` when none came."}
        }
      },
      "WebhookReceipt": {
        "type": "object",
        "required": ["received"],
        "properties": {"received": {"type": "string", "description": "The event id."}}
      },
      "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {
          "status": {"type": "string", "enum": ["live", "ready"]},
          "processor": {
            "type": "string", "enum": ["ok", "credentials_refused"],
            "description": "On /health/ready: whether the processor accepts the secret key (readiness itself is about the database)."
          }
        }
      },
      "StreamEvent": {
        "type": "object",
        "required": ["id", "event", "data"],
        "properties": {
          "id": {
            "type": "string",
            "pattern": "^[0-9]{1,19}-[0-9]{1,18}$",
            "description": "The event's cursor (resume with Last-Event-ID)."
          },
          "event": {
            "type": "string",
            "enum": [
              "payment-requested", "payment-succeeded", "payment-failed", "payment-captured", "payment-voided",
              "refund-requested", "refund-processed", "refund-failed"
            ]
          },
          "data": {"type": "string", "contentMediaType": "application/json", "description": "The Event, as JSON."}
        },
        "description": "One server-sent event. Between events the stream sends comment lines (': connected' first, then ': keep-alive' while idle), which carry no event."
      },
      "RefundList": {
        "type": "object",
        "required": ["refunds"],
        "properties": {"refunds": {"type": "array", "items": {"$ref": "#/components/schemas/Refund"}}}
      }
    }
  },
  "paths": {
    "/payments/authorize": {
      "post": {
        "operationId": "authorizePayment",
        "summary": "The AuthorizePayment command: record a payment and place a hold at the processor.",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/IdempotencyKey"},
          {"$ref": "#/components/parameters/Prefer"},
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuthorizePayment"}}}
        },
        "responses": {
          "201": {
            "description": "A new payment, committed.",
            "headers": {"Location": {"$ref": "#/components/headers/Location"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "CapturePayment": {"operationId": "capturePayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "VoidPayment": {"operationId": "voidPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "ListRefunds": {"operationId": "listRefunds", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "200": {
            "description": "A replay: the payment as it stands.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "CapturePayment": {"operationId": "capturePayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "VoidPayment": {"operationId": "voidPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "ListRefunds": {"operationId": "listRefunds", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "402": {
            "description": "With Prefer: wait only: the payment FAILED.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "CapturePayment": {"operationId": "capturePayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "VoidPayment": {"operationId": "voidPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "ListRefunds": {"operationId": "listRefunds", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/payments": {
      "get": {
        "operationId": "listPayments",
        "summary": "The payments of a cart, newest first.",
        "security": [{"bearer": []}],
        "parameters": [
          {"name": "cartId", "in": "query", "required": true, "schema": {"type": "string", "format": "uuid"}},
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "responses": {
          "200": {
            "description": "The cart's payments.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaymentList"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/payments/{paymentId}": {
      "get": {
        "operationId": "getPayment",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/PaymentId"}, {"$ref": "#/components/parameters/RequestId"}],
        "responses": {
          "200": {
            "description": "The payment.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/payments/{paymentId}/capture": {
      "post": {
        "operationId": "capturePayment",
        "summary": "Capture an authorized payment (all of it by default; the rest of the hold is released).",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/PaymentId"},
          {"$ref": "#/components/parameters/Prefer"},
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "requestBody": {
          "required": false,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaptureRequest"}}}
        },
        "responses": {
          "200": {
            "description": "Captured (also within Prefer: wait), or that capture is already queued.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "202": {
            "description": "Capture queued.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/payments/{paymentId}/void": {
      "post": {
        "operationId": "voidPayment",
        "summary": "Release the hold (the saga's compensation).",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/PaymentId"},
          {"$ref": "#/components/parameters/Prefer"},
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/VoidRequest"}}}},
        "responses": {
          "200": {
            "description": "VOIDED (at once, already, or within Prefer: wait).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "202": {
            "description": "Void queued.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "RefundPayment": {"operationId": "refundPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/payments/{paymentId}/refunds": {
      "get": {
        "operationId": "listRefunds",
        "summary": "The payment's refunds, newest first: how a caller without an Idempotency-Key finds out what a request did.",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/PaymentId"}, {"$ref": "#/components/parameters/RequestId"}],
        "responses": {
          "200": {
            "description": "The refunds.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefundList"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      },
      "post": {
        "operationId": "refundPayment",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/PaymentId"},
          {"$ref": "#/components/parameters/IdempotencyKey"},
          {"$ref": "#/components/parameters/Prefer"},
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "requestBody": {"required": false, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RefundRequest"}}}},
        "responses": {
          "201": {
            "description": "Refund recorded.",
            "headers": {"Location": {"$ref": "#/components/headers/Location"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refund"}}},
            "links": {
              "GetRefund": {"operationId": "getRefund", "parameters": {"refundId": "$response.body#/refundId"}},
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "ListRefunds": {"operationId": "listRefunds", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "200": {
            "description": "A replay of the Idempotency-Key.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refund"}}},
            "links": {
              "GetRefund": {"operationId": "getRefund", "parameters": {"refundId": "$response.body#/refundId"}},
              "GetPayment": {"operationId": "getPayment", "parameters": {"paymentId": "$response.body#/paymentId"}},
              "ListRefunds": {"operationId": "listRefunds", "parameters": {"paymentId": "$response.body#/paymentId"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/refunds/{refundId}": {
      "get": {
        "operationId": "getRefund",
        "security": [{"bearer": []}],
        "parameters": [{"$ref": "#/components/parameters/RefundId"}, {"$ref": "#/components/parameters/RequestId"}],
        "responses": {
          "200": {
            "description": "The refund.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Refund"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/webhooks/stripe": {
      "post": {
        "operationId": "receiveStripeEvent",
        "summary": "Stripe's outcome reports, verified by Stripe-Signature against STRIPE_WEBHOOK_SECRET.",
        "parameters": [
          {
            "name": "Stripe-Signature",
            "in": "header",
            "required": true,
            "schema": {"type": "string", "minLength": 1},
            "description": "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> under one of STRIPE_WEBHOOK_SECRET; older than 5 minutes, or not matching, is a 400."
          }
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
          "200": {
            "description": "Verified (duplicates too).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookReceipt"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {
            "description": "The event is over 512 KiB.",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
          },
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/events": {
      "get": {
        "operationId": "listEvents",
        "summary": "A page of the events feed, oldest first.",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/Cursor"},
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
          },
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "responses": {
          "200": {
            "description": "The page.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventPage"}}},
            "links": {"NextPage": {"operationId": "listEvents", "parameters": {"after": "$response.body#/next"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/events/stream": {
      "get": {
        "operationId": "streamEvents",
        "summary": "The feed as server-sent events; id: is the cursor.",
        "security": [{"bearer": []}],
        "parameters": [
          {"$ref": "#/components/parameters/Cursor"},
          {
            "name": "Last-Event-ID",
            "in": "header",
            "required": false,
            "schema": {"type": "string", "pattern": "^[0-9]{1,19}-[0-9]{1,18}$"},
            "description": "Resume after this event id (wins over after)."
          },
          {"$ref": "#/components/parameters/RequestId"}
        ],
        "responses": {
          "200": {
            "description": "The stream, one event per feed event, oldest first; it ends on the server's graceful shutdown.",
            "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/StreamEvent"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/health/live": {
      "get": {
        "operationId": "live",
        "summary": "The process answers (no token).",
        "responses": {
          "200": {"description": "Live.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
        }
      }
    },
    "/health/ready": {
      "get": {
        "operationId": "ready",
        "summary": "The database is reachable and migrated (no token).",
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          },
          "503": {"$ref": "#/components/responses/Unavailable"}
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus text exposition (no token).",
        "responses": {"200": {"description": "The metrics.", "content": {"text/plain": {"schema": {"type": "string"}}}}}
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document (no token).",
        "responses": {
          "200": {"description": "The OpenAPI 3.1 document.", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    }
  }
}
"""#
}
