/// The API's OpenAPI 3.1 document, served at `GET /openapi.json`: data, not code. It is
/// embedded so a copied binary still serves it; docs/openapi.json is the same document,
/// and `PaymentsApiTests.theServedOpenAPIDocumentIsTheOneInDocs` fails when they differ
/// (edit docs/openapi.json, then paste it here).
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "paytop payments API",
    "version": "0.1.0",
    "description": "The seed's pay-in endpoint as paytop serves it (docs/api.md). Every answer is a JSON object. A 202 is sent only once the checkout, its orders and the execution message are durable (in the store's redo log, committed to its file within about 250 ms)."
  },
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "paths": {
    "/v1/payments": {
      "post": {
        "operationId": "createPayment",
        "summary": "Submit a checkout (the seed's API Gateway → initializer)",
        "parameters": [
          {
            "name": "traceparent",
            "in": "header",
            "required": false,
            "description": "W3C Trace Context; a valid one makes the checkout's trace continue the client's.",
            "schema": {"type": "string"}
          }
        ],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PaymentRequest"}}}
        },
        "responses": {
          "202": {
            "description": "Accepted and durable; the same bytes again for the same body (idempotent).",
            "headers": {"traceparent": {"$ref": "#/components/headers/traceparent"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}},
            "links": {
              "GetPayment": {
                "operationId": "getPayment",
                "parameters": {"checkout_id": "$response.body#/payment_event/checkout_id"}
              }
            }
          },
          "400": {
            "description": "Invalid JSON, or the seed's validation failed.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BadRequest"}}}
          },
          "409": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"},
          "429": {
            "description": "API Gateway's simulated throttle.",
            "headers": {"Retry-After": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
          },
          "500": {"$ref": "#/components/responses/Error"},
          "503": {
            "description": "The engine is behind or stopping.",
            "headers": {"Retry-After": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "504": {
            "description": "The initializer ran past API Gateway's 29 s integration timeout.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}}
          }
        }
      }
    },
    "/v1/payments/{checkout_id}": {
      "get": {
        "operationId": "getPayment",
        "summary": "The checkout and its orders as of the last durable batch",
        "parameters": [
          {
            "name": "checkout_id",
            "in": "path",
            "required": true,
            "schema": {"type": "string", "minLength": 1}
          }
        ],
        "responses": {
          "200": {
            "description": "The checkout.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Checkout"}}}
          },
          "404": {"$ref": "#/components/responses/Error"},
          "500": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "Whether the engine takes requests",
        "responses": {
          "200": {
            "description": "Taking requests.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          },
          "503": {
            "description": "Stopping, or stalled.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openapi",
        "summary": "This document",
        "responses": {
          "200": {
            "description": "The OpenAPI document.",
            "content": {"application/json": {"schema": {"type": "object"}}}
          }
        }
      }
    }
  },
  "components": {
    "headers": {
      "traceparent": {"description": "API Gateway's span in the checkout's trace.", "schema": {"type": "string"}}
    },
    "responses": {
      "Error": {
        "description": "An error, in words.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    },
    "schemas": {
      "Amount": {
        "type": "string",
        "pattern": "^[0-9]{1,13}(\\.[0-9]{1,2})?$",
        "description": "A decimal string from 0 to 1000000000000.00 with at most two decimals (a JSON number is rejected)."
      },
      "PaymentOrder": {
        "type": "object",
        "required": ["payment_order_id", "seller_account", "amount", "currency"],
        "properties": {
          "payment_order_id": {"type": "string", "minLength": 1},
          "seller_account": {"type": "string", "minLength": 1},
          "amount": {"$ref": "#/components/schemas/Amount"},
          "currency": {
            "type": "string",
            "pattern": "^[A-Z]{3}$",
            "description": "An active ISO 4217 code, the same for every order of a checkout."
          }
        }
      },
      "Simulate": {
        "type": "object",
        "description": "The seed's fault flags: latency (s) and errors per function, and the PSP's answer.",
        "properties": {
          "initializer": {"$ref": "#/components/schemas/SimulateFunction"},
          "executor": {"$ref": "#/components/schemas/SimulateFunction"},
          "wallet": {"$ref": "#/components/schemas/SimulateFunction"},
          "psp": {
            "type": "object",
            "properties": {
              "server_error": {"type": "boolean"},
              "error": {"type": "boolean"},
              "error_code": {
                "type": "string",
                "enum": ["INSUFFICIENT_FUNDS", "CARD_DECLINED", "EXPIRED_CARD", "INVALID_CARD", "FRAUD_SUSPECTED"]
              }
            }
          }
        }
      },
      "SimulateFunction": {
        "type": "object",
        "properties": {
          "latency": {"type": "number", "minimum": 0},
          "error": {"type": "boolean"},
          "message": {"type": "string"}
        }
      },
      "PaymentRequest": {
        "type": "object",
        "required": ["checkout_id", "buyer_info", "credit_card_info", "payment_orders"],
        "properties": {
          "checkout_id": {"type": "string", "minLength": 1},
          "buyer_info": {
            "type": "object",
            "required": ["user_id", "email"],
            "properties": {
              "user_id": {"type": "string", "minLength": 1},
              "email": {"type": "string", "pattern": "@", "description": "Must contain \"@\"."}
            }
          },
          "credit_card_info": {"type": "object", "properties": {"payment_token": {"type": "string"}}},
          "payment_orders": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/PaymentOrder"}},
          "simulate": {"$ref": "#/components/schemas/Simulate"}
        }
      },
      "AcceptedOrder": {
        "type": "object",
        "required": ["payment_order_id", "seller_account", "amount", "currency", "payment_order_status"],
        "properties": {
          "payment_order_id": {"type": "string"},
          "seller_account": {"type": "string"},
          "amount": {"type": "string"},
          "currency": {"type": "string"},
          "payment_order_status": {"type": "string", "enum": ["NOT_STARTED"]}
        }
      },
      "Accepted": {
        "type": "object",
        "required": ["payment_event", "message"],
        "properties": {
          "message": {"type": "string", "const": "Payment event initiated"},
          "payment_event": {
            "type": "object",
            "required": [
              "checkout_id",
              "buyer_info",
              "payment_orders",
              "status",
              "is_payment_done",
              "amount_total",
              "currency"
            ],
            "not": {"required": ["credit_card_info"]},
            "properties": {
              "checkout_id": {"type": "string"},
              "buyer_info": {"type": "object", "properties": {"user_id": {"type": "string"}, "email": {"type": "string"}}},
              "payment_orders": {"type": "array", "items": {"$ref": "#/components/schemas/AcceptedOrder"}},
              "status": {"type": "string", "const": "ACCEPTED"},
              "is_payment_done": {"type": "boolean"},
              "amount_total": {"type": "string"},
              "currency": {"type": "string"},
              "simulate": {"type": "object"}
            }
          }
        }
      },
      "ValidationIssue": {
        "type": "object",
        "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}, "value": {}}
      },
      "BadRequest": {
        "type": "object",
        "required": ["error"],
        "properties": {
          "error": {"type": "string", "enum": ["Invalid JSON", "Validation failed"]},
          "details": {"type": "array", "items": {"$ref": "#/components/schemas/ValidationIssue"}}
        }
      },
      "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "message": {"type": "string"}}
      },
      "Message": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
      "CheckoutOrder": {
        "type": "object",
        "required": [
          "payment_order_id",
          "buyer_account",
          "seller_account",
          "amount",
          "currency",
          "payment_order_status",
          "ledger_updated",
          "wallet_updated",
          "created_at"
        ],
        "properties": {
          "payment_order_id": {"type": "string"},
          "buyer_account": {"type": "string"},
          "seller_account": {"type": "string"},
          "amount": {"type": "string"},
          "currency": {"type": "string"},
          "payment_order_status": {"type": "string", "enum": ["NOT_STARTED", "EXECUTING", "SUCCESS", "FAILED"]},
          "ledger_updated": {"type": "boolean"},
          "wallet_updated": {"type": "boolean"},
          "created_at": {"type": "string", "format": "date-time"},
          "executing_at": {"type": "string", "format": "date-time"},
          "completed_at": {"type": "string", "format": "date-time"}
        }
      },
      "Checkout": {
        "type": "object",
        "required": [
          "checkout_id",
          "status",
          "is_payment_done",
          "amount_total",
          "currency",
          "created_at",
          "payment_orders"
        ],
        "properties": {
          "checkout_id": {"type": "string"},
          "status": {"type": "string", "enum": ["IN_PROGRESS", "DONE"]},
          "is_payment_done": {"type": "boolean"},
          "outcome": {"type": "string", "enum": ["SUCCESS", "FAILED"]},
          "failure_code": {"type": "string"},
          "amount_total": {"type": "string"},
          "currency": {"type": "string"},
          "created_at": {"type": "string", "format": "date-time"},
          "done_at": {"type": "string", "format": "date-time"},
          "trace_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
          "payment_orders": {"type": "array", "items": {"$ref": "#/components/schemas/CheckoutOrder"}}
        }
      },
      "Health": {
        "type": "object",
        "required": ["status", "inbox_depth", "in_flight"],
        "properties": {
          "status": {"type": "string", "enum": ["ok", "stopping", "stalled"]},
          "inbox_depth": {"type": "integer", "minimum": 0},
          "in_flight": {"type": "integer", "minimum": 0},
          "engine_idle_ms": {"type": "integer", "minimum": 0},
          "store_lag_ms": {"type": "integer", "minimum": 0, "description": "How long the oldest batch durable in the redo log has waited for its commit to the store's file (what the console and CLI read)."},
          "uncommitted_batches": {"type": "integer", "minimum": 0},
          "redo_log_bytes": {"type": "integer", "minimum": 0, "description": "Bytes appended to the redo log since the engine started."}
        }
      }
    }
  }
}
"""#
}
