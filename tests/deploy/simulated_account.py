#!/usr/bin/env python3
"""A simulated AWS account for the deploy simulation test (tests/GenAiObs.Tests/EndToEnd/Deploy).

Talks to a moto server (started by tests/run-tests.sh) with boto3. A session: one JSON command
per stdin line ({"command": "describe", "stack": "..."}), one JSON answer per stdout line
({"ok": true, "result": {...}} or {"ok": false, "error": "..."}). Commands:

  deploy    transform template.yaml (or "template": "member.yaml") with the real SAM transform
            (aws-sam-translator) when it has one, upload a code package, create the stack
  describe  what the account now holds: stack status and outputs, resources, functions with
            their environment and roles, the table's key schema and TTL, topics, log groups,
            Bedrock's model invocation logging configuration
  subscribe-queue   an SQS queue subscribed to a topic (captures what the evaluator publishes)
  receive   messages waiting in a queue
  put-secrets       SSM SecureStrings (the receiver secrets a user stores before deploying)
  scan      the items of a table (keys and numeric counters)
  items     the items of a table with every attribute (numbers as numbers, sets as lists)
  put-logging       a model invocation logging configuration set by someone else
  put-destination   the CloudWatch Logs destination of a deployed stack's AWS::Logs::Destination
                    (moto's CloudFormation skips that type), from the stack's stream and role
  stream-deliver    what a destination does with a member account's delivery: one gzipped
                    CloudWatch Logs payload put on a stream as one record, read back, and
                    returned as the Lambda Kinesis event the event source mapping would send

Usage: simulated_account.py --endpoint URL --region REGION
"""

import argparse
import base64
import io
import json
import os
import sys
import time
import zipfile

import boto3
from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class _NoManagedPolicies:
    """The template uses inline policies only: the transform needs no managed-policy map."""

    def load(self):
        return {}


def client(args, service):
    return boto3.client(
        service,
        endpoint_url=args.endpoint,
        region_name=args.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _package_code(args):
    """What `sam package` does: upload the built code and point every CodeUri at it."""
    bucket = f"genaiobs-sim-code-{args.stack}".lower()[:63]
    s3 = client(args, "s3")
    if args.region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": args.region})
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        # The real executable runs on this machine against a loopback Runtime API; moto only
        # needs a package to create the functions from.
        archive.writestr("bootstrap", "#!/bin/sh\n")
    s3.put_object(Bucket=bucket, Key="code.zip", Body=package.getvalue())
    return f"s3://{bucket}/code.zip"


def _set_code_uri(node, uri):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "CodeUri" and isinstance(value, str):
                node[key] = uri
            else:
                _set_code_uri(value, uri)
    elif isinstance(node, list):
        for value in node:
            _set_code_uri(value, uri)


# Resource types moto 5.2.1's CloudFormation does not create; an output reading one of their
# attributes makes create_stack fail, so such outputs get the ARN CloudFormation documents.
_DESTINATION_ARN = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:destination:"


def _outputs_without_unmodelled_attributes(template):
    resources = template["Resources"]
    for output in template.get("Outputs", {}).values():
        value = output.get("Value")
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"][0]
            if resources.get(target, {}).get("Type") == "AWS::Logs::Destination":
                name = resources[target]["Properties"]["DestinationName"]["Fn::Sub"]
                output["Value"] = {"Fn::Sub": _DESTINATION_ARN + name}


def deploy(args):
    os.environ.setdefault("AWS_DEFAULT_REGION", args.region)
    name = getattr(args, "template", None) or "template.yaml"
    with open(os.path.join(ROOT, name), encoding="utf-8") as stream:
        template, matches = decode_str(stream.read())
    if template is None:
        raise SystemExit(f"{name} does not parse: {matches}")
    template = json.loads(json.dumps(template, default=str))
    _set_code_uri(template, _package_code(args))
    parameters = dict(p.split("=", 1) for p in args.param)
    transformed = transform(template, parameters, _NoManagedPolicies()) if "Transform" in template else template
    _outputs_without_unmodelled_attributes(transformed)
    for resource in transformed["Resources"].values():
        # moto 5.2.1 reads AWS::KMS::Key tags in the KMS API's shape (TagKey/TagValue) and fails
        # on CloudFormation's Key/Value; the tags mean the same.
        if resource["Type"] == "AWS::KMS::Key" and "Tags" in resource.get("Properties", {}):
            resource["Properties"]["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in resource["Properties"]["Tags"]]
    cloudformation = client(args, "cloudformation")
    stack = cloudformation.create_stack(
        StackName=args.stack,
        TemplateBody=json.dumps(transformed),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    return ({
        "stackId": stack["StackId"],
        "transformed": transformed,
    })


def describe(args):
    cloudformation = client(args, "cloudformation")
    stack = cloudformation.describe_stacks(StackName=args.stack)["Stacks"][0]
    resources = cloudformation.describe_stack_resources(StackName=args.stack)["StackResources"]
    by_type = {}
    for resource in resources:
        by_type.setdefault(resource.get("ResourceType"), []).append(resource)

    lambda_client = client(args, "lambda")
    iam = client(args, "iam")
    functions = {}
    for resource in by_type.get("AWS::Lambda::Function", []):
        if "LogicalResourceId" not in resource:
            continue
        configuration = lambda_client.get_function_configuration(FunctionName=resource["PhysicalResourceId"])
        role_name = configuration["Role"].rsplit("/", 1)[-1]
        try:
            role = iam.get_role(RoleName=role_name)["Role"]
            policies = [
                iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
                for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]
            ]
            role_info = {"arn": role["Arn"], "trust": role["AssumeRolePolicyDocument"], "policies": policies}
        except iam.exceptions.NoSuchEntityException:
            role_info = None
        functions[resource["LogicalResourceId"]] = {
            "name": configuration["FunctionName"],
            "arn": configuration["FunctionArn"],
            "handler": configuration.get("Handler"),
            "runtime": configuration.get("Runtime"),
            "architectures": configuration.get("Architectures"),
            "timeout": configuration.get("Timeout"),
            "memory": configuration.get("MemorySize"),
            # Lambda keeps every value as a string; moto echoes numbers as numbers.
            "environment": {k: str(v) for k, v in configuration.get("Environment", {}).get("Variables", {}).items()},
            "role": role_info,
            "tags": lambda_client.list_tags(Resource=configuration["FunctionArn"]).get("Tags", {}),
        }
        try:
            invoke = lambda_client.get_function_event_invoke_config(FunctionName=configuration["FunctionName"])
            functions[resource["LogicalResourceId"]]["eventInvokeConfig"] = {
                "maximumRetryAttempts": invoke.get("MaximumRetryAttempts"),
                "maximumEventAgeInSeconds": invoke.get("MaximumEventAgeInSeconds"),
            }
        except Exception:  # noqa: BLE001 - absent config: reported as missing
            pass

    dynamodb = client(args, "dynamodb")
    tables = {}
    for resource in by_type.get("AWS::DynamoDB::Table", []):
        name = resource["PhysicalResourceId"]
        table = dynamodb.describe_table(TableName=name)["Table"]
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        tables[resource["LogicalResourceId"]] = {
            "name": name,
            "keySchema": table["KeySchema"],
            "billingMode": table.get("BillingModeSummary", {}).get("BillingMode"),
            "ttl": ttl,
        }

    sns = client(args, "sns")
    topics = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in by_type.get("AWS::SNS::Topic", []) if "LogicalResourceId" in r}
    existing_topics = {t["TopicArn"] for t in sns.list_topics()["Topics"]}

    logs = client(args, "logs")
    log_groups = {}
    for group in logs.describe_log_groups()["logGroups"]:
        log_groups[group["logGroupName"]] = {"retentionInDays": group.get("retentionInDays"), "kmsKeyId": group.get("kmsKeyId")}

    bedrock = client(args, "bedrock")
    logging_config = bedrock.get_model_invocation_logging_configuration().get("loggingConfig", {})

    kinesis = client(args, "kinesis")
    streams = {}
    for resource in by_type.get("AWS::Kinesis::Stream", []):
        summary = kinesis.describe_stream_summary(StreamName=resource["PhysicalResourceId"])["StreamDescriptionSummary"]
        streams[resource["LogicalResourceId"]] = {"name": summary["StreamName"], "arn": summary["StreamARN"], "status": summary["StreamStatus"]}
    mappings = [
        {
            "functionArn": m["FunctionArn"],
            "eventSourceArn": m["EventSourceArn"],
            "batchSize": m.get("BatchSize"),
            "bisectBatchOnFunctionError": m.get("BisectBatchOnFunctionError"),
            "functionResponseTypes": m.get("FunctionResponseTypes"),
            "parallelizationFactor": m.get("ParallelizationFactor"),
            "maximumBatchingWindowInSeconds": m.get("MaximumBatchingWindowInSeconds"),
            "onFailure": m.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
        }
        for m in lambda_client.list_event_source_mappings()["EventSourceMappings"]
        if any(m["EventSourceArn"] == s["arn"] for s in streams.values())
    ]
    roles = {r["LogicalResourceId"]: iam.get_role(RoleName=r["PhysicalResourceId"])["Role"]["Arn"] for r in by_type.get("AWS::IAM::Role", []) if "LogicalResourceId" in r}

    return {
        "stackId": stack["StackId"],
        "status": stack["StackStatus"],
        "statusReason": stack.get("StackStatusReason"),
        "outputs": {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
        "resources": [
            {"logicalId": r.get("LogicalResourceId"), "type": r.get("ResourceType"), "physicalId": r.get("PhysicalResourceId"), "status": r.get("ResourceStatus")}
            for r in resources
        ],
        "functions": functions,
        "tables": tables,
        "topics": {k: {"arn": v, "exists": v in existing_topics} for k, v in topics.items()},
        "logGroups": log_groups,
        "bedrockLogging": logging_config,
        "streams": streams,
        "eventSourceMappings": mappings,
        "roles": roles,
    }


def subscribe_queue(args):
    sqs = client(args, "sqs")
    url = sqs.create_queue(QueueName=args.queue)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client(args, "sns").subscribe(TopicArn=args.topic, Protocol="sqs", Endpoint=arn)
    return {"queueUrl": url, "queueArn": arn}


def receive(args):
    sqs = client(args, "sqs")
    deadline = time.monotonic() + args.wait
    bodies = []
    while True:
        answer = sqs.receive_message(QueueUrl=args.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=args.queue_url, ReceiptHandle=message["ReceiptHandle"])
        if bodies or time.monotonic() >= deadline:
            break
    return {"messages": bodies}


def put_secrets(args):
    ssm = client(args, "ssm")
    for pair in args.param:
        name, value = pair.split("=", 1)
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)
    return {"stored": len(args.param)}


def scan(args):
    dynamodb = client(args, "dynamodb")
    items = []
    kwargs = {"TableName": args.table}
    while True:
        page = dynamodb.scan(**kwargs)
        # Keys, plus the numeric attributes (aggregate counters); never other values.
        items.extend(
            {"pk": i["pk"]["S"], "sk": i["sk"]["S"], "counters": {k: int(v["N"]) for k, v in i.items() if "N" in v and k != "expiresAt"}}
            for i in page["Items"]
        )
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {"items": items}


def _plain(value):
    """One DynamoDB attribute value as plain JSON (N as a number, SS/NS as lists)."""
    kind, inner = next(iter(value.items()))
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else float(inner)
    if kind == "NS":
        return [int(v) if v.lstrip("-").isdigit() else float(v) for v in inner]
    if kind == "M":
        return {k: _plain(v) for k, v in inner.items()}
    if kind == "L":
        return [_plain(v) for v in inner]
    if kind == "B":
        return base64.b64encode(inner).decode("ascii")
    return inner


def items(args):
    dynamodb = client(args, "dynamodb")
    found = []
    kwargs = {"TableName": args.table}
    while True:
        page = dynamodb.scan(**kwargs)
        found.extend({k: _plain(v) for k, v in item.items()} for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {"items": found}


def put_logging(args):
    client(args, "bedrock").put_model_invocation_logging_configuration(loggingConfig=args.config)
    return {"configured": True}


def put_destination(args):
    logs = client(args, "logs")
    destination = logs.put_destination(destinationName=args.name, targetArn=args.target_arn, roleArn=args.role_arn)["destination"]
    return {"arn": destination["arn"]}


def stream_deliver(args):
    """One CloudWatch Logs delivery (base64 gzip) as one record, read back as a Lambda event."""
    kinesis = client(args, "kinesis")
    data = base64.b64decode(args.data)
    put = kinesis.put_record(StreamName=args.stream, Data=data, PartitionKey=args.partition_key)
    summary = kinesis.describe_stream_summary(StreamName=args.stream)["StreamDescriptionSummary"]
    iterator = kinesis.get_shard_iterator(
        StreamName=args.stream, ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"]
    )["ShardIterator"]
    record = kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"][0]
    return {
        "Records": [
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": record["PartitionKey"],
                    "sequenceNumber": record["SequenceNumber"],
                    "data": base64.b64encode(record["Data"]).decode("ascii"),
                    "approximateArrivalTimestamp": record["ApproximateArrivalTimestamp"].timestamp(),
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"{put['ShardId']}:{record['SequenceNumber']}",
                "eventName": "aws:kinesis:record",
                "awsRegion": args.region,
                "eventSourceARN": summary["StreamARN"],
            }
        ]
    }


COMMANDS = {
    "deploy": deploy,
    "describe": describe,
    "subscribe-queue": subscribe_queue,
    "receive": receive,
    "put-secrets": put_secrets,
    "scan": scan,
    "items": items,
    "put-logging": put_logging,
    "put-destination": put_destination,
    "stream-deliver": stream_deliver,
}


def main():
    """One JSON command per stdin line, one JSON answer per stdout line (boto3 loads once)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", required=True)
    session = parser.parse_args()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        args = argparse.Namespace(endpoint=session.endpoint, region=session.region, stack=None, param=[], topic=None,
                                  queue=None, queue_url=None, wait=10.0, table=None, config=None,
                                  template=None, name=None, target_arn=None, role_arn=None, stream=None, data=None,
                                  partition_key="member")
        for key, value in request.items():
            setattr(args, key.replace("-", "_"), value)
        try:
            answer = COMMANDS[request["command"]](args)
            print(json.dumps({"ok": True, "result": answer}, default=str), flush=True)
        except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
            print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
