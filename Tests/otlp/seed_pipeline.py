#!/usr/bin/env python3
"""The seed's pay-in flow as its Lambdas would report it with the official OpenTelemetry
Python SDK: one process per function in the real thing, one resource per function here.

  initializer: SERVER handler span, DynamoDB CLIENT spans, SQS PRODUCER span, business
               logs in the blog's spelling (event_name, payment_checkout_id, ...);
  executor:    a trace of its own (an SQS batch invocation), CONSUMER span linked to the
               initializer's PRODUCER span, PSP CLIENT span, PRODUCER to the results queue,
               business logs in the code's spelling (event_type, biz_checkout_id, dotted keys);
  wallet:      CONSUMER linked to the executor's PRODUCER, DynamoDB spans, settlement logs.

Exports over OTLP/HTTP protobuf to --endpoint and prints the trace ids it made as JSON.
"""
import argparse, json, logging, time
from datetime import datetime, timezone
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.trace import SpanKind, Link, Status, StatusCode

p = argparse.ArgumentParser()
p.add_argument("--endpoint", required=True)
p.add_argument("--checkout", required=True)
p.add_argument("--decline", action="store_true", help="the PSP declines (CARD_DECLINED)")
args = p.parse_args()

def function(name):
    resource = Resource.create({
        "service.name": f"o11y-lab-payments-{name}", "service.version": "1.4.2", "faas.name": f"o11y-lab-payments-{name}",
        "cloud.provider": "aws", "cloud.platform": "aws_lambda", "cloud.region": "eu-west-1",
    })
    tp = TracerProvider(resource=resource)
    tp.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=args.endpoint + "/v1/traces")))
    lp = LoggerProvider(resource=resource)
    lp.add_log_record_processor(SimpleLogRecordProcessor(OTLPLogExporter(endpoint=args.endpoint + "/v1/logs")))
    logger = logging.getLogger(name)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=lp))
    return tp, lp, tp.get_tracer("seed." + name), logger

chk = args.checkout
orders = [("po-" + chk + "-1", "merchant-7", "100.00"), ("po-" + chk + "-2", "merchant-9", "49.99")]
ids = {}
providers = []

# Initializer: the blog's spelling.
tp, lp, tracer, log = function("initializer")
providers += [tp, lp]
with tracer.start_as_current_span("POST /v1/payments", kind=SpanKind.SERVER,
                                  attributes={"faas.trigger": "http", "faas.coldstart": True, "checkout_id": chk}) as root:
    ids["initializer"] = format(root.get_span_context().trace_id, "032x")
    common = dict(event_domain="payments", event_provider="payment-service", event_version="1.0", payment_checkout_id=chk)
    log.info("Payment request received", extra=dict(common, event_name="payment.request.received", event_type="received",
                                                     payment_outcome="RECEIVED", payment_stage="REQUEST",
                                                     function_name="o11y-lab-payments-initializer", cold_start=True))
    with tracer.start_as_current_span("PutItem PaymentEvent", kind=SpanKind.CLIENT,
                                      attributes={"db.system.name": "aws.dynamodb", "aws.dynamodb.table_names": ["PaymentEvent"]}):
        pass
    with tracer.start_as_current_span("BatchWriteItem PaymentOrder", kind=SpanKind.CLIENT,
                                      attributes={"db.system.name": "aws.dynamodb", "aws.dynamodb.table_names": ["PaymentOrder"]}):
        pass
    log.info("Payment checkout initiated", extra=dict(common, event_name="payment.checkout.initiated", event_type="initiated",
                                                       payment_outcome="VALIDATED", payment_stage="INITIALIZATION",
                                                       amount_total="149.99", amount_currency="USD", order_count=2,
                                                       biz_timestamp=datetime.now(timezone.utc).isoformat()))
    with tracer.start_as_current_span("send payment-execution-queue", kind=SpanKind.PRODUCER,
                                      attributes={"messaging.system": "aws_sqs", "messaging.operation.type": "send"}) as produced:
        execution_producer = produced.get_span_context()
    log.info("Payment checkout queued", extra=dict(common, event_name="payment.checkout.queued", event_type="queued",
                                                    payment_outcome="QUEUED", payment_stage="INITIALIZATION"))

# Executor: the code's spelling (event_type holds the full name, dotted detail keys).
tp, lp, tracer, log = function("executor")
providers += [tp, lp]
with tracer.start_as_current_span("executor", kind=SpanKind.SERVER, attributes={"faas.trigger": "pubsub"}) as batch:
    ids["executor"] = format(batch.get_span_context().trace_id, "032x")
    with tracer.start_as_current_span("process payment-execution-queue", kind=SpanKind.CONSUMER, links=[Link(execution_producer)],
                                      attributes={"messaging.system": "aws_sqs", "checkout_id": chk}):
        with tracer.start_as_current_span("POST /process", kind=SpanKind.CLIENT,
                                          attributes={"http.request.method": "POST",
                                                      "http.response.status_code": 402 if args.decline else 200}):
            time.sleep(0.002)
        outcome = "FAILURE" if args.decline else "SUCCESS"
        detail = {"psp.latency.ms": 212}
        if args.decline:
            detail.update({"psp.response.error_code": "CARD_DECLINED", "error.category": "BUSINESS"})
        log.info("PSP response received", extra=dict({"event_type": "payment.psp.response", "biz_checkout_id": chk, "outcome": outcome,
                                                      "stage": "PSP_INTEGRATION", "amount.total": "149.99", "amount.currency": "USD",
                                                      "service": "payments-executor", "function_request_id": "req-1"}, **detail))
        with tracer.start_as_current_span("send payment-results-queue", kind=SpanKind.PRODUCER,
                                          attributes={"messaging.system": "aws_sqs"}) as produced:
            results_producer = produced.get_span_context()
        log.info("Payment result queued for wallet", extra={"event_type": "payment.wallet.queued", "biz_checkout_id": chk,
                                                            "outcome": outcome, "stage": "EXECUTION"})

# Wallet.
tp, lp, tracer, log = function("wallet")
providers += [tp, lp]
with tracer.start_as_current_span("wallet", kind=SpanKind.SERVER, attributes={"faas.trigger": "pubsub"}) as batch:
    ids["wallet"] = format(batch.get_span_context().trace_id, "032x")
    with tracer.start_as_current_span("process payment-results-queue", kind=SpanKind.CONSUMER, links=[Link(results_producer)],
                                      attributes={"messaging.system": "aws_sqs", "checkout_id": chk}) as consumer:
        with tracer.start_as_current_span("Query PaymentOrder", kind=SpanKind.CLIENT, attributes={"db.system.name": "aws.dynamodb"}):
            pass
        if args.decline:
            consumer.set_status(Status(StatusCode.OK))
            log.info("Payment checkout failed", extra={"event_type": "payment.checkout.failed", "biz_checkout_id": chk,
                                                       "outcome": "FAILURE", "stage": "SETTLEMENT", "amount.total": "149.99",
                                                       "amount.currency": "USD", "error.code": "CARD_DECLINED"})
        else:
            for po, merchant, amount in orders:
                with tracer.start_as_current_span("TransactWriteItems Wallet", kind=SpanKind.CLIENT,
                                                  attributes={"db.system.name": "aws.dynamodb"}):
                    pass
                log.info("Payment order settled", extra={"event_type": "payment.order.settled", "biz_checkout_id": chk,
                                                         "outcome": "SUCCESS", "stage": "SETTLEMENT", "payment_order.id": po,
                                                         "merchant.id": merchant, "amount.total": amount, "amount.currency": "USD"})
            log.info("Payment checkout settled", extra={"event_type": "payment.checkout.settled", "biz_checkout_id": chk,
                                                        "outcome": "SUCCESS", "stage": "SETTLEMENT", "amount.total": "149.99",
                                                        "amount.currency": "USD", "order.count": 2})
        with tracer.start_as_current_span("UpdateItem PaymentEvent", kind=SpanKind.CLIENT,
                                          attributes={"db.system.name": "aws.dynamodb"}) as failing:
            failing.record_exception(RuntimeError("ConditionalCheckFailed (retried)"))

for p in providers:
    p.shutdown()
print(json.dumps(ids))
